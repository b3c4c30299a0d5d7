//! The tool box of a store: the functions a model may call during a turn.
//! Facts a shopper could check later (stock, price) reach an answer only
//! through these. This issue backs the tool box with the store's catalog;
//! connector plugins plug in behind the same trait.

pub mod catalog;
pub mod orders;
pub mod shipping;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::llm::{ToolCall, ToolDef};

pub use catalog::CatalogToolBox;

/// The result of one tool call, as the model and the transcript see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolOutcome {
    pub call_id: String,
    pub name: String,
    pub arguments: serde_json::Value,
    /// True when the tool ran and answered; false for bad arguments, unknown
    /// tools and failures (the model still sees `result`, which explains).
    pub ok: bool,
    pub result: serde_json::Value,
    pub duration_ms: u64,
}

#[async_trait]
pub trait ToolBox: Send + Sync {
    fn definitions(&self) -> Vec<ToolDef>;
    /// Runs one call. Never fails: errors come back as an outcome with
    /// `ok: false` and a message the model can act on.
    async fn call(&self, store_id: &str, call: &ToolCall) -> ToolOutcome;
    /// Runs one call of a chat turn, knowing whose turn it is: tools that
    /// limit attempts per shopper (order lookup) count them here.
    async fn call_in_turn(&self, turn: &ToolContext<'_>, call: &ToolCall) -> ToolOutcome {
        self.call(turn.store_id, call).await
    }
}

/// Who a tool call is made for.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext<'a> {
    pub store_id: &'a str,
    /// The conversation.
    pub session_id: &'a str,
    /// The shopper's address, when known.
    pub client_ip: Option<std::net::IpAddr>,
    /// What the shopper typed in this conversation, oldest first, this
    /// turn's message last. An order is looked up only with identifiers
    /// found here, never with ones the model took from product data, tool
    /// results or its own imagination.
    pub shopper_said: &'a [&'a str],
}

impl ToolOutcome {
    /// Parses `call`'s arguments, runs `tool` on them and times it. Bad
    /// arguments and tool errors become an outcome with `ok: false`.
    pub async fn of<F, Fut>(call: &ToolCall, tool: F) -> Self
    where
        F: FnOnce(serde_json::Value) -> Fut,
        Fut: std::future::Future<Output = Result<serde_json::Value, String>>,
    {
        let started = std::time::Instant::now();
        let (arguments, result) = match parse_arguments(call) {
            Ok(args) => {
                let result = tool(args.clone()).await;
                (args, result)
            }
            Err(message) => (serde_json::Value::String(call.arguments.clone()), Err(message)),
        };
        let (ok, result) = match result {
            Ok(v) => (true, v),
            Err(message) => (false, serde_json::json!({ "error": message })),
        };
        ToolOutcome { call_id: call.id.clone(), name: call.name.clone(), arguments, ok, result, duration_ms: started.elapsed().as_millis() as u64 }
    }
}

/// Parses a call's JSON arguments (an empty string counts as `{}`).
pub fn parse_arguments(call: &ToolCall) -> Result<serde_json::Value, String> {
    let text = call.arguments.trim();
    if text.is_empty() {
        return Ok(serde_json::json!({}));
    }
    serde_json::from_str::<serde_json::Value>(text)
        .map_err(|e| format!("arguments are not valid JSON ({e}); send an object like {{\"product_id\": \"...\"}}"))
        .and_then(|v| if v.is_object() { Ok(v) } else { Err("arguments must be a JSON object".to_owned()) })
}
