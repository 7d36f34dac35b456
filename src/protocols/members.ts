/**
 * Reading the members of a server's JSON that an upload depends on: ids, offsets, sizes.
 * A wrong type there is an answer the protocol does not allow, and is said so, rather
 * than becoming the id `[object Object]` or, through `Number(null)`, the offset 0.
 */
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';

/**
 * The id as text; undefined when absent (or `null`). The seeds show both numbers
 * (Panda's `"id": 12345`) and strings, and a client keeps either as text.
 */
export function idOf(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isSafeInteger(value))) return String(value);
  throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server sent an id that is not one (${JSON.stringify(value)}).`);
}

/** A byte count, offset or part number: a number, or its digits as text (some servers quote them); else NaN. */
export function countOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return Number.NaN;
}
