//! chatgw's generic SQL connector: a store's catalog, stock and orders from
//! its own database, through queries written in the store's config and run
//! by the host's read-only SQL gate (PostgreSQL, MySQL, MariaDB). Built with
//! `chatgw-sdk` alone, as a third party would build it.
//!
//! # The queries
//!
//! Three settings hold SELECT statements with named parameters. The
//! connector rewrites `:name` into the server's placeholders (`$1` on
//! PostgreSQL, `?` on MySQL/MariaDB, chosen by `dialect`) and the host binds
//! the values: nothing is ever spliced into the SQL text except the
//! validated `table_prefix`, which replaces `{prefix}`. Names inside string
//! literals, quoted identifiers, comments and `::type` casts are left alone.
//!
//! - `catalog_query`: one page of products, one row per variant.
//!   - `:limit`: products per page (`page_size`). Limit *products*, not
//!     rows: pick the page's product ids in a sub-select with the
//!     `LIMIT :limit` and join the variants to it.
//!   - `:after`: the last `product_id` of the previous page (NULL on the
//!     first), bound with the column's own type: page with
//!     `product_id > :after` and end with `ORDER BY product_id`, so a
//!     product's rows are adjacent.
//!   - `:since`: NULL for a full sync; for an incremental one the time of
//!     the last run, as `YYYY-MM-DD HH:MM:SS` text in UTC rounded down to
//!     the second (with `+00` on PostgreSQL). Compare with `>=`.
//!   - On PostgreSQL, a parameter that may be NULL needs its type where it
//!     is first used: `CAST(:since AS timestamptz) IS NULL`,
//!     `CAST(:after AS bigint) IS NULL`.
//! - `stock_query`: `:skus`, a list expanded to `:skus` placeholders
//!   (`sku IN (:skus)`), at most `skus_per_query` per query.
//! - `order_query`: `:order_ref`, the order number as the shopper gave it
//!   without `#` and spaces, as text.
//!
//! # Result columns
//!
//! Columns are found by name (case does not matter); extra columns are
//! ignored, a missing required one is an error naming the setting and the
//! column.
//!
//! Catalog (required: `product_id`, `title`): `description`, `url` (a
//! path starting with `/` goes under `storefront_url`), `image` and/or
//! `images` (JSON array or comma-separated), `vendor`, `category`, `tags`
//! (JSON array or comma-separated), `status` (`active` when absent; `draft`,
//! `private`, `trash`... take the product out of search), `updated_at`
//! (timestamp or text in UTC, or Unix seconds); per variant `variant_id`
//! (else the SKU, else the product id), `sku`, `variant_title`, `price` and
//! `compare_at_price` (decimal, in `currency` or the `currency` setting),
//! `stock_quantity`, `stock_status` (`instock`, `outofstock`,
//! `onbackorder`...), options as `option_<name>` columns or an `options`
//! JSON column (`{"Size": "M"}` or `[{"name", "value"}]`), and extra facts
//! as `attr_<name>` columns or an `attributes` JSON object.
//!
//! Stock (required: `sku`, and `stock_quantity` or `stock_status`):
//! optional `location` for one row per location.
//!
//! Order (required: `order_ref` or `number`, `status`, `email`):
//! `created_at`, `total`, `currency`; items as one row each (`item_sku`,
//! `item_title`, `item_quantity`, `item_price`) or an `items` JSON array of
//! `{sku, title, quantity, price}`; tracking as `tracking_number`,
//! `tracking_carrier`, `tracking_url` or a `tracking` JSON array of
//! `{carrier, number, url}`; `shipped_at`, `fulfilment_status`. The gateway
//! shows an order only to the shopper who gives its email.

mod catalog;
mod columns;
mod order;
mod params;
mod settings;
mod stock;
mod time;

use chatgw_sdk::*;

use params::{Bound, Dialect, Param};
use settings::Settings;

/// Runs one of the store's queries; the host's errors name the setting.
fn run(setting: &str, bound: Bound) -> Result<Rows, ConnectorError> {
    host_sql::query(&bound.sql, &bound.params).map_err(|error| match ConnectorError::from(error) {
        ConnectorError::InvalidSettings(why) => ConnectorError::InvalidSettings(format!("`{setting}`: {why}")),
        ConnectorError::Upstream(why) => ConnectorError::Upstream(format!("`{setting}`: {why}")),
        other => other,
    })
}

fn bind(s: &Settings, setting: &str, sql: &str, value: impl Fn(&str) -> Option<Param>) -> Result<Bound, ConnectorError> {
    params::bind(sql, s.dialect, setting, value).map_err(ConnectorError::InvalidSettings)
}

/// The catalog query bound for one page.
fn catalog_statement(s: &Settings, cursor: Option<&str>, since: Option<&str>, limit: u32) -> Result<Bound, ConnectorError> {
    let after = cursor.map(catalog::decode_cursor).transpose()?.unwrap_or(SqlValue::Null);
    let since = match since {
        Some(since) => SqlValue::Text(
            time::since_param(since, s.dialect == Dialect::Postgres)
                .ok_or_else(|| ConnectorError::Upstream(format!("the gateway asked for changes since `{since}`, which is not an RFC 3339 time")))?,
        ),
        None => SqlValue::Null,
    };
    bind(s, "catalog_query", &s.catalog_query, |name| match name {
        "since" => Some(Param::One(since.clone())),
        "after" => Some(Param::One(after.clone())),
        "limit" => Some(Param::One(SqlValue::Integer(limit.into()))),
        _ => None,
    })
}

fn sync_page(s: &Settings, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
    let rows = run("catalog_query", catalog_statement(s, cursor.as_deref(), since.as_deref(), s.page_size)?)?;
    catalog::page(s, &rows, s.page_size)
}

