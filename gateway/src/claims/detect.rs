//! Finds the claims a sentence makes about stock, price, shipping and
//! orders, with their figures. Recall comes first: a missed claim reaches
//! the shopper unchecked, while a needless one costs one more check.

use super::figures::{self, DayRange, Money, Number};
use super::lexicon::*;
use super::text::{self, Word, cue_at, cue_positions, find_cue, has_any};
use super::{Claim, ClaimKind, OrderState};

/// The claims `sentence` makes, in any of the eight languages or a mix of
/// them (cues of every language are matched, since answers mix languages
/// and a language hint is often wrong for a mixed sentence). Offers and
/// questions that state nothing ("I can check the stock for you") make none.
pub fn detect(sentence: &str) -> Vec<Claim> {
    let all_words = text::words(sentence);
    if all_words.is_empty() {
        return Vec::new();
    }
    let numbers = figures::numbers(sentence);
    let question = sentence.trim_end().trim_end_matches(['*', '_', '"', '\'', ')', '»', '”']).ends_with(['?', '？']);
    let names = capitalised_names(&all_words);
    let sentence_words: Vec<String> = all_words.iter().map(|w| w.folded.clone()).collect();

    let mut claims: Vec<Claim> = Vec::new();
    let mut previous_stock: Option<bool> = None;
    for clause in clauses(sentence, &all_words) {
        let words = &all_words[clause.words.clone()];
        let in_clause: Vec<&Number> = numbers.iter().filter(|n| n.start >= clause.start && n.end <= clause.end).collect();
        let facts = Facts::read(sentence, &clause, words, &in_clause);
        // Only the clause the question mark ends is the question: "it's in
        // stock in M, but do you want L?" still claims M.
        let question = question && clause.end == sentence.len() || sentence[clause.start..clause.end].contains(['?', '？']);
        let states_nothing = has_any(words, CANNOT_SAY) || (has_any(words, OFFERS) || question) && !facts.has_figures();
        if states_nothing {
            previous_stock = None;
            continue;
        }
        let base = Claim {
            kind: ClaimKind::Availability,
            text: sentence[clause.start..clause.end].to_owned(),
            in_stock: None,
            amounts: Vec::new(),
            percents: Vec::new(),
            quantities: facts.quantities.clone(),
            days: None,
            free: false,
            states: Vec::new(),
            order_refs: facts.order_refs.clone(),
            codes: facts.codes.clone(),
            sizes: facts.sizes.clone(),
            words: words.iter().map(|w| w.folded.clone()).collect(),
            sentence_words: sentence_words.clone(),
            names: names.clone(),
        };
        // "Our team is available from 9 to 18" is about people, not stock.
        let about_people = has_any(words, PEOPLE) && facts.sizes.is_empty() && find_cue(words, "stock").is_none();
        let stock = if about_people { None } else { stock_polarity(sentence, words, &facts, previous_stock) };
        previous_stock = stock;
        if let Some(in_stock) = stock {
            claims.push(Claim { kind: ClaimKind::Availability, in_stock: Some(in_stock), ..base.clone() });
        }
        claims.extend(money_claims(words, &facts, &base));
        let shipping_days = has_any(&all_words, SHIPPING) && !has_any(words, RETURNS);
        if let Some(days) = facts.days.filter(|_| shipping_days) {
            claims.push(Claim { kind: ClaimKind::ShippingTime, days: Some(days), ..base.clone() });
        }
        let states = order_states(words, &facts);
        if !states.is_empty() || (!facts.codes.is_empty() && has_any(words, ORDER_WORDS)) {
            claims.push(Claim { kind: ClaimKind::OrderStatus, states, ..base.clone() });
        }
    }
    claims
}

/// A part of a sentence between contrast words ("in M, but not in S").
struct Clause {
    words: std::ops::Range<usize>,
    start: usize,
    end: usize,
}

