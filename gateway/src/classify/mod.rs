//! Escalation labels for every shopper message: `normal`, `escalate` (a
//! human should take over: damage, refunds, complaints, frustration, asking
//! for a person) or `urgent` (fraud, chargebacks, legal threats). Rules work
//! on stems in every supported language, on text folded to lower case
//! without accents, so they need no model and cost microseconds.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Normal,
    Escalate,
    Urgent,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Normal => "normal",
            Label::Escalate => "escalate",
            Label::Urgent => "urgent",
        }
    }
}

/// Why a message got its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    None,
    AskedForHuman,
    DamagedItem,
    WrongOrder,
    Refund,
    Complaint,
    Frustration,
    Fraud,
    Legal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub label: Label,
    pub reason: Reason,
}

/// (stem, reason) pairs; a stem matches the start of a word, or a phrase
/// anywhere when it contains a space.
const URGENT: &[(&str, Reason)] = &[
    ("fraud", Reason::Fraud),
    ("chargeback", Reason::Fraud),
    ("scam", Reason::Fraud),
    ("stolen card", Reason::Fraud),
    ("unauthori", Reason::Fraud),
    ("lawyer", Reason::Legal),
    ("attorney", Reason::Legal),
    ("sue you", Reason::Legal),
    ("legal action", Reason::Legal),
    ("police", Reason::Legal),
    ("consumer protection", Reason::Legal),
    ("fraude", Reason::Fraud),
    ("estafa", Reason::Fraud),
    ("abogad", Reason::Legal),
    ("denuncia", Reason::Legal),
    ("demanda", Reason::Legal),
    ("policia", Reason::Legal),
    ("contracargo", Reason::Fraud),
    ("мошенни", Reason::Fraud),
    ("обман", Reason::Fraud),
    ("юрист", Reason::Legal),
    ("адвокат", Reason::Legal),
    ("в суд", Reason::Legal),
    ("судебн", Reason::Legal),
    ("полици", Reason::Legal),
    ("чарджбэк", Reason::Fraud),
    ("escroquer", Reason::Fraud),
    ("avocat", Reason::Legal),
    ("betrug", Reason::Fraud),
    ("anwalt", Reason::Legal),
    ("truffa", Reason::Fraud),
    ("avvocat", Reason::Legal),
    ("golpe", Reason::Fraud),
    ("advogad", Reason::Legal),
];

