//! `chatgw`: parses the command line and runs it; everything else lives in
//! the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    chatgw::cli::run(chatgw::cli::Cli::parse()).await
}
