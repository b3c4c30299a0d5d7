//! Scripted replies: what the mock answers to the next request.

use std::time::Duration;

/// Token counts to report in a usage chunk (or the `usage` field of a
/// non-streamed answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

/// One tool call of a scripted [`Reply::ToolCalls`]: its first chunk carries
/// the index, id, type and function name; each entry of `argument_fragments`
/// then goes out in a chunk of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCallScript {
    pub id: String,
    pub name: String,
    pub argument_fragments: Vec<String>,
}

impl ToolCallScript {
    pub fn new<I, S>(id: impl Into<String>, name: impl Into<String>, argument_fragments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self { id: id.into(), name: name.into(), argument_fragments: argument_fragments.into_iter().map(Into::into).collect() }
    }

    /// The whole argument text, as a client should reassemble it.
    pub fn arguments(&self) -> String {
        self.argument_fragments.concat()
    }
}

/// What the mock answers to one request. Replies are queued with
/// [`crate::MockOpenAi::push`] and consumed in order by both endpoints.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Streamed text: one chunk per entry of `chunks` (after an opening chunk
    /// carrying the assistant role), then a chunk with finish_reason "stop",
    /// a usage chunk if the request asked for one, and `data: [DONE]`.
    /// `chunk_delay` is slept before each text chunk, to simulate a stall.
    /// Answered as one JSON completion when the request has `stream: false`.
    Text { chunks: Vec<String>, usage: Option<Usage>, chunk_delay: Duration },
    /// Streamed tool calls, each split over several chunks, ending with
    /// finish_reason "tool_calls". With `interleave`, the fragments of the
    /// calls alternate (call 0, call 1, call 0, ...) instead of coming one
    /// call after the other, which a client must also handle.
    ToolCalls { calls: Vec<ToolCallScript>, usage: Option<Usage>, interleave: bool },
    /// HTTP 429 with `Retry-After` (whole seconds, or an HTTP date that many
    /// seconds ahead) and OpenAI's error body. Until that moment every request
    /// is answered 429 again without consuming the queue.
    RateLimited { retry_after_secs: u64, http_date: bool },
    /// Any error status with OpenAI's error body, e.g. 500 or 400.
    Error { status: u16, error_type: String, message: String },
    /// Waits before sending anything (headers included), then answers with
    /// the inner reply.
    Delayed { delay: Duration, reply: Box<Reply> },
    /// Starts a text stream, sends the opening chunk and these text chunks,
    /// then drops the connection without a finish chunk or `[DONE]`.
    BrokenStream { chunks: Vec<String> },
    /// An embeddings answer with exactly these vectors (in input order).
    Embeddings { vectors: Vec<Vec<f32>> },
}

impl Reply {
    /// Streamed text made of these chunks.
    pub fn text<I, S>(chunks: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Reply::Text { chunks: chunks.into_iter().map(Into::into).collect(), usage: None, chunk_delay: Duration::ZERO }
    }

    /// Streamed tool calls, one call after the other.
    pub fn tool_calls(calls: Vec<ToolCallScript>) -> Self {
        Reply::ToolCalls { calls, usage: None, interleave: false }
    }

    /// HTTP 429 with `Retry-After: <secs>`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Reply::RateLimited { retry_after_secs, http_date: false }
    }

    /// HTTP 429 with `Retry-After` as an HTTP date `secs` seconds ahead
    /// (rounded up to the next whole second, as HTTP dates have no fraction).
    pub fn rate_limited_http_date(retry_after_secs: u64) -> Self {
        Reply::RateLimited { retry_after_secs, http_date: true }
    }

    /// HTTP 500 with OpenAI's server-error body.
    pub fn server_error() -> Self {
        Reply::error(500, "server_error", "The server had an error while processing your request. Sorry about that!")
    }

    /// Any status with OpenAI's error body.
    pub fn error(status: u16, error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Reply::Error { status, error_type: error_type.into(), message: message.into() }
    }

    /// Waits `delay` before the first byte of `reply`.
    pub fn delayed(delay: Duration, reply: Reply) -> Self {
        Reply::Delayed { delay, reply: Box::new(reply) }
    }

    /// A text stream that breaks after these chunks.
    pub fn broken_stream<I, S>(chunks: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Reply::BrokenStream { chunks: chunks.into_iter().map(Into::into).collect() }
    }

    /// An embeddings answer with exactly these vectors.
    pub fn embeddings(vectors: Vec<Vec<f32>>) -> Self {
        Reply::Embeddings { vectors }
    }

    /// Sets the usage reported for a text or tool-call reply (ignored by
    /// other kinds).
    pub fn with_usage(mut self, prompt_tokens: u32, completion_tokens: u32) -> Self {
        let new = Some(Usage { prompt_tokens, completion_tokens });
        match &mut self {
            Reply::Text { usage, .. } | Reply::ToolCalls { usage, .. } => *usage = new,
            _ => {}
        }
        self
    }

    /// Sleeps `delay` before each text chunk of a text reply (ignored by
    /// other kinds).
    pub fn with_chunk_delay(mut self, delay: Duration) -> Self {
        if let Reply::Text { chunk_delay, .. } = &mut self {
            *chunk_delay = delay;
        }
        self
    }

    /// Alternates the fragments of parallel tool calls (ignored by other
    /// kinds).
    pub fn interleaved(mut self) -> Self {
        if let Reply::ToolCalls { interleave, .. } = &mut self {
            *interleave = true;
        }
        self
    }

    /// The answer used when the queue is empty: a short streamed text.
    pub fn default_text() -> Self {
        Reply::text(["Hello", " from", " mock-openai."])
    }

    /// A short name for error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Reply::Text { .. } => "text",
            Reply::ToolCalls { .. } => "tool_calls",
            Reply::RateLimited { .. } => "rate_limited",
            Reply::Error { .. } => "error",
            Reply::Delayed { .. } => "delayed",
            Reply::BrokenStream { .. } => "broken_stream",
            Reply::Embeddings { .. } => "embeddings",
        }
    }
}
