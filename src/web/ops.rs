//! What the worker computes: `embed`, `health`, and the matching reports (`score`,
//! `explain`, `rank`, `rankCandidates`, and the model-free `lexicalScore`), and `prepare`,
//! which embeds a resume ahead of the checks that will use it ([`ResumeCache`]).

use js_sys::{Array, Float32Array};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Encoder;
use crate::web::protocol::{Reply, Request};
use crate::web::resume_cache::ResumeCache;

/// `embed` arguments.
#[derive(Debug, Deserialize)]
struct EmbedArgs {
    texts: Vec<String>,
}

/// Counters of what the worker computed, returned by `profile`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// `embed` requests served.
    pub embed_calls: u64,
    /// Texts embedded.
    pub texts: u64,
    /// Tokens the model saw, special tokens included.
    pub tokens: u64,
    /// Milliseconds spent embedding.
    pub embed_ms: f64,
}

/// `embed({texts})` → one `Float32Array` per text, their buffers transferred to the page.
pub fn embed(encoder: &Encoder, request: &Request, usage: &mut Usage) -> Result<Reply> {
    let args: EmbedArgs = request.args()?;
    let t0 = crate::web::now_ms();
    let texts: Vec<&str> = args.texts.iter().map(String::as_str).collect();
    let embeddings = encoder.encode(&texts)?;
    usage.embed_calls += 1;
    usage.texts += embeddings.len() as u64;
    usage.tokens += embeddings.iter().map(|e| e.tokens as u64).sum::<u64>();
    usage.embed_ms += crate::web::now_ms() - t0;
    let result = Array::new();
    let transfer = Array::new();
    for e in &embeddings {
        let v = Float32Array::from(e.vector.as_slice());
        transfer.push(&v.buffer());
        result.push(&v);
    }
    Ok(Reply {
        result: result.into(),
        transfer: Some(transfer),
    })
}

/// The sentences `health` embeds (from `../shared/reference/parity.json`:
/// `req_rest_apis` and `bullet_latency`).
pub const HEALTH_TEXTS: [&str; 2] = [
    "5+ years of experience designing and operating REST APIs in Go or Python.",
    "Cut p95 API latency by 40% by adding a Redis read-through cache and batching database writes.",
];

/// Their cosine under sentence-transformers' all-MiniLM-L6-v2 (the reference embeddings);
/// cvmatch's native f32 encoder gives the same to within 1e-4.
pub const HEALTH_COSINE: f32 = 0.292_984;

/// The model id [`HEALTH_COSINE`] was measured for.
pub const HEALTH_MODEL: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// `health` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// Whether every check passed.
    pub healthy: bool,
    /// L2 norms of the two vectors (expected 1).
    pub norms: [f32; 2],
    /// Their cosine.
    pub cosine: f32,
    /// The known value, when the model is the one it was measured for.
    pub expected_cosine: Option<f32>,
    /// Allowed distance to it.
    pub tolerance: f32,
    /// Milliseconds for the two embeddings.
    pub ms: f64,
}

/// `health`: embeds [`HEALTH_TEXTS`], checks unit norms and their known cosine.
pub fn health(encoder: &Encoder, model_id: &str, weights: &str) -> Result<Health> {
    let t0 = crate::web::now_ms();
    let e = encoder.encode(&HEALTH_TEXTS)?;
    let ms = crate::web::now_ms() - t0;
    let [a, b] = e.as_slice() else {
        return Err(Error::bad_input(
            "health: the encoder returned a wrong count",
        ));
    };
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let norms = [norm(&a.vector), norm(&b.vector)];
    let cosine = crate::cosine(&a.vector, &b.vector);
    // Quantised or half-precision weights move the cosine a little more than f32.
    let tolerance = if weights == "f32" { 2e-3 } else { 2e-2 };
    let expected_cosine = (model_id == HEALTH_MODEL).then_some(HEALTH_COSINE);
    let healthy = norms.iter().all(|n| (n - 1.0).abs() < 1e-3)
        && expected_cosine.is_none_or(|c| (cosine - c).abs() <= tolerance);
    Ok(Health {
        healthy,
        norms,
        cosine,
        expected_cosine,
        tolerance,
        ms,
    })
}

