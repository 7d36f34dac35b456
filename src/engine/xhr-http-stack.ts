/**
 * The browser's HTTP stack: XHR, because `fetch` has no upload progress and its
 * streaming request bodies need HTTP/2 (they fail over HTTP/1.1 in Chromium here).
 * XHR sends a `Blob` slice straight from disk, so memory stays flat whatever the size.
 *
 * A stall watchdog aborts a request that made no upload progress for `stallTimeoutMs`
 * (a half-dead connection otherwise hangs for minutes); the engine then re-syncs.
 */
import type { HttpRequest, HttpResponse, HttpStack } from './http.js';
import { UploadError, UploadErrorCode } from './upload-error.js';

export interface XhrHttpStackOptions {
  /** Abort when nothing moved for this long (ms). 0 turns it off. */
  stallTimeoutMs?: number;
}

export class XhrHttpStack implements HttpStack {
  readonly #stallTimeoutMs: number;

  constructor(options: XhrHttpStackOptions = {}) {
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const { signal } = request;
      if (signal?.aborted) {
        reject(new UploadError(UploadErrorCode.Aborted, 'The request was aborted before it started.'));
        return;
      }
      const xhr = new XMLHttpRequest();
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(stallTimer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const armStall = () => {
        if (this.#stallTimeoutMs <= 0) return;
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          finish(() => reject(new UploadError(UploadErrorCode.Stalled, `No progress for ${this.#stallTimeoutMs} ms; the connection looks stalled.`)));
          xhr.abort();
        }, this.#stallTimeoutMs);
      };
      const onAbort = () => {
        finish(() => reject(new UploadError(UploadErrorCode.Aborted, 'The request was aborted.')));
        xhr.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      xhr.open(request.method, request.url, true);
      xhr.withCredentials = request.withCredentials ?? false;
      for (const [name, value] of Object.entries(request.headers ?? {})) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => {
        armStall();
        request.onUploadProgress?.(event.loaded);
      };
      xhr.onprogress = armStall;
      xhr.onload = () =>
        finish(() => {
          const headers = exposedHeaders(xhr);
          resolve({
            status: xhr.status,
            url: xhr.responseURL || request.url,
            header: (name) => headers.get(name.toLowerCase()) ?? null,
            body: typeof xhr.responseText === 'string' ? xhr.responseText : '',
          });
        });
      // A network failure and a CORS refusal look the same to a page, by design.
      xhr.onerror = () =>
        finish(() => reject(new UploadError(UploadErrorCode.Network, `The request to ${originOf(request.url)} failed before an answer arrived.`)));
      xhr.ontimeout = xhr.onerror;
      armStall();
      xhr.send(request.body ?? null);
    });
  }
}

/**
 * The response headers the page may read. `getResponseHeader` of a header CORS does not
 * expose returns null but also logs "Refused to get unsafe header" in Chromium, once per
 * call; `getAllResponseHeaders` lists exactly the readable ones, silently. Repeated
 * headers come joined with ", ", as `getResponseHeader` would give them.
 */
function exposedHeaders(xhr: XMLHttpRequest): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of xhr.getAllResponseHeaders().split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return headers;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
