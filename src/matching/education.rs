//! Degrees: the level a line names (high school, associate, bachelor, master, doctorate)
//! and its field ("B.S. Computer Science" → bachelor, "computer science").

use serde::Serialize;

/// A degree level, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Degree {
    /// High-school diploma or GED.
    HighSchool,
    /// Associate degree.
    Associate,
    /// Bachelor's degree (BS, BA, BSN, BEng, "4-year degree").
    Bachelor,
    /// Master's degree (MS, MA, MBA, MEng).
    Master,
    /// Doctorate (PhD, MD, EdD).
    Doctorate,
}

impl Degree {
    /// The level in words.
    pub fn as_str(self) -> &'static str {
        match self {
            Degree::HighSchool => "high school diploma",
            Degree::Associate => "associate degree",
            Degree::Bachelor => "bachelor's degree",
            Degree::Master => "master's degree",
            Degree::Doctorate => "doctorate",
        }
    }
}

/// Word (lower case, dots removed) → level. Two-letter forms are checked further in
/// [`degree_in`] ("Boston, MA" is a place, "MS Excel" a product).
const WORDS: &[(&str, Degree)] = &[
    ("phd", Degree::Doctorate),
    ("doctorate", Degree::Doctorate),
    ("doctoral", Degree::Doctorate),
    ("edd", Degree::Doctorate),
    ("master", Degree::Master),
    ("masters", Degree::Master),
    ("mba", Degree::Master),
    ("msc", Degree::Master),
    ("meng", Degree::Master),
    ("msn", Degree::Master),
    ("ms", Degree::Master),
    ("ma", Degree::Master),
    ("bachelor", Degree::Bachelor),
    ("bachelors", Degree::Bachelor),
    ("bsc", Degree::Bachelor),
    ("beng", Degree::Bachelor),
    ("bsn", Degree::Bachelor),
    ("bba", Degree::Bachelor),
    ("bs", Degree::Bachelor),
    ("ba", Degree::Bachelor),
    ("undergraduate", Degree::Bachelor),
    ("associate", Degree::Associate),
    ("associates", Degree::Associate),
    ("diploma", Degree::HighSchool),
    ("ged", Degree::HighSchool),
];

/// Words after a two-letter abbreviation that make it a product, not a degree.
const NOT_DEGREE_AFTER: &[&str] = &[
    "office",
    "excel",
    "word",
    "sql",
    "teams",
    "project",
    "access",
    "dynamics",
    "azure",
    "outlook",
    "powerpoint",
    "visio",
];

/// The highest degree level a line names, if any.
pub fn degree_in(line: &str) -> Option<Degree> {
    let cleaned: String = line
        .chars()
        .map(|c| match c {
            '.' | '\'' | '’' => '\0',
            c if c.is_alphanumeric() => c,
            ',' => ',',
            _ => ' ',
        })
        .filter(|&c| c != '\0')
        .collect();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let lower_all = line.to_lowercase();
    let mut best: Option<Degree> = None;
    for (i, raw) in words.iter().enumerate() {
        let after_comma = raw.starts_with(',') || (i > 0 && words[i - 1].ends_with(','));
        let w = raw.trim_matches(',');
        let lower = w.to_lowercase();
        let Some(&(_, level)) = WORDS.iter().find(|(k, _)| *k == lower) else {
            continue;
        };
        if lower == "associate" || lower == "associates" {
            // "Associate Product Manager" is a title: only "associate degree" / "associate's".
            let next = words.get(i + 1).map(|n| n.to_lowercase());
            if !(raw.contains('s') && lower_all.contains("associate's")
                || next
                    .as_deref()
                    .is_some_and(|n| n.starts_with("degree") || n == "of"))
            {
                continue;
            }
        }
        if lower == "master" || lower == "bachelor" {
            // "Master the basics" is a verb: the noun comes with "of", "degree" or "in".
            let next = words.get(i + 1).map(|n| n.trim_matches(',').to_lowercase());
            if !next
                .as_deref()
                .is_some_and(|n| matches!(n, "of" | "degree" | "degrees" | "in" | "program"))
            {
                continue;
            }
        }
        if lower == "diploma" && !lower_all.contains("high school") && !lower_all.contains("ged") {
            continue;
        }
        if lower.len() == 2 {
            // Abbreviations are written in capitals, not after a comma (a US state), and
            // not before a product name.
            let next = words.get(i + 1).map(|n| n.trim_matches(',').to_lowercase());
            if w != w.to_uppercase()
                || after_comma
                || next
                    .as_deref()
                    .is_some_and(|n| NOT_DEGREE_AFTER.contains(&n))
            {
                continue;
            }
        }
        best = best.max(Some(level));
    }
    if best.is_none()
        && (lower_all.contains("high school")
            || lower_all.contains("4-year degree")
            || lower_all.contains("four-year degree")
            || lower_all.contains("college degree"))
    {
        best = Some(if lower_all.contains("high school") {
            Degree::HighSchool
        } else {
            Degree::Bachelor
        });
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(
            degree_in("B.S. Computer Science, Oregon State University, 2017"),
            Some(Degree::Bachelor)
        );
        assert_eq!(
            degree_in("Bachelor's degree in a quantitative field"),
            Some(Degree::Bachelor)
        );
        assert_eq!(degree_in("BSN preferred"), Some(Degree::Bachelor));
        assert_eq!(degree_in("MBA, Wharton"), Some(Degree::Master));
        assert_eq!(degree_in("M.S. in Statistics"), Some(Degree::Master));
        assert_eq!(degree_in("Ph.D. Physics, 2015"), Some(Degree::Doctorate));
        assert_eq!(degree_in("BS/MS in Computer Science"), Some(Degree::Master));
        assert_eq!(
            degree_in("High school diploma or GED"),
            Some(Degree::HighSchool)
        );
        assert_eq!(
            degree_in("Associate's degree in nursing"),
            Some(Degree::Associate)
        );
    }

    #[test]
    fn not_degrees() {
        assert_eq!(degree_in("Boston, MA | jane@example.com"), None);
        assert_eq!(degree_in("Advanced MS Excel"), None);
        assert_eq!(degree_in("Associate Product Manager, Acme"), None);
        assert_eq!(degree_in("ms and ma in lower case"), None);
        assert_eq!(degree_in(""), None);
        assert_eq!(degree_in("Master the art of cooking"), None);
        assert_eq!(
            degree_in("Master of Business Administration"),
            Some(Degree::Master)
        );
    }
}
