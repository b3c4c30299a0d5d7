//! Bulk operations as shopify.dev documents them (bulk-operations/queries,
//! `BulkOperation`, `bulkOperationRunQuery`):
//!
//! - `bulkOperationRunQuery(query:, groupObjects:)` costs 10 points,
//!   checks the query (one top-level connection, at most five connections,
//!   two levels deep) and answers the operation `CREATED`, or a user error
//!   (`INVALID`; `OPERATION_IN_PROGRESS` while another bulk query of the
//!   app runs: one at a time per shop before 2026-01). `groupObjects`
//!   exists from 2025-07 (default true until 2026-01).
//! - The operation goes `CREATED` -> `RUNNING` -> `COMPLETED` (or `FAILED`
//!   with an `errorCode`, by switch) after [`Bulk::run_time`]; polled with
//!   `node(id:)` or `currentBulkOperation`. By another switch it is canceled
//!   while it runs (as `bulkOperationCancel` from the merchant's admin or
//!   another process of the app does): `RUNNING` -> `CANCELING` ->
//!   `CANCELED`, with no file, and it blocks a new bulk query until it is
//!   `CANCELED`.
//! - Its JSONL file (written when the operation starts, from the shop as it
//!   is then) is served from another listener, as Shopify's are from
//!   storage.googleapis.com: an unguessable path and an HMAC signature over
//!   it and its expiry, no access token asked for (the emulator records the
//!   headers that came), byte ranges honoured. `url` is null when the query
//!   matched nothing; after [`Bulk::url_ttl`] (seven days on Shopify) the
//!   operation is `EXPIRED` and the link answers 400 `ExpiredToken`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::Controls;
use super::catalog::Shop;
use super::graphql::{Executor, GqlError, Request, gid, rfc3339};

/// Where the files are served from, as Shopify's bucket path looks.
const BUCKET: &str = "shopify-tiers-assets-prod-us-east1";

/// One bulk query operation.
#[derive(Debug, Clone)]
pub struct BulkOp {
    pub id: u64,
    pub query: String,
    pub group_objects: bool,
    created: Instant,
    pub created_at: DateTime<Utc>,
    ready: Instant,
    expires: Instant,
    /// `errorCode` when it ends `FAILED`.
    pub fail: Option<&'static str>,
    /// Canceled while it runs: it ends `CANCELED`, without a file.
    pub canceled: bool,
    pub file: Arc<Vec<u8>>,
    pub objects: u64,
    pub roots: u64,
    /// The random part of the file's path.
    token: String,
    /// Expiry in the signed URL (seconds since the epoch).
    expires_unix: u64,
    signature: String,
    /// Where the file is served (the download listener).
    origin: SocketAddr,
}

impl BulkOp {
    pub fn status(&self, now: Instant) -> &'static str {
        let run = self.ready - self.created;
        if now < self.created + run / 3 {
            "CREATED"
        } else if self.canceled && now < self.ready {
            if now < self.created + run * 2 / 3 { "RUNNING" } else { "CANCELING" }
        } else if now < self.ready {
            "RUNNING"
        } else if self.fail.is_some() {
            "FAILED"
        } else if self.canceled {
            "CANCELED"
        } else if now >= self.expires {
            "EXPIRED"
        } else {
            "COMPLETED"
        }
    }

    /// The signed link to the file (`url`): completed, with objects.
    pub fn url(&self, now: Instant) -> Option<String> {
        (self.status(now) == "COMPLETED" && self.objects > 0).then(|| {
            format!(
                "http://{}/{BUCKET}/{}/bulk-operation-{}.jsonl?X-Goog-Expires={}&X-Goog-Signature={}",
                self.origin, self.token, self.id, self.expires_unix, self.signature
            )
        })
    }

    /// A `BulkOperation` field's value, or `None` for a field it lacks.
    pub fn field(&self, name: &str, now: Instant) -> Option<Value> {
        let status = self.status(now);
        let done = matches!(status, "COMPLETED" | "FAILED" | "EXPIRED");
        // A canceled operation reports what it had read when it stopped.
        let counted = |n: u64| if status == "CANCELED" { n / 2 } else if done { n } else { 0 };
        let completed_at = || self.created_at + chrono::TimeDelta::from_std(self.ready - self.created).unwrap_or_default();
        Some(match name {
            "id" => json!(gid("BulkOperation", self.id)),
            "status" => json!(status),
            "type" => json!("QUERY"),
            "query" => json!(self.query),
            "createdAt" => json!(rfc3339(self.created_at)),
            "completedAt" => if status == "COMPLETED" || status == "EXPIRED" { json!(rfc3339(completed_at())) } else { Value::Null },
            "errorCode" => json!(if status == "FAILED" { self.fail } else { None }),
            // Running counts; the emulator has them all once done.
            "objectCount" => json!(counted(self.objects).to_string()),
            "rootObjectCount" => json!(counted(self.roots).to_string()),
            "fileSize" => if status == "COMPLETED" && self.objects > 0 { json!(self.file.len().to_string()) } else { Value::Null },
            "url" => json!(self.url(now)),
            "partialDataUrl" => Value::Null,
            _ => return None,
        })
    }

    fn signed(&self, path: &str, expires: &str, signature: &str) -> bool {
        path == format!("/{BUCKET}/{}/bulk-operation-{}.jsonl", self.token, self.id) && expires == self.expires_unix.to_string() && signature == self.signature
    }
}

