//! chatgw: a chat gateway that answers shoppers from a store's own data.
//!
//! The binary (`main.rs`) only parses the command line; everything it runs
//! lives here so the HTTP handlers, the eval runner and the tests call the
//! same functions.

pub mod app;
pub mod catalog;
pub mod chat;
pub mod claims;
pub mod classify;
pub mod cli;
pub mod config;
pub mod connector;
pub mod demo;
pub mod embed;
pub mod error;
pub mod eval;
pub mod grounding;
pub mod handoff;
pub mod http;
pub mod lang;
pub mod llm;
pub mod models;
pub mod onboard;
pub mod plugin_cli;
pub mod ratelimit;
pub mod search;
pub mod session;
pub mod storage;
pub mod telemetry;
pub mod tools;

pub use app::App;
pub use error::{Error, Result};
