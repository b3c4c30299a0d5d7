//! Stores read from their own databases through the shipped generic-sql
//! connector (`connectors/generic-sql`, packaged as an operator installs
//! it), on the real PostgreSQL and MariaDB, each test in a schema or
//! database of its own read by a least-privilege user: the WooCommerce
//! database schema with the ready configs of `examples/stores/connectors/`
//! (`woocommerce-sql.toml` on MariaDB, `woocommerce-sql-postgres.toml` on
//! PostgreSQL) and a small custom schema with `generic-sql.toml`. Full sync
//! of 3,000 products with variations, incremental sync by `:since`, live
//! stock by `:skus`, order lookup behind the billing email, products absent
//! from a full sync leaving search, and a sync cut off (page cap, failing
//! statement) resumed from its cursor.

mod chat_support;
mod common;
mod shop_db;

use std::sync::Arc;

use chat_support::*;
use chatgw::App;
use chatgw::config::{CatalogSource, ConnectorSource, SqlDatabaseConfig, StoreConfig};
use chatgw::connector::sync::SyncMode;
use chatgw::llm::ToolCall;
use chatgw::storage::Storage;
use serde_json::{Value, json};
use shop_db::woocommerce::{self, Seeded};
use shop_db::{Db, READER_PASSWORD, ShopDb, V, s};

/// The database label the test stores use.
const LABEL: &str = "shop-db";
const URL_ENV: &str = "CHATGW_TEST_GENERIC_SQL_URL";
/// Not WordPress's default, so the configured prefix is what is used.
const PREFIX: &str = "hp7_";

/// The example store file for the backend, with the test's database and
/// prefix, synced only when a test asks.
fn woocommerce_store(db: Db, adjust: impl FnOnce(&mut ConnectorSource)) -> StoreConfig {
    let file = match db {
        Db::MariaDb => "woocommerce-sql.toml",
        Db::Postgres => "woocommerce-sql-postgres.toml",
    };
    let mut store = example_store(file, |source| {
        source.settings.insert("table_prefix".into(), json!(PREFIX));
        adjust(source);
    });
    store.id = "woo".into();
    store
}

fn example_store(file: &str, adjust: impl FnOnce(&mut ConnectorSource)) -> StoreConfig {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/stores/connectors").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut store = chatgw::config::parse_store(&text, file).unwrap_or_else(|e| panic!("{file} parses: {e}"));
    let CatalogSource::Connector(source) = &mut store.catalog else { panic!("{file} is a connector store") };
    source.sql = Some(LABEL.into());
    source.sync_interval_minutes = 0;
    adjust(source);
    store
}

/// A gateway with one store whose database is `shop`, over `storage`.
async fn gateway_on(shop: &ShopDb, store: StoreConfig, storage: Arc<dyn Storage>) -> App {
    // Each test runs in its own process (nextest); nothing else reads the
    // environment while this runs.
    unsafe { std::env::set_var(URL_ENV, &shop.reader_url) };
    let mut config = gateway_config();
    config.plugins.insert("generic-sql".into(), chatgw_emulators::connector_manifest("generic-sql").display().to_string());
    config
        .databases
        .insert(LABEL.into(), SqlDatabaseConfig { url_env: URL_ENV.into(), max_rows: 5_000, max_bytes: 8 * 1024 * 1024, statement_timeout_ms: 20_000 });
    let embedder: Arc<dyn chatgw::embed::Embedder> = Arc::new(chatgw::embed::LocalEmbedder::default());
    let model: Arc<dyn chatgw::llm::ChatModel> = Arc::new(chatgw::llm::offline::OfflineModel);
    let services = chatgw::app::Services { storage, sessions: memory_sessions(), embedder };
    App::new(config, services, vec![(store, model)]).await.expect("gateway with a generic-sql store builds")
}

async fn gateway(shop: &ShopDb, store: StoreConfig) -> (App, Arc<dyn Storage>) {
    let storage: Arc<dyn Storage> = common::sqlite().await;
    (gateway_on(shop, store.clone(), storage.clone()).await, storage)
}

