// Shared pieces of the browser tests: ground truth, Chromium, and the test page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { launchWithRetry } from './launch.mjs';
import { REPO, startServer } from './server.mjs';

export { REPO, startServer };

export const CHROMIUM = '/usr/bin/chromium';
// Without the --disable-* flags Chromium floods this closed network with background requests.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const MODEL_PATH = '/models/all-MiniLM-L6-v2/';
export const WEIGHTS_PATH = `${MODEL_PATH}model.safetensors`;
/** The weights createMatcher loads by default (and the sample index is built with). */
export const Q8_WEIGHTS_PATH = `${MODEL_PATH}model.q8_0.gguf`;

/** Fails loudly when something the tests need is missing. */
export function requireFile(file, hint) {
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
  return file;
}

/** Everything the tests need on disk, checked once. */
export function checkPrerequisites() {
  requireFile(CHROMIUM, 'install Debian chromium (make test-browser does: apt-get install -y chromium)');
  requireFile(path.join(REPO, 'pkg', 'cvmatch_wasm_bg.wasm'), 'run `make build` first');
  requireFile(path.join(REPO, 'models', 'all-MiniLM-L6-v2', 'manifest.json'), 'run `make model` first');
}

/** `../shared/reference/parity.json` (ground truth from sentence-transformers). */
export function loadParity() {
  const file = requireFile(path.resolve(REPO, '..', 'shared', 'reference', 'parity.json'),
    'the shared ground truth must sit beside the repository (../shared/)');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A fresh Chromium profile directory (removed by the returned browser's close()). */
export function freshProfileDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-chromium-'));
}

/**
 * `chromium.launchPersistentContext` with Debian's chromium and the house flags (a launch that
 * crashes is tried again: ./launch.mjs).
 * @param {string} dir  profile directory
 * @param {object} [options]  more launchPersistentContext options (viewport, …)
 */
export function launchChromium(dir, options = {}) {
  return launchWithRetry(chromium, dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, ...options });
}

/**
 * Launches Chromium on a profile directory (persistent, so the Cache API survives between
 * "visits" that reuse the directory).
 * @param {string} dir
 */
export async function launch(dir) {
  const context = await launchChromium(dir, {});

  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') console.error('[page]', m.text()); });
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  return { context, page };
}

/** Opens the test page of `server` and waits for /pkg/index.js to be imported. */
export async function openTestPage(page, server) {
  await page.goto(`${server.url}/__test__.html`);
  await page.waitForFunction(() => window.cvmatchLoaded === true, null, { timeout: 30_000 });
}

/**
 * The wasm build the tests' matchers load: CVMATCH_SIMD=baseline|relaxed runs a test file on
 * one build (default: createMatcher's `auto`, the relaxed build where Chromium supports it).
 */
export const SIMD = process.env.CVMATCH_SIMD || 'auto';

/** The module file those matchers load in Chromium (auto: the relaxed build, see simd.test.mjs). */
export const WASM_FILE = SIMD === 'baseline' ? 'cvmatch_wasm_bg.wasm' : 'cvmatch_wasm_relaxed_bg.wasm';

/**
 * Creates `window.matcher` in the page; resolves with its ready info, or with
 * `{error: {code, message}}` when `matcher.ready` rejects.
 */
export function createMatcherInPage(page, modelUrl, weights = 'f32') {
  return page.evaluate(async ([modelUrl, weights, simd]) => {
    const events = [];
    try {
      window.matcher = window.cvmatch.createMatcher({
        modelUrl, weights, simd, onProgress: (e) => events.push(e),
      });
      const ready = await window.matcher.ready;
      window.progressEvents = events;
      const last = events.filter((e) => e.status === 'progress').at(-1);
      return { ready, progressCount: events.length, lastOverall: last && { loaded: last.totalLoaded, total: last.totalBytes } };
    } catch (e) {
      return { error: { code: e.code, message: e.message, isError: e instanceof Error } };
    }
  }, [modelUrl, weights, SIMD]);
}

/** The keys (URLs) in the page origin's `cvmatch-v1` cache. */
export function cachedUrls(page) {
  return page.evaluate(async () => {
    if (!(await caches.has('cvmatch-v1'))) return [];
    const cache = await caches.open('cvmatch-v1');
    return (await cache.keys()).map((r) => r.url);
  });
}

/** Cosine of two numeric arrays. */
export function cosine(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
}

/** Removes a profile directory. */
export function removeDir(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
}
