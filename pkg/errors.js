// cvmatch's one error class, shared by the pool and the public API.

/**
 * @typedef {'io'|'model'|'integrity'|'bad_input'|'network'|'html_response'|'quota'|'index'|'worker_crashed'|'terminated'|'aborted'|'timeout'} ErrorCode
 */

/** An Error with a stable, machine-readable `code`. */
export class CvmatchError extends Error {
  /**
   * @param {ErrorCode|string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'CvmatchError';
    /** @type {ErrorCode|string} */
    this.code = code;
  }
}

/** A fresh copy of an error (each rejection gets its own object). */
export const copyError = (/** @type {CvmatchError} */ e) => new CvmatchError(e.code, e.message);

/**
 * The error of an aborted signal: `aborted`, or `timeout` for AbortSignal.timeout().
 * @param {AbortSignal} signal
 */
export function abortError(signal) {
  const reason = /** @type {any} */ (signal.reason);
  if (reason instanceof CvmatchError) return copyError(reason);
  if (reason?.name === 'TimeoutError') return new CvmatchError('timeout', reason.message || 'the call timed out');
  return new CvmatchError('aborted', reason?.message ? `aborted: ${reason.message}` : 'the call was aborted');
}
