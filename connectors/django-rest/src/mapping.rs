//! The store's JSON, read through its field mapping, into the contract's
//! products, stock levels and orders. A missing required field (a
//! product's id or title, an order's number) is an error that names the
//! mapping setting and quotes the item, so a wrong path shows at the first
//! `chatgw store check`, not as empty cards.

use chatgw_sdk::{ConnectorError, Fulfilment, Money, Order, OrderItem, Product, ProductVariant, StockLevel, Tracking, VariantOption, money};
use serde_json::{Map, Value, json};

use crate::path::{JsonPath, text};
use crate::settings::{OrderFields, PriceFormat, Settings, StockFields};

/// Characters of an item quoted in an error.
const QUOTE_CHARS: usize = 200;

fn quote(item: &Value) -> String {
    let text = item.to_string();
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The text at an optional path.
fn text_at(path: Option<&JsonPath>, item: &Value) -> Option<String> {
    path.and_then(|p| p.first(item)).and_then(text)
}

/// The text at a required path, or an error naming `setting`.
fn required_text(path: &JsonPath, setting: &str, what: &str, item: &Value) -> Result<String, ConnectorError> {
    path.first(item).and_then(text).ok_or_else(|| {
        ConnectorError::Upstream(format!("{what} has no value at `{}` ({setting}); check the mapping against this item: {}", path.as_str(), quote(item)))
    })
}

/// Every string a path reaches, arrays flattened; one comma-separated
/// string becomes its parts when `split_commas`.
fn strings_at(path: Option<&JsonPath>, item: &Value, split_commas: bool) -> Vec<String> {
    let Some(path) = path else { return Vec::new() };
    let mut out = Vec::new();
    for value in path.all(item) {
        let values: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for value in values {
            match text(value) {
                Some(t) if split_commas && value.is_string() => out.extend(t.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)),
                Some(t) => out.push(t),
                None => {}
            }
        }
    }
    out
}

/// The elements of the list at `path` (or every value a `[*]` path reaches).
fn list_at<'a>(path: &JsonPath, item: &'a Value) -> Vec<&'a Value> {
    let found = path.all(item);
    if path.is_multi() {
        return found;
    }
    match found.first() {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// A price as the store writes it: a number or a string, decimal or in
/// minor units.
fn price(value: &Value, format: PriceFormat, currency: &str, setting: &str) -> Result<Money, ConnectorError> {
    let bad = |why: &str| ConnectorError::Upstream(format!("{setting}: {} {why}", quote(value)));
    let amount = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        Value::Object(_) => return Err(bad("is an object; map the amount inside it (e.g. `price.amount`)")),
        _ => return Err(bad("is not a price")),
    };
    match format {
        PriceFormat::Decimal => money(&amount, currency),
        PriceFormat::MinorUnits => {
            let minor = amount.parse::<i64>().ok().or_else(|| amount.parse::<f64>().ok().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64));
            let minor = minor.ok_or_else(|| bad("is not a whole number of minor units (variant.price_format is \"minor_units\")"))?;
            Ok(Money { amount_minor: minor, currency: currency.trim().to_ascii_uppercase() })
        }
    }
}

