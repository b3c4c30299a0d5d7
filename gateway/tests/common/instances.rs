//! Private PostgreSQL and Redis servers for fault tests: each on a free
//! port with its data in a temp folder, stopped and started by the test,
//! killed and removed on drop. The shared services are never touched.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root its
//! commands run as the `postgres` user (`runuser`). The binaries are those
//! of the shared server (`CHATGW_PG_BIN`, default
//! `/usr/lib/postgresql/15/bin`), so the pgvector it has installed works
//! here too.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// Attempts at finding a free port (another test may take the one picked
/// between releasing it and the server binding it).
const PORT_ATTEMPTS: usize = 5;

fn pg_bin(tool: &str) -> PathBuf {
    let dir = std::env::var("CHATGW_PG_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".to_owned());
    Path::new(&dir).join(tool)
}

/// A port nothing listens on right now (the OS picks it; released at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("bind 127.0.0.1:0 to find a free port")
}

fn running_as_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PostgreSQL server of the test's own.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PrivatePostgres {
    /// Initialises a cluster in a temp folder and starts it on a free port.
    /// Panics with directions when the binaries are missing.
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("chatgw-pg-").tempdir().expect("temp dir for a private PostgreSQL");
        let as_postgres = running_as_root();
        if as_postgres {
            let status = std::process::Command::new("chown").arg("-R").arg("postgres:postgres").arg(dir.path()).status().expect("chown");
            assert!(status.success(), "cannot hand {} to the postgres user", dir.path().display());
        }
        let mut pg = Self { dir, port: 0, as_postgres };
        let data = pg.data();
        let out = pg
            .command(&pg_bin("initdb"))
            .args(["-D", &data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
            .output()
            .await
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; install PostgreSQL 15 or set CHATGW_PG_BIN", pg_bin("initdb").display()));
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        for attempt in 1..=PORT_ATTEMPTS {
            pg.port = free_port();
            if pg.try_start().await {
                return pg;
            }
            eprintln!("private PostgreSQL did not start on port {} (attempt {attempt}): {}", pg.port, pg.log_tail());
        }
        panic!("private PostgreSQL did not start: {}", pg.log_tail());
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops the server as an operator's restart does (`-m fast`: sessions
    /// are ended with `admin_shutdown`).
    pub async fn stop(&self) {
        let out = self.command(&pg_bin("pg_ctl")).args(["-D", &self.data(), "-m", "fast", "-w", "-t", "30", "stop"]).output().await.expect("pg_ctl stop");
        assert!(out.status.success(), "pg_ctl stop failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the stopped server again on its port.
    pub async fn start_again(&self) {
        assert!(self.try_start().await, "private PostgreSQL did not start again on port {}: {}", self.port, self.log_tail());
    }

    /// Stop, then start, on the same port and data.
    pub async fn restart(&self) {
        self.stop().await;
        self.start_again().await;
    }

    async fn try_start(&self) -> bool {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off -c max_connections=40 -c shared_buffers=16MB",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        let out = self
            .command(&pg_bin("pg_ctl"))
            .args(["-D", &self.data(), "-l", &log, "-w", "-t", "30", "-o", &options, "start"])
            .output()
            .await
            .expect("pg_ctl start");
        out.status.success()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.stdin(Stdio::null()).kill_on_drop(true);
        command
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        log.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // Immediate: nothing of this cluster is worth a clean shutdown.
        let mut command = if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_bin("pg_ctl"));
            c
        } else {
            std::process::Command::new(pg_bin("pg_ctl"))
        };
        let _ = command.args(["-D", &self.data(), "-m", "immediate", "-w", "stop"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

/// A Redis server of the test's own, without persistence.
pub struct PrivateRedis {
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("chatgw-redis-").tempdir().expect("temp dir for a private Redis");
        let mut redis = Self { dir, port: 0, child: None };
        for attempt in 1..=PORT_ATTEMPTS {
            redis.port = free_port();
            if redis.try_start().await {
                return redis;
            }
            eprintln!("private Redis did not start on port {} (attempt {attempt})", redis.port);
        }
        panic!("private Redis did not start; is `redis-server` installed (apt-get install redis-server)?");
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (its data goes with it: no persistence).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// Starts an empty server again on the same port.
    pub async fn start_again(&mut self) {
        assert!(self.try_start().await, "private Redis did not start again on port {}", self.port);
    }

    async fn try_start(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn();
        let Ok(mut child) = child else { return false };
        let client = redis::Client::open(self.url()).expect("redis url");
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                return false; // exited: the port was taken
            }
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING").query_async::<String>(&mut conn).await.is_ok()
            {
                self.child = Some(child);
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill().await;
        false
    }

    /// Keys matching `pattern`, asked of this server directly.
    pub async fn keys(&self, pattern: &str) -> Vec<String> {
        let client = redis::Client::open(self.url()).expect("redis url");
        let mut conn = client.get_multiplexed_async_connection().await.expect("connect to the private Redis");
        redis::cmd("KEYS").arg(pattern).query_async(&mut conn).await.expect("KEYS")
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
    }
}
