//! SQLite backend: the embedded, single-process default. Full text through
//! an FTS5 table kept in step with the cards by triggers; vectors as
//! little-endian f32 BLOBs, searched through an exact in-process index
//! ([`VectorIndex`]) per (store, model, dimension).
//!
//! The index is loaded from the database on a store's first search and
//! then kept in step by this value's own writes (`save_embeddings`,
//! `delete_product`; product upserts keep embeddings and so never touch
//! it). That in-process cache is sound because this backend is meant for
//! one gateway process owning its database file: a second process writing
//! the same file would not be seen until restart. Use PostgreSQL to run
//! several gateway processes. Products read by chat turns are kept the same
//! way ([`ProductCache`]), dropped by this value's writes to a store's
//! products and variants.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::types::Json;
use sqlx::{ConnectOptions, Connection, QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};

use super::postgres::{
    check_card, check_embeddings, clamp_limit, clean_terms, fold, in_given_order, message_insert_error, micros, product_fingerprint, unique_variants,
    valid_dims,
};
use super::product_cache::ProductCache;
use super::text_index::{TEXT_INDEX_MAX_CARDS, TextEntry, TextIndexes, Widened, Widening, build_index, index_title, widening_steps};
use super::tickets::{self, TicketRow, bind_ticket};
use super::vector_index::{VectorIndex, decode_f32_le, encode_f32_le};
use super::{
    CardEmbedding, CatalogStore, Conversation, ConversationStore, MessageAnalysis, MessageRole, RunPlan, StaleCard, Storage, StorageError, StorageResult,
    StoreRecord, StoredMessage, StoredVersion, SyncLease, SyncState, TextQuery, Ticket, TicketStatus, UpsertOutcome, upsert_runs,
};
use crate::catalog::{Product, ProductCard, Review, Translation, Variant};
use crate::classify::Label;
use crate::search::ScoredProduct;

/// The insert of one message.
const INSERT_MESSAGE: &str = "INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (store_id, id) DO NOTHING";
/// A new conversation and its first message in one round trip.
const INSERT_CONVERSATION_AND_MESSAGE: &str = "INSERT INTO conversations (store_id, id, created_at) VALUES (?1, ?3, ?15) ON CONFLICT (store_id, id) DO NOTHING;
             INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (store_id, id) DO NOTHING";
/// An answer and the analysis of the shopper message it answers in one
/// round trip (the message's 14 parameters, then language, label and the
/// answered message's id).
const ANALYSE_AND_INSERT_ANSWER: &str = "UPDATE messages SET language = COALESCE(?15, language), label = COALESCE(?16, label) WHERE store_id = ?1 AND id = ?17;
             INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT (store_id, id) DO NOTHING";
/// SQLite's limit on bound parameters is 32,766; stay well under it.
const MAX_BINDS: usize = 16_000;
/// Scans of more f32 values than this run on a blocking thread.
const BLOCKING_SCAN_FLOATS: usize = 1 << 21;
const MAX_K: usize = 10_000;

type IndexKey = (String, String, usize);

#[derive(Default)]
struct VectorCache {
    indexes: HashMap<IndexKey, Arc<RwLock<VectorIndex>>>,
    /// Bumped by every write to a store's embeddings, so a load that raced
    /// with a write is not cached.
    generations: HashMap<String, u64>,
}

/// How the backend reaches its database. A private in-memory database
/// lives in a single connection, which statements take in turn through a
/// fair lock: through a pool, every statement also paid a release task and
/// a ping round trip to the connection's thread, and under load the one
/// connection sat idle between statements while they ran.
enum Db {
    Memory(tokio::sync::Mutex<SqliteConnection>),
    File(SqlitePool),
}

/// A connection held for a statement or a transaction.
enum DbConnection<'a> {
    Memory(tokio::sync::MutexGuard<'a, SqliteConnection>),
    File(PoolConnection<Sqlite>),
}

impl std::ops::Deref for DbConnection<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            DbConnection::Memory(guard) => guard,
            DbConnection::File(connection) => connection,
        }
    }
}

impl std::ops::DerefMut for DbConnection<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            DbConnection::Memory(guard) => guard,
            DbConnection::File(connection) => connection,
        }
    }
}

pub struct SqliteStorage {
    db: Db,
    vectors: Mutex<VectorCache>,
    /// The loaded full-text indexes (see [`TextIndex`]); stores with more
    /// cards than `text_index_max` are ranked by FTS5 instead.
    texts: TextIndexes,
    /// Stores with more cards are ranked by FTS5 ([`TEXT_INDEX_MAX_CARDS`]
    /// unless changed).
    text_index_max: AtomicUsize,
    /// Products as last read, for chat turns' card loads.
    products: ProductCache,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let connections = match &self.db {
            Db::Memory(_) => 1,
            Db::File(pool) => pool.size(),
        };
        f.debug_struct("SqliteStorage").field("connections", &connections).finish_non_exhaustive()
    }
}

