/**
 * Tests of the signed-parts API in the embedded mode (demo/server/signed-parts*.ts)
 * through HTTP, in-process.
 *
 * Run: node --test --import tsx test/node/signed-parts/signed-parts.test.ts
 *
 * Every app listens on 127.0.0.1 port 0 with a temporary DATA_DIR and is
 * closed in `after`; every request has a time limit.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { authorization } from '../../../demo/server/signed-parts/sign.js';
import { errorOf, fetchWithToken, harness, json, REQUEST_TIMEOUT_MS } from '../support.js';
import type { Json } from '../support.js';

const T = { timeout: 10_000 };
const TOKEN = 'parts-token';
const PUBLISH_ONLY = 'publish-only-token';
const KEY = 'test-signed-parts-key-0123456789';
const MIB = 1024 * 1024;

const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Uint8Array): string => createHash('md5').update(data).digest('base64');

const apps = harness('asset-uploader-signed-parts-', {
  closeGraceMs: 500,
  apiTokens: new Map([
    [TOKEN, new Set(['assets'])],
    [PUBLISH_ONLY, new Set(['assets_publish'])],
  ]),
  signedPartsKey: KEY,
});
const { start } = apps;

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

interface Part {
  part_number: number;
  url: string;
  date: string;
  authorization: string;
  expires_at: string;
}

interface Upload {
  id: string;
  user_id: number;
  state: string;
  type: string;
  expires_at: string;
  part: Part;
}

const api = (base: string, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> =>
  fetchWithToken(`${base}/signed-parts/api/v1${path}`, init, TOKEN);

async function create(base: string, body: Json): Promise<Upload> {
  const response = await api(base, '/uploads', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return json<Upload>(response, 201);
}

async function partOf(base: string, id: string, partNumber: number, md5sum?: string): Promise<Part> {
  const query = `part_number=${partNumber}${md5sum === undefined ? '' : `&md5sum=${encodeURIComponent(md5sum)}`}`;
  return (await json<Upload>(await api(base, `/uploads/${id}/parts?${query}`), 200)).part;
}

/** PUTs `body` with exactly the part's headers (and Content-MD5 when given), no bearer. */
function put(part: Part, body: Buffer, contentMd5?: string, url = part.url, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'PUT',
    headers: {
      'Content-Type': '',
      Authorization: part.authorization,
      'x-amz-date': part.date,
      ...(contentMd5 === undefined ? {} : { 'Content-MD5': contentMd5 }),
      ...headers,
    },
    body: new Uint8Array(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

async function s3Error(response: Response, status: number, code: string, message?: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get('content-type'), 'application/xml');
  assert.match(text, new RegExp(`^<\\?xml version="1.0" encoding="UTF-8"\\?><Error><Code>${code}</Code><Message>[^<]+</Message></Error>$`));
  if (message !== undefined) assert.ok(text.includes(`<Message>${message}</Message>`), text);
}

async function finish(base: string, id: string): Promise<Response> {
  return api(base, `/uploads/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'finished' }) });
}

async function listing(base: string, id: string): Promise<{ state: string; parts: { part_number: number; size: number; etag: string }[] }> {
  return json(await api(base, `/uploads/${id}`), 200);
}

const big1 = randomBytes(5 * MIB);
const big2 = randomBytes(5 * MIB);
const tail = randomBytes(12_345);
const whole = Buffer.concat([big1, big2, tail]);

describe('signed-parts: the happy path', () => {
  it('creates, PUTs three parts with the signed headers, lists, finishes and downloads', T, async () => {
    const { base } = await start();
    const created = await create(base, { content_type: 'application/octet-stream', file_name: 'big.bin', file_size: whole.length, md5sum: md5Base64(big1) });
    assert.match(created.id, /^[0-9a-f]{32}$/);
    assert.equal(created.user_id, 1);
    assert.equal(created.state, 'new');
    assert.equal(created.type, 'upload');
    assert.equal(created.part.part_number, 1);
    assert.equal(created.part.url, `${base}/signed-parts/store/${created.id}/1`);
    assert.match(created.part.authorization, /^ASU1 [0-9a-f]{64}$/);
    assert.equal(created.part.authorization, authorization(Buffer.from(KEY), 'PUT', `/signed-parts/store/${created.id}/1`, md5Base64(big1), created.part.date));
    assert.equal(created.expires_at, created.part.expires_at);
    assert.equal(Date.parse(created.part.expires_at) - Date.parse(created.part.date), 900_000);

    const r1 = await put(created.part, big1, md5Base64(big1));
    assert.equal(r1.status, 200, await r1.text());
    assert.equal(r1.headers.get('etag'), `"${md5Hex(big1)}"`);
    const p2 = await partOf(base, created.id, 2);
    const r2 = await put(p2, big2);
    assert.equal(r2.status, 200, await r2.text());
    assert.equal(r2.headers.get('etag'), `"${md5Hex(big2)}"`);
    const p3 = await partOf(base, created.id, 3, md5Base64(tail));
    const r3 = await put(p3, tail, md5Base64(tail));
    assert.equal(r3.status, 200, await r3.text());

    const listed = await listing(base, created.id);
    assert.deepEqual(listed.parts, [
      { part_number: 1, size: big1.length, etag: `"${md5Hex(big1)}"` },
      { part_number: 2, size: big2.length, etag: `"${md5Hex(big2)}"` },
      { part_number: 3, size: tail.length, etag: `"${md5Hex(tail)}"` },
    ]);

    const done = await json(await finish(base, created.id), 200);
    assert.deepEqual(done, {
      id: created.id,
      user_id: 1,
      state: 'finished',
      type: 'upload',
      file_name: 'big.bin',
      file_size: whole.length,
      etag: `${createHash('md5')
        .update(Buffer.concat([big1, big2, tail].map((part) => createHash('md5').update(part).digest())))
        .digest('hex')}-3`,
      bucket: 'embedded',
      object_key: `signed-parts/${created.id}`,
      url: `${base}/signed-parts/files/${created.id}`,
    });
    assert.deepEqual(await json(await finish(base, created.id), 200), done, 'finishing again answers the same');
    await errorOf(await api(base, `/uploads/${created.id}/parts?part_number=4`), 409, 'upload_finished');
    await s3Error(await put(p3, tail, md5Base64(tail)), 404, 'NoSuchUpload');

    const download = await fetch(done['url'] as string, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(whole));
    const head = await fetch(done['url'] as string, { method: 'HEAD', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(head.headers.get('content-length'), String(whole.length));
  });
});

describe("signed-parts: the seed's own steps", () => {
  it('creates with the three required members, PUTs with the three headers, fetches part 2, finishes with the documented body', T, async () => {
    const { base } = await start();
    const first = randomBytes(5 * MIB);
    const second = Buffer.from('the rest');
    const created = await create(base, { content_type: 'text/plain', file_name: 'notes.txt', file_size: first.length + second.length });
    // Step 1's answer: the members and formats the seed shows.
    assert.deepEqual(Object.keys(created), ['id', 'user_id', 'state', 'type', 'expires_at', 'part']);
    assert.match(created.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'ISO 8601 to the second, as "2014-04-30T14:44:48Z"');
    assert.match(created.part.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.part.part_number, 1, 'the part of a create without part_number is the first');
    // "You need to set the following headers": Content-Type "", Authorization, x-amz-date; nothing else.
    const one = await put(created.part, first);
    assert.equal(one.status, 200, await one.text());
    const next = await json<Upload>(await api(base, `/uploads/${created.id}/parts?part_number=2`), 200);
    assert.deepEqual(Object.keys(next), ['id', 'user_id', 'state', 'type', 'expires_at', 'part']);
    assert.match(next.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const two = await put(next.part, second);
    assert.equal(two.status, 200, await two.text());
    // Step 3's data lists `id` beside `state`; a body carrying it is taken.
    const done = await json(
      await api(base, `/uploads/${created.id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ id: created.id, state: 'finished' }),
      }),
      200,
    );
    assert.deepEqual([done['id'], done['user_id'], done['state'], done['type']], [created.id, 1, 'finished', 'upload']);
  });
});

