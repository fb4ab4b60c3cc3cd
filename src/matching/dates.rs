//! Date ranges of a resume's roles ("June 2022 – Present", "2015 – 2020", "03/2019–now",
//! "Summer 2021 - Fall 2022"), as months, merged where they overlap.
//!
//! Months are counted as `year · 12 + month − 1`. A range whose start lies after today is
//! rejected; an end after today is cut at today; "Present", "now", "current" mean today.
//! A range given in years only ("2015 – 2020") runs from January of the first to December
//! of the last (or to today, when sooner).

use std::sync::OnceLock;

use regex::Regex;

/// A month, as `year · 12 + month − 1`.
pub type Month = u32;

/// One dated span of a resume line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First month.
    pub start: Month,
    /// Last month (inclusive).
    pub end: Month,
}

impl Span {
    /// Length in months (a one-month span counts 1).
    pub fn months(&self) -> u32 {
        self.end.saturating_sub(self.start) + 1
    }
}

/// The month from a year and a month 1–12.
pub fn month(year: u32, m: u32) -> Month {
    year * 12 + m.clamp(1, 12) - 1
}

/// Today's month (from the system clock; in the browser from `Date.now()`).
pub fn this_month() -> Month {
    let secs = now_seconds();
    let days = (secs / 86_400) as i64;
    let (y, m) = civil_from_days(days);
    month(y, m)
}

#[cfg(not(target_arch = "wasm32"))]
fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(target_arch = "wasm32")]
fn now_seconds() -> u64 {
    // std's clock panics on wasm32-unknown-unknown; the JS clock is the one there is.
    (js_sys::Date::now() / 1000.0).max(0.0) as u64
}

/// Year and month of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_from_days(z: i64) -> (u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y.clamp(0, 9999) as u32, m as u32)
}

const MONTHS: &[(&str, u32)] = &[
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("spring", 3),
    ("summer", 6),
    ("fall", 9),
    ("autumn", 9),
    ("winter", 12),
];

/// One date: `(month name | season)? year`, `mm/yyyy`, `yyyy-mm`, or a word for today.
const DATE: &str = r"(?:(?P<NAME>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)\.?,?\s+(?P<NY>(?:19|20)\d\d)|(?P<MM>0?[1-9]|1[0-2])\s*/\s*(?P<MY>(?:19|20)\d\d)|(?P<IY>(?:19|20)\d\d)-(?P<IM>0[1-9]|1[0-2])\b|(?P<Y>(?:19|20)\d\d)|(?P<NOW>present|now|current(?:ly)?|today|ongoing|date))";

fn range_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        let from = DATE
            .replace("?P<NAME>", "?P<NAME1>")
            .replace("?P<NY>", "?P<NY1>")
            .replace("?P<MM>", "?P<MM1>")
            .replace("?P<MY>", "?P<MY1>")
            .replace("?P<IY>", "?P<IY1>")
            .replace("?P<IM>", "?P<IM1>")
            .replace("?P<Y>", "?P<Y1>")
            .replace(
                "|(?P<NOW>present|now|current(?:ly)?|today|ongoing|date)",
                "",
            );
        let to = DATE
            .replace("?P<NAME>", "?P<NAME2>")
            .replace("?P<NY>", "?P<NY2>")
            .replace("?P<MM>", "?P<MM2>")
            .replace("?P<MY>", "?P<MY2>")
            .replace("?P<IY>", "?P<IY2>")
            .replace("?P<IM>", "?P<IM2>")
            .replace("?P<Y>", "?P<Y2>")
            .replace("?P<NOW>", "?P<NOW2>");
        let pattern =
            format!(r"(?i)\b{from}\s*(?:-|–|—|~|\bto\b|\buntil\b|\btill\b|\bthrough\b)\s*{to}\b");
        // A constant pattern: it compiles (the tests show it); `None` would find no range.
        Regex::new(&pattern).ok()
    })
    .as_ref()
}

