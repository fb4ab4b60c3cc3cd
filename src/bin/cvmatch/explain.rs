//! `cvmatch explain`: the match report of a resume and a job, for people to read.

use std::fmt::Write as _;
use std::process::ExitCode;

use cvmatch::matching::{CoverageStatus, MatchReport, RequirementMatch};
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

fn mark(status: CoverageStatus) -> &'static str {
    match status {
        CoverageStatus::Covered => "covered",
        CoverageStatus::Partial => "partial",
        CoverageStatus::Missing => "MISSING",
        CoverageStatus::CheckYourself => "check",
    }
}

fn requirement(out: &mut String, req: &RequirementMatch) {
    let optional = if req.optional { " (optional)" } else { "" };
    let _ = writeln!(
        out,
        "  {:<7}  {:<13} {}{optional}",
        mark(req.status),
        req.kind.as_str(),
        clip(&req.text)
    );
    let named: Vec<String> = req
        .skills
        .iter()
        .filter(|s| s.kind != "soft_skill")
        .map(|s| format!("{} {}", if s.found { "✓" } else { "✗" }, s.name))
        .collect();
    if !named.is_empty() {
        let _ = writeln!(out, "{:24}skills: {}", "", named.join(", "));
    }
    if let Some(note) = &req.note {
        let _ = writeln!(out, "{:24}{note}", "");
    }
    for line in &req.evidence_lines {
        let _ = writeln!(out, "{:24}<- {}", "", clip(line));
    }
}

/// The report as plain text.
pub fn render(r: &MatchReport) -> String {
    let mut out = String::new();
    let provisional = if r.provisional { " (provisional)" } else { "" };
    let _ = writeln!(out, "Score {:.0}/100: {}{provisional}", r.score, r.band);
    let _ = writeln!(out, "  {}", r.band_meaning);
    let p = &r.parts;
    let _ = writeln!(
        out,
        "  parts: semantic {}, coverage {}, skills {}, experience {}, education {}, title {}",
        part(p.semantic),
        part(p.coverage),
        part(p.skills),
        part(p.experience),
        part(p.education),
        part(p.title),
    );
    let c = &r.coverage;
    let _ = writeln!(
        out,
        "\nRequirements: {} covered, {} partly, {} missing, {} to check yourself (of {})",
        c.covered, c.partial, c.missing, c.check_yourself, c.requirements
    );
    for req in &r.requirements {
        requirement(&mut out, req);
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
    let _ = writeln!(out, "\nMissing skills: {}", list(&r.missing_terms));
    let _ = writeln!(out, "Matched skills: {}", list(&r.matched_terms));
    for note in &r.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    out
}
