//! A connector written with `chatgw-sdk`: the same store API as
//! good-connector, in a fraction of the code.

use chatgw_sdk::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Settings {
    base_url: String,
}

#[derive(Deserialize)]
struct Listing {
    products: Vec<Item>,
    next_page: Option<u32>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    title: String,
}

struct SdkStore;

impl Connector for SdkStore {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-sdk".into(),
            version: "0.1.0".into(),
            capabilities: vec![Capability::Http],
            settings_schema: r#"{"type":"object","required":["base_url"]}"#.into(),
            webhook_signature: WebhookSignature::None,
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        let s: Settings = settings(&settings_json)?;
        get_json::<serde_json_value::Ignored>(&format!("{}/ping", s.base_url), &[]).map(|_| ())
    }

    fn sync_products(
        settings_json: String,
        cursor: Option<String>,
        _since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        let s: Settings = settings(&settings_json)?;
        let page = page_number(cursor.as_deref())?;
        let listing: Listing = get_json(&format!("{}/products?page={page}", s.base_url), &[])?;
        let products = listing
            .products
            .into_iter()
            .map(|item| Product {
                external_id: item.id,
                title: item.title,
                description: String::new(),
                url: None,
                image_urls: vec![],
                vendor: None,
                product_type: None,
                tags: vec![],
                status: "active".into(),
                updated_at: None,
                variants: vec![],
                attributes_json: None,
            })
            .collect();
        Ok(ProductPage {
            products,
            next_cursor: listing.next_page.map(|n| n.to_string()),
        })
    }

    fn get_stock(_: String, _: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        Ok(vec![])
    }

    fn get_order(_: String, order_ref: String) -> Result<Order, ConnectorError> {
        Err(ConnectorError::NotFound(order_ref))
    }

    fn parse_webhook(
        _: String,
        _: String,
        _: Vec<Header>,
        _: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        Ok(vec![])
    }

    fn list_tools(_: String) -> Vec<ToolSpec> {
        vec![]
    }

    fn call_tool(_: String, name: String, _: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(name))
    }
}

mod serde_json_value {
    /// Accepts any JSON and keeps nothing.
    pub struct Ignored;
    impl<'de> serde::Deserialize<'de> for Ignored {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            serde::de::IgnoredAny::deserialize(d).map(|_| Ignored)
        }
    }
}

export_connector!(SdkStore);
