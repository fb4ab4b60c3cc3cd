//! The `.cvx` file: bytes in, [`JobIndex`] out, and back. Layout of version 3 (little-endian;
//! full description in `docs/index-format.md`):
//!
//! ```text
//! magic "CVXINDEX" · u32 version · u32 flags · u32 dim · u32 count · u8 quantization ·
//! u8 line bits (0, or 8/4/3/2/1 with line vectors; 3 = ternary) · 2 reserved · 32-byte weights sha256 · u16+bytes model id ·
//! u16+bytes weights format · u32 shard k · u32 shard n · u32 board jobs
//! vectors  count×dim i8 · count f32 scales
//! lines    (flag bit 0) u32 distinct lines U · U packed rows (⌈dim × bits / 8⌉ bytes, ternary
//!          ⌈dim / 5⌉) · U f32; flag bit 2: the rows are rotated (`quant::Rotation`)
//! jobs     u32 raw length · u32 stored length · stored bytes (raw DEFLATE with flag bit 1)
//!          raw, per job: u32 position · u32 chunks · u32 lines L · L × u32 row ·
//!          7 × (u32 length + UTF-8): id, title, company, location, url, text, extra JSON
//! trailer  sha256 of every byte before it
//! ```
//!
//! Version 2 files (the same without ternary rows and rotation) and version 1 files (no shard
//! fields, every line row stored per job in int8, plain job records) are still read.
//!
//! The reader checks, in order: magic, version (a newer one is refused with a message that
//! says so), the checksum (a truncated or corrupted file), then every count and length
//! against the bytes left before it allocates. Nothing in a file can make it panic; it
//! allocates at most the file's size, plus the job records' declared inflated size, which may
//! not exceed 1,032 × their compressed size (DEFLATE's largest ratio) nor
//! [`MAX_RECORDS_BYTES`].

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::index::quant::{QuantizedRows, TERNARY};
use crate::index::{IndexIdentity, JobIndex, JobMeta, LineVectors, Shard};

/// The first 8 bytes of every index file.
pub const MAGIC: &[u8; 8] = b"CVXINDEX";
/// The format version this code writes and the newest it reads.
pub const VERSION: u32 = 3;
/// Header flag: requirement-line vectors are stored.
pub const FLAG_LINE_VECTORS: u32 = 1;
/// Header flag (version 2): the job records are DEFLATE-compressed.
pub const FLAG_DEFLATE: u32 = 2;
/// Header flag (version 3): the line rows are rotated ([`crate::index::quant::Rotation`] with
/// [`crate::index::quant::ROTATION_SEED`]) before quantizing.
pub const FLAG_ROTATED: u32 = 4;
/// Quantization code: int8, symmetric, one f32 scale per vector.
pub const QUANT_INT8: u8 = 1;
/// Bytes of the checksum trailer.
pub const CHECKSUM_LEN: usize = 32;
/// Largest inflated job-record section a reader accepts (1 GiB; wasm32 memory is 4 GiB).
pub const MAX_RECORDS_BYTES: usize = 1 << 30;
/// Largest vector dimension a reader accepts (sentence encoders use 384 to 4,096).
pub const MAX_DIM: usize = 65_536;
/// DEFLATE level the writer uses (miniz's 0–10 scale).
const DEFLATE_LEVEL: u8 = 9;

