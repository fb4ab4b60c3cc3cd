//! Text handling: tokenizer setup (and, later, normalisation, sections and chunks).

pub mod tokenizer;

pub use tokenizer::{TextTokenizer, TokenizedText};
