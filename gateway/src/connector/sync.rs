//! Catalog sync from a connector: page after page of `sync-products`, the
//! next page fetched (in a task of its own) while the gateway writes and
//! embeds the one before, the cursor saved after every page written, never
//! ahead of it. A run that stops half-way (upstream failure, crash, deploy) resumes
//! at the page it had reached; a full run then removes the products it did
//! not see, an incremental run (`since` the last run's start) removes
//! nothing. A run stops with an error at a cursor it has already fetched
//! (the connector would page forever) and at `catalog.max_pages_per_sync`.
//! Webhook events go through [`apply_events`].
//!
//! Syncs of one store run one at a time; webhooks never wait for them.
//! Storage orders every write by the product's `updated_at` (and keeps
//! tombstones of deletes), so a page fetched before a webhook landed cannot
//! roll the webhook's news back.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chatgw_plugins::contract as c;
use chatgw_plugins::{ConnectorError, PluginError};
use chrono::{DateTime, Utc};

use super::{ConnectorFailure, StoreConnector, convert};
use crate::catalog::sync::{SyncError, SyncProgress, SyncReport, embed_stale, embed_stale_with, upsert_and_embed};
use crate::embed::Embedder;
use crate::storage::{Storage, SyncState};

/// A cut-off run older than this starts over: page cursors expire.
const RESUME_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(12);
/// Rate-limited pages are retried this many times in a row.
const RATE_LIMIT_RETRIES: u32 = 5;
/// Longest wait honoured from a `rate-limited(retry-after)`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Characters of a cursor quoted in an error.
const CURSOR_QUOTE_CHARS: usize = 80;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorSyncError {
    #[error(transparent)]
    Connector(#[from] ConnectorFailure),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error(
        "the connector returned the cursor `{cursor}` again after page {pages} of this run, so it would page forever; the pages up to \
         there are saved. This is a bug in the connector plugin (or the store API): report it to its author"
    )]
    RepeatedCursor { cursor: String, pages: u64 },
    #[error(
        "the sync stopped after {pages} pages, the most one run may fetch (`catalog.max_pages_per_sync` = {max}); the pages up to \
         there are saved. If the catalog really has more pages, raise the limit and the next run resumes here; otherwise the \
         connector does not end its pages: report it to its author"
    )]
    PageCap { pages: u64, max: u64 },
}

/// Bounds of one sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncLimits {
    /// `catalog.max_pages_per_sync`.
    pub max_pages: u64,
}

/// Watches a run's cursors: each must be new to the run, and the run must
/// stay under its page cap. A resumed run knows the cursors from where it
/// resumed (the earlier ones are not stored).
struct PageGuard {
    seen: HashSet<String>,
    max_pages: u64,
}

impl PageGuard {
    fn new(limits: SyncLimits, resumed_at: Option<&String>) -> Self {
        Self { seen: resumed_at.into_iter().cloned().collect(), max_pages: limits.max_pages }
    }

    /// Before fetching the next page of a run that has done `pages`.
    fn may_fetch(&self, pages: u64) -> Result<(), ConnectorSyncError> {
        if pages >= self.max_pages {
            return Err(ConnectorSyncError::PageCap { pages, max: self.max_pages });
        }
        Ok(())
    }

    /// The next cursor a page returned, after `pages` pages.
    fn next(&mut self, cursor: &str, pages: u64) -> Result<(), ConnectorSyncError> {
        if !self.seen.insert(cursor.to_owned()) {
            let mut quoted: String = cursor.chars().take(CURSOR_QUOTE_CHARS).collect();
            if quoted.len() < cursor.len() {
                quoted.push('…');
            }
            return Err(ConnectorSyncError::RepeatedCursor { cursor: quoted, pages });
        }
        Ok(())
    }
}

/// How one call of [`sync_store`] runs.
#[derive(Clone, Copy)]
pub struct SyncRun<'a> {
    pub mode: SyncMode,
    pub limits: SyncLimits,
    /// Told about each page and embedding batch.
    pub progress: &'a dyn SyncProgress,
}

/// What kind of run to start when none is under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// The whole catalog; removes what the store no longer lists.
    Full,
    /// Products changed since the last finished run (a full run if there
    /// was none).
    Incremental,
}

