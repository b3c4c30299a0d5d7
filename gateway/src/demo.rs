//! The demo store shipped inside the binary, so `chatgw demo` runs with
//! nothing installed: a fictional Barcelona fashion shop in English and
//! Spanish (see `examples/demo-store/`), with a few orders to look up.

use std::collections::BTreeMap;

use crate::config::{
    CatalogSource, DaySpan, HandoffConfig, ModelRouting, RetrievalConfig, ShippingConfig, ShippingZone, StoreConfig, WidgetConfig, WidgetPosition,
};
use crate::tools::orders::{Fulfilment, OrderLine, OrderRecord, OrderTotal, Tracking};

pub const CATALOG_JSON: &str = include_str!("../../examples/demo-store/catalog.json");

pub const PUBLIC_KEY: &str = "pk_demo";

/// The variable that turns on the demo store's agent API and console: its
/// value is the agent token (`Authorization: Bearer ...`, or typed into
/// `/agent`). Unset: the demo has no agent API, as a store without
/// `handoff.agent_token_env` has none.
pub const AGENT_TOKEN_ENV: &str = "CHATGW_DEMO_AGENT_TOKEN";

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
        handoff: handoff(),
        shipping: Some(shipping()),
        widget: widget(),
    }
}

/// Agents sign in with the token in [`AGENT_TOKEN_ENV`] when it is set.
fn handoff() -> HandoffConfig {
    let enabled = std::env::var_os(AGENT_TOKEN_ENV).is_some_and(|v| !v.is_empty());
    HandoffConfig { agent_token_env: if enabled { AGENT_TOKEN_ENV.into() } else { String::new() }, ..Default::default() }
}

