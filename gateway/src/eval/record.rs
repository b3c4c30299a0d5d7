//! Recording and replaying a chat model: each request is keyed by a hash of
//! what the model sees (model name, messages, tools, tool choice) and its
//! streamed answer is kept as one JSON file, so a run against a paid model
//! can be checked again later, deterministically and for free.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::llm::{ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, ToolCall, Usage};
use async_trait::async_trait;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A model event as stored on disk (`ModelEvent` itself is not serialisable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum RecordedEvent {
    Text { text: String },
    Model { model: String },
    ToolCall { call: ToolCall },
    Usage { usage: Usage },
    Finished { reason: FinishReason },
}

impl From<&ModelEvent> for RecordedEvent {
    fn from(event: &ModelEvent) -> Self {
        match event {
            ModelEvent::Model(model) => RecordedEvent::Model { model: model.clone() },
            ModelEvent::TextDelta(text) => RecordedEvent::Text { text: text.clone() },
            ModelEvent::ToolCall(call) => RecordedEvent::ToolCall { call: call.clone() },
            ModelEvent::Usage(usage) => RecordedEvent::Usage { usage: *usage },
            ModelEvent::Finished { reason } => RecordedEvent::Finished { reason: *reason },
        }
    }
}

impl From<RecordedEvent> for ModelEvent {
    fn from(event: RecordedEvent) -> Self {
        match event {
            RecordedEvent::Model { model } => ModelEvent::Model(model),
            RecordedEvent::Text { text } => ModelEvent::TextDelta(text),
            RecordedEvent::ToolCall { call } => ModelEvent::ToolCall(call),
            RecordedEvent::Usage { usage } => ModelEvent::Usage(usage),
            RecordedEvent::Finished { reason } => ModelEvent::Finished { reason },
        }
    }
}

/// One recorded answer. `offline` keeps the answer's offline label on replay.
#[derive(Debug, Serialize, Deserialize)]
struct Recording {
    provider: String,
    offline: bool,
    events: Vec<RecordedEvent>,
}

/// The key of a request: what the model reads, not the grounding side channel.
pub fn request_key(request: &ChatRequest) -> String {
    let seen = serde_json::json!({
        "model": request.model,
        "messages": request.messages,
        "tools": request.tools,
        "tool_choice": request.tool_choice,
    });
    hex::encode(Sha256::digest(seen.to_string().as_bytes()))
}

fn recording_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("{key}.json"))
}

/// Passes requests to `inner` and writes each complete answer to `dir`.
pub struct RecordingModel {
    inner: Arc<dyn ChatModel>,
    dir: PathBuf,
}

impl RecordingModel {
    pub fn new(inner: Arc<dyn ChatModel>, dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { inner, dir })
    }
}

#[async_trait]
impl ChatModel for RecordingModel {
    fn provider(&self) -> &'static str {
        self.inner.provider()
    }

    fn is_offline(&self) -> bool {
        self.inner.is_offline()
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let key = request_key(&request);
        // The whole answer is read before it is passed on, so a recording
        // is never a half-streamed answer.
        let events: Vec<Result<ModelEvent, LlmError>> = self.inner.stream(request).await?.collect().await;
        if events.iter().all(Result::is_ok) {
            let recording = Recording {
                provider: self.inner.provider().to_owned(),
                offline: self.inner.is_offline(),
                events: events.iter().filter_map(|e| e.as_ref().ok()).map(RecordedEvent::from).collect(),
            };
            let text = serde_json::to_string_pretty(&recording).map_err(|e| LlmError::Protocol(format!("cannot serialise a recording: {e}")))?;
            let path = recording_path(&self.dir, &key);
            std::fs::write(&path, text).map_err(|e| LlmError::Config(format!("cannot write recording {}: {e}", path.display())))?;
        }
        Ok(futures::stream::iter(events).boxed())
    }
}

/// Answers every request from the recordings in `dir`; a request with no
/// recording is an error, and is listed so the run can fail naming it.
pub struct ReplayModel {
    dir: PathBuf,
    offline: bool,
    missing: Mutex<Vec<String>>,
}

impl ReplayModel {
    /// `offline` says whether the recorded model was the offline responder
    /// (read from any recording in `dir`; false when there is none).
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        let mut offline = false;
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(&path)
                && let Ok(recording) = serde_json::from_str::<Recording>(&text)
            {
                offline = recording.offline;
                break;
            }
        }
        Ok(Self { dir, offline, missing: Mutex::new(Vec::new()) })
    }

    /// Keys of requests that had no recording, in the order they came.
    pub fn missing(&self) -> Vec<String> {
        self.missing.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl ChatModel for ReplayModel {
    fn provider(&self) -> &'static str {
        "replay"
    }

    fn is_offline(&self) -> bool {
        self.offline
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let key = request_key(&request);
        let path = recording_path(&self.dir, &key);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(_) => {
                if let Ok(mut missing) = self.missing.lock() {
                    missing.push(key.clone());
                }
                return Err(LlmError::Config(format!(
                    "no recording {} for this request: the prompt, history or tools changed since it was recorded; record again with --record",
                    path.display()
                )));
            }
        };
        let recording: Recording = serde_json::from_str(&text).map_err(|e| LlmError::Protocol(format!("recording {} is not readable: {e}", path.display())))?;
        Ok(futures::stream::iter(recording.events.into_iter().map(|e| Ok(ModelEvent::from(e)))).boxed())
    }
}
