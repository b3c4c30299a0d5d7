//! Metrics over a run, the report (terminal table, markdown, JSON) and the
//! threshold gate. The report is a pure function of what the turns
//! produced, so a replayed run gives the same bytes; wall-clock latency is
//! kept apart in `Timing`, which is printed but never written into it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::eval::checks::{Failure, check_turn, claims};
use crate::eval::retrieval::{RetrievalReport, is_gated_name};
use crate::eval::runner::{CaseOutcome, RetrievalOutcome};

/// Price of a model's tokens, for the cost line (0 for the offline model).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pricing {
    pub prompt_per_1k: f64,
    pub completion_per_1k: f64,
}

/// A ratio and the counts behind it; `rate` is `None` when nothing was measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
    pub rate: Option<f64>,
}

impl Ratio {
    fn of(hits: usize, total: usize) -> Self {
        Self { hits, total, rate: (total > 0).then(|| round(hits as f64 / total as f64)) }
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LabelScore {
    pub precision: Ratio,
    pub recall: Ratio,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metrics {
    pub cases_passed: Ratio,
    pub turns_passed: Ratio,
    /// Conversations that ended with no handoff and no error.
    pub resolved_without_person: Ratio,
    /// Per label (`escalate`, `urgent`), over turns whose expectation names a label.
    pub escalation: BTreeMap<String, LabelScore>,
    /// Turns with tool expectations that met all of them.
    pub tool_call_compliance: Ratio,
    /// Price, availability and order claims backed by the turn's facts.
    pub grounded_claim_rate: Ratio,
    pub reply_language_accuracy: Ratio,
    /// Mean share of a query's expected products in its first 8 results.
    pub retrieval_recall_at_8: Option<f64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub cases_passed: Ratio,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetrievalMiss {
    pub query: String,
    pub missing: Vec<String>,
    pub found: Vec<String>,
}

/// The deterministic report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub provider: String,
    pub metrics: Metrics,
    pub by_category: BTreeMap<String, GroupScore>,
    pub by_language: BTreeMap<String, GroupScore>,
    pub failures: Vec<Failure>,
    pub retrieval_misses: Vec<RetrievalMiss>,
    /// Graded product queries: hit@4, precision@4, nDCG@8 by group.
    pub retrieval: Option<RetrievalReport>,
}

/// Wall-clock figures of a run; they differ between runs by nature.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timing {
    pub turns: usize,
    pub latency_p50_ms: u64,
    pub latency_p95_ms: u64,
}

impl Timing {
    pub fn of(outcomes: &[CaseOutcome]) -> Self {
        let mut ms: Vec<u64> = outcomes.iter().flat_map(|c| c.turns.iter().map(|t| t.latency.as_millis() as u64)).collect();
        ms.sort_unstable();
        let at = |q: f64| if ms.is_empty() { 0 } else { ms[((ms.len() - 1) as f64 * q).round() as usize] };
        Self { turns: ms.len(), latency_p50_ms: at(0.50), latency_p95_ms: at(0.95) }
    }
}

const LABELS: [&str; 2] = ["escalate", "urgent"];

impl Report {
    pub fn build(provider: &str, outcomes: &[CaseOutcome], retrieval: &[RetrievalOutcome], pricing: Pricing) -> Self {
        let mut failures = Vec::new();
        let (mut cases_ok, mut turns_ok, mut turns, mut resolved) = (0, 0, 0, 0);
        let (mut tool_ok, mut tool_total, mut lang_ok, mut lang_total, mut claim_ok, mut claim_total) = (0, 0, 0, 0, 0, 0);
        let (mut prompt_tokens, mut completion_tokens) = (0u64, 0u64);
        // label -> (true positives, predicted, expected)
        let mut label_counts: BTreeMap<&str, (usize, usize, usize)> = LABELS.iter().map(|l| (*l, (0, 0, 0))).collect();
        let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut by_language: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for outcome in outcomes {
            let case = &outcome.case;
            let mut case_failures = Vec::new();
            for (i, (turn, seen)) in case.turns.iter().zip(&outcome.turns).enumerate() {
                let expect = &turn.expect;
                let found = check_turn(&case.id, i + 1, expect, seen, &outcome.titles);
                turns += 1;
                if found.is_empty() {
                    turns_ok += 1;
                }
                if !expect.tools_called.is_empty() || !expect.tools_not_called.is_empty() {
                    tool_total += 1;
                    if !found.iter().any(|f| f.check.starts_with("tool_")) {
                        tool_ok += 1;
                    }
                }
                if expect.language.is_some() {
                    lang_total += 1;
                    if !found.iter().any(|f| f.check == "language") {
                        lang_ok += 1;
                    }
                }
                for claim in claims(seen) {
                    claim_total += 1;
                    if claim.grounded {
                        claim_ok += 1;
                    }
                }
                if let Some(expected) = &expect.label {
                    let got = seen.label.as_deref().unwrap_or("");
                    for (label, (tp, predicted, wanted)) in label_counts.iter_mut() {
                        let (is_expected, is_got) = (expected == label, got == *label);
                        *tp += usize::from(is_expected && is_got);
                        *predicted += usize::from(is_got);
                        *wanted += usize::from(is_expected);
                    }
                }
                prompt_tokens += u64::from(seen.prompt_tokens);
                completion_tokens += u64::from(seen.completion_tokens);
                case_failures.extend(found);
            }
            if outcome.turns.iter().all(|t| t.handoff.is_none() && t.error.is_none()) {
                resolved += 1;
            }
            let passed = case_failures.is_empty();
            cases_ok += usize::from(passed);
            let language = case.turns.iter().find_map(|t| t.expect.language.clone()).unwrap_or_else(|| "any".into());
            for (group, key) in [(&mut by_category, case.category.clone()), (&mut by_language, language)] {
                let entry = group.entry(key).or_default();
                entry.0 += usize::from(passed);
                entry.1 += 1;
            }
            failures.extend(case_failures);
        }
        let escalation = label_counts
            .into_iter()
            .map(|(label, (tp, predicted, wanted))| (label.to_owned(), LabelScore { precision: Ratio::of(tp, predicted), recall: Ratio::of(tp, wanted) }))
            .collect();
        let mut recall_sum = 0.0;
        let mut retrieval_misses = Vec::new();
        let with_expected: Vec<&RetrievalOutcome> = retrieval.iter().filter(|r| !r.query.expected.is_empty()).collect();
        for r in &with_expected {
            let expected = &r.query.expected;
            let hits = expected.iter().filter(|id| r.found.contains(id)).count();
            recall_sum += hits as f64 / expected.len() as f64;
            if hits < expected.len() {
                let missing = expected.iter().filter(|id| !r.found.contains(id)).cloned().collect();
                retrieval_misses.push(RetrievalMiss { query: r.query.query.clone(), missing, found: r.found.clone() });
            }
        }
        let cost = round((prompt_tokens as f64 * pricing.prompt_per_1k + completion_tokens as f64 * pricing.completion_per_1k) / 1000.0);
        let metrics = Metrics {
            cases_passed: Ratio::of(cases_ok, outcomes.len()),
            turns_passed: Ratio::of(turns_ok, turns),
            resolved_without_person: Ratio::of(resolved, outcomes.len()),
            escalation,
            tool_call_compliance: Ratio::of(tool_ok, tool_total),
            grounded_claim_rate: Ratio::of(claim_ok, claim_total),
            reply_language_accuracy: Ratio::of(lang_ok, lang_total),
            retrieval_recall_at_8: (!with_expected.is_empty()).then(|| round(recall_sum / with_expected.len() as f64)),
            prompt_tokens,
            completion_tokens,
            cost,
        };
        let score =
            |group: BTreeMap<String, (usize, usize)>| group.into_iter().map(|(k, (ok, n))| (k, GroupScore { cases_passed: Ratio::of(ok, n) })).collect();
        Self {
            provider: provider.to_owned(),
            metrics,
            by_category: score(by_category),
            by_language: score(by_language),
            failures,
            retrieval_misses,
            retrieval: RetrievalReport::build(retrieval),
        }
    }

    /// The gated metrics by name, as `thresholds.toml` names them.
    pub fn gated(&self) -> BTreeMap<String, Option<f64>> {
        let m = &self.metrics;
        let mut out = BTreeMap::from([
            ("cases_passed".to_owned(), m.cases_passed.rate),
            ("turns_passed".to_owned(), m.turns_passed.rate),
            ("resolved_without_person".to_owned(), m.resolved_without_person.rate),
            ("tool_call_compliance".to_owned(), m.tool_call_compliance.rate),
            ("grounded_claim_rate".to_owned(), m.grounded_claim_rate.rate),
            ("reply_language_accuracy".to_owned(), m.reply_language_accuracy.rate),
            ("retrieval_recall_at_8".to_owned(), m.retrieval_recall_at_8),
        ]);
        for (label, score) in &m.escalation {
            out.insert(format!("{label}_precision"), score.precision.rate);
            out.insert(format!("{label}_recall"), score.recall.rate);
        }
        if let Some(retrieval) = &self.retrieval {
            out.extend(retrieval.gated().into_iter().map(|(k, v)| (k, Some(v))));
        }
        out
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The headline table, shared by the terminal and the markdown report.
    fn headline(&self, timing: Option<Timing>) -> Vec<(String, String)> {
        let m = &self.metrics;
        let ratio = |r: &Ratio| match r.rate {
            Some(rate) => format!("{:.1}% ({}/{})", rate * 100.0, r.hits, r.total),
            None => "n/a (nothing measured)".into(),
        };
        let mut rows = vec![
            ("cases passed".to_owned(), ratio(&m.cases_passed)),
            ("turns passed".to_owned(), ratio(&m.turns_passed)),
            ("resolved without a person".to_owned(), ratio(&m.resolved_without_person)),
        ];
        for (label, score) in &m.escalation {
            rows.push((format!("{label} precision"), ratio(&score.precision)));
            rows.push((format!("{label} recall"), ratio(&score.recall)));
        }
        rows.extend([
            ("tool-call compliance".to_owned(), ratio(&m.tool_call_compliance)),
            ("grounded-claim rate".to_owned(), ratio(&m.grounded_claim_rate)),
            ("reply-language accuracy".to_owned(), ratio(&m.reply_language_accuracy)),
            ("retrieval recall@8".to_owned(), m.retrieval_recall_at_8.map(|r| format!("{:.1}%", r * 100.0)).unwrap_or_else(|| "n/a".into())),
        ]);
        if let Some(r) = self.retrieval.as_ref().map(|r| &r.overall) {
            rows.extend([
                ("retrieval hit@4".to_owned(), format!("{:.1}% ({} graded queries)", r.hit_at_4 * 100.0, r.queries)),
                ("retrieval precision@4 / ceiling".to_owned(), format!("{:.1}% / {:.1}%", r.precision_at_4 * 100.0, r.precision_ceiling_at_4 * 100.0)),
                ("retrieval nDCG@8".to_owned(), format!("{:.3}", r.ndcg_at_8)),
                ("retrieval: all shown right".to_owned(), format!("{:.1}%", r.all_shown_right * 100.0)),
            ]);
        }
        rows.extend([
            ("tokens (prompt / completion)".to_owned(), format!("{} / {}", m.prompt_tokens, m.completion_tokens)),
            ("cost".to_owned(), format!("{:.4}", m.cost)),
        ]);
        if let Some(t) = timing {
            rows.push(("latency p50 / p95".to_owned(), format!("{} ms / {} ms ({} turns)", t.latency_p50_ms, t.latency_p95_ms, t.turns)));
        }
        rows
    }

    /// The terminal table: the headline figures plus latency.
    pub fn table(&self, timing: Timing) -> String {
        let rows = self.headline(Some(timing));
        let width = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        let mut out = format!("chatgw eval ({})\n", self.provider);
        for (k, v) in rows {
            let _ = writeln!(out, "  {k:<width$}  {v}");
        }
        let _ = writeln!(out, "  {} failed checks; see the markdown report for each", self.failures.len());
        out
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!("# chatgw eval report ({})\n\n", self.provider);
        out.push_str("Latency is measured per run and is not part of this file (it is printed by `chatgw eval`).\n\n");
        out.push_str("| metric | value |\n|---|---|\n");
        for (k, v) in self.headline(None) {
            let _ = writeln!(out, "| {k} | {v} |");
        }
        for (title, group) in [("category", &self.by_category), ("language", &self.by_language)] {
            let _ = write!(out, "\n## Cases passed by {title}\n\n| {title} | passed |\n|---|---|\n");
            for (k, score) in group {
                let r = &score.cases_passed;
                let _ = writeln!(out, "| {k} | {}/{} |", r.hits, r.total);
            }
        }
        let _ = write!(out, "\n## Failures ({})\n\n", self.failures.len());
        if !self.failures.is_empty() {
            out.push_str("| case | turn | check | expected | got |\n|---|---|---|---|---|\n");
            for f in &self.failures {
                let _ = writeln!(out, "| {} | {} | {} | {} | {} |", f.case, f.turn, f.check, cell(&f.expected), cell(&f.got));
            }
        }
        let _ = write!(out, "\n## Retrieval misses ({})\n\n", self.retrieval_misses.len());
        if !self.retrieval_misses.is_empty() {
            out.push_str("| query | missing | top 8 |\n|---|---|---|\n");
            for m in &self.retrieval_misses {
                let _ = writeln!(out, "| {} | {} | {} |", cell(&m.query), m.missing.join(", "), m.found.join(", "));
            }
        }
        if let Some(retrieval) = &self.retrieval {
            out.push_str(&retrieval.markdown());
        }
        out
    }

    /// Writes `report.md` and `report.json` into `dir`.
    pub fn write(&self, dir: &Path, stem: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(format!("{stem}.md")), self.to_markdown())?;
        std::fs::write(dir.join(format!("{stem}.json")), self.to_json())
    }
}

/// Text safe inside a markdown table cell, cut to a readable length.
fn cell(text: &str) -> String {
    let one_line = text.replace('|', "\\|").replace('\n', " ");
    if one_line.chars().count() > 160 { format!("{}…", one_line.chars().take(160).collect::<String>()) } else { one_line }
}

/// Minimum values for gated metrics, from `evals/thresholds.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub min: BTreeMap<String, f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not valid: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("{path}: unknown metric `{name}` in [min]; known: {known}")]
    UnknownMetric { path: String, name: String, known: String },
}

impl Thresholds {
    pub fn load(path: &Path) -> Result<Self, GateError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| GateError::Read { path: shown.clone(), source })?;
        Self::parse(&text, &shown)
    }

    pub fn parse(text: &str, source_name: &str) -> Result<Self, GateError> {
        let thresholds: Self = toml::from_str(text).map_err(|source| GateError::Parse { path: source_name.to_owned(), source })?;
        let known = Report::build("", &[], &[], Pricing::default()).gated();
        for name in thresholds.min.keys() {
            if !known.contains_key(name) && !is_gated_name(name) {
                let known = known.keys().cloned().collect::<Vec<_>>().join(", ");
                return Err(GateError::UnknownMetric { path: source_name.to_owned(), name: name.clone(), known });
            }
        }
        Ok(thresholds)
    }

    /// One line per metric under its minimum (or not measured at all).
    pub fn breaches(&self, report: &Report) -> Vec<String> {
        let gated = report.gated();
        self.min
            .iter()
            .filter_map(|(name, min)| match gated.get(name).copied().flatten() {
                Some(value) if value >= *min => None,
                Some(value) => Some(format!("{name} is {value:.4}, below its threshold {min:.4}")),
                None => Some(format!("{name} was not measured (no case exercises it); its threshold is {min:.4}")),
            })
            .collect()
    }
}
