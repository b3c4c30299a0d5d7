//! Retrieval quality over graded product queries: what the shopper is shown
//! (the first four results) and how well the first eight are ordered.
//!
//! - hit@4: a right product (grade 1 or 2) among the four shown.
//! - precision@4: the share of the four shown that are right; its ceiling is
//!   what a perfect ranking reaches given how many right products exist
//!   (`min(right, 4) / 4`).
//! - nDCG@8: graded gain `2^grade - 1`, discounted by `log2(rank + 1)`,
//!   over the ideal order of the query's grades.
//! - all shown right: the four shown are all right (or every right product
//!   is shown when fewer exist); for constraint, complement and follow-up
//!   queries it says every stated constraint held in what the shopper saw.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::eval::runner::RetrievalOutcome;

/// Products a chat turn shows.
pub const SHOWN: usize = 4;
/// Depth of the ranking measured by nDCG.
pub const RANKED: usize = 8;

/// Mean figures over a group of queries (rounded to 4 places).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetrievalScore {
    pub queries: usize,
    pub hit_at_4: f64,
    pub precision_at_4: f64,
    pub precision_ceiling_at_4: f64,
    pub ndcg_at_8: f64,
    pub all_shown_right: f64,
}

/// One query's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryScore {
    pub hit: bool,
    pub precision: f64,
    pub ceiling: f64,
    pub ndcg: f64,
    pub all_right: bool,
}

pub fn score(outcome: &RetrievalOutcome) -> QueryScore {
    let grades = outcome.query.grades();
    let grade = |id: &String| grades.get(id).copied().unwrap_or(0);
    let shown: Vec<u8> = outcome.found.iter().take(SHOWN).map(grade).collect();
    let right_shown = shown.iter().filter(|g| **g > 0).count();
    let right = grades.len();
    let ceiling = right.min(SHOWN) as f64 / SHOWN as f64;
    let gain = |g: u8| f64::from((1u32 << g) - 1);
    let dcg: f64 = outcome.found.iter().take(RANKED).enumerate().map(|(i, id)| gain(grade(id)) / (i as f64 + 2.0).log2()).sum();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal.iter().take(RANKED).enumerate().map(|(i, g)| gain(*g) / (i as f64 + 2.0).log2()).sum();
    QueryScore {
        hit: right_shown > 0,
        precision: right_shown as f64 / SHOWN as f64,
        ceiling,
        ndcg: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        all_right: right_shown == right.min(SHOWN),
    }
}

