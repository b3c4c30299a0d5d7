//! `mock-openai`: a scripted OpenAI-compatible server over real HTTP, for
//! tests of clients that talk to `/v1/chat/completions` and `/v1/embeddings`.
//!
//! ```no_run
//! # async fn demo() {
//! use mock_openai::{MockOpenAi, Reply};
//!
//! let mock = MockOpenAi::start().await;
//! mock.push(Reply::rate_limited(1));
//! mock.push(Reply::text(["Hel", "lo"]));
//! // point a client at mock.base_url(), then assert on mock.requests()
//! # }
//! ```
//!
//! Behaviour:
//! - Replies pushed with [`MockOpenAi::push`] answer requests in order, on
//!   either endpoint. With an empty queue, chat answers a short streamed text
//!   and embeddings answer deterministic hash-based vectors (with the
//!   request's `dimensions`, or 8).
//! - Chat answers stream OpenAI `chat.completion.chunk` events when the
//!   request has `stream: true`, and one `chat.completion` object otherwise.
//! - After a 429 with `Retry-After`, every request that arrives before that
//!   moment is answered 429 again (without consuming the queue), like a real
//!   rate limiter: a client that ignores `Retry-After` sees extra requests.
//! - With an expected API key set, a request without `Authorization: Bearer
//!   <key>` is answered 401. The 401 message quotes the key it was given, in
//!   full, so tests can prove a client scrubs keys from its errors.
//! - Every request is recorded, denied ones included ([`MockOpenAi::requests`]).

mod reply;
mod wire;

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::{self, BoxStream};
use serde_json::Value;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::task::JoinHandle;

pub use reply::{Reply, ToolCallScript, Usage};

use wire::{ChatContext, embeddings_body, error_body, hashed_vector};

/// Path of the chat completions endpoint.
pub const CHAT_PATH: &str = "/v1/chat/completions";
/// Path of the embeddings endpoint.
pub const EMBEDDINGS_PATH: &str = "/v1/embeddings";
/// Dimensions of default embeddings when the request names none.
pub const DEFAULT_DIMENSIONS: usize = 8;

/// One request as the mock received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query, e.g. `/v1/chat/completions`.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Header names in lower case, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The JSON body, or `Value::Null` when the body was not JSON.
    pub body: Value,
    pub received_at: Instant,
}

impl RecordedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The `model` field of the body.
    pub fn model(&self) -> Option<&str> {
        self.body.get("model").and_then(Value::as_str)
    }
}

/// A running mock server. Stops when dropped.
pub struct MockOpenAi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: Option<JoinHandle<io::Result<()>>>,
}

impl MockOpenAi {
    /// Starts a mock on `127.0.0.1` with a free port.
    ///
    /// # Panics
    /// If no local port can be bound; this is a test helper, so that fails
    /// the test with the reason. Use [`MockOpenAi::try_start`] to handle it.
    pub async fn start() -> Self {
        match Self::try_start("127.0.0.1:0").await {
            Ok(mock) => mock,
            Err(error) => panic!("mock-openai could not bind 127.0.0.1:0: {error}"),
        }
    }

