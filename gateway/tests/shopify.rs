//! A Shopify store through the shipped connector (`connectors/shopify`,
//! packaged as an operator installs it) against the Shopify emulator
//! (`testkit/emulators`) over real HTTP: full and incremental sync through
//! the gateway's sync path (a full sync through a bulk operation and its
//! JSONL file, on another origin that never sees the access token; paged
//! when bulk is off or another bulk query runs), throttling (THROTTLED and
//! 429) waited out, cut-off syncs resumed from their cursor (mid-file for
//! bulk), a failed bulk operation, live stock per location, order lookup
//! behind the order's email, and webhooks signed as Shopify signs them.

mod chat_support;
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chat_support::*;
use chatgw::App;
use chatgw::config::{
    CatalogSource, ConnectorSource, CredentialConfig, CredentialKind, HttpGrantConfig, ModelRouting, RetrievalConfig, StoreConfig, WebhookConfig,
};
use chatgw::connector::sync::SyncMode;
use chatgw::llm::ToolCall;
use chatgw::storage::Storage;
use chatgw_emulators::shopify::webhook::{self, Webhook};
use chatgw_emulators::shopify::{self, Bucket, CatalogSpec, Outcome, ProductStatus, ShopifyEmulator};
use serde_json::{Value, json};

const STORE: &str = "northwind";
const KEY: &str = "pk_northwind_test";
const TOKEN_ENV: &str = "CHATGW_TEST_SHOPIFY_TOKEN";
const WEBHOOK_ENV: &str = "CHATGW_TEST_SHOPIFY_WEBHOOK_SECRET";
const WEBHOOK_SECRET: &str = "shpss_test_app_secret_5e6f";

fn set_secrets() {
    // Each test runs in its own process (nextest); nothing else reads the
    // environment while this runs at the start of the test.
    unsafe {
        std::env::set_var(TOKEN_ENV, shopify::ACCESS_TOKEN);
        std::env::set_var(WEBHOOK_ENV, WEBHOOK_SECRET);
    }
}

/// The store, its connector allowed to reach the emulator's API (with the
/// token) and its bulk file listener (without: no credential is bound to
/// that origin).
fn store(api: &ShopifyEmulator, settings: Value) -> StoreConfig {
    let mut store = store_without_file_host(api, settings);
    if let CatalogSource::Connector(source) = &mut store.catalog {
        source.http.as_mut().expect("an HTTP grant").private_hosts.push(api.files_host_port());
    }
    store
}

