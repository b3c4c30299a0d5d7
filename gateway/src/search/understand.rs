//! Query understanding: what a shopper's message asks for, read against the
//! store's own vocabulary and the shared lexicon before anything is ranked:
//! the kind of product (a category of this store), the constraints it must
//! meet (gender, colour, size, material and whether it must be pure, cut,
//! price, occasion, the store's own attribute words), whether it asks for
//! something to go with another product (a complement), and whether it only
//! refers back to what was being discussed ("how much is it?").

use std::collections::BTreeMap;

use super::lexicon::{
    self, CHEAPER, COMPLEMENT_MARKERS, DEARER, FOR_MARKERS, Facet, Lexicon, NEGATIONS, PRICE_CAP, PURITY_MARKERS, REFERS_BACK, SIZE_WORDS, VEGAN,
};
use super::vocabulary::StoreIndex;
use crate::classify::fold;

/// A colour, material or cut asked for: a lexicon concept (any language)
/// or, when the lexicon has none, the store's own word for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Want {
    Concept(usize),
    Word(String),
}

/// What one message asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intent {
    /// Categories asked for, in order of preference; empty: any.
    pub categories: Vec<usize>,
    /// For a complement, the categories of the product it must go with
    /// (never shown in their place).
    pub anchor: Vec<usize>,
    pub gender: Option<usize>,
    pub colours: Vec<Want>,
    pub sizes: Vec<String>,
    pub materials: Vec<Want>,
    /// The materials must be the whole of the product ("100% wool").
    pub pure: bool,
    pub not_materials: Vec<usize>,
    /// Words the product must not have ("sin capucha").
    pub not_words: Vec<String>,
    pub fits: Vec<Want>,
    pub occasions: Vec<usize>,
    /// The store's own attribute and tag words named (style, room, feature).
    pub facet_words: Vec<String>,
    /// The message's words read as occasions, so they are not counted
    /// again as plain words when ranking.
    pub occasion_words: Vec<String>,
    pub max_price: Option<f64>,
    pub min_price: Option<f64>,
    /// "something cheaper?" / "more expensive?": relative to the product
    /// being discussed.
    pub cheaper: bool,
    pub dearer: bool,
    /// A question about the product being discussed, with nothing new to
    /// search for.
    pub refers_back: bool,
    /// The constraints a follow-up just stated (the rest it kept from the
    /// search it refines).
    pub fresh: Fresh,
    /// Asks what goes with something it does not name ("what goes with
    /// it?", "was passt dazu?"): the conversation's subject is the anchor.
    pub pairs_with_previous: bool,
}

/// Which constraints of a refined search the last message stated.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Fresh {
    pub gender: bool,
    pub colours: bool,
    pub sizes: bool,
    pub materials: bool,
    pub fits: bool,
}

impl Intent {
    /// Whether the message names a kind of product.
    pub fn has_subject(&self) -> bool {
        !self.categories.is_empty() || !self.anchor.is_empty()
    }

    /// Whether it states anything a product must meet.
    pub fn has_constraints(&self) -> bool {
        self.gender.is_some()
            || !self.colours.is_empty()
            || !self.sizes.is_empty()
            || !self.materials.is_empty()
            || !self.not_materials.is_empty()
            || !self.not_words.is_empty()
            || !self.fits.is_empty()
            || self.max_price.is_some()
            || self.min_price.is_some()
            || self.cheaper
            || self.dearer
    }

