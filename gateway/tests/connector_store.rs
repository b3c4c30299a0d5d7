//! A store whose catalog and live facts come from a connector plugin: the
//! example Lookbook plugin (built with the SDK only) against a Lookbook API
//! emulator over real HTTP. Shows the catalog synced page by page and
//! resumed after a failure, stock read live in a chat turn, order status
//! shown only to the right email, the plugin's own tool offered to the
//! model, and webhooks verified before the plugin sees them.

mod chat_support;
mod common;
mod lookbook;

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use chat_support::*;
use chatgw::App;
use chatgw::config::{
    CatalogSource, ConnectorSource, CredentialConfig, CredentialKind, HttpGrantConfig, ModelRouting, RetrievalConfig, StoreConfig, WebhookConfig,
};
use chatgw::connector::sync::SyncMode;
use chatgw::llm::ToolCall;
use chatgw::storage::Storage;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const TOKEN_ENV: &str = "CHATGW_TEST_LOOKBOOK_TOKEN";
const WEBHOOK_ENV: &str = "CHATGW_TEST_LOOKBOOK_WEBHOOK_SECRET";
const WEBHOOK_SECRET: &str = "whsec_lookbook_test_1b2c";
const KEY: &str = "pk_lookbook_test";

fn set_secrets() {
    // Each test runs in its own process (nextest); no other thread reads
    // the environment while this runs at the start of the test.
    unsafe {
        std::env::set_var(TOKEN_ENV, lookbook::TOKEN);
        std::env::set_var(WEBHOOK_ENV, WEBHOOK_SECRET);
    }
}

/// The header the test store names for Lookbook's delivery ids.
const DELIVERY_HEADER: &str = "X-Lookbook-Delivery";

fn store(api: &lookbook::Lookbook) -> StoreConfig {
    StoreConfig {
        id: "lookbook".into(),
        name: "Lookbook".into(),
        languages: vec!["en".into()],
        public_key: KEY.into(),
        allowed_origins: vec![],
        currency: "EUR".into(),
        persona: String::new(),
        policies: String::new(),
        catalog: CatalogSource::Connector(ConnectorSource {
            plugin: "lookbook".into(),
            settings: BTreeMap::from([("api_base".into(), json!(api.api_base())), ("page_size".into(), json!(2))]),
            sync_interval_minutes: 0,
            http: Some(HttpGrantConfig {
                allowed_hosts: vec![],
                private_hosts: vec![api.private_host()],
                // Plain http is allowed only because the host is private.
                credentials: vec![CredentialConfig {
                    host: format!("http://{}", api.private_host()),
                    kind: CredentialKind::Header,
                    header: "Authorization".into(),
                    value_env: TOKEN_ENV.into(),
                    prefix: "Bearer ".into(),
                    username_env: String::new(),
                    password_env: String::new(),
                }],
            }),
            sql: None,
            webhook: Some(WebhookConfig { secret_env: WEBHOOK_ENV.into(), delivery_id_header: Some(DELIVERY_HEADER.into()) }),
            max_pages_per_sync: 10_000,
            max_webhook_events: 250,
        }),
        models: ModelRouting::default(),
        retrieval: RetrievalConfig::default(),
        limits: Default::default(),
        handoff: Default::default(),
        shipping: None,
        widget: Default::default(),
    }
}

async fn gateway(api: &lookbook::Lookbook) -> (App, Arc<dyn Storage>) {
    gateway_with_plugin(api, lookbook::plugin_manifest()).await
}

async fn gateway_with_plugin(api: &lookbook::Lookbook, manifest: &std::path::Path) -> (App, Arc<dyn Storage>) {
    let storage: Arc<dyn Storage> = common::sqlite().await;
    (gateway_on(api, manifest, storage.clone(), |_| {}).await, storage)
}

