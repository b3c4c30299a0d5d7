//! The `openai` chat provider: any OpenAI-compatible `/chat/completions`
//! endpoint (OpenAI, Azure-style base URLs, Ollama, vLLM, OpenRouter), through
//! async-openai's client, streamed.
//!
//! async-openai's default HTTP executor retries 429 and 5xx on its own (three
//! times, without a cap on `Retry-After`) and hides the response headers. So
//! the client is built with [`async_openai::Client::with_http_service`] and a
//! small transport of ours (`Transport`): it sends each request with
//! reqwest and turns a non-success answer into an `HttpFailure` carrying
//! the status, the parsed `Retry-After` and the provider's message (with the
//! API key scrubbed out). The retry policy (`RetryPolicy`) then lives here:
//! exponential backoff with jitter on 429, 5xx and connection errors before
//! the stream starts, honouring `Retry-After`, capped by `max_backoff`; then
//! the fallback model, once.
//!
//! A stream counts as started once its first chunk arrived: a 200 that stalls
//! or breaks before any chunk is retried like a connection error. After that,
//! errors come as `Err` items of the stream and are not retried.
//!
//! The transport and retry pieces are `pub(crate)`: the OpenAI embedder
//! ([`crate::embed::openai`]) uses them too.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::{OpenAIError, WrappedError};
use async_openai::middleware::HttpRequestFactory;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls, ChatCompletionNamedToolChoice, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    ChatCompletionResponseStream, ChatCompletionStreamOptions, ChatCompletionTool, ChatCompletionToolChoiceOption, ChatCompletionTools,
    CreateChatCompletionRequest, CreateChatCompletionStreamResponse, FinishReason as WireFinishReason, FunctionCall, FunctionName, FunctionObject,
    ToolChoiceOptions,
};
use async_trait::async_trait;
use futures::StreamExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

use super::{ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, Role, ToolCall, ToolChoice, Usage};

/// An API key. Never printed: `Debug` and `Display` show `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretKey {
    fn from(key: String) -> Self {
        Self(key)
    }
}

impl From<&str> for SecretKey {
    fn from(key: &str) -> Self {
        Self(key.to_owned())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How to reach an OpenAI-compatible chat endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// Up to and including the version segment, e.g.
    /// `https://api.openai.com/v1` or `http://localhost:11434/v1`. A query
    /// string (Azure's `?api-version=...`) is kept and sent on every request.
    pub base_url: String,
    /// Sent as `Authorization: Bearer` (as `api-key` for `*.azure.com`
    /// hosts); `None` sends no credentials (local servers).
    pub api_key: Option<SecretKey>,
    pub model: String,
    /// Tried once, with the same retry policy, when the model is rate-limited,
    /// failing or too slow after all retries.
    pub fallback_model: Option<String>,
    /// Longest wait for the first byte of an answer and between two chunks.
    pub timeout: Duration,
    /// Retries after the first attempt, per model.
    pub max_retries: u32,
    /// First backoff; doubles with each retry (plus jitter).
    pub backoff_base: Duration,
    /// Longest wait between two attempts, `Retry-After` included.
    pub max_backoff: Duration,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: "https://api.openai.com/v1".to_owned(),
            api_key: None,
            model: "gpt-4o-mini".to_owned(),
            fallback_model: None,
            timeout: Duration::from_secs(30),
            max_retries: 2,
            backoff_base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
        }
    }
}

/// A chat model behind an OpenAI-compatible endpoint.
pub struct OpenAiChatModel {
    client: Client<OpenAIConfig>,
    base_url: String,
    model: String,
    fallback_model: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    /// OpenAI's own API wants `max_completion_tokens` (its reasoning models
    /// refuse `max_tokens`); most compatible servers only know `max_tokens`.
    use_max_completion_tokens: bool,
}

