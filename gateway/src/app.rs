//! The running gateway: shared services (storage, sessions, embedder) and
//! one runtime per store, found by its public key. The services are built
//! once at start; the set of stores is swapped whole when the store files
//! change (see [`App::reload_stores`]), so a request sees either the old
//! set or the new one, never half of each.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;

use crate::catalog::sync::{self, CatalogFile, SyncReport};
use crate::chat::{ChatContext, StoreRuntime, TurnLimits};
use crate::config::{CatalogSource, EmbeddingProviderKind, GatewayConfig, LoadedConfig, ProviderKind, StoreConfig, secret_from_env};
use crate::connector::sync::{SyncLimits, SyncMode, SyncRun, WebhookReport};
use crate::connector::tools::ConnectorOrders;
use crate::connector::webhook;
use crate::connector::{ConnectorToolBox, Connectors, StoreConnector};
use crate::embed::{E5Embedder, Embedder, LocalEmbedder, OpenAiEmbedder};
use crate::error::{Error, Result};
use crate::handoff::{AgentTokens, EventBus, Handoffs};
use crate::llm::ChatModel;
use crate::llm::offline::OfflineModel;
use crate::llm::openai::{OpenAiChatModel, OpenAiSettings};
use crate::ratelimit::{LogThrottle, RateLimiter, RateLimits, RedisLimiter, TrustedProxies};
use crate::search::HybridSearch;
use crate::session::{MemorySessions, RedisSessions, SessionStore};
use crate::storage::{PgStorage, Reconnecting, SqliteStorage, Storage, StoreRecord};
use crate::tools::orders::{DemoOrderSource, WithOrderLookup};
use crate::tools::{CatalogToolBox, ToolBox};

#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    gateway: GatewayConfig,
    chat: ChatContext,
    embedder: Arc<dyn Embedder>,
    search: HybridSearch,
    /// The stores served now.
    stores: ArcSwap<StoreSet>,
    /// Which store each store file held at its last good load, so a file
    /// that breaks keeps its store's previous version serving.
    store_files: std::sync::Mutex<HashMap<String, String>>,
    /// One reload at a time.
    reloading: tokio::sync::Mutex<()>,
    /// One sync per store at a time (start-up, timer, admin); webhooks do
    /// not take it.
    sync_locks: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Stores whose periodic sync loop runs.
    sync_loops: std::sync::Mutex<HashSet<String>>,
    /// The plugin host, made when the first connector store is built.
    plugins: tokio::sync::Mutex<Option<Connectors>>,
    /// Abuse limits of the public API.
    rate_limits: RateLimits,
    /// Readiness failures are logged, but not on every probe.
    ready_warnings: LogThrottle,
}

/// The stores served at one time, and what is looked up through them.
#[derive(Default)]
struct StoreSet {
    stores: HashMap<String, Arc<StoreRuntime>>,
    by_key: HashMap<String, String>,
    origins: HashSet<String>,
    /// Stores whose catalog and live facts come from a connector plugin.
    connectors: HashMap<String, Arc<StoreConnector>>,
    /// Which store an agent token opens.
    agent_tokens: AgentTokens,
}

impl StoreSet {
    fn new(built: Vec<BuiltStore>) -> Self {
        let mut set = StoreSet::default();
        for BuiltStore { runtime, connector } in built {
            let config = &runtime.config;
            set.by_key.insert(config.public_key.clone(), config.id.clone());
            set.origins.extend(config.allowed_origins.iter().cloned());
            if let Some(connector) = connector {
                set.connectors.insert(config.id.clone(), connector);
            }
            set.stores.insert(config.id.clone(), runtime);
        }
        let configs: Vec<&StoreConfig> = set.stores.values().map(|r| &r.config).collect();
        set.agent_tokens = AgentTokens::from_env(&configs);
        set
    }

    fn built(&self, id: &str) -> Option<BuiltStore> {
        Some(BuiltStore { runtime: self.stores.get(id)?.clone(), connector: self.connectors.get(id).cloned() })
    }
}

/// One store ready to serve.
struct BuiltStore {
    runtime: Arc<StoreRuntime>,
    connector: Option<Arc<StoreConnector>>,
}

/// What a reload of the store files did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoreReload {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Stores (or files) that could not be loaded, and why; a store that
    /// was serving keeps its previous version.
    pub failed: Vec<(String, String)>,
}

impl StoreReload {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty() && self.failed.is_empty()
    }
}