/// A gateway for the Lookbook store on `storage`, its connector settings
/// changed by `edit`.
async fn gateway_on(api: &lookbook::Lookbook, manifest: &std::path::Path, storage: Arc<dyn Storage>, edit: impl FnOnce(&mut ConnectorSource)) -> App {
    set_secrets();
    let mut config = gateway_config();
    config.plugins.insert("lookbook".into(), manifest.display().to_string());
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage, sessions: memory_sessions(), embedder };
    let mut store = store(api);
    if let CatalogSource::Connector(source) = &mut store.catalog {
        edit(source);
    }
    App::new(config, services, vec![(store, model)]).await.expect("gateway with a connector store builds")
}

fn call(name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: format!("call_{name}"), name: name.into(), arguments: arguments.to_string() }
}

#[tokio::test]
async fn catalog_syncs_page_by_page_and_a_cut_off_sync_resumes() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    // Drafts are not for sale: they never reach the catalog.
    let total = api.shop.lock().unwrap().products.iter().filter(|p| p["state"] == "published").count();
    assert!(total < api.shop.lock().unwrap().products.len(), "the fixtures include a draft");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), 0, "nothing is synced before the first run");

    // Page 2 fails once: the run stops after page 1 and says why.
    api.shop.lock().unwrap().fail_pages.push(2);
    let failed = app.sync_store("lookbook", SyncMode::Full).await.expect_err("page 2 answers 500");
    assert!(failed.to_string().contains("lookbook"), "{failed}");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), 2, "page 1 landed before the failure");
    let state = storage.get_sync_state("lookbook").await.unwrap().expect("progress is saved");
    assert!(state.run_started_at.is_some() && state.cursor.is_some(), "{state:?}");
    assert!(state.last_error.as_deref().is_some_and(|e| !e.contains(lookbook::TOKEN)), "{state:?}");

    // The next run resumes at page 2: page 1 is not fetched again.
    let report = app.sync_store("lookbook", SyncMode::Incremental).await.expect("resumed sync finishes");
    assert_eq!(api.page_requests(1), 1, "the resumed run starts where the first stopped");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), total as u64);
    assert_eq!(report.created, total - 2, "{report:?}");
    assert!(report.embedded >= total - 2, "{report:?}");
    let state = storage.get_sync_state("lookbook").await.unwrap().unwrap();
    assert!(state.run_started_at.is_none() && state.last_full_at.is_some() && state.last_error.is_none(), "{state:?}");
    assert_eq!(api.shop.lock().unwrap().unauthorised, 0, "the host added the API key to every request");

    // Cards are searchable and carry no stock.
    let cards = app.store("lookbook").unwrap().search.search("lookbook", "linen dress", &["en".into()], Default::default()).await.unwrap();
    assert_eq!(cards[0].product.id, "prd_01");
    assert!(cards[0].product.variants.iter().all(|v| v.inventory_quantity.is_none()));

    // A product the store no longer lists goes at the next full sync.
    api.shop.lock().unwrap().products.retain(|p| p["id"] != "prd_02");
    let report = app.sync_store("lookbook", SyncMode::Full).await.unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    assert!(storage.get_products("lookbook", &["prd_02".into()]).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_chat_turn_reads_stock_live_from_the_connector() {
    let api = lookbook::serve().await;
    let (app, _storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let base = serve(app).await;

    let answer = chat(&base, KEY, None, "Do you have the Linen wrap dress in size M?").await;
    let tools: Vec<&Value> = answer.all("tool");
    assert!(tools.iter().any(|t| t["name"] == "get_stock" && t["status"] == "ok"), "{:?}", answer.events);
    assert!(api.shop.lock().unwrap().requests.iter().any(|r| r.starts_with("GET /v2/variants/LB-DRS-001-M/stock")), "stock was read live");
    assert!(answer.text().contains('M'), "{}", answer.text());

    let transcript: Value = reqwest::Client::new()
        .get(format!("{base}/v1/sessions/{}/messages", answer.session_id()))
        .header("X-Store-Key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(transcript["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn order_status_is_shown_only_to_the_orders_email() {
    let api = lookbook::serve().await;
    let (app, _storage) = gateway(&api).await;
    let tools = app.store("lookbook").unwrap().tools.clone();
    let names: Vec<String> = tools.definitions().into_iter().map(|t| t.name).collect();
    assert!(names.contains(&"get_order_status".to_owned()) && names.contains(&"size_guide".to_owned()), "{names:?}");

    let ok = tools.call("lookbook", &call("get_order_status", json!({"order_ref": "LB-10042", "email": " Mara.Keller@example.com "}))).await;
    assert!(ok.ok, "{:?}", ok.result);
    assert_eq!(ok.result["status"], "shipped");
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["number"], "JJD0099887766");
    assert!(!ok.result.to_string().contains("mara.keller"), "the customer's email is never returned");

    let wrong_email = tools.call("lookbook", &call("get_order_status", json!({"order_ref": "LB-10042", "email": "someone@example.com"}))).await;
    let unknown = tools.call("lookbook", &call("get_order_status", json!({"order_ref": "LB-99999", "email": "mara.keller@example.com"}))).await;
    assert!(!wrong_email.ok && !unknown.ok);
    assert_eq!(wrong_email.result, unknown.result, "a wrong email and an unknown order look the same");
    assert!(!wrong_email.result.to_string().contains("shipped"));

    let missing = tools.call("lookbook", &call("get_order_status", json!({"order_ref": "LB-10042"}))).await;
    assert!(!missing.ok && missing.result["error"].as_str().unwrap().contains("email"));

    let guide = tools.call("lookbook", &call("size_guide", json!({"category": "dresses"}))).await;
    assert!(guide.ok, "{:?}", guide.result);
}

fn sign(body: &[u8], secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn webhooks_are_verified_before_the_plugin_parses_them() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let base = serve(app).await;
    let client = reqwest::Client::new();
    let body =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plugins/lookbook-connector/fixtures/webhooks/inventory-updated.json"))
            .unwrap();
    let url = format!("{base}/v1/webhooks/lookbook/inventory.updated");

    let forged = client.post(&url).header("X-Lookbook-Hmac-Sha256", sign(&body, "not-the-secret")).body(body.clone()).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    let error: Value = forged.json().await.unwrap();
    assert_eq!(error["error"]["code"], "bad_signature");
    let unsigned = client.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    let (_, before) = storage.find_variant("lookbook", "LB-DRS-001-S").await.unwrap().unwrap();

    let signed = client.post(&url).header("X-Lookbook-Hmac-Sha256", sign(&body, WEBHOOK_SECRET)).body(body.clone()).send().await.unwrap();
    assert_eq!(signed.status(), 200, "{:?}", signed.text().await);
    let (_, after) = storage.find_variant("lookbook", "LB-DRS-001-S").await.unwrap().unwrap();
    assert_eq!(after.inventory_quantity, Some(1), "the webhook's stock (1 + 0 over two locations) was applied; before: {before:?}");

    let elsewhere = client.post(format!("{base}/v1/webhooks/nope/inventory.updated")).body(body).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404);
}

/// The installed plugin with `extra` appended as a custom section (a valid
/// component with another sha256) and its manifest naming `sha256`.
fn install(dir: &std::path::Path, extra: &[u8], sha256: Option<&str>) -> std::path::PathBuf {
    let dist = lookbook::plugin_manifest().parent().unwrap().to_owned();
    let mut wasm = std::fs::read(dist.join("connector.wasm")).unwrap();
    if !extra.is_empty() {
        let name = b"chatgw-test";
        wasm.extend_from_slice(&[0, (1 + name.len() + extra.len()) as u8, name.len() as u8]);
        wasm.extend_from_slice(name);
        wasm.extend_from_slice(extra);
    }
    std::fs::write(dir.join("connector.wasm"), &wasm).unwrap();
    let sum = sha256.map(str::to_owned).unwrap_or_else(|| hex::encode(<Sha256 as sha2::Digest>::digest(&wasm)));
    let manifest = std::fs::read_to_string(dist.join("connector.toml")).unwrap();
    let manifest: String = manifest.lines().map(|l| if l.starts_with("sha256") { format!("sha256 = \"{sum}\"\n") } else { format!("{l}\n") }).collect();
    std::fs::write(dir.join("connector.toml"), manifest).unwrap();
    dir.join("connector.toml")
}

#[tokio::test]
async fn a_changed_plugin_file_is_reloaded_without_failing_calls_in_flight() {
    let api = lookbook::serve().await;
    let dir = tempfile::tempdir().unwrap();
    let manifest = install(dir.path(), b"", None);
    let (app, _storage) = gateway_with_plugin(&api, &manifest).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let connector = app.connector("lookbook").unwrap();
    let first = connector.plugin_sha256();
    assert!(app.reload_plugins().await.is_empty(), "nothing changed yet");

    // A slow stock call is in flight when the new version lands.
    api.shop.lock().unwrap().stock_delay = std::time::Duration::from_millis(600);
    let tools = app.store("lookbook").unwrap().tools.clone();
    let in_flight = tokio::spawn(async move { tools.call("lookbook", &call("get_stock", json!({"sku": "LB-DRS-001-M"}))).await });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    install(dir.path(), b"v2", None);
    let changes = app.reload_plugins().await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let second = changes[0].1.as_ref().expect("the new version loads").clone();
    assert_ne!(first, second);
    let outcome = in_flight.await.unwrap();
    assert!(outcome.ok, "the call in flight finished on the old version: {:?}", outcome.result);
    assert_eq!(connector.plugin_sha256(), second, "new calls use the new version");

    // A file that does not match its manifest is refused; the running
    // version keeps serving.
    api.shop.lock().unwrap().stock_delay = std::time::Duration::ZERO;
    install(dir.path(), b"v3", Some(&"0".repeat(64)));
    let changes = app.reload_plugins().await;
    assert!(changes[0].1.as_ref().is_err_and(|e| e.to_string().contains("sha256")), "{changes:?}");
    assert_eq!(connector.plugin_sha256(), second);
    let tools = app.store("lookbook").unwrap().tools.clone();
    assert!(tools.call("lookbook", &call("get_stock", json!({"sku": "LB-DRS-001-M"}))).await.ok);
}

// --- issue 8: pagination bounds, webhook caps, replays and topic swaps ---

/// Products for sale in the emulated store.
fn published(api: &lookbook::Lookbook) -> u64 {
    api.shop.lock().unwrap().products.iter().filter(|p| p["state"] == "published").count() as u64
}

/// Signed headers for a Lookbook webhook body, with a delivery id.
fn signed(body: &[u8], delivery: &str) -> Vec<chatgw_plugins::Header> {
    vec![
        chatgw_plugins::Header { name: "X-Lookbook-Hmac-Sha256".into(), value: sign(body, WEBHOOK_SECRET) },
        chatgw_plugins::Header { name: DELIVERY_HEADER.into(), value: delivery.into() },
    ]
}

/// `prd_01` as Lookbook sends it in a webhook: at `updated_at`, for `price`.
fn dress_body(api: &lookbook::Lookbook, updated_at: chrono::DateTime<chrono::Utc>, price: &str) -> Vec<u8> {
    let mut product = api.product("prd_01");
    product["updated_at"] = json!(updated_at.to_rfc3339());
    product["price"] = json!({"amount": price, "currency": "EUR"});
    product["sale_price"] = Value::Null;
    serde_json::to_vec(&product).unwrap()
}

async fn dress_price(storage: &Arc<dyn Storage>) -> Option<String> {
    storage.find_variant("lookbook", "LB-DRS-001-M").await.unwrap().map(|(_, v)| v.price)
}

/// Bounds a step that must not wait for anything slow.
async fn promptly<T>(what: &str, step: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(30), step).await.unwrap_or_else(|_| panic!("{what} did not finish within 30 s"))
}

#[tokio::test]
async fn a_webhook_is_applied_while_a_slow_sync_holds_a_page() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("first sync");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("99.00"), "the fixture's sale price");

    // The next sync's first page hangs in the store API until released.
    let gate = Arc::new(lookbook::PageGate::default());
    api.shop.lock().unwrap().page_gate = Some(gate.clone());
    let syncing = tokio::spawn({
        let app = app.clone();
        async move { app.sync_store("lookbook", SyncMode::Full).await }
    });
    promptly("the sync's page request", gate.reached.notified()).await;

    let body = dress_body(&api, chrono::Utc::now() - chrono::TimeDelta::minutes(5), "149.00");
    let report = promptly("a webhook during a sync", app.apply_webhook("lookbook", "product.updated", signed(&body, "d-slow-1"), body.clone()))
        .await
        .expect("webhook applied");
    assert_eq!(report.products.updated, 1, "{report:?}");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("149.00"), "applied while the sync waits");

    // The sync then lands a page read before the webhook: it must not roll
    // the price back.
    api.shop.lock().unwrap().page_gate = None;
    gate.release.notify_one();
    let report = promptly("the released sync", syncing).await.unwrap().expect("the sync finishes");
    assert!(report.stale >= 1, "{report:?}");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("149.00"), "the older page did not win");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), published(&api), "the full sync kept the dress");
}

