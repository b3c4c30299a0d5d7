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
    /// 16-bit integer products with AVX-512 VNNI (`vpdpwssd` on 512-bit
    /// registers), x86-64 only.
    Vnni512,
    /// 16-bit integer products with AVX-VNNI (`vpdpwssd` on 256-bit
    /// registers: CPUs with VNNI but without AVX-512), x86-64 only.
    AvxVnni,
    /// 16-bit integer products with AVX2 (`vpmaddwd`, `vpaddd`), x86-64 only.
    Int16,
    /// f32 products on any CPU.
    Float,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn detect() -> Self {
        Self::supported()[0]
    }

    /// Every kernel this CPU runs, fastest first; [`Kernel::Float`] is
    /// always last.
    pub fn supported() -> Vec<Kernel> {
        [Kernel::Vnni512, Kernel::AvxVnni, Kernel::Int16, Kernel::Float].into_iter().filter(|k| k.runs_here()).collect()
    }

    /// Whether this CPU has the instructions the kernel needs.
    pub fn runs_here(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma");
            match self {
                Kernel::Vnni512 => avx2 && has!("avx512f") && has!("avx512bw") && has!("avx512vnni"),
                Kernel::AvxVnni => avx2 && has!("avxvnni"),
                Kernel::Int16 => avx2,
                Kernel::Float => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Kernel::Float
        }
    }

    /// Outputs per packed weight panel.
    fn panel(self) -> usize {
        match self {
            Kernel::Vnni512 => 32,
            _ => 16,
        }
    }
}

/// Largest quantised weight magnitude (9 bits with the sign).
const W_MAX: f32 = 255.0;
/// Largest quantised activation magnitude (13 bits with the sign).
const A_MAX: f32 = 4095.0;
/// Longest inner dimension whose integer sums cannot overflow an i32.
const K_MAX: usize = (i32::MAX as usize) / (W_MAX as usize * A_MAX as usize);

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
    /// `[outputs / nr][inputs / 2][nr][2]` with `nr` the kernel's panel
    /// width: for each pair of inputs, the panel's outputs' two weights side
    /// by side, as `vpmaddwd` and `vpdpwssd` take them; `scale[j]` turns
    /// output `j`'s integers back into weights.
    Int16 { kernel: Kernel, packed: Vec<i16>, scale: Vec<f32> },
}

impl Linear {
    /// A layer from f32 weights (`outputs × inputs`, row-major) in the form
    /// `kernel` runs. The integer forms need a CPU that runs them
    /// ([`Kernel::runs_here`]), `inputs` a multiple of 16 and at most
    /// [`K_MAX`], and `outputs` a multiple of the kernel's panel (16 or 32;
    /// true of every e5 layer); otherwise the layer keeps f32.
    pub fn new(weight: Vec<f32>, bias: Vec<f32>, inputs: usize, outputs: usize, kernel: Kernel) -> Self {
        assert_eq!(weight.len(), inputs * outputs, "weight matrix size");
        assert_eq!(bias.len(), outputs, "bias size");
        let integer = kernel != Kernel::Float && kernel.runs_here() && inputs % 16 == 0 && inputs <= K_MAX && outputs % kernel.panel() == 0;
        let weights = if integer { pack(&weight, inputs, outputs, kernel) } else { Weights::Float(weight) };
        Self { weights, bias, inputs, outputs }
    }

