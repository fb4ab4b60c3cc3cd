//! Brute-force search: the query is quantized to int8 once, then every row is one tight
//! `i8 × i8 → i32` dot product (vectorised by the compiler, natively and with wasm SIMD),
//! scaled by both scales. Top-k keeps a small min-heap; nothing is allocated per row.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::{Error, Result};
use crate::index::quant::{quantize, QuantizedRows};
use crate::index::{JobIndex, JobMeta};

/// One search result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The job's position in the index.
    pub index: usize,
    /// Approximate cosine of query and job (int8 × int8, within about 1e-3 of exact).
    pub score: f32,
}

/// Heap entry ordered so that the heap's top is the worst kept hit (lowest score, then the
/// highest index: ties go to the earlier job).
struct Worst(Hit);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.index.cmp(&other.0.index))
    }
}

/// The dot product of two int8 slices, accumulated in i32.
#[inline]
pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter().zip(b).map(|(&x, &y)| x as i32 * y as i32).sum()
}

/// The `top` rows with the highest approximate dot product with `query`, best first, among
/// the rows `keep(i)` accepts (`top` is clamped to the number of rows).
pub fn top_k(
    rows: &QuantizedRows,
    query: &[f32],
    top: usize,
    mut keep: impl FnMut(usize) -> bool,
) -> Vec<Hit> {
    let top = top.min(rows.len());
    let (q, q_scale) = quantize(query);
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(top + 1);
    if top == 0 || rows.dim == 0 {
        return Vec::new();
    }
    for (index, (row, &scale)) in rows
        .values
        .chunks_exact(rows.dim)
        .zip(&rows.scales)
        .enumerate()
    {
        let score = dot_i8(row, &q) as f32 * (scale * q_scale);
        if heap.len() == top {
            let worst = heap.peek().map_or(f32::NEG_INFINITY, |w| w.0.score);
            if score <= worst {
                continue;
            }
        }
        if !keep(index) {
            continue;
        }
        heap.push(Worst(Hit { index, score }));
        if heap.len() > top {
            heap.pop();
        }
    }
    let mut hits: Vec<Hit> = heap.into_iter().map(|w| w.0).collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    hits
}

impl JobIndex {
    /// The `top` jobs closest to `query` (a unit vector from the same encoder), best first.
    pub fn search(&self, query: &[f32], top: usize) -> Result<Vec<Hit>> {
        self.search_filtered(query, top, |_, _| true)
    }

    /// Like [`JobIndex::search`], among the jobs `filter(position, metadata)` accepts (it is
    /// called only for jobs that would enter the current top `top`).
    pub fn search_filtered(
        &self,
        query: &[f32],
        top: usize,
        mut filter: impl FnMut(usize, &JobMeta) -> bool,
    ) -> Result<Vec<Hit>> {
        if query.len() != self.dim() {
            return Err(Error::Index(format!(
                "the query has {} dimensions, the index {}",
                query.len(),
                self.dim()
            )));
        }
        Ok(top_k(&self.vectors, query, top, |i| {
            self.jobs.get(i).is_some_and(|m| filter(i, m))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(vs: &[Vec<f32>]) -> QuantizedRows {
        let mut r = QuantizedRows::new(vs[0].len());
        for v in vs {
            r.push(v);
        }
        r
    }

    #[test]
    fn best_first_ties_to_earlier_and_filter_applies() {
        let r = rows(&[
            vec![1.0, 0.0],
            vec![0.0, 1.0],
            vec![0.6, 0.8],
            vec![0.6, 0.8],
            vec![-1.0, 0.0],
        ]);
        let hits = top_k(&r, &[0.0, 1.0], 3, |_| true);
        let idx: Vec<usize> = hits.iter().map(|h| h.index).collect();
        assert_eq!(idx, vec![1, 2, 3]);
        assert!((hits[0].score - 1.0).abs() < 0.02);
        let hits = top_k(&r, &[0.0, 1.0], 2, |i| i != 1);
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), vec![2, 3]);
        assert!(top_k(&r, &[0.0, 1.0], 0, |_| true).is_empty());
        assert_eq!(top_k(&r, &[1.0, 0.0], 10, |_| true).len(), 5);
        // A huge `top` is clamped to the rows, not allocated.
        assert_eq!(top_k(&r, &[1.0, 0.0], usize::MAX, |_| true).len(), 5);
    }
}
