/**
 * One file's upload: the state machine between `queued` and `success | error | aborted`.
 *
 * The job asks its protocol adapter for everything protocol-specific and its host (the
 * `Uploader`) for shared services. It only branches on capabilities and error codes.
 * After any failure it asks the server what it holds before sending again: the server
 * is the authority, never a local counter.
 */
import type { Asset, Protocol, ProtocolContext, ProtocolUpload, ServerProgress } from './protocol.js';
import type { PartDigest, Hasher } from './hash-pool.js';
import { sendIndependentParts } from './independent-parts.js';
import { planParts } from './part-plan.js';
import { PartSizer, START_PART_SIZE } from './part-sizer.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import type { ResumeRecord, ResumeStore } from './resume-store.js';
import type { Clock } from './clock.js';
import { whenOnline } from './sleep.js';
import { SpeedMeter } from './speed.js';
import { tryLock, waitForLock, type LockManagerLike, type ReleaseLock } from './upload-lock.js';
import { activeStatuses, UploadStatus, type Transport, type UploadSnapshot } from './types.js';
import { isAbort, toUploadError, UploadError, UploadErrorCode, type UploadErrorInfo } from './upload-error.js';

/** The server a job talks to, fixed when the file is added: later option changes do not move it. */
export interface JobSetup {
  /** Where the file sat in a dropped or picked folder (normalised), `''` when none. */
  readonly relativePath: string;
  readonly protocol: Protocol;
  readonly context: ProtocolContext;
  /** Makes this file's adapter (alone, or as one file of a batch). */
  create(): ProtocolUpload;
  /** Added with `autoStart: false`: it waits for `start()` (`release`), not only for a slot. */
  readonly held?: boolean;
}

/** What a job needs from the engine around it. */
export interface JobHost {
  /** The part size the page set (the job clamps it to its protocol's limits); undefined: sized from throughput (part-sizer.ts). */
  readonly chunkSize: number | undefined;
  readonly checksum: boolean;
  /** How many parts to hash ahead of the one being sent. */
  readonly hashAhead: number;
  /** Parts sent at the same time when the API's parts are independent. */
  readonly parallelParts: number;
  readonly retryPolicy: RetryPolicy;
  readonly resume: boolean;
  /** 'form' when the browser or the server cannot take streaming parts. */
  transport(): Transport;
  /** The server refused streaming: every later upload uses the form fallback too. */
  refuseStreaming(): void;
  /** undefined when no worker can hash here. */
  hasher(): Hasher | undefined;
  /** The md5 worker cannot run: stop using it for every upload. */
  hashingFailed(error: UploadError): void;
  store(): Promise<ResumeStore>;
  /** Web Locks, where the browser has them: one writer per saved upload across tabs. */
  locks(): LockManagerLike | undefined;
  /** Time, waits and jitter (the uploader's `clock` option). */
  readonly clock: Clock;
  changed(job: UploadJob, event?: JobEvent): void;
}

export type JobEvent =
  | { type: 'upload-start' }
  | { type: 'upload-progress' }
  | { type: 'upload-wait' }
  | { type: 'upload-retry'; error: UploadErrorInfo; attempt: number; delayMs: number }
  | { type: 'upload-success'; asset: Asset }
  | { type: 'upload-error'; error: UploadErrorInfo };

/** A part being hashed ahead of its turn: where it ends, and its digest to come. */
interface Lookahead {
  readonly end: number;
  readonly digest: Promise<PartDigest>;
}

/** Thrown inside `run` when the job got the lock after waiting and is back in the queue. */
const TOOK_OVER = Symbol('took over');

/** Resume records older than this are ignored: servers expire abandoned uploads too. */
const RESUME_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Bytes hashed for the fingerprint: enough to tell two exports of one name apart. */
const FINGERPRINT_BYTES = 64 * 1024;

