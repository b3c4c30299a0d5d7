//! Throughput and latency of the in-process embedders: cards per second
//! for 3,000 product cards (batches of 64, as the catalog sync sends them)
//! and p50/p95 of single shopper queries, for the lexicon embedder and
//! e5-small, through the same [`Embedder`] calls the gateway makes.
//!
//! The cards are the real card text ([`ProductCard::build`]) of products
//! made from the demo catalog's 422: each gets one of 12 adjectives, a
//! colour and a material, so no two cards are alike but all read like a
//! shop's. Queries are shopper searches in six languages.
//!
//!     bash scripts/setup-models.sh   # the e5-small model file, once
//!     cargo bench -p chatgw --bench embedders
//!
//! `E5_BENCH_MAX_TOKENS=64,128,256` measures e5-small at several card caps
//! (default: the configured default, 128).
//!
//! Also printed, per embedder: vector-only recall@8 of the demo store's
//! retrieval set (examples/demo-store/retrieval-queries.json: products a
//! query must find among 422), ranking the whole catalog by cosine, for the
//! full card text and for a compact text (title, category, colour,
//! material, fit, first sentence of the description): whether fewer tokens
//! per card lose retrieval quality. Hybrid search adds full text on top.

use std::time::{Duration, Instant};

use serde::Deserialize;

use chatgw::catalog::sync::CatalogFile;
use chatgw::catalog::{Product, ProductCard};
use chatgw::embed::e5::{DEFAULT_MAX_TOKENS, E5Embedder, E5Settings, TextKind};
use chatgw::embed::{Embedder, LocalEmbedder};

const CARDS: usize = 3_000;
const BATCH: usize = 64;

const ADJECTIVES: [&str; 12] = ["Classic", "Rugged", "Soft", "Light", "Everyday", "Tailored", "Vintage", "Cosy", "Urban", "Coastal", "Alpine", "Studio"];
const COLOURS: [&str; 10] = ["Navy", "Black", "Olive", "Sand", "Burgundy", "Charcoal", "Cream", "Rust", "Forest Green", "Sky Blue"];
const MATERIALS: [&str; 8] = ["organic cotton", "merino wool", "linen", "recycled polyester", "leather", "cashmere blend", "denim", "waxed canvas"];

const QUERIES: [&str; 16] = [
    "white linen shirt for a summer wedding",
    "something to keep my feet dry on muddy walks",
    "camisa de lino blanca",
    "chaqueta de cuero negra talla M",
    "белая льняная рубашка",
    "тёплый шарф из шерсти",
    "jaqueta impermeable per a la pluja",
    "robe légère pour la plage",
    "warme Winterjacke für Damen",
    "borsa di pelle marrone",
    "vestido de algodão para o verão",
    "gift for my dad who likes hiking",
    "running shoes",
    "navy wool jumper",
    "a dress for a beach wedding",
    "leather belt",
];

fn products() -> Vec<Product> {
    let demo = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo catalog").expect("the demo catalog parses").products;
    (0..CARDS)
        .map(|i| {
            let mut p: Product = demo[i % demo.len()].clone();
            let (adjective, colour, material) = (ADJECTIVES[i % 12], COLOURS[(i / 12) % 10], MATERIALS[(i / 7) % 8]);
            p.id = format!("b{i}");
            p.title = format!("{adjective} {}", p.title);
            p.attributes.insert("color".into(), colour.into());
            p.attributes.insert("material".into(), material.into());
            p
        })
        .collect()
}

#[derive(Deserialize)]
struct RetrievalQuery {
    query: String,
    must_include: Vec<String>,
}

