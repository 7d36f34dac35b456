/**
 * Reading uploaded zip archives for the session API, with yauzl.
 *
 * Why this exists: an archive comes from a client and may be damaged,
 * malicious, or enormous once unpacked. This module walks it one entry at a
 * time (lazyEntries) and hands each file entry's bytes to the caller as a
 * stream that is checked as it flows: a byte counter caps the total unpacked
 * size (headers are not trusted for that), the entry's CRC-32 is verified, and
 * the number of entries is capped. Entry names are never used as paths: only
 * the base name is kept (after the last "/" or "\"), and an entry whose base
 * name core/names.ts refuses is reported to the caller and skipped, as are
 * directories, encrypted entries and unknown compression methods. Everything
 * that makes the archive as a whole unusable ends in a ZipProblem whose
 * message a person can act on.
 */
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { fileNameProblem } from '../core/names.js';

export interface ZipLimits {
  /** Most entries (of any kind) an archive may hold. */
  readonly maxEntries: number;
  /** Most bytes all its entries may unpack to, together. */
  readonly maxBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 1000, maxBytes: 1024 * 1024 * 1024 };

/** The archive cannot be used; the message says why, for a person. */
export class ZipProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipProblem';
  }
}

export interface ZipHandlers {
  /**
   * A file entry with a usable base name. `number` is its position in the
   * archive's directory (0-based, counting every entry), stable from one run
   * to the next. Consume `chunks` to the end; it throws a ZipProblem when the
   * entry is damaged or a limit is passed.
   */
  file(number: number, name: string, chunks: AsyncIterable<Buffer>): Promise<void>;
  /** An entry skipped: its path inside the archive, a code and a sentence. */
  refused(path: string, code: 'bad_file_name' | 'unsupported_entry', message: string): void;
}

/**
 * Walks the archive at `path` (called `label` in messages), calling `handlers`
 * for its entries in order. Rejects with a ZipProblem when the archive is
 * unusable, with the abort reason when `signal` aborts, or with whatever a
 * handler threw.
 */
export async function extractZip(path: string, label: string, limits: ZipLimits, signal: AbortSignal, handlers: ZipHandlers): Promise<void> {
  const zip = await openZip(path, label);
  let failure: Error | undefined;
  let total = 0;
  // yauzl may emit an error while no entry is being waited for; remember it (an unheard 'error' would crash).
  zip.on('error', (err: Error) => {
    failure ??= err;
  });
  try {
    if (zip.entryCount > limits.maxEntries) throw tooManyEntries(label, limits);
    for (let number = 0; ; number += 1) {
      signal.throwIfAborted();
      const entry = await nextEntry(zip, () => failure, label);
      if (entry === null) return;
      if (number >= limits.maxEntries) throw tooManyEntries(label, limits);

      const inside = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
      if (inside.endsWith('/')) continue; // a directory
      const name = inside.slice(inside.lastIndexOf('/') + 1);
      const problem = fileNameProblem(name);
      if (problem !== null) {
        handlers.refused(inside, 'bad_file_name', `The entry "${inside}" of "${label}" was skipped: ${problem.replace(/^file_name/, 'its name')}`);
        continue;
      }
      if (entry.isEncrypted()) {
        handlers.refused(inside, 'unsupported_entry', `The entry "${inside}" of "${label}" was skipped: it is encrypted.`);
        continue;
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        handlers.refused(
          inside,
          'unsupported_entry',
          `The entry "${inside}" of "${label}" was skipped: its compression method (${entry.compressionMethod}) is not supported (only stored and deflate are).`,
        );
        continue;
      }
      // A cheap early refusal from the header; the byte counter below is what enforces the limit.
      if (total + entry.uncompressedSize > limits.maxBytes) throw tooManyBytes(label, limits);
      await handlers.file(number, name, checked(entry, inside));
    }
  } finally {
    zip.close();
  }

  /**
   * The entry's bytes, counted against the archive's limit and checked
   * against its CRC-32. The entry is opened only when the first chunk is
   * asked for, so its stream is never left flowing without a reader (an error
   * it emitted then would go unheard).
   */
  async function* checked(entry: Entry, inside: string): AsyncGenerator<Buffer> {
    const stream = await openEntry(zip, entry, label, inside);
    let crc = 0;
    try {
      for await (const chunk of stream) {
        signal.throwIfAborted();
        const buffer = chunk as Buffer;
        total += buffer.length;
        if (total > limits.maxBytes) throw tooManyBytes(label, limits);
        crc = crc32(buffer, crc);
        yield buffer;
      }
    } catch (err) {
      if (err instanceof ZipProblem || signal.aborted) throw err;
      throw new ZipProblem(`"${label}" is damaged: its entry "${inside}" cannot be unpacked (${describe(err)}).`);
    } finally {
      stream.destroy();
    }
    if (crc >>> 0 !== entry.crc32 >>> 0) {
      throw new ZipProblem(`"${label}" is damaged: its entry "${inside}" does not match its checksum.`);
    }
  }
}

function openZip(path: string, label: string): Promise<ZipFile> {
  return new Promise<ZipFile>((resolve, reject) => {
    yauzl.open(
      path,
      // decodeStrings off: yauzl would reject the whole archive for one entry named "../x"; names are checked here instead.
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => {
        if (err) reject(new ZipProblem(`"${label}" is not a zip archive this server can read (${describe(err)}).`));
        else resolve(zip);
      },
    );
  });
}

/** The next entry, or null after the last one. */
function nextEntry(zip: ZipFile, failure: () => Error | undefined, label: string): Promise<Entry | null> {
  const damaged = (err: unknown): ZipProblem => new ZipProblem(`"${label}" is damaged: its directory cannot be read (${describe(err)}).`);
  return new Promise<Entry | null>((resolve, reject) => {
    const earlier = failure();
    if (earlier) {
      reject(damaged(earlier));
      return;
    }
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(damaged(err));
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry, label: string, inside: string): Promise<Readable> {
  return new Promise<Readable>((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) reject(new ZipProblem(`"${label}" is damaged: its entry "${inside}" cannot be read (${describe(err)}).`));
      else resolve(stream);
    });
  });
}

function tooManyEntries(label: string, limits: ZipLimits): ZipProblem {
  return new ZipProblem(`"${label}" holds more than ${limits.maxEntries} entries; this server unpacks at most ${limits.maxEntries} per archive.`);
}

function tooManyBytes(label: string, limits: ZipLimits): ZipProblem {
  return new ZipProblem(`"${label}" unpacks to more than ${limits.maxBytes} bytes; this server unpacks at most ${limits.maxBytes} bytes per archive.`);
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');
}
