/**
 * The server's one error type, and the one place that turns a thrown error into an
 * answer.
 *
 * Why this exists: every API reports failures with a stable `code` a client can branch
 * on and a sentence a person reading the network panel understands, but each in its own
 * documented shape: Panda, phased and Lagoa `{"error": {"code", "message"}, ...extra}`,
 * Candidio the same with `http_code` in `error` (like its `success` document),
 * Wunderlist its `{"errors": [member, message]}` beside that, and the embedded object
 * store S3's XML. Handlers throw `ApiError`; the app catches it once
 * (`sendApiError`) and renders it with the shape of the API the request was for, after
 * draining what is left of the body so that the client sees the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ApiErrorOptions {
  /** Headers of the answer (`Allow`, `Retry-After`, `Range`...). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Members of the JSON document beside `error` (the window to go on from, per-file errors...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export class ApiError extends Error {
  readonly status: number;
  /** Stable, snake_case (S3's own codes for the embedded store). */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(status: number, code: string, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

/** How an API writes an error: the body and its media type. */
export type ErrorShape = (error: ApiError) => { readonly type: string; readonly body: string };

/** `{"error": {"code", "message"}, ...extra}`: every API's shape but Candidio's, Wunderlist's and S3's. */
export const jsonErrorShape: ErrorShape = (error) => ({
  type: 'application/json; charset=utf-8',
  body: JSON.stringify({ error: { code: error.code, message: error.message }, ...error.extra }),
});

/** Bytes of a request body we are willing to read and throw away after an early error. */
export const DRAIN_LIMIT = 16 * 1024 * 1024;

/** Writes a JSON body with the usual API headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/**
 * Answers with `error` in `shape`. If the request body has not been read to its end (we
 * rejected it from its headers, or stopped half-way), the rest is read and discarded so
 * that the client sees the answer rather than a reset connection; past `drainLimit`
 * bytes, the connection is dropped instead.
 */
export function sendApiError(
  req: IncomingMessage,
  res: ServerResponse,
  error: ApiError,
  shape: ErrorShape = jsonErrorShape,
  drainLimit: number = DRAIN_LIMIT,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { ...error.headers };
  if (!req.complete) discardBody(req, headers, drainLimit);
  const { type, body } = shape(error);
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

/**
 * Reads what is left of a request body and throws it away, so that the answer written
 * beside it reaches the client; past `drainLimit` bytes the connection is dropped
 * instead. Adds `Connection: close` to `headers` when the body may be longer than that.
 */
export function discardBody(req: IncomingMessage, headers: Record<string, string>, drainLimit: number): void {
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

/** Wraps anything thrown that is not an ApiError as a 500 (details go to stderr, not to the client). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  console.error('asset-uploader server: unexpected error:', err);
  return new ApiError(500, 'internal_error', 'The server failed while handling this request; it is safe to retry.');
}
