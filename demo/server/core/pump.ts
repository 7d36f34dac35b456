/**
 * Reading a request body (or any stream) chunk by chunk, with back-pressure.
 *
 * Why this exists: the content-range store (content-range/store.ts) and the session API
 * (session/http.ts) both write a body to disk as it arrives and must never
 * report success or failure before the chunk in progress is handled, nor
 * destroy the request (the client must still get the answer). Only the error
 * for a body cut short differs between them, so that is a parameter.
 */
import type { Readable } from 'node:stream';

/**
 * Feeds every chunk of `source` to `onChunk`, one at a time, pausing the
 * source while a chunk is being handled. Resolves after the last chunk is
 * handled; rejects with the first failure of `onChunk`, or with what
 * `aborted` returns when the source closes before its end (`cause` is the
 * source's error, when it failed with one). The source is left paused (not
 * destroyed) on failure, so an HTTP response can still be sent on its
 * connection.
 */
export function pumpChunks(source: Readable, onChunk: (chunk: Buffer) => Promise<void>, aborted: (cause?: unknown) => unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (source.readableEnded) {
      resolve();
      return;
    }
    if (source.destroyed) {
      reject(aborted());
      return;
    }
    let work: Promise<void> = Promise.resolve();
    let settled = false;

    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      source.pause();
      // Never report before the chunk in progress is handled (or has failed).
      work.then(
        () => (error === undefined ? resolve() : reject(error)),
        (failure: unknown) => reject(error ?? failure),
      );
    };
    const onData = (chunk: Buffer | string): void => {
      source.pause();
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      work = work.then(() => onChunk(buffer));
      work.then(
        () => {
          if (!settled) source.resume();
        },
        (failure: unknown) => settle(failure),
      );
    };
    const onEnd = (): void => settle();
    const onError = (error: unknown): void => settle(aborted(error));
    const onClose = (): void => settle(aborted());

    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.on('close', onClose);
    source.resume();
  });
}

/** The source produced more bytes than the caller allowed; nothing of it was kept. */
export class TooManyBytesError extends Error {
  constructor(readonly limit: number) {
    super(`The body carries more than the ${limit} bytes expected.`);
    this.name = 'TooManyBytesError';
  }
}

/** The source ended abnormally (for a request: the client went away mid-body). */
export class SourceAbortedError extends Error {
  constructor(message = 'The body ended before it was complete.') {
    super(message);
    this.name = 'SourceAbortedError';
  }
}
