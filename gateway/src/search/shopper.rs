//! Search as a shopper means it: the message is understood (category,
//! constraints, complement) in the light of the conversation, the hybrid
//! search finds candidates, and the constraints then rank them: a product
//! that breaks a stated constraint (wrong gender, colour, size it is not
//! made in, blend for "100% wool") goes below every product that keeps
//! them all, and products of the asked category the hybrid search missed
//! are brought in from the store's index. With nothing understood, the
//! hybrid order stands.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::hybrid::{HybridSearch, SearchError, SearchOptions};
use super::understand::{Intent, Want, understand};
use super::vocabulary::{Facts, StoreIndex};
use super::{RetrievedCard, query_terms};

/// How long a store's learned vocabulary is used before it is learned again
/// (catalog edits by webhook keep the product count unchanged).
const INDEX_MAX_AGE: Duration = Duration::from_secs(300);
/// Products read per storage call while learning a store's vocabulary.
const INDEX_PAGE: usize = 500;
/// How long a store's product count is trusted before it is read again to
/// see whether the catalog grew or shrank: one storage round trip per
/// store a second instead of one per turn. A product newer than the
/// vocabulary is kept in results meanwhile (see [`rank`]).
const COUNT_CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// A shopper's message with what the retrieval needs around it.
#[derive(Debug, Clone, Copy)]
pub struct ShopperQuery<'a> {
    pub message: &'a str,
    /// The shopper's earlier messages in the conversation, oldest first.
    pub earlier: &'a [String],
    /// Stemmers for full text (the store's languages and the reply's).
    pub languages: &'a [String],
    /// The store's pairing table (category -> what goes with it).
    pub pairings: &'a BTreeMap<String, Vec<String>>,
}

/// What to search for this turn: the text for the hybrid search and the
/// understood intent, with the previous search when this one refines it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub text: String,
    pub intent: Intent,
    pub previous: Option<Box<Plan>>,
}

/// Folds the conversation into the current search: a message with a kind
/// of product starts a new search; a follow-up with only constraints
/// ("and in black?") refines the previous one; a question about "it"
/// repeats it, so the product being discussed stays in view.
pub fn plan(query: &ShopperQuery<'_>, index: &StoreIndex) -> Plan {
    let mut state: Option<Plan> = None;
    for message in query.earlier.iter().map(String::as_str).chain(std::iter::once(query.message)) {
        state = Some(step(state, message, index, query.pairings));
    }
    state.unwrap_or_else(|| Plan { text: query.message.to_owned(), intent: Intent::default(), previous: None })
}

fn step(state: Option<Plan>, message: &str, index: &StoreIndex, pairings: &BTreeMap<String, Vec<String>>) -> Plan {
    let intent = understand(message, index, pairings);
    if intent.pairs_with_previous
        && let Some(previous) = state.as_ref().filter(|p| !p.intent.categories.is_empty())
    {
        let intent = intent.pair_with(&previous.intent, index, pairings);
        return Plan { text: message.to_owned(), intent, previous: None };
    }
    let Some(previous) = state.filter(|_| !intent.has_subject()) else {
        return Plan { text: message.to_owned(), intent, previous: None };
    };
    if intent.refers_back {
        let mut same = previous.clone();
        same.previous = Some(Box::new(previous));
        return same;
    }
    if intent.has_constraints() || query_terms(message).len() < 3 {
        let text = format!("{} {message}", previous.text);
        let refined = intent.refine(&previous.intent);
        return Plan { text, intent: refined, previous: Some(Box::new(previous)) };
    }
    Plan { text: message.to_owned(), intent, previous: None }
}

/// The cards a shopper's search found, best first, and the sizes it asked
/// for (as the shopper wrote them).
pub struct ShopperResults {
    pub cards: Vec<RetrievedCard>,
    pub sizes: Vec<String>,
}

