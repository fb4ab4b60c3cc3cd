// The precomputed job index in the browser: loadIndex through the verified cache (network
// then cache; a corrupted cached copy is fetched again; HTML and 404 are refused), and
// rank(resume, index, {top, filter}) with reports. Reports search timings for synthetic
// 10k/100k indexes when they exist (`make index-bench-data`), asserting no time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites, requireFile, startServer, launch, freshProfileDir, removeDir,
  openTestPage, createMatcherInPage, cachedUrls, REPO, MODEL_PATH,
} from './helpers.mjs';

checkPrerequisites();
requireFile(path.join(REPO, 'www', 'jobs', 'jobs.cvx'), 'run `make index` first');
const pairs = JSON.parse(fs.readFileSync(requireFile(path.resolve(REPO, '..', 'shared', 'eval', 'pairs.json'),
  'the shared evaluation set must sit beside the repository (../shared/)'), 'utf8'));
const INDEX = '/www/jobs/jobs.cvx';

let server, browser, dir, page;

before(async () => {
  server = await startServer();
  dir = freshProfileDir();
  browser = await launch(dir);
  page = browser.page;
  await openTestPage(page, server);
  // the sample index is built with the q8 weights the site loads (make index)
  const r = await createMatcherInPage(page, server.url + MODEL_PATH, 'q8');
  assert.equal(r.error, undefined, JSON.stringify(r.error));
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  if (dir) removeDir(dir);
});

const loadIndex = (url) => page.evaluate(async (url) => {
  try {
    const index = await window.matcher.loadIndex(url);
    window.jobIndex = index;
    return index.info;
  } catch (e) {
    return { error: { code: e.code, message: e.message } };
  }
}, url);

test('loadIndex fetches once, then reads the verified copy from the cache', async () => {
  const first = await loadIndex(INDEX);
  assert.equal(first.error, undefined, JSON.stringify(first.error));
  assert.equal(first.source, 'network');
  assert.equal(first.jobs, 65);
  assert.equal(first.lineVectors, true);
  assert.equal(first.modelId, 'sentence-transformers/all-MiniLM-L6-v2');
  const before = server.log.filter((e) => e.path === INDEX).length;
  const second = await loadIndex(INDEX);
  assert.equal(second.source, 'cache');
  assert.equal(server.log.filter((e) => e.path === INDEX).length, before, 'no second download');
});

test('rank over the index: best first, reports, and a metadata filter', async () => {
  await loadIndex(INDEX);
  const r = await page.evaluate(async (resume) => {
    const start = await window.matcher.request('profile');
    const all = await window.matcher.rank(resume, window.jobIndex, { top: 5 });
    const between = await window.matcher.request('profile');
    const teaching = await window.matcher.rank(resume, window.jobIndex, { top: 3, filter: { field: 'teaching' }, reports: 1 });
    const after = await window.matcher.request('profile');
    return { all, teaching, start, between, after };
  }, pairs.texts.resume_rn.text);
  console.error(`[index bench] rank over 65 jobs with 5 reports: ${r.all.ms.toFixed(0)} ms, of which search ${r.all.searchMs.toFixed(2)} ms (the rest: embedding the resume, reports)`);
  assert.equal(r.all.jobs.length, 5);
  assert.equal(r.all.searched, 65);
  assert.ok(r.all.jobs.every((j, i, a) => i === 0 || a[i - 1].score >= j.score), 'best first');
  assert.ok(r.all.jobs.every((j) => j.report && j.report.requirements.length > 0), 'reports attached');
  assert.match(r.all.jobs[0].id, /^(nurse|health)-/, `a nurse's best job is in health care: ${r.all.jobs[0].id}`);
  assert.equal(r.teaching.jobs.length, 3);
  assert.ok(r.teaching.jobs.every((j) => j.id.startsWith('teach-')), JSON.stringify(r.teaching.jobs.map((j) => j.id)));
  assert.ok(r.teaching.jobs[0].report && !r.teaching.jobs[1].report, 'reports: 1');
  // the second ranking of the same resume took it from the worker's resume cache
  assert.equal(r.after.resumeCache.hits, r.between.resumeCache.hits + 1);
  assert.equal(r.after.resumeCache.misses, r.between.resumeCache.misses);
  // (only job lines near the top's cut are embedded now, to settle it: docs/index-format.md)
  const first = r.between.padding.tokens - r.start.padding.tokens;
  const second = r.after.padding.tokens - r.between.padding.tokens;
  assert.ok(second < first, `the second ranking embeds less than the first, which embedded the resume: ${second} vs ${first}`);
});