fn stock_statement(s: &Settings, query: &str, skus: &[&str]) -> Result<Bound, ConnectorError> {
    let values: Vec<SqlValue> = skus.iter().map(|sku| SqlValue::Text((*sku).to_owned())).collect();
    bind(s, "stock_query", query, |name| (name == "skus").then(|| Param::List(values.clone())))
}

fn get_stock(s: &Settings, skus: &[String]) -> Result<Vec<StockLevel>, ConnectorError> {
    let query = s.stock_query.as_deref().ok_or_else(|| ConnectorError::InvalidSettings("`stock_query` is not set, so live stock cannot be read".into()))?;
    let mut wanted: Vec<&str> = skus.iter().map(|sku| sku.trim()).filter(|sku| !sku.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    for batch in wanted.chunks(s.skus_per_query as usize) {
        let rows = run("stock_query", stock_statement(s, query, batch)?)?;
        out.extend(stock::levels(s, &rows, batch)?);
    }
    Ok(out)
}

fn order_statement(s: &Settings, query: &str, reference: &str) -> Result<Bound, ConnectorError> {
    let value = SqlValue::Text(reference.to_owned());
    bind(s, "order_query", query, |name| (name == "order_ref").then(|| Param::One(value.clone())))
}

fn get_order(s: &Settings, order_ref: &str) -> Result<Order, ConnectorError> {
    let query = s.order_query.as_deref().ok_or_else(|| ConnectorError::InvalidSettings("`order_query` is not set, so orders cannot be looked up".into()))?;
    let reference = order::bare_reference(order_ref);
    if reference.is_empty() {
        return Err(ConnectorError::NotFound(format!("order {order_ref}")));
    }
    let rows = run("order_query", order_statement(s, query, &reference)?)?;
    order::order(s, &rows, &reference)
}

/// Every query binds (no unknown parameter), and one catalog row reads.
fn check_connection(s: &Settings) -> Result<(), ConnectorError> {
    if let Some(query) = &s.stock_query {
        stock_statement(s, query, &["check"])?;
    }
    if let Some(query) = &s.order_query {
        order_statement(s, query, "check")?;
    }
    let rows = run("catalog_query", catalog_statement(s, None, None, 1)?)?;
    catalog::page(s, &rows, 1).map(|_| ())
}

struct GenericSql;

impl Connector for GenericSql {
    fn describe() -> Descriptor {
        Descriptor {
            id: "generic-sql".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Sql, Capability::Log],
            settings_schema: settings::schema().to_string(),
            webhook_signature: WebhookSignature::None,
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        check_connection(&Settings::parse(&settings_json)?)
    }

    fn sync_products(settings_json: String, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
        sync_page(&Settings::parse(&settings_json)?, cursor, since)
    }

    fn get_stock(settings_json: String, skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        get_stock(&Settings::parse(&settings_json)?, &skus)
    }

    fn get_order(settings_json: String, order_ref: String) -> Result<Order, ConnectorError> {
        get_order(&Settings::parse(&settings_json)?, &order_ref)
    }

    /// A database sends no webhooks: changes arrive by incremental sync.
    fn parse_webhook(_settings_json: String, topic: String, _headers: Vec<Header>, _body: Vec<u8>) -> Result<Vec<WebhookEvent>, ConnectorError> {
        Err(ConnectorError::Upstream(format!(
            "webhook `{topic}` refused: the generic SQL connector takes no webhooks; changes arrive by incremental sync (catalog.sync_interval_minutes)"
        )))
    }

    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        Vec::new()
    }

    fn call_tool(_settings_json: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("tool `{name}`: the generic SQL connector offers no tools of its own")))
    }
}

chatgw_sdk::export_connector!(GenericSql);

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dialect: &str) -> Settings {
        Settings::parse(
            &serde_json::json!({
                "dialect": dialect,
                "catalog_query": "SELECT * FROM p WHERE (CAST(:since AS timestamptz) IS NULL OR m >= :since) AND (CAST(:after AS bigint) IS NULL OR id > :after) ORDER BY id LIMIT :limit",
                "stock_query": "SELECT sku, qty AS stock_quantity FROM s WHERE sku IN (:skus)",
                "order_query": "SELECT * FROM o WHERE number = :order_ref"
            })
            .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn the_catalog_query_binds_since_cursor_and_limit() {
        let b = catalog_statement(&settings("postgres"), Some("i:40"), Some("2026-01-02T03:04:05.6+00:00"), 50).unwrap();
        assert!(b.sql.contains("CAST($1 AS timestamptz) IS NULL OR m >= $1") && b.sql.ends_with("LIMIT $3"), "{}", b.sql);
        assert_eq!(b.params, vec![SqlValue::Text("2026-01-02 03:04:05+00".into()), SqlValue::Integer(40), SqlValue::Integer(50)]);
        let first = catalog_statement(&settings("postgres"), None, None, 50).unwrap();
        assert_eq!(&first.params[..2], &[SqlValue::Null, SqlValue::Null]);
    }

    #[test]
    fn stock_and_order_queries_bind_their_own_parameters() {
        let s = settings("mysql");
        let b = stock_statement(&s, s.stock_query.as_deref().unwrap(), &["A", "B", "C"]).unwrap();
        assert!(b.sql.ends_with("IN (?, ?, ?)"), "{}", b.sql);
        let b = order_statement(&s, s.order_query.as_deref().unwrap(), "1001").unwrap();
        assert_eq!(b.params, vec![SqlValue::Text("1001".into())]);
        let e = bind(&s, "stock_query", "SELECT * FROM s WHERE sku = :order_ref", |_| None).unwrap_err();
        assert!(matches!(&e, ConnectorError::InvalidSettings(m) if m.contains("stock_query") && m.contains(":order_ref")), "{e:?}");
    }
}
