//! The tool box of a store: the functions a model may call during a turn.
//! Facts a shopper could check later (stock, price) reach an answer only
//! through these. This issue backs the tool box with the store's catalog;
//! connector plugins plug in behind the same trait.

pub mod catalog;

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
