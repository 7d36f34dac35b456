/**
 * Tests of the upload-session API (demo/server/session*.ts) through HTTP,
 * in-process, with zips made by yazl.
 *
 * Run: node --test --import tsx test/node/session/session.test.ts
 *
 * Every app listens on 127.0.0.1 port 0 with a temporary DATA_DIR and is
 * closed in `after`; every request and every poll has a time limit.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import yazl from 'yazl';
import { extractZip, ZipProblem } from '../../../demo/server/session/zip.js';
import { errorOf, fetchWithToken, harness, json } from '../support.js';
import type { Json } from '../support.js';

const T = { timeout: 10_000 };
const POLL_LIMIT_MS = 5_000;
const TOKEN = 'session-token';
const PUBLISH_ONLY = 'publish-only-token';
const KEY = 'test-signing-key-0123456789abcdef';
const HEX32 = /^[0-9a-f]{32}$/;

const md5Hex = (data: Uint8Array | string): string => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Uint8Array | string): string => createHash('md5').update(data).digest('base64');

const apps = harness('asset-uploader-session-', {
  closeGraceMs: 500,
  apiTokens: new Map([
    [TOKEN, new Set(['assets'])],
    [PUBLISH_ONLY, new Set(['assets_publish'])],
  ]),
  sessionSigningKey: KEY,
});
const { start, tempDir } = apps;

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

// ---------------------------------------------------------------------------
// Requests

interface FileAnswer {
  name: string;
  url: string;
}

interface Created {
  response_code: number;
  session_token: string;
  files: FileAnswer[];
  errors: { name: string | null; code: string; message: string }[];
}

interface StatusAsset {
  id: string;
  name: string;
  url: string;
  size: number;
  md5: string;
}

interface Status {
  files: { name: string; status: string; status_message?: string; assets: StatusAsset[] }[];
  errors: { name: string | null; code: string; message: string }[];
}

function call(url: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  return fetchWithToken(url, init, TOKEN);
}

function createRequest(base: string, files: unknown, token: string | null = TOKEN): Promise<Response> {
  return call(`${base}/session/v1/upload_sessions.json`, {
    method: 'POST',
    token,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ files }),
  });
}

async function createSession(base: string, names: string[]): Promise<Created> {
  return json<Created>(
    await createRequest(
      base,
      names.map((name) => ({ name })),
    ),
    200,
  );
}

/** PUT to a signed URL: no bearer token. */
function put(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Response> {
  const data = typeof body === 'string' ? body : new Uint8Array(body);
  return call(url, { method: 'PUT', token: null, headers, body: data });
}

function sessionUrl(base: string, token: string): string {
  return `${base}/session/v1/upload_sessions/${token}.json`;
}

async function commit(base: string, token: string): Promise<{ files: { name: string; status_code: number; status_message: string }[] }> {
  return json(await call(sessionUrl(base, token), { method: 'PUT' }), 200);
}

async function status(base: string, token: string): Promise<Status> {
  return json<Status>(await call(sessionUrl(base, token)), 200);
}

/** Polls until no file is waiting, uploaded or transcoding (bounded). */
async function settled(base: string, token: string): Promise<Status> {
  const deadline = Date.now() + POLL_LIMIT_MS;
  for (;;) {
    const current = await status(base, token);
    if (current.files.every((file) => file.status === 'done' || file.status === 'error')) return current;
    if (Date.now() > deadline) assert.fail(`session ${token} still in progress: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function download(url: string): Promise<{ bytes: Buffer; response: Response }> {
  const response = await call(url, { token: null });
  assert.equal(response.status, 200);
  return { bytes: Buffer.from(await response.arrayBuffer()), response };
}

/** A zip made with yazl; a name ending in "/" is an empty directory. */
function makeZip(entries: [string, Buffer | string][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(Buffer.from(data), name);
  }
  zip.end();
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

function signature(path: string, expires: number | string, key = KEY): string {
  return createHmac('sha256', key).update(`PUT\n${path}\n${expires}`).digest('hex');
}

// ---------------------------------------------------------------------------

describe('creating a session', () => {
  it('hands out a signed URL per good name and lists bad names in errors', T, async () => {
    const { base, dataDir } = await start();
    const before = Math.floor(Date.now() / 1000);
    const created = await json<Created>(
      await createRequest(base, [{ name: 'a.zip' }, { name: 'bad/name.zip' }, { name: 'a.zip' }, 'plain', { name: '' }]),
      200,
    );
    assert.equal(created.response_code, 200);
    assert.match(created.session_token, HEX32);
    assert.deepEqual(
      created.files.map((file) => file.name),
      ['a.zip', 'a.zip'],
    );
    created.files.forEach((file, index) => {
      const url = new URL(file.url);
      assert.equal(url.origin, base);
      assert.equal(url.pathname, `/session/v1/blobs/${created.session_token}/${index}`);
      const expires = Number(url.searchParams.get('expires'));
      assert.ok(expires >= before + 3600 && expires <= before + 3602, `expires ${expires}`);
      assert.equal(url.searchParams.get('signature'), signature(url.pathname, expires));
    });
    assert.deepEqual(
      created.errors.map((error) => [error.name, error.code]),
      [
        ['bad/name.zip', 'bad_file_name'],
        [null, 'bad_file_name'],
        ['', 'bad_file_name'],
      ],
    );
    for (const error of created.errors) assert.ok(error.message.length > 10);
    await stat(join(dataDir, 'session', `${created.session_token}.json`));

    const current = await status(base, created.session_token);
    assert.deepEqual(current.files, [
      { name: 'a.zip', status: 'waiting', assets: [] },
      { name: 'a.zip', status: 'waiting', assets: [] },
    ]);
    assert.equal(current.errors.length, 3);
  });

  it('refuses a request whose names are all bad, and malformed requests', T, async () => {
    const { base } = await start();
    const body = await errorOf(await createRequest(base, [{ name: '..' }, { name: 'x\u0001' }]), 400, 'bad_file_name');
    assert.equal((body['errors'] as unknown[]).length, 2);
    await errorOf(await createRequest(base, []), 400, 'malformed_body');
    await errorOf(await createRequest(base, 'a.zip'), 400, 'malformed_body');
    const many = Array.from({ length: 101 }, (_, index) => ({ name: `f${index}` }));
    await errorOf(await createRequest(base, many), 400, 'too_many_files');
    const form = await call(`${base}/session/v1/upload_sessions.json`, { method: 'POST', body: new URLSearchParams({ a: 'b' }) });
    await errorOf(form, 415, 'unsupported_media_type');
    const huge = await call(`${base}/session/v1/upload_sessions.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: [{ name: 'x'.repeat(70_000) }] }),
    });
    await errorOf(huge, 413, 'body_too_large');
    await errorOf(await call(`${base}/session/v1/upload_sessions.json`), 405, 'method_not_allowed');
  });

  it('needs a bearer token with the assets scope on create, commit and status', T, async () => {
    const { base } = await start();
    const { session_token: token } = await createSession(base, ['a.bin']);
    const unauthorized = async (response: Response): Promise<void> => {
      await errorOf(response, 401, 'unauthorized');
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
    };
    await unauthorized(await createRequest(base, [{ name: 'a.bin' }], null));
    await unauthorized(await createRequest(base, [{ name: 'a.bin' }], 'not-a-token'));
    await unauthorized(await call(sessionUrl(base, token), { token: null }));
    await unauthorized(await call(sessionUrl(base, token), { method: 'PUT', token: null }));
    await errorOf(await createRequest(base, [{ name: 'a.bin' }], PUBLISH_ONLY), 403, 'insufficient_scope');
    await errorOf(await call(sessionUrl(base, token), { token: PUBLISH_ONLY }), 403, 'insufficient_scope');
    // Nothing was committed by the refused requests.
    assert.equal((await status(base, token)).files[0]?.status, 'waiting');
    await errorOf(await call(sessionUrl(base, '0'.repeat(32))), 404, 'not_found');
    await errorOf(await call(sessionUrl(base, '0'.repeat(32)), { method: 'PUT' }), 404, 'not_found');
  });
});

