//! Token buckets in Redis, shared by every replica. One Lua script checks
//! and takes from all of a request's buckets atomically, in one round trip,
//! on the server's clock (replicas' clocks never matter). Each bucket is a
//! hash `{prefix}:rl:{store}:{kind}:{who}` that expires once it would be
//! full again, so idle clients cost no memory.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Bucket, RateLimitError, RateLimiter, Refused, Scope};

/// KEYS: the buckets. ARGV: per bucket, its capacity and milliseconds per
/// token. Returns `{0, 0}` when a token was taken from every bucket, else
/// `{i, wait_ms}` for the bucket (1-based) with the longest wait, and takes
/// nothing.
const TAKE_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local worst, worst_wait = 0, 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 1])
  local interval = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local level = capacity
  if state[1] and state[2] then
    level = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) / interval)
  end
  if level < 1 then
    local wait = math.ceil((1 - level) * interval)
    if wait > worst_wait then worst, worst_wait = i, wait end
  end
  levels[i] = level
end
if worst > 0 then return {worst, worst_wait} end
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i - 1])
  local interval = tonumber(ARGV[2 * i])
  redis.call('HSET', KEYS[i], 'tokens', tostring(levels[i] - 1), 'at', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(capacity * interval) + 1000)
end
return {0, 0}
"#;

/// A check waits at most this long on Redis before the memory fallback
/// takes over: a chat turn must not hang on a stuck Redis.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

pub struct RedisLimiter {
    conn: ConnectionManager,
    prefix: String,
    /// The script's SHA1 once Redis has it (`SCRIPT LOAD`); reloaded after a
    /// Redis restart forgets it.
    sha: Mutex<Option<String>>,
}

impl RedisLimiter {
    /// Does not connect yet: the first check does, so a gateway starts (and
    /// chats, on its memory limits) while Redis is down.
    pub fn new(url: &str, prefix: &str) -> Result<Self, RateLimitError> {
        let client = redis::Client::open(url)?;
        let config =
            ConnectionManagerConfig::new().set_connection_timeout(Some(RESPONSE_TIMEOUT)).set_response_timeout(Some(RESPONSE_TIMEOUT)).set_number_of_retries(1);
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(RedisLimiter { conn, prefix: prefix.to_owned(), sha: Mutex::new(None) })
    }

    fn cached_sha(&self) -> Option<String> {
        self.sha.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    async fn load_script(&self) -> Result<String, RateLimitError> {
        let mut conn = self.conn.clone();
        let sha: String = redis::cmd("SCRIPT").arg("LOAD").arg(TAKE_SCRIPT).query_async(&mut conn).await?;
        *self.sha.lock().unwrap_or_else(|p| p.into_inner()) = Some(sha.clone());
        Ok(sha)
    }

    async fn eval(&self, sha: &str, buckets: &[Bucket]) -> Result<Vec<i64>, redis::RedisError> {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(sha).arg(buckets.len());
        for bucket in buckets {
            cmd.arg(format!("{}:rl:{}", self.prefix, bucket.key));
        }
        for bucket in buckets {
            cmd.arg(bucket.capacity()).arg(bucket.ms_per_token());
        }
        let mut conn = self.conn.clone();
        cmd.query_async(&mut conn).await
    }
}

#[async_trait]
impl RateLimiter for RedisLimiter {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn take(&self, buckets: &[Bucket]) -> Result<Option<Refused>, RateLimitError> {
        if buckets.is_empty() {
            return Ok(None);
        }
        let sha = match self.cached_sha() {
            Some(sha) => sha,
            None => self.load_script().await?,
        };
        let reply = match self.eval(&sha, buckets).await {
            Err(e) if e.code() == Some("NOSCRIPT") => {
                let sha = self.load_script().await?;
                self.eval(&sha, buckets).await?
            }
            other => other?,
        };
        match reply.as_slice() {
            [0, _] => Ok(None),
            [index, wait_ms] if *index >= 1 && (*index as usize) <= buckets.len() => {
                let scope: Scope = buckets[*index as usize - 1].scope;
                Ok(Some(Refused { scope, retry_after: Duration::from_millis((*wait_ms).max(0) as u64) }))
            }
            other => Err(RateLimitError::Reply(format!("{other:?}"))),
        }
    }
}
