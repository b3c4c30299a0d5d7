//! When a store's people answer: weekly opening hours in the store's time
//! zone, with closed dates. Outside them, a handoff tells the shopper when a
//! person will be back and invites an email address.
//!
//! ```toml
//! [handoff.hours]
//! timezone = "Europe/Madrid"
//! open = ["mon-fri 09:00-14:00,16:00-19:00", "sat 10:00-14:00"]
//! closed_dates = ["2026-12-25", "2027-01-01"]
//! ```

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::config::HoursConfig;

/// How far ahead the next opening is looked for.
const LOOKAHEAD_DAYS: i64 = 31;

/// Opening hours, parsed and checked.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    zone: Tz,
    /// Per weekday (Monday first): open intervals, start before end, in
    /// local time. An end of 24:00 is the day's end.
    weekly: [Vec<(NaiveTime, Option<NaiveTime>)>; 7],
    closed: HashSet<NaiveDate>,
}

impl BusinessHours {
    /// Reads the config; the error names the part that is wrong and the
    /// form expected.
    pub fn parse(config: &HoursConfig) -> Result<Self, String> {
        let zone: Tz = config.timezone.parse().map_err(|_| format!("`{}` is not an IANA time zone (like Europe/Madrid)", config.timezone))?;
        let mut weekly: [Vec<(NaiveTime, Option<NaiveTime>)>; 7] = Default::default();
        if config.open.is_empty() {
            return Err("`open` is empty: list when people answer, like \"mon-fri 09:00-18:00\"".into());
        }
        for line in &config.open {
            let (days, ranges) =
                line.trim().split_once(char::is_whitespace).ok_or_else(|| format!("`{line}`: expected days then times, like \"mon-fri 09:00-18:00\""))?;
            let ranges = parse_ranges(line, ranges)?;
            for day in parse_days(line, days)? {
                weekly[day.num_days_from_monday() as usize].extend(ranges.iter().copied());
            }
        }
        let closed = config
            .closed_dates
            .iter()
            .map(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| format!("closed date `{d}` is not YYYY-MM-DD")))
            .collect::<Result<_, _>>()?;
        Ok(Self { zone, weekly, closed })
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether people answer at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.zone);
        let (date, time) = (local.date_naive(), local.time());
        !self.closed.contains(&date) && self.ranges(date).iter().any(|(start, end)| time >= *start && end.is_none_or(|end| time < end))
    }

    /// The next moment people answer after `at` (`at` itself when open), in
    /// the store's zone; none when no opening falls in the next month.
    pub fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Tz>> {
        if self.is_open(at) {
            return Some(at.with_timezone(&self.zone));
        }
        let local = at.with_timezone(&self.zone);
        (0..=LOOKAHEAD_DAYS).find_map(|offset| {
            let date = local.date_naive() + Duration::days(offset);
            if self.closed.contains(&date) {
                return None;
            }
            let mut starts: Vec<NaiveTime> = self.ranges(date).iter().map(|(start, _)| *start).collect();
            starts.sort();
            starts.into_iter().filter(|start| offset > 0 || *start > local.time()).find_map(|start| {
                // A start in a DST gap (it does not exist that day) is
                // taken at the earliest valid moment after it.
                self.zone
                    .from_local_datetime(&date.and_time(start))
                    .earliest()
                    .or_else(|| self.zone.from_local_datetime(&(date.and_time(start) + Duration::hours(1))).earliest())
            })
        })
    }

    fn ranges(&self, date: NaiveDate) -> &[(NaiveTime, Option<NaiveTime>)] {
        &self.weekly[date.weekday().num_days_from_monday() as usize]
    }
}

fn parse_days(line: &str, days: &str) -> Result<Vec<Weekday>, String> {
    let day = |name: &str| -> Result<Weekday, String> {
        name.trim().parse::<Weekday>().map_err(|_| format!("`{line}`: `{name}` is not a day (mon, tue, wed, thu, fri, sat, sun)"))
    };
    let mut out = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (mut current, last) = (day(from)?, day(to)?);
                loop {
                    out.push(current);
                    if current == last {
                        break;
                    }
                    current = current.succ();
                }
            }
            None => out.push(day(part)?),
        }
    }
    Ok(out)
}

