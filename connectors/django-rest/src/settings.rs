//! The store's settings: where its DRF API lives, which endpoints serve
//! what (URL templates), and where each field sits in their answers (JSON
//! paths). No secrets: the gateway adds `Authorization: Token …` (or
//! `Bearer …`) to every request to the store's origin.
//!
//! Every error names the setting (`product.title`, `endpoints.stock`) and
//! says what would be right, because the agency writing the store file has
//! never seen this code.

use chatgw_sdk::ConnectorError;
use serde::{Deserialize, Deserializer};

use crate::path::JsonPath;

/// Products asked for per page unless the settings say otherwise. The
/// server may cap it lower (`max_page_size`, `max_limit`); smaller pages
/// are fine.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most per page this connector asks for; one sync page must fit in
/// the host's response cap and call deadline.
pub const MAX_PAGE_SIZE: u32 = 1_000;

impl<'de> Deserialize<'de> for JsonPath {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        JsonPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The API root, e.g. `https://shop.example.com/api/v1/`. Endpoint
    /// templates are relative to it.
    base_url: String,
    /// ISO 4217 code of prices that carry no currency of their own.
    pub currency: Option<String>,
    /// Where relative product URLs point (`/p/linen-shirt/` becomes
    /// `https://shop.example.com/p/linen-shirt/`); the API's origin when
    /// absent.
    storefront_url: Option<String>,
    /// Products asked for per page.
    page_size: Option<u32>,
    /// The query parameters the page size is sent as: DRF's page-number and
    /// cursor pagination read `page_size` (when the view sets
    /// `page_size_query_param`), limit/offset reads `limit`.
    #[serde(default = "default_page_size_params")]
    pub page_size_params: Vec<String>,
    /// The list endpoint's filter for "changed since" (e.g. `updated_since`,
    /// `modified__gte`). Without it every sync is a full one.
    pub updated_since_param: Option<String>,
    pub endpoints: Endpoints,
    pub product: ProductFields,
    #[serde(default)]
    pub variant: VariantFields,
    pub stock: Option<StockFields>,
    pub order: Option<OrderFields>,
    #[serde(skip)]
    origin: String,
    #[serde(skip)]
    root: String,
}

fn default_page_size_params() -> Vec<String> {
    vec!["page_size".into(), "limit".into()]
}

/// URL templates, relative to `base_url` or absolute on its origin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    /// The product list (paged or a bare list).
    pub products: String,
    /// One product by `{id}`. With `fetch_product_detail`, every listed
    /// product is read from here (for lists that leave out variants).
    pub product: Option<String>,
    #[serde(default)]
    pub fetch_product_detail: bool,
    /// The products holding a variant `{sku}` (e.g. `products/?sku={sku}`),
    /// for stock when it lives inside the products.
    pub product_by_sku: Option<String>,
    /// Stock per variant (`{sku}`) or per product (`{id}`, found through
    /// `product_by_sku`).
    pub stock: Option<String>,
    /// One order by `{order_ref}`: an object, or a list/page to pick the
    /// exact number from (`orders/?number={order_ref}`).
    pub order: Option<String>,
}

/// Where the product's fields sit in a listed (or detail) item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductFields {
    pub id: JsonPath,
    pub title: JsonPath,
    pub description: Option<JsonPath>,
    pub url: Option<JsonPath>,
    /// Image URLs: a string, a list of them, or a `[*]` path.
    pub images: Option<JsonPath>,
    pub category: Option<JsonPath>,
    pub vendor: Option<JsonPath>,
    /// A list of strings, a `[*]` path, or one comma-separated string.
    pub tags: Option<JsonPath>,
    /// A boolean (true: on sale) or a status word; every product is active
    /// without it.
    pub status: Option<JsonPath>,
    /// Status words that mean "on sale" (besides `active`); once given,
    /// every other word means off sale. Without it a word passes as it is
    /// and the gateway hides the usual ones (draft, archived, hidden…).
    #[serde(default)]
    pub active_statuses: Vec<String>,
    /// RFC 3339 time of the last change.
    pub updated_at: Option<JsonPath>,
    /// The list of variants; without it the product is its own single
    /// variant and the variant paths apply to the product.
    pub variants: Option<JsonPath>,
    /// Extra facts for the product card: attribute name → path.
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, JsonPath>,
}

