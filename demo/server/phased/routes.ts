/**
 * The phased asset API, mounted under `/phased`.
 *
 * Why this exists: it is the reference implementation of the "managing
 * assets" API the component can upload to: small files in one multipart
 * request, large ones resumably in three phases (start, transfer, finish),
 * behind bearer tokens with scopes, with webhooks for asset events. It is
 * strict wherever a lax server would hide a client bug.
 *
 * Routes (relative to the prefix; scope in brackets; see core/auth.ts):
 * - `POST /assets` [assets], multipart/form-data with a `source` file (its
 *   filename is the asset's name) and an optional `label` field: the whole
 *   file at once, 201 with the asset (status `ready`).
 * - `POST /assets` [assets], JSON, x-www-form-urlencoded or multipart fields
 *   `{"upload_phase": "start", "file_size", "label"?, "file_name"?,
 *   "content_type"?}`: 201 `{"id", "upload_phase": "start", "start_offset",
 *   "end_offset"}`.
 * - `POST /assets/<id>/multipart` [assets], multipart/form-data: the fields
 *   `upload_phase=transfer` and `start_offset`, then the file part
 *   `file_chunk`: 200 `{"id", "upload_phase": "transfer", "start_offset",
 *   "end_offset"}`.
 * - `POST /assets/<id>/multipart` [assets_publish], `upload_phase=finish` as a
 *   multipart field, urlencoded or JSON: 200 with the asset (status
 *   `processing`); processing then runs in the background (MD5 of the whole
 *   file; for video/*, `container` "mp4" when `ftyp` is at byte 4, else
 *   "unknown") and ends with status `ready`.
 * - `GET /assets?limit=&offset=` [assets]: `{"data": [...], "meta": {"total",
 *   "limit", "offset"}}`, newest first; limit 1..100 (default 20).
 * - `GET /assets/<id>` [assets]; `PUT /assets/<id>` [assets] with JSON
 *   `{"label"?, "name"?}`; `DELETE /assets/<id>` [assets_delete] (204).
 * - `GET /files/<id>` (no token: the 32-hex id is the capability): the bytes
 *   of a `ready` asset, as an attachment.
 *
 * Readings picked where the seed is vague:
 * - Offsets are byte positions and a window is half-open: the chunk the server
 *   wants next is the bytes [start_offset, end_offset), end EXCLUSIVE, so its
 *   length is end_offset - start_offset (this is how Facebook's resumable
 *   video upload, which this API mirrors, reads them). end_offset is
 *   min(file_size, start_offset + chunk size); once every byte is stored,
 *   start_offset == end_offset == file_size, and finish is next. A 0-byte file
 *   is in that state right after start.
 * - A transfer must start exactly where the server is (else 409
 *   `offset_mismatch` carrying the window to continue from) and carry exactly
 *   the window's length (else 400 `chunk_size_mismatch`, also with the
 *   window); a refused chunk leaves nothing behind. The window is computed
 *   with the server's current chunk size, so clients must always send the
 *   window they were last given rather than cut their own.
 * - busboy hands out parts in body order and a chunk is written to disk as it
 *   arrives, so `upload_phase` and `start_offset` must come BEFORE
 *   `file_chunk` (400 `fields_out_of_order` otherwise). Fields the seed shows
 *   but this server does not need (e.g. `original_name`) are ignored.
 * - `file_name` defaults to "untitled", `label` to "", `content_type` to
 *   application/octet-stream; `kind` is derived from `content_type`, except
 *   that a `start` without `content_type` (the seed's own example: a label and
 *   a size) is a video: the seed's phased upload is "Upload Video", the other
 *   kinds going as one `source` form.
 * - While uploading, an asset shows `upload_phase` ("start" until a byte is
 *   stored, then "transfer"), `start_offset` and `end_offset`: the answer the
 *   last phase request got, so a client can resume from a GET.
 * - `url` appears once the asset is `ready`; it is absolute, built from the
 *   Host header the client used. The `asset.changed` event sent when
 *   processing ends uses the Host of the finish request; processing resumed
 *   after a restart has no request, so that event has a `url` only when
 *   `publicOrigin` is set.
 * - `PUT` refuses members other than `label` and `name` (a silently ignored
 *   typo would look like success); `asset.changed` fires only when something
 *   changed.
 * - Downloads are served as application/octet-stream (never the declared
 *   type, which could make the browser run an uploaded page on this origin).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, ApiError } from '../core/errors.js';
import { mediaType, requestHolder, requestOrigin, sendDownload } from '../core/http.js';
import { claimOrRefuse, type Claim, type OpenUploads } from '../core/limits.js';
import { fileNameProblem } from '../core/names.js';
import { createAuthenticator, requireScope, tokenOwner } from '../core/auth.js';
import type { ApiTokens } from '../core/auth.js';
import { copyPart, readForm } from './form.js';
import { parseJsonObject, readFields, readSmallBody } from '../core/body.js';
import { containerOf, ID_PATTERN, isVideo, PhasedStore } from './store.js';
import { TooManyBytesError } from '../core/pump.js';
import type { AssetRecord, ChunkWriter, WholeWriter } from './store.js';
import { createWebhooks } from './webhooks.js';
import type { AssetEvent } from './webhooks.js';

export const PREFIX = '/phased';

/** Chunk size when none is configured (the seed's default). */
export const DEFAULT_CHUNK_SIZE = 52_428_800;

