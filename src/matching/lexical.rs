//! Lexical overlap of hard skills, BM25-style: each job term weighs by its saturated
//! frequency in the job (BM25's `tf·(k1+1)/(tf+k1)`), twice as much when it looks like a
//! hard skill (AWS, C++, TypeScript); the resume is credited for the terms it contains.
//!
//! There is no corpus behind a single (resume, job) pair, so every non-stop word has the
//! same inverse document frequency: stop words (weight 0) play IDF's part. This keeps a
//! pair's score the same whether it is scored alone or ranked among many.

use std::collections::HashMap;

use crate::matching::terms::{is_generic, terms, Term};

/// BM25's term-frequency saturation constant.
const K1: f32 = 1.2;
/// Extra weight of terms that look like hard skills.
const TECHNICAL_BOOST: f32 = 2.0;
/// How many matched and missing terms a report lists.
pub const MAX_LISTED_TERMS: usize = 12;
/// Weight of a term occurrence in an optional requirement line, as for coverage.
const OPTIONAL_WEIGHT: f32 = 0.5;

/// The lexical comparison of a resume with a job.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalMatch {
    /// Weighted share of the job's terms that the resume contains, 0–1; `None` when the job
    /// has no terms.
    pub score: Option<f32>,
    /// The job's most important terms that the resume contains, most important first.
    pub matched: Vec<String>,
    /// The job's most important terms that the resume lacks, most important first.
    pub missing: Vec<String>,
}

/// A document's terms: key → (count, surface form of the first occurrence, technical).
#[derive(Debug, Clone, Default)]
pub struct TermBag {
    counts: HashMap<String, (u32, String, bool)>,
    order: Vec<String>,
}

impl TermBag {
    /// The terms of a text.
    pub fn of(text: &str) -> Self {
        let mut bag = TermBag::default();
        for Term {
            key,
            surface,
            technical,
            ..
        } in terms(text)
        {
            match bag.counts.get_mut(&key) {
                Some(entry) => {
                    entry.0 += 1;
                    entry.2 |= technical;
                }
                None => {
                    bag.order.push(key.clone());
                    bag.counts.insert(key, (1, surface, technical));
                }
            }
        }
        bag
    }

    /// Whether the bag holds a term key.
    pub fn contains(&self, key: &str) -> bool {
        self.counts.contains_key(key)
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are no terms.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Terms with their BM25-style weights, in order of first occurrence.
    fn weighted(&self) -> Vec<(&str, &str, f32)> {
        self.order
            .iter()
            .filter_map(|k| {
                let (tf, surface, technical) = self.counts.get(k)?;
                let tf = *tf as f32;
                let boost = if *technical { TECHNICAL_BOOST } else { 1.0 };
                Some((
                    k.as_str(),
                    surface.as_str(),
                    boost * tf * (K1 + 1.0) / (tf + K1),
                ))
            })
            .collect()
    }
}

/// Compares the terms of a resume with those of a job.
pub fn compare(resume: &TermBag, job: &TermBag) -> LexicalMatch {
    let mut weighted = job.weighted();
    // Most important first; ties keep the job's order (stable sort).
    weighted.sort_by(|a, b| b.2.total_cmp(&a.2));
    let total: f32 = weighted.iter().map(|w| w.2).sum();
    let mut found = 0f32;
    let (mut matched, mut missing) = (Vec::new(), Vec::new());
    for (key, surface, weight) in weighted {
        if resume.contains(key) {
            found += weight;
            matched.push(surface.to_string());
        } else {
            missing.push(surface.to_string());
        }
    }
    matched.truncate(MAX_LISTED_TERMS);
    missing.truncate(MAX_LISTED_TERMS);
    LexicalMatch {
        score: (total > 0.0).then(|| found / total),
        matched,
        missing,
    }
}

/// One of a job's key terms: a skill-like term of its requirement lines.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyTerm {
    /// Folded key.
    pub key: String,
    /// Surface form of the first occurrence.
    pub surface: String,
    /// BM25-style weight, as in the lexical part.
    pub weight: f32,
}

/// The key terms of a job's requirement lines (`optional[i]` halves line `i`'s counts),
/// best first: the terms a report lists as matched or missing, and the terms whose presence
/// in an evidence line adds to its similarity with a requirement.
///
/// A term is key when it looks like a skill: a technical mark (acronym, symbols, inner
/// capital, a capital inside a sentence, no vowel), a capital at the start of a line that
/// is not a generic job-ad word ("Kafka or …", not "Build …"), or a plain word the
/// requirements repeat ("streaming"). Generic job-ad words never are: with no corpus, that
/// list and the stop words stand in for a low inverse document frequency. Weights are the
/// lexical part's: saturated frequency, doubled for skill marks.
pub fn key_terms(lines: &[String], optional: &[bool]) -> Vec<KeyTerm> {
    // key → (weighted tf, raw count, surface, skill mark)
    let mut stats: HashMap<String, (f32, u32, String, bool)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let w = if optional.get(i).copied().unwrap_or(false) {
            OPTIONAL_WEIGHT
        } else {
            1.0
        };
        for t in terms(line) {
            if is_generic(&t.key) {
                continue;
            }
            let mark = t.technical || t.capitalised;
            match stats.get_mut(&t.key) {
                Some(e) => {
                    e.0 += w;
                    e.1 += 1;
                    e.3 |= mark;
                }
                None => {
                    order.push(t.key.clone());
                    stats.insert(t.key, (w, 1, t.surface, mark));
                }
            }
        }
    }
    let mut out: Vec<KeyTerm> = order
        .into_iter()
        .filter_map(|key| {
            let (tf, count, surface, mark) = stats.remove(&key)?;
            if !mark && count < 2 {
                return None;
            }
            let boost = if mark { TECHNICAL_BOOST } else { 1.0 };
            Some(KeyTerm {
                key,
                surface,
                weight: boost * tf * (K1 + 1.0) / (tf + K1),
            })
        })
        .collect();
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    out
}

