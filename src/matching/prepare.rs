//! Turning documents into what matching compares: chunks and a document vector, requirement
//! or evidence lines with their vectors, and a bag of terms. All texts of all documents go
//! through one [`Encoder::encode`] call (identical texts once), which batches by length.

use std::collections::HashMap;
use std::ops::Range;

use crate::error::Result;
use crate::matching::dates::this_month;
use crate::matching::facts::{job_facts, resume_facts, Facts};
use crate::matching::lexical::{key_terms, KeyTerm, TermBag};
use crate::matching::typed::{classify, TypedRequirement};
use crate::model::Encoder;
use crate::text::chunks::pack_lines;
use crate::text::lines::{evidence_lines, requirement_lines};
use crate::text::normalize::{check_text, normalize};
use crate::text::sections::SectionKind;

/// The line limits, defined in [`crate::limits`].
pub use crate::limits::{MAX_EVIDENCE_LINES, MAX_REQUIREMENT_LINES};

/// Which side of a match a document is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A resume: its lines are evidence.
    Resume,
    /// A job ad: its lines are requirements.
    Job,
}

/// A document's text units before embedding.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Chunks of at most `max_seq_length` tokens covering the whole text.
    pub chunks: Vec<String>,
    /// Requirement (job) or evidence (resume) lines.
    pub lines: Vec<String>,
    /// Per line: optional requirement (job) or bare skills listing (resume).
    pub flags: Vec<bool>,
    /// The terms lexical matching uses: a job's requirement lines and title, a resume's text.
    pub terms: TermBag,
    /// A job's key terms (skill-like terms of its requirement lines, best first); empty for
    /// a resume.
    pub key_terms: Vec<KeyTerm>,
    /// Per line: its terms.
    pub line_terms: Vec<TermBag>,
    /// Notes for the report.
    pub notes: Vec<String>,
    /// Per line: the section it came from.
    pub sections: Vec<SectionKind>,
    /// Per requirement line (a job's; empty for a resume): what it asks for.
    pub typed: Vec<TypedRequirement>,
    /// What the document states that can be checked without the model: skills per line,
    /// dated roles, degree, titles.
    pub facts: Facts,
}

/// A document after embedding.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The units.
    pub plan: Plan,
    /// Normalised mean of the chunk vectors; zeros for an empty text.
    pub vector: Vec<f32>,
    /// One vector per line.
    pub line_vectors: Vec<Vec<f32>>,
}

/// Splits a document into its units without embedding (no model needed).
pub fn plan_lexical(text: &str, role: Role) -> Result<Plan> {
    check_text(text)?;
    let normalized = normalize(text);
    let mut notes = Vec::new();
    let mut sections: Vec<SectionKind>;
    let (mut lines, mut flags, terms_text): (Vec<String>, Vec<bool>, String) = match role {
        Role::Resume => {
            let ev = evidence_lines(text);
            let flags = ev.iter().map(|e| e.listing).collect();
            sections = ev.iter().map(|e| e.section).collect();
            (
                ev.into_iter().map(|e| e.text).collect(),
                flags,
                normalized.clone(),
            )
        }
        Role::Job => {
            let req = requirement_lines(text);
            let title = normalized.lines().next().unwrap_or("");
            let mut terms_text = String::from(title);
            for r in &req {
                terms_text.push('\n');
                terms_text.push_str(&r.text);
            }
            if req.is_empty() {
                terms_text = normalized.clone();
            }
            let flags = req.iter().map(|r| r.optional).collect();
            sections = req.iter().map(|r| r.section).collect();
            (req.into_iter().map(|r| r.text).collect(), flags, terms_text)
        }
    };
    // A line repeated (a pasted-twice resume, a boilerplate bullet) is compared once.
    let mut seen = std::collections::HashSet::new();
    let keep: Vec<bool> = lines.iter().map(|l| seen.insert(l.clone())).collect();
    let mut k = keep.iter();
    lines.retain(|_| k.next().copied().unwrap_or(false));
    let mut k = keep.iter();
    flags.retain(|_| k.next().copied().unwrap_or(false));
    let mut k = keep.iter();
    sections.retain(|_| k.next().copied().unwrap_or(false));
    let (cap, what) = match role {
        Role::Resume => (MAX_EVIDENCE_LINES, "resume lines"),
        Role::Job => (MAX_REQUIREMENT_LINES, "requirement lines"),
    };
    if lines.len() > cap {
        notes.push(format!(
            "only the first {cap} of {} {what} were compared line by line; the whole text \
             counts in the semantic part",
            lines.len()
        ));
        lines.truncate(cap);
        flags.truncate(cap);
        sections.truncate(cap);
    }
    if normalized.is_empty() {
        notes.push(match role {
            Role::Resume => "the resume is empty".to_string(),
            Role::Job => "the job text is empty".to_string(),
        });
    }
    let key_terms = match role {
        Role::Resume => Vec::new(),
        // A job without requirement lines: its whole text stands in for them.
        Role::Job if lines.is_empty() => {
            let all: Vec<String> = normalized.lines().skip(1).map(str::to_string).collect();
            key_terms(&all, &[])
        }
        Role::Job => key_terms(&lines, &flags),
    };
    let line_terms = lines.iter().map(|l| TermBag::of(l)).collect();
    let (typed, facts) = match role {
        Role::Resume => (Vec::new(), resume_facts(&lines, &sections, this_month())),
        Role::Job => {
            let title = job_title(&normalized);
            (
                lines.iter().map(|l| classify(l)).collect(),
                job_facts(&lines, &title),
            )
        }
    };
    Ok(Plan {
        chunks: Vec::new(),
        lines,
        flags,
        terms: TermBag::of(&terms_text),
        key_terms,
        line_terms,
        notes,
        sections,
        typed,
        facts,
    })
}

