//! A WooCommerce store through the shipped connector
//! (`connectors/woocommerce`, packaged as an operator installs it) against
//! the WooCommerce emulator (`testkit/emulators`) over real HTTP: full and
//! incremental sync through the gateway's sync path, variable products with
//! their variations, 429 / 503 with `Retry-After` waited out, a cut-off
//! sync resumed from its cursor, live stock by SKU, order lookup behind the
//! billing email, and webhooks signed as WooCommerce signs them (with its
//! unsigned creation ping).

mod chat_support;
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chat_support::*;
use chatgw::App;
use chatgw::connector::sync::SyncMode;
use chatgw::llm::ToolCall;
use chatgw::storage::Storage;
use chatgw_emulators::woocommerce::webhook::{self, Webhook};
use chatgw_emulators::woocommerce::{self, CatalogSpec, Outcome, ProductType, WooCommerceEmulator};
use serde_json::{Value, json};

const STORE: &str = "costa";
const KEY_ENV: &str = "CHATGW_TEST_WC_CONSUMER_KEY";
const SECRET_ENV: &str = "CHATGW_TEST_WC_CONSUMER_SECRET";
const WEBHOOK_ENV: &str = "CHATGW_TEST_WC_WEBHOOK_SECRET";
const WEBHOOK_SECRET: &str = "wc-webhook-secret-7d1e";
/// The id WooCommerce gave the store's webhooks (`X-WC-Webhook-ID`).
const WEBHOOK_ID: u64 = 31;

fn set_secrets(consumer_secret: &str) {
    // Each test runs in its own process (nextest); nothing else reads the
    // environment while this runs at the start of the test.
    unsafe {
        std::env::set_var(KEY_ENV, woocommerce::CONSUMER_KEY);
        std::env::set_var(SECRET_ENV, consumer_secret);
        std::env::set_var(WEBHOOK_ENV, WEBHOOK_SECRET);
    }
}

async fn gateway(api: &WooCommerceEmulator, settings: Value) -> (App, Arc<dyn Storage>) {
    gateway_with_secret(api, settings, woocommerce::CONSUMER_SECRET).await
}

/// The gateway's config and the store's, for a store at `base_url`
/// (`host_port` granted as a private host).
fn configs(base_url: &str, host_port: &str, settings: Value) -> (chatgw::config::GatewayConfig, chatgw::config::StoreConfig) {
    let mut config = gateway_config();
    config.plugins.insert("woocommerce".into(), chatgw_emulators::connector_manifest("woocommerce").display().to_string());
    let mut all = BTreeMap::from([("base_url".to_owned(), json!(base_url))]);
    all.extend(settings.as_object().expect("settings are an object").clone());
    let credential = common::connector::basic_credential(host_port, KEY_ENV, SECRET_ENV);
    (config, common::connector::connector_store(STORE, "woocommerce", all, host_port, credential, WEBHOOK_ENV))
}

/// The gateway reads the credentials when it starts.
async fn gateway_with_secret(api: &WooCommerceEmulator, settings: Value, consumer_secret: &str) -> (App, Arc<dyn Storage>) {
    set_secrets(consumer_secret);
    let (config, store) = configs(&api.base_url(), &api.host_port(), settings);
    let storage = common::sqlite().await;
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage: storage.clone(), sessions: memory_sessions(), embedder };
    let app = App::new(config, services, vec![(store, model)]).await.expect("gateway with a WooCommerce store builds");
    (app, storage)
}

fn small_store() -> woocommerce::Store {
    woocommerce::generate(&CatalogSpec::default())
}

fn call(name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: format!("call_{name}"), name: name.into(), arguments: arguments.to_string() }
}

