//! The Django REST Framework test peer (`testkit/drf`): a real Django +
//! djangorestframework app, not an emulator, run as a child process on a
//! free loopback port with a SQLite file of its own. Two differently shaped
//! shop APIs live in it (`/shop-a/<style>/…`, `/shop-b/<style>/…`), `style`
//! being `page`, `limit`, `cursor` or `plain` (see testkit/drf/peer).
//!
//! `scripts/setup-services.sh` installs Django and DRF into
//! `testkit/drf/.venv`; a peer that cannot start says so, with that command.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

/// Shop A's API user (DRF `Authorization: Token …`).
pub const TOKEN_A: &str = "4c1f0e7d2b9a48a6a1f3shopa0token0test01";
/// Shop B's API user (`Authorization: Bearer …`).
pub const TOKEN_B: &str = "9e8d7c6b5a4f3e2d1c0bshopb0token0test02";
/// The page-size cap of every paginator in the peer (`max_page_size`,
/// `max_limit`).
pub const MAX_PAGE: usize = 50;
/// How long a start (migrate, seed, bind) may take.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// Which of the peer's two shop APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shop {
    /// Nested variants with stock, decimal-string prices, `Token` auth,
    /// `?updated_since=`, orders at `orders/{number}/`.
    A,
    /// String ids, prices in cents, options as lists, stock per warehouse
    /// at `skus/{code}/stock/`, `Bearer` auth, `?changed_after=`, orders
    /// through `purchases/?ref=`.
    B,
}

impl Shop {
    pub fn path(self) -> &'static str {
        match self {
            Shop::A => "shop-a",
            Shop::B => "shop-b",
        }
    }

    fn control(self) -> &'static str {
        match self {
            Shop::A => "a",
            Shop::B => "b",
        }
    }
}

/// How the peer behaves; each start reads it afresh.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// A DRF rate such as `"1/s"`: requests over it answer 429 with
    /// `Retry-After`.
    pub throttle: Option<String>,
    /// The process exits, without answering, on the product list request
    /// after this many were served.
    pub die_after_pages: Option<u32>,
}

/// One request the peer answered, from its log.
#[derive(Debug, Clone, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub status: u16,
    /// The `Authorization` scheme (`Token`, `Bearer`), never the key.
    pub auth: String,
    pub retry_after: Option<String>,
}

pub struct DrfPeer {
    child: Child,
    port: u16,
    dir: PathBuf,
}

fn python() -> PathBuf {
    match std::env::var_os("CHATGW_DRF_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => crate::repository_root().join("testkit/drf/.venv/bin/python"),
    }
}

fn install_help() -> &'static str {
    "The DRF test peer needs Python 3 with Django and djangorestframework in testkit/drf/.venv. Install them with\n\
     \x20   bash scripts/setup-services.sh\n\
     (or: python3 -m venv testkit/drf/.venv && testkit/drf/.venv/bin/pip install -r testkit/drf/requirements.txt),\n\
     or point CHATGW_DRF_PYTHON at a Python that has them."
}

impl DrfPeer {
    /// Seeds a fresh database with `products` products per shop (plus
    /// orders and the API tokens) and serves it.
    pub fn start(products: u32, behaviour: Behaviour) -> DrfPeer {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!("chatgw-drf-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the peer's directory");
        let (child, port) = spawn(&dir, 0, Some(products), &behaviour);
        DrfPeer { child, port, dir }
    }

