//! Size limits of one document, defined once here and named in the errors.
//!
//! A resume is one to four pages, a job ad one to three; the limits leave two orders of
//! magnitude of room and keep every step's time and memory bounded in the browser.

use super::{Document, Paragraph, TextItem};
use crate::error::{Error, Result};

/// Largest document file read (PDF or DOCX bytes), 15 MiB (as the site's `MAX_BYTES`).
pub const MAX_FILE_BYTES: usize = 15 * 1024 * 1024;
/// Most pages of a PDF.
pub const MAX_PAGES: u32 = 200;
/// Largest text of one document (plain text, or all the text of a PDF or DOCX), 4 MiB.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// Most lines of a plain-text document.
pub const MAX_LINES: usize = 100_000;
/// Most positioned text items of a PDF (pdf.js gives one per run, the native reader one
/// per word).
pub const MAX_ITEMS: usize = 1_000_000;
/// Most DOCX paragraphs.
pub const MAX_PARAGRAPHS: usize = 100_000;

fn too_large(got: usize, limit: usize, unit: &str) -> Error {
    Error::TooLarge {
        what: format!("{unit} in the document"),
        limit: limit as u64,
        actual: got as u64,
    }
}

/// Refuses a file over [`MAX_FILE_BYTES`].
pub fn check_file_bytes(len: usize) -> Result<()> {
    if len > MAX_FILE_BYTES {
        return Err(too_large(len, MAX_FILE_BYTES, "bytes"));
    }
    Ok(())
}

/// Refuses a PDF over [`MAX_PAGES`].
pub fn check_pages(pages: u32) -> Result<()> {
    if pages > MAX_PAGES {
        return Err(too_large(pages as usize, MAX_PAGES as usize, "pages"));
    }
    Ok(())
}

/// Refuses a text over [`MAX_TEXT_BYTES`] or [`MAX_LINES`].
pub fn check_text(text: &str) -> Result<()> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_large(text.len(), MAX_TEXT_BYTES, "bytes of text"));
    }
    let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
    if lines > MAX_LINES {
        return Err(too_large(lines, MAX_LINES, "lines"));
    }
    Ok(())
}

/// Refuses more than [`MAX_ITEMS`] items, [`MAX_PAGES`] pages or [`MAX_TEXT_BYTES`] of text.
pub fn check_items(items: &[TextItem]) -> Result<()> {
    if items.len() > MAX_ITEMS {
        return Err(too_large(items.len(), MAX_ITEMS, "text items"));
    }
    check_pages(items.iter().map(|i| i.page).max().unwrap_or(0))?;
    let bytes: usize = items.iter().map(|i| i.text.len()).sum();
    if bytes > MAX_TEXT_BYTES {
        return Err(too_large(bytes, MAX_TEXT_BYTES, "bytes of text"));
    }
    Ok(())
}

/// Refuses more than [`MAX_PARAGRAPHS`] paragraphs or [`MAX_TEXT_BYTES`] of text.
pub fn check_paragraphs(paragraphs: &[Paragraph]) -> Result<()> {
    if paragraphs.len() > MAX_PARAGRAPHS {
        return Err(too_large(paragraphs.len(), MAX_PARAGRAPHS, "paragraphs"));
    }
    let bytes: usize = paragraphs.iter().map(|p| p.text.len()).sum();
    if bytes > MAX_TEXT_BYTES {
        return Err(too_large(bytes, MAX_TEXT_BYTES, "bytes of text"));
    }
    Ok(())
}

/// Fails with [`Error::NoText`] when a document gave no readable text.
pub fn check_has_text(doc: &Document) -> Result<()> {
    let letters = doc.text.chars().filter(|c| c.is_alphanumeric()).count();
    if letters == 0 {
        return Err(Error::NoText(
            "no text to read: the document has no text layer (a scan or a picture?) or is \
             empty; export it as a text PDF or DOCX, or paste the text"
                .into(),
        ));
    }
    Ok(())
}
