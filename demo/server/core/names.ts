/**
 * File-name validation.
 *
 * Why this exists: the name a client declares is shown back to people and put
 * in a Content-Disposition header, so it must be plain, printable text. It is
 * stored as data only, never used to build a path (only the random upload id
 * touches the disk), but we still refuse separators and dot names so that no
 * downstream consumer is tempted into a path traversal.
 */

export const MAX_NAME_BYTES = 255;

// C0 controls, DEL, and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// A UTF-16 surrogate without its partner cannot be encoded as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Returns `null` when `name` is acceptable, otherwise a sentence that says
 * what is wrong with it.
 */
export function fileNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'file_name is required and must be a string.';
  if (name.length === 0) return 'file_name must not be empty.';
  if (LONE_SURROGATE.test(name)) return 'file_name must be valid Unicode text.';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) {
    return `file_name is ${bytes} bytes long in UTF-8; the limit is ${MAX_NAME_BYTES} bytes.`;
  }
  if (name.includes('/') || name.includes('\\')) return 'file_name must not contain "/" or "\\".';
  if (name.includes('\u0000')) return 'file_name must not contain a NUL character.';
  if (CONTROL.test(name)) return 'file_name must not contain control characters.';
  if (name === '.' || name === '..') return 'file_name must not be "." or "..".';
  return null;
}
