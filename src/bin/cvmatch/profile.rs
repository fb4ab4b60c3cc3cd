//! `cvmatch profile`: load-time profile by stage over fresh loads, with an optional
//! baseline comparison that fails when a stage got slower.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use cvmatch::model_dir::ModelDir;
use cvmatch::stats::Summary;
use cvmatch::{Encoder, Error, Result};
use serde::{Deserialize, Serialize};

use crate::ModelArgs;

/// Options of `cvmatch profile`.
#[derive(Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Fresh loads to time.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Write the JSON report here (it is printed to stdout either way).
    #[arg(long)]
    output: Option<PathBuf>,
    /// A previous report to compare with.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// A stage is a regression when its median exceeds threshold × the baseline's
    /// (and by more than 1 ms, so that sub-millisecond noise never fails a run).
    #[arg(long, default_value_t = 1.2)]
    threshold: f64,
}

/// The stages, in load order.
const STAGES: [&str; 7] = [
    "read_files",
    "verify",
    "parse_weights",
    "build_model",
    "build_tokenizer",
    "first_encode",
    "total",
];

/// The JSON report.
#[derive(Serialize, Deserialize)]
struct Report {
    model: String,
    weights: String,
    runs: usize,
    stages_ms: std::collections::BTreeMap<String, Summary>,
    peak_rss_mb: Option<f64>,
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// One fresh load, timed by stage, in `STAGES` order.
fn one_load(args: &ModelArgs) -> Result<[f64; 7]> {
    let start = Instant::now();
    let t = Instant::now();
    let dir = ModelDir::read_unverified(&args.model, &args.weights)?;
    let read_files = ms_since(t);
    let t = Instant::now();
    dir.verify()?;
    let verify = ms_since(t);
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64() * 1000.0;
    let (encoder, timings) = Encoder::from_bytes_timed(dir.files(), &now)?;
    let t = Instant::now();
    encoder.encode(&["The first sentence a user embeds."])?;
    let first_encode = ms_since(t);
    Ok([
        read_files,
        verify,
        timings.parse_weights_ms,
        timings.build_model_ms,
        timings.build_tokenizer_ms,
        first_encode,
        ms_since(start),
    ])
}

/// Peak resident memory of this process (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the command.
pub fn run(args: ProfileArgs) -> Result<ExitCode> {
    if args.runs == 0 {
        return Err(Error::bad_input("--runs must be at least 1"));
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    for _ in 0..args.runs {
        for (i, v) in one_load(&args.model)?.into_iter().enumerate() {
            samples[i].push(v);
        }
    }
    let stages_ms = STAGES
        .iter()
        .zip(&samples)
        .filter_map(|(name, v)| Summary::of(v).map(|s| (name.to_string(), s)))
        .collect();
    let report = Report {
        model: args.model.model.display().to_string(),
        weights: args.model.weights.clone(),
        runs: args.runs,
        stages_ms,
        peak_rss_mb: peak_rss_mb(),
    };
    let json =
        serde_json::to_string_pretty(&report).map_err(|e| Error::bad_input(e.to_string()))?;
    println!("{json}");
    if let Some(path) = &args.output {
        std::fs::write(path, format!("{json}\n")).map_err(|source| Error::IoWrite {
            path: path.display().to_string(),
            source,
        })?;
    }
    let Some(path) = &args.baseline else {
        return Ok(ExitCode::SUCCESS);
    };
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: name.clone(),
        source,
    })?;
    let baseline: Report = serde_json::from_slice(&bytes)
        .map_err(|e| Error::bad_input(format!("{name}: not a profile report ({e})")))?;
    let mut regressions = 0;
    eprintln!(
        "{:<16} {:>12} {:>12} {:>7}",
        "stage", "baseline ms", "now ms", "ratio"
    );
    for stage in STAGES {
        let (Some(base), Some(now)) = (baseline.stages_ms.get(stage), report.stages_ms.get(stage))
        else {
            continue;
        };
        let ratio = now.median / base.median.max(1e-9);
        let slower = now.median > args.threshold * base.median && now.median - base.median > 1.0;
        if slower {
            regressions += 1;
        }
        eprintln!(
            "{stage:<16} {:>12.2} {:>12.2} {:>6.2}x{}",
            base.median,
            now.median,
            ratio,
            if slower { "  SLOWER" } else { "" }
        );
    }
    if regressions > 0 {
        eprintln!(
            "{regressions} stage(s) slower than {}x the baseline",
            args.threshold
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
