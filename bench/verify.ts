/**
 * Every upload is checked where it was stored before it counts, then removed, so disk use
 * stays at about one file: content-range (the record, the stored size, the server's MD5
 * against Node's), signed-parts (the parts on disk read back in order, or the object read
 * back from RGW, hashed), tus (the file store's bytes, hashed). "Byte-identical" here means
 * the same size and the same MD5 as Node computed when it wrote the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { opTimeout, PART_SIZE, TUS_ENDPOINT } from './config.js';
import type { BenchFile } from './files.js';
import { check, withTimeout } from './processes.js';
import type { ObjectStore, Server } from './servers.js';

interface StoredRecord {
  id: string;
  size: number;
  offset: number;
  complete: boolean;
  md5?: string;
}

export async function verifyAndDelete(server: Server, file: BenchFile, id: string, answered: { size?: number; md5?: string }, what: string): Promise<void> {
  check(typeof id === 'string' && /^[0-9a-f]{32}$/.test(id), `${what}: the answer has no upload id (${String(id)})`);
  check(answered.size === file.size, `${what}: the completion JSON says size ${answered.size}, the file has ${file.size}`);
  check(answered.md5 === file.md5, `${what}: the server's MD5 ${answered.md5} differs from the file's ${file.md5}`);
  const dir = join(server.dataDir, 'content-range');
  const record = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as StoredRecord;
  check(
    record.complete && record.offset === file.size && record.size === file.size,
    `${what}: the stored record is not a complete ${file.size}-byte upload: ${JSON.stringify(record)}`,
  );
  check(record.md5 === file.md5, `${what}: the stored record's MD5 ${record.md5} differs from the file's ${file.md5}`);
  const stored = await stat(join(dir, `${id}.bin`));
  check(stored.size === file.size, `${what}: ${stored.size} bytes stored, ${file.size} expected`);
  const response = await withTimeout(fetch(`${server.origin}/content-range/uploads/${id}`, { method: 'DELETE' }), 30_000, 'DELETE');
  check(response.status === 200, `${what}: DELETE answered ${response.status}`);
  const gone = await stat(join(dir, `${id}.bin`)).then(
    () => false,
    () => true,
  );
  check(gone, `${what}: the stored bytes are still there after DELETE`);
}

/** What the element's `upload-success` event carried: `raw` is the server's finishing answer. */
export interface SuccessAsset {
  readonly id: string;
  readonly size?: number;
  readonly md5?: string;
  readonly raw?: Record<string, unknown>;
}

/** The parts of a signed-parts upload record (demo/server/signed-parts/store.ts), as far as checked here. */
interface SignedPartsRecord {
  id: string;
  state: string;
  file_size: number;
  parts: Array<{ part_number: number; size: number; md5: string }>;
  md5?: string;
  etag?: string;
  s3_upload_id?: string;
}

export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** MD5 and length of a stream, read chunk by chunk (never the whole file in memory). */
export async function md5Of(stream: AsyncIterable<Uint8Array>): Promise<{ md5: string; bytes: number }> {
  const hash = createHash('md5');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { md5: hash.digest('hex'), bytes };
}

/** An S3 multipart object's ETag: the MD5 of the parts' binary MD5s, then "-" and the number of parts. */
export function multipartEtag(partMd5: string[]): string {
  return `${createHash('md5')
    .update(Buffer.concat(partMd5.map((hex) => Buffer.from(hex, 'hex'))))
    .digest('hex')}-${partMd5.length}`;
}

/**
 * Node's MD5 of each part of `file` cut at `sizes` (the element picks its part size): the
 * ones computed when the file was written when the cuts are the 8 MiB ones, else read back.
 */
async function partMd5sOf(file: BenchFile, sizes: number[]): Promise<string[]> {
  const eightMiB = sizes.length === file.partMd5.length && sizes.every((size, i) => size === Math.min(PART_SIZE, file.size - i * PART_SIZE));
  if (eightMiB) return file.partMd5;
  const md5s: string[] = [];
  let start = 0;
  for (const size of sizes) {
    md5s.push((await md5Of(createReadStream(file.path, { start, end: start + size - 1 }))).md5);
    start += size;
  }
  return md5s;
}

