//! `chatgw-eval`: runs the eval cases against the demo store in process and
//! prints, writes and gates the report. A separate binary because the
//! harness depends on the gateway crate, which cannot depend back on it.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chatgw::llm::ChatModel;
use chatgw::llm::offline::OfflineModel;
use chatgw::llm::openai::{OpenAiChatModel, OpenAiSettings};
use chatgw_evals::record::{RecordingModel, ReplayModel};
use chatgw_evals::{Pricing, Thresholds, evaluate};
use clap::{Parser, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Provider {
    /// The deterministic offline responder (no key, no network).
    Offline,
    /// An OpenAI-compatible endpoint: CHATGW_EVAL_BASE_URL (default
    /// https://api.openai.com/v1), CHATGW_EVAL_API_KEY, CHATGW_EVAL_MODEL.
    Openai,
}

#[derive(Debug, Parser)]
#[command(name = "chatgw-eval", about = "Run chatgw's eval cases and report how well the assistant answers")]
struct Args {
    /// The store the cases run against (only the embedded demo store today).
    #[arg(long, default_value = "demo")]
    store: String,
    #[arg(long, value_enum, default_value_t = Provider::Offline)]
    provider: Provider,
    /// Folder of YAML cases (default: the crate's cases/demo).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Write every model answer to this folder, keyed by its request.
    #[arg(long, conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// Answer from recordings in this folder instead of calling a model.
    #[arg(long)]
    replay: Option<PathBuf>,
    /// Write <name>.md and <name>.json here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// File name (without extension) of the written report.
    #[arg(long, default_value = "report")]
    name: String,
    /// Fail (exit 1) when a metric falls under its threshold in this file.
    #[arg(long)]
    thresholds: Option<PathBuf>,
    /// Cost per 1,000 prompt tokens, for the cost line.
    #[arg(long, default_value_t = 0.0)]
    prompt_cost_per_1k: f64,
    #[arg(long, default_value_t = 0.0)]
    completion_cost_per_1k: f64,
}

fn openai_model() -> Result<(Arc<dyn ChatModel>, String), String> {
    let model = std::env::var("CHATGW_EVAL_MODEL").unwrap_or_else(|_| "gpt-4o-mini".into());
    let settings = OpenAiSettings {
        base_url: std::env::var("CHATGW_EVAL_BASE_URL").unwrap_or_else(|_| "https://api.openai.com/v1".into()),
        api_key: std::env::var("CHATGW_EVAL_API_KEY").ok().filter(|k| !k.is_empty()).map(Into::into),
        model: model.clone(),
        timeout: Duration::from_secs(60),
        ..OpenAiSettings::default()
    };
    let chat = OpenAiChatModel::new(settings).map_err(|e| e.to_string())?;
    Ok((Arc::new(chat), format!("openai {model}")))
}

async fn run(args: Args) -> Result<bool, String> {
    if args.store != "demo" {
        return Err(format!("store `{}` is not served by the eval runner yet; use --store demo", args.store));
    }
    let (mut model, mut provider): (Arc<dyn ChatModel>, String) = match args.provider {
        Provider::Offline => (Arc::new(OfflineModel), "offline".into()),
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
    let cases = args.cases.clone().unwrap_or_else(chatgw_evals::demo_cases_dir);
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    let pricing = Pricing { prompt_per_1k: args.prompt_cost_per_1k, completion_per_1k: args.completion_cost_per_1k };
    let evaluation = evaluate(&cases, &provider, model, pricing, |done, total, outcome| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(outcome.case.id.clone());
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
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

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("chatgw-eval: {message}");
            ExitCode::from(2)
        }
    }
}
