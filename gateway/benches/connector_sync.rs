//! A store's first full sync, through the same door as users: for each
//! shipped connector plugin (wasm, packaged as an operator installs it)
//! against its real test peer (the Shopify and WooCommerce emulators over
//! HTTP, the Django REST app in `testkit/drf`, a WooCommerce database on the
//! real PostgreSQL and MariaDB), `App::sync_store` of 3,000 products with
//! their variants, embedding included, on SQLite storage (a WAL file, as the
//! embedded default runs) and on PostgreSQL storage (a schema of the test
//! database). Beside each figure, two floors measured in the same run:
//!
//! - `connector alone`: the plugin paging through the whole catalog with
//!   the store's grants and limits, storage and embedding left out;
//! - `peer alone`: the requests (or SQL statements) that run made, sent
//!   again one after another straight to the peer, plugin left out;
//! - `rate limit` (Shopify): the query cost that run used over the cost
//!   bucket's restore rate (the emulator's is Shopify Plus's, 1,000 points
//!   a second), the least time the platform lets the catalog be read in.
//!   A full sync runs as a bulk operation (the emulator completes one in
//!   300 ms), whose file costs no points.
//!
//! So `total - connector alone` is what the gateway's side costs (storage,
//! cards, embedding), `connector alone - peer alone` the plugin and host.
//!
//! ```text
//! bash scripts/build-connectors.sh
//! cargo bench -p chatgw --bench connector_sync
//! ```
//!
//! Environment (all optional):
//! - `CHATGW_BENCH_EMBEDDER`: `lexicon` (the local lexicon embedder, the
//!   default) or any `embedding.provider` the gateway config accepts.
//! - `CHATGW_BENCH_PRODUCTS`: catalog size (default 3000).
//! - `CHATGW_BENCH_CONNECTORS`: a comma list of `shopify`, `woocommerce`,
//!   `django-rest`, `sql-postgres`, `sql-mariadb` (default all).
//! - `CHATGW_BENCH_STORAGE`: `sqlite`, `postgres` or both (default both).
//! - `CHATGW_BENCH_SHOPIFY_BULK`: `0` makes the Shopify full sync page
//!   through `products` (`bulk_sync: false`) instead of running a bulk
//!   operation.
//! - `TEST_DATABASE_URL`, `TEST_MARIADB_URL`, `CHATGW_DRF_PYTHON`: as for
//!   the tests (`README.md`).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/shop_db/mod.rs"]
mod shop_db;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chatgw::App;
use chatgw::app::Services;
use chatgw::config::{CatalogSource, CredentialConfig, CredentialKind, EmbeddingProviderKind, GatewayConfig, SqlDatabaseConfig, StoreConfig};
use chatgw::connector::sync::SyncMode;
use chatgw::embed::Embedder;
use chatgw::llm::offline::OfflineModel;
use chatgw::session::MemorySessions;
use chatgw::storage::{SqliteStorage, Storage};
use chatgw_emulators::drf::{self, Behaviour, DrfPeer};
use chatgw_emulators::shopify::{self, Bucket, ShopifyEmulator};
use chatgw_emulators::woocommerce::{self, WooCommerceEmulator};
use chatgw_plugins::http::{HttpFailure, HttpTransport, IncomingResponse, TransportRequest};
use chatgw_plugins::{ConnectorError, PluginEngine, PluginError, PluginHost, PluginSlot, SqlExecutor, SqlFailure, SqlRows, SqlValue};
use serde_json::{Value, json};
use shop_db::{Db, ShopDb};

const STORE: &str = "bench";
const TOKEN_ENV: &str = "CHATGW_BENCH_PEER_TOKEN";
const SECRET_ENV: &str = "CHATGW_BENCH_PEER_SECRET";
const WEBHOOK_ENV: &str = "CHATGW_BENCH_WEBHOOK_SECRET";
const DB_URL_ENV: &str = "CHATGW_BENCH_SHOP_DB_URL";
const DB_LABEL: &str = "shop-db";
const TABLE_PREFIX: &str = "wp_";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connector {
    Shopify,
    WooCommerce,
    DjangoRest,
    SqlPostgres,
    SqlMariaDb,
}

impl Connector {
    const ALL: [Connector; 5] = [Connector::Shopify, Connector::WooCommerce, Connector::DjangoRest, Connector::SqlPostgres, Connector::SqlMariaDb];

