//! `chatgw`: parses the command line and runs it; everything else lives in
//! the library.

use std::process::ExitCode;

use clap::Parser;

/// A chat turn allocates and frees many small strings and vectors on every
/// worker thread; mimalloc's per-thread heaps spend far less time on that
/// than glibc's arenas under concurrent load (see README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    chatgw::cli::run(chatgw::cli::Cli::parse()).await
}
