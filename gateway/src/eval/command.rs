//! `chatgw eval`: runs the eval cases against a store in process, with a
//! progress bar, then prints, writes and gates the report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::record::{RecordingModel, ReplayModel};
use super::{CaseOutcome, EmbedderChoice, EvalProgress, EvalRun, MockModel, MockScript, Pricing, Target, Thresholds, evaluate};
use crate::catalog::sync::SyncProgress;
use crate::config::EmbeddingProviderKind;
use crate::llm::ChatModel;
use crate::llm::offline::OfflineModel;
use crate::llm::openai::{OpenAiChatModel, OpenAiSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// The deterministic offline responder (no key, no network).
    Offline,
    /// The answers each case scripts (`model:` in a turn), the offline
    /// responder for the rest: checks enforcement against a model that does
    /// the wrong thing.
    Mock,
    /// An OpenAI-compatible endpoint: CHATGW_EVAL_BASE_URL (default
    /// https://api.openai.com/v1), CHATGW_EVAL_API_KEY, CHATGW_EVAL_MODEL.
    Openai,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The store the cases run against: `demo` (the embedded demo store), or
    /// the id of a store in the configuration (`--stores`, `--config`); a
    /// connector-backed store is synced into memory before the cases run.
    #[arg(long, default_value = "demo")]
    pub store: String,
    /// Gateway configuration file, for a configured store (its [plugins],
    /// [embedding] and stores_dir).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Folder of store files holding `--store`.
    #[arg(long)]
    pub stores: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Provider::Offline)]
    pub provider: Provider,
    /// Folder of YAML cases (default: evals/cases/<store> of this checkout).
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// Write every model answer to this folder, keyed by its request.
    #[arg(long, conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Answer from recordings in this folder instead of calling a model.
    #[arg(long)]
    pub replay: Option<PathBuf>,
    /// Write <name>.md and <name>.json here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// File name (without extension) of the written report.
    #[arg(long, default_value = "report")]
    pub name: String,
    /// Fail (exit 1) when a metric falls under its threshold in this file.
    #[arg(long)]
    pub thresholds: Option<PathBuf>,
    /// Cost per 1,000 prompt tokens, for the cost line.
    #[arg(long, default_value_t = 0.0)]
    pub prompt_cost_per_1k: f64,
    #[arg(long, default_value_t = 0.0)]
    pub completion_cost_per_1k: f64,
    /// Embed the cards and queries with this embedder instead of the
    /// configured one (the rest of [embedding] stays); the report names it.
    #[arg(long, value_enum)]
    pub embedder: Option<EmbeddingProviderKind>,
    /// Endpoint for `--embedder openai`, e.g. http://127.0.0.1:8089/v1.
    #[arg(long)]
    pub embedding_base_url: Option<String>,
}

impl EvalArgs {
    /// The embedded demo, unless a configuration is named.
    pub fn target(&self) -> Target {
        if self.store == "demo" && self.config.is_none() && self.stores.is_none() {
            Target::Demo
        } else {
            Target::Configured { config: self.config.clone(), stores: self.stores.clone(), id: self.store.clone() }
        }
    }
}

fn openai_model() -> Result<(Arc<dyn ChatModel>, String), String> {
    let model = std::env::var("CHATGW_EVAL_MODEL").unwrap_or_else(|_| "gpt-4o-mini".into());
    let settings = OpenAiSettings {
        base_url: std::env::var("CHATGW_EVAL_BASE_URL").unwrap_or_else(|_| "https://api.openai.com/v1".into()),
        api_key: crate::config::secret_from_env("CHATGW_EVAL_API_KEY").map(Into::into),
        model: model.clone(),
        timeout: Duration::from_secs(60),
        ..OpenAiSettings::default()
    };
    let chat = OpenAiChatModel::new(settings).map_err(|e| e.to_string())?;
    Ok((Arc::new(chat), format!("openai {model}")))
}

/// The sync spinner, then one bar over the cases.
struct Bars {
    bar: ProgressBar,
}

impl Bars {
    fn new() -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg} {pos}").expect("a valid template"));
        bar.enable_steady_tick(Duration::from_millis(200));
        bar.set_message("starting the store");
        Self { bar }
    }
}

impl SyncProgress for Bars {
    fn page(&self, _pages: u64, products: usize) {
        self.bar.set_message("syncing products");
        self.bar.inc(products as u64);
    }

    fn embedding(&self, _stale: usize) {
        self.bar.set_message("embedding cards");
        self.bar.set_position(0);
    }

    fn embedded(&self, batch: usize) {
        self.bar.inc(batch as u64);
    }
}

impl EvalProgress for Bars {
    fn case_done(&self, done: usize, total: usize, outcome: &CaseOutcome) {
        if self.bar.length() != Some(total as u64) {
            self.bar.disable_steady_tick();
            self.bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("a valid template"));
            self.bar.set_length(total as u64);
        }
        self.bar.set_position(done as u64);
        self.bar.set_message(outcome.case.id.clone());
    }
}

