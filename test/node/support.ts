/**
 * Helpers shared by the in-process HTTP tests of the phased and session APIs
 * (phased.test.ts, session.test.ts).
 *
 * Why this exists: both suites start apps on 127.0.0.1 port 0 with a
 * temporary DATA_DIR, stop them and remove the directories at the end, and
 * check JSON answers and error documents the same way; one copy keeps the
 * suites' conventions (time limits, what an error document must look like)
 * from drifting apart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../demo/server/app.js';
import type { App, AppOptions } from '../../demo/server/app.js';

/** Time limit of every request. */
export const REQUEST_TIMEOUT_MS = 5_000;

export type Json = Record<string, unknown>;

export interface Running {
  readonly app: App;
  readonly base: string;
  readonly dataDir: string;
}

export interface Harness {
  /** A new temporary directory, removed by `removeTempDirs`. */
  tempDir(): Promise<string>;
  /** Starts an app with the harness's defaults, then `options`; its data directory is a new temporary one unless given. */
  start(options?: Partial<AppOptions>): Promise<Running>;
  /** Closes every app started. */
  stopApps(): Promise<void>;
  /** Removes every temporary directory made. */
  removeTempDirs(): Promise<void>;
}

/** Apps and temporary directories (named `<prefix>…`) for one test file; call stopApps and removeTempDirs in `after`. */
export function harness(prefix: string, defaults: Partial<AppOptions>): Harness {
  const started: App[] = [];
  const tempDirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    tempDirs.push(dir);
    return dir;
  };
  return {
    tempDir,
    async start(options = {}) {
      const dataDir = options.dataDir ?? (await tempDir());
      const app = createApp({ ...defaults, ...options, dataDir });
      started.push(app);
      const { port } = await app.listen(0, '127.0.0.1');
      return { app, base: `http://127.0.0.1:${port}`, dataDir };
    },
    async stopApps() {
      await Promise.allSettled(started.map((app) => app.close()));
    },
    async removeTempDirs() {
      await Promise.allSettled(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

/** fetch with a time limit and, unless `token` is null, `Authorization: Bearer <token>` (default `defaultToken`). */
export function fetchWithToken(url: string, init: RequestInit & { token?: string | null }, defaultToken: string): Promise<Response> {
  const { token = defaultToken, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('Authorization', `Bearer ${token}`);
  return fetch(url, { ...rest, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** The JSON body of `response`, after checking its status and media type. */
export async function json<R = Json>(response: Response, status: number): Promise<R> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return JSON.parse(text) as R;
}

/** The error document of `response`, after checking its status, its code and that its message is a sentence. */
export async function errorOf(response: Response, status: number, code: string): Promise<Json> {
  const body = await json(response, status);
  const error = body['error'] as { code?: unknown; message?: unknown };
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 10, 'the message is a sentence');
  return body;
}
