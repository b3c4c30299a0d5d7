//! Retrieval regression on the demo store: each query of
//! `examples/demo-store/retrieval-queries.json` must find its products in
//! the top 8 of hybrid search, on both storage backends.

mod common;

use std::sync::Arc;

use chatgw::catalog::sync::{self, CatalogFile};
use chatgw::embed::{Embedder, LocalEmbedder};
use chatgw::search::{HybridSearch, SearchOptions};
use chatgw::storage::{Storage, StoreRecord};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Query {
    query: String,
    language: String,
    must_include: Vec<String>,
}

fn queries() -> Vec<Query> {
    let text = include_str!("../../examples/demo-store/retrieval-queries.json");
    serde_json::from_str(text).expect("retrieval-queries.json parses")
}

async fn check(storage: Arc<dyn Storage>) {
    let embedder: Arc<dyn Embedder> = Arc::new(LocalEmbedder::default());
    storage.upsert_store(&StoreRecord { id: "demo".into(), name: "Lumen & Thread".into(), languages: vec!["en".into(), "es".into()] }).await.expect("store");
    let catalog = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo").expect("demo catalog");
    let report = sync::import_full(storage.as_ref(), embedder.as_ref(), "demo", "en", &catalog.products).await.expect("import");
    assert_eq!(report.embedded, catalog.products.len());

    let search = HybridSearch::new(storage.clone(), embedder);
    let queries = queries();
    assert!(queries.len() >= 12, "the set has at least 12 queries");
    let mut failures = Vec::new();
    let mut found = 0;
    let mut wanted = 0;
    for q in &queries {
        let mut languages = vec!["en".to_owned(), "es".to_owned()];
        if !languages.contains(&q.language) {
            languages.push(q.language.clone());
        }
        let top = search.search_ids("demo", &q.query, &languages, SearchOptions::default()).await.expect("search");
        let ids: Vec<&str> = top.iter().map(|(id, _)| id.as_str()).collect();
        for must in &q.must_include {
            wanted += 1;
            if ids.contains(&must.as_str()) {
                found += 1;
            } else {
                failures.push(format!("{:?}: {must} not in top 8 {ids:?}", q.query));
            }
        }
    }
    eprintln!("{} recall@8 = {found}/{wanted} over {} queries", storage.backend(), queries.len());
    assert!(failures.is_empty(), "{} misses:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn demo_queries_find_their_products_on_sqlite() {
    check(common::sqlite().await).await;
}

#[tokio::test]
async fn demo_queries_find_their_products_on_postgres() {
    let pg = common::postgres().await;
    check(pg.dyn_storage()).await;
}

/// Counts how the search embeds: shopper queries must go through
/// `embed_query` (e5 puts "query: " in front of them, cards get "passage: ").
struct Recording {
    inner: LocalEmbedder,
    queries: std::sync::Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Embedder for Recording {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }
    fn dimensions(&self) -> usize {
        self.inner.dimensions()
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, chatgw::embed::EmbedError> {
        self.inner.embed(texts).await
    }
    async fn embed_query(&self, text: &str) -> Result<Vec<f32>, chatgw::embed::EmbedError> {
        self.queries.lock().expect("not poisoned").push(text.to_owned());
        self.inner.embed_one(text).await
    }
}

#[tokio::test]
async fn hybrid_search_embeds_the_shopper_query_as_a_query() {
    let storage = common::sqlite().await;
    storage.upsert_store(&StoreRecord { id: "demo".into(), name: "Lumen & Thread".into(), languages: vec!["en".into()] }).await.expect("store");
    let recording = Arc::new(Recording { inner: LocalEmbedder::default(), queries: Default::default() });
    let search = HybridSearch::new(storage, recording.clone());
    search.search_ids("demo", "linen shirt", &["en".to_owned()], SearchOptions::default()).await.expect("search");
    assert_eq!(*recording.queries.lock().expect("not poisoned"), vec!["linen shirt".to_owned()]);
}
