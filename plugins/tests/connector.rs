//! A well-behaved connector through the whole host: load, verify, bind to a
//! store's grants, call over real HTTP, hot reload, compiled-code cache.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chatgw_plugins::{Capability, ConnectorError, EngineOptions, PluginEngine, PluginErrorKind, PluginHost, PluginSlot, StoreGrants, WebhookEvent};
use support::*;

#[tokio::test]
async fn sync_products_pages_through_the_store_with_host_added_credentials() {
    let server = serve().await;
    let host = PluginHost::new(engine());
    let slot = good_plugin(&host).await;
    let connector = connector(&slot, grants_for(&server), quick_limits());

    let first = connector.sync_products(&server.settings(), None, None).await.expect("first page");
    assert_eq!(first.products.len(), 1);
    assert_eq!(first.products[0].title, "Trail shoe 1");
    assert_eq!(first.products[0].variants.len(), 2);
    assert_eq!(first.products[0].variants[0].sku.as_deref(), Some("SHOE-1-42"));
    assert_eq!(first.products[0].variants[0].price.as_ref().map(|p| p.amount_minor), Some(12900));
    assert_eq!(first.next_cursor.as_deref(), Some("2"));

    let second = connector.sync_products(&server.settings(), first.next_cursor.as_deref(), Some("2026-01-01T00:00:00Z")).await.expect("second page");
    assert_eq!(second.products[0].external_id, "p2");
    assert_eq!(second.next_cursor, None);

    // The server got the credential on every request...
    let seen = server.seen_authorization.lock().unwrap().clone();
    assert_eq!(seen, vec![SECRET.to_string(), SECRET.to_string()]);
    // ...and everything the plugin knew about its requests and responses,
    // echoed back in attributes_json, is free of it.
    let echoed = first.products[0].attributes_json.clone().expect("plugin echoes what it saw");
    assert!(echoed.contains("request_headers"), "{echoed}");
    assert!(!echoed.contains("shpat_test_secret"), "plugin saw the secret: {echoed}");
    assert!(!format!("{first:?}{second:?}").contains("shpat_test_secret"));
}

#[tokio::test]
async fn connector_errors_come_back_as_values() {
    let server = serve().await;
    let host = PluginHost::new(engine());
    let slot = good_plugin(&host).await;
    let mut grants = grants_for(&server);
    grants.http.as_mut().unwrap().credentials.clear();
    let connector = connector(&slot, grants, quick_limits());

    let error = connector.sync_products(&server.settings(), None, None).await.unwrap_err();
    assert!(matches!(error, chatgw_plugins::PluginError::Connector(ConnectorError::Auth(_))), "{error}");

    let error = connector.sync_products("{}", None, None).await.unwrap_err();
    assert!(matches!(error, chatgw_plugins::PluginError::Connector(ConnectorError::InvalidSettings(_))), "{error}");
}

