//! The match report: what a candidate (or a recruiter) reads, serialisable to JSON.

use serde::Serialize;

/// How well one requirement of the job is covered by the resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// A resume line says the same thing.
    Covered,
    /// A resume line is related, but not a clear match.
    Partial,
    /// Nothing in the resume comes close.
    Missing,
}

impl CoverageStatus {
    /// The status as a word: `covered`, `partial`, `missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Covered => "covered",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Missing => "missing",
        }
    }
}

/// One job requirement with the resume line that best covers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementMatch {
    /// The requirement as written in the job.
    pub text: String,
    /// Whether the job marks it optional (nice to have, preferred).
    pub optional: bool,
    /// The resume line closest in meaning, or `None` if the resume has no lines
    /// (or, in a provisional report, no line sharing a term).
    pub evidence: Option<String>,
    /// Cosine similarity of requirement and evidence (in a provisional report: the share
    /// of the requirement's terms that the evidence line contains), 0–1.
    pub similarity: f32,
    /// Covered, partial or missing.
    pub status: CoverageStatus,
}

/// The parts the score is made of, each 0–1; `None` where it could not be computed
/// (semantic parts before the model has loaded, coverage for a job without requirements).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreParts {
    /// Cosine of the two document vectors (chunked means), rescaled to 0–1.
    pub semantic: Option<f32>,
    /// Weighted share of the job's requirements covered by resume lines.
    pub coverage: Option<f32>,
    /// Weighted share of the job's terms found in the resume (BM25-style).
    pub lexical: Option<f32>,
}

/// Counts that say what the matcher looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Requirement lines found in the job.
    pub requirements: usize,
    /// Of which covered.
    pub covered: usize,
    /// Of which partly covered.
    pub partial: usize,
    /// Of which missing.
    pub missing: usize,
    /// Resume lines compared against the requirements.
    pub evidence_lines: usize,
    /// Chunks the resume was embedded in (0 for a provisional report).
    pub resume_chunks: usize,
    /// Chunks the job was embedded in.
    pub job_chunks: usize,
}

/// The full report for one (resume, job) pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    /// Overall fit, 0–100.
    pub score: f32,
    /// The band the score falls in, in plain words (see `docs/scoring.md`).
    pub band: &'static str,
    /// What the band means for the candidate.
    pub band_meaning: &'static str,
    /// True when only the lexical part was used (the model had not loaded).
    pub provisional: bool,
    /// The parts of the score.
    pub parts: ScoreParts,
    /// Every requirement of the job with its best resume evidence.
    pub requirements: Vec<RequirementMatch>,
    /// Counts of requirements by status and of what was embedded.
    pub coverage: Coverage,
    /// The job's important terms that the resume contains.
    pub matched_terms: Vec<String>,
    /// The job's important terms that the resume lacks.
    pub missing_terms: Vec<String>,
    /// Notes about the input (empty text, lines not compared, …).
    pub notes: Vec<String>,
    /// The model used, e.g. `all-MiniLM-L6-v2 (f32)`; `None` for a provisional report.
    pub model: Option<String>,
}

/// One entry of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Index of the job (or resume) in the input slice.
    pub index: usize,
    /// Its score, 0–100 (the report's score).
    pub score: f32,
    /// The full report.
    pub report: MatchReport,
}
