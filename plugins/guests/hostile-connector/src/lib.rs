//! A connector that misbehaves on request, so the host's tests can prove each
//! kind of abuse ends in its own clear error. `call-tool(name, args)` picks the
//! abuse; everything else is a minimal, valid connector.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });

use chatgw::connector::host_http::{self, Method, Request};
use chatgw::connector::types::{
    Capability, ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec,
    WebhookEvent, WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;

struct Hostile;

/// A request from the tool's arguments: `url`, optional `method` ("post"),
/// `headers` (a list of [name, value]) and `body_bytes` (that many `b`s).
fn request(v: &serde_json::Value) -> Request {
    let headers = v["headers"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .map(|pair| Header {
                    name: pair[0].as_str().unwrap_or_default().into(),
                    value: pair[1].as_str().unwrap_or_default().into(),
                })
                .collect()
        })
        .unwrap_or_default();
    Request {
        method: if v["method"] == "post" { Method::Post } else { Method::Get },
        url: v["url"].as_str().unwrap_or_default().to_string(),
        headers,
        body: v["body_bytes"].as_u64().map(|n| vec![b'b'; n as usize]),
        timeout_ms: None,
    }
}

impl Guest for Hostile {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-hostile".into(),
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
        match name.as_str() {
            "spin" => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 1 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "panic" => panic!("hostile plugin panicked on purpose"),
            "big-output" => Ok("x".repeat(100 * 1024 * 1024)),
            "fetch" => {
                let v: serde_json::Value = serde_json::from_str(&arguments)
                    .map_err(|e| ConnectorError::InvalidSettings(e.to_string()))?;
                match host_http::send(&request(&v)) {
                    Ok(r) => Ok(format!("{} {}", r.status, String::from_utf8_lossy(&r.body))),
                    Err(e) => Err(ConnectorError::Upstream(format!("{e:?}"))),
                }
            }
            // Sends `times` requests, whatever each answers, and counts.
            "flood" => {
                let v: serde_json::Value = serde_json::from_str(&arguments)
                    .map_err(|e| ConnectorError::InvalidSettings(e.to_string()))?;
                let (mut ok, mut failed) = (0u64, 0u64);
                for _ in 0..v["times"].as_u64().unwrap_or(1) {
                    match host_http::send(&request(&v)) {
                        Ok(_) => ok += 1,
                        Err(_) => failed += 1,
                    }
                }
                Ok(format!("ok {ok}, failed {failed}"))
            }
            "ok" => Ok("fine".into()),
            other => Err(ConnectorError::NotFound(other.into())),
        }
    }
}

export!(Hostile);