    fn name(self) -> &'static str {
        match self {
            Connector::Shopify => "shopify",
            Connector::WooCommerce => "woocommerce",
            Connector::DjangoRest => "django-rest",
            Connector::SqlPostgres => "sql-postgres",
            Connector::SqlMariaDb => "sql-mariadb",
        }
    }

    fn plugin(self) -> &'static str {
        match self {
            Connector::SqlPostgres | Connector::SqlMariaDb => "generic-sql",
            other => other.name(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StorageKind {
    Sqlite,
    Postgres,
}

impl StorageKind {
    fn name(self) -> &'static str {
        match self {
            StorageKind::Sqlite => "sqlite",
            StorageKind::Postgres => "postgres",
        }
    }
}

/// A comma list from the environment, each item one of `all` (by name).
fn chosen<T: Copy>(var: &str, all: &[T], name: impl Fn(T) -> &'static str) -> Vec<T> {
    let Ok(list) = std::env::var(var) else { return all.to_vec() };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|wanted| {
            all.iter().copied().find(|item| name(*item) == wanted).unwrap_or_else(|| {
                let names: Vec<&str> = all.iter().map(|item| name(*item)).collect();
                panic!("{var}: `{wanted}` is not one of {}", names.join(", "))
            })
        })
        .collect()
}

/// The embedder named by `CHATGW_BENCH_EMBEDDER`, built as the gateway
/// builds its own from `[embedding]`.
fn embedder(gateway: &mut GatewayConfig) -> (String, Arc<dyn Embedder>) {
    let name = std::env::var("CHATGW_BENCH_EMBEDDER").ok().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "lexicon".into());
    let provider = if name == "lexicon" { "local" } else { name.as_str() };
    gateway.embedding.provider = serde_json::from_value::<EmbeddingProviderKind>(json!(provider))
        .unwrap_or_else(|e| panic!("CHATGW_BENCH_EMBEDDER=`{name}` is not an embedding provider the gateway knows: {e}"));
    let embedder = chatgw::app::embedder_from_config(gateway).unwrap_or_else(|e| panic!("embedder `{name}`: {e}"));
    (name, embedder)
}

/// A test peer holding the catalog, kept alive while it is synced (most
/// are only held, hence the allow).
#[allow(dead_code)]
enum Peer {
    Shopify(ShopifyEmulator),
    WooCommerce(WooCommerceEmulator),
    DjangoRest(DrfPeer),
    Sql(ShopDb),
}

