//! Chat models behind one trait: a request of messages and tool definitions
//! in, a stream of text deltas and complete tool calls out.
//!
//! Providers: `openai` (any OpenAI-compatible endpoint) and `offline`, a
//! deterministic responder for the embedded demo and pipeline tests.

pub mod offline;
pub mod openai;

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

pub use crate::grounding::TurnGrounding;

/// Who said a message in the model's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: String,
    /// Tool calls an assistant message asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For `Role::Tool`: the id of the call this message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        Self::plain(Role::System, content)
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self::plain(Role::User, content)
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::plain(Role::Assistant, content)
    }
    pub fn tool_result(call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Self { role: Role::Tool, content: content.into(), tool_calls: Vec::new(), tool_call_id: Some(call_id.into()) }
    }
    fn plain(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into(), tool_calls: Vec::new(), tool_call_id: None }
    }
}

/// A function the model may call. `parameters` is a JSON schema object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub parameters: serde_json::Value,
}

/// A complete call the model made: `arguments` is the JSON text it wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "name")]
pub enum ToolChoice {
    #[default]
    Auto,
    None,
    Required,
    /// Force this one function.
    Function(String),
}

#[derive(Debug, Clone, Default)]
pub struct ChatRequest {
    /// Provider model name (`gpt-4o-mini`, ...); providers may ignore it.
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub tools: Vec<ToolDef>,
    pub tool_choice: ToolChoice,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub grounding: Option<Arc<TurnGrounding>>,
}

/// One piece of a streamed model answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelEvent {
    /// The model answering this request (the fallback, when the primary
    /// failed); first, before any text. A responder with one model may
    /// leave it out.
    Model(String),
    /// Text for the shopper, in order.
    TextDelta(String),
    /// A tool call, emitted once its arguments are complete.
    ToolCall(ToolCall),
    Usage(Usage),
    /// The answer ended; carries the provider's finish reason.
    Finished {
        reason: FinishReason,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    ToolCalls,
    Length,
    ContentFilter,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("model `{model}` did not answer within {timeout_ms} ms")]
    Timeout { model: String, timeout_ms: u64 },
    #[error("model provider rate-limited the request and retries ran out (last Retry-After: {retry_after_s:?} s)")]
    RateLimited { retry_after_s: Option<u64> },
    #[error("model provider answered HTTP {status}: {message}")]
    Upstream { status: u16, message: String },
    #[error("model provider could not be reached: {0}")]
    Connection(String),
    #[error("model provider sent something this gateway cannot read: {0}")]
    Protocol(String),
    #[error("model provider is misconfigured: {0}")]
    Config(String),
}

pub type ModelStream = BoxStream<'static, Result<ModelEvent, LlmError>>;

/// A chat model that answers with streamed text and tool calls.
#[async_trait]
pub trait ChatModel: Send + Sync {
    /// Provider name for logs and transcripts (`openai`, `offline`).
    fn provider(&self) -> &'static str;
    /// True for the deterministic offline responder, so its answers are
    /// labelled as offline.
    fn is_offline(&self) -> bool {
        false
    }
    /// Starts a streamed answer. Errors before the first event (connection,
    /// HTTP status, retries exhausted) come back here; errors mid-stream come
    /// as `Err` items.
    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError>;
}
