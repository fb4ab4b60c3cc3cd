//! Matching with the real model: long resumes, keyword stuffing, requirement evidence,
//! degenerate and binary inputs. The model must be at `models/all-MiniLM-L6-v2`
//! (`make model`); these tests fail, not skip, without it.

use std::path::Path;
use std::sync::OnceLock;

use cvmatch::matching::{self, lexical, CoverageStatus, MatchReport};
use cvmatch::Encoder;

fn encoder() -> &'static Encoder {
    static ENCODER: OnceLock<Encoder> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2");
        assert!(
            dir.join("manifest.json").exists(),
            "the real model is missing at {}: run `make model`",
            dir.display()
        );
        cvmatch::model_dir::load_encoder(&dir, "f32").expect("the real model loads")
    })
}

/// A text of the hand-made pairs file (job texts copied from ../shared/eval/pairs.json).
fn text(id: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching/hard_pairs.json");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("hard_pairs.json")).unwrap();
    json["texts"][id]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text {id}"))
        .to_string()
}

fn assert_sane(r: &MatchReport) {
    assert!(
        r.score.is_finite() && (0.0..=100.0).contains(&r.score),
        "{}",
        r.score
    );
    for p in [r.parts.semantic, r.parts.coverage, r.parts.lexical]
        .into_iter()
        .flatten()
    {
        assert!((0.0..=1.0).contains(&p), "{p}");
    }
    serde_json::to_string(r).expect("report serialises");
}

#[test]
fn experience_after_the_first_300_words_is_matched() {
    let resume = text("resume_late_backend");
    let before = &resume[..resume.find("INDUSTRY EXPERIENCE").unwrap()];
    assert!(before.split_whitespace().count() > 300);
    let ids = [
        "job_rn_medsurg",
        "job_data_analyst",
        "job_backend",
        "job_devops",
    ];
    let jobs: Vec<String> = ids.iter().map(|id| text(id)).collect();
    let refs: Vec<&str> = jobs.iter().map(String::as_str).collect();
    let ranked = matching::rank(encoder(), &resume, &refs, 4).unwrap();
    assert_eq!(ids[ranked[0].index], "job_backend", "{ranked:#?}");
    let report = &ranked[0].report;
    assert!(
        report.score >= 60.0,
        "late experience scored {}",
        report.score
    );
    assert!(report.coverage.resume_chunks >= 2);
    // Whole-text embedding sees only the physics; the chunked document vector sees it all.
    let whole = encoder().encode(&[&resume, &jobs[2]]).unwrap();
    let whole_cos = cvmatch::cosine(&whole[0].vector, &whole[1].vector);
    let doc = matching::document_vector(encoder(), &resume).unwrap();
    let job = matching::document_vector(encoder(), &jobs[2]).unwrap();
    assert!(
        cvmatch::cosine(&doc, &job) > whole_cos + 0.15,
        "{whole_cos}"
    );
    let postgres = report
        .requirements
        .iter()
        .find(|r| r.text.contains("PostgreSQL"))
        .unwrap();
    assert_eq!(postgres.status, CoverageStatus::Covered);
    assert!(postgres
        .evidence
        .as_deref()
        .unwrap()
        .contains("PostgreSQL data model"));
}

#[test]
fn keyword_stuffed_resume_is_not_a_strong_fit() {
    let job = text("job_backend");
    let stuffed = matching::score(encoder(), &text("resume_keyword_stuffed"), &job).unwrap();
    let real = matching::score(encoder(), &text("resume_backend"), &job).unwrap();
    assert_sane(&stuffed);
    assert!(
        stuffed.score < 50.0,
        "stuffed resume scored {}",
        stuffed.score
    );
    assert_ne!(stuffed.band, "strong fit");
    assert!(
        real.score > stuffed.score + 25.0,
        "{} vs {}",
        real.score,
        stuffed.score
    );
    // Its skills list names the job's tools, so those requirements are not "missing"
    // (a named skill never is); what it lacks is years in dated roles and any title.
    let years = stuffed
        .requirements
        .iter()
        .find(|r| r.kind == matching::RequirementKind::Experience)
        .expect("the job asks for years");
    assert_eq!(years.status, CoverageStatus::Missing, "{years:?}");
    assert!(years
        .note
        .as_deref()
        .unwrap_or("")
        .contains("no dated roles"));
    assert_eq!(stuffed.parts.experience, Some(0.0));
    assert_eq!(stuffed.parts.title, Some(0.0));
    assert!(
        stuffed.parts.skills < real.parts.skills,
        "listing-only skills earn less"
    );
    // Lexically it has everything: the lexical part alone would be fooled.
    assert!(stuffed.parts.lexical.unwrap() > 0.5);
}