/// A store's learned vocabulary, with when and from how many products.
struct CachedIndex {
    index: Arc<StoreIndex>,
    products: u64,
    built: Instant,
    /// When `products` was last compared with the storage's count.
    checked: Instant,
    /// A newer one is being learned.
    refreshing: bool,
}

/// Learned vocabularies by store id.
#[derive(Default)]
pub struct IndexCache {
    stores: std::sync::Mutex<std::collections::HashMap<String, CachedIndex>>,
}

impl IndexCache {
    /// The map; a panic elsewhere while it was held leaves it usable (each
    /// entry is replaced whole).
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, CachedIndex>> {
        self.stores.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl HybridSearch {
    /// The store's best product ids for a shopper's message in its
    /// conversation, best first, at most `options.top_k`.
    pub async fn search_shopper(&self, store_id: &str, query: ShopperQuery<'_>, options: SearchOptions) -> Result<Vec<(String, f32)>, SearchError> {
        Ok(self.ranked_for_shopper(store_id, query, options).await?.0)
    }

    /// Like [`HybridSearch::search_shopper`], with the products loaded as
    /// cards and the sizes the search asked for (for a live stock check).
    pub async fn search_shopper_cards(&self, store_id: &str, query: ShopperQuery<'_>, options: SearchOptions) -> Result<ShopperResults, SearchError> {
        let (ranked, sizes) = self.ranked_for_shopper(store_id, query, options).await?;
        Ok(ShopperResults { cards: self.cards(store_id, &ranked, query.languages).await?, sizes })
    }

    async fn ranked_for_shopper(
        &self,
        store_id: &str,
        query: ShopperQuery<'_>,
        options: SearchOptions,
    ) -> Result<(Vec<(String, f32)>, Vec<String>), SearchError> {
        let index = self.store_index(store_id).await?;
        let mut plan = plan(&query, &index);
        if plan.intent.cheaper || plan.intent.dearer {
            self.price_against_previous(store_id, &mut plan, &index, query.languages, options).await?;
        }
        let fused = self.fused(store_id, &plan.text, query.languages, options).await?;
        let ranked = rank(&index, &plan.intent, &fused, &plan.text).into_iter().take(options.top_k).collect();
        Ok((ranked, plan.intent.sizes))
    }

    /// "Something cheaper?": cheaper than the product the previous search
    /// put first (the one being discussed).
    async fn price_against_previous(
        &self,
        store_id: &str,
        plan: &mut Plan,
        index: &StoreIndex,
        languages: &[String],
        options: SearchOptions,
    ) -> Result<(), SearchError> {
        let Some(previous) = plan.previous.as_deref() else { return Ok(()) };
        let fused = self.fused(store_id, &previous.text, languages, options).await?;
        let first = rank(index, &previous.intent, &fused, &previous.text).into_iter().next();
        let price = first.and_then(|(id, _)| index.by_id.get(&id).and_then(|i| index.products[*i].price));
        if let Some(price) = price {
            if plan.intent.cheaper {
                plan.intent.max_price = Some(price - 0.01);
            } else {
                plan.intent.min_price = Some(price + 0.01);
            }
        }
        Ok(())
    }

    /// The store's learned vocabulary. When the catalog's size changed or
    /// the vocabulary is older than [`INDEX_MAX_AGE`], it is learned again in
    /// the background (a large catalog takes seconds) while the old one
    /// serves; only a store's first search waits for it.
    async fn store_index(&self, store_id: &str) -> Result<Arc<StoreIndex>, SearchError> {
        if let Some(cached) = self.indexes().lock().get(store_id)
            && cached.checked.elapsed() < COUNT_CHECK_INTERVAL
            && cached.built.elapsed() < INDEX_MAX_AGE
        {
            return Ok(cached.index.clone());
        }
        let count = self.storage().count_products(store_id).await?;
        let stale = {
            let mut stores = self.indexes().lock();
            match stores.get_mut(store_id) {
                Some(cached) if cached.products == count && cached.built.elapsed() < INDEX_MAX_AGE => {
                    cached.checked = Instant::now();
                    return Ok(cached.index.clone());
                }
                Some(cached) => Some((cached.index.clone(), !std::mem::replace(&mut cached.refreshing, true))),
                None => None,
            }
        };
        let Some((index, start_refresh)) = stale else { return self.learn(store_id, count).await };
        if start_refresh {
            let search = self.clone();
            let store_id = store_id.to_owned();
            tokio::spawn(async move {
                if let Err(error) = search.learn(&store_id, count).await {
                    tracing::warn!(%error, store = %store_id, "store vocabulary not learned again; the next search retries");
                    if let Some(cached) = search.indexes().lock().get_mut(&store_id) {
                        cached.refreshing = false;
                    }
                }
            });
        }
        Ok(index)
    }

    /// Learns the store's vocabulary from every product and keeps it.
    async fn learn(&self, store_id: &str, count: u64) -> Result<Arc<StoreIndex>, SearchError> {
        let storage = self.storage();
        let ids = storage.product_ids(store_id).await?;
        let mut products = Vec::with_capacity(ids.len());
        for page in ids.chunks(INDEX_PAGE) {
            products.extend(storage.get_products(store_id, page).await?);
        }
        let index = Arc::new(StoreIndex::build(&products));
        let now = Instant::now();
        let cached = CachedIndex { index: index.clone(), products: count, built: now, checked: now, refreshing: false };
        self.indexes().lock().insert(store_id.to_owned(), cached);
        Ok(index)
    }
}

/// How well a product fits the intent: constraints broken (fewer first),
/// then wishes met (more first).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fit {
    broken: u32,
    met: f32,
    fused_rank: usize,
}

/// Weight of the query's specific words among a product's wishes met (an
/// occasion or attribute word named counts 1).
const OVERLAP_WEIGHT: f32 = 2.0;

/// Ranks the hybrid results (and the index's products of the asked
/// categories) by the intent; the fused order breaks ties.
pub fn rank(index: &StoreIndex, intent: &Intent, fused: &[(String, f32)], text: &str) -> Vec<(String, f32)> {
    let understood = intent.has_subject() || intent.has_constraints() || !intent.occasions.is_empty() || !intent.facet_words.is_empty();
    if !understood {
        return fused.to_vec();
    }
    let terms = weighted_terms(index, text, &intent.occasion_words);
    let mut pool: Vec<(usize, usize)> = Vec::new();
    let mut seen = HashSet::new();
    // Products newer than the learned vocabulary (it is being learned
    // again): kept, after those known to keep every constraint.
    let mut unknown: Vec<String> = Vec::new();
    for (rank, (id, _)) in fused.iter().enumerate() {
        match index.by_id.get(id) {
            Some(&i) if seen.insert(i) => pool.push((i, rank)),
            Some(_) => {}
            None => unknown.push(id.clone()),
        }
    }
    if !intent.categories.is_empty() {
        for (i, p) in index.products.iter().enumerate() {
            if intent.categories.contains(&p.category) && seen.insert(i) {
                pool.push((i, usize::MAX));
            }
        }
    }
    let mut scored: Vec<(usize, Fit)> = pool.into_iter().map(|(i, fused_rank)| (i, fit(&index.products[i], intent, fused_rank, &terms))).collect();
    if intent.categories.is_empty() {
        // With no kind of product asked for, occasions and attribute words
        // are too weak to reorder the search: they only break its ties.
        scored.iter_mut().for_each(|(_, f)| f.met = 0.0);
    }
    scored.sort_by(|a, b| compare(&a.1, &b.1));
    if intent.anchor.len() + intent.categories.len() > 1 && !intent.anchor.is_empty() {
        scored = interleave(index, intent, scored);
    }
    let best = scored.first().map(|(_, f)| f.broken);
    let keeping = scored.iter().take_while(|(_, f)| Some(f.broken) == best).count();
    let mut ids: Vec<String> = scored.into_iter().map(|(i, _)| index.products[i].id.clone()).collect();
    ids.splice(keeping..keeping, unknown);
    let n = ids.len() as f32;
    ids.into_iter().enumerate().map(|(pos, id)| (id, (n - pos as f32) / n.max(1.0))).collect()
}

fn compare(a: &Fit, b: &Fit) -> std::cmp::Ordering {
    a.broken.cmp(&b.broken).then(b.met.total_cmp(&a.met)).then(a.fused_rank.cmp(&b.fused_rank))
}

/// A complement shows the look's other pieces: the best of each paired
/// category in turn (among products that keep every constraint), in the
/// pairing table's order.
fn interleave(index: &StoreIndex, intent: &Intent, scored: Vec<(usize, Fit)>) -> Vec<(usize, Fit)> {
    let best = scored.first().map(|(_, f)| f.broken).unwrap_or(0);
    let (top, rest): (Vec<_>, Vec<_>) = scored.into_iter().partition(|(_, f)| f.broken == best);
    let mut queues: Vec<std::collections::VecDeque<(usize, Fit)>> = Vec::new();
    let mut order: Vec<usize> = intent.categories.clone();
    for (i, _) in &top {
        let c = index.products[*i].category;
        if !order.contains(&c) {
            order.push(c);
        }
    }
    for c in &order {
        queues.push(top.iter().filter(|(i, _)| index.products[*i].category == *c).copied().collect());
    }
    let mut out = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        for q in queues.iter_mut() {
            if let Some(item) = q.pop_front() {
                out.push(item);
            }
        }
    }
    out.extend(rest);
    out
}

