//! The precomputed job index: int8 ranking agrees with f32 ranking on a 10,000-job synthetic
//! corpus (real model), reports from the index agree with `matching::score`, the file
//! round-trips, and every bad file is refused with an `index` error, never a panic.

mod common;

use std::collections::{HashMap, HashSet};

use common::{real_model_dir, shared};
use cvmatch::index::{synth, IndexBuilder, IndexIdentity, JobIndex, JobMeta, RankOptions};
use cvmatch::model_dir::ModelDir;

const SHA: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

fn identity() -> IndexIdentity {
    IndexIdentity::new("sentence-transformers/all-MiniLM-L6-v2", SHA, "f32")
}

/// A small index of pseudo-random unit vectors, with line vectors and extra metadata.
fn small_index(count: usize, dim: usize) -> JobIndex {
    let mut b = IndexBuilder::new(identity(), dim, true);
    let mut state = 12345u64;
    let mut rnd = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
    };
    for i in 0..count {
        let v: Vec<f32> = (0..dim).map(|_| rnd()).collect();
        let lines: Vec<Vec<f32>> = (0..i % 4)
            .map(|_| (0..dim).map(|_| rnd()).collect())
            .collect();
        let mut extra = serde_json::Map::new();
        extra.insert("salary".into(), serde_json::json!({"min": 1000 * i}));
        let meta = JobMeta {
            id: format!("job-{i}"),
            title: format!("Title {i} — ünïcode"),
            company: "Acme".into(),
            location: "Lisbon".into(),
            url: format!("https://example.com/{i}"),
            text: format!("Title {i}\nRequirements:\n- thing {i}"),
            extra: if i % 2 == 0 {
                extra
            } else {
                serde_json::Map::new()
            },
        };
        b.push_vectors(meta, &v, &lines, 1 + i % 3).unwrap();
    }
    b.finish()
}

fn index_error(bytes: &[u8]) -> String {
    let e = JobIndex::from_bytes(bytes, &identity()).unwrap_err();
    assert_eq!(e.code(), "index", "{e}");
    e.to_string()
}

#[test]
fn round_trip_keeps_everything() {
    let index = small_index(25, 16);
    let bytes = index.to_bytes();
    let back = JobIndex::from_bytes(&bytes, &identity()).unwrap();
    assert_eq!(back, index);
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(back.line_vectors(3).unwrap().len(), 3);
    assert_eq!(back.jobs()[2].extra["salary"]["min"], 2000);
    let empty = IndexBuilder::new(identity(), 8, false).finish();
    assert_eq!(
        JobIndex::from_bytes(&empty.to_bytes(), &identity()).unwrap(),
        empty
    );
}

#[test]
fn every_bad_file_is_an_index_error() {
    let bytes = small_index(10, 16).to_bytes();
    let mut wrong = bytes.clone();
    wrong[0] = b'X';
    assert!(index_error(&wrong).contains("magic"));
    assert!(index_error(b"PK\x03\x04 a zip file").contains("magic"));
    assert!(index_error(b"<!doctype html><html>").contains("magic"));
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(cvmatch::index::format::VERSION + 1).to_le_bytes());
    assert!(index_error(&newer).contains("newer"));
    let other_model = IndexIdentity::new("sentence-transformers/all-mpnet-base-v2", SHA, "f32");
    let e = JobIndex::from_bytes(&bytes, &other_model).unwrap_err();
    assert_eq!(e.code(), "index");
    assert!(e.to_string().contains("all-mpnet-base-v2"), "{e}");
    let other_weights = IndexIdentity::new(
        "sentence-transformers/all-MiniLM-L6-v2",
        &"0".repeat(64),
        "q8",
    );
    let e = JobIndex::from_bytes(&bytes, &other_weights).unwrap_err();
    assert!(e.to_string().contains("other weights"), "{e}");
    for cut in [0, 4, 8, 11, 40, bytes.len() / 2, bytes.len() - 1] {
        let msg = index_error(&bytes[..cut]);
        assert!(
            msg.contains("truncated") || msg.contains("magic"),
            "{cut}: {msg}"
        );
    }
    for pos in [
        12,
        30,
        70,
        200,
        bytes.len() / 2,
        bytes.len() - 40,
        bytes.len() - 1,
    ] {
        let mut flipped = bytes.clone();
        flipped[pos] ^= 0x01;
        assert!(index_error(&flipped).contains("corrupted"), "flip at {pos}");
    }
}

