//! Measures the compact index (docs/index-format.md, "Compact lines"): bytes per job and the
//! top-10 of `rank_index` (with reports) for every resume of `../shared/eval/pairs.json`, with
//! requirement-line vectors in 8 bits, one row per line of every job (the values version 1
//! stored) against 4, 2 and 1 bits stored once per distinct line. The jobs are embedded once;
//! every variant is built from the same vectors.
//!
//! ```text
//! cargo run --release --example index_compact -- MODEL_DIR WEIGHTS JOBS.jsonl|synth:N PAIRS.json
//! ```

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use cvmatch::index::{
    synth, BuildOptions, IndexBuilder, IndexIdentity, JobIndex, JobMeta, RankOptions,
};
use cvmatch::matching::prepare::{embed_plans, plan, plan_lexical, prepare_all, Prepared, Role};
use cvmatch::model_dir::ModelDir;

/// A job ready to be added to any variant.
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
    let jobs: Vec<Job> = if let Some(n) = jobs_arg.strip_prefix("synth:") {
        synth_jobs(&encoder, n.parse().unwrap_or(10_000))?
    } else {
        real_jobs(&encoder, jobs_arg)?
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
    let baseline = top10(&encoder, &v1, &texts)?;
    println!(
        "{{\"variant\": \"v1 (8-bit, every line)\", \"bytes\": {v1_bytes}, \"bytes_per_job\": {}}}",
        v1_bytes / v1.len().max(1)
    );
    for bits in [8u8, 4, 2, 1] {
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
        let index = JobIndex::from_bytes(&b.finish().to_bytes(), &identity)?;
        let bytes = index.to_bytes().len();
        let got = top10(&encoder, &index, &texts)?;
        let mut overlaps = Vec::new();
        let mut max_score_diff = 0f32;
        let mut same_order = 0;
        for (a, b) in baseline.iter().zip(&got) {
            let want: HashSet<&str> = a.iter().map(|x| x.0.as_str()).collect();
            overlaps.push(
                b.iter().filter(|x| want.contains(x.0.as_str())).count() as f32
                    / a.len().max(1) as f32,
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
        println!(
            "{{\"variant\": \"v2 {bits}-bit lines\", \"bytes\": {bytes}, \"bytes_per_job\": {}, \"distinct_lines\": {}, \"lines\": {}, \"top10_overlap_mean\": {mean:.3}, \"top10_overlap_min\": {min:.2}, \"same_top10_order\": \"{same_order}/{}\", \"max_score_diff\": {max_score_diff:.2}}}",
            bytes / index.len().max(1),
            index.distinct_line_count().unwrap_or(0),
            index.line_count().unwrap_or(0),
            texts.len()
        );
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
) -> cvmatch::Result<Vec<Vec<(String, f32)>>> {
    resumes
        .iter()
        .map(|r| {
            Ok(cvmatch::index::rank_prepared(
                encoder,
                r,
                index,
                RankOptions {
                    top: 10,
                    shortlist: 0,
                },
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