#[tokio::test]
async fn a_sync_stops_at_the_page_cap_and_resumes_when_it_is_raised() {
    let api = lookbook::serve().await;
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let capped = gateway_on(&api, lookbook::plugin_manifest(), storage.clone(), |s| s.max_pages_per_sync = 1).await;
    let error = capped.sync_store("lookbook", SyncMode::Full).await.expect_err("three pages, one allowed").to_string();
    assert!(error.contains("catalog.max_pages_per_sync") && error.contains("1 pages"), "{error}");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), 2, "page 1 is kept");
    let state = storage.get_sync_state("lookbook").await.unwrap().unwrap();
    assert!(state.last_error.as_deref().is_some_and(|e| e.contains("max_pages_per_sync")) && state.cursor.is_some(), "{state:?}");
    assert_eq!(api.page_requests(2), 0, "no page past the cap was fetched");

    let raised = gateway_on(&api, lookbook::plugin_manifest(), storage.clone(), |_| {}).await;
    raised.sync_store("lookbook", SyncMode::Incremental).await.expect("the resumed run finishes");
    assert_eq!(api.page_requests(1), 1, "resumed after page 1");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), published(&api));
}

#[tokio::test]
async fn a_body_signed_for_one_topic_is_refused_on_another() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let base = serve(app).await;
    // A genuine, validly signed "product updated" delivery...
    let body = dress_body(&api, chrono::Utc::now() - chrono::TimeDelta::minutes(5), "99.00");
    let client = reqwest::Client::new();
    // ...posted to the delete route: the plugin refuses to read a whole
    // product as a deletion, so nothing is deleted.
    let swapped = client
        .post(format!("{base}/v1/webhooks/lookbook/product.deleted"))
        .header("X-Lookbook-Hmac-Sha256", sign(&body, WEBHOOK_SECRET))
        .header(DELIVERY_HEADER, "d-swap-1")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert!(!swapped.status().is_success(), "{}", swapped.status());
    assert_eq!(storage.get_products("lookbook", &["prd_01".into()]).await.unwrap().len(), 1, "the product is intact");

    // The refused delivery did not use up its id: on its own topic it applies.
    let applied = client
        .post(format!("{base}/v1/webhooks/lookbook/product.updated"))
        .header("X-Lookbook-Hmac-Sha256", sign(&body, WEBHOOK_SECRET))
        .header(DELIVERY_HEADER, "d-swap-1")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 200);
    let applied: Value = applied.json().await.unwrap();
    assert_eq!(applied["duplicate"], false, "{applied}");
}

