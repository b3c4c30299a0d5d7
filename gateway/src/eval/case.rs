//! The eval case format: one YAML file holds a list of conversations, each a
//! list of shopper turns with what a good shop assistant does on that turn.
//! Unknown keys are errors, so a typo in a case never silently checks less.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A conversation to run, turn by turn, in one session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique across the case set; the report names failures by it.
    pub id: String,
    /// What kind of inquiry this is (`sizing`, `availability`, `order_status`, ...).
    pub category: String,
    /// The store it must run against (`demo`, or a configured store's id);
    /// left out, the case runs against whichever store the run targets.
    #[serde(default)]
    pub store: Option<String>,
    /// Free text for the reader of a failure: why the expectation is right.
    #[serde(default)]
    pub note: Option<String>,
    pub turns: Vec<Turn>,
}

/// One shopper message and what must (not) happen in the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    pub user: String,
    /// The widget's locale hint, if the case needs one.
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub expect: Expect,
    /// With `--provider mock`: the model's answers on this turn, in the
    /// order the gateway asks for them (a draft, then a regeneration...).
    /// When they run out, the offline responder answers. Other providers
    /// refuse a case that scripts the model.
    #[serde(default)]
    pub model: Vec<crate::eval::mock::ScriptedAnswer>,
}

/// Expectations of one turn; every field is optional and checked only when set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// ISO 639-1 code of the language the reply must be in.
    pub language: Option<String>,
    /// `normal`, `escalate` or `urgent`.
    pub label: Option<String>,
    /// Whether the turn must hand the conversation to a person.
    pub handoff: Option<bool>,
    /// Tools that must be called; `arguments` must be a subset of what was sent.
    #[serde(default)]
    pub tools_called: Vec<ToolExpectation>,
    /// Tools that must not be called.
    #[serde(default)]
    pub tools_not_called: Vec<String>,
    /// Product ids that must be in the turn's product cards.
    #[serde(default)]
    pub products_shown: Vec<String>,
    /// Product ids that must not be in the turn's product cards.
    #[serde(default)]
    pub products_not_shown: Vec<String>,
    /// Product ids whose title the reply must name.
    #[serde(default)]
    pub products_mentioned: Vec<String>,
    /// Product ids whose title the reply must not name.
    #[serde(default)]
    pub products_not_mentioned: Vec<String>,
    /// Every price, availability or order claim in the reply must be backed
    /// by a tool result of the same turn (default: checked).
    #[serde(default = "yes")]
    pub grounded: bool,
    /// Each of these must appear in the reply (case and accent-insensitive).
    #[serde(default)]
    pub reply_contains: Vec<String>,
    /// At least one of these must appear in the reply.
    #[serde(default)]
    pub reply_contains_any: Vec<String>,
    /// None of these may appear in the reply.
    #[serde(default)]
    pub reply_not_contains: Vec<String>,
}

impl Case {
    /// The first turn (1-based) that scripts the model's answers, if any.
    pub fn scripted_turn(&self) -> Option<usize> {
        self.turns.iter().position(|t| !t.model.is_empty()).map(|i| i + 1)
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolExpectation {
    pub name: String,
    /// Keys and values the call's arguments must contain (others may be there too).
    #[serde(default)]
    pub arguments: serde_json::Map<String, serde_json::Value>,
}

/// One product query: what a shopper typed (after `earlier` messages of the
/// same conversation, for follow-ups) and how good each right product is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrievalQuery {
    pub query: String,
    /// The query's language; searched in besides the store's own (like a turn's reply language).
    #[serde(default)]
    pub language: Option<String>,
    /// What the query tests (`product`, `constraint`, `complement`,
    /// `followup`, `slang`, `typo`); the report groups by it.
    #[serde(default = "product_kind")]
    pub kind: String,
    /// The shopper's earlier messages in the conversation, oldest first.
    #[serde(default)]
    pub earlier: Vec<String>,
    /// Products that must be among the first eight results (recall@8).
    #[serde(default)]
    pub expected: Vec<String>,
    /// Graded relevance: 2 = meets everything asked, 1 = acceptable.
    /// Products not listed are wrong. `expected` products count as 2.
    #[serde(default)]
    pub relevant: BTreeMap<String, u8>,
}

fn product_kind() -> String {
    "product".into()
}

impl RetrievalQuery {
    /// Every right product with its grade.
    pub fn grades(&self) -> BTreeMap<String, u8> {
        let mut grades = self.relevant.clone();
        for id in &self.expected {
            grades.entry(id.clone()).or_insert(2);
        }
        grades
    }
}

/// A product-query set against one store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrievalSet {
    pub store: String,
    pub queries: Vec<RetrievalQuery>,
}

