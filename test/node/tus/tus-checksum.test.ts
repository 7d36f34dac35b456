/**
 * The checksum layer of `/tus-md5/files` read against tus 1.0 § Checksum: sha1 is
 * announced and verified beside md5 (the spec makes sha1 a MUST), an unknown algorithm
 * or a malformed header is 400, a mismatch is 460 and keeps nothing; and a POST that
 * carries bytes (creation-with-upload, announced by `@tus/server`) keeps them and is
 * checked the same way, as on `/tus/files`.
 *
 * Run: node --test --import tsx test/node/tus/tus-checksum.test.ts
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';

/** Sends `head` and then `body` chunks on one raw connection; resolves with the head the server answered (status line first), or '' when it closed without one. */
function raw(base: string, head: string, body: (write: (chunk: Buffer) => boolean) => void): Promise<string> {
  const url = new URL(base);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, REQUEST_TIMEOUT_MS);
    socket.on('data', (bytes) => {
      text += bytes.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text.slice(0, text.indexOf('\r\n\r\n')));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text.split('\r\n\r\n')[0] ?? '');
    });
    socket.write(head);
    body((chunk) => socket.write(chunk));
  });
}

const T = { timeout: 15_000 };
const apps = harness('asset-uploader-tus-checksum-', { closeGraceMs: 500 });
after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

const RESUMABLE = { 'Tus-Resumable': '1.0.0' };
const STREAM = 'application/offset+octet-stream';
const digest = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest('base64');
const call = (url: string, init: RequestInit): Promise<Response> => fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

async function create(base: string, store: string, length: number): Promise<string> {
  const response = await call(`${base}/${store}/files`, { method: 'POST', headers: { ...RESUMABLE, 'Upload-Length': String(length) } });
  assert.equal(response.status, 201, await response.text());
  return new URL(response.headers.get('location') ?? '', base).href;
}

function patch(location: string, offset: number, body: Buffer, checksum?: string): Promise<Response> {
  return call(location, {
    method: 'PATCH',
    headers: { ...RESUMABLE, 'Upload-Offset': String(offset), 'Content-Type': STREAM, ...(checksum ? { 'Upload-Checksum': checksum } : {}) },
    body: new Uint8Array(body),
  });
}

async function offsetOf(location: string): Promise<string | null> {
  const head = await call(location, { method: 'HEAD', headers: RESUMABLE });
  assert.equal(head.status, 200);
  return head.headers.get('upload-offset');
}

