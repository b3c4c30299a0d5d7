//! Live events for the people in a conversation: a shopper's widget holds
//! a stream of its session's events (an agent's reply, the ticket's
//! state), and agents hold one of their store's (new tickets, shoppers'
//! messages). Replicas that share Redis exchange the events over one
//! pub/sub channel, so a reply given on one replica reaches a shopper
//! connected to another; without Redis they stay in this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::storage::Ticket;

/// Events a stream may miss when its reader is this far behind (it is then
/// told to reload the transcript).
const STREAM_BUFFER: usize = 64;
/// Longest wait for a `PUBLISH` before the event is delivered locally only.
const PUBLISH_DEADLINE: Duration = Duration::from_millis(500);

/// Who a stream is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// The shopper of one conversation.
    Session(String),
    /// The store's agents.
    Agents,
}

/// One live event. Serialised as `{"event": ..., "data": ...}`; the SSE
/// streams use `event` as the event name and `data` as the payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A ticket was opened, claimed or resolved.
    Ticket(Ticket),
    /// A person from the team wrote to the shopper.
    AgentMessage { ticket_id: String, message_id: String, agent: String, text: String, created_at: DateTime<Utc> },
    /// The shopper wrote in a conversation that has a ticket.
    ShopperMessage { ticket_id: String, conversation_id: String, message_id: String, text: String, language: Option<String>, created_at: DateTime<Utc> },
}

impl LiveEvent {
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Ticket(_) => "ticket",
            LiveEvent::AgentMessage { .. } => "agent_message",
            LiveEvent::ShopperMessage { .. } => "shopper_message",
        }
    }

    /// The payload (the SSE `data:` line).
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => map.remove("data").unwrap_or(serde_json::Value::Null),
            _ => serde_json::Value::Null,
        }
    }
}

/// What travels over Redis: the event and whom it is for.
#[derive(Serialize, Deserialize)]
struct Envelope {
    store_id: String,
    audience: Audience,
    event: LiveEvent,
}

type Key = (String, Audience);

/// Fan-out of live events to the streams open in this process, fed by
/// Redis pub/sub when replicas share Redis.
pub struct EventBus {
    local: Mutex<HashMap<Key, broadcast::Sender<LiveEvent>>>,
    redis: Option<RedisSide>,
}

struct RedisSide {
    publisher: ConnectionManager,
    channel: String,
}

impl EventBus {
    /// Events stay in this process.
    pub fn local() -> Arc<Self> {
        Arc::new(Self { local: Mutex::new(HashMap::new()), redis: None })
    }

    /// Events go through Redis (`<prefix>live`) to every replica, this one
    /// included. The subscription reconnects on its own after an outage;
    /// while Redis is down, events are delivered in this process only.
    pub async fn redis(url: &str, key_prefix: &str) -> redis::RedisResult<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let config =
            redis::aio::ConnectionManagerConfig::new().set_connection_timeout(Some(Duration::from_secs(2))).set_response_timeout(Some(PUBLISH_DEADLINE));
        let publisher = ConnectionManager::new_with_config(client.clone(), config).await?;
        let channel = format!("{key_prefix}live");
        let bus = Arc::new(Self { local: Mutex::new(HashMap::new()), redis: Some(RedisSide { publisher, channel: channel.clone() }) });
        tokio::spawn(subscribe_forever(client, channel, Arc::downgrade(&bus)));
        Ok(bus)
    }

    /// A stream of the events for `audience` in `store_id` from now on.
    pub fn subscribe(&self, store_id: &str, audience: Audience) -> broadcast::Receiver<LiveEvent> {
        let mut local = self.local.lock().expect("event bus lock");
        // Drop channels nobody listens to any more.
        local.retain(|_, sender| sender.receiver_count() > 0);
        local.entry((store_id.to_owned(), audience)).or_insert_with(|| broadcast::channel(STREAM_BUFFER).0).subscribe()
    }

    /// Sends `event` to every stream for `audience`, on every replica.
    pub async fn publish(&self, store_id: &str, audience: Audience, event: LiveEvent) {
        if let Some(redis) = &self.redis {
            let envelope = Envelope { store_id: store_id.to_owned(), audience: audience.clone(), event: event.clone() };
            let payload = match serde_json::to_string(&envelope) {
                Ok(payload) => payload,
                Err(error) => {
                    tracing::error!(%error, "live event not serialisable");
                    return;
                }
            };
            let mut conn = redis.publisher.clone();
            let sent: Result<redis::RedisResult<i64>, _> = tokio::time::timeout(PUBLISH_DEADLINE, conn.publish(&redis.channel, payload)).await;
            match sent {
                // Our own subscription delivers it here too.
                Ok(Ok(_)) => return,
                Ok(Err(error)) => tracing::warn!(%error, "live event not published to Redis; delivered on this replica only"),
                Err(_) => tracing::warn!("Redis did not take a live event in time; delivered on this replica only"),
            }
        }
        self.deliver(store_id, audience, event);
    }

    fn deliver(&self, store_id: &str, audience: Audience, event: LiveEvent) {
        let local = self.local.lock().expect("event bus lock");
        if let Some(sender) = local.get(&(store_id.to_owned(), audience)) {
            // No receiver left is not an error: nobody is watching.
            let _ = sender.send(event);
        }
    }
}

/// Holds the bus's Redis subscription open until the bus is dropped,
/// reconnecting after failures.
async fn subscribe_forever(client: redis::Client, channel: String, bus: Weak<EventBus>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        if bus.strong_count() == 0 {
            return;
        }
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    backoff = Duration::from_millis(200);
                    let mut messages = pubsub.into_on_message();
                    while let Some(message) = messages.next().await {
                        let Some(bus) = bus.upgrade() else { return };
                        let payload: String = match message.get_payload() {
                            Ok(payload) => payload,
                            Err(error) => {
                                tracing::warn!(%error, "unreadable live event from Redis");
                                continue;
                            }
                        };
                        match serde_json::from_str::<Envelope>(&payload) {
                            Ok(envelope) => bus.deliver(&envelope.store_id, envelope.audience, envelope.event),
                            // A newer replica's event this one does not know.
                            Err(error) => tracing::debug!(%error, "live event from Redis not understood"),
                        }
                    }
                    tracing::warn!("Redis live-event subscription ended; reconnecting");
                }
                Err(error) => tracing::warn!(%error, "cannot subscribe to live events in Redis; retrying"),
            },
            Err(error) => tracing::warn!(%error, "cannot connect to Redis for live events; retrying"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}
