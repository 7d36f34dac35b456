/**
 * The Panda upload API ("content-range" protocol), mounted under `/content-range`.
 *
 * Why this exists: it is the reference implementation that the browser
 * client's resumable Content-Range strategy is tested against, so it follows
 * the seed document closely and is strict wherever a lax server would hide a
 * client bug.
 *
 * Routes (all relative to the prefix):
 * - `POST /videos/upload.json` creates an upload session (JSON or form body).
 * - `PUT /uploads/<id>` (or `POST` with `application/octet-stream`) stores a
 *   part, answers a status query, or takes the whole file at once.
 * - `POST /uploads/<id>` with `multipart/form-data` is the form fallback.
 * - `DELETE /uploads/<id>` aborts the upload.
 * - `GET /files/<id>` downloads a completed upload (not in the seed; it lets
 *   people and tests check what was stored).
 *
 * Readings picked where the seed is vague:
 * - The seed types `id` as an integer. We return 32 hex characters from a
 *   CSPRNG instead: the upload location is a capability (whoever knows it can
 *   write and delete), so it must not be guessable.
 * - `location` and the download `url` are absolute URLs built from the Host
 *   header the client used, so they work through a proxy on another port.
 * - Parts must arrive in order: `RS` must equal the stored offset, otherwise
 *   409 with `Range` telling what is stored (no `Range` when nothing is). A
 *   part that overlaps bytes already stored is refused the same way rather
 *   than compared, so the client always resynchronises from `Range`.
 * - `Range` values are `0-<last stored byte>` with no `bytes=` prefix, to
 *   match the client regexp `^(\d+)-(\d+)$` given in the seed. Nothing stored
 *   means no `Range` header (the seed cannot express an empty range).
 * - Status query: the protocol block says `Content-Range: bytes *\/L` and the
 *   prose says `bytes *`; both are accepted (L, when given, must match).
 * - Once complete, a status query answers 200 with the asset JSON (the same
 *   document the last part got); any other write answers 409.
 *   Exception: repeating the empty whole-file PUT of a 0-byte upload answers
 *   200 again, so that a client retrying after a lost response succeeds.
 * - "The original request is sent to the backend" has no backend here: the
 *   200 body is this server's asset JSON.
 * - The seed writes `PUT <location/>` in its example, so a trailing slash on
 *   the upload location is accepted.
 * - `Content-MD5` (RFC 1864, base64 of the 16-byte digest) is optional; when
 *   present the part is checked against it before it is kept.
 * - "If the client connection broke, you need to query the server to know where
 *   it left the upload": a part without `Content-MD5` whose body is cut off keeps
 *   the bytes that arrived, and the status query counts them. A part with
 *   `Content-MD5` is kept whole or not at all. So a client may send the rest of
 *   the file as one part and lose nothing to a dropped connection.
 * - The seed does not say what the server sends back on `Location` later on;
 *   this server never moves uploads, so only the 201 carries it.
 * - Create: the seed lists `file_size` and `file_name` without saying which
 *   are required; both are. The 201 carries `location` in the JSON and as a
 *   `Location` header.
 * - `RE` is inclusive (the example's `0-4/9` is 5 bytes); "R2" in the seed's
 *   "(R2=L-1)" is read as RE. A range ending past the file is 416.
 * - The prose says the 204's `Range` tells "the missing data"; the example
 *   answers `0-4` once bytes 0 to 4 are stored. The example is followed:
 *   `Range` is what is stored.
 * - A PUT needs no `Content-Type` (the seed's example sends none); a POST
 *   needs `application/octet-stream` (a part) or `multipart/form-data` (the
 *   form), since that is how the seed tells them apart; anything else is 415.
 * - The status query's `Content-Lenght: 0` (sic): an empty body is required,
 *   with `Content-Length: 0` or none.
 * - `DELETE` answers the seed's 200 with an empty body; an unknown upload is
 *   404.
 * - The seed shows no error document: errors are `{"error": {"code",
 *   "message"}}`, the same as the other APIs here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { sendJson, ApiError } from '../core/errors.js';
import { mediaType, readBody, requestGone, requestHolder, requestOrigin, sendDownload, parseContentMd5 } from '../core/http.js';
import { claimOrRefuse, clientAddress, type OpenUploads } from '../core/limits.js';
import { fileNameProblem } from '../core/names.js';
import type { PartResult, UploadRecord, UploadStore } from './store.js';
import { ID_PATTERN } from '../core/ids.js';
import { SourceAbortedError, TooManyBytesError } from '../core/pump.js';

export const PREFIX = '/content-range';

/** Largest JSON or form body accepted when creating an upload. */
export const SMALL_BODY_LIMIT = 64 * 1024;

