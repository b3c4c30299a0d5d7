//! chatgw's Shopify connector: the Admin GraphQL API at a pinned version,
//! built with `chatgw-sdk` alone, as a third party would build it.
//!
//! - Catalog: a full sync runs one bulk operation and reads its JSONL file
//!   a range per page ([`bulk`]); incremental syncs (and full ones with
//!   `bulk_sync: false`) page through `products` (`first` sized to stay
//!   under the 1,000-point query cost cap) by `updated_at`, a product's
//!   variants past the first page fetched before the page is returned.
//!   Every status is passed on; the gateway drops drafts and archived
//!   products.
//! - Stock: variants by SKU, inventory levels per location (the store's
//!   `locations` only, when set).
//! - Orders: by name (`#1001`), with the email the gateway checks.
//! - Webhooks: HMAC-SHA256 (base64) in `X-Shopify-Hmac-Sha256`, checked by
//!   the gateway before `parse-webhook`; REST-shaped bodies.
//! - Throttling: a `THROTTLED` answer (HTTP 200) or a 429 becomes
//!   `rate-limited` with the seconds to wait; the gateway waits and asks for
//!   the same page again, so nothing is lost.

mod bulk;
mod model;
mod queries;
mod settings;

use chatgw_sdk::*;
use serde::Deserialize;
use serde_json::{Value, json};

use model::{Connection, GqlProduct, GqlVariant, RestProduct};
use queries::graphql;
use settings::Settings;

// ---- catalog ---------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShopCurrency {
    currency_code: String,
}

#[derive(Deserialize)]
struct ProductsData {
    shop: ShopCurrency,
    products: Connection<GqlProduct>,
}

#[derive(Deserialize)]
struct MoreVariantsData {
    product: Option<VariantsOnly>,
}

#[derive(Deserialize)]
struct VariantsOnly {
    variants: Connection<GqlVariant>,
}

/// The nodes of one object's connection after `after`, every page of
/// them: `query` takes `$id` and `$after`, `connection` picks the
/// connection out of its answer (none when the object is gone, as when a
/// product is deleted between two queries: what was read stands).
fn remaining_nodes<D: serde::de::DeserializeOwned, T>(
    s: &Settings,
    query: &str,
    id: &str,
    mut after: Option<String>,
    connection: impl Fn(D) -> Option<Connection<T>>,
) -> Result<Vec<T>, ConnectorError> {
    let mut nodes = Vec::new();
    while let Some(cursor) = after.take() {
        let Some(page) = connection(graphql(s, query, json!({ "id": id, "after": cursor }))?) else { break };
        nodes.extend(page.nodes);
        if page.page_info.has_next_page {
            after = page.page_info.end_cursor;
        }
    }
    Ok(nodes)
}

/// The variants of a product after `after`.
fn remaining_variants(s: &Settings, product_id: &str, after: Option<String>) -> Result<Vec<GqlVariant>, ConnectorError> {
    remaining_nodes(s, &queries::more_variants_query(), product_id, after, |data: MoreVariantsData| data.product.map(|p| p.variants))
}

pub(crate) fn sync_page(s: &Settings, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
    // A full sync pages by id: cursors stay valid while products change. An
    // incremental one asks for what changed, oldest change first.
    let (query, sort_key) = match &since {
        Some(since) => (Some(format!("updated_at:>{}", queries::search_value(since))), "UPDATED_AT"),
        None => (None, "ID"),
    };
    let variables = json!({
        "first": s.products_per_page(),
        "after": cursor,
        "query": query,
        "sortKey": sort_key,
        "variants": s.variants_per_product(),
    });
    let data: ProductsData = graphql(s, &queries::products_query(), variables)?;
    let currency = s.currency.clone().unwrap_or(data.shop.currency_code);
    let mut products = Vec::with_capacity(data.products.nodes.len());
    for item in data.products.nodes {
        let more =
            if item.variants.page_info.has_next_page { remaining_variants(s, &item.fields.id, item.variants.page_info.end_cursor.clone())? } else { Vec::new() };
        products.push(model::product(item.into_product(more), s, &currency)?);
    }
    let next_cursor = if data.products.page_info.has_next_page { data.products.page_info.end_cursor } else { None };
    Ok(ProductPage { products, next_cursor })
}

/// The shop's currency: from the settings, or asked.
pub(crate) fn shop_currency(s: &Settings) -> Result<String, ConnectorError> {
    if let Some(currency) = &s.currency {
        return Ok(currency.clone());
    }
    #[derive(Deserialize)]
    struct Data {
        shop: ShopCurrency,
    }
    let data: Data = graphql(s, queries::SHOP_QUERY, json!({}))?;
    Ok(data.shop.currency_code)
}

