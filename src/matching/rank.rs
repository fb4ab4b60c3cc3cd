//! Ranking: one resume against many jobs, or one job against many resumes. Every text is
//! embedded in one encoder call; each pair is scored exactly as [`crate::matching::score()`]
//! would score it alone.

use crate::error::Result;
use crate::matching::prepare::{prepare_all, Prepared, Role};
use crate::matching::report::Ranked;
use crate::matching::{model_name, report_of};
use crate::model::Encoder;

/// Ranks `jobs` for one resume, best first; at most `top` entries (`index` is the job's
/// position in `jobs`).
pub fn rank(encoder: &Encoder, resume: &str, jobs: &[&str], top: usize) -> Result<Vec<Ranked>> {
    rank_against(encoder, resume, Role::Resume, jobs, top)
}

/// [`rank`] for a resume from [`crate::matching::prepare_resume`]: only the jobs are
/// embedded.
pub fn rank_prepared(
    encoder: &Encoder,
    resume: &Prepared,
    jobs: &[&str],
    top: usize,
) -> Result<Vec<Ranked>> {
    crate::limits::check_jobs_per_request(jobs.len(), "jobs")?;
    let docs: Vec<(&str, Role)> = jobs.iter().map(|&t| (t, Role::Job)).collect();
    let prepared = prepare_all(encoder, &docs)?;
    Ok(ranked_reports(encoder, &prepared, top, |job| {
        report_of(resume, job, None)
    }))
}

/// The reports of `others` (each made by `report`, the model's name added), best first.
fn ranked_reports(
    encoder: &Encoder,
    others: &[Prepared],
    top: usize,
    report: impl Fn(&Prepared) -> crate::matching::MatchReport,
) -> Vec<Ranked> {
    let model = model_name(encoder);
    let ranked = others
        .iter()
        .enumerate()
        .map(|(index, other)| {
            let mut report = report(other);
            report.model = Some(model.clone());
            Ranked {
                index,
                score: report.score,
                report,
            }
        })
        .collect();
    best_first(ranked, top)
}

/// Ranks `resumes` for one job, best first; at most `top` entries (`index` is the resume's
/// position in `resumes`).
pub fn rank_candidates(
    encoder: &Encoder,
    job: &str,
    resumes: &[&str],
    top: usize,
) -> Result<Vec<Ranked>> {
    rank_against(encoder, job, Role::Job, resumes, top)
}

/// Scores one document (`anchor`, on side `role`) against each of `others` (the other side).
fn rank_against(
    encoder: &Encoder,
    anchor: &str,
    role: Role,
    others: &[&str],
    top: usize,
) -> Result<Vec<Ranked>> {
    crate::limits::check_jobs_per_request(
        others.len(),
        match role {
            Role::Resume => "jobs",
            Role::Job => "resumes",
        },
    )?;
    let other_role = match role {
        Role::Resume => Role::Job,
        Role::Job => Role::Resume,
    };
    let mut docs = vec![(anchor, role)];
    docs.extend(others.iter().map(|&t| (t, other_role)));
    let prepared = prepare_all(encoder, &docs)?;
    let Some((anchor, others)) = prepared.split_first() else {
        return Ok(Vec::new());
    };
    Ok(ranked_reports(encoder, others, top, |other| match role {
        Role::Resume => report_of(anchor, other, None),
        Role::Job => report_of(other, anchor, None),
    }))
}

/// Sorts by score, best first (ties by input order), and keeps `top` (clamped to the count).
pub fn best_first(mut ranked: Vec<Ranked>, top: usize) -> Vec<Ranked> {
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    ranked.truncate(crate::limits::clamp_top(top, ranked.len()));
    ranked
}