async fn woocommerce_shop(db: Db, products: usize) -> (ShopDb, Seeded) {
    let mut shop = ShopDb::new(db).await;
    let started = std::time::Instant::now();
    let seeded = woocommerce::seed(&mut shop, PREFIX, products).await;
    eprintln!("{db:?}: seeded a WooCommerce shop of {products} products in {:.2} s", started.elapsed().as_secs_f64());
    (shop, seeded)
}

fn call(name: &str, arguments: Value) -> ToolCall {
    ToolCall { id: format!("call_{name}"), name: name.into(), arguments: arguments.to_string() }
}

/// `$body(db)` as one test per backend: `name::postgres`, `name::mariadb`.
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn postgres() {
                super::$body(super::Db::Postgres).await;
            }
            #[tokio::test]
            async fn mariadb() {
                super::$body(super::Db::MariaDb).await;
            }
        }
    };
}

on_both!(a_full_sync_of_3000_woocommerce_products_lands_every_published_product_with_its_variations, full_sync_of_3000);
on_both!(an_incremental_sync_reads_only_what_changed_and_a_full_sync_drops_what_is_gone, incremental_and_absent);
on_both!(stock_is_read_live_from_the_lookup_table_in_bounded_batches, live_stock);
on_both!(an_order_is_shown_only_to_its_billing_email_and_a_wrong_email_reveals_nothing, order_lookup);
on_both!(a_sync_cut_off_by_the_page_cap_or_a_failing_statement_resumes_from_its_cursor, resume_after_cut);

async fn full_sync_of_3000(db: Db) {
    let (shop, seeded) = woocommerce_shop(db, 3_000).await;
    let (app, storage) = gateway(&shop, woocommerce_store(db, |_| {})).await;

    let started = std::time::Instant::now();
    let report = app.sync_store("woo", SyncMode::Full).await.map_err(|e| e.to_string()).expect("full sync");
    eprintln!("{db:?}: full sync + embedding of {} products: {:.2} s ({report:?})", seeded.products, started.elapsed().as_secs_f64());

    assert_eq!(storage.count_products("woo").await.unwrap(), seeded.active as u64, "drafts stay out");
    assert_eq!(report.created, seeded.active, "{report:?}");
    assert!(report.embedded >= seeded.active, "every card was embedded: {report:?}");
    assert_eq!(report.skipped, 0, "{report:?}");

    // A product in four sizes and a colour, on sale.
    let wide =
        seeded.variable.iter().find(|p| p.published && p.variations.len() == 4 && p.colour.is_some() && p.variations[0].price != p.variations[0].regular_price);
    let wide = wide.expect("the seed has a four-size product in a colour, on sale");
    let product = &storage.get_products("woo", &[wide.id.to_string()]).await.unwrap()[0];
    assert_eq!(product.title, wide.title);
    assert_eq!(product.variants.len(), 4);
    let first = &product.variants[0];
    assert_eq!(first.sku, wide.variations[0].sku);
    assert_eq!(first.price, wide.variations[0].price);
    assert_eq!(first.compare_at_price.as_deref(), Some(wide.variations[0].regular_price.as_str()));
    assert_eq!(first.inventory_quantity, Some(wide.variations[0].stock));
    assert_eq!(first.options.get("size").map(String::as_str), Some("Small"), "the term's name, labelled from the attribute taxonomy: {:?}", first.options);
    assert_eq!(first.options.get("colour"), wide.colour.as_ref(), "{:?}", first.options);
    assert!(!product.category.is_empty(), "the product_cat term is the category");
    assert_eq!(product.url.as_deref().map(|u| u.starts_with("https://harbourpine.example/product/")), Some(true), "{:?}", product.url);
    assert!(product.updated_at.is_some());
    // Every tenth product has a thumbnail: its attachment's URL.
    let pictured = seeded.variable.iter().find(|p| p.published && p.image.is_some()).expect("a variable product with a thumbnail");
    let product = &storage.get_products("woo", &[pictured.id.to_string()]).await.unwrap()[0];
    assert_eq!(product.image, pictured.image);
}

