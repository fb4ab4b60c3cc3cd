//! Parity of the converted weights formats with sentence-transformers on the real model
//! (../shared/reference/parity.json): f16 min cosine ≥ 0.9999; q8 (dequantized at load, the
//! default) ≥ 0.999; q8 computed on 8-bit blocks (opt-in) ≥ 0.997, as documented on
//! `LoadOptions::quantized_matmul`. The files are converted here, in memory, from the
//! verified f32 original with the library's converter (the same code as `cvmatch convert`).

mod common;

use common::{dot, real_model_dir, shared};
use cvmatch::model::convert::{convert, ConvertInput};
use cvmatch::model::LoadOptions;
use cvmatch::model_dir::ModelDir;
use cvmatch::{Encoder, WeightsFormat};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    id: String,
    text: String,
    embedding: Vec<f32>,
}

fn reference() -> Vec<Item> {
    let bytes = std::fs::read(shared("reference/parity.json")).unwrap();
    let r: Reference = serde_json::from_slice(&bytes).expect("parity.json parses");
    assert_eq!(r.items.len(), 74, "parity.json should hold 74 texts");
    r.items
}

fn encoder(format: WeightsFormat, options: LoadOptions) -> Encoder {
    let dir = ModelDir::read(&real_model_dir(), "f32").unwrap();
    if format == WeightsFormat::F32 {
        return Encoder::from_bytes_with(dir.files(), options, &|| 0.0)
            .unwrap()
            .0;
    }
    let bytes = convert(
        ConvertInput {
            weights: &dir.weights,
            weights_name: &dir.weights_name,
            config: &dir.config,
            model_id: &dir.manifest.model_id,
        },
        format,
    )
    .unwrap();
    let mut files = dir.files();
    files.weights = &bytes;
    files.weights_name = format.file_name();
    Encoder::from_bytes_with(files, options, &|| 0.0).unwrap().0
}

/// Minimum cosine to the reference over all texts, and the text where it is reached.
fn min_cosine(enc: &Encoder, one_by_one: bool) -> (f32, String) {
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
    worst
}

fn check(format: WeightsFormat, options: LoadOptions, threshold: f32, one_by_one: bool) {
    let enc = encoder(format, options);
    assert_eq!(enc.weights_format(), format);
    let (cos, id) = min_cosine(&enc, one_by_one);
    eprintln!(
        "{} (quantized_matmul {}, one_by_one {one_by_one}, quantized linears {}): min cosine {cos} ({id})",
        format.as_str(),
        options.quantized_matmul,
        enc.quantized_linears()
    );
    assert!(
        cos >= threshold,
        "{}: min cosine {cos} on {id}",
        format.as_str()
    );
}

#[test]
fn f16_matches_in_batches() {
    check(WeightsFormat::F16, LoadOptions::default(), 0.9999, false);
}

#[test]
fn q8_matches_in_batches() {
    check(WeightsFormat::Q8, LoadOptions::default(), 0.999, false);
}

#[test]
fn q8_matches_one_by_one() {
    check(WeightsFormat::Q8, LoadOptions::default(), 0.999, true);
}

#[test]
fn q8_computed_in_8_bit_is_close() {
    let options = LoadOptions {
        quantized_matmul: true,
        ..LoadOptions::default()
    };
    check(WeightsFormat::Q8, options, 0.997, false);
}

#[test]
fn f32_with_packed_linears_matches() {
    // the packed kernel (src/model/gemm.rs) that wasm32 uses by default, checked natively
    let options = LoadOptions {
        packed_linears: true,
        ..LoadOptions::default()
    };
    check(WeightsFormat::F32, options, 0.99999, false);
}

#[test]
fn q8_on_int8_kernels_matches() {
    // the 8-bit kernel (src/model/qgemm.rs: int8 weights, int16 activations) that wasm32
    // uses for q8 by default, checked natively on the same code (SSE2 lanes on x86_64)
    let options = LoadOptions {
        int8_linears: true,
        ..LoadOptions::default()
    };
    let enc = encoder(WeightsFormat::Q8, options);
    assert_eq!(enc.quantized_linears(), 4 * enc.spec().num_layers);
    for one_by_one in [false, true] {
        let (cos, id) = min_cosine(&enc, one_by_one);
        eprintln!("q8 int8 kernels (one_by_one {one_by_one}): min cosine {cos} ({id})");
        assert!(cos >= 0.999, "q8 int8 kernels: min cosine {cos} on {id}");
    }
}
