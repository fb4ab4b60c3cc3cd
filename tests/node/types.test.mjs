// index.d.ts against real replies: every value the API returns on the real model is written
// into a TypeScript file as an object literal typed with the declared interface, and tsc
// (strict) checks it. An undeclared field fails (excess property check), a declared field
// that is missing or of another type fails too. So a field added to a Rust report must be
// declared in pkg/index.d.ts (camelCased) before this passes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createMatcher } from '../../pkg/node/index.js';
import { MODEL_DIR, PKG, ROOT, checkPrerequisites, cleanup, readData, readJobs, run, tempDir } from './helpers.mjs';

checkPrerequisites();
const TSC = path.join(ROOT, 'tests', 'package', 'node_modules', '.bin', 'tsc');

after(cleanup);

test('every field of real replies is declared in index.d.ts with its type', async () => {
  assert.ok(fs.existsSync(TSC), `TypeScript is needed: ${TSC} (make package-tools)`);
  const resume = readData('resume_data_engineer.md');
  const job = readData('job_data_engineer.md');
  const progress = [];
  const matcher = createMatcher({ modelUrl: MODEL_DIR, cacheDir: tempDir(), workers: 1, onProgress: (e) => progress.push(e) });
  /** name → [type, value] */
  const values = {};
  try {
    values.lexical = ['MatchReport', await matcher.lexicalScore(resume, job)];
    values.loadInfo = ['LoadInfo', await matcher.ready];
    values.report = ['MatchReport', await matcher.score(resume, job)];
    values.explanation = ['Explanation', await matcher.explain(resume, job)];
    values.ranked = ['Ranked[]', await matcher.rank(resume, [job, resume], { top: 2 })];
    values.candidates = ['Ranked[]', await matcher.rankCandidates(job, [resume], { top: 1 })];
    values.health = ['Health', await matcher.health()];
    values.profile = ['Awaited<ReturnType<Matcher["profile"]>>', await matcher.profile()];
    values.pool = ['PoolStatus', matcher.pool];
    const bytes = await matcher.buildIndex([...readJobs(3), { id: 'x', text: job }]);
    const file = path.join(tempDir(), 'jobs.cvx');
    fs.writeFileSync(file, bytes);
    const index = await matcher.loadIndex(file);
    values.indexInfo = ['IndexInfo', index.info];
    values.indexRanking = ['IndexRanking', await matcher.rank(resume, index, { top: 2, reports: 1 })];
    // one event of each status (their fields differ by status)
    const seen = new Set();
    values.progress = ['ProgressInfo[]', progress.filter((e) => !seen.has(e.status) && seen.add(e.status))];
  } finally {
    matcher.dispose();
  }
  assert.ok(values.report[1].requirements.length > 0 && values.indexRanking[1].jobs[0].report, 'replies hold nested values to check');
  const dir = tempDir();
  const names = ['Matcher', ...new Set(Object.values(values).map(([t]) => t.replace(/\[\]$/, '')).filter((t) => /^[A-Z]\w+$/.test(t)))];
  const lines = [`import type { ${names.join(', ')} } from 'cvmatch';`];
  for (const [name, [type, value]] of Object.entries(values)) {
    lines.push(`export const ${name}: ${type} = ${JSON.stringify(value, null, 2)};`);
  }
  fs.writeFileSync(path.join(dir, 'replies.ts'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM'], skipLibCheck: false, exactOptionalPropertyTypes: true,
      paths: { cvmatch: [path.join(PKG, 'index.d.ts')] },
    },
    files: ['replies.ts'],
  }));
  try {
    run(TSC, ['-p', 'tsconfig.json'], { cwd: dir });
  } catch (e) {
    assert.fail(`index.d.ts does not describe the real replies:\n${e.stdout}${e.stderr}`);
  }
});
