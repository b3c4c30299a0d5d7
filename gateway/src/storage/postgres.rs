//! PostgreSQL backend, with pgvector for nearest-neighbour search and the
//! built-in full text search with a stemmer per card language.
//!
//! Embeddings live in one `vector` column without a fixed dimension, next
//! to `embedding_dims`. Each dimension d in use gets a partial expression
//! HNSW index on `(embedding::halfvec(d)) WHERE embedding_dims = d`, created
//! the first time this process saves embeddings of that size (and, for
//! dimensions already stored, when it migrates); searches repeat that
//! expression and the literal predicate so the planner can use it (the
//! build locks out card writes meanwhile: about two minutes for 100,000
//! cards of 384 dimensions on two cores). The index holds half-precision
//! copies: half the size of a `vector` index and a faster walk, and HNSW for
//! up to 4,000 dimensions; the rows it finds are re-ranked by their full
//! precision vectors. Index searches run with pgvector's iterative scans so
//! the store filter, applied after the graph walk, still yields k rows.
//! Stores with few embedded cards are scanned exactly instead (faster than
//! walking a graph shared with big stores, and exact), in process from
//! their vectors as kept (see `pg_vectors`) or, right after a write to the
//! store's cards, in the database.
//!
//! Full text: each card segment is stemmed with its language's
//! configuration, the title also unstemmed (`simple`), all folded like the
//! shoppers' words; a query term matches in any requested language, and
//! cards with every term come first (widening to fewer terms only when
//! too few have them all). Stores of up to 250,000 cards are ranked in
//! process instead, by the BM25 index the SQLite backend uses, kept current
//! across replicas by notifications (see `pg_kept`); the tsvector stays the
//! durable index and ranks bigger stores.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::query_builder::Separated;
use sqlx::types::Json;
use sqlx::{Connection, PgConnection, PgPool, Postgres, QueryBuilder, Row};

use super::pg_kept::PgKept;
use super::pg_vectors::Lookup;
use super::text_index::{TextEntry, Widened, Widening, index_title, widening_steps};
use super::tickets::{self, TicketRow, bind_ticket};
use super::vector_index::VectorIndex;
use super::{
    CardEmbedding, CatalogStore, Conversation, ConversationStore, MessageAnalysis, MessageRole, RunPlan, StaleCard, Storage, StorageError, StorageResult,
    StoreRecord, StoredMessage, StoredVersion, SyncLease, SyncState, TextQuery, Ticket, TicketStatus, UpsertOutcome, upsert_runs,
};
use crate::catalog::{Product, ProductCard, Review, Translation, Variant};
use crate::classify::Label;
use crate::search::ScoredProduct;

/// The largest dimension pgvector's `vector` type takes.
pub const MAX_DIMENSIONS: usize = 16_000;
/// The largest dimension pgvector can index with HNSW (as `halfvec`);
/// larger embeddings are searched exactly.
pub const MAX_HNSW_DIMENSIONS: usize = 4_000;
/// Stores with at most this many embedded cards (for the model and
/// dimension searched) are scanned exactly rather than through the index.
pub const DEFAULT_EXACT_SCAN_MAX: usize = 2_000;
/// How long a store's embedded-card count is trusted when choosing between
/// exact and index search (only speed depends on it).
const COUNT_TTL: Duration = Duration::from_secs(60);
/// Most rows one search may return.
const MAX_K: usize = 10_000;
/// Bound parameters per statement, well under PostgreSQL's 65,535.
const MAX_BINDS: usize = 30_000;
/// The insert of one message.
const INSERT_MESSAGE: &str = "INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (store_id, id) DO NOTHING";
/// A new conversation and its first message in one round trip.
const INSERT_CONVERSATION_AND_MESSAGE: &str = "WITH conversation AS (
                 INSERT INTO conversations (store_id, id, created_at) VALUES ($1, $3, $15) ON CONFLICT (store_id, id) DO NOTHING
             )
             INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (store_id, id) DO NOTHING";

/// An answer and the analysis of the shopper message it answers in one
/// round trip (the message's 14 parameters, then language, label and the
/// answered message's id).
const ANALYSE_AND_INSERT_ANSWER: &str = "WITH analysed AS (
                 UPDATE messages SET language = COALESCE($15, language), label = COALESCE($16, label) WHERE store_id = $1 AND id = $17
             )
             INSERT INTO messages (store_id, id, conversation_id, role, text, language, label, tool_calls, model,
                                   latency_ms, prompt_tokens, completion_tokens, cost, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (store_id, id) DO NOTHING";

/// (store, embedding model, dimensions).
type CountKey = (String, String, usize);

/// The store's ($1) cards embedded by a model ($2) in a dimension ($3): the
/// ones counted to choose an exact scan and the ones it loads.
macro_rules! embedded_cards {
    () => {
        "FROM product_cards WHERE store_id = $1 AND embedding_model = $2 AND embedding_dims = $3 AND embedding IS NOT NULL"
    };
}

pub struct PgStorage {
    pool: PgPool,
    /// Dimensions whose HNSW index is known to exist.
    hnsw_ready: Mutex<HashSet<usize>>,
    /// Embedded cards per (store, model, dims), with when they were counted.
    counts: Mutex<HashMap<CountKey, (u64, Instant)>>,
    exact_scan_max: AtomicUsize,
    /// The pool's sessions carry [`PgStorage::tune`]'s settings, so most
    /// index searches need no transaction to set them.
    tuned_sessions: bool,
    /// When a statement last lost its connection (shared with the pool's
    /// `before_acquire` check).
    losses: Arc<ConnectionLosses>,
    /// Full text ranked in process and products kept (see [`PgKept`]).
    kept: PgKept,
}

/// How long after a lost connection the pool pings the connections opened
/// before it. A restart closes every one of them; a ping finds each dead
/// one before a statement does, and the pool opens a fresh one instead.
const SUSPECT_AFTER_LOSS: Duration = Duration::from_secs(30);
/// How long a request waits for a pooled connection. While PostgreSQL is
/// down the pool retries refused connections until then; the request then
/// fails as [`StorageError::Unavailable`] (HTTP 503) instead of hanging.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// The time of the last lost connection, as milliseconds after `since`
/// plus one (0: none yet), read on every acquire without a lock.
#[derive(Debug)]
struct ConnectionLosses {
    since: Instant,
    last: AtomicU64,
}

impl Default for ConnectionLosses {
    fn default() -> Self {
        Self { since: Instant::now(), last: AtomicU64::new(0) }
    }
}

impl ConnectionLosses {
    fn note(&self) {
        self.last.store(self.since.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
    }

    /// A pooled connection of this `age` was opened before a recent loss.
    fn suspects(&self, age: Duration) -> bool {
        match self.last.load(Ordering::Relaxed) {
            0 => false,
            at => {
                let ago = self.since.elapsed().saturating_sub(Duration::from_millis(at - 1));
                ago < SUSPECT_AFTER_LOSS && age >= ago
            }
        }
    }
}

/// A pooled connection idle for longer than this is pinged before use.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The narrowest `hnsw.ef_search` of an index search. pgvector's default
/// of 40 found 0.89 of the exact top 8 on the benchmark's 100,000
/// clustered cards; 100 found 0.97 (p95 2.3 ms against 5.3 ms).
const MIN_EF_SEARCH: usize = 100;
/// `hnsw.ef_search` of tuned sessions: searches for k up to it need no
/// settings of their own (a chat turn asks for 40 candidates).
const SESSION_EF_SEARCH: usize = MIN_EF_SEARCH;

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage").field("pool_size", &self.pool.size()).finish_non_exhaustive()
    }
}

