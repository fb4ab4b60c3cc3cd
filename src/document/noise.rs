//! What a person skips when reading a document: page numbers, running headers and footers,
//! icon-font and private-use glyphs, lone punctuation.

use std::collections::HashMap;

use super::layout::Line;
use super::Dropped;

/// Lines this close to a page's top or bottom (in baselines) can be headers, footers or
/// page numbers.
const EDGE_LINES: usize = 2;

/// Whether `c` is in a Unicode private-use area (icon fonts map their glyphs there).
pub fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// The text without private-use characters, and whether there were any.
pub fn strip_private_use(text: &str) -> (String, bool) {
    if !text.chars().any(is_private_use) {
        return (text.to_string(), false);
    }
    (text.chars().filter(|&c| !is_private_use(c)).collect(), true)
}

/// Whether a font name is an icon font's (Font Awesome, Material Icons, …), whose glyphs
/// come out as stray letters ("ð", "§", "#") when the PDF has no Unicode map for them.
pub fn is_icon_font(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "awesome",
        "icons",
        "icomoon",
        "glyphicon",
        "wingding",
        "dingbat",
        "zapf",
        "academicons",
        "marvosym",
        "fontello",
        "symbola",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// Whether a line is a page number: "1", "2/3", "- 2 -", "Page 1 of 2", "p. 3".
pub fn is_page_number(text: &str) -> bool {
    let t = text
        .trim()
        .trim_matches(|c: char| c == '-' || c == '–' || c == '—' || c == '|' || c.is_whitespace());
    let lower = t.to_lowercase();
    let rest = ["page", "seite", "pág", "pag", "p."]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower)
        .trim();
    let mut parts = rest
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|w| !w.is_empty() && *w != "of" && *w != "von" && *w != "de");
    let first = parts.next();
    let second = parts.next();
    let numeric = |w: &str| w.len() <= 3 && !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit());
    match (first, second, parts.next()) {
        (Some(a), None, None) => numeric(a),
        (Some(a), Some(b), None) => numeric(a) && numeric(b),
        _ => false,
    }
}

/// Whether a line has no letter or digit at all ("|", "·", "—", "•").
pub fn is_lone_punctuation(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
}

/// Drops page numbers, running headers/footers and lone punctuation from the lines of a
/// PDF. A header or footer is a line near a page's top or bottom whose text (digits aside)
/// comes back near the same edge on at least two pages and on half of them.
pub fn drop_page_noise(lines: Vec<Line>, dropped: &mut Dropped) -> Vec<Line> {
    let pages = lines.iter().map(|l| l.page).max().unwrap_or(0) as usize;
    let key = |l: &Line| -> Option<(bool, String)> {
        let top = l.from_top < EDGE_LINES;
        let bottom = l.from_bottom < EDGE_LINES;
        (top || bottom).then(|| {
            let k: String = l
                .text
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            (top, k)
        })
    };
    let mut seen: HashMap<(bool, String), Vec<u32>> = HashMap::new();
    for l in &lines {
        if let Some(k) = key(l) {
            let pages = seen.entry(k).or_default();
            if pages.last() != Some(&l.page) {
                pages.push(l.page);
            }
        }
    }
    let repeated = |l: &Line| {
        key(l).is_some_and(|k| {
            seen.get(&k)
                .is_some_and(|p| p.len() >= 2 && 2 * p.len() >= pages)
        })
    };
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let edge = l.from_top < EDGE_LINES || l.from_bottom < EDGE_LINES;
        if (edge || l.text.to_lowercase().contains("page")) && is_page_number(&l.text) {
            dropped.page_numbers += 1;
        } else if pages >= 2 && repeated(&l) {
            dropped.headers += 1;
        } else if is_lone_punctuation(&l.text) && !is_bullet_only(&l.text) {
            dropped.glyphs += 1;
        } else {
            out.push(l);
        }
    }
    out
}

/// A line that is only a bullet glyph (its text is on the next line): kept, it starts an item.
fn is_bullet_only(text: &str) -> bool {
    let mut chars = text.trim().chars();
    chars.next().is_some_and(super::join::is_bullet) && chars.next().is_none()
}

/// A leading icon stand-in: a lone symbol character ("§", "#", "ð") before the text of a
/// line, as icon fonts without a Unicode map give. Returns the rest of the line.
pub fn strip_leading_symbol(text: &str) -> Option<&str> {
    let mut chars = text.char_indices();
    let (_, c) = chars.next()?;
    let (i, space) = chars.next()?;
    if space != ' ' || super::join::is_bullet(c) || c.is_ascii_alphanumeric() {
        return None;
    }
    // Letters only when they are the usual stand-ins of unmapped icon glyphs (not "à", "é").
    let symbolic =
        !c.is_alphanumeric() || matches!(c, 'ð' | 'þ' | 'Ð' | 'Þ' | 'Ø' | 'ø' | 'Æ' | 'æ');
    let currency = matches!(
        c,
        '$' | '€' | '£' | '¥' | '(' | '"' | '\'' | '“' | '‘' | '+'
    );
    (symbolic && !currency).then(|| text[i..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        for t in [
            "1",
            "2/3",
            "2 / 3",
            "- 2 -",
            "Page 1 of 2",
            "page 3",
            "Seite 2 von 4",
            "12",
        ] {
            assert!(is_page_number(t), "{t}");
        }
        for t in [
            "2019",
            "Python 3",
            "1st place",
            "Page layout",
            "3 years",
            "12345",
        ] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn glyphs_and_punctuation() {
        assert_eq!(strip_private_use("\u{f0e0} a@b.c"), (" a@b.c".into(), true));
        assert!(is_icon_font("FontAwesome5Free-Solid"));
        assert!(!is_icon_font("Helvetica-Bold"));
        assert!(is_lone_punctuation(" | "));
        assert!(!is_lone_punctuation("C#"));
        assert_eq!(strip_leading_symbol("§ bwayne"), Some("bwayne"));
        assert_eq!(strip_leading_symbol("ð bwayne"), Some("bwayne"));
        assert_eq!(
            strip_leading_symbol("# name@mail.com"),
            Some("name@mail.com")
        );
        assert_eq!(strip_leading_symbol("$ 100"), None);
        assert_eq!(strip_leading_symbol("• Built"), None);
        assert_eq!(strip_leading_symbol("I led a team"), None);
        assert_eq!(strip_leading_symbol("à Paris"), None);
    }
}