#[tokio::test]
async fn describe_tools_and_webhooks_cross_the_boundary() {
    let server = serve().await;
    let host = PluginHost::new(engine());
    let slot = good_plugin(&host).await;
    let connector = connector(&slot, grants_for(&server), quick_limits());

    let descriptor = connector.describe();
    assert_eq!(descriptor.id, "test-good");
    assert!(descriptor.capabilities.contains(&Capability::Http));

    let tools = connector.list_tools("{}").await.expect("tools");
    assert_eq!(tools[0].name, "echo");
    assert_eq!(connector.call_tool("{}", "echo", r#"{"a":1}"#).await.expect("echo"), r#"{"a":1}"#);

    let events = connector.parse_webhook("{}", "products/delete", vec![], br#"{"id":"p9"}"#.to_vec()).await.expect("webhook");
    assert_eq!(events, vec![WebhookEvent::ProductDeleted { external_id: "p9".into() }]);

    connector.check_connection(&server.settings()).await.expect("ping");
}

#[tokio::test]
async fn loads_from_a_manifest_file_and_refuses_a_tampered_wasm() {
    let wasm = guest_wasm("good-connector");
    let dir = std::env::temp_dir().join(format!("chatgw-plugin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("connector.wasm"), &wasm).unwrap();
    let toml = |sha: &str| {
        format!(
            "id = \"test-good\"\nversion = \"0.1.0\"\ncontract = \"1.0.0\"\n\
             capabilities = [\"http\", \"log\", \"clock\"]\nsha256 = \"{sha}\"\n"
        )
    };
    let host = PluginHost::new(engine());

    std::fs::write(dir.join("connector.toml"), toml(&chatgw_plugins::manifest::sha256_hex(&wasm))).unwrap();
    let plugin = host.load(&dir.join("connector.toml")).await.expect("load from files");
    assert_eq!(plugin.manifest().id, "test-good");

    std::fs::write(dir.join("connector.toml"), toml(&"0".repeat(64))).unwrap();
    let error = host.load(&dir.join("connector.toml")).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Load);
    assert!(error.to_string().contains("sha256"), "{error}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn hot_reload_lets_calls_in_flight_finish_on_the_old_version() {
    let server = serve().await;
    let host = PluginHost::new(engine());
    let slot = good_plugin(&host).await;
    let connector = Arc::new(connector(&slot, grants_for(&server), quick_limits()));

    // A call that waits on the (slow) store while we swap the plugin.
    let settings = serde_json::json!({ "base_url": server.url("/slow#") }).to_string();
    let in_flight = {
        let connector = connector.clone();
        tokio::spawn(async move { connector.check_connection(&settings).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;

    let wasm = guest_wasm("good-connector");
    let mut manifest = manifest("test-good", &wasm, &[Capability::Http, Capability::Log, Capability::Clock]);
    manifest.version = "0.2.0".into();
    let v2 = host.load_bytes(manifest, wasm).await.expect("load v2");
    let old = slot.replace(v2).expect("swap");
    assert_eq!(old.manifest().version, "0.1.0");

    in_flight.await.unwrap().expect("the in-flight call finishes");
    assert_eq!(slot.current().manifest().version, "0.2.0");
    connector.sync_products(&server.settings(), None, None).await.expect("calls go to the new version");

    let other = load(&host, "hostile-connector", "test-hostile", &[Capability::Http]).await;
    assert_eq!(slot.replace(other).unwrap_err().kind(), PluginErrorKind::Load);
}

#[tokio::test]
async fn compiled_components_are_cached_on_disk_by_sha256() {
    let dir = std::env::temp_dir().join(format!("chatgw-plugin-cache-{}", std::process::id()));
    let options = EngineOptions { cache_dir: Some(dir.clone()), ..EngineOptions::default() };
    let wasm = guest_wasm("good-connector");
    let sha = chatgw_plugins::manifest::sha256_hex(&wasm);
    let caps = [Capability::Http, Capability::Log, Capability::Clock];

    let first = PluginHost::new(PluginEngine::new(options.clone()).unwrap());
    first.load_bytes(manifest("test-good", &wasm, &caps), wasm.clone()).await.expect("compile");
    let cached: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(cached.iter().any(|f| f.to_string_lossy().starts_with(&sha)), "{cached:?}");

    // A fresh engine (a restart) loads the cached code and it runs.
    let second = PluginHost::new(PluginEngine::new(options).unwrap());
    let plugin = second.load_bytes(manifest("test-good", &wasm, &caps), wasm).await.expect("from cache");
    let connector = PluginSlot::new(plugin).connector(StoreGrants::default(), quick_limits());
    // Without the http grant the good plugin cannot even be bound.
    assert_eq!(connector.err().map(|e| e.kind()), Some(PluginErrorKind::CapabilityDenied));
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn falls_back_to_on_demand_allocation_when_the_pool_cannot_be_reserved() {
    // 4096 slots of 1 TiB cannot be reserved in a 47-bit address space.
    let options = EngineOptions { max_memory_bytes: 1 << 40, max_concurrent_calls: 4096, ..EngineOptions::default() };
    let engine = PluginEngine::new(options).expect("engine with fallback");
    assert!(!engine.is_pooling());
    let host = PluginHost::new(engine);
    let slot = hostile_plugin(&host).await;
    let connector = connector(&slot, StoreGrants { http: Some(Default::default()), ..Default::default() }, quick_limits());
    assert_eq!(connector.call_tool("{}", "ok", "{}").await.expect("runs on demand"), "fine");

    assert!(support::engine().is_pooling(), "the default engine uses the pool");
}

#[tokio::test]
async fn a_connector_written_with_the_sdk_runs_in_the_host() {
    let server = serve().await;
    let host = PluginHost::new(engine());
    let slot = PluginSlot::new(load(&host, "sdk-connector", "test-sdk", &[Capability::Http]).await);
    let connector = connector(&slot, grants_for(&server), quick_limits());
    let page = connector.sync_products(&server.settings(), Some("2"), None).await.expect("page 2");
    assert_eq!(page.products[0].title, "Trail shoe 2");
    assert_eq!(page.next_cursor, None);
    connector.check_connection(&server.settings()).await.expect("ping");
}
