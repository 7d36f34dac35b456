/**
 * The signed-parts upload API (the seed's "Wunderlist uploads": S3 multipart
 * behind an API), mounted under `/signed-parts`, in the EMBEDDED mode: this
 * server is also the object store (signed-parts/embedded.ts, on local disk
 * through signed-parts/store.ts's PartStore).
 *
 * Routes ("bearer" = `Authorization: Bearer <token>` with the `assets` scope,
 * core/auth.ts; every `/signed-parts/api/...` route needs it):
 * - `POST /api/v1/uploads` (bearer), JSON `{content_type, file_name,
 *   file_size, part_number?, md5sum?}`: 201 `{"id", "user_id": 1, "state":
 *   "new", "type": "upload", "expires_at", "part"}`, `part` being the signed
 *   part `part_number` (default 1): `{"part_number", "url", "date",
 *   "authorization", "expires_at"}`; `expires_at` (both) is the part's.
 * - `GET /api/v1/uploads/<id>/parts?part_number=N&md5sum=<base64>` (bearer):
 *   200, the same shape for part N; 409 `upload_finished` once finished.
 * - `PUT /store/<id>/<N>` (no bearer; the signature is the authorization):
 *   see signed-parts/embedded.ts.
 * - `GET /api/v1/uploads/<id>` (bearer): 200 `{"id", "state", "file_name",
 *   "file_size", "content_type", "parts": [{"part_number", "size",
 *   "etag"}]}`. NOT in the seed: it is how a client resumes (like S3
 *   ListParts); `etag` is the part's quoted hex MD5, as in the PUT's ETag.
 * - `PATCH /api/v1/uploads/<id>` (bearer), JSON `{"state": "finished"}`:
 *   checks the parts (at least one: else 400 `no_parts`, the seed's 400;
 *   exactly 1..n summing to file_size: else 400 `incomplete_parts`; every
 *   part but the last at least 5 MiB like S3: else 400 `part_too_small`),
 *   assembles them, then 200 `{"id", "user_id": 1, "state": "finished",
 *   "type": "upload", "file_name", "file_size", "md5", "url"}`; the same
 *   answer again for a finished upload.
 * - `DELETE /api/v1/uploads/<id>` (bearer): NOT in the seed (there, failed
 *   uploads are garbage-collected): abandons an upload in progress, so that a
 *   cancel frees the parts now (S3: AbortMultipartUpload); 204, then 404 for
 *   it; 409 `upload_finished` once finished.
 * - `GET|HEAD /files/<id>` (no bearer: the 32-hex id is the capability): the
 *   finished file, as an attachment.
 *
 * Readings picked where the seed is vague:
 * - Ids are 32 hex digits, not integers (the seed's 2000): `/files/<id>` needs
 *   no token, so an id must not be guessable. `user_id` is always 1 (tokens
 *   carry no user).
 * - part_number is 1..10000 (S3's range; the seed says only that it starts
 *   at 1). A create without part_number signs part 1.
 * - md5sum's encoding is not given: it is the base64 of the 16-byte MD5, what
 *   S3's Content-MD5 takes; hex is refused (400 `bad_md5sum`). A space in the
 *   query (an unencoded "+") is read as "+".
 * - A part signed with an md5sum must be PUT with it as `Content-MD5`: the
 *   signature covers it, as S3's does. The seed's three headers are the whole
 *   list only for a part signed without md5sum.
 * - `date` is an HTTP date ("Wed, 30 Apr 2014 14:44:48 GMT"), not the seed's
 *   "UTC +00:00" form, which is not one; the client sends it back unchanged
 *   as `x-amz-date`, so only the store reads it. `expires_at`, at the top and in `part`, is the part's
 *   signature's end, in ISO 8601 to the second as the seed writes it.
 * - `authorization` is opaque to the client: `ASU1 <hex>` in the embedded
 *   mode, S3's `AWS <key>:<signature>` in S3 mode with S3_PART_SIGNATURE=header.
 * - Step 3's "Request body example" sits under a "200 OK" line: read as a
 *   slip; the body is `{"state": "finished"}`, and other members (the table's
 *   `id`, which the URL already gives) are ignored. Finishing a finished
 *   upload answers the same 200 again, so a client whose answer was lost
 *   can repeat it.
 * - "Failed uploads will be automatically garbage collected": an unfinished
 *   upload that received nothing for UPLOAD_TTL is removed by the sweep.
 * - Errors carry the seed's `{"errors": [member, message]}` (finishing with no
 *   parts: exactly the seed's `["state", "There are no parts upload to finish
 *   it"]`, typo kept) and, beside it, the shared `{"error": {"code",
 *   "message"}}` that the adapter reads.
 * - A `file_size` above S3's largest object (5 TiB) is refused at creation
 *   (413 `file_too_large`), before any multipart upload is started.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, ApiError, type ErrorShape } from '../core/errors.js';
import { s3XmlErrorShape, wunderlistErrorShape } from './errors.js';
import { mediaType, requestOrigin } from '../core/http.js';
import { claimOrRefuse, type Claim, type OpenUploads } from '../core/limits.js';
import { fileNameProblem } from '../core/names.js';
import type { ObjectLookup } from '../core/object-store.js';
import { createAuthenticator, requireScope, tokenOwner } from '../core/auth.js';
import type { ApiTokens } from '../core/auth.js';
import { parseJsonObject, readSmallBody } from '../core/body.js';
import { objectKey } from './backend.js';
import type { PartsBackend } from './backend.js';
import { createEmbeddedBackend } from './embedded.js';
import { createS3Backend } from './s3.js';
import type { S3Config } from './s3.js';
import { configuredKey } from './sign.js';
import { LocalPartStore } from './store.js';
import type { UploadRecord } from './store.js';

export const PREFIX = '/signed-parts';

/** Lifetime of a signed part in seconds when none is configured. */
export const DEFAULT_TTL = 900;

