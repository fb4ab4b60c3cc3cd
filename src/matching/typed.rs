//! Typed requirements: what one requirement line of a job asks for. Named skills (with
//! "one of" and "all of" groups), years of experience ("2+ years", "at least 3 years of …"),
//! education (level and field), certifications and licences, languages, soft skills and
//! logistics (travel, location, work authorisation, schedule).

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::matching::education::{degree_in, Degree};
use crate::skills::{vocabulary, Mention, SkillId, SkillKind};

/// What a requirement asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    /// Named tools, technologies or hard skills.
    Skills,
    /// A number of years of experience.
    Experience,
    /// A degree.
    Education,
    /// A certification or licence.
    Certification,
    /// A human language.
    Language,
    /// A soft skill: a resume cannot prove it.
    SoftSkill,
    /// Travel, location, work authorisation, schedule: a resume cannot prove it.
    Logistics,
    /// Anything else: judged by meaning.
    Other,
}

impl RequirementKind {
    /// The kind as a word (`skills`, `experience`, …, `other`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementKind::Skills => "skills",
            RequirementKind::Experience => "experience",
            RequirementKind::Education => "education",
            RequirementKind::Certification => "certification",
            RequirementKind::Language => "language",
            RequirementKind::SoftSkill => "soft_skill",
            RequirementKind::Logistics => "logistics",
            RequirementKind::Other => "other",
        }
    }
}

/// One "years of" ask: "5+ years of professional software development".
#[derive(Debug, Clone, PartialEq)]
pub struct YearsAsk {
    /// Years asked for.
    pub years: f32,
    /// The field words after it ("professional software development"), lower case.
    pub field: String,
}

/// A requirement line, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedRequirement {
    /// The kind.
    pub kind: RequirementKind,
    /// Skill groups: every group must be met; a group is met by any one of its skills
    /// ("React, Vue, or Angular" is one group; "Python and SQL" are two).
    pub groups: Vec<Vec<SkillId>>,
    /// Soft skills named.
    pub soft: Vec<SkillId>,
    /// Years asked, with their fields.
    pub years: Vec<YearsAsk>,
    /// The degree asked for, with whether a related field or equivalent experience is
    /// accepted.
    pub degree: Option<(Degree, bool)>,
    /// How the line writes each skill it names ("MLflow", "FHIR"), for reports.
    pub surface: Vec<(SkillId, String)>,
}

impl TypedRequirement {
    /// The name a report shows for one of this requirement's skills: the vocabulary's, or
    /// for a gazetteer skill (whose casing is a guess: "Mlflow") the ad's own writing of
    /// the same words when it has capitals ("MLflow") and is not shouting ("DOCKER").
    pub fn skill_name(&self, id: SkillId) -> Option<String> {
        let skill = vocabulary().skill(id)?;
        if !skill.curated {
            let written = self.surface.iter().find(|(i, s)| {
                *i == id
                    && s.to_lowercase() == skill.name.to_lowercase()
                    && s.chars().any(char::is_uppercase)
                    && (s.chars().any(char::is_lowercase) || s.chars().count() <= 6)
            });
            if let Some((_, s)) = written {
                return Some(s.clone());
            }
        }
        Some(skill.name.clone())
    }
}

/// Phrases that turn the list after them into examples, any one of which will do.
const EXAMPLE_CUES: &[&str] = &[
    "such as",
    "e.g",
    "for example",
    "for instance",
    "like ",
    "one of",
    "any of",
    "at least one",
    "one or more",
    "similar",
    "or other",
    "or another",
    "or equivalent",
    "including",
];
/// Words of logistics requirements.
const LOGISTICS_CUES: &[&str] = &[
    "travel",
    "relocat",
    "on-site",
    "onsite",
    "on site",
    "in-office",
    "in office",
    "hybrid",
    "remote",
    "authoriz",
    "authoris",
    "visa",
    "sponsorship",
    "citizen",
    "clearance",
    "shift",
    "nights",
    "weekends",
    "weekend",
    "schedule",
    "on-call",
    "on call",
    "overtime",
    "lift ",
    "lbs",
    "pounds",
    "background check",
    "drug screen",
    "drug test",
    "availability",
    "available to",
    "commute",
    "located in",
    "time zone",
    "driving record",
    "be at least 18",
];

