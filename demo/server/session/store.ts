/**
 * Durable sessions, uploaded files and assets of the upload-session API.
 *
 * Why this exists: a session hands out URLs that may be used hours later, a
 * commit starts work that may be cut short by a restart, and a status poll
 * must say the truth after either. Everything lives under
 * `<dataDir>/session/`:
 *
 * - `<token>.json`: the session record (see SessionRecord), the truth about
 *   every file's status;
 * - `<token>/<index>.bin`: the bytes PUT to the file's signed URL;
 * - `assets/<id>.bin` and `assets/<id>.json`: the assets made by processing.
 *
 * Every file is written aside (`*.tmp`), fsynced, renamed into place, and the
 * directory fsynced; startup removes leftovers of a crash. An uploaded file is
 * renamed into place before the record that acknowledges it is written, and an
 * asset's bytes before its record, so a record never points at missing bytes.
 * Only random tokens and ids (checked against ID_PATTERN) and indexes ever
 * become part of a path; client file names are data.
 *
 * Operations on one session are serialised with a per-token promise lock
 * (`withLock`). Records are replaced atomically, so reading one without the
 * lock (`peek`) is safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isNotFound, KeyedLock, openPrefix, readOrNull, removeLeftovers, syncDir, writeAll, writeJsonDurably } from '../core/durable.js';
import { ID_PATTERN } from '../core/ids.js';

export { ID_PATTERN };

export type FileStatus = 'waiting' | 'uploaded' | 'transcoding' | 'done' | 'error';

export interface SessionAsset {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly md5: string;
}

export interface SessionFile {
  /** The name the client declared (checked with core/names.ts). */
  readonly name: string;
  readonly status: FileStatus;
  /** Size and hex MD5 of the uploaded bytes, once uploaded. */
  readonly size?: number;
  readonly md5?: string;
  /** Why the file is in `error`. */
  readonly status_message?: string;
  /** Random value set at commit; asset ids are derived from it, so resumed processing rewrites the same assets. */
  readonly nonce?: string;
  readonly assets: readonly SessionAsset[];
}

/** A per-file problem, as shown in `errors`. */
export interface FileError {
  readonly name: string | null;
  readonly code: string;
  readonly message: string;
}

export interface SessionRecord {
  readonly token: string;
  readonly committed: boolean;
  readonly files: readonly SessionFile[];
  readonly errors: readonly FileError[];
  readonly created_at: string;
  readonly updated_at: string;
}

export interface AssetRecord extends SessionAsset {
  /** Session token and file index the asset came from. */
  readonly session: string;
  readonly file_index: number;
  readonly created_at: string;
}

/** Bytes received into a temporary file, not yet in place. */
export interface ReceivedBlob {
  readonly size: number;
  /** The 16-byte MD5 digest. */
  readonly md5: Buffer;
  /** Renames the bytes into place (durably). */
  keep(): Promise<void>;
  /** Removes the bytes. Safe to call after `keep` (does nothing). */
  discard(): Promise<void>;
}

