//! `loadgen`: drives chatgw (loopback only) with kept-alive connections and
//! prints turns per second and latency percentiles per target.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use loadgen::{RunPlan, Target, TargetReport, parse_header};

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "Keep-alive HTTP load for chatgw on this machine",
    after_help = "Examples:\n  loadgen --url http://127.0.0.1:8080/healthz -c 16\n  loadgen --url http://127.0.0.1:8080/v1/chat -H 'X-Store-Key: pk_demo' --body '{\"message\":\"{message}\"}' -c 16\n  loadgen --target 'flood,c=64,key=pk_a,url=http://127.0.0.1:8080/v1/chat,body={\"message\":\"{message}\"}' \\\n          --target 'shoppers,c=4,key=pk_b,url=http://127.0.0.1:8080/v1/chat,body={\"message\":\"{message}\"}'"
)]
struct Args {
    /// The URL of a single target (loopback only).
    #[arg(long, conflicts_with = "target")]
    url: Option<String>,
    /// Connections (one request in flight on each) for `--url`.
    #[arg(long, short = 'c', default_value_t = 1)]
    connections: usize,
    /// Header `Name: value` for `--url` (repeatable).
    #[arg(long = "header", short = 'H')]
    headers: Vec<String>,
    /// JSON body template for `--url` (POST): `{message}` takes the next
    /// shopper message, `{n}` the request number. Without it: GET.
    #[arg(long)]
    body: Option<String>,
    /// A 200 counts as success only if the body contains this (default for
    /// a body template: `event: done`, the end of a chat turn).
    #[arg(long)]
    expect: Option<String>,
    /// Send `Connection: close` and reconnect for every request.
    #[arg(long)]
    close: bool,
    /// Turns per conversation (later turns carry the announced session id).
    #[arg(long, default_value_t = 1)]
    session_turns: usize,
    /// A target `name,url=...,c=N,key=K,header=N: v,expect=S,close,session-turns=N,body=...`
    /// (repeatable; all run at once and are reported separately).
    #[arg(long)]
    target: Vec<String>,
    /// Measured seconds.
    #[arg(long, short = 'd', default_value_t = 10.0)]
    duration: f64,
    /// Warm-up seconds before measuring (results dropped).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Stop each target after this many measured requests.
    #[arg(long, short = 'n')]
    requests: Option<u64>,
    /// File of shopper messages, one per line (default: a built-in list for the demo store).
    #[arg(long)]
    messages: Option<PathBuf>,
    /// Client threads (the gateway under test usually shares the cores).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Also write the reports as JSON to this file (`-` for stdout).
    #[arg(long)]
    json: Option<PathBuf>,
}

fn targets(args: &Args) -> Result<Vec<Target>, loadgen::LoadError> {
    if !args.target.is_empty() {
        return args.target.iter().map(|spec| Target::parse(spec)).collect();
    }
    let url = args.url.as_deref().ok_or_else(|| loadgen::LoadError::Invalid("give --url or at least one --target".into()))?;
    let mut target = Target::new("main", url)?;
    target.connections = args.connections;
    target.headers = args.headers.iter().map(|h| parse_header(h)).collect::<Result<_, _>>()?;
    target.body = args.body.clone();
    target.expect = args.expect.clone();
    target.close = args.close;
    target.session_turns = args.session_turns;
    target.check()?;
    Ok(vec![target])
}

fn seconds(value: f64, what: &str) -> Result<Duration, loadgen::LoadError> {
    Duration::try_from_secs_f64(value).map_err(|_| loadgen::LoadError::Invalid(format!("{what} must be a non-negative number of seconds")))
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut targets = targets(args)?;
    for target in &mut targets {
        if target.body.is_some() && target.expect.is_none() {
            target.expect = Some("event: done".into());
        }
    }
    let plan = RunPlan { warmup: seconds(args.warmup, "--warmup")?, duration: seconds(args.duration, "--duration")?, requests: args.requests };
    let messages = match &args.messages {
        Some(path) => std::fs::read_to_string(path)?.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        None => Vec::new(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads.max(1)).enable_all().build()?;
    let reports: Vec<TargetReport> = runtime.block_on(loadgen::run(targets, plan, messages))?;
    print!("{}", loadgen::table(&reports));
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&reports)?;
        if path.as_os_str() == "-" {
            println!("{json}");
        } else {
            std::fs::write(path, json)?;
        }
    }
    Ok(())
}