impl SqliteStorage {
    /// Opens `sqlite::memory:` (a private in-memory database on one
    /// connection that lives as long as this value), a `sqlite:` URL, or a
    /// file path (created if missing, in WAL mode).
    pub async fn open(path_or_memory: &str) -> StorageResult<Self> {
        let memory = matches!(path_or_memory, "sqlite::memory:" | ":memory:" | "sqlite://:memory:");
        let options = if memory {
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            let options = if path_or_memory.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(path_or_memory)?
            } else {
                SqliteConnectOptions::new().filename(path_or_memory)
            };
            options.create_if_missing(true).journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal)
        };
        let options = options.foreign_keys(true).busy_timeout(Duration::from_secs(10));
        if memory {
            // One connection that never closes: the database lives in it.
            let connection = options.connect().await?;
            return Ok(Self::with_db(Db::Memory(tokio::sync::Mutex::new(connection))));
        }
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(Self::from_pool(pool))
    }

    pub fn from_pool(pool: SqlitePool) -> Self {
        Self::with_db(Db::File(pool))
    }

    fn with_db(db: Db) -> Self {
        Self {
            db,
            vectors: Mutex::new(VectorCache::default()),
            texts: TextIndexes::default(),
            text_index_max: AtomicUsize::new(TEXT_INDEX_MAX_CARDS),
            products: ProductCache::default(),
        }
    }

    /// Stores with more than `n` cards are ranked by FTS5 instead of an
    /// in-process index (0: every store). Applies to stores not searched
    /// yet; for tests of the FTS5 path, which the default reaches only past
    /// 250,000 cards.
    pub fn set_text_index_max_cards(&self, n: usize) {
        self.text_index_max.store(n, Ordering::Relaxed);
    }

    /// Inserts a message with the 13 message parameters bound in order
    /// (`statement` may create its conversation from a 14th, its time).
    async fn insert_message(
        &self,
        statement: &'static str,
        store_id: &str,
        message: &StoredMessage,
        conversation_created: Option<DateTime<Utc>>,
    ) -> StorageResult<()> {
        let mut query = bind_message!(sqlx::query(statement), store_id, message);
        if let Some(created) = conversation_created {
            query = query.bind(micros(created));
        }
        query.execute(&mut *self.db().await?).await.map(drop).map_err(|e| message_insert_error(e, store_id, message))
    }

    /// The pool of a file database (an in-memory one has a single
    /// connection and no pool).
    pub fn pool(&self) -> Option<&SqlitePool> {
        match &self.db {
            Db::Memory(_) => None,
            Db::File(pool) => Some(pool),
        }
    }

    /// A connection for a statement or a transaction: the in-memory
    /// database's one connection (waiters take turns), or one from the pool.
    async fn db(&self) -> StorageResult<DbConnection<'_>> {
        Ok(match &self.db {
            Db::Memory(connection) => DbConnection::Memory(connection.lock().await),
            Db::File(pool) => DbConnection::File(pool.acquire().await?),
        })
    }

    /// Writes many products with their cards in one transaction, for the
    /// first load of a big catalog (seeding, benchmarks). Existing rows are
    /// overwritten (embeddings kept) without computing an [`UpsertOutcome`].
    pub async fn import_products(&self, store_id: &str, items: &[(Product, ProductCard)]) -> StorageResult<()> {
        let _changed = self.products.changing(store_id);
        for (product, card) in items {
            check_card(product, card)?;
        }
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        for chunk in items.chunks(500) {
            let refs: Vec<(&Product, &ProductCard)> = chunk.iter().map(|(p, c)| (p, c)).collect();
            write_products(&mut tx, store_id, &refs, true).await?;
        }
        tx.commit().await?;
        self.texts_saved(store_id, items.iter().map(|(p, c)| (p, c)));
        Ok(())
    }

    /// The loaded index for (store, model, dims), loading it if needed.
    async fn index_for(&self, store_id: &str, model: &str, dims: usize) -> StorageResult<Arc<RwLock<VectorIndex>>> {
        let key = (store_id.to_owned(), model.to_owned(), dims);
        let generation = {
            let cache = self.vectors.lock().expect("vector cache lock");
            if let Some(index) = cache.indexes.get(&key) {
                return Ok(index.clone());
            }
            cache.generations.get(store_id).copied().unwrap_or(0)
        };
        let rows: Vec<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT product_id, embedding FROM product_cards
             WHERE store_id = ?1 AND embedding_model = ?2 AND embedding_dims = ?3 AND embedding IS NOT NULL",
        )
        .bind(store_id)
        .bind(model)
        .bind(dims as i64)
        .fetch_all(&mut *self.db().await?)
        .await?;
        let mut index = VectorIndex::with_capacity(dims, rows.len());
        for (product_id, blob) in rows {
            let vector = decode_f32_le(&blob)
                .filter(|v| v.len() == dims)
                .ok_or_else(|| StorageError::Corrupt(format!("embedding of `{product_id}` in store `{store_id}` is not {dims} f32 values")))?;
            index.upsert(&product_id, &vector);
        }
        let index = Arc::new(RwLock::new(index));
        let mut cache = self.vectors.lock().expect("vector cache lock");
        if cache.generations.get(store_id).copied().unwrap_or(0) == generation {
            // Another search may have loaded it meanwhile; keep the first.
            return Ok(cache.indexes.entry(key).or_insert(index).clone());
        }
        // A write landed while loading: answer from this load, cache nothing.
        Ok(index)
    }

    /// How the store's cards are ranked by words, loading its index if needed.
    async fn text_index_for(&self, store_id: &str) -> StorageResult<TextEntry> {
        let generation = match self.texts.get(store_id) {
            Ok(entry) => return Ok(entry),
            Err(generation) => generation,
        };
        let cards: i64 = sqlx::query_scalar("SELECT count(*) FROM product_cards WHERE store_id = ?1").bind(store_id).fetch_one(&mut *self.db().await?).await?;
        let entry = if cards as usize > self.text_index_max.load(Ordering::Relaxed) {
            TextEntry::Database
        } else {
            let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT product_id, fts_body, fts_title FROM product_cards WHERE store_id = ?1")
                .bind(store_id)
                .fetch_all(&mut *self.db().await?)
                .await?;
            build_index(rows).await?
        };
        Ok(self.texts.keep(store_id, generation, entry))
    }

    /// Applies written cards to the store's loaded text index.
    fn texts_saved<'a>(&self, store_id: &str, items: impl Iterator<Item = (&'a Product, &'a ProductCard)>) {
        // The index folds what it is given.
        let cards = items.map(|(product, card)| (card.product_id.as_str(), card.text.as_str(), index_title(product)));
        self.texts.saved(store_id, cards, self.text_index_max.load(Ordering::Relaxed));
    }

    /// Ranks inside FTS5 (columns: store, body, title; titles weigh most;
    /// BM25 with the table's document frequencies), then looks up only the
    /// k winners; the store is checked again on the card row. Same tokens
    /// and prefixes as [`TextIndex`], and the same widening: cards with
    /// every term first, and only when fewer than k have them, cards with
    /// fewer (see [`widening_steps`]). Each step is one query that stops at
    /// its k best, so a common word costs only when it is all there is.
    async fn fts5_search(&self, store_id: &str, terms: &[String], k: usize) -> StorageResult<Vec<ScoredProduct>> {
        let mut widened = Widened::new(k);
        for step in widening_steps(terms.len()) {
            let expression = format!("store : \"{}\" AND {{body title}} : ({})", store_token(store_id), fts_expression(terms, &step));
            let rows: Vec<(String, f64)> = sqlx::query_as(
                "SELECT c.product_id, -r.rank AS score
                 FROM (SELECT rowid, bm25(product_cards_fts, 0.0, 1.0, 3.0) AS rank FROM product_cards_fts
                       WHERE product_cards_fts MATCH ?1 ORDER BY rank LIMIT ?3) AS r
                 JOIN product_cards c ON c.id = r.rowid AND c.store_id = ?2
                 ORDER BY r.rank, c.product_id",
            )
            .bind(expression)
            .bind(store_id)
            .bind(widened.limit() as i64)
            .fetch_all(&mut *self.db().await?)
            .await?;
            if widened.add(rows.into_iter().map(|(id, score)| (id, score as f32))) {
                break;
            }
        }
        Ok(widened.into_cards())
    }

    /// Applies saved embeddings to the loaded indexes of the store.
    fn cache_saved(&self, store_id: &str, model: &str, saved: &[&CardEmbedding]) {
        let mut cache = self.vectors.lock().expect("vector cache lock");
        *cache.generations.entry(store_id.to_owned()).or_insert(0) += 1;
        for ((store, index_model, dims), index) in cache.indexes.iter() {
            if store != store_id {
                continue;
            }
            let mut index = index.write().expect("vector index lock");
            for e in saved {
                if index_model == model && *dims == e.vector.len() {
                    index.upsert(&e.product_id, &e.vector);
                } else {
                    // The card's embedding now belongs to another model.
                    index.remove(&e.product_id);
                }
            }
        }
    }

    fn cache_removed(&self, store_id: &str, product_id: &str) {
        self.texts.removed(store_id, std::iter::once(product_id));
        let mut cache = self.vectors.lock().expect("vector cache lock");
        *cache.generations.entry(store_id.to_owned()).or_insert(0) += 1;
        for ((store, _, _), index) in cache.indexes.iter() {
            if store == store_id {
                index.write().expect("vector index lock").remove(product_id);
            }
        }
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StorageResult<()> {
        let mut db = self.db().await?;
        sqlx::migrate!("migrations/sqlite").run_direct(&mut *db).await?;
        Ok(())
    }

    async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&mut *self.db().await?).await?;
        Ok(())
    }

    async fn upsert_store(&self, store: &StoreRecord) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO stores (id, name, languages) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, languages = excluded.languages,
               updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE stores.name IS NOT excluded.name OR stores.languages IS NOT excluded.languages",
        )
        .bind(&store.id)
        .bind(&store.name)
        .bind(Json(&store.languages))
        .execute(&mut *self.db().await?)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl CatalogStore for SqliteStorage {
    async fn upsert_products(&self, store_id: &str, items: &[(&Product, &ProductCard)]) -> StorageResult<Vec<UpsertOutcome>> {
        let _changed = self.products.changing(store_id);
        for (product, card) in items {
            check_card(product, card)?;
        }
        // BEGIN IMMEDIATE takes the write lock: reads and writes of the
        // batch see no other writer.
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        let mut outcomes = vec![UpsertOutcome::Unchanged; items.len()];
        for run in upsert_runs(items) {
            for (i, outcome) in upsert_run(&mut tx, store_id, &run).await? {
                outcomes[i] = outcome;
            }
        }
        tx.commit().await?;
        let new_texts = items.iter().zip(&outcomes).filter(|(_, o)| matches!(o, UpsertOutcome::Created | UpsertOutcome::Updated { card_changed: true }));
        self.texts_saved(store_id, new_texts.map(|((product, card), _)| (*product, *card)));
        Ok(outcomes)
    }

    async fn delete_product(&self, store_id: &str, product_id: &str) -> StorageResult<bool> {
        let _changed = self.products.changing(store_id);
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        // The card first, explicitly, so its FTS row goes by trigger.
        sqlx::query("DELETE FROM product_cards WHERE store_id = ?1 AND product_id = ?2").bind(store_id).bind(product_id).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM products WHERE store_id = ?1 AND id = ?2").bind(store_id).bind(product_id).execute(&mut *tx).await?;
        tx.commit().await?;
        if done.rows_affected() > 0 {
            self.cache_removed(store_id, product_id);
        }
        Ok(done.rows_affected() > 0)
    }

    async fn delete_products_as_of(&self, store_id: &str, deletions: &[(String, DateTime<Utc>)]) -> StorageResult<u64> {
        let _changed = self.products.changing(store_id);
        if deletions.is_empty() {
            return Ok(0);
        }
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        let mut removed = Vec::new();
        for (product_id, at) in deletions {
            let at = micros(*at);
            let stored: Option<Option<DateTime<Utc>>> = sqlx::query_scalar("SELECT updated_at FROM products WHERE store_id = ?1 AND id = ?2")
                .bind(store_id)
                .bind(product_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(updated_at) = stored
                && updated_at.is_none_or(|updated| updated <= at)
            {
                // The card first, explicitly, so its FTS row goes by trigger.
                sqlx::query("DELETE FROM product_cards WHERE store_id = ?1 AND product_id = ?2").bind(store_id).bind(product_id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM products WHERE store_id = ?1 AND id = ?2").bind(store_id).bind(product_id).execute(&mut *tx).await?;
                removed.push(product_id.as_str());
            }
            sqlx::query(
                "INSERT INTO product_tombstones (store_id, product_id, deleted_at_us) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store_id, product_id) DO UPDATE SET deleted_at_us = max(deleted_at_us, excluded.deleted_at_us)",
            )
            .bind(store_id)
            .bind(product_id)
            .bind(at.timestamp_micros())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        for product_id in &removed {
            self.cache_removed(store_id, product_id);
        }
        Ok(removed.len() as u64)
    }

    async fn claim_webhook_delivery(&self, store_id: &str, delivery_id: &str, received_at: DateTime<Utc>, keep_since: DateTime<Utc>) -> StorageResult<bool> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE store_id = ?1 AND received_at_us < ?2")
            .bind(store_id)
            .bind(keep_since.timestamp_micros())
            .execute(&mut *self.db().await?)
            .await?;
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (store_id, delivery_id, received_at_us) VALUES (?1, ?2, ?3)
             ON CONFLICT (store_id, delivery_id) DO NOTHING",
        )
        .bind(store_id)
        .bind(delivery_id)
        .bind(received_at.timestamp_micros())
        .execute(&mut *self.db().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_webhook_delivery(&self, store_id: &str, delivery_id: &str) -> StorageResult<()> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE store_id = ?1 AND delivery_id = ?2")
            .bind(store_id)
            .bind(delivery_id)
            .execute(&mut *self.db().await?)
            .await?;
        Ok(())
    }

    async fn get_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Product>> {
        Ok(self.get_shared_products(store_id, product_ids).await?.into_iter().map(Arc::unwrap_or_clone).collect())
    }

    async fn get_shared_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Arc<Product>>> {
        let kept = self.products.lookup(store_id, product_ids);
        let mut products = kept.found;
        if kept.missing.is_empty() {
            return Ok(in_given_order(product_ids, products));
        }
        let mut read: Vec<Arc<Product>> = Vec::with_capacity(kept.missing.len());
        // One statement: each product with its variants as a JSON array, in
        // position order (one round trip to the connection's thread).
        for chunk in kept.missing.chunks(MAX_BINDS) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "SELECT p.id, p.handle, p.title, p.description, p.category, p.vendor, p.tags, p.attributes, p.reviews, p.translations,
                        p.url, p.image, p.updated_at,
                        (SELECT json_group_array(json_object('sku', v.sku, 'title', v.title, 'options', json(v.options), 'price', v.price,
                                                             'compare_at_price', v.compare_at_price, 'stock', v.inventory_quantity))
                         FROM (SELECT * FROM variants v WHERE v.store_id = p.store_id AND v.product_id = p.id ORDER BY v.position) AS v) AS variants
                 FROM products p WHERE p.store_id = ",
            );
            qb.push_bind(store_id).push(" AND p.id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(id);
            }
            qb.push(")");
            let rows = qb.build().fetch_all(&mut *self.db().await?).await?;
            for row in rows {
                let mut product = product_from_row(&row)?;
                let variants: Json<Vec<Variant>> = row.try_get("variants")?;
                product.variants = variants.0;
                read.push(Arc::new(product));
            }
        }
        self.products.keep(store_id, kept.generation, &read);
        products.extend(read.into_iter().map(|p| (p.id.clone(), p)));
        Ok(in_given_order(product_ids, products))
    }

    async fn count_products(&self, store_id: &str) -> StorageResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE store_id = ?1").bind(store_id).fetch_one(&mut *self.db().await?).await?;
        Ok(n.max(0) as u64)
    }

    async fn product_ids(&self, store_id: &str) -> StorageResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM products WHERE store_id = ?1 ORDER BY id").bind(store_id).fetch_all(&mut *self.db().await?).await?)
    }

    async fn find_variant(&self, store_id: &str, sku: &str) -> StorageResult<Option<(String, Variant)>> {
        let row = sqlx::query(
            "SELECT product_id, sku, title, options, price, compare_at_price, inventory_quantity
             FROM variants WHERE store_id = ?1 AND sku = ?2",
        )
        .bind(store_id)
        .bind(sku)
        .fetch_optional(&mut *self.db().await?)
        .await?;
        row.map(|row| Ok((row.try_get("product_id")?, variant_from_row(&row)?))).transpose()
    }

    async fn products_synced_before(&self, store_id: &str, time: DateTime<Utc>) -> StorageResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM products WHERE store_id = ?1 AND synced_at < ?2 ORDER BY id")
            .bind(store_id)
            .bind(micros(time))
            .fetch_all(&mut *self.db().await?)
            .await?)
    }

    async fn set_stock(&self, store_id: &str, levels: &[(String, i64)]) -> StorageResult<u64> {
        let _changed = self.products.changing(store_id);
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        let mut found = 0;
        for (sku, quantity) in levels {
            let done = sqlx::query("UPDATE variants SET inventory_quantity = ?3 WHERE store_id = ?1 AND sku = ?2")
                .bind(store_id)
                .bind(sku)
                .bind(quantity)
                .execute(&mut *tx)
                .await?;
            found += done.rows_affected();
        }
        tx.commit().await?;
        Ok(found)
    }

    async fn lease_store_sync(&self, _store_id: &str) -> StorageResult<Option<SyncLease>> {
        // One process owns an embedded SQLite file; its per-store sync lock
        // (in `App`) is all the exclusion there is to have.
        Ok(Some(SyncLease::local()))
    }

    async fn get_sync_state(&self, store_id: &str) -> StorageResult<Option<SyncState>> {
        let row: Option<Json<SyncState>> =
            sqlx::query_scalar("SELECT state FROM connector_sync_state WHERE store_id = ?1").bind(store_id).fetch_optional(&mut *self.db().await?).await?;
        Ok(row.map(|j| j.0))
    }

    async fn save_sync_state(&self, state: &SyncState) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO connector_sync_state (store_id, state, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (store_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(&state.store_id)
        .bind(Json(state))
        .bind(micros(Utc::now()))
        .execute(&mut *self.db().await?)
        .await?;
        Ok(())
    }

    async fn stale_cards(&self, store_id: &str, embedding_model: &str, limit: usize) -> StorageResult<Vec<StaleCard>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT product_id, text, content_hash FROM product_cards
             WHERE store_id = ?1
               AND (embedding IS NULL OR embedding_model IS NOT ?2 OR embedding_hash IS NOT content_hash)
             ORDER BY product_id
             LIMIT ?3",
        )
        .bind(store_id)
        .bind(embedding_model)
        .bind(clamp_limit(limit))
        .fetch_all(&mut *self.db().await?)
        .await?;
        Ok(rows.into_iter().map(|(product_id, text, content_hash)| StaleCard { product_id, text, content_hash }).collect())
    }

    async fn save_embeddings(&self, store_id: &str, embedding_model: &str, embeddings: &[CardEmbedding]) -> StorageResult<()> {
        let Some(dims) = check_embeddings(embeddings)? else {
            return Ok(());
        };
        let now = micros(Utc::now());
        let mut saved = Vec::with_capacity(embeddings.len());
        let mut db = self.db().await?;
        let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
        for e in embeddings {
            // Skipped when the card changed since its text was embedded.
            let done = sqlx::query(
                "UPDATE product_cards SET embedding = ?1, embedding_dims = ?2, embedding_model = ?3, embedding_hash = ?4, embedded_at = ?5
                 WHERE store_id = ?6 AND product_id = ?7 AND content_hash = ?4",
            )
            .bind(encode_f32_le(&e.vector))
            .bind(dims as i64)
            .bind(embedding_model)
            .bind(&e.content_hash)
            .bind(now)
            .bind(store_id)
            .bind(&e.product_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() > 0 {
                saved.push(e);
            }
        }
        tx.commit().await?;
        if !saved.is_empty() {
            self.cache_saved(store_id, embedding_model, &saved);
        }
        Ok(())
    }

    async fn vector_search(&self, store_id: &str, embedding_model: &str, query: &[f32], k: usize) -> StorageResult<Vec<ScoredProduct>> {
        let dims = valid_dims(query.len())?;
        if query.iter().any(|x| !x.is_finite()) {
            return Err(StorageError::Invalid("query vector has a value that is not finite".into()));
        }
        let k = k.min(MAX_K);
        if k == 0 {
            return Ok(Vec::new());
        }
        let index = self.index_for(store_id, embedding_model, dims).await?;
        let size = index.read().expect("vector index lock").len() * dims;
        let hits = if size >= BLOCKING_SCAN_FLOATS {
            // Big scans would hold up the async runtime's worker thread.
            let query = query.to_vec();
            tokio::task::spawn_blocking(move || index.read().expect("vector index lock").search(&query, k))
                .await
                .map_err(|e| StorageError::Invalid(format!("vector scan failed: {e}")))?
        } else {
            index.read().expect("vector index lock").search(query, k)
        };
        Ok(hits.into_iter().map(|h| ScoredProduct { product_id: h.id, score: h.score }).collect())
    }

    async fn text_search(&self, store_id: &str, query: &TextQuery, k: usize) -> StorageResult<Vec<ScoredProduct>> {
        let terms = clean_terms(&query.terms);
        let k = k.min(MAX_K);
        if terms.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        match self.text_index_for(store_id).await? {
            TextEntry::Loaded(index) => {
                let hits = index.read().expect("text index lock").search(&terms, k);
                Ok(hits.into_iter().map(|h| ScoredProduct { product_id: h.id, score: h.score }).collect())
            }
            TextEntry::Database => self.fts5_search(store_id, &terms, k).await,
        }
    }
}