fn store_without_file_host(api: &ShopifyEmulator, settings: Value) -> StoreConfig {
    let mut all = BTreeMap::from([
        ("base_url".to_owned(), json!(api.base_url())),
        ("api_version".to_owned(), json!("2025-07")),
        ("storefront_url".to_owned(), json!("https://northwind.example")),
    ]);
    for (key, value) in settings.as_object().expect("settings are an object") {
        all.insert(key.clone(), value.clone());
    }
    StoreConfig {
        id: STORE.into(),
        name: "Northwind Outfitters".into(),
        languages: vec!["en".into()],
        public_key: KEY.into(),
        allowed_origins: vec![],
        currency: "EUR".into(),
        persona: String::new(),
        policies: String::new(),
        catalog: CatalogSource::Connector(ConnectorSource {
            plugin: "shopify".into(),
            settings: all,
            sync_interval_minutes: 0,
            http: Some(HttpGrantConfig {
                allowed_hosts: vec![],
                // The emulator is plain HTTP on loopback.
                private_hosts: vec![api.host_port()],
                // Plain http is allowed only because the host is private.
                credentials: vec![CredentialConfig {
                    host: format!("http://{}", api.host_port()),
                    kind: CredentialKind::Header,
                    header: "X-Shopify-Access-Token".into(),
                    value_env: TOKEN_ENV.into(),
                    prefix: String::new(),
                    username_env: String::new(),
                    password_env: String::new(),
                }],
            }),
            sql: None,
            webhook: Some(WebhookConfig { secret_env: WEBHOOK_ENV.into(), delivery_id_header: None }),
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

async fn gateway(api: &ShopifyEmulator, settings: Value) -> (App, Arc<dyn Storage>) {
    gateway_for(store(api, settings)).await
}

async fn gateway_for(store: StoreConfig) -> (App, Arc<dyn Storage>) {
    set_secrets();
    let mut config = gateway_config();
    config.plugins.insert("shopify".into(), chatgw_emulators::connector_manifest("shopify").display().to_string());
    let storage = common::sqlite().await;
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage: storage.clone(), sessions: memory_sessions(), embedder };
    let app = App::new(config, services, vec![(store, model)]).await.expect("gateway with a Shopify store builds");
    (app, storage)
}

fn small_shop() -> shopify::Shop {
    shopify::generate(&CatalogSpec::default())
}

fn gid(id: u64) -> String {
    format!("gid://shopify/Product/{id}")
}

fn call(name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: format!("call_{name}"), name: name.into(), arguments: arguments.to_string() }
}

/// Every call the emulator answered came with the access token and stayed
/// within Shopify's limits (no `first` over 250, no query over the cost cap).
fn assert_well_behaved(api: &ShopifyEmulator) {
    let controls = api.controls();
    assert_eq!(controls.count(&Outcome::Unauthorised), 0, "the host added the access token to every request");
    let rejected: Vec<_> = controls.calls.iter().filter(|c| matches!(c.outcome, Outcome::Rejected(_))).collect();
    assert!(rejected.is_empty(), "the emulator rejected queries: {rejected:?}");
}

/// Every product the store holds, by id.
async fn all_products(storage: &Arc<dyn Storage>) -> Vec<chatgw::catalog::product::Product> {
    let mut ids = storage.product_ids(STORE).await.unwrap();
    ids.sort();
    let mut products = storage.get_products(STORE, &ids).await.unwrap();
    products.sort_by(|a, b| a.id.cmp(&b.id));
    products
}

fn catalog_3000() -> CatalogSpec {
    CatalogSpec { products: 3_000, wide_every: 500, draft_every: 40, archived_every: 55 }
}

#[tokio::test]
async fn a_full_sync_of_3000_products_through_a_bulk_operation_lands_what_paging_lands() {
    let api = ShopifyEmulator::start(shopify::generate(&catalog_3000())).await;
    let (active, wide_id) = {
        let c = api.controls();
        let wide = c.shop.products.iter().find(|p| p.variants.len() == 60 && p.status == ProductStatus::Active).expect("a product with 60 variants");
        (c.shop.active_products(), wide.id)
    };
    let (app, storage) = gateway(&api, json!({})).await;

    let started = std::time::Instant::now();
    let report = app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    eprintln!("bulk full sync + embedding of 3000 products: {:.2} s ({report:?})", started.elapsed().as_secs_f64());
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64, "drafts and archived products stay out");
    assert_eq!(report.created, active, "{report:?}");
    assert!(report.embedded >= active, "every card was embedded: {report:?}");
    let wide = storage.get_products(STORE, &[gid(wide_id)]).await.unwrap();
    assert_eq!(wide[0].variants.len(), 60, "a bulk file has every variant, none paged in later");
    {
        let c = api.controls();
        assert_eq!(c.bulk.ops.len(), 1, "one bulk operation");
        assert!(c.bulk.ops[0].group_objects, "the connector asks for grouped output (2025-07 takes groupObjects)");
        assert!(!c.calls.iter().any(|call| call.root_fields == ["products"] || call.root_fields == ["product"]), "nothing was paged");
        assert!(c.bulk.downloads.len() > 1, "the file is read a range at a time: {}", c.bulk.downloads.len());
        for download in &c.bulk.downloads {
            assert_eq!(download.status, 206, "{download:?}");
            assert!(download.headers.iter().all(|(name, value)| !name.eq_ignore_ascii_case("x-shopify-access-token") && !value.contains(shopify::ACCESS_TOKEN)), "the token never reaches the file host: {download:?}");
        }
        let read: usize = c.bulk.downloads.iter().map(|d| d.bytes).sum();
        assert!(read >= c.bulk.ops[0].file.len(), "the whole file was read ({read} bytes)");
    }
    assert_well_behaved(&api);

    // The same catalog paged (bulk off), against an unthrottled emulator:
    // the same products, variants and stock.
    api.controls().bucket = Bucket::new(1.0e12, 1.0e12);
    let (paged_app, paged_storage) = gateway(&api, json!({"bulk_sync": false})).await;
    paged_app.sync_store(STORE, SyncMode::Full).await.expect("paged full sync");
    assert!(api.controls().calls.iter().any(|c| c.root_fields == ["product"]), "paging fetched the wide products' other variants");
    let (bulk, paged) = (all_products(&storage).await, all_products(&paged_storage).await);
    assert_eq!(bulk.len(), active);
    assert_eq!(bulk, paged, "a bulk sync and a paged sync land the same catalog");
    assert_eq!(api.controls().bulk.ops.len(), 1, "bulk off starts no bulk operation");
}

#[tokio::test]
async fn a_failed_bulk_operation_fails_the_sync_clearly_and_the_retry_continues_with_a_new_one() {
    an_ended_bulk_operation_fails_the_sync_and_the_retry_continues(Ending::Failed).await;
}

/// Canceled from elsewhere (the merchant's admin, another process of the
/// app) while it runs: the sync waits through `CANCELING`, then fails as
/// for a failed one.
#[tokio::test]
async fn a_canceled_bulk_operation_fails_the_sync_clearly_and_the_retry_continues_with_a_new_one() {
    an_ended_bulk_operation_fails_the_sync_and_the_retry_continues(Ending::Canceled).await;
}

/// How the emulator ends the first bulk operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ending {
    Failed,
    Canceled,
}

