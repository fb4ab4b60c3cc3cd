// The static site (www/) and <cvmatch-fit> in headless Debian chromium: the whole flow from
// pasted text, a PDF and a DOCX resume; the job board; bad files; that the resume never
// leaves the page; offline after one visit. Screenshots of the main states go to
// docs/screenshots/. One browser, one server, tests in order (they share the profile, so
// the model is downloaded once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, REPO } from '../browser/server.mjs';
import { launchWithRetry } from '../browser/launch.mjs';
import {
  RESUME_LINES, RESUME_TEXT, RUST_JOB, NURSE_JOB, resumePdf, noTextPdf, resumeDocx, corruptDocx, pngBytes,
} from './fixtures.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SITE = process.env.CVMATCH_SITE_PATH ?? '/www/index.html';
const WEIGHTS = '/models/all-MiniLM-L6-v2/model.q8_0.gguf'; // the site's weights
const SHOTS = path.join(REPO, 'docs', 'screenshots');
const T = 180_000; // generous: CI has two cores and the first load builds the model

for (const [file, hint] of [[CHROMIUM, 'apt-get install -y chromium'],
  [path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm'), 'make build'],
  [path.join(REPO, 'models', 'all-MiniLM-L6-v2', 'manifest.json'), 'make model'],
  [path.join(REPO, 'www', 'vendor', 'pdf.min.mjs'), 'make site-vendor']]) {
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
}

/** @type {Awaited<ReturnType<typeof startServer>>} */ let server;
/** @type {import('playwright-core').BrowserContext} */ let context;
/** @type {import('playwright-core').Page} */ let page;
let profileDir = '';
let tmp = '';
/** Every request the browser made (pages, workers, service worker): url, headers, body. */
const requests = [];
/** Requests to anything but the test server. */
const foreign = [];
const pageErrors = [];
const warnings = [];

/** A gate on the weights download: the first 30 % go out, the rest waits for release(). */
function gateWeights() {
  let release = () => {};
  const open = new Promise((r) => { release = r; });
  server.override(WEIGHTS, (req, res) => {
    const body = fs.readFileSync(path.join(REPO, WEIGHTS));
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
    const cut = Math.floor(body.length * 0.3);
    res.write(body.subarray(0, cut));
    open.then(() => res.end(body.subarray(cut)));
  });
  return () => { release(); server.override(WEIGHTS, null); };
}

/** @param {string} name @param {string} [selector]  only this element (default: the full page) */
async function shot(name, selector) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

/** @param {string} name @param {Buffer} buffer @param {string} [mimeType] */
const file = (name, buffer, mimeType = 'application/octet-stream') => ({ name, mimeType, buffer });

/** Opens the site unless the page is on it already (tests may run alone: --test-name-pattern). */
async function onSite() {
  if (!page.url().endsWith(SITE)) await page.goto(server.url + SITE);
}

async function waitFinal() {
  await page.waitForSelector('#results-body[data-provisional="false"]', { timeout: T });
}

before(async () => {
  server = await startServer();
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-site-'));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-site-files-'));
  context = await launchWithRetry(chromium, profileDir, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 900, height: 900 } });
  const record = (/** @type {import('playwright-core').Request} */ r) => {
    let body = '';
    try { body = r.postDataBuffer()?.toString('latin1') ?? ''; } catch { body = ''; }
    requests.push({ url: r.url(), headers: JSON.stringify(r.headers()), body });
  };
  context.on('request', record);
  // Anything not for the test server is recorded and refused (it would be a third party).
  await context.route((url) => !url.href.startsWith(server.url) && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob'), (route) => {
    foreign.push(route.request().url());
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
});