impl PgStorage {
    /// Connects a pool of at most `max_connections` to `url`
    /// (`postgres://user@host:port/db`, libpq-style `options=-c search_path=...` allowed).
    pub async fn connect(url: &str, max_connections: u32) -> StorageResult<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?, max_connections).await
    }

    /// Connects a pool of at most `max_connections` with `options`, tuned
    /// and checked as [`PgStorage::pool_options`] says.
    pub async fn connect_with(options: PgConnectOptions, max_connections: u32) -> StorageResult<Self> {
        let losses = Arc::new(ConnectionLosses::default());
        let pool = Self::checked_pool_options(max_connections, losses.clone()).connect_with(Self::tune(options)).await?;
        Ok(Self::new(pool, true, losses))
    }

    /// The gateway's pool settings. sqlx pings every pooled connection
    /// before handing it out unless told otherwise: a round trip in front of
    /// every query, about a tenth of a millisecond, which a search or a
    /// message insert then waits for. Here only a connection idle for more
    /// than [`PING_IF_IDLE_FOR`] is pinged (one the server may have closed
    /// meanwhile; a failed ping closes it and the pool hands out another).
    /// Waiting for a connection ends after [`ACQUIRE_TIMEOUT`].
    pub fn pool_options(max_connections: u32) -> PgPoolOptions {
        Self::checked_pool_options(max_connections, Arc::default())
    }

    /// [`PgStorage::pool_options`], also pinging, for a while after a lost
    /// connection, every connection opened before it (see
    /// [`Storage::connection_lost`]). sqlx itself closes a connection whose
    /// statement failed (it pings each one as it comes back to the pool).
    fn checked_pool_options(max_connections: u32, losses: Arc<ConnectionLosses>) -> PgPoolOptions {
        PgPoolOptions::new().max_connections(max_connections.max(1)).acquire_timeout(ACQUIRE_TIMEOUT).test_before_acquire(false).before_acquire(
            move |conn, meta| {
                let suspect = meta.idle_for > PING_IF_IDLE_FOR || losses.suspects(meta.age);
                Box::pin(async move {
                    if suspect {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            },
        )
    }

    /// Adds the gateway's session settings to connection options: those of
    /// index searches (iterative scans, a search width for k up to 40), so a
    /// search is one round trip instead of a transaction that sets them
    /// first, and custom plans for every statement.
    ///
    /// PostgreSQL plans a prepared statement for its parameters five times,
    /// then keeps one generic plan while it looks no dearer, for as long as
    /// the connection lives or until the table's statistics change. Made
    /// while a table is empty or unanalysed (a new database, a new store),
    /// that plan is a scan of the whole store: a turn's message update
    /// filtered every message of the store (PostgreSQL's CPU per turn grew
    /// from 1.8 to 3.9 ms on the load benchmark's fresh database within
    /// seconds) and a product read every product, until autovacuum's next
    /// ANALYZE. One store's plan also serves every other, big or small.
    /// Planning each execution for its own values and the table as it is
    /// costs less than that: 0.05 to 0.13 ms more PostgreSQL CPU a turn than
    /// generic plans made after an ANALYZE (1.76-1.85 against 1.71-1.72 ms,
    /// two runs each on the load benchmark).
    pub fn tune(options: PgConnectOptions) -> PgConnectOptions {
        let mut settings: Vec<(&str, String)> = hnsw_scan_settings(SESSION_EF_SEARCH).into_iter().collect();
        settings.push(("plan_cache_mode", "force_custom_plan".to_owned()));
        options.options(settings)
    }

    /// Storage over a pool whose connections may have any settings: index
    /// searches set theirs in a transaction.
    pub fn from_pool(pool: PgPool) -> Self {
        Self::new(pool, false, Arc::default())
    }

    /// Storage over a pool whose connect options went through [`PgStorage::tune`].
    pub fn from_tuned_pool(pool: PgPool) -> Self {
        Self::new(pool, true, Arc::default())
    }

    fn new(pool: PgPool, tuned_sessions: bool, losses: Arc<ConnectionLosses>) -> Self {
        Self {
            losses,
            kept: PgKept::new(pool.clone()),
            pool,
            hnsw_ready: Mutex::new(HashSet::new()),
            counts: Mutex::new(HashMap::new()),
            exact_scan_max: AtomicUsize::new(DEFAULT_EXACT_SCAN_MAX),
            tuned_sessions,
        }
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
        query.execute(&self.pool).await.map(drop).map_err(|e| message_insert_error(e, store_id, message))
    }

    /// A connection from the pool, for one statement (the ticket
    /// statements shared with SQLite take theirs this way).
    async fn db(&self) -> StorageResult<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        Ok(self.pool.acquire().await?)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A small store's exact scan in process, from its vectors as kept (see
    /// [`KeptVectors`](super::pg_vectors::KeptVectors)), loaded if need be;
    /// `None`: scan in the database this time.
    async fn kept_vector_search(&self, store_id: &str, model: &str, query: &[f32], k: usize) -> StorageResult<Option<Vec<ScoredProduct>>> {
        let dims = query.len();
        let index = match self.kept.vectors().await.lookup(store_id, model, dims, Instant::now()) {
            Lookup::Kept(index) => index,
            Lookup::Database => return Ok(None),
            Lookup::Load(load) => {
                let rows: Vec<(String, Vec<f32>)> = sqlx::query_as(concat!("SELECT product_id, embedding::real[] ", embedded_cards!()))
                    .bind(store_id)
                    .bind(model)
                    .bind(dims as i32)
                    .fetch_all(&self.pool)
                    .await?;
                let mut index = VectorIndex::with_capacity(dims, rows.len());
                for (product_id, vector) in &rows {
                    if vector.len() == dims {
                        index.upsert(product_id, vector);
                    }
                }
                let index = Arc::new(index);
                load.keep(index.clone());
                index
            }
        };
        Ok(Some(index.search(query, k).into_iter().map(|hit| ScoredProduct { product_id: hit.id, score: hit.score }).collect()))
    }

    /// Stores with at most `n` embedded cards are searched by exact scan;
    /// 0 sends every search through the HNSW index (where one exists).
    pub fn set_exact_scan_max(&self, n: usize) {
        self.exact_scan_max.store(n, Ordering::Relaxed);
    }

    /// Stores with more than `n` cards are ranked by tsvector queries
    /// rather than an in-process index (0: every store; the default is
    /// 250,000). Applies to stores not searched yet.
    pub fn set_text_index_max_cards(&self, n: usize) {
        self.kept.set_max_cards(n);
    }

    /// Writes many products with their cards in one transaction, for the
    /// first load of a big catalog (seeding, benchmarks): multi-row
    /// statements instead of one transaction per product. Existing rows are
    /// overwritten (embeddings kept) without computing an [`UpsertOutcome`].
    pub async fn import_products(&self, store_id: &str, items: &[(Product, ProductCard)]) -> StorageResult<()> {
        for (product, card) in items {
            check_card(product, card)?;
        }
        let _changed = self.kept.written_products().changing(store_id);
        let _cards = self.kept.written_vectors().changing(store_id);
        let mut tx = self.pool.begin().await?;
        for (i, chunk) in items.chunks(500).enumerate() {
            let refs: Vec<(&Product, &ProductCard)> = chunk.iter().map(|(p, c)| (p, c)).collect();
            write_products(&mut tx, store_id, &refs, true).await?;
            if i == 0 || i == 9 {
                // Foreign key checks keep the plan made when `products` was
                // (nearly) empty, a sequential scan: every insert would
                // rescan the growing table. Fresh statistics replan them.
                sqlx::query("ANALYZE products").execute(&mut *tx).await?;
            }
        }
        self.kept.notify(&mut tx, store_id).await?;
        tx.commit().await?;
        self.kept.saved(store_id, items.iter().map(|(product, card)| (card.product_id.as_str(), card.text.as_str(), index_title(product))));
        Ok(())
    }

    /// Creates the partial HNSW index for dimension `dims` unless this
    /// process already knows it exists; true when it had to be built.
    async fn ensure_hnsw_index(&self, dims: usize) -> StorageResult<bool> {
        if dims > MAX_HNSW_DIMENSIONS || self.hnsw_ready.lock().expect("hnsw lock").contains(&dims) {
            return Ok(false);
        }
        let dims = valid_dims(dims)?;
        let name = hnsw_index_name(dims);
        let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text").bind(&name).fetch_one(&self.pool).await?;
        if exists.is_none() {
            let mut tx = self.pool.begin().await?;
            // Two processes creating the same index at once would collide
            // on its name; the lock (per schema and dimension) makes the
            // second one find it.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '.' || $1, 0))").bind(&name).execute(&mut *tx).await?;
            // The graph builds far faster when it fits in memory.
            let mem_kb: i64 = sqlx::query_scalar("SELECT setting::bigint FROM pg_settings WHERE name = 'maintenance_work_mem'").fetch_one(&mut *tx).await?;
            if mem_kb < 512 * 1024 {
                sqlx::query("SELECT set_config('maintenance_work_mem', '512MB', true)").execute(&mut *tx).await?;
            }
            // `dims` is a validated integer: the only value ever formatted into SQL.
            let ddl = format!(
                "CREATE INDEX IF NOT EXISTS {name} ON product_cards USING hnsw ((embedding::halfvec({dims})) halfvec_cosine_ops) WHERE embedding_dims = {dims}"
            );
            sqlx::query(&ddl).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        self.hnsw_ready.lock().expect("hnsw lock").insert(dims);
        Ok(exists.is_none())
    }

    async fn embedded_count(&self, store_id: &str, model: &str, dims: usize) -> StorageResult<u64> {
        let key = (store_id.to_owned(), model.to_owned(), dims);
        if let Some((n, at)) = self.counts.lock().expect("counts lock").get(&key)
            && at.elapsed() < COUNT_TTL
        {
            return Ok(*n);
        }
        let n: i64 =
            sqlx::query_scalar(concat!("SELECT count(*) ", embedded_cards!())).bind(store_id).bind(model).bind(dims as i32).fetch_one(&self.pool).await?;
        let n = n.max(0) as u64;
        self.counts.lock().expect("counts lock").insert(key, (n, Instant::now()));
        Ok(n)
    }

    fn forget_counts(&self, store_id: &str) {
        self.counts.lock().expect("counts lock").retain(|(s, _, _), _| s != store_id);
    }
}

#[async_trait]
impl Storage for PgStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> StorageResult<()> {
        let available: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')").fetch_one(&self.pool).await?;
        if !available {
            return Err(StorageError::MissingPgvector);
        }
        match sqlx::migrate!("migrations/postgres").run(&self.pool).await {
            Ok(()) => {}
            Err(e) if is_missing_pgvector(&e.to_string()) => return Err(StorageError::MissingPgvector),
            Err(e) => return Err(e.into()),
        }
        // Every dimension already stored has its index (after an upgrade
        // that replaced them, or a restore without them).
        let stored: Vec<i32> =
            sqlx::query_scalar("SELECT DISTINCT embedding_dims FROM product_cards WHERE embedding_dims IS NOT NULL ORDER BY 1").fetch_all(&self.pool).await?;
        for dims in stored {
            let started = Instant::now();
            let built = self.ensure_hnsw_index(dims as usize).await?;
            if built {
                tracing::info!(dims, elapsed_ms = started.elapsed().as_millis() as u64, "built the HNSW index for stored embeddings");
            }
        }
        Ok(())
    }

    async fn ping(&self) -> StorageResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn connection_lost(&self) {
        self.losses.note();
    }

    async fn upsert_store(&self, store: &StoreRecord) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO stores (id, name, languages) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, languages = excluded.languages, updated_at = now()
             WHERE (stores.name, stores.languages) IS DISTINCT FROM (excluded.name, excluded.languages)",
        )
        .bind(&store.id)
        .bind(&store.name)
        .bind(&store.languages)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl CatalogStore for PgStorage {
    async fn upsert_products(&self, store_id: &str, items: &[(&Product, &ProductCard)]) -> StorageResult<Vec<UpsertOutcome>> {
        for (product, card) in items {
            check_card(product, card)?;
        }
        let mut outcomes = vec![UpsertOutcome::Unchanged; items.len()];
        let _changed = self.kept.written_products().changing(store_id);
        let _cards = self.kept.written_vectors().changing(store_id);
        let mut tx = self.pool.begin().await?;
        for run in upsert_runs(items) {
            for (i, outcome) in upsert_run(&mut tx, store_id, &run).await? {
                outcomes[i] = outcome;
            }
        }
        let changed: Vec<(&Product, &ProductCard)> = items
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, UpsertOutcome::Created | UpsertOutcome::Updated { card_changed: true }))
            .map(|(item, _)| *item)
            .collect();
        if !changed.is_empty() {
            self.kept.notify(&mut tx, store_id).await?;
        }
        tx.commit().await?;
        self.kept.saved(store_id, changed.into_iter().map(|(product, card)| (card.product_id.as_str(), card.text.as_str(), index_title(product))));
        Ok(outcomes)
    }

    async fn delete_product(&self, store_id: &str, product_id: &str) -> StorageResult<bool> {
        // Variants and card go by ON DELETE CASCADE.
        let _changed = self.kept.written_products().changing(store_id);
        let _cards = self.kept.written_vectors().changing(store_id);
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM products WHERE store_id = $1 AND id = $2").bind(store_id).bind(product_id).execute(&mut *tx).await?;
        let deleted = done.rows_affected() > 0;
        if deleted {
            self.kept.notify(&mut tx, store_id).await?;
        }
        tx.commit().await?;
        if deleted {
            self.forget_counts(store_id);
            self.kept.removed(store_id, std::iter::once(product_id));
        }
        Ok(deleted)
    }

    async fn delete_products_as_of(&self, store_id: &str, deletions: &[(String, DateTime<Utc>)]) -> StorageResult<u64> {
        if deletions.is_empty() {
            return Ok(0);
        }
        let (ids, times): (Vec<&str>, Vec<DateTime<Utc>>) = deletions.iter().map(|(id, at)| (id.as_str(), micros(*at))).unzip();
        let _changed = self.kept.written_products().changing(store_id);
        let _cards = self.kept.written_vectors().changing(store_id);
        let mut tx = self.pool.begin().await?;
        // Variants and cards go by ON DELETE CASCADE.
        let deleted: Vec<String> = sqlx::query_scalar(
            "DELETE FROM products p USING unnest($2::text[], $3::timestamptz[]) AS d(id, deleted_at)
             WHERE p.store_id = $1 AND p.id = d.id AND (p.updated_at IS NULL OR p.updated_at <= d.deleted_at)
             RETURNING p.id",
        )
        .bind(store_id)
        .bind(&ids)
        .bind(&times)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO product_tombstones (store_id, product_id, deleted_at)
             SELECT $1, id, max(deleted_at) FROM unnest($2::text[], $3::timestamptz[]) AS d(id, deleted_at) GROUP BY id
             ON CONFLICT (store_id, product_id) DO UPDATE SET deleted_at = greatest(product_tombstones.deleted_at, excluded.deleted_at)",
        )
        .bind(store_id)
        .bind(&ids)
        .bind(&times)
        .execute(&mut *tx)
        .await?;
        if !deleted.is_empty() {
            self.kept.notify(&mut tx, store_id).await?;
        }
        tx.commit().await?;
        if !deleted.is_empty() {
            self.forget_counts(store_id);
            self.kept.removed(store_id, deleted.iter().map(String::as_str));
        }
        Ok(deleted.len() as u64)
    }

    async fn claim_webhook_delivery(&self, store_id: &str, delivery_id: &str, received_at: DateTime<Utc>, keep_since: DateTime<Utc>) -> StorageResult<bool> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE store_id = $1 AND received_at < $2").bind(store_id).bind(keep_since).execute(&self.pool).await?;
        let done = sqlx::query(
            "INSERT INTO webhook_deliveries (store_id, delivery_id, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (store_id, delivery_id) DO NOTHING",
        )
        .bind(store_id)
        .bind(delivery_id)
        .bind(received_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_webhook_delivery(&self, store_id: &str, delivery_id: &str) -> StorageResult<()> {
        sqlx::query("DELETE FROM webhook_deliveries WHERE store_id = $1 AND delivery_id = $2").bind(store_id).bind(delivery_id).execute(&self.pool).await?;
        Ok(())
    }

    async fn get_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Product>> {
        Ok(self.get_shared_products(store_id, product_ids).await?.into_iter().map(Arc::unwrap_or_clone).collect())
    }

    async fn get_shared_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Arc<Product>>> {
        if product_ids.is_empty() {
            return Ok(Vec::new());
        }
        let cache = self.kept.products().await;
        let kept = cache.lookup(store_id, product_ids);
        let mut products = kept.found;
        if kept.missing.is_empty() {
            return Ok(in_given_order(product_ids, products));
        }
        // One statement, each product with its variants as a JSON array in
        // position order: a turn's cards cost one round trip, not two.
        let rows = sqlx::query(
            "SELECT p.id, p.handle, p.title, p.description, p.category, p.vendor, p.tags, p.attributes, p.reviews, p.translations,
                    p.url, p.image, p.updated_at,
                    COALESCE((SELECT json_agg(json_build_object('sku', v.sku, 'title', v.title, 'options', v.options, 'price', v.price,
                                                                'compare_at_price', v.compare_at_price, 'stock', v.inventory_quantity)
                                              ORDER BY v.position)
                              FROM variants v WHERE v.store_id = p.store_id AND v.product_id = p.id), '[]'::json) AS variants
             FROM products p WHERE p.store_id = $1 AND p.id = ANY($2)",
        )
        .bind(store_id)
        .bind(&kept.missing)
        .fetch_all(&self.pool)
        .await?;
        let mut read: Vec<Arc<Product>> = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut product = product_from_row(row)?;
            let variants: Json<Vec<Variant>> = row.try_get("variants")?;
            product.variants = variants.0;
            read.push(Arc::new(product));
        }
        cache.keep(store_id, kept.generation, &read);
        products.extend(read.into_iter().map(|p| (p.id.clone(), p)));
        Ok(in_given_order(product_ids, products))
    }

    async fn count_products(&self, store_id: &str) -> StorageResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE store_id = $1").bind(store_id).fetch_one(&self.pool).await?;
        Ok(n.max(0) as u64)
    }

    async fn product_ids(&self, store_id: &str) -> StorageResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM products WHERE store_id = $1 ORDER BY id").bind(store_id).fetch_all(&self.pool).await?)
    }

    async fn find_variant(&self, store_id: &str, sku: &str) -> StorageResult<Option<(String, Variant)>> {
        let row = sqlx::query(
            "SELECT product_id, sku, title, options, price, compare_at_price, inventory_quantity
             FROM variants WHERE store_id = $1 AND sku = $2",
        )
        .bind(store_id)
        .bind(sku)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok((row.try_get("product_id")?, variant_from_row(&row)?))).transpose()
    }

    async fn products_synced_before(&self, store_id: &str, time: DateTime<Utc>) -> StorageResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM products WHERE store_id = $1 AND synced_at < $2 ORDER BY id")
            .bind(store_id)
            .bind(micros(time))
            .fetch_all(&self.pool)
            .await?)
    }

    async fn set_stock(&self, store_id: &str, levels: &[(String, i64)]) -> StorageResult<u64> {
        if levels.is_empty() {
            return Ok(0);
        }
        let (skus, quantities): (Vec<&str>, Vec<i64>) = levels.iter().map(|(sku, q)| (sku.as_str(), *q)).unzip();
        let _changed = self.kept.written_products().changing(store_id);
        let done = sqlx::query(
            "UPDATE variants v SET inventory_quantity = l.quantity
             FROM unnest($2::text[], $3::bigint[]) AS l(sku, quantity)
             WHERE v.store_id = $1 AND v.sku = l.sku",
        )
        .bind(store_id)
        .bind(&skus)
        .bind(&quantities)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn lease_store_sync(&self, store_id: &str) -> StorageResult<Option<SyncLease>> {
        // A session of its own, outside the pool: the lock lives exactly as
        // long as it (dropping the lease closes it, and a dead process's
        // session ends with it), and a sync never waits for a pool slot
        // its own lease holds (a pool of one would deadlock).
        let mut session = PgConnection::connect_with(&self.pool.connect_options()).await?;
        // A session-level advisory lock, keyed by schema and store, so two
        // gateways on one database never sync a store at the same time (nor
        // spend its API budget twice).
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended('chatgw sync ' || current_schema() || ' ' || $1, 0))")
            .bind(store_id)
            .fetch_one(&mut session)
            .await?;
        Ok(taken.then(|| SyncLease::holding(session)))
    }

    async fn get_sync_state(&self, store_id: &str) -> StorageResult<Option<SyncState>> {
        let row: Option<Json<SyncState>> =
            sqlx::query_scalar("SELECT state FROM connector_sync_state WHERE store_id = $1").bind(store_id).fetch_optional(&self.pool).await?;
        Ok(row.map(|j| j.0))
    }

    async fn save_sync_state(&self, state: &SyncState) -> StorageResult<()> {
        sqlx::query(
            "INSERT INTO connector_sync_state (store_id, state, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (store_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(&state.store_id)
        .bind(Json(state))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn stale_cards(&self, store_id: &str, embedding_model: &str, limit: usize) -> StorageResult<Vec<StaleCard>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT product_id, text, content_hash FROM product_cards
             WHERE store_id = $1
               AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2 OR embedding_hash IS DISTINCT FROM content_hash)
             ORDER BY product_id
             LIMIT $3",
        )
        .bind(store_id)
        .bind(embedding_model)
        .bind(clamp_limit(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(product_id, text, content_hash)| StaleCard { product_id, text, content_hash }).collect())
    }

    async fn save_embeddings(&self, store_id: &str, embedding_model: &str, embeddings: &[CardEmbedding]) -> StorageResult<()> {
        let Some(dims) = check_embeddings(embeddings)? else {
            return Ok(());
        };
        // Small statements: the planner then probes the primary key per
        // row instead of hashing a scan of the whole table.
        let rows_per_statement = 100;
        let _cards = self.kept.written_vectors().changing(store_id);
        let mut tx = self.pool.begin().await?;
        for chunk in embeddings.chunks(rows_per_statement) {
            let mut qb = QueryBuilder::<Postgres>::new("UPDATE product_cards AS c SET embedding = v.embedding, embedding_dims = ");
            qb.push_bind(dims as i32);
            qb.push(", embedding_model = ");
            qb.push_bind(embedding_model);
            qb.push(", embedding_hash = v.content_hash, embedded_at = now() FROM (");
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(&e.product_id).push_bind(&e.content_hash).push_bind(PgVector(&e.vector));
            });
            qb.push(") AS v (product_id, content_hash, embedding) WHERE c.store_id = ");
            qb.push_bind(store_id);
            // Skipped when the card changed since its text was embedded.
            qb.push(" AND c.product_id = v.product_id AND c.content_hash = v.content_hash");
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.forget_counts(store_id);
        self.ensure_hnsw_index(dims).await?;
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
        let small = {
            let max = self.exact_scan_max.load(Ordering::Relaxed);
            max > 0 && self.embedded_count(store_id, embedding_model, dims).await? <= max as u64
        };
        if small && let Some(hits) = self.kept_vector_search(store_id, embedding_model, query, k).await? {
            return Ok(hits);
        }
        let query = PgVector(query);
        let exact = small || dims > MAX_HNSW_DIMENSIONS;
        let rows: Vec<(String, f64)> = if exact {
            sqlx::query_as(
                "SELECT product_id, (embedding <=> $1) AS distance FROM product_cards
                 WHERE store_id = $2 AND embedding_model = $3 AND embedding_dims = $4 AND embedding IS NOT NULL
                 ORDER BY distance, product_id
                 LIMIT $5",
            )
            .bind(query)
            .bind(store_id)
            .bind(embedding_model)
            .bind(dims as i32)
            .bind(k as i64)
            .fetch_all(&self.pool)
            .await?
        } else {
            // The graph (half precision) is walked for all stores at once
            // and then filtered by store: iterative scans keep walking until
            // k rows of this store are found, in relaxed order. The rows
            // found are ranked by their full precision distance. `dims` is
            // a validated integer; it must be a literal for the planner to
            // match the partial index.
            let sql = format!(
                "SELECT product_id, embedding <=> $1 AS distance FROM (
                    SELECT product_id, embedding
                    FROM product_cards
                    WHERE embedding_dims = {dims} AND store_id = $2 AND embedding_model = $3
                    ORDER BY embedding::halfvec({dims}) <=> $1::halfvec({dims})
                    LIMIT $4
                 ) AS nearest
                 ORDER BY distance, product_id"
            );
            let query = sqlx::query_as(&sql).bind(query).bind(store_id).bind(embedding_model).bind(k as i64);
            if self.tuned_sessions && k <= SESSION_EF_SEARCH {
                query.fetch_all(&self.pool).await?
            } else {
                let mut tx = self.pool.begin().await?;
                let mut settings = QueryBuilder::<Postgres>::new("SELECT ");
                let mut list = settings.separated(", ");
                for (name, value) in hnsw_scan_settings(k) {
                    list.push("set_config(").push_bind_unseparated(name).push_unseparated(", ").push_bind_unseparated(value).push_unseparated(", true)");
                }
                settings.build().execute(&mut *tx).await?;
                let rows = query.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        Ok(rows.into_iter().map(|(product_id, distance)| ScoredProduct { product_id, score: (1.0 - distance) as f32 }).collect())
    }

    /// Ranked in process (see [`PgKept`]) unless the store is too big;
    /// then by tsvector queries: cards with every term first, and only
    /// when fewer than k have them, cards with fewer (see
    /// [`widening_steps`]), each step one query that ranks only the cards
    /// it matches.
    async fn text_search(&self, store_id: &str, query: &TextQuery, k: usize) -> StorageResult<Vec<ScoredProduct>> {
        let terms = clean_terms(&query.terms);
        let k = k.min(MAX_K);
        if terms.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        if let TextEntry::Loaded(index) = self.kept.entry(store_id).await? {
            let hits = index.read().expect("text index lock").search(&terms, k);
            return Ok(hits.into_iter().map(|h| ScoredProduct { product_id: h.id, score: h.score }).collect());
        }
        let mut configs: Vec<&'static str> = query.languages.iter().map(|l| ts_config(l)).collect();
        configs.push("simple");
        let mut seen = HashSet::new();
        configs.retain(|c| seen.insert(*c));

        let mut widened = Widened::new(k);
        for step in widening_steps(terms.len()) {
            let rows: Vec<(String, f32)> = text_step_query(store_id, &terms, &configs, &step, widened.limit()).build_query_as().fetch_all(&self.pool).await?;
            if widened.add(rows) {
                break;
            }
        }
        Ok(widened.into_cards())
    }
}

