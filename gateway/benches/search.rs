//! Search latency of both storage backends: vector search (k = 8) and a
//! hybrid query (vector and full text, k = 40 each, run concurrently as a
//! chat turn does) over stores of 3,000 and 100,000 cards with random unit
//! vectors of 384 dimensions (fixed seed).
//!
//! PostgreSQL comes from TEST_DATABASE_URL (default: the local test
//! database), in schemas of its own dropped at the end. Loading the
//! 100,000-card store builds its HNSW index, which takes a couple of
//! minutes on two cores.
//!
//!     cargo bench -p chatgw --bench search [-- FILTER]
//!
//! `SEARCH_BENCH_SIZES=3000` limits the run to the listed store sizes.
//! After criterion's means, each store's p50, p90 and p99 over 1,000
//! searches are printed.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chatgw::catalog::{Product, ProductCard};
use chatgw::storage::{CardEmbedding, Storage, TextQuery};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DIMS: usize = 384;
const SIZES: [usize; 2] = [3_000, 100_000];
const MODEL: &str = "bench-model";
const STORE: &str = "bench";
const QUERIES: usize = 64;

const ADJECTIVES: &[&str] = &["Breezy", "Classic", "Relaxed", "Slim", "Cosy", "Rugged", "Light", "Heavy", "Soft", "Vintage", "Urban", "Alpine"];
const MATERIALS: &[&str] = &["Linen", "Wool", "Cotton", "Leather", "Denim", "Silk", "Cashmere", "Suede", "Canvas", "Merino", "Corduroy", "Fleece"];
const GARMENTS: &[&str] = &["Shirt", "Sweater", "Boots", "Jacket", "Trousers", "Dress", "Scarf", "Sneakers", "Coat", "Hoodie", "Skirt", "Belt"];
const COLOURS: &[&str] = &["white", "navy", "olive", "black", "sand", "rust", "grey", "cream"];

