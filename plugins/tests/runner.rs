//! The local runner on a real third-party plugin: the Lookbook example in
//! `examples/plugins/lookbook-connector`, built with the SDK alone, run
//! against its recorded fixtures; and a project fresh from `sdk/template`,
//! which must build and run on its own fixtures as written.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chatgw_plugins::runner::{ManifestSource, RunCall, RunFailure, Runner, RunnerOptions};
use chatgw_plugins::scaffold::{NewProject, SdkSource, write_project};
use chatgw_plugins::{CallLimits, ConnectorError, EngineOptions, PluginEngine, PluginError, PluginErrorKind};
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("plugins/ sits in the repository").to_path_buf()
}

fn example_dir() -> PathBuf {
    repo().join("examples/plugins/lookbook-connector")
}

/// Builds a plugin project for wasm32-wasip2 into `target`. nextest runs
/// each test in its own process, so an OS file lock serialises the builds;
/// after the first, cargo finds nothing to do.
fn build_component(project: &Path, target: &Path, crate_name: &str) -> PathBuf {
    std::fs::create_dir_all(target).expect("create the plugin target folder");
    let lock = File::create(target.join(".build-lock")).expect("create the plugin build lock");
    lock.lock().expect("take the plugin build lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(target)
        .current_dir(project)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .output()
        .expect("run cargo to build a plugin");
    assert!(
        output.status.success(),
        "building {} failed (is the target installed? `rustup target add wasm32-wasip2`):\n{}",
        project.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    target.join("wasm32-wasip2/release").join(format!("{}.wasm", crate_name.replace('-', "_")))
}

/// The Lookbook example, built once per test process. Its target folder is
/// inside the example (gitignored), as a plugin author's would be.
fn lookbook_wasm() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let example = example_dir();
        build_component(&example, &example.join("target"), "lookbook-connector")
    })
}

fn lookbook_options() -> RunnerOptions {
    let example = example_dir();
    RunnerOptions {
        settings: std::fs::read_to_string(example.join("settings.example.json")).expect("read settings.example.json"),
        fixtures: Some(example.join("fixtures")),
        ..RunnerOptions::default()
    }
}

async fn lookbook() -> Runner {
    Runner::load(lookbook_wasm(), lookbook_options()).await.expect("load the Lookbook plugin")
}

fn ok(report: &chatgw_plugins::runner::RunReport) -> &Value {
    match &report.result {
        Ok(value) => value,
        Err(failure) => panic!("{} failed: {failure}\n{report}", report.function),
    }
}

