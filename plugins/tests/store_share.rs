//! Each store's share of the plugin host: a store whose connector calls are
//! slow (or flooded) queues behind its own calls, and another store's calls
//! still run. No timing is asserted: only which calls finished first.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chatgw_plugins::{CallLimits, ConnectorHandle, EngineOptions, HttpGrant, PluginEngine, PluginErrorKind, PluginHost, StoreGrants};
use support::*;

fn grants() -> StoreGrants {
    StoreGrants { http: Some(HttpGrant { request_timeout: Duration::from_secs(5), ..HttpGrant::default() }), ..StoreGrants::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_saturating_its_share_does_not_starve_another_store() {
    // Room for two calls at once in the whole host; store A may hold one.
    let engine = PluginEngine::new(EngineOptions { max_concurrent_calls: 2, ..EngineOptions::default() }).expect("engine");
    let host = PluginHost::new(engine);
    let slot = hostile_plugin(&host).await;
    let limits = CallLimits { deadline: Duration::from_secs(3), ..CallLimits::default() };
    let store_a: Arc<ConnectorHandle> = Arc::new(connector(&slot, grants(), limits.clone()).with_call_share(1));
    let store_b = connector(&slot, grants(), limits).with_call_share(1);

    // Store A: four calls that spin until their deadline.
    let a_finished = Arc::new(AtomicUsize::new(0));
    let a_calls: Vec<_> = (0..4)
        .map(|_| {
            let (store_a, a_finished) = (store_a.clone(), a_finished.clone());
            tokio::spawn(async move {
                let result = store_a.call_tool("{}", "spin", "{}").await;
                a_finished.fetch_add(1, Ordering::SeqCst);
                result
            })
        })
        .collect();
    // Let store A's calls take the host's permits (and queue) first.
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Without a share, A's calls would hold both host permits and B would
    // queue behind them until their deadlines.
    let answer = store_b.call_tool("{}", "ok", "{}").await.expect("store B's call runs");
    assert_eq!(answer, "fine");
    assert_eq!(a_finished.load(Ordering::SeqCst), 0, "store B answered while every store A call was still running or queued");

    let mut busy = 0;
    for call in a_calls {
        let error = call.await.expect("task").expect_err("spin never answers");
        match error.kind() {
            PluginErrorKind::Deadline => {}
            PluginErrorKind::StoreBusy => {
                busy += 1;
                assert!(error.to_string().contains("share of the plugin host (1 call(s) at once)"), "{error}");
            }
            other => panic!("unexpected {other:?}: {error}"),
        }
    }
    // Each running call holds A's only slot for its whole deadline, so at
    // most one queued call can get it before its own deadline runs out.
    assert!(busy >= 2, "queued calls past their deadline fail as StoreBusy ({busy})");
}
