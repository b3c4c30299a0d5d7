//! The BERT encoder of multilingual-e5-small, run on many texts at once:
//! the tokens of every text in a batch are stacked into one matrix so each
//! dense layer is a single matrix product over the whole batch (the weights
//! stream through the cache once per batch, not once per text); attention
//! runs per text and head. Output: mean over each text's tokens (`<s>` and
//! `</s>` included, as the C engine and sentence-transformers do), scaled to
//! unit length.

use std::sync::{Mutex, PoisonError};

use super::gemm::Scratch;
use super::model::{LayerNorm, Model};

/// Runs a slice function compiled for AVX2 and FMA where the CPU has them
/// (these loops then work on eight floats at a time), for the baseline
/// elsewhere: `$body` is `#[inline(always)]`, so each wrapper gets its own
/// copy compiled for its features.
macro_rules! simd_dispatch {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) => $body:ident;)*) => {$(
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                unsafe fn wide($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
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
    fn softmax_rows(scores: &mut [f32], l: usize) => softmax_rows_body;
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

/// Softmax of each `l`-long row of `scores`, in place.
#[inline(always)]
fn softmax_rows_body(scores: &mut [f32], l: usize) {
    for r in scores.chunks_exact_mut(l) {
        let max = r.iter().fold(f32::NEG_INFINITY, |m, &s| if s > m { s } else { m });
        r.iter_mut().for_each(|s| *s = exp(*s - max));
        let inv = 1.0 / lane_sum(r, |v| v);
        r.iter_mut().for_each(|s| *s *= inv);
    }
}

/// `e^x` to about 1 ulp, branch-free so loops over it vectorise
/// (Cephes' polynomial after reducing by powers of two).
#[inline(always)]
fn exp(x: f32) -> f32 {
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
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    // 2ⁿ from the bits: `shifted` holds n in its low mantissa bits (its
    // bits are those of ROUND plus n), which stays in integer lanes where
    // `n as i32` would not vectorise (Rust's cast saturates).
    y * f32::from_bits(shifted.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127) << 23)
}

/// GELU with the exact (erf) form BERT uses; erf after Abramowitz and
/// Stegun 7.1.26 (absolute error below 1.5e-7).
#[inline(always)]
fn gelu(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let erf = (1.0 - poly * exp(-z * z)).copysign(x);
    0.5 * x * (1.0 + erf)
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
            layer.ffn_in.forward(&b.x, tokens, &mut b.ffn, &mut b.quantized);
            gelu_all(&mut b.ffn);
            layer.ffn_out.forward(&b.ffn, tokens, &mut b.projected, &mut b.quantized);
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
        let hd = h / heads;
        let row = 3 * h;
        let scale = 1.0 / (hd as f32).sqrt();
        let mut start = 0;
        for seq in sequences {
            let l = seq.len();
            let qkv = &b.qkv[start * row..(start + l) * row];
            let context = &mut b.context[start * h..(start + l) * h];
            let scores = &mut b.scores[..l * l];
            for head in 0..heads {
                let (q, k, v) = (head * hd, h + head * hd, 2 * h + head * hd);
                // SAFETY: q, k and v are l×hd windows of the l×3h block `qkv`
                // (row stride 3h, starting at column q/k/v with q/k/v + hd <= 3h);
                // scores is l×l; the context window is l×hd inside the l×h block.
                unsafe {
                    matrixmultiply::sgemm(
                        l,
                        hd,
                        l,
                        scale,
                        qkv.as_ptr().add(q),
                        row as isize,
                        1,
                        qkv.as_ptr().add(k),
                        1,
                        row as isize,
                        0.0,
                        scores.as_mut_ptr(),
                        l as isize,
                        1,
                    );
                }
                softmax_rows(scores, l);
                // SAFETY: as above.
                unsafe {
                    matrixmultiply::sgemm(
                        l,
                        l,
                        hd,
                        1.0,
                        scores.as_ptr(),
                        l as isize,
                        1,
                        qkv.as_ptr().add(v),
                        row as isize,
                        1,
                        0.0,
                        context.as_mut_ptr().add(q),
                        h as isize,
                        1,
                    );
                }
            }
            start += l;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
