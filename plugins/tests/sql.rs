//! `host-sql` against real databases: PostgreSQL and MariaDB, each test in a
//! schema (PostgreSQL) or database (MariaDB) of its own that is dropped
//! afterwards. Gates connect as a least-privilege user made for the test
//! (SELECT on its tables, nothing else), as the README tells operators to;
//! the privileged administrator is used to set up, to look at the server
//! from outside, and to prove that a privileged user is refused. A service
//! that cannot be reached fails the test with directions to start it;
//! nothing is skipped.
//!
//! Defaults: `postgres://postgres@127.0.0.1:5432/test` and
//! `mysql://root@127.0.0.1:3306/test`; override with `TEST_DATABASE_URL`
//! and `TEST_MARIADB_URL`.

mod support;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatgw_plugins::{
    Capability, PluginErrorKind, PluginHost, PluginSlot, Secret, SqlBackend, SqlExecutor, SqlFailure, SqlGate, SqlGrantConfig, SqlRows, SqlValue, StoreGrants,
};
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection, Executor};
use support::*;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
const DEFAULT_MARIADB_URL: &str = "mysql://root@127.0.0.1:3306/test";
/// Generous outer bound for calls that must end on their own deadline.
const OUTER: Duration = Duration::from_secs(20);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    Postgres,
    MariaDb,
}

fn env_url(var: &str, default: &str) -> String {
    std::env::var(var).ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| default.to_string())
}

impl Db {
    fn admin_url(self) -> String {
        match self {
            Db::Postgres => env_url("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL),
            Db::MariaDb => env_url("TEST_MARIADB_URL", DEFAULT_MARIADB_URL),
        }
    }

    fn unreachable(self, url: &str, error: &dyn std::fmt::Display) -> String {
        match self {
            Db::Postgres => format!(
                "PostgreSQL at {url} cannot be reached: {error}\n\
                 Start it with `bash scripts/setup-services.sh` from the repository root, or \
                 point TEST_DATABASE_URL at a running server."
            ),
            Db::MariaDb => format!(
                "MariaDB at {url} cannot be reached: {error}\n\
                 Start it with `service mariadb start` and create the test database with \
                 `mysql -uroot -e 'CREATE DATABASE IF NOT EXISTS test'`, or point \
                 TEST_MARIADB_URL at a running server."
            ),
        }
    }

    /// `?` for MariaDB, `$n` for PostgreSQL.
    fn p(self, n: usize) -> String {
        match self {
            Db::Postgres => format!("${n}"),
            Db::MariaDb => "?".into(),
        }
    }

    fn dialect(self) -> &'static str {
        match self {
            Db::Postgres => "postgres",
            Db::MariaDb => "mysql",
        }
    }
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("plugin_sql_{}_{nanos:x}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The password of every least-privilege user the tests create.
const READER_PASSWORD: &str = "reader-pass";

/// `url` with its user info replaced by `user:password`.
fn with_user(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    let host = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

/// Adds `password` to a URL's user info.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("URL has a scheme");
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or(user);
            format!("{scheme}://{user}:{password}@{host}")
        }
        None => format!("{scheme}://root:{password}@{rest}"),
    }
}