/// Runs (or resumes) the store's sync to the end, then embeds stale cards.
pub async fn sync_store(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    connector: &Arc<StoreConnector>,
    run: SyncRun<'_>,
) -> Result<SyncReport, ConnectorSyncError> {
    let SyncRun { mode, limits, progress } = run;
    let now = Utc::now();
    let mut state = storage.get_sync_state(store_id).await?.unwrap_or_else(|| SyncState { store_id: store_id.to_owned(), ..SyncState::default() });
    let resumable = state.run_started_at.is_some_and(|started| now - started < RESUME_WINDOW);
    if resumable {
        tracing::info!(store = store_id, pages_done = state.pages, full = state.full, "resuming a connector sync that was cut off");
    } else {
        let full = mode == SyncMode::Full || state.last_run_at.is_none();
        state.run_started_at = Some(now);
        state.full = full;
        state.since = if full { None } else { state.last_run_at.map(|t| t.to_rfc3339()) };
        state.cursor = None;
        state.pages = 0;
        storage.save_sync_state(&state).await?;
    }

    let mut report = SyncReport::default();
    let mut guard = PageGuard::new(limits, state.cursor.as_ref());
    // Errors stop the run where it stands: the next run resumes at the
    // saved cursor (after the operator raised a cap, say).
    if let Err(e) = guard.may_fetch(state.pages) {
        return Err(stop(storage, &mut state, e).await);
    }
    let mut fetching = Some(Prefetch::start(connector, state.cursor.clone(), state.since.clone()));
    loop {
        let page = match fetching.take().expect("the run goes on only with its next page under way").page().await {
            Ok(page) => page,
            Err(e) => return Err(stop(storage, &mut state, e.into()).await),
        };
        let next = page.next_cursor.filter(|c| !c.is_empty());
        // The next page is fetched while this one is written and embedded;
        // the saved cursor still moves only once this page is written.
        let repeated = next.as_ref().map_or(Ok(()), |next| guard.next(next, state.pages + 1));
        let capped = guard.may_fetch(state.pages + 1);
        if let (Some(next), Ok(()), Ok(())) = (&next, &repeated, &capped) {
            fetching = Some(Prefetch::start(connector, Some(next.clone()), state.since.clone()));
        }
        apply_products(storage, embedder, store_id, primary_language, &page.products, &mut report).await?;
        state.pages += 1;
        progress.page(state.pages, page.products.len());
        let Some(next) = next else { break };
        if let Err(e) = repeated {
            return Err(stop(storage, &mut state, e).await);
        }
        state.cursor = Some(next);
        storage.save_sync_state(&state).await?;
        if let Err(e) = capped {
            return Err(stop(storage, &mut state, e).await);
        }
    }

    let started = state.run_started_at.expect("a run is under way");
    if state.full {
        for id in storage.products_synced_before(store_id, started).await? {
            if storage.delete_product(store_id, &id).await? {
                report.deleted += 1;
            }
        }
    }
    state.last_run_at = Some(started);
    if state.full {
        state.last_full_at = Some(started);
    }
    state.run_started_at = None;
    state.cursor = None;
    state.since = None;
    state.last_error = None;
    storage.save_sync_state(&state).await?;
    // Cards a page could not embed (the embedder failed), and any other
    // stale card of the store.
    let left = (report.created + report.updated).saturating_sub(report.embedded);
    if left > 0 {
        progress.embedding(left);
    }
    report.embedded += embed_stale_with(storage, embedder, store_id, progress).await?;
    tracing::info!(store = store_id, pages = state.pages, ?report, "connector sync finished");
    Ok(report)
}

/// Saves why the run stopped (with its progress) and returns the error.
async fn stop(storage: &dyn Storage, state: &mut SyncState, error: ConnectorSyncError) -> ConnectorSyncError {
    state.last_error = Some(error.to_string());
    match storage.save_sync_state(state).await {
        Ok(()) => error,
        Err(save) => save.into(),
    }
}

/// A page being fetched in the background (its own task, so the plugin
/// runs while the gateway writes the page before it). Dropping it, as an
/// error that ends the run does, stops the fetch.
struct Prefetch(tokio::task::JoinHandle<Result<c::ProductPage, ConnectorFailure>>);

impl Prefetch {
    fn start(connector: &Arc<StoreConnector>, cursor: Option<String>, since: Option<String>) -> Self {
        let connector = connector.clone();
        Prefetch(tokio::spawn(async move { fetch_page(&connector, cursor, since).await }))
    }

