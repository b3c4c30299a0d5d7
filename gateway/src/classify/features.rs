//! What the statistical model sees of a message: hashed character n-grams
//! (2 to 5 characters, across word boundaries, so "money back" and "devolv"
//! both count) and hashed words and word pairs, all taken from the folded
//! text with digits collapsed. Hashing keeps the model a fixed-size array
//! with no vocabulary to ship; character n-grams carry stems, typos,
//! missing accents and unseen inflections in all eight languages, where
//! whole words would miss them.
//!
//! The gateway's build script compiles this file too (to train the shipped
//! weights), so it depends on nothing in the crate.

use unicode_normalization::UnicodeNormalization;

/// Lower case, accents removed (Cyrillic й/ё keep their letters' base).
pub fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !('\u{0300}'..='\u{036f}').contains(c)).flat_map(char::to_lowercase).collect()
}

/// Number of hash buckets. Measured (5-fold cross-validation of the
/// training set, and the dev set): 2^16, 2^17 and 2^18 are within half a
/// point of each other; 2^17 missed one dev message fewer than 2^16 and
/// takes half the space of 2^18 (the weights are `BUCKETS x 16` f32s).
pub const BUCKETS: usize = 1 << 17;

const CHAR_MIN: usize = 2;
const CHAR_MAX: usize = 5;

/// A sparse feature vector: (bucket, weight) pairs, buckets unique, L2 norm 1.
pub type Features = Vec<(u32, f32)>;

/// The text the features are taken from: folded (lower case, no accents),
/// apostrophes dropped, digits as `0`, every other non-letter a single space.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in fold(text).chars() {
        if c.is_alphabetic() {
            out.push(c);
        } else if c.is_numeric() {
            out.push('0');
        } else if c == '\'' || c == '’' || c == '`' {
            // "don't" and "dont", "l'ordine" and "lordine" meet.
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The feature vector of one message.
pub fn extract(text: &str) -> Features {
    let normal = normalise(text);
    let chars: Vec<char> = normal.chars().collect();
    let mut buckets: Vec<u32> = Vec::with_capacity(chars.len() * (CHAR_MAX - CHAR_MIN + 1) + 16);
    for n in CHAR_MIN..=CHAR_MAX {
        for window in chars.windows(n) {
            buckets.push(hash_chars(n as u64, window));
        }
    }
    let words: Vec<&str> = normal.split(' ').filter(|w| !w.is_empty()).collect();
    for word in &words {
        buckets.push(hash_str(11, word));
    }
    for pair in words.windows(2) {
        buckets.push(hash_pair(pair[0], pair[1]));
    }
    for cue in cues(text) {
        buckets.push(hash_str(13, cue));
    }
    buckets.sort_unstable();
    buckets.dedup();
    // Binary presence, scaled to unit length: long and short messages weigh alike.
    let weight = 1.0 / (buckets.len().max(1) as f32).sqrt();
    buckets.into_iter().map(|b| (b, weight)).collect()
}

/// Signals that folding throws away: shouting and piled-up punctuation.
fn cues(text: &str) -> Vec<&'static str> {
    let mut cues = Vec::new();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let upper = text.chars().filter(|c| c.is_uppercase()).count();
    if letters >= 8 && upper * 10 >= letters * 7 {
        cues.push("<shouting>");
    }
    if text.contains("!!") {
        cues.push("<exclaims>");
    }
    if text.contains("??") {
        cues.push("<questions>");
    }
    cues
}

fn fnv(seed: u64) -> u64 {
    0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

fn mix(hash: u64, value: u64) -> u64 {
    (hash ^ value).wrapping_mul(0x0000_0100_0000_01b3)
}

fn bucket(hash: u64) -> u32 {
    // Fold the high bits in: FNV's low bits alone spread short keys poorly.
    ((hash ^ (hash >> 29) ^ (hash >> 47)) % BUCKETS as u64) as u32
}

fn hash_chars(seed: u64, chars: &[char]) -> u32 {
    bucket(chars.iter().fold(fnv(seed), |h, c| mix(h, *c as u64)))
}

fn hash_str(seed: u64, text: &str) -> u32 {
    bucket(text.bytes().fold(fnv(seed), |h, b| mix(h, b as u64)))
}

fn hash_pair(first: &str, second: &str) -> u32 {
    let h = first.bytes().fold(fnv(12), |h, b| mix(h, b as u64));
    bucket(second.bytes().fold(mix(h, 0x20), |h, b| mix(h, b as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_accents_case_digits_and_punctuation() {
        assert_eq!(normalise("¿Dónde está mi PEDIDO #1042?!"), " donde esta mi pedido 0000 ");
        assert_eq!(normalise("don't"), " dont ");
        assert_eq!(normalise("Верните ДЕНЬГИ"), " верните деньги ");
    }

    #[test]
    fn features_are_unique_and_unit_length() {
        let f = extract("refund refund refund");
        let mut buckets: Vec<u32> = f.iter().map(|(b, _)| *b).collect();
        buckets.dedup();
        assert_eq!(buckets.len(), f.len());
        let norm: f32 = f.iter().map(|(_, w)| w * w).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(f.iter().all(|(b, _)| (*b as usize) < BUCKETS));
    }

    #[test]
    fn same_words_without_accents_give_the_same_features() {
        assert_eq!(extract("Reembolsó"), extract("reembolso"));
    }
}