/// Longest wait for each readiness check (they run concurrently).
pub const READY_CHECK_DEADLINE: Duration = Duration::from_millis(500);

/// What `/readyz` reports: each dependency, and what that means for traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub database: CheckState,
    pub sessions: CheckState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    Ok,
    Down,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Ok => "ok",
            CheckState::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyStatus {
    Ready,
    /// Sessions are down but chat still answers (from the transcripts):
    /// a load balancer should keep sending traffic.
    Degraded,
    /// The database is down: no turn can be stored or answered.
    Unavailable,
}

impl ReadyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadyStatus::Ready => "ready",
            ReadyStatus::Degraded => "degraded",
            ReadyStatus::Unavailable => "unavailable",
        }
    }
}

impl Readiness {
    pub fn status(&self) -> ReadyStatus {
        match (self.database, self.sessions) {
            (CheckState::Down, _) => ReadyStatus::Unavailable,
            (CheckState::Ok, CheckState::Down) => ReadyStatus::Degraded,
            (CheckState::Ok, CheckState::Ok) => ReadyStatus::Ready,
        }
    }
}

/// Why a check failed goes to the log (through `warnings`, so a probe every
/// second does not flood it), never to the caller: the error text can name
/// hosts, users and paths.
fn check_state(what: &str, outcome: std::result::Result<(), String>, warnings: &LogThrottle) -> CheckState {
    match outcome {
        Ok(()) => CheckState::Ok,
        Err(error) => {
            if warnings.allow() {
                tracing::warn!(check = what, %error, "readiness check failed");
            }
            CheckState::Down
        }
    }
}

/// The shared services a gateway runs on.
pub struct Services {
    pub storage: Arc<dyn Storage>,
    pub sessions: Arc<dyn SessionStore>,
    pub embedder: Arc<dyn Embedder>,
}

impl Services {
    /// Connects what the configuration and environment name: Postgres when
    /// the database URL variable is set (else SQLite), Redis when its URL
    /// variable is set (else memory), and the configured embedder.
    pub async fn connect(gateway: &GatewayConfig) -> Result<Self> {
        let database_url = secret_from_env(&gateway.database.url_env);
        let redis_url = secret_from_env(&gateway.redis.url_env);
        Self::connect_to(gateway, database_url.as_deref(), redis_url.as_deref()).await
    }

    /// [`Services::connect`] with the URLs given rather than read from the
    /// environment. PostgreSQL operations are retried once after a lost
    /// connection ([`Reconnecting`]).
    pub async fn connect_to(gateway: &GatewayConfig, database_url: Option<&str>, redis_url: Option<&str>) -> Result<Self> {
        let storage: Arc<dyn Storage> = match database_url {
            Some(url) if url.starts_with("postgres") => Arc::new(Reconnecting::new(PgStorage::connect(url, gateway.database.max_connections).await?)),
            Some(url) if url.starts_with("sqlite") => Arc::new(SqliteStorage::open(url).await?),
            Some(_) => {
                return Err(Error::Config(crate::config::ConfigError::invalid(
                    "environment",
                    gateway.database.url_env.clone(),
                    "must be a postgres:// or sqlite: URL",
                )));
            }
            None => Arc::new(SqliteStorage::open(&gateway.database.sqlite_path).await?),
        };
        storage.migrate().await?;
        let ttl = Duration::from_secs(gateway.sessions.ttl_s);
        let sessions: Arc<dyn SessionStore> = match redis_url {
            Some(url) => Arc::new(RedisSessions::connect(url, &gateway.redis.key_prefix, ttl).await?),
            None => Arc::new(MemorySessions::new(ttl)),
        };
        let embedder = embedder_from_config(gateway)?;
        Ok(Self { storage, sessions, embedder })
    }
}

fn rate_limit_setup(e: crate::ratelimit::RateLimitError) -> Error {
    Error::Config(crate::config::ConfigError::invalid("environment", "redis.url_env", format!("the Redis URL for rate limits is not usable: {e}")))
}

