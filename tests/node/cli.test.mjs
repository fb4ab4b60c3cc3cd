// `npx cvmatch` from the packed tarball, installed into a fresh project, with cargo off the
// PATH: an index built on the wasm in worker_threads is read by the native CLI and holds the
// vectors of a native build within int8 rounding; score/explain/rank answer like the native
// CLI; and a plain Node script in that project scores and builds an index with nothing but
// Node and the tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  DATA, MODEL_DIR, NATIVE_CLI, checkPrerequisites, cleanup, readIndexVectors, readJobs, run, tempDir,
} from './helpers.mjs';

const tgz = checkPrerequisites({ tarball: true, native: true });
const RESUME = path.join(DATA, 'resume_data_engineer.md');
const JOB = path.join(DATA, 'job_data_engineer.md');

let project;
let cacheDir;
let jobsFile;
/** Only node's own directory: no cargo, no rustc. */
const env = { ...process.env, PATH: path.dirname(process.execPath) };

/** Runs the installed `cvmatch` bin (node_modules/.bin, as npx does). */
function npx(args) {
  return spawnSync(path.join(project, 'node_modules', '.bin', 'cvmatch'), [...args, '--cache-dir', cacheDir], {
    cwd: project, env, encoding: 'utf8', maxBuffer: 1 << 28,
  });
}

before(() => {
  project = tempDir('cvmatch-npx-');
  cacheDir = tempDir();
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], { cwd: project });
  jobsFile = path.join(project, 'jobs.jsonl');
  const jobs = readJobs(16);
  jobs.push({ id: 'target', title: 'Data Engineer', text: fs.readFileSync(JOB, 'utf8'), remote: true });
  fs.writeFileSync(jobsFile, jobs.map((j) => JSON.stringify(j)).join('\n'));
});


after(cleanup);

test('cargo is not on the PATH the CLI runs with', () => {
  const r = spawnSync('cargo', ['--version'], { env });
  assert.equal(r.error?.code, 'ENOENT');
});

test('npx cvmatch index build: the native CLI reads the index, vectors equal a native build within int8 rounding', () => {
  const out = path.join(project, 'npm.cvx');
  const built = npx(['index', 'build', '--model', MODEL_DIR, '--jobs', jobsFile, '--out', out, '--workers', '2', '--batch', '4']);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /17 jobs, \d+ bytes/);

  const info = JSON.parse(run(NATIVE_CLI, ['index', 'info', out]));
  assert.equal(info.jobs, 17);
  assert.equal(info.weights_format, 'q8');
  assert.ok(info.line_vectors > 0, 'requirement-line vectors stored');

  const native = path.join(project, 'native.cvx');
  run(NATIVE_CLI, ['index', 'build', '--model', MODEL_DIR, '--weights', 'q8', '--jobs', jobsFile, '--out', native]);
  const a = readIndexVectors(fs.readFileSync(out));
  const b = readIndexVectors(fs.readFileSync(native));
  assert.equal(a.count, b.count);
  assert.equal(a.modelId, b.modelId);
  for (let i = 0; i < a.count; i++) {
    const [va, vb] = [a.vectors[i], b.vectors[i]];
    const step = Math.max(va.scale, vb.scale);
    let worst = 0;
    let dot = 0;
    for (let d = 0; d < a.dim; d++) {
      const x = va.q[d] * va.scale;
      const y = vb.q[d] * vb.scale;
      worst = Math.max(worst, Math.abs(x - y));
      dot += x * y;
    }
    assert.ok(worst <= 1.5 * step, `job ${i}: a value differs by ${(worst / step).toFixed(2)} int8 steps`);
    assert.ok(dot > 0.995, `job ${i}: cosine ${dot}`);
  }

  // The native CLI ranks with it as with its own build.
  const rank = (index) => run(NATIVE_CLI, ['rank', '--model', MODEL_DIR, '--weights', 'q8', '--resume', RESUME, '--index', index, '--top', '5'])
    .trim().split('\n').map((l) => JSON.parse(l));
  const fromNpm = rank(out);
  const fromNative = rank(native);
  assert.equal(fromNpm[0].id, 'target');
  assert.deepEqual(fromNpm.map((r) => r.id), fromNative.map((r) => r.id));
  fromNpm.forEach((r, i) => assert.ok(Math.abs(r.score - fromNative[i].score) < 1, `${r.id}: ${r.score} vs ${fromNative[i].score}`));

  // …and so does the npm CLI.
  const npmRank = npx(['rank', '--model', MODEL_DIR, '--resume', RESUME, '--index', out, '--top', '3']);
  assert.equal(npmRank.status, 0, npmRank.stderr);
  const lines = npmRank.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].id, 'target');
  assert.ok(Array.isArray(lines[0].missing_terms), 'snake_case JSON, as the native CLI');
});

