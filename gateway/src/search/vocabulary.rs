//! A store's own vocabulary, learned from its catalog: its categories and
//! the words its titles use for them (in every catalog language), and the
//! values of its attributes, variant options and tags. Query understanding
//! reads a shopper's words against it first, so a furniture or wine store
//! is understood in its own terms, and links the shared lexicon's concepts
//! to its categories ("платье" -> the lexicon's dress -> `dresses`).
//!
//! It also keeps each product's facts that constraints are checked against
//! (category, gender, colours, sizes, materials, cut, lowest price), so a
//! filter can reach products the hybrid search did not rank. Stock is never
//! kept here.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::lexicon::{self, Facet, Lexicon};
use crate::catalog::Product;
use crate::classify::fold;

/// Attribute and option names that hold a colour, a size, a material, a
/// cut or a gender, in the languages stores name them.
const COLOUR_KEYS: &[&str] = &["color", "colour", "colors", "colours", "farbe", "couleur", "colore", "cor", "цвет", "finish"];
const SIZE_KEYS: &[&str] =
    &["size", "sizes", "size_range", "size range", "talla", "taille", "grosse", "größe", "taglia", "tamanho", "размер", "dimensions", "format"];
const MATERIAL_KEYS: &[&str] = &["material", "materials", "fabric", "composition", "materiau", "stoff", "materiale", "материал", "tejido"];
const FIT_KEYS: &[&str] = &["fit", "cut", "corte", "coupe", "schnitt", "vestibilita", "посадка"];
const GENDER_KEYS: &[&str] = &["gender", "department", "sex", "genero", "genre", "geschlecht", "пол"];

/// Share of a category's titles a word must be in to name the category.
const TITLE_SHARE: f64 = 0.25;
/// Share of a word's title uses that must fall in one category.
const TITLE_FOCUS: f64 = 0.75;

/// What constraints are checked against, per product.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub id: String,
    /// Index into [`StoreIndex::categories`].
    pub category: usize,
    /// Lexicon genders (`women`, `men`); both for unisex, none when unknown.
    pub genders: Vec<usize>,
    /// Folded colour words, and the lexicon colour concepts they stand for.
    pub colour_words: HashSet<String>,
    pub colours: HashSet<usize>,
    /// Materials its colour names ("Oak", "Walnut": a finish).
    pub finishes: HashSet<usize>,
    /// Folded size values and their words ("eu 38", "38").
    pub sizes: HashSet<String>,
    /// Folded material text (every language), its lexicon materials, and
    /// whether it is one material only ("100% wool", "100 % lana").
    pub material_words: HashSet<String>,
    pub materials: HashSet<usize>,
    pub pure: bool,
    pub fits: HashSet<usize>,
    pub fit_words: HashSet<String>,
    /// Every folded word of the title, tags and attribute values.
    pub words: HashSet<String>,
    /// Lexicon occasions its tags and text name.
    pub occasions: HashSet<usize>,
    pub price: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Category {
    /// The store's category name.
    pub name: String,
    /// Folded words that name it (its own name, its singular, title words).
    pub words: BTreeSet<String>,
    /// Lexicon kind concepts it is linked to.
    pub concepts: BTreeSet<usize>,
    /// Lexicon genders of most of its products (dresses: women), if one
    /// gender holds at least four in five.
    pub gender: Option<usize>,
}

/// The learned vocabulary and facts of one store.
#[derive(Debug, Default)]
pub struct StoreIndex {
    pub categories: Vec<Category>,
    pub products: Vec<Facts>,
    pub by_id: HashMap<String, usize>,
    /// Folded word -> categories it names.
    pub category_words: HashMap<String, Vec<usize>>,
    /// Folded multi-word category names ("coffee table") -> category.
    pub category_phrases: Vec<(Vec<String>, usize)>,
    /// Folded size values the catalog sells.
    pub sizes: HashSet<String>,
    /// Folded colour words of the catalog.
    pub colour_words: HashSet<String>,
    /// Folded material words of the catalog.
    pub material_words: HashSet<String>,
    /// Folded words of other attribute values and tags (style, room, feature).
    pub facet_words: HashSet<String>,
    /// How many products each folded word of [`Facts::words`] is in.
    pub document_frequency: HashMap<String, usize>,
}

fn key_in(key: &str, keys: &[&str]) -> bool {
    let key = fold(key);
    keys.iter().any(|k| fold(k) == key)
}

