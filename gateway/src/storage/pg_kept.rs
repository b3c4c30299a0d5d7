//! What the PostgreSQL backend keeps in process of a store's catalog (its
//! text indexes, the products turns read and small stores' card vectors),
//! kept current across replicas.
//!
//! ## Text indexes
//!
//! `ts_rank` reads and scores every card a word matches: on 100,000 cards a
//! common word alone ("boots", 8,000 cards) took 10 ms at p50 and 44 ms at
//! p95 of the benchmark's full-text searches. A store's cards are therefore
//! ranked in process, by the same BM25 index the SQLite backend keeps
//! ([`TextIndex`]), up to [`TEXT_INDEX_MAX_CARDS`]; bigger stores are still
//! ranked by the tsvector queries.
//!
//! Several gateway replicas may share one database. A transaction that
//! changes a store's cards notifies [`CHANNEL`] with the schema, the store
//! and the writing replica; the writer applies the change to its own index
//! in place, and every other replica that holds the store's index reloads
//! it in the background (debounced, so a sync's pages cost one reload per
//! burst), answering from the index it has meanwhile. A lost listener
//! connection reloads every held index once it is back, since
//! notifications sent meanwhile are gone.
//!
//! ## Products
//!
//! A chat turn reads the products of its cards, and one more for each size
//! the shopper names (the stock check): a round trip each, and on the load
//! benchmark about half of a turn's statements. Products read are kept
//! ([`ProductCache`]) and dropped per store on every write to the store's
//! products or variants; small stores' card vectors ([`KeptVectors`]) on
//! every write to its cards. The database announces those writes itself:
//! triggers (migration `0007_catalog_notices.sql`) notify
//! [`CATALOG_CHANNEL`] from every statement that writes them, whoever runs
//! it, a gateway of any version, a migration or `psql`. The writing replica
//! drops its own store's entries when its write ends, the others when the
//! notification arrives, a moment after the commit. Nothing is kept or
//! served while the listener may miss a write: before it first hears its
//! own probe (a notification it sends itself, again every
//! [`PROBE_EVERY`]), from a lost connection until it hears one again, and
//! when a probe does not come back within [`PROBE_WAIT`] (a connection
//! pooler in transaction mode passes `LISTEN` but not the notifications).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgConnection, PgPool};
use tokio::sync::OnceCell;
use tokio::time::Instant;

use super::StorageResult;
use super::pg_vectors::KeptVectors;
use super::product_cache::ProductCache;
use super::text_index::{TEXT_INDEX_MAX_CARDS, TextEntry, TextIndexes, build_index};

/// The notification channel of card writes.
pub const CHANNEL: &str = "chatgw_cards";
/// The notification channel of product, variant and card writes (payload:
/// the table's schema, the store and the table, tab-separated; no store:
/// every store of the schema).
pub const CATALOG_CHANNEL: &str = "chatgw_catalog";
/// How long a replica waits after a notification before reloading, so the
/// pages of a sync written in quick succession cost one reload.
const RELOAD_DEBOUNCE: Duration = Duration::from_millis(300);
/// Pause after a failed reload or listener error before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How often the listener checks that notifications reach it: it notifies
/// [`CATALOG_CHANNEL`] itself (table [`PROBE`], its replica id as the store)
/// and waits for that notification for at most [`PROBE_WAIT`].
const PROBE_EVERY: Duration = Duration::from_secs(30);
const PROBE_WAIT: Duration = Duration::from_secs(5);
/// The table named by a listener's probe.
const PROBE: &str = "probe";

/// One storage's text indexes and products, and what keeps them current.
pub(super) struct PgKept {
    shared: Arc<Shared>,
    listener: OnceCell<()>,
}

struct Shared {
    indexes: TextIndexes,
    /// Served only while the listener is connected, as are `vectors`.
    products: ProductCache,
    vectors: KeptVectors,
    max_cards: AtomicUsize,
    /// Random id of this storage, carried by its notifications so it does
    /// not reload after its own writes.
    replica: String,
    /// Stores with a reload scheduled or running: true when another
    /// notification came meanwhile (reload once more).
    reloads: Mutex<HashMap<String, bool>>,
    pool: PgPool,
    /// The listener's own one-connection pool, once started; closed with
    /// the storage, which ends the listener's wait.
    listen_pool: OnceLock<PgPool>,
}

