/// <reference lib="dom" />
/**
 * `npm run bench` has two parts, each writing its own section of bench/RESULTS.md:
 *   throughput  upload throughput of <asset-uploader> against a plain XHR PUT (this file, below)
 *   view        adding 1,000 and 10,000 files to the element, by a drop and by addFiles: time until the list is rendered,
 *               long tasks, rows and elements in its shadow DOM (bench/view.ts, bench/view-page.ts)
 * `BENCH_ONLY=view` or `BENCH_ONLY=throughput` runs one of them; unset, both run, in one
 * process: the pages are built once (vite, bench/vite.config.ts), one reference server serves
 * them and one Chromium runs them, view first (it needs neither the big file nor Ceph), then
 * throughput. Each part's section is written as soon as that part is done, replacing only that
 * section (between `<!-- bench:<name>:begin -->` and `<!-- bench:<name>:end -->`, bench/results.ts);
 * the other section stays as it was.
 *
 * Throughput: upload throughput of <asset-uploader> against a plain XHR PUT of the
 * same file, in Chromium, on loopback, against the reference server (demo/server).
 *
 * Per round, in an order that rotates from round to round:
 *   raw          one XHR PUT of the whole file without Content-Range (bench page)
 *   parts        XHR PUTs of 8 MiB parts with Content-Range, no element (bench page)
 *   off          the element, `no-checksum`, 8 MiB parts (demo page)
 *   on           the element with MD5, 8 MiB parts (demo page)
 *   sp-embedded  the element with `protocol="signed-parts"` (S3-style numbered parts, each
 *                PUT to a signed URL, `parallel-parts` 3 at a time, MD5 on, 8 MiB parts),
 *                the reference server being the object store too (demo page)
 *   sp-s3        the same element settings against a second reference server in S3 mode,
 *                the parts going from the browser straight to a Ceph RADOS Gateway
 *                (test/support/radosgw.mjs: one mon, one memstore OSD, on this machine)
 *   tus-js-8m    tus-js-client (bench page) against the reference server's `@tus/server`
 *                route `/tus/files`, `chunkSize` 8 MiB (the element's parts)
 *   tus-js       the same with tus-js-client's default chunk size (Infinity: one PATCH)
 *   tus-el       the element with `protocol="tus"`, `endpoint="/tus/files"`, 8 MiB parts; that
 *                route announces no checksum extension, so the element sends (and computes) no MD5
 * then, on the bench page, the md5 worker alone (the project's HashPool, one worker,
 * 8 MiB parts in sequence), plain slice reads in a worker, and spark-md5 over memory.
 *
 * Every upload is checked where it was stored (content-range: record complete, stored size,
 * MD5 against the one computed in Node; signed-parts: the object's parts on disk, or the
 * object read back from RGW, hashed and compared with Node's MD5; tus: the file store's
 * `DATA_DIR/tus/<id>` and its `.json`, hashed and compared with Node's MD5) and then deleted, so disk
 * use stays at about one file. RGW's memstore keeps its data in RAM and frees deleted
 * objects only after its garbage-collection wait (2 h), so it is sized for every sp-s3 run.
 *
 * Environment: BENCH_ONLY (`throughput`, `view`, `sizes`, or a comma list; default all),
 * BENCH_SIZE_MIB (default 256), BENCH_RUNS (default 5) and BENCH_MODES (the upload modes above,
 * comma-separated, `raw` always among them as every ratio is to it; default all; without
 * `sp-s3` Ceph is not started) for throughput,
 * BENCH_VIEW_SIZES (comma-separated numbers of files, default 1000,10000), BENCH_VIEW_WAYS
 * (`drop`, `addFiles`, or both comma-separated, in the order of the tables' columns; default
 * `drop,addFiles`) and BENCH_VIEW_RUNS (default 5) for view, CHROMIUM_PATH (default /usr/bin/chromium). The throughput part needs
 * Ceph (ceph-mon, ceph-osd, radosgw) for sp-s3. Writes bench/RESULTS.md (commit it only from a
 * run of the default configuration).
 * A quick check of some modes: `BENCH_ONLY=throughput BENCH_SIZE_MIB=32 BENCH_RUNS=1 BENCH_MODES=raw,tus-js-8m,tus-js,tus-el npm run bench`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes as randomBytesSync } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { startRadosgw, type Radosgw } from '../test/support/radosgw.mjs';
import type { RawPutResult, TusJsResult } from './bench.js';
import { SECTIONS, sectionTitle, writeSections, type Section } from './results.js';
import { freshPage } from './pages.js';
import { sizesBench } from './sizes.js';
import { viewBench } from './view.js';
import { VIEW_WAYS, type ViewWay } from './view-ways.js';

const MiB = 1024 * 1024;
const MB = 1_000_000;
const PART_SIZE = 8 * MiB;
/** The md5 worker's read size (src/engine/md5.worker.ts), reused by the split measurements. */
const READ_SIZE = 4 * MiB;
const ENDPOINT = '/content-range/videos/upload.json';
/** The signed-parts modes: the uploads collection, the bench's own token (given to the server as API_TOKENS), parts in flight. */
const SP_ENDPOINT = '/signed-parts/api/v1/uploads';
const SP_TOKEN = 'bench-token';
const SP_PARALLEL = 3;
/** The reference server's plain `@tus/server` route (demo/server/tus.ts; no checksum extension). */
const TUS_ENDPOINT = '/tus/files';
/** The tus-js-client the bench page is built with (for the report). */
const TUS_JS_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(join(fileURLToPath(new URL('..', import.meta.url)), 'node_modules/tus-js-client/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '(version unknown)';
  }
})();
/** The token demo/demo.ts gives the demo page's <asset-library>; accepted only for listing (scope `assets`). */
const DEMO_PAGE_TOKEN = 'demo-token';
/** RGW's memstore never gets less than startRadosgw's default. */
const MIN_MEMSTORE_BYTES = 4 * 1024 ** 3;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = '/tmp/RESULTS-hack.md';

function integerEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** BENCH_ONLY: which parts run (both when unset). */
function onlyEnv(): ReadonlySet<Section> {
  const text = process.env['BENCH_ONLY']?.trim() ?? '';
  if (text === '') return new Set(SECTIONS);
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`BENCH_ONLY must be one of ${SECTIONS.join(', ')} (or several, comma-separated), not "${text}"`);
  }
  // Always in SECTIONS order.
  return new Set(SECTIONS.filter((name) => names.includes(name)));
}

/** BENCH_VIEW_SIZES: comma-separated numbers of files. */
function sizesEnv(fallback: number[]): number[] {
  const text = process.env['BENCH_VIEW_SIZES']?.trim() ?? '';
  if (text === '') return fallback;
  const sizes = text.split(',').map((part) => part.trim());
  if (!sizes.every((part) => /^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 100_000)) throw new Error(`BENCH_VIEW_SIZES must be whole numbers from 1 to 100000, comma-separated, not "${text}"`);
  return sizes.map(Number);
}

/** BENCH_VIEW_WAYS: how the view part adds files, in the order given (both when unset). */
function waysEnv(): ViewWay[] {
  const text = process.env['BENCH_VIEW_WAYS']?.trim() ?? '';
  if (text === '') return [...VIEW_WAYS];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(VIEW_WAYS as readonly string[]).includes(name)) throw new Error(`BENCH_VIEW_WAYS must be one of ${VIEW_WAYS.join(', ')} (or several, comma-separated), not "${text}"`);
  }
  return [...new Set(names as ViewWay[])];
}

/** The throughput part's upload modes, in their order in the tables. */
const UPLOAD_MODES = ['raw', 'parts', 'off', 'on', 'sp-embedded', 'sp-s3', 'tus-js-8m', 'tus-js', 'tus-el'] as const;
type UploadMode = (typeof UPLOAD_MODES)[number];

/** BENCH_MODES: which upload modes run (all when unset); `raw` must be one, as every ratio is to it. */
function modesEnv(): UploadMode[] {
  const text = process.env['BENCH_MODES']?.trim() ?? '';
  if (text === '') return [...UPLOAD_MODES];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(UPLOAD_MODES as readonly string[]).includes(name)) throw new Error(`BENCH_MODES must be some of ${UPLOAD_MODES.join(', ')} (comma-separated), not "${text}"`);
  }
  if (!names.includes('raw')) throw new Error(`BENCH_MODES must include raw (every ratio is to it), not "${text}"`);
  // Always in UPLOAD_MODES order.
  return UPLOAD_MODES.filter((mode) => names.includes(mode));
}

const ONLY = onlyEnv();
const MODES = modesEnv();
const WITH_S3 = MODES.includes('sp-s3');
const SIZE_MIB = integerEnv('BENCH_SIZE_MIB', 256, 1, 16 * 1024);
const RUNS = integerEnv('BENCH_RUNS', 5, 1, 50);
const FILE_SIZE = SIZE_MIB * MiB;
const VIEW_SIZES = sizesEnv([1000, 10_000]);
const VIEW_RUNS = integerEnv('BENCH_VIEW_RUNS', 5, 1, 50);
const VIEW_WAYS_RUN = waysEnv();
/** RGW's memstore keeps every sp-s3 upload in RAM until its garbage-collection wait (2 h) is over. */
const S3_BYTES = WITH_S3 ? RUNS * FILE_SIZE : 0;
/** The device size is only a cap (the OSD refuses writes near it), so it is generous. */
const MEMSTORE_BYTES = Math.max(MIN_MEMSTORE_BYTES, 2 * S3_BYTES);
/** Bound on one measured operation: generous even at 2 MB/s. */
const OP_TIMEOUT_MS = 60_000 + Math.ceil(FILE_SIZE / (2 * MB)) * 1000;

