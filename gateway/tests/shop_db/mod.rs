//! A store's own database for connector tests, on the real PostgreSQL or
//! MariaDB: a schema (PostgreSQL) or database (MariaDB) of its own, the
//! tables from a DDL file, rows inserted with bound parameters, and a
//! least-privilege user that may only SELECT them, as the README tells
//! operators to create (the SQL gate refuses privileged users). Everything
//! is dropped with the [`ShopDb`].
//!
//! Defaults: `postgres://postgres@127.0.0.1:5432/test` and
//! `mysql://root@127.0.0.1:3306/test`; override with `TEST_DATABASE_URL` and
//! `TEST_MARIADB_URL`. A server that cannot be reached fails the test with
//! directions to start it.
#![allow(dead_code)]

pub mod woocommerce;

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::NaiveDateTime;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Executor, MySql, Postgres, QueryBuilder};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const DEFAULT_MARIADB_URL: &str = "mysql://root@127.0.0.1:3306/test";
/// The reader's password (a test secret: errors must never show it).
pub const READER_PASSWORD: &str = "shop-reader-5b1f";
/// Rows per INSERT.
const BATCH: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Postgres,
    MariaDb,
}

impl Db {
    fn admin_url(self) -> String {
        let (var, default) = match self {
            Db::Postgres => ("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL),
            Db::MariaDb => ("TEST_MARIADB_URL", DEFAULT_MARIADB_URL),
        };
        std::env::var(var).ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| default.to_owned())
    }

    fn unreachable(self, url: &str, error: &dyn std::fmt::Display) -> String {
        match self {
            Db::Postgres => format!(
                "PostgreSQL at {url} cannot be reached: {error}\nStart it with `bash scripts/setup-services.sh` from the repository root, or point TEST_DATABASE_URL at a running server."
            ),
            Db::MariaDb => format!(
                "MariaDB at {url} cannot be reached: {error}\nStart it with `service mariadb start` (or `bash scripts/setup-services.sh`), or point TEST_MARIADB_URL at a running server."
            ),
        }
    }
}

/// A value to insert, typed so PostgreSQL accepts it for its column.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    I(i64),
    F(f64),
    S(String),
    T(NaiveDateTime),
    /// NULL in a floating-point column.
    NullF,
    /// NULL in a timestamp column.
    NullT,
}

