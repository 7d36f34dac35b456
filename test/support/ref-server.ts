/** The browser side of test/support/ref-server-plugin.mjs. */
import { executeServerCommand } from '@web/test-runner-commands';
import type { ProxyLogEntry } from './fault-proxy.mjs';

/** What the proxies recorded of one request (fault-proxy.mjs), and who received it. */
export interface LogEntry extends ProxyLogEntry {
  /** The object store (the S3 in `*.s3.test.ts` files, `/signed-parts/store/` otherwise) or the API. */
  target: 'api' | 'store';
}

export type FaultAction =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { type: 'reset' }
  | { type: 'corrupt' }
  | { type: 'location'; to: 'moved' | 'foreign' }
  | { type: 'throttle'; bytesPerSecond: number }
  | { type: 'delay'; ms: number }
  | { type: 'lose-answer' }
  | { type: 'hang' }
  | { type: 'kill' };

export interface FaultRule {
  /** Which proxy applies it: the API's (default) or the object store's (S3 test files; the API's in the embedded mode). */
  target?: 'api' | 'store';
  method?: string;
  path?: string;
  /** A substring of the request's Content-Range (`bytes 0-`: a part, not a status query). */
  contentRange?: string;
  nth?: number;
  times?: number;
  action: FaultAction;
}

export interface StoredUpload {
  size: number;
  sha256: string;
  /** The server's own record of the upload (its shape is the API's). */
  record: Record<string, unknown> & { complete?: boolean };
}

/** Which store of the reference server holds an upload. */
export type StoreName = 'content-range' | 'tus' | 'tus-md5' | 'phased' | 'session-assets';

/** Origins of this test file's own reference server and of the fault proxy in front of it. */
export function refServer(): Promise<{ proxy: string; direct: string }> {
  return executeServerCommand('ref-server');
}

/** The creation URL of a tus server (`@tus/server`), through the proxy; `tus-md5` announces md5 checksums. */
export async function tusEndpoint(store: 'tus' | 'tus-md5' = 'tus'): Promise<string> {
  return `${(await refServer()).proxy}/${store}/files`;
}

/** The phased API's assets collection, through the proxy. */
export async function phasedEndpoint(): Promise<string> {
  return `${(await refServer()).proxy}/phased/assets`;
}

/** The session API's sessions collection, through the proxy. */
export async function sessionEndpoint(): Promise<string> {
  return `${(await refServer()).proxy}/session/v1/upload_sessions.json`;
}

/** A real zip made by the server side (yazl), as a File. */
export async function makeZip(name: string, entries: Array<{ name: string; text: string }>): Promise<File> {
  const { base64 } = await executeServerCommand<{ base64: string }, { entries: typeof entries }>('ref-make-zip', { entries });
  return new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name, { type: 'application/zip', lastModified: 1_700_000_000_000 });
}

/** The signed-parts API's uploads collection, through the proxy. */
export async function signedPartsEndpoint(): Promise<string> {
  return `${(await refServer()).proxy}/signed-parts/api/v1/uploads`;
}

/** Tokens the test server knows (see ref-server-plugin.mjs). */
export const PHASED_FULL_TOKEN = 'test-full-token';
export const PHASED_UPLOAD_ONLY_TOKEN = 'test-upload-only';

/** The create URL of the content-range API, through the proxy. */
export async function contentRangeEndpoint(): Promise<string> {
  return `${(await refServer()).proxy}/content-range/videos/upload.json`;
}

export async function setFaults(rules: FaultRule[]): Promise<void> {
  await executeServerCommand('ref-faults', { rules });
}

export function requestLog(): Promise<LogEntry[]> {
  return executeServerCommand('ref-log');
}

/** The request log once it holds an answered request that `match` picks (bounded wait, 5 s). */
export async function logOnceAnswered(match: (entry: LogEntry) => boolean): Promise<LogEntry[]> {
  for (let i = 0; i < 200; i++) {
    const log = await requestLog();
    if (log.some((entry) => match(entry) && entry.status > 0)) return log;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the expected request was not answered within 5 s');
}

export async function clearLog(): Promise<void> {
  await executeServerCommand('ref-log-clear');
}

/** What the server has on disk for an upload id: size, SHA-256 of the bytes, its record. */
export async function stored(id: string, store: StoreName = 'content-range'): Promise<StoredUpload> {
  const found = await storedOrNull(id, store);
  if (!found) throw new Error(`the server has no upload ${id}`);
  return found;
}

export async function storedOrNull(id: string, store: StoreName = 'content-range'): Promise<StoredUpload | null> {
  const found = await executeServerCommand<StoredUpload | { missing: true }, { id: string; store: StoreName }>('ref-stored', { id, store });
  return 'missing' in found ? null : found;
}

/** SIGKILLs the reference server and starts a new process on the same port and data. */
export async function restartServer(): Promise<void> {
  await executeServerCommand('ref-restart');
}

/** Restarts the reference server with these extra environment variables (e.g. a short SIGNED_PARTS_TTL); none restores the defaults. */
export async function configureServer(env: Record<string, string> = {}): Promise<void> {
  await executeServerCommand('ref-restart', { env });
}

/** The object `key` as the S3 itself holds it (in `*.s3.test.ts` files): size and SHA-256, or null when there is none. */
export async function s3Object(key: string): Promise<{ size: number; sha256: string } | null> {
  const found = await executeServerCommand<{ size: number; sha256: string } | { missing: true }, { key: string }>('ref-s3-object', { key });
  return 'missing' in found ? null : found;
}

/** The registry API's assets collection of workspace `wrk_acme` (a fixture), through the proxy. */
export async function registryEndpoint(path = '/workspaces/wrk_acme/assets'): Promise<string> {
  return `${(await refServer()).proxy}/registry/v1${path}`;
}
