//! Measures the compact index (docs/index-format.md, "Compact lines"): bytes per job and the
//! top-10 of `rank_index` (with reports) for every resume of `../shared/eval/pairs.json`, with
//! requirement-line vectors in 8 bits, one row per line of every job (the values version 1
//! stored) against 4, ternary, 2 and 1 bits (rotated) stored once per distinct line, each
//! ranked with the stored lines as they are (margin 0) and with the default margin (jobs near
//! the last place of the top 10 get their lines embedded at query time). The jobs are
//! embedded once (`CVX_CACHE=FILE` keeps them between runs); every variant is built from the
//! same vectors. `CVX_VARIANTS=1` instead simulates other line codes (rotation or not,
//! residual of the job vector or not) on the same vectors.
//!
//! ```text
//! cargo run --release --example index_compact -- MODEL_DIR WEIGHTS JOBS.jsonl|synth:N PAIRS.json
//! ```

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use cvmatch::index::quant::TERNARY;
use cvmatch::index::{
    line_score_margin, synth, BuildOptions, IndexBuilder, IndexIdentity, JobIndex, JobMeta,
    RankOptions,
};
use cvmatch::matching::prepare::{embed_plans, plan, plan_lexical, prepare_all, Prepared, Role};
use cvmatch::model_dir::ModelDir;

/// A job ready to be added to any variant.
#[derive(serde::Serialize, serde::Deserialize)]
struct Job {
    meta: JobMeta,
    vector: Vec<f32>,
    lines: Vec<Vec<f32>>,
    texts: Vec<String>,
    chunks: usize,
}

