//! The job index in the worker: `loadIndex` (through the same Cache API store as the model
//! files: cached copy verified before use, else a streamed download with progress, verified,
//! then stored), `rankIndex` (resume against an index, with reports) and `benchIndex`.
//!
//! An index verifies itself: its sha256 trailer covers every byte, and its header names the
//! model and weights hash, compared with the loaded model's before any ranking.
//!
//! A cached index is revalidated on every `loadIndex`: the worker asks for a small listing
//! served beside it, `<index>.sha256` (the file's sha256 in hex, as `sha256sum` prints it),
//! and uses the cached copy only when its hash is that one; otherwise it downloads the index
//! again. Without a listing (404, offline) the cached copy is used and the result says
//! `revalidated: false`. Index entries are stored under `<url>?cvx-sha256=<hex>`: only such
//! keys are ever deleted here, so pointing `loadIndex` at a model file cannot evict the model.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::{rank_prepared, IndexIdentity, JobIndex, JobMeta, RankOptions};
use crate::matching::MatchReport;
use crate::model::Encoder;
use crate::web::cache::ModelCache;
use crate::web::protocol::{self, Reply, Request};
use crate::web::resume_cache::ResumeCache;
use crate::web::{fetch, files, now_ms};

use crate::limits::{MAX_INDEX_BYTES, MAX_INDEX_LISTING_BYTES};

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
    /// Whether the cached copy was checked against the `<index>.sha256` listing.
    revalidated: bool,
    /// sha256 of the index file.
    sha256: String,
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

/// The Cache API key of an index with content hash `sha256`.
fn index_key(url: &str, sha256: &str) -> String {
    format!("{}{sha256}", index_key_prefix(url))
}

/// Every stored version of the index at `url` starts with this.
fn index_key_prefix(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}cvx-sha256=")
}

/// The hash `<url>.sha256` lists, or `None` when there is no usable listing.
async fn listed_sha256(url: &str) -> Option<String> {
    let listing_url = match url.split_once('?') {
        Some((path, query)) => format!("{path}.sha256?{query}"),
        None => format!("{url}.sha256"),
    };
    let response = fetch::get(&listing_url, true).await.ok()?;
    let body = fetch::read_body(
        &listing_url,
        &listing_url,
        &response,
        MAX_INDEX_LISTING_BYTES,
        None,
        |_| {},
    )
    .await
    .ok()?;
    let text = std::str::from_utf8(&body).ok()?;
    let hex = text.split_whitespace().next()?.to_ascii_lowercase();
    crate::manifest::is_sha256_hex(&hex).then_some(hex)
}

