/**
 * Every text the element shows, in one object a page can override in part
 * (`uploader.i18n = { status: { paused: 'En pause' } }`): it is deep-merged over these
 * defaults, as Vaadin Upload does.
 */
import type { UploadErrorCode } from '../engine/upload-error.js';
import type { RejectReason, UploadStatus } from '../engine/types.js';

/** A text with plural forms, chosen by `Intl.PluralRules` for the element's language; `{count}` is the number. */
export type PluralText = string | { zero?: string; one?: string; two?: string; few?: string; many?: string; other: string };

export interface UploaderI18n {
  dropLabel: string;
  dropLabelSingle: string;
  dropHint: string;
  dropHintAccept: string;
  dropHintMaxSize: string;
  dropHintMaxFiles: PluralText;
  dropActive: string;
  listLabel: string;
  rejectionsLabel: string;
  dismiss: string;
  /** Accessible name of a row's icon button: `Pause: report.pdf`. */
  actionLabel: string;
  pause: string;
  resume: string;
  cancel: string;
  retry: string;
  remove: string;
  rename: string;
  deleteAsset: string;
  save: string;
  keep: string;
  renameLabel: string;
  deleteConfirm: string;
  progressLabel: string;
  /** `2 MB of 10 MB`. */
  progressOf: string;
  speed: string;
  eta: string;
  resumedFrom: string;
  /** The short link of a finished row. */
  openAsset: string;
  openAssetLabel: string;
  producedLabel: string;
  /** The row's file-type icon, for its tooltip. */
  kinds: Record<FileKind, string>;
  summary: {
    label: string;
    totalProgressLabel: string;
    done: PluralText;
    failed: PluralText;
    remaining: PluralText;
    start: PluralText;
    pauseAll: string;
    resumeAll: string;
    cancelAll: string;
    retryFailed: string;
    clearFinished: string;
  };
  status: Record<UploadStatus, string>;
  errors: Partial<Record<UploadErrorCode, string>> & { default: string };
  /** `{max}` chooses the plural form of `too_many_files`. */
  rejections: Record<RejectReason, PluralText>;
  /** What the rejections list shows past its first entries. */
  moreRejections: PluralText;
  /**
   * Why the field is invalid, most urgent first: files wait for Upload (`held`), uploads
   * run (`busy`), uploads are paused (`paused`), one failed (`failed`), none when `required`.
   */
  validation: { held: string; busy: string; paused: string; failed: string; required: string };
  notices: {
    resumeOff: string;
    formOnly: string;
    checksumOff: string;
    checksumWorkerOrigin: string;
    misconfigured: string;
    tooDeep: PluralText;
    unreadable: PluralText;
  };
  announce: {
    added: PluralText;
    rejected: PluralText;
    success: string;
    error: string;
    paused: string;
    resumed: string;
    aborted: string;
    renamed: string;
    deleted: string;
    allDone: PluralText;
    allDoneWithFailures: string;
  };
}

export type FileKind = 'image' | 'video' | 'audio' | 'archive' | 'document' | 'other';

