//! Measures a classifier on a labelled set: precision and recall per label
//! and per language, the confusion matrix, and how often the reason is
//! right. `chatgw classify-eval` prints it; a unit test holds the targets.
//!
//! "Flagged" means escalate or urgent: the targets are recall and precision
//! of flagging (a message that needs a person gets one, and people are not
//! called for nothing), whatever the exact label.

use std::collections::BTreeMap;
use std::fmt;
use std::process::ExitCode;
use std::time::Instant;

use super::data::{self, Example};
use super::{Classification, Label, Reason};

/// One message of the set and what the classifier said.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub example: Example,
    pub got: Classification,
}

impl Outcome {
    fn gold_flagged(&self) -> bool {
        self.example.label != Label::Normal
    }
    fn got_flagged(&self) -> bool {
        self.got.label != Label::Normal
    }
}

/// Precision and recall of one binary decision, with its counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Score {
    fn add(&mut self, gold: bool, got: bool) {
        match (gold, got) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            (false, false) => {}
        }
    }

    /// 1.0 when nothing was predicted positive (no false alarm was raised).
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    /// 1.0 when there was nothing to find.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

pub struct Report {
    pub outcomes: Vec<Outcome>,
}

/// Runs `classify` on every example.
pub fn evaluate(examples: &[Example], classify: impl Fn(&Example) -> Classification) -> Report {
    Report { outcomes: examples.iter().map(|e| Outcome { example: e.clone(), got: classify(e) }).collect() }
}

/// The offline classifier as a chat turn runs it: with the earlier messages.
pub fn offline(example: &Example) -> Classification {
    let earlier: Vec<&str> = example.earlier.iter().map(String::as_str).collect();
    super::classify_in_context(&example.text, &earlier)
}

/// The targets for escalate+urgent on messages not trained on.
pub const TARGET_RECALL: f64 = 0.95;
pub const TARGET_PRECISION: f64 = 0.90;

/// A labelled set by name (`heldout`, `heldout-b` to `heldout-f`, `dev`, `dev-fresh`, `train`) or a
/// TSV file in the format of [`data`](super::data).
pub fn load_set(name: &str) -> Result<Vec<Example>, String> {
    let text = match name {
        "heldout" => data::HELDOUT.to_owned(),
        "heldout-b" => data::HELDOUT_B.to_owned(),
        "heldout-c" => data::HELDOUT_C.to_owned(),
        "heldout-d" => data::HELDOUT_D.to_owned(),
        "heldout-e" => data::HELDOUT_E.to_owned(),
        "heldout-f" => data::HELDOUT_F.to_owned(),
        "dev" => data::DEV.to_owned(),
        "dev-fresh" => data::DEV_FRESH.to_owned(),
        "train" => data::TRAIN.to_owned(),
        path => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read labelled set `{path}`: {e} (give a TSV file, or one of heldout, heldout-b, heldout-c, heldout-d, heldout-e, heldout-f, dev, dev-fresh, train)"))?,
    };
    data::parse(&text).map_err(|e| format!("{name}: {e}"))
}

