//! The offline model: a deterministic responder for the embedded demo and
//! for testing the whole pipeline without an API key. It reads the turn's
//! grounding (retrieved cards, products of earlier turns) and tool results
//! and answers what was asked, in the reply language (en, es, ru, ca, fr,
//! de, it, pt):
//! - stock, sizes and prices through `get_stock`, only for a product the
//!   message names or the conversation was about; "this jacket" with no
//!   such product gets "which one do you mean?", never a guess;
//! - "nothing in our catalogue fits" when no card is of the kind asked for
//!   or none shares a word with the message;
//! - order status through `get_order_status`, asking for the order number
//!   and email first; shipping through `get_shipping` when the store offers
//!   it, else it says it cannot confirm and offers a person.
//!
//! Every answer is marked offline in its metadata.

mod answers;
mod phrases;
mod products;
mod understand;

use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{ChatMessage, ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, Role, ToolCall, TurnGrounding, Usage};
use crate::catalog::Product;
use crate::catalog::card::estimate_tokens;
use crate::tools::orders::GET_ORDER_STATUS;
use answers::{describe, fit_answer, order_answer, product_list, returns_policy, shipping_answer, shipping_arguments, stock_answer, stock_arguments, which_of};
use phrases::Phrases;
use products::{Earlier, Referent, any_card_relevant, earlier_referent, fits_kinds, named_in, products};
use understand::{Intent, Message, bare_order_ref, email, intent_of, order_ref, points_at_something, postcode, product_types_in, requested_size};

const GET_STOCK: &str = "get_stock";
const GET_SHIPPING: &str = "get_shipping";

#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineModel;

#[async_trait]
impl ChatModel for OfflineModel {
    fn provider(&self) -> &'static str {
        "offline"
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let reply = respond(&request);
        let prompt_tokens = request.messages.iter().map(|m| estimate_tokens(&m.content)).sum::<usize>() as u32;
        let mut events: Vec<Result<ModelEvent, LlmError>> = Vec::new();
        let finish = match reply {
            Reply::Text(text) => {
                let completion_tokens = estimate_tokens(&text) as u32;
                // Stream word by word, as a real model would.
                let mut chunk = String::new();
                for piece in text.split_inclusive(' ') {
                    chunk.push_str(piece);
                    if chunk.len() >= 12 {
                        events.push(Ok(ModelEvent::TextDelta(std::mem::take(&mut chunk))));
                    }
                }
                if !chunk.is_empty() {
                    events.push(Ok(ModelEvent::TextDelta(chunk)));
                }
                events.push(Ok(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens })));
                FinishReason::Stop
            }
            Reply::Call(call) => {
                events.push(Ok(ModelEvent::ToolCall(call)));
                events.push(Ok(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens: 12 })));
                FinishReason::ToolCalls
            }
        };
        events.push(Ok(ModelEvent::Finished { reason: finish }));
        Ok(futures::stream::iter(events).boxed())
    }
}

enum Reply {
    Text(String),
    Call(ToolCall),
}

fn respond(request: &ChatRequest) -> Reply {
    let grounding = request.grounding.clone().unwrap_or_else(|| Arc::new(TurnGrounding::default()));
    let lang = Phrases::for_language(&grounding.reply_language);
    let Some(last_user) = request.messages.iter().rposition(|m| m.role == Role::User) else {
        return Reply::Text(lang.greeting.to_owned());
    };
    let turn = OfflineTurn { request, grounding: &grounding, lang, message: Message::new(&request.messages[last_user].content), last_user };
    turn.reply()
}

/// One answer being worked out.
struct OfflineTurn<'a> {
    request: &'a ChatRequest,
    grounding: &'a TurnGrounding,
    lang: &'static Phrases,
    message: Message,
    last_user: usize,
}

