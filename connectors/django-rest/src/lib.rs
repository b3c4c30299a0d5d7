//! chatgw's connector for shops whose API is built on Django REST Framework
//! and designed by someone else: the endpoints, the field mapping and the
//! change filter all come from the store's settings, so a new DRF shop
//! needs a store file and no code. Built with `chatgw-sdk` alone.
//!
//! - Catalog: the product list in any DRF pagination style (detected from
//!   the answer), `next` followed as given; the cursor the gateway keeps is
//!   that link, so a cut-off sync resumes where it stopped. Incremental
//!   with the store's `updated_since_param`; without one, full.
//! - Stock: per variant (`{sku}`), per product (`{id}`), or from the
//!   listing through a by-SKU filter.
//! - Orders: by number, with the email the gateway checks.
//! - Auth: `Authorization: Token …` / `Bearer …` added by the gateway; a
//!   401/403 says so. A 429 becomes `rate-limited` with its `Retry-After`,
//!   which the gateway waits out and then asks for the same page again.
//! - Webhooks: none; DRF has no standard for them. Stores sync on a timer.

mod mapping;
mod pages;
mod path;
mod settings;

use chatgw_sdk::*;
use serde_json::{Value, json};

use settings::Settings;

// ---- requests ----------------------------------------------------------------------

/// `GET` a JSON answer; `what` names the setting the URL came from.
fn get(url: &str, what: &str) -> Result<Value, ConnectorError> {
    get_json::<Value>(url, &[]).map_err(|e| match e {
        ConnectorError::Auth(message) => ConnectorError::Auth(format!(
            "{message}. The gateway sends the store's credential as a header, e.g. `Authorization: Token <key>` (DRF's \
             TokenAuthentication) or `Bearer <key>`: check [catalog.http.credentials] (header, prefix, value_env) and that \
             the key's user may read {what}"
        )),
        other => other,
    })
}

// ---- catalog -----------------------------------------------------------------------