fn random_unit(rng: &mut StdRng) -> Vec<f32> {
    let mut v: Vec<f32> = (0..DIMS).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

fn catalog(n: usize, rng: &mut StdRng) -> Vec<(Product, ProductCard)> {
    (0..n)
        .map(|i| {
            let pick = |list: &[&'static str], rng: &mut StdRng| list[rng.random_range(0..list.len())];
            let (adjective, material, garment, colour) = (pick(ADJECTIVES, rng), pick(MATERIALS, rng), pick(GARMENTS, rng), pick(COLOURS, rng));
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
            (product, card)
        })
        .collect()
}

struct Loaded {
    name: String,
    storage: Arc<dyn Storage>,
    _pg: Option<common::TestPg>,
}

async fn load(storage: &dyn Storage, items: &[(Product, ProductCard)], vectors: &[Vec<f32>]) {
    let embeddings: Vec<CardEmbedding> = items
        .iter()
        .zip(vectors)
        .map(|((_, card), v)| CardEmbedding { product_id: card.product_id.clone(), content_hash: card.content_hash.clone(), vector: v.clone() })
        .collect();
    storage.save_embeddings(STORE, MODEL, &embeddings).await.expect("save embeddings");
}

async fn setup(n: usize) -> Vec<Loaded> {
    let mut rng = StdRng::seed_from_u64(0x5EED + n as u64);
    let items = catalog(n, &mut rng);
    let vectors: Vec<Vec<f32>> = (0..n).map(|_| random_unit(&mut rng)).collect();
    let mut out = Vec::new();

    let started = Instant::now();
    let sqlite = common::sqlite().await;
    sqlite.import_products(STORE, &items).await.expect("sqlite import");
    load(&*sqlite, &items, &vectors).await;
    eprintln!("sqlite/{n}: loaded in {:?}", started.elapsed());
    out.push(Loaded { name: format!("sqlite/{n}"), storage: sqlite, _pg: None });

    let started = Instant::now();
    let pg = common::postgres().await;
    let storage = pg.storage();
    storage.import_products(STORE, &items).await.expect("postgres import");
    load(&*storage, &items, &vectors).await;
    sqlx::query("VACUUM ANALYZE product_cards").execute(storage.pool()).await.expect("vacuum");
    eprintln!("postgres/{n}: loaded and indexed in {:?} (schema {})", started.elapsed(), pg.schema());
    out.push(Loaded { name: format!("postgres/{n}"), storage: pg.dyn_storage(), _pg: Some(pg) });
    out
}

fn bench_search(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let mut rng = StdRng::seed_from_u64(99);
    let queries: Arc<Vec<Vec<f32>>> = Arc::new((0..QUERIES).map(|_| random_unit(&mut rng)).collect());
    let texts: Arc<Vec<TextQuery>> = Arc::new(
        (0..QUERIES)
            .map(|i| TextQuery {
                terms: vec![MATERIALS[i % MATERIALS.len()].to_lowercase(), GARMENTS[(i * 5) % GARMENTS.len()].to_lowercase() + "s"],
                languages: vec!["en".into()],
            })
            .collect(),
    );

    let sizes: Vec<usize> = match std::env::var("SEARCH_BENCH_SIZES") {
        Ok(list) => list.split(',').map(|n| n.trim().parse().expect("SEARCH_BENCH_SIZES is a comma-separated list of card counts")).collect(),
        Err(_) => SIZES.to_vec(),
    };
    for n in sizes {
        let stores = rt.block_on(setup(n));
        let mut group = c.benchmark_group(format!("search_{n}"));
        group.sample_size(50).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(2));
        for loaded in &stores {
            let next = Arc::new(AtomicUsize::new(0));
            let (storage, q, counter) = (loaded.storage.clone(), queries.clone(), next.clone());
            group.bench_function(format!("vector/{}", loaded.name), |b| {
                b.to_async(&rt).iter(|| {
                    let (storage, q, i) = (storage.clone(), q.clone(), counter.fetch_add(1, Ordering::Relaxed) % QUERIES);
                    async move { black_box(storage.vector_search(STORE, MODEL, &q[i], 8).await.expect("vector search")) }
                })
            });
            let (storage, q, t, counter) = (loaded.storage.clone(), queries.clone(), texts.clone(), next.clone());
            group.bench_function(format!("hybrid/{}", loaded.name), |b| {
                b.to_async(&rt).iter(|| {
                    let (storage, q, t, i) = (storage.clone(), q.clone(), t.clone(), counter.fetch_add(1, Ordering::Relaxed) % QUERIES);
                    async move {
                        let (v, t) = tokio::join!(storage.vector_search(STORE, MODEL, &q[i], 40), storage.text_search(STORE, &t[i], 40));
                        black_box((v.expect("vector search"), t.expect("text search")))
                    }
                })
            });
        }
        group.finish();
        for loaded in &stores {
            rt.block_on(percentiles(loaded, &queries, &texts));
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
                    pg.drop_schema().await;
                }
            }
        });
    }
}

/// p50, p90 and p99 of single searches (criterion reports means), after a
/// warm-up, cycling through the same queries.
async fn percentiles(loaded: &Loaded, queries: &[Vec<f32>], texts: &[TextQuery]) {
    const WARM_UP: usize = 100;
    const RUNS: usize = 1_000;
    let (mut vector, mut hybrid) = (Vec::with_capacity(RUNS), Vec::with_capacity(RUNS));
    for round in 0..WARM_UP + RUNS {
        let i = round % QUERIES;
        let started = Instant::now();
        black_box(loaded.storage.vector_search(STORE, MODEL, &queries[i], 8).await.expect("vector search"));
        let between = Instant::now();
        let (v, t) = tokio::join!(loaded.storage.vector_search(STORE, MODEL, &queries[i], 40), loaded.storage.text_search(STORE, &texts[i], 40));
        black_box((v.expect("vector search"), t.expect("text search")));
        if round >= WARM_UP {
            vector.push(between - started);
            hybrid.push(between.elapsed());
        }
    }
    for (kind, mut samples) in [("vector", vector), ("hybrid", hybrid)] {
        samples.sort();
        let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1e3;
        println!("{kind}/{} over {RUNS} searches: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms", loaded.name, at(0.50), at(0.90), at(0.99));
    }
}

criterion_group!(benches, bench_search);
criterion_main!(benches);