fn years_regex() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?P<n>\d{1,2}(?:\.\d)?|one|two|three|four|five|six|seven|eight|nine|ten)\s*(?:\+|plus)?(?:\s*(?:-|to|–)\s*\d{1,2})?\s*\+?\s*(?P<unit>years?|yrs?|months?)\b(?:\s*'|’)?(?P<rest>[^,;.()]*)",
        )
        .ok()
    })
    .as_ref()
}

fn number(word: &str) -> Option<f32> {
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    if let Some(i) = words.iter().position(|w| w.eq_ignore_ascii_case(word)) {
        return Some(i as f32 + 1.0);
    }
    word.parse().ok()
}

/// The "N years of …" asks of a line.
pub fn years_asked(line: &str) -> Vec<YearsAsk> {
    let Some(re) = years_regex() else {
        return Vec::new();
    };
    re.captures_iter(line)
        .filter_map(|c| {
            let n = number(c.name("n")?.as_str())?;
            let unit = c.name("unit")?.as_str().to_lowercase();
            let years = if unit.starts_with('m') { n / 12.0 } else { n };
            let rest = c.name("rest").map_or("", |m| m.as_str()).to_lowercase();
            let field = rest
                .trim()
                .trim_start_matches("of ")
                .trim_start_matches("experience ")
                .trim_start_matches("of ")
                .trim_start_matches("professional ")
                .trim()
                .to_string();
            (years > 0.0 && years <= 40.0).then_some(YearsAsk { years, field })
        })
        .collect()
}

/// Groups skill mentions: two mentions joined by "or", "/" or "and/or" are alternatives;
/// after an examples cue ("such as", "e.g.", "one of") the rest of the list is one group.
fn group_mentions(line: &str, mentions: &[(Mention, SkillId)]) -> Vec<Vec<SkillId>> {
    let lower = line.to_lowercase();
    let cue_at = EXAMPLE_CUES
        .iter()
        .filter_map(|c| lower.find(c))
        .min()
        .filter(|&at| mentions.len() > 1 && mentions.iter().any(|(m, _)| m.start > at));
    let mut groups: Vec<Vec<SkillId>> = Vec::new();
    let mut examples: Vec<SkillId> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for (m, id) in mentions {
        if cue_at.is_some_and(|at| m.start > at) {
            if !examples.contains(id) {
                examples.push(*id);
            }
            continue;
        }
        let between = prev_end.and_then(|e| lower.get(e..m.start)).unwrap_or("");
        let alternative = prev_end.is_some()
            && (between
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "or")
                || between.trim() == "/");
        match groups.last_mut() {
            Some(g) if alternative => {
                if !g.contains(id) {
                    g.push(*id);
                }
            }
            _ => {
                if !groups.iter().any(|g| g.contains(id)) {
                    groups.push(vec![*id]);
                }
            }
        }
        prev_end = Some(m.end);
    }
    // The category just before the cue ("front end languages such as HTML, CSS") is met
    // by its examples.
    if let (Some(at), false) = (cue_at, examples.is_empty()) {
        if prev_end.is_some_and(|e| e <= at && at - e <= 30) {
            if let Some(last) = groups.pop() {
                for id in last {
                    if !examples.contains(&id) {
                        examples.insert(0, id);
                    }
                }
            }
        }
    }
    // An example already named before the cue ("code versioning tools such as Git") is
    // that group's, not a new one.
    examples.retain(|id| !groups.iter().any(|g| g.contains(id)));
    if !examples.is_empty() {
        groups.push(examples);
    }
    groups
}

