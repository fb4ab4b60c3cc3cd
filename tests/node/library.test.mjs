// The npm package in Node (pkg/node/index.js, the same wasm as in browsers) on the real
// model: loading from a path, a file: URL and an http URL on 127.0.0.1; the cache directory
// reused on the second run and a corrupted cached file fetched again; score, explain, rank,
// an index built and ranked; the API's ready/signal/timeout/dispose and a crashed worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMatcher, isCached, loadMatcher, NodeWorker, resolveLocation } from '../../pkg/node/index.js';
import { createMatcherOn } from '../../pkg/api.js';
import { CacheStorage } from '../../pkg/node/cache.js';
import { MODEL_DIR, checkPrerequisites, cleanup, readData, readJobs, serve, tempDir } from './helpers.mjs';

checkPrerequisites();

const RESUME = readData('resume_data_engineer.md');
const JOB = readData('job_data_engineer.md');
const UNRELATED = `Pastry Chef
Requirements
- Culinary school diploma
- 3+ years preparing croissants, tarts and plated desserts
- Food safety certification`;

/** One loaded matcher (path, fresh cache dir) shared by the tests that only call it. */
let shared;
let sharedCache;
const events = [];

before(async () => {
  sharedCache = tempDir();
  shared = createMatcher({ modelUrl: MODEL_DIR, cacheDir: sharedCache, workers: 1, onProgress: (e) => events.push(e) });
});

after(() => {
  shared?.dispose();
  cleanup();
});

test('createMatcher returns at once; lexicalScore answers before the model is ready', async () => {
  assert.ok(shared.ready instanceof Promise);
  assert.equal(shared.loadInfo, null);
  const lexical = await shared.lexicalScore(RESUME, JOB);
  assert.equal(lexical.provisional, true);
  assert.equal(shared.loadInfo, null, 'answered while the model was still loading');
  const info = await shared.ready;
  assert.equal(info.profile.weights, 'q8', 'q8 is the default weights format');
  assert.equal(info.cached, true);
  assert.ok(info.profile.files.every((f) => f.source === 'network'), 'first run: every file read from the model path');
});

test('the wasm build follows the probe (relaxed SIMD where this Node validates it, else baseline); simd forces one', async () => {
  await shared.ready;
  // the probe of pkg/worker.js: f32x4.relaxed_madd on three i32x4.splat(0)
  const probe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
    65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11]);
  const relaxed = WebAssembly.validate(probe);
  const profile = await shared.profile();
  assert.equal(profile.workers[0].simd, relaxed ? 'relaxed' : 'baseline', `Node ${process.version}`);
  const forced = createMatcher({ modelUrl: MODEL_DIR, cacheDir: sharedCache, workers: 1, simd: relaxed ? 'baseline' : 'relaxed' });
  try {
    if (relaxed) {
      await forced.ready;
      assert.equal((await forced.profile()).workers[0].simd, 'baseline');
    } else {
      // an engine without relaxed SIMD cannot run that build: the load says why
      await assert.rejects(forced.ready, (e) => e.code === 'bad_input' && /relaxed SIMD/.test(e.message));
    }
  } finally {
    forced.dispose();
  }
});

test('progress events are tagged initiate, download, progress, done, ready with per-file and total bytes', async () => {
  await shared.ready;
  const statuses = new Set(events.map((e) => e.status));
  for (const s of ['initiate', 'download', 'progress', 'done', 'ready']) assert.ok(statuses.has(s), `a ${s} event`);
  const weights = events.filter((e) => e.file === 'model.q8_0.gguf' && e.status === 'done');
  assert.equal(weights.length, 1);
  assert.ok(weights[0].total > 10e6 && weights[0].loaded === weights[0].total);
  const last = events.findLast((e) => e.status === 'progress');
  assert.equal(last.totalLoaded, last.totalBytes, 'the total reaches every byte of the load');
  assert.equal(events.at(-1).status, 'ready');
});

test('score: camelCase report, the fitting job above an unrelated one; explain adds the text', async () => {
  const fit = await shared.score(RESUME, JOB);
  const unrelated = await shared.score(RESUME, UNRELATED);
  assert.equal(fit.provisional, false);
  assert.ok(fit.score > unrelated.score + 10, `fit ${fit.score} vs unrelated ${unrelated.score}`);
  assert.equal(typeof fit.bandMeaning, 'string');
  assert.ok(Array.isArray(fit.missingTerms) && typeof fit.coverage.evidenceLines === 'number');
  assert.ok(!Object.keys(fit).some((k) => k.includes('_')), `no snake_case key: ${Object.keys(fit)}`);
  assert.deepEqual(fit.band_meaning, fit.bandMeaning, 'the old name still reads (deprecated)');
  const explained = await shared.explain(RESUME, JOB);
  assert.equal(explained.score, fit.score);
  assert.match(explained.text, /^Score \d+\/100: /);
  assert.match(explained.text, /Requirements: \d+ covered/);
});

