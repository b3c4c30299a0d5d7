//! An edit delivered by webhook, searchable: on a WooCommerce store of
//! 3,000 products synced through the shipped connector (the emulator over
//! real HTTP, a SQLite file, the local embedder), a merchant renames a
//! product; the time runs from the moment the signed `product.updated`
//! delivery is sent to the gateway's webhook endpoint until a shopper's
//! chat message naming the new title gets the product among its cards.
//! 100 edits, one after another; prints p50, p95 and max (target: 2 s).
//!
//! `bash scripts/build-connectors.sh woocommerce && cargo bench -p chatgw --bench webhook_search`

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chatgw::App;
use chatgw::app::Services;
use chatgw::config::{CatalogSource, ConnectorSource, CredentialConfig, CredentialKind, GatewayConfig, HttpGrantConfig, StoreConfig, WebhookConfig};
use chatgw::connector::sync::SyncMode;
use chatgw::embed::LocalEmbedder;
use chatgw::llm::offline::OfflineModel;
use chatgw::session::MemorySessions;
use chatgw::storage::{SqliteStorage, Storage};
use chatgw_emulators::woocommerce::webhook::Webhook;
use chatgw_emulators::woocommerce::{self, CatalogSpec, ProductType, WooCommerceEmulator};

const STORE: &str = "bench";
const KEY: &str = "pk_bench";
const EDITS: usize = 100;
const PRODUCTS: usize = 3_000;
const WEBHOOK_ID: u64 = 7;
const WEBHOOK_SECRET: &str = "bench-webhook-secret";
/// Longest wait for one edit to become searchable before the bench gives up on it.
const GIVE_UP: Duration = Duration::from_secs(30);

fn store(api: &WooCommerceEmulator) -> StoreConfig {
    let credential = CredentialConfig {
        host: format!("http://{}", api.host_port()),
        kind: CredentialKind::Basic,
        header: String::new(),
        value_env: String::new(),
        prefix: String::new(),
        username_env: "CHATGW_BENCH_WC_KEY".into(),
        password_env: "CHATGW_BENCH_WC_SECRET".into(),
    };
    let mut store = chatgw::demo::store_config("127.0.0.1:0");
    store.id = STORE.into();
    store.name = "Bench shop".into();
    store.languages = vec!["en".into()];
    store.public_key = KEY.into();
    store.shipping = None;
    // The bench sends as fast as one shopper can: no per-session throttling.
    store.limits.chat_per_session = chatgw::config::Rate { per_minute: 100_000, burst: 100_000 };
    store.limits.chat_per_ip = chatgw::config::Rate { per_minute: 100_000, burst: 100_000 };
    store.limits.chat_per_store = chatgw::config::Rate { per_minute: 100_000, burst: 100_000 };
    store.limits.webhooks_per_store = chatgw::config::Rate { per_minute: 100_000, burst: 100_000 };
    store.catalog = CatalogSource::Connector(ConnectorSource {
        plugin: "woocommerce".into(),
        settings: BTreeMap::from([("base_url".to_owned(), serde_json::json!(api.base_url()))]),
        sync_interval_minutes: 0,
        http: Some(HttpGrantConfig { allowed_hosts: vec![], private_hosts: vec![api.host_port()], credentials: vec![credential] }),
        sql: None,
        webhook: Some(WebhookConfig { secret_env: "CHATGW_BENCH_WC_WEBHOOK".into(), delivery_id_header: None }),
        max_pages_per_sync: 10_000,
        max_webhook_events: 250,
    });
    store
}

/// A made-up word no catalog has, and unlike the other edits' words (so
/// earlier edits are not near neighbours of this one). It goes in front of
/// the product's title, as a merchant renames a product into a new line
/// ("Vufari Linen Shirt"): the kind of product stays what it was, and the
/// shopper's search can only find this one by the new word.
fn new_name(i: usize) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "vu", "ro", "mi", "te", "spa", "lo", "qui", "zen", "do", "fa", "ri", "bo", "nu", "xe", "ga", "pli", "tor", "we", "yas", "hu", "dre", "jo", "cel",
    ];
    // Three syllables from the digits (base 24) of a multiplicative hash.
    let mut x = (i as u64 + 1).wrapping_mul(2_654_435_761) % (1 << 32);
    let word: String = (0..3)
        .map(|_| {
            let syllable = SYLLABLES[(x % 24) as usize];
            x /= 24;
            syllable
        })
        .collect();
    let mut name: Vec<char> = word.chars().collect();
    name[0] = name[0].to_ascii_uppercase();
    name.into_iter().collect()
}