#[tokio::test]
async fn a_replayed_delivery_is_applied_once() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let base = serve(app).await;
    let client = reqwest::Client::new();
    let post = |body: Vec<u8>, delivery: &'static str| {
        client
            .post(format!("{base}/v1/webhooks/lookbook/inventory.updated"))
            .header("X-Lookbook-Hmac-Sha256", sign(&body, WEBHOOK_SECRET))
            .header(DELIVERY_HEADER, delivery)
            .body(body)
            .send()
    };
    let stock = |available: i64| {
        serde_json::to_vec(&json!({"sku": "LB-DRS-001-S", "locations": [{"id": "loc_ber", "name": "Berlin Mitte store", "available": available}]})).unwrap()
    };
    let stock_s = || async { storage.find_variant("lookbook", "LB-DRS-001-S").await.unwrap().unwrap().1.inventory_quantity };

    let first: Value = post(stock(1), "d-stock-1").await.unwrap().json().await.unwrap();
    assert_eq!((first["ok"].clone(), first["duplicate"].clone()), (json!(true), json!(false)), "{first}");
    assert_eq!(stock_s().await, Some(1));
    let second: Value = post(stock(5), "d-stock-2").await.unwrap().json().await.unwrap();
    assert_eq!(second["duplicate"], false);
    assert_eq!(stock_s().await, Some(5));

    // The first delivery again (a retry, or a captured request replayed):
    // 200, marked a duplicate, and the stock stays where the newer one put it.
    let replay = post(stock(1), "d-stock-1").await.unwrap();
    assert_eq!(replay.status(), 200);
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["duplicate"], true, "{replay}");
    assert_eq!(replay["report"]["stock_updates"], 0, "{replay}");
    assert_eq!(stock_s().await, Some(5));
}