describe('signed-parts: the store verifies like S3', () => {
  it('refuses a tampered part number or path, a Content-MD5 not signed, a bad body digest and an expired date', T, async () => {
    const { base, dataDir } = await start();
    const data = Buffer.from('hello, parts');
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 100, md5sum: md5Base64(data) });
    const part = created.part;

    await s3Error(await put(part, data, md5Base64(data), part.url.replace(/\/1$/, '/2')), 403, 'SignatureDoesNotMatch');
    await s3Error(await put(part, data, md5Base64(data), part.url.replace('/store/', '/store/x/')), 403, 'SignatureDoesNotMatch');
    await s3Error(await put(part, data), 403, 'SignatureDoesNotMatch'); // signed with Content-MD5, sent without
    const other = Buffer.from('other bytes');
    await s3Error(await put(part, other, md5Base64(other)), 403, 'SignatureDoesNotMatch');
    await s3Error(await put(part, data, md5Base64(data), part.url, { Authorization: `ASU1 ${'0'.repeat(64)}` }), 403, 'SignatureDoesNotMatch');
    await s3Error(await put(part, data, md5Base64(data), part.url, { 'x-amz-date': new Date(Date.now() + 1000).toUTCString() }), 403, 'SignatureDoesNotMatch');

    // Signed with a Content-MD5 the body does not have: nothing kept.
    const lie = await partOf(base, created.id, 2, md5Base64(other));
    await s3Error(await put(lie, data, md5Base64(other)), 400, 'BadDigest');
    assert.deepEqual((await listing(base, created.id)).parts, []);
    assert.deepEqual(await readdir(join(dataDir, 'signed-parts', created.id)), []);

    // An old date, genuinely signed with the key.
    const date = new Date(Date.now() - 901_000).toUTCString();
    const path = `/signed-parts/store/${created.id}/1`;
    const old = { ...part, date, authorization: authorization(Buffer.from(KEY), 'PUT', path, '', date) };
    await s3Error(await put(old, data), 403, 'AccessDenied', 'Request has expired');
    const junk = 'not a date';
    const unparsable = { ...part, date: junk, authorization: authorization(Buffer.from(KEY), 'PUT', path, '', junk) };
    await s3Error(await put(unparsable, data), 403, 'AccessDenied', 'Request has expired');

    // Unknown upload (genuinely signed).
    const ghost = `/signed-parts/store/${'a'.repeat(32)}/1`;
    const ghostPart = { ...part, url: `${base}${ghost}`, authorization: authorization(Buffer.from(KEY), 'PUT', ghost, '', part.date) };
    await s3Error(await put(ghostPart, data), 404, 'NoSuchUpload');

    // The genuine request works, needs no bearer, and a repeat replaces the part.
    const ok = await put(part, data, md5Base64(data));
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '');
    const again = await put(part, data, md5Base64(data));
    assert.equal(again.status, 200);
    assert.deepEqual((await listing(base, created.id)).parts, [{ part_number: 1, size: data.length, etag: `"${md5Hex(data)}"` }]);
  });

  it('expires parts after the TTL option', T, async () => {
    const { base } = await start({ signedPartsTtl: 1 });
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 3 });
    assert.equal(Date.parse(created.part.expires_at) - Date.parse(created.part.date), 1000);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await s3Error(await put(created.part, Buffer.from('abc')), 403, 'AccessDenied', 'Request has expired');
  });
});