async fn shows(client: &reqwest::Client, base: &str, name: &str, product_id: &str) -> bool {
    let body = client
        .post(format!("{base}/v1/chat"))
        .header("X-Store-Key", KEY)
        .json(&serde_json::json!({ "message": format!("do you have the {name}?") }))
        .send()
        .await
        .expect("chat")
        .text()
        .await
        .expect("chat body");
    let products = body.split("event: products\ndata: ").nth(1).and_then(|rest| rest.lines().next()).unwrap_or("{}");
    let products: serde_json::Value = serde_json::from_str(products).expect("products event is JSON");

    products["items"].as_array().is_some_and(|items| items.iter().any(|item| item["id"] == product_id))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    // Set before anything reads the environment.
    unsafe {
        std::env::set_var("CHATGW_BENCH_WC_KEY", woocommerce::CONSUMER_KEY);
        std::env::set_var("CHATGW_BENCH_WC_SECRET", woocommerce::CONSUMER_SECRET);
        std::env::set_var("CHATGW_BENCH_WC_WEBHOOK", WEBHOOK_SECRET);
    }
    let api = WooCommerceEmulator::start(woocommerce::generate(&CatalogSpec { products: PRODUCTS, ..CatalogSpec::default() })).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = SqliteStorage::open(&format!("sqlite://{}?mode=rwc", dir.path().join("bench.sqlite").display())).await.expect("sqlite");
    storage.migrate().await.expect("migrate");
    let mut gateway = GatewayConfig::default();
    gateway.plugins.insert("woocommerce".into(), chatgw_emulators::connector_manifest("woocommerce").display().to_string());
    let services = Services {
        storage: Arc::new(storage) as Arc<dyn Storage>,
        sessions: Arc::new(MemorySessions::new(Duration::from_secs(600))),
        embedder: Arc::new(LocalEmbedder::default()),
    };
    let app = App::new(gateway, services, vec![(store(&api), Arc::new(OfflineModel) as _)]).await.expect("gateway");
    let started = Instant::now();
    let report = app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    println!("full sync + embedding of {PRODUCTS} products: {:.2} s ({report:?})", started.elapsed().as_secs_f64());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(chatgw::http::serve(app, listener));
    let client = reqwest::Client::new();
    let ids: Vec<u64> = api
        .controls()
        .store
        .products
        .iter()
        .filter(|p| p.status == "publish" && p.catalog_visibility != "hidden" && p.kind == ProductType::Simple)
        .map(|p| p.id)
        .take(EDITS)
        .collect();
    assert_eq!(ids.len(), EDITS, "enough simple products to edit");

    let mut times = Vec::with_capacity(EDITS);
    for (i, id) in ids.iter().enumerate() {
        let (name, delivery) = {
            let mut controls = api.controls();
            let mut name = String::new();
            controls.store.update_product(*id, chrono::Utc::now(), |p| {
                p.name = format!("{} {}", new_name(i), p.name);
                name = p.name.clone();
            });
            (name, Webhook::product(&controls.store, WEBHOOK_ID, "product.updated", *id))
        };
        let sent = Instant::now();
        let response = delivery.deliver(&client, &format!("{base}/v1/webhooks/{STORE}/product.updated"), WEBHOOK_SECRET).await;
        assert!(response.status().is_success(), "webhook accepted: {}", response.status());

        loop {
            if shows(&client, &base, &name, &id.to_string()).await {
                times.push(sent.elapsed());
                break;
            }
            assert!(sent.elapsed() < GIVE_UP, "edit {i} ({name}) not searchable after {GIVE_UP:?}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    times.sort();
    println!(
        "webhook edit -> searchable, {EDITS} edits: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (target: 2000 ms)",
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        times.last().expect("edits").as_secs_f64() * 1e3,
    );
}
