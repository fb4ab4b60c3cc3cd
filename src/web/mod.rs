//! The browser side: a Web Worker runtime over the platform-free core (wasm32 only).
//!
//! `pkg/worker.js` initialises the wasm module and calls [`run_worker`] (`runWorker` in JS),
//! which takes over the worker's message port. From then on the page talks to the worker
//! with the message protocol documented in `docs/protocol.md`:
//!
//! * [`runtime`]: the message loop, dispatch of `{id, op, args}` requests, typed replies;
//! * [`protocol`]: request parsing and the shape of replies and events;
//! * [`files`]: the model's `manifest.json` and its files, each verified before use;
//! * [`cache`]: the Cache API store (`cvmatch-v1`, keyed by file URL), falling back to memory;
//! * [`fetch`]: streamed downloads with progress and rejection of HTML or opaque answers;
//! * [`index_ops`]: the precomputed job index: `loadIndex`, `rankIndex`, `benchIndex`;
//! * [`index_build_ops`]: building one: `indexBuildPart`, `indexMerge` (the npm CLI);
//! * [`ops`]: what the worker computes (`embed`, `health`, …) once the encoder is loaded;
//! * [`resume_cache`]: the current resume, prepared once (`prepare`) for every check.
//!
//! Nothing here knows BERT: the encoder is built with [`crate::model::Encoder::from_bytes`].

pub mod cache;
pub mod document_ops;
pub mod fetch;
pub mod files;
pub mod index_build_ops;
pub mod index_ops;
pub mod ops;
pub mod protocol;
pub mod resume_cache;
pub mod runtime;

pub use runtime::run_worker;

use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the worker started (`performance.now()`), 0 where unavailable.
pub(crate) fn now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|g| g.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// The best human-readable message a thrown JS value carries.
pub(crate) fn js_message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    format!("{value:?}")
}

/// The `name` of a thrown DOMException or Error (`QuotaExceededError`, `TypeError`, …).
pub(crate) fn js_error_name(value: &JsValue) -> String {
    js_sys::Reflect::get(value, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default()
}
