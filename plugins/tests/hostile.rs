//! Hostile plugins: each abuse ends in its own clear error within its
//! deadline, and the host keeps serving other calls. Time bounds here are
//! generous outer limits that prove a deadline fired, never measurements.

mod support;

use std::time::Duration;

use chatgw_plugins::{AllowedHost, CallLimits, ConnectorHandle, HttpGrant, PluginError, PluginErrorKind, PluginHost, StoreGrants};
use support::*;

const OUTER: Duration = Duration::from_secs(30);

async fn tool(connector: &ConnectorHandle, name: &str, args: serde_json::Value) -> Result<String, PluginError> {
    tokio::time::timeout(OUTER, connector.call_tool("{}", name, &args.to_string()))
        .await
        .expect("the host must end the call itself, well inside the outer bound")
}

fn http_only(allowed_hosts: Vec<AllowedHost>) -> StoreGrants {
    StoreGrants { http: Some(HttpGrant { allowed_hosts, request_timeout: Duration::from_secs(5), ..HttpGrant::default() }), ..StoreGrants::default() }
}

async fn hostile(grants: StoreGrants, limits: CallLimits) -> ConnectorHandle {
    let host = PluginHost::new(engine());
    connector(&hostile_plugin(&host).await, grants, limits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_hits_the_deadline_while_other_calls_keep_working() {
    let connector = hostile(http_only(vec![]), CallLimits { deadline: Duration::from_millis(500), ..CallLimits::default() }).await;
    let (spin, ok) = tokio::join!(tool(&connector, "spin", serde_json::json!({})), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        tool(&connector, "ok", serde_json::json!({})).await
    });
    let error = spin.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Deadline, "{error}");
    assert!(error.to_string().contains("deadline"), "{error}");
    assert_eq!(ok.expect("a concurrent call is unaffected"), "fine");
    assert_eq!(tool(&connector, "ok", serde_json::json!({})).await.expect("and so is the next"), "fine");
}

#[tokio::test]
async fn infinite_loop_on_a_single_threaded_runtime_still_ends() {
    // The epoch callback yields to the executor, so even a current-thread
    // runtime is not starved.
    let connector = hostile(http_only(vec![]), CallLimits { deadline: Duration::from_millis(300), ..CallLimits::default() }).await;
    let error = tool(&connector, "spin", serde_json::json!({})).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Deadline, "{error}");
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_cap() {
    let connector = hostile(http_only(vec![]), CallLimits { memory_bytes: 32 << 20, ..quick_limits() }).await;
    let error = tool(&connector, "memory-bomb", serde_json::json!({})).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Memory, "{error}");
    assert!(error.to_string().contains("33554432"), "{error}");
    assert_eq!(tool(&connector, "ok", serde_json::json!({})).await.unwrap(), "fine");
}

#[tokio::test]
async fn panic_is_a_trap_that_carries_the_message() {
    let connector = hostile(http_only(vec![]), quick_limits()).await;
    let error = tool(&connector, "panic", serde_json::json!({})).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Trap, "{error}");
    assert!(error.to_string().contains("panicked on purpose"), "{error}");
    // No state survives the trap: the next call gets a fresh instance.
    assert_eq!(tool(&connector, "ok", serde_json::json!({})).await.unwrap(), "fine");
}

#[tokio::test]
async fn hundred_megabytes_of_output_is_refused() {
    // Enough memory to build the string, so the output cap is what stops
    // it; and enough time, on a loaded machine, for the guest to build it.
    let limits = CallLimits { memory_bytes: 192 << 20, max_output_bytes: 4 << 20, deadline: Duration::from_secs(30), ..quick_limits() };
    let connector = hostile(http_only(vec![]), limits).await;
    let error = tool(&connector, "big-output", serde_json::json!({})).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::OutputTooLarge, "{error}");
    assert!(error.to_string().contains("104857602 bytes, over the 4194304 byte cap"), "{error}");
}

#[tokio::test]
async fn http_to_a_host_not_on_the_allow_list_is_denied() {
    let connector = hostile(http_only(vec![AllowedHost::public("shop.example.com")]), quick_limits()).await;
    let error = tool(&connector, "fetch", serde_json::json!({ "url": "https://evil.example.net/x" })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("evil.example.net:443") && error.to_string().contains("not allow-listed"), "{error}");
}

