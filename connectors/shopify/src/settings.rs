//! The store's settings for the Shopify connector (no secrets: the gateway
//! adds the `X-Shopify-Access-Token` header to every request) and the sizes
//! of the queries they lead to.

use chatgw_sdk::{ConnectorError, settings};
use serde::Deserialize;

/// The Admin API version used when the settings pin none. Shopify supports
/// each version for at least twelve months; pin one and move on purpose.
pub const DEFAULT_API_VERSION: &str = "2025-07";
/// Shopify's cap on `first` for any connection.
pub const MAX_PAGE: u32 = 250;
/// Shopify's cap on the cost a single query may request.
pub const MAX_QUERY_COST: u32 = 1_000;
const DEFAULT_PAGE_SIZE: u32 = 50;
const DEFAULT_VARIANTS_PER_PRODUCT: u32 = 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `acme.myshopify.com` (or just `acme`).
    shop: Option<String>,
    /// The API root instead of `https://{shop}`: a proxy or a test
    /// emulator.
    base_url: Option<String>,
    /// `YYYY-MM` (a quarterly release) or `unstable`.
    api_version: Option<String>,
    /// Products per sync page, at most 250; lowered further so one query
    /// stays under Shopify's 1,000-point cost cap.
    page_size: Option<u32>,
    /// Variants fetched with each product; a product with more gets its
    /// other variants in follow-up queries.
    variants_per_product: Option<u32>,
    /// Locations (names or ids) whose stock counts; all when absent.
    #[serde(default)]
    pub locations: Vec<String>,
    /// The shop's currency; asked from the shop when absent.
    pub currency: Option<String>,
    /// Full syncs through a bulk operation (`bulkOperationRunQuery`): one
    /// JSONL file instead of thousands of throttled pages. On by default;
    /// `false` pages through `products` as incremental syncs always do.
    bulk_sync: Option<bool>,
    /// Storefront root for product links (`https://shop.example`); the
    /// `.myshopify.com` address when absent.
    storefront_url: Option<String>,
    /// `https://{shop}` or `base_url`, without a trailing slash.
    #[serde(skip)]
    api_root: String,
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::InvalidSettings(message)
}

fn valid_api_version(version: &str) -> bool {
    if version == "unstable" {
        return true;
    }
    let bytes = version.as_bytes();
    bytes.len() == 7 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' && matches!(&version[5..], "01" | "04" | "07" | "10")
}

