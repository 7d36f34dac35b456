/**
 * What the /signed-parts API asks of the place that keeps the parts.
 *
 * Why this exists: the API (signed-parts/routes.ts) is the same in both modes; only
 * the object store differs. EMBEDDED (signed-parts/embedded.ts): this server
 * signs, receives and assembles the parts on its own disk. S3
 * (signed-parts/s3.ts): a real S3 (AWS, Ceph RGW, MinIO, R2) receives them;
 * this server creates the multipart upload, presigns each part with the AWS
 * SDK, lists what S3 holds, completes it and reads the result back. The
 * upload records (name, size, state) are this server's in both modes
 * (signed-parts/store.ts). Both modes name a finished upload's object
 * `signed-parts/<upload id>`: never the file's name, which stays in the
 * record.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectLookup } from '../core/object-store.js';
import type { PartRecord, UploadRecord } from './store.js';
import { ApiError } from '../core/errors.js';

/** Smallest part but the last, as in S3. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

/** What a client needs to PUT one part. */
export interface SignedPart {
  readonly part_number: number;
  readonly url: string;
  /** When it was signed, as an HTTP date (the seed's `date`). */
  readonly date: string;
  /** The seed's `Authorization` header value; absent when the signature is in the URL (S3 presigned). */
  readonly authorization?: string;
  readonly expires_at: string;
  /**
   * Exactly the headers to send with the PUT (S3 mode). Absent in the
   * embedded mode, where they are the seed's three (`Content-Type: ""`,
   * `Authorization`, `x-amz-date`) plus `Content-MD5` when `md5sum` was given.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PartsBackend {
  /** "embedded" or "s3", for the logs. */
  readonly mode: string;
  /** The bucket finished uploads are in. */
  readonly bucket: string;
  init(): Promise<void>;
  /** Prepares the store for a new upload and returns the record to keep (with the store's own ids). */
  begin(record: UploadRecord): Promise<UploadRecord>;
  /** Signs the PUT of part `partNumber`, covering `md5sum` (base64) when given. */
  presign(record: UploadRecord, partNumber: number, md5sum: string | undefined, origin: string): Promise<SignedPart>;
  /** The parts the store holds for an upload in progress, sorted by number. */
  parts(record: UploadRecord): Promise<readonly PartRecord[]>;
  /** Abandons an upload in progress (under its lock): the store forgets its parts (S3: AbortMultipartUpload). The record is the caller's. */
  abandon(record: UploadRecord): Promise<void>;
  /**
   * When an upload in progress last saw activity (ms since the epoch): its record or a
   * part written here (embedded), or a part S3 received (S3 mode: ListParts), so the
   * sweeper never removes an upload whose parts are still arriving.
   */
  lastActivity(record: UploadRecord): Promise<number>;
  /** Joins the parts into the object (under the upload's lock) and returns the finished record; throws ApiError when parts are missing. */
  finish(record: UploadRecord): Promise<UploadRecord>;
  /** Answers `GET|HEAD /signed-parts/files/<id>` for a finished upload. */
  download(req: IncomingMessage, res: ServerResponse, record: UploadRecord): Promise<void>;
  /** Answers a request to the embedded store's own routes; false when this mode has none. */
  handleStore(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  /** Finished uploads as objects, for the registry. */
  readonly objects: ObjectLookup;
}

/**
 * An `expires_at` as the seed writes it: ISO 8601 in UTC to the second
 * ("2014-04-30T14:44:48Z"), without the milliseconds toISOString adds.
 */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The object key of a finished upload. */
export function objectKey(id: string): string {
  return `signed-parts/${id}`;
}

/** The upload id an object key names, or null. */
export function uploadIdOfKey(key: string): string | null {
  return /^signed-parts\/([0-9a-f]{32})$/.exec(key)?.[1] ?? null;
}

/** Throws 400 unless `parts` are exactly 1..n, all but the last at least MIN_PART_SIZE, summing to the file's size. */
export function checkParts(record: UploadRecord, parts: readonly PartRecord[]): void {
  if (parts.length === 0) throw new ApiError(400, 'no_parts', 'There are no parts upload to finish it'); // the seed's words, typo and all
  for (const [index, part] of parts.entries()) {
    if (part.part_number !== index + 1) {
      throw new ApiError(400, 'incomplete_parts', `Part ${index + 1} is missing (parts 1 to ${parts.at(-1)?.part_number} are needed).`);
    }
  }
  for (const part of parts.slice(0, -1)) {
    if (part.size < MIN_PART_SIZE) {
      throw new ApiError(
        400,
        'part_too_small',
        `Part ${part.part_number} is ${part.size} bytes; every part but the last must be at least ${MIN_PART_SIZE} bytes.`,
      );
    }
  }
  const total = parts.reduce((sum, part) => sum + part.size, 0);
  if (total !== record.file_size) {
    throw new ApiError(
      400,
      'incomplete_parts',
      `Parts 1 to ${parts.length} hold ${total} bytes, but file_size is ${record.file_size}; upload the missing parts.`,
    );
  }
}
