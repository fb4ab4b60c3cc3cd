// cvmatch client: runs the sentence encoder in a module Web Worker and talks to it with
// the message protocol in docs/protocol.md. Every request gets an id; its Promise settles
// with the reply carrying that id. If the worker dies, every pending Promise rejects with
// an Error whose `code` is `worker_crashed`.

/**
 * @typedef {'io'|'model'|'integrity'|'bad_input'|'network'|'html_response'|'quota'|'index'|'worker_crashed'} ErrorCode
 */

/**
 * @typedef {object} ProgressEvent
 * @property {'progress'} type
 * @property {string|null} file  file name, or null for the overall figure
 * @property {number} loaded     bytes so far
 * @property {number} total      bytes expected
 */

/**
 * @typedef {object} ReadyInfo
 * @property {boolean} cached  whether every model file is now in the Cache API store
 * @property {object} profile  the load profile (see docs/protocol.md)
 */

/**
 * @typedef {object} MatcherOptions
 * @property {string} modelUrl  URL of the model directory holding manifest.json
 *   (resolved against the page's URL)
 * @property {string} [weights='f32']  weights format listed in the manifest
 * @property {(event: ProgressEvent) => void} [onProgress]  download progress, per file and overall
 */

/** An Error with a stable, machine-readable `code`. */
export class CvmatchError extends Error {
  /**
   * @param {ErrorCode|string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'CvmatchError';
    /** @type {ErrorCode|string} */
    this.code = code;
  }
}

/** A sentence encoder running in a Web Worker. Create it with {@link createMatcher}. */
export class Matcher {
  /** @type {Worker} */ #worker;
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */ #pending = new Map();
  #nextId = 1;
  /** @type {CvmatchError|null} */ #dead = null;
  /** @type {((e: ProgressEvent) => void)|undefined} */ #onProgress;
  /** @type {ReadyInfo|null} */
  ready = null;

  /**
   * @param {Worker} worker
   * @param {(e: ProgressEvent) => void} [onProgress]
   */
  constructor(worker, onProgress) {
    this.#worker = worker;
    this.#onProgress = onProgress;
    worker.addEventListener('message', (event) => this.#onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.#die(`the cvmatch worker crashed: ${event.message || 'script error'}`);
    });
    worker.addEventListener('messageerror', () => this.#die('a worker message could not be read'));
  }

  /** @param {any} msg */
  #onMessage(msg) {
    if (msg == null || typeof msg !== 'object') return;
    if (msg.type === 'progress') {
      try { this.#onProgress?.(msg); } catch (e) { setTimeout(() => { throw e; }); }
      return;
    }
    if (msg.type === 'ready') {
      this.ready = { cached: msg.cached, profile: msg.profile };
      return;
    }
    if (msg.type === 'fatal') {
      this.#die(msg.error?.message ?? 'the worker failed to start', msg.error?.code);
      return;
    }
    const entry = this.#pending.get(msg.id);
    if (!entry) return;
    this.#pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new CvmatchError(msg.error?.code ?? 'model', msg.error?.message ?? 'unknown error'));
  }

