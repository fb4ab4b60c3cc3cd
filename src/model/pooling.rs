//! Pooling token vectors into one vector per text, then L2 normalisation.

use std::ops::Range;

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

/// Mean-pools token spans of each text of a batch from its final states `hidden` (batch ×
/// tokens × dim) and L2-normalises each: late chunking's line vectors. `spans[i]` lists
/// token position ranges of text `i` (`None` stays `None`; a range is clipped to the
/// batch's width, and one left empty gives `None`). One matrix product per pass: a
/// weight of 1/len on each span's tokens (batch × spans × tokens) times `hidden`.
pub fn pool_spans(
    hidden: &Tensor,
    spans: &[&[Option<Range<usize>>]],
) -> Result<Vec<Vec<Option<Vec<f32>>>>> {
    let (n, width, _) = hidden.dims3()?;
    let most = spans.iter().map(|s| s.len()).max().unwrap_or(0);
    if most == 0 {
        return Ok(vec![Vec::new(); n]);
    }
    let clip = |r: &Option<Range<usize>>| -> Option<Range<usize>> {
        r.as_ref()
            .map(|r| r.start.min(width)..r.end.min(width))
            .filter(|r| !r.is_empty())
    };
    let mut weights = vec![0f32; n * most * width];
    for (i, text_spans) in spans.iter().enumerate().take(n) {
        for (k, span) in text_spans.iter().enumerate() {
            if let Some(r) = clip(span) {
                let w = 1.0 / r.len() as f32;
                let row = (i * most + k) * width;
                weights[row + r.start..row + r.end].fill(w);
            }
        }
    }
    let weights = Tensor::from_vec(weights, (n, most, width), hidden.device())?;
    let pooled = weights.matmul(&hidden.to_dtype(DType::F32)?.contiguous()?)?; // n × most × d
    let norms = pooled
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .clamp(1e-12, f64::MAX)?;
    let rows = pooled.broadcast_div(&norms)?.to_vec3::<f32>()?;
    Ok(rows
        .into_iter()
        .zip(
            spans
                .iter()
                .chain(std::iter::repeat(&(&[] as &[Option<Range<usize>>]))),
        )
        .map(|(text_rows, text_spans)| {
            text_spans
                .iter()
                .zip(text_rows)
                .map(|(span, v)| clip(span).map(|_| v))
                .collect()
        })
        .collect())
}
