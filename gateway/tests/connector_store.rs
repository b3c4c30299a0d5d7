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
            webhook: Some(WebhookConfig { secret_env: WEBHOOK_ENV.into() }),
        }),
        models: ModelRouting::default(),
        retrieval: RetrievalConfig::default(),
    }
}

async fn gateway(api: &lookbook::Lookbook) -> (App, Arc<dyn Storage>) {
    gateway_with_plugin(api, lookbook::plugin_manifest()).await
}

async fn gateway_with_plugin(api: &lookbook::Lookbook, manifest: &std::path::Path) -> (App, Arc<dyn Storage>) {
    set_secrets();
    let mut config = gateway_config();
    config.plugins.insert("lookbook".into(), manifest.display().to_string());
    let storage = common::sqlite().await;
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage: storage.clone(), sessions: memory_sessions(), embedder };
    let app = App::new(config, services, vec![(store(api), model)]).await.expect("gateway with a connector store builds");
    (app, storage)
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
