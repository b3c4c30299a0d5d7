//! What a store sells, as the gateway keeps it: products with their variants.
//! These are plain data; connectors and the demo loader produce them and the
//! storage layer persists them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A product as it arrives from a store's catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The store's own id for the product (stable across syncs).
    pub id: String,
    #[serde(default)]
    pub handle: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub vendor: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Key attributes: `color`, `size_range`, `material`, `fit`, and any other.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Title, description and attributes in the store's other languages,
    /// keyed by ISO 639-1 code.
    #[serde(default)]
    pub translations: BTreeMap<String, Translation>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub rating: u8,
    pub text: String,
    #[serde(default)]
    pub language: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// One buyable version of a product (a size, a colour).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub sku: String,
    #[serde(default)]
    pub title: String,
    /// Option name to value, e.g. `size` -> `M`.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Decimal string in the store's currency, as the store gives it.
    pub price: String,
    #[serde(default)]
    pub compare_at_price: Option<String>,
    /// Last known stock from the catalog source. Never put into a card or an
    /// embedding; only a tool call reads it to answer a shopper.
    #[serde(default, rename = "stock")]
    pub inventory_quantity: Option<i64>,
}

impl Product {
    /// The lowest variant price, as a display string.
    pub fn from_price(&self) -> Option<String> {
        self.variants.iter().filter_map(|v| v.price.parse::<f64>().ok().map(|p| (p, &v.price))).min_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, s)| s.clone())
    }

    /// Title in `language` when the catalog has it, else the main title.
    pub fn title_in(&self, language: &str) -> &str {
        self.translations.get(language).and_then(|t| t.title.as_deref()).unwrap_or(&self.title)
    }
}

/// What the shopper's widget shows for a product in a `products` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub image: Option<String>,
    pub price: Option<String>,
}
