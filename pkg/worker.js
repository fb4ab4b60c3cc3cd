// cvmatch's Web Worker: initialise the wasm module, then hand the message port over to
// the Rust runtime (src/web/runtime.rs). Messages that arrive while the module is still
// compiling are queued here and replayed in order. Protocol: docs/protocol.md.
//
// Two builds of the module: the baseline (wasm SIMD, every current browser) and one with
// relaxed SIMD (`f32x4.relaxed_madd`: a fused multiply-add where the CPU has one). A probe
// of a few bytes using a relaxed op (WebAssembly.validate) picks the relaxed build where it
// validates; the pool's first message may force one (`simd` option of createMatcher).
// Both builds have the same exports and imports, so one JS glue serves both.
import init, { runWorker } from './cvmatch_wasm.js';
import { WASM_SHA256, WASM_RELAXED_SHA256 } from './cvmatch_wasm_meta.js';

const queued = [];
const queue = (event) => queued.push(event.data);
self.addEventListener('message', queue);

// The model files' store (src/web/cache.rs); the module is kept beside them.
const CACHE = 'cvmatch-v1';
// The URLs stay literal `new URL('…', import.meta.url)` so that bundlers emit both files.
const BUILDS = {
  baseline: {
    gz: new URL('./cvmatch_wasm_bg.wasm.gz', import.meta.url),
    plain: new URL('./cvmatch_wasm_bg.wasm', import.meta.url),
    sha256: WASM_SHA256,
  },
  relaxed: {
    gz: new URL('./cvmatch_wasm_relaxed_bg.wasm.gz', import.meta.url),
    plain: new URL('./cvmatch_wasm_relaxed_bg.wasm', import.meta.url),
    sha256: WASM_RELAXED_SHA256,
  },
};

