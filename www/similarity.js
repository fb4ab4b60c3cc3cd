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

/**
 * An element with children; strings become text nodes (never parsed as HTML: manifest
 * fields and error messages come from the network).
 * @param {string} tag @param {(Node|string)[]} [children] @param {string} [className]
 */
function el(tag, children = [], className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** @param {{code?: string, message?: string}} e @param {string} prefix */
const errorNode = (e, prefix) => el('span', [`${prefix}[${e.code}] ${e.message}`], 'error');

/** @param {any} p the load profile */
function renderProfile(p) {
  const cells = (/** @type {string[]} */ values, tag = 'td') => el('tr', values.map((v) => el(tag, [v])));
  const rows = p.files.map((/** @type {any} */ f) => cells([String(f.name), `${f.source}${f.evicted ? ' (evicted)' : ''}`,
    mb(f.bytes), ms(f.ms), ms(f.verifyMs), ms(f.storeMs)]));
  $('profile').replaceChildren(
    el('p', [`${p.modelId} (${p.weights}, ${p.dimension} dims), ${p.cached ? 'cached' : 'not cached: ' + (p.cacheNote ?? '')}. ` +
      `Ready in ${ms(p.totalMs)} after wasm init ${ms(p.wasmInitMs)}: manifest from ${p.manifest.source} ${ms(p.manifest.ms)}` +
      `${p.manifest.trust ? ` (vouched for: ${p.manifest.trust})` : ''}, ` +
      `read ${ms(p.readMs)}, verify ${ms(p.verifyMs)}, store ${ms(p.storeMs)}, build ${ms(p.buildMs)}, first encode ${ms(p.firstEncodeMs)}. ` +
      `Network ${mb(p.networkBytes)}, cache ${mb(p.cacheBytes)}.`]),
    el('table', [cells(['file', 'source', 'size', 'read', 'verify', 'store'], 'th'), ...rows]));
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
    $('status').replaceChildren(errorNode(e, 'Could not load the model '));
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
      $('similarity').replaceChildren(errorNode(e, ''));
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener('click', compare);
  compare();
}

main();
