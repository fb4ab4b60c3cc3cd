//! Text handling: tokenizer setup (and, later, normalisation, sections and chunks).

pub mod chunks;
pub mod lines;
pub mod normalize;
pub mod sections;
pub mod tokenizer;

pub use tokenizer::{TextTokenizer, TokenizedText};