#[test]
fn same_title_different_stack_scores_lower_and_names_the_stack() {
    let job = text("job_backend");
    let java = matching::score(encoder(), &text("resume_java_backend"), &job).unwrap();
    let real = matching::score(encoder(), &text("resume_backend"), &job).unwrap();
    // Same title and years, so the title and experience parts cannot tell them apart; the
    // stack (skills, coverage, meaning) must.
    assert!(
        real.score > java.score + 15.0,
        "{} vs {}",
        real.score,
        java.score
    );
    assert!(real.parts.skills > java.parts.skills);
    assert!(real.parts.coverage > java.parts.coverage);
    for term in ["Python", "Go", "AWS", "Terraform"] {
        assert!(
            java.missing_terms.iter().any(|t| t == term),
            "{term}: {:?}",
            java.missing_terms
        );
    }
}

#[test]
fn coverage_finds_the_right_evidence_line() {
    let job = "Registered Nurse\n\nRequirements:\n- Current RN license in Ohio.\n\
               - BLS and ACLS certification.\n- Experience documenting care in Epic.\n\
               - Experience with pediatric patients.";
    let resume = "Jordan Lee\n\nEXPERIENCE\n- I enjoy hiking and photography on weekends.\n\
                  - Registered nurse licensed in Ohio since 2015.\n\
                  - Documented patient assessments and care plans in Epic for six years.\n\
                  - Certified in Basic Life Support (BLS) and ACLS.\n";
    let r = matching::score(encoder(), resume, job).unwrap();
    let evidence = |needle: &str| {
        let req = r
            .requirements
            .iter()
            .find(|q| q.text.contains(needle))
            .unwrap();
        (req.evidence.clone().unwrap_or_default(), req.status)
    };
    assert!(evidence("RN license").0.contains("licensed in Ohio"));
    assert!(evidence("ACLS")
        .0
        .contains("Certified in Basic Life Support"));
    assert!(evidence("Epic").0.contains("in Epic"));
    assert_eq!(evidence("RN license").1, CoverageStatus::Covered);
    assert_ne!(evidence("pediatric").1, CoverageStatus::Covered);
    assert_eq!(r.requirements.len(), 4);
}

#[test]
fn rank_candidates_puts_the_matching_resume_first() {
    let resumes = [
        text("resume_keyword_stuffed"),
        text("resume_java_backend"),
        text("resume_backend"),
    ];
    let refs: Vec<&str> = resumes.iter().map(String::as_str).collect();
    let ranked = matching::rank_candidates(encoder(), &text("job_backend"), &refs, 2).unwrap();
    assert_eq!(ranked.len(), 2);
    assert_eq!(ranked[0].index, 2);
    assert!(ranked[0].score >= ranked[1].score);
    // A pair ranked among many scores as it does alone.
    let alone = matching::score(encoder(), &resumes[2], &text("job_backend")).unwrap();
    assert_eq!(alone.score, ranked[0].score);
}