export const defaultI18n: UploaderI18n = {
  dropLabel: 'Drop files here or choose files',
  dropLabelSingle: 'Drop a file here or choose one',
  dropHint: 'Press Enter or Space to choose files. You can also paste files.',
  dropHintAccept: 'Accepted: {accept}.',
  dropHintMaxSize: 'Up to {size} per file.',
  dropHintMaxFiles: { one: 'At most {count} file.', other: 'At most {count} files.' },
  dropActive: 'Release to add the files',
  listLabel: 'Uploads',
  rejectionsLabel: 'Files not added',
  dismiss: 'Dismiss',
  actionLabel: '{action}: {name}',
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel',
  retry: 'Retry',
  remove: 'Remove',
  rename: 'Rename',
  deleteAsset: 'Delete',
  save: 'Save',
  keep: 'Keep',
  renameLabel: 'New name for {name}',
  deleteConfirm: 'Delete {name} from the server?',
  progressLabel: 'Upload progress of {name}',
  progressOf: '{done} of {total}',
  speed: '{speed}',
  eta: '{time} left',
  resumedFrom: 'continued from {size}',
  openAsset: 'Open',
  openAssetLabel: 'Open {name}',
  producedLabel: 'What the server made of {name}',
  kinds: { image: 'Image', video: 'Video', audio: 'Audio', archive: 'Archive', document: 'Document', other: 'File' },
  summary: {
    label: 'All uploads',
    totalProgressLabel: 'Total upload progress',
    done: { one: '{count} done', other: '{count} done' },
    failed: { one: '{count} failed', other: '{count} failed' },
    remaining: { one: '{count} remaining', other: '{count} remaining' },
    start: { one: 'Upload {count} file', other: 'Upload {count} files' },
    pauseAll: 'Pause all',
    resumeAll: 'Resume all',
    cancelAll: 'Cancel all',
    retryFailed: 'Retry failed',
    clearFinished: 'Clear finished',
  },
  status: {
    queued: 'Waiting',
    preparing: 'Preparing',
    uploading: 'Uploading',
    retrying: 'Connection problem, trying again',
    elsewhere: 'Uploading in another tab or window; continues here when that one stops',
    processing: 'Processing on the server',
    paused: 'Paused',
    success: 'Uploaded',
    error: 'Failed',
    aborted: 'Cancelled',
  },
  errors: {
    default: 'The upload failed: {message}',
    network: 'The server could not be reached.',
    stalled: 'The connection stalled.',
    server_error: 'The server had a problem ({status}).',
    rate_limited: 'The server is busy; try again later.',
    client_error: 'The server refused the upload: {message}',
    unauthorized: 'You are not allowed to upload here ({status}).',
    checksum_mismatch: 'The file was damaged on its way several times; the server refused it.',
    session_expired: 'The server no longer knows this upload.',
    location_refused: 'The server tried to send the upload to another site; refused for safety.',
    bad_response: 'The server answered in a way the uploader does not understand: {message}',
    file_unreadable: 'The file could not be read. It may have been changed or moved since you picked it.',
    worker_failed: 'The checksum worker failed: {message}',
    streaming_unsupported: 'This server cannot take the upload: {message}',
  },
  rejections: {
    file_too_large: '{name} is too large ({size}; the limit is {limit}).',
    file_type: '{name} is not an accepted type ({accept}).',
    too_many_files: { one: '{name} was not added: only {max} file can be added.', other: '{name} was not added: at most {max} files.' },
    duplicate: '{name} is already in the list.',
    disabled: '{name} was not added: the uploader is disabled.',
  },
  moreRejections: { one: 'and {count} more file', other: 'and {count} more files' },
  validation: {
    held: 'Press Upload to send the files first.',
    busy: 'Wait until the uploads finish.',
    paused: 'Resume the paused uploads, or remove them.',
    failed: 'A file could not be uploaded: retry it or remove it.',
    required: 'Please upload a file.',
  },
  notices: {
    resumeOff: 'Resume after a reload is off in this browser (no usable IndexedDB): an interrupted upload continues only while this page stays open.',
    formOnly: 'This browser sends each file in one piece; an interrupted upload starts over.',
    checksumOff: 'Parts are sent without an MD5 check: {message}',
    checksumWorkerOrigin:
      "Parts are sent without an MD5 check: the checksum worker is on {origin}, another site than this page, and browsers start workers only from the page's own site. Serve a copy of the worker from this site and set the uploader's worker-url to it.",
    misconfigured: 'The uploader is not configured: {message}',
    tooDeep: {
      one: '{count} folder was nested too deeply to read; its files were not added.',
      other: '{count} folders were nested too deeply to read; their files were not added.',
    },
    unreadable: { one: '{count} dropped item could not be read and was not added.', other: '{count} dropped items could not be read and were not added.' },
  },
  announce: {
    added: { one: '{count} file added.', other: '{count} files added.' },
    rejected: { one: '{count} file not added: {reason}', other: '{count} files not added. First: {reason}' },
    success: '{name} uploaded.',
    error: '{name} failed: {message}',
    paused: '{name} paused.',
    resumed: '{name} resumed.',
    aborted: '{name} cancelled.',
    renamed: '{name} renamed to {to}.',
    deleted: '{name} deleted from the server.',
    allDone: { one: 'Upload finished: {count} file uploaded.', other: 'All uploads finished: {count} files uploaded.' },
    allDoneWithFailures: 'Uploads finished: {done} uploaded, {failed} failed.',
  },
};

/** `{name}`-style placeholders, filled as text (the result is rendered by Lit, escaped). */
export function fill(template: string, values: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === undefined ? whole : String(values[key])));
}

/** Distributive, so a plural text (`string | { one, other }`) can be given in part too. */
type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type UploaderI18nInput = DeepPartial<UploaderI18n>;

export function mergeI18n(base: UploaderI18n, patch: UploaderI18nInput | undefined): UploaderI18n {
  return deepMerge(base, patch ?? {}) as UploaderI18n;
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlain(base) || !isPlain(patch)) return patch === undefined ? base : patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
