//! The lines that matching compares: a job's requirement lines and a resume's evidence
//! lines, picked from the sections of [`crate::text::sections`].

use serde::Serialize;

use crate::text::normalize::normalize;
use crate::text::sections::{split_sections, Section, SectionKind};

/// One requirement of a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementLine {
    /// The requirement as written.
    pub text: String,
    /// The section it came from.
    pub section: SectionKind,
    /// Whether it is optional ("nice to have", "preferred", "a plus").
    pub optional: bool,
}

/// One line of a resume that can serve as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceLine {
    /// The line as written.
    pub text: String,
    /// The section it came from.
    pub section: SectionKind,
    /// Whether it is a bare list of skills (a claim, weaker than a described experience).
    pub listing: bool,
}

/// Sections whose lines are requirements.
const REQUIREMENT_SECTIONS: &[SectionKind] = &[
    SectionKind::Requirements,
    SectionKind::Qualifications,
    SectionKind::Responsibilities,
    SectionKind::NiceToHave,
    SectionKind::Skills,
];

/// Words that mark a line as pay or benefits, not a requirement.
const BENEFIT_CUES: &[&str] = &[
    "$",
    "€",
    "£",
    "salary",
    "we offer",
    "benefits",
    "per hour",
    "insurance",
    "401(k)",
    "pto",
    "paid time off",
    "equity",
    "sign-on",
    "tuition",
    "reimbursement",
    "pay ",
    "perks",
    "equal opportunity",
    "equal employment",
    "without regard to",
    "regardless of race",
    "protected veteran",
    "reasonable accommodation",
    "e-verify",
    "how to apply",
    "apply now",
    "apply via",
    "to apply,",
    "send your cv",
    "send your resume",
    "submit your cv",
    "submit your resume",
    "cover letter",
];

/// Words that mark a requirement as optional.
const OPTIONAL_CUES: &[&str] = &["preferred", "nice to have", "a plus", "bonus", "ideally"];

fn is_benefit(line: &str) -> bool {
    let lower = line.to_lowercase();
    BENEFIT_CUES.iter().any(|c| lower.contains(c))
}

/// A sentence that is a list of at least three clauses of three or more words is split
/// into them ("3+ years of line cook experience, at least 6 months as lead, and …").
fn split_clause_list(line: &str) -> Vec<String> {
    let parts: Vec<&str> = line.split([',', ';']).map(str::trim).collect();
    let words: Vec<usize> = parts.iter().map(|p| p.split_whitespace().count()).collect();
    // "Design, build, and operate …" or "medications, wound care, and …" are one clause.
    let clauses = words.iter().all(|&w| w >= 3);
    if parts.len() >= 3 && clauses {
        parts
            .iter()
            .map(|p| {
                let p = p
                    .strip_prefix("and ")
                    .or_else(|| p.strip_prefix("or "))
                    .unwrap_or(p);
                p.trim_end_matches('.').to_string()
            })
            .collect()
    } else {
        vec![line.to_string()]
    }
}

/// A job's requirement lines. Lines of requirement-like sections (requirements,
/// qualifications, responsibilities, nice to have, skills) when the job has any; otherwise
/// every line but a leading title line, about-the-company and pay/benefit lines.
pub fn requirement_lines(job: &str) -> Vec<RequirementLine> {
    let sections = split_sections(&normalize(job));
    let has_sections = sections
        .iter()
        .any(|s| REQUIREMENT_SECTIONS.contains(&s.kind) && !s.lines.is_empty());
    let mut out = Vec::new();
    // Duties written before the first heading ("Run the line, train new cooks.
    // Requirements: …") count when the job has no responsibilities section.
    let header_duties = !sections
        .iter()
        .any(|s| s.kind == SectionKind::Responsibilities);
    for (si, section) in sections.iter().enumerate() {
        let wanted = if has_sections {
            REQUIREMENT_SECTIONS.contains(&section.kind)
                || (section.kind == SectionKind::Header && header_duties)
        } else {
            !matches!(
                section.kind,
                SectionKind::Benefits
                    | SectionKind::About
                    | SectionKind::EqualOpportunity
                    | SectionKind::HowToApply
            )
        };
        if !wanted {
            continue;
        }
        for (li, line) in section.lines.iter().enumerate() {
            if is_benefit(line)
                || (si == 0 && li == 0 && looks_like_title(line, &sections))
                || (section.kind == SectionKind::Header
                    && (is_company_voice(line)
                        || (is_byline(line) && (has_sections || section.lines.len() > 1))))
            {
                continue;
            }
            for text in split_clause_list(line) {
                let lower = text.to_lowercase();
                let optional = section.kind == SectionKind::NiceToHave
                    || OPTIONAL_CUES.iter().any(|c| lower.contains(c));
                out.push(RequirementLine {
                    text,
                    section: section.kind,
                    optional,
                });
            }
        }
    }
    out
}

/// A line about the company rather than the work ("We are a …", "Acme is looking for").
fn is_company_voice(line: &str) -> bool {
    let lower = format!(" {} ", line.to_lowercase());
    [
        " we ",
        " we're ",
        " our ",
        " us ",
        " is looking",
        " is seeking",
        " is hiring",
    ]
    .iter()
    .any(|c| lower.contains(c))
}

