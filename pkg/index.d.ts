// Types for cvmatch's browser client (pkg/index.js). Messages: docs/protocol.md.

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
  | 'worker_crashed';

/** An Error with a stable, machine-readable `code`. */
export declare class CvmatchError extends Error {
  constructor(code: ErrorCode | string, message: string);
  readonly name: 'CvmatchError';
  code: ErrorCode;
}

/** Download progress: per file, and overall with `file: null`. */
export interface ProgressEvent {
  type: 'progress';
  file: string | null;
  loaded: number;
  total: number;
}

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
  /** The file is now in the Cache API store. */
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
  manifest: { source: 'network' | 'cache'; ms: number; networkError?: string };
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

export interface ReadyInfo {
  /** Every model file is in the Cache API store (false: memory only, see profile.cacheNote). */
  cached: boolean;
  profile: LoadProfile;
}

export interface MatcherOptions {
  /** URL of the model directory holding manifest.json, resolved against the page's URL. */
  modelUrl: string;
  /** Weights format listed in the manifest (default 'q8': 21 MB, min cosine 0.9994 to the
   *  original; 'f16' 45 MB; 'f32' 91 MB, the original). */
  weights?: string;
  /**
   * Web Workers in the pool: an integer from 1 to {@link MAX_WORKERS}; anything else rejects
   * with `bad_input`. Default: {@link defaultWorkerCount} (cores − 1, at most 4, at most one
   * per 4 GB of `navigator.deviceMemory` or 2 when unknown; 1 on a 2-core machine).
   *
   * Each worker holds its own copy of the model (weights expanded to f32): about 200 MB of
   * memory per worker, measured in Chromium with the f32 weights. Worker 0 loads the model (network, then
   * the Cache API store) and `createMatcher` resolves once it is ready; the others then load
   * from the store and join as they become ready (`matcher.pool`, `matcher.poolReady()`).
   * They are not started when the model could not be stored (they would download it again).
   * `embed` splits a batch over the ready workers; every other call goes to one worker.
   */
  workers?: number;
  /** Download progress, per file and overall. */
  onProgress?: (event: ProgressEvent) => void;
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
  /** Workers still loading the model from the Cache API store. */
  loading: number;
  /** Workers that failed to load or died, in that order (terminate() adds none). */
  dropped: DroppedWorker[];
  /** Why fewer workers than requested were started, when so. */
  note?: string;
}

/** One worker's own profile reply, in `profile().workers`. */
export interface WorkerProfile {
  /** Its number in the pool. */
  worker: number;
  /** URLs of the job indexes loaded in it. */
  indexes: string[];
  load: LoadProfile | null;
  usage: Usage;
  [key: string]: unknown;
}

export interface Health {
  healthy: boolean;
  norms: [number, number];
  cosine: number;
  expectedCosine: number | null;
  tolerance: number;
  ms: number;
}

export interface Usage {
  embedCalls: number;
  texts: number;
  tokens: number;
  embedMs: number;
}

/** One job requirement with the resume line that best covers it. */
export interface RequirementMatch {
  text: string;
  optional: boolean;
  evidence: string | null;
  /** 0–1: cosine (or, provisional, the share of the requirement's terms in the line). */
  similarity: number;
  status: 'covered' | 'partial' | 'missing';
}

/**
 * The match report (the same JSON as `cvmatch explain`, hence snake_case fields).
 * See docs/scoring.md for the score and bands.
 */
export interface MatchReport {
  /** Overall fit, 0–100. */
  score: number;
  band: string;
  band_meaning: string;
  /** Only the lexical part was used. */
  provisional: boolean;
  parts: { semantic: number | null; coverage: number | null; lexical: number | null };
  requirements: RequirementMatch[];
  coverage: {
    requirements: number;
    covered: number;
    partial: number;
    missing: number;
    evidence_lines: number;
    resume_chunks: number;
    job_chunks: number;
  };
  matched_terms: string[];
  missing_terms: string[];
  notes: string[];
  model: string | null;
}

/** One entry of a ranking. */
export interface Ranked {
  /** Position of the job (or resume) in the input array. */
  index: number;
  score: number;
  report: MatchReport;
}

/** A job index loaded in the worker. */
export declare class JobIndex {
  /** Absolute URL it was loaded from. */
  url: string;
  /** Number of jobs. */
  jobs: number;
  /** What the worker reported: bytes, source (`cache` or `network`), cached, timings. */
  info: Record<string, unknown>;
}

