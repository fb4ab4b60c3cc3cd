//! Job boards of any size, on a tiny random-weight model: an incremental rebuild (`reuse`)
//! embeds only new and changed jobs and ranks exactly like a full build; shards merge into
//! the full build's index and bad merges are refused; and a seeded mutation test feeds
//! thousands of re-sealed mutated `.cvx` files to the reader and everything behind it.

mod common;

use common::{load, write_tiny_model, TinySpec};
use cvmatch::index::{
    build_job_index, merge, BuildOptions, BuildProgress, IndexIdentity, JobIndex, JobMeta,
    RankOptions,
};

const SKILLS: &[&str] = &[
    "python",
    "rust",
    "kubernetes",
    "sql",
    "nursing",
    "welding",
    "sales",
    "excel",
    "docker",
    "java",
    "payroll",
    "forklift",
    "react",
    "figma",
    "tax",
    "spanish",
];

/// A board of `n` jobs with a few requirement lines each (some lines shared between ads).
fn board(n: usize, variant: &str) -> Vec<JobMeta> {
    (0..n)
        .map(|i| {
            let a = SKILLS[i % SKILLS.len()];
            let b = SKILLS[(i * 7 + 3) % SKILLS.len()];
            let c = SKILLS[(i * 5 + 1) % SKILLS.len()];
            let text = format!(
                "Job {i} {variant}\nWe build things with {a} and {b}.\n\nRequirements:\n\
                 - {} years of {a}\n- Experience with {b} is required\n- Good {c} skills\n\
                 - Team player",
                1 + i % 5
            );
            JobMeta::from_json_value(serde_json::json!({
                "id": format!("job-{i}"), "title": format!("{a} role {i}"), "text": text,
                "location": if i % 3 == 0 { "remote" } else { "Lisbon" },
            }))
            .unwrap()
        })
        .collect()
}

fn identity(sha: &str) -> IndexIdentity {
    IndexIdentity::new("test/tiny-bert", sha, "f32")
}

const SHA: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn build(
    encoder: &cvmatch::Encoder,
    jobs: Vec<JobMeta>,
    options: &BuildOptions,
    reuse: Option<&JobIndex>,
) -> (JobIndex, BuildProgress) {
    let mut last = BuildProgress::default();
    let index =
        build_job_index(encoder, &identity(SHA), jobs, options, reuse, |p| last = *p).unwrap();
    // Every index goes through its bytes, as a reader sees it.
    let back = JobIndex::from_bytes(&index.to_bytes(), &identity(SHA)).unwrap();
    assert_eq!(back, index);
    (back, last)
}

/// The ranking of each query: (job id, similarity, score) of every returned job.
fn rankings(
    encoder: &cvmatch::Encoder,
    index: &JobIndex,
    resumes: &[&str],
) -> Vec<Vec<(String, f32, f32)>> {
    resumes
        .iter()
        .map(|r| {
            cvmatch::index::rank_index(
                encoder,
                r,
                index,
                RankOptions {
                    top: 10,
                    shortlist: 0,
                },
                |_, _| true,
            )
            .unwrap()
            .into_iter()
            .map(|x| (index.jobs()[x.index].id.clone(), x.similarity, x.score))
            .collect()
        })
        .collect()
}

const RESUMES: &[&str] = &[
    "Backend developer: python, sql, docker and kubernetes for five years.",
    "Registered nurse with nursing and spanish, team player.",
    "Welder and forklift driver; excel for payroll and tax.",
    "Frontend: react, figma, java. Sales experience.",
];

/// Same ids in the same order; similarities and scores equal up to float noise (the
/// encoder's batches are padded differently when other jobs share them).
fn assert_same_ranking(a: &[Vec<(String, f32, f32)>], b: &[Vec<(String, f32, f32)>]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        let ids = |v: &[(String, f32, f32)]| v.iter().map(|t| t.0.clone()).collect::<Vec<_>>();
        assert_eq!(ids(x), ids(y));
        for (p, q) in x.iter().zip(y) {
            assert!(
                (p.1 - q.1).abs() < 1e-3 && (p.2 - q.2).abs() < 0.05,
                "{p:?} {q:?}"
            );
        }
    }
}

