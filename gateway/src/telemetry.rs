//! Structured logs: JSON for machines or pretty for people, filtered by
//! `RUST_LOG` or the configured directive.

use tracing_subscriber::EnvFilter;

pub fn init(format: &str, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    // A second init (tests, embedding) is harmless: keep the first.
    let _ = if format == "json" { builder.json().try_init() } else { builder.compact().try_init() };
}