/// One widening step of a full-text search: the store's cards matching the
/// step's groups of terms, best first, at most `limit`.
///
/// Each term becomes one tsquery, its word stemmed in every configuration
/// and OR-ed (a card matches the term in any of its languages); the step
/// ORs its groups, each an AND of terms. Cards are ranked by how many of
/// all the terms they have, then by ts_rank against the OR of all terms
/// (term frequency with saturation, the title weighted highest), the same
/// score at every step. ts_rank_cd would also reward terms close together,
/// but costs several times as much per card (about 4 µs against 1 µs).
/// The term queries are built once (materialised CTEs): inlined, a generic
/// plan would run `to_tsquery` again for every matching card. Terms are
/// letters and digits only, and still bound, never formatted into the SQL.
fn text_step_query<'a>(store_id: &'a str, terms: &'a [String], configs: &[&'static str], step: &Widening, limit: usize) -> QueryBuilder<'a, Postgres> {
    let mut qb = QueryBuilder::<Postgres>::new("WITH terms AS MATERIALIZED (SELECT ");
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push("(");
        for (j, config) in configs.iter().enumerate() {
            if j > 0 {
                qb.push(" || ");
            }
            qb.push("to_tsquery(");
            qb.push(config_literal(config));
            qb.push(", ");
            qb.push_bind(term.as_str());
            qb.push(")");
        }
        qb.push(format!(") AS t{i}"));
    }
    // `i` are term indices: the only values formatted into the SQL.
    let all: Vec<String> = (0..terms.len()).map(|i| format!("t{i}")).collect();
    let groups: Vec<String> = step.groups.iter().map(|g| format!("({})", g.iter().map(|i| format!("t{i}")).collect::<Vec<_>>().join(" && "))).collect();
    let matched: Vec<String> = (0..terms.len()).map(|i| format!("(search_vector @@ t{i})::int")).collect();
    qb.push(format!("), query AS MATERIALIZED (SELECT {} AS step, {} AS any_term, terms.* FROM terms) ", groups.join(" || "), all.join(" || ")));
    qb.push("SELECT product_id, ts_rank(search_vector, any_term) AS score FROM product_cards, query WHERE store_id = ");
    qb.push_bind(store_id);
    qb.push(" AND search_vector @@ step ORDER BY ");
    if step.at_least < terms.len() {
        // Cards of a step match different numbers of terms: more first.
        qb.push(format!("{} DESC, ", matched.join(" + ")));
    }
    qb.push("score DESC, product_id LIMIT ");
    qb.push_bind(limit as i64);
    qb
}

