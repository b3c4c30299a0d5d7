//! Durable storage behind one trait: stores, the catalog (products,
//! variants, cards with their embeddings) and conversations. Two backends:
//! PostgreSQL with pgvector for production and SQLite for the embedded
//! default. Every store-owned row carries its store id and every query
//! filters on it.

/// Binds a stored message's 13 columns to `query`, in the order both
/// backends' message inserts list them (store, id, conversation, role, text,
/// language, label, tool calls, model, latency, prompt and completion
/// tokens, time).
macro_rules! bind_message {
    ($query:expr, $store_id:expr, $message:expr) => {
        $query
            .bind($store_id)
            .bind(&$message.id)
            .bind(&$message.conversation_id)
            .bind($message.role.as_str())
            .bind(&$message.text)
            .bind(&$message.language)
            .bind($message.label.map(crate::classify::Label::as_str))
            .bind(sqlx::types::Json(&$message.tool_calls))
            .bind(&$message.model)
            .bind($message.latency_ms)
            .bind($message.prompt_tokens)
            .bind($message.completion_tokens)
            .bind($message.cost)
            .bind(micros($message.created_at))
    };
}

mod pg_kept;
mod pg_vectors;
pub mod postgres;
mod product_cache;
pub mod reconnect;
pub mod sqlite;
pub mod text_index;
mod tickets;
pub mod vector_index;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{Product, ProductCard, Variant};
use crate::classify::{Label, Reason};
use crate::search::ScoredProduct;

pub use postgres::PgStorage;
pub use reconnect::Reconnecting;
pub use sqlite::SqliteStorage;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The statement's connection broke under it (the server restarted or
    /// closed it, the network dropped it). A fresh connection may well
    /// work: [`Reconnecting`] retries once.
    #[error("the database connection was lost: {0}")]
    ConnectionLost(sqlx::Error),
    /// No connection could be had in time: the database is down, starting
    /// or out of connections. Callers answer "try again shortly".
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database lacks the `vector` extension (pgvector): install it and run `CREATE EXTENSION vector` (scripts/setup-services.sh does both)")]
    MissingPgvector,
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

impl StorageError {
    /// The database could not be reached or lost the connection: nothing
    /// is wrong with the request, it may work in a few seconds.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StorageError::ConnectionLost(_) | StorageError::Unavailable(_))
    }
}

/// Every sqlx error is sorted here, once, so that callers (the retry in
/// [`Reconnecting`], the HTTP mapping) decide on the kind, never on text.
impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            // Mid-statement socket failures and a stream sqlx cannot parse
            // any more (the server went away between messages).
            sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => StorageError::ConnectionLost(error),
            sqlx::Error::Database(db) if db.code().as_deref().is_some_and(is_connection_sqlstate) => StorageError::ConnectionLost(error),
            // The pool found no live connection before its acquire timeout
            // (connection refused is retried inside it until then).
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => StorageError::Unavailable(error),
            _ => StorageError::Database(error),
        }
    }
}

/// SQLSTATEs that mean the session is gone, not that the statement was
/// wrong: class 08 (connection exception), 57P01 admin_shutdown (a fast
/// shutdown or restart), 57P02 crash_shutdown, 57P03 cannot_connect_now
/// (starting up or shutting down).
fn is_connection_sqlstate(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// A store as the database knows it (the config file is the source of truth;
/// this row anchors the store's data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreRecord {
    pub id: String,
    pub name: String,
    pub languages: Vec<String>,
}

/// What an upsert did to a product's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created,
    /// The product changed; `card_changed` says whether its card text did
    /// (and so whether it needs a new embedding).
    Updated {
        card_changed: bool,
    },
    Unchanged,
    /// The store already holds a newer version of the product (a later
    /// `updated_at`), or deleted it as of a later time: nothing was written.
    /// A late or replayed webhook, or a sync page fetched before a webhook
    /// landed, never rolls a product back.
    Stale,
}

