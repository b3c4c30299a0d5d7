//! A local Lookbook store API over real HTTP, for the connector tests, and
//! the packaged example plugin that talks to it
//! (`examples/plugins/lookbook-connector`).
//!
//! The emulator serves the same records the plugin's recorded fixtures
//! hold (read from its `fixtures/http` folder), with the behaviour a real
//! store API has around them: bearer-token auth, page-number pagination with
//! `per_page` and `updated_after`, 404s for unknown SKUs and orders, and
//! failures a test can switch on (the next request for a page answers 500).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub const TOKEN: &str = "lb_live_test_7f3c2a9e";

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plugins/lookbook-connector")
}

/// Builds and packages the example plugin once per test run (`build.sh`,
/// as its README says) and returns its `dist/connector.toml`. nextest runs
/// tests in separate processes, so a file lock serialises the builds.
pub fn plugin_manifest() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = example_dir();
        std::fs::create_dir_all(dir.join("target")).expect("create the example's target folder");
        let lock = File::create(dir.join("target/.gateway-test-lock")).expect("create the build lock");
        lock.lock().expect("take the build lock");
        let output = guest_build(Command::new("sh").arg("build.sh"), &dir).output().expect("run the example plugin's build.sh");
        assert!(
            output.status.success(),
            "building {} failed (is the wasm32-wasip2 target installed? `rustup target add wasm32-wasip2`):\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        dir.join("dist/connector.toml").canonicalize().expect("dist/connector.toml")
    })
}

/// A build of wasm guests in `dir`, free of the settings the test run's own
/// cargo passes down (target folder, target, flags, jobserver).
pub fn guest_build<'a>(command: &'a mut Command, dir: &Path) -> &'a mut Command {
    command
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
}

#[derive(Default)]
pub struct Shop {
    pub products: Vec<Value>,
    pub stock: HashMap<String, Value>,
    pub orders: HashMap<String, Value>,
    pub size_guides: HashMap<String, Value>,
    /// Pages that answer 500 the next time they are asked for.
    pub fail_pages: Vec<u32>,
    /// Every request: method, path and query, in order.
    pub requests: Vec<String>,
    /// Requests that came without the right bearer token.
    pub unauthorised: usize,
    /// Extra time the stock endpoint takes to answer.
    pub stock_delay: std::time::Duration,
    /// While set, every product page waits for the gate's release.
    pub page_gate: Option<Arc<PageGate>>,
}

/// Holds product pages: `reached` is signalled when a page request arrives,
/// which then waits for `release` (a slow store API, on demand).
#[derive(Default)]
pub struct PageGate {
    pub reached: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
}

pub struct Lookbook {
    pub addr: std::net::SocketAddr,
    pub shop: Arc<Mutex<Shop>>,
}

impl Lookbook {
    pub fn api_base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn private_host(&self) -> String {
        self.addr.to_string()
    }

    /// A product as the API lists it, to send as a webhook body.
    pub fn product(&self, id: &str) -> Value {
        self.shop.lock().unwrap().products.iter().find(|p| p["id"] == id).cloned().unwrap_or_else(|| panic!("no product {id} in the fixtures"))
    }

    pub fn page_requests(&self, page: u32) -> usize {
        let needle = format!("page={page}&");
        self.shop.lock().unwrap().requests.iter().filter(|r| r.starts_with("GET /v2/products?") && r.contains(&needle)).count()
    }
}

/// The records of the plugin's fixtures.
fn fixture_shop() -> Shop {
    let mut shop = Shop::default();
    let folder = example_dir().join("fixtures/http");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder).expect("fixtures/http").map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let url = fixture["request"]["url"].as_str().unwrap().to_owned();
        let body = fixture["response"]["body"].clone();
        if fixture["response"]["status"] != 200 {
            continue;
        }
        if url.contains("/v2/products?") {
            shop.products.extend(body["data"].as_array().unwrap().iter().cloned());
        } else if url.contains("/stock") {
            shop.stock.insert(body["sku"].as_str().unwrap().to_owned(), body);
        } else if url.contains("/orders/") {
            shop.orders.insert(body["reference"].as_str().unwrap().to_owned(), body);
        } else if url.contains("/size-guides/") {
            shop.size_guides.insert(body["category"].as_str().unwrap().to_owned(), body);
        }
    }
    assert!(shop.products.len() >= 3, "the fixtures hold a catalog of several pages");
    shop
}