export const MAX_PART_NUMBER = 10_000;

/** S3's largest object: 5 TiB. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;

/** The longest a SigV4 presigned URL may live. */
const MAX_PRESIGN_SECONDS = 604_800;

const USER_ID = 1;

export interface SignedPartsOptions {
  readonly dataDir: string;
  /** Largest file_size accepted, in bytes; unlimited when absent. */
  readonly maxFileSize?: number | undefined;
  /** Fixed origin for the URLs handed out; default: the request's Host header. */
  readonly publicOrigin?: string | undefined;
  /** Bearer tokens and their scopes (the `assets` scope is needed); none when absent (every request is refused). */
  readonly apiTokens?: ApiTokens | undefined;
  /** Key of the part signatures (UTF-8, at least 16 bytes); default: a random key kept in DATA_DIR/signed-parts/signing.key. */
  readonly signingKey?: string | undefined;
  /** Lifetime of a signed part in seconds (default DEFAULT_TTL). */
  readonly ttl?: number | undefined;
  /** A real S3 to keep the parts and files in; the embedded store when absent. */
  readonly s3?: S3Config | undefined;
  /** Open uploads, counted per bearer token (core/limits.ts); unlimited when absent. */
  readonly openUploads?: OpenUploads | undefined;
}

/** The key of a signed-parts upload in the OpenUploads ledger. */
const openKey = (id: string): string => `signed-parts:${id}`;

export interface SignedPartsApi {
  init(): Promise<void>;
  /** The finished uploads as objects (for the registry). */
  readonly objects: ObjectLookup;
  /** "embedded" or "s3". */
  readonly mode: string;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** The seed's JSON for the API, S3's XML for the embedded store. */
  errorShape(pathname: string): ErrorShape;
  /**
   * Removes the unfinished uploads that received nothing for `ttlMs`: their records
   * and parts (embedded: the part files; S3: AbortMultipartUpload), and stops counting
   * them; resolves with how many.
   */
  sweep(ttlMs: number): Promise<number>;
}

