/**
 * A scripted HTTP stack for adapter tests: the test awaits the next request and answers
 * it, so a test reads like the protocol text (request, answer, request, answer).
 */
import type { HttpRequest, HttpResponse, HttpStack } from '../../src/engine/http.js';
import { UploadError, UploadErrorCode } from '../../src/engine/upload-error.js';

export interface PendingRequest {
  readonly request: HttpRequest;
  respond(status: number, headers?: Record<string, string>, body?: string): void;
  failNetwork(): void;
}

export class TestHttpStack implements HttpStack {
  readonly #pending: PendingRequest[] = [];
  readonly #waiters: Array<(pending: PendingRequest) => void> = [];
  readonly requests: HttpRequest[] = [];

  request(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    return new Promise((resolve, reject) => {
      const pending: PendingRequest = {
        request,
        respond: (status, headers = {}, body = '') => {
          const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
          resolve({ status, url: request.url, header: (name) => lower.get(name.toLowerCase()) ?? null, body });
        },
        failNetwork: () => reject(new UploadError(UploadErrorCode.Network, 'scripted network failure')),
      };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(pending);
      else this.#pending.push(pending);
    });
  }

  /** The next request the code under test makes (bounded wait). */
  next(timeoutMs = 2000): Promise<PendingRequest> {
    const queued = this.#pending.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no request within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push((pending) => {
        clearTimeout(timer);
        resolve(pending);
      });
    });
  }
}

/** Resolves what a promise settles to, as { value } or { error }, for asserting on either. */
export async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: UploadError }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as UploadError };
  }
}
