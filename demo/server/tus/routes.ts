/**
 * tus 1.0 under `/tus/files` and `/tus-md5/files`, served by `@tus/server` with its
 * file store: a server the project did not write, so the `tus` adapter is tested
 * against the protocol as others read it, not only as we do.
 *
 * `@tus/server` does not implement the checksum extension. `/tus-md5/files` is the
 * same server behind a thin layer that does: it announces `checksum` with
 * `Tus-Checksum-Algorithm: md5,sha1` (sha1 because tus 1.0 § Checksum says a server
 * MUST support it; md5 is what the adapter sends), verifies `Upload-Checksum: <algorithm>
 * <base64>` of each PATCH, and of a POST that carries bytes (creation-with-upload,
 * which `@tus/server` announces), before the bytes reach the store, and answers `460`
 * on a mismatch and `400` for another algorithm or a malformed header. Verifying needs
 * the whole part first, so those bodies are buffered, up to `MAX_CHECKSUM_PART` bytes
 * (larger ones are refused with 413). So that buffering cannot be made to eat the
 * server's memory, a body is read only for an upload that exists (404 first), and all
 * bodies being checked at once hold at most `checksumBufferBytes` (256 MiB by default);
 * past that a part is answered 503 with Retry-After, which clients retry.
 *
 * Readings of tus 1.0 taken here:
 * - A POST body is read as creation-with-upload only with `Content-Type:
 *   application/offset+octet-stream` (the extension's rule); other POSTs go through
 *   with no body, as plain creation.
 * - Extensions are `@tus/server`'s: creation, creation-with-upload,
 *   creation-defer-length, termination, expiration; `/tus-md5/files` adds checksum.
 *   Concatenation is not offered.
 * - `423 Locked` is `@tus/server`'s answer while another request holds the upload;
 *   it is not in tus 1.0, and clients retry it.
 *
 * What this layer does itself, before `@tus/server` sees a request (issue 9):
 * - CORS follows core/cors.ts like every other route: preflights are answered here, and
 *   whatever CORS headers `@tus/server` writes are replaced by ours (its own rule
 *   answers an unlisted origin with the first listed one).
 * - GET (and HEAD without `Tus-Resumable`) of a finished upload is a download through
 *   `sendDownload`; a tus HEAD is answered from the record without the upload's lock
 *   (tus/files.ts says why).
 *
 * A PATCH holds `@tus/server`'s lock while its body streams. A new PATCH (or DELETE)
 * for the same upload asks the holder to let go, and the holder is cut off after
 * LOCK_DRAIN_MS; tus keeps the bytes it did receive (the offset is what is on disk),
 * so nothing acknowledged is lost, and a client that vanished mid-PATCH holds
 * nobody up for longer than that.
 *
 * Names never become paths: uploads are named with random ids (TUS_ID) and the
 * metadata is kept as data.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { EVENTS, Server } from '@tus/server';
import type { CorsHeaderSet, CorsPolicy } from '../core/cors.js';
import { DRAIN_LIMIT, discardBody } from '../core/errors.js';
import { hostOrigin, readBody, requestOrigin } from '../core/http.js';
import { type Claim, clientAddress, LimitError, type OpenUploads } from '../core/limits.js';
import { readTusUpload, isFinished, sendTusDownload, sendTusStatus, sweepTus, TUS_ID } from './files.js';

export const TUS_PATH = '/tus/files';
export const TUS_MD5_PATH = '/tus-md5/files';
const MAX_CHECKSUM_PART = 64 * 1024 * 1024;
/** What `/tus-md5/files` verifies: md5 for the adapter, sha1 because tus 1.0 requires it of every checksum server. */
const CHECKSUM_ALGORITHMS: readonly string[] = ['md5', 'sha1'];

/**
 * How long a PATCH that another request wants the lock of may go on (`@tus/server`'s
 * lockDrainTimeout, 3 s by default): long enough for a live PATCH to finish writing
 * the chunk in hand, short enough that a dead one does not make the retry wait.
 */
const LOCK_DRAIN_MS = 1_000;

const TUS_METHODS = 'POST, HEAD, PATCH, OPTIONS, DELETE, GET';
const TUS_REQUEST_HEADERS =
  'Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Offset, Upload-Concat, Upload-Checksum, X-HTTP-Method-Override, X-Requested-With';
const TUS_EXPOSED =
  'Location, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Expires, Tus-Resumable, Tus-Version, Tus-Max-Size, Tus-Extension, Retry-After';
