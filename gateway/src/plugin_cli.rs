//! `chatgw plugin …`: tools for connector plugin authors. `run` calls one
//! function of a plugin against recorded HTTP/SQL fixtures and reports the
//! result, time and peak memory (`chatgw_plugins::runner`); `new` writes a
//! plugin project from the SDK template (`chatgw_plugins::scaffold`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use chatgw_plugins::Header;
use chatgw_plugins::runner::{RunCall, Runner, RunnerOptions};
use chatgw_plugins::scaffold::{self, NewProject, SdkSource};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Run one connector function against recorded fixtures (no network, no
    /// database) and print the result, wall time, peak memory and every
    /// request the plugin made. Exits non-zero when the call fails.
    Run {
        /// The plugin: a .wasm (a connector.toml next to it is honoured), a
        /// connector.toml, or a folder holding one.
        plugin: PathBuf,
        #[command(subcommand)]
        function: RunFunction,
        /// The store's settings object, as a JSON file (default: `{}`).
        #[arg(long, global = true)]
        settings: Option<PathBuf>,
        /// Fixtures folder: `http/*.json` and `sql/*.json` (see sdk/README.md).
        #[arg(long, global = true)]
        fixtures: Option<PathBuf>,
        /// Allow a host besides those the fixtures answer for (repeatable;
        /// `*.example.com` for subdomains).
        #[arg(long = "allow-host", global = true, value_name = "HOST")]
        allow_hosts: Vec<String>,
        /// Memory cap of the plugin instance, in MiB (default: the gateway's).
        #[arg(long, global = true, default_value_t = chatgw_plugins::CallLimits::default().memory_bytes / (1024 * 1024), value_name = "MIB")]
        memory_mib: usize,
        /// Deadline of each call, in seconds (default: the gateway's).
        #[arg(long, global = true, default_value_t = chatgw_plugins::CallLimits::default().deadline.as_secs(), value_name = "SECONDS")]
        deadline_s: u64,
        /// Print the report as JSON instead of text.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Write a ready-to-build connector project from the SDK template.
    New {
        /// Connector id and crate name: lowercase letters, digits, dashes.
        name: String,
        /// Folder to create (default: ./<name>).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Depend on a local SDK (the `sdk/rust` folder of a chatgw checkout)
        /// instead of the chatgw git repository.
        #[arg(long, conflicts_with = "sdk_rev", value_name = "PATH")]
        sdk_path: Option<PathBuf>,
        /// Pin the SDK git dependency to a commit or tag.
        #[arg(long, value_name = "REV")]
        sdk_rev: Option<String>,
    },
}

/// The connector function to run, with its arguments.
#[derive(Debug, Subcommand)]
pub enum RunFunction {
    /// The plugin's descriptor: id, version, capabilities, settings schema.
    Describe,
    /// Check that the settings reach the store.
    CheckConnection,
    /// One page of products (or every page with --all-pages).
    SyncProducts {
        /// The next-cursor of a previous page.
        #[arg(long)]
        cursor: Option<String>,
        /// Only products updated after this RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        /// Follow next-cursor to the last page.
        #[arg(long)]
        all_pages: bool,
    },
    /// Stock levels of these SKUs.
    GetStock {
        #[arg(required = true)]
        skus: Vec<String>,
    },
    /// One order by the reference the shopper knows.
    GetOrder { order_ref: String },
    /// The store-specific tools the plugin offers.
    ListTools,
    /// Call a store-specific tool.
    CallTool {
        name: String,
        /// Arguments as JSON text, or @FILE to read them from a file.
        #[arg(default_value = "{}")]
        arguments: String,
    },
    /// Parse a recorded webhook body (the signature is not checked here).
    ParseWebhook {
        topic: String,
        /// File holding the raw body.
        body: PathBuf,
        /// A webhook header, `Name: value` (repeatable).
        #[arg(long = "header", value_parser = parse_header, value_name = "NAME: VALUE")]
        headers: Vec<Header>,
    },
}

fn parse_header(text: &str) -> Result<Header, String> {
    let (name, value) = text.split_once(':').ok_or_else(|| format!("`{text}` is not `Name: value`"))?;
    Ok(Header { name: name.trim().to_string(), value: value.trim().to_string() })
}

pub async fn run(command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::Run { plugin, function, settings, fixtures, allow_hosts, memory_mib, deadline_s, json } => {
            init_plugin_logs();
            let settings = match settings {
                Some(file) => std::fs::read_to_string(&file).with_context(|| format!("cannot read the settings file {}", file.display()))?,
                None => "{}".to_string(),
            };
            let options = RunnerOptions {
                settings,
                fixtures,
                limits: chatgw_plugins::CallLimits {
                    memory_bytes: memory_mib.checked_mul(1024 * 1024).context("--memory-mib is too large")?,
                    deadline: Duration::from_secs(deadline_s),
                    ..chatgw_plugins::CallLimits::default()
                },
                allow_hosts,
            };
            let call = run_call(function)?;
            let runner = Runner::load(&plugin, options).await?;
            let report = runner.run(call).await;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{report}");
            }
            Ok(if report.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        PluginCommand::New { name, dir, sdk_path, sdk_rev } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from(&name));
            let sdk = match sdk_path {
                Some(path) => SdkSource::Path(path),
                None => SdkSource::Git { url: scaffold::SDK_GIT.into(), rev: sdk_rev },
            };
            let files = scaffold::write_project(&NewProject { name: name.clone(), dir: dir.clone(), sdk })?;
            println!("wrote {} files into {}:", files.len(), dir.display());
            for file in &files {
                println!("  {}", file.display());
            }
            let wasm = Path::new("target/wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
            println!("next:");
            println!("  cd {}", dir.display());
            println!("  cargo build --release --target wasm32-wasip2");
            println!("  chatgw plugin run {} sync-products --all-pages --settings settings.example.json --fixtures fixtures", wasm.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_call(function: RunFunction) -> anyhow::Result<RunCall> {
    Ok(match function {
        RunFunction::Describe => RunCall::Describe,
        RunFunction::CheckConnection => RunCall::CheckConnection,
        RunFunction::SyncProducts { cursor, since, all_pages } => RunCall::SyncProducts { cursor, since, all_pages },
        RunFunction::GetStock { skus } => RunCall::GetStock { skus },
        RunFunction::GetOrder { order_ref } => RunCall::GetOrder { order_ref },
        RunFunction::ListTools => RunCall::ListTools,
        RunFunction::CallTool { name, arguments } => {
            let arguments = match arguments.strip_prefix('@') {
                Some(file) => std::fs::read_to_string(file).with_context(|| format!("cannot read the tool arguments file {file}"))?,
                None => arguments,
            };
            serde_json::from_str::<serde_json::Value>(&arguments)
                .with_context(|| format!("tool arguments are not JSON: `{arguments}` (give a JSON object, or @FILE)"))?;
            RunCall::CallTool { name, arguments }
        }
        RunFunction::ParseWebhook { topic, body, headers } => {
            RunCall::ParseWebhook { topic, body: std::fs::read(&body).with_context(|| format!("cannot read the webhook body {}", body.display()))?, headers }
        }
    })
}

/// The plugin's `log` lines, on stderr so the report on stdout stays clean.
/// `RUST_LOG` overrides the default.
fn init_plugin_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,chatgw_plugins=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .compact()
        .try_init();
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: PluginCommand,
    }

    fn parse(args: &[&str]) -> PluginCommand {
        Cli::try_parse_from(std::iter::once("plugin").chain(args.iter().copied())).unwrap_or_else(|e| panic!("{args:?}: {e}")).command
    }

    #[test]
    fn run_takes_the_plugin_the_function_its_arguments_and_options_anywhere() {
        let PluginCommand::Run { plugin, function, settings, fixtures, .. } =
            parse(&["run", "x.wasm", "get-stock", "A-1", "B-2", "--settings", "s.json", "--fixtures", "fx"])
        else {
            panic!("not run");
        };
        assert_eq!(plugin, PathBuf::from("x.wasm"));
        assert!(matches!(function, RunFunction::GetStock { skus } if skus == ["A-1", "B-2"]));
        assert_eq!(settings, Some(PathBuf::from("s.json")));
        assert_eq!(fixtures, Some(PathBuf::from("fx")));

        let PluginCommand::Run { function, json, .. } = parse(&["run", "--json", "x.wasm", "sync-products", "--all-pages", "--since", "2026-01-01T00:00:00Z"])
        else {
            panic!("not run");
        };
        assert!(json);
        assert!(matches!(function, RunFunction::SyncProducts { all_pages: true, since: Some(_), cursor: None }));

        let PluginCommand::Run { function, .. } =
            parse(&["run", "x.wasm", "parse-webhook", "orders/updated", "body.json", "--header", "X-Topic: orders/updated"])
        else {
            panic!("not run");
        };
        let RunFunction::ParseWebhook { headers, .. } = function else {
            panic!("not parse-webhook");
        };
        assert_eq!(headers[0].name, "X-Topic");
        assert_eq!(headers[0].value, "orders/updated");
    }

    #[test]
    fn new_takes_a_name_and_an_sdk_source() {
        let PluginCommand::New { name, dir, sdk_path, sdk_rev } = parse(&["new", "acme-store", "--dir", "/tmp/acme", "--sdk-rev", "abc123"]) else {
            panic!("not new");
        };
        assert_eq!(name, "acme-store");
        assert_eq!(dir, Some(PathBuf::from("/tmp/acme")));
        assert_eq!((sdk_path, sdk_rev.as_deref()), (None, Some("abc123")));
        assert!(Cli::try_parse_from(["plugin", "new", "x", "--sdk-path", "p", "--sdk-rev", "r"]).is_err());
    }

    #[test]
    fn tool_arguments_must_be_json() {
        let error = run_call(RunFunction::CallTool { name: "size_guide".into(), arguments: "{category: dresses}".into() }).unwrap_err();
        assert!(error.to_string().contains("not JSON"), "{error}");
    }
}
