//! A WooCommerce REST API v3 emulator over real HTTP, for connector tests.
//! It behaves as WooCommerce and WordPress document and implement the API,
//! not as a connector might assume:
//!
//! - `GET /wp-json/wc/v3/products`, `/products/{id}` (a variation id gives
//!   the variation, type `variation`), `/products/{id}/variations`,
//!   `/orders`, `/orders/{id}`, `/data/currencies/current`;
//! - HTTP Basic with the consumer key and secret (or `consumer_key` /
//!   `consumer_secret` in the query); without them a 401
//!   `woocommerce_rest_cannot_view`, with a wrong key a 401
//!   `woocommerce_rest_authentication_error`;
//! - `page` from 1 and `per_page` 1 to 100 (else a 400
//!   `rest_invalid_param`, as WordPress validates it), a page past the last
//!   answers `[]`, totals in `X-WP-Total` / `X-WP-TotalPages` and a `Link`
//!   header; `orderby` / `order` (default: date, descending), `status`
//!   (default `any`), `modified_after` with `dates_are_gmt`, `sku` (several
//!   comma-separated, variations included), `search`, `type`;
//! - switches for a 429 (or 503) with `Retry-After` and for an upstream
//!   that dies after some requests.

pub mod catalog;
pub mod query;
pub mod webhook;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde_json::json;

pub use catalog::{CatalogSpec, ManageStock, Order, Product, ProductType, Stock, Store, Variation, generate};
use query::{ListQuery, Listing};

/// The consumer key and secret the emulator accepts.
pub const CONSUMER_KEY: &str = "ck_5f0e9a1b2c3d4e5f60718293a4b5c6d7e8f90a1b";
pub const CONSUMER_SECRET: &str = "cs_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d";

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    /// The 429 / 503 switch answered.
    RateLimited,
    /// 500: the upstream died.
    Failed,
    Unauthorised,
    /// A 400 (`rest_invalid_param`).
    Rejected(String),
    NotFound,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// The route below `/wp-json/wc/v3/`, e.g. `products/12/variations`.
    pub route: String,
    pub query: HashMap<String, String>,
    pub outcome: Outcome,
}

impl Call {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }
}

/// Everything a test can look at or switch.
pub struct Controls {
    pub store: Store,
    /// The next this-many requests answer `rate_limit_status` with
    /// `Retry-After: retry_after_s`.
    pub rate_limit_next: u32,
    pub rate_limit_status: u16,
    pub retry_after_s: Option<u32>,
    /// After this many answered requests, every request answers 500 until
    /// the switch is cleared.
    pub die_after_requests: Option<usize>,
    pub answered: usize,
    pub calls: Vec<Call>,
}

impl Controls {
    pub fn count(&self, outcome: &Outcome) -> usize {
        self.calls.iter().filter(|c| &c.outcome == outcome).count()
    }

    /// Answered listings of `/products` (not single products, not variations).
    pub fn product_pages(&self) -> Vec<&Call> {
        self.calls.iter().filter(|c| c.outcome == Outcome::Answered && c.route == "products" && c.param("sku").is_none()).collect()
    }
}

#[derive(Clone)]
pub struct WooCommerceEmulator {
    pub addr: SocketAddr,
    controls: Arc<Mutex<Controls>>,
}

