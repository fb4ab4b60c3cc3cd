//! Quantization with one f32 scale per vector: `x ≈ q × scale`.
//!
//! * 8 and 4 bits: symmetric, `scale = max|x| / L` with `L = 127` (int8) or `L = 7`. For unit
//!   vectors of 384 dims the dot product of two int8 vectors is within about 1e-3 of the
//!   exact cosine.
//! * 2 and 1 bits (requirement-line vectors only, [`quantize_low`]): the levels are odd
//!   integers (`±1, ±3` or `±1`), the step is the Gaussian-optimal one for the vector's RMS,
//!   and the scale is chosen so that `x · x̂ = |x|²`: a dot product with the dequantized
//!   vector is then unbiased along `x`, with noise of about `0.4 / √dim` (2 bits) or
//!   `0.75 / √dim` (1 bit) times the query's norm.

/// Rows of int8 values, `dim` per row, with one scale per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuantizedRows {
    /// Values per row.
    pub dim: usize,
    /// `rows × dim` values, row after row.
    pub values: Vec<i8>,
    /// One scale per row.
    pub scales: Vec<f32>,
}

/// Quantizes one vector: its int8 values and scale (0 for a zero or non-finite vector).
pub fn quantize(v: &[f32]) -> (Vec<i8>, f32) {
    quantize_levels(v, 127)
}

/// The largest level of a `bits`-bit symmetric code (127 for 8 bits, 7 for 4).
pub fn levels(bits: u8) -> u8 {
    if bits >= 8 {
        127
    } else {
        (1u8 << (bits.max(2) - 1)) - 1
    }
}

/// Line code of ternary rows ([`quantize_ternary`]: levels `-1, 0, 1`, about 1.6 bits a
/// value, five values a byte).
pub const TERNARY: u8 = 3;

/// Quantizes one vector with `bits` per value: 8 or 4 as [`quantize_levels`], 2 or 1 as
/// [`quantize_low`], [`TERNARY`] (3) as [`quantize_ternary`].
pub fn quantize_bits(v: &[f32], bits: u8) -> (Vec<i8>, f32) {
    match bits {
        1 | 2 => quantize_low(v, bits),
        TERNARY => quantize_ternary(v),
        b => quantize_levels(v, levels(b)),
    }
}

/// 2-bit (levels `-3, -1, 1, 3`) or 1-bit (levels `-1, 1`) quantization: the level is the
/// cell of `x` on a grid of step `0.996 × rms` (2 bits; the optimal uniform step for a
/// Gaussian) or its sign (1 bit), and `scale = |x|² / (x · levels)` (0 for a zero or
/// non-finite vector).
pub fn quantize_low(v: &[f32], bits: u8) -> (Vec<i8>, f32) {
    let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
    let norm2: f32 = v.iter().map(|&x| finite(x) * finite(x)).sum();
    if norm2 == 0.0 || !norm2.is_finite() {
        return (vec![if bits == 1 { 1 } else { -1 }; v.len()], 0.0);
    }
    let rms = (norm2 / v.len().max(1) as f32).sqrt();
    let step = 0.996 * rms;
    let q: Vec<i8> = v
        .iter()
        .map(|&x| {
            let x = finite(x);
            if bits == 1 {
                if x < 0.0 {
                    -1
                } else {
                    1
                }
            } else {
                (2.0 * (x / step).floor() + 1.0).clamp(-3.0, 3.0) as i8
            }
        })
        .collect();
    let along: f32 = v.iter().zip(&q).map(|(&x, &l)| finite(x) * l as f32).sum();
    let scale = if along > 0.0 { norm2 / along } else { 0.0 };
    (q, scale)
}

/// Quantizes one vector to the levels `-max_level..=max_level` (`max_level` ≥ 1).
pub fn quantize_levels(v: &[f32], max_level: u8) -> (Vec<i8>, f32) {
    let top = f32::from(max_level.clamp(1, 127));
    let max = v
        .iter()
        .filter(|x| x.is_finite())
        .fold(0f32, |m, x| m.max(x.abs()));
    if max == 0.0 {
        return (vec![0; v.len()], 0.0);
    }
    let scale = max / top;
    let q = v
        .iter()
        .map(|&x| {
            if x.is_finite() {
                (x / scale).round().clamp(-top, top) as i8
            } else {
                0
            }
        })
        .collect();
    (q, scale)
}

/// Seed of the fixed rotation applied to low-bit requirement-line vectors (format version 3).
pub const ROTATION_SEED: u64 = 0x6376_6d61_7463_6833;

/// Largest Walsh–Hadamard block of [`rotate`].
const HADAMARD_BLOCK: usize = 128;

