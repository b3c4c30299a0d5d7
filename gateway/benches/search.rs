//! Search latency and recall of both storage backends over stores of 3,000
//! and 100,000 cards, through the Search API a chat turn uses
//! ([`HybridSearch`]: embed the query, vector and full-text search at the
//! same time, fuse, load the winning products).
//!
//! The catalog is generated (fixed seed): titles like "Rugged Wool Boots",
//! a colour in each description. Its 384-dimension vectors are clustered
//! the way real embeddings are: a topic per (material, garment) pair, a
//! sub-cluster per colour within it, and per-card noise, so a query's
//! nearest neighbours are a few close cards among ~90 similar ones (random
//! vectors would make every neighbour equally far and an approximate
//! index look better or worse than it is). Queries come in four shapes,
//! cycled: "wool boots", "navy wool boots", "rugged navy wool boots for
//! my grandpa" (no card has every word: full text must widen) and "boots"
//! (one common word). Their vectors sit in the cluster of their words.
//!
//! Printed after criterion's means: per store, p50/p95/p99 of the hybrid
//! search, of vector search (k = 8) and of full text (k = 40) over 1,000
//! searches each, and recall@8 against an exact scan computed here: of
//! vector search alone, and of the fused top 8 (against the fusion of the
//! exact vector ranking with the same full-text ranking).
//!
//! PostgreSQL comes from TEST_DATABASE_URL (default: the local test
//! database), in schemas of its own dropped at the end; SQLite is a file in
//! a temporary directory. Loading the 100,000-card store builds its HNSW
//! index, which takes a few minutes on two cores.
//!
//!     cargo bench -p chatgw --bench search [-- FILTER]
//!
//! `SEARCH_BENCH_SIZES=3000` limits the run to the listed store sizes.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chatgw::catalog::{Product, ProductCard};
use chatgw::embed::{EmbedError, Embedder};
use chatgw::search::fusion::reciprocal_rank_fusion;
use chatgw::search::{HybridSearch, ScoredProduct, SearchOptions, query_terms};
use chatgw::storage::{CardEmbedding, CatalogStore, SqliteStorage, Storage, TextQuery};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIMS: usize = 384;
const SIZES: [usize; 2] = [3_000, 100_000];
const MODEL: &str = "bench-model";
const STORE: &str = "bench";
const QUERIES: usize = 64;
/// Weights of a card's vector: its topic, its sub-cluster, its own noise
/// (each a random unit vector). Cards of one sub-cluster have cosines of
/// about 0.7, of one topic about 0.45, of different topics about 0.
const SUB_CLUSTER: f32 = 0.7;
const NOISE: f32 = 0.8;

const ADJECTIVES: &[&str] = &["Breezy", "Classic", "Relaxed", "Slim", "Cosy", "Rugged", "Light", "Heavy", "Soft", "Vintage", "Urban", "Alpine"];
const MATERIALS: &[&str] = &["Linen", "Wool", "Cotton", "Leather", "Denim", "Silk", "Cashmere", "Suede", "Canvas", "Merino", "Corduroy", "Fleece"];
const GARMENTS: &[&str] = &["Shirt", "Sweater", "Boots", "Jacket", "Trousers", "Dress", "Scarf", "Sneakers", "Coat", "Hoodie", "Skirt", "Belt"];
const COLOURS: &[&str] = &["white", "navy", "olive", "black", "sand", "rust", "grey", "cream"];

fn random_unit(rng: &mut StdRng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIMS).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    normalize(&mut v);
    v
}

fn normalize(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
}

/// The cluster centres: a topic per (material, garment), and per colour an
/// offset within each topic.
struct Clusters {
    topics: Vec<Vec<f32>>,
    offsets: Vec<Vec<f32>>,
}

impl Clusters {
    fn new(rng: &mut StdRng) -> Self {
        let topics = (0..MATERIALS.len() * GARMENTS.len()).map(|_| random_unit(rng)).collect();
        let offsets = (0..MATERIALS.len() * GARMENTS.len() * COLOURS.len()).map(|_| random_unit(rng)).collect();
        Self { topics, offsets }
    }

