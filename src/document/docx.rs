//! Native DOCX reading: `word/document.xml` → [`Paragraph`]s for [`super::read_paragraphs`]
//! (the browser passes mammoth's paragraphs to the same function).
//!
//! `zip` (already in the dependency tree through candle) and `quick-xml` (a small, fast
//! streaming parser) rather than a DOCX crate: only paragraphs, their text, heading style and
//! list mark are needed, and the DOCX crates bring writers and styles we do not use.

use std::io::Read;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::limits::{check_file_bytes, MAX_PARAGRAPHS, MAX_TEXT_BYTES};
use super::{read_paragraphs, Document, Paragraph};
use crate::error::{Error, Result};

/// Largest `word/document.xml` read: the text limit with room for the markup.
const MAX_XML_BYTES: u64 = 16 * MAX_TEXT_BYTES as u64;

fn corrupt(message: impl std::fmt::Display) -> Error {
    Error::bad_input(format!(
        "the DOCX document could not be read ({message}); save it again from your editor, \
         export it as PDF, or paste the text"
    ))
}

/// The paragraphs of a DOCX file.
pub fn docx_paragraphs(bytes: &[u8]) -> Result<Vec<Paragraph>> {
    check_file_bytes(bytes.len())?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(corrupt)?;
    if zip.by_name("EncryptedPackage").is_ok() {
        return Err(Error::Encrypted(
            "the DOCX document is password-protected; save a copy without a password".into(),
        ));
    }
    let mut entry = zip
        .by_name("word/document.xml")
        .map_err(|_| corrupt("it has no word/document.xml: is it a Word document?"))?;
    if entry.size() > MAX_XML_BYTES {
        return Err(Error::TooLarge {
            what: "bytes of XML in the DOCX text".into(),
            limit: MAX_XML_BYTES,
            actual: entry.size(),
        });
    }
    let mut xml = String::new();
    entry
        .by_ref()
        .take(MAX_XML_BYTES + 1)
        .read_to_string(&mut xml)
        .map_err(corrupt)?;
    if xml.len() as u64 > MAX_XML_BYTES {
        return Err(Error::TooLarge {
            what: "bytes of XML in the DOCX text".into(),
            limit: MAX_XML_BYTES,
            actual: xml.len() as u64,
        });
    }
    parse_document_xml(&xml)
}

/// Paragraphs of a `word/document.xml`: text of `w:t` runs, tabs and breaks as spaces, a
/// `Heading…`/`Title` style as heading, a `w:numPr` as list item.
pub fn parse_document_xml(xml: &str) -> Result<Vec<Paragraph>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur: Option<Paragraph> = None;
    let mut in_text = false;
    loop {
        let event = reader.read_event().map_err(corrupt)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"p" => {
                        cur = Some(Paragraph {
                            text: String::new(),
                            heading: false,
                            bullet: false,
                        })
                    }
                    b"t" => in_text = !empty,
                    b"tab" | b"br" | b"cr" => {
                        if let Some(p) = cur.as_mut() {
                            p.text.push(' ');
                        }
                    }
                    b"numPr" => {
                        if let Some(p) = cur.as_mut() {
                            p.bullet = true;
                        }
                    }
                    b"pStyle" => {
                        let style = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"val")
                            .map(|a| String::from_utf8_lossy(&a.value).to_lowercase());
                        if let (Some(p), Some(s)) = (cur.as_mut(), style) {
                            p.heading |= s.starts_with("heading") || s == "title";
                            p.bullet |= s.contains("list");
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    if let Some(p) = cur.take() {
                        if !p.text.trim().is_empty() {
                            if out.len() >= MAX_PARAGRAPHS {
                                return Err(Error::TooLarge {
                                    what: "paragraphs in the DOCX document".into(),
                                    limit: MAX_PARAGRAPHS as u64,
                                    actual: out.len() as u64 + 1,
                                });
                            }
                            out.push(p);
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let (Some(p), Ok(s)) = (cur.as_mut(), t.decode()) {
                    p.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) if in_text => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.decode().as_deref() {
                        Ok("amp") => Some('&'),
                        Ok("lt") => Some('<'),
                        Ok("gt") => Some('>'),
                        Ok("quot") => Some('"'),
                        Ok("apos") => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(p), Some(c)) = (cur.as_mut(), ch) {
                    p.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Reads a DOCX file's bytes into a [`Document`].
pub fn read_docx(bytes: &[u8]) -> Result<Document> {
    read_paragraphs(&docx_paragraphs(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_styles_and_entities() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Experience</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/></w:numPr></w:pPr><w:r><w:t xml:space="preserve">Built R&amp;D </w:t></w:r><w:r><w:t>tools</w:t></w:r><w:r><w:tab/><w:t>fast</w:t></w:r></w:p>
<w:p></w:p>
</w:body></w:document>"#;
        let got = parse_document_xml(xml).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Experience");
        assert!(got[0].heading && !got[0].bullet);
        assert_eq!(got[1].text, "Built R&D tools fast");
        assert!(got[1].bullet);
    }
}
