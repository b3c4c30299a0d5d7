//! The statistics under language detection: lingua 1.8's n-gram models and
//! its confidence values (`compute_language_confidence_values`, high
//! accuracy), computed the same way for the gateway's eleven languages, with
//! two differences that only change the cost:
//!
//! - each n-gram is looked up once for all eleven languages, and the answer
//!   is kept (a bounded memo: shoppers' messages share most of their
//!   n-grams), where lingua walks eleven finite-state maps per n-gram and
//!   message;
//! - the rules before the statistics (unique letters, alphabets) count in
//!   small arrays instead of hash maps.
//!
//! The models are lingua's own files (its `lingua-*-language-model` crates).
//! `tests::agrees_with_lingua` holds this module to lingua's results on a
//! corpus of multilingual shopper text.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock, RwLock};

use super::Language;

/// The languages in lingua's order (its enum is alphabetical), which breaks
/// ties between equal confidences.
const ORDER: [Language; N] = [
    Language::Catalan,
    Language::Dutch,
    Language::English,
    Language::French,
    Language::German,
    Language::Italian,
    Language::Polish,
    Language::Portuguese,
    Language::Russian,
    Language::Spanish,
    Language::Ukrainian,
];
const N: usize = 11;

/// A set of languages, bit `i` for `ORDER[i]`.
type Languages = u16;
const EVERY: Languages = (1 << N) - 1;
const LATIN_LANGUAGES: Languages = EVERY & !(bit(Language::Russian) | bit(Language::Ukrainian));
const CYRILLIC_LANGUAGES: Languages = bit(Language::Russian) | bit(Language::Ukrainian);

const fn index(language: Language) -> usize {
    let mut i = 0;
    while i < N {
        if ORDER[i] as u8 == language as u8 {
            return i;
        }
        i += 1;
    }
    panic!("every language has a place in ORDER");
}

const fn bit(language: Language) -> Languages {
    1 << index(language)
}

fn members(set: Languages) -> impl Iterator<Item = usize> {
    (0..N).filter(move |i| set & (1 << i) != 0)
}

/// Letters that only one of the languages writes (lingua's
/// `Language::unique_characters`, for these languages).
const UNIQUE_LETTERS: [(&str, Language); 5] =
    [("Ïï", Language::Catalan), ("ß", Language::German), ("ŁłŃńŚśŹź", Language::Polish), ("¿¡", Language::Spanish), ("ҐґЄєЇї", Language::Ukrainian)];

/// Letters that narrow a text to some languages (lingua's
/// `CHARS_TO_LANGUAGES_MAPPING`, for these languages).
const NARROWING_LETTERS: [(&str, &[Language]); 26] = {
    use Language::*;
    [
        ("Ãã", &[Portuguese]),
        ("ĄąĘę", &[Polish]),
        ("Żż", &[Polish]),
        ("Îî", &[French]),
        ("Ññ", &[Spanish]),
        ("Ûû", &[French]),
        ("Ćć", &[Polish]),
        ("Іі", &[Ukrainian]),
        ("Ìì", &[Italian]),
        ("Ëë", &[Dutch, French]),
        ("ÈèÙù", &[French, Italian]),
        ("Êê", &[French, Portuguese]),
        ("Õõ", &[Portuguese]),
        ("Ôô", &[French, Portuguese]),
        ("ЁёЫыЭэ", &[Russian]),
        ("ЩщЪъ", &[Russian]),
        ("Òò", &[Catalan, Italian]),
        ("Ââ", &[French, Portuguese]),
        ("Ää", &[German]),
        ("Àà", &[Catalan, French, Italian, Portuguese]),
        ("Üü", &[Catalan, German, Spanish]),
        ("Çç", &[Catalan, French, Portuguese]),
        ("Öö", &[German]),
        ("Óó", &[Catalan, Polish, Portuguese, Spanish]),
        ("ÁáÍíÚú", &[Catalan, Portuguese, Spanish]),
        ("Éé", &[Catalan, French, Italian, Portuguese, Spanish]),
    ]
};

