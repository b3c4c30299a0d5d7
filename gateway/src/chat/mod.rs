//! One chat turn, as data flowing: store the shopper's message, detect its
//! language, classify it, retrieve cards, assemble the prompt, run the model
//! with tools, stream events, persist the answer. The HTTP handler, the eval
//! runner and the tests all call `start_turn`.

mod context;
mod converse;
mod enforce;
pub mod events;
mod handoff;
pub mod prompt;
mod record;
mod retrieve;
mod turn;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::Stream;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub use events::{ChatEvent, Done, Handoff, HandoffStatus, ToolStatus};
pub use retrieve::retrieval_ids;

use crate::config::StoreConfig;
use crate::handoff::Handoffs;
use crate::lang;
use crate::llm::{ChatModel, LlmError};
use crate::search::HybridSearch;
use crate::session::SessionStore;
use crate::storage::{Conversation, MessageRole, Storage, StorageError, StoredMessage};
use crate::tools::ToolBox;
use turn::Turn;

/// Everything one store needs to answer: its config, model and tools.
pub struct StoreRuntime {
    pub config: StoreConfig,
    pub model: Arc<dyn ChatModel>,
    pub tools: Arc<dyn ToolBox>,
    pub search: HybridSearch,
}

/// Limits that apply to every turn.
#[derive(Debug, Clone, Copy)]
pub struct TurnLimits {
    pub max_message_chars: usize,
    pub history_token_budget: usize,
    pub turn_timeout: Duration,
    pub tool_timeout: Duration,
}

impl Default for TurnLimits {
    fn default() -> Self {
        Self { max_message_chars: 4000, history_token_budget: 1500, turn_timeout: Duration::from_secs(120), tool_timeout: Duration::from_secs(10) }
    }
}

/// The shared services a turn uses.
#[derive(Clone)]
pub struct ChatContext {
    pub storage: Arc<dyn Storage>,
    pub sessions: Arc<dyn SessionStore>,
    pub handoffs: Arc<Handoffs>,
    pub limits: TurnLimits,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TurnRequest {
    #[serde(default)]
    pub session_id: Option<String>,
    pub message: String,
    /// The widget's locale (BCP 47), a hint for very short messages.
    #[serde(default)]
    pub locale: Option<String>,
    /// The shopper's address (set by the HTTP handler, never read from the
    /// body): per-shopper limits of tools such as order lookup use it.
    #[serde(skip)]
    pub client_ip: Option<std::net::IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("the message is empty: send the shopper's text in `message`")]
    EmptyMessage,
    #[error("the message has {got} characters; the limit is {max}")]
    MessageTooLong { got: usize, max: usize },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Messages up to this many characters are analysed on the turn's own
/// thread; longer ones on a blocking thread.
const INLINE_ANALYSIS_CHARS: usize = 400;

/// Longest session id a request may name; a longer one starts a new session.
pub const MAX_SESSION_ID_LEN: usize = 128;

/// A new session id. The id is the bearer secret of the conversation (the
/// transcript API hands the messages to whoever holds it), so it is 122
/// random bits (UUIDv4, from rand's thread-local ChaCha generator, seeded
/// and reseeded from the OS), not a UUIDv7, whose 48-bit
/// timestamp leaves an id issued in the same millisecond as one an attacker
/// holds only about 32 bits from being guessed. Message ids stay UUIDv7:
/// they sort by time and open nothing.
pub fn new_session_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
/// What the shopper sees while the database is unreachable, before the
/// stream (HTTP 503) or during it (an `error` event), so the widget shows
/// the same words either way.
pub const SERVICE_UNAVAILABLE_MESSAGE: &str = "The shop assistant is briefly unavailable; please try again in a few seconds.";

/// Validates the request, resolves the session and stores the shopper's
/// message durably; then runs the rest of the turn in a task whose events
/// the returned stream yields. The task finishes (and persists the answer)
/// even if the client goes away.
pub async fn start_turn(ctx: &ChatContext, store: Arc<StoreRuntime>, request: TurnRequest) -> Result<impl Stream<Item = ChatEvent> + Send + use<>, ChatError> {
    let started = Instant::now();
    let message = request.message.trim().to_owned();
    if message.is_empty() {
        return Err(ChatError::EmptyMessage);
    }
    let chars = message.chars().count();
    if chars > ctx.limits.max_message_chars {
        return Err(ChatError::MessageTooLong { got: chars, max: ctx.limits.max_message_chars });
    }
    let store_id = store.config.id.clone();

    // A session id the store does not know (expired, mistyped, another
    // store's) starts a new conversation; the `session` event says which.
    let existing = match request.session_id.as_deref().filter(|id| !id.is_empty() && id.len() <= MAX_SESSION_ID_LEN) {
        Some(id) => ctx.storage.get_conversation(&store_id, id).await?,
        None => None,
    };
    let (conversation, is_new) = match existing {
        Some(c) => (c, false),
        None => (Conversation { id: new_session_id(), store_id: store_id.clone(), created_at: Utc::now() }, true),
    };

    let user_message = StoredMessage::new(&conversation.id, MessageRole::User, message.clone());
    // Language statistics grow with the message. A long message's run on a
    // blocking thread while the message is stored; a shopper's usual message
    // takes tens of microseconds, less than handing it to another thread and
    // back costs under load, so the turn runs it itself (`understand`).
    let analysis = (chars > INLINE_ANALYSIS_CHARS).then(|| {
        let text = message.clone();
        tokio::task::spawn_blocking(move || lang::analyze(&text))
    });
    if is_new {
        ctx.storage.create_conversation_with_message(&conversation, &user_message).await?;
    } else {
        ctx.storage.append_message(&store_id, &user_message).await?;
    }

    let (tx, rx) = mpsc::channel(64);
    // The session goes out first, with the response's head (one write, not
    // two): it is known now, before the turn's task is even scheduled.
    tx.try_send(ChatEvent::Session { session_id: conversation.id.clone() }).expect("a new channel has room for the first event");
    let turn = Turn {
        ctx: ctx.clone(),
        store,
        conversation_id: conversation.id,
        is_new,
        message,
        analysis,
        locale: request.locale,
        client_ip: request.client_ip,
        user_message,
        started,
        tx,
    };
    tokio::spawn(turn.run());
    Ok(ReceiverStream::new(rx))
}

#[derive(Debug, thiserror::Error)]
enum TurnError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Search(#[from] crate::search::hybrid::SearchError),
    #[error(transparent)]
    Model(#[from] LlmError),
}

impl TurnError {
    fn is_database_unavailable(&self) -> bool {
        match self {
            TurnError::Storage(e) | TurnError::Search(crate::search::hybrid::SearchError::Storage(e)) => e.is_unavailable(),
            _ => false,
        }
    }
}