test('rank over job texts: best first, positions into the input', async () => {
  const ranked = await shared.rank(RESUME, [UNRELATED, JOB], { top: 2 });
  assert.equal(ranked.length, 2);
  assert.equal(ranked[0].index, 1);
  assert.ok(ranked[0].score >= ranked[1].score);
  assert.equal(typeof ranked[0].report.bandMeaning, 'string');
});

test('buildIndex in the pool, then loadIndex from a path and rank over it', async () => {
  const jobs = readJobs(12);
  jobs.push({ id: 'target', title: 'Data Engineer', text: JOB, salary_band: 'B' });
  let progress = 0;
  const bytes = await shared.buildIndex(jobs, { batch: 5, onProgress: (done) => { progress = done; } });
  assert.ok(bytes instanceof Uint8Array && bytes.length > 1000);
  assert.equal(progress, jobs.length);
  const file = path.join(tempDir(), 'jobs.cvx');
  fs.writeFileSync(file, bytes);
  const index = await shared.loadIndex(file);
  assert.equal(index.jobs, jobs.length);
  assert.equal(index.info.lineVectors, true);
  assert.equal(index.url, pathToFileURL(file).href);
  const ranking = await shared.rank(RESUME, index, { top: 3 });
  assert.equal(ranking.jobs[0].id, 'target');
  assert.equal(ranking.searched, jobs.length);
  assert.equal(typeof ranking.searchMs, 'number');
});

test('signal and timeout: an aborted call rejects `aborted`, a slow one `timeout`, the matcher goes on', async () => {
  await shared.ready;
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(shared.score(RESUME, JOB, { signal: controller.signal }), { code: 'aborted' });
  const later = new AbortController();
  const pending = shared.rank(RESUME, Array(40).fill(JOB), { top: 1, signal: later.signal });
  later.abort();
  await assert.rejects(pending, { code: 'aborted' });
  await assert.rejects(shared.rank(RESUME, Array(40).fill(JOB), { top: 1, timeout: 1 }), { code: 'timeout' });
  await assert.rejects(shared.score(RESUME, JOB, { signal: AbortSignal.timeout(1) }), (e) => ['timeout', 'aborted'].includes(e.code));
  await assert.rejects(shared.score(RESUME, JOB, { timeout: -5 }), { code: 'bad_input' });
  const after = await shared.score(RESUME, JOB);
  assert.equal(after.provisional, false);
});

test('the cache directory is reused on the second run; isCached says so', async () => {
  await shared.ready;
  assert.equal(await isCached({ modelUrl: MODEL_DIR, cacheDir: sharedCache }), true);
  assert.equal(await isCached({ modelUrl: MODEL_DIR, cacheDir: tempDir() }), false);
  assert.equal(await isCached({ modelUrl: MODEL_DIR, weights: 'f16', cacheDir: sharedCache }), false);
  const second = await loadMatcher({ modelUrl: pathToFileURL(MODEL_DIR).href, cacheDir: sharedCache, workers: 1 });
  try {
    const { profile } = second.loadInfo;
    assert.ok(profile.files.every((f) => f.source === 'cache' && !f.evicted), JSON.stringify(profile.files));
    assert.equal(profile.networkBytes, 0);
    assert.equal((await second.score(RESUME, JOB)).score, (await shared.score(RESUME, JOB)).score);
  } finally {
    second.dispose();
  }
});

