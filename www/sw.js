// The site's service worker: keeps a copy of the page's own files (www/ and the pkg/ client
// and wasm) so the site opens offline after one visit. Network first, so a new deploy is
// picked up at once; the stored copy only answers when the network does not.
// Model files are not touched here: the cvmatch worker keeps them in its own, verified
// Cache API store (`cvmatch-v1`, docs/protocol.md), and storing them twice would waste ~90 MB.

const CACHE = 'cvmatch-site-v1';
const SCOPE = new URL('./', self.location.href);
const PKG = new URL('../pkg/', self.location.href);

/** Fetched at install. Missing ones (e.g. vendor files not installed) are skipped. */
const PRECACHE = [
  './', './index.html', './site.css', './site.js', './matcher.js', './extract.js', './report.js',
  './cvmatch-fit.js', './job-example.html', './similarity.html', './similarity.js', './jobs/jobs.jsonl',
  './vendor/pdf.min.mjs', './vendor/pdf.worker.min.mjs', './vendor/mammoth.browser.min.js',
  '../pkg/index.js', '../pkg/api.js', '../pkg/pool.js', '../pkg/errors.js', '../pkg/worker.js', '../pkg/cvmatch_wasm.js',
  '../pkg/cvmatch_wasm_bg.wasm.gz', '../pkg/cvmatch_wasm_relaxed_bg.wasm.gz', '../pkg/cvmatch_wasm_meta.js',
].map((p) => new URL(p, self.location.href).href);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.allSettled(PRECACHE.map(async (url) => {
      const response = await fetch(url, { cache: 'no-cache' });
      // An unread body (a 404 for a page this deploy lacks) would hold its connection open.
      if (response.ok) await cache.put(url, response);
      else await response.body?.cancel();
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('cvmatch-site-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** @param {URL} url */
const ours = (url) => url.origin === self.location.origin
  && (url.href.startsWith(SCOPE.href) || url.href.startsWith(PKG.href));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!ours(url)) return; // models, other origins: the browser's own handling
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = url.origin + url.pathname; // search strings do not make new copies
    try {
      const response = await fetch(request);
      if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
      return response;
    } catch (e) {
      const stored = await cache.match(key) ?? (request.mode === 'navigate' ? await cache.match(new URL('./index.html', SCOPE).href) : undefined);
      if (stored) return stored;
      throw e;
    }
  })());
});
