/**
 * JSON error helper.
 *
 * Why this exists: every failure the reference server reports has the same
 * shape, `{"error": {"code", "message"}}`, so that the browser client can
 * branch on a stable `code` while a person reading the network panel gets a
 * sentence. Handlers throw `HttpError`; the app turns it into a response in
 * one place (`sendError`). The phased and session APIs have error types of
 * their own (more codes, extra members beside `error`) but answer through the
 * same `sendErrorDocument`, so every API drains an unread body the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type ErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'malformed_body'
  | 'body_too_large'
  | 'bad_file_size'
  | 'file_too_large'
  | 'bad_file_name'
  | 'bad_content_range'
  | 'bad_content_md5'
  | 'length_mismatch'
  | 'offset_mismatch'
  | 'range_invalid'
  | 'body_length_mismatch'
  | 'bad_digest'
  | 'missing_file'
  | 'too_many_files'
  | 'bad_path'
  | 'too_many_uploads'
  | 'insufficient_storage'
  | 'internal_error';

export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Bytes of a request body we are willing to read and throw away after an early error. */
export const DRAIN_LIMIT = 16 * 1024 * 1024;

/** Writes a JSON body with the usual API headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** What an error answer is made of: HttpError, and the phased and session APIs' error types. */
export interface ErrorDocument {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Members of the JSON document next to `error`. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * Answers with the JSON error document `{"error": {"code", "message"},
 * ...extra}`. If the request body has not been read to its end (we rejected
 * it from its headers, or stopped half-way), the rest is read and discarded
 * so that the client sees the answer rather than a reset connection; past
 * `drainLimit` bytes, the connection is dropped instead.
 */
export function sendErrorDocument(
  req: IncomingMessage,
  res: ServerResponse,
  error: ErrorDocument,
  drainLimit: number = DRAIN_LIMIT,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (!req.complete) discardBody(req, headers, drainLimit);
  sendJson(res, error.status, { error: { code: error.code, message: error.message }, ...error.extra }, headers);
}

/** Answers with the JSON error document of an HttpError (see sendErrorDocument). */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  sendErrorDocument(req, res, error);
}

function discardBody(req: IncomingMessage, headers: Record<string, string>, drainLimit: number): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!(declared <= drainLimit)) headers['Connection'] = 'close';
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > drainLimit) req.socket?.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

/** Wraps anything thrown that is not an HttpError as a 500 (details go to stderr, not to the client). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  console.error('asset-uploader server: unexpected error:', err);
  return new HttpError(500, 'internal_error', 'The server failed while handling this request; it is safe to retry.');
}
