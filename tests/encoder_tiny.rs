//! Encoder behaviour on tiny random-weight BERTs written by the tests.

mod common;

use common::{dot, load, write_tiny_model, TinySpec};

fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

#[test]
fn outputs_are_unit_length_with_the_config_dimension() {
    let dir = write_tiny_model(&TinySpec::default());
    let enc = load(dir.path());
    assert_eq!(enc.dim(), 16);
    for e in enc
        .encode(&["hello world", "a", "rust and go, c++!"])
        .unwrap()
    {
        assert_eq!(e.vector.len(), 16);
        assert!(
            (norm(&e.vector) - 1.0).abs() < 1e-5,
            "norm {}",
            norm(&e.vector)
        );
    }
}

#[test]
fn batch_equals_single_so_pooling_ignores_padding() {
    for pooling in ["mean", "max", "cls"] {
        let dir = write_tiny_model(&TinySpec {
            pooling,
            ..TinySpec::default()
        });
        let enc = load(dir.path());
        let texts = ["ab", "the quick brown fox jumps", "x y z", ""];
        let batched = enc.encode(&texts).unwrap();
        for (t, b) in texts.iter().zip(&batched) {
            let single = enc.encode_one(t).unwrap();
            assert_eq!(single.tokens, b.tokens);
            for (x, y) in single.vector.iter().zip(&b.vector) {
                assert!((x - y).abs() < 1e-5, "{pooling}: {t:?} differs in a batch");
            }
        }
    }
}

#[test]
fn batch_size_does_not_change_results_or_order() {
    let dir = write_tiny_model(&TinySpec::default());
    let texts: Vec<String> = (0..11).map(|i| "a ".repeat(11 - i)).rev().collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let a = load(dir.path()).with_batch_size(1).encode(&refs).unwrap();
    let b = load(dir.path()).with_batch_size(4).encode(&refs).unwrap();
    assert_eq!(a.len(), 11);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.tokens, y.tokens);
        assert!(dot(&x.vector, &y.vector) > 0.99999);
    }
    // order is kept although batches are grouped by length
    assert!(a.windows(2).all(|w| w[0].tokens < w[1].tokens));
}

#[test]
fn truncates_at_max_seq_length_including_special_tokens() {
    let dir = write_tiny_model(&TinySpec::default()); // max_seq_length 24
    let enc = load(dir.path());
    let long = "a ".repeat(100);
    let e = enc.encode_one(&long).unwrap();
    assert_eq!(e.tokens, 24);
    assert!(e.truncated);
    assert_eq!(enc.tokenizer().count_tokens(&long).unwrap(), 102);
    let short = enc.encode_one("a b c").unwrap();
    assert_eq!(short.tokens, 5);
    assert!(!short.truncated);
    // the tokenizer.json's baked-in fixed padding to 128 is overridden
    let ids = enc.tokenizer().tokenize("a b c").unwrap().ids;
    assert_eq!(ids, vec![2, 5, 6, 7, 3]);
}

#[test]
fn empty_string_gets_the_cls_sep_embedding() {
    let dir = write_tiny_model(&TinySpec::default());
    let enc = load(dir.path());
    let e = enc.encode_one("").unwrap();
    assert_eq!(e.tokens, 2);
    assert!((norm(&e.vector) - 1.0).abs() < 1e-5);
    assert!(enc.encode(&[]).unwrap().is_empty());
}

#[test]
fn pooling_modes_differ_and_follow_the_config() {
    let mean = load(write_tiny_model(&TinySpec::default()).path());
    let cls = load(
        write_tiny_model(&TinySpec {
            pooling: "cls",
            ..TinySpec::default()
        })
        .path(),
    );
    let max = load(
        write_tiny_model(&TinySpec {
            pooling: "max",
            ..TinySpec::default()
        })
        .path(),
    );
    assert_eq!(mean.spec().pooling, cvmatch::Pooling::Mean);
    assert_eq!(cls.spec().pooling, cvmatch::Pooling::Cls);
    assert_eq!(max.spec().pooling, cvmatch::Pooling::Max);
    let t = "pooling picks different vectors";
    let (a, b, c) = (
        mean.encode_one(t).unwrap().vector,
        cls.encode_one(t).unwrap().vector,
        max.encode_one(t).unwrap().vector,
    );
    assert!(dot(&a, &b) < 0.9999 && dot(&a, &c) < 0.9999 && dot(&b, &c) < 0.9999);
}

#[test]
fn f16_weights_are_upcast_and_close_to_f32() {
    let f32_dir = write_tiny_model(&TinySpec::default());
    let f16_dir = write_tiny_model(&TinySpec {
        dtype: candle_core::DType::F16,
        ..TinySpec::default()
    });
    let a = load(f32_dir.path());
    let b = load(f16_dir.path());
    assert_eq!(b.weights_format(), cvmatch::WeightsFormat::F16);
    let t = "half precision weights";
    let cos = dot(
        &a.encode_one(t).unwrap().vector,
        &b.encode_one(t).unwrap().vector,
    );
    assert!(cos > 0.999, "cosine {cos}");
}

#[test]
fn nothing_about_minilm_is_hard_coded() {
    let dir = write_tiny_model(&TinySpec {
        hidden: 24,
        heads: 3,
        layers: 1,
        intermediate: 20,
        max_seq_length: 40,
        ..TinySpec::default()
    });
    let enc = load(dir.path());
    assert_eq!(enc.dim(), 24);
    assert_eq!(enc.spec().num_layers, 1);
    assert_eq!(enc.spec().max_seq_length, 40);
    assert_eq!(enc.encode_one("a b").unwrap().vector.len(), 24);
}
