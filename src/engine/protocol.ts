/**
 * The protocol adapter interface: every server API is one adapter behind it, and the
 * engine never branches on a protocol's name, only on the capabilities declared here.
 *
 * An adapter is pure HTTP semantics: it builds requests, parses answers and throws one
 * `UploadError` when something is wrong. It never retries, never sleeps, never touches
 * workers, IndexedDB or the DOM; the engine does all of that around it.
 */
import type { Clock } from './clock.js';
import type { HttpStack } from './http.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** What the server made of an upload. `raw` is the server's JSON as it came. */
export interface Asset {
  readonly id: string;
  readonly name?: string;
  readonly size?: number;
  readonly url?: string;
  /** Hex MD5 of the whole file as the server computed it, when the API tells. */
  readonly md5?: string;
  /** What the server made of the file, when that is several things (a zip's entries). */
  readonly produced?: readonly Asset[];
  readonly raw: Json;
}

/** What the server holds after a call. */
export interface ServerProgress {
  /** Bytes the server has confirmed, counted from the start of the file. */
  readonly offset: number;
  /** Present once the server considers the upload done. */
  readonly asset?: Asset;
  /** The next byte range the server wants, when the server decides it (end exclusive). */
  readonly window?: { readonly start: number; readonly end: number };
  /** For independent parts: the part numbers the server holds (then `offset` is their bytes). */
  readonly parts?: readonly number[];
}

export interface ProtocolContext {
  /** Absolute URL of the API, from the `endpoint` attribute. */
  readonly endpoint: string;
  /** Already scoped: credentials are attached for the endpoint's origin only. */
  readonly http: HttpStack;
  /** Origins a server-sent `Location` may point to (the endpoint's is always allowed). */
  readonly allowedOrigins: readonly string[];
  /** Absolute URL where a register-after-storing protocol (`registry`) stores the bytes. */
  readonly storageEndpoint?: string;
  /** Members the page adds to the record the protocol creates. */
  readonly fields?: Readonly<Record<string, string | number | boolean>>;
  /** Time for polling and expiry (the engine's clock); the system clock when absent. */
  readonly clock?: Clock;
  /**
   * What an adapter learned about this server and may reuse for the uploader's next files
   * (tus: the `OPTIONS` answer). One map per uploader, emptied when its protocol, endpoint,
   * headers or credential mode change; absent, nothing is reused. Never persisted.
   */
  readonly memo?: Map<string, unknown>;
}

export interface UploadTarget {
  /** The file's own name, never a path. */
  readonly name: string;
  readonly size: number;
  readonly type: string;
  /**
   * Where the file sat in a dropped or picked folder, its name included (`2024/index.md`);
   * `''` or absent when it came on its own. The engine always sets it. An adapter sends it
   * only where its API carries free metadata (tus: `Upload-Metadata`), never as a name.
   */
  readonly relativePath?: string;
}

export interface PartToSend {
  /** The part's number (1-based), for APIs with independent, numbered parts. */
  readonly number?: number;
  /** First byte of the part. */
  readonly start: number;
  /** One past the last byte (exclusive). `start === end` only for an empty file. */
  readonly end: number;
  /** The part's bytes: a slice of the file, read from disk by the browser as it sends. */
  readonly body: Blob;
  /** Base64 of the part's MD5 digest (the `Content-MD5` form), when checksums are on. */
  readonly md5?: string;
  readonly signal: AbortSignal;
  readonly onProgress: (loaded: number) => void;
}

export interface ProtocolCapabilities {
  /**
   * Parts must arrive in order, each one at the server's offset (content-range, phased,
   * tus); false: numbered parts, independent of each other, several at a time (S3).
   */
  readonly ordered: boolean;
  /** Whether a part's MD5 can go with it (then, with checksums on, it is hashed before sending). */
  readonly partChecksum: 'none' | 'optional';
  /** Part size bounds the API imposes, in bytes. */
  readonly minPartSize?: number;
  readonly maxPartSize?: number;
  /** Most parts per upload (independent parts; S3: 10,000). */
  readonly maxParts?: number;
  /**
   * Ordered parts: the server keeps the bytes that arrived of a part cut off mid-way, when
   * it carries no checksum (tus; content-range). Then, unless the page sets a part size,
   * the rest of the file goes as one request and a broken one resumes from the server's offset.
   */
  readonly keepsCutOffParts?: boolean;
  /**
   * False when an upload cannot outlive its page (the session API: a session is one
   * drop's): no resume record, no fingerprint, and no lock, so two tabs given the same
   * file do not wait for each other. Absent means resumable.
   */
  readonly resumable?: boolean;
}

/** One file's upload as the server sees it. */
export interface ProtocolUpload {
  /**
   * Creates the server-side upload, or re-attaches to `saved` and asks the server what
   * it already holds. Throws `session_expired` when the saved upload is gone.
   */
  open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress>;
  /** Plain JSON that lets `open` re-attach after a reload: ids and locations, never tokens or signatures. */
  saveState(): JsonObject | undefined;
  /** Asks the server what it holds (after any failure, before sending again). */
  sync(signal: AbortSignal): Promise<ServerProgress>;
  /** Sends one part at the server's offset; resolves with what the server confirmed. */
  send(part: PartToSend): Promise<ServerProgress>;
  /**
   * After `open`: whether the server wants part MD5s. Absent means "as the capabilities
   * say". A tus server that does not announce md5 gets none, and nothing is hashed.
   */
  acceptsChecksum?(): boolean;
  /** Sends the whole file in one `multipart/form-data` request (creating what it needs first). */
  sendForm?(file: Blob, name: string, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<Asset>;
  /** Whether this file goes by `sendForm` by design, even where parts could stream. */
  prefersForm?(): boolean;
  /**
   * Finishes once every byte is on the server (commit, publish, wait for processing);
   * absent when the last part finishes the upload. `onStatus` reports the server's
   * own words for what it is doing ("transcoding").
   */
  complete?(signal: AbortSignal, onStatus?: (status: string) => void): Promise<Asset>;
  /** The engine gave this upload up (failed for good, or cancelled): release what it holds. */
  dispose?(reason: 'error' | 'cancel'): void;
  /** Cancels on the server where the API allows it; best effort. */
  abort(): Promise<void>;
}

/** Files added together that the API uploads as one session (one create, one commit). */
export interface ProtocolBatch {
  /** The upload of the `index`-th file of the batch. */
  upload(index: number): ProtocolUpload;
}

export interface Protocol {
  readonly name: string;
  readonly capabilities: ProtocolCapabilities;
  create(context: ProtocolContext, target: UploadTarget): ProtocolUpload;
  /**
   * Before any upload of this uploader is open: whether the server is known to want part
   * MD5s. Absent: as `capabilities.partChecksum` says. tus knows only once an `OPTIONS`
   * answer is in the memo. The engine starts its md5 workers ahead of time only then.
   */
  wantsChecksum?(context: ProtocolContext): boolean;
  /** Present when files added together share one server session; then the engine uses it instead of `create`. */
  createBatch?(context: ProtocolContext, targets: readonly UploadTarget[]): ProtocolBatch;
  /** Renames an uploaded asset, where the API can; resolves with the asset as the server now has it. */
  rename?(context: ProtocolContext, asset: Asset, name: string, signal?: AbortSignal): Promise<Asset>;
  /** Deletes an uploaded asset on the server, where the API can. */
  remove?(context: ProtocolContext, asset: Asset, signal?: AbortSignal): Promise<void>;
}
