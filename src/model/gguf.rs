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
            format!("not a readable GGUF file ({e}); the download may be truncated"),
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
        // 4 bits per value
        let elems = info
            .shape
            .dims()
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d));
        if !matches!(elems, Some(n) if n <= bytes.len().saturating_mul(2)) {
            return Err(weights_error(
                file,
                format!(
                    "tensor {name} declares shape {:?}, larger than the file",
                    info.shape
                ),
            ));
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

/// candle's reader divides by `general.alignment`; a zero there would panic, so it is
/// rejected first. The key is looked for in the header bytes as written (key, u32 type,
/// value).
fn reject_zero_alignment(bytes: &[u8], file: &str) -> Result<()> {
    const KEY: &[u8] = b"general.alignment";
    let header = &bytes[..bytes.len().min(1 << 20)];
    let Some(pos) = header.windows(KEY.len()).position(|w| w == KEY) else {
        return Ok(());
    };
    let at = pos + KEY.len();
    let le = |from: usize, n: usize| -> Option<u64> {
        let b = bytes.get(from..from + n)?;
        Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    };
    let value = match le(at, 4) {
        Some(0) | Some(1) => le(at + 4, 1), // u8 / i8
        Some(2) | Some(3) => le(at + 4, 2), // u16 / i16
        Some(4) | Some(5) => le(at + 4, 4), // u32 / i32
        _ => Some(1),                       // other types are ignored by the reader
    };
    if value == Some(0) {
        return Err(weights_error(
            file,
            "general.alignment is 0: corrupt GGUF file",
        ));
    }
    Ok(())
}

/// Serialises metadata and tensors (in the given order) as a GGUF file.
pub fn write(metadata: &[(String, Value)], tensors: &[(String, QTensor)]) -> Result<Vec<u8>> {
    let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &metadata, &tensors)?;
    Ok(out.into_inner())
}