/// Lingua's alphabets in its order (ties between alphabets go to the
/// first); only Latin and Cyrillic hold one of these languages.
const ALPHABETS: [&str; 18] = [
    "Arabic",
    "Armenian",
    "Bengali",
    "Cyrillic",
    "Devanagari",
    "Georgian",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hebrew",
    "Hiragana",
    "Katakana",
    "Latin",
    "Tamil",
    "Telugu",
    "Thai",
];
const CYRILLIC: u8 = 3;
const LATIN: u8 = 14;
/// No alphabet of the list.
const NO_ALPHABET: u8 = u8::MAX;
/// Characters below this are classified once, into a table.
const TABLE_CHARS: usize = 0x0530;

/// The alphabet (Unicode script) a character is written in.
fn alphabet(c: char) -> u8 {
    static SCRIPTS: LazyLock<regex::RegexSet> =
        LazyLock::new(|| regex::RegexSet::new(ALPHABETS.iter().map(|name| format!(r"\A\p{{sc={name}}}\z"))).expect("valid script classes"));
    static TABLE: LazyLock<Vec<u8>> = LazyLock::new(|| (0..TABLE_CHARS as u32).map(|c| char::from_u32(c).map_or(NO_ALPHABET, slow)).collect());
    fn slow(c: char) -> u8 {
        let mut buffer = [0u8; 4];
        SCRIPTS.matches(c.encode_utf8(&mut buffer)).iter().next().map_or(NO_ALPHABET, |i| i as u8)
    }
    if c.is_ascii_alphabetic() {
        return LATIN;
    }
    match TABLE.get(c as usize) {
        Some(&alphabet) => alphabet,
        None => slow(c),
    }
}

/// The words of a text as lingua splits them: runs of letters of the
/// lower-cased, trimmed text (lingua's `TOKENS_WITHOUT_WHITESPACE`).
fn words(text: &str) -> Vec<String> {
    static TOKENS: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"\p{Bengali}+|\p{Devanagari}+|\p{Gujarati}+|\p{Gurmukhi}+|\p{Han}|\p{Hangul}+|\p{Hiragana}|\p{Katakana}|\p{Tamil}+|\p{Telugu}+|\p{Thai}+|\p{L}+",
        )
        .expect("a valid token pattern")
    });
    TOKENS.find_iter(&text.trim().to_lowercase()).map(|m| m.as_str().to_owned()).collect()
}

/// Lingua's n-gram probability models: for each n-gram of one to five
/// letters, its log probability in each language.
struct Models {
    maps: Vec<fst::Map<&'static [u8]>>,
}

fn model_file(language: Language) -> &'static [u8] {
    let directory = match language {
        Language::Catalan => &lingua_catalan_language_model::CATALAN_MODELS_DIRECTORY,
        Language::Dutch => &lingua_dutch_language_model::DUTCH_MODELS_DIRECTORY,
        Language::English => &lingua_english_language_model::ENGLISH_MODELS_DIRECTORY,
        Language::French => &lingua_french_language_model::FRENCH_MODELS_DIRECTORY,
        Language::German => &lingua_german_language_model::GERMAN_MODELS_DIRECTORY,
        Language::Italian => &lingua_italian_language_model::ITALIAN_MODELS_DIRECTORY,
        Language::Polish => &lingua_polish_language_model::POLISH_MODELS_DIRECTORY,
        Language::Portuguese => &lingua_portuguese_language_model::PORTUGUESE_MODELS_DIRECTORY,
        Language::Russian => &lingua_russian_language_model::RUSSIAN_MODELS_DIRECTORY,
        Language::Spanish => &lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY,
        Language::Ukrainian => &lingua_ukrainian_language_model::UKRAINIAN_MODELS_DIRECTORY,
    };
    directory.get_file("ngrams.fst").unwrap_or_else(|| panic!("the {} model crate ships ngrams.fst", language.name())).contents()
}

fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| Models {
        maps: ORDER
            .iter()
            .map(|&language| fst::Map::new(model_file(language)).unwrap_or_else(|e| panic!("the {} n-gram model is readable: {e}", language.name())))
            .collect(),
    })
}

