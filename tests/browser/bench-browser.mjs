#!/usr/bin/env node
// Browser benchmark (a report; it asserts nothing): cvmatch against transformers.js, one node
// process driving one Chromium installation (/usr/bin/chromium), one configuration after the other,
// on the same texts (../shared/peers/workloads.json: short = 64 texts in batches of 32, long = 16
// texts of 256 tokens in batches of 8):
//
//   cvmatch          weights f32, f16, q8 (q8 also with 2 workers)  — pkg/ served by ./server.mjs
//   transformers.js  dtype q8, fp32 — the peer benchmark's own page, worker and server
//                    (target/peers/tjs, a copy of ../shared/peers/tjs made by `make peer-tjs`),
//                    driven exactly as its run.mjs drives it
//
// Per configuration: cold visit (fresh --user-data-dir) and warm visit (same profile; the model
// comes from the Cache API) → first embedding; bytes over the network on each visit (split by
// category); short/long texts/s (median of --reps passes after --warmup passes, in the page of the
// first warm visit); worker memory; parity with ../shared/reference/parity.json. Then ratios to
// transformers.js q8 and the targets, met or not. Writes a JSON report and prints markdown tables.
//
//   node bench-browser.mjs                      # full protocol (3 startup reps, 5 passes)
//   node bench-browser.mjs --quick              # q8 only: cvmatch 1 and 2 workers, tjs q8; 1 startup rep, 2 passes
//   make bench-browser [BENCH_ARGS=--quick]     # builds and installs what this needs first
//
// Options:
//   --quick                 1 startup rep, 2 passes, no idle wait, q8 configurations only
//   --reps N                timed passes per workload, median reported (default 5; quick 2)
//   --warmup N              untimed passes before timing (default 1)
//   --startup-reps N        cold/warm pairs per configuration, each on a fresh profile (default 3; quick 1)
//   --only cvmatch|tjs      one side only (ratios need tjs q8, so they are absent with --only cvmatch)
//   --weights LIST          cvmatch weights formats (default f32,f16,q8; quick q8)
//   --workers LIST          cvmatch worker counts tried with q8 (default 1,2)
//   --simd auto|relaxed|baseline  the cvmatch wasm build (createMatcher's simd; default auto)
//   --dtypes LIST           transformers.js dtypes (default q8,fp32; quick q8)
//   --wait-idle S           before each measured phase, wait up to S s for the machine to be quiet
//                           (< 0.25 busy cores outside this process tree; default 60, quick 0, 0 = off)
//   --timeout-s N           per browser call (default 600)
//   --peer-dir DIR          the installed peer (default ../../target/peers/tjs)
//   --peer-model-dir DIR    its model files (default ../../../shared/peers/models/Xenova-all-MiniLM-L6-v2)
//   --out FILE              JSON report (default ../../target/bench-browser.json)
//   --table FILE            print the tables of an existing report and exit (measures nothing)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import {
  REPO, CHROMIUM, CHROMIUM_ARGS, MODEL_PATH, startServer as startCvmatchServer,
  checkPrerequisites, requireFile, loadParity, cosine,
} from './helpers.mjs';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const KNOWN = new Set(['--quick', '--reps', '--warmup', '--startup-reps', '--only', '--weights', '--workers', '--dtypes',
  '--wait-idle', '--timeout-s', '--peer-dir', '--peer-model-dir', '--out', '--table', '--simd']);
for (const a of argv) if (a.startsWith('--') && !KNOWN.has(a)) throw new Error(`unknown option ${a}`);
/** @param {string} k @param {string} [d] */
const opt = (k, d) => { const i = argv.indexOf(k); return i >= 0 && i + 1 < argv.length ? argv[i + 1] : d; };
const QUICK = argv.includes('--quick');
const REPS = Number(opt('--reps', QUICK ? '2' : '5'));
const WARMUP = Number(opt('--warmup', '1'));
const STARTUP_REPS = Number(opt('--startup-reps', QUICK ? '1' : '3'));
const ONLY = opt('--only', null);
if (ONLY && !['cvmatch', 'tjs'].includes(ONLY)) throw new Error(`--only cvmatch|tjs, not ${ONLY}`);
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const WEIGHTS = list(opt('--weights', QUICK ? 'q8' : 'f32,f16,q8'));
const WORKERS = list(opt('--workers', '1,2')).map(Number);
const SIMD = opt('--simd', 'auto');
if (!['auto', 'relaxed', 'baseline'].includes(SIMD)) throw new Error(`--simd auto|relaxed|baseline, not ${SIMD}`);
const DTYPES = list(opt('--dtypes', QUICK ? 'q8' : 'q8,fp32'));
for (const w of WEIGHTS) if (!['f32', 'f16', 'q8'].includes(w)) throw new Error(`unsupported weights ${w}`);
for (const d of DTYPES) if (!['q8', 'fp32'].includes(d)) throw new Error(`unsupported dtype ${d}`);
for (const n of WORKERS) if (!(Number.isInteger(n) && n >= 1)) throw new Error(`bad worker count ${n}`);
const WAIT_IDLE_S = Number(opt('--wait-idle', QUICK ? '0' : '60'));
const CALL_TIMEOUT_MS = Number(opt('--timeout-s', '600')) * 1000;
const SHARED = path.resolve(REPO, '..', 'shared');
const PEER_DIR = path.resolve(opt('--peer-dir', path.join(REPO, 'target', 'peers', 'tjs')));
const PEER_MODEL_DIR = path.resolve(opt('--peer-model-dir', path.join(SHARED, 'peers', 'models', 'Xenova-all-MiniLM-L6-v2')));
const OUT = path.resolve(opt('--out', path.join(REPO, 'target', 'bench-browser.json')));

/** The targets, relative to transformers.js q8 (time: lower is better; texts/s: higher is better). */
const TARGETS = {
  cold_ratio_max: 0.5,
  warm_ratio_max: 0.5,
  cold_bytes_max: 25e6,
  throughput_ratio_min: { 1: 1.0, 2: 1.5 },
  q8_min_cosine: 0.999,
};
const BASELINE = 'tjs-q8';
const TJS_FILE = { q8: 'onnx/model_quantized.onnx', fp32: 'onnx/model.onnx' };
const CVMATCH_FILE = { f32: 'model.safetensors', f16: 'model.f16.safetensors', q8: 'model.q8_0.gguf' };

// ---------------------------------------------------------------- small helpers

/** Progress goes to stderr; stdout carries only the tables. */
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
/** @param {number[]} a */
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
/** @param {number|null|undefined} x */
const round = (x, n = 1) => (x == null || !Number.isFinite(x) ? (x ?? null) : Math.round(x * 10 ** n) / 10 ** n);
/** @template T @param {Promise<T>} p @param {number} ms @param {string} what @returns {Promise<T>} */
const withTimeout = (p, ms, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms).unref())]);
/** @param {import('playwright-core').Page} page */
const evalIn = (page, fn, arg, what) => withTimeout(page.evaluate(fn, arg), CALL_TIMEOUT_MS, what);
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/** Cosine statistics of the rows of `E` against `R` over the indices `idx`. */
function cosStats(E, R, idx, ids) {
  if (!idx.length) return null;
  const c = idx.map((i) => cosine(E[i], R[i]));
  const k = c.indexOf(Math.min(...c));
  return { n: idx.length, mean_cosine: round(c.reduce((x, y) => x + y, 0) / c.length, 7), min_cosine: round(c[k], 7), min_id: ids[idx[k]] ?? null };
}

