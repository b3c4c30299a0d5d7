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

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use crate::catalog::Product;

/// A product card that matched a query, with the product behind it. The
/// product's variants carry no stock here: grounding never sees stock, only
/// a tool result does.
#[derive(Debug, Clone)]
pub struct RetrievedCard {
    pub product: Arc<Product>,
    pub card_text: Arc<str>,
    /// Fused score, higher is better; only comparable within one query.
    pub score: f32,
}

impl RetrievedCard {
    /// The grounding card of `product`: its stock is dropped here, so no
    /// prompt or offline answer can read it except through a tool.
    pub fn from_product(product: Product, primary_language: &str, score: f32) -> Self {
        let (product, card_text) = grounded(product, primary_language);
        Self { product, card_text, score }
    }

    /// [`Self::from_product`] for a product as the storage shares it: one
    /// the storage keeps (a backend's product cache) is made into a card
    /// once, and that card is reused for as long as the storage hands out
    /// the same product.
    pub fn from_shared(product: Arc<Product>, primary_language: &str, score: f32) -> Self {
        // Held only by the caller (read afresh, as from a backend that keeps
        // nothing): nothing to reuse it with, and no copy to make.
        let product = match Arc::try_unwrap(product) {
            Ok(owned) => return Self::from_product(owned, primary_language, score),
            Err(shared) => shared,
        };
        let key = Arc::as_ptr(&product) as usize;
        if let Some(kept) = lock_cards().get(&key)
            && kept.source.upgrade().is_some_and(|source| Arc::ptr_eq(&source, &product))
            && kept.primary_language == primary_language
        {
            return Self { product: kept.product.clone(), card_text: kept.card_text.clone(), score };
        }
        let (grounded_product, card_text) = grounded(Product::clone(&product), primary_language);
        let mut cards = lock_cards();
        if cards.len() >= MAX_KEPT_CARDS {
            cards.clear();
        }
        cards.insert(
            key,
            KeptCard {
                source: Arc::downgrade(&product),
                primary_language: primary_language.to_owned(),
                product: grounded_product.clone(),
                card_text: card_text.clone(),
            },
        );
        Self { product: grounded_product, card_text, score }
    }
}

/// The stock-free product and its card text.
fn grounded(mut product: Product, primary_language: &str) -> (Arc<Product>, Arc<str>) {
    product.variants.iter_mut().for_each(|v| v.inventory_quantity = None);
    let card_text = crate::catalog::ProductCard::text(&product, primary_language);
    (Arc::new(product), card_text.into())
}

/// Most cards kept from shared products (a few stores' popular products;
/// past it they start over).
const MAX_KEPT_CARDS: usize = 1024;

/// A card made from a shared product, under the product's address. The
/// weak reference keeps that address from being reused while the entry
/// lives, so an entry whose source still upgrades to the same `Arc` is the
/// card of that very product value.
struct KeptCard {
    source: Weak<Product>,
    primary_language: String,
    product: Arc<Product>,
    card_text: Arc<str>,
}

fn lock_cards() -> std::sync::MutexGuard<'static, HashMap<usize, KeptCard>> {
    static CARDS: LazyLock<Mutex<HashMap<usize, KeptCard>>> = LazyLock::new(Mutex::default);
    CARDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A card id with a score from one retriever (vector or text).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredProduct {
    pub product_id: String,
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shirt(title: &str) -> Product {
        serde_json::from_value(serde_json::json!({
            "id": "p1", "title": title, "description": "Washed linen.",
            "translations": { "es": { "title": "Camisa de lino" } },
            "variants": [{ "sku": "p1-M", "title": "M", "price": "59.00", "stock": 4 }]
        }))
        .unwrap()
    }

    #[test]
    fn a_shared_product_is_made_into_a_card_once() {
        let kept = Arc::new(shirt("Sitges Linen Shirt"));
        let _storage_holds_it = kept.clone();
        let first = RetrievedCard::from_shared(kept.clone(), "en", 0.5);
        let again = RetrievedCard::from_shared(kept.clone(), "en", 0.2);
        assert!(Arc::ptr_eq(&first.product, &again.product) && Arc::ptr_eq(&first.card_text, &again.card_text), "the same card, reused");
        assert_eq!(again.score, 0.2, "with this query's score");
        assert_eq!(&*first.card_text, crate::catalog::ProductCard::text(&first.product, "en"));
        assert!(first.product.variants.iter().all(|v| v.inventory_quantity.is_none()), "no stock in a card");

        // Another main language is another card (the Spanish title is no
        // longer a translation of it).
        let spanish = RetrievedCard::from_shared(kept.clone(), "es", 0.5);
        assert!(first.card_text.contains("Camisa de lino") && !spanish.card_text.contains("Camisa de lino"), "{}", spanish.card_text);
    }

    #[test]
    fn a_written_product_gets_a_new_card() {
        let old = Arc::new(shirt("Sitges Linen Shirt"));
        let holder = old.clone();
        let before = RetrievedCard::from_shared(old.clone(), "en", 0.5);
        drop((old, holder));
        // The storage hands out a new value once the product is written.
        let new = Arc::new(shirt("Sitges Linen Shirt, relaxed"));
        let _holder = new.clone();
        let after = RetrievedCard::from_shared(new.clone(), "en", 0.5);
        assert!(before.card_text.starts_with("Sitges Linen Shirt\n"), "{}", before.card_text);
        assert!(after.card_text.starts_with("Sitges Linen Shirt, relaxed"), "{}", after.card_text);
    }

    #[test]
    fn a_product_only_the_caller_holds_is_not_kept() {
        let fresh = Arc::new(shirt("Sitges Linen Shirt"));
        let address = Arc::as_ptr(&fresh) as usize;
        let card = RetrievedCard::from_shared(fresh, "en", 0.5);
        assert!(card.product.variants.iter().all(|v| v.inventory_quantity.is_none()));
        assert!(!lock_cards().contains_key(&address));
    }
}
