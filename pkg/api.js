// cvmatch's public API, the same in browsers and Node: createMatcher() answers at once with
// a Matcher whose `ready` Promise settles when the model is loaded; every call takes
// `{signal, timeout}`; results are camelCase. The pool and its routing are in pool.js; the
// platform (how to start a worker, resolve a URL, open the cache) is passed in by index.js
// (browsers) or node/index.js (Node).
import { CvmatchError, copyError } from './errors.js';
import { MAX_WORKERS, Pool } from './pool.js';

/** The Cache API store's name, shared with the worker (src/web/cache.rs). */
export const CACHE_NAME = 'cvmatch-v1';

/** The weights format loaded when none is named (also the CLI's and the worker's). */
export const DEFAULT_WEIGHTS = 'q8';

/**
 * What a platform entry (index.js, node/index.js) provides.
 * @typedef {object} Platform
 * @property {(shared: boolean, options: any) => import('./pool.js').WorkerLike} spawn
 * @property {(url: string) => string} resolveUrl  an absolute URL for a model or index location
 * @property {() => number} defaultWorkers
 * @property {(options: any) => Promise<{match(url: string): Promise<Response|undefined>}|null>} openCache
 */

/**
 * @typedef {object} ProgressInfo
 * @property {'initiate'|'download'|'progress'|'done'|'ready'} status
 * @property {string} [file]        the file (model file name, or an index URL)
 * @property {number} [loaded]      bytes of `file` so far
 * @property {number} [total]       bytes of `file`
 * @property {number} [progress]    percent of `file`, 0–100
 * @property {number} totalLoaded  bytes so far, all files of the load
 * @property {number} totalBytes   bytes expected, all files of the load
 * @property {boolean} [cached]     (`ready`) whether every model file is in the cache store
 * @property {object} [profile]     (`ready`) the load profile
 */

// ---------------------------------------------------------------- camelCase at the boundary

