//! The `.cvx` file: bytes in, [`JobIndex`] out, and back. Layout (little-endian; full
//! description in `docs/index-format.md`):
//!
//! ```text
//! magic "CVXINDEX" · u32 version · u32 flags · u32 dim · u32 count · u8 quantization ·
//! 3 reserved · 32-byte weights sha256 · u16+bytes model id · u16+bytes weights format
//! vectors  count×dim i8 · count f32 scales
//! lines    (flag bit 0) (count+1) u32 offsets · total×dim i8 · total f32 scales
//! jobs     per job: u32 chunks · 6 × (u32 length + UTF-8): id, title, company, location,
//!          url, text · u32 length + JSON object of the other fields (empty: none)
//! trailer  sha256 of every byte before it
//! ```
//!
//! The reader checks, in order: magic, version (a newer one is refused with a message that
//! says so), the checksum (a truncated or corrupted file), then every length against the bytes
//! left. Nothing in a file can make it panic or allocate more than the file's size.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::index::quant::QuantizedRows;
use crate::index::{IndexIdentity, JobIndex, JobMeta, LineVectors};

/// The first 8 bytes of every index file.
pub const MAGIC: &[u8; 8] = b"CVXINDEX";
/// The format version this code writes and the newest it reads.
pub const VERSION: u32 = 1;
/// Header flag: requirement-line vectors are stored.
pub const FLAG_LINE_VECTORS: u32 = 1;
/// Quantization code: int8, symmetric, one f32 scale per vector.
pub const QUANT_INT8: u8 = 1;
/// Bytes of the checksum trailer.
pub const CHECKSUM_LEN: usize = 32;

/// Writes the index file's bytes.
pub fn write(index: &JobIndex) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        64 + index.vectors.values.len()
            + index.jobs.iter().map(|j| j.text.len() + 64).sum::<usize>(),
    );
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, VERSION);
    put_u32(
        &mut out,
        if index.lines.is_some() {
            FLAG_LINE_VECTORS
        } else {
            0
        },
    );
    put_u32(&mut out, index.vectors.dim as u32);
    put_u32(&mut out, index.jobs.len() as u32);
    out.extend_from_slice(&[QUANT_INT8, 0, 0, 0]);
    out.extend_from_slice(&hash_bytes(&index.identity.weights_sha256));
    put_short_str(&mut out, &index.identity.model_id);
    put_short_str(&mut out, &index.identity.weights_format);
    put_rows(&mut out, &index.vectors);
    if let Some(lines) = &index.lines {
        for &o in &lines.offsets {
            put_u32(&mut out, o);
        }
        put_rows(&mut out, &lines.rows);
    }
    for (i, job) in index.jobs.iter().enumerate() {
        put_u32(&mut out, index.chunks.get(i).copied().unwrap_or(0));
        for s in [
            &job.id,
            &job.title,
            &job.company,
            &job.location,
            &job.url,
            &job.text,
        ] {
            put_str(&mut out, s);
        }
        let extra = if job.extra.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(job.extra.clone()).to_string()
        };
        put_str(&mut out, &extra);
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Reads an index file's bytes (any model; compare identities with [`IndexIdentity::check`]).
pub fn read(bytes: &[u8]) -> Result<JobIndex> {
    if bytes.len() < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) {
            corrupt("the file is truncated (shorter than its magic number)")
        } else {
            wrong_magic()
        });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(wrong_magic());
    }
    if bytes.len() < MAGIC.len() + 4 {
        return Err(corrupt("the file is truncated (no version)"));
    }
    let mut cur = Cursor {
        bytes,
        pos: MAGIC.len(),
    };
    let version = cur.u32()?;
    if version > VERSION {
        return Err(Error::Index(format!(
            "format version {version} is newer than this cvmatch reads (up to {VERSION}); \
             upgrade cvmatch or rebuild the index with this version"
        )));
    }
    if version == 0 {
        return Err(Error::Index("format version 0 is not a valid index".into()));
    }
    if bytes.len() < cur.pos + CHECKSUM_LEN {
        return Err(corrupt("the file is truncated"));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if Sha256::digest(body).as_slice() != trailer {
        return Err(corrupt(
            "checksum mismatch: the file is truncated or corrupted (download or build it again)",
        ));
    }
    let mut cur = Cursor {
        bytes: body,
        pos: cur.pos,
    };
    parse_body(&mut cur)
}

