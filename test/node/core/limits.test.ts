/**
 * Limits (issue 9, defect 9): open uploads per client and in all, bytes reserved,
 * the sweeper of abandoned uploads, the header time limit, and a refused large body
 * whose 413 still reaches the client.
 *
 * Run: node --test --import tsx test/node/core/limits.test.ts
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';
import { TOKENS } from '../support-uploads.js';

const T = { timeout: 30_000 };
const apps = harness('asset-uploader-limits-', { closeGraceMs: 500, apiTokens: TOKENS });

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

function call(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

const createCr = (base: string, size: number): Promise<Response> =>
  call(`${base}/content-range/videos/upload.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ file_size: size, file_name: 'a.bin' }),
  });
const createTus = (base: string, size: number, store = 'tus'): Promise<Response> =>
  call(`${base}/${store}/files`, { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(size) } });

describe('limits', () => {
  it('refuses more open uploads per client than allowed with 429 and Retry-After, in each API shape, and frees a slot on completion', T, async () => {
    const { base } = await apps.start({ limits: { maxOpenPerClient: 3 } });
    const first = (await (await createCr(base, 1)).json()) as { location: string };
    assert.equal((await createCr(base, 1)).status, 201);
    assert.equal((await createTus(base, 1)).status, 201);
    const refused = await createCr(base, 1);
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'too_many_uploads');
    const tusRefused = await createTus(base, 1, 'tus-md5');
    assert.equal(tusRefused.status, 429);
    assert.match(tusRefused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(tusRefused.headers.get('tus-resumable'), '1.0.0');
    await tusRefused.body?.cancel();
    // Completing one frees its slot.
    assert.equal((await call(first.location, { method: 'PUT', body: 'x' })).status, 200);
    assert.equal((await createCr(base, 1)).status, 201);
  });

  it(
    'counts concurrent creations exactly: 12 at once against a cap of 3 open 3 (content-range and tus alike), and failed ones free nothing they did not take',
    T,
    async () => {
      for (const [label, create] of [
        ['content-range', (base: string) => createCr(base, 10)],
        ['tus', (base: string) => createTus(base, 10)],
        ['tus-md5', (base: string) => createTus(base, 10, 'tus-md5')],
      ] as const) {
        const { base } = await apps.start({ limits: { maxOpenPerClient: 3 } });
        const answers = await Promise.all(Array.from({ length: 12 }, () => create(base)));
        const statuses = answers.map((answer) => answer.status).sort();
        await Promise.all(answers.map((answer) => answer.body?.cancel()));
        assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429, 429, 429, 429, 429, 429, 429], `${label}: ${statuses.join(' ')}`);
        assert.equal((await create(base)).status, 429, `${label}: still full afterwards`);
      }
      // A refused creation (a bad Upload-Length) leaves its claim behind for no one.
      const { base } = await apps.start({ limits: { maxOpenPerClient: 1 } });
      const bad = await call(`${base}/tus/files`, { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': 'lots' } });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      assert.equal((await createTus(base, 10)).status, 201, 'the slot is still free');
      // An upload finished by its creating request (creation-with-upload) frees its slot too.
      for (const store of ['tus', 'tus-md5']) {
        const one = await apps.start({ limits: { maxOpenPerClient: 1 } });
        const whole = await call(`${one.base}/${store}/files`, {
          method: 'POST',
          headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '5', 'Content-Type': 'application/offset+octet-stream' },
          body: 'hello',
        });
        assert.equal(whole.status, 201, store);
        assert.equal(whole.headers.get('upload-offset'), '5', store);
        await whole.body?.cancel();
        assert.equal((await createTus(one.base, 10, store)).status, 201, `${store}: the finished upload's slot is free`);
      }
    },
  );

  // An upload of deferred length (creation-defer-length) declares no size: it was never
  // counted, so one client could open any number of them.
  it('tus: counts uploads of deferred length as open until their length is declared and their bytes are in', T, async () => {
    for (const store of ['tus', 'tus-md5']) {
      const { base } = await apps.start({ limits: { maxOpenPerClient: 2 } });
      const deferred = () => call(`${base}/${store}/files`, { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Defer-Length': '1' } });
      const first = await deferred();
      assert.equal(first.status, 201, store);
      assert.equal((await deferred()).status, 201, store);
      const refused = await deferred();
      assert.equal(refused.status, 429, `${store}: the third is refused`);
      await refused.body?.cancel();
      // Declaring the length with the last bytes finishes the first: its slot is free again.
      const location = new URL(first.headers.get('location') ?? '', base).href;
      const done = await call(location, {
        method: 'PATCH',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Upload-Length': '2', 'Content-Type': 'application/offset+octet-stream' },
        body: 'hi',
      });
      assert.equal(done.status, 204, `${store}: ${await done.text()}`);
      assert.equal((await deferred()).status, 201, `${store}: the finished upload's slot is free`);
    }
  });

  it('refuses past the total and past the bytes reserved (507)', T, async () => {
    const total = await apps.start({ limits: { maxOpenTotal: 2 } });
    assert.equal((await createTus(total.base, 5)).status, 201);
    assert.equal((await createCr(total.base, 5)).status, 201);
    assert.equal((await createCr(total.base, 5)).status, 429);
    const bytes = await apps.start({ limits: { maxReservedBytes: 100 } });
    assert.equal((await createCr(bytes.base, 60)).status, 201);
    const full = await createCr(bytes.base, 60);
    assert.equal(full.status, 507);
    assert.equal(((await full.json()) as { error: { code: string } }).error.code, 'insufficient_storage');
    assert.equal((await createTus(bytes.base, 60)).status, 507);
  });

  it('sweeps abandoned uploads: their records and bytes leave DATA_DIR, finished ones stay', T, async () => {
    const { base, dataDir } = await apps.start({ uploadTtlMs: 50, sweepIntervalMs: 50 });
    const done = (await (await createCr(base, 1)).json()) as { location: string; id: string };
    assert.equal((await call(done.location, { method: 'PUT', body: 'x' })).status, 200);
    const open = (await (await createCr(base, 10)).json()) as { id: string };
    assert.equal((await createTus(base, 10)).status, 201);
    const leftIn = async (dir: string): Promise<string[]> => readdir(join(dataDir, dir)).catch(() => []);
    for (let i = 0; i < 200; i += 1) {
      if ((await leftIn('tus')).length === 0 && !(await leftIn('content-range')).some((f) => f.startsWith(open.id))) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(await leftIn('tus'), []);
    assert.deepEqual((await leftIn('content-range')).sort(), [`${done.id}.bin`, `${done.id}.json`]);
  });

  // The sweep found the upload stale, then waited for its lock behind a part that had
  // been quiet for longer than the TTL; the part then arrived and was acknowledged (204
  // with Range), and the sweep removed the upload at once, acknowledged bytes and all.
  it('content-range: does not sweep an upload whose part was acknowledged while the sweep waited for it', T, async () => {
    const ttl = 1_000;
    const { base } = await apps.start({ uploadTtlMs: ttl, sweepIntervalMs: 100 });
    const data = Buffer.alloc(1_000, 0x61);
    const part = 500;
    const created = (await (await createCr(base, data.length)).json()) as { location: string };
    const path = new URL(created.location).pathname;
    // Head and the first bytes, then quiet past the TTL (the sweep queues behind the part), then the rest.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      const timer = setTimeout(
        () => {
          socket.destroy();
          reject(new Error('the part was not answered within 5 s of its last byte'));
        },
        ttl + 500 + REQUEST_TIMEOUT_MS,
      );
      let text = '';
      socket.on('data', (bytes) => {
        text += bytes.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Range: bytes 0-${part - 1}/${data.length}\r\nContent-Length: ${part}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(data.subarray(0, 10));
      setTimeout(() => socket.write(data.subarray(10, part)), ttl + 500);
    });
    assert.match(answer, /^HTTP\/1\.1 204 /);
    assert.match(answer, /\r\nRange: 0-499\r\n/i);
    // Acknowledged less than a TTL ago: still there, and it goes on from where it was.
    const status = await call(created.location, { method: 'PUT', headers: { 'Content-Range': `bytes */${data.length}` } });
    assert.equal(status.status, 204, await status.text());
    assert.equal(status.headers.get('range'), `0-${part - 1}`);
    const last = await call(created.location, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${part}-${data.length - 1}/${data.length}` },
      body: new Uint8Array(data.subarray(part)),
    });
    const asset = (await last.json()) as { url: string };
    assert.equal(last.status, 200);
    assert.deepEqual(Buffer.from(await (await call(asset.url)).arrayBuffer()), data);
  });

  it('keeps the header time limit at 20 s or less and request bodies without a total limit', T, async () => {
    const { app } = await apps.start();
    assert.ok(app.server.headersTimeout > 0 && app.server.headersTimeout <= 20_000);
    assert.equal(app.server.requestTimeout, 0);
    assert.ok(app.server.timeout > 0, 'idle sockets still time out');
  });

  it('answers a 20 MB JSON body with its 413, not a reset', T, async () => {
    const { base } = await apps.start();
    const url = new URL(`${base}/content-range/videos/upload.json`);
    const status = await new Promise<number | string>((resolve) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(20e6) }, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (err) => resolve(`error: ${err.message}`));
      req.on('timeout', () => req.destroy(new Error('timed out')));
      const chunk = Buffer.alloc(64 * 1024, 32);
      let sent = 0;
      const pump = (): void => {
        while (sent < 20e6) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);
  });
});