    /// A vector near the sub-cluster of (material, garment, colour).
    fn sample(&self, material: usize, garment: usize, colour: usize, rng: &mut StdRng) -> Vec<f32> {
        let topic = material * GARMENTS.len() + garment;
        let offset = &self.offsets[topic * COLOURS.len() + colour];
        let noise = random_unit(rng);
        let mut v: Vec<f32> = (0..DIMS).map(|d| self.topics[topic][d] + SUB_CLUSTER * offset[d] + NOISE * noise[d]).collect();
        normalize(&mut v);
        v
    }
}

/// One generated card: its product, card and vector.
struct Item {
    product: Product,
    card: ProductCard,
    vector: Vec<f32>,
}

/// Random indices into ADJECTIVES, MATERIALS, GARMENTS and COLOURS.
fn pick_words(rng: &mut StdRng) -> (usize, usize, usize, usize) {
    (rng.random_range(0..ADJECTIVES.len()), rng.random_range(0..MATERIALS.len()), rng.random_range(0..GARMENTS.len()), rng.random_range(0..COLOURS.len()))
}

fn catalog(n: usize, clusters: &Clusters, rng: &mut StdRng) -> Vec<Item> {
    (0..n)
        .map(|i| {
            let (a, m, g, c) = pick_words(rng);
            let (adjective, material, garment, colour) = (ADJECTIVES[a], MATERIALS[m], GARMENTS[g], COLOURS[c]);
            let product = Product {
                id: format!("p{i}"),
                handle: format!("p{i}"),
                title: format!("{adjective} {material} {garment}"),
                description: format!(
                    "A {} {} {} in {colour}, made to last. Pairs well with everyday outfits.",
                    adjective.to_lowercase(),
                    material.to_lowercase(),
                    garment.to_lowercase()
                ),
                category: garment.to_lowercase(),
                vendor: "Acme".into(),
                tags: vec![material.to_lowercase()],
                attributes: BTreeMap::from([("color".into(), colour.into()), ("material".into(), material.to_lowercase())]),
                reviews: vec![],
                translations: BTreeMap::new(),
                url: None,
                image: None,
                updated_at: None,
                variants: vec![],
            };
            let card = ProductCard::build(&product, "en");
            Item { product, card, vector: clusters.sample(m, g, c, rng) }
        })
        .collect()
}

/// A shopper query: its text and its embedding.
struct Query {
    text: String,
    vector: Vec<f32>,
}

fn queries(clusters: &Clusters, rng: &mut StdRng) -> Vec<Query> {
    (0..QUERIES)
        .map(|i| {
            let (a, m, g, c) = pick_words(rng);
            let (material, garment, colour) = (MATERIALS[m].to_lowercase(), GARMENTS[g].to_lowercase(), COLOURS[c]);
            let text = match i % 4 {
                0 => format!("{material} {garment}"),
                1 => format!("{colour} {material} {garment}"),
                2 => format!("{} {colour} {material} {garment} for my grandpa", ADJECTIVES[a].to_lowercase()),
                _ => garment,
            };
            Query { text, vector: clusters.sample(m, g, c, rng) }
        })
        .collect()
}

/// The embedder of the benchmark's queries: each query text's vector, as a
/// model would give it (the catalog's vectors are stored directly).
struct QueryVectors(HashMap<String, Vec<f32>>);

#[async_trait]
impl Embedder for QueryVectors {
    fn model_id(&self) -> &str {
        MODEL
    }

    fn dimensions(&self) -> usize {
        DIMS
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        texts
            .iter()
            .map(|t| self.0.get(t).cloned().ok_or_else(|| EmbedError::Provider { provider: "bench".into(), message: format!("no vector for `{t}`") }))
            .collect()
    }
}

struct Loaded {
    name: String,
    storage: Arc<dyn Storage>,
    search: HybridSearch,
    _pg: Option<common::TestPg>,
    _dir: Option<tempfile::TempDir>,
}

