//! Evaluating the score on labelled (resume, job) pairs (`eval/pairs.json`): Spearman of
//! score and label, and how often pairs of one resume (or one job) are put in label order,
//! next to the whole-text cosine baseline and each part alone.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::matching::prepare::{prepare_all, Role};
use crate::matching::report::ScoreParts;
use crate::matching::{lexical_report, report_of};
use crate::model::Encoder;
use crate::stats::spearman;

/// The pairs file: texts by id and labelled pairs.
#[derive(Debug, Clone, Deserialize)]
pub struct PairsFile {
    /// Texts by id.
    pub texts: BTreeMap<String, PairText>,
    /// Labelled pairs.
    pub pairs: Vec<Pair>,
}

/// One text of the pairs file.
#[derive(Debug, Clone, Deserialize)]
pub struct PairText {
    /// The text.
    pub text: String,
}

/// One labelled pair.
#[derive(Debug, Clone, Deserialize)]
pub struct Pair {
    /// Id of the resume text.
    pub resume_id: String,
    /// Id of the job text.
    pub job_id: String,
    /// 0 unrelated field, 1 same field wrong role, 2 related role, 3 strong fit.
    pub label: u8,
}

/// How well one scorer orders the pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    /// Spearman correlation of the scorer with the labels.
    pub spearman: Option<f64>,
    /// Share of same-resume pairs with different labels that the scorer orders like the
    /// labels (ties count half).
    pub per_resume_order_accuracy: Option<f64>,
    /// The same over same-job pairs.
    pub per_job_order_accuracy: Option<f64>,
}

/// One scored pair.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredPair {
    /// Resume id.
    pub resume_id: String,
    /// Job id.
    pub job_id: String,
    /// Label.
    pub label: u8,
    /// The score, 0–100.
    pub score: f32,
    /// The lexical-only provisional score.
    pub provisional_score: f32,
    /// Whole-text cosine (first `max_seq_length` tokens).
    pub whole_text_cosine: f32,
    /// The parts.
    pub parts: ScoreParts,
    /// Each requirement's best evidence similarity (what coverage is made of).
    pub requirement_similarities: Vec<f32>,
}

/// The evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Number of pairs.
    pub pairs: usize,
    /// The score.
    pub score: Agreement,
    /// Baseline: cosine of whole-text embeddings (truncated at `max_seq_length`).
    pub baseline_whole_text_cosine: Agreement,
    /// Each part alone, and the provisional (lexical-only) score.
    pub parts: BTreeMap<&'static str, Agreement>,
    /// Resumes whose best-scored job is one labelled 3 (strong fit)…
    pub strong_fit_first: usize,
    /// … of the resumes that have a job labelled 3.
    pub resumes_with_a_strong_fit: usize,
    /// Mean score per label.
    pub mean_score_by_label: BTreeMap<u8, f64>,
    /// Every pair.
    pub scored: Vec<ScoredPair>,
}

/// Parses a pairs file.
pub fn parse_pairs(json: &[u8]) -> Result<PairsFile> {
    let file: PairsFile =
        serde_json::from_slice(json).map_err(|e| Error::bad_input(format!("pairs file: {e}")))?;
    for p in &file.pairs {
        for id in [&p.resume_id, &p.job_id] {
            if !file.texts.contains_key(id) {
                return Err(Error::bad_input(format!(
                    "pairs file: unknown text id {id}"
                )));
            }
        }
    }
    Ok(file)
}

