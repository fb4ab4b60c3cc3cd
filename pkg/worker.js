// cvmatch's Web Worker: initialise the wasm module, then hand the message port over to
// the Rust runtime (src/web/runtime.rs). Messages that arrive while the module is still
// compiling are queued here and replayed in order. Protocol: docs/protocol.md.
import init, { runWorker } from './cvmatch_wasm.js';

const queued = [];
const queue = (event) => queued.push(event.data);
self.addEventListener('message', queue);

/**
 * The module's bytes. The gzipped copy is a quarter of the size (1.5 MB, not 5.4 MB) and
 * no static host has to be configured for it: it is inflated here with the browser's
 * DecompressionStream. A host that already inflated it (Content-Encoding: gzip) hands
 * over plain wasm, which is used as it is. Anything else (no DecompressionStream, a 404,
 * an HTML fallback page, a failed fetch) falls back to the uncompressed module.
 * @returns {Promise<Uint8Array|URL>}
 */
async function wasmSource() {
  const plain = new URL('./cvmatch_wasm_bg.wasm', import.meta.url);
  if (typeof DecompressionStream !== 'function') return plain;
  try {
    const response = await fetch(new URL('./cvmatch_wasm_bg.wasm.gz', import.meta.url));
    if (!response.ok) {
      await response.body?.cancel();
      return plain;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d) return bytes; // \0asm
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return plain; // not gzip
    const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  } catch {
    return plain;
  }
}

const t0 = performance.now();
try {
  await init({ module_or_path: await wasmSource() });
} catch (e) {
  // Without the module nothing can answer: say why once, for every queued request.
  const error = { code: 'network', message: `cannot load cvmatch_wasm_bg.wasm: ${e?.message ?? e}` };
  self.postMessage({ type: 'fatal', error });
  throw e;
}
self.removeEventListener('message', queue);
runWorker(queued, performance.now() - t0);
