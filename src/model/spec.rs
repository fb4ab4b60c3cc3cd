//! What a model is, read from its configuration files (nothing hard-coded).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How token vectors become one text vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Mean of the token vectors over real (non-padding) tokens.
    Mean,
    /// The vector of the first token (`[CLS]`).
    Cls,
    /// Element-wise maximum over real tokens.
    Max,
}

/// The shape and text handling of a BERT-family sentence encoder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSpec {
    /// Width of the hidden states and of the output embedding.
    pub hidden_size: usize,
    /// Number of transformer layers.
    pub num_layers: usize,
    /// Number of attention heads per layer.
    pub num_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Learned position embeddings (an upper bound on `max_seq_length`).
    pub max_position_embeddings: usize,
    /// Tokens the encoder sees per text, special tokens included.
    pub max_seq_length: usize,
    /// Pooling mode.
    pub pooling: Pooling,
    /// Whether texts are lowercased before tokenization (sentence-transformers' own flag;
    /// the tokenizer may lowercase as well).
    pub do_lower_case: bool,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// Activation name from config.json.
    pub hidden_act: String,
}

#[derive(Deserialize)]
struct RawConfig {
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    vocab_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default = "default_act")]
    hidden_act: String,
    #[serde(default)]
    position_embedding_type: Option<String>,
    #[serde(default)]
    model_type: Option<String>,
}

fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}

#[derive(Deserialize)]
struct RawPooling {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    word_embedding_dimension: Option<usize>,
}

#[derive(Deserialize)]
struct RawSentenceBert {
    max_seq_length: Option<usize>,
    #[serde(default)]
    do_lower_case: bool,
}

impl ModelSpec {
    /// Reads `config.json` and, where the model has them, `1_Pooling/config.json` and
    /// `sentence_bert_config.json`. Without a pooling config the mode is mean; without a
    /// sentence-BERT config `max_seq_length` is `max_position_embeddings`.
    pub fn from_json(
        config: &[u8],
        pooling: Option<&[u8]>,
        sentence_bert: Option<&[u8]>,
    ) -> Result<Self> {
        let raw: RawConfig = serde_json::from_slice(config)
            .map_err(|e| Error::config("config.json", e.to_string()))?;
        if let Some(t) = raw.model_type.as_deref() {
            if t != "bert" {
                return Err(Error::config(
                    "config.json",
                    format!("model_type {t:?} is not supported (only \"bert\")"),
                ));
            }
        }
        if let Some(p) = raw.position_embedding_type.as_deref() {
            if p != "absolute" {
                return Err(Error::config(
                    "config.json",
                    format!("position_embedding_type {p:?} is not supported (only \"absolute\")"),
                ));
            }
        }
        if !matches!(
            raw.hidden_act.as_str(),
            "gelu" | "gelu_approximate" | "relu"
        ) {
            return Err(Error::config(
                "config.json",
                format!(
                    "hidden_act {:?} is not supported (gelu, gelu_approximate, relu)",
                    raw.hidden_act
                ),
            ));
        }
        if raw.hidden_size == 0
            || raw.num_attention_heads == 0
            || raw.hidden_size % raw.num_attention_heads != 0
        {
            return Err(Error::config(
                "config.json",
                format!(
                    "hidden_size {} is not a positive multiple of num_attention_heads {}",
                    raw.hidden_size, raw.num_attention_heads
                ),
            ));
        }
        let pooling_mode = match pooling {
            None => Pooling::Mean,
            Some(bytes) => {
                let p: RawPooling = serde_json::from_slice(bytes)
                    .map_err(|e| Error::config("1_Pooling/config.json", e.to_string()))?;
                if let Some(d) = p.word_embedding_dimension {
                    if d != raw.hidden_size {
                        return Err(Error::config(
                            "1_Pooling/config.json",
                            format!(
                                "word_embedding_dimension {d} differs from hidden_size {}",
                                raw.hidden_size
                            ),
                        ));
                    }
                }
                match (
                    p.pooling_mode_mean_tokens,
                    p.pooling_mode_cls_token,
                    p.pooling_mode_max_tokens,
                    p.pooling_mode_mean_sqrt_len_tokens,
                ) {
                    (true, false, false, false) => Pooling::Mean,
                    (false, true, false, false) => Pooling::Cls,
                    (false, false, true, false) => Pooling::Max,
                    _ => {
                        return Err(Error::config(
                            "1_Pooling/config.json",
                            "exactly one of mean, cls or max pooling must be on \
                             (mean_sqrt_len and combined modes are not supported)",
                        ))
                    }
                }
            }
        };
        let (max_seq_length, do_lower_case) = match sentence_bert {
            None => (raw.max_position_embeddings, false),
            Some(bytes) => {
                let s: RawSentenceBert = serde_json::from_slice(bytes)
                    .map_err(|e| Error::config("sentence_bert_config.json", e.to_string()))?;
                (
                    s.max_seq_length.unwrap_or(raw.max_position_embeddings),
                    s.do_lower_case,
                )
            }
        };
        if max_seq_length < 2 || max_seq_length > raw.max_position_embeddings {
            return Err(Error::config(
                "sentence_bert_config.json",
                format!(
                    "max_seq_length {max_seq_length} must be within 2..={}",
                    raw.max_position_embeddings
                ),
            ));
        }
        Ok(ModelSpec {
            hidden_size: raw.hidden_size,
            num_layers: raw.num_hidden_layers,
            num_heads: raw.num_attention_heads,
            intermediate_size: raw.intermediate_size,
            vocab_size: raw.vocab_size,
            max_position_embeddings: raw.max_position_embeddings,
            max_seq_length,
            pooling: pooling_mode,
            do_lower_case,
            layer_norm_eps: raw.layer_norm_eps,
            hidden_act: raw.hidden_act,
        })
    }
}
