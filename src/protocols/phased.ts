/**
 * `phased`: the assets API with a phased video upload (shared/seeds/001).
 *
 * - `endpoint` is the assets collection URL (`POST /assets`); a bearer token goes in the
 *   element's `token` (sent to the endpoint's origin only, never stored).
 * - Images, documents and audio: one `POST <endpoint>` with `multipart/form-data`,
 *   field `source` (and `label`). No resume: the API has none for them.
 * - Video: `upload_phase=start` with `file_size` -> asset id and the first window
 *   `start_offset`/`end_offset`; each `transfer` POSTs `<endpoint>/<id>/multipart` with
 *   `upload_phase`, `start_offset` and then `file_chunk` (fields before the file, so a
 *   streaming server knows the offset before the bytes), and gets the next window;
 *   `finish` queues the video for encoding.
 * - Offsets: the seed does not define them; this reads them as Facebook's resumable video
 *   upload (which the seed mirrors) does: the server wants bytes [start_offset,
 *   end_offset) next, end exclusive, and start_offset == end_offset == file size means
 *   every byte is there. The server decides the window; the client follows it.
 * - Resume: `GET <endpoint>/<id>` tells the window; a transfer at the wrong offset is a
 *   `409` that the engine answers by asking again.
 * - `PUT <endpoint>/<id>` renames (`name`, `label`), `DELETE <endpoint>/<id>` deletes.
 * - Which files take the phased path: the seed's phased upload is "Upload Video", so
 *   `video/*` files do and everything else goes as one `source` form. A `start` also
 *   sends `file_name`, `label` and `content_type`, which the seed's example leaves out;
 *   a server given a `start` without `content_type` takes it as a video (the reference
 *   server's `kind` is then `video`).
 */
import { errorFromResponse, jsonOf, serverErrorOf, type HttpResponse } from '../engine/http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { countOf, idOf } from './members.js';
import { itemUrl } from './location.js';
import type { Asset, Json, JsonObject, PartToSend, Protocol, ProtocolContext, ProtocolUpload, ServerProgress, UploadTarget } from '../engine/protocol.js';

export const phased: Protocol = {
  name: 'phased',
  capabilities: { ordered: true, partChecksum: 'none' },
  create: (context, target) => new PhasedUpload(context, target),
  async rename(context, asset, name, signal) {
    const response = await context.http.request({
      method: 'PUT',
      url: assetUrl(context, asset.id),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ name, label: name }),
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200) throw errorFromResponse(response, 'Renaming the asset');
    return assetOf(jsonOf(response, 'Renaming the asset'));
  },
  async remove(context, asset, signal) {
    const response = await context.http.request({ method: 'DELETE', url: assetUrl(context, asset.id), ...(signal ? { signal } : {}) });
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) throw errorFromResponse(response, 'Deleting the asset');
  },
};

function assetUrl(context: ProtocolContext, id: string, suffix = ''): string {
  return itemUrl(context.endpoint, id, suffix);
}

class PhasedUpload implements ProtocolUpload {
  readonly #context: ProtocolContext;
  readonly #target: UploadTarget;
  #id: string | undefined;

  constructor(context: ProtocolContext, target: UploadTarget) {
    this.#context = context;
    this.#target = target;
  }

  prefersForm(): boolean {
    return !this.#target.type.startsWith('video/');
  }

  saveState(): JsonObject | undefined {
    return this.#id === undefined ? undefined : { id: this.#id };
  }

