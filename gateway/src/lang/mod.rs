//! Language of each shopper message, detected on that message alone
//! (shoppers switch and mix languages mid-conversation). Lingua's n-gram
//! statistics (`stats`) say what a message looks like; this module adds the
//! rules around them: short or ambiguous
//! messages keep the conversation's language, mixed messages are noted, and
//! the reply language is one the store can answer in.

mod stats;

use serde::Serialize;

/// Languages the gateway detects (each is compiled into the binary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Language {
    English,
    Spanish,
    Russian,
    French,
    German,
    Italian,
    Portuguese,
    Catalan,
    Dutch,
    Polish,
    Ukrainian,
}

const ALL: [Language; 11] = [
    Language::English,
    Language::Spanish,
    Language::Russian,
    Language::French,
    Language::German,
    Language::Italian,
    Language::Portuguese,
    Language::Catalan,
    Language::Dutch,
    Language::Polish,
    Language::Ukrainian,
];

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
            Language::Russian => "ru",
            Language::French => "fr",
            Language::German => "de",
            Language::Italian => "it",
            Language::Portuguese => "pt",
            Language::Catalan => "ca",
            Language::Dutch => "nl",
            Language::Polish => "pl",
            Language::Ukrainian => "uk",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Spanish",
            Language::Russian => "Russian",
            Language::French => "French",
            Language::German => "German",
            Language::Italian => "Italian",
            Language::Portuguese => "Portuguese",
            Language::Catalan => "Catalan",
            Language::Dutch => "Dutch",
            Language::Polish => "Polish",
            Language::Ukrainian => "Ukrainian",
        }
    }

    /// From an ISO 639-1 code or a BCP 47 tag (`es-ES` -> Spanish).
    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn supported_codes() -> Vec<&'static str> {
        ALL.iter().map(|l| l.code()).collect()
    }
}

/// What detection found in one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detection {
    /// The language the message is mostly in (ISO 639-1), if any was found.
    pub detected: Option<&'static str>,
    /// Confidence of `detected`, 0..1.
    pub confidence: f64,
    /// Other languages with a real share of the message (mixed messages).
    pub also: Vec<&'static str>,
    /// The language to answer in.
    pub reply: &'static str,
}

/// Context for choosing a reply language when the message alone is not clear.
#[derive(Debug, Clone, Copy, Default)]
pub struct DetectionContext<'a> {
    /// The store's languages, main first.
    pub store_languages: &'a [String],
    /// The language of the conversation's previous shopper message.
    pub previous: Option<&'a str>,
    /// The widget's locale hint (BCP 47).
    pub locale: Option<&'a str>,
}

/// Loads the language models now rather than on the first message.
pub fn warm_up() {
    stats::warm_up();
}

/// Below this many letters a message says too little about its language.
const MIN_LETTERS: usize = 12;
/// Confidence that is trusted even for a short message.
const SURE: f64 = 0.9;
/// A second language with at least this confidence makes a message mixed.
const MIXED_SHARE: f64 = 0.35;
/// Candidates kept from the statistics.
const CANDIDATES: usize = 4;
/// Below this many letters, a message whose statistics also allow the
/// conversation's language (ru/uk, es/pt/ca...) keeps it.
const SHORT_LETTERS: usize = 40;
/// How much confidence the conversation's (or store's) language needs
/// among a short message's candidates to be kept.
const PLAUSIBLE: f64 = 0.12;

pub fn detect(message: &str, ctx: DetectionContext<'_>) -> Detection {
    analyze(message).decide(ctx)
}

/// What the statistics say about a message on its own, before the
/// conversation's context decides the reply language. The costly half of
/// [`detect`], so a turn can run it while it stores the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    detected: Option<(Language, f64)>,
    /// The best candidates with their confidence, best first.
    candidates: Vec<(Language, f64)>,
    also: Vec<&'static str>,
    letters: usize,
    inverted_marks: bool,
    /// Letters only Ukrainian writes (і ї є ґ); without them a short
    /// Cyrillic message reads as Russian.
    ukrainian_letters: bool,
}

