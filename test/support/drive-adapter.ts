/**
 * Drives one protocol adapter the way src/engine/upload-job.ts does, without the engine
 * around it (no workers, no resume store, no waits): `open` (or re-attach to saved
 * state); then ordered parts at the server's offset, in the server's window where it
 * names one, or numbered parts; after a failed part, `sync` before sending again; and
 * `complete` where the API has that step (else a last `sync` must bring the asset).
 *
 * Every call is bounded in time (a hang fails the test), and every answer is checked
 * against the adapter interface (offsets within the file, assets with an id). Anything
 * an adapter throws that is not an `UploadError` escapes at once: that is a crash.
 */
import { PartSizer } from '../../src/engine/part-sizer.js';
import { planParts } from '../../src/engine/part-plan.js';
import type { Asset, JsonObject, Protocol, ProtocolUpload, ServerProgress } from '../../src/engine/protocol.js';
import { UploadError, UploadErrorCode } from '../../src/engine/upload-error.js';
import { md5Base64 } from './fake-servers/core.js';

export interface PartInfo {
  readonly index: number;
  readonly number?: number;
  readonly start: number;
  readonly end: number;
}

export interface DriveOptions {
  /** The page's part size (`chunk-size`), kept within the API's bounds as the engine keeps it. */
  readonly partSize: number;
  /** Send each part's MD5, where the adapter takes them. */
  readonly checksum?: boolean;
  /** Failures recovered from (as the engine's retries do) before the last one is thrown. */
  readonly retries?: number;
  /** `sync` once after the first part, as a paused and resumed job does. */
  readonly syncAfterFirst?: boolean;
  /** Saved state to re-attach to, as after a reload. */
  readonly saved?: JsonObject;
  /** Before each part (where the engine writes resume state); false stops there, like a closed page. */
  readonly beforePart?: (part: PartInfo) => boolean | undefined;
  /** The MD5 a part goes with; default its own. */
  readonly md5Of?: (part: PartInfo, md5: string) => string;
  readonly afterOpen?: (progress: ServerProgress) => void;
  readonly afterSync?: (progress: ServerProgress) => void;
  /** How many requests were made so far (the fake's log), to tell which request a failure followed. */
  readonly requests?: () => number;
  /** Longest wait for one adapter call. */
  readonly boundMs?: number;
}

export interface Failure {
  readonly call: 'open' | 'send' | 'sync' | 'complete';
  readonly error: UploadError;
  /** Requests made when it was thrown. */
  readonly requests: number;
}

export class AdapterDriver {
  readonly failures: Failure[] = [];
  /** What `complete` reported of the server's work (`onStatus`). */
  readonly statuses: string[] = [];
  readonly #protocol: Protocol;
  readonly #upload: ProtocolUpload;
  readonly #file: Blob;
  readonly #options: DriveOptions;
  readonly #controller = new AbortController();