/// A user error of `bulkOperationRunQuery`.
#[derive(Debug, Clone)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: &'static str,
}

/// What one `bulkOperationRunQuery` did.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub op: Option<u64>,
    pub errors: Vec<UserError>,
}

/// One request to the download listener.
#[derive(Debug, Clone)]
pub struct Download {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub status: u16,
    /// Bytes sent.
    pub bytes: usize,
}

/// The app's bulk operations and the switches tests turn.
pub struct Bulk {
    pub ops: Vec<BulkOp>,
    /// From creation to `COMPLETED` (or `FAILED`).
    pub run_time: Duration,
    /// How long a completed operation's file stays (seven days on Shopify).
    pub url_ttl: Duration,
    /// The next this-many operations end `FAILED` with this error code.
    pub fail_next: u32,
    /// The next this-many operations are canceled while they run.
    pub cancel_next: u32,
    pub fail_code: &'static str,
    /// After this many answered downloads, the download listener answers
    /// 503 until the switch is cleared.
    pub die_after_downloads: Option<usize>,
    pub downloads: Vec<Download>,
    next_id: u64,
    key: [u8; 32],
    origin: SocketAddr,
}

/// 64 random bits from the standard library's per-process seed.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.finish()
}

fn random_hex(words: usize) -> String {
    (0..words).map(|_| format!("{:016x}", random_u64())).collect()
}

