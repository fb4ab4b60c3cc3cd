//! `manifest.json`: the list of a model's files with their sizes and sha256, and the
//! checks every loader (native or browser) runs on the bytes it gets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Context, Error, Result};

/// One file of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path relative to the model directory, `/`-separated.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lower-case hex sha256.
    pub sha256: String,
}

/// The model's manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of this file (1).
    pub manifest_version: u32,
    /// The model's identity, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    pub model_id: String,
    /// Embedding dimension.
    pub dimension: usize,
    /// Tokens per text, special tokens included.
    pub max_seq_length: usize,
    /// Pooling mode name.
    pub pooling: String,
    /// Every file with size and hash.
    pub files: Vec<ManifestFile>,
    /// Weights format name (`f32`, `f16`, …) → file name.
    pub weights: BTreeMap<String, String>,
}

/// Lower-case hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

impl Manifest {
    /// Parses `manifest.json`.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        if bytes.len() as u64 > crate::limits::MAX_MANIFEST_BYTES {
            return Err(Error::too_large(
                "manifest.json bytes",
                crate::limits::MAX_MANIFEST_BYTES,
                bytes.len() as u64,
            ));
        }
        let m: Manifest =
            serde_json::from_slice(bytes).context(|e| Error::config("manifest.json", e))?;
        if m.manifest_version != 1 {
            return Err(Error::config(
                "manifest.json",
                format!(
                    "manifest_version {} is not supported (expected 1)",
                    m.manifest_version
                ),
            ));
        }
        for f in &m.files {
            if !is_relative_name(&f.name) {
                return Err(Error::config(
                    "manifest.json",
                    format!(
                        "file name {:?} must be a relative path inside the model",
                        f.name
                    ),
                ));
            }
            if !is_sha256_hex(&f.sha256) {
                return Err(Error::config(
                    "manifest.json",
                    format!("{}: sha256 {:?} is not 64 hex digits", f.name, f.sha256),
                ));
            }
        }
        Ok(m)
    }

    /// The entry for a file name.
    pub fn file(&self, name: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The weights file for a format name, with its entry.
    pub fn weights_file(&self, format: &str) -> Result<&ManifestFile> {
        let name = self.weights.get(format).ok_or_else(|| {
            Error::bad_input(format!(
                "the model has no {format} weights (available: {})",
                self.weights.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        self.file(name).ok_or_else(|| {
            Error::config(
                "manifest.json",
                format!("weights file {name} is not listed"),
            )
        })
    }

    /// Checks that `bytes` are the file `name` as listed: size first, then sha256.
    pub fn verify(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let entry = self
            .file(name)
            .ok_or_else(|| Error::config("manifest.json", format!("{name} is not listed")))?;
        entry.verify(bytes)
    }
}

impl ManifestFile {
    /// Checks size, then sha256, of `bytes` against this entry.
    pub fn verify(&self, bytes: &[u8]) -> Result<()> {
        self.verify_size(bytes.len() as u64)?;
        self.verify_sha256(&sha256_hex(bytes))
    }

    /// Checks a size against this entry.
    pub fn verify_size(&self, len: u64) -> Result<()> {
        if len != self.bytes {
            return Err(Error::Integrity {
                name: self.name.clone(),
                expected: format!("{} bytes", self.bytes),
                actual: format!("{len} bytes"),
            });
        }
        Ok(())
    }

    /// Checks a hex sha256 computed elsewhere (the browser hashes natively with
    /// `crypto.subtle`, several times faster than wasm) against this entry.
    pub fn verify_sha256(&self, actual: &str) -> Result<()> {
        if !actual.eq_ignore_ascii_case(&self.sha256) {
            return Err(Error::Integrity {
                name: self.name.clone(),
                expected: format!("sha256 {}", self.sha256),
                actual: format!("sha256 {actual}"),
            });
        }
        Ok(())
    }
}

/// Whether a manifest file name stays inside the model directory: relative, `/`-separated,
/// no `..`, `.`, empty or drive-like (`:`) part, no backslash.
pub fn is_relative_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Whether a string is a lower- or upper-case hex sha256 (64 hex digits).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The hashes a build pins for the model it ships with: `manifest.json`'s sha256 and each
/// weights file's, by format name. Written by `scripts/pin_model.sh` as
/// `manifest=<hex>;f32=<hex>;q8=<hex>` and compiled into the wasm module (whose own hash
/// the package pins), so a host that swaps the manifest and the weights together is
/// refused with `integrity`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelPins {
    /// sha256 of `manifest.json`'s bytes.
    pub manifest: Option<String>,
    /// Weights format name → sha256 of that weights file.
    pub weights: BTreeMap<String, String>,
}

impl ModelPins {
    /// Parses `name=<hex>` pairs separated by `;` (blanks around them ignored); `manifest`
    /// is the manifest's hash, every other name a weights format.
    pub fn parse(text: &str) -> Result<Self> {
        let mut pins = ModelPins::default();
        for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, hex) = pair
                .split_once('=')
                .context(|_| Error::config("model pins", format!("{pair:?} is not name=sha256")))?;
            let (name, hex) = (name.trim(), hex.trim().to_ascii_lowercase());
            if !is_sha256_hex(&hex) {
                return Err(Error::config(
                    "model pins",
                    format!("{name}: {hex:?} is not a sha256"),
                ));
            }
            if name == "manifest" {
                pins.manifest = Some(hex);
            } else {
                pins.weights.insert(name.to_string(), hex);
            }
        }
        Ok(pins)
    }

    /// Checks `manifest.json`'s bytes against `expected` (a hex sha256); `source` says where
    /// the expectation comes from, for the message.
    pub fn check_manifest(bytes: &[u8], expected: &str, source: &str) -> Result<()> {
        let actual = sha256_hex(bytes);
        if !actual.eq_ignore_ascii_case(expected.trim()) {
            return Err(Error::Integrity {
                name: "manifest.json".into(),
                expected: format!("sha256 {} ({source})", expected.trim()),
                actual: format!("sha256 {actual}"),
            });
        }
        Ok(())
    }

    /// Checks the manifest's entry for the `format` weights against the pinned hash, when
    /// one is pinned for that format.
    pub fn check_weights(&self, format: &str, entry: &ManifestFile) -> Result<()> {
        match self.weights.get(format) {
            Some(pinned) if !pinned.eq_ignore_ascii_case(&entry.sha256) => Err(Error::Integrity {
                name: entry.name.clone(),
                expected: format!("sha256 {pinned} (pinned in the package)"),
                actual: format!("sha256 {} (listed in manifest.json)", entry.sha256),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_and_check() {
        let a = "a".repeat(64);
        let b = sha256_hex(b"{}");
        let pins = ModelPins::parse(&format!(" manifest={b} ; q8={a};")).unwrap();
        assert_eq!(pins.manifest.as_deref(), Some(b.as_str()));
        assert!(ModelPins::check_manifest(b"{}", &b, "pinned").is_ok());
        let e = ModelPins::check_manifest(b"{ }", &b, "pinned").unwrap_err();
        assert_eq!(e.code(), "integrity");
        let entry = |sha: &str| ManifestFile {
            name: "model.q8_0.gguf".into(),
            bytes: 1,
            sha256: sha.into(),
        };
        assert!(pins.check_weights("q8", &entry(&a)).is_ok());
        assert_eq!(
            pins.check_weights("q8", &entry(&b)).unwrap_err().code(),
            "integrity"
        );
        assert!(
            pins.check_weights("f32", &entry(&b)).is_ok(),
            "f32 is not pinned"
        );
        for bad in ["manifest", "q8=abc", "q8=zz", &format!("x={a}z")] {
            assert_eq!(ModelPins::parse(bad).unwrap_err().code(), "model", "{bad}");
        }
    }

    #[test]
    fn file_names_stay_inside_the_model() {
        for good in ["config.json", "1_Pooling/config.json", "a..b"] {
            assert!(is_relative_name(good), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "C:x",
            "a\\b",
            "./a",
        ] {
            assert!(!is_relative_name(bad), "{bad}");
        }
    }

    #[test]
    fn oversized_manifest_is_too_large() {
        let big = vec![b' '; crate::limits::MAX_MANIFEST_BYTES as usize + 1];
        assert_eq!(Manifest::from_json(&big).unwrap_err().code(), "too_large");
    }
}
