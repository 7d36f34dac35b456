/**
 * What `<asset-library>` asks of an assets API (the registry's, shared/seeds/004): one
 * page of assets, a rename, a delete. No DOM.
 *
 * It goes through the engine's HTTP seam (`HttpStack`, XHR in browsers, a scripted stack
 * in tests) and `ScopedHttpStack`, the one rule for credentials: the bearer token goes to
 * the endpoint's origin only, cookies only when the page asks (`withCredentials`). Every
 * failure is an `UploadError` with the engine's codes, so a page handles the uploader's
 * and the library's errors the same way.
 */

import { errorFromResponse, type HttpStack, jsonOf } from '../engine/http.js';
import { ScopedHttpStack } from '../engine/scoped-http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { XhrHttpStack } from '../engine/xhr-http-stack.js';
import { safeHref } from '../ui/safe-url.js';

/** One asset as the list shows it. */
export interface LibraryAsset {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  /** `audio`, `image`, `video` or `other` (the server's `asset_type`, else from the mimetype). */
  readonly type: string;
  readonly url?: string;
  readonly createdAt: string;
  /** The server's document, untouched. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface LibraryPage {
  readonly assets: readonly LibraryAsset[];
  readonly page: number;
  readonly totalPages: number;
  readonly total: number;
}

export interface ListQuery {
  readonly page: number;
  readonly limit: number;
  /** '' for every type. */
  readonly assetType: string;
}

export class LibraryApi {
  readonly #endpoint: string;
  readonly #http: HttpStack;

  /**
   * `endpoint` is resolved against the page. `http` is the stack under the credential
   * scope (XHR unless given; tests give a scripted one).
   */
  constructor(endpoint: string, token: string, withCredentials = false, http: HttpStack = new XhrHttpStack()) {
    this.#endpoint = new URL(endpoint, globalThis.location?.href).href;
    this.#http = new ScopedHttpStack(http, this.#endpoint, token ? { Authorization: `Bearer ${token}` } : {}, withCredentials);
  }

  async list(query: ListQuery, signal?: AbortSignal): Promise<LibraryPage> {
    const url = new URL(this.#endpoint);
    url.searchParams.set('limit', String(query.limit));
    url.searchParams.set('page', String(query.page));
    if (query.assetType) url.searchParams.set('assetType', query.assetType);
    const what = 'Loading the assets';
    const body = await this.#request('GET', url.href, undefined, what, signal);
    const data = body['data'];
    if (!Array.isArray(data)) throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server sent no list of assets.`);
    const pagination = ((body['meta'] as Record<string, unknown> | undefined)?.['pagination'] ?? {}) as Record<string, unknown>;
    const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback);
    return {
      assets: assetsOf(data),
      page: number(pagination['current_page'], query.page),
      totalPages: Math.max(1, number(pagination['total_pages'], 1)),
      total: number(pagination['total'], data.length),
    };
  }

  async rename(asset: LibraryAsset, name: string, signal?: AbortSignal): Promise<LibraryAsset> {
    const what = 'Renaming the asset';
    const body = await this.#request('PUT', this.#itemUrl(asset.id), { data: { file_name: name } }, what, signal);
    const data = body['data'];
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server did not send the renamed asset back.`);
    }
    return assetOf(data as Record<string, unknown>);
  }

  async remove(asset: LibraryAsset, signal?: AbortSignal): Promise<void> {
    await this.#request('DELETE', this.#itemUrl(asset.id), undefined, 'Deleting the asset', signal);
  }

  #itemUrl(id: string): string {
    const url = new URL(this.#endpoint);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
    url.search = '';
    return url.href;
  }

  /** The answer's JSON object (an empty body is `{}`); any other answer is an `UploadError`. */
  async #request(method: string, url: string, json: unknown, what: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const response = await this.#http.request({
      method,
      url,
      headers: json === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: json === undefined ? null : JSON.stringify(json),
      ...(signal ? { signal } : {}),
    });
    if (response.status < 200 || response.status > 299) throw errorFromResponse(response, what);
    return response.body === '' ? {} : jsonOf(response, what);
  }
}

/** The members that are assets (an object with a string id), each id once (the list is keyed by it). */
function assetsOf(data: readonly unknown[]): LibraryAsset[] {
  const seen = new Set<string>();
  const assets: LibraryAsset[] = [];
  for (const item of data) {
    if (typeof item !== 'object' || item === null || typeof (item as Record<string, unknown>)['id'] !== 'string') continue;
    const asset = assetOf(item as Record<string, unknown>);
    if (seen.has(asset.id)) continue;
    seen.add(asset.id);
    assets.push(asset);
  }
  return assets;
}

function assetOf(data: Record<string, unknown>): LibraryAsset {
  const mimetype = typeof data['mimetype'] === 'string' ? data['mimetype'] : '';
  const top = mimetype.split('/')[0] ?? '';
  const type = typeof data['asset_type'] === 'string' ? data['asset_type'] : ['audio', 'image', 'video'].includes(top) ? top : 'other';
  return {
    id: String(data['id']),
    name: typeof data['file_name'] === 'string' ? data['file_name'] : String(data['id']),
    size: typeof data['size'] === 'number' ? data['size'] : 0,
    type,
    // Only what the element may render as a link (http or https): ui/safe-url.ts, the one rule.
    ...(typeof data['link_download'] === 'string' && safeHref(data['link_download']) ? { url: data['link_download'] } : {}),
    createdAt: typeof data['created_at'] === 'string' ? data['created_at'] : '',
    raw: data,
  };
}