/// Writes the index file's bytes (the current version).
pub fn write(index: &JobIndex) -> Vec<u8> {
    let dim = index.vectors.dim;
    let mut out = Vec::with_capacity(
        128 + index.vectors.values.len()
            + index
                .lines
                .as_ref()
                .map_or(0, |l| l.rows.values.len() + 4 * l.rows.len())
            + index
                .jobs
                .iter()
                .map(|j| j.text.len() / 3 + 32)
                .sum::<usize>(),
    );
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, VERSION);
    let flags = FLAG_DEFLATE
        | match &index.lines {
            Some(l) if l.rotated => FLAG_LINE_VECTORS | FLAG_ROTATED,
            Some(_) => FLAG_LINE_VECTORS,
            None => 0,
        };
    put_u32(&mut out, flags);
    put_u32(&mut out, dim as u32);
    put_u32(&mut out, index.jobs.len() as u32);
    let bits = index.lines.as_ref().map_or(0, |l| l.bits);
    out.extend_from_slice(&[QUANT_INT8, bits, 0, 0]);
    out.extend_from_slice(&hash_bytes(&index.identity.weights_sha256));
    put_short_str(&mut out, &index.identity.model_id);
    put_short_str(&mut out, &index.identity.weights_format);
    put_u32(&mut out, index.shard.k);
    put_u32(&mut out, index.shard.n);
    put_u32(&mut out, index.shard.board_jobs);
    put_rows(&mut out, &index.vectors);
    if let Some(lines) = &index.lines {
        put_u32(&mut out, lines.rows.len() as u32);
        if lines.bits == 8 {
            put_rows(&mut out, &lines.rows);
        } else {
            for row in lines.rows.values.chunks(dim.max(1)) {
                if lines.bits == TERNARY {
                    pack_ternary(&mut out, row);
                } else {
                    pack_row(&mut out, row, lines.bits);
                }
            }
            for s in &lines.rows.scales {
                out.extend_from_slice(&s.to_le_bytes());
            }
        }
    }
    let mut records = Vec::new();
    for (i, job) in index.jobs.iter().enumerate() {
        put_u32(&mut records, index.positions.get(i).copied().unwrap_or(0));
        put_u32(&mut records, index.chunks.get(i).copied().unwrap_or(0));
        match &index.lines {
            Some(l) => {
                let a = l.offsets.get(i).copied().unwrap_or(0) as usize;
                let b = l.offsets.get(i + 1).copied().unwrap_or(0) as usize;
                let refs = l.refs.get(a..b).unwrap_or(&[]);
                put_u32(&mut records, refs.len() as u32);
                for &r in refs {
                    put_u32(&mut records, r);
                }
            }
            None => put_u32(&mut records, 0),
        }
        put_job_strings(&mut records, job);
    }
    let packed = miniz_oxide::deflate::compress_to_vec(&records, DEFLATE_LEVEL);
    put_u32(&mut out, records.len() as u32);
    put_u32(&mut out, packed.len() as u32);
    out.extend_from_slice(&packed);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// Bytes of a row of `dim` values at `bits` (1, 2 or 4) per value, or ternary (five a byte).
fn packed_len(dim: usize, bits: u8) -> usize {
    if bits == TERNARY {
        dim.div_ceil(5)
    } else {
        (dim.saturating_mul(bits as usize)).div_ceil(8)
    }
}

/// Packs ternary levels (`-1, 0, 1`) five a byte: `Σ (level + 1) × 3^k`, `k = 0..5`
/// (values 0–242).
fn pack_ternary(out: &mut Vec<u8>, row: &[i8]) {
    for five in row.chunks(5) {
        let mut byte = 0u8;
        for &v in five.iter().rev() {
            byte = byte * 3 + (v.clamp(-1, 1) + 1) as u8;
        }
        out.push(byte);
    }
}

/// The inverse of [`pack_ternary`]; a byte above 242 holds no five levels.
fn unpack_ternary(values: &mut Vec<i8>, row: &[u8], dim: usize) -> Result<()> {
    let start = values.len();
    for &b in row {
        if b > 242 {
            return Err(corrupt("a ternary line byte above 242"));
        }
        let mut b = b;
        for _ in 0..5 {
            if values.len() - start == dim {
                break;
            }
            values.push((b % 3) as i8 - 1);
            b /= 3;
        }
    }
    Ok(())
}

