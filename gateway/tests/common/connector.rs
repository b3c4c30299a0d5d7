//! A store whose catalog comes from a connector plugin talking to a test
//! peer on loopback (plain HTTP, allowed because the host is private), so
//! each connector's tests state only what differs: the plugin, its
//! settings and how the host authenticates.

use std::collections::BTreeMap;

use chatgw::config::{
    CatalogSource, ConnectorSource, CredentialConfig, CredentialKind, HttpGrantConfig, ModelRouting, RetrievalConfig, StoreConfig, WebhookConfig,
};

/// HTTP Basic credentials (WooCommerce's consumer key and secret) for the
/// peer at `host_port`, read from these environment variables.
pub fn basic_credential(host_port: &str, username_env: &str, password_env: &str) -> CredentialConfig {
    CredentialConfig {
        host: format!("http://{host_port}"),
        kind: CredentialKind::Basic,
        header: String::new(),
        value_env: String::new(),
        prefix: String::new(),
        username_env: username_env.into(),
        password_env: password_env.into(),
    }
}

/// Store `id` (public key `pk_<id>_test`, EUR, English) served by `plugin`
/// with `settings`, allowed to reach `host_port` with `credential`, and
/// verifying webhooks with the secret in `webhook_secret_env`.
pub fn connector_store(
    id: &str,
    plugin: &str,
    settings: BTreeMap<String, serde_json::Value>,
    host_port: &str,
    credential: CredentialConfig,
    webhook_secret_env: &str,
) -> StoreConfig {
    StoreConfig {
        id: id.into(),
        name: format!("{id} (test store)"),
        languages: vec!["en".into()],
        public_key: format!("pk_{id}_test"),
        allowed_origins: vec![],
        currency: "EUR".into(),
        persona: String::new(),
        policies: String::new(),
        catalog: CatalogSource::Connector(ConnectorSource {
            plugin: plugin.into(),
            settings,
            sync_interval_minutes: 0,
            http: Some(HttpGrantConfig { allowed_hosts: vec![], private_hosts: vec![host_port.into()], credentials: vec![credential] }),
            sql: None,
            webhook: Some(WebhookConfig { secret_env: webhook_secret_env.into(), delivery_id_header: None }),
            max_pages_per_sync: 10_000,
            max_webhook_events: 250,
        }),
        models: ModelRouting::default(),
        retrieval: RetrievalConfig::default(),
        limits: Default::default(),
        handoff: Default::default(),
        shipping: None,
        widget: Default::default(),
    }
}