const ESCALATE: &[(&str, Reason)] = &[
    // asking for a person
    ("talk to a person", Reason::AskedForHuman),
    ("talk to a human", Reason::AskedForHuman),
    ("speak to a human", Reason::AskedForHuman),
    ("speak to someone", Reason::AskedForHuman),
    ("real person", Reason::AskedForHuman),
    ("human agent", Reason::AskedForHuman),
    ("customer service", Reason::AskedForHuman),
    ("speak to a person", Reason::AskedForHuman),
    ("talk to someone", Reason::AskedForHuman),
    ("hablar con una persona", Reason::AskedForHuman),
    ("hablar con alguien", Reason::AskedForHuman),
    ("persona real", Reason::AskedForHuman),
    ("agente humano", Reason::AskedForHuman),
    ("atencion al cliente", Reason::AskedForHuman),
    ("с человеком", Reason::AskedForHuman),
    ("живой человек", Reason::AskedForHuman),
    ("оператор", Reason::AskedForHuman),
    ("parler a un humain", Reason::AskedForHuman),
    ("mit einem menschen", Reason::AskedForHuman),
    // damage
    ("damaged", Reason::DamagedItem),
    ("broken", Reason::DamagedItem),
    ("defective", Reason::DamagedItem),
    ("torn seam", Reason::DamagedItem),
    ("is torn", Reason::DamagedItem),
    ("arrived torn", Reason::DamagedItem),
    ("ripped", Reason::DamagedItem),
    ("stained", Reason::DamagedItem),
    ("stains", Reason::DamagedItem),
    ("faulty", Reason::DamagedItem),
    ("hole in", Reason::DamagedItem),
    ("danad", Reason::DamagedItem),
    ("roto", Reason::DamagedItem),
    ("rota", Reason::DamagedItem),
    ("defectuos", Reason::DamagedItem),
    ("descosid", Reason::DamagedItem),
    ("manchad", Reason::DamagedItem),
    ("agujero", Reason::DamagedItem),
    ("поврежд", Reason::DamagedItem),
    ("сломан", Reason::DamagedItem),
    ("брак", Reason::DamagedItem),
    ("порван", Reason::DamagedItem),
    ("дырк", Reason::DamagedItem),
    ("пятн", Reason::DamagedItem),
    ("endommag", Reason::DamagedItem),
    ("beschadigt", Reason::DamagedItem),
    ("kaputt", Reason::DamagedItem),
    ("danneggiat", Reason::DamagedItem),
    ("danificad", Reason::DamagedItem),
    // wrong order
    ("wrong item", Reason::WrongOrder),
    ("wrong size sent", Reason::WrongOrder),
    ("wrong order", Reason::WrongOrder),
    ("never arrived", Reason::WrongOrder),
    ("not received", Reason::WrongOrder),
    ("didn't receive", Reason::WrongOrder),
    ("missing item", Reason::WrongOrder),
    ("lost package", Reason::WrongOrder),
    ("equivocad", Reason::WrongOrder),
    ("no ha llegado", Reason::WrongOrder),
    ("no me ha llegado", Reason::WrongOrder),
    ("no llego", Reason::WrongOrder),
    ("nunca llego", Reason::WrongOrder),
    ("не тот", Reason::WrongOrder),
    ("не пришел", Reason::WrongOrder),
    ("не пришёл", Reason::WrongOrder),
    ("не получил", Reason::WrongOrder),
    // refunds and returns
    ("refund", Reason::Refund),
    ("money back", Reason::Refund),
    ("return my", Reason::Refund),
    ("return this", Reason::Refund),
    ("reembols", Reason::Refund),
    ("devolu", Reason::Refund),
    ("devolver", Reason::Refund),
    ("mi dinero", Reason::Refund),
    ("возврат", Reason::Refund),
    ("вернуть деньги", Reason::Refund),
    ("верните", Reason::Refund),
    ("rembourse", Reason::Refund),
    ("ruckerstattung", Reason::Refund),
    ("rimborso", Reason::Refund),
    ("reembolso", Reason::Refund),
    // complaints and frustration
    ("complain", Reason::Complaint),
    ("complaint", Reason::Complaint),
    ("unacceptable", Reason::Frustration),
    ("terrible", Reason::Frustration),
    ("worst", Reason::Frustration),
    ("useless", Reason::Frustration),
    ("ridiculous", Reason::Frustration),
    ("fed up", Reason::Frustration),
    ("disgusting", Reason::Frustration),
    ("angry", Reason::Frustration),
    ("furious", Reason::Frustration),
    ("queja", Reason::Complaint),
    ("reclamac", Reason::Complaint),
    ("inaceptable", Reason::Frustration),
    ("horrible", Reason::Frustration),
    ("harto", Reason::Frustration),
    ("harta", Reason::Frustration),
    ("inutil", Reason::Frustration),
    ("verguenza", Reason::Frustration),
    ("жалоб", Reason::Complaint),
    ("претензи", Reason::Complaint),
    ("ужасн", Reason::Frustration),
    ("безобраз", Reason::Frustration),
    ("отвратительн", Reason::Frustration),
    ("бесполезн", Reason::Frustration),
    ("plainte", Reason::Complaint),
    ("beschwerde", Reason::Complaint),
    ("reclamo", Reason::Complaint),
    ("reclamacao", Reason::Complaint),
];

/// Lower case, accents removed (Cyrillic й/ё keep their letters' base).
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !('\u{0300}'..='\u{036f}').contains(c)).flat_map(char::to_lowercase).collect()
}

fn matches(folded: &str, words: &[&str], stem: &str) -> bool {
    if stem.contains(' ') { folded.contains(stem) } else { words.iter().any(|w| w.starts_with(stem)) }
}

/// Labels one shopper message.
pub fn classify(message: &str) -> Classification {
    let folded = fold(message);
    let folded = folded.replace(['’', '\''], "'");
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    for (stem, reason) in URGENT {
        if matches(&folded, &words, stem) {
            return Classification { label: Label::Urgent, reason: *reason };
        }
    }
    for (stem, reason) in ESCALATE {
        if matches(&folded, &words, stem) {
            return Classification { label: Label::Escalate, reason: *reason };
        }
    }
    // Shouting: a message of several words mostly in capitals, or !!!.
    let letters: Vec<char> = message.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if (letters.len() >= 12 && upper * 10 >= letters.len() * 8) || message.contains("!!!") {
        return Classification { label: Label::Escalate, reason: Reason::Frustration };
    }
    Classification { label: Label::Normal, reason: Reason::None }
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
}