export const MAX_LABEL_LENGTH = 200;
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

export interface PhasedOptions {
  readonly dataDir: string;
  /** Largest file accepted, in bytes; unlimited when absent. */
  readonly maxFileSize?: number | undefined;
  /** Fixed origin for the URLs handed out; default: the request's Host header. */
  readonly publicOrigin?: string | undefined;
  /** Bearer tokens and their scopes; none when absent (every request is refused). */
  readonly apiTokens?: ApiTokens | undefined;
  /** Bytes per transfer window; default DEFAULT_CHUNK_SIZE. */
  readonly chunkSize?: number | undefined;
  /** How long a silent transfer may hold an asset that another request waits to write (core/durable.ts KeyedLock). */
  readonly writeSilenceMs?: number | undefined;
  /** Where asset events are POSTed; none when absent. */
  readonly webhookUrl?: string | undefined;
  /** Key for the events' HMAC signature; unsigned when absent. */
  readonly webhookSecret?: string | undefined;
  /** Open uploads, counted per bearer token (core/limits.ts); unlimited when absent. */
  readonly openUploads?: OpenUploads | undefined;
}

export interface PhasedApi {
  /** Prepares storage and resumes processing interrupted by a restart. */
  init(): Promise<void>;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** How much of an unread body an error answer drains: a whole chunk can be in flight. */
  readonly drainLimit: number;
  /** Resolves when no webhook is queued or being delivered. */
  webhooksIdle(): Promise<void>;
  /** Stops processing (it resumes at the next start) and delivers what it can within `graceMs`. */
  close(graceMs: number): Promise<void>;
  /** Removes the unfinished assets that received nothing for `ttlMs` (records and bytes) and stops counting them; resolves with how many. */
  sweep(ttlMs: number): Promise<number>;
}

/** The key of a phased asset in the OpenUploads ledger. */
const openKey = (id: string): string => `phased:${id}`;