/// The query's words with their weight (inverse document frequency in the
/// store's product words), for ranking products of the asked kind by how
/// much of the query's specific vocabulary they carry ("chelsea" counts
/// more than "boots" among boots).
fn weighted_terms(index: &StoreIndex, text: &str, skip: &[String]) -> Vec<(String, f32)> {
    let n = index.products.len().max(1) as f32;
    let mut terms: Vec<(String, f32)> = query_terms(text)
        .into_iter()
        .filter(|t| !skip.contains(t))
        .filter_map(|t| {
            let df = index.document_frequency.get(&t).copied().or_else(|| stem_match(index, &t).map(|w| index.document_frequency[w]))?;
            Some((t, (n / df as f32).ln().max(0.0)))
        })
        .collect();
    let total: f32 = terms.iter().map(|(_, w)| w).sum();
    if total > 0.0 {
        terms.iter_mut().for_each(|(_, w)| *w /= total);
    }
    terms
}

/// Letters two forms of a word share at the start to count as the same
/// word ("aviateur", "aviator").
const SHARED_PREFIX: usize = 5;

fn prefix(word: &str) -> Option<&str> {
    word.char_indices().nth(SHARED_PREFIX).map(|(i, _)| &word[..i])
}

/// A catalog word that shares the query word's first letters, if any.
fn stem_match<'a>(index: &'a StoreIndex, term: &str) -> Option<&'a String> {
    let start = prefix(term)?;
    index.document_frequency.keys().filter(|w| w.starts_with(start)).min()
}

