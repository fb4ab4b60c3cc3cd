//! `cvmatch score`: the match report of a resume and a job, as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cvmatch::Result;

use crate::input::{print_json, read_document};
use crate::ModelArgs;

/// Options of `cvmatch score` and `cvmatch explain`.
#[derive(Args)]
pub struct PairArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// The resume (PDF, DOCX, .txt or .md).
    #[arg(long)]
    pub resume: PathBuf,
    /// The job ad (PDF, DOCX, .txt or .md).
    #[arg(long)]
    pub job: PathBuf,
    /// Lexical overlap only, without loading the model (a provisional report).
    #[arg(long)]
    pub lexical: bool,
}

impl PairArgs {
    /// Reads both files and builds the report.
    pub fn report(&self) -> Result<cvmatch::matching::MatchReport> {
        let resume = read_document(&self.resume)?;
        let job = read_document(&self.job)?;
        if self.lexical {
            cvmatch::matching::lexical_report(&resume, &job)
        } else {
            let encoder = self.model.load()?;
            cvmatch::matching::score(&encoder, &resume, &job)
        }
    }
}

/// Prints the report as JSON (`score` at the top level).
pub fn run(args: PairArgs) -> Result<ExitCode> {
    print_json(&args.report()?)?;
    Ok(ExitCode::SUCCESS)
}
