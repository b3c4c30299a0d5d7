//! Catalog sync from a connector: page after page of `sync-products`, each
//! page written before the next is asked for, progress saved after every
//! page. A run that stops half-way (upstream failure, crash, deploy) resumes
//! at the page it had reached; a full run then removes the products it did
//! not see, an incremental run (`since` the last run's start) removes
//! nothing. Webhook events go through [`apply_events`].

use std::time::Duration;

use chatgw_plugins::contract as c;
use chatgw_plugins::{ConnectorError, PluginError};
use chrono::Utc;

use super::{ConnectorFailure, StoreConnector, convert};
use crate::catalog::sync::{SyncError, SyncReport, embed_stale, upsert_products};
use crate::embed::Embedder;
use crate::storage::{Storage, SyncState};

/// A cut-off run older than this starts over: page cursors expire.
const RESUME_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(12);
/// Rate-limited pages are retried this many times in a row.
const RATE_LIMIT_RETRIES: u32 = 5;
/// Longest wait honoured from a `rate-limited(retry-after)`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum ConnectorSyncError {
    #[error(transparent)]
    Connector(#[from] ConnectorFailure),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
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
    connector: &StoreConnector,
    mode: SyncMode,
) -> Result<SyncReport, ConnectorSyncError> {
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
    loop {
        let page = match fetch_page(connector, &state).await {
            Ok(page) => page,
            Err(e) => {
                state.last_error = Some(e.to_string());
                storage.save_sync_state(&state).await?;
                return Err(e.into());
            }
        };
        apply_products(storage, store_id, primary_language, &page.products, &mut report).await?;
        state.pages += 1;
        state.cursor = page.next_cursor.filter(|c| !c.is_empty());
        let done = state.cursor.is_none();
        if !done {
            storage.save_sync_state(&state).await?;
            continue;
        }
        break;
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
    report.embedded = embed_stale(storage, embedder, store_id).await?;
    tracing::info!(store = store_id, pages = state.pages, ?report, "connector sync finished");
    Ok(report)
}

/// One page, waiting out rate limits the plugin reports.
async fn fetch_page(connector: &StoreConnector, state: &SyncState) -> Result<c::ProductPage, ConnectorFailure> {
    let mut attempt = 0;
    loop {
        match connector.sync_page(state.cursor.clone(), state.since.clone()).await {
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

/// Writes listed products and removes unlisted ones. A product the
/// gateway cannot read is skipped with a warning that names it; the rest of
/// the page still lands.
async fn apply_products(
    storage: &dyn Storage,
    store_id: &str,
    primary_language: &str,
    products: &[c::Product],
    report: &mut SyncReport,
) -> Result<(), ConnectorSyncError> {
    let mut listed = Vec::with_capacity(products.len());
    for raw in products {
        if !convert::is_listed(raw) {
            if storage.delete_product(store_id, &raw.external_id).await? {
                report.deleted += 1;
            }
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
    let written = upsert_products(storage, store_id, primary_language, &listed).await?;
    report.created += written.created;
    report.updated += written.updated;
    report.unchanged += written.unchanged;
    Ok(())
}

/// What one webhook changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WebhookReport {
    pub products: SyncReport,
    pub stock_updates: u64,
    pub orders_updated: usize,
}

/// Applies a verified webhook's events to the catalog.
pub async fn apply_events(
    storage: &dyn Storage,
    embedder: &dyn Embedder,
    store_id: &str,
    primary_language: &str,
    events: Vec<c::WebhookEvent>,
) -> Result<WebhookReport, ConnectorSyncError> {
    let mut report = WebhookReport::default();
    let mut products = Vec::new();
    for event in events {
        match event {
            c::WebhookEvent::ProductUpserted(product) => products.push(*product),
            c::WebhookEvent::ProductDeleted { external_id } => {
                if storage.delete_product(store_id, &external_id).await? {
                    report.products.deleted += 1;
                }
            }
            c::WebhookEvent::StockChanged(levels) => {
                let totals: Vec<(String, i64)> = super::stock_totals(&levels).into_iter().collect();
                report.stock_updates += storage.set_stock(store_id, &totals).await?;
            }
            c::WebhookEvent::OrderUpdated { order_ref } => {
                // Orders are always read live from the connector; nothing is cached.
                tracing::debug!(store = store_id, order = %order_ref, "order updated");
                report.orders_updated += 1;
            }
        }
    }
    if !products.is_empty() {
        apply_products(storage, store_id, primary_language, &products, &mut report.products).await?;
        report.products.embedded = embed_stale(storage, embedder, store_id).await?;
    }
    Ok(report)
}
