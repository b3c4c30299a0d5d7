//! One catalog page from the rows of `catalog_query`: rows grouped into
//! products by `product_id` (the rows of one product must be adjacent, as
//! `ORDER BY product_id` makes them), each row one variant, and the keyset
//! cursor for the next page.

use std::collections::BTreeMap;

use chatgw_sdk::{ConnectorError, Product, ProductPage, ProductVariant, Rows, SqlValue, VariantOption, money};
use serde_json::Value;

use crate::columns::{Columns, cell, integer, json_text, list, text};
use crate::settings::Settings;
use crate::time;

const SETTING: &str = "catalog_query";

/// Where each conventional column is in the result.
struct Layout {
    product_id: usize,
    title: usize,
    description: Option<usize>,
    url: Option<usize>,
    image: Option<usize>,
    images: Option<usize>,
    vendor: Option<usize>,
    category: Option<usize>,
    tags: Option<usize>,
    status: Option<usize>,
    updated_at: Option<usize>,
    variant_id: Option<usize>,
    sku: Option<usize>,
    variant_title: Option<usize>,
    price: Option<usize>,
    compare_at_price: Option<usize>,
    currency: Option<usize>,
    stock_quantity: Option<usize>,
    stock_status: Option<usize>,
    /// A JSON object `{"Size": "M"}` or array `[{"name", "value"}]`.
    options: Option<usize>,
    /// `option_<name>` columns.
    option_columns: Vec<(String, usize)>,
    /// A JSON object of extra product facts.
    attributes: Option<usize>,
    /// `attr_<name>` columns.
    attribute_columns: Vec<(String, usize)>,
}

impl Layout {
    fn of(rows: &Rows) -> Result<Layout, ConnectorError> {
        let c = Columns::new(SETTING, rows);
        Ok(Layout {
            product_id: c.require(&["product_id"], "the product's id, the same on each of its rows")?,
            title: c.require(&["title"], "the product's name")?,
            description: c.find_any(&["description", "body"]),
            url: c.find_any(&["url", "product_url"]),
            image: c.find_any(&["image", "image_url"]),
            images: c.find("images"),
            vendor: c.find_any(&["vendor", "brand"]),
            category: c.find_any(&["category", "product_type"]),
            tags: c.find("tags"),
            status: c.find("status"),
            updated_at: c.find("updated_at"),
            variant_id: c.find("variant_id"),
            sku: c.find("sku"),
            variant_title: c.find("variant_title"),
            price: c.find("price"),
            compare_at_price: c.find_any(&["compare_at_price", "regular_price"]),
            currency: c.find("currency"),
            stock_quantity: c.find_any(&["stock_quantity", "available"]),
            stock_status: c.find("stock_status"),
            options: c.find("options"),
            option_columns: c.prefixed("option_"),
            attributes: c.find("attributes"),
            attribute_columns: c.prefixed("attr_"),
        })
    }
}

/// The cursor for "after this product": the id with its type, so the next
/// page binds `:after` as the same type the column has (PostgreSQL does not
/// compare a bigint with text).
pub fn encode_cursor(id: &SqlValue) -> Result<String, ConnectorError> {
    match id {
        SqlValue::Integer(i) => Ok(format!("i:{i}")),
        SqlValue::Double(d) if d.fract() == 0.0 => Ok(format!("i:{}", *d as i64)),
        SqlValue::Text(t) => Ok(format!("t:{t}")),
        other => {
            Err(ConnectorError::InvalidSettings(format!("`{SETTING}`: `product_id` must be an integer or text column to page by it, not {other:?}; cast it")))
        }
    }
}

pub fn decode_cursor(cursor: &str) -> Result<SqlValue, ConnectorError> {
    match cursor.split_once(':') {
        Some(("i", n)) => n.parse().map(SqlValue::Integer).map_err(|_| bad_cursor(cursor)),
        Some(("t", t)) => Ok(SqlValue::Text(t.to_owned())),
        _ => Err(bad_cursor(cursor)),
    }
}

fn bad_cursor(cursor: &str) -> ConnectorError {
    ConnectorError::Upstream(format!("the sync cursor `{cursor}` was not made by this connector; start a full sync"))
}