/// Every request came with the consumer key and secret and stayed within
/// WordPress's limits (no `per_page` over 100, no invalid parameter).
fn assert_well_behaved(api: &WooCommerceEmulator) {
    let controls = api.controls();
    assert_eq!(controls.count(&Outcome::Unauthorised), 0, "the host added the consumer key and secret to every request");
    let rejected: Vec<_> = controls.calls.iter().filter(|c| matches!(c.outcome, Outcome::Rejected(_))).collect();
    assert!(rejected.is_empty(), "the emulator rejected requests: {rejected:?}");
    assert!(controls.calls.iter().all(|c| c.param("per_page").is_none_or(|n| n.parse::<u32>().is_ok_and(|n| n <= 100))));
}

/// A published, listed variable product with the most variations.
fn widest_listed(store: &woocommerce::Store) -> &woocommerce::Product {
    store
        .products
        .iter()
        .filter(|p| p.kind == ProductType::Variable && p.status == "publish" && p.catalog_visibility != "hidden")
        .max_by_key(|p| p.variations.len())
        .expect("a listed variable product")
}

#[tokio::test]
async fn a_full_sync_of_3000_products_lands_every_listed_product_with_its_variations() {
    let spec = CatalogSpec { products: 3_000, wide_every: 300, ..CatalogSpec::default() };
    let api = WooCommerceEmulator::start(woocommerce::generate(&spec)).await;
    let (listed, wide_id, wide_enabled, variations) = {
        let c = api.controls();
        let wide = widest_listed(&c.store);
        let enabled = wide.variations.iter().filter(|v| v.status == "publish").count();
        let variations: usize = c.store.products.iter().map(|p| p.variations.len()).sum();
        (c.store.listed_products(), wide.id, enabled, variations)
    };
    assert!(wide_enabled > 100, "a product with more than a page of variations");
    let (app, storage) = gateway(&api, json!({})).await;

    let started = std::time::Instant::now();
    let report = app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let elapsed = started.elapsed();
    eprintln!("full sync + embedding of {} products ({variations} variations): {:.2} s ({report:?})", spec.products, elapsed.as_secs_f64());

    assert_eq!(storage.count_products(STORE).await.unwrap(), listed as u64, "drafts, private, pending and hidden products stay out");
    assert_eq!(report.created, listed, "{report:?}");
    assert!(report.embedded >= listed, "every card was embedded: {report:?}");
    let wide = storage.get_products(STORE, &[wide_id.to_string()]).await.unwrap();
    assert_eq!(wide[0].variants.len(), wide_enabled, "every enabled variation, over two pages");
    let c = api.controls();
    let wide_pages = c.calls.iter().filter(|call| call.route == format!("products/{wide_id}/variations")).count();
    assert_eq!(wide_pages, 2, "120 variations take two pages of 100");
    assert_eq!(c.product_pages().len(), spec.products.div_ceil(100), "one request per 100 products");
    drop(c);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn variations_without_a_sku_of_their_own_and_uncounted_stock_land_as_woocommerce_means_them() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, storage) = gateway(&api, json!({"uncounted_stock_available": 2})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let (parent_id, parent_sku, inherited_id, uncounted_sku) = {
        let c = api.controls();
        let listed = |p: &&woocommerce::Product| p.status == "publish" && p.catalog_visibility != "hidden";
        let (parent, inherited) = c
            .store
            .products
            .iter()
            .filter(listed)
            .find_map(|p| p.variations.iter().find(|v| v.sku.is_empty() && v.status == "publish").map(|v| (p, v)))
            .expect("a listed variation without a SKU of its own");
        let uncounted = c
            .store
            .products
            .iter()
            .filter(listed)
            .find(|p| p.kind == ProductType::Simple && p.stock.manage == woocommerce::ManageStock::No && p.stock.status == "instock");
        (parent.id, parent.sku.clone(), inherited.id, uncounted.map(|p| p.sku.clone()))
    };
    let (product, variant) = storage.find_variant(STORE, &inherited_id.to_string()).await.unwrap().expect("keyed by its id");
    assert_eq!(product, parent_id.to_string());
    assert_ne!(variant.sku, parent_sku, "the parent's SKU, which WooCommerce shows, is not the variation's");
    if let Some(sku) = uncounted_sku {
        let (_, v) = storage.find_variant(STORE, &sku).await.unwrap().expect("a simple product is one variant");
        assert_eq!(v.inventory_quantity, Some(2), "in stock without a count: the store's `uncounted_stock_available`");
    }
}

