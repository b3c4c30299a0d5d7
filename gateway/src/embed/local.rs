//! `local-lexicon-v1`: deterministic, offline "lexical-semantic" embeddings for shop
//! catalogs. Good at catalog vocabulary, shopper synonyms (jumper = sweater), product
//! words across EN/ES/RU/FR/DE/IT/PT/CA via a hand-written concept lexicon, and typos.
//! Not for general semantics or paraphrase beyond the lexicon: use `openai` for that.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use async_trait::async_trait;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::{EmbedError, Embedder, normalize};

/// Dimensions used by `LocalEmbedder::default()`.
pub const DEFAULT_DIMENSIONS: usize = 384;

/// Bump whenever the lexicon, weights or hashing change: the model id is stored
/// with each embedding, so a new version marks every card for re-embedding.
const MODEL_VERSION: &str = "local-lexicon-v1";

// Feature weights (before sublinear term frequency and L2 normalisation).
/// A token that maps to a lexicon concept.
const W_CONCEPT: f32 = 1.25;
/// Each parent of a matched concept (e.g. `jacket` for `parka`); halved per level.
const W_PARENT: f32 = 0.6;
/// Concepts flagged as generic (clothing, colour, size...) are scaled by this.
const W_GENERIC: f32 = 0.5;
/// The raw (normalised) token, when it maps to a concept.
const W_TOKEN: f32 = 0.3;
/// The raw token when it maps to no concept: names, brands, unlisted words.
const W_UNKNOWN_TOKEN: f32 = 0.8;
/// Everything on the first line of a multi-line text (a card's title) counts
/// this much more.
const TITLE_BOOST: f32 = 1.5;
/// Each character 3-gram of a token longer than 3 characters.
const W_TRIGRAM: f32 = 0.12;
/// Two concepts close together, order-insensitive ("linen shirt" = "camisa de lino").
const W_PAIR: f32 = 0.25;
/// Scale for a concept found by splitting a compound ("lederjacke").
const F_COMPOUND: f32 = 0.8;
/// Scale for a concept found within one edit of a lexicon word ("linnen").
const F_FUZZY: f32 = 0.5;
/// Concepts at most this many tokens apart form a pair feature.
const PAIR_WINDOW: usize = 3;

/// Offline embedder over a built-in multilingual fashion/commerce lexicon.
///
/// Features per text: each token's concept (and its parents), the token itself,
/// its character 3-grams, and pairs of nearby concepts, with sublinear term
/// frequency, hashed with a sign bit into `dimensions` buckets and scaled to unit
/// length. A text without any usable token (empty, punctuation, only stop words)
/// gets a fixed unit vector (`1.0` in the first bucket) so cosine stays defined.
#[derive(Debug, Clone)]
pub struct LocalEmbedder {
    dimensions: usize,
    model_id: String,
}

impl LocalEmbedder {
    /// An embedder producing `dimensions`-long vectors (0 is treated as 1).
    pub fn new(dimensions: usize) -> Self {
        let dimensions = dimensions.max(1);
        Self { dimensions, model_id: format!("{MODEL_VERSION}:{dimensions}") }
    }

    /// Embeds one text synchronously; the result has length 1.
    pub fn embed_text(&self, text: &str) -> Vec<f32> {
        let lex = lexicon();
        let mut acc: Option<Accumulator> = None;
        let mut last: Option<(u32, usize)> = None;
        analyze(lex, text, |tokens, step| {
            let acc = acc.get_or_insert_with(|| {
                let bound = tokens.iter().map(|t| t.nchars as usize + 8).sum::<usize>();
                Accumulator::with_bound(bound)
            });
            let boost = if step.title { TITLE_BOOST } else { 1.0 };
            if !step.stop && step.nchars > 1 {
                let w = if step.concepts == Resolved::None { W_UNKNOWN_TOKEN } else { W_TOKEN };
                acc.add(mix64(step.key ^ SEED_TOKEN), w * boost);
                if step.nchars > 3 {
                    add_trigrams(acc, step.word, W_TRIGRAM * boost);
                }
            }
            match step.concepts {
                Resolved::None => {}
                Resolved::One(c, f) => emit_concept(lex, acc, &mut last, c, step.pos, f * boost),
                Resolved::Two(a, b, f) => {
                    emit_concept(lex, acc, &mut last, a, step.pos, f * boost);
                    emit_concept(lex, acc, &mut last, b, step.pos, f * boost);
                }
            }
        });

        let mut v = vec![0.0f32; self.dimensions];
        let dims = self.dimensions as u64;
        for &(key, sum, max) in acc.iter().flat_map(|a| &a.entries) {
            // Sublinear tf generalised to weighted counts: n equal hits of
            // weight w give w * (1 + ln n).
            let val = if sum > max { max * (1.0 + (sum / max).ln()) } else { max };
            let sign = if key >> 63 == 1 { -1.0 } else { 1.0 };
            // Bucket from the low 32 bits (multiply-shift, no division), sign from bit 63.
            v[(((key & 0xffff_ffff) * dims) >> 32) as usize] += sign * val;
        }
        if v.iter().all(|x| *x == 0.0) {
            // Nothing to go on (or, vanishingly rarely, features cancelled out).
            v[0] = 1.0;
            return v;
        }
        normalize(&mut v);
        v
    }

    /// For debugging retrieval: each normalised token of `text` with the
    /// lexicon concepts it maps to (a multi-word match shows on its first token).
    pub fn explain(&self, text: &str) -> Vec<(String, Vec<&'static str>)> {
        let mut out = Vec::new();
        analyze(lexicon(), text, |_, step| {
            let name = |c: u32| CONCEPTS[c as usize].0;
            let concepts = match step.concepts {
                Resolved::None => vec![],
                Resolved::One(c, _) => vec![name(c)],
                Resolved::Two(a, b, _) => vec![name(a), name(b)],
            };
            out.push((step.word.to_owned(), concepts));
        });
        out
    }
}

impl Default for LocalEmbedder {
    fn default() -> Self {
        Self::new(DEFAULT_DIMENSIONS)
    }
}

#[async_trait]
impl Embedder for LocalEmbedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// CPU-only and fast (tens of microseconds per product card), so it runs
    /// inline rather than on a blocking thread.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_text(t)).collect())
    }
}

/// One token as seen by the feature extractor.
struct Step<'a> {
    pos: usize,
    word: &'a str,
    /// `word_key(word)`.
    key: u64,
    nchars: usize,
    stop: bool,
    /// On the first line of a text that has several.
    title: bool,
    concepts: Resolved,
}

/// Normalises and tokenises `text`, maps tokens to concepts and calls `f` once
/// per token, in order (with the whole token list, for sizing).
fn analyze(lex: &Lexicon, text: &str, mut f: impl FnMut(&[Tok], Step<'_>)) {
    let mut norm = String::with_capacity(text.len() + 8);
    let mut toks = Vec::with_capacity(text.len() / 4 + 4);
    tokenize(text, &mut norm, &mut toks);
    let multi_line = toks.last().is_some_and(|t| !t.first_line);
    let word = |t: &Tok| &norm[t.start as usize..t.end as usize];
    let mut buf = String::new();
    let mut skip_until = 0usize;

    for (i, t) in toks.iter().enumerate() {
        let w = word(t);
        let key = word_key(w);
        let entry = lex.words.get(&key).copied();
        let stop = entry.is_some_and(|e| e.stop);
        let mut concepts = Resolved::None;
        if i >= skip_until {
            // Multi-word lexicon entries ("t shirt", "sac a dos", "azul marino").
            if entry.is_some_and(|e| e.starter) {
                for k in [3usize, 2] {
                    let Some(span) = toks.get(i..i + k) else {
                        continue;
                    };
                    buf.clear();
                    span.iter().for_each(|t2| buf.push_str(word(t2)));
                    if let Some(c) = lex.concept(&buf) {
                        concepts = Resolved::One(c, 1.0);
                        skip_until = i + k;
                        break;
                    }
                }
            }
            if i >= skip_until && !stop {
                concepts = match entry.map_or(NO_CONCEPT, |e| e.concept) {
                    NO_CONCEPT => lex.resolve_unknown(w, *t, &mut buf),
                    NOT_A_CONCEPT => Resolved::None,
                    c => Resolved::One(c, 1.0),
                };
            }
        }
        let title = t.first_line && multi_line;
        f(&toks, Step { pos: i, word: w, key, nchars: t.nchars as usize, stop, title, concepts });
    }
}

fn emit_concept(lex: &Lexicon, acc: &mut Accumulator, last: &mut Option<(u32, usize)>, c: u32, pos: usize, factor: f32) {
    let base = factor * lex.weight[c as usize];
    acc.add(lex.keys[c as usize], W_CONCEPT * base);
    add_parents(lex, acc, c, W_PARENT * base, 0);
    if let Some((prev, prev_pos)) = *last
        && prev != c
        && pos - prev_pos <= PAIR_WINDOW
    {
        // `+` is symmetric: the pair feature ignores word order.
        let ab = lex.keys[prev as usize].wrapping_add(lex.keys[c as usize]);
        acc.add(mix64(SEED_PAIR ^ ab), W_PAIR * factor);
    }
    *last = Some((c, pos));
}

fn add_parents(lex: &Lexicon, acc: &mut Accumulator, c: u32, w: f32, depth: usize) {
    if depth < 4 {
        for &p in &lex.parents[c as usize] {
            acc.add(lex.keys[p as usize], w);
            add_parents(lex, acc, p, w * 0.5, depth + 1);
        }
    }
}

/// Character 3-grams with word-start and word-end markers ("^li", "lin", ... "en$"),
/// over at most the first 64 characters of the token.
fn add_trigrams(acc: &mut Accumulator, w: &str, weight: f32) {
    let mut bounds = [0usize; 65];
    let mut n = 0usize;
    for (b, _) in w.char_indices() {
        if n == 64 {
            break;
        }
        bounds[n] = b;
        n += 1;
    }
    bounds[n] = if n == 64 { bounds[63] + w[bounds[63]..].chars().next().map_or(0, char::len_utf8) } else { w.len() };
    if n < 3 {
        return;
    }
    let bytes = w.as_bytes();
    acc.add(hash_bytes(SEED_TRIGRAM ^ 1, &bytes[..bounds[2]]), weight);
    for i in 0..n - 2 {
        acc.add(hash_bytes(SEED_TRIGRAM, &bytes[bounds[i]..bounds[i + 3]]), weight);
    }
    acc.add(hash_bytes(SEED_TRIGRAM ^ 2, &bytes[bounds[n - 2]..bounds[n]]), weight);
}

// ---------------------------------------------------------------------------
// Hashing

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const SEED_CONCEPT: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_TOKEN: u64 = 0x2545_f491_4f6c_dd1d;
const SEED_TRIGRAM: u64 = FNV_OFFSET ^ 0x3330;
const SEED_PAIR: u64 = 0xd6e8_feb8_6659_fd93;

fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// MurmurHash3's 64-bit finaliser: spreads FNV's weak high bits.
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    mix64(fnv1a(seed, bytes))
}

