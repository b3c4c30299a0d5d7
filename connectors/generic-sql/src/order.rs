//! An order from the rows of `order_query`: the order's own columns on every
//! row, one row per line item (`item_*` columns) or the items as a JSON
//! array in `items`, and tracking the same way (`tracking_*` columns or a
//! `tracking` JSON array). The email goes to the gateway, which compares it
//! with the one the shopper gives and never shows it.

use chatgw_sdk::{ConnectorError, Fulfilment, Money, Order, OrderItem, Rows, SqlValue, Tracking, money};
use serde_json::Value;

use crate::catalog::timestamp;
use crate::columns::{Columns, cell, integer, json_text};
use crate::settings::Settings;

const SETTING: &str = "order_query";

/// `#1001`, `1001` and ` #1001 ` name the same order.
pub fn bare_reference(reference: &str) -> String {
    reference.trim().trim_start_matches('#').trim().to_owned()
}

struct Layout {
    reference: usize,
    status: usize,
    email: usize,
    created_at: Option<usize>,
    total: Option<usize>,
    currency: Option<usize>,
    items: Option<usize>,
    item_sku: Option<usize>,
    item_title: Option<usize>,
    item_quantity: Option<usize>,
    item_price: Option<usize>,
    tracking: Option<usize>,
    tracking_number: Option<usize>,
    tracking_carrier: Option<usize>,
    tracking_url: Option<usize>,
    shipped_at: Option<usize>,
    fulfilment_status: Option<usize>,
}

impl Layout {
    fn of(rows: &Rows) -> Result<Layout, ConnectorError> {
        let c = Columns::new(SETTING, rows);
        Ok(Layout {
            reference: c.require(&["order_ref", "number"], "the order number the shopper knows")?,
            status: c.require(&["status"], "the order's status")?,
            email: c.require(&["email"], "the email the order was placed with, which the gateway checks")?,
            created_at: c.find("created_at"),
            total: c.find("total"),
            currency: c.find("currency"),
            items: c.find("items"),
            item_sku: c.find("item_sku"),
            item_title: c.find("item_title"),
            item_quantity: c.find("item_quantity"),
            item_price: c.find("item_price"),
            tracking: c.find("tracking"),
            tracking_number: c.find("tracking_number"),
            tracking_carrier: c.find("tracking_carrier"),
            tracking_url: c.find("tracking_url"),
            shipped_at: c.find("shipped_at"),
            fulfilment_status: c.find("fulfilment_status"),
        })
    }
}

/// The order `reference` among `rows`; rows of other orders (a query that
/// matches loosely) are ignored, and none at all is "not found".
pub fn order(s: &Settings, rows: &Rows, reference: &str) -> Result<Order, ConnectorError> {
    let not_found = || ConnectorError::NotFound(format!("order {reference}"));
    if rows.rows.is_empty() {
        return Err(not_found());
    }
    let l = Layout::of(rows)?;
    let wanted = bare_reference(reference);
    let mine: Vec<&Vec<SqlValue>> =
        rows.rows.iter().filter(|row| cell(row, Some(l.reference)).is_some_and(|r| bare_reference(&r).eq_ignore_ascii_case(&wanted))).collect();
    let Some(first) = mine.first() else { return Err(not_found()) };
    let order_ref = cell(first, Some(l.reference)).unwrap_or_default();
    let currency = cell(first, l.currency).or_else(|| s.currency.clone());
    let amount = |value: Option<String>, column: &str| -> Result<Option<Money>, ConnectorError> {
        let Some(value) = value else { return Ok(None) };
        let Some(currency) = currency.as_deref() else {
            return Err(ConnectorError::InvalidSettings(format!(
                "`{SETTING}` returns `{column}` but no `currency` column, and the `currency` setting is not set"
            )));
        };
        money(&value, currency).map(Some)
    };

    let mut items = Vec::new();
    let mut tracking = Vec::new();
    for row in &mine {
        if let Some(t) = cell(row, l.items) {
            for item in json_array(&t, "items", &order_ref)? {
                let quantity = item.get("quantity").and_then(Value::as_u64).unwrap_or(1);
                push_new(
                    &mut items,
                    OrderItem {
                        sku: item.get("sku").and_then(json_text),
                        title: item.get("title").or_else(|| item.get("name")).and_then(json_text).unwrap_or_default(),
                        quantity: u32::try_from(quantity).unwrap_or(u32::MAX),
                        price: amount(item.get("price").and_then(json_text), "items[].price")?,
                    },
                );
            }
        }
        if l.item_title.or(l.item_sku).is_some_and(|i| !matches!(row[i], SqlValue::Null)) {
            push_new(
                &mut items,
                OrderItem {
                    sku: cell(row, l.item_sku),
                    title: cell(row, l.item_title).unwrap_or_default(),
                    quantity: l.item_quantity.and_then(|i| integer(&row[i])).map_or(1, |q| u32::try_from(q.max(0)).unwrap_or(u32::MAX)),
                    price: amount(cell(row, l.item_price), "item_price")?,
                },
            );
        }
        if let Some(t) = cell(row, l.tracking) {
            for entry in json_array(&t, "tracking", &order_ref)? {
                push_new(
                    &mut tracking,
                    Tracking {
                        carrier: entry.get("carrier").and_then(json_text),
                        number: entry.get("number").and_then(json_text),
                        url: entry.get("url").and_then(json_text),
                    },
                );
            }
        }
        if let Some(number) = cell(row, l.tracking_number) {
            push_new(&mut tracking, Tracking { carrier: cell(row, l.tracking_carrier), number: Some(number), url: cell(row, l.tracking_url) });
        }
    }
    let status = cell(first, Some(l.status)).unwrap_or_else(|| "unknown".into());
    let shipped_at = l.shipped_at.map(|i| timestamp(&first[i], "shipped_at", &order_ref)).transpose()?.flatten();
    let fulfilments = if tracking.is_empty() && shipped_at.is_none() && l.fulfilment_status.is_none() {
        Vec::new()
    } else {
        vec![Fulfilment { status: cell(first, l.fulfilment_status).unwrap_or_else(|| status.clone()), tracking, shipped_at }]
    };
    Ok(Order {
        order_ref,
        status,
        // An order without an email is shown to nobody.
        customer_email: cell(first, Some(l.email)).unwrap_or_default(),
        created_at: l.created_at.map(|i| timestamp(&first[i], "created_at", reference)).transpose()?.flatten(),
        items,
        fulfilments,
        total: amount(cell(first, l.total), "total")?,
    })
}