#[test]
fn incremental_rebuild_embeds_only_changes_and_ranks_like_a_full_build() {
    let dir = write_tiny_model(&TinySpec::default());
    let encoder = load(dir.path());
    let options = BuildOptions::default();
    let (old, first) = build(&encoder, board(24, "v1"), &options, None);
    assert_eq!((first.embedded, first.reused), (24, 0));
    assert!(old.distinct_line_count().unwrap() < old.line_count().unwrap());

    // 3 ads edited, 2 removed, 2 added; the rest kept (one moves to the end).
    let mut jobs = board(24, "v1");
    for i in [2, 9, 17] {
        jobs[i].text.push_str("\n- Driving licence");
    }
    jobs.remove(20);
    jobs.remove(5);
    let moved = jobs.remove(0);
    jobs.push(moved);
    let mut extra = board(26, "v1");
    jobs.extend(extra.drain(24..));
    jobs[3].title = "a new title, same text".into();

    let (full, _) = build(&encoder, jobs.clone(), &options, None);
    let (incremental, stats) = build(&encoder, jobs.clone(), &options, Some(&old));
    assert_eq!((stats.embedded, stats.reused), (5, 19), "{stats:?}");
    assert_eq!(incremental.len(), full.len());
    assert_eq!(incremental.jobs(), full.jobs());
    assert_eq!(incremental.jobs()[3].title, "a new title, same text");
    assert_same_ranking(
        &rankings(&encoder, &full, RESUMES),
        &rankings(&encoder, &incremental, RESUMES),
    );

    // Another weights hash: nothing is reused. Other line settings: nothing either.
    let mut last = BuildProgress::default();
    build_job_index(
        &encoder,
        &identity(&"2".repeat(64)),
        jobs.clone(),
        &options,
        Some(&old),
        |p| last = *p,
    )
    .unwrap();
    assert_eq!(last.reused, 0);
    let eight = BuildOptions {
        line_bits: 8,
        ..options
    };
    let (_, stats) = build(&encoder, jobs, &eight, Some(&old));
    assert_eq!(stats.reused, 0);
}

