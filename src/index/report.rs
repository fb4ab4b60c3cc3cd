//! Ranking a resume against an index, with full match reports: the index gives a shortlist
//! by vector similarity in milliseconds, then each shortlisted job gets the same report as
//! [`crate::matching::score()`] (semantic, coverage, lexical), computed from the stored
//! requirement-line vectors, so no job text is embedded at run time.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::quant::TERNARY;
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

/// How far (in match-score points) a job's score from low-bit requirement lines may be from
/// its score from exact ones, for lines stored at `bits` (8, 4, [`TERNARY`], 2, 1): above the
/// largest change measured on the sample board and the synthetic 10k board (0.7, 2.6, 1.7
/// and 8.6 points; docs/index-format.md, "Compact lines"). 8 bits (and lines embedded at
/// query time) count as exact.
pub fn line_score_margin(bits: Option<u8>) -> f32 {
    match bits {
        Some(4) => 2.5,
        Some(2) => 3.0,
        Some(TERNARY) => 3.5,
        Some(1) => 10.0,
        _ => 0.0,
    }
}

/// [`rank_index`] for a resume already embedded (`matching::prepare::prepare_all` with
/// `Role::Resume`): ranking one resume against several indexes embeds it once. Jobs whose
/// score from low-bit lines is within [`line_score_margin`] of the last place of the top
/// are scored again with their lines embedded now (the index keeps their text), so that
/// line quantization does not decide who is in the top.
pub fn rank_prepared(
    encoder: &Encoder,
    resume: &Prepared,
    index: &JobIndex,
    options: RankOptions,
    filter: impl FnMut(usize, &JobMeta) -> bool,
) -> Result<Vec<IndexRanked>> {
    let margin = line_score_margin(index.line_bits());
    rank_prepared_margin(encoder, resume, index, options, margin, filter)
}

/// [`rank_prepared`] with an explicit margin (score points; 0: trust the stored lines as
/// they are, never embed a stored job's lines at query time).
pub fn rank_prepared_margin(
    encoder: &Encoder,
    resume: &Prepared,
    index: &JobIndex,
    options: RankOptions,
    margin: f32,
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
    // Jobs whose lines come from the index (not embedded now) are approximate below 8 bits.
    let mut exact: Vec<bool> = jobs.iter().map(|(_, complete)| !complete).collect();
    let mut jobs = embed_missing_lines(encoder, jobs)?;
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
    // Settle the last place: every approximate job within `margin` of the top's last score
    // gets its lines embedded now, until none is left (at most the shortlist, once each).
    while margin > 0.0 && ranked.len() > options.top && options.top > 0 {
        let mut order: Vec<usize> = (0..ranked.len()).collect();
        order.sort_by(|&a, &b| by_score(&ranked[a], &ranked[b]));
        let cut = ranked[order[options.top - 1]].score;
        let pending: Vec<usize> = (0..ranked.len())
            .filter(|&k| !exact[k] && (ranked[k].score - cut).abs() <= margin)
            .collect();
        if pending.is_empty() {
            break;
        }
        let texts: Vec<&str> = pending
            .iter()
            .flat_map(|&k| jobs[k].0.plan.lines.iter().map(String::as_str))
            .collect();
        let mut vectors = encoder.encode(&texts)?.into_iter().map(|e| e.vector);
        for &k in &pending {
            let job = &mut jobs[k].0;
            job.line_vectors = vectors.by_ref().take(job.plan.lines.len()).collect();
            let report = report_of(resume, job, model.clone());
            ranked[k].score = report.score;
            ranked[k].report = report;
            exact[k] = true;
        }
    }
    ranked.sort_by(by_score);
    ranked.truncate(options.top);
    Ok(ranked)
}

/// Best match score first, then the higher similarity, then the earlier job.
fn by_score(a: &IndexRanked, b: &IndexRanked) -> std::cmp::Ordering {
    b.score
        .total_cmp(&a.score)
        .then(b.similarity.total_cmp(&a.similarity))
        .then(a.index.cmp(&b.index))
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