/// Packs a row, low bits first: at 4 bits each value's two's-complement nibble (`-7..=7`);
/// at 2 and 1 bits the code `(level + 2^bits − 1) / 2` of the odd levels `±1, ±3` / `±1`.
fn pack_row(out: &mut Vec<u8>, row: &[i8], bits: u8) {
    let start = out.len();
    out.resize(start + packed_len(row.len(), bits), 0);
    let top = (1i16 << bits) - 1;
    for (i, &v) in row.iter().enumerate() {
        let code = if bits == 4 {
            v as u8 & 0x0f
        } else {
            ((i16::from(v) + top) / 2).clamp(0, top) as u8
        };
        let bit = i * bits as usize;
        out[start + bit / 8] |= code << (bit % 8);
    }
}

/// The inverse of [`pack_row`] (every code is a valid level).
fn unpack_row(values: &mut Vec<i8>, row: &[u8], dim: usize, bits: u8) {
    let mask = (1u8 << bits) - 1;
    let top = (1i8 << bits) - 1;
    for i in 0..dim {
        let bit = i * bits as usize;
        let code = (row.get(bit / 8).copied().unwrap_or(0) >> (bit % 8)) & mask;
        values.push(if bits == 4 {
            ((code << 4) as i8) >> 4
        } else {
            2 * code as i8 - top
        });
    }
}

fn put_job_strings(out: &mut Vec<u8>, job: &JobMeta) {
    for s in [
        &job.id,
        &job.title,
        &job.company,
        &job.location,
        &job.url,
        &job.text,
    ] {
        put_str(out, s);
    }
    let extra = if job.extra.is_empty() {
        String::new()
    } else {
        serde_json::Value::Object(job.extra.clone()).to_string()
    };
    put_str(out, &extra);
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
    let mut index = parse_body(&mut cur, version)?;
    index.version = version;
    Ok(index)
}

/// The header fields every version has.
struct Header {
    flags: u32,
    dim: usize,
    count: usize,
    line_bits: u8,
    identity: IndexIdentity,
}

fn parse_header(cur: &mut Cursor<'_>, version: u32) -> Result<Header> {
    let flags = cur.u32()?;
    let dim = cur.u32()? as usize;
    let count = cur.u32()? as usize;
    let q = cur.take(4)?;
    let (quant, line_bits) = (q[0], q[1]);
    if quant != QUANT_INT8 {
        return Err(Error::Index(format!("unknown quantization code {quant}")));
    }
    let known = match version {
        1 => FLAG_LINE_VECTORS,
        2 => FLAG_LINE_VECTORS | FLAG_DEFLATE,
        _ => FLAG_LINE_VECTORS | FLAG_DEFLATE | FLAG_ROTATED,
    };
    if flags & !known != 0 {
        return Err(Error::Index(format!("unknown header flags {flags:#x}")));
    }
    if flags & FLAG_ROTATED != 0 && flags & FLAG_LINE_VECTORS == 0 {
        return Err(corrupt("rotated line rows without line vectors"));
    }
    let line_bits = match (version, flags & FLAG_LINE_VECTORS != 0, line_bits) {
        (1, true, _) => 8,
        (1, false, _) | (_, false, 0) => 0,
        (_, true, b @ (1 | 2 | 4 | 8)) => b,
        (3.., true, TERNARY) => TERNARY,
        (_, _, b) => {
            return Err(corrupt(&format!(
                "line bits {b} do not fit the flags (1, 2, 4 or 8, or 3 for ternary in \
                 version 3, with line vectors, else 0)"
            )))
        }
    };
    if dim == 0 || dim > MAX_DIM {
        return Err(corrupt(&format!(
            "dimension {dim} (an index holds 1 to {MAX_DIM} values per vector)"
        )));
    }
    let weights_sha256 = hex(cur.take(32)?);
    let model_id = cur.short_str()?;
    let weights_format = cur.short_str()?;
    Ok(Header {
        flags,
        dim,
        count,
        line_bits,
        identity: IndexIdentity {
            model_id,
            weights_sha256,
            weights_format,
        },
    })
}