/// A page from the rows of one `catalog_query` call that asked for `limit`
/// products.
pub fn page(s: &Settings, rows: &Rows, limit: u32) -> Result<ProductPage, ConnectorError> {
    if rows.rows.is_empty() {
        return Ok(ProductPage { products: Vec::new(), next_cursor: None });
    }
    let layout = Layout::of(rows)?;
    let mut groups = group(rows, layout.product_id)?;
    let more = if rows.truncated {
        // The host's row or byte cap cut the result: the last product may
        // have lost variants, so it comes again on the next page.
        if groups.len() < 2 {
            return Err(ConnectorError::Upstream(format!(
                "the rows of product {} alone are over the host's row or byte cap for one query; lower `page_size`, \
                 or raise the database's `max_rows` / `max_bytes` in the gateway's [databases]",
                text(&groups[0].0).unwrap_or_default()
            )));
        }
        groups.pop();
        true
    } else {
        groups.len() >= limit as usize
    };
    let next_cursor = if more { Some(encode_cursor(&groups.last().expect("at least one product").0)?) } else { None };
    let products = groups.iter().map(|(_, rows)| product(s, &layout, rows)).collect::<Result<_, _>>()?;
    Ok(ProductPage { products, next_cursor })
}

type Group<'a> = (SqlValue, Vec<&'a [SqlValue]>);

/// Adjacent rows with the same product id.
fn group(rows: &Rows, product_id: usize) -> Result<Vec<Group<'_>>, ConnectorError> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for row in &rows.rows {
        let id = row.get(product_id).cloned().unwrap_or(SqlValue::Null);
        if text(&id).is_none() {
            return Err(ConnectorError::InvalidSettings(format!("`{SETTING}` returned a row whose `product_id` is empty")));
        }
        match groups.last_mut() {
            Some((last, members)) if *last == id => members.push(row),
            _ => {
                if groups.iter().any(|(seen, _)| *seen == id) {
                    return Err(ConnectorError::InvalidSettings(format!(
                        "`{SETTING}` returned the rows of product {} apart from each other; end the query with `ORDER BY product_id`",
                        text(&id).unwrap_or_default()
                    )));
                }
                groups.push((id, vec![row]));
            }
        }
    }
    Ok(groups)
}

fn product(s: &Settings, l: &Layout, rows: &[&[SqlValue]]) -> Result<Product, ConnectorError> {
    let first = rows[0];
    let id = text(&first[l.product_id]).expect("grouping skips empty ids");
    let title = cell(first, Some(l.title)).unwrap_or_default();
    let mut images: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let mut attributes = serde_json::Map::new();
    let mut variants = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        for image in cell(row, l.image).into_iter().chain(l.images.map(|i| list(&row[i])).unwrap_or_default()) {
            let image = s.absolute_url(&image);
            if !images.contains(&image) {
                images.push(image);
            }
        }
        for tag in l.tags.map(|i| list(&row[i])).unwrap_or_default() {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        collect_attributes(l, row, &id, &mut attributes)?;
        let v = variant(s, l, row, &id, &title, n, rows.len())?;
        // A join that repeats a variant (two categories, say) adds nothing.
        if !variants.iter().any(|known: &ProductVariant| known.external_id == v.external_id) {
            variants.push(v);
        }
    }
    Ok(Product {
        external_id: id.clone(),
        title,
        description: cell(first, l.description).unwrap_or_default(),
        url: cell(first, l.url).map(|u| s.absolute_url(&u)),
        image_urls: images,
        vendor: cell(first, l.vendor),
        product_type: cell(first, l.category),
        tags,
        status: cell(first, l.status).unwrap_or_else(|| "active".into()),
        updated_at: l.updated_at.map(|i| timestamp(&first[i], "updated_at", &id)).transpose()?.flatten(),
        variants,
        attributes_json: (!attributes.is_empty()).then(|| Value::Object(attributes).to_string()),
    })
}

/// A timestamp column as RFC 3339: text or date-time values (UTC when
/// they carry no zone), or whole seconds since the Unix epoch.
pub fn timestamp(value: &SqlValue, column: &str, owner: &str) -> Result<Option<String>, ConnectorError> {
    match value {
        SqlValue::Null => Ok(None),
        SqlValue::Integer(seconds) => Ok(Some(time::from_unix(*seconds))),
        other => {
            let Some(t) = text(other) else { return Ok(None) };
            time::rfc3339(&t).map(Some).ok_or_else(|| {
                ConnectorError::Upstream(format!(
                    "{owner}: `{column}` is `{t}`, not a timestamp; return a timestamp column or `YYYY-MM-DD HH:MM:SS` text in UTC"
                ))
            })
        }
    }
}

fn collect_attributes(l: &Layout, row: &[SqlValue], id: &str, into: &mut serde_json::Map<String, Value>) -> Result<(), ConnectorError> {
    if let Some(t) = cell(row, l.attributes) {
        match serde_json::from_str::<Value>(&t) {
            Ok(Value::Object(map)) => {
                for (key, value) in map {
                    into.entry(key).or_insert(value);
                }
            }
            _ => return Err(ConnectorError::Upstream(format!("product {id}: `attributes` is not a JSON object: {t}"))),
        }
    }
    for (name, i) in &l.attribute_columns {
        if let Some(value) = text(&row[*i]) {
            into.entry(name.clone()).or_insert(Value::String(value));
        }
    }
    Ok(())
}

