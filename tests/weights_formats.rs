//! Our BERT against candle-transformers' on tiny random models; f16 and q8 conversion round
//! trips; corrupt GGUF files are clear errors.

mod common;

use candle_core::{DType, Device, Tensor};
use common::{config_json, dot, tokenizer_json, weights, TinySpec};
use cvmatch::model::convert::{convert, ConvertInput};
use cvmatch::model::weights::WeightStore;
use cvmatch::model::LoadOptions;
use cvmatch::model::{bert::Bert, ModelSpec};
use cvmatch::{Encoder, ModelFiles, WeightsFormat};

/// A tiny model whose widths are multiples of 32, so that Q8_0 blocks apply.
fn blockable() -> TinySpec {
    TinySpec {
        hidden: 64,
        heads: 4,
        intermediate: 128,
        ..TinySpec::default()
    }
}

fn safetensors_bytes(spec: &TinySpec) -> Vec<u8> {
    let mut map: Vec<(String, Tensor)> = weights(spec).into_iter().collect();
    map.sort_by(|a, b| a.0.cmp(&b.0));
    safetensors::serialize(map, None).unwrap()
}

fn encoder(config: &str, tokenizer: &str, weights: &[u8], options: LoadOptions) -> Encoder {
    let files = ModelFiles {
        config: config.as_bytes(),
        tokenizer: tokenizer.as_bytes(),
        weights,
        weights_name: "test weights",
        pooling_config: None,
        sentence_bert_config: None,
    };
    Encoder::from_bytes_with(files, options, &|| 0.0).unwrap().0
}

fn converted(spec: &TinySpec, format: WeightsFormat) -> Vec<u8> {
    let st = safetensors_bytes(spec);
    let config = config_json(spec);
    let input = ConvertInput {
        weights: &st,
        weights_name: "model.safetensors",
        config: config.as_bytes(),
        model_id: "test/tiny-bert",
    };
    convert(input, format).unwrap()
}