    /// Stops the process (if it still runs) and starts it again on the
    /// same port and database, behaving as `behaviour` says.
    pub fn restart(&mut self, behaviour: Behaviour) {
        self.stop();
        let (child, _) = spawn(&self.dir, self.port, None, &behaviour);
        self.child = child;
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process still runs (it exits by itself when told to die
    /// mid-sync).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Whether the process ends within `within`: a peer told to die may
    /// still be exiting when the client has already seen the connection go.
    pub fn exits_within(&mut self, within: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + within;
        while self.is_running() {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        true
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:PORT`, for a store's `private_hosts`.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The API root of one shop in one pagination style.
    pub fn api(&self, shop: Shop, style: &str) -> String {
        format!("{}/{}/{style}/", self.origin(), shop.path())
    }

    /// Shop A's API as a store file maps it for the `django-rest` connector
    /// (`style` as in [`DrfPeer::api`]): nested variants with stock,
    /// decimal-string prices, option maps, a boolean status, `Token` auth.
    pub fn shop_a_settings(&self, style: &str) -> Value {
        json!({
            "base_url": self.api(Shop::A, style),
            "currency": "EUR",
            "storefront_url": "https://shop-a.example",
            "page_size": 100,
            "updated_since_param": "updated_since",
            "endpoints": {
                "products": "products/",
                "product": "products/{id}/",
                "product_by_sku": "products/?sku={sku}",
                "order": "orders/{order_ref}/"
            },
            "product": {
                "id": "id", "title": "name", "description": "description", "url": "url", "images": "images[*].url",
                "category": "category.name", "tags": "tags", "status": "is_active", "updated_at": "modified", "variants": "variants"
            },
            "variant": {"sku": "sku", "title": "label", "price": "price", "options": "attributes", "stock": "stock"},
            "order": {
                "number": "number", "status": "state", "email": "customer.email", "created_at": "placed_at", "total": "total",
                "items": "lines", "item": {"sku": "sku", "title": "name", "quantity": "qty", "price": "unit_price"},
                "shipments": "shipments",
                "shipment": {"carrier": "carrier", "tracking_number": "tracking_code", "tracking_url": "tracking_url", "shipped_at": "shipped_at"},
                "strip_prefix": "#"
            }
        })
    }

    /// Every request answered so far, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let text = fs::read_to_string(self.dir.join("requests.jsonl")).unwrap_or_default();
        text.lines().map(|line| serde_json::from_str(line).expect("the peer logs JSON lines")).collect()
    }

    /// Facts about a shop's data for the test to check against (counts, a
    /// SKU and its stock, an order with its email and postcode).
    pub async fn facts(&self, shop: Shop) -> Value {
        let url = format!("{}/_peer/{}/facts/", self.origin(), shop.control());
        reqwest::get(&url).await.expect("the peer answers").json().await.expect("facts are JSON")
    }

    /// Changes one product now, as a merchant would (`{"id", "title"?,
    /// "active"?}`); its change time becomes now.
    pub async fn touch(&self, shop: Shop, edit: Value) {
        let url = format!("{}/_peer/{}/touch/", self.origin(), shop.control());
        let response = reqwest::Client::new().post(&url).json(&edit).send().await.expect("the peer answers");
        assert!(response.status().is_success(), "touch {edit}: {}", response.status());
    }
}

impl Drop for DrfPeer {
    fn drop(&mut self) {
        self.stop();
        if std::env::var_os("CHATGW_KEEP_DRF_PEER").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Starts `serve.py` and waits (bounded) for its "listening" line.
fn spawn(dir: &Path, port: u16, seed: Option<u32>, behaviour: &Behaviour) -> (Child, u16) {
    let python = python();
    if !python.exists() {
        panic!("{} does not exist.\n{}", python.display(), install_help());
    }
    let peer = crate::repository_root().join("testkit/drf");
    let stderr_path = dir.join("stderr.log");
    let stderr = fs::File::create(&stderr_path).expect("create the peer's stderr log");
    let mut command = Command::new(&python);
    command
        .arg(peer.join("serve.py"))
        .args(["--db", &dir.join("peer.sqlite3").display().to_string(), "--port", &port.to_string()])
        .args(["--token-a", TOKEN_A, "--token-b", TOKEN_B])
        .env("DRF_PEER_LOG", dir.join("requests.jsonl"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("DRF_PEER_THROTTLE")
        .env_remove("DRF_PEER_DIE_AFTER")
        .current_dir(&peer)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(products) = seed {
        command.args(["--seed", &products.to_string()]);
    }
    if let Some(rate) = &behaviour.throttle {
        command.env("DRF_PEER_THROTTLE", rate);
    }
    if let Some(pages) = behaviour.die_after_pages {
        command.env("DRF_PEER_DIE_AFTER", pages.to_string());
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}\n{}", python.display(), install_help()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix("listening on 127.0.0.1:") {
                let _ = tx.send(port.trim().parse::<u16>().ok());
                return;
            }
        }
        let _ = tx.send(None);
    });
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok(Some(port)) => (child, port),
        outcome => {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
            let why = if outcome.is_err() { format!("did not listen within {READY_TIMEOUT:?}") } else { "exited before listening".into() };
            panic!("the DRF test peer {why}; its stderr:\n{stderr}\n{}", install_help());
        }
    }
}
