//! Stage 2: the product cards the answer may draw on, and the turn's
//! grounding (the facts the model and the enforcement gate share).

use std::sync::Arc;

use super::context::TurnContext;
use super::turn::Turn;
use super::{ChatEvent, StoreRuntime, TurnError};
use crate::catalog::ProductSummary;
use crate::grounding::TurnGrounding;
use crate::llm::ToolCall;
use crate::search::{RetrievedCard, SearchError, SearchOptions, ShopperQuery};
use crate::tools::ToolOutcome;
use crate::tools::catalog::GET_STOCK;

/// Products shown to the shopper per turn.
const PRODUCTS_SHOWN: usize = 4;
/// Candidates checked for a stated size through the store's stock tool.
const STOCK_CHECKED: usize = 6;
/// Longest wait for those checks; past it the order stands.
const STOCK_CHECK_DEADLINE: std::time::Duration = std::time::Duration::from_millis(1500);
/// Products from earlier turns kept in the grounding.
const RECENT_PRODUCTS_KEPT: usize = 3;

pub(super) struct Retrieval {
    /// Cards for the prompt, best first, then products from earlier turns.
    pub cards: Vec<RetrievedCard>,
    /// What the shopper was shown (the `products` event).
    pub shown: Vec<ProductSummary>,
    pub grounding: Arc<TurnGrounding>,
}

impl Turn {
    /// Searches the catalog and shows the best products.
    pub(super) async fn retrieve(&self, context: &TurnContext) -> Result<Retrieval, TurnError> {
        let store = self.store.clone();
        let config = &store.config;
        let reply = context.reply_language();

        let earlier: Vec<String> = context.earlier_shopper_messages();
        let mut languages = config.languages.clone();
        if !languages.iter().any(|l| l == reply) {
            languages.push(reply.to_owned());
        }
        let options = SearchOptions::from(&config.retrieval);
        let query = ShopperQuery { message: &self.message, earlier: &earlier, languages: &languages, pairings: &config.retrieval.pairings };
        let found = store.search.search_shopper_cards(&config.id, query, options).await?;
        let cards = self.in_stock_first(found.cards, &found.sizes).await;
        let recent_product_ids = context.recent_product_ids();
        let cards = self.with_recent_products(cards, &recent_product_ids).await?;

        let shown: Vec<ProductSummary> = cards.iter().take(PRODUCTS_SHOWN).map(|c| summary(c, reply)).collect();
        if !shown.is_empty() {
            self.emit(ChatEvent::Products { items: shown.clone() }).await;
        }
        let grounding = Arc::new(TurnGrounding { reply_language: reply.to_owned(), store_name: config.name.clone(), cards: cards.clone(), recent_product_ids });
        Ok(Retrieval { cards, shown, grounding })
    }

    /// A size was asked for: the top candidates are checked through the
    /// store's own stock tool (live for a connector store), and those that
    /// cannot be had in that size now go below those that can. Stock is
    /// never in a card or an embedding; an unanswered check keeps the order.
    async fn in_stock_first(&self, mut cards: Vec<RetrievedCard>, sizes: &[String]) -> Vec<RetrievedCard> {
        let Some(size) = sizes.first() else { return cards };
        let store_id = &self.store.config.id;
        let checks = cards.iter().take(STOCK_CHECKED).map(|card| {
            let arguments = serde_json::json!({ "product_id": card.product.id, "size": size }).to_string();
            let call = ToolCall { id: format!("size-check-{}", card.product.id), name: GET_STOCK.into(), arguments };
            async move { self.store.tools.call(store_id, &call).await }
        });
        let Ok(outcomes) = tokio::time::timeout(STOCK_CHECK_DEADLINE, futures::future::join_all(checks)).await else {
            return cards;
        };
        let available = |o: &ToolOutcome| !o.ok || o.result["variants"].as_array().is_some_and(|vs| vs.iter().any(|v| v["available"] == true));
        let rest = cards.split_off(outcomes.len());
        let (have, lack): (Vec<_>, Vec<_>) = cards.into_iter().zip(&outcomes).partition(|(_, o)| available(o));
        have.into_iter().chain(lack).map(|(card, _)| card).chain(rest).collect()
    }

    /// Products the conversation was just about stay in the grounding: a
    /// follow-up ("do you have it in M?") may retrieve nothing by itself.
    async fn with_recent_products(&self, mut cards: Vec<RetrievedCard>, recent: &[String]) -> Result<Vec<RetrievedCard>, TurnError> {
        let mut missing: Vec<String> = Vec::new();
        for id in recent.iter().take(RECENT_PRODUCTS_KEPT) {
            if !cards.iter().any(|c| &c.product.id == id) && !missing.contains(id) {
                missing.push(id.clone());
            }
        }
        if missing.is_empty() {
            return Ok(cards);
        }
        let config = &self.store.config;
        let primary = config.languages.first().map(String::as_str).unwrap_or("en");
        for product in self.ctx.storage.get_shared_products(&config.id, &missing).await? {
            cards.push(RetrievedCard::from_shared(product, primary, 0.0));
        }
        Ok(cards)
    }
}

/// The store's best product ids for a shopper message after `earlier`
/// messages (oldest first), searched as a chat turn searches them (query
/// understanding, the conversation, constraints): the entry point the eval
/// harness measures.
pub async fn retrieval_ids(
    store: &StoreRuntime,
    message: &str,
    earlier: &[String],
    languages: &[String],
    options: SearchOptions,
) -> Result<Vec<String>, SearchError> {
    let query = ShopperQuery { message, earlier, languages, pairings: &store.config.retrieval.pairings };
    Ok(store.search.search_shopper(&store.config.id, query, options).await?.into_iter().map(|(id, _)| id).collect())
}

fn summary(card: &RetrievedCard, language: &str) -> ProductSummary {
    let p = &card.product;
    ProductSummary { id: p.id.clone(), title: p.title_in(language).to_owned(), url: p.url.clone(), image: p.image.clone(), price: p.from_price() }
}
