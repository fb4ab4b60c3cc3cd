//! A BERT encoder in small parts, one `forward` each, whose linear layers are either float
//! matrices or 8-bit blocks ([`QMatMul`]). Everything else (embeddings, LayerNorm,
//! attention arithmetic) is float and shared by every weights format.
//!
//! It computes what Hugging Face's `BertModel` computes for sentence embeddings: GELU (erf),
//! LayerNorm with the config's epsilon, `token_type_ids` all zero, and an additive attention
//! mask built from the padding mask.

use candle_core::quantized::QMatMul;
use candle_core::{DType, Module, Tensor};

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::gemm::{Epilogue, PackedLinear, PackedWeight};
use crate::model::kernels::{BiasGelu, MaskedSoftmax};
use crate::model::qgemm::{Q8Linear, Q8Weight};
use crate::model::weights::{BlockRows, WeightStore};
use crate::model::ModelSpec;

/// The weight of a dense layer.
#[derive(Debug, Clone)]
pub enum Weight {
    /// Float weights (f32 in memory, whatever the file held), out × in.
    Float(Tensor),
    /// Block-quantized weights (out × in).
    Quantized(QMatMul),
    /// Float weights packed for [`crate::model::gemm::matmul`], with the bias (the default in wasm32).
    Packed(Arc<PackedWeight>),
    /// Q8_0 blocks packed for [`crate::model::qgemm::matmul`] (int16 activations), with
    /// the bias (the default for q8 files in wasm32).
    Int8(Arc<Q8Weight>),
}

/// A dense layer `x · Wᵀ + b` over rows of a 2-D input (tokens × features): every token
/// of the batch goes through one matrix product, so the weight is packed once per layer
/// instead of once per text.
#[derive(Debug, Clone)]
pub struct Linear {
    weight: Weight,
    bias: Tensor,
}

impl Linear {
    fn load(store: &WeightStore, prefix: &str, out_dim: usize, in_dim: usize) -> Result<Self> {
        let bias = store.float(&format!("{prefix}.bias"), &[out_dim])?;
        let name = format!("{prefix}.weight");
        let weight = match store.quantized(&name, &[out_dim, in_dim])? {
            Some(q) => Weight::Quantized(q),
            None => Weight::Float(store.float(&name, &[out_dim, in_dim])?),
        };
        Ok(Self { weight, bias })
    }

    /// Whether this layer computes on 8-bit blocks.
    pub fn is_quantized(&self) -> bool {
        matches!(self.weight, Weight::Quantized(_) | Weight::Int8(_))
    }

    /// `x · Wᵀ` without the bias (rows × out); not for packed weights, whose product
    /// always includes the bias ([`Linear::forward`]).
    fn matmul(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(match &self.weight {
            Weight::Float(w) => xs.matmul(&w.t()?)?,
            Weight::Quantized(w) => w.forward(&xs.contiguous()?)?,
            Weight::Packed(_) | Weight::Int8(_) => {
                return Err(Error::bad_input(
                    "packed weights compute the product with its bias",
                ))
            }
        })
    }

