//! The local runner for plugin authors: runs one connector function against
//! recorded HTTP and SQL fixtures instead of a live store, and reports the
//! result, the wall time, the instance's peak linear memory and every request
//! the plugin made. `chatgw plugin run` is a thin shell over [`Runner`].
//!
//! The plugin goes through the same host as in the gateway (manifest checks,
//! capability intersection, allow-list, limits); only the transport under
//! `host-http` and the executor under `host-sql` are replays.

mod fixtures;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::contract as c;
use crate::engine::{EngineOptions, PluginEngine};
use crate::grants::{AllowedHost, Capability, HttpGrant, SqlExecutor, StoreGrants};
use crate::host::{CallLimits, CallMetrics, ConnectorHandle, LoadedPlugin, PluginHost, PluginSlot};
use crate::manifest::Manifest;
use crate::v1::{ExportCall, Reply};
use crate::{PluginError, PluginErrorKind};

pub use fixtures::{FixtureError, Fixtures, HttpExchange, SqlExchange};
use fixtures::{Journal, ReplaySql, ReplayTransport};

/// `--all-pages` stops here: a catalogue this long in a fixtures folder is a
/// plugin that never returns `next-cursor: none`.
const MAX_PAGES: usize = 10_000;

/// How to run: the store's settings, the fixtures, the limits.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// The store's settings object as JSON text, passed to every call.
    pub settings: String,
    /// Folder with `http/` and `sql/` fixtures; `None` runs with none, so
    /// every request is reported as a missing fixture.
    pub fixtures: Option<PathBuf>,
    pub limits: CallLimits,
    /// Hosts allowed besides those the HTTP fixtures answer for (exact, or
    /// `*.example.com` for subdomains).
    pub allow_hosts: Vec<String>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        RunnerOptions { settings: "{}".into(), fixtures: None, limits: CallLimits::default(), allow_hosts: Vec::new() }
    }
}

/// Why the runner could not start: the plugin, its manifest, the settings or
/// the fixtures.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error(transparent)]
    Fixtures(#[from] FixtureError),
    #[error("{0}")]
    Input(String),
}

/// Where the plugin's manifest came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestSource {
    /// A `connector.toml`, honoured as the gateway would: its sha256 must
    /// match and only the capabilities it requests are granted.
    File(PathBuf),
    /// A bare `.wasm`: every capability the component imports or describes
    /// is granted.
    Synthesized,
}

impl fmt::Display for ManifestSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestSource::File(path) => write!(f, "{}", path.display()),
            ManifestSource::Synthesized => f.write_str("synthesized (no connector.toml next to the wasm; everything it requests is granted)"),
        }
    }
}

/// One connector function with its arguments.
#[derive(Debug, Clone)]
pub enum RunCall {
    Describe,
    CheckConnection,
    SyncProducts {
        cursor: Option<String>,
        since: Option<String>,
        /// Follow `next-cursor` until the last page and report every product.
        all_pages: bool,
    },
    GetStock {
        skus: Vec<String>,
    },
    GetOrder {
        order_ref: String,
    },
    ListTools,
    CallTool {
        name: String,
        /// JSON text.
        arguments: String,
    },
    /// Runs the plugin's parser on a recorded webhook. The signature is not
    /// checked here (the runner holds no webhook secret).
    ParseWebhook {
        topic: String,
        headers: Vec<c::Header>,
        body: Vec<u8>,
    },
}

impl RunCall {
    /// The contract's name for the function.
    pub fn function(&self) -> &'static str {
        match self {
            RunCall::Describe => "describe",
            RunCall::CheckConnection => "check-connection",
            RunCall::SyncProducts { .. } => "sync-products",
            RunCall::GetStock { .. } => "get-stock",
            RunCall::GetOrder { .. } => "get-order",
            RunCall::ListTools => "list-tools",
            RunCall::CallTool { .. } => "call-tool",
            RunCall::ParseWebhook { .. } => "parse-webhook",
        }
    }
}

/// Why a run produced no result.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    /// The plugin made a request that no fixture answers. This wins over
    /// whatever the plugin made of the failed request.
    #[error("{0}")]
    MissingFixture(String),
    /// The call failed: an error value from the connector, a trap, a limit,
    /// a refused capability.
    #[error(transparent)]
    Plugin(PluginError),
    /// `--all-pages` found a cursor loop or no end.
    #[error("{0}")]
    Pagination(String),
}