const PLAIN_CORS: CorsHeaderSet = { methods: TUS_METHODS, allowedHeaders: TUS_REQUEST_HEADERS, exposedHeaders: TUS_EXPOSED };
/** The browser client reads Tus-Checksum-Algorithm; only this server sends it, so only it exposes it. */
const MD5_CORS: CorsHeaderSet = { ...PLAIN_CORS, exposedHeaders: `${TUS_EXPOSED}, Tus-Checksum-Algorithm` };

export interface TusOptions {
  readonly dataDir: string;
  readonly maxFileSize?: number | undefined;
  readonly cors: CorsPolicy;
  /** Open uploads, counted per client address (core/limits.ts); unlimited when absent. */
  readonly openUploads?: OpenUploads | undefined;
  /** Fixed origin for the Location of new uploads; default: the request's Host header, when it is a host. */
  readonly publicOrigin?: string | undefined;
  /** Bytes `/tus-md5/files` may hold in memory at once, across requests, while it checks parts (default 256 MiB). */
  readonly checksumBufferBytes?: number | undefined;
}

/** The default of TusOptions.checksumBufferBytes: four parts of the largest size. */
const CHECKSUM_BUFFER_BYTES = 4 * 64 * 1024 * 1024;

export interface TusApi {
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void>;
  /** Removes abandoned unfinished uploads (tus/files.ts sweepTus) and stops counting them. */
  sweep(ttlMs: number): Promise<number>;
}

/** The key of a tus upload in the OpenUploads ledger. */
const openKey = (id: string): string => `tus:${id}`;

export function isTusPath(pathname: string): boolean {
  return [TUS_PATH, TUS_MD5_PATH].some((base) => pathname === base || pathname.startsWith(`${base}/`));
}

export function createTusApi(options: TusOptions): TusApi {
  const { cors, openUploads } = options;
  const common = {
    ...(options.maxFileSize === undefined ? {} : { maxSize: options.maxFileSize }),
    // Never set Access-Control-Allow-Origin itself: core/cors.ts decides (see withOurCors).
    allowedOrigins: () => false,
    lockDrainTimeout: LOCK_DRAIN_MS,
    namingFunction: () => randomBytes(16).toString('hex'),
    // @tus/server names the Location from the raw Host header: without one it was
    // `http://null/...`, with a bad one no URL at all. Such a Location is a path instead,
    // which clients resolve against the URL they posted to.
    generateUrl: (_req: Request, { proto, host, path, id }: { proto: string; host: string | null; path: string; id: string }) =>
      `${options.publicOrigin ?? hostOrigin(proto === 'https' ? 'https' : 'http', host) ?? ''}${path}/${id}`,
  };
  const plainDir = join(options.dataDir, 'tus');
  const checkedDir = join(options.dataDir, 'tus-md5');
  const plain = new Server({ path: TUS_PATH, datastore: new FileStore({ directory: plainDir }), ...common });
  const checked = new Server({
    path: TUS_MD5_PATH,
    datastore: new FileStore({ directory: checkedDir }),
    allowedHeaders: ['Upload-Checksum'],
    exposedHeaders: ['Tus-Checksum-Algorithm'],
    ...common,
  });

  // Both servers' ids are random and distinct, so one key space serves both.
  for (const server of [plain, checked]) {
    server.on(EVENTS.POST_FINISH, (_req: unknown, _res: unknown, upload: { id: string }) => openUploads?.release(openKey(upload.id)));
    server.on(EVENTS.POST_TERMINATE, (_req: unknown, _res: unknown, id: string) => openUploads?.release(openKey(id)));
  }

  const buffer = { free: options.checksumBufferBytes ?? CHECKSUM_BUFFER_BYTES };

  const handle = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    const md5 = !(pathname === TUS_PATH || pathname.startsWith(`${TUS_PATH}/`));
    const base = md5 ? TUS_MD5_PATH : TUS_PATH;
    const set = md5 ? MD5_CORS : PLAIN_CORS;
    const corsHeaders = cors.headersFor(req, set);
    if (cors.isPreflight(req)) {
      cors.apply(req, res, set);
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') {
      await readOrDownload(req, res, md5 ? checkedDir : plainDir, pathname.slice(base.length + 1), corsHeaders);
      return;
    }
    let onCreated: ((location: string, offset: number) => void) | undefined;
    if (method === 'POST' && openUploads) {
      const owner = { kind: 'client', id: clientAddress(req) } as const;
      const declared = Number(req.headers['upload-length'] ?? 0);
      const size = Number.isSafeInteger(declared) && declared > 0 ? declared : 0;
      // Checked and counted in one step before @tus/server writes anything, so concurrent
      // creations cannot overshoot the cap; the claim is named after the upload once it
      // exists, and given back when the request ends without creating one.
      let claim: Claim;
      try {
        claim = openUploads.claim(owner, size);
      } catch (err) {
        if (!(err instanceof LimitError)) throw err;
        writeText(req, res, err.status, { ...corsHeaders, 'Tus-Resumable': '1.0.0', 'Retry-After': String(err.retryAfter) }, `${err.message}\n`);
        return;
      }
      let bound = false;
      // A deferred length (creation-defer-length) is open until a later PATCH declares it.
      const deferred = req.headers['upload-defer-length'] !== undefined && req.headers['upload-length'] === undefined;
      onCreated = (location, offset) => {
        const id = location.split('/').pop() ?? '';
        // Finished by its creating request (creation-with-upload): nothing stays open.
        if (TUS_ID.test(id) && (deferred || (size > 0 && offset < size))) {
          claim.bind(openKey(id));
          bound = true;
        }
      };
      res.once('close', () => {
        if (!bound) claim.release();
      });
    }
    withOurCors(res, corsHeaders, onCreated);
    if (!md5) return plain.handle(req, res);
    return handleWithChecksum(checked, checkedDir, buffer, req, res, corsHeaders, pathname);
  };

  return {
    handle,
    async sweep(ttlMs) {
      const release = (id: string): void => openUploads?.release(openKey(id));
      return (await sweepTus(plainDir, ttlMs, release)).length + (await sweepTus(checkedDir, ttlMs, release)).length;
    },
  };
}

