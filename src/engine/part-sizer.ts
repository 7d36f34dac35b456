/**
 * How large the next part of an ordered upload is (content-range, tus): parts exist for
 * resumability and checksums, and each request costs a round trip and a server commit,
 * so they are only as small as they need to be.
 *
 * - A part size set by the page (`chunk-size`) is kept, within the API's bounds.
 * - Otherwise, where the server keeps the bytes of a part cut off mid-way and no
 *   checksum goes with it (tus; content-range without `Content-MD5`), the rest of the
 *   file goes as one request: a broken connection then costs only what was in flight,
 *   and the upload resumes from the server's offset.
 * - Otherwise parts are sized from measured throughput, aiming at a few seconds per
 *   request: 8 MiB to start, at most twice the last size, at least a quarter of it.
 *   Checksummed parts stay at most 32 MiB: each is hashed by one worker, and several
 *   must be hashed at once for the pool to keep up with the wire.
 * - A `413` halves the size and caps it there for the rest of the upload.
 *
 * Plain arithmetic only: sizes above 4 GiB are real.
 */
import type { ProtocolCapabilities } from './protocol.js';

const MiB = 1024 * 1024;
/** The first part when nothing is measured yet. */
export const START_PART_SIZE = 8 * MiB;
/** What one request should take, in ms. */
const TARGET_MS = 4000;
/** The smallest part sized here (a page-set size may be smaller). */
const SMALLEST = 256 * 1024;
const LARGEST = 1024 * MiB;
const LARGEST_CHECKSUMMED = 32 * MiB;

export class PartSizer {
  readonly #fixed: number | undefined;
  readonly #min: number;
  readonly #max: number;
  readonly #keepsCutOff: boolean;
  #size = START_PART_SIZE;
  #cap = Infinity;

  /** `fixed`: the page's part size, or undefined to size parts here. */
  constructor(fixed: number | undefined, capabilities: ProtocolCapabilities) {
    this.#fixed = fixed;
    this.#min = Math.max(1, capabilities.minPartSize ?? 1);
    this.#max = capabilities.maxPartSize ?? Infinity;
    this.#keepsCutOff = capabilities.keepsCutOffParts === true;
  }

  /** One past the last byte of the part that starts at `start`. */
  end(start: number, fileSize: number, checksummed: boolean): number {
    let length: number;
    if (this.#fixed !== undefined) length = this.#fixed;
    else if (!checksummed && this.#keepsCutOff) length = fileSize - start;
    else length = checksummed ? Math.min(this.#size, LARGEST_CHECKSUMMED) : this.#size;
    length = Math.max(this.#min, Math.min(length, this.#cap, this.#max));
    return Math.min(fileSize, start + length);
  }

  /** A part of `bytes` took `ms` from the first byte sent to the server's answer. */
  measured(bytes: number, ms: number): void {
    if (this.#fixed !== undefined || bytes < SMALLEST || !(ms > 0)) return;
    const wanted = (bytes / ms) * TARGET_MS;
    const next = Math.min(this.#size * 2, Math.max(this.#size / 4, wanted));
    this.#size = Math.round(Math.min(LARGEST, Math.max(SMALLEST, next)));
  }

  /**
   * The server refused a part of `bytes` as too large (413): false when it cannot get
   * smaller (then the refusal stands), else parts are at most half of it from now on.
   */
  shrink(bytes: number): boolean {
    const half = Math.floor(bytes / 2);
    if (half < Math.max(this.#min, SMALLEST)) return false;
    this.#cap = half;
    this.#size = Math.min(this.#size, half);
    return true;
  }
}
