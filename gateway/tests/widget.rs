//! The storefront widget over real HTTP: `/widget.js` is versioned by its
//! content, revalidated by ETag, cached for a year under its versioned URL
//! and gzipped within its size budget; `/v1/widget/config` gives the
//! store's public theme and checks key and origin like the chat API; the
//! agent console page carries the shared event-stream reader and the agent
//! API names the store. (`config_check.rs` checks a bad `[widget]` section.)
//! The browser tests (testkit/browser) drive the widget itself.

mod chat_support;
mod common;

use std::io::Read;

use chat_support::*;
use chatgw::config::{StoreConfig, WidgetPosition};
use reqwest::StatusCode;
use serde_json::Value;

/// The gzipped script must stay under this (the budget).
const GZIP_BUDGET_BYTES: usize = 30 * 1024;

fn themed_demo() -> StoreConfig {
    let mut store = demo_store();
    store.widget.position = WidgetPosition::Left;
    store.widget.color = "#0b6e4f".into();
    store
}

async fn gateway(store: StoreConfig) -> String {
    serve(build_app(common::sqlite().await, memory_sessions(), vec![store]).await).await
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn the_widget_script_is_versioned_revalidated_and_gzipped() {
    let base = gateway(demo_store()).await;
    let http = reqwest::Client::new();

    let plain = http.get(format!("{base}/widget.js")).send().await.expect("GET /widget.js");
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&plain, "x-content-type-options"), "nosniff");
    let etag = header(&plain, "etag").to_owned();
    let cache = header(&plain, "cache-control").to_owned();
    assert!(cache.contains("max-age=300") && !cache.contains("immutable"), "the embedded URL is revalidated often: {cache}");
    let script = plain.text().await.expect("script");
    assert!(script.contains("data-store-key") && script.contains(":host") && script.contains("function sseParser"), "the whole widget, assembled");
    assert!(!script.contains("/*chatgw:style*/") && !script.contains("/*chatgw:sse*/"), "no marker left unfilled");

    // The config names the versioned URL; its version is the ETag's.
    let config: Value = http.get(format!("{base}/v1/widget/config?key=pk_demo")).send().await.expect("config").json().await.expect("json");
    let versioned = config["script"].as_str().expect("script path").to_owned();
    let version = versioned.strip_prefix("/widget.js?v=").expect("versioned path");
    assert_eq!(etag, format!("W/\"{version}\""));

    let pinned = http.get(format!("{base}{versioned}")).send().await.expect("versioned GET");
    assert_eq!(pinned.status(), StatusCode::OK);
    assert_eq!(header(&pinned, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(pinned.text().await.expect("body"), script, "the versioned URL serves the same script");

    let stale = http.get(format!("{base}/widget.js?v=0000000000000000")).send().await.expect("stale GET");
    assert!(!header(&stale, "cache-control").contains("immutable"), "an old version's URL must not cache today's script for a year");

    let revalidated = http.get(format!("{base}/widget.js")).header("If-None-Match", &etag).send().await.expect("conditional GET");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&revalidated, "etag"), etag);
    assert!(revalidated.bytes().await.expect("body").is_empty());
    let changed = http.get(format!("{base}/widget.js")).header("If-None-Match", "W/\"other\"").send().await.expect("conditional GET");
    assert_eq!(changed.status(), StatusCode::OK);

    let zipped = http.get(format!("{base}/widget.js")).header("Accept-Encoding", "gzip").send().await.expect("gzip GET");
    assert_eq!(header(&zipped, "content-encoding"), "gzip");
    assert!(header(&zipped, "vary").contains("Accept-Encoding"));
    let bytes = zipped.bytes().await.expect("gzip body");
    assert!(bytes.len() < GZIP_BUDGET_BYTES, "widget.js is {} bytes gzipped; the budget is {GZIP_BUDGET_BYTES}", bytes.len());
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut unzipped).expect("valid gzip");
    assert_eq!(unzipped, script);
}

