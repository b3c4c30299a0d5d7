//! An in-process BM25 index over the cards of one store, for both
//! backends, and the per-store cache of such indexes.
//!
//! SQLite's FTS5 ranks with `bm25()`, which reads every matching row's
//! position list and size record: about 0.5 to 1 ms for a few hundred
//! matches of common words, the largest single cost of a chat turn on the
//! embedded default. This index keeps per-term postings with the term's
//! frequency in the body and in the title, so ranking a query is a walk over
//! a few posting lists (tens of microseconds at catalog sizes).
//!
//! Text is folded as everywhere else (NFKD, marks removed, lower case),
//! split on anything that is not a letter or digit, and stemmed with the
//! English Snowball stemmer, as FTS5's `porter` tokenizer did, so scores and
//! matches stay what the retrieval tests were tuned on. Like the vector
//! index, it is loaded lazily from the database and updated in place by the
//! writes of the same process; the database's own full text (FTS5, or
//! PostgreSQL's tsvector) stays the durable index and ranks the stores too
//! big to hold ([`TEXT_INDEX_MAX_CARDS`]). PostgreSQL replicas learn of each
//! other's writes by notification and reload in the background.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use rust_stemmers::{Algorithm, Stemmer};

use super::{StorageError, StorageResult};
use crate::catalog::Product;
use crate::classify::fold;
use crate::search::ScoredProduct;

/// Stores with more cards than this are ranked by the database's own full
/// text (FTS5, tsvector) rather than an in-process index. The index's
/// postings grow with every card (8 bytes per distinct word of a card: some
/// 2 KB for a card of 250 words), but the databases rank a common word or a
/// widened query by reading every match: on the 100,000-card benchmark
/// FTS5's full-text half took 20 ms at p50 and 127 ms at p95, PostgreSQL's
/// 10 ms and 44 ms, against a few milliseconds here.
pub const TEXT_INDEX_MAX_CARDS: usize = 250_000;

/// BM25 parameters, as FTS5 uses them.
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// A title word weighs as much as three body words.
const TITLE_WEIGHT: f32 = 3.0;
/// Rebuild the postings when this share of the slots belongs to replaced or
/// deleted cards.
const COMPACT_SHARE: f32 = 0.25;

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    body: u16,
    title: u16,
}

#[derive(Debug, Clone)]
struct Doc {
    id: String,
    /// Tokens in body and title together.
    len: u32,
    live: bool,
}

/// One store's cards, searchable by words.
#[derive(Debug, Clone, Default)]
pub struct TextIndex {
    docs: Vec<Doc>,
    slots: HashMap<String, u32>,
    postings: BTreeMap<Box<str>, Vec<Posting>>,
    live_tokens: u64,
}

/// A ranked card: its product id and BM25 score (higher is better).
#[derive(Debug, Clone, PartialEq)]
pub struct TextHit {
    pub id: String,
    pub score: f32,
}

