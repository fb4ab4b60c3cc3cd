//! Matching a resume with a job: a 0–100 score people can read, the requirements of the job
//! with the resume line that covers each, and the important terms the resume lacks.
//!
//! Each requirement line of the job is typed ([`typed`]: named skills, years of experience,
//! education, certification, language, soft skill, logistics, other) and judged by the
//! evidence of its kind ([`evidence`]): skills the resume names (with aliases, from the
//! [`crate::skills`] vocabulary), years from its dated roles ([`dates`], [`facts`]), its
//! highest degree ([`education`]); soft skills and logistics are left for the candidate to
//! check; everything else by meaning ([`coverage`]).
//!
//! The score combines named parts (see `docs/scoring.md` and [`mod@score`]): semantic
//! similarity of the whole texts ([`document_vector`]), requirement coverage, skills
//! coverage, experience fit, education fit and title similarity ([`titles`]).
//!
//! ```no_run
//! # fn main() -> cvmatch::Result<()> {
//! let encoder = cvmatch::model_dir::load_encoder(
//!     std::path::Path::new("models/all-MiniLM-L6-v2"),
//!     "f32",
//! )?;
//! let report = cvmatch::matching::score(&encoder, "Rust developer, 5 years…", "We need Rust…")?;
//! println!("{} ({})", report.score, report.band);
//! # Ok(())
//! # }
//! ```

pub mod coverage;
pub mod dates;
pub mod education;
pub mod eval;
pub mod evidence;
pub mod facts;
pub mod lexical;
pub mod prepare;
pub mod rank;
pub mod report;
pub mod score;
pub mod skill_terms;
pub mod terms;
pub mod titles;
pub mod typed;

pub use prepare::document_vector;
pub use prepare::Prepared;
pub use rank::{rank, rank_candidates, rank_prepared};
pub use report::{
    CoverageStatus, MatchReport, Numbers, Ranked, RequirementKind, RequirementMatch, ScoreParts,
    SkillCheck,
};

use crate::error::Result;
use crate::matching::coverage::BestEvidence;
use crate::matching::prepare::{plan_lexical, prepare_all, Plan, Role};
use crate::matching::report::Coverage;
use crate::matching::typed::TypedRequirement;
use crate::model::Encoder;

/// Scores a resume against a job with the model: every part of [`ScoreParts`].
pub fn score(encoder: &Encoder, resume: &str, job: &str) -> Result<MatchReport> {
    let mut docs = prepare_all(encoder, &[(resume, Role::Resume), (job, Role::Job)])?.into_iter();
    match (docs.next(), docs.next()) {
        (Some(r), Some(j)) => Ok(report_of(&r, &j, Some(model_name(encoder)))),
        _ => Err(crate::Error::bad_input("nothing to compare")),
    }
}

/// Plans and embeds a resume alone, so that it can be checked against many jobs with
/// [`score_prepared`] / [`rank_prepared`] while only the jobs are embedded.
pub fn prepare_resume(encoder: &Encoder, resume: &str) -> Result<Prepared> {
    prepare_all(encoder, &[(resume, Role::Resume)])?
        .pop()
        .ok_or_else(|| crate::Error::bad_input("nothing to compare"))
}

/// [`score()`] for a resume from [`prepare_resume`]: only the job is embedded.
pub fn score_prepared(encoder: &Encoder, resume: &Prepared, job: &str) -> Result<MatchReport> {
    let job = prepare_all(encoder, &[(job, Role::Job)])?
        .pop()
        .ok_or_else(|| crate::Error::bad_input("nothing to compare"))?;
    Ok(report_of(resume, &job, Some(model_name(encoder))))
}

/// A provisional report without the model: skills (vocabulary and aliases), experience,
/// education and title parts, and requirements typed and judged as in the full report;
/// requirements of kind `other` are matched to the resume line sharing most of their terms.
/// `provisional` is true; `semantic` is null.
pub fn lexical_report(resume: &str, job: &str) -> Result<MatchReport> {
    let r = plan_lexical(resume, Role::Resume)?;
    let j = plan_lexical(job, Role::Job)?;
    let best: Vec<BestEvidence> = j
        .line_terms
        .iter()
        .map(|req| {
            let top = r
                .line_terms
                .iter()
                .enumerate()
                .map(|(i, bag)| (i, lexical::compare(bag, req).score.unwrap_or(0.0)))
                .fold(None, |best: Option<(usize, f32)>, (i, s)| match best {
                    Some((_, b)) if b >= s => best,
                    _ => Some((i, s)),
                });
            let similarity = top.map_or(0.0, |(_, s)| s);
            let status = if similarity >= 0.6 {
                CoverageStatus::Covered
            } else if similarity >= 0.3 {
                CoverageStatus::Partial
            } else {
                CoverageStatus::Missing
            };
            BestEvidence {
                line: top.filter(|&(_, s)| s > 0.0).map(|(i, _)| i),
                similarity,
                status,
            }
        })
        .collect();
    Ok(assemble(&r, &j, &best, |_, _| None, None, None, true))
}

