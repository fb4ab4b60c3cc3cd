//! The job index in the worker: `loadIndex` (through the same Cache API store as the model
//! files: cached copy verified before use, else a streamed download with progress, verified,
//! then stored), `rankIndex` (resume against an index, with reports) and `benchIndex`.
//!
//! An index verifies itself: its sha256 trailer covers every byte, and its header names the
//! model and weights hash, compared with the loaded model's before any ranking.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::{rank_index, IndexIdentity, JobIndex, JobMeta, RankOptions};
use crate::matching::MatchReport;
use crate::model::Encoder;
use crate::web::cache::ModelCache;
use crate::web::protocol::{self, Reply, Request};
use crate::web::{fetch, now_ms};

/// Largest index accepted (wasm32 memory is 4 GiB; the index is copied once when parsed).
const MAX_INDEX_BYTES: u64 = 1 << 30;

thread_local! {
    static INDEXES: RefCell<HashMap<String, Rc<JobIndex>>> = RefCell::new(HashMap::new());
    static IDENTITY: RefCell<Option<IndexIdentity>> = const { RefCell::new(None) };
}

/// Records the loaded model's identity (model id and weights hash from its manifest).
pub fn set_identity(identity: Option<IndexIdentity>) {
    IDENTITY.with(|i| *i.borrow_mut() = identity);
}

/// The loaded model's identity, once `load` has read its manifest.
pub(crate) fn identity() -> Option<IndexIdentity> {
    IDENTITY.with(|i| i.borrow().clone())
}

/// `loadIndex` arguments.
#[derive(Debug, Deserialize)]
struct LoadArgs {
    /// Absolute URL of the `.cvx` file.
    url: String,
}

/// `loadIndex` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Loaded {
    url: String,
    jobs: usize,
    dimension: usize,
    bytes: usize,
    line_vectors: bool,
    model_id: String,
    weights_format: String,
    /// `cache` or `network`.
    source: &'static str,
    /// Whether the file is now in the Cache API store.
    cached: bool,
    /// A cached copy failed verification and was fetched again.
    evicted: bool,
    read_ms: f64,
    verify_ms: f64,
    total_ms: f64,
}

/// Checks the bytes (checksum, format) and, once a model is loaded, its identity.
fn parse(bytes: &[u8]) -> Result<JobIndex> {
    let index = JobIndex::from_bytes_any_model(bytes)?;
    if let Some(expected) = identity() {
        index.identity().check(&expected)?;
    }
    Ok(index)
}

/// `loadIndex({url})`: loads, verifies and keeps an index under its URL.
pub async fn load(request: &Request) -> Result<Reply> {
    let args: LoadArgs = request.args()?;
    let url = args.url;
    let t0 = now_ms();
    let mut cache = ModelCache::open().await;
    let mut evicted = false;
    let mut found = None;
    if let Some(bytes) = cache.get(&url).await {
        let t1 = now_ms();
        match parse(&bytes) {
            Ok(index) => found = Some((index, bytes.len(), "cache", t1 - t0, now_ms() - t1)),
            Err(_) => {
                cache.delete(&url).await;
                evicted = true;
            }
        }
    }
    let (index, bytes, source, read_ms, verify_ms) = match found {
        Some(hit) => hit,
        None => {
            let t1 = now_ms();
            let response = fetch::get(&url, false).await?;
            let total = response
                .headers()
                .get("content-length")
                .ok()
                .flatten()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
            let body = fetch::read_body(&url, &url, &response, MAX_INDEX_BYTES, |loaded| {
                protocol::post_progress(Some(&url), loaded, total.max(loaded));
            })
            .await?;
            let t2 = now_ms();
            let index = parse(&body)?;
            let verify_ms = now_ms() - t2;
            // A storage failure leaves the index in memory only; `cached` says so.
            let _ = cache.put(&url, &body, "application/octet-stream").await;
            (index, body.len(), "network", t2 - t1, verify_ms)
        }
    };
    let loaded = Loaded {
        url: url.clone(),
        jobs: index.len(),
        dimension: index.dim(),
        bytes,
        line_vectors: index.has_line_vectors(),
        model_id: index.identity().model_id.clone(),
        weights_format: index.identity().weights_format.clone(),
        source,
        cached: cache.is_open(),
        evicted,
        read_ms,
        verify_ms,
        total_ms: now_ms() - t0,
    };
    INDEXES.with(|m| m.borrow_mut().insert(url, Rc::new(index)));
    Reply::serialize(&loaded)
}

fn loaded_index(url: &str) -> Result<Rc<JobIndex>> {
    INDEXES
        .with(|m| m.borrow().get(url).cloned())
        .ok_or_else(|| {
            Error::bad_input(format!("no index loaded from {url}; call loadIndex first"))
        })
}