impl fmt::Debug for OpenAiChatModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiChatModel")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("fallback_model", &self.fallback_model)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl OpenAiChatModel {
    pub fn new(settings: OpenAiSettings) -> Result<Self, LlmError> {
        if settings.model.trim().is_empty() {
            return Err(LlmError::Config("the chat model name is empty".to_owned()));
        }
        if settings.timeout.is_zero() {
            return Err(LlmError::Config("the chat model timeout must be above zero".to_owned()));
        }
        let endpoint = Endpoint::parse(&settings.base_url).map_err(LlmError::Config)?;
        let use_max_completion_tokens = endpoint.is_openai_hosted();
        let client = endpoint.client(settings.api_key.as_ref(), settings.timeout).map_err(LlmError::Config)?;
        Ok(Self {
            client,
            base_url: endpoint.display_url(),
            model: settings.model,
            fallback_model: settings.fallback_model.filter(|m| !m.trim().is_empty()),
            timeout: settings.timeout,
            retry: RetryPolicy { max_retries: settings.max_retries, backoff_base: settings.backoff_base, max_backoff: settings.max_backoff },
            use_max_completion_tokens,
        })
    }

    /// The wire request for `request`, addressed to `model`.
    fn wire_request(&self, request: &ChatRequest, model: &str) -> Result<CreateChatCompletionRequest, LlmError> {
        let messages = request.messages.iter().map(wire_message).collect::<Result<Vec<_>, _>>()?;
        let tools: Vec<ChatCompletionTools> = request
            .tools
            .iter()
            .map(|tool| {
                ChatCompletionTools::Function(ChatCompletionTool {
                    function: FunctionObject {
                        name: tool.name.clone(),
                        description: Some(tool.description.clone()).filter(|d| !d.is_empty()),
                        parameters: Some(tool.parameters.clone()),
                        strict: None,
                    },
                })
            })
            .collect();
        // `tool_choice` without tools is an error for OpenAI, so both go
        // together.
        let tool_choice = (!tools.is_empty()).then(|| match &request.tool_choice {
            ToolChoice::Auto => ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Auto),
            ToolChoice::None => ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::None),
            ToolChoice::Required => ChatCompletionToolChoiceOption::Mode(ToolChoiceOptions::Required),
            ToolChoice::Function(name) => {
                ChatCompletionToolChoiceOption::Function(ChatCompletionNamedToolChoice { function: FunctionName { name: name.clone() } })
            }
        });
        let mut wire = CreateChatCompletionRequest {
            model: model.to_owned(),
            messages,
            tools: (!tools.is_empty()).then_some(tools),
            tool_choice,
            temperature: request.temperature,
            stream: Some(true),
            stream_options: Some(ChatCompletionStreamOptions { include_usage: Some(true), include_obfuscation: None }),
            ..Default::default()
        };
        if self.use_max_completion_tokens {
            wire.max_completion_tokens = request.max_tokens;
        } else {
            #[allow(deprecated)] // still the field most compatible servers read
            {
                wire.max_tokens = request.max_tokens;
            }
        }
        Ok(wire)
    }

    /// Opens a stream for `model`, retrying as the policy allows.
    async fn open_with_retries(&self, wire: &CreateChatCompletionRequest) -> Result<ModelStream, CallError> {
        with_retries(&self.retry, &wire.model, || self.open_once(wire.clone())).await
    }

    /// One attempt: the response head and the first chunk, each within the
    /// timeout.
    async fn open_once(&self, wire: CreateChatCompletionRequest) -> Result<ModelStream, CallError> {
        let model = wire.model.clone();
        let chat = self.client.chat();
        let mut upstream =
            tokio::time::timeout(self.timeout, chat.create_stream(wire)).await.map_err(|_| CallError::Timeout)?.map_err(CallError::from_openai)?;
        let first = tokio::time::timeout(self.timeout, upstream.next()).await.map_err(|_| CallError::Timeout)?;
        match first {
            None => Err(CallError::Connection("the stream ended before its first chunk".to_owned())),
            Some(Err(error)) => Err(CallError::from_openai(error)),
            Some(Ok(chunk)) => Ok(model_events(chunk, upstream, model, self.timeout)),
        }
    }

    fn llm_error(&self, model: &str, error: CallError) -> LlmError {
        error.into_llm_error(model, self.timeout)
    }
}

