//! cvmatch's GGUF weights file: reading and writing, from and to bytes.
//!
//! Layout (GGUF v2 as written by candle): tensors under their Hugging Face names
//! (`encoder.layer.0.attention.self.query.weight`, …). The linear layers' weights are Q8_0;
//! the embeddings are f16; LayerNorm weights and all biases are f32. The metadata says what
//! the file is and carries `config.json` whole, so the BERT can be rebuilt from the file:
//!
//! | key | value |
//! | --- | --- |
//! | `general.architecture` | `"bert"` |
//! | `general.name` | the model id, e.g. `sentence-transformers/all-MiniLM-L6-v2` |
//! | `cvmatch.format` | `"q8_0"` |
//! | `cvmatch.format_version` | `1` (u32) |
//! | `cvmatch.layout` | which tensors are Q8_0, f16 and f32, in words |
//! | `cvmatch.source_sha256` | sha256 of the f32 safetensors it was made from |
//! | `bert.config_json` | the model's `config.json`, verbatim |
//! | `bert.embedding_length`, `bert.block_count`, `bert.attention.head_count`, `bert.feed_forward_length`, `bert.context_length` | u32, from config.json |
//! | `bert.attention.layer_norm_epsilon` | f32 |

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};

use crate::error::{Error, Result};

/// `cvmatch.format_version` written by this version.
pub const FORMAT_VERSION: u32 = 2;

/// A parsed GGUF weights file.
#[derive(Debug)]
pub struct GgufWeights {
    /// The metadata (see the module docs).
    pub metadata: HashMap<String, Value>,
    /// f32/f16 tensors, as f32.
    pub float: HashMap<String, Tensor>,
    /// Block-quantized tensors, as stored.
    pub quantized: HashMap<String, Arc<QTensor>>,
}

fn weights_error(file: &str, message: impl Into<String>) -> Error {
    Error::Weights {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Parses a GGUF file. A truncated or corrupt file is an [`Error::Weights`], not a panic.
pub fn read(bytes: &[u8], file: &str) -> Result<GgufWeights> {
    reject_zero_alignment(bytes, file)?;
    let corrupt = |e: candle_core::Error| {
        weights_error(
            file,
            format!(
                "not a readable GGUF file ({}); the download may be truncated",
                first_line(&e)
            ),
        )
    };
    let mut cursor = Cursor::new(bytes);
    let content = gguf_file::Content::read(&mut cursor).map_err(corrupt)?;
    match content.metadata.get("general.architecture") {
        Some(Value::String(a)) if a == "bert" => {}
        other => {
            return Err(weights_error(
                file,
                format!("general.architecture is {other:?}, expected \"bert\""),
            ))
        }
    }
    if let Some(v) = content.metadata.get("cvmatch.format_version") {
        match v.to_u32() {
            Ok(v) if v <= FORMAT_VERSION => {}
            _ => {
                return Err(weights_error(
                    file,
                    format!("cvmatch.format_version {v:?} is newer than this cvmatch reads"),
                ))
            }
        }
    }
    if content.tensor_infos.is_empty() {
        return Err(weights_error(file, "the file holds no tensors"));
    }
    let mut float = HashMap::new();
    let mut quantized = HashMap::new();
    for (name, info) in &content.tensor_infos {
        // a sane element count before anything is allocated: no format here is below
        // 4 bits per value. An empty tensor is refused too: candle would view its empty
        // (1-aligned, dangling) buffer as a slice of f32 or blocks, which is undefined
        // behaviour (a debug build aborts on it; found by tests/hostile_readers.rs).
        let elems = info
            .shape
            .dims()
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d));
        match elems {
            Some(0) => {
                return Err(weights_error(
                    file,
                    format!(
                        "tensor {name} declares shape {:?}, with no element",
                        info.shape
                    ),
                ))
            }
            Some(n) if n <= bytes.len().saturating_mul(2) => {}
            _ => {
                return Err(weights_error(
                    file,
                    format!(
                        "tensor {name} declares shape {:?}, larger than the file",
                        info.shape
                    ),
                ))
            }
        }
        let q = info
            .read(&mut cursor, content.tensor_data_offset, &Device::Cpu)
            .map_err(corrupt)?;
        match q.dtype() {
            GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => {
                float.insert(name.clone(), q.dequantize(&Device::Cpu)?);
            }
            _ => {
                quantized.insert(name.clone(), Arc::new(q));
            }
        }
    }
    Ok(GgufWeights {
        metadata: content.metadata,
        float,
        quantized,
    })
}

