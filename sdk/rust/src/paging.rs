//! Pagination helpers for the styles store APIs use. The host pages through
//! `sync-products` with an opaque cursor that you choose: a page number
//! (WooCommerce), or the URL of the next page (Shopify's `Link` header,
//! Django REST Framework's `next`).

use serde::Deserialize;

use crate::{ConnectorError, Header, Product, ProductPage, header};

/// Page-number pagination: the page a cursor stands for (`None` is page 1).
pub fn page_number(cursor: Option<&str>) -> Result<u32, ConnectorError> {
    match cursor {
        None => Ok(1),
        Some(text) => match text.trim().parse::<u32>() {
            Ok(page) if page >= 1 => Ok(page),
            _ => Err(ConnectorError::InvalidSettings(format!(
                "cursor `{text}` is not a page number; pass the next-cursor of the previous page"
            ))),
        },
    }
}

/// The cursor after `page`: none when the store said this was the last page
/// (`total_pages`), or, without a total, when the page came back short
/// (`fetched` raw items for `per_page` asked).
pub fn next_page_cursor(
    page: u32,
    fetched: usize,
    per_page: usize,
    total_pages: Option<u32>,
) -> Option<String> {
    let more = match total_pages {
        Some(total) => page < total,
        None => fetched >= per_page && fetched > 0,
    };
    more.then(|| (page + 1).to_string())
}

/// A page of products with its next cursor, for page-number APIs whose
/// items map one-to-one to products (see [`next_page_cursor`] otherwise).
pub fn numbered_page(
    products: Vec<Product>,
    page: u32,
    per_page: usize,
    total_pages: Option<u32>,
) -> ProductPage {
    ProductPage {
        next_cursor: next_page_cursor(page, products.len(), per_page, total_pages),
        products,
    }
}

/// WooCommerce's (WordPress REST) page count, from `X-WP-TotalPages`.
pub fn wp_total_pages(headers: &[Header]) -> Option<u32> {
    header(headers, "x-wp-totalpages").and_then(|value| value.trim().parse().ok())
}

/// URL-cursor pagination: the cursor if there is one (the next URL the store
/// gave), else the first page's URL. The host still checks every URL
/// against the store's allow-list.
pub fn page_url(cursor: Option<&str>, first_page: &str) -> Result<String, ConnectorError> {
    match cursor {
        None => Ok(first_page.to_string()),
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(url.to_string())
        }
        Some(other) => Err(ConnectorError::InvalidSettings(format!(
            "cursor `{other}` is not an absolute http(s) URL; pass the next-cursor of the previous \
             page unchanged"
        ))),
    }
}

/// The `rel="next"` target of the `Link` headers (RFC 8288), as Shopify's
/// REST Admin API and GitHub send them:
/// `<https://…/products.json?page_info=abc&limit=50>; rel="next"`.
/// Every `Link` header is searched; `rel` may hold several relation types.
pub fn link_next(headers: &[Header]) -> Option<String> {
    headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("link"))
        .find_map(|h| link_with_rel(&h.value, "next"))
}

/// Finds the link whose `rel` includes `wanted` in one `Link` header value.
fn link_with_rel(value: &str, wanted: &str) -> Option<String> {
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let after_open = rest.strip_prefix('<')?;
        let close = after_open.find('>')?;
        let target = &after_open[..close];
        rest = &after_open[close + 1..];
        let mut is_wanted = false;
        // Parameters: `; name=value` or `; name="quoted value"`.
        loop {
            rest = rest.trim_start();
            let Some(after_semicolon) = rest.strip_prefix(';') else {
                break;
            };
            rest = after_semicolon.trim_start();
            let name_end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
            let name = rest[..name_end].trim();
            rest = &rest[name_end..];
            let mut param = String::new();
            if let Some(after_equals) = rest.strip_prefix('=') {
                rest = after_equals.trim_start();
                if let Some(quoted) = rest.strip_prefix('"') {
                    let mut chars = quoted.char_indices();
                    let mut end = None;
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, escaped)) = chars.next() {
                                    param.push(escaped);
                                }
                            }
                            '"' => {
                                end = Some(i);
                                break;
                            }
                            c => param.push(c),
                        }
                    }
                    rest = &quoted[end? + 1..];
                } else {
                    let end = rest.find([';', ',']).unwrap_or(rest.len());
                    param.push_str(rest[..end].trim());
                    rest = &rest[end..];
                }
            }
            if name.eq_ignore_ascii_case("rel")
                && param
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case(wanted))
            {
                is_wanted = true;
            }
        }
        if is_wanted {
            return Some(target.to_string());
        }
        if !rest.trim_start().starts_with(',') {
            return None;
        }
    }
}

/// A Django REST Framework list page. Covers all three DRF styles:
/// page-number and limit-offset send `count`, cursor pagination does not.
/// Use `next` as the next cursor and [`page_url`] to resume from it.
#[derive(Debug, Clone, Deserialize)]
pub struct DrfPage<T> {
    #[serde(default)]
    pub count: Option<u64>,
    pub next: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    pub results: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(value: &str) -> Vec<Header> {
        vec![Header {
            name: "Link".into(),
            value: value.into(),
        }]
    }