#[async_trait]
impl ChatModel for OpenAiChatModel {
    fn provider(&self) -> &'static str {
        "openai"
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let model = if request.model.trim().is_empty() { self.model.as_str() } else { request.model.as_str() };
        let mut wire = self.wire_request(&request, model)?;
        let error = match self.open_with_retries(&wire).await {
            Ok(stream) => return Ok(answered_by(model, stream)),
            Err(error) => error,
        };
        let fallback = self.fallback_model.as_deref().filter(|fallback| *fallback != model);
        match fallback {
            Some(fallback) if error.warrants_fallback() => {
                tracing::warn!(model, fallback, error = %error, "chat model failed; trying the fallback model");
                wire.model = fallback.to_owned();
                let stream = self.open_with_retries(&wire).await.map_err(|e| self.llm_error(fallback, e))?;
                Ok(answered_by(fallback, stream))
            }
            _ => Err(self.llm_error(model, error)),
        }
    }
}

/// `stream`, told first which model answers it (so the transcript and the
/// cost name the fallback when it answered).
fn answered_by(model: &str, stream: ModelStream) -> ModelStream {
    Box::pin(futures::stream::once(std::future::ready(Ok(ModelEvent::Model(model.to_owned())))).chain(stream))
}

fn wire_message(message: &super::ChatMessage) -> Result<ChatCompletionRequestMessage, LlmError> {
    let text = message.content.clone();
    Ok(match message.role {
        Role::System => ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
            content: ChatCompletionRequestSystemMessageContent::Text(text),
            name: None,
        }),
        Role::User => {
            ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage { content: ChatCompletionRequestUserMessageContent::Text(text), name: None })
        }
        Role::Assistant => {
            let tool_calls: Vec<ChatCompletionMessageToolCalls> = message
                .tool_calls
                .iter()
                .map(|call| {
                    ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                        id: call.id.clone(),
                        function: FunctionCall { name: call.name.clone(), arguments: call.arguments.clone() },
                    })
                })
                .collect();
            // An assistant turn that only called tools has no content.
            let content = (!text.is_empty() || tool_calls.is_empty()).then_some(ChatCompletionRequestAssistantMessageContent::Text(text));
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content,
                tool_calls: (!tool_calls.is_empty()).then_some(tool_calls),
                ..Default::default()
            })
        }
        Role::Tool => {
            let Some(call_id) = message.tool_call_id.clone() else {
                return Err(LlmError::Config("a tool result message has no tool_call_id, so the model cannot match it to its call".to_owned()));
            };
            ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
                content: ChatCompletionRequestToolMessageContent::Text(text),
                tool_call_id: call_id,
            })
        }
    })
}

/// Turns upstream chunks (starting with `first`) into model events, with the
/// between-chunk timeout.
fn model_events(first: CreateChatCompletionStreamResponse, mut upstream: ChatCompletionResponseStream, model: String, timeout: Duration) -> ModelStream {
    let stream = async_stream::stream! {
        let mut assembler = Assembler::default();
        let mut pending = assembler.on_chunk(first);
        loop {
            let mut failed = false;
            for event in pending.drain(..) {
                failed |= event.is_err();
                yield event;
                if failed {
                    break;
                }
            }
            if failed {
                break;
            }
            match tokio::time::timeout(timeout, upstream.next()).await {
                Ok(Some(Ok(chunk))) => pending = assembler.on_chunk(chunk),
                Ok(None) => {
                    yield assembler.end();
                    break;
                }
                Ok(Some(Err(error))) => {
                    // Once the model finished, only the usage chunk can be
                    // missing: the answer itself is whole.
                    yield assembler.end_early(|| CallError::from_openai(error).into_llm_error(&model, timeout));
                    break;
                }
                Err(_) => {
                    yield assembler.end_early(|| LlmError::Timeout {
                        model: model.clone(),
                        timeout_ms: millis(timeout),
                    });
                    break;
                }
            }
        }
    };
    Box::pin(stream)
}

/// A tool call being streamed, by index.
#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

/// Collects streamed deltas into events: text as it comes, tool calls once
/// the choice finishes, `Finished` at the end of the stream (after usage).
#[derive(Debug, Default)]
struct Assembler {
    calls: BTreeMap<u32, PartialCall>,
    finish: Option<FinishReason>,
}