/// Scores every pair (all texts embedded in one encoder call) and measures agreement.
pub fn evaluate(encoder: &Encoder, file: &PairsFile) -> Result<Evaluation> {
    let mut ids: Vec<(&str, Role)> = Vec::new();
    for p in &file.pairs {
        for (id, role) in [(&p.resume_id, Role::Resume), (&p.job_id, Role::Job)] {
            if !ids.contains(&(id.as_str(), role)) {
                ids.push((id.as_str(), role));
            }
        }
    }
    let text = |id: &str| file.texts.get(id).map_or("", |t| t.text.as_str());
    let docs: Vec<(&str, Role)> = ids.iter().map(|&(id, role)| (text(id), role)).collect();
    let prepared = prepare_all(encoder, &docs)?;
    let at: HashMap<(&str, Role), usize> = ids.iter().enumerate().map(|(i, &k)| (k, i)).collect();
    let whole: Vec<&str> = docs.iter().map(|d| d.0).collect();
    let whole = encoder.encode(&whole)?;

    let mut scored = Vec::new();
    for p in &file.pairs {
        let (r, j) = (
            at[&(p.resume_id.as_str(), Role::Resume)],
            at[&(p.job_id.as_str(), Role::Job)],
        );
        let report = report_of(&prepared[r], &prepared[j], None);
        let provisional = lexical_report(text(&p.resume_id), text(&p.job_id))?;
        scored.push(ScoredPair {
            resume_id: p.resume_id.clone(),
            job_id: p.job_id.clone(),
            label: p.label,
            score: report.score,
            provisional_score: provisional.score,
            whole_text_cosine: crate::cosine(&whole[r].vector, &whole[j].vector),
            parts: report.parts,
            requirement_similarities: report.requirements.iter().map(|r| r.similarity).collect(),
        });
    }
    let agreement = |f: &dyn Fn(&ScoredPair) -> f64| agreement(&scored, f);
    let mut parts = BTreeMap::new();
    parts.insert(
        "semantic",
        agreement(&|s| s.parts.semantic.unwrap_or(0.0) as f64),
    );
    parts.insert(
        "coverage",
        agreement(&|s| s.parts.coverage.unwrap_or(0.0) as f64),
    );
    parts.insert(
        "lexical",
        agreement(&|s| s.parts.lexical.unwrap_or(0.0) as f64),
    );
    parts.insert(
        "skills",
        agreement(&|s| s.parts.skills.unwrap_or(0.0) as f64),
    );
    parts.insert(
        "experience",
        agreement(&|s| s.parts.experience.unwrap_or(0.0) as f64),
    );
    parts.insert("title", agreement(&|s| s.parts.title.unwrap_or(0.0) as f64));
    parts.insert("provisional", agreement(&|s| s.provisional_score as f64));
    let mut by_label: BTreeMap<u8, (f64, usize)> = BTreeMap::new();
    for s in &scored {
        let e = by_label.entry(s.label).or_default();
        e.0 += s.score as f64;
        e.1 += 1;
    }
    let (strong_first, with_strong) = strong_fit_first(&scored);
    Ok(Evaluation {
        pairs: scored.len(),
        strong_fit_first: strong_first,
        resumes_with_a_strong_fit: with_strong,
        score: agreement(&|s| s.score as f64),
        baseline_whole_text_cosine: agreement(&|s| s.whole_text_cosine as f64),
        parts,
        mean_score_by_label: by_label
            .into_iter()
            .map(|(k, (sum, n))| (k, sum / n as f64))
            .collect(),
        scored,
    })
}

/// How many resumes with a strong-fit (label 3) job have a strong fit as their
/// best-scored job (ties broken against it), and how many resumes have one.
pub fn strong_fit_first(scored: &[ScoredPair]) -> (usize, usize) {
    let mut best: BTreeMap<&str, (f32, u8)> = BTreeMap::new();
    let mut has_strong: BTreeMap<&str, bool> = BTreeMap::new();
    for s in scored {
        *has_strong.entry(s.resume_id.as_str()).or_default() |= s.label == 3;
        let e = best.entry(s.resume_id.as_str()).or_insert((f32::MIN, 0));
        if s.score > e.0 || (s.score == e.0 && s.label < e.1) {
            *e = (s.score, s.label);
        }
    }
    let with = has_strong.values().filter(|&&h| h).count();
    let first = best
        .iter()
        .filter(|(id, (_, label))| *label == 3 && has_strong.get(*id) == Some(&true))
        .count();
    (first, with)
}

/// Agreement of one scorer with the labels.
pub fn agreement(scored: &[ScoredPair], f: &dyn Fn(&ScoredPair) -> f64) -> Agreement {
    let values: Vec<f64> = scored.iter().map(f).collect();
    let labels: Vec<f64> = scored.iter().map(|s| s.label as f64).collect();
    let order = |same: &dyn Fn(&ScoredPair, &ScoredPair) -> bool| {
        let (mut good, mut total) = (0f64, 0usize);
        for i in 0..scored.len() {
            for k in i + 1..scored.len() {
                let (a, b) = (&scored[i], &scored[k]);
                if !same(a, b) || a.label == b.label {
                    continue;
                }
                total += 1;
                let want = (a.label as f64 - b.label as f64).signum();
                let got = (values[i] - values[k]).signum();
                good += if got == 0.0 {
                    0.5
                } else if got == want {
                    1.0
                } else {
                    0.0
                };
            }
        }
        (total > 0).then(|| good / total as f64)
    };
    Agreement {
        spearman: spearman(&values, &labels),
        per_resume_order_accuracy: order(&|a, b| a.resume_id == b.resume_id),
        per_job_order_accuracy: order(&|a, b| a.job_id == b.job_id),
    }
}
