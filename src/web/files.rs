//! The model's files in the browser: `manifest.json`, then every file it lists for the
//! chosen weights, each from the cache or the network and verified (size, sha256) before use.
//!
//! * `manifest.json` is always asked of the network first (revalidating any HTTP cache), so
//!   a new model version is seen at once; when that fails (offline, server down, an HTML
//!   error page) the copy stored at the last successful load is used, and the profile says so.
//! * `manifest.json` is vouched for: its sha256 must equal the `manifestSha256` the page
//!   passed to `load`, or else the hash pinned into this module at build time
//!   (`scripts/pin_model.sh`, [`PINNED`]); with the pinned default, each weights file the
//!   manifest lists must also have its pinned hash. A manifest and weights swapped together
//!   by the host are refused with `integrity`.
//! * Cache keys carry the content hash (`<url>?sha256=<hex>`), so two deploys (two tabs on
//!   two versions) keep their own copies instead of evicting each other's.
//! * Each file: cache match → verify → use. A cached copy failing verification is deleted
//!   and fetched again. A miss is fetched with streamed progress → verified → stored (the
//!   `put` is awaited) → used. Nothing unverified is ever stored.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::limits::MAX_MANIFEST_BYTES;
use crate::manifest::{Manifest, ManifestFile, ModelPins};
use crate::model::ModelFiles;
use crate::web::cache::ModelCache;
use crate::web::{fetch, now_ms};

/// The model hashes pinned at build time: `CVMATCH_MODEL_PINS` as `scripts/pin_model.sh`
/// prints it (`manifest=<hex>;f32=<hex>;…`), or `None` for a build without pins (then only
/// a `manifestSha256` passed to `load` vouches for the manifest).
pub const PINNED: Option<&str> = option_env!("CVMATCH_MODEL_PINS");

/// What vouches for `manifest.json` in one load.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The expected sha256 of `manifest.json`, if any.
    manifest_sha256: Option<String>,
    /// Where it comes from: `option` (`manifestSha256`), `pinned` or `none`.
    pub source: &'static str,
    /// Pinned weights hashes (used only with the pinned manifest).
    pins: ModelPins,
}

impl Trust {
    /// The `manifestSha256` the page passed, else the build's pins.
    pub fn new(manifest_sha256: Option<&str>) -> Result<Self> {
        if let Some(hex) = manifest_sha256 {
            if !crate::manifest::is_sha256_hex(hex.trim()) {
                return Err(Error::bad_input(format!(
                    "manifestSha256 {hex:?} is not a sha256 (64 hex digits)"
                )));
            }
            return Ok(Self {
                manifest_sha256: Some(hex.trim().to_ascii_lowercase()),
                source: "option",
                pins: ModelPins::default(),
            });
        }
        let pins = match PINNED {
            Some(text) => ModelPins::parse(text).map_err(|e| {
                Error::internal(format!(
                    "the pins compiled into this build are invalid: {e}"
                ))
            })?,
            None => ModelPins::default(),
        };
        Ok(Self {
            manifest_sha256: pins.manifest.clone(),
            source: if pins.manifest.is_some() {
                "pinned"
            } else {
                "none"
            },
            pins,
        })
    }

    fn check_manifest(&self, bytes: &[u8]) -> Result<()> {
        match &self.manifest_sha256 {
            Some(hex) => {
                let source = if self.source == "option" {
                    "passed as manifestSha256"
                } else {
                    "pinned in the package; a site serving another model passes its \
                     manifest's hash as manifestSha256"
                };
                ModelPins::check_manifest(bytes, hex, source)
            }
            None => Ok(()),
        }
    }
}

/// The Cache API key of a file: its URL with the expected content hash as a query, so a
/// key never names two contents.
pub fn cache_key(url: &str, sha256: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sha256={}", sha256.to_ascii_lowercase())
}

/// How `manifest.json` was obtained.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestProfile {
    /// `network` or `cache`.
    pub source: &'static str,
    /// What vouched for it: `option` (`manifestSha256`), `pinned` (the build's pin) or
    /// `none` (a build without pins and no option).
    pub trust: &'static str,
    /// Milliseconds spent.
    pub ms: f64,
    /// Why the network copy was not used, when the cached one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_error: Option<String>,
}

/// How one model file was obtained.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileProfile {
    /// File name from the manifest.
    pub name: String,
    /// `cache` or `network`.
    pub source: &'static str,
    /// Size in bytes.
    pub bytes: u64,
    /// Milliseconds to read it (cache read, or download).
    pub ms: f64,
    /// Milliseconds to check size and sha256.
    pub verify_ms: f64,
    /// Milliseconds to store it in the cache (0 on a hit or without a cache).
    pub store_ms: f64,
    /// Whether a cached copy failed verification and was replaced.
    pub evicted: bool,
    /// Whether the file is now in the cache.
    pub cached: bool,
}