/// Loads the models now rather than on the first message.
pub(super) fn warm_up() {
    let _ = models();
    let _ = confidence_values("warm up");
}

/// An n-gram's log probability in each language (`NAN` where the language's
/// model does not have it).
type Probabilities = [f64; N];

/// The remembered n-gram lookups: at most `MEMO_SHARDS * MEMO_SHARD_ENTRIES`
/// n-grams (a shard that fills up starts again empty, so text made to fill
/// it costs lookups, not memory). The keys are shoppers' text, so the maps
/// hash with a per-process random seed (foldhash: std's SipHash cost this
/// memo 8% of a turn's CPU).
const MEMO_SHARDS: usize = 16;
const MEMO_SHARD_ENTRIES: usize = 4096;

struct Memo {
    shards: [RwLock<HashMap<u128, Probabilities, foldhash::fast::RandomState>>; MEMO_SHARDS],
}

fn memo() -> &'static Memo {
    static MEMO: LazyLock<Memo> = LazyLock::new(|| Memo { shards: std::array::from_fn(|_| RwLock::new(HashMap::default())) });
    &MEMO
}

/// An n-gram of at most five characters as one number: 21 bits a
/// character, then its length.
fn key(ngram: &str) -> u128 {
    let mut key = 0u128;
    let mut length = 0u128;
    for c in ngram.chars() {
        key = (key << 21) | c as u128;
        length += 1;
    }
    (key << 3) | length
}

fn lookup(ngram: &str) -> Probabilities {
    let key = key(ngram);
    let shard = &memo().shards[(key as usize ^ (key >> 64) as usize) % MEMO_SHARDS];
    if let Some(found) = shard.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return *found;
    }
    let maps = &models().maps;
    let found: Probabilities = std::array::from_fn(|i| maps[i].get(ngram).map_or(f64::NAN, f64::from_bits));
    let mut shard = shard.write().unwrap_or_else(|e| e.into_inner());
    if shard.len() >= MEMO_SHARD_ENTRIES {
        shard.clear();
    }
    shard.insert(key, found);
    found
}

/// Confidence of each language for `text`, best first (ties in lingua's
/// language order), as lingua computes them: 1.0 for one language when its
/// rules decide, else the n-gram statistics normalised to sum to 1.
pub(super) fn confidence_values(text: &str) -> Vec<(Language, f64)> {
    let mut values = [0.0f64; N];
    let words = words(text);
    if words.is_empty() {
        return ranked(values);
    }
    if let Some(language) = decided_by_letters(&words) {
        values[language] = 1.0;
        return ranked(values);
    }
    let candidates = narrowed_by_letters(&words);
    if candidates.count_ones() == 1 {
        values[candidates.trailing_zeros() as usize] = 1.0;
        return ranked(values);
    }

    let boundaries = char_boundaries(&words);
    let character_count: usize = boundaries.iter().map(|b| b.len() - 1).sum();
    let lengths = if character_count >= 120 { 3..4 } else { 1..6 };
    // Per n-gram length, each candidate's summed log probability (`None`
    // where nothing of the text was in its model).
    let mut per_length: Vec<[Option<f64>; N]> = Vec::with_capacity(5);
    let mut unigram_counts: Option<[u32; N]> = None;
    for length in lengths {
        if character_count < length {
            continue;
        }
        let ngrams = distinct_ngrams(&words, &boundaries, length);
        let mut sums = [0.0f64; N];
        let mut counts = [0u32; N];
        for ngram in &ngrams {
            // The n-gram, else its longest prefix the language's model has.
            let mut missing = candidates;
            let mut prefix: &str = ngram;
            while missing != 0 && !prefix.is_empty() {
                let probabilities = lookup(prefix);
                for i in members(missing) {
                    if !probabilities[i].is_nan() {
                        sums[i] += probabilities[i];
                        missing &= !(1 << i);
                        // A unigram is its own only prefix: this counts the
                        // text's unigrams each model has (lingua's divisor).
                        if length == 1 {
                            counts[i] += 1;
                        }
                    }
                }
                let last = prefix.chars().next_back().map_or(0, char::len_utf8);
                prefix = &prefix[..prefix.len() - last];
            }
        }
        if length == 1 {
            unigram_counts = Some(counts);
        }
        per_length.push(std::array::from_fn(|i| (candidates & (1 << i) != 0 && sums[i] < 0.0).then_some(sums[i])));
    }

    let mut summed: [Option<f64>; N] = [None; N];
    for i in members(candidates) {
        let mut sum: f64 = per_length.iter().map(|sums| sums[i].unwrap_or(0.0)).sum();
        if let Some(counts) = unigram_counts
            && counts[i] > 0
        {
            sum /= f64::from(counts[i]);
        }
        if sum != 0.0 {
            summed[i] = Some(sum.exp());
        }
    }
    if summed.iter().all(Option::is_none) {
        return ranked(values);
    }
    let denominator: f64 = summed.iter().flatten().sum();
    if denominator == 0.0 {
        // The probabilities underflowed (a very long text): the likeliest
        // language by the first n-gram length takes it all.
        if let Some(likeliest) =
            per_length.first().and_then(|sums| (0..N).filter_map(|i| sums[i].map(|s| (i, s))).max_by(|(_, a), (_, b)| a.total_cmp(b)).map(|(i, _)| i))
        {
            values[likeliest] = 1.0;
        }
    } else {
        for (i, probability) in summed.iter().enumerate() {
            if let Some(probability) = probability {
                values[i] = probability / denominator;
            }
        }
    }
    ranked(values)
}

