/**
 * The reference server as a value: routes, CORS, error handling, lifecycle.
 *
 * Why this exists: `main.ts` runs it as a process, and tests start it
 * in-process with `createApp(...).listen(0, '127.0.0.1')` against a temporary
 * data directory, so both go through exactly the same code.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContentRangeApi, isContentRangePath, openKey as contentRangeKey } from './content-range/routes.js';
import { OpenUploads, type UploadLimits } from './core/limits.js';
import { createCors } from './core/cors.js';
import { acceptsPublishedToken, type ApiTokens } from './core/auth.js';
import { createPhasedApi, isPhasedPath } from './phased/routes.js';
import { createRegistryApi, isRegistryPath } from './registry/routes.js';
import { registryErrorShape } from './registry/errors.js';
import { createSessionApi, isSessionPath } from './session/routes.js';
import { createSignedPartsApi, isSignedPartsPath } from './signed-parts/routes.js';
import type { S3Config } from './signed-parts/s3.js';
import { createStaticHandler } from './core/static.js';
import { createTusApi, isTusPath } from './tus/routes.js';
import { UploadStore } from './content-range/store.js';
import { ApiError, DRAIN_LIMIT, jsonErrorShape, sendApiError, toApiError } from './core/errors.js';

export const DEFAULT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000;

export interface AppOptions {
  /** Where uploads are kept (created if missing). */
  readonly dataDir: string;
  /** Serve the demo page's files from here; no static files when absent. */
  readonly publicDir?: string | undefined;
  /** Largest file_size accepted, in bytes; unlimited when absent. */
  readonly maxFileSize?: number | undefined;
  /** Bytes `/tus-md5/files` may hold at once while it checks parts (tus/routes.ts; default 256 MiB). */
  readonly tusChecksumBufferBytes?: number | undefined;
  /**
   * Origins granted CORS with credentials; `*` grants any origin without credentials. When
   * absent or empty: any origin without credentials, unless apiTokens holds a published token
   * (`demo-token`), when only the server's own origin gets CORS (core/cors.ts).
   */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Fixed origin for the URLs handed out; default: the request's Host header. */
  readonly publicOrigin?: string | undefined;
  /** A connection silent for this long is dropped (default 120 s); it bounds how long a stalled upload holds its lock. */
  readonly idleTimeoutMs?: number | undefined;
  /**
   * A write request (content-range PUT, phased transfer) waiting for an upload whose
   * current writer has received nothing for this long releases it (default 1 s;
   * core/durable.ts KeyedLock says why).
   */
  readonly writeSilenceMs?: number | undefined;
  /** Time a client has to send a request's headers (default 20 s). */
  readonly headersTimeoutMs?: number | undefined;
  /** On close, how long requests in progress may finish before their connections are cut (default 2 s). */
  readonly closeGraceMs?: number | undefined;
  /** Bearer tokens of the token-protected APIs (phased, session, signed-parts, registry) and their scopes; none when absent, so those APIs refuse every request (main.ts gives the demo its DEFAULT_API_TOKENS only with --demo). */
  readonly apiTokens?: ApiTokens | undefined;
  /** Bytes per /phased transfer window (default 52428800). */
  readonly phasedChunkSize?: number | undefined;
  /** Where /phased asset events are POSTed; none when absent. */
  readonly webhookUrl?: string | undefined;
  /** Key of the events' X-Webhook-Signature HMAC; unsigned when absent. */
  readonly webhookSecret?: string | undefined;
  /** Key of the /session upload URL signatures (at least 16 bytes); default: a random key kept in DATA_DIR/session/signing.key. */
  readonly sessionSigningKey?: string | undefined;
  /** Lifetime of a /session upload URL in seconds (default 3600). */
  readonly sessionUrlTtl?: number | undefined;
  /** Key of the /signed-parts part signatures (at least 16 bytes); default: a random key kept in DATA_DIR/signed-parts/signing.key. */
  readonly signedPartsKey?: string | undefined;
  /** Lifetime of a /signed-parts signed part in seconds (default 900). */
  readonly signedPartsTtl?: number | undefined;
  /** Limits on unfinished uploads of every API, per client address, per bearer token and in all (core/limits.ts DEFAULT_LIMITS for what is not given). */
  readonly limits?: Partial<UploadLimits> | undefined;
  /** An unfinished upload (content-range, tus, phased asset, uncommitted session, signed-parts upload) with nothing new for this long is abandoned and removed (default 24 h). */
  readonly uploadTtlMs?: number | undefined;
  /** How often abandoned uploads are looked for (default 10 min, at most uploadTtlMs). */
  readonly sweepIntervalMs?: number | undefined;
  /** A real S3 for /signed-parts (and so the registry's objects); the embedded store when absent. */
  readonly s3?: S3Config | undefined;
}

