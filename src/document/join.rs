//! Lines → items: a wrapped line joins the line it continues, a bullet starts a new item.
//!
//! A line continues the one above when nothing starts a new item there (no bullet, no icon
//! glyph, no heading, no change of font, column or paragraph spacing), it begins at the
//! item's left edge or at its bullet's hanging indent, the line above was full (its next
//! word would not have fit), and the line above did not end a sentence, unless the item is a
//! bullet or this line starts in lower case. The same rules, in characters instead of
//! points, join hard-wrapped plain text.

use super::layout::Line;
use super::noise::{is_lone_punctuation, is_page_number, strip_leading_symbol, strip_private_use};
use super::{Dropped, Paragraph};
use crate::text::normalize::normalize_line;

/// One item before sectioning, with what heading detection needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The item's text, without its bullet mark.
    pub text: String,
    /// Whether it started with a bullet glyph (an icon glyph starts an item too, unmarked).
    pub bullet: bool,
    /// How many lines it was joined from.
    pub lines: usize,
    /// Font size (0 for text without fonts).
    pub size: f32,
    /// Whether it is all bold.
    pub bold: bool,
    /// Whether the source says it is a heading (a DOCX heading style).
    pub styled_heading: bool,
}

/// Bullet glyphs that start an item.
const BULLETS: &[char] = &[
    '•', '◆', '◇', '◦', '▪', '▫', '●', '○', '■', '□', '‣', '⁃', '∙', '·', '➢', '➤', '►', '▶', '✓',
    '✔', '★', '☆', '-', '–', '—', '*', '+', '>', '♦', '❖', '➔', '→',
];

/// Whether `c` is a bullet glyph.
pub fn is_bullet(c: char) -> bool {
    BULLETS.contains(&c)
}

/// Endings of words that a line-end hyphen split ("develop-" + "ment"): the hyphen goes.
/// Any other hyphen at a line end stays ("cloud-" + "native" → "cloud-native").
const SUFFIXES: &[&str] = &[
    "ment", "ments", "tion", "tions", "sion", "sions", "ing", "ings", "ness", "ity", "ities",
    "ance", "ence", "able", "ible", "ous", "ive", "ization", "isation", "ized", "ised", "ly",
    "eling", "elling", "ation", "ations", "ally", "ities", "ware",
];

/// Splits a leading bullet glyph off a line; `(bullet, rest)`.
fn split_bullet(text: &str) -> (bool, &str) {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if is_bullet(c) => {
            let rest = chars.as_str();
            // "-5%" or "--" are not bullets; "•Built" is.
            let ascii = matches!(c, '-' | '*' | '+' | '>');
            if rest.starts_with(' ') || (!ascii && !rest.is_empty()) || rest.is_empty() {
                (true, rest.trim_start())
            } else {
                (false, text)
            }
        }
        _ => (false, text),
    }
}

/// A numbered list item: "1. …", "12) …".
fn is_numbered(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&digits)
        && matches!(text.as_bytes().get(digits), Some(b'.' | b')'))
        && text.as_bytes().get(digits + 1) == Some(&b' ')
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?', ':', ';', '。'])
}

/// Whether a line of plain text visibly runs on: it ends in a comma, a hyphen or a word that
/// cannot end a phrase ("and", "with", "of"…). In plain text every line has the same left
/// edge, so a long line followed by a capitalised one ("…for a payments platform" /
/// "Designed PostgreSQL schemas…") is two items unless the first runs on.
fn ends_open(text: &str) -> bool {
    const CONNECTORS: [&str; 24] = [
        "and",
        "or",
        "with",
        "of",
        "the",
        "a",
        "an",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "from",
        "as",
        "using",
        "including",
        "such",
        "via",
        "into",
        "across",
        "over",
        "&",
        "their",
    ];
    let t = text.trim_end();
    if t.ends_with([',', '-', '–', '(', '/']) {
        return true;
    }
    let last = t.rsplit(' ').next().unwrap_or("").to_lowercase();
    CONNECTORS.contains(&last.as_str())
}

fn starts_lower(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_lowercase)
}

