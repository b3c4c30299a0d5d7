//! `e5-small`: intfloat's multilingual-e5-small (MIT), 4-bit, run in
//! process. Semantic and cross-lingual (a Russian query finds an English
//! card) where the lexicon embedder only knows its word lists; needs the
//! model file (`chatgw models fetch e5-small`, about 72 MB).
//!
//! Cards are passages (`"passage: "` prefix) and shopper searches queries
//! (`"query: "`), as the model was trained. A card is cut to its first
//! [`E5Settings::max_tokens`] tokens: cards start with the title and the
//! head of the description, which carry what a product is, and every token
//! costs time (the encoder is quadratic in attention, linear elsewhere).
//! Texts of a batch are stacked without padding, so a short card costs
//! only its own tokens. On x86-64 with AVX2 the dense layers run as 16-bit
//! integer products ([`gemm`]), elsewhere in f32.

pub mod encoder;
pub mod gemm;
pub mod model;
pub mod tokenizer;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Semaphore;

pub use gemm::Kernel;
pub use model::{FETCH_HINT, Model, ModelError};
pub use tokenizer::TextKind;

use super::{EmbedError, Embedder};

/// The provider name in `[embedding] provider` and `chatgw models fetch`.
pub const PROVIDER: &str = "e5-small";

/// Bump when tokenisation, cutting or pooling change what a text embeds
/// to: the model id is stored with each embedding, so a new one marks
/// every card stale.
const MODEL_VERSION: &str = "e5-small-q4-v1";

/// Default cap on a card's tokens, `<s>`, `</s>` and the `passage: `
/// prefix included. A demo card is 60 to 300 tokens; its first 48 hold the
/// title and the head of the description, which say what the product is.
/// Measured on the demo retrieval set (vectors alone, recall@8,
/// `benches/embedders.rs`): 48 tokens find as much as 64, 96 or 128, and
/// more than an attribute-style summary of 64 tokens (title, category,
/// colour, material, fit, first sentence), at about a third of 128's cost.
/// Attributes further down the card still reach search through its full
/// text half.
pub const DEFAULT_MAX_TOKENS: usize = 48;

/// Tokens per forward pass and thread: large enough that the weights are
/// reused across many rows (the products work on blocks of ~100 rows),
/// small enough that the scratch matrices each thread keeps between passes
/// stay near 20 MB (~18 KB a token).
const TOKENS_PER_PASS: usize = 1024;

#[derive(Debug, Clone, Copy)]
pub struct E5Settings {
    /// Longest sequence a text is cut to (at most the model's 512).
    pub max_tokens: usize,
    /// Threads one batch of cards may use.
    pub threads: usize,
}

impl Default for E5Settings {
    fn default() -> Self {
        Self { max_tokens: DEFAULT_MAX_TOKENS, threads: std::thread::available_parallelism().map_or(1, |n| n.get()) }
    }
}

/// multilingual-e5-small behind [`Embedder`]. Encoding runs on blocking
/// threads, never on the async runtime's workers; a semaphore with one
/// permit per thread keeps concurrent calls from oversubscribing the CPU.
pub struct E5Embedder {
    model: Arc<Model>,
    settings: E5Settings,
    model_id: String,
    cpu: Arc<Semaphore>,
}

impl std::fmt::Debug for E5Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("E5Embedder").field("model_id", &self.model_id).field("settings", &self.settings).finish()
    }
}

impl E5Embedder {
    /// Loads the model file at `path`.
    pub fn load(path: &Path, settings: E5Settings) -> Result<Self, ModelError> {
        Ok(Self::new(Model::load(path)?, settings))
    }

    pub fn new(model: Model, settings: E5Settings) -> Self {
        let max_tokens = settings.max_tokens.clamp(3, model.shape.max_positions);
        let settings = E5Settings { max_tokens, threads: settings.threads.max(1) };
        Self { model: Arc::new(model), model_id: format!("{MODEL_VERSION}:{max_tokens}"), cpu: Arc::new(Semaphore::new(settings.threads)), settings }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The sequence the encoder sees for `text`: `<s>`, the prefixed text's
    /// tokens cut to fit `max_tokens`, `</s>`. Queries may use all of the
    /// model's positions; they are short.
    pub fn sequence(&self, text: &str, kind: TextKind) -> Vec<u32> {
        sequence(&self.model, text, kind, self.limit(kind))
    }

    fn limit(&self, kind: TextKind) -> usize {
        match kind {
            TextKind::Query => self.model.shape.max_positions,
            TextKind::Passage => self.settings.max_tokens,
        }
    }

    /// Embeds `texts` on the calling thread and up to `threads - 1` more;
    /// blocking, for callers already off the async runtime.
    pub fn embed_blocking(&self, texts: &[String], kind: TextKind, threads: usize) -> Vec<Vec<f32>> {
        embed_on_threads(&self.model, texts, kind, self.limit(kind), threads)
    }

    async fn embed_kind(&self, texts: Vec<String>, kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let threads = self.settings.threads.min(texts.len());
        // Passages (a sync's cards) share the cores through the permits. A
        // shopper's query is one short text on one thread: it does not
        // queue behind a batch of cards that takes seconds.
        let permits = match kind {
            TextKind::Query => None,
            TextKind::Passage => Some(
                self.cpu
                    .clone()
                    .acquire_many_owned(threads as u32)
                    .await
                    .map_err(|_| EmbedError::Provider { provider: PROVIDER.into(), message: "the embedder is shutting down".into() })?,
            ),
        };
        let (model, limit) = (self.model.clone(), self.limit(kind));
        tokio::task::spawn_blocking(move || {
            let _permits = permits;
            embed_on_threads(&model, &texts, kind, limit, threads)
        })
        .await
        .map_err(|e| EmbedError::Provider { provider: PROVIDER.into(), message: format!("the encoder thread failed: {e}") })
    }
}

fn sequence(model: &Model, text: &str, kind: TextKind, limit: usize) -> Vec<u32> {
    let t = &model.tokenizer;
    let content = t.encode(text, kind);
    let keep = content.len().min(limit - 2);
    let mut ids = Vec::with_capacity(keep + 2);
    ids.push(t.bos());
    ids.extend_from_slice(&content[..keep]);
    ids.push(t.eos());
    ids
}

/// Splits `texts` into `threads` contiguous runs of about equal length,
/// tokenises and encodes each run on its own thread, in passes of at most
/// [`TOKENS_PER_PASS`] tokens.
fn embed_on_threads(model: &Model, texts: &[String], kind: TextKind, limit: usize, threads: usize) -> Vec<Vec<f32>> {
    let run = |texts: &[String]| -> Vec<Vec<f32>> {
        let mut out = Vec::with_capacity(texts.len());
        let mut pass: Vec<Vec<u32>> = Vec::new();
        let mut pass_tokens = 0;
        for text in texts {
            let seq = sequence(model, text, kind, limit);
            if pass_tokens + seq.len() > TOKENS_PER_PASS && !pass.is_empty() {
                out.extend(model.encode(&pass));
                pass.clear();
                pass_tokens = 0;
            }
            pass_tokens += seq.len();
            pass.push(seq);
        }
        if !pass.is_empty() {
            out.extend(model.encode(&pass));
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

#[async_trait]
impl Embedder for E5Embedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        self.model.shape.hidden
    }

    /// Cards and other documents: passages.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_kind(texts.to_vec(), TextKind::Passage).await
    }

    async fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = self.embed_kind(vec![text.to_owned()], TextKind::Query).await?;
        v.pop().ok_or(EmbedError::CountMismatch { expected: 1, got: 0 })
    }
}
