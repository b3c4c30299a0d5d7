//! What one call's `Store` holds: the limiter, the capabilities granted to
//! this store's connector, a bounded stderr buffer, and a record of policy
//! violations. Created per call and dropped with the store.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::grants::SqlExecutor;
use crate::http::HttpGate;

/// Bytes of a plugin's stderr kept for error messages (panic text).
const STDERR_CAPTURE: usize = 16 * 1024;
/// Log lines one call may write before the rest are dropped.
pub(crate) const LOG_LINES_PER_CALL: u32 = 100;

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

pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: CallLimiter,
    pub grants: Arc<EffectiveGrants>,
    pub plugin_id: Arc<str>,
    pub stderr: MemoryOutputPipe,
    /// The first policy violation of this call; it fails the call.
    pub violation: Option<String>,
    pub log_lines: u32,
}

impl HostState {
    pub fn new(plugin_id: Arc<str>, grants: Arc<EffectiveGrants>, memory_bytes: usize) -> Self {
        let stderr = MemoryOutputPipe::new(STDERR_CAPTURE);
        // No args, no environment, no preopened directories, no network:
        // the WASI context only backs stdio, clocks and randomness.
        let wasi = WasiCtx::builder().stderr(stderr.clone()).build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            limiter: CallLimiter {
                limits: StoreLimitsBuilder::new().memory_size(memory_bytes).instances(16).build(),
                memory_denied: false,
                memory_bytes: 0,
                peak_memory_bytes: 0,
            },
            grants,
            plugin_id,
            stderr,
            violation: None,
            log_lines: 0,
        }
    }

    pub fn deny(&mut self, why: String) {
        if self.violation.is_none() {
            self.violation = Some(why);
        }
    }

    /// What the plugin wrote to stderr (usually a panic message), trimmed.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).trim().to_string()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}
