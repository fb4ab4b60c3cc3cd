// The cvmatch site: a resume (file or paste) against pasted job ads or the sample job board.
// While the model downloads, results are the provisional keyword match (lexicalScore); they
// are replaced by the full score as soon as the model is ready. Nothing leaves the page but
// messages to the worker. Served from the repository root (`make demo`): /www/, /pkg/, /models/.
import { startMatcher } from './matcher.js';
import { extractText, ExtractError, readDocumentArgs } from './extract.js';
import { renderReport, REPORT_CSS, bandClass, el } from './report.js';

const MODEL_URL = new URL('../models/all-MiniLM-L6-v2/', import.meta.url);
const JOBS_URL = new URL('./jobs/jobs.jsonl', import.meta.url);
/** The board's precomputed index (`make index`): job vectors, so a ranking embeds only the resume's side. */
const INDEX_URL = new URL('./jobs/jobs.cvx', import.meta.url);
/** The most jobs ranked at once (the whole sample board is 65). */
const MAX_JOBS = 100;

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const mb = (/** @type {number} */ n) => `${(n / 1e6).toFixed(1)} MB`;
const ms = (/** @type {number} */ n) => `${Math.round(n)} ms`;

document.head.append(el('style', {}, [REPORT_CSS]));

// ---------------------------------------------------------------- model

let modelReady = false;
/** @type {string|null} why the model is unavailable, once it failed */
let modelError = null;

/** @param {import('../pkg/index.d.ts').ProgressEvent} e */
function onProgress(e) {
  if (e.file !== null) return;
  const bar = $('model-progress');
  bar.max = e.total || 1;
  bar.value = e.loaded;
  $('model-bytes').textContent = `${mb(e.loaded)} of ${mb(e.total)}`;
}

const { matcher, ready } = startMatcher({ modelUrl: MODEL_URL, weights: 'q8', onProgress });

ready.then((profile) => {
  modelReady = true;
  $('model').classList.add('done');
  $('model-status').textContent = profile.networkBytes === 0
    ? 'Language model ready (from this browser’s storage).'
    : `Language model ready: ${mb(profile.networkBytes)} downloaded${profile.cached ? ' and kept for your next visit' : ` (not kept: ${profile.cacheNote})`}.`;
  $('model-bytes').textContent = '';
  renderProfile(profile);
  if (lastRun?.provisional) run(lastRun.request);
}, (e) => {
  modelError = `${e.message} [${e.code}]`;
  $('model').classList.add('done');
  $('model-status').replaceChildren(el('span', { class: 'error' }, [`The language model could not be loaded: ${modelError}. Results are keyword matches only.`]));
  $('profile').textContent = modelError;
});

/** @param {import('../pkg/index.d.ts').LoadProfile} p */
function renderProfile(p) {
  const rows = p.files.map((f) => el('tr', {}, [
    el('td', {}, [f.name]), el('td', {}, [f.source + (f.evicted ? ' (replaced)' : '')]),
    el('td', {}, [mb(f.bytes)]), el('td', {}, [ms(f.ms)]), el('td', {}, [ms(f.verifyMs)]), el('td', {}, [ms(f.storeMs)]),
  ]));
  $('profile').replaceChildren(
    el('p', {}, [`${p.modelId} (${p.weights}, ${p.dimension} dimensions), ${p.cached ? 'stored in this browser' : `not stored: ${p.cacheNote ?? ''}`}. ` +
      `Ready in ${ms(p.totalMs)} after ${ms(p.wasmInitMs)} of WebAssembly start-up: manifest from ${p.manifest.source} (${ms(p.manifest.ms)}), ` +
      `read ${ms(p.readMs)}, verify ${ms(p.verifyMs)}, store ${ms(p.storeMs)}, build ${ms(p.buildMs)}, first embedding ${ms(p.firstEncodeMs)}. ` +
      `Network ${mb(p.networkBytes)}, browser storage ${mb(p.cacheBytes)}.`]),
    el('table', {}, [el('tr', {}, ['file', 'from', 'size', 'read', 'verify', 'store'].map((h) => el('th', { scope: 'col' }, [h]))), ...rows]),
  );
}

