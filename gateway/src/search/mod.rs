//! Retrieval: hybrid search over a store's product cards (vector nearest
//! neighbours and full text, fused by reciprocal rank), always filtered by
//! store.

#[cfg(test)]
mod fixtures;
pub mod fusion;
pub mod hybrid;
pub mod lexicon;
pub mod shopper;
pub mod understand;
pub mod vocabulary;

pub use hybrid::{HybridSearch, SearchError, SearchOptions, query_terms};
pub use shopper::{ShopperQuery, ShopperResults};

use crate::catalog::Product;

/// A product card that matched a query, with the product behind it. The
/// product's variants carry no stock here: grounding never sees stock, only
/// a tool result does.
#[derive(Debug, Clone)]
pub struct RetrievedCard {
    pub product: Product,
    pub card_text: String,
    /// Fused score, higher is better; only comparable within one query.
    pub score: f32,
}

impl RetrievedCard {
    /// The grounding card of `product`: its stock is dropped here, so no
    /// prompt or offline answer can read it except through a tool.
    pub fn from_product(mut product: Product, primary_language: &str, score: f32) -> Self {
        product.variants.iter_mut().for_each(|v| v.inventory_quantity = None);
        let card_text = crate::catalog::ProductCard::text(&product, primary_language);
        Self { product, card_text, score }
    }
}

/// A card id with a score from one retriever (vector or text).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredProduct {
    pub product_id: String,
    pub score: f32,
}