pub fn embedder_from_config(gateway: &GatewayConfig) -> Result<Arc<dyn Embedder>> {
    let e = &gateway.embedding;
    Ok(match e.provider {
        EmbeddingProviderKind::Local => Arc::new(LocalEmbedder::new(e.dimensions)),
        EmbeddingProviderKind::Openai => Arc::new(
            OpenAiEmbedder::new(crate::embed::openai::OpenAiEmbedderSettings {
                base_url: e.base_url.clone(),
                api_key: secret_from_env(&e.api_key_env),
                model: e.model.clone(),
                dimensions: Some(e.dimensions),
                batch_size: e.batch_size,
                timeout: Duration::from_secs(e.timeout_s),
                max_retries: 3,
            })
            .map_err(|err| Error::Embedding(err.to_string()))?,
        ),
        EmbeddingProviderKind::E5Small => {
            let spec = &crate::models::E5_SMALL;
            let path = crate::models::locate(spec, e.model_path.as_deref()).map_err(|tried| {
                let tried = tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
                Error::Embedding(crate::embed::e5::ModelError::Missing { tried }.to_string())
            })?;
            let settings = crate::embed::e5::E5Settings { max_tokens: e.max_tokens, ..Default::default() };
            Arc::new(E5Embedder::load(&path, settings).map_err(|err| Error::Embedding(err.to_string()))?)
        }
    })
}

/// The chat model a store routes to.
pub fn model_for_store(gateway: &GatewayConfig, store: &StoreConfig) -> Result<Arc<dyn ChatModel>> {
    let name = store.models.provider.as_str();
    if name == "offline" {
        return Ok(Arc::new(OfflineModel));
    }
    let provider = gateway.providers.get(name).ok_or_else(|| {
        Error::Config(crate::config::ConfigError::invalid(store.id.clone(), "models.provider", format!("no provider `{name}` in [providers]")))
    })?;
    Ok(match provider.kind {
        ProviderKind::Offline => Arc::new(OfflineModel),
        ProviderKind::Openai => {
            let settings = OpenAiSettings {
                base_url: provider.base_url.clone().unwrap_or_default(),
                api_key: provider.api_key_env.as_deref().and_then(secret_from_env).map(Into::into),
                model: store.models.chat.clone(),
                fallback_model: store.models.fallback.clone(),
                timeout: Duration::from_secs(provider.timeout_s),
                max_retries: provider.max_retries,
                backoff_base: Duration::from_millis(250),
                max_backoff: Duration::from_secs(20),
            };
            Arc::new(OpenAiChatModel::new(settings).map_err(|source| Error::Provider { provider: name.to_owned(), source })?)
        }
    })
}

impl App {
    /// Connects services and builds every configured store.
    pub async fn from_config(config: LoadedConfig) -> Result<Self> {
        let services = Services::connect(&config.gateway).await?;
        let mut stores = Vec::new();
        for store in &config.stores {
            let model = model_for_store(&config.gateway, store)?;
            stores.push((store.clone(), model));
        }
        let app = Self::new(config.gateway, services, stores).await?;
        app.remember_store_files(&config.store_sources, &config.stores);
        Ok(app)
    }

    /// Registers the stores on the given services and syncs their catalogs.
    /// Rate limits live in Redis when the gateway's Redis URL variable is
    /// set, in memory otherwise.
    pub async fn new(gateway: GatewayConfig, services: Services, stores: Vec<(StoreConfig, Arc<dyn ChatModel>)>) -> Result<Self> {
        let shared = match secret_from_env(&gateway.redis.url_env) {
            Some(url) => Some(Arc::new(RedisLimiter::new(&url, &gateway.redis.key_prefix).map_err(rate_limit_setup)?) as Arc<dyn RateLimiter>),
            None => None,
        };
        Self::with_rate_limiter(gateway, services, stores, shared).await
    }

    /// The live-event bus: through Redis when the gateway's Redis URL
    /// variable is set (replicas then reach each other's shoppers), in this
    /// process otherwise.
    async fn event_bus(gateway: &GatewayConfig) -> Result<Arc<EventBus>> {
        match secret_from_env(&gateway.redis.url_env) {
            Some(url) => EventBus::redis(&url, &gateway.redis.key_prefix).await.map_err(|e| {
                Error::Config(crate::config::ConfigError::invalid("environment", "redis.url_env", format!("the Redis URL for live events is not usable: {e}")))
            }),
            None => Ok(EventBus::local()),
        }
    }

