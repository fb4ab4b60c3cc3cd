//! An 8-bit matrix product for the linear layers of a q8 model: `x · Wᵀ + b` (optionally
//! followed by GELU) with the weight kept as Q8_0 blocks (32 int8 values and one scale per
//! output column) and each row of `x` quantised to int16 with one scale per row.
//!
//! This is how ONNX Runtime's wasm `MlasGemmU8X8` kernels (which transformers.js runs on q8
//! models) get their speed: products of 16-bit integers on `i32x4.dot_i16x8_s` (baseline
//! SIMD, in every current browser), which multiplies eight pairs and adds neighbours into
//! four 32-bit lanes, twice the work of an f32x4 multiply-add per instruction and a quarter of
//! the weight bytes to stream. Unlike candle's Q8_0 matmul (which also rounds activations to
//! 8 bits, and so costs parity), activations keep 16 bits: the result equals dequantised q8
//! to within ~1e-4 relative.
//!
//! Layout: the weight is packed once, at load, into panels of [`NR`] output columns; within a
//! panel the inputs come in pairs, `[w(c0,k) w(c0,k+1) w(c1,k) w(c1,k+1) …]`, so that one
//! `i16x8.load8x8_s` of the panel and one 32-bit splat of an input pair feed
//! `i32x4.dot_i16x8_s` for four columns. Sums of a 32-input block stay in int32 (at most
//! 32 · 32767 · 127 < 2³¹) and are scaled into f32 accumulators once per block; the row's
//! scale, the bias and GELU are applied to the tile while it is in registers.
//!
//! The lane type is the only platform-specific part (as in [`crate::model::gemm`]):
//! simd128 in wasm32, `_mm_madd_epi16` (SSE2, the same product) on x86_64, plain arrays
//! elsewhere. The same code is checked natively against the straightforward loops below.
//!
//! The relaxed-SIMD build (`+relaxed-simd`, scripts/build_wasm.sh) fuses the per-block
//! scaling into `f32x4.relaxed_madd` and keeps `i32x4.dot_i16x8_s` for the products:
//! `i32x4.relaxed_dot_i8x16_i7x16_add_s` multiplies int8 by a 7-bit operand, and neither
//! operand can be 7 bits here without losing parity. The weights are Q8_0 (±127). The
//! activations rounded to 7 bits (±63) give a min cosine to sentence-transformers of 0.9607
//! with one scale per row and 0.9966 with one per block of 32 (measured natively on the 74
//! parity texts, by rounding this kernel's input), against 0.99936 with int16 activations
//! and the 0.999 required.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use crate::error::Result;
use crate::model::gemm::Epilogue;
use crate::model::kernels::gelu_erf;

/// Inputs per block (one scale per block and output column, as Q8_0).
pub const BLOCK: usize = 32;
/// Output columns per packed panel.
pub const NR: usize = 8;
/// Rows of the input per tile.
pub const MR: usize = 4;

/// A weight matrix (out × in) as Q8_0 blocks, packed for [`matmul`].
#[derive(Debug, Clone)]
pub struct Q8Weight {
    out_dim: usize,
    in_dim: usize,
    /// `in` rounded up to whole blocks.
    padded_in: usize,
    /// `ceil(out/NR)` panels of `padded_in · NR` int8: panel p, input pair t, column c,
    /// at `(p · padded_in / 2 + t) · 2·NR + 2·c + {0, 1}`.
    panels: Vec<i8>,
    /// Per panel, block and column: `(p · blocks + b) · NR + c`.
    scales: Vec<f32>,
    /// `out` values, padded with zeros to whole panels.
    bias: Vec<f32>,
}

