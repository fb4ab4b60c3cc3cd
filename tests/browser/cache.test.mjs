// The Cache API store across visits of one Chromium profile.
//
// Two servers: the page server (test page, /pkg/) stays up; the model server (another
// port, so another origin, answering with CORS headers as a CDN would) is stopped for the
// offline visit. The page must come from somewhere when offline: the page server plays the
// part of a service worker or the browser's HTTP cache, which are not what is tested here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites, startServer, launch, freshProfileDir, removeDir, openTestPage,
  createMatcherInPage, cachedUrls, REPO, MODEL_PATH, WEIGHTS_PATH, WASM_FILE,
} from './helpers.mjs';

checkPrerequisites();
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'models/all-MiniLM-L6-v2/manifest.json'), 'utf8'));
const weightsBytes = manifest.files.find((f) => f.name === 'model.safetensors').bytes;

let pageServer, modelServer, dir;

before(async () => {
  pageServer = await startServer();
  modelServer = await startServer();
  dir = freshProfileDir();
});

after(async () => {
  await pageServer?.close();
  await modelServer?.close();
  if (dir) removeDir(dir);
});

/** One visit: a browser on the shared profile, the test page, createMatcher. */
async function visit(fn) {
  const browser = await launch(dir);
  try {
    await openTestPage(browser.page, pageServer);
    const result = await createMatcherInPage(browser.page, modelServer.url + MODEL_PATH);
    return await fn(browser.page, result);
  } finally {
    await browser.context.close();
  }
}

const WASM_GZ = `/pkg/${WASM_FILE}.gz`;
const WASM_PLAIN = `/pkg/${WASM_FILE}`; // requests() matches a prefix: this counts both

test('first visit fetches every file and caches it', async () => {
  modelServer.clearLog();
  pageServer.clearLog();
  await visit(async (page, r) => {
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const p = r.ready.profile;
    assert.equal(r.ready.cached, true, p.cacheNote);
    assert.ok(p.files.every((f) => f.source === 'network' && f.cached), JSON.stringify(p.files));
    assert.equal(modelServer.bytes(WEIGHTS_PATH), weightsBytes);
    const urls = await cachedUrls(page);
    // model files are keyed by URL and content hash; the manifest by its URL
    for (const f of p.files.map((f) => f.name)) {
      const sha = manifest.files.find((e) => e.name === f).sha256;
      assert.ok(urls.includes(`${modelServer.url}${MODEL_PATH}${f}?sha256=${sha}`), `${f} is cached: ${urls}`);
    }
    assert.ok(urls.includes(modelServer.url + MODEL_PATH + 'manifest.json'), 'manifest.json is cached');
    assert.equal(pageServer.requests(WASM_GZ).length, 1, 'the gzipped module is downloaded');
    assert.equal(pageServer.requests(WASM_PLAIN).filter((e) => e.path === WASM_PLAIN).length, 0, 'not the plain one');
    assert.ok(urls.some((u) => u.startsWith(`${pageServer.url}${WASM_GZ}?sha256=`)), `the module is kept: ${urls}`);
    console.log(`# cold: ready in ${Math.round(p.totalMs)} ms (+ wasm init ${Math.round(p.wasmInitMs)} ms), ` +
      `read ${Math.round(p.readMs)} ms, verify ${Math.round(p.verifyMs)} ms, store ${Math.round(p.storeMs)} ms, ` +
      `build ${Math.round(p.buildMs)} ms, first encode ${Math.round(p.firstEncodeMs)} ms, ${p.networkBytes} bytes`);
  });
});

