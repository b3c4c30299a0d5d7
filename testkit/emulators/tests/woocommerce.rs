//! The WooCommerce emulator behaves as WooCommerce and WordPress do: auth
//! errors in WordPress's shape, `per_page` capped at 100 with a 400
//! `rest_invalid_param`, a page past the last as `[]`, `X-WP-Total` /
//! `X-WP-TotalPages`, `modified_after` with `dates_are_gmt`, `orderby` /
//! `order`, variations paged like products, `sku` finding variations, and
//! the 429 and die-after switches. Webhook signatures are checked against
//! an independent HMAC implementation (OpenSSL's command line).

use std::collections::HashSet;

use chatgw_emulators::woocommerce::webhook::{self, Webhook};
use chatgw_emulators::woocommerce::{self, CONSUMER_KEY, CONSUMER_SECRET, CatalogSpec, ProductType, WooCommerceEmulator};
use serde_json::Value;

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn ids(&self) -> Vec<u64> {
        self.body.as_array().expect("a list").iter().map(|item| item["id"].as_u64().expect("an id")).collect()
    }
}

async fn get_as(api: &WooCommerceEmulator, route: &str, key: Option<(&str, &str)>) -> Answer {
    let mut request = reqwest::Client::new().get(format!("{}/wp-json/wc/v3/{route}", api.base_url()));
    if let Some((user, password)) = key {
        request = request.basic_auth(user, Some(password));
    }
    let response = request.send().await.expect("the emulator answers");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    Answer { status, headers, body: response.json().await.expect("a JSON body") }
}

async fn get(api: &WooCommerceEmulator, route: &str) -> Answer {
    get_as(api, route, Some((CONSUMER_KEY, CONSUMER_SECRET))).await
}

async fn store() -> WooCommerceEmulator {
    WooCommerceEmulator::start(woocommerce::generate(&CatalogSpec::default())).await
}

#[tokio::test]
async fn requests_without_the_key_get_wordpress_errors() {
    let api = store().await;
    let anonymous = get_as(&api, "products", None).await;
    assert_eq!((anonymous.status, anonymous.body["code"].as_str()), (401, Some("woocommerce_rest_cannot_view")));
    assert_eq!(anonymous.body["data"]["status"], 401);
    let wrong = get_as(&api, "products", Some((CONSUMER_KEY, "cs_wrong"))).await;
    assert_eq!((wrong.status, wrong.body["message"].as_str()), (401, Some("Consumer secret is invalid.")));
    let query_auth = get_as(&api, &format!("products?consumer_key={CONSUMER_KEY}&consumer_secret={CONSUMER_SECRET}"), None).await;
    assert_eq!(query_auth.status, 200);
    let missing = get(&api, "products/1").await;
    assert_eq!((missing.status, missing.body["code"].as_str()), (404, Some("woocommerce_rest_product_invalid_id")));
    let no_route = get(&api, "nothing/here").await;
    assert_eq!(no_route.body["code"], "rest_no_route");
}

#[tokio::test]
async fn pages_hold_at_most_100_and_end_with_an_empty_page() {
    let api = WooCommerceEmulator::start(woocommerce::generate(&CatalogSpec { products: 250, ..CatalogSpec::default() })).await;
    let refused = get(&api, "products?per_page=101").await;
    assert_eq!((refused.status, refused.body["code"].as_str()), (400, Some("rest_invalid_param")));
    assert!(refused.body["data"]["params"]["per_page"].as_str().unwrap().contains("between 1 (inclusive) and 100 (inclusive)"));
    assert_eq!(get(&api, "products?orderby=popularity_desc").await.status, 400);
    assert_eq!(get(&api, "products?page=0").await.status, 400);

    let default = get(&api, "products").await;
    assert_eq!(default.ids().len(), 10, "WordPress's default per_page");
    assert_eq!((default.header("x-wp-total"), default.header("x-wp-totalpages")), (Some("250"), Some("25")));
    let dates: Vec<u64> = default.ids();
    assert!(dates.windows(2).all(|w| w[0] > w[1]), "newest first by default");

    let mut seen = HashSet::new();
    for page in 1..=3 {
        let answer = get(&api, &format!("products?per_page=100&page={page}&orderby=id&order=asc")).await;
        assert_eq!(answer.header("x-wp-totalpages"), Some("3"));
        assert!(answer.header("link").is_some_and(|l| (page < 3) == l.contains("rel=\"next\"")), "{:?}", answer.header("link"));
        seen.extend(answer.ids());
    }
    assert_eq!(seen.len(), 250);
    let past = get(&api, "products?per_page=100&page=4").await;
    assert_eq!((past.status, past.body.as_array().map(Vec::len)), (200, Some(0)), "a page past the last is empty, not an error");
}

