//! The shapes of the configuration files. Every struct denies unknown keys
//! so a typo is an error, not a silent default.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Folder of per-store files, relative to the config file.
    pub stores_dir: String,
    /// How often (seconds) a running gateway looks for added, changed or
    /// removed store files and reloads them (SIGHUP reloads at once).
    pub stores_reload_s: u64,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub embedding: EmbeddingConfig,
    /// Named model providers stores can route to. `offline` always exists.
    pub providers: BTreeMap<String, ProviderConfig>,
    pub sessions: SessionConfig,
    pub log: LogConfig,
    /// Installed connector plugins: id to the path of its `connector.toml`
    /// (relative to the working folder).
    pub plugins: BTreeMap<String, String>,
    /// Limits every plugin call runs under.
    pub plugin_limits: PluginLimitsConfig,
    /// Read-only databases a store may grant its connector, by label.
    pub databases: BTreeMap<String, SqlDatabaseConfig>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            stores_dir: "stores".into(),
            stores_reload_s: 5,
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            redis: RedisConfig::default(),
            embedding: EmbeddingConfig::default(),
            providers: BTreeMap::new(),
            sessions: SessionConfig::default(),
            log: LogConfig::default(),
            plugins: BTreeMap::new(),
            plugin_limits: PluginLimitsConfig::default(),
            databases: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PluginLimitsConfig {
    /// Linear memory one call may grow to, in MiB.
    pub memory_mb: u64,
    /// Longest one call may take, host calls included, in milliseconds.
    pub call_timeout_ms: u64,
    /// Largest result a call may return, in KiB.
    pub max_output_kb: u64,
    /// Largest HTTP response body a plugin may read, in KiB.
    pub max_response_kb: u64,
    /// HTTP requests one call may send; the next one ends the call.
    pub max_http_requests_per_call: u32,
    /// Largest body of one HTTP request a plugin sends, in KiB.
    pub max_request_body_kb: u64,
    /// Bytes of HTTP requests (URL, headers, body) one call may send, in KiB.
    pub max_request_total_kb: u64,
    /// Seconds between checks of the installed plugin files; a changed file
    /// is hot-reloaded without failing calls in flight.
    pub reload_check_s: u64,
}

/// The defaults come from the plugin host's own ([`chatgw_plugins::CallLimits`]
/// and [`chatgw_plugins::HttpGrant`]), so the gateway and the local runner
/// cannot drift apart.
impl Default for PluginLimitsConfig {
    fn default() -> Self {
        let call = chatgw_plugins::CallLimits::default();
        let http = chatgw_plugins::HttpGrant::default();
        Self {
            memory_mb: (call.memory_bytes / (1024 * 1024)) as u64,
            call_timeout_ms: call.deadline.as_millis() as u64,
            max_output_kb: call.max_output_bytes / 1024,
            max_response_kb: http.max_response_bytes / 1024,
            max_http_requests_per_call: call.max_http_requests,
            max_request_body_kb: call.max_request_body_bytes / 1024,
            max_request_total_kb: call.max_request_bytes / 1024,
            reload_check_s: 5,
        }
    }
}

/// A store database reachable by connectors through `host-sql`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlDatabaseConfig {
    /// Environment variable holding the URL (`postgres://` or `mysql://`).
    pub url_env: String,
    #[serde(default = "default_sql_rows")]
    pub max_rows: u32,
    #[serde(default = "default_sql_bytes")]
    pub max_bytes: u64,
    #[serde(default = "default_sql_timeout")]
    pub statement_timeout_ms: u64,
}

fn default_sql_rows() -> u32 {
    5_000
}

fn default_sql_bytes() -> u64 {
    8 * 1024 * 1024
}

fn default_sql_timeout() -> u64 {
    5_000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub addr: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Longest shopper message accepted, in characters.
    pub max_message_chars: usize,
    /// Whole-request timeout for non-streaming routes, in seconds.
    pub request_timeout_s: u64,
    /// Longest a chat turn may take end to end, in seconds.
    pub turn_timeout_s: u64,
    /// Seconds to let streams finish on shutdown.
    pub shutdown_grace_s: u64,
    /// Reverse proxies (CIDRs like `10.0.0.0/8`, or single addresses) whose
    /// `X-Forwarded-For` / `Forwarded` headers are believed. Empty: the
    /// client is the socket's peer, and those headers are ignored.
    pub trusted_proxies: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            max_body_bytes: 64 * 1024,
            max_message_chars: 4000,
            request_timeout_s: 30,
            turn_timeout_s: 120,
            shutdown_grace_s: 10,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Environment variable holding the database URL (it may carry a password).
    pub url_env: String,
    /// Used when `url_env` is unset: a SQLite file or `sqlite::memory:`.
    pub sqlite_path: String,
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url_env: "DATABASE_URL".into(), sqlite_path: "chatgw.sqlite".into(), max_connections: 10 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    /// Environment variable holding the Redis URL; unset means in-memory sessions.
    pub url_env: String,
    /// Key prefix, so several gateways can share one Redis.
    pub key_prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self { url_env: "REDIS_URL".into(), key_prefix: "chatgw".into() }
    }
}