export class UploadJob {
  readonly id: string;
  readonly file: File;
  readonly #host: JobHost;
  readonly #setup: JobSetup;
  #status: UploadStatus = UploadStatus.Queued;
  #held: boolean;
  #confirmed = 0;
  #inFlight = 0;
  #bytesPerSecond = 0;
  #attempt = 0;
  #resumedFrom = 0;
  #persistent = false;
  #checksummed = true;
  #serverStatus: string | undefined;
  #transport: Transport = 'put';
  #error: UploadErrorInfo | undefined;
  #asset: Asset | undefined;
  #upload: ProtocolUpload | undefined;
  #opened = false;
  /** The part size of the saved upload re-attached to: numbered parts must be cut as they were. */
  #savedPartSize: number | undefined;
  #key: string | undefined;
  #createdAt: number | undefined;
  #controller: AbortController | undefined;
  #releaseSlot: () => void = () => {};
  /** The Web Lock on this file's resume key, while this job works on the saved upload. */
  #lock: ReleaseLock | undefined;
  readonly #speed = new SpeedMeter();
  #snapshot: UploadSnapshot | undefined;

  constructor(id: string, file: File, host: JobHost, setup: JobSetup) {
    this.id = id;
    this.file = file;
    this.#host = host;
    this.#setup = setup;
    this.#held = setup.held === true;
  }

  get status(): UploadStatus {
    return this.#status;
  }

  /** Queued and waiting for `start()` (added with `autoStart: false`); a free slot does not start it. */
  get held(): boolean {
    return this.#held;
  }

