// Node's stand-in for a module Web Worker: worker_threads gives a bare global scope, so
// this bootstrap provides what cvmatch's worker (../worker.js and the wasm runtime in
// src/web/) uses of a DedicatedWorkerGlobalScope, then imports ../worker.js unchanged:
//   * `self`, postMessage, onmessage and add/removeEventListener('message') over parentPort;
//   * `WorkerGlobalScope` / `DedicatedWorkerGlobalScope`, so the runtime's `instanceof`
//     checks (wasm-bindgen's dyn_into) recognise this global as a worker scope;
//   * `caches`: the Cache API backed by a directory (./cache.js), `Cache`/`CacheStorage`;
//   * fetch for file: URLs (Node's fetch has none), streamed from the file with its
//     Content-Length; http(s) goes to Node's own fetch.
// Everything else the runtime uses (crypto.subtle, Response, Headers, ReadableStream,
// DecompressionStream, performance) is built into Node ≥ 20.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { Cache, CacheStorage } from './cache.js';

if (!parentPort) throw new Error('cvmatch/node/worker.js runs only as a worker_thread');
const port = parentPort;
const g = /** @type {any} */ (globalThis);

class WorkerGlobalScope extends EventTarget {
  static [Symbol.hasInstance](/** @type {unknown} */ value) {
    return value === globalThis;
  }
}
class DedicatedWorkerGlobalScope extends WorkerGlobalScope {
  static [Symbol.hasInstance](/** @type {unknown} */ value) {
    return value === globalThis;
  }
}
g.WorkerGlobalScope = WorkerGlobalScope;
g.DedicatedWorkerGlobalScope = DedicatedWorkerGlobalScope;
g.self = globalThis;
g.name = workerData?.name ?? 'cvmatch';

// Messages: listeners get {data}, as a MessageEvent.
/** @type {Set<(event: {data: unknown}) => void>} */
const listeners = new Set();
/** @type {((event: {data: unknown}) => void)|null} */
let onmessage = null;
// The port is started when the first listener is attached (as a Web Worker's messages wait
// for the script): until then Node keeps what the pool sent in the port's queue.
let started = false;
const start = () => {
  if (started) return;
  started = true;
  port.on('message', (data) => {
    const event = new MessageEvent('message', { data });
    for (const f of [...listeners]) f(event);
    onmessage?.(event);
  });
};
Object.defineProperty(globalThis, 'onmessage', {
  configurable: true,
  get: () => onmessage,
  set: (f) => { onmessage = typeof f === 'function' ? f : null; if (onmessage) start(); },
});
g.addEventListener = (/** @type {string} */ type, /** @type {any} */ f) => {
  if (type !== 'message') return;
  listeners.add(f);
  start();
};
g.removeEventListener = (/** @type {string} */ type, /** @type {any} */ f) => { if (type === 'message') listeners.delete(f); };
g.postMessage = (/** @type {unknown} */ message, /** @type {any} */ transfer) => {
  port.postMessage(message, Array.isArray(transfer) ? transfer : transfer?.transfer);
};

// The cache directory in place of the Cache API.
g.Cache = Cache;
g.CacheStorage = CacheStorage;
g.caches = new CacheStorage(workerData.cacheDir);

// fetch with file: URLs.
const nodeFetch = globalThis.fetch;
/**
 * @param {RequestInfo|URL} input
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
g.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file:')) return nodeFetch(input, init);
  const path = fileURLToPath(url);
  let info;
  try {
    info = await stat(path);
  } catch {
    return new Response(null, { status: 404, statusText: 'Not Found' });
  }
  if (!info.isFile()) return new Response(null, { status: 404, statusText: 'Not a file' });
  const body = /** @type {ReadableStream} */ (Readable.toWeb(createReadStream(path)));
  return new Response(body, { status: 200, headers: { 'content-length': String(info.size) } });
};

await import('../worker.js');
