/**
 * tus 1.0 under `/tus/files` and `/tus-md5/files`, served by `@tus/server` with its
 * file store: a server the project did not write, so the `tus` adapter is tested
 * against the protocol as others read it, not only as we do.
 *
 * `@tus/server` does not implement the checksum extension. `/tus-md5/files` is the
 * same server behind a thin layer that does: it announces `checksum` with
 * `Tus-Checksum-Algorithm: md5`, verifies `Upload-Checksum: md5 <base64>` of each PATCH
 * before the bytes reach the store, and answers `460` on a mismatch (tus 1.0 §
 * Checksum). Verifying needs the whole part first, so those PATCH bodies are buffered,
 * up to `MAX_CHECKSUM_PART` bytes (larger ones are refused with 413).
 *
 * Names never become paths: the file store names uploads with random ids and keeps the
 * metadata as data. CORS for these paths is the tus server's own.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

export const TUS_PATH = '/tus/files';
export const TUS_MD5_PATH = '/tus-md5/files';
const MAX_CHECKSUM_PART = 64 * 1024 * 1024;

export interface TusOptions {
  readonly dataDir: string;
  readonly maxFileSize?: number | undefined;
  readonly corsOrigins?: readonly string[] | undefined;
}

export function isTusPath(pathname: string): boolean {
  return [TUS_PATH, TUS_MD5_PATH].some((base) => pathname === base || pathname.startsWith(`${base}/`));
}

export function createTusApi(options: TusOptions): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> {
  const allowedOrigins = options.corsOrigins && options.corsOrigins.length > 0 ? [...options.corsOrigins] : undefined;
  const common = {
    ...(options.maxFileSize === undefined ? {} : { maxSize: options.maxFileSize }),
    ...(allowedOrigins ? { allowedOrigins } : {}),
  };
  const plain = new Server({ path: TUS_PATH, datastore: new FileStore({ directory: join(options.dataDir, 'tus') }), ...common });
  const checked = new Server({
    path: TUS_MD5_PATH,
    datastore: new FileStore({ directory: join(options.dataDir, 'tus-md5') }),
    allowedHeaders: ['Upload-Checksum'],
    exposedHeaders: ['Tus-Checksum-Algorithm'],
    ...common,
  });

  return async (req, res, pathname) => {
    if (pathname === TUS_PATH || pathname.startsWith(`${TUS_PATH}/`)) return plain.handle(req, res);
    return handleWithChecksum(checked, req, res, allowedOrigins);
  };
}

async function handleWithChecksum(server: Server, req: IncomingMessage, res: ServerResponse, allowedOrigins: string[] | undefined): Promise<void> {
  let body: Buffer | undefined;
  if (req.method === 'PATCH') {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > MAX_CHECKSUM_PART) return refuse(req, res, allowedOrigins, 413, `A part may be at most ${MAX_CHECKSUM_PART} bytes here.`);
    body = await readBody(req, MAX_CHECKSUM_PART);
    if (body === undefined) return refuse(req, res, allowedOrigins, 413, `A part may be at most ${MAX_CHECKSUM_PART} bytes here.`);
    const checksum = req.headers['upload-checksum'];
    if (typeof checksum === 'string') {
      const [algorithm, expected] = checksum.trim().split(/\s+/);
      if (algorithm !== 'md5' || !expected) return refuse(req, res, allowedOrigins, 400, 'Only Upload-Checksum md5 is supported.');
      if (createHash('md5').update(body).digest('base64') !== expected) return refuse(req, res, allowedOrigins, 460, 'Checksum mismatch.');
    }
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    // A Buffer is a valid body for Node's fetch Request; the DOM lib typings disagree.
    ...(body === undefined ? {} : { body: body as unknown as BodyInit }),
  });
  const response = await server.handleWeb(request);
  const out = new Headers(response.headers);
  if (req.method === 'OPTIONS' && !req.headers['access-control-request-method']) {
    const extensions = out.get('Tus-Extension');
    out.set('Tus-Extension', extensions ? `${extensions},checksum` : 'checksum');
    out.set('Tus-Checksum-Algorithm', 'md5');
  }
  res.writeHead(response.status, Object.fromEntries(out));
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Reads a body up to `limit` bytes; undefined when it is larger. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function refuse(req: IncomingMessage, res: ServerResponse, allowedOrigins: string[] | undefined, status: number, message: string): void {
  const origin = req.headers.origin;
  const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0', 'Content-Type': 'text/plain; charset=utf-8' };
  if (origin && (!allowedOrigins || allowedOrigins.includes(origin))) {
    headers['Access-Control-Allow-Origin'] = origin;
    headers['Access-Control-Expose-Headers'] = 'Upload-Offset, Location, Upload-Length, Tus-Version, Tus-Resumable, Tus-Max-Size, Tus-Extension, Upload-Metadata';
  }
  res.writeHead(status, headers);
  res.end(message);
  req.resume();
}
