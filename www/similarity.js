// The demo page: load the matcher, show download progress and the load profile, and
// compare two texts. Served from the repository root (`make demo`), so /pkg/ and /models/
// are reachable.
import { createMatcher } from '/pkg/index.js';

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const ms = (n) => `${Math.round(n)} ms`;

let currentFile = '';

/** @param {import('/pkg/index.js').ProgressInfo} e */
function onProgress(e) {
  if (e.status !== 'progress' && e.status !== 'done') return;
  currentFile = e.file ?? currentFile;
  const bar = /** @type {HTMLProgressElement} */ ($('progress'));
  bar.max = e.totalBytes || 1;
  bar.value = e.totalLoaded;
  $('progress-text').textContent = e.totalLoaded < e.totalBytes
    ? `${mb(e.totalLoaded)} of ${mb(e.totalBytes)} (${currentFile})`
    : `${mb(e.totalBytes)}: all model files verified`;
}

/** @param {any} p the load profile */
function renderProfile(p) {
  const rows = p.files.map((f) =>
    `<tr><td>${f.name}</td><td>${f.source}${f.evicted ? ' (evicted)' : ''}</td><td>${mb(f.bytes)}</td>` +
    `<td>${ms(f.ms)}</td><td>${ms(f.verifyMs)}</td><td>${ms(f.storeMs)}</td></tr>`).join('');
  $('profile').innerHTML =
    `<p>${p.modelId} (${p.weights}, ${p.dimension} dims), ${p.cached ? 'cached' : 'not cached: ' + (p.cacheNote ?? '')}. ` +
    `Ready in ${ms(p.totalMs)} after wasm init ${ms(p.wasmInitMs)}: manifest from ${p.manifest.source} ${ms(p.manifest.ms)}, ` +
    `read ${ms(p.readMs)}, verify ${ms(p.verifyMs)}, store ${ms(p.storeMs)}, build ${ms(p.buildMs)}, first encode ${ms(p.firstEncodeMs)}. ` +
    `Network ${mb(p.networkBytes)}, cache ${mb(p.cacheBytes)}.</p>` +
    `<table><tr><th>file</th><th>source</th><th>size</th><th>read</th><th>verify</th><th>store</th></tr>${rows}</table>`;
}

/** @param {Float32Array} a @param {Float32Array} b */
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

async function main() {
  let matcher;
  let info;
  try {
    matcher = createMatcher({ modelUrl: '/models/all-MiniLM-L6-v2/', weights: 'q8', onProgress });
    info = await matcher.ready;
  } catch (e) {
    $('status').innerHTML = `<span class="error">Could not load the model [${e.code}]: ${e.message}</span>`;
    return;
  }
  const p = info.profile;
  $('status').textContent = p.networkBytes === 0
    ? 'Model ready, loaded from the browser cache.'
    : `Model ready, ${mb(p.networkBytes)} downloaded${info.cached ? ' and cached for your next visit' : ` (not cached: ${p.cacheNote})`}.`;
  renderProfile(p);
  const button = /** @type {HTMLButtonElement} */ ($('compare'));
  button.disabled = false;
  const compare = async () => {
    button.disabled = true;
    const t0 = performance.now();
    try {
      const [a, b] = await matcher.embed([
        /** @type {HTMLTextAreaElement} */ ($('text-a')).value,
        /** @type {HTMLTextAreaElement} */ ($('text-b')).value,
      ]);
      $('similarity').textContent = dot(a, b).toFixed(3);
      $('timing').textContent = `(${ms(performance.now() - t0)})`;
    } catch (e) {
      $('similarity').innerHTML = `<span class="error">[${e.code}] ${e.message}</span>`;
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', compare);
  compare();
}

main();
