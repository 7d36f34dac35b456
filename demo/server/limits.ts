/**
 * Limits on open (unfinished) uploads, for the APIs anyone can use without a token
 * (content-range, tus), keyed by client address (issue 9, defect 9).
 *
 * Why this exists: every open upload reserves its declared size on disk and a
 * record; without a bound, one client could create thousands in seconds. An upload
 * counts from its creation until it completes, is deleted, or is swept as abandoned
 * (sweep.ts). The ledger lives in memory: uploads left open by an earlier run are
 * not counted again (the sweeper still removes them once their TTL has passed).
 */

export interface UploadLimits {
  /** Open uploads per client address (default 1000). */
  readonly maxOpenPerClient: number;
  /** Open uploads in all (default 10000). */
  readonly maxOpenTotal: number;
  /** Sum of the declared sizes of open uploads, in bytes (default 100 GiB); past it: 507. */
  readonly maxReservedBytes: number;
}

export const DEFAULT_LIMITS: UploadLimits = {
  maxOpenPerClient: 1_000,
  maxOpenTotal: 10_000,
  maxReservedBytes: 100 * 1024 ** 3,
};

/** Seconds a refused client is told to wait (Retry-After): about how long the sweeper or another client's completion takes to free room. */
export const RETRY_AFTER_SECONDS = 60;

/** A limit was reached: status 429 (too many open uploads) or 507 (too many bytes reserved). */
export class LimitError extends Error {
  readonly status: 429 | 507;
  readonly retryAfter = RETRY_AFTER_SECONDS;
  constructor(status: 429 | 507, message: string) {
    super(message);
    this.name = 'LimitError';
    this.status = status;
  }
}

export class OpenUploads {
  readonly #limits: UploadLimits;
  readonly #open = new Map<string, { owner: string; size: number }>();
  readonly #perOwner = new Map<string, number>();
  #reserved = 0;

  constructor(limits: Partial<UploadLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Throws LimitError when `owner` may not open another upload of `size` bytes now. */
  check(owner: string, size: number): void {
    const mine = this.#perOwner.get(owner) ?? 0;
    if (mine >= this.#limits.maxOpenPerClient) {
      throw new LimitError(429, `This client has ${mine} unfinished uploads, the most allowed; finish or delete some, or retry later.`);
    }
    if (this.#open.size >= this.#limits.maxOpenTotal) {
      throw new LimitError(429, 'The server has as many unfinished uploads as it allows; retry later.');
    }
    if (this.#reserved + size > this.#limits.maxReservedBytes) {
      throw new LimitError(507, 'The server cannot reserve room for this file now; retry later.');
    }
  }

  /** Counts upload `key` (e.g. "tus:<id>") of `owner` as open. */
  add(key: string, owner: string, size: number): void {
    if (this.#open.has(key)) return;
    this.#open.set(key, { owner, size });
    this.#perOwner.set(owner, (this.#perOwner.get(owner) ?? 0) + 1);
    this.#reserved += size;
  }

  /** Stops counting upload `key` (completed, deleted or swept); unknown keys are ignored. */
  release(key: string): void {
    const entry = this.#open.get(key);
    if (!entry) return;
    this.#open.delete(key);
    const left = (this.#perOwner.get(entry.owner) ?? 1) - 1;
    if (left <= 0) this.#perOwner.delete(entry.owner);
    else this.#perOwner.set(entry.owner, left);
    this.#reserved -= entry.size;
  }
}

/** The client address an unauthenticated upload is counted against. */
export function clientAddress(req: { socket: { remoteAddress?: string | undefined } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}