/// A whole quantity from a number or a numeric string.
fn quantity(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// HTML descriptions as plain text: tags dropped, common entities decoded,
/// whitespace collapsed.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    for (entity, plain) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#x27;", "'"), ("&amp;", "&")] {
        out = out.replace(entity, plain);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A variant's options: a map (`{"Size": "M"}`) or a list of objects with
/// the configured name and value keys, or of `[name, value]` pairs.
fn options(value: Option<&Value>, name_key: &str, value_key: &str) -> Vec<VariantOption> {
    let pair = |name: Option<String>, value: Option<String>| Some(VariantOption { name: name?, value: value? });
    match value {
        Some(Value::Object(map)) => map.iter().filter_map(|(name, value)| pair(Some(name.trim().to_owned()), text(value))).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::Object(o) => pair(o.get(name_key).and_then(text), o.get(value_key).and_then(text)),
                Value::Array(two) if two.len() == 2 => pair(text(&two[0]), text(&two[1])),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `true` is on sale, `false` is not. A word is the store's status as it
/// is; when the store names its words for "on sale", those read as
/// `active` and every other word as `inactive` (off sale).
fn status(value: Option<&Value>, active_words: &[String]) -> String {
    match value {
        None => "active".into(),
        Some(Value::Bool(true)) => "active".into(),
        Some(Value::Bool(false)) => "inactive".into(),
        Some(other) => {
            let word = text(other).unwrap_or_default().to_lowercase();
            if word == "active" || active_words.iter().any(|a| a.trim().eq_ignore_ascii_case(&word)) {
                "active".into()
            } else if active_words.is_empty() {
                word
            } else {
                "inactive".into()
            }
        }
    }
}

fn variant(item: &Value, index: usize, product_id: &str, product_title: &str, s: &Settings) -> Result<ProductVariant, ConnectorError> {
    let f = &s.variant;
    let sku = text_at(f.sku.as_ref(), item);
    let external_id = text_at(f.id.as_ref(), item).or_else(|| sku.clone()).unwrap_or_else(|| format!("{product_id}#{}", index + 1));
    let currency = text_at(f.currency.as_ref(), item).or_else(|| s.currency.clone()).unwrap_or_default();
    let priced = |path: Option<&JsonPath>, setting: &str| -> Result<Option<Money>, ConnectorError> {
        match path.and_then(|p| p.first(item)) {
            None => Ok(None),
            Some(Value::String(empty)) if empty.trim().is_empty() => Ok(None),
            Some(value) if currency.is_empty() => {
                Err(ConnectorError::Upstream(format!("{setting}: {} has no currency; set `currency` in the settings", quote(value))))
            }
            Some(value) => price(value, f.price_format, &currency, setting).map(Some),
        }
    };
    let price_now = priced(f.price.as_ref(), "variant.price")?;
    let compare_at =
        priced(f.compare_at_price.as_ref(), "variant.compare_at_price")?.filter(|c| price_now.as_ref().is_none_or(|p| c.amount_minor > p.amount_minor));
    let options = options(f.options.as_ref().and_then(|p| p.first(item)), &f.option_name, &f.option_value);
    let title = text_at(f.title.as_ref(), item).unwrap_or_else(|| {
        if options.is_empty() { product_title.to_owned() } else { options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(" / ") }
    });
    Ok(ProductVariant {
        external_id,
        sku,
        title,
        price: price_now,
        compare_at_price: compare_at,
        options,
        available: f.stock.as_ref().and_then(|p| p.first(item)).and_then(quantity),
    })
}

/// One listed (or detail) item as a product.
pub fn product(item: &Value, s: &Settings) -> Result<Product, ConnectorError> {
    let f = &s.product;
    let id = required_text(&f.id, "product.id", "a product", item)?;
    let title = required_text(&f.title, "product.title", &format!("product {id}"), item)?;
    let variant_items = match &f.variants {
        Some(path) => list_at(path, item),
        None => vec![item],
    };
    let variants = variant_items.into_iter().enumerate().map(|(i, v)| variant(v, i, &id, &title, s)).collect::<Result<Vec<_>, _>>()?;

    let category = text_at(f.category.as_ref(), item);
    let mut attributes = Map::new();
    for (name, path) in &f.attributes {
        let values = strings_at(Some(path), item, false);
        match values.len() {
            0 => {}
            1 => {
                attributes.insert(name.clone(), json!(values[0]));
            }
            _ => {
                attributes.insert(name.clone(), json!(values));
            }
        }
    }
    // Each option's values across the variants (`size: [S, M, L]`) reach
    // the card, so "do you have it in blue" finds the product.
    for option in variants.iter().flat_map(|v| &v.options) {
        let key = option.name.trim().to_lowercase();
        let entry = attributes.entry(key).or_insert_with(|| json!([]));
        if let Value::Array(values) = entry
            && !values.iter().any(|v| v.as_str() == Some(option.value.as_str()))
        {
            values.push(json!(option.value));
        }
    }
    Ok(Product {
        url: text_at(f.url.as_ref(), item).map(|u| s.product_url(&u)),
        description: text_at(f.description.as_ref(), item).map(|d| strip_html(&d)).unwrap_or_default(),
        image_urls: strings_at(f.images.as_ref(), item, false).into_iter().map(|u| s.product_url(&u)).collect(),
        vendor: text_at(f.vendor.as_ref(), item),
        product_type: category,
        tags: strings_at(f.tags.as_ref(), item, true),
        status: status(f.status.as_ref().and_then(|p| p.first(item)), &f.active_statuses),
        updated_at: text_at(f.updated_at.as_ref(), item),
        variants,
        attributes_json: (!attributes.is_empty()).then(|| Value::Object(attributes).to_string()),
        external_id: id,
        title,
    })
}

/// The SKUs a mapped product's variants carry.
pub fn has_sku(product: &Product, sku: &str) -> bool {
    product.variants.iter().any(|v| v.sku.as_deref().is_some_and(|s| s.trim() == sku))
}

/// Stock levels in a stock endpoint's answer: those for `sku` (every
/// level when the fields name no SKU: a per-variant endpoint), one per
/// location plus their total, or the store's total when it names no
/// location.
pub fn stock_levels(answer: &Value, sku: &str, f: &StockFields) -> Vec<StockLevel> {
    let levels = match &f.levels {
        Some(path) => list_at(path, answer),
        None => vec![answer],
    };
    let mut out = Vec::new();
    for level in levels {
        if let Some(sku_path) = &f.sku
            && sku_path.first(level).and_then(text).as_deref() != Some(sku)
        {
            continue;
        }
        let Some(available) = f.quantity.first(level).and_then(quantity) else { continue };
        out.push(StockLevel { sku: sku.to_owned(), location: text_at(f.location.as_ref(), level), available });
    }
    out
}

/// A variant's stock as the product listing gives it.
pub fn listed_stock(product: &Product, sku: &str) -> Option<StockLevel> {
    product.variants.iter().find(|v| v.sku.as_deref().is_some_and(|s| s.trim() == sku)).and_then(|v| v.available).map(|available| StockLevel {
        sku: sku.to_owned(),
        location: None,
        available,
    })
}

/// Order numbers compare without case, surrounding space or a leading `#`.
pub fn same_order_number(a: &str, b: &str) -> bool {
    let bare = |s: &str| s.trim().trim_start_matches('#').trim().to_lowercase();
    !bare(a).is_empty() && bare(a) == bare(b)
}

fn order_money(value: Option<&Value>, s: &Settings, setting: &str) -> Result<Option<Money>, ConnectorError> {
    match (value, &s.currency) {
        (None, _) | (_, None) => Ok(None),
        (Some(value), Some(currency)) => price(value, s.variant.price_format, currency, setting).map(Some),
    }
}

/// An order object as the contract's order. The email is returned for the
/// gateway to compare with what the shopper gives; it is never shown.
pub fn order(item: &Value, f: &OrderFields, s: &Settings) -> Result<Order, ConnectorError> {
    let number = required_text(&f.number, "order.number", "an order", item)?;
    let items = match &f.items {
        Some(path) => list_at(path, item)
            .into_iter()
            .map(|line| {
                Ok(OrderItem {
                    sku: text_at(f.item.sku.as_ref(), line),
                    title: text_at(f.item.title.as_ref(), line).unwrap_or_default(),
                    quantity: f.item.quantity.as_ref().and_then(|p| p.first(line)).and_then(quantity).map_or(1, |q| q.clamp(0, u32::MAX.into()) as u32),
                    price: order_money(f.item.price.as_ref().and_then(|p| p.first(line)), s, "order.item.price")?,
                })
            })
            .collect::<Result<Vec<_>, ConnectorError>>()?,
        None => Vec::new(),
    };
    let fulfilments = match &f.shipments {
        Some(path) => list_at(path, item)
            .into_iter()
            .map(|shipment| {
                let tracking = Tracking {
                    carrier: text_at(f.shipment.carrier.as_ref(), shipment),
                    number: text_at(f.shipment.tracking_number.as_ref(), shipment),
                    url: text_at(f.shipment.tracking_url.as_ref(), shipment),
                };
                let has_tracking = tracking.carrier.is_some() || tracking.number.is_some() || tracking.url.is_some();
                Fulfilment {
                    status: text_at(f.shipment.status.as_ref(), shipment).map_or_else(|| "shipped".to_owned(), |s| s.to_lowercase()),
                    tracking: if has_tracking { vec![tracking] } else { Vec::new() },
                    shipped_at: text_at(f.shipment.shipped_at.as_ref(), shipment),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(Order {
        order_ref: number,
        status: text_at(Some(&f.status), item).unwrap_or_default().to_lowercase(),
        // An order without an email is shown to nobody.
        customer_email: text_at(Some(&f.email), item).unwrap_or_default(),
        created_at: text_at(f.created_at.as_ref(), item),
        items,
        fulfilments,
        total: order_money(f.total.as_ref().and_then(|p| p.first(item)), s, "order.total")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: Value) -> Settings {
        Settings::parse(&json.to_string()).unwrap()
    }

    #[test]
    fn nested_variants_with_string_prices_and_option_maps() {
        let s = settings(json!({
            "base_url": "https://a.example/api/", "currency": "EUR", "storefront_url": "https://a.example/shop",
            "endpoints": {"products": "products/"},
            "product": {"id": "id", "title": "name", "description": "description", "url": "url", "images": "images[*].url",
                        "category": "category.name", "tags": "tags", "status": "is_active", "updated_at": "modified", "variants": "variants",
                        "attributes": {"material": "details.material"}},
            "variant": {"sku": "sku", "title": "label", "price": "price", "options": "attributes", "stock": "stock"}
        }));
        let item = json!({
            "id": 17, "name": "Linen Shirt", "description": "<p>Airy &amp; light</p>", "url": "/p/linen-shirt/",
            "images": [{"url": "https://cdn/1.jpg"}, {"url": "/media/2.jpg"}], "category": {"name": "Shirts"},
            "tags": ["summer", "linen"], "is_active": true, "modified": "2026-11-01T10:00:00Z", "details": {"material": "linen"},
            "variants": [
                {"sku": "A-17-S", "label": "S", "price": "39.90", "attributes": {"Size": "S", "Colour": "Blue"}, "stock": 4},
                {"sku": "A-17-M", "label": null, "price": "39.9", "attributes": {"Size": "M", "Colour": "Blue"}, "stock": "0"}
            ]
        });
        let p = product(&item, &s).unwrap();
        assert_eq!((p.external_id.as_str(), p.title.as_str(), p.description.as_str()), ("17", "Linen Shirt", "Airy & light"));
        assert_eq!(p.url.as_deref(), Some("https://a.example/shop/p/linen-shirt/"));
        assert_eq!(p.image_urls, ["https://cdn/1.jpg", "https://a.example/shop/media/2.jpg"]);
        assert_eq!((p.product_type.as_deref(), p.status.as_str()), (Some("Shirts"), "active"));
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[0].price, Some(Money { amount_minor: 3990, currency: "EUR".into() }));
        // Without serde_json's preserve_order a map's keys come sorted.
        assert_eq!(p.variants[1].title, "Blue / M");
        assert_eq!((p.variants[0].available, p.variants[1].available), (Some(4), Some(0)));
        let attributes: Value = serde_json::from_str(p.attributes_json.as_deref().unwrap()).unwrap();
        assert_eq!(attributes["size"], json!(["S", "M"]));
        assert_eq!(attributes["material"], "linen");
    }

    #[test]
    fn flat_products_with_prices_in_cents_and_option_lists() {
        let s = settings(json!({
            "base_url": "https://b.example/", "endpoints": {"products": "catalog/items/"},
            "product": {"id": "uuid", "title": "title", "tags": "keywords", "status": "state", "active_statuses": ["published"], "variants": "skus[*]"},
            "variant": {"sku": "code", "price": "pricing.amount_cents", "price_format": "minor_units", "currency": "pricing.currency",
                        "options": "options", "option_name": "attr", "option_value": "val"}
        }));
        let item = json!({
            "uuid": "p-1", "title": "Rain Jacket", "keywords": "rain, outdoor", "state": "published",
            "skus": [{"code": "B-1", "pricing": {"amount_cents": 12900, "currency": "usd"}, "options": [{"attr": "Size", "val": "L"}]}]
        });
        let p = product(&item, &s).unwrap();
        assert_eq!(p.tags, ["rain", "outdoor"]);
        assert_eq!(p.status, "active");
        assert_eq!(p.variants[0].price, Some(Money { amount_minor: 12900, currency: "USD".into() }));
        assert_eq!(p.variants[0].options, [VariantOption { name: "Size".into(), value: "L".into() }]);
        assert_eq!(p.variants[0].available, None);
        let hidden = product(&json!({"uuid": "p-2", "title": "Old", "state": "Archived", "skus": []}), &s).unwrap();
        assert_eq!(hidden.status, "inactive", "a word the store did not name as on sale");
    }

    #[test]
    fn a_missing_required_field_names_the_setting() {
        let s = settings(crate::settings::tests::minimal());
        let error = product(&json!({"id": 3, "title": "wrong key"}), &s).unwrap_err();
        assert!(matches!(&error, ConnectorError::Upstream(m) if m.contains("product.title") && m.contains("wrong key")), "{error:?}");
        let error = product(&json!({"id": 3, "name": "x", "variants": [{"sku": "a", "price": {"amount": "1"}}]}), &s).unwrap_err();
        assert!(matches!(&error, ConnectorError::Upstream(m) if m.contains("price.amount")), "{error:?}");
    }

    #[test]
    fn stock_answers_per_variant_and_per_product() {
        let per_location: StockFields = serde_json::from_value(json!({"levels": "warehouses", "quantity": "qty", "location": "name"})).unwrap();
        let answer = json!({"sku": "B-1", "warehouses": [{"name": "Berlin", "qty": 3}, {"name": "Porto", "qty": "2"}]});
        let levels = stock_levels(&answer, "B-1", &per_location);
        assert_eq!(levels.len(), 2);
        assert_eq!(levels[1], StockLevel { sku: "B-1".into(), location: Some("Porto".into()), available: 2 });
        let per_product: StockFields = serde_json::from_value(json!({"levels": "[*]", "sku": "sku", "quantity": "available"})).unwrap();
        let answer = json!([{"sku": "B-1", "available": 5}, {"sku": "B-2", "available": 0}]);
        assert_eq!(stock_levels(&answer, "B-2", &per_product), [StockLevel { sku: "B-2".into(), location: None, available: 0 }]);
    }

    #[test]
    fn orders_map_items_shipments_and_the_email() {
        let s = settings(json!({
            "base_url": "https://a.example/api/", "currency": "EUR", "endpoints": {"products": "products/", "order": "orders/{order_ref}/"},
            "product": {"id": "id", "title": "name"},
            "order": {"number": "number", "status": "state", "email": "customer.email", "created_at": "placed_at", "total": "total",
                      "items": "lines", "item": {"sku": "sku", "title": "name", "quantity": "qty", "price": "unit_price"},
                      "shipments": "shipments", "shipment": {"carrier": "carrier", "tracking_number": "code", "shipped_at": "at"}}
        }));
        let o = order(
            &json!({"number": "A1001", "state": "Shipped", "customer": {"email": "ana@example.com"}, "placed_at": "2026-11-01T10:00:00Z",
                    "total": "79.80", "lines": [{"sku": "A-1", "name": "Tee", "qty": 2, "unit_price": "39.90"}],
                    "shipments": [{"carrier": "DHL", "code": "JJD1", "at": "2026-11-02T10:00:00Z"}]}),
            s.order.as_ref().unwrap(),
            &s,
        )
        .unwrap();
        assert_eq!((o.order_ref.as_str(), o.status.as_str(), o.customer_email.as_str()), ("A1001", "shipped", "ana@example.com"));
        assert_eq!(o.items[0].quantity, 2);
        assert_eq!(o.total, Some(Money { amount_minor: 7980, currency: "EUR".into() }));
        assert_eq!(o.fulfilments[0].tracking[0].number.as_deref(), Some("JJD1"));
        assert!(same_order_number("#a1001", " A1001"));
        assert!(!same_order_number("A10011", "A1001"));
    }

    #[test]
    fn html_is_stripped() {
        assert_eq!(strip_html("<p>Linen &amp; cotton</p><ul><li>Relaxed</li></ul>"), "Linen & cotton Relaxed");
    }
}
