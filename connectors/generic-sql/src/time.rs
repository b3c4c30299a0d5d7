//! Timestamps between the gateway (RFC 3339) and SQL (`YYYY-MM-DD
//! HH:MM:SS`). Database timestamps without a zone are read as UTC, as
//! WooCommerce's `*_gmt` columns are; the queries should return UTC.

/// Seconds since the Unix epoch of an RFC 3339 timestamp.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, rest) = (t.get(..10)?, t.get(10..)?);
    if !matches!(rest.as_bytes().first(), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let mut d = date.split('-');
    let (year, month, day) = (d.next()?.parse::<i64>().ok()?, d.next()?.parse::<u32>().ok()?, d.next()?.parse::<u32>().ok()?);
    let time = &rest[1..];
    let (hms, mut zone) = time.split_at(time.find(['Z', 'z', '+', '-']).unwrap_or(time.len()));
    let hms = hms.split('.').next()?;
    let mut h = hms.split(':');
    let (hour, minute, second) = (h.next()?.parse::<i64>().ok()?, h.next()?.parse::<i64>().ok()?, h.next().unwrap_or("0").parse::<i64>().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset = if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        zone = &zone[1..];
        let (oh, om) = zone.split_once(':').unwrap_or((zone.get(..2)?, zone.get(2..).unwrap_or("0")));
        sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().unwrap_or(0) * 60)
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if month <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, month, day)
}

/// `YYYY-MM-DD HH:MM:SS` in UTC.
fn sql_utc(seconds: i64) -> String {
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// The value bound to `:since`: the gateway's RFC 3339 time in UTC, rounded
/// down to the second (the queries compare with `>=`, so a product changed
/// in that second is fetched again rather than missed). PostgreSQL gets an
/// explicit `+00` so a `timestamptz` cast does not depend on the session's
/// time zone; MySQL and MariaDB do not parse zones in timestamps.
pub fn since_param(since: &str, postgres: bool) -> Option<String> {
    let text = sql_utc(parse_rfc3339(since)?);
    Some(if postgres { format!("{text}+00") } else { text })
}

/// A database timestamp (`2024-05-01T10:00:00`, `2024-05-01 10:00:00.5`,
/// with or without a zone) as RFC 3339; without a zone it is UTC.
pub fn rfc3339(text: &str) -> Option<String> {
    let t = text.trim();
    let seconds = parse_rfc3339(t)?;
    let has_zone = t.len() > 10 && t[10..].contains(['Z', 'z', '+']) || t.get(11..).is_some_and(|time| time.contains('-'));
    if has_zone {
        Some(t.replacen(' ', "T", 1))
    } else {
        let fraction = t.split_once('.').map(|(_, f)| f).filter(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
        let base = sql_utc(seconds).replacen(' ', "T", 1);
        Some(match fraction {
            Some(f) => format!("{base}.{f}Z"),
            None => format!("{base}Z"),
        })
    }
}

/// Seconds since the epoch as RFC 3339 (for integer timestamp columns).
pub fn from_unix(seconds: i64) -> String {
    format!("{}Z", sql_utc(seconds).replacen(' ', "T", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_utc_to_the_second() {
        assert_eq!(since_param("2026-11-26T01:14:08.987654321+00:00", false).as_deref(), Some("2026-11-26 01:14:08"));
        assert_eq!(since_param("2026-11-26T01:14:08+02:00", true).as_deref(), Some("2026-11-25 23:14:08+00"));
        assert_eq!(since_param("2024-02-29T23:30:00-01:00", false).as_deref(), Some("2024-03-01 00:30:00"));
        assert_eq!(since_param("yesterday", false), None);
    }

    #[test]
    fn database_times_become_rfc3339() {
        assert_eq!(rfc3339("2024-05-01 10:00:00").as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(rfc3339("2024-05-01T10:00:00.250").as_deref(), Some("2024-05-01T10:00:00.250Z"));
        assert_eq!(rfc3339("2024-05-01T10:00:00Z").as_deref(), Some("2024-05-01T10:00:00Z"));
        assert_eq!(rfc3339("2024-05-01 10:00:00+02:00").as_deref(), Some("2024-05-01T10:00:00+02:00"));
        assert_eq!(rfc3339("not a time"), None);
        assert_eq!(from_unix(0), "1970-01-01T00:00:00Z");
    }
}
