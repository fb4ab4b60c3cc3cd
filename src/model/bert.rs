//! A BERT encoder in small parts, one `forward` each, whose linear layers are either float
//! matrices or 8-bit blocks ([`QMatMul`]). Everything else (embeddings, LayerNorm,
//! attention arithmetic) is float and shared by every weights format.
//!
//! It computes what Hugging Face's `BertModel` computes for sentence embeddings: GELU (erf),
//! LayerNorm with the config's epsilon, `token_type_ids` all zero, and an additive attention
//! mask built from the padding mask.

use candle_core::quantized::QMatMul;
use candle_core::{DType, Module, Tensor, D};

use crate::error::{Error, Result};
use crate::model::weights::WeightStore;
use crate::model::ModelSpec;

/// A dense layer `x · Wᵀ + b`.
#[derive(Debug, Clone)]
pub enum Linear {
    /// Float weights (f32 in memory, whatever the file held).
    Float(candle_nn::Linear),
    /// Block-quantized weights; the bias stays f32.
    Quantized {
        /// The quantized weight matrix (out × in).
        weight: QMatMul,
        /// The bias (out).
        bias: Tensor,
    },
}

impl Linear {
    fn load(store: &WeightStore, prefix: &str, out_dim: usize, in_dim: usize) -> Result<Self> {
        let bias = store.float(&format!("{prefix}.bias"), &[out_dim])?;
        let name = format!("{prefix}.weight");
        match store.quantized(&name, &[out_dim, in_dim])? {
            Some(weight) => Ok(Linear::Quantized { weight, bias }),
            None => {
                let weight = store.float(&name, &[out_dim, in_dim])?;
                Ok(Linear::Float(candle_nn::Linear::new(weight, Some(bias))))
            }
        }
    }

    /// Whether this layer computes on 8-bit blocks.
    pub fn is_quantized(&self) -> bool {
        matches!(self, Linear::Quantized { .. })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Linear::Float(l) => l.forward(xs)?,
            Linear::Quantized { weight, bias } => {
                weight.forward(&xs.contiguous()?)?.broadcast_add(bias)?
            }
        })
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

/// Word + position + token-type embeddings, then LayerNorm.
#[derive(Debug, Clone)]
struct Embeddings {
    words: candle_nn::Embedding,
    positions: Tensor,
    token_type_zero: Tensor,
    norm: LayerNorm,
}

impl Embeddings {
    fn load(store: &WeightStore, spec: &ModelSpec) -> Result<Self> {
        let h = spec.hidden_size;
        let words = store.float("embeddings.word_embeddings.weight", &[spec.vocab_size, h])?;
        let positions = store.float(
            "embeddings.position_embeddings.weight",
            &[spec.max_position_embeddings, h],
        )?;
        let token_types = store.float_any_rows("embeddings.token_type_embeddings.weight", h)?;
        Ok(Self {
            words: candle_nn::Embedding::new(words, h),
            positions,
            // token_type_ids are all zero: row 0 is added to every token
            token_type_zero: token_types.narrow(0, 0, 1)?,
            norm: layer_norm(store, "embeddings.LayerNorm", h, spec.layer_norm_eps)?,
        })
    }

    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let (_, width) = ids.dims2()?;
        let words = self.words.forward(ids)?; // b × t × h
        let positions = self.positions.narrow(0, 0, width)?; // t × h
        let x = words
            .broadcast_add(&self.token_type_zero)?
            .broadcast_add(&positions)?;
        Ok(self.norm.forward(&x)?)
    }
}

/// Multi-head self-attention, its output projection, residual and LayerNorm.
#[derive(Debug, Clone)]
struct Attention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    norm: LayerNorm,
    heads: usize,
    head_dim: usize,
}

impl Attention {
    fn load(store: &WeightStore, prefix: &str, spec: &ModelSpec) -> Result<Self> {
        let h = spec.hidden_size;
        let lin = |name: &str| Linear::load(store, &format!("{prefix}.{name}"), h, h);
        Ok(Self {
            query: lin("self.query")?,
            key: lin("self.key")?,
            value: lin("self.value")?,
            output: lin("output.dense")?,
            norm: layer_norm(
                store,
                &format!("{prefix}.output.LayerNorm"),
                h,
                spec.layer_norm_eps,
            )?,
            heads: spec.num_heads,
            head_dim: h / spec.num_heads,
        })
    }

    /// b × t × h → b × heads × t × head_dim
    fn split_heads(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        Ok(x.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()?)
    }

    fn forward(&self, x: &Tensor, mask_bias: &Tensor) -> Result<Tensor> {
        let q = self.split_heads(&self.query.forward(x)?)?;
        let k = self.split_heads(&self.key.forward(x)?)?;
        let v = self.split_heads(&self.value.forward(x)?)?;
        let scores = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?;
        let scores = scores.broadcast_add(mask_bias)?;
        let probs = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let context = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .flatten_from(D::Minus2)?;
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
    norm: LayerNorm,
}

impl FeedForward {
    fn load(store: &WeightStore, prefix: &str, spec: &ModelSpec) -> Result<Self> {
        let (h, i) = (spec.hidden_size, spec.intermediate_size);
        Ok(Self {
            expand: Linear::load(store, &format!("{prefix}.intermediate.dense"), i, h)?,
            project: Linear::load(store, &format!("{prefix}.output.dense"), h, i)?,
            activation: Activation::from_name(&spec.hidden_act)?,
            norm: layer_norm(
                store,
                &format!("{prefix}.output.LayerNorm"),
                h,
                spec.layer_norm_eps,
            )?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let inner = self.activation.forward(&self.expand.forward(x)?)?;
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
    fn forward(&self, x: &Tensor, mask_bias: &Tensor) -> Result<Tensor> {
        let x = self.attention.forward(x, mask_bias)?;
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
    pub fn load(store: &WeightStore, spec: &ModelSpec) -> Result<Self> {
        let embeddings = Embeddings::load(store, spec)?;
        let layers = (0..spec.num_layers)
            .map(|l| {
                let p = format!("encoder.layer.{l}");
                Ok(Layer {
                    attention: Attention::load(store, &format!("{p}.attention"), spec)?,
                    feed_forward: FeedForward::load(store, &p, spec)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { embeddings, layers })
    }

    /// How many linear layers compute on quantized weights (0 for float formats).
    pub fn quantized_linears(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| {
                [
                    &l.attention.query,
                    &l.attention.key,
                    &l.attention.value,
                    &l.attention.output,
                    &l.feed_forward.expand,
                    &l.feed_forward.project,
                ]
            })
            .filter(|l| l.is_quantized())
            .count()
    }

    /// Token vectors (batch × tokens × hidden) for `ids` (batch × tokens, u32) and the
    /// padding `mask` (batch × tokens, 1 for a real token, 0 for padding).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let mut x = self.embeddings.forward(ids)?;
        let mask_bias = attention_bias(mask)?;
        for layer in &self.layers {
            x = layer.forward(&x, &mask_bias)?;
        }
        Ok(x)
    }
}

/// (1 − mask) · f32::MIN as batch × 1 × 1 × tokens, added to the attention scores so that
/// padding gets no weight (as Hugging Face's extended attention mask).
fn attention_bias(mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(1)?.unsqueeze(1)?;
    Ok(((mask.ones_like()? - &mask)? * f32::MIN as f64)?)
}