// ---------------------------------------------------------------- CPU contention (the peer's method)
// The box is small and shared: every timed phase records how many cores other processes used
// meanwhile (machine busy time from /proc/stat minus this process tree, Chromium included).

function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return f.reduce((a, b) => a + b, 0) - (f[3] + f[4]); // busy = total - idle - iowait
}

/** Processes under `root` (this node process): pid → {ppid, ticks}. */
function processTree(root = process.pid) {
  const kids = new Map(), ticks = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let st; try { st = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    ticks.set(+d, +f[11] + +f[12] + +f[13] + +f[14]); // utime stime cutime cstime
    if (!kids.has(+f[1])) kids.set(+f[1], []);
    kids.get(+f[1]).push(+d);
  }
  const pids = [];
  const stack = [root];
  while (stack.length) { const p = stack.pop(); pids.push(p); for (const c of kids.get(p) ?? []) stack.push(c); }
  return { pids, ticks };
}
const treeTicks = () => { const { pids, ticks } = processTree(); return pids.reduce((s, p) => s + (ticks.get(p) ?? 0), 0); };
const HZ = 100;

/** Starts measuring; the returned function gives the CPU use since. */
function cpuMonitor() {
  const t0 = Date.now(), m0 = machineTicks(), h0 = treeTicks();
  return () => {
    const s = (Date.now() - t0) / 1000, m = (machineTicks() - m0) / HZ, h = (treeTicks() - h0) / HZ;
    return { wall_s: round(s, 2), machine_busy_cores: round(m / s, 2), harness_cores: round(h / s, 2), other_cores: round(Math.max(0, m - h) / s, 2) };
  };
}

/** With --wait-idle S: wait up to S seconds for other processes to use < 0.25 cores. */
async function waitQuiet(what) {
  if (!WAIT_IDLE_S) return null;
  const t0 = Date.now();
  let last = null;
  for (;;) {
    const stop = cpuMonitor();
    await new Promise((r) => setTimeout(r, 3000));
    last = stop().other_cores;
    if (last < 0.25 || (Date.now() - t0) / 1000 >= WAIT_IDLE_S) break;
  }
  const waited = round((Date.now() - t0) / 1000, 1);
  if (last >= 0.25) log(`  (machine still busy before ${what}: ${last} other cores after ${waited} s; measuring anyway)`);
  return { waited_s: waited, other_cores_before: last };
}

/** Resident memory of Chromium's renderer processes (the page and its dedicated workers live there). */
function rendererMemory() {
  const out = [];
  for (const pid of processTree().pids) {
    let cmd; try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmd.includes('--type=renderer')) continue;
    let status; try { status = fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { continue; }
    const kb = (k) => Number(status.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0) * 1024;
    out.push({ pid, rss_bytes: kb('VmRSS'), peak_rss_bytes: kb('VmHWM') });
  }
  out.sort((a, b) => b.rss_bytes - a.rss_bytes);
  return { largest: out[0] ?? null, renderers: out.length };
}

// ---------------------------------------------------------------- network accounting (the peer's method)

/** One set of categories for both libraries. @param {string} p a URL path */
function category(p) {
  const base = (p.split('/').pop() ?? '').replace(/\.(gz|br|zst)$/, ''); // a pre-compressed file counts as what it holds
  if (/\.(safetensors|gguf|onnx|onnx_data|bin)$/.test(base)) return 'weights';
  if (/^tokenizer.*\.json$/.test(base) || base === 'vocab.txt') return 'tokenizer';
  if (base.endsWith('.wasm')) return 'wasm';
  if (/\.m?js$/.test(base)) return 'js';
  if (base.endsWith('.html') || p === '/') return 'html';
  if (base.endsWith('.json')) return 'model_json';
  return 'other';
}

/**
 * What playwright sees (context-level events include the dedicated workers' fetches): body +
 * header bytes per finished request, as the peer's run.mjs counts them.
 * @param {import('playwright-core').BrowserContext} ctx
 */
function trackNetwork(ctx) {
  const entries = [], pending = [], external = [];
  const isExternal = (u) => !['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol.startsWith('http');
  ctx.on('requestfinished', (req) => {
    pending.push((async () => {
      const u = new URL(req.url());
      if (isExternal(u)) external.push(req.url());
      if (!u.protocol.startsWith('http')) return; // blob:/data: are not network transfers
      let sizes = null;
      try { sizes = await req.sizes(); } catch {}
      const resp = await req.response().catch(() => null);
      // Chromium reports responseBodySize 0 for a worker's main script; fall back to Content-Length.
      let body = sizes?.responseBodySize ?? null;
      if (!body && resp?.status() === 200) body = Number((await resp.allHeaders().catch(() => ({})))['content-length'] ?? 0) || body;
      entries.push({ path: u.pathname, category: category(u.pathname), status: resp?.status() ?? null, body_bytes: body, header_bytes: sizes?.responseHeadersSize ?? null });
    })());
  });
  ctx.on('requestfailed', (req) => { const u = new URL(req.url()); if (isExternal(u)) external.push(req.url()); });
  return {
    async summary() {
      await Promise.all(pending);
      const by = {};
      let total = 0, body = 0;
      for (const e of entries) {
        const b = (e.body_bytes ?? 0) + (e.header_bytes ?? 0);
        total += b;
        body += e.body_bytes ?? 0;
        by[e.category] = (by[e.category] ?? 0) + b;
      }
      return { total_bytes: total, body_bytes: body, by_category: by, requests: entries.length, external_requests: [...external],
        entries: entries.map((e) => ({ path: e.path, status: e.status, body_bytes: e.body_bytes })) };
    },
  };
}

/** Body bytes the server wrote since its log was cleared, by category. */
function serverSummary(server) {
  const by = {};
  for (const e of server.log) by[category(e.path)] = (by[category(e.path)] ?? 0) + e.bytes;
  return { body_bytes: server.log.reduce((s, e) => s + e.bytes, 0), by_category: by, requests: server.log.length,
    entries: server.log.map((e) => ({ path: e.path, status: e.status, bytes: e.bytes })) };
}

// ---------------------------------------------------------------- worker memory probes

/**
 * Installed in every dedicated worker as soon as playwright sees it: records the
 * WebAssembly.Memory objects a module instantiates (imported or exported). Observation only.
 */
const WASM_MEMORY_HOOK = () => {
  if (self.__benchWasmMemories) return 'already';
  const mems = (self.__benchWasmMemories = []);
  const keep = (m) => { if (m instanceof WebAssembly.Memory && !mems.includes(m)) mems.push(m); };
  const grab = (r, imports) => {
    try { for (const v of Object.values((r?.instance ?? r)?.exports ?? {})) keep(v); } catch {}
    try { for (const ns of Object.values(imports ?? {})) for (const v of Object.values(ns ?? {})) keep(v); } catch {}
    return r;
  };
  const inst = WebAssembly.instantiate, stream = WebAssembly.instantiateStreaming;
  WebAssembly.instantiate = function (s, i) { return inst.call(this, s, i).then((r) => grab(r, i)); };
  if (stream) WebAssembly.instantiateStreaming = function (s, i) { return stream.call(this, s, i).then((r) => grab(r, i)); };
  return 'hooked';
};

/**
 * Wasm linear memory of each live worker whose URL passes `filter`: what the hook saw, and for
 * cvmatch's worker the wasm-bindgen module's own `memory` export (its init returns the exports
 * when already initialised), which does not depend on winning the race with the hook.
 * @param {import('playwright-core').Page} page
 */
async function probeWorkers(page, filter) {
  const out = [];
  for (const w of page.workers().filter((w) => filter(w.url()))) {
    const r = await withTimeout(w.evaluate(async () => {
      const hooked = (self.__benchWasmMemories ?? []).map((m) => m.buffer.byteLength);
      let bindgen = null;
      if (location.pathname.endsWith('/pkg/worker.js')) {
        try { bindgen = (await (await import(new URL('./cvmatch_wasm.js', location.href).href)).default()).memory.buffer.byteLength; } catch {}
      }
      return { hooked, bindgen };
    }), 30000, 'worker probe').catch((e) => ({ error: String(e.message ?? e) }));
    out.push({ url: new URL(w.url()).pathname, ...r });
  }
  return out;
}

/** performance.measureUserAgentSpecificMemory(), worker-attributed bytes; only when crossOriginIsolated. */
function measureUASM(page) {
  return evalIn(page, async () => {
    if (!self.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') {
      return { available: false, crossOriginIsolated: self.crossOriginIsolated };
    }
    const r = await performance.measureUserAgentSpecificMemory();
    let worker = 0;
    for (const b of r.breakdown) if (b.attribution.some((a) => a.scope === 'DedicatedWorkerGlobalScope')) worker += b.bytes;
    return { available: true, crossOriginIsolated: true, total_bytes: r.bytes, worker_bytes: worker };
  }, null, 'measureUserAgentSpecificMemory').catch((e) => ({ available: false, error: String(e.message ?? e) }));
}

// ---------------------------------------------------------------- Chromium

/**
 * A visit: Chromium on `profile`, the network tracked, the memory hook in every worker, the page
 * opened and ready.
 * @param {string} profile
 * @param {{url: string, clearLog: () => void}} server
 * @param {string} pagePath
 * @param {string} readyExpr  a global that becomes true once the page is ready
 */
async function openVisit(profile, server, pagePath, readyExpr) {
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const net = trackNetwork(ctx);
    const consoleMsgs = [];
    ctx.on('console', (m) => { if (consoleMsgs.length < 50) consoleMsgs.push(`${m.type()}: ${m.text()}`.slice(0, 400)); });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('pageerror', (e) => consoleMsgs.push(`pageerror: ${e.message}`));
    const hooks = [];
    page.on('worker', (w) => hooks.push(w.evaluate(WASM_MEMORY_HOOK).catch((e) => `hook failed: ${e.message}`)));
    server.clearLog();
    await page.goto(server.url + pagePath, { waitUntil: 'load' });
    await page.waitForFunction(readyExpr, null, { timeout: 30000 });
    return { ctx, page, net, consoleMsgs, hooks };
  } catch (e) {
    await ctx.close().catch(() => {});
    throw e;
  }
}

