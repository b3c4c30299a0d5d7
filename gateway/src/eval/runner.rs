//! Runs cases through the same `chat::start_turn` the HTTP API calls, in
//! process, against the demo store built as `chatgw demo` builds it or a
//! store from the configuration (a connector-backed one is synced first),
//! and keeps what each turn produced: events, tool calls with their
//! arguments and results, timing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;

use crate::App;
use crate::app::{Services, embedder_from_config};
use crate::catalog::sync::SyncProgress;
use crate::chat::{self, ChatEvent, StoreRuntime, TurnRequest};
use crate::config::{CatalogSource, GatewayConfig, StoreConfig};
use crate::connector::sync::SyncMode;
use crate::eval::case::{Case, RetrievalQuery, RetrievalSet};
use crate::eval::mock::MockScript;
use crate::eval::EmbedderChoice;
use crate::llm::{ChatModel, ToolCall, ToolDef};
use crate::search::SearchOptions;
use crate::session::MemorySessions;
use crate::storage::{SqliteStorage, Storage};
use crate::tools::{ToolBox, ToolContext, ToolOutcome};

/// Store files (relative to the repository root) the product-query sets may
/// name besides the demo store: catalogs of other kinds of shop.
const EVAL_STORES: &[&str] = &["examples/home-store/store.toml"];

/// The store a run's cases talk to.
#[derive(Debug, Clone)]
pub enum Target {
    /// The embedded demo store, as `chatgw demo` serves it (and the other
    /// eval stores of `EVAL_STORES`, for product-query sets).
    Demo,
    /// Store `id` from the configuration: the gateway file `config`
    /// (optional) and the store files in `stores` (else the config's
    /// `stores_dir`). Its catalog is synced into a database in memory
    /// before the cases run, whatever database the configuration names.
    Configured { config: Option<PathBuf>, stores: Option<PathBuf>, id: String },
}

impl Target {
    /// The id of the store the cases run against.
    pub fn store_id(&self) -> &str {
        match self {
            Target::Demo => "demo",
            Target::Configured { id, .. } => id,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the gateway could not start the {store} store: {source}")]
    Build { store: String, source: crate::Error },
    #[error("case `{case}` names store `{store}`, but this run serves {served}; run it with --store {store}")]
    UnknownStore { case: String, store: String, served: String },
    #[error("eval store file {path}: {message}")]
    StoreFile { path: String, message: String },
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("no store `{id}` in the configuration (stores: {known}); give --stores <folder> holding its store file, or --config <chatgw.toml>")]
    NoSuchStore { id: String, known: String },
    #[error("syncing store `{store}` before the cases failed: {source}")]
    Sync { store: String, source: crate::Error },
    #[error("case `{case}` scripts the model's answers (`model:` in turn {turn}); run it with --provider mock")]
    ScriptNeedsMock { case: String, turn: usize },
    #[error("store storage failed: {0}")]
    Storage(#[from] crate::storage::StorageError),
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
        self.observe(self.inner.call(store_id, call).await)
    }

    async fn call_in_turn(&self, turn: &ToolContext<'_>, call: &ToolCall) -> ToolOutcome {
        self.observe(self.inner.call_in_turn(turn, call).await)
    }
}

impl ObservedTools {
    fn observe(&self, outcome: ToolOutcome) -> ToolOutcome {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(outcome.clone());
        }
        outcome
    }
}

/// The target store (and, for the demo, the other eval stores), served in
/// process.
pub struct Runner {
    app: App,
    store: Arc<StoreRuntime>,
    calls: Arc<Mutex<Vec<ToolOutcome>>>,
    script: Option<Arc<MockScript>>,
    /// What the run serves, for errors.
    served: String,
}

/// The eval stores besides the demo one, their catalog paths made absolute.
fn eval_stores() -> Result<Vec<StoreConfig>, RunError> {
    let root = crate::eval::repository_dir();
    EVAL_STORES
        .iter()
        .map(|file| {
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).map_err(|e| RunError::StoreFile { path: path.display().to_string(), message: e.to_string() })?;
            let mut store =
                crate::config::parse_store(&text, file).map_err(|e| RunError::StoreFile { path: path.display().to_string(), message: e.to_string() })?;
            if let CatalogSource::File { path } = &mut store.catalog {
                *path = root.join(&*path).display().to_string();
            }
            Ok(store)
        })
        .collect()
}

