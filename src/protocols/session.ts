/**
 * `session`: Lagoa upload sessions (shared/seeds/000). Files added together share one
 * session.
 *
 * - `endpoint` is the sessions collection, `POST …/upload_sessions.json` with
 *   `{"files":[{"name"}]}` -> `session_token` and one signed URL per file; names the
 *   server refuses come back in `errors` and fail only their own file.
 * - Each file is `PUT` whole to its signed URL, with `Content-MD5` when checksums are on,
 *   and nothing of the endpoint's credentials (the signature is the authorization).
 * - When every file of the session is sent (or given up), `PUT …/upload_sessions/<token>.json`
 *   commits once; each file's `status_code`/`status_message` is that file's outcome.
 * - Then `GET` the same URL is polled with bounded backoff until the file is `done` (its
 *   `assets` are what it produced: a zip yields several) or `error`.
 * - The seed's JSON shows the per-file lists in request order; files are matched to the
 *   request by name in that order, so two files with the same name stay apart.
 * - No resume across reloads: a signed URL and a session belong to one page's batch.
 *   The seed's URL is `…/v1/upload_sessions.json`: the session URL is derived by
 *   replacing `.json` with `/<token>.json`.
 *
 * Readings:
 * - "Oauth2 Access Token": the element's `token` goes as `Authorization: Bearer` to the
 *   endpoint's origin only; never to a signed URL.
 * - `/POST`, `/PUT`, `/GET`: the leading slash is a typo; they are the methods.
 * - Create: the seed shows no HTTP status, only `"response_code": 200` in the body; HTTP
 *   `200` is expected (`201` taken too) and `response_code` is not read.
 * - `errors` is empty in the seed, with no entry shape: entries are read as `{name,
 *   message}` and matched to the request's files by name. A file with neither a URL nor
 *   an error fails with a sentence of its own.
 * - Signed URL: the seed names no method; it is `PUT`, as for S3, with the whole file and
 *   no header of the adapter's but `Content-MD5` (the browser adds the file's type).
 *   `200`, `201` or `204` means stored.
 * - Commit: `PUT` with no body, as the seed shows; `200` expected. A file whose
 *   `status_code` is 400 or more fails with its `status_message`; a file the answer does
 *   not list goes on to polling. A `409` `session_committed` (the reference server's
 *   answer to a second commit) means an earlier commit got through.
 * - Status: the seed shows `transcoding` and `done`; `error` (the reference server's)
 *   fails the file with its `status_message`; any other status is shown and polled
 *   again (250 ms growing to 5 s; given up after an hour).
 * - The status example's "filename1z.ip" is read as a typo for filename1.zip: entries
 *   are matched by the names the request sent, so a server must echo them exactly. The
 *   missing comma after `"transcoding"` is a typo too; the answer must be JSON.
 * - Assets: the seed's ids are integers; they are kept as text. A file that produced one
 *   asset takes its id and url; otherwise the file's id is `<session token>/<index>`
 *   and `produced` lists them all. The seed's zip lists an asset named like the
 *   archive beside its entry; whatever the server lists is shown.
 * - Webhooks ("comming soon"): not used. A page cannot receive them, so the "alternate
 *   way ... for desktop apps", polling, is the only one.
 */
import { errorFromResponse, jsonOf, serverErrorOf } from '../engine/http.js';
import { systemClock } from '../engine/clock.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { idOf } from './members.js';
import type {
  Asset,
  Json,
  JsonObject,
  PartToSend,
  Protocol,
  ProtocolBatch,
  ProtocolContext,
  ProtocolUpload,
  ServerProgress,
  UploadTarget,
} from '../engine/protocol.js';

/** Polling backoff: starts quick, grows to 5 s, gives up after an hour of "transcoding". */
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 5000;
const POLL_LIMIT_MS = 60 * 60 * 1000;

export const session: Protocol = {
  name: 'session',
  // One whole-file PUT per file: parts as large as the file.
  capabilities: {
    ordered: true,
    partChecksum: 'optional',
    minPartSize: 9_007_199_254_740_991 /* Number.MAX_SAFE_INTEGER, as a literal: see s3PartCapabilities */,
    // A session is one drop's, and its signed URLs die with the page.
    resumable: false,
  },
  create: (context, target) => new SessionBatch(context, [target]).upload(0),
  createBatch: (context, targets) => new SessionBatch(context, targets),
};

