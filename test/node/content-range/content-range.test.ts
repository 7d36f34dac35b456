/**
 * Tests of the reference server (demo/server) through HTTP, in-process.
 *
 * Run: node --test --import tsx test/node/content-range/content-range.test.ts
 *
 * Every app is started on port 0 with a temporary DATA_DIR and closed in
 * `after`; every request has a time limit.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../../demo/server/app.js';
import type { App, AppOptions } from '../../../demo/server/app.js';

const T = { timeout: 15_000 };
const REQUEST_TIMEOUT_MS = 5_000;
const ID = /^[0-9a-f]{32}$/;
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

const md5Hex = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Uint8Array | string): string => createHash('md5').update(data).digest('base64');

interface Running {
  readonly app: App;
  readonly base: string;
}

const started: App[] = [];
const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asset-uploader-server-'));
  tempDirs.push(dir);
  return dir;
}

async function start(options: Partial<AppOptions> & { dataDir: string }): Promise<Running> {
  const app = createApp({ closeGraceMs: 500, ...options });
  started.push(app);
  const { port } = await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${port}` };
}

after(async () => {
  await Promise.allSettled(started.map((app) => app.close()));
  await Promise.allSettled(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function call(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

async function errorCode(response: Response): Promise<string> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof body.error?.message, 'string');
  assert.ok(String(body.error?.message ?? '').length > 10, 'the message is a sentence');
  return String(body.error?.code);
}

async function createUpload(base: string, size: number, name = 'clip.bin'): Promise<{ id: string; location: string }> {
  const response = await call(`${base}/content-range/videos/upload.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ file_size: size, file_name: name }),
  });
  assert.equal(response.status, 201);
  const body = (await response.json()) as { id: string; location: string };
  return body;
}

function putPart(location: string, data: Uint8Array | string, start: number, total: number, headers: Record<string, string> = {}): Promise<Response> {
  const bytes = Buffer.from(data);
  return call(location, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${start}-${start + bytes.length - 1}/${total}`,
      ...headers,
    },
    body: bytes,
  });
}

function statusQuery(location: string, total: number): Promise<Response> {
  return call(location, { method: 'PUT', headers: { 'Content-Range': `bytes */${total}` } });
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A request through node:http, for what fetch will not send (a wrong Content-Length, a Host header, chunks). */
function raw(url: string, options: { method: string; headers?: Record<string, string | number>; chunks?: (Buffer | string)[] }): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function binPath(dataDir: string, id: string): string {
  return join(dataDir, 'content-range', `${id}.bin`);
}

async function waitFor(check: () => Promise<boolean>, what: string, limitMs = 3_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('content-range API', () => {
  let dataDir = '';
  let base = '';

  before(async () => {
    dataDir = await tempDir();
    ({ base } = await start({ dataDir }));
  });

  describe('creating an upload', () => {
    it('accepts JSON and answers 201 with an unguessable id and an absolute location', T, async () => {
      const response = await call(`${base}/content-range/videos/upload.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ file_size: 9, file_name: 'été.mov' }),
      });
      assert.equal(response.status, 201);
      const body = (await response.json()) as { id: string; location: string };
      assert.match(body.id, ID);
      assert.equal(body.location, `${base}/content-range/uploads/${body.id}`);
      assert.equal(response.headers.get('location'), body.location);
    });

    it('accepts a urlencoded form with a numeric string size', T, async () => {
      const response = await call(`${base}/content-range/videos/upload.json`, {
        method: 'POST',
        body: new URLSearchParams({ file_size: '12', file_name: 'form.txt' }),
      });
      assert.equal(response.status, 201);
      const body = (await response.json()) as { id: string; location: string };
      assert.match(body.id, ID);
      const status = await statusQuery(body.location, 12);
      assert.equal(status.status, 204);
    });

    it('builds the location from the Host header the client used', T, async () => {
      const response = await raw(`${base}/content-range/videos/upload.json`, {
        method: 'POST',
        headers: { Host: 'proxy.test:4321', 'Content-Type': 'application/json' },
        chunks: [JSON.stringify({ file_size: 1, file_name: 'a' })],
      });
      assert.equal(response.status, 201);
      const body = JSON.parse(response.body.toString()) as { id: string; location: string };
      assert.equal(body.location, `http://proxy.test:4321/content-range/uploads/${body.id}`);
      assert.equal(response.headers.location, body.location);
    });

    for (const [label, name] of [
      ['empty', ''],
      ['a slash', 'a/b.txt'],
      ['a backslash', 'a\\b.txt'],
      ['a NUL', 'a\u0000b'],
      ['a control character', 'a\u0007b'],
      ['a C1 control character', 'a\u0085b'],
      ['"."', '.'],
      ['".."', '..'],
      ['more than 255 UTF-8 bytes', 'é'.repeat(128)],
      ['a lone surrogate', 'a\ud800b'],
      ['not a string', 42],
    ] as const) {
      it(`refuses a file name that is ${label} with 400 bad_file_name`, T, async () => {
        const response = await call(`${base}/content-range/videos/upload.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ file_size: 3, file_name: name }),
        });
        assert.equal(response.status, 400);
        assert.equal(await errorCode(response), 'bad_file_name');
      });
    }

    it('accepts a 255-byte name', T, async () => {
      const { id } = await createUpload(base, 1, `${'é'.repeat(127)}x`);
      assert.match(id, ID);
    });

    for (const size of [-1, 1.5, '12', null, 2 ** 53]) {
      it(`refuses file_size ${JSON.stringify(size)} in JSON with 400 bad_file_size`, T, async () => {
        const response = await call(`${base}/content-range/videos/upload.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ file_size: size, file_name: 'x' }),
        });
        assert.equal(response.status, 400);
        assert.equal(await errorCode(response), 'bad_file_size');
      });
    }

    it('refuses malformed JSON, other media types and bodies over 64 KiB', T, async () => {
      const url = `${base}/content-range/videos/upload.json`;
      const bad = await call(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
      assert.equal(bad.status, 400);
      assert.equal(await errorCode(bad), 'malformed_body');

      const text = await call(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
      assert.equal(text.status, 415);
      assert.equal(await errorCode(text), 'unsupported_media_type');

      const big = await call(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ file_size: 1, file_name: 'x', padding: 'p'.repeat(70_000) }),
      });
      assert.equal(big.status, 413);
      assert.equal(await errorCode(big), 'body_too_large');
    });

    it('answers 405 with Allow for a wrong method', T, async () => {
      const response = await call(`${base}/content-range/videos/upload.json`);
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
      assert.equal(await errorCode(response), 'method_not_allowed');
    });
  });

  describe('streaming parts', () => {
    it('stores parts in order, reports Range, completes with the asset JSON, and serves the bytes', T, async () => {
      const data = Buffer.from('abcdefghi');
      const { id, location } = await createUpload(base, data.length, 'résumé "final".txt');

      const first = await putPart(location, data.subarray(0, 5), 0, 9, { 'Content-MD5': md5Base64(data.subarray(0, 5)) });
      assert.equal(first.status, 204);
      assert.equal(first.headers.get('range'), '0-4');
      assert.equal(await first.text(), '');

      const second = await putPart(location, data.subarray(5, 7), 5, 9);
      assert.equal(second.status, 204);
      assert.equal(second.headers.get('range'), '0-6');

      const last = await putPart(location, data.subarray(7), 7, 9, { 'Content-MD5': md5Base64(data.subarray(7)) });
      assert.equal(last.status, 200);
      const asset = (await last.json()) as Record<string, unknown>;
      assert.equal(asset['id'], id);
      assert.equal(asset['name'], 'résumé "final".txt');
      assert.equal(asset['size'], 9);
      assert.equal(asset['md5'], md5Hex(data));
      assert.equal(asset['url'], `${base}/content-range/files/${id}`);
      assert.ok(!Number.isNaN(Date.parse(String(asset['created_at']))));

      const download = await call(String(asset['url']));
      assert.equal(download.status, 200);
      assert.equal(download.headers.get('content-type'), 'application/octet-stream');
      assert.equal(download.headers.get('content-length'), '9');
      assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(download.headers.get('cache-control'), 'no-store');
      assert.equal(
        download.headers.get('content-disposition'),
        `attachment; filename="r_sum_ _final_.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.txt`,
      );
      assert.deepEqual(Buffer.from(await download.arrayBuffer()), data);

      const done = await statusQuery(location, 9);
      assert.equal(done.status, 200);
      assert.equal(((await done.json()) as { md5: string }).md5, md5Hex(data));

      const again = await putPart(location, 'i', 8, 9);
      assert.equal(again.status, 409);
      assert.equal(again.headers.get('range'), '0-8');
      assert.equal(await errorCode(again), 'offset_mismatch');
    });

    it('accepts the seed example: a trailing slash and POST with application/octet-stream', T, async () => {
      const { location } = await createUpload(base, 9);
      const first = await putPart(`${location}/`, 'abcde', 0, 9);
      assert.equal(first.status, 204);
      assert.equal(first.headers.get('range'), '0-4');
      const second = await call(location, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 5-8/9' },
        body: 'fghi',
      });
      assert.equal(second.status, 200);
      assert.equal(((await second.json()) as { md5: string }).md5, md5Hex('abcdefghi'));
    });

    it("speaks the seed's example as written: no Content-Type, Content-Length and Content-Range only, then a status query and DELETE", T, async () => {
      const { location } = await createUpload(base, 9);
      const first = await raw(location, { method: 'PUT', headers: { 'Content-Length': 5, 'Content-Range': 'bytes 0-4/9' }, chunks: ['abcde'] });
      assert.equal(first.status, 204);
      assert.equal(first.headers['range'], '0-4', 'Range names the bytes held, as the example shows');
      assert.equal(first.body.length, 0);
      const status = await raw(location, { method: 'PUT', headers: { 'Content-Range': 'bytes */9', 'Content-Length': 0 } });
      assert.equal(status.status, 204);
      assert.equal(status.headers['range'], '0-4');
      const second = await raw(location, { method: 'PUT', headers: { 'Content-Length': 4, 'Content-Range': 'bytes 5-8/9' }, chunks: ['fghi'] });
      assert.equal(second.status, 200);
      const video = JSON.parse(second.body.toString()) as Record<string, unknown>;
      assert.equal(typeof video['id'], 'string');
      assert.equal(video['md5'], md5Hex('abcdefghi'));
      const removed = await raw(location, { method: 'DELETE' });
      assert.equal(removed.status, 200);
      assert.equal(removed.body.length, 0, 'Body <empty>');
    });

    it('answers a status query with no Range when nothing is stored, then with the stored range', T, async () => {
      const { location } = await createUpload(base, 10);
      const empty = await statusQuery(location, 10);
      assert.equal(empty.status, 204);
      assert.equal(empty.headers.get('range'), null);

      const star = await call(location, { method: 'PUT', headers: { 'Content-Range': 'bytes *' } });
      assert.equal(star.status, 204);
      assert.equal(star.headers.get('range'), null);

      assert.equal((await putPart(location, '0123', 0, 10)).status, 204);
      const some = await statusQuery(location, 10);
      assert.equal(some.status, 204);
      assert.equal(some.headers.get('range'), '0-3');

      const wrongTotal = await statusQuery(location, 11);
      assert.equal(wrongTotal.status, 400);
      assert.equal(await errorCode(wrongTotal), 'length_mismatch');
    });

    it('refuses a part at the wrong offset with 409 and the stored Range', T, async () => {
      const { location } = await createUpload(base, 10);
      const early = await putPart(location, 'abc', 3, 10);
      assert.equal(early.status, 409);
      assert.equal(early.headers.get('range'), null, 'nothing stored yet');
      assert.equal(await errorCode(early), 'offset_mismatch');

      assert.equal((await putPart(location, 'abcd', 0, 10)).status, 204);
      for (const start of [0, 2, 6]) {
        const wrong = await putPart(location, 'xy', start, 10);
        assert.equal(wrong.status, 409);
        assert.equal(wrong.headers.get('range'), '0-3');
        assert.equal(await errorCode(wrong), 'offset_mismatch');
      }
      assert.equal((await statusQuery(location, 10)).headers.get('range'), '0-3');
    });

    it('answers 410 bytes_lost, and keeps answering, when acknowledged bytes vanished from disk', T, async () => {
      const { id, location } = await createUpload(base, 8);
      assert.equal((await putPart(location, 'abcd', 0, 8)).status, 204);
      await writeFile(binPath(dataDir, id), 'ab'); // lost outside the server: 2 of the 4 acknowledged bytes are left
      // The status query reads the record alone (it never waits behind a write); the next write finds the loss.
      for (const response of [await putPart(location, 'efgh', 4, 8), await putPart(location, 'efgh', 4, 8)]) {
        assert.equal(response.status, 410);
        assert.equal(await errorCode(response), 'bytes_lost');
      }
      const fresh = await createUpload(base, 3);
      assert.equal((await putPart(fresh.location, 'xyz', 0, 3)).status, 200, 'the server goes on');
    });

    it('refuses a part whose MD5 does not match, keeping nothing of it', T, async () => {
      const { id, location } = await createUpload(base, 8);
      assert.equal((await putPart(location, 'abcd', 0, 8)).status, 204);
      const bad = await putPart(location, 'efgh', 4, 8, { 'Content-MD5': md5Base64('EFGH') });
      assert.equal(bad.status, 400);
      assert.equal(await errorCode(bad), 'bad_digest');
      assert.equal((await statusQuery(location, 8)).headers.get('range'), '0-3');
      assert.equal((await stat(binPath(dataDir, id))).size, 4);

      const good = await putPart(location, 'efgh', 4, 8, { 'Content-MD5': md5Base64('efgh') });
      assert.equal(good.status, 200);
      assert.equal(((await good.json()) as { md5: string }).md5, md5Hex('abcdefgh'));
    });

    it('refuses a malformed Content-MD5 with 400 bad_content_md5', T, async () => {
      const { location } = await createUpload(base, 4);
      for (const header of [md5Hex('abcd'), 'abc', Buffer.alloc(15).toString('base64')]) {
        const response = await putPart(location, 'abcd', 0, 4, { 'Content-MD5': header });
        assert.equal(response.status, 400);
        assert.equal(await errorCode(response), 'bad_content_md5');
      }
      assert.equal((await statusQuery(location, 4)).headers.get('range'), null);
    });

    it('refuses a Content-Length that does not match the range, keeping nothing', T, async () => {
      const { id, location } = await createUpload(base, 10);
      const short = await raw(location, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes 0-4/10', 'Content-Length': 3 },
        chunks: ['abc'],
      });
      assert.equal(short.status, 400);
      assert.equal(JSON.parse(short.body.toString()).error.code, 'body_length_mismatch');

      const long = await raw(location, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes 0-1/10', 'Content-Length': 6 },
        chunks: ['abcdef'],
      });
      assert.equal(long.status, 400);
      assert.equal(JSON.parse(long.body.toString()).error.code, 'body_length_mismatch');

      assert.equal((await statusQuery(location, 10)).headers.get('range'), null);
      assert.equal((await stat(binPath(dataDir, id))).size, 0);
    });

    it('stops a chunked body at the range length and keeps nothing of it', T, async () => {
      const { id, location } = await createUpload(base, 10);
      assert.equal((await putPart(location, 'ab', 0, 10)).status, 204);
      const tooLong = await raw(location, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes 2-4/10', 'Transfer-Encoding': 'chunked' },
        chunks: ['cd', 'efgh'],
      });
      assert.equal(tooLong.status, 400);
      assert.equal(JSON.parse(tooLong.body.toString()).error.code, 'body_length_mismatch');

      const tooShort = await raw(location, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes 2-4/10', 'Transfer-Encoding': 'chunked' },
        chunks: ['c'],
      });
      assert.equal(tooShort.status, 400);
      assert.equal(JSON.parse(tooShort.body.toString()).error.code, 'body_length_mismatch');

      assert.equal((await statusQuery(location, 10)).headers.get('range'), '0-1');
      assert.equal((await stat(binPath(dataDir, id))).size, 2);
    });

    it('refuses ranges outside the file with 416 and a wrong total with 400', T, async () => {
      const { location } = await createUpload(base, 5);
      const beyond = await call(location, {
        method: 'PUT',
        headers: { 'Content-Range': 'bytes 0-9/5' },
        body: '0123456789',
      });
      assert.equal(beyond.status, 416);
      assert.equal(await errorCode(beyond), 'range_invalid');

      const backwards = await call(location, { method: 'PUT', headers: { 'Content-Range': 'bytes 3-1/5' }, body: 'abc' });
      assert.equal(backwards.status, 416);
      assert.equal(await errorCode(backwards), 'range_invalid');

      const total = await putPart(location, 'abc', 0, 6);
      assert.equal(total.status, 400);
      assert.equal(await errorCode(total), 'length_mismatch');

      const garbage = await call(location, { method: 'PUT', headers: { 'Content-Range': 'bytes=0-2' }, body: 'abc' });
      assert.equal(garbage.status, 400);
      assert.equal(await errorCode(garbage), 'bad_content_range');

      assert.equal((await statusQuery(location, 5)).headers.get('range'), null);
    });

    it('takes the whole file without Content-Range, and a 0-byte file with an empty PUT', T, async () => {
      const whole = await createUpload(base, 3);
      const response = await call(whole.location, { method: 'PUT', body: 'xyz' });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { md5: string }).md5, md5Hex('xyz'));

      const empty = await createUpload(base, 0, 'empty.txt');
      const before = await statusQuery(empty.location, 0);
      assert.equal(before.status, 204);
      assert.equal(before.headers.get('range'), null);
      const done = await call(empty.location, { method: 'PUT' });
      assert.equal(done.status, 200);
      const asset = (await done.json()) as { md5: string; size: number; url: string };
      assert.equal(asset.md5, EMPTY_MD5);
      assert.equal(asset.size, 0);
      const download = await call(asset.url);
      assert.equal(download.status, 200);
      assert.equal(download.headers.get('content-length'), '0');
      assert.equal((await download.arrayBuffer()).byteLength, 0);
      assert.equal((await statusQuery(empty.location, 0)).status, 200);
      assert.equal((await call(empty.location, { method: 'PUT' })).status, 200, 'retrying the empty PUT is harmless');
    });

    it('refuses a whole-file PUT once bytes are stored', T, async () => {
      const { location } = await createUpload(base, 4);
      assert.equal((await putPart(location, 'ab', 0, 4)).status, 204);
      const response = await call(location, { method: 'PUT', body: 'abcd' });
      assert.equal(response.status, 409);
      assert.equal(response.headers.get('range'), '0-1');
      assert.equal(await errorCode(response), 'offset_mismatch');
    });

    it('serialises concurrent PUTs of the same part: one is stored, the other is told the offset', T, async () => {
      const { location } = await createUpload(base, 8);
      const [a, b] = await Promise.all([putPart(location, 'abcd', 0, 8), putPart(location, 'abcd', 0, 8)]);
      assert.deepEqual([a.status, b.status].sort(), [204, 409]);
      assert.equal((await statusQuery(location, 8)).headers.get('range'), '0-3');
    });

    it('streams large random parts and answers a rejected large part with its status, not a reset', T, async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const { location } = await createUpload(base, data.length, 'big.bin');
      const wrong = await putPart(location, data.subarray(1024 * 1024, 2 * 1024 * 1024), 1024 * 1024, data.length);
      assert.equal(wrong.status, 409);
      assert.equal(await errorCode(wrong), 'offset_mismatch');
      let offset = 0;
      let last: Response | undefined;
      for (const size of [1024 * 1024, 1024 * 1024 + 1, 1024 * 1024 + 16]) {
        const part = data.subarray(offset, offset + size);
        last = await putPart(location, part, offset, data.length, { 'Content-MD5': md5Base64(part) });
        offset += size;
        if (offset < data.length) {
          assert.equal(last.status, 204);
          assert.equal(last.headers.get('range'), `0-${offset - 1}`);
        }
      }
      assert.equal(last?.status, 200);
      const asset = (await last?.json()) as { md5: string; url: string };
      assert.equal(asset.md5, md5Hex(data));
      assert.ok(Buffer.from(await (await call(asset.url)).arrayBuffer()).equals(data));
    });

    // The seed: "if the client connection broke, query the server to know where it left
    // the upload". A part without Content-MD5 keeps what arrived; one with it, nothing.
    for (const checked of [false, true]) {
      it(
        checked
          ? 'keeps nothing of a part with Content-MD5 whose client disconnects mid-body'
          : 'keeps the bytes that arrived of a part without Content-MD5 whose client disconnects mid-body',
        T,
        async () => {
          const { id, location } = await createUpload(base, 100);
          assert.equal((await putPart(location, 'x'.repeat(10), 0, 100)).status, 204);

          const req = httpRequest(location, {
            method: 'PUT',
            agent: false,
            headers: { 'Content-Range': 'bytes 10-99/100', 'Content-Length': 90, ...(checked ? { 'Content-MD5': md5Base64('y'.repeat(90)) } : {}) },
          });
          const failed = new Promise<void>((resolve) => {
            req.on('error', () => resolve());
            req.on('close', () => resolve());
          });
          req.write(Buffer.alloc(40, 0x79));
          await waitFor(async () => (await stat(binPath(dataDir, id))).size >= 50, 'the server to write the first bytes');
          req.destroy();
          await failed;

          const held = checked ? 10 : 50;
          // The cut-off part is committed (or dropped) once the server sees the close: ask until it has.
          await waitFor(async () => (await statusQuery(location, 100)).headers.get('range') === `0-${held - 1}`, `the server to hold ${held} bytes`);
          const status = await statusQuery(location, 100);
          assert.equal(status.status, 204);
          assert.equal(status.headers.get('range'), `0-${held - 1}`);
          assert.equal((await stat(binPath(dataDir, id))).size, held);

          const staleAt = checked ? 50 : 10;
          const stale = await putPart(location, 'z'.repeat(100 - staleAt), staleAt, 100);
          assert.equal(stale.status, 409, 'a part at any other offset than the stored one is refused');
          assert.equal(stale.headers.get('range'), `0-${held - 1}`);

          const rest = await putPart(location, 'z'.repeat(100 - held), held, 100);
          assert.equal(rest.status, 200);
          const expected = 'x'.repeat(10) + 'y'.repeat(held - 10) + 'z'.repeat(100 - held);
          assert.equal(((await rest.json()) as { md5: string }).md5, md5Hex(expected));
        },
      );
    }
  });

  describe('multipart form fallback', () => {
    it('takes the file field of a form and answers the asset JSON', T, async () => {
      const data = Buffer.from('form bytes \u00e9');
      const { id, location } = await createUpload(base, data.length, 'form.txt');
      const form = new FormData();
      form.append('note', 'ignored');
      form.append('file', new Blob([data]), 'whatever.txt');
      const response = await call(location, { method: 'POST', body: form });
      assert.equal(response.status, 200);
      const asset = (await response.json()) as { id: string; md5: string; size: number; name: string; url: string };
      assert.equal(asset.id, id);
      assert.equal(asset.md5, md5Hex(data));
      assert.equal(asset.size, data.length);
      assert.equal(asset.name, 'form.txt');
      assert.deepEqual(Buffer.from(await (await call(asset.url)).arrayBuffer()), data);
    });

    it('refuses a file of the wrong size, two files, or no file, keeping nothing', T, async () => {
      const { id, location } = await createUpload(base, 5);
      const post = (form: FormData): Promise<Response> => call(location, { method: 'POST', body: form });

      const long = new FormData();
      long.append('file', new Blob(['abcdefgh']), 'a');
      const tooLong = await post(long);
      assert.equal(tooLong.status, 400);
      assert.equal(await errorCode(tooLong), 'body_length_mismatch');

      const short = new FormData();
      short.append('file', new Blob(['abc']), 'a');
      const tooShort = await post(short);
      assert.equal(tooShort.status, 400);
      assert.equal(await errorCode(tooShort), 'body_length_mismatch');

      const two = new FormData();
      two.append('file', new Blob(['abcde']), 'a');
      two.append('file', new Blob(['abcde']), 'b');
      const twoFiles = await post(two);
      assert.equal(twoFiles.status, 400);
      assert.equal(await errorCode(twoFiles), 'too_many_files');

      const none = new FormData();
      none.append('other', 'x');
      const noFile = await post(none);
      assert.equal(noFile.status, 400);
      assert.equal(await errorCode(noFile), 'missing_file');

      assert.equal((await statusQuery(location, 5)).headers.get('range'), null);
      assert.equal((await stat(binPath(dataDir, id))).size, 0);

      const right = new FormData();
      right.append('file', new Blob(['abcde']), 'a');
      assert.equal((await post(right)).status, 200);
    });

    it('keeps nothing when the client disconnects in the middle of a form', T, async () => {
      const { id, location } = await createUpload(base, 1000);
      const boundary = 'test-boundary-1234';
      const req = httpRequest(location, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': 5000 },
      });
      const failed = new Promise<void>((resolve) => {
        req.on('error', () => resolve());
        req.on('close', () => resolve());
      });
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
          `Content-Type: application/octet-stream\r\n\r\n${'q'.repeat(600)}`,
      );
      await waitFor(async () => (await stat(binPath(dataDir, id))).size > 0, 'the server to write form bytes');
      req.destroy();
      await failed;
      const status = await statusQuery(location, 1000);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), null);
      assert.equal((await stat(binPath(dataDir, id))).size, 0);
    });

    it('refuses a form once bytes are stored', T, async () => {
      const { location } = await createUpload(base, 4);
      assert.equal((await putPart(location, 'ab', 0, 4)).status, 204);
      const form = new FormData();
      form.append('file', new Blob(['abcd']), 'a');
      const response = await call(location, { method: 'POST', body: form });
      assert.equal(response.status, 409);
      assert.equal(response.headers.get('range'), '0-1');
      assert.equal(await errorCode(response), 'offset_mismatch');
    });

    it('refuses POST with another media type with 415', T, async () => {
      const { location } = await createUpload(base, 4);
      const response = await call(location, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'abcd' });
      assert.equal(response.status, 415);
      assert.equal(await errorCode(response), 'unsupported_media_type');
    });
  });

  describe('deleting and unknown resources', () => {
    it('deletes an upload (200, empty body), after which it is 404 everywhere', T, async () => {
      const { id, location } = await createUpload(base, 4);
      assert.equal((await putPart(location, 'abcd', 0, 4)).status, 200);
      const removed = await call(location, { method: 'DELETE' });
      assert.equal(removed.status, 200);
      assert.equal(await removed.text(), '');
      await assert.rejects(stat(binPath(dataDir, id)));

      for (const response of [await statusQuery(location, 4), await call(location, { method: 'DELETE' }), await call(`${base}/content-range/files/${id}`)]) {
        assert.equal(response.status, 404);
        assert.equal(await errorCode(response), 'not_found');
      }
    });

    it('answers 404 for unknown ids, incomplete downloads and unknown routes; 405 with Allow for wrong methods', T, async () => {
      const unknownId = '0'.repeat(32);
      for (const url of [
        `${base}/content-range/uploads/${unknownId}`,
        `${base}/content-range/uploads/not-an-id`,
        `${base}/content-range/uploads/..%2F..%2Fetc`,
      ]) {
        const response = await statusQuery(url, 1);
        assert.equal(response.status, 404);
        assert.equal(await errorCode(response), 'not_found');
      }
      const { id } = await createUpload(base, 4);
      const incomplete = await call(`${base}/content-range/files/${id}`);
      assert.equal(incomplete.status, 404);
      assert.equal(await errorCode(incomplete), 'not_found');

      for (const path of ['/', '/content-range', '/content-range/nope', '/index.html']) {
        const response = await call(`${base}${path}`);
        assert.equal(response.status, 404, path);
        assert.equal(await errorCode(response), 'not_found');
      }

      const wrong = await call(`${base}/content-range/uploads/${id}`);
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get('allow'), 'PUT, POST, DELETE, OPTIONS');
      assert.equal(await errorCode(wrong), 'method_not_allowed');
    });
  });

  describe('CORS', () => {
    it('answers a preflight with the allowed methods and headers for the request origin', T, async () => {
      const { location } = await createUpload(base, 1);
      const response = await call(location, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://app.test:8000',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'content-range, content-md5',
        },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://app.test:8000');
      // No allow-list: echoed, but never with credentials (core/cors.ts; cors.test.ts has the whole rule).
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
      assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, Content-Range, Content-MD5, Authorization, x-amz-date');
      assert.equal(response.headers.get('access-control-max-age'), '600');
      assert.match(response.headers.get('vary') ?? '', /Origin/);
    });

    it('echoes the origin and exposes Range, Location and Retry-After on ordinary responses', T, async () => {
      const response = await call(`${base}/content-range/videos/upload.json`, {
        method: 'POST',
        headers: { Origin: 'http://app.test:8000', 'Content-Type': 'application/json' },
        body: JSON.stringify({ file_size: 1, file_name: 'a' }),
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://app.test:8000');
      assert.equal(response.headers.get('access-control-expose-headers'), 'Range, Location, Retry-After, ETag');
      await response.body?.cancel();
    });

    it('echoes only the listed origins when an allow-list is set', T, async () => {
      const { base: listed } = await start({ dataDir: await tempDir(), corsOrigins: ['http://good.test'] });
      const ask = (origin: string): Promise<Response> =>
        call(`${listed}/content-range/videos/upload.json`, {
          method: 'OPTIONS',
          headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
        });
      const good = await ask('http://good.test');
      assert.equal(good.headers.get('access-control-allow-origin'), 'http://good.test');
      const evil = await ask('http://evil.test');
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      assert.equal(evil.headers.get('access-control-allow-credentials'), null);
    });
  });

  describe('limits', () => {
    it('refuses a file_size over the configured maximum with 413 file_too_large', T, async () => {
      const { base: limited } = await start({ dataDir: await tempDir(), maxFileSize: 100 });
      const create = (size: number): Promise<Response> =>
        call(`${limited}/content-range/videos/upload.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ file_size: size, file_name: 'x' }),
        });
      const tooBig = await create(101);
      assert.equal(tooBig.status, 413);
      assert.equal(await errorCode(tooBig), 'file_too_large');
      const fits = await create(100);
      assert.equal(fits.status, 201);
      await fits.body?.cancel();
    });
  });
});

describe('durability', () => {
  it('keeps every acknowledged byte across a restart', T, async () => {
    const dataDir = await tempDir();
    const data = Buffer.from('0123456789abcdefghij');
    const first = await start({ dataDir });
    const { id, location } = await createUpload(first.base, data.length, 'durable.bin');
    assert.equal((await putPart(location, data.subarray(0, 6), 0, 20)).status, 204);
    assert.equal((await putPart(location, data.subarray(6, 13), 6, 20)).status, 204);
    await first.app.close();

    const second = await start({ dataDir });
    const moved = `${second.base}/content-range/uploads/${id}`;
    const status = await statusQuery(moved, 20);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-12');
    const last = await putPart(moved, data.subarray(13), 13, 20);
    assert.equal(last.status, 200);
    const asset = (await last.json()) as { md5: string; url: string };
    assert.equal(asset.md5, md5Hex(data));
    assert.deepEqual(Buffer.from(await (await call(asset.url)).arrayBuffer()), data);
  });

  it('drops bytes a crash left beyond the recorded offset', T, async () => {
    const dataDir = await tempDir();
    const data = Buffer.from('the quick brown fox');
    const first = await start({ dataDir });
    const { id, location } = await createUpload(first.base, data.length);
    assert.equal((await putPart(location, data.subarray(0, 9), 0, data.length)).status, 204);
    await first.app.close();

    // A crash after writing part of the next part's bytes but before its record update.
    await appendFile(binPath(dataDir, id), 'GARBAGE');
    assert.equal((await stat(binPath(dataDir, id))).size, 16);

    const second = await start({ dataDir });
    const moved = `${second.base}/content-range/uploads/${id}`;
    const status = await statusQuery(moved, data.length);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-8');
    // The status query reads the record without the lock (it never waits behind a
    // write), so the garbage is cut off by the next write, under the lock.

    const last = await putPart(moved, data.subarray(9), 9, data.length);
    assert.equal(last.status, 200);
    const asset = (await last.json()) as { md5: string; url: string };
    assert.equal(asset.md5, md5Hex(data));
    assert.deepEqual(Buffer.from(await (await call(asset.url)).arrayBuffer()), data);
    assert.equal((await readFile(binPath(dataDir, id))).toString(), data.toString());
  });
});

describe('static demo files', () => {
  let base = '';
  let outside = '';

  before(async () => {
    const publicDir = await tempDir();
    outside = await tempDir();
    await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(publicDir, 'app.js'), 'export {};');
    await mkdir(join(publicDir, 'sub'));
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(publicDir, 'link.txt'));
    ({ base } = await start({ dataDir: await tempDir(), publicDir }));
  });

  it('serves index.html at / with a strict CSP and nosniff', T, async () => {
    const response = await call(`${base}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(await response.text(), /demo/);
  });

  it('serves scripts with their type and without a CSP', T, async () => {
    const response = await call(`${base}/app.js`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), null);
    await response.body?.cancel();
  });

  it('refuses traversal, symlinks out of the directory and directory listings', T, async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/', '/sub', '/link.txt', '/missing.js']) {
      const response = await raw(`${base}${path}`, { method: 'GET' });
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body.toString(), /secret/);
    }
    const bad = await raw(`${base}/%E0%A4%A`, { method: 'GET' });
    assert.equal(bad.status, 400);
  });

  it('does not shadow the API', T, async () => {
    const response = await call(`${base}/content-range/uploads/${'0'.repeat(32)}`, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes */1' },
    });
    assert.equal(response.status, 404);
    assert.equal(await errorCode(response), 'not_found');
    const created = await createUpload(base, 1);
    assert.match(created.id, ID);
  });
});
