// cvmatch client: runs the sentence encoder in module Web Workers (a pool of one or more)
// and talks to each with the message protocol in docs/protocol.md. Every request gets an
// id; its Promise settles with the reply carrying that id. If a worker dies, every Promise
// pending on it rejects with an Error whose `code` is `worker_crashed`; the pool goes on
// with the workers left, and the matcher is dead once none is left.
//
// The pool lives here, in the page, and nowhere else: each worker is the same single-model
// worker (worker.js) answering the same protocol; it knows nothing of the others.
//
// * Loading: worker 0 loads the model first (network, then the Cache API store). Once it is
//   ready, createMatcher resolves and the other workers start; they read the files from the
//   store, and each joins the pool when its `load` succeeds. An extra worker that fails is
//   dropped, with its reason in `matcher.pool.dropped`.
// * Routing: `embed` splits a batch into contiguous slices, one per worker; index ops go
//   to workers holding that index (every worker loads every index, see loadIndex);
//   `load`, `profile` and `clearCache` go to the primary worker (the lowest-numbered one
//   alive, normally worker 0); everything else to the worker with the fewest pending requests.
// * Events: progress and ready events are passed on from the primary worker only.

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
 * @property {string} [weights='q8']  weights format listed in the manifest: 'q8' (21 MB,
 *   8-bit linear layers, 6-bit embeddings, expanded to f32 at load; min cosine 0.9994 to the
 *   original), 'f16' (45 MB) or 'f32' (91 MB, the original)
 * @property {number} [workers]  Web Workers in the pool, 1 to {@link MAX_WORKERS}
 *   (default: {@link defaultWorkerCount}); each holds its own copy of the model
 * @property {(event: ProgressEvent) => void} [onProgress]  download progress, per file and overall
 */

/**
 * @typedef {object} DroppedWorker
 * @property {number} worker   its number (0 is the one that loaded the model first)
 * @property {string} code     the error code that ended it
 * @property {string} message  why
 */

/**
 * @typedef {object} PoolStatus
 * @property {number} requested  workers asked for (the `workers` option, or its default)
 * @property {number} ready      workers answering requests now
 * @property {number} loading    workers still loading the model (from the Cache API store)
 * @property {DroppedWorker[]} dropped  workers that failed to load or died, in order
 * @property {string} [note]     why fewer workers than requested were started, if so
 */

/** Largest accepted `workers` option. */
export const MAX_WORKERS = 16;

/** `embed` weighs a text by its length in characters, capped at about the 256 tokens the
 * encoder keeps of a text (English runs about 4–5 characters per token). */
const EMBED_WEIGHT_CAP = 1200;
/** …plus a fixed cost per text (special tokens, pooling, the reply). */
const EMBED_WEIGHT_PER_TEXT = 12;

/** Keys reserved for createMatcher (not callable from outside this module). */
const GROW = Symbol('cvmatch.grow');

/**
 * The default pool size: one worker per core but one (the page's own thread needs a core),
 * at most 4, and at most one per 4 GB of device memory (`navigator.deviceMemory`, Chromium;
 * 2 when the browser does not say), so that the pool's copies of the model (about 200 MB
 * each in Chromium at f32) stay near 5 % of the device's memory. A 2-core machine gets 1.
 * Beyond a few workers the memory buys little: a single request never spans workers; only
 * `embed` batches and concurrent calls gain.
 * @returns {number}
 */
export function defaultWorkerCount() {
  const nav = /** @type {any} */ (globalThis.navigator);
  const cores = Number(nav?.hardwareConcurrency) || 2;
  const memoryGb = Number(nav?.deviceMemory) || 0;
  const byMemory = memoryGb > 0 ? Math.floor(memoryGb / 4) : 2;
  return Math.max(1, Math.min(4, cores - 1, byMemory));
}

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

/** A fresh copy of an error (each rejection gets its own object). */
const copyError = (/** @type {CvmatchError} */ e) => new CvmatchError(e.code, e.message);

/**
 * Starts one worker. The expression stays literal: bundlers (webpack, Vite) recognise
 * `new Worker(new URL('./worker.js', import.meta.url))` and emit the worker from it.
 * @returns {Worker}
 */
function spawnWorker() {
  try {
    return new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'cvmatch' });
  } catch (e) {
    // e.g. a page opened from file://, or a CSP without worker-src for this origin
    throw new CvmatchError('network', `cannot start the cvmatch worker: ${/** @type {Error} */ (e).message}`);
  }
}

