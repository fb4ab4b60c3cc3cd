//! `cvmatch convert`: writes the f16 and q8 weights files beside the f32 original and lists
//! them in manifest.json (size, sha256, and `weights.<format>`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cvmatch::manifest::{sha256_hex, ManifestFile};
use cvmatch::model::convert::{convert, ConvertInput};
use cvmatch::model::gguf;
use cvmatch::model_dir::ModelDir;
use cvmatch::{Error, Result, WeightsFormat};

/// Options of `cvmatch convert`.
#[derive(Args)]
pub struct ConvertArgs {
    /// Target formats: f16, q8 (repeat, or comma-separate).
    #[arg(long = "to", required = true, value_delimiter = ',')]
    to: Vec<String>,
    /// Model directory with manifest.json and the f32 model.safetensors.
    #[arg(default_value = "models/all-MiniLM-L6-v2")]
    model_dir: PathBuf,
    /// Convert again even when the manifest already lists a file that verifies.
    #[arg(long)]
    force: bool,
}

/// Every I/O here writes.
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::write(path.display(), source)
}

/// Whether `format` is listed and its file is on disk with the listed size and sha256
/// (and, for q8, written in the current layout: an older `cvmatch.format_version` is
/// converted again).
fn up_to_date(dir: &ModelDir, format: WeightsFormat) -> bool {
    dir.manifest
        .weights_file(format.as_str())
        .ok()
        .and_then(|entry| {
            let bytes = std::fs::read(dir.path.join(&entry.name)).ok()?;
            entry.verify(&bytes).ok()?;
            if format == WeightsFormat::Q8 {
                let g = gguf::read(&bytes, &entry.name).ok()?;
                let version = g.metadata.get("cvmatch.format_version")?.to_u32().ok()?;
                (version == gguf::FORMAT_VERSION).then_some(())
            } else {
                Some(())
            }
        })
        .is_some()
}

/// Runs the command.
pub fn run(args: ConvertArgs) -> Result<ExitCode> {
    let formats = args
        .to
        .iter()
        .map(|name| match WeightsFormat::parse(name.trim())? {
            WeightsFormat::F32 => Err(Error::bad_input(
                "--to f32: f32 is the original file; convert to f16 or q8",
            )),
            f => Ok(f),
        })
        .collect::<Result<Vec<_>>>()?;
    // reads and verifies config.json, tokenizer.json and the f32 weights
    let source = ModelDir::read(&args.model_dir, "f32")?;
    let mut manifest = source.manifest.clone();
    for format in formats {
        let name = format.file_name();
        if !args.force && up_to_date(&source, format) {
            eprintln!("convert: {name} is up to date");
            continue;
        }
        let bytes = convert(
            ConvertInput {
                weights: &source.weights,
                weights_name: &source.weights_name,
                config: &source.config,
                model_id: &manifest.model_id,
            },
            format,
        )?;
        let path = args.model_dir.join(name);
        let partial = args.model_dir.join(format!("{name}.partial"));
        std::fs::write(&partial, &bytes).map_err(|e| io_error(&partial, e))?;
        std::fs::rename(&partial, &path).map_err(|e| io_error(&path, e))?;
        manifest.files.retain(|f| f.name != name);
        manifest.files.push(ManifestFile {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        });
        manifest.files.sort_by(|a, b| a.name.cmp(&b.name));
        manifest
            .weights
            .insert(format.as_str().to_string(), name.to_string());
        eprintln!(
            "convert: wrote {} ({:.1} MB, {:.0}% of the f32 file)",
            path.display(),
            bytes.len() as f64 / 1e6,
            100.0 * bytes.len() as f64 / source.weights.len() as f64
        );
    }
    let manifest_path = args.model_dir.join("manifest.json");
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::bad_input(format!("cannot write manifest.json: {e}")))?;
    std::fs::write(&manifest_path, json + "\n").map_err(|e| io_error(&manifest_path, e))?;
    Ok(ExitCode::SUCCESS)
}
