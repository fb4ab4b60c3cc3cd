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

/** A sentence encoder running in a Web Worker. */
export declare class Matcher {
  private constructor();
  /** Set once the model is loaded. */
  ready: ReadyInfo | null;
  /** One L2-normalised vector per text, in order (buffers transferred from the worker). */
  embed(texts: string[]): Promise<Float32Array[]>;
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