/// Everything under a case folder: conversations from every `*.yaml` file,
/// and product-query sets from the files named `retrieval*.yaml`.
#[derive(Debug, Clone)]
pub struct CaseSet {
    pub cases: Vec<Case>,
    pub retrieval: Vec<RetrievalSet>,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("cannot read case folder {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source} (see evals/README.md for the case format)")]
    Parse { path: PathBuf, source: serde_norway::Error },
    #[error("case id `{id}` is used twice ({first} and {second}); ids must be unique")]
    DuplicateId { id: String, first: PathBuf, second: PathBuf },
    #[error("{path}: case `{id}` is invalid: {problem}")]
    Invalid { path: PathBuf, id: String, problem: String },
    #[error("no cases in {0}: put *.yaml files there")]
    Empty(PathBuf),
}

const LABELS: [&str; 3] = ["normal", "escalate", "urgent"];

impl CaseSet {
    /// Loads every `*.yaml` file in `dir` (sorted by name, so runs are repeatable).
    pub fn load(dir: &Path) -> Result<Self, CaseError> {
        let read_err = |source| CaseError::Read { path: dir.to_owned(), source };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        files.sort();
        let mut cases: Vec<Case> = Vec::new();
        let mut origin: std::collections::HashMap<String, PathBuf> = std::collections::HashMap::new();
        let mut retrieval = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| CaseError::Read { path: path.clone(), source })?;
            let parse_err = |source| CaseError::Parse { path: path.clone(), source };
            if path.file_stem().is_some_and(|s| s.to_string_lossy().starts_with("retrieval")) {
                let set = serde_norway::from_str::<RetrievalSet>(&text).map_err(parse_err)?;
                validate_retrieval(&path, &set)?;
                retrieval.push(set);
                continue;
            }
            for case in serde_norway::from_str::<Vec<Case>>(&text).map_err(parse_err)? {
                validate(&path, &case)?;
                if let Some(first) = origin.insert(case.id.clone(), path.clone()) {
                    return Err(CaseError::DuplicateId { id: case.id, first, second: path });
                }
                cases.push(case);
            }
        }
        if cases.is_empty() {
            return Err(CaseError::Empty(dir.to_owned()));
        }
        Ok(Self { cases, retrieval })
    }
}

fn validate(path: &Path, case: &Case) -> Result<(), CaseError> {
    let invalid = |problem: String| CaseError::Invalid { path: path.to_owned(), id: case.id.clone(), problem };
    if case.turns.is_empty() {
        return Err(invalid("it has no turns".into()));
    }
    for (i, turn) in case.turns.iter().enumerate() {
        if turn.user.trim().is_empty() {
            return Err(invalid(format!("turn {} has an empty `user` message", i + 1)));
        }
        if let Some(label) = &turn.expect.label
            && !LABELS.contains(&label.as_str())
        {
            return Err(invalid(format!("turn {}: label `{label}` is not one of {LABELS:?}", i + 1)));
        }
        for (k, answer) in turn.model.iter().enumerate() {
            answer.validate().map_err(|problem| invalid(format!("turn {}, model answer {}: {problem}", i + 1, k + 1)))?;
        }
    }
    Ok(())
}

fn validate_retrieval(path: &Path, set: &RetrievalSet) -> Result<(), CaseError> {
    for q in &set.queries {
        let invalid = |problem: String| CaseError::Invalid { path: path.to_owned(), id: q.query.clone(), problem };
        if q.expected.is_empty() && q.relevant.is_empty() {
            return Err(invalid("it names no right product: give `expected` ids or `relevant` grades".into()));
        }
        if let Some((id, grade)) = q.relevant.iter().find(|(_, g)| !(1..=2).contains(*g)) {
            return Err(invalid(format!("`{id}` has grade {grade}; grades are 1 (acceptable) or 2 (exact)")));
        }
    }
    Ok(())
}
