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
    for (bucket, value) in features::extract(text) {
        let row = CLASSES + bucket as usize * CLASSES;
        for (class, logit) in logits.iter_mut().enumerate() {
            *logit += read(row + class) * value;
        }
    }
    Scores(train::softmax(logits))
}

fn read(index: usize) -> f32 {
    let bytes = &SHIPPED[index * 4..index * 4 + 4];
    f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Scores a message with weights trained here (for experiments and tests).
pub fn score_with(weights: &Weights, text: &str) -> Scores {
    Scores(weights.probabilities(&features::extract(text)))
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
    fn scores_are_probabilities() {
        let scores = score("where is my refund?");
        let total: f32 = scores.0.iter().sum();
        assert!((total - 1.0).abs() < 1e-4);
    }
}