// ---------------------------------------------------------------- resume in

const drop = $('drop');
const fileInput = $('resume-file');

/** @type {Promise<void>|null} the file being read: "Check my fit" waits for it */
let reading = null;

/** Worker errors about the document itself (the others fall back to the text as drawn). */
const DOCUMENT_ERRORS = new Set(['no_text', 'too_large', 'encrypted', 'bad_input']);

/** @param {File} file */
function takeFile(file) {
  const status = $('file-status');
  status.className = '';
  status.textContent = `Reading “${file.name}”…`;
  const done = (async () => {
    try {
      const extracted = await extractText(file);
      const { kind, detail } = extracted;
      let text = extracted.text;
      let note = '';
      try {
        // The worker rebuilds the document (lines, columns, wrapped items, headings, no page
        // numbers or icon glyphs); this works before the model is loaded.
        const doc = await matcher.readDocument(readDocumentArgs(extracted));
        text = doc.text;
        const d = doc.dropped;
        const left = [d.pageNumbers && `${d.pageNumbers} page numbers`, d.headers && `${d.headers} running header lines`, d.glyphs && `${d.glyphs} icons`].filter(Boolean);
        if (left.length) note = ` Left out: ${left.join(', ')}.`;
      } catch (e) {
        if (DOCUMENT_ERRORS.has(/** @type {any} */ (e).code)) throw new ExtractError('no_text', `“${file.name}”: ${/** @type {Error} */ (e).message}`);
        console.warn(`cvmatch: read_document failed (${/** @type {Error} */ (e).message}); showing the text as drawn`);
      }
      $('resume-text').value = text;
      prepareSoon(0);
      status.textContent = `Read “${file.name}” (${kind.toUpperCase()}, ${detail}). Check the text below; you can edit it.${note}`;
    } catch (e) {
      status.className = 'error';
      status.textContent = e instanceof ExtractError ? e.message : `“${file.name}” could not be read: ${/** @type {Error} */ (e).message}`;
    } finally {
      fileInput.value = '';
    }
  })();
  reading = done;
  done.finally(() => { if (reading === done) reading = null; });
  return done;
}

/** The last text given to asRead and what it became. @type {{text: string, read: Promise<string>}|null} */
let lastRead = null;

/**
 * Pasted or typed text goes through the same text rules as a file (wrapped lines joined,
 * page numbers and icon glyphs out: docs/documents.md), as `cvmatch score` does with a
 * .txt file, so the site and the CLI score the same lines. Falls back to the text as typed.
 * @param {string} text
 * @returns {Promise<string>}
 */
function asRead(text) {
  if (!text) return Promise.resolve(text);
  if (lastRead?.text === text) return lastRead.read;
  const read = matcher.readDocument({ kind: 'text', text }).then((d) => d.text || text, () => text);
  lastRead = { text, read };
  return read;
}

/** @type {ReturnType<typeof setTimeout>|undefined} */
let prepareTimer;

/**
 * Starts embedding the resume in the background as soon as it is in (a file read, text pasted
 * or typed), so that a click on "Check my fit" leaves only the job to embed: the worker keeps
 * the prepared resume in memory, keyed by its text (docs/protocol.md, `prepare`).
 * @param {number} delayMs  wait for typing to pause
 */
function prepareSoon(delayMs) {
  clearTimeout(prepareTimer);
  prepareTimer = setTimeout(() => {
    const text = /** @type {HTMLTextAreaElement} */ ($('resume-text')).value;
    if (!text.trim()) return;
    // Only an optimisation: a failure here shows up, with its message, on the check itself.
    ready.then(() => asRead(text.trim())).then((t) => matcher.prepare(t))
      .catch((e) => console.debug(`cvmatch: prepare: ${e.message}`));
  }, delayMs);
}
$('resume-text').addEventListener('input', () => prepareSoon(800));

fileInput.addEventListener('change', () => { if (fileInput.files?.[0]) takeFile(fileInput.files[0]); });
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (/** @type {DragEvent} */ e) => { e.preventDefault(); drop.classList.add('over'); });
}
for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
drop.addEventListener('drop', (/** @type {DragEvent} */ e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files?.[0];
  if (file) takeFile(file);
});
// A file dropped beside the zone must not navigate away from the page (and its resume).
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

