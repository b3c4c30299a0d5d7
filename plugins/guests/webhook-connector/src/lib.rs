//! A connector that receives webhooks signed the way Shopify signs them
//! (base64 HMAC-SHA256 of the raw body in `X-Shopify-Hmac-Sha256`), used by
//! the host's webhook tests. Topic `explode` makes `parse-webhook` trap, so
//! a test that gets a signature error instead has proved the plugin never
//! ran.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });

use chatgw::connector::types::{
    ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec, WebhookEvent,
    WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;
use serde_json::Value;

struct Webhooks;

impl Guest for Webhooks {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-webhook".into(),
            version: "0.1.0".into(),
            capabilities: vec![],
            settings_schema: "{}".into(),
            webhook_signature: WebhookSignature::HmacSha256Base64("X-Shopify-Hmac-Sha256".into()),
        }
    }

    fn check_connection(_settings: String) -> Result<(), ConnectorError> {
        Ok(())
    }

    fn sync_products(
        _settings: String,
        _cursor: Option<String>,
        _since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        Ok(ProductPage {
            products: vec![],
            next_cursor: None,
        })
    }

    fn get_stock(_settings: String, _skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        Ok(vec![])
    }

    fn get_order(_settings: String, order_ref: String) -> Result<Order, ConnectorError> {
        Err(ConnectorError::NotFound(order_ref))
    }

    fn parse_webhook(
        _settings: String,
        topic: String,
        _headers: Vec<Header>,
        body: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        if topic == "explode" {
            panic!("parse-webhook ran although it must not have");
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| ConnectorError::Upstream(format!("bad webhook body: {e}")))?;
        match topic.as_str() {
            // Shopify sends numeric ids.
            "products/delete" => Ok(vec![WebhookEvent::ProductDeleted(
                v.get("id").map(Value::to_string).unwrap_or_default(),
            )]),
            "orders/updated" => Ok(vec![WebhookEvent::OrderUpdated(
                v.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .into(),
            )]),
            other => Err(ConnectorError::NotFound(format!("unknown topic {other}"))),
        }
    }

    fn list_tools(_settings: String) -> Vec<ToolSpec> {
        vec![]
    }

    fn call_tool(
        _settings: String,
        name: String,
        _arguments: String,
    ) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("no tool {name}")))
    }
}

export!(Webhooks);
