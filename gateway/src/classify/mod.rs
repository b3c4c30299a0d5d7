//! Escalation labels for every shopper message: `normal`, `escalate` (a
//! person should take over: damaged or wrong item, returns and refunds, late
//! or lost delivery, complaints and frustration, asking for a person) or
//! `urgent` (fraud, unauthorised payments, chargebacks, legal threats, data
//! or security incidents, safety), each with a [`Reason`].
//!
//! Two layers:
//! - Offline, always on, no model needed: [`classify`] and
//!   [`classify_in_context`]. A logistic regression over hashed character
//!   n-grams and words ([`model`], [`features`]), trained by the gateway's
//!   build script from the labelled messages in `data/` and compiled into
//!   the binary, plus a few high-precision [`rules`], plus repetition across
//!   the shopper's earlier messages ([`context`]). Microseconds per message.
//! - Optional, when a store configures a cheap model: [`llm::classify_with_model`]
//!   makes one few-shot call that answers `{"label", "reason"}` as JSON, with a
//!   deadline; a bad or late answer is ignored. [`llm::combine`] merges the two
//!   so that only a higher label wins: the model can raise an offline
//!   `normal` to `escalate`, never lower an offline `urgent`.
//!
//! Typical use in a chat turn:
//! ```ignore
//! let offline = classify::classify_in_context(&message, &earlier_shopper_messages);
//! let label = match store_classifier_model {
//!     Some(model) => classify::llm::combine(offline, classify::llm::classify_with_model(model, &model_name, &message, &earlier, deadline).await),
//!     None => offline,
//! };
//! ```
//!
//! `chatgw classify-eval` prints precision and recall on the held-out set
//! (see `data/README.md` for where each set comes from).

pub mod context;
pub mod data;
pub mod eval;
pub mod features;
pub mod llm;
pub mod model;
pub mod rules;
pub mod train;

use serde::{Deserialize, Serialize};

pub use features::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Normal,
    Escalate,
    Urgent,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Normal, Label::Escalate, Label::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Normal => "normal",
            Label::Escalate => "escalate",
            Label::Urgent => "urgent",
        }
    }

    pub fn from_name(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// Why a message got its label. Each reason belongs to one label
/// ([`Reason::label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    None,
    // escalate
    AskedForHuman,
    DamagedItem,
    WrongItem,
    Return,
    Refund,
    LateDelivery,
    LostDelivery,
    Complaint,
    Frustration,
    // urgent
    Fraud,
    UnauthorisedPayment,
    Chargeback,
    Legal,
    Security,
    Safety,
}

impl Reason {
    pub const ALL: [Reason; 16] = [
        Reason::None,
        Reason::AskedForHuman,
        Reason::DamagedItem,
        Reason::WrongItem,
        Reason::Return,
        Reason::Refund,
        Reason::LateDelivery,
        Reason::LostDelivery,
        Reason::Complaint,
        Reason::Frustration,
        Reason::Fraud,
        Reason::UnauthorisedPayment,
        Reason::Chargeback,
        Reason::Legal,
        Reason::Security,
        Reason::Safety,
    ];

    /// Position in [`Reason::ALL`].
    pub fn index(self) -> usize {
        Reason::ALL.iter().position(|r| *r == self).expect("every reason is in ALL")
    }

    pub fn label(self) -> Label {
        match self {
            Reason::None => Label::Normal,
            Reason::AskedForHuman
            | Reason::DamagedItem
            | Reason::WrongItem
            | Reason::Return
            | Reason::Refund
            | Reason::LateDelivery
            | Reason::LostDelivery
            | Reason::Complaint
            | Reason::Frustration => Label::Escalate,
            Reason::Fraud | Reason::UnauthorisedPayment | Reason::Chargeback | Reason::Legal | Reason::Security | Reason::Safety => Label::Urgent,
        }
    }

    /// The serde name (`asked_for_human`, `unauthorised_payment`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::None => "none",
            Reason::AskedForHuman => "asked_for_human",
            Reason::DamagedItem => "damaged_item",
            Reason::WrongItem => "wrong_item",
            Reason::Return => "return",
            Reason::Refund => "refund",
            Reason::LateDelivery => "late_delivery",
            Reason::LostDelivery => "lost_delivery",
            Reason::Complaint => "complaint",
            Reason::Frustration => "frustration",
            Reason::Fraud => "fraud",
            Reason::UnauthorisedPayment => "unauthorised_payment",
            Reason::Chargeback => "chargeback",
            Reason::Legal => "legal",
            Reason::Security => "security",
            Reason::Safety => "safety",
        }
    }

    pub fn from_name(name: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// The label of one message, why, and how sure the layer that decided was
/// (a probability for the statistical model, 1.0 for a rule).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub label: Label,
    pub reason: Reason,
    pub confidence: f32,
}

impl Classification {
    pub fn normal(confidence: f32) -> Self {
        Classification { label: Label::Normal, reason: Reason::None, confidence }
    }

