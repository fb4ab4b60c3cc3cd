//! Seeded synthetic job corpora for benchmarks and tests (never for the demo): each job is a
//! title and a few sentences recombined from per-field banks, so a corpus of any size comes
//! from a few hundred distinct sentences ([`units`]), which tests embed once.

mod fields;

use crate::index::JobMeta;
use fields::{CITIES, COMPANIES, FIELDS};

/// The sentence templates: a skill requirement, a years requirement.
fn skill_sentence(skill: &str) -> String {
    format!("Experience with {skill} is required.")
}

fn years_sentence(years: usize, field: &str) -> String {
    format!("{years}+ years of experience in {field}.")
}

/// Every distinct text a synthetic job is made of (titles and sentences), in a fixed order.
pub fn units() -> Vec<String> {
    let mut out = Vec::new();
    for f in FIELDS {
        out.extend(f.titles.iter().map(|t| t.to_string()));
        out.extend(f.skills.iter().map(|s| skill_sentence(s)));
        out.extend(f.duties.iter().map(|d| d.to_string()));
        out.extend((1..=8).map(|y| years_sentence(y, f.name)));
    }
    out
}

/// One synthetic job: its metadata and the units its text is made of (title first).
#[derive(Debug, Clone)]
pub struct SynthJob {
    /// Metadata; `text` is the units, the title on its own line.
    pub meta: JobMeta,
    /// The title and sentences, each one of [`units`].
    pub units: Vec<String>,
}

/// splitmix64: small, seeded, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `count` jobs from `seed`, each a title and 1 to `max_sentences` sentences (mostly from
/// its field, sometimes one from another).
pub fn synth_jobs(count: usize, seed: u64, max_sentences: usize) -> Vec<SynthJob> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let f = &FIELDS[rng.below(FIELDS.len())];
            let title = f.titles[rng.below(f.titles.len())].to_string();
            let mut units = vec![title.clone()];
            for _ in 0..1 + rng.below(max_sentences.max(1)) {
                let g = if rng.below(10) == 0 {
                    &FIELDS[rng.below(FIELDS.len())]
                } else {
                    f
                };
                let s = match rng.below(3) {
                    0 => skill_sentence(g.skills[rng.below(g.skills.len())]),
                    1 => g.duties[rng.below(g.duties.len())].to_string(),
                    _ => years_sentence(1 + rng.below(8), g.name),
                };
                if !units.contains(&s) {
                    units.push(s);
                }
            }
            let company = COMPANIES[rng.below(COMPANIES.len())];
            let meta = JobMeta {
                id: format!("synth-{i}"),
                title,
                company: format!("{company} (synthetic)"),
                location: CITIES[rng.below(CITIES.len())].to_string(),
                url: format!("https://example.com/jobs/synth-{i}"),
                text: format!("{}\n{}", units[0], units[1..].join(" ")),
                extra: serde_json::Map::new(),
            };
            SynthJob { meta, units }
        })
        .collect()
}

/// A synthetic job's vector: the normalised mean of its units' vectors (`vector_of` gives
/// each unit's, e.g. from one encoder call over [`units`]). An approximation of
/// [`crate::matching::document_vector`] good enough for benchmarks; never for real jobs.
pub fn job_vector<'a>(
    units: &[String],
    dim: usize,
    vector_of: impl Fn(&str) -> Option<&'a [f32]>,
) -> Vec<f32> {
    let vectors: Vec<Vec<f32>> = units
        .iter()
        .filter_map(|u| vector_of(u).map(<[f32]>::to_vec))
        .collect();
    crate::matching::prepare::mean_normalized(&vectors, dim)
}

/// An index of synthetic jobs from their units' vectors (no line vectors).
pub fn synth_index<'a>(
    jobs: Vec<SynthJob>,
    identity: crate::index::IndexIdentity,
    dim: usize,
    vector_of: impl Fn(&str) -> Option<&'a [f32]>,
) -> crate::Result<crate::index::JobIndex> {
    let mut builder = crate::index::IndexBuilder::new(identity, dim, false);
    for job in jobs {
        let v = job_vector(&job.units, dim, &vector_of);
        builder.push_vectors(job.meta, &v, &[], 1)?;
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_made_of_units() {
        let a = synth_jobs(200, 7, 3);
        let b = synth_jobs(200, 7, 3);
        assert_eq!(
            a.iter().map(|j| &j.meta.text).collect::<Vec<_>>(),
            b.iter().map(|j| &j.meta.text).collect::<Vec<_>>()
        );
        let all = units();
        assert!(a
            .iter()
            .all(|j| j.units.iter().all(|u| all.contains(u)) && j.units.len() <= 4));
        assert_ne!(synth_jobs(5, 8, 3)[0].meta.text, a[0].meta.text);
    }
}