fn date_of(c: &regex::Captures<'_>, n: u8, is_end: bool, now: Month) -> Option<Month> {
    let g = |name: &str| {
        c.name(&format!("{name}{n}"))
            .map(|m| m.as_str().to_lowercase())
    };
    let num = |s: String| s.parse::<u32>().ok();
    if g("NOW").is_some() {
        return Some(now);
    }
    if let (Some(name), Some(y)) = (g("NAME"), g("NY").and_then(num)) {
        let m = MONTHS
            .iter()
            .find(|(k, _)| name.starts_with(k))
            .map(|&(_, m)| m)?;
        return Some(month(y, m));
    }
    if let (Some(m), Some(y)) = (g("MM").and_then(num), g("MY").and_then(num)) {
        return Some(month(y, m));
    }
    if let (Some(y), Some(m)) = (g("IY").and_then(num), g("IM").and_then(num)) {
        return Some(month(y, m));
    }
    let y = g("Y").and_then(num)?;
    Some(if is_end { month(y, 12) } else { month(y, 1) })
}

/// The date ranges written in a line, given today's month. Future starts are rejected,
/// ends are cut at today, reversed ranges are dropped.
pub fn ranges_in(line: &str, now: Month) -> Vec<Span> {
    let Some(re) = range_regex() else {
        return Vec::new();
    };
    re.captures_iter(line)
        .filter_map(|c| {
            let start = date_of(&c, 1, false, now)?;
            let end = date_of(&c, 2, true, now)?.min(now);
            (start <= now && start <= end).then_some(Span { start, end })
        })
        .collect()
}

/// Merges overlapping or touching spans; the result is sorted and disjoint.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end + 1 => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// Total years covered by spans, overlaps counted once.
pub fn years(spans: &[Span]) -> f32 {
    merge(spans.to_vec()).iter().map(Span::months).sum::<u32>() as f32 / 12.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Month = 2026 * 12 + 10; // November 2026

    fn one(line: &str) -> Option<(u32, u32, u32, u32)> {
        let s = *ranges_in(line, NOW).first()?;
        Some((s.start / 12, s.start % 12 + 1, s.end / 12, s.end % 12 + 1))
    }

    #[test]
    fn formats() {
        assert_eq!(
            one("Engineer, Acme — June 2022 – Present"),
            Some((2022, 6, 2026, 11))
        );
        assert_eq!(one("2015 - 2020"), Some((2015, 1, 2020, 12)));
        assert_eq!(one("03/2019–now"), Some((2019, 3, 2026, 11)));
        assert_eq!(one("Jan. 2018 to Dec 2019"), Some((2018, 1, 2019, 12)));
        assert_eq!(one("Sept 2020 – current"), Some((2020, 9, 2026, 11)));
        assert_eq!(one("2019-04 to 2021-02"), Some((2019, 4, 2021, 2)));
        assert_eq!(one("Summer 2021 - Fall 2022"), Some((2021, 6, 2022, 9)));
        assert_eq!(
            one("Senior Engineer - 2019 to present"),
            Some((2019, 1, 2026, 11))
        );
        assert_eq!(one("1/2024 - 6/2024"), Some((2024, 1, 2024, 6)));
    }

    #[test]
    fn rejects_and_ignores() {
        assert_eq!(one("2028 - 2030"), None, "future start");
        assert_eq!(one("2020 - 2018"), None, "reversed");
        assert_eq!(one("B.S. Computer Science, 2017"), None, "a single year");
        assert_eq!(one("Raised $2,000 - $5,000"), None);
        assert_eq!(one("Team of 2019 - 2020 people"), Some((2019, 1, 2020, 12)));
        assert_eq!(
            one("Jan 2025 - Dec 2027"),
            Some((2025, 1, 2026, 11)),
            "end cut at today"
        );
    }

    #[test]
    fn overlaps_merge() {
        let a = ranges_in("2015 - 2018", NOW)[0];
        let b = ranges_in("2017 - 2020", NOW)[0];
        let c = ranges_in("2022 - 2022", NOW)[0];
        assert_eq!(years(&[a, b, c]), 7.0);
        assert_eq!(merge(vec![b, a]).len(), 1);
        assert_eq!(years(&[]), 0.0);
    }

    #[test]
    fn clock_is_sane() {
        let now = this_month();
        assert!(now > month(2024, 1) && now < month(2200, 1));
        assert_eq!(civil_from_days(0), (1970, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1));
    }
}
