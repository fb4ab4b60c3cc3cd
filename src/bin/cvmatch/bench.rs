//! `cvmatch bench`: texts per second on the shared workloads (../shared/peers/workloads.json),
//! and what a candidate waits for: a resume checked against one job and against the sample
//! board, from scratch and with the resume already prepared, with the padding computed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use cvmatch::stats::Summary;
use cvmatch::{Error, Result};
use serde::Deserialize;

use crate::ModelArgs;

/// Options of `cvmatch bench`.
#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The workloads file.
    #[arg(long, default_value = "../shared/peers/workloads.json")]
    workloads: PathBuf,
    /// Timed repetitions per workload (after one warm-up).
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// The resume of the check timings.
    #[arg(long, default_value = "tests/data/matching/resume_data_engineer.md")]
    resume: PathBuf,
    /// The job board of the check timings (JSON Lines with a `text` each); the first job
    /// is the "one job" check.
    #[arg(long, default_value = "www/jobs/jobs.jsonl")]
    jobs: PathBuf,
    /// Cut forward passes into 32 texts by length order, as before the token budget (to
    /// compare the two).
    #[arg(long)]
    batch_by_count: bool,
    /// Padded tokens per forward pass.
    #[arg(long, default_value_t = cvmatch::model::batching::DEFAULT_TOKEN_BUDGET)]
    token_budget: usize,
}

fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Milliseconds of `reps` runs of `f` (after one warm-up).
fn time_ms(reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<Summary> {
    f()?;
    let mut ms = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Summary::of(&ms).ok_or_else(|| Error::bad_input("no runs"))
}

/// The tokens one run of `f` embeds (real and padded, and passes).
fn tokens_of(
    encoder: &cvmatch::Encoder,
    f: impl FnOnce() -> Result<()>,
) -> Result<cvmatch::model::PaddingStats> {
    let before = encoder.padding();
    f()?;
    let after = encoder.padding();
    Ok(cvmatch::model::PaddingStats {
        batches: after.batches - before.batches,
        tokens: after.tokens - before.tokens,
        padded_tokens: after.padded_tokens - before.padded_tokens,
    })
}

/// The check timings: one job and the board, from scratch and with the resume prepared.
fn checks(args: &BenchArgs, encoder: &cvmatch::Encoder) -> Result<serde_json::Value> {
    use cvmatch::matching;
    let resume = read(&args.resume)?;
    let jobs: Vec<String> = read(&args.jobs)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_string))
                .ok_or_else(|| {
                    Error::bad_input(format!("{}: a line without text", args.jobs.display()))
                })
        })
        .collect::<Result<_>>()?;
    let Some(first) = jobs.first() else {
        return Err(Error::bad_input(format!(
            "{}: no jobs",
            args.jobs.display()
        )));
    };
    let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
    let one_job_tokens = tokens_of(encoder, || {
        matching::score(encoder, &resume, first).map(drop)
    })?;
    let board_tokens = tokens_of(encoder, || {
        matching::rank(encoder, &resume, &refs, 10).map(drop)
    })?;
    let before = encoder.padding();
    let one_job = time_ms(args.reps, || {
        matching::score(encoder, &resume, first).map(drop)
    })?;
    let board = time_ms(args.reps, || {
        matching::rank(encoder, &resume, &refs, 10).map(drop)
    })?;
    let prepare = time_ms(args.reps, || {
        matching::prepare_resume(encoder, &resume).map(drop)
    })?;
    let prepared = matching::prepare_resume(encoder, &resume)?;
    let one_job_prepared = time_ms(args.reps, || {
        matching::score_prepared(encoder, &prepared, first).map(drop)
    })?;
    let board_prepared = time_ms(args.reps, || {
        matching::rank_prepared(encoder, &prepared, &refs, 10).map(drop)
    })?;
    let after = encoder.padding();
    let padding = cvmatch::model::PaddingStats {
        batches: after.batches - before.batches,
        tokens: after.tokens - before.tokens,
        padded_tokens: after.padded_tokens - before.padded_tokens,
    };
    Ok(serde_json::json!({
        "resume": args.resume.display().to_string(),
        "jobs": jobs.len(),
        "token_budget": encoder.token_budget(),
        "batches": if args.batch_by_count { "by count (32)" } else { "by token budget" },
        "one_job_ms": one_job,
        "board_ms": board,
        "prepare_resume_ms": prepare,
        "one_job_prepared_ms": one_job_prepared,
        "board_prepared_ms": board_prepared,
        "padding": padding,
        "padding_waste": padding.waste(),
        "line_vectors": if encoder.late_chunking() { "late (pooled from chunk passes)" } else { "own pass per line" },
        "one_job_tokens": one_job_tokens,
        "board_tokens": board_tokens,
    }))
}

#[derive(Deserialize)]
struct Workloads {
    workloads: std::collections::BTreeMap<String, Workload>,
}

#[derive(Deserialize)]
struct Workload {
    batch_size: usize,
    texts: Vec<String>,
}

/// Runs the command.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    if args.reps == 0 {
        return Err(Error::bad_input("--reps must be at least 1"));
    }
    let name = args.workloads.display().to_string();
    let bytes = std::fs::read(&args.workloads).map_err(|source| Error::Io {
        path: name.clone(),
        source,
    })?;
    let file: Workloads =
        serde_json::from_slice(&bytes).map_err(|e| Error::bad_input(format!("{name}: {e}")))?;
    let mut encoder = args.model.load()?.with_token_budget(args.token_budget);
    if args.batch_by_count {
        encoder = encoder.with_batch_size(32).with_batches_by_count();
    }
    let mut results = serde_json::Map::new();
    for (workload_name, w) in &file.workloads {
        if w.texts.is_empty() {
            continue;
        }
        let encoder_ref = &encoder;
        let texts: Vec<&str> = w.texts.iter().map(String::as_str).collect();
        let run_once = || -> Result<f64> {
            let t = Instant::now();
            for batch in texts.chunks(w.batch_size.max(1)) {
                encoder_ref.encode(batch)?;
            }
            Ok(texts.len() as f64 / t.elapsed().as_secs_f64())
        };
        run_once()?; // warm-up
        let rates = (0..args.reps)
            .map(|_| run_once())
            .collect::<Result<Vec<_>>>()?;
        let summary = Summary::of(&rates).ok_or_else(|| Error::bad_input("no runs"))?;
        results.insert(
            workload_name.clone(),
            serde_json::json!({
                "texts": texts.len(),
                "batch_size": w.batch_size,
                "texts_per_s": summary,
            }),
        );
    }
    let checks = checks(&args, &encoder)?;
    let report = serde_json::json!({
        "weights": args.model.weights,
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "reps": args.reps,
        "workloads": results,
        "checks": checks,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| Error::bad_input(e.to_string()))?
    );
    Ok(ExitCode::SUCCESS)
}