impl TextIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Cards in the index.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds or replaces the card of `id`. `body` and `title` are the card's
    /// searchable text (already folded or not: it is folded again).
    pub fn upsert(&mut self, id: &str, body: &str, title: &str) {
        self.retire(id);
        let slot = u32::try_from(self.docs.len()).expect("fewer than 4 billion cards per store");
        let mut counts: HashMap<String, (u16, u16)> = HashMap::new();
        let mut len = 0u32;
        for (text, in_title) in [(body, false), (title, true)] {
            for term in tokens(text) {
                len += 1;
                let entry = counts.entry(term).or_default();
                if in_title {
                    entry.1 = entry.1.saturating_add(1);
                } else {
                    entry.0 = entry.0.saturating_add(1);
                }
            }
        }
        for (term, (body, title)) in counts {
            self.postings.entry(term.into_boxed_str()).or_default().push(Posting { doc: slot, body, title });
        }
        self.docs.push(Doc { id: id.to_owned(), len, live: true });
        self.slots.insert(id.to_owned(), slot);
        self.live_tokens += u64::from(len);
        self.maybe_compact();
    }

    /// Removes the card of `id`, if present.
    pub fn remove(&mut self, id: &str) {
        self.retire(id);
        self.maybe_compact();
    }

    fn retire(&mut self, id: &str) {
        if let Some(slot) = self.slots.remove(id) {
            let doc = &mut self.docs[slot as usize];
            doc.live = false;
            self.live_tokens -= u64::from(doc.len);
        }
    }

    /// Drops the postings of retired cards once they are a large share.
    fn maybe_compact(&mut self) {
        let dead = self.docs.len() - self.slots.len();
        if dead == 0 || (dead as f32) < COMPACT_SHARE * self.docs.len() as f32 {
            return;
        }
        let mut renumber: Vec<Option<u32>> = Vec::with_capacity(self.docs.len());
        let mut docs = Vec::with_capacity(self.slots.len());
        for doc in self.docs.drain(..) {
            if doc.live {
                renumber.push(Some(docs.len() as u32));
                docs.push(doc);
            } else {
                renumber.push(None);
            }
        }
        self.docs = docs;
        self.postings.retain(|_, list| {
            list.retain_mut(|p| match renumber[p.doc as usize] {
                Some(slot) => {
                    p.doc = slot;
                    true
                }
                None => false,
            });
            !list.is_empty()
        });
        self.slots = self.docs.iter().enumerate().map(|(i, d)| (d.id.clone(), i as u32)).collect();
    }

    /// The `k` best cards for `terms`: those matching every term first, then
    /// (only when fewer than `k` do) those matching all but one, and so on
    /// down to any one term; within each count, by BM25 (document
    /// frequencies of this store, titles weighted higher). A term of five or
    /// more letters also matches words that start like it (plurals and
    /// inflections the stemmer does not know, as in Spanish `camisas` and
    /// `camisa`).
    pub fn search(&self, terms: &[String], k: usize) -> Vec<TextHit> {
        let live = self.slots.len();
        if live == 0 || k == 0 {
            return Vec::new();
        }
        let average_len = (self.live_tokens as f32 / live as f32).max(1.0);
        let mut scores: HashMap<u32, Match> = HashMap::new();
        for (i, term) in terms.iter().enumerate() {
            let term_number = u16::try_from(i + 1).unwrap_or(u16::MAX);
            let folded = fold(term);
            let stemmed = STEMMER.stem(&folded).into_owned();
            if let Some(list) = self.postings.get(stemmed.as_str()) {
                self.score_list(list, term_number, live, average_len, &mut scores);
            }
            if let Some(prefix) = prefix_of(&folded) {
                for (_, list) in
                    self.postings.range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded)).take_while(|(t, _)| t.starts_with(prefix.as_str()))
                {
                    self.score_list(list, term_number, live, average_len, &mut scores);
                }
            }
        }
        let mut ranked: Vec<(u32, Match)> = scores.into_iter().collect();
        let by_rank = |a: &(u32, Match), b: &(u32, Match)| {
            b.1.terms
                .cmp(&a.1.terms)
                .then_with(|| b.1.score.partial_cmp(&a.1.score).unwrap_or(Ordering::Equal))
                .then_with(|| self.docs[a.0 as usize].id.cmp(&self.docs[b.0 as usize].id))
        };
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k - 1, by_rank);
            ranked.truncate(k);
        }
        ranked.sort_by(by_rank);
        ranked.into_iter().map(|(slot, m)| TextHit { id: self.docs[slot as usize].id.clone(), score: m.score }).collect()
    }

    /// Adds one posting list's BM25 contributions; `term_number` (from 1)
    /// counts each query term once per card, however many of its lists
    /// (stem and prefixes) the card is in.
    fn score_list(&self, list: &[Posting], term_number: u16, live: usize, average_len: f32, scores: &mut HashMap<u32, Match>) {
        let matching = list.iter().filter(|p| self.docs[p.doc as usize].live).count();
        if matching == 0 {
            return;
        }
        let n = matching as f32;
        let idf = (((live as f32 - n + 0.5) / (n + 0.5)).ln()).max(1e-6);
        for p in list {
            let doc = &self.docs[p.doc as usize];
            if !doc.live {
                continue;
            }
            let tf = f32::from(p.body) + TITLE_WEIGHT * f32::from(p.title);
            let norm = K1 * (1.0 - B + B * doc.len as f32 / average_len);
            let entry = scores.entry(p.doc).or_default();
            entry.score += idf * tf * (K1 + 1.0) / (tf + norm);
            if entry.last_term != term_number {
                entry.last_term = term_number;
                entry.terms += 1;
            }
        }
    }
}

