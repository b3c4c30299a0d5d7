//! From the connector contract's records to the gateway's catalog types.
//!
//! `attributes-json` is the connector's free-form object. Plain values
//! (strings, numbers, booleans) become product attributes, arrays of them a
//! comma-separated attribute. Three keys are read specially: `reviews`
//! (`[{rating, text, language?}]`), `translations`
//! (`{"es": {title?, description?, attributes?}}`) and `category` (overrides
//! `product-type`).

use std::collections::BTreeMap;

use chatgw_plugins::contract as c;
use serde_json::Value;

use crate::catalog::{Product, Review, Translation, Variant};

/// Statuses that mean "not for sale": such products leave the catalog.
const HIDDEN_STATUSES: &[&str] = &["draft", "archived", "private", "pending", "trash", "inactive", "hidden", "unlisted", "deleted"];

/// Whether the store sells this product now.
pub fn is_listed(product: &c::Product) -> bool {
    let status = product.status.trim().to_ascii_lowercase();
    !HIDDEN_STATUSES.contains(&status.as_str())
}

/// When the store last changed the product, if it says.
pub fn updated_at(p: &c::Product) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    match p.updated_at.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Ok(Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|e| format!("product `{}`: updated-at `{t}` is not RFC 3339: {e}", p.external_id))?
                .with_timezone(&chrono::Utc),
        )),
        None => Ok(None),
    }
}

/// A contract product as a catalog product. Errors name the field.
pub fn product(p: &c::Product) -> Result<Product, String> {
    if p.external_id.trim().is_empty() {
        return Err("a product has an empty external-id".into());
    }
    let mut attributes = BTreeMap::new();
    let mut reviews = Vec::new();
    let mut translations = BTreeMap::new();
    let mut category = p.product_type.clone().unwrap_or_default();
    if let Some(json) = p.attributes_json.as_deref().filter(|j| !j.trim().is_empty()) {
        let value: Value = serde_json::from_str(json).map_err(|e| format!("product `{}`: attributes-json is not JSON: {e}", p.external_id))?;
        let Value::Object(map) = value else {
            return Err(format!("product `{}`: attributes-json must be a JSON object", p.external_id));
        };
        for (key, value) in map {
            match key.as_str() {
                "reviews" => {
                    reviews = serde_json::from_value::<Vec<Review>>(value).map_err(|e| format!("product `{}`: attributes-json.reviews: {e}", p.external_id))?;
                }
                "translations" => {
                    translations = serde_json::from_value::<BTreeMap<String, Translation>>(value)
                        .map_err(|e| format!("product `{}`: attributes-json.translations: {e}", p.external_id))?;
                }
                "category" => {
                    if let Some(text) = plain(&value) {
                        category = text;
                    }
                }
                _ => {
                    if let Some(text) = plain(&value) {
                        attributes.insert(attribute_key(&key), text);
                    }
                }
            }
        }
    }
    let updated_at = updated_at(p)?;
    let variants = p.variants.iter().map(variant).collect();
    Ok(Product {
        id: p.external_id.clone(),
        handle: p.url.as_deref().and_then(handle_from_url).unwrap_or_else(|| p.external_id.clone()),
        title: p.title.clone(),
        description: p.description.clone(),
        category,
        vendor: p.vendor.clone().unwrap_or_default(),
        tags: p.tags.clone(),
        attributes,
        reviews,
        translations,
        url: p.url.clone(),
        image: p.image_urls.first().cloned(),
        updated_at,
        variants,
    })
}

fn variant(v: &c::ProductVariant) -> Variant {
    let sku = v.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&v.external_id).to_owned();
    Variant {
        sku,
        title: v.title.clone(),
        options: v.options.iter().map(|o| (o.name.trim().to_lowercase(), o.value.trim().to_owned())).collect(),
        price: v.price.as_ref().map(money).unwrap_or_default(),
        compare_at_price: v.compare_at_price.as_ref().map(money),
        inventory_quantity: v.available,
    }
}

/// The card's names for common attributes (`colour` is `color`, `sizes` is
/// `size_range`); other names are kept, lower-cased.
fn attribute_key(key: &str) -> String {
    let key = key.trim().to_lowercase().replace([' ', '-'], "_");
    match key.as_str() {
        "colour" | "colours" | "colors" => "color".into(),
        "sizes" | "size" | "size_range" => "size_range".into(),
        "materials" | "fabric" | "composition" => "material".into(),
        _ => key,
    }
}