fn main() -> cvmatch::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, weights, jobs_arg, pairs_path] = args.as_slice() else {
        eprintln!("usage: index_compact MODEL_DIR WEIGHTS JOBS.jsonl|synth:N PAIRS.json");
        std::process::exit(2);
    };
    let dir = ModelDir::read(std::path::Path::new(model), weights)?;
    let encoder = dir.encoder()?;
    let identity = IndexIdentity::from_manifest(&dir.manifest, weights)?;
    let t0 = Instant::now();
    // CVX_CACHE=FILE keeps the embeddings between runs (JSON; written when absent).
    let cache = std::env::var("CVX_CACHE").ok();
    let cached: Option<Vec<Job>> = cache
        .as_ref()
        .and_then(|c| std::fs::read(c).ok())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let jobs: Vec<Job> = match cached {
        Some(j) => j,
        None => {
            let j = if let Some(n) = jobs_arg.strip_prefix("synth:") {
                synth_jobs(&encoder, n.parse().unwrap_or(10_000))?
            } else {
                real_jobs(&encoder, jobs_arg)?
            };
            if let Some(c) = &cache {
                let bytes =
                    serde_json::to_vec(&j).map_err(|e| cvmatch::Error::bad_input(e.to_string()))?;
                std::fs::write(c, bytes).map_err(|e| cvmatch::Error::bad_input(e.to_string()))?;
            }
            j
        }
    };
    eprintln!(
        "{} jobs embedded in {:.1} s",
        jobs.len(),
        t0.elapsed().as_secs_f64()
    );
    let pairs: serde_json::Value = serde_json::from_slice(
        &std::fs::read(pairs_path).map_err(|e| cvmatch::Error::bad_input(e.to_string()))?,
    )
    .map_err(|e| cvmatch::Error::bad_input(e.to_string()))?;
    let mut resumes: Vec<&str> = pairs["pairs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["resume_id"].as_str())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    resumes.sort_unstable();
    let docs: Vec<(&str, Role)> = resumes
        .iter()
        .filter_map(|id| pairs["texts"][*id]["text"].as_str())
        .map(|t| (t, Role::Resume))
        .collect();
    // Every resume embedded once; each variant then ranks by arithmetic only.
    let texts = prepare_all(&encoder, &docs)?;

    // Version 1's values: 8-bit rows, one per line of every job (no sharing).
    let mut v1 = IndexBuilder::with_options(
        identity.clone(),
        encoder.dim(),
        &BuildOptions {
            line_bits: 8,
            ..BuildOptions::default()
        },
    );
    for j in &jobs {
        v1.push_vectors(j.meta.clone(), &j.vector, &j.lines, j.chunks)?;
    }
    let v1 = v1.finish();
    let v1_bytes = v1_size(&v1);
    let baseline = top10(&encoder, &v1, &texts, 0.0)?;
    println!(
        "{{\"variant\": \"v1 (8-bit, every line)\", \"bytes\": {v1_bytes}, \"bytes_per_job\": {}}}",
        v1_bytes / v1.len().max(1)
    );
    if std::env::var("CVX_VARIANTS").is_ok() {
        return simulate(&encoder, &identity, &jobs, &texts, &baseline);
    }
    for bits in [8u8, 4, TERNARY, 2, 1] {
        let mut b = IndexBuilder::with_options(
            identity.clone(),
            encoder.dim(),
            &BuildOptions {
                line_bits: bits,
                ..BuildOptions::default()
            },
        );
        for j in &jobs {
            b.push_vectors_with_texts(j.meta.clone(), &j.vector, &j.lines, &j.texts, j.chunks)?;
        }
        let file = b.finish().to_bytes();
        let index = JobIndex::from_bytes(&file, &identity)?;
        let n = index.len().max(1);
        // Where the bytes go (per job): document vectors + scales, line rows + scales, the
        // DEFLATEd job records (ids, texts, metadata, line references), header and checksum.
        let dim = index.dim();
        let row = if bits == TERNARY {
            dim.div_ceil(5)
        } else {
            (dim * bits as usize).div_ceil(8)
        };
        let vectors = index.len() * (dim + 4);
        let lines = 4 + index.distinct_line_count().unwrap_or(0) * (row + 4);
        let label = if bits == TERNARY {
            "ternary".to_string()
        } else {
            format!("{bits}-bit")
        };
        for margin in [0.0, line_score_margin(index.line_bits())] {
            let t = Instant::now();
            let got = top10(&encoder, &index, &texts, margin)?;
            let ms = t.elapsed().as_secs_f64() * 1000.0 / texts.len().max(1) as f64;
            let (mean, min, same_order, max_score_diff) = compare(&baseline, &got);
            println!(
                "{{\"variant\": \"v3 {label} lines{}\", \"margin\": {margin}, \"bytes\": {}, \"bytes_per_job\": {}, \"doc_vectors_per_job\": {}, \"line_rows_per_job\": {}, \"records_header_checksum_per_job\": {}, \"distinct_lines\": {}, \"lines\": {}, \"top10_overlap_mean\": {mean:.3}, \"top10_overlap_min\": {min:.2}, \"same_top10_order\": \"{same_order}/{}\", \"max_score_diff\": {max_score_diff:.2}, \"rank_ms_per_resume\": {ms:.1}}}",
                if index.line_rotated() == Some(true) { ", rotated" } else { "" },
                file.len(),
                file.len() / n,
                vectors / n,
                lines / n,
                (file.len() - vectors - lines) / n,
                index.distinct_line_count().unwrap_or(0),
                index.line_count().unwrap_or(0),
                texts.len()
            );
            if line_score_margin(index.line_bits()) == 0.0 {
                break;
            }
        }
    }
    Ok(())
}

/// The size version 1 gave the same index: header, int8 vectors, per-job line rows and
/// offsets, plain job records, checksum.
fn v1_size(index: &JobIndex) -> usize {
    let id = index.identity();
    let header = 8 + 4 * 4 + 4 + 32 + 2 + id.model_id.len() + 2 + id.weights_format.len();
    let lines = index.line_count().unwrap_or(0);
    let records: usize = index
        .jobs()
        .iter()
        .map(|j| {
            let extra = if j.extra.is_empty() {
                0
            } else {
                serde_json::Value::Object(j.extra.clone()).to_string().len()
            };
            4 + 7 * 4
                + j.id.len()
                + j.title.len()
                + j.company.len()
                + j.location.len()
                + j.url.len()
                + j.text.len()
                + extra
        })
        .sum();
    header
        + index.len() * (index.dim() + 4)
        + (index.len() + 1) * 4
        + lines * (index.dim() + 4)
        + records
        + 32
}

