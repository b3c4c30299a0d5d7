//! `connector.toml`: who the plugin says it is, which contract it targets,
//! what it needs, and the sha256 of the exact wasm the operator approved.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::PluginError;
use crate::grants::Capability;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Stable connector id, e.g. "shopify".
    pub id: String,
    /// The connector's own version.
    pub version: String,
    /// The contract version it was built against, e.g. "1.0.0".
    pub contract: String,
    /// Capabilities it asks for; a store grants a subset.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// Hex sha256 of the component file.
    pub sha256: String,
    /// Component file, relative to the manifest; defaults to `connector.wasm`.
    #[serde(default = "default_wasm")]
    pub wasm: PathBuf,
}

fn default_wasm() -> PathBuf {
    PathBuf::from("connector.wasm")
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, PluginError> {
        toml::from_str(text).map_err(|e| PluginError::Load(format!("invalid connector.toml: {e}")))
    }

    /// Reads a manifest; `wasm` is resolved against the manifest's folder.
    pub fn read(path: &Path) -> Result<Manifest, PluginError> {
        let text = std::fs::read_to_string(path).map_err(|e| PluginError::Load(format!("cannot read {}: {e}", path.display())))?;
        let mut manifest = Manifest::parse(&text)?;
        if manifest.wasm.is_relative()
            && let Some(dir) = path.parent()
        {
            manifest.wasm = dir.join(&manifest.wasm);
        }
        Ok(manifest)
    }

    /// Fails unless `wasm` hashes to the manifest's sha256.
    pub fn verify(&self, wasm: &[u8]) -> Result<(), PluginError> {
        let actual = sha256_hex(wasm);
        if actual.eq_ignore_ascii_case(self.sha256.trim()) {
            Ok(())
        } else {
            Err(PluginError::Load(format!("sha256 of {} is {actual}, but connector.toml of `{}` says {}", self.wasm.display(), self.id, self.sha256)))
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
