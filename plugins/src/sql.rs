//! The host side of `host-sql` for real databases. A [`SqlGate`] runs
//! plugin statements against one store's PostgreSQL or MySQL/MariaDB
//! database: one read statement at a time, parameters bound by the host, in a
//! read-only transaction that is always rolled back, with a statement
//! timeout, a deadline on the whole query and caps on rows and bytes. The
//! gateway builds one per store from a [`SqlGrantConfig`] and grants it as
//! that store's [`SqlExecutor`]; the connection URL never leaves it.
//!
//! Read-only is enforced three times: the statement must start with a read
//! keyword (this also closes the MySQL hole where DDL implicitly commits the
//! read-only transaction), the transaction is `READ ONLY`, and the operator
//! should still grant a database user that can only read (functions such as
//! PostgreSQL's `pg_read_file` or MySQL's `GET_LOCK` are not writes, and only
//! the database's own privileges can stop them).

mod statement;
mod value;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use futures::TryStreamExt;
use sqlx::mysql::{MySqlArguments, MySqlConnectOptions, MySqlConnection, MySqlPoolOptions};
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgConnectOptions, PgConnection, PgPoolOptions, PgTypeInfo};
use sqlx::{Arguments, Column, Executor, MySqlPool, PgPool, Postgres, Row, Statement};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::grants::{Secret, SqlExecutor, SqlFailure, SqlRows, SqlValue};
use statement::Dialect;
use value::ColumnError;

/// Time the whole query may take beyond the statement timeout: acquiring or
/// opening a connection, `BEGIN`, streaming rows, `ROLLBACK`.
const QUERY_GRACE: Duration = Duration::from_secs(1);

/// How a store's database is granted to its connector.
#[derive(Debug, Clone)]
pub struct SqlGrantConfig {
    /// Names the database in errors and logs, e.g. "woocommerce-db". The
    /// URL never appears in either.
    pub label: String,
    /// `postgres://`, `postgresql://`, `mysql://` or `mariadb://` URL,
    /// credentials included. Grant a user that can only read.
    pub url: Secret,
    /// Rows one query may return; more set `truncated`.
    pub max_rows: usize,
    /// Bytes of values (text and blob lengths, 8 per number) one query may
    /// return; more set `truncated`.
    pub max_bytes: u64,
    /// Server-side limit for the statement; the whole query (connection,
    /// transaction, rows) gets this plus one second.
    pub statement_timeout: Duration,
    /// Connections this store's connector may hold open at once.
    pub max_connections: u32,
}

impl SqlGrantConfig {
    /// A grant with the default caps: 1000 rows, 4 MiB, 5 s, 4 connections.
    pub fn new(label: impl Into<String>, url: Secret) -> Self {
        SqlGrantConfig { label: label.into(), url, max_rows: 1000, max_bytes: 4 * 1024 * 1024, statement_timeout: Duration::from_secs(5), max_connections: 4 }
    }
}

/// A [`SqlGrantConfig`] that cannot be used; the message says which field is
/// wrong and never contains the URL.
#[derive(Debug, thiserror::Error)]
#[error("invalid SQL grant `{label}`: {message}")]
pub struct SqlConfigError {
    pub label: String,
    pub message: String,
}

/// Which database a [`SqlGate`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlBackend {
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

enum Pool {
    Postgres(PgPool),
    MySql {
        pool: MySqlPool,
        /// Whether the server is MariaDB (which names its statement timeout
        /// differently), learned on the first query.
        mariadb: OnceCell<bool>,
    },
}

/// One store's read-only database, as a plugin sees it through `host-sql`.
/// Connections are opened lazily, so a database that is down fails queries
/// (with a clear error), not the gateway's start.
pub struct SqlGate {
    label: String,
    pool: Pool,
    max_rows: usize,
    max_bytes: u64,
    statement_timeout: Duration,
    redactor: Redactor,
}

