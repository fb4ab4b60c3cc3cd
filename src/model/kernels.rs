//! Fused CPU kernels for the two elementwise stages of a BERT layer that candle runs as
//! several passes with scalar libm calls: bias + GELU (erf) after the feed-forward
//! expansion, and mask + softmax over the attention scores.
//!
//! Why by hand: candle's `gelu_erf` evaluates erf in f64 per element and adds the bias in a
//! separate pass; `softmax` (and `softmax_last_dim`) call scalar `exp`, and the padding mask
//! is another broadcast pass. In wasm32 those scalar calls dominate the non-matmul time
//! (they cannot be vectorised). The kernels below use branch-free polynomial
//! approximations (erf: a rational fit accurate to a few f32 ulps, the one Eigen and
//! TensorFlow use; exp: Cody–Waite range reduction and a degree-6 polynomial) written as
//! plain loops over slices, which LLVM vectorises for simd128 and AVX alike. Each is tested
//! against the straightforward f64 formula and against candle's own op.

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};

use crate::error::Result;

/// erf(x) for f32, max error a few ulps; exactly ±1 beyond |x| = 4 (where f32 erf rounds to ±1).
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p - 2.101_024e-6;
    p = x2 * p - 5.692_506_4e-5;
    p = x2 * p - 7.349_906_3e-4;
    p = x2 * p - 2.9546e-3;
    p = x2 * p - 1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 - 2.133_740_6e-4;
    q = x2 * q - 1.682_827e-3;
    q = x2 * q - 7.373_329e-3;
    q = x2 * q - 1.426_474e-2;
    x * p / q
}

/// GELU with the exact (erf) formulation: x · (1 + erf(x/√2)) / 2.
#[inline(always)]
pub fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// e^x for f32, relative error below 2e-7 for x in [-87, 88] (clamped to that range).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // adding and subtracting 1.5·2²³ rounds to the nearest integer without a call to
    // floorf (which x86-64's baseline cannot inline, so the loop would not vectorise)
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO; // |r| ≤ ln2/2
    let mut p = r * (1.0 / 720.0) + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // 2^n by building the exponent bits; n is in [-126, 127] after the clamp
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    p * scale
}

fn contiguous_f32<'a>(
    storage: &'a CpuStorage,
    layout: &Layout,
    op: &str,
) -> candle_core::Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        return Err(candle_core::Error::Msg(format!("{op} expects f32")));
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        return Err(candle_core::Error::Msg(format!(
            "{op} expects a contiguous tensor"
        )));
    };
    Ok(&data[start..end])
}

/// `gelu_erf(x + bias)` over the last dimension, one pass, one allocation.
#[derive(Debug, Clone)]
pub struct BiasGelu {
    bias: Vec<f32>,
}

impl BiasGelu {
    /// The op for a bias vector (the width of the input's last dimension).
    pub fn new(bias: &Tensor) -> Result<Self> {
        Ok(Self {
            bias: bias.flatten_all()?.to_vec1::<f32>()?,
        })
    }

    /// Applies it to `xs` (contiguous f32, last dimension = bias length).
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(xs.apply_op1_no_bwd(self)?)
    }
}

impl CustomOp1 for BiasGelu {
    fn name(&self) -> &'static str {
        "bias-gelu-erf"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let xs = contiguous_f32(storage, layout, self.name())?;
        let width = self.bias.len();
        if width == 0 || layout.dims().last() != Some(&width) {
            return Err(candle_core::Error::Msg(format!(
                "bias-gelu: bias of {width} for a tensor of shape {:?}",
                layout.dims()
            )));
        }
        let mut out = vec![0f32; xs.len()];
        for (o, x) in out.chunks_exact_mut(width).zip(xs.chunks_exact(width)) {
            for ((o, &x), &b) in o.iter_mut().zip(x).zip(&self.bias) {
                *o = gelu_erf(x + b);
            }
        }
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// Softmax over the last dimension of attention scores (batch × heads × queries × keys)
/// after adding a per-key bias (0 for a token, a large negative number for padding).
#[derive(Debug, Clone)]
pub struct MaskedSoftmax {
    /// batch × keys
    key_bias: Vec<f32>,
    keys: usize,
}

impl MaskedSoftmax {
    /// `key_bias` is batch × keys, added to every query row of every head of that text.
    pub fn new(key_bias: &Tensor) -> Result<Self> {
        let (_, keys) = key_bias.dims2()?;
        Ok(Self {
            key_bias: key_bias.flatten_all()?.to_vec1::<f32>()?,
            keys,
        })
    }

