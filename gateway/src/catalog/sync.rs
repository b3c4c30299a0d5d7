//! Bringing a catalog into storage: upsert each product with its card,
//! remove what the source no longer has, then embed every stale card. The
//! same `embed_stale` runs as a periodic sweep, so an embedding that fell
//! behind its text (a failed or lagging embed) is caught, not silently kept.
//!
//! Re-running an import is safe (upserts compare content), and so is running
//! it on several replicas at once: an embedding is saved only if the card's
//! text is still the one that was embedded.

use std::collections::HashSet;

use serde::Deserialize;

use super::{Product, ProductCard};
use crate::embed::{EmbedError, Embedder};
use crate::storage::{CardEmbedding, StaleCard, Storage, StorageError, UpsertOutcome};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error("catalog file {path}: {message}")]
    File { path: String, message: String },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub embedded: usize,
    /// Products the source sent that could not be read (each logged).
    pub skipped: usize,
    /// Versions older than what the gateway already holds (or deleted
    /// later), so not written: a late or replayed webhook, or a sync page
    /// read before a webhook landed.
    pub stale: usize,
}

/// A catalog export: the store header and its products (the format of
/// `examples/demo-store/catalog.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct CatalogFile {
    #[serde(default)]
    pub store: Option<serde_json::Value>,
    pub products: Vec<Product>,
}

impl CatalogFile {
    pub fn parse(text: &str, path: &str) -> Result<Self, SyncError> {
        let file: CatalogFile = serde_json::from_str(text).map_err(|e| SyncError::File { path: path.to_owned(), message: e.to_string() })?;
        let mut seen = HashSet::new();
        for product in &file.products {
            if product.id.trim().is_empty() || !seen.insert(product.id.as_str()) {
                return Err(SyncError::File { path: path.to_owned(), message: format!("product id `{}` is empty or repeated", product.id) });
            }
        }
        Ok(file)
    }

    pub fn read(path: &str) -> Result<Self, SyncError> {
        let text = std::fs::read_to_string(path).map_err(|e| SyncError::File { path: path.to_owned(), message: e.to_string() })?;
        Self::parse(&text, path)
    }
}

/// Cards embedded per batch.
const EMBED_BATCH: usize = 64;

/// Full import: the store's catalog becomes exactly `products`.
pub async fn import_full(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    products: &[Product],
) -> Result<SyncReport, SyncError> {
    let mut report = upsert_products(storage, store_id, primary_language, products).await?;
    let keep: HashSet<&str> = products.iter().map(|p| p.id.as_str()).collect();
    for stale_id in storage.product_ids(store_id).await? {
        if !keep.contains(stale_id.as_str()) && storage.delete_product(store_id, &stale_id).await? {
            report.deleted += 1;
        }
    }
    report.embedded = embed_stale(storage, embedder, store_id).await?;
    Ok(report)
}

/// Products per storage transaction of an upsert.
pub const UPSERT_BATCH: usize = 100;

/// Upserts products (an incremental sync or a webhook's batch), one
/// storage transaction per [`UPSERT_BATCH`], without embedding; call
/// `embed_stale` after.
pub async fn upsert_products(storage: &dyn Storage, store_id: &str, primary_language: &str, products: &[Product]) -> Result<SyncReport, SyncError> {
    Ok(upsert_collecting_cards(storage, store_id, primary_language, products).await?.0)
}

/// [`upsert_products`], returning the cards whose text was written (new
/// products, and changed ones whose card text changed): those need an
/// embedding.
async fn upsert_collecting_cards(
    storage: &dyn Storage,
    store_id: &str,
    primary_language: &str,
    products: &[Product],
) -> Result<(SyncReport, Vec<ProductCard>), SyncError> {
    let mut report = SyncReport::default();
    let mut written = Vec::new();
    for batch in products.chunks(UPSERT_BATCH) {
        let cards: Vec<ProductCard> = batch.iter().map(|p| ProductCard::build(p, primary_language)).collect();
        let items: Vec<(&Product, &ProductCard)> = batch.iter().zip(&cards).collect();
        let outcomes = storage.upsert_products(store_id, &items).await?;
        for (outcome, card) in outcomes.into_iter().zip(cards) {
            match outcome {
                UpsertOutcome::Created => report.created += 1,
                UpsertOutcome::Updated { .. } => report.updated += 1,
                UpsertOutcome::Unchanged => report.unchanged += 1,
                UpsertOutcome::Stale => report.stale += 1,
            }
            if matches!(outcome, UpsertOutcome::Created | UpsertOutcome::Updated { card_changed: true }) {
                written.push(card);
            }
        }
    }
    Ok((report, written))
}