    /// This message's constraints over `previous`'s subject: a follow-up
    /// ("and in black?", "¿y para hombre?") keeps what it does not change.
    pub fn refine(&self, previous: &Intent) -> Intent {
        let mut merged = previous.clone();
        if self.has_subject() {
            merged.categories = self.categories.clone();
            merged.anchor = self.anchor.clone();
        }
        if self.gender.is_some() {
            merged.gender = self.gender;
        }
        let replace = |mine: &Vec<Want>, theirs: &mut Vec<Want>| {
            if !mine.is_empty() {
                *theirs = mine.clone();
            }
        };
        replace(&self.colours, &mut merged.colours);
        replace(&self.materials, &mut merged.materials);
        replace(&self.fits, &mut merged.fits);
        if !self.sizes.is_empty() {
            merged.sizes = self.sizes.clone();
        }
        merged.pure |= self.pure;
        merged.not_materials.extend(self.not_materials.iter().copied());
        merged.not_words.extend(self.not_words.iter().cloned());
        merged.occasions.extend(self.occasions.iter().copied());
        merged.facet_words.extend(self.facet_words.iter().cloned());
        merged.occasion_words.extend(self.occasion_words.iter().cloned());
        merged.max_price = self.max_price.or(merged.max_price);
        merged.min_price = self.min_price.or(merged.min_price);
        merged.cheaper = self.cheaper;
        merged.dearer = self.dearer;
        merged.refers_back = false;
        merged.fresh = Fresh {
            gender: self.gender.is_some(),
            colours: !self.colours.is_empty(),
            sizes: !self.sizes.is_empty(),
            materials: !self.materials.is_empty(),
            fits: !self.fits.is_empty(),
        };
        merged
    }
}

/// Where in the message a meaning was found.
#[derive(Debug, Clone)]
struct Found {
    at: usize,
    /// Right after a negation ("sin capucha", "no feathers").
    negated: bool,
    kind: Option<Vec<usize>>,
    concepts: Vec<usize>,
    word: String,
}

/// Reads `message` against the store's vocabulary, the lexicon, and the
/// store's pairing table (category or lexicon kind -> what goes with it).
pub fn understand(message: &str, index: &StoreIndex, pairings: &BTreeMap<String, Vec<String>>) -> Intent {
    let lexicon = Lexicon::get();
    let words = lexicon::words(&fold(message));
    let mut found = read(&words, index, lexicon);
    for f in &mut found {
        f.negated = (f.at.saturating_sub(2)..f.at).any(|i| lexicon::find_any(&words[i..i + 1], &NEGATIONS).is_some());
    }
    let mut intent = Intent::default();

    // A complement: a marker ("goes with", "me pongo con") with a kind of
    // product after it. Kinds before the marker (or the marker itself:
    // "throw over") are what to show; the kind after it is the anchor.
    let kind_before = |at: usize| found.iter().any(|f| f.at < at && f.kind.is_some() && !f.negated);
    let weak = (0..words.len())
        .find_map(|at| FOR_MARKERS.iter().find_map(|p| lexicon::phrase_at(&words, at, p)).map(|len| (at, len)).filter(|(at, _)| kind_before(*at)));
    let kinds_after = |from: usize| found.iter().filter(|f| f.at >= from && f.kind.is_some() && !f.negated).map(|f| f.at).collect::<Vec<_>>();
    // "was ziehe ich zu einem Sommerkleid an die Füße": nothing before the
    // marker, two kinds after it; the first is the anchor, the rest what to show.
    let anchor_first = (0..words.len()).find_map(|at| {
        let len = FOR_MARKERS.iter().find_map(|p| lexicon::phrase_at(&words, at, p))?;
        let after = kinds_after(at + len);
        (after.len() >= 2 && !kind_before(at)).then(|| (at, len, after[0]))
    });
    let strong = lexicon::find_any(&words, &COMPLEMENT_MARKERS);
    let marker = strong.or(weak);
    let (marker, anchor_end) = match (marker, anchor_first) {
        (None, Some((at, len, first))) => (Some((at, len)), Some(first)),
        (marker, _) => (marker, None),
    };
    let anchor_from = marker.map(|(at, len)| at + len).filter(|from| !kinds_after(*from).is_empty());
    let in_target = |f: &Found| anchor_from.is_none_or(|from| f.at < from || anchor_end.is_some_and(|end| f.at > end));
    for f in found.iter().filter(|f| !f.negated) {
        for &c in f.kind.iter().flatten() {
            push(if in_target(f) { &mut intent.categories } else { &mut intent.anchor }, c);
        }
    }
    if let Some(from) = anchor_from {
        intent.categories = targets(index, pairings, &intent.anchor, std::mem::take(&mut intent.categories));
        intent.gender = anchor_gender(index, &found, from, &intent.anchor);
    }
    // "What goes with it?": a complement whose anchor is the product being
    // discussed (the conversation supplies it, see `pair_with`).
    intent.pairs_with_previous = strong.is_some() && anchor_from.is_none();

    let purity = lexicon::find_any(&words, &PURITY_MARKERS).is_some();
    let vegan = lexicon::find_any(&words, &VEGAN).is_some();
    for f in &found {
        let negated = f.negated;
        let targets = in_target(f);
        for &c in &f.concepts {
            let facet = lexicon.concept(c).facet;
            match facet {
                Facet::Gender => intent.gender = Some(c),
                Facet::Occasion => {
                    push(&mut intent.occasions, c);
                    push(&mut intent.occasion_words, f.word.clone());
                }
                Facet::Material if negated => push(&mut intent.not_materials, c),
                Facet::Material if targets => push(&mut intent.materials, Want::Concept(c)),
                Facet::Colour if targets && !negated => push(&mut intent.colours, Want::Concept(c)),
                Facet::Fit if targets => push(&mut intent.fits, Want::Concept(c)),
                _ => {}
            }
        }
        if f.concepts.is_empty() && (f.kind.is_none() || negated) && targets {
            store_word(&mut intent, index, &f.word, negated);
        }
    }
    if vegan {
        for key in lexicon::ANIMAL_MATERIALS {
            if let Some(c) = lexicon.by_key(key) {
                push(&mut intent.not_materials, c);
            }
        }
    }
    intent.materials.retain(|m| !matches!(m, Want::Concept(c) if intent.not_materials.contains(c)));
    intent.pure = purity && !intent.materials.is_empty();
    intent.sizes = sizes(&words, index);
    intent.max_price = price_cap(&words);
    intent.cheaper = lexicon::find_any(&words, &CHEAPER).is_some() && intent.max_price.is_none();
    intent.dearer = lexicon::find_any(&words, &DEARER).is_some();
    intent.refers_back = !intent.pairs_with_previous && !intent.has_subject() && !intent.has_constraints() && lexicon::find_any(&words, &REFERS_BACK).is_some();
    intent
}

