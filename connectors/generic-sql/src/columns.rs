//! Reading a query's result by column name. The store's queries name their
//! result columns by convention (see the crate docs); a column the
//! connector needs and does not find is an error that names the setting,
//! the column and the columns the query did return.

use std::collections::HashMap;

use chatgw_sdk::{ConnectorError, Rows, SqlValue};

/// Columns of one result, found by (case-insensitive) name.
pub struct Columns<'a> {
    setting: &'static str,
    names: &'a [String],
    index: HashMap<String, usize>,
}

impl<'a> Columns<'a> {
    pub fn new(setting: &'static str, rows: &'a Rows) -> Self {
        let index = rows.columns.iter().enumerate().map(|(i, name)| (name.trim().to_ascii_lowercase(), i)).collect();
        Columns { setting, names: &rows.columns, index }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.get(&name.to_ascii_lowercase()).copied()
    }

    /// The first of `names` the query returns.
    pub fn find_any(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.find(n))
    }

    /// A column the connector cannot work without.
    pub fn require(&self, names: &[&str], what: &str) -> Result<usize, ConnectorError> {
        self.find_any(names).ok_or_else(|| {
            let wanted = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ");
            ConnectorError::InvalidSettings(format!(
                "`{}` returns no {wanted} column ({what}); it returns: {}. Name the column with `AS {}`",
                self.setting,
                if self.names.is_empty() { "no columns".to_owned() } else { self.names.join(", ") },
                names[0]
            ))
        })
    }

    /// `(suffix, index)` of every column named `<prefix><suffix>`, in
    /// query order.
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, usize)> {
        self.names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let lower = name.trim().to_ascii_lowercase();
                lower.strip_prefix(prefix).filter(|rest| !rest.is_empty()).map(|_| (name.trim()[prefix.len()..].to_owned(), i))
            })
            .collect()
    }
}

/// A value as text: numbers as written, NULL and empty text as `None`.
pub fn text(value: &SqlValue) -> Option<String> {
    let text = match value {
        SqlValue::Null => return None,
        SqlValue::Boolean(b) => b.to_string(),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Double(d) if d.fract() == 0.0 && d.abs() < 1e15 => format!("{}", *d as i64),
        SqlValue::Double(d) => d.to_string(),
        SqlValue::Text(t) => t.clone(),
        SqlValue::Blob(b) => String::from_utf8_lossy(b).into_owned(),
    };
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// Text of column `index` (if the query has it) in `row`.
pub fn cell(row: &[SqlValue], index: Option<usize>) -> Option<String> {
    index.and_then(|i| row.get(i)).and_then(text)
}

/// A whole number: integers, whole doubles and numeric text (`"3"`,
/// `"3.0"`, WooCommerce keeps `_stock` as text).
pub fn integer(value: &SqlValue) -> Option<i64> {
    match value {
        SqlValue::Integer(i) => Some(*i),
        SqlValue::Double(d) if d.is_finite() => Some(d.trunc() as i64),
        SqlValue::Boolean(b) => Some(i64::from(*b)),
        other => {
            let t = text(other)?;
            t.parse::<i64>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f.trunc() as i64))
        }
    }
}

/// A list column: a JSON array, or text separated by commas (or `|`).
pub fn list(value: &SqlValue) -> Vec<String> {
    let Some(t) = text(value) else { return Vec::new() };
    if t.starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(&t)
    {
        return items.iter().filter_map(json_text).collect();
    }
    let separator = if t.contains('|') && !t.contains(',') { '|' } else { ',' };
    t.split(separator).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A JSON scalar as text.
pub fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_are_named_with_what_came_back() {
        let rows = Rows { columns: vec!["id".into(), "name".into()], rows: vec![], truncated: false };
        let columns = Columns::new("catalog_query", &rows);
        let ConnectorError::InvalidSettings(message) = columns.require(&["product_id"], "the product's id").unwrap_err() else { panic!() };
        assert!(message.contains("catalog_query") && message.contains("`product_id`") && message.contains("id, name"), "{message}");
        assert_eq!(columns.require(&["ID"], "x").ok(), Some(0), "names match without case");
        assert_eq!(columns.require(&["name"], "x").ok(), Some(1));
    }

    #[test]
    fn values_read_as_text_numbers_and_lists() {
        assert_eq!(text(&SqlValue::Double(3.0)).as_deref(), Some("3"));
        assert_eq!(text(&SqlValue::Text("  ".into())), None);
        assert_eq!(integer(&SqlValue::Text("12.0".into())), Some(12));
        assert_eq!(integer(&SqlValue::Text("lots".into())), None);
        assert_eq!(list(&SqlValue::Text("a, b,,c".into())), vec!["a", "b", "c"]);
        assert_eq!(list(&SqlValue::Text(r#"["x", 2]"#.into())), vec!["x", "2"]);
    }
}