after(async () => {
  await context?.close();
  await server?.close();
  fs.rmSync(profileDir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('pasted resume and job: provisional keyword result while the model loads, then the full report', { timeout: T * 2 }, async () => {
  const release = gateWeights();
  await page.goto(server.url + SITE);
  await page.fill('#resume-text', RESUME_TEXT);
  await page.fill('#jobs-text', RUST_JOB);
  // Progress shows bytes while the weights are held back.
  await page.waitForFunction(() => /MB of \d/.test(document.getElementById('model-bytes').textContent ?? ''), null, { timeout: T });
  await page.click('#check');
  await page.waitForSelector('#results-body[data-provisional="true"] [data-testid=provisional]', { timeout: T });
  const provisionalScore = Number(await page.textContent('#results-body [data-testid=score]').then((s) => s.split('/')[0]));
  assert.ok(provisionalScore >= 0 && provisionalScore <= 100);
  assert.match(await page.textContent('#results-status'), /Provisional/);
  const bar = await page.$eval('#model-progress', (p) => ({ value: p.value, max: p.max }));
  assert.ok(bar.value > 0 && bar.value < bar.max, `progress part-way: ${JSON.stringify(bar)}`);
  await shot('loading.png');

  release();
  await waitFinal();
  assert.equal(await page.$('#results-body [data-testid=provisional]'), null, 'the provisional badge is gone');
  const score = Number((await page.textContent('#results-body [data-testid=score]')).split('/')[0]);
  assert.ok(score >= 40, `a fitting resume scores at least "good fit", got ${score}`);
  assert.match(await page.textContent('#results-body [data-testid=band]'), /^(strong|good) fit$/);
  const reqs = await page.$$eval('#results-body .cvm-req', (items) => items.map((i) => ({ status: i.dataset.status, text: i.textContent })));
  assert.ok(reqs.length >= 5, `requirements listed: ${reqs.length}`);
  const sql = reqs.find((r) => /PostgreSQL in production/.test(r.text));
  assert.ok(sql && sql.status !== 'missing' && /Your resume:.*PostgreSQL/.test(sql.text), `the SQL requirement shows its evidence: ${JSON.stringify(sql)}`);
  assert.match(await page.textContent('#model-status'), /ready/);
  await page.click('#profile-details summary');
  assert.match(await page.textContent('#profile'), /model\.q8_0\.gguf/);
  await page.focus('#check');
  await shot('result.png');
});

test('a PDF resume is read through pdf.js, shown for checking, and scored', { timeout: T }, async () => {
  await onSite();
  await page.setInputFiles('#resume-file', file('resume.pdf', resumePdf(), 'application/pdf'));
  await page.waitForFunction(() => /Read “resume.pdf” \(PDF, 1 page\)/.test(document.getElementById('file-status').textContent ?? ''), null, { timeout: T });
  const text = await page.inputValue('#resume-text');
  assert.match(text, /Designed PostgreSQL schemas and tuned slow SQL queries in production/);
  assert.match(text, /Rust, Tokio, PostgreSQL/);
  await page.fill('#jobs-text', `${RUST_JOB}\n---\n${NURSE_JOB}`);
  await page.click('#check');
  await page.waitForSelector('#results-body [data-testid=ranked]', { timeout: T });
  await waitFinal();
  const titles = await page.$$eval('#results-body .rank-title', (s) => s.map((e) => e.textContent));
  assert.deepEqual(titles, ['Senior Backend Engineer (Rust)', 'Registered Nurse, Intensive Care']);
  const scores = await page.$$eval('#results-body .rank-score', (s) => s.map((e) => Number(e.textContent)));
  assert.ok(scores[0] > scores[1] + 20, `the Rust job well above the nurse job: ${scores}`);
  await page.click('#results-body details >> nth=1');
  await page.waitForSelector('#results-body details[open] .cvm-report');
  assert.ok((await page.$$('#results-body details[open] .cvm-req[data-status=missing]')).length >= 1);
});

test('a DOCX resume is read through mammoth and scored', { timeout: T }, async () => {
  await onSite();
  await page.setInputFiles('#resume-file', file('resume.docx', await resumeDocx()));
  await page.waitForFunction(() => /Read “resume.docx” \(DOCX/.test(document.getElementById('file-status').textContent ?? ''), null, { timeout: T });
  assert.match(await page.inputValue('#resume-text'), /Mentored three junior engineers and reviewed code daily/);
  await page.fill('#jobs-text', RUST_JOB);
  await page.click('#check');
  await waitFinal();
  await page.waitForFunction(() => document.querySelector('#results-status')?.textContent?.startsWith('Senior Backend Engineer (Rust):'));
});

test('the job board: search by title, ranked jobs, each opening its full report', { timeout: T }, async () => {
  await onSite();
  await page.fill('#resume-text', RESUME_TEXT);
  await page.check('input[name=mode][value=board]');
  await page.waitForFunction(() => /jobs match/.test(document.getElementById('board-count').textContent ?? ''));
  await page.fill('#board-search', 'engineer');
  const listed = await page.$$eval('#board-list li', (l) => l.map((e) => e.textContent));
  assert.ok(listed.length >= 2 && listed.every((t) => /engineer/i.test(t)), `search by title: ${listed.length}`);
  await page.click('#check');
  await page.waitForSelector('#results-body [data-testid=ranked]', { timeout: T });
  await waitFinal();
  const ranked = await page.$$eval('#results-body .rank-title', (s) => s.map((e) => e.textContent));
  assert.equal(ranked.length, listed.length);
  assert.equal(ranked[0], 'Senior Backend Engineer (Rust)');
  // ranked through the precomputed index (www/jobs/jobs.cvx), not by embedding every job
  assert.ok(server.requests('/www/jobs/jobs.cvx').length > 0, 'the index was fetched');
  assert.deepEqual(warnings.filter((w) => /job index not used/.test(w)), []);
  await page.click('#results-body details >> nth=0');
  await page.waitForSelector('#results-body details[open] .cvm-req');
  await page.check('input[name=mode][value=paste]');
});

test('bad files get a clear message and the page keeps working', { timeout: T }, async () => {
  await onSite();
  const big = path.join(tmp, 'huge-resume.pdf');
  fs.writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 0x25));
  const cases = [
    [file('scan.pdf', noTextPdf(), 'application/pdf'), /no text layer/],
    [file('broken.docx', corruptDocx()), /could not be read as a DOCX/],
    [big, /50\.0 MB; the limit is 15\.0 MB/],
    [file('photo.pdf', pngBytes(), 'application/pdf'), /PNG image, not a PDF/],
  ];
  await page.fill('#resume-text', RESUME_TEXT);
  for (const [input, message] of cases) {
    await page.setInputFiles('#resume-file', input);
    await page.waitForSelector('#file-status.error', { timeout: T });
    assert.match(await page.textContent('#file-status'), message);
    assert.equal(await page.inputValue('#resume-text'), RESUME_TEXT, 'a bad file leaves the resume text alone');
    if (message.source.includes('PNG')) await shot('error.png', 'section:has(#resume-h)');
    // The next file starts from a clean status.
    await page.evaluate(() => { document.getElementById('file-status').className = ''; });
  }
  await page.fill('#jobs-text', RUST_JOB);
  await page.click('#check');
  await waitFinal();
  await page.waitForFunction(() => document.querySelector('#results-status')?.textContent?.startsWith('Senior Backend Engineer (Rust):'));
  // and a good file still reads after the bad ones, here dropped onto the drop zone as .md
  await page.fill('#resume-text', '');
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'resume.md', { type: 'text/markdown' }));
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, `# ${RESUME_TEXT}`);
  await page.waitForFunction(() => /Read “resume.md” \(TEXT/.test(document.getElementById('file-status').textContent ?? ''));
  assert.match(await page.inputValue('#resume-text'), /Mentored three junior engineers/);
});

