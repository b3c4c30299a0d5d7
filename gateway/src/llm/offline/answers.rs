//! The offline model's answers: product lists from the cards, and stock,
//! order and shipping answers from the tool results of the turn. Figures
//! (stock, prices, dates, tracking) come only from tool results.

use serde_json::{Map, Value, json};

use super::phrases::Phrases;
use super::understand::{Message, postcode};
use crate::catalog::Product;
use crate::classify::fold;
use crate::search::RetrievedCard;

fn attribute<'a>(product: &'a Product, key: &str, language: &str) -> Option<&'a str> {
    product.translations.get(language).and_then(|t| t.attributes.get(key)).or_else(|| product.attributes.get(key)).map(String::as_str).filter(|v| !v.is_empty())
}

/// "Sitges Linen Shirt — 100% linen, White, Relaxed fit".
pub(super) fn describe(product: &Product, language: &str) -> String {
    let details: Vec<&str> = ["material", "color", "fit"].iter().filter_map(|k| attribute(product, k, language)).collect();
    if details.is_empty() { product.title_in(language).to_owned() } else { format!("{} — {}", product.title_in(language), details.join(", ")) }
}

/// A short list of products from the cards, then an offer to check sizes.
pub(super) fn product_list(lang: &Phrases, products: &[&Product], language: &str) -> String {
    let mut text = String::from(if products.len() == 1 { lang.one_match } else { lang.some_matches });
    for product in products.iter().take(3) {
        text.push_str("\n- ");
        text.push_str(&describe(product, language));
    }
    text.push_str("\n\n");
    text.push_str(lang.offer_stock_check);
    text
}

/// "Which one do you mean: A, B or C?" with at most four titles.
pub(super) fn which_of(lang: &Phrases, products: &[&Product], language: &str) -> String {
    if products.is_empty() {
        return lang.which_product.to_owned();
    }
    let titles: Vec<String> = products.iter().take(4).map(|p| p.title_in(language).to_owned()).collect();
    (lang.which_of)(&lang.list(&titles))
}

/// The catalog's fit notes of a product, or its description line.
pub(super) fn fit_answer(lang: &Phrases, product: &Product, language: &str) -> String {
    let notes: Vec<&str> = ["fit", "size_range"].iter().filter_map(|k| attribute(product, k, language)).collect();
    if notes.is_empty() {
        return format!("{}\n\n{}", describe(product, language), lang.offer_stock_check);
    }
    format!("{}\n\n{}", (lang.fit)(product.title_in(language), &notes.join(", ")), lang.offer_stock_check)
}

fn money(amount: &str, currency: &str, language: &str) -> String {
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    };
    if language == "en" && symbol.chars().count() == 1 { format!("{symbol}{amount}") } else { format!("{amount} {symbol}") }
}

/// An amount from a tool result: a decimal string or a number.
fn amount_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("amount").and_then(amount_of),
        _ => None,
    }
}

