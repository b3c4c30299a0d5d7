//! The host side of `host-sql` for real databases. A [`SqlGate`] runs
//! plugin statements against one store's PostgreSQL or MySQL/MariaDB
//! database: one read statement at a time, parameters bound by the host, in a
//! read-only transaction that is always rolled back, with a statement
//! timeout, a deadline on the whole query and caps on rows and bytes. The
//! gateway builds one per store from a [`SqlGrantConfig`] and grants it as
//! that store's [`SqlExecutor`]; the connection URL never leaves it.
//!
//! The server, not only the host, enforces each rule:
//! - Only a query runs: the statement is sent as a prepared statement (one
//!   statement, no `;` chains) inside a sub-select (PostgreSQL) or a
//!   parenthesised query (MySQL/MariaDB), where DDL, `COPY`, `DO`, `SET` and
//!   data-modifying `WITH` do not parse. The lexer in [`statement`] is the
//!   first check with friendly messages, not the wall.
//! - The database user may not be privileged: each new session checks its
//!   role ([`session`]) and refuses superusers, file and program access,
//!   replication and signalling other sessions, naming the privilege.
//! - Nothing outlives a call: every call gets a session of its own, which is
//!   rolled back, stripped of locks and closed after the call; a statement
//!   still running when the deadline passes, or when the caller gives up, is
//!   ended on the server from a second connection before its slot is freed.
//! - Rows and bytes are capped by the server: a `LIMIT` of one row more than
//!   the cap, and a per-row size guard, so an oversized value is never
//!   sent. PostgreSQL stops at a row whose text form is over the byte cap;
//!   MySQL/MariaDB send such a row with every value NULL and a flag, and
//!   the gate stops there.

mod session;
mod statement;
mod value;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use sqlx::mysql::{MySqlArguments, MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgConnectOptions, PgConnection, PgTypeInfo};
use sqlx::{Arguments, Column, ConnectOptions, Connection, Executor, Postgres, Row, Statement, TypeInfo};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::grants::{Secret, SqlExecutor, SqlFailure, SqlRows, SqlValue};
use statement::Dialect;
use value::ColumnError;

/// Time the whole query may take beyond the statement timeout: opening the
/// connection, checking the role, `BEGIN`, streaming rows, `ROLLBACK`.
const QUERY_GRACE: Duration = Duration::from_secs(1);

/// Time to reset and close a session after its query, or to end a runaway
/// statement from a second connection.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Marks the error the PostgreSQL row-size guard raises, so it reads as
/// "truncated" rather than as a failure.
const ROW_TOO_BIG: &str = "chatgw-row-over-byte-cap";

/// The MySQL/MariaDB row-size guard's columns: the row's size in bytes, and
/// the flag the gate reads (and hides from the plugin).
const MYSQL_ROW_BYTES: &str = "chatgw_row_bytes";
const MYSQL_ROW_OVER: &str = "chatgw_row_over_cap";

