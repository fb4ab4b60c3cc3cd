//! Late chunking on tiny random-weight BERTs: a line's vector pooled from its chunk's pass is
//! the mean of exactly its tokens' final states there (checked against a per-token reference
//! computed from `Encoder::token_states` and the tokenizer's offsets), lines found in no
//! chunk still get their own pass, and reports keep their shape.

#![allow(clippy::single_range_in_vec_init)] // one byte range per text is meant

mod common;

use std::ops::Range;

use common::{dot, load, write_tiny_model, TinySpec};
use cvmatch::matching::prepare::{embed_plans, plan, plan_lexical, Role};

/// The reference: the normalised mean of the final states of the tokens whose characters
/// lie inside `bytes`, one token at a time.
fn reference(enc: &cvmatch::Encoder, text: &str, bytes: Range<usize>) -> Vec<f32> {
    let (ids, states) = enc.token_states(text).unwrap();
    let offsets = enc.tokenizer().token_offsets(text).unwrap();
    // [CLS] is position 0: the offsets of real tokens start at position 1
    assert_eq!(offsets.len() + 2, ids.len(), "untruncated text");
    let mut sum = vec![0f32; enc.dim()];
    let mut n = 0usize;
    for (k, &(s, e)) in offsets.iter().enumerate() {
        if s >= bytes.start && e <= bytes.end {
            for (acc, x) in sum.iter_mut().zip(&states[k + 1]) {
                *acc += x;
            }
            n += 1;
        }
    }
    assert!(n > 0, "the span holds tokens");
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    sum.iter().map(|x| x / norm).collect()
}

fn span_of(text: &str, part: &str) -> Range<usize> {
    let start = text.find(part).unwrap();
    start..start + part.len()
}

fn close(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
}

#[test]
fn span_vectors_are_the_mean_of_their_tokens_states() {
    let dir = write_tiny_model(&TinySpec::default()); // max_seq_length 24
    let enc = load(dir.path());
    let a = "go dev\nran sql db";
    let b = "led a team";
    let c = "xy"; // a short text in the same batch: padding must not leak in
    let spans_a = [
        span_of(a, "go dev"),
        span_of(a, "sql db"),
        span_of(a, "dev"),
    ];
    let spans_b = [span_of(b, "a team"), 0..b.len()];
    let out = enc
        .encode_with_spans(&[(a, &spans_a[..]), (b, &spans_b[..]), (c, &[])])
        .unwrap();
    assert_eq!(out.len(), 3);
    for ((text, spans), got) in [(a, &spans_a[..]), (b, &spans_b[..])].iter().zip(&out) {
        assert_eq!(got.spans.len(), spans.len());
        for (span, v) in spans.iter().zip(&got.spans) {
            let v = v.as_ref().expect("a span with tokens is pooled");
            let want = reference(&enc, text, span.clone());
            assert!(close(v, &want), "{text:?} {span:?}");
            assert!((dot(v, v) - 1.0).abs() < 1e-5);
        }
    }
    // different spans give different vectors (the test would pass on a constant otherwise)
    let (x, y) = (
        out[0].spans[0].as_ref().unwrap(),
        out[0].spans[1].as_ref().unwrap(),
    );
    assert!(dot(x, y) < 0.9999);
    // the whole texts' embeddings are those of `encode`
    let whole = enc.encode(&[a, b, c]).unwrap();
    for (w, s) in whole.iter().zip(&out) {
        assert_eq!(w.tokens, s.embedding.tokens);
        assert!(close(&w.vector, &s.embedding.vector));
    }
    assert!(out[2].spans.is_empty());
}

#[test]
fn spans_without_tokens_or_cut_by_truncation_are_none() {
    let dir = write_tiny_model(&TinySpec::default()); // max_seq_length 24: 22 real tokens
    let enc = load(dir.path());
    let long = "ab ".repeat(20); // 40 tokens: cut at 22
    let text = long.trim_end();
    let spans = [0..2, 2..3, text.len() - 2..text.len(), 0..0];
    let out = enc.encode_with_spans(&[(text, &spans[..])]).unwrap();
    assert!(out[0].embedding.truncated);
    assert!(out[0].spans[0].is_some());
    assert!(out[0].spans[1].is_none(), "a space holds no token");
    assert!(out[0].spans[2].is_none(), "past the last token kept");
    assert!(out[0].spans[3].is_none());
    // a range not on a char boundary is none, not a panic
    let out = enc.encode_with_spans(&[("é a", &[0..1][..])]).unwrap();
    assert!(out[0].spans[0].is_none());
}