/// The answer to a `get_stock` result.
pub(super) fn stock_answer(lang: &Phrases, cards: &[RetrievedCard], language: &str, result: &Value) -> String {
    if result.get("error").is_some() || result.is_null() {
        return lang.stock_unavailable.to_owned();
    }
    let product_id = result.get("product_id").and_then(Value::as_str).unwrap_or_default();
    let title = cards
        .iter()
        .find(|c| c.product.id == product_id)
        .map(|c| c.product.title_in(language).to_owned())
        .or_else(|| result.get("title").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let currency = result.get("currency").and_then(Value::as_str).unwrap_or("EUR");
    let size = result.pointer("/requested/size").and_then(Value::as_str);
    let variants = result.get("variants").and_then(Value::as_array).cloned().unwrap_or_default();
    let in_stock: Vec<String> =
        result.get("sizes_in_stock").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default();
    let available: Vec<&Value> = variants.iter().filter(|v| v.get("available").and_then(Value::as_bool) == Some(true)).collect();
    let with_sizes = |mut text: String| {
        if !in_stock.is_empty() {
            text.push(' ');
            text.push_str(&(lang.sizes_in_stock)(&in_stock.join(", ")));
        }
        text
    };

    match size {
        Some(size) if variants.is_empty() => with_sizes((lang.no_such_size)(&title, size)),
        Some(size) if available.is_empty() => with_sizes((lang.sold_out_in_size)(&title, size)),
        Some(size) => {
            let v = available[0];
            let quantity = v.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            let price = v.get("price").and_then(amount_of).map(|p| money(&p, currency, language)).unwrap_or_default();
            (lang.in_stock_in_size)(&title, size, quantity, &price)
        }
        None if available.is_empty() => (lang.sold_out)(&title),
        None => {
            let price = available
                .iter()
                .filter_map(|v| v.get("price").and_then(amount_of))
                .min_by(|a, b| a.parse::<f64>().unwrap_or(f64::MAX).total_cmp(&b.parse::<f64>().unwrap_or(f64::MAX)))
                .map(|p| money(&p, currency, language))
                .unwrap_or_default();
            (lang.in_stock_sizes)(&title, &in_stock.join(", "), &price)
        }
    }
}

/// The answer to a `get_order_status` result: its status and tracking, or
/// what its error means for the shopper.
pub(super) fn order_answer(lang: &Phrases, result: &Value) -> String {
    if let Some(error) = result.get("error") {
        let error = fold(error.as_str().unwrap_or_default());
        return if error.contains("not found or not matching") || error.contains("no order matches") {
            lang.order_not_matching
        } else if error.contains("too many") {
            lang.order_paused
        } else if error.contains("ask the shopper") {
            lang.order_ask_both
        } else {
            lang.order_unavailable
        }
        .to_owned();
    }
    let Some(order_ref) = result.get("order_ref").and_then(Value::as_str) else {
        return lang.order_unavailable.to_owned();
    };
    let status = result.get("status").and_then(Value::as_str).unwrap_or_default();
    let fulfilments = result.get("fulfilments").and_then(Value::as_array).cloned().unwrap_or_default();
    let delivered = fulfilments.iter().any(|f| f.get("status").and_then(Value::as_str).is_some_and(|s| fold(s) == "delivered"));
    let words = match fold(status).replace(['-', ' '], "_").as_str() {
        _ if delivered && !fold(status).starts_with("partial") => Some(lang.status_delivered),
        "unfulfilled" | "processing" | "pending" | "open" | "paid" | "on_hold" | "confirmed" | "preparing" => Some(lang.status_preparing),
        "shipped" | "in_transit" | "fulfilled" | "sent" | "dispatched" | "completed" => Some(lang.status_shipped),
        "partially_shipped" | "partially_fulfilled" | "partial" => Some(lang.status_partly_shipped),
        "delivered" => Some(lang.status_delivered),
        "cancelled" | "canceled" | "voided" => Some(lang.status_cancelled),
        _ => None,
    };
    let mut text = match words {
        Some(words) => (lang.order_status)(order_ref, words),
        None => format!("{order_ref}: {status}."),
    };
    if let Some(date) = fulfilments.iter().filter_map(|f| f.get("shipped_at").and_then(Value::as_str)).find(|d| d.len() >= 10) {
        text.push(' ');
        text.push_str(&(lang.shipped_on)(&date[..10]));
    }
    for tracking in fulfilments.iter().filter_map(|f| f.get("tracking").and_then(Value::as_array)).flatten() {
        let field = |k: &str| tracking.get(k).and_then(Value::as_str).unwrap_or_default();
        if !field("number").is_empty() || !field("url").is_empty() {
            text.push(' ');
            text.push_str(&(lang.tracking)(field("carrier"), field("number"), field("url")));
        }
    }
    text
}

/// Arguments for the store's `get_shipping` tool, filled from what its
/// schema asks for and the message gives: a destination, a postcode, the
/// question itself, the language.
pub(super) fn shipping_arguments(schema: &Value, message: &Message, language: &str) -> Value {
    let mut args = Map::new();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Value::Object(args);
    };
    for name in properties.keys() {
        let key = fold(name);
        let value = if ["destination", "country", "city", "region", "to", "place", "location", "address"].iter().any(|k| key.contains(k)) {
            destination(message)
        } else if ["postcode", "postal", "zip"].iter().any(|k| key.contains(k)) {
            postcode(message)
        } else if ["query", "question", "message", "text"].contains(&key.as_str()) {
            Some(message.raw().to_owned())
        } else if ["language", "lang", "locale"].contains(&key.as_str()) {
            Some(language.to_owned())
        } else {
            None
        };
        if let Some(value) = value {
            args.insert(name.clone(), Value::String(value));
        }
    }
    Value::Object(args)
}

