//! Onboarding a store from the command line. `chatgw store check <id>`
//! walks the store's setup in the order an agency meets its problems (the
//! file, its settings, the plugin, the store's API and credentials, the
//! products and their cards, live stock) and says how to fix the first
//! thing wrong; `chatgw sync <id>` runs the store's catalog sync in the
//! foreground with a progress bar.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use chatgw_plugins::contract as c;
use chatgw_plugins::{ConnectorError, PluginError};
use indicatif::{ProgressBar, ProgressStyle};

use std::sync::Arc;

use crate::app::{App, Services};
use crate::catalog::sync::{CatalogFile, SyncProgress};
use crate::catalog::{Product, ProductCard};
use crate::config::{self, CatalogSource, ConnectorSource, GatewayConfig, StoreConfig};
use crate::connector::sync::SyncMode;
use crate::connector::{ConnectorFailure, Connectors, StoreConnector, convert};
use crate::error::Result;
use crate::llm::ChatModel;
use crate::llm::offline::OfflineModel;
use crate::storage::StoreRecord;

/// Products whose cards `store check` shows.
const SAMPLE_CARDS: usize = 2;
/// Characters of a sample card shown.
const SAMPLE_CHARS: usize = 320;
/// SKUs whose stock `store check` asks for.
const STOCK_SKUS: usize = 5;

/// How one step of a check went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    /// Works, but something will bother shoppers or agents.
    Warning {
        problem: String,
        fix: String,
    },
    Failed {
        problem: String,
        fix: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    pub outcome: Outcome,
    /// Extra lines shown under the step (sample cards, counts).
    pub details: Vec<String>,
}

impl Step {
    fn passed(name: &'static str, what: impl Into<String>) -> Self {
        Self { name, outcome: Outcome::Passed(what.into()), details: Vec::new() }
    }

    fn failed(name: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name, outcome: Outcome::Failed { problem: problem.into(), fix: fix.into() }, details: Vec::new() }
    }

    fn warning(name: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { name, outcome: Outcome::Warning { problem: problem.into(), fix: fix.into() }, details: Vec::new() }
    }

    fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    pub fn is_failure(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }
}

/// Every step that ran; the check stops at the first failed step whose
/// successors depend on it.
#[derive(Debug, Clone, Default)]
pub struct StoreCheck {
    pub steps: Vec<Step>,
}

impl StoreCheck {
    pub fn passed(&self) -> bool {
        !self.steps.iter().any(Step::is_failure)
    }

    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    fn push(&mut self, step: Step) -> bool {
        let ok = !step.is_failure();
        self.steps.push(step);
        ok
    }
}

impl fmt::Display for StoreCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.steps {
            let (mark, text) = match &step.outcome {
                Outcome::Passed(what) => ("ok  ", what.clone()),
                Outcome::Warning { problem, .. } => ("warn", problem.clone()),
                Outcome::Failed { problem, .. } => ("FAIL", problem.clone()),
            };
            writeln!(f, "  [{mark}] {:<11} {text}", step.name)?;
            if let Outcome::Warning { fix, .. } | Outcome::Failed { fix, .. } = &step.outcome {
                writeln!(f, "         {:<11} fix: {fix}", "")?;
            }
            for line in &step.details {
                writeln!(f, "         {:<11} {line}", "")?;
            }
        }
        let failures = self.steps.iter().filter(|s| s.is_failure()).count();
        let warnings = self.steps.iter().filter(|s| matches!(s.outcome, Outcome::Warning { .. })).count();
        match failures {
            0 => writeln!(f, "the store is ready ({warnings} warning(s))"),
            n => writeln!(f, "{n} problem(s): fix the first one above and run the check again"),
        }
    }
}