/// How a store's database is granted to its connector.
#[derive(Debug, Clone)]
pub struct SqlGrantConfig {
    /// Names the database in errors and logs, e.g. "woocommerce-db". The
    /// URL never appears in either.
    pub label: String,
    /// `postgres://`, `postgresql://`, `mysql://` or `mariadb://` URL,
    /// credentials included. The user must not be privileged (see the
    /// README's least-privilege role); a privileged one is refused.
    pub url: Secret,
    /// Rows one query may return; more set `truncated`.
    pub max_rows: usize,
    /// Bytes of values (text and blob lengths, 8 per number) one query may
    /// return; more set `truncated`. The server also refuses to send a row
    /// larger than this (PostgreSQL: its text form; MySQL/MariaDB: the sum
    /// of its values' lengths).
    pub max_bytes: u64,
    /// Server-side limit for the statement; the whole query (connection,
    /// transaction, rows) gets this plus one second.
    pub statement_timeout: Duration,
    /// Calls this store's connector may run against the database at once;
    /// each holds one connection (plus, briefly, a second one to end a
    /// statement that overran its deadline).
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

/// Where a gate connects: options parsed once from the URL.
enum Server {
    Postgres(PgConnectOptions),
    MySql(MySqlConnectOptions),
}

/// One store's read-only database, as a plugin sees it through `host-sql`.
/// Connections are opened per call, so a database that is down fails
/// queries (with a clear error), not the gateway's start, and no session
/// state (locks, variables, settings) passes from one call to the next.
pub struct SqlGate {
    label: String,
    server: Server,
    /// One permit per call in flight; a permit is held until the call's
    /// session has ended on the server, not only on this side.
    sessions: Arc<Semaphore>,
    max_rows: usize,
    max_bytes: u64,
    statement_timeout: Duration,
    redactor: Arc<Redactor>,
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
    /// Checks the grant and parses the URL. Must run inside a Tokio runtime
    /// (a statement that outlives its caller is ended from a spawned task).
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
        let server = match scheme.as_str() {
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| invalid(format!("cannot parse the PostgreSQL URL: {e}")))?
                    .application_name("chatgw-connector")
                    // Any transaction on these connections is read-only
                    // unless someone asks otherwise; queries also say so.
                    .options([("default_transaction_read_only", "on")]);
                Server::Postgres(options)
            }
            "mysql" | "mariadb" => Server::MySql(MySqlConnectOptions::from_str(url).map_err(|e| invalid(format!("cannot parse the MySQL/MariaDB URL: {e}")))?),
            "" => {
                return Err(invalid("the URL has no scheme; use postgres://, mysql:// or mariadb://".into()));
            }
            other => {
                return Err(invalid(format!("unsupported database `{other}://`; use postgres://, mysql:// or mariadb://")));
            }
        };
        Ok(SqlGate {
            label: config.label,
            server,
            sessions: Arc::new(Semaphore::new(config.max_connections as usize)),
            max_rows: config.max_rows,
            max_bytes: config.max_bytes,
            statement_timeout: config.statement_timeout,
            redactor: Arc::new(redactor),
        })
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn backend(&self) -> SqlBackend {
        match self.server {
            Server::Postgres(_) => SqlBackend::Postgres,
            Server::MySql(_) => SqlBackend::MySql,
        }
    }

    /// Refuses later queries; calls in flight finish and end their sessions.
    pub async fn close(&self) {
        self.sessions.close();
    }

    fn caps(&self) -> Caps {
        Caps { max_rows: self.max_rows, max_bytes: self.max_bytes }
    }

    /// Opens the call's own connection.
    async fn connect<O>(&self, options: &O, deadline: Instant) -> Result<O::Connection, SqlFailure>
    where
        O: ConnectOptions,
        O::Connection: Sized,
    {
        match tokio::time::timeout_at(deadline, options.connect()).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(error)) => Err(self.unreachable(error)),
            Err(_) => Err(self.unreachable(sqlx::Error::PoolTimedOut)),
        }
    }

    /// Takes a call slot; waits while `max_connections` calls are running.
    async fn slot(&self, deadline: Instant) -> Result<OwnedSemaphorePermit, SqlFailure> {
        match tokio::time::timeout_at(deadline, self.sessions.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_closed)) => Err(SqlFailure::Database(format!("the store's database `{}` has been closed", self.label))),
            Err(_) => Err(self.unreachable(sqlx::Error::PoolTimedOut)),
        }
    }

    async fn query_postgres(&self, options: &PgConnectOptions, statement: &str, params: Vec<SqlValue>, deadline: Instant) -> Result<SqlRows, SqlFailure> {
        let read = statement::check(statement, Dialect::Postgres)?;
        let wrapped = postgres_wrap(read.text, self.caps());
        let bound = PgBound::new(&wrapped, params)?;
        let permit = self.slot(deadline).await?;
        let mut conn = self.connect(options, deadline).await?;
        let pid = match tokio::time::timeout_at(deadline, session::postgres(&mut conn, &self.label)).await {
            Ok(Ok(pid)) => pid,
            Ok(Err(refusal)) => {
                close_quietly(conn).await;
                return Err(refusal.into_failure(|e| self.failure(RunError::Sql(e), SqlBackend::Postgres)));
            }
            Err(_) => return Err(SqlFailure::Timeout),
        };
        // From here a statement may be running on the server: if this future
        // is dropped, the guard ends it there.
        let guard = SessionGuard::new(self, ServerSession::Postgres { options: options.clone(), pid }, permit);
        let timeout_ms = self.statement_timeout.as_millis().max(1).to_string();
        let result = tokio::time::timeout_at(deadline, postgres_run(&mut conn, bound, &timeout_ms, self.caps())).await.unwrap_or(Err(RunError::Timeout));
        // Simple protocol, so both run in one round trip. A session-level
        // advisory lock would be released when the session ends anyway, but
        // only once the server has processed the disconnect; releasing it
        // here means the next call never races that.
        let reset = !matches!(result, Err(RunError::Timeout))
            && tokio::time::timeout(CLEANUP_TIMEOUT, (&mut conn).execute("ROLLBACK; SELECT pg_advisory_unlock_all()")).await.is_ok_and(|r| r.is_ok());
        guard.finish(conn, reset).await;
        result.map_err(|e| self.failure(e, SqlBackend::Postgres))
    }

    async fn query_mysql(&self, options: &MySqlConnectOptions, statement: &str, params: Vec<SqlValue>, deadline: Instant) -> Result<SqlRows, SqlFailure> {
        let read = statement::check(statement, Dialect::MySql)?;
        let wrapped = mysql_wrap(&read, self.caps());
        let arguments = mysql_arguments(params)?;
        let permit = self.slot(deadline).await?;
        let mut conn = self.connect(options, deadline).await?;
        let opened = match tokio::time::timeout_at(deadline, session::mysql(&mut conn, &self.label)).await {
            Ok(Ok(opened)) => opened,
            Ok(Err(refusal)) => {
                close_quietly(conn).await;
                return Err(refusal.into_failure(|e| self.failure(RunError::Sql(e), SqlBackend::MySql)));
            }
            Err(_) => return Err(SqlFailure::Timeout),
        };
        let guard = SessionGuard::new(self, ServerSession::MySql { options: options.clone(), id: opened.id }, permit);
        let run = mysql_run(&mut conn, opened.mariadb, &wrapped, arguments, self.statement_timeout, self.caps());
        let result = tokio::time::timeout_at(deadline, run).await.unwrap_or(Err(RunError::Timeout));
        // GET_LOCK locks end with the session, but only once the server has
        // processed the disconnect; releasing them here means the next call
        // never races that. (RELEASE_ALL_LOCKS: MariaDB 10.5+, MySQL 5.7+.)
        let reset = !matches!(result, Err(RunError::Timeout)) && {
            let reset = async {
                (&mut conn).execute("ROLLBACK").await?;
                (&mut conn).execute("DO RELEASE_ALL_LOCKS()").await?;
                Ok::<_, sqlx::Error>(())
            };
            tokio::time::timeout(CLEANUP_TIMEOUT, reset).await.is_ok_and(|r| r.is_ok())
        };
        guard.finish(conn, reset).await;
        result.map_err(|e| self.failure(e, SqlBackend::MySql))
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
            RunError::Timeout => SqlFailure::Timeout,
            RunError::NotAQuery => SqlFailure::Denied(
                "the store's database connection is read-only: the server reports that the statement returns no rows, so it is not a query".into(),
            ),
            RunError::Guard(why) => SqlFailure::InvalidQuery(why),
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
        let result = match &self.server {
            Server::Postgres(options) => self.query_postgres(options, statement, params, deadline).await,
            Server::MySql(options) => self.query_mysql(options, statement, params, deadline).await,
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

async fn close_quietly<C: Connection>(conn: C) {
    tokio::time::timeout(CLEANUP_TIMEOUT, conn.close()).await.ok();
}

/// A session on the server that may still be running a statement, and how
/// to end it from another connection.
enum ServerSession {
    Postgres { options: PgConnectOptions, pid: i32 },
    MySql { options: MySqlConnectOptions, id: u64 },
}

impl ServerSession {
    /// Ends the session on the server (its statement, locks and all) from a
    /// second connection as the same user, which may always end its own
    /// sessions, and waits until the server reports it gone.
    async fn end(&self) -> Result<(), sqlx::Error> {
        match self {
            ServerSession::Postgres { options, pid } => {
                let mut side = options.connect().await?;
                // With a timeout (PostgreSQL 14+) the call waits until the
                // backend has exited; older servers only signal it.
                let ended = sqlx::query("SELECT pg_terminate_backend($1, 5000)").bind(pid).execute(&mut side).await;
                if ended.is_err() {
                    sqlx::query("SELECT pg_terminate_backend($1)").bind(pid).execute(&mut side).await?;
                }
                side.close().await
            }
            ServerSession::MySql { options, id } => {
                let mut side = options.connect().await?;
                // `KILL` takes no placeholder; `id` is the number the server
                // gave for CONNECTION_ID(), not text from the plugin.
                let killed = (&mut side).execute(format!("KILL CONNECTION {id}").as_str()).await;
                match killed {
                    Ok(_) => {}
                    // ER_NO_SUCH_THREAD: it ended on its own meanwhile.
                    Err(sqlx::Error::Database(db)) if db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().is_some_and(|e| e.number() == 1094) => {}
                    Err(error) => return Err(error),
                }
                // KILL only flags the thread; wait (bounded by the caller)
                // until it has left the process list.
                loop {
                    let left: Option<u64> =
                        sqlx::query_scalar("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?").bind(id).fetch_optional(&mut side).await?;
                    if left.is_none() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                side.close().await
            }
        }
    }
}

/// Holds a call's slot until its session is over on the server. Dropped
/// before [`SessionGuard::finish`] (the caller gave up on the query), it
/// ends the session from a spawned task and frees the slot only then.
struct SessionGuard {
    armed: Option<(ServerSession, OwnedSemaphorePermit)>,
    label: String,
    redactor: Arc<Redactor>,
}

impl SessionGuard {
    fn new(gate: &SqlGate, session: ServerSession, permit: OwnedSemaphorePermit) -> Self {
        SessionGuard { armed: Some((session, permit)), label: gate.label.clone(), redactor: gate.redactor.clone() }
    }

    /// Closes the connection when `reset` says it was rolled back and freed
    /// of locks; otherwise ends the session on the server first.
    async fn finish<C: Connection>(mut self, conn: C, reset: bool) {
        let Some((session, permit)) = self.armed.take() else { return };
        if reset {
            close_quietly(conn).await;
        } else {
            drop(conn);
            end_session(session, &self.label, &self.redactor).await;
        }
        drop(permit);
    }
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        let Some((session, permit)) = self.armed.take() else { return };
        let (label, redactor) = (self.label.clone(), self.redactor.clone());
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    end_session(session, &label, &redactor).await;
                    drop(permit);
                });
            }
            Err(_) => tracing::warn!(database = %label, "a plugin SQL call was dropped outside a Tokio runtime; its statement may run until its timeout"),
        }
    }
}

