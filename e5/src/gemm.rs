//! The dense layers' matrix products, `c = a · wᵀ + bias` with `a` the
//! batch's activations (`m × k`, f32) and `w` a layer's weights (`n × k`).
//!
//! Two kernels, picked once when the model loads:
//!
//! - [`Kernel::Int16`] (x86-64 with AVX2 and FMA, checked at run time): the weights
//!   (4-bit in the file) are stored as 16-bit integers with one scale per
//!   output (±255, 9 bits, so each 4-bit block keeps its grid to within
//!   1/16 of a step), packed in panels of 16 outputs; each batch row is
//!   quantised to ±4095 with one scale per row. `vpmaddwd` does 16
//!   multiply-adds of 16-bit integers per instruction where f32 FMA does 8,
//!   and the 32-bit sums are exact: `k · 4095 · 255` stays under 2³¹ for
//!   `k ≤ 2048`. The only rounding is the two quantisations (embeddings
//!   within cosine 0.9998 of the f32 kernel's on the fixtures).
//! - [`Kernel::Float`] (any CPU): f32 weights and `matrixmultiply`'s sgemm.

/// Which matrix product a model's dense layers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// 16-bit integer products with AVX2 (x86-64 only).
    Int16,
    /// f32 products on any CPU.
    Float,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return Kernel::Int16;
        }
        Kernel::Float
    }
}

/// Largest quantised weight magnitude (9 bits with the sign).
const W_MAX: f32 = 255.0;
/// Largest quantised activation magnitude (13 bits with the sign).
const A_MAX: f32 = 4095.0;
/// Longest inner dimension whose integer sums cannot overflow an i32.
const K_MAX: usize = (i32::MAX as usize) / (W_MAX as usize * A_MAX as usize);
/// Outputs per packed panel (two AVX2 registers of eight i32 sums).
const NR: usize = 16;
/// AVX2 registers of sums per tile row.
const NV: usize = NR / 8;
/// Batch rows per kernel tile: 6 × 2 accumulators, 2 weight registers and
/// a broadcast fill 15 of the 16 AVX2 registers.
const MR: usize = 6;

/// A dense layer `y = x Wᵀ + b`.
#[derive(Debug)]
pub struct Linear {
    weights: Weights,
    pub bias: Vec<f32>,
    pub inputs: usize,
    pub outputs: usize,
}

#[derive(Debug)]
enum Weights {
    /// `[outputs][inputs]` row-major.
    Float(Vec<f32>),
    /// `[outputs / NR][inputs / 2][NR][2]`: for each pair of inputs, the
    /// panel's 16 outputs' two weights side by side, as `vpmaddwd` takes
    /// them; `scale[j]` turns output `j`'s integers back into weights.
    Int16 { packed: Vec<i16>, scale: Vec<f32> },
}

impl Linear {
    /// A layer from f32 weights (`outputs × inputs`, row-major) in the form
    /// `kernel` runs. The integer form needs a CPU that runs it
    /// ([`Kernel::detect`]), `inputs` a multiple of 16 and at most
    /// [`K_MAX`], and `outputs` a multiple of 16 (true of every e5 layer);
    /// otherwise the layer keeps f32.
    pub fn new(weight: Vec<f32>, bias: Vec<f32>, inputs: usize, outputs: usize, kernel: Kernel) -> Self {
        assert_eq!(weight.len(), inputs * outputs, "weight matrix size");
        assert_eq!(bias.len(), outputs, "bias size");
        let integer = kernel == Kernel::Int16 && Kernel::detect() == Kernel::Int16 && inputs % 16 == 0 && inputs <= K_MAX && outputs % NR == 0;
        let weights = if integer { pack(&weight, inputs, outputs) } else { Weights::Float(weight) };
        Self { weights, bias, inputs, outputs }
    }

    /// Which kernel this layer runs.
    pub fn kernel(&self) -> Kernel {
        match self.weights {
            Weights::Float(_) => Kernel::Float,
            Weights::Int16 { .. } => Kernel::Int16,
        }
    }