impl RunFailure {
    /// A stable, kebab-case name: `missing-fixture`, `pagination`, or the
    /// plugin error's kind (`connector`, `memory`, `deadline`, …).
    pub fn kind(&self) -> String {
        match self {
            RunFailure::MissingFixture(_) => "missing-fixture".into(),
            RunFailure::Pagination(_) => "pagination".into(),
            RunFailure::Plugin(error) => kebab(&format!("{:?}", error.kind())),
        }
    }

    /// What to do about it, where the runner can tell.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            RunFailure::Plugin(PluginError::CapabilityDenied(why)) if why.contains("allow-listed") => Some(
                "the runner allow-lists only the hosts its HTTP fixtures answer for (and any \
                 extra allowed hosts): pass the fixtures folder, or record a fixture for this host",
            ),
            RunFailure::Plugin(error) => match error.kind() {
                PluginErrorKind::Memory => Some("the call needs more memory than the cap: use less, or raise the cap"),
                PluginErrorKind::Deadline => Some("the call ran past its deadline"),
                _ => None,
            },
            _ => None,
        }
    }
}

fn kebab(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// One plugin call of a run (a run of `--all-pages` makes several).
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// The cursor a `sync-products` page was asked with.
    pub cursor: Option<String>,
    pub metrics: CallMetrics,
}

/// Who ran.
#[derive(Debug, Clone, Serialize)]
pub struct PluginSummary {
    pub id: String,
    pub version: String,
    pub contract: String,
    pub sha256: String,
    pub capabilities: Vec<Capability>,
    pub manifest: String,
}

/// What one run did and cost.
#[derive(Debug)]
pub struct RunReport {
    pub plugin: PluginSummary,
    pub function: &'static str,
    pub result: Result<serde_json::Value, RunFailure>,
    pub calls: Vec<CallRecord>,
    pub memory_cap_bytes: u64,
    pub http: Vec<HttpExchange>,
    pub sql: Vec<SqlExchange>,
}

impl RunReport {
    /// Wall time of the plugin calls (instantiation and host calls included).
    pub fn wall_time(&self) -> Duration {
        self.calls.iter().map(|c| c.metrics.elapsed).sum()
    }

    /// The highest linear memory any call of the run reached.
    pub fn peak_memory_bytes(&self) -> u64 {
        self.calls.iter().map(|c| c.metrics.peak_memory_bytes).max().unwrap_or(0)
    }

    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

impl Serialize for CallRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("CallRecord", 3)?;
        s.serialize_field("cursor", &self.cursor)?;
        s.serialize_field("wall_time_ms", &millis(self.metrics.elapsed))?;
        s.serialize_field("peak_memory_bytes", &self.metrics.peak_memory_bytes)?;
        s.end()
    }
}

impl Serialize for RunFailure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("RunFailure", 4)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        match self {
            RunFailure::Plugin(PluginError::Connector(error)) => {
                s.serialize_field("connector_error", error)?;
            }
            _ => s.skip_field("connector_error")?,
        }
        match self.hint() {
            Some(hint) => s.serialize_field("hint", hint)?,
            None => s.skip_field("hint")?,
        }
        s.end()
    }
}

