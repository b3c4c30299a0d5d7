//! Cuts a streamed answer into sentences as soon as each one is certainly
//! over, so every sentence can be checked before the shopper sees it while
//! the first one still arrives fast. A piece keeps its trailing whitespace:
//! concatenating everything released gives back the answer byte for byte.

use crate::classify::fold;

/// Incremental sentence splitter over a token stream.
#[derive(Debug, Default, Clone)]
pub struct SentenceSplitter {
    pending: String,
}

impl SentenceSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds streamed text; returns the sentences it completed, in order.
    /// A sentence is released only once the text after its end proves the
    /// end (the next non-space character), so `49.` waiting for `90` is held.
    pub fn push(&mut self, text: &str) -> Vec<String> {
        self.pending.push_str(text);
        let mut sentences = Vec::new();
        while let Some(end) = first_boundary(&self.pending) {
            let rest = self.pending.split_off(end);
            sentences.push(std::mem::replace(&mut self.pending, rest));
        }
        sentences
    }

    /// The text after the last complete sentence, once the stream ended.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.pending);
        (!rest.is_empty()).then_some(rest)
    }

    /// Text held back, waiting for the end of its sentence.
    pub fn pending(&self) -> &str {
        &self.pending
    }
}

/// Abbreviations (folded, without their final dot) that a dot does not end
/// a sentence after, in the eight languages the gateway answers in.
const ABBREVIATIONS: &[&str] = &[
    "e.g",
    "i.e",
    "approx",
    "approx",
    "appr",
    "incl",
    "excl",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "no",
    "nr",
    "nº",
    "n.º",
    "num",
    "ref",
    "art",
    "tel",
    "aprox",
    "p.ej",
    "pag",
    "sr",
    "sra",
    "srta",
    "ud",
    "uds",
    "vd",
    "vds",
    "dto",
    "p.ex",
    "p. ex",
    "cf",
    "env",
    "z.b",
    "d.h",
    "u.a",
    "bzw",
    "ca",
    "inkl",
    "zzgl",
    "ggf",
    "evtl",
    "str",
    "mme",
    "mlle",
    "sig",
    "sig.ra",
    "dott",
    "ecc",
    "es",
    "nro",
    "т.е",
    "т.к",
    "т.н",
    "т.ч",
    "напр",
    "ул",
    "г",
    "руб",
    "коп",
    "тыс",
    "мин",
    "макс",
    "прибл",
    "см",
    "стр",
    "min",
    "max",
    "mín",
    "máx",
];

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

/// Characters that close a sentence after its terminator: quotes, brackets
/// and Markdown emphasis (`**In stock.**`).
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | '_' | '`')
}

/// Byte offset just past the first proven sentence of `text` (its trailing
/// whitespace included), or `None` while the first end is still unproven.
fn first_boundary(text: &str) -> Option<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if c != '\n' && !is_terminator(c) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if c != '\n' {
            while j < chars.len() && (is_terminator(chars[j].1) || is_closer(chars[j].1)) {
                j += 1;
            }
        }
        let run_end = j;
        while j < chars.len() && chars[j].1.is_whitespace() {
            j += 1;
        }
        if j == chars.len() {
            // The end is not proven until something follows it.
            return None;
        }
        let has_space = j > run_end;
        let next = chars[j].1;
        let ends = match c {
            '\n' => true,
            '。' | '！' | '？' => true,
            '.' | '…' if has_space => dot_ends_sentence(text, &chars, i, run_end, next),
            _ => has_space,
        };
        if ends {
            return Some(chars[j].0);
        }
        i = run_end;
    }
    None
}