/// The report for a prepared resume and job.
pub(crate) fn report_of(resume: &Prepared, job: &Prepared, model: Option<String>) -> MatchReport {
    let req_vecs: Vec<&[f32]> = job.line_vectors.iter().map(Vec::as_slice).collect();
    let ev_vecs: Vec<&[f32]> = resume.line_vectors.iter().map(Vec::as_slice).collect();
    let best =
        coverage::best_evidence_with_terms(&req_vecs, &ev_vecs, &resume.plan.flags, |i, j| match (
            job.plan.line_terms.get(i),
            resume.plan.line_terms.get(j),
        ) {
            (Some(req), Some(ev)) => lexical::key_share(req, ev, &job.plan.key_terms),
            _ => None,
        });
    let cosine = |i: usize, j: usize| -> Option<f32> {
        let (a, b) = (req_vecs.get(i)?, ev_vecs.get(j)?);
        Some(crate::cosine(a, b))
    };
    let semantic = crate::cosine(&resume.vector, &job.vector).clamp(0.0, 1.0);
    let mut report = assemble(
        &resume.plan,
        &job.plan,
        &best,
        cosine,
        Some(semantic),
        model,
        false,
    );
    report.coverage.resume_chunks = resume.plan.chunks.len();
    report.coverage.job_chunks = job.plan.chunks.len();
    report
}

/// Whether a requirement and the resume's degree line share a field word (3+ letters,
/// other than degree words: "BSN" and "BSN" do) or are close in meaning.
fn degree_field_close(req: &str, degree_line: &str, cosine: Option<f32>) -> bool {
    const DEGREE_WORDS: &[&str] = &[
        "and",
        "the",
        "for",
        "with",
        "degree",
        "bachelor",
        "bachelors",
        "master",
        "masters",
        "field",
        "related",
        "equivalent",
        "university",
        "college",
        "science",
        "arts",
        "preferred",
        "required",
    ];
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|w| w.len() >= 3 && !DEGREE_WORDS.contains(&w.as_str()))
            .collect()
    };
    let d = words(degree_line);
    cosine.is_some_and(|c| c >= 0.5) || words(req).iter().any(|w| d.contains(w))
}

/// Weight of a requirement in the parts: optional ones count half.
fn weight(optional: bool) -> f32 {
    if optional {
        coverage::OPTIONAL_WEIGHT
    } else {
        1.0
    }
}

/// A weighted mean of `(value, weight)` pairs, `None` without weight.
fn weighted_mean(values: impl Iterator<Item = (f32, f32)>) -> Option<f32> {
    let (mut sum, mut total) = (0f32, 0f32);
    for (v, w) in values {
        sum += v * w;
        total += w;
    }
    (total > 0.0).then(|| sum / total)
}