impl Assembler {
    fn on_chunk(&mut self, chunk: CreateChatCompletionStreamResponse) -> Vec<Result<ModelEvent, LlmError>> {
        let mut events = Vec::new();
        // Only the first choice is read: requests never ask for `n > 1`.
        for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
            if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                events.push(Ok(ModelEvent::TextDelta(text)));
            }
            for delta in choice.delta.tool_calls.unwrap_or_default() {
                let call = self.calls.entry(delta.index).or_default();
                if let Some(id) = delta.id.filter(|id| !id.is_empty()) {
                    call.id = id;
                }
                if let Some(function) = delta.function {
                    // The name comes whole in the call's first chunk.
                    if let Some(name) = function.name.filter(|n| !n.is_empty())
                        && call.name.is_empty()
                    {
                        call.name = name;
                    }
                    if let Some(arguments) = function.arguments {
                        call.arguments.push_str(&arguments);
                    }
                }
            }
            if let Some(reason) = choice.finish_reason {
                events.extend(self.flush_calls());
                self.finish = Some(match reason {
                    WireFinishReason::Stop => FinishReason::Stop,
                    WireFinishReason::Length => FinishReason::Length,
                    WireFinishReason::ToolCalls => FinishReason::ToolCalls,
                    WireFinishReason::ContentFilter => FinishReason::ContentFilter,
                    WireFinishReason::FunctionCall => FinishReason::Other,
                });
            }
        }
        if let Some(usage) = chunk.usage {
            events.push(Ok(ModelEvent::Usage(Usage { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens })));
        }
        events
    }

    /// The finished tool calls, in index order.
    fn flush_calls(&mut self) -> Vec<Result<ModelEvent, LlmError>> {
        std::mem::take(&mut self.calls)
            .into_iter()
            .map(|(index, call)| {
                if call.name.is_empty() {
                    return Err(LlmError::Protocol(format!("tool call #{index} arrived without a function name")));
                }
                let id = if call.id.is_empty() { format!("call_{index}") } else { call.id };
                Ok(ModelEvent::ToolCall(ToolCall { id, name: call.name, arguments: call.arguments }))
            })
            .collect()
    }

    /// The last event when the stream ended normally.
    fn end(&mut self) -> Result<ModelEvent, LlmError> {
        match self.finish {
            Some(reason) => Ok(ModelEvent::Finished { reason }),
            None => Err(LlmError::Protocol("the stream ended before the model finished its answer".to_owned())),
        }
    }

    /// The last event when the stream failed: `Finished` if the model had
    /// already finished, else the error.
    fn end_early(&mut self, error: impl FnOnce() -> LlmError) -> Result<ModelEvent, LlmError> {
        match self.finish {
            Some(reason) => {
                tracing::debug!("stream failed after the model finished; the usage chunk may be missing");
                Ok(ModelEvent::Finished { reason })
            }
            None => Err(error()),
        }
    }
}

// ---------------------------------------------------------------------------
// Shared with the OpenAI embedder: endpoint, transport, errors, retries.
// ---------------------------------------------------------------------------

/// A parsed base URL: where requests go and how they authenticate.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Without query and trailing slash.
    api_base: String,
    /// Query pairs of the base URL, sent on every request.
    query: Vec<(String, String)>,
    host: String,
}

