//! Many texts at once: each cut to a token limit, grouped into passes of a
//! bounded number of tokens, and the passes spread over threads. The
//! gateway's embedder and `examples/throughput.rs` both go through here, so
//! the example measures what a catalog sync runs.

use crate::model::Model;
use crate::tokenizer::TextKind;

/// Tokens per forward pass and thread: large enough that the weights are
/// reused across many rows (the products work on blocks of ~100 rows),
/// small enough that the scratch matrices each thread keeps between passes
/// stay near 20 MB (~18 KB a token).
pub const TOKENS_PER_PASS: usize = 1024;

impl Model {
    /// The sequence the encoder sees for `text`: `<s>`, the prefixed
    /// text's tokens cut to fit `limit` (at least 3, at most
    /// `max_positions`), `</s>`.
    pub fn sequence(&self, text: &str, kind: TextKind, limit: usize) -> Vec<u32> {
        let t = &self.tokenizer;
        let content = t.encode_head(text, kind, limit.saturating_sub(2));
        let keep = content.len().min(limit - 2);
        let mut ids = Vec::with_capacity(keep + 2);
        ids.push(t.bos());
        ids.extend_from_slice(&content[..keep]);
        ids.push(t.eos());
        ids
    }

    /// Embeds `texts` (each cut to `limit` tokens) on the calling thread
    /// and up to `threads - 1` more: `texts` is split into `threads`
    /// contiguous runs of about equal length, each tokenised and encoded
    /// on its own thread in passes of at most [`TOKENS_PER_PASS`] tokens.
    pub fn embed_texts(&self, texts: &[String], kind: TextKind, limit: usize, threads: usize) -> Vec<Vec<f32>> {
        let run = |texts: &[String]| -> Vec<Vec<f32>> {
            let mut out = Vec::with_capacity(texts.len());
            let mut pass: Vec<Vec<u32>> = Vec::new();
            let mut pass_tokens = 0;
            for text in texts {
                let seq = self.sequence(text, kind, limit);
                if pass_tokens + seq.len() > TOKENS_PER_PASS && !pass.is_empty() {
                    out.extend(self.encode(&pass));
                    pass.clear();
                    pass_tokens = 0;
                }
                pass_tokens += seq.len();
                pass.push(seq);
            }
            if !pass.is_empty() {
                out.extend(self.encode(&pass));
            }
            out
        };
        let threads = threads.clamp(1, texts.len().max(1));
        if threads == 1 {
            return run(texts);
        }
        // Balance by text length, which tracks token count (capped at `limit`).
        let cost = |t: &String| t.len().min(limit * 8) + 16;
        let total: usize = texts.iter().map(cost).sum();
        let mut runs = Vec::with_capacity(threads);
        let (mut start, mut acc) = (0, 0);
        for (i, t) in texts.iter().enumerate() {
            acc += cost(t);
            if acc * threads >= total * (runs.len() + 1) && runs.len() + 1 < threads {
                runs.push(&texts[start..=i]);
                start = i + 1;
            }
        }
        runs.push(&texts[start..]);
        std::thread::scope(|scope| {
            let run = &run;
            let handles: Vec<_> = runs[1..].iter().map(|&part| scope.spawn(move || run(part))).collect();
            let mut out = run(runs[0]);
            for handle in handles {
                out.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            }
            out
        })
    }
}
