//! Embeddings: text to vectors for retrieval. Three providers behind one
//! trait: a local lexicon one that needs no network or file (the default),
//! multilingual-e5-small run in process (`e5`), and any OpenAI-compatible
//! endpoint.

pub mod e5;
pub mod local;
pub mod openai;

use async_trait::async_trait;

pub use e5::E5Embedder;
pub use local::LocalEmbedder;
pub use openai::OpenAiEmbedder;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embedding provider `{provider}` failed: {message}")]
    Provider { provider: String, message: String },
    #[error("embedding provider returned {got} vectors for {expected} inputs")]
    CountMismatch { expected: usize, got: usize },
    #[error("embedding has {got} dimensions, the store's index expects {expected}")]
    Dimensions { expected: usize, got: usize },
}

/// Turns texts into unit-length vectors of a fixed dimension.
#[async_trait]
pub trait Embedder: Send + Sync {
    /// A stable name for the model, stored beside each embedding so that a
    /// change of model marks every card stale.
    fn model_id(&self) -> &str;
    fn dimensions(&self) -> usize;
    /// One vector per input, in order; each normalised to length 1. The
    /// inputs are cards or documents (passages); queries go through
    /// [`embed_query`](Self::embed_query).
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// One text embedded as [`embed`](Self::embed) does: a card or document.
    async fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = self.embed(&[text.to_owned()]).await?;
        v.pop().ok_or(EmbedError::CountMismatch { expected: 1, got: 0 })
    }

    /// A shopper's search, to be compared with embedded cards. Models
    /// trained with separate query and passage forms (e5) override this;
    /// for the others a query embeds like any text.
    async fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        self.embed_one(text).await
    }
}

/// Scales `v` to unit length in place (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
