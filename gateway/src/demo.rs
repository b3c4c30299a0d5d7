//! The demo store shipped inside the binary, so `chatgw demo` runs with
//! nothing installed: a fictional Barcelona fashion shop in English and
//! Spanish (see `examples/demo-store/`).

use crate::config::{CatalogSource, ModelRouting, RetrievalConfig, StoreConfig};

pub const CATALOG_JSON: &str = include_str!("../../examples/demo-store/catalog.json");

pub const PUBLIC_KEY: &str = "pk_demo";

pub fn store_config(addr: &str) -> StoreConfig {
    let port = addr.rsplit(':').next().unwrap_or("8080");
    StoreConfig {
        id: "demo".into(),
        name: "Lumen & Thread".into(),
        languages: vec!["en".into(), "es".into()],
        public_key: PUBLIC_KEY.into(),
        allowed_origins: vec![format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")],
        currency: "EUR".into(),
        persona: "Friendly and concise, like a knowledgeable shop assistant in Barcelona.".into(),
        policies: "Free shipping in Spain on orders over 50 €. Returns within 30 days of delivery, unworn and with tags. Orders ship within 2 working days."
            .into(),
        catalog: CatalogSource::Demo,
        models: ModelRouting::default(),
        retrieval: RetrievalConfig::default(),
        limits: Default::default(),
        handoff: Default::default(),
    }
}
