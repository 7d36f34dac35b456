/** Waits `ms`, or rejects as soon as `signal` aborts: no retry wait outlives a pause. */
import { UploadError, UploadErrorCode } from './upload-error.js';

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new UploadError(UploadErrorCode.Aborted, 'Aborted while waiting.'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UploadError(UploadErrorCode.Aborted, 'Aborted while waiting.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves when the browser is online (at once if it is, or cannot tell). Waiting for
 * `online` instead of burning retries while the laptop is on a train.
 */
export function whenOnline(signal: AbortSignal): Promise<void> {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  if (nav?.onLine !== false || typeof globalThis.addEventListener !== 'function') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onOnline = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      globalThis.removeEventListener('online', onOnline);
      reject(new UploadError(UploadErrorCode.Aborted, 'Aborted while offline.'));
    };
    globalThis.addEventListener('online', onOnline, { once: true });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
