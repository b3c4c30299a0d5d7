//! The connector-backed gate: `evals/cases/woocommerce` against Sierra Alta
//! (`chatgw_evals::sierra_alta`) served by the WooCommerce emulator over
//! real HTTP, through the shipped `woocommerce` connector. The gateway file
//! and store file are written as an operator writes them, the command line
//! is parsed as `chatgw eval` parses it, the store is synced, and the cases
//! run through the same in-process chat turn as the demo's; the report must
//! meet `evals/thresholds-woocommerce.toml`. Stock comes live from the
//! emulator and orders are looked up there, behind the billing email.
//!
//! Refresh the committed report (`evals/reports/woocommerce.{md,json}`)
//! with `CHATGW_EVALS_WRITE_REPORT=1 cargo nextest run -p chatgw-evals --test woocommerce`.

use std::sync::Arc;

use chatgw::cli::{Cli, Command};
use chatgw::eval::{EvalRun, Pricing, Quiet, Thresholds, evaluate};
use chatgw::llm::offline::OfflineModel;
use chatgw_emulators::woocommerce::{self, WooCommerceEmulator};
use chatgw_evals::{SIERRA_ALTA_ID, evals_path, sierra_alta};
use clap::Parser;

const KEY_ENV: &str = "CHATGW_EVAL_SIERRA_WC_KEY";
const SECRET_ENV: &str = "CHATGW_EVAL_SIERRA_WC_SECRET";
const WEBHOOK_ENV: &str = "CHATGW_EVAL_SIERRA_WC_WEBHOOK";

/// The store file an operator would write for Sierra Alta at `base_url`.
fn store_file(base_url: &str, host_port: &str) -> String {
    format!(
        r#"id = "{SIERRA_ALTA_ID}"
name = "Sierra Alta"
languages = ["en", "es"]
public_key = "pk_sierra_alta_eval"
currency = "EUR"
persona = "Outdoor people helping outdoor people, from our shop in Granada."
policies = """
Orders ship within 1 working day. Free shipping in Spain on orders over 60 €.
Returns within 30 days of delivery, unused, in the original packaging.
"""

[catalog]
kind = "connector"
plugin = "woocommerce"
sync_interval_minutes = 0

[catalog.settings]
base_url = "{base_url}"
page_size = 50

[catalog.http]
allowed_hosts = []
private_hosts = ["{host_port}"]

[[catalog.http.credentials]]
host = "{base_url}"
kind = "basic"
username_env = "{KEY_ENV}"
password_env = "{SECRET_ENV}"

[catalog.webhook]
secret_env = "{WEBHOOK_ENV}"

[shipping]
dispatch_days = {{ min = 1, max = 1 }}

[[shipping.zones]]
name = "Spain"
countries = ["ES"]
cost = 5.95
free_over = 60
delivery_days = {{ min = 1, max = 3 }}

[[shipping.zones]]
name = "Europe"
countries = ["FR", "DE", "IT", "PT", "NL", "BE", "AT"]
cost = 12.95
delivery_days = {{ min = 3, max = 6 }}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_cases_meet_their_thresholds_against_the_emulator() {
    let api = WooCommerceEmulator::start(sierra_alta()).await;
    // Each test runs in its own process (nextest); nothing else reads the
    // environment while this runs at the start of the test.
    unsafe {
        std::env::set_var(KEY_ENV, woocommerce::CONSUMER_KEY);
        std::env::set_var(SECRET_ENV, woocommerce::CONSUMER_SECRET);
        std::env::set_var(WEBHOOK_ENV, "sierra-alta-webhook-secret");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let stores = dir.path().join("stores");
    std::fs::create_dir_all(&stores).expect("stores folder");
    std::fs::write(stores.join(format!("{SIERRA_ALTA_ID}.toml")), store_file(&api.base_url(), &api.host_port())).expect("store file");
    let manifest = chatgw_emulators::connector_manifest("woocommerce");
    let config = dir.path().join("chatgw.toml");
    std::fs::write(&config, format!("stores_dir = \"stores\"\n\n[plugins]\nwoocommerce = {:?}\n", manifest.display().to_string())).expect("gateway file");

    let cases = evals_path("cases/woocommerce");
    let cli =
        Cli::parse_from(["chatgw", "eval", "--store", SIERRA_ALTA_ID, "--config", &config.display().to_string(), "--cases", &cases.display().to_string()]);
    let Command::Eval(args) = cli.command else { panic!("`chatgw eval` parses as the eval command") };
    let run = EvalRun { target: args.target(), cases, provider: "offline".into(), pricing: Pricing::default(), embedding: None };
    let evaluation = evaluate(&run, Arc::new(OfflineModel), None, &Quiet).await.expect("the WooCommerce eval runs");
    let report = &evaluation.report;
    if std::env::var_os("CHATGW_EVALS_WRITE_REPORT").is_some() {
        report.write(&evals_path("reports"), "woocommerce").expect("write the report");
    }

    assert!(report.metrics.cases_passed.total >= 20, "at least 20 connector-backed conversations: {}", report.metrics.cases_passed.total);
    let languages = report.by_language.len();
    assert!(languages >= 4, "cases in several languages: {:?}", report.by_language.keys());
    let thresholds = Thresholds::load(&evals_path("thresholds-woocommerce.toml")).expect("thresholds-woocommerce.toml loads");
    let breaches = thresholds.breaches(report);
    assert!(breaches.is_empty(), "the WooCommerce eval broke its thresholds:\n{}\n{}", breaches.join("\n"), report.to_markdown());

    // The facts came from the shop's system during the turns: live stock
    // asked by SKU, and orders looked up there.
    let calls = api.controls().calls.clone();
    assert!(calls.iter().any(|c| c.route == "products" && c.param("sku").is_some()), "stock was read live by SKU");
    assert!(calls.iter().any(|c| c.route.starts_with("orders")), "orders were looked up in the shop");
}
