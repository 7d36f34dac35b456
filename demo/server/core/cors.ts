/**
 * CORS for every route, tus included (tus/routes.ts asks this module too).
 *
 * Why this exists: the component is usually served from another origin than
 * the upload API (a dev server, a test runner, a proxy on another port), and a
 * resumable client must be able to read `Range` and `Location` from the
 * responses, which browsers hide unless they are exposed.
 *
 * The rule (README, "Security"):
 * - With an allow-list (CORS_ORIGINS), a listed origin is echoed with
 *   `Access-Control-Allow-Credentials: true` (so `with-credentials` pages can
 *   send cookies), and every other origin, `null` included, gets no CORS
 *   headers at all, which makes the browser refuse the response.
 * - The server's own origin (the one its Host header names) is always echoed,
 *   never with credentials: its own pages need no CORS, so this grants nothing.
 * - Without an allow-list, any origin but `null` is echoed, never with
 *   credentials, but only when the server accepts no published token: the APIs
 *   then take bearer tokens that a page must hold to send, so reading an answer
 *   across origins grants nothing; a cookie, which every page's requests carry,
 *   must never be honoured for an origin nobody listed.
 * - When the server accepts a published token (`demo-token`, core/auth.ts), every
 *   page holds it: any website the developer visits could list and delete the
 *   uploads on 127.0.0.1. Then only the own origin and listed origins get CORS.
 * - `*` in the list is the explicit opt-in to any origin (never with
 *   credentials), published token or not.
 * - `null` (sandboxed frames, `file:` pages, some redirects) is never allowed:
 *   any page can make its requests say `null`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
export const ALLOWED_HEADERS = 'Content-Type, Content-Range, Content-MD5, Authorization, x-amz-date';
export const EXPOSED_HEADERS = 'Range, Location, Retry-After, ETag';
export const MAX_AGE_SECONDS = '600';

/** What a route family allows and exposes (the defaults are the JSON APIs'; tus/routes.ts has its own). */
export interface CorsHeaderSet {
  readonly methods: string;
  readonly allowedHeaders: string;
  readonly exposedHeaders: string;
}

const DEFAULT_SET: CorsHeaderSet = { methods: ALLOWED_METHODS, allowedHeaders: ALLOWED_HEADERS, exposedHeaders: EXPOSED_HEADERS };

export interface CorsPolicy {
  /** Adds the CORS response headers; returns true when it answered a preflight (nothing more to do). */
  apply(req: IncomingMessage, res: ServerResponse, set?: CorsHeaderSet): boolean;
  /** The CORS headers of an ordinary (not preflight) response to `req`, for responses written by other code (tus/routes.ts). */
  headersFor(req: IncomingMessage, set?: CorsHeaderSet): Record<string, string>;
  /** True for a preflight: OPTIONS with Access-Control-Request-Method. */
  isPreflight(req: IncomingMessage): boolean;
}

/** Parses the CORS_ORIGINS form: comma-separated origins (`*`: any origin), blanks ignored. Empty means "no allow-list". */
export function parseOriginList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
}

/** In CORS_ORIGINS: any origin but `null` is echoed, never with credentials (an explicit opt-in). */
export const ANY_ORIGIN = '*';

export interface CorsOptions {
  /**
   * The server accepts a published token (core/auth.ts acceptsPublishedToken): without
   * `*` in the list, only its own origin and the listed ones get CORS.
   */
  readonly publishedToken?: boolean | undefined;
}

export function createCors(allowedOrigins: readonly string[] = [], options: CorsOptions = {}): CorsPolicy {
  const allowList = new Set(allowedOrigins.filter((origin) => origin !== ANY_ORIGIN));
  const anyOrigin = allowedOrigins.includes(ANY_ORIGIN) || (allowList.size === 0 && options.publishedToken !== true);
  /** undefined: no CORS headers; otherwise whether credentials are allowed too. */
  const grant = (req: IncomingMessage): { origin: string; credentials: boolean } | undefined => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || origin.length === 0 || origin === 'null') return undefined;
    if (allowList.has(origin)) return { origin, credentials: true };
    if (anyOrigin || isOwnOrigin(origin, req.headers.host)) return { origin, credentials: false };
    return undefined;
  };

  const headersFor = (req: IncomingMessage, set: CorsHeaderSet = DEFAULT_SET): Record<string, string> => {
    const headers: Record<string, string> = { Vary: 'Origin' };
    const granted = grant(req);
    if (!granted) return headers;
    headers['Access-Control-Allow-Origin'] = granted.origin;
    if (granted.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    headers['Access-Control-Expose-Headers'] = set.exposedHeaders;
    return headers;
  };

  return {
    headersFor,
    isPreflight: (req) => req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined,

    apply(req, res, set = DEFAULT_SET) {
      for (const [name, value] of Object.entries(headersFor(req, set))) res.setHeader(name, value);
      if (req.method !== 'OPTIONS') return false;

      // Preflight (or a plain OPTIONS): answered here for every path.
      if (grant(req)) {
        res.setHeader('Access-Control-Allow-Methods', set.methods);
        res.setHeader('Access-Control-Allow-Headers', set.allowedHeaders);
        res.setHeader('Access-Control-Max-Age', MAX_AGE_SECONDS);
      }
      res.setHeader('Allow', set.methods);
      res.statusCode = 204;
      res.end();
      return true;
    },
  };
}

/** True when `origin` is http(s) on the host and port the request was sent to: a page of this server. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin && url.host === host.toLowerCase();
}
