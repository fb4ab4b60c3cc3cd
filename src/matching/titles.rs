//! Title similarity: how much of the job title the resume's headline or one of its recent
//! role titles says. Titles are compared on role words, after folding spellings
//! ("Front-End" = "frontend", "Developer" = "Engineer") and dropping levels ("Senior",
//! "II"): a product manager's titles share nothing with "Full-Stack Engineer", a MERN
//! developer's "Full Stack Developer" all of it.

/// Level and filler words of titles.
const FILLER: &[&str] = &[
    "senior",
    "sr",
    "junior",
    "jr",
    "lead",
    "staff",
    "principal",
    "i",
    "ii",
    "iii",
    "iv",
    "mid",
    "level",
    "entry",
    "the",
    "of",
    "and",
    "for",
    "in",
    "a",
    "an",
    "remote",
    "contract",
    "part",
    "time",
    "hybrid",
    "intern",
    "internship",
    "new",
    "grad",
    "experienced",
    "head",
    "chief",
    "to",
    "with",
    "at",
    "my",
    "team",
    "we",
    "are",
    "hiring",
    "job",
];

/// Phrase → one word, applied to the lower-case title with single spaces.
const PHRASES: &[(&str, &str)] = &[
    ("front end", "frontend"),
    ("back end", "backend"),
    ("full stack", "fullstack"),
    ("machine learning", "ml"),
    ("artificial intelligence", "ml"),
    ("site reliability", "sre"),
    ("quality assurance", "qa"),
    ("registered nurse", "nurse"),
    ("user experience", "ux"),
    ("user interface", "ui"),
    ("human resources", "hr"),
    ("social media", "socialmedia"),
    ("data scientist", "data ml"),
];

/// Word → the word it stands for.
fn fold(word: &str) -> &str {
    match word {
        "developer" | "programmer" | "dev" | "swe" | "sde" | "engineers" | "engineering" => {
            "engineer"
        }
        "rn" | "nurses" | "nursing" => "nurse",
        "mern" | "mean" => "fullstack",
        "devops" => "sre",
        "analytics" => "analyst",
        "manager" | "management" => "manager",
        "accountant" | "accounting" => "accountant",
        "designer" | "design" => "designer",
        "driver" | "trucker" | "cdl" => "driver",
        w => w,
    }
}

/// The role words of a title.
pub fn title_words(title: &str) -> Vec<String> {
    let mut t: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in PHRASES {
        t = t.replace(from, to);
    }
    let mut out: Vec<String> = Vec::new();
    for w in t.split_whitespace() {
        let w = fold(w);
        if !FILLER.contains(&w) && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

/// The share of the job title's role words found in the best of the resume's titles, 0–1;
/// `None` when either side has no title.
pub fn title_similarity(job_title: &str, resume_titles: &[String]) -> Option<f32> {
    let job = title_words(job_title);
    if job.is_empty() || resume_titles.is_empty() {
        return None;
    }
    let best = resume_titles
        .iter()
        .map(|t| {
            let words = title_words(t);
            job.iter().filter(|w| words.contains(w)).count() as f32 / job.len() as f32
        })
        .fold(0f32, f32::max);
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_words() {
        assert_eq!(
            title_words("Senior Front-End Developer"),
            ["frontend", "engineer"]
        );
        assert_eq!(
            title_words("Full Stack Engineer II"),
            ["fullstack", "engineer"]
        );
        let t = |j: &str, r: &str| title_similarity(j, &[r.to_string()]).unwrap();
        assert_eq!(t("Senior Full-Stack Engineer", "Product Manager"), 0.0);
        assert_eq!(t("Product Manager", "Senior Product Manager"), 1.0);
        assert_eq!(t("Front-End Developer", "MERN Stack Developer"), 0.5);
        assert_eq!(t("Full-Stack Developer", "MERN Stack Developer"), 1.0);
        assert_eq!(
            t("Registered Nurse - Med/Surg", "RN, Medical-Surgical"),
            1.0 / 3.0
        );
        assert_eq!(title_similarity("", &["x".into()]), None);
        assert_eq!(title_similarity("Nurse", &[]), None);
    }
}
