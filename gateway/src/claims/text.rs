//! Words of a sentence, folded (lower case, no accents) for matching cue
//! phrases in any of the eight languages, with where each came from so a
//! figure can be tied to the cue nearest to it.

use crate::classify::fold;

/// One word of a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    /// Lower case, accents removed.
    pub folded: String,
    /// As written.
    pub original: String,
    /// Byte offset of the word in the sentence.
    pub start: usize,
}

impl Word {
    /// Written in capitals only ("AI", "XL", "M").
    pub fn is_upper(&self) -> bool {
        self.original.chars().any(char::is_alphabetic) && !self.original.chars().any(char::is_lowercase)
    }

    pub fn is_capitalised(&self) -> bool {
        self.original.chars().next().is_some_and(char::is_uppercase)
    }
}

/// The words of `text`: runs of letters and digits. English contractions
/// are opened first ("isn't" -> "is not") so negations are words.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let push = |words: &mut Vec<Word>, from: usize, to: usize| {
        let original = &text[from..to];
        // Catalan "l·l" stays one word.
        words.push(Word { folded: fold(original).replace('·', ""), original: original.to_owned(), start: from });
    };
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || (c == '·' && start.is_some());
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(&mut words, s, i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(&mut words, s, text.len());
    }
    open_contractions(words)
}

/// "isn't" arrives as "isn", "t": make it "is", "not"; "can't" -> "can", "not".
fn open_contractions(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut iter = words.into_iter().peekable();
    while let Some(mut word) = iter.next() {
        let negated = iter.peek().is_some_and(|next| next.folded == "t") && word.folded.ends_with('n') && word.folded.len() > 2;
        if negated {
            let not = iter.next().expect("peeked");
            let stem = match word.folded.as_str() {
                "can" | "cann" => "can",
                "won" => "will",
                other => &other[..other.len() - 1],
            };
            word.folded = stem.to_owned();
            out.push(word);
            out.push(Word { folded: "not".into(), original: not.original, start: not.start });
        } else {
            out.push(word);
        }
    }
    out
}

/// Where `cue` (space-separated words; a word ending in `*` matches any word
/// starting with it) occurs in `words`, by index of its first word.
pub(crate) fn find_cue(words: &[Word], cue: &str) -> Option<usize> {
    (0..words.len()).find(|&i| matches_at(words, i, cue))
}

/// Whether `cue` starts at word `at` (no allocation: this runs for every
/// word and every cue of a sentence).
fn matches_at(words: &[Word], at: usize, cue: &str) -> bool {
    // Most positions fail on the first byte; check it before splitting.
    if words.get(at).is_none_or(|w| w.folded.as_bytes().first() != cue.as_bytes().first()) {
        return false;
    }
    let mut k = at;
    for part in cue.split(' ') {
        match words.get(k) {
            Some(word) if word_matches(word, part) => k += 1,
            _ => return false,
        }
    }
    true
}

/// The first bytes the words start with: a cue whose first byte is not
/// among them cannot match anywhere, and most of a lexicon's cues are
/// ruled out by that one test instead of one per word.
struct FirstBytes([u64; 4]);

impl FirstBytes {
    fn of(words: &[Word]) -> Self {
        let mut set = [0u64; 4];
        for word in words {
            if let Some(&b) = word.folded.as_bytes().first() {
                set[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        Self(set)
    }

    fn may_start(&self, cue: &str) -> bool {
        cue.as_bytes().first().is_some_and(|&b| self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
    }
}

/// All positions of any of `cues` in `words`.
pub(crate) fn cue_positions(words: &[Word], cues: &[&str]) -> Vec<usize> {
    let first = FirstBytes::of(words);
    cues.iter().filter(|cue| first.may_start(cue)).filter_map(|cue| find_cue(words, cue)).collect()
}

/// Whether one of `cues` starts at word `at`.
pub(crate) fn cue_at(words: &[Word], at: usize, cues: &[&str]) -> bool {
    cues.iter().any(|cue| matches_at(words, at, cue))
}

pub(crate) fn has_any(words: &[Word], cues: &[&str]) -> bool {
    let first = FirstBytes::of(words);
    cues.iter().any(|cue| first.may_start(cue) && find_cue(words, cue).is_some())
}

/// Acronyms match only when written in capitals: "como IA" is a slip, the
/// Portuguese "como ia dizendo" ("as I was saying") is not.
const ACRONYMS: &[&str] = &["ai", "ia", "ki", "ии", "llm"];

fn word_matches(word: &Word, part: &str) -> bool {
    if word.folded.as_bytes().first() != part.as_bytes().first() {
        return false;
    }
    let hit = match part.strip_suffix('*') {
        Some(stem) => word.folded.starts_with(stem),
        None => word.folded == part,
    };
    hit && (!ACRONYMS.contains(&part) || word.is_upper())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_words_fold_and_open_contractions() {
        let w = words("It isn't in stock, can't say. Größe M, está agotado.");
        let folded: Vec<&str> = w.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, vec!["it", "is", "not", "in", "stock", "can", "not", "say", "große", "m", "esta", "agotado"]);
        assert!(w[9].is_upper());
        assert_eq!(find_cue(&w, "in stock"), Some(3));
        assert_eq!(find_cue(&w, "agotad*"), Some(11));
        assert_eq!(find_cue(&w, "out of stock"), None);
        assert!(has_any(&w, &["sold out", "agotad*"]));
        assert!(!has_any(&w, &["sold out", "ausverkauft"]));
        assert_eq!(cue_positions(&w, &["zzz", "in stock", "große m"]), [3, 8]);
        assert!(!has_any(&[], &["in stock"]));
    }
}