impl Bulk {
    pub fn new(origin: SocketAddr) -> Self {
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&(random_u64() ^ i as u64).to_le_bytes());
        }
        Self {
            ops: Vec::new(),
            run_time: Duration::from_millis(300),
            url_ttl: Duration::from_secs(7 * 24 * 3600),
            fail_next: 0,
            cancel_next: 0,
            fail_code: "INTERNAL_SERVER_ERROR",
            die_after_downloads: None,
            downloads: Vec::new(),
            next_id: 4_100_000_001,
            key,
            origin,
        }
    }

    /// The operation that blocks a new bulk query, if one runs.
    pub fn running(&self, now: Instant) -> Option<&BulkOp> {
        self.ops.iter().rev().find(|op| matches!(op.status(now), "CREATED" | "RUNNING" | "CANCELING"))
    }

    /// `bulkOperationRunQuery(query:, groupObjects:)` on API `version`.
    pub fn run_query(&mut self, shop: &Shop, version: &str, query: &str, group_objects: Option<bool>) -> Result<RunOutcome, GqlError> {
        let now = Instant::now();
        let group = match group_objects {
            Some(_) if version < "2025-07" => {
                return Err(GqlError::new(format!("Field 'bulkOperationRunQuery' doesn't accept argument 'groupObjects' (API version {version})")));
            }
            Some(group) => group,
            // Grouped by default before 2026-01.
            None => version < "2026-01",
        };
        let invalid = |message: String| RunOutcome { op: None, errors: vec![UserError { field: Some(vec!["query".into()]), message, code: "INVALID" }] };
        if let Some(running) = self.running(now) {
            return Ok(RunOutcome {
                op: None,
                errors: vec![UserError {
                    field: None,
                    message: format!("A bulk query operation for this app and shop is already in progress: {}.", gid("BulkOperation", running.id)),
                    code: "OPERATION_IN_PROGRESS",
                }],
            });
        }
        let request = match Request::parse(query, None, serde_json::Map::new()) {
            Ok(request) => request,
            Err(e) => return Ok(invalid(format!("Invalid bulk query: {}", e.message))),
        };
        if let Err(message) = request.check_bulk() {
            return Ok(invalid(message));
        }
        let (file, objects, roots) = match Executor::new(shop, &request).jsonl(group) {
            Ok(written) => written,
            Err(e) => return Ok(invalid(format!("Invalid bulk query: {}", e.message))),
        };
        let id = self.next_id;
        self.next_id += 1;
        let fail = (self.fail_next > 0).then(|| {
            self.fail_next -= 1;
            self.fail_code
        });
        let canceled = fail.is_none() && self.cancel_next > 0;
        if canceled {
            self.cancel_next -= 1;
        }
        let token = random_hex(2);
        let expires_unix = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() + (self.run_time + self.url_ttl).as_secs();
        let path = format!("/{BUCKET}/{token}/bulk-operation-{id}.jsonl");
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(format!("{path}\n{expires_unix}").as_bytes());
        let signature = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        self.ops.push(BulkOp {
            id,
            query: query.to_owned(),
            group_objects: group,
            created: now,
            created_at: Utc::now(),
            ready: now + self.run_time,
            expires: now + self.run_time + self.url_ttl,
            fail,
            canceled,
            file: Arc::new(file),
            objects,
            roots,
            token,
            expires_unix,
            signature,
            origin: self.origin,
        });
        Ok(RunOutcome { op: Some(id), errors: Vec::new() })
    }
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` of a file of `len` bytes: the
/// inclusive range, `Err` when it cannot be satisfied, `None` for a range
/// the emulator answers whole (several ranges, a malformed one).
fn byte_range(value: &str, len: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = match (first.trim(), last.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (len.saturating_sub(n), len.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, len.saturating_sub(1)),
        (a, b) => (a.parse().ok()?, b.parse::<usize>().ok()?.min(len.saturating_sub(1))),
    };
    Some(if first >= len || first > last { Err(()) } else { Ok((first, last)) })
}

fn storage_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!("<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>");
    (status, [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")], body).into_response()
}

/// `GET` on the download listener.
pub async fn download(State(controls): State<Arc<Mutex<Controls>>>, OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    let mut guard = controls.lock().expect("the emulator's state is not poisoned");
    let bulk = &mut guard.bulk;
    let now = Instant::now();
    let path = uri.path().to_owned();
    let query: Vec<(String, String)> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|pair| pair.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str());
    let answered = bulk.downloads.iter().filter(|d| d.status < 300).count();
    let op = bulk.ops.iter().find(|op| op.signed(&path, param("X-Goog-Expires"), param("X-Goog-Signature")));
    let response = match op {
        _ if bulk.die_after_downloads.is_some_and(|n| answered >= n) => storage_error(StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable", "Service Unavailable"),
        None => storage_error(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "Access denied."),
        Some(op) if now >= op.expires => storage_error(StatusCode::BAD_REQUEST, "ExpiredToken", "Invalid argument."),
        Some(op) if op.status(now) != "COMPLETED" => storage_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        Some(op) => {
            let file = op.file.clone();
            let len = file.len();
            match headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|v| byte_range(v, len)) {
                None => (StatusCode::OK, [(header::CONTENT_TYPE, "application/jsonl")], Body::from(file.as_ref().clone())).into_response(),
                Some(Err(())) => {
                    let mut response = storage_error(StatusCode::RANGE_NOT_SATISFIABLE, "InvalidRange", "The requested range cannot be satisfied.");
                    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                        response.headers_mut().insert(header::CONTENT_RANGE, value);
                    }
                    response
                }
                Some(Ok((first, last))) => {
                    let mut response = (StatusCode::PARTIAL_CONTENT, [(header::CONTENT_TYPE, "application/jsonl")], Body::from(file[first..=last].to_vec())).into_response();
                    if let Ok(value) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
                        response.headers_mut().insert(header::CONTENT_RANGE, value);
                    }
                    response
                }
            }
        }
    };
    let bytes = match response.status() {
        StatusCode::OK => op.map_or(0, |op| op.file.len()),
        StatusCode::PARTIAL_CONTENT => response
            .headers()
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes ")?.split_once('/')?.0.split_once('-').and_then(|(a, b)| Some(b.parse::<usize>().ok()? + 1 - a.parse::<usize>().ok()?)))
            .unwrap_or(0),
        _ => 0,
    };
    bulk.downloads.push(Download {
        path,
        headers: headers.iter().map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect(),
        status: response.status().as_u16(),
        bytes,
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shopify::catalog::{CatalogSpec, generate};

    const QUERY: &str = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }";

    fn bulk() -> Bulk {
        Bulk::new("127.0.0.1:9".parse().unwrap())
    }

    fn lines(op: &BulkOp) -> Vec<Value> {
        op.file.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect()
    }

    #[test]
    fn a_grouped_file_has_each_product_followed_by_its_variants() {
        let shop = generate(&CatalogSpec { products: 12, ..CatalogSpec::default() });
        let mut bulk = bulk();
        let outcome = bulk.run_query(&shop, "2025-07", QUERY, Some(true)).unwrap();
        assert!(outcome.errors.is_empty(), "{outcome:?}");
        let op = &bulk.ops[0];
        let lines = lines(op);
        let variants: usize = shop.products.iter().map(|p| p.variants.len()).sum();
        assert_eq!(lines.len(), shop.products.len() + variants);
        assert_eq!((op.objects, op.roots), (lines.len() as u64, shop.products.len() as u64));
        let mut parent = None;
        for line in &lines {
            match line.get("__parentId") {
                None => {
                    assert!(line.get("variants").is_none(), "a nested connection is not inline: {line}");
                    parent = line["id"].as_str().map(str::to_owned);
                }
                Some(p) => {
                    assert_eq!(p.as_str(), parent.as_deref(), "a variant follows its product: {line}");
                    assert!(line["id"].as_str().unwrap().starts_with("gid://shopify/ProductVariant/"));
                }
            }
        }
        // Same products, same order, same variants as the catalog.
        let products: Vec<&str> = lines.iter().filter(|l| l.get("__parentId").is_none()).map(|l| l["id"].as_str().unwrap()).collect();
        let expected: Vec<String> = shop.products.iter().map(|p| gid("Product", p.id)).collect();
        assert_eq!(products, expected.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn an_ungrouped_file_lists_the_products_first() {
        let shop = generate(&CatalogSpec { products: 5, ..CatalogSpec::default() });
        let mut bulk = bulk();
        bulk.run_query(&shop, "2026-01", QUERY, None).unwrap();
        let lines = lines(&bulk.ops[0]);
        let first_child = lines.iter().position(|l| l.get("__parentId").is_some()).unwrap();
        assert_eq!(first_child, shop.products.len(), "2026-01 does not group by default");
        assert!(lines[first_child..].iter().all(|l| l.get("__parentId").is_some()));
    }

    #[test]
    fn the_mutation_checks_the_query_the_version_and_the_one_at_a_time_rule() {
        let shop = generate(&CatalogSpec { products: 3, ..CatalogSpec::default() });
        let mut bulk = bulk();
        bulk.run_time = Duration::from_secs(60);
        let error = |outcome: RunOutcome| outcome.errors.first().map(|e| (e.code, e.message.clone())).expect("a user error");
        assert!(bulk.run_query(&shop, "2025-04", QUERY, Some(true)).is_err(), "groupObjects came in 2025-07");
        let (code, message) = error(bulk.run_query(&shop, "2025-07", "{ shop { name } }", None).unwrap());
        assert_eq!(code, "INVALID");
        assert!(message.contains("connection"), "{message}");
        let nested_without_id = "{ products { edges { node { title variants { edges { node { sku } } } } } } }";
        let (_, message) = error(bulk.run_query(&shop, "2025-07", nested_without_id, None).unwrap());
        assert!(message.contains("'id'"), "{message}");
        assert!(bulk.ops.is_empty());

        let first = bulk.run_query(&shop, "2025-07", QUERY, None).unwrap();
        let (code, message) = error(bulk.run_query(&shop, "2025-07", QUERY, None).unwrap());
        assert_eq!(code, "OPERATION_IN_PROGRESS");
        assert!(message.contains(&gid("BulkOperation", first.op.unwrap())), "{message}");
    }

    /// A bulk operation of a minute over `products` products, started with
    /// a switch set by `switch`.
    fn a_minute_long_operation(products: usize, switch: impl FnOnce(&mut Bulk)) -> (Shop, Bulk, BulkOp) {
        let shop = generate(&CatalogSpec { products, ..CatalogSpec::default() });
        let mut bulk = bulk();
        bulk.run_time = Duration::from_secs(60);
        switch(&mut bulk);
        bulk.run_query(&shop, "2025-07", QUERY, None).unwrap();
        let op = bulk.ops[0].clone();
        (shop, bulk, op)
    }

    #[test]
    fn an_operation_runs_then_fails_by_switch_and_blocks_others_while_it_runs() {
        let (shop, mut bulk, op) = a_minute_long_operation(3, |bulk| bulk.fail_next = 1);
        let at = |s: u64| op.created + Duration::from_secs(s);
        assert_eq!(op.status(at(0)), "CREATED");
        assert_eq!(op.status(at(30)), "RUNNING");
        assert_eq!(op.field("objectCount", at(30)), Some(json!("0")));
        assert_eq!(op.status(at(60)), "FAILED");
        assert_eq!(op.field("errorCode", at(60)), Some(json!("INTERNAL_SERVER_ERROR")));
        assert_eq!(op.url(at(60)), None);
        assert_eq!(bulk.fail_next, 0, "the switch fails one operation");
        // The first still runs (for a minute): a second is refused.
        assert_eq!(bulk.run_query(&shop, "2025-07", QUERY, None).unwrap().errors[0].code, "OPERATION_IN_PROGRESS");
    }

    #[test]
    fn a_canceled_operation_goes_canceling_then_canceled_without_a_file() {
        let (_, bulk, op) = a_minute_long_operation(4, |bulk| bulk.cancel_next = 1);
        let at = |s: u64| op.created + Duration::from_secs(s);
        assert_eq!(op.status(at(0)), "CREATED");
        assert_eq!(op.status(at(30)), "RUNNING");
        assert_eq!(op.status(at(45)), "CANCELING");
        assert!(bulk.running(at(45)).is_some(), "a canceling operation still blocks a new one");
        assert_eq!(op.status(at(60)), "CANCELED");
        assert_eq!(op.field("errorCode", at(60)), Some(Value::Null));
        assert_eq!(op.url(at(60)), None);
        assert_eq!(op.field("rootObjectCount", at(60)), Some(json!((op.roots / 2).to_string())), "the products read before it stopped");
        assert!(bulk.running(at(60)).is_none());
        assert_eq!(bulk.cancel_next, 0, "the switch cancels one operation");
    }

    #[test]
    fn a_completed_operation_links_a_signed_file_until_it_expires() {
        let shop = generate(&CatalogSpec { products: 3, ..CatalogSpec::default() });
        let mut bulk = bulk();
        bulk.run_time = Duration::from_millis(10);
        bulk.url_ttl = Duration::from_secs(60);
        bulk.run_query(&shop, "2025-07", QUERY, None).unwrap();
        let op = &bulk.ops[0];
        let done = op.ready;
        let url = op.url(done).expect("a completed operation with objects has a url");
        assert!(url.starts_with("http://127.0.0.1:9/"), "{url}");
        assert!(url.contains("X-Goog-Signature="), "{url}");
        assert_eq!(op.field("fileSize", done), Some(json!(op.file.len().to_string())));
        assert_eq!(op.status(done + Duration::from_secs(61)), "EXPIRED");
        assert_eq!(op.url(done + Duration::from_secs(61)), None);
        // Another operation's path and a forged signature are refused.
        let path = url.split('?').next().unwrap().trim_start_matches("http://127.0.0.1:9");
        assert!(op.signed(path, &op.expires_unix.to_string(), &op.signature));
        assert!(!op.signed(path, &(op.expires_unix + 1).to_string(), &op.signature));

        // A query that matches nothing completes without a url.
        let mut empty = generate(&CatalogSpec { products: 3, ..CatalogSpec::default() });
        empty.products.clear();
        let mut bulk = Bulk::new("127.0.0.1:9".parse().unwrap());
        bulk.run_time = Duration::from_millis(10);
        bulk.run_query(&empty, "2025-07", QUERY, None).unwrap();
        let op = &bulk.ops[0];
        assert_eq!(op.status(op.ready), "COMPLETED");
        assert_eq!(op.url(op.ready), None);
    }

    #[test]
    fn byte_ranges_are_read_as_http_says() {
        assert_eq!(byte_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(byte_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=90-500", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(byte_range("bytes=0-1,5-6", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
    }
}