fn parse_ranges(line: &str, ranges: &str) -> Result<Vec<(NaiveTime, Option<NaiveTime>)>, String> {
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| format!("`{line}`: `{t}` is not a time like 09:00"));
    ranges
        .split(',')
        .map(|range| {
            let (from, to) = range.split_once('-').ok_or_else(|| format!("`{line}`: `{range}` is not a range like 09:00-18:00"))?;
            let start = time(from)?;
            let end = if to.trim() == "24:00" { None } else { Some(time(to)?) };
            if end.is_some_and(|end| end <= start) {
                return Err(format!("`{line}`: `{range}` ends before it starts (write a night as two ranges: 22:00-24:00 and 00:00-02:00)"));
            }
            Ok((start, end))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(open: &[&str], closed: &[&str]) -> BusinessHours {
        BusinessHours::parse(&HoursConfig {
            timezone: "Europe/Madrid".into(),
            open: open.iter().map(|s| (*s).to_owned()).collect(),
            closed_dates: closed.iter().map(|s| (*s).to_owned()).collect(),
        })
        .expect("valid hours")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("a time").with_timezone(&Utc)
    }

    #[test]
    fn open_and_closed_follow_local_time_across_a_dst_change() {
        let h = hours(&["mon-fri 09:00-14:00,16:00-19:00", "sat 10:00-14:00"], &[]);
        // Wednesday 2026-03-25 is CET (UTC+1): 08:30 UTC is 09:30 local.
        assert!(h.is_open(utc("2026-03-25T08:30:00Z")));
        assert!(!h.is_open(utc("2026-03-25T13:30:00Z")), "14:30 local is the lunch break");
        // Wednesday 2026-04-01 is CEST (UTC+2): 07:30 UTC is 09:30 local.
        assert!(h.is_open(utc("2026-04-01T07:30:00Z")));
        assert!(!h.is_open(utc("2026-03-29T10:00:00Z")), "Sunday");
    }

    #[test]
    fn the_next_opening_skips_nights_weekends_and_closed_dates() {
        let h = hours(&["mon-fri 09:00-18:00"], &["2026-12-28"]);
        // Friday 2026-12-25 at 20:00 local -> Monday 28th is closed -> Tuesday 29th 09:00.
        let next = h.next_opening(utc("2026-12-25T19:00:00Z")).expect("an opening");
        assert_eq!(next.to_rfc3339(), "2026-12-29T09:00:00+01:00");
        // Before opening on a working day: the same day.
        let next = h.next_opening(utc("2026-12-29T06:00:00Z")).expect("an opening");
        assert_eq!(next.to_rfc3339(), "2026-12-29T09:00:00+01:00");
    }

    #[test]
    fn a_day_may_run_to_midnight() {
        let h = hours(&["sun 20:00-24:00"], &[]);
        assert!(h.is_open(utc("2026-11-29T22:59:00Z")), "23:59 local on a Sunday");
        assert!(!h.is_open(utc("2026-11-29T23:00:00Z")), "Monday 00:00 local");
    }

    #[test]
    fn mistakes_are_named() {
        let parse = |zone: &str, open: &[&str]| {
            BusinessHours::parse(&HoursConfig { timezone: zone.into(), open: open.iter().map(|s| (*s).to_owned()).collect(), closed_dates: vec![] })
                .expect_err("invalid")
        };
        assert!(parse("Mars/Olympus", &["mon 09:00-18:00"]).contains("IANA"));
        assert!(parse("UTC", &["funday 09:00-18:00"]).contains("`funday` is not a day"));
        assert!(parse("UTC", &["mon 18:00-09:00"]).contains("ends before it starts"));
        assert!(parse("UTC", &["mon 9am-5pm"]).contains("not a time"));
        assert!(parse("UTC", &[]).contains("empty"));
    }
}
