/**
 * How the /signed-parts routes write an `ApiError`: the seed's shape for the API, S3's
 * XML for the embedded store.
 *
 * Why this exists: the API answers like the other APIs here (`{"error": {"code",
 * "message"}}`, which the adapter reads) with the seed's own `{"errors": [member,
 * message]}` beside it; the seed shows one, `{"errors": ["state", "There are no parts
 * upload to finish it"]}`, a member name then a sentence. The store stands in for S3,
 * whose clients expect `<?xml ...?><Error><Code>…</Code><Message>…</Message></Error>`
 * as `application/xml`, with S3's own codes (`SignatureDoesNotMatch`, `BadDigest`...).
 */
import type { ErrorShape } from '../core/errors.js';

/** The member an error is about, by code; errors about no member name the upload (`upload`). */
const SEED_MEMBER: Readonly<Record<string, string>> = {
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

/** The API's errors: the shared JSON document with the seed's `errors` array beside `error`. */
export const wunderlistErrorShape: ErrorShape = (error) => ({
  type: 'application/json; charset=utf-8',
  body: JSON.stringify({ error: { code: error.code, message: error.message }, errors: [SEED_MEMBER[error.code] ?? 'upload', error.message], ...error.extra }),
});

/** The embedded store's errors, as S3 writes them. */
export const s3XmlErrorShape: ErrorShape = (error) => ({
  type: 'application/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>`,
});

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