#[tokio::test]
async fn an_old_body_replayed_after_a_newer_one_rolls_nothing_back() {
    let api = lookbook::serve().await;
    let (app, storage) = gateway(&api).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let now = chrono::Utc::now();
    let (older, newer) = (dress_body(&api, now - chrono::TimeDelta::hours(2), "59.00"), dress_body(&api, now - chrono::TimeDelta::hours(1), "149.00"));
    app.apply_webhook("lookbook", "product.updated", signed(&older, "d-old"), older.clone()).await.expect("older applies first");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("59.00"));
    app.apply_webhook("lookbook", "product.updated", signed(&newer, "d-new"), newer.clone()).await.expect("newer applies");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("149.00"));

    // The older body again, under a fresh delivery id (headers are not
    // signed): accepted, but stale.
    let replay = app.apply_webhook("lookbook", "product.updated", signed(&older, "d-old-again"), older.clone()).await.expect("replay answered");
    assert_eq!((replay.products.stale, replay.products.updated), (1, 0), "{replay:?}");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("149.00"), "the price was not rolled back");

    // After a delete, a late or replayed update from before it does not
    // bring the product back.
    let deleted = serde_json::to_vec(&json!({"id": "prd_01"})).unwrap();
    let report = app.apply_webhook("lookbook", "product.deleted", signed(&deleted, "d-del"), deleted).await.expect("delete applies");
    assert_eq!(report.products.deleted, 1, "{report:?}");
    let replay = app.apply_webhook("lookbook", "product.updated", signed(&newer, "d-new-again"), newer).await.expect("replay answered");
    assert_eq!(replay.products.stale, 1, "{replay:?}");
    assert!(storage.get_products("lookbook", &["prd_01".into()]).await.unwrap().is_empty(), "not resurrected");

    // A genuine later edit does bring it back.
    let relisted = dress_body(&api, chrono::Utc::now() + chrono::TimeDelta::seconds(1), "139.00");
    app.apply_webhook("lookbook", "product.updated", signed(&relisted, "d-relist"), relisted).await.expect("relisted");
    assert_eq!(dress_price(&storage).await.as_deref(), Some("139.00"));
}

