/**
 * The Candidio assets API as demo/server/registry.ts answers it, over the signed-parts
 * fake as its object store: the bytes go to the uploads collection first, then `POST
 * <assets>` `{data: {bucket, object_key, file_name, file_type, size, mimetype, user_id}}`
 * registers the finished object (422 when it is missing or of another size; 409
 * `already_registered` naming the existing `asset_id`); `GET <assets>/<id>` reads one.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { json, newId, objectBody, type FakeAnswer, type FakeRequest, type Route } from './core.js';
import { needed } from '../bad-answers.js';
import { API_ORIGIN, FakeSignedParts, SIGNED_PARTS_REQUIRED, UPLOADS_URL } from './signed-parts.js';

const ASSETS_URL = `${API_ORIGIN}/registry/v1/workspaces/wrk_acme/assets`;

interface Registered {
  readonly id: string;
  readonly data: Record<string, unknown>;
  readonly uploadId: string;
}

export class FakeRegistry extends FakeSignedParts {
  override readonly endpoint = ASSETS_URL;
  override readonly storageEndpoint = UPLOADS_URL;
  override readonly kinds = ['create', 'sign', 'data', 'sync', 'complete', 'register'];
  override readonly required = { ...SIGNED_PARTS_REQUIRED, complete: needed('bucket', 'object_key'), register: needed('data', 'data.id') };
  readonly #assets = new Map<string, Registered>();

  override fileOf(asset: Asset): Uint8Array | undefined {
    const registered = this.#assets.get(asset.id);
    return registered ? this.uploads.get(registered.uploadId)?.file : undefined;
  }

  protected override route(request: FakeRequest): Route {
    if (request.url.href === ASSETS_URL && request.method === 'POST') return { kind: 'register', handle: () => this.#register(request) };
    const id = request.url.href.startsWith(`${ASSETS_URL}/`) ? decodeURIComponent(request.url.pathname.split('/').pop()!) : undefined;
    if (id !== undefined && request.method === 'GET') {
      const found = this.#assets.get(id);
      return { kind: 'read', handle: () => (found ? json(200, { data: document(found) }) : failure(404, 'not_found', 'No such asset.')) };
    }
    return super.route(request);
  }

  #register(request: FakeRequest): FakeAnswer {
    const data = objectBody(request)?.['data'] as Record<string, unknown> | undefined;
    if (!data || typeof data !== 'object') return failure(400, 'malformed_body', 'The body is {"data": {…}}.');
    for (const [member, type] of Object.entries({
      bucket: 'string',
      object_key: 'string',
      file_name: 'string',
      file_type: 'string',
      size: 'number',
      mimetype: 'string',
      user_id: 'string',
    })) {
      if (typeof data[member] !== type) return failure(400, 'bad_member', `data.${member} is required (${type}).`);
    }
    const uploadId = String(data['object_key']).replace(/^signed-parts\//, '');
    const stored = data['bucket'] === 'embedded' ? this.uploads.get(uploadId)?.file : undefined;
    if (!stored) return failure(422, 'object_missing', `There is no finished object ${String(data['object_key'])}.`);
    if (stored.length !== data['size']) return failure(422, 'size_mismatch', `data.size is ${String(data['size'])}, the object has ${stored.length}.`);
    const twin = [...this.#assets.values()].find((asset) => asset.uploadId === uploadId);
    if (twin) return json(409, { error: { code: 'already_registered', message: `Already registered as ${twin.id}.` }, asset_id: twin.id });
    const asset: Registered = { id: newId('ast_'), data, uploadId };
    this.#assets.set(asset.id, asset);
    return json(201, { data: document(asset) });
  }
}

function document(asset: Registered): object {
  const { data } = asset;
  return {
    type: 'asset',
    id: asset.id,
    file_name: data['file_name'],
    file_type: data['file_type'],
    mimetype: data['mimetype'],
    size: data['size'],
    link_download: `${ASSETS_URL}/${asset.id}/download`,
    link_thumbnail: null,
    workspace_id: 'wrk_acme',
    user_id: data['user_id'],
    bucket: data['bucket'],
    object_key: data['object_key'],
  };
}

function failure(status: number, code: string, message: string): FakeAnswer {
  return json(status, { error: { code, message } });
}
