//! Weight files: which format a file is, and turning its bytes into f32 tensors.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

use crate::error::{Error, Result};

/// The storage format of a weights file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightsFormat {
    /// safetensors with f32 tensors (the hub's own file).
    F32,
    /// safetensors with f16 tensors, upcast to f32 at load.
    F16,
}

impl WeightsFormat {
    /// Parses `f32` / `f16`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "f32" => Ok(WeightsFormat::F32),
            "f16" => Ok(WeightsFormat::F16),
            other => Err(Error::bad_input(format!(
                "unknown weights format {other:?} (expected f32 or f16)"
            ))),
        }
    }

    /// The format's name as used in manifests and options.
    pub fn as_str(&self) -> &'static str {
        match self {
            WeightsFormat::F32 => "f32",
            WeightsFormat::F16 => "f16",
        }
    }
}

/// Parses a safetensors buffer into tensors on the CPU; float tensors become f32
/// (f16/bf16 are upcast), integer buffers are kept as they are.
pub fn load_safetensors(bytes: &[u8], file: &str) -> Result<HashMap<String, Tensor>> {
    let weights_err = |message: String| Error::Weights {
        file: file.to_string(),
        message,
    };
    let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu).map_err(|e| {
        weights_err(format!(
            "not a readable safetensors file ({e}); the download may be truncated"
        ))
    })?;
    if tensors.is_empty() {
        return Err(weights_err("the file holds no tensors".into()));
    }
    tensors
        .into_iter()
        .map(|(name, t)| {
            let t = match t.dtype() {
                DType::F32 => t,
                DType::F16 | DType::BF16 | DType::F64 => t.to_dtype(DType::F32)?,
                // integer buffers such as `embeddings.position_ids` are not weights
                _ => t,
            };
            Ok((name, t))
        })
        .collect()
}