  async open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress> {
    if (saved && typeof saved['id'] === 'string') {
      this.#id = saved['id'];
      return this.sync(signal);
    }
    const response = await this.#context.http.request({
      method: 'POST',
      url: this.#context.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        upload_phase: 'start',
        file_size: this.#target.size,
        file_name: this.#target.name,
        label: this.#target.name,
        content_type: this.#target.type || 'application/octet-stream',
      }),
      signal,
    });
    if (response.status !== 201 && response.status !== 200) throw errorFromResponse(response, 'Starting the upload');
    const json = jsonOf(response, 'Starting the upload');
    this.#id = idOf(json['id'], 'Starting the upload');
    if (this.#id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'Starting the upload: the server sent no asset id.');
    return windowOf(json, this.#target.size);
  }

  async sync(signal: AbortSignal): Promise<ServerProgress> {
    const response = await this.#context.http.request({
      method: 'GET',
      url: assetUrl(this.#context, this.#requireId()),
      headers: { Accept: 'application/json' },
      signal,
    });
    if (response.status === 404 || response.status === 410)
      throw new UploadError(UploadErrorCode.SessionExpired, `The server no longer knows this upload (${response.status}).`, { status: response.status });
    if (response.status !== 200) throw errorFromResponse(response, 'Asking the server for the next chunk');
    const json = jsonOf(response, 'Asking the server for the next chunk');
    // Finished already (a lost answer to `finish`): done.
    if (json['status'] === 'processing' || json['status'] === 'ready') return { offset: this.#target.size, asset: assetOf(json) };
    return windowOf(json, this.#target.size);
  }

  async send(part: PartToSend): Promise<ServerProgress> {
    const form = new FormData();
    form.append('upload_phase', 'transfer');
    form.append('start_offset', String(part.start));
    form.append('file_chunk', part.body, this.#target.name);
    const response = await this.#context.http.request({
      method: 'POST',
      url: assetUrl(this.#context, this.#requireId(), '/multipart'),
      body: form,
      signal: part.signal,
      onUploadProgress: part.onProgress,
    });
    if (response.status === 200) return windowOf(jsonOf(response, 'Sending a chunk'), this.#target.size);
    throw errorOf(response, 'Sending a chunk');
  }

  async complete(signal: AbortSignal): Promise<Asset> {
    const response = await this.#context.http.request({
      method: 'POST',
      url: assetUrl(this.#context, this.#requireId(), '/multipart'),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ upload_phase: 'finish' }),
      signal,
    });
    if (response.status === 200 || response.status === 201) return assetOf(jsonOf(response, 'Finishing the upload'));
    // Finished by a request whose answer was lost: the asset is there (if the server agrees).
    if (response.status === 409 && serverErrorOf(response).code === 'already_finished') {
      const { asset } = await this.sync(signal);
      if (asset) return asset;
      throw new UploadError(UploadErrorCode.BadResponse, 'Finishing the upload: the server says it is finished, yet reports it still uploading.', {
        status: 409,
      });
    }
    throw errorOf(response, 'Finishing the upload');
  }

  async sendForm(file: Blob, name: string, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<Asset> {
    const form = new FormData();
    form.append('label', name);
    form.append('source', file, name);
    const response = await this.#context.http.request({ method: 'POST', url: this.#context.endpoint, body: form, signal, onUploadProgress: onProgress });
    if (response.status !== 201 && response.status !== 200) throw errorOf(response, 'Uploading the file');
    const asset = assetOf(jsonOf(response, 'Uploading the file'));
    this.#id = asset.id;
    return asset;
  }

  async abort(): Promise<void> {
    if (this.#id === undefined) return;
    // Best effort: a token without the delete scope leaves it to the server's cleanup.
    await this.#context.http.request({ method: 'DELETE', url: assetUrl(this.#context, this.#id) }).catch(() => undefined);
  }

  #requireId(): string {
    if (this.#id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The upload has no asset id yet; start it first.');
    return this.#id;
  }
}

function errorOf(response: HttpResponse, what: string): UploadError {
  const server = serverErrorOf(response);
  if (response.status === 409)
    return new UploadError(UploadErrorCode.OffsetMismatch, `${what}: the server expects another chunk${server.message ? ` (${server.message})` : ''}.`, {
      status: 409,
      serverCode: server.code,
    });
  if (response.status === 404 || response.status === 410)
    return new UploadError(UploadErrorCode.SessionExpired, `${what}: the server no longer knows this upload (${response.status}).`, {
      status: response.status,
    });
  return errorFromResponse(response, what);
}

function windowOf(json: Record<string, unknown>, size: number): ServerProgress {
  const start = countOf(json['start_offset']);
  const end = countOf(json['end_offset']);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > size) {
    const shown = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));
    throw new UploadError(
      UploadErrorCode.BadResponse,
      `The server sent a window the protocol does not allow (start_offset ${shown(json['start_offset'])}, end_offset ${shown(json['end_offset'])}, file size ${size}).`,
    );
  }
  return { offset: start, window: { start, end } };
}

function assetOf(json: Record<string, unknown>): Asset {
  const id = idOf(json['id'], 'The asset');
  if (id === undefined) throw new UploadError(UploadErrorCode.BadResponse, 'The server sent an asset without an id.');
  return {
    id,
    ...(typeof json['name'] === 'string' ? { name: json['name'] } : {}),
    ...(typeof json['size'] === 'number' ? { size: json['size'] } : {}),
    ...(typeof json['url'] === 'string' ? { url: json['url'] } : {}),
    ...(typeof json['md5'] === 'string' ? { md5: json['md5'] } : {}),
    raw: json as Json,
  };
}
