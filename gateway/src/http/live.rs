//! The shopper's side of a handoff: the session's live event stream (an
//! agent's reply, the ticket's state) and the "talk to a person" button.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::ApiError;
use super::routes::{ClientIp, StoreKey};
use crate::App;
use crate::classify::{Classification, Label, Reason};
use crate::handoff::{Audience, LiveEvent};
use crate::storage::{MessageRole, StoredMessage};

/// `GET /v1/sessions/{id}/events`: an SSE stream the widget holds open for
/// as long as the page lives. It starts with `ready` (the open ticket, if
/// any) and then carries `agent_message` and `ticket` events. A reader that
/// falls behind gets `resync`: reload the transcript.
pub(super) async fn session_events(
    State(app): State<App>,
    StoreKey(store): StoreKey,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    app.rate_limits().admit_transcript(&store.config, client).await?;
    let store_id = store.config.id.clone();
    if app.storage().get_conversation(&store_id, &id).await?.is_none() {
        return Err(ApiError::UnknownSession(id));
    }
    // Subscribe before reading the ticket, so nothing falls in between.
    let receiver = app.handoffs().bus().subscribe(&store_id, Audience::Session(id.clone()));
    let ticket = app.handoffs().active(&store_id, &id).await?;
    let ready = Event::default().event("ready").data(json!({ "session_id": id, "ticket": ticket }).to_string());
    let live = BroadcastStream::new(receiver).map(|item| match item {
        Ok(event) => live_event(&event),
        Err(BroadcastStreamRecvError::Lagged(missed)) => Event::default().event("resync").data(json!({ "missed": missed }).to_string()),
    });
    let events = futures::stream::once(async move { ready }).chain(live).map(Ok);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

pub(super) fn live_event(event: &LiveEvent) -> Event {
    Event::default().event(event.name()).data(event.data().to_string())
}

/// `POST /v1/sessions/{id}/handoff`: the shopper asks for a person. Opens
/// a ticket (or returns the open one) and answers with the words the
/// widget shows, which the transcript also keeps.
pub(super) async fn request_person(
    State(app): State<App>,
    StoreKey(store): StoreKey,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.rate_limits().admit_transcript(&store.config, client).await?;
    let config = &store.config;
    let storage = app.storage();
    if storage.get_conversation(&config.id, &id).await?.is_none() {
        return Err(ApiError::UnknownSession(id));
    }
    let transcript = storage.list_messages(&config.id, &id).await?;
    let language = transcript
        .iter()
        .rev()
        .find(|m| m.role == MessageRole::User)
        .and_then(|m| m.language.clone())
        .or_else(|| config.languages.first().cloned())
        .unwrap_or_else(|| "en".into());
    // Products shown live in the session; those tools looked up, in the
    // transcript as well.
    let mut products: Vec<String> = match app.chat().sessions.history(&config.id, &id).await {
        Ok(Some(history)) => history.iter().rev().flat_map(|e| e.product_ids.iter().cloned()).collect(),
        _ => Vec::new(),
    };
    products.extend(discussed(&transcript));
    let mut seen = std::collections::HashSet::new();
    products.retain(|p| seen.insert(p.clone()));
    let asked = Classification { label: Label::Escalate, reason: Reason::AskedForHuman, confidence: 1.0 };
    let (ticket, created) = app.handoffs().open(config, &id, asked, &language, products).await?;
    let (message, opens_at) = crate::handoff::acknowledgement(config, &language, chrono::Utc::now());
    if created {
        let mut ack = StoredMessage::new(&id, MessageRole::Assistant, message.clone());
        ack.language = Some(language.clone());
        ack.model = Some("handoff".into());
        storage.append_message(&config.id, &ack).await?;
    }
    Ok(Json(json!({ "ticket": ticket, "created": created, "message": message, "opens_at": opens_at })))
}

/// Products the conversation showed or discussed, newest first, once each.
fn discussed(transcript: &[StoredMessage]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for message in transcript.iter().rev() {
        let Some(calls) = message.tool_calls.as_array() else { continue };
        for id in calls.iter().filter_map(|c| c.pointer("/result/product_id").and_then(|v| v.as_str())) {
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
    }
    ids
}
