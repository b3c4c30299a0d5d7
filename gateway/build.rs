//! Two jobs:
//! - Rebuild when a migration changes: `sqlx::migrate!` embeds the folder at
//!   compile time and would otherwise keep a stale copy.
//! - Train the escalation classifier's weights from the
//!   labelled messages in `src/classify/data/train.tsv`, with the same
//!   feature and training code the gateway uses (`src/classify/features.rs`,
//!   `src/classify/train.rs`), written to `OUT_DIR` for `include_bytes!`
//!   with the sorted ids of every feature seen in training.
//!   Deterministic; reruns only when those files change.

#[path = "src/classify/features.rs"]
#[allow(dead_code)]
mod features;
#[path = "src/classify/train.rs"]
#[allow(dead_code)]
mod train;

const TRAIN: &str = "src/classify/data/train.tsv";

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    train_escalation_classifier();
}

fn train_escalation_classifier() {
    for path in [TRAIN, "src/classify/features.rs", "src/classify/train.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let text = std::fs::read_to_string(TRAIN).unwrap_or_else(|e| panic!("cannot read {TRAIN}: {e}"));
    let mut data = Vec::new();
    let mut vocabulary: Vec<u64> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(reason), Some(message)) = (fields.get(1), fields.get(3)) else {
            panic!("{TRAIN} line {}: expected label, reason, language, text separated by tabs", index + 1);
        };
        let class =
            train::class_of(reason).unwrap_or_else(|| panic!("{TRAIN} line {}: unknown reason `{reason}` (one of {:?})", index + 1, train::CLASS_NAMES));
        let extracted = features::extract(message);
        vocabulary.extend(extracted.iter().map(|(id, _)| *id));
        data.push((features::in_buckets(&extracted), class));
    }
    let weights = train::train(&data, features::BUCKETS);
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    write(&out_dir.join("escalation-weights.bin"), &weights.to_bytes());
    write(&out_dir.join("escalation-vocabulary.bin"), &vocabulary.iter().flat_map(|id| id.to_le_bytes()).collect::<Vec<u8>>());
}

fn write(path: &std::path::Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
