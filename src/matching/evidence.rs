//! Evidence per requirement kind: named skills from the vocabulary, years from dated roles,
//! degrees from the education part; soft skills and logistics are for the candidate to
//! check; everything else is left to semantic similarity ([`Judged::decided`] false).

use serde::Serialize;

use crate::matching::dates::{years, Span};
use crate::matching::facts::Facts;
use crate::matching::report::CoverageStatus;
use crate::matching::terms::is_stop_word;
use crate::matching::typed::{RequirementKind, TypedRequirement, YearsAsk};
use crate::skills::{vocabulary, SkillId};

/// At most this many resume lines are quoted as evidence for one requirement.
pub const MAX_EVIDENCE_LINES: usize = 3;

/// Score credit of a skill group met only by bare listings (skills sections).
pub const LISTED_CREDIT: f32 = 0.6;

/// One named skill of a requirement and whether the resume names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillCheck {
    /// Canonical name.
    pub name: String,
    /// Kind (`tool`, `hard_skill`, `certification`, `language`, `soft_skill`).
    pub kind: &'static str,
    /// Whether the resume names it (or an alias).
    pub found: bool,
}

/// The numbers behind an experience or education verdict.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Numbers {
    /// Years the job asks for.
    pub years_asked: Option<f32>,
    /// Years the resume shows in total (dated roles, overlaps merged; or claimed in words
    /// when no role is dated).
    pub years_shown: Option<f32>,
    /// Years in roles that match the requirement's field.
    pub years_in_field: Option<f32>,
    /// Degree the job asks for.
    pub degree_asked: Option<&'static str>,
    /// Highest degree the resume shows.
    pub degree_shown: Option<&'static str>,
}

/// The verdict on one requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Status.
    pub status: CoverageStatus,
    /// Resume lines that back it (indices into the resume's lines).
    pub lines: Vec<usize>,
    /// Named skills and whether each was found.
    pub skills: Vec<SkillCheck>,
    /// Numbers, for experience and education.
    pub numbers: Option<Numbers>,
    /// A sentence for the candidate ("you show 2.5 years; the ad asks 2+").
    pub note: Option<String>,
    /// Whether the typed evidence decided the status (false: semantic similarity decides).
    pub decided: bool,
    /// Share of skill groups met, for the skills part of the score (`None` without groups).
    pub groups_met: Option<(f32, usize)>,
    /// Fit of the years asked, 0–1 (`None` without an experience ask).
    pub years_fit: Option<f32>,
}

/// Words of a years ask's field that do not narrow it down.
const FIELD_FILLER: &[&str] = &[
    "professional",
    "production",
    "relevant",
    "industry",
    "working",
    "hands",
    "environment",
    "setting",
    "related",
    "similar",
    "experience",
    "role",
    "roles",
    "position",
    "progressive",
    "combined",
    "total",
    "proven",
    "least",
    "post",
    "full",
    "time",
    "paid",
];

/// Content words of a field (lower case, 3+ letters, no stop or filler words).
fn field_words(field: &str) -> Vec<String> {
    field
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() >= 3 && !is_stop_word(w) && !FIELD_FILLER.contains(&w.as_str()))
        .collect()
}

/// Whether two words are one word give or take an ending ("systems" / "system").
fn same_word(a: &str, b: &str) -> bool {
    if a.len() >= 5 && b.len() >= 5 {
        a.get(..5) == b.get(..5)
    } else {
        a == b
    }
}

fn mentions_any(text: &str, words: &[String]) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| words.iter().any(|f| same_word(&w.to_lowercase(), f)))
}

