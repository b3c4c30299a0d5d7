//! The dense layers' matrix products, `c = a · wᵀ + bias` with `a` the
//! batch's activations (`m × k`, f32) and `w` a layer's weights (`n × k`).
//!
//! The kernels, the fastest this CPU runs picked once when the model loads
//! ([`Kernel::detect`]):
//!
//! - [`Kernel::AmxBf16`] (x86-64 Linux with AMX, Sapphire Rapids and
//!   later): weights and activations in bf16 (8 significant bits each, so
//!   the 4-bit weights keep their grid to within 1/64 of a step), f32 sums,
//!   on the tile unit: the encoder runs about three times as many cards a
//!   CPU-second as with the AVX-512 VNNI kernel, and closer to the f32
//!   kernel (cosine 0.99999 on the fixtures) than the integer kernels.
//! - [`Kernel::Vnni512`], [`Kernel::AvxVnni`], [`Kernel::Int16`]
//!   (x86-64 with AVX-512 VNNI, AVX-VNNI, or AVX2 and FMA): the weights
//!   are stored as 16-bit integers with one scale per output (±255, 9
//!   bits, so each 4-bit block keeps its grid to within 1/16 of a step),
//!   packed in panels of 16 or 32 outputs; each batch row is quantised to
//!   ±4095 with one scale per row. `vpmaddwd` (AVX2) does 16
//!   multiply-adds of 16-bit integers per instruction where f32 FMA does
//!   8, `vpdpwssd` (VNNI) 16 or 32 with the addition fused, and the 32-bit
//!   sums are exact: `k · 4095 · 255` stays under 2³¹ for `k ≤ 2048`. The
//!   three give the same outputs bit for bit; the only rounding is the two
//!   quantisations (embeddings within cosine 0.9999 of the f32 kernel's on
//!   the fixtures).
//! - [`Kernel::Float`] (any CPU): f32 weights and `matrixmultiply`'s sgemm.