pub fn analyze(message: &str) -> Analysis {
    // Email addresses, links, order numbers and SKUs say nothing about the
    // language a shopper writes in ("jordi.puig@example.com" reads as
    // English), so the statistics run without them.
    let words: Vec<&str> = message.split_whitespace().filter(|w| !w.contains('@') && !w.contains("://") && !w.chars().any(|c| c.is_ascii_digit())).collect();
    let cleaned = words.join(" ");
    let message = if cleaned.chars().any(char::is_alphabetic) { cleaned.as_str() } else { message };
    let letters = message.chars().filter(|c| c.is_alphabetic()).count();
    let (cyrillic_words, latin_words) = words_by_script(message);

    let (detected, also, candidates) = if !cyrillic_words.is_empty() && !latin_words.is_empty() {
        // Two scripts: statistics over the whole text favour whichever has
        // more letters. The language a shopper writes in is the one of most
        // of their words (product nouns are often borrowed), so detect each
        // script's words on their own and let the word count decide.
        let cyrillic = ranked(&cyrillic_words.join(" "));
        let latin = ranked(&latin_words.join(" "));
        let (main, other) = if cyrillic_words.len() >= latin_words.len() { (cyrillic, latin) } else { (latin, cyrillic) };
        let also = other.first().map(|(l, _)| vec![l.code()]).unwrap_or_default();
        (main.first().copied(), also, main.into_iter().take(CANDIDATES).collect())
    } else {
        let ranked = ranked(message);
        let also = ranked.iter().skip(1).filter(|(_, c)| *c >= MIXED_SHARE).map(|(l, _)| l.code()).collect();
        (ranked.first().copied(), also, ranked.into_iter().take(CANDIDATES).collect())
    };

    // Inverted marks are written only in Spanish: a clear signal however
    // short the message.
    let inverted_marks = message.contains(['¿', '¡']);
    let detected =
        if inverted_marks && detected.is_some_and(|(l, _)| l != Language::Spanish) && letters > 0 { Some((Language::Spanish, 0.9)) } else { detected };
    let ukrainian_letters = message.chars().any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ'));
    Analysis { detected, candidates, also, letters, inverted_marks, ukrainian_letters }
}

impl Analysis {
    /// The reply language, given the conversation so far.
    pub fn decide(&self, ctx: DetectionContext<'_>) -> Detection {
        let (detected, letters) = (self.detected, self.letters);
        let plausible = |code: &str| self.candidates.iter().find(|(l, _)| l.code() == code).is_some_and(|(_, c)| *c >= PLAUSIBLE);
        let short = letters < SHORT_LETTERS && !self.inverted_marks;
        // A short message that could be in the conversation's language is:
        // "а в M?" after Russian stays Russian even if it looks Ukrainian.
        if short
            && let Some(previous) = ctx.previous.and_then(Language::from_code)
            && detected.is_some_and(|(l, _)| l != previous)
            && plausible(previous.code())
        {
            return self.detection(previous.code());
        }
        // Ukrainian writes і, ї, є or ґ in almost any sentence: a short
        // message without them that the statistics call Ukrainian is Russian
        // ("кожанка мужская"), unless the conversation or widget is Ukrainian.
        let ukrainian_context = ctx.previous == Some("uk") || ctx.locale.and_then(Language::from_code) == Some(Language::Ukrainian);
        if short && detected.is_some_and(|(l, _)| l == Language::Ukrainian) && !self.ukrainian_letters && !ukrainian_context {
            return self.detection(Language::Russian.code());
        }
        // A short first message that could be in one of the store's
        // languages is taken as that one (Spanish, not Portuguese, in a
        // Spanish shop).
        if short
            && ctx.previous.is_none()
            && detected.is_some_and(|(l, c)| c < 0.5 && !ctx.store_languages.iter().any(|s| s == l.code()))
            && let Some(store_language) = ctx.store_languages.iter().filter_map(|c| Language::from_code(c)).find(|l| plausible(l.code()))
        {
            return self.detection(store_language.code());
        }
        let confident = detected.is_some_and(|(l, c)| (c >= 0.5 && letters >= MIN_LETTERS) || c >= SURE || (l == Language::Spanish && self.inverted_marks));
        let reply = match detected {
            Some((language, _)) if confident => language.code(),
            // Short or unclear: keep the conversation going in its language.
            _ => ctx
                .previous
                .and_then(Language::from_code)
                .or_else(|| ctx.locale.and_then(Language::from_code))
                // The likeliest of the store's languages, if the message could be in one.
                .or_else(|| self.candidates.iter().find(|(l, c)| *c >= PLAUSIBLE && ctx.store_languages.iter().any(|s| s == l.code())).map(|(l, _)| *l))
                .or_else(|| detected.filter(|(_, c)| *c >= 0.35).map(|(l, _)| l))
                .or_else(|| ctx.store_languages.first().and_then(|c| Language::from_code(c)))
                .unwrap_or(Language::English)
                .code(),
        };
        self.detection(reply)
    }

    fn detection(&self, reply: &'static str) -> Detection {
        let detected = self.detected;
        Detection { detected: detected.map(|(l, _)| l.code()), confidence: detected.map_or(0.0, |(_, c)| c), also: self.also.clone(), reply }
    }
}

/// Languages by confidence, best first.
fn ranked(text: &str) -> Vec<(Language, f64)> {
    if !text.chars().any(char::is_alphabetic) {
        return Vec::new();
    }
    stats::confidence_values(text)
}

