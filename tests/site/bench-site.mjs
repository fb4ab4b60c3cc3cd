#!/usr/bin/env node
// What a candidate waits for on the demo site (a report; it asserts nothing): the page is
// driven as a person uses it, in headless Debian chromium, with the model already in the
// browser's Cache API (the second visit on one profile):
//
//   read      a resume file set on the file input → its rebuilt text shown ("Read “…”")
//   one job   "Check my fit" clicked as soon as the file is read, one pasted job ad → the final
//             report drawn (#results-body data-provisional="false"); the resume is new to the
//             worker, so this includes embedding it (the page started `prepare` when the file
//             was read, so part of it may be done)
//   prepared  the same resume against another pasted ad, after the background `prepare` had
//             time to finish (a person pasting an ad takes seconds) → only the ad is embedded
//   board     the whole sample board (www/jobs/jobs.jsonl, ranked through www/jobs/jobs.cvx) for
//             the prepared resume; the first click also loads the index, later ones do not
//
// Times are on the page's clock, from the click (dispatched in the page) to the
// MutationObserver seeing the final results, so they include drawing the report. Resumes: the
// nine RenderCV PDFs of ../shared/data/resumes/rendercv/ (real typeset CVs, one per rep) and the
// one-page PDF of tests/site/fixtures.mjs. Jobs: the first ads of the sample board.
//
//   node bench-site.mjs [--out FILE] [--reps N]      (make bench-browser runs it)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, REPO } from '../browser/server.mjs';
import { resumePdf } from './fixtures.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SITE = '/www/index.html';
const SHARED = path.resolve(REPO, '..', 'shared');
const RENDERCV = path.join(SHARED, 'data', 'resumes', 'rendercv');
const T = 300_000;

const argv = process.argv.slice(2);
/** @param {string} k @param {string} d */
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };
for (const a of argv) if (a.startsWith('--') && !['--out', '--reps'].includes(a)) throw new Error(`unknown option ${a}`);
const OUT = path.resolve(opt('--out', path.join(REPO, 'target', 'bench-site.json')));
const REPS = Number(opt('--reps', '9'));

for (const [file, hint] of [[CHROMIUM, 'apt-get install -y chromium'],
  [path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm'), 'make build'],
  [path.join(REPO, 'www', 'jobs', 'jobs.cvx'), 'make index'],
  [path.join(REPO, 'www', 'vendor', 'pdf.min.mjs'), 'make site-vendor'],
  [RENDERCV, `the shared ground truth beside the repository (${SHARED})`]]) {
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
}

const board = fs.readFileSync(path.join(REPO, 'www', 'jobs', 'jobs.jsonl'), 'utf8').split('\n')
  .filter((l) => l.trim()).map((l) => JSON.parse(l));
const resumes = [
  ...fs.readdirSync(RENDERCV).filter((f) => f.endsWith('.pdf')).sort()
    .map((f) => ({ name: f, buffer: fs.readFileSync(path.join(RENDERCV, f)) })),
  { name: 'one-page.pdf', buffer: resumePdf() },
].slice(0, Math.max(1, REPS + 1));

const median = (/** @type {number[]} */ a) => {
  if (!a.length) return null;
  const s = [...a].sort((x, y) => x - y); const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
};
const log = (/** @type {string} */ s) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const server = await startServer();
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-bench-site-'));
const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 900, height: 900 } });
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

/** Opens the site and waits until the model is ready (status "… ready …" and the profile drawn). */
async function openReady() {
  const t0 = Date.now();
  await page.goto(server.url + SITE);
  await page.waitForFunction(() => /Ready in/.test(document.getElementById('profile')?.textContent ?? ''), null, { timeout: T });
  return Date.now() - t0;
}

/**
 * Clicks "Check my fit" in the page and returns the ms until the final (model) results are drawn.
 * @returns {Promise<{ms: number, status: string}>}
 */
