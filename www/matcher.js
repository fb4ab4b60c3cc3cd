// Starts the cvmatch worker and hands back the matcher at once, before the model is loaded,
// so that `lexicalScore` (which needs no model) can answer while the weights download.
// createMatcher() in pkg/index.js only resolves once the model is ready; this does the same
// steps (docs/protocol.md: a `load` request) but exposes the matcher early.
import { Matcher, CvmatchError } from '../pkg/index.js';

const PKG = new URL('../pkg/', import.meta.url);

/**
 * The worker script's URL. Under the site's service worker (scope www/), a worker started
 * from /pkg/worker.js would be outside that scope, so its scripts and wasm would not come
 * from the offline copy; a blob worker inherits its page's service worker, so the page
 * starts one that imports the real worker.
 */
function workerUrl() {
  const real = new URL('worker.js', PKG).href;
  if (!navigator.serviceWorker?.controller) return real;
  const source = `import ${JSON.stringify(real)};\n`;
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

/**
 * @typedef {object} EarlyMatcher
 * @property {Matcher} matcher     usable now for lexicalScore; for the rest once `ready` resolves
 * @property {Promise<import('../pkg/index.d.ts').LoadProfile>} ready  the load profile
 */

/**
 * @param {{modelUrl: string|URL, weights?: string, onProgress?: (e: import('../pkg/index.d.ts').ProgressEvent) => void}} options
 * @returns {EarlyMatcher}
 */
export function startMatcher({ modelUrl, weights = 'q8', onProgress }) {
  const url = new URL(modelUrl, location.href).href;
  let worker;
  const script = workerUrl();
  try {
    worker = new Worker(script, { type: 'module', name: 'cvmatch' });
  } catch (e) {
    const error = new CvmatchError('network', `cannot start the cvmatch worker: ${/** @type {Error} */ (e).message}`);
    return { matcher: /** @type {any} */ (null), ready: Promise.reject(error) };
  }
  // The constructor is public in JS (typed private in index.d.ts, where createMatcher is the way in).
  const matcher = new Matcher(worker, onProgress);
  const ready = matcher.request('load', { modelUrl: url, weights }).then((profile) => {
    matcher.ready = { cached: profile.cached, profile };
    return profile;
  });
  // The worker's scripts are fetched by then; the blob is no longer needed.
  if (script.startsWith('blob:')) ready.finally(() => URL.revokeObjectURL(script)).catch(() => {});
  return { matcher, ready };
}
