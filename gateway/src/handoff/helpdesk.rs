//! Tickets and their messages posted to a store's helpdesk, shaped like a
//! Chatwoot-style inbox's webhooks (`conversation_created`,
//! `message_created`, `conversation_status_changed`), each signed with
//! HMAC-SHA256 of the raw body (`X-Chatgw-Signature: sha256=<hex>`) and
//! retried with backoff until the helpdesk answers 2xx. Deliveries run in a
//! background task per store, in order, so a slow helpdesk never holds up
//! a chat turn.

use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::config::HelpdeskConfig;
use crate::storage::{MessageRole, StoredMessage, Ticket};

/// Deliveries waiting per store; beyond this the oldest news is the
/// helpdesk's problem (logged), not the chat's.
const QUEUE: usize = 1024;
/// Attempts per delivery, the first included.
pub const ATTEMPTS: u32 = 8;
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_RETRY: Duration = Duration::from_secs(60);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub const SIGNATURE_HEADER: &str = "x-chatgw-signature";
pub const EVENT_HEADER: &str = "x-chatgw-event";

/// A store's helpdesk connection: a queue into its delivery task.
#[derive(Clone)]
pub struct Helpdesk {
    queue: mpsc::Sender<Value>,
}

impl Helpdesk {
    /// Starts the delivery task. The secret comes from the environment
    /// variable the config names; without it, nothing is sent (logged once).
    pub fn start(store_id: &str, config: &HelpdeskConfig) -> Option<Self> {
        let Some(secret) = crate::config::secret_from_env(&config.secret_env) else {
            tracing::error!(store = %store_id, variable = %config.secret_env, "helpdesk webhook not started: its signing secret variable is not set");
            return None;
        };
        let (queue, deliveries) = mpsc::channel(QUEUE);
        tokio::spawn(deliver_all(store_id.to_owned(), config.url.clone(), secret, deliveries));
        Some(Self { queue })
    }

    /// A new ticket, with the transcript so far.
    pub fn ticket_opened(&self, store_name: &str, ticket: &Ticket, transcript: &[StoredMessage]) {
        self.send(json!({
            "event": "conversation_created",
            "id": ticket.conversation_id,
            "status": "open",
            "inbox": { "name": store_name, "store_id": ticket.store_id },
            "meta": { "label": ticket.label, "reason": ticket.reason, "language": ticket.language, "product_ids": ticket.product_ids },
            "ticket": ticket,
            "messages": transcript.iter().map(message).collect::<Vec<_>>(),
            "sent_at": Utc::now(),
        }));
    }

    /// A message in a conversation that has a ticket (shopper or agent).
    pub fn message(&self, ticket: &Ticket, stored: &StoredMessage) {
        let mut payload = message(stored);
        payload["event"] = json!("message_created");
        payload["conversation"] = json!({ "id": ticket.conversation_id, "status": ticket.status, "ticket_id": ticket.id });
        payload["sent_at"] = json!(Utc::now());
        self.send(payload);
    }

    /// A ticket was claimed or resolved.
    pub fn status_changed(&self, ticket: &Ticket) {
        self.send(json!({
            "event": "conversation_status_changed",
            "id": ticket.conversation_id,
            "status": ticket.status,
            "ticket": ticket,
            "sent_at": Utc::now(),
        }));
    }

    fn send(&self, payload: Value) {
        if let Err(error) = self.queue.try_send(payload) {
            tracing::error!(%error, "helpdesk delivery dropped: its queue is full or closed");
        }
    }
}

/// A transcript message as a Chatwoot-style message.
fn message(m: &StoredMessage) -> Value {
    let (message_type, sender) = match m.role {
        MessageRole::User => ("incoming", "contact"),
        MessageRole::Agent => ("outgoing", "agent"),
        MessageRole::Assistant | MessageRole::System => ("outgoing", "bot"),
    };
    json!({
        "id": m.id,
        "content": m.text,
        "message_type": message_type,
        "sender": { "type": sender },
        "language": m.language,
        "label": m.label,
        "created_at": m.created_at,
    })
}

/// The signature header's value for `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn deliver_all(store_id: String, url: String, secret: String, mut deliveries: mpsc::Receiver<Value>) {
    let client = match reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, store = %store_id, "helpdesk webhook client could not be built");
            return;
        }
    };
    while let Some(payload) = deliveries.recv().await {
        let event = payload.get("event").and_then(Value::as_str).unwrap_or("unknown").to_owned();
        let body = payload.to_string().into_bytes();
        let signed = signature(&secret, &body);
        let mut wait = FIRST_RETRY;
        for attempt in 1..=ATTEMPTS {
            let sent = client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(SIGNATURE_HEADER, &signed)
                .header(EVENT_HEADER, &event)
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => break,
                Ok(response) => tracing::warn!(store = %store_id, %event, status = %response.status(), attempt, "helpdesk refused a delivery"),
                // The URL is the store's config, not a secret; the error
                // text of reqwest carries no credentials.
                Err(error) => tracing::warn!(store = %store_id, %event, error = %error.without_url(), attempt, "helpdesk delivery failed"),
            }
            if attempt == ATTEMPTS {
                tracing::error!(store = %store_id, %event, "helpdesk delivery given up after {ATTEMPTS} attempts");
                break;
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(LONGEST_RETRY);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        let body = b"what do ya want for nothing?";
        assert_eq!(signature("Jefe", body), "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