fn has_word(p: &Facts, term: &str) -> bool {
    p.words.contains(term) || prefix(term).is_some_and(|start| p.words.iter().any(|w| w.starts_with(start)))
}

fn fit(p: &Facts, intent: &Intent, fused_rank: usize, terms: &[(String, f32)]) -> Fit {
    let mut broken = 0u32;
    let mut met = 0f32;
    // The kind of product asked for outweighs any constraint on it.
    if !intent.categories.is_empty() && !intent.categories.contains(&p.category) {
        broken += 4;
    }
    if intent.anchor.contains(&p.category) && !intent.categories.contains(&p.category) {
        broken += 8;
    }
    if let Some(g) = intent.gender
        && !p.genders.is_empty()
        && !p.genders.contains(&g)
    {
        broken += if intent.fresh.gender { 2 } else { 1 };
    }
    if let Some(g) = intent.gender
        && p.genders == [g]
    {
        met += 0.5;
    }
    // A constraint the shopper just added ("and in black?") weighs more
    // than the ones the follow-up kept from before.
    let weight = |fresh: bool| if fresh { 2 } else { 1 };
    let fresh = &intent.fresh;
    broken += weight(fresh.colours) * u32::from(!intent.colours.is_empty() && !intent.colours.iter().any(|w| wanted(w, &p.colours, &p.colour_words)));
    broken += weight(fresh.sizes) * u32::from(!intent.sizes.is_empty() && !intent.sizes.iter().any(|s| p.sizes.contains(s)));
    let material = intent.materials.iter().any(|w| wanted(w, &p.materials, &p.material_words) || wanted(w, &p.finishes, &p.colour_words));
    broken += weight(fresh.materials) * u32::from(!intent.materials.is_empty() && !material);
    broken += u32::from(intent.pure && material && !p.pure);
    broken += u32::from(intent.not_materials.iter().any(|m| p.materials.contains(m)));
    broken += u32::from(intent.not_words.iter().any(|w| p.words.contains(w)));
    broken += weight(fresh.fits) * u32::from(!intent.fits.is_empty() && !intent.fits.iter().any(|w| wanted(w, &p.fits, &p.fit_words)));
    if let Some(price) = p.price {
        if let Some(max) = intent.max_price.filter(|max| price > *max) {
            broken += 1;
            // Over the cap, the nearest prices first.
            met -= (price - max) as f32 / max.max(1.0) as f32;
        }
        if let Some(min) = intent.min_price.filter(|min| price < *min) {
            broken += 1;
            met -= (min - price) as f32 / min.max(1.0) as f32;
        }
    }
    met += intent.occasions.iter().filter(|o| p.occasions.contains(o)).count() as f32;
    let overlap: f32 = terms.iter().filter(|(t, _)| has_word(p, t)).map(|(_, w)| w).sum();
    met += OVERLAP_WEIGHT * overlap;
    Fit { broken, met, fused_rank }
}

