//! Storage that survives a database restart: an operation whose connection
//! broke under it ([`StorageError::ConnectionLost`]) runs once more, on a
//! connection the pool has checked. Without this, every connection pooled
//! before a PostgreSQL restart fails one request each before the pool has
//! replaced them all.
//!
//! Retrying is safe because every write is idempotent: messages and
//! conversations are inserted under their own ids with `ON CONFLICT DO
//! NOTHING` (a message whose commit reached the server before the
//! connection dropped is not stored twice), upserts and `SET`s write the
//! same values again. Two results may differ from a single run when the
//! first attempt did commit: `upsert_product` then reports `Unchanged` (the
//! stale-card sweep still re-embeds by content hash) and `delete_product`
//! reports `false`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    CardEmbedding, CatalogStore, Conversation, ConversationStore, MessageAnalysis, StaleCard, Storage, StorageError, StorageResult, StoreRecord, StoredMessage,
    SyncLease, SyncState, TextQuery, Ticket, TicketStatus, TicketStore, UpsertOutcome,
};
use crate::catalog::{Product, ProductCard, Variant};
use crate::classify::Label;
use crate::search::ScoredProduct;

/// A [`Storage`] whose operations are retried once after a lost connection.
pub struct Reconnecting<S> {
    inner: S,
}

impl<S: Storage> Reconnecting<S> {
    pub fn new(inner: S) -> Self {
        Self { inner }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Runs `operation`, and once more if its connection was lost. A second
    /// loss is returned as it is: the database is going away, and the
    /// caller answers "unavailable".
    async fn once_more<'a, T, F>(&'a self, operation: F) -> StorageResult<T>
    where
        F: Fn() -> futures::future::BoxFuture<'a, StorageResult<T>>,
    {
        match operation().await {
            Err(StorageError::ConnectionLost(error)) => {
                tracing::warn!(%error, "database connection lost; retrying once on a checked connection");
                self.inner.connection_lost();
                operation().await
            }
            other => other,
        }
    }
}

#[async_trait]
impl<S: Storage> Storage for Reconnecting<S> {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn migrate(&self) -> StorageResult<()> {
        self.once_more(|| self.inner.migrate()).await
    }
    async fn ping(&self) -> StorageResult<()> {
        // A stale pooled connection says nothing about the database itself.
        self.once_more(|| self.inner.ping()).await
    }
    fn connection_lost(&self) {
        self.inner.connection_lost();
    }
    async fn upsert_store(&self, store: &StoreRecord) -> StorageResult<()> {
        self.once_more(|| self.inner.upsert_store(store)).await
    }
}

#[async_trait]
impl<S: Storage> CatalogStore for Reconnecting<S> {
    async fn upsert_product(&self, store_id: &str, product: &Product, card: &ProductCard) -> StorageResult<UpsertOutcome> {
        self.once_more(|| self.inner.upsert_product(store_id, product, card)).await
    }
    async fn delete_product(&self, store_id: &str, product_id: &str) -> StorageResult<bool> {
        self.once_more(|| self.inner.delete_product(store_id, product_id)).await
    }
    async fn upsert_products(&self, store_id: &str, items: &[(&Product, &ProductCard)]) -> StorageResult<Vec<UpsertOutcome>> {
        self.once_more(|| self.inner.upsert_products(store_id, items)).await
    }
    async fn delete_products_as_of(&self, store_id: &str, deletions: &[(String, DateTime<Utc>)]) -> StorageResult<u64> {
        self.once_more(|| self.inner.delete_products_as_of(store_id, deletions)).await
    }
    async fn claim_webhook_delivery(&self, store_id: &str, delivery_id: &str, received_at: DateTime<Utc>, keep_since: DateTime<Utc>) -> StorageResult<bool> {
        self.once_more(|| self.inner.claim_webhook_delivery(store_id, delivery_id, received_at, keep_since)).await
    }
    async fn release_webhook_delivery(&self, store_id: &str, delivery_id: &str) -> StorageResult<()> {
        self.once_more(|| self.inner.release_webhook_delivery(store_id, delivery_id)).await
    }
    async fn get_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<Product>> {
        self.once_more(|| self.inner.get_products(store_id, product_ids)).await
    }
    async fn get_shared_products(&self, store_id: &str, product_ids: &[String]) -> StorageResult<Vec<std::sync::Arc<Product>>> {
        self.once_more(|| self.inner.get_shared_products(store_id, product_ids)).await
    }
    async fn count_products(&self, store_id: &str) -> StorageResult<u64> {
        self.once_more(|| self.inner.count_products(store_id)).await
    }
    async fn product_ids(&self, store_id: &str) -> StorageResult<Vec<String>> {
        self.once_more(|| self.inner.product_ids(store_id)).await
    }
    async fn find_variant(&self, store_id: &str, sku: &str) -> StorageResult<Option<(String, Variant)>> {
        self.once_more(|| self.inner.find_variant(store_id, sku)).await
    }
    async fn products_synced_before(&self, store_id: &str, time: DateTime<Utc>) -> StorageResult<Vec<String>> {
        self.once_more(|| self.inner.products_synced_before(store_id, time)).await
    }
    async fn set_stock(&self, store_id: &str, levels: &[(String, i64)]) -> StorageResult<u64> {
        self.once_more(|| self.inner.set_stock(store_id, levels)).await
    }
    async fn lease_store_sync(&self, store_id: &str) -> StorageResult<Option<SyncLease>> {
        self.once_more(|| self.inner.lease_store_sync(store_id)).await
    }
    async fn get_sync_state(&self, store_id: &str) -> StorageResult<Option<SyncState>> {
        self.once_more(|| self.inner.get_sync_state(store_id)).await
    }
    async fn save_sync_state(&self, state: &SyncState) -> StorageResult<()> {
        self.once_more(|| self.inner.save_sync_state(state)).await
    }
    async fn stale_cards(&self, store_id: &str, embedding_model: &str, limit: usize) -> StorageResult<Vec<StaleCard>> {
        self.once_more(|| self.inner.stale_cards(store_id, embedding_model, limit)).await
    }
    async fn save_embeddings(&self, store_id: &str, embedding_model: &str, embeddings: &[CardEmbedding]) -> StorageResult<()> {
        self.once_more(|| self.inner.save_embeddings(store_id, embedding_model, embeddings)).await
    }
    async fn vector_search(&self, store_id: &str, embedding_model: &str, query: &[f32], k: usize) -> StorageResult<Vec<ScoredProduct>> {
        self.once_more(|| self.inner.vector_search(store_id, embedding_model, query, k)).await
    }
    async fn text_search(&self, store_id: &str, query: &TextQuery, k: usize) -> StorageResult<Vec<ScoredProduct>> {
        self.once_more(|| self.inner.text_search(store_id, query, k)).await
    }
}

