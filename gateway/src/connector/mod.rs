//! Store connectors: the plugin host bound to one store's settings and
//! grants. A store whose catalog is `kind = "connector"` gets its products
//! from the plugin (paged, resumable sync; webhooks) and its live facts
//! (stock, orders, the plugin's own tools) through [`ConnectorToolBox`].
//!
//! Secrets stay here: credentials become headers the host adds to the
//! plugin's requests, the webhook secret checks signatures before the plugin
//! sees a body, and a database URL becomes a read-only SQL gate. None of
//! them is in the settings JSON a plugin receives.

pub mod convert;
pub mod sync;
pub mod tools;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chatgw_plugins::contract as c;
use chatgw_plugins::{
    AllowedHost, CallLimits, Capability, ConnectorHandle, Credential, EngineOptions, HttpGrant, Origin, PluginEngine, PluginError, PluginErrorKind, PluginHost,
    PluginSlot, Secret, SqlGate, SqlGrantConfig, StoreGrants,
};

use crate::config::{ConnectorSource, CredentialKind, GatewayConfig, secret_from_env};

pub use tools::ConnectorToolBox;

/// Why a connector could not be set up or answered.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorFailure {
    #[error("plugin `{plugin}`: {message}")]
    Setup { plugin: String, message: String },
    #[error("plugin `{plugin}`: {source}")]
    Call { plugin: String, source: PluginError },
}

impl ConnectorFailure {
    /// The plugin's own answer was "no such thing".
    pub fn is_not_found(&self) -> bool {
        matches!(self, ConnectorFailure::Call { source: PluginError::Connector(c::ConnectorError::NotFound(_)), .. })
    }

    pub fn kind(&self) -> Option<PluginErrorKind> {
        match self {
            ConnectorFailure::Call { source, .. } => Some(source.kind()),
            ConnectorFailure::Setup { .. } => None,
        }
    }
}

/// The gateway's plugin host: one engine, each installed plugin loaded once
/// and shared by the stores that use it.
pub struct Connectors {
    host: PluginHost,
    slots: HashMap<String, Arc<PluginSlot>>,
    limits: CallLimits,
}

impl Connectors {
    pub fn new(gateway: &GatewayConfig) -> Result<Self, ConnectorFailure> {
        let limits = call_limits(gateway);
        let options = EngineOptions { max_memory_bytes: limits.memory_bytes.max(EngineOptions::default().max_memory_bytes), ..EngineOptions::default() };
        let engine = PluginEngine::new(options).map_err(|e| ConnectorFailure::Setup { plugin: "*".into(), message: e.to_string() })?;
        // A plugin's load-time `describe` runs under the same limits as
        // every other call.
        let host = PluginHost::new(engine).with_load_limits(limits.clone());
        Ok(Self { host, slots: HashMap::new(), limits })
    }

    /// Loads (once) the plugin a store names.
    async fn slot(&mut self, gateway: &GatewayConfig, plugin: &str) -> Result<Arc<PluginSlot>, ConnectorFailure> {
        if let Some(slot) = self.slots.get(plugin) {
            return Ok(slot.clone());
        }
        let setup = |message: String| ConnectorFailure::Setup { plugin: plugin.to_owned(), message };
        let path = gateway.plugin_manifest(plugin).map_err(setup)?;
        let loaded = self.host.load(&path).await.map_err(|e| setup(format!("{e} (manifest {})", path.display())))?;
        tracing::info!(plugin, version = %loaded.manifest().version, sha256 = %loaded.sha256(), "connector plugin loaded");
        let slot = PluginSlot::new(loaded);
        self.slots.insert(plugin.to_owned(), slot.clone());
        Ok(slot)
    }

    /// Reloads every plugin whose installed file changed (its manifest's
    /// sha256 differs from the loaded one). Calls in flight finish on the
    /// version they started with; a new version that fails to load leaves
    /// the old one serving. Returns, per changed plugin, the new sha256 or
    /// why it was not loaded.
    pub async fn reload_changed(&self, gateway: &GatewayConfig) -> Vec<(String, Result<String, ConnectorFailure>)> {
        let mut changes = Vec::new();
        for (plugin, slot) in &self.slots {
            let Ok(path) = gateway.plugin_manifest(plugin) else { continue };
            let setup = |message: String| ConnectorFailure::Setup { plugin: plugin.clone(), message: format!("{message} (manifest {})", path.display()) };
            let manifest = match chatgw_plugins::Manifest::read(&path) {
                Ok(manifest) => manifest,
                Err(e) => {
                    changes.push((plugin.clone(), Err(setup(e.to_string()))));
                    continue;
                }
            };
            if manifest.sha256.eq_ignore_ascii_case(slot.current().sha256()) {
                continue;
            }
            let outcome = match self.host.load(&path).await {
                Ok(loaded) => {
                    let sha = loaded.sha256().to_owned();
                    slot.replace(loaded).map(|_| sha).map_err(|e| setup(e.to_string()))
                }
                Err(e) => Err(setup(e.to_string())),
            };
            match &outcome {
                Ok(sha) => tracing::info!(plugin = %plugin, sha256 = %sha, "connector plugin reloaded"),
                Err(e) => tracing::warn!(plugin = %plugin, error = %e, "changed connector plugin not loaded; the previous version keeps serving"),
            }
            changes.push((plugin.clone(), outcome));
        }
        changes
    }