/**
 * Checks the finishing answer of /signed-parts (demo/server/signed-parts/routes.ts, `finish`) and the
 * server's record, which it returns with Node's MD5 of each of its parts.
 */
async function checkSignedPartsAnswer(
  dataDir: string,
  file: BenchFile,
  asset: SuccessAsset,
  bucket: string,
  what: string,
): Promise<SignedPartsRecord & { expectedMd5: string[] }> {
  const { id } = asset;
  check(typeof id === 'string' && /^[0-9a-f]{32}$/.test(id), `${what}: the answer has no upload id (${String(id)})`);
  check(asset.size === file.size, `${what}: the finishing answer says size ${asset.size}, the file has ${file.size}`);
  const raw = asset.raw ?? {};
  check(
    raw['state'] === 'finished' && raw['file_size'] === file.size,
    `${what}: the finishing answer is not a finished ${file.size}-byte upload: ${JSON.stringify(raw)}`,
  );
  check(raw['bucket'] === bucket, `${what}: the answer names bucket ${String(raw['bucket'])}, not ${bucket}`);
  check(raw['object_key'] === `signed-parts/${id}`, `${what}: the answer names object key ${String(raw['object_key'])}`);
  check(typeof raw['etag'] === 'string' && raw['etag'] !== '', `${what}: the answer has no etag`);
  const record = JSON.parse(await readFile(join(dataDir, 'signed-parts', `${id}.json`), 'utf8')) as SignedPartsRecord;
  check(
    record.id === id && record.state === 'finished' && record.file_size === file.size,
    `${what}: the server's record is not a finished ${file.size}-byte upload: ${JSON.stringify({ ...record, parts: record.parts.length })}`,
  );
  const sizes = record.parts.map((p) => p.size);
  check(
    record.parts.every((p, i) => p.part_number === i + 1) && sizes.reduce((a, b) => a + b, 0) === file.size,
    `${what}: the record's parts are not numbered 1..${record.parts.length} covering ${file.size} bytes: ${JSON.stringify(record.parts.map((p) => [p.part_number, p.size]))}`,
  );
  const expectedMd5 = await withTimeout(partMd5sOf(file, sizes), opTimeout(file.size), `${what}: the parts' MD5s in Node`);
  check(
    JSON.stringify(record.parts.map((p) => p.md5)) === JSON.stringify(expectedMd5),
    `${what}: the record's ${record.parts.length} part MD5s differ from the ones computed in Node`,
  );
  if (bucket !== 'embedded') check(!(await exists(join(dataDir, 'signed-parts', id))), `${what}: an empty part folder is still there after finishing`);
  return { ...record, expectedMd5 };
}

/** sp-embedded: the object (its parts in DATA_DIR/signed-parts/<id>/, read in order) hashed as one stream; then the upload's files are removed. */
export async function verifyAndDeleteEmbedded(server: Server, file: BenchFile, asset: SuccessAsset, what: string): Promise<void> {
  const record = await checkSignedPartsAnswer(server.dataDir, file, asset, 'embedded', what);
  const etag = multipartEtag(record.expectedMd5);
  check(
    asset.raw?.['etag'] === etag && record.etag === etag,
    `${what}: the ETag ${String(asset.raw?.['etag'])} (record ${String(record.etag)}) is not the multipart ETag ${etag} of the parts`,
  );
  const dir = join(server.dataDir, 'signed-parts');
  const partsDir = join(dir, record.id);
  const numbers = record.parts.map((p) => p.part_number);
  const object = Readable.from(
    (async function* () {
      for (const number of numbers) yield* createReadStream(join(partsDir, `${number}.part`));
    })(),
  );
  const read = await withTimeout(md5Of(object), opTimeout(file.size), `${what}: reading the stored parts back`);
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the stored parts hold ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  // The API has no DELETE: the record first (as the server's own remove does), then the bytes.
  await rm(join(dir, `${record.id}.json`));
  await rm(partsDir, { recursive: true });
  check(!(await exists(partsDir)), `${what}: the stored parts are still there after removing them`);
}

