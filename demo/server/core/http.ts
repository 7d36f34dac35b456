/**
 * HTTP plumbing shared by the APIs (content-range/routes.ts, phased/routes.ts, session/routes.ts).
 *
 * Why this exists: the three APIs were written separately but serve files
 * and read requests the same way: a download is an attachment with the same
 * safety headers, small bodies are read whole with a limit, and URLs handed
 * out are built from the origin the client addressed. Keeping one copy keeps
 * the APIs from drifting apart; what differs (their error types) is passed
 * in.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { LockHolder } from './durable.js';
import { ApiError } from './errors.js';

// A UTF-16 surrogate without its partner (encodeURIComponent throws on one).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * An RFC 6266 Content-Disposition with an ASCII fallback and the exact UTF-8 name.
 * Total for any string: controls (CR/LF included), quotes, `%` and `\` never reach the
 * quoted fallback, and `filename*` is percent-encoded, so a name can neither fail the
 * response nor add a header.
 */
export function contentDisposition(name: string): string {
  const wellFormed = name.replace(LONE_SURROGATE, '\ufffd');
  const ascii = wellFormed.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(wellFormed).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Serves `body` (exactly `size` bytes) as a download named `name`: always
 * application/octet-stream with nosniff (never the declared type, which could
 * make the browser run an uploaded page on this origin), not cached. A HEAD
 * request gets the headers only. Resolves once the response is done; a read
 * failure is logged and drops the connection.
 */
export async function sendDownload(req: IncomingMessage, res: ServerResponse, body: Readable, name: string, size: number): Promise<void> {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', contentDisposition(name));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', String(size));
  res.setHeader('Cache-Control', 'no-store');
  if (req.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    body.on('error', (err) => {
      console.error('asset-uploader server: download failed:', err);
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

/** The media type of the request, lower-case, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** `scheme://host` when `host` (a Host header) is a host and port that a URL can hold; else undefined. */
export function hostOrigin(scheme: 'http' | 'https', host: string | null | undefined): string | undefined {
  if (!host || !/^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.test(host)) return undefined;
  return URL.canParse(`${scheme}://${host}`) ? `${scheme}://${host}` : undefined;
}

/**
 * The origin the client addressed, from the Host header; the socket's address when Host is
 * unusable (not a host and port, or one a URL cannot hold: port 99999, `[:::]`).
 */
export function requestOrigin(req: IncomingMessage): string {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const named = hostOrigin(scheme, req.headers.host);
  if (named !== undefined) return named;
  const address = req.socket.localAddress ?? '127.0.0.1';
  const shown = address.includes(':') ? `[${address}]` : address;
  return `${scheme}://${shown}:${req.socket.localPort ?? 80}`;
}

/** The errors readBody fails with, in the caller's error type. */
export interface BodyErrors {
  /** The body has more than the limit. */
  readonly tooLarge: () => Error;
  /** The body ended before it was complete. */
  readonly incomplete: () => Error;
}

/** Reads a whole (small) body, failing with `errors.tooLarge()` past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, errors: BodyErrors): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFail);
      req.off('close', onFail);
    };
    const onData = (chunk: Buffer): void => {
      length += chunk.length;
      if (length > limit) {
        cleanup();
        req.pause();
        reject(errors.tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onFail = (): void => {
      cleanup();
      reject(errors.incomplete());
    };
    if (requestGone(req)) {
      reject(errors.incomplete());
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFail);
    req.on('close', onFail);
  });
}

/**
 * Whether the client went away before sending its whole body. Readers that start late
 * (after waiting for a lock or loading a record) must ask this first: the request's
 * 'close' may already have passed, and a reader that only listens for it then waits
 * for a body that never comes, holding whatever it holds, for good.
 */
export function requestGone(req: IncomingMessage): boolean {
  return !req.complete && (req.destroyed || req.socket?.destroyed === true);
}

/**
 * The request as a lock holder (core/durable.ts KeyedLock): its progress is the bytes its
 * socket has read; releasing it destroys the socket while the body is still
 * incoming (the part fails and is truncated away), and does nothing once the body is
 * complete (the request is then only writing to disk, and finishes on its own).
 */
export function requestHolder(req: IncomingMessage): LockHolder {
  return {
    progress: () => req.socket?.bytesRead ?? 0,
    release: () => {
      if (!req.complete) req.socket?.destroy();
    },
    gone: () => requestGone(req),
  };
}

/** Reads `Content-MD5`: base64 of a 16-byte digest, or absent. */
export function parseContentMd5(header: string | undefined): Buffer | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value)) {
    throw new ApiError(400, 'bad_content_md5', 'Content-MD5 must be the base64 encoding of a 16-byte MD5 digest.');
  }
  return Buffer.from(value, 'base64');
}