  /** `start()` (or a resume or retry) let it go: from now on a free slot starts it. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#touch();
  }

  get relativePath(): string {
    return this.#setup.relativePath;
  }

  /** A frozen view, rebuilt only when something changed. */
  snapshot(): UploadSnapshot {
    if (this.#snapshot) return this.#snapshot;
    const size = this.file.size;
    const bytesUploaded = Math.min(size, this.#confirmed + this.#inFlight);
    this.#snapshot = Object.freeze({
      id: this.id,
      name: this.file.name,
      relativePath: this.#setup.relativePath,
      size,
      type: this.file.type,
      status: this.#status,
      held: this.#held,
      bytesUploaded,
      bytesConfirmed: this.#confirmed,
      bytesPerSecond: this.#bytesPerSecond,
      progress: size === 0 ? (this.#status === UploadStatus.Success ? 1 : 0) : bytesUploaded / size,
      transport: this.#transport,
      resumedFrom: this.#resumedFrom,
      persistent: this.#persistent,
      checksum: this.#wantsChecksum() && this.#checksummed && this.#transport === 'put',
      attempt: this.#attempt,
      assetActions: this.assetActions,
      ...(this.#serverStatus ? { serverStatus: this.#serverStatus } : {}),
      ...(this.#error ? { error: this.#error } : {}),
      ...(this.#asset ? { asset: this.#asset } : {}),
    });
    return this.#snapshot;
  }

  /**
   * Runs until success, error, pause or cancel. Never throws. `releaseSlot` gives the
   * host's concurrency slot back as soon as every byte is sent and only the server's
   * side (commit, processing) is left.
   */
  async run(releaseSlot: () => void = () => {}): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.#releaseSlot = releaseSlot;
    this.#error = undefined;
    this.#set(UploadStatus.Preparing, { type: 'upload-start' });
    try {
      this.#transport = this.#host.transport();
      // Some APIs take some files in one request by design (the phased API: everything but video).
      if (this.#transport === 'put' && this.#adapter().prefersForm?.()) this.#transport = 'form';
      const asset = this.#transport === 'form' ? await this.#sendForm(controller.signal) : await this.#streamOrForm(controller.signal);
      await this.#forget();
      this.#asset = asset;
      this.#confirmed = this.file.size;
      this.#inFlight = 0;
      this.#set(UploadStatus.Success, { type: 'upload-success', asset });
    } catch (thrown) {
      if (thrown === TOOK_OVER) return; // back in the queue, holding the lock: the host starts it again
      if (controller.signal.aborted || isAbort(thrown)) return; // pause or cancel set the status already
      const error = toUploadError(thrown);
      this.#error = error.toJSON();
      this.#inFlight = 0;
      this.#upload?.dispose?.('error');
      this.#set(UploadStatus.Error, { type: 'upload-error', error: this.#error });
    } finally {
      if (this.#controller === controller) this.#controller = undefined;
      releaseSlot();
    }
  }

  pause(): boolean {
    if (this.#status === UploadStatus.Paused || !this.#isActive()) return false;
    this.#controller?.abort();
    this.#inFlight = 0;
    this.#set(UploadStatus.Paused);
    return true;
  }

  /** Back to the queue after a pause or an error; the host starts it when a slot is free. */
  requeue(): boolean {
    if (this.#status !== UploadStatus.Paused && this.#status !== UploadStatus.Error) return false;
    this.#error = undefined;
    this.#attempt = 0;
    this.#set(UploadStatus.Queued);
    return true;
  }

  async cancel(): Promise<boolean> {
    if (this.#status === UploadStatus.Success || this.#status === UploadStatus.Aborted) return false;
    this.#controller?.abort();
    this.#inFlight = 0;
    this.#set(UploadStatus.Aborted);
    // A file that never started still has a place in its batch (a session commits once
    // every file of its drop is sent or given up): its adapter is told too, and does
    // nothing where nothing was opened.
    let upload = this.#upload;
    try {
      upload ??= this.#adapter();
    } catch {
      // No adapter (its protocol failed to load): there is no one to tell.
    }
    upload?.dispose?.('cancel');
    try {
      await upload?.abort();
      await this.#forget();
    } finally {
      this.#letGo();
    }
    return true;
  }

  #letGo(): void {
    this.#lock?.();
    this.#lock = undefined;
  }

  /** Checksums on, and the server (once asked) wants them. */
  #wantsChecksum(): boolean {
    if (!this.#host.checksum || this.#setup.protocol.capabilities.partChecksum === 'none') return false;
    return this.#upload?.acceptsChecksum?.() ?? true;
  }

  /** What can be done with the uploaded asset from here (rename, delete), per the protocol. */
  get assetActions(): readonly ('rename' | 'delete')[] {
    if (this.#status !== UploadStatus.Success || !this.#asset) return [];
    const { rename, remove } = this.#setup.protocol;
    return [...(rename ? (['rename'] as const) : []), ...(remove ? (['delete'] as const) : [])];
  }

  /** Renames the uploaded asset on the server; the snapshot then shows the server's answer. */
  async renameAsset(name: string): Promise<Asset> {
    const { protocol, context } = this.#setup;
    if (!this.#asset || !protocol.rename) throw new UploadError(UploadErrorCode.ClientError, `The ${protocol.name} protocol cannot rename assets.`);
    this.#asset = await protocol.rename(context, this.#asset, name);
    this.#touch();
    return this.#asset;
  }

  /** Deletes the uploaded asset on the server. */
  async deleteAsset(): Promise<void> {
    const { protocol, context } = this.#setup;
    if (!this.#asset || !protocol.remove) throw new UploadError(UploadErrorCode.ClientError, `The ${protocol.name} protocol cannot delete assets.`);
    await protocol.remove(context, this.#asset);
  }

  #isActive(): boolean {
    return activeStatuses.has(this.#status);
  }

  /** Streams parts; when the server turns out not to take them (405/415/501), sends the form instead. */
  async #streamOrForm(signal: AbortSignal): Promise<Asset> {
    try {
      return await this.#stream(signal);
    } catch (thrown) {
      if (!(thrown instanceof UploadError) || thrown.code !== UploadErrorCode.StreamingUnsupported || !this.#upload?.sendForm) throw thrown;
      this.#host.refuseStreaming();
      this.#transport = 'form';
      this.#confirm(0);
      return this.#sendForm(signal);
    }
  }

  async #stream(signal: AbortSignal): Promise<Asset> {
    const size = this.file.size;
    const lookahead = new Map<number, Lookahead>();
    const sizer = new PartSizer(this.#host.chunkSize, this.#setup.protocol.capabilities);
    // A new upload starts at byte 0: its first part is hashed while the server creates the
    // upload, not after. Only where checksums are known to be wanted before asking the
    // server (an adapter that learns it on open, tus, is asked afterwards).
    const hashFirst = () => {
      if (this.#setup.protocol.capabilities.ordered && this.#adapter().acceptsChecksum === undefined && size > 0) {
        this.#prefetch(0, sizer.end(0, size, true), lookahead, signal);
      }
    };
    let progress = await this.#attach(signal, hashFirst);
    this.#set(UploadStatus.Uploading);
    if (!this.#setup.protocol.capabilities.ordered && !progress.asset) return this.#streamIndependent(progress, signal);
    if (progress.offset !== 0) lookahead.clear();
    let sentOnce = false;
    try {
      while (!progress.asset) {
        const start = progress.offset;
        // A 0-byte file still goes once (an empty PUT or transfer) before it counts as sent.
        if (start >= size && (size > 0 || sentOnce)) {
          // Every byte is there: finish (commit, publish...) where the API has a step for
          // it, or ask once more whether the server is done.
          const upload = this.#upload!;
          if (upload.complete) this.#set(UploadStatus.Processing);
          const onStatus = (status: string) => {
            this.#serverStatus = status;
            this.#touch({ type: 'upload-progress' });
          };
          progress = await this.#retrying(signal, async () =>
            upload.complete ? { offset: size, asset: await upload.complete(signal, onStatus) } : upload.sync(signal),
          );
          if (!progress.asset) throw new UploadError(UploadErrorCode.BadResponse, 'The server holds every byte but did not finish the upload.');
          break;
        }
        // The server may name the next window itself (the phased API); else parts are ours
        // to size, and a part already being hashed keeps the size it was cut at.
        const window = progress.window?.start === start ? progress.window : undefined;
        const checksummed = this.#wantsChecksum() && this.#host.hasher() !== undefined;
        const end = window ? Math.min(size, window.end) : (lookahead.get(start)?.end ?? sizer.end(start, size, checksummed));
        const part = await this.#partAt(start, end, lookahead, signal);
        // Hash the next parts while this one uploads, as many as there are hash workers:
        // hashing (~100 MB/s per worker) must not be what the upload waits for. Memory
        // stays flat: a pending digest holds a Blob slice, not the bytes.
        if (!window) {
          for (let next = end, k = 0; k < this.#host.hashAhead && next < size; k++) {
            next = lookahead.get(next)?.end ?? this.#prefetch(next, sizer.end(next, size, true), lookahead, signal);
          }
        }
        await this.#remember(end - start);
        const sentAt = this.#host.clock.now();
        try {
          progress = await this.#upload!.send({
            start,
            end,
            body: part.body,
            ...(part.md5 === undefined ? {} : { md5: part.md5 }),
            signal,
            onProgress: (loaded) => this.#progress(loaded),
          });
          // Only an answered send counts: after a failed empty PUT the server holds nothing
          // yet, and "offset 0 of 0" from the re-sync must not pass for "every byte is there".
          sentOnce = true;
          if (progress.offset === end) sizer.measured(end - start, this.#host.clock.now() - sentAt);
        } catch (thrown) {
          if (isAbort(thrown) || signal.aborted) throw thrown;
          const error = toUploadError(thrown);
          // A part too large for the server (a proxy's body limit, say): smaller ones, at once.
          if (error.status === 413 && !window) {
            if (!sizer.shrink(end - start))
              throw new UploadError(
                UploadErrorCode.ClientError,
                `The server refuses parts of ${end - start} bytes as too large (413), and parts cannot be smaller here.`,
                { status: 413, cause: error },
              );
          } else {
            await this.#backoff(error, signal);
          }
          progress = await this.#retrying(signal, () => this.#upload!.sync(signal));
        }
        if (progress.offset > this.#confirmed) this.#attempt = 0;
        if (progress.offset !== end) lookahead.clear();
        this.#confirm(progress.offset);
      }
    } finally {
      lookahead.clear();
    }
    return progress.asset;
  }

  /** Numbered parts, several at a time; the server's list of parts is the truth after any failure. */
  async #streamIndependent(opened: ServerProgress, signal: AbortSignal): Promise<Asset> {
    const upload = this.#upload!;
    const { capabilities } = this.#setup.protocol;
    // Numbered parts keep one size for the whole upload: a resumed one must cut the same ranges.
    // After a reload the page may set another part size (or none): the saved upload's wins.
    const plan = planParts(this.file.size, this.#savedPartSize ?? this.#host.chunkSize ?? START_PART_SIZE, capabilities);
    await sendIndependentParts({
      plan,
      lanes: this.#host.parallelParts,
      signal,
      confirmed: new Set(opened.parts ?? []),
      prepare: (_number, start, end, laneSignal) => this.#partAt(start, end, undefined, laneSignal),
      send: async (number, start, end, part, laneSignal, onProgress) => {
        await this.#remember(plan.partSize);
        await upload.send({ number, start, end, body: part.body, ...(part.md5 === undefined ? {} : { md5: part.md5 }), signal: laneSignal, onProgress });
      },
      recover: async (error, laneSignal) => {
        await this.#backoff(toUploadError(error), laneSignal);
        const held = await this.#retrying(laneSignal, () => upload.sync(laneSignal));
        return new Set(held.parts ?? []);
      },
      progress: (confirmedBytes, inFlightBytes) => {
        if (confirmedBytes > this.#confirmed) this.#attempt = 0;
        this.#confirmed = confirmedBytes;
        this.#progress(inFlightBytes);
      },
    });
    if (!upload.complete)
      throw new UploadError(UploadErrorCode.BadResponse, `The ${this.#setup.protocol.name} protocol has no step to finish independent parts.`);
    this.#set(UploadStatus.Processing);
    return this.#retrying(signal, () => upload.complete!(signal));
  }

  /** Creates the server upload, or re-attaches to the one a saved record names. */
  /** `fresh` runs just before a new server upload is created (not on re-attaching to a saved one). */
  async #attach(signal: AbortSignal, fresh: () => void = () => {}): Promise<ServerProgress> {
    if (this.#opened) {
      if (this.#key) await this.#takeLock(this.#key, signal);
      let progress: ServerProgress;
      try {
        progress = await this.#retrying(signal, () => this.#upload!.sync(signal));
      } catch (thrown) {
        // Gone on the server while paused or failed (expired, swept): start afresh, as after a reload.
        if (toUploadError(thrown).code !== UploadErrorCode.SessionExpired) throw thrown;
        progress = await this.#openAfresh(signal);
        this.#resumedFrom = 0;
      }
      this.#confirm(progress.offset);
      return progress;
    }
    const store = this.#host.resume && this.#setup.protocol.capabilities.resumable !== false ? await this.#host.store() : undefined;
    this.#persistent = store?.persistent ?? false;
    this.#key = store ? await this.#fingerprint(signal) : undefined;
    if (this.#key) await this.#takeLock(this.#key, signal);
    const saved = store && this.#key ? await this.#recall(store, this.#key) : undefined;
    this.#savedPartSize = saved && Number.isSafeInteger(saved.partSize) && saved.partSize > 0 ? saved.partSize : undefined;
    this.#upload = this.#adapter();
    if (!saved) fresh();
    let progress: ServerProgress;
    try {
      progress = await this.#retrying(signal, () => this.#upload!.open(signal, saved?.state));
    } catch (thrown) {
      const error = toUploadError(thrown);
      if (!saved || (error.code !== UploadErrorCode.SessionExpired && error.status !== 403)) throw thrown;
      // The saved upload is gone on the server (expired, cleaned up): start afresh.
      progress = await this.#openAfresh(signal);
    }
    this.#opened = true;
    this.#resumedFrom = progress.offset;
    this.#confirm(progress.offset);
    return progress;
  }

  /** The server no longer knows the upload: forget its record and create a new one. */
  async #openAfresh(signal: AbortSignal): Promise<ServerProgress> {
    await this.#forget();
    this.#savedPartSize = undefined;
    this.#createdAt = undefined;
    this.#upload = this.#setup.create();
    return this.#retrying(signal, () => this.#upload!.open(signal));
  }

  /**
   * Holds the Web Lock on the resume key before the saved upload is even read: another
   * tab appending to the same server upload at the same time would break it. When the
   * lock is taken, the job waits without a slot (status `elsewhere`), then goes back to
   * the queue holding the lock, and re-reads the saved state the other one left.
   */
  async #takeLock(key: string, signal: AbortSignal): Promise<void> {
    const locks = this.#host.locks();
    if (!locks || this.#lock) return;
    this.#lock = await tryLock(locks, key);
    if (this.#lock) return;
    this.#releaseSlot();
    this.#set(UploadStatus.Elsewhere, { type: 'upload-wait' });
    this.#lock = await waitForLock(locks, key, signal);
    this.#set(UploadStatus.Queued);
    throw TOOK_OVER;
  }

  async #sendForm(signal: AbortSignal): Promise<Asset> {
    const upload = this.#adapter();
    if (!upload.sendForm)
      throw new UploadError(
        UploadErrorCode.StreamingUnsupported,
        `The ${this.#setup.protocol.name} protocol has no form upload, and this browser cannot stream parts.`,
      );
    this.#set(UploadStatus.Uploading);
    return this.#retrying(signal, () => {
      this.#inFlight = 0;
      return upload.sendForm!(this.file, this.file.name, signal, (loaded) => this.#progress(Math.min(loaded, this.file.size)));
    });
  }

  /** The adapter for this file, created once and kept across pauses and retries. */
  #adapter(): ProtocolUpload {
    this.#upload ??= this.#setup.create();
    return this.#upload;
  }

  /** Runs `operation`, retrying per the policy. */
  async #retrying<T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await operation();
      } catch (thrown) {
        if (isAbort(thrown) || signal.aborted) throw thrown;
        await this.#backoff(toUploadError(thrown), signal);
      }
    }
  }

  /** Waits before the next attempt, or rethrows when the policy says stop. */
  async #backoff(error: UploadError, signal: AbortSignal): Promise<void> {
    const decision = decideRetry(error, this.#attempt, this.#host.retryPolicy, this.#host.clock.random);
    if (!decision.retry) throw error;
    this.#attempt++;
    this.#inFlight = 0;
    // A retried commit or status poll is still processing, not uploading again.
    const resumeAs = this.#status === UploadStatus.Processing ? UploadStatus.Processing : UploadStatus.Uploading;
    this.#set(UploadStatus.Retrying, { type: 'upload-retry', error: error.toJSON(), attempt: this.#attempt, delayMs: decision.delayMs });
    await whenOnline(signal);
    if (decision.delayMs > 0) await this.#host.clock.sleep(decision.delayMs, signal);
    this.#set(resumeAs);
  }

  async #partAt(start: number, end: number, lookahead: Map<number, Lookahead> | undefined, signal: AbortSignal): Promise<{ body: Blob; md5?: string }> {
    const pending = lookahead?.get(start)?.digest;
    lookahead?.delete(start);
    let digest = await this.#digest(start, end, signal, pending);
    // A prefetch for another window (the server moved the offset): hash the right one.
    if (digest && digest.part.size !== end - start) digest = await this.#digest(start, end, signal);
    if (!digest) {
      this.#checksummed = false;
      // The whole file goes as the File itself, not a slice of it: Chromium reads a File
      // body straight from disk, while a slice goes through the blob registry in the
      // browser process (measured: ten times its CPU for the same bytes).
      return { body: start === 0 && end === this.file.size ? this.file : this.file.slice(start, end) };
    }
    return { body: digest.part, md5: digest.md5 };
  }

  /** Starts hashing the part `start..end` ahead of its turn; returns `end`. */
  #prefetch(start: number, end: number, lookahead: Map<number, Lookahead>, signal: AbortSignal): number {
    const hasher = this.#wantsChecksum() ? this.#host.hasher() : undefined;
    if (!hasher) return end;
    const digest = hasher.digest(this.file, start, end, signal);
    digest.catch(() => undefined); // surfaced when (if) the part is used
    lookahead.set(start, { end, digest });
    return end;
  }

  /**
   * The part's digest, or undefined when checksums are off or the worker cannot run
   * (a browser without module workers, a CSP that blocks it): then the upload goes on
   * without MD5s rather than failing, and the snapshot says so.
   */
  async #digest(start: number, end: number, signal: AbortSignal, pending?: Promise<PartDigest>, always = false): Promise<PartDigest | undefined> {
    const hasher = this.#wantsChecksum() || always ? this.#host.hasher() : undefined;
    if (!hasher) return undefined;
    try {
      return await (pending ?? hasher.digest(this.file, start, end, signal));
    } catch (thrown) {
      if (!(thrown instanceof UploadError) || thrown.code !== UploadErrorCode.WorkerFailed) throw thrown;
      this.#host.hashingFailed(thrown);
      return undefined;
    }
  }

  /**
   * name, size, mtime and the digest of the first 64 KiB: two files that merely share a
   * name do not collide. The folder path too, when there is one: `2024/index.md` and
   * `2025/index.md` with the same bytes are two server uploads (tus keeps the path in
   * their metadata), and one must not resume the other's. Files without a path keep
   * the key they always had, so their saved uploads still resume.
   */
  async #fingerprint(signal: AbortSignal): Promise<string> {
    const {
      protocol,
      context: { endpoint },
      relativePath,
    } = this.#setup;
    const head = (await this.#digest(0, Math.min(this.file.size, FINGERPRINT_BYTES), signal, undefined, true))?.hex ?? 'no-digest';
    return [
      'asset-uploader/v1',
      protocol.name,
      endpoint,
      this.file.name,
      this.file.size,
      this.file.lastModified,
      head,
      ...(relativePath ? [relativePath] : []),
    ].join('\n');
  }

  async #recall(store: ResumeStore, key: string): Promise<ResumeRecord | undefined> {
    try {
      const record = await store.get(key);
      if (!record) return undefined;
      if (this.#host.clock.now() - record.updatedAt > RESUME_MAX_AGE_MS || record.size !== this.file.size || record.protocol !== this.#setup.protocol.name) {
        await store.remove(key);
        return undefined;
      }
      return record;
    } catch {
      return undefined; // a broken store costs resume, never the upload
    }
  }

  /** Written before each part is sent: a crash mid-part still finds the upload. */
  async #remember(partSize: number): Promise<void> {
    const state = this.#upload?.saveState();
    if (!this.#key || !state) return;
    const now = this.#host.clock.now();
    try {
      const store = await this.#host.store();
      // Read once, kept: the record is written before every part, and a read per part is waste.
      this.#createdAt ??= (await store.get(this.#key))?.createdAt ?? now;
      await store.set(this.#key, {
        version: 1,
        protocol: this.#setup.protocol.name,
        endpoint: this.#setup.context.endpoint,
        name: this.file.name,
        size: this.file.size,
        partSize,
        state,
        createdAt: this.#createdAt,
        updatedAt: now,
      });
    } catch {
      // Full or broken IndexedDB: the upload goes on; only resume across reloads is lost.
      this.#persistent = false;
      this.#touch();
    }
  }

  async #forget(): Promise<void> {
    if (!this.#key) return;
    try {
      await (await this.#host.store()).remove(this.#key);
    } catch {
      // Stale records expire by age.
    }
  }

  #confirm(offset: number): void {
    this.#confirmed = offset;
    this.#inFlight = 0;
    this.#progress(0);
  }

  #progress(loaded: number): void {
    this.#inFlight = loaded;
    this.#bytesPerSecond = this.#speed.sample(this.#host.clock.now(), this.#confirmed + loaded);
    this.#touch({ type: 'upload-progress' });
  }

  #set(status: UploadStatus, event?: JobEvent): void {
    this.#status = status;
    if (status === UploadStatus.Processing) this.#releaseSlot();
    // Paused, finished or failed: another tab may take the saved upload over. A cancel
    // lets go only once the server upload and its record are gone (`cancel`).
    if (!activeStatuses.has(status) && status !== UploadStatus.Aborted) this.#letGo();
    if (status !== UploadStatus.Uploading) this.#speed.reset();
    if (status !== UploadStatus.Uploading) this.#bytesPerSecond = 0;
    this.#touch(event);
  }

  #touch(event?: JobEvent): void {
    this.#snapshot = undefined;
    this.#host.changed(this, event);
  }
}