    async fn page(mut self) -> Result<c::ProductPage, ConnectorFailure> {
        match (&mut self.0).await {
            Ok(page) => page,
            // Only `Drop` aborts the task, so this is the fetch's panic.
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One page, waiting out rate limits the plugin reports.
async fn fetch_page(connector: &StoreConnector, cursor: Option<String>, since: Option<String>) -> Result<c::ProductPage, ConnectorFailure> {
    let mut attempt = 0;
    loop {
        match connector.sync_page(cursor.clone(), since.clone()).await {
            Err(ConnectorFailure::Call { source: PluginError::Connector(ConnectorError::RateLimited(after)), .. }) if attempt < RATE_LIMIT_RETRIES => {
                attempt += 1;
                let wait = Duration::from_secs(after.unwrap_or(2).into()).min(MAX_RETRY_AFTER);
                tracing::info!(plugin = connector.plugin(), ?wait, attempt, "store API rate-limited the sync; waiting");
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// Writes listed products and removes unlisted ones, each as of its own
/// `updated_at` (so an older unlisted version does not remove a newer
/// listed one), then embeds the cards whose text changed. A product the
/// gateway cannot read is skipped with a warning that names it; the rest
/// still lands.
async fn apply_products(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    products: &[c::Product],
    report: &mut SyncReport,
) -> Result<(), ConnectorSyncError> {
    let mut listed = Vec::with_capacity(products.len());
    let mut unlisted = Vec::new();
    for raw in products {
        if !convert::is_listed(raw) {
            let as_of = convert::updated_at(raw).ok().flatten().unwrap_or_else(Utc::now);
            unlisted.push((raw.external_id.clone(), as_of));
            continue;
        }
        match convert::product(raw) {
            Ok(product) => listed.push(product),
            Err(why) => {
                tracing::warn!(store = store_id, product = %raw.external_id, %why, "skipped a product the connector sent");
                report.skipped += 1;
            }
        }
    }
    report.deleted += storage.delete_products_as_of(store_id, &unlisted).await? as usize;
    let written = upsert_and_embed(storage, embedder, store_id, primary_language, &listed).await?;
    report.embedded += written.embedded;
    report.created += written.created;
    report.updated += written.updated;
    report.unchanged += written.unchanged;
    report.stale += written.stale;
    Ok(())
}

/// What one webhook changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WebhookReport {
    pub products: SyncReport,
    pub stock_updates: u64,
    pub orders_updated: usize,
    /// The delivery was applied before (same delivery id): nothing was done.
    pub duplicate: bool,
    /// A platform's creation ping (WooCommerce's `webhook_id=N`): nothing
    /// was done.
    pub ping: bool,
}

/// Applies a verified, checked webhook's events to the catalog in batches:
/// deletions in one transaction, upserts one transaction per
/// [`crate::catalog::sync::UPSERT_BATCH`], stock in one statement, then the
/// changed cards embedded through the embedder's batch API. A deletion
/// holds as of the time it is applied: the contract's deletions carry no
/// time of their own.
pub async fn apply_events(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    events: Vec<c::WebhookEvent>,
) -> Result<WebhookReport, ConnectorSyncError> {
    let received: DateTime<Utc> = Utc::now();
    let mut report = WebhookReport::default();
    let mut products = Vec::new();
    let mut deletions = Vec::new();
    let mut stock: HashMap<String, i64> = HashMap::new();
    for event in events {
        match event {
            c::WebhookEvent::ProductUpserted(product) => products.push(*product),
            c::WebhookEvent::ProductDeleted { external_id } => deletions.push((external_id, received)),
            // A later event's level for a SKU wins over an earlier one's.
            c::WebhookEvent::StockChanged(levels) => stock.extend(super::stock_totals(&levels)),
            c::WebhookEvent::OrderUpdated { order_ref } => {
                // Orders are always read live from the connector; nothing is cached.
                tracing::debug!(store = store_id, order = %order_ref, "order updated");
                report.orders_updated += 1;
            }
        }
    }
    report.products.deleted += storage.delete_products_as_of(store_id, &deletions).await? as usize;
    if !products.is_empty() {
        apply_products(storage, embedder, store_id, primary_language, &products, &mut report.products).await?;
    }
    if !stock.is_empty() {
        let totals: Vec<(String, i64)> = stock.into_iter().collect();
        report.stock_updates += storage.set_stock(store_id, &totals).await?;
    }
    if report.products.created + report.products.updated > report.products.embedded {
        // What the batch could not embed, and any other stale card.
        report.products.embedded += embed_stale(storage, embedder, store_id).await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_seen_before_in_the_run_stops_it() {
        let mut guard = PageGuard::new(SyncLimits { max_pages: 100 }, None);
        guard.next("a", 1).unwrap();
        guard.next("b", 2).unwrap();
        let repeated = guard.next("a", 3).unwrap_err();
        assert!(matches!(&repeated, ConnectorSyncError::RepeatedCursor { cursor, pages: 3 } if cursor == "a"), "{repeated}");
        assert!(repeated.to_string().contains("page 3"), "{repeated}");
        // The cursor a run resumed at counts as seen.
        let mut resumed = PageGuard::new(SyncLimits { max_pages: 100 }, Some(&"c".to_owned()));
        assert!(resumed.next("c", 5).is_err());
    }

    #[test]
    fn the_page_cap_stops_a_run_and_says_how_to_raise_it() {
        let guard = PageGuard::new(SyncLimits { max_pages: 2 }, None);
        assert!(guard.may_fetch(1).is_ok());
        let capped = guard.may_fetch(2).unwrap_err();
        assert!(capped.to_string().contains("catalog.max_pages_per_sync"), "{capped}");
    }

    #[test]
    fn a_long_cursor_is_quoted_short() {
        let mut guard = PageGuard::new(SyncLimits { max_pages: 100 }, None);
        let long = "x".repeat(500);
        guard.next(&long, 1).unwrap();
        let error = guard.next(&long, 2).unwrap_err().to_string();
        assert!(error.len() < 500, "{error}");
    }
}
