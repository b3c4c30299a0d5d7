//! The eval harness: fixed shopper conversations (YAML cases) run through
//! the gateway's own chat turn, checked turn by turn, summed into metrics,
//! reported, and gated by thresholds so CI stops a change that makes
//! answers worse. `chatgw-eval` is its command line.

pub mod case;
pub mod checks;
pub mod record;
pub mod report;
pub mod retrieval;
pub mod runner;

use std::path::Path;
use std::sync::Arc;

use chatgw::llm::ChatModel;

pub use case::{Case, CaseSet};
pub use report::{Pricing, Report, Thresholds, Timing};
pub use runner::{CaseOutcome, Runner};

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

/// Runs every case in `cases_dir` against the demo store with `model`,
/// calling `progress` after each case.
pub async fn evaluate(
    cases_dir: &Path,
    provider: &str,
    model: Arc<dyn ChatModel>,
    pricing: Pricing,
    mut progress: impl FnMut(usize, usize, &CaseOutcome),
) -> Result<Evaluation, EvalError> {
    let set = CaseSet::load(cases_dir)?;
    let runner = Runner::demo(model).await?;
    let mut outcomes = Vec::with_capacity(set.cases.len());
    for case in &set.cases {
        let outcome = runner.run_case(case).await?;
        progress(outcomes.len() + 1, set.cases.len(), &outcome);
        outcomes.push(outcome);
    }
    let mut retrieval = Vec::new();
    for queries in &set.retrieval {
        retrieval.extend(runner.retrieval(queries).await?);
    }
    let report = Report::build(provider, &outcomes, &retrieval, pricing);
    let timing = Timing::of(&outcomes);
    Ok(Evaluation { report, timing, outcomes })
}

/// The case folder shipped with this crate.
pub fn demo_cases_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases").join("demo")
}

/// The thresholds file shipped with this crate.
pub fn thresholds_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("thresholds.toml")
}
