//! One suite for both session stores (memory and Redis): history round
//! trip, trimming to the newest entries, replacement, and stores that never
//! share a session.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chatgw::session::{HistoryEntry, MAX_ENTRIES, MemorySessions, RedisSessions, SessionStore};
use chatgw::storage::MessageRole;

fn entry(role: &str, text: &str) -> HistoryEntry {
    HistoryEntry { role: MessageRole::parse(role).expect("a role"), text: text.into(), language: Some("en".into()), product_ids: vec!["p1".into()] }
}

async fn suite(sessions: Arc<dyn SessionStore>) {
    sessions.ping().await.expect("ping");
    assert_eq!(sessions.history("s1", "a").await.expect("history"), None);

    sessions.append("s1", "a", &[entry("user", "hi"), entry("assistant", "hello")]).await.expect("append");
    let history = sessions.history("s1", "a").await.expect("history").expect("exists");
    assert_eq!(history, vec![entry("user", "hi"), entry("assistant", "hello")]);

    // The same session id under another store is another session.
    assert_eq!(sessions.history("s2", "a").await.expect("history"), None);

    // Only the newest MAX_ENTRIES are kept.
    let many: Vec<HistoryEntry> = (0..MAX_ENTRIES + 5).map(|i| entry("user", &format!("m{i}"))).collect();
    sessions.append("s1", "b", &many).await.expect("append");
    let kept = sessions.history("s1", "b").await.expect("history").expect("exists");
    assert_eq!(kept.len(), MAX_ENTRIES);
    assert_eq!(kept.last().map(|e| e.text.as_str()), Some(format!("m{}", MAX_ENTRIES + 4).as_str()));
    assert_eq!(kept.first().map(|e| e.text.as_str()), Some("m5"));

    sessions.replace("s1", "b", &[entry("user", "rebuilt")]).await.expect("replace");
    assert_eq!(sessions.history("s1", "b").await.expect("history").expect("exists"), vec![entry("user", "rebuilt")]);
}

#[tokio::test]
async fn memory_sessions() {
    suite(Arc::new(MemorySessions::new(Duration::from_secs(60)))).await;
}

async fn redis(ttl: Duration) -> RedisSessions {
    let url = common::redis_url();
    RedisSessions::connect(&url, &common::unique_prefix(), ttl)
        .await
        .unwrap_or_else(|e| panic!("Redis at {url} cannot be reached ({e}); start it with `bash scripts/setup-services.sh`"))
}

#[tokio::test]
async fn redis_sessions() {
    suite(Arc::new(redis(Duration::from_secs(60)).await)).await;
}

#[tokio::test]
async fn sessions_expire() {
    let memory = MemorySessions::new(Duration::from_millis(50));
    let redis = redis(Duration::from_secs(1)).await;
    for store in [&memory as &dyn SessionStore, &redis as &dyn SessionStore] {
        store.append("s", "x", &[entry("user", "hi")]).await.expect("append");
        assert!(store.history("s", "x").await.expect("history").is_some());
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    for store in [&memory as &dyn SessionStore, &redis as &dyn SessionStore] {
        assert_eq!(store.history("s", "x").await.expect("history"), None, "{} session expired", store.backend());
    }
}
