//! Shops built on Django REST Framework through the shipped `django-rest`
//! connector (packaged as an operator installs it) against a real Django +
//! DRF app (`testkit/drf`, run as a process per test) over real HTTP. Two
//! differently shaped shop APIs are configured by mapping alone, in every
//! DRF pagination style: full and incremental sync through the gateway's
//! sync path, the servers' page-size caps, 429 with Retry-After waited out,
//! a sync cut off by a dying server resumed from its cursor, live stock,
//! and order lookup behind the order's email.

mod chat_support;
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chat_support::*;
use chatgw::App;
use chatgw::config::{CatalogSource, ConnectorSource, CredentialConfig, CredentialKind, HttpGrantConfig, ModelRouting, RetrievalConfig, StoreConfig};
use chatgw::connector::sync::SyncMode;
use chatgw::llm::ToolCall;
use chatgw::storage::Storage;
use chatgw_emulators::drf::{self, Behaviour, DrfPeer, LoggedRequest, Shop};
use serde_json::{Value, json};

const STORE: &str = "drf-shop";
const KEY: &str = "pk_drf_test";
const TOKEN_ENV: &str = "CHATGW_TEST_DRF_TOKEN";

/// Shop A's API as its store file maps it (see [`DrfPeer::shop_a_settings`]).
fn shop_a_settings(peer: &DrfPeer, style: &str) -> Value {
    peer.shop_a_settings(style)
}

/// Shop B's API: other names everywhere, prices in cents inside a pricing
/// object, option lists, status words, stock per warehouse at its own
/// endpoint, orders through a prefix filter, `Bearer` auth.
fn shop_b_settings(peer: &DrfPeer, style: &str) -> Value {
    json!({
        "base_url": peer.api(Shop::B, style),
        "currency": "EUR",
        "page_size": 100,
        "updated_since_param": "changed_after",
        "endpoints": {
            "products": "catalog/items/",
            "stock": "skus/{sku}/stock/",
            "order": "purchases/?ref={order_ref}"
        },
        "product": {
            "id": "uuid", "title": "title", "description": "summary", "url": "web_url", "images": "media[*].src", "category": "section",
            "tags": "labels", "status": "state", "active_statuses": ["published"], "updated_at": "last_modified", "variants": "skus"
        },
        "variant": {
            "sku": "code", "price": "pricing.amount_cents", "price_format": "minor_units", "currency": "pricing.currency",
            "options": "options", "option_name": "attr", "option_value": "val"
        },
        "stock": {"levels": "levels", "quantity": "qty", "location": "warehouse"},
        "order": {
            "number": "ref", "status": "status", "email": "buyer.email", "created_at": "created", "total": "total_cents",
            "items": "items", "item": {"sku": "code", "title": "label", "quantity": "count", "price": "price_cents"},
            "shipments": "parcels", "shipment": {"carrier": "courier", "tracking_number": "tracking", "tracking_url": "link", "shipped_at": "sent"}
        }
    })
}

fn settings(peer: &DrfPeer, shop: Shop, style: &str) -> Value {
    match shop {
        Shop::A => shop_a_settings(peer, style),
        Shop::B => shop_b_settings(peer, style),
    }
}