#[tokio::test]
async fn loopback_and_metadata_addresses_are_refused_without_explicit_allowance() {
    // Even when listed, private addresses need `allow_private`.
    let grants = http_only(vec![AllowedHost::public("127.0.0.1"), AllowedHost::public("169.254.169.254"), AllowedHost::public("localhost")]);
    let connector = hostile(grants, quick_limits()).await;
    for url in ["http://127.0.0.1:9/", "http://169.254.169.254/latest/meta-data/", "http://localhost:9/"] {
        let error = tool(&connector, "fetch", serde_json::json!({ "url": url })).await.unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{url}: {error}");
        assert!(error.to_string().contains("127.0.0.1") || error.to_string().contains("169.254.169.254"), "{error}");
    }
}

#[tokio::test]
async fn a_slow_host_call_is_cut_by_the_call_deadline() {
    // The plugin is parked in a host call (no wasm runs, so no epoch check):
    // the outer timeout ends it.
    let server = serve().await;
    let grants = http_only(vec![AllowedHost::private("127.0.0.1", Some(server.port))]);
    let connector = hostile(grants, CallLimits { deadline: Duration::from_millis(200), ..quick_limits() }).await;
    let error = tool(&connector, "fetch", serde_json::json!({ "url": server.url("/slow") })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Deadline, "{error}");
}

#[tokio::test]
async fn redirects_to_forbidden_hosts_are_refused() {
    let server = serve().await;
    let grants = http_only(vec![AllowedHost::private("127.0.0.1", Some(server.port)), AllowedHost::public("169.254.169.254")]);
    let connector = hostile(grants, quick_limits()).await;

    let error = tool(&connector, "fetch", serde_json::json!({ "url": server.url("/redirect-metadata") })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("redirect refused") && error.to_string().contains("169.254.169.254"), "{error}");

    let error = tool(&connector, "fetch", serde_json::json!({ "url": server.url("/redirect-elsewhere") })).await.unwrap_err();
    assert!(error.to_string().contains("redirect refused") && error.to_string().contains("evil.example.net"), "{error}");

    // A redirect that stays on allowed ground is followed.
    let ok = tool(&connector, "fetch", serde_json::json!({ "url": server.url("/redirect-home") })).await.unwrap();
    assert_eq!(ok, "200 {}");
}

#[tokio::test]
async fn a_plugin_importing_the_filesystem_is_refused_at_load() {
    let host = PluginHost::new(engine());
    let wasm = guest_wasm("fs-connector");
    let error = host.load_bytes(manifest("test-fs", &wasm, &[]), wasm).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("wasi:filesystem/"), "{error}");
}

#[tokio::test]
async fn an_import_the_manifest_or_the_store_does_not_grant_is_refused() {
    let host = PluginHost::new(engine());
    // The manifest does not request http, but the component imports it.
    let wasm = guest_wasm("hostile-connector");
    let error = host.load_bytes(manifest("test-hostile", &wasm, &[]), wasm).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("chatgw:connector/host-http@1.0.0"), "{error}");

    // The manifest requests it but this store does not grant it.
    let slot = hostile_plugin(&host).await;
    let error = slot.connector(StoreGrants::default(), quick_limits()).err().expect("refused at bind");
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("host-http"), "{error}");
}