fn variant(s: &Settings, l: &Layout, row: &[SqlValue], product_id: &str, title: &str, n: usize, count: usize) -> Result<ProductVariant, ConnectorError> {
    let sku = cell(row, l.sku);
    let external_id =
        cell(row, l.variant_id).or_else(|| sku.clone()).unwrap_or_else(|| if count == 1 { product_id.to_owned() } else { format!("{product_id}-{}", n + 1) });
    let options = options(l, row, product_id)?;
    let variant_title = cell(row, l.variant_title)
        .unwrap_or_else(|| if options.is_empty() { title.to_owned() } else { options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(" / ") });
    let currency = cell(row, l.currency).or_else(|| s.currency.clone());
    let price_of = |index: Option<usize>, column: &str| -> Result<Option<chatgw_sdk::Money>, ConnectorError> {
        let Some(amount) = cell(row, index) else { return Ok(None) };
        let currency = currency.as_deref().ok_or_else(|| {
            ConnectorError::InvalidSettings(format!("`{SETTING}` returns `{column}` but no `currency` column, and the `currency` setting is not set"))
        })?;
        money(&amount, currency).map(Some).map_err(|e| ConnectorError::Upstream(format!("product {product_id}: `{column}`: {}", describe(&e))))
    };
    let price = price_of(l.price, "price")?;
    // A "compare at" price equal to the price is no discount.
    let compare_at_price = price_of(l.compare_at_price, "compare_at_price")?.filter(|c| price.as_ref().is_none_or(|p| c.amount_minor > p.amount_minor));
    let available = match l.stock_quantity.and_then(|i| integer(&row[i])) {
        Some(quantity) => Some(quantity),
        None => match cell(row, l.stock_status).as_deref().map(stock_status) {
            Some(StockStatus::Out) => Some(0),
            _ => None,
        },
    };
    Ok(ProductVariant { external_id, sku, title: variant_title, price, compare_at_price, options, available })
}

fn describe(error: &ConnectorError) -> String {
    match error {
        ConnectorError::Upstream(m) | ConnectorError::InvalidSettings(m) | ConnectorError::NotFound(m) | ConnectorError::Auth(m) => m.clone(),
        ConnectorError::RateLimited(_) => "rate limited".into(),
    }
}

/// Options from the `options` JSON column and the `option_<name>` columns.
fn options(l: &Layout, row: &[SqlValue], product_id: &str) -> Result<Vec<VariantOption>, ConnectorError> {
    let mut out: BTreeMap<String, VariantOption> = BTreeMap::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty())
            && !name.trim().is_empty()
        {
            out.entry(name.trim().to_lowercase()).or_insert(VariantOption { name: name.trim().to_owned(), value });
        }
    };
    if let Some(t) = cell(row, l.options) {
        match serde_json::from_str::<Value>(&t) {
            Ok(Value::Object(map)) => map.iter().for_each(|(name, value)| add(name, json_text(value))),
            Ok(Value::Array(items)) => {
                for item in &items {
                    add(item["name"].as_str().unwrap_or_default(), json_text(&item["value"]));
                }
            }
            _ => {
                return Err(ConnectorError::Upstream(format!(
                    "product {product_id}: `options` is not a JSON object {{\"Size\": \"M\"}} or array [{{\"name\", \"value\"}}]: {t}"
                )));
            }
        }
    }
    for (name, i) in &l.option_columns {
        add(name, text(&row[*i]));
    }
    Ok(out.into_values().collect())
}

/// What a `stock_status` value says.
#[derive(Debug, PartialEq, Eq)]
pub enum StockStatus {
    In,
    Out,
    Unknown,
}

