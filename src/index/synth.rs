//! Seeded synthetic job corpora for benchmarks and tests (never for the demo): each job is a
//! title and a few sentences recombined from per-field banks, so a corpus of any size comes
//! from a few hundred distinct sentences ([`units`]), which tests embed once.

use crate::index::JobMeta;

/// A field: its titles, skills and duties.
struct Field {
    name: &'static str,
    titles: &'static [&'static str],
    skills: &'static [&'static str],
    duties: &'static [&'static str],
}

const FIELDS: &[Field] = &[
    Field {
        name: "software engineering",
        titles: &[
            "Backend Engineer",
            "Frontend Developer",
            "Site Reliability Engineer",
        ],
        skills: &[
            "Rust",
            "Go",
            "TypeScript",
            "React",
            "PostgreSQL",
            "Kubernetes",
            "AWS",
            "gRPC",
            "Kafka",
            "Terraform",
        ],
        duties: &[
            "Design and operate REST APIs used by millions of customers.",
            "Review code and mentor junior engineers.",
            "Keep services reliable with monitoring and on-call rotations.",
            "Build responsive user interfaces for a web application.",
            "Reduce latency and cloud cost of backend services.",
        ],
    },
    Field {
        name: "data science",
        titles: &[
            "Data Scientist",
            "Data Analyst",
            "Machine Learning Engineer",
        ],
        skills: &[
            "Python",
            "SQL",
            "pandas",
            "scikit-learn",
            "PyTorch",
            "Tableau",
            "dbt",
            "Spark",
            "A/B testing",
            "statistics",
        ],
        duties: &[
            "Build dashboards that track product metrics.",
            "Train and deploy forecasting models.",
            "Design experiments and analyse their results.",
            "Clean and model data in the warehouse.",
            "Explain findings to non-technical stakeholders.",
        ],
    },
    Field {
        name: "design",
        titles: &["Product Designer", "UX Researcher", "Graphic Designer"],
        skills: &[
            "Figma",
            "user research",
            "prototyping",
            "Adobe Illustrator",
            "design systems",
            "accessibility",
            "typography",
            "usability testing",
            "InDesign",
            "motion design",
        ],
        duties: &[
            "Run interviews and usability tests with customers.",
            "Design flows, wireframes and high-fidelity mockups.",
            "Maintain the design system and its components.",
            "Create brand assets for print and social media.",
            "Work with engineers to ship polished features.",
        ],
    },
    Field {
        name: "nursing",
        titles: &["Registered Nurse", "ICU Nurse", "Pediatric Nurse"],
        skills: &[
            "BLS certification",
            "ACLS",
            "Epic charting",
            "medication administration",
            "wound care",
            "IV therapy",
            "patient assessment",
            "telemetry",
            "infection control",
            "triage",
        ],
        duties: &[
            "Assess patients and carry out care plans.",
            "Administer medications and monitor vital signs.",
            "Educate patients and families before discharge.",
            "Work twelve-hour shifts including nights and weekends.",
            "Coordinate care with physicians and therapists.",
        ],
    },
    Field {
        name: "teaching",
        titles: &[
            "Primary School Teacher",
            "High School Math Teacher",
            "ESL Teacher",
        ],
        skills: &[
            "lesson planning",
            "classroom management",
            "teaching licence",
            "differentiated instruction",
            "Google Classroom",
            "assessment design",
            "special educational needs",
            "curriculum development",
            "parent communication",
            "phonics",
        ],
        duties: &[
            "Plan and deliver engaging lessons.",
            "Track student progress and adapt instruction.",
            "Communicate with parents about progress.",
            "Supervise students during breaks and trips.",
            "Prepare students for national exams.",
        ],
    },
    Field {
        name: "sales",
        titles: &[
            "Account Executive",
            "Sales Development Representative",
            "Key Account Manager",
        ],
        skills: &[
            "Salesforce",
            "cold calling",
            "negotiation",
            "B2B SaaS sales",
            "pipeline management",
            "HubSpot",
            "quota attainment",
            "contract closing",
            "prospecting",
            "CRM hygiene",
        ],
        duties: &[
            "Prospect new accounts and book discovery calls.",
            "Run demos and close deals with decision makers.",
            "Grow revenue from existing key accounts.",
            "Forecast the pipeline accurately every week.",
            "Travel to customer sites for meetings.",
        ],
    },
    Field {
        name: "finance",
        titles: &["Financial Analyst", "Accountant", "Controller"],
        skills: &[
            "Excel",
            "financial modelling",
            "IFRS",
            "GAAP",
            "SAP",
            "month-end close",
            "budgeting",
            "variance analysis",
            "CPA",
            "audit",
        ],
        duties: &[
            "Prepare monthly management accounts.",
            "Build budgets and forecasts with department heads.",
            "Reconcile ledgers and support the annual audit.",
            "Analyse variances and explain them to leadership.",
            "Improve financial controls and processes.",
        ],
    },
    Field {
        name: "logistics",
        titles: &[
            "Warehouse Supervisor",
            "Logistics Coordinator",
            "Supply Chain Planner",
        ],
        skills: &[
            "forklift licence",
            "WMS",
            "inventory control",
            "SAP MM",
            "route planning",
            "customs documentation",
            "lean",
            "demand planning",
            "shipping",
            "health and safety",
        ],
        duties: &[
            "Supervise a team of pickers and packers.",
            "Schedule inbound and outbound shipments.",
            "Keep stock levels accurate with cycle counts.",
            "Work with carriers to resolve delivery issues.",
            "Plan production and replenishment.",
        ],
    },
    Field {
        name: "hospitality",
        titles: &["Line Cook", "Front Desk Agent", "Restaurant Manager"],
        skills: &[
            "food safety certificate",
            "knife skills",
            "Opera PMS",
            "guest service",
            "POS systems",
            "cash handling",
            "menu costing",
            "staff scheduling",
            "wine knowledge",
            "high-volume service",
        ],
        duties: &[
            "Prepare dishes to recipe during busy services.",
            "Welcome guests and handle check-in and check-out.",
            "Lead the floor team and train new staff.",
            "Keep the kitchen clean and compliant with hygiene rules.",
            "Handle guest complaints calmly.",
        ],
    },
    Field {
        name: "trades",
        titles: &["Electrician", "Plumber", "HVAC Technician"],
        skills: &[
            "journeyman licence",
            "wiring",
            "blueprint reading",
            "pipe fitting",
            "refrigerant handling",
            "troubleshooting",
            "power tools",
            "building codes",
            "solar installation",
            "preventive maintenance",
        ],
        duties: &[
            "Install and repair electrical systems in homes.",
            "Diagnose faults and fix them on the first visit.",
            "Install heating, ventilation and cooling units.",
            "Follow safety rules on every job site.",
            "Drive a company van to customer sites.",
        ],
    },
    Field {
        name: "legal",
        titles: &["Paralegal", "Corporate Lawyer", "Compliance Officer"],
        skills: &[
            "contract drafting",
            "legal research",
            "GDPR",
            "due diligence",
            "litigation support",
            "bar admission",
            "e-discovery",
            "corporate governance",
            "AML",
            "regulatory reporting",
        ],
        duties: &[
            "Draft and review commercial contracts.",
            "Research case law and prepare memos.",
            "Support mergers and acquisitions due diligence.",
            "Monitor compliance with regulations.",
            "Manage court filings and deadlines.",
        ],
    },
    Field {
        name: "marketing",
        titles: &["Marketing Manager", "SEO Specialist", "Content Marketer"],
        skills: &[
            "SEO",
            "Google Analytics",
            "paid social",
            "copywriting",
            "email marketing",
            "marketing automation",
            "content strategy",
            "Google Ads",
            "brand strategy",
            "CMS",
        ],
        duties: &[
            "Plan and run multichannel campaigns.",
            "Write blog posts, landing pages and newsletters.",
            "Grow organic traffic through technical SEO.",
            "Manage the paid advertising budget.",
            "Report on campaign performance.",
        ],
    },
    Field {
        name: "human resources",
        titles: &[
            "HR Generalist",
            "Talent Acquisition Partner",
            "HR Business Partner",
        ],
        skills: &[
            "recruiting",
            "employment law",
            "Workday",
            "onboarding",
            "performance management",
            "payroll",
            "employee relations",
            "interviewing",
            "HRIS",
            "compensation",
        ],
        duties: &[
            "Run full-cycle recruiting for technical roles.",
            "Advise managers on employee relations cases.",
            "Own onboarding and offboarding.",
            "Support the annual performance review cycle.",
            "Keep HR records accurate and confidential.",
        ],
    },
    Field {
        name: "customer support",
        titles: &[
            "Customer Support Specialist",
            "Technical Support Engineer",
            "Customer Success Manager",
        ],
        skills: &[
            "Zendesk",
            "ticket triage",
            "troubleshooting",
            "empathy",
            "SLA management",
            "knowledge base writing",
            "Jira",
            "onboarding customers",
            "churn reduction",
            "live chat",
        ],
        duties: &[
            "Answer customer questions by email, chat and phone.",
            "Escalate bugs to engineering with clear reproduction steps.",
            "Onboard new customers and drive adoption.",
            "Write help centre articles.",
            "Meet response time targets.",
        ],
    },
    Field {
        name: "construction",
        titles: &["Site Manager", "Project Engineer", "Quantity Surveyor"],
        skills: &[
            "construction management",
            "AutoCAD",
            "cost estimating",
            "health and safety",
            "scheduling",
            "subcontractor management",
            "Primavera P6",
            "site inspections",
            "procurement",
            "BIM",
        ],
        duties: &[
            "Manage day-to-day work on a construction site.",
            "Prepare cost estimates and track budgets.",
            "Coordinate subcontractors and deliveries.",
            "Run safety briefings and inspections.",
            "Report progress to the client.",
        ],
    },
    Field {
        name: "pharmacy",
        titles: &["Pharmacist", "Pharmacy Technician", "Clinical Pharmacist"],
        skills: &[
            "dispensing",
            "pharmacology",
            "medication review",
            "pharmacy licence",
            "controlled drugs",
            "patient counselling",
            "inventory management",
            "clinical guidelines",
            "compounding",
            "drug interactions",
        ],
        duties: &[
            "Dispense prescriptions accurately.",
            "Counsel patients on their medicines.",
            "Review medication charts on the wards.",
            "Manage stock and controlled drugs registers.",
            "Supervise pharmacy technicians.",
        ],
    },
    Field {
        name: "administration",
        titles: &[
            "Office Manager",
            "Executive Assistant",
            "Administrative Assistant",
        ],
        skills: &[
            "Microsoft Office",
            "calendar management",
            "travel booking",
            "minute taking",
            "bookkeeping",
            "filing",
            "Google Workspace",
            "event planning",
            "vendor management",
            "reception",
        ],
        duties: &[
            "Manage executives' calendars and travel.",
            "Keep the office running and supplies stocked.",
            "Organise team events and offsites.",
            "Prepare documents and presentations.",
            "Greet visitors and answer phones.",
        ],
    },
    Field {
        name: "mechanical engineering",
        titles: &[
            "Mechanical Engineer",
            "Manufacturing Engineer",
            "Quality Engineer",
        ],
        skills: &[
            "SolidWorks",
            "GD&T",
            "FEA",
            "lean manufacturing",
            "Six Sigma",
            "root cause analysis",
            "CNC machining",
            "ISO 9001",
            "tolerance analysis",
            "PLC",
        ],
        duties: &[
            "Design mechanical parts and assemblies.",
            "Improve yield on the production line.",
            "Investigate quality issues and fix root causes.",
            "Write test plans and validation reports.",
            "Work with suppliers on tooling.",
        ],
    },
    Field {
        name: "social work",
        titles: &["Social Worker", "Case Manager", "Youth Worker"],
        skills: &[
            "case management",
            "safeguarding",
            "crisis intervention",
            "motivational interviewing",
            "social work licence",
            "care planning",
            "mental health first aid",
            "report writing",
            "community outreach",
            "trauma-informed care",
        ],
        duties: &[
            "Support families through assessments and care plans.",
            "Visit clients at home and in the community.",
            "Write case notes and court reports.",
            "Work with schools, police and health services.",
            "Run group sessions for young people.",
        ],
    },
    Field {
        name: "agriculture",
        titles: &["Farm Manager", "Agronomist", "Greenhouse Technician"],
        skills: &[
            "crop management",
            "irrigation systems",
            "soil science",
            "tractor operation",
            "pest management",
            "livestock care",
            "precision agriculture",
            "pesticide licence",
            "harvest planning",
            "greenhouse climate control",
        ],
        duties: &[
            "Plan planting, spraying and harvest.",
            "Advise growers on soil and crop health.",
            "Maintain irrigation and farm machinery.",
            "Keep records for certification schemes.",
            "Supervise seasonal workers.",
        ],
    },
];

