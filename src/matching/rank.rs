//! Ranking: one resume against many jobs, or one job against many resumes. Every text is
//! embedded in one encoder call; each pair is scored exactly as [`crate::matching::score`]
//! would score it alone.

use crate::error::Result;
use crate::matching::prepare::{prepare_all, Role};
use crate::matching::report::Ranked;
use crate::matching::{model_name, report_of};
use crate::model::Encoder;

/// Ranks `jobs` for one resume, best first; at most `top` entries (`index` is the job's
/// position in `jobs`).
pub fn rank(encoder: &Encoder, resume: &str, jobs: &[&str], top: usize) -> Result<Vec<Ranked>> {
    let mut docs = vec![(resume, Role::Resume)];
    docs.extend(jobs.iter().map(|&j| (j, Role::Job)));
    let prepared = prepare_all(encoder, &docs)?;
    let model = model_name(encoder);
    let Some((resume, jobs)) = prepared.split_first() else {
        return Ok(Vec::new());
    };
    let ranked = jobs
        .iter()
        .enumerate()
        .map(|(index, job)| {
            let report = report_of(resume, job, Some(model.clone()));
            Ranked {
                index,
                score: report.score,
                report,
            }
        })
        .collect();
    Ok(best_first(ranked, top))
}

/// Ranks `resumes` for one job, best first; at most `top` entries (`index` is the resume's
/// position in `resumes`).
pub fn rank_candidates(
    encoder: &Encoder,
    job: &str,
    resumes: &[&str],
    top: usize,
) -> Result<Vec<Ranked>> {
    let mut docs = vec![(job, Role::Job)];
    docs.extend(resumes.iter().map(|&r| (r, Role::Resume)));
    let prepared = prepare_all(encoder, &docs)?;
    let model = model_name(encoder);
    let Some((job, resumes)) = prepared.split_first() else {
        return Ok(Vec::new());
    };
    let ranked = resumes
        .iter()
        .enumerate()
        .map(|(index, resume)| {
            let report = report_of(resume, job, Some(model.clone()));
            Ranked {
                index,
                score: report.score,
                report,
            }
        })
        .collect();
    Ok(best_first(ranked, top))
}

/// Sorts by score, best first (ties by input order), and keeps `top`.
pub fn best_first(mut ranked: Vec<Ranked>, top: usize) -> Vec<Ranked> {
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    ranked.truncate(top);
    ranked
}