/// Starts the connector's peer with `products` products and returns it
/// with the store that syncs from it (secrets set in the environment).
async fn peer(connector: Connector, products: usize, gateway: &mut GatewayConfig) -> (Peer, StoreConfig) {
    gateway.plugins.insert(connector.plugin().into(), chatgw_emulators::connector_manifest(connector.plugin()).display().to_string());
    // Set before the gateway reads them; nothing else runs meanwhile.
    unsafe { std::env::set_var(WEBHOOK_ENV, "bench-webhook-secret") };
    match connector {
        Connector::Shopify => {
            let spec = shopify::CatalogSpec { products, wide_every: 500, draft_every: 40, archived_every: 55 };
            let api = ShopifyEmulator::start(shopify::generate(&spec)).await;
            unsafe { std::env::set_var(TOKEN_ENV, shopify::ACCESS_TOKEN) };
            let settings = BTreeMap::from([
                ("base_url".to_owned(), json!(api.base_url())),
                ("api_version".to_owned(), json!("2025-07")),
                ("storefront_url".to_owned(), json!("https://bench.example")),
                ("bulk_sync".to_owned(), json!(!std::env::var("CHATGW_BENCH_SHOPIFY_BULK").is_ok_and(|v| v.trim() == "0"))),
            ]);
            let credential = header_credential(&api.base_url(), "X-Shopify-Access-Token", "");
            let mut store = common::connector::connector_store(STORE, "shopify", settings, &api.host_port(), credential, WEBHOOK_ENV);
            // A full sync reads a bulk operation's file from the emulator's
            // second listener, with no credential.
            if let CatalogSource::Connector(source) = &mut store.catalog
                && let Some(http) = &mut source.http
            {
                http.private_hosts.push(api.files_host_port());
            }
            (Peer::Shopify(api), store)
        }
        Connector::WooCommerce => {
            let spec = woocommerce::CatalogSpec { products, wide_every: 300, ..woocommerce::CatalogSpec::default() };
            let api = WooCommerceEmulator::start(woocommerce::generate(&spec)).await;
            unsafe {
                std::env::set_var(TOKEN_ENV, woocommerce::CONSUMER_KEY);
                std::env::set_var(SECRET_ENV, woocommerce::CONSUMER_SECRET);
            }
            let settings = BTreeMap::from([("base_url".to_owned(), json!(api.base_url()))]);
            let credential = common::connector::basic_credential(&api.host_port(), TOKEN_ENV, SECRET_ENV);
            let store = common::connector::connector_store(STORE, "woocommerce", settings, &api.host_port(), credential, WEBHOOK_ENV);
            (Peer::WooCommerce(api), store)
        }
        Connector::DjangoRest => {
            let count = u32::try_from(products).expect("a catalog size that fits u32");
            let peer = tokio::task::spawn_blocking(move || DrfPeer::start(count, Behaviour::default())).await.expect("the DRF peer starts");
            unsafe { std::env::set_var(TOKEN_ENV, drf::TOKEN_A) };
            let settings: BTreeMap<String, Value> = peer.shop_a_settings("page").as_object().expect("an object").clone().into_iter().collect();
            let credential = header_credential(&peer.origin(), "Authorization", "Token ");
            let mut store = common::connector::connector_store(STORE, "django-rest", settings, &peer.host_port(), credential, WEBHOOK_ENV);
            if let CatalogSource::Connector(source) = &mut store.catalog {
                source.webhook = None;
            }
            (Peer::DjangoRest(peer), store)
        }
        Connector::SqlPostgres | Connector::SqlMariaDb => {
            let (db, file) = match connector {
                Connector::SqlPostgres => (Db::Postgres, "woocommerce-sql-postgres.toml"),
                _ => (Db::MariaDb, "woocommerce-sql.toml"),
            };
            let mut shop = ShopDb::new(db).await;
            shop_db::woocommerce::seed(&mut shop, TABLE_PREFIX, products).await;
            unsafe { std::env::set_var(DB_URL_ENV, &shop.reader_url) };
            gateway.databases.insert(
                DB_LABEL.into(),
                SqlDatabaseConfig { url_env: DB_URL_ENV.into(), max_rows: 5_000, max_bytes: 8 * 1024 * 1024, statement_timeout_ms: 20_000 },
            );
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/stores/connectors").join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            let mut store = chatgw::config::parse_store(&text, file).unwrap_or_else(|e| panic!("{file} parses: {e}"));
            store.id = STORE.into();
            let CatalogSource::Connector(source) = &mut store.catalog else { panic!("{file} is a connector store") };
            source.sql = Some(DB_LABEL.into());
            source.sync_interval_minutes = 0;
            source.settings.insert("table_prefix".into(), json!(TABLE_PREFIX));
            (Peer::Sql(shop), store)
        }
    }
}

fn header_credential(origin: &str, header: &str, prefix: &str) -> CredentialConfig {
    CredentialConfig {
        host: origin.to_owned(),
        kind: CredentialKind::Header,
        header: header.into(),
        value_env: TOKEN_ENV.into(),
        prefix: prefix.into(),
        username_env: String::new(),
        password_env: String::new(),
    }
}

// ---- floors ------------------------------------------------------------------------

/// A transport that sends over the network as the gateway's does, and
/// keeps each request for the replay.
struct RecordingTransport {
    client: reqwest::Client,
    sent: Mutex<Vec<TransportRequest>>,
}

async fn send(client: &reqwest::Client, request: &TransportRequest) -> Result<IncomingResponse, HttpFailure> {
    let mut builder = client.request(request.method.clone(), request.url.clone()).timeout(request.timeout);
    for (name, value) in request.wire_headers() {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.map_err(|e| HttpFailure::Transport(e.to_string()))?;
    let status = response.status().as_u16();
    let headers = response.headers().iter().map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect();
    let body = response.bytes().await.map_err(|e| HttpFailure::Transport(e.to_string()))?.to_vec();
    Ok(IncomingResponse { status, headers, body })
}

#[async_trait::async_trait]
impl HttpTransport for RecordingTransport {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
        self.sent.lock().expect("not poisoned").push(request.clone());
        send(&self.client, &request).await
    }
}

/// The store's SQL gate, keeping each statement for the replay.
struct RecordingSql {
    gate: Arc<dyn SqlExecutor>,
    sent: Mutex<Vec<(String, Vec<SqlValue>)>>,
}

