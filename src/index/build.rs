//! Building an index: embed each job's text (the same chunked document vector as
//! [`crate::matching::document_vector`], and its requirement lines), quantize, keep metadata.
//! No filesystem and no clock: the caller passes jobs and gets bytes (or feeds jobs in
//! batches to an [`IndexBuilder`]) and reports progress.
//!
//! [`build_index`] is the one entry point for a whole board: optionally only one slice of it
//! (`shard`), optionally reusing the vectors of an older index for every job whose text is
//! unchanged (`reuse`): a job's vectors depend only on its text and the weights, so the key
//! is the sha256 of the text, under the same weights sha256.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::index::quant::{quantize_bits, QuantizedRows, Rotation, ROTATION_SEED, TERNARY};
use crate::index::{IndexIdentity, JobIndex, JobMeta, LineVectors, Shard};
use crate::matching::prepare::{embed_plans, plan, plan_lexical, Role};
use crate::model::Encoder;

/// How [`build_index`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildOptions {
    /// Store requirement-line vectors (explanations without embedding jobs at query time).
    pub line_vectors: bool,
    /// Bits per stored line value: 8, 4, 2, 1 or [`TERNARY`] (3: levels `-1, 0, 1`, about
    /// 1.6 bits); below 8 the lines are rotated before quantizing (see [`crate::index::quant`]
    /// and `docs/index-format.md` for what each costs in bytes and in accuracy).
    pub line_bits: u8,
    /// Jobs per encoder call.
    pub batch: usize,
    /// Build only slice `k` of `n` (`Some((k, n))`, `k < n`): the jobs whose
    /// [`Shard::of_id`] is `k`.
    pub shard: Option<(u32, u32)>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self {
            line_vectors: true,
            line_bits: TERNARY,
            batch: 8,
            shard: None,
        }
    }
}

/// Where a [`build_index`] run is, reported after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BuildProgress {
    /// Jobs of this build (slice) done so far.
    pub done: usize,
    /// Jobs of this build (slice) in all.
    pub total: usize,
    /// Jobs whose vectors were copied from the reused index.
    pub reused: usize,
    /// Jobs embedded.
    pub embedded: usize,
}

/// Builds the index of `jobs` (a whole board in input order) as bytes: see
/// [`build_job_index`].
pub fn build_index(
    encoder: &Encoder,
    identity: &IndexIdentity,
    jobs: Vec<JobMeta>,
    options: &BuildOptions,
    reuse: Option<&JobIndex>,
    progress: impl FnMut(&BuildProgress),
) -> Result<Vec<u8>> {
    Ok(build_job_index(encoder, identity, jobs, options, reuse, progress)?.to_bytes())
}

