//! Text handling: normalisation, sections, requirement/evidence lines and chunks. Knows
//! nothing of the model (the tokenizer lives in [`crate::model::tokenizer`]).

pub mod chunks;
pub mod lines;
pub mod normalize;
pub mod sections;
