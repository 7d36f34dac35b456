/**
 * The embedded store's side of /signed-parts: handing out signed parts and
 * receiving `PUT /signed-parts/store/<id>/<N>` as S3 would.
 *
 * Why this exists: the seed's API gives the client, for each part, a URL, a
 * date and an Authorization header to PUT the part straight to S3 (with
 * `Content-Type: ""`). In the embedded mode this module is that S3: it signs
 * (signed-parts-sign.ts) and verifies, needs no bearer token, and answers
 * errors as S3 does (XML): a signature that does not match the request's
 * method, path, Content-MD5 header (or '') and x-amz-date header (including
 * missing headers) -> 403 SignatureDoesNotMatch; a date older than the TTL or
 * unparsable -> 403 AccessDenied "Request has expired"; a body whose MD5
 * differs from Content-MD5 -> 400 BadDigest (nothing kept); an unknown or
 * finished upload -> 404 NoSuchUpload; a part over 5 GiB (or over the file's
 * declared size) -> 400 EntityTooLarge. Success: 200, `ETag: "<md5 hex>"`,
 * empty body; a repeated PUT of a part replaces it.
 *
 * The body is streamed aside without holding the upload's lock (parts of one
 * upload can arrive in parallel); moving it into place and recording it
 * happen under the lock, after checking the upload is still open.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { S3Error, sendS3Error } from './signed-parts-errors.js';
import { authorization, signatureMatches } from './signed-parts-sign.js';
import type { PartRecord, PartStore } from './signed-parts-store.js';

export const STORE_PREFIX = '/signed-parts/store';

/** Largest part S3 accepts. */
export const MAX_PART_SIZE = 5 * 1024 ** 3;

/** What a client needs to PUT one part. */
export interface SignedPart {
  readonly part_number: number;
  readonly url: string;
  readonly date: string;
  readonly authorization: string;
  readonly expires_at: string;
}

export interface EmbeddedStore {
  /** Signs the PUT of part `partNumber` of upload `id`, with `md5sum` (base64) when given. */
  presign(id: string, partNumber: number, md5sum: string | undefined, origin: string): SignedPart;
  /** Answers a request under STORE_PREFIX. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
}

export function partPath(id: string, partNumber: number): string {
  return `${STORE_PREFIX}/${id}/${partNumber}`;
}

export function createEmbeddedStore(store: PartStore, key: () => Buffer, ttlSeconds: number): EmbeddedStore {
  const expired = (): S3Error => new S3Error(403, 'AccessDenied', 'Request has expired');
  const noSuchUpload = (): S3Error =>
    new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been finished.');

  async function put(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'PUT') throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const auth = header(req, 'authorization');
    const date = header(req, 'x-amz-date');
    const md5sum = header(req, 'content-md5') ?? '';
    if (auth === undefined || date === undefined || !signatureMatches(key(), 'PUT', pathname, md5sum, date, auth)) {
      throw new S3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Send the part with exactly the url, Authorization, x-amz-date and Content-MD5 it was signed with.',
      );
    }
    const signedAt = Date.parse(date);
    if (Number.isNaN(signedAt) || Date.now() - signedAt > ttlSeconds * 1000) throw expired();

    // A genuine signature names a real upload and part; these checks only matter if records were removed.
    const match = /^\/signed-parts\/store\/([0-9a-f]{32})\/([1-9]\d{0,4})$/.exec(pathname);
    const id = match?.[1] ?? '';
    const partNumber = Number(match?.[2]);
    if (!match || partNumber > 10_000) throw noSuchUpload();
    const record = await store.get(id);
    if (!record || record.state !== 'new') throw noSuchUpload();

    const limit = Math.min(MAX_PART_SIZE, record.file_size);
    const tooLarge = (): S3Error =>
      new S3Error(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${limit} bytes for a part of this upload).`);
    if (Number(req.headers['content-length'] ?? NaN) > limit) throw tooLarge();

    const received = await store.receive(id, partNumber, req, limit, {
      tooLarge,
      incomplete: () => new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.'),
      gone: noSuchUpload,
    });
    try {
      if (md5sum !== '' && !Buffer.from(md5sum, 'base64').equals(received.md5)) {
        throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      const part: PartRecord = { part_number: partNumber, size: received.size, md5: received.md5.toString('hex') };
      await store.withLock(id, async () => {
        const current = await store.get(id);
        if (!current || current.state !== 'new') throw noSuchUpload();
        await received.keep();
        const parts = [...current.parts.filter((p) => p.part_number !== partNumber), part].sort((a, b) => a.part_number - b.part_number);
        await store.save({ ...current, parts });
      });
      res.statusCode = 200;
      res.setHeader('ETag', `"${part.md5}"`);
      res.setHeader('Content-Length', '0');
      res.end();
    } finally {
      await received.discard();
    }
  }

  return {
    presign(id, partNumber, md5sum, origin) {
      const seconds = Math.floor(Date.now() / 1000);
      const date = new Date(seconds * 1000).toUTCString();
      const path = partPath(id, partNumber);
      return {
        part_number: partNumber,
        url: `${origin}${path}`,
        date,
        authorization: authorization(key(), 'PUT', path, md5sum ?? '', date),
        expires_at: new Date((seconds + ttlSeconds) * 1000).toISOString(),
      };
    },

    async handle(req, res, pathname) {
      try {
        await put(req, res, pathname);
      } catch (err) {
        if (err instanceof S3Error) sendS3Error(req, res, err);
        else throw err;
      }
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