#[test]
fn our_bert_equals_candle_transformers_bert() {
    for spec in [TinySpec::default(), blockable()] {
        let config = config_json(&spec);
        let tensors = weights(&spec);
        let vb = candle_nn::VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        let theirs_config: candle_transformers::models::bert::Config =
            serde_json::from_str(&config).unwrap();
        let theirs =
            candle_transformers::models::bert::BertModel::load(vb, &theirs_config).unwrap();
        let model_spec = ModelSpec::from_json(config.as_bytes(), None, None).unwrap();
        let store = WeightStore::from_bytes(&safetensors_bytes(&spec), "tiny", false).unwrap();
        let ours = Bert::load(&store, &model_spec).unwrap();
        // two texts, the second padded
        let ids = Tensor::new(
            &[[2u32, 9, 14, 30, 7, 3], [2, 11, 3, 0, 0, 0]],
            &Device::Cpu,
        )
        .unwrap();
        let mask = Tensor::new(&[[1u32, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], &Device::Cpu).unwrap();
        let a = theirs
            .forward(&ids, &ids.zeros_like().unwrap(), Some(&mask))
            .unwrap();
        // candle's matmul, and the packed kernel (src/model/gemm.rs, the wasm32 default)
        let packed = Bert::load_with(&store, &model_spec, true).unwrap();
        for (name, model) in [("candle matmul", &ours), ("packed", &packed)] {
            let b = model.forward(&ids, &mask).unwrap();
            let diff: f32 = (&a - b)
                .unwrap()
                .abs()
                .unwrap()
                .flatten_all()
                .unwrap()
                .max(0)
                .unwrap()
                .to_scalar()
                .unwrap();
            assert!(
                diff < 1e-5,
                "{name}, hidden {}: max abs difference {diff}",
                spec.hidden
            );
        }
    }
}

#[test]
fn f16_and_q8_conversions_round_trip() {
    let spec = blockable();
    let config = config_json(&spec);
    let tok = tokenizer_json();
    let f32_bytes = safetensors_bytes(&spec);
    let base = encoder(&config, &tok, &f32_bytes, LoadOptions::default());
    assert_eq!(base.weights_format(), WeightsFormat::F32);
    let texts = ["half precision weights", "eight bit blocks", "a", ""];
    let reference = base.encode(&texts).unwrap();

    let f16 = converted(&spec, WeightsFormat::F16);
    assert!(
        f16.len() < f32_bytes.len() * 6 / 10,
        "f16 is about half the size"
    );
    let f16 = encoder(&config, &tok, &f16, LoadOptions::default());
    assert_eq!(f16.weights_format(), WeightsFormat::F16);

    let q8_bytes = converted(&spec, WeightsFormat::Q8);
    assert!(q8_bytes.starts_with(b"GGUF"));
    let eight_bit = LoadOptions {
        quantized_matmul: true,
        ..LoadOptions::default()
    };
    let q8 = encoder(&config, &tok, &q8_bytes, eight_bit);
    assert_eq!(q8.weights_format(), WeightsFormat::Q8);
    assert_eq!(q8.quantized_linears(), 6 * spec.layers);
    let q8_f32 = encoder(&config, &tok, &q8_bytes, LoadOptions::default());
    assert_eq!(q8_f32.weights_format(), WeightsFormat::Q8);
    assert_eq!(
        q8_f32.quantized_linears(),
        0,
        "dequantized at load by default"
    );

    for (enc, min) in [(&f16, 0.9999), (&q8, 0.999), (&q8_f32, 0.999)] {
        for (r, e) in reference.iter().zip(enc.encode(&texts).unwrap()) {
            let cos = dot(&r.vector, &e.vector);
            assert!(cos >= min, "{:?}: cosine {cos}", enc.weights_format());
        }
    }
}

#[test]
fn q8_keeps_unblockable_layers_in_f16() {
    // hidden 16 is not a multiple of Q8_0's block of 32: only the feed-forward output
    // (input width intermediate = 32) can be blocked, the other five layers stay float
    let spec = TinySpec::default();
    let q8 = converted(&spec, WeightsFormat::Q8);
    let enc = encoder(
        &config_json(&spec),
        &tokenizer_json(),
        &q8,
        LoadOptions {
            quantized_matmul: true,
            ..LoadOptions::default()
        },
    );
    assert_eq!(enc.quantized_linears(), spec.layers);
    assert_eq!(enc.encode_one("still works").unwrap().vector.len(), 16);
}

#[test]
fn gguf_metadata_describes_the_model() {
    let spec = blockable();
    let g = cvmatch::model::gguf::read(&converted(&spec, WeightsFormat::Q8), "q8").unwrap();
    let s = |k: &str| g.metadata[k].to_string().unwrap().clone();
    assert_eq!(s("general.architecture"), "bert");
    assert_eq!(s("cvmatch.format"), "q8_0");
    assert_eq!(s("bert.config_json"), config_json(&spec));
    assert_eq!(g.metadata["bert.block_count"].to_u32().unwrap(), 2);
    assert!(g
        .quantized
        .contains_key("encoder.layer.0.intermediate.dense.weight"));
    assert!(g.float.contains_key("embeddings.word_embeddings.weight"));
}

#[test]
fn q8_stores_the_word_embeddings_in_6_bit_blocks() {
    // 80 rows of 64: rows narrower than Q6_K's 256-value blocks, so the table is stored
    // flattened into rows of 256 and reshaped at load
    let spec = TinySpec {
        pad_vocab: 80 - common::vocab().len(),
        ..blockable()
    };
    let bytes = converted(&spec, WeightsFormat::Q8);
    let g = cvmatch::model::gguf::read(&bytes, "q8").unwrap();
    let words = &g.quantized["embeddings.word_embeddings.weight"];
    assert_eq!(words.dtype(), candle_core::quantized::GgmlDType::Q6K);
    assert_eq!(words.shape().dims(), &[20, 256]);

    let config = config_json(&spec);
    let tok = tokenizer_json();
    let base = encoder(
        &config,
        &tok,
        &safetensors_bytes(&spec),
        LoadOptions::default(),
    );
    let texts = ["six bit embedding rows", "q"];
    for options in [
        LoadOptions::default(),
        LoadOptions {
            quantized_matmul: true,
            ..LoadOptions::default()
        },
    ] {
        let q8 = encoder(&config, &tok, &bytes, options);
        for (r, e) in base
            .encode(&texts)
            .unwrap()
            .iter()
            .zip(q8.encode(&texts).unwrap())
        {
            let cos = dot(&r.vector, &e.vector);
            assert!(cos >= 0.999, "cosine {cos}");
        }
    }
}

fn load_error(bytes: &[u8]) -> Option<cvmatch::Error> {
    let spec = blockable();
    let files = ModelFiles {
        config: config_json(&spec).leak().as_bytes(),
        tokenizer: tokenizer_json().leak().as_bytes(),
        weights: bytes,
        weights_name: "model.q8_0.gguf",
        pooling_config: None,
        sentence_bert_config: None,
    };
    Encoder::from_bytes(files).err()
}

#[test]
fn truncated_or_corrupt_gguf_is_a_model_error() {
    let q8 = converted(&blockable(), WeightsFormat::Q8);
    for cut in [4, 8, 24, 100, q8.len() / 3, q8.len() / 2, q8.len() - 1] {
        let e = load_error(&q8[..cut]).unwrap_or_else(|| panic!("cut at {cut} loaded"));
        assert_eq!(e.code(), "model", "cut at {cut}: {e}");
        assert!(e.to_string().contains("model.q8_0.gguf"), "{e}");
    }
    // flipped header bytes: an error or (rarely) a model, never a panic
    for at in (0..600).step_by(7) {
        let mut bad = q8.clone();
        bad[at] ^= 0xff;
        if let Some(e) = load_error(&bad) {
            assert_eq!(e.code(), "model", "byte {at}: {e}");
        }
    }
    // a zero alignment would divide by zero inside candle's reader
    let mut meta = Vec::new();
    meta.extend_from_slice(b"GGUF");
    meta.extend_from_slice(&2u32.to_le_bytes());
    meta.extend_from_slice(&0u64.to_le_bytes()); // tensors
    meta.extend_from_slice(&1u64.to_le_bytes()); // metadata entries
    meta.extend_from_slice(&17u64.to_le_bytes());
    meta.extend_from_slice(b"general.alignment");
    meta.extend_from_slice(&4u32.to_le_bytes());
    meta.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(load_error(&meta).unwrap().code(), "model");
}

#[test]
fn weights_format_names() {
    for name in ["f32", "f16", "q8"] {
        assert_eq!(WeightsFormat::parse(name).unwrap().as_str(), name);
    }
    assert_eq!(WeightsFormat::Q8.file_name(), "model.q8_0.gguf");
    assert_eq!(WeightsFormat::parse("q4").unwrap_err().code(), "bad_input");
}
