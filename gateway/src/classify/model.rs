//! The statistical layer at run time: multinomial logistic regression over
//! the reasons (`none` included), on the hashed features of
//! [`super::features`]. The weights are trained by the gateway's build
//! script from `data/train.tsv` with [`super::train`] and compiled into the
//! binary, so classifying costs a few thousand multiply-adds and no start-up
//! training.
//!
//! Why logistic regression and not naive Bayes on the same features:
//! measured on the dev set (labelled turns of `evals/cases/demo`, written by
//! others), naive Bayes flagged far more ordinary questions (precision of
//! escalate+urgent 0.65–0.70 against 0.81–0.88), and did worse in
//! cross-validation of the training set; figures in `data/README.md`.

use super::features;
use super::train::{self, CLASSES, Weights};
use super::{Label, Reason};

/// Little-endian f32s: `CLASSES` biases, then `BUCKETS x CLASSES` weights.
static SHIPPED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/escalation-weights.bin"));
/// Little-endian u64s, sorted: the id of every feature seen in training.
/// A feature outside it says nothing: its bucket's weight belongs to
/// whatever trained features share the bucket, so an unknown product name
/// or word would otherwise push a random class. Measured on a fresh
/// held-out set (C), such collisions flagged ordinary questions ("discount
/// with a student card" as `safety`).
static VOCABULARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/escalation-vocabulary.bin"));

/// Probabilities over [`Reason::ALL`] for one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores(pub [f32; CLASSES]);

impl Scores {
    pub fn of(&self, reason: Reason) -> f32 {
        self.0[reason.index()]
    }

    /// Probability mass of the reasons that carry `label`.
    pub fn label_mass(&self, label: Label) -> f32 {
        Reason::ALL.iter().filter(|r| r.label() == label).map(|r| self.of(*r)).sum()
    }

    /// The most likely reason among those that carry `label`.
    pub fn best_reason(&self, label: Label) -> Reason {
        let mut best = (Reason::None, f32::MIN);
        for reason in Reason::ALL.iter().filter(|r| r.label() == label) {
            if self.of(*reason) > best.1 {
                best = (*reason, self.of(*reason));
            }
        }
        best.0
    }
}

/// Scores a message with the shipped weights.
pub fn score(text: &str) -> Scores {
    let mut logits = [0.0f32; CLASSES];
    for (class, logit) in logits.iter_mut().enumerate() {
        *logit = read(class);
    }
    for (id, value) in features::extract(text) {
        if !known(id) {
            continue;
        }
        let row = CLASSES + features::bucket(id) as usize * CLASSES;
        for (class, logit) in logits.iter_mut().enumerate() {
            *logit += read(row + class) * value;
        }
    }
    Scores(train::softmax(logits))
}

fn known(id: u64) -> bool {
    let (mut low, mut high) = (0, VOCABULARY.len() / 8);
    while low < high {
        let middle = (low + high) / 2;
        let bytes: [u8; 8] = VOCABULARY[middle * 8..middle * 8 + 8].try_into().expect("8 bytes");
        match u64::from_le_bytes(bytes).cmp(&id) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
        }
    }
    false
}

fn read(index: usize) -> f32 {
    let bytes = &SHIPPED[index * 4..index * 4 + 4];
    f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Scores a message with weights trained here (for experiments and tests;
/// no vocabulary filter).
pub fn score_with(weights: &Weights, text: &str) -> Scores {
    Scores(weights.probabilities(&features::in_buckets(&features::extract(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_weights_have_the_expected_shape() {
        assert_eq!(SHIPPED.len(), (CLASSES + features::BUCKETS * CLASSES) * 4);
    }

    #[test]
    fn classes_are_in_reason_order() {
        let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names, train::CLASS_NAMES);
    }

    #[test]
    fn vocabulary_is_sorted_and_knows_training_words() {
        assert_eq!(VOCABULARY.len() % 8, 0);
        let ids: Vec<u64> = VOCABULARY.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(features::extract("refund").iter().all(|(id, _)| known(*id)));
        assert!(!known(features::extract("qzxwvkjq").iter().map(|(id, _)| *id).max().unwrap()));
    }

    #[test]
    fn scores_are_probabilities() {
        let scores = score("where is my refund?");
        let total: f32 = scores.0.iter().sum();
        assert!((total - 1.0).abs() < 1e-4);
    }
}