#[tokio::test]
async fn a_delivery_over_the_event_cap_is_refused_whole() {
    let api = lookbook::serve().await;
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let app = gateway_on(&api, lookbook::plugin_manifest(), storage.clone(), |s| s.max_webhook_events = 2).await;
    app.sync_store("lookbook", SyncMode::Full).await.expect("sync");
    let base = serve(app).await;
    // Two locations and the plugin's total: three stock levels.
    let body =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plugins/lookbook-connector/fixtures/webhooks/inventory-updated.json"))
            .unwrap();
    let refused = reqwest::Client::new()
        .post(format!("{base}/v1/webhooks/lookbook/inventory.updated"))
        .header("X-Lookbook-Hmac-Sha256", sign(&body, WEBHOOK_SECRET))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "too_many_webhook_events", "{error}");
    assert!(error["error"]["message"].as_str().unwrap().contains("catalog.max_webhook_events"), "{error}");
    let (_, variant) = storage.find_variant("lookbook", "LB-DRS-001-S").await.unwrap().unwrap();
    assert_eq!(variant.inventory_quantity, None, "nothing of the delivery was applied");
}

#[tokio::test]
async fn two_gateways_on_one_postgres_apply_a_delivery_once() {
    let api = lookbook::serve().await;
    let pg = common::postgres().await;
    let replica = |storage: Arc<dyn Storage>| gateway_on(&api, lookbook::plugin_manifest(), storage, |_| {});
    let first = replica(pg.dyn_storage()).await;
    let second_pool: Arc<dyn Storage> = Arc::new(chatgw::storage::PgStorage::connect(pg.url(), 4).await.expect("a second pool on the test schema"));
    let second = replica(second_pool).await;
    first.sync_store("lookbook", SyncMode::Full).await.expect("sync");

    for round in 0..5 {
        let body = serde_json::to_vec(&json!({"sku": "LB-DRS-001-S", "locations": [{"id": "loc_ber", "name": "Berlin", "available": round}]})).unwrap();
        let delivery = format!("d-replicas-{round}");
        let (a, b) = tokio::join!(
            first.apply_webhook("lookbook", "inventory.updated", signed(&body, &delivery), body.clone()),
            second.apply_webhook("lookbook", "inventory.updated", signed(&body, &delivery), body.clone()),
        );
        let (a, b) = (a.expect("replica 1 answers"), b.expect("replica 2 answers"));
        assert!(a.duplicate != b.duplicate, "round {round}: exactly one replica applies the delivery: {a:?} {b:?}");
        assert_eq!(a.stock_updates + b.stock_updates, 1, "round {round}");
    }
    pg.drop_schema().await;
}