#[tokio::test]
async fn an_incremental_sync_asks_only_for_what_changed_since_the_last_run() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, storage) = gateway(&api, json!({"page_size": 10})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let before = storage.count_products(STORE).await.unwrap();

    let (renamed, drafted, repriced, sku) = {
        let mut c = api.controls();
        let now = chrono::Utc::now() + chrono::Duration::seconds(1);
        let ids: Vec<u64> = c.store.products.iter().filter(|p| p.status == "publish" && p.kind == ProductType::Simple).map(|p| p.id).take(2).collect();
        c.store.update_product(ids[0], now, |p| p.name = "Renamed Linen Shirt".into());
        c.store.update_product(ids[1], now, |p| p.status = "draft".into());
        let variable = widest_listed(&c.store);
        let (parent, variation) = (variable.id, variable.variations.iter().find(|v| !v.sku.is_empty() && v.status == "publish").unwrap().clone());
        c.store.update_variation(variation.id, now, |v| {
            v.regular_price = "77.00".into();
            v.sale_price = String::new();
        });
        c.calls.clear();
        (ids[0], ids[1], parent, variation.sku)
    };
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("incremental sync");
    assert_eq!((report.updated, report.deleted, report.created), (2, 1, 0), "{report:?}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), before - 1);
    assert_eq!(storage.get_products(STORE, &[renamed.to_string()]).await.unwrap()[0].title, "Renamed Linen Shirt");
    assert!(storage.get_products(STORE, &[drafted.to_string()]).await.unwrap().is_empty(), "a product set to draft leaves the catalog");
    let (product, variant) = storage.find_variant(STORE, &sku).await.unwrap().unwrap();
    assert_eq!((product, variant.price.as_str()), (repriced.to_string(), "77.00"), "a variation's change reached its parent");

    let c = api.controls();
    let pages = c.product_pages();
    assert_eq!(pages.len(), 1, "three changed products fit one page: {pages:?}");
    assert!(pages[0].param("modified_after").is_some_and(|t| t.len() == 19 && !t.contains('+')), "{:?}", pages[0].query);
    assert_eq!(pages[0].param("dates_are_gmt"), Some("true"));
    assert_eq!((pages[0].param("orderby"), pages[0].param("order")), (Some("id"), Some("asc")));
    drop(c);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn a_sync_cut_off_by_a_dying_upstream_resumes_from_its_cursor() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let listed = api.controls().store.listed_products();
    let (app, storage) = gateway(&api, json!({"page_size": 10, "currency": "EUR"})).await;

    {
        // Pages of 10 take 4 or 5 requests (the listing, one per variable
        // product): the third page dies half-way.
        let mut c = api.controls();
        c.die_after_requests = Some(c.answered + 12);
    }
    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the upstream dies half-way");
    assert!(failed.to_string().contains("woocommerce"), "{failed}");
    let landed = storage.count_products(STORE).await.unwrap();
    assert!(landed > 0 && (landed as usize) < listed, "pages landed before the failure: {landed} of {listed}");
    let state = storage.get_sync_state(STORE).await.unwrap().expect("progress is saved");
    assert!(state.cursor.is_some(), "{state:?}");
    let error = state.last_error.clone().unwrap_or_default();
    assert!(error.contains("500") && !error.contains(woocommerce::CONSUMER_SECRET), "{error}");

    api.controls().die_after_requests = None;
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("the resumed sync finishes");
    let first_pages = api.controls().product_pages().iter().filter(|c| c.param("page") == Some("1")).count();
    assert_eq!(first_pages, 1, "the first page is not fetched again");
    assert_eq!(storage.count_products(STORE).await.unwrap(), listed as u64);
    assert_eq!(report.created + landed as usize, listed, "{report:?}");
    assert_well_behaved(&api);
}

#[tokio::test]
async fn rate_limits_are_waited_out_without_losing_products() {
    let spec = CatalogSpec { products: 30, ..CatalogSpec::default() };
    let api = WooCommerceEmulator::start(woocommerce::generate(&spec)).await;
    let listed = api.controls().store.listed_products();
    let (app, storage) = gateway(&api, json!({"page_size": 10})).await;
    // Short waits are waited out in the plugin; a long one goes back to
    // the gateway, which waits before asking for the same page again.
    api.controls().rate_limit_next = 2;
    app.sync_store(STORE, SyncMode::Full).await.expect("the sync waits out 429s");
    assert_eq!(storage.count_products(STORE).await.unwrap(), listed as u64);
    {
        let mut c = api.controls();
        assert_eq!(c.count(&Outcome::RateLimited), 2);
        c.rate_limit_next = 1;
        c.rate_limit_status = 503;
        c.retry_after_s = Some(6);
    }
    let report = app.sync_store(STORE, SyncMode::Full).await.expect("the sync waits out a 503 with a long Retry-After");
    assert_eq!(storage.count_products(STORE).await.unwrap(), listed as u64, "{report:?}");
    assert_eq!(report.deleted, 0, "{report:?}");
    assert_eq!(api.controls().count(&Outcome::RateLimited), 3);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn a_refused_key_is_an_error_that_names_the_credential_settings() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, storage) = gateway_with_secret(&api, json!({}), "cs_wrong").await;
    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the key is refused");
    let message = failed.to_string();
    assert!(message.contains("username_env") && message.contains("consumer key"), "{message}");
    assert!(!message.contains("cs_wrong") && !message.contains(woocommerce::CONSUMER_KEY), "no secret in the error: {message}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), 0);
    assert!(api.controls().count(&Outcome::Unauthorised) > 0);
}

#[tokio::test]
async fn stock_is_read_live_by_sku_and_a_variant_without_one_by_its_id() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, _storage) = gateway(&api, json!({})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("sync");
    let (sku, variation_id, no_sku_id) = {
        let mut c = api.controls();
        let now = chrono::Utc::now();
        let variable = widest_listed(&c.store);
        let with_sku = variable.variations.iter().find(|v| !v.sku.is_empty() && v.status == "publish").unwrap().clone();
        let without = c.store.products.iter().flat_map(|p| p.variations.iter()).find(|v| v.sku.is_empty()).unwrap().id;
        c.store.update_variation(with_sku.id, now, |v| v.stock = woocommerce::Stock::counted(7));
        c.store.update_variation(without, now, |v| v.stock = woocommerce::Stock::counted(4));
        c.calls.clear();
        (with_sku.sku, with_sku.id, without)
    };
    let connector = app.connector(STORE).unwrap();
    let answer = connector.get_stock(&[sku.clone(), no_sku_id.to_string(), "NO-SUCH-SKU".into()]).await.expect("stock");
    let of = |key: &str| answer.iter().find(|l| l.sku == key).map(|l| l.available);
    assert_eq!(of(&sku), Some(7));
    assert_eq!(of(&no_sku_id.to_string()), Some(4), "a variant without a SKU is found by its id");
    assert_eq!(of("NO-SUCH-SKU"), None);
    assert_eq!(answer.len(), 2, "{answer:?}");
    {
        let c = api.controls();
        assert!(c.calls.iter().any(|call| call.route == "products" && call.param("sku").is_some_and(|s| s.contains(&sku))), "asked by SKU");
        assert!(!c.calls.iter().any(|call| call.route.ends_with("/variations")), "no catalog walk for stock");
    }

    // The same through the assistant's tool, changed upstream a moment ago.
    api.controls().store.update_variation(variation_id, chrono::Utc::now(), |v| v.stock = woocommerce::Stock::counted(3));
    let tools = app.store(STORE).unwrap().tools.clone();
    let outcome = tools.call(STORE, &call("get_stock", json!({"sku": sku}))).await;
    assert!(outcome.ok, "{:?}", outcome.result);
    assert_eq!(outcome.result["stock_source"], "live");
    assert_eq!(outcome.result["variants"][0]["quantity"], 3, "{:?}", outcome.result);
    assert_well_behaved(&api);
}

