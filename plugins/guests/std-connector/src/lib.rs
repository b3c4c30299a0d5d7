//! Uses the standard library the way an ordinary Rust plugin does: a
//! `HashMap` (whose hasher seeds from `wasi:random/insecure-seed`), the clock,
//! stderr and the host's log. `call-tool(name, args)` picks what to do.

wit_bindgen::generate!({ world: "connector", path: "../../../sdk/wit" });
include!("../../common/minimal_exports.rs");

use std::collections::HashMap;
use std::io::Write;

use chatgw::connector::log::{self, Level};
use chatgw::connector::types::{
    Capability, ConnectorError, Descriptor, Header, Order, ProductPage, StockLevel, ToolSpec,
    WebhookEvent, WebhookSignature,
};
use exports::chatgw::connector::plugin::Guest;
use serde_json::Value;

struct Std;

fn args(arguments: &str) -> Result<Value, ConnectorError> {
    serde_json::from_str(arguments).map_err(|e| ConnectorError::InvalidSettings(e.to_string()))
}

impl Guest for Std {
    fn describe() -> Descriptor {
        Descriptor {
            id: "test-std".into(),
            version: "0.1.0".into(),
            capabilities: vec![Capability::Log],
            settings_schema: r#"{"type":"object"}"#.into(),
            webhook_signature: WebhookSignature::None,
        }
    }

    minimal_exports!();

    fn call_tool(_settings: String, name: String, arguments: String) -> Result<String, ConnectorError> {
        let args = args(&arguments)?;
        match name.as_str() {
            // Counts words with a HashMap (std's RandomState).
            "count-words" => {
                let mut counts: HashMap<&str, u32> = HashMap::new();
                for word in args["text"].as_str().unwrap_or_default().split_whitespace() {
                    *counts.entry(word).or_default() += 1;
                }
                let mut pairs: Vec<_> = counts.into_iter().collect();
                pairs.sort();
                let started = std::time::Instant::now();
                let _ = std::time::SystemTime::now();
                std::hint::black_box(started.elapsed());
                Ok(pairs.iter().map(|(w, n)| format!("{w}={n}")).collect::<Vec<_>>().join(","))
            }
            "log" => {
                let message = args["message"].as_str().unwrap_or_default();
                for _ in 0..args["times"].as_u64().unwrap_or(1) {
                    log::write(Level::Info, message);
                }
                Ok("logged".into())
            }
            "stderr" => {
                let bytes = args["bytes"].as_u64().unwrap_or(0) as usize;
                let mut stderr = std::io::stderr();
                let _ = stderr.write_all(b"first line of stderr\n");
                let _ = stderr.write_all("x".repeat(bytes).as_bytes());
                let _ = stderr.flush();
                if args["then_panic"].as_bool().unwrap_or(false) {
                    panic!("std plugin panicked after a lot of stderr");
                }
                Ok("wrote".into())
            }
            "fail" => Err(ConnectorError::Upstream(args["message"].as_str().unwrap_or_default().into())),
            other => Err(ConnectorError::NotFound(other.into())),
        }
    }
}

export!(Std);
