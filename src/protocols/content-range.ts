/**
 * `content-range`: the Panda upload API (shared/seeds/002), a resumable streaming PUT.
 *
 * - `endpoint` is the URL that creates an upload session: `POST` JSON
 *   `{file_size, file_name}` -> `{id, location}`. The seed names only the fields; a
 *   JavaScript client sends them as JSON, so that is the reading taken here.
 * - Parts: `PUT <location>` with `Content-Type: application/octet-stream`,
 *   `Content-Range: bytes a-b/L` and, when checksums are on, `Content-MD5`. `204` with
 *   `Range: 0-N` means the server holds N+1 bytes; `200` with JSON means done.
 * - `Range` has no `bytes=` prefix; it is parsed with the seed's own regexp, and a
 *   missing `Range` means nothing is stored yet.
 * - Status query: an empty `PUT` with `Content-Range: bytes *\/L`.
 * - "If the client connection broke, query the server to know where it left the
 *   upload": the server keeps what arrived of a part without `Content-MD5`, so the rest
 *   of a file without checksums can go as one PUT (`keepsCutOffParts`).
 * - A 0-byte file is one empty `PUT` without `Content-Range` ("the whole file is
 *   expected"), since no byte range can describe zero bytes.
 * - Any answer may carry a new `Location`: it is followed for every later request, if
 *   it stays within the allowed origins (`location.ts`).
 * - `400` whose JSON error code is `bad_digest` is a rejected checksum; `409` is an offset
 *   mismatch to re-sync from. The seed says every 4xx is a client bug; these two are the
 *   reading a real client needs to recover from a damaged or duplicated part.
 * - Fallback: `POST <location>` with `multipart/form-data`, field `file`.
 *
 * Readings:
 * - Create: the seed names `file_size` and `file_name` but no encoding; they go as JSON.
 *   `201` is the seed's answer; `200` is taken too. `location` comes from the JSON, else
 *   from the `Location` header.
 * - Ids: the create types `id` as an integer, the example's last answer shows
 *   `"id":"12345"`. Either is kept as text; a final JSON without an id gets the create's.
 * - `RE` is the last byte sent, inclusive: the example sends 5 bytes as `0-4/9`.
 *   "(R2=L-1)" and "(R2<L-1)" are read with R2 meaning RE.
 * - The prose says the 204's `Range` tells "the missing data"; the example answers
 *   `Range: 0-4` once bytes 0 to 4 are there. The example wins: `Range` is what the
 *   server holds, always from byte 0, so `0-N` means N+1 bytes. Another start is a
 *   protocol error.
 * - The regexp is quoted as a string literal (`"^(\\d+)-(\\d+)$"`): it is `^(\d+)-(\d+)$`.
 * - Status query: the protocol block says `bytes *\/L`, the prose `bytes *` and
 *   `Content-Lenght: 0` (a typo); sent as `bytes *\/L` with an empty body and no
 *   `Content-Type`, as the block shows. A `200` with JSON means the upload is complete.
 * - "The original request is sent to the backend": the `200` body is the backend's; its
 *   `id`, `url` (or `download_url`, `location`), `name`, `size` and `md5` are read when
 *   present.
 * - The example writes `PUT <location/>`; the location is used exactly as given.
 * - "The method can also be POST": not used; parts always go as PUT.
 * - Form fallback: taken when the first PUT with bytes answers `405`, `415` or `501`.
 *   The seed's `"multipart/form-data"; boundary=----` has a stray quote; the browser
 *   writes the header and its boundary. `200` with JSON, like a streamed upload.
 * - Errors: 5xx and network failures are retried (by the engine), as the seed says; other
 *   4xx stop, except `409` and `bad_digest` above. `404`/`410` mean the upload is gone: a
 *   saved one is started afresh.
 * - Cancel: `DELETE <location>`, best effort: its answer (the seed's `200`, empty) is
 *   not checked.
 */
import { errorFromResponse, jsonOf, serverErrorOf, type HttpResponse } from '../engine/http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { idOf } from './members.js';
import { resolveLocation } from './location.js';
import type { Asset, Json, JsonObject, PartToSend, Protocol, ProtocolContext, ProtocolUpload, ServerProgress, UploadTarget } from '../engine/protocol.js';

const RANGE = /^(\d+)-(\d+)$/;

export const contentRange: Protocol = {
  name: 'content-range',
  capabilities: { ordered: true, partChecksum: 'optional', keepsCutOffParts: true },
  create: (context, target) => new ContentRangeUpload(context, target),
};

class ContentRangeUpload implements ProtocolUpload {
  readonly #context: ProtocolContext;
  readonly #target: UploadTarget;
  #id: string | undefined;
  #location: string | undefined;
  /** Whether any PUT carrying bytes got an answer: 405/415/501 mean "no streaming" only before that. */
  #streamed = false;

  constructor(context: ProtocolContext, target: UploadTarget) {
    this.#context = context;
    this.#target = target;
  }

  saveState(): JsonObject | undefined {
    return this.#location === undefined ? undefined : { id: this.#id ?? null, location: this.#location };
  }

