//! Converting the f32 safetensors weights into the smaller formats (bytes in, bytes out).
//!
//! - `f16`: every float tensor in f16 safetensors (upcast to f32 at load). Half the size;
//!   cosine to the f32 model ≥ 0.9999.
//! - `q8`: GGUF (see [`crate::model::gguf`]) with each transformer linear layer's weight in
//!   candle's Q8_0 (blocks of 32 int8 values sharing one f16 scale), the word embedding
//!   table in Q6_K (6-bit, super-blocks of 256; flattened, see `quantize`), the position
//!   and token type embeddings in f16, LayerNorm weights and biases in f32. A linear layer whose input width is not a multiple
//!   of 32 cannot be blocked and stays f16. The pooler (unused by sentence embeddings) and
//!   integer buffers (`position_ids`) are left out.

use std::collections::BTreeMap;

use candle_core::quantized::gguf_file::Value;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{DType, Tensor};

use crate::error::{Error, Result};
use crate::manifest::sha256_hex;
use crate::model::{gguf, weights, ModelSpec, WeightsFormat};

/// What the converter needs: the original weights and the model's `config.json`.
#[derive(Debug, Clone, Copy)]
pub struct ConvertInput<'a> {
    /// The f32 safetensors file's bytes.
    pub weights: &'a [u8],
    /// Its name (for messages).
    pub weights_name: &'a str,
    /// `config.json`.
    pub config: &'a [u8],
    /// The model's identity, written into the GGUF metadata.
    pub model_id: &'a str,
}

/// Converts the f32 weights to `format` and returns the new file's bytes
/// (its name is [`WeightsFormat::file_name`]).
pub fn convert(input: ConvertInput<'_>, format: WeightsFormat) -> Result<Vec<u8>> {
    match format {
        WeightsFormat::F32 => Err(Error::bad_input(
            "f32 is the original file; convert to f16 or q8",
        )),
        WeightsFormat::F16 => to_f16(input),
        WeightsFormat::Q8 => to_q8(input),
    }
}

/// The source tensors, sorted by name, float ones only (integer buffers dropped).
fn float_tensors(input: &ConvertInput<'_>) -> Result<BTreeMap<String, Tensor>> {
    let (format, tensors) = weights::load_safetensors(input.weights, input.weights_name)?;
    if format != WeightsFormat::F32 {
        return Err(Error::bad_input(format!(
            "{} is not f32 weights; convert from the original file",
            input.weights_name
        )));
    }
    Ok(tensors
        .into_iter()
        .filter(|(_, t)| t.dtype() == DType::F32)
        .collect())
}

fn to_f16(input: ConvertInput<'_>) -> Result<Vec<u8>> {
    let tensors = float_tensors(&input)?
        .into_iter()
        .map(|(name, t)| Ok((name, t.to_dtype(DType::F16)?)))
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(tensors, None).map_err(|e| Error::Weights {
        file: WeightsFormat::F16.file_name().to_string(),
        message: format!("cannot write safetensors: {e}"),
    })
}

/// How one tensor is stored in the q8 file.
fn q8_dtype(name: &str, t: &Tensor) -> Option<GgmlDType> {
    let name = name.strip_prefix("bert.").unwrap_or(name);
    if name.starts_with("pooler.") {
        return None;
    }
    if name == "embeddings.word_embeddings.weight" {
        // 6-bit k-quant: measured on the parity texts, Q6_K here costs 0.00004 of min cosine
        // against f16 (0.99936 vs 0.99942) and saves 13.8 MB; Q5_K (0.99916) and Q4_K
        // (0.99684) cost more than the 0.999 target allows room for. Linear layers stay 8-bit:
        // Q6_K there drops min cosine to 0.9943. A table too small to fill whole blocks
        // (tiny test models) stays f16.
        let fits = t.elem_count() % GgmlDType::Q6K.block_size() == 0;
        return Some(if fits { GgmlDType::Q6K } else { GgmlDType::F16 });
    }
    let block = GgmlDType::Q8_0.block_size();
    match t.dims() {
        [_, cols] if name.starts_with("encoder.") && name.ends_with(".weight") => {
            if cols % block == 0 {
                Some(GgmlDType::Q8_0)
            } else {
                Some(GgmlDType::F16)
            }
        }
        [_, _] => Some(GgmlDType::F16),
        _ => Some(GgmlDType::F32),
    }
}

/// Quantizes `t` to `dtype`. Blocks run along a row, so a matrix whose rows are not a
/// multiple of the block size (the 384-wide embedding table against Q6_K's 256) is stored
/// flattened into rows of one block; the loader reshapes it back by element count
/// ([`crate::model::weights::WeightStore::float`]). Such a tensor can only be expanded to
/// f32 at load, never multiplied in 8-bit, which is all the embedding table needs.
fn quantize(t: &Tensor, dtype: GgmlDType) -> Result<QTensor> {
    let block = dtype.block_size();
    let cols = t.dims().last().copied().unwrap_or(0);
    if cols % block != 0 && t.elem_count() % block == 0 {
        let flat = t.reshape((t.elem_count() / block, block))?;
        return Ok(QTensor::quantize(&flat, dtype)?);
    }
    Ok(QTensor::quantize(t, dtype)?)
}

fn to_q8(input: ConvertInput<'_>) -> Result<Vec<u8>> {
    let spec = ModelSpec::from_json(input.config, None, None)?;
    let config =
        std::str::from_utf8(input.config).map_err(|_| Error::config("config.json", "not UTF-8"))?;
    let mut tensors = Vec::new();
    for (name, t) in float_tensors(&input)? {
        if let Some(dtype) = q8_dtype(&name, &t) {
            tensors.push((name, quantize(&t, dtype)?));
        }
    }
    let u32_of = |n: usize| Value::U32(u32::try_from(n).unwrap_or(u32::MAX));
    let string = |s: &str| Value::String(s.to_string());
    let metadata =
        vec![
        ("general.architecture".to_string(), string("bert")),
        ("general.name".to_string(), string(input.model_id)),
        ("cvmatch.format".to_string(), string("q8_0")),
        (
            "cvmatch.format_version".to_string(),
            Value::U32(gguf::FORMAT_VERSION),
        ),
        (
            "cvmatch.layout".to_string(),
            string(
                "transformer linear weights Q8_0 (blocks of 32, f16 scale; f16 where the input \
                 width is not a multiple of 32); word embeddings Q6_K flattened into rows of \
                 256; position and token type embeddings f16; LayerNorm and biases f32; \
                 no pooler",
            ),
        ),
        (
            "cvmatch.source_sha256".to_string(),
            string(&sha256_hex(input.weights)),
        ),
        ("bert.config_json".to_string(), string(config)),
        ("bert.embedding_length".to_string(), u32_of(spec.hidden_size)),
        ("bert.block_count".to_string(), u32_of(spec.num_layers)),
        ("bert.attention.head_count".to_string(), u32_of(spec.num_heads)),
        (
            "bert.feed_forward_length".to_string(),
            u32_of(spec.intermediate_size),
        ),
        (
            "bert.context_length".to_string(),
            u32_of(spec.max_position_embeddings),
        ),
        (
            "bert.attention.layer_norm_epsilon".to_string(),
            Value::F32(spec.layer_norm_eps as f32),
        ),
    ];
    gguf::write(&metadata, &tensors)
}