pub async fn serve() -> Lookbook {
    let shop = Arc::new(Mutex::new(fixture_shop()));
    let app = Router::new()
        .route("/v2/shop", get(|| async { axum::Json(json!({"name": "Lookbook", "currency": "EUR"})) }))
        .route("/v2/products", get(products))
        .route("/v2/variants/{sku}/stock", get(stock))
        .route("/v2/orders/{reference}", get(order))
        .route("/v2/size-guides/{category}", get(size_guide))
        .layer(axum::middleware::from_fn_with_state(shop.clone(), record_and_authorise))
        .with_state(shop.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the Lookbook emulator");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Lookbook { addr, shop }
}

async fn record_and_authorise(State(shop): State<Arc<Mutex<Shop>>>, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let line = format!("{} {}", request.method(), request.uri());
    let authorised = request.headers().get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"));
    {
        let mut shop = shop.lock().unwrap();
        shop.requests.push(line);
        if !authorised {
            shop.unauthorised += 1;
        }
    }
    if !authorised {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid API key"}))).into_response();
    }
    next.run(request).await
}

async fn products(State(shop): State<Arc<Mutex<Shop>>>, Query(query): Query<BTreeMap<String, String>>) -> Response {
    let page: u32 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let per_page: usize = query.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(50).clamp(1, 100);
    let gate = shop.lock().unwrap().page_gate.clone();
    if let Some(gate) = gate {
        gate.reached.notify_one();
        gate.release.notified().await;
    }
    let mut shop = shop.lock().unwrap();
    if let Some(i) = shop.fail_pages.iter().position(|p| *p == page) {
        shop.fail_pages.remove(i);
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"error": "temporarily unavailable"}))).into_response();
    }
    let after = query.get("updated_after").cloned();
    let matching: Vec<&Value> =
        shop.products.iter().filter(|p| after.as_deref().is_none_or(|after| p["updated_at"].as_str().is_some_and(|u| parse(u) > parse(after)))).collect();
    let total_pages = matching.len().div_ceil(per_page).max(1);
    let data: Vec<&Value> = matching.iter().skip((page as usize - 1) * per_page).take(per_page).copied().collect();
    axum::Json(json!({"data": data, "meta": {"page": page, "per_page": per_page, "total": matching.len(), "total_pages": total_pages}})).into_response()
}

fn parse(time: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(time).expect("RFC 3339 time").with_timezone(&chrono::Utc)
}

fn found_or_404(value: Option<Value>, what: &str) -> Response {
    match value {
        Some(v) => axum::Json(v).into_response(),
        None => (StatusCode::NOT_FOUND, axum::Json(json!({"error": format!("{what} not found")}))).into_response(),
    }
}

async fn stock(State(shop): State<Arc<Mutex<Shop>>>, UrlPath(sku): UrlPath<String>) -> Response {
    let delay = shop.lock().unwrap().stock_delay;
    tokio::time::sleep(delay).await;
    let shop = shop.lock().unwrap();
    found_or_404(shop.stock.get(&sku).cloned(), "variant")
}

async fn order(State(shop): State<Arc<Mutex<Shop>>>, UrlPath(reference): UrlPath<String>) -> Response {
    let shop = shop.lock().unwrap();
    found_or_404(shop.orders.get(&reference).cloned(), "order")
}

async fn size_guide(State(shop): State<Arc<Mutex<Shop>>>, UrlPath(category): UrlPath<String>, _headers: HeaderMap) -> Response {
    let shop = shop.lock().unwrap();
    found_or_404(shop.size_guides.get(&category).cloned(), "size guide")
}
