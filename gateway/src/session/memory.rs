//! In-process sessions for a single gateway (the embedded default).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{HistoryEntry, MAX_ENTRIES, SessionError, SessionStore};

/// (store id, session id) -> (expiry, history).
type SessionMap = HashMap<(String, String), (Instant, Vec<HistoryEntry>)>;

pub struct MemorySessions {
    ttl: Duration,
    sessions: Mutex<SessionMap>,
}

impl MemorySessions {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, sessions: Mutex::new(HashMap::new()) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut SessionMap) -> R) -> R {
        let mut map = self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        // Expire lazily; cheap because it runs under the lock we hold anyway.
        if map.len() > 1024 {
            map.retain(|_, (expires, _)| *expires > now);
        }
        f(&mut map)
    }
}

#[async_trait]
impl SessionStore for MemorySessions {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn history(&self, store_id: &str, session_id: &str) -> Result<Option<Vec<HistoryEntry>>, SessionError> {
        let now = Instant::now();
        Ok(self.with(|map| map.get(&(store_id.to_owned(), session_id.to_owned())).filter(|(exp, _)| *exp > now).map(|(_, e)| e.clone())))
    }

    async fn replace(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        let keep = entries.len().saturating_sub(MAX_ENTRIES);
        let expires = Instant::now() + self.ttl;
        self.with(|map| map.insert((store_id.to_owned(), session_id.to_owned()), (expires, entries[keep..].to_vec())));
        Ok(())
    }

    async fn append(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError> {
        let expires = Instant::now() + self.ttl;
        self.with(|map| {
            let slot = map.entry((store_id.to_owned(), session_id.to_owned())).or_insert_with(|| (expires, Vec::new()));
            slot.0 = expires;
            slot.1.extend_from_slice(entries);
            let excess = slot.1.len().saturating_sub(MAX_ENTRIES);
            slot.1.drain(..excess);
        });
        Ok(())
    }

    async fn ping(&self) -> Result<(), SessionError> {
        Ok(())
    }
}