export interface App {
  readonly server: Server;
  listen(port: number, host?: string): Promise<{ port: number }>;
  close(): Promise<void>;
  /** Resolves when no /phased webhook is queued or being delivered. */
  webhooksIdle(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const store = new UploadStore(options.dataDir, options.writeSilenceMs);
  // One ledger for every API, so that the total and the bytes reserved cover them all.
  const openUploads = new OpenUploads(options.limits);
  const phased = createPhasedApi({
    dataDir: options.dataDir,
    maxFileSize: options.maxFileSize,
    publicOrigin: options.publicOrigin,
    apiTokens: options.apiTokens,
    chunkSize: options.phasedChunkSize,
    writeSilenceMs: options.writeSilenceMs,
    webhookUrl: options.webhookUrl,
    webhookSecret: options.webhookSecret,
    openUploads,
  });
  const session = createSessionApi({
    dataDir: options.dataDir,
    maxFileSize: options.maxFileSize,
    publicOrigin: options.publicOrigin,
    apiTokens: options.apiTokens,
    signingKey: options.sessionSigningKey,
    urlTtl: options.sessionUrlTtl,
    openUploads,
  });
  const signedParts = createSignedPartsApi({
    dataDir: options.dataDir,
    maxFileSize: options.maxFileSize,
    publicOrigin: options.publicOrigin,
    apiTokens: options.apiTokens,
    signingKey: options.signedPartsKey,
    ttl: options.signedPartsTtl,
    s3: options.s3,
    openUploads,
  });
  const registry = createRegistryApi({
    dataDir: options.dataDir,
    objects: signedParts.objects,
    apiTokens: options.apiTokens,
    publicOrigin: options.publicOrigin,
  });
  const inits = [store.init(), phased.init(), session.init(), signedParts.init(), registry.init()];
  const ready = Promise.all(inits);
  ready.catch(() => {}); // reported by listen() and by each request
  // When one init fails, the others go on writing to DATA_DIR: close() waits for them.
  const initsSettled = Promise.allSettled(inits);

  // Any origin only when no published token is accepted, or with `*` (core/cors.ts).
  const cors = createCors(options.corsOrigins ?? [], { publishedToken: acceptsPublishedToken(options.apiTokens) });
  const api = createContentRangeApi({
    store,
    openUploads,
    maxFileSize: options.maxFileSize,
    publicOrigin: options.publicOrigin,
  });
  const tusApi = createTusApi({
    dataDir: options.dataDir,
    maxFileSize: options.maxFileSize,
    cors,
    openUploads,
    publicOrigin: options.publicOrigin,
    checksumBufferBytes: options.tusChecksumBufferBytes,
  });

  // The sweeper: abandoned unfinished uploads of every API lose their records and bytes
  // (each API's sweep also stops counting what it removed). One API's failure (S3
  // unreachable, say) is logged and does not stop the others' sweep.
  const ttlMs = options.uploadTtlMs ?? DEFAULT_UPLOAD_TTL_MS;
  const sweeps: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
    ['content-range', () => store.sweep(ttlMs, (id) => openUploads.release(contentRangeKey(id)))],
    ['tus', () => tusApi.sweep(ttlMs)],
    ['phased', () => phased.sweep(ttlMs)],
    ['session', () => session.sweep(ttlMs)],
    ['signed-parts', () => signedParts.sweep(ttlMs)],
  ];
  let sweeping: Promise<void> = Promise.resolve();
  const sweeper = setInterval(
    () => {
      sweeping = sweeping.then(async () => {
        if (
          !(await ready.then(
            () => true,
            () => false,
          ))
        )
          return;
        for (const [api, sweep] of sweeps) {
          await sweep().catch((err: unknown) => console.error(`asset-uploader server: sweeping abandoned ${api} uploads failed:`, err));
        }
      });
    },
    Math.min(options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS, ttlMs),
  );
  sweeper.unref();
  const serveStatic =
    options.publicDir === undefined ? undefined : createStaticHandler(options.publicDir, options.s3 ? [options.s3.publicEndpoint ?? options.s3.endpoint] : []);

