//! `cvmatch read`: a document as cvmatch reads it (the text that matching and the site use).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cvmatch::Result;

use crate::input::{print_json, print_text, read_document_full};

/// Options of `cvmatch read`.
#[derive(Args)]
pub struct ReadArgs {
    /// The resume or job ad (PDF, DOCX, .txt or .md).
    pub file: PathBuf,
    /// Print the sections and what was left out as JSON instead of the text.
    #[arg(long)]
    pub json: bool,
    /// Print a PDF's positioned text items (JSON Lines), as the reader receives them.
    #[arg(long)]
    pub items: bool,
}

/// Prints the rebuilt text (or the whole document as JSON).
pub fn run(args: ReadArgs) -> Result<ExitCode> {
    if args.items {
        let bytes = std::fs::read(&args.file).map_err(|source| cvmatch::Error::Io {
            path: args.file.display().to_string(),
            source,
        })?;
        for item in cvmatch::document::pdf::pdf_items(&bytes)? {
            print_text(&serde_json::to_string(&item).unwrap_or_default())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let doc = read_document_full(&args.file)?;
    if args.json {
        print_json(&doc)?;
    } else {
        print_text(&doc.text)?;
    }
    Ok(ExitCode::SUCCESS)
}