impl Q8Weight {
    /// Quantises `weight` (out × in, row-major) into Q8_0 blocks (scale = max |w| / 127 per
    /// 32 inputs, values rounded to the nearest) and packs it with its bias.
    ///
    /// Weights read from a Q8_0 file and expanded to f32 (`d · q`) come back to the same
    /// integers: their largest value in a block is `±127 · d`. Scaling a layer beforehand
    /// (the query's 1/√d) only scales `d`.
    ///
    /// Returns `None` when the slices do not have those lengths.
    pub fn quantize(weight: &[f32], bias: &[f32], out_dim: usize, in_dim: usize) -> Option<Self> {
        if in_dim == 0 || weight.len() != out_dim.checked_mul(in_dim)? || bias.len() != out_dim {
            return None;
        }
        let padded_in = in_dim.div_ceil(BLOCK) * BLOCK;
        let blocks = padded_in / BLOCK;
        let panels_n = out_dim.div_ceil(NR);
        let mut panels = vec![0i8; panels_n * padded_in * NR];
        let mut scales = vec![0f32; panels_n * blocks * NR];
        for (j, row) in weight.chunks_exact(in_dim).enumerate() {
            let (p, c) = (j / NR, j % NR);
            for (b, block) in row.chunks(BLOCK).enumerate() {
                let amax = block.iter().fold(0f32, |m, &w| m.max(w.abs()));
                let d = amax / 127.0;
                let inv = if d > 0.0 { 1.0 / d } else { 0.0 };
                scales[(p * blocks + b) * NR + c] = d;
                for (i, &w) in block.iter().enumerate() {
                    let k = b * BLOCK + i;
                    let q = (w * inv).round().clamp(-127.0, 127.0) as i8;
                    panels[(p * padded_in / 2 + k / 2) * 2 * NR + 2 * c + k % 2] = q;
                }
            }
        }
        let mut padded = bias.to_vec();
        padded.resize(panels_n * NR, 0.0);
        Some(Self {
            out_dim,
            in_dim,
            padded_in,
            panels,
            scales,
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

    /// Bytes held (weights, scales, bias).
    pub fn bytes(&self) -> usize {
        self.panels.len() + 4 * (self.scales.len() + self.bias.len())
    }
}

/// Rows of `x` (`rows × k`) as int16, each row padded with zeros to `padded`, and one scale
/// per row (`x ≈ scale · q`; max |x| maps to 32767).
fn quantize_rows(x: &[f32], k: usize, padded: usize) -> (Vec<i16>, Vec<f32>) {
    let rows = x.len() / k;
    let mut q = vec![0i16; rows * padded];
    let mut scales = vec![0f32; rows];
    for (i, row) in x.chunks_exact(k).enumerate() {
        let amax = row.iter().fold(0f32, |m, &v| m.max(v.abs()));
        // a NaN or infinite input has no finite scale: its row computes as zeros × NaN
        let s = amax / 32767.0;
        scales[i] = if amax.is_finite() { s } else { f32::NAN };
        let inv = if s > 0.0 && s.is_finite() {
            1.0 / s
        } else {
            0.0
        };
        for (d, &v) in q[i * padded..i * padded + k].iter_mut().zip(row) {
            *d = (v * inv).round().clamp(-32767.0, 32767.0) as i16;
        }
    }
    (q, scales)
}

/// `out = epilogue(x · Wᵀ + b)` for `x` of `rows × in` (row-major); `out` is `rows × out`.
///
/// Returns `None` when the lengths do not match the weight's shape.
pub fn matmul(x: &[f32], w: &Q8Weight, epilogue: Epilogue, out: &mut [f32]) -> Option<()> {
    let (k, n) = (w.in_dim, w.out_dim);
    if k == 0 || x.len() % k != 0 {
        return None;
    }
    let rows = x.len() / k;
    if out.len() != rows.checked_mul(n)? {
        return None;
    }
    let kp = w.padded_in;
    let (xq, row_scales) = quantize_rows(x, k, kp);
    let blocks = kp / BLOCK;
    for block in (0..rows).step_by(ROW_BLOCK) {
        let block_end = rows.min(block + ROW_BLOCK);
        for (p, panel) in w.panels.chunks_exact(kp * NR).enumerate() {
            let scales = &w.scales[p * blocks * NR..(p + 1) * blocks * NR];
            let bias = &w.bias[p * NR..(p + 1) * NR];
            let cols = NR.min(n - p * NR);
            let mut r = block;
            while r < block_end {
                let mr = MR.min(block_end - r);
                let mut tile = [[0f32; NR]; MR];
                let xs = &xq[r * kp..];
                match mr {
                    4 => tile_kernel::<4>(xs, kp, panel, scales, &mut tile),
                    3 => tile_kernel::<3>(xs, kp, panel, scales, &mut tile),
                    2 => tile_kernel::<2>(xs, kp, panel, scales, &mut tile),
                    _ => tile_kernel::<1>(xs, kp, panel, scales, &mut tile),
                }
                for (i, t) in tile.iter().enumerate().take(mr) {
                    let s = row_scales[r + i];
                    let dst = &mut out[(r + i) * n + p * NR..(r + i) * n + p * NR + cols];
                    match epilogue {
                        Epilogue::Bias => {
                            for ((d, &v), &b) in dst.iter_mut().zip(t).zip(bias) {
                                *d = v * s + b;
                            }
                        }
                        Epilogue::BiasGelu => {
                            for ((d, &v), &b) in dst.iter_mut().zip(t).zip(bias) {
                                *d = gelu_erf(v * s + b);
                            }
                        }
                    }
                }
                r += mr;
            }
        }
    }
    Some(())
}

/// Rows per cache block (64 rows of 1536 int16 inputs are 192 KiB).
const ROW_BLOCK: usize = 64;

/// One `R × NR` tile: `tile[i][c] = Σ_b scale(b, c) · Σ_{k ∈ b} x[i, k] · w(c, k)`
/// (the row scale is applied by the caller).
#[inline(always)]
fn tile_kernel<const R: usize>(
    x: &[i16],
    ld: usize,
    panel: &[i8],
    scales: &[f32],
    tile: &mut [[f32; NR]; MR],
) {
    let mut facc = [[lanes::fzero(); 2]; R];
    let pairs_per_block = BLOCK / 2;
    // rows as long as the panel is deep, so the loops below need no bounds checks
    let rows: [&[i16]; R] = std::array::from_fn(|i| &x[i * ld..i * ld + ld]);
    for (b, (wblock, s)) in panel
        .chunks_exact(pairs_per_block * 2 * NR)
        .zip(scales.chunks_exact(NR))
        .enumerate()
    {
        let mut acc = [[lanes::izero(); 2]; R];
        for (t, w) in wblock.chunks_exact(2 * NR).enumerate() {
            let w0 = lanes::load_i8x8(&w[0..8]);
            let w1 = lanes::load_i8x8(&w[8..16]);
            let k = b * BLOCK + 2 * t;
            for i in 0..R {
                let a = lanes::splat_pair(rows[i][k], rows[i][k + 1]);
                acc[i][0] = lanes::dot_add(a, w0, acc[i][0]);
                acc[i][1] = lanes::dot_add(a, w1, acc[i][1]);
            }
        }
        let s0 = lanes::fload(&s[0..4]);
        let s1 = lanes::fload(&s[4..8]);
        for i in 0..R {
            facc[i][0] = lanes::scale_add(acc[i][0], s0, facc[i][0]);
            facc[i][1] = lanes::scale_add(acc[i][1], s1, facc[i][1]);
        }
    }
    for i in 0..R {
        lanes::fstore(facc[i][0], &mut tile[i][0..4]);
        lanes::fstore(facc[i][1], &mut tile[i][4..8]);
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;

    #[inline(always)]
    pub fn izero() -> v128 {
        i32x4_splat(0)
    }

    #[inline(always)]
    pub fn fzero() -> v128 {
        f32x4_splat(0.0)
    }

    /// Eight int8 sign-extended to int16 lanes.
    #[inline(always)]
    pub fn load_i8x8(s: &[i8]) -> v128 {
        assert!(s.len() >= 8);
        // SAFETY: eight i8 are in bounds (checked above); the load allows any alignment.
        unsafe { i16x8_load_extend_i8x8(s.as_ptr()) }
    }

    /// `[a, b]` in every 32-bit lane.
    #[inline(always)]
    pub fn splat_pair(a: i16, b: i16) -> v128 {
        i32x4_splat((a as u16 as u32 | ((b as u16 as u32) << 16)) as i32)
    }

    /// `acc + dot_i16x8(a, w)`: lane c gets `a0·w(c, 0) + a1·w(c, 1)`.
    #[inline(always)]
    pub fn dot_add(a: v128, w: v128, acc: v128) -> v128 {
        i32x4_add(acc, i32x4_dot_i16x8(a, w))
    }

    /// `facc + f32(acc) · scale` (fused where relaxed SIMD allows: one rounding fewer).
    #[inline(always)]
    pub fn scale_add(acc: v128, scale: v128, facc: v128) -> v128 {
        #[cfg(target_feature = "relaxed-simd")]
        {
            f32x4_relaxed_madd(f32x4_convert_i32x4(acc), scale, facc)
        }
        #[cfg(not(target_feature = "relaxed-simd"))]
        {
            f32x4_add(facc, f32x4_mul(f32x4_convert_i32x4(acc), scale))
        }
    }

    #[inline(always)]
    pub fn fload(s: &[f32]) -> v128 {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); v128_load allows unaligned reads.
        unsafe { v128_load(s.as_ptr() as *const v128) }
    }

    #[inline(always)]
    pub fn fstore(v: v128, s: &mut [f32]) {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); v128_store allows unaligned writes.
        unsafe { v128_store(s.as_mut_ptr() as *mut v128, v) }
    }
}

#[cfg(all(
    target_arch = "x86_64",
    not(all(target_arch = "wasm32", target_feature = "simd128"))
))]
mod lanes {
    // SSE2 is part of x86_64: these intrinsics need no run-time detection.
    use core::arch::x86_64::*;

