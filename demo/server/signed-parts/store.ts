/**
 * The embedded object store of /signed-parts: upload records and parts on
 * local disk.
 *
 * Why this exists: in the embedded mode the reference server keeps the parts
 * itself (where the seed's API lets S3 keep them). Layout under
 * `<dataDir>/signed-parts/`: `<id>.json` (the record: metadata, state and the
 * parts received, each `{part_number, size, md5}`), `<id>/<N>.part` (the
 * bytes of part N) and `signing.key`. As in S3, a finished upload is its
 * parts read in order: finishing copies nothing (it once assembled a copy and
 * re-hashed it, a third of the upload's time for large files), and its ETag
 * is S3's multipart one, the MD5 of the parts' MD5s and `-<count>`. Every
 * file is written aside, fsynced and renamed into place (core/durable.ts); a
 * part's bytes are moved into place, MD5-checked, before its record says so,
 * and finishing checks that every recorded part is on disk with its size, so
 * a crash in between is caught there (the part is then asked for again).
 *
 * In the S3 mode (signed-parts/s3.ts) only the records are kept here; the
 * parts and the file are S3's. Callers serialise the operations of one
 * upload with `withLock`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isNotFound, KeyedLock, readOrNull, removeLeftovers, syncDir, writeAll, writeJsonDurably } from '../core/durable.js';
import { pumpChunks } from '../core/pump.js';
import { ID_PATTERN } from '../core/ids.js';

export interface PartRecord {
  readonly part_number: number;
  readonly size: number;
  /** Hex MD5 of the part's bytes. */
  readonly md5: string;
}

export interface UploadRecord {
  readonly id: string;
  readonly state: 'new' | 'finished';
  readonly file_name: string;
  readonly file_size: number;
  readonly content_type: string;
  readonly created_at: string;
  /** Sorted by part_number. */
  readonly parts: readonly PartRecord[];
  /** Hex MD5 of the whole file, once finished (embedded mode). */
  readonly md5?: string;
  /** The object's ETag, quotes removed, once finished (S3 mode: not an MD5 for multipart objects). */
  readonly etag?: string;
  /** S3 mode: the multipart upload's UploadId. */
  readonly s3_upload_id?: string;
}

export type NewUpload = Pick<UploadRecord, 'file_name' | 'file_size' | 'content_type'>;

/** A part streamed aside, not yet kept. */
export interface ReceivedPart {
  readonly size: number;
  readonly md5: Buffer;
  /** Moves the bytes into place as part N (replacing an earlier one); call under the upload's lock. */
  keep(): Promise<void>;
  /** Removes the bytes unless kept. */
  discard(): Promise<void>;
}

export interface ReceiveErrors {
  readonly tooLarge: () => Error;
  readonly incomplete: () => Error;
  /** The upload's part directory is gone (finished meanwhile). */
  readonly gone: () => Error;
}

/** The outcome of checking the parts before finishing: the object's ETag, or the first part whose bytes are missing or of another size than recorded. */
export type PartsCheck = { readonly etag: string } | { readonly lost: number };

export interface PartStore {
  init(): Promise<void>;
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  create(upload: NewUpload): Promise<UploadRecord>;
  get(id: string): Promise<UploadRecord | null>;
  /** Replaces the record (under the lock). */
  save(record: UploadRecord): Promise<void>;
  receive(id: string, partNumber: number, body: Readable, limit: number, errors: ReceiveErrors): Promise<ReceivedPart>;
  /** Checks that every recorded part is on disk with its size (under the lock). */
  checkStored(record: UploadRecord): Promise<PartsCheck>;
  /** The object: the record's parts, in order. */
  openObject(record: UploadRecord): Readable;
  /** Removes an upload entirely: its record, parts and file (under the lock). */
  remove(id: string): Promise<void>;
}

