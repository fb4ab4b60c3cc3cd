//! `cvmatch eval pairs`: the match score on labelled (resume, job) pairs, next to the
//! whole-text cosine baseline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cvmatch::matching::eval::{evaluate, parse_pairs};
use cvmatch::{Error, Result};

use crate::ModelArgs;

/// Options of `cvmatch eval pairs`.
#[derive(Args)]
pub struct PairsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The pairs file (`eval/pairs.json`: texts by id and labelled pairs).
    file: PathBuf,
    /// Also print every scored pair.
    #[arg(long)]
    details: bool,
}

/// Runs the evaluation and prints it as JSON.
pub fn run(args: PairsArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&args.file).map_err(|source| Error::Io {
        path: args.file.display().to_string(),
        source,
    })?;
    let file = parse_pairs(&bytes)?;
    let encoder = args.model.load()?;
    let mut evaluation = evaluate(&encoder, &file)?;
    if !args.details {
        evaluation.scored.clear();
    }
    let json = serde_json::to_string_pretty(&evaluation)
        .map_err(|e| Error::bad_input(format!("cannot print the evaluation: {e}")))?;
    println!("{json}");
    Ok(ExitCode::SUCCESS)
}
