//! Describes itself with a `settings-schema` that is JSON but not a JSON
//! Schema (`type` misspelt): the host must refuse it at load, naming the
//! plugin and the field.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });
include!("../../common/minimal_exports.rs");

use chatgw::connector::types::{
    ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec, WebhookEvent,
    WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;

struct BadDescribe;

impl Guest for BadDescribe {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-bad-describe".into(),
            version: "0.1.0".into(),
            capabilities: vec![],
            settings_schema: r#"{"type":"object","properties":{"base_url":{"type":"strnig"}}}"#.into(),
            webhook_signature: WebhookSignature::None,
        }
    }

    minimal_exports!();

    fn call_tool(_settings: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(name))
    }
}

export!(BadDescribe);