// ---------------------------------------------------------------- jobs in

/** @typedef {{id: string, title: string, company?: string, location?: string, text: string}} Job */

/** @type {Job[]} */
let board = [];

const modeRadios = /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name=mode]'));
const mode = () => [...modeRadios].find((r) => r.checked)?.value ?? 'paste';
for (const r of modeRadios) {
  r.addEventListener('change', () => {
    $('paste-panel').hidden = mode() !== 'paste';
    $('board-panel').hidden = mode() !== 'board';
    if (mode() === 'board') loadBoard();
  });
}

let boardLoading = /** @type {Promise<void>|null} */ (null);
function loadBoard() {
  boardLoading ??= fetch(JOBS_URL).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.text();
  }).then((body) => {
    board = body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
    showBoard();
  }).catch((e) => {
    boardLoading = null;
    $('board-count').textContent = `The job board could not be loaded (${e.message}).`;
  });
  return boardLoading;
}

/** Jobs of the board whose title (or company) contains every word of the search. */
function boardMatches() {
  const words = $('board-search').value.toLowerCase().split(/\s+/).filter(Boolean);
  return board.filter((j) => {
    const hay = `${j.title} ${j.company ?? ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function showBoard() {
  const jobs = boardMatches();
  $('board-count').textContent = `${jobs.length} of ${board.length} jobs match; “Check my fit” ranks ${jobs.length > MAX_JOBS ? `the first ${MAX_JOBS}` : 'them'}.`;
  $('board-list').replaceChildren(...jobs.map((j) => el('li', {}, [
    el('span', {}, [j.title]), ' ', el('span', { class: 'company' }, [`— ${[j.company, j.location].filter(Boolean).join(', ')}`]),
  ])));
}
$('board-search').addEventListener('input', showBoard);

/**
 * Pasted ads, split at lines of three or more dashes.
 * @returns {Job[]}
 */
function pastedJobs() {
  return $('jobs-text').value.split(/^[ \t]*-{3,}[ \t]*$/m).map((t) => t.trim()).filter(Boolean)
    .map((text, i) => ({ id: `pasted-${i + 1}`, title: text.split('\n').find((l) => l.trim())?.trim().slice(0, 120) ?? `Job ${i + 1}`, text }));
}

// ---------------------------------------------------------------- results

/** @typedef {{resume: string, jobs: Job[], board: boolean}} RunRequest */

/** @type {Promise<any>|null} the board's index in the worker, or null when it cannot be used */
let indexPromise = null;
function boardIndex() {
  indexPromise ??= matcher.loadIndex(INDEX_URL.href).catch((e) => {
    console.warn(`cvmatch: job index not used (${e.message}); ranking the board's texts instead`);
    return null;
  });
  return indexPromise;
}
/** @type {{request: RunRequest, provisional: boolean}|null} */
let lastRun = null;
let runSeq = 0;

$('fit-form').addEventListener('submit', async (/** @type {Event} */ e) => {
  e.preventDefault();
  $('form-error').textContent = '';
  if (reading) {
    $('form-error').textContent = 'Reading your resume file…';
    await reading;
    $('form-error').textContent = '';
  }
  const resume = await asRead($('resume-text').value.trim());
  if (mode() === 'board') await loadBoard();
  const jobs = mode() === 'board' ? boardMatches().slice(0, MAX_JOBS)
    : await Promise.all(pastedJobs().map(async (j) => ({ ...j, text: await asRead(j.text) })));
  if (!resume) { $('form-error').textContent = 'Add your resume first: choose a file or paste its text.'; $('resume-text').focus(); return; }
  if (!jobs.length) {
    $('form-error').textContent = mode() === 'board' ? 'No job of the board matches your search.' : 'Paste at least one job ad.';
    (mode() === 'board' ? $('board-search') : $('jobs-text')).focus();
    return;
  }
  await run({ resume, jobs, board: mode() === 'board' });
  $('results').focus();
});