/// A version-1 file (the format before shards and compact lines) of `index`'s content, as
/// that version's writer laid it out.
fn v1_bytes(index: &JobIndex, with_lines: bool) -> Vec<u8> {
    use cvmatch::index::quant::quantize;
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    let mut out = b"CVXINDEX".to_vec();
    put(&mut out, 1);
    put(&mut out, with_lines as u32);
    put(&mut out, index.dim() as u32);
    put(&mut out, index.len() as u32);
    out.extend_from_slice(&[1, 0, 0, 0]);
    out.extend((0..32).map(|i| u8::from_str_radix(&SHA[2 * i..2 * i + 2], 16).unwrap()));
    for s in [&index.identity().model_id, &index.identity().weights_format] {
        out.extend_from_slice(&(s.len() as u16).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let rows = |out: &mut Vec<u8>, vs: &[Vec<f32>]| {
        let q: Vec<(Vec<i8>, f32)> = vs.iter().map(|v| quantize(v)).collect();
        for (v, _) in &q {
            out.extend(v.iter().map(|&x| x as u8));
        }
        for (_, s) in &q {
            out.extend_from_slice(&s.to_le_bytes());
        }
    };
    let vectors: Vec<Vec<f32>> = (0..index.len()).map(|i| index.vector(i).unwrap()).collect();
    rows(&mut out, &vectors);
    if with_lines {
        let mut total = 0;
        put(&mut out, 0);
        let mut all = Vec::new();
        for i in 0..index.len() {
            let l = index.line_vectors(i).unwrap();
            total += l.len() as u32;
            put(&mut out, total);
            all.extend(l);
        }
        rows(&mut out, &all);
    }
    for (i, j) in index.jobs().iter().enumerate() {
        put(&mut out, index.chunks(i) as u32);
        let extra = if j.extra.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(j.extra.clone()).to_string()
        };
        for s in [
            &j.id,
            &j.title,
            &j.company,
            &j.location,
            &j.url,
            &j.text,
            &extra,
        ] {
            put(&mut out, s.len() as u32);
            out.extend_from_slice(s.as_bytes());
        }
    }
    let digest = cvmatch::manifest::sha256_hex(&out);
    out.extend((0..32).map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap()));
    out
}

#[test]
fn version_1_files_are_still_read() {
    let index = small_index(12, 16);
    for with_lines in [false, true] {
        let old = JobIndex::from_bytes(&v1_bytes(&index, with_lines), &identity()).unwrap();
        assert_eq!(old.format_version(), 1);
        assert_eq!(old.jobs(), index.jobs());
        assert_eq!(old.has_line_vectors(), with_lines);
        for i in 0..index.len() {
            let (a, b) = (old.vector(i).unwrap(), index.vector(i).unwrap());
            assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 0.01));
            if with_lines {
                assert_eq!(
                    old.line_vectors(i).unwrap().len(),
                    index.line_vectors(i).unwrap().len()
                );
            }
            assert_eq!(old.position(i), Some(i));
        }
        // Re-written in the current version, it reads back the same.
        let again = JobIndex::from_bytes(&old.to_bytes(), &identity()).unwrap();
        assert_eq!(again.format_version(), cvmatch::index::format::VERSION);
        assert_eq!(again.jobs(), old.jobs());
        assert_eq!(again.line_count(), old.line_count());
    }
    // A version-1 file whose first job claims 2^32 − 1 chunks (checksum valid) is refused.
    let mut bytes = v1_bytes(&index, false);
    bytes.truncate(bytes.len() - 32);
    let first_job = bytes.len()
        - index
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
            .sum::<usize>();
    bytes[first_job..first_job + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let digest = cvmatch::manifest::sha256_hex(&bytes);
    bytes.extend((0..32).map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap()));
    assert!(index_error(&bytes).contains("chunks"));
}