/// A job's title: its first line, without a stack in parentheses or a company after a
/// dash ("Senior Backend Engineer (Python / Go)" → "Senior Backend Engineer").
fn job_title(normalized: &str) -> String {
    let first = normalized.lines().next().unwrap_or("");
    let first = first.split(". ").next().unwrap_or(first);
    let cut = first
        .split(['(', '|', '—', '–', ',', ':'])
        .next()
        .unwrap_or(first);
    let cut = cut.split(" - ").next().unwrap_or(cut);
    let cut = cut.split(" at ").next().unwrap_or(cut);
    cut.trim().trim_start_matches('#').trim().to_string()
}

/// Splits a document into units, chunks included (needs the tokenizer).
pub fn plan(encoder: &Encoder, text: &str, role: Role) -> Result<Plan> {
    let mut p = plan_lexical(text, role)?;
    let normalized = normalize(text);
    let all_lines: Vec<&str> = normalized.lines().collect();
    p.chunks = pack_lines(
        encoder.tokenizer(),
        &all_lines,
        encoder.spec().max_seq_length,
    )?;
    Ok(p)
}

/// Embeds the units of many documents with one encoder call. With
/// [`Encoder::late_chunking`], a line found inside one of its document's chunks gets the
/// mean of its tokens' states in that chunk's pass ([`Encoder::encode_with_spans`]) instead
/// of a pass of its own; the others (a line the splitter rewrote, one cut across two
/// chunks, the lines of a plan without chunks) still get their own.
pub fn embed_plans(encoder: &Encoder, plans: Vec<Plan>) -> Result<Vec<Prepared>> {
    if encoder.late_chunking() {
        return embed_plans_late(encoder, plans);
    }
    let mut unique: Vec<&str> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    for p in &plans {
        for t in p.chunks.iter().chain(&p.lines) {
            slot.entry(t.as_str()).or_insert_with(|| {
                unique.push(t.as_str());
                unique.len() - 1
            });
        }
    }
    let embeddings = encoder.encode(&unique)?;
    let vector_of = |t: &String| -> Vec<f32> {
        slot.get(t.as_str())
            .and_then(|&i| embeddings.get(i))
            .map(|e| e.vector.clone())
            .unwrap_or_else(|| vec![0.0; encoder.dim()])
    };
    let mut out = Vec::with_capacity(plans.len());
    for p in &plans {
        let chunk_vectors: Vec<Vec<f32>> = p.chunks.iter().map(vector_of).collect();
        let vector = mean_normalized(&chunk_vectors, encoder.dim());
        let line_vectors = p.lines.iter().map(vector_of).collect();
        out.push((vector, line_vectors));
    }
    Ok(with_vectors(plans, out))
}

/// Each plan with its document vector and line vectors.
fn with_vectors(plans: Vec<Plan>, vectors: Vec<(Vec<f32>, Vec<Vec<f32>>)>) -> Vec<Prepared> {
    plans
        .into_iter()
        .zip(vectors)
        .map(|(plan, (vector, line_vectors))| Prepared {
            plan,
            vector,
            line_vectors,
        })
        .collect()
}

/// Where a line's vector comes from in late chunking.
#[derive(Debug, Clone, Copy)]
enum LineSource {
    /// Span `span` of unique text `text` (a chunk).
    Span { text: usize, span: usize },
    /// Unique text `text`, embedded whole (the line itself).
    Whole(usize),
}

