//! Shared support for the integration tests: real services, never mocks.
//!
//! - [`postgres`]: a fresh, migrated schema in the test database (PostgreSQL
//!   with pgvector), dropped when the [`TestPg`] goes out of scope.
//! - [`sqlite`]: a migrated in-memory SQLite storage.
//! - [`redis_url`] and [`unique_prefix`] for tests that use Redis.
//! - [`instances`]: private PostgreSQL and Redis servers for fault tests.
//! - [`connector`]: a store served by a connector plugin against a test peer.
//!
//! A service that cannot be reached fails the test with directions to
//! start it: tests never skip silently.
#![allow(dead_code)]

pub mod connector;
pub mod instances;

use std::str::FromStr;
use std::sync::Arc;

use chatgw::storage::{PgStorage, SqliteStorage, Storage};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// `TEST_DATABASE_URL`, or the local test database.
pub fn database_url() -> String {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// `TEST_REDIS_URL`, or the local Redis.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| DEFAULT_REDIS_URL.to_owned())
}

/// A short string unique to this call (`t` and 16 hex digits), for Redis
/// key prefixes, store ids and other names tests must not share.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

fn unreachable_help(what: &str, url: &str, error: &dyn std::fmt::Display) -> String {
    format!(
        "{what} at {url} cannot be reached: {error}\n\
         The integration tests need PostgreSQL with pgvector and Redis running locally. Start them with\n\
         \x20   bash scripts/setup-services.sh\n\
         (from the repository root), or start PostgreSQL alone with\n\
         \x20   pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n1) main start\n\
         or point TEST_DATABASE_URL / TEST_REDIS_URL at running servers."
    )
}

/// A migrated schema of its own in the test database.
pub struct TestPg {
    storage: Arc<PgStorage>,
    schema: String,
    base_url: String,
    url: String,
    dropped: bool,
}

/// Connects to `TEST_DATABASE_URL`, creates a fresh schema `t_<random>`,
/// opens a pool whose connections use `search_path=<schema>,public` and
/// runs the migrations. Panics (with how to start PostgreSQL) if the
/// server cannot be reached.
pub async fn postgres() -> TestPg {
    postgres_with_pool_size(8).await
}

pub async fn postgres_with_pool_size(max_connections: u32) -> TestPg {
    let base_url = database_url();
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = match PgConnection::connect(&base_url).await {
        Ok(c) => c,
        Err(e) => panic!("{}", unreachable_help("PostgreSQL", &base_url, &e)),
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut admin).await.expect("create test schema");
    let _ = admin.close().await;

    let options = PgConnectOptions::from_str(&base_url).expect("TEST_DATABASE_URL parses").options([("search_path", format!("{schema},public"))]);
    let storage = Arc::new(PgStorage::connect_with(options, max_connections).await.expect("connect test pool"));
    let url = with_search_path(&base_url, &schema);
    let test = TestPg { storage, schema, base_url, url, dropped: false };
    test.storage.migrate().await.expect("migrate test schema");
    test
}

/// `url` with libpq's `options=-c search_path=<schema>,public` added.
fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}%2Cpublic")
}

impl TestPg {
    pub fn storage(&self) -> Arc<PgStorage> {
        self.storage.clone()
    }

    pub fn dyn_storage(&self) -> Arc<dyn Storage> {
        self.storage.clone()
    }

    /// A connection URL whose sessions use this schema, to point a gateway
    /// (or `PgStorage::connect`) at it.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Closes the pool and drops the schema. Dropping a `TestPg` does the
    /// same (set `CHATGW_KEEP_TEST_SCHEMA=1` to keep it for a post-mortem).
    pub async fn drop_schema(mut self) {
        self.storage.pool().close().await;
        drop_schema(&self.base_url, &self.schema).await;
        self.dropped = true;
    }
}

async fn drop_schema(base_url: &str, schema: &str) {
    if let Ok(mut admin) = PgConnection::connect(base_url).await {
        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut admin).await;
        let _ = admin.close().await;
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        if self.dropped || std::env::var_os("CHATGW_KEEP_TEST_SCHEMA").is_some() {
            return;
        }
        // Drop cannot await, and may run inside a runtime: do it on a
        // thread with a runtime of its own.
        let (base_url, schema) = (self.base_url.clone(), self.schema.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                rt.block_on(drop_schema(&base_url, &schema));
            }
        })
        .join();
    }
}

/// A migrated in-memory SQLite storage.
pub async fn sqlite() -> Arc<SqliteStorage> {
    let storage = SqliteStorage::open("sqlite::memory:").await.expect("open in-memory sqlite");
    storage.migrate().await.expect("migrate sqlite");
    Arc::new(storage)
}
