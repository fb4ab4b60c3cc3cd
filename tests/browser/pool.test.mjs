// The worker pool (`createMatcher({workers})`): a cold visit downloads the model once (worker 0
// fills the Cache API store, the others read it); a batch split over two workers gives the
// vectors of one worker, in order; indexes reach every worker; a crashed worker rejects only
// its own requests while the rest answer; bad `workers` values are refused before any worker
// starts. Asserts no time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkPrerequisites, requireFile, loadParity, startServer, launch, freshProfileDir, removeDir,
  openTestPage, cosine, REPO, MODEL_PATH, Q8_WEIGHTS_PATH as WEIGHTS_PATH,
} from './helpers.mjs';

checkPrerequisites();
const parity = loadParity();
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'models/all-MiniLM-L6-v2/manifest.json'), 'utf8'));
// the pool loads the default weights (q8), which the sample index was built with
const weightsBytes = manifest.files.find((f) => f.name === 'model.q8_0.gguf').bytes;
requireFile(path.join(REPO, 'www', 'jobs', 'jobs.cvx'), 'run `make index` first');
const INDEX = '/www/jobs/jobs.cvx';

const RESUME = 'Backend engineer, 6 years of Python and Go. Built REST APIs on PostgreSQL, '
  + 'ran services on Kubernetes, cut p99 latency by 40 % with caching.';
const JOB = 'We are hiring a backend developer.\nRequirements:\n- 5+ years with Python\n'
  + '- Experience designing REST APIs\n- PostgreSQL\n- Nice to have: Kubernetes';

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

/**
 * Creates `window[name]` with createMatcher(options); resolves with what it saw once
 * `ready` resolved, or with `{error}` when it rejects.
 */
function createInPage(name, options) {
  return page.evaluate(async ([name, { modelPath, ...options }]) => {
    const events = [];
    try {
      const m = window.cvmatch.createMatcher({
        modelUrl: new URL(modelPath, location.href).href, ...options, onProgress: (e) => events.push(e),
      });
      window[name] = m;
      const ready = await m.ready;
      const atResolve = { workers: m.workers, progress: events.length, pool: m.pool };
      const settled = await m.poolReady();
      return { atResolve, settled, progressAfter: events.length, ready };
    } catch (e) {
      return { error: { code: e.code, message: e.message } };
    }
  }, [name, { modelPath: MODEL_PATH, ...options }]);
}