// ---------------------------------------------------------------- the two libraries

/**
 * @typedef {object} Config
 * @property {string} id
 * @property {'cvmatch'|'tjs'} lib
 * @property {string} format  cvmatch weights or transformers.js dtype
 * @property {number} workers  requested workers (transformers.js: its one worker)
 */

/** cvmatch: pkg/ in the test page of ./server.mjs. */
function cvmatchDriver(server) {
  const isWorker = (u) => u.endsWith('/pkg/worker.js');
  return {
    open: (profile) => openVisit(profile, server, '/__test__.html', () => window.cvmatchLoaded === true),
    /** createMatcher (the worker starts inside) → the first text embedded; page clock. */
    async startup(page, cfg, firstText) {
      const r = await evalIn(page, async ([modelUrl, weights, workers, text, simd]) => {
        const t0 = performance.now();
        window.matcher = window.cvmatch.createMatcher({ modelUrl, weights, workers, simd });
        const readyInfo = await window.matcher.ready;
        const tReady = performance.now();
        const [e] = await window.matcher.embed([text]);
        const t1 = performance.now();
        // The extra workers of a pool load after createMatcher resolves (from the Cache API):
        // wait for them, so that the visit's bytes and memory include them.
        const pool = typeof window.matcher.poolReady === 'function' ? await window.matcher.poolReady() : null;
        const t2 = performance.now();
        const w = window.matcher.workers;
        return {
          create_to_first_embedding_ms: t1 - t0, nav_to_first_embedding_ms: t1,
          create_to_pool_ready_ms: pool ? t2 - t0 : null,
          breakdown_ms: { create_matcher: tReady - t0, first_embed_call: t1 - tReady },
          embedding: Array.from(e),
          load: readyInfo?.profile ?? null, cached: readyInfo?.cached ?? null,
          workers_reported: typeof w === 'number' ? w : Array.isArray(w) ? w.length : null,
          pool,
          crossOriginIsolated: self.crossOriginIsolated,
        };
      }, [server.url + MODEL_PATH, cfg.format, cfg.workers, firstText, SIMD], 'createMatcher + first embedding');
      r.workers_live = page.workers().filter((w) => isWorker(w.url())).length;
      const p = r.load;
      if (p) {
        r.breakdown_ms = { ...r.breakdown_ms, wasm_init: p.wasmInitMs, manifest: p.manifest?.ms, read: p.readMs, verify: p.verifyMs,
          store: p.storeMs, build: p.buildMs, first_encode_in_load: p.firstEncodeMs, load_total: p.totalMs };
        r.model_bytes_from = { network: p.networkBytes, cache: p.cacheBytes };
      }
      delete r.load;
      return r;
    },
    /** texts/s: `reps` timed passes over all texts in consecutive embed() calls of `batch` (page clock). */
    throughput(page, texts, batch, concurrent = false) {
      return evalIn(page, async ([texts, batch, warmup, reps, concurrent]) => {
        const batches = [];
        for (let i = 0; i < texts.length; i += batch) batches.push(texts.slice(i, i + batch));
        const pass = async () => {
          const t = performance.now();
          if (concurrent) await Promise.all(batches.map((b) => window.matcher.embed(b)));
          else for (const b of batches) await window.matcher.embed(b);
          return performance.now() - t;
        };
        for (let i = 0; i < warmup; i++) await pass();
        const times = [];
        for (let i = 0; i < reps; i++) times.push(await pass());
        return times;
      }, [texts, batch, WARMUP, REPS, concurrent], 'cvmatch throughput');
    },
    async memory(page) {
      const uasm = await measureUASM(page);
      const prof = await evalIn(page, () => window.matcher.profile(), null, 'profile').catch(() => null);
      const probes = await probeWorkers(page, isWorker);
      const perWorker = probes.map((p) => p.bindgen ?? p.hooked?.reduce((a, b) => a + b, 0) ?? null);
      const probeSum = perWorker.every((x) => x != null) && perWorker.length ? perWorker.reduce((a, b) => a + b, 0) : null;
      const reported = typeof prof?.memoryBytes === 'number' ? prof.memoryBytes : null;
      let bytes, source;
      if (uasm.available) [bytes, source] = [uasm.worker_bytes, 'measureUserAgentSpecificMemory (worker scopes)'];
      else if (reported != null && probes.length <= 1) [bytes, source] = [reported, 'matcher.profile().memoryBytes (wasm linear memory)'];
      else if (probeSum != null) [bytes, source] = [probeSum, `wasm linear memory of ${probes.length} worker(s) (the wasm-bindgen memory export)`];
      else [bytes, source] = [reported, reported != null ? 'matcher.profile().memoryBytes (wasm linear memory)' : 'unavailable'];
      return { bytes, source, profile_memory_bytes: reported, per_worker_wasm_bytes: perWorker, probes, uasm, renderer: rendererMemory() };
    },
    /**
     * What a candidate waits for once the model is loaded: a resume checked against one job
     * and against the sample board (www/jobs/jobs.jsonl), from scratch (a resume text the
     * worker has not seen: each rep appends a different line) and after `prepare` (only the
     * job(s) embedded); the padding the worker computed meanwhile. Page clock, median of REPS.
     */
    checks(page, resume, jobs) {
      return evalIn(page, async ([resume, jobs, reps]) => {
        const m = window.matcher;
        const median = (a) => { const s = [...a].sort((x, y) => x - y); const k = s.length >> 1; return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2; };
        const time = async (f) => { const t = performance.now(); await f(); return performance.now() - t; };
        const before = await m.request('profile');
        const out = { one_job_ms: [], board_ms: [], prepare_ms: [], one_job_prepared_ms: [], board_prepared_ms: [] };
        for (let i = 0; i <= reps; i++) {
          const r = (tag) => `${resume}\n(${tag} ${i})`;
          const t = {
            one_job_ms: await time(() => m.score(r('one'), jobs[0])),
            board_ms: await time(() => m.rank(r('board'), jobs, { top: 10 })),
            prepare_ms: await time(() => m.request('prepare', { resume: r('prepared') })),
            one_job_prepared_ms: await time(() => m.score(r('prepared'), jobs[0])),
            board_prepared_ms: await time(() => m.rank(r('prepared'), jobs, { top: 10 })),
          };
          if (i > 0) for (const k of Object.keys(out)) out[k].push(t[k]); // i = 0 is the warm-up
        }
        const after = await m.request('profile');
        const medians = Object.fromEntries(Object.entries(out).map(([k, v]) => [`median_${k}`, median(v)]));
        const pad = after.padding && before.padding ? {
          batches: after.padding.batches - before.padding.batches,
          tokens: after.padding.tokens - before.padding.tokens,
          padded_tokens: after.padding.paddedTokens - before.padding.paddedTokens,
        } : null;
        if (pad) pad.waste = pad.padded_tokens ? 1 - pad.tokens / pad.padded_tokens : 0;
        return { jobs: jobs.length, reps, ...medians, runs_ms: out, padding: pad, resume_cache: after.resumeCache ?? null,
          memory_bytes: after.memoryBytes ?? null };
      }, [resume, jobs, REPS], 'cvmatch checks');
    },
    /** The reference texts one per call, and in batches of 32. */
    async parity(page, reference) {
      const items = reference.items;
      const texts = items.map((r) => r.text);
      const embedAll = (batch) => evalIn(page, async ([texts, batch]) => {
        const out = [];
        for (let i = 0; i < texts.length; i += batch) for (const e of await window.matcher.embed(texts.slice(i, i + batch))) out.push(Array.from(e));
        return out;
      }, [texts, batch], 'cvmatch parity');
      const ref = items.map((r) => r.embedding), ids = items.map((r) => r.id);
      const all = items.map((_, i) => i);
      const stats = (E) => ({
        not_truncated: cosStats(E, ref, all.filter((i) => !items[i].truncated), ids),
        truncated: cosStats(E, ref, all.filter((i) => items[i].truncated), ids),
        all: cosStats(E, ref, all, ids),
      });
      const one = stats(await embedAll(1));
      const b32 = stats(await embedAll(32));
      return { n_texts: items.length, n_truncated_by_reference: items.filter((r) => r.truncated).length,
        headline: 'one_per_call.not_truncated', one_per_call: one, batch_32: b32 };
    },
  };
}