test('<cvmatch-fit> on the sample job page: button → file picker → score and coverage in the element', { timeout: T }, async () => {
  await page.goto(`${server.url}/www/job-example.html`);
  const chooser = page.waitForEvent('filechooser');
  await page.click('cvmatch-fit >> button');
  await (await chooser).setFiles(file('resume.pdf', resumePdf(), 'application/pdf'));
  await page.waitForSelector('cvmatch-fit >> .cvm-report[data-provisional="false"]', { timeout: T });
  assert.match(await page.textContent('cvmatch-fit >> .status'), /Your fit: \d+ out of 100, (strong|good) fit/);
  const reqs = await page.$$eval('cvmatch-fit', (els) => [...els[0].shadowRoot.querySelectorAll('.cvm-req')].map((r) => r.dataset.status));
  assert.ok(reqs.length >= 5 && reqs.includes('covered'), `coverage in the element: ${reqs}`);
  await shot('element.png', 'cvmatch-fit');
  // A PDF whose bullets wrap in a narrow column: the element rebuilds the document like the
  // site (read_document), so the evidence quotes whole bullets, not their halves.
  const printer = await context.newPage();
  await printer.setContent(`<style>body{font:12pt sans-serif;width:2.6in}li{margin:0 0 6pt}</style>
    <h1>Dana Okafor</h1><h2>Experience</h2><ul>${RESUME_LINES.slice(3, 7).map((l) => `<li>${l}</li>`).join('')}</ul>
    <h2>Skills</h2><p>${RESUME_LINES[8]}</p>`);
  const wrapped = await printer.pdf({ format: 'A4' });
  await printer.close();
  const chooser3 = page.waitForEvent('filechooser');
  await page.click('cvmatch-fit >> button');
  await (await chooser3).setFiles(file('wrapped.pdf', wrapped, 'application/pdf'));
  await page.waitForFunction(() => /Your fit/.test(document.querySelector('cvmatch-fit')?.shadowRoot?.querySelector('.status')?.textContent ?? ''), null, { timeout: T });
  const quotes = await page.$$eval('cvmatch-fit', (els) => [...els[0].shadowRoot.querySelectorAll('.cvm-evidence q')].map((q) => q.textContent));
  assert.ok(quotes.includes(RESUME_LINES[3]), `a wrapped bullet quoted whole: ${JSON.stringify(quotes)}`);
  // a bad file: message inside the element
  const chooser2 = page.waitForEvent('filechooser');
  await page.click('cvmatch-fit >> button');
  await (await chooser2).setFiles(file('scan.pdf', noTextPdf(), 'application/pdf'));
  await page.waitForSelector('cvmatch-fit >> .status.error');
  assert.match(await page.textContent('cvmatch-fit >> .status'), /no text layer/);
});