/** True when `pathname` belongs to this API (the prefix itself or anything under it). */
export function isSignedPartsPath(pathname: string): boolean {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

export function createSignedPartsApi(options: SignedPartsOptions): SignedPartsApi {
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (!Number.isSafeInteger(ttl) || ttl < 1) {
    throw new Error(`The signed part lifetime (SIGNED_PARTS_TTL) must be a whole number of seconds, at least 1, not ${ttl}.`);
  }
  if (options.s3 && ttl > MAX_PRESIGN_SECONDS) {
    throw new Error(`In S3 mode a signed part can live at most ${MAX_PRESIGN_SECONDS} seconds (7 days, SigV4's limit); SIGNED_PARTS_TTL is ${ttl}.`);
  }
  if (options.signingKey !== undefined) configuredKey(options.signingKey);
  const maxFileSize = options.maxFileSize ?? Number.MAX_SAFE_INTEGER;
  const auth = createAuthenticator(options.apiTokens ?? new Map());
  const store = new LocalPartStore(options.dataDir);
  const backend: PartsBackend = options.s3 ? createS3Backend(store, options.s3, ttl) : createEmbeddedBackend(store, options.signingKey, ttl);
  const originOf = (req: IncomingMessage): string => options.publicOrigin ?? requestOrigin(req);

  async function readJson(req: IncomingMessage, purpose: string): Promise<Record<string, unknown>> {
    if (mediaType(req) !== 'application/json') throw new ApiError(415, 'unsupported_media_type', `Send ${purpose} as application/json.`);
    return parseJsonObject((await readSmallBody(req)).toString('utf8'));
  }

  /** Counts a new upload of `size` bytes against the request's token, or refuses it in this API's error document (429 or 507, with Retry-After). */
  function claimRoom(req: IncomingMessage, size: number): Claim {
    return claimOrRefuse(options.openUploads, tokenOwner(req), size, 1);
  }

  async function withPart(req: IncomingMessage, record: UploadRecord, partNumber: number, md5sum: string | undefined): Promise<Record<string, unknown>> {
    const part = await backend.presign(record, partNumber, md5sum, originOf(req));
    return { id: record.id, user_id: USER_ID, state: record.state, type: 'upload', expires_at: part.expires_at, part };
  }

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, 'the upload');
    const contentType = body['content_type'];
    if (typeof contentType !== 'string' || contentType.length === 0 || contentType.length > 255 || /[^\x20-\x7e]/.test(contentType)) {
      throw new ApiError(400, 'bad_content_type', 'content_type is required: printable ASCII, 1 to 255 characters.');
    }
    const nameProblem = fileNameProblem(body['file_name']);
    if (nameProblem !== null) throw new ApiError(400, 'bad_file_name', nameProblem);
    const fileSize = body['file_size'];
    if (typeof fileSize !== 'number' || !Number.isSafeInteger(fileSize) || fileSize < 0) {
      throw new ApiError(400, 'bad_file_size', 'file_size is required and must be a whole number of bytes, 0 or more.');
    }
    if (fileSize > maxFileSize) {
      throw new ApiError(413, 'file_too_large', `file_size is ${fileSize} bytes; this server accepts at most ${maxFileSize}.`);
    }
    if (fileSize > MAX_OBJECT_SIZE) {
      throw new ApiError(413, 'file_too_large', `file_size is ${fileSize} bytes; an S3 object holds at most ${MAX_OBJECT_SIZE} (5 TiB).`);
    }
    const partNumber = body['part_number'] === undefined ? 1 : checkPartNumber(body['part_number']);
    const md5sum = checkMd5sum(body['md5sum']);
    const claim = claimRoom(req, fileSize);
    let record: UploadRecord;
    try {
      const created = await store.create({ file_name: body['file_name'] as string, file_size: fileSize, content_type: contentType });
      record = await store.withLock(created.id, async () => {
        let begun: UploadRecord;
        try {
          begun = await backend.begin(created);
        } catch (err) {
          // The store could not start it (S3 unreachable, say): no record of an upload that does not exist.
          await store.remove(created.id);
          throw err;
        }
        if (begun !== created) await store.save(begun);
        return begun;
      });
    } catch (err) {
      claim.release();
      throw err;
    }
    claim.bind(openKey(record.id));
    sendJson(res, 201, await withPart(req, record, partNumber, md5sum));
  }

  async function nextPart(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const numbers = query.getAll('part_number');
    if (numbers.length !== 1) throw badPartNumber();
    const partNumber = checkPartNumber(numbers[0]);
    const md5s = query.getAll('md5sum');
    if (md5s.length > 1) throw badMd5sum();
    const md5sum = checkMd5sum(md5s[0]?.replace(/ /g, '+'));
    const record = await existing(id);
    if (record.state === 'finished') throw new ApiError(409, 'upload_finished', 'This upload is finished; it takes no more parts.');
    sendJson(res, 200, await withPart(req, record, partNumber, md5sum));
  }

  async function show(res: ServerResponse, id: string): Promise<void> {
    const record = await existing(id);
    const parts = record.state === 'finished' ? record.parts : await backend.parts(record);
    sendJson(res, 200, {
      id: record.id,
      state: record.state,
      file_name: record.file_name,
      file_size: record.file_size,
      content_type: record.content_type,
      parts: parts.map((part) => ({ part_number: part.part_number, size: part.size, etag: `"${part.md5}"` })),
    });
  }

  async function finish(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const body = await readJson(req, 'the new state');
    if (body['state'] !== 'finished') throw new ApiError(400, 'bad_state', 'The only state an upload can be set to is "finished".');
    const record = await store.withLock(id, async () => {
      const current = await existing(id);
      if (current.state === 'finished') return current;
      const done = await backend.finish(current);
      options.openUploads?.release(openKey(id));
      return done;
    });
    sendJson(res, 200, {
      id: record.id,
      user_id: USER_ID,
      state: record.state,
      type: 'upload',
      file_name: record.file_name,
      file_size: record.file_size,
      ...(record.md5 === undefined ? {} : { md5: record.md5 }),
      etag: record.etag ?? record.md5,
      bucket: backend.bucket,
      object_key: objectKey(record.id),
      url: `${originOf(req)}${PREFIX}/files/${record.id}`,
    });
  }

  async function abandon(res: ServerResponse, id: string): Promise<void> {
    await store.withLock(id, async () => {
      const current = await existing(id);
      if (current.state === 'finished') {
        throw new ApiError(409, 'upload_finished', 'This upload is finished; delete its asset instead (the registry does).');
      }
      await backend.abandon(current);
      await store.remove(id);
      options.openUploads?.release(openKey(id));
    });
    res.statusCode = 204;
    res.setHeader('Cache-Control', 'no-store');
    res.end();
  }

  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const record = await store.get(id);
    if (record?.state !== 'finished') throw notFound();
    await backend.download(req, res, record);
  }

  async function existing(id: string): Promise<UploadRecord> {
    const record = await store.get(id);
    if (!record) throw notFound();
    return record;
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (await backend.handleStore(req, res, pathname)) return;
    const rest = pathname.slice(PREFIX.length);
    const file = /^\/files\/([^/]+)$/.exec(rest);
    if (file) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD, OPTIONS');
      return download(req, res, file[1] ?? '');
    }
    if (!rest.startsWith('/api/')) throw notFound();
    requireScope(auth.scopesOf(req), 'assets');
    if (rest === '/api/v1/uploads') {
      if (method !== 'POST') throw methodNotAllowed('POST, OPTIONS');
      return create(req, res);
    }
    const parts = /^\/api\/v1\/uploads\/([0-9a-f]{32})\/parts$/.exec(rest);
    if (parts) {
      if (method !== 'GET') throw methodNotAllowed('GET, OPTIONS');
      return nextPart(req, res, parts[1] ?? '');
    }
    const upload = /^\/api\/v1\/uploads\/([0-9a-f]{32})$/.exec(rest);
    if (upload) {
      if (method === 'GET') return show(res, upload[1] ?? '');
      if (method === 'PATCH') return finish(req, res, upload[1] ?? '');
      if (method === 'DELETE') return abandon(res, upload[1] ?? '');
      throw methodNotAllowed('GET, PATCH, DELETE, OPTIONS');
    }
    throw notFound();
  }

  return {
    objects: backend.objects,
    mode: backend.mode,

    init() {
      return backend.init();
    },

    handle: route,

    errorShape: (pathname) => (pathname.startsWith(`${PREFIX}/store/`) ? s3XmlErrorShape : wunderlistErrorShape),

    async sweep(ttlMs) {
      let removed = 0;
      const idle = async (record: UploadRecord): Promise<boolean> => Date.now() - (await backend.lastActivity(record)) > ttlMs;
      for (const id of await store.ids()) {
        // The local times first: S3 mode asks S3 (ListParts) only about uploads quiet here.
        if (Date.now() - (await store.lastWritten(id)) <= ttlMs) continue;
        const candidate = await store.get(id).catch(() => null);
        if (candidate?.state !== 'new' || !(await idle(candidate))) continue;
        // Under the lock: a part kept or a finish meanwhile has written the record again.
        const gone = await store.withLock(id, async () => {
          const current = await store.get(id);
          if (current?.state !== 'new' || !(await idle(current))) return false;
          await backend.abandon(current);
          await store.remove(id);
          // In the same step as the removal: whoever sees the files gone finds the slot free.
          options.openUploads?.release(openKey(id));
          return true;
        });
        if (!gone) continue;
        removed += 1;
      }
      return removed;
    },
  };
}

function checkPartNumber(value: unknown): number {
  const number = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > MAX_PART_NUMBER) throw badPartNumber();
  return number;
}

function checkMd5sum(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(value)) throw badMd5sum();
  return value;
}

function badPartNumber(): ApiError {
  return new ApiError(400, 'bad_part_number', `part_number must be a whole number from 1 to ${MAX_PART_NUMBER}.`);
}

function badMd5sum(): ApiError {
  return new ApiError(400, 'bad_md5sum', "md5sum must be the base64 encoding of the part's 16-byte MD5 digest.");
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'There is no such upload or file.');
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `This resource accepts ${allow}.`, { headers: { Allow: allow } });
}
