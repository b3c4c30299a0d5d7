//! Figures as shoppers and models write them: money in every common format
//! ("49,90 €", "€49.90", "49.90 EUR", "1.299,00 zł", "$1,299"), day counts
//! ("2-3 working days", "en 48h", "за 3 дня") and bare numbers. Amounts are
//! kept in minor units so "49,9 €" and "49.90 EUR" compare equal.

use serde::Serialize;

use super::text::Word;
use crate::classify::fold;

/// An amount of money in hundredths (cents), with the currency if written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Money {
    pub cents: i64,
    /// ISO 4217 code; `$` alone is [`DOLLAR`] (any dollar currency).
    pub currency: Option<&'static str>,
}

/// The currency of a bare `$`: the US, Canadian, Australian... dollar.
pub const DOLLAR: &str = "$";

impl Money {
    /// Whether two currencies can be the same one (an unwritten currency can).
    pub fn same_currency(a: Option<&str>, b: Option<&str>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || dollar_pair(a, b) || dollar_pair(b, a),
            _ => true,
        }
    }

    /// Whether `self` and `other` are the same amount in a compatible currency.
    pub fn matches(&self, other: &Money) -> bool {
        self.cents == other.cents && Self::same_currency(self.currency, other.currency)
    }
}

fn dollar_pair(symbol: &str, code: &str) -> bool {
    symbol == DOLLAR && code.len() == 3 && (code.ends_with('D') || code.eq_ignore_ascii_case("MXN"))
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.cents / 100, (self.cents % 100).abs())?;
        if let Some(c) = self.currency {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// A span of days, as in "2-3 working days" (2..=3) or "48h" (2..=2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRange {
    pub min: u32,
    pub max: u32,
}

/// A number in the sentence and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// The value in hundredths, so 49,90 is 4990.
    pub hundredths: i64,
    /// Whether it had decimals.
    pub decimal: bool,
    pub start: usize,
    pub end: usize,
}

impl Number {
    pub fn integer(&self) -> Option<u32> {
        (!self.decimal && self.hundredths % 100 == 0).then(|| u32::try_from(self.hundredths / 100).ok()).flatten()
    }
}

