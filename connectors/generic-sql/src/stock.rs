//! Stock levels from the rows of `stock_query`: one row per SKU, or one per
//! SKU and location (a `location` column), each with `stock_quantity` and/or
//! `stock_status`.

use std::collections::BTreeMap;

use chatgw_sdk::{ConnectorError, Rows, StockLevel, log};

use crate::catalog::{StockStatus, stock_status};
use crate::columns::{Columns, cell, integer};
use crate::settings::Settings;

const SETTING: &str = "stock_query";

/// Levels for the SKUs in `wanted` found in `rows`. A SKU with locations
/// gets one level per location and their total (negative, oversold levels
/// count as zero in it); a SKU the store marks in stock without counting
/// it gets `in_stock_quantity`.
pub fn levels(s: &Settings, rows: &Rows, wanted: &[&str]) -> Result<Vec<StockLevel>, ConnectorError> {
    if rows.rows.is_empty() {
        return Ok(Vec::new());
    }
    let c = Columns::new(SETTING, rows);
    let sku = c.require(&["sku"], "the SKU the level is for")?;
    let quantity = c.find_any(&["stock_quantity", "available", "quantity"]);
    let status = c.find("stock_status");
    if quantity.is_none() && status.is_none() {
        c.require(&["stock_quantity", "stock_status"], "how many are available, or whether the SKU is in stock")?;
    }
    let location = c.find("location");
    if rows.truncated {
        log::write(log::Level::Warn, "stock_query: the host's row or byte cap cut the result; lower `skus_per_query`");
    }
    // Per SKU: the levels by location (None: the row named none).
    let mut found: BTreeMap<String, Vec<(Option<String>, i64)>> = BTreeMap::new();
    for row in &rows.rows {
        let Some(key) = cell(row, Some(sku)).filter(|k| wanted.contains(&k.as_str())) else { continue };
        let available = match quantity.and_then(|i| integer(&row[i])) {
            Some(n) => n,
            None => match cell(row, status).as_deref().map(stock_status) {
                Some(StockStatus::In) => s.in_stock_quantity,
                Some(StockStatus::Out) => 0,
                _ => continue,
            },
        };
        let at = cell(row, location);
        let levels = found.entry(key).or_default();
        if !levels.iter().any(|(known, _)| *known == at) {
            levels.push((at, available));
        }
    }
    let mut out = Vec::new();
    for (key, levels) in found {
        if levels.iter().all(|(at, _)| at.is_none()) {
            out.push(StockLevel { sku: key, location: None, available: levels[0].1 });
            continue;
        }
        let total = levels.iter().map(|(_, n)| (*n).max(0)).sum();
        for (at, available) in levels {
            out.push(StockLevel { sku: key.clone(), location: at, available });
        }
        out.push(StockLevel { sku: key, location: None, available: total });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatgw_sdk::SqlValue;

    fn settings() -> Settings {
        Settings::parse(r#"{"dialect": "mysql", "catalog_query": "SELECT 1", "in_stock_quantity": 5}"#).unwrap()
    }

    fn t(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    #[test]
    fn quantities_statuses_and_locations() {
        let rows = Rows {
            columns: vec!["sku".into(), "stock_quantity".into(), "stock_status".into(), "location".into()],
            rows: vec![
                vec![t("A"), SqlValue::Double(4.0), t("instock"), SqlValue::Null],
                vec![t("B"), SqlValue::Null, t("instock"), SqlValue::Null],
                vec![t("C"), SqlValue::Null, t("outofstock"), SqlValue::Null],
                vec![t("D"), SqlValue::Integer(2), SqlValue::Null, t("Berlin")],
                vec![t("D"), SqlValue::Integer(-1), SqlValue::Null, t("Lisbon")],
                vec![t("E"), SqlValue::Integer(9), SqlValue::Null, SqlValue::Null],
            ],
            truncated: false,
        };
        let levels = levels(&settings(), &rows, &["A", "B", "C", "D"]).unwrap();
        let at = |sku: &str, location: Option<&str>| levels.iter().find(|l| l.sku == sku && l.location.as_deref() == location).map(|l| l.available);
        assert_eq!((at("A", None), at("B", None), at("C", None)), (Some(4), Some(5), Some(0)));
        assert_eq!((at("D", Some("Berlin")), at("D", Some("Lisbon")), at("D", None)), (Some(2), Some(-1), Some(2)));
        assert_eq!(at("E", None), None, "only the SKUs asked for");
    }

    #[test]
    fn a_query_without_a_quantity_or_status_is_explained() {
        let rows = Rows { columns: vec!["sku".into()], rows: vec![vec![t("A")]], truncated: false };
        let e = levels(&settings(), &rows, &["A"]).unwrap_err();
        assert!(matches!(&e, ConnectorError::InvalidSettings(m) if m.contains("stock_query") && m.contains("stock_quantity")), "{e:?}");
    }
}
