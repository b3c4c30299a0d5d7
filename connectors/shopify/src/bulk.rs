//! A full sync through one bulk operation (shopify.dev/docs/api/usage/
//! bulk-operations/queries) instead of thousands of throttled pages:
//! `bulkOperationRunQuery` starts it (10 points), `node(id:)` polls it, and
//! once `COMPLETED` its JSONL file (a signed URL on another host: the host
//! adds no credential there) is read a byte range per sync page. Grouped
//! output puts a product's variants (lines with `__parentId`) right below
//! it, so a page ends at the start of the last product line of its range
//! and the next range starts there.
//!
//! The cursor (`bulk:` + JSON, never the signed URL, which would grant the
//! catalog to whoever reads the sync state) holds the operation's id and
//! the byte offset of the next product, so a run cut off mid-file resumes
//! at the product it had reached. While the operation runs, each call
//! polls for a few seconds and returns an empty page with a new cursor.
//!
//! - Another bulk query of this app running (Shopify runs one at a time
//!   per shop before 2026-01): if it is this query (a cut-off run's), wait
//!   for it to end, then start ours; if it is another, page this run
//!   through `products` instead.
//! - `FAILED` or `CANCELED`: a new operation is started and the call fails
//!   with the reason; the next run (resuming at the same cursor: a call
//!   that starts an operation returns at once with its id, so the id is
//!   saved before anything can happen to it) finds the newer operation and
//!   continues with it.
//! - `EXPIRED` (the file is kept seven days), or a download refused: the
//!   operation starts over; products already applied are applied again,
//!   which changes nothing.

use std::time::{Duration, Instant};

use chatgw_sdk::{ConnectorError, Header, HttpError, Method, ProductPage, Request, Response, host_http, log, retry_after};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::{self, GqlVariant, ProductFields};
use crate::queries::{self, graphql};
use crate::settings::Settings;

/// What starts every bulk sync cursor (Shopify's page cursors are base64).
pub const CURSOR_PREFIX: &str = "bulk:";
/// Time one call spends waiting for an operation before handing back an
/// empty page (well under the host's per-call deadline, 15 s by default).
const POLL_BUDGET: Duration = Duration::from_secs(5);
const FIRST_POLL: Duration = Duration::from_millis(200);
const MAX_POLL: Duration = Duration::from_secs(2);
/// Bytes of the file read for one page: a few hundred products.
const CHUNK_BYTES: u64 = 512 * 1024;
/// A single product (with its variants) larger than this is an error; the
/// host's default response cap is 8 MiB.
const MAX_CHUNK_BYTES: u64 = 8 * 1024 * 1024;

/// Where a bulk sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cursor {
    /// Another bulk query of ours is running; `tries` to start so far.
    Start { tries: u32 },
    /// Our operation, polled `polls` times; once completed, its file is
    /// read from byte `at`, the start of a product's line.
    Op { id: String, at: u64, polls: u32 },
}

impl Cursor {
    /// `None` when `text` is not a bulk cursor (a page cursor).
    pub fn parse(text: &str) -> Option<Result<Cursor, ConnectorError>> {
        let json = text.strip_prefix(CURSOR_PREFIX)?;
        Some(serde_json::from_str(json).map_err(|e| ConnectorError::Upstream(format!("the bulk sync cursor `{text}` cannot be read: {e}"))))
    }

