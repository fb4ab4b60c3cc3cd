// Matching in the worker: score / explain / rank give the core's reports, and agree with
// the native CLI on the same pair (target/release/cvmatch, or the debug build that
// `make build` leaves when it indexes the sample board).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  checkPrerequisites, requireFile, startServer, launch, freshProfileDir, removeDir,
  openTestPage, createMatcherInPage, REPO, MODEL_PATH,
} from './helpers.mjs';

checkPrerequisites();
const pairs = JSON.parse(fs.readFileSync(requireFile(path.resolve(REPO, '..', 'shared', 'eval', 'pairs.json'),
  'the shared evaluation set must sit beside the repository (../shared/)'), 'utf8'));
const text = (id) => pairs.texts[id].text;
const resumeId = 'resume_backend';
const byLabel = pairs.pairs.filter((p) => p.resume_id === resumeId).sort((a, b) => b.label - a.label);
const best = byLabel[0];
const worst = byLabel.at(-1);

let server, browser, dir, page;

before(async () => {
  server = await startServer();
  dir = freshProfileDir();
  browser = await launch(dir);
  page = browser.page;
  await openTestPage(page, server);
  const r = await createMatcherInPage(page, server.url + MODEL_PATH);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
});

after(async () => {
  await browser?.context.close();
  await server?.close();
  if (dir) removeDir(dir);
});

test('explain gives the report of score plus its text; a strong fit beats an unrelated job', async () => {
  server.clearLog();
  const r = await page.evaluate(async ([resume, good, bad]) => ({
    good: await window.matcher.score(resume, good),
    explained: await window.matcher.explain(resume, good),
    bad: await window.matcher.score(resume, bad),
  }), [text(resumeId), text(best.job_id), text(worst.job_id)]);
  assert.ok(r.good.score >= 0 && r.good.score <= 100);
  assert.equal(r.good.provisional, false);
  assert.ok(r.good.requirements.length > 0, 'requirements listed');
  const { text: rendered, ...explainedReport } = r.explained;
  assert.deepEqual(explainedReport, r.good);
  assert.match(rendered, /^Score \d+\/100: /);
  assert.ok(r.good.score > r.bad.score, `${best.job_id} ${r.good.score} vs ${worst.job_id} ${r.bad.score}`);
  // The resume never leaves the page: once loaded, matching makes no request at all.
  assert.deepEqual(server.log, [], 'no network request while matching');
});

test('rank orders jobs as their individual scores do, and honours top', async () => {
  // Three jobs of different labels keep it quick (each is also scored on its own).
  const picks = [byLabel[0], byLabel[byLabel.length >> 1], byLabel.at(-1)];
  const jobs = picks.map((p) => text(p.job_id));
  const r = await page.evaluate(async ([resume, jobs]) => {
    const ranked = await window.matcher.rank(resume, jobs, { top: 2 });
    const singles = [];
    for (const j of jobs) singles.push((await window.matcher.score(resume, j)).score);
    const candidates = await window.matcher.rankCandidates(jobs[0], [resume, jobs[1]], { top: 5 });
    return { ranked: ranked.map((x) => [x.index, x.score]), singles, candidates: candidates.length };
  }, [text(resumeId), jobs]);
  assert.equal(r.ranked.length, 2);
  const expected = r.singles.map((s, i) => [i, s]).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 2);
  assert.deepEqual(r.ranked.map((x) => x[0]), expected.map((x) => x[0]));
  r.ranked.forEach(([i, s]) => assert.ok(Math.abs(s - r.singles[i]) < 1e-3));
  assert.equal(r.candidates, 2);
});

test('lexicalScore answers without the model and is marked provisional', async () => {
  const r = await page.evaluate(async ([resume, job]) => window.matcher.lexicalScore(resume, job),
    [text(resumeId), text(best.job_id)]);
  assert.equal(r.provisional, true);
  assert.equal(r.parts.semantic, null);
});

test('the browser report equals the native CLI report', async () => {
  // the newest of the two builds, so that a stale release binary is never compared
  const cli = ['release', 'debug'].map((p) => path.join(REPO, 'target', p, 'cvmatch'))
    .filter((p) => fs.existsSync(p))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  assert.ok(cli, 'no native cvmatch in target/release or target/debug: run `cargo build` (make build does)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cvmatch-pair-'));
  try {
    fs.writeFileSync(path.join(tmp, 'resume.txt'), text(resumeId));
    fs.writeFileSync(path.join(tmp, 'job.txt'), text(best.job_id));
    const native = JSON.parse(execFileSync(cli, ['score', '--weights', 'f32', '--model', path.join(REPO, 'models/all-MiniLM-L6-v2'),
      '--resume', path.join(tmp, 'resume.txt'), '--job', path.join(tmp, 'job.txt')], { encoding: 'utf8' }));
    // cvmatch score reads a .txt file through the document reader (src/document, text rules);
    // the site does the same with readDocument before it scores
    const browserReport = await page.evaluate(async ([resume, job]) => {
      const read = async (/** @type {string} */ t) => (await window.matcher.readDocument({ kind: 'text', text: t })).text;
      return window.matcher.score(await read(resume), await read(job));
    }, [text(resumeId), text(best.job_id)]);
    assert.ok(Math.abs(native.score - browserReport.score) < 0.1, `native ${native.score} vs browser ${browserReport.score}`);
    assert.deepEqual(browserReport.requirements.map((x) => x.status), native.requirements.map((x) => x.status));
    assert.deepEqual(browserReport.missingTerms, native.missing_terms, 'camelCased in JS');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
