//! The PDFs that Chromium printed from tests/data/documents/*.html (one column, two columns,
//! a skills sidebar, a table of dates, running headers and footers, two pages), read by the
//! native PDF path, must give back their `.expected.txt` exactly. Plus DOCX, hard-wrapped
//! text, bad input (no text, encrypted, too many pages) and job ads.

use std::path::PathBuf;

use cvmatch::document::{pdf::read_pdf, read_paragraphs, read_text, Paragraph};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/documents")
}

#[test]
fn chromium_pdfs_give_back_their_text() {
    let fixtures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir().join("fixtures.json")).unwrap())
            .unwrap();
    let mut failures = Vec::new();
    for name in fixtures.as_object().unwrap().keys() {
        let pdf = std::fs::read(dir().join(format!("{name}.pdf"))).unwrap_or_else(|e| {
            panic!("{name}.pdf: {e} (cd tests/browser && node make-document-pdfs.mjs)")
        });
        let want = std::fs::read_to_string(dir().join(format!("{name}.expected.txt"))).unwrap();
        let doc = read_pdf(&pdf).unwrap_or_else(|e| panic!("{name}: {e}"));
        if doc.text.trim() != want.trim() {
            failures.push(format!(
                "--- {name}: got\n{}\n--- want\n{}",
                doc.text,
                want.trim()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pdf_bad_input_is_named() {
    // A page with no text operators (an image-only scan has none either).
    let blank = minimal_pdf(1, "");
    let err = read_pdf(&blank).unwrap_err();
    assert_eq!(err.code(), "no_text", "{err}");
    assert!(err.to_string().contains("no text to read"), "{err}");
    // 2,000 pages: refused by the page count, with the limit named.
    let many = minimal_pdf(2000, "BT /F1 12 Tf 72 720 Td (Hello) Tj ET");
    let err = read_pdf(&many).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert!(
        err.to_string().contains("pages in the document: 2000")
            && err.to_string().contains("limit of 200"),
        "{err}"
    );
    // An encrypted PDF (an /Encrypt dictionary in the trailer).
    let enc = encrypted_pdf();
    let err = read_pdf(&enc).unwrap_err();
    assert!(matches!(err.code(), "encrypted" | "bad_input"), "{err}");
    assert!(
        err.to_string().contains("password") || err.to_string().contains("encrypt"),
        "{err}"
    );
    // Not a PDF at all.
    assert_eq!(read_pdf(b"hello").unwrap_err().code(), "bad_input");
}

/// A PDF of `pages` pages sharing one content stream, with a correct xref table.
fn minimal_pdf(pages: usize, content: &str) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + i)).collect();
    let mut objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            kids.join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    for _ in 0..pages {
        objs.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>".into());
    }
    write_pdf(&objs, "")
}

fn encrypted_pdf() -> Vec<u8> {
    let objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".into(),
        format!(
            "<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <{}> /U <{}> >>",
            "11".repeat(32),
            "22".repeat(32)
        ),
    ];
    write_pdf(
        &objs,
        "/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
    )
}

fn write_pdf(objs: &[String], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .bytes(),
    );
    out
}

#[test]
fn docx_paragraphs_are_items() {
    let paragraphs: Vec<Paragraph> = [
        ("Jane Roe", false, false),
        ("Experience", true, false),
        ("Senior Engineer, Acme", false, false),
        ("Built the settlement service in Rust.", false, true),
        ("\u{f0b7}", false, false),
        ("Skills", true, false),
        ("Rust, Go", false, false),
    ]
    .iter()
    .map(|&(t, h, b)| Paragraph {
        text: t.into(),
        heading: h,
        bullet: b,
    })
    .collect();
    let doc = read_paragraphs(&paragraphs).unwrap();
    assert_eq!(
        doc.text,
        "Jane Roe\n\nExperience\nSenior Engineer, Acme\n- Built the settlement service in Rust.\n\nSkills\nRust, Go"
    );
    assert_eq!(doc.dropped.glyphs, 1);
}

#[test]
fn pasted_text_with_hard_wraps_and_page_noise() {
    let text = "Jane Roe\njane@roe.dev\n\nEXPERIENCE\n\
        • Designed and built the settlement service that moves two billion euros a month, with\n  \
        exactly-once processing on Kafka and PostgreSQL across three regions and two clouds.\n\
        • Cut p99 latency of the authorisation path from 900 ms to 120 ms with an event-driven\n  \
        cloud-\n  native pipeline.\n\
        Page 1 of 2\n\
        • Mentored four engineers.\n\n\
        Skills\n\u{f0e0} Rust, Go\n";
    let doc = read_text(text).unwrap();
    assert_eq!(
        doc.text,
        "Jane Roe\njane@roe.dev\n\nEXPERIENCE\n\
         - Designed and built the settlement service that moves two billion euros a month, with \
         exactly-once processing on Kafka and PostgreSQL across three regions and two clouds.\n\
         - Cut p99 latency of the authorisation path from 900 ms to 120 ms with an event-driven \
         cloud-native pipeline.\n\
         - Mentored four engineers.\n\nSkills\nRust, Go"
    );
    assert_eq!(doc.dropped.page_numbers, 1);
    assert_eq!(doc.dropped.glyphs, 1);
}

