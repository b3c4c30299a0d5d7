//! The storefront widget, served from the binary: `GET /widget.js` (the
//! script in `widget/`, its stylesheet inlined) and `GET /v1/widget/config`,
//! the store's public theme and words the script reads at start.
//!
//! Caching: the script's version is a hash of its content. `/widget.js`
//! (what stores embed) is revalidated every few minutes with its ETag, so an
//! upgraded gateway reaches every storefront quickly; `/widget.js?v=<hash>`
//! never changes, so browsers and CDNs keep it for a year.

use std::io::Write;
use std::sync::OnceLock;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::ApiError;
use super::routes::StoreKey;
use crate::App;

const SCRIPT: &str = include_str!("../../../widget/widget.js");
const STYLE: &str = include_str!("../../../widget/widget.css");
/// The event-stream reader the widget and the agent console share.
const SSE: &str = include_str!("../../../widget/sse.js");
/// Where the script takes its stylesheet: a string literal the gateway
/// replaces with the CSS, so the shopper's browser makes one request.
const STYLE_MARKER: &str = "'/*chatgw:style*/'";
/// Where a page takes the shared event-stream reader.
const SSE_MARKER: &str = "/*chatgw:sse*/";

/// How long browsers may use `/widget.js` before asking again (a 304 when
/// it has not changed): how soon a gateway upgrade reaches storefronts.
const UNVERSIONED_MAX_AGE_S: u32 = 300;
const VERSIONED_CACHE: &str = "public, max-age=31536000, immutable";
/// How long a widget config may be cached: a theme change shows within it.
const CONFIG_MAX_AGE_S: u32 = 60;

/// The script as served: its text, its gzip encoding and its version.
pub struct WidgetScript {
    pub body: String,
    gzip: Vec<u8>,
    /// The first 16 hex digits of the SHA-256 of `body`.
    pub version: String,
    etag: String,
}

/// The script, assembled once per process.
pub fn script() -> &'static WidgetScript {
    static SCRIPT_CELL: OnceLock<WidgetScript> = OnceLock::new();
    SCRIPT_CELL.get_or_init(|| assemble(&with_event_reader(SCRIPT), STYLE))
}

/// `source` with the shared event-stream reader where it says so.
pub(super) fn with_event_reader(source: &str) -> String {
    source.replacen(SSE_MARKER, SSE, 1)
}

fn assemble(script: &str, style: &str) -> WidgetScript {
    let style_literal = serde_json::to_string(style).expect("a string always serialises to JSON");
    let body = script.replacen(STYLE_MARKER, &style_literal, 1);
    let version = hex::encode(Sha256::digest(body.as_bytes()))[..16].to_owned();
    // Weak: the gzip and identity encodings share it.
    WidgetScript { gzip: gzip(body.as_bytes()), etag: format!("W/\"{version}\""), version, body }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

#[derive(Deserialize)]
pub(super) struct ScriptQuery {
    v: Option<String>,
}

/// `GET /widget.js[?v=<version>]`: the current script. A `v` naming an
/// older version still gets the current script, only not cached as if it
/// were that version.
pub(super) async fn get_script(Query(query): Query<ScriptQuery>, headers: HeaderMap) -> Response {
    let script = script();
    let cache = if query.v.as_deref() == Some(script.version.as_str()) {
        VERSIONED_CACHE.to_owned()
    } else {
        format!("public, max-age={UNVERSIONED_MAX_AGE_S}, must-revalidate")
    };
    let mut response = if etag_matches(&headers, &script.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(&headers) {
        let mut response = script.gzip.clone().into_response();
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        script.body.clone().into_response()
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    out.insert(header::ETAG, HeaderValue::from_str(&script.etag).expect("hex digits in quotes are a valid header"));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_str(&cache).expect("ASCII cache directives"));
    response
}

/// `If-None-Match` names this ETag (or `*`); weak or strong alike, as a
/// GET's comparison is weak (RFC 9110 §13.1.2).
fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag.trim_start_matches("W/") || tag == "*")
}

/// `Accept-Encoding` lists gzip (or `*`) without `q=0`.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigQuery {
    key: Option<String>,
}

/// `GET /v1/widget/config?key=pk_...` (or the `X-Store-Key` header): the
/// store's name, languages, currency and widget section. The key in the
/// query keeps it a simple request (no CORS preflight) that caches can keep.
pub(super) async fn get_config(State(app): State<App>, Query(query): Query<ConfigQuery>, headers: HeaderMap) -> Response {
    let key = query.key.as_deref().or_else(|| headers.get("x-store-key").and_then(|v| v.to_str().ok()));
    match StoreKey::admit(&app, key, &headers) {
        Ok(StoreKey(store)) => store_theme(&store),
        Err(refused) => readable_refusal(&app, &headers, refused),
    }
}

/// A refusal the widget on a page of any origin can read, so it can log
/// why it draws nothing (a wrong key, an origin missing from
/// `allowed_origins`) instead of seeming unreachable. The CORS layer
/// already answers origins some store allows; this is for the others, and
/// says nothing that is not public.
fn readable_refusal(app: &App, headers: &HeaderMap, refused: ApiError) -> Response {
    let mut response = refused.into_response();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if origin.is_some_and(|o| !app.allows_origin(o)) {
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    response
}

/// What the widget draws with: public, so caches may keep it a minute.
fn store_theme(store: &crate::chat::StoreRuntime) -> Response {
    let config = &store.config;
    let body = json!({
        "store": { "name": config.name, "languages": config.languages, "currency": config.currency },
        "widget": config.widget,
        "script": format!("/widget.js?v={}", script().version),
    });
    let mut response = Json(body).into_response();
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_str(&format!("public, max-age={CONFIG_MAX_AGE_S}")).expect("ASCII cache directives"));
    // Answers differ by origin (allowed or refused) and by key header.
    out.insert(header::VARY, HeaderValue::from_static("Origin, X-Store-Key"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_is_inlined_once_as_a_string_literal() {
        let script = assemble("const STYLE = '/*chatgw:style*/'; // '/*chatgw:style*/'", "a { content: \"'\" }\n");
        assert_eq!(script.body, "const STYLE = \"a { content: \\\"'\\\" }\\n\"; // '/*chatgw:style*/'");
        assert_eq!(script.version.len(), 16);
        let shipped = super::script();
        assert!(!shipped.body.contains(STYLE_MARKER), "widget.js must hold the style marker exactly once");
        assert!(shipped.body.contains(":host"), "the served script carries the stylesheet");
        assert!(!shipped.body.contains(SSE_MARKER) && shipped.body.contains("function sseParser"), "the served script carries the event-stream reader");
    }

    #[test]
    fn gzip_is_served_only_to_clients_that_accept_it() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("gzip;q=0, br"));
        assert!(!with("br, deflate"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn any_listed_etag_revalidates() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            etag_matches(&headers, "W/\"abc\"")
        };
        assert!(with("\"abc\""));
        assert!(with("W/\"abc\""));
        assert!(with("\"old\", \"abc\""));
        assert!(with("*"));
        assert!(!with("\"old\""));
    }
}