/**
 * tus (tus-js-client and the element): `@tus/file-store` keeps `DATA_DIR/tus/<id>` (the bytes)
 * and `<id>.json` (the declared size); the bytes are hashed and compared with Node's MD5,
 * then the upload is terminated with a tus `DELETE` and both files must be gone.
 */
export async function verifyAndDeleteTus(server: Server, file: BenchFile, url: string, what: string): Promise<void> {
  const id = decodeURIComponent(new URL(url, server.origin).pathname.split('/').filter(Boolean).pop() ?? '');
  check(/^[0-9a-f]{32}$/.test(id), `${what}: the upload URL ${url} ends in no tus upload id`);
  check(new URL(url, server.origin).pathname === `${TUS_ENDPOINT}/${id}`, `${what}: the upload URL ${url} is not under ${TUS_ENDPOINT}`);
  const dir = join(server.dataDir, 'tus');
  const info = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { size?: number };
  check(info.size === file.size, `${what}: the tus record declares ${String(info.size)} bytes, the file has ${file.size}`);
  const stored = await stat(join(dir, id));
  check(stored.size === file.size, `${what}: ${stored.size} bytes stored, ${file.size} expected`);
  const read = await withTimeout(md5Of(createReadStream(join(dir, id))), opTimeout(file.size), `${what}: reading the stored file back`);
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the stored file holds ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  const response = await withTimeout(
    fetch(`${server.origin}${TUS_ENDPOINT}/${id}`, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } }),
    30_000,
    'tus DELETE',
  );
  check(response.status === 204, `${what}: tus DELETE answered ${response.status}`);
  check(!(await exists(join(dir, id))) && !(await exists(join(dir, `${id}.json`))), `${what}: the stored upload is still there after DELETE`);
}

const isNotFound = (err: unknown): boolean => err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404;

/** sp-s3: the object read back from RGW (GetObject, hashed as it streams), then DeleteObject; the server's record is removed too. */
export async function verifyAndDeleteS3(store: ObjectStore, file: BenchFile, asset: SuccessAsset, what: string): Promise<void> {
  const { rgw, client } = store;
  const record = await checkSignedPartsAnswer(store.server.dataDir, file, asset, rgw.bucket, what);
  const etag = multipartEtag(record.expectedMd5);
  check(
    asset.raw?.['etag'] === etag && record.etag === etag,
    `${what}: the object's ETag ${String(asset.raw?.['etag'])} is not ${etag}, the one of the file's parts`,
  );
  check(typeof record.s3_upload_id === 'string', `${what}: the record has no S3 UploadId`);
  const Key = `signed-parts/${record.id}`;
  const read = await withTimeout(
    (async () => {
      const got = await client.send(new GetObjectCommand({ Bucket: rgw.bucket, Key }));
      check(got.ContentLength === file.size, `${what}: GetObject answers ${got.ContentLength} bytes, ${file.size} expected`);
      check((got.ETag ?? '').replace(/"/g, '') === etag, `${what}: GetObject answers ETag ${got.ETag}, not ${etag}`);
      return md5Of(got.Body as AsyncIterable<Uint8Array>);
    })(),
    opTimeout(file.size),
    `${what}: GetObject`,
  );
  check(read.bytes === file.size && read.md5 === file.md5, `${what}: the object has ${read.bytes} bytes with MD5 ${read.md5}, not ${file.md5}`);
  await withTimeout(client.send(new DeleteObjectCommand({ Bucket: rgw.bucket, Key })), 30_000, `${what}: DeleteObject`);
  const gone = await withTimeout(
    client.send(new HeadObjectCommand({ Bucket: rgw.bucket, Key })).then(
      () => false,
      (err: unknown) => {
        if (isNotFound(err)) return true;
        throw err;
      },
    ),
    30_000,
    `${what}: HeadObject`,
  );
  check(gone, `${what}: the object is still there after DeleteObject`);
  await rm(join(store.server.dataDir, 'signed-parts', `${record.id}.json`));
}
