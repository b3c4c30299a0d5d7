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
//! only its own tokens. On x86-64 the dense layers run on AMX tiles in
//! bf16, or as 16-bit integer products with AVX-512 VNNI, AVX-VNNI or AVX2
//! (`chatgw_e5::gemm`), whichever the CPU has; elsewhere in f32.
//!
//! The model, tokenizer and encoder live in the `chatgw-e5` crate (built
//! at full optimisation even in debug builds); this module is the glue:
//! prefixes and token caps, threads, CPU permits, the [`Embedder`] impl.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Semaphore;

pub use chatgw_e5::{FETCH_HINT, Kernel, Model, ModelError, TextKind};

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
        self.model.sequence(text, kind, self.limit(kind))
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
        self.model.embed_texts(texts, kind, self.limit(kind), threads)
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
            model.embed_texts(&texts, kind, limit, threads)
        })
        .await
        .map_err(|e| EmbedError::Provider { provider: PROVIDER.into(), message: format!("the encoder thread failed: {e}") })
    }
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
