//! Weight files: which format a file is, and turning its bytes into the tensors the
//! network is built from (f32 tensors, plus 8-bit blocks for a quantized file).

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::quantized::{QMatMul, QTensor};
use candle_core::{DType, Device, Tensor};

use crate::error::{Error, Result};
use crate::model::gguf;

/// The storage format of a weights file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightsFormat {
    /// safetensors with f32 tensors (the hub's own file).
    F32,
    /// safetensors with f16 tensors, upcast to f32 at load.
    F16,
    /// GGUF with the linear layers in candle's Q8_0 (blocks of 32 int8 with an f16 scale);
    /// embeddings in f16, LayerNorm and biases in f32. Expanded to f32 at load unless
    /// [`crate::model::LoadOptions::quantized_matmul`].
    Q8,
}

impl WeightsFormat {
    /// Parses `f32` / `f16` / `q8`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "f32" => Ok(WeightsFormat::F32),
            "f16" => Ok(WeightsFormat::F16),
            "q8" => Ok(WeightsFormat::Q8),
            other => Err(Error::bad_input(format!(
                "unknown weights format {other:?} (expected f32, f16 or q8)"
            ))),
        }
    }

    /// The format's name as used in manifests and options.
    pub fn as_str(&self) -> &'static str {
        match self {
            WeightsFormat::F32 => "f32",
            WeightsFormat::F16 => "f16",
            WeightsFormat::Q8 => "q8",
        }
    }

    /// The file name `cvmatch convert` writes for this format.
    pub fn file_name(&self) -> &'static str {
        match self {
            WeightsFormat::F32 => "model.safetensors",
            WeightsFormat::F16 => "model.f16.safetensors",
            WeightsFormat::Q8 => "model.q8_0.gguf",
        }
    }
}

/// Whether bytes are a GGUF file (by its magic), as opposed to safetensors.
pub fn is_gguf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"GGUF")
}

/// The tensors of a weights file, by their Hugging Face names (without a `bert.` prefix).
#[derive(Debug)]
pub struct WeightStore {
    file: String,
    format: WeightsFormat,
    float: HashMap<String, Tensor>,
    quantized: HashMap<String, Arc<QTensor>>,
    dequantize: bool,
}

impl WeightStore {
    /// Parses a safetensors or GGUF file (told apart by the magic bytes). Float tensors
    /// become f32; quantized tensors stay 8-bit unless `dequantize` (then they are expanded
    /// to f32 once, here, and the network computes in f32).
    pub fn from_bytes(bytes: &[u8], file: &str, dequantize: bool) -> Result<Self> {
        let (format, float, quantized) = if is_gguf(bytes) {
            let g = gguf::read(bytes, file)?;
            (WeightsFormat::Q8, g.float, g.quantized)
        } else {
            let (format, float) = load_safetensors(bytes, file)?;
            (format, float, HashMap::new())
        };
        let strip = |name: String| match name.strip_prefix("bert.") {
            Some(rest) => rest.to_string(),
            None => name,
        };
        Ok(Self {
            file: file.to_string(),
            format,
            float: float.into_iter().map(|(k, v)| (strip(k), v)).collect(),
            quantized: quantized.into_iter().map(|(k, v)| (strip(k), v)).collect(),
            dequantize,
        })
    }

    /// The format the file was in.
    pub fn format(&self) -> WeightsFormat {
        self.format
    }

    fn error(&self, message: String) -> Error {
        Error::Weights {
            file: self.file.clone(),
            message,
        }
    }

    fn check_shape(&self, name: &str, actual: &[usize], expected: &[usize]) -> Result<()> {
        if actual != expected {
            return Err(self.error(format!(
                "{name} has shape {actual:?}, config.json implies {expected:?}; \
                 the weights do not fit config.json"
            )));
        }
        Ok(())
    }

    /// A float tensor (f32) of the given shape.
    pub fn float(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        if let Some(t) = self.float.get(name) {
            self.check_shape(name, t.dims(), shape)?;
            return Ok(t.clone());
        }
        // a quantized tensor asked for as float (e.g. embeddings quantized by another tool)
        if let Some(q) = self.quantized.get(name) {
            let t = q.dequantize(&Device::Cpu)?;
            // k-quant blocks span 256 values, so a table whose rows are narrower is stored
            // flattened into rows of 256 (see convert.rs); the element count must still match
            if t.dims() != shape && t.elem_count() == shape.iter().product::<usize>() {
                return Ok(t.reshape(shape)?);
            }
            self.check_shape(name, t.dims(), shape)?;
            return Ok(t);
        }
        Err(self.error(format!("tensor {name} is missing")))
    }

