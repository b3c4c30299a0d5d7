//! What the turn's tool results establish: stock and prices per product,
//! order statuses, the shipping table; and the products known in the turn,
//! so a sentence's words can be tied to the product they name.

use std::collections::HashMap;

use serde_json::Value;

use super::OrderState;
use super::figures::Money;
use super::lexicon::STATE_WORDS;
use super::text::{self, find_cue};
use crate::catalog::Product;
use crate::connector::tools::GET_ORDER_STATUS;
use crate::tools::ToolOutcome;
use crate::tools::catalog::{GET_STOCK, SEARCH_PRODUCTS};
use crate::tools::shipping::GET_SHIPPING;

/// A product the turn knows of (shown, retrieved or named in history):
/// its titles in every language the catalog has, and its SKUs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnownProduct {
    pub id: String,
    pub titles: Vec<String>,
    pub skus: Vec<String>,
}

impl KnownProduct {
    pub fn from_product(product: &Product) -> Self {
        let mut titles = vec![product.title.clone()];
        titles.extend(product.translations.values().filter_map(|t| t.title.clone()));
        Self { id: product.id.clone(), titles, skus: product.variants.iter().map(|v| v.sku.clone()).collect() }
    }
}

/// One variant's stock as `get_stock` returned it.
#[derive(Debug, Clone)]
pub(crate) struct VariantStock {
    pub sku: String,
    /// Option values, folded ("m", "negro").
    pub options: Vec<(String, String)>,
    pub available: bool,
    pub quantity: Option<i64>,
}

/// A successful `get_stock` result.
#[derive(Debug, Clone)]
pub(crate) struct StockFact {
    pub product_id: String,
    pub variants: Vec<VariantStock>,
    /// Folded sizes in stock (over all sizes, for the requested colour).
    pub sizes_in_stock: Vec<String>,
}

/// A price a tool returned, with the product it belongs to, if any.
#[derive(Debug, Clone)]
pub(crate) struct PriceFact {
    pub product_id: Option<String>,
    pub price: Money,
    /// The price before a discount, for "20% off".
    pub compare_at: Option<Money>,
}

/// A successful `get_order_status` result.
#[derive(Debug, Clone)]
pub(crate) struct OrderFact {
    /// Letters and digits of the reference, folded ("1042" for "#1042").
    pub order_ref: String,
    pub states: Vec<OrderState>,
    /// Folded raw statuses, for stores with their own vocabulary.
    pub raw_statuses: Vec<String>,
    pub tracking: Vec<String>,
    pub skus: Vec<String>,
}

/// One zone of a `get_shipping` result.
#[derive(Debug, Clone)]
pub(crate) struct ShippingZone {
    /// Folded words of the zone's name.
    pub names: Vec<Vec<String>>,
    pub cost: Option<Money>,
    pub free_over: Option<Money>,
    pub delivery_days: Option<(u32, u32)>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ShippingFact {
    pub zones: Vec<ShippingZone>,
    pub dispatch_days: Option<(u32, u32)>,
}

/// Everything the turn's tools established, to check claims against.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub(crate) products: Vec<KnownProduct>,
    pub(crate) stock: Vec<StockFact>,
    pub(crate) prices: Vec<PriceFact>,
    pub(crate) orders: Vec<OrderFact>,
    pub(crate) shipping: Vec<ShippingFact>,
    /// Tools that were called and failed, for the reasons given.
    pub(crate) failed: Vec<String>,
    store_currency: Option<String>,
    /// Title words of `products`, rebuilt when a tool adds a product.
    titles: TitleIndex,
}

/// Words that say nothing about which product a title names: the
/// search's function words and these.
fn is_title_stop_word(word: &str) -> bool {
    crate::search::hybrid::is_stop_word(word) || ["em", "amb"].contains(&word)
}

/// Capitalised words that are not product names.
const COMMON_CAPS: &[&str] = &[
    "i",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "spain",
    "espana",
    "europe",
    "european",
    "eu",
    "barcelona",
    "madrid",
    "france",
    "germany",
    "italy",
    "portugal",
    "catalunya",
    "cataluna",
    "andorra",
    "canarias",
    "canary",
    "islands",
    "balearic",
    "baleares",
    "uk",
    "usa",
    "visa",
    "mastercard",
    "paypal",
    "bizum",
    "ups",
    "dhl",
    "seur",
    "correos",
    "gls",
    "mrw",
];

