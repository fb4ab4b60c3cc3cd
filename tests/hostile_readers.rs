//! Seeded mutation tests of every reader cvmatch owns outside the index: GGUF and
//! safetensors weights, `manifest.json`, `config.json`, and JSON Lines input.
//!
//! Each starts from a valid file written by the tests (tiny random-weight models, see
//! tests/common), mutates it (bit flips, truncation, length fields set to huge values,
//! splices, JSON literals swapped for hostile ones), re-seals the manifest's sha256 so the
//! mutation reaches the parser, and requires an `Ok` or a clean error: never a panic. An
//! `Ok` model must then embed a text without panicking. The PRNG is a fixed-seed splitmix64
//! (hand-written: a dozen lines, not worth a crate), so a failure names a reproducible case.
//!
//! `CVMATCH_MUTATIONS=N` changes the number of cases per reader (default in [`cases`]).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use candle_core::Tensor;
use common::{config_json, tokenizer_json, weights, TinySpec};
use cvmatch::manifest::{sha256_hex, Manifest};
use cvmatch::model::convert::{convert, ConvertInput};
use cvmatch::{Encoder, ModelFiles, WeightsFormat};

/// splitmix64: a tiny deterministic PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values that break length and count fields.
const HUGE: [u64; 8] = [
    u64::MAX,
    u64::MAX / 2,
    1 << 63,
    (1 << 32) - 1,
    1 << 32,
    (1 << 31) - 1,
    1 << 40,
    0,
];

/// Applies one to three random mutations. `hot` is a prefix (a header) that gets half the
/// mutations, since that is where counts and lengths live.
fn mutate(rng: &mut Rng, base: &[u8], hot: usize) -> (Vec<u8>, String) {
    let mut b = base.to_vec();
    let mut log = Vec::new();
    for _ in 0..1 + rng.below(3) {
        if b.is_empty() {
            break;
        }
        let len = b.len();
        let at = if hot > 0 && rng.below(2) == 0 {
            rng.below(hot.min(len))
        } else {
            rng.below(len)
        };
        match rng.below(8) {
            0 => {
                let bit = rng.below(8);
                b[at] ^= 1 << bit;
                log.push(format!("flip {at}.{bit}"));
            }
            1 => {
                let v = [0u8, 0xff, 0x7f, 0x80][rng.below(4)];
                b[at] = v;
                log.push(format!("set {at}={v}"));
            }
            2 => {
                b.truncate(at);
                log.push(format!("truncate {at}"));
            }
            3 | 4 => {
                // a length/count field: 8 or 4 little-endian bytes set to a huge value
                let v = HUGE[rng.below(HUGE.len())];
                let width = if rng.below(2) == 0 { 8 } else { 4 };
                let end = (at + width).min(len);
                let bytes = v.to_le_bytes();
                b[at..end].copy_from_slice(&bytes[..end - at]);
                log.push(format!("huge {at}:{width}={v}"));
            }
            5 => {
                // splice: a range copied over another place
                let from = rng.below(len);
                let n = rng.below(64).min(len - from).min(len - at);
                let chunk = b[from..from + n].to_vec();
                b[at..at + n].copy_from_slice(&chunk);
                log.push(format!("splice {from}+{n}->{at}"));
            }
            6 => {
                // splice: a range duplicated (inserted) or removed
                let n = 1 + rng.below(32).min(len - at - 1);
                if rng.below(2) == 0 {
                    let chunk = b[at..at + n].to_vec();
                    b.splice(at..at, chunk);
                    log.push(format!("dup {at}+{n}"));
                } else {
                    b.drain(at..at + n);
                    log.push(format!("cut {at}+{n}"));
                }
            }
            _ => {
                let n = 1 + rng.below(16);
                let junk: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                b.splice(at..at, junk);
                log.push(format!("insert {at}+{n}"));
            }
        }
    }
    (b, log.join(", "))
}