/// What a card matched of a query so far.
#[derive(Debug, Clone, Copy, Default)]
struct Match {
    score: f32,
    /// Query terms matched.
    terms: u16,
    /// The query term (numbered from 1) that last added to `terms`.
    last_term: u16,
}

/// One step of widening a full-text query: cards matching at least
/// `at_least` of the query's terms, as an OR of AND groups (term indices).
/// Backends that evaluate match expressions (FTS5, tsquery) run the steps
/// in order and stop once they have k cards.
/// How a store's cards are ranked by words.
#[derive(Clone)]
pub(super) enum TextEntry {
    Loaded(Arc<RwLock<TextIndex>>),
    /// Too many cards to hold: the database ranks them.
    Database,
}

/// The text indexes a storage has loaded, one per store. Every write to a
/// store's cards bumps its generation, so a load that raced with a write is
/// not kept as if it were current.
#[derive(Default)]
pub(super) struct TextIndexes {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    stores: HashMap<String, TextEntry>,
    generations: HashMap<String, u64>,
}

impl TextIndexes {
    /// The store's entry, or the generation a load must be made against.
    pub fn get(&self, store_id: &str) -> Result<TextEntry, u64> {
        let entries = self.inner.lock().expect("text indexes lock");
        entries.stores.get(store_id).cloned().ok_or_else(|| entries.generations.get(store_id).copied().unwrap_or(0))
    }

    /// Keeps `entry`, loaded at `generation`, unless a write came since (or
    /// another load was kept first); returns what to search now.
    pub fn keep(&self, store_id: &str, generation: u64, entry: TextEntry) -> TextEntry {
        let mut entries = self.inner.lock().expect("text indexes lock");
        if entries.generations.get(store_id).copied().unwrap_or(0) == generation {
            return entries.stores.entry(store_id.to_owned()).or_insert(entry).clone();
        }
        entry
    }

    /// Puts a reload made at `generation` in place of the store's entry;
    /// false (and nothing changes) when a write came meanwhile.
    pub fn replace(&self, store_id: &str, generation: u64, entry: TextEntry) -> bool {
        let mut entries = self.inner.lock().expect("text indexes lock");
        if entries.generations.get(store_id).copied().unwrap_or(0) != generation {
            return false;
        }
        entries.stores.insert(store_id.to_owned(), entry);
        true
    }

    /// The store's current generation.
    pub fn generation(&self, store_id: &str) -> u64 {
        self.inner.lock().expect("text indexes lock").generations.get(store_id).copied().unwrap_or(0)
    }

    /// Applies written cards (id, body, title) to the store's loaded index
    /// (nothing is computed when none is loaded); past `max_cards` the
    /// database ranks the store from then on.
    pub fn saved<'a>(&self, store_id: &str, cards: impl Iterator<Item = (&'a str, &'a str, String)>, max_cards: usize) {
        let mut entries = self.inner.lock().expect("text indexes lock");
        *entries.generations.entry(store_id.to_owned()).or_insert(0) += 1;
        if let Some(TextEntry::Loaded(index)) = entries.stores.get(store_id) {
            let mut index = index.write().expect("text index lock");
            for (id, body, title) in cards {
                index.upsert(id, body, &title);
            }
            if index.len() > max_cards {
                drop(index);
                entries.stores.insert(store_id.to_owned(), TextEntry::Database);
            }
        }
    }

    /// Removes deleted cards from the store's loaded index.
    pub fn removed<'a>(&self, store_id: &str, ids: impl Iterator<Item = &'a str>) {
        let mut entries = self.inner.lock().expect("text indexes lock");
        *entries.generations.entry(store_id.to_owned()).or_insert(0) += 1;
        if let Some(TextEntry::Loaded(index)) = entries.stores.get(store_id) {
            let mut index = index.write().expect("text index lock");
            for id in ids {
                index.remove(id);
            }
        }
    }

    /// Marks a change made elsewhere: a load begun before it is not kept.
    pub fn touch(&self, store_id: &str) {
        *self.inner.lock().expect("text indexes lock").generations.entry(store_id.to_owned()).or_insert(0) += 1;
    }

    /// The stores whose index is held.
    pub fn loaded_stores(&self) -> Vec<String> {
        self.inner.lock().expect("text indexes lock").stores.iter().filter(|(_, e)| matches!(e, TextEntry::Loaded(_))).map(|(s, _)| s.clone()).collect()
    }
}

