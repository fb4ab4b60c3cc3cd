//! Building a job index in the worker, for the npm CLI (`npx cvmatch index build`) and any
//! script: the same [`IndexBuilder`] as the native `cvmatch index build`, so the file is
//! accepted by the native CLI and the browser alike.
//!
//! Two ops, so that a pool of workers can share the embedding:
//!
//! * `indexBuildPart({jobs, lineVectors})` embeds a batch of jobs (objects as in
//!   `jobs.jsonl`: `id` and `text` required, `title`, `company`, `location`, `url` known,
//!   other fields kept) with the loaded model and answers the bytes of an index of just
//!   those jobs (a `Uint8Array`, its buffer transferred);
//! * `indexMerge({parts})` joins such indexes, in order, into one (no model needed). The
//!   parts' int8 rows are read back and re-quantized: re-quantizing a dequantized row
//!   gives the same int8 values (its largest value is exactly 127 × scale), so the merged
//!   vectors equal a native build's within int8 rounding.
//!
//! Both are linear in their input: every job is embedded once and every row copied once.

use js_sys::{Array, Reflect, Uint8Array};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::{Error, Result};
use crate::index::{IndexBuilder, IndexIdentity, JobIndex, JobMeta};
use crate::model::Encoder;
use crate::web::index_ops;
use crate::web::protocol::{Reply, Request};

/// Most jobs accepted by one `indexBuildPart` (the caller cuts larger inputs in batches).
const MAX_PART_JOBS: usize = 4096;

/// `indexBuildPart` arguments.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PartArgs {
    /// The jobs, as JSON objects.
    jobs: Vec<serde_json::Value>,
    /// Store requirement-line vectors (default true, as the native CLI).
    #[serde(default = "yes")]
    line_vectors: bool,
}

fn yes() -> bool {
    true
}

/// The index bytes as a reply, their buffer transferred to the caller.
fn bytes_reply(bytes: &[u8]) -> Reply {
    let array = Uint8Array::from(bytes);
    let transfer = Array::new();
    transfer.push(&array.buffer());
    Reply {
        result: array.into(),
        transfer: Some(transfer),
    }
}

/// `indexBuildPart({jobs, lineVectors})` → the bytes of an index of these jobs.
pub fn build_part(encoder: &Encoder, request: &Request) -> Result<Reply> {
    let args: PartArgs = request.args()?;
    if args.jobs.len() > MAX_PART_JOBS {
        return Err(Error::bad_input(format!(
            "indexBuildPart takes at most {MAX_PART_JOBS} jobs per call (got {}); send batches",
            args.jobs.len()
        )));
    }
    let identity = index_ops::identity()
        .ok_or_else(|| Error::bad_input("no model is loaded; send `load` first"))?;
    let jobs = args
        .jobs
        .into_iter()
        .map(JobMeta::from_json_value)
        .collect::<Result<Vec<_>>>()?;
    let mut builder = IndexBuilder::new(identity, encoder.dim(), args.line_vectors);
    builder.add_jobs(encoder, jobs)?;
    Ok(bytes_reply(&builder.finish().to_bytes()))
}

/// `indexMerge({parts})` → the bytes of one index holding every part's jobs, in order.
pub fn merge(request: &Request) -> Result<Reply> {
    let parts = Reflect::get(&request.args, &JsValue::from_str("parts"))
        .ok()
        .and_then(|p| p.dyn_into::<Array>().ok())
        .ok_or_else(|| Error::bad_input("indexMerge: `parts` must be an array of Uint8Array"))?;
    // The builder, with part 0's identity, dimension and whether it stores line vectors.
    let mut merged: Option<(IndexBuilder, IndexIdentity, usize, bool)> = None;
    for (n, part) in parts.iter().enumerate() {
        let bytes = part
            .dyn_into::<Uint8Array>()
            .map_err(|_| Error::bad_input(format!("indexMerge: part {n} is not a Uint8Array")))?
            .to_vec();
        let index = JobIndex::from_bytes_any_model(&bytes)
            .map_err(|e| Error::Index(format!("indexMerge: part {n}: {e}")))?;
        let (builder, identity, dim, lines) = merged.get_or_insert_with(|| {
            let lines = index.has_line_vectors();
            (
                IndexBuilder::new(index.identity().clone(), index.dim(), lines),
                index.identity().clone(),
                index.dim(),
                lines,
            )
        });
        index.identity().check(identity)?;
        if index.dim() != *dim || index.has_line_vectors() != *lines {
            return Err(Error::Index(format!(
                "indexMerge: part {n} differs from part 0 in dimension or line vectors"
            )));
        }
        for (i, meta) in index.jobs().iter().enumerate() {
            let vector = index
                .vector(i)
                .ok_or_else(|| Error::Index(format!("indexMerge: part {n}: job {i} has no row")))?;
            let lines = index.line_vectors(i).unwrap_or_default();
            builder.push_vectors(meta.clone(), &vector, &lines, index.chunks(i))?;
        }
    }
    let (builder, ..) = merged.ok_or_else(|| Error::bad_input("indexMerge: `parts` is empty"))?;
    Ok(bytes_reply(&builder.finish().to_bytes()))
}

/// Runs `indexBuildPart` (with the loaded encoder) or `indexMerge` (the one dispatch arm in
/// the runtime).
pub fn dispatch(
    request: &Request,
    encoder: impl FnOnce() -> Result<std::rc::Rc<Encoder>>,
) -> Result<Reply> {
    match request.op.as_str() {
        "indexBuildPart" => build_part(encoder()?.as_ref(), request),
        "indexMerge" => merge(request),
        other => Err(Error::bad_input(format!("unknown op {other:?}"))),
    }
}