/// 64-bit hash of a normalised word: the key of the lexicon maps, so lookups
/// compare integers, not strings (a false match needs a 64-bit collision).
fn word_key(w: &str) -> u64 {
    hash_bytes(FNV_OFFSET, w.as_bytes())
}

/// Identity hasher for maps keyed by already-mixed `u64`s.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Feature hash -> (sum of weights, max weight): entries stored densely, found
/// through an open-addressing index table.
struct Accumulator {
    /// 0 = empty, else 1 + index into `entries`.
    table: Vec<u32>,
    entries: Vec<(u64, f32, f32)>,
    mask: usize,
}

impl Accumulator {
    /// `bound` is the expected number of distinct features (the table grows past it).
    fn with_bound(bound: usize) -> Self {
        let cap = (bound * 2).next_power_of_two().max(64);
        Self { table: vec![0; cap], entries: Vec::with_capacity(bound), mask: cap - 1 }
    }

    fn add(&mut self, key: u64, w: f32) {
        let mut i = key as usize & self.mask;
        loop {
            match self.table[i] {
                0 => {
                    if self.entries.len() * 2 >= self.table.len() {
                        self.grow();
                        return self.add(key, w);
                    }
                    self.entries.push((key, w, w));
                    self.table[i] = self.entries.len() as u32;
                    return;
                }
                t => {
                    let e = &mut self.entries[t as usize - 1];
                    if e.0 == key {
                        e.1 += w;
                        e.2 = e.2.max(w);
                        return;
                    }
                }
            }
            i = (i + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let cap = self.table.len() * 2;
        self.table = vec![0; cap];
        self.mask = cap - 1;
        for (n, e) in self.entries.iter().enumerate() {
            let mut i = e.0 as usize & self.mask;
            while self.table[i] != 0 {
                i = (i + 1) & self.mask;
            }
            self.table[i] = n as u32 + 1;
        }
    }
}

// ---------------------------------------------------------------------------
// Normalisation and tokenisation

#[derive(Clone, Copy, Debug)]
struct Tok {
    start: u32,
    end: u32,
    nchars: u16,
    cyr: bool,
    /// Before the first line break of the text.
    first_line: bool,
}

struct Tokenizer<'a> {
    out: &'a mut String,
    toks: &'a mut Vec<Tok>,
    start: usize,
    nchars: usize,
    cyr: bool,
    first_line: bool,
}

impl Tokenizer<'_> {
    fn push_ascii_alnum(&mut self, c: char) {
        if self.nchars == 0 {
            self.start = self.out.len();
            self.cyr = false;
        }
        self.out.push(c);
        self.nchars += 1;
    }

    fn push(&mut self, c: char) {
        if !c.is_alphanumeric() {
            self.end();
            return;
        }
        if self.nchars == 0 {
            self.start = self.out.len();
            self.cyr = false;
        }
        self.out.push(c);
        self.nchars += 1;
        if ('\u{400}'..='\u{4ff}').contains(&c) {
            self.cyr = true;
        }
    }

    fn end(&mut self) {
        if self.nchars > 0 {
            self.toks.push(Tok {
                start: self.start as u32,
                end: self.out.len() as u32,
                nchars: self.nchars.min(u16::MAX as usize) as u16,
                cyr: self.cyr,
                first_line: self.first_line,
            });
            self.nchars = 0;
        }
    }
}

/// NFKD, combining marks dropped (so "camión" = "camion", "ё" = "е"; "й" is
/// kept), lowercase; tokens are maximal runs of letters and digits.
fn tokenize(text: &str, out: &mut String, toks: &mut Vec<Tok>) {
    let mut t = Tokenizer { out, toks, start: 0, nchars: 0, cyr: false, first_line: true };
    for c in text.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                t.push_ascii_alnum(c.to_ascii_lowercase());
            } else {
                t.end();
                if c == '\n' && !t.toks.is_empty() {
                    t.first_line = false;
                }
            }
        } else if c == 'й' || c == 'Й' {
            t.push('й');
        } else {
            decompose_compatible(c, |d| {
                if !is_combining_mark(d) {
                    for l in d.to_lowercase() {
                        t.push(l);
                    }
                }
            });
        }
    }
    t.end();
}

/// Normalises a lexicon entry and glues its words together ("T-shirt" -> "tshirt");
/// also returns the first word of a multi-word entry.
fn lexicon_key(entry: &str) -> (String, Option<String>) {
    let mut norm = String::new();
    let mut toks = Vec::new();
    tokenize(entry, &mut norm, &mut toks);
    let first = (toks.len() > 1).then(|| norm[toks[0].start as usize..toks[0].end as usize].to_owned());
    let mut key = String::new();
    for t in &toks {
        key.push_str(&norm[t.start as usize..t.end as usize]);
    }
    (key, first)
}

// ---------------------------------------------------------------------------
// Light inflection handling

/// Endings for Latin-script tokens, longest first (plural and gender endings
/// of EN/ES/FR/DE/IT/PT/CA).
const LATIN_ENDINGS: &[&str] = &["es", "as", "os", "en", "s", "a", "e", "o", "i"];
/// Endings for Cyrillic tokens (Russian case, number and adjective endings).
const CYRILLIC_ENDINGS: &[&str] = &[
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ой", "ей", "ий", "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ую", "юю", "ов", "ев", "ом", "ем",
    "ах", "ях", "а", "я", "у", "ю", "ы", "и", "е", "о", "ь", "й",
];
/// A stem keeps at least this many characters (Latin, Cyrillic): short stems
/// of Latin words collide too often ("line" is not "lin", French for linen).
const MIN_STEM: (usize, usize) = (4, 3);

fn endings(cyr: bool) -> &'static [&'static str] {
    if cyr { CYRILLIC_ENDINGS } else { LATIN_ENDINGS }
}

/// Characters in an ending of `bytes` bytes (Cyrillic letters take two).
fn ending_chars(bytes: usize, cyr: bool) -> usize {
    if cyr { bytes / 2 } else { bytes }
}

fn strippable(w: &str, nchars: usize, e: &str, cyr: bool) -> bool {
    let min = if cyr { MIN_STEM.1 } else { MIN_STEM.0 };
    let (w, e) = (w.as_bytes(), e.as_bytes());
    nchars >= min + ending_chars(e.len(), cyr)
        // A byte loop rather than `ends_with` (a memcmp call): these are tiny.
        && w.len() >= e.len()
        && w[w.len() - e.len()..].iter().zip(e).all(|(a, b)| a == b)
}

/// The token minus its longest known ending (or the token itself).
fn stem(w: &str, nchars: usize, cyr: bool) -> &str {
    for e in endings(cyr) {
        if strippable(w, nchars, e, cyr) {
            return &w[..w.len() - e.len()];
        }
    }
    w
}

/// `w` with runs of one repeated character collapsed ("linnen" -> "linen").
fn squeeze(w: &str, out: &mut String) {
    out.clear();
    let mut prev = None;
    for c in w.chars() {
        if prev != Some(c) {
            out.push(c);
        }
        prev = Some(c);
    }
}

// ---------------------------------------------------------------------------
// The lexicon

const NO_CONCEPT: u32 = u32::MAX;
/// Marks a word listed in `NOT_CONCEPTS`.
const NOT_A_CONCEPT: u32 = u32::MAX - 1;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Resolved {
    None,
    One(u32, f32),
    Two(u32, u32, f32),
}

#[derive(Clone, Copy)]
struct Entry {
    /// `NO_CONCEPT` for stop words and first words of phrases only,
    /// `NOT_A_CONCEPT` for `NOT_CONCEPTS`.
    concept: u32,
    stop: bool,
    /// First word of a multi-word entry.
    starter: bool,
}

/// Maps keyed by `word_key` of a normalised word.
struct Lexicon {
    /// Word (multi-word entries glued) -> entry.
    words: KeyMap<Entry>,
    /// Stem of a lexicon word -> concept (`NO_CONCEPT` where stems collide).
    stems: KeyMap<u32>,
    /// Lexicon words of 5+ chars with doubled letters collapsed -> concept.
    squeezed: KeyMap<u32>,
    /// Lexicon words of 9+ chars minus one character (not the first) -> concept.
    deletes: KeyMap<u32>,
    /// `anagram_key` of lexicon words of 6+ chars: gate for the transposition search.
    anagrams: KeyMap<()>,
    /// Last 4 characters of Latin lexicon words, bare and with each ending:
    /// gate for the compound search.
    suffixes: KeyMap<()>,
    parents: Vec<Vec<u32>>,
    /// Feature hash of each concept, from its name: stable when concepts are
    /// added or reordered.
    keys: Vec<u64>,
    weight: Vec<f32>,
    /// Words listed under two concepts (the first one wins); checked by a test.
    #[cfg_attr(not(test), allow(dead_code))]
    conflicts: Vec<(String, &'static str, &'static str)>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(Lexicon::build)
}

fn is_cyrillic(w: &str) -> bool {
    w.chars().any(|ch| ('\u{400}'..='\u{4ff}').contains(&ch))
}

/// The last `k` characters of `w` (all of it if shorter).
fn last_chars(w: &str, k: usize) -> &str {
    match w.char_indices().rev().nth(k - 1) {
        Some((i, _)) => &w[i..],
        None => w,
    }
}

/// Order-independent hash of a word's characters (equal for transpositions).
fn anagram_key(w: &str) -> u64 {
    let mut h = 0u64;
    let mut n = 0u64;
    for c in w.chars() {
        h = h.wrapping_add(mix64(c as u64 + 1));
        n += 1;
    }
    mix64(h ^ n)
}

