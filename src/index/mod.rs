//! A precomputed job index: job vectors built once (natively, `cvmatch index build`), then
//! searched in milliseconds, natively or in the browser.
//!
//! * [`format`](mod@format): the versioned binary file (`.cvx`, see `docs/index-format.md`): header with
//!   the model's identity, int8 vectors with a per-vector scale, optional requirement-line
//!   vectors, metadata, sha256 trailer. Reading takes `&[u8]` and rejects wrong magic, newer
//!   versions, other models or weights, truncated or corrupted bytes with [`Error::Index`].
//! * [`quant`]: symmetric int8 quantization with one f32 scale per vector.
//! * [`build`]: embedding jobs into an index ([`IndexBuilder`]).
//! * [`search`]: brute-force int8 dot product, top-k with a filter hook.
//! * [`report`]: ranking a resume against the index with full match reports.
//! * [`synth`]: seeded synthetic job corpora for benchmarks and tests.
//!
//! ```no_run
//! # fn main() -> cvmatch::Result<()> {
//! # let bytes: Vec<u8> = Vec::new();
//! # let query = vec![0f32; 384];
//! use cvmatch::index::{IndexIdentity, JobIndex};
//! let expected = IndexIdentity::new("sentence-transformers/all-MiniLM-L6-v2", "53aa…", "f32");
//! let index = JobIndex::from_bytes(&bytes, &expected)?;
//! for hit in index.search(&query, 10)? {
//!     println!("{} {:.3}", index.jobs()[hit.index].title, hit.score);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`Error::Index`]: crate::Error::Index

pub mod build;
pub mod format;
pub mod merge;
pub mod quant;
pub mod report;
pub mod search;
pub mod synth;

pub use build::{build_index, build_job_index, BuildOptions, BuildProgress, IndexBuilder};
pub use merge::merge;
pub use report::{
    line_score_margin, rank_index, rank_prepared, rank_prepared_margin, IndexRanked, RankOptions,
};
pub use search::Hit;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::quant::QuantizedRows;

/// Which model (and which exact weights) made an index's vectors. Vectors of another model,
/// or of the same model with other weights, are not comparable with the query's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexIdentity {
    /// The model's identity (`model_id` of its `manifest.json`).
    pub model_id: String,
    /// Lower-case hex sha256 of the weights file the vectors were computed with.
    pub weights_sha256: String,
    /// The weights format name (`f32`, `f16`, `q8`): informational, the hash decides.
    pub weights_format: String,
}

impl IndexIdentity {
    /// An identity from its parts.
    pub fn new(model_id: &str, weights_sha256: &str, weights_format: &str) -> Self {
        Self {
            model_id: model_id.to_string(),
            weights_sha256: weights_sha256.to_ascii_lowercase(),
            weights_format: weights_format.to_string(),
        }
    }

    /// The identity of a model's weights as its manifest lists them.
    pub fn from_manifest(
        manifest: &crate::manifest::Manifest,
        weights_format: &str,
    ) -> Result<Self> {
        let file = manifest.weights_file(weights_format)?;
        Ok(Self::new(&manifest.model_id, &file.sha256, weights_format))
    }