    fn for_reason(reason: Reason, confidence: f32) -> Self {
        Classification { label: reason.label(), reason, confidence }
    }
}

/// A message is flagged when the model puts at least this much probability
/// on the escalate and urgent reasons together. Chosen on the training set's
/// cross-validation and the dev sets, not on the held-out sets. On the
/// doubled training data (`chatgw classify-eval --cv`), 0.25 would reach
/// the recall target in cross-validation (0.956 against 0.886 at 0.5) but
/// costs precision on the eval cases' messages (dev: 0.921 at 0.25, 0.946 at
/// 0.3, 0.972 at 0.35–0.4, 1.000 at 0.45–0.5); 0.5 stayed. The recall the
/// cross-validation loses at 0.5 is mostly whole reason sections held out
/// of training; the precision lost below it is on ordinary questions.
const FLAG_THRESHOLD: f32 = 0.5;

/// Labels one shopper message on its own.
pub fn classify(message: &str) -> Classification {
    let statistical = statistical(message);
    match rules::check(message) {
        Some(ruled) if ruled.label > statistical.label => ruled,
        _ => statistical,
    }
}

/// Labels a message knowing the shopper's earlier messages in the same
/// conversation (oldest first): asking the same thing again is frustration
/// even when the message alone is an ordinary question.
pub fn classify_in_context(message: &str, earlier_shopper_messages: &[&str]) -> Classification {
    let alone = classify(message);
    if alone.label == Label::Normal && context::repeats_earlier(message, earlier_shopper_messages) {
        return Classification::for_reason(Reason::Frustration, 1.0);
    }
    alone
}

fn statistical(message: &str) -> Classification {
    let scores = model::score(message);
    let flagged = 1.0 - scores.of(Reason::None);
    if flagged < FLAG_THRESHOLD {
        return Classification::normal(scores.of(Reason::None));
    }
    let urgent = scores.label_mass(Label::Urgent);
    let escalate = scores.label_mass(Label::Escalate);
    let label = if urgent >= escalate { Label::Urgent } else { Label::Escalate };
    let reason = scores.best_reason(label);
    Classification::for_reason(reason, urgent.max(escalate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(m: &str) -> Label {
        classify(m).label
    }

    #[test]
    fn shopping_questions_are_normal() {
        for m in ["linen shirt for a summer wedding", "¿Tenéis la camisa en talla M?", "Есть ли эта куртка в размере M?", "What is your return window?"]
        {
            assert_eq!(label(m), Label::Normal, "{m}");
        }
    }

    #[test]
    fn escalations_in_several_languages() {
        assert_eq!(classify("The jacket arrived damaged").reason, Reason::DamagedItem);
        assert_eq!(classify("La camisa llegó rota, quiero un reembolso").label, Label::Escalate);
        assert_eq!(classify("Куртка пришла с браком").reason, Reason::DamagedItem);
        assert_eq!(classify("I want to talk to a person").reason, Reason::AskedForHuman);
        assert_eq!(classify("quiero hablar con una persona").reason, Reason::AskedForHuman);
        assert_eq!(label("THIS IS THE THIRD TIME I ASK"), Label::Escalate);
    }

    #[test]
    fn urgent_cases() {
        assert_eq!(label("I will file a chargeback"), Label::Urgent);
        assert_eq!(label("Voy a hablar con mi abogado"), Label::Urgent);
        assert_eq!(label("Это мошенничество"), Label::Urgent);
    }

    /// The demo failures named in the issue, in wordings that are in no data file.
    #[test]
    fn the_issue_demo_failures_are_flagged() {
        for (message, expected) in [
            ("I'm asking my bank to claw back the payment I made to you", Label::Urgent),
            ("Ich werde rechtliche Schritte gegen Ihre Firma einleiten", Label::Urgent),
            ("Vi porto in tribunale se non mi rispondete", Label::Urgent),
            ("Vou acionar a justiça contra vocês", Label::Urgent),
            ("somebody has been paying with my card on your website, it wasn't me", Label::Urgent),
            ("I'd like to return the sandals I got last week", Label::Escalate),
            ("Je voudrais parler à une vraie personne, s'il vous plaît", Label::Escalate),
        ] {
            assert_eq!(label(message), expected, "{message}");
        }
        let earlier = ["is the green parka in stock in size S?"];
        assert_eq!(classify_in_context("is the green parka in stock in S??", &earlier).reason, Reason::Frustration);
        assert_eq!(classify_in_context("is the green parka in stock in M?", &earlier).label, Label::Normal);
    }

    #[test]
    fn reasons_round_trip_through_their_serde_names() {
        for reason in Reason::ALL {
            let json = serde_json::to_value(reason).unwrap();
            assert_eq!(json, reason.as_str());
            assert_eq!(Reason::from_name(reason.as_str()), Some(reason));
            assert_eq!(Reason::ALL[reason.index()], reason);
        }
    }
}
