//! Reading the resume and job files the matching commands take: PDF, DOCX or text (`.txt`,
//! `.md`), all rebuilt by [`cvmatch::document`] like the site does.

use std::path::Path;

use cvmatch::{Error, Result};

/// Reads a text file; a file that is not UTF-8 (a PDF, a DOCX) is a clear error.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Error::bad_input(format!(
            "{} is not UTF-8 text (a PDF or DOCX?): extract its text to a .txt or .md file",
            path.display()
        ))
    })
}

/// Reads a resume or job file (PDF, DOCX or UTF-8 text, told apart by its first bytes) and
/// returns its rebuilt text (see [`cvmatch::document`]).
pub fn read_document(path: &Path) -> Result<String> {
    read_document_full(path).map(|d| d.text)
}

/// Reads a resume or job file into a [`cvmatch::document::Document`] (see [`read_document`]).
pub fn read_document_full(path: &Path) -> Result<cvmatch::document::Document> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    let name = path.display();
    let with_name = |e: Error| match e {
        Error::NoText(m) => Error::NoText(format!("{name}: {m}")),
        Error::Encrypted(m) => Error::Encrypted(format!("{name}: {m}")),
        Error::TooLarge {
            what,
            limit,
            actual,
        } => Error::TooLarge {
            what: format!("{name}: {what}"),
            limit,
            actual,
        },
        Error::BadInput(m) => Error::BadInput(format!("{name}: {m}")),
        other => other,
    };
    let head = &bytes[..bytes.len().min(1024)];
    let doc = if head.windows(5).any(|w| w == b"%PDF-") {
        cvmatch::document::pdf::read_pdf(&bytes)
    } else if head.starts_with(b"PK\x03\x04") {
        cvmatch::document::docx::read_docx(&bytes)
    } else {
        cvmatch::document::limits::check_file_bytes(bytes.len())
            .and_then(|()| {
                String::from_utf8(bytes).map_err(|_| {
                    Error::bad_input(
                        "not UTF-8 text, and not a PDF or DOCX either: extract its text to a \
                         .txt or .md file",
                    )
                })
            })
            .and_then(|text| cvmatch::document::read_text(&text))
    };
    doc.map_err(with_name)
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::bad_input(format!("cannot print JSON: {e}")))?;
    print_text(&json)
}

/// Prints a line to standard output; a reader that stopped reading (`cvmatch read … | head`)
/// ends the output quietly instead of aborting the process as `println!` would.
pub fn print_text(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::bad_input(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
