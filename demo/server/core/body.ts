/**
 * HTTP plumbing of the phased API: its error type and reading small bodies
 * (the shared parts are in core/http.ts and core/errors.ts).
 *
 * Why this exists: the phased API needs error codes that core/errors.ts does not
 * list (`unauthorized`, `insufficient_scope`, `chunk_size_mismatch`, ...) and
 * some of its errors carry more than `{"error": {...}}`: a 409
 * `offset_mismatch` also says which window to send next
 * (`start_offset`/`end_offset`), so that a client can continue without another
 * request. The document keeps the shared shape `{"error": {"code",
 * "message"}}`; the extra members sit beside `error`. Errors are answered
 * with core/errors.ts's `sendApiError`, which, given before the body was
 * read, discards the rest of the body so the client sees the answer rather
 * than a reset connection.
 */
import type { IncomingMessage } from 'node:http';
import { mediaType, readBody } from './http.js';
import { ApiError } from './errors.js';

/** Largest JSON, urlencoded or form field accepted. */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** Reads a whole small body (at most SMALL_BODY_LIMIT bytes). */
export function readSmallBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > SMALL_BODY_LIMIT) return Promise.reject(bodyTooLarge());
  return readBody(req, SMALL_BODY_LIMIT, {
    tooLarge: bodyTooLarge,
    incomplete: () => new ApiError(400, 'malformed_body', 'The request body ended before it was complete.'),
  });
}

/**
 * Reads a JSON object or an x-www-form-urlencoded body as a map of fields
 * (form values are strings; JSON values keep their type).
 */
export async function readFields(req: IncomingMessage, purpose: string): Promise<Map<string, unknown>> {
  const type = mediaType(req);
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
    throw new ApiError(415, 'unsupported_media_type', `Send ${purpose} as application/json or application/x-www-form-urlencoded.`);
  }
  const text = (await readSmallBody(req)).toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const fields = new Map<string, unknown>();
    for (const [name, value] of new URLSearchParams(text)) {
      if (fields.has(name)) throw new ApiError(400, 'malformed_body', `The field "${name}" is given more than once.`);
      fields.set(name, value);
    }
    return fields;
  }
  return new Map(Object.entries(parseJsonObject(text)));
}

/** Parses a JSON object, or fails with 400 malformed_body. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'malformed_body', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'malformed_body', 'The body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function bodyTooLarge(): ApiError {
  return new ApiError(413, 'body_too_large', `The request body is larger than ${SMALL_BODY_LIMIT} bytes.`);
}
