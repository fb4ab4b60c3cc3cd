// The encoder in a Web Worker: parity with sentence-transformers, the main thread stays
// free, concurrent requests get their own answers, termination rejects pending calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPrerequisites, loadParity, startServer, launch, freshProfileDir, removeDir,
  openTestPage, createMatcherInPage, cosine, MODEL_PATH,
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
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error, undefined, `createMatcher failed: ${JSON.stringify(r.error)}`);
  assert.equal(r.ready.profile.modelId, 'sentence-transformers/all-MiniLM-L6-v2');
  assert.ok(r.progressCount > 0, 'progress events were posted');
  assert.equal(r.lastOverall.loaded, r.lastOverall.total, 'overall progress reaches the total');
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  if (dir) removeDir(dir);
});

test('parity with sentence-transformers on every reference text (f32, one batch)', async () => {
  const texts = parity.items.map((i) => i.text);
  assert.equal(texts.length, 74);
  const vectors = await page.evaluate(async (texts) => {
    const out = await window.matcher.embed(texts);
    return out.map((v) => ({ isF32: v instanceof Float32Array, v: Array.from(v) }));
  }, texts);
  assert.equal(vectors.length, texts.length);
  let worst = { cos: 1, id: '' };
  parity.items.forEach((item, i) => {
    assert.ok(vectors[i].isF32, 'a Float32Array per text');
    assert.equal(vectors[i].v.length, item.embedding.length);
    const c = cosine(vectors[i].v, item.embedding);
    if (c < worst.cos) worst = { cos: c, id: item.id };
  });
  console.log(`# parity: min cosine ${worst.cos.toFixed(7)} (${worst.id})`);
  assert.ok(worst.cos >= 0.9999, `min cosine ${worst.cos} at ${worst.id}`);
});

test('health check passes', async () => {
  const h = await page.evaluate(() => window.matcher.health());
  assert.ok(h.healthy, JSON.stringify(h));
});

test('embed buffers are transferred, and bad input is rejected with bad_input', async () => {
  const r = await page.evaluate(async () => {
    const [v] = await window.matcher.embed(['hello']);
    let code = null;
    try { await window.matcher.request('embed', { texts: [1, 2] }); } catch (e) { code = e.code; }
    let unknown = null;
    try { await window.matcher.request('nope'); } catch (e) { unknown = e.code; }
    return { len: v.length, byteLength: v.buffer.byteLength, code, unknown };
  });
  assert.equal(r.len, 384);
  assert.equal(r.byteLength, 384 * 4, 'each vector owns its buffer');
  assert.equal(r.code, 'bad_input');
  assert.equal(r.unknown, 'bad_input');
});

test('the encoder runs in a worker: a main-thread timer keeps firing during a long embed', async () => {
  const long = parity.items.filter((i) => i.truncated).map((i) => i.text);
  const r = await page.evaluate(async (long) => {
    const texts = [...long, ...long, ...long]; // ~39 texts of 256 tokens: seconds of work
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const t0 = performance.now();
    await window.matcher.embed(texts);
    const ms = performance.now() - t0;
    clearInterval(timer);
    return { ticks, ms, maxGap, n: texts.length };
  }, long);
  console.log(`# ${r.n} long texts in ${Math.round(r.ms)} ms; ${r.ticks} timer ticks, max gap ${Math.round(r.maxGap)} ms`);
  // On the main thread the embed would block the timer for its whole duration (seconds);
  // the bounds leave room for a busy 2-core machine starving the page now and then.
  assert.ok(r.ms > 1000, `the embed should take a while (took ${r.ms} ms)`);
  assert.ok(r.ticks >= r.ms / 10 / 10, `timer fired ${r.ticks} times in ${r.ms} ms`);
  assert.ok(r.maxGap < Math.min(1000, r.ms / 4), `main thread blocked for ${r.maxGap} ms`);
});

test('20 concurrent embed calls each get their own answer', async () => {
  const texts = Array.from({ length: 20 }, (_, i) =>
    `${parity.items[i].text} (request ${i})`);
  const r = await page.evaluate(async (texts) => {
    const single = await Promise.all(texts.map((t) => window.matcher.embed([t])));
    const batch = await window.matcher.embed(texts);
    return { single: single.map(([v]) => Array.from(v)), batch: batch.map((v) => Array.from(v)) };
  }, texts);
  for (let i = 0; i < texts.length; i++) {
    const own = cosine(r.single[i], r.batch[i]);
    assert.ok(own > 0.9999, `request ${i} got another text's vector (cos ${own})`);
    for (let j = 0; j < texts.length; j++) {
      if (j !== i) assert.ok(cosine(r.single[i], r.batch[j]) < 0.999, `request ${i} resembles ${j}`);
    }
  }
});

test('dispose() mid-request rejects the pending call with terminated', async () => {
  const long = parity.items.filter((i) => i.truncated).map((i) => i.text);
  const r = await page.evaluate(async (long) => {
    const pending = window.matcher.embed([...long, ...long]);
    await new Promise((res) => setTimeout(res, 50));
    window.matcher.dispose();
    let first = null;
    try { await pending; first = 'resolved'; } catch (e) { first = { code: e.code, isError: e instanceof Error }; }
    let after = null;
    try { await window.matcher.embed(['x']); after = 'resolved'; } catch (e) { after = e.code; }
    return { first, after };
  }, long);
  assert.deepEqual(r.first, { code: 'terminated', isError: true });
  assert.equal(r.after, 'terminated');
});
