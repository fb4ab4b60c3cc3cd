// The packed npm tarball (`make package` → target/cvmatch-<version>.tgz) installed into
// fresh projects the way users do, then built and run in headless Chromium: esbuild,
// Vite (build and dev server), webpack, a plain module script with an import map, and the
// three builds under a strict Content-Security-Policy. A strict TypeScript consumer type-checks against
// index.d.ts. One Chromium and one model server (another origin, like a CDN) for all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createServer } from 'vite';
import webpack from 'webpack';
import {
  BIN, MODEL_DIR, checkPrerequisites, makeProject, removeProjects, run, serve, launchChromium, runApp,
} from './helpers.mjs';

const tgz = checkPrerequisites();
/** What the worker needs beside the bundle when the bundler does not follow `new URL()`. */
const RUNTIME_FILES = ['worker.js', 'cvmatch_wasm.js', 'cvmatch_wasm_meta.js', 'cvmatch_wasm_bg.wasm', 'cvmatch_wasm_bg.wasm.gz',
  'cvmatch_wasm_relaxed_bg.wasm', 'cvmatch_wasm_relaxed_bg.wasm.gz'];

let modelServer, browser;
/** Build outputs reused by the CSP tests. */
const dist = {};
const servers = [];

before(async () => {
  modelServer = await serve(MODEL_DIR, { 'Access-Control-Allow-Origin': '*' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  await modelServer?.close();
  removeProjects();
});

/** Serves `root` (with `headers`) and runs the consumer app from it. */
async function openApp(root, headers = {}) {
  const server = await serve(root, headers);
  servers.push(server);
  const { result, errors } = await runApp(browser.context, `${server.url}/?model=${encodeURIComponent(modelServer.url + '/')}`);
  return { result, errors, log: server.log };
}

/** The consumer app got a working matcher: score() ranks the fitting job first, embed() a unit vector. */
function assertWorks(result) {
  assert.equal(result.ok, true, `createMatcher/score failed: ${result.code}: ${result.message}`);
  assert.equal(result.fit.provisional, false, 'semantic score, not the lexical fallback');
  assert.ok(result.fit.score >= 0 && result.fit.score <= 100, `score ${result.fit.score}`);
  assert.ok(result.fit.requirements > 0, 'requirements listed');
  assert.ok(result.fit.score > result.unrelated.score + 10, `fit ${result.fit.score} vs unrelated ${result.unrelated.score}`);
  assert.equal(result.dimension, 384);
  assert.equal(result.isFloat32Array, true);
  assert.ok(Math.abs(result.norm - 1) < 1e-3, `norm ${result.norm}`);
}

const CSP_BASE = (wasm) => `default-src 'none'; script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ''}; `
  + `worker-src 'self'; connect-src 'self' ${modelServer.url}`;

test('the tarball holds the runtime (browser and Node), the CLI, the types and the README, nothing else', () => {
  const entries = run('tar', ['-tzf', tgz], path.dirname(tgz)).trim().split('\n').sort();
  assert.deepEqual(entries, [
    'package/README.md', 'package/api.js', 'package/bin/cvmatch.js', 'package/cvmatch_wasm.d.ts', 'package/cvmatch_wasm.js',
    'package/cvmatch_wasm_bg.wasm', 'package/cvmatch_wasm_bg.wasm.gz', 'package/cvmatch_wasm_meta.js',
    'package/cvmatch_wasm_relaxed_bg.wasm', 'package/cvmatch_wasm_relaxed_bg.wasm.gz', 'package/errors.js',
    'package/index.d.ts', 'package/index.js', 'package/node/cache.js', 'package/node/index.js', 'package/node/worker.js',
    'package/package.json', 'package/pool.js', 'package/worker.js',
  ]);
});

test('esbuild: bundle with --format=esm, the worker files copied beside the bundle', async () => {
  const dir = makeProject('esbuild', { 'src/main.js': 'main.js', 'dist/index.html': 'index.html' }, tgz);
  run(path.join(BIN, 'esbuild'), ['src/main.js', '--bundle', '--format=esm', '--outfile=dist/main.js'], dir);
  for (const f of RUNTIME_FILES) fs.copyFileSync(path.join(dir, 'node_modules', 'cvmatch', f), path.join(dir, 'dist', f));
  const bundle = fs.readFileSync(path.join(dir, 'dist', 'main.js'), 'utf8');
  assert.ok(bundle.includes('createMatcher') && !bundle.includes('from "cvmatch"'), 'cvmatch is bundled');
  dist.esbuild = path.join(dir, 'dist');
  const { result, log } = await openApp(dist.esbuild);
  assertWorks(result);
  // the worker downloads the gzipped module (1.5 MB) and inflates it itself: the relaxed-SIMD
  // build, which Chromium supports (pkg/worker.js's probe), and not the baseline
  assert.ok(log.includes('/worker.js') && log.includes('/cvmatch_wasm_relaxed_bg.wasm.gz'), log.join(' '));
  assert.ok(!log.includes('/cvmatch_wasm_bg.wasm.gz'), log.join(' '));
});

test('Vite 7: vite build with worker.format "es" emits the worker and the wasm as assets', async () => {
  const dir = makeProject('vite', { 'index.html': 'index.html', 'main.js': 'main.js', 'vite.config.js': 'vite.config.js' }, tgz);
  run(path.join(BIN, 'vite'), ['build', '--logLevel', 'warn'], dir);
  const assets = fs.readdirSync(path.join(dir, 'dist', 'assets'));
  // Vite names them cvmatch_wasm_bg.wasm-<hash>.gz, webpack <hash>.gz: two builds
  // (baseline and relaxed SIMD), each gzipped and plain (the fallback)
  const wasm = assets.filter((f) => f.endsWith('.gz'));
  assert.equal(wasm.length, 2, `two gzipped wasm assets: ${assets.join(' ')}`);
  assert.equal(assets.filter((f) => f.endsWith('.wasm')).length, 2, `the uncompressed fallbacks: ${assets.join(' ')}`);
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), `a worker chunk: ${assets.join(' ')}`);
  dist.vite = path.join(dir, 'dist');
  dist.viteProject = dir;
  const { result, log } = await openApp(dist.vite);
  assertWorks(result);
  // one of the two (the relaxed build, in Chromium), not both
  assert.equal(wasm.filter((f) => log.includes(`/assets/${f}`)).length, 1, log.join(' '));
  assert.ok(!log.some((p) => p.includes('node_modules')), log.join(' '));
});

