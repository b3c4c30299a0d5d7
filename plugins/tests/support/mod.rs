//! Test support: builds the guest plugins once per test run, wraps them in
//! manifests, and runs a small local store API over real TCP.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chatgw_plugins::manifest::sha256_hex;
use chatgw_plugins::{
    AllowedHost, CallLimits, Capability, ConnectorHandle, Credential, EngineOptions, HttpGrant, LoadedPlugin, Manifest, Origin, PluginEngine, PluginHost,
    PluginSlot, Secret, StoreGrants,
};

pub const SECRET: &str = "Bearer shpat_test_secret_0123456789";

/// Builds `plugins/guests` for wasm32-wasip2 the first time a test needs it.
/// nextest runs each test in its own process, so an OS file lock serialises
/// the builds; after the first, cargo finds nothing to do.
pub fn guests_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let guests = Path::new(env!("CARGO_MANIFEST_DIR")).join("guests");
        let target = guests.join("target");
        std::fs::create_dir_all(&target).expect("create guests/target");
        let lock = File::create(target.join(".build-lock")).expect("create the guest build lock");
        lock.lock().expect("take the guest build lock");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
            .arg(&target)
            .current_dir(&guests)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_MAKEFLAGS")
            .output()
            .expect("run cargo to build the guest plugins");
        assert!(
            output.status.success(),
            "building the guest plugins in {} failed (is the target installed? \
             `rustup target add wasm32-wasip2`):\n{}",
            guests.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        target.join("wasm32-wasip2").join("release")
    })
}

pub fn guest_wasm(crate_name: &str) -> Vec<u8> {
    let file = guests_dir().join(format!("{}.wasm", crate_name.replace('-', "_")));
    std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
}

pub fn manifest(id: &str, wasm: &[u8], capabilities: &[Capability]) -> Manifest {
    Manifest {
        id: id.into(),
        version: "0.1.0".into(),
        contract: "1.0.0".into(),
        capabilities: capabilities.to_vec(),
        sha256: sha256_hex(wasm),
        wasm: PathBuf::from("connector.wasm"),
    }
}

pub fn engine() -> PluginEngine {
    PluginEngine::new(EngineOptions::default()).expect("engine")
}

pub async fn load(host: &PluginHost, crate_name: &str, id: &str, caps: &[Capability]) -> Arc<LoadedPlugin> {
    let wasm = guest_wasm(crate_name);
    host.load_bytes(manifest(id, &wasm, caps), wasm).await.expect("load plugin")
}

pub async fn good_plugin(host: &PluginHost) -> Arc<PluginSlot> {
    PluginSlot::new(load(host, "good-connector", "test-good", &[Capability::Http, Capability::Log, Capability::Clock]).await)
}

pub async fn hostile_plugin(host: &PluginHost) -> Arc<PluginSlot> {
    PluginSlot::new(load(host, "hostile-connector", "test-hostile", &[Capability::Http]).await)
}

/// Grants HTTP to the local test server (explicitly allowed to be loopback)
/// with a credential the plugin must never see.
pub fn grants_for(server: &TestServer) -> StoreGrants {
    StoreGrants {
        http: Some(HttpGrant {
            allowed_hosts: vec![AllowedHost::private("127.0.0.1", Some(server.port))],
            // Plain http only because the host is an explicitly private one.
            credentials: vec![Credential::header(
                Origin::parse(&format!("http://127.0.0.1:{}", server.port)).expect("origin"),
                "authorization",
                Secret::new(SECRET),
            )],
            request_timeout: Duration::from_secs(5),
            ..HttpGrant::default()
        }),
        sql: None,
        log: true,
        clock: true,
    }
}

pub fn quick_limits() -> CallLimits {
    CallLimits { deadline: Duration::from_secs(2), ..CallLimits::default() }
}

pub fn connector(slot: &Arc<PluginSlot>, grants: StoreGrants, limits: CallLimits) -> ConnectorHandle {
    slot.connector(grants, limits).expect("bind connector")
}

/// A tiny store API on 127.0.0.1 that records the headers it receives.
pub struct TestServer {
    pub port: u16,
    pub seen_authorization: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn settings(&self) -> String {
        serde_json::json!({ "base_url": self.url("") }).to_string()
    }
}

#[derive(Clone)]
struct ServerState {
    seen: Arc<Mutex<Vec<String>>>,
    port: u16,
}

pub async fn serve() -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind test server");
    let port = listener.local_addr().expect("local addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = ServerState { seen: seen.clone(), port };
    let app = Router::new()
        .route("/ping", get(|| async { "{}" }))
        .route("/products", get(products))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "{}"
            }),
        )
        .route("/redirect-metadata", get(|| async { redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/") }))
        .route("/redirect-elsewhere", get(|| async { redirect("http://evil.example.net/steal") }))
        .route("/redirect-home", get(|State(s): State<ServerState>| async move { redirect(&format!("http://127.0.0.1:{}/ping", s.port)) }))
        .with_state(state);
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("test server");
    });
    TestServer { port, seen_authorization: seen }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

async fn products(State(state): State<ServerState>, headers: HeaderMap, Query(query): Query<std::collections::HashMap<String, String>>) -> Response {
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    state.seen.lock().expect("seen lock").push(auth.clone());
    if auth != SECRET {
        return (StatusCode::UNAUTHORIZED, "{}").into_response();
    }
    let page: u32 = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let body = serde_json::json!({
        "products": [{
            "id": format!("p{page}"),
            "title": format!("Trail shoe {page}"),
            "description": "Grippy",
            "variants": [
                { "id": format!("v{page}-42"), "sku": format!("SHOE-{page}-42"), "title": "EU 42", "price_cents": 12900, "available": 3 },
                { "id": format!("v{page}-43"), "sku": format!("SHOE-{page}-43"), "title": "EU 43", "price_cents": 12900, "available": 0 }
            ]
        }],
        "next_page": if page < 2 { Some(page + 1) } else { None },
    });
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Resident set size of this process, from /proc/self/statm.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).expect("statm resident field");
    pages * 4096
}

/// Peak resident set size of this process so far (VmHWM), from
/// /proc/self/status.
pub fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status");
    kib * 1024
}
