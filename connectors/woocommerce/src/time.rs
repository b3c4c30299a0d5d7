//! WooCommerce's dates: ISO 8601 without a zone, the `*_gmt` fields in UTC.
//! The contract wants RFC 3339, and `modified_after` wants the gateway's
//! RFC 3339 instant as a UTC date-time (with `dates_are_gmt=true`), since
//! WordPress's date query drops an offset it does not expect.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

fn format_utc(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

fn number(text: &str) -> Option<i64> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`; a time
/// without a zone is UTC.
fn parse_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut parts = date.split('-');
    let (year, month, day) = (number(parts.next()?)?, number(parts.next()?)?, number(parts.next()?)?);
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => (&time[..at], &time[at..]),
        None => (time, ""),
    };
    let clock = clock.split('.').next()?;
    let mut hms = clock.split(':');
    let (hour, minute, second) = (number(hms.next()?)?, number(hms.next()?)?, number(hms.next().unwrap_or("0"))?);
    if hms.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_seconds = match offset {
        "" | "Z" | "z" => 0,
        signed => {
            let sign = if signed.starts_with('-') { -1 } else { 1 };
            let (h, m) = signed[1..].split_once(':').unwrap_or((&signed[1..], "0"));
            sign * (number(h)? * 3600 + number(m)? * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

/// The gateway's `since` (RFC 3339) as the UTC date-time `modified_after`
/// takes with `dates_are_gmt=true`, one second early: WordPress keeps
/// whole seconds and `modified_after` is strict, so a product saved in the
/// second `since` falls in (after the previous run started, it may not have
/// been seen). A product seen twice is harmless.
pub fn modified_after(since: &str) -> Option<String> {
    parse_seconds(since).map(|seconds| format_utc(seconds - 1))
}

/// A `*_gmt` field (`2025-03-01T09:00:00`) as RFC 3339.
pub fn gmt_to_rfc3339(gmt: &str) -> Option<String> {
    parse_seconds(gmt).map(|s| format!("{}Z", format_utc(s)))
}

/// A Unix timestamp (as tracking plugins store `date_shipped`) as RFC 3339.
pub fn unix_to_rfc3339(seconds: i64) -> String {
    format!("{}Z", format_utc(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_become_utc_date_times() {
        assert_eq!(modified_after("2026-11-26T01:13:39.123456+00:00").as_deref(), Some("2026-11-26T01:13:38"));
        assert_eq!(modified_after("2026-01-01T00:30:00+01:00").as_deref(), Some("2025-12-31T23:29:59"));
        assert_eq!(modified_after("2024-02-29T22:00:00-03:00").as_deref(), Some("2024-03-01T00:59:59"));
        assert_eq!(modified_after("yesterday"), None);
        assert_eq!(modified_after("2026-13-01T00:00:00Z"), None);
        assert_eq!(gmt_to_rfc3339("2025-03-01T09:00:00").as_deref(), Some("2025-03-01T09:00:00Z"));
        assert_eq!(unix_to_rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(unix_to_rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
