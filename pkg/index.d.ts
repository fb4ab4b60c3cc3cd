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
  /** Weights format listed in the manifest (default 'f32'). */
  weights?: string;
  /** Download progress, per file and overall. */
  onProgress?: (event: ProgressEvent) => void;
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

/** A sentence encoder running in a Web Worker. */
export declare class Matcher {
  private constructor();
  /** Set once the model is loaded. */
  ready: ReadyInfo | null;
  /** One L2-normalised vector per text, in order (buffers transferred from the worker). */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Scores a resume against a job (0–100, coverage, missing terms). */
  score(resume: string, job: string): Promise<MatchReport>;
  /** The same report as score(), named for the explanation it carries. */
  explain(resume: string, job: string): Promise<MatchReport>;
  /** Ranks jobs for one resume, best first. */
  rank(resume: string, jobs: string[], options?: { top?: number }): Promise<Ranked[]>;
  /** Ranks the jobs of a loaded index for one resume: best match score first, with reports. */
  rank(resume: string, index: JobIndex, options?: IndexRankOptions): Promise<IndexRanking>;
  /** Loads a `.cvx` job index (verified, cached like the model files). */
  loadIndex(url: string): Promise<JobIndex>;
  /** Ranks resumes for one job, best first. */
  rankCandidates(job: string, resumes: string[], options?: { top?: number }): Promise<Ranked[]>;
  /** The provisional lexical-only report (needs no model). */
  lexicalScore(resume: string, job: string): Promise<MatchReport>;
  /** Embeds two fixed sentences; checks unit norms and their known cosine. */
  health(): Promise<Health>;
  /** The load profile and usage counters. */
  profile(): Promise<{ load: LoadProfile | null; usage: Usage }>;
  /** Deletes the cached model files (the loaded model keeps working). */
  clearCache(): Promise<{ deleted: boolean }>;
  /** Stops the worker; pending requests reject with code `worker_crashed`. */
  terminate(): void;
  /** Sends a raw protocol request (see docs/protocol.md). */
  request(op: string, args?: object): Promise<unknown>;
}

/** Starts a worker, loads the model (cache first, then network) and resolves when ready. */
export declare function createMatcher(options: MatcherOptions): Promise<Matcher>;
