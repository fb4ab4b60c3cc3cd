// Shared by the Node tests: paths, temporary directories, a static file server on
// 127.0.0.1, the packed tarball, and a reader for the .cvx vectors.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const PKG = path.join(ROOT, 'pkg');
export const MODEL_DIR = path.join(ROOT, 'models', 'all-MiniLM-L6-v2');
export const DATA = path.join(ROOT, 'tests', 'data', 'matching');
export const JOBS = path.join(ROOT, 'www', 'jobs', 'jobs.jsonl');
export const NATIVE_CLI = path.join(ROOT, 'target', 'debug', 'cvmatch');

/** Fails early, with what to run, when a prerequisite is missing. */
export function checkPrerequisites({ tarball = false, native = false } = {}) {
  const missing = [];
  if (!fs.existsSync(path.join(PKG, 'cvmatch_wasm_bg.wasm'))) missing.push('the wasm build (make build)');
  if (!fs.existsSync(path.join(MODEL_DIR, 'manifest.json'))) missing.push('the model (make model)');
  if (native && !fs.existsSync(NATIVE_CLI)) missing.push('the native CLI (cargo build --bin cvmatch)');
  const tgz = tarball ? findTarball() : null;
  if (tarball && !tgz) missing.push('the packed tarball (make package)');
  if (missing.length) throw new Error(`missing ${missing.join(', ')}; \`make test-node\` builds them`);
  return tgz;
}

/** target/cvmatch-<version>.tgz for pkg/package.json's version. */
export function findTarball() {
  const { version } = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  const tgz = path.join(ROOT, 'target', `cvmatch-${version}.tgz`);
  return fs.existsSync(tgz) ? tgz : null;
}

/** A fresh temporary directory, removed by cleanup(). */
const made = [];
export function tempDir(prefix = 'cvmatch-node-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function cleanup() {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export const readData = (name) => fs.readFileSync(path.join(DATA, name), 'utf8');

/**
 * The jobs of www/jobs/jobs.jsonl, as objects, but the data jobs (so that the data engineer
 * job of tests/data, added by the tests, is the one clear best match for its resume).
 */
export function readJobs(limit = Infinity) {
  return fs.readFileSync(JOBS, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
    .filter((j) => !String(j.id).startsWith('data-')).slice(0, limit);
}

/**
 * Serves `root` on 127.0.0.1 (a random port); `log` holds the paths asked for.
 * @param {string} root
 */
export async function serve(root) {
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    log.push(url.pathname);
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

/** Runs a command; its stdout, or an Error with stderr. */
export function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/**
 * The job vectors of a .cvx file (docs/index-format.md, versions 1 to 3), dequantized, with the
 * ids: enough to compare two builds. The file's own checks are the native reader's job.
 * @param {Uint8Array} bytes
 */
export function readIndexVectors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (magic !== 'CVXINDEX') throw new Error(`not an index: ${magic}`);
  const version = view.getUint32(8, true);
  if (version < 1 || version > 3) throw new Error(`index format version ${version}: this reader knows 1 to 3`);
  const flags = view.getUint32(12, true);
  const dim = view.getUint32(16, true);
  const count = view.getUint32(20, true);
  let at = 24 + 4 + 32;
  const shortStr = () => {
    const n = view.getUint16(at, true);
    const s = Buffer.from(bytes.subarray(at + 2, at + 2 + n)).toString('utf8');
    at += 2 + n;
    return s;
  };
  const modelId = shortStr();
  const weightsFormat = shortStr();
  if (version >= 2) at += 12; // shard: K, N, board jobs (docs/index-format.md)
  const values = new Int8Array(bytes.buffer, bytes.byteOffset + at, count * dim);
  at += count * dim;
  const vectors = [];
  for (let i = 0; i < count; i++) {
    const scale = view.getFloat32(at + 4 * i, true);
    vectors.push({ q: values.subarray(i * dim, (i + 1) * dim), scale });
  }
  return { flags, dim, count, modelId, weightsFormat, vectors };
}
