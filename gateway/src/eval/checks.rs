//! Checks one observed turn against its expectations, and finds the claims
//! in a reply that need a backing fact (price, availability, order status).

use crate::classify::fold;
use serde::Serialize;

use crate::eval::case::Expect;
use crate::eval::runner::TurnObservation;

/// One expectation a turn did not meet: what was expected and what came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub case: String,
    /// 1-based.
    pub turn: usize,
    pub check: &'static str,
    pub expected: String,
    pub got: String,
}

/// A kind of claim a shopper could later hold the shop to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Price,
    Availability,
    OrderStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub kind: ClaimKind,
    pub grounded: bool,
}

/// Phrases that state stock or availability, folded (lower case, no accents).
const AVAILABILITY: &[&str] = &[
    "in stock",
    "out of stock",
    "sold out",
    "is available",
    "are available",
    "en stock",
    "agotad",
    "disponible",
    "quedan ",
    "в наличии",
    "нет в наличии",
    "auf lager",
    "verfugbar",
    "disponibil",
    "esgotad",
    "esgotat",
    "rupture de stock",
];

/// Phrases that state where a shopper's order is, folded.
const ORDER_STATUS: &[&str] = &[
    "has shipped",
    "was shipped",
    "been shipped",
    "on its way",
    "out for delivery",
    "was delivered",
    "ha sido enviado",
    "ya se envio",
    "ya salio",
    "esta en camino",
    "уже отправлен",
    "в пути",
    "a ete expedie",
    "wurde versandt",
    "e stato spedito",
    "foi enviado",
];

/// Claims in `reply` and whether the turn's facts back each one. Stock and
/// order status need a tool result of the turn; a price needs every amount
/// named to appear in a tool result or in a product card the turn showed
/// (both are the store's own data, read in this turn).
pub fn claims(seen: &TurnObservation) -> Vec<Claim> {
    let folded = fold(&seen.reply);
    let stock_checked = seen.tools.iter().any(|t| t.ok && t.name == "get_stock");
    let mut claims = Vec::new();
    let amounts = price_amounts(&seen.reply);
    if !amounts.is_empty() {
        let mut facts: String = seen.tools.iter().filter(|t| t.ok).map(|t| t.result.to_string()).collect();
        facts.extend(seen.products.iter().filter_map(|p| p.price.clone()));
        let grounded = amounts.iter().all(|a| facts.contains(a.as_str()));
        claims.push(Claim { kind: ClaimKind::Price, grounded });
    }
    if AVAILABILITY.iter().any(|p| folded.contains(p)) {
        claims.push(Claim { kind: ClaimKind::Availability, grounded: stock_checked });
    }
    if ORDER_STATUS.iter().any(|p| folded.contains(p)) {
        // Only an order lookup that answered backs a status (a refused one does not).
        let order_checked = seen.tools.iter().any(|t| t.ok && t.name.contains("order"));
        claims.push(Claim { kind: ClaimKind::OrderStatus, grounded: order_checked });
    }
    claims
}

/// Amounts next to a currency sign or word, normalised to `59.00` form.
/// A currency word counts only as a word of its own, so a tracking number
/// after "SEUR" is no price.
fn price_amounts(reply: &str) -> Vec<String> {
    let folded = fold(reply);
    let chars: Vec<char> = folded.chars().collect();
    let mut amounts = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || ((chars[i] == '.' || chars[i] == ',') && chars.get(i + 1).is_some_and(char::is_ascii_digit))) {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect::<String>().replace(',', ".");
        if currency_before(&chars[..start]) || currency_after(&chars[i..]) {
            let amount = match number.split_once('.') {
                Some((whole, cents)) if cents.len() == 2 => format!("{whole}.{cents}"),
                Some(_) => number,
                None => format!("{number}.00"),
            };
            amounts.push(amount);
        }
    }
    amounts
}

const CURRENCY_SIGNS: [char; 2] = ['€', '$'];
const CURRENCY_WORDS: [&str; 2] = ["eur", "руб"];

/// `€ 45`, `$45`, `EUR 45`: a sign, or a currency word that starts a word.
fn currency_before(before: &[char]) -> bool {
    let text: String = before.iter().collect();
    let text = text.trim_end();
    if text.ends_with(CURRENCY_SIGNS) {
        return true;
    }
    let word: String = text.chars().rev().take_while(|c| c.is_alphabetic()).collect::<Vec<_>>().into_iter().rev().collect();
    CURRENCY_WORDS.contains(&word.as_str())
}

/// `45 €`, `45€`, `45 euros`, `45 руб.`: a sign, or a word starting with a currency word.
fn currency_after(after: &[char]) -> bool {
    let text: String = after.iter().collect();
    let text = text.trim_start();
    text.starts_with(CURRENCY_SIGNS) || CURRENCY_WORDS.iter().any(|w| text.starts_with(w))
}