  constructor(protocol: Protocol, upload: ProtocolUpload, file: Blob, options: DriveOptions) {
    this.#protocol = protocol;
    this.#upload = upload;
    this.#file = file;
    this.#options = options;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Uploads to the end: the asset, or undefined when `beforePart` stopped it. */
  async run(): Promise<Asset | undefined> {
    const upload = this.#upload;
    const progress = await this.#call(
      'open',
      () => upload.open(this.signal, this.#options.saved),
      (p) => this.#progress(p),
    );
    this.#options.afterOpen?.(progress);
    if (!this.#protocol.capabilities.ordered && !progress.asset) return this.#numbered(progress);
    return this.#ordered(progress);
  }

  async #ordered(opened: ServerProgress): Promise<Asset | undefined> {
    const upload = this.#upload;
    const size = this.#file.size;
    const sizer = new PartSizer(this.#options.partSize, this.#protocol.capabilities);
    let progress = opened;
    let sentOnce = false;
    for (let index = 0; !progress.asset; ) {
      const start = progress.offset;
      // A 0-byte file still goes once before it counts as sent (as the engine does).
      if (start >= size && (size > 0 || sentOnce)) {
        progress = upload.complete ? { offset: size, asset: await this.#complete() } : await this.#sync();
        if (!progress.asset) throw new UploadError(UploadErrorCode.BadResponse, 'The server holds every byte but did not finish the upload.');
        break;
      }
      const window = progress.window?.start === start ? progress.window : undefined;
      const end = window ? Math.min(size, window.end) : sizer.end(start, size, this.#checksummed());
      const part = { index, start, end };
      if (this.#options.beforePart?.(part) === false) return undefined;
      try {
        progress = this.#progress(await this.#send(part));
        sentOnce = true;
      } catch (thrown) {
        this.#failed('send', thrown);
        progress = await this.#sync();
      }
      index += 1;
      if (index === 1 && this.#options.syncAfterFirst && !progress.asset) progress = await this.#sync();
    }
    return progress.asset;
  }

  async #numbered(opened: ServerProgress): Promise<Asset | undefined> {
    const plan = planParts(this.#file.size, this.#options.partSize, this.#protocol.capabilities);
    let held = new Set(opened.parts ?? []);
    for (let index = 0; ; index += 1) {
      let number = 1;
      while (number <= plan.count && held.has(number)) number += 1;
      if (number > plan.count) break;
      const part = { index, number, ...plan.range(number) };
      if (this.#options.beforePart?.(part) === false) return undefined;
      try {
        this.#progress(await this.#send(part));
        held.add(number);
      } catch (thrown) {
        this.#failed('send', thrown);
        held = new Set((await this.#sync()).parts ?? []);
      }
      if (index === 0 && this.#options.syncAfterFirst) held = new Set((await this.#sync()).parts ?? []);
    }
    return this.#complete();
  }

  #complete(): Promise<Asset> {
    return this.#call(
      'complete',
      () => this.#upload.complete!(this.signal, (status) => this.statuses.push(status)),
      (a) => this.#asset(a),
    );
  }

  async #send(part: PartInfo): Promise<ServerProgress> {
    const body = this.#file.slice(part.start, part.end);
    let md5: string | undefined;
    if (this.#checksummed()) {
      md5 = md5Base64(new Uint8Array(await body.arrayBuffer()));
      md5 = this.#options.md5Of?.(part, md5) ?? md5;
    }
    const sent = this.#upload.send({
      ...(part.number === undefined ? {} : { number: part.number }),
      start: part.start,
      end: part.end,
      body,
      ...(md5 === undefined ? {} : { md5 }),
      signal: this.signal,
      onProgress: () => undefined,
    });
    return this.#bounded('send', sent);
  }

  async #sync(): Promise<ServerProgress> {
    const progress = await this.#call(
      'sync',
      () => this.#upload.sync(this.signal),
      (p) => this.#progress(p),
    );
    this.#options.afterSync?.(progress);
    return progress;
  }

  /** A call the engine repeats after a failure (`#retrying` in upload-job.ts). */
  async #call<T>(call: Failure['call'], operation: () => Promise<T>, check: (value: T) => T): Promise<T> {
    for (;;) {
      try {
        return check(await this.#bounded(call, operation()));
      } catch (thrown) {
        this.#failed(call, thrown);
      }
    }
  }

  #failed(call: Failure['call'], thrown: unknown): void {
    if (!(thrown instanceof UploadError)) throw thrown;
    this.failures.push({ call, error: thrown, requests: this.#options.requests?.() ?? 0 });
    if (thrown.code === UploadErrorCode.Aborted || this.failures.length > (this.#options.retries ?? 0)) throw thrown;
  }

  #checksummed(): boolean {
    return this.#options.checksum === true && this.#protocol.capabilities.partChecksum !== 'none' && (this.#upload.acceptsChecksum?.() ?? true);
  }

  #bounded<T>(call: string, promise: Promise<T>): Promise<T> {
    const ms = this.#options.boundMs ?? 2000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.#protocol.name}: ${call} did not settle within ${ms} ms (a hang)`)), ms);
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** What the adapter interface promises of every progress report. */
  #progress(progress: ServerProgress): ServerProgress {
    const { offset, parts, window, asset } = (progress ?? {}) as Partial<ServerProgress>;
    const size = this.#file.size;
    if (!Number.isSafeInteger(offset) || offset! < 0 || offset! > size)
      throw new Error(`${this.#protocol.name}: an offset outside the file: ${String(offset)}`);
    if (parts && !parts.every((n) => Number.isSafeInteger(n) && n >= 1))
      throw new Error(`${this.#protocol.name}: part numbers that are not part numbers: ${String(parts)}`);
    if (window && !(Number.isSafeInteger(window.start) && Number.isSafeInteger(window.end) && window.start <= window.end && window.end <= size)) {
      throw new Error(`${this.#protocol.name}: a window outside the file: ${JSON.stringify(window)}`);
    }
    if (asset !== undefined) this.#asset(asset);
    return progress;
  }

  /** … and of every asset. */
  #asset(asset: Asset): Asset {
    if (typeof asset !== 'object' || asset === null || typeof asset.id !== 'string' || asset.id === '' || asset.raw === undefined) {
      throw new Error(`${this.#protocol.name}: an asset without an id: ${JSON.stringify(asset)}`);
    }
    return asset;
  }
}

/** Whether two byte sequences are the same. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((byte, i) => byte === b[i]);
}