/**
 * A module of one function using `f32x4.relaxed_madd` (opcode 0xfd 0x105) on three
 * `i32x4.splat(0)`: it validates only where relaxed SIMD is supported.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, // code section: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, 0x41, 0x00, 0xfd, 0x11, // 3 × i32x4.splat(0)
  0xfd, 0x85, 0x02, 0x0b, // f32x4.relaxed_madd, end
]);

/** Whether this engine validates relaxed SIMD. */
function relaxedSimdSupported() {
  try {
    return WebAssembly.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * The build to load for `simd` ('auto' | 'relaxed' | 'baseline'): auto takes the relaxed
 * build where the probe validates and the package has it.
 * @param {string} simd
 */
function chooseBuild(simd) {
  if (simd === 'baseline') return 'baseline';
  if (simd === 'relaxed') {
    if (!BUILDS.relaxed.sha256) throw Object.assign(new Error('this package has no relaxed-SIMD build (scripts/build_wasm.sh RELAXED=0)'), { code: 'bad_input' });
    if (!relaxedSimdSupported()) throw Object.assign(new Error('this browser does not support relaxed SIMD'), { code: 'bad_input' });
    return 'relaxed';
  }
  return BUILDS.relaxed.sha256 && relaxedSimdSupported() ? 'relaxed' : 'baseline';
}

/** @param {Uint8Array} bytes */
async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const canVerify = () => typeof crypto !== 'undefined' && crypto.subtle != null && typeof caches !== 'undefined';

/**
 * The Cache API key of a build: the key names the build's hash, so a new deploy never meets
 * an old copy.
 * @param {{gz: URL, sha256: string}} build
 */
const cacheKey = (build) => `${build.gz.href}?sha256=${build.sha256}`;

/**
 * A copy of this build's module from the Cache API, verified by its sha256 (a copy that
 * does not verify is deleted). Null when there is none or the store cannot be used.
 * @param {{gz: URL, plain: URL, sha256: string}} build
 * @returns {Promise<Uint8Array|null>}
 */
async function cachedModule(build) {
  if (!canVerify()) return null;
  try {
    const cache = await caches.open(CACHE);
    const response = await cache.match(cacheKey(build));
    if (!response) return null;
    const bytes = new Uint8Array(await response.arrayBuffer());
    if ((await sha256Hex(bytes)) === build.sha256) return bytes;
    await cache.delete(cacheKey(build));
  } catch {
    // no usable store (private mode, a blocked cache): download instead
  }
  return null;
}

/**
 * Keeps the module for later visits and the pool's other workers, and drops copies of
 * other builds of the same file. Only a module that hashes to this build's sha256 is kept;
 * a failure to store (quota) costs nothing but the next download.
 * @param {{gz: URL, plain: URL, sha256: string}} build
 * @param {Uint8Array} bytes
 */
async function storeModule(build, bytes) {
  if (!canVerify()) return;
  try {
    if ((await sha256Hex(bytes)) !== build.sha256) return;
    const cache = await caches.open(CACHE);
    const key = cacheKey(build);
    await cache.put(key, new Response(bytes, { headers: { 'Content-Type': 'application/wasm' } }));
    for (const request of await cache.keys()) {
      if (request.url.startsWith(`${build.gz.href}?sha256=`) && request.url !== key) await cache.delete(request);
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
 * @param {{gz: URL, plain: URL, sha256: string}} build
 * @returns {Promise<Uint8Array|URL>}
 */
async function downloadModule(build) {
  if (typeof DecompressionStream !== 'function') return build.plain;
  try {
    const response = await fetch(build.gz);
    if (!response.ok) {
      await response.body?.cancel();
      return build.plain;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return bytes; // \0asm
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return build.plain; // not gzip
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  } catch {
    return build.plain;
  }
}

/**
 * @param {{sha256: string}} build
 * @param {Uint8Array} bytes
 */
const isThisBuild = async (build, bytes) => typeof crypto === 'undefined' || crypto.subtle == null
  || (await sha256Hex(bytes)) === build.sha256;

/**
 * The module's bytes, verified against this build's sha256 BEFORE anything is compiled:
 * the Cache API copy, else the download (gzipped, then plain), kept for next time. Without
 * crypto.subtle (an insecure context) there is nothing to verify with and the bytes are
 * used as served.
 * @param {{gz: URL, plain: URL, sha256: string}} build
 * @returns {Promise<Uint8Array>}
 */
async function wasmSource(build) {
  const cached = await cachedModule(build);
  if (cached) return cached;
  const downloaded = await downloadModule(build);
  if (downloaded instanceof Uint8Array && (await isThisBuild(build, downloaded))) {
    await storeModule(build, downloaded);
    return downloaded;
  }
  const response = await fetch(build.plain);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${build.plain.href}`);
  const plain = new Uint8Array(await response.arrayBuffer());
  if (!(await isThisBuild(build, plain))) {
    const file = build.plain.pathname.split('/').pop();
    const error = new Error(`${file} does not match this build's sha256 ${build.sha256}`);
    /** @type {any} */ (error).code = 'integrity';
    throw error;
  }
  await storeModule(build, plain);
  return plain;
}

/**
 * The pool's choice of build: its first message to a worker that loads the module itself
 * is `{type: 'wasm-simd', simd}` (pkg/pool.js). Any other first message (a sender that
 * does not choose) leaves the choice to the probe.
 * @returns {Promise<string>}
 */
function simdChoice() {
  const pick = () => {
    const m = queued[0];
    if (m?.type !== 'wasm-simd') return 'auto';
    queued.shift();
    return typeof m.simd === 'string' ? m.simd : 'auto';
  };
  if (queued.length > 0) return Promise.resolve(pick());
  return new Promise((resolve) => {
    const first = () => {
      self.removeEventListener('message', first);
      resolve(pick());
    };
    // added after `queue`, so the message is already queued when this runs
    self.addEventListener('message', first);
  });
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
let file = 'cvmatch_wasm_bg.wasm';
try {
  const shared = await sharedModule();
  let compiled = shared;
  if (!compiled) {
    const build = BUILDS[chooseBuild(await simdChoice())];
    file = build.plain.pathname.split('/').pop() ?? file;
    compiled = await WebAssembly.compile(await wasmSource(build));
  }
  await init({ module_or_path: compiled });
  // Hand the compiled module to the pool, for its other workers.
  if (!shared) {
    try { self.postMessage({ type: 'wasm-module', module: compiled }); } catch { /* not cloneable here */ }
  }
} catch (e) {
  // Without the module nothing can answer: say why once, for every queued request.
  const error = { code: e?.code ?? 'network', message: `cannot load ${file}: ${e?.message ?? e}` };
  self.postMessage({ type: 'fatal', error });
  throw e;
}
self.removeEventListener('message', queue);
runWorker(queued, performance.now() - t0);
