/**
 * The main thread's side of hashing: a small pool of md5 workers fed from one queue.
 * The main thread only posts a `Blob` reference and a range; reading and hashing happen
 * in the worker. Workers start lazily and stop when the pool is disposed.
 */
import type { HashRequest, HashResponse, HashTiming } from './hash-messages.js';
import { UploadError, UploadErrorCode } from './upload-error.js';

export interface PartDigest {
  /** The part as cut in the worker. */
  readonly part: Blob;
  /** Base64 of the MD5 digest (the `Content-MD5` form). */
  readonly md5: string;
  readonly hex: string;
  /** What the worker spent reading and hashing the part, when it says (the bench's breakdown). */
  readonly timing?: HashTiming;
}

export interface Hasher {
  digest(blob: Blob, start: number, end: number, signal: AbortSignal): Promise<PartDigest>;
  /** Gets ready for digests soon to come (starts up to `count` workers); optional. */
  warm?(count?: number): void;
  dispose(): void;
}

export type WorkerFactory = () => Worker;

/**
 * A worker that has hashed this much is replaced by a fresh one. A worker keeps memory
 * from its reads even after its garbage is collected. Measured with the kept read buffer
 * (md5.worker.ts), 3 rounds each, after a forced GC: the page held 9 MiB more after a 2 GiB
 * upload than after a 256 MiB one with one worker throughout (peak 186 MiB, ratio 1.08),
 * and nothing more with workers replaced (peak 183 MiB, 1.06; bench/RESULTS.md, memory);
 * with the old 4 MiB slice reads the difference was 47 MiB. Not much sooner: a fresh
 * worker hashes slowly until spark-md5 is compiled again, and replacing every 128 MiB cost
 * about a quarter of the MD5 rate.
 */
export const RETIRE_AFTER = 512 * 1024 * 1024;

/**
 * How long a worker may take over a part of `bytes` before it counts as stuck: a minute,
 * plus a second for every MB (a 32 MiB part: 94 s, where the worker here takes about half a
 * second). A worker that never answers (a read that never ends, a worker killed without an
 * error event) would otherwise hold its upload forever; now it fails like a worker that
 * cannot run, and the upload goes on without MD5, saying so.
 */
export function stallLimitMs(bytes: number): number {
  return 60_000 + Math.ceil(bytes / 1_000_000) * 1000;
}

interface Task {
  readonly request: HashRequest;
  readonly resolve: (digest: PartDigest) => void;
  readonly reject: (error: unknown) => void;
}

export const defaultWorkerFactory: WorkerFactory = () =>
  new Worker(new URL('./md5.worker.ts', import.meta.url), { type: 'module', name: 'asset-uploader-md5' });

/** A worker from `url` (a same-origin copy of the built md5 worker, for pages that load the element from another site). */
export function workerFactoryFor(url: string): WorkerFactory {
  return () => new Worker(url, { type: 'module', name: 'asset-uploader-md5' });
}

/** The origin the default worker comes from: the engine module's own (a worker starts only from the page's origin). */
export function defaultWorkerOrigin(): string {
  return new URL(import.meta.url).origin;
}

export class HashPool implements Hasher {
  readonly #size: number;
  readonly #factory: WorkerFactory;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Task>();
  readonly #queue: Task[] = [];
  /** Bytes each worker has hashed: one that has done `#retireAfter` is replaced (RETIRE_AFTER). */
  readonly #hashed = new WeakMap<Worker, number>();
  readonly #retireAfter: number;
  readonly #stallLimit: (bytes: number) => number;
  /** The bound on each busy worker's answer (`stallLimitMs`). */
  readonly #stallTimers = new Map<Worker, ReturnType<typeof setTimeout>>();
  #nextId = 1;
  #disposed = false;

  constructor(options: { size?: number; workerFactory?: WorkerFactory; retireAfter?: number; stallLimit?: (bytes: number) => number } = {}) {
    this.#size = Math.max(1, options.size ?? 2);
    this.#factory = options.workerFactory ?? defaultWorkerFactory;
    this.#retireAfter = options.retireAfter ?? RETIRE_AFTER;
    this.#stallLimit = options.stallLimit ?? stallLimitMs;
  }