#[tokio::test]
async fn modified_after_and_statuses_filter_products() {
    let api = store().await;
    let (changed, draft) = {
        let mut c = api.controls();
        let now = chrono::Utc::now();
        let changed = c.store.products[4].id;
        c.store.update_product(changed, now, |p| p.name = "Changed".into());
        let draft = c.store.products.iter().find(|p| p.status == "draft").unwrap().id;
        (changed, draft)
    };
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%S");
    let recent = get(&api, &format!("products?modified_after={since}&dates_are_gmt=true")).await;
    assert_eq!(recent.ids(), vec![changed]);
    assert_eq!(get(&api, "products?modified_after=yesterday").await.status, 400);
    let all: Vec<u64> = get(&api, "products?per_page=100").await.ids();
    assert!(all.contains(&draft), "status defaults to any");
    let published: Vec<u64> = get(&api, "products?per_page=100&status=publish").await.ids();
    assert!(!published.contains(&draft));
    let product = get(&api, &format!("products/{changed}")).await;
    assert!(product.body["date_modified_gmt"].as_str().is_some_and(|d| d.len() == 19), "no zone: {}", product.body["date_modified_gmt"]);
}

#[tokio::test]
async fn variations_page_like_products_and_sku_finds_them() {
    let spec = CatalogSpec { products: 40, wide_every: 6, ..CatalogSpec::default() };
    let api = WooCommerceEmulator::start(woocommerce::generate(&spec)).await;
    let (wide, own_sku, parent_sku, bare) = {
        let c = api.controls();
        let wide = c.store.products.iter().find(|p| p.variations.len() == 120).unwrap();
        let own = wide.variations.iter().find(|v| !v.sku.is_empty()).unwrap();
        let bare = c.store.products.iter().flat_map(|p| p.variations.iter().map(move |v| (p, v))).find(|(_, v)| v.sku.is_empty()).unwrap();
        (wide.id, own.sku.clone(), bare.0.sku.clone(), bare.1.id)
    };
    let first = get(&api, &format!("products/{wide}/variations?per_page=100")).await;
    assert_eq!((first.ids().len(), first.header("x-wp-totalpages")), (100, Some("2")));
    let second = get(&api, &format!("products/{wide}/variations?per_page=100&page=2")).await;
    assert_eq!(second.ids().len(), 20);
    let product = get(&api, &format!("products/{wide}")).await;
    assert_eq!(product.body["type"], "variable");
    assert_eq!(product.body["variations"].as_array().unwrap().len(), 120);

    let by_sku = get(&api, &format!("products?sku={own_sku}")).await;
    assert_eq!(by_sku.body[0]["type"], "variation");
    assert_eq!(by_sku.body[0]["parent_id"], wide);
    let variation = get(&api, &format!("products/{bare}")).await;
    assert_eq!(variation.body["sku"], parent_sku.as_str(), "a variation without a SKU shows its parent's");
    let inherited = get(&api, &format!("products?sku={parent_sku}")).await;
    assert!(inherited.body.as_array().unwrap().iter().all(|p| p["type"] != "variation"), "the filter matches a variation's own SKU only");
    assert!(api.controls().store.products.iter().any(|p| p.kind == ProductType::Simple));
}

