//! `cvmatch embed`: JSON Lines in, one embedding object per line out, in order.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;
use cvmatch::error::IoContext;
use cvmatch::jsonl::{parse_text_line, read_line};
use cvmatch::{Error, Result};

use crate::ModelArgs;

/// Options of `cvmatch embed`.
#[derive(Args)]
pub struct EmbedArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Texts per forward pass.
    #[arg(long, default_value_t = cvmatch::model::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// Longest accepted input line, in bytes (a longer line is an error naming it).
    #[arg(long, default_value_t = cvmatch::limits::MAX_INPUT_LINE_BYTES)]
    max_line_bytes: usize,
}

#[derive(serde::Serialize)]
struct Output<'a> {
    embedding: &'a [f32],
    tokens: usize,
    truncated: bool,
}

/// Runs the command.
pub fn run(args: EmbedArgs) -> Result<ExitCode> {
    let encoder = args.model.load()?.with_batch_size(args.batch_size);
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("embedding");
        Some(bar)
    } else {
        None
    };
    // Texts are embedded in groups so output streams while order is kept.
    let group = args.batch_size.max(1) * 4;
    let mut pending: Vec<String> = Vec::with_capacity(group);
    let mut line = Vec::new();
    let mut number = 0usize;
    let flush = |pending: &mut Vec<String>, out: &mut BufWriter<_>| -> Result<()> {
        let refs: Vec<&str> = pending.iter().map(String::as_str).collect();
        for e in encoder.encode(&refs)? {
            serde_json::to_writer(
                &mut *out,
                &Output {
                    embedding: &e.vector,
                    tokens: e.tokens,
                    truncated: e.truncated,
                },
            )
            .map_err(|e| {
                if e.is_io() {
                    Error::write("<stdout>", std::io::Error::from(e))
                } else {
                    Error::internal(format!("cannot serialise an embedding: {e}"))
                }
            })?;
            out.write_all(b"\n").writing("<stdout>")?;
        }
        if let Some(bar) = &progress {
            bar.inc(pending.len() as u64);
        }
        pending.clear();
        Ok(())
    };
    loop {
        number += 1;
        if !read_line(
            &mut input,
            &mut line,
            args.max_line_bytes,
            number,
            "<stdin>",
        )? {
            break;
        }
        pending.push(parse_text_line(&line, number)?);
        if pending.len() >= group {
            flush(&mut pending, &mut out)?;
        }
    }
    if !pending.is_empty() {
        flush(&mut pending, &mut out)?;
    }
    out.flush().writing("<stdout>")?;
    Ok(ExitCode::SUCCESS)
}