/// `score` / `explain` arguments.
#[derive(Debug, Deserialize)]
struct PairArgs {
    resume: String,
    job: String,
}

/// `rank` arguments: one resume, many jobs.
#[derive(Debug, Deserialize)]
struct RankArgs {
    resume: String,
    jobs: Vec<String>,
    #[serde(default = "default_top")]
    top: usize,
}

/// `rankCandidates` arguments: one job, many resumes.
#[derive(Debug, Deserialize)]
struct RankCandidatesArgs {
    job: String,
    resumes: Vec<String>,
    #[serde(default = "default_top")]
    top: usize,
}

fn default_top() -> usize {
    10
}

/// `prepare` arguments.
#[derive(Debug, Deserialize)]
struct PrepareArgs {
    resume: String,
}

/// `prepare` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PrepareResult {
    /// Texts the resume is compared by: its chunks and evidence lines.
    units: usize,
    /// Chunks (they make the document vector).
    chunks: usize,
    /// Evidence lines.
    lines: usize,
    /// Whether the resume was already prepared (nothing was embedded).
    cached: bool,
    /// Milliseconds this request took.
    ms: f64,
}

/// `prepare({resume})` → `{units, chunks, lines, cached, ms}`: embeds the resume now and
/// keeps it, so that `score`, `explain` and `rank` with the same resume text embed only the
/// jobs. A page calls it as soon as it has the resume (a file dropped, text pasted).
pub fn prepare(encoder: &Encoder, request: &Request, resumes: &mut ResumeCache) -> Result<Reply> {
    let a: PrepareArgs = request.args()?;
    let t0 = crate::web::now_ms();
    let (prepared, cached) = resumes.get_or_prepare(encoder, &a.resume)?;
    let (chunks, lines) = (prepared.plan.chunks.len(), prepared.plan.lines.len());
    Reply::serialize(&PrepareResult {
        units: chunks + lines,
        chunks,
        lines,
        cached,
        ms: crate::web::now_ms() - t0,
    })
}

/// `score({resume, job})` and `explain` (the same report): [`crate::matching::score`], the
/// resume taken from (or put into) `resumes`.
pub fn score(encoder: &Encoder, request: &Request, resumes: &mut ResumeCache) -> Result<Reply> {
    let a: PairArgs = request.args()?;
    let (resume, _) = resumes.get_or_prepare(encoder, &a.resume)?;
    Reply::serialize(&crate::matching::score_prepared(encoder, &resume, &a.job)?)
}

/// `lexicalScore({resume, job})`: the provisional report, needing no model (it answers
/// while the model is still loading).
pub fn lexical_score(request: &Request) -> Result<Reply> {
    let a: PairArgs = request.args()?;
    Reply::serialize(&crate::matching::lexical_report(&a.resume, &a.job)?)
}

/// `rank({resume, jobs, top = 10})`: jobs best first, [`crate::matching::rank`], the
/// resume taken from (or put into) `resumes`.
pub fn rank(encoder: &Encoder, request: &Request, resumes: &mut ResumeCache) -> Result<Reply> {
    let a: RankArgs = request.args()?;
    let jobs: Vec<&str> = a.jobs.iter().map(String::as_str).collect();
    let (resume, _) = resumes.get_or_prepare(encoder, &a.resume)?;
    Reply::serialize(&crate::matching::rank_prepared(
        encoder, &resume, &jobs, a.top,
    )?)
}

/// `rankCandidates({job, resumes, top = 10})`: resumes best first,
/// [`crate::matching::rank_candidates`].
pub fn rank_candidates(encoder: &Encoder, request: &Request) -> Result<Reply> {
    let a: RankCandidatesArgs = request.args()?;
    let resumes: Vec<&str> = a.resumes.iter().map(String::as_str).collect();
    Reply::serialize(&crate::matching::rank_candidates(
        encoder, &a.job, &resumes, a.top,
    )?)
}