impl Evidence {
    /// Evidence from the turn's tool outcomes and the products it knows;
    /// prices without a currency of their own are in `store_currency`.
    pub fn new(outcomes: &[ToolOutcome], known: &[KnownProduct], store_currency: &str) -> Self {
        let mut evidence = Self { products: known.to_vec(), store_currency: Some(store_currency.to_owned()), ..Self::default() };
        for outcome in outcomes {
            evidence.add_one(outcome);
        }
        evidence.titles = TitleIndex::new(&evidence.products);
        evidence
    }

    /// Adds one tool outcome (the turn's loop can add them as they come).
    pub fn add(&mut self, outcome: &ToolOutcome) {
        let known = self.products.len();
        self.add_one(outcome);
        if self.products.len() != known || self.titles.products == 0 {
            self.titles = TitleIndex::new(&self.products);
        }
    }

    fn add_one(&mut self, outcome: &ToolOutcome) {
        if !outcome.ok {
            self.failed.push(outcome.name.clone());
            return;
        }
        let r = &outcome.result;
        match outcome.name.as_str() {
            GET_STOCK => self.add_stock(r),
            SEARCH_PRODUCTS => self.add_search(r),
            GET_ORDER_STATUS => self.add_order(r),
            GET_SHIPPING => self.add_shipping(r),
            _ => {}
        }
    }

    /// Whether any tool of this name answered in the turn.
    pub fn has_tool_result(&self, tool: &str) -> bool {
        match tool {
            GET_STOCK => !self.stock.is_empty(),
            GET_ORDER_STATUS => !self.orders.is_empty(),
            GET_SHIPPING => !self.shipping.is_empty(),
            _ => false,
        }
    }

    fn currency_of(&self, result: &Value) -> Option<&'static str> {
        let code = result.get("currency").and_then(Value::as_str).or(self.store_currency.as_deref())?;
        iso_code(code)
    }

    fn add_stock(&mut self, r: &Value) {
        let Some(product_id) = r.get("product_id").and_then(Value::as_str) else { return };
        let currency = self.currency_of(r);
        let variants = array(r, "variants");
        let mut facts = Vec::new();
        for v in variants {
            let options: Vec<(String, String)> = v
                .get("options")
                .and_then(Value::as_object)
                .map(|o| o.iter().filter_map(|(k, val)| val.as_str().map(|s| (fold(k), fold(s)))).collect())
                .unwrap_or_default();
            let quantity = v.get("quantity").and_then(Value::as_i64);
            let available = v.get("available").and_then(Value::as_bool).unwrap_or(quantity.is_some_and(|q| q > 0));
            let sku = v.get("sku").and_then(Value::as_str).unwrap_or_default().to_owned();
            if let Some(price) = json_money(v.get("price"), currency) {
                self.prices.push(PriceFact { product_id: Some(product_id.to_owned()), price, compare_at: json_money(v.get("compare_at_price"), currency) });
            }
            facts.push(VariantStock { sku, options, available, quantity });
        }
        let sizes_in_stock = array(r, "sizes_in_stock").iter().filter_map(Value::as_str).map(fold).collect();
        let title = r.get("title").and_then(Value::as_str).unwrap_or_default();
        self.learn_product(product_id, title, facts.iter().map(|v| v.sku.clone()).collect());
        self.stock.push(StockFact { product_id: product_id.to_owned(), variants: facts, sizes_in_stock });
    }

    fn add_search(&mut self, r: &Value) {
        for p in array(r, "products") {
            let Some(id) = p.get("product_id").and_then(Value::as_str) else { continue };
            let currency = self.currency_of(p);
            if let Some(price) = json_money(p.get("from_price"), currency) {
                self.prices.push(PriceFact { product_id: Some(id.to_owned()), price, compare_at: None });
            }
            self.learn_product(id, p.get("title").and_then(Value::as_str).unwrap_or_default(), Vec::new());
        }
    }

    fn add_order(&mut self, r: &Value) {
        let order_ref = r.get("order_ref").and_then(Value::as_str).map(ref_key).unwrap_or_default();
        let mut raw_statuses: Vec<String> = r.get("status").and_then(Value::as_str).map(fold).into_iter().collect();
        let mut tracking = Vec::new();
        for f in array(r, "fulfilments") {
            raw_statuses.extend(f.get("status").and_then(Value::as_str).map(fold));
            for t in array(f, "tracking") {
                tracking.extend(t.get("number").and_then(Value::as_str).map(str::to_owned));
            }
        }
        let states = states_of(&raw_statuses);
        let total_currency = r.get("total").and_then(|t| t.get("currency")).and_then(Value::as_str).and_then(iso_code).or(self.currency_of(r));
        if let Some(total) = r.get("total").and_then(|t| json_money(t.get("amount"), total_currency)) {
            self.prices.push(PriceFact { product_id: None, price: total, compare_at: None });
        }
        let mut skus = Vec::new();
        for item in array(r, "items") {
            if let Some(price) = json_money(item.get("price"), total_currency) {
                self.prices.push(PriceFact { product_id: None, price, compare_at: None });
            }
            skus.extend(item.get("sku").and_then(Value::as_str).map(str::to_owned));
        }
        self.orders.push(OrderFact { order_ref, states, raw_statuses, tracking, skus });
    }

    fn add_shipping(&mut self, r: &Value) {
        let currency = self.currency_of(r);
        let zones = array(r, "zones")
            .iter()
            .map(|z| {
                let names: Vec<Vec<String>> = z.get("name").and_then(Value::as_str).map(name_words).into_iter().collect();
                ShippingZone {
                    names,
                    cost: json_money(z.get("cost"), currency),
                    free_over: json_money(z.get("free_over"), currency),
                    delivery_days: day_span(z.get("delivery_days")),
                }
            })
            .collect();
        self.shipping.push(ShippingFact { zones, dispatch_days: day_span(r.get("dispatch_days")) });
    }

    /// Adds a product a tool answered about, or its missing titles and SKUs.
    fn learn_product(&mut self, id: &str, title: &str, skus: Vec<String>) {
        let index = match self.products.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                self.products.push(KnownProduct { id: id.to_owned(), ..KnownProduct::default() });
                self.products.len() - 1
            }
        };
        let product = &mut self.products[index];
        if !title.is_empty() && !product.titles.iter().any(|t| t == title) {
            product.titles.push(title.to_owned());
        }
        for sku in skus {
            if !product.skus.contains(&sku) {
                product.skus.push(sku);
            }
        }
    }

    /// The products a claim names: by SKU, else by the words of its title
    /// (in the clause, else in the whole sentence). `unknown` is set when
    /// the sentence names a product the turn does not know ("the Siurana
    /// Leather Jacket" when no such product was shown or looked up).
    pub(crate) fn named_products(&self, claim: &super::Claim) -> Named {
        let mut ids: Vec<String> = Vec::new();
        for code in &claim.codes {
            for p in &self.products {
                if p.skus.iter().any(|s| s.eq_ignore_ascii_case(code)) && !ids.contains(&p.id) {
                    ids.push(p.id.clone());
                }
            }
        }
        if !ids.is_empty() {
            return Named { ids, unknown: None };
        }
        let index = &self.titles;
        for words in [&claim.words, &claim.sentence_words] {
            let ids = index.named(words);
            if !ids.is_empty() {
                return Named { ids, unknown: None };
            }
        }
        Named { ids: Vec::new(), unknown: index.unknown_name(claim) }
    }
}