impl Lexicon {
    fn build() -> Self {
        let index: HashMap<&str, u32> = CONCEPTS.iter().enumerate().map(|(i, c)| (c.0, i as u32)).collect();
        let blank = Entry { concept: NO_CONCEPT, stop: false, starter: false };
        let mut words: KeyMap<Entry> = KeyMap::default();
        let mut listed: Vec<(String, u32)> = Vec::new();
        let mut conflicts = Vec::new();
        let mut parents = Vec::with_capacity(CONCEPTS.len());
        let keys = CONCEPTS.iter().map(|c| hash_bytes(SEED_CONCEPT, c.0.as_bytes())).collect();
        let mut weight = Vec::with_capacity(CONCEPTS.len());

        for (id, &(name, par, list)) in CONCEPTS.iter().enumerate() {
            parents.push(par.split('|').filter(|p| !p.is_empty()).map(|p| *index.get(p).unwrap_or_else(|| panic!("unknown parent concept {p}"))).collect());
            weight.push(if GENERIC.contains(&name) { W_GENERIC } else { 1.0 });
            for entry in list.split('|') {
                let (key, first) = lexicon_key(entry);
                if key.is_empty() {
                    continue;
                }
                if let Some(first) = first {
                    words.entry(word_key(&first)).or_insert(blank).starter = true;
                }
                let e = words.entry(word_key(&key)).or_insert(blank);
                if e.concept == NO_CONCEPT {
                    e.concept = id as u32;
                    listed.push((key, id as u32));
                } else if e.concept != id as u32 {
                    conflicts.push((key, CONCEPTS[e.concept as usize].0, name));
                }
            }
        }
        for w in NOT_CONCEPTS.split_whitespace() {
            let (key, _) = lexicon_key(w);
            let e = words.entry(word_key(&key)).or_insert(blank);
            assert_eq!(e.concept, NO_CONCEPT, "{w} is both a lexicon word and a non-concept");
            e.concept = NOT_A_CONCEPT;
        }
        for w in STOP_WORDS.split_whitespace() {
            let (key, _) = lexicon_key(w);
            words.entry(word_key(&key)).or_insert(blank).stop = true;
        }

        let mut stems: KeyMap<u32> = KeyMap::default();
        let mut deletes: KeyMap<u32> = KeyMap::default();
        let mut squeezed: KeyMap<u32> = KeyMap::default();
        let mut anagrams: KeyMap<()> = KeyMap::default();
        let mut suffixes: KeyMap<()> = KeyMap::default();
        let add = |map: &mut KeyMap<u32>, k: &str, c: u32| {
            let v = map.entry(word_key(k)).or_insert(c);
            if *v != c {
                *v = NO_CONCEPT;
            }
        };
        let mut buf = String::new();
        for (w, c) in &listed {
            let (w, c) = (w.as_str(), *c);
            let cyr = is_cyrillic(w);
            let n = w.chars().count();
            let s = stem(w, n, cyr);
            if s.len() < w.len() {
                add(&mut stems, s, c);
            }
            if n >= 5 {
                squeeze(w, &mut buf);
                add(&mut squeezed, &buf, c);
            }
            if n >= 6 {
                anagrams.insert(anagram_key(w), ());
            }
            if n >= 9 {
                for (i, ch) in w.char_indices().skip(1) {
                    buf.clear();
                    buf.push_str(&w[..i]);
                    buf.push_str(&w[i + ch.len_utf8()..]);
                    add(&mut deletes, &buf, c);
                }
            }
            if !cyr && n >= 4 {
                suffixes.insert(word_key(last_chars(w, 4)), ());
                for e in LATIN_ENDINGS {
                    buf.clear();
                    buf.push_str(w);
                    buf.push_str(e);
                    suffixes.insert(word_key(last_chars(&buf, 4)), ());
                }
            }
        }

        Self { words, stems, squeezed, deletes, anagrams, suffixes, parents, keys, weight, conflicts }
    }

    /// The concept of an exact (normalised, glued) word.
    fn concept(&self, k: &str) -> Option<u32> {
        self.words.get(&word_key(k)).map(|e| e.concept).filter(|&c| c < NOT_A_CONCEPT)
    }

    fn get(map: &KeyMap<u32>, k: &str) -> Option<u32> {
        map.get(&word_key(k)).copied().filter(|&c| c != NO_CONCEPT)
    }

    /// The word minus an ending (shortest first), then a stem shared with a
    /// lexicon word; the exact word is checked by the caller. A word without
    /// any ending never matches by stem ("sal" is not "sale").
    fn lookup_inflected(&self, w: &str, nchars: usize, cyr: bool, use_stems: bool) -> Option<u32> {
        for e in endings(cyr).iter().rev() {
            if strippable(w, nchars, e, cyr)
                && let Some(c) = self.concept(&w[..w.len() - e.len()])
            {
                return Some(c);
            }
        }
        let s = stem(w, nchars, cyr);
        if use_stems && s.len() < w.len() { Self::get(&self.stems, s) } else { None }
    }

    /// A token that is not itself a lexicon word (or stop word).
    fn resolve_unknown(&self, w: &str, t: Tok, buf: &mut String) -> Resolved {
        let n = t.nchars as usize;
        if let Some(c) = self.lookup_inflected(w, n, t.cyr, true) {
            return Resolved::One(c, 1.0);
        }
        if n < 5 || w.bytes().any(|b| b.is_ascii_digit()) {
            return Resolved::None;
        }
        // Compounds of two lexicon words (mostly German): "lederjacke", "hochzeitskleid".
        if n >= 8 && !t.cyr && self.suffixes.contains_key(&word_key(last_chars(w, 4))) {
            for (left_chars, (i, _)) in w.char_indices().enumerate() {
                if left_chars >= 4 && n - left_chars >= 4 {
                    let (l, r) = w.split_at(i);
                    let right = self.concept(r).or_else(|| self.lookup_inflected(r, n - left_chars, false, false));
                    if let Some(b) = right {
                        let left = self.concept(l).or_else(|| self.lookup_inflected(l, left_chars, false, false));
                        if let Some(a) = left {
                            return Resolved::Two(a, b, F_COMPOUND);
                        }
                    }
                }
            }
        }
        // Typos, kept to kinds that rarely turn one real word into another:
        // doubled or undoubled letters ("linnen", "jumpper"), swapped
        // neighbours ("jakcet"), and in long words a missing letter
        // ("sweatshrt"). The first letter is always taken as typed.
        squeeze(w, buf);
        if let Some(c) = Self::get(&self.squeezed, buf) {
            return Resolved::One(c, F_FUZZY);
        }
        if n >= 6 && self.anagrams.contains_key(&anagram_key(w)) {
            let mut it = w.char_indices().skip(1).peekable();
            while let Some((i, a)) = it.next() {
                let Some(&(j, b)) = it.peek() else { break };
                if a != b {
                    buf.clear();
                    buf.push_str(&w[..i]);
                    buf.push(b);
                    buf.push(a);
                    buf.push_str(&w[j + b.len_utf8()..]);
                    if let Some(c) = self.concept(buf) {
                        return Resolved::One(c, F_FUZZY);
                    }
                }
            }
        }
        if n >= 8
            && let Some(c) = Self::get(&self.deletes, w)
        {
            return Resolved::One(c, F_FUZZY);
        }
        Resolved::None
    }
}

/// Words that look like inflections or typos of lexicon words but are not:
/// they never map to a concept (EN "large" is not ES "largo").
const NOT_CONCEPTS: &str = "
large larger runs corte cortes cintura cinta well bordes capa capas sal tenia media medio
hombro hombros brass collar ajustes ajusta preciosa precioso preciosas preciosos
preciso precisa precise encaja encajan punta puntas
";

/// Concepts that say little about which product fits; weighted by `W_GENERIC`.
const GENERIC: &[&str] = &["clothing", "colour", "size", "price", "accessories", "footwear", "outerwear", "new", "set", "top", "knitwear", "swimwear"];

/// Function words and shopper filler ("do you have", "I'm looking for")
/// dropped before lookup (EN, ES, RU, FR, DE, IT, PT, CA).
const STOP_WORDS: &str = "
the a an and or of for with in on at to from by is are be was were this that these those it its
as your you our we my me i but not no so if than then very more most also can will just all
any some into up out about has have had do does which what who how there here
el la los las un una unos unas y o de del al en con para por que es son se su sus mi muy mas
este esta estos estas lo le les como pero sin sobre entre tu ya
и в во на с со по для от до из к у о об не но а или это как что же бы то ещё еще очень мой моя
мне я вы ты мы он она они его её их же ли при так
le les des et ou du au aux avec pour par sur dans qui est sont ce cette ces son sa ses mon ma
mes votre vos notre nos tres plus pas ne je vous il elle
der die das den dem des ein eine einen einem einer und oder mit fur von zu im auf aus ist
sind nicht sehr mein meine ich sie wir es
il lo gli di della dei delle da per che molto mio mia non
os um uma ou do da dos das em no na nos nas com muito meu minha nao
els dels amb molt meu meva
looking look need want wanted something anything please show find buy got get any would like
teneis tienes tienen tiene hay busco buscando quiero quisiera necesito algo alguna alguno
есть ищу нужен нужна нужно нужны хочу покажите подскажите что-нибудь
avez cherche veux voudrais besoin quelque
habt haben suche mochte brauche etwas
avete cerco vorrei voglio qualcosa
tem procuro quero preciso algum
teniu vull necessito
";

