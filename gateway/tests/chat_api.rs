//! The chat API end to end over real TCP: the demo turns, bad input with
//! clear JSON errors and nothing stored wrongly, transcripts, sessions, and
//! two stores that never see each other's data. Runs on SQLite + memory
//! sessions and on PostgreSQL (pgvector) + Redis.

mod chat_support;
mod common;

use std::sync::Arc;
use std::time::Duration;

use chat_support::*;
use chatgw::session::{RedisSessions, SessionStore};
use chatgw::storage::Storage;
use serde_json::Value;

async fn sqlite_gateway(dir: &std::path::Path) -> String {
    let storage: Arc<dyn Storage> = common::sqlite().await;
    serve(build_app(storage, memory_sessions(), vec![demo_store(), other_store(dir)]).await).await
}

async fn redis_sessions() -> Arc<dyn SessionStore> {
    let url = common::redis_url();
    match RedisSessions::connect(&url, &common::unique_prefix(), Duration::from_secs(600)).await {
        Ok(s) => Arc::new(s),
        Err(e) => panic!("Redis at {url} cannot be reached ({e}); start it with `bash scripts/setup-services.sh`"),
    }
}

/// The demo turns the README promises, on one gateway.
async fn demo_turns(base: &str) {
    // A browsing question: products that match, an English answer, offline.
    let linen = chat(base, "pk_demo", None, "linen shirt for a summer wedding").await;
    let ids = linen.product_ids();
    assert!(ids.iter().any(|id| id == "p0001" || id == "p0002"), "linen shirts shown: {ids:?}");
    let text = linen.text();
    assert!(text.contains("Linen"), "answer names the products: {text}");
    let done = linen.done();
    assert_eq!(done["language"], "en");
    assert_eq!(done["label"], "normal");
    assert_eq!(done["offline"], true);
    assert!(linen.position("session") == Some(0), "session event first: {:?}", linen.names());

    // A Spanish stock question: answered in Spanish, and the stock statement
    // follows a get_stock tool event in the same stream.
    let stock = chat(base, "pk_demo", None, "¿Tenéis la camisa de lino Sitges en talla M?").await;
    assert_eq!(stock.done()["language"], "es");
    let tools = stock.all("tool");
    assert!(tools.iter().any(|t| t["name"] == "get_stock" && t["status"] == "ok"), "get_stock ran: {:?}", stock.names());
    let first_token = stock.position("token").expect("tokens");
    let tool_ok = stock.events.iter().position(|(n, v)| n == "tool" && v["status"] == "ok").expect("tool ok");
    assert!(tool_ok < first_token, "the stock statement comes after the tool result: {:?}", stock.names());
    let text = stock.text();
    assert!(text.starts_with("Sí, tenemos") && text.contains("talla M"), "Spanish stock answer: {text}");

    // Sold out in M: says so, and offers the sizes that are in stock.
    let sold_out = chat(base, "pk_demo", None, "¿tenéis el vestido midi Tamariu en talla M?").await;
    let text = sold_out.text();
    assert!(text.contains("no queda stock") && text.contains("Tallas disponibles"), "sold-out answer: {text}");
}

#[tokio::test]
async fn demo_turns_on_sqlite_and_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sqlite_gateway(dir.path()).await;
    demo_turns(&base).await;
}

#[tokio::test]
async fn demo_turns_on_postgres_and_redis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pg = common::postgres().await;
    let base = serve(build_app(pg.dyn_storage(), redis_sessions().await, vec![demo_store(), other_store(dir.path())]).await).await;
    demo_turns(&base).await;

    // The session lives in Redis: a follow-up on the same session is about
    // the same product.
    let first = chat(&base, "pk_demo", None, "Tell me about the Sitges linen shirt").await;
    let session = first.session_id();
    let follow = chat(&base, "pk_demo", Some(&session), "do you have it in size L?").await;
    assert_eq!(follow.session_id(), session);
    assert!(follow.all("tool").iter().any(|t| t["name"] == "get_stock"), "{:?}", follow.names());
    assert!(follow.text().contains("Sitges"), "follow-up is about the same shirt: {}", follow.text());
}

#[tokio::test]
async fn transcript_restores_the_conversation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sqlite_gateway(dir.path()).await;
    let first = chat(&base, "pk_demo", None, "warm coat for winter").await;
    let session = first.session_id();
    chat(&base, "pk_demo", Some(&session), "¿y en talla S?").await;

    let transcript: Value = reqwest::Client::new()
        .get(format!("{base}/v1/sessions/{session}/messages"))
        .header("X-Store-Key", "pk_demo")
        .send()
        .await
        .expect("transcript")
        .json()
        .await
        .expect("json");
    let messages = transcript["messages"].as_array().expect("messages");
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().expect("role")).collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant"]);
    assert_eq!(messages[0]["text"], "warm coat for winter");
    assert_eq!(messages[0]["language"], "en");
    assert_eq!(messages[2]["language"], "es");
    assert_eq!(messages[1]["text"].as_str().map(str::is_empty), Some(false));
}

#[tokio::test]
async fn mixed_language_and_escalation_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sqlite_gateway(dir.path()).await;
    let mixed = chat(&base, "pk_demo", None, "Hola, у вас есть эта jacket в size M?").await;
    let done = mixed.done();
    assert_eq!(done["language"], "ru");
    assert!(!done["mixed"].as_array().expect("mixed").is_empty(), "{done}");

    let damaged = chat(&base, "pk_demo", None, "My jacket arrived damaged and I want a refund").await;
    let handoff = damaged.first("handoff").expect("handoff event");
    assert_eq!(handoff["label"], "escalate");
    assert_eq!(damaged.done()["label"], "escalate");
}

