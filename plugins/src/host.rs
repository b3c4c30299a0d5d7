//! Loading plugins and running calls. A plugin is verified (sha256, contract
//! version, imports) and pre-linked once; each call gets a fresh `Store` with
//! its own memory cap, deadline and capabilities, so nothing survives a trap
//! and one store's connector never sees another's grants.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use wasmtime::component::types::ComponentItem;
use wasmtime::{Store, Trap, UpdateDeadline};

use crate::contract::{self as c, WireSize};
use crate::engine::PluginEngine;
use crate::grants::{Capability, Secret, StoreGrants};
use crate::http::{HttpGate, HttpTransport};
use crate::manifest::{Manifest, sha256_hex};
use crate::settings_schema;
use crate::state::{EffectiveGrants, HostState, LOG_LINES_PER_CALL, escape_plugin_text};
use crate::v1::{self, ExportCall, Reply};
use crate::webhook;
use crate::{CONTRACT_VERSION, PluginError};

/// Extra time the outer timeout gives over the epoch deadline, so a plugin
/// spinning in wasm is reported by the epoch check and the outer timeout only
/// catches time stuck in host calls.
const OUTER_GRACE: Duration = Duration::from_millis(250);

/// WASI interfaces a connector may import: what language runtimes need to
/// start (stdio, clocks, random, an empty environment, exit). Not filesystem,
/// sockets or http.
const WASI_BASELINE: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
];

/// Limits for one call. `Default` is the one set of defaults: the gateway's
/// `[plugin_limits]` defaults and the local runner both start from it, and
/// `sdk/README.md` lists it for plugin authors.
#[derive(Debug, Clone)]
pub struct CallLimits {
    /// Cap on the plugin's linear memory.
    pub memory_bytes: usize,
    /// Wall-clock budget for the whole call, host calls included.
    pub deadline: Duration,
    /// Cap on the size of what the call returns (as JSON).
    pub max_output_bytes: u64,
    /// HTTP requests one call may send; the next one ends the call.
    pub max_http_requests: u32,
    /// Largest body of one HTTP request.
    pub max_request_body_bytes: u64,
    /// Bytes of HTTP requests (URL, headers, body) one call may send.
    pub max_request_bytes: u64,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            memory_bytes: 64 * 1024 * 1024,
            deadline: Duration::from_secs(15),
            max_output_bytes: 16 * 1024 * 1024,
            max_http_requests: 1_000,
            max_request_body_bytes: 1024 * 1024,
            max_request_bytes: 16 * 1024 * 1024,
        }
    }
}

/// What one call cost, measured by the host: wall time from instantiation to
/// the answer (host calls included) and the high-water mark of the
/// instance's linear memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallMetrics {
    pub elapsed: Duration,
    pub peak_memory_bytes: u64,
}

/// Loads and verifies plugins on the shared engine.
#[derive(Clone)]
pub struct PluginHost {
    engine: PluginEngine,
    /// What the load-time `describe` call runs under: a plugin is loaded
    /// before any store binds it, so the gateway's configured limits.
    load_limits: CallLimits,
}

impl PluginHost {
    pub fn new(engine: PluginEngine) -> Self {
        PluginHost { engine, load_limits: CallLimits::default() }
    }

    /// Runs the load-time `describe` under `limits` (the gateway passes its
    /// `[plugin_limits]`) instead of the defaults.
    pub fn with_load_limits(mut self, limits: CallLimits) -> Self {
        self.load_limits = limits;
        self
    }

    pub fn engine(&self) -> &PluginEngine {
        &self.engine
    }

    /// Loads `connector.toml` and the component it names.
    pub async fn load(&self, manifest_path: &Path) -> Result<Arc<LoadedPlugin>, PluginError> {
        let manifest = Manifest::read(manifest_path)?;
        let wasm = tokio::fs::read(&manifest.wasm).await.map_err(|e| PluginError::Load(format!("cannot read {}: {e}", manifest.wasm.display())))?;
        self.load_bytes(manifest, wasm).await
    }

    /// Verifies and prepares a plugin: contract version, sha256, imports,
    /// compilation (cached by sha256), linking, and a `describe` call whose
    /// id must match the manifest.
    pub async fn load_bytes(&self, manifest: Manifest, wasm: Vec<u8>) -> Result<Arc<LoadedPlugin>, PluginError> {
        check_contract(&manifest.contract)?;
        manifest.verify(&wasm)?;
        self.prepare(Some(manifest), wasm).await
    }

