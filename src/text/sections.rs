//! Splitting a normalised document into sections (Experience, Skills, Requirements, …)
//! and those into lines: one bullet, one short line or one sentence of a paragraph.
//!
//! Headings are recognised heuristically, in whatever words, case and punctuation the text
//! uses: a short line that ends with a colon, is in capitals, or names a known section; or
//! a known section name followed by a colon at the start of a sentence ("Requirements: 3+
//! years …"). Hand-written: the rules are about resumes and job ads, not general text.

use serde::Serialize;

/// What a section is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Lines before the first heading (name, contact, job title, intro).
    Header,
    /// Summary, profile, objective.
    Summary,
    /// Work experience, employment history.
    Experience,
    /// Skills, technologies, tools.
    Skills,
    /// Education, degrees.
    Education,
    /// Projects, publications, talks.
    Projects,
    /// Certifications, licences.
    Certifications,
    /// A job's requirements ("What we are looking for", "Must have").
    Requirements,
    /// A job's qualifications.
    Qualifications,
    /// A job's responsibilities ("What you will do", "Duties").
    Responsibilities,
    /// Optional requirements ("Nice to have", "Bonus points", "Preferred").
    NiceToHave,
    /// Pay, benefits, perks.
    Benefits,
    /// About the company or the team.
    About,
    /// A heading we do not recognise.
    Other,
    /// An equal-opportunity or diversity statement (kept out of requirements).
    EqualOpportunity,
    /// How to apply: where to send the application, deadlines (kept out of requirements).
    HowToApply,
}

/// Keywords (lower case, matched as substrings of the heading) → kind; first match wins,
/// so more specific phrases come first.
const HEADING_KEYWORDS: &[(&str, SectionKind)] = &[
    ("equal opportunit", SectionKind::EqualOpportunity),
    ("equal employment", SectionKind::EqualOpportunity),
    ("eeo", SectionKind::EqualOpportunity),
    ("diversity", SectionKind::EqualOpportunity),
    ("inclusion", SectionKind::EqualOpportunity),
    ("how to apply", SectionKind::HowToApply),
    ("to apply", SectionKind::HowToApply),
    ("application process", SectionKind::HowToApply),
    ("next steps", SectionKind::HowToApply),
    ("interview process", SectionKind::HowToApply),
    ("who we are", SectionKind::About),
    ("our mission", SectionKind::About),
    ("our story", SectionKind::About),
    ("pay range", SectionKind::Benefits),
    ("what we offer", SectionKind::Benefits),
    ("nice to have", SectionKind::NiceToHave),
    ("nice-to-have", SectionKind::NiceToHave),
    ("bonus", SectionKind::NiceToHave),
    ("preferred", SectionKind::NiceToHave),
    ("plus", SectionKind::NiceToHave),
    ("desirable", SectionKind::NiceToHave),
    ("looking for", SectionKind::Requirements),
    ("requirement", SectionKind::Requirements),
    ("must have", SectionKind::Requirements),
    ("must-have", SectionKind::Requirements),
    ("you have", SectionKind::Requirements),
    ("you bring", SectionKind::Requirements),
    ("we need", SectionKind::Requirements),
    ("who you are", SectionKind::Requirements),
    ("qualification", SectionKind::Qualifications),
    ("responsibilit", SectionKind::Responsibilities),
    ("duties", SectionKind::Responsibilities),
    ("you will do", SectionKind::Responsibilities),
    ("you'll do", SectionKind::Responsibilities),
    ("what you will", SectionKind::Responsibilities),
    ("the role", SectionKind::Responsibilities),
    ("day to day", SectionKind::Responsibilities),
    ("we offer", SectionKind::Benefits),
    ("benefit", SectionKind::Benefits),
    ("perks", SectionKind::Benefits),
    ("compensation", SectionKind::Benefits),
    ("salary", SectionKind::Benefits),
    ("about", SectionKind::About),
    ("company", SectionKind::About),
    ("experience", SectionKind::Experience),
    ("employment", SectionKind::Experience),
    ("work history", SectionKind::Experience),
    ("career", SectionKind::Experience),
    ("skill", SectionKind::Skills),
    ("technolog", SectionKind::Skills),
    ("tools", SectionKind::Skills),
    ("competenc", SectionKind::Skills),
    ("tech stack", SectionKind::Skills),
    ("education", SectionKind::Education),
    ("academic", SectionKind::Education),
    ("degree", SectionKind::Education),
    ("training", SectionKind::Education),
    ("certific", SectionKind::Certifications),
    ("licens", SectionKind::Certifications),
    ("project", SectionKind::Projects),
    ("publication", SectionKind::Projects),
    ("talks", SectionKind::Projects),
    ("writing", SectionKind::Projects),
    ("summary", SectionKind::Summary),
    ("profile", SectionKind::Summary),
    ("objective", SectionKind::Summary),
    ("overview", SectionKind::Summary),
];

