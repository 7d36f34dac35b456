/**
 * HTTP plumbing of the upload-session API: its error type, its error
 * responses, and reading a request body as a stream.
 *
 * Why this exists: the session API needs error codes that neither errors.ts
 * nor phased-http.ts list (`signature_invalid`, `url_expired`,
 * `session_committed`, ...), and some of its errors carry more than
 * `{"error": {...}}`: a create request whose every file name is refused also
 * lists the per-file `errors`. The document keeps the shared shape
 * `{"error": {"code", "message"}}`; extra members sit beside `error`. Like the
 * other APIs, an answer given before the body was read discards the rest of
 * the body (up to a limit), so the client sees the answer rather than a reset
 * connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { sendJson } from './errors.js';

export type SessionErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'malformed_body'
  | 'body_too_large'
  | 'too_many_files'
  | 'bad_file_name'
  | 'file_too_large'
  | 'body_incomplete'
  | 'bad_digest'
  | 'signature_invalid'
  | 'url_expired'
  | 'session_committed';

export class SessionError extends Error {
  readonly status: number;
  readonly code: SessionErrorCode;
  /** Members of the JSON document next to `error` (e.g. the per-file errors). */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: SessionErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SessionError';
    this.status = status;
    this.code = code;
    this.extra = extra;
    this.headers = headers;
  }
}

/** Bytes of an unread body we read and throw away after an early answer; past it the connection is closed. */
export const DRAIN_LIMIT = 16 * 1024 * 1024;

/** Answers with the error document, discarding what is left of the request body (up to DRAIN_LIMIT). */
export function sendSessionFailure(req: IncomingMessage, res: ServerResponse, error: SessionError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (!req.complete) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared <= DRAIN_LIMIT)) headers['Connection'] = 'close';
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT) req.socket?.destroy();
    });
    req.on('error', () => {});
    req.resume();
  }
  sendJson(res, error.status, { error: { code: error.code, message: error.message }, ...error.extra }, headers);
}

/**
 * Hands every chunk of `source` to `onChunk`, one at a time, pausing the
 * source while a chunk is handled. Resolves after the last chunk is handled;
 * rejects with the first failure of `onChunk`, or with 400 `body_incomplete`
 * when the source closes before its end. On failure the source is left
 * paused, not destroyed, so that an answer can still be sent on its
 * connection.
 */
export function eachChunk(source: Readable, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const incomplete = (): SessionError =>
      new SessionError(400, 'body_incomplete', 'The request body ended before it was complete; nothing of it was kept.');
    if (source.readableEnded) {
      resolve();
      return;
    }
    if (source.destroyed) {
      reject(incomplete());
      return;
    }
    let work: Promise<void> = Promise.resolve();
    let settled = false;
    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onFail);
      source.off('close', onFail);
      source.pause();
      // Report only once the chunk in progress is handled (or has failed).
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
    const onFail = (): void => settle(incomplete());
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onFail);
    source.on('close', onFail);
    source.resume();
  });
}
