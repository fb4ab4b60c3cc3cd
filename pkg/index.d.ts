// Types for cvmatch's client (pkg/index.js in browsers, pkg/node/index.js in Node; the same
// API). Worker messages: docs/protocol.md. tests/node/types.test.mjs checks these against
// real replies: every field of a real report must be declared here, with its type.

/** Stable error codes carried by every rejected Promise's `code`. */
export type ErrorCode =
  | 'io'
  | 'model'
  | 'integrity'
  | 'bad_input'
  | 'network'
  | 'html_response'
  | 'quota'
  | 'index'
  | 'worker_crashed'
  | 'terminated'
  | 'aborted'
  | 'timeout';

/** An Error with a stable, machine-readable `code`. */
export declare class CvmatchError extends Error {
  constructor(code: ErrorCode | string, message: string);
  readonly name: 'CvmatchError';
  code: ErrorCode;
}

/** Every call takes these (the last argument, or merged into its options). */
export interface CallOptions {
  /** Rejects the call with `aborted` (`timeout` for AbortSignal.timeout()) when it fires. The
   *  worker finishes the request; its reply is dropped. */
  signal?: AbortSignal;
  /** Rejects the call with `timeout` after this many milliseconds. */
  timeout?: number;
}

/** Load progress, tagged by status: per file `initiate`, `download`, `progress` (each
 *  chunk), `done`; then `ready` once the model is loaded. `totalLoaded`/`totalBytes` count
 *  every file of the load. Index loads report the index URL as `file`. */
export interface ProgressInfo {
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready';
  file?: string;
  loaded?: number;
  total?: number;
  /** Percent of `file`, 0–100. */
  progress?: number;
  totalLoaded: number;
  totalBytes: number;
  /** `ready`: every model file is in the cache store. */
  cached?: boolean;
  /** `ready`: the load profile. */
  profile?: LoadProfile;
}

/** @deprecated the progress events are {@link ProgressInfo} now; kept one version. */
export type ProgressEvent = ProgressInfo;

/** How one model file was obtained. */
export interface FileProfile {
  name: string;
  source: 'cache' | 'network';
  bytes: number;
  ms: number;
  verifyMs: number;
  storeMs: number;
  /** A cached copy failed verification and was replaced. */
  evicted: boolean;
  /** The file is now in the cache store. */
  cached: boolean;
}

/** Where the time and bytes of a model load went. */
export interface LoadProfile {
  modelUrl: string;
  modelId: string;
  dimension: number;
  maxSeqLength: number;
  weights: string;
  cached: boolean;
  /** Why the files are not cached, when they are not. */
  cacheNote?: string;
  wasmInitMs: number;
  /** `trust`: what vouched for manifest.json: `option` (manifestSha256), `pinned` (the
   *  package's build pin) or `none` (a build without pins). */
  manifest: { source: 'network' | 'cache'; trust: 'option' | 'pinned' | 'none'; ms: number; networkError?: string };
  files: FileProfile[];
  networkBytes: number;
  cacheBytes: number;
  readMs: number;
  verifyMs: number;
  storeMs: number;
  buildMs: number;
  firstEncodeMs: number;
  totalMs: number;
}

/** What `matcher.ready` resolves with. */
export interface LoadInfo {
  /** Every model file is in the cache store (false: memory only, see profile.cacheNote). */
  cached: boolean;
  profile: LoadProfile;
}

/** @deprecated renamed {@link LoadInfo}; kept one version. */
export type ReadyInfo = LoadInfo;