/// The first bulk operation ends without a file: the sync fails naming the
/// operation and why, with no token in the message and nothing written;
/// the next run continues with the operation that failure started and
/// lands the whole catalog, nothing lost and nothing applied twice.
async fn an_ended_bulk_operation_fails_the_sync_and_the_retry_continues(ending: Ending) {
    let api = ShopifyEmulator::start(small_shop()).await;
    let active = api.controls().shop.active_products();
    match ending {
        Ending::Failed => api.controls().bulk.fail_next = 1,
        Ending::Canceled => api.controls().bulk.cancel_next = 1,
    }
    let (app, storage) = gateway(&api, json!({})).await;

    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the bulk operation ended without a file");
    let message = failed.to_string();
    let why = if ending == Ending::Failed { "INTERNAL_SERVER_ERROR" } else { "CANCELED" };
    assert!(message.contains("bulk operation") && message.contains(why) && message.contains("next sync"), "{message}");
    assert!(!message.contains(shopify::ACCESS_TOKEN));
    assert_eq!(storage.count_products(STORE).await.unwrap(), 0);
    {
        let c = api.controls();
        assert_eq!(c.bulk.ops.len(), 2, "a new operation was started for the retry");
        let ended = |op: &shopify::bulk::BulkOp| op.fail.is_some() || op.canceled;
        assert!(ended(&c.bulk.ops[0]) && !ended(&c.bulk.ops[1]), "{ending:?}");
        assert!(c.bulk.downloads.is_empty(), "an operation that ended without a file has nothing to read");
    }

    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("the retry resumes with the new operation");
    assert_eq!(report.created, active, "{report:?}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64);
    assert_eq!(api.controls().bulk.ops.len(), 2, "the retry used the operation started for it");
    let state = storage.get_sync_state(STORE).await.unwrap().expect("state");
    assert!(state.last_full_at.is_some() && state.last_error.is_none(), "{state:?}");
    assert_well_behaved(&api);
}

#[tokio::test]
async fn a_sync_cut_off_mid_file_resumes_at_the_product_it_reached() {
    let api = ShopifyEmulator::start(shopify::generate(&catalog_3000())).await;
    let active = api.controls().shop.active_products();
    api.controls().bulk.die_after_downloads = Some(2);
    let (app, storage) = gateway(&api, json!({})).await;

    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the third range answers 503");
    assert!(failed.to_string().contains("503"), "{failed}");
    assert!(!failed.to_string().contains("X-Goog-Signature"), "the signed URL stays out of errors: {failed}");
    let landed = storage.count_products(STORE).await.unwrap();
    assert!(landed > 0 && (landed as usize) < active, "two ranges landed: {landed}");
    let state = storage.get_sync_state(STORE).await.unwrap().expect("progress is saved");
    let cursor = state.cursor.clone().expect("a cursor");
    assert!(cursor.starts_with("bulk:") && !cursor.contains("X-Goog"), "the cursor names the operation and an offset, not the signed URL: {cursor}");

    let before = api.controls().bulk.downloads.len();
    api.controls().bulk.die_after_downloads = None;
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("the resumed sync finishes");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64, "nothing lost");
    assert_eq!(report.created + landed as usize, active, "{report:?}");
    let c = api.controls();
    assert_eq!(c.bulk.ops.len(), 1, "the same operation's file, not a new one");
    let resumed = &c.bulk.downloads[before..];
    let first_range = resumed[0].headers.iter().find(|(n, _)| n == "range").map(|(_, v)| v.clone()).expect("a range");
    assert!(!first_range.starts_with("bytes=0-"), "the resumed run starts where the first stopped: {first_range}");
    assert!(resumed.iter().all(|d| d.status == 206), "{resumed:?}");
}