/// What the database holds of a product an upsert is about to write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredVersion {
    pub fingerprint: String,
    pub content_hash: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Decides an upsert, for both backends. Only times order versions: an
/// incoming product without `updated_at` cannot be placed and is written
/// (connectors should send it); one older than the stored version, or not
/// newer than a tombstone, is [`UpsertOutcome::Stale`]. Equal times write,
/// so a sync that re-reads the same version still refreshes it.
pub(crate) fn upsert_outcome(
    stored: Option<&StoredVersion>,
    deleted_at: Option<DateTime<Utc>>,
    product: &Product,
    fingerprint: &str,
    card: &ProductCard,
) -> UpsertOutcome {
    if let Some(incoming) = product.updated_at {
        // Both backends keep microseconds.
        let incoming = chrono::SubsecRound::trunc_subsecs(incoming, 6);
        let older_than_stored = stored.and_then(|s| s.updated_at).is_some_and(|stored| incoming < stored);
        let deleted_later = deleted_at.is_some_and(|deleted| deleted >= incoming);
        if older_than_stored || (stored.is_none() && deleted_later) {
            return UpsertOutcome::Stale;
        }
    }
    match stored {
        None => UpsertOutcome::Created,
        Some(stored) => {
            let card_changed = stored.content_hash.as_deref() != Some(card.content_hash.as_str());
            if stored.fingerprint == fingerprint && !card_changed { UpsertOutcome::Unchanged } else { UpsertOutcome::Updated { card_changed } }
        }
    }
}

/// An upsert batch cut into runs that each name a product at most once,
/// in order, and each sorted by id (bytewise, the order both backends lock
/// and write rows in, so two batches never wait on each other in a
/// circle). A run is decided against storage as it stood before the run,
/// so a product listed twice in a batch sees its first version written.
/// Each item comes with its index in the batch.
pub(crate) fn upsert_runs<'a>(items: &[(&'a Product, &'a ProductCard)]) -> Vec<Vec<(usize, &'a Product, &'a ProductCard)>> {
    let mut runs: Vec<Vec<(usize, &'a Product, &'a ProductCard)>> = Vec::new();
    let mut current = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, (product, card)) in items.iter().enumerate() {
        if !seen.insert(product.id.as_str()) {
            runs.push(std::mem::take(&mut current));
            seen.clear();
            seen.insert(product.id.as_str());
        }
        current.push((i, *product, *card));
    }
    if !current.is_empty() {
        runs.push(current);
    }
    for run in &mut runs {
        run.sort_by(|a, b| a.1.id.as_bytes().cmp(b.1.id.as_bytes()));
    }
    runs
}

/// How one run of an upsert batch is written, once its outcomes are
/// decided: products with their cards, products whose card text did not
/// change, products only confirmed as still listed (`synced_at`), and the
/// tombstones a newer version clears.
pub(crate) struct RunPlan<'a> {
    pub with_cards: Vec<(&'a Product, &'a ProductCard)>,
    pub without_cards: Vec<(&'a Product, &'a ProductCard)>,
    pub confirmed: Vec<&'a str>,
    pub tombstones_cleared: Vec<&'a str>,
}

impl<'a> RunPlan<'a> {
    /// Decides each product of `run` (see [`upsert_outcome`]) against what
    /// storage holds: `stored` versions and `deleted` tombstones by id.
    /// Returns the plan and each item's (batch index, outcome).
    pub(crate) fn decide(
        run: &[(usize, &'a Product, &'a ProductCard)],
        stored: &std::collections::HashMap<String, StoredVersion>,
        deleted: &std::collections::HashMap<String, DateTime<Utc>>,
    ) -> (Self, Vec<(usize, UpsertOutcome)>) {
        let mut plan = RunPlan { with_cards: Vec::new(), without_cards: Vec::new(), confirmed: Vec::new(), tombstones_cleared: Vec::new() };
        let mut outcomes = Vec::with_capacity(run.len());
        for &(i, product, card) in run {
            let fingerprint = postgres::product_fingerprint(product);
            let deleted_at = deleted.get(&product.id).copied();
            let outcome = upsert_outcome(stored.get(&product.id), deleted_at, product, &fingerprint, card);
            match outcome {
                // Still listed by the store: a full sync must not remove it.
                UpsertOutcome::Unchanged | UpsertOutcome::Stale => plan.confirmed.push(product.id.as_str()),
                UpsertOutcome::Created | UpsertOutcome::Updated { card_changed: true } => plan.with_cards.push((product, card)),
                UpsertOutcome::Updated { card_changed: false } => plan.without_cards.push((product, card)),
            }
            if deleted_at.is_some() && outcome != UpsertOutcome::Stale {
                plan.tombstones_cleared.push(product.id.as_str());
            }
            outcomes.push((i, outcome));
        }
        (plan, outcomes)
    }
}

