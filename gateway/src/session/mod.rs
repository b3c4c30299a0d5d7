//! Short-term session history for prompts: Redis when configured (shared by
//! every replica, expires by TTL), memory otherwise. The durable transcript
//! lives in the database and is the source of truth; a session missing or
//! unreadable here (expired, another replica without Redis, Redis down) is
//! rebuilt from it, never from memory, which other replicas cannot see.

mod memory;
pub mod redis_link;
mod redis_store;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use memory::MemorySessions;
pub use redis_link::{LinkError, RedisLink};
pub use redis_store::RedisSessions;

use crate::catalog::card::estimate_tokens;
use crate::storage::MessageRole;

/// Most entries kept per session; older ones only live in the transcript.
pub const MAX_ENTRIES: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The shopper, the assistant or a person from the team (stored as
    /// `user`, `assistant`, `agent`).
    pub role: MessageRole,
    pub text: String,
    #[serde(default)]
    pub language: Option<String>,
    /// Products shown or discussed in this entry, best first.
    #[serde(default)]
    pub product_ids: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session store (redis) failed: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("session store (redis): {0}")]
    Link(#[from] LinkError),
    /// The stored copy misses turns (a write did not land); rebuild it
    /// from the transcript with `replace` before appending.
    #[error("the session's stored history is incomplete; replace it from the transcript")]
    Stale,
    #[error("session data is not readable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// `redis` or `memory`.
    fn backend(&self) -> &'static str;
    /// The history, oldest first; `None` when the session is unknown here.
    async fn history(&self, store_id: &str, session_id: &str) -> Result<Option<Vec<HistoryEntry>>, SessionError>;
    /// Replaces the whole history (used to rebuild from the transcript).
    async fn replace(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError>;
    /// Appends entries, keeps the newest `MAX_ENTRIES` and renews the TTL.
    async fn append(&self, store_id: &str, session_id: &str, entries: &[HistoryEntry]) -> Result<(), SessionError>;
    async fn ping(&self) -> Result<(), SessionError>;
}

/// The newest entries whose text fits `budget` tokens, oldest first.
pub fn trim_to_budget(entries: &[HistoryEntry], budget: usize) -> &[HistoryEntry] {
    let mut used = 0;
    let mut start = entries.len();
    for (i, entry) in entries.iter().enumerate().rev() {
        let cost = estimate_tokens(&entry.text) + 4;
        if used + cost > budget {
            break;
        }
        used += cost;
        start = i;
    }
    &entries[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> HistoryEntry {
        HistoryEntry { role: MessageRole::User, text: text.into(), language: None, product_ids: vec![] }
    }

    #[test]
    fn trimming_keeps_the_newest() {
        let entries = vec![entry(&"a".repeat(400)), entry("short one"), entry("short two")];
        let kept = trim_to_budget(&entries, 20);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].text, "short two");
        assert!(trim_to_budget(&entries, 0).is_empty());
    }
}
