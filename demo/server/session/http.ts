/**
 * HTTP plumbing of the upload-session API: its error type and reading a
 * request body as a stream (the shared parts are in core/errors.ts and core/pump.ts).
 *
 * Why this exists: the session API needs error codes that neither core/errors.ts
 * nor core/body.ts list (`signature_invalid`, `url_expired`,
 * `session_committed`, ...), and some of its errors carry more than
 * `{"error": {...}}`: a create request whose every file name is refused also
 * lists the per-file `errors`. The document keeps the shared shape
 * `{"error": {"code", "message"}}`; extra members sit beside `error`. Like
 * the other APIs, errors are answered with core/errors.ts's `sendApiError`,
 * which, given before the body was read, discards the rest of the body (up to
 * a limit), so the client sees the answer rather than a reset connection.
 */
import type { Readable } from 'node:stream';
import { pumpChunks } from '../core/pump.js';
import { ApiError } from '../core/errors.js';

/**
 * Hands every chunk of `source` to `onChunk`, one at a time, pausing the
 * source while a chunk is handled. Resolves after the last chunk is handled;
 * rejects with the first failure of `onChunk`, or with 400 `body_incomplete`
 * when the source closes before its end. On failure the source is left
 * paused, not destroyed, so that an answer can still be sent on its
 * connection.
 */
export function eachChunk(source: Readable, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return pumpChunks(source, onChunk, () => new ApiError(400, 'body_incomplete', 'The request body ended before it was complete; nothing of it was kept.'));
}
