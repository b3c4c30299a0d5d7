//! Cost of the sandbox per call: a fresh instance from the `InstancePre`
//! (new store, limits, instantiate, call, drop) and one host-call round trip.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use chatgw_plugins::{PluginHost, StoreGrants};
use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let connector = runtime.block_on(async {
        let host = PluginHost::new(support::engine());
        let slot = support::good_plugin(&host).await;
        let grants = StoreGrants { http: Some(Default::default()), log: true, clock: true, ..Default::default() };
        support::connector(&slot, grants, support::quick_limits())
    });

    let mut group = c.benchmark_group("plugin");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("fresh_instance_call", |b| b.to_async(&runtime).iter(|| async { connector.call_tool("{}", "echo", "{}").await.expect("echo") }));
    group.bench_function("fresh_instance_call_1000_host_calls", |b| {
        b.to_async(&runtime).iter(|| async { connector.call_tool("{}", "clock-loop", r#"{"n":1000}"#).await.expect("clock loop") })
    });
    group.bench_function("fresh_instance_call_0_host_calls", |b| {
        b.to_async(&runtime).iter(|| async { connector.call_tool("{}", "clock-loop", r#"{"n":0}"#).await.expect("clock loop") })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