/// `chatgw store check <id>`: finds the store's file in the stores folder
/// and checks it (see [`check_store`]). Exit code 1 when a step failed.
pub async fn store_check_command(config_file: Option<&Path>, stores_dir: Option<&Path>, id: &str) -> Result<ExitCode> {
    let gateway = config::load_gateway(config_file)?;
    let dir = config::stores_folder(&gateway, config_file, stores_dir)?;
    let Some(file) = find_store_file(&dir, id)? else {
        println!("store `{id}`");
        let missing = Step::failed(
            "store file",
            format!("no store file in {} has `id = \"{id}\"`", dir.display()),
            format!("create {}/{id}.toml (examples/stores/ has one per connector, every setting commented), or pass --stores <folder>", dir.display()),
        );
        print!("{}", StoreCheck { steps: vec![missing] });
        return Ok(ExitCode::FAILURE);
    };
    println!("store `{id}` ({})", file.source);
    let outcome = match &file.parsed {
        Ok(store) => {
            let mut outcome = check_store(&gateway, store, &file.source).await;
            outcome.steps.insert(0, Step::passed("store file", "parses"));
            outcome
        }
        Err(e) => {
            StoreCheck { steps: vec![Step::failed("store file", e.to_string(), "correct the key named above; every setting is described in examples/stores/")] }
        }
    };
    print!("{outcome}");
    Ok(if outcome.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// The file whose store id is `id`, or (when a file does not parse, so its
/// id is unknown) the file named `<id>.toml`.
fn find_store_file(dir: &Path, id: &str) -> Result<Option<config::StoreFile>> {
    let files = config::read_store_files(dir)?;
    let by_name = |f: &config::StoreFile| Path::new(&f.source).file_stem().is_some_and(|stem| stem == id);
    let mut found = None;
    for file in files {
        match &file.parsed {
            Ok(store) if store.id == id => return Ok(Some(file)),
            Err(_) if by_name(&file) => found = Some(file),
            _ => {}
        }
    }
    Ok(found)
}

/// Checks one store as the gateway would run it. Needs no database: it
/// reads the store's source, never writes anything.
pub async fn check_store(gateway: &GatewayConfig, store: &StoreConfig, source: &str) -> StoreCheck {
    let mut check = StoreCheck::default();
    if !check.push(settings_step(gateway, store, source)) {
        return check;
    }
    match &store.catalog {
        CatalogSource::Connector(connector) => check_connector_store(gateway, store, connector, &mut check).await,
        CatalogSource::Demo => {
            check_products(&catalog_products(CatalogFile::parse(crate::demo::CATALOG_JSON, "embedded demo catalog")), store, &mut check);
        }
        CatalogSource::File { path } => check_products(&catalog_products(CatalogFile::read(path)), store, &mut check),
    }
    check
}

fn settings_step(gateway: &GatewayConfig, store: &StoreConfig, source: &str) -> Step {
    match config::validate(gateway, std::slice::from_ref(store), &[source.to_owned()]) {
        Ok(()) => {
            let kind = match &store.catalog {
                CatalogSource::Connector(c) => format!("connector `{}`", c.plugin),
                CatalogSource::Demo => "the demo catalog".to_owned(),
                CatalogSource::File { path } => format!("catalog file {path}"),
            };
            Step::passed("settings", format!("valid: {kind}, languages {}", store.languages.join(", ")))
        }
        Err(e) => Step::failed(
            "settings",
            e.to_string(),
            "set what each line names (secrets are environment variables the file names; export them where the gateway runs)",
        ),
    }
}

fn catalog_products(file: std::result::Result<CatalogFile, crate::catalog::sync::SyncError>) -> std::result::Result<Vec<Product>, String> {
    file.map(|f| f.products).map_err(|e| e.to_string())
}

async fn check_connector_store(gateway: &GatewayConfig, store: &StoreConfig, source: &ConnectorSource, check: &mut StoreCheck) {
    let connector = match connect(gateway, store, source).await {
        Ok(connector) => connector,
        Err(step) => {
            check.push(step);
            return;
        }
    };
    check.push(Step::passed("plugin", format!("`{}` loaded (sha256 {}…), settings match its schema", source.plugin, &connector.plugin_sha256()[..12])));
    match connector.check_connection().await {
        Ok(()) => check.push(Step::passed("connection", "the store answered and accepted the credentials")),
        Err(e) => {
            check.push(call_failure("connection", &e, source));
            return;
        }
    };
    let page = match connector.sync_page(None, None).await {
        Ok(page) => page,
        Err(e) => {
            check.push(call_failure("products", &e, source));
            return;
        }
    };
    let (products, unreadable) = read_page(&page);
    let more = if page.next_cursor.as_deref().is_some_and(|c| !c.is_empty()) { "more pages follow" } else { "the whole catalog" };
    let details: Vec<String> = unreadable.iter().take(3).map(|why| format!("unreadable: {why}")).collect();
    let summary = format!("the first page has {} product(s) ({more}), {} unreadable", products.len(), unreadable.len());
    let step = if products.is_empty() && page.products.is_empty() {
        Step::warning(
            "products",
            "the first page is empty",
            "check that the store has published products and that the connector's settings (endpoints, filters) point at them",
        )
    } else if products.is_empty() {
        Step::failed("products", format!("{summary}: none could be read"), "fix the field mapping or the store data the lines below name")
    } else if !unreadable.is_empty() {
        Step::warning("products", summary, "fix the field mapping or the store data the lines below name; those products are skipped")
    } else {
        Step::passed("products", summary)
    };
    if !check.push(step.with_details(details)) {
        return;
    }
    check_products(&Ok(products.clone()), store, check);
    check.push(stock_step(&connector, &products, source).await);
}

/// Binds the store's connector, or the failed step saying why not.
async fn connect(gateway: &GatewayConfig, store: &StoreConfig, source: &ConnectorSource) -> std::result::Result<StoreConnector, Step> {
    let plugin_fix = "install the connector (scripts/build-connectors.sh builds the shipped ones) or point [plugins] in chatgw.toml at its connector.toml";
    let mut host = Connectors::new(gateway).map_err(|e| Step::failed("plugin", e.to_string(), plugin_fix))?;
    host.connect(gateway, &store.id, source).await.map_err(|e| match &e {
        ConnectorFailure::Setup { message, .. } if message.contains("settings-schema") => {
            Step::failed("plugin", e.to_string(), "correct catalog.settings as the message says (the plugin's settings-schema lists every setting)")
        }
        ConnectorFailure::Setup { message, .. } if message.contains("is not set") => {
            Step::failed("plugin", e.to_string(), "export the variable where the gateway runs (never write the secret in the store file)")
        }
        _ => Step::failed("plugin", e.to_string(), plugin_fix),
    })
}

fn read_page(page: &c::ProductPage) -> (Vec<Product>, Vec<String>) {
    let mut products = Vec::new();
    let mut unreadable = Vec::new();
    for raw in page.products.iter().filter(|p| convert::is_listed(p)) {
        match convert::product(raw) {
            Ok(product) => products.push(product),
            Err(why) => unreadable.push(format!("{}: {why}", raw.external_id)),
        }
    }
    (products, unreadable)
}

/// What shoppers will see of these products: their cards, and the fields
/// the assistant needs (a price, a link, a picture, some description).
fn check_products(products: &std::result::Result<Vec<Product>, String>, store: &StoreConfig, check: &mut StoreCheck) {
    let products = match products {
        Ok(products) => products,
        Err(why) => {
            check.push(Step::failed("catalog", why.clone(), "correct the catalog file (examples/demo-store/catalog.json shows the format)"));
            return;
        }
    };
    let primary = store.languages.first().map(String::as_str).unwrap_or("en");
    let gaps = card_gaps(products);
    let mut details: Vec<String> = gaps.iter().map(|(gap, ids)| format!("{} product(s) {gap}: {}", ids.len(), sample_ids(ids))).collect();
    for product in products.iter().take(SAMPLE_CARDS) {
        let text = ProductCard::build(product, primary).text.replace('\n', " | ");
        let mut shown: String = text.chars().take(SAMPLE_CHARS).collect();
        if shown.len() < text.len() {
            shown.push('…');
        }
        details.push(format!("card {}: {shown}", product.id));
    }
    let step = if gaps.is_empty() {
        Step::passed("cards", format!("{} card(s) built; every product has a title, price, link, picture and description", products.len()))
    } else {
        Step::warning(
            "cards",
            format!("{} of {} product(s) miss something shoppers need", gaps.values().flatten().collect::<HashSet<_>>().len(), products.len()),
            "fill the fields in the store, or map them in the connector's settings; the assistant cannot quote what a card lacks",
        )
    };
    check.push(step.with_details(details));
}

/// Per gap ("have no price", ...), the products that have it.
fn card_gaps(products: &[Product]) -> BTreeMap<&'static str, Vec<String>> {
    let mut gaps: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut skus = HashSet::new();
    for p in products {
        let mut gap = |what: &'static str| gaps.entry(what).or_default().push(p.id.clone());
        if p.title.trim().is_empty() {
            gap("have no title");
        }
        if p.variants.is_empty() {
            gap("have no variant (nothing to buy)");
        }
        if p.variants.iter().all(|v| v.price.trim().is_empty() || v.price.trim().parse::<f64>().is_err()) {
            gap("have no readable price");
        }
        if p.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
            gap("have no link");
        }
        if p.image.as_deref().is_none_or(|u| u.trim().is_empty()) {
            gap("have no picture");
        }
        if p.description.trim().is_empty() {
            gap("have no description");
        }
        if looks_like_markup(&p.description) || looks_like_markup(&p.title) {
            gap("keep markup in their text");
        }
        if p.variants.iter().any(|v| !v.sku.is_empty() && !skus.insert(v.sku.clone())) {
            gap("share a SKU with another variant");
        }
    }
    gaps
}

