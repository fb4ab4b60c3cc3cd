//! Lexical overlap of hard skills, BM25-style: each job term weighs by its saturated
//! frequency in the job (BM25's `tf·(k1+1)/(tf+k1)`), twice as much when it looks like a
//! hard skill (AWS, C++, TypeScript); the resume is credited for the terms it contains.
//!
//! There is no corpus behind a single (resume, job) pair, so every non-stop word has the
//! same inverse document frequency: stop words (weight 0) play IDF's part. This keeps a
//! pair's score the same whether it is scored alone or ranked among many.

use std::collections::HashMap;

use crate::matching::terms::{terms, Term};

/// BM25's term-frequency saturation constant.
const K1: f32 = 1.2;
/// Extra weight of terms that look like hard skills.
const TECHNICAL_BOOST: f32 = 2.0;
/// How many matched and missing terms a report lists.
pub const MAX_LISTED_TERMS: usize = 15;

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
    fn technical_terms_weigh_more() {
        let job = "Use Kubernetes and gardening";
        let with_skill = compare_texts("Kubernetes", job).score.unwrap();
        let with_word = compare_texts("gardening", job).score.unwrap();
        assert!(with_skill > with_word);
    }
}
