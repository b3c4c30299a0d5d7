//! What one call's `Store` holds: the limiter, the capabilities granted to
//! this store's connector, a bounded stderr buffer, what the call has spent
//! of its budgets, and its first policy violation. Created per call and
//! dropped with the store. Also how plugin text is made safe for logs.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::grants::SqlExecutor;
use crate::host::CallLimits;
use crate::http::HttpGate;

/// Bytes of a plugin's stderr kept for error messages (panic text); the
/// rest is counted and dropped, never an error.
pub(crate) const STDERR_CAPTURE: usize = 16 * 1024;
/// Log lines one call may write before the rest are dropped.
pub(crate) const LOG_LINES_PER_CALL: u32 = 100;
/// Bytes of one plugin log line; longer lines are cut.
pub(crate) const LOG_LINE_BYTES: usize = 2048;

/// The capabilities effective for one store's connector.
#[derive(Default)]
pub(crate) struct EffectiveGrants {
    pub http: Option<Arc<HttpGate>>,
    pub sql: Option<Arc<dyn SqlExecutor>>,
    pub log: bool,
    pub clock: bool,
}

pub(crate) struct CallLimiter {
    limits: StoreLimits,
    pub memory_denied: bool,
    /// Linear memory of the instance now, summed over its memories. wasmtime
    /// asks the limiter for every memory's creation (from 0) and growth, and
    /// memories never shrink, so the sum of granted growth is exact.
    memory_bytes: usize,
    /// The high-water mark of `memory_bytes` during this call.
    pub peak_memory_bytes: usize,
}

impl ResourceLimiter for CallLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.memory_bytes += desired.saturating_sub(current);
            self.peak_memory_bytes = self.peak_memory_bytes.max(self.memory_bytes);
        } else {
            self.memory_denied = true;
        }
        Ok(allowed)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// What one call's outgoing HTTP may spend, and what it has spent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpBudget {
    pub max_requests: u32,
    pub max_body_bytes: u64,
    pub max_total_bytes: u64,
    pub requests: u32,
    pub total_bytes: u64,
}

impl HttpBudget {
    fn new(limits: &CallLimits) -> Self {
        HttpBudget {
            max_requests: limits.max_http_requests,
            max_body_bytes: limits.max_request_body_bytes,
            max_total_bytes: limits.max_request_bytes,
            requests: 0,
            total_bytes: 0,
        }
    }

    /// Books one request of `body` body bytes and `size` bytes in all (URL,
    /// headers and body), or says which per-call cap it would break.
    pub fn spend(&mut self, body: u64, size: u64) -> Result<(), String> {
        self.requests = self.requests.saturating_add(1);
        if self.requests > self.max_requests {
            return Err(format!("more than {} HTTP requests in one call (the per-call cap)", self.max_requests));
        }
        if body > self.max_body_bytes {
            return Err(format!("an HTTP request body of {body} bytes, over the {} byte cap per request", self.max_body_bytes));
        }
        self.total_bytes = self.total_bytes.saturating_add(size);
        if self.total_bytes > self.max_total_bytes {
            return Err(format!("more than {} bytes of HTTP requests in one call (the per-call cap)", self.max_total_bytes));
        }
        Ok(())
    }
}

pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: CallLimiter,
    pub grants: Arc<EffectiveGrants>,
    pub plugin_id: Arc<str>,
    pub stderr: CappedOutput,
    /// The first policy violation of this call; it ends the call.
    pub violation: Option<String>,
    pub log_lines: u32,
    pub http: HttpBudget,
}

impl HostState {
    pub fn new(plugin_id: Arc<str>, grants: Arc<EffectiveGrants>, limits: &CallLimits) -> Self {
        let stderr = CappedOutput::new(STDERR_CAPTURE);
        // No args, no environment, no preopened directories, no network:
        // the WASI context only backs stdio, clocks and randomness.
        let wasi = WasiCtx::builder().stderr(stderr.clone()).build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            limiter: CallLimiter {
                limits: StoreLimitsBuilder::new().memory_size(limits.memory_bytes).instances(16).build(),
                memory_denied: false,
                memory_bytes: 0,
                peak_memory_bytes: 0,
            },
            grants,
            plugin_id,
            stderr,
            violation: None,
            log_lines: 0,
            http: HttpBudget::new(limits),
        }
    }

    /// Records the call's first violation and returns the trap that ends
    /// the call: a plugin gets no second try at something it may not do.
    pub fn deny(&mut self, why: String) -> wasmtime::Error {
        let trap = wasmtime::format_err!("{why}");
        if self.violation.is_none() {
            self.violation = Some(why);
        }
        trap
    }

    /// What the plugin wrote to stderr (usually a panic message), trimmed,
    /// escaped for logs, with a note of what did not fit.
    pub fn stderr_text(&self) -> String {
        self.stderr.text()
    }
}

