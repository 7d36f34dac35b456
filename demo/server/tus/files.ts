/**
 * What this server reads of `@tus/file-store`'s layout itself: the status of an
 * upload (tus HEAD) and the download of a finished one (GET, and HEAD without
 * `Tus-Resumable`).
 *
 * Why this exists: `@tus/server`'s GetHandler streams files through a web
 * stream that, on Node 20, throws `ERR_INVALID_STATE` from a microtask when a
 * client goes away or asks twice, which ended the process (issue 9, defect
 * 1), and it serves some types inline without `nosniff` and puts the
 * client's name raw into Content-Disposition (defect 6). Its HeadHandler takes
 * the upload's lock, so a status query waited behind a silent PATCH (defect
 * 4). Downloads here go through `sendDownload` like every other API's, and a
 * status query reads the durable record without any lock.
 *
 * The file store keeps `<dir>/<id>` (the bytes received; its length is the
 * offset) and `<dir>/<id>.json` (size, metadata, creation date). Only an id
 * matching TUS_ID (the naming function in tus/routes.ts makes them) ever touches a
 * path.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isNotFound, openPrefix, readOrNull } from '../core/durable.js';
import { sendDownload } from '../core/http.js';

/** The ids tus/routes.ts's naming function makes: 32 hex digits from a CSPRNG. */
export const TUS_ID = /^[0-9a-f]{32}$/;

export interface TusUploadState {
  readonly id: string;
  /** Declared length; undefined while deferred. */
  readonly size: number | undefined;
  /** Bytes on disk. */
  readonly offset: number;
  readonly metadata: Readonly<Record<string, string | null>>;
  readonly creationDate: string | undefined;
}

/** The state of upload `id` in `dir`, read without a lock; null when unknown, malformed or not an id. */
export async function readTusUpload(dir: string, id: string): Promise<TusUploadState | null> {
  if (!TUS_ID.test(id)) return null;
  const text = await readOrNull(join(dir, `${id}.json`));
  if (text === null) return null;
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null; // being written by the file store (it does not write atomically)
  }
  let offset: number;
  try {
    const stats = await stat(join(dir, id));
    if (!stats.isFile()) return null;
    offset = stats.size;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  const size = typeof info['size'] === 'number' && Number.isSafeInteger(info['size']) ? info['size'] : undefined;
  const metadata: Record<string, string | null> = {};
  if (typeof info['metadata'] === 'object' && info['metadata'] !== null) {
    for (const [key, value] of Object.entries(info['metadata'] as Record<string, unknown>)) {
      metadata[key] = typeof value === 'string' ? value : null;
    }
  }
  const creationDate = typeof info['creation_date'] === 'string' ? info['creation_date'] : undefined;
  return { id, size, offset, metadata, creationDate };
}

/** True when every declared byte is on disk. */
export function isFinished(upload: TusUploadState): boolean {
  return upload.size !== undefined && upload.offset === upload.size;
}

/** `Upload-Metadata` as tus 1.0 writes it: `key base64(value)` pairs, comma-separated. */
export function stringifyMetadata(metadata: Readonly<Record<string, string | null>>): string {
  return Object.entries(metadata)
    .map(([key, value]) => (value === null ? key : `${key} ${Buffer.from(value, 'utf8').toString('base64')}`))
    .join(',');
}

/** The download name: the client's `filename` (or `name`) metadata, else the id. */
export function downloadName(upload: TusUploadState): string {
  return upload.metadata['filename'] ?? upload.metadata['name'] ?? upload.id;
}

/** Answers a tus HEAD (tus 1.0 § HEAD) from the record, without waiting for an in-flight PATCH. */
export function sendTusStatus(res: ServerResponse, upload: TusUploadState, headers: Record<string, string>): void {
  res.writeHead(200, {
    ...headers,
    'Tus-Resumable': '1.0.0',
    'Cache-Control': 'no-store',
    'Upload-Offset': String(upload.offset),
    ...(upload.size === undefined ? { 'Upload-Defer-Length': '1' } : { 'Upload-Length': String(upload.size) }),
    ...(Object.keys(upload.metadata).length > 0 ? { 'Upload-Metadata': stringifyMetadata(upload.metadata) } : {}),
  });
  res.end();
}

/** Serves a finished upload's bytes as every other download is served (core/http.ts). */
export function sendTusDownload(req: IncomingMessage, res: ServerResponse, dir: string, upload: TusUploadState): Promise<void> {
  return sendDownload(req, res, openPrefix(join(dir, upload.id), upload.offset), downloadName(upload), upload.offset);
}

/**
 * Removes every unfinished upload in `dir` whose bytes were last written more than
 * `ttlMs` ago (abandoned); resolves with their ids. A PATCH in progress keeps
 * touching the bytes file, so it is never swept.
 */
export async function sweepTus(dir: string, ttlMs: number, onRemoved: (id: string) => void = () => {}, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const id = entry.endsWith('.json') ? entry.slice(0, -5) : '';
    const upload = await readTusUpload(dir, id);
    if (upload === null || isFinished(upload)) continue;
    const modified = await stat(join(dir, id)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (modified === undefined || now - modified <= ttlMs) continue;
    await unlink(join(dir, `${id}.json`)).catch(() => {});
    await unlink(join(dir, id)).catch(() => {});
    // In the same step as the removal: whoever sees the files gone finds the slot free.
    onRemoved(id);
    removed.push(id);
  }
  return removed;
}