    /// Which kernel this layer runs.
    pub fn kernel(&self) -> Kernel {
        match self.weights {
            Weights::Float(_) => Kernel::Float,
            Weights::Int16 { kernel, .. } => kernel,
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
            Weights::Int16 { kernel, packed, scale } => {
                scratch.rows.resize(m * k, 0);
                scratch.scale.resize(m, 0.0);
                // SAFETY: `new`, the only constructor, builds Int16 weights
                // only for a kernel whose instructions this CPU has (AVX2
                // and FMA for all three); the sizes are checked above and
                // by `new`.
                unsafe {
                    avx2::quantize_rows(&a[..m * k], k, &mut scratch.rows, &mut scratch.scale);
                    let (qa, qs) = (&scratch.rows[..], &scratch.scale[..]);
                    match kernel {
                        Kernel::Vnni512 => avx512::gemm(qa, qs, m, k, packed, scale, &self.bias, c),
                        Kernel::AvxVnni => avx2::gemm_vnni(qa, qs, m, k, packed, scale, &self.bias, c),
                        _ => avx2::gemm(qa, qs, m, k, packed, scale, &self.bias, c),
                    }
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

fn pack(weight: &[f32], k: usize, n: usize, kernel: Kernel) -> Weights {
    let nr = kernel.panel();
    let mut scale = Vec::with_capacity(n);
    let mut packed = vec![0i16; n * k];
    for (j, row) in weight.chunks_exact(k).enumerate() {
        let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let s = if max > 0.0 { max / W_MAX } else { 1.0 };
        scale.push(s);
        let (panel, col) = (j / nr, j % nr);
        let base = panel * k * nr;
        for (i, &w) in row.iter().enumerate() {
            packed[base + (i / 2) * 2 * nr + col * 2 + i % 2] = (w / s).round() as i16;
        }
    }
    Weights::Int16 { kernel, packed, scale }
}

/// Walks an `m × n` product in tiles of up to `mr` rows and one `nr`-wide
/// panel, calling `tile(row, rows, panel)`. Rows go in blocks whose
/// quantised activations (about 96 KiB, whole tiles) stay in L2 while every
/// panel passes over them.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn for_each_tile(m: usize, k: usize, n: usize, nr: usize, mr: usize, mut tile: impl FnMut(usize, usize, usize)) {
    let block = ((96 * 1024 / (2 * k)) / mr).max(1) * mr;
    let mut r0 = 0;
    while r0 < m {
        let end = (r0 + block).min(m);
        for panel in 0..n / nr {
            let mut r = r0;
            while r < end {
                let rows = (end - r).min(mr);
                tile(r, rows, panel);
                r += rows;
            }
        }
        r0 = end;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{A_MAX, for_each_tile};

    /// Outputs per packed panel (two AVX2 registers of eight i32 sums).
    const NR: usize = 16;
    /// AVX2 registers of sums per tile row.
    const NV: usize = NR / 8;
    /// Batch rows per kernel tile: 6 × 2 accumulators, 2 weight registers
    /// and a broadcast fill 15 of the 16 AVX2 registers.
    const MR: usize = 6;

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

    /// The AVX2 product and its AVX-VNNI twin: the same tiles, where the
    /// multiply-add of 16-bit pairs into 32-bit sums is `vpmaddwd` then
    /// `vpaddd`, or one fused `vpdpwssd`.
    macro_rules! kernel {
        ($gemm:ident, $tile:ident, $features:literal, |$acc:ident, $x:ident, $w:ident| $mac:expr) => {
            /// `c = (qa · Wᵀ) · (row scale × output scale) + bias`.
            #[target_feature(enable = $features)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn $gemm(qa: &[i16], a_scale: &[f32], m: usize, k: usize, packed: &[i16], w_scale: &[f32], bias: &[f32], c: &mut [f32]) {
                let n = w_scale.len();
                debug_assert!(qa.len() >= m * k && packed.len() == n * k && c.len() >= m * n && k % 2 == 0 && n % NR == 0);
                for_each_tile(m, k, n, NR, MR, |r, rows, panel| {
                    let j = panel * NR;
                    let (s, ws, bs) = (&a_scale[r..r + rows], &w_scale[j..j + NR], &bias[j..j + NR]);
                    // SAFETY: the tile reads `rows` rows of `qa` from row r
                    // (r + rows <= m), the panel's k × NR weights, and writes
                    // `rows` rows of NR outputs at column j < n of c.
                    unsafe {
                        let (a, b, out) = (qa.as_ptr().add(r * k), packed.as_ptr().add(panel * k * NR), c.as_mut_ptr().add(r * n + j));
                        match rows {
                            MR => $tile::<MR>(a, k, b, out, n, s, ws, bs),
                            5 => $tile::<5>(a, k, b, out, n, s, ws, bs),
                            4 => $tile::<4>(a, k, b, out, n, s, ws, bs),
                            3 => $tile::<3>(a, k, b, out, n, s, ws, bs),
                            2 => $tile::<2>(a, k, b, out, n, s, ws, bs),
                            _ => $tile::<1>(a, k, b, out, n, s, ws, bs),
                        }
                    }
                });
            }

            /// `ROWS` rows × 16 outputs over the whole inner dimension.
            #[target_feature(enable = $features)]
            #[inline]
            #[allow(clippy::too_many_arguments)]
            unsafe fn $tile<const ROWS: usize>(a: *const i16, k: usize, b: *const i16, c: *mut f32, ldc: usize, a_scale: &[f32], w_scale: &[f32], bias: &[f32]) {
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
                            let $x = _mm256_set1_epi32(a.add(r * k + 2 * p).cast::<i32>().read_unaligned());
                            for (acc, &$w) in acc.iter_mut().zip(&w) {
                                let $acc = *acc;
                                *acc = $mac;
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
        };
    }

    kernel!(gemm, tile, "avx2,fma", |acc, x, w| _mm256_add_epi32(acc, _mm256_madd_epi16(x, w)));
    kernel!(gemm_vnni, tile_vnni, "avx2,fma,avxvnni", |acc, x, w| _mm256_dpwssd_avx_epi32(acc, x, w));
}

/// The AVX-512 VNNI product: 32-output panels (two 512-bit registers of
/// sixteen i32 sums), tiles of 12 rows, so 24 accumulators, the two weight
/// registers and a broadcast use 27 of the 32 registers. `vpdpwssd`
/// multiplies 32 pairs of 16-bit integers and adds them into 16 sums in one
/// instruction, four times the work of AVX2's `vpmaddwd` + `vpaddd` pair.
/// The sums are the same exact integers and the final f32 arithmetic the
/// same operations, so the output equals the AVX2 kernel's bit for bit.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::for_each_tile;

    /// Outputs per packed panel.
    const NR: usize = 32;
    /// 512-bit registers of sums per tile row.
    const NV: usize = NR / 16;
    /// Batch rows per kernel tile.
    const MR: usize = 12;

    /// `c = (qa · Wᵀ) · (row scale × output scale) + bias`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn gemm(qa: &[i16], a_scale: &[f32], m: usize, k: usize, packed: &[i16], w_scale: &[f32], bias: &[f32], c: &mut [f32]) {
        let n = w_scale.len();
        debug_assert!(qa.len() >= m * k && packed.len() == n * k && c.len() >= m * n && k % 2 == 0 && n % NR == 0);
        for_each_tile(m, k, n, NR, MR, |r, rows, panel| {
            let j = panel * NR;
            let (s, ws, bs) = (&a_scale[r..r + rows], &w_scale[j..j + NR], &bias[j..j + NR]);
            // SAFETY: as in the AVX2 kernel: `rows` rows of `qa` from row r,
            // the panel's k × NR weights, `rows` × NR outputs at (r, j).
            unsafe {
                let (a, b, out) = (qa.as_ptr().add(r * k), packed.as_ptr().add(panel * k * NR), c.as_mut_ptr().add(r * n + j));
                match rows {
                    MR => tile::<MR>(a, k, b, out, n, s, ws, bs),
                    11 => tile::<11>(a, k, b, out, n, s, ws, bs),
                    10 => tile::<10>(a, k, b, out, n, s, ws, bs),
                    9 => tile::<9>(a, k, b, out, n, s, ws, bs),
                    8 => tile::<8>(a, k, b, out, n, s, ws, bs),
                    7 => tile::<7>(a, k, b, out, n, s, ws, bs),
                    6 => tile::<6>(a, k, b, out, n, s, ws, bs),
                    5 => tile::<5>(a, k, b, out, n, s, ws, bs),
                    4 => tile::<4>(a, k, b, out, n, s, ws, bs),
                    3 => tile::<3>(a, k, b, out, n, s, ws, bs),
                    2 => tile::<2>(a, k, b, out, n, s, ws, bs),
                    _ => tile::<1>(a, k, b, out, n, s, ws, bs),
                }
            }
        });
    }

    /// `ROWS` rows × 32 outputs over the whole inner dimension.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni,avx2,fma")]
    #[inline]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const ROWS: usize>(a: *const i16, k: usize, b: *const i16, c: *mut f32, ldc: usize, a_scale: &[f32], w_scale: &[f32], bias: &[f32]) {
        let mut acc = [[_mm512_setzero_si512(); NV]; ROWS];
        for p in 0..k / 2 {
            // SAFETY: pair p of the panel is 2·NR i16 at p·2·NR; row r's pair
            // p is the two i16 at r·k + 2p (the caller keeps r < ROWS in bounds).
            unsafe {
                let mut w = [_mm512_setzero_si512(); NV];
                for (v, w) in w.iter_mut().enumerate() {
                    *w = _mm512_loadu_si512(b.add(p * 2 * NR + v * 32).cast());
                }
                for (r, acc) in acc.iter_mut().enumerate() {
                    let x = _mm512_set1_epi32(a.add(r * k + 2 * p).cast::<i32>().read_unaligned());
                    for (acc, &w) in acc.iter_mut().zip(&w) {
                        *acc = _mm512_dpwssd_epi32(*acc, x, w);
                    }
                }
            }
        }
        // SAFETY: w_scale and bias hold NR values; row r's outputs are NR
        // f32 at c + r·ldc.
        unsafe {
            for v in 0..NV {
                let (ws, bs) = (_mm512_loadu_ps(w_scale.as_ptr().add(16 * v)), _mm512_loadu_ps(bias.as_ptr().add(16 * v)));
                for (r, acc) in acc.iter().enumerate() {
                    let s = _mm512_set1_ps(a_scale[r]);
                    _mm512_storeu_ps(c.add(r * ldc + 16 * v), _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[v]), _mm512_mul_ps(s, ws), bs));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kernel this CPU runs against a plain triple loop, on shapes
    /// with tails (rows not a multiple of any tile, several row blocks,
    /// outputs more than one panel), and the integer kernels against each
    /// other: the same exact sums, so the same outputs.
    #[test]
    fn kernels_agree_with_a_plain_product() {
        let kernels = Kernel::supported();
        assert_eq!(kernels.last(), Some(&Kernel::Float));
        for (k, n) in [(384, 96), (1536, 64), (32, 32)] {
            let weight: Vec<f32> = (0..n * k).map(|i| ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.1).collect();
            let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.01).collect();
            for m in [1, 5, 6, 7, 11, 12, 13, 25, 200] {
                let a: Vec<f32> = (0..m * k).map(|i| ((i * 104_729 % 2000) as f32 / 1000.0 - 1.0) * 3.0).collect();
                // The plain product, and how far the integer kernels may be
                // from it: each weight is within half a step of its output's
                // ±255 grid and each activation of its row's ±4095 grid.
                let (mut want, mut bound) = (vec![0.0f32; m * n], vec![0.0f32; m * n]);
                for i in 0..m {
                    let (row, col) = (&a[i * k..(i + 1) * k], |j: usize| &weight[j * k..(j + 1) * k]);
                    let a_step = row.iter().fold(0.0f32, |x, v| x.max(v.abs())) / A_MAX;
                    for j in 0..n {
                        let w_step = col(j).iter().fold(0.0f32, |x, v| x.max(v.abs())) / W_MAX;
                        want[i * n + j] = bias[j] + row.iter().zip(col(j)).map(|(x, w)| x * w).sum::<f32>();
                        bound[i * n + j] = row.iter().zip(col(j)).map(|(x, w)| 0.5 * (x.abs() * w_step + w.abs() * a_step) + 0.25 * w_step * a_step).sum::<f32>() + 1e-4;
                    }
                }
                let mut integer: Option<(Kernel, Vec<f32>)> = None;
                for &kernel in &kernels {
                    let layer = Linear::new(weight.clone(), bias.clone(), k, n, kernel);
                    assert_eq!(layer.kernel(), kernel);
                    let mut got = vec![0.0f32; m * n];
                    layer.forward(&a, m, &mut got, &mut Scratch::default());
                    for (i, ((w, g), b)) in want.iter().zip(&got).zip(&bound).enumerate() {
                        assert!((w - g).abs() <= *b, "{kernel:?}, {m}×{k}·{k}×{n}: output {i} is {g}, want {w} ± {b}");
                    }
                    if kernel != Kernel::Float {
                        match &integer {
                            Some((first, sums)) => assert!(sums == &got, "{kernel:?} and {first:?} differ on {m}×{k}·{k}×{n}"),
                            None => integer = Some((kernel, got)),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_detected_kernel_is_the_first_supported_one() {
        assert_eq!(Kernel::detect(), Kernel::supported()[0]);
        assert!(Kernel::Float.runs_here());
    }
}
