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
    // Enough memory to build the string, so the output cap is what stops it.
    let limits = CallLimits { memory_bytes: 192 << 20, max_output_bytes: 4 << 20, ..quick_limits() };
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
