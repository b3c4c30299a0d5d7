//! Stage 1: what the turn is about before anything is looked up: the
//! conversation so far, the language to answer in, and the message's
//! escalation label.

use super::TurnError;
use super::turn::Turn;
use crate::classify::{self, Classification};
use crate::lang::{self, Detection, DetectionContext};
use crate::session::HistoryEntry;
use crate::storage::MessageRole;

/// Longest wait for the store's classifier model; past it the offline
/// label stands.
const CLASSIFIER_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1500);

pub(super) struct TurnContext {
    /// Earlier entries of the conversation, oldest first.
    pub history: Vec<HistoryEntry>,
    pub detection: Detection,
    pub classification: Classification,
}

impl TurnContext {
    /// The language the turn answers in.
    pub fn reply_language(&self) -> &'static str {
        self.detection.reply
    }

    /// The shopper's earlier messages, oldest first.
    pub fn earlier_shopper_messages(&self) -> Vec<String> {
        self.history.iter().filter(|e| e.role == MessageRole::User).map(|e| e.text.clone()).collect()
    }

    /// Products the conversation talked about in earlier turns, newest first.
    pub fn recent_product_ids(&self) -> Vec<String> {
        self.history.iter().rev().flat_map(|e| e.product_ids.iter().cloned()).collect()
    }
}

impl Turn {
    pub(super) async fn understand(&mut self) -> Result<TurnContext, TurnError> {
        let history = self.history().await?;
        let previous_language = history.iter().rev().find(|e| e.role == MessageRole::User).and_then(|e| e.language.clone());
        let analysis = match self.analysis.take() {
            Some(pending) => match pending.await {
                Ok(analysis) => analysis,
                // Only a panic inside the detector gets here; detect again.
                Err(_) => lang::analyze(&self.message),
            },
            None => lang::analyze(&self.message),
        };
        let config = &self.store.config;
        let detection =
            analysis.decide(DetectionContext { store_languages: &config.languages, previous: previous_language.as_deref(), locale: self.locale.as_deref() });
        // Earlier shopper messages let it see a question asked again.
        let earlier: Vec<&str> = history.iter().filter(|e| e.role == MessageRole::User).map(|e| e.text.as_str()).collect();
        let mut classification = classify::classify_in_context(&self.message, &earlier);
        let routing = &config.models;
        if !routing.classifier.is_empty() && !self.store.model.is_offline() {
            let model = classify::llm::classify_with_model(self.store.model.as_ref(), &routing.classifier, &self.message, &earlier, CLASSIFIER_DEADLINE).await;
            classification = classify::llm::combine(classification, model);
        }
        Ok(TurnContext { history, detection, classification })
    }

    async fn history(&self) -> Result<Vec<HistoryEntry>, TurnError> {
        let store_id = &self.store.config.id;
        if self.is_new {
            return Ok(Vec::new());
        }
        // Sessions are a cache: when the session store fails (Redis down,
        // unreadable entry), the transcript answers instead.
        match self.ctx.sessions.history(store_id, &self.conversation_id).await {
            Ok(Some(entries)) => return Ok(entries),
            Ok(None) => {}
            Err(error) => tracing::debug!(%error, conversation = %self.conversation_id, "session history unavailable; using the transcript"),
        }
        // Expired, never seen by this replica's session store, or the store
        // is down: rebuild from the durable transcript (without the message
        // just stored), and write it back for the next turn.
        let transcript = self.ctx.storage.list_messages(store_id, &self.conversation_id).await?;
        let entries: Vec<HistoryEntry> = transcript
            .into_iter()
            .filter(|m| m.id != self.user_message.id)
            .filter(|m| matches!(m.role, MessageRole::User | MessageRole::Assistant | MessageRole::Agent))
            .map(|m| HistoryEntry { role: m.role, text: m.text, language: m.language, product_ids: discussed_products(&m.tool_calls) })
            .collect();
        if let Err(error) = self.ctx.sessions.replace(store_id, &self.conversation_id, &entries).await {
            tracing::debug!(%error, conversation = %self.conversation_id, "session not written back; the next turn rebuilds it again");
        }
        Ok(entries)
    }
}

/// Product ids a stored assistant message's tool calls were about.
fn discussed_products(tool_calls: &serde_json::Value) -> Vec<String> {
    tool_calls
        .as_array()
        .map(|calls| calls.iter().filter_map(|c| c.pointer("/result/product_id").and_then(|v| v.as_str()).map(str::to_owned)).collect())
        .unwrap_or_default()
}
