//! A connector that reads the store's own database through `host-sql`, used
//! by the host's SQL tests. `sync-products` pages through a `products` table
//! with one fixed query; the `sql` tool runs the statement and parameters in
//! its arguments and returns the rows as JSON, so tests can drive any query
//! across the WebAssembly boundary.
//!
//! Settings: `{"dialect": "postgres" | "mysql", "page_size": 50}`; the
//! dialect only picks the placeholder syntax (`$1` or `?`).

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });

use chatgw::connector::host_sql::{self, Rows, SqlError, SqlValue};
use chatgw::connector::types::{
    Capability, ConnectorError, Descriptor, Header, Money, Order, Product, ProductPage,
    ProductVariant, StockLevel, ToolSpec, WebhookEvent, WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;
use serde_json::{Map, Value, json};

struct SqlConnector;

struct Settings {
    postgres: bool,
    page_size: i64,
}

fn settings(text: &str) -> Result<Settings, ConnectorError> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| ConnectorError::InvalidSettings(format!("settings are not JSON: {e}")))?;
    let postgres = match v.get("dialect").and_then(Value::as_str) {
        Some("postgres") => true,
        Some("mysql") => false,
        _ => {
            return Err(ConnectorError::InvalidSettings(
                "dialect must be \"postgres\" or \"mysql\"".into(),
            ));
        }
    };
    let page_size = v.get("page_size").and_then(Value::as_i64).unwrap_or(50);
    Ok(Settings {
        postgres,
        page_size,
    })
}

impl Settings {
    fn placeholder(&self, n: usize) -> String {
        if self.postgres {
            format!("${n}")
        } else {
            "?".into()
        }
    }
}

fn sql_error(error: SqlError) -> ConnectorError {
    match error {
        SqlError::Denied(m) => ConnectorError::Upstream(format!("sql denied: {m}")),
        SqlError::InvalidQuery(m) => ConnectorError::Upstream(format!("invalid query: {m}")),
        SqlError::Database(m) => ConnectorError::Upstream(format!("database error: {m}")),
        SqlError::Timeout => ConnectorError::Upstream("sql timeout".into()),
    }
}

fn to_param(value: &Value) -> Result<SqlValue, ConnectorError> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::Integer(i),
            None => SqlValue::Double(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(o) => match o.get("hex").and_then(Value::as_str) {
            Some(hex) => SqlValue::Blob(decode_hex(hex)?),
            None => {
                return Err(ConnectorError::InvalidSettings(
                    "an object parameter must be {\"hex\": \"...\"}".into(),
                ));
            }
        },
        Value::Array(_) => {
            return Err(ConnectorError::InvalidSettings(
                "array parameters are not supported".into(),
            ));
        }
    })
}

fn to_json(value: SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Boolean(b) => json!(b),
        SqlValue::Integer(i) => json!(i),
        SqlValue::Double(d) => json!(d),
        SqlValue::Text(s) => json!(s),
        SqlValue::Blob(bytes) => json!({ "hex": encode_hex(&bytes) }),
    }
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Result<Vec<u8>, ConnectorError> {
    let bad = || ConnectorError::InvalidSettings(format!("`{text}` is not hex"));
    if text.len() % 2 != 0 {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).ok_or_else(bad)?, 16).map_err(|_| bad()))
        .collect()
}

fn rows_json(rows: Rows) -> Value {
    let rows_out: Vec<Value> = rows
        .rows
        .into_iter()
        .map(|row| Value::Array(row.into_iter().map(to_json).collect()))
        .collect();
    json!({ "columns": rows.columns, "rows": rows_out, "truncated": rows.truncated })
}

fn column(rows: &Rows, name: &str) -> Result<usize, ConnectorError> {
    rows.columns
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| ConnectorError::Upstream(format!("no `{name}` column")))
}

impl Guest for SqlConnector {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-sql".into(),
            version: "0.1.0".into(),
            capabilities: vec![Capability::Sql],
            settings_schema: r#"{"type":"object","required":["dialect"]}"#.into(),
            webhook_signature: WebhookSignature::None,
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        settings(&settings_json)?;
        host_sql::query("SELECT 1", &[]).map_err(sql_error)?;
        Ok(())
    }

    fn sync_products(
        settings_json: String,
        cursor: Option<String>,
        _since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        let s = settings(&settings_json)?;
        let after: i64 = match cursor {
            Some(c) => c
                .parse()
                .map_err(|_| ConnectorError::InvalidSettings(format!("bad cursor `{c}`")))?,
            None => 0,
        };
        let statement = format!(
            "SELECT id, title, price_cents FROM products WHERE id > {} ORDER BY id LIMIT {}",
            s.placeholder(1),
            s.placeholder(2)
        );
        let rows = host_sql::query(
            &statement,
            &[SqlValue::Integer(after), SqlValue::Integer(s.page_size)],
        )
        .map_err(sql_error)?;
        let (id, title, price) = (
            column(&rows, "id")?,
            column(&rows, "title")?,
            column(&rows, "price_cents")?,
        );
        let mut last = None;
        let mut products = Vec::new();
        for row in &rows.rows {
            let SqlValue::Integer(external_id) = row[id] else {
                return Err(ConnectorError::Upstream("id is not an integer".into()));
            };
            let title = match &row[title] {
                SqlValue::Text(t) => t.clone(),
                _ => String::new(),
            };
            let price = match row[price] {
                SqlValue::Integer(cents) => Some(Money {
                    amount_minor: cents,
                    currency: "EUR".into(),
                }),
                _ => None,
            };
            last = Some(external_id);
            products.push(Product {
                external_id: external_id.to_string(),
                title: title.clone(),
                description: String::new(),
                url: None,
                image_urls: vec![],
                vendor: None,
                product_type: None,
                tags: vec![],
                status: "active".into(),
                updated_at: None,
                variants: vec![ProductVariant {
                    external_id: external_id.to_string(),
                    sku: None,
                    title,
                    price,
                    compare_at_price: None,
                    options: vec![],
                    available: None,
                }],
                attributes_json: None,
            });
        }
        let full_page = products.len() as i64 == s.page_size;
        Ok(ProductPage {
            products,
            next_cursor: last.filter(|_| full_page).map(|id| id.to_string()),
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
        vec![ToolSpec {
            name: "sql".into(),
            description: "Runs a read-only statement with bound parameters".into(),
            parameters_schema: r#"{"type":"object","required":["statement"],"properties":{"statement":{"type":"string"},"params":{"type":"array"}}}"#.into(),
        }]
    }

    fn call_tool(
        _settings: String,
        name: String,
        arguments: String,
    ) -> Result<String, ConnectorError> {
        if name != "sql" {
            return Err(ConnectorError::NotFound(format!("no tool {name}")));
        }
        let args: Map<String, Value> = serde_json::from_str(&arguments)
            .map_err(|e| ConnectorError::InvalidSettings(format!("arguments: {e}")))?;
        let statement = args
            .get("statement")
            .and_then(Value::as_str)
            .ok_or_else(|| ConnectorError::InvalidSettings("`statement` is required".into()))?;
        let params = match args.get("params") {
            Some(Value::Array(values)) => values.iter().map(to_param).collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let rows = host_sql::query(statement, &params).map_err(sql_error)?;
        Ok(rows_json(rows).to_string())
    }
}

export!(SqlConnector);
