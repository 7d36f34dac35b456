/**
 * The Panda upload API as demo/server/content-range.ts answers it: `POST` creates,
 * `PUT <location>` with `Content-Range: bytes a-b/L` appends at the stored offset (204 +
 * `Range: 0-N`, or 200 + the asset once complete), `bytes *\/L` asks, a `PUT` without
 * `Content-Range` is the whole file, `DELETE` cancels. A part cut off mid-way keeps the
 * bytes that arrived unless it carried `Content-MD5`.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { Bytes, FakeServer, json, md5Base64, md5Hex, newId, objectBody, type FakeAnswer, type FakeRequest, type Held, type Route } from './core.js';

const ORIGIN = 'https://panda.example.test';

interface Upload {
  readonly id: string;
  readonly name: string;
  readonly bytes: Bytes;
  complete: boolean;
}

export class FakeContentRange extends FakeServer {
  readonly endpoint = `${ORIGIN}/content-range/videos/upload.json`;
  readonly kinds = ['create', 'data', 'sync'];
  readonly deletes = true;
  // No Range means nothing stored (the seed), and a Location header stands in for `location`.
  override readonly required = {
    create: ['without location', 'id as an object'],
    data: ['header Range garbled', 'id as an object'],
    sync: ['header Range garbled'],
  };
  readonly #uploads = new Map<string, Upload>();
  #latest: Upload | undefined;

  held(): Held {
    return { bytes: this.#latest?.bytes.length ?? 0 };
  }

  openUploads(): number {
    return [...this.#uploads.values()].filter((upload) => !upload.complete).length;
  }

  fileOf(asset: Asset): Uint8Array | undefined {
    const upload = this.#uploads.get(asset.id);
    return upload?.complete ? upload.bytes.data : undefined;
  }

  protected route(request: FakeRequest): Route {
    if (request.url.href === this.endpoint && request.method === 'POST') return { kind: 'create', handle: () => this.#create(request) };
    const id = /^\/content-range\/uploads\/([^/]+)$/.exec(request.url.pathname)?.[1];
    if (request.url.origin !== ORIGIN || id === undefined) return this.notFound();
    const upload = this.#uploads.get(id);
    if (request.method === 'DELETE') return { kind: 'abort', handle: () => (this.#uploads.delete(id) ? { status: 200 } : gone()) };
    if (request.method !== 'PUT') return this.notFound();
    const range = request.header('Content-Range');
    if (range?.startsWith('bytes */')) {
      return { kind: 'sync', handle: () => (!upload ? gone() : upload.complete ? this.#asset(upload) : progress(upload)) };
    }
    return { kind: 'data', data: true, handle: (sent, cut) => (!upload ? gone() : this.#part(upload, sent, range, cut)) };
  }

  #create(request: FakeRequest): FakeAnswer {
    const body = objectBody(request);
    const size = body?.['file_size'];
    const name = body?.['file_name'];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || typeof name !== 'string') {
      return json(400, { error: { code: 'bad_request', message: 'file_size and file_name are required.' } });
    }
    const upload: Upload = { id: newId(), name, bytes: new Bytes(size), complete: false };
    this.#uploads.set(upload.id, upload);
    this.#latest = upload;
    const location = `${ORIGIN}/content-range/uploads/${upload.id}`;
    return json(201, { id: upload.id, location }, { Location: location });
  }

  #part(upload: Upload, request: FakeRequest, range: string | undefined, cut: boolean): FakeAnswer {
    const size = upload.bytes.data.length;
    let start = 0;
    let length = size;
    if (range !== undefined) {
      const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
      if (!match || Number(match[3]) !== size || Number(match[2]) >= size || Number(match[1]) > Number(match[2])) {
        return json(416, { error: { code: 'range_invalid', message: `Content-Range ${range} is not a range inside the file.` } });
      }
      start = Number(match[1]);
      length = Number(match[2]) - start + 1;
    }
    if (upload.complete && size === 0 && range === undefined) return this.#asset(upload);
    if (upload.complete || start !== upload.bytes.length) return mismatch(upload);
    const digest = request.header('Content-MD5');
    if (cut) {
      // Kept as it arrived, unless a checksum says the part is whole or nothing.
      if (digest === undefined) upload.bytes.append(request.bytes.subarray(0, length));
      return { status: 0 };
    }
    if (request.bytes.length !== length) return json(400, { error: { code: 'length_mismatch', message: 'The body is not the range it says.' } });
    if (digest !== undefined && digest !== md5Base64(request.bytes)) {
      return json(400, { error: { code: 'bad_digest', message: 'The part does not match its Content-MD5.' } });
    }
    upload.bytes.append(request.bytes);
    if (!upload.bytes.full) return progress(upload);
    upload.complete = true;
    return this.#asset(upload);
  }

  #asset(upload: Upload): FakeAnswer {
    return json(200, {
      id: upload.id,
      name: upload.name,
      size: upload.bytes.data.length,
      md5: md5Hex(upload.bytes.data),
      url: `${ORIGIN}/content-range/files/${upload.id}`,
    });
  }
}

function progress(upload: Upload): FakeAnswer {
  const held = upload.bytes.length;
  return { status: 204, headers: { 'Cache-Control': 'no-store', ...(held > 0 ? { Range: `0-${held - 1}` } : {}) } };
}

function mismatch(upload: Upload): FakeAnswer {
  const held = upload.bytes.length;
  return json(409, { error: { code: 'offset_mismatch', message: `The server has ${held} bytes.` } }, held > 0 ? { Range: `0-${held - 1}` } : {});
}

function gone(): FakeAnswer {
  return json(404, { error: { code: 'not_found', message: 'No such upload.' } });
}
