/**
 * Durable upload records and bytes.
 *
 * Why this exists: a resumable upload is only as good as the server's promise
 * that an acknowledged byte survives a crash or a restart. Each upload is two
 * files under `<dataDir>/content-range/`:
 *
 * - `<id>.bin`, the bytes received so far;
 * - `<id>.json`, the record: id, name, size, offset, complete, md5 (once
 *   complete) and created_at.
 *
 * The record's `offset` is the truth. A part is streamed into `<id>.bin` at the
 * stored offset, then (once the caller's checks pass) the bytes are fsynced and
 * only then is the record replaced atomically (write a temporary file, fsync,
 * rename, fsync the directory). Any failure truncates `<id>.bin` back to the
 * record's offset, and every access repairs a `.bin` left longer than its
 * record by a crash. Only the random id, checked against ID_PATTERN, ever
 * becomes part of a path; the client's file name is data.
 *
 * Requests for one upload are serialised with a per-id promise lock
 * (`withLock`) so two concurrent writers cannot interleave.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, open, readdir, stat, type FileHandle } from 'node:fs/promises';
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
import { pumpChunks, SourceAbortedError, TooManyBytesError } from '../core/pump.js';

/** Running whole-file hashes kept at most (a few hundred bytes each). */
const MAX_RUNNING_HASHES = 10_000;

export interface UploadRecord {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly offset: number;
  readonly complete: boolean;
  /** Hex MD5 of the whole file; present once complete. */
  readonly md5?: string;
  readonly created_at: string;
}

export interface PartResult {
  /** Bytes read from the source and written at the record's offset. */
  readonly bytes: number;
  /** MD5 digest (16 bytes) of exactly those bytes. */
  readonly md5: Buffer;
}

export class UploadStore {
  readonly dir: string;
  readonly #locks: KeyedLock;
  /** Per upload in progress: the MD5 state of its first `offset` bytes. */
  readonly #running = new Map<string, { offset: number; hash: Hash }>();

  /** `silenceMs`: how long a silent writer may hold an upload another writer waits for (KeyedLock). */
  constructor(dataDir: string, silenceMs?: number) {
    this.dir = join(dataDir, 'content-range');
    this.#locks = new KeyedLock(silenceMs);
  }

  /** Creates the directory and removes record files a crash left half-written. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await removeLeftovers(this.dir, (entry) => entry.endsWith('.json.tmp'));
  }

  /**
   * Runs `fn` while holding the lock of upload `id`; callers queue in arrival order.
   * A `holder` (a write request) releases a holder that went silent (KeyedLock).
   */
  withLock<T>(id: string, fn: () => Promise<T>, holder?: LockHolder): Promise<T> {
    return this.#locks.run(id, fn, holder);
  }