/// "dresses" -> "dress", "t-shirts" -> "t-shirt", "boots" -> "boot".
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("sses") {
        return format!("{stem}ss");
    }
    for suffix in ["ches", "shes", "xes"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && stem.chars().count() >= 3 => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn content_words(text: &str) -> Vec<String> {
    lexicon::words(&fold(text)).into_iter().filter(|w| w.chars().count() >= 2 && !super::hybrid::is_stop_word(w)).collect()
}

/// Lexicon concepts of a facet that `words` name (phrases first).
pub fn concepts_in(lexicon: &Lexicon, words: &[String], facet: Facet) -> HashSet<usize> {
    let mut found = HashSet::new();
    for (phrase, concepts) in &lexicon.phrases {
        if words.windows(phrase.len()).any(|w| w == phrase.as_slice()) {
            found.extend(concepts.iter().copied().filter(|c| lexicon.concept(*c).facet == facet));
        }
    }
    for w in words {
        found.extend(lexicon.word(w).into_iter().filter(|c| lexicon.concept(*c).facet == facet));
    }
    found
}

impl StoreIndex {
    pub fn build(products: &[Product]) -> Self {
        let lexicon = Lexicon::get();
        let mut index = StoreIndex::default();
        let mut category_of: HashMap<String, usize> = HashMap::new();
        for product in products {
            let name = if product.category.trim().is_empty() { "other".to_owned() } else { product.category.trim().to_owned() };
            let next = category_of.len();
            let category = *category_of.entry(fold(&name)).or_insert(next);
            if category == index.categories.len() {
                index.categories.push(Category { name, words: BTreeSet::new(), concepts: BTreeSet::new(), gender: None });
            }
            let facts = index.facts(lexicon, product, category);
            index.by_id.insert(product.id.clone(), index.products.len());
            index.products.push(facts);
        }
        for facts in &index.products {
            for w in &facts.words {
                *index.document_frequency.entry(w.clone()).or_default() += 1;
            }
        }
        index.learn_category_words(lexicon, products);
        index.learn_category_genders(lexicon);
        index
    }

    fn facts(&mut self, lexicon: &Lexicon, product: &Product, category: usize) -> Facts {
        let mut facts = Facts { id: product.id.clone(), category, price: product.from_price().and_then(|p| p.parse().ok()), ..Facts::default() };
        let mut attributes: Vec<(&String, &String)> = product.attributes.iter().collect();
        attributes.extend(product.translations.values().flat_map(|t| t.attributes.iter()));
        let options = product.variants.iter().flat_map(|v| v.options.iter());
        let mut gender_words: Vec<String> = product.tags.iter().map(|t| fold(t)).collect();
        for (key, value) in attributes.iter().copied().chain(options) {
            let words = lexicon::words(&fold(value));
            if key_in(key, COLOUR_KEYS) {
                facts.colours.extend(concepts_in(lexicon, &words, Facet::Colour));
                facts.finishes.extend(concepts_in(lexicon, &words, Facet::Material));
                facts.colour_words.extend(words.iter().cloned());
                self.colour_words.extend(words.iter().cloned());
            } else if key_in(key, SIZE_KEYS) {
                for size in value.split(',') {
                    let size = fold(size.trim());
                    facts.sizes.extend(lexicon::words(&size));
                    self.sizes.insert(size.clone());
                    facts.sizes.insert(size);
                }
            } else if key_in(key, MATERIAL_KEYS) {
                facts.materials.extend(concepts_in(lexicon, &words, Facet::Material));
                self.material_words.extend(words.iter().filter(|w| !w.contains('%') && !w.chars().all(|c| c.is_ascii_digit())).cloned());
                facts.material_words.extend(words);
            } else if key_in(key, FIT_KEYS) {
                facts.fits.extend(concepts_in(lexicon, &words, Facet::Fit));
                facts.fit_words.extend(words);
            } else if key_in(key, GENDER_KEYS) {
                gender_words.extend(words);
            } else {
                self.facet_words.extend(words.iter().filter(|w| w.chars().count() >= 3 && !super::hybrid::is_stop_word(w)).cloned());
            }
        }
        facts.pure = product.attributes.iter().any(|(k, v)| key_in(k, MATERIAL_KEYS) && is_one_material(v));
        facts.genders = genders(lexicon, &gender_words);
        let mut text: Vec<String> = content_words(&product.title);
        text.extend(product.translations.values().filter_map(|t| t.title.as_deref()).flat_map(content_words));
        for tag in &product.tags {
            text.extend(content_words(tag));
        }
        self.facet_words.extend(product.tags.iter().flat_map(|t| content_words(t)).filter(|w| w.chars().count() >= 3));
        for (_, value) in &attributes {
            text.extend(content_words(value));
        }
        facts.occasions = concepts_in(lexicon, &text, Facet::Occasion);
        facts.words = text.into_iter().collect();
        facts
    }

    /// Each category is named by its own name (and singular), by the words
    /// most of its titles share that other categories' titles rarely use
    /// (per catalog language: "dress", "vestido"), and through the lexicon
    /// by every language's word for the same kind.
    fn learn_category_words(&mut self, lexicon: &Lexicon, products: &[Product]) {
        let mut products_in: Vec<usize> = vec![0; self.categories.len()];
        let mut uses: HashMap<String, HashMap<usize, usize>> = HashMap::new();
        for product in products {
            let Some(&i) = self.by_id.get(&product.id) else { continue };
            let category = self.products[i].category;
            products_in[category] += 1;
            let mut words: BTreeSet<String> = content_words(&product.title).into_iter().collect();
            words.extend(product.translations.values().filter_map(|t| t.title.as_deref()).flat_map(content_words));
            for w in words {
                *uses.entry(w).or_default().entry(category).or_default() += 1;
            }
        }
        for (word, by_category) in &uses {
            let total: usize = by_category.values().sum();
            for (&category, &n) in by_category {
                let share = n as f64 / products_in[category].max(1) as f64;
                // Two titles at least, unless the category has only one product.
                if n >= 2.min(products_in[category]) && share >= TITLE_SHARE && n as f64 / total as f64 >= TITLE_FOCUS {
                    self.categories[category].words.insert(word.clone());
                }
            }
        }
        for (i, category) in self.categories.iter_mut().enumerate() {
            let folded = fold(&category.name);
            let parts = lexicon::words(&folded);
            if parts.len() > 1 {
                let singular_parts: Vec<String> = parts.iter().enumerate().map(|(j, w)| if j == parts.len() - 1 { singular(w) } else { w.clone() }).collect();
                self.category_phrases.push((parts.clone(), i));
                self.category_phrases.push((singular_parts, i));
            } else if let Some(word) = parts.first() {
                category.words.insert(word.clone());
                category.words.insert(singular(word));
                category.words.insert(word.replace('-', ""));
            }
            // Linked to the lexicon's kinds its name (or, failing that, its
            // title words) stand for.
            let singulars: Vec<String> = parts.iter().map(|w| singular(w)).collect();
            let mut linked = concepts_in(lexicon, &parts, Facet::Kind);
            linked.extend(concepts_in(lexicon, &singulars, Facet::Kind));
            if linked.is_empty() {
                for w in &category.words {
                    linked.extend(concepts_in(lexicon, std::slice::from_ref(w), Facet::Kind));
                }
            }
            category.concepts = linked.into_iter().filter(|c| lexicon.concept(*c).members.is_empty()).collect();
            for w in &category.words {
                self.category_words.entry(w.clone()).or_default().push(i);
            }
        }
        self.category_phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
    }

    fn learn_category_genders(&mut self, lexicon: &Lexicon) {
        let (Some(women), Some(men)) = (lexicon.by_key("women"), lexicon.by_key("men")) else { return };
        for (i, category) in self.categories.iter_mut().enumerate() {
            let of: Vec<&Facts> = self.products.iter().filter(|p| p.category == i).collect();
            let share = |g: usize| of.iter().filter(|p| p.genders == [g]).count() as f64 / of.len().max(1) as f64;
            category.gender = [women, men].into_iter().find(|g| share(*g) >= 0.8);
        }
    }

    /// Categories linked to any of the lexicon `concepts`.
    pub fn categories_of(&self, concepts: &[usize]) -> Vec<usize> {
        (0..self.categories.len()).filter(|i| self.categories[*i].concepts.iter().any(|c| concepts.contains(c))).collect()
    }

    /// The category named `name` (store name, singular, or a lexicon word
    /// for its kind or family).
    pub fn resolve(&self, name: &str) -> Vec<usize> {
        let folded = fold(name);
        if let Some(i) = self.categories.iter().position(|c| fold(&c.name) == folded) {
            return vec![i];
        }
        let parts = lexicon::words(&folded);
        if let Some((_, i)) = self.category_phrases.iter().find(|(p, _)| *p == parts) {
            return vec![*i];
        }
        if let [word] = parts.as_slice()
            && let Some(found) = self.category_words.get(word).or_else(|| self.category_words.get(&singular(word)))
        {
            return found.clone();
        }
        let lexicon = Lexicon::get();
        let mut concepts = Vec::new();
        for c in concepts_in(lexicon, &parts, Facet::Kind) {
            concepts.extend(lexicon::expand(lexicon, c));
        }
        if let Some(c) = lexicon.by_key(&folded) {
            concepts.extend(lexicon::expand(lexicon, c));
        }
        self.categories_of(&concepts)
    }
}

/// "100% wool", "solid oak", "velvet": one material, not a blend ("70%
/// wool, 30% polyamide") nor a mix of parts ("suede upper, leather lining").
fn is_one_material(value: &str) -> bool {
    let folded = fold(value);
    let one_part = !folded.contains(',') && !folded.contains(" and ") && !folded.contains(" with ");
    one_part && (folded.starts_with("100") || !folded.contains('%'))
}

/// Genders a product's tags or gender attribute give it (unisex: both).
fn genders(lexicon: &Lexicon, words: &[String]) -> Vec<usize> {
    let (Some(women), Some(men)) = (lexicon.by_key("women"), lexicon.by_key("men")) else { return Vec::new() };
    if words.iter().any(|w| w == "unisex") {
        return vec![women, men];
    }
    let mut found: Vec<usize> = concepts_in(lexicon, words, Facet::Gender).into_iter().collect();
    found.sort_unstable();
    found
}
