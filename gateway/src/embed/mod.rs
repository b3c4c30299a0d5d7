//! Embeddings: text to vectors for retrieval. Two providers behind one
//! trait: a local one that needs no network (the default) and any
//! OpenAI-compatible endpoint.

pub mod local;
pub mod openai;

use async_trait::async_trait;

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
    /// One vector per input, in order; each normalised to length 1.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;

    async fn embed_one(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = self.embed(&[text.to_owned()]).await?;
        v.pop().ok_or(EmbedError::CountMismatch { expected: 1, got: 0 })
    }
}

/// Scales `v` to unit length in place (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}
