// cvmatch's Web Worker: initialise the wasm module, then hand the message port over to
// the Rust runtime (src/web/runtime.rs). Messages that arrive while the module is still
// compiling are queued here and replayed in order. Protocol: docs/protocol.md.
import init, { runWorker } from './cvmatch_wasm.js';
import { WASM_SHA256 } from './cvmatch_wasm_meta.js';

const queued = [];
const queue = (event) => queued.push(event.data);
self.addEventListener('message', queue);

// The model files' store (src/web/cache.rs); the module is kept beside them.
const CACHE = 'cvmatch-v1';
const GZ_URL = new URL('./cvmatch_wasm_bg.wasm.gz', import.meta.url);
const PLAIN_URL = new URL('./cvmatch_wasm_bg.wasm', import.meta.url);
// The key names the build, so a new deploy never meets an old copy.
const CACHE_KEY = `${GZ_URL.href}?sha256=${WASM_SHA256}`;

/** @param {Uint8Array} bytes */
async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const canVerify = () => typeof crypto !== 'undefined' && crypto.subtle != null && typeof caches !== 'undefined';

/**
 * A copy of this build's module from the Cache API, verified by its sha256 (a copy that
 * does not verify is deleted). Null when there is none or the store cannot be used.
 * @returns {Promise<Uint8Array|null>}
 */
async function cachedModule() {
  if (!canVerify()) return null;
  try {
    const cache = await caches.open(CACHE);
    const response = await cache.match(CACHE_KEY);
    if (!response) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if ((await sha256Hex(bytes)) === WASM_SHA256) return bytes;
    await cache.delete(CACHE_KEY);
  } catch {
    // no usable store (private mode, a blocked cache): download instead
  }
  return null;
}

/**
 * Keeps the module for later visits and the pool's other workers, and drops copies of
 * other builds. Only a module that hashes to this build's sha256 is kept; a failure to
 * store (quota) costs nothing but the next download.
 * @param {Uint8Array} bytes
 */
async function storeModule(bytes) {
  if (!canVerify()) return;
  try {
    if ((await sha256Hex(bytes)) !== WASM_SHA256) return;
    const cache = await caches.open(CACHE);
    await cache.put(CACHE_KEY, new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } }));
    for (const request of await cache.keys()) {
      if (request.url.startsWith(`${GZ_URL.href}?sha256=`) && request.url !== CACHE_KEY) await cache.delete(request);
    }
  } catch {
    // storage full or unavailable
  }
}

/**
 * Downloads the module. The gzipped copy is a quarter of the size (1.5 MB, not 5.4 MB) and
 * no static host has to be configured for it: it is inflated here with the browser's
 * DecompressionStream. A host that already inflated it (Content-Encoding: gzip) hands
 * over plain wasm, which is used as it is. Anything else (no DecompressionStream, a 404,
 * an HTML fallback page, a corrupt copy, a failed fetch) falls back to the uncompressed
 * module's URL.
 * @returns {Promise<Uint8Array|URL>}
 */
async function downloadModule() {
  if (typeof DecompressionStream !== 'function') return PLAIN_URL;
  try {
    const response = await fetch(GZ_URL);
    if (!response.ok) {
      await response.body?.cancel();
      return PLAIN_URL;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return bytes; // \0asm
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return PLAIN_URL; // not gzip
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  } catch {
    return PLAIN_URL;
  }
}

/** @param {Uint8Array} bytes */
const isThisBuild = async (bytes) => typeof crypto === 'undefined' || crypto.subtle == null
  || (await sha256Hex(bytes)) === WASM_SHA256;

/**
 * The module's bytes, verified against this build's sha256 BEFORE anything is compiled:
 * the Cache API copy, else the download (gzipped, then plain), kept for next time. Without
 * crypto.subtle (an insecure context) there is nothing to verify with and the bytes are
 * used as served.
 * @returns {Promise<Uint8Array>}
 */
async function wasmSource() {
  const cached = await cachedModule();
  if (cached) return cached;
  const downloaded = await downloadModule();
  if (downloaded instanceof Uint8Array && (await isThisBuild(downloaded))) {
    await storeModule(downloaded);
    return downloaded;
  }
  const response = await fetch(PLAIN_URL);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${PLAIN_URL.href}`);
  const plain = new Uint8Array(await response.arrayBuffer());
  if (!(await isThisBuild(plain))) {
    const error = new Error(`cvmatch_wasm_bg.wasm does not match this build's sha256 ${WASM_SHA256}`);
    /** @type {any} */ (error).code = 'integrity';
    throw error;
  }
  await storeModule(plain);
  return plain;
}

/**
 * A worker of a pool started with the name `cvmatch-shared` waits for the compiled module
 * that the pool's first worker posted (no second download, verification or compile).
 * @returns {Promise<WebAssembly.Module|null>}
 */
function sharedModule() {
  if (self.name !== 'cvmatch-shared') return Promise.resolve(null);
  const first = queued.findIndex((m) => m?.type === 'wasm-module');
  if (first >= 0) return Promise.resolve(queued.splice(first, 1)[0].module);
  return new Promise((resolve) => {
    const take = (event) => {
      if (event.data?.type !== 'wasm-module') return;
      self.removeEventListener('message', take);
      const at = queued.indexOf(event.data);
      if (at >= 0) queued.splice(at, 1);
      resolve(event.data.module);
    };
    self.addEventListener('message', take);
  });
}

const t0 = performance.now();
try {
  const shared = await sharedModule();
  const compiled = shared ?? (await WebAssembly.compile(await wasmSource()));
  await init({ module_or_path: compiled });
  // Hand the compiled module to the pool, for its other workers.
  if (!shared) {
    try { self.postMessage({ type: 'wasm-module', module: compiled }); } catch { /* not cloneable here */ }
  }
} catch (e) {
  // Without the module nothing can answer: say why once, for every queued request.
  const error = { code: e?.code ?? 'network', message: `cannot load cvmatch_wasm_bg.wasm: ${e?.message ?? e}` };
  self.postMessage({ type: 'fatal', error });
  throw e;
}
self.removeEventListener('message', queue);
runWorker(queued, performance.now() - t0);