/// Runs statements on the administrator's connection (outside any gate).
async fn admin(db: Db, statements: &[String]) {
    let url = db.admin_url();
    match db {
        Db::Postgres => {
            let mut conn = sqlx::postgres::PgConnectOptions::from_str(&url)
                .expect("TEST_DATABASE_URL parses")
                .connect()
                .await
                .unwrap_or_else(|e| panic!("{}", db.unreachable(&url, &e)));
            for statement in statements {
                conn.execute(statement.as_str()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            conn.close().await.ok();
        }
        Db::MariaDb => {
            let mut conn = sqlx::mysql::MySqlConnectOptions::from_str(&url)
                .expect("TEST_MARIADB_URL parses")
                .connect()
                .await
                .unwrap_or_else(|e| panic!("{}", db.unreachable(&url, &e)));
            for statement in statements {
                conn.execute(statement.as_str()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            conn.close().await.ok();
        }
    }
}

/// Runs one query returning a single integer on the administrator's
/// connection, to look at the server from outside the gate.
async fn admin_count(db: Db, query: &str) -> i64 {
    let url = db.admin_url();
    match db {
        Db::Postgres => {
            let mut conn = sqlx::postgres::PgConnectOptions::from_str(&url)
                .expect("URL parses")
                .connect()
                .await
                .unwrap_or_else(|e| panic!("{}", db.unreachable(&url, &e)));
            let n: i64 = sqlx::query_scalar(query).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{query}: {e}"));
            conn.close().await.ok();
            n
        }
        Db::MariaDb => {
            let mut conn = sqlx::mysql::MySqlConnectOptions::from_str(&url)
                .expect("URL parses")
                .connect()
                .await
                .unwrap_or_else(|e| panic!("{}", db.unreachable(&url, &e)));
            let n: i64 = sqlx::query_scalar(query).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{query}: {e}"));
            conn.close().await.ok();
            n
        }
    }
}

/// A schema (PostgreSQL) or database (MariaDB) of its own with a small
/// `products` table and a user that may only read it, all dropped when the
/// fixture is.
struct Fixture {
    db: Db,
    name: String,
    /// The least-privilege user: `<name>_r`. Tests that need a privileged
    /// one create `<name>_p`; both are dropped with the fixture.
    reader: String,
    /// What a gate connects with: the reader, in the test's own schema or
    /// database.
    url: String,
}

impl Fixture {
    async fn new(db: Db) -> Fixture {
        let name = unique_name();
        let reader = format!("{name}_r");
        let url = Fixture::url_for(db, &name, &with_user(&db.admin_url(), &reader, READER_PASSWORD));
        let fixture = Fixture { db, name, reader, url };
        let (name, reader) = (&fixture.name, &fixture.reader);
        // The reader gets what the README's least-privilege role gets.
        let setup = match db {
            Db::Postgres => vec![
                format!("CREATE SCHEMA {name}"),
                format!("CREATE ROLE {reader} LOGIN PASSWORD '{READER_PASSWORD}'"),
                format!("GRANT USAGE ON SCHEMA {name} TO {reader}"),
                format!("ALTER DEFAULT PRIVILEGES IN SCHEMA {name} GRANT SELECT ON TABLES TO {reader}"),
                format!(
                    "CREATE TABLE {}.products (id int PRIMARY KEY, title text NOT NULL, \
                     price_cents int)",
                    fixture.name
                ),
                format!(
                    "INSERT INTO {}.products VALUES (1, 'Trail shoe', 12900), \
                     (2, 'Rain jacket', 8900), (3, 'Wool socks', 1500), (4, 'Cap', NULL), \
                     (5, 'Tent', 34900)",
                    fixture.name
                ),
                format!("CREATE SEQUENCE {}.order_numbers", fixture.name),
            ],
            Db::MariaDb => vec![
                format!("CREATE DATABASE {name}"),
                format!("CREATE USER '{reader}'@'%' IDENTIFIED BY '{READER_PASSWORD}'"),
                format!("GRANT SELECT ON {name}.* TO '{reader}'@'%'"),
                format!(
                    "CREATE TABLE {}.products (id int PRIMARY KEY, title varchar(200) NOT NULL, \
                     price_cents int)",
                    fixture.name
                ),
                format!(
                    "INSERT INTO {}.products VALUES (1, 'Trail shoe', 12900), \
                     (2, 'Rain jacket', 8900), (3, 'Wool socks', 1500), (4, 'Cap', NULL), \
                     (5, 'Tent', 34900)",
                    fixture.name
                ),
            ],
        };
        fixture.admin(&setup).await;
        fixture
    }

    /// `base` (a server URL with credentials) pointed at the test's schema
    /// or database.
    fn url_for(db: Db, name: &str, base: &str) -> String {
        match db {
            Db::Postgres => {
                let separator = if base.contains('?') { '&' } else { '?' };
                format!("{base}{separator}options[search_path]={name}")
            }
            Db::MariaDb => {
                let server = base.rsplit_once('/').map_or(base, |(b, _)| b);
                format!("{server}/{name}")
            }
        }
    }

    /// The administrator's URL, pointed at the test's schema or database.
    fn admin_url(&self) -> String {
        Fixture::url_for(self.db, &self.name, &self.db.admin_url())
    }

    /// Creates `<name>_p`, a user that can read the test's tables and also
    /// holds `privileges` (SQL after `GRANT`, e.g. `FILE ON *.*` or
    /// `pg_read_server_files`), and returns its URL.
    async fn privileged_user(&self, privileges: &[&str]) -> String {
        let (name, user) = (&self.name, format!("{}_p", self.name));
        let mut setup = match self.db {
            Db::Postgres => vec![
                format!("CREATE ROLE {user} LOGIN PASSWORD '{READER_PASSWORD}'"),
                format!("GRANT USAGE ON SCHEMA {name} TO {user}"),
                format!("GRANT SELECT ON ALL TABLES IN SCHEMA {name} TO {user}"),
            ],
            Db::MariaDb => vec![format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{READER_PASSWORD}'"), format!("GRANT SELECT ON {name}.* TO '{user}'@'%'")],
        };
        for privilege in privileges {
            setup.push(match self.db {
                Db::Postgres => format!("GRANT {privilege} TO {user}"),
                Db::MariaDb => format!("GRANT {privilege} TO '{user}'@'%'"),
            });
        }
        self.admin(&setup).await;
        Fixture::url_for(self.db, name, &with_user(&self.db.admin_url(), &user, READER_PASSWORD))
    }

    /// Runs statements as the administrator (outside any gate).
    async fn admin(&self, statements: &[String]) {
        admin(self.db, statements).await;
    }

    fn config(&self) -> SqlGrantConfig {
        SqlGrantConfig { statement_timeout: Duration::from_secs(3), ..SqlGrantConfig::new(format!("{:?}-test", self.db), Secret::new(&self.url)) }
    }

    fn gate(&self) -> SqlGate {
        self.gate_with(|_| {})
    }

    fn gate_with(&self, adjust: impl FnOnce(&mut SqlGrantConfig)) -> SqlGate {
        let mut config = self.config();
        adjust(&mut config);
        SqlGate::new(config).expect("valid SQL grant")
    }

    async fn product_count(&self) -> i64 {
        let rows = self.gate().query("SELECT COUNT(*) AS n FROM products", vec![]).await.expect("count products");
        match rows.rows[0][0] {
            SqlValue::Integer(n) => n,
            ref other => panic!("count is {other:?}"),
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Async work cannot run in Drop; a thread with its own runtime can,
        // and it runs when a test panics too.
        let (name, reader, privileged) = (&self.name, &self.reader, format!("{}_p", self.name));
        let statements = match self.db {
            Db::Postgres => vec![
                format!("DROP SCHEMA IF EXISTS {name} CASCADE"),
                format!("DROP OWNED BY {reader}"),
                format!("DROP ROLE IF EXISTS {reader}"),
                format!(
                    "DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{privileged}') THEN DROP OWNED BY {privileged}; DROP ROLE {privileged}; END IF; END $$"
                ),
            ],
            Db::MariaDb => vec![
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("DROP USER IF EXISTS '{reader}'@'%'"),
                format!("DROP USER IF EXISTS '{privileged}'@'%'"),
            ],
        };
        let db = self.db;
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime for cleanup").block_on(admin(db, &statements));
        })
        .join()
        .ok();
    }
}

/// Runs `$body(db)` as one test per backend: `name::postgres` and
/// `name::mariadb`.
macro_rules! on_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn postgres() {
                super::$body(super::Db::Postgres).await;
            }

            #[tokio::test]
            async fn mariadb() {
                super::$body(super::Db::MariaDb).await;
            }
        }
    };
}

fn text(value: &str) -> SqlValue {
    SqlValue::Text(value.into())
}

fn column<'a>(rows: &'a SqlRows, name: &str) -> &'a SqlValue {
    let index = rows.columns.iter().position(|c| c == name).unwrap_or_else(|| panic!("no column {name} in {:?}", rows.columns));
    &rows.rows[0][index]
}

/// Any refusal: by the gate's lexer, by the server's parser or privileges.
fn refused(result: Result<SqlRows, SqlFailure>, what: &str) {
    assert!(matches!(result, Err(SqlFailure::Denied(_) | SqlFailure::InvalidQuery(_))), "{what}: expected a refusal, got {result:?}");
}

fn denied_read_only(result: Result<SqlRows, SqlFailure>, what: &str) {
    match result {
        Err(SqlFailure::Denied(why)) => {
            assert!(why.contains("read-only"), "{what}: {why}");
        }
        other => panic!("{what}: expected a read-only denial, got {other:?}"),
    }
}

// ---- binding and mapping --------------------------------------------------

