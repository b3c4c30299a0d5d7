//! The running gateway: shared services (storage, sessions, embedder) and
//! one runtime per store, found by its public key. Built once at start; the
//! HTTP layer and the CLI only read it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::catalog::sync::{self, CatalogFile, SyncReport};
use crate::chat::{ChatContext, StoreRuntime, TurnLimits};
use crate::config::{CatalogSource, EmbeddingProviderKind, GatewayConfig, LoadedConfig, ProviderKind, StoreConfig, secret_from_env};
use crate::connector::sync::{SyncLimits, SyncMode, WebhookReport};
use crate::connector::tools::ConnectorOrders;
use crate::connector::webhook;
use crate::connector::{ConnectorToolBox, Connectors, StoreConnector};
use crate::embed::{Embedder, LocalEmbedder, OpenAiEmbedder};
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
    stores: HashMap<String, Arc<StoreRuntime>>,
    by_key: HashMap<String, String>,
    origins: HashSet<String>,
    /// Stores whose catalog and live facts come from a connector plugin.
    connectors: HashMap<String, Arc<StoreConnector>>,
    /// One sync per store at a time (start-up, timer, admin); webhooks do
    /// not take it.
    sync_locks: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
    /// The plugin host, when any store has a connector.
    plugins: Option<Connectors>,
    /// Abuse limits of the public API.
    rate_limits: RateLimits,
    /// Which store an agent token opens.
    agent_tokens: AgentTokens,
    /// Readiness failures are logged, but not on every probe.
    ready_warnings: LogThrottle,
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
        for store in config.stores {
            let model = model_for_store(&config.gateway, &store)?;
            stores.push((store, model));
        }
        Self::new(config.gateway, services, stores).await
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
        let mut runtimes = HashMap::new();
        let mut by_key = HashMap::new();
        let mut origins = HashSet::new();
        let mut plugin_host: Option<Connectors> = None;
        let mut connectors = HashMap::new();
        let mut sync_locks = HashMap::new();
        for (config, model) in stores {
            storage.upsert_store(&StoreRecord { id: config.id.clone(), name: config.name.clone(), languages: config.languages.clone() }).await?;
            let catalog_tools =
                CatalogToolBox::new(storage.clone(), search.clone(), config.languages.clone(), config.currency.clone()).with_shipping(config.shipping.clone());
            let tools: Arc<dyn ToolBox> = match &config.catalog {
                CatalogSource::Connector(source) => {
                    let host = match &mut plugin_host {
                        Some(host) => host,
                        None => plugin_host.insert(Connectors::new(&gateway)?),
                    };
                    // The catalog arrives by `sync_store` (in the background
                    // when serving), so a slow store API never holds up start.
                    let share = config.limits.plugin_calls_in_flight as usize;
                    let connector = Arc::new(host.connect(&gateway, &config.id, source).await?.with_call_share(share));
                    connectors.insert(config.id.clone(), connector.clone());
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
            sync_locks.insert(config.id.clone(), Arc::new(tokio::sync::Mutex::new(())));
            by_key.insert(config.public_key.clone(), config.id.clone());
            origins.extend(config.allowed_origins.iter().cloned());
            runtimes.insert(config.id.clone(), Arc::new(StoreRuntime { config, model, tools, search: search.clone() }));
        }
        let limits = TurnLimits {
            max_message_chars: gateway.server.max_message_chars,
            history_token_budget: gateway.sessions.history_token_budget,
            turn_timeout: Duration::from_secs(gateway.server.turn_timeout_s),
            ..TurnLimits::default()
        };
        crate::lang::warm_up();
        let bus = Self::event_bus(&gateway).await?;
        let configs: Vec<&StoreConfig> = runtimes.values().map(|r| &r.config).collect();
        let handoffs = Arc::new(Handoffs::new(storage.clone(), sessions.clone(), bus, &configs));
        let agent_tokens = AgentTokens::from_env(&configs);
        let chat = ChatContext { storage, sessions, handoffs, limits };
        let proxies = TrustedProxies::parse(&gateway.server.trusted_proxies)
            .map_err(|why| Error::Config(crate::config::ConfigError::invalid("chatgw.toml", "server.trusted_proxies", why)))?;
        let rate_limits = RateLimits::new(runtimes.values().map(|r| &r.config), proxies, shared_limits);
        let inner = AppInner {
            gateway,
            chat,
            embedder,
            stores: runtimes,
            by_key,
            origins,
            connectors,
            sync_locks,
            plugins: plugin_host,
            rate_limits,
            agent_tokens,
            ready_warnings: LogThrottle::new(Duration::from_secs(30)),
        };
        Ok(Self { inner: Arc::new(inner) })
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
        self.inner.agent_tokens.store_for(token).and_then(|id| self.store(id))
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.inner.rate_limits
    }

    pub fn store_by_key(&self, public_key: &str) -> Option<Arc<StoreRuntime>> {
        self.inner.by_key.get(public_key).and_then(|id| self.inner.stores.get(id)).cloned()
    }

    pub fn store(&self, id: &str) -> Option<Arc<StoreRuntime>> {
        self.inner.stores.get(id).cloned()
    }

    /// Every origin any store allows (browsers' preflights carry no store key).
    pub fn all_origins(&self) -> &HashSet<String> {
        &self.inner.origins
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
        self.inner.connectors.get(store_id).cloned()
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
        let (store, connector) = self.connector_store(store_id)?;
        let CatalogSource::Connector(source) = &store.config.catalog else { return Err(no_connector(store_id)) };
        let limits = SyncLimits { max_pages: source.max_pages_per_sync };
        let _running = self.inner.sync_locks[store_id].lock().await;
        let primary = store.config.languages.first().map(String::as_str).unwrap_or("en");
        crate::connector::sync::sync_store(self.storage().as_ref(), self.inner.embedder.as_ref(), store_id, primary, &connector, mode, limits)
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
        match &self.inner.plugins {
            Some(plugins) => plugins.reload_changed(&self.inner.gateway).await,
            None => Vec::new(),
        }
    }

    /// Checks the installed plugin files every `interval` and hot-reloads
    /// the ones that changed.
    pub fn spawn_plugin_reloads(&self, interval: Duration) -> Option<tokio::task::JoinHandle<()>> {
        self.inner.plugins.as_ref()?;
        let app = self.clone();
        Some(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                app.reload_plugins().await;
            }
        }))
    }

    /// Syncs every connector store now (resuming cut-off runs), then
    /// incrementally every `sync_interval_minutes` of its config.
    pub fn spawn_connector_syncs(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = Vec::new();
        for (id, store) in &self.inner.stores {
            let CatalogSource::Connector(source) = &store.config.catalog else { continue };
            let (app, id, minutes) = (self.clone(), id.clone(), source.sync_interval_minutes);
            tasks.push(tokio::spawn(async move {
                if let Some(connector) = app.connector(&id)
                    && let Err(e) = connector.check_connection().await
                {
                    tracing::warn!(store = %id, error = %e, "the store's connector cannot reach the store; check its settings and credentials");
                }
                loop {
                    match app.sync_store(&id, SyncMode::Incremental).await {
                        Ok(report) => tracing::info!(store = %id, ?report, "connector sync done"),
                        Err(e) => tracing::warn!(store = %id, error = %e, "connector sync failed; it resumes on the next run"),
                    }
                    if minutes == 0 {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(minutes * 60)).await;
                }
            }));
        }
        tasks
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
                for id in app.inner.stores.keys() {
                    match sync::embed_stale(app.inner.chat.storage.as_ref(), app.inner.embedder.as_ref(), id).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(store = %id, embedded = n, "sweep re-embedded stale cards"),
                        Err(e) => tracing::warn!(store = %id, error = %e, "embedding sweep failed; retrying next tick"),
                    }
                }
            }
        })
    }
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