export class SessionStore {
  readonly dir: string;
  readonly assetDir: string;
  readonly #locks = new KeyedLock();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'session');
    this.assetDir = join(this.dir, 'assets');
  }

  /** Creates the directories, removes what a crash left half-written, and returns every session record. */
  async init(): Promise<SessionRecord[]> {
    await mkdir(this.assetDir, { recursive: true });
    await removeTemporaries(this.dir);
    await removeTemporaries(this.assetDir);
    const records: SessionRecord[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      const token = entry.name.replace(/\.json$/, '');
      if (!ID_PATTERN.test(token)) continue;
      if (entry.isDirectory()) await removeTemporaries(join(this.dir, entry.name));
      else if (entry.name.endsWith('.json')) {
        const record = await this.peek(token);
        if (record) records.push(record);
      }
    }
    return records;
  }

  /** Runs `fn` while holding the lock of session `token`; callers queue in arrival order. */
  withLock<T>(token: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(token, fn);
  }

  /** Makes a new session for files already checked; returns its record. */
  async create(names: readonly string[], errors: readonly FileError[]): Promise<SessionRecord> {
    const now = new Date().toISOString();
    const record: SessionRecord = {
      token: randomBytes(16).toString('hex'),
      committed: false,
      files: names.map((name) => ({ name, status: 'waiting', assets: [] })),
      errors,
      created_at: now,
      updated_at: now,
    };
    await this.save(record);
    return record;
  }

  /** The record of `token`, or null (unknown, or not a token). Records are replaced atomically: no lock needed. */
  async peek(token: string): Promise<SessionRecord | null> {
    if (!ID_PATTERN.test(token)) return null;
    const text = await readOrNull(join(this.dir, `${token}.json`));
    return text === null ? null : parseSession(text, token);
  }

  /** Every session record (read without locks: records are replaced atomically); unreadable ones are skipped. */
  async list(): Promise<SessionRecord[]> {
    const records: SessionRecord[] = [];
    for (const entry of await readdir(this.dir).catch(() => [] as string[])) {
      if (!entry.endsWith('.json')) continue;
      const record = await this.peek(entry.slice(0, -5)).catch(() => null);
      if (record) records.push(record);
    }
    return records;
  }

  /**
   * True when nothing happened to the session for more than `ttlMs`: its record was
   * last written before then, and so was every file in `<token>/` (a PUT streaming
   * into its temporary file there keeps touching it, so it is never idle).
   */
  async idleFor(record: SessionRecord, ttlMs: number, now = Date.now()): Promise<boolean> {
    const dir = join(this.dir, record.token);
    let latest = Date.parse(record.updated_at);
    for (const entry of await readdir(dir).catch(() => [] as string[])) {
      latest = Math.max(
        latest,
        await stat(join(dir, entry)).then(
          (found) => found.mtimeMs,
          () => 0,
        ),
      );
    }
    return now - latest > ttlMs;
  }

  /**
   * Removes a session: its record first (a PUT that finishes meanwhile then finds no
   * session and keeps nothing), then its uploaded files. Call it under `withLock`.
   */
  async remove(token: string): Promise<void> {
    if (!ID_PATTERN.test(token)) return;
    await unlink(join(this.dir, `${token}.json`)).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await syncDir(this.dir);
    await rm(join(this.dir, token), { recursive: true, force: true });
  }

  /** Replaces the record durably (call it under `withLock`, except for a new session). */
  async save(record: SessionRecord): Promise<void> {
    await writeJsonDurably(this.dir, `${record.token}.json`, { ...record, updated_at: new Date().toISOString() }, UNIQUE);
  }

  /** Where the uploaded bytes of file `index` of session `token` are kept. */
  blobPath(token: string, index: number): string {
    return join(this.dir, token, `${index}.bin`);
  }

  /**
   * Streams an uploaded file into a temporary file next to its place,
   * counting its bytes and computing its MD5 as they arrive. `read` feeds the
   * chunks (and may throw to refuse the body; the bytes are then removed).
   * Needs no lock: nothing is in place until `keep`, which the caller runs
   * under the session's lock.
   */
  async receive(token: string, index: number, read: (write: (chunk: Buffer) => Promise<void>) => Promise<void>): Promise<ReceivedBlob> {
    const dir = join(this.dir, token);
    await mkdir(dir, { recursive: true });
    const target = this.blobPath(token, index);
    const temporary = `${target}.${randomBytes(8).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx');
    const hash = createHash('md5');
    let size = 0;
    let settled = false;
    const discard = async (): Promise<void> => {
      if (settled) return;
      settled = true;
      await unlink(temporary).catch(() => {});
    };
    try {
      await read(async (chunk) => {
        hash.update(chunk);
        await writeAll(handle, chunk, size);
        size += chunk.length;
      });
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => {});
      await discard();
      throw err;
    }
    await handle.close();
    return {
      size,
      md5: hash.digest(),
      keep: async () => {
        if (settled) throw new Error('The upload was already kept or discarded.');
        settled = true;
        await rename(temporary, target);
        await syncDir(dir);
      },
      discard,
    };
  }

  /**
   * Stores an asset: its bytes from `chunks` (written aside, fsynced, renamed
   * to `<id>.bin`), then its record. Storing the same id again replaces both,
   * which is how processing resumed after a restart avoids duplicates.
   */
  async writeAsset(id: string, chunks: AsyncIterable<Buffer>, meta: Pick<AssetRecord, 'name' | 'session' | 'file_index'>): Promise<AssetRecord> {
    const target = join(this.assetDir, `${id}.bin`);
    const temporary = `${target}.${randomBytes(8).toString('hex')}.tmp`;
    const handle = await open(temporary, 'wx');
    const hash = createHash('md5');
    let size = 0;
    try {
      try {
        for await (const chunk of chunks) {
          hash.update(chunk);
          await writeAll(handle, chunk, size);
          size += chunk.length;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (err) {
      await unlink(temporary).catch(() => {});
      throw err;
    }
    const record: AssetRecord = { id, ...meta, size, md5: hash.digest('hex'), created_at: new Date().toISOString() };
    await writeJsonDurably(this.assetDir, `${id}.json`, record, UNIQUE);
    return record;
  }

  /** The record of asset `id`, or null. */
  async asset(id: string): Promise<AssetRecord | null> {
    if (!ID_PATTERN.test(id)) return null;
    const text = await readOrNull(join(this.assetDir, `${id}.json`));
    return text === null ? null : parseAsset(text, id);
  }

  /** Removes an asset (record first, so it is never served without its bytes); missing is fine. */
  async removeAsset(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    for (const name of [`${id}.json`, `${id}.bin`]) {
      await unlink(join(this.assetDir, name)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    await syncDir(this.assetDir);
  }

  /** The bytes of an asset (exactly `record.size` of them). */
  openAsset(record: AssetRecord): Readable {
    return openPrefix(join(this.assetDir, `${record.id}.bin`), record.size);
  }
}

// ---------------------------------------------------------------------------
// Files

/** Session and asset records are written under unique temporary names (see DurableWriteOptions). */
const UNIQUE = { temporary: 'unique' } as const;

async function removeTemporaries(dir: string): Promise<void> {
  await removeLeftovers(dir, (entry) => entry.endsWith('.tmp'));
}

// ---------------------------------------------------------------------------
// Records

const STATUSES: readonly string[] = ['waiting', 'uploaded', 'transcoding', 'done', 'error'];

function parseSession(text: string, token: string): SessionRecord {
  const value = JSON.parse(text) as Record<string, unknown> | null;
  const files = value?.['files'];
  const ok =
    typeof value === 'object' &&
    value !== null &&
    value['token'] === token &&
    typeof value['committed'] === 'boolean' &&
    Array.isArray(files) &&
    files.every(
      (file: Record<string, unknown> | null) =>
        typeof file === 'object' &&
        file !== null &&
        typeof file['name'] === 'string' &&
        STATUSES.includes(file['status'] as string) &&
        Array.isArray(file['assets']),
    ) &&
    Array.isArray(value['errors']);
  if (!ok) throw new Error(`Session record ${token} is malformed.`);
  return value as unknown as SessionRecord;
}

function parseAsset(text: string, id: string): AssetRecord {
  const value = JSON.parse(text) as Record<string, unknown> | null;
  const ok =
    typeof value === 'object' &&
    value !== null &&
    value['id'] === id &&
    typeof value['name'] === 'string' &&
    Number.isSafeInteger(value['size']) &&
    typeof value['md5'] === 'string';
  if (!ok) throw new Error(`Asset record ${id} is malformed.`);
  return value as unknown as AssetRecord;
}
