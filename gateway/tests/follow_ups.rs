//! Follow-ups over the chat API, on a real TCP server with SQLite and
//! memory sessions: a question about "it" shows the product being
//! discussed, and a new constraint ("and in black?", "¿y para hombre?")
//! refines the previous search instead of starting a new one. Products
//! are checked against the demo catalog's own data.

mod chat_support;
mod common;

use std::collections::HashMap;
use std::sync::Arc;

use chat_support::*;
use chatgw::storage::Storage;
use serde_json::Value;

/// The demo catalog's products by id.
fn catalog() -> HashMap<String, Value> {
    let catalog: Value = serde_json::from_str(chatgw::demo::CATALOG_JSON).expect("demo catalog");
    catalog["products"].as_array().expect("products").iter().map(|p| (p["id"].as_str().expect("id").to_owned(), p.clone())).collect()
}

fn is_wool_coat(p: &Value) -> bool {
    p["category"] == "coats" && p["attributes"]["material"].as_str().is_some_and(|m| m.contains("wool"))
}

fn colours(p: &Value) -> String {
    p["attributes"]["color"].as_str().unwrap_or_default().to_lowercase()
}

fn tags(p: &Value) -> Vec<&str> {
    p["tags"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

async fn gateway() -> String {
    let storage: Arc<dyn Storage> = common::sqlite().await;
    serve(build_app(storage, memory_sessions(), vec![demo_store()]).await).await
}

#[tokio::test]
async fn a_follow_up_refines_the_previous_search_over_http() {
    let base = gateway().await;
    let products = catalog();
    let product = |id: &String| products.get(id).unwrap_or_else(|| panic!("{id} is not in the demo catalog"));

    let coat = chat(&base, "pk_demo", None, "I'm looking for a wool coat").await;
    let session = coat.session_id();
    let shown = coat.product_ids();
    assert!(!shown.is_empty() && shown.iter().all(|id| is_wool_coat(product(id))), "wool coats shown: {shown:?}");

    // "How much is it?" shows the coat being discussed, first.
    let price = chat(&base, "pk_demo", Some(&session), "how much is it?").await;
    assert_eq!(price.product_ids().first(), shown.first(), "the same coat leads");
    assert!(price.product_ids().iter().all(|id| is_wool_coat(product(id))), "{:?}", price.product_ids());

    // "And in black?" keeps the subject: black wool coats only.
    let black = chat(&base, "pk_demo", Some(&session), "and in black?").await;
    let ids = black.product_ids();
    assert!(!ids.is_empty(), "black wool coats exist in the demo catalog");
    for id in &ids {
        let p = product(id);
        assert!(is_wool_coat(p) && colours(p).contains("black"), "{id} is a black wool coat: {} / {}", p["title"], colours(p));
    }

    // A Spanish conversation: women's leather jackets, then "¿y para hombre?".
    let women = chat(&base, "pk_demo", None, "chaqueta de cuero de mujer").await;
    let session = women.session_id();
    assert!(women.product_ids().iter().all(|id| tags(product(id)).contains(&"women")), "{:?}", women.product_ids());
    let men = chat(&base, "pk_demo", Some(&session), "¿y para hombre?").await;
    let ids = men.product_ids();
    // Every men's leather jacket the catalog has comes first, and no
    // women's product is shown.
    let is_mens_leather_jacket =
        |p: &Value| p["category"] == "jackets" && p["title"].as_str().is_some_and(|t| t.contains("Leather")) && !tags(p).contains(&"women");
    let wanted = products.values().filter(|p| is_mens_leather_jacket(p)).count();
    assert!(wanted > 0 && ids.len() >= wanted, "{ids:?}");
    for id in &ids[..wanted] {
        assert!(is_mens_leather_jacket(product(id)), "{id} is a men's leather jacket: {}", product(id)["title"]);
    }
    assert!(ids.iter().all(|id| !tags(product(id)).contains(&"women")), "no women's product: {ids:?}");
    assert_eq!(men.done()["language"], "es", "the follow-up is answered in Spanish");
}

/// Whether the catalog has `product` in `size` with stock (the demo
/// store's stock tool reads the catalog's levels).
fn in_stock_in(product: &Value, size: &str) -> bool {
    product["variants"].as_array().is_some_and(|vs| vs.iter().any(|v| v["options"]["size"] == size && v["stock"].as_i64().unwrap_or(0) > 0))
}

#[tokio::test]
async fn a_requested_size_shows_what_can_be_had_in_it_first() {
    let base = gateway().await;
    let products = catalog();
    let answer = chat(&base, "pk_demo", None, "do you have a swimsuit in XXS?").await;
    let shown: Vec<&Value> = answer.product_ids().iter().map(|id| &products[id]).collect();
    assert!(!shown.is_empty() && shown.iter().all(|p| p["category"] == "swimwear"), "swimwear shown: {:?}", answer.product_ids());
    let available: Vec<bool> = shown.iter().map(|p| in_stock_in(p, "XXS")).collect();
    assert!(available[0], "the first swimsuit shown can be had in XXS: {:?}", answer.product_ids());
    assert!(available.windows(2).all(|w| w[0] || !w[1]), "products in stock in XXS come first: {available:?} {:?}", answer.product_ids());
}