#[test]
fn degenerate_inputs_give_a_report() {
    let job = text("job_backend");
    let resume = text("resume_backend");
    // 200 KB of a resume pasted again and again: every line is split, packed and chunked;
    // identical chunks are embedded once, which keeps this test quick.
    let big: String = std::iter::repeat_n(resume.as_str(), 200_000 / resume.len() + 1)
        .collect::<Vec<_>>()
        .join("\n");
    let cases: Vec<(&str, String, String)> = vec![
        ("empty resume", String::new(), job.clone()),
        ("empty job", resume.clone(), String::new()),
        ("both empty", String::new(), String::new()),
        ("whitespace", " \n\t \r\n ".into(), " ".into()),
        ("single word", "Rust".into(), "Go".into()),
        ("200 KB resume", big.clone(), job.clone()),
        ("200 KB job", resume.clone(), big),
        (
            "French",
            "Ingénieure logicielle. Expérience : services REST en Python et Go sur AWS.".into(),
            "Nous recherchons une ingénieure backend (Python, Go, AWS, Terraform).".into(),
        ),
        (
            "Japanese",
            "東京でバックエンド開発を五年間担当。".into(),
            "バックエンドエンジニア募集".into(),
        ),
    ];
    for (name, resume, job) in cases {
        let r = matching::score(encoder(), &resume, &job).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_sane(&r);
        let l = matching::lexical_report(&resume, &job).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_sane(&l);
        assert!(l.provisional && !r.provisional, "{name}");
    }
    let empty = matching::score(encoder(), "", &job).unwrap();
    assert_eq!(empty.score, 0.0);
    assert!(empty.notes.iter().any(|n| n.contains("empty")));
}

#[test]
fn binary_input_is_a_clear_error() {
    let pdf = "%PDF-1.7\n\0\0\u{1}\u{2}stream\u{3}\u{4}endstream";
    for result in [
        matching::score(encoder(), pdf, "Backend engineer"),
        matching::score(encoder(), "Backend engineer", pdf),
        matching::lexical_report(pdf, "Backend engineer"),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.code(), "bad_input");
        assert!(err.to_string().contains("binary"), "{err}");
    }
    assert!(matching::document_vector(encoder(), pdf).is_err());
}

#[test]
fn document_vector_of_a_short_text_is_its_embedding() {
    let t = "Senior backend engineer, Python and Go, AWS.";
    let doc = matching::document_vector(encoder(), t).unwrap();
    let whole = encoder().encode_one(t).unwrap();
    assert!(cvmatch::cosine(&doc, &whole.vector) > 0.9999);
    let norm: f32 = doc.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
}

#[test]
fn lexical_report_works_without_the_model() {
    let r = matching::lexical_report(&text("resume_backend"), &text("job_backend")).unwrap();
    assert!(r.provisional);
    assert_eq!(r.parts.semantic, None);
    assert_eq!(r.model, None);
    assert!(r.score > 50.0, "{}", r.score);
    assert!(!r.requirements.is_empty());
    assert!(r.matched_terms.iter().any(|t| t == "Terraform"));
}

/// The README example: a requirement whose point is a named skill (Airflow) is credited by
/// the experience line that names it, and the listed terms are the job's skills, not its
/// header or generic words.
#[test]
fn named_skill_requirement_and_key_terms() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let (resume, job) = (
        read("resume_data_engineer.md"),
        read("job_data_engineer.md"),
    );
    let r = matching::score(encoder(), &resume, &job).unwrap();
    assert_sane(&r);
    let airflow = r
        .requirements
        .iter()
        .find(|q| q.text.starts_with("Experience with Airflow"))
        .unwrap();
    assert_ne!(airflow.status, CoverageStatus::Missing, "{airflow:?}");
    let line = airflow.evidence.clone().unwrap_or_default();
    assert!(
        line.contains("Airflow") && !line.starts_with("Python, SQL"),
        "{line}"
    );
    let aws = r.requirements.iter().find(|q| q.text.contains("AWS"));
    assert_eq!(aws.unwrap().status, CoverageStatus::Missing);
    let lex = matching::lexical_report(&resume, &job).unwrap();
    for terms in [&r.missing_terms, &lex.missing_terms] {
        for t in ["Snowflake", "Kafka", "AWS"] {
            assert!(terms.iter().any(|x| x == t), "{t}: {terms:?}");
        }
        for t in [
            "Lumen",
            "Freight",
            "Rotterdam",
            "hybrid",
            "Build",
            "jobs",
            "checks",
        ] {
            assert!(!terms.iter().any(|x| x == t), "{t}: {terms:?}");
        }
        assert!(terms.len() <= lexical::MAX_LISTED_TERMS);
    }
    for terms in [&r.matched_terms, &lex.matched_terms] {
        assert!(terms.iter().any(|x| x == "Airflow"), "{terms:?}");
        for t in ["Engineer", "Data", "Model", "tables"] {
            assert!(!terms.iter().any(|x| x == t), "{t}: {terms:?}");
        }
    }
}