const COMPANIES: &[&str] = &[
    "Northwind",
    "Bluefjord",
    "Copperleaf",
    "Harbor & Pine",
    "Lumen Works",
    "Redwood Labs",
    "Silvergate",
    "Tidewater",
    "Oakridge",
    "Brightline",
];
const CITIES: &[&str] = &[
    "Lisbon",
    "Austin",
    "Leeds",
    "Toronto",
    "Melbourne",
    "Dublin",
    "Denver",
    "Utrecht",
    "Auckland",
    "Remote",
];

/// The sentence templates: a skill requirement, a years requirement.
fn skill_sentence(skill: &str) -> String {
    format!("Experience with {skill} is required.")
}

fn years_sentence(years: usize, field: &str) -> String {
    format!("{years}+ years of experience in {field}.")
}

/// Every distinct text a synthetic job is made of (titles and sentences), in a fixed order.
pub fn units() -> Vec<String> {
    let mut out = Vec::new();
    for f in FIELDS {
        out.extend(f.titles.iter().map(|t| t.to_string()));
        out.extend(f.skills.iter().map(|s| skill_sentence(s)));
        out.extend(f.duties.iter().map(|d| d.to_string()));
        out.extend((1..=8).map(|y| years_sentence(y, f.name)));
    }
    out
}