/// The shop's terracotta, its greetings and its privacy page.
fn widget() -> WidgetConfig {
    WidgetConfig {
        color: "#a03f2a".into(),
        position: WidgetPosition::Right,
        greeting: BTreeMap::from([
            ("en".into(), "Hola! Welcome to Lumen & Thread. I can help you find the right piece, check sizes and stock, or look up your order.".into()),
            ("es".into(), "¡Hola! Bienvenido a Lumen & Thread. Te ayudo a encontrar la prenda ideal, consultar tallas y stock o buscar tu pedido.".into()),
        ]),
        privacy_url: "https://demo.lumenthread.example/pages/privacy".into(),
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

/// The demo store's orders, so verified order lookup can be tried offline:
/// every status a shopper may ask about (unfulfilled, processing, shipped
/// with tracking, partly shipped, delivered, cancelled), with items from the
/// demo catalog. Dates are fixed, in November 2026.
pub fn demo_orders() -> Vec<OrderRecord> {
    vec![
        order("#1001", "delivered", "marta.soler@example.com", "08001", "2026-10-28T09:14:00Z")
            .item("Sitges Linen Shirt", "LT-SHI-0001-WHT-M", 1, "59.00")
            .item("Barceloneta Organic Cotton T-Shirt", "LT-TEE-0041-WHT-M", 2, "19.00")
            .shipped("delivered", "2026-10-29T16:40:00Z", "Correos", "PQ4F2A0712345670108001B"),
        order("#1007", "cancelled", "lucas.martin@example.org", "28013", "2026-11-02T18:03:00Z").item(
            "Baqueira Down Puffer Jacket",
            "LT-JAC-0005-BLK-L",
            1,
            "229.00",
        ),
        order("#1015", "delivered", "sophie.laurent@example.fr", "75011", "2026-11-05T11:27:00Z")
            .item("Tamariu Midi Dress", "LT-DRE-0004-EMR-S", 1, "79.00")
            .item("Cadí Espadrilles", "LT-SAN-0346-NAV-38", 1, "45.00")
            .shipped("delivered", "2026-11-06T10:05:00Z", "DHL", "JD014600006281234567"),
        order("#1023", "shipped", "anna.weber@example.de", "10115", "2026-11-16T08:51:00Z")
            .item("Montseny Waterproof Leather Boots", "LT-BOO-0007-BRN-42", 1, "159.00")
            .shipped("in_transit", "2026-11-17T14:22:00Z", "DHL", "JD014600006287654321"),
        order("#1031", "partially_shipped", "giulia.rossi@example.it", "20121", "2026-11-18T19:45:00Z")
            .item("Llançà Silk Blouse", "LT-BLO-0072-IVO-S", 1, "105.00")
            .item("Miravet Leather Tote", "LT-BAG-0365-COG-OS", 1, "115.00")
            .shipped("in_transit", "2026-11-20T09:30:00Z", "UPS", "1Z999AA10123456784"),
        order("#1036", "processing", "ines.costa@example.pt", "1100-148", "2026-11-23T13:02:00Z").item(
            "Eixample Waterproof Commuter Jacket",
            "LT-JAC-0009-BLK-M",
            1,
            "139.00",
        ),
        order("#1040", "unfulfilled", "oleg.ivanov@example.com", "08008", "2026-11-25T07:36:00Z")
            .item("Cambrils Cashmere Scarf", "LT-SCA-0393-CAM-OS", 1, "129.00")
            .item("Aran Piqué Polo", "LT-POL-0062-WHT-L", 2, "45.00"),
        order("#1042", "shipped", "jordi.puig@example.com", "08012", "2026-11-21T10:12:00Z")
            .item("Collserola Waterproof Chelsea Boots", "LT-BOO-0008-BLK-40", 1, "139.00")
            .item("Sitges Linen Shirt", "LT-SHI-0001-WHT-L", 1, "59.00")
            .shipped("in_transit", "2026-11-24T15:48:00Z", "Seur", "SEU2611248801042"),
    ]
    .into_iter()
    .map(DemoOrder::finish)
    .collect()
}

/// Builds one demo order; `finish` sums the total.
struct DemoOrder(OrderRecord);

fn order(order_ref: &str, status: &str, email: &str, postcode: &str, created_at: &str) -> DemoOrder {
    DemoOrder(OrderRecord {
        order_ref: order_ref.into(),
        status: status.into(),
        email: email.into(),
        postcode: Some(postcode.into()),
        created_at: Some(created_at.into()),
        items: Vec::new(),
        fulfilments: Vec::new(),
        total: None,
    })
}

impl DemoOrder {
    fn item(mut self, title: &str, sku: &str, quantity: u32, price: &str) -> Self {
        self.0.items.push(OrderLine { title: title.into(), sku: Some(sku.into()), quantity, price: Some(price.into()) });
        self
    }

    /// A parcel sent with `carrier`; its tracking page is the carrier's
    /// public one.
    fn shipped(mut self, status: &str, shipped_at: &str, carrier: &str, number: &str) -> Self {
        let url = match carrier {
            "Correos" => format!("https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}"),
            "DHL" => format!("https://www.dhl.com/es-en/home/tracking.html?tracking-id={number}"),
            "UPS" => format!("https://www.ups.com/track?tracknum={number}"),
            _ => format!("https://www.seur.com/livetracking/?segOnlineIdentificador={number}"),
        };
        self.0.fulfilments.push(Fulfilment {
            status: status.into(),
            shipped_at: Some(shipped_at.into()),
            tracking: vec![Tracking { carrier: Some(carrier.into()), number: Some(number.into()), url: Some(url) }],
        });
        self
    }

    fn finish(mut self) -> OrderRecord {
        let cents: i64 = self.0.items.iter().map(|i| i.quantity as i64 * i.price.as_deref().map_or(0, price_cents)).sum();
        self.0.total = Some(OrderTotal { amount: format!("{}.{:02}", cents / 100, cents % 100), currency: "EUR".into() });
        self.0
    }
}

fn price_cents(price: &str) -> i64 {
    let (units, cents) = price.split_once('.').unwrap_or((price, "0"));
    units.parse::<i64>().unwrap_or(0) * 100 + format!("{cents:0<2}")[..2].parse::<i64>().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_orders_sell_demo_products_at_their_prices() {
        let catalog: serde_json::Value = serde_json::from_str(CATALOG_JSON).expect("catalog");
        let variants: Vec<(&str, &str, &str)> = catalog["products"]
            .as_array()
            .expect("products")
            .iter()
            .flat_map(|p| {
                p["variants"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |v| (p["title"].as_str().unwrap_or(""), v["sku"].as_str().unwrap_or(""), v["price"].as_str().unwrap_or("")))
            })
            .collect();
        let orders = demo_orders();
        assert!(orders.len() >= 8);
        assert!(orders.iter().any(|o| o.order_ref == "#1042"));
        for order in &orders {
            assert!(!order.items.is_empty(), "{}", order.order_ref);
            for item in &order.items {
                let sku = item.sku.as_deref().unwrap_or_default();
                assert!(
                    variants.iter().any(|(title, s, price)| *s == sku && *title == item.title && Some(*price) == item.price.as_deref()),
                    "{} {sku} is in the demo catalog at that price",
                    order.order_ref
                );
            }
        }
        let statuses: Vec<&str> = orders.iter().map(|o| o.status.as_str()).collect();
        for status in ["unfulfilled", "processing", "shipped", "delivered", "cancelled"] {
            assert!(statuses.contains(&status), "{status} missing");
        }
        let with_1042 = orders.iter().find(|o| o.order_ref == "#1042").expect("#1042");
        assert_eq!(with_1042.total.as_ref().map(|t| t.amount.as_str()), Some("198.00"));
    }
}