fn wanted(want: &Want, concepts: &HashSet<usize>, words: &HashSet<String>) -> bool {
    match want {
        Want::Concept(c) => concepts.contains(c),
        Want::Word(w) => words.contains(w),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RetrievalConfig;
    use crate::search::fixtures;

    fn plan_of(index: &StoreIndex, earlier: &[&str], message: &str) -> Plan {
        let earlier: Vec<String> = earlier.iter().map(|s| (*s).to_owned()).collect();
        let pairings = RetrievalConfig::default().pairings;
        plan(&ShopperQuery { message, earlier: &earlier, languages: &[], pairings: &pairings }, index)
    }

    fn ids(ranked: &[(String, f32)]) -> Vec<&str> {
        ranked.iter().map(|(id, _)| id.as_str()).collect()
    }

    fn fused(ids: &[&str]) -> Vec<(String, f32)> {
        ids.iter().map(|id| ((*id).to_owned(), 0.0)).collect()
    }

    #[test]
    fn a_question_about_it_repeats_the_search_being_discussed() {
        let shop = fixtures::fashion();
        let coat = plan_of(&shop, &[], "I'm looking for a wool coat");
        let it = plan_of(&shop, &["I'm looking for a wool coat"], "how much is it?");
        assert_eq!(it.text, coat.text);
        assert_eq!(it.intent, coat.intent);
    }

    #[test]
    fn a_follow_up_refines_the_previous_search() {
        let shop = fixtures::fashion();
        let black = plan_of(&shop, &["I'm looking for a wool coat"], "and in black?");
        assert!(black.text.contains("wool coat") && black.text.contains("black"), "{}", black.text);
        let ranked = rank(&shop, &black.intent, &fused(&["f7", "f8", "f3"]), &black.text);
        assert_eq!(ids(&ranked)[0], "f8", "the black wool coat first: {ranked:?}");
        let men = plan_of(&shop, &["chaqueta de cuero de mujer"], "¿y para hombre?");
        let ranked = rank(&shop, &men.intent, &fused(&["f4", "f3", "f5"]), &men.text);
        assert_eq!(ids(&ranked)[0], "f3", "the men's leather jacket: {ranked:?}");
        // Two refinements in a row keep the subject and both constraints.
        let both = plan_of(&shop, &["chaqueta de cuero", "de hombre"], "¿y en negro?");
        assert!(both.intent.gender.is_some() && !both.intent.colours.is_empty() && !both.intent.materials.is_empty(), "{:?}", both.intent);
        // A new kind of product starts a new search.
        let new = plan_of(&shop, &["I'm looking for a wool coat"], "do you have swimsuits in XXS?");
        assert!(new.intent.materials.is_empty() && new.previous.is_none(), "{:?}", new.intent);
    }

    #[test]
    fn constraints_put_the_products_that_keep_them_first() {
        let shop = fixtures::fashion();
        let skirt = plan_of(&shop, &[], "falda plisada negra");
        assert_eq!(ids(&rank(&shop, &skirt.intent, &fused(&["f2", "f1"]), &skirt.text))[0], "f1");
        let pure = plan_of(&shop, &[], "Mantel aus reiner Wolle");
        assert_eq!(ids(&rank(&shop, &pure.intent, &fused(&["f8", "f7"]), &pure.text))[..2], ["f7", "f8"], "100% wool above the 70/30 blend");
        let xxs = plan_of(&shop, &[], "swimsuit in XXS");
        assert_eq!(ids(&rank(&shop, &xxs.intent, &fused(&["f16", "f15"]), &xxs.text))[0], "f15", "only one swimsuit comes in XXS");
        let vegan = plan_of(&shop, &[], "vegan puffer, no feathers");
        assert_eq!(ids(&rank(&shop, &vegan.intent, &fused(&["f5", "f6"]), &vegan.text))[0], "f6");
        // Products of the asked kind the hybrid search missed are brought in.
        let hat = plan_of(&shop, &[], "something for my head");
        assert_eq!(ids(&rank(&shop, &hat.intent, &fused(&["f17", "f18"]), &hat.text))[0], "f14");
    }

    #[test]
    fn a_complement_never_shows_the_anchor_kind() {
        let shop = fixtures::fashion();
        let suit = plan_of(&shop, &[], "what shoes go with a navy wool suit");
        let ranked = rank(&shop, &suit.intent, &fused(&["f9", "f10", "f11", "f13"]), &suit.text);
        assert_eq!(ids(&ranked)[0], "f11", "men's loafers first: {ranked:?}");
        let shown: Vec<&str> = ids(&ranked).into_iter().take(2).collect();
        assert!(!shown.contains(&"f9") && !shown.contains(&"f10"), "{ranked:?}");
    }

    #[test]
    fn products_newer_than_the_learned_vocabulary_are_kept() {
        let shop = fixtures::fashion();
        let skirt = plan_of(&shop, &[], "falda plisada negra");
        let ranked = rank(&shop, &skirt.intent, &fused(&["new1", "f2", "f1"]), &skirt.text);
        assert_eq!(ids(&ranked), ["f1", "new1", "f2"], "after the products known to keep every constraint");
    }

    #[test]
    fn nothing_understood_keeps_the_hybrid_order() {
        let shop = fixtures::fashion();
        let plain = plan_of(&shop, &[], "Tamariu");
        assert_eq!(ids(&rank(&shop, &plain.intent, &fused(&["f17", "f1"]), &plain.text)), ["f17", "f1"]);
    }
}
