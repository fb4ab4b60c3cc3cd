//! The terms a report lists: the job's named skills (canonical names from the vocabulary)
//! that the resume names and lacks. A skill is never both; an alternative of a "one of"
//! group the resume meets is not missing; soft skills are not terms (they are "check
//! yourself" requirements).

use std::collections::HashMap;

use crate::matching::lexical::MAX_LISTED_TERMS;
use crate::matching::prepare::Plan;
use crate::skills::{vocabulary, SkillId, SkillKind};

/// Matched and missing skills of a job against a resume, most weighty first (a required
/// line counts 1, an optional one 0.5; on ties curated skills first, then the job's
/// order), at most
/// [`MAX_LISTED_TERMS`] each.
pub fn listed(job: &Plan, resume: &Plan) -> (Vec<String>, Vec<String>) {
    let vocab = vocabulary();
    let has = |id: &SkillId| resume.facts.skills.contains_key(id);
    let mut weight: HashMap<SkillId, f32> = HashMap::new();
    let mut order: Vec<SkillId> = Vec::new();
    let mut excused: Vec<SkillId> = Vec::new();
    // each skill under the name its first requirement shows it with ("MLflow")
    let mut names: HashMap<SkillId, String> = HashMap::new();
    for (i, typed) in job.typed.iter().enumerate() {
        for &id in typed.groups.iter().flatten() {
            if let (false, Some(name)) = (names.contains_key(&id), typed.skill_name(id)) {
                names.insert(id, name);
            }
        }
        let w = if job.flags.get(i).copied().unwrap_or(false) {
            0.5
        } else {
            1.0
        };
        for group in &typed.groups {
            let met = group.iter().any(has);
            for &id in group {
                if vocab.skill(id).is_none_or(|s| s.kind == SkillKind::Soft) {
                    continue;
                }
                if met && !has(&id) {
                    excused.push(id);
                    continue;
                }
                if !weight.contains_key(&id) {
                    order.push(id);
                }
                *weight.entry(id).or_insert(0.0) += w;
            }
        }
    }
    let mut ranked: Vec<(usize, SkillId)> = order.into_iter().enumerate().collect();
    let curated = |id: SkillId| vocab.skill(id).is_some_and(|s| s.curated);
    ranked.sort_by(|a, b| {
        let (wa, wb) = (weight.get(&a.1), weight.get(&b.1));
        wb.partial_cmp(&wa)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(curated(b.1).cmp(&curated(a.1)))
            .then(a.0.cmp(&b.0))
    });
    let (mut matched, mut missing) = (Vec::new(), Vec::new());
    for (_, id) in ranked {
        let Some(name) = names.get(&id).cloned() else {
            continue;
        };
        if has(&id) {
            matched.push(name);
        } else if !excused.contains(&id) || weight.contains_key(&id) {
            missing.push(name);
        }
    }
    matched.truncate(MAX_LISTED_TERMS);
    missing.truncate(MAX_LISTED_TERMS);
    (matched, missing)
}