export interface ContentRangeOptions {
  readonly store: UploadStore;
  /** Largest file_size accepted at creation, in bytes; unlimited when absent. */
  readonly maxFileSize?: number | undefined;
  /** Fixed origin for the URLs we hand out (e.g. "https://uploads.example"); default: from the Host header. */
  readonly publicOrigin?: string | undefined;
  /** Open uploads, counted per client address (core/limits.ts); unlimited when absent. */
  readonly openUploads?: OpenUploads | undefined;
}

/** The key of a content-range upload in the OpenUploads ledger. */
export const openKey = (id: string): string => `content-range:${id}`;

type ContentRange =
  | { readonly kind: 'none' }
  | { readonly kind: 'status'; readonly total: number | undefined }
  | { readonly kind: 'part'; readonly start: number; readonly end: number; readonly total: number };

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

/** True when `pathname` belongs to this API (the prefix itself or anything under it). */
export function isContentRangePath(pathname: string): boolean {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

export function createContentRangeApi(options: ContentRangeOptions): RouteHandler {
  const { store } = options;

  const originOf = (req: IncomingMessage): string => options.publicOrigin ?? requestOrigin(req);
  const uploadUrl = (req: IncomingMessage, id: string): string => `${originOf(req)}${PREFIX}/uploads/${id}`;
  const fileUrl = (req: IncomingMessage, id: string): string => `${originOf(req)}${PREFIX}/files/${id}`;

  const asset = (req: IncomingMessage, record: UploadRecord): Record<string, unknown> => ({
    id: record.id,
    name: record.name,
    size: record.size,
    md5: record.md5,
    url: fileUrl(req, record.id),
    created_at: record.created_at,
  });

  const sendAsset = (req: IncomingMessage, res: ServerResponse, record: UploadRecord): void => {
    sendJson(res, 200, asset(req, record));
  };

  /** 204 telling the client what is stored (no Range when nothing is). */
  const sendProgress = (res: ServerResponse, record: UploadRecord): void => {
    res.statusCode = 204;
    res.setHeader('Cache-Control', 'no-store');
    const range = rangeHeader(record);
    if (range) res.setHeader('Range', range);
    res.end();
  };

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = await readCreateFields(req);
    const size = parseFileSize(fields.fileSize);
    if (options.maxFileSize !== undefined && size > options.maxFileSize) {
      throw new ApiError(413, 'file_too_large', `file_size is ${size} bytes; this server accepts files up to ${options.maxFileSize} bytes.`);
    }
    const problem = fileNameProblem(fields.fileName);
    if (problem !== null) throw new ApiError(400, 'bad_file_name', problem);
    // Checked and counted in one step, before the record is written: concurrent creations
    // cannot all pass the check while the first one is still being written.
    const owner = { kind: 'client', id: clientAddress(req) } as const;
    if (size === 0) options.openUploads?.check(owner, 0);
    const claim = size > 0 ? claimOrRefuse(options.openUploads, owner, size, 1) : undefined;
    let record: Awaited<ReturnType<typeof store.create>>;
    try {
      record = await store.create(fields.fileName as string, size);
    } catch (err) {
      claim?.release();
      throw err;
    }
    claim?.bind(openKey(record.id));
    const location = uploadUrl(req, record.id);
    sendJson(res, 201, { id: record.id, location }, { Location: location });
  }

  async function put(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const range = parseContentRange(req.headers['content-range']);
    const digest = parseContentMd5(singleHeader(req, 'content-md5'));
    if (range.kind === 'status') {
      // Answered from the stored record, without the lock: a status query must not
      // wait behind a part in flight, least of all one whose client vanished (issue
      // 9, defect 4). The record only ever holds acknowledged bytes.
      const record = await store.peek(id);
      if (!record) throw notFound();
      if (range.total !== undefined && range.total !== record.size) throw lengthMismatch(range.total, record);
      await expectEmptyBody(req);
      if (record.complete) sendAsset(req, res, record);
      else sendProgress(res, record);
      return;
    }
    await store.withLock(
      id,
      async () => {
        const record = await loadOr404(id);

        if (range.kind === 'none') {
          if (record.complete && record.size === 0 && declaredLength(req) === 0) {
            await expectEmptyBody(req);
            sendAsset(req, res, record);
            return;
          }
          if (record.complete || record.offset !== 0) {
            throw offsetMismatch(record, 'Without Content-Range the whole file is expected, but bytes are already stored.');
          }
          checkDeclaredLength(req, record.size);
          const next = await storePart(req, record, record.size, digest);
          finish(req, res, next);
          return;
        }

        if (range.total !== record.size) throw lengthMismatch(range.total, record);
        if (record.complete) throw offsetMismatch(record, 'This upload is already complete.');
        if (range.start > range.end || range.end >= range.total) {
          throw new ApiError(416, 'range_invalid', `Content-Range bytes ${range.start}-${range.end}/${range.total} is not a range inside the file.`);
        }
        if (range.start !== record.offset) {
          throw offsetMismatch(
            record,
            `The part starts at byte ${range.start} but the server has ${record.offset} bytes; send the part that starts at byte ${record.offset}.`,
          );
        }
        const expected = range.end - range.start + 1;
        checkDeclaredLength(req, expected);
        const next = await storePart(req, record, expected, digest);
        finish(req, res, next);
      },
      requestHolder(req),
    );
  }

  function finish(req: IncomingMessage, res: ServerResponse, record: UploadRecord): void {
    if (record.complete) options.openUploads?.release(openKey(record.id));
    if (record.complete) sendAsset(req, res, record);
    else sendProgress(res, record);
  }

  /** Streams one part to storage, checking its length and (optionally) its MD5 before it is kept. */
  async function storePart(req: IncomingMessage, record: UploadRecord, expected: number, digest: Buffer | undefined): Promise<UploadRecord> {
    try {
      return await store.writePart(
        record,
        req,
        expected,
        (part: PartResult) => {
          if (part.bytes !== expected) throw bodyLengthMismatch(part.bytes, expected);
          if (digest && !digest.equals(part.md5)) {
            throw new ApiError(400, 'bad_digest', 'The MD5 of the received part does not match Content-MD5; the part was not kept.');
          }
        },
        digest === undefined,
      );
    } catch (err) {
      throw storageFailure(err, expected);
    }
  }

  async function multipart(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await store.withLock(
      id,
      async () => {
        const record = await loadOr404(id);
        if (record.complete || record.offset !== 0) {
          throw offsetMismatch(record, 'The multipart form upload needs an upload with no bytes stored yet.');
        }
        const next = await receiveForm(req, record);
        options.openUploads?.release(openKey(record.id));
        sendAsset(req, res, next);
      },
      requestHolder(req),
    );
  }

  /** Parses the form with busboy, streaming the `file` part to storage. */
  async function receiveForm(req: IncomingMessage, record: UploadRecord): Promise<UploadRecord> {
    let parser: busboy.Busboy;
    try {
      // busboy lets one byte more than declared through, so that storage sees (and refuses) an oversized file.
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: record.size + 1, fields: 100, fieldSize: SMALL_BODY_LIMIT, parts: 200 },
      });
    } catch {
      throw new ApiError(400, 'malformed_body', 'The multipart/form-data body has no usable boundary.');
    }

    let writing: Promise<UploadRecord> | undefined;
    let current: Readable | undefined;
    let extraFiles = 0;

    const formDone = new Promise<void>((resolve, reject) => {
      parser.on('close', resolve);
      parser.on('error', (err: unknown) => {
        current?.destroy(new SourceAbortedError());
        reject(err);
      });
    });
    formDone.catch(() => {});
    // Rejects as soon as storing the file fails, so we stop reading the form.
    let writeFailed: (err: unknown) => void = () => {};
    const writeFailure = new Promise<never>((_, reject) => {
      writeFailed = reject;
    });
    writeFailure.catch(() => {});

    parser.on('file', (name, stream) => {
      if (name !== 'file' || writing) {
        if (name === 'file') extraFiles += 1;
        stream.resume();
        return;
      }
      current = stream;
      writing = store.writePart(record, stream, record.size, async (part) => {
        try {
          await formDone;
        } catch {
          throw new ApiError(400, 'malformed_body', 'The multipart/form-data body is malformed or was cut short.');
        }
        if (extraFiles > 0) {
          throw new ApiError(400, 'too_many_files', 'Send exactly one "file" part per multipart upload.');
        }
        if (part.bytes !== record.size) throw bodyLengthMismatch(part.bytes, record.size);
      });
      writing.catch((err: unknown) => writeFailed(err));
    });

    const onClose = (): void => {
      if (!req.complete) parser.destroy(new SourceAbortedError('The client went away before the form was complete.'));
    };
    req.on('close', onClose);
    if (requestGone(req)) onClose(); // its 'close' came before we listened
    req.pipe(parser);
    try {
      let formError: unknown;
      await Promise.race([
        formDone.catch((err: unknown) => {
          formError = err;
        }),
        writeFailure,
      ]);
      if (!writing) {
        if (formError !== undefined) {
          throw new ApiError(400, 'malformed_body', 'The multipart/form-data body is malformed or was cut short.');
        }
        throw new ApiError(400, 'missing_file', 'The multipart form has no "file" part.');
      }
      return await writing;
    } catch (err) {
      throw storageFailure(err, record.size);
    } finally {
      req.off('close', onClose);
      req.unpipe(parser);
    }
  }

  async function remove(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await store.withLock(
      id,
      async () => {
        if (!(await store.remove(id))) throw notFound();
        options.openUploads?.release(openKey(id));
        res.statusCode = 200;
        res.setHeader('Content-Length', '0');
        res.setHeader('Cache-Control', 'no-store');
        res.end();
      },
      requestHolder(req),
    );
  }

  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    // A complete upload's bytes never change again: no lock needed.
    const record = await store.peek(id);
    if (!record?.complete) throw notFound();
    await sendDownload(req, res, store.openRead(record), record.name, record.size);
  }

  async function loadOr404(id: string): Promise<UploadRecord> {
    const record = await store.load(id);
    if (!record) throw notFound();
    return record;
  }

  return async (req, res, pathname) => {
    const method = req.method ?? 'GET';
    const rest = pathname.slice(PREFIX.length);

    if (rest === '/videos/upload.json') {
      if (method !== 'POST') throw methodNotAllowed('POST, OPTIONS');
      await create(req, res);
      return;
    }

    const upload = /^\/uploads\/([^/]+)\/?$/.exec(rest);
    if (upload) {
      const id = upload[1] ?? '';
      if (!ID_PATTERN.test(id)) throw notFound();
      if (method === 'PUT') return put(req, res, id);
      if (method === 'DELETE') return remove(req, res, id);
      if (method === 'POST') {
        const type = mediaType(req);
        if (type === 'multipart/form-data') return multipart(req, res, id);
        if (type === 'application/octet-stream') return put(req, res, id);
        throw new ApiError(
          415,
          'unsupported_media_type',
          'POST to an upload needs Content-Type application/octet-stream (a part) or multipart/form-data (a form).',
        );
      }
      throw methodNotAllowed('PUT, POST, DELETE, OPTIONS');
    }

    const file = /^\/files\/([^/]+)$/.exec(rest);
    if (file) {
      const id = file[1] ?? '';
      if (!ID_PATTERN.test(id)) throw notFound();
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD, OPTIONS');
      return download(req, res, id);
    }

    throw notFound();
  };
}

