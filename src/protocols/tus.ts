/**
 * `tus`: tus 1.0.0 (https://tus.io/protocols/resumable-upload) — core, creation,
 * termination, and checksum where the server announces md5. There is no seed: the spec
 * is the document, and the readings below are where it leaves a choice.
 *
 * - `endpoint` is the creation URL (e.g. `/files/`). `OPTIONS` on it tells the server's
 *   extensions (`Tus-Extension`) and checksum algorithms (`Tus-Checksum-Algorithm`); a
 *   server or CORS setup that refuses `OPTIONS` is taken as core + creation only. It goes
 *   out with the first file's `POST`, not before it (creating needs none of it), and its
 *   answer serves the uploader's later files (`ProtocolContext.memo`).
 * - Create: `POST` with `Upload-Length` and `Upload-Metadata` (`filename`, `filetype`,
 *   values base64 of UTF-8; `relativePath`, the file's path in a dropped folder, only
 *   when it has one, under the key Uppy uses for it) -> `201` + `Location`.
 *   `filename` stays the plain name.
 * - Resume: `HEAD <location>` -> `Upload-Offset`; `404`/`410` mean the upload is gone.
 * - Parts: `PATCH <location>` with `Upload-Offset` and
 *   `Content-Type: application/offset+octet-stream` -> `204` + the new `Upload-Offset`.
 *   `409` (offset mismatch) is re-synced with `HEAD`; `423` (locked by a previous,
 *   still-running request) is retried; `460` is a rejected checksum.
 * - `Upload-Checksum: md5 <base64>` goes with a part only when the server listed `md5`;
 *   otherwise the engine does not even hash (`acceptsChecksum`).
 * - A PATCH cut off mid-way: the server "SHOULD accept as much as possible" (tus 1.0 §
 *   PATCH) and `HEAD` tells how much, so the rest of a file without checksums can go as
 *   one PATCH (`keepsCutOffParts`). A part with `Upload-Checksum` is kept whole or not at all.
 * - Cancel: `DELETE <location>` (termination) when announced.
 * - The asset is the upload URL itself: tus has no completion body.
 *
 * Readings:
 * - Version: every request but `OPTIONS` carries `Tus-Resumable: 1.0.0`. `Tus-Version`
 *   is not read; a server without 1.0.0 answers `412`, which fails the upload.
 * - Extensions used: creation (assumed even when `OPTIONS` does not list it: without it
 *   there is nothing to upload to), termination and checksum, each only when announced.
 *   Not used: creation-with-upload (the first bytes go in a PATCH like all others, so a
 *   refused create costs no bytes), creation-defer-length (the size is always known),
 *   expiration (`Upload-Expires` is not read; an expired upload answers `404`/`410` and
 *   the file starts again), concatenation (parts go one after the other).
 * - Checksum algorithm: md5 only, the engine's one hash. The spec requires servers to
 *   offer sha1; a server that lists sha1 and not md5 gets parts without a checksum.
 * - Metadata keys: the spec names none. `filename` and `filetype` are the ones
 *   tus-js-client and Uppy send, so servers look for them; `filetype` is
 *   `application/octet-stream` when the browser gives no type. The spec says only
 *   "Base64"; values are UTF-8 before encoding.
 * - `HEAD`: `200` or `204` both carry the offset. `403` counts as gone, beside `404` and
 *   `410` (the spec lists all three). An `Upload-Length` that is not this file's size
 *   means the saved upload is another file's: it counts as gone.
 * - `PATCH`: `204` is the spec's answer; `200` with `Upload-Offset` is taken too. `423`
 *   is not in the spec (tusd and `@tus/server` send it while another request holds the
 *   upload) and is retried like a 5xx.
 * - `Tus-Max-Size`: once known, a larger file fails without a request. The first file's
 *   `POST` goes before the answer is in: the spec has the server refuse it with `413`; a
 *   server that creates it anyway gets a `DELETE` (with termination) and the file fails
 *   with the same sentence.
 * - A 0-byte file: `Upload-Length: 0` makes a complete upload; no PATCH is sent.
 * - `Location` may be relative: it is resolved against the POST's URL and must stay on
 *   an allowed origin (`location.ts`).
 */
import { errorFromResponse, type HttpResponse } from '../engine/http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { resolveLocation } from './location.js';
import type { Asset, JsonObject, PartToSend, Protocol, ProtocolContext, ProtocolUpload, ServerProgress, UploadTarget } from '../engine/protocol.js';