/** True when `pathname` belongs to this API (the prefix itself or anything under it). */
export function isPhasedPath(pathname: string): boolean {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

type Window = { readonly start_offset: number; readonly end_offset: number };
type Phase = 'transfer' | 'finish';

export function createPhasedApi(options: PhasedOptions): PhasedApi {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new Error(`The phased chunk size (PHASED_CHUNK_SIZE) must be a whole number of bytes, at least 1, not ${chunkSize}.`);
  }
  const maxFileSize = options.maxFileSize ?? Number.MAX_SAFE_INTEGER;
  const store = new PhasedStore(options.dataDir, options.writeSilenceMs);
  const auth = createAuthenticator(options.apiTokens ?? new Map());
  const webhooks = createWebhooks({ url: options.webhookUrl, secret: options.webhookSecret });
  /** An answer refused early still lets the client finish sending up to this much. */
  const drainLimit = Math.max(16 * 1024 * 1024, chunkSize + 1024 * 1024);
  const processing = new Set<Promise<void>>();
  const closing = new AbortController();

  const originOf = (req: IncomingMessage): string => options.publicOrigin ?? requestOrigin(req);

  const windowOf = (record: AssetRecord): Window => ({
    start_offset: record.offset,
    end_offset: Math.min(record.size, record.offset + chunkSize),
  });

  /** The asset as clients see it; `origin` is needed for its url (omitted when undefined). */
  function assetJson(origin: string | undefined, record: AssetRecord): Record<string, unknown> {
    const json: Record<string, unknown> = {
      id: record.id,
      label: record.label,
      name: record.name,
      size: record.size,
      content_type: record.content_type,
      kind: record.kind ?? kindOf(record.content_type),
      status: record.status,
    };
    if (record.md5 !== undefined) json['md5'] = record.md5;
    if (record.container !== undefined) json['container'] = record.container;
    if (record.status === 'uploading') {
      json['upload_phase'] = record.offset > 0 ? 'transfer' : 'start';
      Object.assign(json, windowOf(record));
    }
    if (record.status === 'ready' && origin !== undefined) json['url'] = `${origin}${PREFIX}/files/${record.id}`;
    json['created_at'] = record.created_at;
    json['updated_at'] = record.updated_at;
    return json;
  }

  const emit = (event: AssetEvent, origin: string | undefined, record: AssetRecord): void => webhooks.emit(event, record.id, assetJson(origin, record));

  /**
   * Counts a new upload of `size` bytes against the request's token, or refuses it in
   * this API's error document (429 or 507, with Retry-After).
   */
  function claimRoom(req: IncomingMessage, size: number): Claim {
    return claimOrRefuse(options.openUploads, tokenOwner(req), size, 1);
  }

  // -------------------------------------------------------------------------
  // Creating

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (mediaType(req) === 'multipart/form-data') return createFromForm(req, res);
    await start(req, res, await readFields(req, 'the start request'));
  }

  async function start(req: IncomingMessage, res: ServerResponse, fields: ReadonlyMap<string, unknown>): Promise<void> {
    const phase = fields.get('upload_phase');
    if (phase !== 'start') {
      throw new ApiError(
        400,
        'bad_upload_phase',
        phase === 'transfer' || phase === 'finish'
          ? `upload_phase "${phase}" is sent to ${PREFIX}/assets/<id>/multipart.`
          : 'To start a phased upload send upload_phase "start" with file_size; to send a file in one request, send multipart/form-data with a "source" file.',
      );
    }
    const size = parseFileSize(fields.get('file_size'));
    if (size > maxFileSize) {
      throw new ApiError(413, 'file_too_large', `file_size is ${size} bytes; this server accepts files up to ${maxFileSize} bytes.`);
    }
    const asset = {
      name: fields.has('file_name') ? parseName(fields.get('file_name'), 'file_name') : 'untitled',
      label: fields.has('label') ? parseLabel(fields.get('label')) : '',
      size,
      content_type: fields.has('content_type') ? parseContentType(fields.get('content_type')) : 'application/octet-stream',
      // The seed's phased upload is its video upload ("create a video upload session"):
      // without a content type to say otherwise, what is started is a video.
      ...(fields.has('content_type') ? {} : { kind: 'video' as const }),
    };
    const claim = claimRoom(req, size);
    let record: AssetRecord;
    try {
      record = await store.create(asset);
    } catch (err) {
      claim.release();
      throw err;
    }
    claim.bind(openKey(record.id));
    emit('asset.created', originOf(req), record);
    sendJson(res, 201, { id: record.id, upload_phase: 'start', ...windowOf(record) });
  }

  /** A form is either a whole file (`source`) or a start request made of fields. */
  async function createFromForm(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fields = new Map<string, string>();
    let writer: WholeWriter | undefined;
    // A one-request upload is open while its body arrives; it reserves what it declares.
    let claim: Claim | undefined;
    let hasSource = false;
    let contentType = 'application/octet-stream';
    let name = '';
    try {
      await readForm(req, maxFileSize, {
        field(field, value) {
          if (fields.has(field)) throw new ApiError(400, 'malformed_body', `The field "${field}" is given more than once.`);
          if (field === 'upload_phase' && hasSource) {
            throw new ApiError(400, 'bad_upload_phase', 'A form with a "source" file is a one-request upload; it takes no upload_phase.');
          }
          if (field === 'label') parseLabel(value);
          fields.set(field, value);
        },
        file(field, stream, info) {
          if (field !== 'source') {
            throw new ApiError(400, 'unexpected_file', `The form carries a file named "${field}"; the file goes in "source".`);
          }
          if (fields.has('upload_phase')) {
            throw new ApiError(400, 'unexpected_file', 'A start request carries no file; its chunks are sent with upload_phase "transfer".');
          }
          if (hasSource) throw new ApiError(400, 'too_many_files', 'Send exactly one "source" file per request.');
          hasSource = true;
          name = parseName(info.filename, 'The filename of the "source" part');
          contentType = parseContentType(info.mimeType);
          const declared = Number(req.headers['content-length']);
          claim = claimRoom(req, Number.isSafeInteger(declared) && declared > 0 ? Math.min(declared, maxFileSize) : 0);
          return (async () => {
            writer = await store.beginWhole(maxFileSize);
            await copyPart(stream, writer.write);
          })();
        },
      });
      if (writer === undefined) {
        if (fields.has('upload_phase')) return await start(req, res, fields);
        throw new ApiError(400, 'missing_file', 'The form has no "source" file (and no upload_phase "start").');
      }
      const record = await writer.commit({ name, label: parseLabel(fields.get('label') ?? ''), content_type: contentType });
      emit('asset.created', originOf(req), record);
      sendJson(res, 201, assetJson(originOf(req), record));
    } catch (err) {
      await (writer as WholeWriter | undefined)?.abort();
      if (err instanceof TooManyBytesError) {
        throw new ApiError(413, 'file_too_large', `The file is larger than the ${maxFileSize} bytes this server accepts; it was not kept.`);
      }
      throw err;
    } finally {
      (claim as Claim | undefined)?.release();
    }
  }

  // -------------------------------------------------------------------------
  // Transfer and finish

  async function phaseRequest(req: IncomingMessage, res: ServerResponse, id: string, scopes: ReadonlySet<string>): Promise<void> {
    if (mediaType(req) === 'multipart/form-data') {
      // A transfer whose client went silent is released when the next one arrives (KeyedLock).
      await store.withLock(id, async () => phaseForm(req, res, await loadOr404(id), scopes), requestHolder(req));
      return;
    }
    const fields = await readFields(req, 'a finish request (a transfer needs multipart/form-data)');
    const phase = parsePhase(fields.get('upload_phase'), scopes);
    if (phase === 'transfer') {
      throw new ApiError(415, 'unsupported_media_type', 'A transfer is sent as multipart/form-data with a "file_chunk" file part.');
    }
    // Past a transfer whose client went silent, as a transfer gets (KeyedLock).
    await store.withLock(id, async () => finish(req, res, await loadOr404(id)), requestHolder(req));
  }

  async function phaseForm(req: IncomingMessage, res: ServerResponse, record: AssetRecord, scopes: ReadonlySet<string>): Promise<void> {
    const window = windowOf(record);
    const length = window.end_offset - window.start_offset;
    let phase: Phase | undefined;
    let startOffset: number | undefined;
    let writer: ChunkWriter | undefined;
    let chunks = 0;
    const seen = new Set<string>();

    /** Once both are known, a transfer must start where the server is. */
    const checkOffset = (): void => {
      if (phase !== 'transfer' || startOffset === undefined || startOffset === record.offset) return;
      throw new ApiError(
        409,
        'offset_mismatch',
        `The chunk starts at byte ${startOffset} but the server needs the bytes from ${window.start_offset} to ${window.end_offset} (end exclusive); nothing was kept.`,
        { extra: { ...window } },
      );
    };

    try {
      await readForm(req, length, {
        field(field, value) {
          if (field !== 'upload_phase' && field !== 'start_offset' && field !== 'file_chunk') return;
          if (seen.has(field)) throw new ApiError(400, 'malformed_body', `The field "${field}" is given more than once.`);
          seen.add(field);
          if (field === 'file_chunk') {
            throw new ApiError(400, 'missing_file', '"file_chunk" must be a file part (with a filename), not a text field.');
          }
          if (field === 'upload_phase') {
            phase = parsePhase(value, scopes);
            if (record.status !== 'uploading') throw alreadyFinished();
          } else {
            startOffset = parseOffset(value);
          }
          checkOffset();
        },
        file(field, stream) {
          if (field !== 'file_chunk') {
            throw new ApiError(400, 'unexpected_file', `The form carries a file named "${field}"; a chunk goes in "file_chunk".`);
          }
          chunks += 1;
          if (chunks > 1) throw new ApiError(400, 'too_many_files', 'Send exactly one "file_chunk" per transfer.');
          if (phase === 'finish') throw new ApiError(400, 'unexpected_file', 'A finish request carries no file_chunk.');
          if (phase === undefined || startOffset === undefined) {
            throw new ApiError(400, 'fields_out_of_order', 'Send the fields upload_phase and start_offset before the file part file_chunk; nothing was kept.');
          }
          return (async () => {
            writer = await store.beginChunk(record, length);
            await copyPart(stream, writer.write);
          })();
        },
      });
      if (phase === undefined) throw new ApiError(400, 'bad_upload_phase', 'upload_phase is required ("transfer" or "finish").');
      if (phase === 'finish') return await finish(req, res, record);
      if (startOffset === undefined) throw new ApiError(400, 'bad_offset', 'start_offset is required in a transfer.');
      const chunk = writer as ChunkWriter | undefined;
      if (chunk === undefined) throw new ApiError(400, 'missing_file', 'The transfer has no "file_chunk" file part.');
      if (chunk.written !== length) throw chunkSizeMismatch(chunk.written, window);
      let next = record;
      if (length > 0) next = await chunk.commit();
      else await chunk.abort(); // an empty window: nothing to store
      sendJson(res, 200, { id: next.id, upload_phase: 'transfer', ...windowOf(next) });
    } catch (err) {
      await (writer as ChunkWriter | undefined)?.abort();
      if (err instanceof TooManyBytesError) throw chunkSizeMismatch(undefined, window);
      throw err;
    }
  }

  async function finish(req: IncomingMessage, res: ServerResponse, record: AssetRecord): Promise<void> {
    if (record.status !== 'uploading') throw alreadyFinished();
    if (record.offset < record.size) {
      throw new ApiError(409, 'incomplete', `Only ${record.offset} of ${record.size} bytes are stored; send the rest before finishing.`, {
        extra: { ...windowOf(record) },
      });
    }
    const next: AssetRecord = { ...record, status: 'processing', updated_at: new Date().toISOString() };
    await store.save(next);
    options.openUploads?.release(openKey(record.id));
    const origin = originOf(req);
    sendJson(res, 200, assetJson(origin, next));
    startProcessing(next.id, origin);
  }

  /** Hashes the whole file (and recognises video containers) in the background, then marks the asset ready. */
  function startProcessing(id: string, origin: string | undefined): void {
    const task: Promise<void> = (async () => {
      const record = await store.withLock(id, () => store.load(id));
      if (record?.status !== 'processing') return;
      let digest: { md5: string; head: Buffer };
      try {
        digest = await store.digest(record, closing.signal);
      } catch (err) {
        if (closing.signal.aborted) return; // resumed at the next start
        if (await store.peek(id)) console.error(`asset-uploader server: processing asset ${id} failed:`, err);
        return;
      }
      await store.withLock(id, async () => {
        const current = await store.load(id);
        if (current?.status !== 'processing') return;
        const ready: AssetRecord = {
          ...current,
          status: 'ready',
          md5: digest.md5,
          ...(isVideo(current.content_type) ? { container: containerOf(digest.head) } : {}),
          updated_at: new Date().toISOString(),
        };
        await store.save(ready);
        emit('asset.changed', origin, ready);
      });
    })()
      .catch((err: unknown) => console.error(`asset-uploader server: processing asset ${id} failed:`, err))
      .finally(() => processing.delete(task));
    processing.add(task);
  }

  // -------------------------------------------------------------------------
  // Reading, updating, deleting

  async function list(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const limit = parseQueryInteger(query.get('limit'), 'limit', DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    const offset = parseQueryInteger(query.get('offset'), 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const records = await store.list();
    const origin = originOf(req);
    sendJson(res, 200, {
      data: records.slice(offset, offset + limit).map((record) => assetJson(origin, record)),
      meta: { total: records.length, limit, offset },
    });
  }

  async function update(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (mediaType(req) !== 'application/json') {
      throw new ApiError(415, 'unsupported_media_type', 'Send the changes as application/json.');
    }
    const body = parseJsonObject((await readSmallBody(req)).toString('utf8'));
    const unknown = Object.keys(body).filter((key) => key !== 'label' && key !== 'name');
    if (unknown.length > 0) {
      throw new ApiError(400, 'malformed_body', `Only "label" and "name" can be changed; the body also has ${unknown.map((key) => `"${key}"`).join(', ')}.`);
    }
    const label = 'label' in body ? parseLabel(body['label']) : undefined;
    const name = 'name' in body ? parseName(body['name'], 'name') : undefined;
    await store.withLock(
      id,
      async () => {
        const record = await loadOr404(id);
        let next = record;
        if ((label !== undefined && label !== record.label) || (name !== undefined && name !== record.name)) {
          next = { ...record, label: label ?? record.label, name: name ?? record.name, updated_at: new Date().toISOString() };
          await store.save(next);
          emit('asset.changed', originOf(req), next);
        }
        sendJson(res, 200, assetJson(originOf(req), next));
      },
      // Past a transfer whose client went silent, as a transfer gets (KeyedLock).
      requestHolder(req),
    );
  }

  async function remove(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    await store.withLock(
      id,
      async () => {
        const record = await loadOr404(id);
        if (!(await store.remove(id))) throw notFound();
        options.openUploads?.release(openKey(id));
        res.statusCode = 204;
        res.setHeader('Cache-Control', 'no-store');
        res.end();
        emit('asset.deleted', originOf(req), record);
      },
      // Past a transfer whose client went silent, as a transfer gets (KeyedLock).
      requestHolder(req),
    );
  }

  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const record = await store.peek(id);
    if (record?.status !== 'ready') throw notFound();
    await sendDownload(req, res, store.openRead(record), record.name, record.size);
  }

  async function loadOr404(id: string): Promise<AssetRecord> {
    const record = await store.load(id);
    if (!record) throw notFound();
    return record;
  }

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const method = req.method ?? 'GET';
    const rest = pathname.slice(PREFIX.length);

    const file = /^\/files\/([^/]+)$/.exec(rest);
    if (file) {
      const id = file[1] ?? '';
      if (!ID_PATTERN.test(id)) throw notFound();
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD, OPTIONS');
      return download(req, res, id);
    }
    if (rest !== '/assets' && !rest.startsWith('/assets/')) throw notFound();

    const scopes = auth.scopesOf(req);
    if (rest === '/assets') {
      allowMethods(method, ['GET', 'POST']);
      requireScope(scopes, 'assets');
      return method === 'GET' ? list(req, res) : create(req, res);
    }
    const asset = /^\/assets\/([^/]+)(\/multipart)?$/.exec(rest);
    const id = asset?.[1] ?? '';
    if (!asset || !ID_PATTERN.test(id)) throw notFound();
    if (asset[2] !== undefined) {
      allowMethods(method, ['POST']);
      return phaseRequest(req, res, id, scopes);
    }
    allowMethods(method, ['GET', 'PUT', 'DELETE']);
    if (method === 'DELETE') {
      requireScope(scopes, 'assets_delete');
      return remove(req, res, id);
    }
    requireScope(scopes, 'assets');
    if (method === 'PUT') return update(req, res, id);
    const record = await store.peek(id);
    if (!record) throw notFound();
    sendJson(res, 200, assetJson(originOf(req), record));
  }

  return {
    async init() {
      const records = await store.init();
      for (const record of records) {
        if (record.status === 'processing') startProcessing(record.id, options.publicOrigin);
      }
    },

    handle: route,

    drainLimit,

    webhooksIdle: () => webhooks.idle(),

    async close(graceMs) {
      closing.abort();
      await Promise.allSettled([...processing]);
      await webhooks.close(graceMs);
    },

    async sweep(ttlMs) {
      let removed = 0;
      for (const candidate of await store.list()) {
        if (candidate.status !== 'uploading' || !(await store.idleFor(candidate, ttlMs))) continue;
        // Under the lock: a transfer that was running meanwhile has moved updated_at on.
        const gone = await store.withLock(candidate.id, async () => {
          const current = await store.peek(candidate.id);
          if (current?.status !== 'uploading' || !(await store.idleFor(current, ttlMs))) return undefined;
          if (!(await store.remove(current.id))) return undefined;
          // In the same step as the removal: whoever sees the files gone finds the slot free.
          options.openUploads?.release(openKey(current.id));
          return current;
        });
        if (gone === undefined) continue;
        removed += 1;
        // Subscribers saw asset.created; they learn that the abandoned asset is gone.
        emit('asset.deleted', options.publicOrigin, gone);
      }
      return removed;
    },
  };
}