/// SQLite in memory and memory sessions, whatever the configuration names:
/// an eval never writes into a serving gateway's database or Redis.
async fn isolated_services(gateway: &mut GatewayConfig, store: &str) -> Result<Services, RunError> {
    gateway.database.sqlite_path = "sqlite::memory:".into();
    gateway.redis.url_env = String::new();
    let storage = Arc::new(SqliteStorage::open("sqlite::memory:").await?);
    storage.migrate().await?;
    let sessions = Arc::new(MemorySessions::new(Duration::from_secs(gateway.sessions.ttl_s)));
    let embedder = embedder_from_config(gateway).map_err(|source| RunError::Build { store: store.to_owned(), source })?;
    Ok(Services { storage, sessions, embedder })
}

impl Runner {
    /// Builds the target store with `model` answering: the demo as `chatgw
    /// demo` builds it, or a configured store, synced first (with
    /// `progress`) when a connector serves its catalog.
    /// `embedding`, when given, replaces the configuration's embedder.
    pub async fn build(
        target: &Target,
        embedding: Option<&EmbedderChoice>,
        model: Arc<dyn ChatModel>,
        script: Option<Arc<MockScript>>,
        progress: &dyn SyncProgress,
    ) -> Result<Self, RunError> {
        let id = target.store_id().to_owned();
        let build = |source| RunError::Build { store: id.clone(), source };
        let (app, served) = match target {
            Target::Demo => {
                let mut gateway = GatewayConfig::default();
                if let Some(choice) = embedding {
                    choice.apply(&mut gateway.embedding);
                }
                let services = isolated_services(&mut gateway, &id).await?;
                let mut stores = vec![(crate::demo::store_config(&gateway.server.addr), model.clone())];
                stores.extend(eval_stores()?.into_iter().map(|s| (s, model.clone())));
                let app = App::new(gateway, services, stores).await.map_err(build)?;
                let served = format!("`demo` (and {} for product queries)", app.store_ids().into_iter().filter(|s| s != "demo").collect::<Vec<_>>().join(", "));
                (app, served)
            }
            Target::Configured { config, stores, id } => {
                let loaded = crate::config::load(config.as_deref(), stores.as_deref())?;
                let known = loaded.stores.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ");
                let Some(store) = loaded.stores.iter().find(|s| &s.id == id).cloned() else {
                    return Err(RunError::NoSuchStore { id: id.clone(), known });
                };
                let mut gateway = loaded.gateway;
                if let Some(choice) = embedding {
                    choice.apply(&mut gateway.embedding);
                }
                let services = isolated_services(&mut gateway, id).await?;
                let connector = matches!(store.catalog, CatalogSource::Connector(_));
                let app = App::new(gateway, services, vec![(store, model)]).await.map_err(build)?;
                if connector {
                    app.sync_store_with(id, SyncMode::Full, progress).await.map_err(|source| RunError::Sync { store: id.clone(), source })?;
                }
                (app, format!("`{id}`"))
            }
        };
        let runtime = app.store(&id).ok_or_else(|| RunError::NoSuchStore { id: id.clone(), known: app.store_ids().join(", ") })?;
        let calls = Arc::new(Mutex::new(Vec::new()));
        let tools: Arc<dyn ToolBox> = Arc::new(ObservedTools { inner: runtime.tools.clone(), calls: calls.clone() });
        let store = Arc::new(StoreRuntime { config: runtime.config.clone(), model: runtime.model.clone(), tools, search: runtime.search.clone() });
        Ok(Self { app, store, calls, script, served })
    }

    /// Runs one conversation, turn by turn, in one session.
    pub async fn run_case(&self, case: &Case) -> Result<CaseOutcome, RunError> {
        if let Some(store) = case.store.as_ref().filter(|s| **s != self.store.config.id) {
            return Err(RunError::UnknownStore { case: case.id.clone(), store: store.clone(), served: self.served.clone() });
        }
        if self.script.is_none()
            && let Some(turn) = case.scripted_turn()
        {
            return Err(RunError::ScriptNeedsMock { case: case.id.clone(), turn });
        }
        let mut session: Option<String> = None;
        let mut turns = Vec::new();
        for turn in &case.turns {
            if let Some(script) = &self.script {
                script.set(&turn.model);
            }
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
            served: self.served.clone(),
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
            let found = crate::chat::retrieval_ids(&store, &q.query, &q.earlier, &languages, options)
                .await
                .map_err(|e| RunError::Search { query: q.query.clone(), message: e.to_string() })?;
            outcomes.push(RetrievalOutcome { store: set.store.clone(), query: q.clone(), found: found.into_iter().take(8).collect() });
        }
        Ok(outcomes)
    }
}
