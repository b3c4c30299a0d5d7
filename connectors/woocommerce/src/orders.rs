//! Order lookup by the number the shopper knows. WooCommerce's `number` is
//! the id unless a sequential-numbering plugin gives orders their own, so
//! a numeric reference is tried as an id (and kept only if its number
//! matches), then the order search, matching `number` exactly. Tracking
//! comes from the meta the common shipment-tracking plugins write.

use chatgw_sdk::{ConnectorError, Fulfilment, JsonResponse, Order, OrderItem, Tracking, money, wp_total_pages};
use serde::Deserialize;
use serde_json::Value;

use crate::api::Api;
use crate::time::{gmt_to_rfc3339, unix_to_rfc3339};

/// Search result pages looked through for the exact number.
const SEARCH_PAGES: u32 = 5;
/// Meta keys holding a list of tracking items (WooCommerce Shipment
/// Tracking, and Advanced Shipment Tracking, which writes the same).
const TRACKING_ITEM_KEYS: &[&str] = &["_wc_shipment_tracking_items", "wc_shipment_tracking_items", "_tracking_items"];

#[derive(Deserialize, Default)]
struct Billing {
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct LineItem {
    #[serde(default)]
    name: String,
    #[serde(default)]
    sku: Option<String>,
    #[serde(default)]
    quantity: Value,
    /// The unit price, a JSON number (unlike every other amount).
    #[serde(default)]
    price: Value,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    key: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
pub struct WcOrder {
    #[serde(default)]
    id: u64,
    #[serde(default)]
    number: Value,
    #[serde(default)]
    status: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    total: Option<String>,
    #[serde(default)]
    date_created_gmt: Option<String>,
    #[serde(default)]
    date_completed_gmt: Option<String>,
    #[serde(default)]
    billing: Option<Billing>,
    #[serde(default)]
    line_items: Vec<LineItem>,
    #[serde(default)]
    meta_data: Vec<Meta>,
}

impl WcOrder {
    /// `number` as text (a string in v3, a number in some plugins' output).
    pub fn number(&self) -> String {
        match &self.number {
            Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => self.id.to_string(),
        }
    }
}

/// `#1001`, `1001` and ` #1001 ` name the same order.
fn bare(reference: &str) -> String {
    reference.trim().trim_start_matches('#').trim().to_lowercase()
}

pub fn get_order(api: &Api, reference: &str) -> Result<Order, ConnectorError> {
    let wanted = bare(reference);
    let not_found = || ConnectorError::NotFound(format!("order {}", reference.trim()));
    if wanted.is_empty() {
        return Err(not_found());
    }
    if wanted.bytes().all(|b| b.is_ascii_digit()) {
        match api.get::<WcOrder>(&format!("orders/{wanted}"), &[]) {
            Ok(found) if bare(&found.value.number()) == wanted => return order(api, found.value),
            Ok(_) | Err(ConnectorError::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
    }
    for page in 1..=SEARCH_PAGES {
        let query = [("search", wanted.clone()), ("per_page", "100".into()), ("page", page.to_string())];
        let found: JsonResponse<Vec<WcOrder>> = api.get("orders", &query)?;
        let last = wp_total_pages(&found.headers).is_none_or(|total| page >= total) || found.value.is_empty();
        // The search matches addresses and items too: only the exact
        // number is this order.
        if let Some(hit) = found.value.into_iter().find(|o| bare(&o.number()) == wanted) {
            return order(api, hit);
        }
        if last {
            break;
        }
    }
    Err(not_found())
}

fn number_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn order(api: &Api, o: WcOrder) -> Result<Order, ConnectorError> {
    let currency = if o.currency.trim().is_empty() { api.currency()? } else { o.currency.trim().to_owned() };
    let items = o
        .line_items
        .iter()
        .map(|item| {
            Ok(OrderItem {
                sku: item.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
                title: item.name.clone(),
                quantity: item.quantity.as_f64().map_or(0, |q| q.max(0.0) as u32),
                price: number_text(&item.price).map(|p| money(&p, &currency)).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, ConnectorError>>()?;
    let mut fulfilments = tracking(&o.meta_data, &api.settings.tracking_meta_keys);
    if fulfilments.is_empty() && o.status == "completed" {
        fulfilments.push(Fulfilment { status: "fulfilled".into(), tracking: Vec::new(), shipped_at: o.date_completed_gmt.as_deref().and_then(gmt_to_rfc3339) });
    }
    Ok(Order {
        order_ref: o.number(),
        status: o.status.clone(),
        // The gateway compares this with the email the shopper gives and
        // never shows it; an order without one is shown to nobody.
        customer_email: o.billing.unwrap_or_default().email.unwrap_or_default(),
        created_at: o.date_created_gmt.as_deref().and_then(gmt_to_rfc3339),
        items,
        fulfilments,
        total: o.total.as_deref().filter(|t| !t.trim().is_empty()).map(|t| money(t, &currency)).transpose()?,
    })
}

fn text(value: &Value, key: &str) -> Option<String> {
    number_text(value.get(key)?)
}

/// One shipment from a tracking item (`tracking_provider` or
/// `custom_tracking_provider`, `tracking_number`, `custom_tracking_link`,
/// `date_shipped` as a Unix time).
fn shipment(item: &Value) -> Option<Fulfilment> {
    let number = text(item, "tracking_number")?;
    let shipped_at = item.get("date_shipped").and_then(|d| d.as_i64().or_else(|| d.as_str()?.trim().parse().ok())).map(unix_to_rfc3339);
    Some(Fulfilment {
        status: "shipped".into(),
        tracking: vec![Tracking {
            carrier: text(item, "custom_tracking_provider").or_else(|| text(item, "tracking_provider")),
            number: Some(number),
            url: text(item, "custom_tracking_link").or_else(|| text(item, "tracking_link")),
        }],
        shipped_at,
    })
}

/// Shipments found in an order's meta: lists of tracking items under the
/// known keys, AfterShip's flat keys, and the store's own keys (a list of
/// items, one item, or a bare tracking number).
fn tracking(meta: &[Meta], extra_keys: &[String]) -> Vec<Fulfilment> {
    let mut out = Vec::new();
    for m in meta {
        let key = m.key.as_str();
        let listed = TRACKING_ITEM_KEYS.contains(&key) || extra_keys.iter().any(|k| k.trim() == key);
        if !listed {
            continue;
        }
        match &m.value {
            Value::Array(items) => out.extend(items.iter().filter_map(shipment)),
            Value::Object(_) => out.extend(shipment(&m.value)),
            other => out.extend(number_text(other).map(|number| Fulfilment {
                status: "shipped".into(),
                tracking: vec![Tracking { carrier: None, number: Some(number), url: None }],
                shipped_at: None,
            })),
        }
    }
    let aftership = |key: &str| meta.iter().find(|m| m.key == key).and_then(|m| number_text(&m.value));
    if let Some(number) = aftership("_aftership_tracking_number") {
        out.push(Fulfilment {
            status: "shipped".into(),
            tracking: vec![Tracking { carrier: aftership("_aftership_tracking_provider_name"), number: Some(number), url: None }],
            shipped_at: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tracking_comes_from_the_plugins_meta() {
        let meta: Vec<Meta> = serde_json::from_value(json!([
            {"id": 1, "key": "_wc_shipment_tracking_items", "value": [
                {"tracking_provider": "dhl", "custom_tracking_provider": "", "custom_tracking_link": "", "tracking_number": "JJD01", "date_shipped": "1700000000", "tracking_id": "a1"}
            ]},
            {"id": 2, "key": "_my_tracking", "value": "1Z999"},
            {"id": 3, "key": "_aftership_tracking_number", "value": "AS-7"},
            {"id": 4, "key": "_aftership_tracking_provider_name", "value": "UPS"},
            {"id": 5, "key": "_billing_phone", "value": "123"}
        ]))
        .unwrap();
        let found = tracking(&meta, &["_my_tracking".into()]);
        let numbers: Vec<_> = found.iter().map(|f| f.tracking[0].number.clone().unwrap()).collect();
        assert_eq!(numbers, ["JJD01", "1Z999", "AS-7"]);
        assert_eq!(found[0].tracking[0].carrier.as_deref(), Some("dhl"));
        assert_eq!(found[0].shipped_at.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(found[2].tracking[0].carrier.as_deref(), Some("UPS"));
    }

    #[test]
    fn numbers_compare_without_the_hash() {
        assert_eq!(bare(" #1001 "), "1001");
        let o: WcOrder = serde_json::from_value(json!({"id": 5, "number": "WC-77"})).unwrap();
        assert_eq!(o.number(), "WC-77");
        let plain: WcOrder = serde_json::from_value(json!({"id": 5})).unwrap();
        assert_eq!(plain.number(), "5");
    }
}
