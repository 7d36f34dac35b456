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
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';

export const ID_PATTERN = /^[0-9a-f]{32}$/;

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

/** The source produced more bytes than the caller allowed; nothing of it was kept. */
export class TooManyBytesError extends Error {
  constructor(limit: number) {
    super(`The body carries more than the ${limit} bytes expected.`);
    this.name = 'TooManyBytesError';
  }
}

/** The source ended abnormally (for a request: the client went away mid-body). */
export class SourceAbortedError extends Error {
  constructor(message = 'The body ended before it was complete.') {
    super(message);
    this.name = 'SourceAbortedError';
  }
}

/** The bytes on disk are shorter than the record says: data was lost outside this server's control. */
export class CorruptUploadError extends Error {
  constructor(id: string) {
    super(`Upload ${id} has fewer stored bytes than its record acknowledges.`);
    this.name = 'CorruptUploadError';
  }
}

export class UploadStore {
  readonly dir: string;
  readonly #locks = new Map<string, Promise<void>>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'content-range');
  }

  /** Creates the directory and removes record files a crash left half-written. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      if (entry.endsWith('.json.tmp')) await unlink(join(this.dir, entry)).catch(() => {});
    }
  }

  /** Runs `fn` while holding the lock of upload `id`; callers queue in arrival order. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#locks.set(id, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    }
  }

  /** Starts a new upload: an empty `.bin`, then its record. */
  async create(name: string, size: number): Promise<UploadRecord> {
    const id = randomBytes(16).toString('hex');
    const bin = await open(this.#bin(id), 'wx');
    try {
      await bin.sync();
    } finally {
      await bin.close();
    }
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
    let text: string;
    try {
      text = await readFile(this.#json(id), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const record = parseRecord(text, id);
    let length: number;
    try {
      length = (await stat(this.#bin(id))).size;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      length = -1;
    }
    if (length < record.offset) {
      if (length === -1 && record.offset === 0) {
        const bin = await open(this.#bin(id), 'w');
        await bin.close();
        return record;
      }
      throw new CorruptUploadError(id);
    }
    if (length > record.offset) await this.#truncate(id, record.offset);
    return record;
  }

  /**
   * Streams `source` into the upload at `record.offset`, at most `maxBytes`
   * bytes, computing the part's MD5. `verify` sees the result and throws to
   * reject the part. When accepted, the bytes are fsynced and the new record
   * (completed with the whole-file MD5 if this was the last byte) is stored
   * before this resolves. On any failure the file is cut back to the old
   * offset and the error is rethrown. Call it under `withLock`.
   */
  async writePart(
    record: UploadRecord,
    source: Readable,
    maxBytes: number,
    verify: (part: PartResult) => void | Promise<void>,
  ): Promise<UploadRecord> {
    const handle = await open(this.#bin(record.id), 'r+');
    let written = 0;
    try {
      const hash = createHash('md5');
      await pump(source, async (chunk) => {
        if (written + chunk.length > maxBytes) throw new TooManyBytesError(maxBytes);
        hash.update(chunk);
        await writeAll(handle, chunk, record.offset + written);
        written += chunk.length;
      });
      const part: PartResult = { bytes: written, md5: hash.digest() };
      await verify(part);
      await handle.sync();
      const offset = record.offset + written;
      let next: UploadRecord = { ...record, offset };
      if (offset === record.size) {
        const md5 = record.offset === 0 ? part.md5.toString('hex') : await this.#fileMd5(record.id, offset);
        next = { ...next, complete: true, md5 };
      }
      await this.#writeRecord(next);
      return next;
    } catch (err) {
      await handle.truncate(record.offset).catch(() => {});
      throw err;
    } finally {
      await handle.close();
    }
  }

  /** Removes an upload; false when it did not exist. */
  async remove(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return false;
    try {
      await unlink(this.#json(id));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    await unlink(this.#bin(id)).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await this.#syncDir();
    return true;
  }

  /** The stored bytes of an upload (exactly `record.offset` of them). */
  openRead(record: UploadRecord): Readable {
    if (record.offset === 0) return Readable.from([]);
    return createReadStream(this.#bin(record.id), { start: 0, end: record.offset - 1 });
  }

  #bin(id: string): string {
    return join(this.dir, `${id}.bin`);
  }

  #json(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  async #truncate(id: string, length: number): Promise<void> {
    const handle = await open(this.#bin(id), 'r+');
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async #writeRecord(record: UploadRecord): Promise<void> {
    const target = this.#json(record.id);
    const temporary = `${target}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(record, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
    await this.#syncDir();
  }

  /** Makes a rename or unlink durable; some platforms cannot fsync a directory, which is then skipped. */
  async #syncDir(): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.dir, 'r');
      await handle.sync();
    } catch {
      // Not supported here (e.g. Windows); the rename itself is still atomic.
    } finally {
      await handle?.close();
    }
  }

  async #fileMd5(id: string, length: number): Promise<string> {
    const hash = createHash('md5');
    if (length > 0) {
      for await (const chunk of createReadStream(this.#bin(id), { start: 0, end: length - 1 })) {
        hash.update(chunk as Buffer);
      }
    }
    return hash.digest('hex');
  }
}

/**
 * Feeds every chunk of `source` to `onChunk`, one at a time, pausing the
 * source while a chunk is being handled. Resolves after the last chunk is
 * handled; rejects with the first failure, or with SourceAbortedError when the
 * source closes before its end. The source is left paused (not destroyed) on
 * failure, so an HTTP response can still be sent on its connection.
 */
function pump(source: Readable, onChunk: (chunk: Buffer) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (source.readableEnded) {
      resolve();
      return;
    }
    if (source.destroyed) {
      reject(new SourceAbortedError());
      return;
    }
    let work: Promise<void> = Promise.resolve();
    let settled = false;

    const settle = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
      source.pause();
      // Never report before the chunk in progress is on disk (or failed).
      work.then(
        () => (error === undefined ? resolve() : reject(error)),
        (failure: unknown) => reject(error ?? failure),
      );
    };
    const onData = (chunk: Buffer | string): void => {
      source.pause();
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      work = work.then(() => onChunk(buffer));
      work.then(
        () => {
          if (!settled) source.resume();
        },
        (failure: unknown) => settle(failure),
      );
    };
    const onEnd = (): void => settle();
    const onError = (error: unknown): void => settle(new SourceAbortedError(describe(error)));
    const onClose = (): void => settle(new SourceAbortedError());

    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', onError);
    source.on('close', onClose);
    source.resume();
  });
}

async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
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

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

function describe(error: unknown): string {
  return error instanceof Error ? `The body ended before it was complete (${error.message}).` : 'The body ended before it was complete.';
}