/** GET: the download of a finished upload; HEAD with Tus-Resumable: the tus status; HEAD without: the download's headers. */
async function readOrDownload(req: IncomingMessage, res: ServerResponse, dir: string, id: string, corsHeaders: Record<string, string>): Promise<void> {
  const tusHead = req.method === 'HEAD' && req.headers['tus-resumable'] !== undefined;
  const upload = await readTusUpload(dir, id);
  if (upload === null || (!tusHead && !isFinished(upload))) {
    const headers = { ...corsHeaders, 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store' };
    writeText(req, res, 404, headers, tusHead ? '' : 'There is no finished upload at this address.\n');
    return;
  }
  if (tusHead) return sendTusStatus(res, upload, corsHeaders);
  for (const [name, value] of Object.entries(corsHeaders)) res.setHeader(name, value);
  await sendTusDownload(req, res, dir, upload);
}

/**
 * Makes `res` carry exactly `corsHeaders` as its CORS headers, whatever the code
 * writing it (`@tus/server`, through srvx's writeHead) puts there.
 */
function withOurCors(res: ServerResponse, corsHeaders: Record<string, string>, onCreated?: (location: string, offset: number) => void): void {
  const original = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headersArg = rest.length > 0 && typeof rest[0] !== 'string' ? rest[0] : rest[1];
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers: OutgoingHttpHeaders = {};
    const keep = (name: string, value: unknown): void => {
      const lower = name.toLowerCase();
      if (lower.startsWith('access-control-') || lower === 'vary') return;
      headers[name] = value as string;
    };
    if (Array.isArray(headersArg)) {
      for (let i = 0; i + 1 < headersArg.length; i += 2) keep(String(headersArg[i]), headersArg[i + 1]);
    } else if (headersArg && typeof headersArg === 'object') {
      for (const [name, value] of Object.entries(headersArg)) keep(name, value);
    }
    for (const name of res.getHeaderNames()) {
      if (name.startsWith('access-control-') || name === 'vary') res.removeHeader(name);
    }
    Object.assign(headers, corsHeaders);
    const location = Object.entries(headers).find(([name]) => name.toLowerCase() === 'location')?.[1];
    if (status === 201 && typeof location === 'string') {
      const offset = Object.entries(headers).find(([name]) => name.toLowerCase() === 'upload-offset')?.[1] ?? res.getHeader('upload-offset');
      onCreated?.(location, Number(offset ?? 0));
    }
    return reason === undefined ? original(status, headers) : original(status, reason, headers);
  }) as typeof res.writeHead;
}

/**
 * `/tus-md5/files`: a body that carries bytes is read whole and checked before
 * `@tus/server` gets it. `buffer.free` is what all such bodies may still take; a request
 * takes its declared length (the largest part when it declares none) before reading, and
 * gives it back when it is answered.
 */