// ---- stock -------------------------------------------------------------------------

#[derive(Deserialize)]
struct Location {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct Quantity {
    name: String,
    quantity: i64,
}

#[derive(Deserialize)]
struct Level {
    location: Location,
    quantities: Vec<Quantity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InventoryItem {
    id: String,
    inventory_levels: Connection<Level>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockVariant {
    sku: Option<String>,
    inventory_item: InventoryItem,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StockData {
    product_variants: Nodes<StockVariant>,
}

#[derive(Deserialize)]
struct ItemVariant {
    id: String,
    sku: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemWithVariant {
    variant: Option<ItemVariant>,
    inventory_levels: Connection<Level>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemData {
    inventory_item: Option<ItemWithVariant>,
}

/// The levels of an inventory item after `after`.
fn remaining_levels(s: &Settings, item_id: &str, after: Option<String>) -> Result<Vec<Level>, ConnectorError> {
    remaining_nodes(s, &queries::inventory_item_query(), item_id, after, |data: ItemData| data.inventory_item.map(|i| i.inventory_levels))
}

/// Available units per counted location, and their total (negative,
/// oversold levels count as zero in the total).
fn stock_levels(s: &Settings, key: &str, levels: &[Level]) -> Vec<StockLevel> {
    let mut out = Vec::new();
    let mut total = 0;
    for level in levels.iter().filter(|l| s.counts_location(&l.location.id, &l.location.name)) {
        let available = level.quantities.iter().find(|q| q.name == "available").map_or(0, |q| q.quantity);
        total += available.max(0);
        out.push(StockLevel { sku: key.to_owned(), location: Some(level.location.name.clone()), available });
    }
    out.push(StockLevel { sku: key.to_owned(), location: None, available: total });
    out
}

fn get_stock(s: &Settings, skus: &[String]) -> Result<Vec<StockLevel>, ConnectorError> {
    let mut wanted: Vec<&str> = skus.iter().map(|sku| sku.trim()).filter(|sku| !sku.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let query = queries::stock_query();
    let mut out = Vec::new();
    for batch in wanted.chunks(queries::SKUS_PER_QUERY) {
        let search = batch.iter().map(|sku| format!("sku:{}", queries::search_value(sku))).collect::<Vec<_>>().join(" OR ");
        let data: StockData = graphql(s, &query, json!({ "first": batch.len() * 2, "query": search }))?;
        let mut found = Vec::new();
        for variant in data.product_variants.nodes {
            // Shopify's search is not an exact match: keep only the SKUs asked for.
            let Some(sku) = variant.sku.as_deref().map(str::trim).filter(|sku| batch.contains(sku)) else { continue };
            let mut levels = variant.inventory_item.inventory_levels.nodes;
            if variant.inventory_item.inventory_levels.page_info.has_next_page {
                levels.extend(remaining_levels(s, &variant.inventory_item.id, variant.inventory_item.inventory_levels.page_info.end_cursor.clone())?);
            }
            found.push(sku.to_owned());
            out.extend(stock_levels(s, sku, &levels));
        }
        for sku in batch.iter().filter(|sku| !found.iter().any(|f| f == *sku)) {
            log::write(log::Level::Warn, &format!("Shopify has no variant with SKU {sku}"));
        }
    }
    Ok(out)
}

// ---- orders ------------------------------------------------------------------------

#[derive(Deserialize)]
struct OrderName {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct FindOrderData {
    orders: Nodes<OrderName>,
}

#[derive(Deserialize)]
struct Nodes<T> {
    nodes: Vec<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyV2 {
    amount: String,
    currency_code: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyBag {
    shop_money: MoneyV2,
}

impl MoneyBag {
    fn money(&self) -> Result<Money, ConnectorError> {
        money(&self.shop_money.amount, &self.shop_money.currency_code)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    sku: Option<String>,
    title: String,
    quantity: u32,
    original_unit_price_set: Option<MoneyBag>,
}

#[derive(Deserialize)]
struct TrackingInfo {
    company: Option<String>,
    number: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShopFulfillment {
    status: String,
    created_at: Option<String>,
    #[serde(default)]
    tracking_info: Vec<TrackingInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShopOrder {
    name: String,
    email: Option<String>,
    created_at: Option<String>,
    cancelled_at: Option<String>,
    display_fulfillment_status: String,
    total_price_set: Option<MoneyBag>,
    line_items: Nodes<LineItem>,
    #[serde(default)]
    fulfillments: Vec<ShopFulfillment>,
}

#[derive(Deserialize)]
struct OrderData {
    order: Option<ShopOrder>,
}

/// `#1001`, `1001` and ` #1001 ` name the same order.
fn same_order_name(a: &str, b: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches('#').to_lowercase();
    bare(a) == bare(b)
}

fn get_order(s: &Settings, order_ref: &str) -> Result<Order, ConnectorError> {
    let reference = order_ref.trim();
    let not_found = || ConnectorError::NotFound(format!("order {reference}"));
    if reference.trim_start_matches('#').is_empty() {
        return Err(not_found());
    }
    let found: FindOrderData = graphql(s, queries::FIND_ORDER_QUERY, json!({ "query": format!("name:{}", queries::search_value(reference)) }))?;
    // The name search matches prefixes (#1001 finds #10011): only the exact
    // name is this order.
    let id = found.orders.nodes.into_iter().find(|o| same_order_name(&o.name, reference)).map(|o| o.id).ok_or_else(not_found)?;
    let data: OrderData = graphql(s, queries::ORDER_QUERY, json!({ "id": id }))?;
    let order = data.order.ok_or_else(not_found)?;
    let items = order
        .line_items
        .nodes
        .into_iter()
        .map(|item| {
            Ok(OrderItem {
                sku: item.sku.filter(|sku| !sku.trim().is_empty()),
                title: item.title,
                quantity: item.quantity,
                price: item.original_unit_price_set.as_ref().map(MoneyBag::money).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, ConnectorError>>()?;
    let status = if order.cancelled_at.is_some() { "cancelled".to_owned() } else { order.display_fulfillment_status.to_ascii_lowercase() };
    Ok(Order {
        order_ref: order.name,
        status,
        // The gateway compares this with the email the shopper gives and
        // never shows it; an order without one is shown to nobody.
        customer_email: order.email.unwrap_or_default(),
        created_at: order.created_at,
        items,
        fulfilments: order
            .fulfillments
            .into_iter()
            .map(|f| Fulfilment {
                status: match f.status.as_str() {
                    "SUCCESS" => "fulfilled".into(),
                    other => other.to_ascii_lowercase(),
                },
                tracking: f.tracking_info.into_iter().map(|t| Tracking { carrier: t.company, number: t.number, url: t.url }).collect(),
                shipped_at: f.created_at,
            })
            .collect(),
        total: order.total_price_set.as_ref().map(MoneyBag::money).transpose()?,
    })
}

// ---- webhooks ----------------------------------------------------------------------

fn bad_webhook(message: String) -> ConnectorError {
    ConnectorError::Upstream(format!("webhook refused: {message}"))
}

/// `inventory_levels/update` names one item at one location: the item's
/// levels everywhere are read fresh, so the total is right whatever order
/// deliveries arrive in.
fn inventory_changed(s: &Settings, body: &[u8]) -> Result<Vec<WebhookEvent>, ConnectorError> {
    #[derive(Deserialize)]
    struct LevelUpdate {
        inventory_item_id: u64,
    }
    let update: LevelUpdate = serde_json::from_slice(body)?;
    let item_id = format!("gid://shopify/InventoryItem/{}", update.inventory_item_id);
    let data: ItemData = graphql(s, &queries::inventory_item_query(), json!({ "id": item_id, "after": null }))?;
    let Some(item) = data.inventory_item else { return Ok(vec![]) };
    let Some(variant) = item.variant else { return Ok(vec![]) };
    let mut levels = item.inventory_levels.nodes;
    if item.inventory_levels.page_info.has_next_page {
        levels.extend(remaining_levels(s, &item_id, item.inventory_levels.page_info.end_cursor)?);
    }
    // A variant without a SKU is keyed by its id, as in the catalog.
    let key = variant.sku.map(|sku| sku.trim().to_owned()).filter(|sku| !sku.is_empty()).unwrap_or(variant.id);
    Ok(vec![WebhookEvent::StockChanged(stock_levels(s, &key, &levels))])
}

fn parse_webhook(s: &Settings, topic: &str, headers: &[Header], body: &[u8]) -> Result<Vec<WebhookEvent>, ConnectorError> {
    // The topic in the URL and the one Shopify names must agree: the
    // signature covers the body only.
    if let Some(sent) = header(headers, "x-shopify-topic")
        && sent.trim() != topic
    {
        return Err(bad_webhook(format!("delivered to topic `{topic}` but X-Shopify-Topic says `{sent}`")));
    }
    let value: Value = serde_json::from_slice(body)?;
    Ok(match topic {
        "products/create" | "products/update" => {
            let item: RestProduct = serde_json::from_value(value)?;
            let currency = shop_currency(s)?;
            vec![WebhookEvent::ProductUpserted(model::product(item.into_product(), s, &currency)?)]
        }
        "products/delete" => {
            // Shopify's delete body is `{"id": …}`. A signed product body
            // sent to this topic is not a deletion.
            let object = value.as_object().ok_or_else(|| bad_webhook("a products/delete body is an object".into()))?;
            if object.contains_key("title") || object.contains_key("variants") {
                return Err(bad_webhook("a products/delete body carries only the product id, this one is a whole product".into()));
            }
            let id = object.get("id").and_then(Value::as_u64).ok_or_else(|| bad_webhook("a products/delete body has a numeric `id`".into()))?;
            vec![WebhookEvent::ProductDeleted(format!("gid://shopify/Product/{id}"))]
        }
        "inventory_levels/update" | "inventory_levels/connect" | "inventory_levels/disconnect" => inventory_changed(s, body)?,
        "orders/create" | "orders/updated" | "orders/fulfilled" | "orders/partially_fulfilled" | "orders/cancelled" => {
            let name = value["name"].as_str().ok_or_else(|| bad_webhook("an order body has a `name`".into()))?;
            vec![WebhookEvent::OrderUpdated(name.to_owned())]
        }
        _ => Vec::new(),
    })
}

// ---- the connector -----------------------------------------------------------------

struct Shopify;

impl Connector for Shopify {
    fn describe() -> Descriptor {
        Descriptor {
            id: "shopify".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Http, Capability::Log],
            settings_schema: json!({
                "type": "object",
                "properties": {
                    "shop": {"type": "string", "description": "acme.myshopify.com"},
                    "base_url": {"type": "string", "format": "uri"},
                    "api_version": {"type": "string", "pattern": "^([0-9]{4}-(01|04|07|10)|unstable)$", "default": settings::DEFAULT_API_VERSION},
                    "page_size": {"type": "integer", "minimum": 1, "maximum": settings::MAX_PAGE},
                    "variants_per_product": {"type": "integer", "minimum": 1, "maximum": settings::MAX_PAGE},
                    "locations": {"type": "array", "items": {"type": "string"}},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "storefront_url": {"type": "string", "format": "uri"},
                    "bulk_sync": {"type": "boolean", "default": true}
                },
                "oneOf": [{"required": ["shop"]}, {"required": ["base_url"]}],
                "additionalProperties": false
            })
            .to_string(),
            webhook_signature: WebhookSignature::HmacSha256Base64("X-Shopify-Hmac-Sha256".into()),
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        graphql::<Value>(&s, queries::SHOP_QUERY, json!({})).map(|_| ())
    }

    fn sync_products(settings_json: String, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        match (cursor.as_deref().and_then(bulk::Cursor::parse), since) {
            (Some(bulk_cursor), None) => bulk::page(&s, bulk_cursor?),
            (Some(_), Some(_)) => Err(ConnectorError::Upstream("a bulk sync cursor was passed to an incremental sync: only full syncs run bulk operations".into())),
            (None, None) if cursor.is_none() && s.bulk_sync() => bulk::page(&s, bulk::Cursor::Start { tries: 0 }),
            (None, since) => sync_page(&s, cursor, since),
        }
    }

    fn get_stock(settings_json: String, skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        get_stock(&Settings::parse(&settings_json)?, &skus)
    }

    fn get_order(settings_json: String, order_ref: String) -> Result<Order, ConnectorError> {
        get_order(&Settings::parse(&settings_json)?, &order_ref)
    }

    /// Called after the gateway has checked `X-Shopify-Hmac-Sha256`.
    fn parse_webhook(settings_json: String, topic: String, headers: Vec<Header>, body: Vec<u8>) -> Result<Vec<WebhookEvent>, ConnectorError> {
        parse_webhook(&Settings::parse(&settings_json)?, &topic, &headers, &body)
    }

    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        Vec::new()
    }

    fn call_tool(_settings_json: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("tool `{name}`: the Shopify connector offers no tools of its own")))
    }
}

chatgw_sdk::export_connector!(Shopify);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_names_compare_without_the_hash() {
        assert!(same_order_name("#1001", " 1001 "));
        assert!(!same_order_name("#10011", "#1001"));
    }
}
