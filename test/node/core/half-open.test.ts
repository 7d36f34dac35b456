/**
 * A client that vanishes mid-body without closing its connection (issue 9, defect
 * 4): a status query answers at once from the stored record, and the next write of
 * the same upload gets through, releasing the silent one, whose partial part is
 * dropped (phased; content-range with Content-MD5) or kept as received (tus;
 * content-range without Content-MD5). The final bytes are
 * byte-identical.
 *
 * The failure signal is the request time limit (5 s), far below the 120 s idle
 * timeout that used to free such a lock; no test measures time.
 *
 * Run: node --test --import tsx test/node/core/half-open.test.ts
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';
import { TOKEN, TOKENS } from '../support-uploads.js';

const T = { timeout: 30_000 };
const apps = harness('asset-uploader-half-open-', { closeGraceMs: 500, apiTokens: TOKENS });
const sockets: Socket[] = [];

after(async () => {
  for (const socket of sockets) socket.destroy();
  await apps.stopApps();
  await apps.removeTempDirs();
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function call(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/**
 * Opens a connection, sends `head` (request line and headers) and `body`, then goes
 * silent without closing. Resolves once the server has read what was sent (it
 * answers nothing yet); `closed` settles when the server ends the connection.
 */
async function silentAfter(base: string, head: string, body: Buffer): Promise<{ closed: Promise<void> }> {
  const url = new URL(base);
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  await new Promise<void>((resolve) => socket.write(Buffer.concat([Buffer.from(head), body]), () => resolve()));
  return { closed };
}