    /// `x · Wᵀ + b` (rows × out).
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        match &self.weight {
            Weight::Packed(w) => PackedLinear::new(w, Epilogue::Bias).forward(xs),
            Weight::Int8(w) => Q8Linear::new(w, Epilogue::Bias).forward(xs),
            _ => Ok(self.matmul(xs)?.broadcast_add(&self.bias)?),
        }
    }

    /// Float weights packed for [`crate::model::gemm::matmul`] (other kinds are returned unchanged).
    fn packed(self) -> Result<Self> {
        let Weight::Float(w) = &self.weight else {
            return Ok(self);
        };
        let (out_dim, in_dim) = w.dims2()?;
        let values = w.flatten_all()?.to_vec1::<f32>()?;
        let bias = self.bias.to_vec1::<f32>()?;
        let packed = PackedWeight::new(&values, &bias, out_dim, in_dim)
            .ok_or_else(|| Error::bad_input("weight and bias lengths differ"))?;
        Ok(Self {
            weight: Weight::Packed(Arc::new(packed)),
            bias: self.bias,
        })
    }

    /// Float weights (expanded from Q8_0 blocks) back in 8 bits, packed for
    /// [`crate::model::qgemm::matmul`] (other kinds are returned unchanged). The integers
    /// and scales are the file's own (see [`Q8Weight::quantize`]).
    fn int8(self) -> Result<Self> {
        let Weight::Float(w) = &self.weight else {
            return Ok(self);
        };
        let (out_dim, in_dim) = w.dims2()?;
        let values = w.flatten_all()?.to_vec1::<f32>()?;
        let bias = self.bias.to_vec1::<f32>()?;
        let q = Q8Weight::quantize(&values, &bias, out_dim, in_dim)
            .ok_or_else(|| Error::bad_input("weight and bias lengths differ"))?;
        Ok(Self {
            weight: Weight::Int8(Arc::new(q)),
            bias: self.bias,
        })
    }

    /// Multiplies the layer's output by `factor` (folded into the weights and the bias).
    fn scaled(self, factor: f64) -> Result<Self> {
        let weight = match self.weight {
            Weight::Float(w) => Weight::Float((w * factor)?),
            // 8-bit blocks are left as they are: Attention::project scales their output
            // (and packing happens after scaling)
            other => {
                return Ok(Self {
                    weight: other,
                    ..self
                })
            }
        };
        Ok(Self {
            weight,
            bias: (self.bias * factor)?,
        })
    }

    /// One layer computing `[a; b; c]` (float weights only).
    fn stacked(parts: [&Linear; 3]) -> Result<Option<Self>> {
        let mut weights = Vec::with_capacity(3);
        for p in parts {
            match &p.weight {
                Weight::Float(w) => weights.push(w.clone()),
                _ => return Ok(None),
            }
        }
        let biases: Vec<Tensor> = parts.iter().map(|p| p.bias.clone()).collect();
        Ok(Some(Self {
            weight: Weight::Float(Tensor::cat(&weights, 0)?),
            bias: Tensor::cat(&biases, 0)?,
        }))
    }
}

fn layer_norm(store: &WeightStore, prefix: &str, dim: usize, eps: f64) -> Result<LayerNorm> {
    Ok(candle_nn::LayerNorm::new(
        store.float(&format!("{prefix}.weight"), &[dim])?,
        store.float(&format!("{prefix}.bias"), &[dim])?,
        eps,
    ))
}

type LayerNorm = candle_nn::LayerNorm;

#[derive(Debug, Clone, Copy)]
enum Activation {
    GeluErf,
    GeluTanh,
    Relu,
}

impl Activation {
    fn from_name(name: &str) -> Result<Self> {
        match name {
            "gelu" => Ok(Activation::GeluErf),
            "gelu_approximate" => Ok(Activation::GeluTanh),
            "relu" => Ok(Activation::Relu),
            other => Err(Error::config(
                "config.json",
                format!("hidden_act {other:?} is not supported"),
            )),
        }
    }

    fn forward(self, xs: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Activation::GeluErf => xs.gelu_erf()?,
            Activation::GeluTanh => xs.gelu()?,
            Activation::Relu => xs.relu()?,
        })
    }
}

/// The word-embedding table.
#[derive(Debug, Clone)]
enum WordTable {
    /// vocab × hidden in f32, or in f16 when loaded compact from a float file (converted per
    /// batch).
    Float(candle_nn::Embedding),
    /// Loaded compact from a quantized file: the file's blocks (Q6_K), rows expanded per
    /// lookup, so the table takes 9.6 MB instead of 23 MB in f16.
    Blocks(BlockRows),
}

/// Word + position + token-type embeddings, then LayerNorm.
#[derive(Debug, Clone)]
struct Embeddings {
    words: WordTable,
    positions: Tensor,
    token_type_zero: Tensor,
    norm: LayerNorm,
}

