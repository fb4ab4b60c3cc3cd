// Starts the site's matcher through the package's public API (createMatcher, so with its
// worker pool) and hands it back at once with a `ready` Promise of the load profile:
// `lexicalScore` (which needs no model) answers while the weights download.
import { createMatcher } from '../pkg/index.js';

const PKG = new URL('../pkg/', import.meta.url);

/**
 * The worker script's URL. Under the site's service worker (scope www/), a worker started
 * from /pkg/worker.js would be outside that scope, so its scripts and wasm would not come
 * from the offline copy; a blob worker inherits its page's service worker, so the page
 * starts one that imports the real worker. (The blob is kept: the pool starts further
 * workers from it, and restarts a crashed one.)
 * @returns {string|undefined}  undefined: the package's own worker URL
 */
function workerUrl() {
  if (!navigator.serviceWorker?.controller) return undefined;
  const real = new URL('worker.js', PKG).href;
  const source = `import ${JSON.stringify(real)};\n`;
  return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
}

/**
 * @typedef {object} EarlyMatcher
 * @property {import('../pkg/index.js').Matcher} matcher  usable now (model calls wait for the model)
 * @property {Promise<import('../pkg/index.d.ts').LoadProfile>} ready  the load profile
 */

/**
 * @param {{modelUrl: string|URL, weights?: string, workers?: number,
 *   onProgress?: (e: {type: 'progress', file: null, loaded: number, total: number}) => void}} options
 *   `onProgress` gets the overall bytes of the model load (the shape this module always gave)
 * @returns {EarlyMatcher}
 */
export function startMatcher({ modelUrl, weights = 'q8', workers, onProgress }) {
  const matcher = createMatcher({
    modelUrl: new URL(modelUrl, location.href).href,
    weights,
    workers,
    workerUrl: workerUrl(),
    onProgress: (e) => {
      if (e.status === 'progress' || e.status === 'done') {
        onProgress?.({ type: 'progress', file: null, loaded: e.totalLoaded, total: e.totalBytes });
      }
    },
  });
  return { matcher, ready: matcher.ready.then((info) => info.profile) };
}
