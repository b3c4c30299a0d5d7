//! The `openai` embedder: any OpenAI-compatible `/embeddings` endpoint,
//! through async-openai's client.
//!
//! Inputs go out in batches of `batch_size`, one batch after the other.
//! Each request is bounded by the timeout and retried like chat requests
//! (429, 5xx and connection errors, with backoff and `Retry-After`); the
//! transport and retry policy are shared with [`crate::llm::openai`]. Every
//! answer is checked (one vector per input, in index order, of the expected
//! dimension) and its vectors normalised to unit length.

use std::fmt;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::{CreateEmbeddingRequest, EmbeddingInput};
use async_trait::async_trait;

use super::{EmbedError, Embedder, normalize};
use crate::llm::openai::{CallError, Endpoint, RetryPolicy, SecretKey, redact, with_retries};

/// First backoff between retries; doubles each time (plus jitter).
const BACKOFF_BASE: Duration = Duration::from_millis(250);
/// Longest wait between two attempts, `Retry-After` included.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// How to reach an OpenAI-compatible embeddings endpoint.
#[derive(Clone)]
pub struct OpenAiEmbedderSettings {
    /// Up to and including the version segment, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer`; never printed.
    pub api_key: Option<String>,
    pub model: String,
    /// Vector size. When set it is also sent as `dimensions` (models that
    /// can shorten their vectors do so). When unset, the known size of
    /// OpenAI's models is used.
    pub dimensions: Option<usize>,
    /// Inputs per request.
    pub batch_size: usize,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// Retries after the first attempt, per batch.
    pub max_retries: u32,
}

impl fmt::Debug for OpenAiEmbedderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiEmbedderSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("model", &self.model)
            .field("dimensions", &self.dimensions)
            .field("batch_size", &self.batch_size)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

/// Embeddings from an OpenAI-compatible endpoint.
pub struct OpenAiEmbedder {
    client: Client<OpenAIConfig>,
    model: String,
    model_id: String,
    dimensions: usize,
    /// Send `dimensions` in requests (only when configured).
    send_dimensions: bool,
    batch_size: usize,
    timeout: Duration,
    retry: RetryPolicy,
    secret: Option<SecretKey>,
}

impl fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("model_id", &self.model_id)
            .field("batch_size", &self.batch_size)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Vector sizes of OpenAI's embedding models, for when none is configured.
fn known_dimensions(model: &str) -> Option<usize> {
    match model {
        "text-embedding-3-small" | "text-embedding-ada-002" => Some(1536),
        "text-embedding-3-large" => Some(3072),
        _ => None,
    }
}

fn provider_error(message: impl Into<String>) -> EmbedError {
    EmbedError::Provider { provider: "openai".to_owned(), message: message.into() }
}

impl OpenAiEmbedder {
    pub fn new(settings: OpenAiEmbedderSettings) -> Result<Self, EmbedError> {
        let model = settings.model.trim().to_owned();
        if model.is_empty() {
            return Err(provider_error("the embedding model name is empty"));
        }
        if settings.batch_size == 0 {
            return Err(provider_error("batch_size must be at least 1"));
        }
        if settings.timeout.is_zero() {
            return Err(provider_error("the embedding timeout must be above zero"));
        }
        let dimensions = match settings.dimensions.or_else(|| known_dimensions(&model)) {
            Some(0) => return Err(provider_error("dimensions must be at least 1")),
            Some(dimensions) => dimensions,
            None => {
                return Err(provider_error(format!("the vector size of embedding model `{model}` is not known; set `dimensions`")));
            }
        };
        let secret = settings.api_key.filter(|k| !k.is_empty()).map(SecretKey::new);
        let endpoint = Endpoint::parse(&settings.base_url).map_err(provider_error)?;
        let client = endpoint.client(secret.as_ref(), settings.timeout).map_err(provider_error)?;
        Ok(Self {
            client,
            model_id: format!("openai:{model}:{dimensions}"),
            model,
            dimensions,
            send_dimensions: settings.dimensions.is_some(),
            batch_size: settings.batch_size,
            timeout: settings.timeout,
            retry: RetryPolicy { max_retries: settings.max_retries, backoff_base: BACKOFF_BASE, max_backoff: MAX_BACKOFF },
            secret,
        })
    }

    /// One batch, retried as the policy allows; vectors in input order.
    async fn embed_batch(&self, batch: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let request = CreateEmbeddingRequest {
            model: self.model.clone(),
            input: EmbeddingInput::StringArray(batch.to_vec()),
            dimensions: if self.send_dimensions { u32::try_from(self.dimensions).ok() } else { None },
            ..Default::default()
        };
        let attempt = || async {
            let embeddings = self.client.embeddings();
            tokio::time::timeout(self.timeout, embeddings.create(request.clone())).await.map_err(|_| CallError::Timeout)?.map_err(CallError::from_openai)
        };
        let response = with_retries(&self.retry, &self.model, attempt).await.map_err(|error| {
            let message = match error {
                CallError::Timeout => {
                    format!("no answer within {} ms", self.timeout.as_millis())
                }
                other => other.to_string(),
            };
            provider_error(redact(&format!("model `{}`: {message}", self.model), self.secret.as_ref()))
        })?;

        let mut data = response.data;
        if data.len() != batch.len() {
            return Err(EmbedError::CountMismatch { expected: batch.len(), got: data.len() });
        }
        data.sort_by_key(|item| item.index);
        if data.iter().enumerate().any(|(i, item)| usize::try_from(item.index).ok() != Some(i)) {
            return Err(provider_error(format!("model `{}` answered with embedding indexes that are not 0..{}", self.model, batch.len())));
        }
        data.into_iter()
            .map(|item| {
                let mut vector = item.embedding;
                if vector.len() != self.dimensions {
                    return Err(EmbedError::Dimensions { expected: self.dimensions, got: vector.len() });
                }
                normalize(&mut vector);
                Ok(vector)
            })
            .collect()
    }
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.batch_size) {
            vectors.extend(self.embed_batch(batch).await?);
        }
        Ok(vectors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OpenAiEmbedderSettings {
        OpenAiEmbedderSettings {
            base_url: "http://127.0.0.1:9/v1".to_owned(),
            api_key: Some("sk-embed-secret-123".to_owned()),
            model: "text-embedding-3-small".to_owned(),
            dimensions: None,
            batch_size: 16,
            timeout: Duration::from_secs(5),
            max_retries: 0,
        }
    }

    #[test]
    fn model_id_names_model_and_dimensions() {
        let embedder = OpenAiEmbedder::new(settings()).expect("valid settings");
        assert_eq!(embedder.model_id(), "openai:text-embedding-3-small:1536");
        assert!(!embedder.send_dimensions);
        let shortened = OpenAiEmbedder::new(OpenAiEmbedderSettings { dimensions: Some(256), ..settings() }).expect("valid settings");
        assert_eq!(shortened.model_id(), "openai:text-embedding-3-small:256");
        assert_eq!(shortened.dimensions(), 256);
    }

    #[test]
    fn unknown_models_need_dimensions() {
        let error = OpenAiEmbedder::new(OpenAiEmbedderSettings { model: "nomic-embed-text".to_owned(), ..settings() }).expect_err("size unknown");
        assert!(error.to_string().contains("set `dimensions`"), "{error}");
        assert!(OpenAiEmbedder::new(OpenAiEmbedderSettings { batch_size: 0, ..settings() }).is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        assert!(!format!("{:?}", settings()).contains("sk-embed"));
    }
}