impl fmt::Debug for SqlGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlGate")
            .field("label", &self.label)
            .field("backend", &self.backend())
            .field("max_rows", &self.max_rows)
            .field("max_bytes", &self.max_bytes)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

impl SqlGate {
    /// Checks the grant and sets up a lazy connection pool. Must run inside
    /// a Tokio runtime (the pool's maintenance task is spawned on it).
    pub fn new(config: SqlGrantConfig) -> Result<SqlGate, SqlConfigError> {
        let redactor = Redactor::new(config.url.expose());
        let invalid = |message: String| SqlConfigError { label: config.label.clone(), message: redactor.clean(message) };
        if config.max_rows == 0 {
            return Err(invalid("max_rows must be at least 1".into()));
        }
        if config.max_bytes == 0 {
            return Err(invalid("max_bytes must be at least 1".into()));
        }
        if config.statement_timeout < Duration::from_millis(1) {
            return Err(invalid("statement_timeout must be at least 1 ms".into()));
        }
        if config.max_connections == 0 {
            return Err(invalid("max_connections must be at least 1".into()));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(invalid("SqlGate::new must be called inside a Tokio runtime".into()));
        }

        let url = config.url.expose();
        let scheme = url.split_once("://").map(|(scheme, _)| scheme.to_ascii_lowercase()).unwrap_or_default();
        let budget = config.statement_timeout + QUERY_GRACE;
        let pool = match scheme.as_str() {
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| invalid(format!("cannot parse the PostgreSQL URL: {e}")))?
                    .application_name("chatgw-connector")
                    // Any transaction on these connections is read-only
                    // unless someone asks otherwise; queries also say so.
                    .options([("default_transaction_read_only", "on")]);
                Pool::Postgres(PgPoolOptions::new().max_connections(config.max_connections).acquire_timeout(budget).connect_lazy_with(options))
            }
            "mysql" | "mariadb" => {
                let options = MySqlConnectOptions::from_str(url).map_err(|e| invalid(format!("cannot parse the MySQL/MariaDB URL: {e}")))?;
                Pool::MySql {
                    pool: MySqlPoolOptions::new().max_connections(config.max_connections).acquire_timeout(budget).connect_lazy_with(options),
                    mariadb: OnceCell::new(),
                }
            }
            "" => {
                return Err(invalid("the URL has no scheme; use postgres://, mysql:// or mariadb://".into()));
            }
            other => {
                return Err(invalid(format!("unsupported database `{other}://`; use postgres://, mysql:// or mariadb://")));
            }
        };
        Ok(SqlGate { label: config.label, pool, max_rows: config.max_rows, max_bytes: config.max_bytes, statement_timeout: config.statement_timeout, redactor })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn backend(&self) -> SqlBackend {
        match self.pool {
            Pool::Postgres(_) => SqlBackend::Postgres,
            Pool::MySql { .. } => SqlBackend::MySql,
        }
    }

    /// Closes every connection; later queries fail.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Postgres(pool) => pool.close().await,
            Pool::MySql { pool, .. } => pool.close().await,
        }
    }

    fn caps(&self) -> Caps {
        Caps { max_rows: self.max_rows, max_bytes: self.max_bytes }
    }

    async fn query_postgres(&self, pool: &PgPool, statement: &str, params: Vec<SqlValue>, deadline: Instant) -> Result<SqlRows, SqlFailure> {
        let sql = statement::check(statement, Dialect::Postgres)?;
        let bound = PgBound::new(sql, params)?;
        let mut conn = match tokio::time::timeout_at(deadline, pool.acquire()).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(error)) => return Err(self.unreachable(error)),
            Err(_) => return Err(self.unreachable(sqlx::Error::PoolTimedOut)),
        };
        let timeout_ms = self.statement_timeout.as_millis().max(1).to_string();
        let run = postgres_run(&mut conn, bound, &timeout_ms, self.caps());
        match tokio::time::timeout_at(deadline, run).await {
            Err(_elapsed) => {
                conn.close_on_drop();
                Err(SqlFailure::Timeout)
            }
            Ok(run) => {
                if !run.reusable {
                    conn.close_on_drop();
                }
                run.result.map_err(|e| self.failure(e, SqlBackend::Postgres))
            }
        }
    }

    async fn query_mysql(
        &self,
        pool: &MySqlPool,
        mariadb: &OnceCell<bool>,
        statement: &str,
        params: Vec<SqlValue>,
        deadline: Instant,
    ) -> Result<SqlRows, SqlFailure> {
        let sql = statement::check(statement, Dialect::MySql)?;
        let arguments = mysql_arguments(params)?;
        let mut conn = match tokio::time::timeout_at(deadline, pool.acquire()).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(error)) => return Err(self.unreachable(error)),
            Err(_) => return Err(self.unreachable(sqlx::Error::PoolTimedOut)),
        };
        let run = mysql_run(&mut conn, mariadb, sql, arguments, self.statement_timeout, self.caps());
        match tokio::time::timeout_at(deadline, run).await {
            Err(_elapsed) => {
                conn.close_on_drop();
                Err(SqlFailure::Timeout)
            }
            Ok(run) => {
                if !run.reusable {
                    conn.close_on_drop();
                }
                run.result.map_err(|e| self.failure(e, SqlBackend::MySql))
            }
        }
    }

    /// No connection could be had: the database is down, refuses the
    /// credentials, or every connection is busy.
    fn unreachable(&self, error: sqlx::Error) -> SqlFailure {
        let why = match error {
            sqlx::Error::PoolTimedOut => format!(
                "no connection became available within {:?} (is the database up and reachable, \
                 and is max_connections large enough?)",
                self.statement_timeout + QUERY_GRACE
            ),
            sqlx::Error::Database(db) => db.message().to_string(),
            sqlx::Error::Io(io) => io.to_string(),
            sqlx::Error::Tls(tls) => format!("TLS: {tls}"),
            other => other.to_string(),
        };
        SqlFailure::Database(format!("cannot connect to the store's database `{}`: {why}", self.label))
    }

    fn failure(&self, error: RunError, backend: SqlBackend) -> SqlFailure {
        match error {
            RunError::Column(ColumnError::Unsupported(why)) => SqlFailure::InvalidQuery(why),
            RunError::Column(ColumnError::Malformed(why)) => SqlFailure::Database(format!("cannot read a value: {why}")),
            RunError::Sql(sqlx::Error::Database(db)) => classify(&*db, backend),
            RunError::Sql(other) => SqlFailure::Database(format!("the store's database `{}` failed: {other}", self.label)),
        }
    }
}