/// Whether the dot at `dot` (the run of terminators ending at `run_end`)
/// ends a sentence, given the next non-space character `next`.
fn dot_ends_sentence(text: &str, chars: &[(usize, char)], dot: usize, run_end: usize, next: char) -> bool {
    // A lower-case word after the dot continues the sentence ("approx. the", "т.е. это").
    if next.is_lowercase() {
        return false;
    }
    let single_dot = run_end - dot == 1 || chars[dot + 1..run_end].iter().all(|(_, c)| is_closer(*c));
    if !single_dot {
        return true;
    }
    let line_start = text[..chars[dot].0].rfind('\n').map_or(0, |p| p + 1);
    let before = &text[line_start..chars[dot].0];
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(['(', '"', '\'', '«', '“', '¿', '¡', '*', '_']);
    if word.is_empty() {
        return true;
    }
    // "1. First step": a list number at the start of a line.
    if word.chars().all(|c| c.is_ascii_digit()) && before.trim_start_matches(['-', '*', '•', ' ', '\t']).len() == word.len() {
        return false;
    }
    // "#1001. is on its way" is caught by the lower-case rule; an order
    // number followed by a digit is a reference like "#1001.2".
    if word.starts_with('#') && next.is_ascii_digit() {
        return false;
    }
    !ABBREVIATIONS.contains(&fold(word).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(chunks: &[&str]) -> Vec<String> {
        let mut s = SentenceSplitter::new();
        let mut out: Vec<String> = chunks.iter().flat_map(|c| s.push(c)).collect();
        out.extend(s.finish());
        out
    }

    fn by_chars(text: &str) -> Vec<String> {
        let chunks: Vec<String> = text.chars().map(String::from).collect();
        split_all(&chunks.iter().map(String::as_str).collect::<Vec<_>>())
    }

    #[test]
    fn claims_splitter_releases_sentences_as_they_end() {
        let mut s = SentenceSplitter::new();
        assert!(s.push("Yes, the Sitges shirt is in stock").is_empty());
        assert!(s.push(".").is_empty(), "the end is not proven before the next character");
        assert_eq!(s.push(" It costs"), vec!["Yes, the Sitges shirt is in stock. "]);
        assert_eq!(s.push(" 59 €! Want"), vec!["It costs 59 €! "]);
        assert_eq!(s.finish().as_deref(), Some("Want"));
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn claims_splitter_keeps_the_text_exactly() {
        let text = "  Hola!  ¿Qué talla usas?\n\n- Camisa Sitges: 59,00 €\n- Pantalón: 69 €\nEnvío en 48h… ¡Gracias!  ";
        let pieces = by_chars(text);
        assert_eq!(pieces.concat(), text);
        assert_eq!(pieces, vec!["  Hola!  ", "¿Qué talla usas?\n\n", "- Camisa Sitges: 59,00 €\n", "- Pantalón: 69 €\n", "Envío en 48h… ", "¡Gracias!  "]);
    }

    #[test]
    fn claims_splitter_does_not_split_decimals_or_abbreviations() {
        for text in [
            "It costs 49.90 € today.",
            "Cuesta 4,5 € más.",
            "It takes approx. 3 days.",
            "Ships in e.g. two days.",
            "El Sr. García lo recibirá.",
            "Kostet z.B. 1.299,00 zł.",
            "Это, т.е. размер M, есть.",
            "See https://shop.example/sitges.html?size=M for details.",
            "Write to help@shop.example.com for help.",
            "Your order #1001. is shipped.",
            "Nr. 5 ist da.",
        ] {
            assert_eq!(by_chars(text), vec![text.to_owned()], "{text}");
        }
    }

    #[test]
    fn claims_splitter_splits_lists_and_other_scripts() {
        assert_eq!(by_chars("1. Sitges shirt\n2. Pals shirt"), vec!["1. Sitges shirt\n", "2. Pals shirt"]);
        assert_eq!(by_chars("有货。价格59欧元。"), vec!["有货。", "价格59欧元。"]);
        assert_eq!(by_chars("**In stock.** Size M."), vec!["**In stock.** ", "Size M."]);
        assert_eq!(by_chars("Order #1001. It shipped."), vec!["Order #1001. ", "It shipped."]);
        assert_eq!(by_chars("Есть в наличии. Цена 59 €."), vec!["Есть в наличии. ", "Цена 59 €."]);
        assert_eq!(by_chars("Wait... Yes!"), vec!["Wait... ", "Yes!"]);
        assert_eq!(by_chars("Is it? \"Yes.\" Then"), vec!["Is it? ", "\"Yes.\" ", "Then"]);
    }

    #[test]
    fn claims_splitter_handles_any_chunking() {
        let text = "The Pals shirt costs 55.00 EUR. Only 2 left in M!\nShipping: free over 50 €. Done";
        let whole = split_all(&[text]);
        assert_eq!(whole.len(), 4);
        for size in 1..8 {
            let chunks: Vec<String> = text.chars().collect::<Vec<_>>().chunks(size).map(|c| c.iter().collect()).collect();
            let pieces = split_all(&chunks.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(pieces, whole, "chunks of {size}");
        }
    }
}
