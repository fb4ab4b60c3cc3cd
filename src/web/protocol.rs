//! The page ↔ worker message shapes (documented for users in `docs/protocol.md`).
//!
//! * request: `{id, op, args}`;
//! * reply: `{id, ok: true, result}` or `{id, ok: false, error: {code, message}}`;
//! * events: `{type: "progress", file, loaded, total}` (`file: null` for the overall
//!   figure) and `{type: "ready", profile, cached}`.

use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::DedicatedWorkerGlobalScope;

use crate::error::{Error, Result};
use crate::web::js_message;

/// One request from the page.
#[derive(Debug)]
pub struct Request {
    /// The page's id for the request, echoed in the reply (any JS value).
    pub id: JsValue,
    /// The operation name.
    pub op: String,
    /// The operation's arguments (`undefined` when absent).
    pub args: JsValue,
}

fn field(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

impl Request {
    /// Reads `{id, op, args}`; the error keeps whatever id could be read.
    pub fn parse(data: &JsValue) -> std::result::Result<Self, (JsValue, Error)> {
        if !data.is_object() {
            return Err((
                JsValue::NULL,
                Error::bad_input("a request must be an object {id, op, args}"),
            ));
        }
        let id = field(data, "id");
        let Some(op) = field(data, "op").as_string() else {
            return Err((id, Error::bad_input("a request needs a string `op`")));
        };
        Ok(Self {
            id,
            op,
            args: field(data, "args"),
        })
    }

    /// Deserialises the arguments into `T` (`undefined` reads as `{}`).
    pub fn args<T: DeserializeOwned>(&self) -> Result<T> {
        let args = if self.args.is_undefined() || self.args.is_null() {
            Object::new().into()
        } else {
            self.args.clone()
        };
        serde_wasm_bindgen::from_value(args)
            .map_err(|e| Error::bad_input(format!("{}: bad arguments: {e}", self.op)))
    }
}

/// A successful result: a JS value and the buffers to transfer with it.
#[derive(Debug)]
pub struct Reply {
    /// The `result` field.
    pub result: JsValue,
    /// ArrayBuffers moved (not copied) to the page.
    pub transfer: Option<Array>,
}

impl Reply {
    /// A result with nothing to transfer.
    pub fn value(result: JsValue) -> Self {
        Self {
            result,
            transfer: None,
        }
    }

    /// A result serialised from a Rust value as plain JS objects (maps become objects).
    pub fn serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self> {
        to_js(value).map(Self::value)
    }
}

/// Serialises a Rust value into plain JS objects and arrays.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::bad_input(format!("cannot serialise the result: {e}")))
}

fn object(entries: &[(&str, &JsValue)]) -> Object {
    let obj = Object::new();
    for (k, v) in entries {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&obj, &JsValue::from_str(k), v);
    }
    obj
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

fn post(message: &JsValue, transfer: Option<&Array>) {
    let Some(scope) = scope() else { return };
    let sent = match transfer {
        Some(t) => scope.post_message_with_transfer(message, t),
        None => scope.post_message(message),
    };
    if let Err(e) = sent {
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "cvmatch worker: postMessage failed: {}",
            js_message(&e)
        )));
    }
}

/// Posts `{id, ok: true, result}`, transferring the reply's buffers.
pub fn post_ok(id: &JsValue, reply: Reply) {
    let msg = object(&[
        ("id", id),
        ("ok", &JsValue::TRUE),
        ("result", &reply.result),
    ]);
    post(&msg, reply.transfer.as_ref());
}

/// Posts `{id, ok: false, error: {code, message}}`.
pub fn post_error(id: &JsValue, error: &Error) {
    let err = object(&[
        ("code", &JsValue::from_str(error.code())),
        ("message", &JsValue::from_str(&error.to_string())),
    ]);
    let msg = object(&[("id", id), ("ok", &JsValue::FALSE), ("error", &err)]);
    post(&msg, None);
}

/// Posts `{type: "progress", file, loaded, total}`; `file: null` is the overall figure.
pub fn post_progress(file: Option<&str>, loaded: u64, total: u64) {
    let file = file.map(JsValue::from_str).unwrap_or(JsValue::NULL);
    let msg = object(&[
        ("type", &JsValue::from_str("progress")),
        ("file", &file),
        ("loaded", &JsValue::from_f64(loaded as f64)),
        ("total", &JsValue::from_f64(total as f64)),
    ]);
    post(&msg, None);
}

/// Posts `{type: "ready", profile, cached}`.
pub fn post_ready(profile: &JsValue, cached: bool) {
    let msg = object(&[
        ("type", &JsValue::from_str("ready")),
        ("profile", profile),
        ("cached", &JsValue::from_bool(cached)),
    ]);
    post(&msg, None);
}
