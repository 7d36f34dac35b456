/**
 * How a file is cut into numbered, independent parts (S3 multipart and APIs built on it).
 *
 * The part size grows with the file so the count stays within the API's limit (S3: at
 * most 10,000 parts of at least 5 MiB except the last): a 5 TiB file gets parts of
 * about 525 MiB. Plain arithmetic only: sizes above 4 GiB are real, and bitwise
 * operators would truncate them.
 */
import { UploadError, UploadErrorCode } from './upload-error.js';

export interface PartLimits {
  readonly minPartSize?: number;
  readonly maxPartSize?: number;
  readonly maxParts?: number;
}

export interface PartPlan {
  readonly partSize: number;
  readonly count: number;
  /** Byte range of part `number` (1-based), end exclusive. */
  range(number: number): { readonly start: number; readonly end: number };
}

export function planParts(size: number, wanted: number, limits: PartLimits = {}): PartPlan {
  const byCount = limits.maxParts ? Math.ceil(size / limits.maxParts) : 1;
  const partSize = Math.max(wanted, limits.minPartSize ?? 1, byCount, 1);
  if (limits.maxPartSize !== undefined && partSize > limits.maxPartSize) {
    throw new UploadError(
      UploadErrorCode.ClientError,
      `The file is too large for this server: it would need parts of ${partSize} bytes, above the limit of ${limits.maxPartSize}.`,
    );
  }
  const count = Math.max(1, Math.ceil(size / partSize));
  return {
    partSize,
    count,
    range(number) {
      if (!Number.isInteger(number) || number < 1 || number > count) throw new RangeError(`part ${number} is not in 1..${count}`);
      const start = (number - 1) * partSize;
      return { start, end: Math.min(size, start + partSize) };
    },
  };
}
