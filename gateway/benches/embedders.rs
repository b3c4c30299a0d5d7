//! The embedder comparison: for the lexicon embedder (the default),
//! e5-small in process, and the OpenAI-compatible path (served here by
//! `testkit/mock-openai` on loopback), through the same configuration and
//! [`Embedder`] calls the gateway makes:
//!
//! - cards per second for 3,000 product cards (batches of 64, as the
//!   catalog sync sends them) and p50/p95 of single shopper queries;
//! - vector-only recall@8 of the demo store's retrieval set
//!   (examples/demo-store/retrieval-queries.json: products a query must
//!   find among 422), ranking the whole catalog by cosine alone;
//! - the eval's retrieval figures (`chatgw eval --embedder <name>` on the
//!   demo cases: hit@4, precision@4, nDCG@8 over the graded sets, and the
//!   product-query recall@8), where hybrid search adds full text.
//!
//! The cards are the real card text ([`ProductCard::build`]) of products
//! made from the demo catalog's 422: each gets one of 12 adjectives, a
//! colour and a material, so no two cards are alike but all read like a
//! shop's. Queries are shopper searches in six languages.
//!
//!     bash scripts/setup-models.sh   # the e5-small model file, once
//!     cargo bench -p chatgw --bench embedders
//!
//! `E5_BENCH_MAX_TOKENS=32,48,128` adds e5-small rows at other card caps
//! (the configured default always runs). The mock's vectors are hashes of
//! the text (deterministic, meaningless): its rows show the path works end
//! to end and what it costs on loopback, not a model's quality.

use std::time::{Duration, Instant};

use serde::Deserialize;

use chatgw::catalog::sync::CatalogFile;
use chatgw::catalog::{Product, ProductCard};
use chatgw::config::{EmbeddingProviderKind, GatewayConfig};
use chatgw::embed::Embedder;
use chatgw::embed::e5::{DEFAULT_MAX_TOKENS, E5Embedder, E5Settings, TextKind};
use chatgw::eval::{EmbedderChoice, EvalRun, Pricing, Target, cases_dir, evaluate};
use chatgw::llm::offline::OfflineModel;

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

/// An attribute-style short text (title, category, colour, material, fit,
/// first sentence of the description), measured against the card's own
/// head: which of the two a small token budget should embed.
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

/// Vector-only recall@8 of the demo retrieval set for `texts` (one per
/// demo product): found and wanted.
async fn recall_at_8(embedder: &dyn Embedder, texts: &[String]) -> (usize, usize) {
    let demo = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo catalog").expect("the demo catalog parses").products;
    let queries: Vec<RetrievalQuery> =
        serde_json::from_str(include_str!("../../examples/demo-store/retrieval-queries.json")).expect("the retrieval set parses");
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
    (found, wanted)
}