#[test]
fn shards_merge_into_the_full_build_and_bad_merges_are_refused() {
    let dir = write_tiny_model(&TinySpec::default());
    let encoder = load(dir.path());
    let jobs = board(30, "v1");
    let options = BuildOptions::default();
    let (full, _) = build(&encoder, jobs.clone(), &options, None);
    let shard = |k: u32, n: u32| {
        build(
            &encoder,
            jobs.clone(),
            &BuildOptions {
                shard: Some((k, n)),
                ..options
            },
            None,
        )
        .0
    };
    let parts: Vec<JobIndex> = (0..3).map(|k| shard(k, 3)).collect();
    assert_eq!(parts.iter().map(JobIndex::len).sum::<usize>(), 30);
    assert!(parts.iter().all(|p| p.len() > 3), "the hash spreads jobs");
    // A job's slice depends on its id only.
    for p in &parts {
        for j in p.jobs() {
            assert_eq!(cvmatch::index::Shard::of_id(&j.id, 3), p.shard().k);
        }
    }
    let merged = merge(&[parts[2].clone(), parts[0].clone(), parts[1].clone()]).unwrap();
    let merged = JobIndex::from_bytes(&merged.to_bytes(), &identity(SHA)).unwrap();
    assert_eq!(merged.jobs(), full.jobs());
    assert_eq!(merged.shard(), full.shard());
    assert_eq!(merged.line_count(), full.line_count());
    assert_eq!(merged.distinct_line_count(), full.distinct_line_count());
    assert_same_ranking(
        &rankings(&encoder, &full, RESUMES),
        &rankings(&encoder, &merged, RESUMES),
    );

    let refused = |shards: &[JobIndex], needle: &str| {
        let e = merge(shards).unwrap_err();
        assert_eq!(e.code(), "index");
        assert!(e.to_string().contains(needle), "{e}");
    };
    refused(
        &[parts[0].clone(), parts[2].clone()],
        "slice 1/3 is missing",
    );
    refused(
        &[parts[0].clone(), parts[1].clone(), parts[1].clone()],
        "slice 1/3 is given twice",
    );
    refused(&[], "no shard");
    refused(
        &[
            parts[0].clone(),
            parts[1].clone(),
            parts[2].clone(),
            shard(1, 2),
        ],
        "different builds",
    );
    // Other weights: the same jobs, built under another weights hash.
    let other = build_job_index(
        &encoder,
        &identity(&"3".repeat(64)),
        jobs.clone(),
        &BuildOptions {
            shard: Some((1, 3)),
            ..options
        },
        None,
        |_| {},
    )
    .unwrap();
    refused(
        &[parts[0].clone(), other, parts[2].clone()],
        "other weights",
    );
    let eight = build(
        &encoder,
        jobs.clone(),
        &BuildOptions {
            shard: Some((2, 3)),
            line_bits: 8,
            ..options
        },
        None,
    )
    .0;
    refused(
        &[parts[0].clone(), parts[1].clone(), eight],
        "other settings",
    );
    // A shard of another board of the same size is caught by the board positions.
    let other_board = build(
        &encoder,
        board(30, "v2")
            .into_iter()
            .enumerate()
            .map(|(i, mut j)| {
                j.id = format!("other-{i}");
                j
            })
            .collect(),
        &BuildOptions {
            shard: Some((1, 3)),
            ..options
        },
        None,
    )
    .0;
    let e = merge(&[parts[0].clone(), other_board, parts[2].clone()]);
    assert!(e.is_err() || e.unwrap().len() == 30);
    // One slice is a whole board.
    let one = merge(&[shard(0, 1)]).unwrap();
    assert_eq!(one.jobs(), full.jobs());
}

/// sha256 trailer over everything before it.
fn reseal(body: &mut Vec<u8>) {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&body[..]);
    body.extend_from_slice(&digest);
}

/// splitmix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Interesting 32-bit values for counts and lengths.
const EDGES: &[u32] = &[
    0,
    1,
    2,
    3,
    7,
    8,
    255,
    256,
    65535,
    1 << 16,
    1 << 24,
    1 << 31,
    u32::MAX,
    u32::MAX - 1,
];

fn mutate(rng: &mut Rng, b: &mut Vec<u8>) {
    if b.is_empty() {
        return;
    }
    match rng.below(6) {
        0 => {
            let p = rng.below(b.len());
            b[p] ^= 1 << rng.below(8);
        }
        1 => {
            let p = rng.below(b.len());
            b[p] = rng.next() as u8;
        }
        2 if b.len() >= 4 => {
            let p = rng.below(b.len() - 3);
            let v = EDGES[rng.below(EDGES.len())];
            b[p..p + 4].copy_from_slice(&v.to_le_bytes());
        }
        3 => b.truncate(rng.below(b.len())),
        4 => {
            let p = rng.below(b.len());
            let n = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            b.splice(p..p, bytes);
        }
        _ => {
            let p = rng.below(b.len());
            let n = (1 + rng.below(16)).min(b.len() - p);
            b.drain(p..p + n);
        }
    }
}