#[async_trait]
impl ConversationStore for PgStorage {
    async fn create_conversation(&self, conversation: &Conversation) -> StorageResult<()> {
        sqlx::query("INSERT INTO conversations (store_id, id, created_at) VALUES ($1, $2, $3) ON CONFLICT (store_id, id) DO NOTHING")
            .bind(&conversation.store_id)
            .bind(&conversation.id)
            .bind(micros(conversation.created_at))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn get_conversation(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Conversation>> {
        let row: Option<(String, String, DateTime<Utc>)> = sqlx::query_as("SELECT id, store_id, created_at FROM conversations WHERE store_id = $1 AND id = $2")
            .bind(store_id)
            .bind(conversation_id)
            .fetch_optional(&self.pool)
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
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(|e| message_insert_error(e, store_id, answer))
    }

    async fn set_message_analysis(&self, store_id: &str, message_id: &str, language: Option<&str>, label: Option<Label>) -> StorageResult<()> {
        // None leaves a value as it was.
        sqlx::query("UPDATE messages SET language = COALESCE($3, language), label = COALESCE($4, label) WHERE store_id = $1 AND id = $2")
            .bind(store_id)
            .bind(message_id)
            .bind(language)
            .bind(label.map(Label::as_str))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_messages(&self, store_id: &str, conversation_id: &str) -> StorageResult<Vec<StoredMessage>> {
        let rows = sqlx::query(
            "SELECT id, conversation_id, role, text, language, label, tool_calls, model, latency_ms, prompt_tokens,
                    completion_tokens, cost, created_at
             FROM messages WHERE store_id = $1 AND conversation_id = $2 ORDER BY seq",
        )
        .bind(store_id)
        .bind(conversation_id)
        .fetch_all(&self.pool)
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

/// One run of an upsert batch (see [`upsert_runs`]): its stored rows and
/// tombstones read and locked in id order (bytewise, as every batch locks
/// them, so two batches never deadlock), then each kind of write in
/// multi-row statements. Returns each item's (batch index, outcome).
async fn upsert_run(conn: &mut PgConnection, store_id: &str, run: &[(usize, &Product, &ProductCard)]) -> StorageResult<Vec<(usize, UpsertOutcome)>> {
    let ids: Vec<&str> = run.iter().map(|(_, p, _)| p.id.as_str()).collect();
    let mut stored = HashMap::new();
    let rows = sqlx::query(
        r#"SELECT p.id, p.fingerprint, c.content_hash, p.updated_at FROM products p
         LEFT JOIN product_cards c ON c.store_id = p.store_id AND c.product_id = p.id
         WHERE p.store_id = $1 AND p.id = ANY($2)
         ORDER BY p.id COLLATE "C"
         FOR UPDATE OF p"#,
    )
    .bind(store_id)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let version = StoredVersion { fingerprint: row.try_get(1)?, content_hash: row.try_get(2)?, updated_at: row.try_get(3)? };
        stored.insert(row.try_get::<String, _>(0)?, version);
    }
    // Read after the row locks: a delete that held them is visible now.
    let deleted: HashMap<String, DateTime<Utc>> = sqlx::query_as(
        r#"SELECT product_id, deleted_at FROM product_tombstones WHERE store_id = $1 AND product_id = ANY($2)
         ORDER BY product_id COLLATE "C" FOR UPDATE"#,
    )
    .bind(store_id)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let (plan, outcomes) = RunPlan::decide(run, &stored, &deleted);
    write_products(conn, store_id, &plan.with_cards, true).await?;
    write_products(conn, store_id, &plan.without_cards, false).await?;
    if !plan.confirmed.is_empty() {
        // The gateway's clock, as in `write_products`: a sync compares
        // these times with its own start.
        sqlx::query("UPDATE products SET synced_at = $3 WHERE store_id = $1 AND id = ANY($2)")
            .bind(store_id)
            .bind(&plan.confirmed)
            .bind(micros(Utc::now()))
            .execute(&mut *conn)
            .await?;
    }
    if !plan.tombstones_cleared.is_empty() {
        sqlx::query("DELETE FROM product_tombstones WHERE store_id = $1 AND product_id = ANY($2)")
            .bind(store_id)
            .bind(&plan.tombstones_cleared)
            .execute(&mut *conn)
            .await?;
    }
    Ok(outcomes)
}

/// Upserts products (and their cards when `with_cards`) and replaces their
/// variants, in multi-row statements.
async fn write_products(conn: &mut PgConnection, store_id: &str, items: &[(&Product, &ProductCard)], with_cards: bool) -> StorageResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let fingerprints: Vec<String> = items.iter().map(|(p, _)| product_fingerprint(p)).collect();
    let mut qb = QueryBuilder::<Postgres>::new(
        "INSERT INTO products (store_id, id, handle, title, description, category, vendor, tags, attributes, reviews,
                               translations, url, image, updated_at, fingerprint, synced_at) ",
    );
    qb.push_values(items.iter().zip(&fingerprints), |mut b, ((p, _), fingerprint)| {
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
            .push_bind(p.updated_at)
            .push_bind(fingerprint)
            .push("now()");
    });
    qb.push(
        " ON CONFLICT (store_id, id) DO UPDATE SET handle = excluded.handle, title = excluded.title,
          description = excluded.description, category = excluded.category, vendor = excluded.vendor,
          tags = excluded.tags, attributes = excluded.attributes, reviews = excluded.reviews,
          translations = excluded.translations, url = excluded.url, image = excluded.image,
          updated_at = excluded.updated_at, fingerprint = excluded.fingerprint, synced_at = excluded.synced_at
          WHERE products.updated_at IS NULL OR excluded.updated_at IS NULL OR excluded.updated_at >= products.updated_at
          RETURNING id",
    );
    // A newer version that landed meanwhile (an insert racing this one) is
    // kept, and so are its variants and card.
    let written: HashSet<String> = qb.build_query_scalar::<String>().fetch_all(&mut *conn).await?.into_iter().collect();
    let kept: Vec<(&Product, &ProductCard)> = items.iter().filter(|(p, _)| written.contains(&p.id)).copied().collect();
    let items = kept.as_slice();
    if items.is_empty() {
        return Ok(());
    }

    let ids: Vec<&str> = items.iter().map(|(p, _)| p.id.as_str()).collect();
    sqlx::query("DELETE FROM variants WHERE store_id = $1 AND product_id = ANY($2)").bind(store_id).bind(&ids).execute(&mut *conn).await?;
    let variants = unique_variants(items.iter().map(|(p, _)| *p));
    for chunk in variants.chunks(MAX_BINDS / 9) {
        let mut qb = QueryBuilder::<Postgres>::new(
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
                .push_bind(*position as i32);
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
        let mut start = 0;
        while start < items.len() {
            let mut end = start;
            let mut binds = 0;
            while end < items.len() && (end == start || binds + card_binds(items[end].1) <= MAX_BINDS) {
                binds += card_binds(items[end].1);
                end += 1;
            }
            let mut qb = QueryBuilder::<Postgres>::new("INSERT INTO product_cards (store_id, product_id, text, content_hash, search_vector, updated_at) ");
            qb.push_values(&items[start..end], |mut b, (p, card)| {
                b.push_bind(store_id).push_bind(&card.product_id).push_bind(&card.text).push_bind(&card.content_hash);
                push_search_vector(&mut b, p, card);
                b.push("now()");
            });
            // The embedding stays until a new one is saved; stale_cards
            // sees the hash mismatch.
            qb.push(
                " ON CONFLICT (store_id, product_id) DO UPDATE SET text = excluded.text, content_hash = excluded.content_hash,
                  search_vector = excluded.search_vector, updated_at = excluded.updated_at",
            );
            qb.build().execute(&mut *conn).await?;
            start = end;
        }
    }
    Ok(())
}

fn card_binds(card: &ProductCard) -> usize {
    4 + card.segments.len() + 2
}

/// The card's tsvector: each segment stemmed in its language, and the title
/// weighted highest, both stemmed (primary language) and as is (`simple`,
/// for brand names and codes). Text is folded as queries are.
fn push_search_vector<'a>(b: &mut Separated<'_, 'a, Postgres, &'static str>, product: &Product, card: &ProductCard) {
    let primary = card.segments.first().map_or("simple", |s| ts_config(&s.language));
    let title = fold(&product.title);
    b.push("setweight(to_tsvector('simple'::regconfig, ");
    b.push_bind_unseparated(title.clone());
    b.push_unseparated(") || to_tsvector(");
    b.push_unseparated(config_literal(primary));
    b.push_unseparated(", ");
    b.push_bind_unseparated(title);
    b.push_unseparated("), 'A')");
    for segment in &card.segments {
        b.push_unseparated(" || to_tsvector(");
        b.push_unseparated(config_literal(ts_config(&segment.language)));
        b.push_unseparated(", ");
        b.push_bind_unseparated(fold(&segment.text));
        b.push_unseparated(")");
    }
}

fn product_from_row(row: &PgRow) -> StorageResult<Product> {
    let tags: Json<Vec<String>> = row.try_get("tags")?;
    let attributes: Json<std::collections::BTreeMap<String, String>> = row.try_get("attributes")?;
    let reviews: Json<Vec<Review>> = row.try_get("reviews")?;
    let translations: Json<std::collections::BTreeMap<String, Translation>> = row.try_get("translations")?;
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

fn variant_from_row(row: &PgRow) -> StorageResult<Variant> {
    let options: Json<std::collections::BTreeMap<String, String>> = row.try_get("options")?;
    Ok(Variant {
        sku: row.try_get("sku")?,
        title: row.try_get("title")?,
        options: options.0,
        price: row.try_get("price")?,
        compare_at_price: row.try_get("compare_at_price")?,
        inventory_quantity: row.try_get("inventory_quantity")?,
    })
}

/// The name of the partial HNSW index for embeddings of `dims` dimensions.
pub fn hnsw_index_name(dims: usize) -> String {
    format!("product_cards_halfvec_hnsw_{dims}")
}

/// The pgvector settings (`SET LOCAL`) of an index search for k rows:
/// iterative scans in relaxed order, so a store's filter applied after the
/// graph walk still yields k rows, with room to walk well past the first
/// candidates (a small store beside a big one has few rows among them).
/// The search width is k, and at least [`MIN_EF_SEARCH`]: a walk costs
/// about in proportion to it (on 3,000 random 384-d vectors, k = 40: 0.8 ms
/// at 40 against 1.3 ms at 80), and iterative scans widen it when the
/// store filter leaves too few rows.
pub fn hnsw_scan_settings(k: usize) -> [(&'static str, String); 4] {
    [
        ("hnsw.iterative_scan", "relaxed_order".to_owned()),
        ("hnsw.ef_search", k.clamp(MIN_EF_SEARCH, 1000).to_string()),
        ("hnsw.max_scan_tuples", "100000".to_owned()),
        ("hnsw.scan_mem_multiplier", "8".to_owned()),
    ]
}

fn is_missing_pgvector(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("vector") && (m.contains("control file") || m.contains("is not available") || m.contains("type \"vector\" does not exist"))
}

/// A query or card vector sent as pgvector's binary `vector` (dimensions
/// as int16, an unused int16, then each float4, all big-endian): nothing to
/// format here or parse on the server, and no precision lost.
#[derive(Debug, Clone, Copy)]
struct PgVector<'a>(&'a [f32]);

impl sqlx::Type<Postgres> for PgVector<'_> {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        sqlx::postgres::PgTypeInfo::with_name("vector")
    }
}

impl sqlx::Encode<'_, Postgres> for PgVector<'_> {
    fn encode_by_ref(&self, buf: &mut sqlx::postgres::PgArgumentBuffer) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        let dims = i16::try_from(self.0.len()).map_err(|_| format!("a vector of {} dimensions is more than pgvector takes", self.0.len()))?;
        buf.reserve(4 + 4 * self.0.len());
        buf.extend_from_slice(&dims.to_be_bytes());
        buf.extend_from_slice(&0i16.to_be_bytes());
        for x in self.0 {
            buf.extend_from_slice(&x.to_be_bytes());
        }
        Ok(sqlx::encode::IsNull::No)
    }

