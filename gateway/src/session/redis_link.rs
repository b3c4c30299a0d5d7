//! A Redis connection that fails fast: every command has a short deadline,
//! and after a failure a breaker skips Redis altogether while a background
//! task probes it every [`PROBE_EVERY`], closing the breaker when it
//! answers again. Anything that treats Redis as an accelerator (sessions,
//! rate limits) uses it, so an outage costs one request one short timeout
//! and every later request nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use futures::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, RedisResult};

/// Longest wait for one command (or pipeline) before Redis counts as down.
/// A healthy local Redis answers in well under a millisecond.
pub const COMMAND_DEADLINE: Duration = Duration::from_millis(250);
/// How often the background probe asks a Redis that is down.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The breaker is open: Redis failed recently and is not asked.
    #[error("redis is down (a recent command failed; probing in the background)")]
    Down,
    #[error("redis did not answer within {} ms", COMMAND_DEADLINE.as_millis())]
    Timeout,
    #[error("redis failed: {0}")]
    Redis(#[from] RedisError),
}

impl LinkError {
    /// Redis itself is unreachable (as opposed to a command it refused).
    pub fn is_outage(&self) -> bool {
        match self {
            LinkError::Down | LinkError::Timeout => true,
            LinkError::Redis(e) => is_outage(e),
        }
    }
}

fn is_outage(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() || e.is_unrecoverable_error()
}

/// What the probe runs once Redis answers a `PING` again, before the
/// breaker closes (sessions use it to drop entries written elsewhere while
/// this process could not write its own).
pub type OnRecovery = Arc<dyn Fn(ConnectionManager) -> BoxFuture<'static, RedisResult<()>> + Send + Sync>;

/// A shared, cheaply cloned Redis connection with deadlines and a breaker.
#[derive(Clone)]
pub struct RedisLink {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnectionManager,
    /// Open: Redis is down, skip it.
    open: AtomicBool,
    on_recovery: Option<OnRecovery>,
}

impl RedisLink {
    /// A link to `url`. It connects lazily (a gateway starts while Redis
    /// is down and uses it once it answers) and never waits on Redis for
    /// longer than [`COMMAND_DEADLINE`].
    pub fn new(url: &str, on_recovery: Option<OnRecovery>) -> Result<Self, RedisError> {
        let client = redis::Client::open(url)?;
        // The manager reconnects on its own; its own timeouts keep a dead
        // socket from holding commands, and few retries keep a reconnect
        // attempt short (the probe starts the next one).
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_DEADLINE))
            .set_response_timeout(Some(COMMAND_DEADLINE))
            .set_number_of_retries(1)
            .set_max_delay(COMMAND_DEADLINE);
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self { inner: Arc::new(Inner { conn, open: AtomicBool::new(false), on_recovery }) })
    }

    /// False while the breaker is open.
    pub fn is_up(&self) -> bool {
        !self.inner.open.load(Ordering::Acquire)
    }

    /// Runs `command` on the connection unless Redis is known to be down;
    /// an outage (refused, dropped, past the deadline) opens the breaker.
    pub async fn run<T, F, Fut>(&self, command: F) -> Result<T, LinkError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        if !self.is_up() {
            return Err(LinkError::Down);
        }
        let outcome = match tokio::time::timeout(COMMAND_DEADLINE, command(self.inner.conn.clone())).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => LinkError::Redis(e),
            Err(_) => LinkError::Timeout,
        };
        if outcome.is_outage() {
            self.trip();
        }
        Err(outcome)
    }

    /// A `PING` through the breaker.
    pub async fn ping(&self) -> Result<(), LinkError> {
        self.run(|mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await.map(drop) }).await
    }

    /// Opens the breaker (once) and starts the probe that closes it.
    pub fn trip(&self) {
        if self.inner.open.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::warn!("redis is unreachable; working without it until it answers again");
        tokio::spawn(probe(Arc::downgrade(&self.inner)));
    }
}

/// Pings every [`PROBE_EVERY`] until Redis answers (and the recovery step
/// succeeds), then closes the breaker. Ends when the link is dropped.
async fn probe(link: Weak<Inner>) {
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        let Some(inner) = link.upgrade() else { return };
        let mut conn = inner.conn.clone();
        let answered = async {
            redis::cmd("PING").query_async::<String>(&mut conn).await?;
            match &inner.on_recovery {
                Some(recover) => recover(conn.clone()).await,
                None => Ok(()),
            }
        };
        // The recovery step may touch many keys: a longer deadline.
        match tokio::time::timeout(COMMAND_DEADLINE * 8, answered).await {
            Ok(Ok(())) => {
                inner.open.store(false, Ordering::Release);
                tracing::info!("redis answers again");
                return;
            }
            Ok(Err(error)) => tracing::debug!(%error, "redis still down"),
            Err(_) => tracing::debug!("redis probe timed out"),
        }
    }
}