async fn end_session(session: ServerSession, label: &str, redactor: &Redactor) {
    match tokio::time::timeout(CLEANUP_TIMEOUT, session.end()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::warn!(database = %label, error = %redactor.clean(error.to_string()), "could not end a plugin SQL session on the server"),
        Err(_) => tracing::warn!(database = %label, "ending a plugin SQL session on the server took longer than {CLEANUP_TIMEOUT:?}"),
    }
}

/// The statement inside a sub-select: PostgreSQL parses only a query there
/// (no `COPY`, `DO`, DDL, DML or data-modifying `WITH`). The `WHERE` stops
/// the server at the first row whose text form is larger than the byte cap,
/// before it is sent; the `LIMIT` at one row past the row cap. `ROW(q.*)`
/// names the whole row even if the statement has a column named `q`.
fn postgres_wrap(statement: &str, caps: Caps) -> String {
    // Both numbers come from the grant, not from the plugin; the newlines
    // end any line comment the statement finishes with.
    format!(
        "SELECT chatgw_q.* FROM (\n{statement}\n) AS chatgw_q \
         WHERE CASE WHEN octet_length(ROW(chatgw_q.*)::text) > {max_bytes} \
         THEN CAST('{ROW_TOO_BIG} ' || octet_length(ROW(chatgw_q.*)::text) AS int) = 0 ELSE true END \
         LIMIT {limit}",
        max_bytes = caps.max_bytes,
        limit = caps.max_rows as u64 + 1,
    )
}