impl WooCommerceEmulator {
    pub async fn start(store: Store) -> Self {
        let controls =
            Controls { store, rate_limit_next: 0, rate_limit_status: 429, retry_after_s: Some(1), die_after_requests: None, answered: 0, calls: Vec::new() };
        let controls = Arc::new(Mutex::new(controls));
        let app = Router::new().route("/wp-json/wc/v3/{*route}", get(api)).fallback(no_route).with_state(controls.clone());
        Self { addr: crate::serve_on_loopback(app, "WooCommerce").await, controls }
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

/// A WordPress error answer: its status and `{"code", "message", "data"}` body.
#[derive(Debug)]
pub struct WpError {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl IntoResponse for WpError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

/// WordPress's error body.
pub fn wp_error(status: StatusCode, code: &str, message: &str) -> WpError {
    WpError { status, body: json!({"code": code, "message": message, "data": {"status": status.as_u16()}}) }
}

async fn no_route() -> WpError {
    wp_error(StatusCode::NOT_FOUND, "rest_no_route", "No route was found matching the URL and request method.")
}

/// The key and secret from HTTP Basic, or from the query string.
fn credentials(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<(String, String)> {
    if let Some(basic) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic ")) {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (key, secret) = text.split_once(':')?;
        return Some((key.to_owned(), secret.to_owned()));
    }
    Some((query.get("consumer_key")?.clone(), query.get("consumer_secret")?.clone()))
}

async fn api(State(controls): State<Arc<Mutex<Controls>>>, Path(route): Path<String>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let query = query::parse_pairs(raw.as_deref().unwrap_or(""));
    let mut guard = controls.lock().expect("the emulator's state is not poisoned");
    let state = &mut *guard;
    let route = route.trim_end_matches('/').to_owned();
    let mut call = Call { route: route.clone(), query: query.clone(), outcome: Outcome::Answered };
    let response = answer(state, &route, &query, &headers, &mut call);
    if call.outcome == Outcome::Answered {
        state.answered += 1;
    }
    state.calls.push(call);
    response
}

fn answer(state: &mut Controls, route: &str, query: &HashMap<String, String>, headers: &HeaderMap, call: &mut Call) -> Response {
    match credentials(headers, query) {
        None => {
            call.outcome = Outcome::Unauthorised;
            return wp_error(StatusCode::UNAUTHORIZED, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.").into_response();
        }
        Some((key, _)) if key != CONSUMER_KEY => {
            call.outcome = Outcome::Unauthorised;
            return wp_error(StatusCode::UNAUTHORIZED, "woocommerce_rest_authentication_error", "Consumer key is invalid.").into_response();
        }
        Some((_, secret)) if secret != CONSUMER_SECRET => {
            call.outcome = Outcome::Unauthorised;
            return wp_error(StatusCode::UNAUTHORIZED, "woocommerce_rest_authentication_error", "Consumer secret is invalid.").into_response();
        }
        Some(_) => {}
    }
    if state.rate_limit_next > 0 {
        state.rate_limit_next -= 1;
        call.outcome = Outcome::RateLimited;
        let status = StatusCode::from_u16(state.rate_limit_status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
        let mut response = wp_error(status, "woocommerce_rest_too_many_requests", "Too many requests. Please wait and try again.").into_response();
        if let Some(after) = state.retry_after_s {
            response.headers_mut().insert("retry-after", HeaderValue::from(after));
        }
        return response;
    }
    if state.die_after_requests.is_some_and(|n| state.answered >= n) {
        call.outcome = Outcome::Failed;
        return wp_error(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "<p>There has been a critical error on this website.</p>").into_response();
    }
    let segments: Vec<&str> = route.split('/').collect();
    let id = |text: &str| text.parse::<u64>().ok();
    let result = match segments.as_slice() {
        ["products"] => list_products(&state.store, query),
        ["products", pid] => id(pid).and_then(|pid| single_product(&state.store, pid)).ok_or_else(invalid_product),
        ["products", pid, "variations"] => match id(pid).and_then(|pid| state.store.product(pid)) {
            Some(parent) => list_variations(&state.store, parent, query),
            None => Err(invalid_product()),
        },
        ["orders"] => list_orders(&state.store, query),
        ["orders", oid] => id(oid)
            .and_then(|oid| state.store.order(oid))
            .map(|o| Ok(axum::Json(state.store.order_json(o)).into_response()))
            .unwrap_or_else(|| Err(wp_error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."))),
        ["data", "currencies", "current"] => Ok(axum::Json(json!({"code": state.store.currency, "name": "Euro", "symbol": "&euro;"})).into_response()),
        _ => Err(wp_error(StatusCode::NOT_FOUND, "rest_no_route", "No route was found matching the URL and request method.")),
    };
    match result {
        Ok(response) => response,
        Err(error) => {
            call.outcome = match error.status {
                StatusCode::NOT_FOUND => Outcome::NotFound,
                status => Outcome::Rejected(status.to_string()),
            };
            error.into_response()
        }
    }
}

fn invalid_product() -> WpError {
    wp_error(StatusCode::NOT_FOUND, "woocommerce_rest_product_invalid_id", "Invalid ID.")
}

fn single_product(store: &Store, id: u64) -> Option<Response> {
    if let Some(p) = store.product(id) {
        return Some(axum::Json(store.product_json(p)).into_response());
    }
    store.variation(id).map(|(parent, v)| axum::Json(store.variation_as_product_json(parent, v)).into_response())
}

fn list_products(store: &Store, params: &HashMap<String, String>) -> Result<Response, WpError> {
    let q = ListQuery::parse(params, query::PRODUCT_ORDERBY)?;
    let since = q.modified_after(params, store.utc_offset)?;
    let skus: Option<Vec<&str>> = params.get("sku").filter(|s| !s.is_empty()).map(|s| {
        // WooCommerce splits at commas and also tries the whole string.
        let mut list: Vec<&str> = s.split(',').collect();
        if list.len() > 1 {
            list.push(s);
        }
        list
    });
    let search = params.get("search").map(|s| s.to_lowercase());
    let kind = params.get("type").cloned();
    let mut rows: Vec<Listing> = Vec::new();
    for p in &store.products {
        let sku_hit = skus.as_ref().is_none_or(|list| list.contains(&p.sku.as_str()));
        let keep = sku_hit
            && q.status_matches(&p.status)
            && since.is_none_or(|t| p.date_modified > t)
            && search.as_ref().is_none_or(|s| p.name.to_lowercase().contains(s) || p.sku.to_lowercase().contains(s))
            && kind.as_ref().is_none_or(|k| k == p.kind_name());
        if keep {
            rows.push(Listing { id: p.id, date: p.date_created, modified: p.date_modified, title: p.name.clone(), value: store.product_json(p) });
        }
        // With `sku`, variations are searched too (by their own SKU only).
        if let Some(list) = &skus {
            for v in p.variations.iter().filter(|v| !v.sku.is_empty() && list.contains(&v.sku.as_str())) {
                rows.push(Listing {
                    id: v.id,
                    date: p.date_created,
                    modified: v.date_modified,
                    title: p.name.clone(),
                    value: store.variation_as_product_json(p, v),
                });
            }
        }
    }
    Ok(q.page(rows, "products"))
}

fn list_variations(store: &Store, parent: &Product, params: &HashMap<String, String>) -> Result<Response, WpError> {
    let q = ListQuery::parse(params, query::VARIATION_ORDERBY)?;
    let sku = params.get("sku");
    let rows = parent
        .variations
        .iter()
        .filter(|v| q.status_matches(&v.status) && sku.is_none_or(|s| &v.sku == s))
        .map(|v| Listing { id: v.id, date: parent.date_created, modified: v.date_modified, title: parent.name.clone(), value: store.variation_json(parent, v) })
        .collect();
    Ok(q.page(rows, &format!("products/{}/variations", parent.id)))
}

/// The order search matches billing fields, items and the order number
/// (as sequential-numbering plugins register it as a search field).
fn list_orders(store: &Store, params: &HashMap<String, String>) -> Result<Response, WpError> {
    let q = ListQuery::parse(params, query::ORDER_ORDERBY)?;
    let search = params.get("search").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let rows = store
        .orders
        .iter()
        .filter(|o| q.status_matches(&o.status))
        .filter(|o| {
            search.as_ref().is_none_or(|s| {
                [&o.number, &o.id.to_string(), &o.email, &o.first_name, &o.last_name, &o.postcode].iter().any(|f| f.to_lowercase().contains(s))
                    || o.line_items.iter().any(|i| i.name.to_lowercase().contains(s))
            })
        })
        .map(|o| Listing { id: o.id, date: o.date_created, modified: o.date_modified, title: o.number.clone(), value: store.order_json(o) })
        .collect();
    Ok(q.page(rows, "orders"))
}