const VERSION = '1.0.0';
/** Where the OPTIONS answer is kept for the uploader's next files (`ProtocolContext.memo`). */
const MEMO_KEY = 'tus:options';

export const tus: Protocol = {
  name: 'tus',
  capabilities: { ordered: true, partChecksum: 'optional', keepsCutOffParts: true },
  create: (context, target) => new TusUpload(context, target),
  wantsChecksum: (context) => {
    const known = context.memo?.get(MEMO_KEY) as ServerInfo | undefined;
    return known !== undefined && takesMd5(known);
  },
};

function takesMd5(server: ServerInfo): boolean {
  return server.extensions.has('checksum') && server.checksums.has('md5');
}

interface ServerInfo {
  readonly extensions: ReadonlySet<string>;
  readonly checksums: ReadonlySet<string>;
  readonly maxSize: number | undefined;
}

class TusUpload implements ProtocolUpload {
  readonly #context: ProtocolContext;
  readonly #target: UploadTarget;
  #location: string | undefined;
  #server: ServerInfo = { extensions: new Set(['creation']), checksums: new Set(), maxSize: undefined };

  constructor(context: ProtocolContext, target: UploadTarget) {
    this.#context = context;
    this.#target = target;
  }

  saveState(): JsonObject | undefined {
    return this.#location === undefined ? undefined : { location: this.#location };
  }

  acceptsChecksum(): boolean {
    return takesMd5(this.#server);
  }

  async open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress> {
    const known = this.#context.memo?.get(MEMO_KEY) as ServerInfo | undefined;
    if (known) this.#server = known;
    // Creating needs nothing the OPTIONS answer tells, so the two go at once: one round
    // trip, not two, before the first byte. A later file reuses the answer (the memo).
    const discovery = known ? undefined : this.#discover(signal);
    if (saved && typeof saved['location'] === 'string') {
      await discovery;
      this.#location = this.#follow(saved['location'], this.#context.endpoint);
      return this.sync(signal);
    }
    this.#checkSize();
    const created = this.#create(signal);
    // Both settle before anything else happens (an abort rejects both).
    const [, progress] = await Promise.all([discovery, created]);
    if (discovery && this.#tooLarge()) {
      // A server that announces a limit answers 413 itself; one that created the upload anyway loses it again.
      await this.abort();
      this.#checkSize();
    }
    return progress;
  }

  #tooLarge(): boolean {
    const { maxSize } = this.#server;
    return maxSize !== undefined && this.#target.size > maxSize;
  }

  #checkSize(): void {
    if (this.#tooLarge())
      throw new UploadError(UploadErrorCode.ClientError, `The file is larger than the server accepts (${this.#server.maxSize} bytes).`, { status: 413 });
  }