/// `loadIndex({url})`: loads, verifies and keeps an index under its URL.
pub async fn load(request: &Request) -> Result<Reply> {
    let args: LoadArgs = request.args()?;
    let url = args.url;
    let t0 = now_ms();
    let listed = listed_sha256(&url).await;
    let mut cache = ModelCache::open().await;
    let stored = cache.keys_with_prefix(&index_key_prefix(&url)).await;
    // the listed version, or without a listing the version stored last time
    let candidate = match &listed {
        Some(hex) => Some(index_key(&url, hex)),
        None => stored.first().cloned(),
    };
    let mut evicted = false;
    let mut found = None;
    if let Some(key) = &candidate {
        if let Some(bytes) = cache.get(key).await {
            let t1 = now_ms();
            let want = key.rsplit('=').next().unwrap_or_default().to_string();
            let hex = files::sha256(&bytes).await;
            match (hex == want).then(|| parse(&bytes)) {
                Some(Ok(index)) => {
                    found = Some((index, bytes.len(), hex, "cache", t1 - t0, now_ms() - t1))
                }
                // a corrupt copy or one from another model: only index keys are deleted
                _ => {
                    cache.delete(key).await;
                    evicted = true;
                }
            }
        }
    }
    let revalidated = listed.is_some();
    let (index, bytes, sha256, source, read_ms, verify_ms) = match found {
        Some(hit) => hit,
        None => {
            let t1 = now_ms();
            // a listing that names another version means the HTTP cache may be stale too
            let response = fetch::get(&url, listed.is_some()).await?;
            let total = fetch::content_length(&response).unwrap_or(0);
            let body = fetch::read_body(&url, &url, &response, MAX_INDEX_BYTES, None, |loaded| {
                protocol::post_progress(Some(&url), loaded, total.max(loaded));
            })
            .await?;
            let t2 = now_ms();
            let hex = files::sha256(&body).await;
            if let Some(want) = &listed {
                if *want != hex {
                    return Err(Error::Integrity {
                        name: url.clone(),
                        expected: format!("sha256 {want} (listed in {url}.sha256)"),
                        actual: format!("sha256 {hex}"),
                    });
                }
            }
            let index = parse(&body)?;
            let verify_ms = now_ms() - t2;
            // A storage failure leaves the index in memory only; `cached` says so.
            let key = index_key(&url, &hex);
            if cache
                .put(&key, &body, "application/octet-stream")
                .await
                .is_ok()
            {
                // older versions of this index (never anything else)
                for old in stored.iter().filter(|k| **k != key) {
                    cache.delete(old).await;
                }
            }
            (index, body.len(), hex, "network", t2 - t1, verify_ms)
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
        revalidated,
        sha256,
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
    /// Jobs the caller wants ranked with their texts: those missing from the index (a job
    /// added to the board after the index was built) are scored from the text instead.
    jobs: Option<Vec<TextJob>>,
}

/// A job given with its text to `rankIndex`.
#[derive(Debug, Deserialize)]
struct TextJob {
    id: String,
    text: String,
    #[serde(default)]
    title: String,
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
    /// Position in the index (absent for a job ranked from its text).
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    /// Whether the job was missing from the index and scored from the text given.
    from_text: bool,
    id: &'a str,
    title: &'a str,
    company: &'a str,
    location: &'a str,
    url: &'a str,
    score: f32,
    /// Approximate cosine from the index search (absent for a job ranked from its text).
    #[serde(skip_serializing_if = "Option::is_none")]
    similarity: Option<f32>,
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
    /// Ids asked for (in `filter.ids` or `jobs`) that are not in the index and came without
    /// a text: named here, never an error.
    missing: Vec<String>,
    /// Milliseconds for the whole ranking: resume embedding, search, reports.
    ms: f64,
    /// Milliseconds for one search over every row.
    search_ms: f64,
}

/// `rankIndex({resume, index, top, reports, filter})`: jobs best first, with reports. The
/// resume is taken from (or put into) `resumes`, so a resume the page prepared (or checked
/// before) is not embedded again: only the jobs the index lacks are.
pub fn rank(encoder: &Encoder, request: &Request, resumes: &mut ResumeCache) -> Result<Reply> {
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
    let (resume, _) = resumes.get_or_prepare(encoder, &args.resume)?;
    let ranked = rank_prepared(encoder, &resume, &index, options, |_, job| {
        args.filter.as_ref().is_none_or(|f| keep(job, f))
    })?;
    let reports = args.reports.unwrap_or(usize::MAX);
    // ids asked for that the index lacks: scored from their text when given, else named
    let in_index: std::collections::HashSet<&str> =
        index.jobs().iter().map(|j| j.id.as_str()).collect();
    let mut wanted: Vec<&str> = Vec::new();
    if let Some(ids) = args
        .filter
        .as_ref()
        .and_then(|f| f.get("ids"))
        .and_then(|v| v.as_array())
    {
        wanted.extend(ids.iter().filter_map(|v| v.as_str()));
    }
    let texts: &[TextJob] = args.jobs.as_deref().unwrap_or(&[]);
    crate::limits::check_jobs_per_request(texts.len(), "jobs with texts")?;
    wanted.extend(texts.iter().map(|j| j.id.as_str()));
    let mut seen = std::collections::HashSet::new();
    wanted.retain(|id| !in_index.contains(id) && seen.insert(*id));
    let mut from_text = Vec::new();
    let mut missing = Vec::new();
    for id in wanted {
        match texts.iter().find(|j| j.id == id) {
            Some(job) => {
                let report = crate::matching::score_prepared(encoder, &resume, &job.text)?;
                from_text.push((job, report));
            }
            None => missing.push(id.to_string()),
        }
    }
    let mut jobs: Vec<RankedJob> = ranked
        .iter()
        .filter_map(|r| {
            let job = index.jobs().get(r.index)?;
            Some(RankedJob {
                index: Some(r.index),
                from_text: false,
                id: &job.id,
                title: &job.title,
                company: &job.company,
                location: &job.location,
                url: &job.url,
                score: r.score,
                similarity: Some(r.similarity),
                report: Some(&r.report),
            })
        })
        .collect();
    jobs.extend(from_text.iter().map(|(job, report)| RankedJob {
        index: None,
        from_text: true,
        id: &job.id,
        title: &job.title,
        company: "",
        location: "",
        url: "",
        score: report.score,
        similarity: None,
        report: Some(report),
    }));
    // best first (a stable sort keeps the index's order among equal scores), at most `top`
    jobs.sort_by(|a, b| b.score.total_cmp(&a.score));
    jobs.truncate(crate::limits::clamp_top(args.top, jobs.len()));
    for (i, job) in jobs.iter_mut().enumerate() {
        if i >= reports {
            job.report = None;
        }
    }
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
        missing,
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