  /**
   * Rejects every pending request and refuses new ones.
   * @param {string} message
   * @param {string} [code='worker_crashed']
   */
  #die(message, code = 'worker_crashed') {
    if (this.#dead) return;
    this.#dead = new CvmatchError(code, message);
    this.#worker.terminate();
    for (const { reject } of this.#pending.values()) reject(new CvmatchError(code, message));
    this.#pending.clear();
  }

  /**
   * Sends one request.
   * @param {string} op
   * @param {object} [args]
   * @returns {Promise<any>}
   */
  request(op, args) {
    if (this.#dead) return Promise.reject(new CvmatchError(this.#dead.code, this.#dead.message));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ id, op, args });
      } catch (e) {
        this.#pending.delete(id);
        reject(new CvmatchError('bad_input', `cannot send ${op}: ${/** @type {Error} */ (e).message}`));
      }
    });
  }

  /**
   * Embeds texts: one L2-normalised Float32Array per text, in order.
   * @param {string[]} texts
   * @returns {Promise<Float32Array[]>}
   */
  embed(texts) {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      return Promise.reject(new CvmatchError('bad_input', 'embed expects an array of strings'));
    }
    return this.request('embed', { texts });
  }

  /**
   * Scores a resume against a job: 0–100 with its band, parts, requirement coverage with
   * evidence lines, matched and missing terms (the report of `cvmatch explain`).
   * @param {string} resume
   * @param {string} job
   * @returns {Promise<import('./index.d.ts').MatchReport>}
   */
  score(resume, job) {
    return this.request('score', { resume, job });
  }

  /**
   * The same report as {@link Matcher#score}, named for the explanation it carries.
   * @param {string} resume
   * @param {string} job
   * @returns {Promise<import('./index.d.ts').MatchReport>}
   */
  explain(resume, job) {
    return this.request('explain', { resume, job });
  }

  /**
   * Ranks jobs for one resume, best first (`index` is the job's position in `jobs`).
   * @param {string} resume
   * @param {string[]} jobs
   * @param {{top?: number}} [options]  at most `top` entries (default 10)
   * @returns {Promise<import('./index.d.ts').Ranked[]>}
   */
  rank(resume, jobs, { top = 10, filter, reports } = {}) {
    if (jobs instanceof JobIndex) {
      return this.request('rankIndex', { resume, index: jobs.url, top, filter, reports });
    }
    return this.request('rank', { resume, jobs, top });
  }

  /**
   * Loads a precomputed job index (`.cvx`, from `cvmatch index build`) through the same
   * verified cache as the model files; it must come from the loaded model and weights.
   * Pass the result to `rank(resume, index, {top, filter})`.
   * @param {string} url  relative to the page
   * @returns {Promise<JobIndex>}
   */
  async loadIndex(url) {
    const href = new URL(url, globalThis.location?.href).href;
    return new JobIndex(await this.request('loadIndex', { url: href }));
  }

  /**
   * Ranks resumes for one job, best first (`index` is the resume's position in `resumes`).
   * @param {string} job
   * @param {string[]} resumes
   * @param {{top?: number}} [options]  at most `top` entries (default 10)
   * @returns {Promise<import('./index.d.ts').Ranked[]>}
   */
  rankCandidates(job, resumes, { top = 10 } = {}) {
    return this.request('rankCandidates', { job, resumes, top });
  }

  /**
   * The provisional, lexical-only report (`provisional: true`); needs no model.
   * @param {string} resume
   * @param {string} job
   * @returns {Promise<import('./index.d.ts').MatchReport>}
   */
  lexicalScore(resume, job) {
    return this.request('lexicalScore', { resume, job });
  }

  /**
   * Embeds two fixed sentences and checks unit norms and their known cosine.
   * @returns {Promise<{healthy: boolean, norms: number[], cosine: number, expectedCosine: number|null, tolerance: number, ms: number}>}
   */
  health() {
    return this.request('health');
  }

  /**
   * The load profile and usage counters.
   * @returns {Promise<{load: object|null, usage: {embedCalls: number, texts: number, tokens: number, embedMs: number}}>}
   */
  profile() {
    return this.request('profile');
  }

  /**
   * Deletes the cached model files (the loaded model keeps working).
   * @returns {Promise<{deleted: boolean}>}
   */
  clearCache() {
    return this.request('clearCache');
  }

  /** Stops the worker; pending requests reject with `worker_crashed`. */
  terminate() {
    this.#die('the worker was terminated');
  }
}

/** A job index loaded in the worker (see `Matcher.loadIndex`). */
export class JobIndex {
  /** @param {{url: string, jobs: number}} info  what the worker reported */
  constructor(info) {
    /** The absolute URL it was loaded from (the worker keeps it under this key). */
    this.url = info.url;
    /** Number of jobs. */
    this.jobs = info.jobs;
    /** Everything the worker reported (bytes, source, cached, timings, model). */
    this.info = info;
  }
}

/**
 * Starts a worker, loads the model (from the Cache API store when it holds verified
 * copies, else from the network) and resolves once it is ready.
 * @param {MatcherOptions} options
 * @returns {Promise<Matcher>}
 */
export async function createMatcher({ modelUrl, weights = 'f32', onProgress } = /** @type {any} */ ({})) {
  if (typeof modelUrl !== 'string' || modelUrl === '') {
    throw new CvmatchError('bad_input', 'createMatcher needs a modelUrl');
  }
  const base = globalThis.location?.href;
  const url = new URL(modelUrl, base).href;
  /** @type {Worker} */
  let worker;
  try {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'cvmatch' });
  } catch (e) {
    // e.g. a page opened from file://, or a CSP without worker-src for this origin
    throw new CvmatchError('network', `cannot start the cvmatch worker: ${/** @type {Error} */ (e).message}`);
  }
  const matcher = new Matcher(worker, onProgress);
  try {
    const profile = await matcher.request('load', { modelUrl: url, weights });
    matcher.ready = { cached: profile.cached, profile };
  } catch (e) {
    matcher.terminate();
    throw e;
  }
  return matcher;
}