pub fn s(text: impl Into<String>) -> V {
    V::S(text.into())
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("shop_{}_{nanos:x}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// `url` with its user info replaced.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// Adds `rows` as a VALUES list to a query builder of either database.
macro_rules! push_rows {
    ($query:expr, $rows:expr) => {
        $query.push_values($rows, |mut row, values| {
            for value in values {
                match value {
                    V::I(i) => row.push_bind(*i),
                    V::F(f) => row.push_bind(*f),
                    V::S(s) => row.push_bind(s.clone()),
                    V::T(t) => row.push_bind(*t),
                    V::NullF => row.push_bind(None::<f64>),
                    V::NullT => row.push_bind(None::<NaiveDateTime>),
                };
            }
        })
    };
}

enum Admin {
    Postgres(PgConnection),
    MySql(MySqlConnection),
}

pub struct ShopDb {
    pub db: Db,
    /// The schema or database.
    pub name: String,
    /// The least-privilege user.
    pub reader: String,
    /// What the gateway's SQL gate connects with: the reader, in this
    /// schema or database.
    pub reader_url: String,
    admin: Admin,
}

impl ShopDb {
    /// A new, empty schema or database and its reader.
    pub async fn new(db: Db) -> ShopDb {
        let name = unique_name();
        let reader = format!("{name}_r");
        let base = db.admin_url();
        let (admin, reader_url) = match db {
            Db::Postgres => {
                let mut conn = PgConnectOptions::from_str(&base)
                    .expect("TEST_DATABASE_URL parses")
                    .connect()
                    .await
                    .unwrap_or_else(|e| panic!("{}", db.unreachable(&base, &e)));
                for statement in [
                    format!("CREATE SCHEMA {name}"),
                    format!("CREATE ROLE {reader} LOGIN PASSWORD '{READER_PASSWORD}'"),
                    format!("GRANT USAGE ON SCHEMA {name} TO {reader}"),
                    format!("ALTER DEFAULT PRIVILEGES IN SCHEMA {name} GRANT SELECT ON TABLES TO {reader}"),
                    format!("SET search_path = {name}"),
                ] {
                    conn.execute(statement.as_str()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
                }
                let reader_base = with_user(&base, &reader, READER_PASSWORD);
                let separator = if reader_base.contains('?') { '&' } else { '?' };
                (Admin::Postgres(conn), format!("{reader_base}{separator}options[search_path]={name}"))
            }
            Db::MariaDb => {
                let mut conn = MySqlConnectOptions::from_str(&base)
                    .expect("TEST_MARIADB_URL parses")
                    .connect()
                    .await
                    .unwrap_or_else(|e| panic!("{}", db.unreachable(&base, &e)));
                for statement in [
                    format!("CREATE DATABASE {name} CHARACTER SET utf8mb4"),
                    format!("CREATE USER '{reader}'@'%' IDENTIFIED BY '{READER_PASSWORD}'"),
                    format!("GRANT SELECT ON {name}.* TO '{reader}'@'%'"),
                    format!("USE {name}"),
                ] {
                    conn.execute(statement.as_str()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
                }
                let reader_base = with_user(&base, &reader, READER_PASSWORD);
                let server =
                    reader_base.split('?').next().unwrap_or(&reader_base).rsplit_once('/').map_or(reader_base.as_str(), |(server, _)| server).to_owned();
                (Admin::MySql(conn), format!("{server}/{name}"))
            }
        };
        ShopDb { db, name, reader, reader_url, admin }
    }

    /// Runs statements as the administrator, in this schema or database.
    pub async fn admin(&mut self, statements: &[String]) {
        for statement in statements {
            let done = match &mut self.admin {
                Admin::Postgres(conn) => conn.execute(statement.as_str()).await.map(|_| ()),
                Admin::MySql(conn) => conn.execute(statement.as_str()).await.map(|_| ()),
            };
            done.unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }

    /// Creates the tables of a DDL file from `testkit/sql/`, `{prefix}`
    /// replaced.
    pub async fn create_tables(&mut self, file: &str, prefix: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkit/sql").join(file);
        let ddl = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let text: String = ddl.lines().filter(|line| !line.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
        let statements: Vec<String> =
            text.replace("{prefix}", prefix).split(";\n").map(str::trim).map(|s| s.trim_end_matches(';').to_owned()).filter(|s| !s.is_empty()).collect();
        self.admin(&statements).await;
    }

    /// Inserts `rows` into `table` (`columns` in order), in batches, every
    /// value bound.
    pub async fn insert(&mut self, table: &str, columns: &[&str], rows: &[Vec<V>]) {
        let head = format!("INSERT INTO {table} ({}) ", columns.join(", "));
        for chunk in rows.chunks(BATCH) {
            let done = match &mut self.admin {
                Admin::Postgres(conn) => {
                    let mut query = QueryBuilder::<Postgres>::new(&head);
                    push_rows!(query, chunk);
                    query.build().execute(&mut *conn).await.map(|_| ())
                }
                Admin::MySql(conn) => {
                    let mut query = QueryBuilder::<MySql>::new(&head);
                    push_rows!(query, chunk);
                    query.build().execute(&mut *conn).await.map(|_| ())
                }
            };
            done.unwrap_or_else(|e| panic!("insert into {table}: {e}"));
        }
    }

    /// One integer from the administrator's connection.
    pub async fn count(&mut self, query: &str) -> i64 {
        let n = match &mut self.admin {
            Admin::Postgres(conn) => sqlx::query_scalar::<_, i64>(query).fetch_one(&mut *conn).await,
            Admin::MySql(conn) => sqlx::query_scalar::<_, i64>(query).fetch_one(&mut *conn).await,
        };
        n.unwrap_or_else(|e| panic!("{query}: {e}"))
    }

    /// `ALTER TABLE ... RENAME` in the dialect.
    pub fn rename_table(&self, from: &str, to: &str) -> String {
        match self.db {
            Db::Postgres => format!("ALTER TABLE {from} RENAME TO {to}"),
            Db::MariaDb => format!("RENAME TABLE {from} TO {to}"),
        }
    }
}

impl Drop for ShopDb {
    fn drop(&mut self) {
        let (db, name, reader) = (self.db, self.name.clone(), self.reader.clone());
        let statements = match db {
            Db::Postgres => vec![format!("DROP SCHEMA IF EXISTS {name} CASCADE"), format!("DROP OWNED BY {reader}"), format!("DROP ROLE IF EXISTS {reader}")],
            Db::MariaDb => vec![format!("DROP DATABASE IF EXISTS {name}"), format!("DROP USER IF EXISTS '{reader}'@'%'")],
        };
        // Drop cannot await; a thread with a runtime of its own can, and it
        // runs when a test panics too.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime for cleanup");
            runtime.block_on(async move {
                let url = db.admin_url();
                match db {
                    Db::Postgres => {
                        if let Ok(mut conn) = PgConnectOptions::from_str(&url).expect("URL parses").connect().await {
                            for statement in &statements {
                                let _ = conn.execute(statement.as_str()).await;
                            }
                        }
                    }
                    Db::MariaDb => {
                        if let Ok(mut conn) = MySqlConnectOptions::from_str(&url).expect("URL parses").connect().await {
                            for statement in &statements {
                                let _ = conn.execute(statement.as_str()).await;
                            }
                        }
                    }
                }
            });
        })
        .join()
        .ok();
    }
}
