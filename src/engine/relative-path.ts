/**
 * Where a file sat inside a dropped or picked folder (`2024/index.md`). It is text the
 * server may keep and show, never a path anyone resolves: normalising it here only
 * makes one file's path read the same whichever way it came (a drop's `/2024/index.md`,
 * a picker's `2024/index.md`, a caller's `2024\index.md`).
 */
import type { FileToAdd } from './types.js';

/** Forward slashes, no leading `/`, and no `.`, `..` or empty segments (those are dropped). */
export function normalizeRelativePath(path: string): string {
  return path
    .split(/[\\/]/)
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .join('/');
}

/**
 * What `Uploader.add` takes, as a `FileToAdd`: a given `relativePath` wins (even `''`),
 * else the `webkitRelativePath` that `<input webkitdirectory>` sets, else `''`. Throws
 * a `TypeError` for anything that is neither a `File` nor `{ file: File }`.
 */
export function toFileToAdd(item: File | FileToAdd): { readonly file: File; readonly relativePath: string } {
  if (isFile(item)) return { file: item, relativePath: normalizeRelativePath(item.webkitRelativePath ?? '') };
  if (item === null || typeof item !== 'object' || !isFile(item.file)) {
    throw new TypeError('Uploader: add() takes Files or { file: File, relativePath?: string } objects.');
  }
  if (item.relativePath !== undefined && typeof item.relativePath !== 'string') throw new TypeError('Uploader: `relativePath` must be a string.');
  return { file: item.file, relativePath: normalizeRelativePath(item.relativePath ?? item.file.webkitRelativePath ?? '') };
}

/** `instanceof` fails for a File from another realm (an iframe's); the tag does not. */
function isFile(value: unknown): value is File {
  return value instanceof File || Object.prototype.toString.call(value) === '[object File]';
}