/// HTML left over after the connector cleaned the text.
fn looks_like_markup(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["<p", "<div", "<br", "<span", "<li", "&nbsp;", "&amp;", "[/"].iter().any(|tag| lower.contains(tag))
}

fn sample_ids(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    let more = if ids.len() > shown.len() { format!(" and {} more", ids.len() - shown.len()) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// Live stock for a few SKUs of the first page, as the assistant asks it.
async fn stock_step(connector: &StoreConnector, products: &[Product], source: &ConnectorSource) -> Step {
    let skus: Vec<String> = products.iter().flat_map(|p| &p.variants).map(|v| v.sku.clone()).filter(|s| !s.is_empty()).take(STOCK_SKUS).collect();
    if skus.is_empty() {
        return Step::warning("stock", "no product on the first page has a SKU, so stock cannot be asked", "give variants SKUs in the store (or map them)");
    }
    match connector.get_stock(&skus).await {
        Ok(levels) => {
            let answered: HashSet<&str> = levels.iter().map(|l| l.sku.as_str()).collect();
            let missing: Vec<String> = skus.iter().filter(|s| !answered.contains(s.as_str())).cloned().collect();
            if missing.is_empty() {
                Step::passed("stock", format!("live stock answered for {} SKU(s)", skus.len()))
            } else {
                Step::warning(
                    "stock",
                    format!("no stock level for {} of {} SKU(s): {}", missing.len(), skus.len(), sample_ids(&missing)),
                    "check that the store tracks stock for them, or the connector's stock settings",
                )
            }
        }
        Err(e) => call_failure("stock", &e, source),
    }
}

/// A failed connector call, explained for the person onboarding the store.
fn call_failure(step: &'static str, failure: &ConnectorFailure, source: &ConnectorSource) -> Step {
    let ConnectorFailure::Call { source: error, .. } = failure else {
        return Step::failed(step, failure.to_string(), "fix the setting the message names");
    };
    let secrets = credential_variables(source);
    match error {
        PluginError::Connector(ConnectorError::Auth(why)) => Step::failed(
            step,
            format!("the store refused the credentials: {why}"),
            format!("put a valid key for this store in {secrets}; it needs read access to products, stock and orders"),
        ),
        PluginError::Connector(ConnectorError::Upstream(why)) => Step::failed(
            step,
            format!("the store could not be reached or answered an error: {why}"),
            "check the base URL in catalog.settings, and that this machine reaches it (DNS, firewall, TLS certificate)",
        ),
        PluginError::Connector(ConnectorError::NotFound(why)) => Step::failed(
            step,
            format!("the store has no such endpoint or item: {why}"),
            "check the base URL and the endpoint paths in catalog.settings (and the API version, where the platform has one)",
        ),
        PluginError::Connector(ConnectorError::InvalidSettings(why)) => {
            Step::failed(step, format!("the plugin cannot use the settings: {why}"), "correct that setting in catalog.settings")
        }
        PluginError::Connector(ConnectorError::RateLimited(after)) => Step::warning(
            step,
            format!("the store asked to slow down (retry after {} s)", after.unwrap_or(2)),
            "run the check again in a moment; syncs wait this out on their own",
        ),
        PluginError::CapabilityDenied(why) => Step::failed(
            step,
            format!("the plugin was refused a capability: {why}"),
            "allow the store's host in catalog.http.allowed_hosts (catalog.http.private_hosts for a host on your own network)",
        ),
        PluginError::Deadline(limit) => Step::failed(
            step,
            format!("no answer within the call deadline ({:.1} s)", limit.as_secs_f64()),
            "check that the store answers; if it is only slow, raise plugin_limits.call_timeout_ms in chatgw.toml",
        ),
        other => Step::failed(step, other.to_string(), "run with RUST_LOG=chatgw=debug for the plugin's log lines"),
    }
}

/// The environment variables holding the store's API credentials, quoted.
fn credential_variables(source: &ConnectorSource) -> String {
    let names: Vec<String> = source
        .http
        .iter()
        .flat_map(|http| &http.credentials)
        .flat_map(|c| [&c.value_env, &c.username_env, &c.password_env])
        .filter(|name| !name.is_empty())
        .map(|name| format!("`{name}`"))
        .collect();
    if names.is_empty() { "the credential variables of catalog.http.credentials".to_owned() } else { names.join(" and ") }
}

/// `chatgw sync <id>`: syncs one store of the configuration into the
/// configured database, with a progress bar on stderr, then prints what
/// changed. A connector store resumes a run that was cut off.
pub async fn sync_command(config_file: Option<&Path>, stores_dir: Option<&Path>, id: &str, full: bool) -> Result<ExitCode> {
    let mut loaded = config::load(config_file, stores_dir)?;
    let Some(position) = loaded.stores.iter().position(|s| s.id == id) else {
        let known: Vec<&str> = loaded.stores.iter().map(|s| s.id.as_str()).collect();
        eprintln!("error: no store `{id}` in the configuration (stores: {}); `chatgw store check {id}` says why", known.join(", "));
        return Ok(ExitCode::FAILURE);
    };
    let store = loaded.stores.swap_remove(position);
    // Log lines would tear the bar: warnings only, unless RUST_LOG says more.
    crate::telemetry::init(&loaded.gateway.log.format, "warn");
    let services = Services::connect(&loaded.gateway).await?;
    let storage = services.storage.clone();
    let expected = storage.count_products(id).await.ok();
    let started = std::time::Instant::now();
    let bar = SyncBar::new(expected);
    let outcome = match &store.catalog {
        CatalogSource::Connector(_) => {
            let model: Arc<dyn ChatModel> = Arc::new(OfflineModel);
            let app = App::new(loaded.gateway, services, vec![(store, model)]).await?;
            let mode = if full { SyncMode::Full } else { SyncMode::Incremental };
            app.sync_store_with(id, mode, &bar).await
        }
        // A file catalog is always imported whole.
        CatalogSource::Demo | CatalogSource::File { .. } => {
            storage.upsert_store(&StoreRecord { id: store.id.clone(), name: store.name.clone(), languages: store.languages.clone() }).await?;
            crate::app::sync_catalog(storage.as_ref(), services.embedder.as_ref(), &store).await
        }
    };
    bar.finish();
    let report = outcome?;
    let seconds = started.elapsed().as_secs_f64();
    let written = report.created + report.updated + report.unchanged;
    println!(
        "synced `{id}` in {seconds:.1} s ({:.0} products/s): {} created, {} updated, {} unchanged, {} deleted, {} skipped, {} older than stored; {} card(s) embedded; {} product(s) in the store",
        written as f64 / seconds.max(0.001),
        report.created,
        report.updated,
        report.unchanged,
        report.deleted,
        report.skipped,
        report.stale,
        report.embedded,
        storage.count_products(id).await?,
    );
    Ok(ExitCode::SUCCESS)
}

/// The `chatgw sync` progress bar: products written, products/s, and an
/// ETA against the catalog's size at its last sync (a first sync has none
/// to go by, so it shows the rate alone), then the embedding.
pub struct SyncBar {
    bar: ProgressBar,
}

impl SyncBar {
    pub fn new(expected_products: Option<u64>) -> Self {
        let bar = match expected_products.filter(|n| *n > 0) {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{spinner} {msg:10} [{bar:30}] {pos}/{len} products · {per_sec} · ETA {eta}").expect("a valid template"),
            ),
            None => ProgressBar::new_spinner()
                .with_style(ProgressStyle::with_template("{spinner} {msg:10} {pos} products · {per_sec} · {elapsed}").expect("a valid template")),
        };
        bar.set_message("syncing");
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// `n` more done; an estimate that fell short grows with the count.
    fn grow(&self, n: usize) {
        self.bar.inc(n as u64);
        if self.bar.length().is_some_and(|len| self.bar.position() > len) {
            self.bar.set_length(self.bar.position());
        }
    }
}

impl SyncProgress for SyncBar {
    fn page(&self, _pages: u64, products: usize) {
        self.grow(products);
    }

    fn embedding(&self, stale: usize) {
        self.bar.set_style(ProgressStyle::with_template("{spinner} {msg:10} [{bar:30}] {pos}/{len} cards · {per_sec} · ETA {eta}").expect("a valid template"));
        self.bar.set_message("embedding");
        self.bar.set_length(stale as u64);
        self.bar.reset();
    }

    fn embedded(&self, batch: usize) {
        self.grow(batch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, description: &str, price: &str, sku: &str) -> Product {
        serde_json::from_value(serde_json::json!({
            "id": id, "title": format!("Product {id}"), "description": description,
            "url": format!("https://shop.example/{id}"), "image": format!("https://shop.example/{id}.jpg"),
            "variants": [{"sku": sku, "title": "M", "price": price}]
        }))
        .expect("a product")
    }

    #[test]
    fn card_gaps_name_each_missing_field_and_the_products() {
        let products =
            vec![product("a", "Soft merino jumper.", "59.00", "A-1"), product("b", "", "", "B-1"), product("c", "<p>Linen&nbsp;shirt</p>", "40", "A-1")];
        let gaps = card_gaps(&products);
        assert_eq!(gaps["have no description"], vec!["b"]);
        assert_eq!(gaps["have no readable price"], vec!["b"]);
        assert_eq!(gaps["keep markup in their text"], vec!["c"]);
        assert_eq!(gaps["share a SKU with another variant"], vec!["c"]);
        assert!(!gaps.values().flatten().any(|id| id == "a"), "a complete product has no gap: {gaps:?}");
    }

    #[test]
    fn a_is_failurecheck_prints_the_problem_and_its_fix() {
        let check = StoreCheck { steps: vec![Step::passed("settings", "valid"), Step::failed("connection", "refused", "put a key in `X`")] };
        let text = check.to_string();
        assert!(!check.passed());
        assert!(text.contains("[FAIL] connection  refused"), "{text}");
        assert!(text.contains("fix: put a key in `X`"), "{text}");
        assert!(text.contains("1 problem(s)"), "{text}");
    }
}