/// [`upsert_products`], then the cards whose text changed embedded in one
/// call of the embedder (its own batching applies) and saved, each only
/// if its card still has the text that was embedded. The page's products
/// are written before anything is embedded: an embedding that fails is
/// logged and left to `embed_stale` (the caller's sweep and the periodic
/// one), so an embedder outage does not hold up the catalog.
pub async fn upsert_and_embed(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    products: &[Product],
) -> Result<SyncReport, SyncError> {
    let (mut report, cards) = upsert_collecting_cards(storage, store_id, primary_language, products).await?;
    if cards.is_empty() {
        return Ok(report);
    }
    let cards: Vec<StaleCard> =
        cards.into_iter().map(|card| StaleCard { product_id: card.product_id, text: card.text, content_hash: card.content_hash }).collect();
    let count = cards.len();
    let embeddings = match embed_cards(embedder, cards).await {
        Ok(embeddings) => embeddings,
        Err(why) => {
            tracing::warn!(store = store_id, error = %why, cards = count, "cards left for the staleness sweep to embed");
            return Ok(report);
        }
    };
    storage.save_embeddings(store_id, embedder.model_id(), &embeddings).await?;
    report.embedded += embeddings.len();
    Ok(report)
}

/// Embeds every card of the store whose embedding is missing, from another
/// model, or older than its text. Returns how many were embedded.
pub async fn embed_stale(storage: &dyn Storage, embedder: &dyn Embedder, store_id: &str) -> Result<usize, SyncError> {
    embed_stale_with(storage, embedder, store_id, &Quiet).await
}

/// What a long sync tells whoever watches it (the `chatgw sync` progress
/// bar); a serving gateway watches nothing ([`Quiet`]).
pub trait SyncProgress: Send + Sync {
    /// A page of `products` was written; `pages` pages so far in this run.
    fn page(&self, _pages: u64, _products: usize) {}
    /// Cards about to be embedded: at least `stale` (more when cards change meanwhile).
    fn embedding(&self, _stale: usize) {}
    /// `batch` more cards embedded and saved.
    fn embedded(&self, _batch: usize) {}
}

/// Progress nobody watches.
pub struct Quiet;

impl SyncProgress for Quiet {}

/// [`embed_stale`], telling `progress` about each batch.
pub async fn embed_stale_with(storage: &dyn Storage, embedder: &dyn Embedder, store_id: &str, progress: &dyn SyncProgress) -> Result<usize, SyncError> {
    let model = embedder.model_id().to_owned();
    let mut total = 0;
    loop {
        let stale = storage.stale_cards(store_id, &model, EMBED_BATCH).await?;
        if stale.is_empty() {
            return Ok(total);
        }
        let embeddings = embed_cards(embedder, stale).await?;
        let batch = embeddings.len();
        storage.save_embeddings(store_id, &model, &embeddings).await?;
        progress.embedded(batch);
        total += batch;
        if batch < EMBED_BATCH {
            // A short batch was the last one; a card edited meanwhile is
            // picked up by the next sweep rather than looping here.
            return Ok(total);
        }
    }
}

/// One embedding per card, for the text it has now, in one call of the
/// embedder.
async fn embed_cards(embedder: &dyn Embedder, cards: Vec<StaleCard>) -> Result<Vec<CardEmbedding>, EmbedError> {
    let texts: Vec<String> = cards.iter().map(|c| c.text.clone()).collect();
    let vectors = embedder.embed(&texts).await?;
    if vectors.len() != cards.len() {
        return Err(EmbedError::CountMismatch { expected: cards.len(), got: vectors.len() });
    }
    Ok(cards.into_iter().zip(vectors).map(|(card, vector)| CardEmbedding { product_id: card.product_id, content_hash: card.content_hash, vector }).collect())
}