impl Endpoint {
    pub(crate) fn parse(base_url: &str) -> Result<Self, String> {
        let url = reqwest::Url::parse(base_url.trim()).map_err(|error| format!("base URL `{base_url}` is not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("base URL `{base_url}` must start with http:// or https://"));
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let query = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let mut bare = url;
        bare.set_query(None);
        bare.set_fragment(None);
        let api_base = bare.as_str().trim_end_matches('/').to_owned();
        Ok(Self { api_base, query, host })
    }

    /// OpenAI's own API or an Azure OpenAI resource.
    fn is_openai_hosted(&self) -> bool {
        self.host == "api.openai.com" || self.host.ends_with(".openai.com") || self.is_azure()
    }

    /// Azure takes API keys in an `api-key` header.
    fn is_azure(&self) -> bool {
        self.host.ends_with(".azure.com")
    }

    /// The base URL for logs (the query can hold credentials, so it is left
    /// out).
    pub(crate) fn display_url(&self) -> String {
        self.api_base.clone()
    }

    /// An async-openai client that sends through our [`Transport`].
    /// `connect_timeout` bounds each TCP/TLS connection attempt.
    pub(crate) fn client(&self, api_key: Option<&SecretKey>, connect_timeout: Duration) -> Result<Client<OpenAIConfig>, String> {
        let key = api_key.filter(|k| !k.expose().is_empty()).cloned();
        let http = reqwest::Client::builder().connect_timeout(connect_timeout).build().map_err(|error| format!("cannot build the HTTP client: {error}"))?;
        let transport = Transport {
            inner: Arc::new(TransportInner {
                http,
                query: self.query.clone(),
                azure_key: if self.is_azure() { key.clone() } else { None },
                send_bearer: key.is_some() && !self.is_azure(),
                secret: key.clone(),
            }),
        };
        let config = OpenAIConfig::new()
            .with_api_base(self.api_base.clone())
            .with_api_key(key.as_ref().map(|k| k.expose().to_owned()).unwrap_or_default())
            // `OpenAIConfig::new` reads OPENAI_ORG_ID / OPENAI_PROJECT_ID
            // from the environment; this client sends only what it is given.
            .with_org_id("")
            .with_project_id("");
        let service = tower::service_fn(move |factory: HttpRequestFactory| transport.clone().send(factory));
        Ok(Client::with_config(config).with_http_service(service))
    }
}

/// Sends requests for async-openai and reports failed ones with their status
/// and `Retry-After` (which async-openai's own error type drops).
#[derive(Clone)]
struct Transport {
    inner: Arc<TransportInner>,
}

struct TransportInner {
    http: reqwest::Client,
    query: Vec<(String, String)>,
    /// Set for Azure hosts: the key goes in `api-key`.
    azure_key: Option<SecretKey>,
    /// Keep async-openai's `Authorization: Bearer` header.
    send_bearer: bool,
    /// To scrub from error messages.
    secret: Option<SecretKey>,
}

impl Transport {
    async fn send(self, factory: HttpRequestFactory) -> Result<reqwest::Response, OpenAIError> {
        let inner = &self.inner;
        let mut request = factory.build().await?;
        if !inner.query.is_empty() {
            request.url_mut().query_pairs_mut().extend_pairs(&inner.query);
        }
        if !inner.send_bearer {
            request.headers_mut().remove(AUTHORIZATION);
        }
        if let Some(key) = &inner.azure_key {
            let mut value =
                HeaderValue::from_str(key.expose()).map_err(|_| OpenAIError::InvalidArgument("the API key is not a valid header value".to_owned()))?;
            value.set_sensitive(true);
            request.headers_mut().insert(HeaderName::from_static("api-key"), value);
        }
        let response = inner.http.execute(request).await.map_err(|e| OpenAIError::Reqwest(e.without_url()))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers(), SystemTime::now());
        let body = response.bytes().await.unwrap_or_default();
        let (message, kind) = error_message(status, &body);
        let message = redact(&message, inner.secret.as_ref());
        Err(OpenAIError::Boxed(Box::new(HttpFailure { status, retry_after, message, kind })))
    }
}

/// A non-success HTTP answer.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {message}")]
pub(crate) struct HttpFailure {
    status: u16,
    retry_after: Option<Duration>,
    message: String,
    /// The error's `type` or `code`, when the body had one.
    kind: Option<String>,
}

/// The provider's message from an error body (OpenAI's `{"error": {...}}`
/// or plain text), and its type or code.
fn error_message(status: u16, body: &[u8]) -> (String, Option<String>) {
    if let Ok(wrapped) = serde_json::from_slice::<WrappedError>(body) {
        let error = wrapped.error;
        let kind = error.code.clone().or(error.r#type.clone());
        let mut message = error.message;
        if let Some(code) = &error.code {
            message.push_str(&format!(" (code: {code})"));
        }
        return (truncate(&message), kind);
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("no message");
        (reason.to_owned(), None)
    } else {
        (truncate(text), None)
    }
}

/// The wait a 429 or 503 asks for: `retry-after-ms` (sent by OpenAI), or
/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let millis = headers
        .get("retry-after-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map(|ms| Duration::from_secs_f64(ms / 1000.0));
    millis.or_else(|| parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, now))
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`; a
/// date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn truncate(text: &str) -> String {
    const LIMIT: usize = 400;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `text` with the key replaced by `[redacted]`.
pub(crate) fn redact(text: &str, secret: Option<&SecretKey>) -> String {
    match secret.map(SecretKey::expose) {
        // Very short keys (`ollama`-style placeholders aside) would match
        // ordinary words; real keys are long.
        Some(key) if key.len() >= 6 => text.replace(key, "[redacted]"),
        _ => text.to_owned(),
    }
}

/// Why one attempt failed, before any event reached the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallError {
    /// No response head (or first chunk) within the timeout.
    Timeout,
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    Status {
        status: u16,
        message: String,
        /// A 503 may say when to come back too.
        retry_after: Option<Duration>,
    },
    Connection(String),
    Protocol(String),
    Config(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Timeout => f.write_str("timed out"),
            CallError::RateLimited { retry_after, message } => {
                write!(f, "rate-limited (Retry-After: {retry_after:?}): {message}")
            }
            CallError::Status { status, message, .. } => write!(f, "HTTP {status}: {message}"),
            CallError::Connection(message) => write!(f, "connection failed: {message}"),
            CallError::Protocol(message) => write!(f, "unreadable answer: {message}"),
            CallError::Config(message) => write!(f, "misconfigured: {message}"),
        }
    }
}

impl CallError {
    pub(crate) fn from_openai(error: OpenAIError) -> Self {
        match error {
            OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
                Ok(failure) => CallError::from_failure(*failure),
                Err(other) => CallError::Connection(truncate(&other.to_string())),
            },
            OpenAIError::Reqwest(error) if error.is_builder() => CallError::Config(error.to_string()),
            OpenAIError::Reqwest(error) => CallError::Connection(describe_reqwest(&error)),
            OpenAIError::StreamError(error) => CallError::Connection(format!("the stream broke: {error}")),
            OpenAIError::JSONDeserialize(error, content) => CallError::Protocol(truncate(&format!("{error} in `{content}`"))),
            OpenAIError::ApiError(error) => {
                CallError::Status { status: error.status_code.as_u16(), message: truncate(&error.api_error.to_string()), retry_after: None }
            }
            OpenAIError::InvalidArgument(message) => CallError::Config(message),
            other => CallError::Protocol(truncate(&other.to_string())),
        }
    }

    fn from_failure(failure: HttpFailure) -> Self {
        // `insufficient_quota` comes as a 429 but will not pass by waiting.
        let quota = failure.kind.as_deref() == Some("insufficient_quota");
        if failure.status == 429 && !quota {
            CallError::RateLimited { retry_after: failure.retry_after, message: failure.message }
        } else {
            CallError::Status { status: failure.status, message: failure.message, retry_after: failure.retry_after }
        }
    }

    /// Worth another attempt with the same model: 429, 5xx, 408 and
    /// transport failures.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            CallError::RateLimited { .. } | CallError::Connection(_) => true,
            CallError::Status { status, .. } => *status >= 500 || *status == 408,
            CallError::Timeout | CallError::Protocol(_) | CallError::Config(_) => false,
        }
    }

    /// Worth trying the fallback model: whatever retrying could not fix, and
    /// timeouts (a slow model may be overloaded).
    fn warrants_fallback(&self) -> bool {
        self.is_retryable() || matches!(self, CallError::Timeout)
    }

    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            CallError::RateLimited { retry_after, .. } | CallError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    fn into_llm_error(self, model: &str, timeout: Duration) -> LlmError {
        match self {
            CallError::Timeout => LlmError::Timeout { model: model.to_owned(), timeout_ms: millis(timeout) },
            CallError::RateLimited { retry_after, .. } => {
                LlmError::RateLimited { retry_after_s: retry_after.map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)) }
            }
            CallError::Status { status, message, .. } => LlmError::Upstream { status, message: format!("{message} (model `{model}`)") },
            CallError::Connection(message) => LlmError::Connection(message),
            CallError::Protocol(message) => LlmError::Protocol(message),
            CallError::Config(message) => LlmError::Config(message),
        }
    }
}

fn describe_reqwest(error: &reqwest::Error) -> String {
    // The chain carries the useful part ("connection refused", ...).
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    truncate(&text)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Backoff between attempts.
#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) max_backoff: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): the server's
    /// `Retry-After` when it sent one, else `backoff_base * 2^retry` with
    /// "equal jitter" (half fixed, half random); capped by `max_backoff`.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let exponential = self.backoff_base.saturating_mul(2u32.saturating_pow(retry.min(30))).min(self.max_backoff);
        let half = exponential / 2;
        let jitter_ms = rand::random_range(0..=millis(exponential - half));
        half + Duration::from_millis(jitter_ms)
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the policy's retries
/// run out; returns the last error then.
pub(crate) async fn with_retries<T, F, Fut>(policy: &RetryPolicy, target: &str, mut attempt: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CallError>>,
{
    let mut retry = 0;
    loop {
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) if error.is_retryable() && retry < policy.max_retries => {
                let delay = policy.delay(retry, error.retry_after());
                tracing::warn!(
                    target_model = target,
                    retry = retry + 1,
                    max_retries = policy.max_retries,
                    delay_ms = millis(delay),
                    error = %error,
                    "OpenAI-compatible request failed; retrying"
                );
                tokio::time::sleep(delay).await;
                retry += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_470); // 2015-10-21 07:27:50 UTC
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retry_after_ms_wins_over_retry_after() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(3)));
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_millis(250)));
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let policy = RetryPolicy { max_retries: 5, backoff_base: Duration::from_millis(100), max_backoff: Duration::from_millis(1000) };
        for retry in 0..8 {
            let full = Duration::from_millis(100 * 2u64.pow(retry)).min(Duration::from_millis(1000));
            let delay = policy.delay(retry, None);
            assert!(delay >= full / 2 && delay <= full, "retry {retry}: {delay:?}");
        }
        assert_eq!(policy.delay(0, Some(Duration::from_secs(2))), Duration::from_millis(1000));
        assert_eq!(policy.delay(0, Some(Duration::from_millis(300))), Duration::from_millis(300));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let key = SecretKey::new("sk-live-abcdef123456");
        assert_eq!(format!("{key:?} {key}"), "[redacted] [redacted]");
        let settings = OpenAiSettings { api_key: Some(key.clone()), ..OpenAiSettings::default() };
        assert!(!format!("{settings:?}").contains("sk-live"));
        assert_eq!(redact("Incorrect API key provided: sk-live-abcdef123456.", Some(&key)), "Incorrect API key provided: [redacted].");
    }

    #[test]
    fn endpoint_keeps_query_and_spots_openai_and_azure() {
        let azure = Endpoint::parse("https://shop.openai.azure.com/openai/v1/?api-version=preview").expect("url");
        assert_eq!(azure.api_base, "https://shop.openai.azure.com/openai/v1");
        assert_eq!(azure.query, vec![("api-version".to_owned(), "preview".to_owned())]);
        assert!(azure.is_azure() && azure.is_openai_hosted());
        let local = Endpoint::parse("http://localhost:11434/v1").expect("url");
        assert!(!local.is_openai_hosted());
        assert!(Endpoint::parse("ftp://example.com").is_err());
        assert!(Endpoint::parse("not a url").is_err());
    }

    #[test]
    fn error_bodies_give_the_provider_message() {
        let body = br#"{"error":{"message":"Bad thing","type":"invalid_request_error","param":null,"code":"bad"}}"#;
        assert_eq!(error_message(400, body), ("Bad thing (code: bad)".to_owned(), Some("bad".to_owned())));
        assert_eq!(error_message(502, b"<html>oops</html>").0, "<html>oops</html>");
        assert_eq!(error_message(503, b"").0, "Service Unavailable");
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let status = |status| CallError::Status { status, message: String::new(), retry_after: None };
        assert!(status(500).is_retryable());
        assert!(status(503).is_retryable());
        assert!(!status(400).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(CallError::RateLimited { retry_after: None, message: String::new() }.is_retryable());
        assert!(!CallError::Timeout.is_retryable());
        assert!(CallError::Timeout.warrants_fallback());
        let quota = HttpFailure { status: 429, retry_after: None, message: "quota".to_owned(), kind: Some("insufficient_quota".to_owned()) };
        assert!(!CallError::from_failure(quota).is_retryable());
    }
}