/// A short embedding text: what a product is, without reviews,
/// translations or the rest of the description.
fn compact(p: &Product) -> String {
    let first_sentence = p.description.split_inclusive(['.', '!', '?']).next().unwrap_or("").trim();
    let mut parts = vec![p.title.trim().to_owned()];
    if !p.category.is_empty() {
        parts.push(format!("Category: {}.", p.category));
    }
    for (key, label) in [("color", "Colour"), ("material", "Material"), ("fit", "Fit")] {
        if let Some(v) = p.attributes.get(key) {
            parts.push(format!("{label}: {v}."));
        }
    }
    parts.push(first_sentence.to_owned());
    parts.join(" ")
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Vector-only recall@8 of the demo retrieval set, full cards and compact texts.
async fn retrieval(name: &str, embedder: &dyn Embedder) {
    let demo = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo catalog").expect("the demo catalog parses").products;
    let queries: Vec<RetrievalQuery> =
        serde_json::from_str(include_str!("../../examples/demo-store/retrieval-queries.json")).expect("the retrieval set parses");
    let mut line = format!("{name:<28} recall@8 (vectors only, {} queries):", queries.len());
    for (variant, texts) in
        [("full card", demo.iter().map(|p| ProductCard::build(p, "en").text).collect::<Vec<_>>()), ("compact", demo.iter().map(compact).collect())]
    {
        let mut vectors = Vec::new();
        for batch in texts.chunks(BATCH) {
            vectors.extend(embedder.embed(batch).await.expect("embeds"));
        }
        let (mut found, mut wanted) = (0, 0);
        for q in &queries {
            let v = embedder.embed_query(&q.query).await.expect("embeds");
            let mut ranked: Vec<(f32, &str)> = vectors.iter().zip(&demo).map(|(c, p)| (cosine(&v, c), p.id.as_str())).collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
            let top: Vec<&str> = ranked.iter().take(8).map(|r| r.1).collect();
            wanted += q.must_include.len();
            found += q.must_include.iter().filter(|id| top.contains(&id.as_str())).count();
        }
        line.push_str(&format!(" {variant} {found}/{wanted} ({:.1}%)", 100.0 * found as f64 / wanted as f64));
    }
    println!("{line}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

async fn measure(name: &str, embedder: &dyn Embedder, cards: &[String]) {
    // Warm up (page in the weights, start threads).
    embedder.embed(&cards[..BATCH]).await.expect("embeds");
    let started = Instant::now();
    for batch in cards.chunks(BATCH) {
        let vectors = embedder.embed(batch).await.expect("embeds");
        assert_eq!(vectors.len(), batch.len());
    }
    let elapsed = started.elapsed();

    let mut latencies = Vec::new();
    for round in 0..10 {
        for q in QUERIES {
            let started = Instant::now();
            let v = embedder.embed_query(&format!("{q}{}", if round == 0 { "" } else { " " })).await.expect("embeds");
            latencies.push(started.elapsed());
            assert_eq!(v.len(), embedder.dimensions());
        }
    }
    latencies.sort();
    println!(
        "{name:<28} {:>5} cards in {:>6.2} s = {:>7.1} cards/s | query p50 {:>7.2} ms, p95 {:>7.2} ms ({} queries)",
        cards.len(),
        elapsed.as_secs_f64(),
        cards.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.95).as_secs_f64() * 1e3,
        latencies.len(),
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let products = products();
    let cards: Vec<String> = products.iter().map(|p| ProductCard::build(p, "en").text).collect();
    let compact_cards: Vec<String> = products.iter().map(compact).collect();
    let chars: usize = cards.iter().map(|c| c.chars().count()).sum();
    println!("{} cards, {:.0} characters each on average", cards.len(), chars as f64 / cards.len() as f64);

    let lexicon = LocalEmbedder::default();
    runtime.block_on(measure("local-lexicon-v1", &lexicon, &cards));
    runtime.block_on(retrieval("local-lexicon-v1", &lexicon));

    let path = chatgw::models::locate(&chatgw::models::E5_SMALL, None)
        .unwrap_or_else(|tried| panic!("the e5-small model is missing (looked in {tried:?}): run `bash scripts/setup-models.sh`"));
    let caps: Vec<usize> = std::env::var("E5_BENCH_MAX_TOKENS")
        .ok()
        .map(|v| v.split(',').map(|c| c.trim().parse().expect("E5_BENCH_MAX_TOKENS: numbers separated by commas")).collect())
        .unwrap_or_else(|| vec![DEFAULT_MAX_TOKENS]);
    for max_tokens in caps {
        let e5 = E5Embedder::load(&path, E5Settings { max_tokens, ..E5Settings::default() }).expect("the model loads");
        let tokens: usize = cards.iter().map(|c| e5.sequence(c, TextKind::Passage).len()).sum();
        let full: usize = cards.iter().map(|c| e5.model().tokenizer.encode(c, TextKind::Passage).len() + 2).sum();
        println!(
            "e5-small max_tokens {max_tokens}: {:.0} tokens a card embedded ({:.0} before the cut), {} threads",
            tokens as f64 / cards.len() as f64,
            full as f64 / cards.len() as f64,
            E5Settings::default().threads
        );
        runtime.block_on(measure(&format!("e5-small (max {max_tokens})"), &e5, &cards));
        runtime.block_on(retrieval(&format!("e5-small (max {max_tokens})"), &e5));
        let tokens: usize = compact_cards.iter().map(|c| e5.sequence(c, TextKind::Passage).len()).sum();
        println!("compact texts: {:.0} tokens a card", tokens as f64 / cards.len() as f64);
        runtime.block_on(measure(&format!("e5-small compact (max {max_tokens})"), &e5, &compact_cards));
    }
}