  async #create(signal: AbortSignal): Promise<ServerProgress> {
    const response = await this.#context.http.request({
      method: 'POST',
      url: this.#context.endpoint,
      headers: {
        'Tus-Resumable': VERSION,
        'Upload-Length': String(this.#target.size),
        'Upload-Metadata': metadata({
          filename: this.#target.name,
          filetype: this.#target.type || 'application/octet-stream',
          ...(this.#target.relativePath ? { relativePath: this.#target.relativePath } : {}),
        }),
      },
      body: null,
      signal,
    });
    if (response.status !== 201) throw errorFromResponse(response, 'Creating the upload');
    const location = response.header('Location');
    if (!location) throw new UploadError(UploadErrorCode.BadResponse, 'Creating the upload: the server sent no Location.');
    this.#location = this.#follow(location, response.url);
    // A 0-byte upload is complete once created.
    return this.#target.size === 0 ? { offset: 0, asset: this.#asset() } : { offset: 0 };
  }

  async sync(signal: AbortSignal): Promise<ServerProgress> {
    const response = await this.#context.http.request({
      method: 'HEAD',
      url: this.#requireLocation(),
      headers: { 'Tus-Resumable': VERSION },
      body: null,
      signal,
    });
    if (response.status === 404 || response.status === 410 || response.status === 403) {
      throw new UploadError(UploadErrorCode.SessionExpired, `The server no longer knows this upload (${response.status}).`, { status: response.status });
    }
    if (response.status !== 200 && response.status !== 204) throw errorFromResponse(response, 'Asking the server for the offset');
    const length = response.header('Upload-Length');
    if (length !== null && Number(length) !== this.#target.size) {
      throw new UploadError(UploadErrorCode.SessionExpired, `The saved upload is for ${length} bytes, not ${this.#target.size}.`);
    }
    return this.#progress(offsetOf(response));
  }

  async send(part: PartToSend): Promise<ServerProgress> {
    const headers: Record<string, string> = {
      'Tus-Resumable': VERSION,
      'Upload-Offset': String(part.start),
      'Content-Type': 'application/offset+octet-stream',
    };
    if (part.md5 !== undefined && this.acceptsChecksum()) headers['Upload-Checksum'] = `md5 ${part.md5}`;
    const response = await this.#context.http.request({
      method: 'PATCH',
      url: this.#requireLocation(),
      headers,
      body: part.body,
      signal: part.signal,
      onUploadProgress: part.onProgress,
    });
    if (response.status === 204 || response.status === 200) return this.#progress(offsetOf(response));
    throw this.#errorOf(response);
  }

  async abort(): Promise<void> {
    if (this.#location === undefined || !this.#server.extensions.has('termination')) return;
    await this.#context.http.request({ method: 'DELETE', url: this.#location, headers: { 'Tus-Resumable': VERSION } }).catch(() => undefined);
  }

  async #discover(signal: AbortSignal): Promise<void> {
    let response: HttpResponse;
    try {
      response = await this.#context.http.request({ method: 'OPTIONS', url: this.#context.endpoint, body: null, signal });
    } catch (thrown) {
      if (thrown instanceof UploadError && thrown.code === UploadErrorCode.Aborted) throw thrown;
      return; // discovery is optional in tus; keep the core + creation assumption
    }
    if (response.status !== 200 && response.status !== 204) return;
    const list = (name: string) =>
      new Set(
        (response.header(name) ?? '')
          .split(',')
          .map((v) => v.trim().toLowerCase())
          .filter(Boolean),
      );
    const max = response.header('Tus-Max-Size');
    this.#server = {
      extensions: list('Tus-Extension'),
      checksums: list('Tus-Checksum-Algorithm'),
      maxSize: max !== null && /^\d+$/.test(max) ? Number(max) : undefined,
    };
    // Only an answer is kept: a refused or failed OPTIONS is asked again with the next file.
    this.#context.memo?.set(MEMO_KEY, this.#server);
  }

  #progress(offset: number): ServerProgress {
    if (offset > this.#target.size)
      throw new UploadError(UploadErrorCode.BadResponse, `The server claims ${offset} bytes of a ${this.#target.size}-byte file.`);
    return offset === this.#target.size ? { offset, asset: this.#asset() } : { offset };
  }

  #errorOf(response: HttpResponse): UploadError {
    const status = response.status;
    if (status === 409) return new UploadError(UploadErrorCode.OffsetMismatch, 'The server holds a different offset (409).', { status });
    // 423: a previous PATCH still holds the upload's lock; the same as a busy server.
    if (status === 423) return new UploadError(UploadErrorCode.ServerError, 'The upload is locked by a request still running (423).', { status });
    if (status === 460) return new UploadError(UploadErrorCode.ChecksumMismatch, "The server rejected the part's checksum (460).", { status });
    if (status === 404 || status === 410)
      return new UploadError(UploadErrorCode.SessionExpired, `The server no longer knows this upload (${status}).`, { status });
    return errorFromResponse(response, 'Sending a part');
  }

  #asset(): Asset {
    const location = this.#requireLocation();
    const id = decodeURIComponent(new URL(location).pathname.split('/').filter(Boolean).pop() ?? location);
    return { id, name: this.#target.name, size: this.#target.size, url: location, raw: { location } };
  }

  #follow(location: string, base: string): string {
    return resolveLocation(location, base, this.#context.endpoint, this.#context.allowedOrigins);
  }

  #requireLocation(): string {
    if (this.#location === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The upload has no location yet; open it first.');
    return this.#location;
  }
}

function offsetOf(response: HttpResponse): number {
  const value = response.header('Upload-Offset');
  if (value === null || !/^\d+$/.test(value.trim()))
    throw new UploadError(UploadErrorCode.BadResponse, `The server sent no valid Upload-Offset (${value ?? 'none'}).`, { status: response.status });
  return Number(value.trim());
}

/** `Upload-Metadata`: comma-separated `key base64(value)`, values as UTF-8. */
export function metadata(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${base64Utf8(value)}`)
    .join(',');
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
