//! A well-behaved connector used by the host's tests: talks to a local store
//! API through `host-http` and never sees the credentials the host adds.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });

use chatgw::connector::host_http::{self, HttpError, Method, Request};
use chatgw::connector::types::{
    Capability, ConnectorError, Descriptor, Header, Money, Order, Product, ProductPage,
    ProductVariant, StockLevel, ToolSpec, WebhookEvent, WebhookSignature,
};
use chatgw::connector::{clock, log};
use exports::chatgw::connector::plugin::Guest;
use serde_json::{Value, json};

struct Good;

fn base_url(settings: &str) -> Result<String, ConnectorError> {
    let v: Value = serde_json::from_str(settings)
        .map_err(|e| ConnectorError::InvalidSettings(e.to_string()))?;
    v.get("base_url")
        .and_then(Value::as_str)
        .map(|s| s.trim_end_matches('/').to_string())
        .ok_or_else(|| ConnectorError::InvalidSettings("base_url is required".into()))
}

/// The headers this plugin itself puts on requests: all it can ever know.
fn own_headers() -> Vec<Header> {
    vec![Header {
        name: "accept".into(),
        value: "application/json".into(),
    }]
}

fn get_json(url: String) -> Result<(Value, Vec<Header>), ConnectorError> {
    let response = host_http::send(&Request {
        method: Method::Get,
        url,
        headers: own_headers(),
        body: None,
        timeout_ms: Some(5_000),
    })
    .map_err(|e| match e {
        HttpError::Denied(m) => ConnectorError::Upstream(format!("denied: {m}")),
        other => ConnectorError::Upstream(format!("{other:?}")),
    })?;
    match response.status {
        200..=299 => {}
        401 | 403 => return Err(ConnectorError::Auth(format!("status {}", response.status))),
        404 => return Err(ConnectorError::NotFound("not found".into())),
        429 => return Err(ConnectorError::RateLimited(Some(1))),
        s => return Err(ConnectorError::Upstream(format!("status {s}"))),
    }
    let body = serde_json::from_slice(&response.body)
        .map_err(|e| ConnectorError::Upstream(format!("bad json: {e}")))?;
    Ok((body, response.headers))
}

fn money(v: &Value) -> Option<Money> {
    Some(Money {
        amount_minor: v.get("price_cents")?.as_i64()?,
        currency: "EUR".into(),
    })
}

fn product(p: &Value, seen: &Value) -> Product {
    let s = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let variants = p
        .get("variants")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| ProductVariant {
                    external_id: v
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                    sku: v.get("sku").and_then(Value::as_str).map(String::from),
                    title: v
                        .get("title")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .into(),
                    price: money(v),
                    compare_at_price: None,
                    options: vec![],
                    available: v.get("available").and_then(Value::as_i64),
                })
                .collect()
        })
        .unwrap_or_default();
    Product {
        external_id: s("id"),
        title: s("title"),
        description: s("description"),
        url: None,
        image_urls: vec![],
        vendor: None,
        product_type: None,
        tags: vec![],
        status: "active".into(),
        updated_at: None,
        variants,
        attributes_json: Some(seen.to_string()),
    }
}

impl Guest for Good {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-good".into(),
            version: "0.1.0".into(),
            capabilities: vec![Capability::Http, Capability::Log, Capability::Clock],
            settings_schema: r#"{"type":"object","required":["base_url"]}"#.into(),
            webhook_signature: WebhookSignature::HmacSha256Hex("X-Test-Signature".into()),
        }
    }

    fn check_connection(settings: String) -> Result<(), ConnectorError> {
        get_json(format!("{}/ping", base_url(&settings)?)).map(|_| ())
    }

    fn sync_products(
        settings: String,
        cursor: Option<String>,
        since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        log::write(
            log::Level::Info,
            &format!("sync page cursor={cursor:?} since={since:?}"),
        );
        let mut url = format!(
            "{}/products?page={}",
            base_url(&settings)?,
            cursor.as_deref().unwrap_or("1")
        );
        if let Some(since) = since {
            url.push_str("&since=");
            url.push_str(&since);
        }
        let (body, response_headers) = get_json(url)?;
        // Everything this plugin could have seen about the request, echoed back
        // so the test can prove no secret reached it.
        let seen = json!({
            "request_headers": own_headers().iter().map(|h| [&h.name, &h.value]).collect::<Vec<_>>(),
            "response_headers": response_headers.iter().map(|h| [&h.name, &h.value]).collect::<Vec<_>>(),
            "clock_ms": clock::now_unix_ms(),
        });
        let products = body
            .get("products")
            .and_then(Value::as_array)
            .map(|ps| ps.iter().map(|p| product(p, &seen)).collect())
            .unwrap_or_default();
        let next_cursor = body
            .get("next_page")
            .and_then(Value::as_u64)
            .map(|n| n.to_string());
        Ok(ProductPage {
            products,
            next_cursor,
        })
    }

    fn get_stock(settings: String, skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        let (body, _) = get_json(format!(
            "{}/stock?skus={}",
            base_url(&settings)?,
            skus.join(",")
        ))?;
        Ok(body
            .as_array()
            .map(|levels| {
                levels
                    .iter()
                    .map(|l| StockLevel {
                        sku: l
                            .get("sku")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .into(),
                        location: l.get("location").and_then(Value::as_str).map(String::from),
                        available: l.get("available").and_then(Value::as_i64).unwrap_or(0),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    fn get_order(settings: String, order_ref: String) -> Result<Order, ConnectorError> {
        let (body, _) = get_json(format!("{}/orders/{}", base_url(&settings)?, order_ref))?;
        Ok(Order {
            order_ref,
            status: body
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
            customer_email: body
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
            created_at: None,
            items: vec![],
            fulfilments: vec![],
            total: None,
        })
    }

    fn parse_webhook(
        _settings: String,
        topic: String,
        _headers: Vec<Header>,
        body: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| ConnectorError::Upstream(format!("bad webhook body: {e}")))?;
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match topic.as_str() {
            "products/delete" => Ok(vec![WebhookEvent::ProductDeleted(id)]),
            "orders/updated" => Ok(vec![WebhookEvent::OrderUpdated(id)]),
            "products/update" => Ok(vec![WebhookEvent::ProductUpserted(product(
                &v,
                &Value::Null,
            ))]),
            other => Err(ConnectorError::NotFound(format!("unknown topic {other}"))),
        }
    }

    fn list_tools(_settings: String) -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "echo".into(),
            description: "Returns its arguments".into(),
            parameters_schema: r#"{"type":"object"}"#.into(),
        }]
    }

    fn call_tool(
        _settings: String,
        name: String,
        arguments: String,
    ) -> Result<String, ConnectorError> {
        match name.as_str() {
            "echo" => Ok(arguments),
            // Benchmarks the host-call round trip: `n` calls into the host.
            "clock-loop" => {
                let n = serde_json::from_str::<Value>(&arguments)
                    .ok()
                    .and_then(|v| v.get("n").and_then(Value::as_u64))
                    .unwrap_or(0);
                let mut last = 0;
                for _ in 0..n {
                    last = clock::now_unix_ms();
                }
                Ok(last.to_string())
            }
            other => Err(ConnectorError::NotFound(format!("no tool {other}"))),
        }
    }
}

export!(Good);
