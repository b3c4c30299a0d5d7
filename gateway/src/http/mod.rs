//! The HTTP surface: routes, middleware (CORS from the stores' allowed
//! origins, body limit, timeouts, tracing) and graceful serving. Handlers
//! stay thin: they extract, call a plain function, and map the result.

mod agent;
pub mod error;
mod live;
mod routes;
mod widget;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::serve::ListenerExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::App;

/// The gateway's router, ready for `axum::serve` or `oneshot` in tests.
pub fn app(state: App) -> Router {
    // Asked per request: a reload can add or drop a store's origins.
    let stores = state.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| origin.to_str().is_ok_and(|o| stores.allows_origin(o))))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([axum::http::header::CONTENT_TYPE, axum::http::header::AUTHORIZATION, HeaderName::from_static("x-store-key")])
        .max_age(Duration::from_secs(600));
    let max_body = state.gateway().server.max_body_bytes;
    let request_timeout = Duration::from_secs(state.gateway().server.request_timeout_s);
    routes::router(request_timeout).layer(DefaultBodyLimit::max(max_body)).layer(cors).layer(TraceLayer::new_for_http()).with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then lets open streams finish for the
/// configured grace period.
pub async fn serve(state: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.gateway().server.shutdown_grace_s);
    let router = app(state);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    // Nagle off on every accepted socket; the peer address feeds the
    // per-address rate limits.
    let server =
        axum::serve(shopper_listener(listener), router.into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = tx.send(());
        });
    let server = tokio::spawn(async move { server.await });
    let _ = rx.await;
    tracing::info!(grace_s = grace.as_secs(), "shutting down: letting open requests finish");
    match tokio::time::timeout(grace, server).await {
        Ok(joined) => joined.map_err(std::io::Error::other)?,
        Err(_) => {
            tracing::warn!("grace period over; closing remaining connections");
            Ok(())
        }
    }
}

/// Accepted connections with Nagle's algorithm off. A chat turn is a
/// stream of small SSE writes on a kept-alive connection: with Nagle on, a
/// write waits for the ACK of the previous one, which the client delays by
/// up to 40 ms, and every turn after a connection's first stalled that long.
/// The type is spelled out (not `impl Listener`) so that axum's
/// `ConnectInfo<SocketAddr>` still finds the peer address through it.
pub fn shopper_listener(listener: tokio::net::TcpListener) -> axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    listener.tap_io(nagle_off as fn(&mut tokio::net::TcpStream))
}

fn nagle_off(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "could not set TCP_NODELAY on an accepted connection");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::serve::Listener;

    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound address");
        let mut listener = shopper_listener(listener);
        let client = tokio::net::TcpStream::connect(addr).await.expect("connect to the listener");
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().expect("read TCP_NODELAY"), "the gateway must set TCP_NODELAY on accepted sockets");
        drop(client);
    }
}
