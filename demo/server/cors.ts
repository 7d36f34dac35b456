/**
 * CORS for every route.
 *
 * Why this exists: the component is usually served from another origin than
 * the upload API (a dev server, a test runner, a proxy on another port), and a
 * resumable client must be able to read `Range` and `Location` from the
 * responses, which browsers hide unless they are exposed.
 *
 * The request Origin is echoed (never `*`) because credentials are allowed.
 * With an allow-list (CORS_ORIGINS), other origins get no CORS headers at all,
 * which makes the browser refuse the response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
export const ALLOWED_HEADERS = 'Content-Type, Content-Range, Content-MD5, Authorization, x-amz-date';
export const EXPOSED_HEADERS = 'Range, Location, Retry-After, ETag';
export const MAX_AGE_SECONDS = '600';

export interface CorsPolicy {
  /** Adds the CORS response headers; returns true when it answered a preflight (nothing more to do). */
  apply(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Parses the CORS_ORIGINS form: comma-separated origins, blanks ignored. Empty means "any origin". */
export function parseOriginList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin.length > 0);
}

export function createCors(allowedOrigins: readonly string[] = []): CorsPolicy {
  const allowList = new Set(allowedOrigins);
  const isAllowed = (origin: string): boolean => allowList.size === 0 || allowList.has(origin);

  return {
    apply(req, res) {
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      const origin = req.headers.origin;
      const allowed = typeof origin === 'string' && origin.length > 0 && isAllowed(origin);
      if (allowed) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Allow-Credentials', 'true');
      }
      if (req.method !== 'OPTIONS') return false;

      // Preflight (or a plain OPTIONS): answered here for every path.
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', MAX_AGE_SECONDS);
      }
      res.setHeader('Allow', ALLOWED_METHODS);
      res.statusCode = 204;
      res.end();
      return true;
    },
  };
}