#[tokio::test]
async fn an_order_is_shown_only_to_its_billing_email_and_a_wrong_email_reveals_nothing() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, _storage) = gateway(&api, json!({})).await;
    let tools = app.store(STORE).unwrap().tools.clone();
    let order = |reference: &str, email: &str| {
        let tools = tools.clone();
        let arguments = json!({"order_ref": reference, "email": email});
        async move { tools.call(STORE, &call("get_order_status", arguments)).await }
    };

    let ok = order("#1001", " Mara.Keller@example.com ").await;
    assert!(ok.ok, "{:?}", ok.result);
    assert_eq!(ok.result["status"], "completed");
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["number"], "JJD0099887766");
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["carrier"], "DHL");
    assert_eq!(ok.result["items"][0]["price"], "64.90");
    assert_eq!(ok.result["total"]["amount"], "129.80");
    assert!(!ok.result.to_string().to_lowercase().contains("mara.keller"), "the email is never returned");
    // A numbering plugin gave order 1500 the number 1777.
    let numbered = order("1777", "noor.haddad@example.com").await;
    assert!(numbered.ok, "{:?}", numbered.result);
    assert_eq!(numbered.result["order_ref"], "1777");

    let unknown = order("#9999", "mara.keller@example.com").await;
    let wrong_email = order("#1001", "intruder@example.com").await;
    let by_id = order("1500", "noor.haddad@example.com").await;
    let prefix = order("#1001", "someone.else@example.com").await;
    for (what, refused) in [("wrong email", &wrong_email), ("an id that is not the number", &by_id), ("another order's email", &prefix)] {
        assert!(!refused.ok && !unknown.ok, "{what}");
        assert_eq!(refused.result, unknown.result, "{what}: looks like an unknown order");
        assert!(!refused.result.to_string().contains("JJD") && !refused.result.to_string().contains("completed"), "{what}");
    }
    assert_well_behaved(&api);
}