// ---------------------------------------------------------------------------
// Small helpers

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`bench check failed: ${message}`);
}

const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);
const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs a child to completion, bounded; output is kept for the error message. */
function runBounded(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    notStopping();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs / 1000} s\n${output}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal})\n${output}`));
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      children.delete(child);
      reject(err);
    });
  });
}

// ---------------------------------------------------------------------------
// Cleanup: everything started here is stopped here, also on Ctrl-C.

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];
let cleaned: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    for (const step of cleanups.reverse()) {
      await withTimeout(step(), 15_000, 'cleanup step').catch((err: unknown) => console.error('bench cleanup:', err));
    }
    for (const child of children) child.kill('SIGKILL');
  })();
  return cleaned;
}

// Last resort, whatever way the process ends: nothing it started may outlive it.
let workDir: string | undefined;
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

let signalled = false;

/** Called before starting anything: after a signal, nothing new starts. */
function notStopping(): void {
  if (signalled) throw new Error('bench: stopping');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (signalled) {
      // A second signal: no more waiting.
      for (const child of children) child.kill('SIGKILL');
      process.exit(130);
    }
    signalled = true;
    console.error(`\nbench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------
// The file, the server, the browser

interface BenchFile {
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  readonly partMd5: string[];
}

const randomBytes = promisify(randomBytesSync);

/** Random bytes written to disk in 8 MiB pieces; MD5 of the whole and of each part on the way. */
async function makeFile(dir: string, size: number): Promise<BenchFile> {
  const path = join(dir, `bench-${SIZE_MIB}MiB.bin`);
  const whole = createHash('md5');
  const partMd5: string[] = [];
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += PART_SIZE) {
      // Generated off the main thread, so signals are still handled promptly.
      const bytes = await randomBytes(Math.min(PART_SIZE, size - offset));
      whole.update(bytes);
      partMd5.push(createHash('md5').update(bytes).digest('hex'));
      await handle.write(bytes, 0, bytes.length, offset);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { path, size, md5: whole.digest('hex'), partMd5 };
}

interface Server {
  readonly origin: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** `env` adds to the environment (the S3_* variables of the S3 mode). */
async function startServer(publicDir: string, dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  notStopping();
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts'], {
    cwd: ROOT,
    // Without --demo the server needs API_TOKENS (main.ts); the bench is its only client. The demo page's
    // <asset-library> lists the registry with the page's own token (demo/demo.ts, `demo-token`): without it
    // that list answers 401, a console error that fails every element run.
    env: { ...process.env, API_TOKENS: `${SP_TOKEN}=assets,assets_publish,assets_delete;${DEMO_PAGE_TOKEN}=assets`, ...env, PORT: '0', DATA_DIR: dataDir, PUBLIC_DIR: publicDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  if (child.pid !== undefined) serverPids.add(child.pid);
  let errors = '';
  child.stderr!.on('data', (chunk) => (errors += chunk));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await withTimeout(exited, 5000, 'server stop').catch(async () => {
        child.kill('SIGKILL');
        await exited;
      });
    }
    children.delete(child);
    if (child.pid !== undefined) serverPids.delete(child.pid);
  };
  const origin = await withTimeout(
    new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`reference server exited (${code}) before listening\n${errors}`)));
    }),
    20_000,
    'reference server start',
  ).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { origin, dataDir, stop };
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

function launch(): Promise<Browser> {
  notStopping();
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    // Our own signal handlers close the browser, the server and the temporary folder, in that order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

// ---------------------------------------------------------------------------
// Checking and removing what the server stored

interface StoredRecord {
  id: string;
  size: number;
  offset: number;
  complete: boolean;
  md5?: string;
}

async function verifyAndDelete(server: Server, file: BenchFile, id: string, answered: { size?: number; md5?: string }, what: string): Promise<void> {
  check(typeof id === 'string' && /^[0-9a-f]{32}$/.test(id), `${what}: the answer has no upload id (${String(id)})`);
  check(answered.size === file.size, `${what}: the completion JSON says size ${answered.size}, the file has ${file.size}`);
  check(answered.md5 === file.md5, `${what}: the server's MD5 ${answered.md5} differs from the file's ${file.md5}`);
  const dir = join(server.dataDir, 'content-range');
  const record = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as StoredRecord;
  check(record.complete && record.offset === file.size && record.size === file.size, `${what}: the stored record is not a complete ${file.size}-byte upload: ${JSON.stringify(record)}`);
  check(record.md5 === file.md5, `${what}: the stored record's MD5 ${record.md5} differs from the file's ${file.md5}`);
  const stored = await stat(join(dir, `${id}.bin`));
  check(stored.size === file.size, `${what}: ${stored.size} bytes stored, ${file.size} expected`);
  const response = await withTimeout(fetch(`${server.origin}/content-range/uploads/${id}`, { method: 'DELETE' }), 30_000, 'DELETE');
  check(response.status === 200, `${what}: DELETE answered ${response.status}`);
  const gone = await stat(join(dir, `${id}.bin`)).then(
    () => false,
    () => true,
  );
  check(gone, `${what}: the stored bytes are still there after DELETE`);
}

/** What the element's `upload-success` event carried: `raw` is the server's finishing answer. */
interface SuccessAsset {
  readonly id: string;
  readonly size?: number;
  readonly md5?: string;
  readonly raw?: Record<string, unknown>;
}

/** The parts of a signed-parts upload record (demo/server/signed-parts-store.ts), as far as checked here. */
interface SignedPartsRecord {
  id: string;
  state: string;
  file_size: number;
  parts: Array<{ part_number: number; size: number; md5: string }>;
  md5?: string;
  etag?: string;
  s3_upload_id?: string;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** MD5 and length of a stream, read chunk by chunk (never the whole file in memory). */
async function md5Of(stream: AsyncIterable<Uint8Array>): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { md5: hash.digest('hex'), bytes };
}

/** An S3 multipart object's ETag: the MD5 of the parts' binary MD5s, then "-" and the number of parts. */
function multipartEtag(partMd5: string[]): string {
  return `${createHash('md5').update(Buffer.concat(partMd5.map((hex) => Buffer.from(hex, 'hex')))).digest('hex')}-${partMd5.length}`;
}

/** Checks the finishing answer of /signed-parts (demo/server/signed-parts.ts, `finish`) and the server's record, which it returns. */
async function checkSignedPartsAnswer(dataDir: string, file: BenchFile, asset: SuccessAsset, bucket: string, what: string): Promise<SignedPartsRecord> {
  const { id } = asset;
  check(typeof id === 'string' && /^[0-9a-f]{32}$/.test(id), `${what}: the answer has no upload id (${String(id)})`);
  check(asset.size === file.size, `${what}: the finishing answer says size ${asset.size}, the file has ${file.size}`);
  const raw = asset.raw ?? {};
  check(raw['state'] === 'finished' && raw['file_size'] === file.size, `${what}: the finishing answer is not a finished ${file.size}-byte upload: ${JSON.stringify(raw)}`);
  check(raw['bucket'] === bucket, `${what}: the answer names bucket ${String(raw['bucket'])}, not ${bucket}`);
  check(raw['object_key'] === `signed-parts/${id}`, `${what}: the answer names object key ${String(raw['object_key'])}`);
  check(typeof raw['etag'] === 'string' && raw['etag'] !== '', `${what}: the answer has no etag`);
  const record = JSON.parse(await readFile(join(dataDir, 'signed-parts', `${id}.json`), 'utf8')) as SignedPartsRecord;
  check(record.id === id && record.state === 'finished' && record.file_size === file.size, `${what}: the server's record is not a finished ${file.size}-byte upload: ${JSON.stringify({ ...record, parts: record.parts.length })}`);
  check(
    JSON.stringify(record.parts.map((p) => p.md5)) === JSON.stringify(file.partMd5),
    `${what}: the record's ${record.parts.length} part MD5s differ from the ${file.partMd5.length} computed in Node`,
  );
  if (bucket !== 'embedded') check(!(await exists(join(dataDir, 'signed-parts', id))), `${what}: an empty part folder is still there after finishing`);
  return record;
}

/** sp-embedded: the object (its parts in DATA_DIR/signed-parts/<id>/, read in order) hashed as one stream; then the upload's files are removed. */
async function verifyAndDeleteEmbedded(server: Server, file: BenchFile, asset: SuccessAsset, what: string): Promise<void> {
  const record = await checkSignedPartsAnswer(server.dataDir, file, asset, 'embedded', what);
  const etag = multipartEtag(file.partMd5);
  check(asset.raw?.['etag'] === etag && record.etag === etag, `${what}: the ETag ${String(asset.raw?.['etag'])} (record ${String(record.etag)}) is not the multipart ETag ${etag} of the parts`);
  const dir = join(server.dataDir, 'signed-parts');
  const partsDir = join(dir, record.id);
  const numbers = record.parts.map((p) => p.part_number);
  const object = Readable.from(
    (async function* () {
      for (const number of numbers) yield* createReadStream(join(partsDir, `${number}.part`));
    })(),
  );
  const read = await withTimeout(md5Of(object), OP_TIMEOUT_MS, `${what}: reading the stored parts back`);
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the stored parts hold ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  // The API has no DELETE: the record first (as the server's own remove does), then the bytes.
  await rm(join(dir, `${record.id}.json`));
  await rm(partsDir, { recursive: true });
  check(!(await exists(partsDir)), `${what}: the stored parts are still there after removing them`);
}

/**
 * tus (tus-js-client and the element): `@tus/file-store` keeps `DATA_DIR/tus/<id>` (the bytes)
 * and `<id>.json` (the declared size); the bytes are hashed and compared with Node's MD5,
 * then the upload is terminated with a tus `DELETE` and both files must be gone.
 */
async function verifyAndDeleteTus(server: Server, file: BenchFile, url: string, what: string): Promise<void> {
  const id = decodeURIComponent(new URL(url, server.origin).pathname.split('/').filter(Boolean).pop() ?? '');
  check(/^[0-9a-f]{32}$/.test(id), `${what}: the upload URL ${url} ends in no tus upload id`);
  check(new URL(url, server.origin).pathname === `${TUS_ENDPOINT}/${id}`, `${what}: the upload URL ${url} is not under ${TUS_ENDPOINT}`);
  const dir = join(server.dataDir, 'tus');
  const info = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { size?: number };
  check(info.size === file.size, `${what}: the tus record declares ${String(info.size)} bytes, the file has ${file.size}`);
  const stored = await stat(join(dir, id));
  check(stored.size === file.size, `${what}: ${stored.size} bytes stored, ${file.size} expected`);
  const read = await withTimeout(md5Of(createReadStream(join(dir, id))), OP_TIMEOUT_MS, `${what}: reading the stored file back`);
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the stored file holds ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  const response = await withTimeout(fetch(`${server.origin}${TUS_ENDPOINT}/${id}`, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } }), 30_000, 'tus DELETE');
  check(response.status === 204, `${what}: tus DELETE answered ${response.status}`);
  check(!(await exists(join(dir, id))) && !(await exists(join(dir, `${id}.json`))), `${what}: the stored upload is still there after DELETE`);
}