fn demo_cards() -> Vec<String> {
    let demo = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo catalog").expect("the demo catalog parses").products;
    demo.iter().map(|p| ProductCard::build(p, "en").text).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// CPU time this process has used (user and system), from /proc; `None`
/// where there is no /proc.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Cards per second over `cards` (wall clock, and per CPU-second of the
/// process: on a shared machine the second says what the code costs), and
/// query p50/p95 in milliseconds.
async fn speed(embedder: &dyn Embedder, cards: &[String]) -> (f64, Option<f64>, f64, f64) {
    // Warm up (page in the weights, open connections).
    embedder.embed(&cards[..BATCH]).await.expect("embeds");
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    for batch in cards.chunks(BATCH) {
        let vectors = embedder.embed(batch).await.expect("embeds");
        assert_eq!(vectors.len(), batch.len());
    }
    let cards_per_s = cards.len() as f64 / started.elapsed().as_secs_f64();
    let per_cpu_s = cpu_before.zip(cpu_seconds()).map(|(a, b)| cards.len() as f64 / (b - a).max(0.01));
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
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (cards_per_s, per_cpu_s, ms(percentile(&latencies, 0.5)), ms(percentile(&latencies, 0.95)))
}

struct Row {
    name: String,
    cards_per_s: f64,
    per_cpu_s: Option<f64>,
    p50_ms: f64,
    p95_ms: f64,
    vector_recall: (usize, usize),
    hit_at_4: f64,
    precision_at_4: f64,
    ndcg_at_8: f64,
    hybrid_recall_at_8: f64,
}

/// Every figure of one embedder, built from `choice` as the gateway builds
/// it from its configuration.
async fn measure(name: &str, choice: EmbedderChoice, cards: &[String]) -> Row {
    let mut gateway = GatewayConfig::default();
    choice.apply(&mut gateway.embedding);
    let embedder = chatgw::app::embedder_from_config(&gateway).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (cards_per_s, per_cpu_s, p50_ms, p95_ms) = speed(embedder.as_ref(), cards).await;
    let cpu = per_cpu_s.map(|c| format!(" ({c:.1} per CPU-second)")).unwrap_or_default();
    println!("{name:<26} {:>5} cards at {cards_per_s:>7.1} cards/s{cpu} | query p50 {p50_ms:>6.2} ms, p95 {p95_ms:>6.2} ms", cards.len());
    let vector_recall = recall_at_8(embedder.as_ref(), &demo_cards()).await;
    let run = EvalRun {
        target: Target::Demo,
        cases: cases_dir("demo"),
        provider: format!("offline, embedder {name}"),
        pricing: Pricing::default(),
        embedding: Some(choice),
    };
    let evaluation = evaluate(&run, std::sync::Arc::new(OfflineModel), None, &chatgw::eval::Quiet).await.unwrap_or_else(|e| panic!("{name}: eval: {e}"));
    let report = evaluation.report;
    let graded = report.retrieval.as_ref().map(|r| r.overall.clone()).expect("the demo cases hold graded retrieval sets");
    Row {
        name: name.to_owned(),
        cards_per_s,
        per_cpu_s,
        p50_ms,
        p95_ms,
        vector_recall,
        hit_at_4: graded.hit_at_4,
        precision_at_4: graded.precision_at_4,
        ndcg_at_8: graded.ndcg_at_8,
        hybrid_recall_at_8: report.metrics.retrieval_recall_at_8.expect("the demo cases hold a product-query set"),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let products = products();
    let cards: Vec<String> = products.iter().map(|p| ProductCard::build(p, "en").text).collect();
    let chars: usize = cards.iter().map(|c| c.chars().count()).sum();
    let threads = E5Settings::default().threads;
    println!("{} cards, {:.0} characters each on average; {threads} threads", cards.len(), chars as f64 / cards.len() as f64);

    let path = chatgw::models::locate(&chatgw::models::E5_SMALL, None)
        .unwrap_or_else(|tried| panic!("the e5-small model is missing (looked in {tried:?}): run `bash scripts/setup-models.sh`"));
    let mut caps: Vec<usize> = std::env::var("E5_BENCH_MAX_TOKENS")
        .ok()
        .map(|v| v.split(',').map(|c| c.trim().parse().expect("E5_BENCH_MAX_TOKENS: numbers separated by commas")).collect())
        .unwrap_or_default();
    caps.retain(|&c| c != DEFAULT_MAX_TOKENS);
    caps.insert(0, DEFAULT_MAX_TOKENS);

    let mut rows = Vec::new();
    rows.push(runtime.block_on(measure("local (lexicon)", EmbedderChoice::new(EmbeddingProviderKind::Local), &cards)));
    for &max_tokens in &caps {
        let e5 = E5Embedder::load(&path, E5Settings { max_tokens, ..E5Settings::default() }).expect("the model loads");
        let tokens: usize = cards.iter().map(|c| e5.sequence(c, TextKind::Passage).len()).sum();
        let whole: usize = cards.iter().map(|c| e5.model().tokenizer.encode(c, TextKind::Passage).len() + 2).sum();
        println!("e5-small, max_tokens {max_tokens}: {:.0} tokens a card embedded of {:.0}", tokens as f64 / cards.len() as f64, whole as f64 / cards.len() as f64);
        let choice = EmbedderChoice { max_tokens: Some(max_tokens), ..EmbedderChoice::new(EmbeddingProviderKind::E5Small) };
        rows.push(runtime.block_on(measure(&format!("e5-small (max {max_tokens} tokens)"), choice, &cards)));
        if max_tokens == DEFAULT_MAX_TOKENS {
            let demo = CatalogFile::parse(chatgw::demo::CATALOG_JSON, "demo catalog").expect("the demo catalog parses").products;
            let compact_texts: Vec<String> = demo.iter().map(compact).collect();
            let long = E5Embedder::load(&path, E5Settings { max_tokens: 512, ..E5Settings::default() }).expect("the model loads");
            let tokens: usize = compact_texts.iter().map(|c| long.sequence(c, TextKind::Passage).len()).sum();
            let (found, wanted) = runtime.block_on(recall_at_8(&long, &compact_texts));
            println!(
                "  for comparison, an attribute-style text (title, category, colour, material, fit, first sentence; {:.0} tokens): vector recall@8 {found}/{wanted}",
                tokens as f64 / compact_texts.len() as f64
            );
        }
    }
    let mock = runtime.block_on(mock_openai::MockOpenAi::start());
    let choice = EmbedderChoice { base_url: Some(mock.base_url()), ..EmbedderChoice::new(EmbeddingProviderKind::Openai) };
    rows.push(runtime.block_on(measure("openai path (mock-openai)", choice, &cards)));

    println!();
    println!("| embedder | cards/s (3,000 cards) | cards per CPU-second | query p50 / p95 | vector recall@8 | hit@4 | precision@4 | nDCG@8 | hybrid recall@8 |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &rows {
        let (found, wanted) = r.vector_recall;
        println!(
            "| {} | {:.0} | {} | {:.2} / {:.2} ms | {:.1}% ({found}/{wanted}) | {:.1}% | {:.1}% | {:.3} | {:.1}% |",
            r.name,
            r.cards_per_s,
            r.per_cpu_s.map(|c| format!("{c:.0}")).unwrap_or_else(|| "n/a".into()),
            r.p50_ms,
            r.p95_ms,
            100.0 * found as f64 / wanted as f64,
            100.0 * r.hit_at_4,
            100.0 * r.precision_at_4,
            r.ndcg_at_8,
            100.0 * r.hybrid_recall_at_8,
        );
    }
}
