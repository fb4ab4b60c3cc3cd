//! A matrix product for the linear layers in wasm32: `x · Wᵀ + b` (optionally followed by
//! GELU) with the weight packed once, at load, into panels laid out for 128-bit SIMD.
//!
//! Why by hand: profiled in Chromium (`Profiler` over CDP on the worker, long texts), 83 % of
//! the time was in gemm's simd128 microkernel, which repacks the weight on every call and
//! computes a 12 × 4 tile with separate multiply and add. The weights of a linear layer never
//! change, so here they are packed once into panels of [`NR`] output columns interleaved
//! along the input dimension; a [`MR`] × [`NR`] tile of the output then needs, per input
//! element, two 4-lane loads of the panel and [`MR`] broadcasts of the input, feeding
//! `MR · NR / 4` independent accumulators. Bias and GELU are applied to the tile while it is
//! still in registers, so the expansion layer's output is written once.
//!
//! The lane type is the only platform-specific part: `v128` with simd128 intrinsics in
//! wasm32 (with `relaxed-simd`, the fused multiply-add), plain `[f32; 4]` elsewhere. The
//! tiling, packing and tails are the same code, checked natively against the
//! straightforward triple loop in the tests below.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use crate::error::Result;
use crate::model::kernels::gelu_erf;

/// Output columns per packed panel (two 4-lane vectors).
pub const NR: usize = 8;
/// Rows of the input per tile.
pub const MR: usize = 4;

/// What is applied to each output element after the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Epilogue {
    /// `+ bias`
    Bias,
    /// `gelu_erf(· + bias)`
    BiasGelu,
}

/// A weight matrix (out × in, row-major, as stored by Hugging Face) packed for [`matmul`].
#[derive(Debug, Clone)]
pub struct PackedWeight {
    out_dim: usize,
    in_dim: usize,
    /// `ceil(out/NR)` panels of `in · NR` values: panel p, input k, column c at
    /// `(p · in + k) · NR + c`; columns beyond `out` are zero.
    panels: Vec<f32>,
    /// `out` values, padded with zeros to whole panels.
    bias: Vec<f32>,
}

impl PackedWeight {
    /// Packs `weight` (out × in, row-major) and its bias (`out` values).
    ///
    /// Returns `None` when the slices do not have those lengths.
    pub fn new(weight: &[f32], bias: &[f32], out_dim: usize, in_dim: usize) -> Option<Self> {
        if weight.len() != out_dim.checked_mul(in_dim)? || bias.len() != out_dim {
            return None;
        }
        let panels_n = out_dim.div_ceil(NR);
        let mut panels = vec![0f32; panels_n * in_dim * NR];
        for (j, row) in weight.chunks_exact(in_dim.max(1)).enumerate().take(out_dim) {
            let (p, c) = (j / NR, j % NR);
            let base = p * in_dim * NR + c;
            for (k, &w) in row.iter().enumerate() {
                panels[base + k * NR] = w;
            }
        }
        let mut padded = bias.to_vec();
        padded.resize(panels_n * NR, 0.0);
        Some(Self {
            out_dim,
            in_dim,
            panels,
            bias: padded,
        })
    }

    /// Output width.
    pub fn out_dim(&self) -> usize {
        self.out_dim
    }

    /// Input width.
    pub fn in_dim(&self) -> usize {
        self.in_dim
    }
}

/// `out = epilogue(x · Wᵀ + b)` for `x` of `rows × in` (row-major); `out` is `rows × out`.
///
/// Returns `None` when the lengths do not match the weight's shape.
pub fn matmul(x: &[f32], w: &PackedWeight, epilogue: Epilogue, out: &mut [f32]) -> Option<()> {
    let (k, n) = (w.in_dim, w.out_dim);
    if k == 0 || x.len() % k != 0 {
        return None;
    }
    let rows = x.len() / k;
    if out.len() != rows.checked_mul(n)? {
        return None;
    }
    // Blocks of rows stay in cache while every panel streams past them once.
    for block in (0..rows).step_by(ROW_BLOCK) {
        let block_end = rows.min(block + ROW_BLOCK);
        for (p, panel) in w.panels.chunks_exact(k * NR).enumerate() {
            product_panel(x, k, n, panel, p, &w.bias, epilogue, block, block_end, out);
        }
    }
    Some(())
}