/// Also `chatgw eval --embedder`, under the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddingProviderKind {
    /// The lexicon embedder (no file, no network).
    Local,
    /// An OpenAI-compatible endpoint.
    Openai,
    /// multilingual-e5-small in process, from a model file
    /// (`chatgw models fetch e5-small`).
    #[serde(rename = "e5-small")]
    #[value(name = "e5-small")]
    E5Small,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddingConfig {
    pub provider: EmbeddingProviderKind,
    pub dimensions: usize,
    /// For `openai`: model name, endpoint and the variable holding the key.
    pub model: String,
    pub base_url: String,
    pub api_key_env: String,
    pub batch_size: usize,
    pub timeout_s: u64,
    /// For `e5-small`: the model file. Unset: `$CHATGW_MODEL_DIR`, then the
    /// user's cache (`~/.cache/chatgw/models`), where `chatgw models fetch`
    /// puts it.
    pub model_path: Option<PathBuf>,
    /// For `e5-small`: longest card, in model tokens (`<s>`, `</s>` and the
    /// `passage: ` prefix included; at most 512); the rest is cut.
    pub max_tokens: usize,
    /// Seconds between sweeps that re-embed stale cards.
    pub sweep_interval_s: u64,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        Self {
            provider: EmbeddingProviderKind::Local,
            dimensions: 384,
            model: "text-embedding-3-small".into(),
            base_url: "https://api.openai.com/v1".into(),
            api_key_env: "OPENAI_API_KEY".into(),
            batch_size: 64,
            timeout_s: 30,
            model_path: None,
            max_tokens: crate::embed::e5::DEFAULT_MAX_TOKENS,
            sweep_interval_s: 300,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Openai,
    Offline,
}

/// A model provider stores can name in their `models.provider`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    #[serde(default)]
    pub base_url: Option<String>,
    /// Environment variable holding the API key.
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
    #[serde(default = "default_retries")]
    pub max_retries: u32,
}

fn default_timeout_s() -> u64 {
    30
}
fn default_retries() -> u32 {
    3
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Seconds a session's history lives in Redis or memory after its last turn.
    pub ttl_s: u64,
    /// Token budget of the history put into a prompt.
    pub history_token_budget: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self { ttl_s: 24 * 3600, history_token_budget: 1500 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `json` for machines, `pretty` for people.
    pub format: String,
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { format: "pretty".into(), filter: "info,chatgw=info,sqlx=warn".into() }
    }
}

/// One store served by the gateway: one file in `stores/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Short slug (`lumen-thread`), unique in the gateway.
    pub id: String,
    pub name: String,
    /// ISO 639-1 codes; the first is the catalog's main language.
    pub languages: Vec<String>,
    /// Public widget key, sent as `X-Store-Key`.
    pub public_key: String,
    /// Origins allowed to call the chat API from a browser (`https://shop.example`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// How the assistant presents itself.
    #[serde(default)]
    pub persona: String,
    /// Store policies the assistant may quote (returns, shipping times...).
    #[serde(default)]
    pub policies: String,
    pub catalog: CatalogSource,
    #[serde(default)]
    pub models: ModelRouting,
    #[serde(default)]
    pub retrieval: RetrievalConfig,
    /// Abuse limits of the public chat API (see [`StoreLimits`]).
    #[serde(default)]
    pub limits: StoreLimits,
    /// When and how a conversation goes to a person (see [`HandoffConfig`]).
    #[serde(default)]
    pub handoff: HandoffConfig,
    /// The shipping table `get_shipping` answers from; without it the
    /// assistant cannot state shipping costs or times.
    #[serde(default)]
    pub shipping: Option<ShippingConfig>,
    /// How the storefront widget looks and what it says first (see [`WidgetConfig`]).
    #[serde(default)]
    pub widget: WidgetConfig,
}

