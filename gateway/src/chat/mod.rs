//! One chat turn, as data flowing: store the shopper's message, detect its
//! language, classify it, retrieve cards, assemble the prompt, run the model
//! with tools, stream events, persist the answer. The HTTP handler, the eval
//! runner and the tests all call `start_turn`.

pub mod events;
pub mod prompt;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

pub use events::{ChatEvent, Done, Handoff, ToolStatus};

use crate::catalog::ProductSummary;
use crate::classify::{self, Label};
use crate::config::StoreConfig;
use crate::lang::{self, DetectionContext};
use crate::llm::{ChatMessage, ChatModel, ChatRequest, LlmError, ModelEvent, Role, ToolCall, ToolChoice, TurnGrounding, Usage};
use crate::search::{HybridSearch, RetrievedCard, SearchOptions, query_terms};
use crate::session::{HistoryEntry, SessionStore, trim_to_budget};
use crate::storage::{Conversation, MessageRole, Storage, StorageError, StoredMessage};
use crate::tools::{ToolBox, ToolOutcome};

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

/// Longest session id a request may name; a longer one starts a new session.
pub const MAX_SESSION_ID_LEN: usize = 128;

/// A new session id. The id is the bearer secret of the conversation (the
/// transcript API hands the messages to whoever holds it), so it is 122 bits
/// from the OS's random generator (UUIDv4), not a UUIDv7, whose 48-bit
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

/// Products shown to the shopper per turn.
const PRODUCTS_SHOWN: usize = 4;
/// Products from earlier turns kept in the grounding.
const RECENT_PRODUCTS_KEPT: usize = 3;

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

    let user_message = StoredMessage {
        id: uuid::Uuid::now_v7().to_string(),
        conversation_id: conversation.id.clone(),
        role: MessageRole::User,
        text: message.clone(),
        language: None,
        label: None,
        tool_calls: serde_json::Value::Array(Vec::new()),
        model: None,
        latency_ms: None,
        prompt_tokens: None,
        completion_tokens: None,
        created_at: Utc::now(),
    };
    // Language statistics are the costliest CPU step of a turn; they need
    // only the text, so they run while the message is being stored.
    let text = message.clone();
    let analysis = tokio::task::spawn_blocking(move || lang::analyze(&text));
    if is_new {
        ctx.storage.create_conversation_with_message(&conversation, &user_message).await?;
    } else {
        ctx.storage.append_message(&store_id, &user_message).await?;
    }

    let (tx, rx) = mpsc::channel(64);
    let turn = Turn {
        ctx: ctx.clone(),
        store,
        conversation_id: conversation.id,
        is_new,
        message,
        analysis,
        locale: request.locale,
        user_message_id: user_message.id,
        started,
        tx,
    };
    tokio::spawn(turn.run());
    Ok(ReceiverStream::new(rx))
}

struct Turn {
    ctx: ChatContext,
    store: Arc<StoreRuntime>,
    conversation_id: String,
    is_new: bool,
    message: String,
    analysis: tokio::task::JoinHandle<lang::Analysis>,
    locale: Option<String>,
    user_message_id: String,
    started: Instant,
    tx: mpsc::Sender<ChatEvent>,
}

impl Turn {
    async fn emit(&self, event: ChatEvent) {
        // A closed channel means the shopper left; the turn still completes.
        let _ = self.tx.send(event).await;
    }

    async fn run(self) {
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
            .filter(|m| m.id != self.user_message_id)
            .filter(|m| matches!(m.role, MessageRole::User | MessageRole::Assistant | MessageRole::Agent))
            .map(|m| HistoryEntry { role: m.role.as_str().to_owned(), text: m.text, language: m.language, product_ids: discussed_products(&m.tool_calls) })
            .collect();
        if let Err(error) = self.ctx.sessions.replace(store_id, &self.conversation_id, &entries).await {
            tracing::debug!(%error, conversation = %self.conversation_id, "session not written back; the next turn rebuilds it again");
        }
        Ok(entries)
    }

    /// Products the conversation was just about stay in the grounding: a
    /// follow-up ("do you have it in M?") may retrieve nothing by itself.
    async fn with_recent_products(&self, mut cards: Vec<RetrievedCard>, recent: &[String]) -> Result<Vec<RetrievedCard>, TurnError> {
        let mut missing: Vec<String> = Vec::new();
        for id in recent.iter().take(RECENT_PRODUCTS_KEPT) {
            if !cards.iter().any(|c| &c.product.id == id) && !missing.contains(id) {
                missing.push(id.clone());
            }
        }
        if missing.is_empty() {
            return Ok(cards);
        }
        let config = &self.store.config;
        let primary = config.languages.first().map(String::as_str).unwrap_or("en");
        for product in self.ctx.storage.get_products(&config.id, &missing).await? {
            cards.push(RetrievedCard::from_product(product, primary, 0.0));
        }
        Ok(cards)
    }