/// A `post_modified_gmt` a moment after the last sync started, as SQL text.
fn modified_now() -> String {
    let at = chrono::Utc::now().naive_utc() + chrono::TimeDelta::seconds(2);
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

async fn incremental_and_absent(db: Db) {
    let (mut shop, seeded) = woocommerce_shop(db, 120).await;
    let (app, storage) = gateway(
        &shop,
        woocommerce_store(db, |source| {
            source.settings.insert("page_size".into(), json!(25));
        }),
    )
    .await;
    app.sync_store("woo", SyncMode::Full).await.map_err(|e| e.to_string()).expect("full sync");
    assert_eq!(storage.count_products("woo").await.unwrap(), seeded.active as u64);

    let published: Vec<_> = seeded.variable.iter().filter(|p| p.published).collect();
    let (renamed, drafted, repriced, removed) = (published[0], published[1], published[2], published[3]);
    let now = modified_now();
    let posts = format!("{PREFIX}posts");
    let postmeta = format!("{PREFIX}postmeta");
    shop.admin(&[
        format!("UPDATE {posts} SET post_title = 'Renamed Harbour Jacket', post_modified_gmt = {now} WHERE ID = {}", renamed.id),
        format!("UPDATE {posts} SET post_status = 'draft', post_modified_gmt = {now} WHERE ID = {}", drafted.id),
        // Only the variation changes; its product counts as changed.
        format!("UPDATE {postmeta} SET meta_value = '5.00' WHERE post_id = {} AND meta_key = '_price'", repriced.variations[0].id),
        format!("UPDATE {posts} SET post_modified_gmt = {now} WHERE ID = {}", repriced.variations[0].id),
    ])
    .await;

    let report = app.sync_store("woo", SyncMode::Incremental).await.map_err(|e| e.to_string()).expect("incremental sync");
    assert_eq!((report.updated, report.deleted, report.created, report.unchanged), (2, 1, 0, 0), "only the three changed products came back: {report:?}");
    let get = |id: i64| {
        let storage = storage.clone();
        async move { storage.get_products("woo", &[id.to_string()]).await.unwrap() }
    };
    assert_eq!(get(renamed.id).await[0].title, "Renamed Harbour Jacket");
    assert!(get(drafted.id).await.is_empty(), "a product set to draft leaves search");
    let variant = get(repriced.id).await[0].variants.iter().find(|v| v.sku == repriced.variations[0].sku).cloned().expect("the variant");
    assert_eq!(variant.price, "5.00");
    assert_eq!(storage.count_products("woo").await.unwrap(), seeded.active as u64 - 1);

    // A product deleted from the shop outright is absent from the next
    // full sync, and leaves search.
    shop.admin(&[
        format!(
            "DELETE FROM {postmeta} WHERE post_id IN (SELECT ID FROM (SELECT ID FROM {posts} WHERE ID = {id} OR post_parent = {id}) gone)",
            id = removed.id
        ),
        format!("DELETE FROM {posts} WHERE ID = {id} OR post_parent = {id}", id = removed.id),
    ])
    .await;
    let report = app.sync_store("woo", SyncMode::Full).await.map_err(|e| e.to_string()).expect("full sync");
    assert_eq!(report.deleted, 1, "{report:?}");
    assert!(get(removed.id).await.is_empty());
    assert_eq!(storage.count_products("woo").await.unwrap(), seeded.active as u64 - 2);
}

async fn live_stock(db: Db) {
    let (mut shop, seeded) = woocommerce_shop(db, 200).await;
    let (app, _storage) = gateway(
        &shop,
        woocommerce_store(db, |source| {
            source.settings.insert("in_stock_quantity".into(), json!(3));
        }),
    )
    .await;
    let connector = app.connector("woo").expect("a connector store");

    // More SKUs than one query binds (skus_per_query = 100): three batches.
    let mut skus: Vec<String> = seeded.variable.iter().flat_map(|p| p.variations.iter().map(|v| v.sku.clone())).take(250).collect();
    skus.push(seeded.unmanaged_sku.clone());
    skus.push("NO-SUCH-SKU".into());
    let levels = connector.get_stock(&skus).await.expect("stock");
    let level = |sku: &str| levels.iter().find(|l| l.sku == sku && l.location.is_none()).map(|l| l.available);
    for product in seeded.variable.iter().take(20) {
        for variation in &product.variations {
            assert_eq!(level(&variation.sku), Some(variation.stock), "{}", variation.sku);
        }
    }
    assert_eq!(levels.iter().filter(|l| l.location.is_none()).count(), 251, "every SKU asked for that exists, once");
    assert_eq!(level(&seeded.unmanaged_sku), Some(3), "in stock without a count: in_stock_quantity");
    assert_eq!(level("NO-SUCH-SKU"), None);

    // Through the assistant's tool, changed in the shop a moment ago.
    app.sync_store("woo", SyncMode::Full).await.map_err(|e| e.to_string()).expect("sync");
    let product = seeded.variable.iter().find(|p| p.published).expect("a published product");
    let sku = &product.variations[0].sku;
    shop.admin(&[format!("UPDATE {PREFIX}wc_product_meta_lookup SET stock_quantity = 42 WHERE sku = '{sku}'")]).await;
    let tools = app.store("woo").unwrap().tools.clone();
    let outcome = tools.call("woo", &call("get_stock", json!({"sku": sku}))).await;
    assert!(outcome.ok, "{:?}", outcome.result);
    assert_eq!(outcome.result["stock_source"], "live");
    let quantity = outcome.result["variants"].as_array().and_then(|vs| vs.iter().find(|v| v["sku"] == json!(sku))).map(|v| v["quantity"].clone());
    assert_eq!(quantity, Some(json!(42)), "{:?}", outcome.result);
}

async fn order_lookup(db: Db) {
    let (shop, seeded) = woocommerce_shop(db, 60).await;
    let (app, _storage) = gateway(&shop, woocommerce_store(db, |_| {})).await;
    let tools = app.store("woo").unwrap().tools.clone();
    let order = &seeded.orders[0];
    let (carrier, tracking) = order.tracking.clone().expect("#1001 has tracking");

    let ok = tools.call("woo", &call("get_order_status", json!({"order_ref": "#1001", "email": format!(" {} ", order.email.to_uppercase())}))).await;
    assert!(ok.ok, "{:?}", ok.result);
    assert_eq!(ok.result["status"], order.status);
    let skus: Vec<&str> = ok.result["items"].as_array().unwrap().iter().filter_map(|i| i["sku"].as_str()).collect();
    assert_eq!(skus, order.item_skus.iter().map(String::as_str).collect::<Vec<_>>(), "{:?}", ok.result);
    assert_eq!(ok.result["items"][1]["quantity"], 2);
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["number"], tracking.as_str());
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["carrier"], carrier.as_str());
    assert!(ok.result["total"]["amount"].is_string() || ok.result["total"]["amount"].is_number(), "{:?}", ok.result);
    assert!(!ok.result.to_string().to_lowercase().contains(&order.email), "the email is never returned");
    let bare = tools.call("woo", &call("get_order_status", json!({"order_ref": "1001", "email": order.email}))).await;
    assert!(bare.ok, "`1001` names order #1001: {:?}", bare.result);

    let other = &seeded.orders[1];
    let wrong_email = tools.call("woo", &call("get_order_status", json!({"order_ref": "#1001", "email": other.email}))).await;
    let unknown = tools.call("woo", &call("get_order_status", json!({"order_ref": "#9999", "email": order.email}))).await;
    let garbled = tools.call("woo", &call("get_order_status", json!({"order_ref": "1001abc", "email": order.email}))).await;
    assert!(!wrong_email.ok && !unknown.ok && !garbled.ok);
    assert_eq!(wrong_email.result, unknown.result, "a wrong email and an unknown order look the same");
    assert_eq!(garbled.result, unknown.result, "a number with junk after it is no order");
    let refused = wrong_email.result.to_string();
    assert!(!refused.contains(&tracking) && !refused.contains(&order.status) && !refused.contains("Mara"), "{refused}");
}

