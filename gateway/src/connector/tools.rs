//! The tool box of a store with a connector: catalog search as before, live
//! stock from the connector, and the connector's own tools; orders come
//! from the connector through [`ConnectorOrders`], verified in the core
//! (`tools::orders`). Every failure comes back to the model as an explanation it can
//! pass on ("I can't check that right now"), never as made-up data.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use super::{ConnectorFailure, StoreConnector};
use crate::llm::{ToolCall, ToolDef};
use crate::tools::catalog::{GET_STOCK, SEARCH_PRODUCTS};
use crate::tools::orders::{OrderRecord, OrderSource};
use crate::tools::shipping::GET_SHIPPING;
use crate::tools::{CatalogToolBox, ToolBox, ToolOutcome};

pub use crate::tools::orders::GET_ORDER_STATUS;

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
    fn tool_names_are_checked() {
        assert!(valid_tool_name("size_guide"));
        assert!(!valid_tool_name("size guide"));
        assert!(!valid_tool_name(""));
    }
}

/// The connector as the source of orders for the verified lookup.
pub struct ConnectorOrders(pub Arc<StoreConnector>);

#[async_trait]
impl OrderSource for ConnectorOrders {
    async fn get_order(&self, order_ref: &str) -> Result<Option<OrderRecord>, String> {
        match self.0.get_order(order_ref).await {
            Ok(order) => Ok(Some(OrderRecord::from_contract(&order))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}