test('a corrupted cached file is deleted, fetched again and verified', async () => {
  const cacheDir = tempDir();
  const first = await loadMatcher({ modelUrl: MODEL_DIR, cacheDir, workers: 1 });
  first.dispose();
  // The cached weights: entries are named by the sha256 of their key (pkg/node/cache.js),
  // the file's URL with its content hash (src/web/files.rs cache_key).
  const manifest = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
  const sha = manifest.files.find((/** @type {any} */ f) => f.name === 'model.q8_0.gguf').sha256;
  const url = `${resolveLocation(MODEL_DIR)}/model.q8_0.gguf?sha256=${sha}`;
  const key = crypto.createHash('sha256').update(url).digest('hex');
  const body = path.join(cacheDir, 'cvmatch-v1', `${key}.body`);
  const bytes = fs.readFileSync(body);
  bytes[bytes.length >> 1] ^= 0xff;
  fs.writeFileSync(body, bytes);
  const again = await loadMatcher({ modelUrl: MODEL_DIR, cacheDir, workers: 1 });
  try {
    const weights = again.loadInfo.profile.files.find((f) => f.name === 'model.q8_0.gguf');
    assert.equal(weights.evicted, true);
    assert.equal(weights.source, 'network');
    assert.equal(weights.cached, true);
    assert.ok(again.loadInfo.profile.files.filter((f) => f.name !== 'model.q8_0.gguf').every((f) => f.source === 'cache'));
    assert.notDeepEqual(fs.readFileSync(body), bytes, 'the stored copy was replaced');
    assert.equal((await again.score(RESUME, JOB)).provisional, false);
  } finally {
    again.dispose();
  }
});

test('an http URL on 127.0.0.1: two workers, the second from the cache, same scores as the path', async () => {
  const server = await serve(MODEL_DIR);
  const matcher = createMatcher({ modelUrl: `${server.url}/`, cacheDir: tempDir(), workers: 2 });
  try {
    await matcher.ready;
    const status = await matcher.poolReady();
    assert.equal(status.ready, 2, JSON.stringify(status));
    assert.ok(server.log.includes('/model.q8_0.gguf'));
    assert.equal(server.log.filter((p) => p === '/model.q8_0.gguf').length, 1, 'the weights downloaded once for two workers');
    const { workers } = await matcher.profile();
    assert.ok(workers[1].load.files.every((f) => f.source === 'cache'), 'worker 1 read the cache directory');
    const [a, b] = await Promise.all([matcher.score(RESUME, JOB), matcher.score(RESUME, UNRELATED)]);
    assert.equal(a.score, (await shared.score(RESUME, JOB)).score);
    assert.ok(a.score > b.score);
    const vectors = await matcher.embed(['one', 'two', 'three']);
    assert.equal(vectors.length, 3);
    assert.ok(vectors.every((v) => v instanceof Float32Array && v.length === 384));
  } finally {
    matcher.dispose();
    await server.close();
  }
});

test('a missing model rejects ready and every model call with a clear code', async () => {
  const matcher = createMatcher({ modelUrl: path.join(tempDir(), 'nothing-here'), cacheDir: tempDir(), workers: 1 });
  await assert.rejects(matcher.ready, (e) => e.code === 'network' && /manifest\.json/.test(e.message));
  await assert.rejects(matcher.score(RESUME, JOB), { code: 'network' });
  matcher.dispose();
});

test('dispose() rejects pending calls with `terminated`, not `worker_crashed`', async () => {
  const matcher = createMatcher({ modelUrl: MODEL_DIR, cacheDir: sharedCache, workers: 1 });
  const pending = matcher.score(RESUME, JOB);
  matcher.dispose();
  await assert.rejects(pending, { code: 'terminated' });
  await assert.rejects(matcher.ready, { code: 'terminated' });
  await assert.rejects(matcher.score(RESUME, JOB), { code: 'terminated' });
});

test('a crashed worker: calls in flight reject `worker_crashed`, it restarts once, the next call works', async () => {
  const spawned = [];
  const platform = {
    spawn: (sharedModule) => {
      const w = new NodeWorker({ cacheDir: sharedCache, name: sharedModule ? 'cvmatch-shared' : 'cvmatch' });
      spawned.push(w);
      return w;
    },
    resolveUrl: resolveLocation,
    defaultWorkers: () => 1,
    openCache: async () => new CacheStorage(sharedCache).open('cvmatch-v1'),
  };
  const matcher = createMatcherOn(platform, { modelUrl: MODEL_DIR, workers: 1 });
  try {
    await matcher.ready;
    const inFlight = matcher.rank(RESUME, Array(20).fill(JOB), { top: 1 });
    await spawned[0].thread.terminate(); // the thread dies under the pool, as on a crash
    await assert.rejects(inFlight, { code: 'worker_crashed' });
    const report = await matcher.score(RESUME, JOB);
    assert.equal(report.provisional, false);
    assert.equal(spawned.length, 2, 'one restart');
    assert.equal(matcher.pool.restarted, 1);
    // A second crash of the same worker is not restarted: the matcher is dead.
    await spawned[1].thread.terminate();
    await assert.rejects(matcher.score(RESUME, JOB), { code: 'worker_crashed' });
  } finally {
    matcher.dispose();
  }
});