/// `chatgw classify-eval`: prints the report of the offline classifier on
/// a set; with `check`, fails when the targets are not met.
pub fn run(set: &str, show_errors: bool, check: bool) -> ExitCode {
    let examples = match load_set(set) {
        Ok(examples) => examples,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let report = evaluate(&examples, offline);
    let micros = started.elapsed().as_secs_f64() * 1e6 / examples.len().max(1) as f64;
    println!("set: {set}\n{report}");
    println!("offline classifier: {micros:.1} µs per message");
    if show_errors {
        println!("\nwrong labels (expected -> got (reason) [language] message):");
        for error in report.errors() {
            println!(
                "  {} -> {} ({}) [{}] {}",
                error.example.label.as_str(),
                error.got.label.as_str(),
                error.got.reason.as_str(),
                error.example.language,
                error.example.text
            );
        }
    }
    let flagged = report.flagged();
    let met = flagged.recall() >= TARGET_RECALL && flagged.precision() >= TARGET_PRECISION;
    println!("targets (recall >= {TARGET_RECALL}, precision >= {TARGET_PRECISION} on escalate+urgent): {}", if met { "met" } else { "NOT met" });
    if check && !met { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Folds of the training set's cross-validation, and how many consecutive
/// rows go to a fold together: `build_train.py` writes each hand-written
/// line next to its variants, so blocks keep a line and its variants on the
/// same side (whole reason sections often fall out of training, which makes
/// the recall pessimistic).
pub const CV_FOLDS: usize = 5;
pub const CV_BLOCK: usize = 30;

/// Cross-validates the statistical model (rules and context aside) on
/// `train` (training-set text): for every row, whether it is flagged in the
/// set and the flag probability the model trained on the other folds gives
/// it, with the run-time filter of unseen features.
pub fn cross_validate(train_text: &str, folds: usize, block: usize) -> Result<Vec<(bool, f32)>, String> {
    use super::{features, train};
    let rows = data::parse(train_text)?;
    let extracted: Vec<features::Features> = rows.iter().map(|e| features::extract(&e.text)).collect();
    let fold_of = |row: usize| (row / block) % folds;
    let mut scored = Vec::with_capacity(rows.len());
    for fold in 0..folds {
        let mut vocabulary = std::collections::HashSet::new();
        let mut training = Vec::new();
        for (row, (example, features)) in rows.iter().zip(&extracted).enumerate().filter(|(row, _)| fold_of(*row) != fold) {
            let reason = example.reason.ok_or_else(|| format!("training row {}: no reason", row + 1))?;
            vocabulary.extend(features.iter().map(|(id, _)| *id));
            training.push((features::in_buckets(features), reason.index()));
        }
        let weights = train::train(&training, features::BUCKETS);
        for (example, features) in rows.iter().zip(&extracted).enumerate().filter(|(row, _)| fold_of(*row) == fold).map(|(_, pair)| pair) {
            let known: features::Features = features.iter().copied().filter(|(id, _)| vocabulary.contains(id)).collect();
            let probabilities = weights.probabilities(&features::in_buckets(&known));
            scored.push((example.label != Label::Normal, 1.0 - probabilities[Reason::None.index()]));
        }
    }
    Ok(scored)
}

/// Precision and recall of flagging at `threshold` over cross-validation scores.
pub fn score_at(scored: &[(bool, f32)], threshold: f32) -> Score {
    let mut score = Score::default();
    for (gold, probability) in scored {
        score.add(*gold, *probability >= threshold);
    }
    score
}

/// `chatgw classify-eval --cv`: the training set's cross-validation at a
/// range of flag thresholds, the shipped one marked.
pub fn run_cross_validation() -> ExitCode {
    let started = Instant::now();
    let scored = match cross_validate(data::TRAIN, CV_FOLDS, CV_BLOCK) {
        Ok(scored) => scored,
        Err(e) => {
            eprintln!("error: training set: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{CV_FOLDS}-fold cross-validation of the statistical model on the training set ({} rows, blocks of {CV_BLOCK}), {:.1} s", scored.len(), started.elapsed().as_secs_f64());
    println!("threshold  precision  recall  (escalate+urgent)");
    for threshold in [0.2f32, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6] {
        let score = score_at(&scored, threshold);
        let shipped = if (threshold - super::FLAG_THRESHOLD).abs() < 1e-6 { "  <- shipped" } else { "" };
        println!("  {threshold:<8} {:>9.3}  {:>6.3}{shipped}", score.precision(), score.recall());
    }
    ExitCode::SUCCESS
}

impl Report {
    /// Escalate or urgent, as one decision.
    pub fn flagged(&self) -> Score {
        self.flagged_where(|_| true)
    }

    pub fn flagged_in(&self, language: &str) -> Score {
        self.flagged_where(|o| o.example.language == language)
    }

    fn flagged_where(&self, keep: impl Fn(&Outcome) -> bool) -> Score {
        let mut score = Score::default();
        for outcome in self.outcomes.iter().filter(|o| keep(o)) {
            score.add(outcome.gold_flagged(), outcome.got_flagged());
        }
        score
    }

    /// Exactly this label.
    pub fn label(&self, label: Label) -> Score {
        let mut score = Score::default();
        for outcome in &self.outcomes {
            score.add(outcome.example.label == label, outcome.got.label == label);
        }
        score
    }

    /// Languages of the set, sorted.
    pub fn languages(&self) -> Vec<String> {
        let mut languages: Vec<String> = self.outcomes.iter().map(|o| o.example.language.clone()).collect();
        languages.sort();
        languages.dedup();
        languages
    }

    /// `matrix[gold][got]`, in [`Label::ALL`] order.
    pub fn confusion(&self) -> [[usize; 3]; 3] {
        let mut matrix = [[0; 3]; 3];
        for outcome in &self.outcomes {
            matrix[outcome.example.label as usize][outcome.got.label as usize] += 1;
        }
        matrix
    }

    /// Among messages rightly flagged whose set names a reason: how many got
    /// that reason.
    pub fn reason_accuracy(&self) -> Option<f64> {
        let judged: Vec<(Reason, Reason)> =
            self.outcomes.iter().filter(|o| o.gold_flagged() && o.got_flagged()).filter_map(|o| o.example.reason.map(|r| (r, o.got.reason))).collect();
        (!judged.is_empty()).then(|| ratio(judged.iter().filter(|(gold, got)| gold == got).count(), judged.len()))
    }

    /// Messages whose label was wrong.
    pub fn errors(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.example.label != o.got.label)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flagged = self.flagged();
        writeln!(f, "{} messages", self.outcomes.len())?;
        writeln!(
            f,
            "flagged (escalate+urgent): precision {:.3}  recall {:.3}  (tp {} fp {} fn {})",
            flagged.precision(),
            flagged.recall(),
            flagged.true_positives,
            flagged.false_positives,
            flagged.false_negatives
        )?;
        writeln!(f, "\nper label       precision  recall  support")?;
        for label in Label::ALL {
            let score = self.label(label);
            let support = score.true_positives + score.false_negatives;
            writeln!(f, "  {:<12} {:>9.3}  {:>6.3}  {support:>7}", label.as_str(), score.precision(), score.recall())?;
        }
        writeln!(f, "\nper language (flagged)  precision  recall  messages")?;
        for language in self.languages() {
            let score = self.flagged_in(&language);
            let count = self.outcomes.iter().filter(|o| o.example.language == language).count();
            writeln!(f, "  {language:<21} {:>9.3}  {:>6.3}  {count:>8}", score.precision(), score.recall())?;
        }
        writeln!(f, "\nconfusion (rows: expected, columns: got)")?;
        writeln!(f, "  {:<10} {:>8} {:>8} {:>8}", "", "normal", "escalate", "urgent")?;
        for (label, row) in Label::ALL.iter().zip(self.confusion()) {
            writeln!(f, "  {:<10} {:>8} {:>8} {:>8}", label.as_str(), row[0], row[1], row[2])?;
        }
        if let Some(accuracy) = self.reason_accuracy() {
            writeln!(f, "\nreason right on {:.1}% of rightly flagged messages", accuracy * 100.0)?;
        }
        let mut by_reason: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for outcome in self.outcomes.iter().filter(|o| o.gold_flagged()) {
            let entry = by_reason.entry(outcome.example.reason.map_or("-", Reason::as_str)).or_default();
            entry.0 += 1;
            entry.1 += usize::from(outcome.got_flagged());
        }
        writeln!(f, "\nrecall per expected reason")?;
        for (reason, (total, found)) in by_reason {
            writeln!(f, "  {reason:<22} {found:>3}/{total:<3}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(label: Label, language: &str) -> Example {
        Example { label, reason: None, language: language.into(), text: "x".into(), earlier: Vec::new() }
    }

    #[test]
    fn cross_validation_scores_every_row_once() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("normal\tnone\ten\tdo you have the shirt {i} in blue?\n"));
            text.push_str(&format!("escalate\tdamaged_item\ten\tthe shirt {i} arrived torn\n"));
        }
        let scored = cross_validate(&text, 2, 4).unwrap();
        assert_eq!(scored.len(), 80);
        assert_eq!(scored.iter().filter(|(gold, _)| *gold).count(), 40);
        let score = score_at(&scored, 0.5);
        assert!(score.precision() > 0.9 && score.recall() > 0.9, "{score:?}");
    }

    #[test]
    fn counts_flagging_per_language_and_label() {
        let examples = vec![example(Label::Urgent, "en"), example(Label::Normal, "en"), example(Label::Escalate, "es")];
        let answers = [Label::Escalate, Label::Escalate, Label::Normal];
        let report = evaluate(&examples, |e| {
            let i = examples.iter().position(|x| std::ptr::eq(x, e)).unwrap();
            Classification { label: answers[i], reason: Reason::None, confidence: 1.0 }
        });
        let flagged = report.flagged();
        assert_eq!((flagged.true_positives, flagged.false_positives, flagged.false_negatives), (1, 1, 1));
        assert_eq!(report.flagged_in("en").recall(), 1.0);
        assert_eq!(report.flagged_in("es").recall(), 0.0);
        assert_eq!(report.confusion()[2][1], 1);
        assert_eq!(report.label(Label::Urgent).recall(), 0.0);
    }

    /// The targets on held-out set A, dev-fresh and the blind set E, and floors on
    /// sets B to D together, so that CI stops regressions. Set A was written
    /// first; all of them were looked at after their first run (see
    /// data/README.md), so these are regression guards, not fresh
    /// measurements. The B–D floor rose from 0.88/0.92 to 0.92/0.95 when the
    /// sources doubled (they measure 0.971/0.971).
    #[test]
    fn held_out_sets_meet_the_targets() {
        let started = std::time::Instant::now();
        let _ = super::super::classify("warm up");
        eprintln!("first message: {} ms", started.elapsed().as_millis());
        let report = measured("heldout");
        let flagged = report.flagged();
        assert!(flagged.recall() >= TARGET_RECALL, "recall {:.3}", flagged.recall());
        assert!(flagged.precision() >= TARGET_PRECISION, "precision {:.3}", flagged.precision());
        for language in report.languages() {
            let score = report.flagged_in(&language);
            assert!(score.recall() >= 0.85 && score.precision() >= 0.80, "{language}: precision {:.3} recall {:.3}", score.precision(), score.recall());
        }
        let later: Vec<Outcome> = ["heldout-b", "heldout-c", "heldout-d"].into_iter().flat_map(|set| measured(set).outcomes).collect();
        let flagged = Report { outcomes: later }.flagged();
        assert!(flagged.recall() >= 0.95 && flagged.precision() >= 0.92, "sets B-D: precision {:.3} recall {:.3}", flagged.precision(), flagged.recall());
        for set in ["dev-fresh", "heldout-e", "heldout-f"] {
            let flagged = measured(set).flagged();
            assert!(flagged.recall() >= TARGET_RECALL && flagged.precision() >= TARGET_PRECISION, "{set}: precision {:.3} recall {:.3}", flagged.precision(), flagged.recall());
        }
    }

    fn measured(set: &str) -> Report {
        let examples = load_set(set).unwrap();
        let started = std::time::Instant::now();
        let report = evaluate(&examples, offline);
        eprintln!("{set}: {:.1} µs per message\n{report}", started.elapsed().as_secs_f64() * 1e6 / examples.len() as f64);
        report
    }
}