    /// Fails with [`Error::Index`] unless `self` (the index's) matches `expected` (the
    /// encoder's): same model id and same weights hash.
    pub fn check(&self, expected: &IndexIdentity) -> Result<()> {
        if self.model_id != expected.model_id {
            return Err(Error::Index(format!(
                "the index was built with model {} but the encoder is {}; rebuild the index \
                 with this model",
                self.model_id, expected.model_id
            )));
        }
        if !self
            .weights_sha256
            .eq_ignore_ascii_case(&expected.weights_sha256)
        {
            return Err(Error::Index(format!(
                "the index was built with other weights of {} ({} weights, sha256 {}) than the \
                 encoder's ({} weights, sha256 {}); rebuild the index with these weights",
                self.model_id,
                self.weights_format,
                short(&self.weights_sha256),
                expected.weights_format,
                short(&expected.weights_sha256)
            )));
        }
        Ok(())
    }
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// What the index keeps of a job besides its vector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobMeta {
    /// The job's id (as a string; a numeric id of the JSON Lines input is written out).
    pub id: String,
    /// Job title.
    #[serde(default)]
    pub title: String,
    /// Employer.
    #[serde(default)]
    pub company: String,
    /// Where the job is.
    #[serde(default)]
    pub location: String,
    /// Link to the ad.
    #[serde(default)]
    pub url: String,
    /// The ad's full text (needed for explanations: requirement lines and terms).
    #[serde(default)]
    pub text: String,
    /// Any other fields of the input line, kept as they were.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl JobMeta {
    /// Reads one JSON object (a line of `jobs.jsonl`): `id` and `text` required, `title`
    /// expected, `company`, `location`, `url` known, other fields kept in `extra`.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self> {
        let serde_json::Value::Object(mut map) = value else {
            return Err(Error::bad_input("a job must be a JSON object"));
        };
        let id = match map.remove("id") {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            Some(_) => return Err(Error::bad_input("a job's `id` must be a string or number")),
            None => return Err(Error::bad_input("a job needs an `id`")),
        };
        let mut take = |key: &str| -> Result<Option<String>> {
            match map.remove(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(Error::bad_input(format!(
                    "job {id}: `{key}` must be a string"
                ))),
            }
        };
        let text =
            take("text")?.ok_or_else(|| Error::bad_input(format!("job {id} has no `text`")))?;
        Ok(Self {
            title: take("title")?.unwrap_or_default(),
            company: take("company")?.unwrap_or_default(),
            location: take("location")?.unwrap_or_default(),
            url: take("url")?.unwrap_or_default(),
            text,
            extra: map,
            id,
        })
    }
}

/// Per-job requirement-line vectors, so that explanations need no job embedding at run time.
/// The same line in many ads is stored once: job `j`'s lines are
/// `rows[refs[offsets[j]..offsets[j + 1]]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineVectors {
    /// Job `j`'s line references are `refs[offsets[j]..offsets[j + 1]]` (`count + 1` entries).
    pub offsets: Vec<u32>,
    /// Row numbers in `rows`, job after job.
    pub refs: Vec<u32>,
    /// The distinct line vectors.
    pub rows: QuantizedRows,
    /// Bits per stored value (8, 4, 2, 1, or [`quant::TERNARY`] for the levels `-1, 0, 1`);
    /// the rows hold the levels as `i8`.
    pub bits: u8,
    /// Whether the rows were rotated ([`quant::Rotation`] with [`quant::ROTATION_SEED`])
    /// before quantizing: dequantized rows are rotated back (format version 3).
    pub rotated: bool,
}

/// Which slice of a job board an index holds (`cvmatch index build --shard K/N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This slice (`0..n`).
    pub k: u32,
    /// Number of slices (1: the whole board).
    pub n: u32,
    /// Jobs in the whole board (the input file), across all slices.
    pub board_jobs: u32,
}

impl Shard {
    /// The whole board of `jobs` jobs.
    pub fn whole(jobs: usize) -> Self {
        Self {
            k: 0,
            n: 1,
            board_jobs: jobs.min(u32::MAX as usize) as u32,
        }
    }

    /// Which of `n` slices the job with this id belongs to: the first 8 bytes of the
    /// sha256 of its UTF-8 id, read as a little-endian u64, modulo `n` (stable across
    /// machines, versions and input orders).
    pub fn of_id(id: &str, n: u32) -> u32 {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(id.as_bytes());
        let h = u64::from_le_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
        (h % u64::from(n.max(1))) as u32
    }
}