/// A short header line of mostly capitalised words ("Ferrowave Systems — Berlin, Germany
/// (hybrid)"): company, place or work mode, not a duty.
fn is_byline(line: &str) -> bool {
    let words: Vec<&str> = line
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    !words.is_empty() && words.len() <= 8 && capitalised * 10 >= words.len() * 7
}

/// The first line of a header section is a title when it is short and more lines follow.
fn looks_like_title(line: &str, sections: &[Section]) -> bool {
    let lines: usize = sections.iter().map(|s| s.lines.len()).sum();
    sections
        .first()
        .is_some_and(|s| s.kind == SectionKind::Header)
        && lines > 1
        && line.split_whitespace().count() <= 10
}

/// A resume's evidence lines: every line but headings and contact details (lines with an
/// e-mail address, a URL or a phone number, and a leading name line).
pub fn evidence_lines(resume: &str) -> Vec<EvidenceLine> {
    let sections = split_sections(&normalize(resume));
    let mut out = Vec::new();
    for (si, section) in sections.iter().enumerate() {
        for (li, line) in section.lines.iter().enumerate() {
            if is_contact(line) || (si == 0 && li == 0 && is_name_line(line, section)) {
                continue;
            }
            out.push(EvidenceLine {
                text: line.clone(),
                section: section.kind,
                listing: section.kind == SectionKind::Skills || is_listing(line),
            });
        }
    }
    out
}

fn is_contact(line: &str) -> bool {
    let lower = line.to_lowercase();
    let digits = line.chars().filter(|c| c.is_ascii_digit()).count();
    lower.contains('@')
        || lower.contains("http")
        || lower.contains("linkedin.com")
        || lower.contains("github.com")
        || (digits >= 7 && line.split_whitespace().count() <= 8)
}

/// A name line: at most four words, no digits, no sentence punctuation, in a header with
/// other lines.
fn is_name_line(line: &str, section: &Section) -> bool {
    section.kind == SectionKind::Header
        && section.lines.len() > 1
        && line.split_whitespace().count() <= 4
        && !line
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ':'))
}

/// A bare list: at least three comma-separated items of at most three words each.
fn is_listing(line: &str) -> bool {
    let body = line.split_once(':').map_or(line, |(_, rest)| rest);
    let items: Vec<&str> = body.split([',', ';', '|', '/']).map(str::trim).collect();
    items.len() >= 3 && items.iter().all(|i| i.split_whitespace().count() <= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = "Senior Backend Engineer (Python / Go)\n\nAcme builds tracking.\n\n\
        What you will do:\n- Design REST services in Go.\n\nWhat we are looking for:\n\
        - 5+ years of backend development.\n- Experience with AWS and Terraform.\n\n\
        Nice to have: Kafka or other streaming systems.\n\nWe offer a salary of $150,000.";

    #[test]
    fn job_requirements_come_from_requirement_sections() {
        let r = requirement_lines(JOB);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Design REST services in Go.",
                "5+ years of backend development.",
                "Experience with AWS and Terraform.",
                "Kafka or other streaming systems.",
            ]
        );
        assert!(r[3].optional && !r[0].optional);
    }

    #[test]
    fn header_bylines_are_not_requirements() {
        let job = "Senior Backend Engineer (Rust)\nFerrowave Systems — Berlin, Germany (hybrid)\n\
                   Run the payment services and mentor two engineers.\n\nRequirements:\n\
                   - Strong SQL\n- Kubernetes in production";
        let texts: Vec<String> = requirement_lines(job).into_iter().map(|r| r.text).collect();
        assert!(!texts.iter().any(|t| t.contains("Ferrowave")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("Strong SQL")), "{texts:?}");
        assert!(is_byline("Lumen Freight — Rotterdam (Hybrid)"));
        assert!(!is_byline("Run the line, train new cooks."));
    }

    #[test]
    fn paragraph_job_without_headings() {
        let r = requirement_lines(
            "Kitchen Lead - Pepperleaf. Run the line and train new cooks. Manage prep lists. \
             Pay $20 per hour.",
        );
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["Run the line and train new cooks.", "Manage prep lists."]
        );
        let r = requirement_lines(
            "Kitchen Lead - Pepperleaf. We are a busy kitchen. Run the line and train cooks. \
             Requirements: ServSafe certification.",
        );
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["Run the line and train cooks.", "ServSafe certification."]
        );
    }

    #[test]
    fn clause_lists_are_split() {
        let r = requirement_lines(
            "Requirements: 3+ years of line cook experience, at least 6 months as a lead, \
             and availability on nights and weekends.",
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r[2].text, "availability on nights and weekends");
        let one = requirement_lines("Requirements: Design, build, and operate REST services.");
        assert_eq!(one.len(), 1);
        let titled = requirement_lines("Registered Nurse\n\nRequirements:\n- BLS\n- Epic");
        assert_eq!(titled.len(), 2);
    }

    #[test]
    fn resume_evidence_skips_contact_and_marks_listings() {
        let e = evidence_lines(
            "Jane Doe\nSeattle | jane@example.com | (206) 555-0143\n\nEXPERIENCE\n\
             - Built an event pipeline in Go on AWS.\n\nSKILLS\nPython, Go, SQL, Docker",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].text, "Built an event pipeline in Go on AWS.");
        assert!(!e[0].listing);
        assert!(e[1].listing);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(requirement_lines("").is_empty());
        assert!(evidence_lines("   \n\t").is_empty());
        assert_eq!(evidence_lines("Rust").len(), 1);
        assert_eq!(requirement_lines("Rust").len(), 1);
    }
}