/// Judges one typed requirement against a resume. `listing[j]` marks resume lines that are
/// bare skill lists; `degree_field_close` tells whether the resume's degree line is close
/// in meaning to the requirement (from the model; `false` without it).
pub fn judge(
    req: &TypedRequirement,
    resume: &Facts,
    resume_lines: &[String],
    listing: &[bool],
    degree_field_close: bool,
) -> Judged {
    let mut j = Judged {
        status: CoverageStatus::Missing,
        lines: Vec::new(),
        skills: skill_checks(req, resume),
        numbers: None,
        note: None,
        decided: true,
        groups_met: None,
        years_fit: None,
    };
    if !req.groups.is_empty() {
        let met = req
            .groups
            .iter()
            .filter(|g| g.iter().any(|id| resume.skills.contains_key(id)))
            .count();
        // For the score, a skill only listed (a skills section) earns less than one a
        // described line names: listing a skill does not show it.
        let credit: f32 = req
            .groups
            .iter()
            .map(|g| {
                let lines = g.iter().filter_map(|id| resume.skills.get(id)).flatten();
                let mut best = 0f32;
                for &l in lines {
                    let listed = listing.get(l).copied().unwrap_or(false);
                    best = best.max(if listed { LISTED_CREDIT } else { 1.0 });
                }
                best
            })
            .sum();
        j.groups_met = Some((credit / req.groups.len() as f32, req.groups.len()));
        j.lines = evidence_for(req.groups.iter().flatten().copied(), resume, listing);
        let soft_named = req.soft.iter().any(|id| resume.skills.contains_key(id));
        j.status = if met == req.groups.len() {
            CoverageStatus::Covered
        } else if met > 0 || soft_named {
            CoverageStatus::Partial
        } else {
            CoverageStatus::Missing
        };
    }
    match req.kind {
        RequirementKind::Experience => {
            let (status, numbers, note, fit) = judge_years(req, resume, resume_lines);
            j.years_fit = Some(fit);
            j.numbers = Some(numbers);
            j.note = Some(note);
            // Years and named skills both count: the weaker verdict stands, except that
            // years shown in roles of the field are never "missing" for want of the
            // skill's exact name ("3+ years of applied machine learning" against seven
            // years as an ML researcher).
            j.status = if req.groups.is_empty() {
                status
            } else if status == CoverageStatus::Covered && j.status == CoverageStatus::Missing {
                CoverageStatus::Partial
            } else {
                weaker(status, j.status)
            };
            if j.lines.is_empty() {
                j.lines = resume
                    .roles
                    .iter()
                    .take(MAX_EVIDENCE_LINES)
                    .map(|r| r.line)
                    .collect();
            }
        }
        RequirementKind::Education => {
            let (status, numbers, line) = judge_degree(req, resume, degree_field_close);
            j.status = status;
            j.numbers = Some(numbers);
            j.lines = line.into_iter().collect();
        }
        RequirementKind::SoftSkill | RequirementKind::Logistics => {
            j.status = CoverageStatus::CheckYourself;
            j.lines = evidence_for(req.soft.iter().copied(), resume, listing);
            j.note = Some(
                match req.kind {
                    RequirementKind::SoftSkill => "a resume cannot prove this: check it yourself",
                    _ => "travel, location, authorisation or schedule: check it yourself",
                }
                .to_string(),
            );
        }
        RequirementKind::Other => j.decided = false,
        RequirementKind::Skills | RequirementKind::Certification | RequirementKind::Language => {}
    }
    j
}