/// Builds the index of `jobs` (a whole board, in input order): every job, or with
/// `options.shard` only one slice; with `reuse`, the vectors of every job whose text is in
/// the older index (built with the same weights and line settings) are copied instead of
/// embedded. Jobs of the older index that are not in `jobs` are simply not carried over.
pub fn build_job_index(
    encoder: &Encoder,
    identity: &IndexIdentity,
    jobs: Vec<JobMeta>,
    options: &BuildOptions,
    reuse: Option<&JobIndex>,
    mut progress: impl FnMut(&BuildProgress),
) -> Result<JobIndex> {
    if jobs.len() > u32::MAX as usize {
        return Err(Error::bad_input("too many jobs for one index"));
    }
    let board = jobs.len();
    let shard = match options.shard {
        None => Shard::whole(board),
        Some((k, n)) if n >= 1 && k < n => Shard {
            k,
            n,
            board_jobs: board as u32,
        },
        Some((k, n)) => {
            return Err(Error::bad_input(format!(
                "shard {k}/{n}: K must be below N (K counts from 0)"
            )))
        }
    };
    let selected: Vec<(u32, JobMeta)> = jobs
        .into_iter()
        .enumerate()
        .filter(|(_, j)| shard.n == 1 || Shard::of_id(&j.id, shard.n) == shard.k)
        .map(|(i, j)| (i as u32, j))
        .collect();
    let mut builder = IndexBuilder::with_options(identity.clone(), encoder.dim(), options);
    let old = reuse.filter(|old| builder.can_reuse(old));
    let old_by_text: HashMap<[u8; 32], usize> = old
        .map(|old| {
            let mut map = HashMap::with_capacity(old.len());
            for (i, j) in old.jobs.iter().enumerate() {
                map.entry(text_key(&j.text)).or_insert(i);
            }
            map
        })
        .unwrap_or_default();
    let mut state = BuildProgress {
        total: selected.len(),
        ..BuildProgress::default()
    };
    let mut rest = selected.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<(u32, JobMeta)> = rest.by_ref().take(options.batch.max(1)).collect();
        let found: Vec<Option<usize>> = batch
            .iter()
            .map(|(_, j)| old_by_text.get(&text_key(&j.text)).copied())
            .collect();
        let fresh: Vec<&JobMeta> = batch
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|((_, j), _)| j)
            .collect();
        let mut embedded = builder.embed(encoder, &fresh)?.into_iter();
        for ((position, meta), found) in batch.into_iter().zip(found) {
            match (found, old) {
                (Some(i), Some(old)) => {
                    builder.push_from(old, i, meta, position)?;
                    state.reused += 1;
                }
                _ => {
                    let e = embedded
                        .next()
                        .ok_or_else(|| Error::Index("a batch lost a job".into()))?;
                    builder.push_at(
                        meta,
                        position,
                        &e.vector,
                        &e.lines,
                        Some(&e.line_texts),
                        e.chunks,
                    )?;
                    state.embedded += 1;
                }
            }
            state.done += 1;
        }
        progress(&state);
    }
    Ok(builder.finish_shard(shard))
}