interface Created {
  readonly token: string;
  /** Per target: its signed URL, or why the server refused the file. */
  readonly files: ReadonlyArray<{ url: string } | { refused: string }>;
}

type FileState = 'pending' | 'sent' | 'gone';

class SessionBatch implements ProtocolBatch {
  readonly context: ProtocolContext;
  readonly targets: readonly UploadTarget[];
  readonly #uploads = new Map<number, SessionFileUpload>();
  readonly #states: FileState[];
  readonly #waiters = new Set<() => void>();
  #created: Promise<Created> | undefined;
  #committed: Promise<Map<number, { code: number; message: string }>> | undefined;
  #status: Promise<Record<string, unknown>> | undefined;

  constructor(context: ProtocolContext, targets: readonly UploadTarget[]) {
    this.context = context;
    this.targets = targets;
    this.#states = targets.map(() => 'pending');
  }

  upload(index: number): SessionFileUpload {
    let upload = this.#uploads.get(index);
    if (!upload) {
      upload = new SessionFileUpload(this, index);
      this.#uploads.set(index, upload);
    }
    return upload;
  }

  /** Creates the session once for all files; a failure lets the next caller try again. */
  created(signal: AbortSignal): Promise<Created> {
    this.#created ??= this.#create(signal).catch((error: unknown) => {
      this.#created = undefined;
      throw error;
    });
    return this.#created;
  }

  mark(index: number, state: FileState): void {
    this.#states[index] = state;
    for (const wake of [...this.#waiters]) wake();
  }

  isSent(index: number): boolean {
    return this.#states[index] === 'sent';
  }

  /** Commits once every file is sent or given up; resolves with each file's outcome. */
  async commit(signal: AbortSignal): Promise<Map<number, { code: number; message: string }>> {
    await this.#allSettled(signal);
    this.#committed ??= this.#commit(signal).catch((error: unknown) => {
      this.#committed = undefined;
      throw error;
    });
    return this.#committed;
  }

  /** The session's status, one request shared by every file asking at the same time. */
  status(signal: AbortSignal): Promise<Record<string, unknown>> {
    this.#status ??= this.#get(signal).finally(() => {
      this.#status = undefined;
    });
    return this.#status;
  }

  sessionUrl(token: string): string {
    const url = new URL(this.context.endpoint);
    url.pathname = `${url.pathname.replace(/\.json$/, '')}/${encodeURIComponent(token)}.json`;
    return url.href;
  }

  /** Maps the server's per-file list (request order, refused names left out) back to targets. */
  byTarget<T extends { name?: unknown }>(list: readonly T[], created: Created): Map<number, T> {
    const out = new Map<number, T>();
    const used = new Set<number>();
    for (const [index, target] of this.targets.entries()) {
      if ('refused' in created.files[index]!) continue;
      const at = list.findIndex((entry, i) => !used.has(i) && entry.name === target.name);
      if (at >= 0) {
        used.add(at);
        out.set(index, list[at]!);
      }
    }
    return out;
  }

  async #create(signal: AbortSignal): Promise<Created> {
    const response = await this.context.http.request({
      method: 'POST',
      url: this.context.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ files: this.targets.map((target) => ({ name: target.name })) }),
      signal,
    });
    if (response.status !== 200 && response.status !== 201) throw errorFromResponse(response, 'Creating the upload session');
    const json = jsonOf(response, 'Creating the upload session');
    const token = json['session_token'];
    if (typeof token !== 'string' || token === '')
      throw new UploadError(UploadErrorCode.BadResponse, 'Creating the upload session: the server sent no session_token.');
    const files = listOf(json, 'files', 'Creating the upload session');
    const errors = listOf(json, 'errors', 'Creating the upload session');
    const usedFiles = new Set<number>();
    const usedErrors = new Set<number>();
    const perTarget = this.targets.map((target) => {
      const at = files.findIndex((file, i) => !usedFiles.has(i) && file.name === target.name && typeof file.url === 'string');
      if (at >= 0) {
        usedFiles.add(at);
        return { url: String(files[at]!.url) };
      }
      const refused = errors.findIndex((error, i) => !usedErrors.has(i) && error.name === target.name);
      if (refused >= 0) usedErrors.add(refused);
      const message =
        refused >= 0 && typeof errors[refused]!.message === 'string' ? String(errors[refused]!.message) : 'The server gave this file no upload URL.';
      return { refused: message };
    });
    return { token, files: perTarget };
  }

  async #commit(signal: AbortSignal): Promise<Map<number, { code: number; message: string }>> {
    const created = await this.created(signal);
    const response = await this.context.http.request({
      method: 'PUT',
      url: this.sessionUrl(created.token),
      headers: { Accept: 'application/json' },
      body: null,
      signal,
    });
    // Committed by a request whose answer was lost: every sent file stands.
    if (response.status === 409 && serverErrorOf(response).code === 'session_committed') return new Map();
    if (response.status !== 200) throw errorFromResponse(response, 'Committing the upload session');
    const list = listOf(jsonOf(response, 'Committing the upload session'), 'files', 'Committing the upload session');
    const out = new Map<number, { code: number; message: string }>();
    for (const [index, entry] of this.byTarget(list, created)) {
      out.set(index, { code: Number(entry['status_code'] ?? 200), message: typeof entry['status_message'] === 'string' ? entry['status_message'] : '' });
    }
    return out;
  }

  async #get(signal: AbortSignal): Promise<Record<string, unknown>> {
    const created = await this.created(signal);
    const response = await this.context.http.request({ method: 'GET', url: this.sessionUrl(created.token), headers: { Accept: 'application/json' }, signal });
    if (response.status !== 200) throw errorFromResponse(response, 'Asking for the session status');
    return jsonOf(response, 'Asking for the session status');
  }

  #allSettled(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.#states.every((state) => state !== 'pending')) {
          done();
          resolve();
        }
      };
      const onAbort = () => {
        done();
        reject(new UploadError(UploadErrorCode.Aborted, 'Aborted while waiting for the other files of the session.'));
      };
      const done = () => {
        this.#waiters.delete(check);
        signal.removeEventListener('abort', onAbort);
      };
      this.#waiters.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}