/// A loaded (or freshly built) job index.
#[derive(Debug, Clone, PartialEq)]
pub struct JobIndex {
    pub(crate) identity: IndexIdentity,
    pub(crate) vectors: QuantizedRows,
    pub(crate) lines: Option<LineVectors>,
    pub(crate) chunks: Vec<u32>,
    pub(crate) jobs: Vec<JobMeta>,
    /// Each job's position in the whole board's input (`0..shard.board_jobs`).
    pub(crate) positions: Vec<u32>,
    pub(crate) shard: Shard,
    /// The format version the bytes were read from (the current one for a built index).
    pub(crate) version: u32,
}

impl JobIndex {
    /// Reads an index from its bytes, checking it was built with the `expected` model and
    /// weights. See [`format`](mod@format) for everything that is checked.
    pub fn from_bytes(bytes: &[u8], expected: &IndexIdentity) -> Result<Self> {
        let index = format::read(bytes)?;
        index.identity.check(expected)?;
        Ok(index)
    }

    /// Reads an index without comparing its model with anyone's (for `index info`).
    pub fn from_bytes_any_model(bytes: &[u8]) -> Result<Self> {
        format::read(bytes)
    }

    /// The index file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        format::write(self)
    }

    /// The model and weights the vectors were made with.
    pub fn identity(&self) -> &IndexIdentity {
        &self.identity
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.vectors.dim
    }

    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether the index holds no job.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// The jobs' metadata, in index order.
    pub fn jobs(&self) -> &[JobMeta] {
        &self.jobs
    }

    /// Whether requirement-line vectors are stored (explanations without embedding jobs).
    pub fn has_line_vectors(&self) -> bool {
        self.lines.is_some()
    }

    /// Requirement lines of all jobs together (`None` when the index stores none).
    pub fn line_count(&self) -> Option<usize> {
        self.lines.as_ref().map(|l| l.refs.len())
    }

    /// Job `i`'s vector, dequantized.
    pub fn vector(&self, i: usize) -> Option<Vec<f32>> {
        self.vectors.dequantize(i)
    }

    /// Distinct requirement-line vectors stored (`None` when the index stores none): the
    /// same line in many ads is stored once.
    pub fn distinct_line_count(&self) -> Option<usize> {
        self.lines.as_ref().map(|l| l.rows.len())
    }

    /// Bits per stored requirement-line value (8, 4, 2, 1 or [`quant::TERNARY`]; `None` when
    /// none are stored).
    pub fn line_bits(&self) -> Option<u8> {
        self.lines.as_ref().map(|l| l.bits)
    }

    /// Whether the stored requirement-line rows are rotated (`None` when none are stored).
    pub fn line_rotated(&self) -> Option<bool> {
        self.lines.as_ref().map(|l| l.rotated)
    }

    /// Job `i`'s requirement-line vectors, dequantized (`None` when not stored).
    pub fn line_vectors(&self, i: usize) -> Option<Vec<Vec<f32>>> {
        let lines = self.lines.as_ref()?;
        let (a, b) = (
            *lines.offsets.get(i)? as usize,
            *lines.offsets.get(i + 1)? as usize,
        );
        let rotation = lines
            .rotated
            .then(|| quant::Rotation::new(lines.rows.dim, quant::ROTATION_SEED));
        lines
            .refs
            .get(a..b)?
            .iter()
            .map(|&r| {
                let mut v = lines.rows.dequantize(r as usize)?;
                if let Some(rot) = &rotation {
                    rot.unrotate(&mut v);
                }
                Some(v)
            })
            .collect()
    }

    /// Which slice of the board this index holds.
    pub fn shard(&self) -> Shard {
        self.shard
    }

    /// Job `i`'s position in the whole board's input.
    pub fn position(&self, i: usize) -> Option<usize> {
        self.positions.get(i).map(|&p| p as usize)
    }

    /// The format version the index was read from (the current one when built here).
    pub fn format_version(&self) -> u32 {
        self.version
    }

    /// How many chunks job `i`'s text was embedded in.
    pub fn chunks(&self, i: usize) -> usize {
        self.chunks.get(i).copied().unwrap_or(0) as usize
    }
}
