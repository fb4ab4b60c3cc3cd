// The worker pool and its routing (the public API is api.js). Each worker is the same
// single-model worker (worker.js in browsers, node/worker.js in Node) answering the message
// protocol of docs/protocol.md; it knows nothing of the others. Every request gets an id;
// its Promise settles with the reply carrying that id.
//
// * Loading: worker 0 loads the model first (network, then the cache store) and posts its
//   compiled WebAssembly.Module; once it is ready the other workers start with that module
//   (no second download or compile), read the model files from the store, and each joins
//   the pool when its `load` succeeds. An extra worker that fails is dropped, with its
//   reason in `pool.dropped`.
// * Before worker 0 is ready, model-free ops (lexicalScore, read_document, indexMerge) go
//   to it at once (the runtime answers them while the model downloads); the rest wait.
// * Routing: `embed` splits a batch into contiguous slices, one per worker; index ops go to
//   workers holding that index (every worker loads every index, see loadIndex); `load`,
//   `profile` and `clearCache` go to the primary worker (the lowest-numbered one alive);
//   requests carrying the resume of the last such request to the worker that got it (it
//   keeps that resume prepared) unless it is busy; everything else to the worker with the
//   fewest pending requests.
// * Failure: a worker that crashes rejects what was pending on it with `worker_crashed`
//   and is restarted once (from the cache store); until a worker is ready again, requests
//   wait. terminate() rejects everything pending with `terminated`.
// * Cancelling: every call takes an AbortSignal and a timeout in ms. The call rejects at
//   once (`aborted`, `timeout`); the worker finishes the request and its reply is dropped
//   (wasm cannot be interrupted mid-call).
import { CvmatchError, abortError, copyError } from './errors.js';

/** Largest accepted `workers` option. */
export const MAX_WORKERS = 16;

/** How many times one worker number is restarted after a crash. */
const RESTARTS_PER_WORKER = 1;

/** Ops answered without a model: sent to worker 0 while it is still loading. */
const MODEL_FREE = new Set(['lexicalScore', 'read_document', 'indexMerge']);

/** `embed` weighs a text by its length in characters, capped at about the 256 tokens the
 * encoder keeps of a text (English runs about 4–5 characters per token). */
const EMBED_WEIGHT_CAP = 1200;
/** …plus a fixed cost per text (special tokens, pooling, the reply). */
const EMBED_WEIGHT_PER_TEXT = 12;

/**
 * What the pool needs of a worker: the Web Worker interface (Node's is wrapped to match).
 * @typedef {object} WorkerLike
 * @property {(type: string, f: (event: any) => void) => void} addEventListener
 * @property {(message: any, transfer?: any) => void} postMessage
 * @property {() => void} terminate
 * @property {() => void} [ref]    Node: keep the process alive (a request is pending)
 * @property {() => void} [unref]  Node: let the process exit (idle)
 */

/**
 * @typedef {object} CallOptions
 * @property {AbortSignal} [signal]  rejects the call with `aborted` (or `timeout` for
 *   AbortSignal.timeout) when it fires
 * @property {number} [timeout]      rejects the call with `timeout` after this many ms
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
 * @property {number} loading    workers still loading the model
 * @property {DroppedWorker[]} dropped  workers that failed to load or died, in order
 * @property {number} restarted  workers started again after a crash
 * @property {string} [note]     why fewer workers than requested were started, if so
 */

/**
 * Rejects a promise-returning wait when the signal fires or the timeout passes.
 * @template T
 * @param {Promise<T>} promise
 * @param {CallOptions} call
 * @returns {Promise<T>}
 */
function bounded(promise, { signal, timeout } = {}) {
  if (!signal && !timeout) return promise;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    /** @type {ReturnType<typeof setTimeout>|undefined} */
    let timer;
    const onAbort = () => { done(); reject(abortError(/** @type {AbortSignal} */ (signal))); };
    const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeout) timer = setTimeout(() => { done(); reject(new CvmatchError('timeout', `no answer within ${timeout} ms`)); }, timeout);
    promise.then((v) => { done(); resolve(v); }, (e) => { done(); reject(e); });
  });
}