/// A card whose embedding is missing, from another model, or older than
/// its text.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleCard {
    pub product_id: String,
    pub text: String,
    pub content_hash: String,
}

/// An embedding computed for one version of a card's text.
#[derive(Debug, Clone, PartialEq)]
pub struct CardEmbedding {
    pub product_id: String,
    /// The hash of the text that was embedded; the write is skipped if the
    /// card changed meanwhile (a later sweep embeds the new text).
    pub content_hash: String,
    pub vector: Vec<f32>,
}

/// A full-text query: the shopper's words and the languages to stem them in.
#[derive(Debug, Clone, PartialEq)]
pub struct TextQuery {
    /// Lower-cased words, letters and digits only.
    pub terms: Vec<String>,
    /// ISO 639-1 codes (`en`, `es`, `ru`...); the backend picks its stemmer
    /// for each and matches any.
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    User,
    Assistant,
    Agent,
    System,
}

impl MessageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageRole::User => "user",
            MessageRole::Assistant => "assistant",
            MessageRole::Agent => "agent",
            MessageRole::System => "system",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "user" => MessageRole::User,
            "assistant" => MessageRole::Assistant,
            "agent" => MessageRole::Agent,
            "system" => MessageRole::System,
            _ => return None,
        })
    }
}

/// A stored label back to its enum; an unknown word (written by a newer
/// version) reads as no label.
pub(crate) fn parse_label(stored: Option<String>) -> Option<Label> {
    let stored = stored?;
    [Label::Normal, Label::Escalate, Label::Urgent].into_iter().find(|label| label.as_str() == stored)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub store_id: String,
    pub created_at: DateTime<Utc>,
}

/// One process's hold on a store's connector sync
/// ([`CatalogStore::lease_store_sync`]); dropping it lets another replica
/// sync the store.
pub struct SyncLease {
    _hold: Option<Box<dyn Send>>,
}

impl SyncLease {
    /// A lease that holds nothing beyond the process: the database has no
    /// other gateway process (an embedded SQLite file).
    pub fn local() -> Self {
        Self { _hold: None }
    }

    /// A lease that lasts as long as `hold` (a database session holding a lock).
    pub fn holding(hold: impl Send + 'static) -> Self {
        Self { _hold: Some(Box::new(hold)) }
    }
}

impl std::fmt::Debug for SyncLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self._hold.is_some() { "SyncLease(database session)" } else { "SyncLease(local)" })
    }
}

