//! The sandbox that runs store connector plugins: WebAssembly components that
//! third parties write against the `chatgw:connector` WIT contract in
//! `sdk/wit/`. Everything wasmtime-shaped stays inside this crate; the gateway
//! sees plain Rust types ([`contract`]) and one error type ([`PluginError`]).
//!
//! Layout: [`engine`] owns the one wasmtime `Engine` (and the compiled-code
//! cache), [`host`] loads plugins and runs each call in a fresh, capped store,
//! [`grants`], [`http`] (with [`address`]) and [`sql`] decide what a plugin may reach,
//! [`webhook`] checks signatures before a plugin sees a webhook, and `v1` is
//! the boundary for contract 1.x (a future 2.x gets its own module next to
//! it). For plugin authors, [`runner`] runs a plugin against recorded
//! fixtures and [`scaffold`] writes a new plugin project from the template.

pub mod address;
pub mod contract;
pub mod engine;
mod error;
pub mod grants;
pub mod host;
pub mod http;
pub mod manifest;
pub mod runner;
pub mod scaffold;
pub mod settings_schema;
pub mod sql;
mod state;
mod v1;
pub mod webhook;

pub use contract::*;
pub use engine::{EngineOptions, PluginEngine};
pub use error::{PluginError, PluginErrorKind};
pub use grants::{AllowedHost, Capability, Credential, HttpGrant, Origin, Secret, SqlExecutor, SqlFailure, SqlRows, SqlValue, StoreGrants};
pub use host::{CallLimits, CallMetrics, ConnectorHandle, LoadedPlugin, PluginHost, PluginSlot};
pub use manifest::Manifest;
pub use sql::{SqlBackend, SqlConfigError, SqlGate, SqlGrantConfig};

/// The contract version this host implements. Plugins built against any 1.x
/// contract with x <= this minor version are accepted.
pub const CONTRACT_VERSION: &str = "1.0.0";