fn store(peer: &DrfPeer, shop: Shop, settings: Value) -> StoreConfig {
    let settings: BTreeMap<String, Value> = settings.as_object().expect("settings are an object").clone().into_iter().collect();
    let prefix = match shop {
        Shop::A => "Token ",
        Shop::B => "Bearer ",
    };
    StoreConfig {
        id: STORE.into(),
        name: "A DRF shop".into(),
        languages: vec!["en".into()],
        public_key: KEY.into(),
        allowed_origins: vec![],
        currency: "EUR".into(),
        persona: String::new(),
        policies: String::new(),
        catalog: CatalogSource::Connector(ConnectorSource {
            plugin: "django-rest".into(),
            settings,
            sync_interval_minutes: 0,
            http: Some(HttpGrantConfig {
                allowed_hosts: vec![],
                // The peer is plain HTTP on loopback.
                private_hosts: vec![peer.host_port()],
                credentials: vec![CredentialConfig {
                    host: peer.origin(),
                    kind: CredentialKind::Header,
                    header: "Authorization".into(),
                    value_env: TOKEN_ENV.into(),
                    prefix: prefix.into(),
                    username_env: String::new(),
                    password_env: String::new(),
                }],
            }),
            sql: None,
            webhook: None,
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

async fn gateway_with_token(peer: &DrfPeer, shop: Shop, settings: Value, token: &str) -> (App, Arc<dyn Storage>) {
    // Each test runs in its own process (nextest); nothing else reads the
    // environment while this runs.
    unsafe { std::env::set_var(TOKEN_ENV, token) };
    let mut config = gateway_config();
    config.plugins.insert("django-rest".into(), chatgw_emulators::connector_manifest("django-rest").display().to_string());
    let storage = common::sqlite().await;
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage: storage.clone(), sessions: memory_sessions(), embedder };
    let app = App::new(config, services, vec![(store(peer, shop, settings), model)]).await.expect("gateway with a DRF store builds");
    (app, storage)
}

async fn gateway(peer: &DrfPeer, shop: Shop, settings: Value) -> (App, Arc<dyn Storage>) {
    let token = match shop {
        Shop::A => drf::TOKEN_A,
        Shop::B => drf::TOKEN_B,
    };
    gateway_with_token(peer, shop, settings, token).await
}

fn call(name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: format!("call_{name}"), name: name.into(), arguments: arguments.to_string() }
}

/// The peer's product list requests (not stock, orders or details).
fn list_requests(peer: &DrfPeer, shop: Shop) -> Vec<LoggedRequest> {
    let list = match shop {
        Shop::A => "/products/?",
        Shop::B => "/catalog/items/",
    };
    peer.requests().into_iter().filter(|r| r.path.starts_with(&format!("/{}/", shop.path())) && r.path.contains(list) && !r.path.contains("sku=")).collect()
}

/// Every request carried the shop's auth scheme and was answered without
/// a client error, except the 429s a throttling test asks for.
fn assert_well_behaved(peer: &DrfPeer, shop: Shop) {
    let scheme = match shop {
        Shop::A => "Token",
        Shop::B => "Bearer",
    };
    for request in peer.requests().iter().filter(|r| !r.path.starts_with("/_peer/")) {
        assert_eq!(request.auth, scheme, "the host added the credential: {request:?}");
        assert!(request.status < 400 || request.status == 429 || request.status == 404, "{request:?}");
    }
}

/// A full sync lands every product on sale with all its variants, in pages
/// no larger than the server's cap although the connector asked for more.
async fn full_sync_lands_every_product_on_sale(shop: Shop, style: &str, products: u32) {
    let peer = DrfPeer::start(products, Behaviour::default());
    let facts = peer.facts(shop).await;
    let (app, storage) = gateway(&peer, shop, settings(&peer, shop, style)).await;

    let started = std::time::Instant::now();
    let report = app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    eprintln!("{shop:?} / {style}: full sync + embedding of {products} products: {:.2} s ({report:?})", started.elapsed().as_secs_f64());

    let active = facts["active"].as_u64().unwrap();
    assert_eq!(storage.count_products(STORE).await.unwrap(), active, "products off sale stay out");
    assert_eq!(report.created as u64, active, "{report:?}");
    assert!(report.embedded as u64 >= active, "every card was embedded: {report:?}");
    let (product, variant) = storage.find_variant(STORE, facts["sku"].as_str().unwrap()).await.unwrap().expect("the first SKU landed");
    assert_eq!(product, facts["sku_product"].as_str().unwrap());
    assert!(variant.options.contains_key("size"), "options reach the variant: {:?}", variant.options);

    let pages = list_requests(&peer, shop);
    if style == "plain" {
        assert_eq!(pages.len(), 1, "an unpaginated list is one request");
    } else {
        let expected = (products as usize).div_ceil(drf::MAX_PAGE);
        assert_eq!(pages.len(), expected, "pages capped at {} although 100 were asked for: {:?}", drf::MAX_PAGE, pages.first());
        assert!(pages[0].path.contains("page_size=100") && pages[0].path.contains("limit=100"), "{:?}", pages[0]);
        match style {
            "page" => assert!(pages[1].path.contains("page=2"), "{:?}", pages[1]),
            "limit" => assert!(pages[1].path.contains("offset=50"), "{:?}", pages[1]),
            _ => assert!(pages[1].path.contains("cursor="), "{:?}", pages[1]),
        }
    }
    assert_well_behaved(&peer, shop);
}

#[tokio::test]
async fn shop_a_full_sync_of_3000_products_with_page_numbers() {
    full_sync_lands_every_product_on_sale(Shop::A, "page", 3_000).await;
}

#[tokio::test]
async fn shop_b_full_sync_of_3000_products_with_cursors() {
    full_sync_lands_every_product_on_sale(Shop::B, "cursor", 3_000).await;
}

#[tokio::test]
async fn shop_a_full_sync_with_limit_offset() {
    full_sync_lands_every_product_on_sale(Shop::A, "limit", 180).await;
}

#[tokio::test]
async fn shop_a_full_sync_with_cursors() {
    full_sync_lands_every_product_on_sale(Shop::A, "cursor", 180).await;
}

#[tokio::test]
async fn shop_a_full_sync_of_an_unpaginated_list() {
    full_sync_lands_every_product_on_sale(Shop::A, "plain", 60).await;
}

#[tokio::test]
async fn shop_b_full_sync_with_page_numbers() {
    full_sync_lands_every_product_on_sale(Shop::B, "page", 180).await;
}

#[tokio::test]
async fn shop_b_full_sync_with_limit_offset() {
    full_sync_lands_every_product_on_sale(Shop::B, "limit", 180).await;
}

/// After a full sync, one product renamed and one taken off sale: the
/// incremental sync asks only for what changed and applies both.
async fn incremental_sync_asks_only_for_changes(shop: Shop, style: &str) {
    let peer = DrfPeer::start(120, Behaviour::default());
    let (app, storage) = gateway(&peer, shop, settings(&peer, shop, style)).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let before = storage.count_products(STORE).await.unwrap();
    let pages_before = list_requests(&peer, shop).len();

    let (renamed, withdrawn) = match shop {
        Shop::A => ("2", "3"),
        Shop::B => ("prd_000002", "prd_000003"),
    };
    peer.touch(shop, json!({"id": renamed, "title": "Renamed Linen Shirt"})).await;
    peer.touch(shop, json!({"id": withdrawn, "active": false})).await;
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("incremental sync");
    assert_eq!((report.updated, report.deleted, report.created), (1, 1, 0), "{report:?}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), before - 1);
    assert_eq!(storage.get_products(STORE, &[renamed.to_owned()]).await.unwrap()[0].title, "Renamed Linen Shirt");
    assert!(storage.get_products(STORE, &[withdrawn.to_owned()]).await.unwrap().is_empty(), "a product taken off sale leaves the catalog");

    let pages = list_requests(&peer, shop);
    let incremental = &pages[pages_before..];
    let param = match shop {
        Shop::A => "updated_since=",
        Shop::B => "changed_after=",
    };
    assert_eq!(incremental.len(), 1, "two changed products fit one page: {incremental:?}");
    assert!(incremental[0].path.contains(param), "{:?}", incremental[0]);
    assert_well_behaved(&peer, shop);
}

#[tokio::test]
async fn shop_a_incremental_sync_with_page_numbers() {
    incremental_sync_asks_only_for_changes(Shop::A, "page").await;
}

#[tokio::test]
async fn shop_b_incremental_sync_with_limit_offset() {
    incremental_sync_asks_only_for_changes(Shop::B, "limit").await;
}

#[tokio::test]
async fn without_a_change_filter_an_incremental_sync_reads_everything() {
    let peer = DrfPeer::start(120, Behaviour::default());
    let mut settings = shop_b_settings(&peer, "cursor");
    settings.as_object_mut().unwrap().remove("updated_since_param");
    let (app, storage) = gateway(&peer, Shop::B, settings).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    let pages_before = list_requests(&peer, Shop::B).len();
    peer.touch(Shop::B, json!({"id": "prd_000005", "title": "Renamed Rain Jacket"})).await;
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("incremental sync");
    assert_eq!(report.updated, 1, "{report:?}");
    assert_eq!(storage.get_products(STORE, &["prd_000005".to_owned()]).await.unwrap()[0].title, "Renamed Rain Jacket");
    let pages = list_requests(&peer, Shop::B);
    assert_eq!(pages.len() - pages_before, pages_before, "the whole list again");
    assert!(pages.iter().all(|r| !r.path.contains("changed_after")));
}

/// The first sync dies with the server after two pages; the server comes
/// back and the next run resumes at the third page.
async fn a_sync_cut_off_by_a_dying_server_resumes(shop: Shop, style: &str) {
    let mut peer = DrfPeer::start(400, Behaviour { die_after_pages: Some(2), ..Behaviour::default() });
    let active = peer.facts(shop).await["active"].as_u64().unwrap();
    let (app, storage) = gateway(&peer, shop, settings(&peer, shop, style)).await;

    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("the server dies on the third page");
    assert!(failed.to_string().contains("django-rest"), "{failed}");
    assert!(peer.exits_within(std::time::Duration::from_secs(10)), "the server is gone");
    let landed = storage.count_products(STORE).await.unwrap();
    assert!(landed > 0 && landed < active, "two pages landed before the failure: {landed}");
    let state = storage.get_sync_state(STORE).await.unwrap().expect("progress is saved");
    assert!(state.cursor.is_some(), "{state:?}");
    assert!(!state.last_error.as_deref().unwrap_or_default().contains(drf::TOKEN_A), "{state:?}");

    peer.restart(Behaviour::default());
    let requests_before = peer.requests().len();
    let report = app.sync_store(STORE, SyncMode::Incremental).await.expect("the resumed sync finishes");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active);
    assert_eq!(report.created as u64 + landed, active, "{report:?}");
    let after_restart = &peer.requests()[requests_before..];
    let first = after_restart.first().expect("the resumed run asked for a page");
    assert!(["page=3", "offset=100", "cursor="].iter().any(|p| first.path.contains(p)), "resumed at the third page, not the first: {first:?}");
    assert_well_behaved(&peer, shop);
}

#[tokio::test]
async fn shop_b_sync_resumes_from_its_cursor_after_the_server_died() {
    a_sync_cut_off_by_a_dying_server_resumes(Shop::B, "cursor").await;
}

#[tokio::test]
async fn shop_a_sync_resumes_from_its_page_after_the_server_died() {
    a_sync_cut_off_by_a_dying_server_resumes(Shop::A, "page").await;
}

#[tokio::test]
async fn throttled_pages_are_waited_out_without_losing_products() {
    // DRF's own throttle at one request a second: a page fetched within a
    // second of the previous one answers 429 with `Retry-After: 1`.
    let peer = DrfPeer::start(60, Behaviour { throttle: Some("1/s".into()), ..Behaviour::default() });
    let active = peer.facts(Shop::A).await["active"].as_u64().unwrap();
    let mut settings = shop_a_settings(&peer, "page");
    settings["page_size"] = json!(10);
    let (app, storage) = gateway(&peer, Shop::A, settings).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("the sync waits out every 429");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active);
    let throttled: Vec<_> = peer.requests().into_iter().filter(|r| r.status == 429).collect();
    assert!(!throttled.is_empty(), "the throttle answered 429 at least once");
    assert!(throttled.iter().all(|r| r.retry_after.is_some()), "{throttled:?}");
    assert_eq!(list_requests(&peer, Shop::A).iter().filter(|r| r.status == 200).count(), 6, "every page was answered once");
    assert_well_behaved(&peer, Shop::A);
}

#[tokio::test]
async fn a_refused_token_is_a_clear_error_without_the_token() {
    let peer = DrfPeer::start(10, Behaviour::default());
    let (app, storage) = gateway_with_token(&peer, Shop::A, shop_a_settings(&peer, "page"), "not-the-token").await;
    let failed = app.sync_store(STORE, SyncMode::Full).await.expect_err("401");
    let message = failed.to_string();
    assert!(message.contains("401") && message.contains("Authorization"), "{message}");
    assert!(!message.contains("not-the-token"), "{message}");
    assert_eq!(storage.count_products(STORE).await.unwrap(), 0);
}

#[tokio::test]
async fn shop_a_stock_is_read_live_from_the_listing() {
    let peer = DrfPeer::start(40, Behaviour::default());
    let facts = peer.facts(Shop::A).await;
    let (app, _storage) = gateway(&peer, Shop::A, shop_a_settings(&peer, "page")).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("sync");
    let sku = facts["sku"].as_str().unwrap().to_owned();
    let connector = app.connector(STORE).unwrap();
    let levels = connector.get_stock(&[sku.clone(), "NO-SUCH-SKU".into()]).await.expect("stock");
    assert_eq!(levels.len(), 1, "{levels:?}");
    assert_eq!((levels[0].sku.as_str(), levels[0].location.as_deref(), levels[0].available), (sku.as_str(), None, facts["sku_stock"].as_i64().unwrap()));
    assert!(peer.requests().iter().any(|r| r.path.contains("sku=NO-SUCH-SKU")), "stock is asked by SKU");

    let tools = app.store(STORE).unwrap().tools.clone();
    let outcome = tools.call(STORE, &call("get_stock", json!({"sku": sku}))).await;
    assert!(outcome.ok, "{:?}", outcome.result);
    assert_eq!(outcome.result["stock_source"], "live");
    assert_well_behaved(&peer, Shop::A);
}

#[tokio::test]
async fn shop_b_stock_is_read_per_warehouse_from_its_own_endpoint() {
    let peer = DrfPeer::start(40, Behaviour::default());
    let facts = peer.facts(Shop::B).await;
    let (app, _storage) = gateway(&peer, Shop::B, shop_b_settings(&peer, "limit")).await;
    let sku = facts["sku"].as_str().unwrap().to_owned();
    let connector = app.connector(STORE).unwrap();
    let levels = connector.get_stock(&[sku.clone(), "NO-SUCH-SKU".into()]).await.expect("stock");
    let expected = facts["sku_levels"].as_object().unwrap();
    assert_eq!(levels.len(), expected.len(), "{levels:?}");
    for level in &levels {
        assert_eq!(level.sku, sku);
        let location = level.location.as_deref().expect("a warehouse");
        assert_eq!(Some(level.available), expected[location].as_i64(), "{location}");
    }
    assert!(peer.requests().iter().any(|r| r.path.ends_with(&format!("/skus/{sku}/stock/"))));
    assert_well_behaved(&peer, Shop::B);
}

/// The right email opens the order; a wrong email, an unknown number and
/// an order whose number starts like it all get the same answer.
async fn orders_open_only_to_their_email(shop: Shop, style: &str, other_number: &str, other_email: &str) {
    let peer = DrfPeer::start(10, Behaviour::default());
    let facts = peer.facts(shop).await;
    let (app, _storage) = gateway(&peer, shop, settings(&peer, shop, style)).await;
    let tools = app.store(STORE).unwrap().tools.clone();
    let number = facts["order"]["number"].as_str().unwrap();
    let email = facts["order"]["email"].as_str().unwrap();

    let ok = tools.call(STORE, &call("get_order_status", json!({"order_ref": number, "email": format!(" {} ", email.to_uppercase())}))).await;
    assert!(ok.ok, "{:?}", ok.result);
    assert!(!ok.result["status"].as_str().unwrap_or_default().is_empty(), "{:?}", ok.result);
    assert!(ok.result["fulfilments"][0]["tracking"][0]["number"].as_str().is_some(), "{:?}", ok.result);
    assert!(!ok.result.to_string().to_lowercase().contains(&email.to_lowercase()), "the email is never returned");

    let wrong = tools.call(STORE, &call("get_order_status", json!({"order_ref": number, "email": "intruder@example.com"}))).await;
    let unknown = tools.call(STORE, &call("get_order_status", json!({"order_ref": "X-9999", "email": email}))).await;
    // Another order whose number starts with this one's: its email does
    // not open this one.
    let prefix = tools.call(STORE, &call("get_order_status", json!({"order_ref": number, "email": other_email}))).await;
    assert!(!wrong.ok && !unknown.ok && !prefix.ok);
    assert_eq!(wrong.result, unknown.result, "a wrong email and an unknown order look the same");
    assert_eq!(prefix.result, unknown.result);
    for refused in [&wrong, &prefix] {
        let text = refused.result.to_string();
        assert!(!text.contains(number) && !text.to_lowercase().contains("track"), "nothing of the order is revealed: {text}");
    }
    let other = tools.call(STORE, &call("get_order_status", json!({"order_ref": other_number, "email": other_email}))).await;
    assert!(other.ok, "{other_number} opens to its own email: {:?}", other.result);
    assert_eq!(other.result["order_ref"], other_number);
    assert_well_behaved(&peer, shop);
}

#[tokio::test]
async fn shop_a_orders_open_only_to_their_email() {
    orders_open_only_to_their_email(Shop::A, "page", "A10011", "someone.else@example.com").await;
}

#[tokio::test]
async fn shop_b_orders_open_only_to_their_email() {
    orders_open_only_to_their_email(Shop::B, "cursor", "B-20011", "other.buyer@example.com").await;
}

#[tokio::test]
async fn a_wrong_field_path_is_named_when_the_store_is_checked() {
    let peer = DrfPeer::start(5, Behaviour::default());
    let mut settings = shop_a_settings(&peer, "limit");
    settings["product"]["title"] = json!("title");
    let (app, _storage) = gateway(&peer, Shop::A, settings).await;
    let error = app.connector(STORE).unwrap().check_connection().await.expect_err("shop A's products have no `title`");
    let message = error.to_string();
    assert!(message.contains("product.title") && message.contains("\"name\""), "the setting and the item are named: {message}");
}

#[tokio::test]
async fn shop_a_stock_from_a_per_product_endpoint() {
    // Shop A's product detail lists every variant with its stock: as a
    // per-product stock endpoint, found through the by-SKU filter.
    let peer = DrfPeer::start(20, Behaviour::default());
    let facts = peer.facts(Shop::A).await;
    let mut settings = shop_a_settings(&peer, "cursor");
    settings["endpoints"]["stock"] = json!("products/{id}/");
    settings["stock"] = json!({"levels": "variants", "sku": "sku", "quantity": "stock"});
    let (app, _storage) = gateway(&peer, Shop::A, settings).await;
    let sku = facts["sku"].as_str().unwrap().to_owned();
    let levels = app.connector(STORE).unwrap().get_stock(&[sku.clone()]).await.expect("stock");
    assert_eq!(levels.len(), 1, "{levels:?}");
    assert_eq!((levels[0].sku.as_str(), levels[0].available), (sku.as_str(), facts["sku_stock"].as_i64().unwrap()));
    let product = facts["sku_product"].as_str().unwrap();
    assert!(peer.requests().iter().any(|r| r.path.ends_with(&format!("/products/{product}/"))), "the product's own endpoint was read");
    assert_well_behaved(&peer, Shop::A);
}

#[tokio::test]
async fn products_are_read_from_the_detail_endpoint_when_asked() {
    let peer = DrfPeer::start(25, Behaviour::default());
    let active = peer.facts(Shop::A).await["active"].as_u64().unwrap();
    let mut settings = shop_a_settings(&peer, "limit");
    settings["endpoints"]["fetch_product_detail"] = json!(true);
    let (app, storage) = gateway(&peer, Shop::A, settings).await;
    app.sync_store(STORE, SyncMode::Full).await.expect("full sync");
    assert_eq!(storage.count_products(STORE).await.unwrap(), active);
    let details = peer.requests().iter().filter(|r| r.path.starts_with("/shop-a/limit/products/") && !r.path.contains('?')).count();
    assert_eq!(details, 25, "each listed product was read from its detail endpoint");
    assert_well_behaved(&peer, Shop::A);
}
