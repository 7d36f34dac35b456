/**
 * Errors of the /signed-parts routes: JSON ones for the API, S3-style XML
 * ones for the embedded store.
 *
 * Why this exists: the API answers like the other APIs here
 * (`{"error": {"code", "message"}}` through errors.ts's sendErrorDocument), with
 * the seed's own `{"errors": [member, message]}` beside it,
 * but the store stands in for S3, whose clients expect
 * `<?xml ...?><Error><Code>…</Code><Message>…</Message></Error>` with
 * `Content-Type: application/xml`. Both drain an unread body (up to
 * errors.ts's DRAIN_LIMIT) so that the client sees the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DRAIN_LIMIT } from './errors.js';

export type SignedPartsErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'malformed_body'
  | 'bad_file_name'
  | 'bad_file_size'
  | 'bad_content_type'
  | 'file_too_large'
  | 'bad_part_number'
  | 'bad_md5sum'
  | 'bad_state'
  | 'upload_finished'
  | 'no_parts'
  | 'incomplete_parts'
  | 'part_too_small'
  | 'too_many_uploads'
  | 'insufficient_storage';

/**
 * The member an error is about, as the seed's error document names it: the seed shows
 * one, `{"errors": ["state", "There are no parts upload to finish it"]}`, a member name
 * then a sentence. Errors about no member name the upload (`upload`).
 */
const SEED_MEMBER: Partial<Record<SignedPartsErrorCode, string>> = {
  bad_file_name: 'file_name',
  bad_file_size: 'file_size',
  file_too_large: 'file_size',
  bad_content_type: 'content_type',
  bad_part_number: 'part_number',
  bad_md5sum: 'md5sum',
  bad_state: 'state',
  upload_finished: 'state',
  no_parts: 'state',
  incomplete_parts: 'state',
  part_too_small: 'state',
};

export class SignedPartsError extends Error {
  readonly status: number;
  readonly code: SignedPartsErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  /** The seed's `errors` array beside the shared `error` object: `[member, message]`. */
  readonly extra: { readonly errors: readonly [string, string] };

  constructor(status: number, code: SignedPartsErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'SignedPartsError';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.extra = { errors: [SEED_MEMBER[code] ?? 'upload', message] };
  }
}

export type S3ErrorCode =
  | 'SignatureDoesNotMatch'
  | 'AccessDenied'
  | 'BadDigest'
  | 'NoSuchUpload'
  | 'EntityTooLarge'
  | 'IncompleteBody'
  | 'MethodNotAllowed';

/** An error of the embedded store, answered as S3 answers it. */
export class S3Error extends Error {
  readonly status: number;
  readonly code: S3ErrorCode;

  constructor(status: number, code: S3ErrorCode, message: string) {
    super(message);
    this.name = 'S3Error';
    this.status = status;
    this.code = code;
  }
}

/** The XML error document of `error`. */
export function s3ErrorXml(error: S3Error): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error>`;
}

/** Answers `error` as S3 does, discarding what is left of the request body. */
export function sendS3Error(req: IncomingMessage, res: ServerResponse, error: S3Error): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (!req.complete) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared <= DRAIN_LIMIT)) res.setHeader('Connection', 'close');
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_LIMIT) req.socket?.destroy();
    });
    req.on('error', () => {});
    req.resume();
  }
  const text = s3ErrorXml(error);
  res.statusCode = error.status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
