/**
 * The signed-parts API (Wunderlist uploads) as demo/server/signed-parts.ts answers it in
 * its embedded mode, where it is the object store too: `POST` creates; `GET …/parts`
 * signs one part over its MD5; `PUT` to the store checks the signature and the MD5 (S3
 * XML errors; a cut-off part leaves nothing); `GET <id>` lists the parts; `PATCH`
 * finishes (parts 1..n, each but the last at least 5 MiB, adding up to the size);
 * `DELETE` abandons.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { needed, neededId, typed } from '../bad-answers.js';
import { FakeServer, json, md5Base64, md5Hex, newId, objectBody, type FakeAnswer, type FakeRequest, type Held, type Route } from './core.js';

export const API_ORIGIN = 'https://api.example.test';
/** The uploads collection: the endpoint of `signed-parts`, the storage endpoint of `registry`. */
export const UPLOADS_URL = `${API_ORIGIN}/signed-parts/api/v1/uploads`;
const MIN_PART_SIZE = 5 * 1024 * 1024;

/** What a signed-parts client cannot do without (the registry's storage too). */
export const SIGNED_PARTS_REQUIRED = {
  create: neededId('id'),
  sign: needed('part', 'part.url', 'part.authorization', 'part.date'),
  sync: [...needed('parts', 'parts[0].part_number', 'parts[0].size'), ...typed('parts[0]')],
  complete: ['id as an object'],
};

export interface StoredUpload {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly parts: Map<number, Uint8Array>;
  file?: Uint8Array;
}

export class FakeSignedParts extends FakeServer {
  readonly endpoint: string = UPLOADS_URL;
  readonly kinds: readonly string[] = ['create', 'sign', 'data', 'sync', 'complete'];
  readonly deletes = true;
  override readonly required: Readonly<Record<string, readonly string[]>> = SIGNED_PARTS_REQUIRED;
  protected readonly uploads = new Map<string, StoredUpload>();
  readonly #signatures = new Map<string, { path: string; md5: string; date: string }>();
  #latest: StoredUpload | undefined;

