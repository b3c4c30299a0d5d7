//! Stage 3: the model and its tools. Each round streams the model's text
//! through the enforcement gate (stage 4, `enforce`) and runs the tools it
//! asks for, until it answers without a tool call or the rounds run out.

use futures::StreamExt;

use super::context::TurnContext;
use super::enforce::{AnswerEnd, Gate, REGENERATIONS};
use super::retrieve::Retrieval;
use super::turn::Turn;
use super::{ChatEvent, ToolStatus, TurnError, prompt};
use crate::claims::{Evidence, KnownProduct};
use crate::llm::{ChatMessage, ChatRequest, ModelEvent, Role, ToolCall, ToolChoice, Usage};
use crate::session::trim_to_budget;
use crate::storage::MessageRole;
use crate::tools::{ToolContext, ToolOutcome};

/// The answer as it was released to the shopper, and what it cost.
pub(super) struct Draft {
    pub text: String,
    pub outcomes: Vec<ToolOutcome>,
    pub usage: Usage,
    /// The model that wrote it (`offline` for the offline responder; the
    /// fallback when it answered the last round).
    pub model: String,
    /// What the turn's model rounds cost at the store's prices; none when a
    /// model that answered has no price.
    pub cost: Option<f64>,
}

impl Turn {
    pub(super) async fn converse(&self, context: &TurnContext, retrieval: &Retrieval) -> Result<Draft, TurnError> {
        let store = self.store.clone();
        let config = &store.config;
        let system = prompt::system_prompt(config, context.reply_language(), &retrieval.cards);
        let history_window = trim_to_budget(&context.history, self.ctx.limits.history_token_budget);
        let mut messages = prompt::messages(system, history_window, &self.message);

        let routing = &config.models;
        let tools = store.tools.definitions();
        let known: Vec<KnownProduct> = retrieval.cards.iter().map(|c| KnownProduct::from_product(&c.product)).collect();
        let evidence = Evidence::new(&[], &known, &config.currency);
        let mut gate = Gate::new(self.tx.clone(), context.reply_language(), evidence);
        // Order identifiers must come from the shopper's own messages.
        let shopper_said: Vec<&str> =
            context.history.iter().filter(|e| e.role == MessageRole::User).map(|e| e.text.as_str()).chain([self.message.as_str()]).collect();
        let mut outcomes: Vec<ToolOutcome> = Vec::new();
        let mut usage = Usage::default();
        let default_model = if store.model.is_offline() { "offline" } else { routing.chat.as_str() };
        let mut model = default_model.to_owned();
        // Priced per round: a round may be answered by the fallback model.
        let mut cost = Some(0.0);
        let mut tool_choice = ToolChoice::Auto;
        // Tool rounds, plus the one regeneration the gate may ask for.
        let rounds = routing.max_tool_rounds.max(1) + REGENERATIONS;
        for round in 0..=rounds {
            let last_round = round == rounds;
            let request = ChatRequest {
                model: routing.chat.clone(),
                messages: messages.clone(),
                tools: if last_round { Vec::new() } else { tools.clone() },
                tool_choice: if last_round { ToolChoice::None } else { std::mem::replace(&mut tool_choice, ToolChoice::Auto) },
                temperature: Some(routing.temperature),
                max_tokens: Some(routing.max_tokens),
                grounding: Some(retrieval.grounding.clone()),
            };
            let mut stream = store.model.stream(request).await?;
            let mut calls: Vec<ToolCall> = Vec::new();
            let mut round_text = String::new();
            let mut round_model = default_model.to_owned();
            let mut round_usage = Usage::default();
            while let Some(event) = stream.next().await {
                match event? {
                    ModelEvent::Model(answering) => round_model = answering,
                    ModelEvent::TextDelta(text) => {
                        round_text.push_str(&text);
                        gate.push(&text).await;
                    }
                    ModelEvent::ToolCall(call) => calls.push(call),
                    ModelEvent::Usage(u) => {
                        round_usage.prompt_tokens += u.prompt_tokens;
                        round_usage.completion_tokens += u.completion_tokens;
                    }
                    ModelEvent::Finished { .. } => break,
                }
            }
            usage.prompt_tokens += round_usage.prompt_tokens;
            usage.completion_tokens += round_usage.completion_tokens;
            let round_cost = routing.cost(&round_model, round_usage.prompt_tokens, round_usage.completion_tokens);
            cost = cost.zip(round_cost).map(|(sum, round)| sum + round);
            model = round_model;
            if !calls.is_empty() && !last_round {
                messages.push(ChatMessage { role: Role::Assistant, content: round_text, tool_calls: calls.clone(), tool_call_id: None });
                for call in &calls {
                    let outcome = self.call_tool(call, &shopper_said).await;
                    gate.tool_result(&outcome);
                    messages.push(ChatMessage::tool_result(call.id.clone(), outcome.result.to_string()));
                    outcomes.push(outcome);
                }
                continue;
            }
            match gate.end_answer().await {
                AnswerEnd::Final => break,
                AnswerEnd::Regenerate { tools: needed, instruction } => {
                    // The held draft is not kept; the model answers again
                    // with the backing tool forced, if the store has it.
                    messages.push(ChatMessage::system(instruction));
                    if let Some(tool) = needed.into_iter().find(|t| tools.iter().any(|d| d.name == *t)) {
                        tool_choice = ToolChoice::Function(tool.to_owned());
                    }
                }
            }
        }
        let text = gate.finish();
        Ok(Draft { text, outcomes, usage, model, cost })
    }

    /// Runs one tool call within the turn's tool deadline, with `tool`
    /// events before and after.
    async fn call_tool(&self, call: &ToolCall, shopper_said: &[&str]) -> ToolOutcome {
        let config = &self.store.config;
        self.emit(ChatEvent::Tool { name: call.name.clone(), status: ToolStatus::Started }).await;
        let deadline = self.ctx.limits.tool_timeout;
        let turn = ToolContext { store_id: &config.id, session_id: &self.conversation_id, client_ip: self.client_ip, shopper_said };
        let outcome = match tokio::time::timeout(deadline, self.store.tools.call_in_turn(&turn, call)).await {
            Ok(outcome) => outcome,
            Err(_) => ToolOutcome {
                call_id: call.id.clone(),
                name: call.name.clone(),
                arguments: serde_json::from_str(&call.arguments).unwrap_or(serde_json::Value::Null),
                ok: false,
                result: serde_json::json!({"error": format!("the tool did not answer within {} s", deadline.as_secs())}),
                duration_ms: deadline.as_millis() as u64,
            },
        };
        let status = if outcome.ok { ToolStatus::Ok } else { ToolStatus::Error };
        self.emit(ChatEvent::Tool { name: call.name.clone(), status }).await;
        outcome
    }
}
