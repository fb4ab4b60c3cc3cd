//! Tokenizer setup: the model's `tokenizer.json` with sentence-transformers' limits.
//!
//! all-MiniLM-L6-v2's `tokenizer.json` bakes in truncation at 128 and fixed padding to 128;
//! sentence-transformers truncates at `max_seq_length` (256) and pads to the longest text
//! in the batch. We override both so that token ids match it exactly.

use std::ops::Range;

use tokenizers::{
    PaddingDirection, PaddingParams, PaddingStrategy, Tokenizer, TruncationDirection,
    TruncationParams, TruncationStrategy,
};

use crate::error::{Error, Result};
use crate::model::ModelSpec;

/// One text as the encoder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizedText {
    /// Token ids, special tokens included, at most `max_seq_length`.
    pub ids: Vec<u32>,
    /// Whether the text had more tokens than the model sees.
    pub truncated: bool,
}

/// A tokenizer configured for a [`ModelSpec`].
#[derive(Clone)]
pub struct TextTokenizer {
    truncating: Tokenizer,
    counting: Tokenizer,
    lowercase: bool,
    max_seq_length: usize,
    pad_id: u32,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer")
            .field("max_seq_length", &self.max_seq_length)
            .field("lowercase", &self.lowercase)
            .finish()
    }
}

