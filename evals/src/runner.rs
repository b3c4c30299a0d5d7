//! Runs cases through the same `chat::start_turn` the HTTP API calls, in
//! process, against the demo store built as `chatgw demo` builds it, and
//! keeps what each turn produced: events, tool calls with their arguments
//! and results, timing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chatgw::App;
use chatgw::app::{Services, embedder_from_config};
use chatgw::chat::{self, ChatEvent, StoreRuntime, TurnRequest};
use chatgw::config::GatewayConfig;
use chatgw::llm::{ChatModel, ToolCall, ToolDef};
use chatgw::search::SearchOptions;
use chatgw::session::MemorySessions;
use chatgw::storage::SqliteStorage;
use chatgw::tools::{ToolBox, ToolOutcome};
use futures::StreamExt;

use crate::case::{Case, RetrievalQuery, RetrievalSet};

/// Store files (relative to the repository root) the product-query sets may
/// name besides the demo store: catalogs of other kinds of shop.
const EVAL_STORES: &[&str] = &["examples/home-store/store.toml"];

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the gateway could not start the {store} store: {source}")]
    Build { store: String, source: chatgw::Error },
    #[error("case `{case}` names store `{store}`; this runner serves `demo` (conversations) and {served} (product queries)")]
    UnknownStore { case: String, store: String, served: String },
    #[error("eval store file {path}: {message}")]
    StoreFile { path: String, message: String },
    #[error("store storage failed: {0}")]
    Storage(#[from] chatgw::storage::StorageError),
    #[error("retrieval failed for `{query}`: {message}")]
    Search { query: String, message: String },
}

/// What one turn produced.
#[derive(Debug, Clone, Default)]
pub struct TurnObservation {
    pub reply: String,
    pub language: Option<String>,
    pub label: Option<String>,
    /// The handoff event's label, when the turn handed off.
    pub handoff: Option<String>,
    /// Product cards shown, best first.
    pub products: Vec<ShownProduct>,
    pub tools: Vec<ToolOutcome>,
    pub error: Option<String>,
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    /// Wall-clock time from sending the message to the last event. Never in
    /// the deterministic report.
    pub latency: Duration,
}

#[derive(Debug, Clone)]
pub struct ShownProduct {
    pub id: String,
    pub price: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CaseOutcome {
    pub case: Case,
    pub turns: Vec<TurnObservation>,
    /// Titles (every language) of the products the case's expectations name.
    pub titles: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct RetrievalOutcome {
    pub store: String,
    pub query: RetrievalQuery,
    /// Result ids, best first (at most eight).
    pub found: Vec<String>,
}

/// Records the tool calls of the turn in flight, arguments and results
/// included (the `tool` event carries only the name and status).
struct ObservedTools {
    inner: Arc<dyn ToolBox>,
    calls: Arc<Mutex<Vec<ToolOutcome>>>,
}

#[async_trait]
impl ToolBox for ObservedTools {
    fn definitions(&self) -> Vec<ToolDef> {
        self.inner.definitions()
    }

    async fn call(&self, store_id: &str, call: &ToolCall) -> ToolOutcome {
        let outcome = self.inner.call(store_id, call).await;
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(outcome.clone());
        }
        outcome
    }
}

/// The demo store (and the other eval stores), served in process.
pub struct Runner {
    app: App,
    store: Arc<StoreRuntime>,
    calls: Arc<Mutex<Vec<ToolOutcome>>>,
}

/// The eval stores besides the demo one, their catalog paths made absolute.
fn eval_stores() -> Result<Vec<chatgw::config::StoreConfig>, RunError> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    EVAL_STORES
        .iter()
        .map(|file| {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| RunError::StoreFile { path: path.display().to_string(), message: e.to_string() })?;
            let mut store =
                chatgw::config::parse_store(&text, file).map_err(|e| RunError::StoreFile { path: path.display().to_string(), message: e.to_string() })?;
            if let chatgw::config::CatalogSource::File { path } = &mut store.catalog {
                *path = root.join(&*path).display().to_string();
            }
            Ok(store)
        })
        .collect()
}

impl Runner {
    /// Builds the demo store as `chatgw demo` does (SQLite in memory, memory
    /// sessions, the configured local embedder) with `model` answering.
    pub async fn demo(model: Arc<dyn ChatModel>) -> Result<Self, RunError> {
        let build = |source| RunError::Build { store: "demo".into(), source };
        let mut gateway = GatewayConfig::default();
        gateway.database.sqlite_path = "sqlite::memory:".into();
        let storage = Arc::new(SqliteStorage::open("sqlite::memory:").await?);
        chatgw::storage::Storage::migrate(storage.as_ref()).await?;
        let sessions = Arc::new(MemorySessions::new(Duration::from_secs(gateway.sessions.ttl_s)));
        let embedder = embedder_from_config(&gateway).map_err(build)?;
        let store = chatgw::demo::store_config(&gateway.server.addr);
        let mut stores = vec![(store, model.clone())];
        stores.extend(eval_stores()?.into_iter().map(|s| (s, model.clone())));
        let app = App::new(gateway, Services { storage, sessions, embedder }, stores).await.map_err(build)?;
        let served = app.store("demo").ok_or_else(|| build(chatgw::Error::Embedding("the demo store was not registered".into())))?;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let tools: Arc<dyn ToolBox> = Arc::new(ObservedTools { inner: served.tools.clone(), calls: calls.clone() });
        let store = Arc::new(StoreRuntime { config: served.config.clone(), model: served.model.clone(), tools, search: served.search.clone() });
        Ok(Self { app, store, calls })
    }