/// Which matrix product a model's dense layers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// bf16 products on the AMX tile unit (`tdpbf16ps`: a 16×32 by 32×16
    /// block product per instruction, f32 sums), x86-64 Linux only.
    AmxBf16,
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
        [Kernel::AmxBf16, Kernel::Vnni512, Kernel::AvxVnni, Kernel::Int16, Kernel::Float].into_iter().filter(|k| k.runs_here()).collect()
    }

    /// Whether this CPU has the instructions the kernel needs.
    pub fn runs_here(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma");
            match self {
                // AVX-512 converts the activations and finishes the sums.
                Kernel::AmxBf16 => avx2 && has!("avx512f") && has!("avx512bw") && amx::available(),
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
    /// The same layout as [`Weights::Int16`] in panels of 16 outputs, the
    /// weights themselves in bf16 (as `u16` bits): AMX's B tile is 16 rows
    /// of pairs (32 inputs) by 16 outputs.
    Bf16(Vec<u16>),
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
        let weights = match kernel {
            Kernel::Float => Weights::Float(weight),
            _ if !kernel.runs_here() => Weights::Float(weight),
            Kernel::AmxBf16 if inputs.is_multiple_of(32) && outputs.is_multiple_of(32) => Weights::Bf16(pack_bf16(&weight, inputs, outputs)),
            Kernel::AmxBf16 => Weights::Float(weight),
            _ if inputs.is_multiple_of(16) && inputs <= K_MAX && outputs.is_multiple_of(kernel.panel()) => pack(&weight, inputs, outputs, kernel),
            _ => Weights::Float(weight),
        };
        Self { weights, bias, inputs, outputs }
    }

    /// Which kernel this layer runs.
    pub fn kernel(&self) -> Kernel {
        match self.weights {
            Weights::Float(_) => Kernel::Float,
            Weights::Int16 { kernel, .. } => kernel,
            Weights::Bf16(_) => Kernel::AmxBf16,
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
            #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
            Weights::Bf16(packed) => {
                let padded = m.next_multiple_of(amx::ROWS);
                scratch.bf16.resize(padded * k, 0);
                // SAFETY: `new` builds bf16 weights only where
                // `Kernel::AmxBf16.runs_here()` (AVX-512F/BW, AMX, and the
                // kernel's permission to use the tiles); k and n are
                // multiples of 32 (checked by `new`), the scratch holds
                // `padded` rows.
                unsafe {
                    amx::to_bf16(&a[..m * k], k, &mut scratch.bf16[..padded * k]);
                    amx::gemm(&scratch.bf16, m, k, packed, &self.bias, amx::Output::F32(c));
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Weights::Int16 { .. } => {
                let _ = scratch;
                unreachable!("Int16 weights are only built on x86-64")
            }
            #[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
            Weights::Bf16(_) => unreachable!("bf16 weights are only built on x86-64 Linux"),
        }
    }
}

/// Quantised activations, reused across a batch's layers.
#[derive(Debug, Default)]
pub struct Scratch {
    rows: Vec<i16>,
    scale: Vec<f32>,
    /// The rows in bf16 for AMX, padded with zero rows to whole tiles.
    bf16: Vec<u16>,
    /// The feed-forward block's middle in bf16 tiles ([`feed_forward`]).
    middle: Vec<u16>,
}

/// `out = gelu(a · W₁ᵀ + b₁) · W₂ᵀ + b₂`, the transformer's feed-forward
/// block, fused where both layers run on AMX: the first product's
/// epilogue applies GELU to each block of sums while it is in L1 and writes
/// it straight into the bf16 tiles the second product reads, so the wide
/// middle (`m × 1536` for e5-small, megabytes for a pass) is never written
/// in f32, passed over for GELU, and converted again. Returns `false`, and
/// does nothing, for other kernels: the caller then runs the two layers
/// and GELU itself.
pub fn feed_forward(first: &Linear, second: &Linear, a: &[f32], m: usize, out: &mut [f32], scratch: &mut Scratch) -> bool {
    assert!(first.outputs == second.inputs && a.len() >= m * first.inputs && out.len() >= m * second.outputs, "matrix sizes agree");
    match (&first.weights, &second.weights) {
        #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
        (Weights::Bf16(w1), Weights::Bf16(w2)) => {
            let (k, middle) = (first.inputs, first.outputs);
            let padded = m.next_multiple_of(amx::ROWS);
            scratch.bf16.resize(padded * k, 0);
            scratch.middle.resize(padded * middle, 0);
            // SAFETY: as in `Linear::forward`; both layers' sizes are
            // multiples of 32 (bf16 weights are built for no others) and
            // the first's outputs are the second's inputs.
            unsafe {
                amx::to_bf16(&a[..m * k], k, &mut scratch.bf16[..padded * k]);
                amx::gemm(&scratch.bf16, m, k, w1, &first.bias, amx::Output::GeluBf16(&mut scratch.middle[..padded * middle]));
                amx::gemm(&scratch.middle, m, middle, w2, &second.bias, amx::Output::F32(out));
            }
            true
        }
        _ => false,
    }
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

/// f32 to bf16 bits, rounded to nearest even (the weights and activations
/// here are finite).
#[inline(always)]
fn bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// Weights to `[outputs / 16][inputs / 2][16][2]` bf16.
fn pack_bf16(weight: &[f32], k: usize, n: usize) -> Vec<u16> {
    const NR: usize = 16;
    let mut packed = vec![0u16; n * k];
    for (j, row) in weight.chunks_exact(k).enumerate() {
        let base = (j / NR) * k * NR;
        for (i, &w) in row.iter().enumerate() {
            packed[base + (i / 2) * 2 * NR + (j % NR) * 2 + i % 2] = bf16(w);
        }
    }
    packed
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
        debug_assert!(k.is_multiple_of(16) && out.len() >= a.len() && scales.len() * k >= a.len());
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
            unsafe fn $tile<const ROWS: usize>(
                a: *const i16,
                k: usize,
                b: *const i16,
                c: *mut f32,
                ldc: usize,
                a_scale: &[f32],
                w_scale: &[f32],
                bias: &[f32],
            ) {
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
        debug_assert!(qa.len() >= m * k && packed.len() == n * k && c.len() >= m * n && k.is_multiple_of(2) && n.is_multiple_of(NR));
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

/// The AMX product. Intel's tile unit keeps eight 16-row × 64-byte tile
/// registers; `tdpbf16ps` multiplies a 16×32 bf16 tile of activations by a
/// 32×16 bf16 tile of weights (stored as 16 rows of pairs, the packed
/// layout) into a 16×16 tile of f32 sums, 8,192 multiply-adds per
/// instruction. Each block of 32 rows × 32 outputs keeps its four sum tiles
/// in registers while the inner dimension streams through, 32 at a time.
///
/// Rust has no stable AMX intrinsics, so the instructions are written as
/// `asm!`. Linux hands the tile registers to a process only after it asks
/// (`arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)`), which
/// [`available`] does once.
#[cfg(target_arch = "x86_64")]
mod amx {
    #[cfg(target_os = "linux")]
    use std::arch::asm;

    /// Rows (and outputs) of one tile.
    pub const ROWS: usize = 16;

    /// Whether the CPU has AMX-TILE and AMX-BF16 and the kernel lets this
    /// process use them; asks once.
    pub fn available() -> bool {
        #[cfg(target_os = "linux")]
        {
            static GRANTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
            *GRANTED.get_or_init(|| {
                // CPUID leaf 7: EDX bit 22 is AMX-BF16, bit 24 AMX-TILE.
                let leaf = std::arch::x86_64::__cpuid_count(7, 0);
                if leaf.edx & (1 << 22) == 0 || leaf.edx & (1 << 24) == 0 {
                    return false;
                }
                const ARCH_REQ_XCOMP_PERM: u64 = 0x1023;
                const XFEATURE_XTILEDATA: u64 = 18;
                const SYS_ARCH_PRCTL: u64 = 158;
                let result: i64;
                // SAFETY: the arch_prctl system call with a request that
                // only changes which extended states this process may use.
                unsafe {
                    asm!("syscall", inlateout("rax") SYS_ARCH_PRCTL as i64 => result, in("rdi") ARCH_REQ_XCOMP_PERM, in("rsi") XFEATURE_XTILEDATA,
                        lateout("rcx") _, lateout("r11") _, options(nostack));
                }
                result == 0
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// `a` (`k`-long rows) in bf16 and in tiles: row block `b` (16 rows),
    /// column block `c` (32 columns) is 16 rows of 64 bytes one after the
    /// other at `(b · k/32 + c) · 512`, so each tile load reads 1 KiB in a
    /// row where the row-major matrix would be 16 lines `2k` bytes apart.
    /// Rows past `a`'s, up to `out`'s length, are zeros.
    #[cfg(target_os = "linux")]
    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn to_bf16(a: &[f32], k: usize, out: &mut [u16]) {
        let place = |row: usize, block: usize| ((row / ROWS * (k / 32) + block) * ROWS + row % ROWS) * 32;
        let rows = a.len() / k;
        for (row, x) in a.chunks_exact(k).enumerate() {
            for (block, x) in x.chunks_exact(32).enumerate() {
                for (o, &v) in out[place(row, block)..][..32].iter_mut().zip(x) {
                    *o = super::bf16(v);
                }
            }
        }
        for row in rows..out.len() / k {
            for block in 0..k / 32 {
                out[place(row, block)..][..32].fill(0);
            }
        }
    }

    /// The tile configuration `ldtilecfg` reads: palette 1, every tile 16
    /// rows of 64 bytes.
    #[cfg(target_os = "linux")]
    #[repr(C, align(64))]
    struct Config {
        palette: u8,
        start_row: u8,
        reserved: [u8; 14],
        bytes_per_row: [u16; 16],
        rows: [u8; 16],
        reserved2: [u8; 16],
    }

    /// Where [`gemm`] puts `a · Wᵀ + bias`.
    #[cfg(target_os = "linux")]
    pub enum Output<'a> {
        /// f32 rows (`m × n`).
        F32(&'a mut [f32]),
        /// GELU of it, in bf16 tiles as [`to_bf16`] writes them (the next
        /// product's input; padding rows zero).
        GeluBf16(&'a mut [u16]),
    }

    /// `a · Wᵀ + bias` into `out`, with `a` in bf16 tiles from [`to_bf16`]
    /// (padded with zero rows to a multiple of 16) and `packed` the layer's weights
    /// from `pack_bf16`; `k` and `n` multiples of 32.
    #[cfg(target_os = "linux")]
    #[target_feature(enable = "avx512f,avx2,fma")]
    pub unsafe fn gemm(a: &[u16], m: usize, k: usize, packed: &[u16], bias: &[f32], mut out: Output<'_>) {
        use std::arch::x86_64::*;
        let n = bias.len();
        let padded = m.next_multiple_of(ROWS);
        debug_assert!(a.len() >= padded * k && packed.len() == n * k && k.is_multiple_of(32) && n.is_multiple_of(32));
        debug_assert!(match &out {
            Output::F32(c) => c.len() >= m * n,
            Output::GeluBf16(t) => t.len() >= padded * n,
        });
        let mut config = Config { palette: 1, start_row: 0, reserved: [0; 14], bytes_per_row: [0; 16], rows: [0; 16], reserved2: [0; 16] };
        for t in 0..8 {
            config.bytes_per_row[t] = 64;
            config.rows[t] = ROWS as u8;
        }
        // Sums of one 32 × 32 block, as four 16 × 16 tiles stored side by side.
        let mut sums = [[0.0f32; 32]; 32];
        let (a_stride, b_stride, s_stride) = (64usize, 64usize, 32 * 4usize);
        // SAFETY: `config` is a valid palette-1 configuration; every tile
        // load reads 16 rows of 64 bytes inside `a` (rows < padded) or
        // inside a panel of `packed` (k/2 pair rows of 64 bytes), every
        // store writes inside `sums`; the tiles are released at the end.
        unsafe {
            asm!("ldtilecfg [{}]", in(reg) &config, options(nostack, readonly));
            let mut r0 = 0;
            while r0 < padded {
                let two = r0 + ROWS < padded;
                let a0 = a.as_ptr().add(r0 * k);
                let a1 = a.as_ptr().add((r0 + ROWS).min(padded - ROWS) * k);
                for j0 in (0..n).step_by(32) {
                    let b0 = packed.as_ptr().add(j0 * k);
                    let b1 = packed.as_ptr().add((j0 + 16) * k);
                    asm!("tilezero tmm0", "tilezero tmm1", "tilezero tmm2", "tilezero tmm3", options(nostack, nomem));
                    for kk in (0..k).step_by(32) {
                        // Pair row kk/2 of a panel starts kk/2 · 32 values in.
                        // So does column block kk/32 of a row block of `a`.
                        let (pa0, pb0, pb1) = (a0.add(kk * 16), b0.add(kk * 16), b1.add(kk * 16));
                        asm!(
                            "tileloadd tmm4, [{a} + {sa} * 1]",
                            "tileloadd tmm6, [{b0} + {sb} * 1]",
                            "tileloadd tmm7, [{b1} + {sb} * 1]",
                            "tdpbf16ps tmm0, tmm4, tmm6",
                            "tdpbf16ps tmm1, tmm4, tmm7",
                            a = in(reg) pa0, b0 = in(reg) pb0, b1 = in(reg) pb1, sa = in(reg) a_stride, sb = in(reg) b_stride,
                            options(nostack, readonly),
                        );
                        if two {
                            asm!(
                                "tileloadd tmm5, [{a} + {sa} * 1]",
                                "tdpbf16ps tmm2, tmm5, tmm6",
                                "tdpbf16ps tmm3, tmm5, tmm7",
                                a = in(reg) a1.add(kk * 16), sa = in(reg) a_stride,
                                options(nostack, readonly),
                            );
                        }
                    }
                    let s = sums.as_mut_ptr().cast::<f32>();
                    asm!(
                        "tilestored [{s0} + {ss} * 1], tmm0",
                        "tilestored [{s1} + {ss} * 1], tmm1",
                        "tilestored [{s2} + {ss} * 1], tmm2",
                        "tilestored [{s3} + {ss} * 1], tmm3",
                        s0 = in(reg) s, s1 = in(reg) s.add(16), s2 = in(reg) s.add(16 * 32), s3 = in(reg) s.add(16 * 32 + 16), ss = in(reg) s_stride,
                        options(nostack),
                    );
                    match &mut out {
                        Output::F32(c) => {
                            let (b_lo, b_hi) = (_mm512_loadu_ps(bias.as_ptr().add(j0)), _mm512_loadu_ps(bias.as_ptr().add(j0 + 16)));
                            for (r, row) in sums.iter().enumerate().take((m - r0).min(2 * ROWS)) {
                                let out = c.as_mut_ptr().add((r0 + r) * n + j0);
                                _mm512_storeu_ps(out, _mm512_add_ps(_mm512_loadu_ps(row.as_ptr()), b_lo));
                                _mm512_storeu_ps(out.add(16), _mm512_add_ps(_mm512_loadu_ps(row.as_ptr().add(16)), b_hi));
                            }
                        }
                        Output::GeluBf16(tiles) => {
                            // Columns j0..j0 + 32 are column block j0/32 of the next input.
                            let bias = &bias[j0..j0 + 32];
                            for (r, row) in sums.iter().enumerate().take(if two { 2 * ROWS } else { ROWS }) {
                                let at = ((r0 + r) / ROWS * (n / 32) + j0 / 32) * ROWS * 32 + (r0 + r) % ROWS * 32;
                                let dst = &mut tiles[at..at + 32];
                                if r0 + r < m {
                                    for ((d, &s), &b) in dst.iter_mut().zip(row).zip(bias) {
                                        *d = super::bf16(crate::math::gelu(s + b));
                                    }
                                } else {
                                    dst.fill(0);
                                }
                            }
                        }
                    }
                }
                r0 += if two { 2 * ROWS } else { ROWS };
            }
            asm!("tilerelease", options(nostack, nomem));
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
            for m in [1, 5, 6, 7, 11, 12, 13, 16, 17, 25, 32, 33, 200] {
                let a: Vec<f32> = (0..m * k).map(|i| ((i * 104_729 % 2000) as f32 / 1000.0 - 1.0) * 3.0).collect();
                // The plain product, and how far the integer kernels may be
                // from it: each weight is within half a step of its output's
                // ±255 grid and each activation of its row's ±4095 grid.
                // bf16 keeps 8 significant bits of each weight and activation.
                let (mut want, mut bound, mut bf16_bound) = (vec![0.0f32; m * n], vec![0.0f32; m * n], vec![0.0f32; m * n]);
                for i in 0..m {
                    let (row, col) = (&a[i * k..(i + 1) * k], |j: usize| &weight[j * k..(j + 1) * k]);
                    let a_step = row.iter().fold(0.0f32, |x, v| x.max(v.abs())) / A_MAX;
                    for j in 0..n {
                        let w_step = col(j).iter().fold(0.0f32, |x, v| x.max(v.abs())) / W_MAX;
                        want[i * n + j] = bias[j] + row.iter().zip(col(j)).map(|(x, w)| x * w).sum::<f32>();
                        bf16_bound[i * n + j] = row.iter().zip(col(j)).map(|(x, w)| (x * w).abs() * 2.0f32.powi(-7)).sum::<f32>() + 1e-4;
                        bound[i * n + j] =
                            row.iter().zip(col(j)).map(|(x, w)| 0.5 * (x.abs() * w_step + w.abs() * a_step) + 0.25 * w_step * a_step).sum::<f32>() + 1e-4;
                    }
                }
                let mut integer: Option<(Kernel, Vec<f32>)> = None;
                for &kernel in &kernels {
                    let layer = Linear::new(weight.clone(), bias.clone(), k, n, kernel);
                    assert_eq!(layer.kernel(), kernel);
                    let mut got = vec![0.0f32; m * n];
                    layer.forward(&a, m, &mut got, &mut Scratch::default());
                    let bound = if kernel == Kernel::AmxBf16 { &bf16_bound } else { &bound };
                    for (i, ((w, g), b)) in want.iter().zip(&got).zip(bound).enumerate() {
                        assert!((w - g).abs() <= *b, "{kernel:?}, {m}×{k}·{k}×{n}: output {i} is {g}, want {w} ± {b}");
                    }
                    if kernel != Kernel::Float && kernel != Kernel::AmxBf16 {
                        match &integer {
                            Some((first, sums)) => assert!(sums == &got, "{kernel:?} and {first:?} differ on {m}×{k}·{k}×{n}"),
                            None => integer = Some((kernel, got)),
                        }
                    }
                }
            }
        }
    }

    /// The fused feed-forward block gives what its two layers and GELU
    /// give one after the other, for the kernels that fuse it.
    #[test]
    fn the_fused_feed_forward_block_matches_its_steps() {
        let (k, middle) = (64, 96);
        let w1: Vec<f32> = (0..middle * k).map(|i| ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.2).collect();
        let w2: Vec<f32> = (0..k * middle).map(|i| ((i * 6007 % 1000) as f32 / 1000.0 - 0.5) * 0.2).collect();
        let (b1, b2): (Vec<f32>, Vec<f32>) = ((0..middle).map(|j| j as f32 * 0.01 - 0.3).collect(), (0..k).map(|j| j as f32 * 0.02).collect());
        for kernel in Kernel::supported() {
            let (first, second) = (Linear::new(w1.clone(), b1.clone(), k, middle, kernel), Linear::new(w2.clone(), b2.clone(), middle, k, kernel));
            for m in [1, 16, 17, 40] {
                let a: Vec<f32> = (0..m * k).map(|i| ((i * 104_729 % 2000) as f32 / 1000.0 - 1.0) * 2.0).collect();
                let mut scratch = Scratch::default();
                let (mut hidden, mut want) = (vec![0.0f32; m * middle], vec![0.0f32; m * k]);
                first.forward(&a, m, &mut hidden, &mut scratch);
                hidden.iter_mut().for_each(|v| *v = crate::math::gelu(*v));
                second.forward(&hidden, m, &mut want, &mut scratch);
                let mut got = vec![0.0f32; m * k];
                if feed_forward(&first, &second, &a, m, &mut got, &mut scratch) {
                    assert_eq!(kernel, Kernel::AmxBf16, "only AMX fuses");
                    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                        assert!((w - g).abs() <= 1e-5 * (1.0 + w.abs()), "{kernel:?}, {m} rows: output {i} is {g}, want {w}");
                    }
                } else {
                    assert_ne!(kernel, Kernel::AmxBf16, "AMX layers fuse");
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