describe('signed-parts: creating', () => {
  it("refuses a file_size above S3's 5 TiB object limit, in the seed's error shape", T, async () => {
    const { base } = await start();
    const over = await errorOf(
      await api(base, '/uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ content_type: 'video/mp4', file_name: 'huge.mp4', file_size: 5 * 1024 ** 4 + 1 }),
      }),
      413,
      'file_too_large',
    );
    assert.equal((over as { errors: string[] }).errors[0], 'file_size');
    assert.match((over as { errors: string[] }).errors[1]!, /5 TiB/);
    // Exactly 5 TiB is an S3 object: refused only for want of disk here (507), not as too large.
    await errorOf(
      await api(base, '/uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ content_type: 'video/mp4', file_name: 'edge.mp4', file_size: 5 * 1024 ** 4 }),
      }),
      507,
      'insufficient_storage',
    );
  });
});

describe('signed-parts: finishing', () => {
  // Each part was limited to file_size alone, so 10,000 parts could store 10,000 times
  // what the upload reserved.
  it('keeps at most file_size bytes in all parts: a part past what the others leave is refused and not kept', T, async () => {
    const { base } = await start();
    const data = randomBytes(1000);
    const upload = await create(base, { content_type: 'text/plain', file_name: 'd.txt', file_size: data.length });
    assert.equal((await put(upload.part, data.subarray(0, 600))).status, 200);
    const second = await partOf(base, upload.id, 2);
    await s3Error(await put(second, data.subarray(0, 401)), 400, 'EntityTooLarge');
    // A chunked body has no length to refuse by: refused once its bytes pass the limit.
    const chunked = await fetch(second.url, {
      method: 'PUT',
      headers: { 'Content-Type': '', Authorization: second.authorization, 'x-amz-date': second.date },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(data.subarray(0, 401)));
          controller.close();
        },
      }),
      duplex: 'half',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    } as RequestInit);
    await s3Error(chunked, 400, 'EntityTooLarge');
    assert.deepEqual(
      (await listing(base, upload.id)).parts.map((p) => [p.part_number, p.size]),
      [[1, 600]],
    );
    // Part 1 sent again, larger: the others (none) leave it the whole file_size.
    assert.equal((await put(upload.part, data.subarray(0, 1000))).status, 200);
    await s3Error(await put(second, data.subarray(0, 1)), 400, 'EntityTooLarge');
    const done = await finish(base, upload.id);
    assert.equal(done.status, 200, await done.text());
  });

  it('refuses no parts, a small middle part and a missing part', T, async () => {
    const { base } = await start();
    const a = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 10 });
    const none = await errorOf(await finish(base, a.id), 400, 'no_parts');
    assert.deepEqual((none as { errors: unknown }).errors, ['state', 'There are no parts upload to finish it'], "the seed's own error document");
    await errorOf(
      await api(base, `/uploads/${a.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"state":"new"}' }),
      400,
      'bad_state',
    );

    const small = randomBytes(1000);
    const b = await create(base, { content_type: 'text/plain', file_name: 'b.txt', file_size: small.length + tail.length });
    assert.equal((await put(b.part, small)).status, 200);
    assert.equal((await put(await partOf(base, b.id, 2), tail)).status, 200);
    const tooSmall = await errorOf(await finish(base, b.id), 400, 'part_too_small');
    assert.match((tooSmall['error'] as { message: string }).message, /Part 1 /);

    const c = await create(base, { content_type: 'text/plain', file_name: 'c.txt', file_size: big1.length * 2 + tail.length });
    assert.equal((await put(c.part, big1)).status, 200);
    assert.equal((await put(await partOf(base, c.id, 3), tail)).status, 200);
    const missing = await errorOf(await finish(base, c.id), 400, 'incomplete_parts');
    assert.match((missing['error'] as { message: string }).message, /Part 2 /);
    assert.equal((await listing(base, c.id)).state, 'new');
  });
});

describe('signed-parts: requests', () => {
  it('needs a bearer with the assets scope on the API and validates its input', T, async () => {
    const { base } = await start();
    const body = JSON.stringify({ content_type: 'text/plain', file_name: 'a.txt', file_size: 1 });
    const headers = { 'Content-Type': 'application/json' };
    await errorOf(await api(base, '/uploads', { method: 'POST', headers, body, token: null }), 401, 'unauthorized');
    await errorOf(await api(base, '/uploads', { method: 'POST', headers, body, token: PUBLISH_ONLY }), 403, 'insufficient_scope');
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 1, part_number: 7 });
    assert.equal(created.part.part_number, 7);
    await errorOf(await api(base, `/uploads/${created.id}`, { token: null }), 401, 'unauthorized');
    await errorOf(await api(base, `/uploads/${created.id}/parts?part_number=0`), 400, 'bad_part_number');
    await errorOf(await api(base, `/uploads/${created.id}/parts?part_number=10001`), 400, 'bad_part_number');
    await errorOf(await api(base, `/uploads/${created.id}/parts`), 400, 'bad_part_number');
    await errorOf(await api(base, `/uploads/${created.id}/parts?part_number=2&md5sum=abc`), 400, 'bad_md5sum');
    await errorOf(await api(base, `/uploads/${'b'.repeat(32)}/parts?part_number=2`), 404, 'not_found');
    const post = (value: Json): Promise<Response> => api(base, '/uploads', { method: 'POST', headers, body: JSON.stringify(value) });
    await errorOf(await post({ content_type: 'text/plain', file_name: 'a/b', file_size: 1 }), 400, 'bad_file_name');
    await errorOf(await post({ content_type: 'text/plain', file_name: 'a', file_size: -1 }), 400, 'bad_file_size');
    await errorOf(await post({ content_type: 'text/plain', file_name: 'a', file_size: 1.5 }), 400, 'bad_file_size');
    await errorOf(await post({ file_name: 'a', file_size: 1 }), 400, 'bad_content_type');
    await errorOf(await post({ content_type: 'text/plain', file_name: 'a', file_size: 1, md5sum: 'x' }), 400, 'bad_md5sum');
    await errorOf(await post({ content_type: 'text/plain', file_name: 'a', file_size: 1, part_number: 0 }), 400, 'bad_part_number');
    const limited = await start({ maxFileSize: 10 });
    const tooBig = await fetchWithToken(
      `${limited.base}/signed-parts/api/v1/uploads`,
      { method: 'POST', headers, body: JSON.stringify({ content_type: 'a/b', file_name: 'a', file_size: 11 }) },
      TOKEN,
    );
    await errorOf(tooBig, 413, 'file_too_large');
  });

  it('allows the part PUT headers in a CORS preflight and exposes ETag', T, async () => {
    const { base } = await start();
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 1 });
    const preflight = await fetch(created.part.url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://example.test',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'authorization,x-amz-date,content-md5,content-type',
      },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://example.test');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /\bPUT\b/);
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/);
    for (const name of ['authorization', 'x-amz-date', 'content-md5', 'content-type']) assert.ok(allowed.includes(name), name);
    const response = await fetch(created.part.url, {
      method: 'PUT',
      headers: { Origin: 'http://example.test', 'Content-Type': '', Authorization: created.part.authorization, 'x-amz-date': created.part.date },
      body: 'x',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /\bETag\b/);
  });
});

describe('signed-parts: durability', () => {
  it('abandons an upload on DELETE, removing its parts', T, async () => {
    const { base, dataDir } = await start();
    const created = await create(base, { content_type: 'application/octet-stream', file_name: 'd.bin', file_size: big1.length + tail.length });
    assert.equal((await put(created.part, big1)).status, 200);
    assert.equal((await api(base, `/uploads/${created.id}`, { method: 'DELETE' })).status, 204);
    await errorOf(await api(base, `/uploads/${created.id}`), 404, 'not_found');
    assert.deepEqual(
      (await readdir(join(dataDir, 'signed-parts'))).filter((name) => name.startsWith(created.id)),
      [],
      'no record, no parts',
    );
    await errorOf(await api(base, `/uploads/${created.id}`, { method: 'DELETE' }), 404, 'not_found');
  });

  it('asks again for a part whose bytes are gone from disk, then finishes with the right bytes', T, async () => {
    const { base, dataDir } = await start();
    const created = await create(base, { content_type: 'application/octet-stream', file_name: 'l.bin', file_size: big1.length + tail.length });
    assert.equal((await put(created.part, big1)).status, 200);
    assert.equal((await put(await partOf(base, created.id, 2), tail)).status, 200);
    await rm(join(dataDir, 'signed-parts', created.id, '2.part')); // as a crash or a disk fault would
    const lost = await errorOf(await finish(base, created.id), 400, 'incomplete_parts');
    assert.match((lost['error'] as { message: string }).message, /part 2 were lost/);
    assert.deepEqual(
      (await listing(base, created.id)).parts.map((p) => p.part_number),
      [1],
      'the list no longer claims it',
    );
    assert.equal((await put(await partOf(base, created.id, 2), tail)).status, 200);
    assert.equal((await json(await finish(base, created.id), 200))['state'], 'finished');
    const download = await fetch(`${base}/signed-parts/files/${created.id}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(Buffer.concat([big1, tail])));
  });

  it('keeps parts and the signing key across a restart, and finishes after it', T, async () => {
    const dataDir = await apps.tempDir();
    const first = await start({ dataDir, signedPartsKey: undefined });
    const created = await create(first.base, { content_type: 'application/octet-stream', file_name: 'r.bin', file_size: big1.length + tail.length });
    assert.equal((await put(created.part, big1)).status, 200);
    const p2 = await partOf(first.base, created.id, 2);
    await first.app.close();

    const second = await start({ dataDir, signedPartsKey: undefined });
    const url = p2.url.replace(first.base, second.base);
    assert.equal((await put(p2, tail, undefined, url)).status, 200, 'a part signed before the restart still works');
    assert.deepEqual(
      (await listing(second.base, created.id)).parts.map((p) => p.part_number),
      [1, 2],
    );
    const done = await json(await finish(second.base, created.id), 200);
    assert.equal(done['etag'], `${md5Hex(Buffer.concat([big1, tail].map((part) => createHash('md5').update(part).digest())))}-2`);
    assert.deepEqual((await readdir(join(dataDir, 'signed-parts'))).sort(), [created.id, `${created.id}.json`, 'signing.key'].sort());
    assert.deepEqual((await readdir(join(dataDir, 'signed-parts', created.id))).sort(), ['1.part', '2.part'], 'the object is its parts, kept');
    await second.app.close();

    const third = await start({ dataDir, signedPartsKey: undefined });
    const download = await fetch(`${third.base}/signed-parts/files/${created.id}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(Buffer.concat([big1, tail])));
  });
});
