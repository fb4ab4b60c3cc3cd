// <cvmatch-fit>: a "Check your fit" button for job pages. The visitor picks their resume
// file; it is read and scored in their browser (a Web Worker), and the score and requirement
// coverage appear inside the element. Nothing is uploaded.
//
//   <script type="module" src="/www/cvmatch-fit.js"></script>
//   <cvmatch-fit job="#job-description"></cvmatch-fit>
//
// Attributes:
//   job        `#id` of the element holding the job text (its text, never its markup), or
//              the job text itself. Nothing else is taken as a selector: `job="main"` is the
//              word "main", not the page's <main>, so the element never scores arbitrary
//              page text it was not pointed at.
//   model-url  the model directory (default: ../models/all-MiniLM-L6-v2/ next to this script)
// The shadow root is open (so page styles cannot reach inside, yet tests and assistive
// tooling can): any script of the host page can read what it shows, i.e. the visitor's
// score, the job's requirements with the resume lines quoted as evidence, and matched and
// missing terms. The resume file itself and its full text are never put in the DOM.
// The model (q8 weights, ~23 MB) is downloaded on the first click, not on page load, and kept by the
// browser for later visits. Until it is ready a provisional keyword score is shown.
import { startMatcher } from './matcher.js';
import { extractText, ExtractError, readDocumentArgs } from './extract.js';
import { renderReport, REPORT_CSS, el } from './report.js';

const DEFAULT_MODEL = new URL('../models/all-MiniLM-L6-v2/', import.meta.url);

/** Worker errors about the document itself (the others fall back to the text as drawn). */
const DOCUMENT_ERRORS = new Set(['no_text', 'too_large', 'encrypted', 'bad_input']);

const STYLE = `
:host { display: block; font: inherit; color: inherit; border: 1px solid #c8c8c8; border-radius: 8px; padding: .8rem 1rem; background: #fff; color: #1b1b1b; max-width: 48rem; }
:host([hidden]) { display: none; }
button { font: inherit; font-weight: 600; padding: .5rem 1rem; min-height: 44px; border-radius: 6px; border: 1px solid #1f4f8a; background: #1f4f8a; color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
button:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.intro { margin: .4rem 0 0; font-size: .9rem; color: #4a4a4a; }
.status { margin: .6rem 0; }
.error { color: #a1192d; font-weight: 600; }
progress { width: 100%; }
progress[hidden] { display: none; }
.result:focus { outline: none; }
${REPORT_CSS}`;

/** Shared by every element of the page: one worker, one model. */
let shared = /** @type {ReturnType<typeof startMatcher>|null} */ (null);
let sharedUrl = '';