async fn resume_after_cut(db: Db) {
    let (mut shop, seeded) = woocommerce_shop(db, 300).await;
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let small_pages = |cap: u64| {
        woocommerce_store(db, move |source| {
            source.settings.insert("page_size".into(), json!(50));
            source.max_pages_per_sync = cap;
        })
    };

    // Cut by the page cap after two of six pages.
    let capped = gateway_on(&shop, small_pages(2), storage.clone()).await;
    let failed = capped.sync_store("woo", SyncMode::Full).await.expect_err("the page cap stops the run").to_string();
    assert!(failed.contains("max_pages_per_sync"), "{failed}");
    let landed = storage.count_products("woo").await.unwrap();
    assert!(landed > 0 && (landed as usize) < seeded.active, "two pages landed: {landed}");
    let state = storage.get_sync_state("woo").await.unwrap().expect("progress is saved");
    let cursor = state.cursor.clone().expect("the cursor is saved");
    drop(capped);

    // The statement fails on the resumed run's first page: nothing moves.
    let (postmeta, away) = (format!("{PREFIX}postmeta"), format!("{PREFIX}postmeta_moved"));
    shop.admin(&[shop.rename_table(&postmeta, &away)]).await;
    let app = gateway_on(&shop, small_pages(10_000), storage.clone()).await;
    let failed = app.sync_store("woo", SyncMode::Incremental).await.expect_err("the table is gone").to_string();
    assert!(failed.contains("catalog_query"), "the error names the query: {failed}");
    assert!(!failed.contains(READER_PASSWORD), "{failed}");
    let state = storage.get_sync_state("woo").await.unwrap().expect("progress is saved");
    assert_eq!(state.cursor.as_deref(), Some(cursor.as_str()), "the failed page is fetched again next time");
    assert!(state.last_error.as_deref().is_some_and(|e| e.contains("catalog_query") && !e.contains(READER_PASSWORD)), "{state:?}");
    assert_eq!(storage.count_products("woo").await.unwrap(), landed);

    // Back again: the run resumes at its cursor and finishes the full sync.
    shop.admin(&[shop.rename_table(&away, &postmeta)]).await;
    let report = app.sync_store("woo", SyncMode::Incremental).await.map_err(|e| e.to_string()).expect("the resumed sync finishes");
    assert_eq!(storage.count_products("woo").await.unwrap(), seeded.active as u64);
    assert_eq!(report.created + landed as usize, seeded.active, "the pages before the cut were not fetched again: {report:?}");
    let state = storage.get_sync_state("woo").await.unwrap().expect("state");
    assert!(state.cursor.is_none() && state.last_error.is_none() && state.last_full_at.is_some(), "{state:?}");
}

