//! Prices as stores send them (`"89.90"`) into the contract's minor units.

use crate::{ConnectorError, Money};

/// ISO 4217 currencies without minor units.
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];
/// ISO 4217 currencies with three decimals.
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Decimal places of a currency's minor unit (2 unless ISO 4217 says
/// otherwise).
pub fn minor_unit_digits(currency: &str) -> u32 {
    let code = currency.trim().to_ascii_uppercase();
    if ZERO_DECIMALS.contains(&code.as_str()) {
        0
    } else if THREE_DECIMALS.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// Parses a decimal amount (`"89.90"`, `"-5"`, `"1250.5"`) in `currency`
/// into minor units. Extra decimals are rounded half away from zero
/// (`"19.995"` EUR is 2000 cents).
pub fn money(amount: &str, currency: &str) -> Result<Money, ConnectorError> {
    let bad = || {
        ConnectorError::Upstream(format!(
            "price `{amount}` is not a decimal amount in {currency}"
        ))
    };
    let text = amount.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let places = minor_unit_digits(currency) as usize;
    let mut minor: i64 = 0;
    let kept = fraction.bytes().chain(std::iter::repeat(b'0')).take(places);
    for byte in whole.bytes().chain(kept) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(byte - b'0')))
            .ok_or_else(bad)?;
    }
    if fraction.as_bytes().get(places).is_some_and(|b| *b >= b'5') {
        minor = minor.checked_add(1).ok_or_else(bad)?;
    }
    Ok(Money {
        amount_minor: if negative { -minor } else { minor },
        currency: currency.trim().to_ascii_uppercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor(amount: &str, currency: &str) -> i64 {
        money(amount, currency).unwrap().amount_minor
    }

    #[test]
    fn decimal_prices_become_minor_units() {
        assert_eq!(minor("89.90", "EUR"), 8990);
        assert_eq!(minor("89.9", "eur"), 8990);
        assert_eq!(minor("89", "EUR"), 8900);
        assert_eq!(minor(".5", "EUR"), 50);
        assert_eq!(minor("-5.25", "USD"), -525);
        assert_eq!(minor("19.995", "EUR"), 2000);
        assert_eq!(minor("19.994", "EUR"), 1999);
        assert_eq!(minor("1500", "JPY"), 1500);
        assert_eq!(minor("1500.6", "JPY"), 1501);
        assert_eq!(minor("1.234", "KWD"), 1234);
        assert_eq!(money("1", "eur").unwrap().currency, "EUR");
        for bad in ["", "-", "1,50", "abc", "1.2.3", "99999999999999999999"] {
            assert!(money(bad, "EUR").is_err(), "{bad}");
        }
    }
}
