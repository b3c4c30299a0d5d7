//! The BERT encoder of multilingual-e5-small, run on many texts at once:
//! the tokens of every text in a batch are stacked into one matrix so each
//! dense layer is a single matrix product over the whole batch (the weights
//! stream through the cache once per batch, not once per text); attention
//! runs per text and head. Output: mean over each text's tokens (`<s>` and
//! `</s>` included, as the C engine and sentence-transformers do), scaled to
//! unit length.

use super::model::{LayerNorm, Linear, Model};

/// `c[m][n] = a[m][k] · wᵀ + bias`, where `w` is `[n][k]` row-major.
fn linear(a: &[f32], m: usize, w: &Linear, c: &mut [f32]) {
    let (k, n) = (w.inputs, w.outputs);
    assert!(a.len() >= m * k && c.len() >= m * n && w.weight.len() == n * k, "matrix sizes agree");
    for row in c[..m * n].chunks_exact_mut(n) {
        row.copy_from_slice(&w.bias);
    }
    // SAFETY: the assert above keeps every index the strides reach in bounds:
    // a is m×k (row stride k), wᵀ is k×n read from w's n×k rows, c is m×n.
    unsafe {
        matrixmultiply::sgemm(m, k, n, 1.0, a.as_ptr(), k as isize, 1, w.weight.as_ptr(), 1, k as isize, 1.0, c.as_mut_ptr(), n as isize, 1);
    }
}

/// `x = LayerNorm(x + y)` row by row (`y = None`: `LayerNorm(x)`).
fn add_norm(x: &mut [f32], y: Option<&[f32]>, norm: &LayerNorm, eps: f32) {
    let h = norm.weight.len();
    for (t, row) in x.chunks_exact_mut(h).enumerate() {
        if let Some(y) = y {
            row.iter_mut().zip(&y[t * h..(t + 1) * h]).for_each(|(a, b)| *a += b);
        }
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
            *v = (*v - mean) * inv * w + b;
        }
    }
}

/// `e^x` to about 1 ulp, branch-free so loops over it vectorise
/// (Cephes' polynomial after reducing by powers of two).
#[inline]
fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // Adding and removing 1.5·2²³ rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    y * f32::from_bits(((n as i32 + 127) << 23) as u32)
}

/// GELU with the exact (erf) form BERT uses; erf after Abramowitz and
/// Stegun 7.1.26 (absolute error below 1.5e-7).
#[inline]
fn gelu(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let erf = (1.0 - poly * exp(-z * z)).copysign(x);
    0.5 * x * (1.0 + erf)
}

/// Scratch matrices for one batch of `tokens` rows.
struct Buffers {
    x: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    ffn: Vec<f32>,
    scores: Vec<f32>,
}

impl Model {
    /// Mean-pooled, unit-length embeddings of `sequences` (each already with
    /// `<s>`/`</s>` and at most `max_positions` long), one per sequence.
    pub fn encode(&self, sequences: &[Vec<u32>]) -> Vec<Vec<f32>> {
        let s = self.shape;
        let h = s.hidden;
        let tokens: usize = sequences.iter().map(Vec::len).sum();
        let longest = sequences.iter().map(Vec::len).max().unwrap_or(0);
        let mut b = Buffers {
            x: vec![0.0; tokens * h],
            qkv: vec![0.0; tokens * 3 * h],
            context: vec![0.0; tokens * h],
            projected: vec![0.0; tokens * h],
            ffn: vec![0.0; tokens * s.ffn],
            scores: vec![0.0; longest * longest],
        };

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
            linear(&b.x, tokens, &layer.qkv, &mut b.qkv);
            self.attention(sequences, &mut b);
            linear(&b.context, tokens, &layer.attention_out, &mut b.projected);
            add_norm(&mut b.x, Some(&b.projected), &layer.attention_norm, self.eps);
            linear(&b.x, tokens, &layer.ffn_in, &mut b.ffn);
            b.ffn.iter_mut().for_each(|v| *v = gelu(*v));
            linear(&b.ffn, tokens, &layer.ffn_out, &mut b.projected);
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
                for r in scores.chunks_exact_mut(l) {
                    let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    r.iter_mut().for_each(|s| *s = exp(*s - max));
                    let inv = 1.0 / r.iter().sum::<f32>();
                    r.iter_mut().for_each(|s| *s *= inv);
                }
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
