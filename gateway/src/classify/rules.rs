//! High-precision rules that back the statistical model up where one word
//! decides and a missed case is expensive: a bare "agent" or "оператор", a
//! chargeback, or the shopper's own lawyer, in any language. A rule only ever raises a
//! label (see [`super::classify`]); everything else is the model's.
//!
//! Patterns are matched on the normalised text (folded, digits as `0`,
//! punctuation as spaces): a pattern matches the start of a word, or a
//! phrase when it holds a space. A pattern starting with `=` must be the
//! whole message.

use super::features::normalise;
use super::{Classification, Reason};

const RULES: &[(Reason, &[&str])] = &[
    (
        Reason::AskedForHuman,
        &[
            "=agent",
            "=human",
            "=operator",
            "=representative",
            "=person",
            "=humano",
            "=operador",
            "=оператор",
            "=человек",
            "=менеджер",
            "=mensch",
            "=mitarbeiter",
            "=humain",
            "=operatore",
            "=atendente",
            "=huma",
            "real person",
            "actual person",
            "live agent",
            "human agent",
            "persona real",
            "persona de verdad",
            "живым человеком",
            "живого человека",
            "живой человек",
            "vraie personne",
            "personne reelle",
            "echten menschen",
            "echte person",
            "persona vera",
            "persona reale",
            "pessoa real",
            "pessoa de verdade",
            "persona de veritat",
        ],
    ),
    (Reason::Chargeback, &["chargeback", "charge back", "contracargo", "contracarrec", "чарджбэк", "чарджбек", "ruckbuchung"]),
    // A lawyer named as the shopper's own: a bare "abogado" or "Anwalt" is
    // also a product name (a tie clip called "Avocat" must not page anyone).
    (
        Reason::Legal,
        &[
            "my lawyer",
            "my attorney",
            "my solicitor",
            "legal action",
            "sue you",
            "mi abogad",
            "acciones legales",
            "el meu advocat",
            "la meva advocada",
            "accions legals",
            "mon avocat",
            "action en justice",
            "mein anwalt",
            "meinen anwalt",
            "meine anwaltin",
            "rechtliche schritte",
            "mio avvocat",
            "mia avvocata",
            "azioni legali",
            "meu advogad",
            "minha advogada",
            "мой юрист",
            "мой адвокат",
            "моего юриста",
            "моего адвоката",
            // Formal notices and consumer authorities, named in no other
            // sense: a shopper who writes them is starting a legal step.
            "small claims",
            "trading standards",
            "letter before action",
            "burofax",
            "mise en demeure",
            "dgccrf",
            "una diffida",
            "la diffida",
            "diffida formale",
            "vi diffido",
            "messa in mora",
            "verbraucherzentrale",
            "abmahnung",
            "ao procon",
            "no procon",
            "роспотребнадзор",
        ],
    ),
];

/// The reason of the first rule that matches `message`, if any.
pub fn check(message: &str) -> Option<Classification> {
    let text = normalise(message);
    let whole = text.trim();
    for (reason, patterns) in RULES {
        for pattern in *patterns {
            let hit = if let Some(exact) = pattern.strip_prefix('=') {
                whole == exact
            } else if pattern.contains(' ') {
                text.contains(&format!(" {pattern}"))
            } else {
                text.split(' ').any(|word| word.starts_with(pattern))
            };
            if hit {
                return Some(Classification::for_reason(*reason, 1.0));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Label;

    #[test]
    fn one_word_requests_and_named_threats_match() {
        assert_eq!(check("Agent!").unwrap().reason, Reason::AskedForHuman);
        assert_eq!(check("ОПЕРАТОР").unwrap().reason, Reason::AskedForHuman);
        assert_eq!(check("I'll do a charge-back").unwrap().label, Label::Urgent);
        assert_eq!(check("mi abogada os llamará").unwrap().reason, Reason::Legal);
        assert!(check("la pince à cravate Avocat est en argent ?").is_none());
        assert_eq!(check("ich schalte meinen Anwalt ein").unwrap().reason, Reason::Legal);
        assert_eq!(check("Vous recevrez une mise en demeure.").unwrap().reason, Reason::Legal);
        assert_eq!(check("vou reclamar no Procon").unwrap().reason, Reason::Legal);
        assert_eq!(check("напишу в Роспотребнадзор").unwrap().reason, Reason::Legal);
        assert!(check("the Procon cable, is it 2 m long?").is_none());
        assert!(check("diffidate dalle imitazioni: è originale?").is_none());
    }

    #[test]
    fn product_words_do_not_match() {
        assert!(check("is the agent provocateur perfume in stock?").is_none());
        assert!(check("do you have the person-shaped cookie cutter").is_none());
        assert!(check("court shoes in size 38?").is_none());
    }
}
