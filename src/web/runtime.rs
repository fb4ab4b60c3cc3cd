//! The worker's message loop: reads `{id, op, args}` requests, dispatches them, and answers
//! each with exactly one reply carrying the same id.
//!
//! State (the encoder, the load profile, usage counters) lives here, in the worker, for the
//! worker's lifetime. Requests run in arrival order; `load` is the only one that waits on
//! the network, and the others answer `bad_input` until it has finished.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::error::{Error, Result};
use crate::index::IndexIdentity;
use crate::model::Encoder;
use crate::web::cache::{self, ModelCache};
use crate::web::files::{self, FileProfile, ManifestProfile};
use crate::web::now_ms;
use crate::web::ops::{self, Usage};
use crate::web::protocol::{self, Reply, Request};
use crate::web::resume_cache::{ResumeCache, ResumeCacheStats};
use crate::web::{index_build_ops, index_ops};

/// `load` arguments.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoadArgs {
    /// Absolute URL of the model directory (the one holding `manifest.json`).
    model_url: String,
    /// Weights format name from the manifest.
    #[serde(default = "default_weights")]
    weights: String,
    /// The expected sha256 of `manifest.json` (a site serving another model than the one
    /// pinned in the package); see [`files::Trust`].
    #[serde(default)]
    manifest_sha256: Option<String>,
}

fn default_weights() -> String {
    "q8".into()
}

/// Where the time and bytes of a model load went; posted in the `ready` event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadProfile {
    /// The model directory URL.
    pub model_url: String,
    /// The model's identity from the manifest.
    pub model_id: String,
    /// Embedding dimension.
    pub dimension: usize,
    /// Tokens per text the model sees.
    pub max_seq_length: usize,
    /// Weights format loaded.
    pub weights: String,
    /// Whether every model file is now in the Cache API store.
    pub cached: bool,
    /// Why not, when not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_note: Option<String>,
    /// Milliseconds to fetch, compile and instantiate the wasm module (from `worker.js`).
    pub wasm_init_ms: f64,
    /// How `manifest.json` was obtained.
    pub manifest: ManifestProfile,
    /// How each file was obtained.
    pub files: Vec<FileProfile>,
    /// Bytes downloaded for model files.
    pub network_bytes: u64,
    /// Bytes read from the cache.
    pub cache_bytes: u64,
    /// Milliseconds reading files (cache or network).
    pub read_ms: f64,
    /// Milliseconds verifying sizes and sha256.
    pub verify_ms: f64,
    /// Milliseconds storing files in the cache.
    pub store_ms: f64,
    /// Milliseconds parsing configs and weights and building the network.
    pub build_ms: f64,
    /// Milliseconds for the first embedding (one short text).
    pub first_encode_ms: f64,
    /// Milliseconds from the `load` request to ready.
    pub total_ms: f64,
}

