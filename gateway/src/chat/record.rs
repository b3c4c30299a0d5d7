//! Stage 5: the answer made durable (transcript, then the session cache)
//! and the `done` event.

use chrono::Utc;

use super::context::TurnContext;
use super::converse::Draft;
use super::turn::Turn;
use super::{ChatEvent, Done, TurnError};
use crate::session::HistoryEntry;
use crate::storage::{MessageAnalysis, MessageRole, StoredMessage};

impl Turn {
    /// `shown`: the products the shopper was shown this turn; `ticket_id`:
    /// the ticket this turn opened, if it did.
    pub(super) async fn record(&self, context: &TurnContext, shown: &[String], draft: Draft, ticket_id: Option<String>) -> Result<(), TurnError> {
        let config = &self.store.config;
        let reply = context.reply_language();
        let latency_ms = self.started.elapsed().as_millis() as u64;
        let assistant = StoredMessage {
            id: uuid::Uuid::now_v7().to_string(),
            conversation_id: self.conversation_id.clone(),
            role: MessageRole::Assistant,
            text: draft.text.clone(),
            language: Some(reply.to_owned()),
            label: None,
            tool_calls: serde_json::to_value(&draft.outcomes).unwrap_or_default(),
            model: Some(draft.model.clone()),
            latency_ms: Some(latency_ms as i64),
            prompt_tokens: Some(draft.usage.prompt_tokens.into()),
            completion_tokens: Some(draft.usage.completion_tokens.into()),
            cost: draft.cost,
            created_at: Utc::now(),
        };
        // The shopper message's language and label go with the answer (one
        // round trip); a turn that ends without one writes them alone.
        self.ctx.storage.append_answer(&config.id, &self.analysis_of(context), &assistant).await?;
        let mut discussed: Vec<String> = draft.outcomes.iter().filter_map(|o| o.result.get("product_id").and_then(|v| v.as_str()).map(str::to_owned)).collect();
        discussed.extend(shown.iter().cloned());
        // The answer is stored durably; a session store that missed it
        // marks the session stale and the next turn rebuilds it.
        let entries = [
            HistoryEntry { role: MessageRole::User, text: self.message.clone(), language: Some(reply.to_owned()), product_ids: Vec::new() },
            HistoryEntry { role: MessageRole::Assistant, text: draft.text, language: Some(reply.to_owned()), product_ids: discussed },
        ];
        if let Err(error) = self.ctx.sessions.append(&config.id, &self.conversation_id, &entries).await {
            tracing::debug!(%error, conversation = %self.conversation_id, "turn not added to the session store");
        }

        self.emit(ChatEvent::Done(Done {
            message_id: assistant.id,
            language: reply.to_owned(),
            label: context.classification.label,
            latency_ms,
            mixed: context.detection.also.iter().map(|s| (*s).to_owned()).collect(),
            offline: self.store.model.is_offline(),
            model: draft.model,
            prompt_tokens: draft.usage.prompt_tokens,
            completion_tokens: draft.usage.completion_tokens,
            cost: draft.cost,
            ticket_id,
        }))
        .await;
        Ok(())
    }

    /// What the turn found out about the shopper's message.
    pub(super) fn analysis_of<'a>(&'a self, context: &'a TurnContext) -> MessageAnalysis<'a> {
        MessageAnalysis { message_id: &self.user_message.id, language: Some(context.reply_language()), label: Some(context.classification.label) }
    }

    /// Writes the analysis of the shopper's message when the turn failed
    /// before its answer was stored (the failure is logged: the turn's own
    /// error is the one the shopper hears of).
    pub(super) async fn record_analysis_alone(&self, context: &TurnContext) {
        let analysis = self.analysis_of(context);
        let written = self.ctx.storage.set_message_analysis(&self.store.config.id, analysis.message_id, analysis.language, analysis.label).await;
        if let Err(error) = written {
            tracing::warn!(%error, conversation = %self.conversation_id, "the analysis of a message that got no answer was not stored");
        }
    }
}