    /// Like [`App::new`], with the limiter replicas share given (`None`:
    /// this process's memory).
    pub async fn with_rate_limiter(
        gateway: GatewayConfig,
        services: Services,
        stores: Vec<(StoreConfig, Arc<dyn ChatModel>)>,
        shared_limits: Option<Arc<dyn RateLimiter>>,
    ) -> Result<Self> {
        let Services { storage, sessions, embedder } = services;
        let search = HybridSearch::new(storage.clone(), embedder.clone());
        let limits = TurnLimits {
            max_message_chars: gateway.server.max_message_chars,
            history_token_budget: gateway.sessions.history_token_budget,
            turn_timeout: Duration::from_secs(gateway.server.turn_timeout_s),
            ..TurnLimits::default()
        };
        crate::lang::warm_up();
        let bus = Self::event_bus(&gateway).await?;
        let handoffs = Arc::new(Handoffs::new(storage.clone(), sessions.clone(), bus));
        let chat = ChatContext { storage, sessions, handoffs, limits };
        let proxies = TrustedProxies::parse(&gateway.server.trusted_proxies)
            .map_err(|why| Error::Config(crate::config::ConfigError::invalid("chatgw.toml", "server.trusted_proxies", why)))?;
        let rate_limits = RateLimits::new(stores.iter().map(|(config, _)| config), proxies, shared_limits);
        let inner = AppInner {
            gateway,
            chat,
            embedder,
            search,
            stores: ArcSwap::from_pointee(StoreSet::default()),
            store_files: Default::default(),
            reloading: Default::default(),
            sync_locks: Default::default(),
            sync_loops: Default::default(),
            plugins: Default::default(),
            rate_limits,
            ready_warnings: LogThrottle::new(Duration::from_secs(30)),
        };
        let app = Self { inner: Arc::new(inner) };
        let mut built = Vec::new();
        for (config, model) in stores {
            app.inner.chat.handoffs.configure_store(&config);
            built.push(app.build_store(config, model).await?);
        }
        app.inner.stores.store(Arc::new(StoreSet::new(built)));
        Ok(app)
    }

    /// Builds one store's runtime: registers it in storage, imports a file
    /// catalog (a connector's arrives by [`App::sync_store`], so a slow
    /// store API never holds up start), and binds its tools.
    async fn build_store(&self, config: StoreConfig, model: Arc<dyn ChatModel>) -> Result<BuiltStore> {
        let storage = &self.inner.chat.storage;
        let embedder = &self.inner.embedder;
        let search = self.inner.search.clone();
        storage.upsert_store(&StoreRecord { id: config.id.clone(), name: config.name.clone(), languages: config.languages.clone() }).await?;
        let catalog_tools =
            CatalogToolBox::new(storage.clone(), search.clone(), config.languages.clone(), config.currency.clone()).with_shipping(config.shipping.clone());
        let mut store_connector = None;
        let tools: Arc<dyn ToolBox> = match &config.catalog {
            CatalogSource::Connector(source) => {
                let mut plugins = self.inner.plugins.lock().await;
                let host = match &mut *plugins {
                    Some(host) => host,
                    None => plugins.insert(Connectors::new(&self.inner.gateway)?),
                };
                let share = config.limits.plugin_calls_in_flight as usize;
                let connector = Arc::new(host.connect(&self.inner.gateway, &config.id, source).await?.with_call_share(share));
                store_connector = Some(connector.clone());
                let orders = Arc::new(ConnectorOrders(connector.clone()));
                Arc::new(WithOrderLookup::new(ConnectorToolBox::new(catalog_tools, connector).await, orders))
            }
            CatalogSource::Demo => {
                let report = sync_catalog(storage.as_ref(), embedder.as_ref(), &config).await?;
                tracing::info!(store = %config.id, ?report, "catalog synced");
                // The demo shop has orders too, so lookups can be tried offline.
                Arc::new(WithOrderLookup::new(catalog_tools, Arc::new(DemoOrderSource::default())))
            }
            CatalogSource::File { .. } => {
                let report = sync_catalog(storage.as_ref(), embedder.as_ref(), &config).await?;
                tracing::info!(store = %config.id, ?report, "catalog synced");
                Arc::new(catalog_tools)
            }
        };
        Ok(BuiltStore { runtime: Arc::new(StoreRuntime { config, model, tools, search }), connector: store_connector })
    }

