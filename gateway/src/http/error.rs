//! API errors: one enum, mapped to a status code and a JSON body
//! `{"error": {"code", "message"}}` in one exhaustive match. Client errors
//! say what was wrong and how to fix it; internal errors are logged with
//! detail and returned without it.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::chat::ChatError;

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
    /// A dependency the request cannot do without (the database) is down
    /// or restarting: 503 with `Retry-After`, words the widget can show.
    #[error("{}", crate::chat::SERVICE_UNAVAILABLE_MESSAGE)]
    ServiceUnavailable,
    #[error("internal error")]
    Internal(String),
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
            ApiError::ServiceUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
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
        let mut response = (status, Json(json!({ "error": { "code": code, "message": message } }))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(RETRY_AFTER_S));
        }
        response
    }
}