fn push<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// A word the lexicon does not know, read as the store's own vocabulary:
/// a colour, material or cut its catalog uses, or another attribute or tag
/// word (style, room, feature).
fn store_word(intent: &mut Intent, index: &StoreIndex, word: &str, negated: bool) {
    if negated {
        push(&mut intent.not_words, word.to_owned());
    } else if index.colour_words.contains(word) {
        push(&mut intent.colours, Want::Word(word.to_owned()));
    } else if index.material_words.contains(word) {
        push(&mut intent.materials, Want::Word(word.to_owned()));
    } else if index.facet_words.contains(word) {
        push(&mut intent.facet_words, word.to_owned());
    }
}

/// Every meaning in the message, left to right: the store's category
/// phrases and words, the lexicon's phrases and words.
fn read(words: &[String], index: &StoreIndex, lexicon: &Lexicon) -> Vec<Found> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < words.len() {
        if let Some((phrase, category)) = index.category_phrases.iter().find(|(p, _)| words[at..].starts_with(p)) {
            found.push(Found { at, negated: false, kind: Some(vec![*category]), concepts: Vec::new(), word: phrase.join(" ") });
            at += phrase.len();
            continue;
        }
        if let Some((phrase, concepts)) = lexicon.phrases.iter().find(|(p, _)| words[at..].starts_with(p)) {
            found.push(meaning(at, phrase.join(" "), concepts, index, lexicon));
            at += phrase.len();
            continue;
        }
        let word = &words[at];
        if word.chars().count() >= 2 && !super::hybrid::is_stop_word(word) {
            let mut f = meaning(at, word.clone(), &lexicon.word(word), index, lexicon);
            for &c in index.category_words.get(word).into_iter().flatten() {
                push(f.kind.get_or_insert_with(Vec::new), c);
            }
            found.push(f);
        }
        at += 1;
    }
    found
}