/// Two gateways on one PostgreSQL never sync a store at the same time: while
/// one holds the store's sync (an advisory lock on a session of its own),
/// the other's run is skipped with an error that says why; once the holder
/// lets go (its session ends, as it does when a replica dies), the other
/// syncs.
#[tokio::test]
async fn two_gateways_on_one_postgres_never_sync_a_store_at_once() {
    let api = lookbook::serve().await;
    let pg = common::postgres().await;
    let replica = |storage: Arc<dyn Storage>| gateway_on(&api, lookbook::plugin_manifest(), storage, |_| {});
    let first_storage = pg.dyn_storage();
    // A pool of one: the lease's session is not one of the pool's, so the
    // sync still gets a connection.
    let second_storage: Arc<dyn Storage> = Arc::new(chatgw::storage::PgStorage::connect(pg.url(), 1).await.expect("a second pool on the test schema"));
    let second = replica(second_storage.clone()).await;
    let held = first_storage.lease_store_sync("lookbook").await.unwrap().expect("the first replica takes the store's sync");
    assert!(second_storage.lease_store_sync("lookbook").await.unwrap().is_none(), "a second lease while the first is held");
    assert!(second_storage.lease_store_sync("other-store").await.unwrap().is_some(), "another store is not held");
    let skipped = second.sync_store("lookbook", SyncMode::Full).await.expect_err("the other replica holds the sync");
    assert!(matches!(skipped, chatgw::Error::SyncHeldElsewhere { .. }), "{skipped:?}");
    assert!(skipped.to_string().contains("another gateway process") && skipped.to_string().contains("lookbook"), "{skipped}");
    assert_eq!(second_storage.count_products("lookbook").await.unwrap(), 0, "the skipped run wrote nothing");

    drop(held);
    // The lease's session is closed on drop; the server lets the lock go
    // when it sees the session end.
    let mut report = None;
    for _ in 0..50 {
        match second.sync_store("lookbook", SyncMode::Full).await {
            Ok(r) => {
                report = Some(r);
                break;
            }
            Err(chatgw::Error::SyncHeldElsewhere { .. }) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            Err(e) => panic!("sync after the lease was dropped: {e}"),
        }
    }
    let report = report.expect("the sync runs once the first replica lets go");
    assert!(report.created > 0, "{report:?}");

    pg.drop_schema().await;
}