  held(): Held {
    const parts = [...(this.#latest?.parts.entries() ?? [])].sort(([a], [b]) => a - b);
    return { bytes: parts.reduce((sum, [, bytes]) => sum + bytes.length, 0), parts: parts.map(([number]) => number) };
  }

  openUploads(): number {
    return [...this.uploads.values()].filter((upload) => upload.file === undefined).length;
  }

  fileOf(asset: Asset): Uint8Array | undefined {
    return this.uploads.get(asset.id)?.file;
  }

  protected route(request: FakeRequest): Route {
    const { method, url } = request;
    if (url.origin !== API_ORIGIN) return this.notFound();
    if (url.href === UPLOADS_URL && method === 'POST') return { kind: 'create', handle: () => this.#create(request) };
    const store = /^\/signed-parts\/store\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (store) {
      const upload = this.uploads.get(store[1]!);
      return { kind: 'data', data: true, signed: true, handle: (sent, cut) => this.#put(upload, Number(store[2]), sent, cut) };
    }
    const match = /^\/signed-parts\/api\/v1\/uploads\/([^/]+)(\/parts)?$/.exec(url.pathname);
    if (!match) return this.notFound();
    const upload = this.uploads.get(match[1]!);
    if (!upload) return { kind: match[2] ? 'sign' : method === 'GET' ? 'sync' : method === 'PATCH' ? 'complete' : 'abort', handle: gone };
    if (match[2] && method === 'GET') return { kind: 'sign', handle: () => this.#sign(upload, url.searchParams) };
    if (match[2]) return this.notFound();
    if (method === 'GET') return { kind: 'sync', handle: () => this.#list(upload) };
    if (method === 'PATCH') return { kind: 'complete', handle: () => this.#finish(upload, request) };
    if (method === 'DELETE') {
      return {
        kind: 'abort',
        handle: () => {
          if (upload.file) return failure(409, 'upload_finished', 'This upload is finished.');
          this.uploads.delete(upload.id);
          return { status: 204 };
        },
      };
    }
    return this.notFound();
  }

  #create(request: FakeRequest): FakeAnswer {
    const body = objectBody(request);
    const size = body?.['file_size'];
    if (typeof body?.['content_type'] !== 'string' || body['content_type'] === '') return failure(400, 'bad_content_type', 'content_type is required.');
    if (typeof body['file_name'] !== 'string') return failure(400, 'bad_file_name', 'file_name is required.');
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return failure(400, 'bad_file_size', 'file_size is required.');
    const upload: StoredUpload = { id: newId(), name: body['file_name'], size, parts: new Map() };
    this.uploads.set(upload.id, upload);
    this.#latest = upload;
    return json(201, { id: upload.id, user_id: 1, state: 'new', type: 'upload', ...this.#signed(upload, 1, '') });
  }

  #sign(upload: StoredUpload, query: URLSearchParams): FakeAnswer {
    if (upload.file) return failure(409, 'upload_finished', 'This upload is finished; it takes no more parts.');
    const number = Number(query.get('part_number'));
    if (!Number.isInteger(number) || number < 1 || number > 10_000) return failure(400, 'bad_part_number', 'part_number is 1 to 10000.');
    return json(200, this.#signed(upload, number, query.get('md5sum') ?? ''));
  }

  /** `{expires_at, part}`: the seed's signed part, its signature over path, MD5 and date. */
  #signed(upload: StoredUpload, number: number, md5: string): object {
    const path = `/signed-parts/store/${upload.id}/${number}`;
    const date = new Date(Date.UTC(2030, 0, 1)).toUTCString();
    const authorization = `ASU1 ${newId('sig')}`;
    this.#signatures.set(authorization, { path, md5, date });
    this.secrets.push(authorization);
    const expires = '2030-01-01T00:15:00.000Z';
    return { expires_at: expires, part: { part_number: number, url: `${API_ORIGIN}${path}`, date, authorization, expires_at: expires } };
  }

  #put(upload: StoredUpload | undefined, number: number, request: FakeRequest, cut: boolean): FakeAnswer {
    const signed = this.#signatures.get(request.header('Authorization') ?? '');
    const md5 = request.header('Content-MD5') ?? '';
    if (
      !signed ||
      signed.path !== request.url.pathname ||
      signed.md5 !== md5 ||
      signed.date !== request.header('x-amz-date') ||
      request.header('Content-Type') !== ''
    ) {
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (!upload || upload.file) return s3Error(404, 'NoSuchUpload', 'The specified upload does not exist.');
    if (cut) return { status: 0 };
    if (md5 !== '' && md5 !== md5Base64(request.bytes)) return s3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    upload.parts.set(number, request.bytes.slice());
    return { status: 200, headers: { ETag: `"${md5Hex(request.bytes)}"` } };
  }

  #list(upload: StoredUpload): FakeAnswer {
    const parts = [...upload.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([number, bytes]) => ({ part_number: number, size: bytes.length, etag: `"${md5Hex(bytes)}"` }));
    return json(200, {
      id: upload.id,
      state: upload.file ? 'finished' : 'new',
      file_name: upload.name,
      file_size: upload.size,
      content_type: 'application/octet-stream',
      parts,
    });
  }

  #finish(upload: StoredUpload, request: FakeRequest): FakeAnswer {
    if (objectBody(request)?.['state'] !== 'finished') return failure(400, 'bad_state', 'The only state an upload can be set to is "finished".');
    if (!upload.file) {
      const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b);
      if (parts.length === 0)
        return {
          ...failure(400, 'no_parts', 'There are no parts upload to finish it'),
          body: JSON.stringify({
            errors: ['state', 'There are no parts upload to finish it'],
            error: { code: 'no_parts', message: 'There are no parts upload to finish it' },
          }),
        };
      if (parts.some(([number], index) => number !== index + 1)) return failure(400, 'incomplete_parts', 'A part is missing.');
      if (parts.slice(0, -1).some(([, bytes]) => bytes.length < MIN_PART_SIZE))
        return failure(400, 'part_too_small', 'Every part but the last is at least 5 MiB.');
      const file = new Uint8Array(parts.reduce((sum, [, bytes]) => sum + bytes.length, 0));
      if (file.length !== upload.size) return failure(400, 'incomplete_parts', `The parts hold ${file.length} bytes, not ${upload.size}.`);
      let at = 0;
      for (const [, bytes] of parts) {
        file.set(bytes, at);
        at += bytes.length;
      }
      upload.file = file;
    }
    const md5 = md5Hex(upload.file);
    return json(200, {
      id: upload.id,
      user_id: 1,
      state: 'finished',
      type: 'upload',
      file_name: upload.name,
      file_size: upload.size,
      md5,
      etag: md5,
      bucket: 'embedded',
      object_key: `signed-parts/${upload.id}`,
      url: `${API_ORIGIN}/signed-parts/files/${upload.id}`,
    });
  }
}

/** The seed's `errors: [member, message]` beside the shared `error: {code, message}`. */
function failure(status: number, code: string, message: string): FakeAnswer {
  return json(status, { errors: [code, message], error: { code, message } });
}

function gone(): FakeAnswer {
  return failure(404, 'not_found', 'No such upload.');
}

function s3Error(status: number, code: string, message: string): FakeAnswer {
  return {
    status,
    headers: { 'Content-Type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}
