//! Opens a plugin call's database session: refuses a database user that is
//! too powerful for plugin SQL (naming the privilege and the fix), learns
//! the session's id so a runaway statement can be ended from outside, and
//! settles the MySQL dialect the lexer assumes.

use sqlx::mysql::MySqlConnection;
use sqlx::postgres::PgConnection;
use sqlx::{Executor, Row};

use crate::grants::SqlFailure;

/// Why a session was not opened.
pub(super) enum Refusal {
    /// The user holds a privilege plugin SQL must not have.
    Privileged(String),
    /// The check itself failed.
    Sql(sqlx::Error),
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        Refusal::Sql(error)
    }
}

impl Refusal {
    pub(super) fn into_failure(self, sql: impl FnOnce(sqlx::Error) -> SqlFailure) -> SqlFailure {
        match self {
            Refusal::Privileged(message) => SqlFailure::Denied(message),
            Refusal::Sql(error) => sql(error),
        }
    }
}

/// PostgreSQL predefined roles whose members can reach past the store's
/// tables with a plain SELECT: server files and programs, other sessions
/// (signals, query texts), every table regardless of grants.
const POSTGRES_ROLES: &[(&str, &str)] = &[
    ("pg_read_server_files", "reads any file on the database server (pg_read_file, COPY FROM)"),
    ("pg_write_server_files", "writes files on the database server"),
    ("pg_execute_server_program", "runs programs on the database server"),
    ("pg_signal_backend", "cancels and terminates other sessions"),
    ("pg_read_all_data", "reads every table, whatever was granted"),
    ("pg_write_all_data", "writes every table"),
    ("pg_read_all_stats", "sees the statements other sessions run"),
    ("pg_checkpoint", "forces checkpoints"),
    ("pg_create_subscription", "opens connections to other servers"),
];

pub(super) const POSTGRES_ROLE_SQL: &str = "CREATE ROLE chatgw_reader LOGIN PASSWORD '<password>'; \
     GRANT CONNECT ON DATABASE <shop_db> TO chatgw_reader; \
     GRANT USAGE ON SCHEMA public TO chatgw_reader; \
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO chatgw_reader; \
     ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO chatgw_reader;";

pub(super) const MYSQL_USER_SQL: &str = "CREATE USER 'chatgw_reader'@'%' IDENTIFIED BY '<password>'; \
     GRANT SELECT ON <shop_db>.* TO 'chatgw_reader'@'%';";

fn refuse(label: &str, found: &[String], how: &str) -> Refusal {
    Refusal::Privileged(format!(
        "the database user of `{label}` is too powerful for plugin SQL, which must only read the \
         store's tables: {}. Connect as a user that can only read, for example: {how} \
         (see \"A least-privilege database user\" in the README)",
        found.join("; ")
    ))
}