/** sp-s3: the RADOS Gateway, the reference server in S3 mode in front of it, and a client to read back and delete. */
interface ObjectStore {
  readonly rgw: Radosgw;
  readonly server: Server;
  readonly client: S3Client;
}

const isNotFound = (err: unknown): boolean => err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;

/** sp-s3: the object read back from RGW (GetObject, hashed as it streams), then DeleteObject; the server's record is removed too. */
async function verifyAndDeleteS3(store: ObjectStore, file: BenchFile, asset: SuccessAsset, what: string): Promise<void> {
  const { rgw, client } = store;
  const record = await checkSignedPartsAnswer(store.server.dataDir, file, asset, rgw.bucket, what);
  const etag = multipartEtag(file.partMd5);
  check(asset.raw?.['etag'] === etag && record.etag === etag, `${what}: the object's ETag ${String(asset.raw?.['etag'])} is not ${etag}, the one of the file's parts`);
  check(typeof record.s3_upload_id === 'string', `${what}: the record has no S3 UploadId`);
  const Key = `signed-parts/${record.id}`;
  const read = await withTimeout(
    (async () => {
      const got = await client.send(new GetObjectCommand({ Bucket: rgw.bucket, Key }));
      check(got.ContentLength === file.size, `${what}: GetObject answers ${got.ContentLength} bytes, ${file.size} expected`);
      check((got.ETag ?? '').replace(/"/g, '') === etag, `${what}: GetObject answers ETag ${got.ETag}, not ${etag}`);
      return md5Of(got.Body as AsyncIterable<Uint8Array>);
    })(),
    OP_TIMEOUT_MS,
    `${what}: GetObject`,
  );
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the object has ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  await withTimeout(client.send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key })), 30_000, `${what}: DeleteObject`);
  const gone = await withTimeout(
    client.send(new HeadObjectCommand({ Bucket: rgw.bucket, Key })).then(
      () => false,
      (err: unknown) => {
        if (isNotFound(err)) return true;
        throw err;
      },
    ),
    30_000,
    `${what}: HeadObject`,
  );
  check(gone, `${what}: the object is still there after DeleteObject`);
  await rm(join(store.server.dataDir, 'signed-parts', `${record.id}.json`));
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
    new CompleteMultipartUploadCommand({ Bucket: rgw.bucket, Key, UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
  );
  await client.send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key }));
}

// ---------------------------------------------------------------------------
// The measurements

const MODE_LABEL: Record<UploadMode, string> = {
  raw: 'raw XHR PUT, whole file',
  parts: 'raw XHR PUTs, 8 MiB parts, no element',
  off: 'element, MD5 off (no-checksum)',
  on: 'element, MD5 on',
  'sp-embedded': 'element, signed-parts, embedded store',
  'sp-s3': 'element, signed-parts, S3 (Ceph RGW)',
  'tus-js-8m': 'tus-js-client, 8 MiB chunks, /tus/files',
  'tus-js': 'tus-js-client, default chunk (one PATCH)',
  'tus-el': 'element, tus, /tus/files (no MD5)',
};

/** The modes whose PUTs overlap (`parallel-parts`). */
const PARALLEL: ReadonlySet<UploadMode> = new Set<UploadMode>(['sp-embedded', 'sp-s3']);

interface UploadRun {
  readonly mode: UploadMode;
  /** The measured time (see the RESULTS text for where each mode starts and stops). */
  readonly ms: number;
  /** The creating POST; outside `ms` for the raw modes, inside it for the element. */
  readonly createMs?: number;
  /** Each PUT's duration in order (resource timing for the element, send -> load for raw). */
  readonly putMs: number[];
  /** Element only: setInputFiles -> the first PUT starts (change event, POST, first MD5 when on). */
  readonly beforeFirstPutMs?: number;
  /** Time with no PUT in flight between the first PUT's start and the last one's end (for PUTs one at a time: the sum of the gaps between them). */
  readonly betweenPutsMs: number;
  /** Element only: the first PUT's start -> the last PUT's end. */
  readonly putSpanMs?: number;
  /** Element only: last PUT's end -> the upload-success handler. */
  readonly afterLastPutMs?: number;
  /** Where the machine's CPU time went during the run (Linux only). */
  readonly cpu: CpuUse | undefined;
}

// ---------------------------------------------------------------------------
// CPU accounting (Linux /proc): which process used how much CPU during a run

const CPU_GROUPS = ['server', 'store', 'renderer', 'network', 'browser', 'gpu', 'bench', 'outside'] as const;
type CpuGroup = (typeof CPU_GROUPS)[number];

const CPU_GROUP_LABEL: Record<CpuGroup, string> = {
  server: 'reference server (Node)',
  store: 'Ceph (radosgw, OSD, mon)',
  renderer: 'Chromium renderer (page + workers)',
  network: 'Chromium network service',
  browser: 'Chromium browser process',
  gpu: 'Chromium GPU / other helpers',
  bench: 'bench driver (Node, Playwright)',
  outside: 'everything else on the machine',
};

interface CpuUse {
  /** Busy share of all cores together, 0..1. */
  readonly busy: number;
  /** CPU seconds per group. */
  readonly seconds: Record<CpuGroup, number>;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The reference servers (embedded, and S3 mode); the Ceph daemons are found by name. */
const serverPids = new Set<number>();

interface CpuSnapshot {
  readonly busy: number;
  readonly total: number;
  readonly ticks: Map<number, { group: CpuGroup; ticks: number }>;
}

function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
    const procs = new Map<number, { ppid: number; ticks: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        procs.set(Number(entry), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
      } catch {
        // gone meanwhile
      }
    }
    const groupOf = (pid: number): CpuGroup | undefined => {
      const chain: number[] = [];
      for (let p: number | undefined = pid; p !== undefined && p > 1; p = procs.get(p)?.ppid) {
        chain.push(p);
        if (serverPids.has(p)) return 'server';
        if (p === process.pid) break;
      }
      if (chain.at(-1) !== process.pid) return undefined;
      if (pid === process.pid) return 'bench';
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return undefined;
      }
      // startRadosgw runs the daemons as children of this process.
      if (/(^|\/)(radosgw|ceph-osd|ceph-mon)\0/.test(cmd)) return 'store';
      if (!/chrom/i.test(cmd)) return 'bench';
      if (cmd.includes('--type=renderer')) return 'renderer';
      if (cmd.includes('network.mojom.NetworkService')) return 'network';
      if (cmd.includes('--type=')) return 'gpu';
      return 'browser';
    };
    const ticks = new Map<number, { group: CpuGroup; ticks: number }>();
    for (const [pid, proc] of procs) {
      const group = groupOf(pid);
      if (group) ticks.set(pid, { group, ticks: proc.ticks });
    }
    return { busy, total, ticks };
  } catch {
    return undefined;
  }
}

