//! chatgw's WooCommerce connector: the REST API v3 (`/wp-json/wc/v3`),
//! built with `chatgw-sdk` alone, as a third party would build it. The
//! consumer key and secret are HTTP Basic credentials the gateway adds; this
//! plugin never sees them.
//!
//! - Catalog: `/products` pages of up to 100 in id order (so paging stays
//!   put while products change), every status (the gateway drops what is
//!   not `publish`), incremental by `modified_after` in UTC; a variable
//!   product's variations read from `/products/{id}/variations`, every page
//!   of them, before its page is returned. The cursor is the page number.
//! - Stock: `/products?sku=` (it finds variations too), a variant without a
//!   SKU by its id.
//! - Orders: by number, with the billing email the gateway checks.
//! - Webhooks: `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the body),
//!   checked by the gateway before `parse-webhook`; REST v3 bodies.
//! - Limits: a 429 or 503 with `Retry-After` is waited out (see `api`).

mod api;
mod model;
mod orders;
mod settings;
mod time;

use chatgw_sdk::*;
use serde::Deserialize;
use serde_json::{Value, json};

use api::Api;
use model::{WcProduct, WcVariation};
use settings::Settings;

/// SKUs asked for in one `/products?sku=` request.
const SKUS_PER_REQUEST: usize = 25;

// ---- catalog ---------------------------------------------------------------------

/// The variations of a variable product (none for other types).
fn variations(api: &Api, p: &WcProduct) -> Result<Vec<WcVariation>, ConnectorError> {
    if !p.is_variable() || p.variations.is_empty() {
        return Ok(Vec::new());
    }
    match api.all_pages(&format!("products/{}/variations", p.id), &[]) {
        // Deleted between the listing and now: what the listing said stands.
        Err(ConnectorError::NotFound(_)) => Ok(Vec::new()),
        other => other,
    }
}

fn with_variations(api: &Api, p: WcProduct, currency: &str) -> Result<Product, ConnectorError> {
    let variations = variations(api, &p)?;
    model::product(p, variations, api.settings, currency)
}

fn sync_page(api: &Api, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
    let page = page_number(cursor.as_deref())?;
    let per_page = api.settings.page_size();
    let mut query = vec![
        ("per_page", per_page.to_string()),
        ("page", page.to_string()),
        ("orderby", "id".to_owned()),
        ("order", "asc".to_owned()),
        ("status", "any".to_owned()),
    ];
    if let Some(since) = &since {
        let after = time::modified_after(since)
            .ok_or_else(|| ConnectorError::InvalidSettings(format!("since `{since}` is not an RFC 3339 time such as 2026-01-01T00:00:00Z")))?;
        query.push(("modified_after", after));
        query.push(("dates_are_gmt", "true".to_owned()));
    }
    let listing: JsonResponse<Vec<WcProduct>> = api.get("products", &query)?;
    let total_pages = wp_total_pages(&listing.headers);
    let fetched = listing.value.len();
    let currency = api.currency()?;
    let products = listing.value.into_iter().map(|p| with_variations(api, p, &currency)).collect::<Result<Vec<_>, _>>()?;
    Ok(ProductPage { products, next_cursor: next_page_cursor(page, fetched, per_page as usize, total_pages) })
}

// ---- stock -------------------------------------------------------------------------

fn level(key: &str, item: &WcProduct, s: &Settings) -> StockLevel {
    StockLevel { sku: key.to_owned(), location: None, available: item.offer.stock.available(s.uncounted_available()).unwrap_or(0) }
}

/// Stock per SKU. `/products?sku=a,b` matches a product's or variation's
/// own SKU (never one inherited from the parent); a key that matched
/// nothing and is a number is the id of a variant without a SKU, as the
/// catalog keys those.
fn get_stock(api: &Api, keys: &[String]) -> Result<Vec<StockLevel>, ConnectorError> {
    let mut wanted: Vec<&str> = keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    // WooCommerce splits the filter at commas: such a SKU is asked alone.
    let (alone, listed): (Vec<&str>, Vec<&str>) = wanted.iter().partition(|k| k.contains(','));
    let batches = listed.chunks(SKUS_PER_REQUEST).map(<[&str]>::to_vec).chain(alone.into_iter().map(|k| vec![k]));
    let mut out = Vec::new();
    let mut found: Vec<&str> = Vec::new();
    for batch in batches {
        let query = [("sku", batch.join(",")), ("per_page", "100".to_owned()), ("status", "any".to_owned())];
        let items: Vec<WcProduct> = api.get("products", &query)?.value;
        for item in items.iter().filter(|i| !i.is_variable()) {
            if let Some(key) = batch.iter().find(|k| **k == item.offer.sku.trim())
                && !found.contains(key)
            {
                found.push(key);
                out.push(level(key, item, api.settings));
            }
        }
    }
    for key in wanted.iter().filter(|k| !found.contains(k)) {
        if key.bytes().all(|b| b.is_ascii_digit()) {
            match api.get::<WcProduct>(&format!("products/{key}"), &[]) {
                Ok(item) if !item.value.is_variable() => out.push(level(key, &item.value, api.settings)),
                Ok(_) | Err(ConnectorError::NotFound(_)) => log::write(log::Level::Warn, &format!("WooCommerce has no product or variation {key}")),
                Err(other) => return Err(other),
            }
        } else {
            log::write(log::Level::Warn, &format!("WooCommerce has no product or variation with SKU {key}"));
        }
    }
    Ok(out)
}

