/**
 * Durable asset records and bytes of the phased API.
 *
 * Why this exists: the phased API acknowledges each chunk with the next window
 * to send, and that promise must survive a crash or a restart exactly like
 * the content-range store's (content-range/store.ts; both use the durable file steps of
 * core/durable.ts). Each asset is two files
 * under `<dataDir>/phased/`:
 *
 * - `<id>.bin`, the bytes received so far;
 * - `<id>.json`, the record (see AssetRecord).
 *
 * The record's `offset` is the truth. A chunk is streamed into `<id>.bin` at
 * the stored offset; only once the caller's checks pass are the bytes fsynced
 * and the record replaced atomically (write a temporary file, fsync, rename,
 * fsync the directory). Any failure truncates `<id>.bin` back to the record's
 * offset, and loading a record repairs a `.bin` a crash left longer. A whole
 * file sent in one request gets its record only after its bytes are on disk;
 * until then it has none, and startup removes such orphans. Only the random
 * id, checked against ID_PATTERN, ever becomes part of a path.
 *
 * Requests for one asset are serialised with a per-id promise lock
 * (`withLock`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  createEmptyDurably,
  fileMd5,
  KeyedLock,
  type LockHolder,
  openPrefix,
  readOrNull,
  removeLeftovers,
  removePair,
  repairLength,
  writeAll,
  writeJsonDurably,
} from '../core/durable.js';
import { ID_PATTERN } from '../core/ids.js';
import { TooManyBytesError } from '../core/pump.js';

export { ID_PATTERN };

export type AssetStatus = 'uploading' | 'processing' | 'ready';
export type Container = 'mp4' | 'unknown';

export interface AssetRecord {
  readonly id: string;
  /** Creation order (newest has the largest); not shown to clients. */
  readonly seq: number;
  readonly name: string;
  readonly label: string;
  readonly size: number;
  readonly content_type: string;
  /**
   * What the asset is, when its content type does not tell: a phased `start` without
   * `content_type` is a video (the seed's phased upload is its video upload).
   */
  readonly kind?: 'video';
  /** Bytes stored and acknowledged. */
  readonly offset: number;
  readonly status: AssetStatus;
  /** Hex MD5 of the whole file, once known. */
  readonly md5?: string;
  /** For video/* content: whether the bytes look like MP4, once known. */
  readonly container?: Container;
  readonly created_at: string;
  readonly updated_at: string;
}

export type NewAsset = Pick<AssetRecord, 'name' | 'label' | 'size' | 'content_type' | 'kind'>;

/** Writes one chunk of bytes at the end of what was written so far. */
export type Write = (chunk: Buffer) => Promise<void>;

/** Bytes being written; exactly one of `commit` and `abort` settles them. */
interface PendingBytes {
  /** Bytes written so far. */
  readonly written: number;
  readonly write: Write;
  /** Gives up: the bytes written are removed. Safe to call after `commit` (does nothing). */
  abort(): Promise<void>;
}

export interface ChunkWriter extends PendingBytes {
  /** Makes the bytes durable and returns the record with the new offset. */
  commit(): Promise<AssetRecord>;
}

export interface WholeWriter extends PendingBytes {
  readonly id: string;
  /** Makes the file durable and returns its record. */
  commit(asset: Omit<NewAsset, 'size'>): Promise<AssetRecord>;
}

/** Bytes read at the start of a file to recognise its container. */
const HEAD_BYTES = 12;

/** `mp4` when the file starts like an ISO base media file (`ftyp` box at offset 4). */
export function containerOf(head: Buffer): Container {
  return head.length >= 8 && head.toString('latin1', 4, 8) === 'ftyp' ? 'mp4' : 'unknown';
}

export class PhasedStore {
  readonly dir: string;
  readonly #locks: KeyedLock;
  #seq = 0;

  /** `silenceMs`: how long a silent transfer may hold an asset another transfer waits for (KeyedLock). */
  constructor(dataDir: string, silenceMs?: number) {
    this.dir = join(dataDir, 'phased');
    this.#locks = new KeyedLock(silenceMs);
  }

