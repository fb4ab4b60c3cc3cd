//! The model: its specification, weights, pooling and the encoder built from them.

pub mod encoder;
pub mod pooling;
pub mod spec;
pub mod weights;

pub use encoder::{Embedding, Encoder, LoadTimings, ModelFiles, DEFAULT_BATCH_SIZE};
pub use spec::{ModelSpec, Pooling};
pub use weights::WeightsFormat;