/** One worker of the pool: its pending requests, and what it has loaded. */
class WorkerConnection {
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
  pending = new Map();
  /** @type {CvmatchError|null} */
  dead = null;
  /** URLs of the job indexes loaded in this worker. @type {Set<string>} */
  indexes = new Set();
  #nextId = 1;
  #onEvent;
  #onDeath;

  /**
   * @param {Worker} worker
   * @param {number} index  its number in the pool
   * @param {(conn: WorkerConnection, msg: any) => void} onEvent  progress and ready events
   * @param {(conn: WorkerConnection, error: CvmatchError) => void} onDeath
   */
  constructor(worker, index, onEvent, onDeath) {
    this.worker = worker;
    this.index = index;
    this.#onEvent = onEvent;
    this.#onDeath = onDeath;
    worker.addEventListener('message', (event) => this.#onMessage(event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      const which = index === 0 ? 'the cvmatch worker' : `cvmatch worker ${index}`;
      this.kill(`${which} crashed: ${event.message || 'script error'}`);
    });
    worker.addEventListener('messageerror', () => this.kill('a worker message could not be read'));
  }

  /** @param {any} msg */
  #onMessage(msg) {
    if (msg == null || typeof msg !== 'object') return;
    if (msg.type === 'progress' || msg.type === 'ready') {
      this.#onEvent(this, msg);
      return;
    }
    if (msg.type === 'fatal') {
      this.kill(msg.error?.message ?? 'the worker failed to start', msg.error?.code);
      return;
    }
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new CvmatchError(msg.error?.code ?? 'model', msg.error?.message ?? 'unknown error'));
  }

  /**
   * Sends one request to this worker.
   * @param {string} op
   * @param {object} [args]
   * @returns {Promise<any>}
   */
  send(op, args) {
    if (this.dead) return Promise.reject(copyError(this.dead));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, op, args });
      } catch (e) {
        this.pending.delete(id);
        reject(new CvmatchError('bad_input', `cannot send ${op}: ${/** @type {Error} */ (e).message}`));
      }
    });
  }

  /**
   * Stops the worker and rejects every request pending on it.
   * @param {string} message
   * @param {string} [code='worker_crashed']
   */
  kill(message, code = 'worker_crashed') {
    if (this.dead) return;
    this.dead = new CvmatchError(code, message);
    this.worker.terminate();
    for (const { reject } of this.pending.values()) reject(copyError(this.dead));
    this.pending.clear();
    this.#onDeath(this, this.dead);
  }
}

/**
 * Cuts `texts` into `parts` contiguous, non-empty slices of about equal work.
 * @param {string[]} texts  at least `parts` of them
 * @param {number} parts
 * @returns {number[]} `parts + 1` boundaries, from 0 to texts.length
 */
function splitBalanced(texts, parts) {
  const weights = texts.map((t) => Math.min(t.length, EMBED_WEIGHT_CAP) + EMBED_WEIGHT_PER_TEXT);
  const total = weights.reduce((a, b) => a + b, 0);
  const bounds = [0];
  let i = 0;
  let done = 0;
  for (let part = 1; part < parts; part++) {
    const target = (total * part) / parts;
    const least = bounds[part - 1] + 1; // this slice holds one text at least…
    const most = texts.length - (parts - part); // …and leaves one for each slice after it
    while (i < least) done += weights[i++];
    while (i < most && Math.abs(done + weights[i] - target) <= Math.abs(done - target)) done += weights[i++];
    bounds.push(i);
  }
  bounds.push(texts.length);
  return bounds;
}

/**
 * A sentence encoder running in a pool of Web Workers. Create it with {@link createMatcher}.
 *
 * `new Matcher(worker, onProgress)` wraps one worker that has not loaded a model yet (send it
 * `request('load', …)` yourself); it is a pool of one.
 */
export class Matcher {
  /** Every worker started, by number. @type {WorkerConnection[]} */
  #all = [];
  /** Workers answering requests, by number. @type {WorkerConnection[]} */
  #members = [];
  /** Extra workers still loading. */
  #loading = 0;
  #requested = 1;
  /** @type {DroppedWorker[]} */
  #dropped = [];
  /** @type {string|undefined} */
  #note;
  /** URLs of the job indexes loaded through this matcher (workers joining later load them). */
  #indexUrls = new Set();
  /** Requests waiting for a worker (none is ready, some are loading). @type {{resolve: () => void, reject: (e: Error) => void}[]} */
  #waiting = [];
  /** @type {((status: PoolStatus) => void)[]} */
  #onSettled = [];
  /** @type {CvmatchError|null} */
  #dead = null;
  #terminated = false;
  /** @type {CvmatchError|null} */
  #lastError = null;
  /** @type {((e: ProgressEvent) => void)|undefined} */
  #onProgress;
  /** @type {ReadyInfo|null} */
  ready = null;

