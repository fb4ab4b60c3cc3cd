// cvmatch for browsers: the public API (api.js) over a pool (pool.js) of module Web Workers
// (worker.js), the model files kept in the Cache API. Node gets node/index.js instead
// (package.json "exports": the `node` condition), with the same API.
import {
  CACHE_NAME, CvmatchError, DEFAULT_WEIGHTS, JobIndex, MAX_WORKERS, Matcher,
  createMatcherOn, isCachedOn, loadMatcherOn, renderReport, toCamel,
} from './api.js';

/**
 * The default pool size: one worker per core but one (the page's own thread needs a core),
 * at most 4, and at most one per 4 GB of device memory (`navigator.deviceMemory`, Chromium;
 * 2 when the browser does not say), so that the pool's copies of the model (about 200 MB
 * each) stay near 5 % of the device's memory. A 2-core machine gets 1.
 * @returns {number}
 */
export function defaultWorkerCount() {
  const nav = /** @type {any} */ (globalThis.navigator);
  const cores = Number(nav?.hardwareConcurrency) || 2;
  const memoryGb = Number(nav?.deviceMemory) || 0;
  const byMemory = memoryGb > 0 ? Math.floor(memoryGb / 4) : 2;
  return Math.max(1, Math.min(4, cores - 1, byMemory));
}

/**
 * Starts one worker. The expressions stay literal: bundlers (webpack, Vite) recognise
 * `new Worker(new URL('./worker.js', import.meta.url))` and emit the worker from it.
 * @param {boolean} shared  it will be sent the compiled module (see worker.js)
 * @param {string|URL} [url]  the `workerUrl` option: another script that runs worker.js
 * @returns {Worker}
 */
function spawnWorker(shared, url) {
  const name = shared ? 'cvmatch-shared' : 'cvmatch';
  try {
    if (url) return new Worker(url, { type: 'module', name });
    return shared
      ? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'cvmatch-shared' })
      : new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'cvmatch' });
  } catch (e) {
    // e.g. a page opened from file://, or a CSP without worker-src for this origin
    throw new CvmatchError('network', `cannot start the cvmatch worker: ${/** @type {Error} */ (e).message}`);
  }
}

/** @type {import('./api.js').Platform} */
const browser = {
  spawn: (shared, options) => spawnWorker(shared, options?.workerUrl),
  resolveUrl: (url) => new URL(url, globalThis.location?.href).href,
  defaultWorkers: defaultWorkerCount,
  openCache: async () => (typeof caches === 'undefined' ? null : caches.open(CACHE_NAME)),
};

/**
 * Starts the worker pool and the model load (Cache API store first, then the network) and
 * returns the Matcher at once: `matcher.ready` settles when the model is loaded; model
 * calls made before wait for it, lexicalScore answers at once.
 * @param {import('./api.js').MatcherOptions} options
 * @returns {Matcher}
 */
export function createMatcher(options) {
  return createMatcherOn(browser, options);
}

/**
 * createMatcher, resolved once the model is ready (rejects if the load fails).
 * @param {import('./api.js').MatcherOptions} options
 * @returns {Promise<Matcher>}
 */
export function loadMatcher(options) {
  return loadMatcherOn(browser, options);
}

/**
 * Whether loading these options needs no download: the manifest and every file the load
 * reads are in the Cache API store, at the sizes the manifest lists.
 * @param {{modelUrl: string, weights?: string}} options
 * @returns {Promise<boolean>}
 */
export function isCached(options) {
  return isCachedOn(browser, options);
}

export { CvmatchError, DEFAULT_WEIGHTS, JobIndex, MAX_WORKERS, Matcher, renderReport, toCamel };

/** Node only (the cache directory); undefined in browsers. */
export const defaultCacheDir = undefined;
