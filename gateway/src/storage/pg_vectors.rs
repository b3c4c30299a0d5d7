//! Small stores' card vectors, kept in process by the PostgreSQL backend.
//!
//! A store with at most [`DEFAULT_EXACT_SCAN_MAX`](super::postgres::DEFAULT_EXACT_SCAN_MAX)
//! embedded cards is searched by an exact scan, not the HNSW index: in
//! PostgreSQL that is a statement a turn, a round trip and the backend's CPU
//! for every distance. The scan is the same in process ([`VectorIndex`], as
//! the SQLite backend keeps): the store's vectors are loaded once and kept
//! until a write to its cards, which the database announces like product
//! writes (see `pg_kept`). Loading is a few megabytes, so a store written a
//! moment ago (a sync or an embedding run in progress) is searched in the
//! database until it has been quiet for [`QUIET`], and one search loads
//! while the others go to the database meanwhile. Nothing is served while
//! the listener is not connected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::vector_index::VectorIndex;

/// How long after a write to a store's cards its vectors are searched in
/// the database rather than loaded again.
pub const QUIET: Duration = Duration::from_secs(1);
/// Most vector values kept across all stores (4 bytes each, and one more
/// for the 8-bit copy); past it every store's vectors start over.
const MAX_VALUES: usize = 32 * 1024 * 1024;

/// (embedding model, dimensions).
type Key = (String, usize);

#[derive(Default)]
pub(super) struct KeptVectors {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// False while writes may go unheard: nothing is served or kept.
    serving: bool,
    /// Bumped whenever serving starts or stops.
    epoch: u64,
    /// Vector values kept across all stores.
    values: usize,
    stores: HashMap<String, StoreVectors>,
}

#[derive(Default)]
struct StoreVectors {
    /// Bumped by every write to the store's cards.
    writes: u64,
    changed_at: Option<Instant>,
    indexes: HashMap<Key, Slot>,
}

enum Slot {
    Loading,
    Ready(Arc<VectorIndex>),
}

/// How to search a store's vectors.
pub(super) enum Lookup<'a> {
    Kept(Arc<VectorIndex>),
    /// Load them, then [`Load::keep`] what was read.
    Load(Load<'a>),
    /// Search in the database (written a moment ago, being loaded by
    /// another search, or writes may go unheard).
    Database,
}

/// A load this search does; dropped without [`Load::keep`], another search
/// may load.
pub(super) struct Load<'a> {
    vectors: &'a KeptVectors,
    store_id: String,
    key: Key,
    epoch: u64,
    writes: u64,
}

impl Load<'_> {
    /// Keeps the index read, unless the store's cards were written since.
    pub fn keep(self, index: Arc<VectorIndex>) {
        let mut inner = self.vectors.lock();
        if !self.current(&inner) {
            return;
        }
        let size = index.len() * index.dims();
        if inner.values + size > MAX_VALUES {
            inner.clear();
        }
        if let Some(store) = inner.stores.get_mut(&self.store_id) {
            store.indexes.insert(self.key.clone(), Slot::Ready(index));
            inner.values += size;
        }
    }

    fn current(&self, inner: &Inner) -> bool {
        inner.serving && inner.epoch == self.epoch && inner.stores.get(&self.store_id).is_some_and(|store| store.writes == self.writes)
    }
}

impl Drop for Load<'_> {
    fn drop(&mut self) {
        let mut inner = self.vectors.lock();
        if self.current(&inner)
            && let Some(store) = inner.stores.get_mut(&self.store_id)
            && matches!(store.indexes.get(&self.key), Some(Slot::Loading))
        {
            store.indexes.remove(&self.key);
        }
    }
}

impl KeptVectors {
    pub fn lookup(&self, store_id: &str, model: &str, dims: usize, now: Instant) -> Lookup<'_> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        if !inner.serving {
            return Lookup::Database;
        }
        let store = inner.stores.entry(store_id.to_owned()).or_default();
        if store.changed_at.is_some_and(|at| now.saturating_duration_since(at) < QUIET) {
            return Lookup::Database;
        }
        let key = (model.to_owned(), dims);
        match store.indexes.get(&key) {
            Some(Slot::Ready(index)) => Lookup::Kept(index.clone()),
            Some(Slot::Loading) => Lookup::Database,
            None => {
                store.indexes.insert(key.clone(), Slot::Loading);
                Lookup::Load(Load { vectors: self, store_id: store_id.to_owned(), key, epoch: inner.epoch, writes: store.writes })
            }
        }
    }

    /// The store's cards were written (or may have been).
    pub fn changed(&self, store_id: &str) {
        self.changed_at(store_id, Instant::now());
    }

    fn changed_at(&self, store_id: &str, now: Instant) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let store = inner.stores.entry(store_id.to_owned()).or_default();
        store.writes += 1;
        store.changed_at = Some(now);
        let dropped: usize = store.indexes.drain().map(|(_, slot)| slot.values()).sum();
        inner.values -= dropped;
    }

    /// A guard that marks the store's cards changed when dropped: taken
    /// before a write, so whatever the write did (or left half done) is seen.
    pub fn changing<'a>(&'a self, store_id: &'a str) -> Changing<'a> {
        Changing { vectors: self, store_id }
    }

    /// Every store's cards may have changed (a table was emptied).
    pub fn changed_all(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.clear();
    }

    /// Writes may go unheard from now on: serve and keep nothing.
    pub fn pause(&self) {
        let mut inner = self.lock();
        inner.serving = false;
        inner.epoch += 1;
        inner.clear();
    }

    /// Every write is heard from now on.
    pub fn resume(&self) {
        let mut inner = self.lock();
        inner.serving = true;
        inner.epoch += 1;
        inner.clear();
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub(super) struct Changing<'a> {
    vectors: &'a KeptVectors,
    store_id: &'a str,
}

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        self.vectors.changed(self.store_id);
    }
}

