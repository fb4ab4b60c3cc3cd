// Renders a match report (pkg/index.d.ts `MatchReport`, docs/scoring.md) as DOM nodes.
// Shared by the site and <cvmatch-fit>: REPORT_CSS is the one copy of its styles, added to
// the page by the site and into the shadow root by the element. Every piece of resume or
// job text goes in through textContent, never as HTML.

export const REPORT_CSS = `
.cvm-report { display: grid; gap: .75rem; }
.cvm-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1rem; }
.cvm-score { font-size: 2.2rem; font-weight: 700; line-height: 1; }
.cvm-score small { font-size: 1rem; font-weight: 400; color: #555; }
.cvm-band { font-weight: 700; font-size: 1.15rem; }
.cvm-band-strong { color: #0b6b2f; } .cvm-band-good { color: #1f5a96; }
.cvm-band-partial { color: #8a5200; } .cvm-band-weak { color: #a1192d; }
.cvm-meaning { margin: 0; }
.cvm-provisional { border-left: 4px solid #8a5200; background: #fff6e5; color: #3d2600; padding: .4rem .6rem; margin: 0; }
.cvm-parts { margin: 0; color: #444; font-size: .9rem; }
.cvm-reqs { list-style: none; padding: 0; margin: 0; display: grid; gap: .4rem; }
.cvm-req { border: 1px solid #ccc; border-left-width: 6px; border-radius: 4px; padding: .35rem .6rem; }
.cvm-req-covered { border-left-color: #0b6b2f; } .cvm-req-partial { border-left-color: #b06d00; } .cvm-req-missing { border-left-color: #a1192d; } .cvm-req-check_yourself { border-left-color: #5b5b8a; }
.cvm-status { font-weight: 700; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; margin-right: .4rem; }
.cvm-req-covered .cvm-status { color: #0b6b2f; } .cvm-req-partial .cvm-status { color: #7a4a00; } .cvm-req-missing .cvm-status { color: #a1192d; } .cvm-req-check_yourself .cvm-status { color: #45456e; }
.cvm-kind { font-size: .75rem; color: #555; border: 1px solid #bbb; border-radius: 3px; padding: 0 .3rem; margin-right: .4rem; }
.cvm-skills { display: inline-flex; flex-wrap: wrap; gap: .25rem; list-style: none; padding: 0; margin: .2rem 0 0; font-size: .8rem; }
.cvm-skills li { border-radius: 3px; padding: 0 .35rem; }
.cvm-skill-found { background: #e3f3e8; color: #0b5a28; } .cvm-skill-absent { background: #fbe6e9; color: #7d1222; }
.cvm-note { margin: .2rem 0 0; font-size: .85rem; color: #333; }
.cvm-opt { font-size: .8rem; color: #555; }
.cvm-evidence { margin: .2rem 0 0; font-size: .9rem; color: #333; }
.cvm-evidence q { font-style: italic; }
.cvm-terms { display: flex; flex-wrap: wrap; gap: .3rem; list-style: none; padding: 0; margin: 0; }
.cvm-terms li { border: 1px solid #a1192d; color: #7d1222; border-radius: 999px; padding: .05rem .55rem; font-size: .85rem; }
.cvm-terms.cvm-matched li { border-color: #0b6b2f; color: #0b5a28; }
.cvm-report h3, .cvm-report h4 { margin: .4rem 0 .2rem; font-size: 1rem; }
.cvm-notes { font-size: .85rem; color: #444; margin: 0; padding-left: 1.2rem; }
`;

/** @param {string} band */
export const bandClass = (band) => `cvm-band-${String(band).split(' ')[0]}`;

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node|string)[]} [children]
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const STATUS_WORD = {
  covered: 'Covered', partial: 'Partly covered', missing: 'Missing', check_yourself: 'Check yourself',
};
const KIND_WORD = {
  skills: 'skills', experience: 'experience', education: 'education', certification: 'certification',
  language: 'language', soft_skill: 'soft skill', logistics: 'logistics', other: 'other',
};

/**
 * A report field by its snake_case name, or its camelCase name where the client renamed it.
 * @param {any} obj
 * @param {string} name
 */
export function field(obj, name) {
  if (obj == null) return undefined;
  // camelCase first (the client's names; its snake_case aliases warn when read)
  const camel = name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return camel in obj ? obj[camel] : obj[name];
}

