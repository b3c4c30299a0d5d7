//! The retrieval path of a chat turn: embed the query, run vector and full
//! text search over the store's cards at the same time, fuse, and load the
//! winning products (without their stock).

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use crate::classify::fold;
use crate::embed::Embedder;
use crate::storage::{Storage, StorageError, TextQuery};

use super::RetrievedCard;
use super::fusion::reciprocal_rank_fusion;
use super::shopper::IndexCache;

#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    pub top_k: usize,
    pub candidates: usize,
    pub rrf_k: f32,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self { top_k: 8, candidates: 40, rrf_k: 60.0 }
    }
}

impl From<&crate::config::RetrievalConfig> for SearchOptions {
    fn from(c: &crate::config::RetrievalConfig) -> Self {
        Self { top_k: c.top_k, candidates: c.candidates, rrf_k: c.rrf_k }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
}

#[derive(Clone)]
pub struct HybridSearch {
    storage: Arc<dyn Storage>,
    embedder: Arc<dyn Embedder>,
    /// Each store's learned vocabulary, for query understanding.
    indexes: Arc<IndexCache>,
}

impl HybridSearch {
    pub fn new(storage: Arc<dyn Storage>, embedder: Arc<dyn Embedder>) -> Self {
        Self { storage, embedder, indexes: Arc::new(IndexCache::default()) }
    }

    pub(super) fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    pub(super) fn indexes(&self) -> &IndexCache {
        &self.indexes
    }

    /// The store's best cards for `query`. `languages` are the stemmers to
    /// try for full text (the message's language and the store's); the
    /// first of them is the catalog's main language.
    pub async fn search(&self, store_id: &str, query: &str, languages: &[String], options: SearchOptions) -> Result<Vec<RetrievedCard>, SearchError> {
        let ranked = self.search_ids(store_id, query, languages, options).await?;
        self.cards(store_id, &ranked, languages).await
    }

    /// The products of `ranked` ids as grounding cards, in that order.
    pub(super) async fn cards(&self, store_id: &str, ranked: &[(String, f32)], languages: &[String]) -> Result<Vec<RetrievedCard>, SearchError> {
        let ids: Vec<String> = ranked.iter().map(|(id, _)| id.clone()).collect();
        let products = self.storage.get_shared_products(store_id, &ids).await?;
        let primary = languages.first().map(String::as_str).unwrap_or("en");
        let scores: std::collections::HashMap<&str, (usize, f32)> = ranked.iter().enumerate().map(|(i, (id, s))| (id.as_str(), (i, *s))).collect();
        let mut cards: Vec<(usize, RetrievedCard)> = products
            .into_iter()
            .map(|product| {
                let (position, score) = scores.get(product.id.as_str()).copied().unwrap_or((usize::MAX, 0.0));
                (position, RetrievedCard::from_shared(product, primary, score))
            })
            .collect();
        cards.sort_by_key(|(position, _)| *position);
        Ok(cards.into_iter().map(|(_, card)| card).collect())
    }

    /// Ranked product ids with fused scores, best first.
    pub async fn search_ids(&self, store_id: &str, query: &str, languages: &[String], options: SearchOptions) -> Result<Vec<(String, f32)>, SearchError> {
        Ok(self.fused(store_id, query, languages, options).await?.into_iter().take(options.top_k).collect())
    }

    /// Every fused candidate (up to `options.candidates` from each retriever), best first.
    pub(super) async fn fused(&self, store_id: &str, query: &str, languages: &[String], options: SearchOptions) -> Result<Vec<(String, f32)>, SearchError> {
        let text_query = TextQuery { terms: query_terms(query), languages: languages.to_vec() };
        let vector = self.embedder.embed_query(query).await?;
        let model = self.embedder.model_id();
        let (by_vector, by_text) = tokio::join!(self.storage.vector_search(store_id, model, &vector, options.candidates), async {
            if text_query.terms.is_empty() { Ok(Vec::new()) } else { self.storage.text_search(store_id, &text_query, options.candidates).await }
        });
        let (by_vector, by_text) = (by_vector?, by_text?);
        let fused = reciprocal_rank_fusion(&[&by_vector, &by_text], options.rrf_k);
        Ok(fused.into_iter().map(|s| (s.product_id, s.score)).collect())
    }
}

/// Words worth matching in full text: folded, letters and digits only, no
/// stop words, at most 16.
pub fn query_terms(query: &str) -> Vec<String> {
    let folded = fold(query);
    let mut terms: Vec<String> = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() < 2 || is_stop_word(word) || terms.iter().any(|t| t == word) {
            continue;
        }
        terms.push(word.to_owned());
        if terms.len() == 16 {
            break;
        }
    }
    terms
}

/// A function word of the supported languages, carrying no product meaning
/// (`word` folded: lower case, no accents).
pub(crate) fn is_stop_word(word: &str) -> bool {
    // A set, not the list: every word of a query and of the titles the
    // offline model reads passes here, and the list has hundreds.
    static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    SET.contains(word)
}

/// Function words of the supported languages that carry no product meaning.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "for",
    "of",
    "to",
    "in",
    "on",
    "at",
    "with",
    "do",
    "does",
    "you",
    "your",
    "have",
    "has",
    "is",
    "are",
    "it",
    "this",
    "that",
    "these",
    "those",
    "me",
    "my",
    "we",
    "our",
    "any",
    "some",
    "can",
    "could",
    "would",
    "please",
    "hi",
    "hello",
    "there",
    "what",
    "which",
    "who",
    "how",
    "i",
    "im",
    "be",
    "am",
    "looking",
    "want",
    "need",
    "something",
    "about",
    "from",
    "by",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "unos",
    "unas",
    "y",
    "o",
    "de",
    "del",
    "para",
    "por",
    "con",
    "en",
    "que",
    "se",
    "me",
    "mi",
    "tu",
    "su",
    "es",
    "son",
    "hay",
    "teneis",
    "tienen",
    "tienes",
    "busco",
    "quiero",
    "hola",
    "al",
    "lo",
    "le",
    "les",
    "esta",
    "este",
    "esa",
    "ese",
    "algo",
    "alguna",
    "algun",
    "como",
    "cual",
    "muy",
    "mas",
    "pero",
    "si",
    "no",
    "gracias",
    "porfa",
    "favor",
    "и",
    "в",
    "во",
    "на",
    "с",
    "со",
    "для",
    "у",
    "вас",
    "есть",
    "ли",
    "мне",
    "я",
    "это",
    "эта",
    "этот",
    "эти",
    "по",
    "из",
    "за",
    "к",
    "как",
    "какие",
    "какой",
    "что",
    "не",
    "да",
    "нет",
    "привет",
    "здравствуйте",
    "пожалуйста",
    "спасибо",
    "хочу",
    "нужна",
    "нужен",
    "le",
    "les",
    "des",
    "du",
    "et",
    "ou",
    "pour",
    "avec",
    "une",
    "der",
    "die",
    "das",
    "und",
    "mit",
    "fur",
    "ein",
    "eine",
    "il",
    "di",
    "per",
    "con",
    "do",
    "da",
    "um",
    "uma",
    "com",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_drop_stop_words_and_fold() {
        assert_eq!(query_terms("Linen shirt for a summer wedding"), ["linen", "shirt", "summer", "wedding"]);
        assert_eq!(query_terms("¿Tenéis la camisa en talla M?"), ["camisa", "talla"]);
        assert_eq!(query_terms("Есть ли у вас эта куртка?"), ["куртка"]);
    }
}