/// A model's files, read and verified.
#[derive(Debug)]
pub struct LoadedFiles {
    /// The manifest the files were checked against.
    pub manifest: Manifest,
    /// File name → bytes, in manifest order.
    files: Vec<(String, Vec<u8>)>,
    /// The weights file's name.
    pub weights_name: String,
    /// How the manifest was obtained.
    pub manifest_profile: ManifestProfile,
    /// How each file was obtained.
    pub file_profiles: Vec<FileProfile>,
}

impl LoadedFiles {
    fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// The files as the core takes them.
    pub fn model_files(&self) -> Result<ModelFiles<'_>> {
        let required = |name: &str| {
            self.bytes(name).ok_or_else(|| Error::MissingFile {
                name: name.to_string(),
                hint: " (not listed in manifest.json)".into(),
            })
        };
        Ok(ModelFiles {
            config: required("config.json")?,
            tokenizer: required("tokenizer.json")?,
            weights: required(&self.weights_name)?,
            weights_name: &self.weights_name,
            pooling_config: self.bytes("1_Pooling/config.json"),
            sentence_bert_config: self.bytes("sentence_bert_config.json"),
        })
    }
}

/// Progress callback: `(file, loaded, total)`; `file` is `None` for the overall figure.
pub type Progress<'a> = dyn FnMut(Option<&str>, u64, u64) + 'a;

/// The files of the model to load for a weights format: config, tokenizer, weights, and the
/// pooling and sentence-transformers configs where the manifest lists them.
fn files_to_load<'m>(manifest: &'m Manifest, weights: &str) -> Result<Vec<&'m ManifestFile>> {
    let weights = manifest.weights_file(weights)?;
    let mut out = Vec::new();
    for name in ["config.json", "tokenizer.json"] {
        out.push(manifest.file(name).ok_or_else(|| Error::MissingFile {
            name: name.to_string(),
            hint: " (not listed in manifest.json)".into(),
        })?);
    }
    out.push(weights);
    for name in ["1_Pooling/config.json", "sentence_bert_config.json"] {
        if let Some(f) = manifest.file(name) {
            out.push(f);
        }
    }
    for f in &out {
        if f.name.starts_with('/') || f.name.contains("..") || f.name.contains(':') {
            return Err(Error::config(
                "manifest.json",
                format!("file name {:?} must be a relative path", f.name),
            ));
        }
    }
    Ok(out)
}

fn content_type(name: &str) -> &'static str {
    if name.ends_with(".json") {
        "application/json"
    } else {
        "application/octet-stream"
    }
}

async fn manifest_from_network(url: &str, trust: &Trust) -> Result<(Manifest, Vec<u8>)> {
    let response = fetch::get(url, true).await?;
    let bytes = fetch::read_body(
        url,
        "manifest.json",
        &response,
        MAX_MANIFEST_BYTES,
        None,
        |_| {},
    )
    .await?;
    trust.check_manifest(&bytes)?;
    Ok((Manifest::from_json(&bytes)?, bytes))
}

/// Reads `manifest.json` under `base` (network first, then the cached copy), checked
/// against `trust` either way.
pub async fn load_manifest(
    base: &str,
    trust: &Trust,
    cache: &mut ModelCache,
) -> Result<(Manifest, ManifestProfile)> {
    let url = format!("{base}manifest.json");
    let t0 = now_ms();
    match manifest_from_network(&url, trust).await {
        Ok((manifest, bytes)) => {
            // A failed put turns the cache memory-only; the load goes on.
            let _ = cache.put(&url, &bytes, "application/json").await;
            let profile = ManifestProfile {
                source: "network",
                trust: trust.source,
                ms: now_ms() - t0,
                network_error: None,
            };
            Ok((manifest, profile))
        }
        Err(network_error) => {
            let cached = match cache.get(&url).await {
                Some(bytes) if trust.check_manifest(&bytes).is_ok() => {
                    Manifest::from_json(&bytes).ok()
                }
                _ => None,
            };
            match cached {
                Some(manifest) => Ok((
                    manifest,
                    ManifestProfile {
                        source: "cache",
                        trust: trust.source,
                        ms: now_ms() - t0,
                        network_error: Some(network_error.to_string()),
                    },
                )),
                None => Err(network_error),
            }
        }
    }
}