/// Rows per cache block (64 rows of 384 inputs are 96 KiB).
const ROW_BLOCK: usize = 64;

/// Output columns `p·NR ..` of rows `start..end`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn product_panel(
    x: &[f32],
    k: usize,
    n: usize,
    panel: &[f32],
    p: usize,
    bias: &[f32],
    epilogue: Epilogue,
    start: usize,
    end: usize,
    out: &mut [f32],
) {
    {
        let bias = &bias[p * NR..(p + 1) * NR];
        let cols = NR.min(n - p * NR);
        let mut r = start;
        while r < end {
            let mr = MR.min(end - r);
            let mut tile = [[0f32; NR]; MR];
            match mr {
                4 => tile_kernel::<4>(&x[r * k..], k, panel, &mut tile),
                3 => tile_kernel::<3>(&x[r * k..], k, panel, &mut tile),
                2 => tile_kernel::<2>(&x[r * k..], k, panel, &mut tile),
                _ => tile_kernel::<1>(&x[r * k..], k, panel, &mut tile),
            }
            for (i, t) in tile.iter().enumerate().take(mr) {
                let dst = &mut out[(r + i) * n + p * NR..(r + i) * n + p * NR + cols];
                match epilogue {
                    Epilogue::Bias => {
                        for ((d, &v), &b) in dst.iter_mut().zip(t).zip(bias) {
                            *d = v + b;
                        }
                    }
                    Epilogue::BiasGelu => {
                        for ((d, &v), &b) in dst.iter_mut().zip(t).zip(bias) {
                            *d = gelu_erf(v + b);
                        }
                    }
                }
            }
            r += mr;
        }
    }
}

/// [`matmul`] as a candle op on a contiguous f32 tensor whose last dimension is the
/// weight's input width.
#[derive(Debug, Clone, Copy)]
pub struct PackedLinear<'a> {
    weight: &'a PackedWeight,
    epilogue: Epilogue,
}

impl<'a> PackedLinear<'a> {
    /// The op for one weight and epilogue.
    pub fn new(weight: &'a PackedWeight, epilogue: Epilogue) -> Self {
        Self { weight, epilogue }
    }

    /// Applies it to `xs`.
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(xs.contiguous()?.apply_op1_no_bwd(self)?)
    }
}

impl CustomOp1 for PackedLinear<'_> {
    fn name(&self) -> &'static str {
        "packed-linear"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(data), Some((start, end))) = (storage, layout.contiguous_offsets())
        else {
            return Err(candle_core::Error::Msg(
                "packed-linear expects a contiguous f32 tensor".into(),
            ));
        };
        let mut dims = layout.dims().to_vec();
        let rows = data[start..end].len() / self.weight.in_dim.max(1);
        match dims.last_mut() {
            Some(last) if *last == self.weight.in_dim => *last = self.weight.out_dim,
            _ => {
                return Err(candle_core::Error::Msg(format!(
                    "packed-linear: input {:?} for a {} × {} weight",
                    layout.dims(),
                    self.weight.out_dim,
                    self.weight.in_dim
                )))
            }
        }
        let mut out = vec![0f32; rows * self.weight.out_dim];
        matmul(&data[start..end], self.weight, self.epilogue, &mut out).ok_or_else(|| {
            candle_core::Error::Msg("packed-linear: input and output lengths differ".into())
        })?;
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}