/// Currency symbols and words, folded, to ISO codes. Longest first so "R$"
/// wins over "$".
const CURRENCIES: &[(&str, &str)] = &[
    ("r$", "BRL"),
    ("us$", "USD"),
    ("€", "EUR"),
    ("eur", "EUR"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("евро", "EUR"),
    ("evro", "EUR"),
    ("£", "GBP"),
    ("gbp", "GBP"),
    ("libras", "GBP"),
    ("pounds", "GBP"),
    ("zł", "PLN"),
    ("zl", "PLN"),
    ("pln", "PLN"),
    ("₽", "RUB"),
    ("rub", "RUB"),
    ("руб", "RUB"),
    ("рублеи", "RUB"),
    ("рубля", "RUB"),
    ("рубль", "RUB"),
    ("р", "RUB"),
    ("₴", "UAH"),
    ("грн", "UAH"),
    ("uah", "UAH"),
    ("chf", "CHF"),
    ("fr", "CHF"),
    ("usd", "USD"),
    ("dollars", "USD"),
    ("dolares", "USD"),
    ("dollari", "USD"),
    ("dolars", "USD"),
    ("долларов", "USD"),
    ("cad", "CAD"),
    ("aud", "AUD"),
    ("mxn", "MXN"),
    ("brl", "BRL"),
    ("reais", "BRL"),
    ("sek", "SEK"),
    ("kr", "SEK"),
    ("dkk", "DKK"),
    ("nok", "NOK"),
    ("czk", "CZK"),
    ("kč", "CZK"),
    ("huf", "HUF"),
    ("ft", "HUF"),
    ("¥", "JPY"),
    ("jpy", "JPY"),
    ("₹", "INR"),
    ("inr", "INR"),
    ("$", DOLLAR),
];

/// The numbers in `text`: digits with thousands separators (`.`, `,`,
/// space, `'`) and up to two decimals. A single separator before exactly
/// three digits groups thousands ("1.299" and "1,299" are both 1299): shops
/// rarely quote three decimals, and the two readings agree on the digits.
pub(crate) fn numbers(text: &str) -> Vec<Number> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // Digits inside a code ("LT-SHI-0001", "A12") are not figures.
        if i > 0 && (bytes[i - 1].is_ascii_alphabetic() || bytes[i - 1] == b'-' && preceded_by_code(bytes, i - 1)) {
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        let start = i;
        // Groups of digits separated by one separator character.
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut seps: Vec<char> = Vec::new();
        let mut j = i;
        loop {
            let g = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            groups.push((g, j));
            let Some((sep, width)) = separator_at(text, j) else { break };
            let after = j + width;
            let digits = bytes[after..].iter().take_while(|b| b.is_ascii_digit()).count();
            // A space only separates thousands ("1 299"), never "2 3".
            let thousands_like = digits == 3 && bytes.get(after + 3).is_none_or(|b| !b.is_ascii_digit());
            if digits == 0 || ((sep == ' ' || sep == '\u{a0}' || sep == '\u{202f}' || sep == '\'') && !thousands_like) {
                break;
            }
            seps.push(sep);
            j = after;
        }
        let end = groups.last().map_or(j, |g| g.1);
        // Skip the rest of a code such as an SKU ("0001-WHT").
        let in_code = bytes.get(end).is_some_and(|b| b.is_ascii_alphabetic() && !is_unit_suffix(text, end));
        if !in_code && let Some((hundredths, decimal)) = value(text, &groups, &seps) {
            out.push(Number { hundredths, decimal, start, end });
        }
        i = end.max(i + 1);
    }
    out
}

fn preceded_by_code(bytes: &[u8], dash: usize) -> bool {
    dash > 0 && bytes[dash - 1].is_ascii_alphabetic()
}

/// "48h", "3d", "2x" keep their number; "0001WHT" does not.
fn is_unit_suffix(text: &str, at: usize) -> bool {
    let rest: String = text[at..].chars().take_while(|c| c.is_alphabetic()).collect();
    matches!(fold(&rest).as_str(), "h" | "hrs" | "hr" | "d" | "x" | "ч" | "zl" | "zł" | "eur" | "usd" | "gbp" | "pln" | "chf" | "rub" | "kr" | "ft")
}

fn separator_at(text: &str, at: usize) -> Option<(char, usize)> {
    let c = text[at..].chars().next()?;
    matches!(c, '.' | ',' | ' ' | '\u{a0}' | '\u{202f}' | '\'').then_some((c, c.len_utf8()))
}

/// The value of digit groups joined by separators, in hundredths.
fn value(text: &str, groups: &[(usize, usize)], seps: &[char]) -> Option<(i64, bool)> {
    let digits = |g: &(usize, usize)| &text[g.0..g.1];
    let last_sep = seps.last().copied();
    // The decimal separator is the last `.` or `,` when it is followed by
    // one or two digits, or when both kinds appear ("1.299,00").
    let decimal = match last_sep {
        Some(sep @ ('.' | ',')) => {
            let last_len = digits(groups.last()?).len();
            let mixed = seps.iter().any(|s| *s != sep);
            (last_len <= 2 || mixed && last_len != 3) && seps.iter().filter(|s| **s == sep).count() == 1
        }
        _ => false,
    };
    let (int_groups, frac) = if decimal { (&groups[..groups.len() - 1], Some(digits(groups.last()?))) } else { (groups, None) };
    let int: String = int_groups.iter().map(digits).collect();
    let int: i64 = int.parse().ok()?;
    let frac_hundredths: i64 = match frac {
        Some(f) if f.len() == 1 => f.parse::<i64>().ok()? * 10,
        Some(f) => f.parse().ok()?,
        None => 0,
    };
    Some((int.checked_mul(100)?.checked_add(frac_hundredths)?, decimal))
}