/// What a claim names.
pub(crate) struct Named {
    pub ids: Vec<String>,
    pub unknown: Option<String>,
}

/// Title words of the known products, weighted by how few titles share
/// them: "Sitges" tells products apart, "shirt" hardly does.
#[derive(Debug, Clone, Default)]
struct TitleIndex {
    titles: Vec<(String, Vec<String>)>,
    df: HashMap<String, usize>,
    products: usize,
}

impl TitleIndex {
    fn new(products: &[KnownProduct]) -> Self {
        let mut titles = Vec::new();
        let mut df: HashMap<String, usize> = HashMap::new();
        for p in products {
            let mut seen: Vec<String> = Vec::new();
            for title in &p.titles {
                let words = title_words(title);
                for w in &words {
                    if !seen.contains(w) {
                        seen.push(w.clone());
                    }
                }
                titles.push((p.id.clone(), words));
            }
            for w in seen {
                *df.entry(w).or_default() += 1;
            }
        }
        Self { titles, df, products: products.len() }
    }

    fn weight(&self, word: &str) -> f64 {
        let df = self.df.get(word).copied().unwrap_or(1) as f64;
        (1.0 + self.products as f64 / df).ln()
    }

    /// Products whose title the words cover by at least half of its
    /// weight, keeping only the best-covered ones.
    fn named(&self, words: &[String]) -> Vec<String> {
        let mut scores: Vec<(String, f64)> = Vec::new();
        for (id, title) in &self.titles {
            let total: f64 = title.iter().map(|w| self.weight(w)).sum();
            if total <= 0.0 {
                continue;
            }
            let hit: f64 = title.iter().filter(|w| words.contains(w)).map(|w| self.weight(w)).sum();
            let score = hit / total;
            match scores.iter_mut().find(|(pid, _)| pid == id) {
                Some(entry) => entry.1 = entry.1.max(score),
                None => scores.push((id.clone(), score)),
            }
        }
        let best = scores.iter().map(|(_, s)| *s).fold(0.0, f64::max);
        if best < 0.5 {
            return Vec::new();
        }
        scores.into_iter().filter(|(_, s)| *s >= 0.5 && *s >= best - 0.15).map(|(id, _)| id).collect()
    }