    /// Applies it to the scores (contiguous f32, batch × heads × queries × keys).
    pub fn forward(&self, scores: &Tensor) -> Result<Tensor> {
        Ok(scores.apply_op1_no_bwd(self)?)
    }
}

impl CustomOp1 for MaskedSoftmax {
    fn name(&self) -> &'static str {
        "masked-softmax"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let xs = contiguous_f32(storage, layout, self.name())?;
        let keys = self.keys;
        let batch = self.key_bias.len() / keys.max(1);
        let ok = matches!(layout.dims(), [b, _, _, k] if *b == batch && *k == keys && keys > 0);
        if !ok {
            return Err(candle_core::Error::Msg(format!(
                "masked-softmax: mask {batch} × {keys} for scores {:?}",
                layout.dims()
            )));
        }
        let rows_per_text = xs.len() / batch;
        let mut out = vec![0f32; xs.len()];
        for ((o, x), bias) in out
            .chunks_exact_mut(rows_per_text)
            .zip(xs.chunks_exact(rows_per_text))
            .zip(self.key_bias.chunks_exact(keys))
        {
            for (o, x) in o.chunks_exact_mut(keys).zip(x.chunks_exact(keys)) {
                softmax_row(o, x, bias);
            }
        }
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// Lanes of the reductions below: float max and sum only vectorise when written as
/// independent accumulators (LLVM keeps a single float accumulator in order).
const LANES: usize = 8;

/// `o = softmax(x + bias)` for one row.
#[inline(always)]
fn softmax_row(o: &mut [f32], x: &[f32], bias: &[f32]) {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let split = o.len() - o.len() % LANES;
    for ((oc, xc), bc) in o[..split]
        .chunks_exact_mut(LANES)
        .zip(x[..split].chunks_exact(LANES))
        .zip(bias[..split].chunks_exact(LANES))
    {
        for i in 0..LANES {
            let v = xc[i] + bc[i];
            oc[i] = v;
            lanes[i] = if v > lanes[i] { v } else { lanes[i] };
        }
    }
    let mut max = lanes
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    for ((o, &x), &b) in o[split..].iter_mut().zip(&x[split..]).zip(&bias[split..]) {
        *o = x + b;
        max = if *o > max { *o } else { max };
    }
    for v in o.iter_mut() {
        *v = exp(*v - max);
    }
    let mut sums = [0f32; LANES];
    for c in o[..split].chunks_exact(LANES) {
        for i in 0..LANES {
            sums[i] += c[i];
        }
    }
    let sum = sums.iter().sum::<f32>() + o[split..].iter().sum::<f32>();
    let inv = 1.0 / sum;
    for v in o.iter_mut() {
        *v *= inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, D};

    fn erf64(x: f64) -> f64 {
        candle_core::cpu::erf::erf_f64(x)
    }

    fn grid() -> impl Iterator<Item = f32> {
        (-12_000..=12_000).map(|i| i as f32 * 0.001)
    }

    #[test]
    fn erf_matches_f64_erf() {
        let worst = grid()
            .map(|x| (erf(x) as f64 - erf64(x as f64)).abs())
            .fold(0.0, f64::max);
        assert!(worst < 4e-7, "max |erf error| {worst}");
        assert!((erf(50.0) - 1.0).abs() < 2e-7);
        assert!((erf(-50.0) + 1.0).abs() < 2e-7);
        assert_eq!(erf(0.0), 0.0);
    }

    #[test]
    fn gelu_matches_the_straightforward_formula() {
        let worst = grid()
            .map(|x| {
                let x64 = x as f64;
                let want = 0.5 * x64 * (1.0 + erf64(x64 / std::f64::consts::SQRT_2));
                // relative for |gelu| ≥ 1, absolute below (1 + erf cancels for x ≪ 0)
                (gelu_erf(x) as f64 - want).abs() / want.abs().max(1.0)
            })
            .fold(0.0, f64::max);
        assert!(worst < 2e-6, "max gelu error {worst}");
    }

    #[test]
    fn exp_matches_f64_exp() {
        let worst = (-86_990..87_990)
            .map(|i| i as f32 * 0.001)
            .map(|x| {
                let want = (x as f64).exp();
                (exp(x) as f64 - want).abs() / want
            })
            .fold(0.0, f64::max);
        assert!(worst < 3e-7, "max relative exp error {worst}");
        assert_eq!(exp(-1000.0), exp(-87.0));
        assert!(exp(-1000.0) < 1e-37);
        assert_eq!(exp(0.0), 1.0);
    }

    fn pseudo_random(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (s >> 8) as f32 / (1u32 << 24) as f32 * 8.0 - 4.0
            })
            .collect()
    }

