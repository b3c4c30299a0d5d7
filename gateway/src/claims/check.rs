//! Checks one claim against the turn's evidence: the right product (or
//! order, or zone) and the same figures.

use super::evidence::{Evidence, Named, OrderFact, StockFact, ref_key};
use super::{Claim, ClaimKind, OrderState, Verdict};
use crate::classify::fold;

/// Whether the turn's tool results back `claim`.
pub fn check(claim: &Claim, evidence: &Evidence) -> Verdict {
    let result = match claim.kind {
        ClaimKind::Availability => availability(claim, evidence),
        ClaimKind::Price => price(claim, evidence),
        ClaimKind::ShippingCost => shipping_cost(claim, evidence),
        ClaimKind::ShippingTime => shipping_time(claim, evidence),
        ClaimKind::OrderStatus => order_status(claim, evidence),
    };
    match result {
        Ok(()) => Verdict::Backed,
        Err(why) => Verdict::Unbacked { why },
    }
}

type Check = Result<(), String>;

fn no_result(evidence: &Evidence, tool: &str, what: &str) -> String {
    if evidence.failed.iter().any(|t| t == tool) {
        format!("`{tool}` failed this turn, so {what} cannot be stated")
    } else {
        format!("no `{tool}` result this turn states {what}")
    }
}

/// The stock results a claim is about: those of the products it names, or
/// every one when it names none (then all must agree with it).
fn stock_for<'a>(claim: &Claim, evidence: &'a Evidence) -> Result<(Vec<&'a StockFact>, bool), String> {
    if evidence.stock.is_empty() {
        return Err(no_result(evidence, crate::tools::catalog::GET_STOCK, "this stock level"));
    }
    let Named { ids, unknown } = evidence.named_products(claim);
    if let Some(name) = unknown {
        return Err(format!("it names `{name}`, a product no tool of this turn looked up"));
    }
    if ids.is_empty() {
        return Ok((evidence.stock.iter().collect(), false));
    }
    let facts: Vec<&StockFact> = evidence.stock.iter().filter(|s| ids.contains(&s.product_id)).collect();
    if facts.is_empty() {
        return Err(format!("the stock of product {} was not looked up with get_stock this turn", ids.join(" / ")));
    }
    Ok((facts, true))
}

fn availability(claim: &Claim, evidence: &Evidence) -> Check {
    let (facts, named) = stock_for(claim, evidence)?;
    let verdicts: Vec<Check> = facts.iter().map(|fact| stock_agrees(claim, fact)).collect();
    let agrees = if named { verdicts.iter().any(Result::is_ok) } else { verdicts.iter().all(Result::is_ok) };
    if agrees { Ok(()) } else { verdicts.into_iter().find(Result::is_err).unwrap_or(Ok(())) }
}

/// Whether one product's stock agrees with the claim, for the options it
/// names (sizes, colours) and the counts it gives. "In S and M" claims
/// each of them, so every combination named is checked on its own.
fn stock_agrees(claim: &Claim, fact: &StockFact) -> Check {
    let named = named_options(claim, fact);
    for combination in combinations(&named) {
        stock_agrees_for(claim, fact, &combination)?;
    }
    Ok(())
}

/// One value per option key, for every way of choosing them.
fn combinations(named: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut all: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (key, values) in named {
        all = all.into_iter().flat_map(|partial| values.iter().map(move |v| [partial.clone(), vec![(key.clone(), v.clone())]].concat())).collect();
    }
    all
}

