/**
 * The HTTP seam. Adapters get their HTTP through this interface so that browsers use
 * XHR (the only browser API with upload progress) and adapter tests use a scripted
 * stack that answers like the protocol text.
 */
import { UploadError, UploadErrorCode } from './upload-error.js';

export type HttpBody = Blob | FormData | string | null;

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: HttpBody;
  readonly withCredentials?: boolean;
  /** A signed URL: send exactly these headers, none of the endpoint's credentials, even on its origin. */
  readonly anonymous?: boolean;
  readonly signal?: AbortSignal;
  /** Bytes of the body sent so far. */
  readonly onUploadProgress?: (loaded: number) => void;
}

export interface HttpResponse {
  readonly status: number;
  readonly url: string;
  header(name: string): string | null;
  readonly body: string;
}

export interface HttpStack {
  /** Resolves with any HTTP status; rejects with `UploadError` (network, stalled, aborted) only. */
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** The server's JSON error, when it sent one: `{"error": {"code", "message"}}` or `{"code","message"}`. */
export function serverErrorOf(response: HttpResponse): { code?: string; message?: string } {
  try {
    const json: unknown = JSON.parse(response.body);
    if (json && typeof json === 'object') {
      const inner = (json as { error?: unknown }).error;
      const source = (inner && typeof inner === 'object' ? inner : json) as Record<string, unknown>;
      return {
        code: typeof source['code'] === 'string' ? source['code'] : undefined,
        message: typeof source['message'] === 'string' ? source['message'] : typeof inner === 'string' ? inner : undefined,
      };
    }
  } catch {
    // Not JSON: the status alone tells what happened.
  }
  return {};
}

/**
 * Maps an unsuccessful status to the engine's error vocabulary. Adapters call this for
 * any status their protocol does not give a meaning of its own.
 */
export function errorFromResponse(response: HttpResponse, what: string): UploadError {
  const { status } = response;
  const server = serverErrorOf(response);
  const detail = server.message ? `: ${server.message}` : '';
  const options = { status, serverCode: server.code, serverMessage: server.message };
  if (status === 408) return new UploadError(UploadErrorCode.RequestTimeout, `${what} timed out on the server (408)${detail}`, options);
  if (status === 429) {
    return new UploadError(UploadErrorCode.RateLimited, `${what} was rate limited (429)${detail}`, {
      ...options,
      retryAfterMs: parseRetryAfter(response.header('Retry-After')),
    });
  }
  if (status >= 500) {
    return new UploadError(UploadErrorCode.ServerError, `${what} failed on the server (${status})${detail}`, {
      ...options,
      retryAfterMs: parseRetryAfter(response.header('Retry-After')),
    });
  }
  if (status === 401 || status === 403) return new UploadError(UploadErrorCode.Unauthorized, `${what} was refused (${status})${detail}`, options);
  if (status >= 400) return new UploadError(UploadErrorCode.ClientError, `${what} was rejected (${status})${detail}`, options);
  return new UploadError(UploadErrorCode.BadResponse, `${what} got an unexpected answer (${status})`, options);
}

/** Parses a JSON body or throws `bad_response`. */
export function jsonOf(response: HttpResponse, what: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(response.body);
    if (json && typeof json === 'object' && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch (cause) {
    throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server's answer is not JSON.`, { status: response.status, cause });
  }
  throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server's answer is not a JSON object.`, { status: response.status });
}

/** `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