const SKIP_KEYS = new Set(['extra']); // data, not field names (a job's own extra fields)
const camel = (/** @type {string} */ key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
let warnedSnake = false;

/**
 * A copy of a worker reply with every object key camelCased, at any depth (so fields added
 * to the Rust reports come through camelCased too). Typed arrays pass through. The old
 * snake_case names still read, for one version, as non-enumerable getters that warn once.
 * @param {any} value
 * @returns {any}
 */
export function toCamel(value) {
  if (Array.isArray(value)) return value.map(toCamel);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  /** @type {Record<string, any>} */
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    const name = camel(key);
    out[name] = SKIP_KEYS.has(key) ? v : toCamel(v);
    if (name !== key) {
      Object.defineProperty(out, key, {
        enumerable: false,
        get() {
          if (!warnedSnake) {
            warnedSnake = true;
            console.warn(`cvmatch: report field ${key} is deprecated; use ${name} (snake_case names go in the next version)`);
          }
          return this[name];
        },
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- progress

/**
 * Turns the worker's raw progress events (per file, and overall with `file: null`) into
 * status-tagged ones.
 * @param {(e: ProgressInfo) => void} emit
 */
function progressTagger(emit) {
  /** @type {Map<string, {loaded: number, total: number, done: boolean}>} */
  const files = new Map();
  let overallTotal = 0;
  const totals = () => {
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) { loaded += f.loaded; total += f.total; }
    return { totalLoaded: loaded, totalBytes: Math.max(total, overallTotal) };
  };
  return (/** @type {any} */ msg) => {
    if (msg.type === 'ready') {
      emit({ status: 'ready', cached: msg.cached, profile: toCamel(msg.profile), ...totals() });
      return;
    }
    if (msg.type !== 'progress') return;
    if (msg.file === null || msg.file === undefined) {
      overallTotal = Number(msg.total) || overallTotal;
      return;
    }
    const file = String(msg.file);
    let f = files.get(file);
    if (!f) {
      f = { loaded: 0, total: Number(msg.total) || 0, done: false };
      files.set(file, f);
      emit({ status: 'initiate', file, loaded: 0, total: f.total, progress: 0, ...totals() });
      emit({ status: 'download', file, loaded: 0, total: f.total, progress: 0, ...totals() });
    } else if (f.done) {
      // the same file again (a second index load): a new round
      f.done = false;
      f.loaded = 0;
    }
    f.loaded = Number(msg.loaded) || 0;
    f.total = Number(msg.total) || f.total;
    const progress = f.total > 0 ? Math.min(100, (100 * f.loaded) / f.total) : 100;
    emit({ status: 'progress', file, loaded: f.loaded, total: f.total, progress, ...totals() });
    if (f.loaded >= f.total) {
      f.done = true;
      emit({ status: 'done', file, loaded: f.loaded, total: f.total, progress: 100, ...totals() });
    }
  };
}

// ---------------------------------------------------------------- the matcher

/** The constructor is not public: use createMatcher(). */
const INTERNAL = Symbol('cvmatch.internal');

/** A job index loaded in the workers (see Matcher.loadIndex). */
export class JobIndex {
  /** @param {any} info  what the worker reported (camelCased) */
  constructor(info) {
    /** The absolute URL it was loaded from (the workers keep it under this key). */
    this.url = info.url;
    /** Number of jobs. */
    this.jobs = info.jobs;
    /** Everything the worker reported (bytes, source, cached, timings, model). */
    this.info = info;
  }
}

/**
 * @typedef {import('./pool.js').CallOptions} CallOptions
 */

/**
 * Renders a report as text, the way `cvmatch explain` prints it.
 * @param {any} r  a camelCased report
 * @returns {string}
 */
export function renderReport(r) {
  const width = 88;
  const clip = (/** @type {string} */ t) => ([...t].length <= width ? t : `${[...t].slice(0, width - 1).join('')}…`);
  const part = (/** @type {number|null} */ v) => (v == null ? 'n/a' : v.toFixed(2));
  const list = (/** @type {string[]} */ t) => (t.length ? t.join(', ') : '(none)');
  const lines = [
    `Score ${Math.round(r.score)}/100: ${r.band}${r.provisional ? ' (provisional)' : ''}`,
    `  ${r.bandMeaning}`,
    `  parts: semantic ${part(r.parts.semantic)}, coverage ${part(r.parts.coverage)}, lexical ${part(r.parts.lexical)}`,
    '',
    `Requirements: ${r.coverage.covered} covered, ${r.coverage.partial} partly, ${r.coverage.missing} missing (of ${r.coverage.requirements})`,
  ];
  for (const req of r.requirements) {
    const mark = { covered: 'covered', partial: 'partial', missing: 'MISSING' }[/** @type {string} */ (req.status)] ?? req.status;
    lines.push(`  ${mark.padEnd(7)}  ${req.similarity.toFixed(2)}  ${clip(req.text)}${req.optional ? ' (optional)' : ''}`);
    if (req.evidence && req.status !== 'missing') lines.push(`                 <- ${clip(req.evidence)}`);
  }
  if (r.requirements.length === 0) lines.push('  (no requirement lines found in the job)');
  lines.push('', `Missing terms: ${list(r.missingTerms)}`, `Matched terms: ${list(r.matchedTerms)}`);
  for (const note of r.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A sentence encoder and matcher running in a pool of workers (Web Workers in browsers,
 * worker_threads in Node). Create it with createMatcher().
 */
export class Matcher {
  #pool;
  #platform;
  /** @type {any} */
  #loadInfo = null;

  /**
   * @param {symbol} token
   * @param {Pool} pool
   * @param {Platform} platform
   */
  constructor(token, pool, platform) {
    if (token !== INTERNAL) throw new CvmatchError('bad_input', 'use createMatcher() to make a Matcher');
    this.#pool = pool;
    this.#platform = platform;
    /**
     * Settles when the model is loaded: `{cached, profile}`; rejects with the load's error
     * (then every model call rejects with it too). Calls made before wait for it.
     * @type {Promise<{cached: boolean, profile: any}>}
     */
    this.ready = pool.start().then((profile) => {
      this.#loadInfo = { cached: profile.cached, profile: toCamel(profile) };
      return this.#loadInfo;
    });
    this.ready.catch(() => {}); // rejections reach whoever awaits `ready` or calls a method
  }

  /** `{cached, profile}` once the model is loaded, else null. */
  get loadInfo() {
    return this.#loadInfo;
  }

  /** Workers answering requests now (grows to `pool.requested` as they load). */
  get workers() {
    return this.#pool.workers;
  }

  /** The pool: workers requested, ready, loading, dropped (with why), restarted. */
  get pool() {
    return this.#pool.status;
  }

  /** Resolves (never rejects) with the pool status once no worker is loading any more. */
  poolReady() {
    return this.#pool.settled();
  }

  /**
   * One raw protocol request (docs/protocol.md), routed by the pool; the result as the
   * worker sent it (not camelCased).
   * @param {string} op
   * @param {object} [args]
   * @param {CallOptions} [options]
   */
  request(op, args, options = {}) {
    return this.#pool.request(op, args, callOptions(options));
  }

  /**
   * @param {string} op
   * @param {object} args
   * @param {CallOptions} [options]
   */
  async #call(op, args, options) {
    return toCamel(await this.#pool.request(op, args, callOptions(options)));
  }

  /**
   * Embeds texts: one L2-normalised Float32Array per text, in order; a batch is split over
   * the ready workers.
   * @param {string[]} texts
   * @param {CallOptions} [options]
   * @returns {Promise<Float32Array[]>}
   */
  embed(texts, options) {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      return Promise.reject(new CvmatchError('bad_input', 'embed expects an array of strings'));
    }
    return this.#pool.embed(texts, callOptions(options));
  }

  /**
   * The match report of a resume and a job: score 0–100 with its band, parts, requirement
   * coverage with evidence lines, matched and missing terms.
   * @param {string} resume
   * @param {string} job
   * @param {CallOptions} [options]
   */
  score(resume, job, options) {
    return this.#call('score', { resume, job }, options);
  }

  /**
   * The report of score() plus `text`: the same report rendered for people to read, as
   * `cvmatch explain` prints it.
   * @param {string} resume
   * @param {string} job
   * @param {CallOptions} [options]
   */
  async explain(resume, job, options) {
    const report = await this.#call('explain', { resume, job }, options);
    return Object.assign(report, { text: renderReport(report) });
  }

  /**
   * The provisional, lexical-only report (`provisional: true`): needs no model, so it
   * answers at once, before `ready`.
   * @param {string} resume
   * @param {string} job
   * @param {CallOptions} [options]
   */
  lexicalScore(resume, job, options) {
    return this.#call('lexicalScore', { resume, job }, options);
  }

  /**
   * Ranks jobs for one resume, best first: texts (`index` is the position in `jobs`) or a
   * loaded JobIndex (with `filter` and `reports`).
   * @param {string} resume
   * @param {string[]|JobIndex} jobs
   * With an index, `jobs` (`[{id, text, title?}]`) lists jobs to rank by id: those the index
   * lacks are scored from their text (`fromText: true`) or named in `missing`.
   * @param {{top?: number, filter?: object, reports?: number, jobs?: {id: string, text: string, title?: string}[]} & CallOptions} [options]
   */
  rank(resume, jobs, { top = 10, filter, reports, jobs: byId, ...options } = {}) {
    if (jobs instanceof JobIndex) {
      const args = { resume, index: jobs.url, top, filter, reports, ...(byId ? { jobs: byId } : {}) };
      return this.#call('rankIndex', args, options);
    }
    return this.#call('rank', { resume, jobs, top }, options);
  }

  /**
   * Ranks resumes for one job, best first.
   * @param {string} job
   * @param {string[]} resumes
   * @param {{top?: number} & CallOptions} [options]
   */
  rankCandidates(job, resumes, { top = 10, ...options } = {}) {
    return this.#call('rankCandidates', { job, resumes, top }, options);
  }

  /**
   * Loads a job index (`.cvx`, from `cvmatch index build`) into every worker, through the
   * same verified cache as the model files. In Node, a path or file: URL works too.
   * @param {string} url
   * @param {CallOptions} [options]
   */
  async loadIndex(url, options) {
    const href = this.#platform.resolveUrl(url);
    return new JobIndex(await this.#call('loadIndex', { url: href }, options));
  }

  /**
   * Builds a job index (the bytes of a `.cvx` file) from job objects (`id` and `text`
   * required; `title`, `company`, `location`, `url` known; other fields kept), embedding
   * batches in every worker of the pool. The file is the native CLI's format.
   * @param {object[]} jobs
   * @param {{lineVectors?: boolean, batch?: number, onProgress?: (done: number, total: number) => void} & CallOptions} [options]
   * @returns {Promise<Uint8Array>}
   */
  async buildIndex(jobs, { lineVectors = true, batch = 8, onProgress, ...options } = {}) {
    if (!Array.isArray(jobs) || jobs.length === 0) {
      throw new CvmatchError('bad_input', 'buildIndex needs a non-empty array of jobs');
    }
    const call = callOptions(options);
    await this.#pool.whenReady(call);
    const size = Math.max(1, Math.min(4096, Math.floor(batch)));
    /** @type {Uint8Array[]} */
    const parts = [];
    let done = 0;
    let next = 0;
    // As many batches in flight as workers (the pool sends each to the least busy one).
    let failed = false;
    const lane = async () => {
      while (next < jobs.length && !failed) {
        const at = next;
        next += size;
        const slice = jobs.slice(at, at + size);
        parts[at / size] = await this.#pool.request('indexBuildPart', { jobs: slice, lineVectors }, call);
        done += slice.length;
        onProgress?.(done, jobs.length);
      }
    };
    const lanes = Math.max(1, this.#pool.status.requested);
    await Promise.all(Array.from({ length: lanes }, () => lane().catch((e) => { failed = true; throw e; })));
    if (parts.length === 1) return parts[0];
    return this.#pool.request('indexMerge', { parts }, call, parts.map((p) => p.buffer));
  }

  /**
   * Reads a document's text: `{kind: 'text', text}`, or `{kind: 'pdf'|'docx', items}` (the
   * text items a reader such as pdf.js extracted); the worker's `read_document` op.
   * @param {{kind: 'pdf'|'docx'|'text', items?: unknown[], text?: string}} input
   * @param {CallOptions} [options]
   */
  readDocument(input, options) {
    return this.#call('read_document', input, options);
  }

  /**
   * Prepares a resume once (chunks and vectors kept in the worker) for repeated scoring;
   * the worker's `prepare` op.
   * @param {string} resume
   * @param {CallOptions} [options]
   */
  prepare(resume, options) {
    return this.#call('prepare', { resume }, options);
  }

  /**
   * Embeds two fixed sentences (in one worker) and checks unit norms and their known cosine.
   * @param {CallOptions} [options]
   */
  health(options) {
    return this.#call('health', {}, options);
  }

  /**
   * The primary worker's load profile, usage summed over the ready workers, and each ready
   * worker's own reply in `workers`.
   * @param {CallOptions} [options]
   */
  async profile(options) {
    const replies = await this.#pool.broadcast('profile', callOptions(options));
    const workers = replies.map((r) => ({ worker: r.worker, indexes: r.indexes, ...toCamel(r.reply) }));
    const usage = { ...workers[0].usage };
    for (const w of workers.slice(1)) {
      for (const [key, value] of Object.entries(w.usage ?? {})) {
        if (typeof value === 'number' && typeof usage[key] === 'number') usage[key] += value;
      }
    }
    return { ...toCamel(replies[0].reply), usage, workers };
  }

  /**
   * Deletes the cached model files and indexes (the loaded model keeps working).
   * @param {CallOptions} [options]
   */
  clearCache(options) {
    return this.#call('clearCache', {}, options);
  }

  /** Stops every worker; pending calls reject with `terminated`. Safe to call twice. */
  dispose() {
    this.#pool.terminate();
  }

  /** @deprecated use dispose() (same effect; kept for one version). */
  terminate() {
    this.dispose();
  }
}

/**
 * Checks the call options (an AbortSignal and a timeout in ms).
 * @param {CallOptions} [options]
 * @returns {CallOptions}
 */
function callOptions(options = {}) {
  const { signal, timeout } = options;
  if (signal !== undefined && !(signal && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function')) {
    throw new CvmatchError('bad_input', 'signal must be an AbortSignal');
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
    throw new CvmatchError('bad_input', `timeout must be a positive number of ms (got ${String(timeout)})`);
  }
  return { signal, timeout };
}

/**
 * @typedef {object} MatcherOptions
 * @property {string} modelUrl  the model directory (holding manifest.json): a URL (resolved
 *   against the page in browsers); in Node also a file: URL or a path
 * @property {string} [weights='q8']  weights format listed in the manifest
 * @property {number} [workers]  workers in the pool, 1 to MAX_WORKERS
 * @property {(event: ProgressInfo) => void} [onProgress]
 * @property {string} [cacheDir]  Node: the cache directory (default under the user's cache dir)
 * @property {string} [manifestSha256]  the expected sha256 of manifest.json, for a model other
 *   than the one pinned into the package at build time (`scripts/pin_model.sh --manifest-hash DIR`)
 * @property {string|URL} [workerUrl]  browsers: a script to start instead of worker.js (one
 *   that imports it, e.g. a blob: URL keeping the worker under the page's service worker)
 * @property {'auto'|'relaxed'|'baseline'} [simd='auto']  which build of the wasm module:
 *   `auto` takes the relaxed-SIMD build where a probe finds relaxed SIMD and the baseline
 *   (wasm SIMD) build elsewhere; `relaxed` fails to load (`bad_input`) where it is not
 *   supported. The profile op reports the build in use (`simd`).
 */

/** The `simd` option's values. */
const SIMD_BUILDS = ['auto', 'relaxed', 'baseline'];

/**
 * Starts the pool and the model load; returns the Matcher at once (see `matcher.ready`).
 * @param {Platform} platform
 * @param {MatcherOptions} options
 * @returns {Matcher}
 */
export function createMatcherOn(platform, options) {
  const { modelUrl, weights = DEFAULT_WEIGHTS, workers, onProgress, manifestSha256 } = options ?? /** @type {any} */ ({});
  if (typeof modelUrl !== 'string' || modelUrl === '') {
    throw new CvmatchError('bad_input', 'createMatcher needs a modelUrl');
  }
  if (manifestSha256 !== undefined && !(typeof manifestSha256 === 'string' && /^[0-9a-f]{64}$/i.test(manifestSha256))) {
    throw new CvmatchError('bad_input', 'manifestSha256 must be 64 hex digits (the sha256 of manifest.json)');
  }
  if (typeof weights !== 'string' || weights === '') throw new CvmatchError('bad_input', 'weights must be a format name such as q8');
  const size = workers === undefined ? platform.defaultWorkers() : workers;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_WORKERS) {
    const got = typeof workers === 'number' ? String(workers) : typeof workers;
    throw new CvmatchError('bad_input', `workers must be an integer from 1 to ${MAX_WORKERS} (got ${got})`);
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new CvmatchError('bad_input', 'onProgress must be a function');
  const { simd = 'auto' } = options;
  if (!SIMD_BUILDS.includes(simd)) {
    throw new CvmatchError('bad_input', `simd must be one of ${SIMD_BUILDS.join(', ')} (got ${String(simd)})`);
  }
  const url = platform.resolveUrl(modelUrl);
  const emit = (/** @type {ProgressInfo} */ e) => {
    try { onProgress?.(e); } catch (err) { setTimeout(() => { throw err; }); }
  };
  const pool = new Pool({
    spawn: (shared) => platform.spawn(shared, options),
    size,
    loadArgs: { modelUrl: url, weights, ...(manifestSha256 ? { manifestSha256: manifestSha256.toLowerCase() } : {}) },
    onEvent: progressTagger(emit),
    simd,
  });
  return new Matcher(INTERNAL, pool, platform);
}

/**
 * Loads and resolves once ready (createMatcher, then `await matcher.ready`).
 * @param {Platform} platform
 * @param {MatcherOptions} options
 */
export async function loadMatcherOn(platform, options) {
  const matcher = createMatcherOn(platform, options);
  await matcher.ready;
  return matcher;
}

/** The files a load reads for a weights format (src/web/files.rs: files_to_load). */
function filesToLoad(/** @type {any} */ manifest, /** @type {string} */ weights) {
  const byName = new Map((manifest.files ?? []).map((/** @type {any} */ f) => [f.name, f]));
  const weightsName = manifest.weights?.[weights];
  if (!weightsName) return null;
  const out = ['config.json', 'tokenizer.json', weightsName].map((n) => byName.get(n));
  for (const n of ['1_Pooling/config.json', 'sentence_bert_config.json']) if (byName.has(n)) out.push(byName.get(n));
  return out.includes(undefined) ? null : out;
}

/**
 * Whether the model's files for these options are all in the cache store (its manifest
 * and every file the load reads, each of the size the manifest lists), so that loading
 * needs no download. Never throws: an unreadable store answers false.
 * @param {Platform} platform
 * @param {{modelUrl: string, weights?: string, cacheDir?: string}} options
 * @returns {Promise<boolean>}
 */
export async function isCachedOn(platform, options) {
  try {
    const { modelUrl, weights = DEFAULT_WEIGHTS } = options;
    let base = platform.resolveUrl(modelUrl);
    if (!base.endsWith('/')) base += '/';
    const cache = await platform.openCache(options);
    if (!cache) return false;
    const hit = await cache.match(`${base}manifest.json`);
    if (!hit) return false;
    const files = filesToLoad(await hit.json(), weights);
    if (!files) return false;
    for (const f of files) {
      // keyed by URL and content hash, as the worker stores them (src/web/files.rs cache_key)
      const response = await cache.match(`${base}${f.name}?sha256=${String(f.sha256).toLowerCase()}`);
      if (!response) return false;
      const length = Number(response.headers.get('content-length'));
      const bytes = Number.isFinite(length) && length > 0 ? length : (await response.arrayBuffer()).byteLength;
      if (bytes !== f.bytes) return false;
      await response.body?.cancel();
    }
    return true;
  } catch {
    return false;
  }
}

export { CvmatchError, MAX_WORKERS, copyError };
