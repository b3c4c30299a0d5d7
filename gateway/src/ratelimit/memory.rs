//! Token buckets in this process: the limiter without Redis, and the
//! fallback while Redis is down. Memory is bounded: keys are spread over
//! shards with a cap each, and a full shard first forgets buckets that
//! refilled (they hold no information), then the fullest one, so an
//! attacker rotating addresses cannot grow it without bound.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;

use super::{Bucket, RateLimitError, RateLimiter, Refused};

const SHARDS: usize = 32;
/// Keys kept in all: about 100 bytes each, so some 10 MB at most.
const MAX_KEYS: usize = 100_000;

pub struct MemoryLimiter {
    shards: Vec<Mutex<HashMap<String, Level>>>,
    max_keys_per_shard: usize,
    /// Keyed per process, so clients cannot aim keys at one shard.
    hasher: RandomState,
    epoch: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Level {
    tokens: f64,
    at_ms: f64,
    capacity: f64,
    ms_per_token: f64,
}

impl Level {
    fn now(&self, now_ms: f64) -> f64 {
        (self.tokens + (now_ms - self.at_ms).max(0.0) / self.ms_per_token).min(self.capacity)
    }
}

impl Default for MemoryLimiter {
    fn default() -> Self {
        Self::with_capacity(MAX_KEYS)
    }
}

impl MemoryLimiter {
    /// A limiter that keeps at most about `max_keys` buckets.
    pub fn with_capacity(max_keys: usize) -> Self {
        MemoryLimiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            max_keys_per_shard: max_keys.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
            epoch: Instant::now(),
        }
    }

    /// Buckets held now (for tests and metrics).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn shard_of(&self, key: &str) -> usize {
        (self.hasher.hash_one(key) % SHARDS as u64) as usize
    }

    /// Makes room for one more key in a full shard.
    fn evict(shard: &mut HashMap<String, Level>, now_ms: f64, max: usize) {
        if shard.len() < max {
            return;
        }
        shard.retain(|_, level| level.now(now_ms) < level.capacity);
        if shard.len() < max {
            return;
        }
        let fullest = shard.iter().max_by(|a, b| (a.1.now(now_ms) / a.1.capacity).total_cmp(&(b.1.now(now_ms) / b.1.capacity))).map(|(k, _)| k.clone());
        if let Some(key) = fullest {
            shard.remove(&key);
        }
    }
}

fn lock(shard: &Mutex<HashMap<String, Level>>) -> MutexGuard<'_, HashMap<String, Level>> {
    // A panic while holding the lock leaves plain numbers: still usable.
    shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl RateLimiter for MemoryLimiter {
    fn backend(&self) -> &'static str {
        "memory"
    }

    async fn take(&self, buckets: &[Bucket]) -> Result<Option<Refused>, RateLimitError> {
        let now_ms = self.epoch.elapsed().as_secs_f64() * 1000.0;
        // Lock every shard involved, in index order (no deadlock), so the
        // all-or-nothing take is atomic.
        let mut indexes: Vec<usize> = buckets.iter().map(|b| self.shard_of(&b.key)).collect();
        indexes.sort_unstable();
        indexes.dedup();
        let mut guards: Vec<(usize, MutexGuard<'_, HashMap<String, Level>>)> = indexes.iter().map(|&i| (i, lock(&self.shards[i]))).collect();
        let shard = |key: &str| -> usize {
            let i = self.shard_of(key);
            guards.iter().position(|(index, _)| *index == i).expect("every bucket's shard is locked")
        };
        let positions: Vec<usize> = buckets.iter().map(|b| shard(&b.key)).collect();

        let mut refused: Option<Refused> = None;
        let mut levels = Vec::with_capacity(buckets.len());
        for (bucket, &at) in buckets.iter().zip(&positions) {
            let level = guards[at].1.get(&bucket.key).map_or(bucket.capacity(), |l| l.now(now_ms));
            if level < 1.0 {
                let wait = std::time::Duration::from_secs_f64((1.0 - level) * bucket.ms_per_token() / 1000.0);
                if refused.is_none_or(|r| wait > r.retry_after) {
                    refused = Some(Refused { scope: bucket.scope, retry_after: wait });
                }
            }
            levels.push(level);
        }
        if refused.is_some() {
            return Ok(refused);
        }
        for ((bucket, &at), level) in buckets.iter().zip(&positions).zip(levels) {
            let map = &mut guards[at].1;
            let entry = Level { tokens: level - 1.0, at_ms: now_ms, capacity: bucket.capacity(), ms_per_token: bucket.ms_per_token() };
            match map.get_mut(&bucket.key) {
                Some(existing) => *existing = entry,
                None => {
                    Self::evict(map, now_ms, self.max_keys_per_shard);
                    map.insert(bucket.key.clone(), entry);
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rate;
    use crate::ratelimit::Scope;

    fn bucket(scope: Scope, key: &str, per_minute: u32, burst: u32) -> Bucket {
        Bucket { scope, key: key.into(), rate: Rate { per_minute, burst } }
    }

    #[tokio::test]
    async fn a_burst_then_refusal_with_the_refill_time() {
        let limiter = MemoryLimiter::default();
        // One token a minute: the refill cannot land during the test.
        let b = [bucket(Scope::Ip, "s:ip:1", 1, 3)];
        for _ in 0..3 {
            assert_eq!(limiter.take(&b).await.expect("take"), None);
        }
        let refused = limiter.take(&b).await.expect("take").expect("fourth is refused");
        assert_eq!(refused.scope, Scope::Ip);
        assert!(refused.retry_after_s() > 1 && refused.retry_after_s() <= 60, "{refused:?}");
    }

    #[tokio::test]
    async fn a_refused_request_spends_nothing_from_its_other_buckets() {
        let limiter = MemoryLimiter::default();
        let ip = bucket(Scope::Ip, "s:ip:1", 1, 1);
        let store = bucket(Scope::Store, "s:store", 1, 2);
        assert_eq!(limiter.take(&[ip.clone(), store.clone()]).await.expect("take"), None);
        for _ in 0..5 {
            let refused = limiter.take(&[ip.clone(), store.clone()]).await.expect("take").expect("ip empty");
            assert_eq!(refused.scope, Scope::Ip);
        }
        // The store bucket still has its second token for someone else.
        assert_eq!(limiter.take(&[bucket(Scope::Ip, "s:ip:2", 1, 1), store.clone()]).await.expect("take"), None);
        assert_eq!(limiter.take(&[bucket(Scope::Ip, "s:ip:3", 1, 1), store]).await.expect("take").map(|r| r.scope), Some(Scope::Store));
    }

    #[tokio::test]
    async fn rotating_keys_cannot_grow_memory_past_the_cap() {
        let limiter = MemoryLimiter::with_capacity(SHARDS * 4);
        for i in 0..10_000 {
            limiter.take(&[bucket(Scope::Ip, &format!("s:ip:{i}"), 1, 5)]).await.expect("take");
        }
        assert!(limiter.len() <= SHARDS * 4, "{} buckets held", limiter.len());
    }
}