/// Appends a continuation line to an item, rejoining a hyphenated word.
fn append(text: &mut String, next: &str) {
    let hyphen = text.ends_with('-')
        && text[..text.len() - 1]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic);
    if hyphen && next.chars().next().is_some_and(char::is_alphabetic) {
        let word: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
        if SUFFIXES.contains(&word.to_lowercase().as_str()) {
            text.pop();
        }
        text.push_str(next);
    } else {
        text.push(' ');
        text.push_str(next);
    }
}

/// The usual distance between baselines of consecutive lines of one column, per font size.
fn line_pitch(lines: &[Line]) -> f32 {
    let mut ratios: Vec<f32> = lines
        .windows(2)
        .filter(|w| w[0].page == w[1].page && w[0].block == w[1].block)
        .filter(|w| (w[0].size - w[1].size).abs() < 0.5 && w[1].size > 0.0)
        .map(|w| (w[0].y - w[1].y) / w[1].size)
        .filter(|r| *r > 0.8 && *r < 3.0)
        .collect();
    if ratios.is_empty() {
        return 1.2;
    }
    let mid = ratios.len() / 2;
    *ratios.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Joins the lines of a PDF into items.
pub fn join_lines(lines: &[Line]) -> Vec<Block> {
    let pitch = line_pitch(lines);
    let mut out: Vec<Block> = Vec::new();
    // Left edges of the current item: its first line's and its text's (after the bullet).
    let (mut left, mut text_x) = (0f32, 0f32);
    let mut prev: Option<&Line> = None;
    let mut pending_bullet = false;
    // The item that main-column lines continue (side-column lines are pushed after it).
    let mut current: Option<usize> = None;
    for line in lines {
        if line.side {
            out.push(Block {
                text: line.text.clone(),
                bullet: false,
                lines: 1,
                size: line.size,
                bold: line.bold,
                styled_heading: false,
            });
            continue;
        }
        let (mut bullet, mut rest) = split_bullet(&line.text);
        let mut glyph = line.glyph_start;
        if !bullet {
            if let Some(r) = strip_leading_symbol(rest) {
                rest = r;
                glyph = true;
            }
        }
        if rest.is_empty() {
            // A bullet alone on its line: the item's text is on the next line.
            pending_bullet = true;
            prev = None;
            continue;
        }
        bullet |= std::mem::take(&mut pending_bullet);
        let starts = bullet || glyph || is_numbered(rest);
        let cont = !starts
            && prev
                .zip(current.and_then(|c| out.get(c)))
                .is_some_and(|(p, item)| {
                    continues(p, line, item, left, text_x, pitch) && {
                        item.bullet || !ends_sentence(&p.text) || starts_lower(rest)
                    }
                });
        if cont {
            if let Some(item) = current.and_then(|c| out.get_mut(c)) {
                append(&mut item.text, rest);
                item.lines += 1;
                item.bold &= line.bold;
            }
        } else {
            current = Some(out.len());
            left = line.x0;
            text_x = if bullet || glyph {
                // Where the text after the mark begins, proportionally.
                let skipped = line.text.chars().count() - rest.chars().count();
                let chars = line.text.chars().count().max(1) as f32;
                line.x0 + (line.x1 - line.x0) * skipped as f32 / chars
            } else {
                line.x0
            };
            out.push(Block {
                text: rest.to_string(),
                bullet,
                lines: 1,
                size: line.size,
                bold: line.bold,
                styled_heading: false,
            });
        }
        prev = Some(line);
    }
    out
}

/// Whether `line` can continue the item whose last line is `p`, by geometry.
fn continues(p: &Line, line: &Line, item: &Block, left: f32, text_x: f32, pitch: f32) -> bool {
    let size = line.size.max(1.0);
    let tol = 0.6 * size;
    let same_flow = if p.page == line.page {
        p.block == line.block && p.y - line.y > 0.0 && p.y - line.y <= 1.45 * pitch * size
    } else {
        line.page == p.page + 1 && line.from_top <= 1
    };
    let aligned = line.x0 >= left.min(text_x) - tol && line.x0 <= text_x.max(left) + tol;
    // At a bullet's hanging indent (and not a bullet itself) a line continues the bullet;
    // elsewhere the line above must be full: its next word would not have fit.
    let hanging = item.bullet && text_x > left + 0.3 * size && (line.x0 - text_x).abs() <= tol;
    let full = hanging || p.column_right - p.x1 < line.first_word + 0.6 * size;
    same_flow
        && aligned
        && full
        && !p.gapped
        && !line.gapped
        && (p.size - line.size).abs() <= 0.05 * size
        && p.bold == line.bold
        && !(item.lines == 1 && looks_like_heading_line(&item.text, item.bold))
}

/// A short all-bold or all-capitals line: a heading or an entry title, never wrapped prose.
fn looks_like_heading_line(text: &str, bold: bool) -> bool {
    let words = text.split_whitespace().count();
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let caps = letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase());
    words <= 6 && (caps || (bold && words <= 4))
}