export class CvmatchFit extends HTMLElement {
  static observedAttributes = ['job', 'model-url'];
  /** @type {ShadowRoot} */ #root;
  #seq = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    const input = el('input', { type: 'file', accept: '.pdf,.docx,.txt,.md', hidden: '', 'aria-hidden': 'true', tabindex: '-1' });
    const button = el('button', { type: 'button', part: 'button' }, ['Check your fit']);
    this.#root.append(
      el('style', {}, [STYLE]),
      button,
      el('p', { class: 'intro' }, ['Choose your resume (PDF, DOCX or text): it is scored on your device and never uploaded. The first check downloads a language model (about 23 MB) that your browser then keeps.']),
      el('progress', { hidden: '', max: '1', value: '0', 'aria-label': 'Language model download' }),
      el('p', { class: 'status', role: 'status', 'aria-live': 'polite' }),
      el('div', { class: 'result', tabindex: '-1' }),
    );
    button.addEventListener('click', () => /** @type {HTMLInputElement} */ (input).click());
    input.addEventListener('change', () => {
      const file = /** @type {HTMLInputElement} */ (input).files?.[0];
      /** @type {HTMLInputElement} */ (input).value = '';
      if (file) this.check(file);
    });
    this.#root.append(input);
  }

  /**
   * The job text: the text of the element `#id` names, or the attribute itself. An `#id`
   * naming no element gives '' (the element then says so), never the id as a job text.
   */
  get jobText() {
    const value = (this.getAttribute('job') ?? '').trim();
    if (!value) return '';
    const id = /^#([A-Za-z][\w-]*)$/.exec(value);
    if (id) {
      const target = this.ownerDocument.getElementById(id[1]);
      return target ? (/** @type {HTMLElement} */ (target).innerText || target.textContent || '') : '';
    }
    return value;
  }

  #matcher() {
    const url = new URL(this.getAttribute('model-url') || DEFAULT_MODEL, location.href).href;
    if (!shared || sharedUrl !== url) {
      shared?.matcher?.terminate();
      sharedUrl = url;
      const bars = () => [...document.querySelectorAll('cvmatch-fit')].map((e) => e.shadowRoot?.querySelector('progress')).filter(Boolean);
      shared = startMatcher({
        modelUrl: url,
        onProgress: (e) => {
          if (e.file !== null) return;
          for (const bar of bars()) {
            bar.hidden = e.loaded >= e.total;
            bar.max = e.total || 1;
            bar.value = e.loaded;
          }
        },
      });
      shared.ready.catch(() => {});
    }
    return shared;
  }

  /**
   * Scores a resume file against the job and shows the report in the element.
   * @param {File} file
   */
  async check(file) {
    const seq = ++this.#seq;
    const status = /** @type {HTMLElement} */ (this.#root.querySelector('.status'));
    const result = /** @type {HTMLElement} */ (this.#root.querySelector('.result'));
    const button = /** @type {HTMLButtonElement} */ (this.#root.querySelector('button'));
    const say = (/** @type {string} */ text, error = false) => { status.className = error ? 'status error' : 'status'; status.textContent = text; };
    const job = this.jobText;
    if (!job.trim()) { say('This job has no text to compare with (the job attribute takes #id of the element holding the job, or the job text).', true); return; }
    const { matcher, ready } = this.#matcher();
    button.disabled = true;
    say(`Reading “${file.name}”…`);
    try {
      const extracted = await extractText(file);
      let text = extracted.text;
      try {
        // The worker rebuilds the document as the site does (lines, columns, wrapped items,
        // no page numbers or icon glyphs: docs/documents.md); this works before the model loads.
        text = (await matcher.readDocument(readDocumentArgs(extracted))).text;
      } catch (e) {
        if (DOCUMENT_ERRORS.has(/** @type {any} */ (e).code)) throw new ExtractError('no_text', `“${file.name}”: ${/** @type {Error} */ (e).message}`);
        console.warn(`cvmatch: read_document failed (${/** @type {Error} */ (e).message}); scoring the text as drawn`);
      }
      if (seq !== this.#seq) return;
      let loaded = false;
      ready.then(() => { loaded = true; }, () => {});
      await Promise.race([ready.catch(() => {}), new Promise((r) => setTimeout(r, 0))]);
      if (!loaded) {
        const provisional = await matcher.lexicalScore(text, job);
        if (seq !== this.#seq) return;
        result.replaceChildren(renderReport(provisional, { headingLevel: 4 }));
        say('Provisional keyword score; the language model is loading (first time only)…');
        try {
          await ready;
        } catch (e) {
          say(`The language model could not be loaded (${/** @type {Error} */ (e).message}); the score above is keywords only.`, true);
          return;
        }
      }
      const report = await matcher.score(text, job);
      if (seq !== this.#seq) return;
      result.replaceChildren(renderReport(report, { headingLevel: 4 }));
      say(`Your fit: ${Math.round(report.score)} out of 100, ${report.band}.`);
      result.focus();
    } catch (e) {
      if (seq !== this.#seq) return;
      say(e instanceof ExtractError ? e.message : `Could not check your fit: ${/** @type {Error} */ (e).message}`, true);
    } finally {
      if (seq === this.#seq) button.disabled = false;
    }
  }
}

if (!customElements.get('cvmatch-fit')) customElements.define('cvmatch-fit', CvmatchFit);