fn parse_body(cur: &mut Cursor<'_>, version: u32) -> Result<JobIndex> {
    let h = parse_header(cur, version)?;
    if version == 1 {
        return parse_v1(cur, h);
    }
    let shard = Shard {
        k: cur.u32()?,
        n: cur.u32()?,
        board_jobs: cur.u32()?,
    };
    if shard.n == 0 || shard.k >= shard.n || (h.count as u64) > u64::from(shard.board_jobs) {
        return Err(corrupt("shard fields out of range"));
    }
    let (dim, count) = (h.dim, h.count);
    let vectors = cur.rows(count, dim)?;
    let mut distinct = None;
    if h.line_bits != 0 {
        let u = cur.u32()? as usize;
        let rows = if h.line_bits == 8 {
            cur.rows(u, dim)?
        } else {
            let row_bytes = packed_len(dim, h.line_bits);
            let packed = cur.take(
                u.checked_mul(row_bytes)
                    .ok_or_else(|| corrupt("sizes overflow"))?,
            )?;
            let mut values = Vec::with_capacity(u.saturating_mul(dim));
            for row in packed.chunks_exact(row_bytes) {
                if h.line_bits == TERNARY {
                    unpack_ternary(&mut values, row, dim)?;
                } else {
                    unpack_row(&mut values, row, dim, h.line_bits);
                }
            }
            let scales = cur.scales(u)?;
            QuantizedRows {
                dim,
                values,
                scales,
            }
        };
        distinct = Some(rows);
    }
    let raw_len = cur.u32()? as usize;
    let stored_len = cur.u32()? as usize;
    let stored = cur.take(stored_len)?;
    if cur.pos != cur.bytes.len() {
        return Err(corrupt("bytes left over after the job records"));
    }
    let inflated;
    let records: &[u8] = if h.flags & FLAG_DEFLATE != 0 {
        if raw_len > MAX_RECORDS_BYTES || raw_len > stored_len.saturating_mul(1032) {
            return Err(corrupt(
                "the job records claim more bytes than their compressed size can hold",
            ));
        }
        inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(stored, raw_len)
            .map_err(|_| corrupt("the job records do not inflate to their declared size"))?;
        if inflated.len() != raw_len {
            return Err(corrupt(
                "the job records do not inflate to their declared size",
            ));
        }
        &inflated
    } else {
        if raw_len != stored_len {
            return Err(corrupt("plain job records with two different lengths"));
        }
        stored
    };
    let mut rec = Cursor {
        bytes: records,
        pos: 0,
    };
    // Each job record takes at least 40 bytes: a bound before allocating.
    rec.need(count.saturating_mul(40))?;
    let mut positions = Vec::with_capacity(count);
    let mut chunks = Vec::with_capacity(count);
    let mut jobs = Vec::with_capacity(count);
    let mut lines = distinct.map(|rows| LineVectors {
        offsets: vec![0],
        refs: Vec::new(),
        rows,
        bits: h.line_bits,
        rotated: h.flags & FLAG_ROTATED != 0,
    });
    for _ in 0..count {
        let position = rec.u32()?;
        if position >= shard.board_jobs {
            return Err(corrupt("a job's position is outside its board"));
        }
        positions.push(position);
        let chunk_count = rec.u32()?;
        let n = rec.u32()? as usize;
        rec.need(n.saturating_mul(4))?;
        match &mut lines {
            Some(l) => {
                for _ in 0..n {
                    let r = rec.u32()?;
                    if r as usize >= l.rows.len() {
                        return Err(corrupt("a job refers to a line that is not stored"));
                    }
                    l.refs.push(r);
                }
                l.offsets.push(l.refs.len() as u32);
            }
            None if n == 0 => {}
            None => return Err(corrupt("line references without line vectors")),
        }
        let job = rec.job_strings()?;
        chunks.push(check_chunks(chunk_count, &job)?);
        jobs.push(job);
    }
    if rec.pos != rec.bytes.len() {
        return Err(corrupt("bytes left over after the last job"));
    }
    let mut sorted = positions.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(corrupt("two jobs share a board position"));
    }
    Ok(JobIndex {
        identity: h.identity,
        vectors,
        lines,
        chunks,
        jobs,
        positions,
        shard,
        version,
    })
}