/** transformers.js: the peer's page.mjs + worker.mjs + server.mjs, driven as its run.mjs does. */
function tjsDriver(server) {
  const isWorker = (u) => u.endsWith('/worker.mjs');
  const callWorker = (page, cmd, args) => evalIn(page, ([c, a]) => window.bench.call(c, a), [cmd, args], cmd);
  return {
    open: (profile) => openVisit(profile, server, '/index.html', () => window.benchReady === true),
    /** The peer's bench.start(): `new Worker()` → first embedding received; page clock. */
    async startup(page, cfg, firstText) {
      const r = await evalIn(page, (a) => window.bench.start(a), { dtype: cfg.format, firstText, withProgress: false }, 'worker init');
      const inst = (r.timeline_ms ?? []).filter((e) => e.what.startsWith('WebAssembly.instantiate'));
      const workers = page.workers().map((w) => w.url());
      return {
        create_to_first_embedding_ms: r.create_to_first_embedding_ms,
        nav_to_first_embedding_ms: r.page_nav_to_worker_create_ms + r.create_to_first_embedding_ms,
        breakdown_ms: {
          ...r.breakdown_ms,
          ...(inst.length ? { wasm_instantiate: round(inst.at(-1).end_ms - inst.at(-1).start_ms),
            session_create_est: round(r.breakdown_ms.import_transformers + r.breakdown_ms.pipeline_load - inst.at(-1).end_ms) } : {}),
        },
        embedding: r.embedding,
        info: r.info,
        workers_reported: 1,
        workers_live: workers.filter(isWorker).length,
        ort_pthread_workers: workers.filter((u) => u.startsWith('blob:')).length,
        crossOriginIsolated: r.info?.pageCrossOriginIsolated ?? null,
      };
    },
    /** The peer worker's own `bench` command (worker clock), as run.mjs calls it. */
    async throughput(page, texts, batch) {
      return (await callWorker(page, 'bench', { texts, batchSize: batch, warmup: WARMUP, reps: REPS })).times_ms;
    },
    async memory(page) {
      const uasm = await measureUASM(page);
      const probes = await probeWorkers(page, isWorker);
      const perWorker = probes.map((p) => (p.hooked?.length ? p.hooked.reduce((a, b) => a + b, 0) : null));
      let bytes = null, source = 'unavailable (no crossOriginIsolated; the hook saw no wasm memory)';
      if (uasm.available) [bytes, source] = [uasm.worker_bytes, 'measureUserAgentSpecificMemory (worker scopes)'];
      else if (perWorker.length && perWorker.every((x) => x != null)) [bytes, source] = [perWorker.reduce((a, b) => a + b, 0), 'ORT wasm memory (WebAssembly.instantiate hook in its worker)'];
      return { bytes, source, per_worker_wasm_bytes: perWorker, probes, uasm, renderer: rendererMemory() };
    },
    /** The peer's parity(): one text per call, as-is (its 512-token truncation) and with model_max_length 256. */
    async parity(page, reference) {
      const items = reference.items;
      const texts = items.map((r) => r.text);
      const ref = items.map((r) => r.embedding), ids = items.map((r) => r.id);
      const all = items.map((_, i) => i);
      const stats = (E) => ({
        not_truncated: cosStats(E, ref, all.filter((i) => !items[i].truncated), ids),
        truncated: cosStats(E, ref, all.filter((i) => items[i].truncated), ids),
        all: cosStats(E, ref, all, ids),
      });
      const { embeddings: E1 } = await callWorker(page, 'embed', { texts, batchSize: 1 });
      const maxLen = await callWorker(page, 'setMaxLength', { maxLength: 256 });
      const { embeddings: E2 } = await callWorker(page, 'embed', { texts, batchSize: 1 });
      await callWorker(page, 'setMaxLength', { maxLength: maxLen.prev });
      const out = { n_texts: items.length, n_truncated_by_reference: items.filter((r) => r.truncated).length,
        headline: 'one_per_call.not_truncated', pipeline_model_max_length: maxLen.prev, one_per_call: stats(E1), max_length_256: stats(E2) };
      if (items.every((r) => Array.isArray(r.input_ids))) {
        const { ids: tok } = await callWorker(page, 'tokenize', { texts });
        const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
        const nt = items.map((r, i) => [r, tok[i]]).filter(([r]) => !r.truncated);
        out.token_ids_not_truncated_exact_match = `${nt.filter(([r, t]) => same(r.input_ids, t)).length}/${nt.length}`;
      }
      return out;
    },
  };
}