    #[inline(always)]
    pub fn izero() -> __m128i {
        // SAFETY: SSE2 is always present on x86_64.
        unsafe { _mm_setzero_si128() }
    }

    #[inline(always)]
    pub fn fzero() -> __m128 {
        // SAFETY: as above.
        unsafe { _mm_setzero_ps() }
    }

    #[inline(always)]
    pub fn load_i8x8(s: &[i8]) -> __m128i {
        assert!(s.len() >= 8);
        // SAFETY: eight bytes are in bounds (checked above); _mm_loadl_epi64 is unaligned.
        unsafe {
            let v = _mm_loadl_epi64(s.as_ptr() as *const __m128i);
            // sign-extend 8 → 16 bits: interleave with itself, arithmetic shift right
            _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8)
        }
    }

    #[inline(always)]
    pub fn splat_pair(a: i16, b: i16) -> __m128i {
        // SAFETY: SSE2.
        unsafe { _mm_set1_epi32((a as u16 as u32 | ((b as u16 as u32) << 16)) as i32) }
    }

    #[inline(always)]
    pub fn dot_add(a: __m128i, w: __m128i, acc: __m128i) -> __m128i {
        // SAFETY: SSE2 (pmaddwd is i32x4.dot_i16x8_s).
        unsafe { _mm_add_epi32(acc, _mm_madd_epi16(a, w)) }
    }

    #[inline(always)]
    pub fn scale_add(acc: __m128i, scale: __m128, facc: __m128) -> __m128 {
        // SAFETY: SSE2.
        unsafe { _mm_add_ps(facc, _mm_mul_ps(_mm_cvtepi32_ps(acc), scale)) }
    }

    #[inline(always)]
    pub fn fload(s: &[f32]) -> __m128 {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); unaligned load.
        unsafe { _mm_loadu_ps(s.as_ptr()) }
    }

    #[inline(always)]
    pub fn fstore(v: __m128, s: &mut [f32]) {
        assert!(s.len() >= 4);
        // SAFETY: four f32 are in bounds (checked above); unaligned store.
        unsafe { _mm_storeu_ps(s.as_mut_ptr(), v) }
    }
}