// ---------------------------------------------------------------------------
// Header parsing

const DIGITS = /^\d{1,16}$/;

function toSafeInteger(text: string): number | undefined {
  if (!DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Reads `Content-Range` as the seed uses it: `bytes RS-RE/L`, `bytes *\/L`, or `bytes *`. */
export function parseContentRange(header: string | undefined): ContentRange {
  if (header === undefined) return { kind: 'none' };
  const bad = (): ApiError => new ApiError(400, 'bad_content_range', 'Content-Range must look like "bytes <start>-<end>/<size>" or "bytes */<size>".');
  const status = /^bytes\s+\*(?:\/(\d+|\*))?$/i.exec(header.trim());
  if (status) {
    const total = status[1];
    if (total === undefined || total === '*') return { kind: 'status', total: undefined };
    const value = toSafeInteger(total);
    if (value === undefined) throw bad();
    return { kind: 'status', total: value };
  }
  const part = /^bytes\s+(\d+)-(\d+)\/(\d+)$/i.exec(header.trim());
  if (!part) throw bad();
  const start = toSafeInteger(part[1] ?? '');
  const end = toSafeInteger(part[2] ?? '');
  const total = toSafeInteger(part[3] ?? '');
  if (start === undefined || end === undefined || total === undefined) throw bad();
  return { kind: 'part', start, end, total };
}

/** `0-<last stored byte>`, or undefined when nothing is stored. */
export function rangeHeader(record: UploadRecord): string | undefined {
  return record.offset > 0 ? `0-${record.offset - 1}` : undefined;
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return req.headers['transfer-encoding'] === undefined ? 0 : undefined;
  return toSafeInteger(header);
}

/** Rejects from the headers alone a body whose declared length is not the one expected. */
function checkDeclaredLength(req: IncomingMessage, expected: number): void {
  const declared = declaredLength(req);
  if (declared !== undefined && declared !== expected) throw bodyLengthMismatch(declared, expected);
}

/** A status query carries no body. */
async function expectEmptyBody(req: IncomingMessage): Promise<void> {
  const declared = declaredLength(req);
  if (declared === 0) return;
  if (declared !== undefined) throw bodyLengthMismatch(declared, 0);
  await readBody(req, 0, { tooLarge: () => bodyLengthMismatch(1, 0), incomplete: bodyIncomplete });
}

// ---------------------------------------------------------------------------
// Creating an upload

interface CreateFields {
  readonly fileSize: unknown;
  readonly fileName: unknown;
}

async function readCreateFields(req: IncomingMessage): Promise<CreateFields> {
  const type = mediaType(req);
  if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
    throw new ApiError(415, 'unsupported_media_type', 'Send file_size and file_name as application/json or application/x-www-form-urlencoded.');
  }
  const declared = declaredLength(req);
  if (declared !== undefined && declared > SMALL_BODY_LIMIT) throw bodyTooLarge();
  const text = (await readBody(req, SMALL_BODY_LIMIT, { tooLarge: bodyTooLarge, incomplete: bodyIncomplete })).toString('utf8');

  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'malformed_body', 'The body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ApiError(400, 'malformed_body', 'The body must be a JSON object with file_size and file_name.');
    }
    const fields = value as Record<string, unknown>;
    return { fileSize: fields['file_size'], fileName: fields['file_name'] };
  }

  const form = new URLSearchParams(text);
  const size = form.get('file_size');
  return {
    fileSize: size !== null && DIGITS.test(size) ? Number(size) : (size ?? undefined),
    fileName: form.get('file_name') ?? undefined,
  };
}