fn clauses(sentence: &str, words: &[Word]) -> Vec<Clause> {
    let mut cuts: Vec<usize> = vec![0];
    for (i, w) in words.iter().enumerate().skip(1) {
        let contrast = CONTRASTS.contains(&w.folded.as_str());
        let semicolon = sentence[words[i - 1].start..w.start].contains(';');
        if contrast || semicolon {
            cuts.push(i);
        }
    }
    cuts.push(words.len());
    cuts.windows(2)
        .filter(|c| c[0] < c[1])
        .map(|c| {
            let start = if c[0] == 0 { 0 } else { words[c[0]].start };
            let end = if c[1] == words.len() { sentence.len() } else { words[c[1]].start };
            Clause { words: c[0]..c[1], start, end }
        })
        .collect()
}

/// The figures of one clause, each number used once: money, percentages,
/// days, order numbers, sizes, and what is left is a count.
struct Facts {
    amounts: Vec<(Money, usize)>,
    percents: Vec<(u32, usize)>,
    days: Option<DayRange>,
    quantities: Vec<u32>,
    order_refs: Vec<String>,
    codes: Vec<String>,
    sizes: Vec<String>,
}

impl Facts {
    fn read(sentence: &str, clause: &Clause, words: &[Word], numbers: &[&Number]) -> Self {
        let clause_text = &sentence[clause.start..clause.end];
        let mut amounts = Vec::new();
        let mut percents = Vec::new();
        let mut quantities = Vec::new();
        let mut order_refs = Vec::new();
        let mut sizes = Vec::new();
        let word_at = |offset: usize| words.iter().rposition(|w| w.start <= offset).unwrap_or(0);
        let owned: Vec<Number> = numbers.iter().map(|n| Number { start: n.start - clause.start, end: n.end - clause.start, ..(*n).clone() }).collect();
        let days = figures::day_range(clause_text, &rebase(words, clause.start), &owned);
        for n in numbers {
            let before = sentence[..n.start].trim_end();
            let after = &sentence[n.end..];
            let index = word_at(n.start);
            if let Some(currency) = figures::currency_near(sentence, n) {
                amounts.push((Money { cents: n.hundredths, currency: Some(currency) }, index));
            } else if after.trim_start().starts_with('%') {
                if let Some(p) = n.integer() {
                    percents.push((p, index));
                }
            } else if before.ends_with(['#', '№']) || is_order_number(words, index, n) {
                order_refs.push(sentence[n.start..n.end].to_owned());
            } else if index > 0 && has_any(&words[index.saturating_sub(2)..index], SIZE_WORDS) || after.starts_with(char::is_alphabetic) {
                sizes.push(sentence[n.start..n.end].to_owned());
            } else if n.decimal && has_any(words, PRICE) {
                amounts.push((Money { cents: n.hundredths, currency: None }, index));
            } else if let Some(v) = n.integer()
                && !is_day_count(words, index)
                && !(1900..=2100).contains(&v)
            {
                quantities.push(v);
            }
        }
        for (i, w) in words.iter().enumerate() {
            let after_size_word = i > 0 && has_any(&words[i - 1..i], SIZE_WORDS);
            let upper = w.original.to_uppercase();
            if LETTER_SIZES.contains(&w.original.as_str()) || after_size_word && LETTER_SIZES.contains(&upper.as_str()) {
                sizes.push(w.original.to_uppercase());
            }
        }
        Facts { amounts, percents, days, quantities, order_refs, codes: codes(clause_text), sizes }
    }

    fn has_figures(&self) -> bool {
        !self.amounts.is_empty() || !self.quantities.is_empty() || self.days.is_some() || !self.percents.is_empty()
    }
}

/// Words with offsets made relative to the clause.
fn rebase(words: &[Word], offset: usize) -> Vec<Word> {
    words.iter().map(|w| Word { start: w.start - offset, ..w.clone() }).collect()
}