#[async_trait]
impl ConversationStore for SqliteStorage {
    async fn create_conversation(&self, conversation: &Conversation) -> StorageResult<()> {
        sqlx::query("INSERT INTO conversations (store_id, id, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (store_id, id) DO NOTHING")
            .bind(&conversation.store_id)
            .bind(&conversation.id)
            .bind(micros(conversation.created_at))
            .execute(&mut *self.db().await?)
            .await?;
        Ok(())
    }

    async fn get_conversation(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Conversation>> {
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as("SELECT id, store_id, created_at FROM conversations WHERE store_id = ?1 AND id = ?2")
            .bind(store_id)
            .bind(conversation_id)
            .fetch_optional(&mut *self.db().await?)
            .await?;
        Ok(row.map(|(id, store_id, created_at)| Conversation { id, store_id, created_at }))
    }

    async fn append_message(&self, store_id: &str, message: &StoredMessage) -> StorageResult<()> {
        self.insert_message(INSERT_MESSAGE, store_id, message, None).await
    }

    async fn create_conversation_with_message(&self, conversation: &Conversation, message: &StoredMessage) -> StorageResult<()> {
        if message.conversation_id != conversation.id {
            return Err(StorageError::Invalid(format!(
                "message `{}` belongs to conversation `{}`, not `{}`",
                message.id, message.conversation_id, conversation.id
            )));
        }
        self.insert_message(INSERT_CONVERSATION_AND_MESSAGE, &conversation.store_id, message, Some(conversation.created_at)).await
    }

    async fn append_answer(&self, store_id: &str, answered: &MessageAnalysis<'_>, answer: &StoredMessage) -> StorageResult<()> {
        bind_message!(sqlx::query(ANALYSE_AND_INSERT_ANSWER), store_id, answer)
            .bind(answered.language)
            .bind(answered.label.map(Label::as_str))
            .bind(answered.message_id)
            .execute(&mut *self.db().await?)
            .await
            .map(drop)
            .map_err(|e| message_insert_error(e, store_id, answer))
    }

    async fn set_message_analysis(&self, store_id: &str, message_id: &str, language: Option<&str>, label: Option<Label>) -> StorageResult<()> {
        // None leaves a value as it was.
        sqlx::query("UPDATE messages SET language = COALESCE(?3, language), label = COALESCE(?4, label) WHERE store_id = ?1 AND id = ?2")
            .bind(store_id)
            .bind(message_id)
            .bind(language)
            .bind(label.map(Label::as_str))
            .execute(&mut *self.db().await?)
            .await?;
        Ok(())
    }

    async fn list_messages(&self, store_id: &str, conversation_id: &str) -> StorageResult<Vec<StoredMessage>> {
        let rows = sqlx::query(
            "SELECT id, conversation_id, role, text, language, label, tool_calls, model, latency_ms, prompt_tokens,
                    completion_tokens, cost, created_at
             FROM messages WHERE store_id = ?1 AND conversation_id = ?2 ORDER BY seq",
        )
        .bind(store_id)
        .bind(conversation_id)
        .fetch_all(&mut *self.db().await?)
        .await?;
        rows.iter()
            .map(|row| {
                let role: String = row.try_get("role")?;
                let tool_calls: Json<serde_json::Value> = row.try_get("tool_calls")?;
                Ok(StoredMessage {
                    id: row.try_get("id")?,
                    conversation_id: row.try_get("conversation_id")?,
                    role: MessageRole::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("unknown message role `{role}`")))?,
                    text: row.try_get("text")?,
                    language: row.try_get("language")?,
                    label: super::parse_label(row.try_get("label")?),
                    tool_calls: tool_calls.0,
                    model: row.try_get("model")?,
                    latency_ms: row.try_get("latency_ms")?,
                    prompt_tokens: row.try_get("prompt_tokens")?,
                    completion_tokens: row.try_get("completion_tokens")?,
                    cost: row.try_get("cost")?,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }
}

/// The FTS5 token naming a store: `s` and the hex of its id (one token
/// whatever the id's characters, and distinct for distinct ids).
fn store_token(store_id: &str) -> String {
    format!("s{}", hex::encode(store_id.as_bytes()))
}

/// The FTS5 expression of one widening step: an OR of AND groups of
/// terms, each term quoted, and words of five or more letters also as a
/// shorter prefix to catch plurals and inflections the tokenizer does not
/// stem (`("camisas" OR "camis"*) AND "red"`).
fn fts_expression(terms: &[String], step: &Widening) -> String {
    let groups: Vec<String> =
        step.groups.iter().map(|group| format!("({})", group.iter().map(|&i| fts_term(&terms[i])).collect::<Vec<_>>().join(" AND "))).collect();
    groups.join(" OR ")
}

/// One quoted term, or the term or its prefix.
fn fts_term(term: &str) -> String {
    let quoted = term.replace('"', "\"\"");
    let chars: Vec<char> = quoted.chars().collect();
    if chars.len() < 5 {
        return format!("\"{quoted}\"");
    }
    let keep = if chars.len() >= 7 { chars.len() - 2 } else { chars.len() - 1 };
    let prefix: String = chars[..keep.max(4)].iter().collect();
    format!("(\"{quoted}\" OR \"{prefix}\"*)")
}

/// One run of an upsert batch (see [`upsert_runs`]), inside the batch's
/// write transaction: what storage holds of its products read in one
/// statement per [`MAX_BINDS`] ids, then each kind of write in multi-row
/// statements. Returns each item's (batch index, outcome).
async fn upsert_run(conn: &mut SqliteConnection, store_id: &str, run: &[(usize, &Product, &ProductCard)]) -> StorageResult<Vec<(usize, UpsertOutcome)>> {
    let mut stored = HashMap::new();
    let mut deleted = HashMap::new();
    for chunk in run.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT p.id, p.fingerprint, c.content_hash, p.updated_at FROM products p
             LEFT JOIN product_cards c ON c.store_id = p.store_id AND c.product_id = p.id
             WHERE p.store_id = ",
        );
        qb.push_bind(store_id).push(" AND p.id IN (");
        push_ids(&mut qb, chunk.iter().map(|(_, p, _)| p.id.as_str()));
        for row in qb.build().fetch_all(&mut *conn).await? {
            let version = StoredVersion { fingerprint: row.try_get(1)?, content_hash: row.try_get(2)?, updated_at: row.try_get(3)? };
            stored.insert(row.try_get::<String, _>(0)?, version);
        }
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT product_id, deleted_at_us FROM product_tombstones WHERE store_id = ");
        qb.push_bind(store_id).push(" AND product_id IN (");
        push_ids(&mut qb, chunk.iter().map(|(_, p, _)| p.id.as_str()));
        for row in qb.build().fetch_all(&mut *conn).await? {
            if let Some(at) = DateTime::<Utc>::from_timestamp_micros(row.try_get(1)?) {
                deleted.insert(row.try_get::<String, _>(0)?, at);
            }
        }
    }
    let (plan, outcomes) = RunPlan::decide(run, &stored, &deleted);
    write_products(conn, store_id, &plan.with_cards, true).await?;
    write_products(conn, store_id, &plan.without_cards, false).await?;
    let now = micros(Utc::now());
    for chunk in plan.confirmed.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("UPDATE products SET synced_at = ");
        qb.push_bind(now).push(" WHERE store_id = ").push_bind(store_id).push(" AND id IN (");
        push_ids(&mut qb, chunk.iter().copied());
        qb.build().execute(&mut *conn).await?;
    }
    for chunk in plan.tombstones_cleared.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM product_tombstones WHERE store_id = ");
        qb.push_bind(store_id).push(" AND product_id IN (");
        push_ids(&mut qb, chunk.iter().copied());
        qb.build().execute(&mut *conn).await?;
    }
    Ok(outcomes)
}

