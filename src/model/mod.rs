//! The model: its specification, weights (f32, f16, q8) and their conversion, the BERT
//! network, pooling, and the encoder built from them.

pub mod batching;
pub mod bert;
pub mod convert;
pub mod encoder;
pub mod gemm;
pub mod gguf;
pub mod kernels;
pub mod pooling;
pub mod qgemm;
pub mod spec;
pub mod tokenizer;
pub mod weights;

pub use batching::PaddingStats;
pub use encoder::{Embedding, Encoder, LoadOptions, LoadTimings, ModelFiles, DEFAULT_BATCH_SIZE};
pub use spec::{ModelSpec, Pooling};
pub use weights::WeightsFormat;