/// Joins hard-wrapped plain text into items (blank lines end an item).
pub fn text_blocks(text: &str, dropped: &mut Dropped) -> Vec<Block> {
    struct Raw {
        text: String,
        indent: usize,
        bullet: bool,
        glyph: bool,
    }
    let mut raws: Vec<Option<Raw>> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (clean, glyph) = strip_private_use(raw);
        if glyph {
            dropped.glyphs += 1;
        }
        let indent = clean.chars().take_while(|c| c.is_whitespace()).count();
        let line = normalize_line(&clean);
        if line.is_empty() {
            raws.push(None);
            continue;
        }
        if is_page_number(&line) {
            dropped.page_numbers += 1;
            continue;
        }
        if is_lone_punctuation(&line) {
            dropped.glyphs += 1;
            continue;
        }
        let (bullet, rest) = match line.strip_prefix("- ") {
            Some(r) => (true, r.to_string()),
            None => (false, line),
        };
        raws.push(Some(Raw {
            text: rest,
            indent,
            bullet,
            glyph,
        }));
    }
    // The wrap width: the 95th percentile of line lengths; text is hard-wrapped when it
    // is at most 120 characters and at least three lines come close to it.
    let mut lens: Vec<usize> = raws
        .iter()
        .flatten()
        .map(|r| r.text.chars().count())
        .collect();
    let width = if lens.is_empty() {
        0
    } else {
        let k = (lens.len() * 95 / 100).min(lens.len() - 1);
        *lens.select_nth_unstable(k).1
    };
    let near = raws
        .iter()
        .flatten()
        .filter(|r| r.text.chars().count() * 4 >= width * 3)
        .count();
    let wrapped = (30..=120).contains(&width) && near >= 3;
    let mut out: Vec<Block> = Vec::new();
    let mut prev: Option<&Raw> = None;
    for raw in &raws {
        let Some(r) = raw else {
            prev = None;
            continue;
        };
        let cont = !r.bullet
            && !r.glyph
            && prev.zip(out.last()).is_some_and(|(p, item)| {
                let first = r.text.split(' ').next().map_or(0, |w| w.chars().count());
                let full = p.text.chars().count() + 1 + first + 2 > width;
                let indented = item.bullet && r.indent > 0;
                wrapped
                    && (full || indented)
                    && !(item.lines == 1 && looks_like_heading_line(&item.text, false))
                    && (item.bullet
                        || starts_lower(&r.text)
                        || (!ends_sentence(&p.text) && ends_open(&p.text)))
            });
        if cont {
            if let Some(item) = out.last_mut() {
                append(&mut item.text, &r.text);
                item.lines += 1;
            }
        } else {
            out.push(Block {
                text: r.text.clone(),
                bullet: r.bullet,
                lines: 1,
                size: 0.0,
                bold: false,
                styled_heading: false,
            });
        }
        prev = Some(r);
    }
    out
}