#[async_trait::async_trait]
impl SqlExecutor for SqlGate {
    async fn query(&self, statement: &str, params: Vec<SqlValue>) -> Result<SqlRows, SqlFailure> {
        let started = Instant::now();
        let deadline = started + self.statement_timeout + QUERY_GRACE;
        let result = match &self.pool {
            Pool::Postgres(pool) => self.query_postgres(pool, statement, params, deadline).await,
            Pool::MySql { pool, mariadb } => self.query_mysql(pool, mariadb, statement, params, deadline).await,
        }
        .map_err(|failure| self.redactor.clean_failure(failure));
        match &result {
            Ok(rows) => tracing::debug!(
                database = %self.label,
                rows = rows.rows.len(),
                truncated = rows.truncated,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "plugin SQL query"
            ),
            Err(failure) => tracing::debug!(
                database = %self.label,
                ?failure,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "plugin SQL query failed"
            ),
        }
        result
    }
}

/// Sorts a database error into what the plugin can act on.
fn classify(db: &dyn sqlx::error::DatabaseError, backend: SqlBackend) -> SqlFailure {
    let message = db.message().to_string();
    let read_only = || SqlFailure::Denied(format!("the store's database connection is read-only: {message}"));
    match backend {
        SqlBackend::Postgres => {
            let code = db.code().unwrap_or_default();
            let hint = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|pg| pg.hint()).map(|hint| format!(" ({hint})")).unwrap_or_default();
            match &*code {
                // read_only_sql_transaction
                "25006" => read_only(),
                // query_canceled: the statement timeout fired
                "57014" => SqlFailure::Timeout,
                // insufficient_privilege: the database user may not read it
                "42501" => SqlFailure::Denied(format!("the store's database refused: {message}")),
                // syntax errors, unknown names, bad parameters or casts
                c if c.starts_with("42") || c.starts_with("22") || c == "08P01" || c == "0A000" => SqlFailure::InvalidQuery(format!("{message}{hint}")),
                _ => SqlFailure::Database(format!("{message}{hint}")),
            }
        }
        SqlBackend::MySql => {
            let number = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|e| e.number()).unwrap_or_default();
            let code = db.code().unwrap_or_default();
            match number {
                // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
                1792 => read_only(),
                // MariaDB max_statement_time, MySQL max_execution_time,
                // interrupted query
                1969 | 3024 | 1317 => SqlFailure::Timeout,
                // SELECT/column command denied to this user
                1142 | 1143 => SqlFailure::Denied(format!("the store's database refused: {message}")),
                // wrong arguments, statement not preparable
                1210 | 1295 => SqlFailure::InvalidQuery(message),
                _ if code.starts_with("42") || code.starts_with("22") => SqlFailure::InvalidQuery(message),
                _ => SqlFailure::Database(message),
            }
        }
    }
}