fn parse_body(cur: &mut Cursor<'_>) -> Result<JobIndex> {
    let flags = cur.u32()?;
    let dim = cur.u32()? as usize;
    let count = cur.u32()? as usize;
    let quant = cur.take(4)?[0];
    if quant != QUANT_INT8 {
        return Err(Error::Index(format!("unknown quantization code {quant}")));
    }
    if flags & !FLAG_LINE_VECTORS != 0 {
        return Err(Error::Index(format!("unknown header flags {flags:#x}")));
    }
    if dim == 0 {
        return Err(corrupt("dimension 0"));
    }
    let hash = hex(cur.take(32)?);
    let model_id = cur.short_str()?;
    let weights_format = cur.short_str()?;
    let vectors = cur.rows(count, dim)?;
    let lines = if flags & FLAG_LINE_VECTORS != 0 {
        let n = count
            .checked_add(1)
            .ok_or_else(|| corrupt("count overflows"))?;
        cur.need(n.saturating_mul(4))?;
        let offsets: Vec<u32> = (0..n).map(|_| cur.u32()).collect::<Result<_>>()?;
        if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(corrupt("line offsets are not increasing from 0"));
        }
        let total = offsets.last().copied().unwrap_or(0) as usize;
        Some(LineVectors {
            offsets,
            rows: cur.rows(total, dim)?,
        })
    } else {
        None
    };
    // Each job takes at least 32 bytes: a bound before allocating.
    cur.need(count.saturating_mul(32))?;
    let mut chunks = Vec::with_capacity(count);
    let mut jobs = Vec::with_capacity(count);
    for _ in 0..count {
        chunks.push(cur.u32()?);
        let mut f = || cur.str();
        let (id, title, company, location, url, text) = (f()?, f()?, f()?, f()?, f()?, f()?);
        let extra_text = cur.str()?;
        let extra = if extra_text.is_empty() {
            serde_json::Map::new()
        } else {
            match serde_json::from_str(&extra_text) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => return Err(corrupt("a job's extra fields are not a JSON object")),
            }
        };
        jobs.push(JobMeta {
            id,
            title,
            company,
            location,
            url,
            text,
            extra,
        });
    }
    if cur.pos != cur.bytes.len() {
        return Err(corrupt("bytes left over after the last job"));
    }
    Ok(JobIndex {
        identity: IndexIdentity {
            model_id,
            weights_sha256: hash,
            weights_format,
        },
        vectors,
        lines,
        chunks,
        jobs,
    })
}

fn wrong_magic() -> Error {
    Error::Index("not a cvmatch job index (wrong magic number; expected a .cvx file)".into())
}

fn corrupt(what: &str) -> Error {
    Error::Index(format!("corrupted index: {what}"))
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_short_str(out: &mut Vec<u8>, s: &str) {
    let b = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
    out.extend_from_slice(&(b.len() as u16).to_le_bytes());
    out.extend_from_slice(b);
}

fn put_rows(out: &mut Vec<u8>, rows: &QuantizedRows) {
    out.extend(rows.values.iter().map(|&v| v as u8));
    for s in &rows.scales {
        out.extend_from_slice(&s.to_le_bytes());
    }
}

/// The 32 raw bytes of a hex sha256 (zeros where the text is not hex).
fn hash_bytes(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = hex
            .get(2 * i..2 * i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the body front to back; every read is bounds-checked.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn need(&self, n: usize) -> Result<()> {
        if self.bytes.len() - self.pos < n {
            Err(corrupt("a section is longer than the file"))
        } else {
            Ok(())
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        self.need(n)?;
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn utf8(b: &[u8]) -> Result<String> {
        String::from_utf8(b.to_vec()).map_err(|_| corrupt("a string is not UTF-8"))
    }

    fn str(&mut self) -> Result<String> {
        let n = self.u32()? as usize;
        Self::utf8(self.take(n)?)
    }

    fn short_str(&mut self) -> Result<String> {
        let b = self.take(2)?;
        let n = u16::from_le_bytes([b[0], b[1]]) as usize;
        Self::utf8(self.take(n)?)
    }

    fn rows(&mut self, count: usize, dim: usize) -> Result<QuantizedRows> {
        let n = count
            .checked_mul(dim)
            .ok_or_else(|| corrupt("sizes overflow"))?;
        let values = self.take(n)?.iter().map(|&b| b as i8).collect();
        self.need(count.saturating_mul(4))?;
        let scales = (0..count)
            .map(|_| self.u32().map(f32::from_bits))
            .collect::<Result<Vec<_>>>()?;
        if scales.iter().any(|s| !s.is_finite() || *s < 0.0) {
            return Err(corrupt("a vector scale is negative or not finite"));
        }
        Ok(QuantizedRows {
            dim,
            values,
            scales,
        })
    }
}