describe('uploading to a signed URL', () => {
  it('stores the exact bytes and answers with size and md5; a repeat replaces them', T, async () => {
    const { base, dataDir } = await start();
    const created = await createSession(base, ['one.bin', 'two.bin', 'empty.txt']);
    const token = created.session_token;
    const [one, two, empty] = created.files as [FileAnswer, FileAnswer, FileAnswer];
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));

    assert.deepEqual(await json(await put(one.url, bytes, { 'Content-Type': 'application/x-anything' }), 200), {
      name: 'one.bin',
      size: bytes.length,
      md5: md5Hex(bytes),
    });
    assert.deepEqual(await readFile(join(dataDir, 'session', token, '0.bin')), bytes);
    assert.deepEqual(await json(await put(empty.url, '', { 'Content-Type': '' }), 200), { name: 'empty.txt', size: 0, md5: md5Hex('') });

    const current = await status(base, token);
    assert.deepEqual(
      current.files.map((file) => file.status),
      ['uploaded', 'waiting', 'uploaded'],
    );

    // A retry replaces the file.
    await json(await put(one.url, 'shorter'), 200);
    assert.equal(await readFile(join(dataDir, 'session', token, '0.bin'), 'utf8'), 'shorter');
    await json(await put(two.url, 'second', { 'Content-MD5': md5Base64('second') }), 200);
  });

  it('refuses a body whose Content-MD5 does not match, keeping nothing', T, async () => {
    const { base, dataDir } = await start();
    const created = await createSession(base, ['a.bin']);
    const url = (created.files[0] as FileAnswer).url;
    await errorOf(await put(url, 'hello', { 'Content-MD5': md5Base64('other') }), 400, 'bad_digest');
    await assert.rejects(stat(join(dataDir, 'session', created.session_token, '0.bin')), { code: 'ENOENT' });
    assert.equal((await status(base, created.session_token)).files[0]?.status, 'waiting');
    await errorOf(await put(url, 'hello', { 'Content-MD5': 'not-base64' }), 400, 'bad_content_md5');
  });

  it('refuses tampered and expired URLs, and other methods', T, async () => {
    const { base } = await start();
    const created = await createSession(base, ['a.bin', 'b.bin']);
    const url = new URL((created.files[0] as FileAnswer).url);
    const expires = url.searchParams.get('expires') ?? '';
    const sig = url.searchParams.get('signature') ?? '';
    const path = url.pathname;
    const other = `${base}/session/v1/blobs/${created.session_token}`;

    const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    await errorOf(await put(`${base}${path}?expires=${expires}&signature=${flipped}`, 'x'), 403, 'signature_invalid');
    await errorOf(await put(`${other}/1?expires=${expires}&signature=${sig}`, 'x'), 403, 'signature_invalid');
    const otherToken = `${base}/session/v1/blobs/${'f'.repeat(32)}/0?expires=${expires}&signature=${sig}`;
    await errorOf(await put(otherToken, 'x'), 403, 'signature_invalid');
    await errorOf(await put(`${base}${path}?expires=${Number(expires) + 1}&signature=${sig}`, 'x'), 403, 'signature_invalid');
    await errorOf(await put(`${base}${path}`, 'x'), 403, 'signature_invalid');
    await errorOf(await put(`${base}${path}?expires=${expires}&expires=${expires}&signature=${sig}`, 'x'), 403, 'signature_invalid');

    // A genuine signature over a past expiry (crafted with the configured key).
    const past = Math.floor(Date.now() / 1000) - 10;
    await errorOf(await put(`${base}${path}?expires=${past}&signature=${signature(path, past)}`, 'x'), 403, 'url_expired');
    // ... and the right key matters.
    const future = past + 1000;
    await errorOf(await put(`${base}${path}?expires=${future}&signature=${signature(path, future, 'another-key-0123456789')}`, 'x'), 403, 'signature_invalid');

    const get = await call(url.href, { token: null });
    await errorOf(get, 405, 'method_not_allowed');
    assert.equal(get.headers.get('allow'), 'PUT, OPTIONS');
    await errorOf(await call(url.href, { method: 'POST', token: null, body: 'x' }), 405, 'method_not_allowed');

    assert.deepEqual(
      (await status(base, created.session_token)).files.map((file) => file.status),
      ['waiting', 'waiting'],
    );
    await json(await put(url.href, 'x'), 200); // the genuine URL still works
  });

  it('expires URLs after the configured lifetime (sessionUrlTtl)', T, async () => {
    const { base } = await start({ sessionUrlTtl: 1 });
    const created = await createSession(base, ['a.bin']);
    const url = (created.files[0] as FileAnswer).url;
    assert.ok(Number(new URL(url).searchParams.get('expires')) <= Math.floor(Date.now() / 1000) + 1);
    await json(await put(url, 'in time'), 200);
    // Valid until the end of second `expires`: at most about 2 s.
    const deadline = Date.now() + 3_500;
    for (;;) {
      const response = await put(url, 'late');
      if (response.status === 403) {
        await errorOf(response, 403, 'url_expired');
        break;
      }
      await json(response, 200);
      assert.ok(Date.now() < deadline, 'the URL should have expired');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it('lets a browser preflight a PUT with Content-Type and Content-MD5', T, async () => {
    const { base } = await start({ corsOrigins: ['http://example.test'] });
    const created = await createSession(base, ['a.bin']);
    const response = await call((created.files[0] as FileAnswer).url, {
      method: 'OPTIONS',
      token: null,
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type, content-md5',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'http://example.test');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /\bPUT\b/);
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    assert.match(allowed, /content-type/);
    assert.match(allowed, /content-md5/);
  });

  it('refuses a file larger than maxFileSize', T, async () => {
    const { base } = await start({ maxFileSize: 10 });
    const created = await createSession(base, ['a.bin']);
    const url = (created.files[0] as FileAnswer).url;
    await errorOf(await put(url, '01234567890'), 413, 'file_too_large');
    await json(await put(url, '0123456789'), 200);
  });
});

describe('committing and processing', () => {
  it('turns zips into one asset per entry and other files into one asset', T, async () => {
    const { base } = await start();
    const readme = 'read me\n';
    const model = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31) % 251));
    const texture = Buffer.alloc(20_000, 9);
    const zip = await makeZip([
      ['readme.txt', readme],
      ['models/', ''],
      ['models/model.obj', model],
      ['textures/deep/texture.png', texture],
    ]);
    const mixed = await makeZip([
      ['bad\u0001name.txt', 'refused'],
      ['good.txt', 'kept'],
    ]);
    const notes = 'just a text file';
    const broken = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 0x41)]);
    const names = ['scene.zip', 'notes.txt', 'missing.bin', 'broken.zip', 'MIXED.ZIP'];
    const created = await createSession(base, names);
    const token = created.session_token;
    const urls = created.files.map((file) => file.url);
    await json(await put(urls[0] ?? '', zip, { 'Content-Type': 'application/zip', 'Content-MD5': md5Base64(zip) }), 200);
    await json(await put(urls[1] ?? '', notes), 200);
    await json(await put(urls[3] ?? '', broken), 200);
    await json(await put(urls[4] ?? '', mixed), 200);

    const committed = await commit(base, token);
    assert.deepEqual(committed.files, [
      { name: 'scene.zip', status_code: 200, status_message: 'OK' },
      { name: 'notes.txt', status_code: 200, status_message: 'OK' },
      { name: 'missing.bin', status_code: 400, status_message: 'The file was not uploaded.' },
      { name: 'broken.zip', status_code: 200, status_message: 'OK' },
      { name: 'MIXED.ZIP', status_code: 200, status_message: 'OK' },
    ]);
    await errorOf(await call(sessionUrl(base, token), { method: 'PUT' }), 409, 'session_committed');
    await errorOf(await put(urls[2] ?? '', 'late'), 409, 'session_committed');

    const done = await settled(base, token);
    const [scene, text, missing, bad, mixedFile] = done.files as [Status['files'][number], ...Status['files']];
    assert.ok(mixedFile && bad && missing && text);

    assert.equal(scene.status, 'done');
    assert.deepEqual(
      scene.assets.map((asset) => asset.name),
      ['readme.txt', 'model.obj', 'texture.png'],
    );
    const expected = [Buffer.from(readme), model, texture];
    for (const [index, asset] of scene.assets.entries()) {
      assert.match(asset.id, HEX32);
      assert.equal(asset.url, `${base}/session/v1/assets/${asset.id}`);
      const { bytes, response } = await download(asset.url);
      assert.deepEqual(bytes, expected[index]);
      assert.equal(asset.size, bytes.length);
      assert.equal(asset.md5, md5Hex(bytes));
      assert.equal(response.headers.get('content-length'), String(bytes.length));
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.match(response.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="${asset.name}"`));
    }

    assert.equal(text.status, 'done');
    assert.equal(text.assets.length, 1);
    assert.equal(text.assets[0]?.name, 'notes.txt');
    assert.equal((await download(text.assets[0]?.url ?? '')).bytes.toString(), notes);

    assert.deepEqual(missing, { name: 'missing.bin', status: 'error', status_message: 'The file was not uploaded.', assets: [] });

    assert.equal(bad.status, 'error');
    assert.match(bad.status_message ?? '', /broken\.zip.*zip/i);
    assert.deepEqual(bad.assets, []);

    assert.equal(mixedFile.status, 'done');
    assert.deepEqual(
      mixedFile.assets.map((asset) => asset.name),
      ['good.txt'],
    );
    assert.equal((await download(mixedFile.assets[0]?.url ?? '')).bytes.toString(), 'kept');

    assert.deepEqual(
      done.errors.map((error) => [error.name, error.code]),
      [
        ['missing.bin', 'not_uploaded'],
        ['broken.zip', 'bad_zip'],
        ['bad\u0001name.txt', 'bad_file_name'],
      ],
    );

    await errorOf(await call(`${base}/session/v1/assets/${'0'.repeat(32)}`, { token: null }), 404, 'not_found');
    const head = await call(scene.assets[0]?.url ?? '', { method: 'HEAD', token: null });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(readme)));
  });

  it('keeps nothing of a zip that turns out to be damaged halfway', T, async () => {
    const { base, dataDir } = await start();
    const zip = lie(
      await makeZip([
        ['first.txt', 'fine'],
        ['second.bin', Buffer.alloc(50_000, 1)],
      ]),
      4,
    );
    const created = await createSession(base, ['half.zip']);
    await json(await put(created.files[0]?.url ?? '', zip), 200);
    await commit(base, created.session_token);
    const done = await settled(base, created.session_token);
    assert.equal(done.files[0]?.status, 'error');
    assert.match(done.files[0]?.status_message ?? '', /"half\.zip" is damaged/);
    assert.deepEqual(done.files[0]?.assets, []);
    assert.deepEqual(await readdir(join(dataDir, 'session', 'assets')), []);
  });

  it('survives a restart between upload and commit (records, bytes and the generated key)', T, async () => {
    const dataDir = await tempDir();
    const first = await start({ dataDir, sessionSigningKey: undefined });
    const created = await createSession(first.base, ['a.txt', 'b.zip']);
    const token = created.session_token;
    const zip = await makeZip([
      ['inner/x.txt', 'x'],
      ['y.txt', 'yy'],
    ]);
    await json(await put(created.files[0]?.url ?? '', 'alpha'), 200);
    await first.app.close();

    const keyFile = await stat(join(dataDir, 'session', 'signing.key'));
    assert.equal(keyFile.mode & 0o777, 0o600);

    const second = await start({ dataDir, sessionSigningKey: undefined });
    assert.deepEqual(
      (await status(second.base, token)).files.map((file) => file.status),
      ['uploaded', 'waiting'],
    );
    // A URL handed out before the restart still works (same key), on the new port.
    const old = new URL(created.files[1]?.url ?? '');
    await json(await put(`${second.base}${old.pathname}${old.search}`, zip), 200);
    await commit(second.base, token);
    const done = await settled(second.base, token);
    assert.deepEqual(
      done.files.map((file) => file.status),
      ['done', 'done'],
    );
    assert.equal((await download(done.files[0]?.assets[0]?.url ?? '')).bytes.toString(), 'alpha');
    assert.deepEqual(
      done.files[1]?.assets.map((asset) => [asset.name, asset.size]),
      [
        ['x.txt', 1],
        ['y.txt', 2],
      ],
    );
  });

  it('resumes processing interrupted by a restart, rewriting the same assets', T, async () => {
    const dataDir = await tempDir();
    const first = await start({ dataDir });
    const created = await createSession(first.base, ['a.zip']);
    const token = created.session_token;
    await json(
      await put(
        created.files[0]?.url ?? '',
        await makeZip([
          ['a.txt', 'a'],
          ['b.txt', 'b'],
        ]),
      ),
      200,
    );
    await commit(first.base, token);
    const done = await settled(first.base, token);
    const ids = done.files[0]?.assets.map((asset) => asset.id);
    await first.app.close();

    // As if the server had stopped mid-way: the file is back to transcoding, without assets.
    const recordPath = join(dataDir, 'session', `${token}.json`);
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as { files: Json[] };
    record.files[0] = { ...record.files[0], status: 'transcoding', assets: [] };
    await writeFile(recordPath, JSON.stringify(record));

    const second = await start({ dataDir });
    const again = await settled(second.base, token);
    assert.equal(again.files[0]?.status, 'done');
    assert.deepEqual(
      again.files[0]?.assets.map((asset) => asset.id),
      ids,
    );
    assert.equal((await download(again.files[0]?.assets[1]?.url ?? '')).bytes.toString(), 'b');
  });
});

/** Rewrites the uncompressed size of every entry in the zip's central directory. */
function lie(zip: Buffer, size: number): Buffer {
  const copy = Buffer.from(zip);
  for (let at = copy.indexOf(CENTRAL); at !== -1; at = copy.indexOf(CENTRAL, at + 4)) copy.writeUInt32LE(size, at + 24);
  return copy;
}
const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

describe('zip limits', () => {
  async function zipFile(entries: [string, Buffer | string][]): Promise<string> {
    const path = join(await tempDir(), 'test.zip');
    await writeFile(path, await makeZip(entries));
    return path;
  }

  const ignore = {
    file: async (_n: number, _name: string, chunks: AsyncIterable<Buffer>) => {
      for await (const _ of chunks);
    },
    refused() {},
  };

  it('caps the number of entries', T, async () => {
    const path = await zipFile([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
    await assert.rejects(
      extractZip(path, 'test.zip', { maxEntries: 2, maxBytes: 1000 }, new AbortController().signal, ignore),
      (err: unknown) => err instanceof ZipProblem && /more than 2 entries/.test(err.message),
    );
  });

  it('caps the unpacked bytes', T, async () => {
    const path = await zipFile([
      ['small.bin', Buffer.alloc(60_000)],
      ['zeros.bin', Buffer.alloc(60_000)],
    ]);
    assert.ok((await stat(path)).size < 2_000, 'the entries compress well');
    await assert.rejects(
      extractZip(path, 'test.zip', { maxEntries: 10, maxBytes: 100_000 }, new AbortController().signal, ignore),
      (err: unknown) => err instanceof ZipProblem && /more than 100000 bytes/.test(err.message),
    );
  });

  it('does not trust a header that understates the unpacked size', T, async () => {
    const path = join(await tempDir(), 'lying.zip');
    await writeFile(path, lie(await makeZip([['zeros.bin', Buffer.alloc(200_000)]]), 1000));
    const seen: number[] = [];
    const counting = {
      ...ignore,
      file: async (_n: number, _name: string, chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) seen.push(chunk.length);
      },
    };
    await assert.rejects(
      extractZip(path, 'lying.zip', { maxEntries: 10, maxBytes: 100_000 }, new AbortController().signal, counting),
      (err: unknown) => err instanceof ZipProblem && /lying\.zip" is damaged/.test(err.message),
    );
    assert.ok(seen.reduce((a, b) => a + b, 0) <= 100_000);
  });
});
