//! What a turn knows for certain, shared by the stages that use it: the
//! chat turn builds it, the model providers read it (the offline responder
//! instead of parsing prose back), and the enforcement stage checks the
//! answer against it. It sits below `chat` and `llm` so neither depends on
//! the other for it.

use crate::search::RetrievedCard;

/// Structured facts of the turn that the prompt also carries as text. The
/// `openai` provider ignores it (the model reads the prompt); the offline
/// responder reads it instead of parsing prose back.
#[derive(Debug, Clone, Default)]
pub struct TurnGrounding {
    /// ISO 639-1 code of the language to answer in.
    pub reply_language: String,
    pub store_name: String,
    /// Cards retrieved for this turn, best first.
    pub cards: Vec<RetrievedCard>,
    /// Products the conversation talked about in earlier turns, newest first.
    pub recent_product_ids: Vec<String>,
}
