//! Abuse limits of the public API: token buckets per client address,
//! session and store (in Redis when configured, so replicas share them; in
//! memory otherwise), a per-store cap on chat turns in flight, and the
//! client address itself (behind trusted proxies). A refused request is
//! refused before it costs anything: nothing stored, no model, no plugin.

mod client_ip;
mod memory;
mod redis_limiter;

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::Stream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use client_ip::{Cidr, TrustedProxies, ip_bucket};
pub use memory::MemoryLimiter;
pub use redis_limiter::RedisLimiter;

use crate::config::{Rate, StoreConfig};

/// Who a limit counts: the widget shows a different sentence for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ip,
    Session,
    Store,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Ip => "ip",
            Scope::Session => "session",
            Scope::Store => "store",
        }
    }
}

/// One token bucket a request must take a token from.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub scope: Scope,
    /// Unique across stores and scopes (`store:scope:who`).
    pub key: String,
    pub rate: Rate,
}

impl Bucket {
    fn new(scope: Scope, store_id: &str, kind: &str, who: &str, rate: Rate) -> Self {
        Bucket { scope, key: format!("{store_id}:{kind}:{who}"), rate }
    }

    /// Milliseconds to refill one token.
    fn ms_per_token(&self) -> f64 {
        60_000.0 / f64::from(self.rate.per_minute.max(1))
    }

    fn capacity(&self) -> f64 {
        f64::from(self.rate.burst.max(1))
    }
}

/// Why a request was refused, and when it may come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub scope: Scope,
    pub retry_after: Duration,
}

impl Refused {
    /// Whole seconds for `Retry-After`, at least 1.
    pub fn retry_after_s(&self) -> u64 {
        self.retry_after.as_millis().div_ceil(1000).max(1) as u64
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RateLimitError {
    #[error("rate limits in redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("rate limit script answered `{0}`")]
    Reply(String),
}

/// Takes one token from every bucket of a request, or from none: a request
/// refused by one bucket (its address is flooding) spends nothing from the
/// others (its store's budget).
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// `redis` or `memory`.
    fn backend(&self) -> &'static str;
    /// `Ok(None)` when allowed; otherwise the bucket that needs the longest
    /// wait.
    async fn take(&self, buckets: &[Bucket]) -> Result<Option<Refused>, RateLimitError>;
}

/// How long the shared limiter is skipped after it failed: requests meanwhile
/// use this replica's memory instead of each waiting on a dead Redis.
const SHARED_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The gateway's limits: the buckets (shared when Redis is configured) and
/// each store's cap on turns in flight.
pub struct RateLimits {
    /// Redis, when configured.
    shared: Option<Arc<dyn RateLimiter>>,
    /// Always there: the limiter without Redis, and the fallback while Redis
    /// is down (limits then count per replica rather than not at all).
    local: Arc<dyn RateLimiter>,
    /// Milliseconds since `epoch` before which `shared` is not tried.
    shared_down_until: AtomicU64,
    epoch: Instant,
    /// Per store: its cap on turns in flight and the slots. A store added or
    /// changed by a reload gets its slots on its first turn.
    turns: std::sync::RwLock<HashMap<String, (usize, Arc<Semaphore>)>>,
    proxies: TrustedProxies,
    warnings: LogThrottle,
}

impl RateLimits {
    pub fn new<'a>(stores: impl IntoIterator<Item = &'a StoreConfig>, proxies: TrustedProxies, shared: Option<Arc<dyn RateLimiter>>) -> Self {
        let turns = stores.into_iter().map(|s| (s.id.clone(), turn_slots(s))).collect();
        RateLimits {
            shared,
            local: Arc::new(MemoryLimiter::default()),
            shared_down_until: AtomicU64::new(0),
            epoch: Instant::now(),
            turns: std::sync::RwLock::new(turns),
            proxies,
            warnings: LogThrottle::new(Duration::from_secs(30)),
        }
    }

