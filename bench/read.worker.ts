/**
 * Bench-only worker. Two jobs that split the md5 worker's time into its parts:
 * - `read`: cut the file into parts and read each in sub-slices of `readSize` with
 *   `Blob.arrayBuffer()`, as src/engine/md5.worker.ts does where `Blob.stream()` is no byte
 *   stream (WebKit), without hashing;
 * - `compute`: spark-md5 over one in-memory buffer of `readSize` bytes, `bytes` in all,
 *   so no file reading is involved.
 */
import SparkMD5 from 'spark-md5';

export interface ReadRequest {
  readonly kind: 'read' | 'compute';
  readonly file: File | null;
  readonly partSize: number;
  readonly readSize: number;
  /** For `compute`: how many bytes to hash. */
  readonly bytes: number;
}

export interface ReadResult {
  readonly ms: number;
  readonly bytes: number;
  /** Keeps the work observable (a checksum of sampled bytes, or the hex digest). */
  readonly check: string;
}

// The project's tsconfig has the DOM lib, not the worker one: type just what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ReadRequest>) => void) | null;
  postMessage(message: ReadResult | { error: string }): void;
};

scope.onmessage = (event: MessageEvent<ReadRequest>) => {
  run(event.data).then(
    (result) => scope.postMessage(result),
    (error: unknown) => scope.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
};

async function run(request: ReadRequest): Promise<ReadResult> {
  return request.kind === 'read' ? read(request) : compute(request);
}

async function read({ file, partSize, readSize }: ReadRequest): Promise<ReadResult> {
  if (!file) throw new Error('read: no file');
  let sampled = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let start = 0; start < file.size; start += partSize) {
    const part = file.slice(start, Math.min(file.size, start + partSize));
    for (let offset = 0; offset < part.size; offset += readSize) {
      const buffer = await part.slice(offset, offset + readSize).arrayBuffer();
      const view = new Uint8Array(buffer);
      sampled = (sampled + view[0]! + view[view.length - 1]!) >>> 0;
      bytes += buffer.byteLength;
    }
  }
  return { ms: performance.now() - t0, bytes, check: String(sampled) };
}

async function compute({ readSize, bytes }: ReadRequest): Promise<ReadResult> {
  const buffer = new Uint8Array(readSize);
  for (let i = 0; i < buffer.length; i += 65536) crypto.getRandomValues(buffer.subarray(i, i + 65536));
  const spark = new SparkMD5.ArrayBuffer();
  let done = 0;
  const t0 = performance.now();
  while (done < bytes) {
    const n = Math.min(readSize, bytes - done);
    spark.append(n === readSize ? buffer.buffer : buffer.slice(0, n).buffer);
    done += n;
  }
  const hex = spark.end();
  return { ms: performance.now() - t0, bytes: done, check: hex };
}