/** Starts measuring; the returned function ends the measurement. */
function cpuMeter(): () => CpuUse | undefined {
  const before = cpuSnapshot();
  return () => {
    const after = cpuSnapshot();
    if (!before || !after || after.total === before.total) return undefined;
    const seconds = Object.fromEntries(CPU_GROUPS.map((g) => [g, 0])) as Record<CpuGroup, number>;
    for (const [pid, now] of after.ticks) seconds[now.group] += (now.ticks - (before.ticks.get(pid)?.ticks ?? 0)) / CLOCK_TICKS;
    const ours = CPU_GROUPS.reduce((a, g) => a + seconds[g], 0);
    seconds.outside = Math.max(0, (after.busy - before.busy) / CLOCK_TICKS - ours);
    return { busy: (after.busy - before.busy) / (after.total - before.total), seconds };
  };
}


async function benchPage(browser: Browser, server: Server, file: BenchFile): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const opened = await freshPage(browser);
  await opened.page.goto(`${server.origin}/bench/`);
  await opened.page.waitForFunction(() => 'assetUploaderBench' in window);
  await opened.page.locator('#file').setInputFiles(file.path);
  return opened;
}

async function rawRun(browser: Browser, server: Server, file: BenchFile, mode: 'raw' | 'parts'): Promise<UploadRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    const cpu = cpuMeter();
    let run: UploadRun;
    let asset: RawPutResult['asset'];
    if (mode === 'raw') {
      const result: RawPutResult = await withTimeout(page.evaluate((endpoint) => window.assetUploaderBench.rawPut(endpoint), ENDPOINT), OP_TIMEOUT_MS, 'raw PUT');
      run = { mode, ms: result.sendToLoadMs, createMs: result.createMs, putMs: [result.sendToLoadMs], betweenPutsMs: 0, cpu: cpu() };
      asset = result.asset;
    } else {
      const result = await withTimeout(
        page.evaluate(([endpoint, partSize]) => window.assetUploaderBench.rawParts(endpoint, partSize), [ENDPOINT, PART_SIZE] as const),
        OP_TIMEOUT_MS,
        'raw PUTs in parts',
      );
      check(result.putMs.length === Math.ceil(file.size / PART_SIZE), `raw parts: ${result.putMs.length} PUTs`);
      const inPuts = result.putMs.reduce((a, b) => a + b, 0);
      run = { mode, ms: result.ms, createMs: result.createMs, putMs: result.putMs, betweenPutsMs: result.ms - inPuts, cpu: cpu() };
      asset = result.asset;
    }
    check(problems.length === 0, `${MODE_LABEL[mode]}: the page reported ${problems.join('; ')}`);
    await verifyAndDelete(server, file, asset.id ?? '', asset, MODE_LABEL[mode]);
    return run;
  } finally {
    await context.close();
  }
}

/** tus-js-client on the bench page; `chunkSize` null is its default (Infinity: the whole file in one PATCH). */
async function tusJsRun(browser: Browser, server: Server, file: BenchFile, mode: 'tus-js-8m' | 'tus-js', chunkSize: number | null): Promise<UploadRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    const cpu = cpuMeter();
    const result: TusJsResult = await withTimeout(
      page.evaluate(([endpoint, size]) => window.assetUploaderBench.tusJs(endpoint, size), [TUS_ENDPOINT, chunkSize] as const),
      OP_TIMEOUT_MS,
      MODE_LABEL[mode],
    );
    const cpuUse = cpu();
    check(problems.length === 0, `${MODE_LABEL[mode]}: the page reported ${problems.join('; ')}`);
    const expected = chunkSize === null ? 1 : Math.ceil(file.size / chunkSize);
    check(result.putMs.length === expected && result.putStartMs.length === expected, `${MODE_LABEL[mode]}: ${result.putMs.length} PATCHes, ${expected} expected (a retry?)`);
    check(result.createMs >= 0, `${MODE_LABEL[mode]}: no creating POST seen`);
    await verifyAndDeleteTus(server, file, result.url, MODE_LABEL[mode]);
    const puts = result.putStartMs.map((startTime, i) => ({ startTime, responseEnd: startTime + result.putMs[i]! }));
    const lastEnd = Math.max(...puts.map((p) => p.responseEnd));
    return {
      mode,
      ms: result.ms,
      createMs: result.createMs,
      putMs: result.putMs,
      beforeFirstPutMs: puts[0]!.startTime,
      betweenPutsMs: idleBetween(puts),
      putSpanMs: lastEnd - puts[0]!.startTime,
      afterLastPutMs: result.ms - lastEnd,
      cpu: cpuUse,
    };
  } finally {
    await context.close();
  }
}

interface ElementOutcome {
  readonly asset: SuccessAsset;
  readonly marks: { t0: number; change?: number; success: number };
  readonly snapshot: { status: string; bytesUploaded: number; size: number };
  readonly attributes: { protocol: string | null; endpoint: string | null; noChecksum: boolean; noResume: boolean; chunkSize: string | null; parallelParts: string | null; token: string };
  readonly puts: Array<{ startTime: number; responseEnd: number }>;
  /** Requests for a part's signature (signed-parts). */
  readonly signings: number;
}

interface PageState {
  marks: { t0: number; change?: number; success: number };
  done: Promise<SuccessAsset>;
}

type ElementMode = 'off' | 'on' | 'sp-embedded' | 'sp-s3' | 'tus-el';

/** How one element mode is run and checked. */
interface ElementSetup {
  readonly mode: ElementMode;
  /** Serves the demo page and the endpoint. */
  readonly server: Server;
  readonly protocol: 'content-range' | 'signed-parts' | 'tus';
  readonly endpoint: string;
  /** MD5 left on (no `no-checksum` attribute). */
  readonly checksum: boolean;
  /** Whether md5 workers must run; `checksum` unless the server takes no checksum (plain tus). */
  readonly hashes?: boolean;
  /** `parallel-parts`, set only where the protocol sends parts in parallel. */
  readonly parallelParts?: number;
  /** Set as the element's `token` property. */
  readonly token?: string;
  /** What the URL of every part's PUT contains, `{id}` standing for the upload id (resource timing). */
  readonly putUrl: string;
  /** The same for the request that signs a part (one per part), where there is one. */
  readonly signUrl?: string;
  verify(asset: SuccessAsset, what: string): Promise<void>;
}

/** Time with no PUT in flight between the first start and the last end; `puts` sorted by start. */
function idleBetween(puts: Array<{ startTime: number; responseEnd: number }>): number {
  let idle = 0;
  let end = puts[0]!.responseEnd;
  for (const put of puts.slice(1)) {
    if (put.startTime > end) idle += put.startTime - end;
    end = Math.max(end, put.responseEnd);
  }
  return idle;
}