/// Words written in Cyrillic and in Latin letters (single letters such as a
/// size "M" do not count as words).
fn words_by_script(message: &str) -> (Vec<&str>, Vec<&str>) {
    let mut cyrillic = Vec::new();
    let mut latin = Vec::new();
    for word in message.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        if word.chars().all(|c| matches!(c, '\u{0400}'..='\u{04FF}')) {
            cyrillic.push(word);
        } else if word.chars().count() >= 2 && word.chars().all(|c| c.is_alphabetic() && (c.is_ascii() || matches!(c, '\u{00C0}'..='\u{024F}'))) {
            latin.push(word);
        }
    }
    (cyrillic, latin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> DetectionContext<'static> {
        DetectionContext::default()
    }

    #[test]
    fn detects_each_message_on_its_own() {
        assert_eq!(detect("Do you have this linen shirt in size M?", ctx()).reply, "en");
        assert_eq!(detect("¿Tenéis la camisa de lino en talla M?", ctx()).reply, "es");
        assert_eq!(detect("Есть ли у вас эта рубашка в размере M?", ctx()).reply, "ru");
        assert_eq!(detect("Avez-vous cette chemise en lin en taille M ?", ctx()).reply, "fr");
    }

    #[test]
    fn plain_messages_are_not_mixed() {
        for m in
            ["linen shirt for a summer wedding", "something warm for a ski trip", "vestido largo para una boda en la playa", "Есть ли у вас тёплая куртка?"]
        {
            assert!(detect(m, ctx()).also.is_empty(), "{m}: {:?}", detect(m, ctx()));
        }
    }

    #[test]
    fn mixed_message_is_noted() {
        let d = detect("Hola, у вас есть эта jacket в size M?", ctx());
        assert_eq!(d.detected, Some("ru"));
        assert!(!d.also.is_empty(), "{d:?}");
    }

    #[test]
    fn short_messages_keep_the_conversation_language() {
        let c = DetectionContext { previous: Some("es"), ..ctx() };
        assert_eq!(detect("ok", c).reply, "es");
        assert_eq!(detect("M?", c).reply, "es");
        assert_eq!(detect("¿y en talla S?", DetectionContext { previous: Some("en"), ..ctx() }).reply, "es");
        let c = DetectionContext { locale: Some("ru-RU"), ..ctx() };
        assert_eq!(detect("👍", c).reply, "ru");
    }

    #[test]
    fn a_short_message_that_fits_the_conversation_keeps_its_language() {
        let russian = DetectionContext { previous: Some("ru"), ..ctx() };
        for m in ["а в M?", "а есть в чёрном?", "M?", "ок, спасибо", "42"] {
            assert_eq!(detect(m, russian).reply, "ru", "{m}");
        }
        let spanish = DetectionContext { previous: Some("es"), ..ctx() };
        for m in ["y en azul?", "vale, gracias", "tienes en M?"] {
            assert_eq!(detect(m, spanish).reply, "es", "{m}");
        }
        // A clear switch still switches.
        assert_eq!(detect("Do you have it in a larger size, please?", spanish).reply, "en");
    }

    #[test]
    fn emails_and_order_numbers_do_not_decide_the_language() {
        let store = ["en".to_owned(), "es".to_owned()];
        let c = DetectionContext { store_languages: &store, ..ctx() };
        assert_eq!(detect("Quando arriva il mio ordine #1042? email jordi.puig@example.com", c).reply, "it");
        assert_eq!(detect("Quand arrive ma commande #1042 ? mon email jordi.puig@example.com", c).reply, "fr");
    }

    #[test]
    fn a_short_first_message_prefers_the_store_languages() {
        let store = ["en".to_owned(), "es".to_owned()];
        let c = DetectionContext { store_languages: &store, ..ctx() };
        for m in ["hola, tienes esta camisa?", "tienen envio gratis?"] {
            assert_eq!(detect(m, c).reply, "es", "{m}");
        }
    }

    #[test]
    fn short_russian_without_ukrainian_letters_is_russian() {
        let store = ["en".to_owned(), "es".to_owned()];
        let c = DetectionContext { store_languages: &store, ..ctx() };
        for m in ["кожанка мужская", "кожанка", "пуховик", "шапка", "черная юбка", "а подешевле?"] {
            assert_eq!(detect(m, c).reply, "ru", "{m}");
        }
        // Ukrainian letters keep Ukrainian, and so does a Ukrainian conversation.
        assert_eq!(detect("шкіряна куртка, є?", c).reply, "uk");
        assert_eq!(detect("а дешевше?", DetectionContext { previous: Some("uk"), ..c }).reply, "uk");
    }

    #[test]
    fn codes_round_trip() {
        for code in Language::supported_codes() {
            assert_eq!(Language::from_code(code).map(|l| l.code()), Some(code));
        }
        assert_eq!(Language::from_code("es-ES"), Some(Language::Spanish));
        assert_eq!(Language::from_code("xx"), None);
    }
}
