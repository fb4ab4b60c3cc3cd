//! Building an index: embed each job's text (the same chunked document vector as
//! [`crate::matching::document_vector`], and its requirement lines), quantize, keep metadata.
//! No filesystem and no clock: the caller feeds jobs in batches and reports progress.

use crate::error::{Error, Result};
use crate::index::quant::QuantizedRows;
use crate::index::{IndexIdentity, JobIndex, JobMeta, LineVectors};
use crate::matching::prepare::{embed_plans, plan, Role};
use crate::model::Encoder;

/// Collects jobs into a [`JobIndex`].
#[derive(Debug, Clone)]
pub struct IndexBuilder {
    index: JobIndex,
}

impl IndexBuilder {
    /// An empty index for vectors of `dim` values made by `identity`'s model; with
    /// `line_vectors`, each job's requirement-line vectors are stored too (see
    /// `docs/index-format.md` for the size this costs).
    pub fn new(identity: IndexIdentity, dim: usize, line_vectors: bool) -> Self {
        Self {
            index: JobIndex {
                identity,
                vectors: QuantizedRows::new(dim),
                lines: line_vectors.then(|| LineVectors {
                    offsets: vec![0],
                    rows: QuantizedRows::new(dim),
                }),
                chunks: Vec::new(),
                jobs: Vec::new(),
            },
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

    /// Adds a job whose vectors are already computed: its document vector, its requirement
    /// lines' vectors (ignored unless the index stores them) and its chunk count.
    pub fn push_vectors(
        &mut self,
        meta: JobMeta,
        vector: &[f32],
        lines: &[Vec<f32>],
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
        if self.index.jobs.len() >= u32::MAX as usize {
            return Err(Error::Index("too many jobs for one index".into()));
        }
        if let Some(store) = &mut self.index.lines {
            let total = store.rows.len() + lines.len();
            let end = u32::try_from(total)
                .map_err(|_| Error::Index("too many requirement lines for one index".into()))?;
            for l in lines {
                store.rows.push(l);
            }
            store.offsets.push(end);
        }
        self.index.vectors.push(vector);
        self.index.chunks.push(chunks.min(u32::MAX as usize) as u32);
        self.index.jobs.push(meta);
        Ok(())
    }

    /// Embeds a batch of jobs with one encoder call (all their chunks and requirement lines,
    /// identical texts once) and adds them.
    pub fn add_jobs(&mut self, encoder: &Encoder, jobs: Vec<JobMeta>) -> Result<()> {
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
        let prepared = embed_plans(encoder, plans)?;
        for (meta, p) in jobs.into_iter().zip(prepared) {
            self.push_vectors(meta, &p.vector, &p.line_vectors, p.plan.chunks.len())?;
        }
        Ok(())
    }

    /// The finished index.
    pub fn finish(self) -> JobIndex {
        self.index
    }
}