/// What went wrong inside a query, before it is sorted for the plugin.
enum RunError {
    Sql(sqlx::Error),
    Column(ColumnError),
}

impl From<sqlx::Error> for RunError {
    fn from(error: sqlx::Error) -> Self {
        RunError::Sql(error)
    }
}

impl From<ColumnError> for RunError {
    fn from(error: ColumnError) -> Self {
        RunError::Column(error)
    }
}

/// The outcome of one query and whether its connection may go back to the
/// pool (rolled back cleanly) or must be closed.
struct Run {
    result: Result<SqlRows, RunError>,
    reusable: bool,
}

#[derive(Clone, Copy)]
struct Caps {
    max_rows: usize,
    max_bytes: u64,
}

/// Collects rows until a cap is reached.
struct RowSink {
    rows: SqlRows,
    bytes: u64,
    caps: Caps,
}

impl RowSink {
    fn new(columns: Vec<String>, caps: Caps) -> Self {
        let bytes = columns.iter().map(|c| c.len() as u64).sum();
        RowSink { rows: SqlRows { columns, rows: Vec::new(), truncated: false }, bytes, caps }
    }

    /// True (and marks the result truncated) when another row would exceed
    /// the row cap; call before converting the row.
    fn row_cap_reached(&mut self) -> bool {
        if self.rows.rows.len() >= self.caps.max_rows {
            self.rows.truncated = true;
        }
        self.rows.truncated
    }

    /// Adds a row unless it would exceed the byte cap; false means stop.
    fn push(&mut self, row: Vec<SqlValue>) -> bool {
        let size: u64 = row.iter().map(value::value_size).sum();
        if self.bytes + size > self.caps.max_bytes {
            self.rows.truncated = true;
            return false;
        }
        self.bytes += size;
        self.rows.rows.push(row);
        true
    }
}

/// Whether the connection can be rolled back and reused: not after a cut
/// result (the rest would have to be drained) nor after a broken protocol
/// exchange.
fn clean_after(result: &Result<SqlRows, RunError>) -> bool {
    match result {
        Ok(rows) => !rows.truncated,
        Err(RunError::Sql(sqlx::Error::Database(_))) => true,
        Err(_) => false,
    }
}

// ---- PostgreSQL -----------------------------------------------------------

/// A NULL parameter whose type PostgreSQL infers from the statement, so
/// `WHERE id = $1` works with NULL whatever the column type.
struct UntypedNull;

impl sqlx::Type<Postgres> for UntypedNull {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(0))
    }
}