class SessionFileUpload implements ProtocolUpload {
  readonly #batch: SessionBatch;
  readonly #index: number;

  constructor(batch: SessionBatch, index: number) {
    this.#batch = batch;
    this.#index = index;
  }

  get #target(): UploadTarget {
    return this.#batch.targets[this.#index]!;
  }

  saveState(): JsonObject | undefined {
    return undefined; // a session lives as long as the page's batch
  }

  async open(signal: AbortSignal): Promise<ServerProgress> {
    const created = await this.#batch.created(signal);
    const file = created.files[this.#index]!;
    if ('refused' in file) throw new UploadError(UploadErrorCode.ClientError, file.refused, { status: 400 });
    return this.sync(signal);
  }

  async sync(_signal: AbortSignal): Promise<ServerProgress> {
    // One whole-file PUT: the file is either there or not.
    return { offset: this.#batch.isSent(this.#index) ? this.#target.size : 0 };
  }

  async send(part: PartToSend): Promise<ServerProgress> {
    const created = await this.#batch.created(part.signal);
    const file = created.files[this.#index]!;
    if ('refused' in file) throw new UploadError(UploadErrorCode.ClientError, file.refused, { status: 400 });
    const response = await this.#batch.context.http.request({
      method: 'PUT',
      url: file.url,
      // Exactly what the signature covers; none of the API's credentials.
      anonymous: true,
      headers: part.md5 === undefined ? {} : { 'Content-MD5': part.md5 },
      body: part.body,
      signal: part.signal,
      onUploadProgress: part.onProgress,
    });
    if (response.status === 200 || response.status === 201 || response.status === 204) {
      this.#batch.mark(this.#index, 'sent');
      return { offset: this.#target.size };
    }
    const server = serverErrorOf(response);
    if (response.status === 400 && server.code === 'bad_digest') {
      throw new UploadError(UploadErrorCode.ChecksumMismatch, "The server rejected the file's checksum.", { status: 400, serverCode: server.code });
    }
    if (response.status === 403) {
      throw new UploadError(UploadErrorCode.Unauthorized, `The upload URL was refused (${server.code ?? 403}); it may have expired.`, {
        status: 403,
        ...(server.code ? { serverCode: server.code } : {}),
      });
    }
    throw errorFromResponse(response, 'Sending the file');
  }

  async complete(signal: AbortSignal, onStatus?: (status: string) => void): Promise<Asset> {
    const outcome = (await this.#batch.commit(signal)).get(this.#index);
    if (outcome && outcome.code >= 400)
      throw new UploadError(UploadErrorCode.ClientError, outcome.message || `The server refused the file at commit (${outcome.code}).`, {
        status: outcome.code,
      });
    const created = await this.#batch.created(signal);
    const clock = this.#batch.context.clock ?? systemClock;
    const started = clock.now();
    for (let delay = POLL_FIRST_MS; ; delay = Math.min(POLL_MAX_MS, delay * 1.5)) {
      const json = await this.#batch.status(signal);
      const files = listOf(json, 'files', 'Asking for the session status');
      const entry = this.#batch.byTarget(files, created).get(this.#index);
      const status = typeof entry?.['status'] === 'string' ? entry['status'] : 'unknown';
      if (status === 'done') return assetOf(entry!, created.token, this.#index, this.#target.name);
      if (status === 'error') {
        const message = typeof entry!['status_message'] === 'string' ? entry!['status_message'] : 'The server could not process the file.';
        throw new UploadError(UploadErrorCode.ClientError, message);
      }
      onStatus?.(status);
      if (clock.now() - started > POLL_LIMIT_MS)
        throw new UploadError(UploadErrorCode.Stalled, 'The server has been processing the file for an hour; stopped waiting.');
      await clock.sleep(delay, signal);
    }
  }

  dispose(): void {
    if (!this.#batch.isSent(this.#index)) this.#batch.mark(this.#index, 'gone');
  }

  async abort(): Promise<void> {
    this.dispose(); // the seed has no way to delete a session's file
  }
}

/**
 * The server's list `name` (files, errors, assets): absent is empty; anything but a list
 * of objects is an answer the protocol does not allow, said as such rather than a crash.
 */
function listOf(json: Record<string, unknown>, name: string, what: string): Array<Record<string, unknown>> {
  const value = json[name];
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item)))
    return value as Array<Record<string, unknown>>;
  throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server's "${name}" is not a list of objects.`);
}

function noId(name: string): never {
  throw new UploadError(UploadErrorCode.BadResponse, `The server listed an asset made of ${name} without an id.`);
}

function assetOf(entry: Record<string, unknown>, token: string, index: number, name: string): Asset {
  // A done file lists what it produced (none, for a zip whose every entry was skipped).
  if (!Array.isArray(entry['assets']))
    throw new UploadError(UploadErrorCode.BadResponse, `The server says ${name} is done but does not list the assets it made of it.`);
  const list = listOf(entry, 'assets', `The assets made of ${name}`);
  const produced: Asset[] = list.map((asset) => ({
    id: idOf(asset['id'], `An asset made of ${name}`) ?? noId(name),
    ...(typeof asset['name'] === 'string' ? { name: asset['name'] } : {}),
    ...(typeof asset['url'] === 'string' ? { url: asset['url'] } : {}),
    ...(typeof asset['size'] === 'number' ? { size: asset['size'] } : {}),
    ...(typeof asset['md5'] === 'string' ? { md5: asset['md5'] } : {}),
    raw: asset as Json,
  }));
  const single = produced.length === 1 ? produced[0] : undefined;
  return {
    id: single?.id ?? `${token}/${index}`,
    name,
    ...(single?.url ? { url: single.url } : {}),
    ...(single?.md5 ? { md5: single.md5 } : {}),
    produced,
    raw: entry as Json,
  };
}