#[test]
fn job_ads_keep_about_benefits_eeo_and_apply_out_of_requirements() {
    let job = "Senior Rust Engineer\n\n\
        About us\nWe are a fintech in Berlin building the payment rails of Europe.\n\n\
        Requirements\n- 5+ years of Rust or C++\n- Experience with Kafka and PostgreSQL\n\n\
        Responsibilities\n- Design and run the settlement service\n\n\
        Benefits\n- 30 days of paid vacation\n- Public transport ticket\n\n\
        Equal Opportunity\nAcme is proud to be an equal opportunity employer and welcomes everyone.\n\n\
        How to apply\nSend your CV and a short note to jobs@acme.example by 1 March.\n";
    let doc = read_text(job).unwrap();
    let lines = cvmatch::text::lines::requirement_lines(&doc.text);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "5+ years of Rust or C++",
            "Experience with Kafka and PostgreSQL",
            "Design and run the settlement service"
        ]
    );
    // Without headings the EEO and apply sentences are still no requirements.
    let flat = "Rust engineer.\nYou know Rust and Kafka.\nWe are an equal opportunity employer.\nTo apply, send your resume to jobs@acme.example.";
    let lines = cvmatch::text::lines::requirement_lines(flat);
    assert!(
        lines
            .iter()
            .all(|l| !l.text.contains("equal") && !l.text.contains("apply")),
        "{lines:?}"
    );
}

/// Inputs sized so that one quadratic step would take minutes (10^10 and more character
/// steps); linear steps take milliseconds. No timing is asserted: a quadratic regression
/// shows as a test that does not finish.
#[test]
fn every_text_step_is_linear_on_adversarial_inputs() {
    use cvmatch::text::{lines, normalize::normalize, sections::split_sections};
    let brackets = "[".repeat(200_000);
    assert_eq!(normalize(&brackets), brackets);
    let links = "[a](".repeat(250_000);
    assert_eq!(normalize(&links), links);
    let closed = "[a](b)".repeat(100_000);
    assert_eq!(normalize(&closed), "a".repeat(100_000));
    let resume: String = (0..50_000)
        .map(|i| format!("- Built service number {i} in Rust\n"))
        .collect();
    assert_eq!(lines::evidence_lines(&resume).len(), 50_000);
    assert_eq!(read_text(&resume).unwrap().sections[0].items.len(), 50_000);
    let long_line = "word ".repeat(100_000);
    assert_eq!(split_sections(&normalize(&long_line)).len(), 1);
    assert_eq!(lines::requirement_lines(&long_line).len(), 1);
    let doc = read_text(&long_line).unwrap();
    assert_eq!(doc.text.split(' ').count(), 100_000);
    let sentences = "Did a thing. ".repeat(100_000);
    assert_eq!(lines::evidence_lines(&sentences).len(), 100_000);
}

#[test]
fn size_limits_are_named() {
    let lines = "a\n".repeat(cvmatch::document::limits::MAX_LINES + 1);
    let err = read_text(&lines).unwrap_err();
    assert_eq!(err.code(), "too_large");
    assert!(
        err.to_string().contains("lines in the document: 100002")
            && err.to_string().contains("limit of 100000"),
        "{err}"
    );
    assert_eq!(read_text(" \n\n").unwrap_err().code(), "no_text");
}

#[test]
fn a_colon_heading_stays_a_heading_after_the_reader() {
    // "What you will do:" is a heading for the reader and, read again from its text, for the
    // requirement picker: it must never come back as a requirement of its own.
    let job = "Senior Backend Engineer\n\nWe build shipment tracking.\n\nWhat you will do:\n\
               - Design and operate REST services in Python and Go.\n\
               - Own data models in PostgreSQL.\n\
               What we are looking for:\n- 5+ years of backend development.\n";
    let doc = read_text(job).unwrap();
    assert!(doc.text.contains("What you will do:"), "{}", doc.text);
    let lines = cvmatch::text::lines::requirement_lines(&doc.text);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts.iter().all(|t| !t.starts_with("What ")),
        "a heading was read as a requirement: {texts:?}"
    );
    assert_eq!(texts.len(), 3, "{texts:?}");
}
