//! The one wasmtime engine of the process: component model, epoch
//! interruption, pooling allocator (falling back to on-demand allocation when
//! the address-space reservation fails), the shared linker with the host's
//! imports, and the compiled-code cache keyed by the component's sha256.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::PluginError;
use crate::state::HostState;

/// Process-wide engine settings. Per-call limits live in
/// [`crate::CallLimits`]; these are the ceilings those limits must fit in.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Upper bound for any plugin's linear memory (the pooling slot size).
    pub max_memory_bytes: usize,
    /// Plugin instances alive at once (pool size and in-flight call cap).
    pub max_concurrent_calls: u32,
    /// How often the epoch advances; deadlines are rounded up to this.
    pub epoch_tick: Duration,
    /// Where compiled components are kept across restarts; `None` keeps
    /// them in memory only.
    pub cache_dir: Option<PathBuf>,
    /// Try the pooling allocator first (on-demand is the fallback).
    pub pooling: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { max_memory_bytes: 256 * 1024 * 1024, max_concurrent_calls: 128, epoch_tick: Duration::from_millis(10), cache_dir: None, pooling: true }
    }
}

/// Shared by every plugin of the process. Cheap to clone.
#[derive(Clone)]
pub struct PluginEngine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<HostState>,
    pub(crate) options: EngineOptions,
    pub(crate) pooling: bool,
    pub(crate) calls: Arc<tokio::sync::Semaphore>,
    compiled: Mutex<HashMap<String, Component>>,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for EngineInner {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn config(options: &EngineOptions, pooling: bool) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.cache(None);
    if pooling {
        let n = options.max_concurrent_calls;
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(n)
            // A Rust component has a few core instances (its code plus shims).
            .total_core_instances(n * 8)
            .total_memories(n * 2)
            .total_tables(n * 4)
            .total_stacks(n)
            .max_memories_per_component(2)
            .max_memory_size(options.max_memory_bytes);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}

impl PluginEngine {
    pub fn new(options: EngineOptions) -> Result<Self, PluginError> {
        let (engine, pooling) = match options.pooling {
            true => match Engine::new(&config(&options, true)) {
                Ok(engine) => (engine, true),
                Err(error) => {
                    tracing::warn!(%error, "pooling allocator unavailable, using on-demand allocation");
                    (Self::on_demand(&options)?, false)
                }
            },
            false => (Self::on_demand(&options)?, false),
        };
        let linker = crate::v1::linker(&engine).map_err(|e| PluginError::Load(format!("cannot set up the host imports: {e:#}")))?;

        let ticker_stop = Arc::new(AtomicBool::new(false));
        let stop = ticker_stop.clone();
        let weak = engine.weak();
        let tick = options.epoch_tick;
        std::thread::Builder::new()
            .name("plugin-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| PluginError::Load(format!("cannot start the epoch thread: {e}")))?;

        Ok(PluginEngine {
            inner: Arc::new(EngineInner {
                engine,
                linker,
                calls: Arc::new(tokio::sync::Semaphore::new(options.max_concurrent_calls as usize)),
                options,
                pooling,
                compiled: Mutex::new(HashMap::new()),
                ticker_stop,
            }),
        })
    }

    fn on_demand(options: &EngineOptions) -> Result<Engine, PluginError> {
        Engine::new(&config(options, false)).map_err(|e| PluginError::Load(format!("cannot create the wasm engine: {e:#}")))
    }

    /// True when the pooling allocator is in use (false after the fallback).
    pub fn is_pooling(&self) -> bool {
        self.inner.pooling
    }

    pub fn options(&self) -> &EngineOptions {
        &self.inner.options
    }

    /// Compiles a component, or returns the cached compilation for this
    /// sha256 (in memory, then the cache folder).
    pub(crate) fn compile(&self, sha256: &str, wasm: &[u8]) -> Result<Component, PluginError> {
        let inner = &self.inner;
        if let Some(component) = inner.compiled.lock().expect("cache lock poisoned").get(sha256) {
            return Ok(component.clone());
        }
        let cached_file = inner.options.cache_dir.as_ref().map(|dir| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            inner.engine.precompile_compatibility_hash().hash(&mut hasher);
            dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
        });
        let from_disk = cached_file.as_ref().filter(|f| f.exists()).and_then(|file| {
            // SAFETY: the cache folder is written only by this host from
            // components it compiled itself; wasmtime still checks that the
            // file matches this engine's version and settings.
            match unsafe { Component::deserialize_file(&inner.engine, file) } {
                Ok(component) => Some(component),
                Err(error) => {
                    tracing::warn!(file = %file.display(), %error, "ignoring stale compiled plugin");
                    None
                }
            }
        });
        let component = match from_disk {
            Some(component) => component,
            None => {
                let component = Component::new(&inner.engine, wasm).map_err(|e| PluginError::Load(format!("not a valid component: {e:#}")))?;
                if let Some(file) = &cached_file {
                    let write = component.serialize().map_err(|e| e.to_string()).and_then(|bytes| {
                        if let Some(dir) = file.parent() {
                            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                        }
                        // Write then rename, so a reader never sees half a file.
                        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
                        std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
                        std::fs::rename(&tmp, file).map_err(|e| e.to_string())
                    });
                    if let Err(error) = write {
                        tracing::warn!(file = %file.display(), %error, "cannot cache compiled plugin");
                    }
                }
                component
            }
        };
        inner.compiled.lock().expect("cache lock poisoned").insert(sha256.to_string(), component.clone());
        Ok(component)
    }
}
