//! Dependency faults, against real servers the tests start, stop and
//! restart themselves (never the shared ones): Redis down or hung (chat
//! answers from the durable transcript, readiness says `degraded`, the
//! sessions go back to Redis when it returns), PostgreSQL restarted (no
//! request fails on a stale pooled connection) and PostgreSQL down (503
//! with `Retry-After` and words the widget can show; readiness says
//! `unavailable`; everything recovers when it is back).

mod chat_support;
mod common;

use std::sync::Arc;
use std::time::Duration;

use chat_support::*;
use chatgw::App;
use chatgw::app::Services;
use chatgw::llm::ChatModel;
use chatgw::llm::offline::OfflineModel;
use chatgw::session::{RedisSessions, SessionStore};
use chatgw::storage::StorageError;
use common::instances::{PrivatePostgres, PrivateRedis};
use serde_json::Value;

/// Longest the tests wait for a dependency's return to be noticed.
const RECOVERY_WAIT: Duration = Duration::from_secs(20);

async fn readyz(base: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{base}/readyz")).await.expect("readyz request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("readyz json"))
}

/// Polls `/readyz` until it reports `status`.
async fn wait_for_readiness(base: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + RECOVERY_WAIT;
    loop {
        let (_, body) = readyz(base).await;
        if body["status"] == status {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "readiness never became `{status}`; last: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn redis_sessions(url: &str, prefix: &str) -> Arc<dyn SessionStore> {
    Arc::new(RedisSessions::connect(url, prefix, Duration::from_secs(600)).await.expect("a well-formed Redis URL is accepted even when Redis is down"))
}

/// Entries of one session's list in `redis`.
async fn session_entries(redis: &PrivateRedis, prefix: &str, session: &str) -> Vec<Value> {
    let keys = redis.keys(&format!("{prefix}:session:*:{session}")).await;
    let Some(key) = keys.first() else { return Vec::new() };
    let client = redis::Client::open(redis.url()).expect("redis url");
    let mut conn = client.get_multiplexed_async_connection().await.expect("connect");
    let raw: Vec<String> = redis::cmd("LRANGE").arg(key).arg(0).arg(-1).query_async(&mut conn).await.expect("LRANGE");
    raw.iter().map(|s| serde_json::from_str(s).expect("entry json")).collect()
}

fn entry_texts(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| e["text"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_chat_answers_from_the_transcript_and_recovers() {
    let mut redis = PrivateRedis::start().await;
    let pg = common::postgres().await;
    let prefix = common::unique_prefix();
    let base = serve(build_app(pg.dyn_storage(), redis_sessions(&redis.url(), &prefix).await, vec![demo_store()]).await).await;
    assert_eq!(wait_for_readiness(&base, "ready").await["checks"], serde_json::json!({"database": "ok", "sessions": "ok"}));

    let first = chat(&base, "pk_demo", None, "Tell me about the Sitges linen shirt").await;
    let session = first.session_id();
    assert_eq!(session_entries(&redis, &prefix, &session).await.len(), 2, "the first turn is cached in Redis");

    redis.stop().await;
    // The follow-up only makes sense with the first turn: it comes from the
    // durable transcript while Redis is down.
    let follow = chat(&base, "pk_demo", Some(&session), "do you have it in size L?").await;
    assert_eq!(follow.session_id(), session);
    follow.done();
    assert!(follow.all("tool").iter().any(|t| t["name"] == "get_stock"), "{:?}", follow.names());
    assert!(follow.text().contains("Linen Shirt"), "the follow-up kept its subject from the first turn: {}", follow.text());
    // The same words without that first turn are about something else: the
    // subject above came from the durable history.
    let alone = chat(&base, "pk_demo", None, "do you have it in size L?").await;
    assert!(!alone.text().contains("Linen Shirt"), "without history: {}", alone.text());

    let (status, body) = readyz(&base).await;
    assert_eq!(status, 200, "chat still works: keep traffic coming: {body}");
    assert_eq!(body, serde_json::json!({"status": "degraded", "checks": {"database": "ok", "sessions": "down"}}));

    // Redis returns empty; the next turn writes the whole history back.
    redis.start_again().await;
    wait_for_readiness(&base, "ready").await;
    let third = chat(&base, "pk_demo", Some(&session), "and in size S?").await;
    third.done();
    let texts = entry_texts(&session_entries(&redis, &prefix, &session).await);
    assert_eq!(texts.len(), 6, "three turns back in Redis: {texts:?}");
    assert_eq!(texts[0], "Tell me about the Sitges linen shirt");
    assert_eq!(texts[2], "do you have it in size L?");
    assert_eq!(texts[4], "and in size S?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_missed_by_a_hung_redis_is_not_lost_when_it_answers_again() {
    let redis = PrivateRedis::start().await;
    let pg = common::postgres().await;
    let prefix = common::unique_prefix();
    let base = serve(build_app(pg.dyn_storage(), redis_sessions(&redis.url(), &prefix).await, vec![demo_store()]).await).await;

    let first = chat(&base, "pk_demo", None, "Tell me about the Sitges linen shirt").await;
    let session = first.session_id();
    assert_eq!(session_entries(&redis, &prefix, &session).await.len(), 2);

    // Redis hangs (keeping its data): the turn cannot be cached.
    let client = redis::Client::open(redis.url()).expect("redis url");
    let mut admin = client.get_multiplexed_async_connection().await.expect("connect");
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(2000).arg("ALL").query_async(&mut admin).await.expect("CLIENT PAUSE");
    let follow = chat(&base, "pk_demo", Some(&session), "do you have it in size L?").await;
    assert!(follow.text().contains("Linen Shirt"), "{}", follow.text());

    // Once Redis answers, the copy missing that turn is not used as it is.
    wait_for_readiness(&base, "ready").await;
    chat(&base, "pk_demo", Some(&session), "and in size S?").await.done();
    let texts = entry_texts(&session_entries(&redis, &prefix, &session).await);
    assert_eq!(texts.len(), 6, "the turn answered while Redis hung is in the history: {texts:?}");
    assert_eq!(texts[2], "do you have it in size L?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_starts_and_answers_while_redis_is_down() {
    let pg = common::postgres().await;
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let sessions = redis_sessions(&format!("redis://127.0.0.1:{port}"), &common::unique_prefix()).await;
    let base = serve(build_app(pg.dyn_storage(), sessions, vec![demo_store()]).await).await;
    let first = chat(&base, "pk_demo", None, "Tell me about the Sitges linen shirt").await;
    let follow = chat(&base, "pk_demo", Some(&first.session_id()), "do you have it in size L?").await;
    assert!(follow.text().contains("Linen Shirt"), "{}", follow.text());
    let (status, body) = readyz(&base).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("degraded")), "{body}");
}

/// A gateway wired as `chatgw serve` wires it, on the given PostgreSQL and
/// memory sessions.
async fn gateway_on(database_url: &str) -> String {
    let gateway = gateway_config();
    let services = Services::connect_to(&gateway, Some(database_url), None).await.expect("services connect");
    let stores = vec![(demo_store(), Arc::new(OfflineModel) as Arc<dyn ChatModel>)];
    serve(App::new(gateway, services, stores).await.expect("gateway builds")).await
}

async fn get_transcript(base: &str, session: &str) -> reqwest::Response {
    reqwest::Client::new().get(format!("{base}/v1/sessions/{session}/messages")).header("X-Store-Key", "pk_demo").send().await.expect("transcript request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restart_fails_no_request() {
    let pg = PrivatePostgres::start().await;
    let base = gateway_on(&pg.url()).await;
    // Several connections in the pool, all of which the restart will close.
    let turns = futures::future::join_all((0..4).map(|i| {
        let base = base.clone();
        async move { chat(&base, "pk_demo", None, &format!("linen shirt number {i}")).await }
    }))
    .await;
    let session = turns[0].session_id();

    pg.restart().await;
    for round in 0..3 {
        let transcript = get_transcript(&base, &session).await;
        assert_eq!(transcript.status(), 200, "transcript after the restart (round {round}): {:?}", transcript.text().await);
        // A different question each round: asking the same one again is
        // frustration, which hands the conversation to a person.
        let question = ["do you have it in size M?", "and is there a blue one?", "what is it made of?"][round];
        chat(&base, "pk_demo", Some(&session), question).await.done();
        chat(&base, "pk_demo", None, "warm coat for winter").await.done();
    }
    let messages: Value = get_transcript(&base, &session).await.json().await.expect("json");
    assert_eq!(messages["messages"].as_array().map(Vec::len), Some(8), "every message stored exactly once: {messages}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_answers_503_with_retry_after_and_recovers() {
    let pg = PrivatePostgres::start().await;
    let base = gateway_on(&pg.url()).await;
    let session = chat(&base, "pk_demo", None, "linen shirt").await.session_id();

    pg.stop().await;
    let client = reqwest::Client::new();
    for session_id in [None, Some(session.as_str())] {
        let response = client
            .post(format!("{base}/v1/chat"))
            .header("X-Store-Key", "pk_demo")
            .json(&serde_json::json!({ "session_id": session_id, "message": "linen shirt" }))
            .send()
            .await
            .expect("chat request");
        assert_eq!(response.status(), 503, "chat while the database is down");
        assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
        let body: Value = response.json().await.expect("a JSON error, not an event stream");
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "service_unavailable", "message": "The shop assistant is briefly unavailable; please try again in a few seconds."}})
        );
    }
    let transcript = get_transcript(&base, &session).await;
    assert_eq!(transcript.status(), 503);
    let (status, body) = readyz(&base).await;
    assert_eq!(status, 503);
    assert_eq!(body, serde_json::json!({"status": "unavailable", "checks": {"database": "down", "sessions": "ok"}}));

    pg.start_again().await;
    wait_for_readiness(&base, "ready").await;
    chat(&base, "pk_demo", Some(&session), "do you have it in size M?").await.done();
    assert_eq!(get_transcript(&base, &session).await.status(), 200);
}

#[test]
fn database_errors_are_sorted_by_what_the_caller_can_do() {
    let refused = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
    assert!(matches!(StorageError::from(sqlx::Error::Io(refused)), StorageError::ConnectionLost(_)));
    assert!(matches!(StorageError::from(sqlx::Error::PoolTimedOut), StorageError::Unavailable(_)));
    assert!(matches!(StorageError::from(sqlx::Error::PoolClosed), StorageError::Unavailable(_)));
    assert!(matches!(StorageError::from(sqlx::Error::RowNotFound), StorageError::Database(_)));
    assert!(!StorageError::from(sqlx::Error::RowNotFound).is_unavailable());
}