/**
 * The full report: score and band, requirement coverage with evidence, missing terms.
 * @param {import('../pkg/index.d.ts').MatchReport} report
 * @param {{headingLevel?: number}} [options]  level of the section headings (default 3)
 * @returns {HTMLElement}
 */
export function renderReport(report, { headingLevel = 3 } = {}) {
  const h = `h${headingLevel}`;
  const root = el('div', { class: 'cvm-report', 'data-provisional': String(report.provisional) });
  root.append(el('div', { class: 'cvm-head' }, [
    el('span', { class: 'cvm-score', 'data-testid': 'score' }, [String(Math.round(report.score)), el('small', {}, [' / 100'])]),
    el('span', { class: `cvm-band ${bandClass(report.band)}`, 'data-testid': 'band' }, [report.band]),
  ]));
  root.append(el('p', { class: 'cvm-meaning' }, [capitalise(field(report, 'band_meaning') ?? '') + '.']));
  if (report.provisional) {
    root.append(el('p', { class: 'cvm-provisional', 'data-testid': 'provisional' }, [
      'Provisional: skills, years, degree and title only, while the language model loads. The full score replaces it automatically.']));
  }
  const p = report.parts;
  const pct = (/** @type {number|null} */ x) => (x == null ? '—' : `${Math.round(x * 100)} %`);
  root.append(el('p', { class: 'cvm-parts' }, [
    `Meaning ${pct(p.semantic)} · requirements ${pct(p.coverage)} · skills ${pct(p.skills)}`
    + ` · experience ${pct(p.experience)} · education ${pct(p.education)} · title ${pct(p.title)}`]));

  const c = report.coverage;
  const check = field(c, 'check_yourself') ?? 0;
  root.append(el(h, {}, [`Requirements: ${c.covered} covered, ${c.partial} partly, ${c.missing} missing`
    + (check ? `, ${check} to check yourself` : '')]));
  if (report.requirements.length === 0) {
    root.append(el('p', {}, ['No requirement lines were found in this job ad.']));
  } else {
    const list = el('ul', { class: 'cvm-reqs' });
    for (const r of report.requirements) {
      const status = String(r.status);
      const item = el('li', { class: `cvm-req cvm-req-${status}`, 'data-status': status, 'data-kind': String(r.kind ?? 'other') }, [
        el('span', { class: 'cvm-status' }, [STATUS_WORD[status] ?? status]),
        el('span', { class: 'cvm-kind' }, [KIND_WORD[r.kind] ?? String(r.kind ?? '')]),
        r.text,
      ]);
      if (r.optional) item.append(' ', el('span', { class: 'cvm-opt' }, ['(nice to have)']));
      const skills = (r.skills ?? []).filter((/** @type {any} */ k) => k.kind !== 'soft_skill');
      if (skills.length) {
        item.append(el('ul', { class: 'cvm-skills' }, skills.map((/** @type {any} */ k) => el('li', {
          class: k.found ? 'cvm-skill-found' : 'cvm-skill-absent',
          title: k.found ? 'your resume names it' : 'not in your resume',
        }, [(k.found ? '✓ ' : '✗ ') + k.name]))));
      }
      if (r.note) item.append(el('p', { class: 'cvm-note' }, [capitalise(r.note) + '.']));
      const lines = field(r, 'evidence_lines') ?? (r.evidence ? [r.evidence] : []);
      if (status !== 'missing') {
        for (const line of lines) item.append(el('p', { class: 'cvm-evidence' }, ['Your resume: ', el('q', {}, [line])]));
      }
      list.append(item);
    }
    root.append(list);
  }

  const missing = field(report, 'missing_terms') ?? [];
  const matched = field(report, 'matched_terms') ?? [];
  root.append(el(h, {}, ['Skills of the job missing from your resume']));
  if (missing.length) {
    root.append(el('ul', { class: 'cvm-terms', 'data-testid': 'missing-terms' }, missing.map((/** @type {string} */ t) => el('li', {}, [t]))));
  } else {
    root.append(el('p', {}, ['None: every skill the job names appears in your resume.']));
  }
  if (matched.length) {
    root.append(el(h, {}, ['Skills you share with the job']));
    root.append(el('ul', { class: 'cvm-terms cvm-matched' }, matched.map((/** @type {string} */ t) => el('li', {}, [t]))));
  }
  if (report.notes?.length) root.append(el('ul', { class: 'cvm-notes' }, report.notes.map((n) => el('li', {}, [n]))));
  return root;
}

/** @param {string} s */
function capitalise(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}
