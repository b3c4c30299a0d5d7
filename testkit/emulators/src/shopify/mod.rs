//! A Shopify Admin GraphQL emulator over real HTTP, for connector tests.
//! It behaves as shopify.dev documents the platform, not as a connector
//! might assume: `POST /admin/api/{version}/graphql.json` with
//! `X-Shopify-Access-Token`, Relay paging capped at 250, calculated query
//! cost with a leaky bucket (a throttled call is HTTP 200 with a `THROTTLED`
//! error and no `data`), bulk operations with their JSONL files on a second
//! listener ([`bulk`]), and switches for a REST-style 429 + `Retry-After`
//! and for an upstream that dies after some pages.

pub mod bulk;
pub mod catalog;
pub mod graphql;
pub mod search;
pub mod webhook;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

pub use catalog::{CatalogSpec, ProductStatus, Shop, generate};
use graphql::{Executor, GqlError, Request};

/// The access token the emulator accepts.
pub const ACCESS_TOKEN: &str = "shpat_emulator_0c1d2e3f4a5b";
/// API versions the emulator serves; any other answers 404.
pub const VERSIONS: [&str; 4] = ["2025-01", "2025-04", "2025-07", "2025-10"];
/// Shopify's cap on the cost one query may request.
pub const MAX_QUERY_COST: u64 = 1_000;

/// The leaky bucket of calculated query cost (per app and store).
#[derive(Debug, Clone)]
pub struct Bucket {
    pub maximum: f64,
    /// Points restored per second.
    pub restore_rate: f64,
    available: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(maximum: f64, restore_rate: f64) -> Self {
        Self { maximum, restore_rate, available: maximum, at: Instant::now() }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.available = (self.available + now.duration_since(self.at).as_secs_f64() * self.restore_rate).min(self.maximum);
        self.at = now;
    }

    /// Empties the bucket, as a burst of other calls by the same app would.
    pub fn drain(&mut self) {
        self.refill();
        self.available = 0.0;
    }

    fn status(&self) -> Value {
        json!({"maximumAvailable": self.maximum, "currentlyAvailable": self.available.floor(), "restoreRate": self.restore_rate})
    }
}

/// What happened to one GraphQL call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Throttled,
    /// 429 with `Retry-After`.
    RateLimited,
    /// 500: the upstream died.
    Failed,
    Unauthorised,
    /// A GraphQL error (bad field, `first` over 250, cost over the cap).
    Rejected(String),
}

#[derive(Debug, Clone)]
pub struct Call {
    pub version: String,
    /// The query's top-level fields (`products`, `orders`...).
    pub root_fields: Vec<String>,
    pub variables: Value,
    pub outcome: Outcome,
    /// The points an answered query used (`actualQueryCost`); 0 otherwise.
    pub actual_cost: u64,
}

/// Everything a test can look at or switch.
pub struct Controls {
    pub shop: Shop,
    pub bucket: Bucket,
    /// The next this-many calls answer 429 with `Retry-After: retry_after_s`.
    pub rate_limit_next: u32,
    pub retry_after_s: u32,
    /// After this many answered `products` pages, every `products` call
    /// answers 500 until the switch is cleared.
    pub die_after_product_pages: Option<usize>,
    pub product_pages_answered: usize,
    pub calls: Vec<Call>,
    /// Bulk operations, their files' downloads and their switches.
    pub bulk: bulk::Bulk,
}

impl Controls {
    pub fn count(&self, outcome: &Outcome) -> usize {
        self.calls.iter().filter(|c| &c.outcome == outcome).count()
    }

    /// Answered calls that asked for `root` with this `after` cursor.
    pub fn answered_with_cursor(&self, root: &str, after: Option<&str>) -> usize {
        self.calls
            .iter()
            .filter(|c| c.outcome == Outcome::Answered && c.root_fields.iter().any(|f| f == root) && c.variables.get("after").and_then(Value::as_str) == after)
            .count()
    }
}

