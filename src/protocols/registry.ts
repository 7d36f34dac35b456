/**
 * `registry`: store the bytes in object storage, then register the asset
 * (shared/seeds/004, the Candidio assets API).
 *
 * - `endpoint` is the assets collection: `…/v1/assets`, or nested,
 *   `…/v1/workspaces/<id>/assets`, `…/v1/workspaces/<id>/productions/<id>/assets`. The
 *   bearer token goes in the element's `token`.
 * - `storage-endpoint` is a `signed-parts` uploads collection: the bytes go there first,
 *   part by part, straight to the object store (signed-parts.ts does all of it: MD5s
 *   the store checks, parallel parts, resume by the store's part list).
 * - Once stored, `POST <endpoint>` `{"data": {bucket, object_key, file_name, file_type,
 *   size, mimetype, …fields}}` registers it; the page's `fields` attribute gives what
 *   the API needs beyond the file (`user_id`, and `workspace_id` on the flat route).
 *   `file_type` is the name's extension (else the type's subtype, else `bin`).
 * - Registering twice answers 409 `already_registered`; the reference server names the
 *   existing `asset_id`, so a client whose first answer was lost fetches that asset.
 * - The asset is `{id, name: file_name, size, url: link_download}`; rename is `PUT
 *   <endpoint>/<id>` `{"data": {"file_name"}}`, delete is `DELETE <endpoint>/<id>`.
 *
 * Readings:
 * - Where the bytes come from: the seed says only that the object is in S3. They go
 *   through `storage-endpoint`, and its finish answer must name `bucket` and
 *   `object_key`. The reference signed-parts server's does; the finish answer in
 *   seed 003 does not, so a Wunderlist server as written cannot be the storage.
 * - Create members: the example sends workspace_id, bucket, object_key, file_name,
 *   file_type, size and mimetype; the table also requires user_id, which the example
 *   leaves out. The adapter sends the file's members; user_id, and workspace_id on the
 *   flat route, come from `fields` (the "*" rule: ids the URL names are not needed).
 * - `file_name` is the file's name with its extension ("Original filename"); the
 *   examples' answers ("file", "meowcats") are read as sample values. `mimetype` is the
 *   browser's type (the example's "image/mp4" for an mp4 is read as a slip), or
 *   application/octet-stream.
 * - Status codes, which the seed never shows: create `201` (`200` taken too), rename
 *   `200`, delete `200` (the seed's `success` document) or `204`; a `404` on delete
 *   means it is gone already.
 * - Ids are the seed's strings (`ast_…`); an answer whose `data.id` is not a string is
 *   refused.
 * - Rename sends only `file_name` ("Original filename and display name"); the update
 *   example's repeated members are not needed.
 * - The seed's `POST /v1/assets/` ends with "/": the endpoint is used as given, and an
 *   asset's URL joins it with one "/".
 * - `409 already_registered` with `asset_id` is the reference server's, not the seed's.
 */
import { errorFromResponse, jsonOf, type HttpResponse } from '../engine/http.js';
import { UploadError, UploadErrorCode } from '../engine/upload-error.js';
import { itemUrl } from './location.js';
import type { Asset, Json, JsonObject, PartToSend, Protocol, ProtocolContext, ProtocolUpload, ServerProgress, UploadTarget } from '../engine/protocol.js';
import { s3PartCapabilities, signedParts } from './signed-parts.js';

export const registry: Protocol = {
  name: 'registry',
  capabilities: s3PartCapabilities,
  create: (context, target) => new RegistryUpload(context, target),
  async rename(context, asset, name, signal) {
    const response = await context.http.request({
      method: 'PUT',
      url: assetUrl(context, asset.id),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ data: { file_name: name } }),
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200) throw errorFromResponse(response, 'Renaming the asset');
    return assetOf(response, 'Renaming the asset');
  },
  async remove(context, asset, signal) {
    const response = await context.http.request({
      method: 'DELETE',
      url: assetUrl(context, asset.id),
      headers: { Accept: 'application/json' },
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200 && response.status !== 204 && response.status !== 404) throw errorFromResponse(response, 'Deleting the asset');
  },
};