/** One worker of the pool: its pending requests, and what it has loaded. */
class WorkerConnection {
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void}>} */
  pending = new Map();
  /** @type {CvmatchError|null} */
  dead = null;
  /** Whether it ever joined the pool (a crash after that is restarted). */
  joined = false;
  /** URLs of the job indexes loaded in this worker. @type {Set<string>} */
  indexes = new Set();
  #nextId = 1;
  #onEvent;
  #onDeath;

  /**
   * @param {WorkerLike} worker
   * @param {number} index  its number in the pool
   * @param {(conn: WorkerConnection, msg: any) => void} onEvent  progress, ready, wasm-module
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
    worker.unref?.();
  }

  /** @param {any} msg */
  #onMessage(msg) {
    if (msg == null || typeof msg !== 'object') return;
    if (msg.type === 'progress' || msg.type === 'ready' || msg.type === 'wasm-module') {
      this.#onEvent(this, msg);
      return;
    }
    if (msg.type === 'fatal') {
      this.kill(msg.error?.message ?? 'the worker failed to start', msg.error?.code);
      return;
    }
    const entry = this.pending.get(msg.id);
    if (!entry) return; // aborted or timed out meanwhile
    this.#settle(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new CvmatchError(msg.error?.code ?? 'model', msg.error?.message ?? 'unknown error'));
  }

  /** @param {number} id */
  #settle(id) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref?.();
  }

  /**
   * Sends one request to this worker.
   * @param {string} op
   * @param {object} [args]
   * @param {CallOptions} [call]
   * @param {Transferable[]} [transfer]
   * @returns {Promise<any>}
   */
  send(op, args, { signal, timeout } = {}, transfer) {
    if (this.dead) return Promise.reject(copyError(this.dead));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      /** @type {ReturnType<typeof setTimeout>|undefined} */
      let timer;
      const cancel = (/** @type {CvmatchError} */ error) => {
        if (!this.pending.has(id)) return;
        this.#settle(id);
        entry.reject(error);
      };
      const onAbort = () => cancel(abortError(/** @type {AbortSignal} */ (signal)));
      const cleanup = () => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); };
      const entry = {
        resolve: (/** @type {any} */ v) => { cleanup(); resolve(v); },
        reject: (/** @type {Error} */ e) => { cleanup(); reject(e); },
      };
      if (this.pending.size === 0) this.worker.ref?.();
      this.pending.set(id, entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout) {
        timer = setTimeout(() => cancel(new CvmatchError('timeout', `${op}: no answer within ${timeout} ms`)), timeout);
      }
      try {
        this.worker.postMessage({ id, op, args }, transfer);
      } catch (e) {
        cancel(new CvmatchError('bad_input', `cannot send ${op}: ${/** @type {Error} */ (e).message}`));
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
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(copyError(this.dead));
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
 * A pool of workers holding one model.
 */
export class Pool {
  /** Every worker started, by number (the latest start of each number). @type {WorkerConnection[]} */
  #all = [];
  /** Workers answering requests, by number. @type {WorkerConnection[]} */
  #members = [];
  /** Workers loading the model (worker 0 at first, extras, restarts). */
  #loading = 0;
  #requested;
  /** @type {DroppedWorker[]} */
  #dropped = [];
  /** Restarts per worker number. @type {Map<number, number>} */
  #restarts = new Map();
  /** @type {string|undefined} */
  #note;
  /** URLs of the job indexes loaded through this pool (workers joining later load them). */
  #indexUrls = new Set();
  /** Requests waiting for a ready worker. @type {{resolve: () => void, reject: (e: Error) => void}[]} */
  #waiting = [];
  /** @type {((status: PoolStatus) => void)[]} */
  #onSettled = [];
  /** @type {CvmatchError|null} */
  #dead = null;
  /** After a failed model load: worker 0, kept for the model-free ops. @type {WorkerConnection|null} */
  #modelFree = null;
  #terminated = false;
  /** @type {CvmatchError|null} */
  #lastError = null;
  /** The compiled module worker 0 posted, for the others. @type {WebAssembly.Module|null} */
  #module = null;
  #spawn;
  #onEvent;
  #loadArgs;
  /** Which build of the module a worker that loads it itself takes. */
  #simd;

  /**
   * @param {object} options
   * @param {(shared: boolean) => WorkerLike} options.spawn  starts a worker; `shared`: it
   *   will be sent the compiled module instead of fetching its own
   * @param {number} options.size  workers wanted
   * @param {{modelUrl: string, weights: string}} options.loadArgs
   * @param {(msg: any) => void} options.onEvent  progress and ready events of the loading worker
   * @param {'auto'|'relaxed'|'baseline'} [options.simd]  the module build (worker.js)
   */
  constructor({ spawn, size, loadArgs, onEvent, simd = 'auto' }) {
    this.#simd = simd;
    this.#spawn = spawn;
    this.#requested = size;
    this.#loadArgs = loadArgs;
    this.#onEvent = onEvent;
  }

  /**
   * Starts worker 0 and loads the model into it; resolves with its load profile, after which
   * the other workers start. Rejects (and the pool is dead) if that load fails.
   * @returns {Promise<any>}
   */
  async start() {
    this.#loading++;
    /** @type {WorkerConnection|null} */
    let conn = null;
    try {
      conn = this.#connect(this.#spawnWorker(0), 0);
      const profile = await conn.send('load', this.#loadArgs);
      this.#cachedNote = profile?.cached === false ? (profile.cacheNote || 'not stored') : null;
      this.#join(conn);
      return profile;
    } catch (e) {
      const error = e instanceof CvmatchError ? e : new CvmatchError('network', `cannot start cvmatch: ${/** @type {Error} */ (e)?.message ?? e}`);
      // A model that cannot load leaves worker 0 running (unless it crashed or the pool was
      // disposed): lexicalScore and read_document need no model and keep answering.
      this.#shutDown(this.#terminated ? new CvmatchError('terminated', 'the matcher was disposed') : error,
        this.#terminated || conn?.dead ? null : conn);
      throw copyError(/** @type {CvmatchError} */ (this.#dead ?? error));
    } finally {
      this.#loading--;
      if (!this.#dead) this.#grow();
      this.#checkSettled();
    }
  }

  /**
   * @param {number} index
   * @returns {WorkerLike}
   */
  #spawnWorker(index) {
    const module = index > 0 || this.#restarts.has(index) ? this.#module : null;
    if (module) {
      const worker = this.#spawn(true);
      try {
        worker.postMessage({ type: 'wasm-module', module });
        return worker;
      } catch {
        // a platform that cannot clone a WebAssembly.Module: this worker fetches its own
        worker.terminate();
        this.#module = null;
      }
    }
    const worker = this.#spawn(false);
    // its first message: which build of the module to load (worker.js)
    worker.postMessage({ type: 'wasm-simd', simd: this.#simd });
    return worker;
  }

  /**
   * @param {WorkerLike} worker
   * @param {number} index
   */
  #connect(worker, index) {
    const conn = new WorkerConnection(worker, index,
      (c, msg) => this.#onWorkerEvent(c, msg), (c, error) => this.#onDeath(c, error));
    this.#all[index] = conn;
    return conn;
  }

  /**
   * @param {WorkerConnection} conn
   * @param {any} msg
   */
  #onWorkerEvent(conn, msg) {
    if (msg.type === 'wasm-module') {
      this.#module ??= msg.module;
      return;
    }
    // Progress of worker 0's model load, then of the primary's index loads.
    const primary = this.#members.length > 0 ? this.#members[0] : this.#all[0];
    if (conn === primary) this.#onEvent(msg);
  }

  /** @param {WorkerConnection} conn */
  #join(conn) {
    if (conn.dead || this.#dead) return;
    conn.joined = true;
    const at = this.#members.findIndex((c) => c.index > conn.index);
    this.#members.splice(at < 0 ? this.#members.length : at, 0, conn);
    for (const w of this.#waiting.splice(0)) w.resolve();
  }

  /**
   * A worker died (crashed, failed to load, or was terminated): drop it, restart it once if
   * it had been serving, and die with the last one.
   * @param {WorkerConnection} conn
   * @param {CvmatchError} error
   */
  #onDeath(conn, error) {
    const at = this.#members.indexOf(conn);
    if (at >= 0) this.#members.splice(at, 1);
    if (this.#terminated || this.#dead) return;
    this.#dropped.push({ worker: conn.index, code: error.code, message: error.message });
    this.#lastError = error;
    const restarts = this.#restarts.get(conn.index) ?? 0;
    if (conn.joined && error.code === 'worker_crashed' && restarts < RESTARTS_PER_WORKER) {
      this.#restarts.set(conn.index, restarts + 1);
      this.#startExtra(conn.index);
    }
    this.#checkAlive();
  }

  /** Dies when no worker is left: neither a ready one nor one still loading. */
  #checkAlive() {
    if (this.#dead || this.#members.length > 0 || this.#loading > 0) return;
    this.#shutDown(this.#lastError ?? new CvmatchError('worker_crashed', 'no cvmatch worker is left'));
  }

  /**
   * @param {CvmatchError} error
   * @param {WorkerConnection|null} [keep]  a worker left running for the model-free ops
   */
  #shutDown(error, keep = null) {
    if (this.#dead) {
      if (this.#terminated) this.#modelFree?.kill(error.message, error.code);
      return;
    }
    this.#dead = copyError(error);
    this.#modelFree = keep;
    for (const conn of this.#all) if (conn !== keep) conn?.kill(error.message, error.code);
    for (const w of this.#waiting.splice(0)) w.reject(copyError(error));
    this.#checkSettled();
  }

  #checkSettled() {
    if (this.#loading > 0 && !this.#dead) return;
    const status = this.status;
    for (const f of this.#onSettled.splice(0)) f(status);
  }

  /**
   * Resolves once a worker is ready (at once when one is).
   * @param {CallOptions} [call]
   * @returns {Promise<void>}
   */
  whenReady(call) {
    if (this.#dead) return Promise.reject(copyError(this.#dead));
    if (this.#members.length > 0) return Promise.resolve();
    return bounded(new Promise((resolve, reject) => this.#waiting.push({ resolve, reject })), call);
  }

  /** The worker that last got a request with a resume, and that resume. @type {{resume: string, conn: WorkerConnection}|null} */
  #resumeHome = null;

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
    let among = this.#members;
    if (typeof args?.index === 'string') {
      const holders = this.#members.filter((c) => c.indexes.has(args.index));
      if (holders.length > 0) among = holders;
    }
    // Resume affinity: each worker keeps the last resume it prepared (src/web/resume_cache.rs),
    // so checks of the same resume go to the worker that prepared it, unless it is busy
    // with more than one other request.
    const resume = typeof args?.resume === 'string' ? args.resume : null;
    const home = this.#resumeHome;
    if (resume !== null && home?.resume === resume && among.includes(home.conn) && home.conn.pending.size <= 1) {
      return home.conn;
    }
    const conn = this.#leastBusy(among);
    if (resume !== null) this.#resumeHome = { resume, conn };
    return conn;
  }

  /**
   * Sends one raw protocol request (docs/protocol.md) to one worker, chosen as the file
   * comment says; `loadIndex` goes to every worker.
   * @param {string} op
   * @param {object} [args]
   * @param {CallOptions} [call]
   * @param {Transferable[]} [transfer]
   * @returns {Promise<any>}
   */
  request(op, args, call = {}, transfer) {
    if (this.#dead) {
      const free = this.#modelFree;
      if (MODEL_FREE.has(op) && free && !free.dead && !this.#terminated) return free.send(op, args, call, transfer);
      return Promise.reject(copyError(this.#dead));
    }
    if (call.signal?.aborted) return Promise.reject(abortError(call.signal));
    if (this.#members.length === 0) {
      const first = this.#all[0];
      if (MODEL_FREE.has(op) && first && !first.dead) return first.send(op, args, call, transfer);
      const started = Date.now();
      return this.whenReady(call).then(() => {
        const left = call.timeout ? Math.max(1, call.timeout - (Date.now() - started)) : undefined;
        return this.request(op, args, { ...call, timeout: left }, transfer);
      });
    }
    const a = /** @type {any} */ (args);
    if (op === 'loadIndex' && typeof a?.url === 'string') return this.#loadIndexEverywhere(a, call);
    const index = a?.index;
    if (typeof index === 'string' && this.#indexUrls.has(index)
      && !this.#members.some((c) => c.indexes.has(index))) {
      // Every worker that held it has died: load it again into one that is left.
      return this.#loadIndexInto(this.#leastBusy(), index, call).then((conn) => conn.send(op, args, call, transfer));
    }
    return this.#route(op, args).send(op, args, call, transfer);
  }

  /**
   * Loads an index into the primary worker (which downloads and caches it, with progress
   * events), then into the other ready workers (from the cache). Rejects only if the first
   * load fails; a worker that fails to load it just does not get rank requests for it.
   * @param {{url: string}} args
   * @param {CallOptions} call
   */
  async #loadIndexEverywhere(args, call) {
    const first = this.#members[0];
    const info = await first.send('loadIndex', args, call);
    first.indexes.add(args.url);
    this.#indexUrls.add(args.url);
    const others = this.#members.filter((c) => c !== first);
    await Promise.allSettled(others.map((c) => this.#loadIndexInto(c, args.url)));
    return info;
  }

  /**
   * @param {WorkerConnection} conn
   * @param {string} url
   * @param {CallOptions} [call]
   * @returns {Promise<WorkerConnection>}
   */
  async #loadIndexInto(conn, url, call) {
    await conn.send('loadIndex', { url }, call);
    conn.indexes.add(url);
    return conn;
  }

  /** Starts workers 1 … size-1 once worker 0 has loaded the model into the cache. */
  #grow() {
    const size = this.#requested;
    if (size <= 1 || this.#dead) return;
    const first = this.#all[0];
    if (first?.dead) return;
    if (this.#cachedNote) {
      this.#note = `1 worker instead of ${size}: the model files are not in the Cache API store (the cache directory in Node)`
        + ` (${this.#cachedNote}), so every further worker would download them again`;
      return;
    }
    for (let i = 1; i < size; i++) this.#startExtra(i);
  }

  /** Why worker 0 could not store the model, when it could not. @type {string|null} */
  #cachedNote = null;

  /**
   * Starts one extra (or restarted) worker: load the model (from the cache), then every
   * index loaded so far, then join the pool.
   * @param {number} index
   */
  async #startExtra(index) {
    /** @type {WorkerConnection} */
    let conn;
    try {
      conn = this.#connect(this.#spawnWorker(index), index);
    } catch (e) {
      const error = /** @type {CvmatchError} */ (e);
      this.#dropped.push({ worker: index, code: error.code, message: error.message });
      return;
    }
    this.#loading++;
    try {
      await conn.send('load', this.#loadArgs);
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
      this.#join(conn);
    } catch (e) {
      const error = /** @type {CvmatchError} */ (e);
      conn.kill(error.message, error.code); // no-op when it died already; records why
    } finally {
      this.#loading--;
      this.#checkAlive();
      this.#checkSettled();
    }
  }

  /** Workers answering requests now. */
  get workers() {
    return this.#members.length;
  }

  /** Whether the pool is dead (terminated, or no worker left). */
  get dead() {
    return this.#dead !== null;
  }

  /**
   * The pool: workers requested, ready and loading, and those dropped with the reason.
   * @returns {PoolStatus}
   */
  get status() {
    /** @type {PoolStatus} */
    const status = {
      requested: this.#requested,
      ready: this.#members.length,
      loading: this.#dead ? 0 : this.#loading,
      dropped: this.#dropped.map((d) => ({ ...d })),
      restarted: [...this.#restarts.values()].reduce((a, b) => a + b, 0),
    };
    if (this.#note) status.note = this.#note;
    return status;
  }

  /**
   * Resolves (never rejects) with the pool status once no worker is loading any more.
   * @returns {Promise<PoolStatus>}
   */
  settled() {
    if (this.#loading === 0 || this.#dead) return Promise.resolve(this.status);
    return new Promise((resolve) => this.#onSettled.push(resolve));
  }

  /**
   * Embeds texts, a batch split over the ready workers (see Matcher.embed).
   * @param {string[]} texts
   * @param {CallOptions} [call]
   * @returns {Promise<Float32Array[]>}
   */
  async embed(texts, call = {}) {
    await this.whenReady(call);
    const parts = Math.min(this.#members.length, texts.length);
    if (this.#dead || parts < 2) return this.request('embed', { texts }, call);
    const workers = [...this.#members]
      .sort((a, b) => a.pending.size - b.pending.size || a.index - b.index)
      .slice(0, parts);
    const bounds = splitBalanced(texts, parts);
    const slices = await Promise.all(workers.map((c, i) => c.send('embed', { texts: texts.slice(bounds[i], bounds[i + 1]) }, call)));
    return slices.flat();
  }

  /**
   * Sends `op` to every ready worker; the primary's reply first, a worker dying meanwhile
   * is left out.
   * @param {string} op
   * @param {CallOptions} [call]
   * @returns {Promise<{worker: number, indexes: string[], reply: any}[]>}
   */
  async broadcast(op, call = {}) {
    await this.whenReady(call);
    const members = [...this.#members];
    const replies = await Promise.all(members.map((c, i) => {
      const reply = c.send(op, undefined, call);
      return i === 0 ? reply : reply.catch(() => null);
    }));
    /** @type {{worker: number, indexes: string[], reply: any}[]} */
    const out = [];
    replies.forEach((reply, i) => {
      if (reply) out.push({ worker: members[i].index, indexes: [...members[i].indexes], reply });
    });
    return out;
  }

  /**
   * Stops every worker; pending and waiting calls reject with `terminated`.
   */
  terminate() {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#shutDown(new CvmatchError('terminated', 'the matcher was disposed'));
  }
}

export { bounded };