/// The currency written right before or after a number (spaces allowed),
/// e.g. "€ 49", "49,90 €", "49.90 EUR", "$1,299", "1 299 руб.".
pub(crate) fn currency_near(text: &str, number: &Number) -> Option<&'static str> {
    let after = text[number.end..].trim_start_matches([' ', '\u{a0}', '\u{202f}']);
    let after = after.strip_prefix(",-").or_else(|| after.strip_prefix(",–")).map_or(after, |s| s.trim_start());
    if let Some(code) = currency_prefix(after) {
        return Some(code);
    }
    let before = text[..number.start].trim_end_matches([' ', '\u{a0}', '\u{202f}']);
    currency_suffix(before)
}

fn currency_prefix(text: &str) -> Option<&'static str> {
    let word: String = text.chars().take_while(|c| c.is_alphabetic() || "€$£₽₴¥₹".contains(*c)).collect();
    let folded = fold(&word);
    CURRENCIES.iter().find(|(mark, _)| folded == *mark || (!mark.chars().any(char::is_alphabetic) && folded.starts_with(mark))).map(|(_, code)| *code).or_else(
        || {
            // Russian "руб." and "рублеи" share a stem.
            folded.starts_with("руб").then_some("RUB")
        },
    )
}

fn currency_suffix(text: &str) -> Option<&'static str> {
    let tail: String = text.chars().rev().take_while(|c| c.is_alphabetic() || "€$£₽₴¥₹".contains(*c)).collect::<Vec<_>>().into_iter().rev().collect();
    let folded = fold(&tail);
    if folded.is_empty() {
        return None;
    }
    CURRENCIES.iter().find(|(mark, _)| folded == *mark || (!mark.chars().all(char::is_alphabetic) && folded.ends_with(mark))).map(|(_, code)| *code)
}

/// Day-count units (folded word stems) and how many days one is.
const DAY_UNITS: &[(&str, u32)] = &[
    ("day", 1),
    ("days", 1),
    ("dia", 1),
    ("dias", 1),
    ("dies", 1),
    ("день", 1),
    ("дня", 1),
    ("днеи", 1),
    ("сут", 1),
    ("jour", 1),
    ("jours", 1),
    ("tag", 1),
    ("tage", 1),
    ("tagen", 1),
    ("werktag", 1),
    ("werktage", 1),
    ("werktagen", 1),
    ("arbeitstag", 1),
    ("arbeitstage", 1),
    ("arbeitstagen", 1),
    ("giorno", 1),
    ("giorni", 1),
    ("week", 7),
    ("weeks", 7),
    ("semana", 7),
    ("semanas", 7),
    ("setmana", 7),
    ("setmanes", 7),
    ("неделя", 7),
    ("недели", 7),
    ("недель", 7),
    ("неделю", 7),
    ("semaine", 7),
    ("semaines", 7),
    ("woche", 7),
    ("wochen", 7),
    ("settimana", 7),
    ("settimane", 7),
];

/// Hour units: 24 hours are a day, so "48h" is 2 days.
const HOUR_UNITS: &[&str] =
    &["h", "hrs", "hr", "hour", "hours", "horas", "hores", "hora", "heures", "heure", "stunden", "std", "ore", "часа", "часов", "час", "ч"];

/// Words that may stand between a number and its unit ("2 working days").
#[rustfmt::skip]
const UNIT_FILLERS: &[&str] = &[
    "working", "business", "week", "habiles", "laborables", "utiles", "uteis", "рабочих", "рабочии", "рабочие", "календарных", "ouvres", "ouvrables",
    "ouvrable", "lavorativi", "lavorativo", "feiners", "laborals", "habils",
];

