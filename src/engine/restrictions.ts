/**
 * Which files are taken: `accept` (as `<input type=file accept>` reads it), a size
 * limit and a count limit. Checked before anything is read or sent.
 */
import { formatSize } from './size.js';
import { RejectReason, type RejectedFile } from './types.js';

export interface Restrictions {
  readonly accept?: string;
  readonly maxFileSize?: number;
  readonly maxFiles?: number;
}

/**
 * Returns why `file` is refused, or undefined when it is taken. `count` = files already
 * taken. The refusal carries the limit it broke (`max`, `limit`, `accept`), so a view
 * can word it without re-reading its own attributes.
 */
export function checkFile(file: File, restrictions: Restrictions, count: number, relativePath = ''): RejectedFile | undefined {
  const base = refusalBase(file, relativePath);
  if (restrictions.maxFiles !== undefined && count >= restrictions.maxFiles) {
    return { ...base, reason: RejectReason.TooManyFiles, message: `At most ${restrictions.maxFiles} file(s) can be uploaded.`, max: restrictions.maxFiles };
  }
  if (restrictions.maxFileSize !== undefined && file.size > restrictions.maxFileSize) {
    const limit = restrictions.maxFileSize;
    return { ...base, reason: RejectReason.FileTooLarge, message: `${file.name} is ${formatSize(file.size)}; the limit is ${formatSize(limit)}.`, limit };
  }
  if (restrictions.accept && !accepts(restrictions.accept, file)) {
    return { ...base, reason: RejectReason.FileType, message: `${file.name} is not an accepted type (${restrictions.accept}).`, accept: restrictions.accept };
  }
  return undefined;
}

/** What every refusal says of the file itself. */
export function refusalBase(file: File, relativePath = ''): Pick<RejectedFile, 'name' | 'relativePath' | 'size' | 'type'> {
  return { name: file.name, relativePath, size: file.size, type: file.type };
}

/** `accept` semantics of the HTML spec: `.ext`, `type/*`, `type/subtype`, comma separated. */
export function accepts(accept: string, file: { name: string; type: string }): boolean {
  const tokens = accept
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  if (tokens.length === 0) return true;
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return tokens.some((token) => {
    if (token.startsWith('.')) return name.endsWith(token);
    if (token.endsWith('/*')) return type.startsWith(token.slice(0, -1));
    return type === token;
  });
}
