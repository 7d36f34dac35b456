/**
 * The Lagoa upload-session API, mounted under `/session`.
 *
 * Why this exists: it is the reference implementation of the "request a
 * session, PUT each file to a signed URL, commit, poll the status" workflow,
 * so that a client of that style can be tested against a server that really
 * checks signatures, expiry and digests and really processes what it gets.
 *
 * Routes (relative to the prefix; "bearer" = `Authorization: Bearer <token>`
 * with the `assets` scope, checked by core/auth.ts):
 * - `POST /v1/upload_sessions.json` (bearer), JSON `{"files": [{"name"}, ...]}`
 *   (1 to 100 files, body at most 64 KiB): 200 `{"response_code": 200,
 *   "session_token", "files": [{"name", "url"}], "errors": [{"name", "code",
 *   "message"}]}`. A file whose name core/names.ts refuses gets no URL and is
 *   listed in `errors` instead; when every name is refused: 400
 *   `bad_file_name` with the same `errors` beside `error`.
 * - `PUT /v1/blobs/<token>/<index>?expires=&signature=` (no bearer: the
 *   signature is the authorization, see core/signing.ts): the whole file as
 *   the body, any Content-Type, optional Content-MD5: 200 `{"name", "size",
 *   "md5"}`. A repeated PUT replaces the file.
 * - `PUT /v1/upload_sessions/<token>.json` (bearer): commit, 200 `{"files":
 *   [{"name", "status_code", "status_message"}]}`; processing then runs in
 *   the background (session/process.ts).
 * - `GET /v1/upload_sessions/<token>.json` (bearer): 200 `{"files": [{"name",
 *   "status", "status_message"?, "assets": [{"id", "name", "url", "size",
 *   "md5"}]}], "errors": [...]}`.
 * - `GET /v1/assets/<id>` (no bearer: the 32-hex id is the capability): the
 *   asset's bytes, as an attachment.
 *
 * Readings picked where the seed is vague:
 * - `<index>` in a URL is the file's position in the response's `files` (the
 *   accepted files only), so duplicate names are fine.
 * - Statuses: `waiting` (no bytes yet), `uploaded` (bytes there, not
 *   committed), `transcoding` (committed, processing queued or running),
 *   `done`, `error` (with `status_message`). A file not uploaded at commit is
 *   answered 400 "The file was not uploaded." and is in `error` from then on.
 * - `errors` collects every per-file problem, each `{"name", "code",
 *   "message"}`: refused names at creation (`bad_file_name`), files missing
 *   at commit (`not_uploaded`), archive entries skipped (`bad_file_name`,
 *   `unsupported_entry`, named by their path in the archive), and files whose
 *   processing failed (`bad_zip`, `processing_failed`).
 * - The files of a session are processed one after the other, in order;
 *   sessions are processed independently. Processing interrupted by a
 *   restart starts again at the next startup.
 * - A PUT streams into a temporary file without holding the session's lock,
 *   so the files of a session can be uploaded in parallel; moving the bytes
 *   into place and recording them happen under the lock, after checking that
 *   the session is still not committed. Commit and the end of each file's
 *   processing also take the lock; status reads the record as it is (records
 *   are replaced atomically).
 * - The commit body, if any, is ignored.
 * - Tokens need the `assets` scope (the seed names OAuth2 and no scopes).
 * - Create answers HTTP 200, matching the seed's `"response_code": 200`,
 *   which is always 200: a refused request gets the shared error document
 *   with its own status instead.
 * - The signed URL takes `PUT` (the seed names no method; S3's signed
 *   uploads are PUTs). A PUT after the commit, and a second commit, answer
 *   409 `session_committed`; an unknown session is 404.
 * - Asset ids are 32 hex digits, not the seed's integers: `GET
 *   /v1/assets/<id>` needs no token, so an id must not be guessable. An
 *   asset's `url` is that download, where the seed's points at a page.
 * - The seed's zip example lists an asset named like the archive beside the
 *   entry it holds; here the archive itself is not an asset, only its
 *   entries are (session/process.ts).
 * - Names are echoed exactly as the request sent them, so a client can match
 *   entries by name (the seed's "filename1z.ip" is read as a typo). Answers
 *   are valid JSON (the seed's status example misses a comma).
 * - Webhooks ("comming soon") are not implemented; the status GET is the
 *   only way to learn that processing ended.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { sendJson, ApiError } from '../core/errors.js';
import { mediaType, requestOrigin, sendDownload, parseContentMd5 } from '../core/http.js';
import { claimOrRefuse, type Claim, type OpenUploads } from '../core/limits.js';
import { fileNameProblem } from '../core/names.js';
import { createAuthenticator, requireScope, tokenOwner } from '../core/auth.js';
import type { ApiTokens } from '../core/auth.js';
import { parseJsonObject, readSmallBody } from '../core/body.js';
import { eachChunk } from './http.js';
import { processFile } from './process.js';
import { configuredKey, loadSigningKey, signedQuery, verify } from '../core/signing.js';
import { ID_PATTERN, SessionStore } from './store.js';
import type { FileError, SessionFile, SessionRecord } from './store.js';
import { DEFAULT_ZIP_LIMITS } from './zip.js';
import type { ZipLimits } from './zip.js';

export const PREFIX = '/session';

/** Lifetime of a signed upload URL when none is configured, in seconds. */
export const DEFAULT_URL_TTL = 3600;

