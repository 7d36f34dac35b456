/**
 * Where resume state lives: IndexedDB through idb-keyval (its own database, so it never
 * collides with a page's own idb-keyval use), or memory when IndexedDB is absent or
 * broken (private modes, old browsers). Persistence is best effort: a failing write
 * never breaks an upload, it only costs resume across reloads.
 *
 * Records are plain JSON (structured clone of a class or a Blob fails in some engines,
 * and Uppy once froze silently on that). They hold ids and locations, never tokens.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import type { JsonObject } from './protocol.js';

export interface ResumeRecord {
  readonly version: 1;
  readonly protocol: string;
  readonly endpoint: string;
  readonly name: string;
  readonly size: number;
  readonly partSize: number;
  /** The adapter's own state (`ProtocolUpload.saveState`). */
  readonly state: JsonObject;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ResumeStore {
  /** False when records do not survive a reload. */
  readonly persistent: boolean;
  get(key: string): Promise<ResumeRecord | undefined>;
  set(key: string, record: ResumeRecord): Promise<void>;
  remove(key: string): Promise<void>;
  /** Removes records not updated for `maxAgeMs`. */
  prune(maxAgeMs: number, now: number): Promise<void>;
}

export class MemoryResumeStore implements ResumeStore {
  readonly persistent = false;
  readonly #records = new Map<string, ResumeRecord>();

  async get(key: string) {
    return this.#records.get(key);
  }
  async set(key: string, record: ResumeRecord) {
    this.#records.set(key, record);
  }
  async remove(key: string) {
    this.#records.delete(key);
  }
  async prune(maxAgeMs: number, now: number) {
    for (const [key, record] of this.#records) if (now - record.updatedAt > maxAgeMs) this.#records.delete(key);
  }
}

export class IdbResumeStore implements ResumeStore {
  readonly persistent = true;
  readonly #store: UseStore;

  constructor(database = 'asset-uploader', storeName = 'resume') {
    this.#store = createStore(database, storeName);
  }

  async get(key: string) {
    const value: unknown = await get(key, this.#store);
    return isRecord(value) ? value : undefined;
  }
  async set(key: string, record: ResumeRecord) {
    await set(key, record, this.#store);
  }
  async remove(key: string) {
    await del(key, this.#store);
  }
  async prune(maxAgeMs: number, now: number) {
    for (const [key, value] of await entries(this.#store)) {
      if (!isRecord(value) || now - value.updatedAt > maxAgeMs) await del(key, this.#store);
    }
  }
}

/**
 * IndexedDB if it opens, memory otherwise. Opening is probed once, because
 * `indexedDB` can exist and still refuse (Firefox private windows used to).
 */
export async function openResumeStore(now = Date.now()): Promise<ResumeStore> {
  if (typeof indexedDB === 'undefined' || indexedDB === null) return new MemoryResumeStore();
  const store = new IdbResumeStore();
  try {
    await store.get('probe');
  } catch {
    return new MemoryResumeStore();
  }
  // Records of files never picked again (abandoned, changed on disk) would stay for good:
  // the ones untouched for a week go, in the background (the first upload does not wait).
  store.prune(RECORD_MAX_AGE_MS, now).catch(() => {});
  return store;
}

/**
 * How long a resume record lives without being written: a week, longer than servers keep
 * an unfinished upload (the reference server a day, tusd and S3 lifecycle rules days).
 */
export const RECORD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

function isRecord(value: unknown): value is ResumeRecord {
  if (!value || typeof value !== 'object') return false;
  const record = value as Partial<ResumeRecord>;
  return record.version === 1 && typeof record.updatedAt === 'number' && typeof record.state === 'object' && record.state !== null;
}
