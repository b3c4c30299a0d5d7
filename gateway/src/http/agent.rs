//! The agents' API, behind a store's agent token: the queue, one ticket
//! with its whole transcript and the products discussed, claim, reply,
//! resolve, and a live stream of the store's tickets and shoppers'
//! messages. The console page (`GET /agent`) is a client of this API.

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::Html;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::ApiError;
use super::live::live_event;
use crate::App;
use crate::catalog::ProductSummary;
use crate::chat::StoreRuntime;
use crate::handoff::Audience;
use crate::storage::{MessageRole, TicketStatus};

/// Most tickets one list returns.
const MAX_LIST: usize = 500;

/// The store whose agent token the request carries.
pub(super) struct AgentStore(Arc<StoreRuntime>);

impl FromRequestParts<App> for AgentStore {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .and_then(|v| v.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, token)| token))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::AgentUnauthorized)?;
        app.store_for_agent_token(token).map(AgentStore).ok_or(ApiError::AgentUnauthorized)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    /// Comma-separated states; default `open,claimed`.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /v1/agent/tickets?status=open,claimed&limit=100`: urgent first,
/// then oldest first.
pub(super) async fn list(State(app): State<App>, AgentStore(store): AgentStore, Query(query): Query<ListQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    let statuses = match query.status.as_deref() {
        None | Some("") => vec![TicketStatus::Open, TicketStatus::Claimed],
        Some(list) => list
            .split(',')
            .map(|s| {
                TicketStatus::parse(s.trim()).ok_or_else(|| ApiError::InvalidRequest(format!("unknown status `{}`: use open, claimed or resolved", s.trim())))
            })
            .collect::<Result<_, _>>()?,
    };
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_LIST);
    let tickets = app.storage().list_tickets(&store.config.id, &statuses, limit).await?;
    // The store's name heads the console: one token opens one store.
    Ok(Json(json!({ "store": { "id": store.config.id, "name": store.config.name, "currency": store.config.currency }, "tickets": tickets })))
}

/// `GET /v1/agent/tickets/{id}`: the ticket, its whole transcript and the
/// products discussed.
pub(super) async fn show(State(app): State<App>, AgentStore(store): AgentStore, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let storage = app.storage();
    let store_id = &store.config.id;
    let ticket = storage.get_ticket(store_id, &id).await?.ok_or_else(|| ApiError::UnknownTicket(id.clone()))?;
    let messages: Vec<serde_json::Value> = storage
        .list_messages(store_id, &ticket.conversation_id)
        .await?
        .into_iter()
        .filter(|m| m.role != MessageRole::System)
        .map(|m| json!({ "id": m.id, "role": m.role, "text": m.text, "language": m.language, "label": m.label, "created_at": m.created_at }))
        .collect();
    let products: Vec<ProductSummary> = storage
        .get_products(store_id, &ticket.product_ids)
        .await?
        .into_iter()
        .map(|p| ProductSummary { title: p.title_in(&ticket.language).to_owned(), price: p.from_price(), id: p.id, url: p.url, image: p.image })
        .collect();
    Ok(Json(json!({ "ticket": ticket, "messages": messages, "products": products })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClaimBody {
    agent: String,
}

/// `POST /v1/agent/tickets/{id}/claim` with `{"agent": "Marta"}`.
pub(super) async fn claim(
    State(app): State<App>,
    AgentStore(store): AgentStore,
    Path(id): Path<String>,
    body: Result<Json<ClaimBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(body) = body.map_err(|r| ApiError::from_json_rejection(r, app.gateway().server.max_body_bytes))?;
    let ticket = app.handoffs().claim(&store.config.id, &id, &body.agent).await?;
    Ok(Json(json!({ "ticket": ticket })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReplyBody {
    agent: String,
    text: String,
}

/// `POST /v1/agent/tickets/{id}/reply` with `{"agent": "Marta", "text": "..."}`:
/// stored, then sent live to the shopper. Replying claims an open ticket.
pub(super) async fn reply(
    State(app): State<App>,
    AgentStore(store): AgentStore,
    Path(id): Path<String>,
    body: Result<Json<ReplyBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(body) = body.map_err(|r| ApiError::from_json_rejection(r, app.gateway().server.max_body_bytes))?;
    let (ticket, message) = app.handoffs().reply(&store.config.id, &id, &body.agent, &body.text).await?;
    Ok(Json(json!({ "ticket": ticket, "message": { "id": message.id, "role": message.role, "text": message.text, "created_at": message.created_at } })))
}

/// `POST /v1/agent/tickets/{id}/resolve`: the assistant answers again.
pub(super) async fn resolve(State(app): State<App>, AgentStore(store): AgentStore, Path(id): Path<String>) -> Result<Json<serde_json::Value>, ApiError> {
    let ticket = app.handoffs().resolve(&store.config.id, &id).await?;
    Ok(Json(json!({ "ticket": ticket })))
}

/// `GET /v1/agent/events`: the store's tickets as they open, change and
/// receive shopper messages, live.
pub(super) async fn events(State(app): State<App>, AgentStore(store): AgentStore) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = app.handoffs().bus().subscribe(&store.config.id, Audience::Agents);
    let ready = Event::default().event("ready").data(json!({ "store_id": store.config.id }).to_string());
    let live = BroadcastStream::new(receiver).map(|item| match item {
        Ok(event) => live_event(&event),
        Err(BroadcastStreamRecvError::Lagged(missed)) => Event::default().event("resync").data(json!({ "missed": missed }).to_string()),
    });
    Sse::new(futures::stream::once(async move { ready }).chain(live).map(Ok)).keep_alive(KeepAlive::default())
}

/// `GET /agent`: the console page (it asks for the agent token once and
/// keeps it in the tab's sessionStorage).
pub(super) async fn console() -> Html<&'static str> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| super::widget::with_event_reader(include_str!("agent.html"))))
}
