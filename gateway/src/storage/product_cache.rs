//! Products as the SQLite backend last read them, per store, for the chat
//! turn's card loads: a catalog is read on every turn and written only by
//! syncs and webhooks, and decoding a product with its variants from the
//! database cost more than the rest of the turn's storage work together.
//!
//! Sound for the same reason as the backend's vector and text indexes: one
//! process owns the database, and each of its writes to a store's products
//! or variants ([`ProductCache::changed`]) drops what is kept for the store.
//! A read that raced with such a write is answered but not kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::catalog::Product;

/// Most products kept per store; past it the store's entries start over
/// (the turns' working set is a catalog's popular products).
const MAX_PER_STORE: usize = 4096;
/// Most products kept in all (one gateway serves many stores); past it
/// every store's entries start over.
const MAX_TOTAL: usize = 20_000;

#[derive(Default)]
pub(super) struct ProductCache {
    stores: Mutex<Stores>,
}

#[derive(Default)]
struct Stores {
    by_store: HashMap<String, StoreProducts>,
    /// Products kept across all stores.
    total: usize,
}

#[derive(Default)]
struct StoreProducts {
    /// Bumped by every write to the store's products.
    generation: u64,
    products: HashMap<String, Arc<Product>>,
}

/// What a lookup found, and what it did not.
pub(super) struct Lookup {
    pub found: HashMap<String, Arc<Product>>,
    pub missing: Vec<String>,
    /// The store's generation when looked up: what is read for `missing` is
    /// kept only if no write came in between.
    pub generation: u64,
}

impl ProductCache {
    pub fn lookup(&self, store_id: &str, ids: &[String]) -> Lookup {
        let stores = self.lock();
        let Some(store) = stores.by_store.get(store_id) else {
            return Lookup { found: HashMap::new(), missing: ids.to_vec(), generation: 0 };
        };
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match store.products.get(id) {
                Some(product) => {
                    found.insert(id.clone(), product.clone());
                }
                None => missing.push(id.clone()),
            }
        }
        Lookup { found, missing, generation: store.generation }
    }

    /// Keeps products read at `generation`, unless the store was written since.
    pub fn keep(&self, store_id: &str, generation: u64, products: &[Arc<Product>]) {
        if products.is_empty() {
            return;
        }
        let mut guard = self.lock();
        let stores = &mut *guard;
        if stores.by_store.get(store_id).map_or(0, |store| store.generation) != generation {
            return;
        }
        if stores.total + products.len() > MAX_TOTAL {
            for store in stores.by_store.values_mut() {
                store.products.clear();
            }
            stores.total = 0;
        }
        let store = stores.by_store.entry(store_id.to_owned()).or_default();
        if store.products.len() + products.len() > MAX_PER_STORE {
            stores.total -= store.products.len();
            store.products.clear();
        }
        for product in products.iter().take(MAX_PER_STORE) {
            if store.products.insert(product.id.clone(), product.clone()).is_none() {
                stores.total += 1;
            }
        }
    }

    /// The store's products or variants were written (or may have been:
    /// call it after a failed write too).
    pub fn changed(&self, store_id: &str) {
        let mut guard = self.lock();
        let stores = &mut *guard;
        let store = stores.by_store.entry(store_id.to_owned()).or_default();
        store.generation += 1;
        stores.total -= store.products.len();
        store.products.clear();
    }

    /// A guard that marks the store changed when dropped: taken before a
    /// write, so whatever the write did (or left half done) is seen.
    pub fn changing<'a>(&'a self, store_id: &'a str) -> Changing<'a> {
        Changing { cache: self, store_id }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stores> {
        self.stores.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(super) struct Changing<'a> {
    cache: &'a ProductCache,
    store_id: &'a str,
}

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        self.cache.changed(self.store_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, title: &str) -> Arc<Product> {
        Arc::new(serde_json::from_value(serde_json::json!({ "id": id, "title": title })).unwrap())
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_what_was_read_until_the_store_is_written() {
        let cache = ProductCache::default();
        let first = cache.lookup("shop", &ids(&["a", "b"]));
        assert_eq!(first.missing, ["a", "b"]);
        cache.keep("shop", first.generation, &[product("a", "Linen shirt"), product("b", "Chinos")]);

        let again = cache.lookup("shop", &ids(&["a", "b", "c"]));
        assert_eq!(again.missing, ["c"]);
        assert_eq!(again.found["a"].title, "Linen shirt");
        assert!(cache.lookup("other", &ids(&["a"])).found.is_empty(), "stores are apart");

        cache.changed("shop");
        assert_eq!(cache.lookup("shop", &ids(&["a", "b"])).missing, ["a", "b"], "a write drops the store's products");
    }

    #[test]
    fn a_read_that_raced_with_a_write_is_not_kept() {
        let cache = ProductCache::default();
        let before = cache.lookup("shop", &ids(&["a"]));
        // The write lands after the read started.
        cache.changed("shop");
        cache.keep("shop", before.generation, &[product("a", "Old title")]);
        assert_eq!(cache.lookup("shop", &ids(&["a"])).missing, ["a"]);
    }

    #[test]
    fn a_store_past_the_cap_starts_over() {
        let cache = ProductCache::default();
        let generation = cache.lookup("shop", &[]).generation;
        let many: Vec<Arc<Product>> = (0..MAX_PER_STORE).map(|i| product(&format!("p{i}"), "x")).collect();
        cache.keep("shop", generation, &many);
        cache.keep("shop", generation, &[product("late", "y")]);
        let look = cache.lookup("shop", &ids(&["p0", "late"]));
        assert_eq!(look.missing, ["p0"]);
        assert!(cache.stores.lock().unwrap().by_store["shop"].products.len() <= MAX_PER_STORE);
    }

    #[test]
    fn all_stores_together_stay_under_the_total_cap() {
        let cache = ProductCache::default();
        let stores = MAX_TOTAL / MAX_PER_STORE + 2;
        for n in 0..stores {
            let store = format!("store-{n}");
            let generation = cache.lookup(&store, &[]).generation;
            let many: Vec<Arc<Product>> = (0..MAX_PER_STORE).map(|i| product(&format!("p{i}"), "x")).collect();
            cache.keep(&store, generation, &many);
            let kept = cache.stores.lock().unwrap();
            assert!(kept.total <= MAX_TOTAL, "{} kept after store {n}", kept.total);
            assert_eq!(kept.total, kept.by_store.values().map(|s| s.products.len()).sum::<usize>());
        }
        cache.changed("store-0");
        let kept = cache.stores.lock().unwrap();
        assert_eq!(kept.total, kept.by_store.values().map(|s| s.products.len()).sum::<usize>());
    }
}
