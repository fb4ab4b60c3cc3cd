//! A resume prepared once and checked against many jobs gives the reports a one-shot check
//! gives, and the token-budget batches compute little padding on real documents. The model
//! must be at `models/all-MiniLM-L6-v2` (`make model`); these tests fail, not skip, without it.

use std::path::Path;
use std::sync::OnceLock;

use cvmatch::matching::{self, MatchReport};
use cvmatch::Encoder;

fn encoder() -> &'static Encoder {
    static ENCODER: OnceLock<Encoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
        assert!(
            dir.join("manifest.json").exists(),
            "the real model is missing at {}: run `make model`",
            dir.display()
        );
        cvmatch::model_dir::load_encoder(&dir, "f32").expect("the real model loads")
    })
}

fn repo_file(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The sample board's job texts (www/jobs/jobs.jsonl).
fn board() -> Vec<String> {
    repo_file("www/jobs/jobs.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["text"].as_str().expect("a job text").to_string()
        })
        .collect()
}

/// Reports equal up to the float noise of different batch compositions.
fn assert_same(a: &MatchReport, b: &MatchReport) {
    assert!(
        (a.score - b.score).abs() <= 0.2,
        "{} vs {}",
        a.score,
        b.score
    );
    assert_eq!(a.requirements.len(), b.requirements.len());
    for (x, y) in a.requirements.iter().zip(&b.requirements) {
        assert_eq!(x.text, y.text);
        assert!(
            (x.similarity - y.similarity).abs() <= 2e-3,
            "{x:?} vs {y:?}"
        );
    }
    assert_eq!(a.matched_terms, b.matched_terms);
    assert_eq!(a.missing_terms, b.missing_terms);
}

#[test]
fn a_prepared_resume_scores_as_a_one_shot_check() {
    let enc = encoder();
    let resume = repo_file("tests/data/matching/resume_data_engineer.md");
    let prepared = matching::prepare_resume(enc, &resume).unwrap();
    assert!(!prepared.plan.lines.is_empty() && !prepared.plan.chunks.is_empty());
    let jobs = board();
    for job in jobs.iter().take(3) {
        let once = matching::score(enc, &resume, job).unwrap();
        let again = matching::score_prepared(enc, &prepared, job).unwrap();
        assert_same(&once, &again);
    }
    let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
    let all = matching::rank(enc, &resume, &refs, 5).unwrap();
    let reused = matching::rank_prepared(enc, &prepared, &refs, 5).unwrap();
    assert_eq!(all.len(), reused.len());
    for (a, b) in all.iter().zip(&reused) {
        assert!(
            (a.score - b.score).abs() <= 0.2,
            "{} vs {}",
            a.score,
            b.score
        );
        assert_same(&a.report, &b.report);
    }
}

#[test]
fn real_documents_waste_at_most_a_tenth_on_padding() {
    let enc = encoder();
    let before = enc.padding();
    let jobs = board();
    let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
    for resume in [
        "tests/data/matching/resume_data_engineer.md",
        "tests/data/matching/resume_java_backend.txt",
        "tests/data/matching/resume_late_backend.txt",
    ] {
        let resume = repo_file(resume);
        matching::score(enc, &resume, &jobs[0]).unwrap();
        matching::rank(enc, &resume, &refs, 3).unwrap();
    }
    let after = enc.padding();
    let run = cvmatch::model::PaddingStats {
        batches: after.batches - before.batches,
        tokens: after.tokens - before.tokens,
        padded_tokens: after.padded_tokens - before.padded_tokens,
    };
    eprintln!(
        "padding on real documents: {run:?}, waste {:.3}",
        run.waste()
    );
    assert!(run.tokens > 10_000, "{run:?}");
    assert!(
        run.waste() <= 0.10,
        "padding waste {:.3} ({run:?})",
        run.waste()
    );
}
