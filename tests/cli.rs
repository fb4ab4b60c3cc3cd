//! The `cvmatch` command line: output shapes, the STS-B figure, and every bad input
//! giving a clear error with a non-zero exit and no panic.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{shared, write_manifest, write_tiny_model, TinySpec};

/// Runs the CLI with f32 weights unless the test names a format: the tiny test models have
/// only f32 weights, and the STS figure is the f32 one (the CLI's default is q8).
fn cvmatch(args: &[&str], stdin: &[u8]) -> Output {
    let weights: &[&str] = if args.contains(&"--weights") {
        &[]
    } else {
        &["--weights", "f32"]
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_cvmatch"))
        .args(args)
        .args(weights)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure that names something specific, without a panic.
fn assert_clean_failure(o: &Output, needle: &str) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, stderr: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
}

fn model_arg(dir: &Path) -> String {
    dir.display().to_string()
}

#[test]
fn embed_writes_one_object_per_line_in_order() {
    let dir = write_tiny_model(&TinySpec::default());
    let m = model_arg(dir.path());
    let input = b"\"a b c\"\n{\"text\": \"hello\", \"id\": 3}\n\"\"\n";
    let o = cvmatch(&["embed", "--model", &m], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["tokens"], 5);
    assert_eq!(lines[1]["tokens"], 7);
    assert_eq!(lines[2]["tokens"], 2);
    assert_eq!(lines[0]["truncated"], false);
    assert_eq!(lines[0]["embedding"].as_array().unwrap().len(), 16);
}

#[test]
fn embed_reports_bad_lines_by_number() {
    let dir = write_tiny_model(&TinySpec::default());
    let m = model_arg(dir.path());
    let o = cvmatch(&["embed", "--model", &m], b"\"ok\"\nnot json\n");
    assert_clean_failure(&o, "line 2");
    let o = cvmatch(&["embed", "--model", &m], b"\"ok\"\n\"ok\"\n\"\xff\xfe\"\n");
    assert_clean_failure(&o, "line 3: not UTF-8");
    let o = cvmatch(&["embed", "--model", &m], b"{\"txt\": \"x\"}\n");
    assert_clean_failure(&o, "line 1");
    let mut big = b"\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 10 << 20));
    big.extend(b"\"\n");
    let o = cvmatch(&["embed", "--model", &m], &big);
    // the reader stops one byte past the limit instead of holding the whole line
    assert_clean_failure(&o, "line 1: bytes in one input line");
}

#[test]
fn missing_model_says_how_to_get_it() {
    let o = cvmatch(&["embed", "--model", "/nonexistent/model"], b"\"x\"\n");
    assert_clean_failure(&o, "make model");
}

#[test]
fn wrong_sha256_is_an_integrity_error_naming_the_file() {
    let dir = write_tiny_model(&TinySpec::default());
    let path = dir.path().join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let o = cvmatch(&["embed", "--model", &model_arg(dir.path())], b"\"x\"\n");
    assert_clean_failure(&o, "model.safetensors failed verification");
    assert!(stderr(&o).contains("[integrity]"));
}

#[test]
fn truncated_weights_are_a_clear_error() {
    let dir = write_tiny_model(&TinySpec::default());
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    // with a manifest that matches the broken file, the parser itself must refuse it
    write_manifest(dir.path());
    let o = cvmatch(&["embed", "--model", &model_arg(dir.path())], b"\"x\"\n");
    assert_clean_failure(&o, "model.safetensors");
    assert!(stderr(&o).contains("truncated"), "{}", stderr(&o));
}

#[test]
fn unsupported_config_values_are_named() {
    for (field, value, needle) in [
        ("hidden_act", serde_json::json!("swish"), "hidden_act"),
        (
            "position_embedding_type",
            serde_json::json!("relative_key"),
            "position_embedding_type",
        ),
        (
            "num_attention_heads",
            serde_json::json!(5),
            "num_attention_heads",
        ),
        ("hidden_size", serde_json::json!("big"), "config.json"),
    ] {
        let dir = write_tiny_model(&TinySpec::default());
        let path = dir.path().join("config.json");
        let mut config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        config[field] = value;
        std::fs::write(&path, config.to_string()).unwrap();
        write_manifest(dir.path());
        let o = cvmatch(&["embed", "--model", &model_arg(dir.path())], b"\"x\"\n");
        assert_clean_failure(&o, needle);
    }
}

#[test]
fn weights_that_do_not_fit_the_config_are_named() {
    let dir = write_tiny_model(&TinySpec::default());
    let other = write_tiny_model(&TinySpec {
        hidden: 24,
        heads: 3,
        ..TinySpec::default()
    });
    std::fs::copy(
        other.path().join("model.safetensors"),
        dir.path().join("model.safetensors"),
    )
    .unwrap();
    write_manifest(dir.path());
    let o = cvmatch(&["embed", "--model", &model_arg(dir.path())], b"\"x\"\n");
    assert_clean_failure(&o, "do not fit config.json");
}

#[test]
fn eval_sts_reproduces_sentence_transformers() {
    let file = shared("data/stsbenchmark/sts-dev.csv");
    common::real_model_dir();
    let o = cvmatch(&["eval", "sts", file.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["pairs"], 1500);
    let rho = report["spearman"].as_f64().unwrap();
    assert!((rho - 0.8672).abs() <= 0.001, "spearman {rho}");
}

#[test]
fn eval_sts_rejects_malformed_rows() {
    let dir = write_tiny_model(&TinySpec::default());
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "a\tb\tc\td\t4.0\tone\ttwo\nonly\ttwo\n").unwrap();
    let o = cvmatch(
        &[
            "eval",
            "sts",
            file.to_str().unwrap(),
            "--model",
            &model_arg(dir.path()),
        ],
        b"",
    );
    assert_clean_failure(&o, "bad.csv:2");
}
