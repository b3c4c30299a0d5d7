//! OpenAI's JSON shapes: chat.completion.chunk events, chat.completion
//! objects, embedding lists and error bodies.

use serde_json::{Value, json};

use crate::reply::{ToolCallScript, Usage};

/// Fixed creation time, so recorded answers are reproducible.
const CREATED: u64 = 1_700_000_000;

/// Facts of the request an answer echoes or depends on.
#[derive(Debug, Clone)]
pub(crate) struct ChatContext {
    pub id: String,
    pub model: String,
    pub include_usage: bool,
    /// Rough prompt size, used when a reply does not script its usage.
    pub prompt_words: u32,
}

impl ChatContext {
    pub(crate) fn from_request(id: String, body: &Value) -> Self {
        let model = body.get("model").and_then(Value::as_str).unwrap_or("mock-model").to_owned();
        let include_usage = body.pointer("/stream_options/include_usage").and_then(Value::as_bool).unwrap_or(false);
        let prompt_words = body
            .get("messages")
            .and_then(Value::as_array)
            .map(|messages| messages.iter().filter_map(|m| m.get("content").and_then(Value::as_str)).map(|text| text.split_whitespace().count()).sum::<usize>())
            .unwrap_or(0);
        Self { id, model, include_usage, prompt_words: u32::try_from(prompt_words).unwrap_or(u32::MAX) }
    }

    fn chunk(&self, choices: Value) -> Value {
        let mut chunk = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": self.model,
            "system_fingerprint": "fp_mock",
            "choices": choices,
        });
        if self.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    }

    fn usage_json(&self, usage: Option<Usage>, completion_parts: usize) -> Value {
        let usage = usage.unwrap_or(Usage { prompt_tokens: self.prompt_words, completion_tokens: u32::try_from(completion_parts).unwrap_or(u32::MAX) });
        json!({
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "total_tokens": usage.prompt_tokens.saturating_add(usage.completion_tokens),
        })
    }

    /// The chunk that opens every streamed answer.
    pub(crate) fn role_chunk(&self) -> Value {
        self.chunk(json!([{
            "index": 0,
            "delta": {"role": "assistant", "content": ""},
            "logprobs": null,
            "finish_reason": null,
        }]))
    }

    pub(crate) fn text_chunk(&self, text: &str) -> Value {
        self.chunk(json!([{
            "index": 0,
            "delta": {"content": text},
            "logprobs": null,
            "finish_reason": null,
        }]))
    }

    /// The opening chunk of one tool call: index, id, type and name.
    pub(crate) fn tool_call_start_chunk(&self, index: usize, call: &ToolCallScript) -> Value {
        self.chunk(json!([{
            "index": 0,
            "delta": {"tool_calls": [{
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }]},
            "logprobs": null,
            "finish_reason": null,
        }]))
    }

    pub(crate) fn tool_call_fragment_chunk(&self, index: usize, fragment: &str) -> Value {
        self.chunk(json!([{
            "index": 0,
            "delta": {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]},
            "logprobs": null,
            "finish_reason": null,
        }]))
    }

    pub(crate) fn finish_chunk(&self, reason: &str) -> Value {
        self.chunk(json!([{"index": 0, "delta": {}, "logprobs": null, "finish_reason": reason}]))
    }

    /// The closing chunk with no choices and the token counts.
    pub(crate) fn usage_chunk(&self, usage: Option<Usage>, completion_parts: usize) -> Value {
        let mut chunk = self.chunk(json!([]));
        chunk["usage"] = self.usage_json(usage, completion_parts);
        chunk
    }

    /// A whole `chat.completion` object for `stream: false`.
    pub(crate) fn completion(&self, content: Option<String>, tool_calls: &[ToolCallScript], usage: Option<Usage>, completion_parts: usize) -> Value {
        let mut message = json!({"role": "assistant", "content": content, "refusal": null});
        let finish_reason = if tool_calls.is_empty() {
            "stop"
        } else {
            message["tool_calls"] = tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments()},
                    })
                })
                .collect();
            "tool_calls"
        };
        json!({
            "id": self.id,
            "object": "chat.completion",
            "created": CREATED,
            "model": self.model,
            "system_fingerprint": "fp_mock",
            "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish_reason}],
            "usage": self.usage_json(usage, completion_parts),
        })
    }
}

/// OpenAI's error body.
pub(crate) fn error_body(error_type: &str, message: &str, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": error_type, "param": null, "code": code}})
}

/// An embeddings list answer.
pub(crate) fn embeddings_body(model: &str, vectors: Vec<Vec<f32>>, prompt_tokens: u32) -> Value {
    let data: Vec<Value> =
        vectors.into_iter().enumerate().map(|(index, embedding)| json!({"object": "embedding", "index": index, "embedding": embedding})).collect();
    json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
    })
}

/// A deterministic vector for `text`: each component comes from a 64-bit
/// FNV-1a hash of the text and the component's index, spread over [-1, 1].
/// Not normalised, so a client's normalisation is observable.
pub(crate) fn hashed_vector(text: &str, dimensions: usize) -> Vec<f32> {
    (0..dimensions)
        .map(|i| {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in text.as_bytes().iter().chain((i as u64).to_le_bytes().iter()) {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            // Top 24 bits give an exact f32 in [0, 1).
            let unit = (hash >> 40) as f32 / (1u64 << 24) as f32;
            unit * 2.0 - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_vectors_are_deterministic_and_differ_by_text() {
        let a = hashed_vector("red shoes", 8);
        assert_eq!(a, hashed_vector("red shoes", 8));
        assert_ne!(a, hashed_vector("blue shoes", 8));
        assert_eq!(a.len(), 8);
        assert!(a.iter().all(|x| (-1.0..=1.0).contains(x)));
    }
}