fn ranked(values: [f64; N]) -> Vec<(Language, f64)> {
    let mut ranked: Vec<(Language, f64)> = ORDER.iter().copied().zip(values).collect();
    // Stable: equal confidences keep lingua's language order.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

/// The byte offsets of each word's characters, and its end.
fn char_boundaries(words: &[String]) -> Vec<Vec<usize>> {
    words.iter().map(|word| word.char_indices().map(|(i, _)| i).chain(std::iter::once(word.len())).collect()).collect()
}

/// The distinct n-grams of `length` characters in the words.
fn distinct_ngrams<'a>(words: &'a [String], boundaries: &[Vec<usize>], length: usize) -> Vec<&'a str> {
    let mut ngrams: Vec<&str> = Vec::new();
    for (word, bounds) in words.iter().zip(boundaries) {
        if bounds.len() - 1 < length {
            continue;
        }
        for start in 0..bounds.len() - length {
            ngrams.push(&word[bounds[start]..bounds[start + length]]);
        }
    }
    ngrams.sort_unstable();
    ngrams.dedup();
    ngrams
}

/// Lingua's first rule: the language of most words, when letters only one
/// language writes decide them (`detect_language_with_rules`).
fn decided_by_letters(words: &[String]) -> Option<usize> {
    let mut decided = [0u32; N];
    let mut undecided = 0u32;
    for word in words {
        let mut counts = [0u32; N];
        for c in word.chars() {
            for (letters, language) in UNIQUE_LETTERS {
                if letters.contains(c) && matches!(alphabet(c), LATIN | CYRILLIC) {
                    counts[index(language)] += 1;
                }
            }
        }
        let mut counted: Vec<(usize, u32)> = (0..N).filter(|&i| counts[i] > 0).map(|i| (i, counts[i])).collect();
        counted.sort_by_key(|c| std::cmp::Reverse(c.1));
        match counted.as_slice() {
            [] => undecided += 1,
            [(language, _)] => decided[*language] += 1,
            [(language, first), (_, second), ..] if first > second => decided[*language] += 1,
            _ => undecided += 1,
        }
    }
    // Words no letter decides count only when they are at least half.
    let half = words.len() as f64 * 0.5;
    let mut totals: Vec<(Option<usize>, u32)> = (0..N).filter(|&i| decided[i] > 0).map(|i| (Some(i), decided[i])).collect();
    if undecided > 0 && f64::from(undecided) >= half {
        totals.push((None, undecided));
    }
    totals.sort_by_key(|t| std::cmp::Reverse(t.1));
    match totals.as_slice() {
        [] => None,
        [(language, _)] => *language,
        [(_, first), (_, second), ..] if first == second => None,
        [(language, _), ..] => *language,
    }
}