// ---------------------------------------------------------------- one configuration

/**
 * @param {Config} cfg
 * @param {ReturnType<typeof cvmatchDriver>} drv
 */
async function runConfig(cfg, drv, workloads, reference) {
  const firstText = workloads.short.texts[0];
  const res = { id: cfg.id, lib: cfg.lib, format: cfg.format, workers_requested: cfg.workers };
  const cold = [], warm = [];
  let keep = null;
  const profiles = [];
  const sample = async (s) => {
    const stop = cpuMonitor();
    const r = await drv.startup(s.page, cfg, firstText);
    const cpu = stop();
    // Playwright's events for a worker's requests can lag (or be missed): the servers' own
    // count is the headline, playwright's (the peer's method, with headers) is kept beside it.
    await new Promise((r) => setTimeout(r, 500));
    const network = await s.net.summary();
    const server = serverSummary(drv.server);
    network.body_bytes_missing_vs_server = server.body_bytes - network.body_bytes;
    const hooks = await Promise.all(s.hooks);
    const { embedding, ...rest } = r;
    return { ...rest, cpu_during: cpu, bytes: server.body_bytes, server_side: server, network, console: s.consoleMsgs.slice(), worker_hooks: hooks, _embedding: embedding };
  };
  try {
    res.wait_idle_before_startup = await waitQuiet(`${cfg.id} startup`);
    for (let rep = 0; rep < STARTUP_REPS; rep++) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), `bench-browser-${cfg.id}-`));
      profiles.push(profile);
      let s = await drv.open(profile); // cold: a fresh profile, nothing in the Cache API
      let c;
      try {
        c = await sample(s);
        if (rep === 0) c.memory_after_first_embedding = await drv.memory(s.page);
      } finally { await s.ctx.close(); }
      cold.push(c);
      s = await drv.open(profile); // warm: the same profile relaunched
      try {
        const w = await sample(s);
        warm.push(w);
        log(`  ${cfg.id} startup ${rep + 1}/${STARTUP_REPS}: cold ${round(c.create_to_first_embedding_ms, 0)} ms (${(c.bytes / 1e6).toFixed(1)} MB), ` +
          `warm ${round(w.create_to_first_embedding_ms, 0)} ms (${(w.bytes / 1e6).toFixed(2)} MB); workers live ${c.workers_live}; ` +
          `other procs ${c.cpu_during.other_cores}/${w.cpu_during.other_cores} cores`);
      } finally {
        if (rep === 0 && warm.length) keep = s; else await s.ctx.close();
      }
    }
    const summarize = (arr) => ({
      median_create_to_first_embedding_ms: round(median(arr.map((x) => x.create_to_first_embedding_ms))),
      median_nav_to_first_embedding_ms: round(median(arr.map((x) => x.nav_to_first_embedding_ms))),
      median_bytes_transferred: median(arr.map((x) => x.bytes)),
      median_bytes_by_category: Object.fromEntries([...new Set(arr.flatMap((x) => Object.keys(x.server_side.by_category)))]
        .map((k) => [k, median(arr.map((x) => x.server_side.by_category[k] ?? 0))])),
      median_bytes_playwright_with_headers: median(arr.map((x) => x.network.total_bytes)),
      max_other_cores: Math.max(...arr.map((x) => x.cpu_during.other_cores)),
      runs: arr.map(({ _embedding, ...x }) => ({ ...x, create_to_first_embedding_ms: round(x.create_to_first_embedding_ms),
        nav_to_first_embedding_ms: round(x.nav_to_first_embedding_ms),
        breakdown_ms: Object.fromEntries(Object.entries(x.breakdown_ms ?? {}).map(([k, v]) => [k, round(v)])) })),
    });
    res.cold = summarize(cold);
    res.warm = summarize(warm);
    // The first embeddings of the cold and warm visits must agree (same text, same weights).
    res.first_embedding_cold_vs_warm_min_cosine = round(Math.min(...cold.map((c, i) => cosine(c._embedding, warm[i]._embedding))), 7);
    res.workers_reported = cold[0].workers_reported;
    res.workers_live = cold[0].workers_live;
    if (cold[0].pool) {
      res.pool = cold[0].pool;
      res.cold.median_create_to_pool_ready_ms = round(median(cold.map((x) => x.create_to_pool_ready_ms)));
      res.warm.median_create_to_pool_ready_ms = round(median(warm.map((x) => x.create_to_pool_ready_ms)));
    }
    res.crossOriginIsolated = cold[0].crossOriginIsolated;
    if (cold[0].info) res.info = cold[0].info;

    // Throughput in the page of the first warm visit.
    res.throughput = {};
    const variants = cfg.lib === 'cvmatch' && cfg.workers > 1 ? [false, true] : [false];
    for (const [name, w] of Object.entries(workloads)) {
      for (const concurrent of variants) {
        const key = concurrent ? `${name}_concurrent` : name;
        const quiet = await waitQuiet(`${cfg.id} ${key}`);
        const stop = cpuMonitor();
        const times = await drv.throughput(keep.page, w.texts, w.batch_size, concurrent);
        const cpu = stop();
        const tps = times.map((t) => w.texts.length / (t / 1000));
        res.throughput[key] = {
          n_texts: w.texts.length, batch_size: w.batch_size, warmup_passes: WARMUP, reps: REPS,
          batches: concurrent ? 'all batches of a pass in flight at once' : 'one after the other',
          times_ms: times.map((t) => round(t, 1)), median_pass_ms: round(median(times), 1),
          texts_per_s_median: round(w.texts.length / (median(times) / 1000), 2),
          texts_per_s_min: round(Math.min(...tps), 2), texts_per_s_max: round(Math.max(...tps), 2),
          cpu_during: cpu, wait_idle: quiet,
        };
        log(`  ${cfg.id} ${key}: ${res.throughput[key].texts_per_s_median} texts/s (median of ${REPS}; pass ms ${res.throughput[key].times_ms.join(', ')}; other procs ${cpu.other_cores} cores)`);
      }
    }
    if (drv.checks) {
      const quiet = await waitQuiet(`${cfg.id} checks`);
      const stop = cpuMonitor();
      const resume = fs.readFileSync(path.join(REPO, 'tests', 'data', 'matching', 'resume_data_engineer.md'), 'utf8');
      const jobs = fs.readFileSync(path.join(REPO, 'www', 'jobs', 'jobs.jsonl'), 'utf8').split('\n')
        .filter((l) => l.trim()).map((l) => JSON.parse(l).text);
      res.checks = { ...(await drv.checks(keep.page, resume, jobs)), cpu_during: stop(), wait_idle: quiet,
        resume: 'tests/data/matching/resume_data_engineer.md (text; PDF extraction not included)' };
      const c = res.checks;
      log(`  ${cfg.id} checks: one job ${round(c.median_one_job_ms, 0)} ms (prepared ${round(c.median_one_job_prepared_ms, 0)}), ` +
        `board of ${c.jobs} ${round(c.median_board_ms, 0)} ms (prepared ${round(c.median_board_prepared_ms, 0)}), prepare ${round(c.median_prepare_ms, 0)} ms; ` +
        `padding waste ${c.padding ? (100 * c.padding.waste).toFixed(1) + ' %' : '-'}; other procs ${c.cpu_during.other_cores} cores`);
    }
    res.memory = await drv.memory(keep.page);
    log(`  ${cfg.id} worker memory: ${res.memory.bytes == null ? '-' : (res.memory.bytes / 1e6).toFixed(1) + ' MB'} (${res.memory.source}); ` +
      `renderer RSS peak ${((res.memory.renderer.largest?.peak_rss_bytes ?? 0) / 1e6).toFixed(0)} MB`);
    if (reference) {
      const stop = cpuMonitor();
      res.parity = await drv.parity(keep.page, reference);
      res.parity.cpu_during = stop();
      const p = res.parity.one_per_call;
      log(`  ${cfg.id} parity (one text per call): ≤256 tokens min ${p.not_truncated.min_cosine} (${p.not_truncated.min_id}); all min ${p.all.min_cosine}` +
        (res.parity.batch_32 ? `; batch 32 ≤256 min ${res.parity.batch_32.not_truncated.min_cosine}` : ''));
    }
  } finally {
    if (keep) await keep.ctx.close().catch(() => {});
    for (const p of profiles) fs.rmSync(p, { recursive: true, force: true });
  }
  return res;
}

