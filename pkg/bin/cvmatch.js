#!/usr/bin/env node
// `npx cvmatch`: the native CLI's index build, score, explain and rank, run on the package's
// wasm in worker_threads (no Rust needed). Output is the native CLI's: JSON with
// snake_case fields (score, rank) or text (explain); progress bars go to stderr on a terminal.
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { CvmatchError, MAX_WORKERS, createMatcher, renderReport, toCamel } from '../node/index.js';

const USAGE = `cvmatch (npm): resume-to-job matching on WebAssembly, in Node ≥ 20

Usage:
  cvmatch index build --model DIR --jobs FILE --out FILE [--no-lines] [--batch N]
  cvmatch score   --model DIR --resume FILE --job FILE [--lexical]
  cvmatch explain --model DIR --resume FILE --job FILE [--lexical]
  cvmatch rank    --model DIR --resume FILE (--jobs FILE | --index FILE) [--top N] [--report]

Common options:
  --model DIR|URL   model directory with manifest.json (default models/all-MiniLM-L6-v2);
                    a path, a file: URL or an http(s) URL
  --weights NAME    weights format from the manifest (default q8)
  --workers N       worker threads (default: one per core for index build and rank, else 1)
  --cache-dir DIR   where downloaded model files are kept (default ~/.cache/cvmatch)

Output: JSON (score: one object; rank: one line per job) with the native CLI's snake_case
field names, or text (explain). Errors: "error [code]: message" on stderr, exit status 1.`;

const OPTIONS = /** @type {const} */ ({
  model: { type: 'string', default: 'models/all-MiniLM-L6-v2' },
  weights: { type: 'string', default: 'q8' },
  workers: { type: 'string' },
  'cache-dir': { type: 'string' },
  jobs: { type: 'string' },
  out: { type: 'string' },
  'no-lines': { type: 'boolean', default: false },
  batch: { type: 'string', default: '8' },
  resume: { type: 'string' },
  job: { type: 'string' },
  index: { type: 'string' },
  top: { type: 'string', default: '10' },
  report: { type: 'boolean', default: false },
  lexical: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
});

/** @param {string} message */
const badInput = (message) => new CvmatchError('bad_input', message);

/**
 * @param {Record<string, any>} values
 * @param {string} name
 */
function required(values, name) {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw badInput(`--${name} is required (see --help)`);
  return v;
}

/**
 * @param {string} value
 * @param {string} name
 * @param {number} min
 * @param {number} max
 */
function integer(value, name, min, max) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw badInput(`--${name} must be an integer from ${min} to ${max} (got ${value})`);
  return n;
}

/** @param {string} path */
async function readText(path) {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CvmatchError('io', `${path}: ${/** @type {Error} */ (e).message}`);
  }
}

/**
 * Jobs from JSON Lines (blank lines skipped; errors name the line), as the native CLI reads them.
 * @param {string} text
 * @param {string} file
 * @returns {Record<string, any>[]}
 */
export function parseJobs(text, file) {
  const jobs = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let job;
    try {
      job = JSON.parse(lines[i]);
    } catch (e) {
      throw badInput(`${file}:${i + 1}: not JSON: ${/** @type {Error} */ (e).message}`);
    }
    if (job === null || typeof job !== 'object' || Array.isArray(job)) throw badInput(`${file}:${i + 1}: a job must be a JSON object`);
    if (typeof job.id !== 'string' && typeof job.id !== 'number') throw badInput(`${file}:${i + 1}: a job needs an \`id\` (string or number)`);
    if (typeof job.text !== 'string') throw badInput(`${file}:${i + 1}: job ${job.id} has no \`text\``);
    jobs.push(job);
  }
  return jobs;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