/// Lingua's second rule: the languages of the text's main alphabet, and of
/// those the ones whose letters at least half the words carry
/// (`filter_languages_by_rules`).
fn narrowed_by_letters(words: &[String]) -> Languages {
    let mut per_alphabet = [0usize; ALPHABETS.len()];
    for word in words {
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        let alphabet_of_word = alphabet(first);
        if alphabet_of_word != NO_ALPHABET && chars.all(|c| alphabet(c) == alphabet_of_word) {
            per_alphabet[alphabet_of_word as usize] += word.chars().count();
        }
    }
    let counted: Vec<usize> = per_alphabet.iter().copied().filter(|&n| n > 0).collect();
    if counted.is_empty() || (counted.len() > 1 && counted.iter().all(|&n| n == counted[0])) {
        return EVERY;
    }
    // The most frequent alphabet; among equals, the first in lingua's order.
    let most = per_alphabet.iter().copied().max().unwrap_or(0);
    let main = per_alphabet.iter().position(|&n| n == most).unwrap_or(usize::MAX);
    let alphabet_languages = match main as u8 {
        LATIN => LATIN_LANGUAGES,
        CYRILLIC => CYRILLIC_LANGUAGES,
        _ => 0,
    };
    let mut counts = [0u32; N];
    for (letters, languages) in NARROWING_LETTERS {
        let relevant = languages.iter().map(|&l| bit(l)).fold(0, |a, b| a | b) & alphabet_languages;
        if relevant == 0 {
            continue;
        }
        for word in words {
            for c in letters.chars() {
                if word.contains(c) {
                    for i in members(relevant) {
                        counts[i] += 1;
                    }
                }
            }
        }
    }
    let half = words.len() as f64 * 0.5;
    let narrowed = (0..N).filter(|&i| counts[i] > 0 && f64::from(counts[i]) >= half).fold(0, |set, i| set | (1 << i));
    if narrowed != 0 { narrowed } else { alphabet_languages }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_lingua(language: Language) -> lingua::Language {
        match language {
            Language::English => lingua::Language::English,
            Language::Spanish => lingua::Language::Spanish,
            Language::Russian => lingua::Language::Russian,
            Language::French => lingua::Language::French,
            Language::German => lingua::Language::German,
            Language::Italian => lingua::Language::Italian,
            Language::Portuguese => lingua::Language::Portuguese,
            Language::Catalan => lingua::Language::Catalan,
            Language::Dutch => lingua::Language::Dutch,
            Language::Polish => lingua::Language::Polish,
            Language::Ukrainian => lingua::Language::Ukrainian,
        }
    }

    fn lingua_values(text: &str) -> Vec<(Language, f64)> {
        static DETECTOR: OnceLock<lingua::LanguageDetector> = OnceLock::new();
        let detector = DETECTOR.get_or_init(|| {
            let languages: Vec<lingua::Language> = ORDER.iter().map(|&l| to_lingua(l)).collect();
            lingua::LanguageDetectorBuilder::from_languages(&languages).build()
        });
        detector
            .compute_language_confidence_values(text)
            .into_iter()
            .map(|(l, c)| (ORDER.into_iter().find(|&o| to_lingua(o) == l).expect("one of ours"), c))
            .collect()
    }

    /// Shopper-like text in every language, from the repository's catalogs,
    /// eval cases and tests, cut into messages of every length, then mixed.
    fn corpus() -> Vec<String> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut sources = Vec::new();
        for dir in ["examples", "evals", "gateway/src/lang", "gateway/src/classify", "gateway/src/claims", "gateway/src/search"] {
            collect_files(&std::path::Path::new(root).join(dir), &mut sources);
        }
        let mut lines: Vec<String> = Vec::new();
        for text in sources {
            for line in text.lines() {
                // Strings inside code and data: the text between quotes.
                for (i, part) in line.split('"').enumerate() {
                    if i % 2 == 1 && part.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                        lines.push(part.to_owned());
                    }
                }
            }
        }
        lines.sort();
        lines.dedup();
        let mut corpus = lines.clone();
        // Mixed and long texts: neighbours glued together, short cuts of each line.
        for pair in lines.windows(2) {
            corpus.push(format!("{} {}", pair[0], pair[1]));
        }
        for chunk in lines.chunks(7) {
            corpus.push(chunk.join(" "));
        }
        for line in &lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            for n in 1..=3.min(words.len()) {
                corpus.push(words[..n].join(" "));
            }
        }
        // About 6,000 of them (every k-th), so the test stays quick in debug builds.
        let stride = corpus.len() / 6000 + 1;
        let mut corpus: Vec<String> = corpus.into_iter().step_by(stride).collect();
        corpus.extend(
            [
                "",
                "   ",
                "42",
                "👍",
                "ok",
                "M?",
                "ß",
                "ïï",
                "łódź",
                "їжак",
                "Hola, у вас есть эта jacket в size M?",
                "Straße Łódź çà",
                "Ελληνικά words here",
                "Ελληνικά Ελληνικά latin latin",
                "中文 and English",
                "مرحبا hello",
                "ǅemal ﬁne ｆｕｌｌｗｉｄｔｈ",
                "Ⅻ roman numerals Ⅻ",
                "a\u{0301}ccent combining",
                "ЁЖИК щука объём",
                "über größe",
                "ação não",
            ]
            .map(str::to_owned),
        );
        corpus
    }

    fn collect_files(path: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(path) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect_files(&path, out);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "json" | "yaml" | "yml" | "toml" | "md" | "txt" | "csv"))
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                out.push(text);
            }
        }
    }

    #[test]
    fn agrees_with_lingua() {
        let corpus = corpus();
        assert!(corpus.len() > 5000, "a corpus of {} texts is too small to say much", corpus.len());
        for text in &corpus {
            let ours = confidence_values(text);
            let theirs = lingua_values(text);
            for (language, confidence) in &theirs {
                let mine = ours.iter().find(|(l, _)| l == language).map(|(_, c)| *c).expect("every language has a value");
                assert!((mine - confidence).abs() < 1e-9, "{text:?}: {language:?} is {mine} here, {confidence} in lingua\nhere: {ours:?}\nlingua: {theirs:?}");
            }
            // Same order, except among (near-)equal confidences.
            if theirs[0].1 > 0.0 && theirs.get(1).is_none_or(|second| theirs[0].1 - second.1 > 1e-9) {
                assert_eq!(ours[0].0, theirs[0].0, "{text:?}: {ours:?} / {theirs:?}");
            }
        }
    }

    #[test]
    fn the_memo_stays_bounded() {
        // Text made of n-grams no shopper writes fills shards, which start again.
        let mut text = String::new();
        for i in 0..40_000u32 {
            let c = |k: u32| char::from_u32(0x3b1 + (i / 25u32.pow(k)) % 25).unwrap_or('x');
            text.extend([c(0), c(1), c(2), c(3), ' ']);
        }
        let _ = confidence_values(&text);
        for word in text.split_whitespace().take(5000) {
            let _ = lookup(word);
        }
        let kept: usize = memo().shards.iter().map(|s| s.read().unwrap().len()).sum();
        assert!(kept <= MEMO_SHARDS * MEMO_SHARD_ENTRIES, "{kept} n-grams kept");
        // And a lookup still answers as the models do.
        let english = lookup("the")[index(Language::English)];
        assert!(english.is_finite() && english < 0.0, "{english}");
    }

    #[test]
    fn keys_tell_ngrams_apart() {
        let ngrams = ["a", "aa", "\u{0}a", "ab", "ba", "abcde", "äbcde", "ж", "жж", "ЖЖ"];
        let keys: std::collections::HashSet<u128> = ngrams.iter().map(|n| key(n)).collect();
        assert_eq!(keys.len(), ngrams.len());
    }
}