/// A string for an attribute value: text, numbers and booleans as written,
/// arrays of them joined with commas; objects and nulls are skipped.
fn plain(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(|v| if v.is_array() { None } else { plain(v) }).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(_) | Value::Null => None,
    }
}

fn handle_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    path.trim_end_matches('/').rsplit('/').next().filter(|s| !s.is_empty() && !s.contains(':')).map(str::to_owned)
}

/// Minor units as a decimal string in the currency's own precision (ISO
/// 4217): `5900 EUR` is `59.00`, `5900 JPY` is `5900`, `5900 KWD` is `5.900`.
pub fn money(m: &c::Money) -> String {
    let digits = minor_digits(&m.currency);
    if digits == 0 {
        return m.amount_minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if m.amount_minor < 0 { "-" } else { "" };
    let abs = m.amount_minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale as u64, abs % scale as u64, width = digits as usize)
}

fn minor_digits(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract_product() -> c::Product {
        c::Product {
            external_id: "101".into(),
            title: "Sitges linen shirt".into(),
            description: "<p>Airy <b>linen</b>.</p>".into(),
            url: Some("https://shop.example/products/sitges-linen-shirt?variant=1".into()),
            image_urls: vec!["https://cdn.example/1.jpg".into()],
            vendor: Some("Costa".into()),
            product_type: Some("Shirts".into()),
            tags: vec!["linen".into()],
            status: "active".into(),
            updated_at: Some("2026-11-01T10:00:00+01:00".into()),
            variants: vec![c::ProductVariant {
                external_id: "9001".into(),
                sku: None,
                title: "M / White".into(),
                price: Some(c::Money { amount_minor: 5900, currency: "EUR".into() }),
                compare_at_price: None,
                options: vec![c::VariantOption { name: "Size".into(), value: "M".into() }],
                available: Some(3),
            }],
            attributes_json: Some(
                r#"{"material": "100% linen", "colors": ["white", "sky blue"], "weight_g": 180, "category": "Shirts & tops",
                    "reviews": [{"rating": 5, "text": "Perfect for the heat"}],
                    "translations": {"es": {"title": "Camisa de lino Sitges"}}}"#
                    .into(),
            ),
        }
    }

    #[test]
    fn converts_a_product_with_attributes_reviews_and_translations() {
        let p = product(&contract_product()).unwrap();
        assert_eq!(p.id, "101");
        assert_eq!(p.handle, "sitges-linen-shirt");
        assert_eq!(p.category, "Shirts & tops");
        assert_eq!(p.attributes["material"], "100% linen");
        assert_eq!(p.attributes["color"], "white, sky blue");
        assert_eq!(p.attributes["weight_g"], "180");
        assert_eq!(p.reviews.len(), 1);
        assert_eq!(p.translations["es"].title.as_deref(), Some("Camisa de lino Sitges"));
        assert_eq!(p.variants[0].sku, "9001", "external id stands in for a missing SKU");
        assert_eq!(p.variants[0].options["size"], "M");
        assert_eq!(p.variants[0].price, "59.00");
        assert_eq!(p.image.as_deref(), Some("https://cdn.example/1.jpg"));
        assert!(p.updated_at.is_some());
    }

    #[test]
    fn bad_attributes_name_the_product() {
        let mut raw = contract_product();
        raw.attributes_json = Some("[1, 2]".into());
        assert!(product(&raw).unwrap_err().contains("`101`"));
        raw.attributes_json = None;
        raw.updated_at = Some("yesterday".into());
        assert!(product(&raw).unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn money_uses_the_currency_precision() {
        let m = |amount_minor, currency: &str| money(&c::Money { amount_minor, currency: currency.into() });
        assert_eq!(m(5900, "EUR"), "59.00");
        assert_eq!(m(5, "usd"), "0.05");
        assert_eq!(m(5900, "JPY"), "5900");
        assert_eq!(m(5900, "KWD"), "5.900");
        assert_eq!(m(-150, "EUR"), "-1.50");
    }

    #[test]
    fn hidden_statuses_are_not_listed() {
        let mut raw = contract_product();
        assert!(is_listed(&raw));
        for status in ["draft", "Archived", "trash"] {
            raw.status = status.into();
            assert!(!is_listed(&raw), "{status}");
        }
        raw.status = "publish".into();
        assert!(is_listed(&raw));
    }
}
