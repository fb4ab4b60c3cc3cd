//! `read_document`: a resume or job ad rebuilt by [`crate::document`] from what the page
//! read (pdf.js text items, mammoth paragraphs, or text). Needs no model.

use serde::Deserialize;

use crate::document::{read_items, read_paragraphs, read_text, Paragraph, TextItem};
use crate::error::{Error, Result};
use crate::web::protocol::{Reply, Request};

/// `read_document` arguments: `{kind: "pdf", items}`, `{kind: "docx", paragraphs}` (or
/// `items` as paragraphs' strings) or `{kind: "text", text}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadArgs {
    kind: String,
    #[serde(default)]
    items: Option<Vec<TextItem>>,
    #[serde(default)]
    paragraphs: Option<Vec<Paragraph>>,
    #[serde(default)]
    text: Option<String>,
}

/// `read_document(args)` → `{text, sections: [{heading, kind, items}], dropped: {pageNumbers,
/// headers, glyphs}, pages}` (see docs/protocol.md).
pub fn read_document(request: &Request) -> Result<Reply> {
    let args: ReadArgs = request.args()?;
    let kind = args.kind.clone();
    let doc = match (kind.as_str(), args) {
        (
            "pdf",
            ReadArgs {
                items: Some(items), ..
            },
        ) => read_items(&items)?,
        (
            "docx",
            ReadArgs {
                paragraphs: Some(p),
                ..
            },
        ) => read_paragraphs(&p)?,
        ("text" | "docx", ReadArgs { text: Some(t), .. }) => read_text(&t)?,
        (kind, _) => {
            return Err(Error::bad_input(format!(
                "read_document: kind {kind:?} needs items (pdf), paragraphs (docx) or text (text)"
            )))
        }
    };
    Reply::serialize(&doc)
}