/// (job id, score) of the top 10 for each resume.
fn top10(
    encoder: &cvmatch::Encoder,
    index: &JobIndex,
    resumes: &[Prepared],
    margin: f32,
) -> cvmatch::Result<Vec<Vec<(String, f32)>>> {
    resumes
        .iter()
        .map(|r| {
            Ok(cvmatch::index::rank_prepared_margin(
                encoder,
                r,
                index,
                RankOptions {
                    top: 10,
                    shortlist: 0,
                },
                margin,
                |_, _| true,
            )?
            .into_iter()
            .map(|x| (index.jobs()[x.index].id.clone(), x.score))
            .collect())
        })
        .collect()
}

fn real_jobs(encoder: &cvmatch::Encoder, path: &str) -> cvmatch::Result<Vec<Job>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| cvmatch::Error::bad_input(e.to_string()))?;
    let metas: Vec<JobMeta> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            JobMeta::from_json_value(
                serde_json::from_str(l).map_err(|e| cvmatch::Error::bad_input(e.to_string()))?,
            )
        })
        .collect::<cvmatch::Result<_>>()?;
    let mut out = Vec::new();
    for batch in metas.chunks(8) {
        let plans = batch
            .iter()
            .map(|m| plan(encoder, &m.text, Role::Job))
            .collect::<cvmatch::Result<Vec<_>>>()?;
        for (meta, p) in batch.iter().zip(embed_plans(encoder, plans)?) {
            out.push(Job {
                meta: meta.clone(),
                chunks: p.plan.chunks.len(),
                vector: p.vector,
                lines: p.line_vectors,
                texts: p.plan.lines,
            });
        }
    }
    Ok(out)
}

/// Synthetic jobs (`synth::synth_jobs`, seed 2024) with their requirement lines: every
/// distinct text embedded once.
fn synth_jobs(encoder: &cvmatch::Encoder, n: usize) -> cvmatch::Result<Vec<Job>> {
    let jobs = synth::synth_jobs(n, 2024, 3);
    let plans: Vec<_> = jobs
        .iter()
        .map(|j| plan_lexical(&j.meta.text, Role::Job))
        .collect::<cvmatch::Result<_>>()?;
    let mut unique: Vec<String> = synth::units();
    let mut seen: HashSet<String> = unique.iter().cloned().collect();
    for p in &plans {
        for l in &p.lines {
            if seen.insert(l.clone()) {
                unique.push(l.clone());
            }
        }
    }
    let refs: Vec<&str> = unique.iter().map(String::as_str).collect();
    let vectors = encoder.encode(&refs)?;
    let by_text: HashMap<&str, &[f32]> = refs
        .iter()
        .zip(&vectors)
        .map(|(t, e)| (*t, e.vector.as_slice()))
        .collect();
    Ok(jobs
        .into_iter()
        .zip(plans)
        .map(|(j, p)| Job {
            vector: synth::job_vector(&j.units, encoder.dim(), |u| by_text.get(u).copied()),
            lines: p
                .lines
                .iter()
                .map(|l| {
                    by_text
                        .get(l.as_str())
                        .map_or_else(|| vec![0.0; encoder.dim()], |v| v.to_vec())
                })
                .collect(),
            texts: p.lines,
            chunks: 1,
            meta: j.meta,
        })
        .collect())
}

