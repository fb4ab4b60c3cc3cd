//! `cvmatch index`: build a job index from JSON Lines, describe one, make synthetic corpora,
//! and time searches.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Subcommand};
use cvmatch::index::{build, synth, BuildOptions, IndexIdentity, JobIndex, JobMeta};
use cvmatch::model_dir::ModelDir;
use cvmatch::stats::Summary;
use cvmatch::{Error, Result};

use crate::input::{print_json, read_text};
use crate::ModelArgs;

/// `cvmatch index …`.
#[derive(Subcommand)]
pub enum IndexCommand {
    /// Embed jobs (JSON Lines: id, title, text; other fields kept) into an index file.
    Build(BuildArgs),
    /// Join the shards of one board (`build --shard K/N`) into the index a full build gives.
    Merge(MergeArgs),
    /// Describe an index file (model, counts, sizes) as JSON.
    Info(InfoArgs),
    /// Write a seeded synthetic corpus (benchmarks only): JSON Lines, or an index with --out.
    Synth(SynthArgs),
    /// Time loading and searching an index (no model needed).
    Bench(BenchArgs),
}

/// Options of `cvmatch index build`.
#[derive(Args)]
pub struct BuildArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Jobs, one JSON object per line.
    #[arg(long)]
    jobs: PathBuf,
    /// The index file to write (.cvx).
    #[arg(long)]
    out: PathBuf,
    /// Leave out requirement-line vectors (smaller file; explanations then embed each
    /// shortlisted job's lines at run time).
    #[arg(long)]
    no_lines: bool,
    /// Jobs per encoder call.
    #[arg(long, default_value_t = 8)]
    batch: usize,
    /// An older index of this board: jobs whose text is unchanged (same weights) keep its
    /// vectors instead of being embedded again; removed jobs are dropped.
    #[arg(long, value_name = "OLD.cvx")]
    reuse: Option<PathBuf>,
    /// Build only slice K of N (K from 0), chosen by a stable hash of the job id; join the
    /// N shards with `cvmatch index merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(u32, u32)>,
    /// Bits per stored requirement-line value: 8, 4, 2, 1, or `ternary` (levels -1, 0, 1:
    /// about 1.6 bits); below 8 the lines are rotated first (docs/index-format.md).
    #[arg(long, default_value = "ternary", value_parser = parse_bits)]
    line_bits: u8,
}

/// 1, 2, 4 or 8, or `ternary` (also `3` or `1.6`, the code `quant::TERNARY`).
fn parse_bits(s: &str) -> std::result::Result<u8, String> {
    match s.trim() {
        "ternary" | "3" | "1.6" => Ok(cvmatch::index::quant::TERNARY),
        t => match t.parse::<u8>() {
            Ok(b @ (1 | 2 | 4 | 8)) => Ok(b),
            _ => Err(format!(
                "line bits must be 1, 2, 4, 8 or ternary, not {s:?}"
            )),
        },
    }
}

/// `K/N` with `K < N`.
fn parse_shard(s: &str) -> std::result::Result<(u32, u32), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("expected K/N (e.g. 0/4), got {s:?}"))?;
    let k: u32 = k
        .trim()
        .parse()
        .map_err(|_| format!("K in {s:?} is not a number"))?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("N in {s:?} is not a number"))?;
    if n == 0 || k >= n {
        return Err(format!("{s}: need 0 <= K < N"));
    }
    Ok((k, n))
}

/// Options of `cvmatch index merge`.
#[derive(Args)]
pub struct MergeArgs {
    /// The shards, every slice K/N of one build exactly once, in any order.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// The merged index to write.
    #[arg(long)]
    out: PathBuf,
}

/// Options of `cvmatch index info`.
#[derive(Args)]
pub struct InfoArgs {
    /// The index file.
    file: PathBuf,
}

/// Options of `cvmatch index synth`.
#[derive(Args)]
pub struct SynthArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Jobs to make.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// At most this many sentences per job (after the title).
    #[arg(long, default_value_t = 3)]
    max_sentences: usize,
    /// Write an index here instead of JSON Lines on stdout: each distinct sentence is
    /// embedded once and a job's vector is the normalised mean of its sentences' vectors.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Options of `cvmatch index bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// The index file.
    file: PathBuf,
    /// Timed searches (queries are the index's own vectors, spread over it).
    #[arg(long, default_value_t = 50)]
    queries: usize,
    /// Hits per search.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

/// Runs an `index` subcommand.
pub fn run(command: IndexCommand) -> Result<ExitCode> {
    match command {
        IndexCommand::Build(args) => build(args),
        IndexCommand::Merge(args) => merge(args),
        IndexCommand::Info(args) => info(args),
        IndexCommand::Synth(args) => synth_cmd(args),
        IndexCommand::Bench(args) => bench(args),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Parses a JSON Lines file of jobs (blank lines skipped; errors name the line).
pub fn parse_jobs(text: &str, file: &str) -> Result<Vec<JobMeta>> {
    let mut jobs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Error::bad_input(format!("{file}:{}: not JSON: {e}", i + 1)))?;
        let job = JobMeta::from_json_value(value)
            .map_err(|e| Error::bad_input(format!("{file}:{}: {e}", i + 1)))?;
        jobs.push(job);
    }
    Ok(jobs)
}

