//! The match report: what a candidate (or a recruiter) reads, serialisable to JSON.

use serde::Serialize;

pub use crate::matching::evidence::{Numbers, SkillCheck};
pub use crate::matching::typed::RequirementKind;

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
    /// A resume cannot show it (soft skills, travel, location, work authorisation,
    /// schedule): the candidate checks it.
    CheckYourself,
}

impl CoverageStatus {
    /// The status as a word: `covered`, `partial`, `missing`, `check_yourself`.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::Covered => "covered",
            CoverageStatus::Partial => "partial",
            CoverageStatus::Missing => "missing",
            CoverageStatus::CheckYourself => "check_yourself",
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
    /// What it asks for: skills, experience, education, certification, language,
    /// soft_skill, logistics or other.
    pub kind: RequirementKind,
    /// The first of `evidence_lines`, or `None` when there is none.
    pub evidence: Option<String>,
    /// The resume lines that back the status: the lines naming the skills (skills sections
    /// count), the dated roles, the degree line; or, for `other`, the line closest in
    /// meaning. At most three.
    pub evidence_lines: Vec<String>,
    /// Cosine similarity of the requirement and the resume line closest in meaning (in a
    /// provisional report: the share of the requirement's terms that line contains), 0–1.
    pub similarity: f32,
    /// Covered, partial, missing or check_yourself.
    pub status: CoverageStatus,
    /// The named skills of the requirement, each with whether the resume names it.
    pub skills: Vec<SkillCheck>,
    /// Years asked and shown, degree asked and shown, where they apply.
    pub numbers: Option<Numbers>,
    /// One sentence for the candidate ("you show 2.5 years; the ad asks 2+").
    pub note: Option<String>,
}

/// The parts the score is made of, each 0–1; `None` where it could not be computed
/// (semantic parts before the model has loaded, coverage for a job without requirements).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoreParts {
    /// Cosine of the two document vectors (chunked means), rescaled to 0–1.
    pub semantic: Option<f32>,
    /// Weighted share of the job's requirements covered (partial counts half; check-yourself
    /// requirements are left out).
    pub coverage: Option<f32>,
    /// Weighted share of the job's terms found in the resume (BM25-style); reported, not
    /// part of the score.
    pub lexical: Option<f32>,
    /// Weighted share of the job's named-skill groups the resume names (aliases count; a
    /// "such as" list is met by any one).
    pub skills: Option<f32>,
    /// How well the resume's years (dated roles in the field) meet the years asked, 0–1.
    pub experience: Option<f32>,
    /// Degree fit: 1 met, 0.5 partly, 0 missing.
    pub education: Option<f32>,
    /// Similarity of the job title to the resume's headline and recent role titles, 0–1.
    pub title: Option<f32>,
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
    /// Of which for the candidate to check (soft skills, logistics).
    pub check_yourself: usize,
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
