//! Pooling token vectors into one vector per text, then L2 normalisation.

use candle_core::{DType, Tensor, D};

use crate::error::Result;
use crate::model::Pooling;

/// Pools `hidden` (batch × tokens × dim) over real tokens only, as marked by `mask`
/// (batch × tokens, 1 for a real token, 0 for padding), and L2-normalises each row.
pub fn pool_and_normalize(hidden: &Tensor, mask: &Tensor, mode: Pooling) -> Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // b × t × 1
    let pooled = match mode {
        Pooling::Mean => {
            // b × d, then counts clamped like sentence-transformers (min 1e-9) so that an
            // all-padding row stays finite
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?; // b × 1
            summed.broadcast_div(&counts)?
        }
        Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1)?,
        Pooling::Max => {
            // padded positions get a very low value so they never win the max
            let penalty = ((mask.ones_like()? - &mask)? * -1e9)?;
            hidden.broadcast_add(&penalty)?.max(1)?
        }
    };
    let norms = pooled
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12, f64::MAX)?;
    Ok(pooled.broadcast_div(&norms)?)
}