// ---------------------------------------------------------------- ratios, targets, tables

/** The figures the tables and ratios use. */
function headline(r) {
  if (!r || r.error) return null;
  return {
    cold_ms: r.cold.median_create_to_first_embedding_ms,
    warm_ms: r.warm.median_create_to_first_embedding_ms,
    cold_bytes: r.cold.median_bytes_transferred,
    warm_bytes: r.warm.median_bytes_transferred,
    short_tps: r.throughput.short?.texts_per_s_median ?? null,
    long_tps: r.throughput.long?.texts_per_s_median ?? null,
    memory_bytes: r.memory?.bytes ?? null,
    min_cosine: r.parity?.one_per_call?.not_truncated?.min_cosine ?? null,
  };
}

function addRatiosAndTargets(results) {
  const base = headline(results.find((r) => r.id === BASELINE));
  for (const r of results) {
    const h = headline(r);
    r.summary = h;
    if (!h) continue;
    const ratio = (a, b) => (a == null || b == null || b === 0 ? null : round(a / b, 3));
    r.ratios_vs_tjs_q8 = base ? {
      cold: ratio(h.cold_ms, base.cold_ms), warm: ratio(h.warm_ms, base.warm_ms), cold_bytes: ratio(h.cold_bytes, base.cold_bytes),
      short: ratio(h.short_tps, base.short_tps), long: ratio(h.long_tps, base.long_tps),
    } : null;
    if (r.lib !== 'cvmatch') continue;
    const q = r.ratios_vs_tjs_q8;
    const need = TARGETS.throughput_ratio_min[r.workers_requested] ?? TARGETS.throughput_ratio_min[2];
    const judge = (value, ok, limit) => ({ value, limit, status: value == null ? 'n/a' : ok(value) ? 'met' : 'not met' });
    r.targets = {
      cold: judge(q?.cold ?? null, (v) => v <= TARGETS.cold_ratio_max, `≤ ${TARGETS.cold_ratio_max}× tjs q8`),
      warm: judge(q?.warm ?? null, (v) => v <= TARGETS.warm_ratio_max, `≤ ${TARGETS.warm_ratio_max}× tjs q8`),
      cold_bytes: judge(h.cold_bytes, (v) => v <= TARGETS.cold_bytes_max, `≤ ${TARGETS.cold_bytes_max / 1e6} MB`),
      short: judge(q?.short ?? null, (v) => v >= need, `≥ ${need}× tjs q8 (${r.workers_requested} worker${r.workers_requested > 1 ? 's' : ''})`),
      long: judge(q?.long ?? null, (v) => v >= need, `≥ ${need}× tjs q8 (${r.workers_requested} worker${r.workers_requested > 1 ? 's' : ''})`),
      ...(r.format === 'q8' ? { min_cosine: judge(h.min_cosine, (v) => v >= TARGETS.q8_min_cosine, `≥ ${TARGETS.q8_min_cosine} (q8, texts ≤ 256 tokens)`) } : {}),
    };
  }
}

