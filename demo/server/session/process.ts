/**
 * Processing of committed session files: turning uploaded bytes into assets.
 *
 * Why this exists: the seed's sessions end with "transcoding" and a list of
 * assets per file; here that work is real but small. A file whose name ends in
 * `.zip` (any case) is unpacked and each file entry becomes an asset (the
 * archive itself is not one); any other file becomes one asset, a copy of its
 * bytes. The outcome is all or nothing per file: when an archive turns out to
 * be unusable halfway, the assets already made from it are removed and the
 * file is in `error` with a sentence saying why.
 *
 * Asset ids are derived from the file's random `nonce` (set at commit, kept
 * in the session record) and the entry's position, so processing interrupted
 * by a restart and run again writes the same assets again rather than
 * leaving duplicates behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileError, SessionAsset, SessionFile, SessionStore } from './store.js';
import { extractZip, ZipProblem } from './zip.js';
import type { ZipLimits } from './zip.js';

export type Outcome =
  | { readonly status: 'done'; readonly assets: readonly SessionAsset[]; readonly errors: readonly FileError[] }
  | { readonly status: 'error'; readonly message: string; readonly errors: readonly FileError[] };

/** The id of asset `number` of a file: unguessable (the nonce is secret) and the same on every run. */
export function assetId(nonce: string, number: number): string {
  return createHash('sha256').update(`${nonce}\n${number}`, 'utf8').digest('hex').slice(0, 32);
}

export function isZipName(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}

/**
 * Makes the assets of file `index` of session `token`. Rejects only when
 * `signal` aborts (the file stays as it was, to be processed again later);
 * every other failure is an `error` outcome.
 */
export async function processFile(
  store: SessionStore,
  token: string,
  index: number,
  file: SessionFile,
  limits: ZipLimits,
  signal: AbortSignal,
): Promise<Outcome> {
  const nonce = file.nonce ?? '';
  const source = store.blobPath(token, index);
  const meta = { session: token, file_index: index };
  const made: string[] = [];
  const errors: FileError[] = [];
  const assets: SessionAsset[] = [];
  try {
    if (isZipName(file.name)) {
      await extractZip(source, file.name, limits, signal, {
        async file(number, name, chunks) {
          const id = assetId(nonce, number);
          made.push(id);
          const asset = await store.writeAsset(id, chunks, { ...meta, name });
          assets.push({ id, name, size: asset.size, md5: asset.md5 });
        },
        refused(path, code, message) {
          errors.push({ name: path, code, message });
        },
      });
    } else {
      const id = assetId(nonce, 0);
      made.push(id);
      const asset = await store.writeAsset(id, readLazily(source, signal), { ...meta, name: file.name });
      assets.push({ id, name: file.name, size: asset.size, md5: asset.md5 });
    }
    signal.throwIfAborted();
    return { status: 'done', assets, errors };
  } catch (err) {
    if (signal.aborted) throw err;
    for (const id of made) await store.removeAsset(id).catch(() => {});
    let message: string;
    let code: string;
    if (err instanceof ZipProblem) {
      message = err.message;
      code = 'bad_zip';
    } else {
      console.error(`asset-uploader server: processing file ${index} of session ${token} failed:`, err);
      message = 'The server failed while processing this file.';
      code = 'processing_failed';
    }
    return { status: 'error', message, errors: [{ name: file.name, code, message }] };
  }
}

/** The bytes of a file, opened when the first chunk is asked for (so an open error is never emitted unheard). */
async function* readLazily(path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(path, { signal })) yield chunk as Buffer;
}