    /// [`WeightStore::float`] as f16 (for a large table kept in half the memory). A
    /// quantized tensor is expanded a slice of blocks at a time, so the whole table never
    /// exists in f32 (the word embeddings would be 47 MB of wasm memory that never shrinks).
    pub fn float_f16(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let Some(q) = self.quantized.get(name) else {
            return Ok(self.float(name, shape)?.to_dtype(candle_core::DType::F16)?);
        };
        let count: usize = shape.iter().product();
        if q.shape().elem_count() != count {
            return Err(self.error(format!(
                "{name} has {} values, expected {shape:?}",
                q.shape().elem_count()
            )));
        }
        let dtype = q.dtype();
        let (block_values, block_bytes) = (dtype.block_size(), dtype.type_size());
        let raw = q.data()?;
        // 64 blocks a slice: at most 16,384 values (64 KiB) in f32 at a time
        let blocks_per_slice = 64;
        let mut parts = Vec::with_capacity(raw.len() / (block_bytes * blocks_per_slice) + 1);
        for slice in raw.chunks(block_bytes * blocks_per_slice) {
            let blocks = slice.len() / block_bytes;
            let t = candle_core::quantized::ggml_file::qtensor_from_ggml(
                dtype,
                slice,
                vec![blocks * block_values],
                &Device::Cpu,
            )?;
            parts.push(
                t.dequantize(&Device::Cpu)?
                    .to_dtype(candle_core::DType::F16)?,
            );
        }
        let flat = Tensor::cat(&parts, 0)?;
        if flat.elem_count() != count {
            return Err(self.error(format!("{name}: its blocks do not hold {shape:?}")));
        }
        Ok(flat.reshape(shape)?)
    }

    /// A `rows × cols` table kept as the file's quantized blocks (a Q6_K word table is
    /// 9.6 MB where f16 is 23 MB), each row expanded to f32 when it is looked up. `None`
    /// when the tensor is stored as float (use [`WeightStore::float`] or
    /// [`WeightStore::float_f16`] then).
    pub fn block_rows(&self, name: &str, rows: usize, cols: usize) -> Result<Option<BlockRows>> {
        let Some(q) = self.quantized.get(name) else {
            return Ok(None);
        };
        let count = rows
            .checked_mul(cols)
            .ok_or_else(|| self.error(format!("{name}: {rows} × {cols} is too large")))?;
        let dtype = q.dtype();
        let (block_values, block_bytes) = (dtype.block_size(), dtype.type_size());
        let raw = q.data()?;
        if cols == 0
            || q.shape().elem_count() != count
            || raw.len() * block_values != count * block_bytes
        {
            return Err(self.error(format!(
                "{name} has {} values in {} bytes, expected {rows} × {cols}",
                q.shape().elem_count(),
                raw.len()
            )));
        }
        Ok(Some(BlockRows {
            dtype,
            raw: raw.into_owned(),
            rows,
            cols,
        }))
    }

    /// A float matrix with `cols` columns and any number of rows (at least one).
    pub fn float_any_rows(&self, name: &str, cols: usize) -> Result<Tensor> {
        let t = self
            .float
            .get(name)
            .ok_or_else(|| self.error(format!("tensor {name} is missing")))?;
        match t.dims() {
            [rows, c] if *rows >= 1 && *c == cols => Ok(t.clone()),
            dims => Err(self.error(format!(
                "{name} has shape {dims:?}, expected [rows ≥ 1, {cols}]"
            ))),
        }
    }

    /// The quantized weight `name` as a matmul, if the file holds it quantized and the store
    /// keeps 8-bit weights (`None` for a float tensor, or when dequantizing at load).
    pub fn quantized(&self, name: &str, shape: &[usize]) -> Result<Option<QMatMul>> {
        let Some(q) = self.quantized.get(name) else {
            return Ok(None);
        };
        if self.dequantize {
            // [`WeightStore::float`] expands (and checks) it instead
            return Ok(None);
        }
        self.check_shape(name, q.shape().dims(), shape)?;
        Ok(Some(QMatMul::QTensor(q.clone())))
    }
}