impl PgKept {
    pub fn new(pool: PgPool) -> Self {
        let replica = uuid::Uuid::new_v4().simple().to_string();
        let shared = Shared {
            indexes: TextIndexes::default(),
            products: ProductCache::following(),
            vectors: KeptVectors::default(),
            max_cards: AtomicUsize::new(TEXT_INDEX_MAX_CARDS),
            replica,
            reloads: Mutex::default(),
            pool,
            listen_pool: OnceLock::new(),
        };
        Self { shared: Arc::new(shared), listener: OnceCell::new() }
    }

    /// Stores with more than `n` cards are ranked by tsvector queries (0:
    /// every store). Applies to stores not searched yet.
    pub fn set_max_cards(&self, n: usize) {
        self.shared.max_cards.store(n, Ordering::Relaxed);
    }

    /// Starts listening for other replicas' writes (once).
    async fn listen(&self) {
        self.listener.get_or_init(|| async { spawn_listener(&self.shared).await }).await;
    }

    /// The products kept (empty until the listener is connected).
    pub async fn products(&self) -> &ProductCache {
        self.listen().await;
        &self.shared.products
    }

    /// The products kept, to mark a store changed after a write.
    pub fn written_products(&self) -> &ProductCache {
        &self.shared.products
    }

    /// Small stores' card vectors kept (none until the listener is connected).
    pub async fn vectors(&self) -> &KeptVectors {
        self.listen().await;
        &self.shared.vectors
    }

    /// The vectors kept, to mark a store's cards changed after a write.
    pub fn written_vectors(&self) -> &KeptVectors {
        &self.shared.vectors
    }

    /// How the store's cards are ranked, loading its index if needed.
    pub async fn entry(&self, store_id: &str) -> StorageResult<TextEntry> {
        self.listen().await;
        let generation = match self.shared.indexes.get(store_id) {
            Ok(entry) => return Ok(entry),
            Err(generation) => generation,
        };
        let entry = self.shared.load(store_id).await?;
        Ok(self.shared.indexes.keep(store_id, generation, entry))
    }

    /// Tells the other replicas, when `conn`'s transaction commits, that the
    /// store's cards changed.
    pub async fn notify(&self, conn: &mut PgConnection, store_id: &str) -> StorageResult<()> {
        sqlx::query("SELECT pg_notify($1, current_schema() || chr(9) || $2 || chr(9) || $3)")
            .bind(CHANNEL)
            .bind(store_id)
            .bind(&self.shared.replica)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Applies this replica's committed writes (id, body, title) in place.
    pub fn saved<'a>(&self, store_id: &str, cards: impl Iterator<Item = (&'a str, &'a str, String)>) {
        self.shared.indexes.saved(store_id, cards, self.shared.max_cards.load(Ordering::Relaxed));
    }

    /// Applies this replica's committed deletions in place.
    pub fn removed<'a>(&self, store_id: &str, ids: impl Iterator<Item = &'a str>) {
        self.shared.indexes.removed(store_id, ids);
    }
}

impl Drop for PgKept {
    fn drop(&mut self) {
        if let Some(pool) = self.shared.listen_pool.get() {
            // Marks the pool closed at once (the returned future only waits
            // for its connections to close): the listener's `try_recv`
            // returns `PoolClosed` and its task ends.
            drop(pool.close());
        }
    }
}

impl Shared {
    /// A write to `table` of `store` (all stores when empty) was announced.
    fn catalog_changed(&self, store: &str, table: &str) {
        match (table, store) {
            ("product_cards", "") => self.vectors.changed_all(),
            ("product_cards", store) => self.vectors.changed(store),
            (_, "") => self.products.changed_all(),
            (_, store) => self.products.changed(store),
        }
    }

    /// Notifies [`CATALOG_CHANNEL`] for this replica's listener alone.
    async fn send_probe(&self, schema: &str) -> StorageResult<()> {
        let payload = format!("{schema}\t{}\t{PROBE}", self.replica);
        sqlx::query("SELECT pg_notify($1, $2)").bind(CATALOG_CHANNEL).bind(payload).execute(&self.pool).await?;
        Ok(())
    }

    /// Writes may go unheard until the listener listens again.
    fn pause(&self) {
        self.products.pause();
        self.vectors.pause();
    }