fn embeddings(items: &[Item]) -> Vec<CardEmbedding> {
    items.iter().map(|i| CardEmbedding { product_id: i.card.product_id.clone(), content_hash: i.card.content_hash.clone(), vector: i.vector.clone() }).collect()
}

async fn setup(items: &[Item], embedder: Arc<QueryVectors>) -> Vec<Loaded> {
    let n = items.len();
    let pairs: Vec<(Product, ProductCard)> = items.iter().map(|i| (i.product.clone(), i.card.clone())).collect();
    let mut out = Vec::new();

    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = SqliteStorage::open(&dir.path().join("bench.db").to_string_lossy()).await.expect("open sqlite file");
    sqlite.migrate().await.expect("migrate sqlite");
    sqlite.import_products(STORE, &pairs).await.expect("sqlite import");
    sqlite.save_embeddings(STORE, MODEL, &embeddings(items)).await.expect("sqlite embeddings");
    let sqlite: Arc<dyn Storage> = Arc::new(sqlite);
    eprintln!("sqlite/{n}: loaded in {:?}", started.elapsed());
    let search = HybridSearch::new(sqlite.clone(), embedder.clone());
    out.push(Loaded { name: format!("sqlite/{n}"), storage: sqlite, search, _pg: None, _dir: Some(dir) });

    let started = Instant::now();
    let pg = common::postgres().await;
    let storage = pg.storage();
    storage.import_products(STORE, &pairs).await.expect("postgres import");
    storage.save_embeddings(STORE, MODEL, &embeddings(items)).await.expect("postgres embeddings");
    sqlx::query("VACUUM ANALYZE product_cards").execute(storage.pool()).await.expect("vacuum");
    eprintln!("postgres/{n}: loaded and indexed in {:?} (schema {})", started.elapsed(), pg.schema());
    let search = HybridSearch::new(pg.dyn_storage(), embedder);
    out.push(Loaded { name: format!("postgres/{n}"), storage: pg.dyn_storage(), search, _pg: Some(pg), _dir: None });
    out
}

fn languages() -> Vec<String> {
    vec!["en".into()]
}

fn bench_search(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let sizes: Vec<usize> = match std::env::var("SEARCH_BENCH_SIZES") {
        Ok(list) => list.split(',').map(|n| n.trim().parse().expect("SEARCH_BENCH_SIZES is a comma-separated list of card counts")).collect(),
        Err(_) => SIZES.to_vec(),
    };
    for n in sizes {
        let mut rng = StdRng::seed_from_u64(0x5EED + n as u64);
        let clusters = Clusters::new(&mut rng);
        let items = catalog(n, &clusters, &mut rng);
        let queries = Arc::new(queries(&clusters, &mut rng));
        let embedder = Arc::new(QueryVectors(queries.iter().map(|q| (q.text.clone(), q.vector.clone())).collect()));
        let stores = rt.block_on(setup(&items, embedder));
        let exact = ExactVectors::new(&items);

        let mut group = c.benchmark_group(format!("search_{n}"));
        group.sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
        for loaded in &stores {
            let next = Arc::new(AtomicUsize::new(0));
            let (search, q) = (loaded.search.clone(), queries.clone());
            group.bench_function(format!("hybrid/{}", loaded.name), |b| {
                b.to_async(&rt).iter(|| {
                    let (search, q, i) = (search.clone(), q.clone(), next.fetch_add(1, Ordering::Relaxed) % QUERIES);
                    async move { black_box(search.search(STORE, &q[i].text, &languages(), SearchOptions::default()).await.expect("hybrid search")) }
                })
            });
        }
        group.finish();
        for loaded in &stores {
            rt.block_on(report(loaded, &queries, &exact));
        }
        // Drop the schemas while the runtime still runs (unless
        // CHATGW_KEEP_TEST_SCHEMA asks to keep them for a look at the plans).
        if std::env::var_os("CHATGW_KEEP_TEST_SCHEMA").is_some() {
            continue;
        }
        rt.block_on(async move {
            for loaded in stores {
                if let Some(pg) = loaded._pg {
                    drop(loaded.storage);
                    drop(loaded.search);
                    pg.drop_schema().await;
                }
            }
        });
    }
}

