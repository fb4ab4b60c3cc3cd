//! Ranking a resume against an index, with full match reports: the index gives a shortlist
//! by vector similarity in milliseconds, then each shortlisted job gets the same report as
//! [`crate::matching::score()`] (semantic, coverage, lexical), computed from the stored
//! requirement-line vectors, so no job text is embedded at run time.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::{JobIndex, JobMeta};
use crate::matching::prepare::{plan_lexical, prepare_all, Prepared, Role};
use crate::matching::{model_name, report_of, MatchReport};
use crate::model::Encoder;

/// How [`rank_index`] ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankOptions {
    /// Jobs returned.
    pub top: usize,
    /// Jobs scored in full before the final order is taken (0: automatic, `max(3 × top, 50)`
    /// when the index stores line vectors, else `top`). Jobs whose line vectors are not
    /// stored are scored only within the first `top` by similarity (their lines need
    /// embedding at query time).
    pub shortlist: usize,
}

impl Default for RankOptions {
    fn default() -> Self {
        Self {
            top: 10,
            shortlist: 0,
        }
    }
}

/// One ranked job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexRanked {
    /// The job's position in the index.
    pub index: usize,
    /// Approximate cosine of resume and job vectors from the int8 search.
    pub similarity: f32,
    /// The match score, 0–100 (the report's).
    pub score: f32,
    /// The full match report.
    pub report: MatchReport,
}

/// Ranks the index's jobs for a resume, best match score first: a shortlist by vector
/// similarity among the jobs `filter` accepts, then full reports for the shortlist.
pub fn rank_index(
    encoder: &Encoder,
    resume: &str,
    index: &JobIndex,
    options: RankOptions,
    filter: impl FnMut(usize, &JobMeta) -> bool,
) -> Result<Vec<IndexRanked>> {
    if encoder.dim() != index.dim() {
        return Err(Error::Index(format!(
            "the encoder makes {}-dimensional vectors, the index holds {}",
            encoder.dim(),
            index.dim()
        )));
    }
    let resume = prepare_all(encoder, &[(resume, Role::Resume)])?
        .pop()
        .ok_or_else(|| Error::bad_input("the resume produced nothing to compare"))?;
    rank_prepared(encoder, &resume, index, options, filter)
}

/// [`rank_index`] for a resume already embedded (`matching::prepare::prepare_all` with
/// `Role::Resume`): ranking one resume against several indexes embeds it once.
pub fn rank_prepared(
    encoder: &Encoder,
    resume: &Prepared,
    index: &JobIndex,
    options: RankOptions,
    filter: impl FnMut(usize, &JobMeta) -> bool,
) -> Result<Vec<IndexRanked>> {
    if encoder.dim() != index.dim() || resume.vector.len() != index.dim() {
        return Err(Error::Index(format!(
            "the encoder makes {}-dimensional vectors, the index holds {}",
            encoder.dim(),
            index.dim()
        )));
    }
    let top = options.top.min(index.len());
    let options = RankOptions {
        top,
        shortlist: options.shortlist.min(index.len()),
    };
    let shortlist = match options.shortlist {
        0 if index.has_line_vectors() => (options.top.saturating_mul(3)).max(50),
        0 => options.top,
        n => n.max(options.top),
    };
    let hits = index.search_filtered(&resume.vector, shortlist, filter)?;
    // A job whose lines must be embedded now (not stored, or the text splits differently
    // than at build time) costs an encoder call per line: only the first `top` by
    // similarity get one; the rest of the shortlist is the jobs with stored lines.
    let mut kept = Vec::with_capacity(hits.len());
    let mut jobs = Vec::with_capacity(hits.len());
    for (position, hit) in hits.iter().enumerate() {
        let (job, complete) = prepared_job(encoder, index, hit.index)?;
        if complete || position < options.top {
            kept.push(*hit);
            jobs.push((job, complete));
        }
    }
    let jobs = embed_missing_lines(encoder, jobs)?;
    let model = Some(model_name(encoder));
    let mut ranked: Vec<IndexRanked> = kept
        .iter()
        .zip(&jobs)
        .map(|(h, (job, _))| {
            let report = report_of(resume, job, model.clone());
            IndexRanked {
                index: h.index,
                similarity: h.score,
                score: report.score,
                report,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.similarity.total_cmp(&a.similarity))
            .then(a.index.cmp(&b.index))
    });
    ranked.truncate(options.top);
    Ok(ranked)
}

/// A job as matching wants it, from the index; `false` when its line vectors still need
/// embedding (not stored, or the text now splits into other lines than at build time).
fn prepared_job(encoder: &Encoder, index: &JobIndex, i: usize) -> Result<(Prepared, bool)> {
    let meta = index
        .jobs
        .get(i)
        .ok_or_else(|| Error::Index(format!("no job {i} in the index")))?;
    let mut plan = plan_lexical(&meta.text, Role::Job)?;
    // Only the count is reported; the reader bounds it by the text's length.
    plan.chunks = vec![String::new(); index.chunks(i).min(meta.text.len() + 1)];
    let vector = index.vector(i).unwrap_or_else(|| vec![0.0; encoder.dim()]);
    let (line_vectors, complete) = match index.line_vectors(i) {
        Some(v) if v.len() == plan.lines.len() => (v, true),
        _ => (Vec::new(), false),
    };
    Ok((
        Prepared {
            plan,
            vector,
            line_vectors,
        },
        complete,
    ))
}

/// Embeds, in one encoder call, the requirement lines of the jobs that lack their vectors.
fn embed_missing_lines(
    encoder: &Encoder,
    mut jobs: Vec<(Prepared, bool)>,
) -> Result<Vec<(Prepared, bool)>> {
    let texts: Vec<&str> = jobs
        .iter()
        .filter(|(_, complete)| !complete)
        .flat_map(|(p, _)| p.plan.lines.iter().map(String::as_str))
        .collect();
    if texts.is_empty() {
        return Ok(jobs);
    }
    let mut vectors = encoder.encode(&texts)?.into_iter().map(|e| e.vector);
    for (p, complete) in jobs.iter_mut().filter(|(_, c)| !c) {
        p.line_vectors = vectors.by_ref().take(p.plan.lines.len()).collect();
        *complete = true;
    }
    Ok(jobs)
}