async fn post_raw(base: &str, key: Option<&str>, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{base}/v1/chat")).header("Content-Type", content_type).body(body);
    if let Some(key) = key {
        request = request.header("X-Store-Key", key);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let json = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test]
async fn bad_input_gets_clear_json_errors_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pg = common::postgres().await;
    let base = serve(build_app(pg.dyn_storage(), memory_sessions(), vec![demo_store(), other_store(dir.path())]).await).await;
    let json = "application/json";

    let cases: Vec<(u16, &str, (u16, Value))> = vec![
        (401, "unknown_store_key", post_raw(&base, Some("pk_nope"), json, r#"{"message":"hi"}"#).await),
        (401, "missing_store_key", post_raw(&base, None, json, r#"{"message":"hi"}"#).await),
        (400, "empty_message", post_raw(&base, Some("pk_demo"), json, r#"{"message":"   "}"#).await),
        (413, "message_too_long", post_raw(&base, Some("pk_demo"), json, serde_json::json!({"message": "a".repeat(501)}).to_string()).await),
        (413, "body_too_large", post_raw(&base, Some("pk_demo"), json, serde_json::json!({"message": "a".repeat(20_000)}).to_string()).await),
        (400, "malformed_json", post_raw(&base, Some("pk_demo"), json, r#"{"message": "hi""#).await),
        (400, "invalid_request", post_raw(&base, Some("pk_demo"), json, r#"{"text": "hi"}"#).await),
        (415, "unsupported_media_type", post_raw(&base, Some("pk_demo"), "text/plain", r#"{"message":"hi"}"#).await),
    ];
    for (status, code, (got_status, body)) in cases {
        assert_eq!(got_status, status, "{code}: {body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.len() > 10, "{code} explains itself: {body}");
    }

    let unknown = reqwest::Client::new()
        .get(format!("{base}/v1/sessions/00000000-0000-0000-0000-000000000000/messages"))
        .header("X-Store-Key", "pk_demo")
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.json::<Value>().await.expect("json")["error"]["code"], "unknown_session");

    // Nothing of the rejected requests reached the database.
    let pool = pg.storage().pool().clone();
    let conversations: i64 = sqlx::query_scalar("SELECT count(*) FROM conversations").fetch_one(&pool).await.expect("count");
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM messages").fetch_one(&pool).await.expect("count");
    assert_eq!((conversations, messages), (0, 0));

    // A good request right after works and stores both sides.
    let ok = chat(&base, "pk_demo", None, "hello").await;
    ok.done();
    let messages: i64 = sqlx::query_scalar("SELECT count(*) FROM messages").fetch_one(&pool).await.expect("count");
    assert_eq!(messages, 2);
}

#[tokio::test]
async fn browser_origins_are_checked_per_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sqlite_gateway(dir.path()).await;
    let client = reqwest::Client::new();
    let post = |origin: &'static str, key: &'static str| {
        client.post(format!("{base}/v1/chat")).header("Origin", origin).header("X-Store-Key", key).json(&serde_json::json!({"message": "hello"})).send()
    };
    let allowed = post("https://peak.example", "pk_peak_test").await.expect("request");
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("https://peak.example"));
    // Peak's origin may not use the demo store's key.
    let denied = post("https://peak.example", "pk_demo").await.expect("request");
    assert_eq!(denied.status(), 403);
    assert_eq!(denied.json::<Value>().await.expect("json")["error"]["code"], "origin_not_allowed");
}

/// Two stores in one gateway never see each other's products, sessions or
/// transcripts.
async fn stores_are_isolated(base: &str) {
    let peak = chat(base, "pk_peak_test", None, "linen shirt for a summer wedding").await;
    assert!(peak.product_ids().iter().all(|id| id.starts_with('h')), "only Peak products: {:?}", peak.product_ids());
    let demo = chat(base, "pk_demo", None, "trail running shoe and camping tent").await;
    assert!(demo.product_ids().iter().all(|id| id.starts_with('p')), "only demo products: {:?}", demo.product_ids());

    // Peak's key cannot read the demo conversation...
    let demo_session = demo.session_id();
    let foreign =
        reqwest::Client::new().get(format!("{base}/v1/sessions/{demo_session}/messages")).header("X-Store-Key", "pk_peak_test").send().await.expect("request");
    assert_eq!(foreign.status(), 404);
    // ...nor continue it: it gets a conversation of its own.
    let hijack = chat(base, "pk_peak_test", Some(&demo_session), "what did I ask before?").await;
    assert_ne!(hijack.session_id(), demo_session);
    // Stock of another store's product is not reachable through tools.
    let stock = chat(base, "pk_peak_test", None, "do you have the Sitges Linen Shirt in size M?").await;
    assert!(!stock.text().contains("Sitges"), "{}", stock.text());
}

#[tokio::test]
async fn two_stores_never_see_each_other_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    stores_are_isolated(&sqlite_gateway(dir.path()).await).await;
}

#[tokio::test]
async fn two_stores_never_see_each_other_on_postgres_and_redis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pg = common::postgres().await;
    let base = serve(build_app(pg.dyn_storage(), redis_sessions().await, vec![demo_store(), other_store(dir.path())]).await).await;
    stores_are_isolated(&base).await;
}

#[tokio::test]
async fn health_and_readiness() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = sqlite_gateway(dir.path()).await;
    let health: Value = reqwest::get(format!("{base}/healthz")).await.expect("healthz").json().await.expect("json");
    assert_eq!(health["status"], "ok");
    let ready = reqwest::get(format!("{base}/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.expect("json"), serde_json::json!({"status": "ready", "checks": {"database": "ok", "sessions": "ok"}}));
}