fn weaker(a: CoverageStatus, b: CoverageStatus) -> CoverageStatus {
    let rank = |s| match s {
        CoverageStatus::Missing => 0,
        CoverageStatus::Partial => 1,
        _ => 2,
    };
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

fn skill_checks(req: &TypedRequirement, resume: &Facts) -> Vec<SkillCheck> {
    let vocab = vocabulary();
    req.groups
        .iter()
        .flatten()
        .chain(&req.soft)
        .filter_map(|&id| {
            let s = vocab.skill(id)?;
            Some(SkillCheck {
                name: req.skill_name(id)?,
                kind: s.kind.as_str(),
                found: resume.skills.contains_key(&id),
            })
        })
        .collect()
}

/// The resume lines naming the skills: per skill its first described line (a bare listing
/// only when nothing else names it), at most [`MAX_EVIDENCE_LINES`] in all.
fn evidence_for(
    ids: impl Iterator<Item = SkillId>,
    resume: &Facts,
    listing: &[bool],
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for id in ids {
        let Some(lines) = resume.skills.get(&id) else {
            continue;
        };
        let pick = lines
            .iter()
            .find(|&&l| !listing.get(l).copied().unwrap_or(false))
            .or(lines.first());
        if let Some(&l) = pick {
            if !out.contains(&l) && out.len() < MAX_EVIDENCE_LINES {
                out.push(l);
            }
        }
    }
    out
}

fn round1(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}

fn judge_years(
    req: &TypedRequirement,
    resume: &Facts,
    lines: &[String],
) -> (CoverageStatus, Numbers, String, f32) {
    let all: Vec<Span> = resume.roles.iter().map(|r| r.span).collect();
    let dated = years(&all);
    let total = if all.is_empty() {
        resume.claimed_years.unwrap_or(0.0)
    } else {
        dated
    };
    let vocab = vocabulary();
    let req_skills: Vec<String> = req
        .groups
        .iter()
        .flatten()
        .filter_map(|&id| vocab.skill(id).map(|s| s.name.to_lowercase()))
        .collect();
    let mut worst: Option<(f32, YearsAsk, f32)> = None;
    for ask in &req.years {
        // The field is judged on role titles ("Software Engineer" for "software
        // development"), the skills the requirement names on the roles' lines.
        let words = field_words(&ask.field);
        let mut skills: Vec<String> = req_skills.iter().flat_map(|s| field_words(s)).collect();
        // Skills count for the ask that names them ("3+ years with React"), not for a
        // broader one in the same line ("5+ years of software engineering, including …").
        if !words.is_empty() && !skills.iter().any(|s| words.contains(s)) {
            skills.clear();
        }
        let in_field = if words.is_empty() && skills.is_empty() {
            total
        } else {
            let headline_says = !words.is_empty()
                && (resume
                    .titles
                    .iter()
                    .take(1)
                    .any(|t| mentions_any(t, &words))
                    || lines.iter().take(3).any(|l| mentions_any(l, &words)));
            let spans: Vec<Span> = resume
                .roles
                .iter()
                .filter(|r| {
                    headline_says
                        || (!words.is_empty() && mentions_any(&r.title, &words))
                        || (!skills.is_empty()
                            && lines
                                .get(r.lines.clone())
                                .is_some_and(|ls| ls.iter().any(|l| mentions_any(l, &skills))))
                })
                .map(|r| r.span)
                .collect();
            if all.is_empty() {
                total
            } else {
                years(&spans)
            }
        };
        let fit = (in_field / ask.years).min(1.0) * 0.8 + (total / ask.years).min(1.0) * 0.2;
        if worst.as_ref().is_none_or(|w| fit < w.0) {
            worst = Some((fit, ask.clone(), in_field));
        }
    }
    let Some((fit, ask, in_field)) = worst else {
        return (
            CoverageStatus::Missing,
            Numbers::default(),
            String::new(),
            0.0,
        );
    };
    let numbers = Numbers {
        years_asked: Some(ask.years),
        years_shown: Some(round1(total)),
        years_in_field: Some(round1(in_field)),
        ..Numbers::default()
    };
    let asked = format!("{}+", round1(ask.years));
    let status = if in_field >= ask.years {
        CoverageStatus::Covered
    } else if total >= ask.years || in_field >= 0.5 * ask.years {
        CoverageStatus::Partial
    } else {
        CoverageStatus::Missing
    };
    let note = if all.is_empty() && resume.claimed_years.is_none() {
        format!("no dated roles found in the resume; the ad asks {asked} years")
    } else if (in_field - total).abs() < 0.05 || ask.field.is_empty() {
        format!("you show {} years; the ad asks {asked}", round1(total))
    } else {
        format!(
            "you show {} years in total, {} in roles matching \"{}\"; the ad asks {asked}",
            round1(total),
            round1(in_field),
            ask.field.trim()
        )
    };
    (status, numbers, note, fit)
}

fn judge_degree(
    req: &TypedRequirement,
    resume: &Facts,
    field_close: bool,
) -> (CoverageStatus, Numbers, Option<usize>) {
    let Some((asked, lenient)) = req.degree else {
        return (CoverageStatus::Missing, Numbers::default(), None);
    };
    let mut numbers = Numbers {
        degree_asked: Some(asked.as_str()),
        ..Numbers::default()
    };
    let Some((shown, line)) = resume.degree else {
        return (CoverageStatus::Missing, numbers, None);
    };
    numbers.degree_shown = Some(shown.as_str());
    let status = if shown < asked {
        if lenient {
            CoverageStatus::Partial
        } else {
            CoverageStatus::Missing
        }
    } else if field_close || lenient {
        CoverageStatus::Covered
    } else {
        CoverageStatus::Partial
    };
    (status, numbers, Some(line))
}
