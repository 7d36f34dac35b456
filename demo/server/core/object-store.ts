/**
 * Where finished uploads live, as the registry sees them: objects named by a
 * bucket and a key.
 *
 * Why this exists: the registry API (registry/routes.ts) records assets whose bytes
 * are already in object storage. It must check that the object it is asked
 * to register really exists with the size claimed, hand out a download link,
 * and remove the object with the asset. The signed-parts API provides this
 * view of its storage in both of its modes: EMBEDDED (the reference server's
 * own disk; bucket EMBEDDED_BUCKET, key `signed-parts/<upload id>`) and S3
 * (the configured bucket, HeadObject, a presigned GetObject, DeleteObject).
 */

/** The bucket name of the embedded store. */
export const EMBEDDED_BUCKET = 'embedded';

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** The store's ETag, quotes removed. */
  readonly etag: string;
}

export interface ObjectLookup {
  /** The finished object at bucket/key, or null when there is none (or the bucket is not this store's). */
  head(bucket: string, key: string): Promise<StoredObject | null>;
  /** A URL from which a browser can GET the object; `origin` is the API's public origin (embedded links are on it). */
  downloadUrl(bucket: string, key: string, origin: string): Promise<string>;
  /** Deletes the object; no error when it is already gone. */
  remove(bucket: string, key: string): Promise<void>;
}
