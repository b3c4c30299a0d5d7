//! Tools backed by the store's synced catalog: `search_products` and
//! `get_stock`. Stock here is the catalog's last known level; a connector's
//! live `get_stock` replaces it when the store has one.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::shipping::{self, GET_SHIPPING};
use super::{ToolBox, ToolOutcome};
use crate::catalog::{Product, Variant};
use crate::config::ShippingConfig;
use crate::llm::{ToolCall, ToolDef};
use crate::search::{HybridSearch, SearchOptions};
use crate::storage::Storage;

pub const SEARCH_PRODUCTS: &str = "search_products";
pub const GET_STOCK: &str = "get_stock";

pub struct CatalogToolBox {
    storage: Arc<dyn Storage>,
    search: HybridSearch,
    languages: Vec<String>,
    currency: String,
    /// The store's shipping table; `get_shipping` is offered only with one.
    shipping: Option<ShippingConfig>,
}

impl CatalogToolBox {
    pub fn new(storage: Arc<dyn Storage>, search: HybridSearch, languages: Vec<String>, currency: String) -> Self {
        Self { storage, search, languages, currency, shipping: None }
    }

    /// Offers `get_shipping` from this table (none: not offered).
    pub fn with_shipping(mut self, shipping: Option<ShippingConfig>) -> Self {
        self.shipping = shipping;
        self
    }

    /// Runs one of the catalog's tools on parsed arguments.
    pub(crate) async fn run(&self, store_id: &str, name: &str, args: &Value) -> Result<Value, String> {
        match name {
            SEARCH_PRODUCTS => self.search_products(store_id, args).await,
            GET_STOCK => self.get_stock(store_id, args).await,
            GET_SHIPPING => shipping::run(self.shipping.as_ref(), &self.currency, args),
            other => Err(format!("unknown tool `{other}`; available: {SEARCH_PRODUCTS}, {GET_STOCK}, {GET_SHIPPING}")),
        }
    }

    async fn search_products(&self, store_id: &str, args: &Value) -> Result<Value, String> {
        let query = args.get("query").and_then(Value::as_str).filter(|q| !q.trim().is_empty()).ok_or("`query` (a non-empty string) is required")?;
        let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(5).clamp(1, 10) as usize;
        let options = SearchOptions { top_k: limit, ..SearchOptions::default() };
        let cards = self.search.search(store_id, query, &self.languages, options).await.map_err(|e| {
            tracing::error!(error = %e, "search_products failed");
            "the catalog search is unavailable right now".to_owned()
        })?;
        let items: Vec<Value> = cards
            .iter()
            .map(|c| {
                let p = &c.product;
                json!({
                    "product_id": p.id, "title": p.title, "url": p.url,
                    "attributes": p.attributes, "from_price": p.from_price(), "currency": self.currency,
                })
            })
            .collect();
        Ok(json!({ "products": items }))
    }

    async fn get_stock(&self, store_id: &str, args: &Value) -> Result<Value, String> {
        let request = self.stock_request(store_id, args).await?;
        Ok(request.answer(&self.currency, "catalog", |v| v.inventory_quantity.unwrap_or(0)))
    }

    /// The product and variants a `get_stock` call is about.
    pub(crate) async fn stock_request(&self, store_id: &str, args: &Value) -> Result<StockRequest, String> {
        let sku = args.get("sku").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let product_id = args.get("product_id").and_then(Value::as_str).filter(|s| !s.is_empty());
        let wanted: Vec<(String, String)> = ["size", "color"]
            .iter()
            .filter_map(|k| args.get(*k).and_then(Value::as_str).filter(|v| !v.trim().is_empty()).map(|v| ((*k).to_owned(), v.trim().to_owned())))
            .collect();

        let product: Arc<Product> = match (sku.as_deref(), product_id) {
            (Some(sku), _) => {
                let (pid, _) =
                    self.storage.find_variant(store_id, sku).await.map_err(internal)?.ok_or_else(|| format!("no variant with SKU `{sku}` in this store"))?;
                self.load(store_id, &pid).await?
            }
            (None, Some(pid)) => self.load(store_id, pid).await?,
            (None, None) => return Err("give `product_id` (from the product cards) or `sku`".into()),
        };
        Ok(StockRequest { product, sku, wanted })
    }

    /// The store currency prices are quoted in.
    pub(crate) fn currency(&self) -> &str {
        &self.currency
    }