async function handleWithChecksum(
  server: Server,
  dir: string,
  buffer: { free: number },
  req: IncomingMessage,
  res: ServerResponse,
  corsHeaders: Record<string, string>,
  pathname: string,
): Promise<void> {
  // PATCH, and a POST with bytes (creation-with-upload): the body is checked before it is passed on.
  const carriesBytes = req.method === 'PATCH' || (req.method === 'POST' && isOffsetStream(req.headers['content-type']));
  if (!carriesBytes) return passOn(server, req, res, undefined);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_CHECKSUM_PART)
    return refuse(req, res, corsHeaders, 413, `A part may be at most ${MAX_CHECKSUM_PART} bytes here.`);
  if (req.method === 'PATCH') {
    const id = pathname.slice(TUS_MD5_PATH.length + 1);
    if (!TUS_ID.test(id) || (await readTusUpload(dir, id)) === null) return refuse(req, res, corsHeaders, 404, 'There is no upload at this address.');
  }
  const taken = Number.isFinite(declared) ? declared : MAX_CHECKSUM_PART;
  if (taken > buffer.free) {
    const busy = { ...corsHeaders, 'Tus-Resumable': '1.0.0', 'Retry-After': '1' };
    return writeText(req, res, 503, busy, 'The server is checking other parts; send this one again in a moment.');
  }
  buffer.free -= taken;
  try {
    let body: Buffer;
    // Past the limit the request is paused, not destroyed, so that the 413 reaches the
    // client (a chunked body has no length to refuse it by); refuse drains the rest.
    const tooLarge = new Error('too large');
    try {
      body = await readBody(req, Math.min(taken, MAX_CHECKSUM_PART), { tooLarge: () => tooLarge, incomplete: () => new Error('incomplete') });
    } catch (err) {
      if (err === tooLarge) return refuse(req, res, corsHeaders, 413, `A part may be at most ${MAX_CHECKSUM_PART} bytes here.`);
      res.destroy(); // the client went away mid-body: there is no one to answer
      return;
    }
    const checksum = req.headers['upload-checksum'];
    if (typeof checksum === 'string') {
      const [algorithm = '', expected, extra] = checksum.trim().split(/\s+/);
      if (!CHECKSUM_ALGORITHMS.includes(algorithm) || !expected || extra !== undefined)
        return refuse(req, res, corsHeaders, 400, `Upload-Checksum must be "<algorithm> <base64>", the algorithm one of ${CHECKSUM_ALGORITHMS.join(', ')}.`);
      if (createHash(algorithm).update(body).digest('base64') !== expected) return refuse(req, res, corsHeaders, 460, 'Checksum mismatch.');
    }
    await passOn(server, req, res, body);
  } finally {
    buffer.free += taken;
  }
}

/** Hands a request, and the body already read, to `@tus/server`, and writes its answer. */
async function passOn(server: Server, req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  // From a validated origin: a Host that is none (`[zz`, `a b`, `x@y`) is no URL. The
  // Location is still named from the Host header, by @tus/server, as on /tus/files.
  const request = new Request(`${requestOrigin(req)}${targetPath(req.url)}`, {
    method: req.method ?? 'GET',
    headers,
    // A Buffer is a valid body for Node's fetch Request; the DOM lib typings disagree.
    ...(body === undefined ? {} : { body: body as unknown as BodyInit }),
  });
  const response = await server.handleWeb(request);
  const out = new Headers(response.headers);
  if (req.method === 'OPTIONS') {
    const extensions = out.get('Tus-Extension');
    out.set('Tus-Extension', extensions ? `${extensions},checksum` : 'checksum');
    out.set('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS.join(','));
  }
  const text = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(out)); // CORS replaced by withOurCors
  res.end(text);
}

/** Whether a Content-Type is tus's `application/offset+octet-stream` (parameters aside). */
function isOffsetStream(type: string | undefined): boolean {
  return (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/offset+octet-stream';
}

/**
 * The path and query of a request target, also of an absolute-form one (app.ts has
 * checked that it parses).
 */
function targetPath(target: string | undefined): string {
  if (target === undefined || target.startsWith('/')) return target ?? '/';
  const url = new URL(target);
  return `${url.pathname}${url.search}`;
}

function refuse(req: IncomingMessage, res: ServerResponse, corsHeaders: Record<string, string>, status: number, message: string): void {
  writeText(req, res, status, { ...corsHeaders, 'Tus-Resumable': '1.0.0' }, message);
}

/** A plain-text tus answer (HEAD gets no body); an unread request body is drained, up to DRAIN_LIMIT, as core/errors.ts does. */
function writeText(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, message: string): void {
  const body = req.method === 'HEAD' ? '' : message;
  const all: Record<string, string> = { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) };
  if (!req.complete) discardBody(req, all, DRAIN_LIMIT);
  res.writeHead(status, all);
  res.end(body);
}
