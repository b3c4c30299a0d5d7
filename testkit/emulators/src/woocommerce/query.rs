//! WordPress's collection parameters as WooCommerce's controllers declare
//! them, validated the way the REST server does (a 400
//! `rest_invalid_param` naming each bad parameter), and the paging of a
//! result: `X-WP-Total`, `X-WP-TotalPages`, `Link`, and `[]` for a page past
//! the last (WooCommerce's CRUD controllers do not refuse it).

use std::collections::HashMap;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::WpError;

/// WordPress's cap on `per_page`.
pub const MAX_PER_PAGE: u64 = 100;
/// WordPress's default `per_page`.
pub const DEFAULT_PER_PAGE: u64 = 10;

pub const PRODUCT_ORDERBY: &[&str] = &["date", "modified", "id", "include", "title", "slug", "price", "popularity", "rating", "menu_order"];
pub const VARIATION_ORDERBY: &[&str] = &["date", "modified", "id", "include", "title", "slug", "menu_order"];
pub const ORDER_ORDERBY: &[&str] = &["date", "modified", "id", "include", "title", "slug"];

/// `a=1&b=x%20y` into pairs (the last value of a repeated name wins).
pub fn parse_pairs(raw: &str) -> HashMap<String, String> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One row of a result, with what it can be ordered by.
pub struct Listing {
    pub id: u64,
    pub date: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub title: String,
    pub value: Value,
}

/// The validated paging and ordering of one collection request.
pub struct ListQuery {
    pub page: u64,
    pub per_page: u64,
    pub offset: u64,
    pub orderby: String,
    pub descending: bool,
    /// Empty: `any`.
    pub statuses: Vec<String>,
}

/// A 400 as WordPress's REST server sends it for invalid parameters.
pub fn invalid_params(problems: &[(String, String)]) -> WpError {
    let names: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
    let params: serde_json::Map<String, Value> = problems.iter().map(|(n, m)| (n.clone(), json!(m))).collect();
    let body = json!({
        "code": "rest_invalid_param",
        "message": format!("Invalid parameter(s): {}", names.join(", ")),
        "data": {"status": 400, "params": params},
    });
    WpError { status: StatusCode::BAD_REQUEST, body }
}

fn integer(params: &HashMap<String, String>, name: &str, default: u64, min: u64, max: Option<u64>, problems: &mut Vec<(String, String)>) -> u64 {
    let Some(text) = params.get(name) else { return default };
    match text.trim().parse::<i64>() {
        Ok(n) if n >= min as i64 && max.is_none_or(|m| n <= m as i64) => n as u64,
        Ok(_) => {
            let message = match max {
                Some(max) => format!("{name} must be between {min} (inclusive) and {max} (inclusive)"),
                None => format!("{name} must be greater than or equal to {min}"),
            };
            problems.push((name.into(), message));
            default
        }
        Err(_) => {
            problems.push((name.into(), format!("{name} is not of type integer.")));
            default
        }
    }
}

impl ListQuery {
    pub fn parse(params: &HashMap<String, String>, orderby_allowed: &[&str]) -> Result<Self, WpError> {
        let mut problems = Vec::new();
        let page = integer(params, "page", 1, 1, None, &mut problems);
        let per_page = integer(params, "per_page", DEFAULT_PER_PAGE, 1, Some(MAX_PER_PAGE), &mut problems);
        let offset = integer(params, "offset", 0, 0, None, &mut problems);
        let orderby = params.get("orderby").cloned().unwrap_or_else(|| "date".into());
        if !orderby_allowed.contains(&orderby.as_str()) {
            problems.push(("orderby".into(), format!("orderby is not one of {}.", orderby_allowed.join(", "))));
        }
        let order = params.get("order").map(String::as_str).unwrap_or("desc");
        if !matches!(order, "asc" | "desc") {
            problems.push(("order".into(), "order is not one of asc and desc.".into()));
        }
        let statuses: Vec<String> =
            params.get("status").map(|s| s.split(',').map(str::trim).filter(|s| !s.is_empty() && *s != "any").map(str::to_owned).collect()).unwrap_or_default();
        if !problems.is_empty() {
            return Err(invalid_params(&problems));
        }
        Ok(Self { page, per_page, offset, orderby, descending: order == "desc", statuses })
    }

    pub fn status_matches(&self, status: &str) -> bool {
        if self.statuses.is_empty() { status != "trash" } else { self.statuses.iter().any(|s| s == status) }
    }

    /// `modified_after` as an instant. Without a zone it is read in the
    /// column it is compared with: UTC with `dates_are_gmt`, else the
    /// site's timezone.
    pub fn modified_after(&self, params: &HashMap<String, String>, site: FixedOffset) -> Result<Option<DateTime<Utc>>, WpError> {
        let Some(text) = params.get("modified_after") else { return Ok(None) };
        let gmt = params.get("dates_are_gmt").is_some_and(|v| matches!(v.as_str(), "true" | "1"));
        let invalid = || invalid_params(&[("modified_after".into(), "Invalid date.".into())]);
        if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
            return Ok(Some(t.with_timezone(&Utc)));
        }
        let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
            .ok_or_else(invalid)?;
        let zone = if gmt { FixedOffset::east_opt(0).expect("UTC") } else { site };
        Ok(zone.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)))
    }

    /// The requested page of `rows`, with WordPress's paging headers.
    pub fn page(&self, mut rows: Vec<Listing>, route: &str) -> Response {
        match self.orderby.as_str() {
            "id" | "include" => rows.sort_by_key(|r| r.id),
            "modified" => rows.sort_by_key(|r| (r.modified, r.id)),
            "title" | "slug" => rows.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id))),
            _ => rows.sort_by_key(|r| (r.date, r.id)),
        }
        if self.descending {
            rows.reverse();
        }
        let total = rows.len() as u64;
        let total_pages = total.div_ceil(self.per_page);
        let start = (self.offset + (self.page - 1) * self.per_page) as usize;
        let items: Vec<Value> = rows.into_iter().skip(start).take(self.per_page as usize).map(|r| r.value).collect();
        let mut response = axum::Json(items).into_response();
        let headers = response.headers_mut();
        headers.insert("x-wp-total", HeaderValue::from(total));
        headers.insert("x-wp-totalpages", HeaderValue::from(total_pages));
        let link = |page: u64, rel: &str| format!("</wp-json/wc/v3/{route}?page={page}&per_page={}>; rel=\"{rel}\"", self.per_page);
        let mut links = Vec::new();
        if self.page > 1 {
            links.push(link((self.page - 1).min(total_pages.max(1)), "prev"));
        }
        if total_pages > self.page {
            links.push(link(self.page + 1, "next"));
        }
        if let Ok(value) = HeaderValue::from_str(&links.join(", "))
            && !links.is_empty()
        {
            headers.insert("link", value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        let pairs = parse_pairs("sku=A%2CB&search=a+b&x");
        assert_eq!(pairs["sku"], "A,B");
        assert_eq!(pairs["search"], "a b");
        assert_eq!(pairs["x"], "");
    }

    #[test]
    fn per_page_over_100_is_refused_as_wordpress_does() {
        let params = parse_pairs("per_page=101&orderby=nope");
        let refused = ListQuery::parse(&params, PRODUCT_ORDERBY).err().expect("refused");
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.body["message"], "Invalid parameter(s): per_page, orderby");
        assert!(ListQuery::parse(&parse_pairs("per_page=100"), PRODUCT_ORDERBY).is_ok());
        assert!(ListQuery::parse(&parse_pairs("page=0"), PRODUCT_ORDERBY).is_err());
    }
}
