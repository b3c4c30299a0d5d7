//! Cards per second of the e5-small encoder on product cards, per kernel
//! this CPU runs, through the same batching the gateway's embedder uses
//! (`Model::embed_texts`, cards cut to 48 tokens, batches of 64 as the
//! catalog sync sends them).
//!
//! The cards are built like the gateway's `ProductCard` text (title,
//! description, attribute line) from the demo catalog's products, each
//! with one of a few adjectives and colours so no two are alike.
//!
//!     bash scripts/setup-models.sh      # the model file, once
//!     cargo run --release -p chatgw-e5 --example throughput -- [cards] [threads]
//!
//! The model is found at `$CHATGW_MODEL_DIR/e5-small-q4.bin`, else in the
//! user's cache (`~/.cache/chatgw/models`). `E5_KERNELS=int16,float`
//! limits the kernels measured.

use std::path::PathBuf;
use std::time::Instant;

use chatgw_e5::{Kernel, Model, TextKind};

/// The gateway's default card cap (`embed::e5::DEFAULT_MAX_TOKENS`).
const MAX_TOKENS: usize = 48;
/// Cards per `Embedder::embed` call in a catalog sync.
const BATCH: usize = 64;

const ADJECTIVES: [&str; 6] = ["Classic", "Rugged", "Soft", "Everyday", "Vintage", "Coastal"];
const COLOURS: [&str; 5] = ["Navy", "Olive", "Sand", "Burgundy", "Charcoal"];

fn model_path() -> PathBuf {
    let dir = std::env::var_os("CHATGW_MODEL_DIR").map(PathBuf::from).unwrap_or_else(|| {
        let cache =
            std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
        cache.join("chatgw/models")
    });
    dir.join("e5-small-q4.bin")
}

fn cards(count: usize) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/demo-store/catalog.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read the demo catalog at {path}: {e}"));
    let catalog: serde_json::Value = serde_json::from_str(&text).expect("the demo catalog is JSON");
    let products = catalog["products"].as_array().expect("the demo catalog has products");
    (0..count)
        .map(|i| {
            let p = &products[i % products.len()];
            let s = |key: &str| p[key].as_str().unwrap_or_default().to_owned();
            let attributes = p["attributes"]
                .as_object()
                .map_or(String::new(), |a| a.iter().filter_map(|(k, v)| v.as_str().map(|v| format!("{k}: {v}"))).collect::<Vec<_>>().join(". "));
            let (adjective, colour) = (ADJECTIVES[i % ADJECTIVES.len()], COLOURS[(i / ADJECTIVES.len()) % COLOURS.len()]);
            format!("{adjective} {}\n{}\n{attributes}. Colour: {colour}. Category: {}.", s("title"), s("description"), s("category"))
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().map_or(600, |a| a.parse().expect("cards: a number"));
    let threads: usize = args.next().map_or(2, |a| a.parse().expect("threads: a number"));
    let wanted = std::env::var("E5_KERNELS").unwrap_or_default().to_lowercase();
    let path = model_path();
    let texts = cards(count);

    let mut kernels = Kernel::supported();
    if !wanted.is_empty() {
        kernels.retain(|k| wanted.split(',').any(|w| w.trim() == format!("{k:?}").to_lowercase()));
    }
    let mut reference: Option<(Kernel, Vec<Vec<f32>>)> = None;
    for kernel in kernels {
        let model = Model::load_with(&path, kernel).unwrap_or_else(|e| panic!("{e}"));
        let tokens: usize = texts.iter().map(|t| model.sequence(t, TextKind::Passage, MAX_TOKENS).len()).sum();
        // One warm-up batch: page faults of the scratch matrices, caches.
        model.embed_texts(&texts[..BATCH.min(count)], TextKind::Passage, MAX_TOKENS, threads);
        let cpu = cpu_seconds();
        let start = Instant::now();
        let mut vectors = Vec::with_capacity(count);
        for batch in texts.chunks(BATCH) {
            vectors.extend(model.embed_texts(batch, TextKind::Passage, MAX_TOKENS, threads));
        }
        let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        let agreement = reference.as_ref().map_or(String::new(), |(first, r)| {
            let worst = r.iter().zip(&vectors).map(|(a, b)| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()).fold(1.0f32, f32::min);
            format!(", lowest cosine to {first:?} {worst:.5}")
        });
        println!(
            "{kernel:?}: {count} cards ({:.1} tokens each) on {threads} threads in {wall:.2} s: {:.1} cards/s, {:.1} cards per CPU-second{agreement}",
            tokens as f64 / count as f64,
            count as f64 / wall,
            count as f64 / cpu
        );
        reference.get_or_insert((kernel, vectors));
    }
}

/// CPU time of this process (all threads), from /proc; 0 where there is none.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which may hold spaces, in parentheses).
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| f.iter().filter_map(|v| v.parse::<f64>().ok()).sum());
    ticks / 100.0
}