    /// Binds a store's connector: its plugin, settings and grants.
    pub async fn connect(&mut self, gateway: &GatewayConfig, store_id: &str, source: &ConnectorSource) -> Result<StoreConnector, ConnectorFailure> {
        let slot = self.slot(gateway, &source.plugin).await?;
        let grants = grants(gateway, store_id, source, &slot.current().manifest().capabilities)?;
        let handle = slot
            .connector(grants, self.limits.clone())
            .map_err(|source_error| ConnectorFailure::Call { plugin: source.plugin.clone(), source: source_error })?;
        let settings = serde_json::to_string(&source.settings).expect("settings are JSON values");
        // A store whose settings the plugin cannot read fails here, naming
        // the setting, rather than on its first call.
        let settings_value = serde_json::Value::Object(source.settings.clone().into_iter().collect());
        chatgw_plugins::settings_schema::check_settings(&handle.describe().settings_schema, &settings_value).map_err(|why| ConnectorFailure::Setup {
            plugin: source.plugin.clone(),
            message: format!("store `{store_id}`: catalog.settings do not match the plugin's settings-schema: {why}"),
        })?;
        let webhook_secret = match &source.webhook {
            Some(webhook) => Some(Secret::new(secret_from_env(&webhook.secret_env).ok_or_else(|| ConnectorFailure::Setup {
                plugin: source.plugin.clone(),
                message: format!("store `{store_id}`: environment variable `{}` (webhook secret) is not set", webhook.secret_env),
            })?)),
            None => None,
        };
        Ok(StoreConnector { plugin: source.plugin.clone(), handle, settings, webhook_secret })
    }
}

/// The limits of every plugin call, from the gateway's `[plugin_limits]`.
pub fn call_limits(gateway: &GatewayConfig) -> CallLimits {
    let l = &gateway.plugin_limits;
    CallLimits {
        memory_bytes: (l.memory_mb * 1024 * 1024) as usize,
        deadline: Duration::from_millis(l.call_timeout_ms),
        max_output_bytes: l.max_output_kb * 1024,
        max_http_requests: l.max_http_requests_per_call,
        max_request_body_bytes: l.max_request_body_kb * 1024,
        max_request_bytes: l.max_request_total_kb * 1024,
    }
}

/// What the store grants, as the host understands it. Log and clock are
/// harmless and granted when the manifest asks for them. Public so that a
/// benchmark can bind a plugin exactly as the gateway does.
pub fn grants(gateway: &GatewayConfig, store_id: &str, source: &ConnectorSource, requested: &[Capability]) -> Result<StoreGrants, ConnectorFailure> {
    let setup = |message: String| ConnectorFailure::Setup { plugin: source.plugin.clone(), message: format!("store `{store_id}`: {message}") };
    let http = match &source.http {
        Some(config) => {
            let mut allowed_hosts: Vec<AllowedHost> = config.allowed_hosts.iter().map(AllowedHost::public).collect();
            for entry in &config.private_hosts {
                let (host, port) = match entry.rsplit_once(':') {
                    Some((host, port)) => (host, Some(port.parse::<u16>().map_err(|_| setup(format!("private host `{entry}` has a bad port")))?)),
                    None => (entry.as_str(), None),
                };
                allowed_hosts.push(AllowedHost::private(host, port));
            }
            let mut credentials = Vec::new();
            for credential in &config.credentials {
                let origin = Origin::parse(&credential.host).map_err(|why| setup(format!("credential host: {why}")))?;
                let env =
                    |name: &str| secret_from_env(name).ok_or_else(|| setup(format!("environment variable `{name}` (credential for {origin}) is not set")));
                credentials.push(match credential.kind {
                    CredentialKind::Header => {
                        let value = env(&credential.value_env)?;
                        Credential::header(origin.clone(), &credential.header, Secret::new(format!("{}{value}", credential.prefix)))
                    }
                    CredentialKind::Basic => {
                        Credential::basic(origin.clone(), &Secret::new(env(&credential.username_env)?), &Secret::new(env(&credential.password_env)?))
                    }
                });
            }
            Some(HttpGrant { allowed_hosts, credentials, max_response_bytes: gateway.plugin_limits.max_response_kb * 1024, ..HttpGrant::default() })
        }
        None => None,
    };
    let sql = match &source.sql {
        Some(label) => {
            let database = gateway.databases.get(label).ok_or_else(|| setup(format!("database `{label}` is not in the gateway's [databases]")))?;
            let url = secret_from_env(&database.url_env)
                .ok_or_else(|| setup(format!("environment variable `{}` (database `{label}`) is not set", database.url_env)))?;
            let mut config = SqlGrantConfig::new(label.clone(), Secret::new(url));
            config.max_rows = database.max_rows as usize;
            config.max_bytes = database.max_bytes;
            config.statement_timeout = Duration::from_millis(database.statement_timeout_ms);
            let gate = SqlGate::new(config).map_err(|e| setup(format!("database `{label}`: {e}")))?;
            Some(Arc::new(gate) as Arc<dyn chatgw_plugins::SqlExecutor>)
        }
        None => None,
    };
    Ok(StoreGrants { http, sql, log: requested.contains(&Capability::Log), clock: requested.contains(&Capability::Clock) })
}