/// One synthetic job: its metadata and the units its text is made of (title first).
#[derive(Debug, Clone)]
pub struct SynthJob {
    /// Metadata; `text` is the units, the title on its own line.
    pub meta: JobMeta,
    /// The title and sentences, each one of [`units`].
    pub units: Vec<String>,
}

/// splitmix64: small, seeded, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `count` jobs from `seed`, each a title and 1 to `max_sentences` sentences (mostly from
/// its field, sometimes one from another).
pub fn synth_jobs(count: usize, seed: u64, max_sentences: usize) -> Vec<SynthJob> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|i| {
            let f = &FIELDS[rng.below(FIELDS.len())];
            let title = f.titles[rng.below(f.titles.len())].to_string();
            let mut units = vec![title.clone()];
            for _ in 0..1 + rng.below(max_sentences.max(1)) {
                let g = if rng.below(10) == 0 {
                    &FIELDS[rng.below(FIELDS.len())]
                } else {
                    f
                };
                let s = match rng.below(3) {
                    0 => skill_sentence(g.skills[rng.below(g.skills.len())]),
                    1 => g.duties[rng.below(g.duties.len())].to_string(),
                    _ => years_sentence(1 + rng.below(8), g.name),
                };
                if !units.contains(&s) {
                    units.push(s);
                }
            }
            let company = COMPANIES[rng.below(COMPANIES.len())];
            let meta = JobMeta {
                id: format!("synth-{i}"),
                title,
                company: format!("{company} (synthetic)"),
                location: CITIES[rng.below(CITIES.len())].to_string(),
                url: format!("https://example.com/jobs/synth-{i}"),
                text: format!("{}\n{}", units[0], units[1..].join(" ")),
                extra: serde_json::Map::new(),
            };
            SynthJob { meta, units }
        })
        .collect()
}

