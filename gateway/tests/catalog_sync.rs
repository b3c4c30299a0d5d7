//! Catalog sync: a full import creates, updates and deletes; a card is
//! re-embedded only when its text changes (not for price or stock); the
//! sweep catches embeddings that fell behind, e.g. after a model change.

mod common;

use std::sync::Arc;

use chatgw::catalog::sync::{self, CatalogFile};
use chatgw::embed::{Embedder, LocalEmbedder};
use chatgw::storage::{Storage, StoreRecord};

async fn check(storage: Arc<dyn Storage>) {
    let embedder = LocalEmbedder::default();
    storage.upsert_store(&StoreRecord { id: "demo".into(), name: "Demo".into(), languages: vec!["en".into()] }).await.expect("store");
    let mut products = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo").expect("catalog").products;
    products.truncate(30);

    let first = sync::import_full(storage.as_ref(), &embedder, "demo", "en", &products).await.expect("import");
    assert_eq!((first.created, first.embedded), (30, 30));

    let again = sync::import_full(storage.as_ref(), &embedder, "demo", "en", &products).await.expect("import");
    assert_eq!((again.unchanged, again.embedded), (30, 0), "an unchanged catalog embeds nothing");

    // Price and stock change: the product updates, its card does not.
    products[0].variants[0].price = "1.00".into();
    products[0].variants[0].inventory_quantity = Some(0);
    // Text changes: re-embedded.
    products[1].title.push_str(" (new season)");
    // Gone from the source: deleted.
    let removed = products.pop().expect("a product").id;
    let report = sync::import_full(storage.as_ref(), &embedder, "demo", "en", &products).await.expect("import");
    assert_eq!((report.updated, report.deleted, report.embedded), (2, 1, 1), "{report:?}");
    assert!(storage.get_products("demo", &[removed]).await.expect("get").is_empty());
    let (_, variant) = storage.find_variant("demo", &products[0].variants[0].sku).await.expect("find").expect("variant");
    assert_eq!(variant.price, "1.00");

    // Another embedding model: every card is stale for it until the sweep.
    let other = LocalEmbedder::new(128);
    assert_eq!(storage.stale_cards("demo", other.model_id(), 100).await.expect("stale").len(), 29);
    assert_eq!(sync::embed_stale(storage.as_ref(), &other, "demo").await.expect("sweep"), 29);
    assert!(storage.stale_cards("demo", other.model_id(), 100).await.expect("stale").is_empty());
}

#[tokio::test]
async fn sync_on_sqlite() {
    check(common::sqlite().await).await;
}

#[tokio::test]
async fn sync_on_postgres() {
    let pg = common::postgres().await;
    check(pg.dyn_storage()).await;
}