  /**
   * @param {Worker} worker  a worker running worker.js (becomes worker 0)
   * @param {(e: ProgressEvent) => void} [onProgress]
   */
  constructor(worker, onProgress) {
    this.#onProgress = onProgress;
    this.#members.push(this.#connect(worker, 0));
  }

  /**
   * @param {Worker} worker
   * @param {number} index
   */
  #connect(worker, index) {
    const conn = new WorkerConnection(worker, index,
      (c, msg) => this.#onEvent(c, msg), (c, error) => this.#onDeath(c, error));
    this.#all[index] = conn;
    return conn;
  }

  /**
   * Progress and ready events of the primary worker; the others read the cache.
   * @param {WorkerConnection} conn
   * @param {any} msg
   */
  #onEvent(conn, msg) {
    if (conn !== this.#members[0]) return;
    if (msg.type === 'progress') {
      try { this.#onProgress?.(msg); } catch (e) { setTimeout(() => { throw e; }); }
    } else if (msg.type === 'ready') {
      this.ready = { cached: msg.cached, profile: msg.profile };
    }
  }

  /**
   * A worker died (crashed, failed to load, or was terminated): drop it; the matcher dies
   * with the last one.
   * @param {WorkerConnection} conn
   * @param {CvmatchError} error
   */
  #onDeath(conn, error) {
    const at = this.#members.indexOf(conn);
    if (at >= 0) this.#members.splice(at, 1);
    if (this.#terminated || this.#dead) return;
    this.#dropped.push({ worker: conn.index, code: error.code, message: error.message });
    this.#lastError = error;
    this.#checkAlive();
  }

  /** Dies when no worker is left: neither a ready one nor one still loading. */
  #checkAlive() {
    if (this.#dead || this.#members.length > 0 || this.#loading > 0) return;
    this.#shutDown(this.#lastError ?? new CvmatchError('worker_crashed', 'no cvmatch worker is left'));
  }

  /** @param {CvmatchError} error */
  #shutDown(error) {
    this.#dead = copyError(error);
    for (const conn of this.#all) conn?.kill(error.message, error.code);
    for (const w of this.#waiting.splice(0)) w.reject(copyError(error));
    this.#checkSettled();
  }

  #checkSettled() {
    if (this.#loading > 0 && !this.#dead) return;
    const status = this.pool;
    for (const f of this.#onSettled.splice(0)) f(status);
  }

  /**
   * Resolves with a worker to send to once one is ready (at once when one is).
   * @returns {Promise<void>}
   */
  #whenMember() {
    if (this.#dead) return Promise.reject(copyError(this.#dead));
    if (this.#members.length > 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /**
   * The ready worker with the fewest pending requests (ties: the lowest number).
   * @param {WorkerConnection[]} [among]
   */
  #leastBusy(among = this.#members) {
    let best = among[0];
    for (const c of among) if (c.pending.size < best.pending.size) best = c;
    return best;
  }

  /**
   * Where a request goes (there is at least one ready worker).
   * @param {string} op
   * @param {any} args
   */
  #route(op, args) {
    if (op === 'load' || op === 'profile' || op === 'clearCache') return this.#members[0];
    if (typeof args?.index === 'string') {
      // rankIndex, benchIndex: a worker that holds the index
      const holders = this.#members.filter((c) => c.indexes.has(args.index));
      if (holders.length > 0) return this.#leastBusy(holders);
    }
    return this.#leastBusy();
  }

  /**
   * Sends one raw protocol request (docs/protocol.md) to one worker of the pool, chosen as
   * the class comment says; `loadIndex` goes to every worker.
   * @param {string} op
   * @param {object} [args]
   * @returns {Promise<any>}
   */
  request(op, args) {
    if (this.#dead) return Promise.reject(copyError(this.#dead));
    if (this.#members.length === 0) return this.#whenMember().then(() => this.request(op, args));
    if (op === 'loadIndex' && typeof (/** @type {any} */ (args)?.url) === 'string') {
      return this.#loadIndexEverywhere(/** @type {any} */ (args));
    }
    const index = /** @type {any} */ (args)?.index;
    if (typeof index === 'string' && this.#indexUrls.has(index)
      && !this.#members.some((c) => c.indexes.has(index))) {
      // Every worker that held it has died: load it again into one that is left.
      return this.#loadIndexInto(this.#leastBusy(), index).then((conn) => conn.send(op, args));
    }
    return this.#route(op, args).send(op, args);
  }

  /**
   * Loads an index into the primary worker (which downloads and caches it, with progress
   * events), then into the other ready workers (from the cache). Rejects only if the first
   * load fails; a worker that fails to load it just does not get rank requests for it.
   * @param {{url: string}} args
   */
  async #loadIndexEverywhere(args) {
    const first = this.#members[0];
    const info = await first.send('loadIndex', args);
    first.indexes.add(args.url);
    this.#indexUrls.add(args.url);
    const others = this.#members.filter((c) => c !== first);
    await Promise.allSettled(others.map((c) => this.#loadIndexInto(c, args.url)));
    return info;
  }

  /**
   * @param {WorkerConnection} conn
   * @param {string} url
   * @returns {Promise<WorkerConnection>}
   */
  async #loadIndexInto(conn, url) {
    await conn.send('loadIndex', { url });
    conn.indexes.add(url);
    return conn;
  }

  /**
   * Starts workers 1 … size-1 once worker 0 has loaded the model into the cache.
   * Called by createMatcher only.
   * @param {number} size
   * @param {{modelUrl: string, weights: string}} loadArgs
   */
  [GROW](size, loadArgs) {
    this.#requested = size;
    if (size <= 1 || this.#dead) return;
    if (this.ready && this.ready.cached === false) {
      const why = /** @type {any} */ (this.ready.profile)?.cacheNote;
      this.#note = `1 worker instead of ${size}: the model files are not in the Cache API store`
        + `${why ? ` (${why})` : ''}, so every further worker would download them again`;
      return;
    }
    for (let i = 1; i < size; i++) this.#startExtra(i, loadArgs);
  }

  /**
   * Starts one extra worker: load the model (from the cache), then every index loaded so
   * far, then join the pool.
   * @param {number} index
   * @param {{modelUrl: string, weights: string}} loadArgs
   */
  async #startExtra(index, loadArgs) {
    /** @type {WorkerConnection} */
    let conn;
    try {
      conn = this.#connect(spawnWorker(), index);
    } catch (e) {
      const error = /** @type {CvmatchError} */ (e);
      this.#dropped.push({ worker: index, code: error.code, message: error.message });
      return;
    }
    this.#loading++;
    try {
      await conn.send('load', loadArgs);
      // Indexes loaded meanwhile (loadIndex may add more while these load: loop until none).
      const tried = new Set();
      for (;;) {
        const missing = [...this.#indexUrls].filter((u) => !tried.has(u));
        if (missing.length === 0) break;
        for (const url of missing) {
          tried.add(url);
          await this.#loadIndexInto(conn, url).catch((e) => { if (conn.dead) throw e; });
        }
      }
      if (!conn.dead && !this.#dead) {
        const at = this.#members.findIndex((c) => c.index > index);
        this.#members.splice(at < 0 ? this.#members.length : at, 0, conn);
        for (const w of this.#waiting.splice(0)) w.resolve();
      }
    } catch (e) {
      const error = /** @type {CvmatchError} */ (e);
      conn.kill(error.message, error.code); // no-op when it died already; records why
    } finally {
      this.#loading--;
      this.#checkAlive();
      this.#checkSettled();
    }
  }

  /** Workers answering requests now (the pool grows to `pool.requested` as they load). */
  get workers() {
    return this.#members.length;
  }

  /**
   * The pool: workers requested, ready and loading, and those dropped with the reason.
   * @returns {PoolStatus}
   */
  get pool() {
    /** @type {PoolStatus} */
    const status = {
      requested: this.#requested,
      ready: this.#members.length,
      loading: this.#dead ? 0 : this.#loading,
      dropped: this.#dropped.map((d) => ({ ...d })),
    };
    if (this.#note) status.note = this.#note;
    return status;
  }

  /**
   * Resolves (never rejects) with the pool status once no worker is loading any more: every
   * worker started has joined the pool or been dropped.
   * @returns {Promise<PoolStatus>}
   */
  poolReady() {
    if (this.#loading === 0 || this.#dead) return Promise.resolve(this.pool);
    return new Promise((resolve) => this.#onSettled.push(resolve));
  }

  /**
   * Embeds texts: one L2-normalised Float32Array per text, in order. With several workers
   * ready, a batch of two texts or more is cut into contiguous slices of about equal length,
   * one per worker, embedded at the same time; one failed slice rejects the call.
   * @param {string[]} texts
   * @returns {Promise<Float32Array[]>}
   */
  embed(texts) {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) {
      return Promise.reject(new CvmatchError('bad_input', 'embed expects an array of strings'));
    }
    const parts = Math.min(this.#members.length, texts.length);
    if (this.#dead || parts < 2) return this.request('embed', { texts });
    const workers = [...this.#members]
      .sort((a, b) => a.pending.size - b.pending.size || a.index - b.index)
      .slice(0, parts);
    const bounds = splitBalanced(texts, parts);
    return Promise.all(workers.map((c, i) => c.send('embed', { texts: texts.slice(bounds[i], bounds[i + 1]) })))
      .then((slices) => slices.flat());
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
   * @param {string[]|JobIndex} jobs  job texts, or an index from loadIndex
   * @param {{top?: number, filter?: object, reports?: number}} [options]  at most `top`
   *   entries (default 10); over an index, a filter and how many reports to attach
   * @returns {Promise<any>}  Ranked[] for texts, an IndexRanking for an index (index.d.ts)
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
   * Every worker of the pool loads it (the first from the network, the others from the
   * cache); workers that join later load it before they take requests.
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
   * Embeds two fixed sentences and checks unit norms and their known cosine (in one worker).
   * @returns {Promise<{healthy: boolean, norms: number[], cosine: number, expectedCosine: number|null, tolerance: number, ms: number}>}
   */
  health() {
    return this.request('health');
  }

  /**
   * The primary worker's load profile, usage counters summed over the ready workers, and
   * each ready worker's own reply in `workers` (with the indexes it holds).
   * @returns {Promise<{load: object|null, usage: {embedCalls: number, texts: number, tokens: number, embedMs: number}, workers: object[]}>}
   */
  async profile() {
    await this.#whenMember();
    const members = [...this.#members];
    const replies = await Promise.all(members.map((c, i) => {
      const reply = c.send('profile');
      return i === 0 ? reply : reply.catch(() => null); // a worker dying meanwhile is left out
    }));
    /** @type {any[]} */
    const workers = [];
    replies.forEach((reply, i) => {
      if (reply) workers.push({ worker: members[i].index, indexes: [...members[i].indexes], ...reply });
    });
    const usage = { ...replies[0].usage };
    for (const w of workers.slice(1)) {
      for (const [key, value] of Object.entries(w.usage ?? {})) {
        if (typeof value === 'number' && typeof usage[key] === 'number') usage[key] += value;
      }
    }
    return { ...replies[0], usage, workers };
  }

  /**
   * Deletes the cached model files (the loaded model keeps working).
   * @returns {Promise<{deleted: boolean}>}
   */
  clearCache() {
    return this.request('clearCache');
  }

  /** Stops every worker; pending requests reject with `worker_crashed`. */
  terminate() {
    if (this.#dead) return;
    this.#terminated = true;
    this.#shutDown(new CvmatchError('worker_crashed', 'the worker was terminated'));
  }
}

/** A job index loaded in the workers (see `Matcher.loadIndex`). */
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
 * Starts worker 0, loads the model (from the Cache API store when it holds verified copies,
 * else from the network) and resolves once it is ready; the other workers of the pool then
 * start and load from the store, joining as they become ready (see `matcher.poolReady()`).
 * @param {MatcherOptions} options
 * @returns {Promise<Matcher>}
 */
export async function createMatcher({ modelUrl, weights = 'q8', workers, onProgress } = /** @type {any} */ ({})) {
  if (typeof modelUrl !== 'string' || modelUrl === '') {
    throw new CvmatchError('bad_input', 'createMatcher needs a modelUrl');
  }
  const size = workers === undefined ? defaultWorkerCount() : workers;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_WORKERS) {
    const got = typeof workers === 'number' ? String(workers) : typeof workers;
    throw new CvmatchError('bad_input', `workers must be an integer from 1 to ${MAX_WORKERS} (got ${got})`);
  }
  const base = globalThis.location?.href;
  const url = new URL(modelUrl, base).href;
  const matcher = new Matcher(spawnWorker(), onProgress);
  try {
    const profile = await matcher.request('load', { modelUrl: url, weights });
    matcher.ready = { cached: profile.cached, profile };
  } catch (e) {
    matcher.terminate();
    throw e;
  }
  matcher[GROW](size, { modelUrl: url, weights });
  return matcher;
}