impl sqlx::Encode<'_, Postgres> for UntypedNull {
    fn encode_by_ref(&self, _buf: &mut PgArgumentBuffer) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        Ok(sqlx::encode::IsNull::Yes)
    }
}

/// A PostgreSQL statement with its bound parameters and their types.
struct PgBound<'a> {
    /// The statement, plus a comment naming the parameter types: sqlx
    /// caches prepared statements by text, and a statement prepared for an
    /// integer must not be reused for text.
    sql: Cow<'a, str>,
    types: Vec<PgTypeInfo>,
    arguments: PgArguments,
}

impl<'a> PgBound<'a> {
    fn new(sql: &'a str, params: Vec<SqlValue>) -> Result<Self, SqlFailure> {
        fn add<'q, T>(
            arguments: &mut PgArguments,
            types: &mut Vec<PgTypeInfo>,
            names: &mut Vec<&'static str>,
            name: &'static str,
            value: T,
        ) -> Result<(), SqlFailure>
        where
            T: sqlx::Encode<'q, Postgres> + sqlx::Type<Postgres> + 'q,
        {
            types.push(T::type_info());
            names.push(name);
            arguments.add(value).map_err(|e| SqlFailure::InvalidQuery(format!("cannot bind a parameter: {e}")))
        }

        let mut arguments = PgArguments::default();
        let mut types = Vec::with_capacity(params.len());
        let mut names = Vec::with_capacity(params.len());
        for param in params {
            let (a, t, n) = (&mut arguments, &mut types, &mut names);
            match param {
                SqlValue::Null => add(a, t, n, "unknown", UntypedNull)?,
                SqlValue::Boolean(b) => add(a, t, n, "bool", b)?,
                SqlValue::Integer(i) => add(a, t, n, "int8", i)?,
                SqlValue::Double(d) => add(a, t, n, "float8", d)?,
                SqlValue::Text(s) => add(a, t, n, "text", s)?,
                SqlValue::Blob(b) => add(a, t, n, "bytea", b)?,
            }
        }
        let sql = if names.is_empty() {
            Cow::Borrowed(sql)
        } else {
            // The lexer has checked that every literal and comment in `sql`
            // is closed, so this line is a comment and nothing else.
            Cow::Owned(format!("{sql}\n-- host-sql parameters: {}", names.join(",")))
        };
        Ok(PgBound { sql, types, arguments })
    }
}

async fn postgres_run(conn: &mut PgConnection, bound: PgBound<'_>, timeout_ms: &str, caps: Caps) -> Run {
    let PgBound { sql, types, arguments } = bound;
    let result = async {
        (&mut *conn).execute("BEGIN READ ONLY").await?;
        sqlx::query("SELECT set_config('statement_timeout', $1, true)").bind(timeout_ms).execute(&mut *conn).await?;
        let prepared = (&mut *conn).prepare_with(&sql, &types).await?;
        let columns = prepared.columns().iter().map(|c| c.name().to_string()).collect();
        collect_rows(prepared.query_with(arguments).fetch(&mut *conn), RowSink::new(columns, caps), value::pg_value).await
    }
    .await;
    let reusable = clean_after(&result) && (&mut *conn).execute("ROLLBACK").await.is_ok();
    Run { result, reusable }
}

/// Reads rows into `sink` until they end or a cap is reached; stopping
/// early leaves the rest unread (the connection is then closed, not reused).
async fn collect_rows<R: Row>(
    mut rows: futures::stream::BoxStream<'_, Result<R, sqlx::Error>>,
    mut sink: RowSink,
    decode: fn(&R, usize) -> Result<SqlValue, value::ColumnError>,
) -> Result<SqlRows, RunError> {
    while let Some(row) = rows.try_next().await? {
        if sink.row_cap_reached() {
            break;
        }
        let values = (0..row.len()).map(|i| decode(&row, i)).collect::<Result<Vec<_>, _>>()?;
        if !sink.push(values) {
            break;
        }
    }
    Ok(sink.rows)
}