    /// For development tools (the local runner) only: loads a component that
    /// has no `connector.toml`. The manifest is synthesized from the
    /// component itself: id and version from `describe`, the contract
    /// version it exports, and as capabilities everything it imports or
    /// describes. A store never runs a plugin this way, because the manifest's
    /// sha256 is what the operator approved.
    pub async fn load_unpackaged(&self, wasm: Vec<u8>) -> Result<Arc<LoadedPlugin>, PluginError> {
        self.prepare(None, wasm).await
    }

    /// Compiles, checks and links a component, then calls `describe`. With
    /// `manifest: None` the manifest is synthesized (see `load_unpackaged`).
    async fn prepare(&self, manifest: Option<Manifest>, wasm: Vec<u8>) -> Result<Arc<LoadedPlugin>, PluginError> {
        let sha256 = sha256_hex(&wasm);
        let synthesized = manifest.is_none();
        let mut manifest = manifest.unwrap_or_else(|| Manifest {
            id: "(unpackaged)".into(),
            version: String::new(),
            contract: CONTRACT_VERSION.into(),
            capabilities: Vec::new(),
            sha256: sha256.clone(),
            wasm: "connector.wasm".into(),
        });
        let engine = self.engine.clone();
        let key = sha256.clone();
        let component = tokio::task::spawn_blocking(move || engine.compile(&key, &wasm))
            .await
            .map_err(|e| PluginError::Load(format!("compilation task failed: {e}")))??;

        let inner = &self.engine.inner;
        let ty = component.component_type();
        let export_version = ty.exports(&inner.engine).find_map(|(name, _)| name.strip_prefix("chatgw:connector/plugin@").map(str::to_string));
        let Some(export_version) = export_version else {
            let other = ty.exports(&inner.engine).find_map(|(name, _)| name.starts_with("chatgw:connector/").then(|| name.to_string()));
            return Err(match other {
                Some(name) => PluginError::IncompatibleContract { plugin: name, host: CONTRACT_VERSION.into() },
                None => {
                    PluginError::Load(format!("component of `{}` does not export chatgw:connector/plugin; build it for the `connector` world", manifest.id))
                }
            });
        };
        check_contract(&export_version)?;
        if synthesized {
            manifest.contract = export_version.clone();
        }

        let mut imported = BTreeSet::new();
        for (name, item) in ty.imports(&inner.engine) {
            let unversioned = name.split('@').next().unwrap_or(name);
            if let Some(interface) = unversioned.strip_prefix("chatgw:connector/") {
                if let Some(version) = name.split('@').nth(1) {
                    check_contract(version)?;
                }
                if interface == "types" {
                    continue;
                }
                let capability = Capability::from_interface(interface)
                    .ok_or_else(|| PluginError::CapabilityDenied(format!("plugin imports unknown host interface `{name}`")))?;
                if !synthesized && !manifest.capabilities.contains(&capability) {
                    return Err(PluginError::CapabilityDenied(format!(
                        "plugin imports `{name}` but its connector.toml does not request `{}`",
                        serde_json::to_value(capability).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
                    )));
                }
                imported.insert(capability);
                if synthesized && !manifest.capabilities.contains(&capability) {
                    manifest.capabilities.push(capability);
                }
            } else if !WASI_BASELINE.contains(&unversioned) || !matches!(item.ty, ComponentItem::ComponentInstance(_)) {
                return Err(PluginError::CapabilityDenied(format!(
                    "plugin imports `{name}`, which connectors are never granted (no filesystem, sockets, \
                     environment or direct network; use the chatgw:connector host interfaces)"
                )));
            }
        }

        let instance_pre = inner.linker.instantiate_pre(&component).map_err(|e| PluginError::Load(format!("cannot link plugin `{}`: {e:#}", manifest.id)))?;
        let pre = v1::pre(instance_pre).map_err(|e| PluginError::Load(format!("plugin `{}` does not match contract 1.x: {e:#}", manifest.id)))?;

        let mut plugin = LoadedPlugin { id: Arc::from(manifest.id.as_str()), manifest, sha256, imported, descriptor: None, pre, engine: self.engine.clone() };
        let described = match plugin.invoke(Arc::new(EffectiveGrants::default()), &self.load_limits, ExportCall::Describe).await? {
            Reply::Describe(d) => d,
            other => unreachable!("describe answers with a descriptor, got {other:?}"),
        };
        if synthesized {
            plugin.id = Arc::from(described.id.as_str());
            plugin.manifest.id = described.id.clone();
            plugin.manifest.version = described.version.clone();
            for capability in &described.capabilities {
                if !plugin.manifest.capabilities.contains(capability) {
                    plugin.manifest.capabilities.push(*capability);
                }
            }
        }
        if described.id != plugin.manifest.id {
            return Err(PluginError::Load(format!("connector.toml says id `{}` but the plugin describes itself as `{}`", plugin.manifest.id, described.id)));
        }
        settings_schema::check_schema(&described.settings_schema)
            .map_err(|why| PluginError::Load(format!("plugin `{}`: describe() returned an invalid settings-schema: {why}", plugin.manifest.id)))?;
        plugin.descriptor = Some(described);
        Ok(Arc::new(plugin))
    }
}