/// How prices are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFormat {
    /// `"19.90"` or `19.9`.
    #[default]
    Decimal,
    /// `1990` (cents, or the currency's minor unit).
    MinorUnits,
}

/// Where a variant's fields sit, relative to one variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFields {
    /// The variant's own id; the SKU when absent.
    pub id: Option<JsonPath>,
    pub sku: Option<JsonPath>,
    pub title: Option<JsonPath>,
    pub price: Option<JsonPath>,
    pub compare_at_price: Option<JsonPath>,
    #[serde(default)]
    pub price_format: PriceFormat,
    /// The price's currency code, when each price carries one.
    pub currency: Option<JsonPath>,
    /// Options as a map (`{"Size": "M"}`) or a list of name/value objects.
    pub options: Option<JsonPath>,
    #[serde(default = "default_option_name")]
    pub option_name: String,
    #[serde(default = "default_option_value")]
    pub option_value: String,
    /// Units available, when the listing carries stock.
    pub stock: Option<JsonPath>,
}

impl Default for VariantFields {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every variant field has a default")
    }
}

fn default_option_name() -> String {
    "name".into()
}

fn default_option_value() -> String {
    "value".into()
}

/// Where stock sits in the stock endpoint's answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockFields {
    /// The list of levels (per location or per variant); the answer itself
    /// is one level without it.
    pub levels: Option<JsonPath>,
    /// The level's SKU, needed when one answer covers several variants.
    pub sku: Option<JsonPath>,
    pub quantity: JsonPath,
    /// The level's location; levels without one are the total.
    pub location: Option<JsonPath>,
}

/// Where an order's fields sit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderFields {
    pub number: JsonPath,
    pub status: JsonPath,
    /// The customer's email: the gateway shows the order only to someone
    /// who gives it.
    pub email: JsonPath,
    pub created_at: Option<JsonPath>,
    pub total: Option<JsonPath>,
    /// The list of line items.
    pub items: Option<JsonPath>,
    #[serde(default)]
    pub item: ItemFields,
    /// The list of shipments (fulfilments), each with its tracking.
    pub shipments: Option<JsonPath>,
    #[serde(default)]
    pub shipment: ShipmentFields,
    /// `order_ref` as the shopper types it loses this prefix (`#`) before
    /// it goes into the URL.
    #[serde(default)]
    pub strip_prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemFields {
    pub sku: Option<JsonPath>,
    pub title: Option<JsonPath>,
    pub quantity: Option<JsonPath>,
    pub price: Option<JsonPath>,
}

impl Default for ItemFields {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every item field is optional")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentFields {
    pub status: Option<JsonPath>,
    pub carrier: Option<JsonPath>,
    pub tracking_number: Option<JsonPath>,
    pub tracking_url: Option<JsonPath>,
    pub shipped_at: Option<JsonPath>,
}

impl Default for ShipmentFields {
    fn default() -> Self {
        serde_json::from_str("{}").expect("every shipment field is optional")
    }
}

fn invalid(message: String) -> ConnectorError {
    ConnectorError::InvalidSettings(message)
}

/// `scheme://host[:port]` of an absolute http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty() && !authority.contains('@')).then(|| format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Checks that a template uses only the placeholders its endpoint fills.
fn check_template(setting: &str, template: &str, allowed: &[&str], required: bool) -> Result<(), ConnectorError> {
    let mut rest = template;
    let mut used = Vec::new();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or_else(|| invalid(format!("{setting} `{template}` has a `{{` without `}}`")))?;
        let name = &rest[open + 1..open + close];
        if !allowed.contains(&name) {
            let expected = allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(" or ");
            return Err(invalid(format!("{setting} `{template}` uses `{{{name}}}`; this endpoint fills {expected}")));
        }
        used.push(name);
        rest = &rest[open + close + 1..];
    }
    if required && used.is_empty() {
        let expected = allowed.iter().map(|a| format!("{{{a}}}")).collect::<Vec<_>>().join(" or ");
        return Err(invalid(format!("{setting} `{template}` needs a placeholder: {expected}")));
    }
    Ok(())
}