    /// Starts a mock listening on `addr`.
    pub async fn try_start(addr: impl ToSocketAddrs) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let app =
            Router::new().route(CHAT_PATH, post(chat_completions)).route(EMBEDDINGS_PATH, post(embeddings)).fallback(unknown_route).with_state(shared.clone());
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { addr, shared, server: Some(server) })
    }

    /// Base URL for an OpenAI client, e.g. `http://127.0.0.1:41234/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues a reply for the next request (chat or embeddings).
    pub fn push(&self, reply: Reply) {
        lock(&self.shared.queue).push_back(reply);
    }

    /// Replies still queued.
    pub fn pending(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// Requires `Authorization: Bearer <key>` on every request (`None`
    /// accepts anything).
    pub fn expect_api_key(&self, key: Option<&str>) {
        *lock(&self.shared.expected_key) = key.map(str::to_owned);
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// The requests received on one path, e.g. [`CHAT_PATH`].
    pub fn requests_to(&self, path: &str) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).iter().filter(|r| r.path == path).cloned().collect()
    }

    /// Serves until the server fails (for the `mock-openai` binary).
    pub async fn serve_forever(mut self) -> io::Result<()> {
        match self.server.take() {
            Some(server) => server.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockOpenAi {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

#[derive(Default)]
struct Shared {
    queue: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    expected_key: Mutex<Option<String>>,
    /// Requests before this moment are answered 429.
    limited_until: Mutex<Option<Instant>>,
    next_id: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Records the request; returns its JSON body if it has one.
    fn record(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Option<Value> {
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let recorded = RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: headers.iter().map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect(),
            body: json.clone().unwrap_or(Value::Null),
            received_at: Instant::now(),
        };
        lock(&self.requests).push(recorded);
        json
    }

    /// Answers 401 for a wrong key and 429 inside a Retry-After window.
    fn gate(&self, headers: &HeaderMap) -> Option<Response> {
        if let Some(expected) = lock(&self.expected_key).clone() {
            let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
            if given != Some(expected.as_str()) {
                let message = match given {
                    Some(key) => format!(
                        "Incorrect API key provided: {key}. You can find your API key at \
                         https://platform.openai.com/account/api-keys."
                    ),
                    None => "You didn't provide an API key. You need to provide your API key in an \
                             Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                        .to_owned(),
                };
                let body = error_body("invalid_request_error", &message, Some("invalid_api_key"));
                return Some(json_response(StatusCode::UNAUTHORIZED, &body));
            }
        }
        let until = *lock(&self.limited_until);
        if let Some(until) = until {
            let now = Instant::now();
            if now < until {
                let remaining = until - now;
                let secs = remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0);
                return Some(rate_limited_response(&secs.to_string()));
            }
        }
        None
    }

    fn pop(&self) -> Option<Reply> {
        lock(&self.queue).pop_front()
    }

    fn next_id(&self, prefix: &str) -> String {
        format!("{prefix}-mock-{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Answers the replies both endpoints share (rate limits and errors);
    /// hands any other reply back.
    fn common_answer(&self, reply: Reply) -> Result<Response, Reply> {
        match reply {
            Reply::RateLimited { retry_after_secs, http_date } => {
                let (header_value, until) = if http_date {
                    http_date_ahead(retry_after_secs)
                } else {
                    (retry_after_secs.to_string(), Instant::now() + Duration::from_secs(retry_after_secs))
                };
                *lock(&self.limited_until) = Some(until);
                Ok(rate_limited_response(&header_value))
            }
            Reply::Error { status, error_type, message } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Ok(json_response(status, &error_body(&error_type, &message, None)))
            }
            other => Err(other),
        }
    }
}

/// The `Retry-After` HTTP date `secs` ahead, rounded up to a whole second,
/// and the instant it stands for.
fn http_date_ahead(secs: u64) -> (String, Instant) {
    let target = SystemTime::now() + Duration::from_secs(secs);
    let since_epoch = target.duration_since(UNIX_EPOCH).unwrap_or_default();
    let whole = since_epoch.as_secs() + u64::from(since_epoch.subsec_nanos() > 0);
    let target = UNIX_EPOCH + Duration::from_secs(whole);
    let date = chrono::DateTime::<chrono::Utc>::from(target).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let ahead = target.duration_since(SystemTime::now()).unwrap_or_default();
    (date, Instant::now() + ahead)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.to_string()).into_response()
}

fn rate_limited_response(retry_after: &str) -> Response {
    let body = error_body("requests", "Rate limit reached for requests. Please try again later.", Some("rate_limit_exceeded"));
    let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
    if let Ok(value) = HeaderValue::from_str(retry_after) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn misuse(endpoint: &str, reply: &Reply) -> Response {
    let message = format!("mock-openai: a `{}` reply cannot answer {endpoint}", reply.kind());
    json_response(StatusCode::INTERNAL_SERVER_ERROR, &error_body("mock_misuse", &message, None))
}

fn bad_request(message: &str) -> Response {
    json_response(StatusCode::BAD_REQUEST, &error_body("invalid_request_error", message, None))
}

/// Sleeps through any `Delayed` wrappers and returns the reply inside.
async fn settle(mut reply: Reply) -> Reply {
    while let Reply::Delayed { delay, reply: inner } = reply {
        tokio::time::sleep(delay).await;
        reply = *inner;
    }
    reply
}

async fn chat_completions(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let json = shared.record(&method, &uri, &headers, &body);
    if let Some(denied) = shared.gate(&headers) {
        return denied;
    }
    let Some(json) = json else {
        return bad_request("The request body is not valid JSON.");
    };
    let streaming = json.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let context = ChatContext::from_request(shared.next_id("chatcmpl"), &json);
    let reply = settle(shared.pop().unwrap_or_else(Reply::default_text)).await;
    let reply = match shared.common_answer(reply) {
        Ok(response) => return response,
        Err(reply) => reply,
    };
    if streaming { stream_chat(&context, reply) } else { whole_chat(&context, reply) }
}

/// One SSE event to send, after an optional pause.
type Event = (Duration, Value);

fn stream_chat(context: &ChatContext, reply: Reply) -> Response {
    let mut events: Vec<Event> = vec![(Duration::ZERO, context.role_chunk())];
    let mut broken = false;
    match reply {
        Reply::Text { chunks, usage, chunk_delay } => {
            events.extend(chunks.iter().map(|c| (chunk_delay, context.text_chunk(c))));
            events.push((Duration::ZERO, context.finish_chunk("stop")));
            if context.include_usage {
                events.push((Duration::ZERO, context.usage_chunk(usage, chunks.len())));
            }
        }
        Reply::ToolCalls { calls, usage, interleave } => {
            // Each call: its opening chunk, then its argument fragments.
            let per_call: Vec<Vec<Value>> = calls
                .iter()
                .enumerate()
                .map(|(index, call)| {
                    std::iter::once(context.tool_call_start_chunk(index, call))
                        .chain(call.argument_fragments.iter().map(|f| context.tool_call_fragment_chunk(index, f)))
                        .collect()
                })
                .collect();
            if interleave {
                let longest = per_call.iter().map(Vec::len).max().unwrap_or(0);
                for step in 0..longest {
                    events.extend(per_call.iter().filter_map(|c| c.get(step).cloned()).map(|v| (Duration::ZERO, v)));
                }
            } else {
                events.extend(per_call.into_iter().flatten().map(|v| (Duration::ZERO, v)));
            }
            events.push((Duration::ZERO, context.finish_chunk("tool_calls")));
            if context.include_usage {
                let fragments = calls.iter().map(|c| c.argument_fragments.len()).sum();
                events.push((Duration::ZERO, context.usage_chunk(usage, fragments)));
            }
        }
        Reply::BrokenStream { chunks } => {
            events.extend(chunks.iter().map(|c| (Duration::ZERO, context.text_chunk(c))));
            broken = true;
        }
        other => return misuse(CHAT_PATH, &other),
    }

    let body: BoxStream<'static, io::Result<Bytes>> = stream::iter(events)
        .then(|(pause, event)| async move {
            if !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            Ok(Bytes::from(format!("data: {event}\n\n")))
        })
        .boxed();
    let ending: BoxStream<'static, io::Result<Bytes>> = if broken {
        // An error in the body makes the server drop the connection mid-way.
        // The pause first lets the server flush what was sent so far, so the
        // client sees the chunks and then the broken connection.
        stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(io::Error::other("mock-openai drops this stream on purpose"))
        })
        .boxed()
    } else {
        stream::once(async { Ok(Bytes::from_static(b"data: [DONE]\n\n")) }).boxed()
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from_stream(body.chain(ending)))
        .unwrap_or_else(|error| json_response(StatusCode::INTERNAL_SERVER_ERROR, &error_body("mock_error", &error.to_string(), None)))
}

