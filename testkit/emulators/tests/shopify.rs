//! The Shopify emulator behaves as shopify.dev documents the platform:
//! auth and version errors, the 250 cap on `first`, unknown fields refused,
//! calculated cost in every answer, a throttled call as HTTP 200 with a
//! `THROTTLED` error and no data, 429 with `Retry-After`, opaque cursors
//! that page to the end. Its webhook signatures are checked with an
//! independent implementation of Shopify's published algorithm (Node's
//! `crypto.createHmac`, as in Shopify's docs).

use chatgw_emulators::shopify::webhook::{self, Webhook};
use chatgw_emulators::shopify::{self, ACCESS_TOKEN, Bucket, CatalogSpec, ShopifyEmulator};
use serde_json::{Value, json};

async fn post(api: &ShopifyEmulator, version: &str, token: Option<&str>, query: &str, variables: Value) -> (u16, Option<String>, Value) {
    let mut request =
        reqwest::Client::new().post(format!("{}/admin/api/{version}/graphql.json", api.base_url())).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.header("X-Shopify-Access-Token", token);
    }
    let response = request.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, response.json().await.expect("a JSON body"))
}

async fn query(api: &ShopifyEmulator, query: &str, variables: Value) -> Value {
    let (status, _, body) = post(api, "2025-07", Some(ACCESS_TOKEN), query, variables).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn first_error(body: &Value) -> (&str, &str) {
    (body["errors"][0]["message"].as_str().unwrap_or(""), body["errors"][0]["extensions"]["code"].as_str().unwrap_or(""))
}

#[tokio::test]
async fn auth_and_version_errors_have_shopifys_shape() {
    let api = ShopifyEmulator::start(shopify::generate(&CatalogSpec::default())).await;
    let (status, _, body) = post(&api, "2025-07", None, "{ shop { name } }", json!({})).await;
    assert_eq!(status, 401);
    assert!(body["errors"].as_str().unwrap().contains("Invalid API key or access token"), "{body}");
    let (status, _, _) = post(&api, "2025-07", Some("shpat_wrong"), "{ shop { name } }", json!({})).await;
    assert_eq!(status, 401);
    let (status, _, _) = post(&api, "2019-13", Some(ACCESS_TOKEN), "{ shop { name } }", json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn pages_are_capped_at_250_and_unknown_fields_are_refused() {
    let api = ShopifyEmulator::start(shopify::generate(&CatalogSpec::default())).await;
    let body = query(&api, "{ products(first: 251) { nodes { id } } }", json!({})).await;
    assert!(body.get("data").is_none(), "{body}");
    assert!(first_error(&body).0.contains("first cannot exceed 250"), "{body}");
    let body = query(&api, "{ products(first: 5) { nodes { id inventory } } }", json!({})).await;
    assert_eq!(first_error(&body), ("Field 'inventory' doesn't exist on type 'Product'", "undefinedField"));
    let body = query(&api, "{ products { nodes { id } } }", json!({})).await;
    assert!(first_error(&body).0.contains("first or last"), "{body}");
    // 250 products with 250 variants each request far more than 1,000.
    let body = query(&api, "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }", json!({})).await;
    assert_eq!(first_error(&body).1, "MAX_COST_EXCEEDED", "{body}");
}

#[tokio::test]
async fn cursors_page_through_everything_and_every_answer_carries_its_cost() {
    let api = ShopifyEmulator::start(shopify::generate(&CatalogSpec { products: 23, ..CatalogSpec::default() })).await;
    let document =
        "query Page($after: String) { products(first: 10, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }";
    let (mut after, mut seen, mut pages) = (Value::Null, Vec::new(), 0);
    loop {
        let body = query(&api, document, json!({ "after": after })).await;
        let cost = &body["extensions"]["cost"];
        assert_eq!(cost["requestedQueryCost"], 2 + 10, "{body}");
        assert!(cost["actualQueryCost"].as_u64().unwrap() <= 12 && cost["throttleStatus"]["restoreRate"].is_number(), "{body}");
        let products = &body["data"]["products"];
        seen.extend(products["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()));
        pages += 1;
        if products["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = products["pageInfo"]["endCursor"].clone();
    }
    assert_eq!((pages, seen.len()), (3, 23));
    seen.dedup();
    assert_eq!(seen.len(), 23);
    let body = query(&api, document, json!({ "after": "not-a-cursor" })).await;
    assert!(first_error(&body).0.contains("Invalid cursor"), "{body}");
}

#[tokio::test]
async fn a_dry_bucket_throttles_with_http_200_and_429_carries_retry_after() {
    let api = ShopifyEmulator::start(shopify::generate(&CatalogSpec::default())).await;
    {
        let mut c = api.controls();
        c.bucket = Bucket::new(100.0, 10.0);
        c.bucket.drain();
    }
    let body = query(&api, "{ products(first: 50) { nodes { id } } }", json!({})).await;
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(first_error(&body), ("Throttled", "THROTTLED"));
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 52);
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
    assert_eq!(body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"], 100.0);

    api.controls().rate_limit_next = 1;
    let (status, retry_after, _) = post(&api, "2025-07", Some(ACCESS_TOKEN), "{ shop { name } }", json!({})).await;
    assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
}

#[tokio::test]
async fn stock_levels_and_orders_are_queryable_as_on_shopify() {
    let api = ShopifyEmulator::start(shopify::generate(&CatalogSpec::default())).await;
    let body = query(
        &api,
        r#"{ productVariants(first: 2, query: "sku:\"NW-00001-BLA-S\"") { nodes { sku inventoryItem { inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available", "on_hand"]) { name quantity } } } } } } }"#,
        json!({}),
    )
    .await;
    let variants = body["data"]["productVariants"]["nodes"].as_array().unwrap();
    assert_eq!(variants.len(), 1, "{body}");
    let levels = variants[0]["inventoryItem"]["inventoryLevels"]["nodes"].as_array().unwrap();
    assert_eq!(levels.len(), 3);
    assert_eq!(levels[0]["quantities"][0]["name"], "available");
    let body = query(&api, r#"{ orders(first: 5, query: "name:#1001") { nodes { name email displayFulfillmentStatus } } }"#, json!({})).await;
    let names: Vec<&str> = body["data"]["orders"]["nodes"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["#1001", "#10011"], "Shopify's name search matches prefixes");
}

/// Node's crypto, as Shopify's docs verify a webhook:
/// `crypto.createHmac('sha256', secret).update(rawBody).digest('base64')`.
fn node_hmac(secret: &str, body: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("chatgw-shopify-hmac-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body_path = dir.join(format!("body-{}.json", body.len()));
    std::fs::write(&body_path, body).unwrap();
    let script = "const c = require('crypto'); const fs = require('fs'); \
                  process.stdout.write(c.createHmac('sha256', process.argv[1]).update(fs.readFileSync(process.argv[2])).digest('base64'));";
    let output = std::process::Command::new("node")
        .args(["-e", script, secret])
        .arg(&body_path)
        .output()
        .unwrap_or_else(|e| panic!("`node` is needed to check webhook signatures independently ({e}); install Node.js (apt-get install nodejs)"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn webhook_signatures_match_shopifys_published_algorithm() {
    let shop = shopify::generate(&CatalogSpec::default());
    let secret = "shpss_independent_check_9a8b";
    let product = &shop.products[3];
    let mut bodies = vec![
        Webhook::new(&shop, "products/update", &webhook::product_body(product)),
        Webhook::new(&shop, "products/delete", &webhook::product_delete_body(product.id)),
        Webhook::new(&shop, "orders/updated", &webhook::order_body(&shop.orders[0])),
    ];
    // Non-ASCII bytes are signed as bytes, not as re-encoded text.
    bodies.push(Webhook::new(&shop, "products/update", &json!({"id": 1, "title": "Größe Ü – 東京"})));
    for hook in bodies {
        let headers = hook.headers(secret);
        let signature = headers.iter().find(|(n, _)| n == "X-Shopify-Hmac-Sha256").map(|(_, v)| v.clone()).unwrap();
        assert_eq!(signature, node_hmac(secret, &hook.body), "{}", hook.topic);
        for name in
            ["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At"]
        {
            assert!(headers.iter().any(|(n, v)| n == name && !v.is_empty()), "{name} is sent");
        }
        let again = hook.redelivery();
        assert_eq!(again.event_id, hook.event_id, "one merchant action, one event id");
        assert_ne!(again.webhook_id, hook.webhook_id, "every delivery has its own id");
    }
}
