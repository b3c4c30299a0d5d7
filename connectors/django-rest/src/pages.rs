//! DRF list answers in all their shapes, recognised from the answer itself
//! so the store never has to say which paginator its views use:
//!
//! - `PageNumberPagination`: `{count, next, previous, results}`, `next`
//!   carries `?page=`;
//! - `LimitOffsetPagination`: the same body, `next` carries
//!   `?limit=&offset=`;
//! - `CursorPagination`: `{next, previous, results}` without `count`,
//!   `next` carries an opaque `?cursor=`;
//! - no pagination: a bare JSON list.
//!
//! The `next` link is followed as given (it keeps the filters and the page
//! size of the first request), and only on the API's own origin: a link
//! elsewhere is an error, never a request with the store's credentials to
//! another host.

use chatgw_sdk::{ConnectorError, encode_component};
use serde_json::Value;

use crate::settings::{Settings, origin_of};

/// How the list was paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    PageNumber,
    LimitOffset,
    Cursor,
    /// `count` without a `next` to tell page numbers from limit/offset.
    Counted,
    BareList,
}

impl Style {
    pub fn describe(self) -> &'static str {
        match self {
            Style::PageNumber => "page-number pagination",
            Style::LimitOffset => "limit/offset pagination",
            Style::Cursor => "cursor pagination",
            Style::Counted => "page-number or limit/offset pagination (one page)",
            Style::BareList => "an unpaginated list",
        }
    }
}

/// One answer of a list endpoint.
#[derive(Debug)]
pub struct ListPage {
    pub items: Vec<Value>,
    /// The absolute URL of the next page, checked to be on the origin.
    pub next: Option<String>,
    pub style: Style,
}

/// Whether the URL's query has the parameter `name`.
fn has_param(url: &str, name: &str) -> bool {
    url.split_once('?').is_some_and(|(_, query)| query.split('&').any(|pair| pair.split('=').next() == Some(name)))
}

fn style_of(count: Option<&Value>, next: Option<&str>) -> Style {
    match next {
        Some(url) if has_param(url, "cursor") => Style::Cursor,
        Some(url) if has_param(url, "offset") => Style::LimitOffset,
        Some(_) if count.is_some() => Style::PageNumber,
        Some(_) => Style::Cursor,
        None if count.is_some() => Style::Counted,
        None => Style::Cursor,
    }
}

/// A URL the API handed us (a `next` link, a cursor), absolute and on the
/// API's origin.
pub fn same_origin(s: &Settings, url: &str, what: &str) -> Result<String, ConnectorError> {
    let absolute = s.absolute(url.trim());
    if origin_of(&absolute).as_deref() == Some(s.origin()) {
        return Ok(absolute);
    }
    Err(ConnectorError::Upstream(format!(
        "{what} `{absolute}` is not on the API's origin {}; the connector follows links only there. If the store sits behind a proxy, \
         make Django build links with the public host and scheme (USE_X_FORWARDED_HOST, SECURE_PROXY_SSL_HEADER) or set base_url to the \
         address its links use",
        s.origin()
    )))
}

/// Reads one list answer. `what` names the endpoint setting for errors.
pub fn read(s: &Settings, answer: Value, what: &str) -> Result<ListPage, ConnectorError> {
    match answer {
        Value::Array(items) => Ok(ListPage { items, next: None, style: Style::BareList }),
        Value::Object(mut body) => {
            let Some(Value::Array(items)) = body.remove("results") else {
                let keys: Vec<&String> = body.keys().take(8).collect();
                return Err(ConnectorError::Upstream(format!(
                    "{what} answered an object without a `results` list (keys: {keys:?}); a DRF list endpoint answers a list or \
                     {{count, next, previous, results}}. Check the endpoint's URL"
                )));
            };
            let next = match body.get("next") {
                Some(Value::String(url)) if !url.trim().is_empty() => Some(same_origin(s, url, "the `next` link")?),
                _ => None,
            };
            Ok(ListPage { style: style_of(body.get("count"), next.as_deref()), items, next })
        }
        other => Err(ConnectorError::Upstream(format!("{what} answered {} instead of a list", if other.is_null() { "nothing" } else { "a scalar" }))),
    }
}

/// `url` with `name=value` added to its query.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}={}", encode_component(name), encode_component(value))
}

/// The first page of the product list: the page size under each name DRF
/// paginators read (a paginator ignores the others, and caps the size at
/// its own maximum), and `since` under the store's filter name.
pub fn first_page_url(s: &Settings, since: Option<&str>) -> String {
    let mut url = s.absolute(s.endpoints.products.trim());
    let size = s.page_size().to_string();
    for param in &s.page_size_params {
        if !has_param(&url, param) {
            url = with_param(&url, param, &size);
        }
    }
    if let (Some(param), Some(since)) = (&s.updated_since_param, since) {
        url = with_param(&url, param, since);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> Settings {
        let mut json = crate::settings::tests::minimal();
        json["updated_since_param"] = json!("modified_after");
        Settings::parse(&json.to_string()).unwrap()
    }

    #[test]
    fn every_drf_style_is_recognised_from_the_answer() {
        let s = settings();
        let page = |body: Value| read(&s, body, "endpoints.products").unwrap();
        let numbered = page(json!({"count": 90, "next": "https://shop.example.com/api/products/?page=2&page_size=50", "previous": null, "results": [1]}));
        assert_eq!((numbered.style, numbered.next.as_deref()), (Style::PageNumber, Some("https://shop.example.com/api/products/?page=2&page_size=50")));
        let offset = page(json!({"count": 90, "next": "https://shop.example.com/api/products/?limit=40&offset=40", "previous": null, "results": []}));
        assert_eq!(offset.style, Style::LimitOffset);
        let cursor = page(json!({"next": "https://shop.example.com/api/products/?cursor=cD0xMjM%3D", "previous": null, "results": [1, 2]}));
        assert_eq!((cursor.style, cursor.items.len()), (Style::Cursor, 2));
        let last = page(json!({"next": null, "previous": "https://shop.example.com/api/products/?cursor=x", "results": []}));
        assert_eq!((last.style, last.next), (Style::Cursor, None));
        assert_eq!(page(json!([1, 2, 3])).style, Style::BareList);
        let relative = page(json!({"count": 1, "next": "/api/products/?page=2", "results": []}));
        assert_eq!(relative.next.as_deref(), Some("https://shop.example.com/api/products/?page=2"));
    }

    #[test]
    fn links_off_the_origin_and_odd_bodies_are_refused() {
        let s = settings();
        let elsewhere = read(&s, json!({"next": "http://internal:8000/api/products/?page=2", "results": []}), "endpoints.products").unwrap_err();
        assert!(matches!(&elsewhere, ConnectorError::Upstream(m) if m.contains("origin") && m.contains("USE_X_FORWARDED_HOST")), "{elsewhere:?}");
        let detail = read(&s, json!({"detail": "Not found."}), "endpoints.products").unwrap_err();
        assert!(matches!(&detail, ConnectorError::Upstream(m) if m.contains("results") && m.contains("detail")), "{detail:?}");
    }

    #[test]
    fn the_first_page_asks_for_the_page_size_and_the_change_filter() {
        let s = settings();
        assert_eq!(first_page_url(&s, None), "https://shop.example.com/api/products/?page_size=100&limit=100");
        assert_eq!(
            first_page_url(&s, Some("2026-01-01T00:00:00+00:00")),
            "https://shop.example.com/api/products/?page_size=100&limit=100&modified_after=2026-01-01T00%3A00%3A00%2B00%3A00"
        );
    }
}