/// `?, ?, ...)`: the ids bound, closing an `IN (` list.
fn push_ids<'a>(qb: &mut QueryBuilder<'a, Sqlite>, ids: impl Iterator<Item = &'a str>) {
    let mut list = qb.separated(", ");
    for id in ids {
        list.push_bind(id);
    }
    qb.push(")");
}

/// Upserts products (and their cards when `with_cards`) and replaces their
/// variants, in multi-row statements.
async fn write_products(conn: &mut SqliteConnection, store_id: &str, items: &[(&Product, &ProductCard)], with_cards: bool) -> StorageResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let now = micros(Utc::now());
    let fingerprints: Vec<String> = items.iter().map(|(p, _)| product_fingerprint(p)).collect();
    for chunk in items.iter().zip(&fingerprints).collect::<Vec<_>>().chunks(MAX_BINDS / 16) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO products (store_id, id, handle, title, description, category, vendor, tags, attributes, reviews,
                                   translations, url, image, updated_at, fingerprint, synced_at) ",
        );
        qb.push_values(chunk, |mut b, ((p, _), fingerprint)| {
            b.push_bind(store_id)
                .push_bind(&p.id)
                .push_bind(&p.handle)
                .push_bind(&p.title)
                .push_bind(&p.description)
                .push_bind(&p.category)
                .push_bind(&p.vendor)
                .push_bind(Json(&p.tags))
                .push_bind(Json(&p.attributes))
                .push_bind(Json(&p.reviews))
                .push_bind(Json(&p.translations))
                .push_bind(&p.url)
                .push_bind(&p.image)
                .push_bind(p.updated_at.map(micros))
                .push_bind(*fingerprint)
                .push_bind(now);
        });
        qb.push(
            " ON CONFLICT (store_id, id) DO UPDATE SET handle = excluded.handle, title = excluded.title,
              description = excluded.description, category = excluded.category, vendor = excluded.vendor,
              tags = excluded.tags, attributes = excluded.attributes, reviews = excluded.reviews,
              translations = excluded.translations, url = excluded.url, image = excluded.image,
              updated_at = excluded.updated_at, fingerprint = excluded.fingerprint, synced_at = excluded.synced_at",
        );
        qb.build().execute(&mut *conn).await?;
    }

    for chunk in items.chunks(MAX_BINDS / 2) {
        let mut qb = QueryBuilder::<Sqlite>::new("DELETE FROM variants WHERE store_id = ");
        qb.push_bind(store_id).push(" AND product_id IN (");
        let mut list = qb.separated(", ");
        for (p, _) in chunk {
            list.push_bind(&p.id);
        }
        qb.push(")");
        qb.build().execute(&mut *conn).await?;
    }
    let variants = unique_variants(items.iter().map(|(p, _)| *p));
    for chunk in variants.chunks(MAX_BINDS / 9) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO variants (store_id, product_id, sku, title, options, price, compare_at_price, inventory_quantity, position) ",
        );
        qb.push_values(chunk, |mut b, (product_id, position, v)| {
            b.push_bind(store_id)
                .push_bind(*product_id)
                .push_bind(&v.sku)
                .push_bind(&v.title)
                .push_bind(Json(&v.options))
                .push_bind(&v.price)
                .push_bind(&v.compare_at_price)
                .push_bind(v.inventory_quantity)
                .push_bind(*position as i64);
        });
        // A SKU that moved to another product follows it.
        qb.push(
            " ON CONFLICT (store_id, sku) DO UPDATE SET product_id = excluded.product_id, title = excluded.title,
              options = excluded.options, price = excluded.price, compare_at_price = excluded.compare_at_price,
              inventory_quantity = excluded.inventory_quantity, position = excluded.position",
        );
        qb.build().execute(&mut *conn).await?;
    }

    if with_cards {
        let rows: Vec<(&str, &str, &str, String, String)> = items
            .iter()
            .map(|(p, card)| (card.product_id.as_str(), card.text.as_str(), card.content_hash.as_str(), fold(&card.text), index_title(p)))
            .collect();
        for chunk in rows.chunks(MAX_BINDS / 7) {
            let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO product_cards (store_id, product_id, text, content_hash, fts_body, fts_title, updated_at) ");
            qb.push_values(chunk, |mut b, (product_id, text, hash, body, title)| {
                b.push_bind(store_id).push_bind(*product_id).push_bind(*text).push_bind(*hash).push_bind(body).push_bind(title).push_bind(now);
            });
            // The embedding stays until a new one is saved; stale_cards
            // sees the hash mismatch. The FTS row follows by trigger.
            qb.push(
                " ON CONFLICT (store_id, product_id) DO UPDATE SET text = excluded.text, content_hash = excluded.content_hash,
                  fts_body = excluded.fts_body, fts_title = excluded.fts_title, updated_at = excluded.updated_at",
            );
            qb.build().execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The titles, main and translated, folded: the highest-weighted column.
fn product_from_row(row: &SqliteRow) -> StorageResult<Product> {
    let tags: Json<Vec<String>> = row.try_get("tags")?;
    let attributes: Json<BTreeMap<String, String>> = row.try_get("attributes")?;
    let reviews: Json<Vec<Review>> = row.try_get("reviews")?;
    let translations: Json<BTreeMap<String, Translation>> = row.try_get("translations")?;
    Ok(Product {
        id: row.try_get("id")?,
        handle: row.try_get("handle")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        category: row.try_get("category")?,
        vendor: row.try_get("vendor")?,
        tags: tags.0,
        attributes: attributes.0,
        reviews: reviews.0,
        translations: translations.0,
        url: row.try_get("url")?,
        image: row.try_get("image")?,
        updated_at: row.try_get("updated_at")?,
        variants: Vec::new(),
    })
}

fn variant_from_row(row: &SqliteRow) -> StorageResult<Variant> {
    let options: Json<BTreeMap<String, String>> = row.try_get("options")?;
    Ok(Variant {
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        options: options.0,
        price: row.try_get("price")?,
        compare_at_price: row.try_get("compare_at_price")?,
        inventory_quantity: row.try_get("inventory_quantity")?,
    })
}

super::tickets::ticket_store!(SqliteStorage, tickets::for_sqlite);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_expression_quotes_and_adds_prefixes() {
        let terms = vec!["camisas".to_owned(), "shirts".to_owned(), "red".to_owned(), "pantalones".to_owned()];
        let steps = widening_steps(terms.len());
        assert_eq!(
            fts_expression(&terms, &steps[0]),
            "((\"camisas\" OR \"camis\"*) AND (\"shirts\" OR \"shirt\"*) AND \"red\" AND (\"pantalones\" OR \"pantalon\"*))"
        );
        let any = steps.last().expect("an any-term step");
        assert_eq!(fts_expression(&terms[2..3], &widening_steps(1)[0]), "(\"red\")");
        assert_eq!(any.groups.len(), 4);
        assert_eq!(fts_term("a\"b"), "\"a\"\"b\"");
    }
}