class Bar {
  #on = Boolean(process.stderr.isTTY);
  #start = Date.now();
  #last = 0;
  /**
   * @param {number} done
   * @param {number} total
   * @param {string} unit
   */
  update(done, total, unit) {
    if (!this.#on) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const share = total > 0 ? Math.min(1, done / total) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const secs = (now - this.#start) / 1000;
    const eta = share > 0 && share < 1 ? ` eta ${Math.round((secs / share) * (1 - share))}s` : '';
    const fmt = unit === 'MB' ? (/** @type {number} */ n) => (n / 1e6).toFixed(1) : String;
    process.stderr.write(`\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${fmt(done)}/${fmt(total)} ${unit} ${secs.toFixed(1)}s${eta}\x1b[K`);
  }

  clear() {
    if (this.#on) process.stderr.write('\r\x1b[K');
  }
}

/**
 * @param {Record<string, any>} values
 * @param {number} workers
 */
function startMatcher(values, workers) {
  const bar = new Bar();
  const matcher = createMatcher({
    modelUrl: values.model,
    weights: values.weights,
    workers,
    cacheDir: values['cache-dir'],
    onProgress: (e) => {
      if (e.status === 'progress' && e.totalBytes > 0) bar.update(e.totalLoaded, e.totalBytes, 'MB');
      if (e.status === 'ready') bar.clear();
    },
  });
  return { matcher, bar };
}

/**
 * @param {Record<string, any>} values
 * @param {number} fallback
 */
const workerCount = (values, fallback) => (values.workers === undefined
  ? Math.max(1, Math.min(MAX_WORKERS, fallback))
  : integer(values.workers, 'workers', 1, MAX_WORKERS));

/** @param {Record<string, any>} values */
async function indexBuild(values) {
  const jobsPath = required(values, 'jobs');
  const out = required(values, 'out');
  const batch = integer(values.batch, 'batch', 1, 4096);
  const jobs = parseJobs(await readText(jobsPath), jobsPath);
  if (jobs.length === 0) throw badInput(`${jobsPath}: no job`);
  const { matcher, bar } = startMatcher(values, workerCount(values, availableParallelism()));
  try {
    const t0 = Date.now();
    await matcher.ready;
    const bytes = await matcher.buildIndex(jobs, {
      lineVectors: !values['no-lines'],
      batch,
      onProgress: (done, total) => bar.update(done, total, 'jobs'),
    });
    bar.clear();
    await writeFile(out, bytes).catch((e) => { throw new CvmatchError('io', `${out}: ${e.message}`); });
    const secs = (Date.now() - t0) / 1000;
    process.stderr.write(`${out}: ${jobs.length} jobs, ${bytes.length} bytes (${Math.floor(bytes.length / jobs.length)} per job), built in ${secs.toFixed(1)} s with ${matcher.workers} worker(s)\n`);
  } finally {
    matcher.dispose();
  }
}

/**
 * @param {Record<string, any>} values
 * @param {'score'|'explain'} command
 */
async function pair(values, command) {
  const resume = await readText(required(values, 'resume'));
  const job = await readText(required(values, 'job'));
  const { matcher } = startMatcher(values, workerCount(values, 1));
  try {
    const report = await matcher.request(values.lexical ? 'lexicalScore' : 'score', { resume, job });
    if (command === 'score') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(renderReport(toCamel(report)));
  } finally {
    matcher.dispose();
  }
}

/** @param {Record<string, any>} values */
async function rank(values) {
  const resume = await readText(required(values, 'resume'));
  const top = integer(values.top, 'top', 1, 1_000_000);
  if (values.jobs && values.index) throw badInput('rank takes --jobs or --index, not both');
  if (!values.jobs && !values.index) throw badInput('rank needs --jobs or --index');
  const { matcher } = startMatcher(values, workerCount(values, values.index ? 1 : availableParallelism()));
  try {
    /** @type {string[]} */
    const lines = [];
    if (values.index) {
      const index = await matcher.loadIndex(values.index);
      const ranking = /** @type {any} */ (await matcher.request('rankIndex', { resume, index: index.url, top }));
      ranking.jobs.forEach((/** @type {any} */ j, /** @type {number} */ i) => lines.push(JSON.stringify({
        rank: i + 1, id: j.id, title: j.title, company: j.company, location: j.location, url: j.url,
        score: j.score, similarity: Math.round(j.similarity * 1000) / 1000, band: j.report.band,
        covered: j.report.coverage.covered, requirements: j.report.coverage.requirements,
        missing_terms: j.report.missing_terms, ...(values.report ? { report: j.report } : {}),
      })));
    } else {
      const jobs = parseJobs(await readText(values.jobs), values.jobs);
      const ranked = /** @type {any[]} */ (await matcher.request('rank', { resume, jobs: jobs.map((j) => j.text), top }));
      ranked.forEach((r, i) => {
        const job = jobs[r.index];
        lines.push(JSON.stringify({
          rank: i + 1, id: job.id, title: job.title ?? '', score: r.score, band: r.report.band,
          covered: r.report.coverage.covered, requirements: r.report.coverage.requirements,
          missing_terms: r.report.missing_terms, ...(values.report ? { report: r.report } : {}),
        }));
      });
    }
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    matcher.dispose();
  }
}

/** @param {string[]} argv */
export async function main(argv) {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'index' && sub === 'build') return indexBuild(values);
  if (command === 'score' || command === 'explain') return pair(values, command);
  if (command === 'rank') return rank(values);
  throw badInput(`unknown command ${positionals.join(' ')} (see --help)`);
}

main(process.argv.slice(2)).catch((e) => {
  const code = e?.code && typeof e.code === 'string' && !e.code.startsWith('ERR_') ? e.code : 'bad_input';
  process.stderr.write(`error [${code}]: ${e?.message ?? e}\n`);
  process.exitCode = 1;
});
