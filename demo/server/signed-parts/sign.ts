/**
 * Signatures of the /signed-parts embedded object store.
 *
 * Why this exists: in the embedded mode the reference server plays the object
 * store itself, so it signs part uploads the way the seed's API signs S3
 * requests (an `Authorization` header plus a date header the client must send
 * unchanged) and the store verifies them like S3 would. The signature is an
 * HMAC-SHA256 over exactly
 *
 *     PUT\n/signed-parts/store/<upload id>/<part number>\n<Content-MD5 or "">\n<date>
 *
 * sent as `Authorization: ASU1 <64 hex>` with `x-amz-date: <date>` (an HTTP
 * date). Changing the path, the part number, the Content-MD5 or the date
 * breaks it. The date also bounds its life: older than the TTL, it expired.
 *
 * The key is SIGNED_PARTS_KEY (UTF-8, at least 16 bytes) when configured, else
 * a random key kept in `<dataDir>/signed-parts/signing.key` (core/signing.ts's
 * loader), so parts handed out survive a restart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadSigningKey, MIN_KEY_BYTES } from '../core/signing.js';

export const SCHEME = 'ASU1';

const AUTHORIZATION = /^ASU1 ([0-9a-f]{64})$/;

/** The exact string that is signed. */
export function stringToSign(method: string, path: string, md5sum: string, date: string): string {
  return `${method}\n${path}\n${md5sum}\n${date}`;
}

/** The `Authorization` header value for these request parts. */
export function authorization(key: Buffer, method: string, path: string, md5sum: string, date: string): string {
  const mac = createHmac('sha256', key)
    .update(stringToSign(method, path, md5sum, date), 'utf8')
    .digest('hex');
  return `${SCHEME} ${mac}`;
}

/** True when `header` is the signature of these request parts (compared in constant time). */
export function signatureMatches(key: Buffer, method: string, path: string, md5sum: string, date: string, header: string): boolean {
  const match = AUTHORIZATION.exec(header.trim());
  if (!match) return false;
  const expected = Buffer.from(authorization(key, method, path, md5sum, date).slice(SCHEME.length + 1), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1] ?? '', 'hex'));
}

/** Checks SIGNED_PARTS_KEY (or the option) and returns its bytes; throws with a sentence when unusable. */
export function configuredKey(value: string): Buffer {
  const key = Buffer.from(value, 'utf8');
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`SIGNED_PARTS_KEY must be at least ${MIN_KEY_BYTES} bytes long (it is ${key.length}); use a long random string.`);
  }
  return key;
}

/** The configured key, else the one kept in `<dir>/signing.key` (created on first use; `dir` must exist). */
export function loadKey(dir: string, configured: string | undefined): Promise<Buffer> {
  return configured === undefined ? loadSigningKey(dir, undefined) : Promise.resolve(configuredKey(configured));
}
