//! Store platform emulators for connector tests, over real HTTP on
//! loopback, and the helper that builds and packages the connector plugins
//! they are tested with. Each emulator follows the platform's documented
//! behaviour (paging limits, throttling shapes, signature headers), so a
//! connector that passes against it has not just passed its own assumptions.

pub mod drf;
pub mod shopify;
pub mod woocommerce;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// Serves `app` on a free port of 127.0.0.1 in the background; `what`
/// names the emulator in panics.
pub async fn serve_on_loopback(app: axum::Router, what: &str) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind the {what} emulator on loopback: {e}"));
    let addr = listener.local_addr().expect("a bound listener has an address");
    let what = what.to_owned();
    tokio::spawn(async move { axum::serve(no_delay(listener), app).await.unwrap_or_else(|e| panic!("the {what} emulator stopped serving: {e}")) });
    addr
}

/// Accepted connections send without Nagle's delay, as the platforms'
/// web servers do (nginx's `tcp_nodelay on`): otherwise a response written
/// in two parts waits for the client's delayed ACK, up to 40 ms a request
/// on loopback, which no real store adds.
pub fn no_delay(listener: tokio::net::TcpListener) -> impl axum::serve::Listener<Addr = std::net::SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        // Best effort: a socket that refuses keeps its default.
        let _ = tcp.set_nodelay(true);
    })
}

/// The repository root (this crate lives in `testkit/emulators`).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root exists")
}

/// Builds and packages the connector plugin `name` (`connectors/<name>`) once
/// per test process with `scripts/build-connectors.sh`, and returns its
/// `dist/connector.toml`. nextest runs tests in separate processes, so a file
/// lock serialises the builds.
pub fn connector_manifest(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().expect("the build table is not poisoned");
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let root = repository_root();
    let target = root.join("connectors/target");
    std::fs::create_dir_all(&target).expect("create connectors/target");
    let lock = File::create(target.join(".test-build-lock")).expect("create the build lock");
    lock.lock().expect("take the build lock");
    let output = Command::new("bash")
        .arg("scripts/build-connectors.sh")
        .arg(name)
        .current_dir(&root)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .output()
        .expect("run scripts/build-connectors.sh");
    assert!(
        output.status.success(),
        "building connector `{name}` failed (is the wasm32-wasip2 target installed? `rustup target add wasm32-wasip2`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = root.join("connectors").join(name).join("dist/connector.toml").canonicalize().expect("dist/connector.toml was written");
    built.insert(name.to_owned(), manifest.clone());
    manifest
}