#[tokio::test]
async fn a_plugin_for_another_contract_major_is_refused_naming_both_versions() {
    let host = PluginHost::new(engine());
    let wasm = guest_wasm("contract-v2");
    let error = host.load_bytes(manifest("test-v2", &wasm, &[]), wasm.clone()).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::IncompatibleContract, "{error}");
    let text = error.to_string();
    assert!(text.contains("2.0.0") && text.contains("1.0.0"), "{text}");

    let mut manifest = manifest("test-v2", &wasm, &[]);
    manifest.contract = "2.1.0".into();
    let error = host.load_bytes(manifest, wasm).await.unwrap_err();
    assert!(error.to_string().contains("contract 2.1.0, this host speaks 1.0.0"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_hostile_calls_leave_memory_flat() {
    let limits = CallLimits { memory_bytes: 16 << 20, deadline: Duration::from_millis(200), ..CallLimits::default() };
    let connector = hostile(http_only(vec![AllowedHost::public("shop.example.com")]), limits).await;
    let abuse = ["panic", "memory-bomb", "fetch", "ok"];
    let run = |i: usize| {
        let name = if i % 100 == 99 { "spin" } else { abuse[i % abuse.len()] };
        tool(&connector, name, serde_json::json!({ "url": "http://10.0.0.1/" }))
    };
    for i in 0..100 {
        let _ = run(i).await;
    }
    let before = rss_bytes();
    let mut kinds = std::collections::BTreeMap::new();
    for i in 0..1000 {
        let kind = run(i).await.err().map(|e| format!("{:?}", e.kind())).unwrap_or_else(|| "ok".into());
        *kinds.entry(kind).or_insert(0) += 1;
    }
    let after = rss_bytes();
    let growth = after as i64 - before as i64;
    println!("RSS before {} KiB, after {} KiB, growth {} KiB over 1000 hostile calls: {kinds:?}", before / 1024, after / 1024, growth / 1024);
    assert_eq!(kinds.get("Trap"), Some(&250));
    assert_eq!(kinds.get("CapabilityDenied"), Some(&250));
    assert_eq!(kinds.get("Deadline").copied().unwrap_or(0) + kinds.get("Memory").copied().unwrap_or(0), 260);
    assert!(growth < 64 << 20, "RSS grew by {} KiB", growth / 1024);
}

// ---- issue 8, points 7-14 --------------------------------------------------

/// A store API on 127.0.0.1 that records, per request, its port, path and
/// the `Authorization` and `Cookie` it received; `/redirect?to=URL` answers
/// 302 to URL, anything else 200.
struct Recorder {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Debug, Clone)]
struct Seen {
    port: u16,
    path: String,
    authorization: Option<String>,
    cookie: Option<String>,
}

impl Recorder {
    async fn start(seen: Arc<Mutex<Vec<Seen>>>) -> Recorder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind recorder");
        let port = listener.local_addr().expect("local addr").port();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let log = log.clone();
            async move {
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(String::from);
                log.lock().unwrap().push(Seen { port, path: uri.path().to_string(), authorization: header("authorization"), cookie: header("cookie") });
                let to = uri.query().and_then(|q| q.strip_prefix("to=")).map(String::from);
                match to {
                    Some(to) => (axum::http::StatusCode::FOUND, [(axum::http::header::LOCATION, to)], String::new()).into_response(),
                    None => "seen".into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.expect("recorder") });
        Recorder { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

use axum::response::IntoResponse;
use chatgw_plugins::{Credential, Origin, Secret};
use std::sync::{Arc, Mutex};

/// Two servers on two ports of the same host; the store's credential is
/// bound to the first one's origin.
async fn two_ports() -> (Recorder, Recorder, ConnectorHandle) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (home, other) = (Recorder::start(seen.clone()).await, Recorder::start(seen).await);
    let grants = StoreGrants {
        http: Some(HttpGrant {
            allowed_hosts: vec![AllowedHost::private("127.0.0.1", Some(home.port)), AllowedHost::private("127.0.0.1", Some(other.port))],
            credentials: vec![Credential::header(Origin::parse(&home.url("")).unwrap(), "Authorization", Secret::new(SECRET))],
            request_timeout: Duration::from_secs(5),
            ..HttpGrant::default()
        }),
        ..StoreGrants::default()
    };
    let connector = hostile(grants, quick_limits()).await;
    (home, other, connector)
}

#[tokio::test]
async fn a_credential_goes_to_its_own_port_only_and_never_across_a_redirect() {
    let (home, other, connector) = two_ports().await;
    let fetch = |url: String, headers: serde_json::Value| tool(&connector, "fetch", serde_json::json!({ "url": url, "headers": headers }));

    assert_eq!(fetch(home.url("/direct"), serde_json::json!([])).await.unwrap(), "200 seen");
    // Same host, another port; the plugin's own Authorization is dropped too.
    fetch(other.url("/other-port"), serde_json::json!([["Authorization", "forged"]])).await.unwrap();
    // A redirect to the other port, and one that comes back home through it.
    fetch(home.url(&format!("/redirect?to={}", other.url("/redirected"))), serde_json::json!([["Cookie", "sid=1"]])).await.unwrap();
    let back = other.url(&format!("/redirect?to={}", home.url("/back-home")));
    fetch(home.url(&format!("/redirect?to={back}")), serde_json::json!([])).await.unwrap();

    let seen = home.seen();
    let at = |path: &str| seen.iter().find(|s| s.path == path).unwrap_or_else(|| panic!("{path} not reached: {seen:?}")).clone();
    assert_eq!(at("/direct").authorization.as_deref(), Some(SECRET));
    assert_eq!(at("/direct").port, home.port);
    assert_eq!(at("/other-port").authorization, None, "another port of the same host gets nothing");
    assert_eq!(at("/redirected").authorization, None, "a redirect to another port drops the credential");
    assert_eq!(at("/redirected").cookie, None, "and the plugin's own cookie");
    assert_eq!(at("/back-home").authorization, None, "coming back through another origin does not bring it back");
    let leaked: Vec<_> = seen.iter().filter(|s| s.port != home.port && s.authorization.is_some()).collect();
    assert!(leaked.is_empty(), "{leaked:?}");
}

#[tokio::test]
async fn an_https_credential_is_never_sent_over_plain_http_and_plain_http_needs_a_private_host() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let home = Recorder::start(seen).await;
    let origin = format!("https://127.0.0.1:{}", home.port);
    let grant = |allowed_hosts, origin: &str| StoreGrants {
        http: Some(HttpGrant {
            allowed_hosts,
            credentials: vec![Credential::header(Origin::parse(origin).unwrap(), "Authorization", Secret::new(SECRET))],
            request_timeout: Duration::from_secs(5),
            ..HttpGrant::default()
        }),
        ..StoreGrants::default()
    };
    let connector = hostile(grant(vec![AllowedHost::private("127.0.0.1", Some(home.port))], &origin), quick_limits()).await;
    tool(&connector, "fetch", serde_json::json!({ "url": home.url("/plain") })).await.unwrap();
    assert_eq!(home.seen()[0].authorization, None, "the https credential stayed off plain http");

    // A credential for plain http to a host that is not explicitly private
    // cannot even be bound.
    let host = PluginHost::new(engine());
    let slot = hostile_plugin(&host).await;
    let error = slot.connector(grant(vec![AllowedHost::public("127.0.0.1")], &home.url("")), quick_limits()).err().expect("refused at bind");
    assert_eq!(error.kind(), PluginErrorKind::Load, "{error}");
    assert!(error.to_string().contains("plain http"), "{error}");
}

#[tokio::test]
async fn embedded_ipv4_and_special_purpose_ipv6_addresses_are_refused() {
    // Listed as public hosts, so only the address rules stand in the way.
    let literals = [
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("64:ff9b:1::a00:1", "local-use NAT64"),
        ("2002:7f00:1::1", "loopback"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
        ("fec0::1", "site-local"),
        ("::ffff:7f00:1", "loopback"),
        ("::7f00:1", "IPv4-compatible"),
        ("100::1", "discard"),
        ("2001:10::1", "IETF protocol assignments"),
        ("ff02::1", "multicast"),
    ];
    let grants = http_only(literals.iter().map(|(ip, _)| AllowedHost::public(*ip)).chain([AllowedHost::public("127.0.0.1")]).collect());
    let connector = hostile(grants, quick_limits()).await;
    for (ip, range) in literals {
        let url = format!("http://[{ip}]:8080/");
        let error = tool(&connector, "fetch", serde_json::json!({ "url": url })).await.unwrap_err();
        assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{url}: {error}");
        assert!(error.to_string().contains(range), "{url}: {error}");
    }
    // Decimal and hex IPv4 forms are the loopback address they spell.
    for url in ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/"] {
        let error = tool(&connector, "fetch", serde_json::json!({ "url": url })).await.unwrap_err();
        assert!(error.to_string().contains("127.0.0.1") && error.to_string().contains("loopback"), "{url}: {error}");
    }
}

/// Captures this thread's log lines (current-thread tests only).
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    #[derive(Clone)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Buffer(buffer.clone());
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_max_level(tracing::Level::INFO).with_writer(move || writer.clone()).finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

fn lines(buffer: &Arc<Mutex<Vec<u8>>>) -> Vec<String> {
    String::from_utf8_lossy(&buffer.lock().unwrap()).lines().map(String::from).collect()
}

#[tokio::test]
async fn the_first_refused_request_ends_the_call_and_logs_once() {
    let (logs, _guard) = capture_logs();
    let connector = hostile(http_only(vec![AllowedHost::public("shop.example.com")]), quick_limits()).await;
    let error = tool(&connector, "flood", serde_json::json!({ "url": "https://evil.example.net/x", "times": 100_000 })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("evil.example.net"), "{error}");
    let warnings: Vec<_> = lines(&logs).into_iter().filter(|l| l.contains("WARN") && l.contains(" plugin: ")).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("capability violation") && warnings[0].contains("test-hostile"), "{warnings:?}");
}