#[async_trait]
impl<S: Storage> ConversationStore for Reconnecting<S> {
    async fn create_conversation(&self, conversation: &Conversation) -> StorageResult<()> {
        self.once_more(|| self.inner.create_conversation(conversation)).await
    }
    async fn get_conversation(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Conversation>> {
        self.once_more(|| self.inner.get_conversation(store_id, conversation_id)).await
    }
    async fn append_message(&self, store_id: &str, message: &StoredMessage) -> StorageResult<()> {
        self.once_more(|| self.inner.append_message(store_id, message)).await
    }
    async fn create_conversation_with_message(&self, conversation: &Conversation, message: &StoredMessage) -> StorageResult<()> {
        self.once_more(|| self.inner.create_conversation_with_message(conversation, message)).await
    }
    async fn set_message_analysis(&self, store_id: &str, message_id: &str, language: Option<&str>, label: Option<Label>) -> StorageResult<()> {
        self.once_more(|| self.inner.set_message_analysis(store_id, message_id, language, label)).await
    }
    async fn append_answer(&self, store_id: &str, answered: &MessageAnalysis<'_>, answer: &StoredMessage) -> StorageResult<()> {
        self.once_more(|| self.inner.append_answer(store_id, answered, answer)).await
    }
    async fn list_messages(&self, store_id: &str, conversation_id: &str) -> StorageResult<Vec<StoredMessage>> {
        self.once_more(|| self.inner.list_messages(store_id, conversation_id)).await
    }
}

#[async_trait]
impl<S: Storage> TicketStore for Reconnecting<S> {
    async fn open_ticket(&self, ticket: &Ticket) -> StorageResult<(Ticket, bool)> {
        self.once_more(|| self.inner.open_ticket(ticket)).await
    }
    async fn active_ticket(&self, store_id: &str, conversation_id: &str) -> StorageResult<Option<Ticket>> {
        self.once_more(|| self.inner.active_ticket(store_id, conversation_id)).await
    }
    async fn get_ticket(&self, store_id: &str, ticket_id: &str) -> StorageResult<Option<Ticket>> {
        self.once_more(|| self.inner.get_ticket(store_id, ticket_id)).await
    }
    async fn list_tickets(&self, store_id: &str, statuses: &[TicketStatus], limit: usize) -> StorageResult<Vec<Ticket>> {
        self.once_more(|| self.inner.list_tickets(store_id, statuses, limit)).await
    }
    async fn claim_ticket(&self, store_id: &str, ticket_id: &str, agent: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>> {
        self.once_more(|| self.inner.claim_ticket(store_id, ticket_id, agent, at)).await
    }
    async fn resolve_ticket(&self, store_id: &str, ticket_id: &str, at: DateTime<Utc>) -> StorageResult<Option<Ticket>> {
        self.once_more(|| self.inner.resolve_ticket(store_id, ticket_id, at)).await
    }
    async fn set_ticket_contact(&self, store_id: &str, ticket_id: &str, email: &str, at: DateTime<Utc>) -> StorageResult<()> {
        self.once_more(|| self.inner.set_ticket_contact(store_id, ticket_id, email, at)).await
    }
}