test('Vite 7 dev server: optimizeDeps.exclude keeps worker.js and the wasm beside index.js', async (t) => {
  if (!dist.viteProject) { t.skip('the Vite project failed above'); return; }
  const vite = await createServer({ root: dist.viteProject, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await vite.listen();
  try {
    const { result } = await runApp(browser.context, `${vite.resolvedUrls.local[0]}?model=${encodeURIComponent(modelServer.url + '/')}`);
    assertWorks(result);
  } finally {
    await vite.close();
  }
});

test('webpack 5: the documented config bundles the worker and emits the wasm as an asset', async () => {
  const dir = makeProject('webpack', { 'src/main.js': 'main.js', 'dist/index.html': 'index.html', 'webpack.config.js': 'webpack.config.js' }, tgz);
  const config = (await import(path.join(dir, 'webpack.config.js'))).default;
  const stats = await new Promise((resolve, reject) => {
    const compiler = webpack({ ...config, context: dir, output: { ...config.output, path: path.join(dir, 'dist') } });
    compiler.run((err, result) => compiler.close(() => (err ? reject(err) : resolve(result))));
  });
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  const files = fs.readdirSync(path.join(dir, 'dist'));
  const wasm = files.filter((f) => f.endsWith('.gz'));
  assert.equal(wasm.length, 2, `two gzipped wasm assets (baseline, relaxed SIMD): ${files.join(' ')}`);
  assert.equal(files.filter((f) => f.endsWith('.wasm')).length, 2, `the uncompressed fallbacks: ${files.join(' ')}`);
  dist.webpack = path.join(dir, 'dist');
  const { result, log } = await openApp(dist.webpack);
  assertWorks(result);
  assert.equal(wasm.filter((f) => log.includes(`/${f}`)).length, 1, log.join(' '));
});

test('plain <script type="module"> with an import map to node_modules/cvmatch, no build', async () => {
  const dir = makeProject('importmap', { 'index.html': 'importmap.html', 'main.js': 'main.js' }, tgz);
  const { result, log } = await openApp(dir);
  assertWorks(result);
  // the plain .wasm is the fallback: with DecompressionStream the worker fetches only the .gz
  // (and of the two builds, the relaxed-SIMD one that Chromium supports)
  const fetched = ['index.js', ...RUNTIME_FILES.filter((f) => !f.endsWith('.wasm') && f !== 'cvmatch_wasm_bg.wasm.gz')];
  for (const f of fetched) assert.ok(log.includes(`/node_modules/cvmatch/${f}`), `${f}: ${log.join(' ')}`);
  for (const f of ['cvmatch_wasm_bg.wasm', 'cvmatch_wasm_relaxed_bg.wasm', 'cvmatch_wasm_bg.wasm.gz']) {
    assert.ok(!log.includes(`/node_modules/cvmatch/${f}`), `${f} was not needed: ${log.join(' ')}`);
  }
});

test("strict CSP (script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src for the model host): esbuild, Vite and webpack builds work", async (t) => {
  const built = ['esbuild', 'vite', 'webpack'].filter((tool) => dist[tool]);
  if (built.length < 3) t.diagnostic(`only ${built.join(', ')} built above`);
  if (built.length === 0) { t.skip('no build succeeded above'); return; }
  for (const tool of built) {
    const { result, errors } = await openApp(dist[tool], { 'Content-Security-Policy': CSP_BASE(true) });
    assertWorks(result);
    assert.ok(!errors.some((e) => /Content Security Policy/i.test(e)), `${tool}: CSP violations: ${errors.join('\n')}`);
  }
});

test("the CSP is enforced: without 'wasm-unsafe-eval' createMatcher rejects with code network", async (t) => {
  if (!dist.esbuild) { t.skip('the esbuild build failed above'); return; }
  const { result } = await openApp(dist.esbuild, { 'Content-Security-Policy': CSP_BASE(false) });
  assert.equal(result.ok, false);
  assert.equal(result.code, 'network', result.message);
  assert.match(result.message, /wasm/i);
});

test('TypeScript (strict): a consumer type-checks against index.d.ts, misuse is rejected', () => {
  const dir = makeProject('ts', { 'consumer.ts': 'consumer.ts', 'tsconfig.json': 'tsconfig.json' }, tgz);
  run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.json'], dir);
  run(path.join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--module', 'NodeNext', '--moduleResolution', 'NodeNext'], dir);
});
