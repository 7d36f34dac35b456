/**
 * Bearer tokens and scopes of the phased API.
 *
 * Why this exists: the API the phased routes mirror is protected by OAuth-style
 * bearer tokens with scopes (`assets`, `assets_publish`, `assets_delete`), and
 * a client must be tested against a server that really refuses a missing
 * token (401) and a missing scope (403). Tokens come from API_TOKENS, written
 * `tok1=assets,assets_publish;tok2=assets`; a malformed value stops the server
 * at startup instead of silently locking people out (or letting them in).
 *
 * A presented token is compared with every known token in constant time
 * (both sides hashed to equal length first), so neither the comparison nor
 * the number of comparisons depends on how much of a token was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Owner } from './limits.js';
import { ApiError } from './errors.js';

export const SCOPES = ['assets', 'assets_publish', 'assets_delete'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * The demo's tokens (`npm start`, `--demo`, without API_TOKENS). Published in the
 * README, so they are a credential nobody owns: only main.ts's demo mode uses them.
 */
export const DEFAULT_API_TOKENS = 'demo-token=assets,assets_publish,assets_delete';

export type ApiTokens = ReadonlyMap<string, ReadonlySet<string>>;

/** The tokens of DEFAULT_API_TOKENS: anyone may hold them, wherever a server accepts them. */
const PUBLISHED_TOKENS: ReadonlySet<string> = new Set(DEFAULT_API_TOKENS.split(';').map((entry) => entry.slice(0, entry.indexOf('='))));

/**
 * True when `tokens` holds a published token (`demo-token`), as the demo's default or
 * listed in API_TOKENS: every web page can then send it, so core/cors.ts must not grant
 * an unlisted origin anything.
 */
export function acceptsPublishedToken(tokens: ApiTokens | undefined): boolean {
  return tokens !== undefined && [...tokens.keys()].some((token) => PUBLISHED_TOKENS.has(token));
}

// RFC 6750 b64token characters, without "=" (it separates a token from its scopes here).
const TOKEN = /^[A-Za-z0-9\-._~+/]+$/;

/** Parses the API_TOKENS form strictly; throws an Error whose message says what is wrong. */
export function parseApiTokens(value: string, variable = 'API_TOKENS'): Map<string, Set<string>> {
  const text = value.trim();
  const expected = `"token=scope,scope;token=scope" with scopes from ${SCOPES.join(', ')}`;
  if (text === '') throw new Error(`${variable} is empty; write ${expected}.`);
  const tokens = new Map<string, Set<string>>();
  for (const [index, entry] of text.split(';').entries()) {
    const at = `${variable} entry ${index + 1}`;
    const equals = entry.indexOf('=');
    if (equals === -1) throw new Error(`${at} has no "="; write ${expected}.`);
    const token = entry.slice(0, equals);
    const scopeText = entry.slice(equals + 1);
    if (!TOKEN.test(token)) {
      throw new Error(`${at}: a token must be letters, digits and - . _ ~ + / only (no spaces or "=").`);
    }
    if (tokens.has(token)) throw new Error(`${at}: the same token is listed twice.`);
    const scopes = new Set<string>();
    for (const scope of scopeText.split(',')) {
      if (!(SCOPES as readonly string[]).includes(scope)) {
        throw new Error(`${at}: "${scope}" is not a scope; the scopes are ${SCOPES.join(', ')}.`);
      }
      scopes.add(scope);
    }
    tokens.set(token, scopes);
  }
  return tokens;
}

export interface Authenticator {
  /** The scopes of the request's bearer token; throws 401 when there is no known token. */
  scopesOf(req: IncomingMessage): ReadonlySet<string>;
}

export function createAuthenticator(tokens: ApiTokens): Authenticator {
  const known = [...tokens].map(([token, scopes]) => ({ digest: sha256(token), scopes }));
  return {
    scopesOf(req) {
      const header = req.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
      if (!match) {
        throw new ApiError(401, 'unauthorized', 'This API needs an "Authorization: Bearer <token>" header.', {
          headers: { 'WWW-Authenticate': 'Bearer realm="phased"' },
        });
      }
      const presented = sha256(match[1] ?? '');
      let found: ReadonlySet<string> | undefined;
      for (const candidate of known) {
        if (timingSafeEqual(candidate.digest, presented) && found === undefined) found = candidate.scopes;
      }
      if (found === undefined) {
        throw new ApiError(401, 'unauthorized', 'The bearer token is not known to this server.', {
          headers: { 'WWW-Authenticate': 'Bearer realm="phased", error="invalid_token"' },
        });
      }
      return found;
    },
  };
}

/**
 * Who a token-protected upload is counted against in core/limits.ts: a SHA-256 of the
 * request's bearer token, so that the ledger (and anything that might print it) never
 * holds the credential. Call it after `scopesOf` accepted the request.
 */
export function tokenOwner(req: IncomingMessage): Owner {
  const header = req.headers.authorization;
  const token = (typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header)?.[1] : undefined) ?? '';
  return { kind: 'token', id: sha256(token).toString('hex') };
}

/** Throws 403 insufficient_scope unless `scopes` holds `needed`. */
export function requireScope(scopes: ReadonlySet<string>, needed: Scope): void {
  if (scopes.has(needed)) return;
  throw new ApiError(403, 'insufficient_scope', `This request needs a token with the "${needed}" scope.`, {
    headers: { 'WWW-Authenticate': `Bearer realm="phased", error="insufficient_scope", scope="${needed}"` },
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