/// A section: its kind, heading as written, and its lines (bullets without their mark).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// What the section is about.
    pub kind: SectionKind,
    /// The heading as written (without a trailing colon); `None` for the header.
    pub heading: Option<String>,
    /// The section's lines: bullets, short lines, or sentences of a paragraph.
    pub lines: Vec<String>,
}

/// Classifies a heading's words; `None` if no keyword matches.
pub fn classify_heading(heading: &str) -> Option<SectionKind> {
    let lower = heading.to_lowercase();
    HEADING_KEYWORDS
        .iter()
        .find(|(k, _)| lower.contains(k))
        .map(|&(_, kind)| kind)
}

/// If `line` is a heading line, its text (without the colon) and kind.
fn heading_of(line: &str) -> Option<(String, SectionKind)> {
    if line.starts_with("- ") {
        return None;
    }
    let text = line.trim_end_matches([':', ' ', '-', '—']).trim();
    let words = text.split_whitespace().count();
    if text.is_empty() || words > 6 || text.chars().count() > 50 {
        return None;
    }
    let ends_colon = line.trim_end().ends_with(':');
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.len() >= 3 && letters.iter().all(|c| !c.is_lowercase());
    let sentence_like = text.ends_with(['.', '!', '?', ',', ';']) || text.contains(':');
    let kind = classify_heading(text);
    let is_heading = ends_colon
        || (capitals && !sentence_like)
        || (kind.is_some() && words <= 3 && !sentence_like && starts_upper(text));
    is_heading.then(|| (text.to_string(), kind.unwrap_or(SectionKind::Other)))
}

/// The first line of a block (after a blank line, with more lines below) is a heading when
/// it reads like a title: at most six words, each capitalised or a short joining word, no
/// digits, no sentence punctuation. [`crate::document`] writes its headings that way.
fn block_heading(line: &str) -> Option<(String, SectionKind)> {
    if line.starts_with("- ") || line.ends_with(['.', ',', ';', '!', '?']) {
        return None;
    }
    let text = line.trim_end_matches(':').trim();
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 || text.chars().count() > 50 {
        return None;
    }
    let small = [
        "a", "an", "and", "at", "for", "in", "of", "on", "or", "the", "to", "with", "&",
    ];
    let title = words.iter().enumerate().all(|(i, w)| {
        let upper = w.chars().next().is_some_and(char::is_uppercase);
        (upper || (i > 0 && small.contains(w))) && !w.chars().any(|c| c.is_ascii_digit())
    });
    let no_contact = !text.contains('@') && !text.contains("://") && !text.contains('|');
    (title && no_contact).then(|| {
        (
            text.to_string(),
            classify_heading(text).unwrap_or(SectionKind::Other),
        )
    })
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase())
}

/// An inline heading at a sentence's start: "Requirements: 3+ years …" → ("Requirements",
/// kind, "3+ years …"). Only known section names count, so "Languages: Rust, Go" stays.
fn inline_heading(sentence: &str) -> Option<(String, SectionKind, String)> {
    let colon = sentence.find(':')?;
    let (head, rest) = (&sentence[..colon], sentence[colon + 1..].trim());
    if head.split_whitespace().count() > 5 || rest.is_empty() {
        return None;
    }
    let kind = classify_heading(head)?;
    // Inside a resume's skills list, "Tools: …" is a list line, not a new section.
    if kind == SectionKind::Skills {
        return None;
    }
    Some((head.trim().to_string(), kind, rest.to_string()))
}

/// Abbreviations after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "st", "inc", "jr", "sr", "no", "approx",
    "incl", "dept", "corp", "co", "ltd",
];

/// Splits a line into sentences: at `.`, `!`, `?` followed by a space and an upper-case
/// letter or digit (not after an abbreviation or an initial), and at `; `.
///
/// Hand-written rather than UAX #29 (unicode-segmentation): that splits after
/// "B.S." and "Inc." before a capital too, and would add a dependency for ~30 lines.
pub fn split_sentences(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let ends = match b {
            b';' => bytes.get(i + 1) == Some(&b' '),
            b'.' | b'!' | b'?' => {
                bytes.get(i + 1) == Some(&b' ')
                    && line[i + 2..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '"')
                    && (b != b'.' || !is_abbreviation(&line[start..i]))
            }
            _ => false,
        };
        if ends {
            let s = line[start..=i].trim();
            if !s.is_empty() {
                out.push(s.trim_end_matches(';').to_string());
            }
            start = i + 1;
        }
        i += 1;
    }
    let s = line[start..].trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(' ').next().unwrap_or("");
    let bare = word.trim_start_matches(['(', '"']).to_lowercase();
    bare.chars().count() <= 1 || bare.contains('.') || ABBREVIATIONS.contains(&bare.as_str())
}

