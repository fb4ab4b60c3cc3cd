// Pieces of the package tests: the packed tarball, fresh consumer projects, a static
// server (127.0.0.1 only) with chosen headers, and one headless Chromium.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { launchWithRetry } from '../browser/launch.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const FIXTURES = path.join(HERE, 'fixtures');
export const BIN = path.join(HERE, 'node_modules', '.bin');
export const MODEL_DIR = path.join(REPO, 'models', 'all-MiniLM-L6-v2');
export const CHROMIUM = '/usr/bin/chromium';
// Without the --disable-* flags Chromium floods this closed network with background requests.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Fails loudly when something the tests need is missing. */
function need(file, hint) {
  if (!fs.existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
  return file;
}

/** The tarball `make package` produced, checked against the current pkg/ sources. */
export function tarball() {
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'pkg', 'package.json'), 'utf8')).version;
  const tgz = need(path.join(REPO, 'target', `cvmatch-${version}.tgz`), 'run `make package` first');
  const packed = fs.statSync(tgz).mtimeMs;
  for (const f of ['package.json', 'index.js', 'index.d.ts', 'worker.js', 'cvmatch_wasm_bg.wasm', 'cvmatch_wasm_bg.wasm.gz',
    'cvmatch_wasm_relaxed_bg.wasm', 'cvmatch_wasm_relaxed_bg.wasm.gz']) {
    if (fs.statSync(path.join(REPO, 'pkg', f)).mtimeMs > packed) {
      throw new Error(`${tgz} is older than pkg/${f}: run \`make package\` again`);
    }
  }
  return tgz;
}

/** Everything the tests need on disk, checked once. */
export function checkPrerequisites() {
  need(CHROMIUM, 'install Debian chromium (make browser-tools does)');
  need(path.join(MODEL_DIR, 'manifest.json'), 'run `make model` first');
  for (const tool of ['esbuild', 'vite', 'tsc']) need(path.join(BIN, tool), 'run `make package-tools`');
  need(path.join(HERE, 'node_modules', 'webpack', 'package.json'), 'run `make package-tools`');
  return tarball();
}

/** Runs a command; on failure the error carries its output. */
export function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Temporary directories made here, removed by removeProjects(). */
const made = [];

/**
 * A fresh project in a temporary directory with the tarball installed the way a user
 * would (`npm install <tgz>`), plus the given fixture files copied in.
 * @param {string} name
 * @param {Record<string, string>} files  destination (relative) → fixture name
 */
export function makeProject(name, files, tgz) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cvmatch-pkg-${name}-`));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'),
    JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tgz], dir);
  for (const [to, from] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, from), path.join(dir, to));
  }
  return dir;
}

export function removeProjects() {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Serves `root` on 127.0.0.1 with `headers` on every response (`/` → index.html).
 * `log` lists the paths requested.
 * @param {string} root
 * @param {Record<string, string>} [headers]
 */
export function serve(root, headers = {}) {
  /** @type {string[]} */
  const log = [];
  const base = { 'Cache-Control': 'no-store', ...headers };
  const server = http.createServer((req, res) => {
    let p;
    try { p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch { p = '/'; }
    log.push(p);
    if (req.method === 'OPTIONS') { res.writeHead(204, { ...base, 'Access-Control-Allow-Headers': '*' }); res.end(); return; }
    if (p.endsWith('/')) p += 'index.html';
    const file = path.resolve(root, '.' + p);
    let st = null;
    if (file.startsWith(root + path.sep)) { try { st = fs.statSync(file); } catch { st = null; } }
    if (!st?.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...base, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { ...base, 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': String(st.size) });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${port}`,
        log,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r(undefined)); }),
      });
    });
  });
}

/** One Chromium for the whole run, on a fresh profile directory. */
export async function launchChromium() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-pkg-chromium-'));
  const context = await launchWithRetry(chromium, dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    context,
    close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/**
 * Opens `url` in a new page and waits for the consumer app's `window.cvmatchResult`.
 * Returns it with the page's console errors and CSP violations.
 */
export async function runApp(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.cvmatchResult !== undefined, null, { timeout: 120_000 });
    const result = await page.evaluate(() => window.cvmatchResult);
    return { result, errors };
  } catch (e) {
    throw new Error(`${url}: ${e.message}\npage errors:\n${errors.join('\n')}`);
  } finally {
    await page.close();
  }
}