/**
 * Scores the request with the model when it is ready, else with the keyword match, and shows it.
 * @param {RunRequest} request
 */
async function run(request) {
  const seq = ++runSeq;
  const provisional = !modelReady;
  const button = $('check');
  button.disabled = true;
  $('results-status').textContent = provisional
    ? 'Scoring by keywords while the language model loads…'
    : `Scoring ${request.jobs.length === 1 ? 'the job' : `${request.jobs.length} jobs`} with the language model…`;
  try {
    /** @type {{job: Job, report: import('../pkg/index.d.ts').MatchReport}[]} */
    let results;
    if (provisional) {
      const reports = await Promise.all(request.jobs.map((j) => matcher.lexicalScore(request.resume, j.text)));
      results = reports.map((report, i) => ({ job: request.jobs[i], report })).sort((a, b) => b.report.score - a.report.score);
    } else if (request.board && (await boardIndex())) {
      const byId = new Map(request.jobs.map((j) => [j.id, j]));
      const ranking = await matcher.rank(request.resume, await boardIndex(),
        { top: request.jobs.length, filter: { ids: [...byId.keys()] },
          // jobs the index lacks (the board changed since it was built) are scored from their text
          jobs: request.jobs.map((j) => ({ id: j.id, text: j.text, title: j.title })) });
      results = ranking.jobs.filter((j) => byId.has(j.id) && j.report).map((j) => ({ job: byId.get(j.id), report: j.report }));
    } else if (request.jobs.length === 1) {
      results = [{ job: request.jobs[0], report: await matcher.score(request.resume, request.jobs[0].text) }];
    } else {
      const ranked = await matcher.rank(request.resume, request.jobs.map((j) => j.text), { top: request.jobs.length });
      results = ranked.map((r) => ({ job: request.jobs[r.index], report: r.report }));
    }
    if (seq !== runSeq) return; // a newer run took over
    lastRun = { request, provisional };
    showResults(results, provisional);
  } catch (e) {
    if (seq !== runSeq) return;
    $('results-status').replaceChildren(el('span', { class: 'error' }, [`Scoring failed: ${/** @type {Error} */ (e).message}`]));
  } finally {
    if (seq === runSeq) button.disabled = false;
  }
}

/**
 * @param {{job: Job, report: import('../pkg/index.d.ts').MatchReport}[]} results  best first
 * @param {boolean} provisional
 */
function showResults(results, provisional) {
  const body = $('results-body');
  const note = !provisional ? ''
    : modelError ? ' Keywords only: the language model could not be loaded.'
      : ' Provisional (keywords only): the full score follows when the model is ready.';
  body.dataset.provisional = String(provisional);
  if (results.length === 1) {
    const { job, report } = results[0];
    $('results-status').textContent = `${job.title}: ${Math.round(report.score)} out of 100, ${report.band}.${note}`;
    body.replaceChildren(el('h3', {}, [job.title]), renderReport(report, { headingLevel: 4 }));
  } else {
    const top = results[0];
    $('results-status').textContent = `${results.length} jobs ranked; best: ${top.job.title}, ${Math.round(top.report.score)} out of 100.${note}`;
    const list = el('ol', { class: 'ranked', 'data-testid': 'ranked' });
    for (const { job, report } of results) {
      const details = el('details', {}, [
        el('summary', {}, [
          el('span', { class: 'rank-score' }, [String(Math.round(report.score))]),
          el('span', { class: 'rank-title' }, [job.title]),
          el('span', { class: `cvm-band ${bandClass(report.band)}` }, [report.band]),
          ...(job.company ? [el('span', { class: 'muted' }, [job.company])] : []),
        ]),
      ]);
      // The full report is built when opened: a ranked board has dozens.
      details.addEventListener('toggle', () => {
        if (details.open && details.childElementCount === 1) details.append(renderReport(report, { headingLevel: 4 }));
      });
      list.append(el('li', {}, [details]));
    }
    body.replaceChildren(list);
  }
}

// ---------------------------------------------------------------- offline

if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url)).catch((e) => {
    console.warn('cvmatch: no offline copy of the page:', e.message);
  });
}