/// A number right after "order", "pedido", "заказ №"... with 3+ digits.
fn is_order_number(words: &[Word], index: usize, number: &Number) -> bool {
    let digits = number.end - number.start;
    digits >= 3
        && index > 0
        && has_any(&words[index.saturating_sub(3)..index], ORDER_NUMBER_WORDS)
        && has_any(&words[index.saturating_sub(3)..index], ORDER_WORDS)
}

/// Whether the number at word `index` counts days or hours ("2 days",
/// "2 working days", "48h").
fn is_day_count(words: &[Word], index: usize) -> bool {
    figures::is_time_unit(&words[index].folded) || words[index + 1..].iter().take(3).any(|w| figures::is_time_unit(&w.folded))
}

/// Codes such as SKUs and tracking numbers: letters with digits, 6+ long
/// ("LT-SHI-0001-WHT-XS", "1Z999AA1012"), or 8+ digits.
fn codes(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.contains("://") && !t.contains('@'))
        .filter(|t| {
            let letters = t.chars().filter(|c| c.is_alphabetic()).count();
            let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
            let len = t.chars().count();
            let code = letters > 0 && digits > 0 && len >= 6;
            // "24-48h" and "2-3days" are spans, not codes.
            let span = || text::words(t).iter().all(|w| figures::is_time_unit(&w.folded) || w.folded.chars().all(|c| c.is_ascii_digit()));
            (code && !span()) || (letters == 0 && digits >= 8 && t.chars().all(|c| c.is_ascii_digit()))
        })
        .map(str::to_owned)
        .collect()
}

/// Whether a clause says the item is in stock (`Some(true)`), out of stock
/// (`Some(false)`) or says nothing about stock (`None`).
fn stock_polarity(sentence: &str, words: &[Word], facts: &Facts, previous: Option<bool>) -> Option<bool> {
    let mentions_option = !facts.sizes.is_empty() || !facts.quantities.is_empty();
    if let Some(at) = cue_positions(words, UNAVAILABLE).into_iter().min() {
        return Some(negated(sentence, words, at, 1));
    }
    let strong = cue_positions(words, AVAILABLE);
    let weak = if mentions_option { cue_positions(words, AVAILABLE_WEAK) } else { Vec::new() };
    if let Some(at) = strong.into_iter().chain(weak).min() {
        return Some(!negated(sentence, words, at, 1));
    }
    // "..., but not in S" / "..., pero en M sí": a contrast clause with a
    // size and no cue of its own answers the clause before it.
    match previous {
        Some(before) if !facts.sizes.is_empty() => Some(if has_negation(sentence, words, 0..words.len()) { false } else { !before }),
        _ => None,
    }
}

/// Whether a negation stands within three words before the cue at `at`, or
/// a French/German post-verbal one ("pas", "nicht", "kein") just after it.
fn negated(sentence: &str, words: &[Word], at: usize, cue_len: usize) -> bool {
    let before = at.saturating_sub(3)..at;
    let after = (at + cue_len).min(words.len())..(at + cue_len + 3).min(words.len());
    has_negation(sentence, words, before)
        || words[after].iter().any(|w| matches!(w.folded.as_str(), "pas" | "plus" | "nicht" | "kein" | "keine" | "keinen" | "mehr"))
}

fn has_negation(sentence: &str, words: &[Word], range: std::ops::Range<usize>) -> bool {
    words[range].iter().any(|w| {
        let negation = NEGATIONS.iter().any(|n| match n.strip_suffix('*') {
            Some(stem) => w.folded.starts_with(stem),
            None => w.folded == *n,
        });
        // "No, it's in stock": an answer word, not a negation.
        let interjection = sentence[w.start + w.original.len()..].trim_start_matches(' ').starts_with([',', '!', '.', ';', ':']);
        negation && !interjection
    })
}

