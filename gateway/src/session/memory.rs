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
    sessions: Mutex<Sessions>,
}

struct Sessions {
    map: SessionMap,
    /// When expired sessions are next swept out.
    next_sweep: Instant,
}

/// Below this many sessions nothing is swept (reads skip expired ones).
const SWEEP_ABOVE: usize = 1024;

impl MemorySessions {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, sessions: Mutex::new(Sessions { map: HashMap::new(), next_sweep: Instant::now() }) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut SessionMap) -> R) -> R {
        let mut sessions = self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        // Expire lazily, under the lock held anyway, but at most once per
        // sweep interval: a sweep visits every session, and a busy store has
        // many thousands within a TTL (one sweep a call made each turn cost
        // as much as the number of live sessions).
        if sessions.map.len() > SWEEP_ABOVE && now >= sessions.next_sweep {
            sessions.map.retain(|_, (expires, _)| *expires > now);
            sessions.next_sweep = now + sweep_interval(self.ttl);
        }
        f(&mut sessions.map)
    }
}

/// An eighth of the TTL (at least 100 ms): expired sessions stay in
/// memory at most that long past their expiry.
fn sweep_interval(ttl: Duration) -> Duration {
    (ttl / 8).max(Duration::from_millis(100))
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
            let now = Instant::now();
            let slot = map.entry((store_id.to_owned(), session_id.to_owned())).or_insert_with(|| (expires, Vec::new()));
            if slot.0 <= now {
                // Expired but not swept yet: what it held is gone.
                slot.1.clear();
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MessageRole;

    fn entry(text: &str) -> HistoryEntry {
        HistoryEntry { role: MessageRole::User, text: text.into(), language: None, product_ids: Vec::new() }
    }

    fn live(sessions: &MemorySessions) -> usize {
        sessions.sessions.lock().unwrap().map.len()
    }

    #[tokio::test]
    async fn expired_sessions_are_swept_once_an_interval_and_never_revived() {
        let sessions = MemorySessions::new(Duration::from_millis(80));
        for i in 0..SWEEP_ABOVE + 100 {
            sessions.replace("s", &format!("old-{i}"), &[entry("before")]).await.unwrap();
        }
        assert_eq!(live(&sessions), SWEEP_ABOVE + 100);
        std::thread::sleep(Duration::from_millis(250));
        // Past expiry and past the sweep interval: the next call sweeps.
        sessions.append("s", "new", &[entry("hello")]).await.unwrap();
        assert_eq!(live(&sessions), 1);
        // An expired session that was not swept yet starts empty when appended to.
        sessions.replace("s", "old-0", &[entry("before")]).await.unwrap();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(sessions.history("s", "old-0").await.unwrap(), None);
        sessions.append("s", "old-0", &[entry("after")]).await.unwrap();
        let history = sessions.history("s", "old-0").await.unwrap().unwrap();
        assert_eq!(history.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(), ["after"]);
    }
}
