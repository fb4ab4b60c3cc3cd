// The Cache API, backed by a directory, for Node (worker_threads have no `caches`).
//
// Only what cvmatch's worker uses (src/web/cache.rs, worker.js): caches.open/delete,
// cache.match/put/delete/keys, with the Cache API's semantics: `match` answers a Response
// or undefined, `put` resolves once the bytes are on disk, `delete` answers whether an
// entry was removed. Each entry is two files named by the sha256 of its URL: `<h>.body`
// (the bytes) and `<h>.json` ({url, status, headers}); both are written to a temporary
// name and renamed, so a crash never leaves a half-written entry behind a valid header.
// Hand-written: no npm package implements the Cache API over files, and this is ~100 lines.
// Verification stays where it is in the browser: the worker checks size and sha256 of
// every cached model file and index before use and deletes a copy that fails.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The default cache directory: $XDG_CACHE_HOME/cvmatch, else ~/.cache/cvmatch (on Windows
 * %LOCALAPPDATA%\cvmatch\cache, on macOS ~/Library/Caches/cvmatch).
 * @returns {string}
 */
export function defaultCacheDir() {
  const env = process.env;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'cvmatch');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'cvmatch', 'cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'cvmatch');
  return join(homedir(), '.cache', 'cvmatch');
}

const keyOf = (/** @type {string} */ url) => createHash('sha256').update(url).digest('hex');
const urlOf = (/** @type {any} */ request) => (typeof request === 'string' ? request : String(request?.url ?? request));
const safeName = (/** @type {string} */ name) => encodeURIComponent(name);

/** One named cache: a directory of entries. */
export class Cache {
  #dir;
  /** @param {string} dir */
  constructor(dir) {
    this.#dir = dir;
  }

  /**
   * @param {RequestInfo|URL} request
   * @returns {Promise<Response|undefined>}
   */
  async match(request) {
    const key = keyOf(urlOf(request));
    try {
      const meta = JSON.parse(await readFile(join(this.#dir, `${key}.json`), 'utf8'));
      const body = await readFile(join(this.#dir, `${key}.body`));
      return new Response(body, { status: meta.status ?? 200, headers: meta.headers ?? {} });
    } catch {
      return undefined; // a miss, or an entry that cannot be read: the caller refetches
    }
  }

  /**
   * @param {RequestInfo|URL} request
   * @param {Response} response
   */
  async put(request, response) {
    const url = urlOf(request);
    const key = keyOf(url);
    const body = new Uint8Array(await response.arrayBuffer());
    await mkdir(this.#dir, { recursive: true });
    const tmp = `.${key}.${randomBytes(6).toString('hex')}.tmp`;
    /** @type {Record<string, string>} */
    const headers = {};
    response.headers.forEach((value, name) => { headers[name] = value; });
    try {
      await writeFile(join(this.#dir, `${tmp}.body`), body);
      await writeFile(join(this.#dir, `${tmp}.json`), JSON.stringify({ url, status: response.status, headers }));
      // body first: a reader finding the header always finds a complete body
      await rename(join(this.#dir, `${tmp}.body`), join(this.#dir, `${key}.body`));
      await rename(join(this.#dir, `${tmp}.json`), join(this.#dir, `${key}.json`));
    } catch (e) {
      await rm(join(this.#dir, `${tmp}.body`), { force: true });
      await rm(join(this.#dir, `${tmp}.json`), { force: true });
      const error = new DOMException(`cannot write ${url} to ${this.#dir}: ${/** @type {Error} */ (e).message}`,
        /** @type {any} */ (e).code === 'ENOSPC' ? 'QuotaExceededError' : 'UnknownError');
      throw error;
    }
  }

  /**
   * @param {RequestInfo|URL} request
   * @returns {Promise<boolean>}
   */
  async delete(request) {
    const key = keyOf(urlOf(request));
    let existed = true;
    try {
      await rm(join(this.#dir, `${key}.json`));
    } catch {
      existed = false;
    }
    await rm(join(this.#dir, `${key}.body`), { force: true });
    return existed;
  }

  /** @returns {Promise<{url: string}[]>} */
  async keys() {
    let names;
    try {
      names = await readdir(this.#dir);
    } catch {
      return [];
    }
    const out = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const meta = JSON.parse(await readFile(join(this.#dir, name), 'utf8'));
        out.push(new Request(meta.url));
      } catch {
        // a foreign or broken file: not an entry
      }
    }
    return out;
  }
}

/** `caches`: named caches under one directory. */
export class CacheStorage {
  #root;
  /** @param {string} root */
  constructor(root) {
    this.#root = root;
  }

  /** @param {string} name */
  async open(name) {
    const dir = join(this.#root, safeName(name));
    await mkdir(dir, { recursive: true });
    return new Cache(dir);
  }

  /** @param {string} name */
  async has(name) {
    try {
      await readdir(join(this.#root, safeName(name)));
      return true;
    } catch {
      return false;
    }
  }

  /** @param {string} name */
  async delete(name) {
    const existed = await this.has(name);
    await rm(join(this.#root, safeName(name)), { recursive: true, force: true });
    return existed;
  }
}