fn json_array(text: &str, column: &str, order_ref: &str) -> Result<Vec<Value>, ConnectorError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(Value::Null) => Ok(Vec::new()),
        _ => Err(ConnectorError::Upstream(format!("order {order_ref}: `{column}` is not a JSON array: {text}"))),
    }
}

/// Joins repeat rows (an item per tracking number, say): each item or
/// tracking entry once.
fn push_new<T: PartialEq>(all: &mut Vec<T>, item: T) {
    if !all.contains(&item) {
        all.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::parse(r#"{"dialect": "mysql", "catalog_query": "SELECT 1", "currency": "EUR"}"#).unwrap()
    }

    fn t(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    fn rows() -> Rows {
        Rows {
            columns: [
                "number",
                "status",
                "email",
                "created_at",
                "total",
                "item_sku",
                "item_title",
                "item_quantity",
                "item_price",
                "tracking_number",
                "tracking_carrier",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                vec![
                    SqlValue::Integer(1001),
                    t("completed"),
                    t("ana@example.com"),
                    t("2024-05-01 10:00:00"),
                    t("99.80"),
                    t("A-1"),
                    t("Shirt"),
                    SqlValue::Integer(2),
                    t("49.90"),
                    t("JJD1"),
                    t("DHL"),
                ],
                vec![
                    SqlValue::Integer(1001),
                    t("completed"),
                    t("ana@example.com"),
                    t("2024-05-01 10:00:00"),
                    t("99.80"),
                    t("B-1"),
                    t("Cap"),
                    SqlValue::Integer(1),
                    t("0"),
                    t("JJD1"),
                    t("DHL"),
                ],
            ],
            truncated: false,
        }
    }

    #[test]
    fn rows_become_an_order_with_items_and_tracking() {
        let order = order(&settings(), &rows(), "#1001").unwrap();
        assert_eq!((order.order_ref.as_str(), order.status.as_str(), order.customer_email.as_str()), ("1001", "completed", "ana@example.com"));
        assert_eq!(order.items.len(), 2);
        assert_eq!(order.items[0].quantity, 2);
        assert_eq!(order.total.as_ref().map(|m| m.amount_minor), Some(9980));
        assert_eq!(order.fulfilments[0].tracking, vec![Tracking { carrier: Some("DHL".into()), number: Some("JJD1".into()), url: None }]);
        assert_eq!(order.created_at.as_deref(), Some("2024-05-01T10:00:00Z"));
    }

    #[test]
    fn another_orders_rows_are_not_this_order() {
        assert!(matches!(order(&settings(), &rows(), "10011"), Err(ConnectorError::NotFound(_))));
        let empty = Rows { columns: vec![], rows: vec![], truncated: false };
        assert!(matches!(order(&settings(), &empty, "1"), Err(ConnectorError::NotFound(_))));
    }

    #[test]
    fn json_items_are_read() {
        let rows = Rows {
            columns: ["order_ref", "status", "email", "items"].map(String::from).to_vec(),
            rows: vec![vec![t("#7"), t("processing"), t("b@example.com"), t(r#"[{"sku": "X", "title": "Tent", "quantity": 1, "price": "349.00"}]"#)]],
            truncated: false,
        };
        let order = order(&settings(), &rows, "7").unwrap();
        assert_eq!(order.items[0].price.as_ref().map(|m| m.amount_minor), Some(34900));
        assert!(order.fulfilments.is_empty());
    }
}