    /// The store's cards from the database, as an index or, past the size
    /// limit, as a store the database ranks.
    async fn load(&self, store_id: &str) -> StorageResult<TextEntry> {
        let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM product_cards WHERE store_id = $1").bind(store_id).fetch_one(&self.pool).await?;
        if cards as usize > self.max_cards.load(Ordering::Relaxed) {
            return Ok(TextEntry::Database);
        }
        // Body: the card's text; title: the product's and its translations'.
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.product_id, c.text,
                    concat_ws(chr(10), p.title, (SELECT string_agg(t.value->>'title', chr(10)) FROM jsonb_each(p.translations) AS t
                                                 WHERE jsonb_typeof(t.value) = 'object' AND coalesce(t.value->>'title', '') <> ''))
             FROM product_cards c JOIN products p ON p.store_id = c.store_id AND p.id = c.product_id
             WHERE c.store_id = $1",
        )
        .bind(store_id)
        .fetch_all(&self.pool)
        .await?;
        build_index(rows).await
    }

    /// Another replica changed the store's cards: loads meanwhile must not
    /// be kept, and a held index is reloaded.
    fn changed_elsewhere(self: &Arc<Self>, store_id: &str) {
        self.indexes.touch(store_id);
        if self.indexes.get(store_id).is_ok() {
            self.schedule_reload(store_id);
        }
    }

    fn schedule_reload(self: &Arc<Self>, store_id: &str) {
        {
            let mut reloads = self.reloads.lock().expect("reloads lock");
            if let Some(again) = reloads.get_mut(store_id) {
                *again = true;
                return;
            }
            reloads.insert(store_id.to_owned(), false);
        }
        let shared = Arc::downgrade(self);
        let store_id = store_id.to_owned();
        tokio::spawn(async move {
            let mut pause = RELOAD_DEBOUNCE;
            loop {
                tokio::time::sleep(pause).await;
                let Some(this) = shared.upgrade() else { return };
                let generation = this.indexes.generation(&store_id);
                pause = match this.load(&store_id).await.map(|entry| this.indexes.replace(&store_id, generation, entry)) {
                    // A write of this replica raced with the load: again.
                    Ok(false) => RELOAD_DEBOUNCE,
                    Ok(true) => {
                        let mut reloads = this.reloads.lock().expect("reloads lock");
                        match reloads.get_mut(&store_id) {
                            Some(again) if *again => {
                                *again = false;
                                RELOAD_DEBOUNCE
                            }
                            _ => {
                                reloads.remove(&store_id);
                                return;
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(store = %store_id, %error, "reloading the text index failed; searching the one held meanwhile");
                        RETRY_AFTER
                    }
                };
            }
        });
    }
}

/// Listens for other replicas' card writes and every product write for as
/// long as the storage lives, on a connection of its own (not one of the
/// pool's).
async fn spawn_listener(shared: &Arc<Shared>) {
    let schema: String = match sqlx::query_scalar("SELECT current_schema()::text").fetch_one(&shared.pool).await {
        Ok(schema) => schema,
        Err(error) => {
            tracing::warn!(%error, "cannot read the schema; text indexes will not follow other replicas' writes and products will be read anew each time until restart");
            return;
        }
    };
    let options = (*shared.pool.connect_options()).clone();
    // As `PgListener::connect` sets up its own pool: a held connection that
    // is never retired.
    let pool =
        shared.listen_pool.get_or_init(|| PgPoolOptions::new().max_connections(1).max_lifetime(None).idle_timeout(None).connect_lazy_with(options)).clone();
    let weak: Weak<Shared> = Arc::downgrade(shared);
    tokio::spawn(async move {
        let mut listener: Option<PgListener> = None;
        // Products and vectors are served from the first probe that comes
        // back after listening until one does not, or the connection drops.
        let mut serving = false;
        let mut probe = Probe::Due;
        loop {
            if weak.strong_count() == 0 || pool.is_closed() {
                return;
            }
            if listener.is_none() {
                match PgListener::connect_with(&pool).await {
                    Ok(mut l) => match l.listen_all([CHANNEL, CATALOG_CHANNEL]).await {
                        Ok(()) => {
                            // Anything written before this point may have
                            // been missed: reload what is held.
                            if let Some(shared) = weak.upgrade() {
                                for store in shared.indexes.loaded_stores() {
                                    shared.changed_elsewhere(&store);
                                }
                            }
                            listener = Some(l);
                            probe = Probe::Due;
                        }
                        Err(error) => {
                            tracing::warn!(%error, "cannot listen for catalog writes; retrying");
                            tokio::time::sleep(RETRY_AFTER).await;
                            continue;
                        }
                    },
                    Err(error) => {
                        if !pool.is_closed() {
                            tracing::warn!(%error, "cannot open the catalog-write listener; retrying");
                        }
                        tokio::time::sleep(RETRY_AFTER).await;
                        continue;
                    }
                }
            }
            if let Probe::Due = probe {
                let Some(shared) = weak.upgrade() else { return };
                match shared.send_probe(&schema).await {
                    Ok(()) => probe = Probe::Out(Instant::now() + PROBE_WAIT),
                    Err(error) => {
                        tracing::warn!(%error, "cannot send the listener's probe; reconnecting");
                        shared.pause();
                        serving = false;
                        listener = None;
                        tokio::time::sleep(RETRY_AFTER).await;
                        continue;
                    }
                }
            }
            let Some(current) = listener.as_mut() else { continue };
            let until = match probe {
                Probe::Out(by) | Probe::Next(by) => by,
                Probe::Due => Instant::now(),
            };
            // Waits until a notification comes, the connection drops, the
            // storage closes the pool, or the probe is due or overdue.
            let received = tokio::time::timeout_at(until, current.try_recv()).await;
            let Some(shared) = weak.upgrade() else { return };
            match received {
                Err(_) if matches!(probe, Probe::Out(_)) => {
                    tracing::warn!(
                        "this replica's own catalog notification did not come back within {} s (a connection pooler in transaction mode \
                         between the gateway and PostgreSQL drops them; LISTEN needs a session): products and small stores' vectors are \
                         read from the database until it does",
                        PROBE_WAIT.as_secs()
                    );
                    shared.pause();
                    serving = false;
                    listener = None;
                    tokio::time::sleep(RETRY_AFTER).await;
                }
                Err(_) => probe = Probe::Due,
                Ok(Ok(Some(notification))) if notification.channel() == CATALOG_CHANNEL => {
                    let Some((store, table)) = in_schema(notification.payload(), &schema) else { continue };
                    if table != PROBE {
                        shared.catalog_changed(store, table);
                    } else if store == shared.replica {
                        // Everything written from now on is heard.
                        if !serving {
                            shared.products.resume();
                            shared.vectors.resume();
                            serving = true;
                        }
                        probe = Probe::Next(Instant::now() + PROBE_EVERY);
                    }
                }
                Ok(Ok(Some(notification))) => {
                    let Some((store, replica)) = in_schema(notification.payload(), &schema) else { continue };
                    if replica != shared.replica {
                        shared.changed_elsewhere(store);
                    }
                }
                // The connection was lost: notifications of the gap are
                // gone. Nothing is served until listening again (above).
                Ok(Ok(None)) => {
                    shared.pause();
                    serving = false;
                    listener = None;
                }
                Ok(Err(error)) => {
                    shared.pause();
                    serving = false;
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(%error, "the catalog-write listener failed; reconnecting");
                    listener = None;
                    tokio::time::sleep(RETRY_AFTER).await;
                }
            }
        }
    });
}

/// A notification's store and last field (table or replica) when it is
/// about `schema`, from `schema<TAB>store<TAB>last`. The schema and the
/// store are matched from the ends, not split at tabs: PostgreSQL lets a
/// quoted schema name hold any character, a tab too, and a store id is the
/// caller's; the last field is the gateway's own (a table or a hex id).
fn in_schema<'a>(payload: &'a str, schema: &str) -> Option<(&'a str, &'a str)> {
    payload.strip_prefix(schema)?.strip_prefix('\t')?.rsplit_once('\t')
}