/// The reuse key of a job's text.
fn text_key(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A job's vectors, fresh from the encoder.
struct Embedded {
    vector: Vec<f32>,
    lines: Vec<Vec<f32>>,
    line_texts: Vec<String>,
    chunks: usize,
}

/// Collects jobs into a [`JobIndex`].
#[derive(Debug, Clone)]
pub struct IndexBuilder {
    index: JobIndex,
    /// Stored line rows by their text: the same requirement line in many ads is stored once
    /// (the encoder pads each batch differently, so the same text embedded in two batches
    /// can differ in the last bits: the text, not the vector, is the key).
    line_by_text: HashMap<String, u32>,
    /// Stored line rows by a hash of their quantized values (checked on a hit), for lines
    /// added without their text.
    line_ids: HashMap<u64, u32>,
}

impl IndexBuilder {
    /// An empty index for vectors of `dim` values made by `identity`'s model; with
    /// `line_vectors`, each job's requirement-line vectors are stored too, in 4 bits (see
    /// `docs/index-format.md` for the size this costs).
    pub fn new(identity: IndexIdentity, dim: usize, line_vectors: bool) -> Self {
        Self::with_options(
            identity,
            dim,
            &BuildOptions {
                line_vectors,
                ..BuildOptions::default()
            },
        )
    }

    /// An empty index with `options`' line settings (8, 4, 2, 1 or [`TERNARY`]; other values
    /// mean 8). Lines below 8 bits are rotated before quantizing.
    pub fn with_options(identity: IndexIdentity, dim: usize, options: &BuildOptions) -> Self {
        let bits = match options.line_bits {
            b @ (1 | 2 | 4 | TERNARY) => b,
            _ => 8,
        };
        Self {
            index: JobIndex {
                identity,
                vectors: QuantizedRows::new(dim),
                lines: options.line_vectors.then(|| LineVectors {
                    offsets: vec![0],
                    refs: Vec::new(),
                    rows: QuantizedRows::new(dim),
                    bits,
                    rotated: bits < 8,
                }),
                chunks: Vec::new(),
                jobs: Vec::new(),
                positions: Vec::new(),
                shard: Shard::whole(0),
                version: crate::index::format::VERSION,
            },
            line_by_text: HashMap::new(),
            line_ids: HashMap::new(),
        }
    }

    /// Jobs added so far.
    pub fn len(&self) -> usize {
        self.index.jobs.len()
    }

    /// Whether no job was added.
    pub fn is_empty(&self) -> bool {
        self.index.jobs.is_empty()
    }

    /// Whether `old`'s vectors can be copied into this index: same model and weights, same
    /// dimension, same line settings.
    fn can_reuse(&self, old: &JobIndex) -> bool {
        old.identity.check(&self.index.identity).is_ok()
            && old.dim() == self.index.dim()
            && old.line_bits() == self.index.line_bits()
            && old.line_rotated() == self.index.line_rotated()
    }

    /// Adds a job whose vectors are already computed: its document vector, its requirement
    /// lines' vectors (ignored unless the index stores them) and its chunk count.
    pub fn push_vectors(
        &mut self,
        meta: JobMeta,
        vector: &[f32],
        lines: &[Vec<f32>],
        chunks: usize,
    ) -> Result<()> {
        let position = self.index.jobs.len().min(u32::MAX as usize) as u32;
        self.push_at(meta, position, vector, lines, None, chunks)
    }

    /// Like [`IndexBuilder::push_vectors`], with the requirement lines' texts: a line whose
    /// text is already stored is not stored again (how [`build_index`] adds jobs).
    pub fn push_vectors_with_texts(
        &mut self,
        meta: JobMeta,
        vector: &[f32],
        lines: &[Vec<f32>],
        line_texts: &[String],
        chunks: usize,
    ) -> Result<()> {
        let position = self.index.jobs.len().min(u32::MAX as usize) as u32;
        let texts = (line_texts.len() == lines.len()).then_some(line_texts);
        self.push_at(meta, position, vector, lines, texts, chunks)
    }

    fn push_at(
        &mut self,
        meta: JobMeta,
        position: u32,
        vector: &[f32],
        lines: &[Vec<f32>],
        line_texts: Option<&[String]>,
        chunks: usize,
    ) -> Result<()> {
        let dim = self.index.vectors.dim;
        if vector.len() != dim || lines.iter().any(|l| l.len() != dim) {
            return Err(Error::Index(format!(
                "job {}: vectors have {} dimensions, the index {dim}",
                meta.id,
                vector.len()
            )));
        }
        let (bits, rotated) = self
            .index
            .lines
            .as_ref()
            .map_or((8, false), |l| (l.bits, l.rotated));
        let rotation = (rotated && !lines.is_empty()).then(|| Rotation::new(dim, ROTATION_SEED));
        let quantized: Vec<(Vec<i8>, f32)> = lines
            .iter()
            .map(|l| match &rotation {
                Some(r) => {
                    let mut x = l.clone();
                    r.rotate(&mut x);
                    quantize_bits(&x, bits)
                }
                None => quantize_bits(l, bits),
            })
            .collect();
        let (row, scale) = crate::index::quant::quantize(vector);
        self.push_quantized(
            meta,
            position,
            (&row, scale),
            quantized.iter().map(|(q, s)| (q.as_slice(), *s)),
            line_texts,
            chunks,
        )
    }

    /// Adds job `i` of `old` (same weights and line settings) under new metadata.
    pub(crate) fn push_from(
        &mut self,
        old: &JobIndex,
        i: usize,
        meta: JobMeta,
        position: u32,
    ) -> Result<()> {
        let lost = || Error::Index(format!("job {i} of the reused index has no vector"));
        let row = old.vectors.row(i).ok_or_else(lost)?;
        let scale = *old.vectors.scales.get(i).ok_or_else(lost)?;
        let mut lines = Vec::new();
        // The lines' texts, for sharing rows with the same line of other ads (the reader
        // already checked that the count matches when it is used for a report).
        let texts = old
            .lines
            .as_ref()
            .and_then(|_| plan_lexical(&meta.text, Role::Job).ok())
            .map(|p| p.lines);
        if let Some(l) = &old.lines {
            let a = *l.offsets.get(i).ok_or_else(lost)? as usize;
            let b = *l.offsets.get(i + 1).ok_or_else(lost)? as usize;
            for &r in l.refs.get(a..b).ok_or_else(lost)? {
                let r = r as usize;
                lines.push((
                    l.rows.row(r).ok_or_else(lost)?,
                    *l.rows.scales.get(r).ok_or_else(lost)?,
                ));
            }
        }
        let texts = texts.filter(|t| t.len() == lines.len());
        self.push_quantized(
            meta,
            position,
            (row, scale),
            lines.into_iter(),
            texts.as_deref(),
            old.chunks(i),
        )
    }

    /// Adds a job from quantized rows (line rows already at this index's bits).
    pub(crate) fn push_quantized<'r>(
        &mut self,
        meta: JobMeta,
        position: u32,
        (row, scale): (&[i8], f32),
        lines: impl Iterator<Item = (&'r [i8], f32)>,
        line_texts: Option<&[String]>,
        chunks: usize,
    ) -> Result<()> {
        if self.index.jobs.len() >= u32::MAX as usize {
            return Err(Error::Index("too many jobs for one index".into()));
        }
        if let Some(store) = &mut self.index.lines {
            for (n, (l, s)) in lines.enumerate() {
                let text = line_texts.and_then(|t| t.get(n));
                if let Some(&id) = text.and_then(|t| self.line_by_text.get(t)) {
                    store.refs.push(id);
                    continue;
                }
                let mut h = DefaultHasher::new();
                l.hash(&mut h);
                s.to_bits().hash(&mut h);
                let key = h.finish();
                let id = match self.line_ids.get(&key) {
                    Some(&id)
                        if store.rows.row(id as usize) == Some(l)
                            && store.rows.scales.get(id as usize) == Some(&s) =>
                    {
                        id
                    }
                    _ => {
                        let id = u32::try_from(store.rows.len()).map_err(|_| {
                            Error::Index("too many requirement lines for one index".into())
                        })?;
                        store.rows.push_row(l, s);
                        self.line_ids.entry(key).or_insert(id);
                        id
                    }
                };
                if let Some(t) = text {
                    self.line_by_text.insert(t.clone(), id);
                }
                store.refs.push(id);
            }
            let end = u32::try_from(store.refs.len())
                .map_err(|_| Error::Index("too many requirement lines for one index".into()))?;
            store.offsets.push(end);
        }
        self.index.vectors.push_row(row, scale);
        self.index.chunks.push(chunks.min(u32::MAX as usize) as u32);
        self.index.positions.push(position);
        self.index.jobs.push(meta);
        Ok(())
    }

    /// Embeds jobs with one encoder call (all their chunks and requirement lines, identical
    /// texts once): per job its document vector, line vectors and chunk count.
    fn embed(&self, encoder: &Encoder, jobs: &[&JobMeta]) -> Result<Vec<Embedded>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let with_lines = self.index.lines.is_some();
        let plans = jobs
            .iter()
            .map(|j| {
                let mut p = plan(encoder, &j.text, Role::Job)
                    .map_err(|e| Error::bad_input(format!("job {}: {e}", j.id)))?;
                if !with_lines {
                    p.lines.clear();
                    p.flags.clear();
                }
                Ok(p)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(embed_plans(encoder, plans)?
            .into_iter()
            .map(|p| Embedded {
                chunks: p.plan.chunks.len(),
                vector: p.vector,
                lines: p.line_vectors,
                line_texts: p.plan.lines,
            })
            .collect())
    }

    /// Embeds a batch of jobs with one encoder call (all their chunks and requirement lines,
    /// identical texts once) and adds them.
    pub fn add_jobs(&mut self, encoder: &Encoder, jobs: Vec<JobMeta>) -> Result<()> {
        let refs: Vec<&JobMeta> = jobs.iter().collect();
        let embedded = self.embed(encoder, &refs)?;
        for (meta, e) in jobs.into_iter().zip(embedded) {
            let position = self.index.jobs.len().min(u32::MAX as usize) as u32;
            self.push_at(
                meta,
                position,
                &e.vector,
                &e.lines,
                Some(&e.line_texts),
                e.chunks,
            )?;
        }
        Ok(())
    }

    /// Stores line rows as already rotated or not (a merge keeps its shards' setting).
    pub(crate) fn set_line_rotation(&mut self, rotated: bool) {
        if let Some(l) = &mut self.index.lines {
            l.rotated = rotated;
        }
    }

    /// The finished index (the whole board: the jobs added, in order).
    pub fn finish(self) -> JobIndex {
        let n = self.index.jobs.len();
        self.finish_shard(Shard::whole(n))
    }

    /// The finished index, holding `shard` of a board.
    pub(crate) fn finish_shard(mut self, shard: Shard) -> JobIndex {
        self.index.shard = shard;
        self.index
    }
}