/// Starts a bulk query as another client of the same app would.
async fn start_bulk_query(api: &ShopifyEmulator, query: &str) {
    let answer = reqwest::Client::new()
        .post(format!("{}/admin/api/2025-07/graphql.json", api.base_url()))
        .header("X-Shopify-Access-Token", shopify::ACCESS_TOKEN)
        .json(&json!({
            "query": "mutation Run($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id } userErrors { message } } }",
            "variables": {"q": query}
        }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(answer["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].is_string(), "{answer}");
}

#[tokio::test]
async fn another_bulk_query_running_makes_the_full_sync_page_instead() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let active = api.controls().shop.active_products();
    // Another part of the same app runs a bulk query of its own, for a while.
    api.controls().bulk.run_time = std::time::Duration::from_secs(600);
    start_bulk_query(&api, "{ orders { edges { node { id name } } } }").await;

    let (app, storage) = gateway(&api, json!({})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("the full sync pages instead of waiting");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64);
    let c = api.controls();
    assert_eq!(c.bulk.ops.len(), 1, "the other bulk query was left alone");
    assert!(c.calls.iter().any(|call| call.root_fields.iter().any(|f| f == "products")), "the catalog was paged");
    drop(c);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn a_bulk_query_of_ours_left_running_is_waited_for_then_ours_runs() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let active = api.controls().shop.active_products();
    let (app, storage) = gateway(&api, json!({})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("first full sync");
    // A run cut off right after starting its operation leaves it running
    // (its cursor lost): the same query, still going for a while.
    let query = api.controls().bulk.ops[0].query.clone();
    api.controls().bulk.run_time = std::time::Duration::from_millis(1_500);
    start_bulk_query(&api, &query).await;
    api.controls().bulk.run_time = std::time::Duration::from_millis(300);
    api.controls().calls.clear();

    let report = app.sync_store(STORE, SyncMode::Full).await.expect("the full sync waits for the running operation, then runs its own");
    assert_eq!(report.unchanged, active, "{report:?}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64);
    let c = api.controls();
    assert_eq!(c.bulk.ops.len(), 3, "ours started once the other ended");
    assert!(!c.calls.iter().any(|call| call.root_fields.iter().any(|f| f == "products")), "nothing was paged");
    drop(c);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn a_file_host_the_store_does_not_allow_fails_the_sync_naming_it() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let (app, storage) = gateway_for(store_without_file_host(&api, json!({}))).await;
    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the file host is not allowed");
    // The host refuses the request (and ends the call) before the plugin
    // sees it: the error is the host's, naming the origin.
    let message = failed.to_string();
    assert!(message.contains(&api.files_host_port()) && message.contains("not allow-listed"), "{message}");
    assert!(!message.contains("X-Goog-Signature"), "{message}");
    assert!(api.controls().bulk.downloads.is_empty(), "refused before any request");
    assert_eq!(storage.count_products(STORE).await.unwrap(), 0);
}

#[tokio::test]
async fn an_incremental_sync_asks_only_for_what_changed_since_the_last_run() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let (app, storage) = gateway(&api, json!({"page_size": 10})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let before = storage.count_products(STORE).await.unwrap();

    let (renamed, drafted) = {
        let mut c = api.controls();
        let now = chrono::Utc::now() + chrono::Duration::seconds(1);
        let ids: Vec<u64> = c.shop.products.iter().filter(|p| p.status == ProductStatus::Active).map(|p| p.id).take(2).collect();
        let renamed = c.shop.product_mut(ids[0]).unwrap();
        renamed.title = "Renamed Linen Shirt".into();
        renamed.updated_at = now;
        let drafted = c.shop.product_mut(ids[1]).unwrap();
        drafted.status = ProductStatus::Draft;
        drafted.updated_at = now;
        c.calls.clear();
        (ids[0], ids[1])
    };
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("incremental sync");
    assert_eq!((report.updated, report.deleted, report.created), (1, 1, 0), "{report:?}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), before - 1);
    assert_eq!(storage.get_products(STORE, &[gid(renamed)]).await.unwrap()[0].title, "Renamed Linen Shirt");
    assert!(storage.get_products(STORE, &[gid(drafted)]).await.unwrap().is_empty(), "a product set to draft leaves the catalog");

    let c = api.controls();
    let pages: Vec<_> = c.calls.iter().filter(|c| c.root_fields.iter().any(|f| f == "products")).collect();
    assert_eq!(pages.len(), 1, "two changed products fit one page: {pages:?}");
    assert!(pages[0].variables["query"].as_str().is_some_and(|q| q.starts_with("updated_at:>")), "{:?}", pages[0].variables);
    assert_eq!(pages[0].variables["sortKey"], "UPDATED_AT");
}

#[tokio::test]
async fn a_sync_cut_off_by_a_dying_upstream_resumes_from_its_cursor() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let active = api.controls().shop.active_products();
    let (app, storage) = gateway(&api, json!({"page_size": 10, "bulk_sync": false})).await;

    api.controls().die_after_product_pages = Some(2);
    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the third page answers 500");
    assert!(failed.to_string().contains("shopify"), "{failed}");
    let landed = storage.count_products(STORE).await.unwrap();
    assert!(landed > 0 && (landed as usize) < active, "two pages landed before the failure: {landed}");
    let state = storage.get_sync_state(STORE).await.unwrap().expect("progress is saved");
    assert!(state.cursor.is_some() && state.last_error.as_deref().is_some_and(|e| !e.contains(shopify::ACCESS_TOKEN)), "{state:?}");

    api.controls().die_after_product_pages = None;
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("the resumed sync finishes");
    assert_eq!(api.controls().answered_with_cursor("products", None), 1, "the first page is not fetched again");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64);
    assert_eq!(report.created + landed as usize, active, "{report:?}");
    assert_well_behaved(&api);
}

#[tokio::test]
async fn throttled_and_rate_limited_pages_are_waited_out_without_losing_products() {
    let spec = CatalogSpec { products: 30, ..CatalogSpec::default() };
    let api = ShopifyEmulator::start(shopify::generate(&spec)).await;
    let active = api.controls().shop.active_products();
    {
        // A Standard plan: 1,000 points restoring 100 a second. A page
        // requests about 1,000 points and uses about 450: the second page
        // finds the bucket short and waits.
        let mut c = api.controls();
        c.bucket = Bucket::new(1_000.0, 100.0);
        c.rate_limit_next = 2;
        c.retry_after_s = 1;
    }
    let (app, storage) = gateway(&api, json!({"bulk_sync": false})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("the sync waits out every throttle");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active as u64);
    let c = api.controls();
    assert_eq!(c.count(&Outcome::RateLimited), 2, "two 429s with Retry-After were answered");
    assert!(c.count(&Outcome::Throttled) >= 1, "the cost bucket ran dry at least once");
    drop(c);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn stock_is_read_live_from_inventory_levels_at_the_stores_locations() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let (app, _storage) = gateway(&api, json!({"locations": ["Berlin warehouse", "gid://shopify/Location/71000002"]})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("sync");
    // The sync's burst of queries is over: the cost bucket is full again.
    api.controls().bucket = Bucket::new(2_000.0, 1_000.0);
    let (sku, levels) = {
        let c = api.controls();
        let (_, variant) = c.shop.products.iter().flat_map(|p| p.variants.iter().map(move |v| (p, v))).find(|(_, v)| v.sku.is_some()).unwrap();
        (variant.sku.clone().unwrap(), variant.levels.iter().map(|l| l.available).collect::<Vec<_>>())
    };
    let connector = app.connector(STORE).unwrap();
    let answer = connector.get_stock(&[sku.clone(), "NO-SUCH-SKU".into()]).await.expect("stock");
    let at = |location: Option<&str>| answer.iter().find(|l| l.sku == sku && l.location.as_deref() == location).map(|l| l.available);
    assert_eq!(at(Some("Berlin warehouse")), Some(levels[0]));
    assert_eq!(at(Some("Lisbon store")), Some(levels[1]));
    assert_eq!(at(Some("Returns centre")), None, "a location the store did not name does not count");
    assert_eq!(at(None), Some(levels[0].max(0) + levels[1].max(0)));
    assert!(answer.iter().all(|l| l.sku == sku), "an unknown SKU has no levels: {answer:?}");

    // The same through the assistant's tool, changed upstream a moment ago.
    api.controls().shop.products.iter_mut().flat_map(|p| p.variants.iter_mut()).find(|v| v.sku.as_deref() == Some(&sku)).unwrap().levels[0].available = 7;
    let tools = app.store(STORE).unwrap().tools.clone();
    let outcome = tools.call(STORE, &call("get_stock", json!({"sku": sku}))).await;
    assert!(outcome.ok, "{:?}", outcome.result);
    assert_eq!(outcome.result["stock_source"], "live");
    assert_eq!(outcome.result["variants"][0]["quantity"], 7 + levels[1].max(0), "{:?}", outcome.result);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn an_order_is_shown_only_to_its_email_and_a_wrong_email_reveals_nothing() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let (app, _storage) = gateway(&api, json!({})).await;
    let tools = app.store(STORE).unwrap().tools.clone();

    let ok = tools.call(STORE, &call("get_order_status", json!({"order_ref": "#1001", "email": " Mara.Keller@example.com "}))).await;
    assert!(ok.ok, "{:?}", ok.result);
    assert_eq!(ok.result["status"], "fulfilled");
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["number"], "JJD0099887766");
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["carrier"], "DHL Express");
    assert!(!ok.result.to_string().to_lowercase().contains("mara.keller"), "the email is never returned");
    let bare = tools.call(STORE, &call("get_order_status", json!({"order_ref": "1001", "email": "mara.keller@example.com"}))).await;
    assert!(bare.ok, "`1001` names order #1001: {:?}", bare.result);

    let wrong_email = tools.call(STORE, &call("get_order_status", json!({"order_ref": "#1001", "email": "intruder@example.com"}))).await;
    let unknown = tools.call(STORE, &call("get_order_status", json!({"order_ref": "#9999", "email": "mara.keller@example.com"}))).await;
    assert!(!wrong_email.ok && !unknown.ok);
    assert_eq!(wrong_email.result, unknown.result, "a wrong email and an unknown order look the same");
    assert!(!wrong_email.result.to_string().contains("FULFILLED") && !wrong_email.result.to_string().contains("JJD"));
    // #10011 starts like #1001 (Shopify's name search is a prefix search):
    // its customer's email does not open #1001.
    let prefix = tools.call(STORE, &call("get_order_status", json!({"order_ref": "#1001", "email": "someone.else@example.com"}))).await;
    assert!(!prefix.ok);
    assert_eq!(prefix.result, unknown.result);
    assert_well_behaved(&api);
}

async fn deliver(client: &reqwest::Client, base: &str, hook: &Webhook, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    let url = format!("{base}/v1/webhooks/{STORE}/{}", hook.topic);
    let response = hook.post(client, &url, headers, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn webhooks_signed_as_shopify_signs_them_are_applied_once_and_forgeries_change_nothing() {
    let api = ShopifyEmulator::start(small_shop()).await;
    let (app, storage) = gateway(&api, json!({})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("sync");
    // The sync's burst of queries is over: the cost bucket is full again
    // (throttling has its own test; a throttled webhook answers 502 and
    // Shopify delivers it again later).
    api.controls().bucket = Bucket::new(2_000.0, 1_000.0);
    let base = serve(app).await;
    let client = reqwest::Client::new();

    // products/update: the merchant renamed a product.
    let (product_id, update) = {
        let mut c = api.controls();
        let id = c.shop.products.iter().find(|p| p.status == ProductStatus::Active).unwrap().id;
        let product = c.shop.product_mut(id).unwrap();
        product.title = "Storm Shell Jacket".into();
        product.updated_at = chrono::Utc::now();
        let body = webhook::product_body(product);
        (id, Webhook::new(&c.shop, "products/update", &body))
    };
    let title = || async { storage.get_products(STORE, &[gid(product_id)]).await.unwrap()[0].title.clone() };
    let before = title().await;

    let mut tampered = update.body.clone();
    let at = tampered.windows(5).position(|w| w == b"Storm").unwrap();
    tampered[at..at + 5].copy_from_slice(b"Sunny");
    let wrong_secret = update.headers("not-the-app-secret");
    for (headers, body, what) in [
        (update.headers(WEBHOOK_SECRET), tampered.as_slice(), "tampered body"),
        (update.unsigned_headers(), update.body.as_slice(), "unsigned"),
        (wrong_secret, update.body.as_slice(), "wrong secret"),
    ] {
        let (status, answer) = deliver(&client, &base, &update, &headers, body).await;
        assert_eq!(status, 401, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_signature", "{what}");
        assert_eq!(title().await, before, "{what}: nothing changed");
    }

    let (status, answer) = deliver(&client, &base, &update, &update.headers(WEBHOOK_SECRET), &update.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["report"]["products"]["updated"], 1, "{answer}");
    assert_eq!(answer["report"]["products"]["embedded"], 1, "{answer}");
    assert_eq!(title().await, "Storm Shell Jacket");
    // Shopify delivers the same event again: nothing more to do.
    let again = update.redelivery();
    let (status, answer) = deliver(&client, &base, &again, &again.headers(WEBHOOK_SECRET), &again.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["report"]["products"]["updated"].as_u64(), answer["report"]["products"]["embedded"].as_u64()), (Some(0), Some(0)), "{answer}");

    // A product body, validly signed, delivered as products/delete is no
    // deletion; neither is a topic the headers contradict.
    let misfiled = Webhook { topic: "products/delete".into(), ..update.clone() };
    let (status, _) = deliver(&client, &base, &misfiled, &misfiled.headers(WEBHOOK_SECRET), &misfiled.body).await;
    assert_ne!(status, 200);
    let mut contradicting = misfiled.headers(WEBHOOK_SECRET);
    contradicting.retain(|(name, _)| name != "X-Shopify-Topic");
    contradicting.push(("X-Shopify-Topic".into(), "products/update".into()));
    let (status, _) = deliver(&client, &base, &misfiled, &contradicting, &misfiled.body).await;
    assert_ne!(status, 200);
    assert_eq!(title().await, "Storm Shell Jacket", "the product is still there");

    // inventory_levels/update: one location changed; the total is re-read.
    let (sku, inventory) = {
        let mut c = api.controls();
        let product = c.shop.product_mut(product_id).unwrap();
        let variant = product.variants.iter_mut().find(|v| v.sku.is_some()).unwrap();
        variant.levels[0].available = 40;
        let total: i64 = variant.levels.iter().map(|l| l.available.max(0)).sum();
        let body = webhook::inventory_level_body(variant.inventory_item_id, 71_000_001, 40);
        let sku = variant.sku.clone().unwrap();
        let hook = Webhook::new(&c.shop, "inventory_levels/update", &body);
        (sku, (hook, total))
    };
    let (hook, total) = inventory;
    let (status, answer) = deliver(&client, &base, &hook, &hook.headers(WEBHOOK_SECRET), &hook.body).await;
    assert_eq!(status, 200, "{answer} {:?}", api.controls().calls.last());
    let (_, variant) = storage.find_variant(STORE, &sku).await.unwrap().unwrap();
    assert_eq!(variant.inventory_quantity, Some(total));

    // orders/updated carries the customer's email; nothing of it is kept.
    let order = {
        let c = api.controls();
        Webhook::new(&c.shop, "orders/updated", &webhook::order_body(&c.shop.orders[0]))
    };
    let (status, answer) = deliver(&client, &base, &order, &order.headers(WEBHOOK_SECRET), &order.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["report"]["orders_updated"], 1);

    // products/delete.
    let delete = {
        let c = api.controls();
        Webhook::new(&c.shop, "products/delete", &webhook::product_delete_body(product_id))
    };
    let (status, answer) = deliver(&client, &base, &delete, &delete.headers(WEBHOOK_SECRET), &delete.body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(storage.get_products(STORE, &[gid(product_id)]).await.unwrap().is_empty());
}