    /// A capitalised word no known title has, next to a title word ("the
    /// Siurana Leather Jacket", "la chaqueta Siurana"), or a run of two
    /// such words: a product name the turn never saw.
    fn unknown_name(&self, claim: &super::Claim) -> Option<String> {
        let unknown = |w: &str| !self.df.contains_key(w) && !COMMON_CAPS.contains(&w);
        let candidates: Vec<&(usize, String)> = claim.names.iter().filter(|(_, w)| unknown(w)).collect();
        for (i, word) in &candidates {
            let near = claim.sentence_words.iter().enumerate().any(|(j, w)| j != *i && j.abs_diff(*i) <= 3 && self.df.contains_key(w));
            let run = candidates.iter().any(|(j, _)| j.abs_diff(*i) == 1);
            if near || run {
                return Some(word.clone());
            }
        }
        None
    }
}

fn title_words(title: &str) -> Vec<String> {
    text::words(title).into_iter().map(|w| w.folded).filter(|w| w.chars().count() >= 2 && !is_title_stop_word(&w)).collect()
}

fn name_words(name: &str) -> Vec<String> {
    text::words(name).into_iter().map(|w| w.folded).filter(|w| !is_title_stop_word(&w)).collect()
}

fn fold(text: &str) -> String {
    crate::classify::fold(text.trim())
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The comparable part of an order reference: "#1042", "1042" and
/// "Order 1042" are the same order.
pub(crate) fn ref_key(order_ref: &str) -> String {
    let folded = fold(order_ref);
    let alnum: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    let digits: String = alnum.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 { digits } else { alnum }
}

/// A JSON price ("59.00" or 59.0) in minor units.
fn json_money(v: Option<&Value>, currency: Option<&'static str>) -> Option<Money> {
    let amount = match v? {
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        Value::Number(n) => n.as_f64()?,
        Value::Object(o) => return json_money(o.get("amount"), o.get("currency").and_then(Value::as_str).and_then(iso_code).or(currency)),
        _ => return None,
    };
    Some(Money { cents: (amount * 100.0).round() as i64, currency })
}

/// `{"min": 2, "max": 3}` or a single number.
fn day_span(v: Option<&Value>) -> Option<(u32, u32)> {
    match v? {
        Value::Number(n) => n.as_u64().map(|d| (d as u32, d as u32)),
        Value::Object(o) => {
            let min = o.get("min").and_then(Value::as_u64)?;
            let max = o.get("max").and_then(Value::as_u64).unwrap_or(min);
            Some((min as u32, max as u32))
        }
        _ => None,
    }
}

/// A currency code as a `'static` ISO code, so it compares with claims.
fn iso_code(code: &str) -> Option<&'static str> {
    const CODES: &[&str] = &[
        "EUR", "USD", "GBP", "PLN", "RUB", "UAH", "CHF", "CAD", "AUD", "NZD", "MXN", "BRL", "SEK", "DKK", "NOK", "CZK", "HUF", "JPY", "INR", "RON", "BGN",
        "TRY", "HKD", "SGD", "ZAR", "CLP", "COP", "ARS", "PEN", "ILS",
    ];
    CODES.iter().find(|c| c.eq_ignore_ascii_case(code.trim())).copied()
}

/// Order states a store system's statuses mean ("fulfilled" is shipped,
/// "completed" shipped or delivered, "partially_fulfilled" both shipped
/// and still in preparation).
pub(crate) fn states_of(raw: &[String]) -> Vec<OrderState> {
    let mut states = Vec::new();
    for status in raw {
        let words = text::words(&status.replace(['_', '-'], " "));
        let mut found: Vec<OrderState> = Vec::new();
        if status.contains("partial") {
            found.extend([OrderState::Shipped, OrderState::Processing]);
        } else if status == "completed" || status == "complete" {
            found.extend([OrderState::Shipped, OrderState::Delivered]);
        } else if let Some((_, state)) = STATE_WORDS.iter().find(|(cue, _)| find_cue(&words, &cue.replace(['_', '-'], " ")).is_some()) {
            found.push(*state);
        }
        // A delivered parcel was shipped first.
        if found.contains(&OrderState::Delivered) {
            found.push(OrderState::Shipped);
        }
        for s in found {
            if !states.contains(&s) {
                states.push(s);
            }
        }
    }
    states
}