#[tokio::test]
async fn the_widget_config_is_the_stores_public_theme() {
    let base = gateway(themed_demo()).await;
    let http = reqwest::Client::new();

    let by_query: Value = http.get(format!("{base}/v1/widget/config?key=pk_demo")).send().await.expect("config").json().await.expect("json");
    assert_eq!(by_query["store"]["name"], "Lumen & Thread");
    assert_eq!(by_query["store"]["languages"], serde_json::json!(["en", "es"]));
    assert_eq!(by_query["store"]["currency"], "EUR");
    assert_eq!(by_query["widget"]["color"], "#0b6e4f");
    assert_eq!(by_query["widget"]["position"], "left");
    assert!(by_query["widget"]["greeting"]["es"].as_str().is_some_and(|g| g.starts_with("¡Hola!")), "{by_query}");
    assert!(by_query["widget"]["privacy_url"].as_str().is_some_and(|u| u.starts_with("https://")));
    let text = by_query.to_string();
    assert!(!text.contains("public_key") && !text.contains("agent_token") && !text.contains("policies"), "only the widget's public settings: {text}");

    let by_header = http.get(format!("{base}/v1/widget/config")).header("X-Store-Key", "pk_demo").send().await.expect("config");
    assert_eq!(by_header.status(), StatusCode::OK);
    assert!(header(&by_header, "cache-control").contains("max-age="));

    let refused = |status: StatusCode, code: &str, response: (StatusCode, Value)| {
        assert_eq!(response.0, status, "{}", response.1);
        assert_eq!(response.1["error"]["code"], code, "{}", response.1);
    };
    let get = |path: String, origin: Option<&'static str>| {
        let http = http.clone();
        async move {
            let mut request = http.get(path);
            if let Some(origin) = origin {
                request = request.header("Origin", origin);
            }
            let response = request.send().await.expect("config");
            let status = response.status();
            (status, response.json::<Value>().await.expect("json error"))
        }
    };
    refused(StatusCode::UNAUTHORIZED, "unknown_store_key", get(format!("{base}/v1/widget/config?key=pk_nope"), None).await);
    refused(StatusCode::UNAUTHORIZED, "missing_store_key", get(format!("{base}/v1/widget/config"), None).await);
    refused(StatusCode::FORBIDDEN, "origin_not_allowed", get(format!("{base}/v1/widget/config?key=pk_demo"), Some("https://evil.example")).await);
    // The widget on that page can read why, and logs it.
    let foreign = http.get(format!("{base}/v1/widget/config?key=pk_demo")).header("Origin", "https://evil.example").send().await.expect("config");
    assert_eq!(header(&foreign, "access-control-allow-origin"), "*");

    let allowed = http.get(format!("{base}/v1/widget/config?key=pk_demo")).header("Origin", "http://127.0.0.1:8080").send().await.expect("config");
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(header(&allowed, "access-control-allow-origin"), "http://127.0.0.1:8080");
}

#[tokio::test]
async fn the_console_page_and_the_agent_api_name_the_store() {
    let token_env = "CHATGW_TEST_WIDGET_AGENT_TOKEN";
    // Each test runs in its own process (nextest) and names its own variable.
    unsafe { std::env::set_var(token_env, "console-token-51c2") };
    let mut store = demo_store();
    store.handoff.agent_token_env = token_env.into();
    let base = gateway(store).await;
    let http = reqwest::Client::new();

    let page = http.get(format!("{base}/agent")).send().await.expect("console");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header(&page, "content-type").starts_with("text/html"));
    let html = page.text().await.expect("html");
    assert!(html.contains("function sseParser") && !html.contains("/*chatgw:sse*/"), "the console carries the shared event-stream reader");

    let queue: Value = http.get(format!("{base}/v1/agent/tickets")).bearer_auth("console-token-51c2").send().await.expect("queue").json().await.expect("json");
    assert_eq!(queue["store"]["name"], "Lumen & Thread", "{queue}");
    assert_eq!(queue["store"]["id"], "demo");
    assert_eq!(queue["store"]["currency"], "EUR");
    assert!(queue["tickets"].as_array().is_some_and(Vec::is_empty));
}