/// Price and shipping-cost claims from the clause's amounts, each amount
/// going to the cue nearest to it; a shipping clause with "free" is a
/// shipping-cost claim even without an amount.
fn money_claims(words: &[Word], facts: &Facts, base: &Claim) -> Vec<Claim> {
    let shipping_at = cue_positions(words, SHIPPING);
    let price_at = cue_positions(words, PRICE);
    let mut price = Vec::new();
    let mut shipping = Vec::new();
    for (money, at) in &facts.amounts {
        if amount_is_shipping(words, *at) {
            shipping.push(*money);
        } else {
            price.push(*money);
        }
    }
    let percents: Vec<u32> = if has_any(words, DISCOUNT) { facts.percents.iter().map(|(p, _)| *p).collect() } else { Vec::new() };
    let mut claims = Vec::new();
    // Without a figure, only "it's on sale" states a checkable price fact;
    // "prices include VAT" and "shipping costs depend on the country" do not.
    let on_sale = !price_at.is_empty() && shipping_at.is_empty() && has_any(words, DISCOUNT);
    if !price.is_empty() || !percents.is_empty() || on_sale {
        claims.push(Claim { kind: ClaimKind::Price, amounts: price, percents, ..base.clone() });
    }
    // "Free returns within 30 days of delivery" is about returns.
    let free = !shipping_at.is_empty() && has_any(words, FREE) && !has_any(words, RETURNS);
    if !shipping.is_empty() || free {
        claims.push(Claim { kind: ClaimKind::ShippingCost, amounts: shipping, free, ..base.clone() });
    }
    claims
}

/// Whether the amount at word `at` is a shipping cost: the nearest topic
/// before it is shipping ("envío a Portugal: 6,95 €", "shipping to
/// Portugal costs 6.95 €"), not a price ("the shirt costs 59 €"); with no
/// topic before it, the nearest one after it decides.
fn amount_is_shipping(words: &[Word], at: usize) -> bool {
    for k in (0..at.min(words.len())).rev() {
        if cue_at(words, k, SHIPPING) {
            return true;
        }
        if cue_at(words, k, PRICE_VERBS) {
            return (k.saturating_sub(4)..k).any(|j| cue_at(words, j, SHIPPING));
        }
        if cue_at(words, k, PRICE) {
            return false;
        }
    }
    for k in at..words.len() {
        if cue_at(words, k, SHIPPING) {
            return true;
        }
        if cue_at(words, k, PRICE) {
            return false;
        }
    }
    false
}

/// Order states the clause states. Shipped and delivered stand alone ("it
/// was shipped yesterday"); the others need the shopper's order in view
/// ("your order is being prepared"), so "you can cancel within 14 days" is
/// no status. A delivery time with no order in view is a shipping claim.
fn order_states(words: &[Word], facts: &Facts) -> Vec<OrderState> {
    let order_in_view = !facts.order_refs.is_empty() || has_any(words, ORDER_WORDS) || has_any(words, YOURS);
    if facts.days.is_some() && facts.order_refs.is_empty() && !has_any(words, YOURS) {
        return Vec::new();
    }
    let mut states: Vec<OrderState> = Vec::new();
    for (cue, state) in STATE_WORDS {
        // Tool vocabulary, not answer vocabulary.
        if matches!(*cue, "success" | "completed" | "open" | "scheduled" | "in_transit" | "in_progress" | "fulfilled" | "unfulfilled" | "paid") {
            continue;
        }
        let stands_alone = matches!(state, OrderState::Shipped | OrderState::Delivered);
        if (stands_alone || order_in_view) && find_cue(words, cue).is_some() && !states.contains(state) {
            states.push(*state);
        }
    }
    states
}

/// Capitalised words past the first, which may name a product ("the
/// Siurana Leather Jacket"); sizes and short acronyms are left out.
fn capitalised_names(words: &[Word]) -> Vec<(usize, String)> {
    words
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, w)| w.is_capitalised() && w.original.chars().all(char::is_alphabetic))
        .filter(|(_, w)| !(w.is_upper() && w.original.chars().count() <= 4))
        .map(|(i, w)| (i, w.folded.clone()))
        .collect()
}
