/**
 * End-to-end support: the built demo served by a real reference-server process, a fault
 * proxy in front of it, and Debian's Chromium driven by Playwright.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.mjs';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.mjs';
import { startReferenceServer } from '../support/server-process.mjs';

export type { ProxyLogEntry as LogEntry } from '../support/fault-proxy.mjs';

export type { FaultProxy };

export interface Demo {
  origin: string;
  proxy: FaultProxy;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts `demo/server/main.ts --demo` (serving dist/demo) on an ephemeral port (test/support/server-process.mjs). */
export async function startDemo(): Promise<Demo> {
  const dataDir = await mkdtemp(join(tmpdir(), 'asset-uploader-e2e-'));
  const server = await startReferenceServer({ dataDir, args: ['--demo'] }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const proxy = await startFaultProxy(server.origin);
  return {
    origin: server.origin,
    proxy,
    dataDir,
    async stop() {
      await proxy.close();
      await server.stop({ hard: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
}

/** A file of random bytes on disk (big test files live on disk, not in page memory). */
export async function fileOnDisk(dir: string, name: string, size: number): Promise<{ path: string; sha256: string }> {
  const bytes = randomBytes(size);
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** SHA-256 of what a store of the reference server holds for an upload id. */
export async function storedSha256(dataDir: string, id: string, store: 'content-range' | 'tus' | 'tus-md5' = 'content-range'): Promise<string> {
  const file = store === 'content-range' ? join(dataDir, store, `${id}.bin`) : join(dataDir, store, id);
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Polls `read` until `accept` holds; bounded. */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
