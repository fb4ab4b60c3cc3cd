//! `cvmatch rank`: jobs from a JSON Lines file ranked for one resume.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cvmatch::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::input::{read_document, read_text};
use crate::ModelArgs;

/// Options of `cvmatch rank`.
#[derive(Args)]
pub struct RankArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The resume (PDF, DOCX, .txt or .md).
    #[arg(long)]
    resume: PathBuf,
    /// Jobs, one JSON object per line with `id`, `title` and `text`.
    #[arg(long, required_unless_present = "index", conflicts_with = "index")]
    jobs: Option<PathBuf>,
    /// A precomputed job index (`cvmatch index build`) instead of `--jobs`.
    #[arg(long)]
    index: Option<PathBuf>,
    /// How many jobs to print (at most the number of jobs).
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Print each job's full report too.
    #[arg(long)]
    report: bool,
}

/// One line of the jobs file.
#[derive(Deserialize)]
struct JobLine {
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    text: String,
}

/// One printed line.
#[derive(Serialize)]
struct Line<'a> {
    rank: usize,
    id: &'a serde_json::Value,
    title: &'a str,
    score: f32,
    band: &'static str,
    covered: usize,
    requirements: usize,
    missing_terms: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a cvmatch::matching::MatchReport>,
}

fn parse_jobs(text: &str, file: &str) -> Result<Vec<JobLine>> {
    let mut jobs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let job: JobLine = serde_json::from_str(line).map_err(|e| {
            Error::bad_input(format!(
                "{file}:{}: expected {{id, title, text}}: {e}",
                i + 1
            ))
        })?;
        jobs.push(job);
    }
    Ok(jobs)
}

/// Ranks the jobs and prints one JSON line per job, best first.
pub fn run(args: RankArgs) -> Result<ExitCode> {
    let resume = read_document(&args.resume)?;
    let jobs_path = match (&args.index, &args.jobs) {
        (Some(index), _) => {
            return crate::index::rank_with_index(
                &args.model,
                &args.resume,
                index,
                args.top,
                args.report,
            )
        }
        (None, Some(jobs)) => jobs,
        (None, None) => return Err(Error::bad_input("rank needs --jobs or --index")),
    };
    let jobs = parse_jobs(&read_text(jobs_path)?, &jobs_path.display().to_string())?;
    let encoder = args.model.load()?;
    let texts: Vec<&str> = jobs.iter().map(|j| j.text.as_str()).collect();
    let ranked = cvmatch::matching::rank(&encoder, &resume, &texts, args.top.min(jobs.len()))?;
    for (i, r) in ranked.iter().enumerate() {
        let job = &jobs[r.index];
        let line = Line {
            rank: i + 1,
            id: &job.id,
            title: &job.title,
            score: r.score,
            band: r.report.band,
            covered: r.report.coverage.covered,
            requirements: r.report.coverage.requirements,
            missing_terms: &r.report.missing_terms,
            report: args.report.then_some(&r.report),
        };
        let json = serde_json::to_string(&line)
            .map_err(|e| Error::bad_input(format!("cannot print JSON: {e}")))?;
        println!("{json}");
    }
    Ok(ExitCode::SUCCESS)
}