/// Where a version-3 file's job records start (their u32 raw and stored lengths).
fn records_at(index: &JobIndex) -> usize {
    let id = index.identity();
    let mut at = 8 + 4 * 4 + 4 + 32 + 2 + id.model_id.len() + 2 + id.weights_format.len() + 12;
    at += index.len() * (index.dim() + 4);
    if let (Some(u), Some(bits)) = (index.distinct_line_count(), index.line_bits()) {
        let row = match bits {
            cvmatch::index::quant::TERNARY => index.dim().div_ceil(5),
            b => (index.dim() * b as usize).div_ceil(8),
        };
        at += 4 + u * (row + 4);
    }
    at
}

/// Exercises everything a loaded index offers; must not panic.
fn use_index(encoder: &cvmatch::Encoder, index: &JobIndex, deep: bool) {
    let q = vec![0.25f32; index.dim()];
    let _ = index.search(&q, usize::MAX);
    let _ = index.search_filtered(&q, 1_000_000_000, |i, m| i % 2 == 0 || m.id.is_empty());
    for i in 0..index.len().min(64) {
        let _ = index.line_vectors(i);
        let _ = index.vector(i);
        let _ = index.position(i);
    }
    let _ = JobIndex::from_bytes_any_model(&index.to_bytes());
    if deep && index.dim() == encoder.dim() {
        let _ = cvmatch::index::rank_index(
            encoder,
            "python and sql",
            index,
            RankOptions {
                top: 1_000_000_000,
                shortlist: 0,
            },
            |_, _| true,
        );
        let _ = merge(std::slice::from_ref(index));
    }
}

#[test]
fn mutated_resealed_files_never_panic_or_over_allocate() {
    let dir = write_tiny_model(&TinySpec::default());
    let encoder = load(dir.path());
    let jobs = board(6, "m");
    let variants: Vec<JobIndex> = [
        BuildOptions::default(),
        BuildOptions {
            line_bits: 8,
            ..BuildOptions::default()
        },
        BuildOptions {
            line_vectors: false,
            ..BuildOptions::default()
        },
        BuildOptions {
            shard: Some((1, 2)),
            ..BuildOptions::default()
        },
    ]
    .iter()
    .map(|o| build(&encoder, jobs.clone(), o, None).0)
    .collect();

    // The case of issue 15: the first job claims 2^32 − 1 chunks, checksum valid.
    let plain = &variants[0];
    let bytes = plain.to_bytes();
    let at = records_at(plain);
    let stored_len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
    let raw = miniz_oxide::inflate::decompress_to_vec(&bytes[at + 8..at + 8 + stored_len]).unwrap();
    let with_records = |raw: &[u8]| {
        let mut b = bytes[..at].to_vec();
        let packed = miniz_oxide::deflate::compress_to_vec(raw, 6);
        b.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        b.extend_from_slice(&(packed.len() as u32).to_le_bytes());
        b.extend_from_slice(&packed);
        reseal(&mut b);
        b
    };
    assert_eq!(
        JobIndex::from_bytes_any_model(&with_records(&raw)).unwrap(),
        *plain
    );
    let mut huge = raw.clone();
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes()); // position, then chunks
    let e = JobIndex::from_bytes_any_model(&with_records(&huge)).unwrap_err();
    assert!(e.to_string().contains("chunks"), "{e}");
    // A record section that claims more than DEFLATE can hold is refused before inflating.
    let mut bomb = bytes[..at].to_vec();
    bomb.extend_from_slice(&u32::MAX.to_le_bytes());
    bomb.extend_from_slice(&(stored_len as u32).to_le_bytes());
    bomb.extend_from_slice(&bytes[at + 8..at + 8 + stored_len]);
    reseal(&mut bomb);
    assert!(JobIndex::from_bytes_any_model(&bomb).is_err());

    let mut rng = Rng(20261125);
    let (mut parsed, mut cases) = (0, 0);
    for (v, index) in variants.iter().enumerate() {
        let bytes = index.to_bytes();
        let body = &bytes[..bytes.len() - 32];
        let at = records_at(index);
        let stored_len = u32::from_le_bytes(body[at + 4..at + 8].try_into().unwrap()) as usize;
        let raw =
            miniz_oxide::inflate::decompress_to_vec(&body[at + 8..at + 8 + stored_len]).unwrap();
        for round in 0..1500 {
            let mut b;
            if round % 2 == 0 {
                // Mutate the header and sections, re-seal.
                b = body.to_vec();
                for _ in 0..1 + rng.below(3) {
                    mutate(&mut rng, &mut b);
                }
                reseal(&mut b);
            } else {
                // Mutate the inflated job records, deflate them again, re-seal.
                let mut r = raw.clone();
                for _ in 0..1 + rng.below(3) {
                    mutate(&mut rng, &mut r);
                }
                b = body[..at].to_vec();
                let packed = miniz_oxide::deflate::compress_to_vec(&r, 1);
                b.extend_from_slice(&(r.len() as u32).to_le_bytes());
                b.extend_from_slice(&(packed.len() as u32).to_le_bytes());
                b.extend_from_slice(&packed);
                reseal(&mut b);
            }
            cases += 1;
            match JobIndex::from_bytes_any_model(&b) {
                Ok(index) => {
                    parsed += 1;
                    use_index(&encoder, &index, round % 16 == 1);
                }
                Err(e) => assert_eq!(e.code(), "index", "variant {v} round {round}: {e}"),
            }
        }
    }
    eprintln!("{cases} mutated files, {parsed} still parsed (and were used)");
    assert!(parsed > 50 && parsed < cases, "{parsed} of {cases}");
}

