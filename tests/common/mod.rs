//! Test support: tiny random-weight BERT models written to temporary directories, and the
//! paths of the real model and of the shared ground truth.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};

/// The real model, as `make model` puts it. Tests that need it fail loudly without it.
pub fn real_model_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
    assert!(
        dir.join("manifest.json").exists(),
        "the real model is missing at {}: run `make model`",
        dir.display()
    );
    dir
}

/// A file of ../shared/, which tests need and must not skip without.
pub fn shared(path: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path);
    assert!(
        p.exists(),
        "ground truth {} is missing: the tests need ../shared/ beside the repository",
        p.display()
    );
    p
}

/// Shape and pooling of a tiny model.
#[derive(Clone)]
pub struct TinySpec {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub max_positions: usize,
    pub max_seq_length: usize,
    pub pooling: &'static str,
    pub dtype: DType,
    pub hidden_act: &'static str,
    pub seed: u64,
    /// Embedding rows beyond the tokenizer's vocabulary (never looked up).
    pub pad_vocab: usize,
}

impl Default for TinySpec {
    fn default() -> Self {
        Self {
            hidden: 16,
            layers: 2,
            heads: 2,
            intermediate: 32,
            max_positions: 64,
            max_seq_length: 24,
            pooling: "mean",
            dtype: DType::F32,
            hidden_act: "gelu",
            seed: 7,
            pad_vocab: 0,
        }
    }
}

/// The vocabulary: specials, single letters and their `##` continuations, digits, punctuation.
pub fn vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in 'a'..='z' {
        v.push(c.to_string());
    }
    for c in 'a'..='z' {
        v.push(format!("##{c}"));
    }
    for c in '0'..='9' {
        v.push(c.to_string());
    }
    for p in [".", ",", "!", "?", "-", "+", "#", "/", "(", ")"] {
        v.push(p.to_string());
    }
    v
}

/// A BERT WordPiece tokenizer.json that, like all-MiniLM-L6-v2's, bakes in truncation
/// at 128 and fixed padding to 128 (the code under test must override both).
pub fn tokenizer_json() -> String {
    let vocab: serde_json::Map<String, serde_json::Value> = vocab()
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, serde_json::json!(i)))
        .collect();
    let special = |content: &str, id: usize| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null,
            "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
        "added_tokens": [special("[PAD]", 0), special("[UNK]", 1), special("[CLS]", 2),
            special("[SEP]", 3), special("[MASK]", 4)],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}
    })
    .to_string()
}

/// Deterministic pseudo-random values in [-scale, scale].
fn values(n: usize, seed: &mut u64, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*seed >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
        })
        .collect()
}

/// Random BERT weights for the spec, stored in `spec.dtype`.
pub fn weights(spec: &TinySpec) -> HashMap<String, Tensor> {
    let mut seed = spec.seed;
    let (h, i) = (spec.hidden, spec.intermediate);
    let mut map = HashMap::new();
    let mut put = |name: String, shape: &[usize], kind: &str| {
        let n: usize = shape.iter().product();
        let data = match kind {
            "ln_w" => vec![1.0; n],
            "ln_b" => vec![0.0; n],
            _ => values(n, &mut seed, 0.5),
        };
        let t = Tensor::from_vec(data, shape, &Device::Cpu)
            .unwrap()
            .to_dtype(spec.dtype)
            .unwrap();
        map.insert(name, t);
    };
    put(
        "embeddings.word_embeddings.weight".into(),
        &[vocab().len() + spec.pad_vocab, h],
        "w",
    );
    put(
        "embeddings.position_embeddings.weight".into(),
        &[spec.max_positions, h],
        "w",
    );
    put(
        "embeddings.token_type_embeddings.weight".into(),
        &[2, h],
        "w",
    );
    put("embeddings.LayerNorm.weight".into(), &[h], "ln_w");
    put("embeddings.LayerNorm.bias".into(), &[h], "ln_b");
    for l in 0..spec.layers {
        let p = format!("encoder.layer.{l}");
        for m in ["query", "key", "value"] {
            put(format!("{p}.attention.self.{m}.weight"), &[h, h], "w");
            put(format!("{p}.attention.self.{m}.bias"), &[h], "w");
        }
        put(format!("{p}.attention.output.dense.weight"), &[h, h], "w");
        put(format!("{p}.attention.output.dense.bias"), &[h], "w");
        put(
            format!("{p}.attention.output.LayerNorm.weight"),
            &[h],
            "ln_w",
        );
        put(format!("{p}.attention.output.LayerNorm.bias"), &[h], "ln_b");
        put(format!("{p}.intermediate.dense.weight"), &[i, h], "w");
        put(format!("{p}.intermediate.dense.bias"), &[i], "w");
        put(format!("{p}.output.dense.weight"), &[h, i], "w");
        put(format!("{p}.output.dense.bias"), &[h], "w");
        put(format!("{p}.output.LayerNorm.weight"), &[h], "ln_w");
        put(format!("{p}.output.LayerNorm.bias"), &[h], "ln_b");
    }
    map
}