/// The model directory's encoder and its identity.
pub fn load_model(model: &ModelArgs) -> Result<(cvmatch::Encoder, IndexIdentity)> {
    let dir = ModelDir::read(&model.model, &model.weights)?;
    let identity = IndexIdentity::from_manifest(&dir.manifest, &model.weights)?;
    Ok((dir.encoder()?, identity))
}

fn read_index(path: &Path) -> Result<JobIndex> {
    JobIndex::from_bytes_any_model(&read_bytes(path)?).map_err(|e| match e {
        Error::Index(m) => Error::Index(format!("{}: {m}", path.display())),
        other => other,
    })
}

fn build(args: BuildArgs) -> Result<ExitCode> {
    let jobs = parse_jobs(&read_text(&args.jobs)?, &args.jobs.display().to_string())?;
    let (encoder, identity) = load_model(&args.model)?;
    let old = args.reuse.as_deref().map(read_index).transpose()?;
    if let Some(old) = &old {
        if old.identity().check(&identity).is_err()
            || old.line_bits() != (!args.no_lines).then_some(args.line_bits)
            || old.line_rotated() != (!args.no_lines).then_some(args.line_bits < 8)
        {
            eprintln!(
                "{}: built with other weights or line settings; every job is embedded again",
                args.reuse.as_deref().unwrap_or(Path::new("")).display()
            );
        }
    }
    let options = BuildOptions {
        line_vectors: !args.no_lines,
        line_bits: args.line_bits,
        batch: args.batch.max(1),
        shard: args.shard,
    };
    let t0 = Instant::now();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} jobs {elapsed} (eta {eta}) {msg}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let mut last = build::BuildProgress::default();
    let index = build::build_job_index(&encoder, &identity, jobs, &options, old.as_ref(), |p| {
        if let Some(bar) = &bar {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
            bar.set_message(format!("{} reused", p.reused));
        }
        last = *p;
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let bytes = index.to_bytes();
    write_bytes(&args.out, &bytes)?;
    let shard = index.shard();
    eprintln!(
        "{}: {} jobs{}, {} bytes ({} per job), {} embedded, {} reused, built in {:.1} s",
        args.out.display(),
        index.len(),
        if shard.n > 1 {
            format!(" (slice {}/{} of {})", shard.k, shard.n, shard.board_jobs)
        } else {
            String::new()
        },
        bytes.len(),
        bytes.len() / index.len().max(1),
        last.embedded,
        last.reused,
        t0.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn merge(args: MergeArgs) -> Result<ExitCode> {
    let shards = args
        .shards
        .iter()
        .map(|p| read_index(p))
        .collect::<Result<Vec<_>>>()?;
    let index = cvmatch::index::merge(&shards)?;
    let bytes = index.to_bytes();
    write_bytes(&args.out, &bytes)?;
    eprintln!(
        "{}: {} jobs from {} shards, {} bytes ({} per job)",
        args.out.display(),
        index.len(),
        shards.len(),
        bytes.len(),
        bytes.len() / index.len().max(1)
    );
    Ok(ExitCode::SUCCESS)
}

/// What `index info` prints.
#[derive(serde::Serialize)]
struct Info {
    file: String,
    format_version: u32,
    model_id: String,
    weights_format: String,
    weights_sha256: String,
    dimension: usize,
    jobs: usize,
    shard: cvmatch::index::Shard,
    line_vectors: Option<usize>,
    distinct_line_vectors: Option<usize>,
    line_bits: Option<u8>,
    line_rows_rotated: Option<bool>,
    bytes: usize,
    bytes_per_job: usize,
    vector_bytes_per_job: usize,
    line_vector_bytes_per_job: usize,
    text_bytes_per_job: usize,
}

fn info(args: InfoArgs) -> Result<ExitCode> {
    let bytes = read_bytes(&args.file)?;
    let index = JobIndex::from_bytes_any_model(&bytes)?;
    let n = index.len().max(1);
    let lines = index.line_count();
    let distinct = index.distinct_line_count();
    let line_bits = index.line_bits();
    let text: usize = index.jobs().iter().map(|j| j.text.len()).sum();
    print_json(&Info {
        file: args.file.display().to_string(),
        format_version: index.format_version(),
        model_id: index.identity().model_id.clone(),
        weights_format: index.identity().weights_format.clone(),
        weights_sha256: index.identity().weights_sha256.clone(),
        dimension: index.dim(),
        jobs: index.len(),
        shard: index.shard(),
        line_vectors: lines,
        distinct_line_vectors: distinct,
        line_bits,
        line_rows_rotated: index.line_rotated(),
        bytes: bytes.len(),
        bytes_per_job: bytes.len() / n,
        vector_bytes_per_job: index.dim() + 4,
        line_vector_bytes_per_job: match (distinct, line_bits) {
            (Some(d), Some(cvmatch::index::quant::TERNARY)) => {
                d * (index.dim().div_ceil(5) + 4) / n
            }
            (Some(d), Some(b)) => d * ((index.dim() * b as usize).div_ceil(8) + 4) / n,
            _ => 0,
        },
        text_bytes_per_job: text / n,
    })?;
    Ok(ExitCode::SUCCESS)
}

fn synth_cmd(args: SynthArgs) -> Result<ExitCode> {
    let jobs = synth::synth_jobs(args.count, args.seed, args.max_sentences);
    let Some(out) = args.out else {
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        for j in &jobs {
            let line = serde_json::to_string(&j.meta)
                .map_err(|e| Error::bad_input(format!("cannot print JSON: {e}")))?;
            writeln!(w, "{line}").map_err(|source| Error::Io {
                path: "stdout".into(),
                source,
            })?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    let (encoder, identity) = load_model(&args.model)?;
    let units = synth::units();
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    let vectors = encoder.encode(&refs)?;
    let by_text: HashMap<&str, &[f32]> = refs
        .iter()
        .zip(&vectors)
        .map(|(t, e)| (*t, e.vector.as_slice()))
        .collect();
    let index = synth::synth_index(jobs, identity, encoder.dim(), |u| by_text.get(u).copied())?;
    let bytes = index.to_bytes();
    write_bytes(&out, &bytes)?;
    eprintln!(
        "{}: {} synthetic jobs, {} bytes ({} per job)",
        out.display(),
        index.len(),
        bytes.len(),
        bytes.len() / index.len().max(1)
    );
    Ok(ExitCode::SUCCESS)
}

/// What `index bench` prints.
#[derive(serde::Serialize)]
struct BenchReport {
    file: String,
    jobs: usize,
    bytes: usize,
    bytes_per_job: usize,
    /// Reading the bytes into an index: checksum, parse, metadata (ms).
    load_ms: f64,
    /// One search over every row, top `top` (ms).
    search_ms: Summary,
    top: usize,
    queries: usize,
    build_profile: &'static str,
}

fn bench(args: BenchArgs) -> Result<ExitCode> {
    let bytes = read_bytes(&args.file)?;
    let t0 = Instant::now();
    let index = JobIndex::from_bytes_any_model(&bytes)?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    if index.is_empty() {
        return Err(Error::bad_input("the index holds no job"));
    }
    let queries: Vec<Vec<f32>> = (0..args.queries.max(1))
        .filter_map(|q| index.vector(q * 7919 % index.len()))
        .collect();
    let mut times = Vec::with_capacity(queries.len());
    let mut checksum = 0usize;
    index.search(&queries[0], args.top)?; // warm-up
    for q in &queries {
        let t = Instant::now();
        let hits = index.search(q, args.top)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
        checksum += hits.first().map_or(0, |h| h.index);
    }
    std::hint::black_box(checksum);
    let search_ms = Summary::of(&times).ok_or_else(|| Error::bad_input("no search was timed"))?;
    print_json(&BenchReport {
        file: args.file.display().to_string(),
        jobs: index.len(),
        bytes: bytes.len(),
        bytes_per_job: bytes.len() / index.len(),
        load_ms,
        search_ms,
        top: args.top,
        queries: times.len(),
        build_profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One line printed by `cvmatch rank --index`.
#[derive(serde::Serialize)]
struct RankedLine<'a> {
    rank: usize,
    id: &'a str,
    title: &'a str,
    company: &'a str,
    location: &'a str,
    url: &'a str,
    score: f32,
    similarity: f32,
    band: &'static str,
    covered: usize,
    requirements: usize,
    missing_terms: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a cvmatch::matching::MatchReport>,
}

/// `cvmatch rank --index FILE`: ranks the index's jobs for a resume and prints one JSON line
/// per job, best first (the index must come from the same model and weights).
pub fn rank_with_index(
    model: &ModelArgs,
    resume: &Path,
    index_path: &Path,
    top: usize,
    report: bool,
) -> Result<ExitCode> {
    let resume = crate::input::read_document(resume)?;
    let bytes = read_bytes(index_path)?;
    let (encoder, identity) = load_model(model)?;
    let index = JobIndex::from_bytes(&bytes, &identity).map_err(|e| match e {
        Error::Index(m) => Error::Index(format!("{}: {m}", index_path.display())),
        other => other,
    })?;
    let options = cvmatch::index::RankOptions { top, shortlist: 0 };
    let ranked = cvmatch::index::rank_index(&encoder, &resume, &index, options, |_, _| true)?;
    for (i, r) in ranked.iter().enumerate() {
        let job = &index.jobs()[r.index];
        let line = RankedLine {
            rank: i + 1,
            id: &job.id,
            title: &job.title,
            company: &job.company,
            location: &job.location,
            url: &job.url,
            score: r.score,
            similarity: (r.similarity * 1000.0).round() / 1000.0,
            band: r.report.band,
            covered: r.report.coverage.covered,
            requirements: r.report.coverage.requirements,
            missing_terms: &r.report.missing_terms,
            report: report.then_some(&r.report),
        };
        let json = serde_json::to_string(&line)
            .map_err(|e| Error::bad_input(format!("cannot print JSON: {e}")))?;
        println!("{json}");
    }
    Ok(ExitCode::SUCCESS)
}