/// Where a store's connector sync stands. A run in progress has
/// `run_started_at`; its `cursor` is the next page to fetch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    pub store_id: String,
    /// Set while a run is under way (or was cut off).
    #[serde(default)]
    pub run_started_at: Option<DateTime<Utc>>,
    /// True when the run fetches the whole catalog (and then removes what
    /// it did not see); false for products changed since the last run.
    #[serde(default)]
    pub full: bool,
    /// The `since` of an incremental run (RFC 3339).
    #[serde(default)]
    pub since: Option<String>,
    /// The page to fetch next; none at the start of a run.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Pages finished in this run.
    #[serde(default)]
    pub pages: u64,
    /// Start of the last run that finished, and of the last full one.
    #[serde(default)]
    pub last_run_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_full_at: Option<DateTime<Utc>>,
    /// Why the last attempt stopped, if it failed.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// One message of a transcript, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    pub id: String,
    pub conversation_id: String,
    pub role: MessageRole,
    pub text: String,
    pub language: Option<String>,
    /// The escalation label of a shopper message.
    pub label: Option<Label>,
    /// Tool calls made while answering, with their results (JSON array).
    pub tool_calls: serde_json::Value,
    /// Model (or `offline`) that wrote an assistant message.
    pub model: Option<String>,
    pub latency_ms: Option<i64>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    /// What the assistant message cost, at the store's prices for the model
    /// (`models.prices`); none when the store set no price for it.
    pub cost: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl StoredMessage {
    /// A new message (a time-ordered id, the time now) with no analysis,
    /// tools or model bookkeeping yet.
    pub fn new(conversation_id: &str, role: MessageRole, text: impl Into<String>) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            conversation_id: conversation_id.to_owned(),
            role,
            text: text.into(),
            language: None,
            label: None,
            tool_calls: serde_json::Value::Array(Vec::new()),
            model: None,
            latency_ms: None,
            prompt_tokens: None,
            completion_tokens: None,
            cost: None,
            created_at: Utc::now(),
        }
    }
}

/// Durable storage for every store the gateway serves: the store records
/// here, and one trait per concern ([`CatalogStore`], [`ConversationStore`],
/// [`TicketStore`]) that every backend implements.
#[async_trait]
pub trait Storage: CatalogStore + ConversationStore + TicketStore {
    /// `postgres` or `sqlite`.
    fn backend(&self) -> &'static str;
    async fn migrate(&self) -> StorageResult<()>;
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> StorageResult<()>;
    /// A statement just failed with [`StorageError::ConnectionLost`]: other
    /// pooled connections are suspect too (a restart closes them all), so a
    /// pooling backend checks them before handing them out for a while.
    fn connection_lost(&self) {}

    async fn upsert_store(&self, store: &StoreRecord) -> StorageResult<()>;
}

