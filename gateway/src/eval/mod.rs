//! The eval harness behind `chatgw eval`: fixed shopper conversations (YAML
//! cases) run through the gateway's own chat turn, checked turn by turn,
//! summed into metrics, reported, and gated by thresholds so CI stops a
//! change that makes answers worse. The cases, thresholds and committed
//! reports live in the repository's `evals/` folder.

pub mod case;
pub mod checks;
pub mod command;
pub mod mock;
pub mod record;
pub mod report;
pub mod retrieval;
pub mod runner;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::sync::SyncProgress;
use crate::config::{EmbeddingConfig, EmbeddingProviderKind};
use crate::llm::ChatModel;

pub use case::{Case, CaseSet};
pub use mock::{MockModel, MockScript};
pub use report::{Pricing, Report, Thresholds, Timing};
pub use runner::{CaseOutcome, Runner, Target};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Cases(#[from] case::CaseError),
    #[error(transparent)]
    Run(#[from] runner::RunError),
}

/// A finished run: the deterministic report and the run's timing.
pub struct Evaluation {
    pub report: Report,
    pub timing: Timing,
    pub outcomes: Vec<CaseOutcome>,
}

/// What one run evaluates: the store, the cases, and how the report names
/// the model.
#[derive(Debug, Clone)]
pub struct EvalRun {
    pub target: Target,
    pub cases: PathBuf,
    /// The provider as the report names it (`offline`, `mock`, `openai gpt-4o-mini, replayed`).
    pub provider: String,
    pub pricing: Pricing,
    /// Another embedder than the configuration's (`chatgw eval --embedder`).
    pub embedding: Option<EmbedderChoice>,
}

/// The same cases through another embedder: the provider (and endpoint)
/// replace the configuration's; the rest of `[embedding]` (model file,
/// card cap, the endpoint's model and key variable) stays as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedderChoice {
    pub provider: EmbeddingProviderKind,
    /// For `openai`: the endpoint (else the configured `base_url`).
    pub base_url: Option<String>,
    /// For `e5-small`: the card cap in tokens (else the configured `max_tokens`).
    pub max_tokens: Option<usize>,
}

impl EmbedderChoice {
    pub fn new(provider: EmbeddingProviderKind) -> Self {
        Self { provider, base_url: None, max_tokens: None }
    }

    pub fn apply(&self, embedding: &mut EmbeddingConfig) {
        embedding.provider = self.provider;
        if let Some(url) = &self.base_url {
            embedding.base_url = url.clone();
        }
        if let Some(max_tokens) = self.max_tokens {
            embedding.max_tokens = max_tokens;
        }
    }
}

/// Where a run reports how far it is: the store's sync (connector-backed
/// stores sync before the cases run), then each finished case.
pub trait EvalProgress: SyncProgress {
    fn case_done(&self, _done: usize, _total: usize, _outcome: &CaseOutcome) {}
}

/// Reports nothing.
pub struct Quiet;

impl SyncProgress for Quiet {}
impl EvalProgress for Quiet {}

/// Builds the target store with `model` answering (syncing it first when a
/// connector serves its catalog) and runs every case in `run.cases`. With a
/// `script`, turns that script the model's answers get them (`--provider
/// mock`); without one, a case that scripts the model is an error.
pub async fn evaluate(run: &EvalRun, model: Arc<dyn ChatModel>, script: Option<Arc<MockScript>>, progress: &dyn EvalProgress) -> Result<Evaluation, EvalError> {
    let set = CaseSet::load(&run.cases)?;
    // Refused before the store is built (and synced), not half-way through.
    if script.is_none()
        && let Some((case, turn)) = set.cases.iter().find_map(|c| c.scripted_turn().map(|t| (c, t)))
    {
        return Err(runner::RunError::ScriptNeedsMock { case: case.id.clone(), turn }.into());
    }
    let runner = Runner::build(&run.target, run.embedding.as_ref(), model, script, progress).await?;
    let mut outcomes = Vec::with_capacity(set.cases.len());
    for case in &set.cases {
        let outcome = runner.run_case(case).await?;
        progress.case_done(outcomes.len() + 1, set.cases.len(), &outcome);
        outcomes.push(outcome);
    }
    let mut retrieval = Vec::new();
    for queries in &set.retrieval {
        retrieval.extend(runner.retrieval(queries).await?);
    }
    let report = Report::build(&run.provider, &outcomes, &retrieval, run.pricing);
    let timing = Timing::of(&outcomes);
    Ok(Evaluation { report, timing, outcomes })
}

/// The repository's `evals/` folder (cases, thresholds, reports), as this
/// source checkout has it.
pub fn evals_dir() -> PathBuf {
    repository_dir().join("evals")
}

/// The case folder `evals/cases/<name>`.
pub fn cases_dir(name: &str) -> PathBuf {
    evals_dir().join("cases").join(name)
}

/// The demo store's thresholds, `evals/thresholds.toml`.
pub fn thresholds_path() -> PathBuf {
    evals_dir().join("thresholds.toml")
}

/// The root of the source checkout this binary was built from.
pub(crate) fn repository_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_embedder_choice_keeps_the_rest_of_the_configuration() {
        let mut embedding = EmbeddingConfig { model: "my-model".into(), api_key_env: "MY_KEY".into(), ..EmbeddingConfig::default() };
        let choice = EmbedderChoice { base_url: Some("http://127.0.0.1:8089/v1".into()), ..EmbedderChoice::new(EmbeddingProviderKind::Openai) };
        choice.apply(&mut embedding);
        assert_eq!(embedding.provider, EmbeddingProviderKind::Openai);
        assert_eq!((embedding.base_url.as_str(), embedding.model.as_str(), embedding.api_key_env.as_str()), ("http://127.0.0.1:8089/v1", "my-model", "MY_KEY"));
        let cap = embedding.max_tokens;
        EmbedderChoice::new(EmbeddingProviderKind::E5Small).apply(&mut embedding);
        assert_eq!((embedding.provider, embedding.max_tokens), (EmbeddingProviderKind::E5Small, cap));
        EmbedderChoice { max_tokens: Some(96), ..EmbedderChoice::new(EmbeddingProviderKind::E5Small) }.apply(&mut embedding);
        assert_eq!(embedding.max_tokens, 96);
    }
}
