/// <reference lib="dom" />
/**
 * The bench page's script. bench/run.ts puts the big file into `#file` with
 * setInputFiles and calls these functions through `page.evaluate`; every time is taken
 * here, in the page, with performance.now(). `rawPut` and `rawParts` are the baselines
 * (plain XHR, no element); `tusJs` uploads with tus-js-client (another client of the
 * same `@tus/server` route the element's tus mode uses); the rest measures the md5
 * worker and its two halves.
 */
import { Upload } from 'tus-js-client';
import { HashPool } from '../src/engine/hash-pool.js';
import type { ReadRequest, ReadResult } from './read.worker.js';

export interface RawPutResult {
  /** From `xhr.send(file)` to the `load` event. */
  readonly sendToLoadMs: number;
  /** The session-creating POST before it (not part of sendToLoadMs). */
  readonly createMs: number;
  readonly status: number;
  /** `upload.onprogress` events seen (0 without the listener). */
  readonly progressEvents: number;
  readonly asset: { id?: string; size?: number; md5?: string };
}

export interface RawPartsResult {
  /** From the first part's `send()` to the last part's `load`. */
  readonly ms: number;
  readonly createMs: number;
  /** Each part's send -> load, in order. */
  readonly putMs: number[];
  readonly asset: { id?: string; size?: number; md5?: string };
}

export interface TusJsResult {
  /** From `upload.start()` to `onSuccess`: the creating POST and every PATCH. */
  readonly ms: number;
  /** The creating POST (inside `ms`). */
  readonly createMs: number;
  /** Each PATCH's onBeforeRequest -> onAfterResponse, in order. */
  readonly putMs: number[];
  /** Each PATCH's start, relative to `upload.start()`. */
  readonly putStartMs: number[];
  /** The upload URL (the tus server's Location). */
  readonly url: string;
}

export interface HashResult {
  readonly ms: number;
  readonly bytes: number;
  /** Hex MD5 of each part, in order, for checking against Node. */
  readonly partHex: string[];
  /** The workers that hashed (the pool's size). */
  readonly workers: number;
  /** Sums over the parts of what the workers report (src/engine/md5.worker.ts): reading, hashing. */
  readonly readMs: number;
  readonly hashMs: number;
}

export interface BenchApi {
  /** `progress`: with an `upload.onprogress` listener, as every uploader with a progress bar has. */
  rawPut(endpoint: string, progress?: boolean): Promise<RawPutResult>;
  rawParts(endpoint: string, partSize: number): Promise<RawPartsResult>;
  /** `chunkSize` null: tus-js-client's default (Infinity, one PATCH). */
  tusJs(endpoint: string, chunkSize: number | null): Promise<TusJsResult>;
  /** The file's parts hashed by the project's HashPool with `workers` workers, that many parts at a time. */
  hashFile(partSize: number, workers: number): Promise<HashResult>;
  /** `navigator.hardwareConcurrency`. */
  cores(): number;
  workerJob(request: Omit<ReadRequest, 'file'> & { withFile: boolean }): Promise<ReadResult>;
}

declare global {
  interface Window {
    assetUploaderBench: BenchApi;
  }
}

function pickedFile(): File {
  const input = document.querySelector<HTMLInputElement>('#file')!;
  const file = input.files?.[0];
  if (!file) throw new Error('bench page: no file in #file');
  return file;
}

/** `POST endpoint` JSON `{file_size, file_name}` -> the upload's location. */
async function createUpload(endpoint: string, file: File): Promise<{ location: string; createMs: number }> {
  const t0 = performance.now();
  const created = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ file_size: file.size, file_name: file.name }),
  });
  if (created.status !== 201 && created.status !== 200) throw new Error(`creating the upload answered ${created.status}`);
  const { location } = (await created.json()) as { location?: string };
  if (typeof location !== 'string') throw new Error('no location in the creation answer');
  return { location, createMs: performance.now() - t0 };
}

/** One XHR PUT; resolves with its send -> load time and the answer. `progress`: an `upload.onprogress` listener counts its events. */
function put(
  location: string,
  body: Blob,
  headers: Record<string, string>,
  progress = false,
): Promise<{ ms: number; status: number; text: string; progressEvents: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', location, true);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    let sentAt = 0;
    let progressEvents = 0;
    if (progress) xhr.upload.onprogress = () => progressEvents++;
    xhr.onload = () => resolve({ ms: performance.now() - sentAt, status: xhr.status, text: xhr.responseText, progressEvents });
    xhr.onerror = () => reject(new Error('PUT: network error'));
    sentAt = performance.now();
    xhr.send(body);
  });
}