/// Runs `chatgw eval`: exit 0 when the run finished (and met the
/// thresholds, if given), 1 when a threshold was broken, 2 when it could
/// not run.
pub async fn run(args: EvalArgs) -> ExitCode {
    match execute(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("chatgw eval: {message}");
            ExitCode::from(2)
        }
    }
}

async fn execute(args: EvalArgs) -> Result<bool, String> {
    if args.embedding_base_url.is_some() && args.embedder != Some(EmbeddingProviderKind::Openai) {
        return Err("--embedding-base-url goes with --embedder openai".into());
    }
    // Log lines would tear the bar: errors only, unless RUST_LOG says more.
    crate::telemetry::init("text", "error");
    let mut script: Option<Arc<MockScript>> = None;
    let (mut model, mut provider): (Arc<dyn ChatModel>, String) = match args.provider {
        Provider::Offline => (Arc::new(OfflineModel), "offline".into()),
        Provider::Mock => {
            let (mock, handle) = MockModel::new();
            script = Some(handle);
            (Arc::new(mock), "mock".into())
        }
        Provider::Openai if args.replay.is_none() => openai_model()?,
        Provider::Openai => (Arc::new(OfflineModel), "openai".into()),
    };
    let mut replay = None;
    if let Some(dir) = &args.replay {
        let replayer = Arc::new(ReplayModel::open(dir).map_err(|e| format!("cannot open recordings in {}: {e}", dir.display()))?);
        replay = Some(replayer.clone());
        model = replayer;
        provider = format!("{provider}, replayed");
    } else if let Some(dir) = &args.record {
        model = Arc::new(RecordingModel::new(model, dir).map_err(|e| format!("cannot record into {}: {e}", dir.display()))?);
    }
    let cases = match &args.cases {
        Some(dir) => dir.clone(),
        None => {
            let dir = super::cases_dir(&args.store);
            if !dir.is_dir() {
                return Err(format!("no case folder for store `{}` at {}; give one with --cases <dir>", args.store, dir.display()));
            }
            dir
        }
    };
    let embedding = args.embedder.map(|e| EmbedderChoice { base_url: args.embedding_base_url.clone(), ..EmbedderChoice::new(e) });
    if let Some(embedder) = args.embedder {
        provider = format!("{provider}, embedder {}", embedder.to_possible_value().map(|v| v.get_name().to_owned()).unwrap_or_default());
    }
    let run = EvalRun {
        target: args.target(),
        cases,
        provider,
        pricing: Pricing { prompt_per_1k: args.prompt_cost_per_1k, completion_per_1k: args.completion_cost_per_1k },
        embedding,
    };
    let bars = Bars::new();
    let evaluation = evaluate(&run, model, script, &bars).await.map_err(|e| e.to_string());
    bars.bar.finish_and_clear();
    let evaluation = evaluation?;
    if let Some(replay) = replay {
        let missing = replay.missing();
        if !missing.is_empty() {
            return Err(format!("{} model requests had no recording (first: {}); record again with --record", missing.len(), missing[0]));
        }
    }
    let report = evaluation.report;
    print!("{}", report.table(evaluation.timing));
    if let Some(dir) = &args.out {
        report.write(dir, &args.name).map_err(|e| format!("cannot write the report into {}: {e}", dir.display()))?;
        println!("report written to {}/{}.{{md,json}}", dir.display(), args.name);
    }
    if let Some(path) = &args.thresholds {
        let thresholds = Thresholds::load(path).map_err(|e| e.to_string())?;
        let breaches = thresholds.breaches(&report);
        if !breaches.is_empty() {
            eprintln!("eval gate failed ({}):", path.display());
            for breach in breaches {
                eprintln!("  {breach}");
            }
            return Ok(false);
        }
        println!("eval gate passed ({})", path.display());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        eval: EvalArgs,
    }

    fn args(line: &[&str]) -> EvalArgs {
        Cli::try_parse_from(std::iter::once("eval").chain(line.iter().copied())).expect("arguments parse").eval
    }

    #[test]
    fn embedder_names_the_provider_and_an_endpoint_needs_openai() {
        assert_eq!(args(&["--embedder", "e5-small"]).embedder, Some(EmbeddingProviderKind::E5Small));
        assert_eq!(args(&["--embedder", "local"]).embedder, Some(EmbeddingProviderKind::Local));
        assert!(Cli::try_parse_from(["eval", "--embedder", "bert"]).is_err());
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let error = runtime.block_on(execute(args(&["--embedding-base-url", "http://127.0.0.1:9/v1"]))).expect_err("no --embedder openai");
        assert!(error.contains("--embedder openai"), "{error}");
    }
}