export const MAX_FILES = 100;

const NOT_UPLOADED = 'The file was not uploaded.';

export interface SessionOptions {
  readonly dataDir: string;
  /** Largest file accepted on a signed URL, in bytes; unlimited when absent. */
  readonly maxFileSize?: number | undefined;
  /** Fixed origin for the URLs handed out; default: the request's Host header. */
  readonly publicOrigin?: string | undefined;
  /** Bearer tokens and their scopes (the `assets` scope is needed); none when absent (every request is refused). */
  readonly apiTokens?: ApiTokens | undefined;
  /** Key of the URL signatures (UTF-8, at least 16 bytes); default: a random key kept in the data directory. */
  readonly signingKey?: string | undefined;
  /** Lifetime of a signed URL in seconds (default DEFAULT_URL_TTL). */
  readonly urlTtl?: number | undefined;
  /** Caps on what one zip may unpack to (default DEFAULT_ZIP_LIMITS). */
  readonly zipLimits?: ZipLimits | undefined;
  /** Open uploads, counted per bearer token (core/limits.ts; a session counts one per file until it is committed); unlimited when absent. */
  readonly openUploads?: OpenUploads | undefined;
}

/** The key of an uncommitted session in the OpenUploads ledger. */
const openKey = (token: string): string => `session:${token}`;

export interface SessionApi {
  /** Prepares storage and the signing key, and resumes processing interrupted by a restart. */
  init(): Promise<void>;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** Stops processing (it resumes at the next start) and waits for it to stop. */
  close(): Promise<void>;
  /** Removes the sessions never committed that received nothing for `ttlMs` (records and uploaded files) and stops counting them; resolves with how many. */
  sweep(ttlMs: number): Promise<number>;
}