#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
mod lanes {
    #[inline(always)]
    pub fn izero() -> [i32; 4] {
        [0; 4]
    }

    #[inline(always)]
    pub fn fzero() -> [f32; 4] {
        [0.0; 4]
    }

    #[inline(always)]
    pub fn load_i8x8(s: &[i8]) -> [i16; 8] {
        std::array::from_fn(|i| i16::from(s[i]))
    }

    #[inline(always)]
    pub fn splat_pair(a: i16, b: i16) -> [i16; 2] {
        [a, b]
    }

    #[inline(always)]
    pub fn dot_add(a: [i16; 2], w: [i16; 8], acc: [i32; 4]) -> [i32; 4] {
        std::array::from_fn(|c| {
            acc[c]
                + i32::from(a[0]) * i32::from(w[2 * c])
                + i32::from(a[1]) * i32::from(w[2 * c + 1])
        })
    }

    #[inline(always)]
    pub fn scale_add(acc: [i32; 4], scale: [f32; 4], facc: [f32; 4]) -> [f32; 4] {
        std::array::from_fn(|c| facc[c] + acc[c] as f32 * scale[c])
    }

    #[inline(always)]
    pub fn fload(s: &[f32]) -> [f32; 4] {
        [s[0], s[1], s[2], s[3]]
    }

    #[inline(always)]
    pub fn fstore(v: [f32; 4], s: &mut [f32]) {
        s[..4].copy_from_slice(&v);
    }
}

/// [`matmul`] as a candle op on a contiguous f32 tensor whose last dimension is the
/// weight's input width.
#[derive(Debug, Clone, Copy)]
pub struct Q8Linear<'a> {
    weight: &'a Q8Weight,
    epilogue: Epilogue,
}

impl<'a> Q8Linear<'a> {
    /// The op for one weight and epilogue.
    pub fn new(weight: &'a Q8Weight, epilogue: Epilogue) -> Self {
        Self { weight, epilogue }
    }

    /// Applies it to `xs`.
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(xs.contiguous()?.apply_op1_no_bwd(self)?)
    }
}