/// The catalog side: products, variants, cards and their embeddings, sync
/// progress and webhook deliveries.
#[async_trait]
pub trait CatalogStore: Send + Sync + 'static {
    /// Writes the product, replaces its variants and writes its card. The
    /// card keeps its old embedding until a new one is saved, but counts as
    /// stale once its content hash differs from the embedded one. A product
    /// older than the stored one (by `updated_at`), or than its tombstone,
    /// is not written ([`UpsertOutcome::Stale`]); a newer one clears the
    /// tombstone.
    async fn upsert_product(&self, store_id: &str, product: &Product, card: &ProductCard) -> StorageResult<UpsertOutcome> {
        let outcomes = self.upsert_products(store_id, &[(product, card)]).await?;
        outcomes.into_iter().next().ok_or_else(|| StorageError::Corrupt("an upsert of one product reported no outcome".into()))
    }
    /// [`CatalogStore::upsert_product`] for a batch, in one transaction; one
    /// outcome per item, in order.
    async fn upsert_products(&self, store_id: &str, items: &[(&Product, &ProductCard)]) -> StorageResult<Vec<UpsertOutcome>>;
    /// Removes the product, its variants and its card. False if it was not there.
    async fn delete_product(&self, store_id: &str, product_id: &str) -> StorageResult<bool>;
    /// Removes products as of a time (a webhook's delete, or the
    /// `updated_at` of a version that is no longer for sale), in one
    /// transaction. A product whose stored `updated_at` is later stays.
    /// Each id leaves a tombstone at its time (the latest wins), so an older
    /// upsert arriving afterwards does not bring the product back. Returns
    /// how many products were removed.
    async fn delete_products_as_of(&self, store_id: &str, deletions: &[(String, DateTime<Utc>)]) -> StorageResult<u64>;
    /// Records a webhook delivery id for the store, first forgetting ids
    /// received before `keep_since`. False when the id is already recorded
    /// (a retry or a replay: the caller does no work). Safe across replicas:
    /// of two concurrent claims of one id, one wins.
    async fn claim_webhook_delivery(&self, store_id: &str, delivery_id: &str, received_at: DateTime<Utc>, keep_since: DateTime<Utc>) -> StorageResult<bool>;
    /// Forgets a claimed delivery whose work failed, so the platform's
    /// retry is applied rather than taken for a duplicate.
    async fn release_webhook_delivery(&self, store_id: &str, delivery_id: &str) -> StorageResult<()>;
    /// The products with these ids, in the order given; missing ids are skipped.
    async fn get_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Product>>;
    /// [`Self::get_products`] as shared values: a backend that keeps the
    /// products it read hands those out uncopied, and the same `Arc` again
    /// until the product is written (so what is derived from one may be
    /// kept with it).
    async fn get_shared_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<std::sync::Arc<Product>>> {
        Ok(self.get_products(store_id, product_ids).await?.into_iter().map(std::sync::Arc::new).collect())
    }
    async fn count_products(&self, store_id: &str) -> StorageResult<u64>;
    /// Every product id of the store (a full sync deletes those the source
    /// no longer has).
    async fn product_ids(&self, store_id: &str) -> StorageResult<Vec<String>>;
    /// The variant with this SKU and the id of its product.
    async fn find_variant(&self, store_id: &str, sku: &str) -> StorageResult<Option<(String, Variant)>>;
    /// Ids of products last written or confirmed by a sync before `time`
    /// (a finished full sync removes them: the source no longer has them).
    async fn products_synced_before(&self, store_id: &str, time: DateTime<Utc>) -> StorageResult<Vec<String>>;
    /// Sets the last known stock of variants by SKU (a webhook's news);
    /// returns how many variants were found.
    async fn set_stock(&self, store_id: &str, levels: &[(String, i64)]) -> StorageResult<u64>;
    /// Takes the store's connector sync for this process, across every
    /// gateway process sharing the database, or `None` while another holds
    /// it. The hold ends when the lease is dropped or the process dies, so
    /// a crashed replica never keeps a store from syncing.
    async fn lease_store_sync(&self, store_id: &str) -> StorageResult<Option<SyncLease>>;
    /// The store's connector sync progress, if it ever synced.
    async fn get_sync_state(&self, store_id: &str) -> StorageResult<Option<SyncState>>;
    async fn save_sync_state(&self, state: &SyncState) -> StorageResult<()>;

    /// Cards with no embedding from `embedding_model`, or one made from an
    /// older text (embedding hash differs from content hash).
    async fn stale_cards(&self, store_id: &str, embedding_model: &str, limit: usize) -> StorageResult<Vec<StaleCard>>;
    async fn save_embeddings(&self, store_id: &str, embedding_model: &str, embeddings: &[CardEmbedding]) -> StorageResult<()>;
    /// Nearest cards by cosine similarity among this store's cards embedded
    /// with `embedding_model`; score = similarity (higher is better).
    async fn vector_search(&self, store_id: &str, embedding_model: &str, query: &[f32], k: usize) -> StorageResult<Vec<ScoredProduct>>;
    /// Best cards by full-text rank (any term may match; more and rarer
    /// matches rank higher).
    async fn text_search(&self, store_id: &str, query: &TextQuery, k: usize) -> StorageResult<Vec<ScoredProduct>>;
}

/// What the pipeline found out about a stored shopper message (`None`
/// leaves a value as it was).
#[derive(Debug, Clone, Copy)]
pub struct MessageAnalysis<'a> {
    pub message_id: &'a str,
    pub language: Option<&'a str>,
    pub label: Option<Label>,
}