/** True when `pathname` belongs to this API (the prefix itself or anything under it). */
export function isSessionPath(pathname: string): boolean {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

export function createSessionApi(options: SessionOptions): SessionApi {
  const ttl = options.urlTtl ?? DEFAULT_URL_TTL;
  if (!Number.isSafeInteger(ttl) || ttl < 1) {
    throw new Error(`The session URL lifetime (SESSION_URL_TTL) must be a whole number of seconds, at least 1, not ${ttl}.`);
  }
  // Checked now, so that a bad SESSION_SIGNING_KEY stops the server at startup.
  if (options.signingKey !== undefined) configuredKey(options.signingKey);
  const maxFileSize = options.maxFileSize ?? Number.MAX_SAFE_INTEGER;
  const limits = options.zipLimits ?? DEFAULT_ZIP_LIMITS;
  const store = new SessionStore(options.dataDir);
  const auth = createAuthenticator(options.apiTokens ?? new Map());
  const closing = new AbortController();
  /** Per session, the processing run in progress (runs of one session are chained). */
  const runs = new Map<string, Promise<void>>();
  let key: Buffer | undefined;

  const originOf = (req: IncomingMessage): string => options.publicOrigin ?? requestOrigin(req);
  const signingKey = (): Buffer => {
    if (key === undefined) throw new Error('The session API was used before init().');
    return key;
  };

  /**
   * Counts a new session's `files` against the request's token (each file is an
   * upload), or refuses it in this API's error document (429, with Retry-After). The
   * session API declares no sizes, so a session reserves no bytes; MAX_FILE_SIZE bounds
   * each file.
   */
  function claimRoom(req: IncomingMessage, files: number): Claim {
    return claimOrRefuse(options.openUploads, tokenOwner(req), 0, files);
  }

  // -------------------------------------------------------------------------
  // Creating

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (mediaType(req) !== 'application/json') {
      throw new ApiError(415, 'unsupported_media_type', 'Send the session request as application/json: {"files": [{"name": "..."}]}.');
    }
    const body = parseJsonObject((await readSmallBody(req)).toString('utf8'));
    const files = body['files'];
    if (!Array.isArray(files) || files.length === 0) {
      throw new ApiError(400, 'malformed_body', 'The body needs "files": a list of 1 to 100 objects such as {"name": "model.zip"}.');
    }
    if (files.length > MAX_FILES) {
      throw new ApiError(400, 'too_many_files', `A session takes at most ${MAX_FILES} files; this request lists ${files.length}.`);
    }
    const names: string[] = [];
    const errors: FileError[] = [];
    for (const item of files) {
      const isObject = typeof item === 'object' && item !== null && !Array.isArray(item);
      const name: unknown = isObject ? (item as Record<string, unknown>)['name'] : undefined;
      const problem = isObject ? fileNameProblem(name) : 'Each entry of "files" must be an object such as {"name": "model.zip"}.';
      if (problem === null) names.push(name as string);
      else errors.push({ name: typeof name === 'string' ? name : null, code: 'bad_file_name', message: problem.replace(/^file_name/, 'name') });
    }
    if (names.length === 0) {
      throw new ApiError(400, 'bad_file_name', 'No file of the request has a usable name; see "errors".', { extra: { errors } });
    }
    const claim = claimRoom(req, names.length);
    let record: SessionRecord;
    try {
      record = await store.create(names, errors);
    } catch (err) {
      claim.release();
      throw err;
    }
    claim.bind(openKey(record.token));
    const expires = Math.floor(Date.now() / 1000) + ttl;
    const origin = originOf(req);
    sendJson(res, 200, {
      response_code: 200,
      session_token: record.token,
      files: record.files.map((file, index) => {
        const path = blobPath(record.token, index);
        return { name: file.name, url: `${origin}${path}${signedQuery(signingKey(), 'PUT', path, expires)}` };
      }),
      errors,
    });
  }

  // -------------------------------------------------------------------------
  // Uploading to a signed URL

  async function upload(req: IncomingMessage, res: ServerResponse, pathname: string, token: string, indexText: string): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const verdict = verify(signingKey(), 'PUT', pathname, query);
    if (verdict === 'invalid') {
      throw new ApiError(403, 'signature_invalid', 'This upload URL is not valid (its signature does not match); use the URL exactly as the session gave it.');
    }
    if (verdict === 'expired') {
      throw new ApiError(403, 'url_expired', 'This upload URL has expired; request a new upload session.');
    }
    // A genuine signature names a real session and index; these checks only matter if records were removed.
    const index = Number(indexText);
    if (!ID_PATTERN.test(token) || !/^\d{1,3}$/.test(indexText)) throw notFound();
    const digest = parseContentMd5(singleHeader(req, 'content-md5'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxFileSize) throw fileTooLarge(maxFileSize);
    const record = await store.peek(token);
    const file = record?.files[index];
    if (!record || !file) throw notFound();
    if (record.committed) throw committed();

    let received = 0;
    const blob = await store.receive(token, index, (write) =>
      eachChunk(req, async (chunk) => {
        if (received + chunk.length > maxFileSize) throw fileTooLarge(maxFileSize);
        received += chunk.length;
        await write(chunk);
      }),
    );
    try {
      if (digest && !digest.equals(blob.md5)) {
        throw new ApiError(400, 'bad_digest', 'The MD5 of the received file does not match Content-MD5; the file was not kept.');
      }
      const md5 = blob.md5.toString('hex');
      await store.withLock(token, async () => {
        const current = await store.peek(token);
        const target = current?.files[index];
        if (!current || !target) throw notFound();
        if (current.committed) throw committed();
        await blob.keep();
        await store.save(replaceFile(current, index, { name: target.name, status: 'uploaded', size: blob.size, md5, assets: [] }));
      });
      sendJson(res, 200, { name: file.name, size: blob.size, md5 });
    } finally {
      await blob.discard();
    }
  }

  // -------------------------------------------------------------------------
  // Committing and processing

  async function commit(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    await readSmallBody(req); // ignored, but read so the connection stays usable
    const answers = await store.withLock(token, async () => {
      const record = await store.peek(token);
      if (!record) throw notFound();
      if (record.committed) throw committed();
      const errors: FileError[] = [...record.errors];
      const files = record.files.map((file): SessionFile => {
        if (file.status === 'uploaded') return { ...file, status: 'transcoding', nonce: randomBytes(16).toString('hex') };
        errors.push({ name: file.name, code: 'not_uploaded', message: NOT_UPLOADED });
        return { ...file, status: 'error', status_message: NOT_UPLOADED };
      });
      await store.save({ ...record, committed: true, files, errors });
      options.openUploads?.release(openKey(token));
      return files.map((file) =>
        file.status === 'transcoding'
          ? { name: file.name, status_code: 200, status_message: 'OK' }
          : { name: file.name, status_code: 400, status_message: NOT_UPLOADED },
      );
    });
    sendJson(res, 200, { files: answers });
    schedule(token);
  }

  /** Queues a processing run of session `token` (after the one in progress, if any). */
  function schedule(token: string): void {
    const previous = runs.get(token) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(() => processSession(token))
      .catch((err: unknown) => {
        if (!closing.signal.aborted) console.error(`asset-uploader server: processing session ${token} failed:`, err);
      })
      .finally(() => {
        if (runs.get(token) === run) runs.delete(token);
      });
    runs.set(token, run);
  }

  /** Processes the session's `transcoding` files, first to last, until none is left. */
  async function processSession(token: string): Promise<void> {
    for (;;) {
      if (closing.signal.aborted) return;
      const record = await store.peek(token);
      const index = record?.files.findIndex((file) => file.status === 'transcoding') ?? -1;
      const file = record?.files[index];
      if (!record || !file) return;
      const outcome = await processFile(store, token, index, file, limits, closing.signal);
      await store.withLock(token, async () => {
        const current = await store.peek(token);
        const target = current?.files[index];
        if (!current || !target || target.status !== 'transcoding') return;
        const next: SessionFile =
          outcome.status === 'done'
            ? { ...target, status: 'done', assets: outcome.assets }
            : { ...target, status: 'error', status_message: outcome.message, assets: [] };
        await store.save({ ...replaceFile(current, index, next), errors: [...current.errors, ...outcome.errors] });
      });
    }
  }

  // -------------------------------------------------------------------------
  // Reading

  async function status(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const record = await store.peek(token);
    if (!record) throw notFound();
    const origin = originOf(req);
    sendJson(res, 200, {
      files: record.files.map((file) => ({
        name: file.name,
        status: file.status,
        ...(file.status_message === undefined ? {} : { status_message: file.status_message }),
        assets: file.assets.map((asset) => ({
          id: asset.id,
          name: asset.name,
          url: `${origin}${PREFIX}/v1/assets/${asset.id}`,
          size: asset.size,
          md5: asset.md5,
        })),
      })),
      errors: record.errors,
    });
  }

  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const record = await store.asset(id);
    if (!record) throw notFound();
    await sendDownload(req, res, store.openAsset(record), record.name, record.size);
  }

  // -------------------------------------------------------------------------
  // Routing

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    const rest = pathname.slice(PREFIX.length);

    const blob = /^\/v1\/blobs\/([^/]+)\/([^/]+)$/.exec(rest);
    if (blob) {
      if (method !== 'PUT') throw methodNotAllowed('PUT, OPTIONS');
      return upload(req, res, pathname, blob[1] ?? '', blob[2] ?? '');
    }
    const asset = /^\/v1\/assets\/([^/]+)$/.exec(rest);
    if (asset) {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD, OPTIONS');
      return download(req, res, asset[1] ?? '');
    }
    if (rest === '/v1/upload_sessions.json') {
      requireScope(auth.scopesOf(req), 'assets');
      if (method !== 'POST') throw methodNotAllowed('POST, OPTIONS');
      return create(req, res);
    }
    const session = /^\/v1\/upload_sessions\/([^/]+)\.json$/.exec(rest);
    if (session) {
      requireScope(auth.scopesOf(req), 'assets');
      if (method !== 'GET' && method !== 'PUT') throw methodNotAllowed('GET, PUT, OPTIONS');
      const token = session[1] ?? '';
      if (!ID_PATTERN.test(token)) throw notFound();
      return method === 'PUT' ? commit(req, res, token) : status(req, res, token);
    }
    throw notFound();
  }

  return {
    async init() {
      const records = await store.init();
      key = await loadSigningKey(store.dir, options.signingKey);
      for (const record of records) {
        if (record.files.some((file) => file.status === 'transcoding')) schedule(record.token);
      }
    },

    handle: route,

    async close() {
      closing.abort();
      await Promise.allSettled([...runs.values()]);
    },

    async sweep(ttlMs) {
      let removed = 0;
      for (const candidate of await store.list()) {
        if (candidate.committed || !(await store.idleFor(candidate, ttlMs))) continue;
        // Under the lock: a commit or a file kept meanwhile has written the record again.
        const gone = await store.withLock(candidate.token, async () => {
          const current = await store.peek(candidate.token);
          if (!current || current.committed || !(await store.idleFor(current, ttlMs))) return false;
          await store.remove(current.token);
          // In the same step as the removal: whoever sees the files gone finds the slot free.
          options.openUploads?.release(openKey(current.token));
          return true;
        });
        if (!gone) continue;
        removed += 1;
      }
      return removed;
    },
  };
}

// ---------------------------------------------------------------------------
// Values and errors

/** The path of the signed upload URL of file `index` of session `token`. */
export function blobPath(token: string, index: number): string {
  return `${PREFIX}/v1/blobs/${token}/${index}`;
}

function replaceFile(record: SessionRecord, index: number, file: SessionFile): SessionRecord {
  return { ...record, files: record.files.map((current, at) => (at === index ? file : current)) };
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'There is no such upload session, file or asset.');
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `This resource accepts ${allow}.`, { headers: { Allow: allow } });
}

function committed(): ApiError {
  return new ApiError(409, 'session_committed', 'This upload session is already committed; it takes no more files and no second commit.');
}

function fileTooLarge(limit: number): ApiError {
  return new ApiError(413, 'file_too_large', `The file is larger than the ${limit} bytes this server accepts; it was not kept.`);
}
