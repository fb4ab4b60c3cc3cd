// A static server for the browser tests, bound to 127.0.0.1 only, serving the repository
// root (so /pkg/, /www/ and /models/ are reachable) with hooks to inject failures.
//
// * Every response carries `Cache-Control: no-store`, so a warm start can avoid the network
//   only through the Cache API, never through Chromium's HTTP cache.
// * `Access-Control-Allow-Origin: *`: a second server on another port can serve the model
//   cross-origin (as a CDN would), and be stopped while the page's server stays up.
// * `log` records every request (path, status, bytes actually sent).
// * `override(path, handler)` answers one path with a custom handler `(req, res) => void`;
//   `override(path, null)` removes it.
// * `/__test__.html` is a blank page that imports /pkg/index.js as `window.cvmatch`.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

const TEST_PAGE = `<!doctype html><meta charset="utf-8"><title>cvmatch test</title>
<script type="module">
import * as cvmatch from '/pkg/index.js';
window.cvmatch = cvmatch;
window.cvmatchLoaded = true;
</script>`;

/**
 * @param {{root?: string, port?: number}} [options]
 */
export function startServer({ root = REPO, port = 0 } = {}) {
  /** @type {{path: string, status: number, bytes: number}[]} */
  const log = [];
  /** @type {Map<string, (req: http.IncomingMessage, res: http.ServerResponse) => void>} */
  const overrides = new Map();
  const base = { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' };

  const server = http.createServer((req, res) => {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      urlPath = '/';
    }
    const entry = { path: urlPath, status: 0, bytes: 0 };
    log.push(entry);
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    // Count the body bytes actually handed to the socket.
    res.write = (chunk, ...rest) => { if (chunk) entry.bytes += Buffer.byteLength(chunk); return write(chunk, ...rest); };
    res.end = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk);
      entry.status = res.statusCode;
      return end(chunk, ...rest);
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...base, 'Access-Control-Allow-Headers': '*' });
      res.end();
      return;
    }
    const handler = overrides.get(urlPath);
    if (handler) {
      handler(req, res);
      return;
    }
    if (urlPath === '/favicon.ico') {
      res.writeHead(204, base);
      res.end();
      return;
    }
    if (urlPath === '/__test__.html') {
      res.writeHead(200, { ...base, 'Content-Type': MIME['.html'] });
      res.end(TEST_PAGE);
      return;
    }
    const file = path.resolve(root, '.' + urlPath);
    let st = null;
    if (file.startsWith(root + path.sep)) {
      try { st = fs.statSync(file); } catch { st = null; }
    }
    if (!st || !st.isFile() || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...base, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, {
      ...base,
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(st.size),
    });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).pipe(res);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({
        url: `http://127.0.0.1:${addr.port}`,
        port: addr.port,
        log,
        clearLog: () => { log.length = 0; },
        /** Body bytes sent for paths starting with `prefix`. */
        bytes: (prefix) => log.filter((e) => e.path.startsWith(prefix)).reduce((s, e) => s + e.bytes, 0),
        /** Requests for paths starting with `prefix`. */
        requests: (prefix) => log.filter((e) => e.path.startsWith(prefix)),
        override: (p, handler) => { if (handler) overrides.set(p, handler); else overrides.delete(p); },
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r(undefined)); }),
      });
    });
  });
}