/// The searchable title of a product: its title and every translated one,
/// folded.
pub(super) fn index_title(product: &Product) -> String {
    let mut titles = vec![fold(&product.title)];
    for t in product.translations.values() {
        if let Some(title) = t.title.as_deref().filter(|t| !t.trim().is_empty()) {
            titles.push(fold(title));
        }
    }
    titles.join("\n")
}

/// Builds an index from (id, body, title) rows, off the async runtime's
/// threads (about a second for 100,000 cards).
pub(super) async fn build_index(rows: Vec<(String, String, String)>) -> StorageResult<TextEntry> {
    let index = tokio::task::spawn_blocking(move || {
        let mut index = TextIndex::new();
        for (id, body, title) in rows {
            index.upsert(&id, &body, &title);
        }
        index
    })
    .await
    .map_err(|e| StorageError::Invalid(format!("building the text index failed: {e}")))?;
    Ok(TextEntry::Loaded(Arc::new(RwLock::new(index))))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Widening {
    pub at_least: usize,
    pub groups: Vec<Vec<usize>>,
}

/// Most AND groups a middle step may have; a step needing more (many
/// terms, about half of them) is skipped, and the next one takes its cards.
const MAX_GROUPS: usize = 16;

/// The widening steps for `n` terms: all of them, then all but one and so
/// on, then any one. Middle steps that would need more than [`MAX_GROUPS`]
/// groups are left out: the step after covers their cards, ranked by score
/// alone.
pub(super) fn widening_steps(n: usize) -> Vec<Widening> {
    let mut steps = Vec::new();
    for at_least in (1..=n).rev() {
        let groups = if at_least == n {
            vec![(0..n).collect()]
        } else if at_least == 1 {
            (0..n).map(|i| vec![i]).collect()
        } else if binomial(n, at_least) <= MAX_GROUPS {
            combinations(n, at_least)
        } else {
            continue;
        };
        steps.push(Widening { at_least, groups });
    }
    steps
}

/// The cards of successive widening steps: each step's new cards after
/// the earlier steps' ones, up to k.
pub(super) struct Widened {
    k: usize,
    cards: Vec<ScoredProduct>,
    ids: HashSet<String>,
}

impl Widened {
    pub fn new(k: usize) -> Self {
        Self { k, cards: Vec::new(), ids: HashSet::new() }
    }

    /// How many cards the next step should return: every card found so
    /// far matches it too, and may be among its best.
    pub fn limit(&self) -> usize {
        self.k + self.cards.len()
    }

    /// Adds a step's cards, best first; true once k are found.
    pub fn add(&mut self, rows: impl IntoIterator<Item = (String, f32)>) -> bool {
        for (product_id, score) in rows {
            if self.cards.len() < self.k && self.ids.insert(product_id.clone()) {
                self.cards.push(ScoredProduct { product_id, score });
            }
        }
        self.cards.len() >= self.k
    }

    pub fn into_cards(self) -> Vec<ScoredProduct> {
        self.cards
    }
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1usize, |acc, i| acc.saturating_mul(n - i) / (i + 1))
}

/// Every k-element subset of `0..n`, in lexicographic order.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut current = Vec::with_capacity(k);
    fn extend(start: usize, n: usize, k: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if current.len() == k {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            current.push(i);
            extend(i + 1, n, k, current, out);
            current.pop();
        }
    }
    extend(0, n, k, &mut current, &mut out);
    out
}

/// The folded, stemmed words of `text`.
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    let folded = fold(text);
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| STEMMER.stem(w).into_owned()).collect::<Vec<_>>().into_iter()
}

