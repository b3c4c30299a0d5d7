//! The BERT encoder of multilingual-e5-small, run on many texts at once:
//! the tokens of every text in a batch are stacked into one matrix so each
//! dense layer is a single matrix product over the whole batch (the weights
//! stream through the cache once per batch, not once per text); attention
//! runs per text and head. Output: mean over each text's tokens (`<s>` and
//! `</s>` included, as the C engine and sentence-transformers do), scaled to
//! unit length.

use std::sync::{Mutex, PoisonError};

use super::gemm::{self, Scratch};
use super::math::{exp, gelu};
use super::model::{LayerNorm, Model};

/// Runs a slice function compiled for AVX-512 (sixteen floats at a time)
/// or AVX2 and FMA (eight) where the CPU has them, for the baseline
/// elsewhere: `$body` is `#[inline(always)]`, so each wrapper gets its own
/// copy compiled for its features.
macro_rules! simd_dispatch {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) => $body:ident;)*) => {$(
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx2,fma")]
                unsafe fn widest($($arg: $ty),*) {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn wide($($arg: $ty),*) {
                    $body($($arg),*)
                }
                use std::arch::is_x86_feature_detected as has;
                if has!("avx512f") && has!("avx512bw") && has!("avx2") && has!("fma") {
                    // SAFETY: the CPU has the features `widest` is compiled for.
                    return unsafe { widest($($arg),*) };
                }
                if has!("avx2") && has!("fma") {
                    // SAFETY: the CPU has the features `wide` is compiled for.
                    return unsafe { wide($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    )*};
}

simd_dispatch! {
    fn add_norm(x: &mut [f32], y: Option<&[f32]>, norm: &LayerNorm, eps: f32) => add_norm_body;
    fn gelu_all(xs: &mut [f32]) => gelu_all_body;
    fn attend_plain(qkv: &[f32], l: usize, h: usize, heads: usize, scores: &mut [f32], keys: &mut [f32], context: &mut [f32]) => attend_body;
}

/// [`attend_body`] with AVX-512 register tiles where the CPU has AVX-512F
/// and a head is a multiple of 16 wide (up to 64; e5-small's is 32).
fn attend(qkv: &[f32], l: usize, h: usize, heads: usize, scores: &mut [f32], keys: &mut [f32], context: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && (h / heads).is_multiple_of(16) && h / heads <= 64 {
        // SAFETY: the CPU has AVX-512F; the sizes are those `attend_body` takes.
        return unsafe { attention512::attend(qkv, l, h, heads, scores, keys, context) };
    }
    attend_plain(qkv, l, h, heads, scores, keys, context)
}

/// Sum in eight lanes, so the loop vectorises (float addition is not
/// reassociated otherwise).
#[inline(always)]
fn lane_sum(xs: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut acc = [0.0f32; 8];
    let chunks = xs.chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().map(|&v| f(v)).sum();
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += f(v);
        }
    }
    acc.iter().sum::<f32>() + rest
}

/// Largest of `xs` in sixteen lanes, so the loop vectorises as `lane_sum`'s.
#[inline(always)]
fn lane_max(xs: &[f32]) -> f32 {
    let max = |m: f32, v: f32| if v > m { v } else { m };
    let mut acc = [f32::NEG_INFINITY; 16];
    let chunks = xs.chunks_exact(16);
    let rest = chunks.remainder().iter().fold(f32::NEG_INFINITY, |m, &v| max(m, v));
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = max(*a, v);
        }
    }
    acc.iter().fold(rest, |m, &v| max(m, v))
}

