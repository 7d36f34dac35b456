/**
 * Every download route of the reference server, treated alike (issue 9, defects 1
 * and 6): many concurrent and repeated GETs and HEADs, GETs aborted mid-body, and
 * names that are hard to put into a header; afterwards the server still answers and
 * serves the exact bytes.
 *
 * Run: node --test --import tsx test/node/core/downloads.test.ts
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';
import { everyDownload, TOKENS, tusFile } from '../support-uploads.js';

const T = { timeout: 60_000 };
const apps = harness('asset-uploader-downloads-', { closeGraceMs: 500, apiTokens: TOKENS });

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

function get(url: string, method = 'GET'): Promise<Response> {
  return fetch(url, { method, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

/** A GET whose client goes away after the first chunk of the body. */
function abortedGet(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { timeout: REQUEST_TIMEOUT_MS }, (response) => {
      response.once('data', () => {
        request.destroy();
        resolve();
      });
      response.once('end', resolve);
      response.on('error', () => resolve());
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (err) => (request.destroyed ? resolve() : reject(err)));
    request.end();
  });
}

function checkDownloadHeaders(route: string, response: Response, size: number): void {
  assert.equal(response.headers.get('content-type'), 'application/octet-stream', route);
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff', route);
  assert.equal(response.headers.get('content-length'), String(size), route);
  assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/, route);
}

describe('downloads on every route', () => {
  it('survive concurrent and repeated GETs and HEADs and aborted GETs, and keep serving the exact bytes', T, async () => {
    const { base } = await apps.start();
    const data = randomBytes(3 * 1024 * 1024);
    const routes = await everyDownload(base, 'clip.bin', data);
    for (const [route, url] of routes) {
      const rounds: Promise<unknown>[] = [];
      for (let i = 0; i < 8; i += 1) {
        rounds.push(get(url).then(async (response) => assert.equal(sha(new Uint8Array(await response.arrayBuffer())), sha(data), route)));
        rounds.push(get(url, 'HEAD').then((response) => checkDownloadHeaders(route, response, data.length)));
        rounds.push(abortedGet(url));
      }
      await Promise.all(rounds);
      for (let i = 0; i < 3; i += 1) {
        await abortedGet(url);
        const response = await get(url);
        checkDownloadHeaders(route, response, data.length);
        assert.equal(sha(new Uint8Array(await response.arrayBuffer())), sha(data), route);
      }
    }
    // Still answering after all of it.
    const last = await get(routes.get('tus')!);
    assert.equal(last.status, 200);
    await last.body?.cancel();
  });

  it('name every download with an RFC 6266 filename* and an ASCII fallback, whatever the name', T, async () => {
    const { base } = await apps.start();
    const data = Buffer.from('hello');
    // Names with "/", "\\" or controls are refused at creation by most APIs (core/names.ts); tus takes any (next test).
    const name = '日本語 "100%" ;.pdf';
    const routes = await everyDownload(base, name, data);
    for (const [route, url] of routes) {
      const response = await get(url);
      assert.equal(response.status, 200, route);
      checkDownloadHeaders(route, response, data.length);
      const disposition = response.headers.get('content-disposition') ?? '';
      assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? ''), name, route);
      assert.match(disposition, /^attachment; filename="[^"]*"/, route);
      await response.body?.cancel();
    }
  });

  it('serve a tus upload named with CR/LF, quotes, % and a backslash without a 500 or an injected header', T, async () => {
    const { base } = await apps.start();
    const names = ['evil\r\nSet-Cookie: a=b.txt', 'a"b.txt', '100%.txt', 'c:\\x.txt', '日本語.pdf', '\u202egpj.exe'];
    for (const store of ['tus', 'tus-md5'] as const) {
      for (const name of names) {
        const url = await tusFile(base, store, name, Buffer.from('hi'));
        const response = await get(url);
        assert.equal(response.status, 200, name);
        assert.equal(response.headers.get('set-cookie'), null, name);
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        const disposition = response.headers.get('content-disposition') ?? '';
        assert.ok(!/[\r\n]/.test(disposition), disposition);
        assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? ''), name);
        assert.equal(await response.text(), 'hi');
      }
    }
  });

  it('answer 404 for an unfinished or unknown tus upload and for ids that are not ids', T, async () => {
    const { base } = await apps.start();
    const created = await fetch(`${base}/tus/files`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const location = new URL(created.headers.get('location') ?? '', base).href;
    for (const url of [location, `${base}/tus/files/${'0'.repeat(32)}`, `${base}/tus/files/..%2F..%2Fetc`, `${base}/tus/files/../content-range`]) {
      const response = await get(url);
      assert.equal(response.status, 404, url);
      await response.body?.cancel();
    }
  });
});