/// The storefront widget's theme and words, served to it by
/// `GET /v1/widget/config`. Everything here is public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WidgetConfig {
    /// Accent colour of the launcher, header and the shopper's bubbles, as
    /// `#rrggbb` or `#rgb`. The widget picks a readable text colour on it.
    pub color: String,
    /// Which bottom corner the launcher sits in.
    pub position: WidgetPosition,
    /// The first message, by language (`en = "Hi!"`); a language without
    /// one gets the widget's own greeting.
    pub greeting: BTreeMap<String, String>,
    /// The store's privacy policy, linked under the AI disclosure. Empty:
    /// no link.
    pub privacy_url: String,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        Self { color: "#243b53".into(), position: WidgetPosition::Right, greeting: BTreeMap::new(), privacy_url: String::new() }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetPosition {
    #[default]
    Right,
    Left,
}

/// A store's handoff policy and where its people work.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HandoffConfig {
    /// What an `escalate` message does: `hand_off` (a ticket at once, the
    /// default) or `offer` (the assistant answers and the widget offers a
    /// person). `urgent` messages and explicit requests for a person always
    /// hand off.
    pub escalate: EscalatePolicy,
    /// Environment variable holding this store's agent token (agents send
    /// it as `Authorization: Bearer ...`). Unset: no agent API for the store.
    pub agent_token_env: String,
    /// A helpdesk that receives tickets and messages (signed webhooks).
    pub helpdesk: Option<HelpdeskConfig>,
    /// When people answer. Outside these hours a handoff tells the shopper
    /// when a person will be back and invites an email address. None:
    /// always staffed.
    pub hours: Option<HoursConfig>,
}

/// A store's opening hours for people (see `handoff::hours`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursConfig {
    /// IANA time zone: `Europe/Madrid`.
    pub timezone: String,
    /// Days then local times: `"mon-fri 09:00-14:00,16:00-19:00"`, `"sat 10:00-14:00"`.
    pub open: Vec<String>,
    /// Whole days closed (holidays), `YYYY-MM-DD`.
    #[serde(default)]
    pub closed_dates: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalatePolicy {
    #[default]
    HandOff,
    Offer,
}

/// Where tickets and their messages are posted: JSON, signed with
/// HMAC-SHA256 of the raw body in `X-Chatgw-Signature: sha256=<hex>`,
/// retried with backoff until the helpdesk answers 2xx.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpdeskConfig {
    /// `https://...` (plain `http` only for a loopback or private address).
    pub url: String,
    /// Environment variable holding the signing secret.
    pub secret_env: String,
}

fn default_currency() -> String {
    "EUR".into()
}

/// Where a store's catalog comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
pub enum CatalogSource {
    /// The demo store shipped inside the binary.
    Demo,
    /// A JSON file in the catalog format of `examples/demo-store/catalog.json`.
    File { path: String },
    /// A connector plugin (see `[plugins]` in the gateway config).
    Connector(ConnectorSource),
}

/// A store's connector: which plugin, its settings (no secrets: the host
/// adds credentials to requests) and what the store grants it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorSource {
    /// A plugin id from the gateway's `[plugins]`.
    pub plugin: String,
    /// The plugin's settings object, passed to every call as JSON.
    #[serde(default)]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Minutes between incremental catalog syncs (0: only at start and by webhook).
    #[serde(default = "default_sync_minutes")]
    pub sync_interval_minutes: u64,
    /// Outgoing HTTP; absent means the capability is not granted.
    #[serde(default)]
    pub http: Option<HttpGrantConfig>,
    /// A label from the gateway's `[databases]`; absent means no SQL.
    #[serde(default)]
    pub sql: Option<String>,
    /// Webhooks from the store, verified with this secret.
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    /// Most pages one sync run fetches. A run that reaches it stops with an
    /// error (progress up to the last page is kept): raise it for a bigger
    /// catalog, or fix a connector that never ends its pages.
    #[serde(default = "default_max_pages_per_sync")]
    pub max_pages_per_sync: u64,
    /// Most events one webhook delivery may carry (a stock change counts
    /// once per stock level). A delivery over it is refused whole (413) and
    /// nothing of it is applied.
    #[serde(default = "default_max_webhook_events")]
    pub max_webhook_events: usize,
}

fn default_sync_minutes() -> u64 {
    60
}

fn default_max_pages_per_sync() -> u64 {
    10_000
}