function clickAndTime() {
  return page.evaluate((timeout) => new Promise((resolve, reject) => {
    const body = /** @type {HTMLElement} */ (document.getElementById('results-body'));
    delete body.dataset.provisional;
    const timer = setTimeout(() => { obs.disconnect(); reject(new Error('no final result')); }, timeout);
    const obs = new MutationObserver(() => {
      if (body.dataset.provisional !== 'false') return;
      const ms = performance.now() - t0;
      obs.disconnect(); clearTimeout(timer);
      resolve({ ms, status: document.getElementById('results-status')?.textContent ?? '' });
    });
    obs.observe(body, { attributes: true, attributeFilter: ['data-provisional'] });
    const t0 = performance.now();
    /** @type {HTMLButtonElement} */ (document.getElementById('check')).click();
  }), T);
}

/** Sets a resume file and returns the ms until the page shows its rebuilt text. */
async function readFile(/** @type {{name: string, buffer: Buffer}} */ r) {
  await page.evaluate(() => { document.getElementById('file-status').textContent = ''; });
  const t0 = Date.now();
  await page.setInputFiles('#resume-file', { name: r.name, mimeType: 'application/pdf', buffer: r.buffer });
  await page.waitForFunction((n) => (document.getElementById('file-status')?.textContent ?? '').startsWith(`Read “${n}”`)
    || document.getElementById('file-status')?.classList.contains('error'), r.name, { timeout: T });
  const status = await page.textContent('#file-status');
  if (!status?.startsWith('Read')) throw new Error(`${r.name}: ${status}`);
  return { ms: Date.now() - t0, status };
}

try {
  log(`first visit (downloads the model into a fresh profile): ${await openReady()} ms`);
  log(`second visit (model from the Cache API): ${await openReady()} ms`);
  const runs = [];
  const pasteMode = () => page.check('input[name=mode][value=paste]');
  // rep 0 is a warm-up (first report drawn, first pdf.js use); the others are measured
  for (let i = 0; i < resumes.length; i++) {
    const r = resumes[i];
    await pasteMode();
    await page.fill('#jobs-text', board[i % board.length].text);
    const read = await readFile(r);
    const one = await clickAndTime();
    await page.fill('#jobs-text', board[(i + 1) % board.length].text);
    await page.waitForTimeout(3000); // a person pastes the next ad; the background prepare finishes
    const prepared = await clickAndTime();
    await page.check('input[name=mode][value=board]');
    await page.waitForFunction(() => /jobs match/.test(document.getElementById('board-count')?.textContent ?? ''), null, { timeout: T });
    await page.fill('#board-search', '');
    await page.dispatchEvent('#board-search', 'input');
    const boardRun = await clickAndTime();
    const run = { resume: r.name, pages: /\((PDF, [^)]*)\)/.exec(read.status)?.[1] ?? '', read_ms: read.ms, one_job_ms: one.ms,
      prepared_ms: prepared.ms, board_ms: boardRun.ms, board_status: boardRun.status, warmup: i === 0 };
    runs.push(run);
    log(`${i === 0 ? '(warm-up) ' : ''}${r.name} [${run.pages}]: read ${run.read_ms} ms, one job ${Math.round(one.ms)} ms, ` +
      `prepared ${Math.round(prepared.ms)} ms, board ${Math.round(boardRun.ms)} ms (${boardRun.status.slice(0, 60)}…)`);
  }
  const measured = runs.filter((r) => !r.warmup);
  const summary = Object.fromEntries(['read_ms', 'one_job_ms', 'prepared_ms', 'board_ms']
    .map((k) => [`median_${k}`, median(measured.map((r) => r[k]))]));
  const report = { date: new Date().toISOString(), load: os.loadavg(), cores: os.cpus().length, board_jobs: board.length,
    reps: measured.length, ...summary, runs, page_errors: errors };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  log(`medians over ${measured.length} resumes: read ${summary.median_read_ms} ms, one job ${Math.round(summary.median_one_job_ms)} ms, ` +
    `prepared ${Math.round(summary.median_prepared_ms)} ms, board of ${board.length} ${Math.round(summary.median_board_ms)} ms → ${OUT}`);
  if (errors.length) log(`page errors: ${errors.join(' | ')}`);
} finally {
  await context.close();
  await server.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
}
