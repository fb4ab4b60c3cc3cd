//! The site and the package never turn data into markup: no `innerHTML` (or its relatives)
//! anywhere in the shipped JavaScript and HTML of www/ and pkg/. Text goes in with
//! `textContent`, `append` or `replaceChildren`; third-party libraries (www/vendor and
//! www/deps from `make site-vendor`, node_modules) and generated wasm-bindgen glue are not
//! ours and are skipped.

use std::path::{Path, PathBuf};

/// Sinks that parse a string as HTML.
const SINKS: [&str; 6] = [
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "createContextualFragment",
    "parseFromString",
];

fn shipped_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            let third_party = ["deps", "vendor", "node_modules"].contains(&name.as_str());
            if !third_party && !name.starts_with('.') {
                shipped_files(&path, out);
            }
        } else if (name.ends_with(".js") || name.ends_with(".mjs") || name.ends_with(".html"))
            && !name.starts_with("cvmatch_wasm")
        {
            out.push(path);
        }
    }
}

/// The marker a reviewed use carries on the line before it, with the reason. The only one
/// allowed is `DOMParser.parseFromString` into an inert document (no scripts run, nothing
/// loads, nothing is attached to the page), read back with `textContent`.
const REVIEWED: &str = "// html-sink-reviewed: inert DOMParser document";

/// The lines of `text` that use a sink outside a `//` comment (a `parseFromString` right
/// after the [`REVIEWED`] marker excepted).
fn sink_uses(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let code = line.split("//").next().unwrap_or("");
            let reviewed = i > 0
                && lines[i - 1].trim_start().starts_with(REVIEWED)
                && code.contains("parseFromString")
                && SINKS
                    .iter()
                    .filter(|s| code.contains(*s))
                    .all(|s| *s == "parseFromString");
            (!reviewed && SINKS.iter().any(|s| code.contains(s)))
                .then(|| (i + 1, line.trim().chars().take(160).collect()))
        })
        .collect()
}

#[test]
fn a_reviewed_parser_is_allowed_and_nothing_else() {
    let ok = format!(
        "{REVIEWED} (mammoth's HTML)\nconst d = new DOMParser().parseFromString(h, 'text/html');"
    );
    assert!(sink_uses(&ok).is_empty());
    let bad =
        format!("{REVIEWED}\nel.innerHTML = x; new DOMParser().parseFromString(h, 'text/html');");
    assert_eq!(sink_uses(&bad).len(), 1);
    assert_eq!(
        sink_uses("new DOMParser().parseFromString(h, 'text/html');").len(),
        1
    );
}

#[test]
fn no_html_sinks_in_the_site_or_the_package() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    shipped_files(&root.join("www"), &mut files);
    shipped_files(&root.join("pkg"), &mut files);
    assert!(
        files.len() >= 8,
        "expected the site's and the package's files, found {files:?}"
    );
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, code) in sink_uses(&text) {
            found.push(format!("{}:{line}: {code}", file.display()));
        }
    }
    assert!(
        found.is_empty(),
        "HTML sinks (use textContent / append / replaceChildren):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_sink() {
    // the scanner itself: a use is found, a comment is not
    assert_eq!(
        sink_uses("a.innerHTML = b;\n// innerHTML is banned").len(),
        1
    );
    assert_eq!(sink_uses("el.insertAdjacentHTML('x', y)")[0].0, 1);
    assert!(sink_uses("el.textContent = y").is_empty());
}