    async fn answer(mut self) -> Result<(), TurnError> {
        let store = self.store.clone();
        let config = &store.config;
        self.emit(ChatEvent::Session { session_id: self.conversation_id.clone() }).await;

        let history = self.history().await?;
        let previous_language = history.iter().rev().find(|e| e.role == "user").and_then(|e| e.language.clone());
        let analysis = match (&mut self.analysis).await {
            Ok(analysis) => analysis,
            // Only a panic inside the detector gets here; detect again.
            Err(_) => lang::analyze(&self.message),
        };
        let detection =
            analysis.decide(DetectionContext { store_languages: &config.languages, previous: previous_language.as_deref(), locale: self.locale.as_deref() });
        let classification = classify::classify(&self.message);
        let record_analysis =
            self.ctx.storage.set_message_analysis(&config.id, &self.user_message_id, Some(detection.reply), Some(classification.label.as_str()));

        if classification.label != Label::Normal {
            let reason = serde_json::to_value(classification.reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            self.emit(ChatEvent::Handoff(Handoff { label: classification.label.as_str().into(), reason, message: handoff_message(detection.reply).into() }))
                .await;
        }

        // Retrieval. A short follow-up ("and in blue?") is searched together
        // with the previous shopper message so it keeps its subject.
        let mut query = self.message.clone();
        if query_terms(&self.message).len() < 3
            && let Some(previous) = history.iter().rev().find(|e| e.role == "user")
        {
            query = format!("{} {}", previous.text, self.message);
        }
        let mut languages = config.languages.clone();
        if !languages.iter().any(|l| l == detection.reply) {
            languages.push(detection.reply.to_owned());
        }
        let options = SearchOptions::from(&config.retrieval);
        // The analysis is written while retrieval runs.
        let (recorded, cards) = tokio::join!(record_analysis, store.search.search(&config.id, &query, &languages, options));
        recorded?;
        let cards = cards?;
        let recent_product_ids: Vec<String> = history.iter().rev().flat_map(|e| e.product_ids.iter().cloned()).collect();
        let cards = self.with_recent_products(cards, &recent_product_ids).await?;

        let shown: Vec<ProductSummary> = cards.iter().take(PRODUCTS_SHOWN).map(|c| summary(c, detection.reply)).collect();
        if !shown.is_empty() {
            self.emit(ChatEvent::Products { items: shown.clone() }).await;
        }

        let grounding =
            Arc::new(TurnGrounding { reply_language: detection.reply.to_owned(), store_name: config.name.clone(), cards: cards.clone(), recent_product_ids });
        let system = prompt::system_prompt(config, detection.reply, &cards);
        let history_window = trim_to_budget(&history, self.ctx.limits.history_token_budget);
        let mut messages = prompt::messages(system, history_window, &self.message);

        let routing = &config.models;
        let tools = store.tools.definitions();
        let mut answer = String::new();
        let mut outcomes: Vec<ToolOutcome> = Vec::new();
        let mut usage = Usage::default();
        let rounds = routing.max_tool_rounds.max(1);
        for round in 0..=rounds {
            let last_round = round == rounds;
            let request = ChatRequest {
                model: routing.chat.clone(),
                messages: messages.clone(),
                tools: if last_round { Vec::new() } else { tools.clone() },
                tool_choice: if last_round { ToolChoice::None } else { ToolChoice::Auto },
                temperature: Some(routing.temperature),
                max_tokens: Some(routing.max_tokens),
                grounding: Some(grounding.clone()),
            };
            let mut stream = store.model.stream(request).await?;
            let mut calls: Vec<ToolCall> = Vec::new();
            let mut round_text = String::new();
            while let Some(event) = stream.next().await {
                match event? {
                    ModelEvent::TextDelta(text) => {
                        round_text.push_str(&text);
                        self.emit(ChatEvent::Token { text }).await;
                    }
                    ModelEvent::ToolCall(call) => calls.push(call),
                    ModelEvent::Usage(u) => {
                        usage.prompt_tokens += u.prompt_tokens;
                        usage.completion_tokens += u.completion_tokens;
                    }
                    ModelEvent::Finished { .. } => break,
                }
            }
            answer.push_str(&round_text);
            if calls.is_empty() {
                break;
            }
            messages.push(ChatMessage { role: Role::Assistant, content: round_text, tool_calls: calls.clone(), tool_call_id: None });
            for call in &calls {
                self.emit(ChatEvent::Tool { name: call.name.clone(), status: ToolStatus::Started }).await;
                let outcome = match tokio::time::timeout(self.ctx.limits.tool_timeout, store.tools.call(&config.id, call)).await {
                    Ok(outcome) => outcome,
                    Err(_) => ToolOutcome {
                        call_id: call.id.clone(),
                        name: call.name.clone(),
                        arguments: serde_json::from_str(&call.arguments).unwrap_or(serde_json::Value::Null),
                        ok: false,
                        result: serde_json::json!({"error": format!("the tool did not answer within {} s", self.ctx.limits.tool_timeout.as_secs())}),
                        duration_ms: self.ctx.limits.tool_timeout.as_millis() as u64,
                    },
                };
                let status = if outcome.ok { ToolStatus::Ok } else { ToolStatus::Error };
                self.emit(ChatEvent::Tool { name: call.name.clone(), status }).await;
                messages.push(ChatMessage::tool_result(call.id.clone(), outcome.result.to_string()));
                outcomes.push(outcome);
            }
        }

        let model_name = if store.model.is_offline() { "offline".to_owned() } else { routing.chat.clone() };
        let latency_ms = self.started.elapsed().as_millis() as u64;
        let assistant = StoredMessage {
            id: uuid::Uuid::now_v7().to_string(),
            conversation_id: self.conversation_id.clone(),
            role: MessageRole::Assistant,
            text: answer.clone(),
            language: Some(detection.reply.to_owned()),
            label: None,
            tool_calls: serde_json::to_value(&outcomes).unwrap_or_default(),
            model: Some(model_name.clone()),
            latency_ms: Some(latency_ms as i64),
            prompt_tokens: Some(usage.prompt_tokens.into()),
            completion_tokens: Some(usage.completion_tokens.into()),
            created_at: Utc::now(),
        };
        self.ctx.storage.append_message(&config.id, &assistant).await?;
        let shown_ids: Vec<String> = shown.iter().map(|p| p.id.clone()).collect();
        let mut discussed: Vec<String> = outcomes.iter().filter_map(|o| o.result.get("product_id").and_then(|v| v.as_str()).map(str::to_owned)).collect();
        discussed.extend(shown_ids);
        // The answer is stored durably; a session store that missed it
        // marks the session stale and the next turn rebuilds it.
        let cached = self
            .ctx
            .sessions
            .append(
                &config.id,
                &self.conversation_id,
                &[
                    HistoryEntry { role: "user".into(), text: self.message.clone(), language: Some(detection.reply.to_owned()), product_ids: Vec::new() },
                    HistoryEntry { role: "assistant".into(), text: answer, language: Some(detection.reply.to_owned()), product_ids: discussed },
                ],
            )
            .await;
        if let Err(error) = cached {
            tracing::debug!(%error, conversation = %self.conversation_id, "turn not added to the session store");
        }

        self.emit(ChatEvent::Done(Done {
            message_id: assistant.id,
            language: detection.reply.to_owned(),
            label: classification.label.as_str().to_owned(),
            latency_ms,
            mixed: detection.also.iter().map(|s| (*s).to_owned()).collect(),
            model: model_name,
            offline: store.model.is_offline(),
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        }))
        .await;
        Ok(())
    }
}

/// Product ids a stored assistant message's tool calls were about.
fn discussed_products(tool_calls: &serde_json::Value) -> Vec<String> {
    tool_calls
        .as_array()
        .map(|calls| calls.iter().filter_map(|c| c.pointer("/result/product_id").and_then(|v| v.as_str()).map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn summary(card: &RetrievedCard, language: &str) -> ProductSummary {
    let p = &card.product;
    ProductSummary { id: p.id.clone(), title: p.title_in(language).to_owned(), url: p.url.clone(), image: p.image.clone(), price: p.from_price() }
}

fn handoff_message(language: &str) -> &'static str {
    match language {
        "es" => "Te paso con una persona de nuestro equipo; verá toda la conversación.",
        "ru" => "Я передаю разговор сотруднику нашей команды; он увидит всю переписку.",
        _ => "I'm passing this to a person on our team; they'll see the whole conversation.",
    }
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