/// Maps listed items to products. Items the mapping cannot read are left
/// out with a warning, unless none can be read: then the mapping is wrong
/// and the first error says where.
fn products_of(s: &Settings, items: &[Value]) -> Result<Vec<Product>, ConnectorError> {
    let mut products = Vec::with_capacity(items.len());
    let mut first_error = None;
    for item in items {
        let mapped = if s.endpoints.fetch_product_detail { detail(s, item) } else { mapping::product(item, s) };
        match mapped {
            Ok(product) => products.push(product),
            Err(e @ (ConnectorError::RateLimited(_) | ConnectorError::Auth(_))) => return Err(e),
            Err(e) => {
                log::write(log::Level::Warn, &format!("product left out: {}", error_text(&e)));
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) if products.is_empty() => Err(e),
        _ => Ok(products),
    }
}

/// A listed item read again from the product detail endpoint.
fn detail(s: &Settings, item: &Value) -> Result<Product, ConnectorError> {
    let template = s.endpoints.product.as_deref().expect("settings checked that fetch_product_detail has endpoints.product");
    let id = s
        .product
        .id
        .first(item)
        .and_then(path::text)
        .ok_or_else(|| ConnectorError::Upstream(format!("a listed product has no id at `{}` (product.id)", s.product.id.as_str())))?;
    mapping::product(&get(&s.url(template, &[("id", &id)])?, "endpoints.product")?, s)
}

fn error_text(e: &ConnectorError) -> String {
    match e {
        ConnectorError::Auth(m) | ConnectorError::NotFound(m) | ConnectorError::Upstream(m) | ConnectorError::InvalidSettings(m) => m.clone(),
        ConnectorError::RateLimited(after) => format!("rate limited ({after:?} s)"),
    }
}

fn sync_page(s: &Settings, cursor: Option<String>, since: Option<String>) -> Result<ProductPage, ConnectorError> {
    if since.is_some() && s.updated_since_param.is_none() && cursor.is_none() {
        log::write(log::Level::Info, "no updated_since_param in the settings: this incremental sync reads the whole catalog");
    }
    let since = since.filter(|_| s.updated_since_param.is_some());
    let url = match cursor {
        Some(next) => pages::same_origin(s, &next, "the cursor")?,
        None => pages::first_page_url(s, since.as_deref()),
    };
    let answer = get(&url, "endpoints.products").map_err(|e| match e {
        ConnectorError::NotFound(_) => ConnectorError::Upstream(format!(
            "{url} answered 404: check endpoints.products; DRF also answers 404 for a page or cursor that no longer exists, then run a full sync"
        )),
        other => other,
    })?;
    let page = pages::read(s, answer, "endpoints.products")?;
    Ok(ProductPage { products: products_of(s, &page.items)?, next_cursor: page.next })
}

fn check_connection(s: &Settings) -> Result<(), ConnectorError> {
    let url = pages::first_page_url(s, None);
    let page = pages::read(s, get(&url, "endpoints.products")?, "endpoints.products")?;
    log::write(log::Level::Info, &format!("{url}: {} products on the first page, {}", page.items.len(), page.style.describe()));
    // The first product must map: a wrong path shows here, with the item.
    if let Some(first) = page.items.first() {
        if s.endpoints.fetch_product_detail { detail(s, first) } else { mapping::product(first, s) }?;
    }
    Ok(())
}

// ---- stock -------------------------------------------------------------------------

/// The products a by-SKU lookup finds that really hold `sku` (a filter the
/// API ignores would list everything).
fn products_with_sku(s: &Settings, sku: &str) -> Result<Vec<Product>, ConnectorError> {
    let Some(template) = &s.endpoints.product_by_sku else {
        return Err(ConnectorError::InvalidSettings(
            "stock needs endpoints.stock (per variant `{sku}` or per product `{id}`) or endpoints.product_by_sku (e.g. \"products/?sku={sku}\") when stock is in the listing".into(),
        ));
    };
    let answer = match s.url(template, &[("sku", sku)]).and_then(|url| get(&url, "endpoints.product_by_sku")) {
        Err(ConnectorError::NotFound(_)) => return Ok(Vec::new()),
        other => other?,
    };
    let items = match answer {
        Value::Object(ref body) if !body.contains_key("results") => vec![answer],
        other => pages::read(s, other, "endpoints.product_by_sku")?.items,
    };
    Ok(products_of(s, &items)?.into_iter().filter(|p| mapping::has_sku(p, sku)).collect())
}

/// One SKU's levels. `found` keeps the products already read in this call:
/// a product holds several of the SKUs asked for, and is read once.
fn stock_of(s: &Settings, sku: &str, found: &mut Vec<Product>) -> Result<Vec<StockLevel>, ConnectorError> {
    let mut products_with = |sku: &str| -> Result<Vec<Product>, ConnectorError> {
        if !found.iter().any(|p| mapping::has_sku(p, sku)) {
            found.extend(products_with_sku(s, sku)?);
        }
        Ok(found.iter().filter(|p| mapping::has_sku(p, sku)).cloned().collect())
    };
    match (&s.endpoints.stock, &s.stock) {
        (Some(template), Some(fields)) if template.contains("{sku}") => match s.url(template, &[("sku", sku)]).and_then(|url| get(&url, "endpoints.stock")) {
            Err(ConnectorError::NotFound(_)) => Ok(Vec::new()),
            answer => Ok(mapping::stock_levels(&answer?, sku, fields)),
        },
        (Some(template), Some(fields)) => {
            let mut levels = Vec::new();
            for product in products_with(sku)? {
                let answer = get(&s.url(template, &[("id", &product.external_id)])?, "endpoints.stock")?;
                levels.extend(mapping::stock_levels(&answer, sku, fields));
            }
            Ok(levels)
        }
        _ => Ok(products_with(sku)?.iter().filter_map(|p| mapping::listed_stock(p, sku)).take(1).collect()),
    }
}

fn get_stock(s: &Settings, skus: &[String]) -> Result<Vec<StockLevel>, ConnectorError> {
    let mut wanted: Vec<&str> = skus.iter().map(|sku| sku.trim()).filter(|sku| !sku.is_empty()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut out = Vec::new();
    let mut found = Vec::new();
    for sku in wanted {
        let levels = stock_of(s, sku, &mut found)?;
        if levels.is_empty() {
            log::write(log::Level::Warn, &format!("the store reports no stock for SKU {sku}"));
        }
        out.extend(levels);
    }
    Ok(out)
}

// ---- orders ------------------------------------------------------------------------

fn get_order(s: &Settings, order_ref: &str) -> Result<Order, ConnectorError> {
    let (Some(template), Some(fields)) = (&s.endpoints.order, &s.order) else {
        return Err(ConnectorError::InvalidSettings("order lookup needs endpoints.order (e.g. \"orders/{order_ref}/\") and [order] in the settings".into()));
    };
    let reference = order_ref.trim();
    let not_found = || ConnectorError::NotFound(format!("order {reference}"));
    let bare = reference.strip_prefix(fields.strip_prefix.as_str()).filter(|_| !fields.strip_prefix.is_empty()).unwrap_or(reference).trim();
    if bare.is_empty() {
        return Err(not_found());
    }
    let answer = match s.url(template, &[("order_ref", bare)]).and_then(|url| get(&url, "endpoints.order")) {
        Err(ConnectorError::NotFound(_)) => return Err(not_found()),
        other => other?,
    };
    let candidates = match answer {
        Value::Object(ref body) if !body.contains_key("results") => vec![answer],
        other => pages::read(s, other, "endpoints.order")?.items,
    };
    // Only the exact number is this order: a filter that matches prefixes,
    // or that the API ignores, must not hand over another order.
    let found = candidates.iter().find(|o| fields.number.first(o).and_then(path::text).is_some_and(|n| mapping::same_order_number(&n, reference)));
    mapping::order(found.ok_or_else(not_found)?, fields, s)
}

// ---- the connector -----------------------------------------------------------------

fn settings_schema() -> Value {
    let paths =
        |names: &[&str]| -> Value { Value::Object(names.iter().map(|n| ((*n).to_owned(), json!({"type": "string", "description": "JSON path"}))).collect()) };
    json!({
        "type": "object",
        "required": ["base_url", "endpoints", "product"],
        "additionalProperties": false,
        "properties": {
            "base_url": {"type": "string", "format": "uri", "description": "API root, e.g. https://shop.example.com/api/"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "storefront_url": {"type": "string", "format": "uri"},
            "page_size": {"type": "integer", "minimum": 1, "maximum": settings::MAX_PAGE_SIZE},
            "page_size_params": {"type": "array", "items": {"type": "string"}},
            "updated_since_param": {"type": "string"},
            "endpoints": {
                "type": "object",
                "required": ["products"],
                "additionalProperties": false,
                "properties": {
                    "products": {"type": "string"}, "product": {"type": "string"}, "fetch_product_detail": {"type": "boolean"},
                    "product_by_sku": {"type": "string"}, "stock": {"type": "string"}, "order": {"type": "string"}
                }
            },
            "product": {
                "type": "object",
                "required": ["id", "title"],
                "properties": paths(&["id", "title", "description", "url", "images", "category", "vendor", "tags", "status", "updated_at", "variants"])
            },
            "variant": {"type": "object", "properties": paths(&["id", "sku", "title", "price", "compare_at_price", "currency", "options", "stock"])},
            "stock": {"type": "object", "required": ["quantity"], "properties": paths(&["levels", "sku", "quantity", "location"])},
            "order": {"type": "object", "required": ["number", "status", "email"], "properties": paths(&["number", "status", "email", "created_at", "total", "items", "shipments"])}
        }
    })
}

struct DjangoRest;

impl Connector for DjangoRest {
    fn describe() -> Descriptor {
        Descriptor {
            id: "django-rest".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Http, Capability::Log],
            settings_schema: settings_schema().to_string(),
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

    fn parse_webhook(_settings_json: String, topic: String, _headers: Vec<Header>, _body: Vec<u8>) -> Result<Vec<WebhookEvent>, ConnectorError> {
        Err(ConnectorError::InvalidSettings(format!(
            "webhook `{topic}`: the django-rest connector takes no webhooks (DRF has no standard for them); remove [catalog.webhook] \
             and let sync_interval_minutes keep the catalog fresh"
        )))
    }

    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        Vec::new()
    }

    fn call_tool(_settings_json: String, name: String, _arguments: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("tool `{name}`: the django-rest connector offers no tools of its own")))
    }
}

chatgw_sdk::export_connector!(DjangoRest);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_schema_is_a_schema_and_takes_the_example() {
        let schema = settings_schema();
        let example: Value = serde_json::from_str(include_str!("../settings.example.json")).unwrap();
        for key in example.as_object().unwrap().keys() {
            assert!(schema["properties"].get(key).is_some(), "{key} is in the schema");
        }
        Settings::parse(&example.to_string()).expect("the example settings are valid");
    }

    #[test]
    fn the_example_store_file_has_valid_settings() {
        let store: toml::Value = toml::from_str(include_str!("../../../examples/stores/connectors/django-rest.toml")).unwrap();
        let settings = serde_json::to_value(&store["catalog"]["settings"]).unwrap();
        Settings::parse(&settings.to_string()).expect("examples/stores/connectors/django-rest.toml has valid settings");
    }
}