/// Checks the role and returns the backend's process id.
pub(super) async fn postgres(conn: &mut PgConnection, label: &str) -> Result<i32, Refusal> {
    let names: Vec<&str> = POSTGRES_ROLES.iter().map(|(name, _)| *name).collect();
    // Only roles this server has: pg_has_role fails on an unknown name.
    let row = sqlx::query(
        "SELECT pg_backend_pid(), r.rolsuper, r.rolreplication, r.rolbypassrls, r.rolcreaterole, \
         ARRAY(SELECT b.rolname::text FROM pg_roles b \
               WHERE b.rolname = ANY($1) AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1) \
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .bind(&names)
    .fetch_one(&mut *conn)
    .await?;
    let pid: i32 = row.try_get(0)?;
    let mut found = Vec::new();
    if row.try_get::<bool, _>(1)? {
        // A superuser is a member of every role; the roles add nothing.
        found.push("it is a superuser (reads server files, runs programs, ends any session)".to_string());
        return Err(refuse(label, &found, POSTGRES_ROLE_SQL));
    }
    if row.try_get::<bool, _>(2)? {
        found.push("it has REPLICATION (creates replication slots, streams the whole cluster)".into());
    }
    if row.try_get::<bool, _>(3)? {
        found.push("it has BYPASSRLS (reads past row-level security)".into());
    }
    if row.try_get::<bool, _>(4)? {
        found.push("it has CREATEROLE (can grant itself the roles below)".into());
    }
    for role in row.try_get::<Vec<String>, _>(5)? {
        let why = POSTGRES_ROLES.iter().find(|(name, _)| *name == role).map_or("", |(_, why)| why);
        found.push(format!("it is a member of {role} ({why})"));
    }
    if found.is_empty() { Ok(pid) } else { Err(refuse(label, &found, POSTGRES_ROLE_SQL)) }
}

/// Global MySQL/MariaDB privileges that let a SELECT reach past the store's
/// tables: files, other sessions, replication, server administration.
const MYSQL_PRIVILEGES: &[(&str, &str)] = &[
    ("ALL PRIVILEGES", "every privilege, FILE and SUPER included"),
    ("ALL", "every privilege, FILE and SUPER included"),
    ("FILE", "reads server files with LOAD_FILE and writes them with INTO OUTFILE"),
    ("SUPER", "ends other sessions, changes server settings"),
    ("PROCESS", "sees the statements other sessions run"),
    ("CONNECTION ADMIN", "ends other sessions"),
    ("SHUTDOWN", "stops the server"),
    ("RELOAD", "flushes and locks the server"),
    ("CREATE USER", "creates users"),
    ("GRANT OPTION", "grants privileges to others"),
    ("REPLICATION SLAVE", "streams the binary log"),
    ("REPLICATION CLIENT", "reads replication state"),
    ("BINLOG ADMIN", "administers the binary log"),
    ("BINLOG MONITOR", "reads replication state"),
    ("BINLOG REPLAY", "replays binary log events"),
    ("REPLICATION MASTER ADMIN", "administers replication"),
    ("REPLICATION SLAVE ADMIN", "administers replication"),
    ("REPLICA MONITOR", "reads replication state"),
    ("SLAVE MONITOR", "reads replication state"),
    ("READ_ONLY ADMIN", "writes while the server is read-only"),
    ("FEDERATED ADMIN", "reaches other servers"),
    ("SET USER", "runs code as other users"),
    ("SYSTEM_VARIABLES_ADMIN", "changes server settings"),
];

/// A MySQL/MariaDB session that passed the check.
pub(super) struct MySqlSession {
    /// CONNECTION_ID(), for `KILL`.
    pub id: u64,
    pub mariadb: bool,
}

/// The global privileges named in `SHOW GRANTS` lines (`... ON *.* ...`).
fn global_privileges(grants: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for line in grants {
        let upper = line.to_ascii_uppercase();
        let Some(rest) = upper.strip_prefix("GRANT ") else { continue };
        let Some((privileges, object)) = rest.split_once(" ON ") else { continue };
        if !object.trim_start().starts_with("*.*") {
            continue;
        }
        found.extend(privileges.split(',').map(|p| p.trim().to_string()));
        if object.contains("WITH GRANT OPTION") {
            found.push("GRANT OPTION".into());
        }
    }
    found
}

/// Checks the user's global privileges, keeps backslash escapes and
/// backquoted-only identifiers (the dialect the lexer reads), and returns
/// the connection id.
pub(super) async fn mysql(conn: &mut MySqlConnection, label: &str) -> Result<MySqlSession, Refusal> {
    // SHOW GRANTS (without FOR) includes the grants of the active role.
    let grants: Vec<String> = (&mut *conn).fetch_all("SHOW GRANTS").await?.iter().map(|row| row.try_get::<String, _>(0)).collect::<Result<_, _>>()?;
    let found: Vec<String> = global_privileges(&grants)
        .into_iter()
        .filter_map(|privilege| MYSQL_PRIVILEGES.iter().find(|(name, _)| *name == privilege).map(|(name, why)| format!("it has {name} ON *.* ({why})")))
        .collect();
    if !found.is_empty() {
        return Err(refuse(label, &found, MYSQL_USER_SQL));
    }
    let (id, version, mode): (u64, String, String) = sqlx::query_as("SELECT CONNECTION_ID(), VERSION(), @@SESSION.sql_mode").fetch_one(&mut *conn).await?;
    // With NO_BACKSLASH_ESCAPES or ANSI_QUOTES the server would read
    // strings differently from the lexer; this session does without them.
    let kept: Vec<&str> = mode.split(',').filter(|m| !matches!(m.trim(), "NO_BACKSLASH_ESCAPES" | "ANSI_QUOTES" | "ANSI")).collect();
    if kept.len() != mode.split(',').count() {
        sqlx::query("SET SESSION sql_mode = ?").bind(kept.join(",")).execute(&mut *conn).await?;
    }
    Ok(MySqlSession { id, mariadb: version.contains("MariaDB") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_privileges_come_from_star_star_lines_only() {
        let grants = [
            "GRANT FILE, PROCESS ON *.* TO `shop`@`%`".to_string(),
            "GRANT SELECT, INSERT ON `shop`.* TO `shop`@`%`".to_string(),
            "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION".to_string(),
            "GRANT `reader` TO `shop`@`%`".to_string(),
        ];
        assert_eq!(global_privileges(&grants), ["FILE", "PROCESS", "ALL PRIVILEGES", "GRANT OPTION"]);
    }
}
