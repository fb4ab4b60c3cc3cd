//! Terms for lexical matching: a tokenizer that keeps skill names whole (`Node.js`, `C++`,
//! `C#`, `CI/CD`, `.NET`, `TypeScript`), stop words, and a light plural folding.
//!
//! Hand-written: general word segmenters (UAX #29) split `C++`, `C#` and `.NET`, and the
//! rules below are about technical vocabulary.

/// One term occurrence: the folded key used for matching and the surface form for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Lower-case, plural-folded key.
    pub key: String,
    /// The word as written.
    pub surface: String,
    /// Whether it looks like a hard skill: an acronym (AWS), inner capitals (TypeScript),
    /// symbols (C++, Node.js, CI/CD), or a capitalised word inside a sentence (Kubernetes).
    pub technical: bool,
    /// Written with a capital at the start of a sentence or line ("Kafka or …", "Build …"):
    /// maybe a name, maybe just the first word.
    pub capitalised: bool,
}

/// Common English words and job-ad filler that carry no skill.
#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "again", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "been", "before", "being", "best", "both", "but", "by", "can",
    "could", "day", "days", "did", "do", "does", "doing", "during", "each", "e.g", "either",
    "etc", "every", "few", "for", "from", "further", "get", "good", "great", "had", "has",
    "have", "having", "he", "help", "her", "here", "him", "his", "how", "i", "i.e", "if", "in",
    "into", "is", "it", "its", "just", "least", "like", "make", "many", "may", "me", "more",
    "most", "much", "must", "my", "new", "no", "nor", "not", "now", "of", "off", "on", "one",
    "only", "or", "other", "our", "ours", "out", "over", "own", "per", "plus", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "three", "through", "to", "too", "two", "under", "until",
    "up", "us", "use", "using", "very", "via", "want", "was", "way", "we", "well", "were",
    "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "within",
    "work", "would", "year", "years", "yearly", "you", "your", "yours", "ability", "able",
    "candidate", "candidates", "experience", "experienced", "including", "join", "looking",
    "opportunity", "position", "preferred", "required", "requirement", "requirements",
    "responsibilities", "role", "seeking", "skills", "strong", "team", "teams", "ideal",
    "knowledge", "understanding", "willingness", "apply", "welcome", "offer", "please", "based",
    "related", "equivalent", "minimum", "level", "job", "company", "hire", "present", "time",
    "month", "months", "week", "weeks", "hour", "hours",
    // Generic verbs and adjectives of job ads: they say nothing about a skill.
    "assist", "assigned", "complete", "comfort", "comfortable", "current", "daily", "ensure",
    "every", "friendly", "handle", "look", "maintain", "need", "needed", "perform", "prepare",
    "provide", "run", "safely", "support", "valid", "weekly", "monthly", "against", "across",
    "better", "careful", "large", "small", "excellent", "proven", "solid", "other", "learn",
    "first",
];

/// Words of job ads that are not stop words (they weigh in the lexical part) but name no
/// skill a resume could lack: generic verbs of duties, the nouns every ad of a field shares,
/// work arrangements. A report never lists them as matched or missing terms, and a capital at
/// the start of a line does not make them a name ("Build …", "Model …").
#[rustfmt::skip]
const GENERIC_WORDS: &[&str] = &[
    "build", "building", "built", "operate", "operating", "keep", "check", "checks", "job",
    "jobs", "hybrid", "remote", "onsite", "office", "model", "modelling", "modeling", "table",
    "data", "engineer", "engineering", "developer", "development", "orchestrate", "design",
    "designing", "develop", "developing", "manage", "managing", "lead", "leading", "create",
    "creating", "write", "writing", "own", "owning", "deliver", "delivering", "drive",
    "implement", "collaborate", "partner", "improve", "improving", "platform", "system",
    "service", "tool", "environment", "language", "similar", "another", "green", "solution",
    "product", "business", "customer", "stakeholder", "feature", "process", "project", "task",
    "senior", "junior", "manager", "specialist", "analyst", "professional", "member",
    "degree", "field", "practice", "quality", "plan", "world", "people", "impact", "part",
];

/// Whether a lower-case, plural-folded term key is a generic job-ad word.
pub fn is_generic(key: &str) -> bool {
    GENERIC_WORDS.contains(&key)
}

/// Whether a lower-case word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Splits text into terms. A term is a run of letters and digits, joined by `.`, `+`, `#`,
/// `'` and short `/` pairs when they are inside a skill name: `node.js`, `c++`, `c#`,
/// `ci/cd`, `.net`. Numbers, one-letter words (but `c`, `r`) and stop words are dropped.
pub fn terms(text: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut start: Option<usize> = None;
    let ends = std::iter::once((text.len(), '\n'));
    for (i, c) in text.char_indices().chain(ends) {
        if c.is_alphanumeric() || "+#./'&-".contains(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let raw = &text[s..i];
            let mut first = sentence_start;
            for piece in split_slashes(raw) {
                for word in piece.split('-') {
                    if let Some(term) = make_term(word, first) {
                        out.push(term);
                    }
                    first = false;
                }
            }
            // A bullet mark or a sentence end starts a new sentence.
            sentence_start =
                !raw.chars().any(char::is_alphanumeric) || raw.ends_with(['.', '!', '?']);
        }
        if matches!(c, '\n' | ':' | ';' | '!' | '?' | '•' | '|') {
            sentence_start = true;
        }
    }
    out
}

