//! Matching a resume with a job: a 0–100 score people can read, the requirements of the job
//! with the resume line that covers each, and the important terms the resume lacks.
//!
//! The score combines three parts (see `docs/scoring.md`):
//! - **semantic**: cosine of the two document vectors, each the normalised mean of chunk
//!   vectors that together hold the whole text ([`document_vector`]);
//! - **coverage**: the job's requirement lines × the resume's evidence lines, each
//!   requirement credited by its best line ([`coverage`]);
//! - **lexical**: the job's hard-skill terms found in the resume, BM25-style ([`lexical`]).
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
pub mod eval;
pub mod lexical;
pub mod prepare;
pub mod rank;
pub mod report;
pub mod score;
pub mod terms;

pub use prepare::document_vector;
pub use prepare::Prepared;
pub use rank::{rank, rank_candidates, rank_prepared};
pub use report::{CoverageStatus, MatchReport, Ranked, RequirementMatch, ScoreParts};

use crate::error::Result;
use crate::matching::prepare::{plan_lexical, prepare_all, Plan, Role};
use crate::matching::report::Coverage;
use crate::model::Encoder;

/// Scores a resume against a job with the model: semantic, coverage and lexical parts.
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

/// A provisional report without the model: lexical part only, requirements matched to the
/// resume line sharing most of their terms. `provisional` is true; semantic parts are null.
pub fn lexical_report(resume: &str, job: &str) -> Result<MatchReport> {
    let r = plan_lexical(resume, Role::Resume)?;
    let j = plan_lexical(job, Role::Job)?;
    let lex = lexical::compare(&r.terms, &j.terms);
    let resume_bags: Vec<lexical::TermBag> =
        r.lines.iter().map(|l| lexical::TermBag::of(l)).collect();
    let requirements = j
        .lines
        .iter()
        .zip(&j.flags)
        .map(|(text, &optional)| {
            let req = lexical::TermBag::of(text);
            let best = resume_bags
                .iter()
                .enumerate()
                .map(|(i, bag)| (i, lexical::compare(bag, &req).score.unwrap_or(0.0)))
                .fold(None, |best: Option<(usize, f32)>, (i, s)| match best {
                    Some((_, b)) if b >= s => best,
                    _ => Some((i, s)),
                });
            let similarity = best.map_or(0.0, |(_, s)| s);
            let status = if similarity >= 0.6 {
                CoverageStatus::Covered
            } else if similarity >= 0.3 {
                CoverageStatus::Partial
            } else {
                CoverageStatus::Missing
            };
            RequirementMatch {
                text: text.clone(),
                optional,
                evidence: best
                    .filter(|&(_, s)| s > 0.0)
                    .map(|(i, _)| r.lines[i].clone()),
                similarity,
                status,
            }
        })
        .collect::<Vec<_>>();
    let parts = ScoreParts {
        semantic: None,
        coverage: None,
        lexical: lex.score,
    };
    Ok(finish(parts, requirements, &r, &j, None, true))
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
    let requirements = job
        .plan
        .lines
        .iter()
        .zip(&job.plan.flags)
        .zip(&best)
        .map(|((text, &optional), b)| RequirementMatch {
            text: text.clone(),
            optional,
            evidence: b.line.and_then(|i| resume.plan.lines.get(i).cloned()),
            similarity: (b.similarity * 1000.0).round() / 1000.0,
            status: b.status,
        })
        .collect();
    let lex = lexical::compare(&resume.plan.terms, &job.plan.terms);
    let semantic = crate::cosine(&resume.vector, &job.vector).clamp(0.0, 1.0);
    let parts = ScoreParts {
        semantic: Some(semantic),
        coverage: coverage::coverage_score(&best, &job.plan.flags),
        lexical: lex.score,
    };
    let mut report = finish(parts, requirements, &resume.plan, &job.plan, model, false);
    report.coverage.resume_chunks = resume.plan.chunks.len();
    report.coverage.job_chunks = job.plan.chunks.len();
    report
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
        evidence_lines: resume.lines.len(),
        resume_chunks: 0,
        job_chunks: 0,
    };
    let (matched_terms, missing_terms) = lexical::listed_terms(&resume.terms, &job.key_terms);
    let mut notes: Vec<String> = resume.notes.iter().chain(&job.notes).cloned().collect();
    if provisional {
        notes.push("provisional: lexical overlap only, the model has not loaded".into());
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
