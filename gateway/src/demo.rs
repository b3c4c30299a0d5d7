//! The demo store shipped inside the binary, so `chatgw demo` runs with
//! nothing installed: a fictional Barcelona fashion shop in English and
//! Spanish (see `examples/demo-store/`).

use crate::config::{CatalogSource, DaySpan, ModelRouting, RetrievalConfig, ShippingConfig, ShippingZone, StoreConfig};

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
        shipping: Some(shipping()),
    }
}

/// The demo store's shipping table, as its policies text states it: free
/// in Spain from 50 €, dispatch within 2 working days.
pub fn shipping() -> ShippingConfig {
    let zone = |name: &str, countries: &[&str], cost: f64, free_over: Option<f64>, min: u32, max: u32| ShippingZone {
        name: name.into(),
        countries: countries.iter().map(|c| (*c).to_owned()).collect(),
        cost,
        free_over,
        delivery_days: DaySpan { min, max },
    };
    ShippingConfig {
        dispatch_days: Some(DaySpan { min: 1, max: 2 }),
        zones: vec![
            zone("Spain", &["ES"], 4.95, Some(50.0), 1, 3),
            zone("Portugal", &["PT"], 6.95, None, 2, 4),
            zone("European Union", &["FR", "DE", "IT", "NL", "BE", "AT", "IE", "LU"], 9.95, None, 3, 6),
        ],
        notes: "Delivery days are working days after dispatch.".into(),
    }
}
