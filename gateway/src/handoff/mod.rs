//! Handoff to a person: a ticket with the whole conversation, its label,
//! reason, language and the products discussed; the assistant's silence
//! while the ticket is open; the agents' queue, claims, replies and
//! resolutions; and the live streams and helpdesk webhooks that carry them
//! to the shopper and to the team.
//!
//! Policy ([`decide`]): an urgent message and an explicit request for a
//! person always hand off; an escalate message hands off, or only offers a
//! person when the store says `escalate = "offer"`.

pub mod bus;
pub mod helpdesk;
pub mod hours;
pub mod texts;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};

use crate::classify::{Classification, Label, Reason};
use crate::config::{EscalatePolicy, HandoffConfig, StoreConfig};
use crate::session::{HistoryEntry, SessionStore};
use crate::storage::{MessageRole, Storage, StorageError, StoredMessage, Ticket, TicketStatus};
pub use bus::{Audience, EventBus, LiveEvent};
pub use helpdesk::Helpdesk;

/// Longest agent reply, in characters.
pub const MAX_REPLY_CHARS: usize = 8000;
/// Longest agent name, in characters.
pub const MAX_AGENT_NAME_CHARS: usize = 64;

/// What a message's classification means for the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The assistant answers.
    Answer,
    /// The assistant answers and the widget offers a person.
    Offer,
    /// A ticket is opened and the assistant steps back.
    HandOff,
}

/// What the shopper is told when a ticket opens: a person will answer
/// here; outside the store's hours, from when (and an invitation to leave
/// an email address). With it, the next opening when people are away.
pub fn acknowledgement(store: &StoreConfig, language: &str, now: DateTime<Utc>) -> (String, Option<DateTime<Utc>>) {
    let Some(hours) = store.handoff.hours.as_ref().and_then(|h| hours::BusinessHours::parse(h).ok()) else {
        return (texts::handed_off(language).to_owned(), None);
    };
    if hours.is_open(now) {
        return (texts::handed_off(language).to_owned(), None);
    }
    match hours.next_opening(now) {
        Some(opens) => {
            let when = format!("{} ({})", texts::opening(language, opens.weekday(), &opens.format("%H:%M").to_string()), hours.zone().name());
            (texts::after_hours(language, &when), Some(opens.with_timezone(&Utc)))
        }
        None => (texts::away(language).to_owned(), None),
    }
}

/// The first email address in a shopper's message, domain lower-cased:
/// how a shopper leaves a contact for the team's answer.
pub fn email_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '<' | '>' | '"' | '\'' | '[' | ']'))
        .map(|token| token.trim_end_matches(['.', '!', '?', ':']))
        .find_map(|token| {
            let (local, domain) = token.split_once('@')?;
            let local_ok = !local.is_empty() && local.len() <= 64 && local.chars().all(|c| c.is_alphanumeric() || "._%+-".contains(c));
            let labels: Vec<&str> = domain.split('.').collect();
            let domain_ok = labels.len() >= 2
                && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
                && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
            (local_ok && domain_ok && token.len() <= 254).then(|| format!("{local}@{}", domain.to_lowercase()))
        })
}

