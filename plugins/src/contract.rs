//! Plain Rust mirror of the connector contract: what the gateway gets back
//! from a plugin, independent of the WIT version the plugin was built for.
//! Each versioned boundary module (`v1`, later `v2`) converts into these.

use serde::Serialize;

/// An error the plugin reports as a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub enum ConnectorError {
    #[error("connector: store refused the credentials: {0}")]
    Auth(String),
    #[error("connector: not found: {0}")]
    NotFound(String),
    #[error("connector: rate limited (retry after {0:?} s)")]
    RateLimited(Option<u32>),
    #[error("connector: upstream failure: {0}")]
    Upstream(String),
    #[error("connector: invalid settings: {0}")]
    InvalidSettings(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WebhookSignature {
    None,
    HmacSha256Base64 { header: String },
    HmacSha256Hex { header: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    pub id: String,
    pub version: String,
    pub capabilities: Vec<crate::grants::Capability>,
    pub settings_schema: String,
    pub webhook_signature: WebhookSignature,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantOption {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductVariant {
    pub external_id: String,
    pub sku: Option<String>,
    pub title: String,
    pub price: Option<Money>,
    pub compare_at_price: Option<Money>,
    pub options: Vec<VariantOption>,
    pub available: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    pub external_id: String,
    pub title: String,
    pub description: String,
    pub url: Option<String>,
    pub image_urls: Vec<String>,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    pub tags: Vec<String>,
    pub status: String,
    pub updated_at: Option<String>,
    pub variants: Vec<ProductVariant>,
    pub attributes_json: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductPage {
    pub products: Vec<Product>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockLevel {
    pub sku: String,
    pub location: Option<String>,
    pub available: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tracking {
    pub carrier: Option<String>,
    pub number: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fulfilment {
    pub status: String,
    pub tracking: Vec<Tracking>,
    pub shipped_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    pub sku: Option<String>,
    pub title: String,
    pub quantity: u32,
    pub price: Option<Money>,
}

/// An order as the store reports it. The core compares `customer_email` with
/// what the shopper gave before showing anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub order_ref: String,
    pub status: String,
    pub customer_email: String,
    pub created_at: Option<String>,
    pub items: Vec<OrderItem>,
    pub fulfilments: Vec<Fulfilment>,
    pub total: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum WebhookEvent {
    ProductUpserted(Box<Product>),
    ProductDeleted { external_id: String },
    StockChanged(Vec<StockLevel>),
    OrderUpdated { order_ref: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters_schema: String,
}

/// Approximate size of a value on the wire (about its JSON length), used to
/// cap what one call may return without serialising it.
pub(crate) trait WireSize {
    fn wire_size(&self) -> u64;
}

impl WireSize for String {
    fn wire_size(&self) -> u64 {
        self.len() as u64 + 2
    }
}

impl<T: WireSize> WireSize for Vec<T> {
    fn wire_size(&self) -> u64 {
        2 + self.iter().map(|item| item.wire_size() + 1).sum::<u64>()
    }
}

impl<T: WireSize> WireSize for Option<T> {
    fn wire_size(&self) -> u64 {
        self.as_ref().map_or(4, WireSize::wire_size)
    }
}

impl<T: WireSize, E: WireSize> WireSize for Result<T, E> {
    fn wire_size(&self) -> u64 {
        match self {
            Ok(value) => value.wire_size(),
            Err(error) => error.wire_size(),
        }
    }
}

macro_rules! fixed_wire_size {
    ($($t:ty),*) => {$(
        impl WireSize for $t {
            fn wire_size(&self) -> u64 { 8 }
        }
    )*};
}
fixed_wire_size!(i64, u32, (), crate::grants::Capability);

macro_rules! struct_wire_size {
    ($($t:ty { $($field:ident),* })*) => {$(
        impl WireSize for $t {
            fn wire_size(&self) -> u64 { 2 $(+ 8 + self.$field.wire_size())* }
        }
    )*};
}
struct_wire_size! {
    Descriptor { id, version, capabilities, settings_schema, webhook_signature }
    Money { amount_minor, currency }
    VariantOption { name, value }
    ProductVariant { external_id, sku, title, price, compare_at_price, options, available }
    Product { external_id, title, description, url, image_urls, vendor, product_type, tags, status, updated_at, variants, attributes_json }
    ProductPage { products, next_cursor }
    StockLevel { sku, location, available }
    Tracking { carrier, number, url }
    Fulfilment { status, tracking, shipped_at }
    OrderItem { sku, title, quantity, price }
    Order { order_ref, status, customer_email, created_at, items, fulfilments, total }
    ToolSpec { name, description, parameters_schema }
}

impl WireSize for ConnectorError {
    fn wire_size(&self) -> u64 {
        match self {
            ConnectorError::Auth(m) | ConnectorError::NotFound(m) | ConnectorError::Upstream(m) | ConnectorError::InvalidSettings(m) => 16 + m.wire_size(),
            ConnectorError::RateLimited(_) => 24,
        }
    }
}

impl WireSize for WebhookSignature {
    fn wire_size(&self) -> u64 {
        match self {
            WebhookSignature::None => 8,
            WebhookSignature::HmacSha256Base64 { header } | WebhookSignature::HmacSha256Hex { header } => 24 + header.wire_size(),
        }
    }
}

impl WireSize for WebhookEvent {
    fn wire_size(&self) -> u64 {
        16 + match self {
            WebhookEvent::ProductUpserted(product) => product.wire_size(),
            WebhookEvent::ProductDeleted { external_id } => external_id.wire_size(),
            WebhookEvent::StockChanged(levels) => levels.wire_size(),
            WebhookEvent::OrderUpdated { order_ref } => order_ref.wire_size(),
        }
    }
}