    fn size_hint(&self) -> usize {
        4 + 4 * self.0.len()
    }
}

// --- helpers shared with the SQLite backend -------------------------------

/// The error of a message insert: a message for a conversation the store
/// does not have says so; anything else is the database's.
pub(super) fn message_insert_error(error: sqlx::Error, store_id: &str, message: &StoredMessage) -> StorageError {
    match error {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => {
            StorageError::Invalid(format!("no conversation `{}` in store `{store_id}`", message.conversation_id))
        }
        e => e.into(),
    }
}

/// The text search configuration (stemmer) for an ISO 639-1 code.
pub(super) fn ts_config(language: &str) -> &'static str {
    match language.to_ascii_lowercase().as_str() {
        "en" => "english",
        "es" => "spanish",
        "ru" => "russian",
        "fr" => "french",
        "de" => "german",
        "it" => "italian",
        "pt" => "portuguese",
        "nl" => "dutch",
        _ => "simple",
    }
}

/// The SQL literal of a configuration named by [`ts_config`]: constants
/// written here, never text from input. (A bound `$n::regconfig` would
/// work too, but its cast is only stable, so the query cannot be folded to
/// a constant at plan time and ranking runs several times slower.)
fn config_literal(config: &str) -> &'static str {
    match config {
        "english" => "'english'::regconfig",
        "spanish" => "'spanish'::regconfig",
        "russian" => "'russian'::regconfig",
        "french" => "'french'::regconfig",
        "german" => "'german'::regconfig",
        "italian" => "'italian'::regconfig",
        "portuguese" => "'portuguese'::regconfig",
        "dutch" => "'dutch'::regconfig",
        _ => "'simple'::regconfig",
    }
}

