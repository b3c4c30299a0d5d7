//! Products as a storage backend last read them, per store, for the chat
//! turn's card loads and stock checks: a catalog is read on every turn and
//! written only by syncs and webhooks, and decoding a product with its
//! variants from the database cost more than the rest of the turn's storage
//! work together (SQLite); on PostgreSQL each read is a round trip, one for
//! the cards and one per size a shopper names.
//!
//! Every write to a store's products or variants ([`ProductCache::changed`])
//! drops what is kept for the store, and a read that raced with such a write
//! is answered but not kept. The SQLite backend owns its database, so its
//! own writes are all there are. The PostgreSQL backend hears every write,
//! whoever made it, from the database's notifications, and keeps nothing
//! while it cannot hear them ([`ProductCache::following`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::catalog::Product;

/// Most products kept per store; past it the store's entries start over
/// (the turns' working set is a catalog's popular products).
const MAX_PER_STORE: usize = 4096;
/// Most products kept in all (one gateway serves many stores); past it
/// every store's entries start over.
const MAX_TOTAL: usize = 20_000;

pub(super) struct ProductCache {
    stores: Mutex<Stores>,
}

impl Default for ProductCache {
    /// A cache that serves from the start (its owner sees every write).
    fn default() -> Self {
        Self { stores: Mutex::new(Stores { serving: true, ..Stores::default() }) }
    }
}

#[derive(Default)]
struct Stores {
    by_store: HashMap<String, StoreProducts>,
    /// Products kept across all stores.
    total: usize,
    /// False while writes may go unseen: nothing is served or kept.
    serving: bool,
    /// Bumped whenever serving starts or stops, so a read from before
    /// cannot be kept after.
    epoch: u64,
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
    /// When looked up: what is read for `missing` is kept only if no write
    /// came in between.
    pub generation: Generation,
}

/// A store's write count and the cache's serving epoch at a lookup.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Generation {
    epoch: u64,
    writes: u64,
}

impl ProductCache {
    /// A cache that serves only between [`ProductCache::resume`] and
    /// [`ProductCache::pause`]: while its owner listens for writes.
    pub fn following() -> Self {
        Self { stores: Mutex::default() }
    }

    pub fn lookup(&self, store_id: &str, ids: &[String]) -> Lookup {
        let stores = self.lock();
        let generation = stores.generation(store_id);
        let store = match stores.by_store.get(store_id) {
            Some(store) if stores.serving => store,
            _ => return Lookup { found: HashMap::new(), missing: ids.to_vec(), generation },
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
        Lookup { found, missing, generation }
    }

    /// Keeps products read at `generation`, unless the store was written
    /// since (or serving stopped or started again).
    pub fn keep(&self, store_id: &str, generation: Generation, products: &[Arc<Product>]) {
        if products.is_empty() {
            return;
        }
        let mut guard = self.lock();
        let stores = &mut *guard;
        if !stores.serving || stores.generation(store_id) != generation {
            return;
        }
        if stores.total + products.len() > MAX_TOTAL {
            Self::clear(stores);
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

    /// Every store may have changed (a table was emptied).
    pub fn changed_all(&self) {
        let mut stores = self.lock();
        stores.epoch += 1;
        Self::clear(&mut stores);
    }

    /// Writes may go unseen from now on: serve and keep nothing.
    pub fn pause(&self) {
        let mut stores = self.lock();
        stores.serving = false;
        stores.epoch += 1;
        Self::clear(&mut stores);
    }

    /// Every write is seen from now on (anything kept before may be stale).
    pub fn resume(&self) {
        let mut stores = self.lock();
        stores.serving = true;
        stores.epoch += 1;
        Self::clear(&mut stores);
    }

    fn clear(stores: &mut Stores) {
        for store in stores.by_store.values_mut() {
            store.products.clear();
        }
        stores.total = 0;
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

impl Stores {
    fn generation(&self, store_id: &str) -> Generation {
        Generation { epoch: self.epoch, writes: self.by_store.get(store_id).map_or(0, |store| store.generation) }
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
    fn a_following_cache_serves_only_while_it_hears_every_write() {
        let cache = ProductCache::following();
        let unheard = cache.lookup("shop", &ids(&["a"]));
        cache.keep("shop", unheard.generation, &[product("a", "Linen shirt")]);
        assert_eq!(cache.lookup("shop", &ids(&["a"])).missing, ["a"], "nothing is kept before serving starts");

        cache.resume();
        cache.keep("shop", unheard.generation, &[product("a", "Linen shirt")]);
        assert_eq!(cache.lookup("shop", &ids(&["a"])).missing, ["a"], "a read from before serving started is not kept");
        let heard = cache.lookup("shop", &ids(&["a"]));
        cache.keep("shop", heard.generation, &[product("a", "Linen shirt")]);
        assert!(cache.lookup("shop", &ids(&["a"])).missing.is_empty());

        // A read that started while serving and ended after a pause and a
        // resume (writes in between went unheard) is not kept.
        let before_gap = cache.lookup("shop", &ids(&["b"]));
        cache.pause();
        assert_eq!(cache.lookup("shop", &ids(&["a"])).missing, ["a"], "nothing is served while writes may go unheard");
        cache.keep("shop", cache.lookup("shop", &[]).generation, &[product("b", "Chinos")]);
        cache.resume();
        cache.keep("shop", before_gap.generation, &[product("b", "Chinos")]);
        assert_eq!(cache.lookup("shop", &ids(&["a", "b"])).missing, ["a", "b"]);
    }

    #[test]
    fn an_emptied_table_drops_every_store() {
        let cache = ProductCache::default();
        for store in ["one", "two"] {
            let at = cache.lookup(store, &[]).generation;
            cache.keep(store, at, &[product("a", "Linen shirt")]);
        }
        let racing = cache.lookup("new-store", &[]).generation;
        cache.changed_all();
        cache.keep("new-store", racing, &[product("a", "Old title")]);
        for store in ["one", "two", "new-store"] {
            assert_eq!(cache.lookup(store, &ids(&["a"])).missing, ["a"], "{store}");
        }
        assert_eq!(cache.stores.lock().unwrap().total, 0);
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
