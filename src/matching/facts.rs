//! What a document states that can be checked without the model: the skills each line
//! names, a resume's dated roles (years in total and per role), its highest degree, years
//! it claims in words ("eight years of experience"), and titles (a resume's headline and
//! recent role titles, a job's title).

use std::collections::HashMap;

use crate::matching::dates::{ranges_in, Month, Span};
use crate::matching::education::{degree_in, Degree};
use crate::matching::typed::years_asked;
use crate::skills::{vocabulary, SkillId, SkillKind};
use crate::text::sections::SectionKind;

/// One dated role of a resume.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedRole {
    /// The line holding the dates (index into the plan's lines).
    pub line: usize,
    /// Lines of the role: from its dated line up to the next dated line.
    pub lines: std::ops::Range<usize>,
    /// Its span.
    pub span: Span,
    /// Its title: the dated line without the dates (or the line before, when the dates
    /// stand alone).
    pub title: String,
}

/// Facts of a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Per line: the skills it names (canonical ids, once each).
    pub line_skills: Vec<Vec<SkillId>>,
    /// Every skill named, with the lines naming it (first line first).
    pub skills: HashMap<SkillId, Vec<usize>>,
    /// Dated roles (resume; education dates excluded).
    pub roles: Vec<DatedRole>,
    /// The most years of experience the text claims in words, if any.
    pub claimed_years: Option<f32>,
    /// The highest degree named in the education part, with its line.
    pub degree: Option<(Degree, usize)>,
    /// Titles: a resume's headline and its three most recent role titles; a job's title.
    pub titles: Vec<String>,
}

/// The skills named in each line.
fn skills_by_line(lines: &[String]) -> (Vec<Vec<SkillId>>, HashMap<SkillId, Vec<usize>>) {
    let vocab = vocabulary();
    let mut all: HashMap<SkillId, Vec<usize>> = HashMap::new();
    let per_line = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut ids: Vec<SkillId> = Vec::new();
            for m in vocab.find(l) {
                if !ids.contains(&m.skill) {
                    ids.push(m.skill);
                    all.entry(m.skill).or_default().push(i);
                }
            }
            ids
        })
        .collect();
    // A line naming "machine learning" meets an ask for "applied machine learning".
    let qualified: Vec<(SkillId, Vec<usize>)> = all
        .iter()
        .flat_map(|(&id, at)| {
            vocab
                .qualified_forms(id)
                .iter()
                .map(move |&q| (q, at.clone()))
        })
        .collect();
    for (q, at) in qualified {
        let entry = all.entry(q).or_default();
        for l in at {
            if !entry.contains(&l) {
                entry.push(l);
            }
        }
        entry.sort_unstable();
    }
    (per_line, all)
}

/// Facts of a job: skills per requirement line and its title.
pub fn job_facts(lines: &[String], title: &str) -> Facts {
    let (line_skills, skills) = skills_by_line(lines);
    Facts {
        line_skills,
        skills,
        titles: vec![title.to_string()],
        ..Facts::default()
    }
}

/// Facts of a resume from its evidence lines and their sections, given today's month.
pub fn resume_facts(lines: &[String], sections: &[SectionKind], now: Month) -> Facts {
    let (line_skills, skills) = skills_by_line(lines);
    let mut roles: Vec<DatedRole> = Vec::new();
    let mut claimed: Option<f32> = None;
    let mut degree: Option<(Degree, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        let section = sections.get(i).copied().unwrap_or(SectionKind::Other);
        let in_education = matches!(
            section,
            SectionKind::Education | SectionKind::Certifications
        );
        if in_education || section != SectionKind::Experience {
            if let Some(d) = degree_in(line) {
                if (in_education || line.split_whitespace().count() <= 12)
                    && degree.is_none_or(|(best, _)| best < d)
                {
                    degree = Some((d, i));
                }
            }
        }
        if matches!(section, SectionKind::Summary | SectionKind::Header) {
            for y in years_asked(line) {
                claimed = Some(claimed.map_or(y.years, |c: f32| c.max(y.years)));
            }
        }
        if in_education {
            continue;
        }
        if let Some(span) = ranges_in(line, now).into_iter().next() {
            let title = title_of_dated(line, i.checked_sub(1).and_then(|p| lines.get(p)));
            if let Some(last) = roles.last_mut() {
                last.lines.end = i;
            }
            roles.push(DatedRole {
                line: i,
                lines: i..lines.len(),
                span,
                title,
            });
        }
    }
    // A later role ends where the next section of another kind starts.
    for r in &mut roles {
        let end = (r.line + 1..r.lines.end)
            .find(|&j| sections.get(j) != sections.get(r.line))
            .unwrap_or(r.lines.end);
        r.lines.end = end;
    }
    let mut titles: Vec<String> = headline(lines, sections).into_iter().collect();
    let mut recent: Vec<&DatedRole> = roles.iter().collect();
    recent.sort_by_key(|r| std::cmp::Reverse(r.span.end));
    titles.extend(recent.iter().take(3).map(|r| r.title.clone()));
    titles.retain(|t| !t.is_empty());
    Facts {
        line_skills,
        skills,
        roles,
        claimed_years: claimed,
        degree,
        titles,
    }
}

