//! The store's settings: its SQL dialect, its own three queries, the
//! table prefix they may use and the sizes of a sync page. No secrets: the
//! database URL stays in the gateway, which grants this plugin a read-only
//! SQL gate to it.

use chatgw_sdk::{ConnectorError, settings};
use serde::Deserialize;

use crate::params::Dialect;

pub const DEFAULT_PAGE_SIZE: u32 = 200;
pub const MAX_PAGE_SIZE: u32 = 5_000;
pub const DEFAULT_SKUS_PER_QUERY: u32 = 100;
pub const MAX_SKUS_PER_QUERY: u32 = 1_000;
/// Longest `table_prefix`: MySQL table names have 64 characters, and
/// `wc_product_meta_lookup` needs 22 of them.
const MAX_PREFIX_CHARS: usize = 40;
/// The token in a query that `table_prefix` replaces.
pub const PREFIX_TOKEN: &str = "{prefix}";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    dialect: String,
    #[serde(default)]
    table_prefix: Option<String>,
    catalog_query: String,
    #[serde(default)]
    stock_query: Option<String>,
    #[serde(default)]
    order_query: Option<String>,
    #[serde(default)]
    page_size: Option<u32>,
    #[serde(default)]
    skus_per_query: Option<u32>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    storefront_url: Option<String>,
    #[serde(default)]
    in_stock_quantity: Option<i64>,
}

/// Settings checked and with the table prefix applied to every query.
#[derive(Debug, Clone)]
pub struct Settings {
    pub dialect: Dialect,
    pub catalog_query: String,
    pub stock_query: Option<String>,
    pub order_query: Option<String>,
    /// Products per sync page (`:limit`).
    pub page_size: u32,
    /// SKUs bound into one stock query (`:skus`).
    pub skus_per_query: u32,
    /// Used where a row has no `currency` column.
    pub currency: Option<String>,
    /// Prefixed to product URLs and images that start with `/`.
    pub storefront_url: Option<String>,
    /// Units reported for a SKU the store marks in stock without counting
    /// it (WooCommerce's "manage stock" off).
    pub in_stock_quantity: i64,
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::InvalidSettings(message)
}

/// A table prefix is spliced into the SQL text, so it may only be an
/// identifier: letters, digits, `_`, not starting with a digit.
fn valid_prefix(prefix: &str) -> bool {
    prefix.len() <= MAX_PREFIX_CHARS
        && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !prefix.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// Replaces `{prefix}` in a query; a query that uses it needs the setting.
fn with_prefix(name: &str, query: &str, prefix: Option<&str>) -> Result<String, ConnectorError> {
    if query.trim().is_empty() {
        return Err(invalid(format!("`{name}` is empty; write the SELECT that answers it (see the connector's README)")));
    }
    match prefix {
        Some(prefix) => Ok(query.replace(PREFIX_TOKEN, prefix)),
        None if query.contains(PREFIX_TOKEN) => {
            Err(invalid(format!("`{name}` uses `{PREFIX_TOKEN}` but `table_prefix` is not set; set it to the tables' prefix, e.g. \"wp_\"")))
        }
        None => Ok(query.to_owned()),
    }
}

impl Settings {
    pub fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let raw: Raw = settings(json)?;
        let dialect = match raw.dialect.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::MySql,
            other => return Err(invalid(format!("`dialect` is `{other}`; use \"postgres\" or \"mysql\" (MySQL and MariaDB)"))),
        };
        let prefix = raw.table_prefix.as_deref();
        if let Some(prefix) = prefix
            && !valid_prefix(prefix)
        {
            return Err(invalid(format!(
                "`table_prefix` `{prefix}` is not a table-name prefix: use letters, digits and `_` (not starting with a digit), at most {MAX_PREFIX_CHARS} characters"
            )));
        }
        let page_size = raw.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(invalid(format!("`page_size` is {page_size}; use 1 to {MAX_PAGE_SIZE} products per page")));
        }
        let skus_per_query = raw.skus_per_query.unwrap_or(DEFAULT_SKUS_PER_QUERY);
        if !(1..=MAX_SKUS_PER_QUERY).contains(&skus_per_query) {
            return Err(invalid(format!("`skus_per_query` is {skus_per_query}; use 1 to {MAX_SKUS_PER_QUERY}")));
        }
        if let Some(currency) = &raw.currency
            && !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(invalid(format!("`currency` `{currency}` is not an ISO 4217 code such as \"EUR\"")));
        }
        if let Some(url) = &raw.storefront_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(invalid(format!("`storefront_url` `{url}` is not an http(s) URL such as \"https://shop.example\"")));
        }
        let in_stock_quantity = raw.in_stock_quantity.unwrap_or(1);
        if in_stock_quantity < 1 {
            return Err(invalid(format!("`in_stock_quantity` is {in_stock_quantity}; use 1 or more")));
        }
        Ok(Settings {
            dialect,
            catalog_query: with_prefix("catalog_query", &raw.catalog_query, prefix)?,
            stock_query: raw.stock_query.map(|q| with_prefix("stock_query", &q, prefix)).transpose()?,
            order_query: raw.order_query.map(|q| with_prefix("order_query", &q, prefix)).transpose()?,
            page_size,
            skus_per_query,
            currency: raw.currency,
            storefront_url: raw.storefront_url.map(|u| u.trim_end_matches('/').to_owned()),
            in_stock_quantity,
        })
    }

    /// An absolute URL for a product link or image: relative ones (`/p/1`)
    /// are put under `storefront_url` when it is set.
    pub fn absolute_url(&self, url: &str) -> String {
        match &self.storefront_url {
            Some(root) if url.starts_with('/') && !url.starts_with("//") => format!("{root}{url}"),
            _ => url.to_owned(),
        }
    }
}