#[async_trait::async_trait]
impl SqlExecutor for RecordingSql {
    async fn query(&self, statement: &str, params: Vec<SqlValue>) -> Result<SqlRows, SqlFailure> {
        self.sent.lock().expect("not poisoned").push((statement.to_owned(), params.clone()));
        self.gate.query(statement, params).await
    }
}

struct Floors {
    connector_alone: Duration,
    peer_alone: Duration,
    /// Shopify: the query cost the run used over the bucket's restore rate.
    rate_limit: Option<Duration>,
    pages: usize,
    requests: usize,
}

/// Pages through the store's catalog with its plugin alone, then replays
/// what the plugin sent straight to the peer.
async fn floors(gateway: &GatewayConfig, store: &StoreConfig, peer: &Peer) -> Floors {
    let CatalogSource::Connector(source) = &store.catalog else { panic!("a connector store") };
    let host = PluginHost::new(PluginEngine::new(Default::default()).expect("plugin engine"));
    let manifest = gateway.plugin_manifest(&source.plugin).expect("the plugin is installed");
    let slot = PluginSlot::new(host.load(&manifest).await.expect("the plugin loads"));
    let mut grants = chatgw::connector::grants(gateway, &store.id, source, &slot.current().manifest().capabilities).expect("the store's grants");
    let sql = grants.sql.take().map(|gate| Arc::new(RecordingSql { gate, sent: Mutex::new(Vec::new()) }));
    grants.sql = sql.clone().map(|s| s as Arc<dyn SqlExecutor>);
    let http = Arc::new(RecordingTransport {
        client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).no_proxy().build().expect("client"),
        sent: Mutex::new(Vec::new()),
    });
    let handle = slot.connector_with_transport(grants, chatgw::connector::call_limits(gateway), http.clone()).expect("the plugin binds");
    let settings = serde_json::to_string(&source.settings).expect("settings are JSON");

    let calls_before = match peer {
        Peer::Shopify(api) => api.controls().calls.len(),
        _ => 0,
    };
    let started = Instant::now();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = match handle.sync_products(&settings, cursor.as_deref(), None).await {
            Ok(page) => page,
            // Waited out as the gateway waits.
            Err(PluginError::Connector(ConnectorError::RateLimited(after))) => {
                tokio::time::sleep(Duration::from_secs(after.unwrap_or(2).into())).await;
                continue;
            }
            Err(e) => panic!("page {pages}: {e}"),
        };
        pages += 1;
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let connector_alone = started.elapsed();

    let mut requests: Vec<TransportRequest> = std::mem::take(&mut *http.sent.lock().expect("not poisoned"));
    // A request sent again (after a throttle) is replayed once.
    requests.dedup_by(|a, b| a.method == b.method && a.url == b.url && a.body == b.body);
    let statements = sql.as_ref().map(|s| std::mem::take(&mut *s.sent.lock().expect("not poisoned"))).unwrap_or_default();
    // Shopify's cost bucket: the points the run used over the rate they
    // come back at is a floor of its own; the replay runs unthrottled.
    let mut rate_limit = None;
    let mut bucket = None;
    if let Peer::Shopify(api) = peer {
        let mut c = api.controls();
        let used: u64 = c.calls[calls_before..].iter().map(|call| call.actual_cost).sum();
        rate_limit = Some(Duration::from_secs_f64(used as f64 / c.bucket.restore_rate));
        bucket = Some(std::mem::replace(&mut c.bucket, Bucket::new(f64::MAX / 4.0, f64::MAX / 4.0)));
    }
    let started = Instant::now();
    for request in &requests {
        let response = send(&http.client, request).await.expect("the peer answers the replay");
        assert!(response.status < 400, "the replay of {} got {}", request.url, response.status);
    }
    if let Some(sql) = &sql {
        for (statement, params) in &statements {
            sql.gate.query(statement, params.clone()).await.expect("the database answers the replay");
        }
    }
    let peer_alone = started.elapsed();
    if let (Peer::Shopify(api), Some(bucket)) = (peer, bucket) {
        api.controls().bucket = bucket;
    }
    Floors { connector_alone, peer_alone, rate_limit, pages, requests: requests.len() + statements.len() }
}

// ---- the run -----------------------------------------------------------------------