/// [`embed_plans`] with late chunking.
fn embed_plans_late(encoder: &Encoder, plans: Vec<Plan>) -> Result<Vec<Prepared>> {
    // Unique texts (chunks, and lines found in no chunk) with the byte ranges to pool.
    let mut unique: Vec<(&str, Vec<Range<usize>>)> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    let mut span_slot: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let mut sources: Vec<Vec<LineSource>> = Vec::with_capacity(plans.len());
    for p in &plans {
        for c in &p.chunks {
            slot.entry(c.as_str()).or_insert_with(|| {
                unique.push((c.as_str(), Vec::new()));
                unique.len() - 1
            });
        }
        let located = locate_lines(&p.chunks, &p.lines);
        let mut plan_sources = Vec::with_capacity(p.lines.len());
        for (line, at) in p.lines.iter().zip(located) {
            let chunk_slot = at.and_then(|(c, r)| {
                let s = *slot.get(p.chunks.get(c)?.as_str())?;
                Some((s, r))
            });
            let source = match chunk_slot {
                Some((s, r)) => {
                    let key = (s, r.start, r.end);
                    let span = *span_slot.entry(key).or_insert_with(|| {
                        let spans = &mut unique[s].1;
                        spans.push(r);
                        spans.len() - 1
                    });
                    LineSource::Span { text: s, span }
                }
                None => LineSource::Whole(*slot.entry(line.as_str()).or_insert_with(|| {
                    unique.push((line.as_str(), Vec::new()));
                    unique.len() - 1
                })),
            };
            plan_sources.push(source);
        }
        sources.push(plan_sources);
    }
    let requests: Vec<(&str, &[Range<usize>])> =
        unique.iter().map(|(t, r)| (*t, r.as_slice())).collect();
    let embedded = encoder.encode_with_spans(&requests)?;
    // A span truncation cut (a chunk re-tokenised a little longer than planned): that line
    // gets its own pass after all, in one more call.
    let mut cut: Vec<&str> = Vec::new();
    let mut cut_slot: HashMap<&str, usize> = HashMap::new();
    for (p, plan_sources) in plans.iter().zip(&sources) {
        for (line, source) in p.lines.iter().zip(plan_sources) {
            if let LineSource::Span { text, span } = *source {
                let pooled = embedded
                    .get(text)
                    .and_then(|e| e.spans.get(span))
                    .is_some_and(Option::is_some);
                if !pooled {
                    cut_slot.entry(line.as_str()).or_insert_with(|| {
                        cut.push(line.as_str());
                        cut.len() - 1
                    });
                }
            }
        }
    }
    let cut_vectors = if cut.is_empty() {
        Vec::new()
    } else {
        encoder.encode(&cut)?
    };
    let zeros = || vec![0.0; encoder.dim()];
    let whole_of = |i: usize| -> Vec<f32> {
        embedded
            .get(i)
            .map(|e| e.embedding.vector.clone())
            .unwrap_or_else(zeros)
    };
    let mut out = Vec::with_capacity(plans.len());
    for (p, plan_sources) in plans.iter().zip(&sources) {
        let chunk_vectors: Vec<Vec<f32>> = p
            .chunks
            .iter()
            .map(|c| slot.get(c.as_str()).map_or_else(zeros, |&i| whole_of(i)))
            .collect();
        let vector = mean_normalized(&chunk_vectors, encoder.dim());
        let line_vectors = p
            .lines
            .iter()
            .zip(plan_sources)
            .map(|(line, source)| match *source {
                LineSource::Whole(i) => whole_of(i),
                LineSource::Span { text, span } => embedded
                    .get(text)
                    .and_then(|e| e.spans.get(span))
                    .and_then(Clone::clone)
                    .or_else(|| {
                        cut_slot
                            .get(line.as_str())
                            .and_then(|&i| cut_vectors.get(i))
                            .map(|e| e.vector.clone())
                    })
                    .unwrap_or_else(zeros),
            })
            .collect();
        out.push((vector, line_vectors));
    }
    Ok(with_vectors(plans, out))
}

/// Where each line is in the chunks: the chunk and the byte range of its first occurrence
/// at or after the previous line's (lines come in document order; the search wraps around
/// once for a line out of order), as a whole word run (no letter or digit on either side).
/// `None` for a line found in no chunk: the splitter rewrote it (sentences joined, a
/// clause list cut at commas keeps its words but a heading prefix may have gone), or a
/// line longer than a chunk was cut across two. Linear in the chunks' length per line at
/// worst, and the lines are capped ([`MAX_EVIDENCE_LINES`], [`MAX_REQUIREMENT_LINES`]).
fn locate_lines(chunks: &[String], lines: &[String]) -> Vec<Option<(usize, Range<usize>)>> {
    let mut cursor = (0usize, 0usize);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let found = (cursor.0..chunks.len())
            .chain(0..=cursor.0.min(chunks.len().saturating_sub(1)))
            .enumerate()
            .find_map(|(step, c)| {
                let from = if step == 0 { cursor.1 } else { 0 };
                let chunk = chunks.get(c)?;
                find_word_run(chunk, line, from).map(|start| (c, start..start + line.len()))
            });
        if let Some((c, r)) = &found {
            cursor = (*c, r.end);
        }
        out.push(found);
    }
    out
}

