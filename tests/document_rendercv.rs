//! The nine RenderCV themes of ../shared/data/resumes/rendercv/ read by the native PDF path:
//! in every theme at least 95 % of the YAML `highlights` come back as exactly one line, no
//! line is a page number or an icon glyph, and the sections come in the YAML's order.
//! Run with `--nocapture` to see the per-theme figures.

mod common;

use cvmatch::document::pdf::read_pdf;

const THEMES: [&str; 9] = [
    "Classic",
    "Ember",
    "Engineeringclassic",
    "Engineeringresumes",
    "Harvard",
    "Ink",
    "Moderncv",
    "Opal",
    "Sb2nov",
];

/// Markdown of the YAML as the PDF shows it: `**b**`, `*i*`, `[text](url)` → plain text.
fn plain(markdown: &str) -> String {
    let mut s = markdown.to_string();
    while let (Some(a), Some(m)) = (s.find('['), s.find("](")) {
        let Some(close) = s[m..].find(')').map(|c| m + c) else {
            break;
        };
        if a > m {
            break;
        }
        s = format!("{}{}{}", &s[..a], &s[a + 1..m], &s[close + 1..]);
    }
    s.replace('*', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    let v =
        if (v.starts_with('\'') && v.ends_with('\'')) || (v.starts_with('"') && v.ends_with('"')) {
            &v[1..v.len() - 1]
        } else {
            v
        };
    v.replace("''", "'")
}

/// The YAML's section titles (as RenderCV prints them) and highlights, by a line reader:
/// the file is RenderCV's own simple layout, and no YAML crate is needed for it.
fn yaml_truth(yaml: &str) -> (Vec<String>, Vec<String>) {
    let mut sections = Vec::new();
    let mut highlights = Vec::new();
    let mut in_sections = false;
    let mut highlight_indent: Option<usize> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if line.starts_with("design:") {
            break;
        }
        if t == "sections:" && indent == 2 {
            in_sections = true;
            continue;
        }
        if !in_sections || t.is_empty() {
            continue;
        }
        if indent == 4 && t.ends_with(':') {
            let key = t.trim_end_matches(':');
            let title = if key.contains(' ') {
                key.to_string()
            } else {
                key.split('_')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect::<String>())
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            sections.push(title);
            continue;
        }
        if t == "highlights:" {
            highlight_indent = Some(indent);
            continue;
        }
        if let Some(hi) = highlight_indent {
            if indent > hi && t.starts_with("- ") {
                highlights.push(plain(&unquote(&t[2..])));
            } else if indent <= hi {
                highlight_indent = None;
            }
        }
    }
    (sections, highlights)
}

#[test]
fn rendercv_themes_read_like_their_yaml() {
    let mut failures = Vec::new();
    for theme in THEMES {
        let base = format!("data/resumes/rendercv/John_Doe_{theme}Theme_CV");
        let yaml = std::fs::read_to_string(common::shared(&format!("{base}.yaml"))).unwrap();
        let (titles, highlights) = yaml_truth(&yaml);
        assert!(
            highlights.len() >= 20,
            "{theme}: YAML reader found {highlights:?}"
        );
        let pdf = std::fs::read(common::shared(&format!("{base}.pdf"))).unwrap();
        let doc = read_pdf(&pdf).unwrap_or_else(|e| panic!("{theme}: {e}"));
        let lines: Vec<String> = doc
            .text
            .lines()
            .map(|l| l.strip_prefix("- ").unwrap_or(l).to_string())
            .collect();
        let exact = highlights
            .iter()
            .filter(|h| lines.iter().filter(|l| l == h).count() == 1)
            .count();
        let share = exact as f32 / highlights.len() as f32;
        let noise: Vec<&String> = lines
            .iter()
            .filter(|l| {
                cvmatch::document::noise::is_page_number(l)
                    || l.chars().any(cvmatch::document::noise::is_private_use)
                    || (l.chars().count() <= 2 && !l.is_empty())
            })
            .collect();
        let headings: Vec<String> = doc
            .sections
            .iter()
            .filter_map(|s| s.heading.clone())
            .collect();
        let found: Vec<usize> = titles
            .iter()
            .filter_map(|t| headings.iter().position(|h| h.eq_ignore_ascii_case(t)))
            .collect();
        let in_order = found.len() == titles.len() && found.windows(2).all(|w| w[0] < w[1]);
        println!(
            "{theme:<20} highlights one line: {exact}/{} ({:.1} %), noise lines: {}, sections \
             found {}/{} in order: {in_order}, dropped {:?}",
            highlights.len(),
            100.0 * share,
            noise.len(),
            found.len(),
            titles.len(),
            doc.dropped
        );
        if share < 0.95 {
            let missing: Vec<&String> = highlights
                .iter()
                .filter(|h| lines.iter().filter(|l| l == h).count() != 1)
                .collect();
            failures.push(format!(
                "{theme}: {:.1} % one line; missing {missing:#?}",
                100.0 * share
            ));
        }
        if !noise.is_empty() {
            failures.push(format!("{theme}: noise lines {noise:?}"));
        }
        if !in_order {
            failures.push(format!("{theme}: sections {headings:?}, YAML {titles:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