#[derive(Default)]
struct State {
    encoder: Option<Rc<Encoder>>,
    profile: Option<LoadProfile>,
    loading: bool,
    usage: Usage,
    wasm_init_ms: f64,
    /// The current resume, prepared (`prepare`, `score`, `explain`, `rank`).
    resumes: ResumeCache,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Takes over the worker: answers every message from now on, after those `queued` (an
/// array of message data that arrived while the wasm module was initialising).
/// `wasm_init_ms` is how long that initialisation took, for the load profile.
#[wasm_bindgen(js_name = runWorker)]
pub fn run_worker(queued: JsValue, wasm_init_ms: f64) -> std::result::Result<(), JsValue> {
    STATE.with(|s| s.borrow_mut().wasm_init_ms = wasm_init_ms);
    let scope: DedicatedWorkerGlobalScope = js_sys::global().dyn_into()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        handle(event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler must live as long as the worker: hand its ownership to JS.
    on_message.forget();
    if let Some(queued) = queued.dyn_ref::<js_sys::Array>() {
        for data in queued.iter() {
            handle(data);
        }
    }
    Ok(())
}

fn handle(data: JsValue) {
    let request = match Request::parse(&data) {
        Ok(r) => r,
        Err((id, error)) => return protocol::post_error(&id, &error),
    };
    wasm_bindgen_futures::spawn_local(async move {
        match dispatch(&request).await {
            Ok(reply) => protocol::post_ok(&request.id, reply),
            Err(error) => protocol::post_error(&request.id, &error),
        }
    });
}

fn encoder() -> Result<Rc<Encoder>> {
    STATE.with(|s| {
        let s = s.borrow();
        s.encoder.clone().ok_or_else(|| {
            Error::bad_input(if s.loading {
                "the model is still loading; wait for the ready event"
            } else {
                "no model is loaded; send `load` first"
            })
        })
    })
}

async fn dispatch(request: &Request) -> Result<Reply> {
    match request.op.as_str() {
        "load" => load(request.args()?).await,
        "embed" => {
            let encoder = encoder()?;
            STATE.with(|s| ops::embed(&encoder, request, &mut s.borrow_mut().usage))
        }
        "health" => {
            let encoder = encoder()?;
            let (model_id, weights) = STATE.with(|s| {
                let s = s.borrow();
                s.profile
                    .as_ref()
                    .map(|p| (p.model_id.clone(), p.weights.clone()))
                    .unwrap_or_default()
            });
            Reply::serialize(&ops::health(&encoder, &model_id, &weights)?)
        }
        "prepare" => {
            let encoder = encoder()?;
            STATE.with(|s| ops::prepare(&encoder, request, &mut s.borrow_mut().resumes))
        }
        "score" | "explain" => {
            let encoder = encoder()?;
            STATE.with(|s| ops::score(&encoder, request, &mut s.borrow_mut().resumes))
        }
        "rank" => {
            let encoder = encoder()?;
            STATE.with(|s| ops::rank(&encoder, request, &mut s.borrow_mut().resumes))
        }
        "rankCandidates" => ops::rank_candidates(encoder()?.as_ref(), request),
        "lexicalScore" => ops::lexical_score(request),
        "read_document" => crate::web::document_ops::read_document(request),
        "loadIndex" => index_ops::load(request).await,
        "rankIndex" => {
            let encoder = encoder()?;
            STATE.with(|s| index_ops::rank(&encoder, request, &mut s.borrow_mut().resumes))
        }
        "benchIndex" => index_ops::bench(request),
        "indexBuildPart" | "indexMerge" => index_build_ops::dispatch(request, encoder),
        "profile" => STATE.with(|s| {
            let s = s.borrow();
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Padding {
                batches: u64,
                tokens: u64,
                padded_tokens: u64,
                /// Share of the computed tokens that were padding.
                waste: f64,
            }
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct ProfileReply<'a> {
                load: Option<&'a LoadProfile>,
                usage: &'a Usage,
                /// Size of this worker's wasm linear memory (it only grows).
                memory_bytes: f64,
                /// The module's build: `relaxed` (relaxed SIMD), `baseline` (simd128) or
                /// `none` (scripts/build_wasm.sh).
                simd: &'static str,
                /// Padding the encoder computed since the model loaded.
                padding: Option<Padding>,
                /// The prepared-resume cache's hits and misses.
                resume_cache: ResumeCacheStats,
            }
            let padding = s.encoder.as_ref().map(|e| {
                let p = e.padding();
                Padding {
                    batches: p.batches,
                    tokens: p.tokens,
                    padded_tokens: p.padded_tokens,
                    waste: p.waste(),
                }
            });
            Reply::serialize(&ProfileReply {
                load: s.profile.as_ref(),
                usage: &s.usage,
                memory_bytes: wasm_memory_bytes(),
                simd: if cfg!(target_feature = "relaxed-simd") {
                    "relaxed"
                } else if cfg!(target_feature = "simd128") {
                    "baseline"
                } else {
                    "none"
                },
                padding,
                resume_cache: s.resumes.stats(),
            })
        }),
        "clearCache" => {
            #[derive(Serialize)]
            struct Cleared {
                deleted: bool,
            }
            Reply::serialize(&Cleared {
                deleted: cache::clear().await?,
            })
        }
        other => Err(Error::bad_input(format!("unknown op {other:?}"))),
    }
}

/// Resets the `loading` flag however a load ends.
struct LoadingGuard;

impl Drop for LoadingGuard {
    fn drop(&mut self) {
        STATE.with(|s| s.borrow_mut().loading = false);
    }
}

async fn load(args: LoadArgs) -> Result<Reply> {
    let already = STATE.with(|s| std::mem::replace(&mut s.borrow_mut().loading, true));
    if already {
        return Err(Error::bad_input("a model is already loading"));
    }
    let _guard = LoadingGuard;
    let t0 = now_ms();
    let mut base = args.model_url.clone();
    if !base.ends_with('/') {
        base.push('/');
    }
    let trust = files::Trust::new(args.manifest_sha256.as_deref())?;
    let mut cache = ModelCache::open().await;
    let mut on_progress = |file: Option<&str>, loaded: u64, total: u64| {
        protocol::post_progress(file, loaded, total);
    };
    let loaded =
        files::load_model(&base, &args.weights, &trust, &mut cache, &mut on_progress).await?;
    index_ops::set_identity(IndexIdentity::from_manifest(&loaded.manifest, &args.weights).ok());
    let t1 = now_ms();
    let encoder = Encoder::from_bytes(loaded.model_files()?)?;
    let t2 = now_ms();
    encoder.encode(&["cvmatch warm-up"])?;
    let t3 = now_ms();

    let files = loaded.file_profiles;
    let sum = |f: &dyn Fn(&FileProfile) -> f64| files.iter().map(f).sum::<f64>();
    let bytes_from = |source: &str| {
        files
            .iter()
            .filter(|f| f.source == source)
            .map(|f| f.bytes)
            .sum()
    };
    let cached = cache.is_open() && files.iter().all(|f| f.cached);
    let profile = LoadProfile {
        model_url: base,
        model_id: loaded.manifest.model_id.clone(),
        dimension: encoder.dim(),
        max_seq_length: encoder.spec().max_seq_length,
        weights: args.weights,
        cached,
        cache_note: cache.unavailable.clone(),
        wasm_init_ms: STATE.with(|s| s.borrow().wasm_init_ms),
        manifest: loaded.manifest_profile,
        network_bytes: bytes_from("network"),
        cache_bytes: bytes_from("cache"),
        read_ms: sum(&|f| f.ms),
        verify_ms: sum(&|f| f.verify_ms),
        store_ms: sum(&|f| f.store_ms),
        build_ms: t2 - t1,
        first_encode_ms: t3 - t2,
        total_ms: t3 - t0,
        files,
    };
    let profile_js = protocol::to_js(&profile)?;
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.encoder = Some(Rc::new(encoder));
        s.profile = Some(profile);
        s.resumes.clear();
    });
    protocol::post_ready(&profile_js, cached);
    Ok(Reply::value(profile_js))
}

/// Bytes of this module's linear memory (weights, activations, allocator slack).
fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0.0, |b| f64::from(b.byte_length()))
        })
        .unwrap_or(0.0)
}
