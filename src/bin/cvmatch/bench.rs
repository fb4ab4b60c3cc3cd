//! `cvmatch bench`: texts per second on the shared workloads (../shared/peers/workloads.json).

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
    let encoder = args.model.load()?;
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
    let report = serde_json::json!({
        "weights": args.model.weights,
        "threads": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "reps": args.reps,
        "workloads": results,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| Error::bad_input(e.to_string()))?
    );
    Ok(ExitCode::SUCCESS)
}
