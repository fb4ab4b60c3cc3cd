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
.cvm-req-covered { border-left-color: #0b6b2f; } .cvm-req-partial { border-left-color: #b06d00; } .cvm-req-missing { border-left-color: #a1192d; }
.cvm-status { font-weight: 700; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; margin-right: .4rem; }
.cvm-req-covered .cvm-status { color: #0b6b2f; } .cvm-req-partial .cvm-status { color: #7a4a00; } .cvm-req-missing .cvm-status { color: #a1192d; }
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

const STATUS_WORD = { covered: 'Covered', partial: 'Partly covered', missing: 'Missing' };

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
  root.append(el('p', { class: 'cvm-meaning' }, [capitalise(report.bandMeaning ?? report.band_meaning) + '.']));
  if (report.provisional) {
    root.append(el('p', { class: 'cvm-provisional', 'data-testid': 'provisional' }, [
      'Provisional: keyword match only, while the language model loads. The full score replaces it automatically.']));
  }
  const p = report.parts;
  const pct = (/** @type {number|null} */ x) => (x == null ? '—' : `${Math.round(x * 100)} %`);
  root.append(el('p', { class: 'cvm-parts' }, [
    `Meaning ${pct(p.semantic)} · requirements ${pct(p.coverage)} · keywords ${pct(p.lexical)}`]));

  const c = report.coverage;
  root.append(el(h, {}, [`Requirements: ${c.covered} covered, ${c.partial} partly, ${c.missing} missing`]));
  if (report.requirements.length === 0) {
    root.append(el('p', {}, ['No requirement lines were found in this job ad.']));
  } else {
    const list = el('ul', { class: 'cvm-reqs' });
    for (const r of report.requirements) {
      const item = el('li', { class: `cvm-req cvm-req-${r.status}`, 'data-status': r.status }, [
        el('span', { class: 'cvm-status' }, [STATUS_WORD[r.status] ?? r.status]),
        r.text,
      ]);
      if (r.optional) item.append(' ', el('span', { class: 'cvm-opt' }, ['(nice to have)']));
      if (r.evidence && r.status !== 'missing') {
        item.append(el('p', { class: 'cvm-evidence' }, ['Your resume: ', el('q', {}, [r.evidence])]));
      } else if (r.evidence) {
        item.append(el('p', { class: 'cvm-evidence' }, ['Closest line: ', el('q', {}, [r.evidence])]));
      }
      list.append(item);
    }
    root.append(list);
  }

  root.append(el(h, {}, ['Terms of the job missing from your resume']));
  if ((report.missingTerms ?? report.missing_terms).length) {
    root.append(el('ul', { class: 'cvm-terms', 'data-testid': 'missing-terms' }, (report.missingTerms ?? report.missing_terms).map((t) => el('li', {}, [t]))));
  } else {
    root.append(el('p', {}, ['None: every important term of the job appears in your resume.']));
  }
  if ((report.matchedTerms ?? report.matched_terms).length) {
    root.append(el(h, {}, ['Terms you share with the job']));
    root.append(el('ul', { class: 'cvm-terms cvm-matched' }, (report.matchedTerms ?? report.matched_terms).map((t) => el('li', {}, [t]))));
  }
  if (report.notes?.length) root.append(el('ul', { class: 'cvm-notes' }, report.notes.map((n) => el('li', {}, [n]))));
  return root;
}

/** @param {string} s */
function capitalise(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : '';
}