export interface MatcherOptions {
  /** The model directory holding manifest.json: a URL resolved against the page in
   *  browsers; in Node an http(s) URL, a file: URL or a path. */
  modelUrl: string;
  /** Weights format listed in the manifest (default 'q8': 21 MB, min cosine 0.9994 to the
   *  original; 'f16' 45 MB; 'f32' 91 MB, the original). */
  weights?: string;
  /**
   * Workers in the pool (Web Workers, or worker_threads in Node): an integer from 1 to
   * {@link MAX_WORKERS}; anything else throws `bad_input`. Default: {@link defaultWorkerCount}.
   * Each worker holds its own copy of the model (about 200 MB). Worker 0 loads the model
   * and posts its compiled module to the others, which then load the files from the cache
   * store and join as they become ready (`matcher.pool`, `matcher.poolReady()`).
   */
  workers?: number;
  /** Load progress, tagged by status. */
  onProgress?: (event: ProgressInfo) => void;
  /** Browsers: the worker script to start instead of the package's worker.js (a script
   *  that imports it, e.g. a blob: URL so that the worker stays under a service worker). */
  workerUrl?: string | URL;
  /** Node only: the cache directory (default $XDG_CACHE_HOME/cvmatch or ~/.cache/cvmatch). */
  cacheDir?: string;
  /** The expected sha256 (64 hex digits) of manifest.json, for a model other than the one
   *  pinned into the package at build time (`scripts/pin_model.sh --manifest-hash DIR`
   *  prints it). Without it the pinned model is the only one accepted. */
  manifestSha256?: string;
  /** Which build of the wasm module the workers load: `auto` (default) the relaxed-SIMD
   *  build (`f32x4.relaxed_madd`) where a probe module validates and the baseline (wasm
   *  SIMD) build elsewhere; `relaxed` or `baseline` force one (`relaxed` where unsupported
   *  fails the load with `bad_input`). `profile().workers[i].simd` says which one runs. */
  simd?: 'auto' | 'relaxed' | 'baseline';
}

/** A worker that failed to load or died. */
export interface DroppedWorker {
  /** Its number: 0 is the one that loaded the model first. */
  worker: number;
  /** The error code that ended it (`worker_crashed`, or the code of its failed load). */
  code: ErrorCode;
  message: string;
}

/** The state of a matcher's worker pool. */
export interface PoolStatus {
  /** Workers asked for (the `workers` option, or its default). */
  requested: number;
  /** Workers answering requests now. */
  ready: number;
  /** Workers still loading the model. */
  loading: number;
  /** Workers that failed to load or died, in that order (dispose() adds none). */
  dropped: DroppedWorker[];
  /** Workers started again after a crash (each worker number once at most). */
  restarted: number;
  /** Why fewer workers than requested were started, when so. */
  note?: string;
}

export interface Usage {
  embedCalls: number;
  texts: number;
  tokens: number;
  embedMs: number;
}

/** One worker's own profile reply, in `profile().workers`. */
export interface WorkerProfile {
  /** Its number in the pool. */
  worker: number;
  /** URLs of the job indexes loaded in it. */
  indexes: string[];
  load: LoadProfile | null;
  usage: Usage;
  /** Its wasm linear memory in bytes. */
  memoryBytes: number;
  /** The build of the module it runs: `relaxed` (relaxed SIMD), `baseline` (wasm SIMD) or
   *  `none` (a build without SIMD, for benchmarks). */
  simd: 'relaxed' | 'baseline' | 'none';
  /** Every forward pass since the model loaded: passes are cut by a budget of padded tokens;
   *  `waste` is the share of computed tokens that were padding. Null before the model loads. */
  padding: { batches: number; tokens: number; paddedTokens: number; waste: number } | null;
  /** Checks that reused the prepared resume (`prepare`) and those that had to embed it. */
  resumeCache: { hits: number; misses: number };
}

export interface Health {
  healthy: boolean;
  norms: [number, number];
  cosine: number;
  expectedCosine: number | null;
  tolerance: number;
  ms: number;
}