/// Conversations and their transcripts.
#[async_trait]
pub trait ConversationStore: Send + Sync + 'static {
    async fn create_conversation(&self, conversation: &Conversation) -> StorageResult<()>;
    async fn get_conversation(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Conversation>>;
    async fn append_message(&self, store_id: &str, message: &StoredMessage) -> StorageResult<()>;
    /// Creates the conversation (if new) and stores its first message. The
    /// backends do it in one round trip: it is the first step of every turn.
    async fn create_conversation_with_message(&self, conversation: &Conversation, message: &StoredMessage) -> StorageResult<()> {
        self.create_conversation(conversation).await?;
        self.append_message(&conversation.store_id, message).await
    }
    /// Records what the pipeline found out about a stored shopper message.
    async fn set_message_analysis(&self, store_id: &str, message_id: &str, language: Option<&str>, label: Option<Label>) -> StorageResult<()>;
    /// Stores the assistant's answer and records the analysis of the
    /// shopper message it answers (as [`set_message_analysis`]). The backends
    /// do both in one round trip: it is the last step of every answered turn.
    ///
    /// [`set_message_analysis`]: ConversationStore::set_message_analysis
    async fn append_answer(&self, store_id: &str, answered: &MessageAnalysis<'_>, answer: &StoredMessage) -> StorageResult<()> {
        self.set_message_analysis(store_id, answered.message_id, answered.language, answered.label).await?;
        self.append_message(store_id, answer).await
    }
    /// The transcript, oldest first.
    async fn list_messages(&self, store_id: &str, conversation_id: &str) -> StorageResult<Vec<StoredMessage>>;
}

/// Where a handoff ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting in the queue for a person.
    Open,
    /// A person took it.
    Claimed,
    /// Done: the assistant answers the conversation again.
    Resolved,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Claimed => "claimed",
            TicketStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TicketStatus::Open, TicketStatus::Claimed, TicketStatus::Resolved].into_iter().find(|t| t.as_str() == s)
    }
}

/// A conversation handed to a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub store_id: String,
    pub conversation_id: String,
    pub status: TicketStatus,
    pub label: Label,
    pub reason: Reason,
    /// The shopper's language (ISO 639-1).
    pub language: String,
    /// Products the conversation showed or discussed, newest first.
    pub product_ids: Vec<String>,
    /// The agent who claimed it.
    pub assignee: Option<String>,
    /// An email the shopper left to be answered at.
    pub contact_email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A reason's stored word (its serde name).
pub(crate) fn reason_word(reason: Reason) -> String {
    match serde_json::to_value(reason) {
        Ok(serde_json::Value::String(word)) => word,
        _ => String::new(),
    }
}

/// A stored reason word back to the enum; an unknown word (from a newer
/// version) reads as a complaint rather than failing the whole queue.
pub(crate) fn parse_reason(word: &str) -> Reason {
    serde_json::from_value(serde_json::Value::String(word.to_owned())).unwrap_or(Reason::Complaint)
}

/// Handoff tickets.
#[async_trait]
pub trait TicketStore: Send + Sync + 'static {
    /// Opens `ticket` unless its conversation already has one that is not
    /// resolved; returns the conversation's active ticket and whether it
    /// is the new one. Safe across replicas: of two concurrent opens for
    /// one conversation, one ticket results.
    async fn open_ticket(&self, ticket: &Ticket) -> StorageResult<(Ticket, bool)>;
    /// The conversation's ticket that is not resolved, if any.
    async fn active_ticket(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Ticket>>;
    async fn get_ticket(&self, store_id: &str, ticket_id: &str) -> StorageResult<Option<Ticket>>;
    /// Tickets in these states, urgent first, then oldest first.
    async fn list_tickets(&self, store_id: &str, statuses: &[TicketStatus], limit: usize) -> StorageResult<Vec<Ticket>>;
    /// `agent` takes the ticket: allowed when it is open or already theirs.
    /// None when that is not the case (or the ticket does not exist).
    async fn claim_ticket(&self, store_id: &str, ticket_id: &str, agent: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>>;
    /// Resolves a ticket that is not resolved yet; None otherwise.
    async fn resolve_ticket(&self, store_id: &str, ticket_id: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>>;
    /// Records the email the shopper left on the active ticket.
    async fn set_ticket_contact(&self, store_id: &str, ticket_id: &str, email: &str, at: DateTime<Utc>) -> StorageResult<()>;
}