/// Exact nearest neighbours, by a full scan in f32.
struct ExactVectors<'a> {
    items: &'a [Item],
}

impl<'a> ExactVectors<'a> {
    fn new(items: &'a [Item]) -> Self {
        Self { items }
    }

    fn top(&self, query: &[f32], k: usize) -> Vec<ScoredProduct> {
        let mut scored: Vec<(f32, &str)> =
            self.items.iter().map(|i| (i.vector.iter().zip(query).map(|(a, b)| a * b).sum::<f32>(), i.product.id.as_str())).collect();
        scored.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.truncate(k);
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored.into_iter().map(|(score, id)| ScoredProduct { product_id: id.to_owned(), score }).collect()
    }
}

/// Share of `want`'s first 8 ids found among `got`'s first 8.
fn recall_at_8(got: &[ScoredProduct], want: &[ScoredProduct]) -> f64 {
    let want: HashSet<&str> = want.iter().take(8).map(|s| s.product_id.as_str()).collect();
    got.iter().take(8).filter(|s| want.contains(s.product_id.as_str())).count() as f64 / want.len().max(1) as f64
}

/// Latency percentiles of the three searches and recall@8 of the vector
/// half and of the fused result, after a warm-up, cycling through the
/// queries.
async fn report(loaded: &Loaded, queries: &[Query], exact: &ExactVectors<'_>) {
    const WARM_UP: usize = 100;
    const RUNS: usize = 1_000;
    let options = SearchOptions::default();
    let (mut hybrid, mut vector, mut text) = (Vec::with_capacity(RUNS), Vec::with_capacity(RUNS), Vec::with_capacity(RUNS));
    for round in 0..WARM_UP + RUNS {
        let q = &queries[round % QUERIES];
        let started = Instant::now();
        black_box(loaded.search.search(STORE, &q.text, &languages(), options).await.expect("hybrid search"));
        let after_hybrid = Instant::now();
        black_box(loaded.storage.vector_search(STORE, MODEL, &q.vector, 8).await.expect("vector search"));
        let after_vector = Instant::now();
        let text_query = TextQuery { terms: query_terms(&q.text), languages: languages() };
        black_box(loaded.storage.text_search(STORE, &text_query, options.candidates).await.expect("text search"));
        if round >= WARM_UP {
            hybrid.push(after_hybrid - started);
            vector.push(after_vector - after_hybrid);
            text.push(after_vector.elapsed());
        }
    }
    for (kind, samples) in [("hybrid", hybrid), ("vector k=8", vector), ("text k=40", text)] {
        println!("{kind:>12} {:<16} {}", loaded.name, percentiles(samples));
    }

    let (mut vector_recall, mut fused_recall) = (0.0, 0.0);
    for q in queries {
        let want = exact.top(&q.vector, options.candidates);
        let got = loaded.storage.vector_search(STORE, MODEL, &q.vector, 8).await.expect("vector search");
        vector_recall += recall_at_8(&got, &want);
        let text_query = TextQuery { terms: query_terms(&q.text), languages: languages() };
        let by_text = loaded.storage.text_search(STORE, &text_query, options.candidates).await.expect("text search");
        let by_vector = loaded.storage.vector_search(STORE, MODEL, &q.vector, options.candidates).await.expect("vector search");
        let got = reciprocal_rank_fusion(&[&by_vector, &by_text], options.rrf_k);
        let want = reciprocal_rank_fusion(&[&want, &by_text], options.rrf_k);
        fused_recall += recall_at_8(&got, &want);
    }
    println!(
        "{:>12} {:<16} vector {:.3}, fused {:.3} (against exact vector search, {QUERIES} queries)",
        "recall@8",
        loaded.name,
        vector_recall / QUERIES as f64,
        fused_recall / QUERIES as f64
    );
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1e3;
    format!("p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms", at(0.50), at(0.95), at(0.99))
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