/** One job requirement with the resume line that best covers it. */
export interface RequirementMatch {
  text: string;
  optional: boolean;
  /** What it asks for (docs/scoring.md). */
  kind: 'skills' | 'experience' | 'education' | 'certification' | 'language' | 'soft_skill' | 'logistics' | 'other';
  /** The first of `evidenceLines`, or null. */
  evidence: string | null;
  /** Resume lines backing the status (at most three). */
  evidenceLines: string[];
  /** 0–1: cosine (or, provisional, the share of the requirement's terms in the line). */
  similarity: number;
  /** `check_yourself`: soft skills and logistics, which a resume cannot show. */
  status: 'covered' | 'partial' | 'missing' | 'check_yourself';
  /** The named skills of the requirement, each with whether the resume names it (aliases count). */
  skills: SkillCheck[];
  /** Years and degrees asked and shown, where they apply. */
  numbers: RequirementNumbers | null;
  /** One sentence for the candidate ("you show 2.5 years; the ad asks 2+"). */
  note: string | null;
}

/** A skill named by a requirement (canonical vocabulary name). */
export interface SkillCheck {
  name: string;
  kind: 'tool' | 'hard_skill' | 'certification' | 'language' | 'soft_skill';
  found: boolean;
}

/** Numbers of an experience or education requirement. */
export interface RequirementNumbers {
  yearsAsked: number | null;
  yearsShown: number | null;
  yearsInField: number | null;
  degreeAsked: string | null;
  degreeShown: string | null;
}

/**
 * The match report (the JSON of `cvmatch score`, camelCased). See docs/scoring.md for the
 * score and bands. The snake_case names (`band_meaning`, …) still read for one version.
 */
export interface MatchReport {
  /** Overall fit, 0–100. */
  score: number;
  band: string;
  bandMeaning: string;
  /** Only the lexical part was used. */
  provisional: boolean;
  /** Each 0–1, null where it could not be computed (docs/scoring.md); `lexical` is reported, not scored. */
  parts: {
    semantic: number | null;
    coverage: number | null;
    lexical: number | null;
    skills: number | null;
    experience: number | null;
    education: number | null;
    title: number | null;
  };
  requirements: RequirementMatch[];
  coverage: {
    requirements: number;
    covered: number;
    partial: number;
    missing: number;
    checkYourself: number;
    evidenceLines: number;
    resumeChunks: number;
    jobChunks: number;
  };
  matchedTerms: string[];
  missingTerms: string[];
  notes: string[];
  model: string | null;
}

/** explain(): the report and its text rendering (as `cvmatch explain` prints it). */
export interface Explanation extends MatchReport {
  text: string;
}

/** One entry of a ranking. */
export interface Ranked {
  /** Position of the job (or resume) in the input array. */
  index: number;
  score: number;
  report: MatchReport;
}

/** What the worker reported when it loaded an index. */
export interface IndexInfo {
  url: string;
  jobs: number;
  dimension: number;
  bytes: number;
  lineVectors: boolean;
  modelId: string;
  weightsFormat: string;
  source: 'cache' | 'network';
  cached: boolean;
  evicted: boolean;
  /** Whether a cached copy was checked against the `<index>.sha256` listing served beside it. */
  revalidated: boolean;
  /** sha256 of the index file. */
  sha256: string;
  readMs: number;
  verifyMs: number;
  totalMs: number;
}

/** A job index loaded in the workers. */
export declare class JobIndex {
  private constructor();
  /** Absolute URL it was loaded from. */
  url: string;
  /** Number of jobs. */
  jobs: number;
  /** What the worker reported. */
  info: IndexInfo;
}

/** Options of rank() over an index. */
export interface IndexRankOptions extends CallOptions {
  /** Jobs returned (default 10). */
  top?: number;
  /** Keep jobs whose field contains the value (case-insensitive): `{location: "remote"}`;
   *  `ids: string[]` keeps those ids. Other keys match the extra fields of the jobs file. */
  filter?: Record<string, string | number | string[]>;
  /** Attach the full report to the first `reports` jobs (default: all). */
  reports?: number;
  /** Jobs to rank by id, with their texts: ids the index lacks are scored from the text
   *  (`fromText: true`) instead of failing. */
  jobs?: { id: string; text: string; title?: string }[];
}