on_both!(select_binds_parameters_of_every_type, binds_parameters);
async fn binds_parameters(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate();
    assert_eq!(
        gate.backend(),
        match db {
            Db::Postgres => SqlBackend::Postgres,
            Db::MariaDb => SqlBackend::MySql,
        }
    );
    let injection = "'; DROP TABLE products; --";
    // PostgreSQL cannot guess the type of a bare NULL in a select list.
    let null = match db {
        Db::Postgres => "$6::text",
        Db::MariaDb => "?",
    };
    let statement =
        format!("SELECT {} AS i, {} AS d, {} AS t, {} AS b, {} AS x, {null} AS n, {} AS injection", db.p(1), db.p(2), db.p(3), db.p(4), db.p(5), db.p(7));
    let rows = gate
        .query(
            &statement,
            vec![
                SqlValue::Integer(-42),
                SqlValue::Double(2.5),
                text("grüße; 'quoted'"),
                SqlValue::Boolean(true),
                SqlValue::Blob(vec![0, 1, 255]),
                SqlValue::Null,
                text(injection),
            ],
        )
        .await
        .expect("select bound parameters");
    assert_eq!(rows.columns, ["i", "d", "t", "b", "x", "n", "injection"]);
    assert!(!rows.truncated);
    // MySQL has no boolean type: TRUE is the integer 1 there.
    let expected_bool = match db {
        Db::Postgres => SqlValue::Boolean(true),
        Db::MariaDb => SqlValue::Integer(1),
    };
    assert_eq!(
        rows.rows,
        vec![vec![
            SqlValue::Integer(-42),
            SqlValue::Double(2.5),
            text("grüße; 'quoted'"),
            expected_bool,
            SqlValue::Blob(vec![0, 1, 255]),
            SqlValue::Null,
            text(injection),
        ]]
    );

    // Parameters against typed columns, with a NULL whose type the
    // database infers, then the same statement with an integer there.
    let filter = format!(
        "SELECT id, title FROM products WHERE id >= {} AND title <> {} AND id > COALESCE({}, 0) \
         ORDER BY id",
        db.p(1),
        db.p(2),
        db.p(3)
    );
    let ids = |rows: SqlRows| rows.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let rows = gate.query(&filter, vec![SqlValue::Integer(2), text("Cap"), SqlValue::Null]).await.expect("filter with NULL");
    assert_eq!(ids(rows), [2, 3, 5].map(SqlValue::Integer).to_vec());
    let rows = gate.query(&filter, vec![SqlValue::Integer(2), text("Cap"), SqlValue::Integer(2)]).await.expect("same statement, other parameter types");
    assert_eq!(ids(rows), [3, 5].map(SqlValue::Integer).to_vec());
    assert_eq!(fixture.product_count().await, 5, "the injection text stayed text");
}

