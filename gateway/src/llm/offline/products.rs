//! Which of the turn's products a message is about. Only the turn's cards
//! (retrieved now, or kept from earlier turns) can be chosen, so the model
//! never talks about a product it did not show or was not asked about; and
//! it never picks one when the message does not say which.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use super::understand::{Message, is_stop_word, is_type_word, kinds_compatible, product_types_in};
use crate::catalog::Product;
use crate::classify::fold;
use crate::search::RetrievedCard;

/// What a message (or the conversation) points at.
#[derive(Debug)]
pub(super) enum Referent<'a> {
    One(&'a Product),
    /// Several products fit equally; the shopper has to say which.
    Several(Vec<&'a Product>),
    Nothing,
}

/// The distinct products of the cards, best first.
pub(super) fn products(cards: &[RetrievedCard]) -> Vec<&Product> {
    let mut out: Vec<&Product> = Vec::new();
    for card in cards {
        if !out.iter().any(|p| p.id == card.product.id) {
            out.push(&card.product);
        }
    }
    out
}

fn titles(product: &Product) -> impl Iterator<Item = &str> {
    std::iter::once(product.title.as_str()).chain(product.translations.values().filter_map(|t| t.title.as_deref()))
}

/// What a product's titles and category say: its kinds (`jacket`, `boots`,
/// ...) and the words that name it rather than its kind ("sitges",
/// "linen", "baqueira").
struct ProductWords {
    kinds: Vec<&'static str>,
    names: Vec<String>,
}

/// Distinct title sets remembered; past this the memo starts over.
const MEMO_MAX: usize = 50_000;

/// [`ProductWords`] of a product, worked out once per distinct set of
/// titles and category: a turn asks for them for every shown product,
/// once per message of the conversation it reads, and products are read
/// afresh from storage each turn. Keyed by the text itself, so an edited
/// product is read again.
fn product_words(product: &Product) -> Arc<ProductWords> {
    static MEMO: LazyLock<Mutex<HashMap<String, Arc<ProductWords>>>> = LazyLock::new(Default::default);
    let mut key: String = titles(product).collect::<Vec<_>>().join(" . ");
    key.push_str(" . ");
    key.push_str(&product.category);
    if let Some(words) = MEMO.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return words.clone();
    }
    let kinds = product_types_in(&Message::new(&key));
    let mut names: Vec<String> = Vec::new();
    for title in titles(product) {
        for word in Message::new(title).words() {
            if word.chars().count() >= 3 && !is_stop_word(word) && !is_type_word(word) && !names.contains(word) {
                names.push(word.clone());
            }
        }
    }
    let words = Arc::new(ProductWords { kinds, names });
    let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
    if memo.len() >= MEMO_MAX {
        memo.clear();
    }
    memo.insert(key, words.clone());
    words
}

/// True when the product is of a kind asked for (any, when none was).
pub(super) fn fits_kinds(product: &Product, asked: &[&str]) -> bool {
    asked.is_empty() || product_words(product).kinds.iter().any(|kind| asked.iter().any(|a| kinds_compatible(a, kind)))
}

/// Same word, allowing a short ending ("montseny"/"montsenys", "botas"/"bota").
fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.chars().count() >= 4 && long.starts_with(short) && long.chars().count() - short.chars().count() <= 2
}

/// Message words that could name a product.
fn naming_words(message: &Message) -> Vec<&String> {
    message.words().iter().filter(|w| w.chars().count() >= 3 && !is_stop_word(w) && !is_type_word(w)).collect()
}

/// The product the message names by its title words, among those of the
/// kinds asked for. Ties are `Several`: "the linen shirt" when three linen
/// shirts were shown names none of them.
pub(super) fn named_in<'a>(message: &Message, cards: &'a [RetrievedCard], asked: &[&str]) -> Referent<'a> {
    let words = naming_words(message);
    if words.is_empty() {
        return Referent::Nothing;
    }
    let scored: Vec<(&Product, usize)> = products(cards)
        .into_iter()
        .filter(|p| fits_kinds(p, asked))
        .map(|p| {
            let names = &product_words(p).names;
            (p, words.iter().filter(|w| names.iter().any(|n| same_word(w, n))).count())
        })
        .collect();
    let best = scored.iter().map(|(_, s)| *s).max().unwrap_or(0);
    if best == 0 {
        return Referent::Nothing;
    }
    let top: Vec<&Product> = scored.into_iter().filter(|(_, s)| *s == best).map(|(p, _)| p).collect();
    if top.len() == 1 { Referent::One(top[0]) } else { Referent::Several(top) }
}

/// Products whose full title appears in an earlier answer.
fn titled_in<'a>(text: &str, cards: &'a [RetrievedCard], asked: &[&str]) -> Vec<&'a Product> {
    let folded = fold(text);
    products(cards).into_iter().filter(|p| fits_kinds(p, asked) && titles(p).any(|t| folded.contains(&fold(t)))).collect()
}

/// One earlier message, newest first.
pub(super) enum Earlier<'a> {
    Shopper(&'a str),
    Assistant(&'a str),
}

/// The product the conversation was about before this message: the one the
/// shopper last named, or the single one the last answer talked about. A
/// list of several in the last answer leaves the choice to the shopper.
/// Without usable history, the products kept from earlier turns decide
/// when exactly one of them fits.
pub(super) fn earlier_referent<'a>(history: &[Earlier<'_>], cards: &'a [RetrievedCard], recent_ids: &[String], asked: &[&str]) -> Referent<'a> {
    for message in history.iter().take(6) {
        match message {
            Earlier::Shopper(text) => match named_in(&Message::new(text), cards, asked) {
                Referent::Nothing => {}
                found => return found,
            },
            Earlier::Assistant(text) => match titled_in(text, cards, asked).as_slice() {
                [] => {}
                [one] => return Referent::One(*one),
                several => return Referent::Several(several.to_vec()),
            },
        }
    }
    let recent: Vec<&Product> =
        recent_ids.iter().filter_map(|id| cards.iter().find(|c| &c.product.id == id)).map(|c| &*c.product).filter(|p| fits_kinds(p, asked)).collect();
    match recent.as_slice() {
        [one] => Referent::One(*one),
        _ => Referent::Nothing,
    }
}

/// True when some card shares a meaningful word with the message (in its
/// titles, category, tags or attributes). Retrieval always returns its best
/// cards, and fused rank scores say nothing absolute about relevance, so
/// this is what tells "here is what fits" from "nothing fits".
pub(super) fn any_card_relevant(message: &Message, cards: &[RetrievedCard]) -> bool {
    let words: Vec<&String> = naming_words(message).into_iter().filter(|w| w.chars().count() >= 4).collect();
    if words.is_empty() {
        return false;
    }
    cards.iter().any(|card| {
        let p = &card.product;
        let mut text: Vec<&str> = titles(p).collect();
        text.push(&p.category);
        text.extend(p.tags.iter().map(String::as_str));
        text.extend(p.attributes.values().map(String::as_str));
        text.extend(p.translations.values().flat_map(|t| t.attributes.values().map(String::as_str)));
        let card_words = Message::new(&text.join(" . "));
        words.iter().any(|w| card_words.words().iter().any(|c| same_word(w, c)))
    })
}