  async open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress> {
    if (saved && typeof saved['location'] === 'string') {
      this.#location = this.#follow(saved['location'], this.#context.endpoint);
      this.#id = typeof saved['id'] === 'string' ? saved['id'] : undefined;
      return this.sync(signal);
    }
    const response = await this.#context.http.request({
      method: 'POST',
      url: this.#context.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ file_size: this.#target.size, file_name: this.#target.name }),
      signal,
    });
    if (response.status !== 200 && response.status !== 201) throw errorFromResponse(response, 'Creating the upload');
    const json = jsonOf(response, 'Creating the upload');
    const location = typeof json['location'] === 'string' ? json['location'] : response.header('Location');
    if (!location) throw new UploadError(UploadErrorCode.BadResponse, 'Creating the upload: the server did not say where to upload (no location).');
    this.#id = idOf(json['id'], 'Creating the upload');
    this.#location = this.#follow(location, response.url);
    return { offset: 0 };
  }

  async sync(signal: AbortSignal): Promise<ServerProgress> {
    const response = await this.#context.http.request({
      method: 'PUT',
      url: this.#requireLocation(),
      headers: { 'Content-Range': `bytes */${this.#target.size}` },
      body: null,
      signal,
    });
    return this.#progressOf(response, 'Asking the server how much it holds');
  }

  async send(part: PartToSend): Promise<ServerProgress> {
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    // A 0-byte file cannot be described by a byte range; the seed's "no Content-Range
    // means the whole file" covers it.
    if (part.end > part.start) headers['Content-Range'] = `bytes ${part.start}-${part.end - 1}/${this.#target.size}`;
    if (part.md5 !== undefined) headers['Content-MD5'] = part.md5;
    const response = await this.#context.http.request({
      method: 'PUT',
      url: this.#requireLocation(),
      headers,
      body: part.body,
      signal: part.signal,
      onUploadProgress: part.onProgress,
    });
    if (!this.#streamed && (response.status === 405 || response.status === 415 || response.status === 501)) {
      throw new UploadError(UploadErrorCode.StreamingUnsupported, `The server does not accept streaming PUT (${response.status}).`, {
        status: response.status,
      });
    }
    const progress = this.#progressOf(response, 'Sending a part');
    this.#streamed = true;
    return progress;
  }

  async sendForm(file: Blob, name: string, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<Asset> {
    if (this.#location === undefined) await this.open(signal);
    const form = new FormData();
    form.append('file', file, name);
    const response = await this.#context.http.request({ method: 'POST', url: this.#requireLocation(), body: form, signal, onUploadProgress: onProgress });
    const progress = this.#progressOf(response, 'Sending the file');
    if (!progress.asset)
      throw new UploadError(UploadErrorCode.BadResponse, 'Sending the file: the server did not confirm the upload.', { status: response.status });
    return progress.asset;
  }

  async abort(): Promise<void> {
    if (this.#location === undefined) return;
    // Best effort: the user already decided; a failed DELETE leaves garbage the server collects.
    await this.#context.http.request({ method: 'DELETE', url: this.#location }).catch(() => undefined);
  }

  #progressOf(response: HttpResponse, what: string): ServerProgress {
    const moved = response.header('Location');
    if (moved) this.#location = this.#follow(moved, response.url);
    if (response.status === 200 || response.status === 201) {
      return { offset: this.#target.size, asset: assetOf(jsonOf(response, what), this.#id) };
    }
    if (response.status === 204) return { offset: offsetOf(response.header('Range'), this.#target.size) };
    const server = serverErrorOf(response);
    if (response.status === 400 && server.code === 'bad_digest') {
      throw new UploadError(UploadErrorCode.ChecksumMismatch, `The server rejected the part's checksum${server.message ? `: ${server.message}` : ''}.`, {
        status: 400,
        serverCode: server.code,
      });
    }
    if (response.status === 409) {
      throw new UploadError(UploadErrorCode.OffsetMismatch, `The server holds a different offset${server.message ? `: ${server.message}` : ''}.`, {
        status: 409,
        serverCode: server.code,
      });
    }
    if (response.status === 404 || response.status === 410) {
      throw new UploadError(UploadErrorCode.SessionExpired, `The server no longer knows this upload (${response.status}).`, {
        status: response.status,
        serverCode: server.code,
      });
    }
    throw errorFromResponse(response, what);
  }

  #follow(location: string, base: string): string {
    return resolveLocation(location, base, this.#context.endpoint, this.#context.allowedOrigins);
  }

  #requireLocation(): string {
    if (this.#location === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The upload has no location yet; open it first.');
    return this.#location;
  }
}

/** `Range: 0-N` -> N + 1 bytes held; none -> 0. Anything else is a protocol violation. */
export function offsetOf(range: string | null, size: number): number {
  if (range === null || range === '') return 0;
  const match = RANGE.exec(range.trim());
  if (!match || Number(match[1]) !== 0) throw new UploadError(UploadErrorCode.BadResponse, `The server sent a Range the protocol does not allow: ${range}`);
  const held = Number(match[2]) + 1;
  if (held > size) throw new UploadError(UploadErrorCode.BadResponse, `The server claims ${held} bytes of a ${size}-byte file.`);
  return held;
}

function assetOf(json: Record<string, unknown>, fallbackId: string | undefined): Asset {
  const id = idOf(json['id'], 'The finished upload') ?? fallbackId;
  if (id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The server finished the upload but sent no id.');
  const url = [json['url'], json['download_url'], json['location']].find((v) => typeof v === 'string') as string | undefined;
  return {
    id,
    ...(typeof json['name'] === 'string' ? { name: json['name'] } : {}),
    ...(typeof json['size'] === 'number' ? { size: json['size'] } : {}),
    ...(url ? { url } : {}),
    ...(typeof json['md5'] === 'string' ? { md5: json['md5'] } : {}),
    raw: json as Json,
  };
}