test('phone width, labels and keyboard: no sideways scrolling, every control named, the file picker reachable by Tab', { timeout: T }, async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    await page.goto(server.url + SITE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 360 px: ${overflow}`);
    const unnamed = await page.$$eval('input, textarea, button, select', (els) => els
      .filter((e) => !(e.labels?.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !(e.textContent ?? '').trim())
      .map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, []);
    for (const id of ['model-status', 'file-status', 'results-status']) {
      assert.ok(await page.$eval(`#${id}`, (e) => e.getAttribute('aria-live') || e.getAttribute('role')), `${id} is announced`);
    }
    // Tab from the top reaches the file input (visually hidden, still focusable), then the text area.
    const order = [];
    for (let i = 0; i < 12 && !order.includes('resume-text'); i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    assert.ok(order.includes('resume-file') && order.indexOf('resume-file') < order.indexOf('resume-text'), `tab order: ${order}`);
    // and the whole flow works from the keyboard
    await page.focus('#resume-text');
    await page.keyboard.insertText(RESUME_TEXT);
    await page.focus('#jobs-text');
    await page.keyboard.insertText(RUST_JOB);
    await page.focus('#check');
    await page.keyboard.press('Enter');
    await waitFinal();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'results', 'focus moves to the results');
  } finally {
    await page.setViewportSize({ width: 900, height: 900 });
  }
});

test('the model cannot load: a clear message, and keyword-only results that say so', { timeout: T }, async () => {
  await page.goto(server.url + SITE);
  await page.evaluate(() => caches.delete('cvmatch-v1'));
  server.override('/models/all-MiniLM-L6-v2/manifest.json', (req, res) => { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found'); });
  try {
    await page.reload();
    await page.waitForFunction(() => /could not be loaded/.test(document.getElementById('model-status').textContent ?? ''), null, { timeout: T });
    await page.fill('#resume-text', RESUME_TEXT);
    await page.fill('#jobs-text', RUST_JOB);
    await page.click('#check');
    await page.waitForSelector('#results-body[data-provisional="true"] [data-testid=score]', { timeout: T });
    assert.match(await page.textContent('#results-status'), /Keywords only: the language model could not be loaded/);
  } finally {
    server.override('/models/all-MiniLM-L6-v2/manifest.json', null);
  }
});

test('offline after the first visit: the page, the worker and the model come from browser storage', { timeout: T }, async () => {
  await page.goto(server.url + SITE);
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: T });
  await page.waitForFunction(() => /ready/.test(document.getElementById('model-status').textContent ?? ''), null, { timeout: T });
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForFunction(() => /ready/.test(document.getElementById('model-status').textContent ?? ''), null, { timeout: T });
    await page.fill('#resume-text', RESUME_TEXT);
    await page.fill('#jobs-text', RUST_JOB);
    await page.click('#check');
    await waitFinal();
  } finally {
    await context.setOffline(false);
  }
});

test('no request carries any 20-character piece of the resume, and none leaves 127.0.0.1', () => {
  assert.deepEqual(foreign, [], 'third-party requests');
  assert.ok(requests.length > 20, `requests were recorded: ${requests.length}`);
  const texts = [RESUME_TEXT, RESUME_TEXT.replace(/\n/g, ' ')];
  const pieces = new Set();
  for (const t of texts) for (let i = 0; i + 20 <= t.length; i++) pieces.add(t.slice(i, i + 20));
  // what the browser reported, and what reached the server (paths, decoded)
  for (const r of [...requests, ...server.log.map((e) => ({ url: e.path, headers: '', body: '' }))]) {
    let decoded = r.url;
    try { decoded = decodeURIComponent(r.url.replace(/\+/g, ' ')); } catch { /* keep raw */ }
    const hay = [r.url, decoded, r.headers, r.body].join('\n');
    for (const p of pieces) assert.ok(!hay.includes(p), `request ${r.url} carries “${p}”`);
  }
  assert.deepEqual(pageErrors, [], 'no uncaught page errors');
});