/// The JSON form: `result` or `error`, then the measurements.
impl Serialize for RunReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("RunReport", 10)?;
        s.serialize_field("plugin", &self.plugin)?;
        s.serialize_field("function", self.function)?;
        match &self.result {
            Ok(value) => {
                s.serialize_field("ok", &true)?;
                s.serialize_field("result", value)?;
                s.skip_field("error")?;
            }
            Err(failure) => {
                s.serialize_field("ok", &false)?;
                s.skip_field("result")?;
                s.serialize_field("error", failure)?;
            }
        }
        s.serialize_field("wall_time_ms", &millis(self.wall_time()))?;
        s.serialize_field("peak_memory_bytes", &self.peak_memory_bytes())?;
        s.serialize_field("memory_cap_bytes", &self.memory_cap_bytes)?;
        s.serialize_field("calls", &self.calls)?;
        s.serialize_field("http", &self.http)?;
        s.serialize_field("sql", &self.sql)?;
        s.end()
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The text form `chatgw plugin run` prints.
impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.plugin;
        let capabilities: Vec<&str> = p
            .capabilities
            .iter()
            .map(|c| match c {
                Capability::Http => "http",
                Capability::Sql => "sql",
                Capability::Log => "log",
                Capability::Clock => "clock",
            })
            .collect();
        writeln!(
            f,
            "plugin    {} {} (contract {}, capabilities {})",
            p.id,
            p.version,
            p.contract,
            if capabilities.is_empty() { "none".into() } else { capabilities.join(", ") }
        )?;
        writeln!(f, "manifest  {}", p.manifest)?;
        writeln!(f, "sha256    {}", p.sha256)?;
        let pages = if self.calls.len() > 1 { format!(" ({} calls)", self.calls.len()) } else { String::new() };
        match &self.result {
            Ok(value) => {
                writeln!(f, "call      {}{pages}: ok", self.function)?;
                let pretty = serde_json::to_string_pretty(value).map_err(|_| fmt::Error)?;
                writeln!(f, "{pretty}")?;
            }
            Err(failure) => {
                writeln!(f, "call      {}{pages}: error ({})", self.function, failure.kind())?;
                writeln!(f, "{failure}")?;
                if let Some(hint) = failure.hint() {
                    writeln!(f, "hint: {hint}")?;
                }
            }
        }
        let per_call = if self.calls.len() > 1 {
            let each: Vec<String> = self.calls.iter().map(|c| format!("{}", millis(c.metrics.elapsed))).collect();
            format!(" ({} ms per call)", each.join(", "))
        } else {
            String::new()
        };
        writeln!(f, "time      {} ms{per_call}", millis(self.wall_time()))?;
        writeln!(f, "memory    peak {} ({} bytes) of a {} cap", mib(self.peak_memory_bytes()), self.peak_memory_bytes(), mib(self.memory_cap_bytes))?;
        writeln!(f, "http      {} request(s)", self.http.len())?;
        for exchange in &self.http {
            match (&exchange.fixture, exchange.status) {
                (Some(file), Some(status)) => writeln!(f, "  {} {} -> {status} ({file})", exchange.method, exchange.url)?,
                _ => writeln!(f, "  {} {} -> no fixture", exchange.method, exchange.url)?,
            }
        }
        write!(f, "sql       {} query(ies)", self.sql.len())?;
        for exchange in &self.sql {
            let params = serde_json::Value::from(exchange.params.clone());
            match (&exchange.fixture, exchange.rows) {
                (Some(file), Some(rows)) => write!(f, "\n  {} {params} -> {rows} row(s) ({file})", exchange.statement)?,
                _ => write!(f, "\n  {} {params} -> no fixture", exchange.statement)?,
            }
        }
        Ok(())
    }
}

/// A plugin loaded for local runs, with its settings and fixtures.
pub struct Runner {
    slot: Arc<PluginSlot>,
    manifest: ManifestSource,
    fixtures: Arc<Fixtures>,
    settings: String,
    limits: CallLimits,
    allowed_hosts: Vec<AllowedHost>,
}

impl Runner {
    /// Loads `plugin`: a `.wasm` (with the `connector.toml` next to it, if
    /// any), a `connector.toml`, or a folder holding one.
    pub async fn load(plugin: &Path, options: RunnerOptions) -> Result<Runner, RunnerError> {
        let defaults = EngineOptions::default();
        let engine = PluginEngine::new(EngineOptions {
            max_memory_bytes: defaults.max_memory_bytes.max(options.limits.memory_bytes),
            max_concurrent_calls: 4,
            pooling: false,
            ..defaults
        })?;
        Runner::load_with(engine, plugin, options).await
    }