/// The place after the last "to"/"en"/"nach"/"в"... of the message, as typed.
fn destination(message: &Message) -> Option<String> {
    const MARKERS: &[&str] = &["to", "a", "en", "in", "nach", "pra", "para", "в", "во", "vers", "au", "aux", "em", "na", "no", "à"];
    const SKIP: &[&str] = &["the", "la", "el", "le", "les", "l", "die", "der", "den", "il", "lo", "o", "os", "as"];
    let tokens: Vec<&str> = message.raw().split(|c: char| c.is_whitespace() || "?!,.;:¿¡'’\"()".contains(c)).filter(|t| !t.is_empty()).collect();
    let mut found = None;
    for (i, token) in tokens.iter().enumerate() {
        if MARKERS.contains(&fold(token).as_str()) {
            let place = tokens[i + 1..].iter().find(|t| !SKIP.contains(&fold(t).as_str()));
            if let Some(place) = place.filter(|p| p.chars().all(char::is_alphabetic) && p.chars().count() >= 2) {
                found = Some((*place).to_owned());
            }
        }
    }
    found
}

/// The answer to a `get_shipping` result: its own summary when it has one,
/// else its cost, free-shipping threshold and delivery days.
pub(super) fn shipping_answer(lang: &Phrases, language: &str, result: &Value) -> String {
    if result.get("error").is_some() || !result.is_object() {
        return lang.shipping_unavailable.to_owned();
    }
    // A list of options: the first (the store lists its default first).
    let option = ["options", "rates", "methods"].iter().find_map(|k| result.get(*k).and_then(Value::as_array).and_then(|a| a.first())).unwrap_or(result);
    let currency = option.get("currency").or_else(|| result.get("currency")).and_then(Value::as_str).unwrap_or("EUR");
    let find = |keys: &[&str]| keys.iter().find_map(|k| option.get(*k).or_else(|| result.get(*k))).and_then(amount_of);
    let mut facts: Vec<String> = Vec::new();
    if let Some(cost) = find(&["cost", "price", "shipping_cost", "rate", "amount"]) {
        facts.push((lang.shipping_cost)(&money(&cost, currency, language)));
    }
    if let Some(threshold) = find(&["free_over", "free_shipping_over", "free_from", "free_threshold", "free_shipping_threshold"]) {
        facts.push((lang.shipping_free_over)(&money(&threshold, currency, language)));
    }
    let days = match (find(&["min_days", "days_min"]), find(&["max_days", "days_max"])) {
        (Some(min), Some(max)) if min != max => Some(format!("{min}–{max}")),
        (Some(d), _) | (_, Some(d)) => Some(d),
        _ => find(&["days", "delivery_days", "business_days", "transit_days", "eta_days"]),
    };
    if let Some(days) = days {
        facts.push((lang.shipping_days)(&days));
    }
    if facts.is_empty() {
        let summary = ["summary", "answer", "text", "message", "description"]
            .iter()
            .find_map(|k| result.get(*k).and_then(Value::as_str))
            .filter(|s| !s.trim().is_empty());
        return match summary {
            Some(summary) => (lang.shipping_facts)(summary.trim().trim_end_matches('.')),
            None => lang.shipping_unavailable.to_owned(),
        };
    }
    (lang.shipping_facts)(&facts.join(", "))
}

/// The returns sentences of the store's policies, as the system prompt
/// quotes them ("Store policies ..." up to the next blank line).
pub(super) fn returns_policy(system_prompt: &str) -> Option<String> {
    let start = system_prompt.find("Store policies")?;
    let body = system_prompt[start..].split_once('\n')?.1;
    let policies = body.split("\n\n").next().unwrap_or_default();
    let sentences: Vec<&str> = policies
        .split_inclusive(['.', '\n'])
        .map(str::trim)
        .filter(|s| {
            let folded = fold(s);
            ["return", "refund", "exchange", "devol", "retour", "ruckgabe", "reso", "возврат", "retorn"].iter().any(|k| folded.contains(k))
        })
        .collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// `{"product_id": ..., "size": ...}` for `get_stock`.
pub(super) fn stock_arguments(product: &Product, size: Option<&str>) -> Value {
    let mut args = json!({ "product_id": product.id });
    if let Some(size) = size {
        args["size"] = json!(size);
    }
    args
}
