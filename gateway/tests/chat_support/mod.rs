//! Support for chat tests: build a gateway over given services, serve it on
//! a real TCP port, and read its SSE answers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chatgw::App;
use chatgw::app::Services;
use chatgw::catalog::{Product, Variant};
use chatgw::config::{CatalogSource, GatewayConfig, ModelRouting, RetrievalConfig, StoreConfig};
use chatgw::embed::{Embedder, LocalEmbedder};
use chatgw::llm::ChatModel;
use chatgw::llm::offline::OfflineModel;
use chatgw::session::{MemorySessions, SessionStore};
use chatgw::storage::Storage;
use serde_json::Value;

/// The demo store, as `chatgw demo` serves it.
pub fn demo_store() -> StoreConfig {
    chatgw::demo::store_config("127.0.0.1:8080")
}

/// A second store with its own small catalog written to a temp file.
pub fn other_store(dir: &std::path::Path) -> StoreConfig {
    let products: Vec<Product> =
        [("h1", "Trail Running Shoe", "Light trail running shoe with a grippy sole."), ("h2", "Camping Tent", "Two-person tent for summer camping trips.")]
            .iter()
            .map(|(id, title, description)| Product {
                id: (*id).into(),
                handle: id.to_string(),
                title: (*title).into(),
                description: (*description).into(),
                category: "outdoor".into(),
                vendor: "Peak".into(),
                tags: vec![],
                attributes: BTreeMap::new(),
                reviews: vec![],
                translations: BTreeMap::new(),
                url: Some(format!("https://peak.example/{id}")),
                image: None,
                updated_at: None,
                variants: vec![Variant {
                    sku: format!("{id}-1"),
                    title: "One size".into(),
                    options: BTreeMap::new(),
                    price: "99.00".into(),
                    compare_at_price: None,
                    inventory_quantity: Some(2),
                }],
            })
            .collect();
    let path = dir.join("peak.json");
    std::fs::write(&path, serde_json::to_string(&serde_json::json!({ "products": products })).expect("serialise")).expect("write catalog");
    StoreConfig {
        id: "peak".into(),
        name: "Peak Outdoor".into(),
        languages: vec!["en".into()],
        public_key: "pk_peak_test".into(),
        allowed_origins: vec!["https://peak.example".into()],
        currency: "USD".into(),
        persona: String::new(),
        policies: String::new(),
        catalog: CatalogSource::File { path: path.display().to_string() },
        models: ModelRouting::default(),
        retrieval: RetrievalConfig::default(),
        limits: Default::default(),
        handoff: Default::default(),
        shipping: None,
        widget: Default::default(),
    }
}

pub fn gateway_config() -> GatewayConfig {
    let mut g = GatewayConfig::default();
    g.server.max_message_chars = 500;
    g.server.max_body_bytes = 8 * 1024;
    g
}

/// A gateway over these services with these stores, all on the offline model.
pub async fn build_app(storage: Arc<dyn Storage>, sessions: Arc<dyn SessionStore>, stores: Vec<StoreConfig>) -> App {
    let embedder: Arc<dyn Embedder> = Arc::new(LocalEmbedder::default());
    let stores = stores.into_iter().map(|s| (s, Arc::new(OfflineModel) as Arc<dyn ChatModel>)).collect();
    App::new(gateway_config(), Services { storage, sessions, embedder }, stores).await.expect("gateway builds")
}

pub fn memory_sessions() -> Arc<dyn SessionStore> {
    Arc::new(MemorySessions::new(Duration::from_secs(600)))
}

/// Serves `app` on 127.0.0.1 and returns its base URL.
pub async fn serve(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(chatgw::http::serve(app, listener));
    format!("http://{addr}")
}

#[derive(Debug, Clone)]
pub struct Sse {
    pub events: Vec<(String, Value)>,
}

impl Sse {
    pub fn names(&self) -> Vec<&str> {
        self.events.iter().map(|(n, _)| n.as_str()).collect()
    }
    pub fn first(&self, name: &str) -> Option<&Value> {
        self.events.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    pub fn all(&self, name: &str) -> Vec<&Value> {
        self.events.iter().filter(|(n, _)| n == name).map(|(_, v)| v).collect()
    }
    pub fn text(&self) -> String {
        self.all("token").iter().filter_map(|v| v["text"].as_str()).collect()
    }
    pub fn session_id(&self) -> String {
        self.first("session").and_then(|v| v["session_id"].as_str()).expect("session event").to_owned()
    }
    pub fn done(&self) -> &Value {
        self.first("done").unwrap_or_else(|| panic!("no done event in {:?}", self.events))
    }
    pub fn product_ids(&self) -> Vec<String> {
        self.first("products")
            .map(|v| v["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect())
            .unwrap_or_default()
    }
    pub fn position(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|(n, _)| n == name)
    }
}

/// Posts a chat message and reads the whole SSE answer.
pub async fn chat(base: &str, key: &str, session: Option<&str>, message: &str) -> Sse {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/chat"))
        .header("X-Store-Key", key)
        .json(&serde_json::json!({ "session_id": session, "message": message }))
        .send()
        .await
        .expect("chat request");
    assert_eq!(response.status(), 200, "chat answered {}: {:?}", response.status(), response.text().await);
    let body = response.text().await.expect("sse body");
    parse_sse(&body)
}

pub fn parse_sse(body: &str) -> Sse {
    let mut events = Vec::new();
    for block in body.split("\n\n") {
        let mut name = String::from("message");
        let mut data = String::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_owned();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if !data.is_empty() {
            events.push((name, serde_json::from_str(&data).unwrap_or(Value::String(data))));
        }
    }
    Sse { events }
}

/// A gateway serving the demo store through the `openai` provider pointed
/// at `mock` (a scripted OpenAI-compatible server), on SQLite; `key_env`
/// names a variable unique to the test, set to the key the mock expects.
pub async fn demo_on_mock_model(mock_base_url: String, key_env: &str, adjust: impl FnOnce(&mut StoreConfig)) -> String {
    demo_on_mock_model_with_storage(mock_base_url, key_env, adjust).await.0
}

/// [`demo_on_mock_model`], with the gateway's storage to look into.
pub async fn demo_on_mock_model_with_storage(mock_base_url: String, key_env: &str, adjust: impl FnOnce(&mut StoreConfig)) -> (String, Arc<dyn Storage>) {
    // Each test runs in its own process (nextest) and names its own variable.
    unsafe { std::env::set_var(key_env, "sk-test-secret") };
    let mut gateway = gateway_config();
    gateway.providers.insert(
        "mock".into(),
        chatgw::config::ProviderConfig {
            kind: chatgw::config::ProviderKind::Openai,
            base_url: Some(mock_base_url),
            api_key_env: Some(key_env.into()),
            timeout_s: 10,
            max_retries: 1,
        },
    );
    let mut store = demo_store();
    store.models.provider = "mock".into();
    store.models.chat = "gpt-test".into();
    adjust(&mut store);
    let model = chatgw::app::model_for_store(&gateway, &store).expect("provider builds");
    let storage: Arc<dyn Storage> = crate::common::sqlite().await;
    let services = Services { storage: storage.clone(), sessions: memory_sessions(), embedder: Arc::new(LocalEmbedder::default()) };
    (serve(App::new(gateway, services, vec![(store, model)]).await.expect("app")).await, storage)
}