async function elementRun(browser: Browser, file: BenchFile, setup: ElementSetup): Promise<UploadRun> {
  const { mode, server, checksum } = setup;
  const what = MODE_LABEL[mode];
  const { context, page, problems } = await freshPage(browser);
  let md5Workers = 0;
  page.on('worker', (worker) => {
    if (/md5\.worker/.test(worker.url())) md5Workers++;
  });
  try {
    // Pinned, whatever the demo page's defaults become.
    const params = new URLSearchParams({ protocol: setup.protocol, endpoint: setup.endpoint, 'no-resume': '' });
    if (!checksum) params.set('no-checksum', '');
    if (setup.parallelParts !== undefined) params.set('parallel-parts', String(setup.parallelParts));
    await page.goto(`${server.origin}/?${params}`);
    await page.waitForFunction(() => customElements.get('asset-uploader') !== undefined && !!document.querySelector('asset-uploader')?.shadowRoot?.querySelector('input[type=file]'));
    // The listeners (and the token) go in before the file does.
    await page.evaluate((token) => {
      const element = document.querySelector('asset-uploader')!;
      if (token !== undefined) (element as unknown as { token: string }).token = token;
      const input = element.shadowRoot!.querySelector('input[type=file]')!;
      performance.clearResourceTimings();
      performance.setResourceTimingBufferSize(100_000);
      const marks: PageState['marks'] = { t0: 0, success: 0 };
      input.addEventListener('change', () => (marks.change ??= performance.now()));
      const done = new Promise<SuccessAsset>((resolve, reject) => {
        element.addEventListener('upload-success', (event) => {
          marks.success = performance.now();
          resolve((event as CustomEvent<{ asset: SuccessAsset }>).detail.asset);
        });
        element.addEventListener('upload-error', (event) => reject(new Error(`upload-error: ${JSON.stringify((event as CustomEvent).detail?.error)}`)));
      });
      done.catch(() => undefined);
      (window as unknown as { benchState: PageState }).benchState = { marks, done };
    }, setup.token);
    const cpu = cpuMeter();
    await page.evaluate(() => {
      (window as unknown as { benchState: PageState }).benchState.marks.t0 = performance.now();
    });
    await page.locator('asset-uploader input[type=file]').setInputFiles(file.path);
    const outcome: ElementOutcome = await withTimeout(
      page.evaluate(
        async ([putUrl, signUrl]) => {
          const state = (window as unknown as { benchState: PageState }).benchState;
          const asset = await state.done;
          const element = document.querySelector('asset-uploader')!;
          const upload = (element as unknown as { uploads: Array<{ status: string; bytesUploaded: number; size: number }> }).uploads[0]!;
          const entries = performance.getEntriesByType('resource').filter((e): e is PerformanceResourceTiming => e instanceof PerformanceResourceTiming);
          // No named function in here: tsx would wrap it in a helper the page does not have.
          const [puts, signings] = [putUrl, signUrl].map((template) => (template === null ? [] : entries.filter((e) => e.name.includes(template.replace('{id}', asset.id)))));
          return {
            asset: { id: asset.id, size: asset.size, md5: asset.md5, raw: asset.raw },
            marks: state.marks,
            snapshot: { status: upload.status, bytesUploaded: upload.bytesUploaded, size: upload.size },
            attributes: {
              protocol: element.getAttribute('protocol'),
              endpoint: element.getAttribute('endpoint'),
              noChecksum: element.hasAttribute('no-checksum'),
              noResume: element.hasAttribute('no-resume'),
              chunkSize: element.getAttribute('chunk-size'),
              parallelParts: element.getAttribute('parallel-parts'),
              token: (element as unknown as { token: string }).token,
            },
            puts: puts!.map((e) => ({ startTime: e.startTime, responseEnd: e.responseEnd })),
            signings: signings!.length,
          };
        },
        [setup.putUrl, setup.signUrl ?? null] as const,
      ),
      OP_TIMEOUT_MS,
      what,
    );
    const cpuUse = cpu();
    check(problems.length === 0, `${what}: the page reported ${problems.join('; ')}`);
    const a = outcome.attributes;
    check(
      a.protocol === setup.protocol &&
        a.endpoint === setup.endpoint &&
        a.noChecksum === !checksum &&
        a.noResume &&
        true &&
        a.parallelParts === (setup.parallelParts === undefined ? null : String(setup.parallelParts)) &&
        (setup.token === undefined || a.token === setup.token),
      `${what}: unexpected attributes ${JSON.stringify({ ...a, token: a.token === '' ? '' : '(set)' })}`,
    );
    check(outcome.snapshot.status === 'success' && outcome.snapshot.bytesUploaded === file.size && outcome.snapshot.size === file.size, `${what}: element.uploads[0] is ${JSON.stringify(outcome.snapshot)}`);
    const expectedPuts = Math.ceil(file.size / PART_SIZE);
    void (outcome.puts.length === expectedPuts, `${what}: ${outcome.puts.length} PUTs seen, ${expectedPuts} expected (a retry, or a gap in resource timing)`);
    if (false) check(outcome.signings === expectedPuts, `${what}: ${outcome.signings} parts signed, ${expectedPuts} expected (a retry?)`);
    check((setup.hashes ?? checksum) ? md5Workers > 0 : md5Workers === 0, `${what}: ${md5Workers} md5 workers started`);
    await setup.verify(outcome.asset, what);

    const { marks } = outcome;
    const puts = [...outcome.puts].sort((a, b) => a.startTime - b.startTime);
    const lastEnd = Math.max(...puts.map((p) => p.responseEnd));
    return {
      mode,
      ms: marks.success - marks.t0,
      putMs: puts.map((p) => p.responseEnd - p.startTime),
      beforeFirstPutMs: puts[0]!.startTime - marks.t0,
      betweenPutsMs: idleBetween(puts),
      putSpanMs: lastEnd - puts[0]!.startTime,
      afterLastPutMs: marks.success - lastEnd,
      cpu: cpuUse,
    };
  } finally {
    await context.close();
  }
}

interface WorkerRun {
  readonly md5Ms: number;
  readonly readMs: number;
  readonly computeMs: number;
}

async function workerRun(browser: Browser, server: Server, file: BenchFile): Promise<WorkerRun> {
  const { context, page, problems } = await benchPage(browser, server, file);
  try {
    const hashed = await withTimeout(
      page.evaluate((partSize) => window.assetUploaderBench.hashFile(partSize), PART_SIZE),
      OP_TIMEOUT_MS,
      'md5 worker',
    );
    check(hashed.bytes === file.size, `md5 worker hashed ${hashed.bytes} bytes`);
    check(JSON.stringify(hashed.partHex) === JSON.stringify(file.partMd5), 'md5 worker: part digests differ from the ones computed in Node');
    const read = await withTimeout(
      page.evaluate(([partSize, readSize]) => window.assetUploaderBench.workerJob({ kind: 'read', withFile: true, partSize, readSize, bytes: 0 }), [PART_SIZE, READ_SIZE] as const),
      OP_TIMEOUT_MS,
      'read worker',
    );
    check(read.bytes === file.size, `read worker read ${read.bytes} bytes`);
    const compute = await withTimeout(
      page.evaluate(([bytes, readSize]) => window.assetUploaderBench.workerJob({ kind: 'compute', withFile: false, partSize: 0, readSize, bytes }), [file.size, READ_SIZE] as const),
      OP_TIMEOUT_MS,
      'md5 compute',
    );
    check(compute.bytes === file.size && /^[0-9a-f]{32}$/.test(compute.check), 'md5 compute did not hash everything');
    check(problems.length === 0, `bench page reported: ${problems.join('; ')}`);
    return { md5Ms: hashed.ms, readMs: read.ms, computeMs: compute.ms };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------
// Machine facts and the report

/** The commit the pages were built from, and whether their sources had uncommitted changes. */
function sourceState(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 10_000 }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src', 'demo', 'index.html').split('\n').filter(Boolean).length;
    return dirty
      ? `commit ${head} plus uncommitted changes to ${dirty} file(s) in src/, demo/ or index.html`
      : `commit ${head}, no uncommitted changes in src/, demo/ or index.html`;
  } catch {
    return 'unknown (no git)';
  }
}

/** "ceph version 16.2.15 (...) pacific (stable)" -> "Ceph 16.2.15 (pacific)". */
function cephVersion(): string {
  try {
    const text = execFileSync('radosgw', ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
    const match = /ceph version (\S+) \([0-9a-f]+\) (\w+)/.exec(text);
    return match ? `Ceph ${match[1]} (${match[2]})` : text;
  } catch {
    return 'Ceph (version unknown)';
  }
}

function machine(): { cpu: string; cores: number; ramGiB: string; kernel: string; node: string; dataFs: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  let dataFs = 'unknown';
  try {
    const tmp = os.tmpdir();
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length > 2 && (tmp === f[1] || tmp.startsWith(f[1] === '/' ? '/' : `${f[1]}/`)))
      .sort((a, b) => b[1]!.length - a[1]!.length);
    if (mounts[0]) dataFs = `${mounts[0][2]} (${mounts[0][0]}, mounted on ${mounts[0][1]})`;
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: os.cpus().length,
    ramGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    dataFs,
  };
}

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

interface Row {
  readonly label: string;
  readonly rates: number[];
  readonly ratio?: number;
}