/// The first occurrence of `needle` in `haystack` at or after byte `from` with no letter or
/// digit just before or after it.
fn find_word_run(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut at = from;
    while let Some(i) = haystack.get(at..)?.find(needle) {
        let start = at + i;
        let end = start + needle.len();
        let before = haystack[..start].chars().next_back();
        let after = haystack[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(start);
        }
        // next char boundary after `start`
        at = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Plans and embeds documents in one encoder call.
pub fn prepare_all(encoder: &Encoder, docs: &[(&str, Role)]) -> Result<Vec<Prepared>> {
    let plans = docs
        .iter()
        .map(|&(text, role)| plan(encoder, text, role))
        .collect::<Result<Vec<_>>>()?;
    embed_plans(encoder, plans)
}

/// The L2-normalised mean of vectors; zeros when there are none (or they cancel out).
pub fn mean_normalized(vectors: &[Vec<f32>], dim: usize) -> Vec<f32> {
    let mut mean = vec![0f32; dim];
    for v in vectors {
        for (m, x) in mean.iter_mut().zip(v) {
            *m += x;
        }
    }
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for m in &mut mean {
            *m /= norm;
        }
    }
    mean
}

/// A document vector: the normalised mean of the vectors of chunks (of at most
/// `max_seq_length` tokens) that together hold the whole text.
pub fn document_vector(encoder: &Encoder, text: &str) -> Result<Vec<f32>> {
    check_text(text)?;
    let normalized = normalize(text);
    let lines: Vec<&str> = normalized.lines().collect();
    let chunks = pack_lines(encoder.tokenizer(), &lines, encoder.spec().max_seq_length)?;
    let refs: Vec<&str> = chunks.iter().map(String::as_str).collect();
    let vectors: Vec<Vec<f32>> = encoder
        .encode(&refs)?
        .into_iter()
        .map(|e| e.vector)
        .collect();
    Ok(mean_normalized(&vectors, encoder.dim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_nothing_is_zero_and_mean_is_unit() {
        assert_eq!(mean_normalized(&[], 3), vec![0.0; 3]);
        let m = mean_normalized(&[vec![1.0, 0.0], vec![0.0, 1.0]], 2);
        assert!((m[0] - m[1]).abs() < 1e-6 && (m[0] * m[0] + m[1] * m[1] - 1.0).abs() < 1e-5);
    }

    #[test]
    fn lines_are_found_as_whole_words_in_document_order() {
        assert_eq!(find_word_run("Google Go", "Go", 0), Some(7));
        assert_eq!(find_word_run("Go, SQL", "Go", 0), Some(0));
        assert_eq!(find_word_run("Going", "Go", 0), None);
        assert_eq!(find_word_run("é Go", "Go", 1), None); // `from` inside a char: no panic
        assert_eq!(find_word_run("abc", "", 0), None);
        let chunks = vec![
            "Skills\nGo and SQL".to_string(),
            "- Ran SQL db.\n- Go".to_string(),
        ];
        let lines: Vec<String> = ["Go and SQL", "Ran SQL db.", "Go", "Skills", "Rust"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let at = locate_lines(&chunks, &lines);
        assert_eq!(at[0], Some((0, 7..17)));
        assert_eq!(at[1], Some((1, 2..13)));
        // after the previous line, not the first "Go" of the text
        assert_eq!(at[2], Some((1, 16..18)));
        // out of order: found by wrapping around
        assert_eq!(at[3], Some((0, 0..6)));
        assert_eq!(at[4], None);
        assert!(locate_lines(&[], &lines).iter().all(Option::is_none));
    }

    #[test]
    fn lexical_plan_of_a_job_uses_requirements() {
        let p = plan_lexical(
            "Nurse\n\nRequirements:\n- BLS certification\n- Epic",
            Role::Job,
        )
        .unwrap();
        assert_eq!(p.lines, vec!["BLS certification", "Epic"]);
        assert!(p.terms.contains("bls") && p.terms.contains("nurse"));
        assert!(plan_lexical("\0\0", Role::Resume).is_err());
        let twice = plan_lexical(
            "Built APIs in Go.\nBuilt APIs in Go.\nRan Kafka.",
            Role::Resume,
        )
        .unwrap();
        assert_eq!(twice.lines, vec!["Built APIs in Go.", "Ran Kafka."]);
    }
}