/// Small numbers written as words, in the eight languages.
#[rustfmt::skip]
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5), ("six", 6), ("seven", 7), ("ten", 10),
    ("un", 1), ("uno", 1), ("una", 1), ("dos", 2), ("tres", 3), ("cuatro", 4), ("cinco", 5), ("siete", 7), ("diez", 10),
    ("один", 1), ("одна", 1), ("одну", 1), ("два", 2), ("две", 2), ("три", 3), ("четыре", 4), ("пять", 5), ("семь", 7), ("десять", 10),
    ("dues", 2), ("quatre", 4), ("cinc", 5), ("set", 7), ("deu", 10),
    ("une", 1), ("deux", 2), ("trois", 3), ("cinq", 5), ("sept", 7), ("dix", 10),
    ("ein", 1), ("eine", 1), ("einen", 1), ("zwei", 2), ("drei", 3), ("vier", 4), ("funf", 5), ("sieben", 7), ("zehn", 10),
    ("due", 2), ("quattro", 4), ("sette", 7), ("dieci", 10),
    ("um", 1), ("uma", 1), ("dois", 2), ("duas", 2), ("quatro", 4), ("sete", 7), ("dez", 10),
];

/// Day words that stand for a count: "tomorrow" is one day.
#[rustfmt::skip]
const DAY_WORDS: &[(&str, u32)] =
    &[("tomorrow", 1), ("manana", 1), ("завтра", 1), ("dema", 1), ("demain", 1), ("morgen", 1), ("domani", 1), ("amanha", 1), ("today", 0), ("hoy", 0), ("сегодня", 0), ("avui", 0), ("aujourd", 0), ("heute", 0), ("oggi", 0), ("hoje", 0)];

/// The day span a sentence states, if any: numbers (or number words, or a
/// range "2-3", "2 a 3", "2 to 3") followed by a day, week or hour unit;
/// "tomorrow" and "today" count too.
pub(crate) fn day_range(text: &str, words: &[Word], numbers: &[Number]) -> Option<DayRange> {
    for (i, word) in words.iter().enumerate() {
        let Some((unit_days, hours)) = unit_of(word) else { continue };
        // Walk back over fillers to the number(s).
        let mut k = i;
        while k > 0 && UNIT_FILLERS.contains(&words[k - 1].folded.as_str()) {
            k -= 1;
        }
        let values = values_before(text, words, numbers, k, word);
        if let Some((lo, hi)) = values {
            let convert = |v: u32| if hours { v.div_ceil(24) } else { v * unit_days };
            return Some(DayRange { min: convert(lo), max: convert(hi) });
        }
    }
    words.iter().find_map(|w| DAY_WORDS.iter().find(|(d, _)| w.folded == *d).map(|(_, n)| DayRange { min: *n, max: *n }))
}

/// Whether a folded word is a day, week or hour unit, alone or with its
/// number ("days", "48h").
pub(crate) fn is_time_unit(folded: &str) -> bool {
    unit_of_folded(folded).is_some()
}

fn unit_of(word: &Word) -> Option<(u32, bool)> {
    unit_of_folded(&word.folded)
}

fn unit_of_folded(folded: &str) -> Option<(u32, bool)> {
    // "48h" is one word with its number.
    let letters = folded.trim_start_matches(|c: char| c.is_ascii_digit());
    if HOUR_UNITS.contains(&letters) {
        return Some((1, true));
    }
    DAY_UNITS.iter().find(|(u, _)| *u == letters).map(|(_, d)| (*d, false))
}

