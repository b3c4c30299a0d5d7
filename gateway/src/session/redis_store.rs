//! Sessions in Redis: one list per session of JSON entries, trimmed to the
//! newest `MAX_ENTRIES`, expiring `ttl` after the last write. Keys carry the
//! store id so stores never share a session.
//!
//! Redis is a cache here: every command goes through a [`RedisLink`]
//! (short deadline, breaker), and a write that did not land marks its
//! session stale. A stale session reads as unknown (the turn rebuilds it
//! from the durable transcript), and when Redis answers again the stale
//! keys are deleted before anyone reads them, so no replica serves a
//! history missing the turns answered during the outage.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::future::BoxFuture;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, RedisResult};

use super::redis_link::{OnRecovery, RedisLink};
use super::{HistoryEntry, MAX_ENTRIES, SessionError, SessionStore};

/// Stale keys remembered one by one; past this many, recovery deletes every
/// session key of the prefix instead (sessions rebuild from transcripts).
const MAX_STALE_KEYS: usize = 100_000;
/// Keys deleted per command when recovering.
const DELETE_BATCH: usize = 500;

#[derive(Clone)]
pub struct RedisSessions {
    link: RedisLink,
    prefix: String,
    ttl: Duration,
    stale: Arc<Mutex<StaleKeys>>,
}

/// Sessions whose last write did not reach Redis, with when.
#[derive(Default)]
struct StaleKeys {
    keys: HashMap<String, Instant>,
    /// More than [`MAX_STALE_KEYS`] went stale: drop them all.
    overflowed: bool,
}

impl RedisSessions {
    /// Sessions under `prefix` in the Redis at `url`. Only a malformed URL
    /// fails: a gateway whose Redis is down starts and answers from the
    /// transcripts until Redis is back (readiness says `degraded`).
    pub async fn connect(url: &str, prefix: &str, ttl: Duration) -> Result<Self, SessionError> {
        let stale = Arc::new(Mutex::new(StaleKeys::default()));
        let link = RedisLink::new(url, Some(recovery(stale.clone(), prefix.to_owned())))?;
        if let Err(error) = link.ping().await {
            tracing::warn!(%error, "redis does not answer yet; sessions come from the transcripts until it does");
        }
        Ok(Self { link, prefix: prefix.to_owned(), ttl, stale })
    }

    /// The link, so other Redis users of this gateway share its breaker.
    pub fn link(&self) -> &RedisLink {
        &self.link
    }

    fn key(&self, store_id: &str, session_id: &str) -> String {
        format!("{}:session:{}:{}", self.prefix, store_id, session_id)
    }

    fn stale(&self) -> std::sync::MutexGuard<'_, StaleKeys> {
        self.stale.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn mark_stale(&self, key: &str) {
        let mut stale = self.stale();
        if stale.keys.len() >= MAX_STALE_KEYS {
            // Entries older than the TTL have expired in Redis anyway.
            let ttl = self.ttl;
            stale.keys.retain(|_, at| at.elapsed() < ttl);
        }
        if stale.keys.len() >= MAX_STALE_KEYS {
            stale.overflowed = true;
        } else {
            stale.keys.insert(key.to_owned(), Instant::now());
        }
    }

    fn is_stale(&self, key: &str) -> bool {
        let stale = self.stale();
        stale.overflowed || stale.keys.contains_key(key)
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
        match self.link.run(|mut conn| async move { pipe.query_async::<()>(&mut conn).await }).await {
            Ok(()) => Ok(()),
            Err(e) => {
                // Whether or not it landed, Redis's copy can no longer be
                // trusted to hold every turn.
                self.mark_stale(key);
                Err(e.into())
            }
        }
    }
}

/// Deletes the stale sessions (all of the prefix's sessions after an
/// overflow) once Redis answers again.
fn recovery(stale: Arc<Mutex<StaleKeys>>, prefix: String) -> OnRecovery {
    Arc::new(move |mut conn: ConnectionManager| -> BoxFuture<'static, RedisResult<()>> {
        let stale = stale.clone();
        let pattern = format!("{prefix}:session:*");
        Box::pin(async move {
            let (keys, overflowed) = {
                let s = stale.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                (s.keys.keys().cloned().collect::<Vec<_>>(), s.overflowed)
            };
            if overflowed {
                let mut cursor: u64 = 0;
                loop {
                    let (next, found): (u64, Vec<String>) =
                        redis::cmd("SCAN").arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(DELETE_BATCH).query_async(&mut conn).await?;
                    if !found.is_empty() {
                        conn.del::<_, ()>(found).await?;
                    }
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
            } else {
                for batch in keys.chunks(DELETE_BATCH) {
                    conn.del::<_, ()>(batch).await?;
                }
            }
            let mut s = stale.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Keys marked while this ran stay for the next recovery.
            for key in &keys {
                s.keys.remove(key);
            }
            if overflowed {
                s.overflowed = false;
            }
            Ok(())
        })
    })
}

#[async_trait]
impl SessionStore for RedisSessions {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn history(&self, store_id: &str, session_id: &str) -> Result<Option<Vec<HistoryEntry>>, SessionError> {
        let key = self.key(store_id, session_id);
        if self.is_stale(&key) {
            return Ok(None);
        }
        let raw: Vec<String> = self.link.run(|mut conn| async move { conn.lrange(&key, 0, -1).await }).await?;
        if raw.is_empty() {
            return Ok(None);
        }
        let entries = raw.iter().map(|s| serde_json::from_str(s)).collect::<Result<Vec<HistoryEntry>, _>>()?;
        Ok(Some(entries))
    }

    async fn replace(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        let key = self.key(store_id, session_id);
        self.push(&key, entries, true).await?;
        // The whole history was written again: Redis's copy is whole.
        self.stale().keys.remove(&key);
        Ok(())
    }

    async fn append(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        let key = self.key(store_id, session_id);
        if self.is_stale(&key) {
            // Appending to a copy that misses turns would make it look whole.
            return Err(SessionError::Stale);
        }
        self.push(&key, entries, false).await
    }

    async fn ping(&self) -> Result<(), SessionError> {
        Ok(self.link.ping().await?)
    }
}