#[tokio::test]
async fn orders_are_found_by_id_and_by_search() {
    let api = store().await;
    let order = get(&api, "orders/1500").await;
    assert_eq!((order.body["number"].as_str(), order.body["billing"]["email"].as_str()), (Some("1777"), Some("noor.haddad@example.com")));
    assert!(order.body["line_items"][0]["price"].is_number(), "a line item's price is a number");
    assert_eq!(get(&api, "orders/1777").await.body["code"], "woocommerce_rest_shop_order_invalid_id");
    let found = get(&api, "orders?search=1777").await;
    assert_eq!(found.ids(), vec![1500]);
    let prefix = get(&api, "orders?search=1001").await;
    assert_eq!(prefix.ids().len(), 2, "search is a substring match: 1001 and 10011");
}

#[tokio::test]
async fn the_switches_answer_429_and_then_die() {
    let api = store().await;
    {
        let mut c = api.controls();
        c.rate_limit_next = 1;
        c.retry_after_s = Some(3);
    }
    let limited = get(&api, "products").await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("3")));
    assert_eq!(get(&api, "products").await.status, 200);
    let answered = api.controls().answered;
    api.controls().die_after_requests = Some(answered + 1);
    assert_eq!(get(&api, "products").await.status, 200);
    assert_eq!(get(&api, "products").await.status, 500);
    api.controls().die_after_requests = None;
    assert_eq!(get(&api, "products").await.status, 200);
}

fn openssl_hmac(secret: &str, body: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sh")
        .args(["-c", "openssl dgst -sha256 -hmac \"$SECRET\" -binary | openssl base64 -A"])
        .env("SECRET", secret)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("`openssl` is needed to check webhook signatures independently ({e}); install it (apt-get install openssl)"));
    child.stdin.take().expect("stdin").write_all(body).expect("write the body");
    let output = child.wait_with_output().expect("openssl runs");
    assert!(output.status.success(), "openssl failed");
    String::from_utf8(output.stdout).expect("base64 is text").trim().to_owned()
}

#[test]
fn webhooks_carry_woocommerces_headers_and_signature() {
    let store = woocommerce::generate(&CatalogSpec::default());
    let secret = "wc secret with spaces & ümlauts";
    let product = &store.products[2];
    let hooks = [
        Webhook::product(&store, 9, "product.updated", product.id),
        Webhook::product(&store, 9, "product.deleted", product.id),
        Webhook::order(&store, 9, "order.updated", 1001),
    ];
    for hook in &hooks {
        let headers = hook.headers(secret);
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("{name} is sent"));
        assert_eq!(header("X-WC-Webhook-Signature"), openssl_hmac(secret, &hook.body), "{}", hook.topic);
        assert_eq!(header("X-WC-Webhook-Topic"), hook.topic);
        assert_eq!(format!("{}.{}", header("X-WC-Webhook-Resource"), header("X-WC-Webhook-Event")), hook.topic);
        assert_eq!((header("X-WC-Webhook-ID"), header("X-WC-Webhook-Source")), ("9".to_owned(), store.home_url.clone()));
        assert!(!header("X-WC-Webhook-Delivery-ID").is_empty());
    }
    assert_eq!(hooks[1].body, format!("{{\"id\":{}}}", product.id).into_bytes(), "a deleted resource is only its id");
    assert!(String::from_utf8_lossy(&hooks[0].body).contains("https:\\/\\/"), "slashes escaped as PHP does");
    let (headers, body) = webhook::ping(9);
    assert_eq!(body, b"webhook_id=9");
    assert!(headers.iter().all(|(name, _)| !name.starts_with("X-WC-")), "the ping is unsigned and bare");
}