// ---------------------------------------------------------------------------
// Values

/** The kind of an asset, from its content type. */
export function kindOf(contentType: string): 'image' | 'video' | 'audio' | 'document' {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  return 'document';
}

const DIGITS = /^\d{1,16}$/;

function parseFileSize(value: unknown): number {
  const number = typeof value === 'string' && DIGITS.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number;
  throw new ApiError(400, 'bad_file_size', 'file_size is required and must be a whole, non-negative number of bytes (a number or a string of digits).');
}

function parseOffset(value: string): number {
  const number = DIGITS.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(number)) return number;
  throw new ApiError(400, 'bad_offset', 'start_offset must be a whole, non-negative number of bytes.');
}

/** Reads upload_phase for the multipart route and checks the scope it needs. */
function parsePhase(value: unknown, scopes: ReadonlySet<string>): Phase {
  if (value === 'transfer') {
    requireScope(scopes, 'assets');
    return 'transfer';
  }
  if (value === 'finish') {
    requireScope(scopes, 'assets_publish');
    return 'finish';
  }
  throw new ApiError(
    400,
    'bad_upload_phase',
    value === 'start' ? `upload_phase "start" is sent to ${PREFIX}/assets.` : 'upload_phase must be "transfer" or "finish" here.',
  );
}

// C0 controls, DEL, and C1 controls; a UTF-16 surrogate without its partner.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function parseLabel(value: unknown): string {
  if (typeof value !== 'string') throw new ApiError(400, 'bad_label', 'label must be a string.');
  if ([...value].length > MAX_LABEL_LENGTH) {
    throw new ApiError(400, 'bad_label', `label is longer than ${MAX_LABEL_LENGTH} characters.`);
  }
  if (CONTROL.test(value) || LONE_SURROGATE.test(value)) {
    throw new ApiError(400, 'bad_label', 'label must be printable Unicode text (no control characters).');
  }
  return value;
}