  /** The one place a thrown error becomes an answer, in the shape of the API it was for. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname = '';
    try {
      pathname = pathnameOf(req.url);
      // tus paths: tus/routes.ts applies core/cors.ts itself (over what @tus/server writes).
      if (isTusPath(pathname)) return await tusApi.handle(req, res, pathname);
      if (cors.apply(req, res)) return;
      await ready;
      if (isContentRangePath(pathname)) await api(req, res, pathname);
      else if (isPhasedPath(pathname)) await phased.handle(req, res, pathname);
      else if (isSessionPath(pathname)) await session.handle(req, res, pathname);
      else if (isSignedPartsPath(pathname)) await signedParts.handle(req, res, pathname);
      else if (isRegistryPath(pathname)) await registry.handle(req, res, pathname);
      else if (serveStatic) await serveStatic(req, res, pathname);
      else throw new ApiError(404, 'not_found', 'There is nothing at this address.');
    } catch (err) {
      const shape = isSignedPartsPath(pathname) ? signedParts.errorShape(pathname) : isRegistryPath(pathname) ? registryErrorShape : jsonErrorShape;
      sendApiError(req, res, toApiError(err), shape, isPhasedPath(pathname) ? phased.drainLimit : DRAIN_LIMIT);
    }
  }

  const inFlight = new Set<Promise<void>>();
  // Node checks headersTimeout only this often (30 s by default, which made it ~50 s).
  const server = createServer({ connectionsCheckingInterval: 2_000 }, (req, res) => {
    const work: Promise<void> = handle(req, res)
      .catch((err: unknown) => {
        console.error('asset-uploader server: request failed:', err);
        res.destroy();
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  // Upload bodies may take long; what matters is that they keep moving (the idle
  // timeout below). Headers are small: a client that takes longer than this to send
  // them is holding a connection open, not uploading.
  server.requestTimeout = 0;
  server.headersTimeout = options.headersTimeoutMs ?? 20_000;
  server.setTimeout(options.idleTimeoutMs ?? 120_000);

  return {
    server,

    async listen(port, host = '127.0.0.1') {
      await ready;
      return new Promise<{ port: number }>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },

    async close() {
      clearInterval(sweeper);
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2_000);
        grace.unref();
        await closed;
        clearTimeout(grace);
      }
      await Promise.allSettled([...inFlight]);
      await initsSettled;
      await sweeping;
      await Promise.all([phased.close(options.closeGraceMs ?? 2_000), session.close()]);
    },

    webhooksIdle: () => phased.webhooksIdle(),
  };
}

/** The path of the request target, without query or fragment; absolute-form targets are accepted. */
function pathnameOf(target: string | undefined): string {
  const raw = target ?? '/';
  if (raw.startsWith('/')) return raw.replace(/[?#].*$/s, '');
  try {
    return new URL(raw).pathname;
  } catch {
    throw new ApiError(400, 'bad_path', 'The request target is not a path or an absolute URL.');
  }
}
