//! Streamed downloads: `fetch` a URL, read its body chunk by chunk with progress, and
//! reject what cannot be the file asked for (an HTML page, an opaque answer, an error
//! status, more bytes than the manifest lists).

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ReadableStreamDefaultReader, RequestCache, RequestInit, Response, ResponseType,
    WorkerGlobalScope,
};

use crate::error::{Error, Result};
use crate::web::js_message;

/// The worker's global scope, or an error outside a worker.
pub(crate) fn scope() -> Result<WorkerGlobalScope> {
    js_sys::global()
        .dyn_into::<WorkerGlobalScope>()
        .map_err(|_| Error::bad_input("cvmatch's web runtime runs only inside a Web Worker"))
}

/// Whether bytes start like an HTML document (`<!doctype` or `<html`, after blanks/BOM).
pub fn looks_like_html(prefix: &[u8]) -> bool {
    let start = prefix
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(prefix);
    let trimmed: Vec<u8> = start
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(9)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    trimmed.starts_with(b"<!doctype") || trimmed.starts_with(b"<html")
}

/// Rejects answers that are not a model file: network errors, opaque responses, error
/// statuses and `text/html` bodies.
pub(crate) fn check_response(url: &str, response: &Response) -> Result<()> {
    let network = |message: String| Error::Network {
        url: url.to_string(),
        message,
    };
    match response.type_() {
        ResponseType::Opaque | ResponseType::Opaqueredirect => {
            return Err(network(
                "the answer is opaque (a cross-origin server without CORS headers?)".into(),
            ))
        }
        ResponseType::Error => return Err(network("the answer is a network error".into())),
        _ => {}
    }
    if !response.ok() {
        return Err(network(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.contains("text/html") {
        return Err(Error::HtmlResponse {
            url: url.to_string(),
        });
    }
    Ok(())
}

/// Sends a GET request; `no_cache` revalidates with the server instead of trusting the
/// browser's HTTP cache (used for `manifest.json`).
pub(crate) async fn get(url: &str, no_cache: bool) -> Result<Response> {
    let init = RequestInit::new();
    if no_cache {
        init.set_cache(RequestCache::NoCache);
    }
    let promise = scope()?.fetch_with_str_and_init(url, &init);
    let value = JsFuture::from(promise).await.map_err(|e| Error::Network {
        url: url.to_string(),
        message: js_message(&e),
    })?;
    let response: Response = value.dyn_into().map_err(|_| Error::Network {
        url: url.to_string(),
        message: "fetch did not return a Response".into(),
    })?;
    check_response(url, &response)?;
    Ok(response)
}

/// The response's `content-length`, when it is a number.
pub(crate) fn content_length(response: &Response) -> Option<u64> {
    response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Reads a checked response's body in chunks, calling `progress(loaded)` after each,
/// and stops with an error as soon as it holds more than `max_bytes` or starts like HTML.
///
/// Memory is reserved for `expected` bytes when given (a manifest entry's size), else for
/// the response's `content-length` when it is at most `max_bytes`, else not at all: a
/// limit is never reserved up front (wasm memory once grown is never returned).
pub(crate) async fn read_body(
    url: &str,
    name: &str,
    response: &Response,
    max_bytes: u64,
    expected: Option<u64>,
    mut progress: impl FnMut(u64),
) -> Result<Vec<u8>> {
    let network = |message: String| Error::Network {
        url: url.to_string(),
        message,
    };
    let Some(body) = response.body() else {
        return Ok(Vec::new());
    };
    let reader = ReadableStreamDefaultReader::new(&body).map_err(|e| network(js_message(&e)))?;
    let hint = expected.or_else(|| content_length(response)).unwrap_or(0);
    let capacity = usize::try_from(hint.min(max_bytes)).unwrap_or(0);
    let mut bytes: Vec<u8> = Vec::with_capacity(capacity);
    let mut sniffed = false;
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|e| network(format!("download interrupted: {}", js_message(&e))))?;
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&step, &JsValue::from_str("value")).unwrap_or(JsValue::NULL);
        let Some(chunk) = value.dyn_ref::<Uint8Array>() else {
            return Err(network("the body stream yielded a non-byte chunk".into()));
        };
        let start = bytes.len();
        let len = chunk.length() as usize;
        if start as u64 + len as u64 > max_bytes {
            let _ = reader.cancel();
            if !sniffed && looks_like_html(&chunk.to_vec()) {
                return Err(Error::HtmlResponse {
                    url: url.to_string(),
                });
            }
            return Err(Error::Integrity {
                name: name.to_string(),
                expected: format!("{max_bytes} bytes"),
                actual: "a longer download".into(),
            });
        }
        bytes.resize(start + len, 0);
        chunk.copy_to(&mut bytes[start..]);
        if !sniffed && !bytes.is_empty() {
            sniffed = true;
            if looks_like_html(&bytes[..bytes.len().min(64)]) {
                let _ = reader.cancel();
                return Err(Error::HtmlResponse {
                    url: url.to_string(),
                });
            }
        }
        progress(bytes.len() as u64);
    }
    Ok(bytes)
}
