/**
 * Signed upload URLs of the session API.
 *
 * Why this exists: like the storage service the seed's API hands out, a
 * session's upload URLs need no bearer token: whoever holds one may PUT that
 * one file until it expires, and nothing else. The capability is an
 * HMAC-SHA256 over exactly the method, the path and the expiry:
 *
 *     PUT\n/session/v1/blobs/<session token>/<index>\n<expires>
 *
 * (`expires` in Unix seconds, written in decimal as in the query), sent as
 * `?expires=<expires>&signature=<64 hex>`. Changing any of the three breaks the
 * signature; other query parameters are ignored (they cannot widen what the
 * URL allows). The URL works until the end of the second `expires`.
 *
 * The key is SESSION_SIGNING_KEY (its UTF-8 bytes) when configured; otherwise
 * 32 random bytes generated once and kept in `<dataDir>/session/signing.key`
 * (hex, mode 0600), so that URLs handed out survive a restart.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Shortest SESSION_SIGNING_KEY accepted, in UTF-8 bytes. */
export const MIN_KEY_BYTES = 16;

export const KEY_FILE = 'signing.key';

const SIGNATURE = /^[0-9a-f]{64}$/i;
const EXPIRES = /^\d{1,12}$/;

export type Verdict = 'ok' | 'invalid' | 'expired';

/** The exact string that is signed. */
export function stringToSign(method: string, path: string, expires: number | string): string {
  return `${method}\n${path}\n${expires}`;
}

export function sign(key: Buffer, method: string, path: string, expires: number | string): string {
  return createHmac('sha256', key)
    .update(stringToSign(method, path, expires), 'utf8')
    .digest('hex');
}

/** The query string of a signed URL (starting with "?"). */
export function signedQuery(key: Buffer, method: string, path: string, expires: number): string {
  return `?expires=${expires}&signature=${sign(key, method, path, expires)}`;
}

/**
 * Checks the `expires` and `signature` of `query` against `method` and `path`
 * (the path exactly as requested). The signature is checked first and in
 * constant time, so an expired URL is only reported as such when it is
 * genuine.
 */
export function verify(key: Buffer, method: string, path: string, query: URLSearchParams, nowMs = Date.now()): Verdict {
  const expires = query.getAll('expires');
  const signature = query.getAll('signature');
  if (expires.length !== 1 || signature.length !== 1) return 'invalid';
  const expiresText = expires[0] ?? '';
  const signatureText = signature[0] ?? '';
  if (!EXPIRES.test(expiresText) || !SIGNATURE.test(signatureText)) return 'invalid';
  const expected = Buffer.from(sign(key, method, path, expiresText), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signatureText, 'hex'))) return 'invalid';
  return Math.floor(nowMs / 1000) > Number(expiresText) ? 'expired' : 'ok';
}

/**
 * The signing key: `configured` (a string, used as UTF-8 bytes) when given,
 * else the key kept in `<dir>/signing.key`, created on first use. `dir` must
 * exist.
 */
export async function loadSigningKey(dir: string, configured: string | undefined): Promise<Buffer> {
  if (configured !== undefined) return configuredKey(configured);
  const path = join(dir, KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  // Written aside, made durable, then linked into place: linking fails if
  // another process got there first, and then its key is the one used.
  const temporary = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${randomBytes(32).toString('hex')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600);
    await link(temporary, path);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temporary).catch(() => {});
  }
  await syncDir(dir);
  const stored = await readKeyFile(path);
  if (!stored) throw new Error(`${path} vanished while it was being created.`);
  return stored;
}

/** Checks SESSION_SIGNING_KEY (or the option) and returns its bytes; throws with a sentence when unusable. */
export function configuredKey(value: string): Buffer {
  const key = Buffer.from(value, 'utf8');
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`SESSION_SIGNING_KEY must be at least ${MIN_KEY_BYTES} bytes long (it is ${key.length}); use a long random string.`);
  }
  return key;
}

async function readKeyFile(path: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return null;
    throw err;
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(
      `${path} is damaged (it must hold 64 hex digits); delete it to make a new key (signed URLs already handed out then stop working), or set SESSION_SIGNING_KEY.`,
    );
  }
  return Buffer.from(hex, 'hex');
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. Windows); the link itself is still atomic.
  }
}
