//! Combining the parts into a 0–100 score and naming its band. The weights and the two
//! anchors of the linear map are explained in `docs/scoring.md`, with how they were chosen:
//! a grid search (`scripts/fit_score_weights.py`) on `../shared/eval/pairs.json` and
//! `tests/data/matching/hard_pairs.json`, every part at least 0.05, every resume's strong
//! fit ranked first, then the best mean of Spearman and per-resume order accuracy.

use serde::Serialize;

use crate::matching::report::ScoreParts;

/// Weight of the semantic part (cosine of the document vectors).
pub const W_SEMANTIC: f32 = 0.40;
/// Weight of requirement coverage.
pub const W_COVERAGE: f32 = 0.20;
/// Weight of skills coverage.
pub const W_SKILLS: f32 = 0.05;
/// Weight of experience fit.
pub const W_EXPERIENCE: f32 = 0.05;
/// Weight of education fit.
pub const W_EDUCATION: f32 = 0.05;
/// Weight of title similarity.
pub const W_TITLE: f32 = 0.25;
/// The combined value that maps to score 0.
pub const RAW_AT_0: f32 = 0.12;
/// The combined value that maps to score 100.
pub const RAW_AT_100: f32 = 0.72;
/// Provisional (no model) score: the combined value that maps to 0.
pub const PROVISIONAL_AT_0: f32 = 0.10;
/// Provisional (no model) score: the combined value that maps to 100.
pub const PROVISIONAL_AT_100: f32 = 0.80;

/// A band of scores with its label and meaning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Lowest score in the band.
    pub from: f32,
    /// Short label.
    pub label: &'static str,
    /// What it means for the candidate.
    pub meaning: &'static str,
}

/// The bands, highest first.
pub const BANDS: &[Band] = &[
    Band {
        from: 60.0,
        label: "strong fit",
        meaning: "the resume shows most of what the job asks for",
    },
    Band {
        from: 40.0,
        label: "good fit",
        meaning: "a related role with clear overlap; check the missing requirements",
    },
    Band {
        from: 20.0,
        label: "partial fit",
        meaning:
            "same broad field, but a different role, stack or level; many requirements missing",
    },
    Band {
        from: 0.0,
        label: "weak fit",
        meaning: "little in the resume speaks to this job",
    },
];

/// The band a score falls in.
pub fn band(score: f32) -> &'static Band {
    BANDS
        .iter()
        .find(|b| score >= b.from)
        .unwrap_or(&BANDS[BANDS.len() - 1])
}

/// Score from which the map bends: above it, scores approach 100 without reaching it, so
/// close matches keep their order instead of tying at 100.
pub const KNEE: f32 = 80.0;

fn linear_0_100(x: f32, at_0: f32, at_100: f32) -> f32 {
    let mut s = 100.0 * (x - at_0) / (at_100 - at_0);
    if s > KNEE {
        s = KNEE + (100.0 - KNEE) * (1.0 - (-(s - KNEE) / (100.0 - KNEE)).exp());
    }
    if s.is_finite() {
        (s.clamp(0.0, 100.0) * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// The parts with their weights, in a fixed order.
fn weighted(parts: &ScoreParts) -> [(Option<f32>, f32); 6] {
    [
        (parts.semantic, W_SEMANTIC),
        (parts.coverage, W_COVERAGE),
        (parts.skills, W_SKILLS),
        (parts.experience, W_EXPERIENCE),
        (parts.education, W_EDUCATION),
        (parts.title, W_TITLE),
    ]
}

/// The weighted mean of the parts present (missing parts are left out and the remaining
/// weights renormalised), 0–1; `None` when no part is present.
pub fn raw(parts: &ScoreParts) -> Option<f32> {
    let (mut sum, mut weights) = (0f32, 0f32);
    for (value, w) in weighted(parts) {
        if let Some(v) = value {
            sum += w * v.clamp(0.0, 1.0);
            weights += w;
        }
    }
    (weights > 0.0).then(|| sum / weights)
}

/// The 0–100 score of a set of parts: their weighted mean mapped linearly between the two
/// anchors. Without the semantic part (a provisional report) the provisional anchors apply.
/// The lexical part is reported but not scored.
pub fn combine(parts: &ScoreParts) -> f32 {
    let Some(x) = raw(parts) else {
        return 0.0;
    };
    if parts.semantic.is_none() {
        linear_0_100(x, PROVISIONAL_AT_0, PROVISIONAL_AT_100)
    } else {
        linear_0_100(x, RAW_AT_0, RAW_AT_100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_and_bounded() {
        let at = |s, c, l| {
            combine(&ScoreParts {
                semantic: Some(s),
                coverage: Some(c),
                lexical: None,
                skills: Some(l),
                experience: Some(l),
                education: None,
                title: Some(l),
            })
        };
        assert_eq!(at(0.0, 0.0, 0.0), 0.0);
        assert!(at(1.0, 1.0, 1.0) > 95.0);
        assert!(at(0.9, 0.9, 0.9) < at(1.0, 1.0, 1.0), "no tie at the top");
        assert!(at(0.5, 0.5, 0.5) < at(0.6, 0.5, 0.5));
        assert!(at(0.5, 0.5, 0.5) < at(0.5, 0.6, 0.5));
        assert!(at(0.5, 0.5, 0.5) < at(0.5, 0.5, 0.6));
    }

    #[test]
    fn lexical_only_and_bands() {
        let p = ScoreParts {
            semantic: None,
            coverage: None,
            lexical: Some(1.0),
            skills: Some(1.0),
            experience: None,
            education: None,
            title: None,
        };
        assert!(combine(&p) > 95.0);
        let none = ScoreParts { skills: None, ..p };
        assert_eq!(combine(&none), 0.0);
        assert_eq!(band(85.0).label, "strong fit");
        assert_eq!(band(0.0).label, "weak fit");
        assert_eq!(band(f32::NAN).label, "weak fit");
    }
}