/// `ci/cd`, `tcp/ip`, `a/b` stay whole (both sides ≤ 3 characters); `python/go` splits.
fn split_slashes(raw: &str) -> Vec<&str> {
    let parts: Vec<&str> = raw.split('/').collect();
    if parts.len() == 2 && parts.iter().all(|p| (1..=3).contains(&p.chars().count())) {
        vec![raw]
    } else {
        parts
    }
}

fn make_term(word: &str, sentence_start: bool) -> Option<Term> {
    // Leading dot only for names like ".NET"; trailing dots and apostrophes are punctuation.
    let mut w = word.trim_end_matches(['.', '\'', '&']);
    w = w.trim_start_matches(['\'', '&', '+', '#']);
    if w.starts_with('.') && !w[1..].chars().next().is_some_and(char::is_alphabetic) {
        w = w.trim_start_matches('.');
    }
    if w.ends_with("'s") {
        w = &w[..w.len() - 2];
    }
    if w.is_empty() || !w.chars().any(char::is_alphabetic) {
        return None;
    }
    let lower = w.to_lowercase();
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    if (letters < 2 && !matches!(lower.as_str(), "c" | "r" | "c++" | "c#" | "f#"))
        || is_stop_word(&lower)
    {
        return None;
    }
    let symbols = w.chars().any(|c| "+#./".contains(c));
    let upper = w.chars().filter(|c| c.is_uppercase()).count();
    let acronym = upper >= 2 && upper * 2 >= letters;
    let inner_capital = w.chars().skip(1).any(char::is_uppercase);
    let capital = w.chars().next().is_some_and(char::is_uppercase);
    let proper_name = !sentence_start && capital;
    // "dbt", "npm", "SQL": a word of letters without a vowel is an abbreviation, not English.
    let abbreviation = letters >= 2
        && w.chars().all(|c| c.is_ascii_alphabetic())
        && !w.chars().any(|c| "aeiouyAEIOUY".contains(c));
    Some(Term {
        key: fold_plural(&lower),
        surface: w.to_string(),
        technical: symbols || acronym || inner_capital || proper_name || abbreviation,
        capitalised: sentence_start && capital,
    })
}

/// Folds simple English plurals so that "databases" matches "database": `-ies` → `-y`,
/// `-s` dropped unless after `s`, `u`, `i`, `a`, `o` (status, analysis), for words of five letters or more.
fn fold_plural(word: &str) -> String {
    let n = word.chars().count();
    if n >= 5 && word.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(stem) = word.strip_suffix("ies") {
            return format!("{stem}y");
        }
        if let Some(stem) = word.strip_suffix('s') {
            let before = stem.chars().last().unwrap_or('s');
            if !matches!(before, 's' | 'u' | 'i' | 'a' | 'o') {
                return stem.to_string();
            }
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn skill_names_stay_whole() {
        assert_eq!(
            keys("Node.js, C++, C#, CI/CD, AWS, .NET and TypeScript."),
            vec!["node.js", "c++", "c#", "ci/cd", "aws", ".net", "typescript"]
        );
        assert_eq!(keys("(Python / Go)"), vec!["python", "go"]);
        assert_eq!(keys("Python/Go"), vec!["python", "go"]);
        assert_eq!(keys("R and C"), vec!["r", "c"]);
    }

    #[test]
    fn punctuation_numbers_and_stop_words_go() {
        assert_eq!(
            keys("5+ years of experience with the team."),
            Vec::<String>::new()
        );
        assert_eq!(
            keys("event-driven services; databases."),
            vec!["event", "driven", "service", "database"]
        );
        assert_eq!(keys("company's clients"), vec!["client"]);
    }

    #[test]
    fn technical_marks() {
        let t = terms("AWS TypeScript Node.js nursing Kubernetes. Docker");
        let tech: Vec<bool> = t.iter().map(|t| t.technical).collect();
        assert_eq!(tech, vec![true, true, true, false, true, false]);
        assert_eq!(t[1].surface, "TypeScript");
        assert!(t[5].capitalised && !t[4].capitalised);
        let t = terms("Wrote dbt models");
        assert!(t[1].technical && !t[0].technical && t[0].capitalised);
        assert!(is_generic("build") && !is_generic("kafka"));
    }

    #[test]
    fn odd_input() {
        assert!(terms("").is_empty());
        assert!(terms("... /// +++ ###").is_empty());
        assert_eq!(keys("Ingénieur logiciel"), vec!["ingénieur", "logiciel"]);
    }
}