/** Checks a file name with core/names.ts, naming `what` in the message. */
function parseName(value: unknown, what: string): string {
  const problem = fileNameProblem(value);
  if (problem !== null) throw new ApiError(400, 'bad_file_name', problem.replace(/^file_name/, what));
  return value as string;
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

function parseContentType(value: unknown): string {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text.length <= 255 && MEDIA_TYPE.test(text)) return text;
  throw new ApiError(400, 'bad_content_type', 'content_type must be a media type such as "video/mp4" (without parameters).');
}

function parseQueryInteger(text: string | null, name: string, fallback: number, min: number, max: number): number {
  if (text === null) return fallback;
  const value = DIGITS.test(text) ? Number(text) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new ApiError(400, 'bad_query', `${name} must be a whole number from ${min} to ${max}.`);
}

// ---------------------------------------------------------------------------
// Answers and errors

function allowMethods(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) throw methodNotAllowed(`${allowed.join(', ')}, OPTIONS`);
}

function notFound(): ApiError {
  return new ApiError(404, 'not_found', 'There is no such asset (it may have been deleted).');
}

function methodNotAllowed(allow: string): ApiError {
  return new ApiError(405, 'method_not_allowed', `This resource accepts ${allow}.`, { headers: { Allow: allow } });
}

function alreadyFinished(): ApiError {
  return new ApiError(409, 'already_finished', 'This upload was already finished; it takes no more chunks and no second finish.');
}

function chunkSizeMismatch(got: number | undefined, window: Window): ApiError {
  const length = window.end_offset - window.start_offset;
  const received = got === undefined ? `more than ${length}` : String(got);
  return new ApiError(
    400,
    'chunk_size_mismatch',
    `The chunk is ${received} bytes long but the window from ${window.start_offset} to ${window.end_offset} (end exclusive) is ${length} bytes; nothing was kept.`,
    { extra: { ...window } },
  );
}