/// Lower case without diacritics: the same folding the search path applies
/// to shoppers' words, so indexed text and query terms meet.
pub(super) fn fold(text: &str) -> String {
    crate::classify::fold(text)
}

/// Query terms reduced to letters and digits, folded, deduplicated.
pub(super) fn clean_terms(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for term in terms {
        let t: String = fold(term).chars().filter(|c| c.is_alphanumeric()).collect();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// A digest of everything the catalog said about the product (fields and
/// variants, stock included): equal fingerprints mean nothing to write.
pub(super) fn product_fingerprint(product: &Product) -> String {
    let mut normalized = product.clone();
    normalized.updated_at = normalized.updated_at.map(|t| t.trunc_subsecs(6));
    let json = serde_json::to_vec(&normalized).expect("a product serializes");
    hex::encode(Sha256::digest(&json))
}

pub(super) fn check_card(product: &Product, card: &ProductCard) -> StorageResult<()> {
    if product.id.is_empty() {
        return Err(StorageError::Invalid("a product needs an id".into()));
    }
    if card.product_id != product.id {
        return Err(StorageError::Invalid(format!("card of `{}` given for product `{}`", card.product_id, product.id)));
    }
    Ok(())
}

/// The variants to write, as (product id, position, variant): a SKU that
/// appears twice keeps its first occurrence (the key is (store, SKU)).
pub(super) fn unique_variants<'a>(products: impl Iterator<Item = &'a Product>) -> Vec<(&'a str, usize, &'a Variant)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for product in products {
        for (position, variant) in product.variants.iter().enumerate() {
            if seen.insert(variant.sku.as_str()) {
                out.push((product.id.as_str(), position, variant));
            } else {
                tracing::warn!(product = %product.id, sku = %variant.sku, "duplicate SKU skipped");
            }
        }
    }
    out
}