/// The prefix a long query word also matches: one letter shorter for words
/// of five or six letters, two for longer ones, never under four.
fn prefix_of(folded: &str) -> Option<String> {
    let chars: Vec<char> = folded.chars().collect();
    if chars.len() < 5 {
        return None;
    }
    let keep = if chars.len() >= 7 { chars.len() - 2 } else { chars.len() - 1 };
    Some(chars[..keep.max(4)].iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    fn index() -> TextIndex {
        let mut index = TextIndex::new();
        index.upsert("shirt", "our lightest linen shirt for summer weddings", "Sitges linen shirt\nCamisa de lino Sitges");
        index.upsert("boots", "black leather ankle boots with a stacked heel", "Chelsea boots");
        index.upsert("dress", "a long linen dress for the beach", "Vestido largo de lino");
        index
    }

    #[test]
    fn ranks_title_matches_first_and_stems() {
        let index = index();
        let hits = index.search(&terms(&["linen", "shirts"]), 8);
        assert_eq!(hits[0].id, "shirt");
        assert_eq!(hits.len(), 2);
        assert!(hits[0].score > hits[1].score);
    }

    #[test]
    fn prefixes_match_inflections_and_marks_are_folded() {
        let index = index();
        assert_eq!(index.search(&terms(&["camisas"]), 8)[0].id, "shirt");
        assert_eq!(index.search(&terms(&["VESTÍDO"]), 8)[0].id, "dress");
        assert!(index.search(&terms(&["sandals"]), 8).is_empty());
    }

    #[test]
    fn replacing_and_removing_cards_updates_results() {
        let mut index = index();
        index.upsert("boots", "suede loafers", "Loafers");
        assert!(index.search(&terms(&["boots"]), 8).is_empty());
        assert_eq!(index.search(&terms(&["loafers"]), 8)[0].id, "boots");
        index.remove("shirt");
        index.remove("dress");
        assert_eq!(index.len(), 1);
        assert!(index.search(&terms(&["linen"]), 8).is_empty());
        // Compaction kept the live card reachable.
        assert_eq!(index.search(&terms(&["suede"]), 8)[0].id, "boots");
    }

    #[test]
    fn cards_matching_every_term_come_first_and_others_fill_in() {
        let mut index = TextIndex::new();
        // The common words' cards score higher by BM25 alone (a title
        // match each), but only one card has all three words.
        index.upsert("all", "a warm coat in navy wool for winter", "Coat");
        index.upsert("navy-coat", "a navy coat", "Navy Coat");
        index.upsert("wool-coat", "a wool coat", "Wool Coat");
        index.upsert("scarf", "a navy scarf", "Navy Scarf");
        let hits = index.search(&terms(&["navy", "wool", "coat"]), 8);
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids[0], "all");
        assert_eq!(ids.len(), 4, "too few match all: two-word and one-word cards widen the list");
        assert_eq!(ids[3], "scarf", "one word matched ranks last");
        assert_eq!(index.search(&terms(&["navy", "wool", "coat"]), 1)[0].id, "all");
    }

    #[test]
    fn widening_steps_go_from_all_terms_to_any() {
        let steps = widening_steps(3);
        assert_eq!(steps.iter().map(|s| s.at_least).collect::<Vec<_>>(), [3, 2, 1]);
        assert_eq!(steps[1].groups, [vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(steps[2].groups, [vec![0], vec![1], vec![2]]);
        assert_eq!(widening_steps(1), [Widening { at_least: 1, groups: vec![vec![0]] }]);
        // Eight terms: C(8, 7) = 8 groups is kept, C(8, 6) = 28 is not.
        let steps: Vec<usize> = widening_steps(8).iter().map(|s| s.at_least).collect();
        assert_eq!(steps, [8, 7, 1]);
    }

    #[test]
    fn top_k_is_ordered_and_ties_break_by_id() {
        let mut index = TextIndex::new();
        for id in ["c", "a", "b"] {
            index.upsert(id, "wool scarf", "Scarf");
        }
        let hits = index.search(&terms(&["scarf"]), 2);
        assert_eq!(hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }
}