test('second visit sends no weight bytes and no wasm', async () => {
  modelServer.clearLog();
  pageServer.clearLog();
  await visit(async (_page, r) => {
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const p = r.ready.profile;
    assert.equal(r.ready.cached, true);
    assert.ok(p.files.every((f) => f.source === 'cache'), JSON.stringify(p.files));
    assert.equal(p.manifest.source, 'network', 'the manifest is revalidated when online');
    assert.equal(modelServer.requests(WEIGHTS_PATH).length, 0, 'no request for the weights');
    assert.equal(modelServer.bytes(WEIGHTS_PATH), 0);
    assert.equal(pageServer.requests(WASM_PLAIN).length, 0,
      'the module comes from the Cache API');
    console.log(`# warm: ready in ${Math.round(p.totalMs)} ms (+ wasm init ${Math.round(p.wasmInitMs)} ms), ` +
      `read ${Math.round(p.readMs)} ms, verify ${Math.round(p.verifyMs)} ms, build ${Math.round(p.buildMs)} ms, ` +
      `first encode ${Math.round(p.firstEncodeMs)} ms`);
  });
});

test('offline: with the model server stopped, a new visit still gets a matcher', async () => {
  const port = modelServer.port;
  await modelServer.close();
  try {
    await visit(async (page, r) => {
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.ready.profile.manifest.source, 'cache');
      assert.ok(r.ready.profile.manifest.networkError, 'the profile says why the network copy was not used');
      assert.ok(r.ready.profile.files.every((f) => f.source === 'cache'));
      const [v] = await page.evaluate(async () => (await window.matcher.embed(['offline'])).map((x) => x.length));
      assert.equal(v, 384);
    });
  } finally {
    modelServer = await startServer({ port });
  }
});

test('a corrupted cache entry is detected, evicted and fetched again', async () => {
  // cache keys carry the content hash (src/web/files.rs cache_key)
  const configSha = manifest.files.find((f) => f.name === 'config.json').sha256;
  const configUrl = `${modelServer.url}${MODEL_PATH}config.json?sha256=${configSha}`;
  const good = fs.readFileSync(path.join(REPO, 'models/all-MiniLM-L6-v2/config.json'));
  // Corrupt the stored copy from a page of the cache's origin: same length, one byte changed.
  {
    const browser = await launch(dir);
    try {
      await openTestPage(browser.page, pageServer);
      await browser.page.evaluate(async ([url, bytes]) => {
        const data = new Uint8Array(bytes);
        data[10] ^= 0x20;
        const cache = await caches.open('cvmatch-v1');
        await cache.put(url, new Response(data, { headers: { 'content-type': 'application/json' } }));
      }, [configUrl, [...good]]);
    } finally {
      await browser.context.close();
    }
  }
  modelServer.clearLog();
  await visit(async (page, r) => {
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const f = r.ready.profile.files.find((x) => x.name === 'config.json');
    assert.equal(f.evicted, true);
    assert.equal(f.source, 'network');
    assert.equal(f.cached, true);
    assert.equal(modelServer.requests(MODEL_PATH + 'config.json').length, 1, 'config.json refetched');
    assert.equal(modelServer.requests(WEIGHTS_PATH).length, 0, 'the weights were still good');
    const stored = await page.evaluate(async (url) => {
      const cache = await caches.open('cvmatch-v1');
      return [...new Uint8Array(await (await cache.match(url)).arrayBuffer())];
    }, configUrl);
    assert.deepEqual(Buffer.from(stored), good, 'the cache holds the good copy again');
  });
});

test('a corrupted copy of the wasm module is detected, replaced and the visit still works', async () => {
  const browser = await launch(dir);
  try {
    await openTestPage(browser.page, pageServer);
    const replaced = await browser.page.evaluate(async (prefix) => {
      const cache = await caches.open('cvmatch-v1');
      const key = (await cache.keys()).map((r) => r.url).find((u) => u.startsWith(prefix));
      if (!key) return null;
      await cache.put(key, new Response(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 0xff]), { headers: { 'Content-Type': 'application/wasm' } }));
      return key;
    }, `${pageServer.url}${WASM_GZ}?sha256=`);
    assert.ok(replaced, 'a stored module to corrupt');
  } finally {
    await browser.context.close();
  }
  pageServer.clearLog();
  await visit(async (page, r) => {
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(pageServer.requests(WASM_GZ).length, 1, 'downloaded again');
    const [v] = await page.evaluate(async () => (await window.matcher.embed(['fresh module'])).map((x) => x.length));
    assert.equal(v, 384);
  });
});