/** One job of rank() over an index. */
export interface IndexRankedJob {
  /** Row in the index; absent for a job scored from its text. */
  index?: number;
  /** True when the job is not in the index and was scored from the text given in `jobs`. */
  fromText?: boolean;
  id: string;
  title: string;
  company: string;
  location: string;
  url: string;
  /** Match score 0–100. */
  score: number;
  /** Approximate cosine from the int8 search (absent for a job scored from its text). */
  similarity?: number;
  report?: MatchReport;
}

/** rank() over an index. */
export interface IndexRanking {
  jobs: IndexRankedJob[];
  /** Jobs in the index. */
  searched: number;
  /** Ids asked for (in `filter.ids` or `jobs`) that the index lacks and no text was given for. */
  missing?: string[];
  /** Milliseconds for embedding the resume, searching and the reports. */
  ms: number;
  /** Milliseconds for one search over every row (the rest of `ms` is the resume and reports). */
  searchMs: number;
}

/** A job for buildIndex(): `id` and `text` required; other fields are kept in the index. */
export interface JobInput {
  id: string | number;
  text: string;
  title?: string;
  company?: string;
  location?: string;
  url?: string;
  [extra: string]: unknown;
}

export interface BuildIndexOptions extends CallOptions {
  /** Store requirement-line vectors (default true; false: a smaller file). */
  lineVectors?: boolean;
  /** Jobs per worker request (default 8). */
  batch?: number;
  /** Called after each batch: jobs embedded so far, of all. */
  onProgress?: (done: number, total: number) => void;
}

/** A document to read (readDocument): plain text, or a reader's text items. */
export interface DocumentInput {
  kind: 'pdf' | 'docx' | 'text';
  /** pdf: pdf.js text items in PDF user space (`x`, `y` = transform[4], transform[5]). */
  items?: { str: string; x: number; y: number; width: number; height: number; fontName?: string; bold?: boolean; size?: number; page: number }[];
  /** docx: paragraphs (mammoth), with whether each is a heading or a list item. */
  paragraphs?: { text: string; heading?: boolean; bullet?: boolean }[];
  text?: string;
}

/** readDocument(): the document rebuilt (docs/documents.md). */
export interface ReadDocument {
  /** One item per line, a blank line between sections: the text to show and score. */
  text: string;
  sections: { heading: string | null; kind: string; items: string[] }[];
  /** What was left out as noise. */
  dropped: { pageNumbers: number; headers: number; glyphs: number };
  pages: number;
}

/** prepare(): the resume embedded and kept in a worker. */
export interface Prepared {
  /** Texts embedded: `chunks` + `lines`. */
  units: number;
  chunks: number;
  lines: number;
  /** True when this text was already prepared (nothing was embedded). */
  cached: boolean;
  ms: number;
}