  /** Creates the directory, removes what a crash left half-written, and returns every record. */
  async init(): Promise<AssetRecord[]> {
    await mkdir(this.dir, { recursive: true });
    await removeLeftovers(this.dir, (entry, entries) => {
      const orphan = entry.endsWith('.bin') && !entries.has(`${entry.slice(0, -4)}.json`);
      return entry.endsWith('.json.tmp') || orphan;
    });
    const records = await this.list();
    this.#seq = Math.max(0, ...records.map((record) => record.seq));
    return records;
  }

  /** Runs `fn` while holding the lock of asset `id`; callers queue in arrival order. */
  withLock<T>(id: string, fn: () => Promise<T>, holder?: LockHolder): Promise<T> {
    return this.#locks.run(id, fn, holder);
  }

  /** Starts a phased upload: an empty `.bin`, then its record (status `uploading`). */
  async create(asset: NewAsset): Promise<AssetRecord> {
    const id = newId();
    await createEmptyDurably(this.#bin(id));
    const now = new Date().toISOString();
    const record: AssetRecord = { id, seq: ++this.#seq, ...asset, offset: 0, status: 'uploading', created_at: now, updated_at: now };
    await this.#writeRecord(record);
    return record;
  }

  /**
   * Starts storing a whole file sent in one request, under a new id. Its
   * bytes (at most `maxBytes`) are written with `write`; `commit` fsyncs them
   * and writes the record (status `ready`, with the MD5 and, for video, the
   * container); `abort` removes them. Until `commit` there is no record, so
   * nothing can see the file.
   */
  async beginWhole(maxBytes: number): Promise<WholeWriter> {
    const id = newId();
    const path = this.#bin(id);
    const handle = await open(path, 'wx');
    const hash = createHash('md5');
    const head: Buffer[] = [];
    let size = 0;
    let done = false;
    const abort = async (): Promise<void> => {
      if (done) return;
      done = true;
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
    };
    return {
      id,
      get written() {
        return size;
      },
      write: async (chunk) => {
        if (done) throw new Error('The file was already committed or abandoned.');
        if (size + chunk.length > maxBytes) throw new TooManyBytesError(maxBytes);
        hash.update(chunk);
        if (size < HEAD_BYTES) head.push(chunk.subarray(0, HEAD_BYTES - size));
        await writeAll(handle, chunk, size);
        size += chunk.length;
      },
      commit: async (asset) => {
        try {
          await handle.sync();
          const now = new Date().toISOString();
          const record: AssetRecord = {
            id,
            seq: ++this.#seq,
            ...asset,
            size,
            offset: size,
            status: 'ready',
            md5: hash.digest('hex'),
            ...(isVideo(asset.content_type) ? { container: containerOf(Buffer.concat(head)) } : {}),
            created_at: now,
            updated_at: now,
          };
          await this.#writeRecord(record);
          done = true;
          await handle.close();
          return record;
        } catch (err) {
          await abort();
          throw err;
        }
      },
      abort,
    };
  }

  /**
   * Reads the record of `id` (null when unknown or not a valid id) and brings
   * `<id>.bin` back to the record's offset if a crash left it longer. Call it
   * under `withLock`.
   */
  async load(id: string): Promise<AssetRecord | null> {
    if (!ID_PATTERN.test(id)) return null;
    const record = await this.#read(id);
    if (!record) return null;
    await repairLength(this.#bin(id), record.offset, `Asset ${id}`);
    return record;
  }

  /** Reads the record of `id` without taking the lock or repairing anything (records are replaced atomically). */
  async peek(id: string): Promise<AssetRecord | null> {
    return ID_PATTERN.test(id) ? this.#read(id) : null;
  }

  /** Every record, newest first (read without locks: records are replaced atomically). */
  async list(): Promise<AssetRecord[]> {
    const ids = (await readdir(this.dir)).filter((entry) => entry.endsWith('.json') && ID_PATTERN.test(entry.slice(0, -5))).map((entry) => entry.slice(0, -5));
    const records = await Promise.all(ids.map((id) => this.#read(id)));
    return records.filter((record): record is AssetRecord => record !== null).sort((a, b) => b.seq - a.seq);
  }

  /** Replaces the record durably. Call it under `withLock`. */
  async save(record: AssetRecord): Promise<void> {
    await this.#writeRecord(record);
  }

  /**
   * Starts appending one chunk at `record.offset`: its bytes (at most
   * `maxBytes`) are written with `write`; `commit` fsyncs them and stores the
   * record with the new offset; `abort` cuts the file back to the old offset.
   * Call it, and settle the writer, under `withLock`.
   */
  async beginChunk(record: AssetRecord, maxBytes: number): Promise<ChunkWriter> {
    const handle = await open(this.#bin(record.id), 'r+');
    let written = 0;
    let done = false;
    const abort = async (): Promise<void> => {
      if (done) return;
      done = true;
      await handle.truncate(record.offset).catch(() => {});
      await handle.close().catch(() => {});
    };
    return {
      get written() {
        return written;
      },
      write: async (chunk) => {
        if (done) throw new Error('The chunk was already committed or abandoned.');
        if (written + chunk.length > maxBytes) throw new TooManyBytesError(maxBytes);
        await writeAll(handle, chunk, record.offset + written);
        written += chunk.length;
      },
      commit: async () => {
        try {
          await handle.sync();
          const next: AssetRecord = { ...record, offset: record.offset + written, updated_at: new Date().toISOString() };
          await this.#writeRecord(next);
          done = true;
          await handle.close();
          return next;
        } catch (err) {
          await abort();
          throw err;
        }
      },
      abort,
    };
  }

  /** MD5 of the stored bytes and the first few of them, read by streaming the file. */
  async digest(record: AssetRecord, signal?: AbortSignal): Promise<{ md5: string; head: Buffer }> {
    const head: Buffer[] = [];
    let seen = 0;
    const md5 = await fileMd5(
      this.#bin(record.id),
      record.offset,
      (buffer) => {
        if (seen < HEAD_BYTES) head.push(buffer.subarray(0, HEAD_BYTES - seen));
        seen += buffer.length;
      },
      signal,
    );
    return { md5, head: Buffer.concat(head) };
  }

  /**
   * True when nothing happened to the asset for more than `ttlMs`: its record was last
   * written before then, and so were its bytes (a transfer streaming in keeps touching
   * `<id>.bin` before its record moves on, so it is never idle).
   */
  async idleFor(record: AssetRecord, ttlMs: number, now = Date.now()): Promise<boolean> {
    const bytes = await stat(this.#bin(record.id)).then(
      (found) => found.mtimeMs,
      () => 0,
    );
    return now - Math.max(Date.parse(record.updated_at), bytes) > ttlMs;
  }

  /** Removes an asset; false when it did not exist. Call it under `withLock`. */
  async remove(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    return removePair(this.dir, `${id}.json`, `${id}.bin`);
  }

  /** The stored bytes of an asset (exactly `record.offset` of them). */
  openRead(record: AssetRecord): Readable {
    return openPrefix(this.#bin(record.id), record.offset);
  }

  #bin(id: string): string {
    return join(this.dir, `${id}.bin`);
  }

  #json(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async #read(id: string): Promise<AssetRecord | null> {
    const text = await readOrNull(this.#json(id));
    return text === null ? null : parseRecord(text, id);
  }

  async #writeRecord(record: AssetRecord): Promise<void> {
    await writeJsonDurably(this.dir, `${record.id}.json`, record);
  }
}

export function isVideo(contentType: string): boolean {
  return contentType.startsWith('video/');
}

function newId(): string {
  return randomBytes(16).toString('hex');
}

const STATUSES: readonly string[] = ['uploading', 'processing', 'ready'];

function parseRecord(text: string, id: string): AssetRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error(`Record ${id} is not an object.`);
  const record = value as Record<string, unknown>;
  const ok =
    record['id'] === id &&
    Number.isSafeInteger(record['seq']) &&
    typeof record['name'] === 'string' &&
    typeof record['label'] === 'string' &&
    Number.isSafeInteger(record['size']) &&
    typeof record['content_type'] === 'string' &&
    (record['kind'] === undefined || record['kind'] === 'video') &&
    Number.isSafeInteger(record['offset']) &&
    STATUSES.includes(record['status'] as string) &&
    typeof record['created_at'] === 'string' &&
    typeof record['updated_at'] === 'string';
  if (!ok) throw new Error(`Record ${id} is malformed.`);
  return value as AssetRecord;
}