/// `rankIndex` arguments.
#[derive(Debug, Deserialize)]
struct RankArgs {
    resume: String,
    /// The URL the index was loaded from.
    index: String,
    #[serde(default = "default_top")]
    top: usize,
    /// Attach the full report to the first `reports` jobs (default: all).
    reports: Option<usize>,
    /// Keep jobs whose metadata field contains the value (case-insensitive), for every
    /// entry: `{location: "remote", field: "nursing"}`; `ids: [...]` keeps those ids.
    /// (`Option`: an `undefined` from JS reads as `None`, not as a map.)
    filter: Option<HashMap<String, serde_json::Value>>,
}

fn default_top() -> usize {
    10
}

/// Whether a job passes a `{name: value}` filter.
fn keep(job: &JobMeta, filter: &HashMap<String, serde_json::Value>) -> bool {
    filter.iter().all(|(key, want)| {
        if key == "ids" {
            return want
                .as_array()
                .is_none_or(|ids| ids.iter().any(|v| v.as_str() == Some(job.id.as_str())));
        }
        let have = match key.as_str() {
            "id" => Some(job.id.clone()),
            "title" => Some(job.title.clone()),
            "company" => Some(job.company.clone()),
            "location" => Some(job.location.clone()),
            "url" => Some(job.url.clone()),
            "text" => Some(job.text.clone()),
            other => job.extra.get(other).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        };
        let want = match want {
            serde_json::Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        have.is_some_and(|h| h.to_lowercase().contains(&want.to_lowercase()))
    })
}

/// One job of a `rankIndex` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RankedJob<'a> {
    index: usize,
    id: &'a str,
    title: &'a str,
    company: &'a str,
    location: &'a str,
    url: &'a str,
    score: f32,
    similarity: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a MatchReport>,
}

/// `rankIndex` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Ranking<'a> {
    jobs: Vec<RankedJob<'a>>,
    /// Jobs in the index.
    searched: usize,
    /// Milliseconds for the whole ranking: resume embedding, search, reports.
    ms: f64,
    /// Milliseconds for one search over every row.
    search_ms: f64,
}

/// `rankIndex({resume, index, top, reports, filter})`: jobs best first, with reports.
pub fn rank(encoder: &Encoder, request: &Request) -> Result<Reply> {
    let args: RankArgs = request.args()?;
    let index = loaded_index(&args.index)?;
    if let Some(expected) = identity() {
        index.identity().check(&expected)?;
    }
    let t0 = now_ms();
    let options = RankOptions {
        top: args.top,
        shortlist: 0,
    };
    let ranked = rank_index(encoder, &args.resume, &index, options, |_, job| {
        args.filter.as_ref().is_none_or(|f| keep(job, f))
    })?;
    let reports = args.reports.unwrap_or(usize::MAX);
    let jobs = ranked
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let job = index.jobs().get(r.index)?;
            Some(RankedJob {
                index: r.index,
                id: &job.id,
                title: &job.title,
                company: &job.company,
                location: &job.location,
                url: &job.url,
                score: r.score,
                similarity: r.similarity,
                report: (i < reports).then_some(&r.report),
            })
        })
        .collect();
    let ms = now_ms() - t0;
    // The search alone, timed once more with a stored vector as the query (the rest of `ms`
    // is embedding the resume and the reports).
    let probe = ranked.first().and_then(|r| index.vector(r.index));
    let t1 = now_ms();
    if let Some(q) = probe {
        index.search(&q, args.top)?;
    }
    let search_ms = now_ms() - t1;
    Reply::serialize(&Ranking {
        jobs,
        searched: index.len(),
        ms,
        search_ms,
    })
}

/// `benchIndex` arguments.
#[derive(Debug, Deserialize)]
struct BenchArgs {
    index: String,
    #[serde(default = "default_queries")]
    queries: usize,
    #[serde(default = "default_top")]
    top: usize,
}

fn default_queries() -> usize {
    20
}

/// `benchIndex({index, queries, top})`: times brute-force searches over every row with the
/// index's own vectors as queries (no model needed); milliseconds per search.
pub fn bench(request: &Request) -> Result<Reply> {
    let args: BenchArgs = request.args()?;
    let index = loaded_index(&args.index)?;
    if index.is_empty() {
        return Err(Error::bad_input("the index holds no job"));
    }
    let mut times = Vec::new();
    let mut first = 0usize;
    for q in 0..args.queries.max(1) {
        let query = index
            .vector(q * 7919 % index.len())
            .unwrap_or_else(|| vec![0.0; index.dim()]);
        let t = now_ms();
        let hits = index.search(&query, args.top)?;
        times.push(now_ms() - t);
        first += hits.first().map_or(0, |h| h.index);
    }
    #[derive(Serialize)]
    struct BenchResult {
        jobs: usize,
        searches: usize,
        ms: crate::stats::Summary,
        checksum: usize,
    }
    Reply::serialize(&BenchResult {
        jobs: index.len(),
        searches: times.len(),
        ms: crate::stats::Summary::of(&times)
            .ok_or_else(|| Error::bad_input("no search was timed"))?,
        checksum: first,
    })
}