/// WooCommerce's `instock` / `outofstock` / `onbackorder`, and the usual
/// spellings of the same.
pub fn stock_status(status: &str) -> StockStatus {
    let s: String = status.trim().to_ascii_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    match s.as_str() {
        "instock" | "available" | "onbackorder" | "backorder" | "true" | "1" | "yes" => StockStatus::In,
        "outofstock" | "soldout" | "unavailable" | "false" | "0" | "no" => StockStatus::Out,
        _ => StockStatus::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::parse(r#"{"dialect": "mysql", "catalog_query": "SELECT 1", "currency": "EUR", "storefront_url": "https://shop.example"}"#).unwrap()
    }

    fn t(s: &str) -> SqlValue {
        SqlValue::Text(s.into())
    }

    fn rows(columns: &[&str], rows: Vec<Vec<SqlValue>>) -> Rows {
        Rows { columns: columns.iter().map(|c| c.to_string()).collect(), rows, truncated: false }
    }

    const COLUMNS: &[&str] = &["product_id", "title", "url", "updated_at", "variant_id", "sku", "price", "stock_quantity", "option_Size", "options"];

    fn shirt(id: i64, variant: i64, size: &str) -> Vec<SqlValue> {
        vec![
            SqlValue::Integer(id),
            t("Linen shirt"),
            t("/p/linen"),
            t("2024-05-01T10:00:00"),
            SqlValue::Integer(variant),
            t(&format!("LS-{variant}")),
            t("49.90"),
            SqlValue::Double(3.0),
            t(size),
            t(r#"{"Colour": "sand"}"#),
        ]
    }

    #[test]
    fn rows_group_into_products_with_variants_and_a_typed_cursor() {
        let page = page(&settings(), &rows(COLUMNS, vec![shirt(1, 11, "S"), shirt(1, 12, "M"), shirt(2, 21, "L")]), 2).unwrap();
        assert_eq!(page.products.len(), 2);
        let p = &page.products[0];
        assert_eq!((p.external_id.as_str(), p.variants.len()), ("1", 2));
        assert_eq!(p.url.as_deref(), Some("https://shop.example/p/linen"));
        assert_eq!(p.updated_at.as_deref(), Some("2024-05-01T10:00:00Z"));
        let v = &p.variants[1];
        assert_eq!((v.sku.as_deref(), v.available, v.price.as_ref().map(|m| m.amount_minor)), (Some("LS-12"), Some(3), Some(4990)));
        let names: Vec<_> = v.options.iter().map(|o| (o.name.as_str(), o.value.as_str())).collect();
        assert_eq!(names, vec![("Colour", "sand"), ("Size", "M")]);
        assert_eq!(v.title, "sand / M");
        assert_eq!(page.next_cursor.as_deref(), Some("i:2"), "a full page has a next one");
        assert_eq!(decode_cursor("i:2").unwrap(), SqlValue::Integer(2));
        assert_eq!(decode_cursor("t:a:b").unwrap(), t("a:b"));
        assert!(decode_cursor("2").is_err());
    }

    #[test]
    fn a_short_page_is_the_last_and_a_cut_page_ends_before_its_last_product() {
        let short = page(&settings(), &rows(COLUMNS, vec![shirt(1, 11, "S")]), 2).unwrap();
        assert_eq!(short.next_cursor, None);
        let mut cut = rows(COLUMNS, vec![shirt(1, 11, "S"), shirt(2, 21, "S")]);
        cut.truncated = true;
        let cut = page(&settings(), &cut, 100).unwrap();
        assert_eq!((cut.products.len(), cut.next_cursor.as_deref()), (1, Some("i:1")));
        let mut alone = rows(COLUMNS, vec![shirt(1, 11, "S")]);
        alone.truncated = true;
        assert!(matches!(page(&settings(), &alone, 100), Err(ConnectorError::Upstream(m)) if m.contains("page_size")));
    }

    #[test]
    fn scattered_rows_and_missing_columns_are_explained() {
        let scattered = page(&settings(), &rows(COLUMNS, vec![shirt(1, 11, "S"), shirt(2, 21, "S"), shirt(1, 12, "M")]), 10).unwrap_err();
        assert!(matches!(&scattered, ConnectorError::InvalidSettings(m) if m.contains("ORDER BY product_id")), "{scattered:?}");
        let missing = page(&settings(), &rows(&["id", "title"], vec![vec![SqlValue::Integer(1), t("x")]]), 10).unwrap_err();
        assert!(matches!(&missing, ConnectorError::InvalidSettings(m) if m.contains("product_id") && m.contains("id, title")), "{missing:?}");
    }

    #[test]
    fn a_product_without_variant_rows_gets_one_variant() {
        let page = page(
            &settings(),
            &rows(&["product_id", "title", "price", "stock_status"], vec![vec![t("cap"), t("Cap"), SqlValue::Integer(15), t("outofstock")]]),
            10,
        )
        .unwrap();
        let v = &page.products[0].variants[0];
        assert_eq!((v.external_id.as_str(), v.available, v.title.as_str()), ("cap", Some(0), "Cap"));
        assert_eq!(v.price.as_ref().map(|m| m.amount_minor), Some(1500));
    }

    #[test]
    fn statuses_read_in_common_spellings() {
        assert_eq!(stock_status("outofstock"), StockStatus::Out);
        assert_eq!(stock_status("Out of stock"), StockStatus::Out);
        assert_eq!(stock_status("onbackorder"), StockStatus::In);
        assert_eq!(stock_status("?"), StockStatus::Unknown);
    }
}
