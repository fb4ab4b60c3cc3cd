// The two wasm builds (baseline and relaxed SIMD) back to back in one page, interleaved
// (A B, B A, …) so that a busy machine slows both alike: q8, one worker each, the peer
// workloads (../shared/peers/workloads.json), texts/s per round and the medians. Reports only.
//   cd tests/browser && node bench-simd.mjs [ROUNDS=4]
import fs from 'node:fs';
import { startServer, launch, freshProfileDir, removeDir, openTestPage, MODEL_PATH, REPO } from './helpers.mjs';
const wl = JSON.parse(fs.readFileSync(`${REPO}/../shared/peers/workloads.json`, "utf8")).workloads;
const server = await startServer();
const dir = freshProfileDir();
const browser = await launch(dir);
await openTestPage(browser.page, server);
const rounds = Number(process.argv[2] ?? 4);
const r = await browser.page.evaluate(async ([modelUrl, short, long, rounds]) => {
  const m = {};
  for (const simd of ['baseline', 'relaxed']) {
    m[simd] = await window.cvmatch.createMatcher({ modelUrl, weights: 'q8', workers: 1, simd });
    await m[simd].embed(short); await m[simd].embed(long.slice(0, 2)); // warm-up
  }
  const t = { baseline: { short: [], long: [] }, relaxed: { short: [], long: [] } };
  for (let i = 0; i < rounds; i++) {
    for (const simd of i % 2 ? ['relaxed', 'baseline'] : ['baseline', 'relaxed']) {
      let t0 = performance.now(); await m[simd].embed(short); t[simd].short.push(short.length / ((performance.now() - t0) / 1000));
      t0 = performance.now(); await m[simd].embed(long); t[simd].long.push(long.length / ((performance.now() - t0) / 1000));
    }
  }
  const sims = {};
  for (const s of ['baseline', 'relaxed']) sims[s] = (await m[s].request('profile')).simd;
  return { t, sims };
}, [server.url + MODEL_PATH, wl.short.texts, wl.long.texts, rounds]);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
for (const s of ['baseline', 'relaxed']) console.log(s, r.sims[s], 'short texts/s', med(r.t[s].short).toFixed(2), JSON.stringify(r.t[s].short.map((x) => +x.toFixed(1))), 'long texts/s', med(r.t[s].long).toFixed(3), JSON.stringify(r.t[s].long.map((x) => +x.toFixed(2))));
await browser.context.close(); await server.close(); removeDir(dir);
