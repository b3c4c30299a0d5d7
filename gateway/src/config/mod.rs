//! Configuration, layered: built-in defaults, then `chatgw.toml`, then one
//! file per store in `stores/`, then the environment (`CHATGW__SECTION__KEY`
//! for the gateway, `CHATGW_STORE_<ID>__SECTION__KEY` for a store). Unknown
//! keys are errors that name the file and the key. Secrets are never written
//! in files: a file names the environment variable that holds them.

mod model;
mod validate;

use std::path::{Path, PathBuf};

pub use model::*;
pub use validate::is_origin;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment: {0}")]
    Environment(String),
    #[error("{source_name}: {key}: {message}")]
    Invalid { source_name: String, key: String, message: String },
    #[error("{0} problem(s) in the configuration:\n{1}")]
    Many(usize, String),
}

impl ConfigError {
    pub fn invalid(source_name: impl Into<String>, key: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { source_name: source_name.into(), key: key.into(), message: message.into() }
    }
}

/// Everything the gateway runs with: its own settings and its stores.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub gateway: GatewayConfig,
    pub stores: Vec<StoreConfig>,
    /// Where each store came from, for messages (same order as `stores`).
    pub store_sources: Vec<String>,
}

/// Loads `config_file` (optional: defaults alone are a valid gateway), then
/// every `*.toml` in the stores folder (from the file's `stores_dir`, or
/// `stores_dir` when given), then the environment, and validates the result.
pub fn load(config_file: Option<&Path>, stores_dir: Option<&Path>) -> Result<LoadedConfig, ConfigError> {
    let gateway = load_gateway(config_file)?;
    let dir = stores_folder(&gateway, config_file, stores_dir)?;
    let mut stores = Vec::new();
    let mut store_sources = Vec::new();
    for file in read_store_files(&dir)? {
        stores.push(file.parsed?);
        store_sources.push(file.source);
    }
    let loaded = LoadedConfig { gateway, stores, store_sources };
    validate::validate(&loaded)?;
    Ok(loaded)
}

/// The folder of store files: `stores_dir` when given (it must exist),
/// else the gateway's `stores_dir`, relative to the config file's folder.
pub fn stores_folder(gateway: &GatewayConfig, config_file: Option<&Path>, stores_dir: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(dir) = stores_dir {
        if !dir.is_dir() {
            return Err(ConfigError::File { path: dir.to_owned(), message: "the stores folder does not exist".into() });
        }
        return Ok(dir.to_owned());
    }
    let base = config_file.and_then(Path::parent).unwrap_or(Path::new("."));
    Ok(base.join(&gateway.stores_dir))
}

/// One store file as read, before the gateway-wide checks.
#[derive(Debug)]
pub struct StoreFile {
    pub source: String,
    pub parsed: Result<StoreConfig, ConfigError>,
}

/// Every `*.toml` in `dir` (none if the folder is absent), sorted by name,
/// each parsed on its own: one bad file does not hide the others.
pub fn read_store_files(dir: &Path) -> Result<Vec<StoreFile>, ConfigError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ConfigError::File { path: dir.to_owned(), message: format!("cannot read the stores folder: {e}") })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .map(|file| {
            let source = file.display().to_string();
            let parsed = std::fs::read_to_string(&file)
                .map_err(|e| ConfigError::File { path: file.clone(), message: format!("cannot read: {e}") })
                .and_then(|text| parse_store(&text, &source));
            StoreFile { source, parsed }
        })
        .collect())
}

/// Checks `stores` against each other and the gateway (ids, keys, plugins,
/// secrets in the environment), as a load does.
pub fn validate(gateway: &GatewayConfig, stores: &[StoreConfig], store_sources: &[String]) -> Result<(), ConfigError> {
    validate::validate(&LoadedConfig { gateway: gateway.clone(), stores: stores.to_vec(), store_sources: store_sources.to_vec() })
}

/// The gateway's own settings: defaults, `config_file`, the environment.
pub fn load_gateway(config_file: Option<&Path>) -> Result<GatewayConfig, ConfigError> {
    let mut builder = config::Config::builder();
    let source_name = match config_file {
        Some(path) => {
            if !path.is_file() {
                return Err(ConfigError::File { path: path.to_owned(), message: "file not found".into() });
            }
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
            path.display().to_string()
        }
        None => "defaults".to_owned(),
    };
    builder = builder.add_source(config::Environment::with_prefix("CHATGW").prefix_separator("__").separator("__").try_parsing(true));
    let built = builder.build().map_err(|e| file_error(&source_name, e))?;
    built.try_deserialize::<GatewayConfig>().map_err(|e| file_error(&source_name, e))
}

