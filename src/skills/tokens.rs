//! The tokenizer that skill matching runs on: lower-case word tokens with byte offsets, that
//! keep skill names whole (`C++`, `C#`, `.NET`, `Node.js`, `CI/CD`) when the vocabulary
//! knows them and split other joined words (`HTML/CSS` → `html`, `css`).
//!
//! Hand-written: general word segmenters (UAX #29) split `C++`, `C#` and `.NET`, and whether
//! `a/b` or `a.b` is one word depends on the vocabulary.

use std::collections::HashSet;

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-case form.
    pub norm: String,
    /// Byte offset of the token in the text.
    pub start: usize,
    /// Byte offset just past the token.
    pub end: usize,
    /// Written with a capital first letter (or all capitals for one letter).
    pub capitalised: bool,
    /// The first token of a line or sentence.
    pub sentence_start: bool,
    /// A list separator (`,`, `/`, `(`, `)`, `;`) or the end follows the token.
    pub list_follows: bool,
}

/// Characters that can be inside a token (besides letters and digits).
fn joiner(c: char) -> bool {
    matches!(c, '+' | '#' | '.' | '/' | '&' | '\'' | '’')
}

/// Trims punctuation that is not part of a name: trailing `.`/`/`/`&`/`'`, leading
/// `'`/`&`/`/`/`+`/`#`, a leading `.` unless a letter follows (`.NET`), and `'s`.
fn trim(raw: &str) -> (usize, &str) {
    let mut s = raw.trim_end_matches(['.', '/', '&', '\'', '’']);
    let before = s.len();
    s = s.trim_start_matches(['\'', '’', '&', '/', '+', '#']);
    let mut offset = before - s.len();
    if s.starts_with('.') && !s[1..].chars().next().is_some_and(char::is_alphabetic) {
        let t = s.trim_start_matches('.');
        offset += s.len() - t.len();
        s = t;
    }
    if let Some(stem) = s.strip_suffix("'s").or_else(|| s.strip_suffix("’s")) {
        s = stem;
    }
    (offset, s)
}

/// Splits `text` into tokens. `whole` holds the joined words (with `/`, `.`, `&` or `'`
/// inside) that stay one token; others are split at those characters.
pub fn tokenize(text: &str, whole: &HashSet<String>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut sentence_start = true;
    let mut start: Option<usize> = None;
    let end_marker = std::iter::once((text.len(), '\n'));
    for (i, c) in text.char_indices().chain(end_marker) {
        if c.is_alphanumeric() || joiner(c) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let raw = &text[s..i];
            let ends_sentence = raw.ends_with(['.', '!', '?']) && !raw.starts_with('.');
            push_raw(&mut out, raw, s, sentence_start, whole);
            sentence_start = ends_sentence || !raw.chars().any(char::is_alphanumeric);
        }
        if let Some(last) = out.last_mut() {
            if last.end <= i && matches!(c, ',' | '(' | ')' | ';' | '|' | '\n' | '•') {
                last.list_follows = true;
            }
        }
        if matches!(c, '\n' | ':' | ';' | '!' | '?' | '•' | '|' | '·') {
            sentence_start = true;
        }
    }
    if let Some(last) = out.last_mut() {
        last.list_follows = true;
    }
    out
}

fn push_raw(out: &mut Vec<Token>, raw: &str, at: usize, first: bool, whole: &HashSet<String>) {
    let (offset, word) = trim(raw);
    if word.is_empty() || !word.chars().any(char::is_alphanumeric) {
        return;
    }
    let lower = word.to_lowercase().replace('’', "'");
    let start = at + offset;
    let joined = word
        .trim_start_matches('.')
        .chars()
        .any(|c| matches!(c, '/' | '.' | '&' | '\'' | '’'));
    if !joined || whole.contains(&lower) {
        out.push(token(lower, word, start, first));
        return;
    }
    // Not a known joined name: its parts are words ("HTML/CSS", "e.g.", "React/Redux").
    let mut first = first;
    let mut pos = 0;
    for part in word.split(['/', '.', '&', '\'', '’']) {
        let part_start = start + pos;
        pos += part.len() + 1;
        let (o, p) = trim(part);
        if p.is_empty() || !p.chars().any(char::is_alphanumeric) {
            continue;
        }
        let lower = p.to_lowercase();
        if let Some(prev) = out.last_mut().filter(|_| !first) {
            prev.list_follows = true;
        }
        out.push(token(lower, p, part_start + o, first));
        first = false;
    }
}

/// Folds a plain English plural so "data models" matches "data model": words of five
/// letters or more ending in `s` (not `ss`, `us`, `is`) lose it; `-ies` becomes `-y`.
/// Documents and vocabulary patterns go through the same fold.
fn fold_plural(word: String) -> String {
    if word.len() < 5 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word;
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if word.ends_with('s')
        && !(word.ends_with("ss") || word.ends_with("us") || word.ends_with("is"))
    {
        return word[..word.len() - 1].to_string();
    }
    word
}

fn token(norm: String, surface: &str, start: usize, sentence_start: bool) -> Token {
    let norm = fold_plural(norm);
    let mut chars = surface.chars().filter(|c| c.is_alphabetic());
    let capitalised = chars.next().is_some_and(char::is_uppercase);
    Token {
        norm,
        start,
        end: start + surface.len(),
        capitalised,
        sentence_start,
        list_follows: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str, whole: &[&str]) -> Vec<String> {
        let whole: HashSet<String> = whole.iter().map(|s| s.to_string()).collect();
        tokenize(text, &whole).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn names_stay_whole_when_known() {
        assert_eq!(
            norms(
                "Node.js, C++, C#, CI/CD and .NET; HTML/CSS.",
                &["node.js", "ci/cd"]
            ),
            vec!["node.js", "c++", "c#", "ci/cd", "and", ".net", "html", "css"]
        );
        assert_eq!(
            norms("front-end (React)", &[]),
            vec!["front", "end", "react"]
        );
        assert_eq!(norms("company's", &[]), vec!["company"]);
    }

    #[test]
    fn offsets_capitals_and_sentences() {
        let t = tokenize("Go to market. We use Go, R.", &HashSet::new());
        assert!(t[0].sentence_start && t[0].capitalised);
        assert!(!t[1].sentence_start);
        assert!(t[3].sentence_start);
        let go = &t[5];
        assert_eq!(go.norm, "go");
        assert!(!go.sentence_start && go.list_follows);
        assert_eq!(&"Go to market. We use Go, R."[go.start..go.end], "Go");
        assert!(t.iter().all(|x| x.start < x.end));
        assert!(tokenize("", &HashSet::new()).is_empty());
        assert!(tokenize("... /// +++", &HashSet::new()).is_empty());
    }
}