fn contains(reply_folded: &str, needle: &str) -> bool {
    reply_folded.contains(&fold(needle))
}

/// Every expectation of `expect` the observed turn missed.
pub fn check_turn(case: &str, turn: usize, expect: &Expect, seen: &TurnObservation, titles: &std::collections::BTreeMap<String, Vec<String>>) -> Vec<Failure> {
    let mut failures = Vec::new();
    let mut fail = |check: &'static str, expected: String, got: String| failures.push(Failure { case: case.to_owned(), turn, check, expected, got });
    if let Some(error) = &seen.error {
        fail("no_error", "an answer".into(), error.clone());
    }
    let none = || "nothing".to_owned();
    if let Some(language) = &expect.language
        && seen.language.as_deref() != Some(language.as_str())
    {
        fail("language", language.clone(), seen.language.clone().unwrap_or_else(none));
    }
    if let Some(label) = &expect.label
        && seen.label.as_deref() != Some(label.as_str())
    {
        fail("label", label.clone(), seen.label.clone().unwrap_or_else(none));
    }
    if let Some(handoff) = expect.handoff
        && handoff != seen.handoff.is_some()
    {
        let got = seen.handoff.as_ref().map(|l| format!("handoff ({l})")).unwrap_or_else(|| "no handoff".into());
        fail("handoff", if handoff { "handoff".into() } else { "no handoff".into() }, got);
    }
    let calls = || {
        if seen.tools.is_empty() {
            "no tool calls".to_owned()
        } else {
            seen.tools.iter().map(|t| format!("{}({})", t.name, t.arguments)).collect::<Vec<_>>().join(", ")
        }
    };
    for wanted in &expect.tools_called {
        let matched = seen
            .tools
            .iter()
            .any(|t| t.name == wanted.name && wanted.arguments.iter().all(|(k, v)| t.arguments.get(k).is_some_and(|got| same_argument(got, v))));
        if !matched {
            let args = serde_json::Value::Object(wanted.arguments.clone());
            fail("tool_called", format!("{}({args})", wanted.name), calls());
        }
    }
    for banned in &expect.tools_not_called {
        if seen.tools.iter().any(|t| &t.name == banned) {
            fail("tool_not_called", format!("no call to {banned}"), calls());
        }
    }
    let shown: Vec<&str> = seen.products.iter().map(|p| p.id.as_str()).collect();
    for id in &expect.products_shown {
        if !shown.contains(&id.as_str()) {
            fail("product_shown", id.clone(), format!("{shown:?}"));
        }
    }
    for id in &expect.products_not_shown {
        if shown.contains(&id.as_str()) {
            fail("product_not_shown", format!("not {id}"), format!("{shown:?}"));
        }
    }
    let reply = fold(&seen.reply);
    let named = |id: &String| titles.get(id).is_some_and(|ts| ts.iter().any(|t| contains(&reply, t)));
    for id in &expect.products_mentioned {
        if !named(id) {
            fail("product_mentioned", format!("{id} named"), seen.reply.clone());
        }
    }
    for id in &expect.products_not_mentioned {
        if named(id) {
            fail("product_not_mentioned", format!("{id} not named"), seen.reply.clone());
        }
    }
    if expect.grounded {
        for claim in claims(seen).iter().filter(|c| !c.grounded) {
            fail("grounded", format!("{:?} claim backed by a tool result", claim.kind), seen.reply.clone());
        }
    }
    for text in &expect.reply_contains {
        if !contains(&reply, text) {
            fail("reply_contains", text.clone(), seen.reply.clone());
        }
    }
    if !expect.reply_contains_any.is_empty() && !expect.reply_contains_any.iter().any(|t| contains(&reply, t)) {
        fail("reply_contains_any", expect.reply_contains_any.join(" | "), seen.reply.clone());
    }
    for text in &expect.reply_not_contains {
        if contains(&reply, text) {
            fail("reply_not_contains", format!("not {text}"), seen.reply.clone());
        }
    }
    failures
}

/// Strings compare without case or accents (`"m"` matches `"M"`); other
/// values compare exactly.
fn same_argument(got: &serde_json::Value, wanted: &serde_json::Value) -> bool {
    match (got, wanted) {
        (serde_json::Value::String(g), serde_json::Value::String(w)) => fold(g) == fold(w),
        _ => got == wanted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_next_to_a_currency_are_prices() {
        assert_eq!(price_amounts("Sí, a 59.00 € en talla M"), vec!["59.00"]);
        assert_eq!(price_amounts("from €45 or 39,90 EUR"), vec!["45.00", "39.90"]);
        assert!(price_amounts("size 38, order 1234").is_empty());
        assert_eq!(price_amounts("1 500 руб. или $ 20"), vec!["500.00", "20.00"]);
        // A carrier's name is not a currency.
        assert!(price_amounts("Tracking (SEUR): SEUR99120034. Seur 4471").is_empty());
    }
}
