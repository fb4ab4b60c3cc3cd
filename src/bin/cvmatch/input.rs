//! Reading the resume and job files the matching commands take (`.txt` or `.md`).

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

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::bad_input(format!("cannot print JSON: {e}")))?;
    println!("{json}");
    Ok(())
}
