//! `--provider mock`: a model that says what the case scripts, so a case can
//! check the gateway's enforcement against a model that does the wrong
//! thing (claims stock without `get_stock`, states a price no tool gave,
//! invents an order status, slips into "as an AI language model"). Each
//! turn's `model:` list answers the gateway's requests of that turn in
//! order; once it runs out (or on turns that script nothing), the offline
//! responder answers, so a regeneration the gateway asks for still gets a
//! sensible answer.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt;
use serde::Deserialize;

use crate::catalog::card::estimate_tokens;
use crate::llm::offline::OfflineModel;
use crate::llm::{ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, ToolCall, Usage};

/// One scripted model answer: text for the shopper, or a tool call.
///
/// ```yaml
/// model:
///   - text: "Yes! The Sitges linen shirt is in stock in M."
///   - tool_call: {name: get_stock, arguments: {product_id: p0001, size: M}}
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedAnswer {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub tool_call: Option<ScriptedCall>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedCall {
    pub name: String,
    #[serde(default)]
    pub arguments: serde_json::Map<String, serde_json::Value>,
}

impl ScriptedAnswer {
    /// Exactly one of `text` and `tool_call`.
    pub fn validate(&self) -> Result<(), String> {
        match (&self.text, &self.tool_call) {
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err("give exactly one of `text` and `tool_call`".into()),
        }
    }
}

/// The answers left for the turn in flight; the runner sets them before
/// each turn.
#[derive(Debug, Default)]
pub struct MockScript {
    answers: Mutex<VecDeque<ScriptedAnswer>>,
    calls: Mutex<u64>,
}

impl MockScript {
    /// The answers of the next turn (replacing what the last turn left).
    pub fn set(&self, answers: &[ScriptedAnswer]) {
        if let Ok(mut queue) = self.answers.lock() {
            *queue = answers.iter().cloned().collect();
        }
    }

    fn next(&self) -> Option<ScriptedAnswer> {
        self.answers.lock().ok().and_then(|mut q| q.pop_front())
    }

    /// A call id no earlier scripted call used, so transcripts stay unambiguous.
    fn call_id(&self) -> String {
        let mut calls = self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *calls += 1;
        format!("call_mock_{calls}")
    }
}

/// The scripted model; the offline responder answers what is not scripted.
pub struct MockModel {
    script: Arc<MockScript>,
    fallback: OfflineModel,
}

impl MockModel {
    /// The model and the script handle the runner fills turn by turn.
    pub fn new() -> (Self, Arc<MockScript>) {
        let script = Arc::new(MockScript::default());
        (Self { script: script.clone(), fallback: OfflineModel }, script)
    }
}

#[async_trait]
impl ChatModel for MockModel {
    fn provider(&self) -> &'static str {
        "mock"
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let Some(answer) = self.script.next() else {
            return self.fallback.stream(request).await;
        };
        let prompt_tokens = request.messages.iter().map(|m| estimate_tokens(&m.content)).sum::<usize>() as u32;
        let mut events = Vec::new();
        let finish = match (answer.text, answer.tool_call) {
            (Some(text), _) => {
                // In a few pieces, as a streaming provider sends it, so the
                // gate sees sentences arrive across deltas.
                let mut piece = String::new();
                for word in text.split_inclusive(' ') {
                    piece.push_str(word);
                    if piece.len() >= 16 {
                        events.push(ModelEvent::TextDelta(std::mem::take(&mut piece)));
                    }
                }
                if !piece.is_empty() {
                    events.push(ModelEvent::TextDelta(piece));
                }
                events.push(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens: estimate_tokens(&text) as u32 }));
                FinishReason::Stop
            }
            (None, Some(call)) => {
                let arguments = serde_json::Value::Object(call.arguments).to_string();
                events.push(ModelEvent::ToolCall(ToolCall { id: self.script.call_id(), name: call.name, arguments }));
                events.push(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens: 12 }));
                FinishReason::ToolCalls
            }
            (None, None) => return Err(LlmError::Config("a scripted answer has neither `text` nor `tool_call`".into())),
        };
        events.push(ModelEvent::Finished { reason: finish });
        Ok(futures::stream::iter(events.into_iter().map(Ok)).boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn scripted_answers_come_in_order_then_the_offline_responder() {
        let (model, script) = MockModel::new();
        let text = ScriptedAnswer { text: Some("It is in stock in every size, promise.".into()), tool_call: None };
        let mut arguments = serde_json::Map::new();
        arguments.insert("product_id".into(), "p0001".into());
        let call = ScriptedAnswer { text: None, tool_call: Some(ScriptedCall { name: "get_stock".into(), arguments }) };
        script.set(&[text, call]);
        let request = || ChatRequest { messages: vec![crate::llm::ChatMessage::user("hello")], ..ChatRequest::default() };
        let first: Vec<_> = model.stream(request()).await.unwrap().collect().await;
        let said: String = first
            .iter()
            .filter_map(|e| match e {
                Ok(ModelEvent::TextDelta(t)) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(said, "It is in stock in every size, promise.");
        let second: Vec<_> = model.stream(request()).await.unwrap().collect().await;
        assert!(
            second.iter().any(|e| matches!(e, Ok(ModelEvent::ToolCall(c)) if c.name == "get_stock" && c.arguments == r#"{"product_id":"p0001"}"#)),
            "{second:?}"
        );
        // The script is used up: the offline responder answers.
        let third: Vec<_> = model.stream(request()).await.unwrap().collect().await;
        assert!(third.iter().any(|e| matches!(e, Ok(ModelEvent::Finished { .. }))), "{third:?}");
    }

    #[test]
    fn an_answer_is_text_or_a_call() {
        assert!(ScriptedAnswer { text: None, tool_call: None }.validate().is_err());
        assert!(ScriptedAnswer { text: Some("hi".into()), tool_call: None }.validate().is_ok());
    }
}