impl Settings {
    pub fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let deserializer = &mut serde_json::Deserializer::from_str(json);
        let mut s: Settings = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let at = e.path().to_string();
            let at = if at == "." { String::new() } else { format!("{at}: ") };
            invalid(format!("settings: {at}{}", e.inner()))
        })?;
        let base = s.base_url.trim();
        s.origin =
            origin_of(base).ok_or_else(|| invalid(format!("base_url `{base}` must be an absolute http(s) URL such as https://shop.example.com/api/")))?;
        s.root = format!("{}/", base.trim_end_matches('/'));
        if let Some(url) = &s.storefront_url
            && origin_of(url).is_none()
        {
            return Err(invalid(format!("storefront_url `{url}` must be an absolute http(s) URL such as https://shop.example.com")));
        }
        if let Some(n) = s.page_size
            && !(1..=MAX_PAGE_SIZE).contains(&n)
        {
            return Err(invalid(format!("page_size {n} is out of range: ask for 1 to {MAX_PAGE_SIZE} products a page")));
        }
        if let Some(currency) = &s.currency
            && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(invalid(format!("currency `{currency}` is not an ISO 4217 code such as EUR")));
        }
        if s.page_size_params.iter().chain(&s.updated_since_param).any(|p| p.trim().is_empty() || p.contains(['&', '=', '?', '#'])) {
            return Err(invalid("page_size_params and updated_since_param are query parameter names such as `page_size` or `updated_since`".into()));
        }
        s.check_endpoints()?;
        if s.variant.price.is_some() && s.currency.is_none() && s.variant.currency.is_none() {
            return Err(invalid("variant.price is mapped but no currency is known: set `currency` (e.g. \"EUR\") or map variant.currency".into()));
        }
        Ok(s)
    }

    fn check_endpoints(&self) -> Result<(), ConnectorError> {
        let e = &self.endpoints;
        check_template("endpoints.products", &e.products, &[], false)?;
        if let Some(t) = &e.product {
            check_template("endpoints.product", t, &["id"], true)?;
        }
        if e.fetch_product_detail && e.product.is_none() {
            return Err(invalid("endpoints.fetch_product_detail is on but endpoints.product (e.g. \"products/{id}/\") is not set".into()));
        }
        if let Some(t) = &e.product_by_sku {
            check_template("endpoints.product_by_sku", t, &["sku"], true)?;
        }
        if let Some(t) = &e.stock {
            check_template("endpoints.stock", t, &["sku", "id"], true)?;
            if self.stock.is_none() {
                return Err(invalid("endpoints.stock is set but [stock] is not: map at least stock.quantity (e.g. \"available\")".into()));
            }
            if t.contains("{id}") && e.product_by_sku.is_none() {
                return Err(invalid(format!(
                    "endpoints.stock `{t}` is per product ({{id}}): set endpoints.product_by_sku (e.g. \"products/?sku={{sku}}\") so a SKU leads to its product"
                )));
            }
            if t.contains("{id}") && self.stock.as_ref().is_some_and(|st| st.sku.is_none()) {
                return Err(invalid("endpoints.stock is per product: map stock.sku so each level names its variant".into()));
            }
        }
        if let Some(t) = &e.order {
            check_template("endpoints.order", t, &["order_ref"], true)?;
            if self.order.is_none() {
                return Err(invalid("endpoints.order is set but [order] is not: map at least order.number, order.status and order.email".into()));
            }
        }
        for (setting, template) in [
            ("endpoints.products", Some(&e.products)),
            ("endpoints.product", e.product.as_ref()),
            ("endpoints.product_by_sku", e.product_by_sku.as_ref()),
            ("endpoints.stock", e.stock.as_ref()),
            ("endpoints.order", e.order.as_ref()),
        ] {
            if let Some(t) = template
                && t.contains("://")
                && origin_of(t).as_deref() != Some(self.origin.as_str())
            {
                return Err(invalid(format!("{setting} `{t}` is not on base_url's origin {}: write it relative to base_url", self.origin)));
            }
        }
        Ok(())
    }

    /// The API's `scheme://host[:port]`: every URL the connector follows
    /// stays on it.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }

    /// An endpoint template filled in (values percent-encoded) and made
    /// absolute: a leading `/` is from the origin, anything else from
    /// `base_url`.
    pub fn url(&self, template: &str, values: &[(&str, &str)]) -> Result<String, ConnectorError> {
        let mut filled = template.trim().to_owned();
        for (name, value) in values {
            // `.` and `..` stay path steps however they are encoded (URL
            // parsers read `%2e%2e` as `..` too): `orders/../` would reach
            // another endpoint. No product or order is named so.
            if !value.is_empty() && value.chars().all(|c| c == '.') {
                return Err(ConnectorError::NotFound(format!("`{value}` is not a {name}")));
            }
            filled = filled.replace(&format!("{{{name}}}"), &chatgw_sdk::encode_component(value));
        }
        Ok(self.absolute(&filled))
    }

    /// A URL or path from the API (a `next` link, a template) as an
    /// absolute URL.
    pub fn absolute(&self, url: &str) -> String {
        if url.contains("://") {
            url.to_owned()
        } else if let Some(path) = url.strip_prefix('/') {
            format!("{}/{path}", self.origin)
        } else {
            format!("{}{url}", self.root)
        }
    }

    /// A product link: absolute as given, or relative to the storefront.
    pub fn product_url(&self, url: &str) -> String {
        if url.contains("://") {
            return url.to_owned();
        }
        let root = self.storefront_url.as_deref().map_or_else(|| self.origin.clone(), |u| u.trim_end_matches('/').to_owned());
        format!("{root}/{}", url.trim_start_matches('/'))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn minimal() -> serde_json::Value {
        serde_json::json!({
            "base_url": "https://shop.example.com/api/",
            "currency": "EUR",
            "endpoints": {"products": "products/"},
            "product": {"id": "id", "title": "name", "variants": "variants"},
            "variant": {"sku": "sku", "price": "price"}
        })
    }

    fn error(change: impl FnOnce(&mut serde_json::Value)) -> String {
        let mut json = minimal();
        change(&mut json);
        match Settings::parse(&json.to_string()) {
            Err(ConnectorError::InvalidSettings(m)) => m,
            other => panic!("{json}: {:?}", other.map(|_| ())),
        }
    }

    #[test]
    fn settings_errors_name_the_setting() {
        assert!(Settings::parse(&minimal().to_string()).is_ok());
        assert!(error(|j| j["product"]["title"] = "variants[x]".into()).contains("product.title"));
        assert!(error(|j| j["product"]["titel"] = "x".into()).contains("titel"));
        assert!(error(|j| j["base_url"] = "shop.example.com".into()).contains("base_url"));
        assert!(error(|j| j["page_size"] = 0.into()).contains("page_size"));
        assert!(error(|j| j["endpoints"]["order"] = "orders/{number}/".into()).contains("endpoints.order"));
        assert!(error(|j| j["endpoints"]["order"] = "orders/{order_ref}/".into()).contains("[order]"));
        assert!(error(|j| j["endpoints"]["stock"] = "products/{id}/stock/".into()).contains("endpoints.stock"));
        assert!(error(|j| j["endpoints"]["products"] = "https://evil.example/products/".into()).contains("origin"));
        assert!(error(|j| j.as_object_mut().unwrap().remove("currency").map(|_| ()).unwrap()).contains("currency"));
        assert!(error(|j| j["variant"]["price_format"] = "cents".into()).contains("variant.price_format"));
        assert!(error(|j| j.as_object_mut().unwrap().remove("endpoints").map(|_| ()).unwrap()).contains("endpoints"));
    }

    #[test]
    fn templates_become_absolute_urls_on_the_origin() {
        let s = Settings::parse(&minimal().to_string()).unwrap();
        assert_eq!(s.url("products/", &[]).unwrap(), "https://shop.example.com/api/products/");
        assert_eq!(s.url("/v2/orders/{order_ref}/", &[("order_ref", "A 1/2")]).unwrap(), "https://shop.example.com/v2/orders/A%201%2F2/");
        for dots in [".", ".."] {
            assert!(matches!(s.url("/v2/orders/{order_ref}/", &[("order_ref", dots)]), Err(ConnectorError::NotFound(_))), "{dots}");
        }
        assert_eq!(s.absolute("https://shop.example.com/api/products/?page=2"), "https://shop.example.com/api/products/?page=2");
        assert_eq!(s.product_url("/p/tee/"), "https://shop.example.com/p/tee/");
        assert_eq!(origin_of("HTTP://Shop.Example.com:8000/x?y"), Some("http://shop.example.com:8000".into()));
        assert_eq!(origin_of("ftp://x/"), None);
    }
}
