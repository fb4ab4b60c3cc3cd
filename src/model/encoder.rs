//! The sentence encoder: tokenizer + BERT + pooling, built from bytes.

use candle_core::{Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};

use crate::error::{Error, Result};
use crate::model::{pooling, weights, ModelSpec, WeightsFormat};
use crate::text::tokenizer::{TextTokenizer, TokenizedText};

/// Default number of texts per forward pass.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// The bytes of a model's files; the core never touches a filesystem.
#[derive(Debug, Clone, Copy)]
pub struct ModelFiles<'a> {
    /// `config.json`.
    pub config: &'a [u8],
    /// `tokenizer.json`.
    pub tokenizer: &'a [u8],
    /// The weights file's bytes.
    pub weights: &'a [u8],
    /// The weights file's name (for messages).
    pub weights_name: &'a str,
    /// `1_Pooling/config.json`, where the model has one.
    pub pooling_config: Option<&'a [u8]>,
    /// `sentence_bert_config.json`, where the model has one.
    pub sentence_bert_config: Option<&'a [u8]>,
}

/// One text's embedding.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Embedding {
    /// The L2-normalised vector.
    pub vector: Vec<f32>,
    /// Tokens the model saw, special tokens included.
    pub tokens: usize,
    /// Whether the text was cut at `max_seq_length`.
    pub truncated: bool,
}

/// How long each stage of [`Encoder::from_bytes_timed`] took, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct LoadTimings {
    /// Parsing the configs and the weights file into tensors.
    pub parse_weights_ms: f64,
    /// Building the network from the tensors.
    pub build_model_ms: f64,
    /// Building the tokenizer.
    pub build_tokenizer_ms: f64,
}

/// A loaded sentence encoder.
pub struct Encoder {
    spec: ModelSpec,
    tokenizer: TextTokenizer,
    model: BertModel,
    batch_size: usize,
    format: WeightsFormat,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("spec", &self.spec)
            .field("batch_size", &self.batch_size)
            .field("format", &self.format)
            .finish()
    }
}

impl Encoder {
    /// Builds an encoder from the model's file bytes.
    pub fn from_bytes(files: ModelFiles<'_>) -> Result<Self> {
        Self::from_bytes_timed(files, &|| 0.0).map(|(encoder, _)| encoder)
    }

    /// Builds an encoder and times its stages with `now` (milliseconds from any origin:
    /// `Instant` natively, `performance.now()` in a browser; the core has no clock).
    pub fn from_bytes_timed(
        files: ModelFiles<'_>,
        now: &dyn Fn() -> f64,
    ) -> Result<(Self, LoadTimings)> {
        let t0 = now();
        let spec = ModelSpec::from_json(
            files.config,
            files.pooling_config,
            files.sentence_bert_config,
        )?;
        let bert_config: BertConfig = serde_json::from_slice(files.config)
            .map_err(|e| Error::config("config.json", e.to_string()))?;
        let tensors = weights::load_safetensors(files.weights, files.weights_name)?;
        let format = detect_format(files.weights);
        let t1 = now();
        let vb = VarBuilder::from_tensors(tensors, candle_core::DType::F32, &Device::Cpu);
        let model = BertModel::load(vb, &bert_config).map_err(|e| Error::Weights {
            file: files.weights_name.to_string(),
            message: format!("does not fit config.json: {e}"),
        })?;
        let t2 = now();
        let tokenizer = TextTokenizer::from_bytes(files.tokenizer, &spec)?;
        let t3 = now();
        let encoder = Self {
            spec,
            tokenizer,
            model,
            batch_size: DEFAULT_BATCH_SIZE,
            format,
        };
        let timings = LoadTimings {
            parse_weights_ms: t1 - t0,
            build_model_ms: t2 - t1,
            build_tokenizer_ms: t3 - t2,
        };
        Ok((encoder, timings))
    }

    /// Sets how many texts go through the network at once (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Texts per forward pass.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The model's specification.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The embedding dimension.
    pub fn dim(&self) -> usize {
        self.spec.hidden_size
    }

    /// The weights format that was loaded.
    pub fn weights_format(&self) -> WeightsFormat {
        self.format
    }

    /// The configured tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Embeds texts, in order. Texts are grouped by token length into batches of
    /// [`Encoder::batch_size`] so that little padding is computed.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Embedding>> {
        let tokenized = self.tokenizer.tokenize_all(texts)?;
        self.encode_tokenized(&tokenized)
    }

    /// Embeds texts that are already tokenized (see [`TextTokenizer::tokenize`]).
    pub fn encode_tokenized(&self, tokenized: &[TokenizedText]) -> Result<Vec<Embedding>> {
        let mut order: Vec<usize> = (0..tokenized.len()).collect();
        order.sort_by_key(|&i| tokenized[i].ids.len());
        let mut out: Vec<Option<Embedding>> = vec![None; tokenized.len()];
        for chunk in order.chunks(self.batch_size) {
            let batch: Vec<&TokenizedText> = chunk.iter().map(|&i| &tokenized[i]).collect();
            let vectors = self.forward(&batch)?;
            for ((&i, t), vector) in chunk.iter().zip(&batch).zip(vectors) {
                out[i] = Some(Embedding {
                    vector,
                    tokens: t.ids.len(),
                    truncated: t.truncated,
                });
            }
        }
        // every index appears in exactly one chunk, so every slot is filled
        Ok(out.into_iter().flatten().collect())
    }

    /// Embeds one text.
    pub fn encode_one(&self, text: &str) -> Result<Embedding> {
        let mut v = self.encode(&[text])?;
        v.pop()
            .ok_or_else(|| Error::bad_input("no embedding was produced"))
    }

    fn forward(&self, batch: &[&TokenizedText]) -> Result<Vec<Vec<f32>>> {
        let (ids, mask, width) = self.tokenizer.pad_batch(batch);
        let n = batch.len();
        let device = Device::Cpu;
        let ids = Tensor::from_vec(ids, (n, width), &device)?;
        let mask = Tensor::from_vec(mask, (n, width), &device)?;
        let type_ids = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?;
        let pooled = pooling::pool_and_normalize(&hidden, &mask, self.spec.pooling)?;
        Ok(pooled.to_vec2::<f32>()?)
    }
}

/// Reads the dtype of the first tensor in a safetensors header to name the format.
fn detect_format(bytes: &[u8]) -> WeightsFormat {
    match safetensors::SafeTensors::deserialize(bytes) {
        Ok(st) => match st.tensors().first().map(|(_, v)| v.dtype()) {
            Some(safetensors::Dtype::F16) | Some(safetensors::Dtype::BF16) => WeightsFormat::F16,
            _ => WeightsFormat::F32,
        },
        Err(_) => WeightsFormat::F32,
    }
}