  digest(blob: Blob, start: number, end: number, signal: AbortSignal): Promise<PartDigest> {
    return new Promise((resolve, reject) => {
      if (this.#disposed) return reject(new UploadError(UploadErrorCode.Aborted, 'The hash pool is closed.'));
      if (signal.aborted) return reject(new UploadError(UploadErrorCode.Aborted, 'Hashing was aborted.'));
      // An aborted task that has not started leaves the queue; a running one finishes in
      // the worker and its answer is dropped (a worker cannot be interrupted mid-read).
      // The listener goes when the task settles: one upload's signal sees thousands of parts.
      const onAbort = () => {
        const index = this.#queue.indexOf(task);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(new UploadError(UploadErrorCode.Aborted, 'Hashing was aborted.'));
      };
      const task: Task = {
        request: { id: this.#nextId++, blob, start, end },
        resolve: (digest) => {
          signal.removeEventListener('abort', onAbort);
          resolve(digest);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(task);
      this.#pump();
    });
  }

  /**
   * Starts up to `count` workers (default: the pool's size) before any part is asked
   * for. A worker's start (its script fetched, spark-md5 compiled) is otherwise paid
   * between a file and its first byte: 30-90 ms measured here, more on a far network.
   */
  warm(count = this.#size): void {
    const wanted = Math.min(count, this.#size);
    while (!this.#disposed && this.#idle.length + this.#busy.size < wanted) {
      try {
        this.#idle.push(this.#spawn());
      } catch {
        return; // the first digest tries again, and reports why it cannot
      }
    }
  }

  dispose(): void {
    this.#disposed = true;
    for (const worker of [...this.#idle, ...this.#busy.keys()]) worker.terminate();
    for (const task of [...this.#queue, ...this.#busy.values()]) task.reject(new UploadError(UploadErrorCode.Aborted, 'The hash pool was closed.'));
    for (const timer of this.#stallTimers.values()) clearTimeout(timer);
    this.#stallTimers.clear();
    this.#idle.length = 0;
    this.#busy.clear();
    this.#queue.length = 0;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const worker = this.#idle.pop() ?? (this.#busy.size < this.#size ? this.#spawnFor() : undefined);
      if (!worker) return;
      const task = this.#queue.shift()!;
      this.#busy.set(worker, task);
      const { start, end } = task.request;
      const limit = this.#stallLimit(end - start);
      this.#stallTimers.set(
        worker,
        setTimeout(() => {
          const seconds = Math.round(limit / 1000);
          this.#fail(worker, new UploadError(UploadErrorCode.WorkerFailed, `The checksum worker stopped answering (no answer for a part in ${seconds} s).`));
        }, limit),
      );
      worker.postMessage(task.request);
    }
  }

  /** A worker for the first queued task; when none can start, that task fails with why. */
  #spawnFor(): Worker | undefined {
    try {
      return this.#spawn();
    } catch (cause) {
      const task = this.#queue.shift();
      task?.reject(new UploadError(UploadErrorCode.WorkerFailed, 'The checksum worker could not start.', { cause }));
      return undefined;
    }
  }

  /** A new worker, wired to the pool; throws when it cannot be made. */
  #spawn(): Worker {
    const worker = this.#factory();
    worker.onmessage = (event: MessageEvent<HashResponse>) => this.#settle(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.#fail(worker, new UploadError(UploadErrorCode.WorkerFailed, `The checksum worker failed: ${event.message || 'it could not load'}.`));
    };
    return worker;
  }

  #settle(worker: Worker, response: HashResponse): void {
    this.#stopTimer(worker);
    const task = this.#busy.get(worker);
    this.#busy.delete(worker);
    const hashed = (this.#hashed.get(worker) ?? 0) + (task ? task.request.end - task.request.start : 0);
    this.#hashed.set(worker, hashed);
    if (hashed >= this.#retireAfter) worker.terminate();
    else this.#idle.push(worker);
    if (task && task.request.id === response.id) {
      if (response.error) {
        const { name, message } = response.error;
        const code = name === 'NotReadableError' || name === 'NotFoundError' ? UploadErrorCode.FileUnreadable : UploadErrorCode.WorkerFailed;
        const text =
          code === UploadErrorCode.FileUnreadable
            ? 'The file could not be read; it may have changed or been removed since it was picked.'
            : `Hashing failed: ${message}`;
        task.reject(new UploadError(code, text));
      } else {
        task.resolve({ part: response.part, md5: response.md5, hex: response.hex, ...(response.timing ? { timing: response.timing } : {}) });
      }
    }
    this.#pump();
  }

  #stopTimer(worker: Worker): void {
    clearTimeout(this.#stallTimers.get(worker));
    this.#stallTimers.delete(worker);
  }

  #fail(worker: Worker, error: UploadError): void {
    this.#stopTimer(worker);
    worker.terminate();
    // A worker started ahead (warm) can fail while idle: it must not be handed a task.
    const idle = this.#idle.indexOf(worker);
    if (idle >= 0) this.#idle.splice(idle, 1);
    const task = this.#busy.get(worker);
    this.#busy.delete(worker);
    task?.reject(error);
    // Every queued task would hit the same broken worker script: fail them too.
    for (const queued of this.#queue.splice(0)) queued.reject(error);
  }
}
