//! Cutting texts into forward passes by a budget of padded tokens.
//!
//! Every text of a batch is padded to the batch's longest, and the network computes the
//! padding like real tokens. Cutting batches by *count* (32 texts) after sorting by length
//! mixes 20-token lines with 256-token chunks in one batch and pads them all to 256. Here
//! the texts are sorted by length and cut where the total cost is least, with a cap on the
//! padded tokens of one batch (the memory of its activations) and on its number of texts.
//!
//! The cut is an exact dynamic programme over the sorted lengths (hand-written: it is a
//! dozen lines and no crate does this): `cost(i)` = least cost of the first `i` texts, each
//! batch costing its padded tokens (weighted for attention, which grows with the square of
//! the width) plus a fixed [`BATCH_OVERHEAD_TOKENS`] for the per-pass work (launching ~100
//! small operations). It is O(n × max_texts): linear in the number of texts.

use std::ops::Range;

/// Padded tokens one forward pass may hold by default: natively 8 texts of 256 tokens (64
/// of 32); in wasm32 half that. Bounds the activations (the attention scores of 8 × 256
/// tokens with 12 heads are 25 MB, and wasm memory never shrinks: the worker's memory
/// target is 100 MB).
pub const DEFAULT_TOKEN_BUDGET: usize = if cfg!(target_arch = "wasm32") {
    1024
} else {
    2048
};

/// Texts one forward pass may hold by default, whatever their length.
pub const DEFAULT_MAX_TEXTS: usize = 64;

/// The fixed cost of one forward pass, in padded tokens: measured natively, a pass costs
/// about what 8 extra tokens of a short text cost (the per-operation overhead of ~100
/// tensor operations). It makes the planner prefer a few percent of padding over many
/// tiny batches.
pub const BATCH_OVERHEAD_TOKENS: f64 = 8.0;

/// Width at which attention costs as much per token as the linear layers (6 × hidden
/// for BERT: 24·h² flops per token in the linear layers against 4·h per pair of tokens in
/// attention; 2304 for 384 dims).
fn attention_width(hidden: usize) -> f64 {
    (6 * hidden.max(1)) as f64
}

/// How much padding a set of batches computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PaddingStats {
    /// Forward passes.
    pub batches: u64,
    /// Real tokens (special tokens included).
    pub tokens: u64,
    /// Tokens computed: the real ones and their padding.
    pub padded_tokens: u64,
}

impl PaddingStats {
    /// The share of computed tokens that were padding (0 when nothing was computed).
    pub fn waste(&self) -> f64 {
        if self.padded_tokens == 0 {
            0.0
        } else {
            (self.padded_tokens - self.tokens.min(self.padded_tokens)) as f64
                / self.padded_tokens as f64
        }
    }

    /// Adds another run's counts.
    pub fn add(&mut self, other: PaddingStats) {
        self.batches += other.batches;
        self.tokens += other.tokens;
        self.padded_tokens += other.padded_tokens;
    }
}

/// Limits of one forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Padded tokens per pass (a single text longer than this still gets its own pass).
    pub token_budget: usize,
    /// Texts per pass (at least 1).
    pub max_texts: usize,
    /// The model's hidden size (weighs attention against the linear layers).
    pub hidden: usize,
}

/// Cuts `sorted` (token lengths, ascending) into consecutive ranges, one per forward pass,
/// at the least total cost within `limits`. Every index is in exactly one range.
pub fn plan(sorted: &[usize], limits: BatchLimits) -> Vec<Range<usize>> {
    let n = sorted.len();
    let max_texts = limits.max_texts.max(1);
    let width = attention_width(limits.hidden);
    // cost[i]: least cost of the first i texts; from[i]: where its last batch starts.
    let mut cost = vec![f64::INFINITY; n + 1];
    let mut from = vec![0usize; n + 1];
    cost[0] = 0.0;
    for i in 1..=n {
        let longest = sorted[i - 1] as f64;
        let per_text = longest * (1.0 + longest / width);
        for count in 1..=max_texts.min(i) {
            if count > 1 && count * sorted[i - 1] > limits.token_budget {
                break;
            }
            let j = i - count;
            let c = cost[j] + count as f64 * per_text + BATCH_OVERHEAD_TOKENS;
            if c < cost[i] {
                cost[i] = c;
                from[i] = j;
            }
        }
    }
    let mut ranges = Vec::new();
    let mut i = n;
    while i > 0 {
        ranges.push(from[i]..i);
        i = from[i];
    }
    ranges.reverse();
    ranges
}

/// The cut this module replaces, kept for comparison (`cvmatch bench --batch-by-count`):
/// consecutive runs of `max_texts` texts, whatever their lengths.
pub fn plan_by_count(n: usize, max_texts: usize) -> Vec<Range<usize>> {
    let step = max_texts.max(1);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

/// The padding of `ranges` over `sorted` (as [`plan`] cut them).
pub fn padding_of(sorted: &[usize], ranges: &[Range<usize>]) -> PaddingStats {
    let mut stats = PaddingStats::default();
    for r in ranges {
        let Some(slice) = sorted.get(r.clone()) else {
            continue;
        };
        let widest = slice.iter().copied().max().unwrap_or(0);
        stats.batches += 1;
        stats.tokens += slice.iter().sum::<usize>() as u64;
        stats.padded_tokens += (widest * slice.len()) as u64;
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: BatchLimits = BatchLimits {
        token_budget: 2048,
        max_texts: 64,
        hidden: 384,
    };

    fn covers(ranges: &[Range<usize>], n: usize) -> bool {
        let mut next = 0;
        for r in ranges {
            if r.start != next || r.end <= r.start {
                return false;
            }
            next = r.end;
        }
        next == n
    }

    #[test]
    fn lines_and_chunks_are_not_mixed() {
        // 85 lines of 8–40 tokens and two 256-token chunks, as one resume and job.
        let mut lens: Vec<usize> = (0..85).map(|i| 8 + (i * 37) % 33).collect();
        lens.extend([256, 256]);
        lens.sort_unstable();
        let ranges = plan(&lens, LIMITS);
        assert!(covers(&ranges, lens.len()));
        let stats = padding_of(&lens, &ranges);
        assert!(stats.waste() <= 0.10, "waste {}", stats.waste());
        // the chunks share a batch with no line
        let last = ranges.last().unwrap();
        assert_eq!(last.clone().map(|i| lens[i]).min(), Some(256));
        // count-based cutting (batches of 32) would waste far more
        let by_count = plan_by_count(lens.len(), 32);
        assert!(covers(&by_count, lens.len()));
        assert!(padding_of(&lens, &by_count).waste() > 0.3);
    }

    #[test]
    fn limits_hold_and_empty_is_empty() {
        assert!(plan(&[], LIMITS).is_empty());
        let lens = vec![300; 20]; // longer than budget / 2: one text per pass
        let ranges = plan(
            &lens,
            BatchLimits {
                token_budget: 512,
                ..LIMITS
            },
        );
        assert!(covers(&ranges, 20));
        assert!(ranges.iter().all(|r| r.len() == 1));
        let short = vec![4; 1000];
        let ranges = plan(&short, LIMITS);
        assert!(covers(&ranges, 1000));
        assert!(ranges.iter().all(|r| r.len() <= 64));
        assert_eq!(padding_of(&short, &ranges).waste(), 0.0);
        let one = plan(
            &short,
            BatchLimits {
                max_texts: 0,
                ..LIMITS
            },
        );
        assert!(one.iter().all(|r| r.len() == 1));
    }
}
