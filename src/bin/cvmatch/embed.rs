//! `cvmatch embed`: JSON Lines in, one embedding object per line out, in order.

use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;
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
    #[arg(long, default_value_t = 1 << 20)]
    max_line_bytes: usize,
}

#[derive(serde::Serialize)]
struct Output<'a> {
    embedding: &'a [f32],
    tokens: usize,
    truncated: bool,
}

/// Reads one input line's text: a JSON string, or an object with a string `text` field.
fn parse_line(line: &[u8], number: usize, max: usize) -> Result<String> {
    if line.len() > max {
        return Err(Error::bad_input(format!(
            "line {number}: {} bytes is more than --max-line-bytes {max}",
            line.len()
        )));
    }
    let line = std::str::from_utf8(line)
        .map_err(|e| Error::bad_input(format!("line {number}: not UTF-8 ({e})")))?;
    let value: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Error::bad_input(format!("line {number}: not JSON ({e})")))?;
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Object(mut o) => match o.remove("text") {
            Some(serde_json::Value::String(s)) => Ok(s),
            _ => Err(Error::bad_input(format!(
                "line {number}: object without a string \"text\" field"
            ))),
        },
        _ => Err(Error::bad_input(format!(
            "line {number}: expected a JSON string or an object with \"text\""
        ))),
    }
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
    let write_err = |e: std::io::Error| Error::Io {
        path: "<stdout>".into(),
        source: e,
    };
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
            .map_err(|e| Error::bad_input(e.to_string()))?;
            out.write_all(b"\n").map_err(write_err)?;
        }
        if let Some(bar) = &progress {
            bar.inc(pending.len() as u64);
        }
        pending.clear();
        Ok(())
    };
    loop {
        line.clear();
        let read = input.read_until(b'\n', &mut line).map_err(|e| Error::Io {
            path: "<stdin>".into(),
            source: e,
        })?;
        if read == 0 {
            break;
        }
        number += 1;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        pending.push(parse_line(&line, number, args.max_line_bytes)?);
        if pending.len() >= group {
            flush(&mut pending, &mut out)?;
        }
    }
    if !pending.is_empty() {
        flush(&mut pending, &mut out)?;
    }
    out.flush().map_err(write_err)?;
    Ok(ExitCode::SUCCESS)
}
