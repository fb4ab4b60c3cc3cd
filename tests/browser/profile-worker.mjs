// Where the cvmatch worker spends its time: the V8 sampling profiler (CDP Profiler, reached
// through the page's session with Target.setAutoAttach) over two passes of a workload after
// a warm-up, self time by function (wasm functions keep their Rust names). Reports only.
//
//   node profile-worker.mjs [short|long] [q8|f16|f32]
//
// Prints the top 30 functions and writes ../../target/prof/<workload>-<weights>.cpuprofile
// (open it in Chromium's DevTools, Performance panel).
import fs from 'node:fs';
import path from 'node:path';
import { launch, freshProfileDir, startServer, openTestPage, MODEL_PATH, REPO } from './helpers.mjs';
const workloads = JSON.parse(fs.readFileSync(path.join(REPO, '..', 'shared', 'peers', 'workloads.json'), 'utf8')).workloads;
const which = process.argv[2] ?? 'long';
if (!workloads[which]) throw new Error(`unknown workload ${which}: ${Object.keys(workloads)}`);
const weights = process.argv[3] ?? 'q8';
const server = await startServer();
const dir = freshProfileDir();
const { context, page } = await launch(dir);
const cdp = await context.newCDPSession(page);
let nextId = 1; const waiters = new Map(); let workerSession = null;
cdp.on('Target.receivedMessageFromTarget', (e) => {
  const m = JSON.parse(e.message);
  if (m.id && waiters.has(m.id)) { waiters.get(m.id)(m); waiters.delete(m.id); }
});
const attached = new Promise((res) => cdp.on('Target.attachedToTarget', (e) => {
  if (e.targetInfo.type === 'worker' && !workerSession) { workerSession = e.sessionId; res(); }
}));
await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
const send = (method, params = {}) => new Promise((res) => {
  const id = nextId++; waiters.set(id, res);
  cdp.send('Target.sendMessageToTarget', { sessionId: workerSession, message: JSON.stringify({ id, method, params }) });
});
await openTestPage(page, server);
await page.evaluate(async ([u, w]) => { window.matcher = await window.cvmatch.createMatcher({ modelUrl: u, weights: w, workers: 1 }); }, [server.url + MODEL_PATH, weights]);
await attached;
const w = workloads[which];
const run = () => page.evaluate(async ([texts, b]) => { for (let i = 0; i < texts.length; i += b) await window.matcher.embed(texts.slice(i, i + b)); }, [w.texts, w.batch_size]);
await run();
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 200 });
await send('Profiler.start');
const t = Date.now(); await run(); await run(); const ms = Date.now() - t;
const { result } = await send('Profiler.stop');
const prof = result.profile;
const out = path.join(REPO, 'target', 'prof');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, `${which}-${weights}.cpuprofile`), JSON.stringify(prof));
const self = new Map(); const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
let total = 0;
for (const [id, us] of dt) { const n = byId.get(id); const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop()})`; self.set(name, (self.get(name) ?? 0) + us); total += us; }
console.log(`${which} ${weights}: 2 passes in ${ms} ms; sampled ${Math.round(total / 1000)} ms`);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(100 * us / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
await context.close(); await server.close(); fs.rmSync(dir, { recursive: true, force: true });