export class LocalPartStore implements PartStore {
  readonly dir: string;
  readonly #lock = new KeyedLock();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'signed-parts');
  }

  /** Creates the directory and removes what a crash left: temporary files, and the files of unknown uploads. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await removeLeftovers(this.dir, (entry) => entry.endsWith('.tmp'));
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      const file = /^([0-9a-f]{32})\.bin$/.exec(entry.name);
      if (file && entry.isFile() && (await this.get(file[1] ?? '')) === null) await rm(join(this.dir, entry.name), { force: true });
      if (!entry.isDirectory() || !ID_PATTERN.test(entry.name)) continue;
      const record = await this.get(entry.name);
      if (record === null) await this.removeParts(entry.name);
      else await removeLeftovers(join(this.dir, entry.name), (name) => name.endsWith('.tmp'));
    }
  }

  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(id, fn);
  }

  async create(upload: NewUpload): Promise<UploadRecord> {
    const id = randomBytes(16).toString('hex');
    const record: UploadRecord = { id, state: 'new', ...upload, created_at: new Date().toISOString(), parts: [] };
    await mkdir(join(this.dir, id));
    await writeJsonDurably(this.dir, `${id}.json`, record);
    return record;
  }

  async get(id: string): Promise<UploadRecord | null> {
    if (!ID_PATTERN.test(id)) return null;
    const text = await readOrNull(join(this.dir, `${id}.json`));
    return text === null ? null : (JSON.parse(text) as UploadRecord);
  }

  save(record: UploadRecord): Promise<void> {
    return writeJsonDurably(this.dir, `${record.id}.json`, record);
  }

  async receive(id: string, partNumber: number, body: Readable, limit: number, errors: ReceiveErrors): Promise<ReceivedPart> {
    const partDir = join(this.dir, id);
    const temporary = join(partDir, `${partNumber}.${randomBytes(8).toString('hex')}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(temporary, 'wx');
    } catch (err) {
      if (isNotFound(err)) throw errors.gone();
      throw err;
    }
    const hash = createHash('md5');
    let size = 0;
    try {
      try {
        await pumpChunks(
          body,
          async (chunk) => {
            if (size + chunk.length > limit) throw errors.tooLarge();
            hash.update(chunk);
            await writeAll(handle, chunk, size);
            size += chunk.length;
          },
          errors.incomplete,
        );
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await unlink(temporary).catch(() => {});
      throw err;
    }
    let kept = false;
    return {
      size,
      md5: hash.digest(),
      keep: async () => {
        await rename(temporary, join(partDir, `${partNumber}.part`));
        kept = true;
        await syncDir(partDir);
      },
      discard: async () => {
        if (!kept) await unlink(temporary).catch(() => {});
      },
    };
  }

  async checkStored(record: UploadRecord): Promise<PartsCheck> {
    const digests: Buffer[] = [];
    for (const part of record.parts) {
      const size = await stat(join(this.dir, record.id, `${part.part_number}.part`)).then(
        (found) => found.size,
        (err: unknown) => {
          if (isNotFound(err)) return -1;
          throw err;
        },
      );
      if (size !== part.size) return { lost: part.part_number };
      digests.push(Buffer.from(part.md5, 'hex'));
    }
    return { etag: `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${record.parts.length}` };
  }

  /** The ids of every upload with a record (finished or not). */
  async ids(): Promise<string[]> {
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    return entries.flatMap((entry) => /^([0-9a-f]{32})\.json$/.exec(entry)?.[1] ?? []);
  }

  /**
   * When the upload's record or anything in its part directory was last written (ms
   * since the epoch); a part streaming into its temporary file keeps touching it.
   */
  async lastWritten(id: string): Promise<number> {
    const when = (path: string): Promise<number> =>
      stat(path).then(
        (found) => found.mtimeMs,
        () => 0,
      );
    const dir = join(this.dir, id);
    let latest = await when(join(this.dir, `${id}.json`));
    for (const entry of await readdir(dir).catch(() => [] as string[])) latest = Math.max(latest, await when(join(dir, entry)));
    return latest;
  }

  async removeParts(id: string): Promise<void> {
    await rm(join(this.dir, id), { recursive: true, force: true });
    await syncDir(this.dir);
  }

  openObject(record: UploadRecord): Readable {
    const dir = join(this.dir, record.id);
    const assembled = join(this.dir, `${record.id}.bin`);
    const numbers = record.parts.map((part) => part.part_number);
    return Readable.from(
      (async function* () {
        // Uploads finished by earlier versions were assembled into <id>.bin and their parts removed.
        if (!existsSync(dir) && existsSync(assembled)) {
          yield* createReadStream(assembled);
          return;
        }
        for (const number of numbers) yield* createReadStream(join(dir, `${number}.part`));
      })(),
    );
  }

  async remove(id: string): Promise<void> {
    if (!ID_PATTERN.test(id)) return;
    // The record goes first: without it, what remains is a leftover init() removes.
    await unlink(join(this.dir, `${id}.json`)).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await syncDir(this.dir);
    await rm(join(this.dir, `${id}.bin`), { force: true });
    await this.removeParts(id);
  }
}