fn stock_agrees_for(claim: &Claim, fact: &StockFact, named: &[(String, String)]) -> Check {
    let relevant: Vec<_> =
        fact.variants.iter().filter(|v| named.iter().all(|(key, value)| v.options.iter().any(|(k, val)| k == key && val == value))).collect();
    // A size the result has no variant row for (the call asked for
    // another size) is still answered by `sizes_in_stock`.
    let named_sizes: Vec<String> = named.iter().filter(|(k, _)| is_size_key(k)).map(|(_, v)| v.clone()).collect();
    let sizes: Vec<String> = if named_sizes.is_empty() { claim.sizes.iter().map(|s| fold(s)).collect() } else { named_sizes };
    let size_not_offered = named_sizes_missing(claim, named);
    let in_stock = if size_not_offered {
        // A size no variant has ("XL" of a shirt made in XS-L) is not in
        // stock, unless the result says it is.
        sizes.iter().any(|s| fact.sizes_in_stock.contains(s))
    } else if !relevant.is_empty() {
        relevant.iter().any(|v| v.available)
    } else if !sizes.is_empty() && !fact.sizes_in_stock.is_empty() {
        sizes.iter().any(|s| fact.sizes_in_stock.contains(s))
    } else if !sizes.is_empty() || !named.is_empty() {
        return Err(format!("the stock of {} was not looked up", claim.sizes.join("/")));
    } else {
        false
    };
    if let Some(claimed) = claim.in_stock
        && claimed != in_stock
    {
        let said = if claimed { "in stock" } else { "out of stock" };
        let is = if in_stock { "in stock" } else { "out of stock" };
        let which = named.iter().map(|(_, v)| v.to_uppercase()).collect::<Vec<_>>().join(" ");
        let which = if which.is_empty() { String::new() } else { format!(" in {which}") };
        return Err(format!("it says {said}{which}, but get_stock says {is}"));
    }
    let quantities: Vec<i64> = relevant.iter().filter_map(|v| v.quantity).collect();
    let total: i64 = quantities.iter().sum();
    let option_numbers: Vec<&str> = fact.variants.iter().flat_map(|v| v.options.iter().map(|(_, val)| val.as_str())).collect();
    for q in &claim.quantities {
        let q64 = i64::from(*q);
        let backed = quantities.contains(&q64)
            || total == q64
            || option_numbers.contains(&q.to_string().as_str())
            || relevant.len() as i64 == q64
            || fact.sizes_in_stock.len() as i64 == q64;
        if !backed {
            return Err(format!("it says {q}, a count get_stock did not return"));
        }
    }
    Ok(())
}

/// Whether the claim names sizes but none of them is a size of the
/// product's variants.
fn named_sizes_missing(claim: &Claim, named: &[(String, String)]) -> bool {
    !claim.sizes.is_empty() && !named.iter().any(|(k, _)| is_size_key(k))
}

/// Option names stores use for sizes (folded).
fn is_size_key(key: &str) -> bool {
    matches!(key, "size" | "talla" | "taille" | "große" | "grosse" | "taglia" | "tamanho" | "размер" | "mida" | "maat" | "rozmiar" | "shoe size")
}

/// The option values of the product the claim names, by option key.
fn named_options(claim: &Claim, fact: &StockFact) -> Vec<(String, Vec<String>)> {
    let sizes: Vec<String> = claim.sizes.iter().map(|s| fold(s)).collect();
    let mut named: Vec<(String, Vec<String>)> = Vec::new();
    for v in &fact.variants {
        for (key, value) in &v.options {
            let value_words: Vec<String> = super::text::words(value).into_iter().map(|w| w.folded).collect();
            // Single letters ("m", "s") count only as sizes in capitals.
            let hit = if value.chars().count() <= 3 && value.chars().all(char::is_alphabetic) {
                sizes.contains(value)
            } else {
                !value_words.is_empty() && value_words.iter().all(|w| claim.words.contains(w)) || sizes.contains(value)
            };
            if hit {
                match named.iter_mut().find(|(k, _)| k == key) {
                    Some((_, values)) if !values.contains(value) => values.push(value.clone()),
                    Some(_) => {}
                    None => named.push((key.clone(), vec![value.clone()])),
                }
            }
        }
    }
    named
}

fn price(claim: &Claim, evidence: &Evidence) -> Check {
    let Named { ids, unknown } = evidence.named_products(claim);
    if let Some(name) = unknown {
        return Err(format!("it names `{name}`, a product no tool of this turn looked up"));
    }
    let prices: Vec<_> = evidence.prices.iter().filter(|p| ids.is_empty() || p.product_id.as_ref().is_some_and(|id| ids.contains(id))).collect();
    if prices.is_empty() {
        let what = if ids.is_empty() { "a price".to_owned() } else { format!("the price of product {}", ids.join(" / ")) };
        return Err(no_result(evidence, crate::tools::catalog::GET_STOCK, &what));
    }
    for amount in &claim.amounts {
        let backed = prices.iter().any(|p| p.price.matches(amount) || p.compare_at.is_some_and(|c| c.matches(amount)));
        if !backed {
            let known: Vec<String> = prices.iter().map(|p| p.price.to_string()).collect();
            return Err(format!("it says {amount}, but the tools returned {}", known.join(", ")));
        }
    }
    for percent in &claim.percents {
        let backed = prices.iter().any(|p| {
            p.compare_at
                .is_some_and(|c| c.cents > 0 && (((c.cents - p.price.cents) as f64 / c.cents as f64 * 100.0).round() as i64 - i64::from(*percent)).abs() <= 1)
        });
        if !backed {
            return Err(format!("it says {percent}% off, a discount no tool result shows"));
        }
    }
    Ok(())
}