#[test]
fn random_and_mangled_bytes_never_panic() {
    let bytes = small_index(6, 8).to_bytes();
    let mut state = 99u64;
    for round in 0..3000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut b = bytes.clone();
        match round % 3 {
            0 => b.truncate((state as usize) % bytes.len()),
            1 => {
                let pos = (state as usize) % b.len();
                b[pos] = (state >> 40) as u8;
            }
            _ => {
                b = (0..(state % 300) as usize)
                    .map(|i| (state >> (i % 56)) as u8)
                    .collect();
                if round % 2 == 0 && b.len() > 8 {
                    b[..8].copy_from_slice(b"CVXINDEX");
                }
            }
        }
        let _ = JobIndex::from_bytes(&b, &identity());
    }
    // A file whose checksum is right but whose counts lie is refused too.
    let mut lying = bytes[..bytes.len() - 32].to_vec();
    lying[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    let digest = cvmatch::manifest::sha256_hex(&lying);
    let raw: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    lying.extend_from_slice(&raw);
    assert!(index_error(&lying).contains("corrupted"));
}

#[test]
fn search_filters_and_checks_dimension() {
    let index = small_index(50, 16);
    let q = index.vector(7).unwrap();
    let hits = index.search(&q, 5).unwrap();
    assert_eq!(hits[0].index, 7);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    let odd = index
        .search_filtered(&q, 5, |i, m| i % 2 == 1 && m.company == "Acme")
        .unwrap();
    assert!(odd.iter().all(|h| h.index % 2 == 1) && odd.len() == 5);
    assert_eq!(index.search(&[0.0; 3], 5).unwrap_err().code(), "index");
}

fn top10(scores: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order.truncate(10);
    order
}

/// int8 rows and query against exact f32 dot products, for every resume of the eval set,
/// over 10,000 synthetic jobs (their vectors combine once-embedded sentence vectors).
#[test]
fn int8_ranking_agrees_with_f32_on_10k_jobs() {
    let dir = ModelDir::read(&real_model_dir(), "f32").unwrap();
    let encoder = dir.encoder().unwrap();
    let identity = IndexIdentity::from_manifest(&dir.manifest, "f32").unwrap();
    let units = synth::units();
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    let embedded = encoder.encode(&refs).unwrap();
    let by_text: HashMap<&str, &[f32]> = refs
        .iter()
        .zip(&embedded)
        .map(|(t, e)| (*t, e.vector.as_slice()))
        .collect();
    let jobs = synth::synth_jobs(10_000, 2024, 3);
    let exact: Vec<Vec<f32>> = jobs
        .iter()
        .map(|j| synth::job_vector(&j.units, encoder.dim(), |u| by_text.get(u).copied()))
        .collect();
    let index = synth::synth_index(jobs, identity.clone(), encoder.dim(), |u| {
        by_text.get(u).copied()
    })
    .unwrap();
    let index = JobIndex::from_bytes(&index.to_bytes(), &identity).unwrap();

    let pairs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared("eval/pairs.json")).unwrap()).unwrap();
    let resumes: HashSet<&str> = pairs["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["resume_id"].as_str().unwrap())
        .collect();
    assert!(resumes.len() >= 10);
    let mut overlaps = Vec::new();
    for id in resumes {
        let text = pairs["texts"][id]["text"].as_str().unwrap();
        let q = cvmatch::matching::document_vector(&encoder, text).unwrap();
        let f32_scores: Vec<f32> = exact
            .iter()
            .map(|v| v.iter().zip(&q).map(|(a, b)| a * b).sum())
            .collect();
        let want: HashSet<usize> = top10(&f32_scores).into_iter().collect();
        let got = index.search(&q, 10).unwrap();
        let shared = got.iter().filter(|h| want.contains(&h.index)).count();
        for h in &got {
            assert!(
                (h.score - f32_scores[h.index]).abs() < 0.01,
                "{id}: int8 score far from f32"
            );
        }
        overlaps.push((id, shared as f32 / 10.0));
    }
    let mean = overlaps.iter().map(|o| o.1).sum::<f32>() / overlaps.len() as f32;
    eprintln!("top-10 overlap int8 vs f32: mean {mean:.3}, per resume {overlaps:?}");
    assert!(
        mean >= 0.9,
        "mean top-10 overlap {mean} < 0.9: {overlaps:?}"
    );
    assert!(overlaps.iter().all(|o| o.1 >= 0.7), "{overlaps:?}");
}