#[test]
fn late_chunking_needs_mean_pooling() {
    let dir = write_tiny_model(&TinySpec {
        pooling: "cls",
        ..TinySpec::default()
    });
    let enc = load(dir.path()).with_late_chunking(true);
    assert!(!enc.late_chunking());
    assert!(enc.encode_with_spans(&[("ab", &[0..2][..])]).is_err());
    let dir = write_tiny_model(&TinySpec::default());
    assert!(load(dir.path()).with_late_chunking(true).late_chunking());
    assert!(!load(dir.path()).with_late_chunking(false).late_chunking());
}

const RESUME: &str = "Go dev\n\nEXPERIENCE\n- Ran SQL db.\n- Led a team of two.\n\
                      - Wrote docs and tests.\n\nSKILLS\nGo, SQL, Rust";

#[test]
fn prepared_lines_are_pooled_from_their_chunk_or_get_their_own_pass() {
    let dir = write_tiny_model(&TinySpec::default());
    let late = load(dir.path()).with_late_chunking(true);
    let own = load(dir.path()).with_late_chunking(false);
    let p = plan(&late, RESUME, Role::Resume).unwrap();
    assert!(p.chunks.len() > 1, "{:?}", p.chunks);
    let prepared = embed_plans(&late, vec![p.clone()]).unwrap().remove(0);
    let separate = embed_plans(&own, vec![p.clone()]).unwrap().remove(0);
    assert_eq!(prepared.line_vectors.len(), p.lines.len());
    // the document vector does not depend on how lines are embedded
    assert!(close(&prepared.vector, &separate.vector));
    let mut pooled = 0;
    for (i, line) in p.lines.iter().enumerate() {
        let v = &prepared.line_vectors[i];
        let chunk = p.chunks.iter().find(|c| c.contains(line.as_str()));
        match chunk {
            Some(c) => {
                let want = reference(&late, c, span_of(c, line));
                assert!(close(v, &want), "{line:?} in {c:?}");
                pooled += 1;
            }
            None => assert!(close(v, &separate.line_vectors[i]), "{line:?}"),
        }
    }
    assert!(pooled >= 3, "most lines lie in a chunk");
    // a pooled line differs from its own pass (context): the option does something
    assert!(prepared
        .line_vectors
        .iter()
        .zip(&separate.line_vectors)
        .any(|(a, b)| dot(a, b) < 0.9999));

    // a plan without chunks (lexical) still gets a vector per line: its own pass
    let lexical = plan_lexical(RESUME, Role::Resume).unwrap();
    assert!(lexical.chunks.is_empty());
    let alone = embed_plans(&late, vec![lexical]).unwrap().remove(0);
    for (a, b) in alone.line_vectors.iter().zip(&separate.line_vectors) {
        assert!(close(a, b));
    }
}

#[test]
fn reports_keep_their_shape_with_late_chunking() {
    let dir = write_tiny_model(&TinySpec::default());
    let job = "Backend dev\n\nRequirements:\n- SQL db\n- Go\n- Led a team";
    let a =
        cvmatch::matching::score(&load(dir.path()).with_late_chunking(true), RESUME, job).unwrap();
    let b =
        cvmatch::matching::score(&load(dir.path()).with_late_chunking(false), RESUME, job).unwrap();
    let (ja, jb) = (
        serde_json::to_value(&a).unwrap(),
        serde_json::to_value(&b).unwrap(),
    );
    fn shape(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), shape(v))).collect(),
            serde_json::Value::Array(a) => a.iter().map(shape).collect(),
            serde_json::Value::Number(_) => serde_json::json!(0),
            other => other.clone(),
        }
    }
    // same keys, same requirements and evidence texts; numbers may differ
    let (sa, sb) = (shape(&ja), shape(&jb));
    assert_eq!(sa["requirements"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        a.requirements.iter().map(|r| &r.text).collect::<Vec<_>>(),
        b.requirements.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(
        sa.as_object().map(|m| m.len()),
        sb.as_object().map(|m| m.len())
    );
    assert_eq!(
        sa.as_object().unwrap().keys().collect::<Vec<_>>(),
        sb.as_object().unwrap().keys().collect::<Vec<_>>()
    );
}