/// A lexicon match: kinds become the store's categories; other facets stay
/// concepts.
fn meaning(at: usize, word: String, concepts: &[usize], index: &StoreIndex, lexicon: &Lexicon) -> Found {
    let kinds: Vec<usize> = concepts.iter().copied().filter(|c| lexicon.concept(*c).facet == Facet::Kind).flat_map(|c| lexicon::expand(lexicon, c)).collect();
    let categories = index.categories_of(&kinds);
    let implied = concepts.iter().flat_map(|c| lexicon.concept(*c).implies.iter().filter_map(|key| lexicon.by_key(key)));
    let others = concepts.iter().copied().filter(|c| lexicon.concept(*c).facet != Facet::Kind).chain(implied).collect();
    Found { at, negated: false, kind: (!categories.is_empty()).then_some(categories), concepts: others, word }
}

/// What a complement shows: the categories the message named (minus the
/// anchor's), narrowed to those the pairing table puts with the anchor and
/// in its order ("shoes" with a suit: loafers, boots); with none named,
/// the table's own.
fn targets(index: &StoreIndex, pairings: &BTreeMap<String, Vec<String>>, anchor: &[usize], mut named: Vec<usize>) -> Vec<usize> {
    named.retain(|c| !anchor.contains(c));
    let order = paired(index, pairings, anchor);
    if named.is_empty() {
        order
    } else if named.iter().any(|c| order.contains(c)) {
        order.into_iter().filter(|c| named.contains(c)).collect()
    } else {
        named
    }
}

impl Intent {
    /// "What goes with it?" after a search for `previous`: its categories
    /// become the anchor, and its gender (or the one its categories are
    /// made for: skirts, women) carries over.
    pub fn pair_with(mut self, previous: &Intent, index: &StoreIndex, pairings: &BTreeMap<String, Vec<String>>) -> Intent {
        self.anchor = previous.categories.clone();
        self.categories = targets(index, pairings, &self.anchor, std::mem::take(&mut self.categories));
        let anchor_gender =
            self.anchor.first().and_then(|c| index.categories[*c].gender).filter(|g| self.anchor.iter().all(|c| index.categories[*c].gender == Some(*g)));
        self.gender = self.gender.or(previous.gender).or(anchor_gender);
        self.pairs_with_previous = false;
        self
    }
}