struct Row {
    connector: Connector,
    storage: StorageKind,
    /// Products the sync landed (the catalog's drafts and hidden ones stay out).
    landed: usize,
    total: Duration,
    floors: Option<Arc<Floors>>,
}

async fn sync_once(gateway: &GatewayConfig, store: &StoreConfig, storage: Arc<dyn Storage>, embedder: Arc<dyn Embedder>) -> (usize, Duration) {
    let services = Services { storage: storage.clone(), sessions: Arc::new(MemorySessions::new(Duration::from_secs(600))), embedder };
    let app = App::new(gateway.clone(), services, vec![(store.clone(), Arc::new(OfflineModel) as _)]).await.expect("the gateway starts");
    let started = Instant::now();
    let report = app.sync_store(STORE, SyncMode::Full).await.unwrap_or_else(|e| panic!("full sync: {e}"));
    let total = started.elapsed();
    assert!(report.embedded >= report.created, "every card embedded: {report:?}");
    assert_eq!(storage.count_products(STORE).await.expect("count"), report.created as u64, "{report:?}");
    (report.created, total)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let products: usize = std::env::var("CHATGW_BENCH_PRODUCTS").ok().map_or(3_000, |n| n.parse().expect("CHATGW_BENCH_PRODUCTS is a number"));
    let connectors = chosen("CHATGW_BENCH_CONNECTORS", &Connector::ALL, Connector::name);
    let storages = chosen("CHATGW_BENCH_STORAGE", &[StorageKind::Sqlite, StorageKind::Postgres], StorageKind::name);
    let mut embedder_name = String::new();
    let mut rows = Vec::new();
    for connector in connectors {
        let mut gateway = GatewayConfig::default();
        let (name, embedder) = embedder(&mut gateway);
        embedder_name = name;
        let (peer, store) = peer(connector, products, &mut gateway).await;
        let floors = Arc::new(floors(&gateway, &store, &peer).await);
        eprintln!(
            "{}: {} pages, {} requests; connector alone {:.2} s, peer alone {:.2} s{}",
            connector.name(),
            floors.pages,
            floors.requests,
            floors.connector_alone.as_secs_f64(),
            floors.peer_alone.as_secs_f64(),
            floors.rate_limit.map_or(String::new(), |r| format!(", rate limit {:.2} s", r.as_secs_f64()))
        );
        for (i, &kind) in storages.iter().enumerate() {
            let dir = tempfile::tempdir().expect("temp dir");
            let (synced, total) = match kind {
                StorageKind::Sqlite => {
                    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display());
                    let storage = SqliteStorage::open(&url).await.expect("sqlite storage");
                    storage.migrate().await.expect("migrate sqlite");
                    sync_once(&gateway, &store, Arc::new(storage), embedder.clone()).await
                }
                StorageKind::Postgres => {
                    let pg = common::postgres().await;
                    let done = sync_once(&gateway, &store, pg.dyn_storage(), embedder.clone()).await;
                    pg.drop_schema().await;
                    done
                }
            };
            eprintln!("{} on {}: {synced} products in {:.2} s", connector.name(), kind.name(), total.as_secs_f64());
            rows.push(Row { connector, storage: kind, landed: synced, total, floors: (i == 0).then(|| floors.clone()) });
        }
    }

    let build = if cfg!(debug_assertions) { "debug build (`--profile dev`)" } else { "release build" };
    println!("full first sync + embedding ({embedder_name} embedder), {products} products per catalog, {build}");
    println!(
        "{:<13} {:<9} {:>7} {:>8} {:>11} | {:>17} {:>12} {:>12}",
        "connector", "storage", "landed", "total s", "products/s", "connector alone s", "peer alone s", "rate limit s"
    );
    for row in &rows {
        let floors = row.floors.as_ref().map_or_else(
            || format!("{:>17} {:>12} {:>12}", "", "", ""),
            |f| {
                let rate = f.rate_limit.map_or_else(|| "-".to_owned(), |r| format!("{:.2}", r.as_secs_f64()));
                format!("{:>17.2} {:>12.2} {rate:>12}", f.connector_alone.as_secs_f64(), f.peer_alone.as_secs_f64())
            },
        );
        println!(
            "{:<13} {:<9} {:>7} {:>8.2} {:>11.0} | {floors}",
            row.connector.name(),
            row.storage.name(),
            row.landed,
            row.total.as_secs_f64(),
            products as f64 / row.total.as_secs_f64()
        );
    }
}