    fn max_abs_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    #[test]
    fn bias_gelu_equals_candle_bias_add_then_gelu_erf() {
        let dev = Device::Cpu;
        let x = Tensor::from_vec(pseudo_random(3 * 5 * 24, 1), (3, 5, 24), &dev).unwrap();
        let bias = Tensor::from_vec(pseudo_random(24, 2), 24, &dev).unwrap();
        let want = x.broadcast_add(&bias).unwrap().gelu_erf().unwrap();
        let got = BiasGelu::new(&bias).unwrap().forward(&x).unwrap();
        assert_eq!(got.dims(), want.dims());
        assert!(max_abs_diff(&got, &want) < 1e-5);
    }

    #[test]
    fn masked_softmax_equals_candle_add_then_softmax() {
        // 7 keys: the scalar tail only; 19: two 8-lane chunks and a tail
        for t in [7, 19] {
            masked_softmax_case(t);
        }
    }

    fn masked_softmax_case(t: usize) {
        let dev = Device::Cpu;
        let (b, h) = (3, 2);
        let scores = Tensor::from_vec(pseudo_random(b * h * t * t, 3), (b, h, t, t), &dev)
            .unwrap()
            .affine(4.0, 0.0)
            .unwrap();
        // text 0 full, text 1 with 3 padding keys, text 2 with one real key
        let mut mask = vec![0f32; b * t];
        for k in 4..t {
            mask[t + k] = f32::MIN;
        }
        for k in 1..t {
            mask[2 * t + k] = f32::MIN;
        }
        let mask = Tensor::from_vec(mask, (b, t), &dev).unwrap();
        let want = candle_nn::ops::softmax_last_dim(
            &scores
                .broadcast_add(&mask.unsqueeze(1).unwrap().unsqueeze(1).unwrap())
                .unwrap(),
        )
        .unwrap();
        let got = MaskedSoftmax::new(&mask).unwrap().forward(&scores).unwrap();
        assert!(max_abs_diff(&got, &want) < 1e-6);
        let sums = got.sum(D::Minus1).unwrap().flatten_all().unwrap();
        for s in sums.to_vec1::<f32>().unwrap() {
            assert!((s - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn kernels_reject_mismatched_shapes() {
        let dev = Device::Cpu;
        let x = Tensor::zeros((2, 3), candle_core::DType::F32, &dev).unwrap();
        let bias = Tensor::zeros(4, candle_core::DType::F32, &dev).unwrap();
        assert!(BiasGelu::new(&bias).unwrap().forward(&x).is_err());
        let mask = Tensor::zeros((2, 5), candle_core::DType::F32, &dev).unwrap();
        let scores = Tensor::zeros((2, 1, 5, 4), candle_core::DType::F32, &dev).unwrap();
        assert!(MaskedSoftmax::new(&mask).unwrap().forward(&scores).is_err());
    }
}