/// Categories that go with the anchor's, in the pairing table's order.
fn paired(index: &StoreIndex, pairings: &BTreeMap<String, Vec<String>>, anchor: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (key, targets) in pairings {
        if index.resolve(key).iter().any(|c| anchor.contains(c)) {
            for target in targets {
                out.extend(index.resolve(target).into_iter().filter(|c| !anchor.contains(c)));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(*c));
    out
}

/// Share of the anchor's products one gender must hold to carry over.
const ANCHOR_GENDER_SHARE: f64 = 0.8;

/// The gender of what the anchor is ("a summer dress": women; "a navy wool
/// suit": the navy wool suits' wearers), when most of its products share one.
fn anchor_gender(index: &StoreIndex, found: &[Found], from: usize, anchor: &[usize]) -> Option<usize> {
    let lexicon = Lexicon::get();
    let explicit = found.iter().flat_map(|f| f.concepts.iter()).find(|c| lexicon.concept(**c).facet == Facet::Gender);
    if let Some(g) = explicit {
        return Some(*g);
    }
    let described: Vec<usize> = found.iter().filter(|f| f.at >= from).flat_map(|f| f.concepts.iter().copied()).collect();
    let matching: Vec<&super::vocabulary::Facts> = index
        .products
        .iter()
        .filter(|p| anchor.contains(&p.category))
        .filter(|p| {
            described.iter().all(|c| !matches!(lexicon.concept(*c).facet, Facet::Colour | Facet::Material) || p.colours.contains(c) || p.materials.contains(c))
        })
        .collect();
    let share = |g: usize| matching.iter().filter(|p| p.genders == [g]).count() as f64 / matching.len().max(1) as f64;
    [lexicon.by_key("women")?, lexicon.by_key("men")?].into_iter().find(|g| share(*g) >= ANCHOR_GENDER_SHARE)
}

/// Sizes asked for: a word after a size word ("talla 38", "size M"), or a
/// size the catalog sells written out ("XXS", "160x200").
fn sizes(words: &[String], index: &StoreIndex) -> Vec<String> {
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let after_size_word = i > 0 && lexicon::find_any(&words[i - 1..i], &SIZE_WORDS).is_some();
        let sold = index.sizes.contains(word.as_str());
        let letters_or_digits = word.chars().any(|c| c.is_ascii_digit()) && word.chars().any(|c| c.is_alphabetic());
        let written_out = sold && word.chars().count() >= 2 && (letters_or_digits || !word.chars().all(|c| c.is_ascii_digit()));
        if (after_size_word && word.chars().all(|c| c.is_alphanumeric())) || written_out {
            push(&mut out, word.clone());
        }
    }
    out
}

/// A price cap: "under 50", "menos de 50€", "до 3000".
fn price_cap(words: &[String]) -> Option<f64> {
    (0..words.len()).find_map(|i| {
        let len = PRICE_CAP.iter().find_map(|p| lexicon::phrase_at(words, i, p))?;
        words.get(i + len).and_then(|w| amount(w))
    })
}

fn amount(word: &str) -> Option<f64> {
    let digits: String = word.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',').collect();
    digits.replace(',', ".").parse().ok().filter(|n: &f64| *n > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RetrievalConfig;
    use crate::search::fixtures;

    fn ask(index: &StoreIndex, message: &str) -> Intent {
        understand(message, index, &RetrievalConfig::default().pairings)
    }

    fn names(index: &StoreIndex, categories: &[usize]) -> Vec<String> {
        categories.iter().map(|c| index.categories[*c].name.clone()).collect()
    }

    fn concept(key: &str) -> usize {
        Lexicon::get().by_key(key).expect("lexicon key")
    }

    fn colour(key: &str) -> Want {
        Want::Concept(concept(key))
    }

    #[test]
    fn category_and_colour_in_many_languages() {
        let shop = fixtures::fashion();
        for (message, category, col) in [
            ("black pleated skirt", "skirts", "black"),
            ("falda plisada negra", "skirts", "black"),
            ("черная юбка", "skirts", "black"),
            ("faldilla negra", "skirts", "black"),
            ("jupe plissée noire", "skirts", "black"),
            ("schwarzer Faltenrock", "skirts", "black"),
            ("gonna nera a pieghe", "skirts", "black"),
            ("saia preta", "skirts", "black"),
        ] {
            let intent = ask(&shop, message);
            assert_eq!(names(&shop, &intent.categories), [category], "{message}: {intent:?}");
            assert_eq!(intent.colours, [colour(col)], "{message}");
        }
    }

    #[test]
    fn gender_slang_and_idioms() {
        let shop = fixtures::fashion();
        let leather = ask(&shop, "кожанка мужская");
        assert_eq!(names(&shop, &leather.categories), ["jackets"]);
        assert_eq!(leather.materials, [Want::Concept(concept("leather"))]);
        assert_eq!(leather.gender, Some(concept("men")));
        assert_eq!(ask(&shop, "giacca di pelle da donna").gender, Some(concept("women")));
        assert_eq!(ask(&shop, "¿y para hombre?").gender, Some(concept("men")));
        for head in ["something for my head, it's freezing", "algo para la cabeza", "un truc pour la tête", "qualcosa per la testa", "algo pra cabeça"] {
            assert_eq!(names(&shop, &ask(&shop, head).categories), ["hats"], "{head}");
        }
    }

    #[test]
    fn material_purity_and_negation() {
        let shop = fixtures::fashion();
        for message in ["Mantel aus reiner Wolle", "100% wool coat", "cappotto in pura lana", "manteau 100% laine"] {
            let intent = ask(&shop, message);
            assert_eq!(names(&shop, &intent.categories), ["coats"], "{message}");
            assert!(intent.pure && intent.materials == [Want::Concept(concept("wool"))], "{message}: {intent:?}");
        }
        assert!(!ask(&shop, "wool coat").pure);
        let vegan = ask(&shop, "vegan puffer, no feathers");
        assert!(vegan.not_materials.contains(&concept("down")), "{vegan:?}");
        assert!(vegan.materials.is_empty());
        assert_eq!(ask(&shop, "sudadera sin capucha").not_words, ["capucha"]);
    }

    #[test]
    fn sizes_prices_and_cuts() {
        let shop = fixtures::fashion();
        assert_eq!(ask(&shop, "swimsuit in XXS").sizes, ["xxs"]);
        assert_eq!(ask(&shop, "zapatos talla 38").sizes, ["38"]);
        assert_eq!(ask(&shop, "loafers size M").sizes, ["m"]);
        assert!(ask(&shop, "38 euros").sizes.is_empty(), "a bare number is not a size");
        assert_eq!(ask(&shop, "cheap tshirts under 25").max_price, Some(25.0));
        assert_eq!(ask(&shop, "algo de menos de 50€").max_price, Some(50.0));
        assert!(ask(&shop, "something cheaper?").cheaper);
        assert!(ask(&shop, "а подешевле?").cheaper);
        assert_eq!(ask(&shop, "oversized cardigan").fits, [Want::Concept(concept("oversized"))]);
    }

    #[test]
    fn complements_target_another_category_in_every_language() {
        let shop = fixtures::fashion();
        let suit = ask(&shop, "what shoes go with a navy wool suit");
        assert_eq!(names(&shop, &suit.anchor), ["suits"]);
        assert_eq!(names(&shop, &suit.categories), ["loafers"], "the shoes the pairing table puts with a suit (not heels)");
        assert_eq!(suit.gender, Some(concept("men")), "the navy wool suit is a men's suit");
        assert!(suit.colours.is_empty() && suit.materials.is_empty(), "navy and wool describe the suit, not the shoes");
        for message in [
            "¿qué zapatos me pongo con un vestido de fiesta?",
            "welche Schuhe passen zu einem Kleid",
            "quelles chaussures avec une robe",
            "was ziehe ich zu einem Sommerkleid an die Füße",
        ] {
            let intent = ask(&shop, message);
            assert_eq!(names(&shop, &intent.anchor), ["dresses"], "{message}");
            assert!(!intent.categories.is_empty() && !intent.categories.iter().any(|c| intent.anchor.contains(c)), "{message}: {intent:?}");
            assert_eq!(intent.gender, Some(concept("women")), "{message}");
        }
        let over = ask(&shop, "something to throw over a summer dress when the evening gets chilly");
        assert_eq!(names(&shop, &over.anchor), ["dresses"]);
        assert!(names(&shop, &over.categories).iter().all(|c| ["knitwear", "jackets", "coats"].contains(&c.as_str())), "{over:?}");
        let paired = ask(&shop, "что надеть с костюмом");
        assert_eq!(names(&shop, &paired.anchor), ["suits"]);
        assert_eq!(names(&shop, &paired.categories)[0], "loafers");
        // "What goes with it?" names no anchor: the conversation gives it.
        for message in ["what goes with it?", "was passt dazu?", "¿qué le pega?", "что к нему подойдет?"] {
            assert!(ask(&shop, message).pairs_with_previous, "{message}");
        }
        let coat = ask(&shop, "I'm looking for a wool coat");
        let with = ask(&shop, "what goes with it?").pair_with(&coat, &shop, &RetrievalConfig::default().pairings);
        assert_eq!(names(&shop, &with.anchor), ["coats"]);
        assert!(!with.categories.is_empty() && !with.categories.iter().any(|c| with.anchor.contains(c)), "{with:?}");
        // "con un" with no product after it is not a complement.
        assert!(ask(&shop, "vestido con un estampado floral").anchor.is_empty());
    }

    #[test]
    fn a_furniture_store_in_its_own_words() {
        let shop = fixtures::furniture();
        let sofa = ask(&shop, "sofá de terciopelo azul");
        assert_eq!(names(&shop, &sofa.categories), ["sofas"]);
        assert_eq!(sofa.materials, [Want::Concept(concept("velvet"))]);
        assert_eq!(sofa.colours, [colour("blue")]);
        assert_eq!(names(&shop, &ask(&shop, "Samtsofa").categories), ["sofas"]);
        let rug = ask(&shop, "tapis en pure laine 160x230");
        assert_eq!(names(&shop, &rug.categories), ["rugs"]);
        assert!(rug.pure && rug.sizes == ["160x230"], "{rug:?}");
        assert_eq!(names(&shop, &ask(&shop, "mesa de centro de roble").categories), ["coffee tables"]);
        assert_eq!(ask(&shop, "scandinavian coffee table").facet_words, ["scandinavian"]);
        let pairings = BTreeMap::from([("sofas".to_owned(), vec!["cushions".to_owned(), "rugs".to_owned(), "coffee table".to_owned()])]);
        let with = understand("what goes with a terracotta sofa", &shop, &pairings);
        assert_eq!(names(&shop, &with.anchor), ["sofas"]);
        assert_eq!(names(&shop, &with.categories), ["cushions", "rugs", "coffee tables"]);
        assert!(with.colours.is_empty(), "terracotta is the sofa's colour");
        let chairs =
            understand("cadires per a la taula del menjador", &shop, &BTreeMap::from([("dining tables".to_owned(), vec!["dining chairs".to_owned()])]));
        assert!(names(&shop, &chairs.categories).contains(&"dining chairs".to_owned()), "{chairs:?}");
    }

    #[test]
    fn a_wine_store_learns_its_vocabulary_from_the_catalog() {
        let shop = fixtures::wine();
        let red = ask(&shop, "un tinto de rioja por menos de 20");
        assert_eq!(names(&shop, &red.categories), ["red wines"], "{red:?}");
        assert_eq!(red.facet_words, ["rioja"]);
        assert_eq!(red.max_price, Some(20.0));
        let white = ask(&shop, "verdejo white wine");
        assert_eq!(names(&shop, &white.categories), ["white wines"]);
        assert_eq!(white.facet_words, ["verdejo"]);
        assert_eq!(names(&shop, &ask(&shop, "cava brut nature").categories), ["sparkling wines"]);
        let pairings = BTreeMap::from([("red wines".to_owned(), vec!["cheese".to_owned()])]);
        let with = understand("what goes with a rioja red wine", &shop, &pairings);
        assert_eq!(names(&shop, &with.categories), ["cheese"]);
    }

    #[test]
    fn questions_about_the_product_discussed_and_refinements() {
        let shop = fixtures::fashion();
        for message in ["how much is it?", "¿cuánto cuesta?", "сколько стоит?", "combien ça coûte ?", "wie viel kostet das?", "quanto costa?", "quant val?"]
        {
            assert!(ask(&shop, message).refers_back, "{message}");
        }
        assert!(!ask(&shop, "how much is the leather jacket?").refers_back);
        let coat = ask(&shop, "I'm looking for a wool coat");
        assert!(coat.anchor.is_empty() && names(&shop, &coat.categories) == ["coats"], "looking for X is not a complement: {coat:?}");
        let black = ask(&shop, "and in black?").refine(&coat);
        assert_eq!(names(&shop, &black.categories), ["coats"]);
        assert_eq!(black.colours, [colour("black")]);
        assert_eq!(black.materials, coat.materials);
    }
}
