//! Elementwise functions the encoder and the kernels' epilogues share:
//! branch-free, so loops over them vectorise in whatever SIMD width the
//! calling function is compiled for.

/// `e^x` to about 1 ulp, branch-free so loops over it vectorise
/// (Cephes' polynomial after reducing by powers of two).
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // Adding and removing 1.5·2²³ rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * LOG2E + ROUND;
    let n = shifted - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5e-1;
    let y = p * r * r + r + 1.0;
    // 2ⁿ from the bits: `shifted` holds n in its low mantissa bits (its
    // bits are those of ROUND plus n), which stays in integer lanes where
    // `n as i32` would not vectorise (Rust's cast saturates).
    y * f32::from_bits(shifted.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127) << 23)
}

/// GELU with the exact (erf) form BERT uses; erf after Abramowitz and
/// Stegun 7.1.26 (absolute error below 1.5e-7).
#[inline(always)]
pub(crate) fn gelu(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let erf = (1.0 - poly * exp(-z * z)).copysign(x);
    0.5 * x * (1.0 + erf)
}
