//! Frustration from repetition: a shopper who sends the same question again
//! was not helped the first time, whatever language the question is in and
//! however politely it is put. Words like "third time" or "still no answer"
//! are the statistical model's job; this catches the silent repeat.

use std::collections::HashSet;

use super::features::normalise;

/// Character trigrams shared with an earlier message (Jaccard) above which
/// two messages are the same question reworded ("when will order 5512
/// ship?" / "when does order 5512 ship").
const SAME_QUESTION: f32 = 0.55;
/// Messages shorter than this (normalised, in characters) are not compared:
/// "ok", "M?", "thanks" are repeated without any frustration.
const MIN_CHARS: usize = 12;
const MIN_WORDS: usize = 3;

/// True when `message` asks again what one of the earlier messages asked.
pub fn repeats_earlier(message: &str, earlier: &[&str]) -> bool {
    let current = normalise(message);
    if current.trim().chars().count() < MIN_CHARS || current.split_whitespace().count() < MIN_WORDS {
        return false;
    }
    let grams = trigrams(&current);
    let slots = slots(message);
    earlier.iter().any(|before| {
        let normal = normalise(before);
        normal.trim().chars().count() >= MIN_CHARS && similarity(&grams, &trigrams(&normal)) >= SAME_QUESTION && slots == self::slots(before)
    })
}

/// The values that make a question a different one although it reads the
/// same: sizes and numbers ("in S?" then "in M?" is a follow-up, not a
/// repeat; "order 5512" and "order 5513" are two orders).
fn slots(message: &str) -> Vec<String> {
    const SIZES: [&str; 8] = ["xxs", "xs", "s", "m", "l", "xl", "xxl", "xxxl"];
    let folded = super::fold(message);
    let mut slots: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && (w.chars().any(|c| c.is_ascii_digit()) || SIZES.contains(w)))
        .map(str::to_owned)
        .collect();
    slots.sort();
    slots.dedup();
    slots
}

fn trigrams(text: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

fn similarity(a: &HashSet<[char; 3]>, b: &HashSet<[char; 3]>) -> f32 {
    let shared = a.intersection(b).count();
    let union = a.len() + b.len() - shared;
    if union == 0 { 0.0 } else { shared as f32 / union as f32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_question_again_is_a_repeat_in_any_language() {
        assert!(repeats_earlier("when does order 5512 ship?", &["hi", "when will order 5512 ship?"]));
        assert!(repeats_earlier("есть ли это платье в размере 44?", &["есть это платье в 44 размере?"]));
        assert!(repeats_earlier("¿TENÉIS la chaqueta verde en talla S?", &["tenéis la chaqueta verde en talla S"]));
    }

    #[test]
    fn short_replies_and_new_questions_are_not_repeats() {
        assert!(!repeats_earlier("ok thanks", &["ok thanks"]));
        assert!(!repeats_earlier("M?", &["M?"]));
        assert!(!repeats_earlier("and do you have it in black?", &["does the Aurora coat come in navy?"]));
        assert!(!repeats_earlier("how long is shipping to Spain?", &[]));
        assert!(!repeats_earlier("do you have the linen shirt in M?", &["do you have the linen shirt in S?"]));
        assert!(!repeats_earlier("when will order 5513 ship?", &["when will order 5512 ship?"]));
    }
}