/// The statement in parentheses: MySQL and MariaDB parse only a query there
/// (no `SET`, `DO`, `HANDLER`, `KILL`, DDL or DML, no `INTO`), and its own
/// `ORDER BY` still holds. The `LIMIT` stops the server one row past the row
/// cap. MariaDB 10.x does not accept a `WITH` query in parentheses, so that
/// one gets the `LIMIT` appended (unless it has its own); for it the
/// server's description of the prepared statement is the check.
fn mysql_wrap(read: &statement::Read<'_>, caps: Caps) -> String {
    let limit = caps.max_rows as u64 + 1;
    match (read.keyword.as_str(), read.limited) {
        ("WITH", true) => read.text.to_string(),
        ("WITH", false) => format!("{}\nLIMIT {limit}", read.text),
        _ => format!("(\n{}\n) LIMIT {limit}", read.text),
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
    /// The deadline passed with the statement still running.
    Timeout,
    /// The server described the prepared statement as returning no rows.
    NotAQuery,
    /// The statement cannot be run inside the row-size guard (why).
    Guard(String),
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

async fn postgres_run(conn: &mut PgConnection, bound: PgBound<'_>, timeout_ms: &str, caps: Caps) -> Result<SqlRows, RunError> {
    let PgBound { sql, types, arguments } = bound;
    (&mut *conn).execute("BEGIN READ ONLY").await?;
    sqlx::query("SELECT set_config('statement_timeout', $1, true)").bind(timeout_ms).execute(&mut *conn).await?;
    let prepared = (&mut *conn).prepare_with(&sql, &types).await?;
    let columns = prepared.columns().iter().map(|c| c.name().to_string()).collect();
    collect_rows(prepared.query_with(arguments).fetch(&mut *conn), RowSink::new(columns, caps), postgres_row).await
}

/// Whether `error` is the PostgreSQL row-size guard of [`postgres_wrap`].
fn row_too_big(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some("22P02") && db.message().contains(ROW_TOO_BIG))
}

/// Reads rows into `sink` until they end or a cap is reached. The server
/// has already stopped at one row past the row cap and before any row over
/// the byte cap, so what is left unread is small.
async fn collect_rows<R: Row>(
    mut rows: futures::stream::BoxStream<'_, Result<R, sqlx::Error>>,
    mut sink: RowSink,
    decode: fn(&R) -> Result<Option<Vec<SqlValue>>, ColumnError>,
) -> Result<SqlRows, RunError> {
    loop {
        let row = match rows.try_next().await {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(error) if row_too_big(&error) => {
                sink.rows.truncated = true;
                break;
            }
            Err(error) => return Err(error.into()),
        };
        if sink.row_cap_reached() {
            break;
        }
        let Some(values) = decode(&row)? else {
            // The server's size guard held this row back.
            sink.rows.truncated = true;
            break;
        };
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

async fn mysql_run(
    conn: &mut MySqlConnection,
    mariadb: bool,
    sql: &str,
    arguments: MySqlArguments,
    statement_timeout: Duration,
    caps: Caps,
) -> Result<SqlRows, RunError> {
    // MariaDB counts seconds and stops any statement; MySQL counts
    // milliseconds and stops SELECTs, which is all that may run here.
    if mariadb {
        sqlx::query("SET SESSION max_statement_time = ?").bind(statement_timeout.as_secs_f64().max(0.001)).execute(&mut *conn).await?;
    } else {
        sqlx::query("SET SESSION max_execution_time = ?").bind(statement_timeout.as_millis().max(1) as u64).execute(&mut *conn).await?;
    }
    (&mut *conn).execute("START TRANSACTION READ ONLY").await?;
    // The server describes what it prepared: a statement without a result
    // set (SET, DO, DML, DDL, CALL...) is not a query, whatever the lexer
    // took it for.
    let described = (&mut *conn).prepare_with(sql, &[]).await?;
    let columns: Vec<String> = described.columns().iter().map(|c| c.name().to_string()).collect();
    if columns.is_empty() {
        return Err(RunError::NotAQuery);
    }
    // Now that the server has named the columns, run the statement inside
    // the row-size guard.
    let variable: Vec<bool> = described.columns().iter().map(|c| unbounded_mysql_type(c.type_info().name())).collect();
    let guarded = mysql_guard(sql, &columns, &variable, caps)?;
    let prepared = (&mut *conn).prepare_with(&guarded, &[]).await?;
    collect_rows(prepared.query_with(arguments).fetch(&mut *conn), RowSink::new(columns, caps), mysql_row).await
}

/// `sql` (already wrapped by [`mysql_wrap`]) as a derived table whose rows
/// the server sends with every value NULL when their values add up to more
/// than the byte cap, flagged in a last column, so an oversized value never
/// crosses the wire. The statement's `LIMIT` makes the server materialise
/// it in its own order, which the guard keeps. Its columns must have
/// distinct names to be referred to.
fn mysql_guard(sql: &str, columns: &[String], variable: &[bool], caps: Caps) -> Result<String, RunError> {
    let mut seen = std::collections::HashSet::new();
    for name in columns {
        let lower = name.to_lowercase();
        if lower == MYSQL_ROW_BYTES || lower == MYSQL_ROW_OVER || !seen.insert(lower) {
            return Err(RunError::Guard(format!(
                "the statement returns more than one column named `{name}` (or uses a name the host reserves); give each column a distinct \
                 name with `AS`: the host bounds the size of each row on the server, by column name"
            )));
        }
        if name.chars().count() > 64 {
            return Err(RunError::Guard(format!(
                "the statement's column `{}…` has a name over 64 characters; name it with `AS`: the host bounds the size of each row on the \
                 server, by column name",
                name.chars().take(32).collect::<String>()
            )));
        }
    }
    let quote = |name: &str| format!("`{}`", name.replace('`', "``"));
    let size = columns.iter().map(|c| format!("COALESCE(LENGTH(chatgw_q.{}), 0)", quote(c))).collect::<Vec<_>>().join(" + ");
    let max = caps.max_bytes;
    // Fixed-size values (numbers, dates, BIT) are small and pass as they
    // are: a CASE would change their type (BIT becomes text).
    let values = columns
        .iter()
        .zip(variable)
        .map(|(c, variable)| match variable {
            true => format!("CASE WHEN chatgw_g.{MYSQL_ROW_BYTES} <= {max} THEN chatgw_g.{q} END AS {q}", q = quote(c)),
            false => format!("chatgw_g.{q} AS {q}", q = quote(c)),
        })
        .collect::<Vec<_>>();
    // The newlines end any line comment the statement finishes with.
    Ok(format!(
        "SELECT {values}, chatgw_g.{MYSQL_ROW_BYTES} > {max} AS {MYSQL_ROW_OVER}\nFROM (SELECT chatgw_q.*, {size} AS {MYSQL_ROW_BYTES}\nFROM (\n{sql}\n) AS chatgw_q) AS chatgw_g",
        values = values.join(", "),
    ))
}

/// Whether a MySQL/MariaDB column type holds values of any length (text,
/// binary, JSON, DECIMAL...), which the row-size guard holds back.
fn unbounded_mysql_type(type_name: &str) -> bool {
    let fixed =
        ["BOOLEAN", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR", "BIT", "FLOAT", "DOUBLE", "DATE", "TIME", "DATETIME", "TIMESTAMP", "NULL"];
    let base = type_name.trim_end_matches(" UNSIGNED");
    !fixed.contains(&base)
}

/// A guarded row's values, or `None` when the server flagged it as over the
/// byte cap (and sent its values as NULL).
fn mysql_row(row: &sqlx::mysql::MySqlRow) -> Result<Option<Vec<SqlValue>>, ColumnError> {
    let Some(flag) = row.len().checked_sub(1) else { return Ok(Some(Vec::new())) };
    if !matches!(value::mysql_value(row, flag)?, SqlValue::Integer(0)) {
        return Ok(None);
    }
    (0..flag).map(|i| value::mysql_value(row, i)).collect::<Result<Vec<_>, _>>().map(Some)
}

fn postgres_row(row: &sqlx::postgres::PgRow) -> Result<Option<Vec<SqlValue>>, ColumnError> {
    (0..row.len()).map(|i| value::pg_value(row, i)).collect::<Result<Vec<_>, _>>().map(Some)
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
