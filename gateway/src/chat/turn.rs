//! The turn after the shopper's message is stored, as named stages, each in
//! its own module: context (history, language, label) → retrieval and
//! grounding → the model and its tools, whose text passes the enforcement
//! gate on its way out → recording. Before retrieval, the handoff stage
//! decides whether the assistant answers at all. `Turn::answer` only strings them
//! together; the data each stage hands on is a plain struct.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use super::context::TurnContext;
use super::handoff::Route;
use super::{ChatContext, ChatEvent, SERVICE_UNAVAILABLE_MESSAGE, StoreRuntime, TurnError};
use crate::lang;
use crate::storage::StoredMessage;

/// One turn in flight: who asked what, and where its events go.
pub(super) struct Turn {
    pub ctx: ChatContext,
    pub store: Arc<StoreRuntime>,
    pub conversation_id: String,
    pub is_new: bool,
    pub message: String,
    /// Language statistics of a long message, computed on a blocking
    /// thread while it was being stored (a short one's are computed when
    /// the turn needs them).
    pub analysis: Option<tokio::task::JoinHandle<lang::Analysis>>,
    pub locale: Option<String>,
    /// The shopper's address, when the request came over HTTP.
    pub client_ip: Option<std::net::IpAddr>,
    /// The shopper's message, as stored.
    pub user_message: StoredMessage,
    pub started: Instant,
    pub tx: mpsc::Sender<ChatEvent>,
}

impl Turn {
    pub(super) async fn emit(&self, event: ChatEvent) {
        // A closed channel means the shopper left; the turn still completes.
        let _ = self.tx.send(event).await;
    }

    pub(super) async fn run(self) {
        let timeout = self.ctx.limits.turn_timeout;
        let tx = self.tx.clone();
        let conversation_id = self.conversation_id.clone();
        match tokio::time::timeout(timeout, self.answer()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, conversation = %conversation_id, "chat turn failed");
                let (code, message) = match e {
                    TurnError::Model(_) => ("model_unavailable", "The assistant cannot answer right now. Please try again in a moment, or ask for a person."),
                    e if e.is_database_unavailable() => ("service_unavailable", SERVICE_UNAVAILABLE_MESSAGE),
                    _ => ("internal", "Something went wrong while answering. Please try again."),
                };
                let _ = tx.send(ChatEvent::Error { code: code.into(), message: message.into() }).await;
            }
            Err(_) => {
                tracing::warn!(conversation = %conversation_id, "chat turn timed out");
                let _ = tx
                    .send(ChatEvent::Error {
                        code: "timeout".into(),
                        message: format!("The answer took longer than {} s. Please try again.", timeout.as_secs()),
                    })
                    .await;
            }
        }
    }

    async fn answer(mut self) -> Result<(), TurnError> {
        let context = self.understand().await?;
        // The message's analysis is written with what answers it (`record`,
        // for the assistant's answer and a handoff's acknowledgement alike;
        // `stay_quiet` has none and writes it alone); a turn that fails on
        // the way writes it alone.
        let answered = self.respond(&context).await;
        if answered.is_err() {
            self.record_analysis_alone(&context).await;
        }
        answered
    }

    async fn respond(&self, context: &TurnContext) -> Result<(), TurnError> {
        if let Route::Finished = self.route(context).await? {
            return Ok(());
        }
        let retrieval = self.retrieve(context).await?;
        let draft = self.converse(context, &retrieval).await?;
        let shown: Vec<String> = retrieval.shown.iter().map(|p| p.id.clone()).collect();
        self.record(context, &shown, draft, None).await
    }
}
