/**
 * Durable file plumbing shared by the stores (content-range/store.ts, phased/store.ts,
 * session/store.ts).
 *
 * Why this exists: each store promises that what it acknowledged survives a
 * crash or a restart, and each keeps that promise the same way: a file is
 * written aside, fsynced, renamed into place and its directory fsynced; bytes
 * past what a record acknowledges are cut off and fsynced; leftovers of a
 * crash are removed at startup. Those steps are easy to get subtly wrong, so
 * they live here once, as small functions, and the stores keep only what is
 * theirs (their layout, their records, their rules).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ApiError } from './errors.js';

export interface DurableWriteOptions {
  /**
   * How the temporary file is named. `fixed` (the default): `<name>.tmp`,
   * overwritten by the next write and, after a failure, left for the startup
   * clean-up. `unique`: `<name>.<random>.tmp`, created exclusively and removed
   * when the write fails, so concurrent writers of one name cannot collide.
   */
  readonly temporary?: 'fixed' | 'unique';
}

/** Writes `text` to `<dir>/<name>` atomically and durably (temporary file, fsync, rename, fsync `dir`). */
export async function writeFileDurably(dir: string, name: string, text: string, options: DurableWriteOptions = {}): Promise<void> {
  const unique = options.temporary === 'unique';
  const target = join(dir, name);
  const temporary = unique ? `${target}.${randomBytes(8).toString('hex')}.tmp` : `${target}.tmp`;
  const handle = await open(temporary, unique ? 'wx' : 'w');
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (err) {
    if (unique) await unlink(temporary).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/** Writes a record as pretty-printed JSON (two-space indent, final newline) with writeFileDurably. */
export function writeJsonDurably(dir: string, name: string, value: unknown, options: DurableWriteOptions = {}): Promise<void> {
  return writeFileDurably(dir, name, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Makes a rename or unlink durable; some platforms cannot fsync a directory, which is then skipped. */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows); the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Creates an empty file (failing if it exists) and fsyncs it. */
export async function createEmptyDurably(path: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Cuts the file at `path` to `length` bytes and fsyncs it. */
export async function truncateDurably(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The bytes on disk are shorter than the record says: data was lost outside this
 * server's control. 410: that upload cannot go on (a client starts it again, as for
 * one the server no longer knows), and retrying the same request would not help.
 */
export class CorruptBytesError extends ApiError {
  constructor(what: string) {
    super(410, 'bytes_lost', `${what} has fewer stored bytes than its record acknowledges: they were lost on the server. Start the upload again.`);
    this.name = 'CorruptBytesError';
  }
}

/**
 * Brings the bytes file at `path` back to the `length` its record
 * acknowledges: a longer file (a crash after writing, before the record) is
 * cut back and fsynced; a missing file is recreated empty when nothing was
 * acknowledged. Throws `CorruptBytesError` naming `what` (`Upload 1f…`) when the file
 * has fewer bytes than acknowledged: data was lost outside this server's control.
 */
export async function repairLength(path: string, length: number, what: string): Promise<void> {
  let actual: number;
  try {
    actual = (await stat(path)).size;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    actual = -1;
  }
  if (actual < length) {
    if (actual === -1 && length === 0) {
      const handle = await open(path, 'w');
      await handle.close();
      return;
    }
    throw new CorruptBytesError(what);
  }
  if (actual > length) await truncateDurably(path, length);
}

/**
 * Removes `<dir>/<record>`, then `<dir>/<data>` (a missing data file is fine),
 * durably; false, with nothing removed, when the record did not exist.
 */
export async function removePair(dir: string, record: string, data: string): Promise<boolean> {
  try {
    await unlink(join(dir, record));
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  await unlink(join(dir, data)).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  await syncDir(dir);
  return true;
}

/** The first `length` bytes of the file at `path`, as a stream. */
export function openPrefix(path: string, length: number): Readable {
  if (length === 0) return Readable.from([]);
  return createReadStream(path, { start: 0, end: length - 1 });
}

/** Writes all of `chunk` at `position` (a single write may write less). */
export async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Hex MD5 of the first `length` bytes of the file at `path`, read by
 * streaming. `onChunk` sees each chunk as it is hashed; `signal` aborts the
 * read.
 */
export async function fileMd5(path: string, length: number, onChunk?: (chunk: Buffer) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  if (length > 0) {
    const options = signal === undefined ? {} : { signal };
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1, ...options })) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      onChunk?.(buffer);
    }
  }
  return hash.digest('hex');
}

/**
 * Removes the entries of `dir` that `isLeftover` picks (it also sees every
 * entry name, e.g. to find a file whose companion is missing). For the
 * startup clean-up of what a crash left half-written; a file that cannot be
 * removed is left alone.
 */
export async function removeLeftovers(dir: string, isLeftover: (entry: string, entries: ReadonlySet<string>) => boolean): Promise<void> {
  const entries = new Set(await readdir(dir));
  for (const entry of entries) {
    if (isLeftover(entry, entries)) await unlink(join(dir, entry)).catch(() => {});
  }
}

/** The text of the file at `path`, or null when it does not exist. */
export async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

/**
 * A lock holder that can be made to let go: a request whose body is still streaming
 * in. See KeyedLock.
 */
export interface LockHolder {
  /** Grows while the holder makes progress (for a request: bytes read from its socket). */
  progress(): number;
  /** Ends the holder's work early (for a request: destroys its socket, so its body fails and its part is dropped). */
  release(): void;
  /** True when the holder's work can no longer be done (for a request: its client went away while it waited). */
  gone?(): boolean;
}

/**
 * The request gave up while it waited for the lock: it is not run. An ApiError (408), so
 * that it is answered (to no one) like any refusal, not logged as a server failure.
 */
export class HolderGoneError extends ApiError {
  constructor() {
    super(408, 'client_gone', 'The client went away while the request waited for the upload.');
    this.name = 'HolderGoneError';
  }
}

/** How long a lock holder may be silent while a writer waits behind it (see KeyedLock). */
export const DEFAULT_SILENCE_MS = 1_000;

/**
 * Per-key promise locks: `run` calls for one key run one at a time, in arrival order.
 *
 * A caller that passes a `LockHolder` (a write request) also gets a holder that went
 * silent out of its way (issue 9, defect 4): while it waits, every `silenceMs` it
 * looks at the current holder's progress, and a holder that made none for a whole
 * period is released. A client that vanished without a FIN (a closed laptop) thus
 * blocks its own retry for one or two periods, not until the idle timeout, as
 * tusd's "newest request wins" does. Unlike tusd, a holder that is still receiving
 * bytes is left alone, so a second writer of the same upload (another tab) cannot
 * cut off a live transfer; it waits and is then told the new offset. Releasing a
 * request only ever drops its unverified part: the record is written after the body
 * has been received and checked.
 */
export class KeyedLock {
  readonly #locks = new Map<string, Promise<void>>();
  readonly #holders = new Map<string, LockHolder>();
  readonly #silenceMs: number;

  constructor(silenceMs = DEFAULT_SILENCE_MS) {
    this.#silenceMs = silenceMs;
  }

  async run<T>(key: string, fn: () => Promise<T>, holder?: LockHolder): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.#locks.set(key, tail);
    const watch = holder === undefined ? undefined : this.#watch(key);
    try {
      await previous;
    } finally {
      if (watch !== undefined) clearInterval(watch);
    }
    if (holder !== undefined) this.#holders.set(key, holder);
    try {
      // A request whose client left while it waited would read a body that never comes,
      // and hold the lock for good: its 'close' came before anyone listened for it.
      if (holder?.gone?.()) throw new HolderGoneError();
      return await fn();
    } finally {
      if (holder !== undefined && this.#holders.get(key) === holder) this.#holders.delete(key);
      release();
      if (this.#locks.get(key) === tail) this.#locks.delete(key);
    }
  }

  /** Releases the holder of `key` once it has made no progress for a whole period. */
  #watch(key: string): NodeJS.Timeout {
    let seen: { holder: LockHolder; progress: number } | undefined;
    const timer = setInterval(() => {
      const holder = this.#holders.get(key);
      if (holder === undefined) return;
      const progress = holder.progress();
      if (seen?.holder === holder && seen.progress === progress) holder.release();
      else seen = { holder, progress };
    }, this.#silenceMs);
    timer.unref();
    return timer;
  }
}