/// Shipping zones the claim names ("to Spain"), or all of them.
fn zones<'a>(claim: &Claim, evidence: &'a Evidence) -> Result<Vec<&'a super::evidence::ShippingZone>, String> {
    if evidence.shipping.is_empty() {
        return Err(no_result(evidence, crate::tools::shipping::GET_SHIPPING, "shipping"));
    }
    let all: Vec<_> = evidence.shipping.iter().flat_map(|s| s.zones.iter()).collect();
    let named: Vec<_> =
        all.iter().copied().filter(|z| z.names.iter().any(|name| !name.is_empty() && name.iter().all(|w| claim.sentence_words.contains(w)))).collect();
    Ok(if named.is_empty() { all } else { named })
}

fn shipping_cost(claim: &Claim, evidence: &Evidence) -> Check {
    let zones = zones(claim, evidence)?;
    if claim.free && claim.amounts.is_empty() && !zones.iter().any(|z| z.free_over.is_some() || z.cost.is_some_and(|c| c.cents == 0)) {
        return Err("it says shipping is free, but no shipping zone is free".into());
    }
    for amount in &claim.amounts {
        let backed = zones.iter().any(|z| z.cost.is_some_and(|c| c.matches(amount)) || z.free_over.is_some_and(|f| f.matches(amount)));
        if !backed {
            return Err(format!("it says {amount}, which is neither a shipping cost nor a free-shipping threshold of get_shipping"));
        }
    }
    Ok(())
}

fn shipping_time(claim: &Claim, evidence: &Evidence) -> Check {
    let zones = zones(claim, evidence)?;
    let Some(days) = claim.days else { return Ok(()) };
    let within = |(lo, hi): (u32, u32)| days.min >= lo && days.max <= hi;
    let dispatch: Vec<(u32, u32)> = evidence.shipping.iter().filter_map(|s| s.dispatch_days).collect();
    let backed = dispatch.iter().any(|d| within(*d) || days.min == days.max && days.max == d.1)
        || zones
            .iter()
            .filter_map(|z| z.delivery_days)
            .any(|z| within(z) || dispatch.iter().any(|d| within((d.0 + z.0, d.1 + z.1))) || dispatch.is_empty() && days.max == z.1);
    if backed { Ok(()) } else { Err(format!("it says {}-{} days, which get_shipping does not give", days.min, days.max)) }
}

fn order_status(claim: &Claim, evidence: &Evidence) -> Check {
    if evidence.orders.is_empty() {
        return Err(no_result(evidence, crate::connector::tools::GET_ORDER_STATUS, "an order's status"));
    }
    let named_by_code = evidence.orders.iter().any(|o| claim.codes.iter().any(|c| ref_key(c) == o.order_ref));
    let orders: Vec<&OrderFact> = if claim.order_refs.is_empty() || named_by_code {
        evidence.orders.iter().collect()
    } else {
        let wanted: Vec<String> = claim.order_refs.iter().map(|r| ref_key(r)).collect();
        let found: Vec<&OrderFact> = evidence.orders.iter().filter(|o| wanted.contains(&o.order_ref)).collect();
        if found.is_empty() {
            return Err(format!("order {} was not looked up this turn", claim.order_refs.join(", ")));
        }
        found
    };
    let agrees = |order: &OrderFact| {
        let states_ok = claim.states.iter().all(|s| order.states.contains(s) || raw_says(order, *s, claim));
        // A code is a tracking number, an item's SKU or the order's own
        // reference written as a code ("LB-10042").
        let codes_ok = claim.codes.iter().all(|c| order.tracking.iter().chain(&order.skus).any(|t| t.eq_ignore_ascii_case(c)) || ref_key(c) == order.order_ref);
        states_ok && codes_ok
    };
    if orders.iter().any(|o| agrees(o)) {
        return Ok(());
    }
    let statuses: Vec<&str> = orders.iter().flat_map(|o| o.raw_statuses.iter().map(String::as_str)).collect();
    Err(format!("get_order_status says {}", statuses.join(", ")))
}

/// A store with its own status words ("awaiting pickup") backs a claim
/// that repeats the word.
fn raw_says(order: &OrderFact, _state: OrderState, claim: &Claim) -> bool {
    order.states.is_empty() && order.raw_statuses.iter().any(|raw| !raw.is_empty() && super::text::words(raw).iter().all(|w| claim.words.contains(&w.folded)))
}
