//! The sentence encoder: tokenizer + BERT + pooling, built from bytes.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use candle_core::{Device, Tensor};

use crate::error::{Error, Result};
use crate::model::batching::{self, BatchLimits, PaddingStats, DEFAULT_TOKEN_BUDGET};
use crate::model::bert::Bert;
use crate::model::tokenizer::{TextTokenizer, TokenizedText};
use crate::model::weights::WeightStore;
use crate::model::{pooling, ModelSpec, Pooling, WeightsFormat};

/// Default largest number of texts per forward pass (passes are cut by padded tokens,
/// [`crate::model::batching`]; this only caps how many short texts share one).
pub const DEFAULT_BATCH_SIZE: usize = batching::DEFAULT_MAX_TEXTS;

/// Whether matching pools line vectors from their chunk's pass by default
/// ([`Encoder::with_late_chunking`]).
pub const DEFAULT_LATE_CHUNKING: bool = false;

/// One text's embedding and the vectors of token spans inside it
/// ([`Encoder::encode_with_spans`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SpannedEmbedding {
    /// The whole text's embedding, as [`Encoder::encode`] gives it.
    pub embedding: Embedding,
    /// Per requested byte range: the L2-normalised mean of the final token states of the
    /// tokens inside it, in the whole text's pass; `None` when no token of the text lies
    /// inside it or truncation cut it.
    pub spans: Vec<Option<Vec<f32>>>,
}

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

/// Choices made when loading weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Compute the linear layers of a q8 file on its 8-bit blocks (candle's `QMatMul`)
    /// instead of expanding them to f32 once at load (the default). 8-bit compute keeps
    /// the weights at a third of the memory, but candle's Q8_0 matmul also rounds the
    /// *activations* to 8-bit blocks, and over 36 layers that costs parity: min cosine
    /// 0.9975 to sentence-transformers against 0.9994 for dequantized q8 (the empty text
    /// is the worst). It is also about 2x slower than f32 in wasm. No effect on float
    /// formats.
    pub quantized_matmul: bool,
    /// Pack the float linear layers once for [`crate::model::gemm`]'s kernel instead of
    /// candle's matmul. Default: on in wasm32 (where it is faster: the weight is not
    /// repacked on every product), off natively (where candle's gemm uses every core).
    pub packed_linears: bool,
    /// Compute the linear layers of a q8 file on their 8-bit blocks with activations in
    /// 16 bits ([`crate::model::qgemm`]): a third of the f32 memory and parity equal to
    /// dequantized q8. Default: on in wasm32 (`i32x4.dot_i16x8_s`), off natively (candle's
    /// f32 gemm on every core is faster there; BENCHMARKS.md). No effect on float formats.
    pub int8_linears: bool,
}

// not derivable: the default differs between wasm32 and native targets
#[allow(clippy::derivable_impls)]
impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            quantized_matmul: false,
            packed_linears: cfg!(target_arch = "wasm32"),
            int8_linears: cfg!(target_arch = "wasm32"),
        }
    }
}

/// A loaded sentence encoder.
pub struct Encoder {
    spec: ModelSpec,
    tokenizer: TextTokenizer,
    model: Bert,
    batch_size: usize,
    token_budget: usize,
    by_count: bool,
    late_chunking: bool,
    format: WeightsFormat,
    padding: PaddingCounters,
}

