/**
 * The embedded store's side of /signed-parts: handing out signed parts and
 * receiving `PUT /signed-parts/store/<id>/<N>` as S3 would.
 *
 * Why this exists: the seed's API gives the client, for each part, a URL, a
 * date and an Authorization header to PUT the part straight to S3 (with
 * `Content-Type: ""`). In the embedded mode this module is that S3: it signs
 * (signed-parts/sign.ts) and verifies, needs no bearer token, and answers
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
import { sendDownload } from '../core/http.js';
import { EMBEDDED_BUCKET } from '../core/object-store.js';
import type { ObjectLookup } from '../core/object-store.js';
import { checkParts, isoSeconds, uploadIdOfKey } from './backend.js';
import type { PartsBackend } from './backend.js';
import { authorization, loadKey, signatureMatches } from './sign.js';
import type { LocalPartStore, PartRecord, UploadRecord } from './store.js';
import { ApiError } from '../core/errors.js';

export const STORE_PREFIX = '/signed-parts/store';

/** Largest part S3 accepts. */
export const MAX_PART_SIZE = 5 * 1024 ** 3;

export function partPath(id: string, partNumber: number): string {
  return `${STORE_PREFIX}/${id}/${partNumber}`;
}

/** The embedded mode: `store` keeps records, parts and files; `signingKey` is SIGNED_PARTS_KEY when configured. */
export function createEmbeddedBackend(store: LocalPartStore, signingKey: string | undefined, ttlSeconds: number): PartsBackend {
  let loaded: Buffer | undefined;
  const key = (): Buffer => {
    if (loaded === undefined) throw new Error('The signed-parts API was used before init().');
    return loaded;
  };
  const expired = (): ApiError => new ApiError(403, 'AccessDenied', 'Request has expired');
  const noSuchUpload = (): ApiError =>
    new ApiError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been finished.');

  async function put(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'PUT') throw new ApiError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    const auth = header(req, 'authorization');
    const date = header(req, 'x-amz-date');
    const md5sum = header(req, 'content-md5') ?? '';
    if (auth === undefined || date === undefined || !signatureMatches(key(), 'PUT', pathname, md5sum, date, auth)) {
      throw new ApiError(
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
    if (record?.state !== 'new') throw noSuchUpload();

    // The parts together hold at most file_size (what the upload reserved): a part may
    // take what the other parts leave, as far as anyone can tell before its bytes come.
    const othersHold = (parts: readonly PartRecord[]): number => parts.reduce((sum, p) => (p.part_number === partNumber ? sum : sum + p.size), 0);
    const limit = Math.min(MAX_PART_SIZE, record.file_size - othersHold(record.parts));
    const tooLarge = (): ApiError =>
      new ApiError(
        400,
        'EntityTooLarge',
        `Your proposed upload exceeds the maximum allowed size (${limit} bytes for this part: the upload's parts together hold at most its file_size, ${record.file_size}).`,
      );
    if (Number(req.headers['content-length'] ?? NaN) > limit) throw tooLarge();

    const received = await store.receive(id, partNumber, req, limit, {
      tooLarge,
      incomplete: () => new ApiError(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.'),
      gone: noSuchUpload,
    });
    try {
      if (md5sum !== '' && !Buffer.from(md5sum, 'base64').equals(received.md5)) {
        throw new ApiError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      const part: PartRecord = { part_number: partNumber, size: received.size, md5: received.md5.toString('hex') };
      await store.withLock(id, async () => {
        const current = await store.get(id);
        if (current?.state !== 'new') throw noSuchUpload();
        // Parts that came in meanwhile count too.
        if (othersHold(current.parts) + part.size > current.file_size) throw tooLarge();
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

  const objects: ObjectLookup = {
    async head(bucket, objectName) {
      const id = bucket === EMBEDDED_BUCKET ? uploadIdOfKey(objectName) : null;
      const record = id === null ? null : await store.get(id);
      if (record?.state !== 'finished') return null;
      return { bucket, key: objectName, size: record.file_size, etag: record.etag ?? record.md5 ?? '' };
    },
    async downloadUrl(_bucket, objectName, origin) {
      return `${origin}/signed-parts/files/${uploadIdOfKey(objectName) ?? ''}`;
    },
    async remove(bucket, objectName) {
      const id = bucket === EMBEDDED_BUCKET ? uploadIdOfKey(objectName) : null;
      if (id !== null) await store.withLock(id, () => store.remove(id));
    },
  };

  return {
    mode: 'embedded',
    bucket: EMBEDDED_BUCKET,
    objects,

    async init() {
      await store.init();
      loaded = await loadKey(store.dir, signingKey);
    },

    async begin(record) {
      return record;
    },

    async presign(record, partNumber, md5sum, origin) {
      const seconds = Math.floor(Date.now() / 1000);
      const date = new Date(seconds * 1000).toUTCString();
      const path = partPath(record.id, partNumber);
      return {
        part_number: partNumber,
        url: `${origin}${path}`,
        date,
        authorization: authorization(key(), 'PUT', path, md5sum ?? '', date),
        expires_at: isoSeconds((seconds + ttlSeconds) * 1000),
      };
    },

    async parts(record) {
      return record.parts;
    },

    lastActivity(record) {
      return store.lastWritten(record.id);
    },

    async abandon() {
      // The parts are this store's files: removing the upload (the caller's store.remove) removes them.
    },

    async finish(record) {
      checkParts(record, record.parts);
      const stored = await store.checkStored(record);
      if ('lost' in stored) {
        await store.save({ ...record, parts: record.parts.filter((part) => part.part_number !== stored.lost) });
        throw new ApiError(400, 'incomplete_parts', `The bytes of part ${stored.lost} were lost; upload part ${stored.lost} again.`);
      }
      const done: UploadRecord = { ...record, state: 'finished', etag: stored.etag };
      await store.save(done);
      return done;
    },

    async download(req, res, record) {
      await sendDownload(req, res, store.openObject(record), record.file_name, record.file_size);
    },

    async handleStore(req, res, pathname) {
      if (!pathname.startsWith(`${STORE_PREFIX}/`)) return false;
      await put(req, res, pathname); // its errors are written as S3 writes them (routes.ts errorShape)
      return true;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