/// A seeded orthogonal rotation (`x ↦ H₂ D₂ P H₁ D₁ x`): random sign flips, a normalised
/// fast Walsh–Hadamard transform on consecutive blocks of 128 values (a dimension that is no
/// multiple of 128 ends in smaller power-of-two blocks), a seeded permutation that spreads
/// each block over all blocks, sign flips and Hadamard blocks again. It spreads a few
/// large-magnitude dimensions (sentence encoders have them) over all values, so that 2-,
/// 1.6- and 1-bit codes see near-Gaussian values (the RaBitQ / QuIP idea). Being orthogonal,
/// it keeps dot products: stored rows are rotated before quantizing and rotated back
/// ([`Rotation::unrotate`]) after dequantizing. Written by hand (a few lines; no crate does just
/// this) and linear in `dim × log 128`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rotation {
    signs1: Vec<f32>,
    signs2: Vec<f32>,
    perm: Vec<usize>,
}

impl Rotation {
    /// The rotation of `dim` values for `seed` (the same on every machine).
    pub fn new(dim: usize, seed: u64) -> Self {
        let mut state = seed;
        let mut next = move || {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut sign = || if next() & 1 == 0 { 1.0 } else { -1.0 };
        let signs1: Vec<f32> = (0..dim).map(|_| sign()).collect();
        let signs2: Vec<f32> = (0..dim).map(|_| sign()).collect();
        let mut perm: Vec<usize> = (0..dim).collect();
        for i in (1..dim).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            perm.swap(i, j);
        }
        Self {
            signs1,
            signs2,
            perm,
        }
    }

    /// Rotates `v` (of the rotation's dimension; other lengths are left as they are).
    pub fn rotate(&self, v: &mut [f32]) {
        if v.len() != self.perm.len() {
            return;
        }
        mul(v, &self.signs1);
        hadamard_blocks(v);
        let tmp: Vec<f32> = self.perm.iter().map(|&p| v[p]).collect();
        v.copy_from_slice(&tmp);
        mul(v, &self.signs2);
        hadamard_blocks(v);
    }

    /// The inverse of [`Rotation::rotate`].
    pub fn unrotate(&self, v: &mut [f32]) {
        if v.len() != self.perm.len() {
            return;
        }
        hadamard_blocks(v);
        mul(v, &self.signs2);
        let mut tmp = vec![0f32; v.len()];
        for (i, &p) in self.perm.iter().enumerate() {
            tmp[p] = v[i];
        }
        v.copy_from_slice(&tmp);
        hadamard_blocks(v);
        mul(v, &self.signs1);
    }
}

fn mul(v: &mut [f32], signs: &[f32]) {
    for (x, s) in v.iter_mut().zip(signs) {
        *x *= s;
    }
}

/// The normalised Walsh–Hadamard transform (its own inverse) on consecutive power-of-two
/// blocks of at most [`HADAMARD_BLOCK`] values.
fn hadamard_blocks(v: &mut [f32]) {
    let mut start = 0;
    while start < v.len() {
        let left = v.len() - start;
        let n = if left >= HADAMARD_BLOCK {
            HADAMARD_BLOCK
        } else {
            1 << (usize::BITS - 1 - left.leading_zeros())
        };
        let block = &mut v[start..start + n];
        let mut h = 1;
        while h < n {
            for i in (0..n).step_by(2 * h) {
                for j in i..i + h {
                    let (a, b) = (block[j], block[j + h]);
                    block[j] = a + b;
                    block[j + h] = a - b;
                }
            }
            h *= 2;
        }
        let norm = 1.0 / (n as f32).sqrt();
        for x in block.iter_mut() {
            *x *= norm;
        }
        start += n;
    }
}

/// Ternary quantization (levels `-1, 0, 1`, log₂3 ≈ 1.58 bits a value): zero below
/// `0.612 × rms` in magnitude (the optimal threshold for a Gaussian), the sign above, and
/// `scale = |x|² / (x · levels)` as in [`quantize_low`] (0 for a zero or non-finite vector).
pub fn quantize_ternary(v: &[f32]) -> (Vec<i8>, f32) {
    let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
    let norm2: f32 = v.iter().map(|&x| finite(x) * finite(x)).sum();
    if norm2 == 0.0 || !norm2.is_finite() {
        return (vec![0; v.len()], 0.0);
    }
    let threshold = 0.612 * (norm2 / v.len().max(1) as f32).sqrt();
    let q: Vec<i8> = v
        .iter()
        .map(|&x| {
            let x = finite(x);
            if x.abs() < threshold {
                0
            } else if x < 0.0 {
                -1
            } else {
                1
            }
        })
        .collect();
    let along: f32 = v.iter().zip(&q).map(|(&x, &l)| finite(x) * l as f32).sum();
    let scale = if along > 0.0 { norm2 / along } else { 0.0 };
    (q, scale)
}

