//! `manifest.json`: the list of a model's files with their sizes and sha256, and the
//! checks every loader (native or browser) runs on the bytes it gets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

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
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| Error::config("manifest.json", e.to_string()))?;
        if m.manifest_version != 1 {
            return Err(Error::config(
                "manifest.json",
                format!(
                    "manifest_version {} is not supported (expected 1)",
                    m.manifest_version
                ),
            ));
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