fn run(cmd: &mut std::process::Command) -> std::process::Output {
    let out = cmd
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The CLI and the shard script: shards built in parallel (xargs -P) merge into what one
/// `index build` gives; `--reuse` embeds only the changed job; a huge `--top` is clamped.
#[test]
fn cli_shard_script_reuse_and_huge_top() {
    let model = write_tiny_model(&TinySpec::default());
    let m = model.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let lines: Vec<String> = board(20, "cli")
        .iter()
        .map(|j| serde_json::to_string(j).unwrap())
        .collect();
    std::fs::write(path("jobs.jsonl"), lines.join("\n")).unwrap();
    let exe = env!("CARGO_BIN_EXE_cvmatch");
    // `cmd(&[...])`: the binary with these arguments, on the tiny model.
    let cmd = |args: &[&str]| {
        let mut c = std::process::Command::new(exe);
        c.args(args).args(["--model", m, "--weights", "f32"]);
        c
    };
    run(&mut cmd(&[
        "index",
        "build",
        "--jobs",
        &path("jobs.jsonl"),
        "--out",
        &path("full.cvx"),
    ]));
    run(std::process::Command::new("scripts/index_shards.sh")
        .env("CVMATCH", exe)
        .args([
            &path("jobs.jsonl"),
            &path("sharded.cvx"),
            "4",
            "2",
            "--",
            "--model",
            m,
            "--weights",
            "f32",
        ]));
    let read =
        |name: &str| JobIndex::from_bytes_any_model(&std::fs::read(path(name)).unwrap()).unwrap();
    let (full, sharded) = (read("full.cvx"), read("sharded.cvx"));
    assert_eq!(sharded.jobs(), full.jobs());
    let encoder = load(model.path());
    assert_same_ranking(
        &rankings(&encoder, &full, RESUMES),
        &rankings(&encoder, &sharded, RESUMES),
    );

    // One changed job: one embedded, 19 reused.
    let mut changed = lines.clone();
    changed[7] = changed[7].replace("Team player", "Team lead");
    std::fs::write(path("jobs2.jsonl"), changed.join("\n")).unwrap();
    let out = run(&mut cmd(&[
        "index",
        "build",
        "--jobs",
        &path("jobs2.jsonl"),
        "--out",
        &path("next.cvx"),
        "--reuse",
        &path("full.cvx"),
    ]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 embedded, 19 reused"), "{err}");

    // A missing shard is refused by `index merge`.
    run(&mut cmd(&[
        "index",
        "build",
        "--jobs",
        &path("jobs.jsonl"),
        "--out",
        &path("s0.cvx"),
        "--shard",
        "0/2",
    ]));
    let out = std::process::Command::new(exe)
        .args(["index", "merge", &path("s0.cvx"), "--out", &path("bad.cvx")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("slice 1/2 is missing") && err.contains("[index]"),
        "{err}"
    );

    // `rank --top 1000000000` prints every job once instead of aborting.
    std::fs::write(path("resume.txt"), RESUMES[0]).unwrap();
    let out = run(&mut cmd(&[
        "rank",
        "--resume",
        &path("resume.txt"),
        "--index",
        &path("full.cvx"),
        "--top",
        "1000000000",
    ]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 20);
    let out = run(&mut cmd(&[
        "rank",
        "--resume",
        &path("resume.txt"),
        "--jobs",
        &path("jobs.jsonl"),
        "--top",
        "1000000000",
    ]));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 20);
}

/// Byte offset of the header's flags, and of the first stored line row of a version-3 file.
fn line_rows_at(index: &JobIndex) -> usize {
    let id = index.identity();
    8 + 4 * 4
        + 4
        + 32
        + 2
        + id.model_id.len()
        + 2
        + id.weights_format.len()
        + 12
        + index.len() * (index.dim() + 4)
        + 4
}

#[test]
fn version_3_rotated_ternary_lines_are_checked_and_version_2_is_still_read() {
    use cvmatch::index::quant::TERNARY;
    let dir = write_tiny_model(&TinySpec::default());
    let encoder = load(dir.path());
    let jobs = board(12, "t");
    let options = BuildOptions::default();
    let (ternary, _) = build(&encoder, jobs.clone(), &options, None);
    assert_eq!(ternary.format_version(), 3);
    assert_eq!(ternary.line_bits(), Some(TERNARY));
    assert_eq!(ternary.line_rotated(), Some(true));
    let eight_options = BuildOptions {
        line_bits: 8,
        ..options
    };
    let (eight, _) = build(&encoder, jobs.clone(), &eight_options, None);
    assert_eq!(eight.line_rotated(), Some(false));
    // Dequantized and rotated back, ternary lines point where the 8-bit ones do.
    let mut worst = 1f32;
    for i in 0..ternary.len() {
        for (a, b) in ternary
            .line_vectors(i)
            .unwrap()
            .iter()
            .zip(eight.line_vectors(i).unwrap())
        {
            worst = worst.min(cvmatch::cosine(a, &b));
        }
    }
    assert!(worst > 0.75, "{worst}");

    let bytes = ternary.to_bytes();
    let body = &bytes[..bytes.len() - 32];
    let err = |b: Vec<u8>| {
        let mut b = b;
        reseal(&mut b);
        JobIndex::from_bytes_any_model(&b).unwrap_err().to_string()
    };
    // A ternary byte above 242 holds no five levels.
    let mut b = body.to_vec();
    b[line_rows_at(&ternary)] = 250;
    assert!(err(b).contains("ternary"));
    // Version 2 knows neither the rotation flag nor ternary rows.
    let mut b = body.to_vec();
    b[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert!(err(b.clone()).contains("flags"));
    b[12..16].copy_from_slice(&3u32.to_le_bytes()); // lines + DEFLATE, no rotation
    assert!(err(b).contains("line bits"));
    // Rotated rows without line vectors.
    let (plain, _) = build(
        &encoder,
        jobs.clone(),
        &BuildOptions {
            line_vectors: false,
            ..options
        },
        None,
    );
    let mut b = plain.to_bytes();
    b.truncate(b.len() - 32);
    b[12..16].copy_from_slice(&(2u32 | 4).to_le_bytes());
    assert!(err(b).contains("rotated"));
    // A version-2 file (same layout as version 3 with 8-bit, unrotated lines) reads the same.
    let mut b = eight.to_bytes();
    b.truncate(b.len() - 32);
    b[8..12].copy_from_slice(&2u32.to_le_bytes());
    reseal(&mut b);
    let old = JobIndex::from_bytes_any_model(&b).unwrap();
    assert_eq!(old.format_version(), 2);
    assert_eq!(old.line_vectors(3), eight.line_vectors(3));
    assert_eq!(old.jobs(), eight.jobs());

    // Shards whose rows are rotated and shards whose rows are not do not merge; rotated
    // shards merge into the full build.
    let shard = |k| {
        build(
            &encoder,
            jobs.clone(),
            &BuildOptions {
                shard: Some((k, 2)),
                ..options
            },
            None,
        )
        .0
    };
    let (s0, s1) = (shard(0), shard(1));
    // (Vectors can differ in the last bits: a batch of other jobs pads differently.)
    let merged = merge(&[s1.clone(), s0.clone()]).unwrap();
    assert_eq!(merged.jobs(), ternary.jobs());
    assert_eq!(merged.line_rotated(), Some(true));
    assert_eq!(merged.line_count(), ternary.line_count());
    assert_eq!(merged.distinct_line_count(), ternary.distinct_line_count());
    let mut b = s1.to_bytes();
    b.truncate(b.len() - 32);
    let flags = u32::from_le_bytes(b[12..16].try_into().unwrap());
    b[12..16].copy_from_slice(&(flags & !4).to_le_bytes());
    reseal(&mut b);
    let unrotated = JobIndex::from_bytes_any_model(&b).unwrap();
    assert_eq!(unrotated.line_rotated(), Some(false));
    let e = merge(&[s0, unrotated]).unwrap_err();
    assert!(e.to_string().contains("other settings"), "{e}");
}

#[test]
fn settling_the_cut_scores_near_jobs_exactly() {
    use cvmatch::index::{rank_prepared_margin, JobIndex};
    use cvmatch::matching::prepare::{prepare_all, Role};
    let dir = write_tiny_model(&TinySpec::default());
    let encoder = load(dir.path());
    let jobs = board(12, "s");
    let (index, _) = build(&encoder, jobs, &BuildOptions::default(), None);
    let resume = "Python and SQL for five years.\nKubernetes and Docker in production.\n\
                  Payroll and Excel reports.\nSpanish, fluent.";
    let prepared = prepare_all(&encoder, &[(resume, Role::Resume)])
        .unwrap()
        .pop()
        .unwrap();
    let rank = |index: &JobIndex, margin: f32| {
        rank_prepared_margin(
            &encoder,
            &prepared,
            index,
            RankOptions {
                top: 3,
                shortlist: 12,
            },
            margin,
            |_, _| true,
        )
        .unwrap()
    };
    let direct: Vec<f32> = index
        .jobs()
        .iter()
        .map(|j| {
            cvmatch::matching::score(&encoder, resume, &j.text)
                .unwrap()
                .score
        })
        .collect();
    // A margin wider than any score: every shortlisted job is scored from its lines embedded
    // now, so the top 3 is the top 3 of direct scoring, with its scores.
    let settled = rank(&index, 1000.0);
    let mut best: Vec<usize> = (0..direct.len()).collect();
    best.sort_by(|&a, &b| direct[b].total_cmp(&direct[a]).then(a.cmp(&b)));
    for (r, &want) in settled.iter().zip(&best) {
        assert!(
            (r.score - direct[r.index]).abs() < 0.05,
            "{} vs {}",
            r.score,
            direct[r.index]
        );
        assert!(
            (direct[r.index] - direct[want]).abs() < 0.05,
            "{} vs {want}",
            r.index
        );
    }
    // Margin 0 trusts the stored lines: no job is embedded, the same jobs are returned.
    assert_eq!(rank(&index, 0.0).len(), 3);
}