/// Accepts 1.x with x <= the host's minor version.
fn check_contract(version: &str) -> Result<(), PluginError> {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.trim().split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    let (host_major, host_minor) = parse(CONTRACT_VERSION).expect("CONTRACT_VERSION is semver");
    match parse(version) {
        Some((major, minor)) if major == host_major && minor <= host_minor => Ok(()),
        _ => Err(PluginError::IncompatibleContract { plugin: version.to_string(), host: CONTRACT_VERSION.to_string() }),
    }
}

/// A verified, pre-linked plugin. Calls share nothing but the compiled code.
pub struct LoadedPlugin {
    id: Arc<str>,
    manifest: Manifest,
    sha256: String,
    /// Host capabilities the component imports.
    imported: BTreeSet<Capability>,
    descriptor: Option<c::Descriptor>,
    pre: v1::Pre,
    engine: PluginEngine,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("id", &self.id).field("version", &self.manifest.version).field("sha256", &self.sha256).finish()
    }
}

impl LoadedPlugin {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    pub fn descriptor(&self) -> &c::Descriptor {
        self.descriptor.as_ref().expect("set by load_bytes before the plugin is shared")
    }

    /// Effective = requested (manifest) ∩ granted (store). Fails, naming the
    /// import, if the component imports a capability the store did not grant.
    fn effective(&self, grants: &StoreGrants, http: &Option<Arc<HttpGate>>) -> Result<EffectiveGrants, PluginError> {
        let requested: BTreeSet<Capability> = self.manifest.capabilities.iter().copied().collect();
        let granted = grants.granted();
        if let Some(missing) = self.imported.iter().find(|cap| !granted.contains(cap)) {
            return Err(PluginError::CapabilityDenied(format!(
                "plugin `{}` imports chatgw:connector/{} but this store does not grant it",
                self.id,
                missing.interface()
            )));
        }
        let on = |cap| requested.contains(&cap) && granted.contains(&cap);
        Ok(EffectiveGrants {
            http: if on(Capability::Http) { http.clone() } else { None },
            sql: if on(Capability::Sql) { grants.sql.clone() } else { None },
            log: on(Capability::Log),
            clock: on(Capability::Clock),
        })
    }

    async fn invoke(&self, grants: Arc<EffectiveGrants>, limits: &CallLimits, call: ExportCall) -> Result<Reply, PluginError> {
        self.invoke_measured(grants, limits, call).await.0
    }

    /// Runs one call in a fresh store and measures it.
    async fn invoke_measured(&self, grants: Arc<EffectiveGrants>, limits: &CallLimits, call: ExportCall) -> (Result<Reply, PluginError>, CallMetrics) {
        let started = Instant::now();
        let mut peak_memory_bytes = 0;
        let result = self.invoke_in_store(grants, limits, call, &mut peak_memory_bytes).await;
        let metrics = CallMetrics { elapsed: started.elapsed(), peak_memory_bytes: peak_memory_bytes as u64 };
        (result, metrics)
    }

