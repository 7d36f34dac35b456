/**
 * The phased assets API as demo/server/phased.ts answers a video upload: `start` makes
 * the asset and names the first window [start_offset, end_offset); each `transfer` must
 * start there and carry exactly the window (fields before `file_chunk`); `finish` makes
 * it `processing`; `GET` tells the window; `DELETE` removes it. A refused or cut-off
 * chunk leaves nothing behind.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { needed, neededId } from '../bad-answers.js';
import { Bytes, FakeServer, json, newId, objectBody, type FakeAnswer, type FakeRequest, type Held, type Route } from './core.js';

const ORIGIN = 'https://phased.example.test';

interface Video {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly bytes: Bytes;
  status: 'uploading' | 'processing';
}

export class FakePhased extends FakeServer {
  readonly endpoint = `${ORIGIN}/phased/assets`;
  readonly kinds = ['create', 'data', 'sync', 'complete'];
  readonly deletes = true;
  override readonly required = {
    create: [...neededId('id'), ...needed('start_offset', 'end_offset')],
    data: needed('start_offset', 'end_offset'),
    sync: needed('start_offset', 'end_offset'),
    complete: neededId('id'),
  };
  readonly #chunkSize: number;
  readonly #assets = new Map<string, Video>();
  #latest: Video | undefined;

  /** `chunkSize`: the window the server asks for (PHASED_CHUNK_SIZE). */
  constructor(chunkSize = 1000) {
    super();
    this.#chunkSize = chunkSize;
  }

  held(): Held {
    return { bytes: this.#latest?.bytes.length ?? 0 };
  }

  openUploads(): number {
    return [...this.#assets.values()].filter((asset) => asset.status === 'uploading').length;
  }

  fileOf(asset: Asset): Uint8Array | undefined {
    const record = this.#assets.get(asset.id);
    return record?.status === 'processing' ? record.bytes.data : undefined;
  }

  protected route(request: FakeRequest): Route {
    if (request.url.href === this.endpoint && request.method === 'POST') return { kind: 'create', handle: () => this.#start(request) };
    const match = /^\/phased\/assets\/([^/]+)(\/multipart)?$/.exec(request.url.pathname);
    if (request.url.origin !== ORIGIN || !match) return this.notFound();
    const record = this.#assets.get(match[1]!);
    const multipart = match[2] !== undefined;
    if (!multipart && request.method === 'GET') return { kind: 'sync', handle: () => (record ? json(200, this.#json(record)) : gone()) };
    if (!multipart && request.method === 'DELETE') return { kind: 'abort', handle: () => (this.#assets.delete(match[1]!) ? { status: 204 } : gone()) };
    if (!multipart || request.method !== 'POST') return this.notFound();
    if (request.fieldOrder.length === 0) return { kind: 'complete', handle: () => (record ? this.#finish(record, request) : gone()) };
    return { kind: 'data', data: true, handle: (sent, cut) => (record ? this.#transfer(record, sent, cut) : gone()) };
  }

  #start(request: FakeRequest): FakeAnswer {
    const body = objectBody(request);
    const size = body?.['file_size'];
    if (body?.['upload_phase'] !== 'start' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return json(400, { error: { code: 'malformed_body', message: 'A start needs upload_phase "start" and file_size.' } });
    }
    const name = typeof body['file_name'] === 'string' ? body['file_name'] : 'untitled';
    const type = typeof body['content_type'] === 'string' ? body['content_type'] : 'application/octet-stream';
    const record: Video = { id: newId(), name, type, bytes: new Bytes(size), status: 'uploading' };
    this.#assets.set(record.id, record);
    this.#latest = record;
    return json(201, { id: record.id, upload_phase: 'start', ...this.#window(record) });
  }

  #transfer(record: Video, request: FakeRequest, cut: boolean): FakeAnswer {
    if (record.status !== 'uploading') return json(409, { error: { code: 'already_finished', message: 'The upload is finished.' } });
    const window = this.#window(record);
    if (request.fields.get('upload_phase') !== 'transfer' || request.fieldOrder.at(-1) !== 'file_chunk') {
      return json(400, { error: { code: 'fields_out_of_order', message: 'upload_phase and start_offset come before file_chunk.' }, ...window });
    }
    if (request.fields.get('start_offset') !== String(window.start_offset)) {
      return json(409, { error: { code: 'offset_mismatch', message: `The server needs the bytes from ${window.start_offset}.` }, ...window });
    }
    if (cut) return { status: 0 };
    if (request.bytes.length !== window.end_offset - window.start_offset) {
      return json(400, { error: { code: 'chunk_size_mismatch', message: 'The chunk is not the window.' }, ...window });
    }
    record.bytes.append(request.bytes);
    return json(200, { id: record.id, upload_phase: 'transfer', ...this.#window(record) });
  }

  #finish(record: Video, request: FakeRequest): FakeAnswer {
    if (objectBody(request)?.['upload_phase'] !== 'finish') return json(400, { error: { code: 'malformed_body', message: 'Expected upload_phase "finish".' } });
    if (record.status !== 'uploading') return json(409, { error: { code: 'already_finished', message: 'The upload is finished.' } });
    if (!record.bytes.full) return json(409, { error: { code: 'incomplete', message: 'Send the rest before finishing.' }, ...this.#window(record) });
    record.status = 'processing';
    return json(200, this.#json(record));
  }

  #window(record: Video): { start_offset: number; end_offset: number } {
    const start = record.bytes.length;
    return { start_offset: start, end_offset: Math.min(record.bytes.data.length, start + this.#chunkSize) };
  }

  #json(record: Video): object {
    const uploading = record.status === 'uploading';
    return {
      id: record.id,
      label: record.name,
      name: record.name,
      size: record.bytes.data.length,
      content_type: record.type,
      kind: record.type.startsWith('video/') ? 'video' : 'document',
      status: record.status,
      ...(uploading ? { upload_phase: record.bytes.length > 0 ? 'transfer' : 'start', ...this.#window(record) } : {}),
    };
  }
}

function gone(): FakeAnswer {
  return json(404, { error: { code: 'not_found', message: 'No such asset.' } });
}
