/**
 * What the engine tells the world: statuses, snapshots and the event vocabulary
 * (Vaadin Upload's names: `upload-start/progress/success/error/retry/abort`,
 * `file-reject`). Details are plain frozen snapshots keyed by the upload's id: never a
 * live XHR, never a mutated `File`.
 */
import type { Asset } from './protocol.js';
import type { UploadErrorInfo } from './upload-error.js';

export const UploadStatus = {
  /** Waiting for a free slot (or for `start()` with `autoStart: false`). */
  Queued: 'queued',
  /** Fingerprinting, looking up resume state, creating or re-attaching the server upload. */
  Preparing: 'preparing',
  Uploading: 'uploading',
  /** Waiting before the next attempt after a recoverable failure. */
  Retrying: 'retrying',
  /** Another tab or element is uploading this file to the same server upload; this one takes over when that one stops. */
  Elsewhere: 'elsewhere',
  /** Every byte is there; the server commits, publishes or processes it. */
  Processing: 'processing',
  Paused: 'paused',
  Success: 'success',
  Error: 'error',
  Aborted: 'aborted',
} as const;
export type UploadStatus = (typeof UploadStatus)[keyof typeof UploadStatus];

/** Statuses in which an upload still wants to run. */
export const activeStatuses: { has(status: UploadStatus): boolean } = {
  // A function, not a Set: nothing runs when the module loads, so an app that imports the
  // engine and uses none of it ships none of it (minifiers drop pure-call annotations).
  has: (status) =>
    status === UploadStatus.Queued ||
    status === UploadStatus.Preparing ||
    status === UploadStatus.Uploading ||
    status === UploadStatus.Retrying ||
    status === UploadStatus.Elsewhere ||
    status === UploadStatus.Processing,
};

export type Transport = 'put' | 'form';

/**
 * A file with the path it had inside a dropped or picked folder (`2024/index.md`, the
 * file's name included). `Uploader.add` takes these as well as plain `File`s.
 */
export interface FileToAdd {
  readonly file: File;
  /** Default: the file's `webkitRelativePath` (set by `<input webkitdirectory>`), else `''`. */
  readonly relativePath?: string;
}

export interface UploadSnapshot {
  readonly id: string;
  readonly name: string;
  /**
   * Where the file sat in a dropped or picked folder, its name included (`2024/index.md`),
   * normalised: forward slashes, no leading `/`, no `.`/`..`/empty segments. `''` when
   * the file came on its own. Text for the server and the view, never a path to resolve.
   */
  readonly relativePath: string;
  readonly size: number;
  readonly type: string;
  readonly status: UploadStatus;
  /** Queued and waiting for `start()` (added with `autoStart: false`), not only for a free slot. */
  readonly held: boolean;
  /** Bytes the server confirmed plus bytes of the part in flight. */
  readonly bytesUploaded: number;
  /** Bytes the server confirmed. */
  readonly bytesConfirmed: number;
  /** Recent upload rate (sliding window). */
  readonly bytesPerSecond: number;
  /** 0..1. */
  readonly progress: number;
  readonly transport: Transport;
  /** Bytes the server already held when this upload (re-)attached: > 0 means resumed. */
  readonly resumedFrom: number;
  /** Whether this upload's resume state survives a reload. */
  readonly persistent: boolean;
  /** Whether this upload's parts carry an MD5 the server checks. */
  readonly checksum: boolean;
  /** Retries since the last progress. */
  readonly attempt: number;
  /** The server's own word for what it is doing with the file ("transcoding"), while processing. */
  readonly serverStatus?: string;
  /** What the protocol can do with the uploaded asset: `rename`, `delete`. */
  readonly assetActions: readonly ('rename' | 'delete')[];
  readonly error?: UploadErrorInfo;
  readonly asset?: Asset;
}

export const RejectReason = {
  FileTooLarge: 'file_too_large',
  FileType: 'file_type',
  TooManyFiles: 'too_many_files',
  Duplicate: 'duplicate',
  Disabled: 'disabled',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/**
 * The restriction a refused file broke, for a view to word its own message without
 * re-reading its attributes: `limit` (bytes) with `file_too_large`, `accept` with
 * `file_type`, `max` (files) with `too_many_files`.
 */
export interface RejectionLimits {
  readonly limit?: number;
  readonly accept?: string;
  readonly max?: number;
}

export interface RejectedFile extends RejectionLimits {
  readonly name: string;
  /** As `UploadSnapshot.relativePath` (`''` when none). */
  readonly relativePath: string;
  readonly size: number;
  readonly type: string;
  readonly reason: RejectReason;
  /** English, for logs and plain-JS users; a view formats its own from `reason` and the limits. */
  readonly message: string;
}

export interface UploadEventDetail {
  readonly id: string;
  readonly upload: UploadSnapshot;
}
export interface UploadRetryDetail extends UploadEventDetail {
  readonly error: UploadErrorInfo;
  readonly attempt: number;
  readonly delayMs: number;
}
export interface UploadErrorDetail extends UploadEventDetail {
  readonly error: UploadErrorInfo;
}
export interface UploadSuccessDetail extends UploadEventDetail {
  readonly asset: Asset;
}
export interface AssetRenameDetail extends UploadEventDetail {
  readonly asset: Asset;
}
export interface UploadCompleteDetail {
  readonly successful: readonly UploadSnapshot[];
  readonly failed: readonly UploadSnapshot[];
}
export interface FileRejectDetail {
  readonly file: RejectedFile;
}

export interface UploaderEventMap {
  'upload-add': CustomEvent<UploadEventDetail>;
  'file-reject': CustomEvent<FileRejectDetail>;
  'upload-start': CustomEvent<UploadEventDetail>;
  'upload-progress': CustomEvent<UploadEventDetail>;
  'upload-retry': CustomEvent<UploadRetryDetail>;
  'upload-pause': CustomEvent<UploadEventDetail>;
  /** The file is being uploaded by another tab or element; this upload waits and takes over when that one stops. */
  'upload-wait': CustomEvent<UploadEventDetail>;
  'upload-resume': CustomEvent<UploadEventDetail>;
  'upload-success': CustomEvent<UploadSuccessDetail>;
  'upload-error': CustomEvent<UploadErrorDetail>;
  'upload-abort': CustomEvent<UploadEventDetail>;
  'upload-complete': CustomEvent<UploadCompleteDetail>;
  'asset-rename': CustomEvent<AssetRenameDetail>;
  'asset-delete': CustomEvent<UploadEventDetail>;
}
