//! `cvmatch explain`: the match report of a resume and a job, for people to read.

use std::fmt::Write as _;
use std::process::ExitCode;

use cvmatch::matching::{CoverageStatus, MatchReport};
use cvmatch::Result;

use crate::score::PairArgs;

/// Widest requirement or evidence text shown, in characters.
const WIDTH: usize = 88;

/// Prints the score and band, the requirements with status and evidence, then the terms.
pub fn run(args: PairArgs) -> Result<ExitCode> {
    print!("{}", render(&args.report()?));
    Ok(ExitCode::SUCCESS)
}

fn part(value: Option<f32>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"))
}

fn clip(text: &str) -> String {
    if text.chars().count() <= WIDTH {
        text.to_string()
    } else {
        let cut: String = text.chars().take(WIDTH - 1).collect();
        format!("{cut}…")
    }
}

/// The report as plain text.
pub fn render(r: &MatchReport) -> String {
    let mut out = String::new();
    let provisional = if r.provisional { " (provisional)" } else { "" };
    let _ = writeln!(out, "Score {:.0}/100: {}{provisional}", r.score, r.band);
    let _ = writeln!(out, "  {}", r.band_meaning);
    let _ = writeln!(
        out,
        "  parts: semantic {}, coverage {}, lexical {}",
        part(r.parts.semantic),
        part(r.parts.coverage),
        part(r.parts.lexical)
    );
    let c = &r.coverage;
    let _ = writeln!(
        out,
        "\nRequirements: {} covered, {} partly, {} missing (of {})",
        c.covered, c.partial, c.missing, c.requirements
    );
    for req in &r.requirements {
        let mark = match req.status {
            CoverageStatus::Covered => "covered",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Missing => "MISSING",
        };
        let optional = if req.optional { " (optional)" } else { "" };
        let _ = writeln!(
            out,
            "  {mark:<7}  {:.2}  {}{optional}",
            req.similarity,
            clip(&req.text)
        );
        if let Some(evidence) = req
            .evidence
            .as_deref()
            .filter(|_| req.status != CoverageStatus::Missing)
        {
            let _ = writeln!(out, "                 <- {}", clip(evidence));
        }
    }
    if r.requirements.is_empty() {
        let _ = writeln!(out, "  (no requirement lines found in the job)");
    }
    let list = |terms: &[String]| {
        if terms.is_empty() {
            "(none)".to_string()
        } else {
            terms.join(", ")
        }
    };
    let _ = writeln!(out, "\nMissing terms: {}", list(&r.missing_terms));
    let _ = writeln!(out, "Matched terms: {}", list(&r.matched_terms));
    for note in &r.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    out
}