pub(super) fn valid_dims(dims: usize) -> StorageResult<usize> {
    if (1..=MAX_DIMENSIONS).contains(&dims) {
        Ok(dims)
    } else {
        Err(StorageError::Invalid(format!("embedding dimension {dims} is outside 1..={MAX_DIMENSIONS}")))
    }
}

/// The common dimension of a batch of embeddings (None if empty); every
/// vector must have it and only finite values.
pub(super) fn check_embeddings(embeddings: &[CardEmbedding]) -> StorageResult<Option<usize>> {
    let Some(first) = embeddings.first() else {
        return Ok(None);
    };
    let dims = valid_dims(first.vector.len())?;
    for e in embeddings {
        if e.vector.len() != dims {
            return Err(StorageError::Invalid(format!(
                "embeddings of one batch differ in dimension ({} has {}, expected {dims})",
                e.product_id,
                e.vector.len()
            )));
        }
        if e.vector.iter().any(|x| !x.is_finite()) {
            return Err(StorageError::Invalid(format!("embedding of {} has a value that is not finite", e.product_id)));
        }
    }
    Ok(Some(dims))
}

pub(super) fn clamp_limit(limit: usize) -> i64 {
    limit.min(i64::MAX as usize) as i64
}

/// Timestamps are kept to the microsecond (PostgreSQL's precision) in both
/// backends.
pub(super) fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

pub(super) fn in_given_order<P>(ids: &[String], mut products: HashMap<String, P>) -> Vec<P> {
    ids.iter().filter_map(|id| products.remove(id)).collect()
}

super::tickets::ticket_store!(PgStorage, tickets::for_postgres);
