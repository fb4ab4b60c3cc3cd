//! Reading a resume or a job ad the way a person does: from positioned text (PDF), paragraphs
//! (DOCX) or plain text to the document's items (one bullet, one entry line, one paragraph)
//! grouped under their headings, with page numbers, running headers and footers, icon
//! glyphs and lone punctuation left out.
//!
//! Platform-free: the browser passes pdf.js text items and mammoth paragraphs, the CLI passes
//! what [`pdf`] and [`docx`] read natively, and both go through the same functions here:
//! [`read_items`], [`read_paragraphs`], [`read_text`]. The steps, each in its own module:
//!
//! 1. [`layout`] — items → lines by baseline → columns (a vertical gap running down the page),
//!    read one after the other; a side column of dates stays on its entries' lines.
//! 2. [`noise`] — page numbers, running headers/footers, icon glyphs, lone punctuation out.
//! 3. [`join`] — wrapped lines back into items (same left edge or a bullet's hanging indent,
//!    a line that was full, no sentence end or a lower-case start; hyphenation).
//! 4. [`headings`] — headings (larger or bold font, short capitals, a known section word)
//!    split the items into sections; [`Document::text`] is what later steps read.
//!
//! Every step is linear in its input (or `n log n` for sorting) and the input is bounded by
//! [`limits`]. Hand-written: no crate rebuilds reading order from positioned text for
//! both native and wasm builds; the rules are the ones a person applies to a resume.

pub mod headings;
pub mod join;
pub mod layout;
pub mod limits;
pub mod noise;

#[cfg(not(target_arch = "wasm32"))]
pub mod docx;
#[cfg(not(target_arch = "wasm32"))]
pub mod pdf;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One run of text drawn at one position, shaped like a pdf.js `TextItem`.
///
/// Coordinates are PDF user-space points with `y` going up the page; `y` is the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextItem {
    /// The text (pdf.js `str`).
    #[serde(alias = "str")]
    pub text: String,
    /// Left edge of the run.
    pub x: f32,
    /// Baseline of the run (upwards).
    pub y: f32,
    /// Advance width of the whole run.
    #[serde(default)]
    pub width: f32,
    /// Height of the run (about the font size).
    #[serde(default)]
    pub height: f32,
    /// Font name as the PDF gives it (an icon font is recognised by its name).
    #[serde(default)]
    pub font_name: String,
    /// Whether the font is bold.
    #[serde(default)]
    pub bold: bool,
    /// Font size in points (0: take `height`).
    #[serde(default)]
    pub size: f32,
    /// Page number, from 1.
    #[serde(default)]
    pub page: u32,
}

/// One DOCX paragraph (mammoth in the browser, `docx` natively).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paragraph {
    /// The paragraph's text.
    pub text: String,
    /// Whether the paragraph has a heading style (Heading 1…, Title).
    #[serde(default)]
    pub heading: bool,
    /// Whether it is a list item (numbered or bulleted).
    #[serde(default)]
    pub bullet: bool,
}

/// What kind of section a heading starts, from its words (see [`crate::text::sections`]).
pub use crate::text::sections::SectionKind;

/// One section of a document: its heading (none for the lines above the first heading) and
/// its items, one string each.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocSection {
    /// The heading as written; `None` for the header (name, contact).
    pub heading: Option<String>,
    /// What the heading says the section is about.
    pub kind: SectionKind,
    /// The items, in reading order; bullets start with `"- "`.
    pub items: Vec<String>,
}

/// What was left out, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dropped {
    /// Page numbers ("1", "2/3", "Page 1 of 2").
    pub page_numbers: usize,
    /// Running header and footer lines (repeated on every page).
    pub headers: usize,
    /// Icon and private-use glyphs, lone punctuation.
    pub glyphs: usize,
}

/// A document as read: its sections and what was left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// The rebuilt text: one item per line, headings on their own line, a blank line
    /// between sections. This is what matching reads and what the person sees.
    pub text: String,
    /// The sections in reading order.
    pub sections: Vec<DocSection>,
    /// What was left out.
    pub dropped: Dropped,
    /// Pages read (0 for text and DOCX).
    pub pages: u32,
}

/// Reads positioned text items (a PDF's text layer), bounded by [`limits`].
/// Fails with [`crate::Error::NoText`] when there is no text to read.
pub fn read_items(items: &[TextItem]) -> Result<Document> {
    limits::check_items(items)?;
    let mut dropped = Dropped::default();
    let pages = items.iter().map(|i| i.page.max(1)).max().unwrap_or(0);
    let lines = layout::lines(items, &mut dropped);
    let lines = noise::drop_page_noise(lines, &mut dropped);
    let blocks = join::join_lines(&lines);
    let doc = headings::assemble(blocks, dropped, pages);
    limits::check_has_text(&doc)?;
    Ok(doc)
}

/// Reads DOCX paragraphs: each paragraph is an item; headings by style or by the text rules.
pub fn read_paragraphs(paragraphs: &[Paragraph]) -> Result<Document> {
    limits::check_paragraphs(paragraphs)?;
    let mut dropped = Dropped::default();
    let blocks = join::paragraph_blocks(paragraphs, &mut dropped);
    let doc = headings::assemble(blocks, dropped, 0);
    limits::check_has_text(&doc)?;
    Ok(doc)
}

/// Reads plain or pasted text: hard-wrapped lines are joined by the same rules as a PDF's.
pub fn read_text(text: &str) -> Result<Document> {
    limits::check_text(text)?;
    crate::text::normalize::check_text(text)?;
    let mut dropped = Dropped::default();
    let blocks = join::text_blocks(text, &mut dropped);
    let doc = headings::assemble(blocks, dropped, 0);
    limits::check_has_text(&doc)?;
    Ok(doc)
}