function printTables(report) {
  const rs = report.results;
  const f = (x, n = 0) => (x == null ? '-' : Number(x).toFixed(n));
  const mb = (b, n = 1) => (b == null ? '-' : (b / 1e6).toFixed(n));
  const x = (v) => (v == null ? '-' : `${v.toFixed(2)}×`);
  const label = (r) => (r.lib === 'cvmatch' ? `cvmatch ${r.format}` : `transformers.js ${r.format}`);
  const wk = (r) => {
    if (r.lib === 'tjs') return `1 (ORT threads ${r.info?.numThreadsEffective ?? '?'})`;
    const ready = r.workers_reported ?? r.workers_live;
    return `${r.workers_requested}${ready !== r.workers_requested ? ` (${r.workers_reported == null ? 'live' : 'ready'} ${ready})` : ''}`;
  };
  const p = report.protocol;
  const L = [];
  L.push(`## Browser benchmark: cvmatch vs transformers.js (${report.meta.versions.chromium ?? 'Chromium'}, headless)`);
  L.push('');
  L.push(`${p.startup_reps} cold/warm pair(s) per configuration (medians), ${p.reps} timed pass(es) after ${p.warmup} warm-up; ` +
    `first embedding = worker creation → first embedding received by the page; bytes = cold visit, response bodies the servers sent; ratios against transformers.js q8.`);
  L.push('');
  L.push('| configuration | workers | cold ms | ×tjs q8 | warm ms | ×tjs q8 | cold MB | ×tjs q8 | short texts/s | ×tjs q8 | long texts/s | ×tjs q8 | worker memory MB | min cos ≤256 tok | other cores (max) |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rs) {
    if (r.error) { L.push(`| ${label(r)} | ${r.workers_requested} | failed: ${r.error.split('\n')[0].slice(0, 120)} |||||||||||||`); continue; }
    const h = r.summary, q = r.ratios_vs_tjs_q8 ?? {};
    const other = Math.max(r.cold.max_other_cores, r.warm.max_other_cores, ...Object.values(r.throughput).map((t) => t.cpu_during.other_cores));
    L.push(`| ${label(r)} | ${wk(r)} | ${f(h.cold_ms)} | ${x(q.cold)} | ${f(h.warm_ms)} | ${x(q.warm)} | ${mb(h.cold_bytes)} | ${x(q.cold_bytes)} | ` +
      `${f(h.short_tps, 1)} | ${x(q.short)} | ${f(h.long_tps, 2)} | ${x(q.long)} | ${mb(h.memory_bytes)} | ${f(h.min_cosine, 6)} | ${other} |`);
  }
  L.push('');
  L.push('Cold-visit bytes by category (MB, response bodies):');
  L.push('');
  const cats = ['html', 'js', 'wasm', 'weights', 'tokenizer', 'model_json', 'other'];
  L.push(`| configuration | ${cats.join(' | ')} | total | warm visit total |`);
  L.push(`|---|${cats.map(() => '---').join('|')}|---|---|`);
  for (const r of rs.filter((r) => !r.error)) {
    const by = r.cold.median_bytes_by_category;
    L.push(`| ${label(r)}${r.lib === 'cvmatch' ? ` ×${r.workers_requested}` : ''} | ${cats.map((c) => mb(by[c] ?? 0, 2)).join(' | ')} | ${mb(r.cold.median_bytes_transferred, 2)} | ${mb(r.warm.median_bytes_transferred, 2)} |`);
  }
  for (const r of rs.filter((r) => !r.error && r.cold.median_create_to_pool_ready_ms != null && r.workers_requested > 1)) {
    L.push('');
    L.push(`cvmatch ${r.format} ×${r.workers_requested}: whole pool ready ${f(r.cold.median_create_to_pool_ready_ms)} ms (cold) / ${f(r.warm.median_create_to_pool_ready_ms)} ms (warm) after createMatcher` +
      `${r.pool?.note ? ` — ${r.pool.note}` : ''}${r.pool?.dropped?.length ? ` — dropped: ${r.pool.dropped.map((d) => d.message).join('; ')}` : ''}.`);
  }
  const conc = rs.filter((r) => !r.error && r.throughput.short_concurrent);
  if (conc.length) {
    L.push('');
    for (const r of conc) {
      L.push(`cvmatch ${r.format} ×${r.workers_requested}, all batches of a pass in flight at once: short ${f(r.throughput.short_concurrent.texts_per_s_median, 1)}, ` +
        `long ${f(r.throughput.long_concurrent?.texts_per_s_median, 2)} texts/s.`);
    }
  }
  const withTargets = rs.filter((r) => r.targets);
  if (withTargets.length) {
    L.push('');
    L.push('Targets (cvmatch):');
    L.push('');
    L.push('| configuration | cold ≤ 0.5× | warm ≤ 0.5× | cold bytes ≤ 25 MB | short ≥ 1.0× (1 worker) / 1.5× (2) | long ≥ 1.0× / 1.5× | q8 min cos ≥ 0.999 |');
    L.push('|---|---|---|---|---|---|---|');
    const t = (j, fmt) => (j ? `${j.status}${j.value == null ? '' : ` (${fmt(j.value)})`}` : '—');
    for (const r of withTargets) {
      const g = r.targets;
      L.push(`| ${label(r)} ×${r.workers_requested} | ${t(g.cold, x)} | ${t(g.warm, x)} | ${t(g.cold_bytes, (v) => `${mb(v)} MB`)} | ${t(g.short, x)} | ${t(g.long, x)} | ${t(g.min_cosine, (v) => f(v, 6))} |`);
    }
  }
  L.push('');
  L.push(`Worker memory: ${[...new Set(rs.filter((r) => !r.error).map((r) => `${r.lib}: ${r.memory?.source}`))].join('; ')}. ` +
    `Min cos: one text per call against ../shared/reference/parity.json, texts the reference did not truncate.`);
  const busy = rs.filter((r) => !r.error).map((r) => [r, Math.max(r.cold.max_other_cores, r.warm.max_other_cores,
    ...Object.values(r.throughput).map((t) => t.cpu_during.other_cores))]).filter(([, c]) => c > 0.5);
  if (busy.length) {
    L.push('', `**Contended:** other processes used more than 0.5 of the ${report.meta.host.logical_cpus} cores during a timed phase of ` +
      `${busy.map(([r, c]) => `${label(r)}${r.lib === 'cvmatch' ? ` ×${r.workers_requested}` : ''} (${c})`).join(', ')}; their times and ratios are not comparable (rerun on an idle machine; --wait-idle S waits up to S s before each phase).`);
  }
  if (report.cvmatch_wasm?.changed_during_run) L.push('', '**pkg/cvmatch_wasm_bg.wasm changed during the run: the cvmatch figures may mix two builds.**');
  if (!rs.some((r) => r.id === BASELINE && !r.error)) L.push('', 'No transformers.js q8 result: ratios and ratio targets are n/a.');
  console.log(L.join('\n'));
}

// ---------------------------------------------------------------- main

function fileInfo(file, gzip = false) {
  const b = fs.readFileSync(file);
  return { path: path.relative(REPO, file), bytes: b.length, sha256: sha256(b), ...(gzip ? { gzip9_bytes: zlib.gzipSync(b, { level: 9 }).length } : {}) };
}

