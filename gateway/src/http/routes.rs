//! Route handlers. Each extracts what it needs, calls one plain function
//! and maps the result; no business logic lives here.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{Stream, StreamExt};
use serde_json::json;
use tower_http::timeout::TimeoutLayer;

use super::{ApiError, agent, live, widget};
use crate::App;
use crate::app::ReadyStatus;
use crate::chat::{self, ChatEvent, StoreRuntime, TurnRequest};
use crate::connector::ConnectorFailure;
use crate::connector::webhook::WebhookRefusal;
use crate::ratelimit::HeldTurn;
use crate::storage::MessageRole;
use bytes::Bytes;
use chatgw_plugins::PluginError;

pub(super) fn router(request_timeout: Duration) -> Router<App> {
    let bounded = Router::new()
        .route("/v1/sessions/{id}/messages", get(get_transcript))
        .route("/v1/sessions/{id}/handoff", post(live::request_person))
        .route("/v1/agent/tickets", get(agent::list))
        .route("/v1/agent/tickets/{id}", get(agent::show))
        .route("/v1/agent/tickets/{id}/claim", post(agent::claim))
        .route("/v1/agent/tickets/{id}/reply", post(agent::reply))
        .route("/v1/agent/tickets/{id}/resolve", post(agent::resolve))
        .route("/agent", get(agent::console))
        .route("/widget.js", get(widget::get_script))
        .route("/v1/widget/config", get(widget::get_config))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/", get(index))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout));
    // Store platforms send whole products in webhooks: a larger body limit.
    let webhooks = Router::new()
        .route("/v1/webhooks/{store}/{*topic}", post(post_webhook))
        .layer(DefaultBodyLimit::max(WEBHOOK_MAX_BODY))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout));
    // The chat stream is bounded by the turn timeout instead; the live
    // streams last as long as the page that holds them.
    Router::new()
        .route("/v1/chat", post(post_chat))
        .route("/v1/sessions/{id}/events", get(live::session_events))
        .route("/v1/agent/events", get(agent::events))
        .merge(bounded)
        .merge(webhooks)
}

/// Largest webhook body accepted.
const WEBHOOK_MAX_BODY: usize = 5 * 1024 * 1024;

/// `POST /v1/webhooks/{store}/{topic}`: the raw body and headers go to the
/// store's connector, which checks the signature before the plugin parses
/// anything; the events it finds update the catalog if they fit the topic
/// (else 422) and the store's cap (else 413). A delivery seen before
/// answers 200 with `"duplicate": true` and changes nothing.
async fn post_webhook(
    State(app): State<App>,
    Path((store, topic)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some(runtime) = app.store(&store).filter(|_| app.connector(&store).is_some()) else {
        return Err(ApiError::UnknownStore(store));
    };
    app.rate_limits().admit_webhook(&runtime.config).await?;
    let headers: Vec<chatgw_plugins::Header> = headers
        .iter()
        .filter_map(|(name, value)| value.to_str().ok().map(|v| chatgw_plugins::Header { name: name.as_str().to_owned(), value: v.to_owned() }))
        .collect();
    match app.apply_webhook(&store, &topic, headers, body.to_vec()).await {
        Ok(report) => Ok(Json(json!({ "ok": true, "duplicate": report.duplicate, "report": report }))),
        Err(crate::error::Error::WebhookRefused { source, .. }) => Err(match source {
            WebhookRefusal::TopicMismatch { .. } => ApiError::WebhookTopicMismatch(source.to_string()),
            WebhookRefusal::TooManyEvents { .. } => ApiError::TooManyWebhookEvents(source.to_string()),
        }),
        Err(crate::error::Error::Connector(failure)) => Err(match failure {
            ConnectorFailure::Call { source: PluginError::BadSignature(why), .. } => ApiError::BadSignature(why),
            ConnectorFailure::Call { source: PluginError::WebhookConfig(why), .. } => ApiError::Internal(format!("store `{store}`: {why}")),
            other => {
                tracing::warn!(store = %store, error = %other, "webhook not applied");
                ApiError::Connector(other.kind().map_or_else(|| "setup".to_owned(), |k| format!("{k:?}")))
            }
        }),
        Err(other) => Err(ApiError::Internal(other.to_string())),
    }
}

/// The store a request is for, from its `X-Store-Key` header, after checking
/// the browser origin (if any) against the store's allowed origins.
pub struct StoreKey(pub Arc<StoreRuntime>);

impl StoreKey {
    /// The store `key` opens, if the request's browser origin (if any) is
    /// one of the store's.
    pub(super) fn admit(app: &App, key: Option<&str>, headers: &HeaderMap) -> Result<Self, ApiError> {
        let key = key.filter(|k| !k.is_empty()).ok_or(ApiError::MissingStoreKey)?;
        let store = app.store_by_key(key).ok_or(ApiError::UnknownStoreKey)?;
        if let Some(origin) = headers.get(axum::http::header::ORIGIN).and_then(|v| v.to_str().ok())
            && !store.config.allowed_origins.iter().any(|o| o == origin)
        {
            return Err(ApiError::OriginNotAllowed(origin.to_owned()));
        }
        Ok(StoreKey(store))
    }
}

impl FromRequestParts<App> for StoreKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Self::admit(app, parts.headers.get("x-store-key").and_then(|v| v.to_str().ok()), &parts.headers)
    }
}

