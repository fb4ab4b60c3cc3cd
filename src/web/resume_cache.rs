//! The current resume, prepared once: its units (chunks, evidence lines) and their vectors,
//! kept in the worker's memory (never stored) under the sha256 of its text. Checking it
//! against another job embeds only that job; another resume replaces it, so at most one
//! resume is held (a few hundred vectors: ≤ 400 lines × 384 floats ≈ 0.6 MB).

use std::rc::Rc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::matching::{prepare_resume, Prepared};
use crate::model::Encoder;

/// What the cache did so far, for `profile`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeCacheStats {
    /// Requests answered with the held resume.
    pub hits: u64,
    /// Resumes prepared (a new text, or the first).
    pub misses: u64,
}

/// The one prepared resume and its text's hash.
#[derive(Debug, Default)]
pub struct ResumeCache {
    held: Option<([u8; 32], Rc<Prepared>)>,
    stats: ResumeCacheStats,
}

impl ResumeCache {
    /// The prepared resume for `text`, and whether it was already held. A different text
    /// is prepared and replaces the held one.
    pub fn get_or_prepare(
        &mut self,
        encoder: &Encoder,
        text: &str,
    ) -> Result<(Rc<Prepared>, bool)> {
        let key: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        if let Some((held, prepared)) = &self.held {
            if *held == key {
                self.stats.hits += 1;
                return Ok((Rc::clone(prepared), true));
            }
        }
        // Drop the old resume before preparing the new one: never two in memory.
        self.held = None;
        let prepared = Rc::new(prepare_resume(encoder, text)?);
        self.stats.misses += 1;
        self.held = Some((key, Rc::clone(&prepared)));
        Ok((prepared, false))
    }

    /// Forgets the held resume (a new model makes its vectors meaningless).
    pub fn clear(&mut self) {
        self.held = None;
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> ResumeCacheStats {
        self.stats
    }
}