/// Hex sha256 by the browser's native `crypto.subtle.digest`, or `None` where it is
/// unavailable (an insecure context) or fails.
pub(crate) async fn subtle_sha256(bytes: &[u8]) -> Option<String> {
    let crypto = fetch::scope().ok()?.crypto().ok()?;
    // digest() copies the bytes before returning, so the view into wasm memory is safe.
    let promise = crypto
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", bytes)
        .ok()?;
    let digest = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let digest = js_sys::Uint8Array::new(&digest).to_vec();
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Hex sha256 of bytes: natively by the browser when it can, else in wasm.
pub(crate) async fn sha256(bytes: &[u8]) -> String {
    match subtle_sha256(bytes).await {
        Some(hex) => hex,
        None => crate::manifest::sha256_hex(bytes),
    }
}

/// Checks size and sha256 against the manifest entry; the hash is computed natively by the
/// browser when it can (the 90 MB weights: about 0.15 s instead of 1 s for sha2 in wasm),
/// else in wasm.
async fn verify(entry: &ManifestFile, bytes: &[u8]) -> Result<()> {
    entry.verify_size(bytes.len() as u64)?;
    match subtle_sha256(bytes).await {
        Some(hex) => entry.verify_sha256(&hex),
        None => entry.verify(bytes),
    }
}

/// Overall progress across the files of one load.
struct Overall {
    loaded: u64,
    total: u64,
}

async fn load_file(
    base: &str,
    entry: &ManifestFile,
    cache: &mut ModelCache,
    overall: &mut Overall,
    progress: &mut Progress<'_>,
) -> Result<(Vec<u8>, FileProfile)> {
    let url = format!("{base}{}", entry.name);
    let key = cache_key(&url, &entry.sha256);
    let mut profile = FileProfile {
        name: entry.name.clone(),
        source: "cache",
        bytes: entry.bytes,
        ms: 0.0,
        verify_ms: 0.0,
        store_ms: 0.0,
        evicted: false,
        cached: false,
    };
    let t0 = now_ms();
    if let Some(bytes) = cache.get(&key).await {
        let t1 = now_ms();
        let verified = verify(entry, &bytes).await;
        profile.ms = t1 - t0;
        profile.verify_ms = now_ms() - t1;
        if verified.is_ok() {
            profile.cached = true;
            overall.loaded += entry.bytes;
            progress(Some(&entry.name), entry.bytes, entry.bytes);
            progress(None, overall.loaded, overall.total);
            return Ok((bytes, profile));
        }
        cache.delete(&key).await;
        profile.evicted = true;
    }
    profile.source = "network";
    let t0 = now_ms();
    let response = fetch::get(&url, false).await?;
    let before = overall.loaded;
    let step = (entry.bytes / 100).max(64 * 1024);
    let mut last_posted = 0u64;
    let bytes = fetch::read_body(
        &url,
        &entry.name,
        &response,
        entry.bytes,
        Some(entry.bytes),
        |loaded| {
            if loaded - last_posted >= step || loaded == entry.bytes {
                last_posted = loaded;
                progress(Some(&entry.name), loaded, entry.bytes);
                progress(None, before + loaded, overall.total);
            }
        },
    )
    .await?;
    let t1 = now_ms();
    profile.ms = t1 - t0;
    verify(entry, &bytes).await?;
    let t2 = now_ms();
    profile.verify_ms = t2 - t1;
    if cache.is_open() {
        profile.cached = cache
            .put(&key, &bytes, content_type(&entry.name))
            .await
            .is_ok();
        profile.store_ms = now_ms() - t2;
    }
    overall.loaded = before + entry.bytes;
    Ok((bytes, profile))
}

/// Reads the manifest (checked against `trust`) and every file of the model for `weights`
/// under `base` (a URL ending in `/`), verifying each, reporting progress as bytes arrive.
pub async fn load_model(
    base: &str,
    weights: &str,
    trust: &Trust,
    cache: &mut ModelCache,
    progress: &mut Progress<'_>,
) -> Result<LoadedFiles> {
    let (manifest, manifest_profile) = load_manifest(base, trust, cache).await?;
    if trust.source == "pinned" {
        trust
            .pins
            .check_weights(weights, manifest.weights_file(weights)?)?;
    }
    let entries: Vec<ManifestFile> = files_to_load(&manifest, weights)?
        .into_iter()
        .cloned()
        .collect();
    let mut overall = Overall {
        loaded: 0,
        total: entries.iter().map(|f| f.bytes).sum(),
    };
    let mut files = Vec::with_capacity(entries.len());
    let mut file_profiles = Vec::with_capacity(entries.len());
    for entry in &entries {
        let (bytes, profile) = load_file(base, entry, cache, &mut overall, progress).await?;
        files.push((entry.name.clone(), bytes));
        file_profiles.push(profile);
    }
    let weights_name = manifest.weights_file(weights)?.name.clone();
    Ok(LoadedFiles {
        manifest,
        files,
        weights_name,
        manifest_profile,
        file_profiles,
    })
}