/// The client's address for per-address limits (see
/// [`crate::ratelimit::TrustedProxies`]); unknown when the router is called
/// without a socket (tests' `oneshot`).
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<App> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(app.rate_limits().client_ip(peer, &parts.headers)))
    }
}

/// The limits are checked before the shopper's message is stored or costs
/// anything: a refused message is not processed, so it is not stored either.
async fn post_chat(
    State(app): State<App>,
    StoreKey(store): StoreKey,
    ClientIp(client): ClientIp,
    body: Result<Json<TurnRequest>, JsonRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let Json(mut request) = body.map_err(|r| ApiError::from_json_rejection(r, app.gateway().server.max_body_bytes))?;
    request.client_ip = client;
    let turn_slot = app.rate_limits().admit_chat(&store.config, client, request.session_id.as_deref()).await?;
    let events = chat::start_turn(app.chat(), store, request).await?;
    let events = HeldTurn::new(Box::pin(events), turn_slot);
    Ok(Sse::new(events.map(|e| Ok(sse_event(&e)))).keep_alive(KeepAlive::default()))
}

fn sse_event(event: &ChatEvent) -> Event {
    Event::default().event(event.name()).data(event.data().to_string())
}

async fn get_transcript(
    State(app): State<App>,
    StoreKey(store): StoreKey,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.rate_limits().admit_transcript(&store.config, client).await?;
    let storage = app.storage();
    if storage.get_conversation(&store.config.id, &id).await?.is_none() {
        return Err(ApiError::UnknownSession(id));
    }
    let messages: Vec<serde_json::Value> = storage
        .list_messages(&store.config.id, &id)
        .await?
        .into_iter()
        .filter(|m| m.role != MessageRole::System)
        .map(|m| {
            json!({
                "id": m.id, "role": m.role, "text": m.text, "language": m.language,
                "label": m.label, "created_at": m.created_at,
            })
        })
        .collect();
    Ok(Json(json!({ "session_id": id, "messages": messages })))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 while chat can answer (`ready`, or `degraded` with sessions down),
/// 503 `unavailable` when the database is down. No error text: why a
/// check failed is in the logs.
async fn readyz(State(app): State<App>) -> Response {
    let readiness = app.check_ready().await;
    let status = readiness.status();
    let code = if status == ReadyStatus::Unavailable { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    let body = json!({
        "status": status.as_str(),
        "checks": { "database": readiness.database.as_str(), "sessions": readiness.sessions.as_str() },
    });
    (code, Json(body)).into_response()
}

async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
}