impl QuantizedRows {
    /// Empty rows of `dim` values each.
    pub fn new(dim: usize) -> Self {
        Self {
            dim,
            values: Vec::new(),
            scales: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.scales.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// Appends a vector of `dim` values (shorter ones are padded with zeros, longer cut).
    pub fn push(&mut self, v: &[f32]) {
        let (mut q, scale) = quantize(v);
        q.resize(self.dim, 0);
        self.values.extend_from_slice(&q);
        self.scales.push(scale);
    }

    /// Appends an already quantized row (`dim` values; shorter ones are padded, longer cut).
    pub fn push_row(&mut self, row: &[i8], scale: f32) {
        let start = self.values.len();
        self.values
            .extend_from_slice(&row[..row.len().min(self.dim)]);
        self.values.resize(start + self.dim, 0);
        self.scales.push(scale);
    }

    /// Row `i`'s values.
    pub fn row(&self, i: usize) -> Option<&[i8]> {
        self.values.get(i * self.dim..(i + 1) * self.dim)
    }

    /// Row `i` as floats.
    pub fn dequantize(&self, i: usize) -> Option<Vec<f32>> {
        let scale = *self.scales.get(i)?;
        Some(self.row(i)?.iter().map(|&q| q as f32 * scale).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_orthogonal_seeded_and_spreads_outliers() {
        for dim in [384usize, 100, 1, 7] {
            let r = Rotation::new(dim, ROTATION_SEED);
            assert_eq!(r, Rotation::new(dim, ROTATION_SEED));
            let x: Vec<f32> = (0..dim)
                .map(|i| ((i * 31 % 17) as f32 - 8.0) / 9.0)
                .collect();
            let y: Vec<f32> = (0..dim)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
                .collect();
            let (mut rx, mut ry) = (x.clone(), y.clone());
            r.rotate(&mut rx);
            r.rotate(&mut ry);
            let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f32>();
            assert!(
                (dot(&rx, &ry) - dot(&x, &y)).abs() < 1e-3 * dim as f32,
                "{dim}"
            );
            assert!(
                (dot(&rx, &rx) - dot(&x, &x)).abs() < 1e-3 * dim as f32,
                "{dim}"
            );
            r.unrotate(&mut rx);
            for (a, b) in rx.iter().zip(&x) {
                assert!((a - b).abs() < 1e-5, "{dim}");
            }
        }
        // One large dimension becomes many small ones.
        let mut spike = vec![0f32; 384];
        spike[5] = 1.0;
        Rotation::new(384, ROTATION_SEED).rotate(&mut spike);
        let max = spike.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!(max < 0.2, "{max}");
        assert_ne!(Rotation::new(384, 1), Rotation::new(384, 2));
        // A vector of another length is left alone.
        let mut short = vec![1.0, 2.0];
        Rotation::new(384, 1).rotate(&mut short);
        assert_eq!(short, vec![1.0, 2.0]);
    }

    #[test]
    fn round_trip_is_close_and_zero_stays_zero() {
        let v: Vec<f32> = (0..384)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 500.0)
            .collect();
        let (q, s) = quantize(&v);
        for (x, y) in v.iter().zip(&q) {
            assert!((x - *y as f32 * s).abs() <= s / 2.0 + 1e-6);
        }
        assert_eq!(quantize(&[0.0, 0.0]), (vec![0, 0], 0.0));
        assert_eq!(quantize(&[f32::NAN, 1.0]).0, vec![0, 127]);
        let (q4, s4) = quantize_levels(&v, levels(4));
        assert!(q4.iter().all(|q| (-7..=7).contains(q)));
        for (x, y) in v.iter().zip(&q4) {
            assert!((x - *y as f32 * s4).abs() <= s4 / 2.0 + 1e-6);
        }
        assert_eq!((levels(8), levels(4)), (127, 7));
        // 2 and 1 bits: odd levels, and the dequantized vector's dot with x is |x|².
        let norm2: f32 = v.iter().map(|x| x * x).sum();
        for bits in [2, 1] {
            let (q, s) = quantize_low(&v, bits);
            let top = if bits == 2 { 3 } else { 1 };
            assert!(q.iter().all(|l| l % 2 != 0 && (-top..=top).contains(l)));
            let dot: f32 = v.iter().zip(&q).map(|(x, &l)| x * l as f32 * s).sum();
            assert!(
                (dot - norm2).abs() < 1e-4 * norm2.max(1.0),
                "{bits}: {dot} {norm2}"
            );
        }
        assert_eq!(quantize_low(&[0.0, 0.0], 2).1, 0.0);
        // Ternary: levels -1, 0, 1, about a third of them 0 for Gaussian-like values, and
        // the same unbiased scale.
        let (q, s) = quantize_ternary(&v);
        assert!(q.iter().all(|l| (-1..=1).contains(l)));
        assert!(q.contains(&0) && q.contains(&1) && q.contains(&-1));
        let dot: f32 = v.iter().zip(&q).map(|(x, &l)| x * l as f32 * s).sum();
        assert!((dot - norm2).abs() < 1e-4 * norm2.max(1.0));
        assert_eq!(quantize_ternary(&[0.0, 0.0]), (vec![0, 0], 0.0));
        assert_eq!(quantize_bits(&v, TERNARY), quantize_ternary(&v));
        assert_eq!(quantize_low(&[f32::INFINITY, 1.0], 1), (vec![1, 1], 1.0));
    }
}