/// Replaces a random JSON number or string literal of `text` with a hostile one, or falls
/// back to a byte mutation.
fn mutate_json(rng: &mut Rng, text: &[u8]) -> (Vec<u8>, String) {
    const VALUES: [&str; 12] = [
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "1e309",
        "4294967295",
        "0",
        "null",
        "\"\"",
        "\"../../../etc/passwd\"",
        "[]",
        "{}",
        "\"\\ud800\"",
    ];
    if rng.below(3) == 0 {
        return mutate(rng, text, 0);
    }
    // token boundaries: after ':' or '[' or ','
    let starts: Vec<usize> = text
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b':' || c == b'[' || c == b',')
        .map(|(i, _)| i + 1)
        .collect();
    if starts.is_empty() {
        return mutate(rng, text, 0);
    }
    let start = starts[rng.below(starts.len())];
    let end = text[start..]
        .iter()
        .position(|&c| c == b',' || c == b'}' || c == b']')
        .map_or(text.len(), |p| start + p);
    let value = VALUES[rng.below(VALUES.len())];
    let mut out = text[..start].to_vec();
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(&text[end..]);
    (out, format!("json {start}..{end}={value}"))
}

fn cases() -> usize {
    std::env::var("CVMATCH_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

/// Runs `check` on `cases()` mutations of `base`; panics listing every case that panicked.
fn run(
    name: &str,
    seed: u64,
    mut make: impl FnMut(&mut Rng) -> (Vec<u8>, String),
    check: impl Fn(&[u8]) -> Outcome,
) {
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let (mut ok, mut errors, mut slowest) = (0usize, std::collections::BTreeMap::new(), 0f64);
    let mut slowest_case = String::new();
    let mut failures = Vec::new();
    // silence the default hook's backtraces; the failures are listed below
    let trace = std::env::var_os("CVMATCH_MUTATION_TRACE").is_some();
    let hook = std::panic::take_hook();
    if !trace {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let n = cases();
    for case in 0..n {
        let (bytes, how) = make(&mut rng);
        if trace {
            eprintln!("{name} case {case}: {how}");
        }
        let t = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| check(&bytes))) {
            Ok(Outcome::Ok) => ok += 1,
            Ok(Outcome::Err(code)) => *errors.entry(code).or_insert(0usize) += 1,
            Ok(Outcome::Wrong(what)) => failures.push(format!("case {case} ({how}): {what}")),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("case {case} ({how}): PANIC {msg}"));
            }
        }
        if t.elapsed().as_secs_f64() > slowest {
            slowest = t.elapsed().as_secs_f64();
            slowest_case = format!("case {case}: {how}");
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "{name}: {n} cases in {:.2} s (slowest {:.1} ms, {slowest_case}): {ok} loaded, errors {errors:?}",
        t0.elapsed().as_secs_f64(),
        slowest * 1e3
    );
    assert!(
        failures.is_empty(),
        "{name}: {} of {n} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // the mutations must reach past the first check, or the test proves little
    assert!(
        errors.len() >= 2 || ok > 0,
        "{name}: every case failed the same way ({errors:?})"
    );
}

enum Outcome {
    Ok,
    Err(&'static str),
    Wrong(String),
}

/// Codes a corrupt model file may give.
const MODEL_CODES: [&str; 4] = ["model", "integrity", "bad_input", "too_large"];

fn load(files: ModelFiles<'_>) -> Outcome {
    match Encoder::from_bytes(files) {
        Ok(encoder) => match encoder.encode(&["Senior Rust engineer, 5 years of Go."]) {
            Ok(v) if v.len() == 1 => Outcome::Ok,
            Ok(v) => Outcome::Wrong(format!("{} embeddings for one text", v.len())),
            Err(e) if MODEL_CODES.contains(&e.code()) => Outcome::Err(e.code()),
            Err(e) => Outcome::Wrong(format!("encode: code {} ({e})", e.code())),
        },
        Err(e) if MODEL_CODES.contains(&e.code()) => Outcome::Err(e.code()),
        Err(e) => Outcome::Wrong(format!("code {} ({e})", e.code())),
    }
}

fn safetensors_bytes(spec: &TinySpec) -> Vec<u8> {
    let mut map: Vec<(String, Tensor)> = weights(spec).into_iter().collect();
    map.sort_by(|a, b| a.0.cmp(&b.0));
    safetensors::serialize(map, None).unwrap()
}

/// The smallest tiny model whose widths take Q8_0 blocks.
fn small() -> TinySpec {
    TinySpec {
        hidden: 32,
        heads: 2,
        intermediate: 64,
        layers: 1,
        max_positions: 32,
        ..TinySpec::default()
    }
}

/// Loads `weights` with a manifest re-sealed for them: the manifest lists their new size
/// and sha256, so verification passes and the bytes reach the parser.
fn load_resealed(spec: &TinySpec, weights: &[u8], name: &str) -> Outcome {
    let manifest = serde_json::json!({
        "manifest_version": 1, "model_id": "test/tiny-bert", "dimension": spec.hidden,
        "max_seq_length": 24, "pooling": "mean",
        "files": [{"name": name, "bytes": weights.len(), "sha256": sha256_hex(weights)}],
        "weights": {"w": name}
    })
    .to_string();
    let manifest = Manifest::from_json(manifest.as_bytes()).unwrap();
    if let Err(e) = manifest.weights_file("w").and_then(|f| f.verify(weights)) {
        return Outcome::Wrong(format!("re-sealing failed: {e}"));
    }
    let config = config_json(spec);
    let tokenizer = tokenizer_json();
    load(ModelFiles {
        config: config.as_bytes(),
        tokenizer: tokenizer.as_bytes(),
        weights,
        weights_name: name,
        pooling_config: None,
        sentence_bert_config: None,
    })
}

/// Where a GGUF file's tensor data starts (the header ends): the header is where the
/// counts and lengths are, so mutations favour it.
fn gguf_header_len(bytes: &[u8]) -> usize {
    let mut cursor = std::io::Cursor::new(bytes);
    let content = candle_core::quantized::gguf_file::Content::read(&mut cursor).unwrap();
    content.tensor_data_offset as usize
}

#[test]
fn gguf_mutations_never_panic() {
    let spec = small();
    let st = safetensors_bytes(&spec);
    let config = config_json(&spec);
    let q8 = convert(
        ConvertInput {
            weights: &st,
            weights_name: "model.safetensors",
            config: config.as_bytes(),
            model_id: "test/tiny-bert",
        },
        WeightsFormat::Q8,
    )
    .unwrap();
    let hot = gguf_header_len(&q8);
    run(
        "gguf",
        0x6767_7566,
        |rng| mutate(rng, &q8, hot),
        |bytes| load_resealed(&spec, bytes, "model.q8_0.gguf"),
    );
}

#[test]
fn safetensors_mutations_never_panic() {
    let spec = small();
    let st = safetensors_bytes(&spec);
    let header = 8 + u64::from_le_bytes(st[..8].try_into().unwrap()) as usize;
    let json_header = st[8..header].to_vec();
    let body = st[header..].to_vec();
    run(
        "safetensors",
        0x5afe,
        |rng| {
            if rng.below(2) == 0 {
                mutate(rng, &st, header)
            } else {
                // the JSON header's dtypes, shapes and offsets swapped for hostile values,
                // its length prefix kept true
                let (h, how) = mutate_json(rng, &json_header);
                let mut b = (h.len() as u64).to_le_bytes().to_vec();
                b.extend_from_slice(&h);
                b.extend_from_slice(&body);
                (b, how)
            }
        },
        |bytes| load_resealed(&spec, bytes, "model.safetensors"),
    );
}

#[test]
fn config_json_mutations_never_panic() {
    let spec = TinySpec::default();
    let config = config_json(&spec);
    let st = safetensors_bytes(&spec);
    let tokenizer = tokenizer_json();
    run(
        "config.json",
        0xc0f1,
        |rng| mutate_json(rng, config.as_bytes()),
        |bytes| {
            load(ModelFiles {
                config: bytes,
                tokenizer: tokenizer.as_bytes(),
                weights: &st,
                weights_name: "model.safetensors",
                pooling_config: None,
                sentence_bert_config: None,
            })
        },
    );
}

#[test]
fn tokenizer_and_pooling_json_mutations_never_panic() {
    let spec = TinySpec::default();
    let config = config_json(&spec);
    let st = safetensors_bytes(&spec);
    let tokenizer = tokenizer_json();
    let pooling = serde_json::json!({
        "word_embedding_dimension": spec.hidden, "pooling_mode_cls_token": false,
        "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
        "pooling_mode_mean_sqrt_len_tokens": false
    })
    .to_string();
    let sbert = serde_json::json!({"max_seq_length": 24, "do_lower_case": false}).to_string();
    // which file a case mutates: 0 tokenizer.json, 1 pooling config, 2 sentence_bert_config
    let which = std::cell::Cell::new(0usize);
    run(
        "tokenizer/pooling json",
        0x70c,
        |rng| {
            which.set(rng.below(3));
            let base = [&tokenizer, &pooling, &sbert][which.get()];
            let (b, how) = mutate_json(rng, base.as_bytes());
            (b, format!("file {}: {how}", which.get()))
        },
        |bytes| {
            let w = which.get();
            load(ModelFiles {
                config: config.as_bytes(),
                tokenizer: if w == 0 { bytes } else { tokenizer.as_bytes() },
                weights: &st,
                weights_name: "model.safetensors",
                pooling_config: Some(if w == 1 { bytes } else { pooling.as_bytes() }),
                sentence_bert_config: Some(if w == 2 { bytes } else { sbert.as_bytes() }),
            })
        },
    );
}

#[test]
fn manifest_mutations_never_panic() {
    let dir = common::write_tiny_model(&TinySpec::default());
    let root = dir.path();
    let manifest = std::fs::read(root.join("manifest.json")).unwrap();
    let files: Vec<(String, Vec<u8>)> = ["config.json", "tokenizer.json", "model.safetensors"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(root.join(n)).unwrap()))
        .collect();
    run(
        "manifest.json",
        0x3a41,
        |rng| mutate_json(rng, &manifest),
        |bytes| match Manifest::from_json(bytes) {
            Err(e) if e.code() == "model" => Outcome::Err("model"),
            Err(e) => Outcome::Wrong(format!("code {} ({e})", e.code())),
            Ok(m) => {
                // every use the loaders make of a manifest
                let _ = m.weights_file("f32");
                let _ = m.weights_file("q8");
                for (name, bytes) in &files {
                    if let Err(e) = m.verify(name, bytes) {
                        if !MODEL_CODES.contains(&e.code()) {
                            return Outcome::Wrong(format!("verify: code {} ({e})", e.code()));
                        }
                        return Outcome::Err(e.code());
                    }
                }
                Outcome::Ok
            }
        },
    );
}

#[test]
fn model_dir_with_mutated_resealed_weights_never_panics() {
    // the on-disk path end to end, fewer cases (each writes files)
    let dir = common::write_tiny_model(&TinySpec::default());
    let root = dir.path();
    let original = std::fs::read(root.join("model.safetensors")).unwrap();
    let header = 8 + u64::from_le_bytes(original[..8].try_into().unwrap()) as usize;
    let mut rng = Rng(0xd1);
    let n = (cases() / 20).max(20);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    for case in 0..n {
        let (bytes, how) = mutate(&mut rng, &original, header);
        std::fs::write(root.join("model.safetensors"), &bytes).unwrap();
        common::write_manifest(root);
        let outcome = catch_unwind(|| cvmatch::model_dir::load_encoder(root, "f32").map(|_| ()));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) if MODEL_CODES.contains(&e.code()) && e.code() != "integrity" => {}
            Ok(Err(e)) => failures.push(format!("case {case} ({how}): code {} ({e})", e.code())),
            Err(_) => failures.push(format!("case {case} ({how}): PANIC")),
        }
    }
    std::panic::set_hook(hook);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_lines_mutations_never_panic() {
    let base = b"\"a resume line\"\n{\"text\": \"Senior Rust engineer\", \"id\": 3}\r\n\"\\u00e9t\\u00e9\"\n{\"text\": \"x\"}\n";
    run(
        "json lines",
        0x1e5,
        |rng| {
            if rng.below(2) == 0 {
                mutate(rng, base, 0)
            } else {
                mutate_json(rng, base)
            }
        },
        |bytes| {
            let max = 64;
            let mut input = std::io::BufReader::with_capacity(16, bytes);
            let mut line = Vec::new();
            for number in 1.. {
                match cvmatch::jsonl::read_line(&mut input, &mut line, max, number, "<test>") {
                    Ok(false) => return Outcome::Ok,
                    Ok(true) if line.len() > max => {
                        return Outcome::Wrong(format!("line {number} longer than {max}"))
                    }
                    Ok(true) => {
                        if let Err(e) = cvmatch::jsonl::parse_text_line(&line, number) {
                            return match e.code() {
                                "bad_input" => Outcome::Err("bad_input"),
                                c => Outcome::Wrong(format!("code {c} ({e})")),
                            };
                        }
                    }
                    Err(e) if e.code() == "too_large" => return Outcome::Err("too_large"),
                    Err(e) => return Outcome::Wrong(format!("code {} ({e})", e.code())),
                }
            }
            Outcome::Ok
        },
    );
}