/// Reports ranked from the index (stored int8 line vectors, no job embedding) agree with
/// `matching::score` on the job texts.
#[test]
fn index_reports_agree_with_direct_scoring() {
    let dir = ModelDir::read(&real_model_dir(), "f32").unwrap();
    let encoder = dir.encoder().unwrap();
    let identity = IndexIdentity::from_manifest(&dir.manifest, "f32").unwrap();
    let pairs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shared("eval/pairs.json")).unwrap()).unwrap();
    let texts = pairs["texts"].as_object().unwrap();
    let jobs: Vec<JobMeta> = texts
        .iter()
        .filter(|(id, _)| id.starts_with("job_"))
        .take(8)
        .map(|(id, t)| {
            JobMeta::from_json_value(serde_json::json!({"id": id, "title": id, "text": t["text"]}))
                .unwrap()
        })
        .collect();
    let mut builder = IndexBuilder::new(identity.clone(), encoder.dim(), true);
    builder.add_jobs(&encoder, jobs).unwrap();
    let index = JobIndex::from_bytes(&builder.finish().to_bytes(), &identity).unwrap();
    let resume = texts["resume_backend"]["text"].as_str().unwrap();
    let ranked = cvmatch::index::rank_index(
        &encoder,
        resume,
        &index,
        RankOptions {
            top: 3,
            shortlist: 0,
        },
        |_, _| true,
    )
    .unwrap();
    assert_eq!(ranked.len(), 3);
    assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
    // Scores from the stored (ternary, rotated) lines are within the documented margin of
    // the exact ones; jobs near the last place are scored exactly.
    let margin = cvmatch::index::line_score_margin(index.line_bits());
    assert!(margin > 0.0 && margin <= 3.5, "{margin}");
    for r in &ranked {
        let direct =
            cvmatch::matching::score(&encoder, resume, &index.jobs()[r.index].text).unwrap();
        assert!(
            (direct.score - r.score).abs() <= margin,
            "{}: {} vs {}",
            r.index,
            r.score,
            direct.score
        );
        assert_eq!(direct.requirements.len(), r.report.requirements.len());
        assert_eq!(direct.coverage.job_chunks, r.report.coverage.job_chunks);
    }
    // Without stored line vectors the lines are embedded at run time: same ranking.
    let mut plain = IndexBuilder::new(identity, encoder.dim(), false);
    for (i, meta) in index.jobs().iter().enumerate() {
        plain
            .push_vectors(
                meta.clone(),
                &index.vector(i).unwrap(),
                &[],
                index.chunks(i),
            )
            .unwrap();
    }
    let plain = plain.finish();
    let again = cvmatch::index::rank_index(
        &encoder,
        resume,
        &plain,
        RankOptions {
            top: 3,
            shortlist: 8,
        },
        |_, _| true,
    )
    .unwrap();
    let ids = |v: &[cvmatch::index::IndexRanked]| v.iter().map(|r| r.index).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&ranked));
}

fn cvmatch(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_cvmatch"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn cli_info_synth_and_refusing_another_models_index() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.cvx");
    let source = small_index(3, 384);
    let index = {
        let mut b = IndexBuilder::new(
            IndexIdentity::new("someone/other-model", SHA, "f32"),
            384,
            false,
        );
        for (i, meta) in source.jobs().iter().enumerate() {
            b.push_vectors(meta.clone(), &source.vector(i).unwrap(), &[], 1)
                .unwrap();
        }
        b.finish()
    };
    std::fs::write(&other, index.to_bytes()).unwrap();
    let out = cvmatch(&["index", "info", other.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["jobs"], 3);
    assert_eq!(info["model_id"], "someone/other-model");

    let resume = dir.path().join("resume.txt");
    std::fs::write(&resume, "Registered nurse, ICU, BLS and ACLS.").unwrap();
    let out = cvmatch(&[
        "rank",
        "--resume",
        resume.to_str().unwrap(),
        "--index",
        other.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[index]") && err.contains("someone/other-model"),
        "{err}"
    );

    let out = cvmatch(&["index", "synth", "--count", "3", "--seed", "5"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines
        .iter()
        .all(|j| j["id"].is_string() && j["text"].is_string()));

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\": 1, \"title\": \"x\"}\n").unwrap();
    let out = cvmatch(&[
        "index",
        "build",
        "--jobs",
        bad.to_str().unwrap(),
        "--out",
        other.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jsonl:1"));
}