/// `x = LayerNorm(x + y)` row by row (`y = None`: `LayerNorm(x)`).
#[inline(always)]
fn add_norm_body(x: &mut [f32], y: Option<&[f32]>, norm: &LayerNorm, eps: f32) {
    let h = norm.weight.len();
    for (t, row) in x.chunks_exact_mut(h).enumerate() {
        if let Some(y) = y {
            row.iter_mut().zip(&y[t * h..(t + 1) * h]).for_each(|(a, b)| *a += b);
        }
        let mean = lane_sum(row, |v| v) / h as f32;
        let var = lane_sum(row, |v| (v - mean) * (v - mean)) / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

#[inline(always)]
fn gelu_all_body(xs: &mut [f32]) {
    xs.iter_mut().for_each(|v| *v = gelu(*v));
}

/// Attention of one `l`-token sequence: for each head, the scores
/// `q·kᵀ/√d` (`l × l`), their softmax by row, and the context `p·v` into
/// the head's columns of `context` (`l × h`). `qkv` is the sequence's
/// `[l][q | k | v]` block, `keys` room for one head's keys transposed
/// (`d × l`), so both products run along contiguous rows: a score row is
/// `Σ_d q[i][d] · kᵀ[d]`, a context row `Σ_j p[i][j] · v[j]`. Sequences are
/// short (a card is cut to 48 tokens), where a general matrix product's
/// packing would cost more than the arithmetic.
#[inline(always)]
fn attend_body(qkv: &[f32], l: usize, h: usize, heads: usize, scores: &mut [f32], keys: &mut [f32], context: &mut [f32]) {
    let d = h / heads;
    let row = 3 * h;
    let scale = 1.0 / (d as f32).sqrt();
    for head in 0..heads {
        let (q0, k0, v0) = (head * d, h + head * d, 2 * h + head * d);
        for (j, token) in qkv.chunks_exact(row).enumerate() {
            for (c, &k) in token[k0..k0 + d].iter().enumerate() {
                keys[c * l + j] = k;
            }
        }
        for (token, scores) in qkv.chunks_exact(row).zip(scores.chunks_exact_mut(l)) {
            scores.fill(0.0);
            for (&q, keys) in token[q0..q0 + d].iter().zip(keys.chunks_exact(l)) {
                let q = q * scale;
                scores.iter_mut().zip(keys).for_each(|(s, k)| *s += q * k);
            }
        }
        softmax_rows_body(scores, l);
        for (out, p) in context.chunks_exact_mut(h).zip(scores.chunks_exact(l)) {
            let out = &mut out[q0..q0 + d];
            out.fill(0.0);
            for (&p, token) in p.iter().zip(qkv.chunks_exact(row)) {
                out.iter_mut().zip(&token[v0..v0 + d]).for_each(|(o, v)| *o += p * v);
            }
        }
    }
}

/// The two products of [`attend_body`] on AVX-512 registers: a block of
/// rows times up to 64 columns of sums stays in registers while the inner
/// dimension streams through, where the plain loops load and store every
/// sum at every step.
#[cfg(target_arch = "x86_64")]
mod attention512 {
    use std::arch::x86_64::*;

    /// Score rows per block (4 rows × up to 4 vectors of sums).
    const SR: usize = 4;
    /// Context rows per block (8 rows × up to 4 vectors of sums).
    const CR: usize = 8;

    /// As [`super::attend_body`], for heads a multiple of 16 and at most 64 wide.
    #[target_feature(enable = "avx512f,avx512bw,avx2,fma")]
    pub unsafe fn attend(qkv: &[f32], l: usize, h: usize, heads: usize, scores: &mut [f32], keys: &mut [f32], context: &mut [f32]) {
        let d = h / heads;
        let row = 3 * h;
        // The unchecked reads below rely on these; cheap once a call.
        assert!(d.is_multiple_of(16) && d <= 64 && qkv.len() >= l * row && scores.len() >= l * l && keys.len() >= l * d && context.len() >= l * h);
        let scale = 1.0 / (d as f32).sqrt();
        for head in 0..heads {
            let (q0, k0, v0) = (head * d, h + head * d, 2 * h + head * d);
            for (j, token) in qkv.chunks_exact(row).take(l).enumerate() {
                for (c, &k) in token[k0..k0 + d].iter().enumerate() {
                    keys[c * l + j] = k;
                }
            }
            // SAFETY: reads stay inside qkv (l rows of `row`), keys (d × l)
            // and scores (l × l); writes inside scores and the head's
            // columns of context (l rows of h).
            unsafe {
                let mut j0 = 0;
                while j0 < l {
                    let q = qkv.as_ptr().add(q0);
                    match (l - j0).div_ceil(16).min(4) {
                        1 => score_block::<1>(q, row, keys, l, d, j0, scale, scores),
                        2 => score_block::<2>(q, row, keys, l, d, j0, scale, scores),
                        3 => score_block::<3>(q, row, keys, l, d, j0, scale, scores),
                        _ => score_block::<4>(q, row, keys, l, d, j0, scale, scores),
                    }
                    j0 += 64;
                }
                super::softmax_rows_body(&mut scores[..l * l], l);
                let (v, out) = (qkv.as_ptr().add(v0), context.as_mut_ptr().add(q0));
                match d / 16 {
                    1 => context_block::<1>(scores, l, v, row, out, h),
                    2 => context_block::<2>(scores, l, v, row, out, h),
                    3 => context_block::<3>(scores, l, v, row, out, h),
                    _ => context_block::<4>(scores, l, v, row, out, h),
                }
            }
        }
    }

    /// Lanes of the vector at column `j` that lie before column `l`.
    #[inline(always)]
    fn lanes(j: usize, l: usize) -> __mmask16 {
        if j + 16 <= l {
            0xffff
        } else if j >= l {
            0
        } else {
            (1u32 << (l - j)) as u16 - 1
        }
    }

    /// `scores[i][j0..j0 + 16·V] = scale · Σ_c q[i][c] · keys[c][j]` for every row i.
    #[target_feature(enable = "avx512f,avx512bw,avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn score_block<const V: usize>(q: *const f32, row: usize, keys: &[f32], l: usize, d: usize, j0: usize, scale: f32, scores: &mut [f32]) {
        let masks: [__mmask16; V] = std::array::from_fn(|v| lanes(j0 + 16 * v, l));
        let scale = _mm512_set1_ps(scale);
        let mut i = 0;
        while i < l {
            // Rows past the end repeat the last row; their sums are dropped.
            let rows: [usize; SR] = std::array::from_fn(|r| (i + r).min(l - 1));
            let mut acc = [[_mm512_setzero_ps(); V]; SR];
            for c in 0..d {
                // SAFETY: column j0 + 16v of key row c, masked to j < l;
                // q's rows are < l and c < d.
                unsafe {
                    let k: [__m512; V] = std::array::from_fn(|v| _mm512_maskz_loadu_ps(masks[v], keys.as_ptr().add(c * l + j0 + 16 * v)));
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let x = _mm512_set1_ps(*q.add(rows[r] * row + c));
                        for (acc, &k) in acc.iter_mut().zip(&k) {
                            *acc = _mm512_fmadd_ps(x, k, *acc);
                        }
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate().take(l - i) {
                for (v, &acc) in acc.iter().enumerate() {
                    // SAFETY: row i + r < l, columns masked to j < l.
                    unsafe { _mm512_mask_storeu_ps(scores.as_mut_ptr().add((i + r) * l + j0 + 16 * v), masks[v], _mm512_mul_ps(acc, scale)) };
                }
            }
            i += SR;
        }
    }

    /// `out[i][0..16·V] = Σ_j p[i][j] · v[j][0..16·V]` for every row i
    /// (`out` and `v` rows `ldo` and `ldv` apart).
    #[target_feature(enable = "avx512f,avx512bw,avx2,fma")]
    unsafe fn context_block<const V: usize>(p: &[f32], l: usize, v: *const f32, ldv: usize, out: *mut f32, ldo: usize) {
        let mut i = 0;
        while i < l {
            let rows: [usize; CR] = std::array::from_fn(|r| (i + r).min(l - 1));
            let mut acc = [[_mm512_setzero_ps(); V]; CR];
            for j in 0..l {
                // SAFETY: value row j < l, 16·V <= d columns; p rows < l.
                unsafe {
                    let x: [__m512; V] = std::array::from_fn(|c| _mm512_loadu_ps(v.add(j * ldv + 16 * c)));
                    for (r, acc) in acc.iter_mut().enumerate() {
                        let w = _mm512_set1_ps(*p.get_unchecked(rows[r] * l + j));
                        for (acc, &x) in acc.iter_mut().zip(&x) {
                            *acc = _mm512_fmadd_ps(w, x, *acc);
                        }
                    }
                }
            }
            for (r, acc) in acc.iter().enumerate().take(l - i) {
                for (c, &acc) in acc.iter().enumerate() {
                    // SAFETY: row i + r < l of out, 16·V columns of the head.
                    unsafe { _mm512_storeu_ps(out.add((i + r) * ldo + 16 * c), acc) };
                }
            }
            i += CR;
        }
    }
}

/// Softmax of each `l`-long row of `scores`, in place.
#[inline(always)]
fn softmax_rows_body(scores: &mut [f32], l: usize) {
    for r in scores.chunks_exact_mut(l) {
        let max = lane_max(r);
        r.iter_mut().for_each(|s| *s = exp(*s - max));
        let inv = 1.0 / lane_sum(r, |v| v);
        r.iter_mut().for_each(|s| *s *= inv);
    }
}

/// Scratch matrices for one batch of `tokens` rows.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    x: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    ffn: Vec<f32>,
    scores: Vec<f32>,
    /// One head's keys, transposed.
    keys: Vec<f32>,
    quantized: Scratch,
}

impl Buffers {
    /// Sizes every matrix for `tokens` rows and sequences up to `longest`;
    /// each is written in full before it is read, so old values may stay.
    fn prepare(&mut self, tokens: usize, longest: usize, hidden: usize, ffn: usize) {
        self.x.resize(tokens * hidden, 0.0);
        self.qkv.resize(tokens * 3 * hidden, 0.0);
        self.context.resize(tokens * hidden, 0.0);
        self.projected.resize(tokens * hidden, 0.0);
        self.ffn.resize(tokens * ffn, 0.0);
        self.scores.resize(longest * longest, 0.0);
        self.keys.resize(longest * hidden, 0.0);
    }
}

/// Buffers kept between batches, one set per thread that has encoded at
/// once: the matrices are tens of megabytes, and fresh ones cost page
/// faults and zeroing on every batch.
#[derive(Debug, Default)]
pub(super) struct BufferPool(Mutex<Vec<Buffers>>);

impl BufferPool {
    fn take(&self) -> Buffers {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default()
    }

    fn give_back(&self, buffers: Buffers) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(buffers);
    }
}

impl Model {
    /// Mean-pooled, unit-length embeddings of `sequences` (each already with
    /// `<s>`/`</s>` and at most `max_positions` long), one per sequence.
    pub fn encode(&self, sequences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let s = self.shape;
        let h = s.hidden;
        let tokens: usize = sequences.iter().map(Vec::len).sum();
        let longest = sequences.iter().map(Vec::len).max().unwrap_or(0);
        let mut b = self.buffers.take();
        b.prepare(tokens, longest, h, s.ffn);

        // Embeddings: word + position + token type 0, then LayerNorm.
        let mut rows = b.x.chunks_exact_mut(h);
        for seq in sequences {
            debug_assert!(seq.len() <= s.max_positions, "sequences are cut to the model's positions");
            for (p, (&id, row)) in seq.iter().zip(rows.by_ref()).enumerate() {
                self.word.dequantize_row(id as usize, row);
                let pos = &self.positions[p * h..(p + 1) * h];
                for ((v, a), t) in row.iter_mut().zip(pos).zip(&self.token_type) {
                    *v += a + t;
                }
            }
        }
        add_norm(&mut b.x, None, &self.embedding_norm, self.eps);

        for layer in &self.layers {
            layer.qkv.forward(&b.x, tokens, &mut b.qkv, &mut b.quantized);
            self.attention(sequences, &mut b);
            layer.attention_out.forward(&b.context, tokens, &mut b.projected, &mut b.quantized);
            add_norm(&mut b.x, Some(&b.projected), &layer.attention_norm, self.eps);
            if !gemm::feed_forward(&layer.ffn_in, &layer.ffn_out, &b.x, tokens, &mut b.projected, &mut b.quantized) {
                layer.ffn_in.forward(&b.x, tokens, &mut b.ffn, &mut b.quantized);
                gelu_all(&mut b.ffn);
                layer.ffn_out.forward(&b.ffn, tokens, &mut b.projected, &mut b.quantized);
            }
            add_norm(&mut b.x, Some(&b.projected), &layer.output_norm, self.eps);
        }

        let mut out = Vec::with_capacity(sequences.len());
        let mut start = 0;
        for seq in sequences {
            let mut pooled = vec![0.0f32; h];
            for row in b.x[start * h..(start + seq.len()) * h].chunks_exact(h) {
                pooled.iter_mut().zip(row).for_each(|(p, v)| *p += v);
            }
            let norm = pooled.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-6);
            pooled.iter_mut().for_each(|v| *v /= norm);
            out.push(pooled);
            start += seq.len();
        }
        self.buffers.give_back(b);
        out
    }

    /// Scaled dot-product attention of each sequence over its own tokens,
    /// from `b.qkv` (`[tokens][q | k | v]`) into `b.context`.
    fn attention(&self, sequences: &[Vec<u32>], b: &mut Buffers) {
        let h = self.shape.hidden;
        let heads = self.shape.heads;
        let mut start = 0;
        for seq in sequences {
            let l = seq.len();
            attend(
                &b.qkv[start * 3 * h..(start + l) * 3 * h],
                l,
                h,
                heads,
                &mut b.scores[..l * l],
                &mut b.keys[..l * h / heads],
                &mut b.context[start * h..(start + l) * h],
            );
            start += l;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both attention paths (AVX-512 tiles where the CPU has them, the
    /// plain loops) against softmax(q·kᵀ/√d)·v in f64, on sequence
    /// lengths with tails (of the 16-wide vectors, the 4- and 8-row blocks
    /// and the 64-column blocks).
    #[test]
    fn attention_matches_a_plain_computation() {
        let (h, heads) = (96, 3);
        let d = h / heads;
        for l in [1, 3, 16, 17, 48, 70] {
            let qkv: Vec<f32> = (0..l * 3 * h).map(|i| ((i * 7919 % 2000) as f32 / 1000.0 - 1.0) * 1.5).collect();
            let mut want = vec![0.0f64; l * h];
            for head in 0..heads {
                let at = |t: usize, part: usize, c: usize| f64::from(qkv[t * 3 * h + part * h + head * d + c]);
                for i in 0..l {
                    let scores: Vec<f64> = (0..l).map(|j| (0..d).map(|c| at(i, 0, c) * at(j, 1, c)).sum::<f64>() / (d as f64).sqrt()).collect();
                    let max = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let total: f64 = scores.iter().map(|s| (s - max).exp()).sum();
                    for c in 0..d {
                        want[i * h + head * d + c] = (0..l).map(|j| (scores[j] - max).exp() / total * at(j, 2, c)).sum();
                    }
                }
            }
            let run = |f: fn(&[f32], usize, usize, usize, &mut [f32], &mut [f32], &mut [f32])| {
                let (mut scores, mut keys, mut context) = (vec![0.0; l * l], vec![0.0; l * h], vec![0.0; l * h]);
                f(&qkv, l, h, heads, &mut scores, &mut keys, &mut context);
                context
            };
            for (name, got) in [("dispatched", run(attend)), ("plain", run(attend_plain))] {
                for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                    assert!((w - f64::from(*g)).abs() < 1e-5, "{name}, {l} tokens: context {i} is {g}, want {w}");
                }
            }
        }
    }

    #[test]
    fn exp_and_gelu_match_the_library_functions() {
        for i in -2000..2000 {
            let x = i as f32 / 100.0;
            let (want, got) = (x.exp(), exp(x));
            assert!((want - got).abs() <= want * 4e-7, "exp({x}) = {got}, want {want}");
        }
        // GELU reference values (erf form).
        for (x, want) in [(-3.0f32, -0.004_049_7), (-1.0, -0.158_655_26), (0.0, 0.0), (0.5, 0.345_731_1), (1.0, 0.841_344_7), (2.5, 2.484_475_8)] {
            assert!((gelu(x) - want).abs() < 1e-6, "gelu({x}) = {}, want {want}", gelu(x));
        }
    }
}