impl OfflineTurn<'_> {
    fn language(&self) -> &str {
        &self.grounding.reply_language
    }

    /// Tool results of this turn (after the shopper's message), oldest first.
    fn tool_results(&self) -> Vec<(String, Value)> {
        let after = &self.request.messages[self.last_user + 1..];
        after
            .iter()
            .filter(|m| m.role == Role::Tool)
            .filter_map(|m| {
                let call = after.iter().flat_map(|a| a.tool_calls.iter()).find(|c| Some(&c.id) == m.tool_call_id.as_ref())?;
                Some((call.name.clone(), serde_json::from_str(&m.content).unwrap_or(Value::Null)))
            })
            .collect()
    }

    fn offers(&self, tool: &str) -> bool {
        self.request.tools.iter().any(|t| t.name == tool)
    }

    /// Earlier shopper and assistant messages, newest first.
    fn history(&self) -> Vec<Earlier<'_>> {
        self.request.messages[..self.last_user]
            .iter()
            .rev()
            .filter_map(|m| match m.role {
                Role::User => Some(Earlier::Shopper(m.content.as_str())),
                Role::Assistant if !m.content.is_empty() => Some(Earlier::Assistant(m.content.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The shopper's messages, newest (this one) first, at most `n`.
    fn shopper_messages(&self, n: usize) -> Vec<Message> {
        self.request.messages[..=self.last_user].iter().rev().filter(|m| m.role == Role::User).take(n).map(|m| Message::new(&m.content)).collect()
    }

    fn reply(&self) -> Reply {
        let results = self.tool_results();
        // A tool answered this turn: answer from its result, and call
        // nothing more.
        if let Some((name, result)) = results.last() {
            let text = match name.as_str() {
                GET_STOCK => stock_answer(self.lang, &self.grounding.cards, self.language(), result),
                GET_ORDER_STATUS => order_answer(self.lang, result),
                GET_SHIPPING => shipping_answer(self.lang, self.language(), result),
                _ => self.lang.which_product.to_owned(),
            };
            return Reply::Text(text);
        }
        let mut intent = intent_of(&self.message);
        if intent != Intent::Order && self.continues_an_order_question() {
            intent = Intent::Order;
        }
        match intent {
            Intent::Greeting => Reply::Text(self.lang.greeting.to_owned()),
            Intent::Thanks => Reply::Text(self.lang.thanks.to_owned()),
            Intent::Person => Reply::Text(self.lang.person.to_owned()),
            Intent::Order => self.order(),
            Intent::Shipping => self.shipping(),
            Intent::Returns => Reply::Text(self.returns()),
            Intent::Stock => self.stock(),
            Intent::Sizing => self.sizing(),
            Intent::Browse => Reply::Text(self.browse()),
        }
    }

    /// An email, postcode or bare order number right after an order
    /// question belongs to it.
    fn continues_an_order_question(&self) -> bool {
        let gives_identifier = email(&self.message).is_some() || postcode(&self.message).is_some() || bare_order_ref(&self.message).is_some();
        gives_identifier && self.shopper_messages(3).iter().skip(1).any(|m| intent_of(m) == Intent::Order)
    }

    /// The product this message is about: named in it, else the one the
    /// conversation was about (of the kind asked, if any). "The sitges one"
    /// after a question about shirts means the Sitges shirt, not the Sitges
    /// trousers: a tie is broken by the kind asked for earlier.
    fn referent(&self) -> Referent<'_> {
        let asked = product_types_in(&self.message);
        let cards = &self.grounding.cards;
        match named_in(&self.message, cards, &asked) {
            Referent::Nothing => earlier_referent(&self.history(), cards, &self.grounding.recent_product_ids, &asked),
            Referent::Several(options) if asked.is_empty() => match self.earlier_kinds() {
                Some(kinds) => match named_in(&self.message, cards, &kinds) {
                    one @ Referent::One(_) => one,
                    _ => Referent::Several(options),
                },
                None => Referent::Several(options),
            },
            found => found,
        }
    }

    /// Kinds of product the shopper's latest earlier message asked for.
    fn earlier_kinds(&self) -> Option<Vec<&'static str>> {
        self.shopper_messages(4).iter().skip(1).map(product_types_in).find(|kinds| !kinds.is_empty())
    }

    fn stock(&self) -> Reply {
        let language = self.language();
        let asked = product_types_in(&self.message);
        let product = match self.referent() {
            Referent::One(product) => product,
            Referent::Several(options) => return Reply::Text(which_of(self.lang, &options, language)),
            Referent::Nothing => {
                let of_kind: Vec<&Product> = products(&self.grounding.cards).into_iter().filter(|p| fits_kinds(p, &asked)).collect();
                return Reply::Text(if !asked.is_empty() {
                    // "Do you have this jacket in M?": of the jackets shown,
                    // which one? None shown: nothing fits.
                    if of_kind.is_empty() { self.lang.nothing_found.to_owned() } else { which_of(self.lang, &of_kind, language) }
                } else if points_at_something(&self.message, language) || !any_card_relevant(&self.message, &self.grounding.cards) {
                    // "Is it in stock?", "M?" with nothing before it.
                    self.lang.which_product.to_owned()
                } else {
                    // "Anything for a beach wedding in M?": options first.
                    self.browse()
                });
            }
        };
        if !self.offers(GET_STOCK) {
            return Reply::Text(format!(
                "{}

{}",
                describe(product, language),
                self.lang.stock_unavailable
            ));
        }
        let size = requested_size(self.message.raw());
        let arguments = stock_arguments(product, size.as_deref());
        Reply::Call(ToolCall { id: format!("call_offline_{}", product.id), name: GET_STOCK.into(), arguments: arguments.to_string() })
    }

    fn sizing(&self) -> Reply {
        match self.referent() {
            Referent::One(product) => Reply::Text(fit_answer(self.lang, product, self.language())),
            Referent::Several(options) => Reply::Text(which_of(self.lang, &options, self.language())),
            Referent::Nothing => Reply::Text(self.browse()),
        }
    }

    fn browse(&self) -> String {
        let language = self.language();
        let asked = product_types_in(&self.message);
        let cards = &self.grounding.cards;
        if let Referent::One(product) = named_in(&self.message, cards, &asked) {
            return product_list(self.lang, &[product], language);
        }
        let fitting: Vec<_> = products(cards).into_iter().filter(|p| fits_kinds(p, &asked)).collect();
        if fitting.is_empty() || (asked.is_empty() && !any_card_relevant(&self.message, cards)) {
            return self.lang.nothing_found.to_owned();
        }
        product_list(self.lang, &fitting, language)
    }

    /// Order status: needs the tool, an order number and the email (or
    /// postcode) from the shopper's last messages.
    fn order(&self) -> Reply {
        if !self.offers(GET_ORDER_STATUS) {
            return Reply::Text(self.lang.order_no_tool.to_owned());
        }
        let recent = self.shopper_messages(4);
        let reference = recent.iter().enumerate().find_map(|(i, m)| order_ref(m).or_else(|| if i == 0 { bare_order_ref(m) } else { None }));
        let Some(reference) = reference else {
            return Reply::Text(self.lang.order_ask_both.to_owned());
        };
        let email = recent.iter().find_map(email);
        let postcode = recent.iter().find_map(postcode);
        if email.is_none() && postcode.is_none() {
            return Reply::Text((self.lang.order_ask_email)(&reference));
        }
        let mut arguments = json!({ "order_ref": reference });
        if let Some(email) = email {
            arguments["email"] = json!(email);
        }
        if let Some(postcode) = postcode {
            arguments["postcode"] = json!(postcode);
        }
        Reply::Call(ToolCall { id: "call_offline_order".into(), name: GET_ORDER_STATUS.into(), arguments: arguments.to_string() })
    }

    /// Shipping facts come only from the store's `get_shipping` tool.
    fn shipping(&self) -> Reply {
        match self.request.tools.iter().find(|t| t.name == GET_SHIPPING) {
            Some(tool) => {
                let arguments = shipping_arguments(&tool.parameters, &self.message, self.language());
                Reply::Call(ToolCall { id: "call_offline_shipping".into(), name: GET_SHIPPING.into(), arguments: arguments.to_string() })
            }
            None => Reply::Text(self.lang.shipping_no_tool.to_owned()),
        }
    }

    /// The store's own returns policy, quoted, or a person to help.
    fn returns(&self) -> String {
        let system = self.request.messages.iter().find(|m| m.role == Role::System).map(|m: &ChatMessage| m.content.as_str()).unwrap_or_default();
        match returns_policy(system) {
            Some(policy) => (self.lang.returns_policy)(&policy),
            None => self.lang.returns_no_policy.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests;