#[tokio::test]
async fn lookbook_syncs_every_page_from_its_fixtures() {
    let runner = lookbook().await;
    assert_eq!(runner.manifest_source(), &ManifestSource::Synthesized);

    let report = runner.run(RunCall::SyncProducts { cursor: None, since: None, all_pages: true }).await;
    let result = ok(&report);
    assert_eq!(result["pages"], 3);
    let products = result["products"].as_array().expect("products");
    let ids: Vec<&str> = products.iter().map(|p| p["external_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["prd_01", "prd_02", "prd_03", "prd_04", "prd_05"]);

    let dress = &products[0];
    assert_eq!(dress["title"], "Linen wrap dress");
    assert_eq!(dress["description"], "Washed European linen with a tie waist & deep pockets. Midi length Relaxed fit");
    assert_eq!(dress["url"], "https://shop.lookbook.example/products/linen-wrap-dress");
    assert_eq!(dress["status"], "active");
    let medium = &dress["variants"][1];
    assert_eq!(medium["sku"], "LB-DRS-001-M");
    assert_eq!(medium["title"], "Sand / M");
    assert_eq!(medium["price"], json!({"amount_minor": 9900, "currency": "EUR"}));
    assert_eq!(medium["compare_at_price"]["amount_minor"], 12900);
    // A variant's own price wins over the product's.
    assert_eq!(products[2]["variants"][1]["price"]["amount_minor"], 11900);
    assert_eq!(products[4]["status"], "draft");

    // One plugin call and one request per page, each answered by its file.
    assert_eq!(report.calls.len(), 3);
    let cursors: Vec<Option<&str>> = report.calls.iter().map(|c| c.cursor.as_deref()).collect();
    assert_eq!(cursors, [None, Some("2"), Some("3")]);
    let fixtures: Vec<&str> = report.http.iter().map(|h| h.fixture.as_deref().unwrap()).collect();
    assert_eq!(fixtures, ["http/products-page-1.json", "http/products-page-2.json", "http/products-page-3.json"]);
    assert_eq!(report.http[1].url, "https://api.lookbook.example/v2/products?page=2&per_page=2");
    assert!(report.sql.is_empty());
    assert!(report.wall_time() > std::time::Duration::ZERO);

    let text = report.to_string();
    assert!(text.contains("sync-products (3 calls): ok"), "{text}");
    assert!(text.contains("-> 200 (http/products-page-3.json)"), "{text}");
    let json = serde_json::to_value(&report).expect("the report is JSON");
    assert_eq!(json["ok"], true);
    assert_eq!(json["plugin"]["id"], "lookbook");
    assert_eq!(json["calls"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn lookbook_answers_stock_orders_tools_and_webhooks_from_its_fixtures() {
    let runner = lookbook().await;

    let stock = runner.run(RunCall::GetStock { skus: vec!["LB-DRS-001-M".into(), "LB-GONE-1".into(), "LB-KNT-014-NAV-S".into()] }).await;
    let levels = ok(&stock).as_array().expect("stock levels").clone();
    let summary: Vec<(String, Value, i64)> =
        levels.iter().map(|l| (l["sku"].as_str().unwrap().to_string(), l["location"].clone(), l["available"].as_i64().unwrap())).collect();
    assert_eq!(
        summary,
        [
            ("LB-DRS-001-M".into(), json!("Berlin Mitte store"), 2),
            ("LB-DRS-001-M".into(), json!("Hamburg store"), 0),
            ("LB-DRS-001-M".into(), json!("Warehouse"), 14),
            ("LB-DRS-001-M".into(), Value::Null, 16),
            // LB-GONE-1 answered 404 and is left out.
            ("LB-KNT-014-NAV-S".into(), json!("Warehouse"), 3),
            ("LB-KNT-014-NAV-S".into(), Value::Null, 3),
        ]
    );
    assert_eq!(stock.http.len(), 3);
    assert_eq!(stock.http[1].status, Some(404));

    let order = runner.run(RunCall::GetOrder { order_ref: "#lb-10042".into() }).await;
    let order = ok(&order);
    assert_eq!(order["order_ref"], "LB-10042");
    assert_eq!(order["customer_email"], "mara.keller@example.com");
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["items"].as_array().unwrap().len(), 2);
    assert_eq!(order["items"][0]["price"]["amount_minor"], 9900);
    assert_eq!(order["total"], json!({"amount_minor": 15290, "currency": "EUR"}));
    assert_eq!(order["fulfilments"][0]["tracking"][0]["number"], "JJD0099887766");

    let tools = runner.run(RunCall::ListTools).await;
    assert_eq!(ok(&tools)[0]["name"], "size_guide");

    let advice =
        runner.run(RunCall::CallTool { name: "size_guide".into(), arguments: r#"{"category": "Dresses", "bust_cm": 87, "waist_cm": 70}"#.into() }).await;
    let advice = ok(&advice);
    assert_eq!(advice["recommended_size"], "M");
    assert_eq!(advice["sizes"].as_array().unwrap().len(), 4);

    let unknown_tool = runner.run(RunCall::CallTool { name: "gift_wrap".into(), arguments: "{}".into() }).await;
    assert!(
        matches!(
            &unknown_tool.result,
            Err(RunFailure::Plugin(PluginError::Connector(ConnectorError::NotFound(m)))) if m.contains("size_guide")
        ),
        "{unknown_tool}"
    );

    let connected = runner.run(RunCall::CheckConnection).await;
    assert_eq!(ok(&connected), &json!({"connected": true}));

    let body = std::fs::read(example_dir().join("fixtures/webhooks/inventory-updated.json")).expect("read the webhook body");
    let events = runner.run(RunCall::ParseWebhook { topic: "inventory.updated".into(), headers: vec![], body }).await;
    let events = ok(&events);
    assert_eq!(events[0]["StockChanged"][2], json!({"sku": "LB-DRS-001-S", "location": null, "available": 1}));
}

#[tokio::test]
async fn a_request_without_a_fixture_fails_naming_the_request_and_the_fixture_files() {
    let runner = lookbook().await;
    let report = runner.run(RunCall::GetOrder { order_ref: "LB-99999".into() }).await;
    let Err(RunFailure::MissingFixture(why)) = &report.result else {
        panic!("expected a missing fixture, got {report}");
    };
    assert!(why.contains("no HTTP fixture matches GET https://api.lookbook.example/v2/orders/LB-99999"), "{why}");
    assert!(
        why.lines()
            .any(|line| line.trim_start().starts_with("http/order-LB-10042.json") && line.ends_with("GET https://api.lookbook.example/v2/orders/LB-10042")),
        "{why}"
    );
    assert!(why.contains("http/products-page-1.json"), "{why}");
    assert_eq!(report.http.len(), 1);
    assert_eq!(report.http[0].fixture, None);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["error"]["kind"], "missing-fixture");

    // Without a fixtures folder, the message says how to give one.
    let bare =
        Runner::load(lookbook_wasm(), RunnerOptions { fixtures: None, allow_hosts: vec!["api.lookbook.example".into()], ..lookbook_options() }).await.unwrap();
    let report = bare.run(RunCall::CheckConnection).await;
    assert!(matches!(&report.result, Err(RunFailure::MissingFixture(why)) if why.contains("--fixtures")), "{report}");

    // A host no fixture answers for is refused by the allow-list first.
    let elsewhere =
        Runner::load(lookbook_wasm(), RunnerOptions { settings: r#"{"api_base": "https://api.other.example"}"#.into(), ..lookbook_options() }).await.unwrap();
    let report = elsewhere.run(RunCall::CheckConnection).await;
    let failure = report.result.as_ref().unwrap_err();
    assert_eq!(failure.kind(), "capability-denied", "{report}");
    assert!(failure.hint().is_some_and(|h| h.contains("record a fixture")));
    assert!(report.http.is_empty(), "refused before the transport");
}

#[tokio::test]
async fn peak_memory_is_the_exact_high_water_mark_of_the_call() {
    let engine = PluginEngine::new(EngineOptions { pooling: false, ..EngineOptions::default() }).expect("engine");
    let with_cap = |memory_bytes: usize| RunnerOptions { limits: CallLimits { memory_bytes, ..CallLimits::default() }, ..lookbook_options() };
    let call = || RunCall::SyncProducts { cursor: None, since: None, all_pages: true };
    let roomy = Runner::load_with(engine.clone(), lookbook_wasm(), with_cap(64 << 20)).await.unwrap();
    let report = roomy.run(call()).await;
    ok(&report);
    let peak = report.peak_memory_bytes();
    assert!(peak > 0, "{report}");
    assert_eq!(peak % 65536, 0, "linear memory grows in 64 KiB pages");
    assert!(peak <= 64 << 20);
    assert_eq!(peak, report.calls.iter().map(|c| c.metrics.peak_memory_bytes).max().unwrap());
    assert!(report.to_string().contains(&format!("({peak} bytes) of a 64.00 MiB cap")));

    // The same call fits in exactly its peak and fails one page below it.
    let exact = Runner::load_with(engine.clone(), lookbook_wasm(), with_cap(peak as usize)).await.unwrap();
    let report = exact.run(call()).await;
    ok(&report);
    assert_eq!(report.peak_memory_bytes(), peak);

    // One page below: load runs `describe` under the same cap, so a plugin
    // whose peak is its starting memory is refused at load; one that grows
    // only while syncing fails the call.
    match Runner::load_with(engine, lookbook_wasm(), with_cap(peak as usize - 65536)).await {
        Err(error) => assert!(format!("{error:?}").contains("Memory"), "{error:?}"),
        Ok(tight) => {
            let report = tight.run(call()).await;
            let failure = report.result.as_ref().unwrap_err();
            assert!(matches!(failure, RunFailure::Plugin(e) if e.kind() == PluginErrorKind::Memory), "{report}");
            assert_eq!(failure.kind(), "memory");
            assert!(report.peak_memory_bytes() < peak);
        }
    }
}

#[tokio::test]
async fn a_packaged_plugin_runs_under_its_manifest() {
    let dir = std::env::temp_dir().join(format!("chatgw-runner-package-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = std::fs::read(lookbook_wasm()).unwrap();
    std::fs::write(dir.join("connector.wasm"), &wasm).unwrap();
    let manifest = std::fs::read_to_string(example_dir().join("connector.toml")).unwrap();
    let sha = chatgw_plugins::manifest::sha256_hex(&wasm);
    let packaged = manifest.replace("sha256 = \"written by build.sh\"", &format!("sha256 = \"{sha}\""));
    std::fs::write(dir.join("connector.toml"), &packaged).unwrap();

    // The folder, the manifest and the wasm next to it all mean the package.
    for path in [dir.clone(), dir.join("connector.toml"), dir.join("connector.wasm")] {
        let runner = Runner::load(&path, lookbook_options()).await.unwrap();
        assert_eq!(runner.manifest_source(), &ManifestSource::File(dir.join("connector.toml")));
        let report = runner.run(RunCall::Describe).await;
        assert_eq!(ok(&report)["id"], "lookbook");
        assert_eq!(report.plugin.sha256, sha);
    }

    // The manifest is honoured: a wrong sha256 or a missing capability stop it.
    std::fs::write(dir.join("connector.toml"), packaged.replace(&sha, &"0".repeat(64))).unwrap();
    let error = Runner::load(&dir, lookbook_options()).await.err().unwrap();
    assert!(error.to_string().contains("sha256"), "{error}");
    std::fs::write(dir.join("connector.toml"), packaged.replace(r#"capabilities = ["http", "log"]"#, r#"capabilities = ["log"]"#)).unwrap();
    let error = Runner::load(&dir, lookbook_options()).await.err().unwrap();
    assert!(error.to_string().contains("does not request `http`"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_project_from_the_template_builds_and_runs_on_its_own_fixtures() {
    let dir = std::env::temp_dir().join(format!("chatgw-template-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_project(&NewProject { name: "acme-store".into(), dir: dir.clone(), sdk: SdkSource::Path(repo().join("sdk/rust")) }).expect("write the project");
    // The example's target folder: the dependencies are the same, so the
    // build reuses them.
    let wasm = build_component(&dir, &example_dir().join("target"), "acme-store");
    let options = RunnerOptions {
        settings: std::fs::read_to_string(dir.join("settings.example.json")).unwrap(),
        fixtures: Some(dir.join("fixtures")),
        ..RunnerOptions::default()
    };
    let runner = Runner::load(&wasm, options).await.expect("load the new plugin");

    let described = runner.run(RunCall::Describe).await;
    assert_eq!(ok(&described)["id"], "acme-store");
    let pages = runner.run(RunCall::SyncProducts { cursor: None, since: None, all_pages: true }).await;
    assert_eq!(ok(&pages)["pages"], 2);
    assert_eq!(ok(&pages)["products"][0]["variants"][0]["price"]["amount_minor"], 2990);
    let order = runner.run(RunCall::GetOrder { order_ref: "#1001".into() }).await;
    assert_eq!(ok(&order)["customer_email"], "ada@example.com");
    let stock = runner.run(RunCall::GetStock { skus: vec!["TEE-BLK-M".into()] }).await;
    assert_eq!(ok(&stock)[0]["available"], 12);
    let connected = runner.run(RunCall::CheckConnection).await;
    ok(&connected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_runner_runs_under_the_gateways_default_limits() {
    // The numbers `sdk/README.md` lists and the gateway's `[plugin_limits]`
    // defaults start from (`CallLimits::default()`).
    let limits = RunnerOptions::default().limits;
    assert_eq!(limits.deadline, std::time::Duration::from_secs(15));
    assert_eq!(limits.memory_bytes, 64 << 20);
    assert_eq!(limits.max_output_bytes, 16 << 20);
    assert_eq!(limits.max_http_requests, 1_000);
    assert_eq!(limits.max_request_body_bytes, 1 << 20);
    assert_eq!(chatgw_plugins::HttpGrant::default().max_response_bytes, 8 << 20);
}
