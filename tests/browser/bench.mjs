#!/usr/bin/env node
// Browser benchmark of cvmatch (reports, asserts nothing): cold and warm visit to the first
// embedding, bytes over the network, and throughput on ../shared/peers/workloads.json
// (short: 64 texts in batches of 32; long: 16 texts of 256 tokens in batches of 8), the
// same texts and method as the transformers.js peer benchmark in ../shared/peers/tjs/.
//
//   node bench.mjs [--reps 3] [--out results.json]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  checkPrerequisites, requireFile, startServer, launch, freshProfileDir, removeDir,
  openTestPage, REPO, MODEL_PATH,
} from './helpers.mjs';

const argv = process.argv.slice(2);
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 ? argv[i + 1] : d; };
const REPS = Number(opt('--reps', 3));
const OUT = opt('--out', null);

checkPrerequisites();
const workloads = JSON.parse(fs.readFileSync(requireFile(path.resolve(REPO, '..', 'shared', 'peers', 'workloads.json'),
  'the shared workloads must sit beside the repository (../shared/)'), 'utf8')).workloads;
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const log = (...a) => console.error('[bench]', ...a);

const wasm = fs.readFileSync(path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm'));
const result = {
  date: new Date().toISOString(),
  wasm_bytes: wasm.length,
  wasm_gzip_bytes: zlib.gzipSync(wasm, { level: 9 }).length,
  visits: {},
  throughput: {},
};

const server = await startServer();
const dir = freshProfileDir();

/** A visit: open the page, create the matcher, embed one text; times from navigation. */
async function visit(name) {
  const browser = await launch(dir);
  try {
    server.clearLog();
    const t0 = Date.now();
    await openTestPage(browser.page, server);
    const r = await browser.page.evaluate(async (modelUrl) => {
      const t = performance.now();
      window.matcher = await window.cvmatch.createMatcher({ modelUrl });
      const ready = performance.now() - t;
      await window.matcher.embed(['Senior Rust engineer with WebAssembly experience']);
      return { readyMs: ready, firstEmbedMs: performance.now() - t, profile: window.matcher.ready.profile };
    }, server.url + MODEL_PATH);
    const total = Date.now() - t0;
    result.visits[name] = {
      navigation_to_first_embedding_ms: total,
      create_matcher_ms: Math.round(r.readyMs),
      create_to_first_embedding_ms: Math.round(r.firstEmbedMs),
      network_bytes: server.bytes('/'),
      model_bytes: server.bytes('/models/'),
      profile: r.profile,
    };
    log(`${name}: first embedding ${total} ms after navigation, ${server.bytes('/')} bytes`);
    return browser;
  } catch (e) {
    await browser.context.close();
    throw e;
  }
}

try {
  (await visit('cold')).context.close();
  const browser = await visit('warm');
  try {
    for (const [name, w] of Object.entries(workloads)) {
      const r = await browser.page.evaluate(async ([texts, batch, reps]) => {
        const pass = async () => {
          const t = performance.now();
          for (let i = 0; i < texts.length; i += batch) await window.matcher.embed(texts.slice(i, i + batch));
          return performance.now() - t;
        };
        await pass(); // warm-up
        const times = [];
        for (let i = 0; i < reps; i++) times.push(await pass());
        return times;
      }, [w.texts, w.batch_size, REPS]);
      const ms = median(r);
      result.throughput[name] = {
        texts: w.texts.length, batch_size: w.batch_size, reps: REPS, pass_ms: r.map(Math.round),
        texts_per_s: Math.round((w.texts.length / (ms / 1000)) * 10) / 10,
      };
      log(`${name}: ${result.throughput[name].texts_per_s} texts/s (median of ${REPS})`);
    }
  } finally {
    await browser.context.close();
  }
} finally {
  await server.close();
  removeDir(dir);
}

const json = JSON.stringify(result, null, 1);
if (OUT) fs.writeFileSync(OUT, json);
console.log(json);