/// A plugin's stderr: keeps the first and the last `cap / 2` bytes (what a
/// program says first, and its panic message, which comes last) and counts
/// what lies between, so a chatty plugin neither grows host memory nor
/// fails for writing.
#[derive(Clone)]
pub(crate) struct CappedOutput {
    captured: Arc<Mutex<Captured>>,
    cap: usize,
}

#[derive(Default)]
struct Captured {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: u64,
}

impl CappedOutput {
    pub fn new(cap: usize) -> Self {
        CappedOutput { captured: Arc::new(Mutex::new(Captured::default())), cap }
    }

    fn keep(&self, bytes: &[u8]) {
        // A poisoned lock only means another writer panicked mid-append;
        // the bytes kept so far are still fine to show.
        let mut captured = self.captured.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let half = self.cap / 2;
        let room = half.saturating_sub(captured.head.len()).min(bytes.len());
        captured.head.extend_from_slice(&bytes[..room]);
        let rest = &bytes[room..];
        // Only the last `half` bytes of this write can survive.
        let skip = rest.len().saturating_sub(half);
        captured.dropped += skip as u64;
        captured.tail.extend(&rest[skip..]);
        let excess = captured.tail.len().saturating_sub(half);
        captured.tail.drain(..excess);
        captured.dropped += excess as u64;
    }

    pub fn text(&self) -> String {
        let captured = self.captured.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let head = String::from_utf8_lossy(&captured.head).into_owned();
        let tail: Vec<u8> = captured.tail.iter().copied().collect();
        let tail = String::from_utf8_lossy(&tail).into_owned();
        let text = match captured.dropped {
            0 => format!("{head}{tail}"),
            dropped => format!("{head} … {dropped} bytes dropped … {tail}"),
        };
        escape_plugin_text(text.trim(), usize::MAX)
    }
}

#[async_trait::async_trait]
impl Pollable for CappedOutput {
    async fn ready(&mut self) {}
}

#[async_trait::async_trait]
impl OutputStream for CappedOutput {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.keep(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for CappedOutput {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.keep(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// Plugin text made safe for a log line or an error message: every control
/// character (C0, DEL, C1), line and paragraph separators and bidi controls
/// become visible escapes, so a plugin cannot start a forged line or reorder
/// what a reader sees; cut at `max_bytes` with a note.
pub(crate) fn escape_plugin_text(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_bytes) + 16);
    for (at, c) in text.char_indices() {
        if out.len() >= max_bytes {
            out.push_str(&format!(" … ({} more bytes cut)", text.len() - at));
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_text_cannot_forge_a_line_or_hide_itself() {
        let forged = "ok\n2026-01-01T00:00:00Z  INFO chatgw: admin logged in\r\u{1b}[2K\u{85}\u{2028}\u{202e}x";
        let escaped = escape_plugin_text(forged, 1000);
        assert_eq!(escaped, "ok\\n2026-01-01T00:00:00Z  INFO chatgw: admin logged in\\r\\u{1b}[2K\\u{85}\\u{2028}\\u{202e}x");
        assert!(!escaped.chars().any(|c| c.is_control()));
        assert_eq!(escape_plugin_text("héllo wörld", 3), "hé … (10 more bytes cut)");
    }

    #[test]
    fn stderr_keeps_its_first_and_last_bytes_and_counts_the_rest() {
        let mut out = CappedOutput::new(8);
        out.write(bytes::Bytes::from_static(b"star")).unwrap();
        assert_eq!(out.text(), "star");
        out.write(bytes::Bytes::from_static(b"t.....")).unwrap();
        out.write(bytes::Bytes::from_static(b"...x")).unwrap();
        out.write(bytes::Bytes::from_static(b"\nend")).unwrap();
        assert_eq!(out.text(), "star … 10 bytes dropped … \\nend");
    }
}
