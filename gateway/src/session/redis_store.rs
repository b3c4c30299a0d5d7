//! Sessions in Redis: one list per session of JSON entries, trimmed to the
//! newest `MAX_ENTRIES`, expiring `ttl` after the last write. Keys carry the
//! store id so stores never share a session.

use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::{HistoryEntry, MAX_ENTRIES, SessionError, SessionStore};

#[derive(Clone)]
pub struct RedisSessions {
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
}

impl RedisSessions {
    pub async fn connect(url: &str, prefix: &str, ttl: Duration) -> Result<Self, SessionError> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(Self { conn, prefix: prefix.to_owned(), ttl })
    }

    fn key(&self, store_id: &str, session_id: &str) -> String {
        format!("{}:session:{}:{}", self.prefix, store_id, session_id)
    }

    async fn push(&self, key: &str, entries: &[HistoryEntry], reset: bool) -> Result<(), SessionError> {
        let encoded = entries.iter().map(serde_json::to_string).collect::<Result<Vec<_>, _>>()?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        if reset {
            pipe.del(key).ignore();
        }
        if !encoded.is_empty() {
            pipe.rpush(key, encoded).ignore();
        }
        pipe.ltrim(key, -(MAX_ENTRIES as isize), -1).ignore();
        pipe.expire(key, self.ttl.as_secs().max(1) as i64).ignore();
        let mut conn = self.conn.clone();
        pipe.query_async::<()>(&mut conn).await?;
        Ok(())
    }
}

#[async_trait]
impl SessionStore for RedisSessions {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn history(&self, store_id: &str, session_id: &str) -> Result<Option<Vec<HistoryEntry>>, SessionError> {
        let mut conn = self.conn.clone();
        let key = self.key(store_id, session_id);
        let raw: Vec<String> = conn.lrange(&key, 0, -1).await?;
        if raw.is_empty() {
            return Ok(None);
        }
        let entries = raw.iter().map(|s| serde_json::from_str(s)).collect::<Result<Vec<HistoryEntry>, _>>()?;
        Ok(Some(entries))
    }

    async fn replace(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        self.push(&self.key(store_id, session_id), entries, true).await
    }

    async fn append(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        self.push(&self.key(store_id, session_id), entries, false).await
    }

    async fn ping(&self) -> Result<(), SessionError> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}