// ---- MySQL / MariaDB ------------------------------------------------------

fn mysql_arguments(params: Vec<SqlValue>) -> Result<MySqlArguments, SqlFailure> {
    let mut arguments = MySqlArguments::default();
    for param in params {
        let added = match param {
            SqlValue::Null => arguments.add(None::<String>),
            SqlValue::Boolean(b) => arguments.add(b),
            SqlValue::Integer(i) => arguments.add(i),
            SqlValue::Double(d) => arguments.add(d),
            SqlValue::Text(s) => arguments.add(s),
            SqlValue::Blob(b) => arguments.add(b),
        };
        added.map_err(|e| SqlFailure::InvalidQuery(format!("cannot bind a parameter: {e}")))?;
    }
    Ok(arguments)
}

async fn mysql_run(conn: &mut MySqlConnection, mariadb: &OnceCell<bool>, sql: &str, arguments: MySqlArguments, statement_timeout: Duration, caps: Caps) -> Run {
    let result = async {
        let is_mariadb = *mariadb
            .get_or_try_init(|| async {
                let version: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(&mut *conn).await?;
                Ok::<_, sqlx::Error>(version.contains("MariaDB"))
            })
            .await?;
        // MariaDB counts seconds and stops any statement; MySQL counts
        // milliseconds and stops SELECTs, which is all that may run here.
        if is_mariadb {
            sqlx::query("SET SESSION max_statement_time = ?").bind(statement_timeout.as_secs_f64().max(0.001)).execute(&mut *conn).await?;
        } else {
            sqlx::query("SET SESSION max_execution_time = ?").bind(statement_timeout.as_millis().max(1) as u64).execute(&mut *conn).await?;
        }
        (&mut *conn).execute("START TRANSACTION READ ONLY").await?;
        let prepared = (&mut *conn).prepare_with(sql, &[]).await?;
        let columns = prepared.columns().iter().map(|c| c.name().to_string()).collect();
        collect_rows(prepared.query_with(arguments).fetch(&mut *conn), RowSink::new(columns, caps), value::mysql_value).await
    }
    .await;
    let reusable = clean_after(&result) && (&mut *conn).execute("ROLLBACK").await.is_ok();
    Run { result, reusable }
}

/// Keeps the URL and its password out of error text, whatever a driver or
/// server puts in a message.
struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    fn new(url: &str) -> Self {
        let mut secrets = vec![url.to_string()];
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            secrets.push(password.to_string());
            secrets.push(percent_decode(password));
        }
        if let Some((_, query)) = rest.split_once('?') {
            for pair in query.split('&') {
                if let Some(("password", password)) = pair.split_once('=') {
                    secrets.push(password.to_string());
                    secrets.push(percent_decode(password));
                }
            }
        }
        secrets.retain(|s| !s.is_empty());
        // Longest first, so a secret containing another is removed whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    fn clean(&self, mut text: String) -> String {
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "***");
            }
        }
        text
    }

    fn clean_failure(&self, failure: SqlFailure) -> SqlFailure {
        match failure {
            SqlFailure::Denied(m) => SqlFailure::Denied(self.clean(m)),
            SqlFailure::InvalidQuery(m) => SqlFailure::InvalidQuery(self.clean(m)),
            SqlFailure::Database(m) => SqlFailure::Database(self.clean(m)),
            SqlFailure::Timeout => SqlFailure::Timeout,
        }
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redactor_removes_url_and_password_in_both_spellings() {
        let redactor = Redactor::new("postgres://shop:s3cr%40t@db.internal:5432/shop");
        let cleaned = redactor.clean("failed for postgres://shop:s3cr%40t@db.internal:5432/shop with s3cr@t and s3cr%40t".into());
        assert_eq!(cleaned, "failed for *** with *** and ***");
        let redactor = Redactor::new("postgres://db/shop?user=a&password=hunter22");
        assert_eq!(redactor.clean("x hunter22 y".into()), "x *** y");
    }
}