impl CustomOp1 for Q8Linear<'_> {
    fn name(&self) -> &'static str {
        "q8-linear"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(data), Some((start, end))) = (storage, layout.contiguous_offsets())
        else {
            return Err(candle_core::Error::Msg(
                "q8-linear expects a contiguous f32 tensor".into(),
            ));
        };
        let mut dims = layout.dims().to_vec();
        let rows = data[start..end].len() / self.weight.in_dim.max(1);
        match dims.last_mut() {
            Some(last) if *last == self.weight.in_dim => *last = self.weight.out_dim,
            _ => {
                return Err(candle_core::Error::Msg(format!(
                    "q8-linear: input {:?} for a {} × {} weight",
                    layout.dims(),
                    self.weight.out_dim,
                    self.weight.in_dim
                )))
            }
        }
        let mut out = vec![0f32; rows * self.weight.out_dim];
        matmul(&data[start..end], self.weight, self.epilogue, &mut out).ok_or_else(|| {
            candle_core::Error::Msg("q8-linear: input and output lengths differ".into())
        })?;
        Ok((CpuStorage::F32(out), Shape::from(dims)))
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

    /// Q8_0 round trip of a row-major weight, as a GGUF file would hold it.
    fn q8_roundtrip(w: &[f32], k: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(w.len());
        for row in w.chunks(k) {
            for block in row.chunks(BLOCK) {
                let d = block.iter().fold(0f32, |m, &v| m.max(v.abs())) / 127.0;
                out.extend(
                    block
                        .iter()
                        .map(|&v| if d > 0.0 { (v / d).round() * d } else { 0.0 }),
                );
            }
        }
        out
    }

    /// The straightforward product of `x` and the (already quantised) weight, in f64.
    fn reference(x: &[f32], w: &[f32], b: &[f32], k: usize, n: usize, gelu: bool) -> Vec<f64> {
        let rows = x.len() / k;
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
    fn equals_dequantized_q8_for_every_tail() {
        // rows: whole tiles and 1–3 left over; out: whole panels and a partial one;
        // in: whole blocks and a partial one
        for (rows, k, n) in [
            (1, 1, 1),
            (4, 32, 8),
            (5, 40, 9),
            (7, 64, 17),
            (12, 96, 24),
            (3, 384, 13),
            (66, 33, 8),
        ] {
            let x = values(rows * k, 1);
            let w = q8_roundtrip(&values(n * k, 2), k);
            let b = values(n, 3);
            let q = Q8Weight::quantize(&w, &b, n, k).unwrap();
            for (epilogue, gelu) in [(Epilogue::Bias, false), (Epilogue::BiasGelu, true)] {
                let mut out = vec![f32::NAN; rows * n];
                matmul(&x, &q, epilogue, &mut out).unwrap();
                let want = reference(&x, &w, &b, k, n, gelu);
                for (i, (&got, &want)) in out.iter().zip(&want).enumerate() {
                    // int16 activations: relative error ≤ 2⁻¹⁵ per input
                    let tol = 1e-4 * (1.0 + k as f64).sqrt();
                    assert!(
                        (got as f64 - want).abs() <= tol,
                        "{rows}×{k}×{n} {epilogue:?} [{i}]: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_q8_weight_comes_back_to_its_integers() {
        let w = q8_roundtrip(&values(16 * 64, 5), 64);
        let q = Q8Weight::quantize(&w, &[0.0; 16], 16, 64).unwrap();
        // every value d · q is recovered exactly from the packed integers
        for j in 0..16 {
            for k in 0..64 {
                let (p, c) = (j / NR, j % NR);
                let qv = q.panels[(p * q.padded_in / 2 + k / 2) * 2 * NR + 2 * c + k % 2];
                let d = q.scales[(p * (q.padded_in / BLOCK) + k / BLOCK) * NR + c];
                assert!((qv as f32 * d - w[j * 64 + k]).abs() <= 1e-6 * w[j * 64 + k].abs());
            }
        }
        assert!(q.bytes() < 16 * 64 * 4 / 3);
    }

    #[test]
    fn zero_rows_and_mismatched_lengths() {
        let w = Q8Weight::quantize(&[0.5; 64], &[1.0, 2.0], 2, 32).unwrap();
        let mut out = vec![f32::NAN; 2];
        matmul(&[0.0; 32], &w, Epilogue::Bias, &mut out).unwrap();
        assert_eq!(out, vec![1.0, 2.0]);
        assert!(Q8Weight::quantize(&[0.0; 6], &[0.0; 2], 2, 4).is_none());
        assert!(Q8Weight::quantize(&[0.0; 8], &[0.0; 3], 2, 4).is_none());
        assert!(matmul(&[0.0; 31], &w, Epilogue::Bias, &mut out).is_none());
        assert!(matmul(&[0.0; 32], &w, Epilogue::Bias, &mut out[..1]).is_none());
    }
}
