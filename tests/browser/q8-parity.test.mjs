// q8 in the worker: the 8-bit kernel (src/model/qgemm.rs: int8 weights, int16 activations
// on i32x4.dot_i16x8_s) keeps parity with sentence-transformers (min cosine ≥ 0.999) in
// both builds of the module (baseline and relaxed SIMD) within 100 MB of wasm memory, and
// `prepare` keeps the resume so that a check embeds only the job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPrerequisites, loadParity, startServer, launch, freshProfileDir, removeDir,
  openTestPage, cosine, MODEL_PATH,
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
  // one worker: `prepare` and the checks after it must reach the same worker (a pool
  // routes them by resume; pkg/ owns that)
  const error = await page.evaluate(async (modelUrl) => {
    try {
      window.matcher = await window.cvmatch.createMatcher({ modelUrl, weights: 'q8', workers: 1 });
      return undefined;
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  }, server.url + MODEL_PATH);
  assert.equal(error, undefined, `createMatcher failed: ${JSON.stringify(error)}`);
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  if (dir) removeDir(dir);
});

/** Min cosine to the reference over every parity text. */
function worstOf(vectors) {
  let worst = { cos: 1, id: '' };
  parity.items.forEach((item, i) => {
    assert.equal(vectors[i].length, item.embedding.length);
    const c = cosine(vectors[i], item.embedding);
    if (c < worst.cos) worst = { cos: c, id: item.id };
  });
  return worst;
}

for (const simd of ['baseline', 'relaxed']) {
  test(`q8 on the 8-bit kernel (${simd} build): parity with sentence-transformers, in one batch and one by one; memory ≤ 100 MB`, async () => {
    const texts = parity.items.map((i) => i.text);
    const r = await page.evaluate(async ([modelUrl, texts, simd]) => {
      // a matcher of its own per build, so the memory figure is this build's alone
      const m = await window.cvmatch.createMatcher({ modelUrl, weights: 'q8', workers: 1, simd });
      try {
        const batch = (await m.embed(texts)).map((v) => Array.from(v));
        const afterBatch = await m.request('profile');
        const single = [];
        for (const t of texts) single.push(Array.from((await m.embed([t]))[0]));
        const profile = await m.request('profile');
        return { batch, single, profile, afterBatch };
      } finally {
        m.dispose();
      }
    }, [server.url + MODEL_PATH, texts, simd]);
    const batch = worstOf(r.batch);
    const single = worstOf(r.single);
    console.log(`# q8 parity (${simd}): min cosine batch ${batch.cos.toFixed(6)} (${batch.id}), one by one ${single.cos.toFixed(6)} (${single.id})`);
    console.log(`# q8 worker memory (${simd}): ${(r.afterBatch.memoryBytes / 1e6).toFixed(1)} MB after the ${texts.length} texts in one batch, ${(r.profile.memoryBytes / 1e6).toFixed(1)} MB after one by one; padding ${JSON.stringify(r.profile.padding)}`);
    assert.equal(r.profile.simd, simd, 'the build asked for is the one running');
    assert.ok(batch.cos >= 0.999, `batch: min cosine ${batch.cos} at ${batch.id}`);
    assert.ok(single.cos >= 0.999, `one by one: min cosine ${single.cos} at ${single.id}`);
    assert.equal(r.profile.load.weights, 'q8');
    assert.ok(r.profile.padding.paddedTokens >= r.profile.padding.tokens);
    // issue 14: a q8 worker within 100 MB (decimal) of wasm memory, the largest batch included
    assert.ok(r.profile.memoryBytes <= 100_000_000, `wasm memory ${r.profile.memoryBytes} bytes`);
  });
}

test('prepare keeps the resume: the next check embeds only the job, another resume replaces it', async () => {
  const resume = parity.items.find((i) => i.truncated).text;
  const other = parity.items.filter((i) => i.truncated)[1].text;
  const job = 'Backend engineer\n\nRequirements:\n- 5+ years of Go or Python\n- REST APIs\n- PostgreSQL';
  const r = await page.evaluate(async ([resume, other, job]) => {
    const m = window.matcher;
    const first = await m.request('prepare', { resume });
    const again = await m.request('prepare', { resume });
    const before = await m.request('profile');
    const report = await m.score(resume, job);
    const after = await m.request('profile');
    const replaced = await m.request('prepare', { resume: other });
    const back = await m.request('prepare', { resume });
    return { first, again, before, after, report, replaced, back };
  }, [resume, other, job]);
  assert.equal(r.first.cached, false);
  assert.ok(r.first.units > 0 && r.first.units === r.first.chunks + r.first.lines, JSON.stringify(r.first));
  assert.equal(r.again.cached, true);
  assert.deepEqual({ ...r.again, ms: 0, cached: false }, { ...r.first, ms: 0 });
  // the check reused the prepared resume: one more hit, and only the job's texts embedded
  assert.equal(r.after.resumeCache.hits, r.before.resumeCache.hits + 1);
  assert.equal(r.after.resumeCache.misses, r.before.resumeCache.misses);
  assert.ok(r.report.score >= 0 && r.report.requirements.length === 3, JSON.stringify(r.report.requirements));
  assert.equal(r.replaced.cached, false);
  assert.equal(r.back.cached, false, 'only one resume is held');
});