describe('tus-md5 checksums', () => {
  it('announces md5 and sha1, and verifies either on a PATCH', T, async () => {
    const { base } = await apps.start();
    const options = await call(`${base}/tus-md5/files`, { method: 'OPTIONS' });
    assert.match(options.headers.get('tus-extension') ?? '', /(^|,)checksum(,|$)/);
    assert.equal(options.headers.get('tus-checksum-algorithm'), 'md5,sha1');

    const data = Buffer.from('abcdefghi');
    const location = await create(base, 'tus-md5', data.length);
    const wrong = await patch(location, 0, data.subarray(0, 4), `sha1 ${digest('sha1', Buffer.from('nope'))}`);
    assert.equal(wrong.status, 460, await wrong.text());
    assert.equal(await offsetOf(location), '0', 'a mismatched part keeps nothing');
    const first = await patch(location, 0, data.subarray(0, 4), `sha1 ${digest('sha1', data.subarray(0, 4))}`);
    assert.equal(first.status, 204, await first.text());
    assert.equal(first.headers.get('upload-offset'), '4');
    const second = await patch(location, 4, data.subarray(4), `md5 ${digest('md5', data.subarray(4))}`);
    assert.equal(second.status, 204, await second.text());
    assert.equal(second.headers.get('upload-offset'), '9');
    const download = await call(location, { method: 'GET' });
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), data);
  });

  it('answers 400 for another algorithm or a malformed Upload-Checksum, keeping nothing', T, async () => {
    const { base } = await apps.start();
    const data = Buffer.from('abc');
    const location = await create(base, 'tus-md5', data.length);
    for (const checksum of [`crc32 ${digest('md5', data)}`, 'md5', `md5 ${digest('md5', data)} extra`]) {
      const refused = await patch(location, 0, data, checksum);
      assert.equal(refused.status, 400, checksum);
      assert.match(await refused.text(), /md5, sha1/);
    }
    assert.equal(await offsetOf(location), '0');
  });

  for (const store of ['tus', 'tus-md5'] as const) {
    it(`${store}: keeps the bytes of a creation-with-upload POST`, T, async () => {
      const { base } = await apps.start();
      const data = Buffer.from('abcde');
      const checksum: Record<string, string> = store === 'tus-md5' ? { 'Upload-Checksum': `md5 ${digest('md5', data)}` } : {};
      const created = await call(`${base}/${store}/files`, {
        method: 'POST',
        headers: { ...RESUMABLE, 'Upload-Length': String(data.length), 'Content-Type': STREAM, ...checksum },
        body: new Uint8Array(data),
      });
      assert.equal(created.status, 201, await created.text());
      assert.equal(created.headers.get('upload-offset'), '5');
      const location = new URL(created.headers.get('location') ?? '', base).href;
      assert.equal(await offsetOf(location), '5');
      const download = await call(location, { method: 'GET' });
      assert.deepEqual(Buffer.from(await download.arrayBuffer()), data);
    });
  }

  it('tus-md5: refuses a creation-with-upload POST whose checksum does not match, creating nothing', T, async () => {
    const { base } = await apps.start();
    const refused = await call(`${base}/tus-md5/files`, {
      method: 'POST',
      headers: { ...RESUMABLE, 'Upload-Length': '5', 'Content-Type': STREAM, 'Upload-Checksum': `sha1 ${digest('sha1', Buffer.from('other'))}` },
      body: 'abcde',
    });
    assert.equal(refused.status, 460, await refused.text());
    assert.equal(refused.headers.get('location'), null);
  });

  // A Host header that is no URL's host (credentials, a space, a bracket left open) made
  // the checksum layer's own fetch Request throw: 500, and the part was never stored.
  for (const host of ['x@y', 'a b', '[zz', '127.0.0.1:99999']) {
    it(`tus-md5: a PATCH with Host "${host}" is stored, not answered 500`, T, async () => {
      const { base } = await apps.start();
      const data = Buffer.from('abcd');
      const location = await create(base, 'tus-md5', data.length);
      const path = new URL(location).pathname;
      const status = await raw(
        base,
        `PATCH ${path} HTTP/1.1\r\nHost: ${host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: ${STREAM}\r\nUpload-Checksum: md5 ${digest('md5', data)}\r\nContent-Length: ${data.length}\r\nConnection: close\r\n\r\n`,
        (write) => write(data),
      );
      assert.match(status, /^HTTP\/1\.1 204 /);
      assert.equal(await offsetOf(location), '4');
    });
  }

  // A chunked body has no Content-Length to refuse it by: the limit is found while
  // reading, and the answer must still reach the client before the connection closes.
  it('tus-md5: a chunked PATCH longer than a part may be is answered 413, keeping nothing', { timeout: 60_000 }, async () => {
    const { base } = await apps.start();
    const length = 65 * 1024 * 1024;
    const location = await create(base, 'tus-md5', length);
    const path = new URL(location).pathname;
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const status = await raw(
      base,
      `PATCH ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: ${STREAM}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      (write) => {
        for (let i = 0; i < 65; i++) write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
        write(Buffer.from('0\r\n\r\n'));
      },
    );
    assert.match(status, /^HTTP\/1\.1 413 /);
    assert.equal(await offsetOf(location), '0');
  });

  // Every part is read whole before it is checked: bodies for uploads that do not exist,
  // or more of them at once than the server can hold, could eat its memory.
  it('tus-md5: a PATCH for an upload that does not exist is answered 404 before its body is read', T, async () => {
    const { base } = await apps.start();
    const status = await raw(
      base,
      `PATCH /tus-md5/files/${'0'.repeat(32)} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: ${STREAM}\r\nContent-Length: ${60 * 1024 * 1024}\r\n\r\n`,
      () => {},
    );
    assert.match(status, /^HTTP\/1\.1 404 /);
  });

  it('tus-md5: parts being checked at once hold at most checksumBufferBytes; past that 503 with Retry-After, then the retry is stored', T, async () => {
    const { base } = await apps.start({ tusChecksumBufferBytes: 1000 });
    const a = Buffer.alloc(800, 0x61);
    const b = Buffer.alloc(500, 0x62);
    const first = await create(base, 'tus-md5', a.length);
    const second = await create(base, 'tus-md5', b.length);
    // The first part's head and some bytes, the rest held back: it holds 800 of the 1000 bytes.
    const url = new URL(base);
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    const answered = new Promise<void>((resolve) => {
      socket.on('data', (bytes) => {
        answer += bytes.toString('latin1');
        resolve();
      });
      socket.on('close', () => resolve());
    });
    socket.on('error', () => {});
    socket.write(
      `PATCH ${new URL(first).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: ${STREAM}\r\nUpload-Checksum: md5 ${digest('md5', a)}\r\nContent-Length: ${a.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(a.subarray(0, 100));
    // Bounded: probes of 300 bytes, each to an upload of its own, until one is refused: the
    // server has then taken the first part's 800.
    let probe = 0;
    for (; probe < 100; probe++) {
      const bytes = Buffer.alloc(300, 0x63);
      const answer = await patch(await create(base, 'tus-md5', bytes.length), 0, bytes, `md5 ${digest('md5', bytes)}`);
      await answer.text();
      if (answer.status === 503) break;
      assert.equal(answer.status, 204, 'a probe while the first part is not yet read is stored');
    }
    assert.ok(probe < 100, 'the first part was taken within 100 probes');
    const busy = await patch(second, 0, b, `md5 ${digest('md5', b)}`);
    assert.equal(busy.status, 503, await busy.text());
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.equal(await offsetOf(second), '0');
    socket.write(a.subarray(100));
    await answered;
    socket.destroy();
    assert.match(answer, /^HTTP\/1\.1 204 /);
    const retried = await patch(second, 0, b, `md5 ${digest('md5', b)}`);
    assert.equal(retried.status, 204, await retried.text());
    assert.equal(await offsetOf(first), '800');
    assert.equal(await offsetOf(second), '500');
  });

  // @tus/server wrote the Location from the raw Host header: `http://null/...` without one.
  for (const store of ['tus', 'tus-md5']) {
    it(`${store}: without a usable Host the Location is a path, never http://null`, T, async () => {
      const { base } = await apps.start();
      for (const host of ['', 'Host: x@y\r\n', 'Host: 127.0.0.1:99999\r\n']) {
        const answer = await raw(
          base,
          `POST /${store}/files HTTP/1.0\r\n${host}Tus-Resumable: 1.0.0\r\nUpload-Length: 3\r\nContent-Length: 0\r\n\r\n`,
          () => {},
        );
        assert.match(answer, /^HTTP\/1\.1 201 /, answer);
        const location = /\r\nlocation: ([^\r]*)/i.exec(answer)?.[1] ?? '';
        assert.match(location, new RegExp(`^/${store}/files/[0-9a-f]{32}$`), `${JSON.stringify(host)}: ${location}`);
        const stored = await patch(new URL(location, base).href, 0, Buffer.from('abc'));
        assert.equal(stored.status, 204, await stored.text());
      }
      // With a Host, as before: absolute, on the origin the client addressed.
      const created = await call(`${base}/${store}/files`, { method: 'POST', headers: { ...RESUMABLE, 'Upload-Length': '3' } });
      assert.equal(created.status, 201);
      assert.match(created.headers.get('location') ?? '', new RegExp(`^${base}/${store}/files/[0-9a-f]{32}$`));
    });
  }
});
