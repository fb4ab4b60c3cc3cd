//! Text normalisation before sectioning: line endings, whitespace, control characters,
//! bullet glyphs and Markdown marks, plus the check that rejects binary input.
//!
//! Hand-written on `char` methods: the rules are few and specific to resumes and job ads
//! (bullets, Markdown), which no general-purpose crate covers.

use crate::error::{Error, Result};

/// Share of control or replacement characters above which a text is taken for binary data.
const MAX_GARBAGE_SHARE: f32 = 0.10;

/// Characters that start a bulleted line in resumes and job ads.
const BULLETS: &[char] = &[
    '•', '◦', '▪', '▫', '●', '○', '■', '□', '‣', '⁃', '∙', '·', '➢', '➤', '►', '▶', '✓', '✔', '★',
    '☆', '-', '–', '—', '*', '+', '>',
];

/// Rejects text that looks like binary data (a PDF or DOCX read as text, an image):
/// any NUL byte, or more than 10 % control / U+FFFD replacement characters.
pub fn check_text(text: &str) -> Result<()> {
    if text.contains('\0') {
        return Err(Error::bad_input(
            "the text contains NUL bytes: it looks like a binary file (PDF, DOCX, image); \
             extract its text first",
        ));
    }
    let mut total = 0usize;
    let mut garbage = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c')) {
            garbage += 1;
        }
    }
    if total >= 16 && garbage as f32 > MAX_GARBAGE_SHARE * total as f32 {
        return Err(Error::bad_input(format!(
            "{garbage} of {total} characters are control or replacement characters: \
             this looks like a binary file or the wrong text encoding; extract plain text first"
        )));
    }
    Ok(())
}

/// Normalises a document: `\r\n` and `\r` become `\n`; tabs, no-break and other
/// Unicode spaces become a space; zero-width and control characters go; bullet glyphs at
/// a line's start become `- `; Markdown heading marks, emphasis, code ticks and link
/// syntax are removed; runs of spaces collapse; lines are trimmed; runs of blank lines
/// collapse to one. Line structure is kept: sectioning depends on it.
pub fn normalize(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    let mut blank_run = 0;
    for raw in unified.split('\n') {
        let line = normalize_line(raw);
        if line.is_empty() {
            blank_run += 1;
            if blank_run == 1 && !out.is_empty() {
                out.push('\n');
            }
            continue;
        }
        blank_run = 0;
        out.push_str(&line);
        out.push('\n');
    }
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Normalises one line (no `\n` inside).
pub fn normalize_line(raw: &str) -> String {
    let spaced = clean_chars(raw);
    let trimmed = spaced.trim();
    let (bullet, rest) = strip_bullet(trimmed);
    let rest = strip_markdown(rest);
    let collapsed = collapse_spaces(&rest);
    if collapsed.is_empty() {
        String::new()
    } else if bullet {
        format!("- {collapsed}")
    } else {
        collapsed
    }
}

/// Maps every kind of space to ' ' and removes control and zero-width characters.
fn clean_chars(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => None,
            '\t' | '\x0c' => Some(' '),
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            '\u{FFFD}' => None,
            c => Some(c),
        })
        .collect()
}

/// Strips a leading bullet glyph or a list number (`1.`, `2)`); says whether there was one.
fn strip_bullet(line: &str) -> (bool, &str) {
    let mut chars = line.char_indices();
    if let Some((_, c)) = chars.next() {
        if BULLETS.contains(&c) {
            let rest = &line[c.len_utf8()..];
            // "**bold**" and "--" rules are not bullets; a bullet is followed by a space.
            if rest.starts_with(' ') {
                return (true, rest.trim_start());
            }
        }
    }
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if (1..=2).contains(&digits) {
        let rest = &line[digits..];
        if rest.starts_with(". ") || rest.starts_with(") ") {
            return (true, rest[2..].trim_start());
        }
    }
    (false, line)
}

/// Removes Markdown marks: heading `#`s, `**`/`__` emphasis, code ticks, `[text](url)`
/// links (keeping the text) and horizontal rules.
///
/// One pass over the line (linear time even for 200,000 `[` or `"[a]("` repeated): a link
/// opens at the latest `[`, and the `)` that closes it is looked up in a table of the next
/// `)` after each byte, built once from the end.
fn strip_markdown(line: &str) -> String {
    let line = line.trim_start_matches('#').trim_start();
    if !line.is_empty()
        && line
            .chars()
            .all(|c| matches!(c, '-' | '*' | '_' | '=' | ' '))
    {
        return String::new();
    }
    let bytes = line.as_bytes();
    let mut next_paren = vec![usize::MAX; bytes.len() + 1];
    for i in (0..bytes.len()).rev() {
        next_paren[i] = if bytes[i] == b')' {
            i
        } else {
            next_paren[i + 1]
        };
    }
    let mut out = String::with_capacity(line.len());
    let (mut copied, mut open, mut i) = (0usize, None::<usize>, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'[' => open = Some(i),
            b']' if bytes.get(i + 1) == Some(&b'(') => {
                if let Some(o) = open.take() {
                    let close = next_paren[i + 2];
                    if close != usize::MAX {
                        // All indices are at ASCII bytes, so they are char boundaries.
                        out.push_str(&line[copied..o]);
                        out.push_str(&line[o + 1..i]);
                        copied = close + 1;
                        i = close + 1;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    out.replace("**", "").replace("__", "").replace('`', "")
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_whitespace_and_controls() {
        let t = "  •\tBuilt   APIs\u{00A0}in Go\r\n\r\n\r\n◦ Led\u{200B} team\x07\n";
        assert_eq!(normalize(t), "- Built APIs in Go\n\n- Led team");
    }

    #[test]
    fn markdown_marks() {
        assert_eq!(normalize("## Skills"), "Skills");
        assert_eq!(
            normalize("**Rust**, `C++` and [Node.js](https://nodejs.org)"),
            "Rust, C++ and Node.js"
        );
        assert_eq!(normalize("---\nText"), "Text");
        assert_eq!(normalize("1. First\n2) Second"), "- First\n- Second");
        assert_eq!(normalize("-- not a bullet"), "-- not a bullet");
    }

    #[test]
    fn empty_and_odd_inputs() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \n\t \n"), "");
        assert_eq!(normalize("[unclosed (link"), "[unclosed (link");
        assert_eq!(
            normalize("Ingénieur logiciel, 東京"),
            "Ingénieur logiciel, 東京"
        );
    }

    #[test]
    fn binary_is_rejected_text_is_not() {
        assert!(check_text("PK\u{3}\u{4}\0\0rest").is_err());
        let garbage: String = std::iter::repeat_n('\u{FFFD}', 30)
            .chain("abc".chars())
            .collect();
        let err = check_text(&garbage).unwrap_err();
        assert_eq!(err.code(), "bad_input");
        assert!(check_text("Plain resume text\nwith lines\tand tabs").is_ok());
        assert!(check_text("").is_ok());
    }
}
