/**
 * The engine's bookkeeping over its jobs, kept in step with every status change so that
 * nothing the engine does per file or per step scans every job: 10,000 queued files
 * made `add()` quadratic (a duplicate check and a count over every job for every file)
 * and every slot handover walk the whole queue.
 *
 * - Duplicates: how many not-finished jobs (any status but success and aborted) hold
 *   each duplicate key.
 * - The count `maxFiles` is checked against: jobs not aborted.
 * - Active jobs (a status in `activeStatuses`), for "is the batch over?".
 * - Queued jobs in the order they were added: a job put back in the queue (resume,
 *   retry, a takeover) starts in its old place, as it did when the queue was the job
 *   list walked from the top. Entries are dropped lazily: one whose job is no longer
 *   queued is thrown away when it comes up.
 *
 * `update(job)` must see every status change (the host's `changed` hook does it) and
 * costs O(1); taking the next queued job costs O(log n).
 */
import { activeStatuses, UploadStatus } from './types.js';
import type { UploadJob } from './upload-job.js';

/**
 * Two files are the same file to the queue when their path in the dropped folder (or
 * their name, without one), size and mtime agree: `2024/index.md` and `2025/index.md`
 * are two files. The same `File` added twice with the same path has the same key.
 */
export function duplicateKey(file: File, relativePath: string): string {
  // The free text goes last, so no name can make two keys run into each other.
  return `${file.size}:${file.lastModified}:${relativePath || file.name}`;
}

interface Entry {
  readonly job: UploadJob;
  readonly key: string;
  /** Insertion order: the queue's order. */
  readonly order: number;
  pending: boolean;
  counted: boolean;
  active: boolean;
  inQueue: boolean;
}

const isPending = (status: UploadStatus) => status !== UploadStatus.Success && status !== UploadStatus.Aborted;

export class JobIndex {
  readonly #entries = new Map<string, Entry>();
  /** Duplicate key -> not-finished jobs holding it. */
  readonly #pendingKeys = new Map<string, number>();
  #counted = 0;
  #active = 0;
  #order = 0;
  /** A binary min-heap on `order` of the entries that were queued when pushed. */
  readonly #queue: Entry[] = [];

  /** Jobs that count against `maxFiles`: every one not aborted. */
  get counted(): number {
    return this.#counted;
  }

  /** Jobs whose status is in `activeStatuses`. */
  get active(): number {
    return this.#active;
  }

  /** Whether a not-finished job holds `key`. */
  hasPending(key: string): boolean {
    return this.#pendingKeys.has(key);
  }

  add(job: UploadJob, key: string): void {
    const entry: Entry = { job, key, order: this.#order++, pending: false, counted: false, active: false, inQueue: false };
    this.#entries.set(job.id, entry);
    this.update(job);
  }

  /** Brings the counts up to the job's status; O(1). */
  update(job: UploadJob): void {
    const entry = this.#entries.get(job.id);
    if (!entry) return;
    const status = job.status;
    const pending = isPending(status);
    if (pending !== entry.pending) {
      entry.pending = pending;
      this.#countKey(entry.key, pending ? 1 : -1);
    }
    const counted = status !== UploadStatus.Aborted;
    if (counted !== entry.counted) {
      entry.counted = counted;
      this.#counted += counted ? 1 : -1;
    }
    // A held job (waiting for `start()`) is neither in the queue nor part of a running batch.
    const active = activeStatuses.has(status) && !job.held;
    if (active !== entry.active) {
      entry.active = active;
      this.#active += active ? 1 : -1;
    }
    if (status === UploadStatus.Queued && !job.held && !entry.inQueue) this.#push(entry);
  }

  remove(job: UploadJob): void {
    const entry = this.#entries.get(job.id);
    if (!entry) return;
    this.#entries.delete(job.id);
    if (entry.pending) this.#countKey(entry.key, -1);
    if (entry.counted) this.#counted--;
    if (entry.active) this.#active--;
    // Its place in the queue, if any, is dropped when it comes up.
  }

  /**
   * Takes the first queued job (in insertion order) that `startable` accepts. Entries of
   * jobs no longer queued, removed, or not startable now are dropped; `update` puts a
   * job back once it is queued again (the host calls it when a run ends, for a job that
   * went back to the queue while it was still running).
   */
  takeQueued(startable: (job: UploadJob) => boolean): UploadJob | undefined {
    for (;;) {
      const entry = this.#pop();
      if (!entry) return undefined;
      if (this.#entries.get(entry.job.id) === entry && entry.job.status === UploadStatus.Queued && startable(entry.job)) return entry.job;
    }
  }

  #countKey(key: string, delta: number): void {
    const count = (this.#pendingKeys.get(key) ?? 0) + delta;
    if (count > 0) this.#pendingKeys.set(key, count);
    else this.#pendingKeys.delete(key);
  }

  #push(entry: Entry): void {
    entry.inQueue = true;
    const heap = this.#queue;
    heap.push(entry);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = Math.floor((at - 1) / 2);
      if (heap[parent]!.order <= entry.order) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = entry;
  }

  #pop(): Entry | undefined {
    const heap = this.#queue;
    const top = heap[0];
    if (!top) return undefined;
    top.inQueue = false;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.order < heap[left]!.order ? right : left;
        if (heap[child]!.order >= last.order) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = last;
    }
    return top;
  }
}
