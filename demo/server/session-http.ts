/**
 * HTTP plumbing of the upload-session API: its error type and reading a
 * request body as a stream (the shared parts are in errors.ts and pump.ts).
 *
 * Why this exists: the session API needs error codes that neither errors.ts
 * nor phased-http.ts list (`signature_invalid`, `url_expired`,
 * `session_committed`, ...), and some of its errors carry more than
 * `{"error": {...}}`: a create request whose every file name is refused also
 * lists the per-file `errors`. The document keeps the shared shape
 * `{"error": {"code", "message"}}`; extra members sit beside `error`. Like
 * the other APIs, errors are answered with errors.ts's `sendErrorDocument`,
 * which, given before the body was read, discards the rest of the body (up to
 * a limit), so the client sees the answer rather than a reset connection.
 */
import type { Readable } from 'node:stream';
import { pumpChunks } from './pump.js';

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
  | 'session_committed'
  | 'too_many_uploads'
  | 'insufficient_storage';

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

/**
 * Hands every chunk of `source` to `onChunk`, one at a time, pausing the
 * source while a chunk is handled. Resolves after the last chunk is handled;
 * rejects with the first failure of `onChunk`, or with 400 `body_incomplete`
 * when the source closes before its end. On failure the source is left
 * paused, not destroyed, so that an answer can still be sent on its
 * connection.
 */
export function eachChunk(source: Readable, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return pumpChunks(
    source,
    onChunk,
    () => new SessionError(400, 'body_incomplete', 'The request body ended before it was complete; nothing of it was kept.'),
  );
}
