//! Native PDF reading: the PDF's text layer as positioned [`TextItem`]s, one per word, for
//! [`super::read_items`] (the same function the browser feeds with pdf.js items).
//!
//! Why `pdf-extract` (on `lopdf`): it is made for text extraction and exposes an `OutputDev`
//! that receives every character with its text matrix, font size and advance width, after
//! doing the hard part (font encodings, ToUnicode and CID maps, Type 1/CFF built-in encodings).
//! A bare `lopdf` content-stream walk would have to rewrite all of that. `pdf-extract` does not
//! give font names, so natively there is no bold and no icon-font name: headings rest on font
//! size, capitals and section words, which the browser path also uses. It can panic on
//! malformed files; the call is isolated with `catch_unwind` so that bad input is an error.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::limits::{check_file_bytes, check_pages};
use super::{read_items, Document, TextItem};
use crate::error::{Error, Result};

/// Collects characters into word items.
struct Collector {
    items: Vec<TextItem>,
    page: u32,
    /// The item being built is open to more characters.
    open: bool,
    last_end: f32,
    chars: usize,
}

impl Collector {
    fn push_char(&mut self, x: f32, y: f32, size: f32, advance: f32, ch: &str) {
        if ch.chars().all(char::is_whitespace) {
            self.open = false;
            return;
        }
        if self.items.len() >= super::limits::MAX_ITEMS {
            return;
        }
        self.chars += 1;
        if self.open {
            if let Some(last) = self.items.last_mut() {
                let same_line = (last.y - y).abs() < 0.2 * size.max(1.0);
                let gap = x - self.last_end;
                if same_line && gap < 0.08 * size && gap > -0.5 * size {
                    last.text.push_str(ch);
                    last.width = (x + advance - last.x).max(last.width);
                    self.last_end = x + advance;
                    return;
                }
            }
        }
        self.items.push(TextItem {
            text: ch.to_string(),
            x,
            y,
            width: advance,
            height: size,
            font_name: String::new(),
            bold: false,
            size,
            page: self.page,
        });
        self.open = true;
        self.last_end = x + advance;
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page: u32,
        _: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.page = page;
        self.open = false;
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        self.open = false;
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        // The text rendering matrix maps glyph space to user space (y up); its determinant
        // scales areas, so the rendered font size is font_size × sqrt(|det|).
        let det = trm.m11 * trm.m22 - trm.m12 * trm.m21;
        let size = (font_size * det.abs().sqrt()) as f32;
        let (x, y) = (trm.m31 as f32, trm.m32 as f32);
        if !(size.is_finite() && x.is_finite() && y.is_finite()) || size <= 0.0 {
            return Ok(());
        }
        self.push_char(x, y, size, (width * size as f64) as f32, ch);
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        self.open = false;
        Ok(())
    }
}

fn corrupt(message: impl std::fmt::Display) -> Error {
    Error::bad_input(format!(
        "the PDF could not be read ({message}); export it again, or paste the text"
    ))
}

/// The positioned words of a PDF's text layer, after the size, page and encryption checks.
pub fn pdf_items(bytes: &[u8]) -> Result<Vec<TextItem>> {
    check_file_bytes(bytes.len())?;
    if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Err(Error::bad_input(
            "this is not a PDF (it does not start with %PDF-)",
        ));
    }
    let encrypted = || {
        Error::Encrypted(
            "the PDF is password-protected (encrypted); save a copy without a password, or \
             paste the text"
                .into(),
        )
    };
    let loaded = std::panic::catch_unwind(|| pdf_extract::Document::load_mem(bytes))
        .map_err(|_| corrupt("its structure is broken"))?;
    let mut doc = match loaded {
        Ok(doc) => doc,
        Err(pdf_extract::Error::Decryption(_) | pdf_extract::Error::InvalidPassword) => {
            return Err(encrypted())
        }
        Err(e) => return Err(corrupt(e)),
    };
    if doc.is_encrypted() {
        return Err(encrypted());
    }
    let pages = doc.get_pages().len();
    check_pages(u32::try_from(pages).unwrap_or(u32::MAX))?;
    expand_cid_width_ranges(&mut doc);
    let mut out = Collector {
        items: Vec::new(),
        page: 1,
        open: false,
        last_end: 0.0,
        chars: 0,
    };
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(&doc, &mut out)
    }));
    match run {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(corrupt(format!("{e:?}"))),
        Err(_) => return Err(corrupt("the text layer is malformed")),
    }
    Ok(out.items)
}

/// Rewrites the `c_first c_last w` ranges of CID fonts' `/W` arrays as `c_first [w w …]`.
///
/// pdf-extract 0.12 misreads the range form (it takes `c_first` for the width and an empty
/// range), so every glyph of such a font (Typst writes them, e.g. all RenderCV PDFs) gets
/// the default width, often 0, and all characters of a line land at one x. The list form it
/// reads correctly. Ranges are capped at 65,536 codes (a CID is 16 bits).
fn expand_cid_width_ranges(doc: &mut pdf_extract::Document) {
    use pdf_extract::Object;
    let mut arrays: Vec<pdf_extract::ObjectId> = Vec::new();
    let mut inline: Vec<pdf_extract::ObjectId> = Vec::new();
    for (id, obj) in &doc.objects {
        let Object::Dictionary(d) = obj else { continue };
        let cid = matches!(
            d.get(b"Subtype").and_then(Object::as_name),
            Ok(b"CIDFontType0" | b"CIDFontType2")
        );
        match d.get(b"W") {
            Ok(Object::Reference(r)) if cid => arrays.push(*r),
            Ok(Object::Array(_)) if cid => inline.push(*id),
            _ => {}
        }
    }
    let expand = |w: &[Object]| -> Vec<Object> {
        let num = |o: &Object| match o {
            Object::Integer(i) => Some(*i),
            Object::Real(r) => Some(*r as i64),
            _ => None,
        };
        let mut out = Vec::with_capacity(w.len());
        let mut i = 0;
        while i < w.len() {
            match (w.get(i + 1), w.get(i + 2)) {
                (Some(Object::Array(a)), _) => {
                    out.push(w[i].clone());
                    out.push(Object::Array(a.clone()));
                    i += 2;
                }
                (Some(last), Some(width)) => {
                    if let (Some(first), Some(last)) = (num(&w[i]), num(last)) {
                        let n = (last - first + 1).clamp(0, 65_536) as usize;
                        out.push(Object::Integer(first));
                        out.push(Object::Array(vec![width.clone(); n]));
                    }
                    i += 3;
                }
                _ => break,
            }
        }
        out
    };
    for id in arrays {
        if let Some(Object::Array(w)) = doc.objects.get_mut(&id) {
            *w = expand(w);
        }
    }
    for id in inline {
        if let Some(Object::Dictionary(d)) = doc.objects.get_mut(&id) {
            if let Ok(Object::Array(w)) = d.get_mut(b"W") {
                *w = expand(w);
            }
        }
    }
}

/// Reads a PDF file's bytes into a [`Document`].
pub fn read_pdf(bytes: &[u8]) -> Result<Document> {
    let items = pdf_items(bytes)?;
    read_items(&items)
}
