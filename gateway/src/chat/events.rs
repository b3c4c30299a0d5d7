//! The events of a chat turn, as the widget receives them over SSE. This is
//! a public contract: add fields, never rename or remove them.

use serde::Serialize;

use crate::catalog::ProductSummary;
use crate::classify::{Label, Reason};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum ChatEvent {
    Session { session_id: String },
    Token { text: String },
    Products { items: Vec<ProductSummary> },
    Tool { name: String, status: ToolStatus },
    Handoff(Handoff),
    Done(Done),
    Error { code: String, message: String },
}

impl ChatEvent {
    pub fn name(&self) -> &'static str {
        match self {
            ChatEvent::Session { .. } => "session",
            ChatEvent::Token { .. } => "token",
            ChatEvent::Products { .. } => "products",
            ChatEvent::Tool { .. } => "tool",
            ChatEvent::Handoff(_) => "handoff",
            ChatEvent::Done(_) => "done",
            ChatEvent::Error { .. } => "error",
        }
    }

    /// The JSON payload of the event (the SSE `data:` line).
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map.remove("data").unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolStatus {
    Started,
    Ok,
    Error,
}

/// The conversation and a person from the team: sent before any answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handoff {
    pub label: Label,
    pub reason: Reason,
    /// What the widget should tell the shopper, in the reply language.
    pub message: String,
    pub status: HandoffStatus,
    /// The ticket, once there is one.
    pub ticket_id: Option<String>,
    /// Outside the store's hours: when people answer again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffStatus {
    /// A ticket was opened by this message; the assistant steps back.
    HandedOff,
    /// The store offers a person; the assistant answers meanwhile.
    Offered,
    /// A ticket is already open: the message went to the team, and the
    /// assistant stays silent.
    Waiting,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    /// The assistant's message; the shopper's own when the assistant
    /// stayed silent (a ticket is open).
    pub message_id: String,
    pub language: String,
    pub label: Label,
    pub latency_ms: u64,
    /// Languages besides `language` found in the shopper's message.
    pub mixed: Vec<String>,
    pub model: String,
    /// True when the deterministic offline responder wrote the answer.
    pub offline: bool,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// What the answer cost at the store's prices (`models`), when priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// The conversation's open ticket, when a person has it.
    pub ticket_id: Option<String>,
}
