//! The gateway's own time per chat turn on the demo store with the offline
//! model (SQLite in memory, memory sessions, local embedder): storage of the
//! message, language, classification, hybrid retrieval, prompt, model loop
//! with tools, persistence. Criterion measures the mean; a second pass over
//! a fixed mix of turns prints p50 and p99.
//!
//! `cargo bench -p chatgw --bench chat_turn`

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatgw::App;
use chatgw::app::Services;
use chatgw::chat::{self, ChatEvent, TurnRequest};
use chatgw::config::GatewayConfig;
use chatgw::embed::LocalEmbedder;
use chatgw::llm::offline::OfflineModel;
use chatgw::session::MemorySessions;
use chatgw::storage::{SqliteStorage, Storage};
use criterion::{Criterion, criterion_group};
use futures::StreamExt;

const MESSAGES: [&str; 6] = [
    "linen shirt for a summer wedding",
    "¿Tenéis la camisa de lino Sitges en talla M?",
    "something warm for a ski trip",
    "Hola, у вас есть эта jacket в size M?",
    "black leather ankle boots",
    "vestido largo para una boda en la playa",
];

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

async fn demo_app() -> App {
    let storage = SqliteStorage::open("sqlite::memory:").await.expect("sqlite");
    storage.migrate().await.expect("migrate");
    let services = Services {
        storage: Arc::new(storage) as Arc<dyn Storage>,
        sessions: Arc::new(MemorySessions::new(Duration::from_secs(3600))),
        embedder: Arc::new(LocalEmbedder::default()),
    };
    let store = chatgw::demo::store_config("127.0.0.1:8080");
    App::new(GatewayConfig::default(), services, vec![(store, Arc::new(OfflineModel))]).await.expect("app")
}

async fn turn(app: &App, message: &str) {
    let store = app.store("demo").expect("demo store");
    let request = TurnRequest { session_id: None, message: message.to_owned(), locale: None, client_ip: None };
    let mut events = Box::pin(chat::start_turn(app.chat(), store, request).await.expect("turn starts"));
    while let Some(event) = events.next().await {
        if let ChatEvent::Error { message, .. } = event {
            panic!("turn failed: {message}");
        }
    }
}

fn bench_turn(c: &mut Criterion) {
    let rt = runtime();
    let app = rt.block_on(demo_app());
    let mut i = 0;
    c.bench_function("chat_turn/offline/demo", |b| {
        b.to_async(&rt).iter(|| {
            i += 1;
            let message = MESSAGES[i % MESSAGES.len()];
            let app = app.clone();
            async move { turn(&app, message).await }
        })
    });
}

fn percentiles() {
    let rt = runtime();
    let app = rt.block_on(demo_app());
    let mut samples: Vec<Duration> = Vec::new();
    rt.block_on(async {
        for round in 0..2400 {
            let started = Instant::now();
            turn(&app, MESSAGES[round % MESSAGES.len()]).await;
            if round >= 200 {
                samples.push(started.elapsed());
            }
        }
    });
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "chat_turn/offline/demo over {} turns: p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.90).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(200).measurement_time(Duration::from_secs(10));
    targets = bench_turn
}

fn main() {
    benches();
    percentiles();
    Criterion::default().configure_from_args().final_summary();
}