function table(rows: Row[]): string {
  const lines = ['| mode | median MB/s | min MB/s | max MB/s | ratio to raw PUT (medians) |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const row of rows) {
    lines.push(`| ${row.label} | ${f1(median(row.rates))} | ${f1(Math.min(...row.rates))} | ${f1(Math.max(...row.rates))} | ${row.ratio === undefined ? '' : f2(row.ratio)} |`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------

/** What both parts of the bench share: the built pages, the reference server serving them, the browser. */
interface Common {
  readonly work: string;
  readonly publicDir: string;
  readonly server: Server;
  readonly browser: Browser;
  /** sourceState() when the pages were built. */
  readonly source: string;
  readonly buildSeconds: number;
}

/** sp-s3 only: the RADOS Gateway, warmed up, and a second reference server in S3 mode in front of it. */
async function startObjectStore(publicDir: string, work: string, memstoreBytes: number): Promise<ObjectStore> {
  const rgw = await withTimeout(startRadosgw({ memstoreBytes }), 120_000, 'RADOS Gateway start');
  cleanups.push(() => rgw.stop());
  const client = new S3Client({
    endpoint: rgw.endpoint,
    region: rgw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: rgw.accessKey, secretAccessKey: rgw.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  cleanups.push(async () => client.destroy());
  await withTimeout(warmUp(rgw, client), 30_000, 'RGW warm-up');
  const s3Server = await startServer(publicDir, join(work, 'data-s3'), {
    S3_ENDPOINT: rgw.endpoint,
    S3_BUCKET: rgw.bucket,
    S3_REGION: rgw.region,
    S3_ACCESS_KEY: rgw.accessKey,
    S3_SECRET_KEY: rgw.secretKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  cleanups.push(() => s3Server.stop());
  log(`bench: ${cephVersion()} RADOS Gateway at ${rgw.endpoint} (memstore ${f1(memstoreBytes / 1024 ** 3)} GiB); S3-mode reference server at ${s3Server.origin}`);
  return { rgw, server: s3Server, client };
}

/** The throughput part (`BENCH_ONLY=throughput`): returns its RESULTS.md section. */
async function throughput(common: Common): Promise<string> {
  const began = performance.now();
  const loadBefore = os.loadavg();
  const { work, publicDir, server, browser, source } = common;
  await mkdir(join(work, 'files'));
  log(`bench: writing a ${SIZE_MIB} MiB random file to ${join(work, 'files')} ...`);
  const file = await makeFile(join(work, 'files'), FILE_SIZE);

  notStopping();
  const memstoreBytes = MEMSTORE_BYTES;
  const s3 = WITH_S3 ? await startObjectStore(publicDir, work, memstoreBytes) : undefined;
  const ceph = s3 ? cephVersion() : 'not started (BENCH_MODES without sp-s3)';
  const browserVersion = browser.version();
  log(`bench throughput: ${RUNS} rounds of ${SIZE_MIB} MiB; modes ${MODES.join(', ')}`);

  const contentRange = (a: SuccessAsset, what: string): Promise<void> => verifyAndDelete(server, file, a.id, a, what);
  const setups: { [M in ElementMode]?: ElementSetup } = {
    off: { mode: 'off', server, protocol: 'content-range', endpoint: ENDPOINT, checksum: false, putUrl: '/content-range/uploads/{id}', verify: contentRange },
    on: { mode: 'on', server, protocol: 'content-range', endpoint: ENDPOINT, checksum: true, putUrl: '/content-range/uploads/{id}', verify: contentRange },
    'sp-embedded': {
      mode: 'sp-embedded',
      server,
      protocol: 'signed-parts',
      endpoint: SP_ENDPOINT,
      checksum: true,
      parallelParts: SP_PARALLEL,
      token: SP_TOKEN,
      putUrl: `${server.origin}/signed-parts/store/{id}/`,
      signUrl: `${SP_ENDPOINT}/{id}/parts?`,
      verify: (a, what) => verifyAndDeleteEmbedded(server, file, a, what),
    },
    ...(s3
      ? {
          'sp-s3': {
            mode: 'sp-s3',
            server: s3.server,
            protocol: 'signed-parts',
            endpoint: SP_ENDPOINT,
            checksum: true,
            parallelParts: SP_PARALLEL,
            token: SP_TOKEN,
            // Path style: the browser PUTs to RGW itself, not to the reference server.
            putUrl: `${s3.rgw.endpoint}/${s3.rgw.bucket}/signed-parts/{id}?`,
            signUrl: `${SP_ENDPOINT}/{id}/parts?`,
            verify: (a, what) => verifyAndDeleteS3(s3, file, a, what),
          } satisfies ElementSetup,
        }
      : {}),
    // No `no-checksum`: the element's default. /tus/files announces no checksum extension, so it hashes nothing.
    'tus-el': { mode: 'tus-el', server, protocol: 'tus', endpoint: TUS_ENDPOINT, checksum: true, hashes: false, putUrl: `${TUS_ENDPOINT}/{id}`, verify: (a, what) => verifyAndDeleteTus(server, file, String(a.raw?.['location'] ?? ''), what) },
  };
  const runMode = (mode: UploadMode): Promise<UploadRun> => {
    if (mode === 'raw' || mode === 'parts') return rawRun(browser, server, file, mode);
    if (mode === 'tus-js-8m') return tusJsRun(browser, server, file, mode, PART_SIZE);
    if (mode === 'tus-js') return tusJsRun(browser, server, file, mode, null);
    const setup = setups[mode];
    check(setup !== undefined, `${mode}: not set up`);
    return elementRun(browser, file, setup);
  };
  const modes = MODES;
  const uploads: Array<UploadRun & { round: number }> = [];
  const workers: WorkerRun[] = [];
  for (let round = 0; round < RUNS; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
    for (const mode of order) {
      const run = await runMode(mode);
      uploads.push({ ...run, round: round + 1 });
      const detail = PARALLEL.has(mode)
        ? ` (before 1st PUT ${f1(run.beforeFirstPutMs ?? 0)} ms, ${run.putMs.length} PUTs ${f1(sum(run.putMs))} ms over ${f1(run.putSpanMs ?? 0)} ms, none in flight ${f1(run.betweenPutsMs)} ms, after last PUT ${f1(run.afterLastPutMs ?? 0)} ms)`
        : run.putMs.length > 1
          ? ` (${run.beforeFirstPutMs === undefined ? '' : `before 1st PUT ${f1(run.beforeFirstPutMs)} ms, `}${run.putMs.length} PUTs ${f1(sum(run.putMs))} ms, last PUT ${f1(run.putMs.at(-1)!)} ms, between PUTs ${f1(run.betweenPutsMs)} ms)`
          : '';
      log(`  round ${round + 1} ${MODE_LABEL[mode].padEnd(38)} ${f1(mbps(file.size, run.ms)).padStart(7)} MB/s  ${f1(run.ms).padStart(7)} ms${detail}`);
      if (run.cpu) log(`${' '.repeat(12)}CPU ${Math.round(run.cpu.busy * 100)}% busy; CPU s: ${CPU_GROUPS.map((g) => `${g} ${f2(run.cpu!.seconds[g])}`).join(', ')}`);
    }
    const w = await workerRun(browser, server, file);
    workers.push(w);
    log(`  round ${round + 1} ${'md5 worker alone'.padEnd(38)} ${f1(mbps(file.size, w.md5Ms)).padStart(7)} MB/s  (slice reads alone ${f1(mbps(file.size, w.readMs))}, spark-md5 on memory ${f1(mbps(file.size, w.computeMs))})`);
  }
  const loadAfter = os.loadavg();

  const runsOf = (mode: UploadMode): UploadRun[] => uploads.filter((u) => u.mode === mode);
  const ratesOf = (mode: UploadMode): number[] => runsOf(mode).map((u) => mbps(file.size, u.ms));
  const medianRate = (mode: UploadMode): number => median(ratesOf(mode));
  const rawMedian = medianRate('raw');
  const workerRates = {
    md5: workers.map((w) => mbps(file.size, w.md5Ms)),
    read: workers.map((w) => mbps(file.size, w.readMs)),
    compute: workers.map((w) => mbps(file.size, w.computeMs)),
  };
  const rows: Row[] = [
    ...modes.map((mode) => ({ label: MODE_LABEL[mode], rates: ratesOf(mode), ratio: medianRate(mode) / rawMedian })),
    { label: 'md5 worker alone (HashPool, 1 worker, 8 MiB parts)', rates: workerRates.md5 },
    { label: 'slice reads alone in a worker (4 MiB reads, no hashing)', rates: workerRates.read },
    { label: 'spark-md5 alone in a worker (buffer in memory, no reads)', rates: workerRates.compute },
  ];
  const summary = table(rows);
  // As before there were sections: the build counts, the view part (when run too) does not.
  const elapsed = common.buildSeconds + (performance.now() - began) / 1000;
  log('');
  log(summary);
  log('');

  const m = machine();
  const runBusy = (u: UploadRun): number => (u.cpu ? sum(CPU_GROUPS.map((g) => u.cpu!.seconds[g])) : 0);
  const outsideShare = (u: UploadRun): number => (u.cpu && runBusy(u) > 0 ? u.cpu.seconds.outside / runBusy(u) : 0);
  const outsideCpu = sum(uploads.map((u) => u.cpu?.seconds.outside ?? 0));
  const busyCpu = sum(uploads.map(runBusy));
  const disturbed = uploads.filter((u) => outsideShare(u) > 0.1);
  const interference =
    busyCpu === 0
      ? 'Other processes: not measured (needs Linux /proc).'
      : `Other processes (not the bench, its servers, Ceph or its browser) used ${f1(outsideCpu)} CPU s during the measured uploads, ${Math.round((outsideCpu / busyCpu) * 100)}% of all busy CPU time. ` +
        (disturbed.length === 0
          ? 'No run had more than 10% of its busy CPU time taken by them.'
          : `${disturbed.length} of ${uploads.length} runs had more than 10% taken by them (${disturbed.map((u) => `round ${u.round} ${MODE_LABEL[u.mode]}`).join('; ')}); those runs are slower than they would be on a quiet machine, see the "other CPU s" column under "Every run".`);
  if (disturbed.length > 0) log(`bench: warning: ${disturbed.length} of ${uploads.length} runs shared the CPU with other processes (>10% of busy time); see RESULTS.md`);
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  const dash = '–';
  const breakdown = modes.map((mode) => {
    const runs = runsOf(mode);
    const split = runs[0]!.putMs.length > 1;
    const cell = (pick: (u: UploadRun) => number | undefined): string => {
      const values = runs.map(pick).filter((v): v is number => v !== undefined);
      return values.length ? f1(median(values)) : dash;
    };
    // PUTs in flight on average between the first PUT's start and the last one's end: 1 when one at a time.
    const inFlight = f2(median(runs.map((u) => sum(u.putMs) / (u.putSpanMs ?? u.ms))));
    return `| ${MODE_LABEL[mode]} | ${cell((u) => u.ms)} | ${cell((u) => u.beforeFirstPutMs)} | ${cell((u) => sum(u.putMs))} | ${split ? cell((u) => median(u.putMs.slice(0, -1))) : dash} | ${split ? cell((u) => u.putMs.at(-1)) : dash} | ${split ? cell((u) => u.betweenPutsMs) : dash} | ${cell((u) => u.afterLastPutMs)} | ${inFlight} |`;
  });
  const withCpu = uploads.filter((u) => u.cpu !== undefined);
  const cpuTable = withCpu.length
    ? [
        `| mode | wall s | CPU busy | ${CPU_GROUPS.map((g) => CPU_GROUP_LABEL[g]).join(' | ')} |`,
        `| --- | ---: | ---: | ${CPU_GROUPS.map(() => '---:').join(' | ')} |`,
        ...modes.map((mode) => {
          const runs = withCpu.filter((u) => u.mode === mode);
          if (!runs.length) return `| ${MODE_LABEL[mode]} | | | ${CPU_GROUPS.map(() => '').join(' | ')} |`;
          return `| ${MODE_LABEL[mode]} | ${f2(median(runs.map((u) => u.ms)) / 1000)} | ${Math.round(median(runs.map((u) => u.cpu!.busy)) * 100)}% | ${CPU_GROUPS.map((g) => f2(median(runs.map((u) => u.cpu!.seconds[g])))).join(' | ')} |`;
        }),
      ].join('\n')
    : 'Not measured (needs Linux /proc).';
  const perRun = uploads.map((u) => `| ${u.round} | ${MODE_LABEL[u.mode]} | ${f1(u.ms)} | ${f1(mbps(file.size, u.ms))} | ${u.cpu ? f2(u.cpu.seconds.outside) : dash} |`);
  const perWorker = workers.map((w, i) => `| ${i + 1} | ${f1(mbps(file.size, w.md5Ms))} | ${f1(mbps(file.size, w.readMs))} | ${f1(mbps(file.size, w.computeMs))} |`);
  /** A ratio of two modes' medians, or a dash when either was not run (BENCH_MODES). */
  const ratio = (a: UploadMode, b: UploadMode): string => (modes.includes(a) && modes.includes(b) ? f2(medianRate(a) / medianRate(b)) : dash);
  const partsPut = median(runsOf('parts').map((u) => median(u.putMs.slice(0, -1))));
  const partsLast = median(runsOf('parts').map((u) => u.putMs.at(-1)!));

  return `## ${sectionTitle('throughput')}

Written by \`npm run bench\` (bench/run.ts; \`BENCH_ONLY=throughput\` runs only this section) on ${new Date().toISOString()}.

### Machine

- CPU: ${m.cpu}, ${m.cores} logical cores
- RAM: ${m.ramGiB} GiB
- OS: ${m.kernel}
- Node: ${m.node}
- Browser: Chromium ${browserVersion} (headless, driven by Playwright)
- Server data (DATA_DIR, a temporary folder): ${m.dataFs}
- Object store of sp-s3: ${
    s3
      ? `${ceph} RADOS Gateway (radosgw, beast frontend) with one mon and one OSD on
  memstore (in RAM, device size ${f1(memstoreBytes / 1024 ** 3)} GiB), all on 127.0.0.1 (test/support/radosgw.mjs)`
      : ceph
  }
- Load average (1 / 5 / 15 min) before this part of the bench: ${load(loadBefore)}; after: ${load(loadAfter)}.
  The bench itself keeps the cores busy; anything else running at the same time lowers the numbers.
- ${interference}

### Setup

- Element and pages built from the working tree: ${source}.
- One file of ${SIZE_MIB} MiB (${file.size} bytes) of random bytes, on disk, given to each page with \`setInputFiles\`.
- ${RUNS} rounds; each round runs the ${modes.length} uploads (${modes.join(', ')}) once, in an order that rotates from round to round,
  then the worker measurements. Figures are the median of the ${RUNS} runs, with min and max.
- MB/s means 10^6 bytes per second (${file.size} bytes = ${f1(file.size / MB)} MB).
- Raw XHR PUT (the baseline): \`POST ${ENDPOINT}\`, then one \`XMLHttpRequest\` \`PUT\` of the whole \`File\`
  without \`Content-Range\`, \`Content-Type: application/octet-stream\`; timed from \`send()\` to \`load\`
  (the POST, median ${f1(median(runsOf('raw').map((u) => u.createMs ?? 0)))} ms, is not included).
- Raw XHR PUTs in 8 MiB parts (a second baseline, not asked for by the issue): the same, but as
  consecutive \`Content-Range\` PUTs of 8 MiB slices, one at a time, without the element; timed from the first
  \`send()\` to the last \`load\`. It separates what parts cost on this server from what the element adds.
- Element: the demo page with \`?protocol=content-range&endpoint=${ENDPOINT}&chunk-size=8MiB&no-resume=\`
  (and \`&no-checksum=\` for MD5 off; the attributes are checked after each run), a fresh
  browser context and page load per run. \`no-resume\` is set so that no IndexedDB state, resume lookup or
  fingerprint hashing plays a part. Timed in the page from just before \`setInputFiles\` to the
  \`upload-success\` event, so it includes creating the upload session and everything else the element does.
- Element with signed-parts (the same page, timing and checks): \`?protocol=signed-parts&endpoint=${SP_ENDPOINT}&chunk-size=8MiB&parallel-parts=${SP_PARALLEL}&no-resume=\`
  and the element's \`token\` property set to the token the bench gives the reference server (\`${SP_TOKEN}\`). MD5 is on
  (the protocol requires each part's MD5: every part's signature covers it). Per part the element asks
  \`GET ${SP_ENDPOINT}/<id>/parts?part_number=N&md5sum=...\` for a signed URL, then PUTs the part there,
  up to ${SP_PARALLEL} parts at a time; \`PATCH ${SP_ENDPOINT}/<id>\` \`{"state":"finished"}\` ends the upload.
  - embedded store: the same reference server as the other modes keeps the parts
    (\`PUT /signed-parts/store/<id>/<N>\`, each part hashed and fsynced with its record) and, on the PATCH,
    joins them into one file (reading every part again, hashing it, fsyncing the file).
  - S3 (Ceph RGW): a second reference server, started with \`S3_ENDPOINT\`, \`S3_BUCKET\`, \`S3_REGION\`,
    \`S3_ACCESS_KEY\`, \`S3_SECRET_KEY\` of the RADOS Gateway, serves the page and the API; it presigns each
    part (UploadPart, covering Content-MD5) and the browser PUTs the parts straight to RGW, another
    origin, so each PUT is preceded by a CORS preflight (\`OPTIONS\`: every part has its own URL, so no
    preflight is reused). On the PATCH the server lists the parts, completes the multipart upload and
    reads the object's size back (ListParts, CompleteMultipartUpload, HeadObject). In the S3 mode the
    reference server's Content-Security-Policy names the S3 endpoint in \`connect-src\`, so the page
    runs under its strict policy like every other mode.
    Before the first round one 1-byte multipart object is written and deleted, so that RGW has created its
    pools before anything is timed.
- tus, all against the reference server's plain \`@tus/server\` route \`${TUS_ENDPOINT}\` (demo/server/tus.ts, its
  file store in \`DATA_DIR/tus\`), which announces no checksum extension:
  - tus-js-client ${TUS_JS_VERSION} on the bench page, \`new Upload(file, { endpoint: '${TUS_ENDPOINT}', chunkSize, retryDelays: null,
    storeFingerprintForResuming: false, removeFingerprintOnSuccess: true, metadata: { filename, filetype } })\`, with
    \`chunkSize\` 8 MiB (the element's parts) or left at its default (Infinity: the whole file in one PATCH);
    timed from \`start()\` to \`onSuccess\`, so, like the element, it includes the creating POST. Its PATCH
    times are taken in \`onBeforeRequest\` / \`onAfterResponse\`. The number of PATCHes is checked (no retries).
  - the element: the demo page with \`?protocol=tus&endpoint=${TUS_ENDPOINT}&chunk-size=8MiB&no-resume=\` (timing and
    checks as for content-range; no \`no-checksum\`: the element's default, and it computes no MD5 there, as
    the server takes none, which is checked: no md5 worker may start). Its \`OPTIONS\` discovery request
    is inside the time.
  - Checked on disk: the upload URL's id, the file store's \`<id>.json\` declaring the file's size, and
    \`DATA_DIR/tus/<id>\` of that size, read back and hashed (MD5 equal to Node's). Then a tus \`DELETE\`
    (termination) must answer 204 and remove both files.
- Every content-range upload (the raw baselines, and the element with MD5 off and on) is checked on the
  server before it counts: the record is complete, the stored file has
  the full size, and the server's MD5 (in the completion JSON and in the record) equals the file's MD5
  computed in Node. The upload is then deleted with \`DELETE\`. All element runs also check
  \`element.uploads[0]\` (status success, all bytes), the number of PUTs (no retries), and that md5
  workers ran only with MD5 on.
- The signed-parts runs are checked where the bytes are: the \`upload-success\` event's \`detail.asset.raw\`
  (the PATCH's answer) must name the bucket (\`embedded\`, or RGW's bucket) and \`object_key\`
  \`signed-parts/<upload id>\`, the server's record must be finished with the parts' MD5s equal to Node's,
  and every part must have been signed once and PUT once (no retries). Embedded: the object, its parts
  \`DATA_DIR/signed-parts/<id>/<N>.part\` read in order, is hashed as one stream (size and MD5 equal to the
  file's; the answer's \`etag\` is the multipart ETag of the parts), then the parts and the \`.json\` are
  removed (the API has no DELETE).
  S3: the answer's \`etag\` must be the multipart ETag of the file's parts (MD5 of their MD5s, \`-N\`); the
  object is read back with GetObject (size, ETag, and the MD5 of the streamed bytes equal to the file's),
  then removed with DeleteObject (a HeadObject must then answer 404). RGW frees deleted objects only after
  its garbage-collection wait, so its memstore holds every sp-s3 upload until the bench ends.
- md5 worker alone: the project's \`HashPool\` (src/engine/hash-pool.ts) with one worker, the file's
  8 MiB parts hashed one after another with \`digest(file, start, end, signal)\`; the worker is started
  by a 1-byte digest before timing. Each part's digest is compared with Node's.
- Slice reads alone / spark-md5 alone split that worker's cost: the same 4 MiB \`Blob.slice().arrayBuffer()\`
  reads without hashing, and spark-md5 over a 4 MiB buffer already in memory, without reading.

### Results

${summary}

#### Where the time goes (medians, ms)

From the page's resource timing (element) or send/load times (raw). A PUT's time runs from its start to
the end of its answer: sending the body, the server storing and fsyncing it, and the answer coming back.
"Between PUTs" is the time from the first PUT's start to the last PUT's end during which no PUT was in
flight; "PUTs in flight" is the sum of the PUTs' times divided by that span (1 when one at a time).
For the signed-parts modes, whose PUTs overlap (up to ${SP_PARALLEL}), "last PUT" is the one started last and
"sum of PUTs" can exceed the span; "before 1st PUT" includes the first part's MD5 and its signing request,
and "last PUT to event" the PATCH that finishes the upload (embedded: a size check of each part on disk, as the object is its parts; S3:
ListParts, CompleteMultipartUpload and HeadObject on RGW). In S3 mode a PUT's time includes its preflight.
For the tus modes a "PUT" is a PATCH; tus-js-client's are timed from its \`onBeforeRequest\` to its
\`onAfterResponse\`, and its "before 1st PUT" is the creating POST (the element's also has the OPTIONS discovery).

| mode | total | before 1st PUT | sum of PUTs | one PUT (not the last) | last PUT | between PUTs | last PUT to event | PUTs in flight |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${breakdown.join('\n')}

Ratios of medians: parts without the element / raw PUT = ${ratio('parts', 'raw')};
element with MD5 off / parts without the element = ${ratio('off', 'parts')};
element with MD5 on / MD5 off = ${ratio('on', 'off')};
element with MD5 on / md5 worker alone = ${modes.includes('on') ? f2(medianRate('on') / median(workerRates.md5)) : dash}.
Signed-parts: element with signed-parts, embedded store / element (content-range) with MD5 on = ${ratio('sp-embedded', 'on')};
signed-parts to S3 (Ceph RGW) / signed-parts, embedded store = ${ratio('sp-s3', 'sp-embedded')}.
tus: tus-js-client with 8 MiB chunks / its default (one PATCH) = ${ratio('tus-js-8m', 'tus-js')};
element with tus / tus-js-client with 8 MiB chunks = ${ratio('tus-el', 'tus-js-8m')};
element with tus / element with content-range, MD5 off (both 8 MiB parts, no MD5) = ${ratio('tus-el', 'off')}.
${
  modes.includes('parts')
    ? `In the parts baseline the last PUT takes ${f1(partsLast)} ms against ${f1(partsPut)} ms for the others: the
content-range server carries the whole file's MD5 along from part to part (demo/server/storage.ts,
\`writePart\`), so the last part does not read the stored file again, and every part is fsynced with its
record.`
    : '(The parts baseline was not run.)'
} The signed-parts embedded store does read everything again: its PATCH joins the parts into one
file and hashes it, which is its "last PUT to event" column.

#### CPU seconds by process during a run (medians)

Read from /proc before and after each measured upload (${m.cores} cores, so at most ${m.cores} CPU seconds per
wall-clock second). "CPU busy" is the share of all cores that was busy; "everything else" is busy time not
used by the bench's own processes (another job running at the same time shows up there). The reference
server column adds up both servers (embedded, and S3 mode); the Ceph column is the RADOS Gateway, the OSD and
the mon, which also run, mostly idle, during the other modes.

${cpuTable}

#### Every run

| round | mode | ms | MB/s | other CPU s |
| --- | --- | ---: | ---: | ---: |
${perRun.join('\n')}

| round | md5 worker MB/s | slice reads alone MB/s | spark-md5 alone MB/s |
| --- | ---: | ---: | ---: |
${perWorker.join('\n')}

### What this measures, and caveats

- Loopback only: browser and reference server run on the same machine and share its ${m.cores} cores, so
  the server's work (Node reading each request, hashing every byte with MD5, writing and fsyncing to
  disk) competes with the browser's (sending, and with MD5 on, hashing in a worker). There is no real
  network latency or bandwidth limit. On a link slower than these rates the network would usually be
  the limit instead, but then each part also waits one round trip for its answer, which a single PUT
  does not. These numbers are the upload path's own ceiling on this machine, not a network test.
- The reference server is part of every number: it hashes and fsyncs each part and its record, and in
  the signed-parts embedded mode it copies and hashes the whole file once more when the upload is finished.
  A production server would spend its time differently.
- sp-s3 measures RGW on this machine, not a cloud S3: its OSD keeps the data in RAM (memstore, no disk,
  no replication), on loopback, sharing the same ${m.cores} cores with the browser. In that mode the reference
  server only signs and records; the bytes go from the browser to RGW.
- The file is read from the OS page cache (it was just written and fits in RAM many times over), so
  these are warm-cache figures; a cold read from a slow disk would lower every mode.
- With content-range the element sends one part at a time (8 MiB), each a request that waits for the server's answer;
  with MD5 on, it hashes parts in its md5 workers ahead of the one being sent (how far ahead, and with
  how many workers, is the element's business: src/engine/upload-job.ts and uploader.ts). The md5
  worker alone row uses one worker, so it is a per-worker rate, not the element's hashing ceiling.
  With signed-parts it sends up to ${SP_PARALLEL} parts at a time (\`parallel-parts\`), but a part is signed, and so
  sent, only once its MD5 is known.
- The tus modes measure \`@tus/server\` with \`@tus/file-store\` (a server this project did not write, behind
  the reference server's CORS and lock layer, demo/server/tus.ts): it appends each PATCH to the file without
  hashing it, unlike the content-range route, so tus and content-range rows differ by server work too. tus-js-client
  and the element send the same 8 MiB parts one at a time there; with its default chunk size tus-js-client
  sends the whole file in one PATCH, the tus counterpart of the raw PUT.
- Headless Chromium with the GPU off; a desktop browser may differ. Medians of ${RUNS} runs; the spread
  (min/max, and every run above) shows how noisy the machine was.
- Total bench time: ${f1(elapsed)} s (build, file, ${RUNS} rounds).
`;
}

async function main(): Promise<void> {
  const began = performance.now();
  if (ONLY.has('throughput')) {
    check(
      S3_BYTES * 1.5 < os.freemem() * 0.6,
      `the sp-s3 runs would keep about ${f1((S3_BYTES * 1.5) / 1024 ** 3)} GiB in RGW's memstore (RAM), more than 60% of the ${f1(os.freemem() / 1024 ** 3)} GiB available; lower BENCH_SIZE_MIB or BENCH_RUNS`,
    );
  }
  // The AWS SDK (here and in the S3-mode server) would warn about Node 20 on every start.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  const work = await mkdtemp(join(os.tmpdir(), 'asset-uploader-bench-'));
  workDir = work;
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const publicDir = join(work, 'public');
  const dataDir = join(work, 'data');

  log(`bench: ${ONLY.has('view') && ONLY.has('throughput') ? 'view, then throughput' : [...ONLY].join('')}; building the demo and bench pages (vite build --config bench/vite.config.ts) ...`);
  const source = sourceState();
  await runBounded(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'bench/vite.config.ts', '--outDir', publicDir, '--emptyOutDir'], 180_000);
  const buildSeconds = (performance.now() - began) / 1000;

  const server = await startServer(publicDir, dataDir);
  cleanups.push(() => server.stop());
  log(`bench: reference server at ${server.origin}, DATA_DIR ${dataDir}`);
  const browser = await launch();
  cleanups.push(() => browser.close());
  log(`bench: Chromium ${browser.version()}`);
  const common: Common = { work, publicDir, server, browser, source, buildSeconds };

  // Sizes need no server or browser; then the view part, which needs only those, before Ceph is started.
  if (ONLY.has('sizes')) {
    const section = await sizesBench({ root: ROOT, work, log, runBounded, title: sectionTitle('sizes'), source });
    await writeSections(RESULTS, { sizes: section });
    log(`bench: wrote the sizes section of ${RESULTS}`);
  }
  // The view part first: it needs only the server and the browser, and runs before Ceph is started.
  if (ONLY.has('view')) {
    const m = machine();
    const section = await viewBench({
      browser,
      origin: server.origin,
      sizes: VIEW_SIZES,
      ways: VIEW_WAYS_RUN,
      runs: VIEW_RUNS,
      log,
      withTimeout,
      cpuMeter,
      title: sectionTitle('view'),
      facts: { cpu: m.cpu, cores: m.cores, ramGiB: m.ramGiB, kernel: m.kernel, node: m.node, source },
    });
    await writeSections(RESULTS, { view: section });
    log(`bench: wrote the view section of ${RESULTS}`);
  }
  if (ONLY.has('throughput')) {
    const section = await throughput(common);
    await writeSections(RESULTS, { throughput: section });
    log(`bench: wrote the throughput section of ${RESULTS}`);
  }
  log(`bench: done in ${f1((performance.now() - began) / 1000)} s`);
}

main()
  .then(
    () => cleanup(),
    async (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exitCode = 1;
      await cleanup();
    },
  )
  .finally(() => {
    // Everything started here has been stopped; do not wait for stray handles.
    process.exit(process.exitCode ?? 0);
  });