test('a corrupted cached index is deleted and fetched again', async () => {
  await loadIndex(INDEX);
  const url = server.url + INDEX;
  await page.evaluate(async (url) => {
    const cache = await caches.open('cvmatch-v1');
    // index entries are keyed <url>?cvx-sha256=<hex> (src/web/index_ops.rs)
    const key = (await cache.keys()).map((r) => r.url).find((u) => u.startsWith(`${url}?cvx-sha256=`));
    const bytes = new Uint8Array(await (await cache.match(key)).arrayBuffer());
    bytes[bytes.length - 100] ^= 0xff;
    await cache.put(key, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
  }, url);
  const r = await loadIndex(INDEX);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.evicted, true);
  assert.equal(r.source, 'network');
});

test('HTML, a missing file and a non-index file are refused with coded errors', async () => {
  server.override('/www/jobs/fallback.cvx', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><body>app shell</body></html>');
  });
  const html = await loadIndex('/www/jobs/fallback.cvx');
  server.override('/www/jobs/fallback.cvx', null);
  assert.equal(html.error?.code, 'html_response', JSON.stringify(html));
  const missing = await loadIndex('/www/jobs/nope.cvx');
  assert.equal(missing.error?.code, 'network', JSON.stringify(missing));
  const wrong = await loadIndex('/www/jobs/jobs.jsonl');
  assert.equal(wrong.error?.code, 'index', JSON.stringify(wrong));
  assert.match(wrong.error.message, /magic/);
});

test('loadIndex at the weights URL keeps the model; ids missing from the index are named or ranked from their text', async () => {
  const weightsUrl = `${server.url}${MODEL_PATH}model.q8_0.gguf`;
  const weightKeys = async () => (await cachedUrls(page)).filter((u) => u.startsWith(weightsUrl));
  const kept = await weightKeys();
  assert.equal(kept.length, 1, 'the weights are cached under their content hash');
  const wrong = await loadIndex(`${MODEL_PATH}model.q8_0.gguf`);
  assert.equal(wrong.error?.code, 'index', JSON.stringify(wrong));
  assert.deepEqual(await weightKeys(), kept, 'the cached model is untouched');
  const info = await loadIndex(INDEX);
  assert.equal(info.error, undefined, JSON.stringify(info.error));
  assert.equal(info.revalidated, fs.existsSync(path.join(REPO, 'www', 'jobs', 'jobs.cvx.sha256')));
  const r = await page.evaluate((url) => window.matcher.request('rankIndex', {
    resume: 'Registered nurse, six years in intensive care.', index: url, top: 5, reports: 0,
    filter: { ids: ['no-such-job', 'added-later'] },
    jobs: [{ id: 'added-later', text: 'ICU nurse: registered nurse with critical care experience.' }],
  }), new URL(INDEX, server.url).href);
  assert.deepEqual(r.missing, ['no-such-job']);
  assert.deepEqual(r.jobs.map((j) => [j.id, j.fromText]), [['added-later', true]]);
  assert.ok(r.jobs[0].score > 0 && r.jobs[0].index === undefined, JSON.stringify(r.jobs[0]));
});

test('load refuses a manifest that is not the one manifestSha256 names', async () => {
  const load = (manifestSha256) => page.evaluate(async ([modelUrl, manifestSha256]) => {
    try { return await window.matcher.request('load', { modelUrl, weights: 'q8', manifestSha256 }); }
    catch (e) { return { error: { code: e.code, message: e.message } }; }
  }, [new URL(MODEL_PATH, server.url).href, manifestSha256]);
  const wrong = await load('0'.repeat(64));
  assert.equal(wrong.error?.code, 'integrity', JSON.stringify(wrong));
  assert.match(wrong.error.message, /manifest\.json.*manifestSha256/);
  assert.equal((await load('not-a-hash')).error?.code, 'bad_input');
});

test('search timings over synthetic indexes (report only)', async (t) => {
  const files = ['synth-10k.cvx', 'synth-100k.cvx'].map((f) => `/target/index-bench/${f}`)
    .filter((f) => fs.existsSync(path.join(REPO, f)));
  if (files.length === 0) return t.skip('no synthetic indexes (make index-bench-data)');
  for (const f of files) {
    const r = await page.evaluate(async (url) => {
      const index = await window.matcher.loadIndex(url);
      const bench = await window.matcher.request('benchIndex', { index: index.url, queries: 30, top: 10 });
      return { info: index.info, bench };
    }, f);
    console.error(`[index bench] ${f}: ${r.bench.jobs} jobs, ${r.info.bytes} bytes, load ${r.info.totalMs.toFixed(0)} ms ` +
      `(verify ${r.info.verifyMs.toFixed(0)} ms), search median ${r.bench.ms.median.toFixed(2)} ms, mean ${r.bench.ms.mean.toFixed(2)} ms`);
  }
});
