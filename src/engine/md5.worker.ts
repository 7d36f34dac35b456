/**
 * Cuts a part out of the file with `Blob.slice` and computes its MD5 with spark-md5,
 * off the main thread. The part is read 1 MiB at a time, so a 50 MiB part never needs a
 * 50 MiB ArrayBuffer, and the cut `Blob` goes back with the digest: the bytes that were
 * hashed are the bytes that are sent.
 *
 * A module worker loaded from a same-origin file (no `blob:` URL), so it runs under a
 * strict Content-Security-Policy with `worker-src 'self'`.
 */
import SparkMD5 from 'spark-md5';
import type { HashRequest, HashResponse } from './hash-messages.js';

/**
 * Reads of 1 MiB into one buffer the worker keeps from part to part (a BYOB reader of
 * `Blob.stream()`). Bytes the browser reads into buffers of its own are freed only by a full
 * garbage collection, so a worker reading 4 MiB `arrayBuffer()` slices held up to 64 MiB of
 * spent reads at a time; with one kept buffer it holds about 2 MiB (bench/RESULTS.md, memory).
 */
const READ_SIZE = 1024 * 1024;

/**
 * spark-md5 copies what each `append` is given into a buffer of its own and keeps that copy
 * while it hashes it: appended 64 KiB at a time, no copy lives long enough to be kept past
 * the young generation's quick collections.
 */
const APPEND_SIZE = 64 * 1024;

/**
 * Hashed once as the worker starts: spark-md5 is then compiled before the first part
 * comes. Measured in a worker started a second ahead, the first 8 MiB part took a median
 * 128 ms against 157 ms without (6 runs each, Chromium, this machine).
 */
const WARM_UP_BYTES = 256 * 1024;

const scope = self as unknown as { onmessage: ((event: MessageEvent<HashRequest>) => void) | null; postMessage(message: HashResponse): void };

scope.onmessage = (event) => {
  void hash(event.data).then((response) => scope.postMessage(response));
};

SparkMD5.ArrayBuffer.hash(new ArrayBuffer(WARM_UP_BYTES));

async function hash({ id, blob, start, end }: HashRequest): Promise<HashResponse> {
  try {
    const part = blob.slice(start, end);
    let result: Hashed;
    try {
      result = await readStream(part);
    } catch {
      // Read it again in slices: WebKit's `Blob.stream()` is no byte stream, and where a read
      // fails Chromium's stream says only "network error", where a slice names the cause
      // (NotReadableError: the file changed on disk after it was picked).
      result = await readSlices(part);
    }
    const t2 = performance.now();
    const raw = result.spark.end(true);
    const { readMs } = result;
    const hashMs = result.hashMs + performance.now() - t2;
    return { id, part, md5: btoa(raw), hex: toHex(raw), timing: { readMs, hashMs } };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    return { id, error: { name, message } };
  }
}

interface Hashed {
  readonly spark: SparkMD5.ArrayBuffer;
  readMs: number;
  hashMs: number;
}

/** The buffer reads go into, kept between parts; a part that fails leaves the next one a new one. */
let kept: ArrayBuffer | undefined;

/**
 * Reads the part with a BYOB reader into the kept buffer. Each read hands the buffer back as
 * a new `ArrayBuffer` (the old one is detached): that one is read into next. The browser
 * reads ahead of the reader, so the disk is read while the last bytes are hashed.
 */
async function readStream(part: Blob): Promise<Hashed> {
  const reader = part.stream().getReader({ mode: 'byob' });
  const result: Hashed = { spark: new SparkMD5.ArrayBuffer(), readMs: 0, hashMs: 0 };
  let buffer = kept ?? new ArrayBuffer(READ_SIZE);
  kept = undefined;
  for (;;) {
    const t0 = performance.now();
    const { done, value } = await reader.read(new Uint8Array(buffer, 0, READ_SIZE));
    const t1 = performance.now();
    result.readMs += t1 - t0;
    if (!value) return result;
    buffer = value.buffer as ArrayBuffer;
    if (done) break;
    append(result.spark, value);
    result.hashMs += performance.now() - t1;
  }
  kept = buffer;
  return result;
}

/** Sub-slices read with `arrayBuffer()`, the next while this one is hashed; two at most are held at once. */
async function readSlices(part: Blob): Promise<Hashed> {
  const result: Hashed = { spark: new SparkMD5.ArrayBuffer(), readMs: 0, hashMs: 0 };
  let next = part.size > 0 ? part.slice(0, READ_SIZE).arrayBuffer() : undefined;
  for (let offset = 0; next; offset += READ_SIZE) {
    const t0 = performance.now();
    const bytes = await next;
    const t1 = performance.now();
    const after = offset + READ_SIZE;
    next = after < part.size ? part.slice(after, after + READ_SIZE).arrayBuffer() : undefined;
    append(result.spark, new Uint8Array(bytes));
    result.readMs += t1 - t0;
    result.hashMs += performance.now() - t1;
  }
  return result;
}

function append(spark: SparkMD5.ArrayBuffer, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength; at += APPEND_SIZE) {
    // spark-md5 copies the view's bytes (`new Uint8Array(view)`), so a view serves as a buffer.
    spark.append(bytes.subarray(at, at + APPEND_SIZE) as unknown as ArrayBuffer);
  }
}

function toHex(raw: string): string {
  let hex = '';
  for (let i = 0; i < raw.length; i++) hex += raw.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}
