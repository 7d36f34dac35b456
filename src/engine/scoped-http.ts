/**
 * Credentials go to the endpoint's origin only (DESIGN: security principles).
 *
 * Every adapter's requests pass through here: the configured headers (an
 * `Authorization` bearer, say) and `withCredentials` are attached only when the
 * request's origin is the endpoint's. A signed URL on an object store gets exactly the
 * headers its signer gave and nothing of ours (also on the endpoint's own origin, when
 * the adapter marks the request `anonymous`). This is the one place that decides it.
 */
import type { HttpRequest, HttpResponse, HttpStack } from './http.js';

export class ScopedHttpStack implements HttpStack {
  readonly #inner: HttpStack;
  readonly #origin: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #withCredentials: boolean;

  constructor(inner: HttpStack, endpoint: string, headers: Readonly<Record<string, string>>, withCredentials: boolean) {
    this.#inner = inner;
    this.#origin = new URL(endpoint).origin;
    this.#headers = headers;
    this.#withCredentials = withCredentials;
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    if (request.anonymous || new URL(request.url).origin !== this.#origin) {
      return this.#inner.request({ ...request, withCredentials: false });
    }
    return this.#inner.request({
      ...request,
      headers: { ...this.#headers, ...request.headers },
      withCredentials: this.#withCredentials,
    });
  }
}