class RegistryUpload implements ProtocolUpload {
  readonly #context: ProtocolContext;
  readonly #target: UploadTarget;
  readonly #storage: ProtocolUpload;

  constructor(context: ProtocolContext, target: UploadTarget) {
    if (!context.storageEndpoint) {
      throw new UploadError(
        UploadErrorCode.ClientError,
        'The registry needs to know where to store the file first: set storage-endpoint to a signed-parts uploads URL.',
      );
    }
    this.#context = context;
    this.#target = target;
    this.#storage = signedParts.create({ ...context, endpoint: context.storageEndpoint }, target);
  }

  open(signal: AbortSignal, saved?: JsonObject): Promise<ServerProgress> {
    return this.#storage.open(signal, saved);
  }

  saveState(): JsonObject | undefined {
    return this.#storage.saveState();
  }

  sync(signal: AbortSignal): Promise<ServerProgress> {
    return this.#storage.sync(signal);
  }

  send(part: PartToSend): Promise<ServerProgress> {
    return this.#storage.send(part);
  }

  async complete(signal: AbortSignal, onStatus?: (status: string) => void): Promise<Asset> {
    const stored = await this.#storage.complete!(signal, onStatus);
    const where = stored.raw as JsonObject;
    const bucket = where['bucket'];
    const objectKey = where['object_key'];
    if (typeof bucket !== 'string' || typeof objectKey !== 'string') {
      throw new UploadError(UploadErrorCode.BadResponse, 'The storage API did not say where it stored the file (bucket and object_key).');
    }
    onStatus?.('registering');
    const data = {
      ...this.#context.fields,
      bucket,
      object_key: objectKey,
      file_name: this.#target.name,
      file_type: fileType(this.#target),
      size: this.#target.size,
      mimetype: this.#target.type || 'application/octet-stream',
    };
    const response = await this.#context.http.request({
      method: 'POST',
      url: this.#context.endpoint,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ data }),
      signal,
    });
    if (response.status === 201 || response.status === 200) return assetOf(response, 'Registering the asset');
    const existing = response.status === 409 ? existingAssetId(response) : undefined;
    if (existing === undefined) throw errorFromResponse(response, 'Registering the asset');
    // Registered before (an answer lost to a reload or a dropped network): fetch it.
    const again = await this.#context.http.request({ method: 'GET', url: assetUrl(this.#context, existing), headers: { Accept: 'application/json' }, signal });
    if (again.status !== 200) throw errorFromResponse(again, 'Reading the registered asset');
    return assetOf(again, 'Reading the registered asset');
  }

  dispose(reason: 'error' | 'cancel'): void {
    this.#storage.dispose?.(reason);
  }

  abort(): Promise<void> {
    return this.#storage.abort();
  }
}

function assetUrl(context: ProtocolContext, id: string): string {
  return itemUrl(context.endpoint, id);
}

/** The seed's `{"data": asset}` as an Asset. */
function assetOf(response: HttpResponse, what: string): Asset {
  const data = jsonOf(response, what)['data'] as JsonObject | undefined;
  if (typeof data !== 'object' || data === null || typeof data['id'] !== 'string') {
    throw new UploadError(UploadErrorCode.BadResponse, `${what}: the server sent no asset.`);
  }
  return {
    id: data['id'],
    ...(typeof data['file_name'] === 'string' ? { name: data['file_name'] } : {}),
    ...(typeof data['size'] === 'number' ? { size: data['size'] } : {}),
    ...(typeof data['link_download'] === 'string' ? { url: data['link_download'] } : {}),
    raw: data as Json,
  };
}

function existingAssetId(response: HttpResponse): string | undefined {
  try {
    const id = (JSON.parse(response.body) as JsonObject)['asset_id'];
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The name's extension, lower-case; else the media type's subtype; else `bin`. */
function fileType(target: UploadTarget): string {
  const extension = /\.([A-Za-z0-9]{1,16})$/.exec(target.name)?.[1];
  if (extension) return extension.toLowerCase();
  const subtype = /^[a-z]+\/([a-z0-9]{1,16})$/i.exec(target.type)?.[1];
  return subtype ? subtype.toLowerCase() : 'bin';
}