/// A job's chunk count: each chunk holds at least one character of its text, so more chunks
/// than the text has bytes (plus one, for an empty text) is a corrupted file.
fn check_chunks(chunks: u32, job: &JobMeta) -> Result<u32> {
    if chunks as usize > job.text.len() + 1 {
        return Err(corrupt(
            "a job claims more chunks than its text has characters",
        ));
    }
    Ok(chunks)
}

/// Version 1: int8 line rows per job, plain job records, no shard fields.
fn parse_v1(cur: &mut Cursor<'_>, h: Header) -> Result<JobIndex> {
    let (dim, count) = (h.dim, h.count);
    let vectors = cur.rows(count, dim)?;
    let lines = if h.flags & FLAG_LINE_VECTORS != 0 {
        let n = count
            .checked_add(1)
            .ok_or_else(|| corrupt("count overflows"))?;
        cur.need(n.saturating_mul(4))?;
        let offsets: Vec<u32> = (0..n).map(|_| cur.u32()).collect::<Result<_>>()?;
        if offsets.first() != Some(&0) || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(corrupt("line offsets are not increasing from 0"));
        }
        let total = offsets.last().copied().unwrap_or(0);
        Some(LineVectors {
            offsets,
            refs: (0..total).collect(),
            rows: cur.rows(total as usize, dim)?,
            bits: 8,
            rotated: false,
        })
    } else {
        None
    };
    // Each job takes at least 32 bytes: a bound before allocating.
    cur.need(count.saturating_mul(32))?;
    let mut chunks = Vec::with_capacity(count);
    let mut jobs = Vec::with_capacity(count);
    for _ in 0..count {
        let chunk_count = cur.u32()?;
        let job = cur.job_strings()?;
        chunks.push(check_chunks(chunk_count, &job)?);
        jobs.push(job);
    }
    if cur.pos != cur.bytes.len() {
        return Err(corrupt("bytes left over after the last job"));
    }
    Ok(JobIndex {
        identity: h.identity,
        vectors,
        lines,
        chunks,
        positions: (0..count as u32).collect(),
        shard: Shard::whole(count),
        jobs,
        version: 1,
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
        let scales = self.scales(count)?;
        Ok(QuantizedRows {
            dim,
            values,
            scales,
        })
    }

    fn scales(&mut self, count: usize) -> Result<Vec<f32>> {
        self.need(count.saturating_mul(4))?;
        let scales = (0..count)
            .map(|_| self.u32().map(f32::from_bits))
            .collect::<Result<Vec<_>>>()?;
        if scales.iter().any(|s| !s.is_finite() || *s < 0.0) {
            return Err(corrupt("a vector scale is negative or not finite"));
        }
        Ok(scales)
    }

    /// A job's seven strings.
    fn job_strings(&mut self) -> Result<JobMeta> {
        let (id, title, company, location, url, text) = (
            self.str()?,
            self.str()?,
            self.str()?,
            self.str()?,
            self.str()?,
            self.str()?,
        );
        let extra_text = self.str()?;
        let extra = if extra_text.is_empty() {
            serde_json::Map::new()
        } else {
            match serde_json::from_str(&extra_text) {
                Ok(serde_json::Value::Object(m)) => m,
                _ => return Err(corrupt("a job's extra fields are not a JSON object")),
            }
        };
        Ok(JobMeta {
            id,
            title,
            company,
            location,
            url,
            text,
            extra,
        })
    }
}
