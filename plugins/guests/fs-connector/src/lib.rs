//! A connector that reads the filesystem through WASI: it imports a capability
//! the host never grants, so loading it must fail and name the import.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });

use chatgw::connector::types::{
    Capability, ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec,
    WebhookEvent, WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;

struct FsReader;

impl Guest for FsReader {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-fs".into(),
            version: "0.1.0".into(),
            capabilities: vec![Capability::Http],
            settings_schema: "{}".into(),
            webhook_signature: WebhookSignature::None,
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
        _topic: String,
        _headers: Vec<Header>,
        _body: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        Ok(vec![])
    }

    fn list_tools(_settings: String) -> Vec<ToolSpec> {
        vec![]
    }

    fn call_tool(
        _settings: String,
        name: String,
        arguments: String,
    ) -> Result<String, ConnectorError> {
        let _ = (name, arguments);
        std::fs::read_to_string("/etc/passwd").map_err(|e| ConnectorError::Upstream(e.to_string()))
    }
}

export!(FsReader);