impl Embeddings {
    /// With `compact`, the word table is kept in the file's 6-bit blocks (a q8 file) or in
    /// f16 (a float file): a quarter or half of the f32 table's memory.
    fn load(store: &WeightStore, spec: &ModelSpec, compact: bool) -> Result<Self> {
        let h = spec.hidden_size;
        let name = "embeddings.word_embeddings.weight";
        let blocks = if compact {
            store.block_rows(name, spec.vocab_size, h)?
        } else {
            None
        };
        let words = match blocks {
            Some(blocks) => WordTable::Blocks(blocks),
            None if compact => WordTable::Float(candle_nn::Embedding::new(
                store.float_f16(name, &[spec.vocab_size, h])?,
                h,
            )),
            None => WordTable::Float(candle_nn::Embedding::new(
                store.float(name, &[spec.vocab_size, h])?,
                h,
            )),
        };
        let positions = store.float(
            "embeddings.position_embeddings.weight",
            &[spec.max_position_embeddings, h],
        )?;
        let token_types = store.float_any_rows("embeddings.token_type_embeddings.weight", h)?;
        Ok(Self {
            words,
            positions,
            // token_type_ids are all zero: row 0 is added to every token
            token_type_zero: token_types.narrow(0, 0, 1)?,
            norm: layer_norm(store, "embeddings.LayerNorm", h, spec.layer_norm_eps)?,
        })
    }

    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let (_, width) = ids.dims2()?;
        let words = match &self.words {
            WordTable::Float(table) => table.forward(ids)?.to_dtype(DType::F32)?, // b × t × h
            WordTable::Blocks(table) => {
                let (batch, _) = ids.dims2()?;
                let rows = table.lookup(&ids.flatten_all()?.to_vec1::<u32>()?)?;
                Tensor::from_vec(rows, (batch, width, table.cols()), ids.device())?
            }
        };
        let positions = self.positions.narrow(0, 0, width)?; // t × h
        let x = words
            .broadcast_add(&self.token_type_zero)?
            .broadcast_add(&positions)?;
        Ok(self.norm.forward(&x)?)
    }
}

/// How queries, keys and values are projected.
#[derive(Debug, Clone)]
enum Projection {
    /// One matrix product for all three (float weights), the query part pre-scaled by
    /// 1/√head_dim.
    Fused(Linear),
    /// Three products (8-bit weights), the query scaled after its product.
    Separate {
        query: Linear,
        key: Linear,
        value: Linear,
    },
}

/// Multi-head self-attention, its output projection, residual and LayerNorm.
#[derive(Debug, Clone)]
struct Attention {
    projection: Projection,
    output: Linear,
    norm: LayerNorm,
    heads: usize,
    head_dim: usize,
}

impl Attention {
    fn load(store: &WeightStore, prefix: &str, spec: &ModelSpec) -> Result<Self> {
        let h = spec.hidden_size;
        let head_dim = h / spec.num_heads;
        let lin = |name: &str| Linear::load(store, &format!("{prefix}.{name}"), h, h);
        let query = lin("self.query")?.scaled(1.0 / (head_dim as f64).sqrt())?;
        let (key, value) = (lin("self.key")?, lin("self.value")?);
        let projection = match Linear::stacked([&query, &key, &value])? {
            Some(fused) => Projection::Fused(fused),
            None => Projection::Separate { query, key, value },
        };
        Ok(Self {
            projection,
            output: lin("output.dense")?,
            norm: layer_norm(
                store,
                &format!("{prefix}.output.LayerNorm"),
                h,
                spec.layer_norm_eps,
            )?,
            heads: spec.num_heads,
            head_dim,
        })
    }

