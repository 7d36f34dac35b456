/**
 * The one error type of the engine and the adapters.
 *
 * Adapters never retry: they throw an `UploadError` whose stable `code` the retry
 * policy reads and the element turns into i18n text. `message` is English for
 * developers and logs; people see the element's translated text for the code.
 */
export const UploadErrorCode = {
  /** The request never got an HTTP answer (offline, reset, DNS, CORS refusal). */
  Network: 'network',
  /** No upload progress for longer than the stall timeout; aborted to resume. */
  Stalled: 'stalled',
  /** 408 from the server. */
  RequestTimeout: 'request_timeout',
  /** 429 from the server; `retryAfterMs` carries `Retry-After` when given. */
  RateLimited: 'rate_limited',
  /** 5xx from the server. */
  ServerError: 'server_error',
  /** The server rejected a part's checksum; that part is sent again, a bounded number of times. */
  ChecksumMismatch: 'checksum_mismatch',
  /** The server holds a different offset than the one sent; re-sync and continue. */
  OffsetMismatch: 'offset_mismatch',
  /** Any other 4xx: a client error that retrying will not fix. */
  ClientError: 'client_error',
  /** 401/403: the credentials were refused. */
  Unauthorized: 'unauthorized',
  /** A signed URL expired or was refused by its store: ask the API for a fresh one. */
  UrlExpired: 'url_expired',
  /** The server no longer knows the upload (404/410 on a saved session). */
  SessionExpired: 'session_expired',
  /** The server cannot take a streaming PUT (405, 415, 501 on the first one). */
  StreamingUnsupported: 'streaming_unsupported',
  /** The server sent a `Location` outside the allowed origins. */
  LocationRefused: 'location_refused',
  /** The server's answer does not follow its protocol. */
  BadResponse: 'bad_response',
  /** The file cannot be read any more (changed or removed on disk after it was picked). */
  FileUnreadable: 'file_unreadable',
  /** The checksum worker could not start or crashed. */
  WorkerFailed: 'worker_failed',
  /** Cancelled or paused by the user or by teardown. */
  Aborted: 'aborted',
} as const;
export type UploadErrorCode = (typeof UploadErrorCode)[keyof typeof UploadErrorCode];

export interface UploadErrorOptions {
  status?: number;
  /** Delay the server asked for (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** The server's own error code from its JSON body, when it gave one. */
  serverCode?: string;
  /** The server's own sentence from its JSON body, when it gave one. */
  serverMessage?: string;
  cause?: unknown;
}

export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly code: UploadErrorCode;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly serverCode: string | undefined;
  readonly serverMessage: string | undefined;

  constructor(code: UploadErrorCode, message: string, options: UploadErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.serverCode = options.serverCode;
    this.serverMessage = options.serverMessage;
  }

  /** A plain, structured-cloneable view for event details and snapshots. */
  toJSON(): UploadErrorInfo {
    return {
      code: this.code,
      message: this.message,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.serverCode === undefined ? {} : { serverCode: this.serverCode }),
      ...(this.serverMessage === undefined ? {} : { serverMessage: this.serverMessage }),
    };
  }
}

export interface UploadErrorInfo {
  readonly code: UploadErrorCode;
  readonly message: string;
  readonly status?: number;
  readonly serverCode?: string;
  readonly serverMessage?: string;
}

export function isAbort(error: unknown): boolean {
  return error instanceof UploadError && error.code === UploadErrorCode.Aborted;
}

/** Wraps anything thrown into an `UploadError` without losing it. */
export function toUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new UploadError(UploadErrorCode.Aborted, 'The upload was aborted.', { cause: error });
  }
  if (error instanceof DOMException && error.name === 'NotReadableError') {
    return new UploadError(UploadErrorCode.FileUnreadable, 'The file could not be read; it may have changed on disk.', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UploadError(UploadErrorCode.BadResponse, message, { cause: error });
}
