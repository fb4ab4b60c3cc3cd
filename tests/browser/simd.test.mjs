// The module's two builds (scripts/build_wasm.sh): baseline wasm SIMD and relaxed SIMD
// (`f32x4.relaxed_madd` in the GEMM kernels), chosen in the worker by a probe module
// (pkg/worker.js) or by createMatcher's `simd` option. Both are served, verified and keep
// f32 parity; a pool's other workers get the module its first worker chose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  REPO, checkPrerequisites, loadParity, startServer, launch, freshProfileDir, removeDir,
  openTestPage, cosine, cachedUrls, MODEL_PATH,
} from './helpers.mjs';

checkPrerequisites();
const parity = loadParity();

let server, browser, dir, page;

before(async () => {
  server = await startServer();
  dir = freshProfileDir();
  browser = await launch(dir);
  page = browser.page;
  await openTestPage(page, server);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  if (dir) removeDir(dir);
});

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('the package has both builds, each hashing to the value in cvmatch_wasm_meta.js', async () => {
  const meta = await import(path.join(REPO, 'pkg', 'cvmatch_wasm_meta.js'));
  assert.equal(sha256(path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm')), meta.WASM_SHA256);
  assert.equal(sha256(path.join(REPO, 'pkg', 'cvmatch_wasm_relaxed_bg.wasm')), meta.WASM_RELAXED_SHA256,
    'the relaxed build is missing or stale: run scripts/build_wasm.sh (without RELAXED=0)');
  assert.notEqual(meta.WASM_SHA256, meta.WASM_RELAXED_SHA256);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'pkg', 'package.json'), 'utf8'));
  for (const f of ['cvmatch_wasm_relaxed_bg.wasm', 'cvmatch_wasm_relaxed_bg.wasm.gz']) {
    assert.ok(pkg.files.includes(f), `package.json files lists ${f}`);
  }
});

test('the probe: Chromium validates relaxed SIMD, so auto loads the relaxed build in every worker of a pool', async () => {
  const r = await page.evaluate(async (modelUrl) => {
    const m = await window.cvmatch.createMatcher({ modelUrl, weights: 'q8', workers: 2 });
    try {
      await m.poolReady();
      const profile = await m.profile();
      return { simd: profile.workers.map((w) => w.simd) };
    } finally {
      m.dispose();
    }
  }, server.url + MODEL_PATH);
  assert.deepEqual(r.simd, ['relaxed', 'relaxed']);
  // the module kept for the next visit is the relaxed build's, under its hash
  const meta = await import(path.join(REPO, 'pkg', 'cvmatch_wasm_meta.js'));
  const urls = await cachedUrls(page);
  assert.ok(urls.some((u) => u.endsWith(`/pkg/cvmatch_wasm_relaxed_bg.wasm.gz?sha256=${meta.WASM_RELAXED_SHA256}`)), urls.join('\n'));
});

test('f32 parity with sentence-transformers (min cosine ≥ 0.9999) on each build, and the builds agree', async () => {
  const texts = parity.items.map((i) => i.text);
  const vectors = {};
  for (const simd of ['baseline', 'relaxed']) {
    const r = await page.evaluate(async ([modelUrl, texts, simd]) => {
      const m = await window.cvmatch.createMatcher({ modelUrl, weights: 'f32', workers: 1, simd });
      try {
        const out = (await m.embed(texts)).map((v) => Array.from(v));
        return { out, simd: (await m.request('profile')).simd };
      } finally {
        m.dispose();
      }
    }, [server.url + MODEL_PATH, texts, simd]);
    assert.equal(r.simd, simd);
    let worst = { cos: 1, id: '' };
    parity.items.forEach((item, i) => {
      const c = cosine(r.out[i], item.embedding);
      if (c < worst.cos) worst = { cos: c, id: item.id };
    });
    console.log(`# f32 parity (${simd}): min cosine ${worst.cos.toFixed(7)} (${worst.id})`);
    assert.ok(worst.cos >= 0.9999, `${simd}: min cosine ${worst.cos} at ${worst.id}`);
    vectors[simd] = r.out;
  }
  const agree = Math.min(...vectors.baseline.map((v, i) => cosine(v, vectors.relaxed[i])));
  console.log(`# baseline vs relaxed build: min cosine ${agree.toFixed(8)}`);
  assert.ok(agree >= 0.99999, `the builds differ: min cosine ${agree}`);
});

test('a bad simd option is bad_input before any worker starts', async () => {
  const r = await page.evaluate((modelUrl) => {
    try {
      window.cvmatch.createMatcher({ modelUrl, simd: 'fast' });
      return null;
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  }, server.url + MODEL_PATH);
  assert.equal(r?.code, 'bad_input');
  assert.match(r.message, /auto, relaxed, baseline/);
});
