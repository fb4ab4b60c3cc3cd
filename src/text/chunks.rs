//! Packing lines into chunks the encoder sees whole: at most `max_seq_length` tokens each,
//! special tokens included, so that no part of a long document is silently cut off.

use crate::error::Result;

/// Counts and cuts text in model tokens; implemented by the model's tokenizer
/// (`crate::model::tokenizer::TextTokenizer`) and, in tests, by simpler stand-ins.
pub trait TokenCounter {
    /// Tokens of `text`, special tokens included, untruncated.
    fn count_tokens(&self, text: &str) -> Result<usize>;
    /// Byte offsets of each token of `text`, special tokens excluded.
    fn token_offsets(&self, text: &str) -> Result<Vec<(usize, usize)>>;
}

/// Tokens a chunk spends on special tokens ([CLS] and [SEP]).
const SPECIAL_TOKENS: usize = 2;

/// Packs lines, in order, into chunks of at most `max_tokens` tokens (special tokens
/// included), joined with `\n`. A line longer than a chunk is cut at token boundaries into
/// pieces that fit. Every token of every line lands in exactly one chunk.
pub fn pack_lines<T: TokenCounter + ?Sized>(
    counter: &T,
    lines: &[&str],
    max_tokens: usize,
) -> Result<Vec<String>> {
    let budget = max_tokens.saturating_sub(SPECIAL_TOKENS).max(1);
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut used = 0usize;
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = counter.count_tokens(line)?.saturating_sub(SPECIAL_TOKENS);
        if n > budget {
            if !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
                used = 0;
            }
            chunks.extend(split_long_line(counter, line, budget)?);
            continue;
        }
        if used + n > budget && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            used = 0;
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        used += n;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    Ok(chunks)
}

/// Cuts one line into pieces of at most `budget` tokens, at token boundaries.
fn split_long_line<T: TokenCounter + ?Sized>(
    counter: &T,
    line: &str,
    budget: usize,
) -> Result<Vec<String>> {
    let offsets = counter.token_offsets(line)?;
    // A cut inside a word can re-tokenize into a few more pieces: keep a small margin.
    let per_piece = budget.saturating_sub(budget / 16).max(1);
    let mut pieces = Vec::new();
    for group in offsets.chunks(per_piece) {
        let (start, end) = match (group.first(), group.last()) {
            (Some(first), Some(last)) => (first.0, last.1),
            _ => continue,
        };
        if let Some(piece) = line.get(start..end) {
            let piece = piece.trim();
            if !piece.is_empty() {
                pieces.push(piece.to_string());
            }
        }
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One token per whitespace-separated word, plus two special tokens.
    struct Words;
    impl TokenCounter for Words {
        fn count_tokens(&self, text: &str) -> Result<usize> {
            Ok(text.split_whitespace().count() + 2)
        }
        fn token_offsets(&self, text: &str) -> Result<Vec<(usize, usize)>> {
            let mut out = Vec::new();
            let mut start = None;
            for (i, c) in text.char_indices() {
                match (c.is_whitespace(), start) {
                    (false, None) => start = Some(i),
                    (true, Some(s)) => {
                        out.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                out.push((s, text.len()));
            }
            Ok(out)
        }
    }

    #[test]
    fn packs_lines_under_the_limit() {
        let lines = ["a b c", "d e", "f g h i", "j"];
        let chunks = pack_lines(&Words, &lines, 7).unwrap();
        assert_eq!(chunks, vec!["a b c\nd e", "f g h i\nj"]);
        for c in &chunks {
            assert!(Words.count_tokens(c).unwrap() <= 7);
        }
    }

    #[test]
    fn long_line_is_cut_at_token_boundaries_and_nothing_is_lost() {
        let long: Vec<String> = (0..23).map(|i| format!("w{i}")).collect();
        let long = long.join(" ");
        let chunks = pack_lines(&Words, &["head", &long, "tail"], 12).unwrap();
        assert_eq!(chunks.len(), 5);
        assert_eq!(chunks[0], "head");
        assert!(chunks.iter().all(|c| Words.count_tokens(c).unwrap() <= 12));
        let words: usize = chunks.iter().map(|c| c.split_whitespace().count()).sum();
        assert_eq!(words, 25);
    }

    #[test]
    fn empty_input_gives_no_chunks() {
        assert!(pack_lines(&Words, &[], 256).unwrap().is_empty());
        assert!(pack_lines(&Words, &["  "], 256).unwrap().is_empty());
    }
}