/// The host tests' well-behaved guest (`plugins/guests/good-connector`),
/// built once and installed in `dir`: it takes its next page cursor from
/// the store API's `next_page`, so an API can make it repeat one.
fn install_good_connector(dir: &std::path::Path) -> std::path::PathBuf {
    let guests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/guests");
    std::fs::create_dir_all(guests.join("target")).unwrap();
    let lock = std::fs::File::create(guests.join("target/.build-lock")).expect("create the guest build lock");
    lock.lock().expect("take the guest build lock");
    let mut cargo = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir", "target", "-p", "good-connector"]);
    let output = lookbook::guest_build(&mut cargo, &guests).output().expect("run cargo to build the guest plugins");
    assert!(output.status.success(), "building plugins/guests failed (`rustup target add wasm32-wasip2`):\n{}", String::from_utf8_lossy(&output.stderr));
    let wasm = std::fs::read(guests.join("target/wasm32-wasip2/release/good_connector.wasm")).expect("the built guest");
    std::fs::write(dir.join("connector.wasm"), &wasm).unwrap();
    let sha256 = hex::encode(<Sha256 as sha2::Digest>::digest(&wasm));
    let manifest = format!(
        "id = \"test-good\"\nversion = \"0.1.0\"\ncontract = \"1.0.0\"\ncapabilities = [\"http\", \"log\", \"clock\"]\nsha256 = \"{sha256}\"\nwasm = \"connector.wasm\"\n"
    );
    std::fs::write(dir.join("connector.toml"), manifest).unwrap();
    dir.join("connector.toml")
}

#[tokio::test]
async fn a_sync_stops_at_a_cursor_it_has_seen_before() {
    // A store API whose pages run 1 -> 2 -> 3 -> 2 -> 3 ... for ever.
    async fn page(axum::extract::Query(query): axum::extract::Query<BTreeMap<String, String>>) -> axum::Json<Value> {
        let page: u64 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let next = if page == 3 { 2 } else { page + 1 };
        axum::Json(json!({"products": [{"id": format!("p{page}"), "title": format!("Shirt {page}"), "variants": []}], "next_page": next}))
    }
    let router = axum::Router::new().route("/products", axum::routing::get(page));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let manifest = install_good_connector(dir.path());
    let api = lookbook::serve().await;
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let app = gateway_on(&api, &manifest, storage.clone(), |s| {
        s.settings = BTreeMap::from([("base_url".into(), json!(format!("http://{addr}")))]);
        s.http = Some(HttpGrantConfig { allowed_hosts: vec![], private_hosts: vec![addr.to_string()], credentials: vec![] });
        s.webhook = None;
    })
    .await;
    let error = promptly("a sync over looping pages", app.sync_store("lookbook", SyncMode::Full)).await.expect_err("the cursor repeats").to_string();
    assert!(error.contains("cursor `2` again after page 3"), "{error}");
    assert_eq!(storage.count_products("lookbook").await.unwrap(), 3, "the pages before the loop are kept");
    let state = storage.get_sync_state("lookbook").await.unwrap().unwrap();
    assert!(state.last_error.as_deref().is_some_and(|e| e.contains("again")), "{state:?}");
}
