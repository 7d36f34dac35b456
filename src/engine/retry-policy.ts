/**
 * When to try again, and after how long. Pure: `(error, attempt, policy) -> decision`.
 *
 * Defaults follow what tus-js-client, Uppy and Google's resumable-upload guidance
 * converged on: delays of 0, 1, 3 and 5 seconds with jitter; network errors, stalls,
 * 408, 409 (re-sync), 429 (honouring `Retry-After`) and 5xx are retried; other 4xx
 * are the client's fault and stop. The caller resets `attempt` whenever the server's
 * offset advanced, so a long upload over a flaky link does not run out of attempts.
 */
import { UploadError, UploadErrorCode } from './upload-error.js';

export interface RetryPolicy {
  /** Delay before each retry, in ms; its length is the number of retries. */
  readonly delays: readonly number[];
  /** Random spread added to each delay, as a fraction of it (0.2 = up to +20%). */
  readonly jitter: number;
  /** Upper bound for a server's `Retry-After`. */
  readonly maxRetryAfterMs: number;
  /** How many times one part is re-sent after the server rejected its checksum. */
  readonly checksumRetries: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  delays: [0, 1000, 3000, 5000],
  jitter: 0.2,
  maxRetryAfterMs: 60_000,
  checksumRetries: 3,
};

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/** Failures worth another attempt (a function, not a Set: the module runs nothing when it loads). */
function retryable(code: string): boolean {
  return (
    code === UploadErrorCode.Network ||
    code === UploadErrorCode.Stalled ||
    code === UploadErrorCode.RequestTimeout ||
    code === UploadErrorCode.RateLimited ||
    code === UploadErrorCode.ServerError ||
    code === UploadErrorCode.OffsetMismatch
  );
}

/**
 * @param attempt how many retries already happened since the last progress (0 for the first).
 * @param random injectable for tests; returns [0, 1).
 */
export function decideRetry(error: unknown, attempt: number, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random): RetryDecision {
  if (!(error instanceof UploadError)) return { retry: false };
  if (error.code === UploadErrorCode.ChecksumMismatch) {
    // The bytes were damaged on the way; sending them again at once is the fix.
    return attempt < policy.checksumRetries ? { retry: true, delayMs: 0 } : { retry: false };
  }
  if (error.code === UploadErrorCode.UrlExpired) {
    // A fresh signed URL is one API call away; no reason to wait.
    return attempt < policy.delays.length ? { retry: true, delayMs: 0 } : { retry: false };
  }
  if (!retryable(error.code) || attempt >= policy.delays.length) return { retry: false };
  const base = policy.delays[attempt] ?? 0;
  const backoff = base + base * policy.jitter * random();
  const asked = error.retryAfterMs === undefined ? 0 : Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
  return { retry: true, delayMs: Math.round(Math.max(backoff, asked)) };
}

/** Checks a policy given programmatically; the engine throws on nonsense. */
export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const ok =
    Array.isArray(policy.delays) &&
    policy.delays.every((d) => Number.isFinite(d) && d >= 0) &&
    Number.isFinite(policy.jitter) &&
    policy.jitter >= 0 &&
    Number.isFinite(policy.maxRetryAfterMs) &&
    policy.maxRetryAfterMs >= 0 &&
    Number.isInteger(policy.checksumRetries) &&
    policy.checksumRetries >= 0;
  if (!ok) throw new TypeError('retryPolicy: delays must be non-negative numbers, jitter, maxRetryAfterMs and checksumRetries non-negative.');
  return policy;
}