function versions() {
  const pj = (dir, p) => { try { return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version; } catch { return null; } };
  let chromiumVersion = null;
  try { chromiumVersion = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch {}
  let commit = null, dirty = null;
  try {
    commit = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
  } catch {}
  return {
    cvmatch_commit: commit, cvmatch_tree_dirty: dirty,
    transformers_js: pj(PEER_DIR, '@huggingface/transformers'), onnxruntime_web: pj(PEER_DIR, 'onnxruntime-web'),
    playwright_core: pj(path.dirname(new URL(import.meta.url).pathname), 'playwright-core'), chromium: chromiumVersion, node: process.version,
  };
}

async function main() {
  const withCvmatch = ONLY !== 'tjs', withTjs = ONLY !== 'cvmatch';
  const workloadsFile = requireFile(path.join(SHARED, 'peers', 'workloads.json'), 'the shared peers must sit beside the repository (../shared/peers/)');
  const wl = JSON.parse(fs.readFileSync(workloadsFile, 'utf8'));
  const reference = loadParity();
  if (withCvmatch) checkPrerequisites();
  let startTjsServer = null;
  if (withTjs) {
    requireFile(path.join(PEER_DIR, 'server.mjs'), 'run `make peer-tjs` (copies ../shared/peers/tjs to target/peers/tjs and installs its packages)');
    requireFile(path.join(PEER_DIR, 'node_modules', '@huggingface', 'transformers', 'package.json'), 'run `make peer-tjs` (npm ci --ignore-scripts in target/peers/tjs)');
    requireFile(path.join(path.dirname(PEER_DIR), 'workloads.json'), 'run `make peer-tjs` (the peer serves ../workloads.json)');
    for (const d of DTYPES) requireFile(path.join(PEER_MODEL_DIR, TJS_FILE[d]), 'the peer models must sit in ../shared/peers/models/');
    ({ startServer: startTjsServer } = await import(pathToFileURL(path.join(PEER_DIR, 'server.mjs')).href));
  }

  /** @type {Config[]} */
  const configs = [];
  if (withTjs && DTYPES.includes('q8')) configs.push({ id: 'tjs-q8', lib: 'tjs', format: 'q8', workers: 1 });
  if (withCvmatch) {
    for (const w of ['q8', 'f16', 'f32'].filter((w) => WEIGHTS.includes(w))) {
      for (const n of w === 'q8' ? WORKERS : [1]) configs.push({ id: `cvmatch-${w}-w${n}`, lib: 'cvmatch', format: w, workers: n });
    }
  }
  if (withTjs && DTYPES.includes('fp32')) configs.push({ id: 'tjs-fp32', lib: 'tjs', format: 'fp32', workers: 1 });

  const wasmFile = path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm');
  const wasmBefore = withCvmatch ? fileInfo(wasmFile, true) : null;
  log(`configurations: ${configs.map((c) => c.id).join(', ')}; startup reps ${STARTUP_REPS}; reps ${REPS} (+${WARMUP} warm-up); wait-idle ${WAIT_IDLE_S} s`);

  const servers = {};
  const drivers = {};
  if (withCvmatch) { servers.cvmatch = await startCvmatchServer(); drivers.cvmatch = { ...cvmatchDriver(servers.cvmatch), server: servers.cvmatch }; }
  if (withTjs) { servers.tjs = await startTjsServer({ coi: false, modelDir: PEER_MODEL_DIR }); drivers.tjs = { ...tjsDriver(servers.tjs), server: servers.tjs }; }

  const results = [];
  const t0 = Date.now();
  try {
    for (const cfg of configs) {
      log(`== ${cfg.id}`);
      try {
        const r = await runConfig(cfg, drivers[cfg.lib], wl.workloads, reference);
        r.model_file = cfg.lib === 'cvmatch'
          ? { name: CVMATCH_FILE[cfg.format], bytes: fs.statSync(path.join(REPO, 'models', 'all-MiniLM-L6-v2', CVMATCH_FILE[cfg.format])).size }
          : { name: TJS_FILE[cfg.format], bytes: fs.statSync(path.join(PEER_MODEL_DIR, TJS_FILE[cfg.format])).size };
        r.measured_at = new Date().toISOString();
        results.push(r);
      } catch (e) {
        log(`  ${cfg.id} FAILED: ${e.stack ?? e}`);
        results.push({ id: cfg.id, lib: cfg.lib, format: cfg.format, workers_requested: cfg.workers, error: String(e.stack ?? e) });
      }
    }
  } finally {
    for (const s of Object.values(servers)) await s.close();
  }
  addRatiosAndTargets(results);

  let cvmatchWasm = null;
  if (wasmBefore) {
    const after = fileInfo(wasmFile);
    const gz = fs.existsSync(wasmFile + '.gz') ? fileInfo(wasmFile + '.gz') : null;
    cvmatchWasm = { ...wasmBefore, changed_during_run: after.sha256 !== wasmBefore.sha256, sha256_after: after.sha256,
      shipped_gz: gz && { path: gz.path, bytes: gz.bytes, sha256: gz.sha256 },
      pkg_js_bytes: Object.fromEntries(['index.js', 'worker.js', 'cvmatch_wasm.js'].map((f) => [f, fs.statSync(path.join(REPO, 'pkg', f)).size])) };
    if (cvmatchWasm.changed_during_run) log('WARNING: pkg/cvmatch_wasm_bg.wasm changed during the run (a rebuild); the cvmatch figures may mix two builds');
  }
  let ortWasm = null;
  if (withTjs) {
    try { ortWasm = fileInfo(path.join(PEER_DIR, 'node_modules', 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.asyncify.wasm'), true); } catch {}
  }
  const cpus = os.cpus();
  const report = {
    meta: {
      generated_at: new Date().toISOString(), duration_s: round((Date.now() - t0) / 1000, 0),
      harness: 'tests/browser/bench-browser.mjs: one node process, playwright-core driving /usr/bin/chromium; cvmatch and transformers.js one after the other',
      versions: versions(),
      host: { cpu_model: cpus[0]?.model ?? null, logical_cpus: cpus.length, mem_gib: round(os.totalmem() / 2 ** 30, 1), platform: `${os.platform()} ${os.release()}`, loadavg_at_end: os.loadavg().map((l) => round(l, 2)) },
      chromium_args: CHROMIUM_ARGS,
      servers: {
        cvmatch: 'tests/browser/server.mjs on 127.0.0.1 (repository root; Cache-Control: no-store; no compression); page /__test__.html imports /pkg/index.js',
        tjs: `target/peers/tjs/server.mjs on 127.0.0.1 (coi: false; Cache-Control: no-store; no compression); page /index.html (its page.mjs/worker.mjs); models from ${path.relative(REPO, PEER_MODEL_DIR)}`,
      },
      workloads: { file: path.relative(REPO, workloadsFile), seed: wl.seed, generator_version: wl.generator_version },
      reference: { file: '../shared/reference/parity.json', n_texts: reference.items.length, n_truncated: reference.items.filter((r) => r.truncated).length },
      notes: [
        'cold: fresh --user-data-dir; warm: Chromium relaunched on the same profile (model files from the Cache API: cvmatch-v1 / transformers-cache). Every response is no-store, so nothing comes from the HTTP cache.',
        'first embedding (create_to_first_embedding_ms): page clock from the worker creation (cvmatch: createMatcher(); transformers.js: its page.mjs `new Worker()`) to the first embedding of workloads.short.texts[0] received by the page. nav_to_first_embedding_ms counts from navigation start.',
        'bytes: response body bytes the servers wrote during the visit (everything: html, js, wasm, weights, tokenizer, configs), by category. network: what playwright requestfinished events saw (responseBodySize + responseHeadersSize, the peer\'s method), which can miss a worker\'s request (body_bytes_missing_vs_server). A cvmatch pool of 2+ workers is waited for (matcher.poolReady()) before counting, so its extra workers\' downloads (worker script, wasm) are included; create_to_pool_ready_ms times that.',
        'throughput: texts/s = n_texts / median(pass ms); a pass embeds all texts in consecutive calls of batch_size after warm-up passes, in the page of the first warm visit. cvmatch: page clock around matcher.embed(); transformers.js: its worker `bench` command (worker clock, as its run.mjs). With 2+ cvmatch workers also a pass with all batches in flight at once (*_concurrent).',
        'worker memory: measureUserAgentSpecificMemory when crossOriginIsolated (neither server sends COOP/COEP, as in the peer\'s default protocol), else wasm linear memory: cvmatch profile().memoryBytes (or the wasm-bindgen memory export of each worker), transformers.js the ORT module memory seen by a WebAssembly.instantiate hook in its worker. renderer: RSS/peak RSS of the largest Chromium renderer process (page + workers).',
        'parity: cosine to sentence-transformers on the reference texts, one text per call (headline; cvmatch also in batches of 32); headline set = texts the reference did not truncate (≤ 256 tokens).',
        'other_cores: machine busy cores outside this process tree (Chromium included in the tree) during each timed phase, from /proc/stat; wait_idle: --wait-idle waiting before the phase.',
      ],
    },
    protocol: { quick: QUICK, reps: REPS, warmup: WARMUP, startup_reps: STARTUP_REPS, wait_idle_s: WAIT_IDLE_S, only: ONLY, configurations: configs.map((c) => c.id) },
    targets: { baseline: BASELINE, ...TARGETS },
    cvmatch_wasm: cvmatchWasm,
    ort_wasm: ortWasm,
    results,
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(report, null, 1) + '\n');
  log(`wrote ${OUT}`);
  printTables(report);
  if (results.some((r) => r.error)) { log('some configurations failed (see "error" in the report)'); process.exitCode = 1; }
}

const TABLE = opt('--table', null);
if (TABLE) printTables(JSON.parse(fs.readFileSync(TABLE, 'utf8')));
else main().catch((e) => { console.error(e); process.exit(1); });