fn mean(scores: &[QueryScore]) -> RetrievalScore {
    let n = scores.len().max(1) as f64;
    let avg = |f: &dyn Fn(&QueryScore) -> f64| round(scores.iter().map(f).sum::<f64>() / n);
    RetrievalScore {
        queries: scores.len(),
        hit_at_4: avg(&|s| f64::from(u8::from(s.hit))),
        precision_at_4: avg(&|s| s.precision),
        precision_ceiling_at_4: avg(&|s| s.ceiling),
        ndcg_at_8: avg(&|s| s.ndcg),
        all_shown_right: avg(&|s| f64::from(u8::from(s.all_right))),
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Scores of a run: overall and grouped by kind, language and store.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RetrievalReport {
    pub overall: RetrievalScore,
    pub by_kind: BTreeMap<String, RetrievalScore>,
    pub by_language: BTreeMap<String, RetrievalScore>,
    pub by_store: BTreeMap<String, RetrievalScore>,
    /// Queries whose shown products fall short of their ceiling.
    pub short: Vec<ShortQuery>,
}

/// A query whose four shown products are not all right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortQuery {
    pub store: String,
    pub kind: String,
    pub language: String,
    pub query: String,
    /// The four shown, each with its grade (`p0001:2`, `p0002:0`).
    pub shown: Vec<String>,
}

impl RetrievalReport {
    pub fn build(outcomes: &[RetrievalOutcome]) -> Option<Self> {
        let graded: Vec<(&RetrievalOutcome, QueryScore)> = outcomes.iter().map(|o| (o, score(o))).collect();
        if graded.is_empty() {
            return None;
        }
        let group = |key: &dyn Fn(&RetrievalOutcome) -> String| {
            let mut groups: BTreeMap<String, Vec<QueryScore>> = BTreeMap::new();
            for (o, s) in &graded {
                groups.entry(key(o)).or_default().push(*s);
            }
            groups.into_iter().map(|(k, v)| (k, mean(&v))).collect()
        };
        let all: Vec<QueryScore> = graded.iter().map(|(_, s)| *s).collect();
        let short = graded
            .iter()
            .filter(|(_, s)| !s.all_right)
            .map(|(o, _)| {
                let grades = o.query.grades();
                let shown = o.found.iter().take(SHOWN).map(|id| format!("{id}:{}", grades.get(id).copied().unwrap_or(0))).collect();
                let mut query = o.query.earlier.iter().map(|e| format!("{e} → ")).collect::<String>();
                query.push_str(&o.query.query);
                ShortQuery { store: o.store.clone(), kind: o.query.kind.clone(), language: language_of(o), query, shown }
            })
            .collect();
        Some(Self {
            overall: mean(&all),
            by_kind: group(&|o| o.query.kind.clone()),
            by_language: group(&language_of),
            by_store: group(&|o| o.store.clone()),
            short,
        })
    }

    /// Gated figures by name: `retrieval_<metric>` overall and
    /// `retrieval.<kind|language|store>.<name>.<metric>` per group.
    pub fn gated(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for (metric, value) in figures(&self.overall) {
            out.insert(format!("retrieval_{metric}"), value);
        }
        for (group, scores) in [("kind", &self.by_kind), ("language", &self.by_language), ("store", &self.by_store)] {
            for (name, score) in scores {
                for (metric, value) in figures(score) {
                    out.insert(format!("retrieval.{group}.{name}.{metric}"), value);
                }
            }
        }
        out
    }

    /// The markdown section: tables by group and the short queries.
    pub fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("\n## Retrieval (graded product queries)\n\n");
        out.push_str("| group | queries | hit@4 | precision@4 | ceiling | nDCG@8 | all shown right |\n|---|---|---|---|---|---|---|\n");
        let mut row = |name: &str, s: &RetrievalScore| {
            let _ = writeln!(
                out,
                "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                s.queries, s.hit_at_4, s.precision_at_4, s.precision_ceiling_at_4, s.ndcg_at_8, s.all_shown_right
            );
        };
        row("all", &self.overall);
        for (group, scores) in [("kind", &self.by_kind), ("language", &self.by_language), ("store", &self.by_store)] {
            for (name, score) in scores {
                row(&format!("{group}: {name}"), score);
            }
        }
        let _ = write!(out, "\n### Queries whose shown products fall short ({})\n\n", self.short.len());
        if !self.short.is_empty() {
            out.push_str("| store | kind | lang | query | shown (id:grade) |\n|---|---|---|---|---|\n");
            for q in &self.short {
                let _ = writeln!(out, "| {} | {} | {} | {} | {} |", q.store, q.kind, q.language, q.query.replace('|', "\\|"), q.shown.join(" "));
            }
        }
        out
    }
}

fn language_of(o: &RetrievalOutcome) -> String {
    o.query.language.clone().unwrap_or_else(|| "any".into())
}

/// The gated figures of a score. The ceiling margin is 1 minus how far
/// precision@4 falls below its ceiling, so "within 0.10 of the ceiling" is
/// a minimum of 0.90 like every other threshold.
fn figures(s: &RetrievalScore) -> [(&'static str, f64); 5] {
    [
        ("hit_at_4", s.hit_at_4),
        ("precision_at_4", s.precision_at_4),
        ("ceiling_margin_at_4", round(1.0 - (s.precision_ceiling_at_4 - s.precision_at_4))),
        ("ndcg_at_8", s.ndcg_at_8),
        ("all_shown_right", s.all_shown_right),
    ]
}

/// Whether `name` is a retrieval figure [`RetrievalReport::gated`] can
/// produce (so a threshold file can name a group no run has measured yet
/// and still be checked for typos).
pub fn is_gated_name(name: &str) -> bool {
    let metrics = figures(&RetrievalScore::default()).map(|(m, _)| m);
    if let Some(metric) = name.strip_prefix("retrieval_") {
        return metrics.contains(&metric);
    }
    let parts: Vec<&str> = name.split('.').collect();
    matches!(parts.as_slice(), ["retrieval", "kind" | "language" | "store", group, metric] if !group.is_empty() && metrics.contains(metric))
}
