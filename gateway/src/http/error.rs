//! API errors: one enum, mapped to a status code and a JSON body
//! `{"error": {"code", "message"}}` in one exhaustive match. Client errors
//! say what was wrong and how to fix it; internal errors are logged with
//! detail and returned without it.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::chat::ChatError;
use crate::ratelimit::{Refused, Scope};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("send the store's public key in the `X-Store-Key` header")]
    MissingStoreKey,
    #[error("no store has this public key; check the `X-Store-Key` header against the store's `public_key`")]
    UnknownStoreKey,
    #[error("origin `{0}` is not in this store's allowed_origins")]
    OriginNotAllowed(String),
    #[error("the message is empty: send the shopper's text in `message`")]
    EmptyMessage,
    #[error("the message has {got} characters; the limit is {max}")]
    MessageTooLong { got: usize, max: usize },
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    InvalidRequest(String),
    #[error("send the body as JSON with `Content-Type: application/json`")]
    UnsupportedMediaType,
    #[error("no session `{0}` for this store")]
    UnknownSession(String),
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("no store `{0}` with a connector in this gateway")]
    UnknownStore(String),
    #[error("webhook signature rejected: {0}")]
    BadSignature(String),
    #[error("the store's connector failed: {0}")]
    Connector(String),
    /// A verified webhook whose events do not fit its topic.
    #[error("{0}")]
    WebhookTopicMismatch(String),
    /// A verified webhook with more events than the store accepts.
    #[error("{0}")]
    TooManyWebhookEvents(String),
    /// Over an abuse limit: answered with `Retry-After`, and the scope and
    /// wait in the body so the widget can say why.
    #[error("{}", rate_limited_message(*scope, *retry_after_s))]
    RateLimited { scope: Scope, retry_after_s: u64 },
    /// A dependency the request cannot do without (the database) is down
    /// or restarting: 503 with `Retry-After`, words the widget can show.
    #[error("{}", crate::chat::SERVICE_UNAVAILABLE_MESSAGE)]
    ServiceUnavailable,
    #[error("send this store's agent token as `Authorization: Bearer <token>` (the variable named by the store's `handoff.agent_token_env`)")]
    AgentUnauthorized,
    #[error("no ticket `{0}` in this store")]
    UnknownTicket(String),
    /// The ticket is not in a state that allows this (resolved, someone
    /// else's).
    #[error("{0}")]
    TicketConflict(String),
    #[error("internal error")]
    Internal(String),
}

impl From<crate::handoff::HandoffError> for ApiError {
    fn from(e: crate::handoff::HandoffError) -> Self {
        use crate::handoff::HandoffError;
        match e {
            HandoffError::UnknownTicket(id) => ApiError::UnknownTicket(id),
            HandoffError::Resolved(_) | HandoffError::ClaimedByOther { .. } => ApiError::TicketConflict(e.to_string()),
            HandoffError::Invalid(why) => ApiError::InvalidRequest(why),
            HandoffError::Storage(e) => e.into(),
        }
    }
}

/// What the widget shows the shopper.
fn rate_limited_message(scope: Scope, retry_after_s: u64) -> String {
    match scope {
        Scope::Ip => format!("Too many messages from your network. Please wait {retry_after_s} s and try again."),
        Scope::Session => format!("You are sending messages faster than the assistant can answer. Please wait {retry_after_s} s."),
        Scope::Store => format!("The assistant is very busy right now. Please try again in {retry_after_s} s."),
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        ApiError::RateLimited { scope: refused.scope, retry_after_s: refused.retry_after_s() }
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::MissingStoreKey => (StatusCode::UNAUTHORIZED, "missing_store_key"),
            ApiError::UnknownStoreKey => (StatusCode::UNAUTHORIZED, "unknown_store_key"),
            ApiError::OriginNotAllowed(_) => (StatusCode::FORBIDDEN, "origin_not_allowed"),
            ApiError::EmptyMessage => (StatusCode::BAD_REQUEST, "empty_message"),
            ApiError::MessageTooLong { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "message_too_long"),
            ApiError::BodyTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::UnknownSession(_) => (StatusCode::NOT_FOUND, "unknown_session"),
            ApiError::NotReady(_) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            ApiError::UnknownStore(_) => (StatusCode::NOT_FOUND, "unknown_store"),
            ApiError::BadSignature(_) => (StatusCode::UNAUTHORIZED, "bad_signature"),
            ApiError::Connector(_) => (StatusCode::BAD_GATEWAY, "connector_failed"),
            ApiError::WebhookTopicMismatch(_) => (StatusCode::UNPROCESSABLE_ENTITY, "webhook_topic_mismatch"),
            ApiError::TooManyWebhookEvents(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_many_webhook_events"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::ServiceUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
            ApiError::AgentUnauthorized => (StatusCode::UNAUTHORIZED, "agent_unauthorized"),
            ApiError::UnknownTicket(_) => (StatusCode::NOT_FOUND, "unknown_ticket"),
            ApiError::TicketConflict(_) => (StatusCode::CONFLICT, "ticket_conflict"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    pub fn from_json_rejection(rejection: JsonRejection, max_body: usize) -> Self {
        match rejection {
            JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(e.body_text()),
            JsonRejection::JsonDataError(e) => ApiError::InvalidRequest(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge(max_body),
            other => ApiError::InvalidRequest(other.body_text()),
        }
    }
}

impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> Self {
        match e {
            ChatError::EmptyMessage => ApiError::EmptyMessage,
            ChatError::MessageTooLong { got, max } => ApiError::MessageTooLong { got, max },
            ChatError::Storage(e) => e.into(),
        }
    }
}

impl From<crate::storage::StorageError> for ApiError {
    fn from(e: crate::storage::StorageError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable; answering 503");
            return ApiError::ServiceUnavailable;
        }
        ApiError::Internal(e.to_string())
    }
}

/// Seconds a client is asked to wait before retrying after a 503: long
/// enough for a database restart or a pool to reconnect.
pub const RETRY_AFTER_S: u64 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "something went wrong on our side; try again later".to_owned()
            }
            other => other.to_string(),
        };
        if let ApiError::RateLimited { scope, retry_after_s } = self {
            let body = json!({ "error": { "code": code, "message": message, "retry_after_s": retry_after_s, "scope": scope.as_str() } });
            return (status, [(header::RETRY_AFTER, retry_after_s.to_string())], Json(body)).into_response();
        }
        let mut response = (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_S));
        }
        response
    }
}