/// A synthetic job's vector: the normalised mean of its units' vectors (`vector_of` gives
/// each unit's, e.g. from one encoder call over [`units`]). An approximation of
/// [`crate::matching::document_vector`] good enough for benchmarks; never for real jobs.
pub fn job_vector<'a>(
    units: &[String],
    dim: usize,
    vector_of: impl Fn(&str) -> Option<&'a [f32]>,
) -> Vec<f32> {
    let vectors: Vec<Vec<f32>> = units
        .iter()
        .filter_map(|u| vector_of(u).map(<[f32]>::to_vec))
        .collect();
    crate::matching::prepare::mean_normalized(&vectors, dim)
}

/// An index of synthetic jobs from their units' vectors (no line vectors).
pub fn synth_index<'a>(
    jobs: Vec<SynthJob>,
    identity: crate::index::IndexIdentity,
    dim: usize,
    vector_of: impl Fn(&str) -> Option<&'a [f32]>,
) -> crate::Result<crate::index::JobIndex> {
    let mut builder = crate::index::IndexBuilder::new(identity, dim, false);
    for job in jobs {
        let v = job_vector(&job.units, dim, &vector_of);
        builder.push_vectors(job.meta, &v, &[], 1)?;
    }
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_made_of_units() {
        let a = synth_jobs(200, 7, 3);
        let b = synth_jobs(200, 7, 3);
        assert_eq!(
            a.iter().map(|j| &j.meta.text).collect::<Vec<_>>(),
            b.iter().map(|j| &j.meta.text).collect::<Vec<_>>()
        );
        let all = units();
        assert!(a
            .iter()
            .all(|j| j.units.iter().all(|u| all.contains(u)) && j.units.len() <= 4));
        assert_ne!(synth_jobs(5, 8, 3)[0].meta.text, a[0].meta.text);
    }
}
