//! Retrieval: hybrid search over a store's product cards (vector nearest
//! neighbours and full text, fused by reciprocal rank), always filtered by
//! store.

pub mod fusion;
pub mod hybrid;

pub use hybrid::{HybridSearch, SearchError, SearchOptions, query_terms};

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

/// A card id with a score from one retriever (vector or text).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredProduct {
    pub product_id: String,
    pub score: f32,
}