/** A sentence encoder and matcher running in a pool of workers. Make it with createMatcher(). */
export declare class Matcher {
  private constructor();
  /** Settles when the model is loaded; rejects with the load's error. Model calls made
   *  before wait for it; lexicalScore answers at once. */
  readonly ready: Promise<LoadInfo>;
  /** The value `ready` resolved with, or null before. */
  readonly loadInfo: LoadInfo | null;
  /** Workers answering requests now (grows to `pool.requested` as they load). */
  readonly workers: number;
  /** The pool: requested, ready, loading, dropped (with why), restarted. A snapshot. */
  readonly pool: PoolStatus;
  /** Resolves (never rejects) once no worker is loading any more. */
  poolReady(): Promise<PoolStatus>;
  /** One L2-normalised vector per text, in order; a batch is split over the ready workers. */
  embed(texts: string[], options?: CallOptions): Promise<Float32Array[]>;
  /** Scores a resume against a job (0–100, coverage with evidence, terms). */
  score(resume: string, job: string, options?: CallOptions): Promise<MatchReport>;
  /** The report of score() plus its text rendering. */
  explain(resume: string, job: string, options?: CallOptions): Promise<Explanation>;
  /** The provisional lexical-only report: needs no model, answers before `ready`. */
  lexicalScore(resume: string, job: string, options?: CallOptions): Promise<MatchReport>;
  /** Ranks jobs for one resume, best first. */
  rank(resume: string, jobs: string[], options?: { top?: number } & CallOptions): Promise<Ranked[]>;
  /** Ranks the jobs of a loaded index for one resume: best match score first, with reports. */
  rank(resume: string, index: JobIndex, options?: IndexRankOptions): Promise<IndexRanking>;
  /** Ranks resumes for one job, best first. */
  rankCandidates(job: string, resumes: string[], options?: { top?: number } & CallOptions): Promise<Ranked[]>;
  /** Loads a `.cvx` job index (verified, cached like the model files) into every worker.
   *  Node: a path or file: URL works too. */
  loadIndex(url: string, options?: CallOptions): Promise<JobIndex>;
  /** Builds a job index (the bytes of a `.cvx` file, the native CLI's format) in the pool. */
  buildIndex(jobs: JobInput[], options?: BuildIndexOptions): Promise<Uint8Array>;
  /** Reads a document's text (the worker's `read_document` op). */
  readDocument(input: DocumentInput, options?: CallOptions): Promise<ReadDocument>;
  /** Prepares a resume once for repeated scoring (the worker's `prepare` op). */
  prepare(resume: string, options?: CallOptions): Promise<Prepared>;
  /** Embeds two fixed sentences (in one worker); checks unit norms and their known cosine. */
  health(options?: CallOptions): Promise<Health>;
  /** Worker 0's load profile, usage summed over the ready workers, each worker's own reply. */
  profile(options?: CallOptions): Promise<{
    load: LoadProfile | null; usage: Usage; memoryBytes: number; workers: WorkerProfile[];
    /** Worker 0's build of the module (see WorkerProfile.simd). */
    simd: WorkerProfile['simd'];
    /** Worker 0's forward passes (see WorkerProfile.padding). */
    padding: WorkerProfile['padding'];
    /** Worker 0's prepared-resume reuse (see WorkerProfile.resumeCache). */
    resumeCache: WorkerProfile['resumeCache'];
  }>;
  /** Deletes the cached model files and indexes (the loaded model keeps working). */
  clearCache(options?: CallOptions): Promise<{ deleted: boolean }>;
  /** Stops every worker; pending calls reject with code `terminated`. */
  dispose(): void;
  /** @deprecated use dispose(); kept one version. */
  terminate(): void;
  /** A raw protocol request (docs/protocol.md), routed by the pool; the reply as sent. */
  request(op: string, args?: object, options?: CallOptions): Promise<unknown>;
}

/** Largest accepted `workers` option. */
export declare const MAX_WORKERS: 16;

/** The weights format loaded when none is named. */
export declare const DEFAULT_WEIGHTS: 'q8';

/** The default `workers`: browsers: cores − 1, at most 4, at most one per 4 GB of device
 *  memory (2 if unknown); Node: cores − 1, at most 4; at least 1. */
export declare function defaultWorkerCount(): number;

/** Starts the pool and the model load; returns at once (see `matcher.ready`). */
export declare function createMatcher(options: MatcherOptions): Matcher;

/** createMatcher, resolved once the model is ready. */
export declare function loadMatcher(options: MatcherOptions): Promise<Matcher>;

/** Whether loading with these options needs no download (everything in the cache store). */
export declare function isCached(options: { modelUrl: string; weights?: string; cacheDir?: string }): Promise<boolean>;

/** A report rendered as text, as `cvmatch explain` prints it. */
export declare function renderReport(report: MatchReport): string;

/** A copy of a worker reply with every key camelCased (used on every report). */
export declare function toCamel<T = unknown>(value: unknown): T;

/** Node only: the default cache directory. Undefined in browsers. */
export declare const defaultCacheDir: (() => string) | undefined;
