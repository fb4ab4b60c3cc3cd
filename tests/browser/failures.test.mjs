// What a bad server or unusable storage does to a load: HTML or short answers are
// rejected with clear codes and never cached; a Cache API that refuses to open leaves the
// matcher working from memory.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites, startServer, launch, freshProfileDir, removeDir, openTestPage,
  createMatcherInPage, cachedUrls, REPO, MODEL_PATH, WEIGHTS_PATH, WASM_FILE,
} from './helpers.mjs';

checkPrerequisites();

let server;
const cleanups = [];

before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()();
});

/** A browser on a fresh profile with the test page open. */
async function freshPage() {
  const dir = freshProfileDir();
  const browser = await launch(dir);
  cleanups.push(async () => { await browser.context.close(); removeDir(dir); });
  await openTestPage(browser.page, server);
  return browser.page;
}

const HTML = '<!doctype html><html><body>Welcome to my app</body></html>';

test('a server answering HTML for the weights → html_response, nothing cached', async () => {
  server.override(WEIGHTS_PATH, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Access-Control-Allow-Origin': '*' });
    res.end(HTML);
  });
  cleanups.push(async () => server.override(WEIGHTS_PATH, null));
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error?.code, 'html_response', JSON.stringify(r));
  assert.equal(r.error.isError, true);
  const urls = await cachedUrls(page);
  assert.ok(!urls.some((u) => u.includes('model.safetensors')), `weights cached: ${urls}`);
});

test('HTML sent as application/octet-stream is still recognised by its first bytes', async () => {
  server.override(WEIGHTS_PATH, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
    res.end('\n  <!DOCTYPE HTML>' + HTML);
  });
  cleanups.push(async () => server.override(WEIGHTS_PATH, null));
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error?.code, 'html_response', JSON.stringify(r));
  assert.ok(!(await cachedUrls(page)).some((u) => u.includes('model.safetensors')));
});

test('a short download → integrity, nothing cached', async () => {
  const file = path.join(REPO, 'models/all-MiniLM-L6-v2/model.safetensors');
  server.override(WEIGHTS_PATH, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Access-Control-Allow-Origin': '*' });
    fs.createReadStream(file, { start: 0, end: 1_000_000 - 1 }).pipe(res);
  });
  cleanups.push(async () => server.override(WEIGHTS_PATH, null));
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error?.code, 'integrity', JSON.stringify(r));
  assert.ok(!(await cachedUrls(page)).some((u) => u.includes('model.safetensors')));
});

test('a 404 for the model → network', async () => {
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + '/models/no-such-model/');
  assert.equal(r.error?.code, 'network', JSON.stringify(r));
});

/**
 * Serves /pkg/worker.js as a wrapper that first evaluates `stub` (a module) and then the
 * real worker.js. The Cache API is used in the worker, which a page init script cannot
 * reach; static imports evaluate in order, before any message can arrive.
 */
function stubWorker(stub) {
  const real = fs.readFileSync(path.join(REPO, 'pkg/worker.js'));
  const js = (body) => (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
    res.end(body);
  };
  server.override('/pkg/worker.js', js("import './stub.js';\nimport './worker-real.js';\n"));
  server.override('/pkg/stub.js', js(stub));
  server.override('/pkg/worker-real.js', js(real));
  cleanups.push(async () => {
    for (const p of ['/pkg/worker.js', '/pkg/stub.js', '/pkg/worker-real.js']) server.override(p, null);
  });
}

test('caches.open rejecting → the model loads from the network, cached: false', async () => {
  stubWorker("CacheStorage.prototype.open = function () {\n" +
    "  return Promise.reject(new DOMException('storage is disabled', 'SecurityError'));\n};\n");
  const page = await freshPage();
  server.clearLog();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(server.requests('/pkg/stub.js').length, 1, 'the stubbed worker ran');
  assert.equal(r.ready.cached, false);
  assert.match(r.ready.profile.cacheNote, /caches\.open/);
  assert.ok(r.ready.profile.files.every((f) => f.source === 'network' && !f.cached));
  assert.ok(server.bytes(WEIGHTS_PATH) > 0);
  const v = await page.evaluate(async () => (await window.matcher.embed(['still works']))[0].length);
  assert.equal(v, 384);
  assert.deepEqual(await cachedUrls(page), []);
});

test('quota exceeded on cache.put → the model still loads, cached: false, reason given', async () => {
  stubWorker("Cache.prototype.put = function () {\n" +
    "  return Promise.reject(new DOMException('quota exceeded', 'QuotaExceededError'));\n};\n");
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.ready.cached, false);
  assert.match(r.ready.profile.cacheNote, /quota/);
  const v = await page.evaluate(async () => (await window.matcher.embed(['still works']))[0].length);
  assert.equal(v, 384);
});

/** Answers `file` under /pkg/ with a status and body until the test ends. */
function overridePkg(file, status, body, type = 'text/plain') {
  server.override(`/pkg/${file}`, (_req, res) => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  });
  cleanups.push(async () => server.override(`/pkg/${file}`, null));
}

test('the gzipped wasm missing, an HTML page or corrupt → the worker falls back to the plain module', async () => {
  // the build Chromium loads (WASM_FILE: the relaxed one unless CVMATCH_SIMD=baseline)
  for (const [status, body, type] of [
    [404, 'not found', 'text/plain'],
    [200, '<!doctype html><title>app shell</title>', 'text/html'],
    [200, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad]), 'application/gzip'],
  ]) {
    overridePkg(`${WASM_FILE}.gz`, status, body, type);
    const page = await freshPage();
    const r = await createMatcherInPage(page, server.url + MODEL_PATH);
    assert.equal(r.error, undefined, `${status} ${type}: ${JSON.stringify(r.error)}`);
    const v = await page.evaluate(async () => (await window.matcher.embed(['still works']))[0].length);
    assert.equal(v, 384);
  }
});

test('a missing wasm module → createMatcher rejects with network and says which file', async () => {
  overridePkg(`${WASM_FILE}.gz`, 404, 'not found');
  overridePkg(WASM_FILE, 404, 'not found');
  const page = await freshPage();
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error?.code, 'network', JSON.stringify(r));
  assert.ok(r.error.message.includes(WASM_FILE), r.error.message);
});