/// Overlap mean, min, same order, largest score change against `baseline`.
fn compare(baseline: &[Vec<(String, f32)>], got: &[Vec<(String, f32)>]) -> (f32, f32, usize, f32) {
    let mut overlaps = Vec::new();
    let mut max_score_diff = 0f32;
    let mut same_order = 0;
    for (a, b) in baseline.iter().zip(got) {
        let want: HashSet<&str> = a.iter().map(|x| x.0.as_str()).collect();
        overlaps.push(
            b.iter().filter(|x| want.contains(x.0.as_str())).count() as f32 / a.len().max(1) as f32,
        );
        let by_id: HashMap<&str, f32> = a.iter().map(|x| (x.0.as_str(), x.1)).collect();
        for (id, s) in b {
            if let Some(s0) = by_id.get(id.as_str()) {
                max_score_diff = max_score_diff.max((s - s0).abs());
            }
        }
        same_order += usize::from(a.iter().map(|x| &x.0).eq(b.iter().map(|x| &x.0)));
    }
    let mean = overlaps.iter().sum::<f32>() / overlaps.len().max(1) as f32;
    let min = overlaps.iter().copied().fold(1f32, f32::min);
    (mean, min, same_order, max_score_diff)
}

/// CVX_VARIANTS=1: line codes simulated on the f32 vectors (quantized, dequantized, stored
/// at 8 bits): rotation or not, 2 / ternary / 1 bit, raw or as a residual of the job vector.
fn simulate(
    encoder: &cvmatch::Encoder,
    identity: &IndexIdentity,
    jobs: &[Job],
    texts: &[Prepared],
    baseline: &[Vec<(String, f32)>],
) -> cvmatch::Result<()> {
    use cvmatch::index::quant::{quantize_bits, quantize_ternary, Rotation, ROTATION_SEED};
    let dim = encoder.dim();
    let rot = Rotation::new(dim, ROTATION_SEED);
    let line_count: usize = jobs.iter().map(|j| j.lines.len()).sum();
    let mut err2 = 0f64;
    for code in ["1", "t", "2"] {
        for rotate in [false, true] {
            for residual in [false, true] {
                let mut b = IndexBuilder::with_options(
                    identity.clone(),
                    dim,
                    &BuildOptions {
                        line_bits: 8,
                        ..BuildOptions::default()
                    },
                );
                for j in jobs {
                    let lines: Vec<Vec<f32>> = j
                        .lines
                        .iter()
                        .map(|l| {
                            let alpha: f32 = if residual {
                                l.iter().zip(&j.vector).map(|(a, b)| a * b).sum()
                            } else {
                                0.0
                            };
                            let mut x: Vec<f32> = l
                                .iter()
                                .zip(&j.vector)
                                .map(|(a, b)| a - alpha * b)
                                .collect();
                            if rotate {
                                rot.rotate(&mut x);
                            }
                            let (q, s) = match code {
                                "t" => quantize_ternary(&x),
                                "1" => quantize_bits(&x, 1),
                                _ => quantize_bits(&x, 2),
                            };
                            let mut y: Vec<f32> = q.iter().map(|&v| v as f32 * s).collect();
                            if rotate {
                                rot.unrotate(&mut y);
                            }
                            let y: Vec<f32> = y
                                .iter()
                                .zip(&j.vector)
                                .map(|(a, b)| a + alpha * b)
                                .collect();
                            err2 += l
                                .iter()
                                .zip(&y)
                                .map(|(a, b)| f64::from((a - b) * (a - b)))
                                .sum::<f64>();
                            y
                        })
                        .collect();
                    b.push_vectors_with_texts(
                        j.meta.clone(),
                        &j.vector,
                        &lines,
                        &j.texts,
                        j.chunks,
                    )?;
                }
                let index = b.finish();
                let got = top10(encoder, &index, texts, 0.0)?;
                let (mean, min, same, diff) = compare(baseline, &got);
                println!(
                    "{{\"code\": \"{code}\", \"rotate\": {rotate}, \"residual\": {residual}, \"rms_err\": {:.4}, \"top10_overlap_mean\": {mean:.3}, \"top10_overlap_min\": {min:.2}, \"same_order\": {same}, \"max_score_diff\": {diff:.2}}}",
                    (err2 / line_count.max(1) as f64).sqrt()
                );
                err2 = 0.0;
            }
        }
    }
    Ok(())
}
