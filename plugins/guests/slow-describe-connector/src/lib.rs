//! Never finishes `describe`: loading it must end at the load limits the
//! host was given, not at a built-in default.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });
include!("../../common/minimal_exports.rs");

use chatgw::connector::types::{
    ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec, WebhookEvent,
};
use exports::chatgw::connector::plugin::Guest;

struct SlowDescribe;

impl Guest for SlowDescribe {
    fn describe() -> Descriptor {
        let mut n = 0u64;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }

    minimal_exports!();

    fn call_tool(_settings: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(name))
    }
}

export!(SlowDescribe);