    async fn invoke_in_store(
        &self,
        grants: Arc<EffectiveGrants>,
        limits: &CallLimits,
        call: ExportCall,
        peak_memory_bytes: &mut usize,
    ) -> Result<Reply, PluginError> {
        let inner = &self.engine.inner;
        if limits.memory_bytes > inner.options.max_memory_bytes {
            return Err(PluginError::Load(format!("memory cap {} exceeds the engine's ceiling {}", limits.memory_bytes, inner.options.max_memory_bytes)));
        }
        let mut store = Store::new(&inner.engine, HostState::new(self.id.clone(), grants, limits));
        store.limiter(|state| &mut state.limiter);
        let deadline = Instant::now() + limits.deadline;
        // Check every tick: yield to the executor (so the outer timeout and
        // other tasks can run) until the deadline, then interrupt.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| if Instant::now() >= deadline { Err(Trap::Interrupt.into()) } else { Ok(UpdateDeadline::Yield(1)) });

        let calls = inner.calls.clone();
        let pre = &self.pre;
        let outcome = tokio::time::timeout(limits.deadline + OUTER_GRACE, async {
            let _permit = calls.acquire_owned().await.map_err(|_| wasmtime::format_err!("plugin host is shutting down"))?;
            v1::run(pre, &mut store, call).await
        })
        .await;

        let state = store.data();
        *peak_memory_bytes = state.limiter.peak_memory_bytes;
        if state.log_lines > LOG_LINES_PER_CALL {
            let dropped = state.log_lines - LOG_LINES_PER_CALL;
            tracing::warn!(target: "plugin", plugin = %self.id, dropped, "plugin wrote more than {LOG_LINES_PER_CALL} log lines in one call; {dropped} dropped");
        }
        if let Some(why) = &state.violation {
            // One line per call, however often the plugin tried: the first
            // violation ended the call.
            tracing::warn!(target: "plugin", plugin = %self.id, violation = %escape_plugin_text(why, 2048), "plugin call ended: capability violation");
            return Err(PluginError::CapabilityDenied(why.clone()));
        }
        let reply = match outcome {
            Err(_elapsed) => return Err(PluginError::Deadline(limits.deadline)),
            Ok(Err(error)) => return Err(classify(error, state, limits)),
            Ok(Ok(reply)) => reply,
        };
        let size = reply.wire_size();
        if size > limits.max_output_bytes {
            return Err(PluginError::OutputTooLarge { size, cap: limits.max_output_bytes });
        }
        Ok(reply)
    }
}

fn classify(error: wasmtime::Error, state: &HostState, limits: &CallLimits) -> PluginError {
    if state.limiter.memory_denied {
        return PluginError::Memory { cap_bytes: limits.memory_bytes };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => PluginError::Deadline(limits.deadline),
        Some(trap) => {
            let stderr = state.stderr_text();
            if stderr.is_empty() { PluginError::Trap(trap.to_string()) } else { PluginError::Trap(format!("{trap}; plugin stderr: {stderr}")) }
        }
        None => PluginError::Trap(format!("{error:#}")),
    }
}

/// The current version of one plugin. `replace` swaps it atomically: calls
/// already running finish on the version they started with.
pub struct PluginSlot {
    current: ArcSwap<LoadedPlugin>,
}

impl PluginSlot {
    pub fn new(plugin: Arc<LoadedPlugin>) -> Arc<Self> {
        Arc::new(PluginSlot { current: ArcSwap::new(plugin) })
    }

    pub fn current(&self) -> Arc<LoadedPlugin> {
        self.current.load_full()
    }

    /// Hot reload. The new version must keep the same connector id.
    pub fn replace(&self, plugin: Arc<LoadedPlugin>) -> Result<Arc<LoadedPlugin>, PluginError> {
        let old = self.current();
        if old.id != plugin.id {
            return Err(PluginError::Load(format!("cannot replace `{}` with `{}`", old.id, plugin.id)));
        }
        Ok(self.current.swap(plugin))
    }

    /// Binds this plugin to one store's grants and limits.
    pub fn connector(self: &Arc<Self>, grants: StoreGrants, limits: CallLimits) -> Result<ConnectorHandle, PluginError> {
        let http = match &grants.http {
            Some(grant) => Some(Arc::new(HttpGate::new(grant.clone()).map_err(PluginError::Load)?)),
            None => None,
        };
        self.bind(grants, limits, http)
    }