fn valid_shop_handle(handle: &str) -> bool {
    !handle.is_empty() && handle.len() <= 100 && handle.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Settings {
    pub fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let mut s: Settings = settings(json)?;
        s.api_root = match (&s.shop, &s.base_url) {
            (Some(_), Some(_)) => {
                return Err(invalid("give either `shop` (acme.myshopify.com) or `base_url`, not both".into()));
            }
            (None, None) => {
                return Err(invalid("`shop` is missing: the shop's myshopify domain, e.g. acme.myshopify.com".into()));
            }
            (Some(shop), None) => {
                let handle = shop.trim().trim_end_matches('/').trim_end_matches(".myshopify.com");
                if !valid_shop_handle(handle) {
                    return Err(invalid(format!("shop `{shop}` is not a myshopify domain such as acme.myshopify.com")));
                }
                format!("https://{handle}.myshopify.com")
            }
            (None, Some(url)) => {
                if !url.starts_with("https://") && !url.starts_with("http://") {
                    return Err(invalid(format!("base_url `{url}` must be an http(s) URL such as https://acme.myshopify.com")));
                }
                url.trim_end_matches('/').to_owned()
            }
        };
        if let Some(version) = &s.api_version
            && !valid_api_version(version)
        {
            return Err(invalid(format!(
                "api_version `{version}` is not a Shopify API version: use YYYY-MM with month 01, 04, 07 or 10 (e.g. {DEFAULT_API_VERSION}), or `unstable`"
            )));
        }
        for (name, value) in [("page_size", s.page_size), ("variants_per_product", s.variants_per_product)] {
            if let Some(n) = value
                && !(1..=MAX_PAGE).contains(&n)
            {
                return Err(invalid(format!("{name} {n} is out of range: Shopify pages hold 1 to {MAX_PAGE} objects")));
            }
        }
        if let Some(currency) = &s.currency
            && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(invalid(format!("currency `{currency}` is not an ISO 4217 code such as EUR")));
        }
        Ok(s)
    }

    fn shop_domain(&self) -> Option<String> {
        self.shop.as_ref().map(|shop| {
            let handle = shop.trim().trim_end_matches('/').trim_end_matches(".myshopify.com");
            format!("{handle}.myshopify.com")
        })
    }

    pub fn api_version(&self) -> &str {
        self.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION)
    }

    /// `POST` target of every query.
    pub fn graphql_url(&self) -> String {
        format!("{}/admin/api/{}/graphql.json", self.api_root, self.api_version())
    }

    /// The storefront address of a product, when one is known.
    pub fn product_url(&self, handle: &str) -> Option<String> {
        let root = match (&self.storefront_url, self.shop_domain()) {
            (Some(url), _) => url.trim_end_matches('/').to_owned(),
            (None, Some(domain)) => format!("https://{domain}"),
            (None, None) => return None,
        };
        (!handle.is_empty()).then(|| format!("{root}/products/{handle}"))
    }

    /// Whether a full sync runs as a bulk operation.
    pub fn bulk_sync(&self) -> bool {
        self.bulk_sync.unwrap_or(true)
    }

    /// Whether this API version takes `groupObjects` on
    /// `bulkOperationRunQuery` (added in 2025-07; before it, children
    /// always follow their parent).
    pub fn has_group_objects(&self) -> bool {
        let version = self.api_version();
        version == "unstable" || version >= "2025-07"
    }

    pub fn variants_per_product(&self) -> u32 {
        self.variants_per_product.unwrap_or(DEFAULT_VARIANTS_PER_PRODUCT)
    }

    /// Products per page: the setting, lowered so the products query's
    /// requested cost stays under [`MAX_QUERY_COST`].
    pub fn products_per_page(&self) -> u32 {
        let wanted = self.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let fit = (MAX_QUERY_COST - crate::queries::PRODUCTS_FIXED_COST) / crate::queries::product_cost(self.variants_per_product());
        wanted.min(fit).max(1)
    }

    /// Whether stock at this location counts.
    pub fn counts_location(&self, id: &str, name: &str) -> bool {
        self.locations.is_empty()
            || self.locations.iter().any(|wanted| {
                let wanted = wanted.trim();
                wanted.eq_ignore_ascii_case(name) || wanted == id || id.rsplit('/').next() == Some(wanted)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_name_the_field() {
        let err = |json: &str| match Settings::parse(json) {
            Err(ConnectorError::InvalidSettings(m)) => m,
            other => panic!("{json}: {:?}", other.map(|_| ())),
        };
        assert!(err("{}").contains("shop"));
        assert!(err(r#"{"shop": "Acme Store"}"#).contains("myshopify"));
        assert!(err(r#"{"shop": "acme", "api_version": "2025-02"}"#).contains("api_version"));
        assert!(err(r#"{"shop": "acme", "page_size": 251}"#).contains("page_size"));
        assert!(err(r#"{"shop": "acme", "token": "x"}"#).contains("token"));
        let s = Settings::parse(r#"{"shop": "acme.myshopify.com"}"#).unwrap();
        assert_eq!(s.graphql_url(), "https://acme.myshopify.com/admin/api/2025-07/graphql.json");
        assert_eq!(s.product_url("linen-shirt").as_deref(), Some("https://acme.myshopify.com/products/linen-shirt"));
    }

    #[test]
    fn pages_stay_under_the_query_cost_cap() {
        for variants in [1, 20, 100, 250] {
            let s = Settings::parse(&format!(r#"{{"shop": "acme", "page_size": 250, "variants_per_product": {variants}}}"#)).unwrap();
            let cost = crate::queries::PRODUCTS_FIXED_COST + s.products_per_page() * crate::queries::product_cost(variants);
            assert!(cost <= MAX_QUERY_COST, "{variants} variants: cost {cost}");
        }
    }
}