    /// Serves `stores` from now on: a new store is built and a changed one
    /// rebuilt (it replaces the old one only once built; if it cannot be
    /// built, the old one keeps serving), an unchanged one is kept as it is,
    /// and a store not in `stores` stops answering (its data stays). New and
    /// changed connector stores start syncing. Requests in flight finish on
    /// the set they started with.
    pub async fn reload_stores(&self, stores: Vec<StoreConfig>) -> StoreReload {
        let _one_at_a_time = self.inner.reloading.lock().await;
        let current = self.inner.stores.load_full();
        let mut report = StoreReload::default();
        let mut built = Vec::new();
        let mut to_sync = Vec::new();
        for config in stores {
            let id = config.id.clone();
            let previous = current.stores.get(&id);
            if previous.is_some_and(|runtime| same_config(&runtime.config, &config)) {
                built.extend(current.built(&id));
                continue;
            }
            let attempt = match model_for_store(&self.inner.gateway, &config) {
                Ok(model) => self.build_store(config.clone(), model).await,
                Err(e) => Err(e),
            };
            match attempt {
                Ok(store) => {
                    self.inner.chat.handoffs.configure_store(&config);
                    if store.connector.is_some() {
                        to_sync.push(id.clone());
                    }
                    built.push(store);
                    if previous.is_some() { report.changed.push(id) } else { report.added.push(id) }
                }
                Err(e) => {
                    tracing::error!(store = %id, error = %e, "store not (re)loaded; its previous version, if any, keeps serving");
                    report.failed.push((id.clone(), e.to_string()));
                    built.extend(current.built(&id));
                }
            }
        }
        let kept: HashSet<String> = built.iter().map(|b| b.runtime.config.id.clone()).collect();
        for id in current.stores.keys().filter(|id| !kept.contains(*id)) {
            self.inner.chat.handoffs.forget_store(id);
            report.removed.push(id.clone());
        }
        self.inner.stores.store(Arc::new(StoreSet::new(built)));
        for id in to_sync {
            self.spawn_store_sync(id);
        }
        if !report.is_empty() {
            tracing::info!(added = ?report.added, changed = ?report.changed, removed = ?report.removed, failed = report.failed.len(), "stores reloaded");
        }
        report
    }

    /// Reads the stores folder again and serves what it holds (see
    /// [`App::reload_stores`]). A file that does not parse or validate is
    /// logged and its store, if it was serving, keeps its previous version;
    /// a conflict between files (two stores with one id or key) reloads
    /// nothing.
    pub async fn reload_store_folder(&self, dir: &std::path::Path) -> StoreReload {
        let files = match crate::config::read_store_files(dir) {
            Ok(files) => files,
            Err(e) => {
                tracing::error!(folder = %dir.display(), error = %e, "stores folder not read; nothing reloaded");
                return StoreReload { failed: vec![(dir.display().to_string(), e.to_string())], ..StoreReload::default() };
            }
        };
        let gateway = &self.inner.gateway;
        let current = self.inner.stores.load_full();
        let previous_ids = self.inner.store_files.lock().expect("store files lock").clone();
        let mut stores = Vec::new();
        let mut sources = Vec::new();
        let mut failed = Vec::new();
        for file in files {
            let checked = file
                .parsed
                .and_then(|store| crate::config::validate(gateway, std::slice::from_ref(&store), std::slice::from_ref(&file.source)).map(|()| store));
            match checked {
                Ok(store) => {
                    stores.push(store);
                    sources.push(file.source);
                }
                Err(e) => {
                    tracing::error!(file = %file.source, error = %e, "store file not loaded: fix it; the store it held, if any, keeps its previous version");
                    failed.push((file.source.clone(), e.to_string()));
                    if let Some(runtime) = previous_ids.get(&file.source).and_then(|id| current.stores.get(id)) {
                        stores.push(runtime.config.clone());
                        sources.push(file.source);
                    }
                }
            }
        }
        if let Err(e) = crate::config::validate(gateway, &stores, &sources) {
            tracing::error!(error = %e, "store files conflict; nothing reloaded");
            failed.push((dir.display().to_string(), e.to_string()));
            return StoreReload { failed, ..StoreReload::default() };
        }
        self.remember_store_files(&sources, &stores);
        let mut report = self.reload_stores(stores).await;
        report.failed.splice(0..0, failed);
        report
    }

    /// Which store each file holds, for [`App::reload_store_folder`].
    pub fn remember_store_files(&self, sources: &[String], stores: &[StoreConfig]) {
        let mut files = self.inner.store_files.lock().expect("store files lock");
        *files = sources.iter().cloned().zip(stores.iter().map(|s| s.id.clone())).collect();
    }