    /// Queries (already scaled), keys and values, each batch × heads × tokens × head_dim.
    fn project(&self, x: &Tensor, batch: usize) -> Result<[Tensor; 3]> {
        let tokens = x.dim(0)? / batch;
        let (heads, d) = (self.heads, self.head_dim);
        match &self.projection {
            Projection::Fused(qkv) => {
                // rows × 3h → 3 × batch × heads × tokens × d in one copy
                let all = qkv
                    .forward(x)?
                    .reshape((batch, tokens, 3, heads, d))?
                    .permute((2, 0, 3, 1, 4))?
                    .contiguous()?;
                Ok([all.get(0)?, all.get(1)?, all.get(2)?])
            }
            Projection::Separate { query, key, value } => {
                let split = |t: Tensor| -> Result<Tensor> {
                    Ok(t.reshape((batch, tokens, heads, d))?
                        .transpose(1, 2)?
                        .contiguous()?)
                };
                // float weights had the scale folded in at load (Linear::scaled)
                let q = query.forward(x)?;
                let q = if matches!(query.weight, Weight::Quantized(_)) {
                    (q * (1.0 / (d as f64).sqrt()))?
                } else {
                    q
                };
                Ok([
                    split(q)?,
                    split(key.forward(x)?)?,
                    split(value.forward(x)?)?,
                ])
            }
        }
    }

    /// `x` is (batch · tokens) × hidden.
    fn forward(&self, x: &Tensor, batch: usize, softmax: &MaskedSoftmax) -> Result<Tensor> {
        let [q, k, v] = self.project(x, batch)?;
        let probs = softmax.forward(&q.matmul(&k.t()?)?)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape(x.shape())?;
        let out = self.output.forward(&context)?;
        Ok(self.norm.forward(&(out + x)?)?)
    }
}

/// Feed-forward block: expand, activate, project back, residual and LayerNorm.
#[derive(Debug, Clone)]
struct FeedForward {
    expand: Linear,
    project: Linear,
    activation: Activation,
    /// The expansion's bias and GELU (erf) in one pass, when that is the activation.
    bias_gelu: Option<BiasGelu>,
    norm: LayerNorm,
}

impl FeedForward {
    fn load(store: &WeightStore, prefix: &str, spec: &ModelSpec) -> Result<Self> {
        let (h, i) = (spec.hidden_size, spec.intermediate_size);
        let expand = Linear::load(store, &format!("{prefix}.intermediate.dense"), i, h)?;
        let activation = Activation::from_name(&spec.hidden_act)?;
        let bias_gelu = match activation {
            Activation::GeluErf => Some(BiasGelu::new(&expand.bias)?),
            _ => None,
        };
        Ok(Self {
            expand,
            project: Linear::load(store, &format!("{prefix}.output.dense"), h, i)?,
            activation,
            bias_gelu,
            norm: layer_norm(
                store,
                &format!("{prefix}.output.LayerNorm"),
                h,
                spec.layer_norm_eps,
            )?,
        })
    }

    /// `x` is (batch · tokens) × hidden.
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let inner = match (&self.expand.weight, &self.bias_gelu) {
            (Weight::Packed(w), Some(_)) => PackedLinear::new(w, Epilogue::BiasGelu).forward(x)?,
            (Weight::Int8(w), Some(_)) => Q8Linear::new(w, Epilogue::BiasGelu).forward(x)?,
            (_, Some(op)) => op.forward(&self.expand.matmul(x)?)?,
            (_, None) => self.activation.forward(&self.expand.forward(x)?)?,
        };
        let out = self.project.forward(&inner)?;
        Ok(self.norm.forward(&(out + x)?)?)
    }
}

/// One transformer layer.
#[derive(Debug, Clone)]
struct Layer {
    attention: Attention,
    feed_forward: FeedForward,
}

impl Layer {
    fn forward(&self, x: &Tensor, batch: usize, softmax: &MaskedSoftmax) -> Result<Tensor> {
        let x = self.attention.forward(x, batch, softmax)?;
        self.feed_forward.forward(&x)
    }
}