/// config.json for the spec.
pub fn config_json(spec: &TinySpec) -> String {
    serde_json::json!({
        "architectures": ["BertModel"], "attention_probs_dropout_prob": 0.1,
        "hidden_act": spec.hidden_act, "hidden_dropout_prob": 0.1, "hidden_size": spec.hidden,
        "initializer_range": 0.02, "intermediate_size": spec.intermediate, "layer_norm_eps": 1e-12,
        "max_position_embeddings": spec.max_positions, "model_type": "bert",
        "num_attention_heads": spec.heads, "num_hidden_layers": spec.layers, "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": 2, "use_cache": true,
        "vocab_size": vocab().len() + spec.pad_vocab
    })
    .to_string()
}

/// Writes a complete tiny model directory (with manifest.json) and returns it.
pub fn write_tiny_model(spec: &TinySpec) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("1_Pooling")).unwrap();
    std::fs::write(root.join("config.json"), config_json(spec)).unwrap();
    std::fs::write(root.join("tokenizer.json"), tokenizer_json()).unwrap();
    std::fs::write(
        root.join("sentence_bert_config.json"),
        serde_json::json!({"max_seq_length": spec.max_seq_length, "do_lower_case": false})
            .to_string(),
    )
    .unwrap();
    std::fs::write(
        root.join("1_Pooling/config.json"),
        serde_json::json!({
            "word_embedding_dimension": spec.hidden,
            "pooling_mode_cls_token": spec.pooling == "cls",
            "pooling_mode_mean_tokens": spec.pooling == "mean",
            "pooling_mode_max_tokens": spec.pooling == "max",
            "pooling_mode_mean_sqrt_len_tokens": false
        })
        .to_string(),
    )
    .unwrap();
    candle_core::safetensors::save(&weights(spec), root.join("model.safetensors")).unwrap();
    write_manifest(root);
    dir
}

/// (Re)writes manifest.json from the files present.
pub fn write_manifest(root: &Path) {
    let names = [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
    ];
    let files: Vec<serde_json::Value> = names
        .iter()
        .filter(|n| root.join(n).exists())
        .map(|n| {
            let bytes = std::fs::read(root.join(n)).unwrap();
            serde_json::json!({"name": n, "bytes": bytes.len(),
                "sha256": cvmatch::manifest::sha256_hex(&bytes)})
        })
        .collect();
    let manifest = serde_json::json!({
        "manifest_version": 1, "model_id": "test/tiny-bert", "dimension": 16,
        "max_seq_length": 24, "pooling": "mean", "files": files,
        "weights": {"f32": "model.safetensors"}
    });
    std::fs::write(root.join("manifest.json"), manifest.to_string()).unwrap();
}

/// Loads the encoder of a model directory.
pub fn load(dir: &Path) -> cvmatch::Encoder {
    cvmatch::model_dir::load_encoder(dir, "f32").unwrap()
}

/// Dot product (vectors are unit length).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
