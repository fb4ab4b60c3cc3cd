//! The Cache API store of model files: one cache per major version (`cvmatch-v1`), keyed
//! by file URL with the content hash as a query (`<url>?sha256=<hex>`, see
//! [`crate::web::files::cache_key`]; job indexes use `cvx-sha256=`, so that index upkeep can
//! never touch a model file).
//!
//! Storage is a convenience, never a requirement: when the Cache API is missing (an
//! insecure context), `caches.open` throws or rejects (some private modes, sandboxed
//! iframes), or a `put` fails (quota), the store says so in [`ModelCache::unavailable`]
//! and the model keeps loading from the network into memory.

use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, CacheStorage, Headers, Response, ResponseInit};

use crate::error::{Error, Result};
use crate::web::{fetch::scope, js_error_name, js_message};

/// The cache's name: bump the suffix when the stored layout changes incompatibly.
pub const CACHE_NAME: &str = "cvmatch-v1";

/// The model file store.
#[derive(Debug)]
pub struct ModelCache {
    cache: Option<Cache>,
    /// Why nothing is (or no longer everything is) being stored, if so.
    pub unavailable: Option<String>,
}

/// The page's `CacheStorage`, or why there is none.
fn storage() -> std::result::Result<CacheStorage, String> {
    let scope = scope().map_err(|e| e.to_string())?;
    let caches = Reflect::get(&scope, &JsValue::from_str("caches"))
        .map_err(|e| format!("caches is not readable: {}", js_message(&e)))?;
    if caches.is_undefined() || caches.is_null() {
        return Err("the Cache API is not available (insecure context?)".into());
    }
    caches
        .dyn_into::<CacheStorage>()
        .map_err(|_| "caches is not a CacheStorage".to_string())
}

impl ModelCache {
    /// Opens [`CACHE_NAME`]; never fails: an unusable Cache API gives a memory-only store.
    pub async fn open() -> Self {
        let opened = async {
            let promise = storage()?.open(CACHE_NAME);
            let cache = JsFuture::from(promise)
                .await
                .map_err(|e| format!("caches.open failed: {}", js_message(&e)))?;
            cache
                .dyn_into::<Cache>()
                .map_err(|_| "caches.open did not give a Cache".to_string())
        }
        .await;
        match opened {
            Ok(cache) => Self {
                cache: Some(cache),
                unavailable: None,
            },
            Err(reason) => Self::memory_only(reason),
        }
    }

    /// A store that keeps nothing, with the reason.
    pub fn memory_only(reason: impl Into<String>) -> Self {
        Self {
            cache: None,
            unavailable: Some(reason.into()),
        }
    }

    /// Whether the Cache API is in use.
    pub fn is_open(&self) -> bool {
        self.cache.is_some()
    }

    /// The stored bytes of `url`, or `None` on a miss or any read error.
    pub async fn get(&self, url: &str) -> Option<Vec<u8>> {
        let cache = self.cache.as_ref()?;
        let hit = JsFuture::from(cache.match_with_str(url)).await.ok()?;
        let response = hit.dyn_into::<Response>().ok()?;
        let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
        let buffer = buffer.dyn_into::<ArrayBuffer>().ok()?;
        Some(Uint8Array::new(&buffer).to_vec())
    }

    /// Stores `bytes` under `url` and waits until the browser has written them. A failure
    /// turns the store memory-only and is reported as [`Error::Storage`].
    pub async fn put(&mut self, url: &str, bytes: &[u8], content_type: &str) -> Result<()> {
        let Some(cache) = self.cache.as_ref() else {
            return Ok(());
        };
        let result = async {
            let headers = Headers::new()?;
            headers.set("content-type", content_type)?;
            headers.set("content-length", &bytes.len().to_string())?;
            let init = ResponseInit::new();
            init.set_status(200);
            init.set_headers(&headers);
            let body = Uint8Array::from(bytes);
            let response = Response::new_with_opt_buffer_source_and_init(Some(&body), &init)?;
            JsFuture::from(cache.put_with_str(url, &response)).await
        }
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let reason = if js_error_name(&e) == "QuotaExceededError" {
                    format!("storage quota exceeded while caching {url}")
                } else {
                    format!("cache.put failed for {url}: {}", js_message(&e))
                };
                self.cache = None;
                self.unavailable = Some(reason.clone());
                Err(Error::Storage(reason))
            }
        }
    }

    /// Removes `url` from the store (a failed verification); errors are ignored.
    pub async fn delete(&self, url: &str) {
        if let Some(cache) = self.cache.as_ref() {
            let _ = JsFuture::from(cache.delete_with_str(url)).await;
        }
    }
}

impl ModelCache {
    /// The URLs of the stored entries that start with `prefix` (empty on any error).
    pub async fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        let Some(cache) = self.cache.as_ref() else {
            return Vec::new();
        };
        let Ok(keys) = JsFuture::from(cache.keys()).await else {
            return Vec::new();
        };
        let Ok(keys) = keys.dyn_into::<js_sys::Array>() else {
            return Vec::new();
        };
        keys.iter()
            .filter_map(|request| {
                Reflect::get(&request, &JsValue::from_str("url"))
                    .ok()?
                    .as_string()
            })
            .filter(|url| url.starts_with(prefix))
            .collect()
    }
}

/// Deletes the whole [`CACHE_NAME`] cache; `Ok(true)` when there was one.
pub async fn clear() -> Result<bool> {
    let caches = storage().map_err(Error::Storage)?;
    let deleted = JsFuture::from(caches.delete(CACHE_NAME))
        .await
        .map_err(|e| Error::Storage(format!("caches.delete failed: {}", js_message(&e))))?;
    Ok(deleted.as_bool().unwrap_or(false))
}