/// The key terms a resume contains and lacks, best first, at most [`MAX_LISTED_TERMS`] each.
pub fn listed_terms(resume: &TermBag, key: &[KeyTerm]) -> (Vec<String>, Vec<String>) {
    let (mut matched, mut missing): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for k in key {
        if resume.contains(&k.key) {
            matched.push(k.surface.clone());
        } else {
            missing.push(k.surface.clone());
        }
    }
    matched.truncate(MAX_LISTED_TERMS);
    missing.truncate(MAX_LISTED_TERMS);
    (matched, missing)
}

/// Weighted share (0–1) of a requirement's key terms that an evidence line contains: the
/// key terms of the job that occur in the requirement, each with its weight. `None` when
/// the requirement holds no key term.
pub fn key_share(requirement: &TermBag, evidence: &TermBag, key: &[KeyTerm]) -> Option<f32> {
    let mut total = 0f32;
    let mut found = 0f32;
    for k in key.iter().filter(|k| requirement.contains(&k.key)) {
        total += k.weight;
        if evidence.contains(&k.key) {
            found += k.weight;
        }
    }
    (total > 0.0).then(|| found / total)
}

/// Compares a resume's text with a job's text.
pub fn compare_texts(resume: &str, job: &str) -> LexicalMatch {
    compare(&TermBag::of(resume), &TermBag::of(job))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_terms_are_the_jobs_important_ones() {
        let job = "Backend engineer: Python, Go, AWS, Terraform, Kubernetes. Kubernetes daily.";
        let resume = "Engineer writing Python and Go services on AWS.";
        let m = compare_texts(resume, job);
        assert_eq!(m.missing.first().map(String::as_str), Some("Kubernetes"));
        assert!(m.missing.contains(&"Terraform".to_string()));
        assert!(m.matched.contains(&"AWS".to_string()));
        let s = m.score.unwrap();
        assert!(s > 0.3 && s < 0.8, "{s}");
    }

    #[test]
    fn identical_texts_score_one_and_empty_job_scores_none() {
        let t = "Registered nurse, BLS, ACLS, Epic charting";
        assert_eq!(compare_texts(t, t).score, Some(1.0));
        assert_eq!(compare_texts(t, "").score, None);
        assert_eq!(compare_texts("", t).score, Some(0.0));
    }

    #[test]
    fn key_terms_are_skills_of_requirement_lines() {
        let lines: Vec<String> = [
            "Build and operate batch and streaming pipelines in Python",
            "Kafka or another streaming platform",
            "Orchestrate jobs with Airflow and keep checks green",
            "Terraform",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let key = key_terms(&lines, &[false, false, false, true]);
        let names: Vec<&str> = key.iter().map(|k| k.surface.as_str()).collect();
        for k in ["Python", "Kafka", "Airflow", "streaming", "Terraform"] {
            assert!(names.contains(&k), "{k}: {names:?}");
        }
        for k in [
            "Build",
            "operate",
            "Orchestrate",
            "jobs",
            "keep",
            "checks",
            "batch",
        ] {
            assert!(!names.contains(&k), "{k}: {names:?}");
        }
        let t = |k: &str| key.iter().find(|x| x.key == k).unwrap().weight;
        assert!(t("terraform") < t("kafka"));
        let (matched, missing) = listed_terms(&TermBag::of("Python and Kafka"), &key);
        assert_eq!(matched, vec!["Python", "Kafka"]);
        assert!(missing.contains(&"Airflow".to_string()));
        let req = TermBag::of(&lines[2]);
        assert_eq!(
            key_share(&req, &TermBag::of("ran Airflow DAGs"), &key),
            Some(1.0)
        );
        assert_eq!(key_share(&req, &TermBag::of("cron"), &key), Some(0.0));
        assert_eq!(key_share(&TermBag::of("keep"), &req, &key), None);
    }

    #[test]
    fn technical_terms_weigh_more() {
        let job = "Use Kubernetes and gardening";
        let with_skill = compare_texts("Kubernetes", job).score.unwrap();
        let with_word = compare_texts("gardening", job).score.unwrap();
        assert!(with_skill > with_word);
    }
}
