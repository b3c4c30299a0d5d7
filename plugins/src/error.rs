//! The one error the gateway sees from a plugin call. No wasmtime type leaks
//! out: traps, limits and policy violations are classified here.

use std::time::Duration;

use crate::contract::ConnectorError;

/// Why a plugin call or load failed.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The call ran past its deadline (epoch interruption or the outer
    /// timeout, which also covers time spent in host calls).
    #[error("plugin call exceeded its {0:?} deadline")]
    Deadline(Duration),
    /// The plugin tried to grow its memory past the cap.
    #[error("plugin exceeded its memory cap of {cap_bytes} bytes")]
    Memory { cap_bytes: usize },
    /// The plugin trapped (a panic, an abort, an out-of-bounds access).
    #[error("plugin trapped: {0}")]
    Trap(String),
    /// The plugin returned more data than the host accepts from one call.
    #[error("plugin returned {size} bytes, over the {cap} byte cap")]
    OutputTooLarge { size: u64, cap: u64 },
    /// The plugin used or imports something it was not granted.
    #[error("capability denied: {0}")]
    CapabilityDenied(String),
    /// The plugin targets a contract version this host does not speak.
    #[error("plugin targets contract {plugin}, this host speaks {host}")]
    IncompatibleContract { plugin: String, host: String },
    /// The plugin could not be read, verified or compiled.
    #[error("could not load plugin: {0}")]
    Load(String),
    /// A webhook's signature is missing, ill-formed or does not match its
    /// body; the plugin was not called.
    #[error("webhook signature rejected: {0}")]
    BadSignature(String),
    /// The store's webhook secret and the plugin's declared signature scheme
    /// do not fit together (a secret without a scheme, or a scheme without a
    /// secret); the plugin was not called.
    #[error("webhook verification is misconfigured: {0}")]
    WebhookConfig(String),
    /// The store already ran as many calls at once as its share of the
    /// plugin host allows, and none finished within this call's deadline.
    #[error("the store's connector is at its share of the plugin host ({0} call(s) at once) and no slot freed within the call's deadline")]
    StoreBusy(usize),
    /// The plugin ran fine and reported an error of its own.
    #[error(transparent)]
    Connector(#[from] ConnectorError),
}

/// The kind of a [`PluginError`], for metrics, logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginErrorKind {
    Deadline,
    Memory,
    Trap,
    OutputTooLarge,
    CapabilityDenied,
    IncompatibleContract,
    Load,
    BadSignature,
    WebhookConfig,
    StoreBusy,
    Connector,
}

impl PluginError {
    pub fn kind(&self) -> PluginErrorKind {
        match self {
            PluginError::Deadline(_) => PluginErrorKind::Deadline,
            PluginError::Memory { .. } => PluginErrorKind::Memory,
            PluginError::Trap(_) => PluginErrorKind::Trap,
            PluginError::OutputTooLarge { .. } => PluginErrorKind::OutputTooLarge,
            PluginError::CapabilityDenied(_) => PluginErrorKind::CapabilityDenied,
            PluginError::IncompatibleContract { .. } => PluginErrorKind::IncompatibleContract,
            PluginError::Load(_) => PluginErrorKind::Load,
            PluginError::BadSignature(_) => PluginErrorKind::BadSignature,
            PluginError::WebhookConfig(_) => PluginErrorKind::WebhookConfig,
            PluginError::StoreBusy(_) => PluginErrorKind::StoreBusy,
            PluginError::Connector(_) => PluginErrorKind::Connector,
        }
    }
}