/// The title part of a dated line: the text before the dates, cut at the first separator
/// ("Senior Engineer, Acme - 2019 to present" → "Senior Engineer"); when the dates stand
/// alone, the line before.
fn title_of_dated(line: &str, previous: Option<&String>) -> String {
    let first_digit = line
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map_or(line.len(), |(i, _)| i);
    let mut head = &line[..first_digit];
    // A month name before the year belongs to the date.
    for sep in [" - ", " – ", " — ", " | ", "(", ","] {
        if let Some(at) = head.rfind(sep) {
            if head[at..].split_whitespace().count() <= 2 {
                head = &head[..at];
            }
        }
    }
    let title = head
        .split([',', '|', '—', '–', '(', '@'])
        .next()
        .unwrap_or("")
        .split(" - ")
        .next()
        .unwrap_or("")
        .split(" at ")
        .next()
        .unwrap_or("")
        .trim();
    if title.split_whitespace().count() >= 1 && title.chars().any(char::is_alphabetic) {
        title.to_string()
    } else {
        previous.cloned().unwrap_or_default()
    }
}

/// A resume's headline: a short line near the top (header or summary) that names no
/// skill list and no date ("Senior Front-End Developer").
fn headline(lines: &[String], sections: &[SectionKind]) -> Option<String> {
    lines
        .iter()
        .zip(sections)
        .take(4)
        .filter(|(_, s)| matches!(s, SectionKind::Header | SectionKind::Summary))
        .map(|(l, _)| l)
        .find(|l| {
            let words = l.split_whitespace().count();
            (1..=8).contains(&words)
                && !l.chars().any(|c| c.is_ascii_digit())
                && !l.contains(',')
                && !l.ends_with('.')
        })
        .map(|l| {
            l.split(['|', '—', '–'])
                .next()
                .unwrap_or(l)
                .trim()
                .to_string()
        })
}

/// The soft-skill share of a skill list (for callers that drop soft skills from terms).
pub fn is_soft(id: SkillId) -> bool {
    vocabulary()
        .skill(id)
        .is_some_and(|s| s.kind == SkillKind::Soft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::dates::month;

    #[test]
    fn roles_titles_and_degree() {
        let lines: Vec<String> = [
            "Senior Frontend Developer",
            "Senior Engineer, Acme - June 2022 - Present",
            "Built React apps.",
            "Web Developer | Beta Corp | 2018 - 2021",
            "Wrote JavaScript.",
            "B.S. Computer Science, 2014 - 2018",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        use SectionKind::*;
        let sections = [
            Header, Experience, Experience, Experience, Experience, Education,
        ];
        let f = resume_facts(&lines, &sections, month(2026, 6));
        assert_eq!(f.roles.len(), 2);
        assert_eq!(f.roles[0].title, "Senior Engineer");
        assert_eq!(f.roles[0].lines, 1..3);
        assert_eq!(f.roles[1].title, "Web Developer");
        assert_eq!(f.roles[1].lines, 3..5);
        assert_eq!(f.degree, Some((Degree::Bachelor, 5)));
        assert_eq!(f.titles[0], "Senior Frontend Developer");
        assert!(f.titles.contains(&"Senior Engineer".to_string()));
        assert!(!f.skills.is_empty());
    }

    #[test]
    fn dates_alone_take_the_line_before() {
        assert_eq!(
            title_of_dated("2019 - 2021", Some(&"Nurse, Mercy".to_string())),
            "Nurse, Mercy"
        );
        assert_eq!(
            title_of_dated("Line Cook at Pepperleaf, Mar 2020 - now", None),
            "Line Cook"
        );
    }
}
