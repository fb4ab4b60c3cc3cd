//! `cvmatch eval sts`: Spearman of cosine vs human score on an STS Benchmark file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use cvmatch::{Error, Result};

use crate::ModelArgs;

/// Options of `cvmatch eval sts`.
#[derive(Args)]
pub struct StsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Tab-separated STS-B file: fields 5, 6, 7 are score, sentence 1, sentence 2.
    file: PathBuf,
}

/// One scored sentence pair.
struct Pair {
    score: f64,
    a: String,
    b: String,
}

/// Parses STS-B rows (no quote handling; extra trailing fields ignored).
fn parse(text: &str, file: &str) -> Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    for (i, row) in text.lines().enumerate() {
        if row.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = row.split('\t').collect();
        if fields.len() < 7 {
            return Err(Error::bad_input(format!(
                "{file}:{}: expected at least 7 tab-separated fields, got {}",
                i + 1,
                fields.len()
            )));
        }
        let score: f64 = fields[4].trim().parse().map_err(|_| {
            Error::bad_input(format!(
                "{file}:{}: score {:?} is not a number",
                i + 1,
                fields[4]
            ))
        })?;
        pairs.push(Pair {
            score,
            a: fields[5].to_string(),
            b: fields[6].to_string(),
        });
    }
    if pairs.len() < 2 {
        return Err(Error::bad_input(format!("{file}: fewer than two pairs")));
    }
    Ok(pairs)
}

/// Runs the command.
pub fn run(args: StsArgs) -> Result<ExitCode> {
    let name = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|source| Error::Io {
        path: name.clone(),
        source,
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::bad_input(format!("{name}: not UTF-8 ({e})")))?;
    let pairs = parse(&text, &name)?;
    let encoder = args.model.load()?;
    let mut texts: Vec<&str> = Vec::with_capacity(pairs.len() * 2);
    for p in &pairs {
        texts.push(&p.a);
        texts.push(&p.b);
    }
    let vectors = encoder.encode(&texts)?;
    let cosines: Vec<f64> = vectors
        .chunks(2)
        .map(|c| cvmatch::cosine(&c[0].vector, &c[1].vector) as f64)
        .collect();
    let scores: Vec<f64> = pairs.iter().map(|p| p.score).collect();
    let spearman = cvmatch::stats::spearman(&cosines, &scores)
        .ok_or_else(|| Error::bad_input(format!("{name}: the scores are constant")))?;
    let report = serde_json::json!({ "spearman": spearman, "pairs": pairs.len() });
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