/// The number or range just before word `k` (or inside it, "48h").
fn values_before(text: &str, words: &[Word], numbers: &[Number], k: usize, unit: &Word) -> Option<(u32, u32)> {
    let unit_start = if k < words.len() { words[k].start } else { unit.start };
    let attached = numbers.iter().find(|n| n.start == unit.start).and_then(Number::integer);
    if let Some(v) = attached {
        return Some(range_ending_at(text, numbers, unit.start).map_or((v, v), |lo| (lo, v)));
    }
    let hi_number = numbers.iter().rev().find(|n| n.end <= unit_start && text[n.end..unit_start].trim().is_empty());
    if let Some(n) = hi_number {
        let hi = n.integer()?;
        return Some(range_ending_at(text, numbers, n.start).map_or((hi, hi), |lo| (lo, hi)));
    }
    let prev = words[..k].last()?;
    let hi = NUMBER_WORDS.iter().find(|(w, _)| *w == prev.folded).map(|(_, n)| *n)?;
    Some((hi, hi))
}

/// The low end of a range whose high number starts at `at`: "2-3", "2–3",
/// "2 a 3", "2 to 3", "2 bis 3", "2 à 3", "от 2 до 3", "2 o 3".
fn range_ending_at(text: &str, numbers: &[Number], at: usize) -> Option<u32> {
    let lo = numbers.iter().rev().find(|n| n.end < at)?;
    let between = fold(text[lo.end..at].trim());
    let joiners = ["-", "–", "—", "a", "to", "bis", "à", "a", "до", "y", "o", "or", "ou", "oder", "e", "i", "и", "или", "und", "and"];
    joiners.contains(&between.as_str()).then(|| lo.integer()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Vec<(i64, Option<&'static str>)> {
        numbers(text).iter().map(|n| (n.hundredths, currency_near(text, n))).collect()
    }

    #[test]
    fn claims_money_formats() {
        assert_eq!(money("49,90 €"), vec![(4990, Some("EUR"))]);
        assert_eq!(money("€49.90"), vec![(4990, Some("EUR"))]);
        assert_eq!(money("49.90 EUR"), vec![(4990, Some("EUR"))]);
        assert_eq!(money("1.299,00 zł"), vec![(129900, Some("PLN"))]);
        assert_eq!(money("$1,299"), vec![(129900, Some("$"))]);
        assert_eq!(money("1 299 руб."), vec![(129900, Some("RUB"))]);
        assert_eq!(money("1,299.50 USD"), vec![(129950, Some("USD"))]);
        assert_eq!(money("CHF 12.-"), vec![(1200, Some("CHF"))]);
        assert_eq!(money("49,- €"), vec![(4900, Some("EUR"))]);
        assert_eq!(money("R$ 59,90"), vec![(5990, Some("BRL"))]);
        assert_eq!(money("4,5 €"), vec![(450, Some("EUR"))]);
        assert_eq!(money("59 euros"), vec![(5900, Some("EUR"))]);
        assert_eq!(money("a 59 евро"), vec![(5900, Some("EUR"))]);
        assert_eq!(money("size 38"), vec![(3800, None)]);
        assert!(money("LT-SHI-0001-WHT-XS").is_empty(), "SKU digits are not figures");
    }

    fn days(text: &str) -> Option<(u32, u32)> {
        let w = super::super::text::words(text);
        day_range(text, &w, &numbers(text)).map(|d| (d.min, d.max))
    }

    #[test]
    fn claims_day_ranges() {
        assert_eq!(days("in 2-3 working days"), Some((2, 3)));
        assert_eq!(days("en 48h"), Some((2, 2)));
        assert_eq!(days("en 24-48 horas"), Some((1, 2)));
        assert_eq!(days("за 3 дня"), Some((3, 3)));
        assert_eq!(days("от 2 до 4 рабочих днеи"), Some((2, 4)));
        assert_eq!(days("within two working days"), Some((2, 2)));
        assert_eq!(days("in 1-2 Wochen"), Some((7, 14)));
        assert_eq!(days("en 3 à 5 jours ouvrés"), Some((3, 5)));
        assert_eq!(days("arriva domani"), Some((1, 1)));
        assert_eq!(days("entre 2 e 4 dias úteis"), Some((2, 4)));
        assert_eq!(days("it costs 49 €"), None);
    }
}
