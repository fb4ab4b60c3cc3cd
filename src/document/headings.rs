//! Items → sections: which items are headings, and the rebuilt text.
//!
//! A heading is a single-line item, not a bullet, of at most six words without sentence
//! punctuation, that has a heading style (DOCX), a font at least 15 % larger than the body
//! text, capitals only, a colon at its end, or names a known section ("Experience",
//! "Requirements", see [`crate::text::sections::classify_heading`]). The first item is the
//! name or title, a heading only when it names a section.

use super::join::Block;
use super::{DocSection, Document, Dropped, SectionKind};
use crate::text::sections::classify_heading;

/// How much larger than the body text a heading's font is.
const LARGER: f32 = 1.15;

/// The body text's font size: the size that most characters have.
fn body_size(blocks: &[Block]) -> f32 {
    let mut sizes: Vec<(i32, usize)> = Vec::new();
    for b in blocks.iter().filter(|b| b.size > 0.0) {
        let key = (b.size * 2.0).round() as i32;
        if let Some((_, n)) = sizes.iter_mut().find(|(k, _)| *k == key) {
            *n += b.text.len();
        } else if sizes.len() < 64 {
            sizes.push((key, b.text.len()));
        }
    }
    sizes
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or(0.0, |&(k, _)| k as f32 / 2.0)
}

/// Whether item `index` is a heading.
pub fn is_heading(block: &Block, index: usize, body: f32) -> bool {
    if block.bullet || block.lines > 1 {
        return false;
    }
    let text = block.text.trim();
    let bare = text.trim_end_matches(':').trim();
    let words = bare.split_whitespace().count();
    if words == 0 || words > 6 || bare.chars().count() > 50 {
        return false;
    }
    if bare.ends_with(['.', ',', ';', '!', '?']) || text.contains('@') || text.contains("://") {
        return false;
    }
    let first_upper = bare.chars().next().is_some_and(|c| !c.is_lowercase());
    let known = classify_heading(bare).is_some() && words <= 4 && first_upper;
    if index == 0 {
        return block.styled_heading || known;
    }
    let letters: Vec<char> = bare.chars().filter(|c| c.is_alphabetic()).collect();
    let caps = letters.len() >= 3
        && letters.iter().all(|c| c.is_uppercase())
        && words <= 4
        && !bare.chars().any(|c| c.is_ascii_digit());
    let larger = body > 0.0 && block.size >= LARGER * body;
    let colon = text.ends_with(':') && words <= 4 && first_upper;
    block.styled_heading || known || caps || colon || (larger && first_upper)
}

/// Groups items under their headings and writes the rebuilt text.
pub fn assemble(blocks: Vec<Block>, dropped: Dropped, pages: u32) -> super::Document {
    let body = body_size(&blocks);
    let mut sections = vec![DocSection {
        heading: None,
        kind: SectionKind::Header,
        items: Vec::new(),
    }];
    // The heading as written (a trailing colon kept): the rebuilt text is read again by
    // `text::sections`, which knows "What you will do:" as a heading by its colon.
    let mut written: Vec<Option<String>> = vec![None];
    for (i, block) in blocks.into_iter().enumerate() {
        if is_heading(&block, i, body) {
            let heading = block.text.trim().trim_end_matches(':').trim().to_string();
            written.push(Some(block.text.trim().to_string()));
            sections.push(DocSection {
                kind: classify_heading(&heading).unwrap_or(SectionKind::Other),
                heading: Some(heading),
                items: Vec::new(),
            });
            continue;
        }
        let item = if block.bullet {
            format!("- {}", block.text)
        } else {
            block.text
        };
        if let Some(last) = sections.last_mut() {
            last.items.push(item);
        }
    }
    let (sections, written): (Vec<DocSection>, Vec<Option<String>>) = sections
        .into_iter()
        .zip(written)
        .filter(|(s, _)| s.heading.is_some() || !s.items.is_empty())
        .unzip();
    let mut text = String::new();
    for (s, heading) in sections.iter().zip(&written) {
        if !text.is_empty() {
            text.push('\n');
        }
        if let Some(h) = heading {
            text.push_str(h);
            text.push('\n');
        }
        for item in &s.items {
            text.push_str(item);
            text.push('\n');
        }
    }
    Document {
        text: text.trim_end().to_string(),
        sections,
        dropped,
        pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, size: f32) -> Block {
        Block {
            text: text.into(),
            bullet: false,
            lines: 1,
            size,
            bold: false,
            styled_heading: false,
        }
    }

    #[test]
    fn headings_by_font_caps_and_words() {
        let blocks = vec![
            block("John Doe", 20.0),
            block("john@doe.com", 10.0),
            block("Welcome to RenderCV", 12.0),
            block(
                "RenderCV reads a CV written in a YAML file, and more.",
                10.0,
            ),
            block("EXPERIENCE", 10.0),
            block("Nexus AI", 10.0),
            block("Skills", 10.0),
            block("Rust, Go", 10.0),
        ];
        let doc = assemble(blocks, Dropped::default(), 1);
        let headings: Vec<_> = doc.sections.iter().map(|s| s.heading.clone()).collect();
        assert_eq!(
            headings,
            [
                None,
                Some("Welcome to RenderCV".into()),
                Some("EXPERIENCE".into()),
                Some("Skills".into())
            ]
        );
        assert_eq!(doc.sections[2].kind, SectionKind::Experience);
        assert_eq!(
            doc.text,
            "John Doe\njohn@doe.com\n\nWelcome to RenderCV\nRenderCV reads a CV written in a \
             YAML file, and more.\n\nEXPERIENCE\nNexus AI\n\nSkills\nRust, Go"
        );
    }
}
