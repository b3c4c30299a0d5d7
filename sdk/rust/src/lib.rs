//! Write a chatgw store connector in Rust. This crate holds the bindings for
//! the `chatgw:connector@1.0.0` contract (from `sdk/wit/`) and the helpers
//! most connectors need: settings parsing, typed JSON over the host's HTTP
//! capability with HTTP statuses mapped to [`ConnectorError`], the usual
//! pagination styles, money parsing, and conversions from host failures.
//!
//! ```ignore
//! use chatgw_sdk::*;
//!
//! struct MyStore;
//!
//! impl Connector for MyStore {
//!     fn describe() -> Descriptor { /* id, version, capabilities, schema */ }
//!     fn sync_products(settings_json: String, cursor: Option<String>, since: Option<String>)
//!         -> Result<ProductPage, ConnectorError> { /* get_json_response, next_page_cursor */ }
//!     // check_connection, get_stock, get_order, parse_webhook, list_tools, call_tool
//! }
//!
//! chatgw_sdk::export_connector!(MyStore);
//! ```
//!
//! Build as a `cdylib` with `cargo build --release --target wasm32-wasip2`.
//! The helpers are plain functions over the generated types, so they also
//! compile (and are unit-tested) on the host target; only the host imports
//! (`host_http::send`, `host_sql::query`, `log::write`, `clock::now_unix_ms`)
//! need the wasm runtime.

wit_bindgen::generate!({
    world: "connector",
    path: "../wit",
    pub_export_macro: true,
    export_macro_name: "export_connector",
    default_bindings_module: "chatgw_sdk",
    // So connector authors can compare results in their own unit tests.
    additional_derives: [PartialEq],
});

mod http;
mod money;
mod paging;

pub use chatgw::connector::host_http::{self, HttpError, Method, Request, Response};
pub use chatgw::connector::host_sql::{self, Rows, SqlError, SqlValue};
pub use chatgw::connector::types::*;
pub use chatgw::connector::{clock, log};
pub use exports::chatgw::connector::plugin::Guest as Connector;
pub use http::*;
pub use money::*;
pub use paging::*;

use serde::de::DeserializeOwned;

/// Parses the store's settings JSON into your settings type, naming the
/// missing or wrong field. Settings never hold secrets: the host adds
/// credentials to outgoing requests.
pub fn settings<T: DeserializeOwned>(json: &str) -> Result<T, ConnectorError> {
    serde_json::from_str(json)
        .map_err(|e| ConnectorError::InvalidSettings(format!("settings: {e}")))
}

impl From<HttpError> for ConnectorError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Denied(why) => ConnectorError::Upstream(format!(
                "request refused by the host: {why} (is the host allow-listed for this store?)"
            )),
            HttpError::InvalidRequest(why) => {
                ConnectorError::Upstream(format!("invalid request: {why}"))
            }
            HttpError::Timeout => {
                ConnectorError::Upstream("the store did not answer in time".into())
            }
            HttpError::TooLarge(cap) => ConnectorError::Upstream(format!(
                "the store's response is over the host's {cap} byte cap; ask for smaller pages"
            )),
            HttpError::Transport(why) => ConnectorError::Upstream(why),
        }
    }
}

impl From<SqlError> for ConnectorError {
    fn from(error: SqlError) -> Self {
        match error {
            SqlError::Denied(why) => {
                ConnectorError::Upstream(format!("query refused by the host: {why}"))
            }
            SqlError::InvalidQuery(why) => {
                ConnectorError::InvalidSettings(format!("invalid query: {why}"))
            }
            SqlError::Database(why) => ConnectorError::Upstream(format!("database: {why}")),
            SqlError::Timeout => {
                ConnectorError::Upstream("the query did not finish in time".into())
            }
        }
    }
}

/// JSON the store sent that does not fit the expected shape.
impl From<serde_json::Error> for ConnectorError {
    fn from(error: serde_json::Error) -> Self {
        ConnectorError::Upstream(format!("the store sent JSON we cannot read: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        base_url: String,
    }

    #[test]
    fn settings_errors_name_the_field() {
        let error = settings::<Settings>("{}").unwrap_err();
        assert!(
            matches!(&error, ConnectorError::InvalidSettings(m) if m.contains("base_url")),
            "{error:?}"
        );
        assert!(settings::<Settings>(r#"{"base_url":"https://x"}"#).is_ok());
    }

    #[test]
    fn host_failures_become_connector_errors() {
        assert!(matches!(
            ConnectorError::from(HttpError::Timeout),
            ConnectorError::Upstream(m) if m.contains("in time")
        ));
        assert!(matches!(
            ConnectorError::from(HttpError::Denied("host x".into())),
            ConnectorError::Upstream(m) if m.contains("allow-listed")
        ));
        assert!(matches!(
            ConnectorError::from(SqlError::InvalidQuery("syntax".into())),
            ConnectorError::InvalidSettings(m) if m.contains("syntax")
        ));
        let json = serde_json::from_str::<u32>("\"x\"").unwrap_err();
        assert!(matches!(
            ConnectorError::from(json),
            ConnectorError::Upstream(m) if m.contains("JSON")
        ));
    }
}
