//! Parity with sentence-transformers on the real model (../shared/reference/parity.json):
//! token ids identical on every text; cosine ≥ 0.9999 one by one and in batches of 32.

mod common;

use common::{dot, real_model_dir, shared};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    text: String,
    n_tokens_full: usize,
    truncated: bool,
    input_ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn reference() -> Vec<Item> {
    let bytes = std::fs::read(shared("reference/parity.json")).unwrap();
    let r: Reference = serde_json::from_slice(&bytes).expect("parity.json parses");
    assert_eq!(r.items.len(), 74, "parity.json should hold 74 texts");
    r.items
}

#[test]
fn token_ids_match_sentence_transformers() {
    let enc = cvmatch::model_dir::load_encoder(&real_model_dir(), "f32").unwrap();
    for item in reference() {
        let t = enc.tokenizer().tokenize(&item.text).unwrap();
        assert_eq!(t.ids, item.input_ids, "token ids differ for {}", item.id);
        assert_eq!(
            t.truncated, item.truncated,
            "truncation differs for {}",
            item.id
        );
        assert_eq!(
            enc.tokenizer().count_tokens(&item.text).unwrap(),
            item.n_tokens_full,
            "untruncated count differs for {}",
            item.id
        );
    }
}

fn check(batch_size: usize, one_by_one: bool) {
    let enc = cvmatch::model_dir::load_encoder(&real_model_dir(), "f32")
        .unwrap()
        .with_batch_size(batch_size);
    let items = reference();
    let vectors: Vec<Vec<f32>> = if one_by_one {
        items
            .iter()
            .map(|i| enc.encode_one(&i.text).unwrap().vector)
            .collect()
    } else {
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        enc.encode(&texts)
            .unwrap()
            .into_iter()
            .map(|e| e.vector)
            .collect()
    };
    let mut worst = (1.0f32, String::new());
    for (item, v) in items.iter().zip(&vectors) {
        let cos = dot(v, &item.embedding);
        if cos < worst.0 {
            worst = (cos, item.id.clone());
        }
    }
    eprintln!(
        "batch {batch_size} one_by_one {one_by_one}: min cosine {} ({})",
        worst.0, worst.1
    );
    assert!(
        worst.0 >= 0.9999,
        "min cosine {} on {} (batch {batch_size})",
        worst.0,
        worst.1
    );
}

#[test]
fn embeddings_match_one_by_one() {
    check(1, true);
}

#[test]
fn embeddings_match_in_batches_of_32() {
    check(32, false);
}