/// Available units per SKU. A level without a location is the plugin's
/// own total and wins; otherwise the locations add up (negative levels,
/// oversold stock, count as zero).
pub fn stock_totals(levels: &[c::StockLevel]) -> HashMap<String, i64> {
    let mut totals: HashMap<String, i64> = HashMap::new();
    for level in levels.iter().filter(|l| l.location.is_some()) {
        *totals.entry(level.sku.clone()).or_default() += level.available.max(0);
    }
    for level in levels.iter().filter(|l| l.location.is_none()) {
        totals.insert(level.sku.clone(), level.available.max(0));
    }
    totals
}

/// One store's connector, ready to call.
pub struct StoreConnector {
    plugin: String,
    handle: ConnectorHandle,
    /// The store's settings object as JSON (no secrets).
    settings: String,
    webhook_secret: Option<Secret>,
}

impl StoreConnector {
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// The sha256 of the plugin version serving now.
    pub fn plugin_sha256(&self) -> String {
        self.handle.plugin().sha256().to_owned()
    }

    /// Caps the store's plugin calls running at once (its
    /// `limits.plugin_calls_in_flight`), so it cannot starve other stores.
    pub fn with_call_share(mut self, calls: usize) -> Self {
        self.handle = self.handle.with_call_share(calls);
        self
    }

    fn fail(&self, source: PluginError) -> ConnectorFailure {
        ConnectorFailure::Call { plugin: self.plugin.clone(), source }
    }

    pub async fn check_connection(&self) -> Result<(), ConnectorFailure> {
        self.handle.check_connection(&self.settings).await.map_err(|e| self.fail(e))
    }

    pub async fn sync_page(&self, cursor: Option<String>, since: Option<String>) -> Result<c::ProductPage, ConnectorFailure> {
        self.handle.sync_products(&self.settings, cursor.as_deref(), since.as_deref()).await.map_err(|e| self.fail(e))
    }

    pub async fn get_stock(&self, skus: &[String]) -> Result<Vec<c::StockLevel>, ConnectorFailure> {
        self.handle.get_stock(&self.settings, skus).await.map_err(|e| self.fail(e))
    }

    pub async fn get_order(&self, order_ref: &str) -> Result<c::Order, ConnectorFailure> {
        self.handle.get_order(&self.settings, order_ref).await.map_err(|e| self.fail(e))
    }

    pub async fn list_tools(&self) -> Result<Vec<c::ToolSpec>, ConnectorFailure> {
        self.handle.list_tools(&self.settings).await.map_err(|e| self.fail(e))
    }

    pub async fn call_tool(&self, name: &str, arguments: &str) -> Result<String, ConnectorFailure> {
        self.handle.call_tool(&self.settings, name, arguments).await.map_err(|e| self.fail(e))
    }

    /// Verifies the signature on the raw body, then lets the plugin parse it.
    pub async fn webhook(&self, topic: &str, headers: Vec<c::Header>, body: Vec<u8>) -> Result<Vec<c::WebhookEvent>, ConnectorFailure> {
        self.handle.handle_webhook(&self.settings, topic, headers, body, self.webhook_secret.as_ref()).await.map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(sku: &str, location: Option<&str>, available: i64) -> c::StockLevel {
        c::StockLevel { sku: sku.into(), location: location.map(Into::into), available }
    }

    #[test]
    fn a_plugin_total_wins_over_its_locations() {
        let totals =
            stock_totals(&[level("A", Some("x"), 1), level("A", Some("y"), 2), level("A", None, 3), level("B", Some("x"), 2), level("B", Some("y"), -1)]);
        assert_eq!(totals["A"], 3);
        assert_eq!(totals["B"], 2);
    }
}
