/**
 * tus 1.0 as demo/server/tus.ts serves it (`@tus/server`, and the `/tus-md5/files`
 * layer that checks `Upload-Checksum: md5`): `OPTIONS` tells the extensions, `POST`
 * creates, `HEAD` tells the offset, `PATCH` appends at it, `DELETE` terminates. A PATCH
 * cut off mid-way keeps what arrived ("SHOULD accept as much as possible"), unless it
 * carried a checksum: then it is whole or nothing.
 */
import type { Asset } from '../../../src/engine/protocol.js';
import { neededHeader } from '../bad-answers.js';
import { Bytes, FakeServer, md5Base64, newId, type FakeAnswer, type FakeRequest, type Held, type Route } from './core.js';

const ORIGIN = 'https://tus.example.test';
const RESUMABLE = { 'Tus-Resumable': '1.0.0' };

export class FakeTus extends FakeServer {
  readonly endpoint = `${ORIGIN}/tus-md5/files/`;
  readonly kinds = ['discover', 'create', 'data', 'sync'];
  readonly deletes = true;
  // Discovery is optional in tus: without it, core + creation are assumed.
  override readonly optionalKinds = ['discover'];
  override readonly required = { create: ['header Location missing'], data: neededHeader('Upload-Offset'), sync: neededHeader('Upload-Offset') };
  readonly #uploads = new Map<string, Bytes>();
  #latest: Bytes | undefined;

  held(): Held {
    return { bytes: this.#latest?.length ?? 0 };
  }

  openUploads(): number {
    return [...this.#uploads.values()].filter((bytes) => !bytes.full).length;
  }

  fileOf(asset: Asset): Uint8Array | undefined {
    const bytes = this.#uploads.get(asset.id);
    return bytes?.full ? bytes.data : undefined;
  }

  protected route(request: FakeRequest): Route {
    const { method } = request;
    if (request.url.href === this.endpoint) {
      if (method === 'OPTIONS')
        return {
          kind: 'discover',
          handle: () => ({
            status: 204,
            headers: { ...RESUMABLE, 'Tus-Version': '1.0.0', 'Tus-Extension': 'creation,termination,checksum', 'Tus-Checksum-Algorithm': 'md5' },
          }),
        };
      if (method === 'POST') return { kind: 'create', handle: () => this.#create(request) };
    }
    const id = /^\/tus-md5\/files\/([^/]+)$/.exec(request.url.pathname)?.[1];
    if (request.url.origin !== ORIGIN || id === undefined) return this.notFound();
    const bytes = this.#uploads.get(id);
    if (method === 'HEAD') {
      return {
        kind: 'sync',
        handle: () =>
          bytes
            ? {
                status: 200,
                headers: { ...RESUMABLE, 'Upload-Offset': String(bytes.length), 'Upload-Length': String(bytes.data.length), 'Cache-Control': 'no-store' },
              }
            : gone(),
      };
    }
    if (method === 'PATCH') return { kind: 'data', data: true, handle: (sent, cut) => (bytes ? patch(bytes, sent, cut) : gone()) };
    if (method === 'DELETE') return { kind: 'abort', handle: () => (this.#uploads.delete(id) ? { status: 204, headers: RESUMABLE } : gone()) };
    return this.notFound();
  }

  #create(request: FakeRequest): FakeAnswer {
    const length = request.header('Upload-Length') ?? '';
    if (request.header('Tus-Resumable') !== '1.0.0' || !/^\d+$/.test(length)) return { status: 400, headers: RESUMABLE };
    const id = newId();
    const bytes = new Bytes(Number(length));
    this.#uploads.set(id, bytes);
    this.#latest = bytes;
    return { status: 201, headers: { ...RESUMABLE, Location: `${this.endpoint}${id}` } };
  }
}

function patch(bytes: Bytes, request: FakeRequest, cut: boolean): FakeAnswer {
  if (request.header('Content-Type') !== 'application/offset+octet-stream') return { status: 415, headers: RESUMABLE };
  if (request.header('Upload-Offset') !== String(bytes.length)) return { status: 409, headers: RESUMABLE };
  const room = bytes.data.length - bytes.length;
  if (request.bytes.length > room) return { status: 413, headers: RESUMABLE };
  const checksum = request.header('Upload-Checksum');
  if (cut) {
    if (checksum === undefined) bytes.append(request.bytes);
    return { status: 0 };
  }
  if (checksum !== undefined && checksum !== `md5 ${md5Base64(request.bytes)}`) return { status: 460, headers: RESUMABLE };
  bytes.append(request.bytes);
  return { status: 204, headers: { ...RESUMABLE, 'Upload-Offset': String(bytes.length) } };
}

function gone(): FakeAnswer {
  return { status: 404, headers: RESUMABLE };
}