/// Splits a normalised text (see [`crate::text::normalize`]) into sections of lines.
/// Lines before the first heading form a [`SectionKind::Header`] section.
pub fn split_sections(normalized: &str) -> Vec<Section> {
    let mut sections = vec![Section {
        kind: SectionKind::Header,
        heading: None,
        lines: Vec::new(),
    }];
    let all: Vec<&str> = normalized.lines().map(str::trim).collect();
    for (i, &line) in all.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        let block_start = i > 0 && all[i - 1].is_empty();
        let block_goes_on = all.get(i + 1).is_some_and(|next| !next.is_empty());
        let found = heading_of(line).or_else(|| {
            (block_start && block_goes_on)
                .then(|| block_heading(line))
                .flatten()
        });
        if let Some((heading, kind)) = found {
            sections.push(Section {
                kind,
                heading: Some(heading),
                lines: Vec::new(),
            });
            continue;
        }
        let body = line.strip_prefix("- ").unwrap_or(line);
        for sentence in split_sentences(body) {
            let text = match inline_heading(&sentence) {
                Some((heading, kind, rest)) => {
                    sections.push(Section {
                        kind,
                        heading: Some(heading),
                        lines: Vec::new(),
                    });
                    rest
                }
                None => sentence,
            };
            if let Some(last) = sections.last_mut() {
                last.lines.push(text);
            }
        }
    }
    sections.retain(|s| !s.lines.is_empty() || s.heading.is_some());
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;

    fn kinds(text: &str) -> Vec<(SectionKind, usize)> {
        split_sections(&normalize(text))
            .iter()
            .map(|s| (s.kind, s.lines.len()))
            .collect()
    }

    #[test]
    fn headings_in_many_styles() {
        assert_eq!(
            classify_heading("WORK EXPERIENCE"),
            Some(SectionKind::Experience)
        );
        assert_eq!(
            classify_heading("What you will do"),
            Some(SectionKind::Responsibilities)
        );
        assert_eq!(
            classify_heading("Nice to have"),
            Some(SectionKind::NiceToHave)
        );
        let text = "Jane Doe\njane@example.com\n\nEXPERIENCE\n- Built things\n- Ran things\n\n\
                    ## Skills\nRust, Go\n\nEducation:\nB.S. Computer Science, 2017\n\n\
                    What we are looking for:\n- 5+ years\n";
        assert_eq!(
            kinds(text),
            vec![
                (SectionKind::Header, 2),
                (SectionKind::Experience, 2),
                (SectionKind::Skills, 1),
                (SectionKind::Education, 1),
                (SectionKind::Requirements, 1),
            ]
        );
    }

    #[test]
    fn inline_heading_in_a_paragraph() {
        let text = "Kitchen Lead. Run the line and train cooks. Requirements: 3+ years of \
                    line cook experience, and ServSafe. Pay $20 per hour.";
        let s = split_sections(&normalize(text));
        assert_eq!(s[0].kind, SectionKind::Header);
        assert_eq!(
            s[0].lines,
            vec!["Kitchen Lead.", "Run the line and train cooks."]
        );
        assert_eq!(s[1].kind, SectionKind::Requirements);
        assert_eq!(
            s[1].lines[0],
            "3+ years of line cook experience, and ServSafe."
        );
    }

    #[test]
    fn sentences_respect_abbreviations() {
        assert_eq!(
            split_sentences("B.S. Computer Science, e.g. Rust. Then Go; then C. Done"),
            vec![
                "B.S. Computer Science, e.g. Rust.",
                "Then Go",
                "then C. Done"
            ]
        );
        assert_eq!(split_sentences(""), Vec::<String>::new());
        assert_eq!(
            split_sentences("Cut latency by 40%. 2021: led"),
            vec!["Cut latency by 40%.", "2021: led"]
        );
    }

    #[test]
    fn skills_lists_stay_lines() {
        let s = split_sections(&normalize("SKILLS\nLanguages: Python, Go\nTools: Docker"));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].lines, vec!["Languages: Python, Go", "Tools: Docker"]);
    }
}
