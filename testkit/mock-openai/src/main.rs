//! `mock-openai --addr 127.0.0.1:8089 [--api-key KEY]`: serves the mock's
//! default answers (streamed text, hash-based embeddings) until stopped, for
//! trying a client by hand.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use mock_openai::MockOpenAi;

#[derive(Debug, Parser)]
#[command(name = "mock-openai", about = "A scripted OpenAI-compatible server for tests")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8089")]
    addr: SocketAddr,
    /// Answer 401 unless requests carry `Authorization: Bearer <KEY>`.
    #[arg(long, env = "MOCK_OPENAI_API_KEY")]
    api_key: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mock = match MockOpenAi::try_start(args.addr).await {
        Ok(mock) => mock,
        Err(error) => {
            eprintln!("mock-openai: cannot listen on {}: {error}", args.addr);
            return ExitCode::FAILURE;
        }
    };
    mock.expect_api_key(args.api_key.as_deref());
    println!("mock-openai serving at {}", mock.base_url());
    tokio::select! {
        result = mock.serve_forever() => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("mock-openai: server failed: {error}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
