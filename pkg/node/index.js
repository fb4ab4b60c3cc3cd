// cvmatch for Node ≥ 20: the same API and the same wasm as in browsers (../api.js), the
// workers are worker_threads running ./worker.js (a bootstrap that gives the browser worker
// what it uses of a Web Worker scope), and a cache directory stands in for the Cache API.
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CACHE_NAME, CvmatchError, DEFAULT_WEIGHTS, JobIndex, MAX_WORKERS, Matcher,
  createMatcherOn, isCachedOn, loadMatcherOn, renderReport, toCamel,
} from '../api.js';
import { CacheStorage, defaultCacheDir } from './cache.js';

/**
 * A worker_thread behind the Web Worker interface the pool uses: message/error/messageerror
 * events, postMessage, terminate; plus ref/unref, so that an idle pool does not keep the
 * process alive. An exit that terminate() did not ask for is reported as an error (a crash).
 */
export class NodeWorker {
  /** @type {Map<string, Set<(event: any) => void>>} */
  #listeners = new Map();
  #terminated = false;

  /**
   * @param {{cacheDir: string, name: string}} data
   */
  constructor(data) {
    /** The worker_threads Worker. */
    this.thread = new Worker(new URL('./worker.js', import.meta.url), { workerData: data, name: data.name });
    this.thread.on('message', (data) => this.#emit('message', { data }));
    this.thread.on('messageerror', () => this.#emit('messageerror', {}));
    this.thread.on('error', (e) => this.#emit('error', { message: e?.message ?? String(e) }));
    this.thread.on('exit', (code) => {
      if (!this.#terminated) this.#emit('error', { message: `the worker thread exited (code ${code})` });
    });
  }

  /**
   * @param {string} type
   * @param {any} event
   */
  #emit(type, event) {
    for (const f of this.#listeners.get(type) ?? []) f(event);
  }

  /**
   * @param {string} type
   * @param {(event: any) => void} f
   */
  addEventListener(type, f) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type)?.add(f);
  }

  /**
   * @param {any} message
   * @param {any[]} [transfer]
   */
  postMessage(message, transfer) {
    this.thread.postMessage(message, transfer);
  }

  terminate() {
    this.#terminated = true;
    this.thread.terminate().catch(() => {});
  }

  ref() {
    this.thread.ref();
  }

  unref() {
    this.thread.unref();
  }
}

/**
 * The default pool size in Node: one worker per core but one, at most 4 (each worker holds
 * its own copy of the model, about 200 MB). The CLI uses one per core.
 * @returns {number}
 */
export function defaultWorkerCount() {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * An absolute URL for a model directory or index: http(s) and file: URLs as they are, a
 * path (relative to the working directory) as a file: URL.
 * @param {string|URL} location
 * @returns {string}
 */
export function resolveLocation(location) {
  if (location instanceof URL) return location.href;
  if (/^(https?|file):/i.test(location)) return new URL(location).href;
  if (/^[a-z][a-z0-9+.-]+:/i.test(location) && !isAbsolute(location)) {
    throw new CvmatchError('bad_input', `unsupported URL scheme in ${location} (use http:, https:, file: or a path)`);
  }
  const url = pathToFileURL(resolve(location)).href;
  return location.endsWith('/') && !url.endsWith('/') ? `${url}/` : url;
}

/** @param {{cacheDir?: string}} [options] */
const cacheDirOf = (options) => resolve(options?.cacheDir ?? defaultCacheDir());

/** @type {import('../api.js').Platform} */
const node = {
  spawn: (shared, options) => new NodeWorker({ cacheDir: cacheDirOf(options), name: shared ? 'cvmatch-shared' : 'cvmatch' }),
  resolveUrl: (url) => resolveLocation(url),
  defaultWorkers: defaultWorkerCount,
  openCache: async (options) => new CacheStorage(cacheDirOf(options)).open(CACHE_NAME),
};

/**
 * Starts the worker pool and the model load (cache directory first, then the URL or path)
 * and returns the Matcher at once: `matcher.ready` settles when the model is loaded.
 * Call `matcher.dispose()` when done (idle workers do not keep the process alive).
 * @param {import('../api.js').MatcherOptions} options
 * @returns {Matcher}
 */
export function createMatcher(options) {
  return createMatcherOn(node, options);
}

/**
 * createMatcher, resolved once the model is ready.
 * @param {import('../api.js').MatcherOptions} options
 * @returns {Promise<Matcher>}
 */
export function loadMatcher(options) {
  return loadMatcherOn(node, options);
}

/**
 * Whether loading these options needs no download (everything in the cache directory).
 * @param {{modelUrl: string, weights?: string, cacheDir?: string}} options
 * @returns {Promise<boolean>}
 */
export function isCached(options) {
  return isCachedOn(node, options);
}

export { CvmatchError, DEFAULT_WEIGHTS, JobIndex, MAX_WORKERS, Matcher, defaultCacheDir, renderReport, toCamel };