on_both!(column_types_map_to_plain_values, maps_column_types);
async fn maps_column_types(db: Db) {
    let fixture = Fixture::new(db).await;
    let name = &fixture.name;
    match db {
        Db::Postgres => {
            fixture
                .admin(&[
                    format!("CREATE TYPE {name}.mood AS ENUM ('calm', 'busy')"),
                    format!(
                        "CREATE TABLE {name}.kinds (small int2, normal int4, big int8, \
                         amount numeric(14,3), tiny_amount numeric, ratio float4, precise float8, \
                         flag bool, body text, label varchar(20), code char(3), raw bytea, \
                         day date, local_at timestamp, instant timestamptz, clock time, \
                         doc json, docb jsonb, uid uuid, mood {name}.mood, nothing text)"
                    ),
                    format!(
                        "INSERT INTO {name}.kinds VALUES (-7, 2147483647, 9007199254740993, \
                         -1234567.125, 0.000012, 1.5, 0.1, false, 'ß text', 'label', 'ab', \
                         '\\x00ff10', '2024-02-29', '2024-02-29 13:05:09.123', \
                         '2024-02-29 13:05:09.123456+02', '23:59:58', '{{\"b\": 1, \"a\": [2]}}', \
                         '{{\"k\": \"v\"}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'busy', NULL)"
                    ),
                ])
                .await;
            let rows = fixture.gate().query("SELECT * FROM kinds", vec![]).await.expect("select every kind");
            let expect = [
                ("small", SqlValue::Integer(-7)),
                ("normal", SqlValue::Integer(2147483647)),
                ("big", SqlValue::Integer(9007199254740993)),
                ("amount", text("-1234567.125")),
                ("tiny_amount", text("0.000012")),
                ("ratio", SqlValue::Double(1.5)),
                ("precise", SqlValue::Double(0.1)),
                ("flag", SqlValue::Boolean(false)),
                ("body", text("ß text")),
                ("label", text("label")),
                ("code", text("ab ")),
                ("raw", SqlValue::Blob(vec![0x00, 0xff, 0x10])),
                ("day", text("2024-02-29")),
                ("local_at", text("2024-02-29T13:05:09.123")),
                ("instant", text("2024-02-29T11:05:09.123456Z")),
                ("clock", text("23:59:58")),
                ("doc", text("{\"b\": 1, \"a\": [2]}")),
                ("docb", text("{\"k\": \"v\"}")),
                ("uid", text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
                ("mood", text("busy")),
                ("nothing", SqlValue::Null),
            ];
            for (name, value) in expect {
                assert_eq!(column(&rows, name), &value, "column {name}");
            }
            let error = fixture.gate().query("SELECT interval '1 day' AS wait", vec![]).await.unwrap_err();
            match error {
                SqlFailure::InvalidQuery(why) => assert!(why.contains("`wait`") && why.contains("wait::text"), "{why}"),
                other => panic!("expected a cast hint, got {other:?}"),
            }
        }
        Db::MariaDb => {
            fixture
                .admin(&[
                    format!(
                        "CREATE TABLE {name}.kinds (small smallint, normal int, big bigint, \
                     huge bigint unsigned, amount decimal(14,3), ratio float, precise double, \
                     flag tinyint(1), body text, label varchar(20), code char(3), \
                     exact varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, raw varbinary(8), blobby blob, day date, local_at datetime(3), \
                     instant timestamp(6) NULL, clock time, doc json, mood enum('calm','busy'), \
                     made year, bits bit(8), zero_at datetime NULL, nothing text)"
                    ),
                    format!(
                        "INSERT INTO {name}.kinds VALUES (-7, 2147483647, 9007199254740993, \
                     18446744073709551615, -1234567.125, 1.5, 0.1, 1, 'ß text', 'label', 'ab', \
                     'Exact ß', x'00ff10', x'cafe', '2024-02-29', '2024-02-29 13:05:09.123', \
                     '2024-02-29 13:05:09.123456', '-26:03:04', '{{\"b\": 1}}', 'busy', 2024, \
                     b'00000101', '0000-00-00 00:00:00', NULL)"
                    ),
                ])
                .await;
            let rows = fixture.gate().query("SELECT * FROM kinds", vec![]).await.expect("select every kind");
            let expect = [
                ("small", SqlValue::Integer(-7)),
                ("normal", SqlValue::Integer(2147483647)),
                ("big", SqlValue::Integer(9007199254740993)),
                ("huge", text("18446744073709551615")),
                ("amount", text("-1234567.125")),
                ("ratio", SqlValue::Double(1.5)),
                ("precise", SqlValue::Double(0.1)),
                ("flag", SqlValue::Integer(1)),
                ("body", text("ß text")),
                ("label", text("label")),
                ("code", text("ab")),
                // Text in a binary collation looks like a binary string on
                // the wire; valid UTF-8 reads as text.
                ("exact", text("Exact ß")),
                ("raw", SqlValue::Blob(vec![0x00, 0xff, 0x10])),
                ("blobby", SqlValue::Blob(vec![0xca, 0xfe])),
                ("day", text("2024-02-29")),
                ("local_at", text("2024-02-29T13:05:09.123")),
                // The session runs in UTC, so TIMESTAMP values are instants.
                ("instant", text("2024-02-29T13:05:09.123456Z")),
                ("clock", text("-26:03:04")),
                ("doc", text("{\"b\": 1}")),
                ("mood", text("busy")),
                ("made", SqlValue::Integer(2024)),
                ("bits", SqlValue::Integer(5)),
                ("zero_at", SqlValue::Null),
                ("nothing", SqlValue::Null),
            ];
            for (name, value) in expect {
                assert_eq!(column(&rows, name), &value, "column {name}");
            }
            let error = fixture.gate().query("SELECT POINT(1, 2) AS spot", vec![]).await.unwrap_err();
            match error {
                SqlFailure::InvalidQuery(why) => assert!(why.contains("`spot`") && why.contains("CAST(spot AS CHAR)"), "{why}"),
                other => panic!("expected a conversion hint, got {other:?}"),
            }
        }
    }
}

// ---- read-only ------------------------------------------------------------

on_both!(writes_and_ddl_are_refused, refuses_writes);
async fn refuses_writes(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate();
    for statement in [
        "INSERT INTO products (id, title) VALUES (9, 'Stolen')",
        "UPDATE products SET price_cents = 0",
        "DELETE FROM products",
        "CREATE TABLE owned (x int)",
        "DROP TABLE products",
        "ALTER TABLE products ADD COLUMN x int",
        "TRUNCATE products",
    ] {
        denied_read_only(gate.query(statement, vec![]).await, statement);
    }

    // Statements that start like reads but write are stopped by the server:
    // a data-modifying WITH does not parse inside the gate's sub-select,
    // the reader may not use the sequence (and the transaction is
    // read-only), SELECT INTO is refused by name.
    match db {
        Db::Postgres => {
            refused(gate.query("WITH gone AS (DELETE FROM products RETURNING id) SELECT count(*) FROM gone", vec![]).await, "data-modifying CTE");
            refused(gate.query("SELECT nextval('order_numbers')", vec![]).await, "nextval");
            denied_read_only(gate.query("SELECT * INTO stolen FROM products", vec![]).await, "SELECT INTO");
        }
        Db::MariaDb => {
            let (name, reader) = (&fixture.name, &fixture.reader);
            fixture
                .admin(&[
                    format!(
                        "CREATE FUNCTION {name}.add_product() RETURNS INT MODIFIES SQL DATA \
                         BEGIN INSERT INTO {name}.products (id, title) VALUES (99, 'Sneaky'); RETURN 1; END"
                    ),
                    // Even if the operator lets the reader call it, the
                    // read-only transaction stops its write.
                    format!("GRANT EXECUTE ON FUNCTION {name}.add_product TO '{reader}'@'%'"),
                ])
                .await;
            denied_read_only(gate.query("SELECT add_product()", vec![]).await, "function that inserts");
            match gate.query("SELECT * FROM products INTO OUTFILE '/tmp/stolen'", vec![]).await {
                Err(SqlFailure::Denied(why)) => assert!(why.contains("OUTFILE"), "{why}"),
                other => panic!("INTO OUTFILE: {other:?}"),
            }
        }
    }
    assert_eq!(fixture.product_count().await, 5);
    // The connection pool still answers after all those refusals.
    let rows = gate.query("SELECT title FROM products WHERE id = 1", vec![]).await.expect("a read still works");
    assert_eq!(rows.rows, vec![vec![text("Trail shoe")]]);
}

on_both!(a_second_statement_is_refused, refuses_multi_statements);
async fn refuses_multi_statements(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate();
    for statement in ["SELECT 1; SELECT 2", "SELECT 1; DROP TABLE products", "SELECT title FROM products;;"] {
        match gate.query(statement, vec![]).await {
            Err(SqlFailure::InvalidQuery(why)) => {
                assert!(why.contains("exactly one statement"), "{statement}: {why}")
            }
            other => panic!("{statement}: {other:?}"),
        }
    }
    let rows = gate.query("SELECT ';' AS s, title FROM products WHERE id = 1;", vec![]).await.expect("a semicolon in a literal and a trailing one are fine");
    assert_eq!(rows.rows, vec![vec![text(";"), text("Trail shoe")]]);
    assert_eq!(fixture.product_count().await, 5);
}

// ---- caps and deadlines ---------------------------------------------------

on_both!(row_and_byte_caps_truncate, truncates_at_caps);
async fn truncates_at_caps(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate_with(|c| c.max_rows = 3);
    let rows = gate.query("SELECT id FROM products ORDER BY id", vec![]).await.expect("capped by rows");
    assert_eq!(rows.rows.len(), 3);
    assert!(rows.truncated);
    let rows = gate.query("SELECT id FROM products WHERE id <= 3", vec![]).await.expect("exactly at the cap");
    assert_eq!(rows.rows.len(), 3);
    assert!(!rows.truncated, "three rows under a cap of three are whole");

    // Column name `x` (1 byte) plus 40 bytes a row: two rows fit in 100.
    let gate = fixture.gate_with(|c| c.max_bytes = 100);
    let rows = gate.query("SELECT REPEAT('x', 40) AS x FROM products", vec![]).await.expect("capped by bytes");
    assert_eq!(rows.rows.len(), 2);
    assert!(rows.truncated);
    // A cut result closes its connection; the gate opens another.
    let rows = gate.query("SELECT title FROM products WHERE id = 2", vec![]).await.expect("the gate keeps working after a cut");
    assert_eq!(rows.rows, vec![vec![text("Rain jacket")]]);
}

on_both!(a_slow_statement_times_out, times_out);
async fn times_out(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate_with(|c| c.statement_timeout = Duration::from_millis(300));
    let sleep = match db {
        Db::Postgres => "SELECT pg_sleep(5)",
        Db::MariaDb => "SELECT SLEEP(5)",
    };
    let result = tokio::time::timeout(OUTER, gate.query(sleep, vec![])).await.expect("the gate ends the query itself");
    assert_eq!(result, Err(SqlFailure::Timeout));
    let rows = gate.query("SELECT title FROM products WHERE id = 3", vec![]).await.expect("the next query runs");
    assert_eq!(rows.rows, vec![vec![text("Wool socks")]]);
}

// ---- statements the gate must not run (issue 8) ------------------------------

on_both!(smuggled_statements_change_nothing_on_the_server, refuses_smuggled_statements);
async fn refuses_smuggled_statements(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate();
    let dropped = format!("/tmp/chatgw_{}_dropped", fixture.name);
    // Each tries to run something other than a read; some hide it where the
    // gate's lexer and the server could disagree on a comment or literal.
    let attacks: Vec<String> = match db {
        Db::Postgres => vec![
            format!("COPY (SELECT 1) TO PROGRAM 'touch {dropped}'"),
            format!("SELECT 1 --\r; COPY (SELECT 1) TO PROGRAM 'touch {dropped}'"),
            format!("--\rCOPY (SELECT 1) TO PROGRAM 'touch {dropped}' --\nSELECT 1"),
            format!("SELECT 1 --\r) AS x; COPY (SELECT 1) TO PROGRAM 'touch {dropped}'; SELECT (1"),
            "--\rDO $$ BEGIN DELETE FROM products; END $$ --\nSELECT 1".into(),
            "SELECT 1 --\r; DO $$ BEGIN DELETE FROM products; END $$".into(),
            "DO $$ BEGIN DELETE FROM products; END $$".into(),
            "WITH gone AS (DELETE FROM products RETURNING id) SELECT * FROM gone".into(),
            "WITH gone AS (UPDATE products SET title = 'x' RETURNING id) TABLE products".into(),
            "SELECT * INTO stolen FROM products".into(),
            "SELECT 1 /* /* nested */ ; DELETE FROM products; /* */".into(),
            "SELECT E'\\'' ; DELETE FROM products; --'".into(),
            "SELECT 1\u{0}; DELETE FROM products".into(),
            "SELECT pg_read_file('/etc/passwd')".into(),
            "SELECT lo_import('/etc/passwd')".into(),
            format!("SELECT pg_file_write('{dropped}', 'x', false)"),
            "SELECT nextval('order_numbers')".into(),
            "SELECT pg_create_physical_replication_slot('chatgw_stolen')".into(),
            "SELECT * FROM products FOR UPDATE".into(),
            "TABLE products FOR SHARE".into(),
            "SET ROLE postgres".into(),
            "CALL nothing()".into(),
        ],
        Db::MariaDb => vec![
            "SELECT 1 /*!50000 ; DELETE FROM products */".into(),
            "SELECT 1 /*M!100000 ; DELETE FROM products */".into(),
            "SELECT 1 -- \n; DELETE FROM products".into(),
            format!("SELECT * FROM products INTO OUTFILE '{dropped}'"),
            format!("SELECT 1 INTO DUMPFILE '{dropped}'"),
            "SELECT 1 INTO @planted".into(),
            "SELECT * FROM products LOCK IN SHARE MODE".into(),
            "SELECT * FROM products FOR UPDATE".into(),
            "HANDLER products OPEN".into(),
            "DO SLEEP(0)".into(),
            "SET @planted = 1".into(),
            "KILL QUERY 1".into(),
            "DELETE FROM products RETURNING id".into(),
            "WITH gone AS (SELECT 1) DELETE FROM products".into(),
            "CALL nothing()".into(),
        ],
    };
    for attack in &attacks {
        refused(gate.query(attack, vec![]).await, attack);
    }
    // These are reads once the comment or string ends where the server
    // ends it; whatever they return, they must not write.
    let reads: &[&str] = match db {
        Db::Postgres => &["SELECT $a$ $b$ ; DELETE FROM products; $a$ AS t", "SELECT 1 -- \r\n"],
        Db::MariaDb => &[
            "SELECT 1 #\r; DELETE FROM products",
            "SELECT 1 --\r; DELETE FROM products",
            "SELECT 'a\\'; DELETE FROM products; -- '",
            "SELECT \"a\\\"; DELETE FROM products; -- \"",
        ],
    };
    for read in reads {
        let _ = gate.query(read, vec![]).await;
    }
    assert_eq!(fixture.product_count().await, 5, "no attack deleted a product");
    assert!(!std::path::Path::new(&dropped).exists(), "an attack wrote {dropped}");
    let titles = gate.query("SELECT count(*) AS n FROM products WHERE title = 'x'", vec![]).await.expect("count");
    assert_eq!(titles.rows[0][0], SqlValue::Integer(0));
    if db == Db::Postgres {
        let stolen = admin_count(db, &format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{}' AND tablename = 'stolen'", fixture.name)).await;
        assert_eq!(stolen, 0, "SELECT INTO made a table");
        let slots = admin_count(db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'chatgw_stolen'").await;
        assert_eq!(slots, 0, "a replication slot was made");
    }
    // Reading a server file is not an error for MariaDB's LOAD_FILE without
    // FILE: it is NULL. Either way nothing of the file comes back.
    let file = match db {
        Db::Postgres => gate.query("SELECT pg_read_binary_file('/etc/passwd')", vec![]).await,
        Db::MariaDb => gate.query("SELECT LOAD_FILE('/etc/passwd') AS f", vec![]).await,
    };
    if let Ok(rows) = file {
        assert_eq!(rows.rows, vec![vec![SqlValue::Null]], "a server file was read");
    }
}

on_both!(row_locks_are_refused, refuses_row_locks);
async fn refuses_row_locks(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate();
    let mut locks = vec![
        "SELECT * FROM products FOR UPDATE",
        "SELECT * FROM products WHERE id = 1 FOR SHARE",
        "SELECT * FROM (SELECT * FROM products FOR SHARE) AS q",
        "SELECT id FROM products FOR/**/SHARE",
    ];
    match db {
        Db::Postgres => locks.extend(["SELECT * FROM products FOR NO KEY UPDATE", "SELECT * FROM products FOR KEY SHARE", "TABLE products FOR SHARE"]),
        Db::MariaDb => locks.extend(["SELECT * FROM products LOCK IN SHARE MODE", "SELECT * FROM products WHERE id = 1 lock  in share mode"]),
    }
    for statement in locks {
        match gate.query(statement, vec![]).await {
            Err(SqlFailure::Denied(why)) => assert!(why.contains("locks rows"), "{statement}: {why}"),
            other => panic!("{statement}: expected a refusal of the row lock, got {other:?}"),
        }
    }
}

on_both!(privileged_database_users_are_refused_naming_the_privilege, refuses_privileged_users);
async fn refuses_privileged_users(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate_as = |url: &str| SqlGate::new(SqlGrantConfig::new("shop-db", Secret::new(url))).expect("valid grant");
    let refusal = |result: Result<SqlRows, SqlFailure>| match result {
        Err(SqlFailure::Denied(why)) => {
            assert!(why.contains("`shop-db`") && why.contains("too powerful"), "{why}");
            assert!(!why.contains("S3CRET-pass") && !why.contains("127.0.0.1"), "{why}");
            why
        }
        other => panic!("expected a refusal of the database user, got {other:?}"),
    };
    // The administrator the other tests set up with.
    // (Trust authentication lets PostgreSQL ignore the password, which
    // must not show up in the refusal; MariaDB's root has none.)
    let admin = match db {
        Db::Postgres => with_password(&fixture.admin_url(), "S3CRET-pass"),
        Db::MariaDb => fixture.admin_url(),
    };
    let why = refusal(gate_as(&admin).query("SELECT 1", vec![]).await);
    match db {
        Db::Postgres => {
            assert!(why.contains("superuser") && why.contains("CREATE ROLE chatgw_reader"), "{why}");
            let url = fixture.privileged_user(&["pg_read_server_files", "pg_execute_server_program", "pg_signal_backend"]).await;
            let why = refusal(gate_as(&url).query("SELECT title FROM products", vec![]).await);
            for role in ["pg_read_server_files", "pg_execute_server_program", "pg_signal_backend"] {
                assert!(why.contains(role), "{role}: {why}");
            }
        }
        Db::MariaDb => {
            assert!(why.contains("ALL PRIVILEGES") && why.contains("CREATE USER 'chatgw_reader'"), "{why}");
            let url = fixture.privileged_user(&["FILE ON *.*", "SUPER ON *.*"]).await;
            let why = refusal(gate_as(&url).query("SELECT title FROM products", vec![]).await);
            assert!(why.contains("FILE") && why.contains("SUPER") && why.contains("GRANT SELECT ON"), "{why}");
        }
    }
    // The least-privilege user reads.
    let rows = fixture.gate().query("SELECT title FROM products WHERE id = 1", vec![]).await.expect("the reader reads");
    assert_eq!(rows.rows, vec![vec![text("Trail shoe")]]);
}

/// How many sessions other than the caller's run a statement containing
/// `marker`, as the administrator sees them.
async fn running(db: Db, marker: &str) -> i64 {
    let query = match db {
        Db::Postgres => format!("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%{marker}%' AND pid <> pg_backend_pid()"),
        Db::MariaDb => format!("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' AND ID <> CONNECTION_ID()"),
    };
    admin_count(db, &query).await
}

/// Polls `running` until it is 0, for at most `OUTER`; the count it saw last.
async fn until_gone(db: Db, marker: &str) -> i64 {
    let give_up = std::time::Instant::now() + OUTER;
    loop {
        let n = running(db, marker).await;
        if n == 0 || std::time::Instant::now() > give_up {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both!(a_statement_whose_caller_gave_up_is_ended_on_the_server, ends_abandoned_statements);
async fn ends_abandoned_statements(db: Db) {
    let fixture = Fixture::new(db).await;
    // The server's own timeout would only end it after a minute; the
    // plugin's call deadline (here 300 ms) is what gives up on it.
    let gate = fixture.gate_with(|c| {
        c.statement_timeout = Duration::from_secs(60);
        c.max_connections = 1;
    });
    let marker = format!("abandoned_{}", fixture.name);
    let sleep = match db {
        Db::Postgres => format!("SELECT pg_sleep(60) AS {marker}"),
        Db::MariaDb => format!("SELECT SLEEP(60) AS {marker}"),
    };
    let gave_up = tokio::time::timeout(Duration::from_millis(300), gate.query(&sleep, vec![])).await;
    assert!(gave_up.is_err(), "the sleep cannot have finished: {gave_up:?}");
    assert_eq!(until_gone(db, &marker).await, 0, "the abandoned statement still runs on the server");
    // The only slot is free again, and the next call runs.
    let rows = tokio::time::timeout(OUTER, gate.query("SELECT title FROM products WHERE id = 4", vec![])).await.expect("the slot came back").expect("query");
    assert_eq!(rows.rows, vec![vec![text("Cap")]]);
}

on_both!(a_timed_out_statement_is_gone_from_the_server_when_the_call_returns, ends_timed_out_statements);
async fn ends_timed_out_statements(db: Db) {
    let fixture = Fixture::new(db).await;
    let gate = fixture.gate_with(|c| c.statement_timeout = Duration::from_millis(300));
    let marker = format!("timed_out_{}", fixture.name);
    // A loop the statement timeout may not interrupt at once: many short
    // sleeps (PostgreSQL) or one long one (MariaDB).
    let busy = match db {
        Db::Postgres => format!("SELECT max(pg_sleep(0.01)::text) AS {marker} FROM generate_series(1, 100000)"),
        Db::MariaDb => format!("SELECT SLEEP(30) AS {marker}"),
    };
    let result = tokio::time::timeout(OUTER, gate.query(&busy, vec![])).await.expect("the gate ends the query itself");
    assert_eq!(result, Err(SqlFailure::Timeout));
    assert_eq!(until_gone(db, &marker).await, 0, "the timed-out statement still runs on the server");
}

on_both!(session_state_does_not_outlive_a_call, starts_each_call_clean);
async fn starts_each_call_clean(db: Db) {
    let fixture = Fixture::new(db).await;
    // One connection at most: a pool would hand the same session back.
    let gate = fixture.gate_with(|c| c.max_connections = 1);
    // Advisory lock keys are cluster-wide: one per test process.
    let key = 1_000_000_000 + i64::from(std::process::id());
    let lock_name = format!("lock_{}", fixture.name);
    let plant = match db {
        Db::Postgres => format!("SELECT pg_advisory_lock({key})::text AS locked, set_config('chatgw.planted', 'yes', false) AS planted"),
        Db::MariaDb => format!("SELECT GET_LOCK('{lock_name}', 0) AS locked, @planted := 'yes' AS planted"),
    };
    let rows = gate.query(&plant, vec![]).await.expect("take a lock and set a variable");
    assert_eq!(rows.rows[0][1], text("yes"));
    let look = match db {
        Db::Postgres => format!(
            "SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {key} AND granted) AS held, \
             current_setting('chatgw.planted', true) AS planted"
        ),
        Db::MariaDb => format!("SELECT IS_USED_LOCK('{lock_name}') AS held, @planted AS planted"),
    };
    let rows = gate.query(&look, vec![]).await.expect("look for them");
    let held = match db {
        Db::Postgres => SqlValue::Integer(0),
        Db::MariaDb => SqlValue::Null,
    };
    assert_eq!(rows.rows[0][0], held, "the lock outlived the call that took it");
    assert!(matches!(&rows.rows[0][1], SqlValue::Null) || rows.rows[0][1] == text(""), "the variable outlived its call: {:?}", rows.rows[0][1]);
    // Nobody holds it, as seen from outside too.
    let outside = match db {
        Db::Postgres => format!("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {key}"),
        Db::MariaDb => format!("SELECT COUNT(*) FROM (SELECT IS_USED_LOCK('{lock_name}') AS h) q WHERE h IS NOT NULL"),
    };
    assert_eq!(admin_count(db, &outside).await, 0);
}

on_both!(an_oversized_value_never_reaches_the_gateway, oversized_values_stay_on_the_server);
async fn oversized_values_stay_on_the_server(db: Db) {
    let fixture = Fixture::new(db).await;
    // Building the value takes the server a while; the cap, not the
    // timeout, must end the query.
    let gate = fixture.gate_with(|c| c.statement_timeout = Duration::from_secs(15));
    let huge = match db {
        Db::Postgres => "SELECT id, repeat('x', 60000000) AS blob_of_text FROM products WHERE id <= 2 ORDER BY id",
        // MariaDB will not build a value larger than max_allowed_packet
        // (16 MiB by default); several of them still make a large row.
        Db::MariaDb => {
            "SELECT id, REPEAT('a', 15000000) AS a, REPEAT('b', 15000000) AS b, REPEAT('c', 15000000) AS c, \
                        REPEAT('d', 15000000) AS d FROM products WHERE id <= 2 ORDER BY id"
        }
    };
    let before = support::peak_rss_bytes();
    let rows = tokio::time::timeout(OUTER, gate.query(huge, vec![])).await.expect("ends").expect("a cut result, not an error");
    let grown = support::peak_rss_bytes().saturating_sub(before);
    assert!(rows.truncated, "the result is marked truncated");
    assert!(rows.rows.is_empty(), "no row fits in the default 4 MiB");
    println!("peak RSS grew by {} KiB", grown / 1024);
    assert!(grown < 32 * 1024 * 1024, "the gateway's peak memory grew by {} MiB", grown / (1024 * 1024));
    // A result with an oversized row is cut there: no row over the cap
    // comes (the rows before it may not either, when the server checks
    // them before sorting).
    // (MariaDB builds no value over max_allowed_packet, 16 MiB by default.)
    let mixed = "SELECT id, repeat('x', CASE WHEN id < 3 THEN 10 ELSE 10000000 END) AS t FROM products ORDER BY id";
    let rows = gate.query(mixed, vec![]).await.expect("cut result");
    assert!(rows.truncated);
    assert!(rows.rows.iter().all(|r| matches!(r[0], SqlValue::Integer(1 | 2))), "{:?}", rows.rows.len());
    if db == Db::MariaDb {
        // The server's guard, not the host's count, held the big row back:
        // the rows before it came whole, in the statement's order.
        assert_eq!(rows.rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), vec![SqlValue::Integer(1), SqlValue::Integer(2)]);
        assert_eq!(rows.columns, vec!["id".to_owned(), "t".to_owned()], "the guard's flag is not shown to the plugin");
    }
    let grown = support::peak_rss_bytes().saturating_sub(before);
    assert!(grown < 32 * 1024 * 1024, "the gateway's peak memory grew by {} MiB", grown / (1024 * 1024));
}

/// On MySQL/MariaDB the guard names each column, so a statement must not
/// return two columns of the same name; the error says how to fix it.
#[tokio::test]
async fn a_mariadb_statement_with_two_columns_of_one_name_is_refused_with_the_fix() {
    let fixture = Fixture::new(Db::MariaDb).await;
    let result = fixture.gate().query("SELECT p.id, q.id FROM products p JOIN products q ON q.id = p.id", vec![]).await;
    match result {
        Err(SqlFailure::InvalidQuery(why)) => assert!(why.contains("`id`") && why.contains("AS"), "{why}"),
        other => panic!("expected invalid-query, got {other:?}"),
    }
    let rows =
        fixture.gate().query("SELECT p.id, q.id AS other_id FROM products p JOIN products q ON q.id = p.id ORDER BY p.id DESC", vec![]).await.expect("aliased");
    assert_eq!(rows.rows.first().map(|r| r[0].clone()), Some(SqlValue::Integer(5)), "the statement's order holds inside the guard");
}

// ---- secrets --------------------------------------------------------------

#[tokio::test]
async fn postgres_errors_never_contain_the_url_or_password() {
    let fixture = Fixture::new(Db::Postgres).await;
    const PASSWORD: &str = "pg-S3CRET-hunter2";
    let url = with_password(&fixture.url, PASSWORD);
    let config = SqlGrantConfig::new("shop-db", Secret::new(&url));
    assert!(!format!("{config:?}").contains(PASSWORD));
    let gate = SqlGate::new(config).expect("valid grant");
    assert!(!format!("{gate:?}").contains(PASSWORD));

    // Trust authentication ignores the password, so queries run.
    let error = gate.query("SELECT nope FROM missing_table", vec![]).await.unwrap_err();
    let text = format!("{error:?}");
    assert!(matches!(error, SqlFailure::InvalidQuery(_)), "{text}");
    assert!(text.contains("missing_table"), "{text}");
    assert!(!text.contains(PASSWORD) && !text.contains(&url), "{text}");

    // A server that is not there.
    let nowhere = format!("postgres://shop:{PASSWORD}@127.0.0.1:1/shop");
    let gate = SqlGate::new(SqlGrantConfig { statement_timeout: Duration::from_millis(200), ..SqlGrantConfig::new("shop-db", Secret::new(&nowhere)) })
        .expect("valid grant");
    let error = gate.query("SELECT 1", vec![]).await.unwrap_err();
    let text = format!("{error:?}");
    assert!(matches!(&error, SqlFailure::Database(why) if why.contains("cannot connect") && why.contains("shop-db")), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A URL that does not parse.
    let error = SqlGate::new(SqlGrantConfig::new("shop-db", Secret::new(format!("postgres://shop:{PASSWORD}@127.0.0.1:notaport/shop")))).unwrap_err();
    assert!(!error.to_string().contains(PASSWORD), "{error}");
    assert!(error.to_string().contains("shop-db"), "{error}");
}

#[tokio::test]
async fn mariadb_errors_never_contain_the_url_or_password() {
    let fixture = Fixture::new(Db::MariaDb).await;
    // root has no password here, so any password is a wrong one.
    const PASSWORD: &str = "maria-S3CRET-hunter2";
    let url = with_password(&fixture.url, PASSWORD);
    let gate = SqlGate::new(SqlGrantConfig::new("shop-db", Secret::new(&url))).expect("grant");
    let error = gate.query("SELECT 1", vec![]).await.unwrap_err();
    let text = format!("{error:?}");
    assert!(matches!(&error, SqlFailure::Database(why) if why.contains("Access denied")), "{text}");
    assert!(!text.contains(PASSWORD) && !text.contains(&url), "{text}");

    let error = fixture.gate().query("SELECT nope FROM missing_table", vec![]).await.unwrap_err();
    assert!(matches!(&error, SqlFailure::InvalidQuery(why) if why.contains("missing_table")), "{error:?}");
}

#[tokio::test]
async fn grants_with_unusable_settings_are_refused_naming_the_field() {
    let error = SqlGate::new(SqlGrantConfig::new("shop-db", Secret::new("sqlite://shop.db"))).unwrap_err();
    assert!(error.to_string().contains("postgres://, mysql:// or mariadb://"), "{error}");
    let error = SqlGate::new(SqlGrantConfig { max_rows: 0, ..SqlGrantConfig::new("shop-db", Secret::new(DEFAULT_POSTGRES_URL)) }).unwrap_err();
    assert!(error.to_string().contains("max_rows"), "{error}");
}

// ---- through the WebAssembly boundary ---------------------------------------

async fn sql_plugin(host: &PluginHost) -> Arc<PluginSlot> {
    PluginSlot::new(load(host, "sql-connector", "test-sql", &[Capability::Sql]).await)
}

on_both!(a_plugin_granted_sql_reads_rows, plugin_reads_rows);
async fn plugin_reads_rows(db: Db) {
    let fixture = Fixture::new(db).await;
    let host = PluginHost::new(engine());
    let grants = StoreGrants { sql: Some(Arc::new(fixture.gate_with(|c| c.max_rows = 4))), ..StoreGrants::default() };
    let connector = connector(&sql_plugin(&host).await, grants, quick_limits());
    let settings = json!({ "dialect": db.dialect(), "page_size": 2 }).to_string();

    connector.check_connection(&settings).await.expect("SELECT 1");

    let first = connector.sync_products(&settings, None, None).await.expect("first page");
    let titles: Vec<_> = first.products.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Trail shoe", "Rain jacket"]);
    assert_eq!(first.products[0].variants[0].price.as_ref().map(|p| p.amount_minor), Some(12900));
    let second = connector.sync_products(&settings, first.next_cursor.as_deref(), None).await.expect("second page");
    assert_eq!(second.products[0].external_id, "3");
    assert_eq!(second.products[1].variants[0].price, None, "NULL price");

    let arguments = json!({
        "statement": format!(
            "SELECT id, title, price_cents FROM products WHERE price_cents > {} ORDER BY id",
            db.p(1)
        ),
        "params": [1000],
    });
    let result: Value =
        serde_json::from_str(&connector.call_tool(&settings, "sql", &arguments.to_string()).await.expect("sql tool")).expect("the tool returns JSON");
    assert_eq!(result["columns"], json!(["id", "title", "price_cents"]));
    assert_eq!(result["rows"][0], json!([1, "Trail shoe", 12900]));
    assert_eq!(result["rows"].as_array().map(Vec::len), Some(4));
    assert_eq!(result["truncated"], json!(false));

    // Every product: more than the cap of four.
    let all = json!({ "statement": "SELECT id FROM products" }).to_string();
    let result: Value = serde_json::from_str(&connector.call_tool(&settings, "sql", &all).await.unwrap()).unwrap();
    assert_eq!(result["truncated"], json!(true));

    // A write through the plugin ends the call as a policy violation.
    let write = json!({ "statement": "DELETE FROM products" }).to_string();
    let error = connector.call_tool(&settings, "sql", &write).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("read-only"), "{error}");

    // A bad statement is the plugin's to handle, as a value.
    let bad = json!({ "statement": "SELECT 1; SELECT 2" }).to_string();
    let error = connector.call_tool(&settings, "sql", &bad).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Connector, "{error}");
    assert!(error.to_string().contains("exactly one statement"), "{error}");
    assert_eq!(fixture.product_count().await, 5);
}

#[tokio::test]
async fn a_plugin_not_granted_sql_is_refused_at_load_and_at_bind() {
    let host = PluginHost::new(engine());
    let wasm = guest_wasm("sql-connector");
    // Its connector.toml does not ask for sql, but the component imports it.
    let error = host.load_bytes(manifest("test-sql", &wasm, &[]), wasm).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("chatgw:connector/host-sql@1.0.0") && error.to_string().contains("does not request `sql`"), "{error}");

    // It asks, but this store grants no database.
    let error = sql_plugin(&host).await.connector(StoreGrants::default(), quick_limits()).err().expect("refused at bind");
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("host-sql") && error.to_string().contains("does not grant"), "{error}");
}