    /// Like [`PluginSlot::connector`], with HTTP carried by `transport`
    /// instead of the network (the local runner's fixture replay, test
    /// doubles). The store's HTTP grant still decides what is allowed.
    pub fn connector_with_transport(
        self: &Arc<Self>,
        grants: StoreGrants,
        limits: CallLimits,
        transport: Arc<dyn HttpTransport>,
    ) -> Result<ConnectorHandle, PluginError> {
        let http = match &grants.http {
            Some(grant) => Some(Arc::new(HttpGate::with_transport(grant.clone(), transport).map_err(PluginError::Load)?)),
            None => None,
        };
        self.bind(grants, limits, http)
    }

    fn bind(self: &Arc<Self>, grants: StoreGrants, limits: CallLimits, http: Option<Arc<HttpGate>>) -> Result<ConnectorHandle, PluginError> {
        // Fail early, naming the import, rather than on the first call.
        self.current().effective(&grants, &http)?;
        Ok(ConnectorHandle { slot: self.clone(), grants, http, limits, share: None })
    }
}

/// One store's connector: the gateway's handle for calling it.
pub struct ConnectorHandle {
    slot: Arc<PluginSlot>,
    grants: StoreGrants,
    http: Option<Arc<HttpGate>>,
    limits: CallLimits,
    /// The store's share of the engine's concurrent calls, taken before the
    /// engine's own permit so one store's flood or slow API queues behind
    /// its own calls, not everyone's.
    share: Option<(Arc<tokio::sync::Semaphore>, usize)>,
}

macro_rules! expect_reply {
    ($reply:expr, $variant:ident) => {
        match $reply {
            Reply::$variant(value) => value,
            other => unreachable!(concat!("the call answers with Reply::", stringify!($variant), ", got {:?}"), other),
        }
    };
}

impl ConnectorHandle {
    pub fn limits(&self) -> &CallLimits {
        &self.limits
    }

    /// Lets at most `calls` of this handle's calls run at once; a call
    /// waiting longer than its deadline for one fails with
    /// [`PluginError::StoreBusy`].
    pub fn with_call_share(mut self, calls: usize) -> Self {
        let calls = calls.max(1);
        self.share = Some((Arc::new(tokio::sync::Semaphore::new(calls)), calls));
        self
    }

