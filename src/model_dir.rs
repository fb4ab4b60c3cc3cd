//! Loading a model from a directory on disk (native builds only).

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};
use crate::manifest::Manifest;
use crate::model::{Encoder, ModelFiles};

/// A model directory's files, read and verified against its `manifest.json`.
#[derive(Debug)]
pub struct ModelDir {
    /// The directory.
    pub path: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// `config.json`.
    pub config: Vec<u8>,
    /// `tokenizer.json`.
    pub tokenizer: Vec<u8>,
    /// The chosen weights file's bytes.
    pub weights: Vec<u8>,
    /// The chosen weights file's name.
    pub weights_name: String,
    /// `1_Pooling/config.json`, if present.
    pub pooling_config: Option<Vec<u8>>,
    /// `sentence_bert_config.json`, if present.
    pub sentence_bert_config: Option<Vec<u8>>,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).reading(path.display())
}

impl ModelDir {
    /// Reads `manifest.json` and the files it lists for the weights format
    /// (`f32`, `f16`, …), verifying each file's size and sha256.
    pub fn read(dir: &Path, weights_format: &str) -> Result<Self> {
        let files = Self::read_unverified(dir, weights_format)?;
        files.verify()?;
        Ok(files)
    }

    /// Checks every file read against the manifest (size, then sha256).
    pub fn verify(&self) -> Result<()> {
        self.manifest.verify("config.json", &self.config)?;
        self.manifest.verify("tokenizer.json", &self.tokenizer)?;
        self.manifest.verify(&self.weights_name, &self.weights)?;
        if let Some(b) = &self.pooling_config {
            self.manifest.verify("1_Pooling/config.json", b)?;
        }
        if let Some(b) = &self.sentence_bert_config {
            self.manifest.verify("sentence_bert_config.json", b)?;
        }
        Ok(())
    }

    /// Reads the files without checking their hashes (see [`ModelDir::verify`]); for
    /// timing the stages separately.
    pub fn read_unverified(dir: &Path, weights_format: &str) -> Result<Self> {
        let manifest_path = dir.join("manifest.json");
        if !manifest_path.exists() {
            return Err(Error::MissingFile {
                name: manifest_path.display().to_string(),
                hint: "; run `make model` to download the model".into(),
            });
        }
        let manifest = Manifest::from_json(&read(&manifest_path)?)?;
        let load = |name: &str| -> Result<Vec<u8>> {
            let path = dir.join(name);
            if !path.exists() {
                return Err(Error::MissingFile {
                    name: path.display().to_string(),
                    hint: "; run `make model` to download the model".into(),
                });
            }
            read(&path)
        };
        let optional = |name: &str| -> Result<Option<Vec<u8>>> {
            match manifest.file(name) {
                Some(_) => load(name).map(Some),
                None => Ok(None),
            }
        };
        let weights_name = manifest.weights_file(weights_format)?.name.clone();
        Ok(Self {
            path: dir.to_path_buf(),
            config: load("config.json")?,
            tokenizer: load("tokenizer.json")?,
            weights: load(&weights_name)?,
            pooling_config: optional("1_Pooling/config.json")?,
            sentence_bert_config: optional("sentence_bert_config.json")?,
            weights_name,
            manifest,
        })
    }

    /// The files as the core takes them.
    pub fn files(&self) -> ModelFiles<'_> {
        ModelFiles {
            config: &self.config,
            tokenizer: &self.tokenizer,
            weights: &self.weights,
            weights_name: &self.weights_name,
            pooling_config: self.pooling_config.as_deref(),
            sentence_bert_config: self.sentence_bert_config.as_deref(),
        }
    }

    /// Builds the encoder.
    pub fn encoder(&self) -> Result<Encoder> {
        Encoder::from_bytes(self.files())
    }
}

/// Reads, verifies and builds the encoder of a model directory in one step.
pub fn load_encoder(dir: &Path, weights_format: &str) -> Result<Encoder> {
    ModelDir::read(dir, weights_format)?.encoder()
}