/// The JSON Schema `describe` reports; the gateway checks a store's
/// settings against it before the first call.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": {
            "dialect": {"type": "string", "enum": ["postgres", "postgresql", "mysql", "mariadb"]},
            "table_prefix": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,39}$"},
            "catalog_query": {"type": "string", "minLength": 1},
            "stock_query": {"type": "string", "minLength": 1},
            "order_query": {"type": "string", "minLength": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "skus_per_query": {"type": "integer", "minimum": 1, "maximum": MAX_SKUS_PER_QUERY},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "storefront_url": {"type": "string", "pattern": "^https?://"},
            "in_stock_quantity": {"type": "integer", "minimum": 1}
        },
        "required": ["dialect", "catalog_query"],
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: serde_json::Value) -> Result<Settings, ConnectorError> {
        Settings::parse(&json.to_string())
    }

    fn message(error: ConnectorError) -> String {
        match error {
            ConnectorError::InvalidSettings(m) => m,
            other => panic!("not invalid-settings: {other:?}"),
        }
    }

    #[test]
    fn the_prefix_is_applied_and_checked() {
        let s = parse(serde_json::json!({"dialect": "mysql", "table_prefix": "shop1_", "catalog_query": "SELECT * FROM {prefix}posts"})).unwrap();
        assert_eq!(s.catalog_query, "SELECT * FROM shop1_posts");
        for bad in ["wp; DROP", "1wp_", "wp-", "wp`"] {
            let e = message(parse(serde_json::json!({"dialect": "mysql", "table_prefix": bad, "catalog_query": "SELECT 1"})).unwrap_err());
            assert!(e.contains("table_prefix"), "{e}");
        }
        let e = message(parse(serde_json::json!({"dialect": "mysql", "catalog_query": "SELECT * FROM {prefix}posts"})).unwrap_err());
        assert!(e.contains("table_prefix") && e.contains("catalog_query"), "{e}");
    }

    #[test]
    fn the_dialect_and_sizes_are_checked() {
        let e = message(parse(serde_json::json!({"dialect": "oracle", "catalog_query": "SELECT 1"})).unwrap_err());
        assert!(e.contains("dialect"), "{e}");
        let e = message(parse(serde_json::json!({"dialect": "postgres", "catalog_query": "SELECT 1", "page_size": 0})).unwrap_err());
        assert!(e.contains("page_size"), "{e}");
        let e = message(parse(serde_json::json!({"dialect": "postgres"})).unwrap_err());
        assert!(e.contains("catalog_query"), "{e}");
    }

    #[test]
    fn relative_urls_go_under_the_storefront() {
        let s = parse(serde_json::json!({"dialect": "postgres", "catalog_query": "SELECT 1", "storefront_url": "https://shop.example/"})).unwrap();
        assert_eq!(s.absolute_url("/product/cap/"), "https://shop.example/product/cap/");
        assert_eq!(s.absolute_url("https://cdn.example/a.jpg"), "https://cdn.example/a.jpg");
    }
}
