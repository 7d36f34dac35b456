/**
 * What `<asset-library>` asks of an assets API (the registry's, shared/seeds/004): one
 * page of assets, a rename, a delete. Plain `fetch`, no DOM.
 *
 * The bearer token goes to the endpoint's origin only, and cookies only when the page
 * asks (`withCredentials`): the library reads one API and links to downloads, nothing
 * else.
 */

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

/** A failed request, with the server's own sentence when it sent one. */
export class LibraryError extends Error {
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'LibraryError';
    this.status = status;
  }
}

export class LibraryApi {
  readonly #endpoint: string;
  readonly #token: string;
  readonly #withCredentials: boolean;

  /** `endpoint` is resolved against the page. */
  constructor(endpoint: string, token: string, withCredentials = false) {
    this.#endpoint = new URL(endpoint, globalThis.location?.href).href;
    this.#token = token;
    this.#withCredentials = withCredentials;
  }

  async list(query: ListQuery, signal?: AbortSignal): Promise<LibraryPage> {
    const url = new URL(this.#endpoint);
    url.searchParams.set('limit', String(query.limit));
    url.searchParams.set('page', String(query.page));
    if (query.assetType) url.searchParams.set('assetType', query.assetType);
    const body = await this.#request('GET', url.href, undefined, signal);
    const data = body['data'];
    if (!Array.isArray(data)) throw new LibraryError('The server sent no list of assets.');
    const pagination = ((body['meta'] as Record<string, unknown> | undefined)?.['pagination'] ?? {}) as Record<string, unknown>;
    const number = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback);
    return {
      assets: data.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null && typeof item['id'] === 'string').map(assetOf),
      page: number(pagination['current_page'], query.page),
      totalPages: Math.max(1, number(pagination['total_pages'], 1)),
      total: number(pagination['total'], data.length),
    };
  }

  async rename(asset: LibraryAsset, name: string, signal?: AbortSignal): Promise<LibraryAsset> {
    const body = await this.#request('PUT', this.#itemUrl(asset.id), { data: { file_name: name } }, signal);
    const data = body['data'];
    if (typeof data !== 'object' || data === null) throw new LibraryError('The server did not send the renamed asset back.');
    return assetOf(data as Record<string, unknown>);
  }

  async remove(asset: LibraryAsset, signal?: AbortSignal): Promise<void> {
    await this.#request('DELETE', this.#itemUrl(asset.id), undefined, signal);
  }

  #itemUrl(id: string): string {
    const url = new URL(this.#endpoint);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
    url.search = '';
    return url.href;
  }

  async #request(method: string, url: string, json: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    if (this.#token && new URL(url).origin === new URL(this.#endpoint).origin) headers['Authorization'] = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        credentials: this.#withCredentials ? 'include' : 'omit',
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new LibraryError(`The asset server at ${new URL(url).origin} could not be reached.`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const message = ((body as Record<string, Record<string, unknown>> | undefined)?.['error']?.['message'] as string | undefined) ?? '';
      throw new LibraryError(message ? `${message} (${response.status})` : `The server answered ${response.status}.`, response.status);
    }
    if (typeof body !== 'object' || body === null) throw new LibraryError('The server did not answer with JSON.');
    return body as Record<string, unknown>;
  }
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
