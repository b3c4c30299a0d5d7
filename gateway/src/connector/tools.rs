//! The tool box of a store with a connector: catalog search as before, live
//! stock and verified order status from the connector, and the connector's
//! own tools. Every failure comes back to the model as an explanation it can
//! pass on ("I can't check that right now"), never as made-up data.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{ConnectorFailure, StoreConnector, convert};
use crate::llm::{ToolCall, ToolDef};
use crate::tools::catalog::{GET_STOCK, SEARCH_PRODUCTS};
use crate::tools::shipping::GET_SHIPPING;
use crate::tools::{CatalogToolBox, ToolBox, ToolOutcome};

pub const GET_ORDER_STATUS: &str = "get_order_status";

pub struct ConnectorToolBox {
    catalog: CatalogToolBox,
    connector: Arc<StoreConnector>,
    /// The connector's own tools, listed once when the store starts.
    plugin_tools: Vec<ToolDef>,
}

impl ConnectorToolBox {
    /// Asks the connector for its tools. A tool whose name is taken by a
    /// built-in one, or whose schema is not a JSON object, is left out
    /// with a warning; a failing `list-tools` leaves only the built-ins.
    pub async fn new(catalog: CatalogToolBox, connector: Arc<StoreConnector>) -> Self {
        let mut plugin_tools = Vec::new();
        match connector.list_tools().await {
            Ok(specs) => {
                for spec in specs {
                    if [SEARCH_PRODUCTS, GET_STOCK, GET_ORDER_STATUS, GET_SHIPPING].contains(&spec.name.as_str()) || !valid_tool_name(&spec.name) {
                        tracing::warn!(plugin = connector.plugin(), tool = %spec.name, "connector tool left out: its name is taken or not [a-zA-Z0-9_-]{{1,64}}");
                        continue;
                    }
                    match serde_json::from_str::<Value>(&spec.parameters_schema) {
                        Ok(schema) if schema.is_object() => plugin_tools.push(ToolDef { name: spec.name, description: spec.description, parameters: schema }),
                        _ => {
                            tracing::warn!(plugin = connector.plugin(), tool = %spec.name, "connector tool left out: its parameters schema is not a JSON object")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "the connector's tools are unavailable; only the built-in tools are offered"),
        }
        Self { catalog, connector, plugin_tools }
    }

    async fn run(&self, store_id: &str, name: &str, args: &Value) -> Result<Value, String> {
        match name {
            GET_STOCK => self.live_stock(store_id, args).await,
            GET_ORDER_STATUS => self.order_status(args).await,
            SEARCH_PRODUCTS | GET_SHIPPING => self.catalog.run(store_id, name, args).await,
            _ if self.plugin_tools.iter().any(|t| t.name == name) => {
                let text = self.connector.call_tool(name, &args.to_string()).await.map_err(|e| unavailable(&e))?;
                Ok(serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)))
            }
            other => {
                let names: Vec<&str> = self.definitions_names();
                Err(format!("unknown tool `{other}`; available: {}", names.join(", ")))
            }
        }
    }

    fn definitions_names(&self) -> Vec<&str> {
        [SEARCH_PRODUCTS, GET_STOCK, GET_ORDER_STATUS].into_iter().chain(self.plugin_tools.iter().map(|t| t.name.as_str())).collect()
    }

    /// Stock as the store's system has it now, for every variant of the
    /// product (so `sizes_in_stock` is right too).
    async fn live_stock(&self, store_id: &str, args: &Value) -> Result<Value, String> {
        let request = self.catalog.stock_request(store_id, args).await?;
        let levels = self.connector.get_stock(&request.skus()).await.map_err(|e| unavailable(&e))?;
        let totals = super::stock_totals(&levels);
        Ok(request.answer(self.catalog.currency(), "live", |v| totals.get(&v.sku).copied().unwrap_or(0)))
    }

    /// An order's status, shown only when the email the shopper gives is
    /// the order's. A wrong email and an unknown number get the same answer,
    /// so the tool cannot be used to find out which orders exist.
    async fn order_status(&self, args: &Value) -> Result<Value, String> {
        let order_ref = args.get("order_ref").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let email = args.get("email").and_then(Value::as_str).map(str::trim).filter(|s| s.contains('@'));
        let (Some(order_ref), Some(email)) = (order_ref, email) else {
            return Err("ask the shopper for both the order number (`order_ref`) and the email address used for the order (`email`)".into());
        };
        const NO_MATCH: &str = "no order matches that order number and email address; ask the shopper to check both";
        let order = match self.connector.get_order(order_ref).await {
            Ok(order) => order,
            Err(e) if e.is_not_found() => return Err(NO_MATCH.into()),
            Err(e) => return Err(unavailable(&e)),
        };
        if !same_email(&order.customer_email, email) {
            tracing::info!(plugin = self.connector.plugin(), "order lookup refused: the email does not match the order's");
            return Err(NO_MATCH.into());
        }
        Ok(json!({
            "order_ref": order.order_ref,
            "status": order.status,
            "created_at": order.created_at,
            "items": order.items.iter().map(|i| json!({
                "title": i.title, "sku": i.sku, "quantity": i.quantity, "price": i.price.as_ref().map(convert::money),
            })).collect::<Vec<_>>(),
            "fulfilments": order.fulfilments.iter().map(|f| json!({
                "status": f.status, "shipped_at": f.shipped_at,
                "tracking": f.tracking.iter().map(|t| json!({"carrier": t.carrier, "number": t.number, "url": t.url})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "total": order.total.as_ref().map(|m| json!({"amount": convert::money(m), "currency": m.currency})),
        }))
    }
}

/// Emails compare without surrounding space and case.
fn same_email(on_order: &str, given: &str) -> bool {
    let on_order = on_order.trim();
    !on_order.is_empty() && on_order.eq_ignore_ascii_case(given.trim())
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// What the model is told when the store's system fails; the detail goes
/// to the log.
fn unavailable(e: &ConnectorFailure) -> String {
    tracing::warn!(error = %e, "connector call failed during a turn");
    "the store's system did not answer; say you cannot check this right now and offer a person from the team".into()
}

#[async_trait]
impl ToolBox for ConnectorToolBox {
    fn definitions(&self) -> Vec<ToolDef> {
        let mut tools = self.catalog.definitions();
        tools.push(ToolDef {
            name: GET_ORDER_STATUS.into(),
            description: "Status, items and tracking of one of the shopper's orders. Needs the order number and the email address the order was placed with; ask the shopper for both.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "order_ref": {"type": "string", "description": "The order number as the shopper knows it, e.g. #1001"},
                    "email": {"type": "string", "description": "The email address the order was placed with"}
                },
                "required": ["order_ref", "email"],
                "additionalProperties": false
            }),
        });
        tools.extend(self.plugin_tools.iter().cloned());
        tools
    }

    async fn call(&self, store_id: &str, call: &ToolCall) -> ToolOutcome {
        ToolOutcome::of(call, |args| async move { self.run(store_id, &call.name, &args).await }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_match_without_case_or_space() {
        assert!(same_email("Ana@Example.com", " ana@example.com "));
        assert!(!same_email("ana@example.com", "ana@example.org"));
        assert!(!same_email("", "@"));
    }

    #[test]
    fn tool_names_are_checked() {
        assert!(valid_tool_name("size_guide"));
        assert!(!valid_tool_name("size guide"));
        assert!(!valid_tool_name(""));
    }
}