/// One `R × NR` tile: `tile[i][c] = Σ_k x[i·ld + k] · panel[k·NR + c]`.
#[inline(always)]
fn tile_kernel<const R: usize>(x: &[f32], ld: usize, panel: &[f32], tile: &mut [[f32; NR]; MR]) {
    let mut acc = [[lanes::zero(); 2]; R];
    // rows as long as the panel is deep, so the loop below needs no bounds checks
    let depth = panel.len() / NR;
    let rows: [&[f32]; R] = std::array::from_fn(|i| &x[i * ld..i * ld + depth]);
    for (k, w) in panel.chunks_exact(NR).enumerate() {
        let w0 = lanes::load(&w[0..4]);
        let w1 = lanes::load(&w[4..8]);
        for i in 0..R {
            let a = lanes::splat(rows[i][k]);
            acc[i][0] = lanes::madd(a, w0, acc[i][0]);
            acc[i][1] = lanes::madd(a, w1, acc[i][1]);
        }
    }
    for i in 0..R {
        lanes::store(acc[i][0], &mut tile[i][0..4]);
        lanes::store(acc[i][1], &mut tile[i][4..8]);
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    pub type V = v128;

    #[inline(always)]
    pub fn zero() -> V {
        f32x4_splat(0.0)
    }

    #[inline(always)]
    pub fn splat(x: f32) -> V {
        f32x4_splat(x)
    }

    #[inline(always)]
    pub fn load(s: &[f32]) -> V {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); v128_load allows unaligned reads.
        unsafe { v128_load(s.as_ptr() as *const v128) }
    }

    #[inline(always)]
    pub fn store(v: V, s: &mut [f32]) {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); v128_store allows unaligned writes.
        unsafe { v128_store(s.as_mut_ptr() as *mut v128, v) }
    }

    /// a · b + c
    #[inline(always)]
    pub fn madd(a: V, b: V, c: V) -> V {
        #[cfg(target_feature = "relaxed-simd")]
        {
            f32x4_relaxed_madd(a, b, c)
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        {
            f32x4_add(f32x4_mul(a, b), c)
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    pub type V = [f32; 4];

    #[inline(always)]
    pub fn zero() -> V {
        [0.0; 4]
    }

    #[inline(always)]
    pub fn splat(x: f32) -> V {
        [x; 4]
    }

    #[inline(always)]
    pub fn load(s: &[f32]) -> V {
        [s[0], s[1], s[2], s[3]]
    }

    #[inline(always)]
    pub fn store(v: V, s: &mut [f32]) {
        s[..4].copy_from_slice(&v);
    }

    /// a · b + c
    #[inline(always)]
    pub fn madd(a: V, b: V, c: V) -> V {
        std::array::from_fn(|i| a[i] * b[i] + c[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
            })
            .collect()
    }

    /// The straightforward product, in f64.
    fn reference(
        x: &[f32],
        w: &[f32],
        b: &[f32],
        rows: usize,
        k: usize,
        n: usize,
        gelu: bool,
    ) -> Vec<f64> {
        let mut out = vec![0f64; rows * n];
        for i in 0..rows {
            for j in 0..n {
                let mut s = b[j] as f64;
                for kk in 0..k {
                    s += x[i * k + kk] as f64 * w[j * k + kk] as f64;
                }
                out[i * n + j] = if gelu {
                    0.5 * s * (1.0 + candle_core::cpu::erf::erf_f64(s / std::f64::consts::SQRT_2))
                } else {
                    s
                };
            }
        }
        out
    }

    #[test]
    fn matches_the_triple_loop_for_every_tail() {
        // rows: whole tiles and 1–3 left over; out: whole panels and a partial one
        for (rows, k, n) in [
            (1, 1, 1),
            (4, 8, 8),
            (5, 7, 9),
            (7, 33, 17),
            (12, 64, 24),
            (3, 384, 13),
        ] {
            let x = values(rows * k, 1);
            let w = values(n * k, 2);
            let b = values(n, 3);
            let packed = PackedWeight::new(&w, &b, n, k).unwrap();
            for (epilogue, gelu) in [(Epilogue::Bias, false), (Epilogue::BiasGelu, true)] {
                let mut out = vec![f32::NAN; rows * n];
                matmul(&x, &packed, epilogue, &mut out).unwrap();
                let want = reference(&x, &w, &b, rows, k, n, gelu);
                for (i, (&got, &want)) in out.iter().zip(&want).enumerate() {
                    let tol = 1e-5 * (1.0 + (k as f64).sqrt());
                    assert!(
                        (got as f64 - want).abs() <= tol,
                        "{rows}×{k}×{n} {epilogue:?} [{i}]: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn rejects_mismatched_lengths() {
        assert!(PackedWeight::new(&[0.0; 6], &[0.0; 2], 2, 4).is_none());
        assert!(PackedWeight::new(&[0.0; 8], &[0.0; 3], 2, 4).is_none());
        let w = PackedWeight::new(&[0.0; 8], &[0.0; 2], 2, 4).unwrap();
        let mut out = vec![0.0; 4];
        assert!(matmul(&[0.0; 7], &w, Epilogue::Bias, &mut out).is_none());
        assert!(matmul(&[0.0; 8], &w, Epilogue::Bias, &mut out[..3]).is_none());
        assert!(matmul(&[0.0; 8], &w, Epilogue::Bias, &mut out).is_some());
    }
}