/// The BERT encoder: embeddings and `num_layers` transformer layers (no pooler).
#[derive(Debug, Clone)]
pub struct Bert {
    embeddings: Embeddings,
    layers: Vec<Layer>,
}

impl Bert {
    /// Builds the network from a weight store, checking every tensor's shape against `spec`.
    /// Float linear layers use candle's matmul.
    pub fn load(store: &WeightStore, spec: &ModelSpec) -> Result<Self> {
        Self::load_with(store, spec, false)
    }

    /// [`Bert::load`]; with `packed`, float linear layers are packed once for
    /// [`crate::model::gemm::matmul`] (faster than candle's matmul in wasm32, where it is the default).
    pub fn load_with(store: &WeightStore, spec: &ModelSpec, packed: bool) -> Result<Self> {
        Self::load_kernels(store, spec, packed, false)
    }

    /// [`Bert::load_with`]; with `int8`, the linear layers of a q8 file compute on their
    /// 8-bit blocks with [`crate::model::qgemm::matmul`] (this wins over `packed`; no effect
    /// on float formats, whose weights are not 8-bit).
    pub fn load_kernels(
        store: &WeightStore,
        spec: &ModelSpec,
        packed: bool,
        int8: bool,
    ) -> Result<Self> {
        let int8 = int8 && store.format() == crate::model::WeightsFormat::Q8;
        // with 8-bit linears, the word table compact too: memory is what int8 is for
        let embeddings = Embeddings::load(store, spec, int8)?;
        let packed = packed || int8;
        let pack = |l: Linear| {
            if int8 {
                l.int8()
            } else if packed {
                l.packed()
            } else {
                Ok(l)
            }
        };
        let layers = (0..spec.num_layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                let mut attention = Attention::load(store, &format!("{p}.attention"), spec)?;
                let mut feed_forward = FeedForward::load(store, &p, spec)?;
                if packed {
                    if let Projection::Fused(qkv) = attention.projection {
                        attention.projection = Projection::Fused(pack(qkv)?);
                    }
                    attention.output = pack(attention.output)?;
                    feed_forward.expand = pack(feed_forward.expand)?;
                    feed_forward.project = pack(feed_forward.project)?;
                }
                Ok(Layer {
                    attention,
                    feed_forward,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { embeddings, layers })
    }

    /// How many linear layers compute on quantized weights (0 for float formats).
    pub fn quantized_linears(&self) -> usize {
        self.layers
            .iter()
            .map(|l| {
                let projections = match &l.attention.projection {
                    Projection::Fused(qkv) => usize::from(qkv.is_quantized()),
                    Projection::Separate { query, key, value } => [query, key, value]
                        .iter()
                        .filter(|p| p.is_quantized())
                        .count(),
                };
                projections
                    + [
                        &l.attention.output,
                        &l.feed_forward.expand,
                        &l.feed_forward.project,
                    ]
                    .iter()
                    .filter(|p| p.is_quantized())
                    .count()
            })
            .sum()
    }

    /// Token vectors (batch × tokens × hidden) for `ids` (batch × tokens, u32) and the
    /// padding `mask` (batch × tokens, 1 for a real token, 0 for padding).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let x = self.embeddings.forward(ids)?;
        let shape = x.shape().clone();
        let (batch, tokens, hidden) = x.dims3()?;
        // every token of the batch is one row from here on
        let mut x = x.reshape((batch * tokens, hidden))?;
        let softmax = MaskedSoftmax::new(&attention_bias(mask)?)?;
        for layer in &self.layers {
            x = layer.forward(&x, batch, &softmax)?;
        }
        Ok(x.reshape(shape)?)
    }
}

/// (1 − mask) · f32::MIN as batch × tokens, added to the attention scores of every query
/// so that padding gets no weight (as Hugging Face's extended attention mask).
fn attention_bias(mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?;
    Ok(((mask.ones_like()? - &mask)? * f32::MIN as f64)?)
}