  /**
   * The record of `id` as last stored, without the lock and without repairing the
   * bytes: records are replaced atomically, so this is what was acknowledged, even
   * while a part is being written (status queries and downloads read this).
   */
  async peek(id: string): Promise<UploadRecord | null> {
    if (!ID_PATTERN.test(id)) return null;
    const text = await readOrNull(this.#json(id));
    return text === null ? null : parseRecord(text, id);
  }

  /** Starts a new upload: an empty `.bin`, then its record. */
  async create(name: string, size: number): Promise<UploadRecord> {
    const id = randomBytes(16).toString('hex');
    await createEmptyDurably(this.#bin(id));
    const record: UploadRecord = {
      id,
      name,
      size,
      offset: 0,
      complete: false,
      created_at: new Date().toISOString(),
    };
    await this.#writeRecord(record);
    return record;
  }

  /**
   * Reads the record of `id` (null when unknown or when `id` is not a valid
   * id) and brings `<id>.bin` back to the record's offset if a crash left it
   * longer. Call it under `withLock`.
   */
  async load(id: string): Promise<UploadRecord | null> {
    if (!ID_PATTERN.test(id)) return null;
    const text = await readOrNull(this.#json(id));
    if (text === null) return null;
    const record = parseRecord(text, id);
    await repairLength(this.#bin(id), record.offset, `Upload ${id}`);
    return record;
  }

  /**
   * Streams `source` into the upload at `record.offset`, at most `maxBytes`
   * bytes, computing the part's MD5. `verify` sees the result and throws to
   * reject the part. When accepted, the bytes are fsynced and the new record
   * (completed with the whole-file MD5 if this was the last byte) is stored
   * before this resolves. On any failure the file is cut back to the old
   * offset and the error is rethrown, with one exception: with `keepCutOff`, a
   * body the client cut off mid-way (a dropped connection, a pause) keeps the
   * bytes that did arrive, stored as above, so the client resumes from there
   * ("where it left the upload", as the seed's status query puts it). Only for
   * parts without a checksum: a part that cannot be verified whole is not kept.
   * Call it under `withLock`.
   */
  async writePart(
    record: UploadRecord,
    source: Readable,
    maxBytes: number,
    verify: (part: PartResult) => void | Promise<void>,
    keepCutOff = false,
  ): Promise<UploadRecord> {
    const handle = await open(this.#bin(record.id), 'r+');
    let written = 0;
    // The whole file's MD5, carried along part by part (a copy, so a rejected part leaves
    // the running state as it was). Unknown after a restart: then it is computed from
    // disk once, at completion.
    const running = this.#running.get(record.id);
    const whole = record.offset === 0 ? createHash('md5') : running?.offset === record.offset ? running.hash.copy() : undefined;
    try {
      const hash = createHash('md5');
      await pumpChunks(
        source,
        async (chunk) => {
          if (written + chunk.length > maxBytes) throw new TooManyBytesError(maxBytes);
          hash.update(chunk);
          whole?.update(chunk);
          await writeAll(handle, chunk, record.offset + written);
          written += chunk.length;
        },
        (cause) => new SourceAbortedError(describe(cause)),
      );
      const part: PartResult = { bytes: written, md5: hash.digest() };
      await verify(part);
      return await this.#commit(record, handle, written, whole);
    } catch (err) {
      if (keepCutOff && err instanceof SourceAbortedError && written > 0) {
        // What arrived is kept; if even that cannot be made durable, nothing is.
        const kept = await this.#commit(record, handle, written, whole).then(
          () => true,
          () => false,
        );
        if (kept) throw err;
      }
      await handle.truncate(record.offset).catch(() => {});
      throw err;
    } finally {
      await handle.close();
    }
  }

  /** Makes `written` bytes at the record's offset durable, then the record that counts them. */
  async #commit(record: UploadRecord, handle: FileHandle, written: number, whole: Hash | undefined): Promise<UploadRecord> {
    await handle.sync();
    const offset = record.offset + written;
    let next: UploadRecord = { ...record, offset };
    if (offset === record.size) {
      const md5 = whole ? whole.digest('hex') : await fileMd5(this.#bin(record.id), offset);
      next = { ...next, complete: true, md5 };
    }
    await this.#writeRecord(next);
    this.#running.delete(record.id);
    if (!next.complete && whole) this.#keepRunning(record.id, offset, whole);
    return next;
  }

  /** Remembers a running whole-file hash; the oldest goes first past a bound, costing only a re-read later. */
  #keepRunning(id: string, offset: number, hash: Hash): void {
    this.#running.set(id, { offset, hash });
    if (this.#running.size > MAX_RUNNING_HASHES) this.#running.delete(this.#running.keys().next().value!);
  }

  /**
   * Removes every unfinished upload nothing has been written to for more than `ttlMs`
   * (abandoned: neither its record nor its bytes touched for that long); resolves with
   * their ids.
   */
  async sweep(ttlMs: number, onRemoved: (id: string) => void = () => {}, now = Date.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const entry of await readdir(this.dir).catch(() => [] as string[])) {
      const id = entry.endsWith('.json') ? entry.slice(0, -5) : '';
      if (!ID_PATTERN.test(id) || !(await this.idleFor(id, ttlMs, now))) continue;
      // Under the lock: a part that was streaming meanwhile has been acknowledged, and
      // its commit wrote the record again.
      const gone = await this.withLock(id, async () => {
        const record = await this.peek(id);
        if (record === null || record.complete || !(await this.idleFor(id, ttlMs, now))) return false;
        if (!(await this.remove(id))) return false;
        // In the same step as the removal: whoever sees the files gone finds the slot free.
        onRemoved(id);
        return true;
      });
      if (gone) removed.push(id);
    }
    return removed;
  }

  /**
   * Whether nothing has touched upload `id` for more than `ttlMs` at `now`: neither its
   * record (written at creation and at each acknowledged part) nor its bytes (written
   * while a part streams in, cut back when one fails). False when it has no record.
   */
  async idleFor(id: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const modified = async (path: string): Promise<number | undefined> =>
      stat(path).then(
        (found) => found.mtimeMs,
        () => undefined,
      );
    const record = await modified(this.#json(id));
    if (record === undefined) return false;
    return now - Math.max(record, (await modified(this.#bin(id))) ?? 0) > ttlMs;
  }

  /** Removes an upload; false when it did not exist. */
  async remove(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    this.#running.delete(id);
    return removePair(this.dir, `${id}.json`, `${id}.bin`);
  }

  /** The stored bytes of an upload (exactly `record.offset` of them). */
  openRead(record: UploadRecord): Readable {
    return openPrefix(this.#bin(record.id), record.offset);
  }

  #bin(id: string): string {
    return join(this.dir, `${id}.bin`);
  }

  #json(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async #writeRecord(record: UploadRecord): Promise<void> {
    await writeJsonDurably(this.dir, `${record.id}.json`, record);
  }
}

function parseRecord(text: string, id: string): UploadRecord {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error(`Record ${id} is not an object.`);
  const record = value as Record<string, unknown>;
  const ok =
    record['id'] === id &&
    typeof record['name'] === 'string' &&
    Number.isSafeInteger(record['size']) &&
    Number.isSafeInteger(record['offset']) &&
    typeof record['complete'] === 'boolean' &&
    typeof record['created_at'] === 'string';
  if (!ok) throw new Error(`Record ${id} is malformed.`);
  return value as UploadRecord;
}

function describe(error: unknown): string {
  return error instanceof Error ? `The body ended before it was complete (${error.message}).` : 'The body ended before it was complete.';
}