    /// The product as the storage shares it (a kept product is not copied:
    /// a turn checks one per size the shopper names).
    async fn load(&self, store_id: &str, product_id: &str) -> Result<Arc<Product>, String> {
        self.storage
            .get_shared_products(store_id, &[product_id.to_owned()])
            .await
            .map_err(internal)?
            .pop()
            .ok_or_else(|| format!("no product `{product_id}` in this store; use an id from the product cards"))
    }
}

/// The product a stock question is about, the SKU if one was named and the
/// options asked for (`size`, `color`).
pub(crate) struct StockRequest {
    pub product: Arc<Product>,
    pub sku: Option<String>,
    pub wanted: Vec<(String, String)>,
}

impl StockRequest {
    /// SKUs of all the product's variants.
    pub fn skus(&self) -> Vec<String> {
        self.product.variants.iter().map(|v| v.sku.clone()).collect()
    }

    /// The tool's answer with each variant's quantity from `quantity`;
    /// `source` says where the numbers come from (`catalog` or `live`).
    pub fn answer(&self, currency: &str, source: &str, quantity: impl Fn(&Variant) -> i64) -> Value {
        let (product, wanted) = (&self.product, &self.wanted);
        let variants: Vec<&Variant> = product
            .variants
            .iter()
            .filter(|v| self.sku.as_deref().is_none_or(|s| v.sku == s))
            .filter(|v| wanted.iter().all(|(key, value)| option_matches(v, key, value)))
            .collect();
        let mut sizes_in_stock: Vec<String> = Vec::new();
        for v in &product.variants {
            if quantity(v) > 0
                && wanted.iter().filter(|(k, _)| k == "color").all(|(key, value)| option_matches(v, key, value))
                && let Some(size) = v.options.get("size")
                && !sizes_in_stock.contains(size)
            {
                sizes_in_stock.push(size.clone());
            }
        }
        json!({
            "product_id": product.id,
            "title": product.title,
            "currency": currency,
            "stock_source": source,
            "requested": wanted.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
            "variants": variants.iter().map(|v| json!({
                "sku": v.sku,
                "options": v.options,
                "price": v.price,
                "compare_at_price": v.compare_at_price,
                "available": quantity(v) > 0,
                "quantity": quantity(v).max(0),
            })).collect::<Vec<_>>(),
            "sizes_in_stock": sizes_in_stock,
        })
    }
}

fn internal(e: crate::storage::StorageError) -> String {
    tracing::error!(error = %e, "tool storage error");
    "the store's catalog is unavailable right now".to_owned()
}

/// Case- and accent-insensitive match of a variant option (`size` M == m).
fn option_matches(variant: &Variant, key: &str, wanted: &str) -> bool {
    let fold = crate::classify::fold;
    variant.options.iter().any(|(k, v)| fold(k) == key && fold(v) == fold(wanted))
        || (key == "size" && fold(&variant.title).split([' ', '/']).any(|part| part == fold(wanted)))
}

#[async_trait]
impl ToolBox for CatalogToolBox {
    fn definitions(&self) -> Vec<ToolDef> {
        let mut tools = vec![
            ToolDef {
                name: SEARCH_PRODUCTS.into(),
                description: "Search the store's catalog for products matching a description. Returns product ids, titles, attributes and prices.".into(),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "description": "What the shopper is looking for, in any language"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 10}
                    },
                    "required": ["query"],
                    "additionalProperties": false
                }),
            },
            ToolDef {
                name: GET_STOCK.into(),
                description: "Current stock and price of a product's variants. Call this before saying anything about availability or price.".into(),
                parameters: json!({
                    "type": "object",
                    "properties": {
                        "product_id": {"type": "string", "description": "Product id from the product cards"},
                        "sku": {"type": "string", "description": "A variant SKU, instead of product_id"},
                        "size": {"type": "string", "description": "Only variants in this size"},
                        "color": {"type": "string", "description": "Only variants in this colour"}
                    },
                    "additionalProperties": false
                }),
            },
        ];
        if self.shipping.is_some() {
            tools.push(shipping::definition());
        }
        tools
    }

    async fn call(&self, store_id: &str, call: &ToolCall) -> ToolOutcome {
        ToolOutcome::of(call, |args| async move { self.run(store_id, &call.name, &args).await }).await
    }
}