test('npx cvmatch score / explain / rank --jobs answer like the native CLI', () => {
  const score = npx(['score', '--model', MODEL_DIR, '--resume', RESUME, '--job', JOB]);
  assert.equal(score.status, 0, score.stderr);
  const report = JSON.parse(score.stdout);
  const nativeReport = JSON.parse(run(NATIVE_CLI, ['score', '--model', MODEL_DIR, '--weights', 'q8', '--resume', RESUME, '--job', JOB]));
  assert.deepEqual(Object.keys(report).sort(), Object.keys(nativeReport).sort());
  assert.ok(Math.abs(report.score - nativeReport.score) < 1, `wasm ${report.score} vs native ${nativeReport.score}`);
  assert.equal(report.band, nativeReport.band);

  const explain = npx(['explain', '--model', MODEL_DIR, '--resume', RESUME, '--job', JOB]);
  assert.equal(explain.status, 0, explain.stderr);
  const nativeText = run(NATIVE_CLI, ['explain', '--model', MODEL_DIR, '--weights', 'q8', '--resume', RESUME, '--job', JOB]);
  assert.equal(explain.stdout.split('\n')[0], nativeText.split('\n')[0]);
  assert.match(explain.stdout, /\nMissing terms: /);

  const rank = npx(['rank', '--model', MODEL_DIR, '--resume', RESUME, '--jobs', jobsFile, '--top', '2']);
  assert.equal(rank.status, 0, rank.stderr);
  const lines = rank.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.rank), [1, 2]);
  assert.equal(lines[0].id, 'target');
});

test('npx cvmatch: bad input is an error line and exit status 1', () => {
  const missing = npx(['index', 'build', '--model', MODEL_DIR, '--out', path.join(project, 'x.cvx')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^error \[bad_input\]: --jobs is required/);
  const noModel = npx(['score', '--model', path.join(project, 'no-model'), '--resume', RESUME, '--job', JOB]);
  assert.equal(noModel.status, 1);
  assert.match(noModel.stderr, /^error \[network\]: .*manifest\.json/);
  assert.doesNotMatch(noModel.stderr, /at .*\.js:\d+/, 'no stack trace');
});

test('a Node script in a fresh project scores and builds an index with only Node and the tarball', () => {
  const script = path.join(project, 'build.mjs');
  fs.writeFileSync(script, `
import { createMatcher } from 'cvmatch';
import { readFileSync, writeFileSync } from 'node:fs';
const matcher = createMatcher({ modelUrl: process.argv[2], cacheDir: process.argv[3], workers: 1 });
const report = await matcher.score(readFileSync(process.argv[4], 'utf8'), readFileSync(process.argv[5], 'utf8'));
const jobs = readFileSync('jobs.jsonl', 'utf8').split('\\n').map((l) => JSON.parse(l));
writeFileSync('site.cvx', await matcher.buildIndex(jobs));
matcher.dispose();
console.log(JSON.stringify({ score: report.score, bandMeaning: report.bandMeaning }));
`);
  const r = spawnSync(process.execPath, [script, MODEL_DIR, cacheDir, RESUME, JOB], { cwd: project, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.score > 50 && typeof out.bandMeaning === 'string', r.stdout);
  const info = JSON.parse(run(NATIVE_CLI, ['index', 'info', path.join(project, 'site.cvx')]));
  assert.equal(info.jobs, 17);
});
