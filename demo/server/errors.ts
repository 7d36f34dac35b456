/**
 * JSON error helper.
 *
 * Why this exists: every failure the reference server reports has the same
 * shape, `{"error": {"code", "message"}}`, so that the browser client can
 * branch on a stable `code` while a person reading the network panel gets a
 * sentence. Handlers throw `HttpError`; the app turns it into a response in
 * one place (`sendError`).
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
const DRAIN_LIMIT = 16 * 1024 * 1024;

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

/**
 * Answers with the JSON error document. If the request body has not been read
 * to its end (we rejected it from its headers, or stopped half-way), the rest
 * is read and discarded so that the client sees the answer rather than a
 * reset connection; past DRAIN_LIMIT bytes, the connection is dropped instead.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (!req.complete) discardBody(req, headers);
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

function discardBody(req: IncomingMessage, headers: Record<string, string>): void {
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

/** Wraps anything thrown that is not an HttpError as a 500 (details go to stderr, not to the client). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  console.error('asset-uploader server: unexpected error:', err);
  return new HttpError(500, 'internal_error', 'The server failed while handling this request; it is safe to retry.');
}
