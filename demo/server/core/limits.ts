/**
 * Limits on open (unfinished) uploads, one ledger for the whole server (issue 9,
 * defect 9): per client address for the APIs anyone can use without a token
 * (content-range, tus), per bearer token for the token-protected ones (phased,
 * session, signed-parts; the registry's uploads go through signed-parts), and in all,
 * with the bytes they reserve.
 *
 * Why this exists: every open upload reserves its declared size on disk and a
 * record; without a bound, one client could create thousands in seconds. An upload
 * counts from its creation until it completes, is deleted, or is swept as abandoned
 * (app.ts runs each API's sweep). Entries are keyed `<api>:<id>` so that one total
 * covers every API. The ledger lives in memory: uploads left open by an earlier run
 * are not counted again (the sweeper still removes them once their TTL has passed).
 */
import { ApiError } from './errors.js';

export interface UploadLimits {
  /** Open content-range and tus uploads per client address (default 1000). */
  readonly maxOpenPerClient: number;
  /** Open phased, session (one per file) and signed-parts uploads per bearer token (default 1000). */
  readonly maxOpenPerToken: number;
  /** Open uploads in all, every API together (default 10000). */
  readonly maxOpenTotal: number;
  /** Sum of the declared sizes of open uploads, in bytes (default 100 GiB); past it: 507. */
  readonly maxReservedBytes: number;
}

export const DEFAULT_LIMITS: UploadLimits = {
  maxOpenPerClient: 1_000,
  maxOpenPerToken: 1_000,
  maxOpenTotal: 10_000,
  maxReservedBytes: 100 * 1024 ** 3,
};

/** Seconds a refused client is told to wait (Retry-After): about how long the sweeper or another client's completion takes to free room. */
export const RETRY_AFTER_SECONDS = 60;

/**
 * Who an open upload is counted against. A token owner's id is a digest of the
 * token (core/auth.ts tokenOwner), so the ledger never holds a credential.
 */
export interface Owner {
  readonly kind: 'client' | 'token';
  readonly id: string;
}

/**
 * A limit was reached: 429 `too_many_uploads` (too many open uploads) or 507
 * `insufficient_storage` (too many bytes reserved), with the `Retry-After` every API
 * sends with it. An ApiError like any other, so each API writes it in its own shape.
 */
export class LimitError extends ApiError {
  readonly retryAfter = RETRY_AFTER_SECONDS;
  constructor(status: 429 | 507, message: string) {
    super(status, status === 507 ? 'insufficient_storage' : 'too_many_uploads', message, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
    this.name = 'LimitError';
  }
}

/**
 * Room counted for an upload whose id is not known yet (its store makes the id):
 * `bind` names it once created, `release` gives it back if the creation failed or the
 * upload ended. Claiming checks and counts in one synchronous step, so concurrent
 * creations cannot all pass the check while the first is still being written.
 */
export interface Claim {
  bind(key: string): void;
  release(): void;
}

/** Claims room for `count` uploads of `size` bytes in all for `owner`, or throws a LimitError. Without a ledger nothing is counted. */
export function claimOrRefuse(ledger: OpenUploads | undefined, owner: Owner, size: number, count: number): Claim {
  return ledger === undefined ? { bind() {}, release() {} } : ledger.claim(owner, size, count);
}

interface Entry {
  readonly owner: string;
  readonly size: number;
  readonly count: number;
}

export class OpenUploads {
  readonly #limits: UploadLimits;
  readonly #open = new Map<string, Entry>();
  readonly #perOwner = new Map<string, number>();
  #count = 0;
  #reserved = 0;
  #pending = 0;

  constructor(limits: Partial<UploadLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Throws LimitError when `owner` may not open `count` more uploads of `size` bytes in
   * all now. A client address is given as a plain string (content-range, tus).
   */
  check(owner: Owner | string, size: number, count = 1): void {
    const who = ownerOf(owner);
    const mine = this.#perOwner.get(ownerKey(who)) ?? 0;
    const cap = who.kind === 'token' ? this.#limits.maxOpenPerToken : this.#limits.maxOpenPerClient;
    if (count > cap) {
      // No wait can make room for it: a refusal to change the request, not to retry it.
      throw new ApiError(
        413,
        'too_many_files',
        `This request opens ${count} uploads (one per file); this server allows at most ${cap} unfinished uploads per ${who.kind === 'token' ? 'token' : 'client'}. Send fewer files at a time.`,
      );
    }
    if (mine + count > cap) {
      const what = who.kind === 'token' ? 'This token' : 'This client';
      const needs = count > 1 ? ` (this request needs ${count}: one per file)` : '';
      throw new LimitError(429, `${what} has ${mine} unfinished uploads of the ${cap} allowed${needs}; finish or delete some, or retry later.`);
    }
    if (this.#count + count > this.#limits.maxOpenTotal) {
      throw new LimitError(429, 'The server has as many unfinished uploads as it allows; retry later.');
    }
    if (this.#reserved + size > this.#limits.maxReservedBytes) {
      throw new LimitError(507, 'The server cannot reserve room for this file now; retry later.');
    }
  }

  /** Counts upload `key` (e.g. "tus:<id>") of `owner` as open: `count` uploads (a session's files) of `size` bytes in all. */
  add(key: string, owner: Owner | string, size: number, count = 1): void {
    if (this.#open.has(key)) return;
    const who = ownerKey(ownerOf(owner));
    this.#open.set(key, { owner: who, size, count });
    this.#perOwner.set(who, (this.#perOwner.get(who) ?? 0) + count);
    this.#count += count;
    this.#reserved += size;
  }

  /** check, then add under a provisional key, in one step; throws LimitError. */
  claim(owner: Owner, size: number, count = 1): Claim {
    this.check(owner, size, count);
    this.#pending += 1;
    let key = `pending:${this.#pending}`;
    this.add(key, owner, size, count);
    return {
      bind: (next) => {
        const entry = this.#open.get(key);
        if (entry === undefined) return;
        this.#open.delete(key);
        this.#open.set(next, entry);
        key = next;
      },
      release: () => this.release(key),
    };
  }

  /** Stops counting upload `key` (completed, deleted or swept); unknown keys are ignored. */
  release(key: string): void {
    const entry = this.#open.get(key);
    if (!entry) return;
    this.#open.delete(key);
    const left = (this.#perOwner.get(entry.owner) ?? entry.count) - entry.count;
    if (left <= 0) this.#perOwner.delete(entry.owner);
    else this.#perOwner.set(entry.owner, left);
    this.#count -= entry.count;
    this.#reserved -= entry.size;
  }
}

function ownerOf(owner: Owner | string): Owner {
  return typeof owner === 'string' ? { kind: 'client', id: owner } : owner;
}

/** Client addresses and token digests never collide: each kind has its own prefix. */
function ownerKey(owner: Owner): string {
  return `${owner.kind}:${owner.id}`;
}

/** The client address an unauthenticated upload is counted against. */
export function clientAddress(req: { socket: { remoteAddress?: string | undefined } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}