#[derive(Clone)]
pub struct ShopifyEmulator {
    pub addr: SocketAddr,
    /// The listener serving bulk operations' files (another origin, as
    /// storage.googleapis.com is for Shopify).
    pub files_addr: SocketAddr,
    controls: Arc<Mutex<Controls>>,
}

impl ShopifyEmulator {
    /// Serves `shop` on 127.0.0.1 with a roomy bucket (Shopify Plus: 2,000
    /// points restoring 1,000 a second).
    pub async fn start(shop: Shop) -> Self {
        let files = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the bulk file listener on loopback");
        let files_addr = files.local_addr().expect("the file listener's address");
        let controls = Controls {
            shop,
            bucket: Bucket::new(2_000.0, 1_000.0),
            rate_limit_next: 0,
            retry_after_s: 1,
            die_after_product_pages: None,
            product_pages_answered: 0,
            calls: Vec::new(),
            bulk: bulk::Bulk::new(files_addr),
        };
        let controls = Arc::new(Mutex::new(controls));
        let app = Router::new().route("/admin/api/{version}/graphql.json", post(graphql)).with_state(controls.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the Shopify emulator on loopback");
        let addr = listener.local_addr().expect("the emulator's address");
        tokio::spawn(async move { axum::serve(crate::no_delay(listener), app).await.expect("the Shopify emulator serves") });
        let files_app = Router::new().route("/{*path}", get(bulk::download)).with_state(controls.clone());
        tokio::spawn(async move { axum::serve(crate::no_delay(files), files_app).await.expect("the bulk file listener serves") });
        Self { addr, files_addr, controls }
    }

    /// `127.0.0.1:PORT` of the bulk file listener, for a store's
    /// `private_hosts` (with no credential).
    pub fn files_host_port(&self) -> String {
        self.files_addr.to_string()
    }

    /// `http://127.0.0.1:PORT`, the connector's `base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `127.0.0.1:PORT`, for a store's `private_hosts`.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }

    pub fn controls(&self) -> MutexGuard<'_, Controls> {
        self.controls.lock().expect("the emulator's state is not poisoned")
    }
}

fn shopify_error(status: StatusCode, errors: Value) -> Response {
    (status, axum::Json(json!({ "errors": errors }))).into_response()
}

async fn graphql(State(controls): State<Arc<Mutex<Controls>>>, Path(version): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let mut guard = controls.lock().expect("the emulator's state is not poisoned");
    let state = &mut *guard;
    let mut call = Call { version: version.clone(), root_fields: Vec::new(), variables: Value::Null, outcome: Outcome::Answered, actual_cost: 0 };
    let response = answer(state, &version, &headers, &body, &mut call);
    state.calls.push(call);
    let mut response = response;
    if let Ok(value) = HeaderValue::from_str(&version) {
        response.headers_mut().insert("x-shopify-api-version", value);
    }
    response
}