/// Types one requirement line.
pub fn classify(line: &str) -> TypedRequirement {
    let vocab = vocabulary();
    let mentions: Vec<(Mention, SkillId, SkillKind)> = vocab
        .find(line)
        .into_iter()
        .filter_map(|m| Some((m, m.skill, vocab.skill(m.skill)?.kind)))
        .collect();
    let hard: Vec<(Mention, SkillId)> = mentions
        .iter()
        .filter(|(_, _, k)| *k != SkillKind::Soft)
        .map(|&(m, id, _)| (m, id))
        .collect();
    let soft: Vec<SkillId> = mentions
        .iter()
        .filter(|(_, _, k)| *k == SkillKind::Soft)
        .map(|&(_, id, _)| id)
        .collect();
    let groups = group_mentions(line, &hard);
    let years = years_asked(line);
    let lower = line.to_lowercase();
    let degree = degree_in(line).map(|d| {
        let lenient = ["related", "equivalent", "similar", "such as", "or other"]
            .iter()
            .any(|c| lower.contains(c));
        (d, lenient)
    });
    let all_kind = |k: SkillKind| {
        !hard.is_empty()
            && mentions
                .iter()
                .filter(|(_, _, kind)| *kind != SkillKind::Soft)
                .all(|(_, _, kind)| *kind == k)
    };
    let logistics = LOGISTICS_CUES.iter().any(|c| lower.contains(c));
    let kind = if !years.is_empty() {
        RequirementKind::Experience
    } else if degree.is_some() {
        RequirementKind::Education
    } else if all_kind(SkillKind::Certification) {
        RequirementKind::Certification
    } else if all_kind(SkillKind::Language) {
        RequirementKind::Language
    } else if !hard.is_empty() {
        RequirementKind::Skills
    } else if logistics {
        RequirementKind::Logistics
    } else if !soft.is_empty() {
        RequirementKind::SoftSkill
    } else {
        RequirementKind::Other
    };
    let surface = mentions
        .iter()
        .filter_map(|(m, id, _)| Some((*id, line.get(m.start..m.end)?.to_string())))
        .collect();
    TypedRequirement {
        kind,
        groups,
        soft,
        years,
        degree,
        surface,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(groups: &[Vec<SkillId>]) -> Vec<Vec<String>> {
        let v = vocabulary();
        groups
            .iter()
            .map(|g| {
                g.iter()
                    .filter_map(|&id| v.skill(id).map(|s| s.name.clone()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn kinds() {
        let k = |l: &str| classify(l).kind;
        assert_eq!(
            k("5+ years of professional software development"),
            RequirementKind::Experience
        );
        assert_eq!(
            k("At least 3 years of React experience"),
            RequirementKind::Experience
        );
        assert_eq!(
            k("Bachelor's degree in Computer Science or related field"),
            RequirementKind::Education
        );
        assert_eq!(
            k("Current RN license in Ohio or a compact multistate license"),
            RequirementKind::Certification
        );
        assert_eq!(
            k("BLS required; ACLS within 90 days of hire"),
            RequirementKind::Certification
        );
        assert_eq!(k("Fluent Spanish"), RequirementKind::Language);
        assert_eq!(
            k("Excellent communication and teamwork"),
            RequirementKind::SoftSkill
        );
        assert_eq!(k("Willing to travel up to 25%"), RequirementKind::Logistics);
        assert_eq!(
            k("Must be authorized to work in the US"),
            RequirementKind::Logistics
        );
        assert_eq!(
            k("Comfort with Docker, Kubernetes, and CI/CD pipelines"),
            RequirementKind::Skills
        );
        assert_eq!(
            k("Care deeply about the people you serve"),
            RequirementKind::Other
        );
    }

    #[test]
    fn groups_any_and_all() {
        let g = classify("Experience with frameworks such as React, Vue, or Angular").groups;
        assert_eq!(names(&g), vec![vec!["React", "Vue", "Angular"]]);
        let g = classify("Python and SQL").groups;
        assert_eq!(names(&g), vec![vec!["Python"], vec!["SQL"]]);
        let g = classify("Strong knowledge of Python or Go, and Terraform").groups;
        assert_eq!(names(&g), vec![vec!["Python", "Go"], vec!["Terraform"]]);
        let g = classify("Proficiency with front end languages such as HTML, CSS, and JavaScript")
            .groups;
        assert_eq!(names(&g).len(), 1, "{:?}", names(&g));
        let g = classify("Familiarity with code versioning tools such as Git").groups;
        assert_eq!(names(&g), vec![vec!["Git"]]);
    }

    #[test]
    fn years() {
        let y = years_asked("5+ years of professional software development, with at least 3 years on backend systems");
        assert_eq!(y.len(), 2);
        assert_eq!(y[0].years, 5.0);
        assert_eq!(y[0].field, "software development");
        assert_eq!(y[1].years, 3.0);
        assert!(y[1].field.contains("backend"));
        assert_eq!(years_asked("two years' experience")[0].years, 2.0);
        assert_eq!(years_asked("3-5 years in web development")[0].years, 3.0);
        assert_eq!(years_asked("6 months as a lead")[0].years, 0.5);
        assert!(years_asked("We are 100 years old").is_empty());
        assert!(years_asked("no numbers here").is_empty());
    }
}