/// A small custom schema (`testkit/sql/generic/postgres.sql`) with
/// `examples/stores/connectors/generic-sql.toml`: `option_<name>` columns, a tags
/// array, a timestamptz `updated_at`, orders with items and tracking.
#[tokio::test]
async fn a_custom_schema_store_syncs_and_answers_from_its_own_queries() {
    let mut shop = ShopDb::new(Db::Postgres).await;
    shop.create_tables("generic/postgres.sql", "").await;
    let (mut products, mut variants) = (Vec::new(), Vec::new());
    let at = chrono::DateTime::parse_from_rfc3339("2024-05-01T08:00:00Z").unwrap().naive_utc();
    for i in 1..=400_i64 {
        products.push(vec![V::I(i), s(format!("Corner Tee {i}")), s("Soft cotton tee."), s(format!("corner-tee-{i}")), s("T-shirts"), s("Corner"), V::T(at)]);
        for (k, size) in ["S", "M", "L"].iter().enumerate() {
            let id = i * 10 + k as i64;
            variants.push(vec![
                V::I(id),
                V::I(i),
                s(format!("CT-{i}-{size}")),
                s(*size),
                s(if i % 2 == 0 { "White" } else { "Black" }),
                V::F(19.5),
                V::F(25.0),
                V::I((i + k as i64) % 5),
            ]);
        }
    }
    shop.insert("products", &["id", "name", "description", "slug", "category", "brand", "updated_at"], &products).await;
    // Every 40th product is unpublished.
    shop.admin(&[
        "UPDATE products SET published = false, tags = ARRAY['archive'] WHERE id % 40 = 0".into(),
        "UPDATE products SET tags = ARRAY['cotton', 'basics'] WHERE id = 1".into(),
    ])
    .await;
    shop.insert("variants", &["id", "product_id", "sku", "size", "colour", "price", "list_price", "stock"], &variants).await;
    shop.admin(&[
        "INSERT INTO orders (id, number, status, email, postcode, created_at, total, currency, carrier, tracking_number, shipped_at) VALUES \
         (1, 'CS-1001', 'shipped', 'lena@example.com', '10115', '2024-05-02T10:00:00Z', 39.00, 'EUR', 'UPS', '1Z999', '2024-05-03T09:00:00Z')"
            .into(),
        "INSERT INTO order_items (id, order_id, sku, title, quantity, unit_price) VALUES (1, 1, 'CT-1-S', 'Corner Tee 1 - S', 2, 19.50)".into(),
    ])
    .await;

    let (app, storage) = gateway(&shop, example_store("generic-sql.toml", |_| {})).await;
    let report = app.sync_store("corner-shop", SyncMode::Full).await.map_err(|e| e.to_string()).expect("full sync");
    assert_eq!(report.created, 390, "{report:?}");
    let first = &storage.get_products("corner-shop", &["1".into()]).await.unwrap()[0];
    assert_eq!(first.variants.len(), 3);
    assert_eq!(first.variants[0].options.get("size").map(String::as_str), Some("S"));
    assert_eq!(first.variants[0].options.get("colour").map(String::as_str), Some("Black"));
    assert_eq!(first.variants[0].compare_at_price.as_deref(), Some("25.00"));
    assert_eq!(first.tags, vec!["cotton".to_owned(), "basics".to_owned()]);
    assert_eq!(first.url.as_deref(), Some("https://cornershop.example/products/corner-tee-1"));

    shop.admin(&["UPDATE products SET name = 'Corner Tee One', updated_at = now() + interval '2 seconds' WHERE id = 1".into()]).await;
    let report = app.sync_store("corner-shop", SyncMode::Incremental).await.map_err(|e| e.to_string()).expect("incremental sync");
    assert_eq!((report.updated, report.unchanged, report.created), (1, 0, 0), "{report:?}");

    let connector = app.connector("corner-shop").unwrap();
    let levels = connector.get_stock(&["CT-1-M".into(), "CT-2-L".into()]).await.expect("stock");
    assert_eq!(levels.iter().find(|l| l.sku == "CT-1-M").map(|l| l.available), Some(2));
    assert_eq!(levels.iter().find(|l| l.sku == "CT-2-L").map(|l| l.available), Some(4));

    let tools = app.store("corner-shop").unwrap().tools.clone();
    let ok = tools.call("corner-shop", &call("get_order_status", json!({"order_ref": "#CS-1001", "email": "lena@example.com"}))).await;
    assert!(ok.ok, "{:?}", ok.result);
    assert_eq!(ok.result["fulfilments"][0]["tracking"][0]["number"], "1Z999");
    assert_eq!(ok.result["items"][0]["sku"], "CT-1-S");
    let wrong = tools.call("corner-shop", &call("get_order_status", json!({"order_ref": "CS-1001", "email": "mallory@example.com"}))).await;
    let unknown = tools.call("corner-shop", &call("get_order_status", json!({"order_ref": "CS-4040", "email": "lena@example.com"}))).await;
    assert!(!wrong.ok && wrong.result == unknown.result, "{:?}", wrong.result);
}

/// A query that lacks a required column fails the sync with an error that
/// names the setting and the column.
#[tokio::test]
async fn a_query_missing_a_required_column_is_explained() {
    let mut shop = ShopDb::new(Db::MariaDb).await;
    shop.admin(&["CREATE TABLE items (id int PRIMARY KEY, name varchar(100))".into(), "INSERT INTO items VALUES (1, 'Cap')".into()]).await;
    let store = example_store("generic-sql.toml", |source| {
        source.settings.insert("dialect".into(), json!("mysql"));
        source.settings.insert(
            "catalog_query".into(),
            json!("SELECT id AS product_id, name FROM items WHERE (:after IS NULL OR id > :after) AND :since IS NULL ORDER BY id LIMIT :limit"),
        );
        source.settings.remove("stock_query");
        source.settings.remove("order_query");
    });
    let (app, _storage) = gateway(&shop, store).await;
    let failed = app.sync_store("corner-shop", SyncMode::Full).await.expect_err("no title column").to_string();
    assert!(failed.contains("catalog_query") && failed.contains("`title`") && failed.contains("product_id, name"), "{failed}");
}
