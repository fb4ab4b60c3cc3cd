//! `cvmatch`: the native command line, a thin shell over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

mod bench;
mod convert;
mod embed;
mod eval_pairs;
mod eval_sts;
mod explain;
mod index;
mod input;
mod profile;
mod rank;
mod read;
mod score;
mod serve;

/// Resume-to-job matching with a sentence encoder.
#[derive(Parser)]
#[command(name = "cvmatch", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the model is and which weights to load (shared by every command).
#[derive(Args, Clone, Debug)]
pub struct ModelArgs {
    /// Model directory (with manifest.json, as written by `make model`).
    #[arg(long, global = true, default_value = "models/all-MiniLM-L6-v2")]
    pub model: PathBuf,
    /// Weights format listed in the manifest (q8, f16, f32): q8 by default, as in the
    /// worker, the npm client and the site (one default everywhere).
    #[arg(long, global = true, default_value = "q8")]
    pub weights: String,
    /// q8 only: compute the linear layers on 8-bit weights with 16-bit activations
    /// (src/model/qgemm.rs, the wasm default) instead of candle's f32 on expanded weights.
    #[arg(long, global = true)]
    pub int8_linears: bool,
    /// How matching gets a line's vector: `late` pools it from the tokens of its chunk's
    /// pass (each token embedded once), `own-pass` embeds the line again on its own. The
    /// default is the library's (EVALUATION.md, late chunking).
    #[arg(long, global = true, value_enum)]
    pub line_vectors: Option<LineVectors>,
}

/// `--line-vectors`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineVectors {
    /// Pooled from the chunk's pass (late chunking).
    Late,
    /// A pass of its own per line.
    OwnPass,
}

impl ModelArgs {
    /// Reads, verifies and builds the encoder.
    pub fn load(&self) -> cvmatch::Result<cvmatch::Encoder> {
        let encoder = if !self.int8_linears {
            cvmatch::model_dir::load_encoder(&self.model, &self.weights)?
        } else {
            let dir = cvmatch::model_dir::ModelDir::read(&self.model, &self.weights)?;
            let options = cvmatch::model::LoadOptions {
                int8_linears: true,
                ..cvmatch::model::LoadOptions::default()
            };
            cvmatch::Encoder::from_bytes_with(dir.files(), options, &|| 0.0)?.0
        };
        Ok(match self.line_vectors {
            Some(mode) => encoder.with_late_chunking(mode == LineVectors::Late),
            None => encoder,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Embed JSON Lines from stdin (a JSON string or an object with `text` per line).
    Embed(embed::EmbedArgs),
    /// Evaluate the encoder or the matcher on a labelled data set.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Time each stage of loading the model over fresh loads.
    Profile(profile::ProfileArgs),
    /// Throughput on the shared benchmark workloads.
    Bench(bench::BenchArgs),
    /// Write the f16 and q8 weights files and list them in manifest.json.
    Convert(convert::ConvertArgs),
    /// Match report of a resume and a job, as JSON (`score` 0–100 at the top level).
    Score(score::PairArgs),
    /// Match report for people: score and band, requirements with evidence, missing terms.
    Explain(score::PairArgs),
    /// Rank jobs (JSON Lines with id, title, text) for one resume.
    Rank(rank::RankArgs),
    /// Serve a directory on 127.0.0.1 (demo site, browser tests) with correct MIME types.
    Serve(serve::ServeArgs),
    /// Precomputed job index: build, info, synth, bench.
    #[command(subcommand)]
    Index(index::IndexCommand),
    /// Read a resume or job ad (PDF, DOCX, text) and print the text that will be scored.
    Read(read::ReadArgs),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// STS Benchmark file: Spearman of cosine vs the human score.
    Sts(eval_sts::StsArgs),
    /// Labelled resume/job pairs: Spearman and ordering accuracy of the match score.
    Pairs(eval_pairs::PairsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Embed(args) => embed::run(args),
        Command::Eval(EvalCommand::Sts(args)) => eval_sts::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Score(args) => score::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Rank(args) => rank::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Index(command) => index::run(command),
        Command::Read(args) => read::run(args),
        Command::Eval(EvalCommand::Pairs(args)) => eval_pairs::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