pub fn decide(policy: &HandoffConfig, classification: Classification) -> Decision {
    if classification.reason == Reason::AskedForHuman {
        return Decision::HandOff;
    }
    match classification.label {
        Label::Urgent => Decision::HandOff,
        Label::Escalate => match policy.escalate {
            EscalatePolicy::HandOff => Decision::HandOff,
            EscalatePolicy::Offer => Decision::Offer,
        },
        Label::Normal => Decision::Answer,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HandoffError {
    #[error("no ticket `{0}` in this store")]
    UnknownTicket(String),
    #[error("ticket `{0}` is resolved; the assistant answers the conversation again")]
    Resolved(String),
    #[error("ticket `{ticket}` is claimed by {agent}")]
    ClaimedByOther { ticket: String, agent: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The handoff side of the gateway, shared by the chat turn and the agent
/// API.
pub struct Handoffs {
    storage: Arc<dyn Storage>,
    sessions: Arc<dyn SessionStore>,
    bus: Arc<EventBus>,
    /// Per store with a helpdesk; replaced when a reload changes the store.
    helpdesks: std::sync::RwLock<HashMap<String, Helpdesk>>,
}

impl Handoffs {
    /// No store has a helpdesk yet: [`Handoffs::configure_store`] starts them.
    pub fn new(storage: Arc<dyn Storage>, sessions: Arc<dyn SessionStore>, bus: Arc<EventBus>) -> Self {
        Self { storage, sessions, bus, helpdesks: Default::default() }
    }

    /// Starts (or restarts, or stops) the store's helpdesk delivery as its
    /// config says; deliveries already queued for an old one still go out.
    pub fn configure_store(&self, store: &StoreConfig) {
        let helpdesk = store.handoff.helpdesk.as_ref().and_then(|config| Helpdesk::start(&store.id, config));
        let mut helpdesks = self.helpdesks.write().expect("helpdesks lock");
        match helpdesk {
            Some(helpdesk) => helpdesks.insert(store.id.clone(), helpdesk),
            None => helpdesks.remove(&store.id),
        };
    }

    /// A store the gateway no longer serves.
    pub fn forget_store(&self, store_id: &str) {
        self.helpdesks.write().expect("helpdesks lock").remove(store_id);
    }

    fn helpdesk(&self, store_id: &str) -> Option<Helpdesk> {
        self.helpdesks.read().expect("helpdesks lock").get(store_id).cloned()
    }

    pub fn bus(&self) -> &Arc<EventBus> {
        &self.bus
    }

    /// Opens a ticket for the conversation, unless one is open already
    /// (then that one is returned, with `false`).
    pub async fn open(
        &self,
        store: &StoreConfig,
        conversation_id: &str,
        classification: Classification,
        language: &str,
        product_ids: Vec<String>,
    ) -> Result<(Ticket, bool), StorageError> {
        let now = Utc::now();
        // A request for a person on a normal message is still an escalation.
        let label = classification.label.max(Label::Escalate);
        let ticket = Ticket {
            id: uuid::Uuid::now_v7().to_string(),
            store_id: store.id.clone(),
            conversation_id: conversation_id.to_owned(),
            status: TicketStatus::Open,
            label,
            reason: classification.reason,
            language: language.to_owned(),
            product_ids,
            assignee: None,
            contact_email: None,
            created_at: now,
            updated_at: now,
            resolved_at: None,
        };
        let (ticket, created) = self.storage.open_ticket(&ticket).await?;
        if created {
            tracing::info!(store = %store.id, ticket = %ticket.id, label = ticket.label.as_str(), "conversation handed to a person");
            self.announce(&ticket).await;
            if let Some(helpdesk) = self.helpdesk(&store.id) {
                let transcript = self.storage.list_messages(&store.id, conversation_id).await?;
                helpdesk.ticket_opened(&store.name, &ticket, &transcript);
            }
        }
        Ok((ticket, created))
    }

    /// The conversation's ticket that is not resolved, if any.
    pub async fn active(&self, store_id: &str, conversation_id: &str) -> Result<Option<Ticket>, StorageError> {
        self.storage.active_ticket(store_id, conversation_id).await
    }

    /// The shopper wrote while a ticket is open: the agents see it live.
    pub async fn shopper_wrote(&self, ticket: &Ticket, message: &StoredMessage) {
        let event = LiveEvent::ShopperMessage {
            ticket_id: ticket.id.clone(),
            conversation_id: ticket.conversation_id.clone(),
            message_id: message.id.clone(),
            text: message.text.clone(),
            language: message.language.clone(),
            created_at: message.created_at,
        };
        self.bus.publish(&ticket.store_id, Audience::Agents, event).await;
        if let Some(helpdesk) = self.helpdesk(&ticket.store_id) {
            helpdesk.message(ticket, message);
        }
    }

    /// `agent` takes the ticket (allowed when it is open or already theirs).
    pub async fn claim(&self, store_id: &str, ticket_id: &str, agent: &str) -> Result<Ticket, HandoffError> {
        let agent = agent_name(agent)?;
        match self.storage.claim_ticket(store_id, ticket_id, agent, Utc::now()).await? {
            Some(ticket) => {
                self.announce(&ticket).await;
                self.status_to_helpdesk(&ticket);
                Ok(ticket)
            }
            None => Err(self.why_not(store_id, ticket_id).await?),
        }
    }

    /// Resolves the ticket: the assistant answers the conversation again.
    pub async fn resolve(&self, store_id: &str, ticket_id: &str) -> Result<Ticket, HandoffError> {
        match self.storage.resolve_ticket(store_id, ticket_id, Utc::now()).await? {
            Some(ticket) => {
                self.announce(&ticket).await;
                self.status_to_helpdesk(&ticket);
                Ok(ticket)
            }
            None => Err(self.why_not(store_id, ticket_id).await?),
        }
    }

    /// An agent's reply: stored in the transcript (before anyone is told),
    /// added to the session so the assistant knows it later, and sent live
    /// to the shopper's stream. Replying to an open ticket claims it.
    pub async fn reply(&self, store_id: &str, ticket_id: &str, agent: &str, text: &str) -> Result<(Ticket, StoredMessage), HandoffError> {
        let agent = agent_name(agent)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(HandoffError::Invalid("the reply is empty: send the agent's text in `text`".into()));
        }
        let chars = text.chars().count();
        if chars > MAX_REPLY_CHARS {
            return Err(HandoffError::Invalid(format!("the reply has {chars} characters; the limit is {MAX_REPLY_CHARS}")));
        }
        let ticket = self.storage.get_ticket(store_id, ticket_id).await?.ok_or_else(|| HandoffError::UnknownTicket(ticket_id.to_owned()))?;
        let ticket = match (&ticket.status, &ticket.assignee) {
            (TicketStatus::Resolved, _) => return Err(HandoffError::Resolved(ticket.id)),
            (TicketStatus::Claimed, Some(owner)) if owner == agent => ticket,
            _ => self.claim(store_id, ticket_id, agent).await?,
        };
        let message = StoredMessage::new(&ticket.conversation_id, MessageRole::Agent, text);
        self.storage.append_message(store_id, &message).await?;
        let entry = HistoryEntry { role: MessageRole::Agent, text: message.text.clone(), language: None, product_ids: Vec::new() };
        if let Err(error) = self.sessions.append(store_id, &ticket.conversation_id, &[entry]).await {
            tracing::debug!(%error, "agent reply not added to the session store; the next turn rebuilds it");
        }
        let event = LiveEvent::AgentMessage {
            ticket_id: ticket.id.clone(),
            message_id: message.id.clone(),
            agent: agent.to_owned(),
            text: message.text.clone(),
            created_at: message.created_at,
        };
        self.bus.publish(store_id, Audience::Session(ticket.conversation_id.clone()), event.clone()).await;
        self.bus.publish(store_id, Audience::Agents, event).await;
        if let Some(helpdesk) = self.helpdesk(store_id) {
            helpdesk.message(&ticket, &message);
        }
        Ok((ticket, message))
    }

    /// The ticket's new state, to its shopper and to the agents.
    async fn announce(&self, ticket: &Ticket) {
        let event = LiveEvent::Ticket(ticket.clone());
        self.bus.publish(&ticket.store_id, Audience::Session(ticket.conversation_id.clone()), event.clone()).await;
        self.bus.publish(&ticket.store_id, Audience::Agents, event).await;
    }

    fn status_to_helpdesk(&self, ticket: &Ticket) {
        if let Some(helpdesk) = self.helpdesk(&ticket.store_id) {
            helpdesk.status_changed(ticket);
        }
    }

    /// Why a claim or resolution did not apply.
    async fn why_not(&self, store_id: &str, ticket_id: &str) -> Result<HandoffError, StorageError> {
        Ok(match self.storage.get_ticket(store_id, ticket_id).await? {
            None => HandoffError::UnknownTicket(ticket_id.to_owned()),
            Some(t) if t.status == TicketStatus::Resolved => HandoffError::Resolved(t.id),
            Some(t) => HandoffError::ClaimedByOther { agent: t.assignee.unwrap_or_default(), ticket: t.id },
        })
    }
}

/// Which store an agent token opens: each store's token from the variable
/// its `handoff.agent_token_env` names, compared in constant time.
#[derive(Default)]
pub struct AgentTokens {
    tokens: Vec<(String, String)>,
}

impl AgentTokens {
    /// A store without a token (its variable unset) has no agent API.
    pub fn from_env(stores: &[&StoreConfig]) -> Self {
        let tokens = stores
            .iter()
            .filter(|s| !s.handoff.agent_token_env.is_empty())
            .filter_map(|s| {
                let token = crate::config::secret_from_env(&s.handoff.agent_token_env);
                if token.is_none() {
                    tracing::warn!(store = %s.id, variable = %s.handoff.agent_token_env, "no agent token: the variable is not set, so agents cannot sign in for this store");
                }
                Some((token?, s.id.clone()))
            })
            .collect();
        Self { tokens }
    }

    /// The store `token` opens. Every token is compared, whichever matches.
    pub fn store_for(&self, token: &str) -> Option<&str> {
        let mut found = None;
        for (known, store) in &self.tokens {
            if crate::tools::orders::constant_time_eq(known, token) {
                found = Some(store.as_str());
            }
        }
        found
    }
}

fn agent_name(agent: &str) -> Result<&str, HandoffError> {
    let agent = agent.trim();
    if agent.is_empty() || agent.chars().count() > MAX_AGENT_NAME_CHARS || agent.chars().any(char::is_control) {
        return Err(HandoffError::Invalid(format!("`agent` must name the agent in 1-{MAX_AGENT_NAME_CHARS} characters, e.g. \"Marta\"")));
    }
    Ok(agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_found_in_what_shoppers_write() {
        assert_eq!(email_in("my email is Ana.Perez+shop@Example.COM, thanks!").as_deref(), Some("Ana.Perez+shop@example.com"));
        assert_eq!(email_in("escríbeme a (jordi@correu.cat).").as_deref(), Some("jordi@correu.cat"));
        assert_eq!(email_in("пишите: иван@почта.рф").as_deref(), Some("иван@почта.рф"));
        for none in ["no email here", "@handle on instagram", "a@b", "x@y.1", "me@.com", "order #1042 @ 3pm"] {
            assert_eq!(email_in(none), None, "{none}");
        }
    }

    fn c(label: Label, reason: Reason) -> Classification {
        Classification { label, reason, confidence: 1.0 }
    }

    #[test]
    fn urgent_and_requests_for_a_person_always_hand_off() {
        let offer = HandoffConfig { escalate: EscalatePolicy::Offer, ..Default::default() };
        assert_eq!(decide(&offer, c(Label::Urgent, Reason::Fraud)), Decision::HandOff);
        assert_eq!(decide(&offer, c(Label::Escalate, Reason::AskedForHuman)), Decision::HandOff);
        assert_eq!(decide(&offer, c(Label::Escalate, Reason::Refund)), Decision::Offer);
        assert_eq!(decide(&HandoffConfig::default(), c(Label::Escalate, Reason::Refund)), Decision::HandOff);
        assert_eq!(decide(&HandoffConfig::default(), c(Label::Normal, Reason::None)), Decision::Answer);
    }
}