fn default_max_webhook_events() -> usize {
    250
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpGrantConfig {
    /// Public host names the plugin may call (`shop.example`, `*.myshopify.com`).
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Hosts on private, loopback or link-local addresses the plugin may
    /// call anyway, as `host` or `host:port` (a store's own server, tests).
    #[serde(default)]
    pub private_hosts: Vec<String>,
    /// Headers the host adds to requests; the plugin never sees them.
    #[serde(default)]
    pub credentials: Vec<CredentialConfig>,
}

/// A secret the host adds to requests to one origin, and to no other.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialConfig {
    /// The origin it goes to: `api.shop.example` (https, port 443),
    /// `https://api.shop.example:8443`, or `http://host:port` for a host in
    /// `private_hosts` (plain http nowhere else). Scheme, host and port must
    /// all match; a redirect that changes any of them drops the credential.
    pub host: String,
    /// `header` (the default): `header`, `value_env` and `prefix`.
    /// `basic`: HTTP Basic auth from `username_env` and `password_env`.
    #[serde(default)]
    pub kind: CredentialKind,
    /// Header name, e.g. `X-Shopify-Access-Token` or `Authorization`.
    #[serde(default)]
    pub header: String,
    /// Environment variable holding the value.
    #[serde(default)]
    pub value_env: String,
    /// Put before the value, e.g. `Bearer `.
    #[serde(default)]
    pub prefix: String,
    /// For `basic`: environment variables holding the user name (e.g. a
    /// WooCommerce consumer key) and the password (consumer secret).
    #[serde(default)]
    pub username_env: String,
    #[serde(default)]
    pub password_env: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    #[default]
    Header,
    Basic,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Environment variable holding the signing secret.
    pub secret_env: String,
    /// The header holding the platform's id of each delivery, so a retry
    /// or replay of one delivery is applied once. Unset: the gateway looks
    /// for Shopify's `X-Shopify-Webhook-Id` and WooCommerce's
    /// `X-WC-Webhook-Delivery-ID`.
    #[serde(default)]
    pub delivery_id_header: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelRouting {
    /// Name of a provider in the gateway's `[providers]`, or `offline`.
    pub provider: String,
    pub chat: String,
    /// A cheap model of the store's provider that labels every message as
    /// well (its label can only raise the offline classifier's). Empty: the
    /// offline classifier alone.
    pub classifier: String,
    /// Tried when the chat model fails after retries.
    pub fallback: Option<String>,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Tool rounds per turn before the model must answer.
    pub max_tool_rounds: u32,
    /// Price per 1,000 prompt and completion tokens of the `chat` model, in
    /// the store's money, for the cost recorded with every answer. Both 0:
    /// no price set (the cost is not recorded).
    pub prompt_cost_per_1k: f64,
    pub completion_cost_per_1k: f64,
    /// Prices of other models the store may use (the fallback, the
    /// classifier), by model name: `[models.prices."gpt-4o"]`.
    pub prices: BTreeMap<String, TokenPrice>,
}

/// A model's price per 1,000 tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPrice {
    pub prompt_per_1k: f64,
    pub completion_per_1k: f64,
}

impl ModelRouting {
    /// What `model` costs per 1,000 tokens, if the store priced it. The
    /// offline responder is free.
    pub fn price(&self, model: &str) -> Option<TokenPrice> {
        if model == "offline" {
            return Some(TokenPrice::default());
        }
        if let Some(price) = self.prices.get(model) {
            return Some(*price);
        }
        let chat = TokenPrice { prompt_per_1k: self.prompt_cost_per_1k, completion_per_1k: self.completion_cost_per_1k };
        (model == self.chat && chat != TokenPrice::default()).then_some(chat)
    }

    /// The cost of `prompt` and `completion` tokens of `model`, if priced.
    pub fn cost(&self, model: &str, prompt: u32, completion: u32) -> Option<f64> {
        self.price(model).map(|p| (f64::from(prompt) * p.prompt_per_1k + f64::from(completion) * p.completion_per_1k) / 1000.0)
    }
}