    /// Runs one conversation, turn by turn, in one session.
    pub async fn run_case(&self, case: &Case) -> Result<CaseOutcome, RunError> {
        if case.store != self.store.config.id {
            return Err(RunError::UnknownStore { case: case.id.clone(), store: case.store.clone(), served: EVAL_STORES.join(", ") });
        }
        let mut session: Option<String> = None;
        let mut turns = Vec::new();
        for turn in &case.turns {
            let request = TurnRequest { session_id: session.clone(), message: turn.user.clone(), locale: turn.locale.clone(), client_ip: None };
            let (observation, session_id) = self.run_turn(request).await;
            session = session_id.or(session);
            turns.push(observation);
        }
        let titles = self.titles(case).await?;
        Ok(CaseOutcome { case: case.clone(), turns, titles })
    }

    async fn run_turn(&self, request: TurnRequest) -> (TurnObservation, Option<String>) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.clear();
        }
        let started = Instant::now();
        let mut seen = TurnObservation::default();
        let mut session = None;
        match chat::start_turn(self.app.chat(), self.store.clone(), request).await {
            Err(e) => seen.error = Some(e.to_string()),
            Ok(events) => {
                let mut events = std::pin::pin!(events);
                while let Some(event) = events.next().await {
                    match event {
                        ChatEvent::Session { session_id } => session = Some(session_id),
                        ChatEvent::Token { text } => seen.reply.push_str(&text),
                        ChatEvent::Products { items } => {
                            seen.products = items.into_iter().map(|p| ShownProduct { id: p.id, price: p.price }).collect();
                        }
                        ChatEvent::Tool { .. } => {}
                        ChatEvent::Handoff(handoff) => seen.handoff = Some(handoff.label.as_str().to_owned()),
                        ChatEvent::Done(done) => {
                            seen.language = Some(done.language);
                            seen.label = Some(done.label.as_str().to_owned());
                            seen.prompt_tokens = done.prompt_tokens;
                            seen.completion_tokens = done.completion_tokens;
                        }
                        ChatEvent::Error { code, message } => seen.error = Some(format!("{code}: {message}")),
                    }
                }
            }
        }
        seen.latency = started.elapsed();
        seen.tools = self.calls.lock().map(|mut c| std::mem::take(&mut *c)).unwrap_or_default();
        (seen, session)
    }

    /// Every title (base and translated) of the products a case names.
    async fn titles(&self, case: &Case) -> Result<BTreeMap<String, Vec<String>>, RunError> {
        let mut ids: Vec<String> =
            case.turns.iter().flat_map(|t| t.expect.products_mentioned.iter().chain(&t.expect.products_not_mentioned)).cloned().collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let products = self.app.storage().get_products(&self.store.config.id, &ids).await?;
        Ok(products
            .into_iter()
            .map(|p| {
                let mut titles = vec![p.title.clone()];
                titles.extend(p.translations.values().filter_map(|t| t.title.clone()).filter(|t| !t.is_empty()));
                (p.id, titles)
            })
            .collect())
    }

    /// Runs a product-query set through the store's retrieval as a chat
    /// turn runs it (the shopper's earlier messages included), keeping the
    /// first eight results.
    pub async fn retrieval(&self, set: &RetrievalSet) -> Result<Vec<RetrievalOutcome>, RunError> {
        let store = self.app.store(&set.store).ok_or_else(|| RunError::UnknownStore {
            case: format!("retrieval set of {}", set.store),
            store: set.store.clone(),
            served: EVAL_STORES.join(", "),
        })?;
        let config = &store.config;
        let mut outcomes = Vec::new();
        for q in &set.queries {
            let mut languages = config.languages.clone();
            if let Some(language) = &q.language
                && !languages.contains(language)
            {
                languages.push(language.clone());
            }
            let options = SearchOptions { top_k: 8, ..SearchOptions::from(&config.retrieval) };
            let found = chatgw::chat::retrieval_ids(&store, &q.query, &q.earlier, &languages, options)
                .await
                .map_err(|e| RunError::Search { query: q.query.clone(), message: e.to_string() })?;
            outcomes.push(RetrievalOutcome { store: set.store.clone(), query: q.clone(), found: found.into_iter().take(8).collect() });
        }
        Ok(outcomes)
    }
}