#[tokio::test]
async fn requests_per_call_and_request_bytes_are_capped() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let home = Recorder::start(seen).await;
    let grants = http_only(vec![AllowedHost::private("127.0.0.1", Some(home.port))]);
    let limits = CallLimits { max_http_requests: 20, max_request_body_bytes: 4096, max_request_bytes: 10_000, ..quick_limits() };
    let connector = hostile(grants, limits).await;

    let error = tool(&connector, "flood", serde_json::json!({ "url": home.url("/flood"), "times": 100_000 })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::CapabilityDenied, "{error}");
    assert!(error.to_string().contains("more than 20 HTTP requests in one call"), "{error}");
    assert_eq!(home.seen().len(), 20, "the 21st request never left");

    let error = tool(&connector, "fetch", serde_json::json!({ "url": home.url("/big"), "method": "post", "body_bytes": 4097 })).await.unwrap_err();
    assert!(error.to_string().contains("4097 bytes, over the 4096 byte cap"), "{error}");

    let error = tool(&connector, "flood", serde_json::json!({ "url": home.url("/many"), "method": "post", "body_bytes": 4000, "times": 5 })).await.unwrap_err();
    assert!(error.to_string().contains("more than 10000 bytes of HTTP requests"), "{error}");
    assert_eq!(home.seen().iter().filter(|s| s.path == "/many").count(), 2);
}