/// The concept lexicon: (name, parent names separated by `|` or "", words
/// separated by `|`).
/// Words are written naturally; accents, case and hyphens are normalised when
/// the lookup table is built, and multi-word entries match adjacent tokens.
/// Inflections not listed are caught by the ending/stem fallback.
#[rustfmt::skip]
const CONCEPTS: &[(&str, &str, &str)] = &[
    // --- broad categories --------------------------------------------------
    ("clothing", "", "clothes|clothing|garment|garments|apparel|outfit|outfits|ropa|prenda|prendas|vestimenta|одежда|одежду|одежды|vêtement|vêtements|tenue|tenues|kleidung|bekleidung|abbigliamento|capo|capi|roupa|roupas|vestuário|roba|peça|peces"),
    ("outerwear", "", "outerwear|ropa de abrigo|prendas de abrigo|верхняя одежда|vêtements d'extérieur|oberbekleidung|capispalla|agasalho|agasalhos|roba d'abric"),
    ("top", "", "top|tops|топ|топы|топик|oberteil|oberteile|parte de arriba"),
    ("knitwear", "", "knitwear|knit|knits|knitted|punto|tejido de punto|de punto|трикотаж|трикотажный|вязаный|вязаная|вязаные|maille|tricot|tricoté|strick|gestrickt|strickware|maglieria|maglia|malha|tricô|tricotado|punt|de punt|cable knit|cable-knit|de ochos|косы|torsades|zopfmuster|a trecce|tranças"),
    ("footwear", "", "shoes|shoe|footwear|zapatos|zapato|calzado|обувь|обуви|туфли|туфель|chaussures|chaussure|souliers|schuhe|schuh|schuhwerk|scarpe|scarpa|calzature|sapatos|sapato|calçado|sabates|sabata|calçat"),
    ("swimwear", "", "swimwear|beachwear|swim|swimming|moda baño|ropa de baño|natación|плавание|купальные|пляжная одежда|natation|maillots|bademode|schwimmen|costumi da bagno|nuoto|moda praia|natação|roupa de banho|moda bany|natació|bañador|bañadores"),
    ("underwear", "", "underwear|lingerie|briefs|boxers|boxer|bra|bras|knickers|panties|ropa interior|bragas|calzoncillos|sujetador|sujetadores|нижнее белье|белье|трусы|трусики|бюстгальтер|лифчик|sous-vêtements|culotte|culottes|soutien-gorge|unterwäsche|dessous|bh|unterhose|intimo|biancheria intima|reggiseno|mutande|mutandine|roupa interior|cuecas|sutiã|calcinha|roba interior|calces|sostenidors"),
    ("accessories", "", "accessories|accessory|complementos|complemento|accesorios|accesorio|аксессуары|аксессуар|accessoires|accessoire|accessori|acessórios|acessório|accessoris"),

    // --- tops ---------------------------------------------------------------
    ("shirt", "top", "shirt|shirts|button-down|button-up|dress shirt|oxford shirt|camisa|camisas|рубашка|рубашку|рубашки|рубашек|рубашкой|сорочка|сорочки|chemise|chemises|hemd|hemden|oberhemd|camicia|camicie|camises"),
    ("tshirt", "top", "t-shirt|t-shirts|tshirt|tshirts|tee|tees|t shirt|t shirts|camiseta|camisetas|remera|remeras|playera|playeras|футболка|футболки|футболку|футболок|tee-shirt|tee-shirts|maglietta|magliette|samarreta|samarretes"),
    ("polo", "top", "polo|polos|polo shirt|polo shirts|поло|poloshirt|camisa polo"),
    ("blouse", "top", "blouse|blouses|blusa|blusas|блузка|блузки|блузку|блузок|блуза|chemisier|chemisiers|bluse|blusen|camicetta|camicette|brusa|bruses"),
    ("tank_top", "top", "tank top|tank tops|tanktop|vest top|camisole|cami|crop top|camiseta de tirantes|top de tirantes|майка|майки|débardeur|débardeurs|caraco|trägertop|canotta|canotte|canottiera|regata|regatas|samarreta de tirants"),
    ("bodysuit", "top", "bodysuit|bodysuits|body|боди|bodies"),
    ("tunic", "top", "tunic|tunics|túnica|túnicas|туника|туники|tunique|tuniques|tunika|tunica|tuniche"),
    ("sweater", "knitwear", "sweater|sweaters|jumper|jumpers|pullover|pullovers|pull-over|jersey|jerseys|suéter|sueter|свитер|свитера|свитеров|свитером|джемпер|джемпера|пуловер|пуловеры|pull|pulls|strickpullover|maglione|maglioni|pulôver|suéteres|jersei|jerseis"),
    ("turtleneck", "sweater", "turtleneck|turtlenecks|roll neck|rollneck|polo neck|cuello alto|cuello vuelto|водолазка|водолазки|col roulé|rollkragen|rollkragenpullover|dolcevita|collo alto|gola alta|coll alt"),
    ("cardigan", "knitwear", "cardigan|cardigans|chaqueta de punto|rebeca|rebecas|кардиган|кардиганы|кардигана|strickjacke|strickjacken|cárdigan|casaco de malha|jaqueta de punt"),
    ("sweatshirt", "top", "sweatshirt|sweatshirts|sweat shirt|sweat|sweats|sudadera|sudaderas|толстовка|толстовки|толстовку|свитшот|свитшоты|sweat-shirt|felpa|felpe|moletom|moletons|dessuadora|dessuadores"),
    ("hoodie", "sweatshirt|hood", "hoodie|hoodies|hoody|hooded sweatshirt|sudadera con capucha|худи|толстовка с капюшоном|sweat à capuche|kapuzenpullover|kapuzenpulli|felpa con cappuccio|moletom com capuz|dessuadora amb caputxa"),
    ("hood", "", "hood|hooded|capucha|капюшон|капюшоном|capuche|kapuze|cappuccio|capuz|caputxa"),
    ("vest", "outerwear", "vest|vests|gilet|gilets|waistcoat|waistcoats|body warmer|bodywarmer|chaleco|chalecos|жилет|жилеты|жилетка|weste|westen|colete|coletes|armilla"),

    // --- outerwear ------------------------------------------------------------
    ("jacket", "outerwear", "jacket|jackets|bomber|bombers|chaqueta|chaquetas|cazadora|cazadoras|chamarra|куртка|куртки|куртку|курток|курткой|бомбер|veste|vestes|blouson|blousons|jacke|jacken|giacca|giacche|giubbotto|giubbotti|giubbino|jaqueta|jaquetas|blusão|jaquete|jaquetes"),
    ("blazer", "jacket", "blazer|blazers|sport coat|sports jacket|americana|americanas|блейзер|пиджак|пиджаки|пиджака|veste de costume|sakko|sakkos"),
    ("suit", "", "suit|suits|tuxedo|tuxedos|traje|trajes|esmoquin|костюм|костюмы|костюма|смокинг|costume|costumes|smoking|tailleur|anzug|anzüge|abito da uomo|terno|ternos|fato|vestit d'home"),
    ("coat", "outerwear", "coat|coats|overcoat|overcoats|topcoat|abrigo|abrigos|пальто|manteau|manteaux|mantel|mäntel|cappotto|cappotti|casaco|casacos|sobretudo|abric|abrics|peacoat|pea coat|chaquetón|chaquetones|бушлат|caban"),
    ("trench", "coat", "trench|trenches|trench coat|trenchcoat|gabardina|gabardinas|тренч|тренчкот|плащ|плащи|gabardine|gavardina"),
    ("puffer", "jacket|warm", "parka|parkas|puffer|puffers|puffa|puffer jacket|down jacket|quilted jacket|anorak|anoraks|plumífero|plumíferos|plumas|пуховик|пуховики|пуховика|парка|анорак|doudoune|doudounes|daunenjacke|steppjacke|steppjacken|piumino|piumini|anoraque|casaco acolchoado|plumífer"),
    ("raincoat", "jacket|waterproof", "raincoat|raincoats|rain jacket|rain jackets|rain coat|rain mac|slicker|cagoule|chubasquero|chubasqueros|дождевик|дождевики|ciré|k-way|regenjacke|regenmantel|giacca antipioggia|capa de chuva|capa de lluvia"),
    ("windbreaker", "jacket", "windbreaker|windbreakers|windcheater|ветровка|ветровки|ветровку|windjacke|giacca a vento|corta-vento"),
    ("fleece", "", "fleece|fleeces|forro polar|polar|флис|флиска|флисовый|polaire|fleecejacke"),
    ("poncho", "outerwear", "poncho|ponchos|cape|capes|пончо|накидка|mantella"),

    // --- bottoms and one-pieces ---------------------------------------------
    ("trousers", "", "trousers|trouser|pants|pant|slacks|pantalón|pantalones|pantalon|брюки|брюк|брючки|штаны|штанов|pantalons|hose|hosen|pantaloni|pantalone|calça|calças|pantaló"),
    ("jeans", "trousers|denim", "jeans|jean|vaqueros|tejanos|tejano|джинсы|джинсов|джинсах|jeanshose|calça jeans|texans|texà"),
    ("chinos", "trousers", "chino|chinos|khakis|чиносы|чинос|chinohose"),
    ("joggers", "trousers", "joggers|jogger|sweatpants|sweat pants|track pants|tracksuit bottoms|pantalón de chándal|джоггеры|спортивные штаны|pantalon de survêtement|jogginghose|pantaloni della tuta|calça de moletom|pantalons de xandall"),
    ("shorts", "", "shorts|bermuda|bermudas|pantalón corto|pantalones cortos|шорты|шорт|шортах|kurze hose|pantaloncini|pantaloncino|calção|calções|pantalons curts"),
    ("skirt", "", "skirt|skirts|miniskirt|miniskirts|falda|faldas|pollera|юбка|юбки|юбку|юбок|jupe|jupes|rock|röcke|minirock|gonna|gonne|minigonna|saia|saias|faldilla|faldilles"),
    ("dress", "", "dress|dresses|gown|gowns|frock|vestido|vestidos|платье|платья|платьев|платьице|robe|robes|kleid|kleider|vestito|vestiti|abito|abiti|vestit|vestits"),
    ("leggings", "trousers", "leggings|legging|mallas|malla|леггинсы|лосины|legins|fuseaux|malles"),
    ("tracksuit", "", "tracksuit|tracksuits|track suit|chándal|chandal|спортивный костюм|survêtement|trainingsanzug|tuta|tute|tuta sportiva|fato de treino|xandall"),
    ("jumpsuit", "", "jumpsuit|jumpsuits|playsuit|romper|overalls|dungarees|mono|monos|peto|комбинезон|комбинезоны|combinaison|salopette|latzhose|tuta intera|macacão|macaquinho|granota"),

    // --- swim, night, under -----------------------------------------------
    ("swimsuit", "swimwear", "swimsuit|swimsuits|swimming costume|bathing suit|one-piece|traje de baño|купальник|купальники|купальника|maillot de bain|maillot|badeanzug|costume da bagno|costume intero|maiô|fato de banho|banyador"),
    ("bikini", "swimwear", "bikini|bikinis|бикини|biquíni"),
    ("swim_trunks", "swimwear", "swim shorts|swim trunks|boardshorts|board shorts|trunks|плавки|short de bain|badehose|badeshorts|boxer mare|calção de banho|sunga"),
    ("socks", "", "socks|sock|tights|pantyhose|hosiery|stockings|calcetines|calcetín|medias|носки|носков|колготки|гольфы|chaussettes|chaussette|collants|socken|strümpfe|strumpfhose|calzini|calze|meias|meia|mitjons|mitjó|mitges"),
    ("pyjamas", "", "pyjamas|pajamas|pjs|nightwear|sleepwear|nightgown|nightdress|pijama|pijamas|camisón|пижама|пижамы|пижаму|ночная рубашка|pyjama|chemise de nuit|schlafanzug|nachthemd|pigiama|camicia da notte"),
    ("shirt_dress", "dress|shirt", "shirt dress|shirtdress|shirt dresses|vestido camisero|vestidos camiseros|платье-рубашка|платье рубашка|robe chemise|robe-chemise|hemdblusenkleid|abito chemisier|vestido chemise|vestit camiser"),
    ("sundress", "dress|summer", "sundress|sundresses|vestido de tirantes|vestido de verano|сарафан|сарафаны|robe d'été|prendisole|vestido de alças"),
    ("bathrobe", "", "bathrobe|dressing gown|albornoz|халат|peignoir|bademantel|accappatoio|roupão|barnús"),

    // --- footwear ----------------------------------------------------------------
    ("sneakers", "footwear", "sneakers|sneaker|trainers|trainer|tennis shoes|kicks|zapatillas|zapatilla|deportivas|tenis|кроссовки|кроссовок|кроссовках|кеды|кед|tennis|turnschuhe|turnschuh|sportschuhe|scarpe da ginnastica|tênis|sapatilhas|bambes|vambes"),
    ("boots", "footwear", "boots|boot|ankle boots|chelsea boots|wellies|wellingtons|botas|bota|botines|botín|ботинки|ботинок|сапоги|сапог|сапожки|полусапожки|bottes|botte|bottines|bottine|stiefel|stiefeletten|stivali|stivale|stivaletti|botins|botes|knee-high boots|knee high boots|over-the-knee boots|botas altas|высокие сапоги|cuissardes|overknee-stiefel|stivali alti"),
    ("sandals", "footwear", "sandals|sandal|flip-flops|flip flops|sliders|slides|sandalias|sandalia|chanclas|chancletas|сандалии|сандалий|босоножки|шлепанцы|вьетнамки|sandales|sandale|tongs|nu-pieds|sandalen|zehentrenner|sandali|sandalo|infradito|ciabatte|sandálias|sandália|chinelos|havaianas|sandàlies|xancletes"),
    ("loafers", "footwear", "loafers|loafer|moccasins|moccasin|boat shoes|mocasines|mocasín|лоферы|лоферов|мокасины|mocassins|mocassin|mokassins|mokassin|mocassini|mocassino"),
    ("heels", "footwear", "heels|heel|high heels|pumps|stilettos|court shoes|tacones|tacón|zapatos de tacón|каблук|каблуки|каблуке|туфли на каблуке|шпильки|talons|escarpins|escarpin|talon|absatz|absätze|stöckelschuhe|tacchi|tacco|décolleté|saltos|salto alto|sapatos de salto|sabates de taló|zapatos de salón|salones|heeled"),
    ("flats", "footwear", "ballet flats|flats|ballerinas|ballerina|bailarinas|bailarina|балетки|ballerines|ballerine|bailarines"),
    ("slippers", "footwear", "slippers|slipper|house shoes|pantuflas|zapatillas de casa|тапочки|тапки|chaussons|pantoufles|hausschuhe|pantofole|pantufas|pantufles|sabatilles"),
    ("espadrilles", "footwear", "espadrilles|espadrille|alpargatas|alpargata|эспадрильи|espadrillas|espadrilhas|espardenyes|espardenya"),
    ("clogs", "footwear", "clogs|clog|mules|zuecos|zueco|мюли|сабо|sabots|pantoletten|zoccoli|tamancos|esclops"),

    // --- accessories ----------------------------------------------------------------
    ("bag", "accessories", "bag|bags|handbag|handbags|purse|purses|tote|tote bag|shoulder bag|crossbody|clutch|bolso|bolsos|bolsa|bolsas|сумка|сумки|сумку|сумок|сумочка|sac|sacs|sac à main|pochette|tasche|taschen|handtasche|umhängetasche|borsa|borse|borsetta|bossa|bosses"),
    ("backpack", "bag", "backpack|backpacks|rucksack|rucksacks|daypack|knapsack|mochila|mochilas|рюкзак|рюкзаки|рюкзака|sac à dos|rucksäcke|zaino|zaini|motxilla"),
    ("wallet", "accessories", "wallet|wallets|cardholder|card holder|billetera|cartera|monedero|кошелек|кошелёк|бумажник|portefeuille|porte-monnaie|geldbörse|brieftasche|geldbeutel|portafoglio|portamonete|carteira|moedeiro|moneder"),
    ("luggage", "bag", "luggage|suitcase|suitcases|maleta|maletas|чемодан|чемоданы|valise|valises|koffer|valigia|valigie|trolley|weekender|holdall|duffel|duffle|bolsa de viaje|bolso de viaje|дорожная сумка|sac de voyage|reisetasche|borsa da viaggio|mala de viagem"),
    ("belt", "accessories", "belt|belts|cinturón|cinturones|cinto|ремень|ремни|ремня|пояс|ceinture|ceintures|gürtel|cinturó"),
    ("scarf", "accessories", "scarf|scarves|scarfs|shawl|snood|bufanda|bufandas|pañuelo|fular|шарф|шарфы|шарфа|палантин|платок|écharpe|écharpes|foulard|châle|schal|schals|halstuch|sciarpa|sciarpe|cachecol|echarpe|lenço"),
    ("hat", "accessories", "hat|hats|beanie|beanies|bucket hat|fedora|sombrero|sombreros|gorro|gorros|шляпа|шляпы|шапка|шапки|шапку|панама|chapeau|chapeaux|bonnet|hut|hüte|mütze|mützen|cappello|cappelli|berretto|cuffia|chapéu|chapéus|barret|capell"),
    ("cap", "hat", "cap|caps|baseball cap|snapback|gorra|gorras|кепка|кепки|бейсболка|casquette|casquettes|kappe|schirmmütze|basecap|cappellino|boné|bonés"),
    ("gloves", "accessories", "gloves|glove|mittens|guantes|guante|перчатки|перчаток|варежки|gants|gant|handschuhe|handschuh|guanti|guanto|luvas|luva|guants"),
    ("polarized", "sunglasses", "polarized|polarised|polarizadas|polarizado|polarizados|polarizada|поляризационные|поляризованные|polarisé|polarisées|polarisant|polarisiert|polarisierte|polarizzati|polarizzate"),
    ("sunglasses", "accessories", "sunglasses|shades|sunnies|gafas de sol|lentes de sol|gafas|солнцезащитные очки|очки|lunettes de soleil|lunettes|sonnenbrille|occhiali da sole|occhiali|óculos de sol|óculos|ulleres de sol|ulleres"),
    ("jewellery", "accessories", "jewelry|jewellery|necklace|necklaces|earrings|bracelet|bracelets|ring|rings|joyas|joyería|pendientes|pulsera|pulseras|anillo|anillos|украшения|ожерелье|серьги|браслет|кольцо|bijoux|bijou|collier|boucles d'oreilles|bague|schmuck|kette|ohrringe|armband|gioielli|collana|orecchini|bracciale|anello|joias|colar|brincos|pulseira|anel|joies|collaret|arracades|polsera|anell"),
    ("watch", "accessories", "watch|watches|wristwatch|reloj|relojes|часы|montre|montres|uhr|armbanduhr|orologio|relógio|rellotge"),
    ("tie", "accessories", "tie|ties|necktie|bow tie|corbata|corbatas|pajarita|галстук|галстуки|cravate|nœud papillon|krawatte|fliege|cravatta|papillon|gravata"),
    ("umbrella", "accessories", "umbrella|umbrellas|paraguas|зонт|зонтик|parapluie|regenschirm|ombrello|guarda-chuva|paraigües"),

    // --- materials -----------------------------------------------------------------
    ("linen", "", "linen|flax|lino|лен|лён|льна|льняной|lin|leinen|linho|lli"),
    ("cotton", "", "cotton|algodón|хлопок|хлопка|хлопковый|хлопчатобумажный|coton|baumwolle|cotone|algodão|cotó"),
    ("wool", "", "wool|woollen|woolen|wool blend|lana|шерсть|шерсти|шерстяной|laine|wolle|llana"),
    ("merino", "wool", "merino|merina|меринос|мериноса|мериносовый|mérinos|merinowolle"),
    ("cashmere", "wool", "cashmere|cachemira|cachemir|кашемир|кашемировый|cachemire|kaschmir|caxemira|caixmir"),
    ("silk", "", "silk|silky|seda|шелк|шелковый|soie|seide|seta"),
    ("satin", "silk", "satin|satén|сатин|атлас|raso|cetim|setí"),
    ("leather", "", "leather|genuine leather|piel|cuero|кожа|кожи|кожаный|натуральная кожа|cuir|leder|pelle|cuoio|couro|pell"),
    ("faux_leather", "leather", "faux leather|vegan leather|pu leather|polipiel|экокожа|эко кожа|similicuir|kunstleder|ecopelle|similpelle|couro sintético|pele sintética"),
    ("suede", "leather", "suede|ante|gamuza|serraje|замша|замши|замшевый|daim|suède|wildleder|camoscio|scamosciato|camurça|camussa"),
    ("denim", "", "denim|chambray|mezclilla|tela vaquera|деним|джинсовый|джинсовая|джинсовые|джинсовую|джинсовой|jeansstoff|vaquero|vaquera|vaqueras"),
    ("synthetic", "", "synthetic|synthetics|sintético|sintética|синтетика|синтетический|synthétique|synthetik|synthetisch|sintetico"),
    ("polyester", "synthetic", "polyester|poliéster|полиэстер|poliestere|polièster"),
    ("nylon", "synthetic", "nylon|nailon|nilón|нейлон|polyamide|poliamida|полиамид|polyamid|poliammide"),
    ("viscose", "", "viscose|rayon|modal|lyocell|tencel|viscosa|вискоза|viskose"),
    ("down", "warm", "down|down filling|goose down|duck down|plumón|пух|пуховый|duvet|daunen|piuma|penas|plomissol"),
    ("corduroy", "", "corduroy|cord|pana|вельвет|вельветовый|velours côtelé|cordsamt|velluto a coste|bombazina|vellut de canalé"),
    ("velvet", "", "velvet|velour|terciopelo|бархат|бархатный|велюр|velours|samt|velluto|veludo|vellut"),
    ("flannel", "", "flannel|franela|фланель|фланелевый|flanelle|flanell|flanella|flanela"),
    ("poplin", "cotton", "poplin|popelín|popelina|поплин|popeline"),
    ("crepe", "", "crepe|crêpe|crepé|креп|krepp"),
    ("straw", "", "straw|raffia|paja|rafia|соломенный|солома|paille|raphia|stroh|paglia|palha"),
    ("embroidered", "", "embroidered|embroidery|bordado|bordada|bordados|bordadas|вышивка|вышивкой|вышитый|brodé|brodée|broderie|bestickt|stickerei|ricamato|ricamata|ricamo|brodat|brodada"),
    ("heavy", "", "heavy|heavyweight|thick|chunky|grueso|gruesa|gruesos|gruesas|плотный|плотная|толстый|épais|épaisse|dick|pesante|grosso|grossa|gruixut|gruixuda"),
    ("lace", "", "lace|encaje|кружево|кружевной|dentelle|spitze|pizzo|renda"),
    ("canvas", "", "canvas|lona|toile|segeltuch|tela olona"),
    ("rubber", "", "rubber|caucho|goma|резина|резиновый|caoutchouc|gummi|gomma|borracha"),
    ("fur", "warm", "fur|faux fur|shearling|sherpa|pelo|piel sintética|мех|меховой|fourrure|pelz|pelliccia|pêlo"),
    ("sequins", "party", "sequins|sequin|sequined|lentejuelas|пайетки|пайетками|paillettes|pailletten|lantejoulas|lluentons"),
    ("waterproof", "rain", "waterproof|water-resistant|water resistant|water-repellent|water repellent|rainproof|gore-tex|impermeable|impermeables|repelente al agua|непромокаемый|водонепроницаемый|водоотталкивающий|imperméable|imperméables|wasserdicht|wasserabweisend|impermeabile|impermeabili|impermeável|impermeáveis"),
    ("windproof", "", "windproof|wind-resistant|cortavientos|ветрозащитный|coupe-vent|winddicht|antivento|tallavent"),

    // --- colours -----------------------------------------------------------------------
    ("colour", "", "colour|colours|color|colors|colores|цвет|цвета|цветов|couleur|couleurs|farbe|farben|colore|colori|cor|cores"),
    ("black", "", "black|negro|negra|черный|черная|черные|noir|noire|noirs|schwarz|schwarze|nero|nera|neri|nere|preto|preta|negre"),
    ("white", "", "white|blanco|blanca|белый|белая|белые|blanc|blanche|weiß|weiss|bianco|bianca|bianchi|branco|branca"),
    ("grey", "", "grey|gray|charcoal|anthracite|gris|серый|серая|серые|антрацит|grau|grigio|grigia|cinza|cinzento|antracita"),
    ("blue", "", "blue|light blue|sky blue|azul|azul claro|синий|синяя|синие|голубой|голубая|bleu|bleue|bleu clair|blau|hellblau|blu|azzurro|azzurra|celeste|indigo|cobalt|teal|turquoise|turquesa|бирюзовый|türkis|turchese"),
    ("navy", "blue", "navy|navy blue|dark blue|azul marino|marino|темно-синий|темно-синяя|bleu marine|marine|marineblau|dunkelblau|blu navy|blu scuro|azul-marinho|marinho|blau marí"),
    ("red", "", "red|rojo|roja|красный|красная|красные|rouge|rot|rote|rosso|rossa|vermelho|vermelha|vermell|vermella"),
    ("burgundy", "red", "burgundy|maroon|wine|oxblood|bordeaux|burdeos|granate|бордовый|бордо|bordeauxrot|weinrot|bordò|vinaccia|bordô|vinho|granat|bordeus"),
    ("green", "", "green|verde|зеленый|зеленая|зеленые|vert|verte|grün|verd|emerald|sage|mint|lime|esmeralda|мятный|изумрудный|menthe|smeraldo|menta"),
    ("olive", "green", "olive|olive green|oliva|verde oliva|оливковый|olivgrün|verde-oliva"),
    ("khaki", "green", "khaki|caqui|хаки|kaki|cachi|cáqui"),
    ("beige", "", "beige|camel|sand|taupe|tan|nude|beis|бежевый|бежевая|беж|bege|beix"),
    ("brown", "", "brown|chocolate|marrón|marron|café|castaño|коричневый|коричневая|braun|marrone|castano|marrom|castanho|marró|cognac|coñac|tobacco|tabaco"),
    ("cream", "white", "cream|ivory|off-white|ecru|crema|marfil|crudo|кремовый|молочный|айвори|crème|ivoire|creme|elfenbein|cremefarben|avorio|panna|marfim|cru|ivori"),
    ("pink", "", "pink|fuchsia|rosa|fucsia|розовый|розовая|rose|pinkfarben|rosado|rosada"),
    ("purple", "", "purple|violet|lilac|lavender|morado|morada|lila|violeta|púrpura|фиолетовый|сиреневый|лиловый|mauve|violett|viola|lilla|roxo|roxa|lilás|morat"),
    ("yellow", "", "yellow|mustard|amarillo|amarilla|mostaza|желтый|желтая|горчичный|jaune|moutarde|gelb|senf|giallo|gialla|senape|amarelo|amarela|mostarda|groc|groga|mostassa"),
    ("orange", "", "orange|terracotta|rust|naranja|оранжевый|оранжевая|терракотовый|arancione|laranja|taronja|terracota|coral"),
    ("gold", "", "gold|golden|dorado|dorada|золотой|золотистый|doré|dorée|goldfarben|oro|dourado|dourada|daurat"),
    ("silver", "", "silver|plateado|plateada|plata|серебряный|серебристый|argent|argenté|silber|silbern|argento|argentato|prata|prateado|argentat"),
    ("dark", "", "dark|oscuro|oscura|темный|темная|темные|foncé|foncée|dunkel|scuro|scura|escuro|escura|fosc|fosca"),
    ("pale", "", "pale|pastel|claro|clara|светлый|светлая|светлые|пастельный|clair|claire|hell|chiaro|chiara|clar"),
    ("striped", "", "striped|stripes|stripe|rayas|a rayas|de rayas|полоска|полоску|полосатый|rayé|rayée|rayures|gestreift|streifen|righe|a righe|rigato|listrado|listras|ratllat|ratlles"),
    ("floral", "", "floral|flowers|flowery|flores|de flores|цветочный|цветочек|fleuri|fleurie|fleurs|à fleurs|geblümt|blumen|floreale|fiori|a fiori|florido|florat"),
    ("check", "", "check|checked|checks|plaid|tartan|gingham|cuadros|a cuadros|клетка|клетку|клетчатый|carreaux|à carreaux|kariert|karo|quadri|a quadri|xadrez|quadres|escocés"),
    ("printed", "", "print|printed|prints|pattern|patterned|estampado|estampada|estampados|принт|принтом|imprimé|imprimée|motif|bedruckt|muster|stampa|stampato|stampata|estampa|estampat"),
    ("plain", "", "plain|solid|liso|lisa|однотонный|однотонная|uni|unie|einfarbig|tinta unita|llis|llisa"),
    ("dots", "", "polka dot|polka dots|dots|dotted|lunares|горошек|горошком|pois|à pois|punkte|gepunktet|a pois|bolinhas|de bolinhas|topos"),

    // --- fits and cuts ---------------------------------------------------------------
    ("size", "", "size|sizes|sizing|talla|tallas|размер|размеры|размера|taille|tailles|größe|größen|taglia|taglie|tamanho|tamanhos"),
    ("slim", "", "slim|slim fit|skinny|fitted|ajustado|ajustada|entallado|entallada|pitillo|облегающий|приталенный|узкий|узкие|зауженный|ajusté|ajustée|cintré|cintrée|tailliert|schmal|eng|aderente|attillato|sciancrato|ajustat|cenyit|tight|tight-fitting|close-fitting|estrecho|estrecha|estrechos|estrechas"),
    ("regular", "", "regular|regular fit|classic fit|straight|straight leg|recto|recta|прямой|прямые|прямого|droit|droite|gerade|dritto|reto|reta|recte"),
    ("relaxed", "", "relaxed|relaxed fit|loose|loose fit|comfort fit|baggy|holgado|holgada|suelto|suelta|amplio|amplia|свободный|свободная|свободные|свободного|ample|amples|locker|weit|weite|ampio|ampia|folgado|folgada|solto|solta|folgat"),
    ("oversized", "relaxed", "oversized|oversize|boxy|оверсайз|оверсайза"),
    ("wide_leg", "relaxed", "wide leg|wide-leg|wide|palazzo|flared|flare|flares|bootcut|campana|pata de elefante|ancho|ancha|anchos|anchas|широкие|широкий|клеш|клёш|évasé|évasée|patte d'éléphant|ausgestellt|weites bein|a zampa|pantalona|boca de sino|acampanado"),
    ("tall", "", "tall|tall fit|высокий|высоких|высокого роста|alto|alta|altos|altas"),
    ("petite", "", "petite|petites|bajita|bajitas|для невысоких|невысоких|миниатюрных|kurzgröße|kurzgrößen"),
    ("plus_size", "", "plus size|plus-size|plus sizes|curvy|talla grande|tallas grandes|большие размеры|больших размеров|grande taille|grandes tailles|große größen|übergröße|taglie forti|tamanhos grandes|talles grans"),
    ("high_waist", "", "high waist|high-waisted|high waisted|high rise|high-rise|talle alto|tiro alto|cintura alta|высокая талия|высокой талией|высокой посадкой|taille haute|hohe taille|hoher bund|vita alta|cintura subida"),
    ("short_length", "", "short|corto|corta|cortos|cortas|короткий|короткая|короткие|короткое|court|courte|courts|courtes|kurz|kurze|kurzer|kurzen|curto|curta|curtos|curtas|curt|mini"),
    ("long_length", "", "long|largo|larga|largos|largas|длинный|длинная|длинные|длинное|longue|longues|longs|lang|lange|langer|langen|lungo|lunga|lunghi|lunghe|comprido|comprida|longo|longa|llarg|llarga|maxi"),
    ("crew_neck", "", "crew neck|crewneck|crew-neck|round neck|cuello redondo|cuello caja|круглый вырез|круглым вырезом|col rond|rundhals|rundhalsausschnitt|girocollo|gola redonda|decote redondo|coll rodó"),
    ("v_neck", "", "v-neck|v neck|vneck|cuello de pico|cuello en v|escote en v|v-образный вырез|v-образным вырезом|col v|col en v|v-ausschnitt|scollo a v|decote em v|coll en v"),
    ("wrap", "", "wrap|wrap-over|cruzado|cruzada|на запахе|запахом|cache-cœur|wickel|incrociato|incrociata|transpassado|transpassada|creuat|creuada"),
    ("pleated", "", "pleated|pleats|plisado|plisada|plisados|plisadas|pinzas|con pinzas|плиссе|плиссированная|plissé|plissée|plissiert|plissettato|plissettata|a pieghe|plissado|plissada|prisado|plisat"),
    ("nautical", "", "nautical|breton|sailor|marinero|marinera|marineros|marineras|marinière|матросский|тельняшка|bretonstreifen|marinaio|marinara|marinheiro|mariner|mariniere"),
    ("sleeveless", "", "sleeveless|sin mangas|без рукавов|sans manches|ärmellos|senza maniche|sem mangas|sense mànigues|sense mànigas|strapless|tirantes|strappy|spaghetti straps|spaghetti strap"),
    ("long_sleeve", "", "long sleeve|long sleeves|long-sleeved|long sleeved|manga larga|mangas largas|длинный рукав|длинным рукавом|длинными рукавами|manches longues|manche longue|langarm|langärmelig|maniche lunghe|manica lunga|manga comprida|mangas compridas|màniga llarga"),
    ("short_sleeve", "", "short sleeve|short sleeves|short-sleeved|short sleeved|manga corta|mangas cortas|короткий рукав|коротким рукавом|короткими рукавами|manches courtes|manche courte|kurzarm|kurzärmelig|maniche corte|manica corta|manga curta|mangas curtas|màniga curta"),

    // --- occasions, seasons, activities --------------------------------------------
    ("wedding", "formal", "wedding|weddings|bride|bridal|wedding guest|ceremony|boda|bodas|novia|invitada|invitado|ceremonia|свадьба|свадьбу|свадьбы|свадебный|свадебное|невеста|церемония|mariage|mariée|cérémonie|hochzeit|hochzeiten|braut|hochzeitsgast|zeremonie|matrimonio|nozze|sposa|cerimonia|casamento|noiva|cerimônia|casament|núvia|cerimònia"),
    ("party", "", "party|parties|cocktail|celebration|festival|prom|graduation|fiesta|fiestas|celebración|graduación|вечеринка|вечеринку|вечеринки|праздник|праздника|выпускной|fête|fêtes|feier|feiern|festa|feste|festas|abschlussball|formatura|graduació"),
    ("evening", "formal", "evening|evening wear|gala|night out|dinner|noche|de noche|cena|вечер|вечерний|вечернее|вечерняя|ужин|soirée|de soirée|dîner|abend|abendmode|abendessen|sera|da sera|serata|noite|jantar|vespre|nit|sopar"),
    ("formal", "", "formal|smart|dressy|black tie|de vestir|формальный|строгий|строгая|официальный|habillé|habillée|formel|formelle|formell|festlich|formale|social|formals|tailored|tailoring|de sastre|sastre"),
    ("elegant", "", "elegant|chic|sophisticated|classy|refined|elegante|elegantes|элегантный|элегантная|элегантные|шикарный|élégant|élégante|élégance|schick|raffinato|raffinata|chique|elegància|elegancia"),
    ("casual", "", "casual|everyday|informal|laid-back|de diario|diario|diaria|cotidiano|повседневный|повседневная|повседневные|кэжуал|décontracté|décontractée|quotidien|lässig|freizeit|alltag|alltags|informale|quotidiano|dia a dia|quotidiana|informal|weekend|weekends|fin de semana|выходные|week-end|wochenende|fine settimana|fim de semana|cap de setmana"),
    ("office", "formal", "office|work|workwear|business|business casual|interview|oficina|trabajo|entrevista|офис|офиса|офисный|офисная|работа|работы|собеседование|bureau|travail|entretien|büro|arbeit|vorstellungsgespräch|ufficio|lavoro|colloquio|escritório|trabalho|feina"),
    ("beach", "summer", "beach|seaside|vacation|playa|vacaciones|пляж|пляжа|пляжный|пляжная|отпуск|отпуска|plage|vacances|strand|urlaub|spiaggia|mare|vacanze|praia|férias|platja|sea|mar|coast|costa|côte|küste|море|морской"),
    ("travel", "", "travel|travelling|traveling|trip|viaje|viajar|путешествие|путешествий|поездка|voyage|voyager|reise|reisen|viaggio|viaggi|viagem|viatge|holiday|holidays"),
    ("summer", "", "summer|summery|verano|veraniego|veraniega|лето|летний|летняя|летнее|летние|летом|été|estival|estivale|sommer|sommerlich|estate|estivo|estiva|verão|estiu|sun|sunny|sol|soleado|солнце|солнечный|soleil|ensoleillé|sonne|sonnig|hot|heat|heatwave|calor|caluroso|calurosa|calurosos|calurosas|жара|жаркий|жаркая|canicule|hitze|heiß|heiss"),
    ("spring", "", "spring|springtime|primavera|весна|весенний|весенняя|printemps|frühling|frühjahr|mid-season|entretiempo|демисезонный|mi-saison|übergang|mezza stagione|meia-estação"),
    ("autumn", "", "autumn|fall|otoño|осень|осенний|осенняя|automne|herbst|autunno|outono|tardor"),
    ("winter", "", "winter|wintry|invierno|invernal|зима|зимний|зимняя|зимние|зимой|hiver|hivernal|inverno|invernale|hivern|cold|chilly|frío|fría|холод|холодный|холодная|холода|froid|froide|kalt|kälte|freddo|fredda|frio|fria|fred|freda"),
    ("ski", "winter", "ski|skiing|snow|snowboard|snowboarding|esquí|esquiar|nieve|лыжи|лыжный|горнолыжный|снег|снега|сноуборд|neige|skifahren|schnee|sci|neve|esqui"),
    ("rain", "", "rain|rainy|wet weather|lluvia|lluvioso|lluviosa|дождь|дождя|дождливый|pluie|pluvieux|regen|regnerisch|pioggia|piovoso|chuva|chuvoso|pluja|plujós"),
    ("hiking", "", "hiking|hike|hikes|trekking|trek|outdoor|outdoors|camping|mountain|senderismo|montaña|excursión|поход|походы|походный|туризм|трекинг|горы|randonnée|montagne|wandern|wanderung|berg|berge|bergsteigen|escursionismo|montagna|caminhada|trilha|montanha|excursionisme|muntanya"),
    ("sport", "", "sport|sports|running|runner|jogging|gym|workout|training|fitness|athletic|activewear|sportswear|yoga|correr|deporte|deportes|deportivo|deportiva|gimnasio|entrenamiento|бег|бега|спорт|спортивный|спортивная|спортзал|фитнес|тренировка|тренировок|sportif|sportive|entraînement|laufen|sportlich|corsa|palestra|allenamento|sportivo|sportiva|corrida|academia|esporte|desporto|córrer|esport|gimnàs"),
    ("cycling", "sport", "cycling|cyclist|bike|bikes|bicycle|ciclismo|ciclista|bici|bicicleta|велосипед|велосипеда|велоспорт|vélo|cyclisme|fahrrad|radfahren|radsport|bicicletta"),
    ("base_layer", "warm", "base layer|baselayer|thermal underwear|capa base|primera capa|термобелье|sous-couche|funktionsunterwäsche|intimo termico|camada base"),
    ("urban", "", "urban|city|street|streetwear|urbano|urbana|ciudad|городской|городская|город|urbain|urbaine|ville|städtisch|stadt|città|cidade|ciutat"),

    // --- audience ---------------------------------------------------------------------
    ("men", "", "men|mens|man|male|gentlemen|hombre|hombres|caballero|caballeros|masculino|мужской|мужская|мужские|мужчин|мужчины|мужчина|homme|hommes|masculin|herren|herr|männer|mann|uomo|uomini|maschile|homem|homens"),
    ("women", "", "women|womens|woman|female|ladies|lady|mujer|mujeres|dama|damas|señora|femenino|женский|женская|женские|женщин|женщины|женщина|femme|femmes|féminin|damen|dame|frauen|frau|donna|donne|femminile|mulher|mulheres|feminino|dona|dones"),
    ("kids", "", "kids|kid|children|child|boys|boy|girls|girl|baby|babies|toddler|junior|niños|niño|niña|niñas|infantil|bebé|bebés|детский|детская|детские|дети|детей|ребенок|мальчик|мальчика|девочка|девочки|enfant|enfants|garçon|fille|bébé|kinder|jungen|mädchen|bambini|bambino|bambina|bambine|crianças|criança|menino|menina|bebê|nens|nen|nena"),
    ("unisex", "", "unisex|gender-neutral|унисекс|mixte"),
    ("maternity", "", "maternity|pregnancy|pregnant|premamá|embarazada|embarazo|для беременных|беременных|grossesse|maternité|umstandsmode|schwangerschaft|premaman|gravidanza|gestante|grávida|maternitat"),

    // --- attributes ---------------------------------------------------------------------
    ("warm", "winter", "warm|warmth|cozy|cosy|insulated|thermal|caliente|cálido|cálida|abrigado|abrigada|térmico|térmica|calentito|теплый|теплая|теплые|утепленный|утепленная|chaud|chaude|chaudes|chaleur|thermique|wärmend|gefüttert|caldo|calda|termico|termica|quente|càlid|calent"),
    ("light", "", "light|lightweight|lighter|thin|ligero|ligera|liviano|liviana|fino|fina|легкий|легкая|легкие|тонкий|тонкая|léger|légère|leicht|dünn|leggero|leggera|sottile|leve|lleuger|lleugera"),
    ("breathable", "summer", "breathable|airy|cool|cooling|moisture-wicking|wicking|sweat-wicking|quick-dry|quick dry|fresh|transpirable|fresco|fresca|дышащий|дышащая|воздухопроницаемый|respirant|respirante|atmungsaktiv|traspirante|respirável|frais|fraîche|frisch"),
    ("stretch", "", "stretch|stretchy|elastic|flexible|elastane|spandex|lycra|elástico|elástica|elastano|стрейч|эластичный|эластичная|эластан|лайкра|extensible|élastique|élasthanne|dehnbar|elastisch|elasthan|elasticizzato|elastico|elàstic"),
    ("cheap", "", "cheap|cheaper|affordable|budget|inexpensive|bargain|discount|discounted|deal|barato|barata|baratos|baratas|económico|económica|asequible|oferta|ofertas|rebajas|descuento|дешевый|дешевая|недорогой|недорогая|недорого|бюджетный|скидка|скидки|распродажа|pas cher|bon marché|abordable|économique|promo|soldes|günstig|billig|preiswert|rabatt|angebot|economico|economica|saldi|sconto|acessível|promoção|desconto|econômico|barat|rebaixes|on sale|en oferta|en rebajas"),
    ("premium", "", "premium|luxury|luxurious|high-end|designer|quality|high quality|lujo|lujoso|calidad|лакшери|люкс|премиум|роскошный|качественный|качество|luxe|haut de gamme|qualité|luxus|hochwertig|qualität|lusso|lussuoso|qualità|luxo|qualidade|qualitat"),
    ("comfortable", "", "comfortable|comfy|comfort|cómodo|cómoda|cómodos|comodidad|удобный|удобная|удобные|комфортный|комфорт|confortable|confortables|confort|bequem|komfort|comodo|comoda|confortevole|confortável|conforto|còmode|còmoda"),
    ("soft", "", "soft|softness|plush|suave|suaves|мягкий|мягкая|мягкие|doux|douce|weich|morbido|morbida|macio|macia|suau"),
    ("durable", "", "durable|hard-wearing|hardwearing|sturdy|long-lasting|resistente|resistant|прочный|прочная|износостойкий|résistant|résistante|robuste|strapazierfähig|robust|langlebig|durevole|durável|resistent"),
    ("sustainable", "", "sustainable|eco|eco-friendly|organic|recycled|sostenible|orgánico|orgánica|reciclado|reciclada|экологичный|органический|переработанный|bio|biologique|recyclé|écologique|nachhaltig|recycelt|sostenibile|biologico|riciclato|sustentável|orgânico|ecològic|reciclat"),
    ("trendy", "", "trendy|fashionable|stylish|modern|de moda|moderno|moderna|модный|модная|стильный|tendance|à la mode|trendig|modisch|alla moda|di tendenza|na moda|modern"),
    ("classic", "", "classic|timeless|basic|basics|essential|essentials|clásico|clásica|básico|básica|классический|классическая|базовый|базовая|classique|basique|klassisch|classico|classica|basico|clássico|clássica|clàssic|bàsic"),
    ("vintage", "", "vintage|retro|винтаж|винтажный|ретро|rétro"),
    ("handmade", "", "handmade|hand-made|hecho a mano|artesanal|ручная работа|ручной работы|fait main|artisanal|handgemacht|fatto a mano|artigianale|feito à mão|fet a mà"),
    ("washable", "", "washable|machine washable|lavable|стирать|стирка|waschbar|lavabile|lavável"),
    ("pockets", "", "pockets|pocket|bolsillos|bolsillo|карманы|карман|карманами|poches|poche|tasca|tasques"),
    ("zip", "", "zip|zipper|zipped|zip-up|cremallera|cremalleras|молния|молнии|на молнии|fermeture éclair|zippé|reißverschluss|cerniera|zíper|fecho|fecho ecler"),
    ("buttons", "", "button|buttons|buttoned|botón|botones|boton|пуговицы|пуговица|пуговицах|bouton|boutons|knopf|knöpfe|knopfleiste|bottone|bottoni|botão|botões|botó|botons"),
    ("gift", "", "gift|gifts|present|regalo|regalos|подарок|подарки|cadeau|cadeaux|geschenk|geschenke|presente|prenda de regalo|regal|gifting|regalar|offrir|verschenken|regalare|presentear"),
    ("new", "", "new|latest|new arrivals|nuevo|nueva|novedad|novedades|новый|новая|новинка|новинки|nouveau|nouvelle|nouveauté|neu|neue|neuheit|nuovo|nuova|novità|novo|nova|novidade|nou"),
    ("set", "", "set|sets|pack|multipack|conjunto|conjuntos|набор|комплект|lot|ensemble|conjunt"),
    ("price", "", "price|prices|precio|precios|цена|цены|стоимость|prix|preis|preise|prezzo|prezzi|preço|preços|preu"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    fn sim(e: &LocalEmbedder, a: &str, b: &str) -> f32 {
        cos(&e.embed_text(a), &e.embed_text(b))
    }

    fn norm(v: &[f32]) -> f32 {
        v.iter().map(|x| x * x).sum::<f32>().sqrt()
    }

    #[test]
    fn lexicon_words_belong_to_one_concept() {
        let conflicts = &lexicon().conflicts;
        assert!(conflicts.is_empty(), "words listed under two concepts: {conflicts:?}");
    }

    #[test]
    fn model_id_and_dimensions() {
        let e = LocalEmbedder::default();
        assert_eq!(e.dimensions(), 384);
        assert_eq!(e.model_id(), "local-lexicon-v1:384");
        let e = LocalEmbedder::new(64);
        assert_eq!(e.model_id(), "local-lexicon-v1:64");
        assert_eq!(e.embed_text("linen shirt").len(), 64);
        assert_eq!(LocalEmbedder::new(0).embed_text("x").len(), 1);
    }

    #[test]
    fn deterministic_and_unit_length() {
        let e = LocalEmbedder::default();
        for text in ["Camisa de lino blanca, talla M", "Тёплый пуховик", "  ", "Hoodie 100% cotton!"] {
            let a = e.embed_text(text);
            let b = LocalEmbedder::default().embed_text(text);
            assert_eq!(a, b);
            assert!((norm(&a) - 1.0).abs() < 1e-5, "{text}: {}", norm(&a));
        }
    }

    #[test]
    fn empty_text_gives_fixed_unit_vector() {
        let e = LocalEmbedder::new(16);
        let v = e.embed_text("");
        assert_eq!(v[0], 1.0);
        assert!((norm(&v) - 1.0).abs() < 1e-6);
        assert_eq!(e.embed_text(" ... !? "), v);
        assert_eq!(e.embed_text("the and of"), v);
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        let e = LocalEmbedder::default();
        assert_eq!(e.embed_text("CAMIÓN"), e.embed_text("camion"));
        assert_eq!(e.embed_text("Ёлка"), e.embed_text("елка"));
    }

    #[test]
    fn spanish_linen_shirt_matches_english() {
        let e = LocalEmbedder::default();
        let near = sim(&e, "camisa de lino", "linen shirt");
        let far = sim(&e, "camisa de lino", "leather boots");
        assert!(near > 0.5 && near > far + 0.4, "near {near} far {far}");
    }

    #[test]
    fn russian_shirt_matches_english() {
        let e = LocalEmbedder::default();
        let near = sim(&e, "рубашка", "shirt");
        assert!(near > 0.5, "{near}");
        assert!(near > sim(&e, "рубашка", "boots") + 0.4);
        // An unlisted case form still maps through the stem fallback.
        assert!(sim(&e, "рубашками", "shirts") > 0.5);
    }

    #[test]
    fn synonyms_map_together() {
        let e = LocalEmbedder::default();
        let s = sim(&e, "jumper", "sweater");
        assert!(s > 0.6, "{s}");
        assert!(s > sim(&e, "jumper", "dress") + 0.4);
        assert!(sim(&e, "свитер", "pullover") > 0.6);
    }

    #[test]
    fn waterproof_jacket_prefers_rain_jacket() {
        let e = LocalEmbedder::default();
        let rain = sim(&e, "waterproof jacket", "impermeable rain jacket");
        let linen = sim(&e, "waterproof jacket", "linen dress");
        assert!(rain > linen + 0.3, "rain {rain} linen {linen}");
    }

    #[test]
    fn typo_still_finds_the_right_product() {
        let e = LocalEmbedder::default();
        let q = e.embed_text("linnen shirt");
        let docs = ["linen shirt", "cotton shirt", "linen dress", "leather boots", "wool sweater", "lining fabric"];
        let best = docs.iter().max_by(|a, b| cos(&q, &e.embed_text(a)).total_cmp(&cos(&q, &e.embed_text(b)))).unwrap();
        assert_eq!(*best, "linen shirt");
    }

    #[test]
    fn compounds_and_phrases() {
        let e = LocalEmbedder::default();
        assert!(sim(&e, "Lederjacke", "leather jacket") > 0.5);
        assert!(sim(&e, "t-shirt", "camiseta") > 0.6);
        assert!(sim(&e, "sac à dos", "backpack") > 0.6);
        assert!(sim(&e, "t-shirt", "camiseta") > sim(&e, "t-shirt", "camisa"));
    }

    fn concepts_of(e: &LocalEmbedder, text: &str) -> Vec<&'static str> {
        e.explain(text).into_iter().flat_map(|(_, c)| c).collect()
    }

    #[test]
    fn inflections_typos_and_false_friends() {
        let e = LocalEmbedder::default();
        assert_eq!(concepts_of(&e, "рубашками"), ["shirt"]);
        assert_eq!(concepts_of(&e, "ligeras"), ["light"]);
        assert_eq!(concepts_of(&e, "jakcet"), ["jacket"]);
        assert_eq!(concepts_of(&e, "Hochzeitskleid"), ["wedding", "dress"]);
        // Look-alikes that must not map: EN "large" is not ES "largo", "line" is not "lin".
        assert!(concepts_of(&e, "large line sal").is_empty());
        // Shopper filler carries no product meaning.
        assert_eq!(e.embed_text("¿tenéis algo?"), e.embed_text(""));
    }

    #[test]
    fn first_line_of_a_card_weighs_more() {
        let e = LocalEmbedder::default();
        let card = "Linen shirt\nPairs well with our leather boots and wool coat.";
        let flat = card.replace('\n', " ");
        let gain = sim(&e, "linen shirt", card) - sim(&e, "linen shirt", &flat);
        assert!(gain > 0.0, "{gain}");
        // One-line texts (queries) are unaffected.
        assert_eq!(e.embed_text("linen shirt"), e.embed_text("\nlinen shirt"));
    }

    #[tokio::test]
    async fn trait_embeds_in_order() {
        let e = LocalEmbedder::new(32);
        let texts = vec!["linen shirt".to_owned(), String::new(), "botas de cuero".to_owned()];
        let out = e.embed(&texts).await.unwrap();
        assert_eq!(out.len(), 3);
        for (t, v) in texts.iter().zip(&out) {
            assert_eq!(v, &e.embed_text(t));
        }
        assert_eq!(e.embed_one("botas de cuero").await.unwrap(), out[2]);
    }
}