async function rawPut(endpoint: string, progress = false): Promise<RawPutResult> {
  const file = pickedFile();
  const { location, createMs } = await createUpload(endpoint, file);
  // No Content-Range: the server takes the whole file in this one body.
  const answer = await put(location, file, { 'Content-Type': 'application/octet-stream' }, progress);
  if (answer.status !== 200) throw new Error(`raw PUT answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return {
    sendToLoadMs: answer.ms,
    createMs,
    status: answer.status,
    progressEvents: answer.progressEvents,
    asset: JSON.parse(answer.text) as RawPutResult['asset'],
  };
}

/** The same file as consecutive Content-Range PUTs of `partSize`, one at a time, without the element. */
async function rawParts(endpoint: string, partSize: number): Promise<RawPartsResult> {
  const file = pickedFile();
  const { location, createMs } = await createUpload(endpoint, file);
  const putMs: number[] = [];
  let last = '';
  const t0 = performance.now();
  for (let start = 0; start < file.size; start += partSize) {
    const end = Math.min(file.size, start + partSize);
    const answer = await put(location, file.slice(start, end), {
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${start}-${end - 1}/${file.size}`,
    });
    const expected = end === file.size ? 200 : 204;
    if (answer.status !== expected) throw new Error(`part at ${start} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    putMs.push(answer.ms);
    last = answer.text;
  }
  const ms = performance.now() - t0;
  return { ms, createMs, putMs, asset: JSON.parse(last) as RawPartsResult['asset'] };
}

/**
 * The file uploaded with tus-js-client: no retries, no resume storage (nothing stored, so
 * nothing found or removed either), default everything else except `chunkSize`.
 */
function tusJs(endpoint: string, chunkSize: number | null): Promise<TusJsResult> {
  const file = pickedFile();
  return new Promise<TusJsResult>((resolve, reject) => {
    const putMs: number[] = [];
    const putStartMs: number[] = [];
    let createMs = -1;
    let postAt = 0;
    let patchAt = 0;
    let t0 = 0;
    const upload = new Upload(file, {
      endpoint,
      ...(chunkSize === null ? {} : { chunkSize }),
      retryDelays: null,
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
      onBeforeRequest: (req) => {
        const now = performance.now();
        if (req.getMethod() === 'POST') postAt = now;
        else if (req.getMethod() === 'PATCH') {
          patchAt = now;
          putStartMs.push(now - t0);
        }
      },
      onAfterResponse: (req) => {
        const now = performance.now();
        if (req.getMethod() === 'POST') createMs = now - postAt;
        else if (req.getMethod() === 'PATCH') putMs.push(now - patchAt);
      },
      onSuccess: () => {
        const ms = performance.now() - t0;
        if (upload.url === null) reject(new Error('tus-js-client: no upload URL after success'));
        else resolve({ ms, createMs, putMs, putStartMs, url: upload.url });
      },
      onError: (error) => reject(new Error(`tus-js-client: ${error.message}`)),
    });
    t0 = performance.now();
    upload.start();
  });
}

/**
 * The project's own HashPool with `workers` workers, kept busy: `workers` parts in flight at a
 * time, the next part given as one finishes (with one worker: one part after another).
 */
async function hashFile(partSize: number, workers: number): Promise<HashResult> {
  const file = pickedFile();
  const pool = new HashPool({ size: workers });
  const signal = new AbortController().signal;
  try {
    // Start every worker (module fetch and compile) outside the timed part.
    await Promise.all(Array.from({ length: workers }, () => pool.digest(file, 0, Math.min(1, file.size), signal)));
    const starts: number[] = [];
    for (let start = 0; start < file.size; start += partSize) starts.push(start);
    const partHex: string[] = new Array<string>(starts.length);
    let next = 0;
    let readMs = 0;
    let hashMs = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < starts.length) {
          const index = next++;
          const start = starts[index]!;
          const digest = await pool.digest(file, start, Math.min(file.size, start + partSize), signal);
          partHex[index] = digest.hex;
          readMs += digest.timing?.readMs ?? 0;
          hashMs += digest.timing?.hashMs ?? 0;
        }
      }),
    );
    return { ms: performance.now() - t0, bytes: file.size, partHex, workers, readMs, hashMs };
  } finally {
    pool.dispose();
  }
}

/** Plain slice reads, or spark-md5 over a buffer already in memory, in a worker of its own. */
function workerJob(request: Omit<ReadRequest, 'file'> & { withFile: boolean }): Promise<ReadResult> {
  const { withFile, ...rest } = request;
  const worker = new Worker(new URL('./read.worker.ts', import.meta.url), { type: 'module', name: 'bench-reader' });
  return new Promise<ReadResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ReadResult | { error: string }>) => {
      worker.terminate();
      if ('error' in event.data) reject(new Error(event.data.error));
      else resolve(event.data);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`bench worker failed: ${event.message}`));
    };
    const message: ReadRequest = { ...rest, file: withFile ? pickedFile() : null };
    worker.postMessage(message);
  });
}

window.assetUploaderBench = { rawPut, rawParts, tusJs, hashFile, workerJob, cores: () => navigator.hardwareConcurrency };