async fn std_plugin(host: &PluginHost) -> ConnectorHandle {
    let slot = chatgw_plugins::PluginSlot::new(load(host, "std-connector", "test-std", &[chatgw_plugins::Capability::Log]).await);
    connector(&slot, StoreGrants { log: true, ..StoreGrants::default() }, quick_limits())
}

#[tokio::test]
async fn a_plugin_using_hashmap_loads_and_runs() {
    let connector = std_plugin(&PluginHost::new(engine())).await;
    let counted = tool(&connector, "count-words", serde_json::json!({ "text": "red shoe red boot" })).await.unwrap();
    assert_eq!(counted, "boot=1,red=2,shoe=1");
}

#[tokio::test]
async fn plugin_log_lines_cannot_forge_gateway_lines_and_are_capped() {
    let connector = std_plugin(&PluginHost::new(engine())).await;
    let (logs, _guard) = capture_logs();
    let forged = "sync done\n2026-11-25T22:00:00.000000Z  INFO chatgw::admin: admin token rotated\r\u{1b}[2K\u{2028}";
    tool(&connector, "log", serde_json::json!({ "message": forged })).await.unwrap();
    let written = lines(&logs);
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0].contains(" plugin: ") && written[0].contains("plugin=\"test-std\""), "{written:?}");
    assert!(written[0].contains(r"sync done\n2026-11-25T22:00:00.000000Z") && written[0].contains(r"\r\u{1b}[2K\u{2028}"), "{written:?}");

    logs.lock().unwrap().clear();
    tool(&connector, "log", serde_json::json!({ "message": "again", "times": 10_000 })).await.unwrap();
    let written = lines(&logs);
    assert_eq!(written.len(), 101, "100 lines and one note");
    assert!(written[100].contains("9900 dropped"), "{}", written[100]);

    // A plugin's own error text is escaped the same way.
    let error = tool(&connector, "fail", serde_json::json!({ "message": "boom\nINFO forged" })).await.unwrap_err();
    assert!(error.to_string().contains(r"boom\nINFO forged"), "{error}");
}

#[tokio::test]
async fn a_flood_of_stderr_is_truncated_not_a_trap() {
    let connector = std_plugin(&PluginHost::new(engine())).await;
    assert_eq!(tool(&connector, "stderr", serde_json::json!({ "bytes": 1 << 20 })).await.unwrap(), "wrote");
    let error = tool(&connector, "stderr", serde_json::json!({ "bytes": 1 << 20, "then_panic": true })).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Trap, "{error}");
    let text = error.to_string();
    assert!(text.contains("first line of stderr") && text.contains("bytes dropped"), "{}", &text[..text.len().min(300)]);
    assert!(text.contains("panicked after a lot of stderr"), "the panic message at the end is kept");
    assert!(text.len() < 20 * 1024, "{} bytes", text.len());
}

#[tokio::test]
async fn describe_at_load_runs_under_the_hosts_limits_and_its_schema_is_checked() {
    let limits = CallLimits { deadline: Duration::from_millis(300), ..CallLimits::default() };
    let host = PluginHost::new(engine()).with_load_limits(limits);
    let wasm = guest_wasm("slow-describe-connector");
    let error =
        tokio::time::timeout(OUTER, host.load_bytes(manifest("test-slow-describe", &wasm, &[]), wasm)).await.expect("ended by the load limits").unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Deadline, "{error}");
    assert!(error.to_string().contains("300ms"), "{error}");

    let wasm = guest_wasm("bad-describe-connector");
    let error = host.load_bytes(manifest("test-bad-describe", &wasm, &[]), wasm).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Load, "{error}");
    let text = error.to_string();
    assert!(text.contains("test-bad-describe") && text.contains("settings-schema") && text.contains("/properties/base_url/type"), "{text}");
}