fn whole_chat(context: &ChatContext, reply: Reply) -> Response {
    let completion = match reply {
        Reply::Text { chunks, usage, chunk_delay: _ } => context.completion(Some(chunks.concat()), &[], usage, chunks.len()),
        Reply::ToolCalls { calls, usage, interleave: _ } => {
            let fragments = calls.iter().map(|c| c.argument_fragments.len()).sum();
            context.completion(None, &calls, usage, fragments)
        }
        other => return misuse(&format!("{CHAT_PATH} without streaming"), &other),
    };
    json_response(StatusCode::OK, &completion)
}

async fn embeddings(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let json = shared.record(&method, &uri, &headers, &body);
    if let Some(denied) = shared.gate(&headers) {
        return denied;
    }
    let Some(json) = json else {
        return bad_request("The request body is not valid JSON.");
    };
    let inputs: Vec<String> = match json.get("input") {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => {
            return bad_request("mock-openai only understands `input` as a string or an array of strings.");
        }
    };
    let dimensions = json.get("dimensions").and_then(Value::as_u64).and_then(|d| usize::try_from(d).ok()).unwrap_or(DEFAULT_DIMENSIONS);
    let model = json.get("model").and_then(Value::as_str).unwrap_or("mock-embedding").to_owned();
    let prompt_tokens = inputs.iter().map(|t| t.split_whitespace().count()).sum::<usize>();
    let prompt_tokens = u32::try_from(prompt_tokens).unwrap_or(u32::MAX);

    let vectors = match shared.pop() {
        None => inputs.iter().map(|text| hashed_vector(text, dimensions)).collect(),
        Some(reply) => match shared.common_answer(settle(reply).await) {
            Ok(response) => return response,
            Err(Reply::Embeddings { vectors }) => vectors,
            Err(other) => return misuse(EMBEDDINGS_PATH, &other),
        },
    };
    json_response(StatusCode::OK, &embeddings_body(&model, vectors, prompt_tokens))
}

async fn unknown_route(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    shared.record(&method, &uri, &headers, &body);
    let message = format!("Invalid URL ({method} {})", uri.path());
    json_response(StatusCode::NOT_FOUND, &error_body("invalid_request_error", &message, None))
}