/// Judges every requirement and puts the report together.
#[allow(clippy::too_many_arguments)]
fn assemble(
    resume: &Plan,
    job: &Plan,
    best: &[BestEvidence],
    cosine: impl Fn(usize, usize) -> Option<f32>,
    semantic: Option<f32>,
    model: Option<String>,
    provisional: bool,
) -> MatchReport {
    let fallback = TypedRequirement {
        kind: RequirementKind::Other,
        groups: Vec::new(),
        soft: Vec::new(),
        years: Vec::new(),
        degree: None,
        surface: Vec::new(),
    };
    let mut requirements = Vec::with_capacity(job.lines.len());
    let (mut cov, mut skills, mut years, mut edu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, text) in job.lines.iter().enumerate() {
        let optional = job.flags.get(i).copied().unwrap_or(false);
        let typed = job.typed.get(i).unwrap_or(&fallback);
        let b = best.get(i).copied().unwrap_or(BestEvidence {
            line: None,
            similarity: 0.0,
            status: CoverageStatus::Missing,
        });
        let close = resume.facts.degree.is_some_and(|(_, d)| {
            degree_field_close(
                text,
                resume.lines.get(d).map_or("", String::as_str),
                cosine(i, d),
            )
        });
        let judged = evidence::judge(typed, &resume.facts, &resume.lines, &resume.flags, close);
        let status = if !judged.decided {
            b.status
        } else if judged.status == CoverageStatus::Missing
            && b.status == CoverageStatus::Covered
            && typed.kind != RequirementKind::Experience
        {
            // Not named, but a resume line says much the same thing: partly.
            CoverageStatus::Partial
        } else {
            judged.status
        };
        let mut lines = judged.lines.clone();
        if lines.is_empty()
            && (!judged.decided
                || matches!(status, CoverageStatus::Covered | CoverageStatus::Partial))
        {
            lines.extend(b.line);
        }
        let w = weight(optional);
        let value: f32 = match status {
            CoverageStatus::Covered => 1.0,
            CoverageStatus::Partial => 0.5,
            _ => 0.0,
        };
        if status != CoverageStatus::CheckYourself {
            let v = match (judged.decided, judged.groups_met) {
                (false, _) => coverage::credit(b.similarity),
                // Named skills met only by a bare skills list earn the listing credit.
                (true, Some((share, _))) => value.min(share),
                (true, None) => value,
            };
            cov.push((v, w));
        }
        if let Some((share, _)) = judged.groups_met {
            skills.push((share, w));
        }
        if let Some(fit) = judged.years_fit {
            years.push((fit, w));
        }
        if typed.kind == RequirementKind::Education {
            edu.push((value, w));
        }
        let evidence_lines: Vec<String> = lines
            .iter()
            .filter_map(|&l| resume.lines.get(l).cloned())
            .collect();
        requirements.push(RequirementMatch {
            text: text.clone(),
            optional,
            kind: typed.kind,
            evidence: evidence_lines.first().cloned(),
            evidence_lines,
            similarity: (b.similarity * 1000.0).round() / 1000.0,
            status,
            skills: judged.skills,
            numbers: judged.numbers,
            note: judged.note,
        });
    }
    let lex = lexical::compare(&resume.terms, &job.terms);
    let parts = ScoreParts {
        semantic,
        coverage: weighted_mean(cov.into_iter()),
        lexical: lex.score,
        skills: weighted_mean(skills.into_iter()),
        experience: weighted_mean(years.into_iter()),
        education: weighted_mean(edu.into_iter()),
        // A resume without a headline or a dated role shows no title: 0, not unknown.
        title: job
            .facts
            .titles
            .first()
            .filter(|t| !titles::title_words(t).is_empty())
            .map(|t| titles::title_similarity(t, &resume.facts.titles).unwrap_or(0.0)),
    };
    finish(parts, requirements, resume, job, model, provisional)
}

fn finish(
    parts: ScoreParts,
    requirements: Vec<RequirementMatch>,
    resume: &Plan,
    job: &Plan,
    model: Option<String>,
    provisional: bool,
) -> MatchReport {
    let score = score::combine(&parts);
    let band = score::band(score);
    let count = |s: CoverageStatus| requirements.iter().filter(|r| r.status == s).count();
    let coverage = Coverage {
        requirements: requirements.len(),
        covered: count(CoverageStatus::Covered),
        partial: count(CoverageStatus::Partial),
        missing: count(CoverageStatus::Missing),
        check_yourself: count(CoverageStatus::CheckYourself),
        evidence_lines: resume.lines.len(),
        resume_chunks: 0,
        job_chunks: 0,
    };
    let (matched_terms, missing_terms) = skill_terms::listed(job, resume);
    let mut notes: Vec<String> = resume.notes.iter().chain(&job.notes).cloned().collect();
    if provisional {
        notes.push("provisional: without the model (skills, years, degree and title only)".into());
    }
    if job.lines.is_empty() && !job.terms.is_empty() {
        notes.push("no requirement lines were found in the job".into());
    }
    MatchReport {
        score,
        band: band.label,
        band_meaning: band.meaning,
        provisional,
        parts,
        requirements,
        coverage,
        matched_terms,
        missing_terms,
        notes,
        model,
    }
}

/// The model's description in reports (also used by the job index's reports).
pub(crate) fn model_name(encoder: &Encoder) -> String {
    let spec = encoder.spec();
    format!(
        "BERT {} layers, {} dims, {} tokens, {} weights",
        spec.num_layers,
        spec.hidden_size,
        spec.max_seq_length,
        encoder.weights_format().as_str()
    )
}