/// The listener's probe: a notification of its own, sent from the pool and
/// awaited on the listening connection.
#[derive(Clone, Copy)]
enum Probe {
    /// To be sent now.
    Due,
    /// Sent; must be back by then.
    Out(Instant),
    /// Came back; the next is due then.
    Next(Instant),
}

#[cfg(test)]
mod tests {
    use super::in_schema;

    #[test]
    fn notifications_are_read_from_both_ends() {
        assert_eq!(in_schema("public\tshop\tvariants", "public"), Some(("shop", "variants")));
        assert_eq!(in_schema("public\t\tproducts", "public"), Some(("", "products")), "a TRUNCATE: every store");
        // Tabs inside a quoted schema name or a store id.
        assert_eq!(in_schema("my\tschema\tshop\tproduct_cards", "my\tschema"), Some(("shop", "product_cards")));
        assert_eq!(in_schema("public\tod\td shop\tproducts", "public"), Some(("od\td shop", "products")));
        // Another schema, even one this one begins with, is not ours.
        assert_eq!(in_schema("public2\tshop\tproducts", "public"), None);
        // Schema `my\tschema` as seen from schema `my` reads as a store
        // `schema\tshop` of `my`: at worst a store nobody keeps is dropped,
        // never a write to one of `my`'s stores missed.
        assert_eq!(in_schema("my\tschema\tshop\tproducts", "my"), Some(("schema\tshop", "products")));
        assert_eq!(in_schema("public\tshop", "public"), None, "no last field");
    }
}
