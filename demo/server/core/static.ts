/**
 * Static files for the demo page (only with `--demo` or PUBLIC_DIR).
 *
 * Why this exists: `npm start` should show the component working against this
 * server from one origin, without another dependency. It serves regular files
 * under one directory and nothing else: the decoded path is resolved, both it
 * and its real path (after symlinks) must stay inside the directory, there is
 * no directory listing (a directory serves its index.html or is a 404), and
 * HTML gets a strict Content-Security-Policy; in the S3 mode its connect-src
 * also names the S3 endpoint, where the page PUTs parts.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { ApiError } from './errors.js';

/** The page's policy; `connectOrigins` are other origins it may send requests to (an S3 endpoint the browser PUTs parts to). */
export function contentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type StaticHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void>;

export function createStaticHandler(publicDir: string, connectOrigins: readonly string[] = []): StaticHandler {
  const policy = contentSecurityPolicy(connectOrigins);
  const root = resolve(publicDir);
  let realRoot: string | undefined;

  const inside = (base: string, candidate: string): boolean => candidate === base || candidate.startsWith(base.endsWith(sep) ? base : base + sep);

  const notFound = (): ApiError => new ApiError(404, 'not_found', 'There is no such page or file.');

  /** The file to serve for `pathname`, or undefined. */
  async function locate(pathname: string): Promise<string | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      throw new ApiError(400, 'bad_path', 'The path is not valid percent-encoded UTF-8.');
    }
    if (decoded.includes('\0')) throw new ApiError(400, 'bad_path', 'The path contains a NUL character.');
    let candidate = resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
    if (!inside(root, candidate)) return undefined;
    try {
      let info = await stat(candidate);
      if (info.isDirectory()) {
        candidate = join(candidate, 'index.html');
        info = await stat(candidate);
      }
      if (!info.isFile()) return undefined;
      realRoot ??= await realpath(root);
      const real = await realpath(candidate);
      return inside(realRoot, real) ? real : undefined;
    } catch {
      return undefined;
    }
  }

  return async (req, res, pathname) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      throw new ApiError(405, 'method_not_allowed', 'Static files accept GET, HEAD, OPTIONS.', {
        headers: {
          Allow: 'GET, HEAD, OPTIONS',
        },
      });
    }
    const file = await locate(pathname);
    if (!file) throw notFound();
    const info = await stat(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.statusCode = 200;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(info.size));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-cache');
    if (type.startsWith('text/html')) {
      res.setHeader('Content-Security-Policy', policy);
      res.setHeader('Referrer-Policy', 'no-referrer');
    }
    if (method === 'HEAD' || info.size === 0) {
      res.end();
      return;
    }
    await new Promise<void>((done) => {
      const body = createReadStream(file, { start: 0, end: info.size - 1 });
      body.on('error', () => {
        res.destroy();
        done();
      });
      res.on('close', () => {
        body.destroy();
        done();
      });
      body.pipe(res);
    });
  };
}
