/**
 * The engine: a queue of uploads with restrictions, concurrency, pause/resume/cancel/
 * retry and typed events. No DOM: usable from JS alone (`new Uploader(options)`), and
 * the `<asset-uploader>` element is only a view over it.
 *
 * @example
 * const uploader = new Uploader({ endpoint: '/content-range/videos/upload.json' });
 * uploader.addEventListener('upload-success', (e) => console.log(e.detail.asset.url));
 * uploader.add(fileInput.files);
 */
import type { Protocol, ProtocolContext, ProtocolUpload } from './protocol.js';
import { loadProtocol, protocolNamed, protocolNames, protocolPending } from './protocol-registry.js';
import { canStream, detectSupport, type BrowserSupport } from './capabilities.js';
import { systemClock, type Clock } from './clock.js';
import { defaultWorkerOrigin, HashPool, workerFactoryFor, type Hasher } from './hash-pool.js';
import type { HttpStack } from './http.js';
import { toFileToAdd } from './relative-path.js';
import { checkFile, refusalBase } from './restrictions.js';
import { duplicateKey, JobIndex } from './job-index.js';
import { openResumeStore, type ResumeStore } from './resume-store.js';
import { defaultRetryPolicy, validateRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { ScopedHttpStack } from './scoped-http.js';
import { UploadError, UploadErrorCode } from './upload-error.js';
import { RejectReason, UploadStatus, type FileToAdd, type RejectedFile, type Transport, type UploaderEventMap, type UploadSnapshot } from './types.js';
import { UploadJob, type JobEvent, type JobHost } from './upload-job.js';
import { nextTask } from './next-task.js';
import { defaultLocks, type LockManagerLike } from './upload-lock.js';
import { XhrHttpStack } from './xhr-http-stack.js';

export interface UploaderOptions {
  /** The API's URL; what it points at depends on the protocol (README). Resolved against the page. */
  endpoint: string;
  /** A protocol name (`content-range`) or an adapter object. Default `content-range`. */
  protocol?: string | Protocol;
  /**
   * Bytes per part. Unset (the default): where the server keeps a part cut off mid-way
   * and no checksum is sent (tus; content-range without MD5), the rest of the file goes
   * as one request; else parts are sized from measured throughput (about 4 s each,
   * 8 MiB to start; at most 32 MiB when checksummed), and numbered parts (S3) are 8 MiB
   * or what the 10,000-part limit needs. A `413` halves the size either way.
   */
  chunkSize?: number;
  /** Files uploaded at the same time. Default 2. */
  concurrency?: number;
  accept?: string;
  maxFileSize?: number;
  maxFiles?: number;
  /**
   * More than one file per `add()` call. Default true. False: each call takes its first
   * acceptable file and refuses the others (`too_many_files`); earlier uploads stay
   * (whether a new file replaces the old one is the view's call).
   */
  multiple?: boolean;
  /** Refuse every file added (`disabled`), as after `destroy()`; uploads already added go on. Default false. */
  disabled?: boolean;
  /** Start uploads as soon as files are added. Default true. */
  autoStart?: boolean;
  /** `auto` streams parts where it can; `put` always; `form` always sends one multipart/form-data POST. */
  transport?: 'auto' | 'put' | 'form';
  /** Compute and send each part's MD5. Default true. */
  checksum?: boolean;
  /** Keep resume state across reloads. Default true. */
  resume?: boolean;
  /** Headers for requests to the endpoint's origin only (an `Authorization`, say). */
  headers?: Readonly<Record<string, string>>;
  /** Send cookies to the endpoint's origin. Default false. */
  withCredentials?: boolean;
  /** Other origins a server `Location` may move an upload to. */
  allowedOrigins?: readonly string[];
  retryPolicy?: RetryPolicy;
  /** Abort a request that made no progress for this long (ms), then re-sync and go on. Default 30 s; 0 turns it off. */
  stallTimeoutMs?: number;
  /** Number of md5 workers. Default: one fewer than `navigator.hardwareConcurrency`, from 1 to 4. */
  hashWorkers?: number;
  /** Parts sent at the same time, for APIs whose parts are independent (S3). Default 3. */
  parallelParts?: number;
  /** For `registry`: the signed-parts uploads collection that stores the bytes before the asset is registered. Resolved against the page. */
  storageEndpoint?: string;
  /**
   * Where to start the md5 worker from, instead of beside the engine's module. Browsers
   * start workers only from the page's own origin: a page that loads the element from a
   * CDN on another origin serves a copy of `assets/md5.worker-*.js` and points here.
   */
  workerUrl?: string;
  /** Members added to the record the protocol creates (`registry`: `data.user_id`, `data.is_stock`…). */
  fields?: Readonly<Record<string, string | number | boolean>>;
  /** Injection points (tests, other runtimes). */
  http?: HttpStack;
  hasher?: Hasher;
  resumeStore?: ResumeStore | Promise<ResumeStore>;
  /** Web Locks for one writer per saved upload across tabs; default `navigator.locks`, `null` for none. */
  locks?: LockManagerLike | null;
  support?: BrowserSupport;
  /** Time, waits and jitter for the engine and its adapters (retry delays, session polling, URL expiry); tests pass a fake one. */
  clock?: Clock;
}

type Resolved = Required<
  Omit<
    UploaderOptions,
    | 'protocol'
    | 'chunkSize'
    | 'accept'
    | 'maxFileSize'
    | 'maxFiles'
    | 'storageEndpoint'
    | 'workerUrl'
    | 'http'
    | 'hasher'
    | 'resumeStore'
    | 'locks'
    | 'support'
    | 'clock'
  >
> &
  Pick<UploaderOptions, 'chunkSize' | 'accept' | 'maxFileSize' | 'maxFiles' | 'storageEndpoint' | 'workerUrl'> & { protocol: Protocol };

export interface Uploader {
  addEventListener<K extends keyof UploaderEventMap>(
    type: K,
    listener: (event: UploaderEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof UploaderEventMap>(
    type: K,
    listener: (event: UploaderEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

let nextId = 0;

export class Uploader extends EventTarget {
  #options!: Resolved;
  readonly #jobs = new Map<string, UploadJob>();
  /** Duplicate keys, counts and the queue, kept in step with every status change (job-index.ts). */
  readonly #index = new JobIndex();
  /** Jobs whose `run()` has not returned yet (with or without a slot). */
  readonly #running = new Set<string>();
  /** Concurrency slots in use: one per job that is moving bytes (see `#runInSlot`). */
  readonly #slots = new Set<object>();
  readonly #support: BrowserSupport;
  readonly #clock: Clock;
  readonly #locks: LockManagerLike | undefined;
  readonly #http: HttpStack | undefined;
  /** What adapters learned about the server (ProtocolContext.memo), with the options it holds for. */
  #memo = { key: '', map: new Map<string, unknown>() };
  #hasher: Hasher | undefined;
  readonly #ownsHasher: boolean;
  #store: Promise<ResumeStore> | undefined;
  readonly #injectedStore: ResumeStore | Promise<ResumeStore> | undefined;
  #streamingRefused = false;
  /** Why the md5 worker cannot run here, once it failed. */
  #hashingBroken: UploadError | undefined;
  #destroyed = false;
  /** Whether the queue ran since the last `upload-complete`. */
  #batchOpen = false;
  /** Why the adapter registered by a loader could not be loaded, until it loads. */
  #loadFailed: UploadError | undefined;
  /** The queue was asked to start while the adapter loaded. */
  #startWhenLoaded = false;
  /** `warm` was asked for while the adapter loaded. */
  #warmWhenLoaded = false;
  /** A `#pumpSoon` is waiting for its task. */
  #pumpQueued = false;

  constructor(options: UploaderOptions) {
    super();
    this.#support = options.support ?? detectSupport();
    this.#clock = options.clock ?? systemClock;
    this.#locks = options.locks === null ? undefined : (options.locks ?? defaultLocks());
    this.#http = options.http;
    this.#hasher = options.hasher;
    this.#ownsHasher = options.hasher === undefined;
    this.#injectedStore = options.resumeStore;
    this.setOptions(options);
  }

  /**
   * Changes options; they apply from the next part or file on. Throws on invalid values.
   * Keys left out keep their value; a key given as `undefined` goes back to its default
   * (an element whose `max-file-size` attribute is removed has no limit again).
   */
  setOptions(options: Partial<UploaderOptions>): void {
    const merged = { ...this.#options, ...options } as UploaderOptions & { protocol?: string | Protocol };
    const wasAutoStart = this.#options?.autoStart;
    this.#options = resolve(merged);
    const { protocol } = this.#options;
    if (awaiting.has(protocol)) this.#load(protocol);
    // Auto-start turned on: what was waiting for `start()` goes now.
    if (wasAutoStart === false && this.#options.autoStart) this.start();
  }

  /**
   * An adapter registered by a loader (the drop-in's built-in ones): files added before
   * it arrives wait in the queue, and their jobs take it when it does. A module that
   * cannot be fetched fails those uploads with a sentence; Retry loads it again.
   */
  #load(placeholder: Protocol): void {
    loadProtocol(placeholder.name).then(
      (protocol) => {
        this.#loadFailed = undefined;
        if (this.#options.protocol === placeholder) this.#options = { ...this.#options, protocol: protocol! };
        const warm = this.#warmWhenLoaded;
        this.#warmWhenLoaded = false;
        if (warm) this.warm();
        if (this.#startWhenLoaded) this.#pump();
        this.#startWhenLoaded = false;
      },
      (cause: unknown) => {
        this.#loadFailed = new UploadError(
          UploadErrorCode.Network,
          `The ${placeholder.name} adapter could not be loaded (${cause instanceof Error ? cause.message : String(cause)}).`,
          { cause },
        );
        if (this.#startWhenLoaded) this.#pump();
        this.#startWhenLoaded = false;
      },
    );
  }

  get options(): Readonly<Resolved> {
    return this.#options;
  }

  /** Whether parts are streamed (false: one multipart/form-data POST per file). */
  get transport(): Transport {
    const o = this.#options;
    if (o.transport === 'form') return 'form';
    if (o.transport === 'put') return 'put';
    return this.#streamingRefused || !canStream(this.#support) ? 'form' : 'put';
  }

  /** Resolves to whether resume state survives a reload here (IndexedDB usable). */
  async resumePersistent(): Promise<boolean> {
    return this.#options.resume && this.transport === 'put' && (await this.#resumeStore()).persistent;
  }

  get uploads(): readonly UploadSnapshot[] {
    return [...this.#jobs.values()].map((job) => job.snapshot());
  }

  get(id: string): UploadSnapshot | undefined {
    return this.#jobs.get(id)?.snapshot();
  }

  /** The `File` behind an upload (snapshots stay plain data). */
  fileOf(id: string): File | undefined {
    return this.#jobs.get(id)?.file;
  }

  /**
   * Adds files; returns the accepted uploads. Every refused file fires one
   * `file-reject` (reasons in order of precedence: disabled, `multiple: false`,
   * duplicate, count, size, type), whose detail carries the limit it broke.
   * A `FileToAdd` carries the file's path in a dropped folder; a plain `File` takes its
   * `webkitRelativePath` (`<input webkitdirectory>`), else none.
   */
  add(files: Iterable<File | FileToAdd> | ArrayLike<File | FileToAdd>): UploadSnapshot[] {
    const items = Array.from(files as ArrayLike<File | FileToAdd>, toFileToAdd);
    const added: UploadSnapshot[] = [];
    const taken: Array<{ file: File; relativePath: string; key: string }> = [];
    const takenKeys = new Set<string>();
    for (const { file, relativePath } of items) {
      const key = duplicateKey(file, relativePath);
      const refusal = this.#refusal(file, relativePath, key, taken.length, takenKeys);
      if (refusal) {
        this.#emit('file-reject', { file: refusal });
      } else {
        taken.push({ file, relativePath, key });
        takenKeys.add(key);
      }
    }
    const context = this.#context();
    const targets = taken.map(({ file, relativePath }) => ({ name: file.name, size: file.size, type: file.type, relativePath }));
    // The adapter these files go by: the one named now, or, while it loads, the one that
    // arrives (`#load`). Files added together share one server session where the API
    // works that way; that batch is made when the first of them starts.
    const chosen = this.#options.protocol;
    const protocolOf = (): Protocol => (awaiting.has(chosen) ? (protocolNamed(chosen.name) ?? chosen) : chosen);
    let batch: ReturnType<NonNullable<Protocol['createBatch']>> | undefined;
    for (const [index, { file, relativePath, key }] of taken.entries()) {
      const create = (): ProtocolUpload => {
        const protocol = protocolOf();
        if (awaiting.has(protocol)) throw this.#loadFailed ?? new UploadError(UploadErrorCode.Network, `The ${protocol.name} adapter is not loaded yet.`);
        if (!protocol.createBatch) return protocol.create(context, targets[index]!);
        batch ??= protocol.createBatch(context, targets);
        return batch.upload(index);
      };
      const job = new UploadJob(`upload-${++nextId}`, file, this.#host, {
        relativePath,
        held: !this.#options.autoStart,
        get protocol() {
          return protocolOf();
        },
        context,
        create,
      });
      this.#jobs.set(job.id, job);
      this.#index.add(job, key);
      const snapshot = job.snapshot();
      added.push(snapshot);
      this.#emit('upload-add', { id: job.id, upload: snapshot });
    }
    if (added.length > 0) {
      this.warm();
      if (this.#options.autoStart) this.#pumpSoon();
    }
    return added;
  }

  /**
   * Starts queued uploads (needed with `autoStart: false`): every file added so far goes
   * as slots come free; files added later wait for the next `start()`.
   */
  start(): void {
    for (const job of this.#jobs.values()) job.release();
    this.#pump();
  }

  /**
   * Starts the md5 workers before the first file, where that file would need them: part
   * checksums the server is known to want, or the fingerprint of a resumable upload.
   * Otherwise a worker's start sits between the file and its first byte (its script
   * fetched over the network, spark-md5 compiled). The element calls this when a
   * pointer, the focus or a drag comes to it, and `add` does; calling it again is free.
   */
  warm(): void {
    const o = this.#options;
    const { protocol } = o;
    if (this.#destroyed || this.transport !== 'put') return;
    // The adapter is still loading (the drop-in's): warm when it arrives.
    if (awaiting.has(protocol)) {
      this.#warmWhenLoaded = true;
      return;
    }
    const checksums = o.checksum && protocol.capabilities.partChecksum !== 'none' && (protocol.wantsChecksum?.(this.#context()) ?? true);
    const fingerprint = o.resume && protocol.capabilities.resumable !== false;
    // A fingerprint is one small digest: one worker does.
    if (checksums || fingerprint) this.#hasherOrUndefined()?.warm?.(checksums ? undefined : 1);
  }

  pause(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.pause()) this.#emit('upload-pause', { id, upload: job.snapshot() });
  }

  resume(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.status === UploadStatus.Paused && job.requeue()) {
      job.release();
      this.#emit('upload-resume', { id, upload: job.snapshot() });
      this.#pump();
    }
  }

  /** Tries a failed upload again: it re-syncs with the server and sends only what is missing. */
  retry(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.status === UploadStatus.Error && job.requeue()) {
      // The adapter's module could not be fetched: fetch it again first.
      const { protocol } = this.#options;
      if (this.#loadFailed && awaiting.has(protocol)) {
        this.#loadFailed = undefined;
        this.#load(protocol);
      }
      job.release();
      this.#pump();
    }
  }

  /** Cancels: stops sending, tells the server (DELETE where the API has it), forgets resume state. */
  async cancel(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) return;
    const cancelling = job.cancel();
    this.#emit('upload-abort', { id, upload: job.snapshot() });
    await cancelling;
    this.#pump();
    this.#maybeComplete();
  }

  /**
   * Removes an upload from the list at once; one still going is cancelled, and the promise
   * settles when the cancel has told the server (a slow DELETE keeps no row on screen).
   */
  async remove(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) return;
    const going = job.status !== UploadStatus.Success && job.status !== UploadStatus.Aborted && job.status !== UploadStatus.Error;
    const cancelling = going ? this.cancel(id) : undefined;
    this.#forget(job);
    await cancelling;
  }

  /** Renames an uploaded asset on the server (where the protocol can); fires `asset-rename`. */
  async renameAsset(id: string, name: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) throw new TypeError(`Uploader: no upload ${id}.`);
    const asset = await job.renameAsset(name);
    this.#emit('asset-rename', { id, upload: job.snapshot(), asset });
  }

  /** Deletes an uploaded asset on the server (where the protocol can), then drops it from the list; fires `asset-delete`. */
  async deleteAsset(id: string): Promise<void> {
    const job = this.#jobs.get(id);
    if (!job) throw new TypeError(`Uploader: no upload ${id}.`);
    await job.deleteAsset();
    const snapshot = job.snapshot();
    this.#forget(job);
    this.#emit('asset-delete', { id, upload: snapshot });
  }

  /** Pauses everything running (page teardown); returns the ids, for `resumeAll`. */
  pauseAll(): string[] {
    const paused: string[] = [];
    for (const job of this.#jobs.values()) if (job.pause()) paused.push(job.id);
    return paused;
  }

  resumeAll(ids: readonly string[]): void {
    for (const id of ids) this.resume(id);
  }

  /** Pauses everything and stops the md5 workers (they start again when needed). */
  suspend(): string[] {
    const paused = this.pauseAll();
    if (this.#ownsHasher) {
      this.#hasher?.dispose();
      this.#hasher = undefined;
    }
    return paused;
  }

  /** Stops everything and releases workers. Server uploads stay resumable. */
  destroy(): void {
    this.#destroyed = true;
    this.pauseAll();
    if (this.#ownsHasher) this.#hasher?.dispose();
    this.#hasher = undefined;
  }

  readonly #host: JobHost = (() => {
    const uploader = this;
    return {
      get chunkSize() {
        return uploader.#options.chunkSize;
      },
      get checksum() {
        return uploader.#options.checksum;
      },
      get hashAhead() {
        return uploader.#options.hashWorkers;
      },
      get parallelParts() {
        return uploader.#options.parallelParts;
      },
      get retryPolicy() {
        return uploader.#options.retryPolicy;
      },
      get resume() {
        return uploader.#options.resume;
      },
      transport: () => uploader.transport,
      refuseStreaming: () => {
        uploader.#streamingRefused = true;
      },
      hasher: () => uploader.#hasherOrUndefined(),
      hashingFailed: (error: UploadError) => {
        uploader.#hashingBroken ??= error;
      },
      store: () => uploader.#resumeStore(),
      locks: () => uploader.#locks,
      get clock() {
        return uploader.#clock;
      },
      changed: (job: UploadJob, event?: JobEvent) => uploader.#changed(job, event),
    } satisfies JobHost;
  })();

  #context(): ProtocolContext {
    const o = this.#options;
    const http = this.#http ?? new XhrHttpStack({ stallTimeoutMs: o.stallTimeoutMs });
    return {
      endpoint: o.endpoint,
      http: new ScopedHttpStack(http, o.endpoint, o.headers, o.withCredentials),
      allowedOrigins: o.allowedOrigins,
      ...(o.storageEndpoint === undefined ? {} : { storageEndpoint: o.storageEndpoint }),
      fields: o.fields,
      clock: this.#clock,
      memo: this.#memoFor(o),
    };
  }

  /** The adapters' memo for these options: a new one when what identifies the server changes. */
  #memoFor(o: Resolved): Map<string, unknown> {
    const key = JSON.stringify([o.protocol.name, o.endpoint, o.headers, o.withCredentials]);
    if (key !== this.#memo.key) this.#memo = { key, map: new Map() };
    return this.#memo.map;
  }

  /** Set when the md5 worker could not run: uploads go on without part checksums. */
  get hashingError(): UploadError | undefined {
    return this.#hashingBroken;
  }

  /** The origin the md5 worker is started from (`workerUrl`'s, else the engine module's). */
  get workerOrigin(): string {
    return this.#options.workerUrl ? new URL(this.#options.workerUrl).origin : defaultWorkerOrigin();
  }

  #hasherOrUndefined(): Hasher | undefined {
    if (this.#hashingBroken) return undefined;
    if (!this.#support.worker || this.#destroyed) return this.#hasher;
    const url = this.#options.workerUrl;
    this.#hasher ??= new HashPool({ size: this.#options.hashWorkers, ...(url ? { workerFactory: workerFactoryFor(url) } : {}) });
    return this.#hasher;
  }

  #resumeStore(): Promise<ResumeStore> {
    this.#store ??= Promise.resolve(this.#injectedStore ?? openResumeStore());
    return this.#store;
  }

  /** Why `add()` refuses a file, or undefined; `taken` files of the same call are already in. */
  #refusal(file: File, relativePath: string, key: string, taken: number, takenKeys: ReadonlySet<string>): RejectedFile | undefined {
    const base = refusalBase(file, relativePath);
    if (this.#destroyed) return { ...base, reason: RejectReason.Disabled, message: 'The uploader is closed.' };
    if (this.#options.disabled) return { ...base, reason: RejectReason.Disabled, message: 'The uploader is disabled.' };
    if (!this.#options.multiple && taken > 0) return { ...base, reason: RejectReason.TooManyFiles, message: 'Only one file can be added.', max: 1 };
    if (this.#index.hasPending(key) || takenKeys.has(key))
      return { ...base, reason: RejectReason.Duplicate, message: `${relativePath || file.name} is already in the list.` };
    return checkFile(file, this.#options, this.#index.counted + taken, relativePath);
  }

  #forget(job: UploadJob): void {
    if (this.#jobs.get(job.id) !== job) return;
    this.#jobs.delete(job.id);
    this.#index.remove(job);
  }

  /**
   * Starts what `add` queued, in a task of its own: the task that takes the files (a
   * change or drop handler) renders their rows and the uploads' first requests go out in
   * the next one, so neither is long on a busy machine. Adds in the same task share it.
   */
  #pumpSoon(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    void nextTask().then(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Starts queued jobs (none held for `start()`), oldest first, while slots are free. */
  #pump(): void {
    if (this.#destroyed) return;
    // Nothing starts while the adapter loads, unless loading failed: then the jobs start
    // and fail with the reason (and Retry tries the load again).
    const { protocol } = this.#options;
    if (awaiting.has(protocol) && !this.#loadFailed) {
      this.#startWhenLoaded = true;
      return;
    }
    while (this.#slots.size < this.#options.concurrency) {
      const job = this.#index.takeQueued((queued) => !this.#running.has(queued.id));
      if (!job) return;
      this.#batchOpen = true;
      void this.#runInSlot(job);
    }
  }

  /**
   * A slot is for moving bytes. A job gives it back early (`release`) once it only waits
   * on the server or on something else: a session's commit waits for the other files of
   * its drop, which could never start if the waiting files kept every slot; processing
   * and polling hold no slot either. The `finally` releases it in every other case.
   */
  async #runInSlot(job: UploadJob): Promise<void> {
    const slot = {};
    this.#slots.add(slot);
    this.#running.add(job.id);
    const release = (): void => {
      if (this.#slots.delete(slot)) this.#pump();
    };
    try {
      await job.run(release);
    } finally {
      this.#slots.delete(slot);
      this.#running.delete(job.id);
      // Back in the queue while it still ran (it took over another tab's upload): it
      // was passed over then, so it goes back in line now.
      this.#index.update(job);
    }
    this.#pump();
    this.#maybeComplete();
  }

  #maybeComplete(): void {
    if (!this.#batchOpen || this.#running.size > 0 || this.#index.active > 0) return;
    this.#batchOpen = false;
    const snapshots = Array.from(this.#jobs.values(), (job) => job.snapshot());
    this.#emit('upload-complete', {
      successful: snapshots.filter((s) => s.status === UploadStatus.Success),
      failed: snapshots.filter((s) => s.status === UploadStatus.Error),
    });
  }

  #changed(job: UploadJob, event?: JobEvent): void {
    // Before any listener hears of it: a listener may add, retry or remove at once.
    this.#index.update(job);
    if (!event) return;
    const base = { id: job.id, upload: job.snapshot() };
    switch (event.type) {
      case 'upload-retry':
        this.#emit(event.type, { ...base, error: event.error, attempt: event.attempt, delayMs: event.delayMs });
        break;
      case 'upload-success':
        this.#emit(event.type, { ...base, asset: event.asset });
        break;
      case 'upload-error':
        this.#emit(event.type, { ...base, error: event.error });
        break;
      default:
        this.#emit(event.type, base);
    }
  }

  #emit<K extends keyof UploaderEventMap>(type: K, detail: UploaderEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail: Object.freeze(detail) }));
  }
}

/** Strict validation of programmatic options: wrong values throw, with the option's name. */
function resolve(options: UploaderOptions): Resolved {
  const fail = (message: string): never => {
    throw new TypeError(`Uploader: ${message}`);
  };
  if (typeof options.endpoint !== 'string' || options.endpoint === '') fail('`endpoint` is required.');
  let endpoint = '';
  try {
    endpoint = new URL(options.endpoint, globalThis.location?.href).href;
  } catch {
    fail(`\`endpoint\` is not a URL: ${options.endpoint}`);
  }
  const name = options.protocol ?? 'content-range';
  const protocol = typeof name === 'object' ? name : (protocolNamed(name) ?? (protocolPending(name) ? placeholderFor(name) : undefined));
  if (!protocol) {
    const known = protocolNames();
    fail(
      `unknown \`protocol\` "${String(options.protocol)}"; ${known.length ? `known: ${known.join(', ')}` : 'none is registered'}. Pass an adapter object, or register it with registerProtocol() (the main entry, 'asset-uploader', registers the built-in ones).`,
    );
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value <= 0) fail(`\`${name}\` must be a positive number, got ${value}.`);
    return value;
  };
  const nonNegative = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < 0) fail(`\`${name}\` must be a number of milliseconds, 0 or more, got ${value}.`);
    return value;
  };
  /** An optional URL option, resolved against the page; empty means unset. */
  const optionalUrl = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined || value === '') return undefined;
    try {
      return new URL(value, globalThis.location?.href).href;
    } catch {
      return fail(`\`${name}\` is not a URL: ${value}`);
    }
  };
  const workerUrl = optionalUrl('workerUrl', options.workerUrl);
  const storageEndpoint = optionalUrl('storageEndpoint', options.storageEndpoint);
  const fields = { ...(options.fields ?? {}) };
  for (const [name, value] of Object.entries(fields)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) fail(`\`fields.${name}\` must be a string, number or boolean.`);
  }
  const flag = (name: string, value: boolean | undefined, fallback: boolean) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') fail(`\`${name}\` must be true or false, got ${String(value)}.`);
    return value;
  };
  const optional = (name: string, value: number | undefined) => (value === undefined ? undefined : positive(name, value, 0));
  const transport = options.transport ?? 'auto';
  if (!['auto', 'put', 'form'].includes(transport)) fail(`\`transport\` must be auto, put or form, got ${transport}.`);
  const allowedOrigins = (options.allowedOrigins ?? []).map((origin) => {
    try {
      return new URL(origin).origin;
    } catch {
      return fail(`\`allowedOrigins\` entry is not a URL: ${origin}`);
    }
  });
  return {
    endpoint,
    protocol: protocol!,
    chunkSize: options.chunkSize === undefined ? undefined : Math.max(1, Math.floor(positive('chunkSize', options.chunkSize, 0))),
    concurrency: Math.floor(positive('concurrency', options.concurrency, 2)),
    accept: options.accept,
    maxFileSize: optional('maxFileSize', options.maxFileSize),
    maxFiles: optional('maxFiles', options.maxFiles),
    multiple: flag('multiple', options.multiple, true),
    disabled: flag('disabled', options.disabled, false),
    autoStart: options.autoStart ?? true,
    transport,
    checksum: options.checksum ?? true,
    resume: options.resume ?? true,
    headers: { ...(options.headers ?? {}) },
    withCredentials: options.withCredentials ?? false,
    allowedOrigins,
    retryPolicy: validateRetryPolicy(options.retryPolicy ?? defaultRetryPolicy),
    stallTimeoutMs: nonNegative('stallTimeoutMs', options.stallTimeoutMs, 30_000),
    hashWorkers: Math.floor(positive('hashWorkers', options.hashWorkers, defaultHashWorkers())),
    parallelParts: Math.floor(positive('parallelParts', options.parallelParts, 3)),
    storageEndpoint,
    workerUrl,
    fields,
  };
}

/** Stand-ins for adapters registered by a loader, while they load: one per name. */
const awaiting = new WeakSet<Protocol>();
let placeholders: Map<string, Protocol> | undefined;

function placeholderFor(name: string): Protocol {
  placeholders ??= new Map();
  let placeholder = placeholders.get(name);
  if (!placeholder) {
    placeholder = {
      name,
      capabilities: { ordered: true, partChecksum: 'none' },
      create: () => {
        throw new UploadError(UploadErrorCode.Network, `The ${name} adapter is not loaded yet.`);
      },
    };
    awaiting.add(placeholder);
    placeholders.set(name, placeholder);
  }
  return placeholder;
}

/**
 * One md5 worker per core but one, at least one and at most four. The core left is the
 * page's and the browser's (rendering, the network, reading the file): with every core
 * hashing, the page's own short tasks were stretched past 50 ms (bench/RESULTS.md, long
 * tasks), and uploads went no faster, the wire and the server needing CPU too. Past four
 * the disk and the wire are the limit. Read when options resolve.
 */
function defaultHashWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? Math.max(1, Math.min(4, Math.floor(cores) - 1)) : 2;
}
