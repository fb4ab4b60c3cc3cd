//! Requirement coverage: the similarity matrix of a job's requirement lines × a resume's
//! evidence lines; each requirement gets its best evidence line, a similarity and a status.

use crate::matching::report::CoverageStatus;

/// Similarity from which a requirement counts as covered.
pub const COVERED_AT: f32 = 0.55;
/// Similarity from which a requirement counts as partly covered.
pub const PARTIAL_AT: f32 = 0.40;
/// Similarity below which a requirement earns no coverage credit; credit rises linearly
/// from here to [`COVERED_AT`], where it is full.
pub const NO_CREDIT_BELOW: f32 = 0.30;
/// A bare skills list ("Python, Go, AWS") claims a skill without showing it: its similarity
/// counts for this share.
pub const LISTING_FACTOR: f32 = 0.65;
/// Weight of the key-term share in an evidence line's effective similarity (see
/// [`best_evidence_with_terms`]): a line that names all of a requirement's key skills gains
/// the width of the `partial` band (`COVERED_AT − PARTIAL_AT`), so naming the skill moves a
/// requirement up at most one status, and a line must still be near in meaning to be covered.
pub const KEY_TERM_WEIGHT: f32 = COVERED_AT - PARTIAL_AT;
/// Weight of an optional requirement relative to a required one.
pub const OPTIONAL_WEIGHT: f32 = 0.5;

/// The best evidence for one requirement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestEvidence {
    /// Index of the evidence line, `None` when there are no evidence lines.
    pub line: Option<usize>,
    /// Effective similarity (cosine, discounted for bare listings), at least 0.
    pub similarity: f32,
    /// Status from the similarity.
    pub status: CoverageStatus,
}

/// The status a similarity earns.
pub fn status_of(similarity: f32) -> CoverageStatus {
    if similarity >= COVERED_AT {
        CoverageStatus::Covered
    } else if similarity >= PARTIAL_AT {
        CoverageStatus::Partial
    } else {
        CoverageStatus::Missing
    }
}

/// Coverage credit of a similarity, 0–1 (linear between [`NO_CREDIT_BELOW`] and
/// [`COVERED_AT`]).
pub fn credit(similarity: f32) -> f32 {
    ((similarity - NO_CREDIT_BELOW) / (COVERED_AT - NO_CREDIT_BELOW)).clamp(0.0, 1.0)
}

/// For each requirement vector, the evidence vector with the highest effective similarity.
/// Vectors are L2-normalised, so the dot product is the cosine. `listing[j]` marks evidence
/// lines that are bare skill lists.
pub fn best_evidence(
    requirements: &[&[f32]],
    evidence: &[&[f32]],
    listing: &[bool],
) -> Vec<BestEvidence> {
    best_evidence_with_terms(requirements, evidence, listing, |_, _| None)
}

/// [`best_evidence`], where `key_share(i, j)` is the weighted share (0–1) of requirement
/// `i`'s key terms that evidence line `j` names (`None` when the requirement has none).
/// The effective similarity of a line that is not a bare listing is
/// `min(1, cos + KEY_TERM_WEIGHT · share)`: sentence encoders underrate a short requirement
/// whose point is a named skill ("Experience with Airflow …" vs "… orchestrated with Apache
/// Airflow"). A bare listing keeps `LISTING_FACTOR · cos` and gets no term credit: listing a
/// skill does not show it.
pub fn best_evidence_with_terms(
    requirements: &[&[f32]],
    evidence: &[&[f32]],
    listing: &[bool],
    key_share: impl Fn(usize, usize) -> Option<f32>,
) -> Vec<BestEvidence> {
    requirements
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut best: Option<(usize, f32)> = None;
            for (j, e) in evidence.iter().enumerate() {
                let cos: f32 = r.iter().zip(e.iter()).map(|(a, b)| a * b).sum();
                let sim = if listing.get(j).copied().unwrap_or(false) {
                    cos * LISTING_FACTOR
                } else {
                    let share = key_share(i, j).unwrap_or(0.0);
                    (cos + KEY_TERM_WEIGHT * share).min(1.0)
                };
                if best.is_none_or(|(_, s)| sim > s) {
                    best = Some((j, sim));
                }
            }
            let similarity = best.map_or(0.0, |(_, s)| s.max(0.0));
            BestEvidence {
                line: best.map(|(j, _)| j),
                similarity,
                status: status_of(similarity),
            }
        })
        .collect()
}

/// Weighted coverage of requirements, 0–1, or `None` without requirements. `optional[i]`
/// halves requirement `i`'s weight.
pub fn coverage_score(best: &[BestEvidence], optional: &[bool]) -> Option<f32> {
    let mut total = 0f32;
    let mut earned = 0f32;
    for (i, b) in best.iter().enumerate() {
        let w = if optional.get(i).copied().unwrap_or(false) {
            OPTIONAL_WEIGHT
        } else {
            1.0
        };
        total += w;
        earned += w * credit(b.similarity);
    }
    (total > 0.0).then(|| earned / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    }

    #[test]
    fn picks_the_closest_line_and_grades_it() {
        let reqs = [
            unit(&[1.0, 0.0, 0.0]),
            unit(&[0.0, 1.0, 0.0]),
            unit(&[0.0, 0.0, 1.0]),
        ];
        let ev = [
            unit(&[0.9, 0.1, 0.0]),
            unit(&[0.0, 1.0, 1.0]),
            unit(&[0.1, 0.0, 0.2]),
        ];
        let r: Vec<&[f32]> = reqs.iter().map(Vec::as_slice).collect();
        let e: Vec<&[f32]> = ev.iter().map(Vec::as_slice).collect();
        let best = best_evidence(&r, &e, &[false, false, false]);
        assert_eq!(best[0].line, Some(0));
        assert_eq!(best[0].status, CoverageStatus::Covered);
        assert_eq!(best[1].line, Some(1));
        assert_eq!(best[2].line, Some(2));
        let listed = best_evidence(&r, &e, &[true, false, false]);
        assert!(listed[0].similarity < best[0].similarity);
        let c = coverage_score(&best, &[false, false, false]).unwrap();
        assert!(c > 0.9, "{c}");
    }

    #[test]
    fn no_evidence_means_missing() {
        let reqs = [unit(&[1.0, 0.0])];
        let r: Vec<&[f32]> = reqs.iter().map(Vec::as_slice).collect();
        let best = best_evidence(&r, &[], &[]);
        assert_eq!(best[0].line, None);
        assert_eq!(best[0].status, CoverageStatus::Missing);
        assert_eq!(coverage_score(&best, &[false]), Some(0.0));
        assert_eq!(coverage_score(&[], &[]), None);
    }

    #[test]
    fn credit_is_monotone() {
        assert_eq!(credit(0.0), 0.0);
        assert_eq!(credit(1.0), 1.0);
        assert!(credit(0.4) < credit(0.5));
    }
}