/** Options of rank() over an index. */
export interface IndexRankOptions {
  /** Jobs returned (default 10). */
  top?: number;
  /** Keep jobs whose field contains the value (case-insensitive): `{location: "remote"}`;
   *  `ids: string[]` keeps those ids. Other keys match the extra fields of the jobs file. */
  filter?: Record<string, string | number | string[]>;
  /** Attach the full report to the first `reports` jobs (default: all). */
  reports?: number;
}

/** rank() over an index. */
export interface IndexRanking {
  jobs: {
    index: number;
    id: string;
    title: string;
    company: string;
    location: string;
    url: string;
    /** Match score 0–100. */
    score: number;
    /** Approximate cosine from the int8 search. */
    similarity: number;
    report?: MatchReport;
  }[];
  /** Jobs in the index. */
  searched: number;
  /** Milliseconds for embedding the resume, searching and the reports. */
  ms: number;
  /** Milliseconds for one search over every row (the rest of `ms` is the resume and reports). */
  searchMs: number;
}

/** A sentence encoder running in a pool of Web Workers. */
export declare class Matcher {
  private constructor();
  /** Set once the model is loaded (worker 0's load). */
  ready: ReadyInfo | null;
  /** Workers answering requests now (grows to `pool.requested` as the others load). */
  readonly workers: number;
  /** The pool: requested, ready, loading, dropped (with why). A snapshot. */
  readonly pool: PoolStatus;
  /** Resolves (never rejects) once no worker is loading any more: every worker has joined or been dropped. */
  poolReady(): Promise<PoolStatus>;
  /**
   * One L2-normalised vector per text, in order (buffers transferred from the worker).
   * With several workers ready, a batch is split into contiguous slices of about equal
   * length embedded at the same time; one failed slice rejects the whole call.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Scores a resume against a job (0–100, coverage, missing terms). */
  score(resume: string, job: string): Promise<MatchReport>;
  /** The same report as score(), named for the explanation it carries. */
  explain(resume: string, job: string): Promise<MatchReport>;
  /** Ranks jobs for one resume, best first. */
  rank(resume: string, jobs: string[], options?: { top?: number }): Promise<Ranked[]>;
  /** Ranks the jobs of a loaded index for one resume: best match score first, with reports. */
  rank(resume: string, index: JobIndex, options?: IndexRankOptions): Promise<IndexRanking>;
  /** Loads a `.cvx` job index (verified, cached like the model files) into every worker. */
  loadIndex(url: string): Promise<JobIndex>;
  /** Ranks resumes for one job, best first. */
  rankCandidates(job: string, resumes: string[], options?: { top?: number }): Promise<Ranked[]>;
  /** The provisional lexical-only report (needs no model). */
  lexicalScore(resume: string, job: string): Promise<MatchReport>;
  /** Embeds two fixed sentences (in one worker); checks unit norms and their known cosine. */
  health(): Promise<Health>;
  /**
   * Worker 0's load profile, usage counters summed over the ready workers, and each ready
   * worker's own reply.
   */
  profile(): Promise<{ load: LoadProfile | null; usage: Usage; workers: WorkerProfile[] }>;
  /** Deletes the cached model files (the loaded model keeps working). */
  clearCache(): Promise<{ deleted: boolean }>;
  /** Stops every worker; pending requests reject with code `worker_crashed`. */
  terminate(): void;
  /**
   * Sends a raw protocol request (see docs/protocol.md) to one worker: `load`, `profile` and
   * `clearCache` to worker 0 (the lowest-numbered alive), requests naming a loaded index to a
   * worker holding it, the rest to the least busy; `loadIndex` goes to every worker.
   */
  request(op: string, args?: object): Promise<unknown>;
}

/** Largest accepted `workers` option. */
export declare const MAX_WORKERS: 16;

/** The default `workers`: cores − 1, at most 4, at most one per 4 GB of device memory (2 if unknown), at least 1. */
export declare function defaultWorkerCount(): number;

/**
 * Starts worker 0, loads the model (cache first, then network) and resolves when it is
 * ready; the other workers of the pool start then, load from the cache and join as they
 * become ready.
 */
export declare function createMatcher(options: MatcherOptions): Promise<Matcher>;