/// Parses one store's TOML (`source_name` names it in errors) and applies
/// its environment overrides.
pub fn parse_store(text: &str, source_name: &str) -> Result<StoreConfig, ConfigError> {
    // The id decides the environment prefix, so read it first.
    let id = toml_id(text, source_name)?;
    let env_prefix = format!("CHATGW_STORE_{}", id.to_uppercase().replace('-', "_"));
    let built = config::Config::builder()
        .add_source(config::File::from_str(text, config::FileFormat::Toml))
        .add_source(config::Environment::with_prefix(&env_prefix).prefix_separator("__").separator("__").try_parsing(true))
        .build()
        .map_err(|e| file_error(source_name, e))?;
    built.try_deserialize::<StoreConfig>().map_err(|e| file_error(source_name, e))
}

fn toml_id(text: &str, source_name: &str) -> Result<String, ConfigError> {
    let probe = config::Config::builder().add_source(config::File::from_str(text, config::FileFormat::Toml)).build().map_err(|e| file_error(source_name, e))?;
    probe.get_string("id").map_err(|_| ConfigError::invalid(source_name, "id", "missing: every store file needs `id = \"...\"`"))
}

fn file_error(source_name: &str, error: config::ConfigError) -> ConfigError {
    ConfigError::File { path: PathBuf::from(source_name), message: error.to_string() }
}

/// Reads a secret from the environment variable a config file names.
pub fn secret_from_env(variable: &str) -> Option<String> {
    std::env::var(variable).ok().filter(|v| !v.is_empty())
}

/// The connectors chatgw ships (built by `scripts/build-connectors.sh`). A
/// store names one with `plugin = "shopify"` and nothing else.
pub const FIRST_PARTY_CONNECTORS: &[&str] = &["shopify", "woocommerce", "django-rest", "generic-sql"];

/// Where the shipped connectors are looked for, in order (besides the
/// `[plugins]` section, which wins): the folder in `CHATGW_CONNECTORS_DIR`,
/// `connectors/` beside the gateway binary (a packaged install), and the
/// source checkout's `connectors/<name>/dist/` (built by
/// `scripts/build-connectors.sh`).
pub fn first_party_manifest_candidates(name: &str) -> Vec<std::path::PathBuf> {
    use std::path::PathBuf;
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = secret_from_env("CHATGW_CONNECTORS_DIR") {
        candidates.push(PathBuf::from(dir).join(name).join("connector.toml"));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|p| p.to_path_buf())) {
        candidates.push(dir.join("connectors").join(name).join("connector.toml"));
    }
    candidates.push(PathBuf::from("connectors").join(name).join("dist").join("connector.toml"));
    candidates
}

impl GatewayConfig {
    /// The manifest of the connector plugin `name`: the `[plugins]` entry,
    /// else a shipped connector where it is installed. The error says where
    /// it looked and how to fix it.
    pub fn plugin_manifest(&self, name: &str) -> Result<std::path::PathBuf, String> {
        if let Some(path) = self.plugins.get(name) {
            return Ok(std::path::PathBuf::from(path));
        }
        if !FIRST_PARTY_CONNECTORS.contains(&name) {
            return Err(format!(
                "`{name}` is not in the gateway's [plugins] (add `{name} = \"path/to/connector.toml\"` there) and not a shipped connector ({})",
                FIRST_PARTY_CONNECTORS.join(", ")
            ));
        }
        let candidates = first_party_manifest_candidates(name);
        candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
            let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
            format!(
                "the shipped connector `{name}` is not built: looked in {}. Build it with `bash scripts/build-connectors.sh {name}` (or set CHATGW_CONNECTORS_DIR to a folder holding {name}/connector.toml)",
                looked.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod plugin_manifest_tests {
    use super::*;

    #[test]
    fn a_shipped_connector_needs_no_plugins_entry_and_an_entry_wins() {
        let dir = std::env::temp_dir().join(format!("chatgw-connectors-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("shopify")).unwrap();
        std::fs::write(dir.join("shopify").join("connector.toml"), "id = \"shopify\"\n").unwrap();
        // Each test runs in its own process (nextest).
        unsafe { std::env::set_var("CHATGW_CONNECTORS_DIR", &dir) };
        let mut gateway = GatewayConfig::default();
        assert_eq!(gateway.plugin_manifest("shopify").unwrap(), dir.join("shopify").join("connector.toml"));

        let missing = gateway.plugin_manifest("woocommerce").unwrap_err();
        assert!(missing.contains("bash scripts/build-connectors.sh woocommerce"), "{missing}");
        let unknown = gateway.plugin_manifest("acme-erp").unwrap_err();
        assert!(unknown.contains("[plugins]") && unknown.contains("shopify, woocommerce"), "{unknown}");

        gateway.plugins.insert("shopify".into(), "my/own/shopify.toml".into());
        assert_eq!(gateway.plugin_manifest("shopify").unwrap(), std::path::PathBuf::from("my/own/shopify.toml"));
        std::fs::remove_dir_all(dir).ok();
    }
}