    /// Watches the stores folder: checks its `*.toml` files every
    /// `interval` (and at once on SIGHUP) and reloads the stores when any
    /// file was added, removed or changed.
    pub fn spawn_store_reloads(&self, dir: std::path::PathBuf, interval: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        // Listening before this returns: a SIGHUP sent right after is not
        // missed (nor fatal, as it is to a process not listening).
        let mut hangups = hangup_signals();
        let mut seen = folder_fingerprint(&dir);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                let forced = tokio::select! {
                    _ = ticker.tick() => false,
                    _ = next_hangup(&mut hangups) => true,
                };
                let now = folder_fingerprint(&dir);
                if forced || now != seen {
                    seen = now;
                    app.reload_store_folder(&dir).await;
                }
            }
        })
    }

    pub fn gateway(&self) -> &GatewayConfig {
        &self.inner.gateway
    }

    pub fn chat(&self) -> &ChatContext {
        &self.inner.chat
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.inner.chat.storage
    }

    pub fn handoffs(&self) -> &Arc<Handoffs> {
        &self.inner.chat.handoffs
    }

    /// The store whose agents hold `token`, if any.
    pub fn store_for_agent_token(&self, token: &str) -> Option<Arc<StoreRuntime>> {
        let set = self.inner.stores.load();
        set.agent_tokens.store_for(token).and_then(|id| set.stores.get(id)).cloned()
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.inner.rate_limits
    }

    pub fn store_by_key(&self, public_key: &str) -> Option<Arc<StoreRuntime>> {
        let set = self.inner.stores.load();
        set.by_key.get(public_key).and_then(|id| set.stores.get(id)).cloned()
    }

    pub fn store(&self, id: &str) -> Option<Arc<StoreRuntime>> {
        self.inner.stores.load().stores.get(id).cloned()
    }

    /// The ids of the stores served now.
    pub fn store_ids(&self) -> Vec<String> {
        self.inner.stores.load().stores.keys().cloned().collect()
    }

    /// Whether any store allows `origin` (browsers' preflights carry no
    /// store key).
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.inner.stores.load().origins.contains(origin)
    }

    /// Asks the database and the session store at once, each for at most
    /// [`READY_CHECK_DEADLINE`], so a readiness probe is answered in well
    /// under a second whatever is down. Why a check failed is logged, not
    /// returned.
    pub async fn check_ready(&self) -> Readiness {
        let chat = &self.inner.chat;
        let (database, sessions) =
            tokio::join!(tokio::time::timeout(READY_CHECK_DEADLINE, chat.storage.ping()), tokio::time::timeout(READY_CHECK_DEADLINE, chat.sessions.ping()),);
        let database = check_state(
            "database",
            database.map_err(|_| "no answer in time".to_owned()).and_then(|r| r.map_err(|e| e.to_string())),
            &self.inner.ready_warnings,
        );
        let sessions = check_state(
            "sessions",
            sessions.map_err(|_| "no answer in time".to_owned()).and_then(|r| r.map_err(|e| e.to_string())),
            &self.inner.ready_warnings,
        );
        Readiness { database, sessions }
    }

    /// The store's connector, if its catalog comes from one.
    pub fn connector(&self, store_id: &str) -> Option<Arc<StoreConnector>> {
        self.inner.stores.load().connectors.get(store_id).cloned()
    }

    /// The store and its connector, if its catalog comes from one.
    fn connector_store(&self, store_id: &str) -> Result<(Arc<StoreRuntime>, Arc<StoreConnector>)> {
        match (self.store(store_id), self.connector(store_id)) {
            (Some(store), Some(connector)) => Ok((store, connector)),
            _ => Err(no_connector(store_id)),
        }
    }

    /// Runs (or resumes) the connector sync of a store, one at a time per
    /// store. Webhooks do not wait for it (see `connector::sync`).
    pub async fn sync_store(&self, store_id: &str, mode: SyncMode) -> Result<SyncReport> {
        self.sync_store_with(store_id, mode, &sync::Quiet).await
    }

    /// [`App::sync_store`], telling `progress` how it goes.
    pub async fn sync_store_with(&self, store_id: &str, mode: SyncMode, progress: &dyn sync::SyncProgress) -> Result<SyncReport> {
        let (store, connector) = self.connector_store(store_id)?;
        let CatalogSource::Connector(source) = &store.config.catalog else { return Err(no_connector(store_id)) };
        let limits = SyncLimits { max_pages: source.max_pages_per_sync };
        let lock = self.inner.sync_locks.lock().expect("sync locks").entry(store_id.to_owned()).or_default().clone();
        let _running = lock.lock().await;
        // One sync of a store at a time across replicas too (a PostgreSQL
        // advisory lock): the other replica's run already applies what
        // this one would.
        let Some(_lease) = self.storage().lease_store_sync(store_id).await? else {
            return Err(Error::SyncHeldElsewhere { store: store_id.to_owned() });
        };
        let primary = store.config.languages.first().map(String::as_str).unwrap_or("en");
        crate::connector::sync::sync_store(
            self.storage().as_ref(),
            self.inner.embedder.as_ref(),
            store_id,
            primary,
            &connector,
            SyncRun { mode, limits, progress },
        )
        .await
        .map_err(|source| Error::ConnectorSync { store: store_id.to_owned(), source })
    }

    /// Answers a platform's creation ping (see
    /// [`webhook::is_creation_ping`]) without doing anything; verifies any
    /// other webhook, checks its events against the topic and
    /// the store's cap, skips a delivery already applied (by the platform's
    /// delivery id), then applies the events to the catalog. It never waits
    /// for a running sync: storage orders every write by `updated_at`.
    pub async fn apply_webhook(&self, store_id: &str, topic: &str, headers: Vec<chatgw_plugins::Header>, body: Vec<u8>) -> Result<WebhookReport> {
        let (store, connector) = self.connector_store(store_id)?;
        let CatalogSource::Connector(source) = &store.config.catalog else { return Err(no_connector(store_id)) };
        if webhook::is_creation_ping(&body) {
            tracing::info!(store = store_id, topic, "webhook creation ping answered; nothing applied");
            return Ok(WebhookReport { ping: true, ..WebhookReport::default() });
        }
        let delivery = webhook::delivery_key(topic, &headers, source.webhook.as_ref().and_then(|w| w.delivery_id_header.as_deref()), &body);
        let events = connector.webhook(topic, headers, body).await?;
        webhook::check_events(topic, &events, source.max_webhook_events).map_err(|source| Error::WebhookRefused { store: store_id.to_owned(), source })?;
        let storage = self.storage().as_ref();
        // Claimed only now, after the signature and the checks: a forged
        // request cannot use up a real delivery's id.
        if let Some(id) = &delivery {
            let now = chrono::Utc::now();
            if !storage.claim_webhook_delivery(store_id, id, now, now - webhook::DELIVERY_RETENTION).await? {
                tracing::info!(store = store_id, delivery = %id, "webhook delivery seen before; not applied again");
                return Ok(WebhookReport { duplicate: true, ..WebhookReport::default() });
            }
        }
        let primary = store.config.languages.first().map(String::as_str).unwrap_or("en");
        let applied = crate::connector::sync::apply_events(storage, self.inner.embedder.as_ref(), store_id, primary, events).await;
        if applied.is_err()
            && let Some(id) = &delivery
            && let Err(e) = storage.release_webhook_delivery(store_id, id).await
        {
            tracing::warn!(store = store_id, delivery = %id, error = %e, "could not forget a failed delivery; the platform's retry will be taken for a duplicate");
        }
        applied.map_err(|source| Error::ConnectorSync { store: store_id.to_owned(), source })
    }

    /// Reloads installed plugins whose files changed (see
    /// [`Connectors::reload_changed`]); returns what changed.
    pub async fn reload_plugins(&self) -> Vec<(String, std::result::Result<String, crate::connector::ConnectorFailure>)> {
        match &*self.inner.plugins.lock().await {
            Some(plugins) => plugins.reload_changed(&self.inner.gateway).await,
            None => Vec::new(),
        }
    }

    /// Checks the installed plugin files every `interval` and hot-reloads
    /// the ones that changed.
    pub fn spawn_plugin_reloads(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                app.reload_plugins().await;
            }
        })
    }

    /// Syncs every connector store now (resuming cut-off runs), then
    /// incrementally every `sync_interval_minutes` of its config.
    pub fn spawn_connector_syncs(&self) {
        for id in self.inner.stores.load().connectors.keys() {
            self.spawn_store_sync(id.clone());
        }
    }

    /// Syncs the store now, then every `sync_interval_minutes` its current
    /// config says, until the store is gone or has no connector. A store
    /// whose loop already runs gets one extra sync now (a reload changed
    /// it); the sync lock keeps the two from overlapping.
    fn spawn_store_sync(&self, id: String) {
        let app = self.clone();
        if !self.inner.sync_loops.lock().expect("sync loops").insert(id.clone()) {
            tokio::spawn(async move {
                if let Err(e) = app.sync_store(&id, SyncMode::Incremental).await {
                    tracing::warn!(store = %id, error = %e, "connector sync failed; it resumes on the next run");
                }
            });
            return;
        }
        tokio::spawn(async move {
            if let Some(connector) = app.connector(&id)
                && let Err(e) = connector.check_connection().await
            {
                tracing::warn!(store = %id, error = %e, "the store's connector cannot reach the store; check its settings and credentials (`chatgw store check {id}`)");
            }
            let mut minutes: Option<u64> = None;
            loop {
                // With several replicas each running this loop, a store is
                // synced by whichever comes first in an interval; the
                // others find the run done and wait for the next.
                if let Some(minutes) = minutes
                    && synced_by_another_recently(&app, &id, minutes).await
                {
                    tracing::debug!(store = %id, "another gateway process synced this store within the interval; skipped");
                } else {
                    match app.sync_store(&id, SyncMode::Incremental).await {
                        Ok(report) => tracing::info!(store = %id, ?report, "connector sync done"),
                        Err(Error::SyncHeldElsewhere { .. }) => {
                            tracing::info!(store = %id, "another gateway process is syncing this store; this replica waits for its next turn")
                        }
                        Err(e) => tracing::warn!(store = %id, error = %e, "connector sync failed; it resumes on the next run"),
                    }
                }
                minutes = app.store(&id).and_then(|store| match &store.config.catalog {
                    CatalogSource::Connector(source) if source.sync_interval_minutes > 0 => Some(source.sync_interval_minutes),
                    _ => None,
                });
                let Some(minutes) = minutes else { break };
                tokio::time::sleep(Duration::from_secs(minutes * 60)).await;
            }
            app.inner.sync_loops.lock().expect("sync loops").remove(&id);
        });
    }

    /// Re-embeds stale cards of every store every `interval`, so embeddings
    /// never silently lag their text.
    pub fn spawn_embedding_sweep(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                for id in app.store_ids() {
                    match sync::embed_stale(app.inner.chat.storage.as_ref(), app.inner.embedder.as_ref(), &id).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(store = %id, embedded = n, "sweep re-embedded stale cards"),
                        Err(e) => tracing::warn!(store = %id, error = %e, "embedding sweep failed; retrying next tick"),
                    }
                }
            }
        })
    }
}

