// cvmatch's Web Worker: initialise the wasm module, then hand the message port over to
// the Rust runtime (src/web/runtime.rs). Messages that arrive while the module is still
// compiling are queued here and replayed in order. Protocol: docs/protocol.md.
import init, { runWorker } from './cvmatch_wasm.js';

const queued = [];
const queue = (event) => queued.push(event.data);
self.addEventListener('message', queue);

const t0 = performance.now();
try {
  await init({ module_or_path: new URL('./cvmatch_wasm_bg.wasm', import.meta.url) });
} catch (e) {
  // Without the module nothing can answer: say why once, for every queued request.
  const error = { code: 'network', message: `cannot load cvmatch_wasm_bg.wasm: ${e?.message ?? e}` };
  self.postMessage({ type: 'fatal', error });
  throw e;
}
self.removeEventListener('message', queue);
runWorker(queued, performance.now() - t0);