// ---- webhooks ----------------------------------------------------------------------

fn bad_webhook(message: String) -> ConnectorError {
    ConnectorError::Upstream(format!("webhook refused: {message}"))
}

/// A product's news: the product with its variations read now. A variation
/// (WooCommerce sends `product.updated` with the variation's own body when
/// one changes) stands for its parent, read fresh.
fn product_changed(api: &Api, body: &[u8]) -> Result<Vec<WebhookEvent>, ConnectorError> {
    let item: WcProduct = serde_json::from_slice(body)?;
    let product = if item.is_variation() {
        match api.get::<WcProduct>(&format!("products/{}", item.parent_id), &[]) {
            Ok(parent) => parent.value,
            Err(ConnectorError::NotFound(_)) => return Ok(Vec::new()),
            Err(other) => return Err(other),
        }
    } else {
        item
    };
    let currency = api.currency()?;
    Ok(vec![WebhookEvent::ProductUpserted(with_variations(api, product, &currency)?)])
}

fn parse_webhook(api: &Api, topic: &str, headers: &[Header], body: &[u8]) -> Result<Vec<WebhookEvent>, ConnectorError> {
    // The signature covers the body only: the topic WooCommerce names must
    // be the one of the URL it was delivered to.
    if let Some(sent) = header(headers, "x-wc-webhook-topic")
        && sent.trim() != topic
    {
        return Err(bad_webhook(format!("delivered to topic `{topic}` but X-WC-Webhook-Topic says `{sent}`")));
    }
    let (resource, event) = topic.split_once('.').unwrap_or((topic, ""));
    Ok(match (resource, event) {
        ("product", "created" | "updated" | "restored") => product_changed(api, body)?,
        ("product", "deleted") => {
            // WooCommerce's delete body is `{"id": …}`; a signed product body
            // sent to this topic is not a deletion.
            let value: Value = serde_json::from_slice(body)?;
            let object = value.as_object().ok_or_else(|| bad_webhook("a product.deleted body is an object".into()))?;
            if object.contains_key("name") || object.contains_key("type") {
                return Err(bad_webhook("a product.deleted body carries only the product id, this one is a whole product".into()));
            }
            let id = object.get("id").and_then(Value::as_u64).ok_or_else(|| bad_webhook("a product.deleted body has a numeric `id`".into()))?;
            vec![WebhookEvent::ProductDeleted(id.to_string())]
        }
        ("order", _) => {
            let order: orders::WcOrder = serde_json::from_slice(body)?;
            vec![WebhookEvent::OrderUpdated(order.number())]
        }
        _ => Vec::new(),
    })
}

// ---- the connector -----------------------------------------------------------------

#[derive(Deserialize)]
struct Probe {
    #[allow(dead_code)]
    id: u64,
}

struct WooCommerce;

impl Connector for WooCommerce {
    fn describe() -> Descriptor {
        Descriptor {
            id: "woocommerce".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Http, Capability::Log],
            settings_schema: json!({
                "type": "object",
                "properties": {
                    "base_url": {"type": "string", "format": "uri", "description": "https://shop.example"},
                    "plain_permalinks": {"type": "boolean", "default": false},
                    "page_size": {"type": "integer", "minimum": 1, "maximum": settings::MAX_PAGE, "default": settings::MAX_PAGE},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "uncounted_stock_available": {"type": "integer", "minimum": 0, "default": 1},
                    "tracking_meta_keys": {"type": "array", "items": {"type": "string", "minLength": 1}}
                },
                "required": ["base_url"],
                "additionalProperties": false
            })
            .to_string(),
            webhook_signature: WebhookSignature::HmacSha256Base64("X-WC-Webhook-Signature".into()),
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let api = Api::new(&s);
        api.get::<Vec<Probe>>("products", &[("per_page", "1".into())])?;
        api.currency().map(|_| ())
    }

    fn sync_products(settings_json: String, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
        sync_page(&Api::new(&Settings::parse(&settings_json)?), cursor, since)
    }

    fn get_stock(settings_json: String, skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        get_stock(&Api::new(&Settings::parse(&settings_json)?), &skus)
    }

    fn get_order(settings_json: String, order_ref: String) -> Result<Order, ConnectorError> {
        orders::get_order(&Api::new(&Settings::parse(&settings_json)?), &order_ref)
    }

    /// Called after the gateway has checked `X-WC-Webhook-Signature`.
    fn parse_webhook(settings_json: String, topic: String, headers: Vec<Header>, body: Vec<u8>) -> Result<Vec<WebhookEvent>, ConnectorError> {
        parse_webhook(&Api::new(&Settings::parse(&settings_json)?), &topic, &headers, &body)
    }

    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        Vec::new()
    }

    fn call_tool(_settings_json: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("tool `{name}`: the WooCommerce connector offers no tools of its own")))
    }
}

chatgw_sdk::export_connector!(WooCommerce);