/// The first line of an error's message: candle appends a backtrace when `RUST_BACKTRACE`
/// is set, which is no part of a message for users.
pub(crate) fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// candle's reader divides by `general.alignment`; a zero there would panic, so it is
/// rejected first. The metadata is walked exactly as candle reads it (hand-written because
/// candle exposes no way to read the metadata without computing the data offset); the last
/// `general.alignment` wins, as in candle's map. A header this walk cannot follow is left
/// to candle, which reports it as an error.
fn reject_zero_alignment(bytes: &[u8], file: &str) -> Result<()> {
    if alignment_is_zero(bytes) == Some(true) {
        return Err(weights_error(
            file,
            "general.alignment is 0: corrupt GGUF file",
        ));
    }
    Ok(())
}

/// Reads GGUF header fields at a moving position; every read is bounds-checked.
struct Walker<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Length prefixes are u32 in GGUF v1, u64 after.
    wide: bool,
}

impl Walker<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let b = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(b)
    }
    fn uint(&mut self, n: usize) -> Option<u64> {
        let b = self.take(n)?;
        Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }
    fn len(&mut self) -> Option<usize> {
        let n = if self.wide {
            self.uint(8)?
        } else {
            self.uint(4)?
        };
        usize::try_from(n).ok()
    }
    /// Skips one value of type `t`; returns it when it is an integer.
    fn value(&mut self, t: u64, depth: usize) -> Option<Option<u64>> {
        let fixed = |t: u64| match t {
            0 | 1 | 7 => Some(1),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            _ => None,
        };
        if let Some(n) = fixed(t) {
            let v = self.uint(n)?;
            return Some(matches!(t, 0..=5).then_some(v));
        }
        match t {
            8 => {
                let n = self.len()?;
                self.take(n)?;
            }
            9 if depth < 64 => {
                let inner = self.uint(4)?;
                let n = self.len()?;
                if let Some(size) = fixed(inner) {
                    self.take(n.checked_mul(size)?)?;
                } else {
                    // each element takes at least one byte: a count beyond the bytes left
                    // ends the walk instead of looping
                    if n > self.bytes.len().saturating_sub(self.at) {
                        return None;
                    }
                    for _ in 0..n {
                        self.value(inner, depth + 1)?;
                    }
                }
            }
            _ => return None,
        }
        Some(None)
    }
}

/// `Some(true)` when the header's (last) `general.alignment` is an integer 0; `None` when
/// the header cannot be walked.
fn alignment_is_zero(bytes: &[u8]) -> Option<bool> {
    let mut w = Walker {
        bytes,
        at: 0,
        wide: true,
    };
    if w.take(4)? != b"GGUF" {
        return None;
    }
    w.wide = w.uint(4)? != 1;
    let _tensors = w.len()?;
    let kvs = w.len()?;
    let mut zero = false;
    for _ in 0..kvs {
        let n = w.len()?;
        let key = w.take(n)?;
        let is_alignment = key == b"general.alignment";
        let t = w.uint(4)?;
        let v = w.value(t, 0)?;
        if is_alignment {
            zero = v == Some(0);
        }
    }
    Some(zero)
}

/// Serialises metadata and tensors (in the given order) as a GGUF file.
pub fn write(metadata: &[(String, Value)], tensors: &[(String, QTensor)]) -> Result<Vec<u8>> {
    let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensors)?;
    Ok(out.into_inner())
}