/**
 * Serves /pkg/worker.js as a wrapper that first evaluates `stub` (a module) and then the real
 * worker.js (the same device as failures.test.mjs). Returns the cleanup.
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
  return () => { for (const p of ['/pkg/worker.js', '/pkg/stub.js', '/pkg/worker-real.js']) server.override(p, null); };
}

test('cold visit with workers: 2: the weights are downloaded once, the second worker reads the cache', async () => {
  server.clearLog();
  const r = await createInPage('pool2', { workers: 2 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.atResolve.workers, 1, 'createMatcher resolves as soon as worker 0 is ready');
  assert.equal(r.atResolve.pool.requested, 2);
  assert.equal(r.atResolve.pool.loading, 1);
  assert.equal(r.ready.profile.networkBytes > 0, true, 'worker 0 downloaded the model');
  assert.deepEqual(r.settled, { requested: 2, ready: 2, loading: 0, dropped: [], restarted: 0 });
  assert.equal(server.requests(WEIGHTS_PATH).length, 1, 'one request for the weights');
  assert.equal(server.bytes(WEIGHTS_PATH), weightsBytes, 'the weights were sent once');
  assert.equal(server.requests('/pkg/worker.js').length, 2, 'two workers started');
  assert.ok(r.atResolve.progress > 0, 'progress events during the load');
  assert.equal(r.progressAfter, r.atResolve.progress, 'no progress events from the worker reading the cache');

  const p = await page.evaluate(() => window.pool2.profile());
  assert.deepEqual(p.workers.map((w) => w.worker), [0, 1]);
  const [w0, w1] = p.workers;
  assert.ok(w0.load.networkBytes > 0);
  assert.equal(w1.load.networkBytes, 0, 'worker 1 read no model byte from the network');
  assert.ok(w1.load.files.every((f) => f.source === 'cache'), JSON.stringify(w1.load.files));
  assert.equal(p.load.modelId, 'sentence-transformers/all-MiniLM-L6-v2', 'profile().load is worker 0\'s');
});

test('embeddings with workers: 2 equal those of workers: 1, in order, the batch split over both', async () => {
  const r1 = await createInPage('pool1', { workers: 1 });
  assert.equal(r1.error, undefined, JSON.stringify(r1.error));
  assert.deepEqual(r1.settled, { requested: 1, ready: 1, loading: 0, dropped: [], restarted: 0 });
  const texts = parity.items.map((i) => i.text);
  const r = await page.evaluate(async (texts) => {
    const before = await window.pool2.profile();
    const two = await window.pool2.embed(texts);
    const after = await window.pool2.profile();
    const one = await window.pool1.embed(texts);
    const perWorker = after.workers.map((w, i) => w.usage.texts - before.workers[i].usage.texts);
    return {
      two: two.map((v) => Array.from(v)),
      one: one.map((v) => Array.from(v)),
      isF32: two.every((v) => v instanceof Float32Array && v.buffer.byteLength === v.length * 4),
      perWorker,
      summed: after.usage.texts - before.usage.texts,
    };
  }, texts);
  assert.equal(r.two.length, texts.length);
  assert.ok(r.isF32, 'Float32Arrays owning their buffers');
  console.log(`# ${texts.length} texts split ${r.perWorker.join(' + ')} over the two workers`);
  assert.equal(r.perWorker.length, 2);
  assert.ok(r.perWorker.every((n) => n > 0), `both workers embedded part of the batch: ${r.perWorker}`);
  assert.equal(r.perWorker[0] + r.perWorker[1], texts.length);
  assert.equal(r.summed, texts.length, 'profile().usage sums the workers');
  let worst = 1;
  parity.items.forEach((item, i) => {
    const same = cosine(r.two[i], r.one[i]);
    worst = Math.min(worst, same);
    assert.ok(same > 0.9999999, `text ${i} (${item.id}): cosine ${same} between 2 workers and 1`);
    // the pool loads q8 (min cosine 0.9994 to sentence-transformers): 0.999 still tells every text from the others
    const ref = cosine(r.two[i], item.embedding);
    assert.ok(ref >= 0.999, `text ${i} (${item.id}) is out of place: cosine ${ref} to its reference`);
  });
  console.log(`# min cosine, 2 workers vs 1: ${worst.toFixed(9)}`);
});

test('concurrent embed, score, rank and single embeds on the pool each settle with their own answer', async () => {
  const texts = parity.items.slice(0, 20).map((i) => i.text);
  const r = await page.evaluate(async ([texts, resume, job]) => {
    const m = window.pool2;
    const [batch, report, ranked, ...singles] = await Promise.all([
      m.embed(texts),
      m.score(resume, job),
      m.rankCandidates(job, [texts[0], resume, texts[1]], { top: 3 }),
      ...texts.slice(0, 4).map((t) => m.embed([t])),
    ]);
    const alone = await window.pool1.score(resume, job);
    return {
      batch: batch.map((v) => Array.from(v)),
      singles: singles.map(([v]) => Array.from(v)),
      score: report.score, aloneScore: alone.score,
      top: ranked[0].index,
    };
  }, [texts, RESUME, JOB]);
  assert.equal(r.batch.length, texts.length);
  assert.equal(r.score, r.aloneScore, 'the same score as one worker alone');
  assert.equal(r.top, 1, 'the resume ranks first for its job');
  r.singles.forEach((v, i) => {
    assert.ok(cosine(v, r.batch[i]) > 0.9999, `single ${i} got another text's vector`);
    assert.ok(cosine(v, r.batch[i + 1]) < 0.999, `single ${i} resembles text ${i + 1}`);
  });
});

test('loadIndex reaches every worker, also one that joins after it; the index is downloaded once', async () => {
  server.clearLog();
  const r = await page.evaluate(async ([indexPath, resume]) => {
    const m = window.cvmatch.createMatcher({
      modelUrl: new URL('/models/all-MiniLM-L6-v2/', location.href).href, workers: 2,
    });
    await m.ready;
    window.poolIndex = m;
    const workersAtLoad = m.workers;
    const index = await m.loadIndex(indexPath);     // worker 1 is still loading, or just joined
    await m.poolReady();
    const p = await m.profile();
    const [a, b] = await Promise.all([m.rank(resume, index, { top: 3 }), m.rank(resume, index, { top: 3 })]);
    return {
      workersAtLoad, jobs: index.jobs, url: index.url, pool: m.pool,
      indexes: p.workers.map((w) => w.indexes),
      a: a.jobs.map((j) => j.id), b: b.jobs.map((j) => j.id),
    };
  }, [INDEX, RESUME]);
  assert.equal(r.workersAtLoad, 1);
  assert.equal(r.jobs, 65);
  assert.equal(r.pool.ready, 2, JSON.stringify(r.pool));
  assert.deepEqual(r.indexes, [[r.url], [r.url]], 'both workers hold the index');
  assert.equal(r.a.length, 3);
  assert.deepEqual(r.a, r.b, 'two concurrent rankings agree');
  // (each loadIndex also fetches the small `jobs.cvx.sha256` listing to revalidate its copy)
  assert.equal(server.requests(INDEX).filter((e) => e.path.split('?')[0] === INDEX).length, 1,
    'the index was fetched from the network once');
  assert.equal(server.requests(WEIGHTS_PATH).length, 0, 'the warm pool read the weights from the cache');
  await page.evaluate(() => window.poolIndex.terminate());
});

test('a crashed worker rejects its own pending requests with worker_crashed and is restarted once; the rest of the pool answers', async (t) => {
  // '__hold__' is never answered (its request stays pending); '__crash__' throws in the worker.
  t.after(stubWorker(`self.addEventListener('message', (event) => {
  const texts = event.data?.args?.texts;
  if (!Array.isArray(texts)) return;
  if (texts.includes('__hold__')) event.stopImmediatePropagation();
  if (texts.includes('__crash__')) {
    event.stopImmediatePropagation();
    setTimeout(() => { throw new Error('simulated crash'); });
  }
});
`));
  server.clearLog();
  const created = await createInPage('crashy', { workers: 2 });
  assert.equal(created.error, undefined, JSON.stringify(created.error));
  assert.equal(server.requests('/pkg/stub.js').length, 2, 'both workers run the stub');
  assert.equal(created.settled.ready, 2);

  const r = await page.evaluate(async ([resume, job]) => {
    const m = window.crashy;
    const track = (p) => {
      const s = { state: 'pending' };
      p.then(() => { s.state = 'resolved'; }, (e) => { s.state = e.code; s.message = e.message; });
      return s;
    };
    const crash = async () => {
      try { await m.embed(['__crash__']); return 'resolved'; } catch (e) { return e.code; }
    };
    const held = [track(m.embed(['__hold__'])), track(m.embed(['__hold__']))];
    // A batch over both workers; the worker given '__crash__' (worker 1) dies with the request pending.
    let first;
    try { await m.embed(['an ordinary sentence', '__crash__']); first = { code: 'resolved' }; } catch (e) {
      first = { code: e.code, message: e.message, isError: e instanceof Error };
    }
    const afterCrash = { held: held.map((h) => h.state), workers: m.workers, pool: m.pool };
    const report = await m.score(resume, job);
    const vectors = await m.embed(['one', 'two', 'three']);
    const rejoined = await m.poolReady();           // worker 1, restarted once, is back
    const stillHeld = held.map((h) => h.state);
    // Worker 1 (the least busy: worker 0 holds a request) crashes again: no second restart.
    const second = await crash();
    const afterSecond = { workers: m.workers, pool: m.pool };
    // Worker 0's first crash: restarted, and the next call works on it…
    const third = await crash();
    const revived = (await m.score(resume, job)).score;
    // …its second: no worker is left, the matcher is dead.
    const fourth = await crash();
    await new Promise((res) => setTimeout(res, 0));
    let after;
    try { await m.score(resume, job); after = 'resolved'; } catch (e) { after = e.code; }
    return {
      first, afterCrash, score: report.score, vectors: vectors.length, rejoined, stillHeld, second, afterSecond,
      third, revived, fourth, after, finalHeld: held.map((h) => h.state), finalWorkers: m.workers, finalPool: m.pool,
    };
  }, [RESUME, JOB]);
  assert.equal(r.first.code, 'worker_crashed', JSON.stringify(r.first));
  assert.equal(r.first.isError, true);
  assert.match(r.first.message, /crashed/);
  assert.equal(r.afterCrash.workers, 1, 'the pool goes on with one worker');
  assert.equal(r.afterCrash.pool.dropped.length, 1);
  assert.equal(r.afterCrash.pool.dropped[0].code, 'worker_crashed');
  assert.equal(r.afterCrash.pool.restarted, 1, 'the crashed worker is restarted');
  assert.equal(r.afterCrash.pool.loading, 1);
  assert.deepEqual([...r.afterCrash.held].sort(), ['pending', 'worker_crashed'],
    'the crashed worker\'s held request rejected; the other worker\'s is still pending');
  assert.ok(r.score >= 0 && r.score <= 100, 'the pool still scores');
  assert.equal(r.vectors, 3, 'the pool still embeds');
  assert.equal(r.rejoined.ready, 2, 'the restarted worker joined');
  assert.deepEqual(r.stillHeld, r.afterCrash.held);
  assert.equal(r.second, 'worker_crashed');
  assert.equal(r.afterSecond.workers, 1);
  assert.equal(r.afterSecond.pool.loading, 0, 'a worker is restarted once only');
  assert.equal(r.afterSecond.pool.restarted, 1);
  assert.equal(r.third, 'worker_crashed');
  assert.ok(r.revived >= 0 && r.revived <= 100, 'the restarted worker 0 answers');
  assert.equal(r.fourth, 'worker_crashed');
  assert.equal(r.after, 'worker_crashed', 'with the last worker gone the matcher is dead');
  assert.deepEqual(r.finalHeld, ['worker_crashed', 'worker_crashed']);
  assert.equal(r.finalWorkers, 0);
  assert.equal(r.finalPool.dropped.length, 4);
  assert.equal(r.finalPool.restarted, 2);
});

test('a worker joining late loads the indexes first; with none ready, requests wait for it', async (t) => {
  // Holds every `load` but the first (worker 0's) until the page creates the cache
  // 'pool-test-gate'; '__crash__' throws in the worker.
  t.after(stubWorker(`const passed = new WeakSet();
self.addEventListener('message', (event) => {
  const data = event.data;
  if (Array.isArray(data?.args?.texts) && data.args.texts.includes('__crash__')) {
    event.stopImmediatePropagation();
    setTimeout(() => { throw new Error('simulated crash'); });
    return;
  }
  if (data?.op !== 'load' || passed.has(data)) return;
  event.stopImmediatePropagation();
  (async () => {
    if (await caches.has('pool-test-first')) {
      while (!(await caches.has('pool-test-gate'))) await new Promise((r) => setTimeout(r, 50));
    } else {
      await caches.open('pool-test-first');
    }
    passed.add(data);
    self.dispatchEvent(new MessageEvent('message', { data }));
  })();
});
`));
  t.after(() => page.evaluate(() => Promise.all([caches.delete('pool-test-first'), caches.delete('pool-test-gate')])));
  const r = await page.evaluate(async ([indexPath, resume, job]) => {
    const m = window.cvmatch.createMatcher({
      modelUrl: new URL('/models/all-MiniLM-L6-v2/', location.href).href, workers: 2,
    });
    await m.ready;
    const index = await m.loadIndex(indexPath);
    const early = { workers: m.workers, pool: m.pool, indexes: (await m.profile()).workers.map((w) => w.indexes) };
    let crash;
    try { await m.embed(['__crash__']); crash = 'resolved'; } catch (e) { crash = e.code; }
    const alone = { workers: m.workers, pool: m.pool };
    let waited = 'pending';
    const waiting = m.score(resume, job).then((rep) => { waited = rep.score; }, (e) => { waited = e.code; });
    await new Promise((res) => setTimeout(res, 0));
    const beforeGate = waited;
    await caches.open('pool-test-gate');
    await waiting;
    await m.poolReady();
    const p = await m.profile();
    const ranking = await m.rank(resume, index, { top: 2 });
    m.terminate();
    return {
      early, crash, alone, beforeGate, waited, url: index.url, pool: m.pool,
      late: p.workers.map((w) => ({ worker: w.worker, indexes: w.indexes })), ranked: ranking.jobs.length,
    };
  }, [INDEX, RESUME, JOB]);
  assert.equal(r.early.workers, 1);
  assert.equal(r.early.pool.loading, 1, 'worker 1 is held');
  assert.deepEqual(r.early.indexes, [[r.url]], 'the index is in worker 0');
  assert.equal(r.crash, 'worker_crashed');
  assert.equal(r.alone.workers, 0, 'no worker ready');
  assert.equal(r.alone.pool.loading, 2, 'worker 1 still loading, worker 0 restarting (held too): the matcher lives');
  assert.equal(r.beforeGate, 'pending', 'the request waits for a worker');
  assert.equal(typeof r.waited, 'number', `the waiting request was answered: ${r.waited}`);
  assert.deepEqual(r.late, [{ worker: 0, indexes: [r.url] }, { worker: 1, indexes: [r.url] }],
    'worker 1 and the restarted worker 0 loaded the index before joining');
  assert.equal(r.ranked, 2);
  assert.deepEqual(r.pool.dropped.map((d) => [d.worker, d.code]), [[0, 'worker_crashed']]);
});

test('dispose() stops every worker: requests pending on each reject with terminated', async () => {
  const long = parity.items.filter((i) => i.truncated).map((i) => i.text);
  const r = await page.evaluate(async (long) => {
    const m = window.pool2;
    const pending = [m.embed([...long, ...long]), m.score(long[0], long[1]), m.rank(long[1], long, { top: 1 })];
    await new Promise((res) => setTimeout(res, 50));
    m.dispose();
    const codes = await Promise.all(pending.map((p) => p.then(() => 'resolved', (e) => e.code)));
    let after = null;
    try { await m.embed(['x', 'y']); after = 'resolved'; } catch (e) { after = e.code; }
    return { codes, after, workers: m.workers, settled: await m.poolReady() };
  }, long);
  assert.deepEqual(r.codes, ['terminated', 'terminated', 'terminated']);
  assert.equal(r.after, 'terminated');
  assert.equal(r.workers, 0);
  assert.deepEqual(r.settled.dropped, [], 'terminating is not a failure');
});

test('invalid workers values reject with bad_input before any worker starts', async () => {
  server.clearLog();
  const r = await page.evaluate(async () => {
    const out = [];
    for (const workers of [0, -1, 1.5, 17, NaN, Infinity, '2', null]) {
      try {
        const m = await window.cvmatch.createMatcher({ modelUrl: '/models/all-MiniLM-L6-v2/', workers });
        m.terminate();
        out.push({ workers: String(workers), code: 'resolved' });
      } catch (e) {
        out.push({ workers: String(workers), code: e.code, message: e.message, isError: e instanceof Error });
      }
    }
    return out;
  });
  for (const o of r) {
    assert.equal(o.code, 'bad_input', `workers: ${o.workers} → ${JSON.stringify(o)}`);
    assert.equal(o.isError, true);
    assert.match(o.message, /workers must be an integer from 1 to 16/);
  }
  assert.equal(server.requests('/pkg/worker.js').length, 0, 'no worker was started');
});

test('the default pool size follows navigator.hardwareConcurrency and deviceMemory', async () => {
  const r = await page.evaluate(async () => {
    const m = window.cvmatch.createMatcher({ modelUrl: '/models/all-MiniLM-L6-v2/' });
    const settled = await m.poolReady();
    m.terminate();
    return {
      settled, dflt: window.cvmatch.defaultWorkerCount(),
      cores: navigator.hardwareConcurrency, memory: navigator.deviceMemory ?? null,
    };
  });
  console.log(`# ${r.cores} cores, deviceMemory ${r.memory} → ${r.dflt} worker(s) by default`);
  const byMemory = r.memory ? Math.floor(r.memory / 4) : 2;
  assert.equal(r.dflt, Math.max(1, Math.min(4, r.cores - 1, byMemory)));
  assert.equal(r.settled.requested, r.dflt);
  assert.equal(r.settled.ready, r.dflt);
});

test('without the Cache API store the extra workers are not started (they would download the model again)', async (t) => {
  t.after(stubWorker("CacheStorage.prototype.open = function () {\n" +
    "  return Promise.reject(new DOMException('storage is disabled', 'SecurityError'));\n};\n"));
  server.clearLog();
  const r = await createInPage('uncached', { workers: 3 });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.ready.cached, false);
  assert.equal(r.settled.requested, 3);
  assert.equal(r.settled.ready, 1);
  assert.match(r.settled.note, /not in the Cache API store/);
  assert.equal(server.requests(WEIGHTS_PATH).length, 1, 'the weights were downloaded once');
  assert.equal(server.requests('/pkg/worker.js').length, 1, 'one worker started');
  const n = await page.evaluate(async () => {
    const v = await window.uncached.embed(['still', 'works']);
    window.uncached.terminate();
    return v.length;
  });
  assert.equal(n, 2);
});