    /// [`Runner::load`] on an engine of the caller's.
    pub async fn load_with(engine: PluginEngine, plugin: &Path, options: RunnerOptions) -> Result<Runner, RunnerError> {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&options.settings) {
            return Err(RunnerError::Input(format!("the settings are not JSON ({e}); give the store's settings object, e.g. {{\"base_url\": \"https://…\"}}")));
        }
        let fixtures = match &options.fixtures {
            Some(dir) => Fixtures::load(dir)?,
            None => Fixtures::none(),
        };
        let host = PluginHost::new(engine).with_load_limits(options.limits.clone());
        let (loaded, manifest) = load_plugin(&host, plugin).await?;
        let mut allowed_hosts: Vec<AllowedHost> = fixtures
            .http_hosts()
            .into_iter()
            .chain(options.allow_hosts.iter().cloned())
            .map(|host| AllowedHost {
                // Nothing leaves the machine, so private names are harmless.
                allow_private: true,
                ..AllowedHost::public(host)
            })
            .collect();
        allowed_hosts.dedup_by(|a, b| a.host == b.host);
        Ok(Runner { slot: PluginSlot::new(loaded), manifest, fixtures: Arc::new(fixtures), settings: options.settings, limits: options.limits, allowed_hosts })
    }

    pub fn plugin(&self) -> Arc<LoadedPlugin> {
        self.slot.current()
    }

    pub fn manifest_source(&self) -> &ManifestSource {
        &self.manifest
    }

    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// Runs one function and reports it. Never fails: a failure is the
    /// report's `result`.
    pub async fn run(&self, call: RunCall) -> RunReport {
        let plugin = self.slot.current();
        let journal = Arc::new(Mutex::new(Journal::default()));
        let mut calls = Vec::new();
        let result = match self.bind(&plugin, &journal) {
            Ok(connector) => self.execute(&connector, &call, &mut calls).await,
            Err(error) => Err(RunFailure::Plugin(error)),
        };
        let journal = std::mem::take(&mut *journal.lock().expect("journal lock poisoned"));
        let result = match journal.miss {
            Some(why) => Err(RunFailure::MissingFixture(why)),
            None => result,
        };
        let manifest = plugin.manifest();
        RunReport {
            plugin: PluginSummary {
                id: manifest.id.clone(),
                version: manifest.version.clone(),
                contract: manifest.contract.clone(),
                sha256: plugin.sha256().to_string(),
                capabilities: manifest.capabilities.clone(),
                manifest: self.manifest.to_string(),
            },
            function: call.function(),
            result,
            calls,
            memory_cap_bytes: self.limits.memory_bytes as u64,
            http: journal.http,
            sql: journal.sql,
        }
    }

    /// The store side of a run: every capability the manifest requests,
    /// with HTTP and SQL answered from the fixtures.
    fn bind(&self, plugin: &LoadedPlugin, journal: &Arc<Mutex<Journal>>) -> Result<ConnectorHandle, PluginError> {
        let requested = &plugin.manifest().capabilities;
        let grants = StoreGrants {
            http: requested.contains(&Capability::Http).then(|| HttpGrant { allowed_hosts: self.allowed_hosts.clone(), ..HttpGrant::default() }),
            sql: requested.contains(&Capability::Sql).then(|| Arc::new(ReplaySql::new(self.fixtures.clone(), journal.clone())) as Arc<dyn SqlExecutor>),
            log: requested.contains(&Capability::Log),
            clock: requested.contains(&Capability::Clock),
        };
        let transport = Arc::new(ReplayTransport::new(self.fixtures.clone(), journal.clone()));
        self.slot.connector_with_transport(grants, self.limits.clone(), transport)
    }

    async fn execute(&self, connector: &ConnectorHandle, call: &RunCall, calls: &mut Vec<CallRecord>) -> Result<serde_json::Value, RunFailure> {
        let settings = self.settings.clone();
        let export = match call {
            RunCall::SyncProducts { cursor, since, all_pages: true } => {
                return self.all_pages(connector, cursor.clone(), since.clone(), calls).await;
            }
            RunCall::Describe => ExportCall::Describe,
            RunCall::CheckConnection => ExportCall::CheckConnection { settings },
            RunCall::SyncProducts { cursor, since, .. } => ExportCall::SyncProducts { settings, cursor: cursor.clone(), since: since.clone() },
            RunCall::GetStock { skus } => ExportCall::GetStock { settings, skus: skus.clone() },
            RunCall::GetOrder { order_ref } => ExportCall::GetOrder { settings, order_ref: order_ref.clone() },
            RunCall::ListTools => ExportCall::ListTools { settings },
            RunCall::CallTool { name, arguments } => ExportCall::CallTool { settings, name: name.clone(), arguments: arguments.clone() },
            RunCall::ParseWebhook { topic, headers, body } => {
                ExportCall::ParseWebhook { settings, topic: topic.clone(), headers: headers.clone(), body: body.clone() }
            }
        };
        let cursor = match call {
            RunCall::SyncProducts { cursor, .. } => cursor.clone(),
            _ => None,
        };
        let (reply, metrics) = connector.invoke_measured(export).await;
        calls.push(CallRecord { cursor, metrics });
        reply_json(reply.map_err(RunFailure::Plugin)?).map_err(RunFailure::Plugin)
    }

    /// Follows `next-cursor` to the last page; the result holds every product.
    async fn all_pages(
        &self,
        connector: &ConnectorHandle,
        mut cursor: Option<String>,
        since: Option<String>,
        calls: &mut Vec<CallRecord>,
    ) -> Result<serde_json::Value, RunFailure> {
        let mut products = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        loop {
            if calls.len() >= MAX_PAGES {
                return Err(RunFailure::Pagination(format!("stopped after {MAX_PAGES} pages: the plugin keeps returning a next-cursor")));
            }
            let call = ExportCall::SyncProducts { settings: self.settings.clone(), cursor: cursor.clone(), since: since.clone() };
            let (reply, metrics) = connector.invoke_measured(call).await;
            calls.push(CallRecord { cursor: cursor.clone(), metrics });
            let page = match reply.map_err(RunFailure::Plugin)? {
                Reply::ProductPage(page) => page.map_err(|e| RunFailure::Plugin(PluginError::Connector(e)))?,
                other => unreachable!("sync-products answers with a page, got {other:?}"),
            };
            products.extend(page.products);
            match page.next_cursor {
                None => break,
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(RunFailure::Pagination(format!(
                            "the plugin returned next-cursor `{next}` a second time (after page {}); \
                             it would page forever",
                            calls.len()
                        )));
                    }
                    cursor = Some(next);
                }
            }
        }
        Ok(serde_json::json!({ "pages": calls.len(), "products": products }))
    }
}

