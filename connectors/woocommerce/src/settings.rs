//! The store's settings for the WooCommerce connector. No secrets: the
//! consumer key and secret are HTTP Basic credentials the gateway adds to
//! every request (`catalog.http.credentials`, kind `basic`).

use chatgw_sdk::{ConnectorError, encode_component, settings};
use serde::Deserialize;

/// WordPress's cap on `per_page` (values over it are a 400 `rest_invalid_param`).
pub const MAX_PAGE: u32 = 100;
/// Units reported for a product WooCommerce sells without counting it.
const DEFAULT_UNCOUNTED_AVAILABLE: u32 = 1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The WordPress site's address (`https://shop.example`, or
    /// `https://example.com/shop` for a site in a folder).
    base_url: String,
    /// The site uses plain permalinks, so the REST API answers at
    /// `/?rest_route=/wc/v3/...` instead of `/wp-json/wc/v3/...`.
    #[serde(default)]
    plain_permalinks: bool,
    /// Products (and variations) per request, 1 to 100.
    page_size: Option<u32>,
    /// The shop's currency; asked from `/data/currencies/current` when absent.
    pub currency: Option<String>,
    /// Units reported for a product whose stock WooCommerce does not count
    /// (stock management off, status `instock`) or that it sells on
    /// backorder: available, with no number known.
    uncounted_stock_available: Option<u32>,
    /// Order meta keys holding shipment tracking, besides the ones the
    /// common tracking plugins use.
    #[serde(default)]
    pub tracking_meta_keys: Vec<String>,
    /// `base_url` without a trailing slash or a pasted API path.
    #[serde(skip)]
    site: String,
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::InvalidSettings(message)
}

impl Settings {
    pub fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let mut s: Settings = settings(json)?;
        let url = s.base_url.trim();
        if !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(invalid(format!(
                "base_url `{url}` must be the shop's https address, such as https://shop.example (WooCommerce accepts API keys over HTTP Basic on https only)"
            )));
        }
        let mut site = url.trim_end_matches('/');
        // An agency may paste the API root instead of the site.
        for suffix in ["/wp-json/wc/v3", "/wp-json"] {
            site = site.strip_suffix(suffix).unwrap_or(site);
        }
        if site.contains(['?', '#']) {
            return Err(invalid(format!("base_url `{url}` must be the site's address without a query or fragment")));
        }
        s.site = site.to_owned();
        if let Some(n) = s.page_size
            && !(1..=MAX_PAGE).contains(&n)
        {
            return Err(invalid(format!("page_size {n} is out of range: WooCommerce pages hold 1 to {MAX_PAGE} items")));
        }
        if let Some(currency) = &s.currency
            && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(invalid(format!("currency `{currency}` is not an ISO 4217 code such as EUR")));
        }
        if s.tracking_meta_keys.iter().any(|k| k.trim().is_empty()) {
            return Err(invalid("tracking_meta_keys holds an empty key; list meta keys such as `_my_tracking_number`".into()));
        }
        Ok(s)
    }

    /// The address of an API route (`products`, `orders/12`) with a query.
    pub fn url(&self, route: &str, query: &[(&str, String)]) -> String {
        let query: String = query.iter().map(|(name, value)| format!("{}={}", encode_component(name), encode_component(value))).collect::<Vec<_>>().join("&");
        let join = |separator: char| if query.is_empty() { String::new() } else { format!("{separator}{query}") };
        if self.plain_permalinks {
            format!("{}/?rest_route=/wc/v3/{route}{}", self.site, join('&'))
        } else {
            format!("{}/wp-json/wc/v3/{route}{}", self.site, join('?'))
        }
    }

    pub fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(MAX_PAGE)
    }

    pub fn uncounted_available(&self) -> i64 {
        i64::from(self.uncounted_stock_available.unwrap_or(DEFAULT_UNCOUNTED_AVAILABLE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(json: &str) -> String {
        match Settings::parse(json) {
            Err(ConnectorError::InvalidSettings(m)) => m,
            other => panic!("{json}: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn settings_are_checked_and_name_the_field() {
        assert!(error("{}").contains("base_url"));
        assert!(error(r#"{"base_url": "shop.example"}"#).contains("https"));
        assert!(error(r#"{"base_url": "https://x", "page_size": 101}"#).contains("page_size"));
        assert!(error(r#"{"base_url": "https://x", "currency": "eur"}"#).contains("currency"));
        assert!(error(r#"{"base_url": "https://x", "consumer_secret": "cs_1"}"#).contains("consumer_secret"));
    }

    #[test]
    fn urls_follow_the_sites_permalinks() {
        let s = Settings::parse(r#"{"base_url": "https://shop.example/wp-json/wc/v3/"}"#).unwrap();
        assert_eq!(
            s.url("products", &[("per_page", "100".into()), ("sku", "A,B".into())]),
            "https://shop.example/wp-json/wc/v3/products?per_page=100&sku=A%2CB"
        );
        let plain = Settings::parse(r#"{"base_url": "https://example.com/shop", "plain_permalinks": true}"#).unwrap();
        assert_eq!(plain.url("orders/7", &[]), "https://example.com/shop/?rest_route=/wc/v3/orders/7");
        assert_eq!(plain.url("orders", &[("search", "1001".into())]), "https://example.com/shop/?rest_route=/wc/v3/orders&search=1001");
    }
}