    fn product(id: usize) -> Product {
        Product {
            external_id: id.to_string(),
            title: String::new(),
            description: String::new(),
            url: None,
            image_urls: vec![],
            vendor: None,
            product_type: None,
            tags: vec![],
            status: "active".into(),
            updated_at: None,
            variants: vec![],
            attributes_json: None,
        }
    }

    #[test]
    fn page_numbers_parse_and_stop_at_the_total_or_a_short_page() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("3")).unwrap(), 3);
        assert!(page_number(Some("x")).is_err());
        assert!(page_number(Some("0")).is_err());

        assert_eq!(next_page_cursor(1, 50, 50, Some(3)).as_deref(), Some("2"));
        assert_eq!(next_page_cursor(3, 50, 50, Some(3)), None);
        // The total wins over a short page (items filtered by the store).
        assert_eq!(next_page_cursor(1, 10, 50, Some(2)).as_deref(), Some("2"));
        assert_eq!(next_page_cursor(2, 50, 50, None).as_deref(), Some("3"));
        assert_eq!(next_page_cursor(2, 49, 50, None), None);
        assert_eq!(next_page_cursor(1, 0, 50, None), None);

        let full: Vec<Product> = (0..2).map(product).collect();
        assert_eq!(
            numbered_page(full.clone(), 1, 2, None)
                .next_cursor
                .as_deref(),
            Some("2")
        );
        assert_eq!(numbered_page(full, 2, 2, Some(2)).next_cursor, None);
        assert_eq!(numbered_page(vec![], 1, 10, None).next_cursor, None);
    }

    #[test]
    fn woocommerce_total_pages_come_from_the_header() {
        let headers = vec![Header {
            name: "X-WP-TotalPages".into(),
            value: "12".into(),
        }];
        assert_eq!(wp_total_pages(&headers), Some(12));
        assert_eq!(wp_total_pages(&[]), None);
    }

    #[test]
    fn shopify_link_headers_yield_the_next_url() {
        let both = link(
            r#"<https://demo.myshopify.com/admin/api/2025-01/products.json?limit=50&page_info=prev>; rel="previous", <https://demo.myshopify.com/admin/api/2025-01/products.json?limit=50&page_info=nxt>; rel="next""#,
        );
        assert_eq!(
            link_next(&both).as_deref(),
            Some(
                "https://demo.myshopify.com/admin/api/2025-01/products.json?limit=50&page_info=nxt"
            )
        );
        assert_eq!(
            link_next(&link(r#"<https://x/a?page_info=p>; rel="previous""#)),
            None
        );
        // Unquoted rel, several relation types, other parameters, commas in URLs.
        assert_eq!(
            link_next(&link(
                "<https://x/a?ids=1,2>; title=\"a; b, c\"; rel=\"last next\""
            ))
            .as_deref(),
            Some("https://x/a?ids=1,2")
        );
        assert_eq!(
            link_next(&link("<https://x/b>; rel=next")).as_deref(),
            Some("https://x/b")
        );
        // Any of several Link headers; malformed values find nothing.
        let mut two = link(r#"<https://x/p>; rel="prev""#);
        two.extend(link(r#"<https://x/n>; rel="next""#));
        assert_eq!(link_next(&two).as_deref(), Some("https://x/n"));
        assert_eq!(link_next(&link("https://x/n; rel=next")), None);
        assert_eq!(link_next(&link(r#"<https://x/n>; rel="next"#)), None);
        assert_eq!(link_next(&[]), None);
    }

    #[test]
    fn url_cursors_resume_where_the_store_said() {
        assert_eq!(
            page_url(None, "https://x/api/p/?page_size=50").unwrap(),
            "https://x/api/p/?page_size=50"
        );
        assert_eq!(
            page_url(Some("https://x/api/p/?cursor=cD0y"), "https://x/api/p/").unwrap(),
            "https://x/api/p/?cursor=cD0y"
        );
        assert!(matches!(
            page_url(Some("2"), "https://x/"),
            Err(ConnectorError::InvalidSettings(_))
        ));
    }

    #[test]
    fn drf_pages_of_every_style_deserialize() {
        let numbered: DrfPage<u32> = serde_json::from_str(
            r#"{"count": 3, "next": "https://x/api/p/?page=2", "previous": null, "results": [1, 2]}"#,
        )
        .unwrap();
        assert_eq!(numbered.count, Some(3));
        assert_eq!(numbered.next.as_deref(), Some("https://x/api/p/?page=2"));
        assert_eq!(numbered.results, vec![1, 2]);
        let cursor: DrfPage<u32> = serde_json::from_str(
            r#"{"next": null, "previous": "https://x/?cursor=a", "results": []}"#,
        )
        .unwrap();
        assert_eq!((cursor.count, cursor.next), (None, None));
    }
}
