/**
 * Tests of the phased asset API (demo/server/phased*.ts) through HTTP,
 * in-process, with a real webhook receiver.
 *
 * Run: node --test --import tsx test/node/phased/phased.test.ts
 *
 * Every app and receiver listens on 127.0.0.1 port 0 and is closed in
 * `after`; every request and every poll has a time limit.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { App } from '../../../demo/server/app.js';
import { errorOf, fetchWithToken, harness, json, REQUEST_TIMEOUT_MS } from '../support.js';
import type { Json } from '../support.js';

const T = { timeout: 10_000 };
const CHUNK = 1000;
const FULL = 'full-token';
const LIMITED = 'assets-token';
const SECRET = 'webhook-secret';
const ID = /^[0-9a-f]{32}$/;

const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');

const servers: Server[] = [];

const apps = harness('asset-uploader-phased-', {
  closeGraceMs: 500,
  apiTokens: new Map([
    [FULL, new Set(['assets', 'assets_publish', 'assets_delete'])],
    [LIMITED, new Set(['assets'])],
  ]),
  phasedChunkSize: CHUNK,
});
const start = apps.start;

after(async () => {
  await apps.stopApps();
  await Promise.allSettled(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  await apps.removeTempDirs();
});

// ---------------------------------------------------------------------------
// Requests

function call(base: string, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  return fetchWithToken(`${base}${path}`, init, FULL);
}

function postJson(base: string, path: string, body: unknown, token: string = FULL): Promise<Response> {
  return call(base, path, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function startUpload(base: string, size: number | string, extra: Json = {}): Promise<Json> {
  return json(await postJson(base, '/phased/assets', { upload_phase: 'start', file_size: size, ...extra }), 201);
}

/** A Blob of a copy of `bytes` (fetch's types want a plain ArrayBuffer behind it). */
function blob(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  return new Blob([new Uint8Array(bytes)], { type });
}

function transfer(base: string, id: string, startOffset: number, chunk: Uint8Array, token: string = FULL): Promise<Response> {
  const form = new FormData();
  form.append('upload_phase', 'transfer');
  form.append('start_offset', String(startOffset));
  form.append('file_chunk', blob(chunk), 'chunk.bin');
  return call(base, `/phased/assets/${id}/multipart`, { method: 'POST', token, body: form });
}

function finish(base: string, id: string, token: string = FULL): Promise<Response> {
  return postJson(base, `/phased/assets/${id}/multipart`, { upload_phase: 'finish' }, token);
}

/** Sends every window the server asks for until it has all of `data`. */
async function transferAll(base: string, id: string, data: Uint8Array, window: Json): Promise<Json> {
  let current = window;
  for (let guard = 0; guard < 100 && current['start_offset'] !== current['end_offset']; guard += 1) {
    const from = current['start_offset'] as number;
    const to = current['end_offset'] as number;
    current = await json(await transfer(base, id, from, data.subarray(from, to)), 200);
    assert.equal(current['upload_phase'], 'transfer');
  }
  assert.equal(current['start_offset'], data.length);
  assert.equal(current['end_offset'], data.length);
  return current;
}

async function getAsset(base: string, id: string): Promise<Json> {
  return json(await call(base, `/phased/assets/${id}`), 200);
}