function parseFileSize(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new ApiError(400, 'bad_file_size', 'file_size is required and must be a whole, non-negative number of bytes.');
}

// ---------------------------------------------------------------------------
// Errors

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'There is no such upload or file (it may have been deleted).');
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `This resource accepts ${allow}.`, { headers: { Allow: allow } });
}

function bodyTooLarge(): ApiError {
  return new ApiError(413, 'body_too_large', `The request body is larger than ${SMALL_BODY_LIMIT} bytes.`);
}

function bodyIncomplete(): ApiError {
  return new ApiError(400, 'malformed_body', 'The request body ended before it was complete.');
}

function bodyLengthMismatch(got: number, expected: number): ApiError {
  return new ApiError(400, 'body_length_mismatch', `The body is ${got} bytes long but ${expected} bytes were expected; nothing of it was kept.`);
}

function lengthMismatch(total: number, record: UploadRecord): ApiError {
  return new ApiError(400, 'length_mismatch', `Content-Range gives the file length as ${total} bytes but this upload was created for ${record.size} bytes.`);
}

function offsetMismatch(record: UploadRecord, message: string): ApiError {
  const range = rangeHeader(record);
  return new ApiError(409, 'offset_mismatch', message, { headers: range ? { Range: range } : {} });
}

/** Maps what storage throws while a body streams in onto the API's errors. */
function storageFailure(err: unknown, expected: number): unknown {
  if (err instanceof TooManyBytesError) {
    return new ApiError(400, 'body_length_mismatch', `The body is longer than the ${expected} bytes expected; nothing of it was kept.`);
  }
  if (err instanceof SourceAbortedError) {
    return new ApiError(400, 'body_length_mismatch', `${err.message} Nothing of it was kept.`);
  }
  return err;
}