/// Parses a safetensors buffer into tensors on the CPU; float tensors become f32
/// (f16/bf16 are upcast), integer buffers are kept as they are. Also names the format
/// from the float tensors' dtype.
pub fn load_safetensors(
    bytes: &[u8],
    file: &str,
) -> Result<(WeightsFormat, HashMap<String, Tensor>)> {
    let weights_err = |message: String| Error::Weights {
        file: file.to_string(),
        message,
    };
    let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu).map_err(|e| {
        weights_err(format!(
            "not a readable safetensors or GGUF file ({}); the download may be truncated",
            gguf::first_line(&e)
        ))
    })?;
    if tensors.is_empty() {
        return Err(weights_err("the file holds no tensors".into()));
    }
    let mut format = WeightsFormat::F32;
    let tensors = tensors
        .into_iter()
        .map(|(name, t)| {
            let t = match t.dtype() {
                DType::F32 => t,
                DType::F16 | DType::BF16 => {
                    format = WeightsFormat::F16;
                    t.to_dtype(DType::F32)?
                }
                DType::F64 => t.to_dtype(DType::F32)?,
                // integer buffers such as `embeddings.position_ids` are not weights
                _ => t,
            };
            Ok((name, t))
        })
        .collect::<Result<HashMap<_, _>>>()?;
    Ok((format, tensors))
}

/// A table (e.g. the word embeddings) held as its quantized blocks; [`BlockRows::lookup`]
/// expands only the rows asked for (the one or two blocks each row lies in).
#[derive(Debug, Clone)]
pub struct BlockRows {
    dtype: candle_core::quantized::GgmlDType,
    raw: Vec<u8>,
    rows: usize,
    cols: usize,
}

impl BlockRows {
    /// Row width.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.raw.len()
    }

    /// The rows `ids` in f32, one after the other (`ids.len() × cols` values). An id past
    /// the table is an [`Error::BadInput`].
    pub fn lookup(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let (block_values, block_bytes) = (self.dtype.block_size(), self.dtype.type_size());
        let mut out = Vec::with_capacity(ids.len() * self.cols);
        for &id in ids {
            let row = id as usize;
            if row >= self.rows {
                return Err(Error::bad_input(format!(
                    "token id {id} is past the {}-row embedding table",
                    self.rows
                )));
            }
            // the blocks holding values [row · cols, (row + 1) · cols)
            let start = row * self.cols;
            let (first, last) = (start / block_values, (start + self.cols - 1) / block_values);
            let blocks = &self.raw[first * block_bytes..(last + 1) * block_bytes];
            let t = candle_core::quantized::ggml_file::qtensor_from_ggml(
                self.dtype,
                blocks,
                vec![(last + 1 - first) * block_values],
                &Device::Cpu,
            )?;
            let values = t.dequantize(&Device::Cpu)?.to_vec1::<f32>()?;
            let offset = start - first * block_values;
            out.extend_from_slice(&values[offset..offset + self.cols]);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::GgmlDType;

    #[test]
    fn block_rows_equal_the_dequantized_table_row_by_row() {
        // 6 rows of 384: 9 Q6_K blocks of 256, odd rows start in the middle of a block
        let (rows, cols) = (6, 384);
        let values: Vec<f32> = (0..rows * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 40.0)
            .collect();
        let table = Tensor::from_vec(values, rows * cols, &Device::Cpu).unwrap();
        let q = QTensor::quantize(&table, GgmlDType::Q6K).unwrap();
        let want = q
            .dequantize(&Device::Cpu)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let blocks = BlockRows {
            dtype: q.dtype(),
            raw: q.data().unwrap().into_owned(),
            rows,
            cols,
        };
        assert_eq!(blocks.bytes(), 9 * 210);
        let ids = [5u32, 0, 3, 3, 1];
        let got = blocks.lookup(&ids).unwrap();
        assert_eq!(got.len(), ids.len() * cols);
        for (i, &id) in ids.iter().enumerate() {
            let row = id as usize;
            assert_eq!(
                &got[i * cols..(i + 1) * cols],
                &want[row * cols..(row + 1) * cols]
            );
        }
        assert!(blocks.lookup(&[]).unwrap().is_empty());
        let past = blocks.lookup(&[6]).unwrap_err();
        assert_eq!(past.code(), "bad_input");
    }
}
