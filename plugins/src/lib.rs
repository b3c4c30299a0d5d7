//! The sandbox that runs store connector plugins: WebAssembly components that
//! third parties write against the `chatgw:connector` WIT contract in
//! `sdk/wit/`. Everything wasmtime-shaped stays inside this crate; the gateway
//! sees plain Rust types ([`contract`]) and one error type ([`PluginError`]).
//!
//! Layout: [`engine`] owns the one wasmtime `Engine` (and the compiled-code
//! cache), [`host`] loads plugins and runs each call in a fresh, capped store,
//! [`grants`] and [`http`] decide what a plugin may reach, and `v1` is the
//! boundary for contract 1.x (a future 2.x gets its own module next to it).

pub mod contract;
pub mod engine;
mod error;
pub mod grants;
pub mod host;
pub mod http;
pub mod manifest;
mod state;
mod v1;

pub use contract::*;
pub use engine::{EngineOptions, PluginEngine};
pub use error::{PluginError, PluginErrorKind};
pub use grants::{
    AllowedHost, Capability, Credential, HttpGrant, Secret, SqlExecutor, SqlFailure, SqlRows,
    SqlValue, StoreGrants,
};
pub use host::{CallLimits, ConnectorHandle, LoadedPlugin, PluginHost, PluginSlot};
pub use manifest::Manifest;

/// The contract version this host implements. Plugins built against any 1.x
/// contract with x <= this minor version are accepted.
pub const CONTRACT_VERSION: &str = "1.0.0";