function rawHead(method: string, path: string, headers: Record<string, string>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

/** Bounded wait for `promise`, as a failure signal (not a measurement). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within 5 s`)), REQUEST_TIMEOUT_MS).unref()),
  ]);
}

/** Starts a phased upload of `size` bytes: its id and the first window's end. */
async function phasedStart(base: string, size: number, name: string): Promise<{ id: string; end_offset: number }> {
  const response = await call(`${base}/phased/assets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ upload_phase: 'start', file_size: size, file_name: name }),
  });
  return (await response.json()) as { id: string; end_offset: number };
}

/** A phased upload of 100 KiB whose first transfer sent its fields and 1000 bytes, then went silent. */
async function phasedSilentTransfer() {
  const { base } = await apps.start({ phasedChunkSize: 64 * 1024 });
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const data = randomBytes(100 * 1024);
  const started = await phasedStart(base, data.length, 'a.bin');
  const { boundary, fields, length: whole } = transferForm(started.end_offset);
  const silent = await silentAfter(
    base,
    rawHead('POST', `/phased/assets/${started.id}/multipart`, {
      ...auth,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(whole),
    }),
    Buffer.concat([Buffer.from(fields), data.subarray(0, 1000)]),
  );
  return { base, auth, data, started, silent };
}

/** The start of a phased transfer form, up to the file part's bytes, and the whole form's length for `bytes` of them. */
function transferForm(bytes: number): { boundary: string; fields: string; length: number } {
  const boundary = 'xXxBoundaryxXx';
  const fields = `--${boundary}\r\nContent-Disposition: form-data; name="upload_phase"\r\n\r\ntransfer\r\n--${boundary}\r\nContent-Disposition: form-data; name="start_offset"\r\n\r\n0\r\n--${boundary}\r\nContent-Disposition: form-data; name="file_chunk"; filename="c.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { boundary, fields, length: fields.length + bytes + `\r\n--${boundary}--\r\n`.length };
}

describe('a half-open connection mid-upload', () => {
  // The silent part's bytes are kept when it carries no Content-MD5 (the client then
  // resumes from there, as after any broken connection) and dropped when it does.
  for (const checked of [false, true]) {
    it(`content-range${checked ? ' with Content-MD5' : ''}: the status query answers at once and the next PUT releases the silent one`, T, async () => {
      const { base } = await apps.start();
      const data = randomBytes(2 * 1024 * 1024);
      const part = 1024 * 1024;
      const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('base64');
      const created = (await (
        await call(`${base}/content-range/videos/upload.json`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ file_size: data.length, file_name: 'clip.bin' }),
        })
      ).json()) as { location: string };
      const path = new URL(created.location).pathname;
      const silent = await silentAfter(
        base,
        rawHead('PUT', path, {
          'Content-Range': `bytes 0-${part - 1}/${data.length}`,
          'Content-Length': String(part),
          ...(checked ? { 'Content-MD5': md5(data.subarray(0, part)) } : {}),
        }),
        data.subarray(0, part / 2),
      );

      const status = await call(created.location, { method: 'PUT', headers: { 'Content-Range': `bytes */${data.length}` } });
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), null, 'nothing of the silent part is acknowledged while it runs');

      const first = await call(created.location, {
        method: 'PUT',
        headers: { 'Content-Range': `bytes 0-${part - 1}/${data.length}` },
        body: new Uint8Array(data.subarray(0, part)),
      });
      await within(silent.closed, 'the silent connection being closed');
      let offset = part;
      if (checked) {
        assert.equal(first.status, 204, await first.text());
        assert.equal(first.headers.get('range'), `0-${part - 1}`);
      } else {
        // Released, the silent part kept what it had received: the PUT from 0 is a stale one.
        assert.equal(first.status, 409, await first.text());
        const range = /^0-(\d+)$/.exec(first.headers.get('range') ?? '');
        assert.ok(range, `a Range after the kept bytes, got ${first.headers.get('range')}`);
        offset = Number(range[1]) + 1;
        assert.ok(offset > 0 && offset <= part / 2, `kept ${offset} bytes of the ${part / 2} sent`);
      }
      const last = await call(created.location, {
        method: 'PUT',
        headers: { 'Content-Range': `bytes ${offset}-${data.length - 1}/${data.length}` },
        body: new Uint8Array(data.subarray(offset)),
      });
      const asset = (await last.json()) as { url: string };
      assert.equal(last.status, 200);
      assert.equal(sha(new Uint8Array(await (await call(asset.url)).arrayBuffer())), sha(data));
    });
  }

  it('phased: the asset answers at once and the next transfer releases the silent one', T, async () => {
    const { base, auth, data, started, silent } = await phasedSilentTransfer();
    const asset = await call(`${base}/phased/assets/${started.id}`, { headers: auth });
    assert.equal(asset.status, 200);
    assert.equal(((await asset.json()) as { status: string }).status, 'uploading');

    let window = { start_offset: 0, end_offset: started.end_offset };
    while (window.start_offset !== window.end_offset) {
      const form = new FormData();
      form.append('upload_phase', 'transfer');
      form.append('start_offset', String(window.start_offset));
      form.append('file_chunk', new Blob([new Uint8Array(data.subarray(window.start_offset, window.end_offset))]), 'c.bin');
      const response = await call(`${base}/phased/assets/${started.id}/multipart`, { method: 'POST', headers: auth, body: form });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      window = JSON.parse(text) as typeof window;
    }
    await within(silent.closed, 'the silent connection being closed');
    const finish = await call(`${base}/phased/assets/${started.id}/multipart`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ upload_phase: 'finish' }),
    });
    assert.equal(finish.status, 200, await finish.text());
  });

  // DELETE, a rename (PUT) and a JSON finish once waited behind a silent transfer for
  // the whole idle timeout (120 s): only transfers released a silent holder.
  for (const what of ['DELETE', 'rename (PUT)', 'finish (JSON)'] as const) {
    it(`phased: a ${what} gets past a silent transfer`, T, async () => {
      const { base, auth, started, silent } = await phasedSilentTransfer();
      const asset = `${base}/phased/assets/${started.id}`;
      // A round trip that takes no lock: by its answer the server has read the silent
      // transfer's head, sent before it, and that transfer holds the lock.
      assert.equal((await call(asset, { headers: auth })).status, 200);
      if (what === 'DELETE') {
        const removed = await call(asset, { method: 'DELETE', headers: auth });
        assert.equal(removed.status, 204, await removed.text());
        assert.equal((await call(asset, { headers: auth })).status, 404);
      } else if (what === 'rename (PUT)') {
        const renamed = await call(asset, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'b.bin' }) });
        const text = await renamed.text();
        assert.equal(renamed.status, 200, text);
        assert.equal((JSON.parse(text) as { name: string }).name, 'b.bin');
      } else {
        // The silent transfer's part is dropped when it is let go: nothing is stored yet.
        const finish = await call(`${asset}/multipart`, {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ upload_phase: 'finish' }),
        });
        const text = await finish.text();
        assert.equal(finish.status, 409, text);
        assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'incomplete');
      }
      await within(silent.closed, 'the silent connection being closed');
    });
  }

  // A write that gave up while it waited behind the silent one (a client's stall timeout)
  // once got the lock after its 'close' had passed unheard: it waited for a body that
  // never came and held the upload for good; every later write stalled behind it.
  it('content-range and phased: a write whose client left while it waited does not keep the lock', T, async () => {
    const { base } = await apps.start({ phasedChunkSize: 64 * 1024 });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const data = randomBytes(64 * 1024);
    const created = (await (
      await call(`${base}/content-range/videos/upload.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ file_size: data.length, file_name: 'gone.bin' }),
      })
    ).json()) as { location: string };
    const started = await phasedStart(base, data.length, 'gone.bin');
    const { boundary, fields, length: formLength } = transferForm(data.length);
    const writes = [
      {
        head: rawHead('PUT', new URL(created.location).pathname, {
          'Content-Range': `bytes 0-${data.length - 1}/${data.length}`,
          'Content-Length': String(data.length),
        }),
        body: data,
      },
      {
        head: rawHead('POST', `/phased/assets/${started.id}/multipart`, {
          ...auth,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(formLength),
        }),
        body: Buffer.concat([Buffer.from(fields), data]),
      },
    ];
    for (const write of writes) {
      const silent = await silentAfter(base, write.head, write.body.subarray(0, 1000));
      // Queued behind the silent one, then gone (its stall timeout), before the lock frees.
      const leaving = await silentAfter(base, write.head, write.body.subarray(0, 1000));
      await new Promise((resolve) => setTimeout(resolve, 50));
      sockets.at(-1)!.destroy();
      await leaving.closed;
      silent.closed.catch(() => {});
    }
    // The silent PUTs carried no Content-MD5: what they sent is kept once they are let go,
    // which may be after this PUT asked; a 409 then says where to go on from (at most twice).
    let from = 0;
    let put = await call(created.location, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes 0-${data.length - 1}/${data.length}` },
      body: new Uint8Array(data),
    });
    for (let round = 0; put.status === 409 && round < 2; round++) {
      from = Number(/^0-(\d+)$/.exec(put.headers.get('range') ?? '')?.[1] ?? -1) + 1;
      assert.ok(from > 0 && from <= 1000, `the 409 names the kept bytes, got ${put.headers.get('range')}`);
      put = await call(created.location, {
        method: 'PUT',
        headers: { 'Content-Range': `bytes ${from}-${data.length - 1}/${data.length}` },
        body: new Uint8Array(data.subarray(from)),
      });
    }
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(sha(new Uint8Array(await (await call(((await put.json()) as { url: string }).url)).arrayBuffer())), sha(data));
    const form = new FormData();
    form.append('upload_phase', 'transfer');
    form.append('start_offset', '0');
    form.append('file_chunk', new Blob([new Uint8Array(data)]), 'c.bin');
    const transfer = await call(`${base}/phased/assets/${started.id}/multipart`, { method: 'POST', headers: auth, body: form });
    assert.equal(transfer.status, 200, await transfer.text());
  });

  for (const store of ['tus', 'tus-md5'] as const) {
    it(`${store}: HEAD answers at once and the next PATCH gets through, byte-identical at the end`, T, async () => {
      const { base } = await apps.start();
      const data = randomBytes(1024 * 1024);
      const created = await call(`${base}/${store}/files`, { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length) } });
      assert.equal(created.status, 201);
      const location = new URL(created.headers.get('location') ?? '', base).href;
      const silent = await silentAfter(
        base,
        rawHead('PATCH', new URL(location).pathname, {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(data.length),
        }),
        data.subarray(0, data.length / 2),
      );
      const tusHeaders = { 'Tus-Resumable': '1.0.0' };
      let offset = -1;
      for (let attempt = 0; attempt < 5 && offset !== data.length; attempt += 1) {
        const head = await call(location, { method: 'HEAD', headers: tusHeaders });
        assert.equal(head.status, 200);
        offset = Number(head.headers.get('upload-offset'));
        if (offset === data.length) break;
        const rest = data.subarray(offset);
        const patch = await call(location, {
          method: 'PATCH',
          headers: {
            ...tusHeaders,
            'Upload-Offset': String(offset),
            'Content-Type': 'application/offset+octet-stream',
            ...(store === 'tus-md5' ? { 'Upload-Checksum': `md5 ${createHash('md5').update(rest).digest('base64')}` } : {}),
          },
          body: new Uint8Array(rest),
        });
        await patch.body?.cancel();
        if (patch.status === 204) offset = Number(patch.headers.get('upload-offset'));
        else assert.equal(patch.status, 409, 'only an offset mismatch (the silent PATCH kept bytes meanwhile) may refuse it');
      }
      assert.equal(offset, data.length);
      assert.equal(sha(new Uint8Array(await (await call(location)).arrayBuffer())), sha(data));
      silent.closed.catch(() => {});
    });
  }
});