/// DOCX paragraphs are items as they are (a soft line break inside one is a space).
pub fn paragraph_blocks(paragraphs: &[Paragraph], dropped: &mut Dropped) -> Vec<Block> {
    let mut out = Vec::with_capacity(paragraphs.len());
    for p in paragraphs {
        let (clean, glyph) = strip_private_use(&p.text.replace(['\n', '\r', '\t'], " "));
        if glyph {
            dropped.glyphs += 1;
        }
        let line = normalize_line(&clean);
        if line.is_empty() || is_lone_punctuation(&line) {
            continue;
        }
        if is_page_number(&line) {
            dropped.page_numbers += 1;
            continue;
        }
        let (bullet, rest) = match line.strip_prefix("- ") {
            Some(r) => (true, r.to_string()),
            None => (p.bullet, line),
        };
        out.push(Block {
            text: rest,
            bullet,
            lines: 1,
            size: 0.0,
            bold: false,
            styled_heading: p.heading,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| format!("{}{}", if b.bullet { "- " } else { "" }, b.text))
            .collect()
    }

    #[test]
    fn hard_wrapped_text() {
        let text = "Experience\n\
            - Built back-end services for the payments team with Java, SQL and a lot of\n  \
            care for latency; cut p99 from 900 ms to 120 ms across the cloud-\n  \
            native platform.\n\
            - Led a team of four.\n\
            \n\
            I am an engineer who likes hard problems and has solved a great many of them\n\
            over the years, in four companies and two countries, large and small alike.\n\
            Short line.\n";
        let got = texts(&text_blocks(text, &mut Dropped::default()));
        assert_eq!(
            got,
            [
                "Experience",
                "- Built back-end services for the payments team with Java, SQL and a lot of \
                 care for latency; cut p99 from 900 ms to 120 ms across the cloud-native \
                 platform.",
                "- Led a team of four.",
                "I am an engineer who likes hard problems and has solved a great many of them \
                 over the years, in four companies and two countries, large and small alike.",
                "Short line.",
            ]
        );
    }

    #[test]
    fn long_plain_lines_that_do_not_run_on_stay_items() {
        let text = "Experience\n\
            Built Rust services on Tokio handling 15,000 requests per second for a payments platform\n\
            Designed PostgreSQL schemas and tuned slow SQL queries in production\n\
            Ran services on Kubernetes with Prometheus metrics, tracing and on-call alerts\n\
            Mentored three junior engineers and reviewed code daily and wrote the design docs for\n\
            Payments and Billing, which the whole company reads\n";
        let got = texts(&text_blocks(text, &mut Dropped::default()));
        assert_eq!(
            got,
            [
                "Experience",
                "Built Rust services on Tokio handling 15,000 requests per second for a payments platform",
                "Designed PostgreSQL schemas and tuned slow SQL queries in production",
                "Ran services on Kubernetes with Prometheus metrics, tracing and on-call alerts",
                "Mentored three junior engineers and reviewed code daily and wrote the design docs for \
                 Payments and Billing, which the whole company reads",
            ]
        );
    }

    #[test]
    fn unwrapped_text_stays_as_is() {
        let text = "Jane Roe\nSenior Engineer\nBerlin\n\nSkills\nRust, Go\n";
        let got = texts(&text_blocks(text, &mut Dropped::default()));
        assert_eq!(
            got,
            [
                "Jane Roe",
                "Senior Engineer",
                "Berlin",
                "Skills",
                "Rust, Go"
            ]
        );
    }

    #[test]
    fn hyphens() {
        let mut t = "develop-".to_string();
        append(&mut t, "ment of tools");
        assert_eq!(t, "development of tools");
        let mut t = "cloud-".to_string();
        append(&mut t, "native apps");
        assert_eq!(t, "cloud-native apps");
        let mut t = "2019 -".to_string();
        append(&mut t, "2021");
        assert_eq!(t, "2019 - 2021");
    }

    #[test]
    fn bullets() {
        assert_eq!(split_bullet("• Built"), (true, "Built"));
        assert_eq!(split_bullet("•Built"), (true, "Built"));
        assert_eq!(split_bullet("-5% cost"), (false, "-5% cost"));
        assert_eq!(split_bullet("- item"), (true, "item"));
    }
}
