/**
 * The servers and the browser the bench talks to: the reference server (demo/server,
 * one for every mode, a second one in S3 mode for sp-s3), the Ceph RADOS Gateway behind
 * that second one, and Chromium. Each is stopped by the cleanup (processes.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser } from 'playwright';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/support/chromium.mjs';
import { startRadosgw, type Radosgw } from '../test/support/radosgw.mjs';
import { startReferenceServer } from '../test/support/server-process.mjs';
import { DEMO_PAGE_TOKEN, SP_TOKEN } from './config.js';
import { serverPids } from './cpu.js';
import { log, notStopping, onCleanup, track, untrack, withTimeout } from './processes.js';
import { f1 } from './stats.js';

export interface Server {
  readonly origin: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/**
 * The reference server on an ephemeral 127.0.0.1 port, serving the built pages from
 * `publicDir` (test/support/server-process.mjs, shared with the tests); `env` adds to the
 * environment (the S3_* variables of the S3 mode).
 */
export async function startServer(publicDir: string, dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  notStopping();
  const server = await startReferenceServer({
    dataDir,
    publicDir,
    // Without --demo the server needs API_TOKENS (main.ts); the bench is its only client. The demo page's
    // <asset-library> lists the registry with the page's own token (demo/demo.ts, `demo-token`): without it
    // that list answers 401, a console error that fails every element run.
    env: { API_TOKENS: `${SP_TOKEN}=assets,assets_publish,assets_delete;${DEMO_PAGE_TOKEN}=assets`, ...env },
  });
  const { child, pid } = server;
  track(child);
  if (pid !== undefined) serverPids.add(pid);
  const stop = async (): Promise<void> => {
    await server.stop();
    untrack(child);
    if (pid !== undefined) serverPids.delete(pid);
  };
  return { origin: server.origin, dataDir, stop };
}

export function launch(): Promise<Browser> {
  notStopping();
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // `gc()` in the page and its workers, for the memory part's reading after a forced collection.
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
    timeout: 60_000,
    // Our own signal handlers close the browser, the server and the temporary folder, in that order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** sp-s3: the RADOS Gateway, the reference server in S3 mode in front of it, and a client to read back and delete. */
export interface ObjectStore {
  readonly rgw: Radosgw;
  readonly server: Server;
  readonly client: S3Client;
}

/**
 * Writes and deletes a 1-byte multipart object before anything is timed: RGW creates its
 * data pools on first use, which is setup, not upload time.
 */
async function warmUp(rgw: Radosgw, client: S3Client): Promise<void> {
  const Key = 'bench-warm-up';
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: rgw.bucket, Key }));
  const part = await client.send(new UploadPartCommand({ Bucket: rgw.bucket, Key, UploadId: created.UploadId, PartNumber: 1, Body: new Uint8Array([0]) }));
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: rgw.bucket,
      Key,
      UploadId: created.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  await client.send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key }));
}

/** "ceph version 16.2.15 (...) pacific (stable)" -> "Ceph 16.2.15 (pacific)". */
export function cephVersion(): string {
  try {
    const text = execFileSync('radosgw', ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const match = /ceph version (\S+) \([0-9a-f]+\) (\w+)/.exec(text);
    return match ? `Ceph ${match[1]} (${match[2]})` : text;
  } catch {
    return 'Ceph (version unknown)';
  }
}

/** sp-s3 only: the RADOS Gateway, warmed up, and a second reference server in S3 mode in front of it. */
export async function startObjectStore(publicDir: string, work: string, memstoreBytes: number): Promise<ObjectStore> {
  const rgw = await withTimeout(startRadosgw({ memstoreBytes }), 120_000, 'RADOS Gateway start');
  onCleanup(() => rgw.stop());
  const client = new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  onCleanup(async () => client.destroy());
  await withTimeout(warmUp(rgw, client), 30_000, 'RGW warm-up');
  const s3Server = await startServer(publicDir, join(work, 'data-s3'), {
    S3_ENDPOINT: rgw.endpoint,
    S3_BUCKET: rgw.bucket,
    S3_REGION: rgw.region,
    S3_ACCESS_KEY: rgw.accessKey,
    S3_SECRET_KEY: rgw.secretKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  onCleanup(() => s3Server.stop());
  log(
    `bench: ${cephVersion()} RADOS Gateway at ${rgw.endpoint} (memstore ${f1(memstoreBytes / 1024 ** 3)} GiB); S3-mode reference server at ${s3Server.origin}`,
  );
  return { rgw, server: s3Server, client };
}