    /// `c[m][outputs] = a[m][inputs] · Wᵀ + bias`; `scratch` holds the
    /// quantised rows between calls (it grows as needed).
    pub fn forward(&self, a: &[f32], m: usize, c: &mut [f32], scratch: &mut Scratch) {
        let (k, n) = (self.inputs, self.outputs);
        assert!(a.len() >= m * k && c.len() >= m * n, "matrix sizes agree");
        match &self.weights {
            Weights::Float(w) => {
                for row in c[..m * n].chunks_exact_mut(n) {
                    row.copy_from_slice(&self.bias);
                }
                // SAFETY: a is m×k (row stride k), wᵀ is k×n read from w's
                // n×k rows, c is m×n; the assert and `new` keep all in bounds.
                unsafe {
                    matrixmultiply::sgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, w.as_ptr(), 1, k as isize, 1.0, c.as_mut_ptr(), n as isize, 1);
                }
            }
            #[cfg(target_arch = "x86_64")]
            Weights::Int16 { packed, scale } => {
                scratch.rows.resize(m * k, 0);
                scratch.scale.resize(m, 0.0);
                // SAFETY: `new`, the only constructor, builds Int16 weights
                // only where `Kernel::detect` found AVX2 and FMA; the sizes
                // are checked above and by `new`.
                unsafe {
                    avx2::quantize_rows(&a[..m * k], k, &mut scratch.rows, &mut scratch.scale);
                    avx2::gemm(&scratch.rows, &scratch.scale, m, k, packed, scale, &self.bias, c);
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Weights::Int16 { .. } => {
                let _ = scratch;
                unreachable!("Int16 weights are only built on x86-64")
            }
        }
    }
}

/// Quantised activations, reused across a batch's layers.
#[derive(Debug, Default)]
pub struct Scratch {
    rows: Vec<i16>,
    scale: Vec<f32>,
}

fn pack(weight: &[f32], k: usize, n: usize) -> Weights {
    let mut scale = Vec::with_capacity(n);
    let mut packed = vec![0i16; n * k];
    for (j, row) in weight.chunks_exact(k).enumerate() {
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let s = if max > 0.0 { max / W_MAX } else { 1.0 };
        scale.push(s);
        let (panel, col) = (j / NR, j % NR);
        let base = panel * k * NR;
        for (i, &w) in row.iter().enumerate() {
            packed[base + (i / 2) * 2 * NR + col * 2 + i % 2] = (w / s).round() as i16;
        }
    }
    Weights::Int16 { packed, scale }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{A_MAX, MR, NR, NV};

    /// Rows of `a` (`k` long, a multiple of 16) to integers within
    /// ±A_MAX, rounded to nearest, one scale a row.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn quantize_rows(a: &[f32], k: usize, out: &mut [i16], scales: &mut [f32]) {
        debug_assert!(k % 16 == 0 && out.len() >= a.len() && scales.len() * k >= a.len());
        let magnitude = _mm256_set1_ps(f32::from_bits(0x7fff_ffff));
        for ((row, q), s) in a.chunks_exact(k).zip(out.chunks_exact_mut(k)).zip(scales.iter_mut()) {
            let mut max = _mm256_setzero_ps();
            for c in row.chunks_exact(8) {
                // SAFETY: c holds 8 floats.
                max = _mm256_max_ps(max, _mm256_and_ps(magnitude, unsafe { _mm256_loadu_ps(c.as_ptr()) }));
            }
            let half = _mm_max_ps(_mm256_castps256_ps128(max), _mm256_extractf128_ps(max, 1));
            let quarter = _mm_max_ps(half, _mm_movehl_ps(half, half));
            let max = _mm_cvtss_f32(_mm_max_ss(quarter, _mm_shuffle_ps(quarter, quarter, 1)));
            *s = if max > 0.0 { max / A_MAX } else { 1.0 };
            let inv = _mm256_set1_ps(1.0 / *s);
            for (c, o) in row.chunks_exact(16).zip(q.chunks_exact_mut(16)) {
                // SAFETY: c holds 16 floats and o 16 i16.
                unsafe {
                    let lo = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(c.as_ptr()), inv));
                    let hi = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(c.as_ptr().add(8)), inv));
                    // packs interleaves 128-bit halves: lo0 hi0 lo1 hi1; put them in order.
                    let packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0b11_01_10_00);
                    _mm256_storeu_si256(o.as_mut_ptr().cast(), packed);
                }
            }
        }
    }

    /// `c = (qa · Wᵀ) · (row scale × output scale) + bias`, blocked so a
    /// block of rows stays in L2 while every panel passes over it.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn gemm(qa: &[i16], a_scale: &[f32], m: usize, k: usize, packed: &[i16], w_scale: &[f32], bias: &[f32], c: &mut [f32]) {
        let n = w_scale.len();
        debug_assert!(qa.len() >= m * k && packed.len() == n * k && c.len() >= m * n && k % 2 == 0 && n % NR == 0);
        // Rows a block: about 96 KiB of quantised activations, whole tiles.
        let block = ((96 * 1024 / (2 * k)) / MR).max(1) * MR;
        let mut r0 = 0;
        while r0 < m {
            let rows = block.min(m - r0);
            for panel in 0..n / NR {
                let b = unsafe { packed.as_ptr().add(panel * k * NR) };
                let j = panel * NR;
                let mut r = r0;
                while r < r0 + rows {
                    let a = unsafe { qa.as_ptr().add(r * k) };
                    let out = unsafe { c.as_mut_ptr().add(r * n + j) };
                    let (s, ws, bs) = (&a_scale[r..], &w_scale[j..j + NR], &bias[j..j + NR]);
                    let left = r0 + rows - r;
                    // SAFETY: the tile reads `tile` rows of `qa` from row r
                    // (r + tile <= m), the panel's k × NR weights, and writes
                    // `tile` rows of NR outputs at column j < n of c.
                    unsafe {
                        match left.min(MR) {
                            MR => tile::<MR>(a, k, b, out, n, s, ws, bs),
                            5 => tile::<5>(a, k, b, out, n, s, ws, bs),
                            4 => tile::<4>(a, k, b, out, n, s, ws, bs),
                            3 => tile::<3>(a, k, b, out, n, s, ws, bs),
                            2 => tile::<2>(a, k, b, out, n, s, ws, bs),
                            _ => tile::<1>(a, k, b, out, n, s, ws, bs),
                        }
                    }
                    r += left.min(MR);
                }
            }
            r0 += rows;
        }
    }

    /// `ROWS` rows × 16 outputs over the whole inner dimension.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const ROWS: usize>(a: *const i16, k: usize, b: *const i16, c: *mut f32, ldc: usize, a_scale: &[f32], w_scale: &[f32], bias: &[f32]) {
        let mut acc = [[_mm256_setzero_si256(); NV]; ROWS];
        for p in 0..k / 2 {
            // SAFETY: pair p of the panel is 2·NR i16 at p·2·NR; row r's pair
            // p is the two i16 at r·k + 2p (the caller keeps r < ROWS in bounds).
            unsafe {
                let mut w = [_mm256_setzero_si256(); NV];
                for (v, w) in w.iter_mut().enumerate() {
                    *w = _mm256_loadu_si256(b.add(p * 2 * NR + v * 16).cast());
                }
                for (r, acc) in acc.iter_mut().enumerate() {
                    let x = _mm256_set1_epi32(a.add(r * k + 2 * p).cast::<i32>().read_unaligned());
                    for (acc, w) in acc.iter_mut().zip(&w) {
                        *acc = _mm256_add_epi32(*acc, _mm256_madd_epi16(x, *w));
                    }
                }
            }
        }
        // SAFETY: w_scale and bias hold NR values; row r's outputs are NR
        // f32 at c + r·ldc.
        unsafe {
            for v in 0..NV {
                let (ws, bs) = (_mm256_loadu_ps(w_scale.as_ptr().add(8 * v)), _mm256_loadu_ps(bias.as_ptr().add(8 * v)));
                for (r, acc) in acc.iter().enumerate() {
                    let s = _mm256_set1_ps(a_scale[r]);
                    _mm256_storeu_ps(c.add(r * ldc + 8 * v), _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[v]), _mm256_mul_ps(s, ws), bs));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kernels against a plain triple loop, on shapes with tails.
    #[test]
    fn kernels_agree_with_a_plain_product() {
        let (k, n) = (384, 48);
        let weight: Vec<f32> = (0..n * k).map(|i| ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.1).collect();
        let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.01).collect();
        for m in [1, 5, 6, 7, 13, 200] {
            let a: Vec<f32> = (0..m * k).map(|i| ((i * 104_729 % 2000) as f32 / 1000.0 - 1.0) * 3.0).collect();
            let mut want = vec![0.0f32; m * n];
            for i in 0..m {
                for j in 0..n {
                    want[i * n + j] = bias[j] + (0..k).map(|t| a[i * k + t] * weight[j * k + t]).sum::<f32>();
                }
            }
            for kernel in [Kernel::Float, Kernel::detect()] {
                let layer = Linear::new(weight.clone(), bias.clone(), k, n, kernel);
                assert_eq!(layer.kernel(), kernel);
                let mut got = vec![0.0f32; m * n];
                layer.forward(&a, m, &mut got, &mut Scratch::default());
                let worst = want.iter().zip(&got).map(|(w, g)| (w - g).abs()).fold(0.0f32, f32::max);
                let size = want.iter().map(|w| w.abs()).fold(0.0f32, f32::max);
                assert!(worst <= size * 2e-3, "{kernel:?}, m {m}: off by {worst} on values up to {size}");
            }
        }
    }
}