/** Polls the asset until it is ready (at most 3 s). */
async function waitReady(base: string, id: string): Promise<Json> {
  const deadline = Date.now() + 3_000;
  for (;;) {
    const asset = await getAsset(base, id);
    if (asset['status'] === 'ready') return asset;
    assert.equal(asset['status'], 'processing');
    assert.ok(Date.now() < deadline, 'processing ends within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function download(url: string): Promise<{ response: Response; bytes: Buffer }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function binSize(dataDir: string, id: string): Promise<number> {
  return (await stat(join(dataDir, 'phased', `${id}.bin`))).size;
}

/** A small "MP4": an ftyp box at the start, then noise. */
function fakeMp4(size: number): Buffer {
  const data = randomBytes(size);
  data.writeUInt32BE(24, 0);
  data.write('ftypisom', 4, 'latin1');
  return data;
}

// ---------------------------------------------------------------------------
// Webhook receiver

interface Delivery {
  readonly body: string;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
  readonly status: number;
}

interface Receiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Answer 500 to this many next deliveries. */
  failNext: number;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', deliveries: [], failNext: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = receiver.failNext > 0 ? 500 : 204;
      if (status === 500) receiver.failNext -= 1;
      const signature = req.headers['x-webhook-signature'];
      receiver.deliveries.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof signature === 'string' ? signature : undefined,
        contentType: req.headers['content-type'],
        status,
      });
      res.statusCode = status;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` });
}

/** Accepted deliveries about one asset, parsed, in arrival order. */
function eventsFor(receiver: Receiver, id: string): Json[] {
  return receiver.deliveries
    .filter((delivery) => delivery.status < 300)
    .map((delivery) => JSON.parse(delivery.body) as Json)
    .filter((event) => (event['asset'] as Json)['id'] === id);
}

// ---------------------------------------------------------------------------

describe('phased API', () => {
  let base = '';
  let dataDir = '';
  let app: App;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    ({ app, base, dataDir } = await start({ webhookUrl: receiver.url, webhookSecret: SECRET }));
  });

  describe('auth', () => {
    it('answers 401 with WWW-Authenticate without a token or with an unknown one', T, async () => {
      for (const token of [null, 'wrong-token']) {
        const response = await call(base, '/phased/assets', { token });
        await errorOf(response, 401, 'unauthorized');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer\b/);
      }
      const malformed = await fetch(`${base}/phased/assets`, {
        headers: { Authorization: 'Basic Zm9vOmJhcg==' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await errorOf(malformed, 401, 'unauthorized');
    });

    it('answers 403 naming the scope when the token lacks it', T, async () => {
      const created = await startUpload(base, 0);
      const id = created['id'] as string;

      const finishing = await errorOf(await finish(base, id, LIMITED), 403, 'insufficient_scope');
      assert.match((finishing['error'] as Json)['message'] as string, /assets_publish/);

      const form = new FormData();
      form.append('upload_phase', 'finish');
      await errorOf(await call(base, `/phased/assets/${id}/multipart`, { method: 'POST', token: LIMITED, body: form }), 403, 'insufficient_scope');

      const deleting = await errorOf(await call(base, `/phased/assets/${id}`, { method: 'DELETE', token: LIMITED }), 403, 'insufficient_scope');
      assert.match((deleting['error'] as Json)['message'] as string, /assets_delete/);

      // The limited token can still read and write with "assets".
      assert.equal((await getAsset(base, id))['status'], 'uploading');
      assert.equal((await json(await call(base, `/phased/assets/${id}`, { token: LIMITED }), 200))['id'], id);
    });

    it('lets the CORS layer answer preflights without a token', T, async () => {
      const response = await fetch(`${base}/phased/assets`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://example.test',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization',
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      assert.equal(response.status, 204);
      assert.match(response.headers.get('access-control-allow-headers') ?? '', /Authorization/);
      assert.match(response.headers.get('access-control-allow-methods') ?? '', /PUT/);
    });
  });

  describe('one-request upload (source)', () => {
    it('stores the file, answers 201 with its md5, and serves identical bytes', T, async () => {
      const data = randomBytes(4321);
      const form = new FormData();
      form.append('label', 'Holiday');
      form.append('source', blob(data, 'image/png'), 'photo été.png');
      const asset = await json(await call(base, '/phased/assets', { method: 'POST', body: form }), 201);
      assert.match(asset['id'] as string, ID);
      assert.equal(asset['name'], 'photo été.png');
      assert.equal(asset['label'], 'Holiday');
      assert.equal(asset['size'], data.length);
      assert.equal(asset['content_type'], 'image/png');
      assert.equal(asset['kind'], 'image');
      assert.equal(asset['status'], 'ready');
      assert.equal(asset['md5'], md5Hex(data));
      assert.equal(asset['url'], `${base}/phased/files/${asset['id'] as string}`);

      const { response, bytes } = await download(asset['url'] as string);
      assert.equal(response.status, 200);
      assert.ok(bytes.equals(data));
      assert.equal(response.headers.get('content-length'), String(data.length));
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('content-disposition'), `attachment; filename="photo _t_.png"; filename*=UTF-8''photo%20%C3%A9t%C3%A9.png`);
    });

    it('refuses a form without a source and a bad file name', T, async () => {
      const empty = new FormData();
      empty.append('label', 'nothing');
      await errorOf(await call(base, '/phased/assets', { method: 'POST', body: empty }), 400, 'missing_file');

      const bad = new FormData();
      bad.append('source', blob(randomBytes(10)), '..');
      await errorOf(await call(base, '/phased/assets', { method: 'POST', body: bad }), 400, 'bad_file_name');
    });
  });

  describe('phased upload', () => {
    it("takes the seed's own start example (a label and file_size as a string): a video upload session", T, async () => {
      const started = await startUpload(base, '8308859', { label: 'Video' });
      const asset = await getAsset(base, started['id'] as string);
      assert.deepEqual([asset['kind'], asset['label'], asset['name'], asset['size'], asset['upload_phase']], ['video', 'Video', 'untitled', 8308859, 'start']);
      const typed = await getAsset(base, (await startUpload(base, '10', { content_type: 'application/pdf' }))['id'] as string);
      assert.equal(typed['kind'], 'document', 'a content type, when given, decides');
    });

    it('hands out windows, refuses wrong offsets, lengths and orders, survives a disconnect, and finishes', T, async () => {
      const data = fakeMp4(2500); // not a multiple of the chunk size
      const started = await startUpload(base, String(data.length), { label: 'Video', file_name: 'clip.mp4', content_type: 'video/mp4' });
      const id = started['id'] as string;
      assert.match(id, ID);
      assert.deepEqual(started, { id, upload_phase: 'start', start_offset: 0, end_offset: CHUNK });

      let asset = await getAsset(base, id);
      assert.equal(asset['status'], 'uploading');
      assert.equal(asset['kind'], 'video');
      assert.equal(asset['upload_phase'], 'start');
      assert.equal(asset['url'], undefined);

      // Chunk 1: [0, 1000).
      const first = await json(await transfer(base, id, 0, data.subarray(0, CHUNK)), 200);
      assert.deepEqual(first, { id, upload_phase: 'transfer', start_offset: 1000, end_offset: 2000 });

      // Resending chunk 1: 409 with the window to continue from; nothing kept.
      const mismatch = await errorOf(await transfer(base, id, 0, data.subarray(0, CHUNK)), 409, 'offset_mismatch');
      assert.equal(mismatch['start_offset'], 1000);
      assert.equal(mismatch['end_offset'], 2000);
      assert.equal(await binSize(dataDir, id), 1000);

      // A chunk one byte short, then one byte long: 400, nothing kept.
      for (const length of [CHUNK - 1, CHUNK + 1]) {
        const wrong = await errorOf(await transfer(base, id, 1000, data.subarray(1000, 1000 + length)), 400, 'chunk_size_mismatch');
        assert.equal(wrong['start_offset'], 1000);
        assert.equal(wrong['end_offset'], 2000);
        assert.equal(await binSize(dataDir, id), 1000);
      }

      // The file part before the fields: 400.
      const outOfOrder = new FormData();
      outOfOrder.append('file_chunk', blob(data.subarray(1000, 2000)), 'chunk.bin');
      outOfOrder.append('upload_phase', 'transfer');
      outOfOrder.append('start_offset', '1000');
      await errorOf(await call(base, `/phased/assets/${id}/multipart`, { method: 'POST', body: outOfOrder }), 400, 'fields_out_of_order');

      // Finishing early: 409 incomplete with the window.
      const early = await errorOf(await finish(base, id), 409, 'incomplete');
      assert.equal(early['start_offset'], 1000);

      // A client that goes away in the middle of chunk 2.
      await disconnectMidChunk(base, id, 1000, data.subarray(1000, 2000), async () => {
        // The first half really is streamed to the data file before the drop.
        const deadline = Date.now() + 2_000;
        while ((await binSize(dataDir, id)) !== 1500) {
          assert.ok(Date.now() < deadline, 'the first half of the chunk reaches the data file');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      });
      const deadline = Date.now() + 2_000;
      while ((await binSize(dataDir, id)) !== 1000) {
        assert.ok(Date.now() < deadline, 'the partial chunk is removed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      // GET shows the window to resume from.
      asset = await getAsset(base, id);
      assert.equal(asset['upload_phase'], 'transfer');
      assert.equal(asset['start_offset'], 1000);
      assert.equal(asset['end_offset'], 2000);

      await transferAll(base, id, data, asset);
      asset = await getAsset(base, id);
      assert.deepEqual([asset['start_offset'], asset['end_offset']], [2500, 2500]);

      // Finish: processing, then ready with the whole file's md5 and the container.
      const finished = await json(await finish(base, id), 200);
      assert.equal(finished['status'], 'processing');
      assert.equal(finished['url'], undefined);
      const ready = await waitReady(base, id);
      assert.equal(ready['md5'], md5Hex(data));
      assert.equal(ready['container'], 'mp4');
      assert.equal(ready['upload_phase'], undefined);
      await errorOf(await finish(base, id), 409, 'already_finished');
      await errorOf(await transfer(base, id, 2500, new Uint8Array(0)), 409, 'already_finished');

      const { bytes } = await download(ready['url'] as string);
      assert.ok(bytes.equals(data));
    });

    it('starts a 0-byte upload with an empty window, and records an unknown container', T, async () => {
      const started = await startUpload(base, 0, { content_type: 'video/webm' });
      assert.equal(started['start_offset'], 0);
      assert.equal(started['end_offset'], 0);
      const id = started['id'] as string;
      assert.equal((await json(await finish(base, id), 200))['status'], 'processing');
      const ready = await waitReady(base, id);
      assert.equal(ready['md5'], 'd41d8cd98f00b204e9800998ecf8427e');
      assert.equal(ready['container'], 'unknown');
      assert.equal((await download(ready['url'] as string)).bytes.length, 0);
    });

    it('refuses bad start requests', T, async () => {
      await errorOf(await postJson(base, '/phased/assets', { upload_phase: 'start', file_size: -1 }), 400, 'bad_file_size');
      await errorOf(await postJson(base, '/phased/assets', { upload_phase: 'start', file_size: '1e3' }), 400, 'bad_file_size');
      await errorOf(await postJson(base, '/phased/assets', { upload_phase: 'begin', file_size: 1 }), 400, 'bad_upload_phase');
      await errorOf(await postJson(base, '/phased/assets', { upload_phase: 'start', file_size: 1, file_name: 'a/b' }), 400, 'bad_file_name');
    });
  });

  describe('update, delete, list', () => {
    it('renames with PUT and refuses a bad name or label', T, async () => {
      const id = (await startUpload(base, 10, { file_name: 'old.bin' }))['id'] as string;
      const put = (body: unknown): Promise<Response> =>
        call(base, `/phased/assets/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const renamed = await json(await put({ name: 'new name.bin', label: 'Fresh' }), 200);
      assert.equal(renamed['name'], 'new name.bin');
      assert.equal(renamed['label'], 'Fresh');
      assert.equal((await getAsset(base, id))['name'], 'new name.bin');
      await errorOf(await put({ name: 'a/b' }), 400, 'bad_file_name');
      await errorOf(await put({ name: '' }), 400, 'bad_file_name');
      await errorOf(await put({ label: 'x'.repeat(201) }), 400, 'bad_label');
      await errorOf(await put({ label: 5 }), 400, 'bad_label');
      assert.equal((await getAsset(base, id))['name'], 'new name.bin');
    });

    it('deletes with 204, after which the asset is gone', T, async () => {
      const form = new FormData();
      form.append('source', blob(randomBytes(100)), 'gone.bin');
      const asset = await json(await call(base, '/phased/assets', { method: 'POST', body: form }), 201);
      const id = asset['id'] as string;
      const response = await call(base, `/phased/assets/${id}`, { method: 'DELETE' });
      assert.equal(response.status, 204);
      await errorOf(await call(base, `/phased/assets/${id}`), 404, 'not_found');
      await errorOf(await call(base, `/phased/assets/${id}`, { method: 'DELETE' }), 404, 'not_found');
      assert.equal((await download(asset['url'] as string)).response.status, 404);
    });

    it('lists newest first with limit and offset', T, async () => {
      const fresh = await start();
      const ids: string[] = [];
      for (const label of ['a', 'b', 'c']) ids.push((await startUpload(fresh.base, 5, { label }))['id'] as string);
      const page = async (query: string): Promise<Json> => json(await call(fresh.base, `/phased/assets${query}`), 200);

      const first = await page('?limit=2');
      assert.deepEqual(
        (first['data'] as Json[]).map((asset) => asset['id']),
        [ids[2], ids[1]],
      );
      assert.deepEqual(first['meta'], { total: 3, limit: 2, offset: 0 });
      const second = await page('?limit=2&offset=2');
      assert.deepEqual(
        (second['data'] as Json[]).map((asset) => asset['id']),
        [ids[0]],
      );
      assert.deepEqual(second['meta'], { total: 3, limit: 2, offset: 2 });
      assert.deepEqual((await page(''))['meta'], { total: 3, limit: 20, offset: 0 });
      for (const query of ['?limit=0', '?limit=101', '?offset=-1', '?limit=x']) {
        await errorOf(await call(fresh.base, `/phased/assets${query}`), 400, 'bad_query');
      }
    });
  });

  describe('durability', () => {
    it('keeps acknowledged chunks across a restart', T, async () => {
      const first = await start();
      const data = randomBytes(2500);
      const id = (await startUpload(first.base, data.length, { file_name: 'restart.bin' }))['id'] as string;
      await json(await transfer(first.base, id, 0, data.subarray(0, 1000)), 200);
      await json(await transfer(first.base, id, 1000, data.subarray(1000, 2000)), 200);
      await first.app.close();

      const second = await start({ dataDir: first.dataDir });
      const asset = await getAsset(second.base, id);
      assert.equal(asset['status'], 'uploading');
      assert.equal(asset['start_offset'], 2000);
      assert.equal(asset['end_offset'], 2500);
      await transferAll(second.base, id, data, asset);
      await json(await finish(second.base, id), 200);
      const ready = await waitReady(second.base, id);
      assert.equal(ready['md5'], md5Hex(data));
      assert.ok((await download(ready['url'] as string)).bytes.equals(data));
    });
  });

  describe('webhooks', () => {
    it('delivers created, changed and deleted in order, signed', T, async () => {
      const data = randomBytes(1500);
      const id = (await startUpload(base, data.length, { label: 'hooked' }))['id'] as string;
      await transferAll(base, id, data, { start_offset: 0, end_offset: CHUNK });
      await json(await finish(base, id), 200);
      await waitReady(base, id);
      assert.equal((await call(base, `/phased/assets/${id}`, { method: 'DELETE' })).status, 204);
      await app.webhooksIdle();

      const deliveries = receiver.deliveries.filter((delivery) => delivery.body.includes(id));
      const events = eventsFor(receiver, id);
      assert.deepEqual(
        events.map((event) => event['event']),
        ['asset.created', 'asset.changed', 'asset.deleted'],
      );
      assert.deepEqual(
        events.map((event) => (event['asset'] as Json)['status']),
        ['uploading', 'ready', 'ready'],
      );
      assert.equal((events[1]?.['asset'] as Json | undefined)?.['md5'], md5Hex(data));
      for (const event of events) {
        assert.match(event['id'] as string, /^[0-9a-f]{32}$/);
        assert.ok(!Number.isNaN(Date.parse(event['occurred_at'] as string)));
      }
      for (const delivery of deliveries) {
        assert.match(delivery.contentType ?? '', /^application\/json/);
        assert.equal(delivery.signature, `sha256=${createHmac('sha256', SECRET).update(delivery.body).digest('hex')}`);
      }
    });

    it('delivers an event again after a 500', T, async () => {
      receiver.failNext = 1;
      const form = new FormData();
      form.append('source', blob(randomBytes(50)), 'retry.bin');
      const id = (await json(await call(base, '/phased/assets', { method: 'POST', body: form }), 201))['id'] as string;
      await app.webhooksIdle();
      const attempts = receiver.deliveries.filter((delivery) => delivery.body.includes(id));
      assert.deepEqual(
        attempts.map((delivery) => delivery.status),
        [500, 204],
      );
      assert.equal(attempts[0]?.body, attempts[1]?.body, 'the same event, with the same id');
      assert.equal((JSON.parse(attempts[1]?.body ?? '{}') as Json)['event'], 'asset.created');
    });
  });
});

/** Sends the fields and half of a chunk, waits for `beforeDrop`, then drops the connection. */
async function disconnectMidChunk(base: string, id: string, startOffset: number, chunk: Uint8Array, beforeDrop: () => Promise<void>): Promise<void> {
  const boundary = `----phased${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="upload_phase"\r\n\r\ntransfer\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="start_offset"\r\n\r\n${startOffset}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file_chunk"; filename="chunk.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(`${base}/phased/assets/${id}/multipart`);
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        Authorization: `Bearer ${FULL}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(head.length + chunk.length + tail.length),
      },
    });
    req.on('error', () => {}); // expected: we destroy it
    req.on('response', () => reject(new Error('the server answered a request that was never complete')));
    req.write(Buffer.concat([head, chunk.subarray(0, chunk.length / 2)]));
    beforeDrop().then(
      () => {
        req.destroy();
        resolve();
      },
      (err: unknown) => {
        req.destroy();
        reject(err);
      },
    );
  });
}