fn answer(state: &mut Controls, version: &str, headers: &HeaderMap, body: &[u8], call: &mut Call) -> Response {
    if !VERSIONS.contains(&version) {
        call.outcome = Outcome::Rejected("unknown version".into());
        return shopify_error(StatusCode::NOT_FOUND, json!("Not Found"));
    }
    if headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok()) != Some(ACCESS_TOKEN) {
        call.outcome = Outcome::Unauthorised;
        return shopify_error(StatusCode::UNAUTHORIZED, json!("[API] Invalid API key or access token (unrecognized login or wrong password)"));
    }
    if state.rate_limit_next > 0 {
        state.rate_limit_next -= 1;
        call.outcome = Outcome::RateLimited;
        let mut response = shopify_error(
            StatusCode::TOO_MANY_REQUESTS,
            json!("Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."),
        );
        response.headers_mut().insert("retry-after", HeaderValue::from(state.retry_after_s));
        return response;
    }
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            call.outcome = Outcome::Rejected("bad JSON".into());
            return shopify_error(StatusCode::BAD_REQUEST, json!(format!("body is not JSON: {e}")));
        }
    };
    let Some(document) = parsed["query"].as_str() else {
        call.outcome = Outcome::Rejected("no query".into());
        return shopify_error(StatusCode::BAD_REQUEST, json!("Parameter Missing or Invalid: query"));
    };
    let variables: Map<String, Value> = parsed["variables"].as_object().cloned().unwrap_or_default();
    call.variables = Value::Object(variables.clone());
    let request = match Request::parse(document, parsed["operationName"].as_str(), variables) {
        Ok(r) => r,
        Err(e) => return rejected(call, e),
    };
    call.root_fields = request.root_fields();
    let requested = match request.requested_cost() {
        Ok(c) => c,
        Err(e) => return rejected(call, e),
    };
    if requested > MAX_QUERY_COST {
        let mut error = GqlError {
            message: format!(
                "Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
            ),
            code: Some("MAX_COST_EXCEEDED"),
            extra: Map::new(),
        };
        error.extra.insert("cost".into(), json!(requested));
        error.extra.insert("maxCost".into(), json!(MAX_QUERY_COST));
        return rejected(call, error);
    }
    let asks_products = call.root_fields.iter().any(|f| f == "products");
    if asks_products && state.die_after_product_pages.is_some_and(|n| state.product_pages_answered >= n) {
        call.outcome = Outcome::Failed;
        return shopify_error(StatusCode::INTERNAL_SERVER_ERROR, json!("Internal Server Error"));
    }
    state.bucket.refill();
    if state.bucket.available < requested as f64 {
        // shopify.dev/docs/api/usage/limits: a throttled GraphQL call is a
        // 200 whose errors say THROTTLED, with no data.
        call.outcome = Outcome::Throttled;
        let cost = json!({"requestedQueryCost": requested, "actualQueryCost": null, "throttleStatus": state.bucket.status()});
        return (
            StatusCode::OK,
            axum::Json(json!({
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/limits"}}],
                "extensions": {"cost": cost}
            })),
        )
            .into_response();
    }
    state.bucket.available -= requested as f64;
    // A mutation's effect comes first; the executor then selects from it.
    let run = if request.is_mutation() {
        let query = match request.root_argument("bulkOperationRunQuery", "query") {
            Ok(Some(Value::String(query))) => query,
            Ok(_) => {
                state.bucket.available += requested as f64;
                return rejected(call, GqlError::new("Field 'bulkOperationRunQuery' is missing required arguments: query").code("missingRequiredArguments"));
            }
            Err(e) => return rejected(call, e),
        };
        let group = match request.root_argument("bulkOperationRunQuery", "groupObjects") {
            Ok(group) => group.and_then(|g| g.as_bool()),
            Err(e) => return rejected(call, e),
        };
        match state.bulk.run_query(&state.shop, version, &query, group) {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                state.bucket.available += requested as f64;
                return rejected(call, e);
            }
        }
    } else {
        None
    };
    let mut executor = Executor::new(&state.shop, &request).with_bulk(&state.bulk.ops, run.as_ref());
    let data = match executor.run() {
        Ok(data) => data,
        Err(e) => {
            state.bucket.available += requested as f64;
            return rejected(call, e);
        }
    };
    // A mutation costs what it requested.
    let actual = if request.is_mutation() { requested } else { executor.actual_cost.min(requested) };
    call.actual_cost = actual;
    state.bucket.available = (state.bucket.available + (requested - actual) as f64).min(state.bucket.maximum);
    if asks_products {
        state.product_pages_answered += 1;
    }
    let cost = json!({"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": state.bucket.status()});
    (StatusCode::OK, axum::Json(json!({"data": data, "extensions": {"cost": cost}}))).into_response()
}

/// GraphQL errors are HTTP 200 with `errors` and no `data`.
fn rejected(call: &mut Call, error: GqlError) -> Response {
    call.outcome = Outcome::Rejected(error.message.clone());
    (StatusCode::OK, axum::Json(json!({"errors": [error.to_json()]}))).into_response()
}
