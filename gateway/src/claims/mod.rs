//! Grounding enforcement for answers: facts a shopper could hold the shop
//! to (stock, price, shipping cost and time, order status) may come only
//! from tools called in the same turn. This module finds such claims in a
//! sentence, checks them against the turn's tool results, and gives the
//! safe sentence that replaces a claim that stays unbacked. Product
//! knowledge (materials, fit) from the catalog cards is not checked here.
//!
//! Streaming: feed model text to a [`SentenceSplitter`], run
//! [`check_sentence`] on each sentence it releases, and send only sentences
//! that pass; see [`SentenceVerdict`] for what to do with one that fails.

mod check;
mod detect;
mod evidence;
mod figures;
mod lexicon;
mod safe;
pub mod slip;
mod splitter;
mod text;

#[cfg(test)]
mod tests;

use serde::Serialize;

pub use check::check;
pub use detect::detect;
pub use evidence::{Evidence, KnownProduct};
pub use figures::{DOLLAR, DayRange, Money};
pub use safe::{safe_general, safe_sentence};
pub use splitter::SentenceSplitter;

/// What a claim is about; each kind is backed by one tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Availability,
    Price,
    ShippingCost,
    ShippingTime,
    OrderStatus,
}

impl ClaimKind {
    /// The tool whose result backs this kind of claim: the one to force
    /// (`tool_choice`) when the model made such a claim without it.
    pub fn tool(self) -> &'static str {
        match self {
            ClaimKind::Availability | ClaimKind::Price => crate::tools::catalog::GET_STOCK,
            ClaimKind::ShippingCost | ClaimKind::ShippingTime => crate::tools::shipping::GET_SHIPPING,
            ClaimKind::OrderStatus => crate::connector::tools::GET_ORDER_STATUS,
        }
    }
}

/// Where an order is, as answers say it and as store systems report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    Pending,
    Processing,
    Shipped,
    Delivered,
    Cancelled,
    Refunded,
}

/// One claim found in a sentence (or in one clause of it: "in M, but not
/// in S" is two), with the figures it states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub kind: ClaimKind,
    /// The clause the claim was found in, as written.
    pub text: String,
    /// For availability: in stock (`true`) or not (`false`).
    pub in_stock: Option<bool>,
    /// Money amounts (prices; for shipping, costs and free-over thresholds).
    pub amounts: Vec<Money>,
    /// Discount percentages ("20% off").
    pub percents: Vec<u32>,
    /// Counts ("only 3 left", "quedan 2").
    pub quantities: Vec<u32>,
    /// Delivery or dispatch time.
    pub days: Option<DayRange>,
    /// "Free shipping".
    pub free: bool,
    /// Order states stated ("shipped", "enviado", "отправлен").
    pub states: Vec<OrderState>,
    /// Order numbers named ("#1042", "pedido 1042").
    pub order_refs: Vec<String>,
    /// SKUs and tracking numbers named.
    pub codes: Vec<String>,
    /// Sizes named ("M", "talla 38").
    pub sizes: Vec<String>,
    /// Folded words of the clause and of the whole sentence, for finding
    /// the product and options it names.
    #[serde(skip)]
    pub(crate) words: Vec<String>,
    #[serde(skip)]
    pub(crate) sentence_words: Vec<String>,
    /// Capitalised words past the first (folded) with their index in
    /// `sentence_words`: they may name a product.
    #[serde(skip)]
    pub(crate) names: Vec<(usize, String)>,
}

/// Whether a claim is backed by the turn's tool results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Backed,
    /// `why` is for logs and for the firmer instruction to the model.
    Unbacked {
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckedClaim {
    pub claim: Claim,
    pub verdict: Verdict,
}

/// The outcome of checking one sentence. Send it when [`passes`]; otherwise
/// regenerate once, forcing [`tools_to_force`] with
/// [`regeneration_instruction`], and if it still fails send
/// [`replacement`] instead of the sentence.
///
/// [`passes`]: SentenceVerdict::passes
/// [`tools_to_force`]: SentenceVerdict::tools_to_force
/// [`regeneration_instruction`]: SentenceVerdict::regeneration_instruction
/// [`replacement`]: SentenceVerdict::replacement
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceVerdict {
    pub claims: Vec<CheckedClaim>,
    /// An assistant-mode slip ("as an AI language model").
    pub slip: bool,
    /// The safe sentence in the shopper's language for the first unbacked
    /// claim (or the slip); `None` when the sentence passes.
    pub replacement: Option<&'static str>,
}

impl SentenceVerdict {
    pub fn passes(&self) -> bool {
        !self.slip && self.claims.iter().all(|c| c.verdict == Verdict::Backed)
    }

    pub fn unbacked(&self) -> impl Iterator<Item = &CheckedClaim> {
        self.claims.iter().filter(|c| c.verdict != Verdict::Backed)
    }

    /// Tools that would back the unbacked claims, without repeats.
    pub fn tools_to_force(&self) -> Vec<&'static str> {
        let mut tools: Vec<&'static str> = Vec::new();
        for c in self.unbacked() {
            let tool = c.claim.kind.tool();
            if !tools.contains(&tool) {
                tools.push(tool);
            }
        }
        tools
    }

    /// A firmer system instruction for the regeneration, naming what was
    /// wrong so the model can fix it (English: prompts are in English).
    pub fn regeneration_instruction(&self) -> String {
        let mut lines = vec![
            "Your previous answer stated facts that no tool result of this turn supports. Facts about stock, price, shipping and orders may come only from tool results of this turn: call the tool, then state exactly what it returned, for the product it returned it for. If you cannot call it, say you cannot confirm this now and offer a person from the team.".to_owned(),
        ];
        for c in self.unbacked() {
            if let Verdict::Unbacked { why } = &c.verdict {
                lines.push(format!("- \"{}\": {why} (use `{}`)", c.claim.text.trim(), c.claim.kind.tool()));
            }
        }
        if self.slip {
            lines.push(slip::STRONGER_INSTRUCTION.to_owned());
        }
        lines.join("\n")
    }
}

/// Detects and checks every claim of `sentence` against `evidence`;
/// `language` (ISO 639-1) picks the replacement's language.
pub fn check_sentence(sentence: &str, language: &str, evidence: &Evidence) -> SentenceVerdict {
    let claims: Vec<CheckedClaim> = detect(sentence).into_iter().map(|claim| CheckedClaim { verdict: check(&claim, evidence), claim }).collect();
    let slip = slip::detect(sentence);
    let replacement =
        if slip { Some(safe_general(language)) } else { claims.iter().find(|c| c.verdict != Verdict::Backed).map(|c| safe_sentence(c.claim.kind, language)) };
    SentenceVerdict { claims, slip, replacement }
}