    pub fn encode(&self) -> String {
        format!("{CURSOR_PREFIX}{}", serde_json::to_string(self).expect("a cursor is plain data"))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Operation {
    id: String,
    status: String,
    error_code: Option<String>,
    created_at: Option<String>,
    url: Option<String>,
    /// Only in `currentBulkOperation`.
    query: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserError {
    message: String,
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunPayload {
    bulk_operation: Option<Operation>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunData {
    bulk_operation_run_query: Option<RunPayload>,
}

#[derive(Deserialize)]
struct NodeData {
    node: Option<Operation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CurrentData {
    current_bulk_operation: Option<Operation>,
}

/// What asking Shopify to start our bulk query led to.
enum Started {
    Op(String),
    /// A bulk query with our document is running (a cut-off run's).
    OursRunning,
    /// Another bulk query of this app is running.
    Other(String),
}

/// Whitespace aside, the query a full sync runs.
fn is_our_query(query: Option<&str>) -> bool {
    let words = |q: &str| q.split_whitespace().collect::<Vec<_>>().join(" ");
    query.is_some_and(|q| words(q) == words(&queries::bulk_products_query()))
}

fn start(s: &Settings) -> Result<Started, ConnectorError> {
    let mutation = if s.has_group_objects() { queries::BULK_RUN_GROUPED } else { queries::BULK_RUN };
    let data: RunData = graphql(s, mutation, json!({ "query": queries::bulk_products_query() }))?;
    let payload = data.bulk_operation_run_query.ok_or_else(|| ConnectorError::Upstream("Shopify answered bulkOperationRunQuery with nothing".into()))?;
    if let Some(op) = payload.bulk_operation {
        return Ok(Started::Op(op.id));
    }
    if payload.user_errors.iter().any(|e| e.code.as_deref() == Some("OPERATION_IN_PROGRESS")) {
        return Ok(match current(s)? {
            Some(op) if is_our_query(op.query.as_deref()) => Started::OursRunning,
            Some(op) => Started::Other(op.id),
            None => Started::Other("(unnamed)".into()),
        });
    }
    let messages = payload.user_errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ");
    Err(ConnectorError::Upstream(format!("Shopify refused to start the catalog's bulk query: {messages}")))
}

fn current(s: &Settings) -> Result<Option<Operation>, ConnectorError> {
    Ok(graphql::<CurrentData>(s, queries::CURRENT_BULK_QUERY, json!({}))?.current_bulk_operation)
}

fn operation(s: &Settings, id: &str) -> Result<Option<Operation>, ConnectorError> {
    Ok(graphql::<NodeData>(s, queries::BULK_OPERATION_QUERY, json!({ "id": id }))?.node)
}

fn poll_interval(polls: u32) -> Duration {
    FIRST_POLL.saturating_mul(1 << polls.min(8)).min(MAX_POLL)
}

/// Sleeps `wait` if this call's budget allows it.
fn wait_within(started: Instant, wait: Duration) -> bool {
    if started.elapsed() + wait > POLL_BUDGET {
        return false;
    }
    std::thread::sleep(wait);
    true
}

fn waiting(cursor: Cursor) -> ProductPage {
    ProductPage { products: Vec::new(), next_cursor: Some(cursor.encode()) }
}

/// One page of a full sync through a bulk operation.
pub fn page(s: &Settings, mut cursor: Cursor) -> Result<ProductPage, ConnectorError> {
    let started = Instant::now();
    // A refused download is retried once after polling again.
    let mut refused = false;
    loop {
        cursor = match cursor {
            // The operation's id is saved before anything else happens to
            // it: a run cut off from here on, or failing, resumes with it.
            Cursor::Start { tries } => match start(s)? {
                Started::Op(id) => return Ok(waiting(Cursor::Op { id, at: 0, polls: 0 })),
                Started::OursRunning => {
                    let next = Cursor::Start { tries: tries + 1 };
                    if !wait_within(started, poll_interval(tries)) {
                        return Ok(waiting(next));
                    }
                    next
                }
                Started::Other(id) => {
                    log::write(
                        log::Level::Warn,
                        &format!("another bulk query of this app ({id}) is running and Shopify runs one at a time: this full sync pages through products instead"),
                    );
                    return crate::sync_page(s, None, None);
                }
            },
            Cursor::Op { id, at, polls } => {
                let Some(op) = operation(s, &id)? else {
                    log::write(log::Level::Warn, &format!("Shopify no longer knows bulk operation {id}: starting a new one"));
                    cursor = Cursor::Start { tries: 0 };
                    continue;
                };
                match op.status.as_str() {
                    "CREATED" | "RUNNING" | "CANCELING" => {
                        let next = Cursor::Op { id, at, polls: polls + 1 };
                        if !wait_within(started, poll_interval(polls)) {
                            return Ok(waiting(next));
                        }
                        next
                    }
                    "COMPLETED" => {
                        // No url: the query matched no object.
                        let Some(url) = op.url else { return Ok(ProductPage { products: Vec::new(), next_cursor: None }) };
                        match download(s, &id, &url, at, polls)? {
                            Some(page) => return Ok(page),
                            None if refused => {
                                return Err(ConnectorError::Upstream(format!(
                                    "the file of bulk operation {id} cannot be downloaded from {} although Shopify says it is complete",
                                    url_host(&url)
                                )));
                            }
                            None => {
                                refused = true;
                                Cursor::Op { id, at, polls }
                            }
                        }
                    }
                    "EXPIRED" => {
                        log::write(log::Level::Warn, &format!("the file of bulk operation {id} expired before it was read to the end: starting a new one"));
                        Cursor::Start { tries: 0 }
                    }
                    _ => replacement(s, op)?,
                }
            }
        };
    }
}

/// After our operation failed or was canceled: the newer operation of ours
/// started after it, or an error (and a new operation for the next run).
fn replacement(s: &Settings, failed: Operation) -> Result<Cursor, ConnectorError> {
    if let Some(newer) = current(s)?
        && is_our_query(newer.query.as_deref())
        && started_after(&newer, &failed)
    {
        log::write(log::Level::Info, &format!("bulk operation {} ended {}; continuing with {}", failed.id, failed.status, newer.id));
        return Ok(Cursor::Op { id: newer.id, at: 0, polls: 0 });
    }
    let next = match start(s) {
        Ok(Started::Op(id)) => format!("a new one ({id}) was started and the next sync continues with it"),
        Ok(Started::OursRunning | Started::Other(_)) => "another bulk query is running; the next sync starts a new one when it ends".into(),
        Err(e) => format!("starting a new one failed too ({e})"),
    };
    let id = &failed.id;
    Err(match (failed.status.as_str(), failed.error_code.as_deref()) {
        ("FAILED", Some("ACCESS_DENIED")) => ConnectorError::Auth(format!(
            "Shopify's bulk operation {id} for the catalog failed with ACCESS_DENIED: the app lacks a scope the query needs (read_products); {next}"
        )),
        ("FAILED", Some("TIMEOUT")) => ConnectorError::Upstream(format!(
            "Shopify's bulk operation {id} for the catalog timed out on Shopify's side; {next}. If it keeps timing out, set `bulk_sync` to false in the store's connector settings"
        )),
        ("FAILED", code) => ConnectorError::Upstream(format!(
            "Shopify's bulk operation {id} for the catalog failed ({}, which Shopify says may be intermittent); {next}",
            code.unwrap_or("no error code")
        )),
        (status, _) => ConnectorError::Upstream(format!("Shopify's bulk operation {id} for the catalog ended {status} before completing; {next}")),
    })
}

/// Whether `a` was started after `b`: by id (Shopify's grow), else by
/// `createdAt` (seconds: the same second counts as after).
fn started_after(a: &Operation, b: &Operation) -> bool {
    let number = |op: &Operation| op.id.rsplit('/').next().and_then(|n| n.parse::<u64>().ok());
    match (number(a), number(b)) {
        (Some(a), Some(b)) => a > b,
        _ => a.id != b.id && a.created_at >= b.created_at,
    }
}

/// `host[:port]` of a URL, for messages (the path and query of a signed URL
/// are its secret).
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
}

/// The total size in `Content-Range: bytes a-b/total`.
fn range_total(value: Option<&str>) -> Option<u64> {
    value?.rsplit_once('/')?.1.trim().parse().ok()
}

/// The first byte in `Content-Range: bytes a-b/total`.
fn range_start(value: Option<&str>) -> Option<u64> {
    value?.trim().strip_prefix("bytes")?.trim_start().split_once('-')?.0.trim().parse().ok()
}

fn download_error(host: &str, error: HttpError) -> ConnectorError {
    match error {
        HttpError::Denied(why) => ConnectorError::InvalidSettings(format!(
            "the bulk operation's file is served from {host}, which this store's connector may not call ({why}): add the host to the store's \
             `http.allowed_hosts` (Shopify serves these files from storage.googleapis.com) with no credential for it, or set `bulk_sync` to \
             false to page through products instead"
        )),
        HttpError::TooLarge(cap) => ConnectorError::Upstream(format!("a range of the bulk operation's file from {host} is over the host's {cap} byte cap")),
        HttpError::Timeout => ConnectorError::Upstream(format!("{host} did not send the bulk operation's file in time")),
        HttpError::Transport(why) | HttpError::InvalidRequest(why) => ConnectorError::Upstream(format!("downloading the bulk operation's file from {host}: {why}")),
    }
}

/// Bytes `at..at+len` of the file and whether they reach its end; `None`
/// when the signed URL is refused (expired).
fn fetch_range(url: &str, at: u64, len: u64) -> Result<Option<(Vec<u8>, bool)>, ConnectorError> {
    let host = url_host(url);
    let request = Request {
        method: Method::Get,
        url: url.to_owned(),
        headers: vec![Header { name: "range".into(), value: format!("bytes={at}-{}", at + len - 1) }],
        body: None,
        timeout_ms: None,
    };
    let response = host_http::send(&request).map_err(|e| download_error(host, e))?;
    match response.status {
        206 => {
            // RFC 9110 lets a server answer a range request with another
            // range than the one asked for; bytes from anywhere but `at`
            // would be read as lines that start there.
            let content_range = header(&response, "content-range");
            if let Some(start) = range_start(content_range).filter(|&start| start != at) {
                return Err(ConnectorError::Upstream(format!("{host} sent the bulk operation's file from byte {start} when asked from byte {at}")));
            }
            let end = at + response.body.len() as u64;
            let eof = range_total(content_range).map_or((response.body.len() as u64) < len, |total| end >= total);
            Ok(Some((response.body, eof)))
        }
        // The server ignored the range and sent the whole file.
        200 => {
            let from = usize::try_from(at).ok().filter(|&from| from <= response.body.len()).ok_or_else(|| {
                ConnectorError::Upstream(format!("the bulk operation's file from {host} is shorter than the {at} bytes already read"))
            })?;
            Ok(Some((response.body[from..].to_vec(), true)))
        }
        400 | 401 | 403 | 404 | 410 => Ok(None),
        416 => Err(ConnectorError::Upstream(format!("the bulk operation's file from {host} is shorter than the {at} bytes already read"))),
        429 => Err(ConnectorError::RateLimited(retry_after(&response.headers))),
        status => Err(ConnectorError::Upstream(format!("{host} answered {status} for a range of the bulk operation's file"))),
    }
}

/// The products a range of the file completes.
#[derive(Default)]
struct Chunk {
    products: Vec<(ProductFields, Vec<GqlVariant>)>,
    /// Where the next range starts (the line of a product the range did
    /// not finish); none at the end of the file.
    next_at: Option<u64>,
}

fn bad_line(offset: u64, why: String) -> ConnectorError {
    ConnectorError::Upstream(format!("line at byte {offset} of the bulk operation's file: {why}"))
}

/// Reads the lines of `body` (the file from byte `at`): products with the
/// variant lines that follow them. Without `eof`, the last product (its
/// variants may go on in the next range) and a cut line are left for the
/// next range.
fn parse_chunk(body: &[u8], at: u64, eof: bool) -> Result<Chunk, ConnectorError> {
    let mut chunk = Chunk::default();
    let mut open: Option<(ProductFields, Vec<GqlVariant>, u64)> = None;
    let mut offset = 0;
    while offset < body.len() {
        let end = match body[offset..].iter().position(|&b| b == b'\n') {
            Some(i) => offset + i,
            None if eof => body.len(),
            None => break,
        };
        let line = &body[offset..end];
        let line_at = at + offset as u64;
        offset = end + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: Value = serde_json::from_slice(line).map_err(|e| bad_line(line_at, format!("not JSON ({e})")))?;
        match value.get("__parentId").and_then(Value::as_str) {
            None => {
                if let Some((product, variants, _)) = open.take() {
                    chunk.products.push((product, variants));
                }
                let product = serde_json::from_value(value).map_err(|e| bad_line(line_at, format!("not a product ({e})")))?;
                open = Some((product, Vec::new(), line_at));
            }
            Some(parent) => {
                let Some((_, variants, _)) = open.as_mut().filter(|(product, _, _)| product.id == parent) else {
                    return Err(bad_line(
                        line_at,
                        format!(
                            "a variant of {parent} away from its product: the file is not grouped by parent (the API version must group, as \
                             before 2025-07, or take `groupObjects`)"
                        ),
                    ));
                };
                variants.push(serde_json::from_value(value).map_err(|e| bad_line(line_at, format!("not a variant ({e})")))?);
            }
        }
    }
    if eof {
        chunk.products.extend(open.map(|(product, variants, _)| (product, variants)));
    } else {
        chunk.next_at = Some(open.map_or(at + offset as u64, |(_, _, start)| start));
    }
    Ok(chunk)
}

/// The products of the file from byte `at`, a range at a time: the range
/// grows until it holds one whole product.
fn download(s: &Settings, id: &str, url: &str, at: u64, polls: u32) -> Result<Option<ProductPage>, ConnectorError> {
    let mut len = CHUNK_BYTES;
    loop {
        let Some((body, eof)) = fetch_range(url, at, len)? else { return Ok(None) };
        let chunk = parse_chunk(&body, at, eof)?;
        if chunk.products.is_empty() && !eof {
            if len >= MAX_CHUNK_BYTES {
                return Err(ConnectorError::Upstream(format!(
                    "a product in bulk operation {id}'s file at byte {at} is over {MAX_CHUNK_BYTES} bytes with its variants; set `bulk_sync` to false to page through products instead"
                )));
            }
            len *= 2;
            continue;
        }
        let currency = crate::shop_currency(s)?;
        let products = chunk
            .products
            .into_iter()
            .map(|(product, variants)| model::product(product.into_product(variants), s, &currency))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = chunk.next_at.map(|at| Cursor::Op { id: id.to_owned(), at, polls }.encode());
        return Ok(Some(ProductPage { products, next_cursor }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        r#"{"id":"gid://shopify/Product/1","title":"Tee","status":"ACTIVE","options":[]}"#,
        "\n",
        r#"{"id":"gid://shopify/ProductVariant/11","title":"S","sku":"T-S","__parentId":"gid://shopify/Product/1"}"#,
        "\n",
        r#"{"id":"gid://shopify/ProductVariant/12","title":"M","sku":"T-M","__parentId":"gid://shopify/Product/1"}"#,
        "\n",
        r#"{"id":"gid://shopify/Product/2","title":"Cap","status":"DRAFT"}"#,
        "\n",
        r#"{"id":"gid://shopify/ProductVariant/21","title":"Default Title","__parentId":"gid://shopify/Product/2"}"#,
        "\n",
    );

    #[test]
    fn cursors_round_trip_and_page_cursors_are_not_bulk_cursors() {
        let cursor = Cursor::Op { id: "gid://shopify/BulkOperation/7".into(), at: 1024, polls: 3 };
        assert_eq!(Cursor::parse(&cursor.encode()).unwrap().unwrap(), cursor);
        assert!(Cursor::parse("eyJsYXN0X2lkIjo1fQ==").is_none());
        assert!(matches!(Cursor::parse("bulk:{nope"), Some(Err(ConnectorError::Upstream(_)))));
    }

    #[test]
    fn a_whole_file_gives_every_product_with_its_variants() {
        let chunk = parse_chunk(FILE.as_bytes(), 0, true).unwrap();
        assert_eq!(chunk.next_at, None);
        let ids: Vec<(&str, usize)> = chunk.products.iter().map(|(p, v)| (p.id.as_str(), v.len())).collect();
        assert_eq!(ids, [("gid://shopify/Product/1", 2), ("gid://shopify/Product/2", 1)]);
    }

    #[test]
    fn a_range_stops_at_the_last_product_it_may_not_have_finished() {
        // Cut in the middle of the first variant of product 2.
        let cut = FILE.find("gid://shopify/ProductVariant/21").unwrap();
        let chunk = parse_chunk(&FILE.as_bytes()[..cut], 0, false).unwrap();
        assert_eq!(chunk.products.len(), 1, "product 2 may have more variants in the next range");
        let second = FILE.find(r#"{"id":"gid://shopify/Product/2""#).unwrap() as u64;
        assert_eq!(chunk.next_at, Some(second));
        // The next range starts there, at an offset of the file.
        let rest = parse_chunk(&FILE.as_bytes()[second as usize..], second, true).unwrap();
        assert_eq!(rest.products.len(), 1);
        assert_eq!(rest.products[0].1.len(), 1);
        // A range inside one product completes nothing.
        let first = parse_chunk(&FILE.as_bytes()[..40], 0, false).unwrap();
        assert!(first.products.is_empty());
        assert_eq!(first.next_at, Some(0));
    }

    #[test]
    fn an_ungrouped_file_is_refused_with_the_reason() {
        let ungrouped = concat!(
            r#"{"id":"gid://shopify/Product/1","title":"Tee","status":"ACTIVE"}"#,
            "\n",
            r#"{"id":"gid://shopify/Product/2","title":"Cap","status":"ACTIVE"}"#,
            "\n",
            r#"{"id":"gid://shopify/ProductVariant/11","title":"S","__parentId":"gid://shopify/Product/1"}"#,
            "\n",
        );
        let Err(ConnectorError::Upstream(why)) = parse_chunk(ungrouped.as_bytes(), 0, true) else { panic!("an ungrouped file is an error") };
        assert!(why.contains("not grouped") && why.contains("byte"), "{why}");
    }

    #[test]
    fn messages_name_the_download_host_never_the_signed_url() {
        assert_eq!(url_host("https://storage.googleapis.com/bucket/op.jsonl?X-Goog-Signature=abc"), "storage.googleapis.com");
        assert_eq!(url_host("http://127.0.0.1:9000/b/o?sig=1"), "127.0.0.1:9000");
        let denied = download_error("storage.googleapis.com", HttpError::Denied("host `storage.googleapis.com:443` is not allow-listed".into()));
        assert!(matches!(&denied, ConnectorError::InvalidSettings(m) if m.contains("allowed_hosts") && m.contains("bulk_sync")), "{denied:?}");
        assert_eq!(range_total(Some("bytes 0-99/1234")), Some(1234));
        assert_eq!(range_total(Some("bytes 0-99/*")), None);
        assert_eq!(range_start(Some("bytes 512-1023/4096")), Some(512));
        assert_eq!(range_start(Some("bytes */4096")), None);
    }

    #[test]
    fn a_replacement_is_an_operation_started_after_the_failed_one() {
        let op = |id: &str, created: &str| Operation {
            id: id.into(),
            status: "RUNNING".into(),
            error_code: None,
            created_at: Some(created.into()),
            url: None,
            query: None,
        };
        let failed = op("gid://shopify/BulkOperation/100", "2026-11-26T12:00:00Z");
        assert!(started_after(&op("gid://shopify/BulkOperation/101", "2026-11-26T12:00:00Z"), &failed), "same second, higher id");
        assert!(!started_after(&op("gid://shopify/BulkOperation/100", "2026-11-26T12:00:00Z"), &failed));
        assert!(!started_after(&op("gid://shopify/BulkOperation/99", "2026-11-26T12:00:09Z"), &failed));
    }

    #[test]
    fn polls_back_off_to_a_ceiling() {
        assert_eq!(poll_interval(0), FIRST_POLL);
        assert_eq!(poll_interval(1), FIRST_POLL * 2);
        assert_eq!(poll_interval(30), MAX_POLL);
    }
}