/// A reply as JSON; connector error values become `PluginError::Connector`.
fn reply_json(reply: Reply) -> Result<serde_json::Value, PluginError> {
    fn json(value: impl Serialize) -> serde_json::Value {
        serde_json::to_value(value).expect("contract types serialise to JSON")
    }
    Ok(match reply {
        Reply::Describe(descriptor) => json(descriptor),
        Reply::Unit(result) => {
            result?;
            serde_json::json!({ "connected": true })
        }
        Reply::ProductPage(page) => json(page?),
        Reply::Stock(levels) => json(levels?),
        Reply::Order(order) => json(order?),
        Reply::Webhook(events) => json(events?),
        Reply::Tools(tools) => json(tools),
        Reply::ToolResult(text) => {
            let text = text?;
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        }
    })
}

/// Loads the plugin and decides where its manifest comes from.
async fn load_plugin(host: &PluginHost, path: &Path) -> Result<(Arc<LoadedPlugin>, ManifestSource), RunnerError> {
    let manifest_path = if path.is_dir() {
        Some(path.join("connector.toml"))
    } else if path.extension().is_some_and(|ext| ext == "toml") {
        Some(path.to_path_buf())
    } else {
        None
    };
    if let Some(manifest_path) = manifest_path {
        if !manifest_path.is_file() {
            return Err(RunnerError::Input(format!("{} not found; give a .wasm, a connector.toml, or a folder holding one", manifest_path.display())));
        }
        let plugin = host.load(&manifest_path).await?;
        return Ok((plugin, ManifestSource::File(manifest_path)));
    }

    let wasm = tokio::fs::read(path).await.map_err(|e| {
        RunnerError::Input(format!("cannot read {}: {e}; build the plugin first (cargo build --release --target wasm32-wasip2)", path.display()))
    })?;
    let sibling = path.parent().map(|dir| dir.join("connector.toml")).filter(|candidate| candidate.is_file());
    let Some(manifest_path) = sibling else {
        return Ok((host.load_unpackaged(wasm).await?, ManifestSource::Synthesized));
    };
    let manifest = Manifest::read(&manifest_path)?;
    let same_file = match (std::fs::canonicalize(&manifest.wasm), std::fs::canonicalize(path)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_file {
        return Err(RunnerError::Input(format!(
            "{} describes {}, not {}; run that file (or the folder), or move {} away from the manifest",
            manifest_path.display(),
            manifest.wasm.display(),
            path.display(),
            path.display()
        )));
    }
    let plugin = host.load_bytes(manifest, wasm).await?;
    Ok((plugin, ManifestSource::File(manifest_path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_kinds_are_kebab_case() {
        assert_eq!(kebab("CapabilityDenied"), "capability-denied");
        assert_eq!(kebab("Memory"), "memory");
        assert_eq!(RunFailure::Plugin(PluginError::Memory { cap_bytes: 1 }).kind(), "memory");
        assert_eq!(RunFailure::MissingFixture(String::new()).kind(), "missing-fixture");
    }
}