/// True when a run of the store's sync finished less than half an
/// interval ago and none is under way: another replica (or an extra run
/// here) did this interval's work.
async fn synced_by_another_recently(app: &App, store_id: &str, interval_minutes: u64) -> bool {
    let Ok(Some(state)) = app.storage().get_sync_state(store_id).await else { return false };
    let half = chrono::TimeDelta::seconds((interval_minutes * 30) as i64);
    state.run_started_at.is_none() && state.last_run_at.is_some_and(|at| chrono::Utc::now() - at < half)
}

/// Two versions of a store's file that mean the same store.
fn same_config(a: &StoreConfig, b: &StoreConfig) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// What the stores folder holds now: each `*.toml` file's name, size and
/// content digest (an editor may keep the size and the modification time).
fn folder_fingerprint(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    use sha2::Digest;
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<(std::path::PathBuf, String)> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            let digest = std::fs::read(&path).map(|bytes| hex::encode(sha2::Sha256::digest(bytes))).unwrap_or_default();
            (path, digest)
        })
        .collect();
    files.sort();
    files
}

#[cfg(unix)]
fn hangup_signals() -> Option<tokio::signal::unix::Signal> {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(signal) => Some(signal),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP; store files are still checked on the timer");
            None
        }
    }
}

#[cfg(unix)]
async fn next_hangup(signals: &mut Option<tokio::signal::unix::Signal>) {
    match signals {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
fn hangup_signals() -> Option<()> {
    None
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Option<()>) {
    std::future::pending().await
}

fn no_connector(store_id: &str) -> Error {
    Error::Config(crate::config::ConfigError::invalid(store_id.to_owned(), "catalog.kind", "this store has no connector to sync from"))
}

/// Imports a store's catalog from its configured source.
pub async fn sync_catalog(storage: &dyn Storage, embedder: &dyn Embedder, store: &StoreConfig) -> Result<SyncReport> {
    let primary = store.languages.first().map(String::as_str).unwrap_or("en");
    let err = |source| Error::Sync { store: store.id.clone(), source };
    let file = match &store.catalog {
        CatalogSource::Demo => CatalogFile::parse(crate::demo::CATALOG_JSON, "embedded demo catalog").map_err(err)?,
        CatalogSource::File { path } => CatalogFile::read(path).map_err(err)?,
        // Connector catalogs arrive page by page through `App::sync_store`.
        CatalogSource::Connector(_) => return Ok(SyncReport::default()),
    };
    sync::import_full(storage, embedder, &store.id, primary, &file.products).await.map_err(err)
}