    /// `redis` when the buckets are shared by replicas, else `memory`.
    pub fn backend(&self) -> &'static str {
        self.shared.as_ref().map_or(self.local.backend(), |s| s.backend())
    }

    /// The client's address: the socket peer, or, when the peer is a trusted
    /// proxy, the right-most untrusted address it forwarded.
    pub fn client_ip(&self, peer: Option<IpAddr>, headers: &axum::http::HeaderMap) -> Option<IpAddr> {
        self.proxies.client_ip(peer, headers)
    }

    /// Admits one chat message: a token from the client's, the session's and
    /// the store's bucket, and one of the store's turn slots, held by the
    /// returned permit until the turn ends.
    pub async fn admit_chat(&self, store: &StoreConfig, client: Option<IpAddr>, session_id: Option<&str>) -> Result<OwnedSemaphorePermit, Refused> {
        let limits = &store.limits;
        // Checked first and without a token: a store at its cap refuses
        // without spending the shopper's budget.
        let turns = self.turn_slots(store);
        let permit = turns.try_acquire_owned().map_err(|_| Refused { scope: Scope::Store, retry_after: Duration::from_secs(1) })?;
        let mut buckets = vec![
            Bucket::new(Scope::Ip, &store.id, "chat-ip", &ip_bucket(client), limits.chat_per_ip),
            Bucket::new(Scope::Store, &store.id, "chat-store", "all", limits.chat_per_store),
        ];
        // A session id the chat would not resume (absent, empty, too long)
        // starts a new session: no bucket of its own.
        if let Some(id) = session_id.filter(|id| !id.is_empty() && id.len() <= crate::chat::MAX_SESSION_ID_LEN) {
            buckets.push(Bucket::new(Scope::Session, &store.id, "chat-session", id, limits.chat_per_session));
        }
        self.take(&buckets).await?;
        Ok(permit)
    }

    /// The store's turn slots, made (or remade, when its cap changed) on
    /// first use. Turns holding slots of a replaced cap finish on them.
    fn turn_slots(&self, store: &StoreConfig) -> Arc<Semaphore> {
        let cap = store.limits.turns_in_flight.max(1) as usize;
        if let Some((current, slots)) = self.turns.read().expect("turn slots lock").get(&store.id)
            && *current == cap
        {
            return slots.clone();
        }
        let mut turns = self.turns.write().expect("turn slots lock");
        let entry = turns.entry(store.id.clone()).or_insert_with(|| turn_slots(store));
        if entry.0 != cap {
            *entry = turn_slots(store);
        }
        entry.1.clone()
    }

    /// Admits one transcript read from `client`.
    pub async fn admit_transcript(&self, store: &StoreConfig, client: Option<IpAddr>) -> Result<(), Refused> {
        self.take(&[Bucket::new(Scope::Ip, &store.id, "transcript-ip", &ip_bucket(client), store.limits.transcript_per_ip)]).await
    }

    /// Admits one webhook for the store.
    pub async fn admit_webhook(&self, store: &StoreConfig) -> Result<(), Refused> {
        self.take(&[Bucket::new(Scope::Store, &store.id, "webhook", "all", store.limits.webhooks_per_store)]).await
    }

    async fn take(&self, buckets: &[Bucket]) -> Result<(), Refused> {
        let now = self.epoch.elapsed().as_millis() as u64;
        if let Some(shared) = &self.shared
            && now >= self.shared_down_until.load(Ordering::Relaxed)
        {
            match shared.take(buckets).await {
                Ok(None) => return Ok(()),
                Ok(Some(refused)) => return Err(refused),
                Err(error) => {
                    self.shared_down_until.store(now + SHARED_RETRY_AFTER.as_millis() as u64, Ordering::Relaxed);
                    if self.warnings.allow() {
                        tracing::warn!(%error, "shared rate limits unreachable; counting in this replica's memory until Redis answers");
                    }
                }
            }
        }
        match self.local.take(buckets).await {
            Ok(None) => Ok(()),
            Ok(Some(refused)) => Err(refused),
            Err(error) => {
                // The memory limiter has no failure mode today; if it gets
                // one, chat stays available.
                tracing::error!(%error, "in-memory rate limits failed; request let through");
                Ok(())
            }
        }
    }
}

/// Lets one log line through per `every`: a failure that repeats on every
/// request must not flood the logs (or let a client do so).
pub struct LogThrottle {
    every_ms: u64,
    next_ms: AtomicU64,
    epoch: Instant,
}

impl LogThrottle {
    pub fn new(every: Duration) -> Self {
        LogThrottle { every_ms: every.as_millis() as u64, next_ms: AtomicU64::new(0), epoch: Instant::now() }
    }

    /// True at most once per period.
    pub fn allow(&self) -> bool {
        let now = self.epoch.elapsed().as_millis() as u64;
        let next = self.next_ms.load(Ordering::Relaxed);
        now >= next && self.next_ms.compare_exchange(next, now + self.every_ms, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }
}

fn turn_slots(store: &StoreConfig) -> (usize, Arc<Semaphore>) {
    let cap = store.limits.turns_in_flight.max(1) as usize;
    (cap, Arc::new(Semaphore::new(cap)))
}

/// A turn's events, holding the store's turn slot until the turn is over.
/// If the shopper leaves early, the turn still runs to the end (it persists
/// the answer), so the slot is handed to a task that drains the rest:
/// disconnecting clients cannot run more turns than the cap.
pub struct HeldTurn<S: Stream + Send + Unpin + 'static> {
    events: Option<S>,
    permit: Option<OwnedSemaphorePermit>,
}

impl<S: Stream + Send + Unpin + 'static> HeldTurn<S> {
    pub fn new(events: S, permit: OwnedSemaphorePermit) -> Self {
        HeldTurn { events: Some(events), permit: Some(permit) }
    }
}

impl<S: Stream + Send + Unpin + 'static> Stream for HeldTurn<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(events) = self.events.as_mut() else { return Poll::Ready(None) };
        match Pin::new(events).poll_next(cx) {
            Poll::Ready(None) => {
                self.events = None;
                self.permit = None;
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

impl<S: Stream + Send + Unpin + 'static> Drop for HeldTurn<S> {
    fn drop(&mut self) {
        if let (Some(mut events), Some(permit)) = (self.events.take(), self.permit.take())
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                use futures::StreamExt;
                while events.next().await.is_some() {}
                drop(permit);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_whole_seconds_at_least_one() {
        let r = |ms| Refused { scope: Scope::Ip, retry_after: Duration::from_millis(ms) }.retry_after_s();
        assert_eq!(r(0), 1);
        assert_eq!(r(1), 1);
        assert_eq!(r(1000), 1);
        assert_eq!(r(1001), 2);
    }

    #[test]
    fn log_throttle_lets_one_line_through_per_period() {
        let throttle = LogThrottle::new(Duration::from_secs(3600));
        assert!(throttle.allow());
        assert!(!throttle.allow());
    }
}
