//! Write a chatgw store connector in Rust. This crate holds the bindings for
//! the `chatgw:connector@1.0.0` contract (from `sdk/wit/`), typed JSON over the
//! host's HTTP capability, settings parsing, a pagination helper and the
//! conversions that turn transport failures into `ConnectorError` values.
//!
//! ```ignore
//! use chatgw_sdk::{Connector, export_connector};
//! struct MyStore;
//! impl Connector for MyStore { /* describe, sync_products, ... */ }
//! export_connector!(MyStore);
//! ```
//! Build with `cargo build --release --target wasm32-wasip2` as a `cdylib`.

wit_bindgen::generate!({
    world: "connector",
    path: "../wit",
    pub_export_macro: true,
    export_macro_name: "export_connector",
    default_bindings_module: "chatgw_sdk",
});

pub use chatgw::connector::host_http::{self, HttpError, Method, Request, Response};
pub use chatgw::connector::types::*;
pub use chatgw::connector::{clock, log};
pub use exports::chatgw::connector::plugin::Guest as Connector;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parses the store's settings JSON, naming what is wrong.
pub fn settings<T: DeserializeOwned>(json: &str) -> Result<T, ConnectorError> {
    serde_json::from_str(json).map_err(|e| ConnectorError::InvalidSettings(e.to_string()))
}

impl From<HttpError> for ConnectorError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Denied(why) => {
                ConnectorError::Upstream(format!("request refused by the host: {why}"))
            }
            HttpError::InvalidRequest(why) => {
                ConnectorError::Upstream(format!("invalid request: {why}"))
            }
            HttpError::Timeout => {
                ConnectorError::Upstream("the store did not answer in time".into())
            }
            HttpError::TooLarge(cap) => {
                ConnectorError::Upstream(format!("response over {cap} bytes"))
            }
            HttpError::Transport(why) => ConnectorError::Upstream(why),
        }
    }
}

/// Maps an HTTP status to the contract's error, or `None` for success.
pub fn status_error(response: &Response) -> Option<ConnectorError> {
    let retry_after = || {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("retry-after"))
            .and_then(|h| h.value.trim().parse().ok())
    };
    match response.status {
        200..=299 => None,
        401 | 403 => Some(ConnectorError::Auth(format!(
            "the store answered {}",
            response.status
        ))),
        404 => Some(ConnectorError::NotFound("the store answered 404".into())),
        429 => Some(ConnectorError::RateLimited(retry_after())),
        status => Some(ConnectorError::Upstream(format!(
            "the store answered {status}"
        ))),
    }
}

/// A JSON request through the host. Credentials are added by the host; do
/// not put secrets in settings or headers.
pub fn json_request<T: DeserializeOwned>(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&impl Serialize>,
) -> Result<(T, Response), ConnectorError> {
    let mut all_headers: Vec<Header> = headers
        .iter()
        .map(|(name, value)| Header {
            name: (*name).into(),
            value: (*value).into(),
        })
        .collect();
    all_headers.push(Header {
        name: "accept".into(),
        value: "application/json".into(),
    });
    let body = match body {
        Some(body) => {
            all_headers.push(Header {
                name: "content-type".into(),
                value: "application/json".into(),
            });
            Some(serde_json::to_vec(body).map_err(|e| ConnectorError::Upstream(e.to_string()))?)
        }
        None => None,
    };
    let response = host_http::send(&Request {
        method,
        url: url.into(),
        headers: all_headers,
        body,
        timeout_ms: None,
    })?;
    if let Some(error) = status_error(&response) {
        return Err(error);
    }
    let value = serde_json::from_slice(&response.body).map_err(|e| {
        ConnectorError::Upstream(format!("the store sent JSON we cannot read: {e}"))
    })?;
    Ok((value, response))
}

/// `GET` a JSON document.
pub fn get_json<T: DeserializeOwned>(
    url: &str,
    headers: &[(&str, &str)],
) -> Result<T, ConnectorError> {
    json_request::<T>(Method::Get, url, headers, None::<&()>).map(|(value, _)| value)
}

/// Page-number pagination as a cursor: `None` means page 1.
pub fn page_number(cursor: Option<&str>) -> Result<u32, ConnectorError> {
    match cursor {
        None => Ok(1),
        Some(text) => text.parse().map_err(|_| {
            ConnectorError::InvalidSettings(format!("cursor `{text}` is not a page number"))
        }),
    }
}

/// Builds a page: the next cursor is the next page number unless this page
/// came back short (fewer than `per_page` items) or `total_pages` says stop.
pub fn numbered_page(
    products: Vec<Product>,
    page: u32,
    per_page: usize,
    total_pages: Option<u32>,
) -> ProductPage {
    let more = products.len() >= per_page && total_pages.is_none_or(|total| page < total);
    ProductPage {
        next_cursor: more.then(|| (page + 1).to_string()),
        products,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_pages_stop_at_a_short_page_or_the_total() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        assert!(page_number(Some("x")).is_err());
        assert_eq!(numbered_page(vec![], 1, 10, None).next_cursor, None);
        let full: Vec<Product> = (0..2)
            .map(|i| Product {
                external_id: i.to_string(),
                title: String::new(),
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
        assert_eq!(
            numbered_page(full.clone(), 1, 2, None)
                .next_cursor
                .as_deref(),
            Some("2")
        );
        assert_eq!(numbered_page(full, 2, 2, Some(2)).next_cursor, None);
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let response = Response {
            status: 429,
            headers: vec![Header {
                name: "Retry-After".into(),
                value: "7".into(),
            }],
            body: vec![],
        };
        assert!(matches!(
            status_error(&response),
            Some(ConnectorError::RateLimited(Some(7)))
        ));
    }
}
