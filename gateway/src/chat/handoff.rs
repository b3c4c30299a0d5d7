//! Between understanding a message and answering it: does a person have,
//! or need to have, this conversation? While a ticket is open the
//! assistant does not improvise: the shopper's message goes to the team
//! and the turn ends quietly. A message that needs a person opens a ticket
//! and gets one acknowledgement in the shopper's language, with no product
//! recommendations.

use chrono::Utc;

use super::context::TurnContext;
use super::converse::Draft;
use super::turn::Turn;
use super::{ChatEvent, Done, Handoff, HandoffStatus, TurnError};
use crate::handoff::{self, Decision, texts};
use crate::llm::Usage;
use crate::session::HistoryEntry;
use crate::storage::{MessageRole, Ticket};

/// What the rest of the turn does.
pub(super) enum Route {
    /// Retrieve and answer.
    Answer,
    /// A person has the conversation; the turn is over.
    Finished,
}

impl Turn {
    pub(super) async fn route(&self, context: &TurnContext) -> Result<Route, TurnError> {
        let config = &self.store.config;
        let handoffs = &self.ctx.handoffs;
        if !self.is_new
            && let Some(ticket) = handoffs.active(&config.id, &self.conversation_id).await?
        {
            self.stay_quiet(context, &ticket).await?;
            return Ok(Route::Finished);
        }
        let classification = context.classification;
        let language = context.reply_language();
        match handoff::decide(&config.handoff, classification) {
            Decision::Answer => Ok(Route::Answer),
            Decision::Offer => {
                let message = texts::offered(language).to_owned();
                let offer = Handoff {
                    label: classification.label,
                    reason: classification.reason,
                    message,
                    status: HandoffStatus::Offered,
                    ticket_id: None,
                    opens_at: None,
                };
                self.emit(ChatEvent::Handoff(offer)).await;
                Ok(Route::Answer)
            }
            Decision::HandOff => {
                self.hand_off(context).await?;
                Ok(Route::Finished)
            }
        }
    }

    /// Opens the ticket and tells the shopper, once, that a person will
    /// answer here.
    async fn hand_off(&self, context: &TurnContext) -> Result<(), TurnError> {
        let config = &self.store.config;
        let classification = context.classification;
        let language = context.reply_language();
        let products = context.recent_product_ids();
        let (ticket, _) = self.ctx.handoffs.open(config, &self.conversation_id, classification, language, products).await?;
        let (message, opens_at) = handoff::acknowledgement(config, language, Utc::now());
        let event = Handoff {
            label: classification.label,
            reason: classification.reason,
            message: message.clone(),
            status: HandoffStatus::HandedOff,
            ticket_id: Some(ticket.id.clone()),
            opens_at,
        };
        self.emit(ChatEvent::Handoff(event)).await;
        self.emit(ChatEvent::Token { text: message.clone() }).await;
        let draft = Draft { text: message, outcomes: Vec::new(), usage: Usage::default(), model: "handoff".into(), cost: Some(0.0) };
        self.record(context, &[], draft, Some(ticket.id)).await
    }

    /// A ticket is open: the message is the team's, not the assistant's.
    async fn stay_quiet(&self, context: &TurnContext, ticket: &Ticket) -> Result<(), TurnError> {
        let config = &self.store.config;
        let language = context.reply_language();
        self.ctx.storage.set_message_analysis(&config.id, &self.user_message.id, Some(language), Some(context.classification.label)).await?;
        let mut message = self.user_message.clone();
        message.language = Some(language.to_owned());
        self.ctx.handoffs.shopper_wrote(ticket, &message).await;
        // An email address left for the team's answer goes on the ticket.
        let told = match handoff::email_in(&self.message) {
            Some(email) => {
                self.ctx.storage.set_ticket_contact(&config.id, &ticket.id, &email, Utc::now()).await?;
                texts::contact_saved(language, &email)
            }
            None => texts::waiting(language).to_owned(),
        };
        let event = Handoff {
            label: ticket.label,
            reason: ticket.reason,
            message: told,
            status: HandoffStatus::Waiting,
            ticket_id: Some(ticket.id.clone()),
            opens_at: None,
        };
        self.emit(ChatEvent::Handoff(event)).await;
        let entry = HistoryEntry { role: MessageRole::User, text: self.message.clone(), language: Some(language.to_owned()), product_ids: Vec::new() };
        if let Err(error) = self.ctx.sessions.append(&config.id, &self.conversation_id, &[entry]).await {
            tracing::debug!(%error, conversation = %self.conversation_id, "message not added to the session store");
        }
        self.emit(ChatEvent::Done(Done {
            message_id: self.user_message.id.clone(),
            language: language.to_owned(),
            label: context.classification.label,
            latency_ms: self.started.elapsed().as_millis() as u64,
            mixed: context.detection.also.iter().map(|s| (*s).to_owned()).collect(),
            model: "none".into(),
            offline: self.store.model.is_offline(),
            prompt_tokens: 0,
            completion_tokens: 0,
            cost: None,
            ticket_id: Some(ticket.id.clone()),
        }))
        .await;
        Ok(())
    }
}