impl TextTokenizer {
    /// Builds the tokenizer from `tokenizer.json` bytes, truncating at
    /// `spec.max_seq_length` (special tokens included) and padding to the batch's longest.
    pub fn from_bytes(tokenizer_json: &[u8], spec: &ModelSpec) -> Result<Self> {
        crate::guard::tokenizer_json(tokenizer_json)?; // inputs tokenizers panics on
        let mut base = Tokenizer::from_bytes(tokenizer_json)
            .map_err(|e| Error::Tokenizer(format!("tokenizer.json: {e}")))?;
        let pad_id = match base.get_padding() {
            Some(p) => p.pad_id,
            None => base.token_to_id("[PAD]").unwrap_or(0),
        };
        let pad_token = base
            .get_padding()
            .map(|p| p.pad_token.clone())
            .unwrap_or_else(|| "[PAD]".to_string());
        base.with_padding(None);
        base.with_truncation(None)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let counting = base.clone();
        let mut truncating = base;
        truncating
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: spec.max_seq_length,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        truncating.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            pad_id,
            pad_type_id: 0,
            pad_token,
        }));
        Ok(Self {
            truncating,
            counting,
            lowercase: spec.do_lower_case,
            max_seq_length: spec.max_seq_length,
            pad_id,
        })
    }

    /// Tokens the encoder sees per text, special tokens included.
    pub fn max_seq_length(&self) -> usize {
        self.max_seq_length
    }

    /// The padding token id.
    pub fn pad_id(&self) -> u32 {
        self.pad_id
    }

    fn prepare<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.lowercase {
            std::borrow::Cow::Owned(text.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }

    /// Token ids of one text, truncated to `max_seq_length`, no padding.
    pub fn tokenize(&self, text: &str) -> Result<TokenizedText> {
        let enc = self
            .truncating
            .encode(self.prepare(text).as_ref(), true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(TokenizedText {
            ids: enc.get_ids().to_vec(),
            truncated: !enc.get_overflowing().is_empty(),
        })
    }

    /// Token ids of several texts, truncated, unpadded (padding happens per batch).
    pub fn tokenize_all(&self, texts: &[&str]) -> Result<Vec<TokenizedText>> {
        texts.iter().map(|t| self.tokenize(t)).collect()
    }

    /// How many tokens a text has, special tokens included, without truncation.
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        let enc = self
            .counting
            .encode(self.prepare(text).as_ref(), true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(enc.len())
    }

    /// Byte offsets (start, end) in `text` of each token without special tokens,
    /// untruncated. Used to cut long texts at token boundaries.
    pub fn token_offsets(&self, text: &str) -> Result<Vec<(usize, usize)>> {
        // Lowercasing can change byte lengths (rare non-ASCII cases); offsets are then
        // taken on the original text, which the tokenizer lowercases itself anyway.
        let enc = self
            .counting
            .encode(text, false)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(enc.get_offsets().to_vec())
    }

    /// [`TextTokenizer::tokenize`], and for each byte range of `text` the range of token
    /// positions (in the returned ids, so `[CLS]` is position 0) whose characters lie inside
    /// it: what [`crate::model::Encoder::encode_with_spans`] pools for late chunking.
    /// `None` for a range that holds no token or that truncation cut (part of it is
    /// past the last token the model sees), or that does not fall on char boundaries.
    pub fn tokenize_spans(
        &self,
        text: &str,
        spans: &[Range<usize>],
    ) -> Result<(TokenizedText, Vec<Option<Range<usize>>>)> {
        let prepared = self.prepare(text);
        let enc = self
            .truncating
            .encode(prepared.as_ref(), true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let offsets = enc.get_offsets();
        let special = enc.get_special_tokens_mask();
        let truncated = !enc.get_overflowing().is_empty();
        // Offsets are in the text the tokenizer saw; lowercasing may change byte lengths
        // (a few non-ASCII letters), so map the caller's byte positions onto it. Per char:
        // `str::to_lowercase` differs from `char::to_lowercase` only for a final sigma,
        // which has the same UTF-8 length either way.
        let same_bytes = matches!(prepared, std::borrow::Cow::Borrowed(_)) || text.is_ascii();
        let lowered_at = |pos: usize| -> Option<usize> {
            if !text.is_char_boundary(pos) {
                return None;
            }
            if same_bytes {
                return Some(pos);
            }
            // O(pos) per range: bounded by the text, one chunk of at most max_seq_length
            // tokens in late chunking.
            Some(
                text.get(..pos)?
                    .chars()
                    .map(|c| c.to_lowercase().map(char::len_utf8).sum::<usize>())
                    .sum(),
            )
        };
        // Positions of the real (not special) tokens; the end of the last one kept: a
        // range reaching past it was cut by truncation.
        let real: Vec<usize> = (0..offsets.len())
            .filter(|&i| special.get(i).copied().unwrap_or(1) == 0)
            .collect();
        let kept_end = real.last().map_or(0, |&i| offsets[i].1);
        let mut out = Vec::with_capacity(spans.len());
        for span in spans {
            let (Some(start), Some(end)) = (lowered_at(span.start), lowered_at(span.end)) else {
                out.push(None);
                continue;
            };
            if truncated && end > kept_end {
                out.push(None);
                continue;
            }
            // Real tokens are in text order, so the ones inside the range are consecutive:
            // a binary search finds the first (O(log n) per range), then a walk to the last.
            let k = real.partition_point(|&i| offsets[i].0 < start);
            let Some(&first) = real.get(k) else {
                out.push(None);
                continue;
            };
            let mut last = first; // exclusive
            for &i in real.get(k..).unwrap_or(&[]) {
                if i != last || offsets[i].1 > end {
                    break;
                }
                last = i + 1;
            }
            out.push((last > first).then_some(first..last));
        }
        Ok((
            TokenizedText {
                ids: enc.get_ids().to_vec(),
                truncated,
            },
            out,
        ))
    }

    /// Ids and attention mask for one batch, padded to its longest text.
    pub fn pad_batch(&self, batch: &[&TokenizedText]) -> (Vec<u32>, Vec<u32>, usize) {
        let width = batch.iter().map(|t| t.ids.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(batch.len() * width);
        let mut mask = Vec::with_capacity(batch.len() * width);
        for t in batch {
            ids.extend_from_slice(&t.ids);
            mask.extend(std::iter::repeat_n(1u32, t.ids.len()));
            ids.extend(std::iter::repeat_n(self.pad_id, width - t.ids.len()));
            mask.extend(std::iter::repeat_n(0u32, width - t.ids.len()));
        }
        (ids, mask, width)
    }
}

impl crate::text::chunks::TokenCounter for TextTokenizer {
    fn count_tokens(&self, text: &str) -> Result<usize> {
        TextTokenizer::count_tokens(self, text)
    }
    fn token_offsets(&self, text: &str) -> Result<Vec<(usize, usize)>> {
        TextTokenizer::token_offsets(self, text)
    }
}