impl Inner {
    fn clear(&mut self) {
        for store in self.stores.values_mut() {
            store.indexes.clear();
        }
        self.values = 0;
    }
}

impl Slot {
    fn values(&self) -> usize {
        match self {
            Slot::Loading => 0,
            Slot::Ready(index) => index.len() * index.dims(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(ids: &[&str]) -> Arc<VectorIndex> {
        let mut index = VectorIndex::new(2);
        for (i, id) in ids.iter().enumerate() {
            index.upsert(id, &[1.0, i as f32]);
        }
        Arc::new(index)
    }

    fn kept(lookup: Lookup<'_>) -> Option<Vec<String>> {
        match lookup {
            Lookup::Kept(index) => Some(index.search(&[1.0, 0.0], 10).into_iter().map(|hit| hit.id).collect()),
            _ => None,
        }
    }

    fn serving() -> KeptVectors {
        let vectors = KeptVectors::default();
        vectors.resume();
        vectors
    }

    #[test]
    fn one_search_loads_and_the_others_use_the_database_meanwhile() {
        let vectors = serving();
        let now = Instant::now();
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, now) else { panic!("the first search loads") };
        assert!(matches!(vectors.lookup("shop", "m", 2, now), Lookup::Database), "another search while loading");
        assert!(matches!(vectors.lookup("shop", "other-model", 2, now), Lookup::Load(_)), "another model loads apart");
        load.keep(index(&["p1", "p2"]));
        assert_eq!(kept(vectors.lookup("shop", "m", 2, now)).unwrap().len(), 2);
        assert!(matches!(vectors.lookup("other", "m", 2, now), Lookup::Load(_)), "stores are apart");
    }

    #[test]
    fn a_failed_load_lets_the_next_search_load() {
        let vectors = serving();
        let now = Instant::now();
        drop(vectors.lookup("shop", "m", 2, now));
        assert!(matches!(vectors.lookup("shop", "m", 2, now), Lookup::Load(_)));
    }

    #[test]
    fn a_written_store_is_searched_in_the_database_until_quiet() {
        let vectors = serving();
        let start = Instant::now();
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, start) else { panic!() };
        load.keep(index(&["p1"]));
        vectors.changed_at("shop", start);
        assert!(matches!(vectors.lookup("shop", "m", 2, start + QUIET / 2), Lookup::Database));
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, start + QUIET) else { panic!("loads again once quiet") };
        load.keep(index(&["p1", "p2"]));
        assert_eq!(kept(vectors.lookup("shop", "m", 2, start + QUIET)).unwrap(), ["p1", "p2"]);
        assert_eq!(vectors.lock().values, 4);
    }

    #[test]
    fn a_load_that_raced_with_a_write_is_not_kept() {
        let vectors = serving();
        let start = Instant::now();
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, start) else { panic!() };
        vectors.changed_at("shop", start);
        load.keep(index(&["stale"]));
        let Lookup::Load(_) = vectors.lookup("shop", "m", 2, start + QUIET) else { panic!("nothing was kept") };
    }

    #[test]
    fn nothing_is_served_or_kept_while_writes_may_go_unheard() {
        let vectors = KeptVectors::default();
        let now = Instant::now();
        assert!(matches!(vectors.lookup("shop", "m", 2, now), Lookup::Database), "before listening");
        vectors.resume();
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, now) else { panic!() };
        vectors.pause();
        load.keep(index(&["p1"]));
        vectors.resume();
        let Lookup::Load(load) = vectors.lookup("shop", "m", 2, now) else { panic!("the load from before the gap was not kept") };
        load.keep(index(&["p1"]));
        vectors.changed_all();
        assert!(matches!(vectors.lookup("shop", "m", 2, now), Lookup::Load(_)), "an emptied table drops every store's vectors");
        assert_eq!(vectors.lock().values, 0);
    }
}
