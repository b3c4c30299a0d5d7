//! Errors that stop the gateway from starting or a command from finishing.
//! Request-level errors are `http::ApiError`.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("sessions: {0}")]
    Session(#[from] crate::session::SessionError),
    #[error("catalog sync of store `{store}`: {source}")]
    Sync { store: String, source: crate::catalog::sync::SyncError },
    #[error("model provider `{provider}`: {source}")]
    Provider { provider: String, source: crate::llm::LlmError },
    #[error("connector: {0}")]
    Connector(#[from] crate::connector::ConnectorFailure),
    #[error("connector sync of store `{store}`: {source}")]
    ConnectorSync { store: String, source: crate::connector::sync::ConnectorSyncError },
    #[error(
        "another gateway process on the same database is syncing store `{store}` right now; this run was skipped, since that one applies the same changes (run it again once that sync ends)"
    )]
    SyncHeldElsewhere { store: String },
    #[error("webhook for store `{store}` refused: {source}")]
    WebhookRefused { store: String, source: crate::connector::webhook::WebhookRefusal },
    #[error("embedding provider: {0}")]
    Embedding(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