/// Running totals of [`PaddingStats`] (atomics: the encoder is shared by reference).
#[derive(Debug, Default)]
struct PaddingCounters {
    batches: AtomicU64,
    tokens: AtomicU64,
    padded_tokens: AtomicU64,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("spec", &self.spec)
            .field("batch_size", &self.batch_size)
            .field("token_budget", &self.token_budget)
            .field("format", &self.format)
            .field("late_chunking", &self.late_chunking)
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
        Self::from_bytes_with(files, LoadOptions::default(), now)
    }

    /// [`Encoder::from_bytes_timed`] with [`LoadOptions`]. The weights may be safetensors
    /// (f32 or f16) or GGUF (q8), told apart by their first bytes.
    pub fn from_bytes_with(
        files: ModelFiles<'_>,
        options: LoadOptions,
        now: &dyn Fn() -> f64,
    ) -> Result<(Self, LoadTimings)> {
        let t0 = now();
        let spec = ModelSpec::from_json(
            files.config,
            files.pooling_config,
            files.sentence_bert_config,
        )?;
        let store =
            WeightStore::from_bytes(files.weights, files.weights_name, !options.quantized_matmul)?;
        let format = store.format();
        let t1 = now();
        let model =
            Bert::load_kernels(&store, &spec, options.packed_linears, options.int8_linears)?;
        drop(store);
        let t2 = now();
        let tokenizer = TextTokenizer::from_bytes(files.tokenizer, &spec)?;
        let t3 = now();
        let encoder = Self {
            spec,
            tokenizer,
            model,
            batch_size: DEFAULT_BATCH_SIZE,
            token_budget: DEFAULT_TOKEN_BUDGET,
            by_count: false,
            late_chunking: DEFAULT_LATE_CHUNKING,
            format,
            padding: PaddingCounters::default(),
        };
        let timings = LoadTimings {
            parse_weights_ms: t1 - t0,
            build_model_ms: t2 - t1,
            build_tokenizer_ms: t3 - t2,
        };
        Ok((encoder, timings))
    }

    /// Sets the most texts that go through the network at once (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the most padded tokens of one forward pass (a longer text still gets a pass of
    /// its own). Bounds the activations' memory.
    pub fn with_token_budget(mut self, tokens: usize) -> Self {
        self.token_budget = tokens.max(1);
        self
    }

    /// Cuts forward passes by count ([`Encoder::batch_size`] texts sorted by length, whatever
    /// their lengths), as before the token budget: for benchmarks that compare the two.
    pub fn with_batches_by_count(mut self) -> Self {
        self.by_count = true;
        self
    }

    /// Pools the vector of a line that lies inside a chunk from the chunk's own pass ("late
    /// chunking": the mean of the line's token states there, normalised) instead of a pass
    /// of its own, so each token is embedded once (`crate::matching::prepare`). Only for
    /// mean-pooling models; others keep a pass per line. Off by default
    /// ([`DEFAULT_LATE_CHUNKING`]; EVALUATION.md says why).
    pub fn with_late_chunking(mut self, on: bool) -> Self {
        self.late_chunking = on;
        self
    }

    /// Whether line vectors are pooled from their chunk's pass: set
    /// ([`Encoder::with_late_chunking`]) and the model pools by mean.
    pub fn late_chunking(&self) -> bool {
        self.late_chunking && self.spec.pooling == Pooling::Mean
    }

    /// Most texts per forward pass.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Most padded tokens per forward pass.
    pub fn token_budget(&self) -> usize {
        self.token_budget
    }

    /// Padding computed by every call so far (see [`PaddingStats::waste`]).
    pub fn padding(&self) -> PaddingStats {
        PaddingStats {
            batches: self.padding.batches.load(Ordering::Relaxed),
            tokens: self.padding.tokens.load(Ordering::Relaxed),
            padded_tokens: self.padding.padded_tokens.load(Ordering::Relaxed),
        }
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

    /// How many linear layers compute on 8-bit weights (0 unless a q8 file was loaded with
    /// [`LoadOptions::quantized_matmul`]).
    pub fn quantized_linears(&self) -> usize {
        self.model.quantized_linears()
    }

    /// The configured tokenizer.
    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    /// Embeds texts, in order. Texts are sorted by token length and cut into forward
    /// passes by a budget of padded tokens ([`crate::model::batching::plan`]), so that
    /// little padding is computed.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Embedding>> {
        let tokenized = self.tokenizer.tokenize_all(texts)?;
        self.encode_tokenized(&tokenized)
    }

    /// Embeds texts that are already tokenized (see [`TextTokenizer::tokenize`]).
    pub fn encode_tokenized(&self, tokenized: &[TokenizedText]) -> Result<Vec<Embedding>> {
        let texts: Vec<&TokenizedText> = tokenized.iter().collect();
        Ok(self
            .run(&texts, &[])?
            .into_iter()
            .map(|s| s.embedding)
            .collect())
    }

    /// Embeds texts, in order, and pools the vector of each given byte range of each text
    /// from that text's own pass: the mean of the final states of the tokens inside the
    /// range (special tokens excluded), L2-normalised — the model's mean pooling restricted
    /// to the range. Texts are batched as in [`Encoder::encode`]. Errors unless the model
    /// pools by mean (a span of a CLS- or max-pooled model has no such meaning).
    pub fn encode_with_spans(
        &self,
        texts: &[(&str, &[Range<usize>])],
    ) -> Result<Vec<SpannedEmbedding>> {
        if self.spec.pooling != Pooling::Mean {
            return Err(Error::bad_input("span vectors need a mean-pooling model"));
        }
        let mut tokenized = Vec::with_capacity(texts.len());
        let mut spans = Vec::with_capacity(texts.len());
        for (text, ranges) in texts {
            let (t, s) = self.tokenizer.tokenize_spans(text, ranges)?;
            tokenized.push(t);
            spans.push(s);
        }
        let refs: Vec<&TokenizedText> = tokenized.iter().collect();
        self.run(&refs, &spans)
    }

    /// The final hidden state of every token of one text (special tokens included, before
    /// pooling), with its token ids: for checking what pooling computes.
    pub fn token_states(&self, text: &str) -> Result<(Vec<u32>, Vec<Vec<f32>>)> {
        let t = self.tokenizer.tokenize(text)?;
        let (ids, mask, width) = self.tokenizer.pad_batch(&[&t]);
        let device = Device::Cpu;
        let ids_t = Tensor::from_vec(ids, (1, width), &device)?;
        let mask = Tensor::from_vec(mask, (1, width), &device)?;
        let hidden = self.model.forward(&ids_t, &mask)?.squeeze(0)?;
        Ok((t.ids, hidden.to_vec2::<f32>()?))
    }

    /// Sorts, batches and runs the texts; `spans` (empty, or one list per text) are token
    /// position ranges to pool from each text's pass.
    fn run(
        &self,
        tokenized: &[&TokenizedText],
        spans: &[Vec<Option<Range<usize>>>],
    ) -> Result<Vec<SpannedEmbedding>> {
        let mut order: Vec<usize> = (0..tokenized.len()).collect();
        order.sort_by_key(|&i| tokenized[i].ids.len());
        let lengths: Vec<usize> = order.iter().map(|&i| tokenized[i].ids.len()).collect();
        let ranges = if self.by_count {
            batching::plan_by_count(lengths.len(), self.batch_size)
        } else {
            batching::plan(
                &lengths,
                BatchLimits {
                    token_budget: self.token_budget,
                    max_texts: self.batch_size,
                    hidden: self.spec.hidden_size,
                },
            )
        };
        let stats = batching::padding_of(&lengths, &ranges);
        let no_spans: Vec<Option<Range<usize>>> = Vec::new();
        let mut out: Vec<Option<SpannedEmbedding>> = vec![None; tokenized.len()];
        for range in ranges {
            let chunk = order.get(range).unwrap_or(&[]);
            let batch: Vec<&TokenizedText> = chunk.iter().map(|&i| tokenized[i]).collect();
            let batch_spans: Vec<&[Option<Range<usize>>]> = chunk
                .iter()
                .map(|&i| spans.get(i).unwrap_or(&no_spans).as_slice())
                .collect();
            let (vectors, span_vectors) = self.forward(&batch, &batch_spans)?;
            for (((&i, t), vector), span_vectors) in
                chunk.iter().zip(&batch).zip(vectors).zip(span_vectors)
            {
                out[i] = Some(SpannedEmbedding {
                    embedding: Embedding {
                        vector,
                        tokens: t.ids.len(),
                        truncated: t.truncated,
                    },
                    spans: span_vectors,
                });
            }
        }
        self.padding
            .batches
            .fetch_add(stats.batches, Ordering::Relaxed);
        self.padding
            .tokens
            .fetch_add(stats.tokens, Ordering::Relaxed);
        self.padding
            .padded_tokens
            .fetch_add(stats.padded_tokens, Ordering::Relaxed);
        // the ranges cover every position exactly once, so every slot is filled
        Ok(out.into_iter().flatten().collect())
    }

    /// Embeds one text.
    pub fn encode_one(&self, text: &str) -> Result<Embedding> {
        let mut v = self.encode(&[text])?;
        v.pop()
            .ok_or_else(|| Error::bad_input("no embedding was produced"))
    }

    /// One forward pass: the pooled vector of each text, and the vectors of its spans.
    #[allow(clippy::type_complexity)]
    fn forward(
        &self,
        batch: &[&TokenizedText],
        spans: &[&[Option<Range<usize>>]],
    ) -> Result<(Vec<Vec<f32>>, Vec<Vec<Option<Vec<f32>>>>)> {
        let (ids, mask, width) = self.tokenizer.pad_batch(batch);
        let n = batch.len();
        let device = Device::Cpu;
        let ids = Tensor::from_vec(ids, (n, width), &device)?;
        let mask = Tensor::from_vec(mask, (n, width), &device)?;
        let hidden = self.model.forward(&ids, &mask)?;
        let pooled = pooling::pool_and_normalize(&hidden, &mask, self.spec.pooling)?;
        let span_vectors = pooling::pool_spans(&hidden, spans)?;
        Ok((pooled.to_vec2::<f32>()?, span_vectors))
    }
}