    async fn share_permit(&self) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, PluginError> {
        let Some((share, calls)) = &self.share else { return Ok(None) };
        match tokio::time::timeout(self.limits.deadline, share.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Some(permit)),
            // The semaphore is never closed; a closed one is as good as busy.
            Ok(Err(_)) | Err(_) => Err(PluginError::StoreBusy(*calls)),
        }
    }

    async fn invoke(&self, call: ExportCall) -> Result<Reply, PluginError> {
        self.invoke_on(&self.slot.current(), call).await
    }

    /// One call and what it cost (the local runner reports both).
    pub(crate) async fn invoke_measured(&self, call: ExportCall) -> (Result<Reply, PluginError>, CallMetrics) {
        let _share = match self.share_permit().await {
            Ok(permit) => permit,
            Err(error) => return (Err(error), CallMetrics::default()),
        };
        let plugin = self.slot.current();
        match plugin.effective(&self.grants, &self.http) {
            Ok(grants) => plugin.invoke_measured(Arc::new(grants), &self.limits, call).await,
            Err(error) => (Err(error), CallMetrics::default()),
        }
    }

    /// The plugin version calls currently go to.
    pub fn plugin(&self) -> Arc<LoadedPlugin> {
        self.slot.current()
    }

    async fn invoke_on(&self, plugin: &LoadedPlugin, call: ExportCall) -> Result<Reply, PluginError> {
        let _share = self.share_permit().await?;
        let grants = Arc::new(plugin.effective(&self.grants, &self.http)?);
        plugin.invoke(grants, &self.limits, call).await
    }

    /// The descriptor of the current version (cached at load).
    pub fn describe(&self) -> c::Descriptor {
        self.slot.current().descriptor().clone()
    }

    pub async fn check_connection(&self, settings: &str) -> Result<(), PluginError> {
        Ok(expect_reply!(self.invoke(ExportCall::CheckConnection { settings: settings.into() }).await?, Unit)?)
    }

    pub async fn sync_products(&self, settings: &str, cursor: Option<&str>, since: Option<&str>) -> Result<c::ProductPage, PluginError> {
        let call = ExportCall::SyncProducts { settings: settings.into(), cursor: cursor.map(Into::into), since: since.map(Into::into) };
        Ok(expect_reply!(self.invoke(call).await?, ProductPage)?)
    }

    pub async fn get_stock(&self, settings: &str, skus: &[String]) -> Result<Vec<c::StockLevel>, PluginError> {
        Ok(expect_reply!(self.invoke(ExportCall::GetStock { settings: settings.into(), skus: skus.to_vec() }).await?, Stock)?)
    }

    pub async fn get_order(&self, settings: &str, order_ref: &str) -> Result<c::Order, PluginError> {
        let call = ExportCall::GetOrder { settings: settings.into(), order_ref: order_ref.into() };
        Ok(expect_reply!(self.invoke(call).await?, Order)?)
    }

    /// Checks a webhook's signature on the raw body, per the scheme the
    /// plugin declares (see [`crate::webhook::verify`]), and only then lets
    /// the plugin parse it. `secret` is the store's webhook secret. A bad
    /// signature fails with [`PluginError::BadSignature`] and a secret that
    /// does not fit the scheme with [`PluginError::WebhookConfig`]; in both
    /// cases the plugin is not called.
    pub async fn handle_webhook(
        &self,
        settings: &str,
        topic: &str,
        headers: Vec<c::Header>,
        body: Vec<u8>,
        secret: Option<&Secret>,
    ) -> Result<Vec<c::WebhookEvent>, PluginError> {
        // Verify and call the same version, even if a reload lands between.
        let plugin = self.slot.current();
        webhook::verify(&plugin.descriptor().webhook_signature, secret, &headers, &body)?;
        let call = ExportCall::ParseWebhook { settings: settings.into(), topic: topic.into(), headers, body };
        Ok(expect_reply!(self.invoke_on(&plugin, call).await?, Webhook)?)
    }

    /// Lets the plugin parse a webhook without checking its signature. For
    /// callers that verified it themselves (or replay recorded webhooks);
    /// webhooks from the network go through [`Self::handle_webhook`].
    pub async fn parse_webhook(&self, settings: &str, topic: &str, headers: Vec<c::Header>, body: Vec<u8>) -> Result<Vec<c::WebhookEvent>, PluginError> {
        let call = ExportCall::ParseWebhook { settings: settings.into(), topic: topic.into(), headers, body };
        Ok(expect_reply!(self.invoke(call).await?, Webhook)?)
    }

    pub async fn list_tools(&self, settings: &str) -> Result<Vec<c::ToolSpec>, PluginError> {
        Ok(expect_reply!(self.invoke(ExportCall::ListTools { settings: settings.into() }).await?, Tools))
    }

    /// Arguments and result are JSON text.
    pub async fn call_tool(&self, settings: &str, name: &str, arguments: &str) -> Result<String, PluginError> {
        let call = ExportCall::CallTool { settings: settings.into(), name: name.into(), arguments: arguments.into() };
        Ok(expect_reply!(self.invoke(call).await?, ToolResult)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every WASI interface the import check accepts is one the linker
    /// provides: a component importing it links (an empty instance type
    /// matches any definition of that name).
    #[test]
    fn every_accepted_wasi_import_is_linked() {
        let engine = PluginEngine::new(crate::EngineOptions { pooling: false, ..crate::EngineOptions::default() }).unwrap();
        let inner = &engine.inner;
        for name in WASI_BASELINE {
            let mut types = wasm_encoder::ComponentTypeSection::new();
            types.instance(&wasm_encoder::InstanceType::new());
            let mut imports = wasm_encoder::ComponentImportSection::new();
            imports.import(format!("{name}@0.2.0").as_str(), wasm_encoder::ComponentTypeRef::Instance(0));
            let mut bytes = wasm_encoder::Component::new();
            bytes.section(&types).section(&imports);
            let component = wasmtime::component::Component::new(&inner.engine, bytes.finish()).unwrap();
            if let Err(error) = inner.linker.instantiate_pre(&component) {
                panic!("`{name}` passes the import check but is not linked: {error:#}");
            }
        }
    }
}