impl Default for ModelRouting {
    fn default() -> Self {
        Self {
            provider: "offline".into(),
            chat: "gpt-4o-mini".into(),
            classifier: String::new(),
            fallback: None,
            temperature: 0.3,
            max_tokens: 600,
            max_tool_rounds: 4,
            prompt_cost_per_1k: 0.0,
            completion_cost_per_1k: 0.0,
            prices: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetrievalConfig {
    pub top_k: usize,
    /// Candidates taken from each retriever before fusion.
    pub candidates: usize,
    /// Reciprocal rank fusion constant.
    pub rrf_k: f32,
    /// What goes with what, for "what goes with X" questions: a category
    /// (the store's name for it, or a kind the shared lexicon knows, such
    /// as "suit" or "shoes") -> the categories to show with it, best first.
    /// Defaults to a fashion table; a store file's `[retrieval.pairings]`
    /// replaces it.
    pub pairings: BTreeMap<String, Vec<String>>,
}

impl Default for RetrievalConfig {
    fn default() -> Self {
        Self { top_k: 8, candidates: 40, rrf_k: 60.0, pairings: fashion_pairings() }
    }
}

/// The default pairing table: what a stylist puts with each piece of
/// clothing. Kinds are the shared lexicon's, so they resolve to whatever a
/// fashion store calls its categories; kinds a store lacks are skipped.
fn fashion_pairings() -> BTreeMap<String, Vec<String>> {
    let table: &[(&str, &[&str])] = &[
        ("suit", &["loafer", "boot", "shirt", "belt", "sneaker"]),
        ("blazer", &["shirt", "chinos", "trousers", "loafer", "t-shirt"]),
        ("dress", &["heel", "sandal", "knitwear", "jacket", "bag", "blazer", "hat"]),
        ("skirt", &["blouse", "t-shirt", "knitwear", "sandal", "heel", "boot"]),
        ("jeans", &["t-shirt", "shirt", "knitwear", "sneaker", "boot", "jacket"]),
        ("trousers", &["shirt", "polo", "knitwear", "loafer", "sneaker", "belt"]),
        ("chinos", &["shirt", "polo", "knitwear", "loafer", "sneaker", "belt"]),
        ("shorts", &["t-shirt", "polo", "shirt", "sandal", "sneaker"]),
        ("shirt", &["chinos", "trousers", "jeans", "blazer", "knitwear"]),
        ("blouse", &["skirt", "trousers", "jeans", "blazer"]),
        ("t-shirt", &["jeans", "shorts", "chinos", "sneaker", "jacket"]),
        ("knitwear", &["shirt", "jeans", "chinos", "coat", "scarf"]),
        ("jacket", &["knitwear", "jeans", "scarf", "boot", "hat"]),
        ("coat", &["scarf", "knitwear", "boot", "hat"]),
        ("swimwear", &["hat", "sunglasses", "sandal", "bag", "shorts"]),
        ("shoes", &["jeans", "trousers", "socks"]),
        ("bag", &["scarf", "sunglasses", "belt"]),
    ];
    table.iter().map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect())).collect()
}

/// A store's abuse limits: token buckets (a burst, refilled at a steady
/// rate) on who may spend the store's model budget, and caps on how much of
/// the gateway's shared capacity the store may hold at once. Over a limit,
/// the API answers 429 with `Retry-After`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreLimits {
    /// Chat messages from one client address (IPv6: one /64).
    pub chat_per_ip: Rate,
    /// Chat messages in one session.
    pub chat_per_session: Rate,
    /// Chat messages to the whole store, from everyone.
    pub chat_per_store: Rate,
    /// Chat turns of this store being answered at once.
    pub turns_in_flight: u32,
    /// Transcript reads (`GET /v1/sessions/{id}/messages`) from one address.
    pub transcript_per_ip: Rate,
    /// Webhooks the store's platform may send.
    pub webhooks_per_store: Rate,
    /// Connector plugin calls of this store running at once: its share of
    /// the plugin host's capacity (128 calls), so one store's slow or
    /// flooded connector cannot starve the others.
    pub plugin_calls_in_flight: u32,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            chat_per_ip: Rate { per_minute: 30, burst: 10 },
            chat_per_session: Rate { per_minute: 12, burst: 6 },
            chat_per_store: Rate { per_minute: 600, burst: 100 },
            turns_in_flight: 32,
            transcript_per_ip: Rate { per_minute: 60, burst: 20 },
            webhooks_per_store: Rate { per_minute: 1200, burst: 300 },
            plugin_calls_in_flight: 32,
        }
    }
}

/// A token bucket: up to `burst` requests at once, then `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

/// A store's shipping options, as the `get_shipping` tool gives them.
/// Amounts are in the store's `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingConfig {
    /// Working days from the order to its dispatch ("ships within 2 working days").
    #[serde(default)]
    pub dispatch_days: Option<DaySpan>,
    /// At least one zone.
    pub zones: Vec<ShippingZone>,
    /// Anything else the assistant may quote (carriers, cut-off times).
    #[serde(default)]
    pub notes: String,
}

/// Where a shipping rate applies and what it costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingZone {
    /// Shown to shoppers, e.g. "Spain (mainland)".
    pub name: String,
    /// ISO 3166-1 alpha-2 codes of the countries it covers (`ES`, `PT`).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Cost of shipping an order below `free_over`.
    pub cost: f64,
    /// Orders from this amount ship free; absent: never free.
    #[serde(default)]
    pub free_over: Option<f64>,
    /// Working days from dispatch to delivery.
    pub delivery_days: DaySpan,
}

/// A span of working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaySpan {
    pub min: u32,
    pub max: u32,
}