async fn deliver(client: &reqwest::Client, base: &str, topic: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Value) {
    let response = Webhook::post(client, &format!("{base}/v1/webhooks/{STORE}/{topic}"), headers, body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn webhooks_signed_as_woocommerce_signs_them_are_applied_once_and_forgeries_change_nothing() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let (app, storage) = gateway(&api, json!({})).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("sync");
    let before = storage.count_products(STORE).await.unwrap();
    let base = serve(app).await;
    let client = reqwest::Client::new();
    let title = |id: u64| {
        let storage = storage.clone();
        async move { storage.get_products(STORE, &[id.to_string()]).await.unwrap().first().map(|p| p.title.clone()) }
    };

    // The ping WooCommerce sends when the webhook is saved: 200, nothing done.
    api.controls().calls.clear();
    let (headers, body) = webhook::ping(WEBHOOK_ID);
    let (status, answer) = deliver(&client, &base, "product.updated", &headers, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["report"]["ping"], true, "{answer}");
    assert!(api.controls().calls.is_empty(), "a ping asks nothing of the store");
    assert_eq!(storage.count_products(STORE).await.unwrap(), before);

    // product.updated: the merchant renamed a product.
    let ids: Vec<u64> = api.controls().store.products.iter().filter(|p| p.status == "publish" && p.kind == ProductType::Simple).map(|p| p.id).take(3).collect();
    let second = chrono::Utc::now().timestamp();
    let update = {
        let mut c = api.controls();
        c.store.update_product(ids[0], chrono::Utc::now(), |p| p.name = "Storm Shell Jacket".into());
        Webhook::product(&c.store, WEBHOOK_ID, "product.updated", ids[0]).at_second(second)
    };
    let before_title = title(ids[0]).await;
    let mut tampered = update.body.clone();
    let at = tampered.windows(5).position(|w| w == b"Storm").unwrap();
    tampered[at..at + 5].copy_from_slice(b"Sunny");
    let unsigned_json = update.unsigned_headers();
    for (headers, body, what) in [
        (update.headers(WEBHOOK_SECRET), tampered.as_slice(), "tampered body"),
        (unsigned_json, update.body.as_slice(), "unsigned"),
        (update.headers("not-the-webhook-secret"), update.body.as_slice(), "wrong secret"),
    ] {
        let (status, answer) = deliver(&client, &base, "product.updated", &headers, body).await;
        assert_eq!(status, 401, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_signature", "{what}");
        assert_eq!(title(ids[0]).await, before_title, "{what}: nothing changed");
    }

    let (status, answer) = deliver(&client, &base, "product.updated", &update.headers(WEBHOOK_SECRET), &update.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["report"]["products"]["updated"], 1, "{answer}");
    assert_eq!(answer["report"]["products"]["embedded"], 1, "{answer}");
    assert_eq!(title(ids[0]).await.as_deref(), Some("Storm Shell Jacket"));
    // The same delivery again (a replay): nothing more to do.
    let (status, answer) = deliver(&client, &base, "product.updated", &update.headers(WEBHOOK_SECRET), &update.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["duplicate"], true, "{answer}");
    assert_eq!(answer["report"]["products"]["embedded"], 0, "{answer}");

    // Another product saved in the same second: WooCommerce sends the same
    // delivery id, and it is still applied.
    let same_second = {
        let mut c = api.controls();
        c.store.update_product(ids[1], chrono::Utc::now(), |p| p.name = "Harbour Rain Coat".into());
        Webhook::product(&c.store, WEBHOOK_ID, "product.updated", ids[1]).at_second(second)
    };
    assert_eq!(same_second.delivery_id, update.delivery_id);
    let (status, answer) = deliver(&client, &base, "product.updated", &same_second.headers(WEBHOOK_SECRET), &same_second.body).await;
    assert_eq!((status, &answer["duplicate"]), (200, &json!(false)), "{answer}");
    assert_eq!(title(ids[1]).await.as_deref(), Some("Harbour Rain Coat"));

    // A variation changed: WooCommerce sends the variation; its parent is read fresh.
    let (parent, sku, variation_update) = {
        let mut c = api.controls();
        let variable = widest_listed(&c.store);
        let (parent, variation) = (variable.id, variable.variations.iter().find(|v| !v.sku.is_empty() && v.status == "publish").unwrap().clone());
        c.store.update_variation(variation.id, chrono::Utc::now(), |v| v.sale_price = "9.00".into());
        (parent, variation.sku, Webhook::product(&c.store, WEBHOOK_ID, "product.updated", variation.id))
    };
    let (status, answer) = deliver(&client, &base, "product.updated", &variation_update.headers(WEBHOOK_SECRET), &variation_update.body).await;
    assert_eq!(status, 200, "{answer}");
    let (product, variant) = storage.find_variant(STORE, &sku).await.unwrap().unwrap();
    assert_eq!((product, variant.price.as_str()), (parent.to_string(), "9.00"));

    // A signed product body sent as product.deleted is no deletion; nor is
    // a delivery whose X-WC-Webhook-Topic contradicts its URL.
    let misfiled = Webhook { topic: "product.deleted".into(), ..update.clone() };
    let (status, _) = deliver(&client, &base, "product.deleted", &misfiled.headers(WEBHOOK_SECRET), &misfiled.body).await;
    assert_ne!(status, 200);
    let delete = Webhook::product(&api.controls().store, WEBHOOK_ID, "product.deleted", ids[0]);
    let (status, _) = deliver(&client, &base, "product.updated", &delete.headers(WEBHOOK_SECRET), &delete.body).await;
    assert_ne!(status, 200);
    assert!(title(ids[0]).await.is_some(), "the product is still there");

    // order.updated carries the billing email; nothing of it is kept.
    let order = Webhook::order(&api.controls().store, WEBHOOK_ID, "order.updated", 1001);
    let (status, answer) = deliver(&client, &base, "order.updated", &order.headers(WEBHOOK_SECRET), &order.body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["report"]["orders_updated"], 1);

    // product.deleted (WooCommerce sends it when a product is trashed).
    let (status, answer) = deliver(&client, &base, "product.deleted", &delete.headers(WEBHOOK_SECRET), &delete.body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(title(ids[0]).await.is_none());
    assert_well_behaved(&api);
}

#[tokio::test]
async fn the_example_store_file_is_a_valid_woocommerce_store() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/stores/connectors/woocommerce.toml");
    let text = std::fs::read_to_string(&path).expect("the example store file exists");
    let store = chatgw::config::parse_store(&text, &path.display().to_string()).expect("the example parses");
    let chatgw::config::CatalogSource::Connector(source) = &store.catalog else { panic!("a connector store") };
    assert_eq!(source.plugin, "woocommerce");
    // The gateway checks the settings against the plugin's schema and the
    // credential against the allowed hosts when it binds the connector.
    unsafe {
        for name in ["COSTA_WC_CONSUMER_KEY", "COSTA_WC_CONSUMER_SECRET", "COSTA_WC_WEBHOOK_SECRET"] {
            std::env::set_var(name, "example-value");
        }
    }
    let mut config = gateway_config();
    config.plugins.insert("woocommerce".into(), chatgw_emulators::connector_manifest("woocommerce").display().to_string());
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let services = chatgw::app::Services { storage: common::sqlite().await, sessions: memory_sessions(), embedder };
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    App::new(config, services, vec![(store, model)]).await.expect("the example store binds its connector");
}

#[tokio::test]
async fn store_check_walks_a_working_store_step_by_step() {
    let api = WooCommerceEmulator::start(small_store()).await;
    set_secrets(woocommerce::CONSUMER_SECRET);
    let (gateway, store) = configs(&api.base_url(), &api.host_port(), json!({}));
    let check = chatgw::onboard::check_store(&gateway, &store, "stores/costa.toml").await;
    assert!(check.passed(), "{check}");
    let names: Vec<&str> = check.steps.iter().map(|s| s.name).collect();
    assert_eq!(names, ["settings", "plugin", "connection", "products", "cards", "stock"], "{check}");
    let cards = check.step("cards").expect("cards step");
    assert!(cards.details.iter().any(|line| line.starts_with("card ")), "sample cards are shown: {check}");
    assert_well_behaved(&api);
}

#[tokio::test]
async fn store_check_explains_refused_credentials_without_showing_them() {
    let api = WooCommerceEmulator::start(small_store()).await;
    let wrong = "cs_not-the-right-secret-1234";
    set_secrets(wrong);
    let (gateway, store) = configs(&api.base_url(), &api.host_port(), json!({}));
    let check = chatgw::onboard::check_store(&gateway, &store, "stores/costa.toml").await;
    let text = check.to_string();
    let Some(chatgw::onboard::Outcome::Failed { problem, fix }) = check.step("connection").map(|s| &s.outcome) else {
        panic!("the connection step fails: {text}")
    };
    assert!(problem.contains("refused the credentials"), "{text}");
    assert!(fix.contains(SECRET_ENV) && fix.contains(KEY_ENV), "the fix names the variables to correct: {text}");
    assert!(!text.contains(wrong), "the secret is never shown: {text}");
    assert!(check.step("products").is_none(), "the check stops at the first failure its next steps depend on: {text}");
}

#[tokio::test]
async fn store_check_says_when_the_store_cannot_be_reached() {
    // A port nothing listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    set_secrets(woocommerce::CONSUMER_SECRET);
    let (gateway, store) = configs(&format!("http://{closed}"), &closed.to_string(), json!({}));
    let check = chatgw::onboard::check_store(&gateway, &store, "stores/costa.toml").await;
    let text = check.to_string();
    let Some(chatgw::onboard::Outcome::Failed { problem, fix }) = check.step("connection").map(|s| &s.outcome) else {
        panic!("the connection step fails: {text}")
    };
    assert!(problem.contains("could not be reached"), "{text}");
    assert!(fix.contains("base URL"), "{text}");
}
