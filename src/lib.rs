//! # cvmatch
//!
//! Resume-to-job matching on a sentence encoder (all-MiniLM-L6-v2 and other BERT-family
//! sentence-transformers models) that runs natively and, compiled to WebAssembly, in a
//! browser's Web Worker. The core takes bytes and text and returns numbers: it knows no
//! filesystem and no browser.
//!
//! ```no_run
//! # fn main() -> cvmatch::Result<()> {
//! let encoder = cvmatch::model_dir::load_encoder(
//!     std::path::Path::new("models/all-MiniLM-L6-v2"),
//!     "f32",
//! )?;
//! let v = encoder.encode(&["Senior Rust engineer", "Backend developer (Rust, Go)"])?;
//! let cosine: f32 = v[0].vector.iter().zip(&v[1].vector).map(|(a, b)| a * b).sum();
//! println!("{cosine:.3}");
//! # Ok(())
//! # }
//! ```

pub mod document;
pub mod error;
pub mod guard;
pub mod index;
pub mod jsonl;
pub mod limits;
pub mod manifest;
pub mod matching;
pub mod model;
pub mod skills;
pub mod stats;
pub mod text;

#[cfg(not(target_arch = "wasm32"))]
pub mod model_dir;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use error::{Error, Result};
pub use model::{Embedding, Encoder, ModelFiles, ModelSpec, Pooling, WeightsFormat};

/// Cosine similarity of two vectors (dot product divided by both norms; 0 for a zero vector).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}
