/**
 * Tests of the signed-parts API in the S3 mode (demo/server/signed-parts/s3.ts)
 * against a real S3: Ceph's RADOS Gateway, started for this file on free
 * ports under a temporary folder (test/support/radosgw.mjs) and stopped after.
 *
 * Run: node --test --import tsx test/node/signed-parts/signed-parts-s3.test.ts
 * (needs Ceph: apt-get install ceph-mon ceph-osd radosgw ceph-common).
 *
 * The browser tests cover the client; these check that what the API hands
 * out is what S3 itself enforces: the store, not this server, refuses a
 * corrupted part, a missing or changed Content-MD5, a tampered URL and an
 * expired one.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { createApp } from '../../../demo/server/app.js';
import { s3ConfigFromEnv } from '../../../demo/server/signed-parts/s3.js';
import type { S3Config } from '../../../demo/server/signed-parts/s3.js';
import { startFaultProxy } from '../../support/fault-proxy.mjs';
import { startRadosgw } from '../../support/radosgw.mjs';
import type { Radosgw } from '../../support/radosgw.mjs';
import { errorOf, fetchWithToken, harness, json, REQUEST_TIMEOUT_MS } from '../support.js';
import type { Json } from '../support.js';

// Known, and in the README (S3 mode): the SDK's releases after early January 2027 need Node 22.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const T = { timeout: 30_000 };
const TOKEN = 'parts-token';
const MIB = 1024 * 1024;

const md5Hex = (data: Uint8Array): string => createHash('md5').update(data).digest('hex');
const md5Base64 = (data: Uint8Array): string => createHash('md5').update(data).digest('base64');
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let rgw: Radosgw;
let s3: S3Config;

const apps = harness('asset-uploader-signed-parts-s3-', { closeGraceMs: 500, apiTokens: new Map([[TOKEN, new Set(['assets'])]]) });

before(async () => {
  rgw = await startRadosgw();
  s3 = { endpoint: rgw.endpoint, bucket: rgw.bucket, region: rgw.region, accessKey: rgw.accessKey, secretKey: rgw.secretKey };
});

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
  await rgw?.stop();
});

interface Part {
  part_number: number;
  url: string;
  date: string;
  authorization?: string;
  expires_at: string;
  headers: Record<string, string>;
}

const api = (base: string, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> =>
  fetchWithToken(`${base}/signed-parts/api/v1${path}`, init, TOKEN);

async function create(base: string, body: Json): Promise<{ id: string; part: Part }> {
  return json(await api(base, '/uploads', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }), 201);
}

async function partOf(base: string, id: string, partNumber: number, md5sum?: string): Promise<Part> {
  const query = `part_number=${partNumber}${md5sum === undefined ? '' : `&md5sum=${encodeURIComponent(md5sum)}`}`;
  return (await json<{ part: Part }>(await api(base, `/uploads/${id}/parts?${query}`), 200)).part;
}

/** PUTs `body` to the part's URL with exactly its headers (plus `extra`), no bearer. */
function put(part: Part, body: Uint8Array, extra: Record<string, string> = {}, url = part.url): Promise<Response> {
  return fetch(url, { method: 'PUT', headers: { ...part.headers, ...extra }, body: new Uint8Array(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

async function s3Code(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(text, new RegExp(`<Code>${code}</Code>`));
}

function finish(base: string, id: string): Promise<Response> {
  return api(base, `/uploads/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ state: 'finished' }) });
}

const big1 = randomBytes(5 * MIB);
const big2 = randomBytes(5 * MIB);
const tail = randomBytes(54_321);
const whole = Buffer.concat([big1, big2, tail]);

describe('signed-parts S3 mode against Ceph RGW', () => {
  it('presigns parts S3 verifies, lists them from S3, completes and serves the identical object', T, async () => {
    const { base } = await start();
    const created = await create(base, { content_type: 'application/octet-stream', file_name: 'big.bin', file_size: whole.length, md5sum: md5Base64(big1) });
    const p1 = created.part;
    assert.equal(new URL(p1.url).origin, rgw.endpoint, 'parts go straight to the object store');
    assert.equal('authorization' in p1, false, 'the signature is in the URL: no authorization member, and never a null one');
    assert.deepEqual(
      Object.entries(p1).filter(([, value]) => value === null),
      [],
    );
    assert.deepEqual(p1.headers, { 'Content-MD5': md5Base64(big1) });
    assert.match(p1.url, /X-Amz-SignedHeaders=content-md5%3Bhost/);
    assert.equal(Date.parse(p1.expires_at) - Date.parse(p1.date), 900_000);

    // Parts in any order, in parallel.
    const p3 = await partOf(base, created.id, 3, md5Base64(tail));
    const p2 = await partOf(base, created.id, 2, md5Base64(big2));
    const answers = await Promise.all([put(p3, tail), put(p1, big1), put(p2, big2)]);
    for (const answer of answers) assert.equal(answer.status, 200, await answer.text());
    assert.deepEqual(
      answers.map((answer) => answer.headers.get('etag')),
      [tail, big1, big2].map((part) => `"${md5Hex(part)}"`),
    );

    const listed = await json<{ state: string; parts: unknown[] }>(await api(base, `/uploads/${created.id}`), 200);
    assert.equal(listed.state, 'new');
    assert.deepEqual(listed.parts, [
      { part_number: 1, size: big1.length, etag: `"${md5Hex(big1)}"` },
      { part_number: 2, size: big2.length, etag: `"${md5Hex(big2)}"` },
      { part_number: 3, size: tail.length, etag: `"${md5Hex(tail)}"` },
    ]);

    const done = await json(await finish(base, created.id), 200);
    assert.equal(done['state'], 'finished');
    assert.equal(done['bucket'], rgw.bucket);
    assert.equal(done['object_key'], `signed-parts/${created.id}`);
    assert.equal(done['md5'], undefined, 'a multipart object has no whole-file MD5 in S3');
    assert.match(String(done['etag']), /^[0-9a-f]{32}-3$/, 'HeadObject gives the multipart ETag (RGW answers Complete without one)');
    assert.deepEqual(await json(await finish(base, created.id), 200), done, 'finishing again answers the same');

    const download = await fetch(String(done['url']), { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(download.status, 302);
    const location = download.headers.get('location') ?? '';
    assert.equal(new URL(location).origin, rgw.endpoint);
    const object = await fetch(location, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(object.status, 200);
    assert.match(object.headers.get('content-disposition') ?? '', /^attachment; filename="big.bin"/);
    assert.equal(sha256(new Uint8Array(await object.arrayBuffer())), sha256(whole), 'the object is byte-identical');
  });

  // The seed's client, written from its three lines: Content-Type "", Authorization and
  // x-amz-date (and Content-MD5 when it gave md5sum), nothing else.
  it("S3_PART_SIGNATURE=header: the seed's literal client PUTs with the part's Authorization and x-amz-date, and S3 (RGW) takes it", T, async () => {
    const { base } = await start({ s3: { ...s3, partSignature: 'header' } });
    const created = await create(base, { content_type: 'application/octet-stream', file_name: 'seed.bin', file_size: big1.length + tail.length });
    const p1 = created.part;
    assert.match(p1.authorization ?? '', new RegExp(`^AWS ${rgw.accessKey}:[A-Za-z0-9+/]{27}=$`), 'the seed\'s "AWS KEY:SIG"');
    assert.equal(new URL(p1.url).origin, rgw.endpoint);
    assert.doesNotMatch(p1.url, /X-Amz-/, 'no signature in the URL');
    assert.deepEqual(
      Object.entries(p1).filter(([, value]) => value === null),
      [],
      'no null member',
    );
    assert.ok(Date.parse(p1.expires_at) - Date.parse(p1.date) <= 900_000, "at most S3's 15 minutes of clock skew");
    const literal = (part: Part, body: Uint8Array, extra: Record<string, string> = {}) =>
      fetch(part.url, {
        method: 'PUT',
        headers: { 'Content-Type': '', Authorization: part.authorization!, 'x-amz-date': part.date, ...extra },
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    const first = await literal(p1, big1);
    assert.equal(first.status, 200, await first.text());

    const p2 = await partOf(base, created.id, 2, md5Base64(tail));
    assert.equal(p2.headers['Content-MD5'], md5Base64(tail));
    const corrupted = Buffer.from(tail);
    corrupted[0] = (corrupted[0] ?? 0) ^ 0xff;
    await s3Code(await literal(p2, corrupted, { 'Content-MD5': md5Base64(tail) }), 400, 'BadDigest');
    await s3Code(await literal(p2, tail), 403, 'SignatureDoesNotMatch'); // signed over an MD5 it did not send
    await s3Code(
      await literal({ ...p2, authorization: `${p2.authorization!.slice(0, -3)}AA=` }, tail, { 'Content-MD5': md5Base64(tail) }),
      403,
      'SignatureDoesNotMatch',
    );
    const second = await literal(p2, tail, { 'Content-MD5': md5Base64(tail) });
    assert.equal(second.status, 200, await second.text());

    const done = await json(await finish(base, created.id), 200);
    const object = await fetch(
      (await fetch(String(done['url']), { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).headers.get('location') ?? '',
      { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) },
    );
    assert.equal(sha256(new Uint8Array(await object.arrayBuffer())), sha256(Buffer.concat([big1, tail])), 'the object is byte-identical');
  });

  it('leaves refusals to S3: a corrupted body (BadDigest), a missing or changed MD5, a tampered URL, no signature', T, async () => {
    const { base } = await start();
    const data = randomBytes(1000);
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: data.length, md5sum: md5Base64(data) });
    const corrupted = Buffer.from(data);
    corrupted[500] = (corrupted[500] ?? 0) ^ 0xff;
    await s3Code(await put(created.part, corrupted), 400, 'BadDigest');
    await s3Code(await fetch(created.part.url, { method: 'PUT', body: data }), 403, 'SignatureDoesNotMatch');
    await s3Code(await put(created.part, data, { 'Content-MD5': md5Base64(corrupted) }), 403, 'SignatureDoesNotMatch');
    await s3Code(await put(created.part, data, {}, created.part.url.replace('partNumber=1', 'partNumber=2')), 403, 'SignatureDoesNotMatch');
    const unsigned = new URL(created.part.url);
    for (const name of [...unsigned.searchParams.keys()]) if (name.startsWith('X-Amz-')) unsigned.searchParams.delete(name);
    assert.equal((await put(created.part, data, {}, unsigned.href)).status, 403, 'an anonymous PUT is refused');
    assert.deepEqual((await json<{ parts: unknown[] }>(await api(base, `/uploads/${created.id}`), 200)).parts, [], 'nothing refused was kept');
    const none = await errorOf(await finish(base, created.id), 400, 'no_parts');
    assert.deepEqual((none as { errors: unknown }).errors, ['state', 'There are no parts upload to finish it'], "the seed's own error document");

    assert.equal((await put(created.part, data)).status, 200);
    assert.equal((await json(await finish(base, created.id), 200))['file_size'], data.length);
  });

  it('hands out URLs that S3 refuses once the TTL is over', T, async () => {
    const { base } = await start({ signedPartsTtl: 1 });
    const data = Buffer.from('abc');
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 3, md5sum: md5Base64(data) });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await s3Code(await put(created.part, data), 403, 'AccessDenied');
    assert.equal((await put(await partOf(base, created.id, 1, md5Base64(data)), data)).status, 200, 'a fresh signature works');
  });

  it('refuses to finish with a missing part or a small middle part, as the embedded store does', T, async () => {
    const { base } = await start();
    const c = await create(base, { content_type: 'text/plain', file_name: 'c.txt', file_size: big1.length * 2 + tail.length, md5sum: md5Base64(big1) });
    assert.equal((await put(c.part, big1)).status, 200);
    assert.equal((await put(await partOf(base, c.id, 3, md5Base64(tail)), tail)).status, 200);
    const missing = await errorOf(await finish(base, c.id), 400, 'incomplete_parts');
    assert.match((missing['error'] as { message: string }).message, /Part 2 /);

    const small = randomBytes(1000);
    const b = await create(base, { content_type: 'text/plain', file_name: 'b.txt', file_size: small.length + tail.length, md5sum: md5Base64(small) });
    assert.equal((await put(b.part, small)).status, 200);
    assert.equal((await put(await partOf(base, b.id, 2, md5Base64(tail)), tail)).status, 200);
    await errorOf(await finish(base, b.id), 400, 'part_too_small');
  });

  it("refuses a file_size above S3's 5 TiB object limit in the seed's error shape, starting no multipart upload", T, async () => {
    const { base } = await start();
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKey, secretAccessKey: s3.secretKey },
    });
    const started = async () => (await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }))).Uploads?.length ?? 0;
    try {
      const before = await started();
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
      assert.equal(await started(), before, 'S3 holds no new multipart upload');
    } finally {
      client.destroy();
    }
  });

  it('abandons an upload on DELETE: S3 forgets its parts (AbortMultipartUpload)', T, async () => {
    const { base } = await start();
    const data = randomBytes(1000);
    const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: data.length, md5sum: md5Base64(data) });
    assert.equal((await put(created.part, data)).status, 200);
    const gone = await api(base, `/uploads/${created.id}`, { method: 'DELETE' });
    assert.equal(gone.status, 204);
    await errorOf(await api(base, `/uploads/${created.id}`), 404, 'not_found');
    await s3Code(await put(created.part, data), 404, 'NoSuchUpload');
    const finished = await create(base, { content_type: 'text/plain', file_name: 'b.txt', file_size: data.length, md5sum: md5Base64(data) });
    assert.equal((await put(finished.part, data)).status, 200);
    await json(await finish(base, finished.id), 200);
    await errorOf(await api(base, `/uploads/${finished.id}`, { method: 'DELETE' }), 409, 'upload_finished');
  });

  it('sweeps an abandoned upload: S3 forgets its parts (AbortMultipartUpload), its record leaves DATA_DIR, its slot is free', T, async () => {
    // Made with the default TTL, swept by a second app on the same DATA_DIR with a tiny one.
    const first = await start();
    const data = randomBytes(1000);
    const abandoned = await create(first.base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 2000, md5sum: md5Base64(data) });
    assert.equal((await put(abandoned.part, data)).status, 200);
    await first.app.close();
    const { base, dataDir } = await start({ dataDir: first.dataDir, uploadTtlMs: 50, sweepIntervalMs: 25, limits: { maxOpenPerToken: 1 } });
    const open = await create(base, { content_type: 'text/plain', file_name: 'b.txt', file_size: 10 });
    const left = async (): Promise<boolean> =>
      !(await readdir(join(dataDir, 'signed-parts'))).some((name) => name.startsWith(abandoned.id) || name.startsWith(open.id));
    for (let i = 0; i < 400 && !(await left()); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.ok(await left(), 'the abandoned uploads left DATA_DIR');
    await s3Code(await put(abandoned.part, data), 404, 'NoSuchUpload');
    await create(base, { content_type: 'text/plain', file_name: 'c.txt', file_size: 10 });
  });

  it('signs the URLs for S3_PUBLIC_ENDPOINT when browsers reach S3 elsewhere than the server does', T, async () => {
    const proxy = await startFaultProxy(rgw.endpoint); // the "public" address of the same RGW
    try {
      const publicDir = await apps.tempDir();
      await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>t</title>');
      const { base } = await start({ s3: { ...s3, publicEndpoint: proxy.origin }, publicDir });
      const data = randomBytes(2000);
      const created = await create(base, { content_type: 'text/plain', file_name: 'p.txt', file_size: data.length, md5sum: md5Base64(data) });
      assert.equal(new URL(created.part.url).origin, proxy.origin);
      assert.equal((await put(created.part, data)).status, 200, 'the signature holds at the public address');
      const done = await json(await finish(base, created.id), 200);
      const download = await fetch(String(done['url']), { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      assert.equal(new URL(download.headers.get('location') ?? '').origin, proxy.origin);
      const object = await fetch(download.headers.get('location')!, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      assert.ok(Buffer.from(await object.arrayBuffer()).equals(data));
      const serverCalls = proxy.log().filter((e) => e.method !== 'PUT' && e.method !== 'GET');
      assert.deepEqual(serverCalls, [], 'the server itself talks to S3_ENDPOINT');
      const page = await fetch(`${base}/`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src 'self' ${proxy.origin.replace(/[.]/g, '\\.')};`));
      assert.deepEqual(
        s3ConfigFromEnv({ S3_ENDPOINT: rgw.endpoint, S3_BUCKET: 'b', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's', S3_PUBLIC_ENDPOINT: `${proxy.origin}/x` })
          ?.publicEndpoint,
        proxy.origin,
      );
    } finally {
      await proxy.close();
    }
  });

  it('keeps no record of an upload S3 would not start', T, async () => {
    const proxy = await startFaultProxy(rgw.endpoint);
    try {
      const { base, dataDir } = await start({ s3: { ...s3, endpoint: proxy.origin } });
      const slowDown =
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>';
      proxy.setRules([
        {
          method: 'POST',
          path: '?uploads',
          times: 10,
          action: { type: 'status', status: 503, body: slowDown, headers: { 'Content-Type': 'application/xml' } },
        },
      ]);
      const refused = await api(base, '/uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ content_type: 'text/plain', file_name: 'a.txt', file_size: 3 }),
      });
      assert.equal(refused.status, 500, await refused.text());
      const records = (await readdir(join(dataDir, 'signed-parts'))).filter((name) => name.endsWith('.json'));
      assert.deepEqual(records, [], 'no record left behind');
      proxy.setRules([]);
      const created = await create(base, { content_type: 'text/plain', file_name: 'a.txt', file_size: 3 });
      assert.match(created.id, /^[0-9a-f]{32}$/);
    } finally {
      await proxy.close();
    }
  });

  it('lets the demo page PUT to the S3 endpoint under its Content-Security-Policy', T, async () => {
    const publicDir = await apps.tempDir();
    await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>t</title>');
    const { base } = await start({ publicDir });
    const page = await fetch(`${base}/`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(page.status, 200);
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, new RegExp(`connect-src 'self' ${rgw.endpoint.replace(/[.]/g, '\\.')};`));
    assert.match(policy, /script-src 'self';/);
  });

  it('says what is wrong with an unusable bucket or a partial configuration', T, async () => {
    await assert.rejects(
      start({ s3: { ...s3, bucket: 'no-such-bucket' } }),
      /the bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ cannot be used: NotFound \(404\)/,
    );
    assert.throws(
      () => createApp({ dataDir: '/nonexistent', s3, signedPartsTtl: 604_801 }),
      /at most 604800 seconds \(7 days, SigV4's limit\); SIGNED_PARTS_TTL is 604801/,
    );
    assert.equal(s3ConfigFromEnv({}), undefined);
    assert.throws(() => s3ConfigFromEnv({ S3_ENDPOINT: rgw.endpoint, S3_BUCKET: 'b' }), /S3 mode needs S3_ACCESS_KEY, S3_SECRET_KEY as well/);
    assert.throws(() => s3ConfigFromEnv({ S3_ENDPOINT: 'not a url', S3_BUCKET: 'b', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's' }), /S3_ENDPOINT must be a URL/);
    assert.deepEqual(s3ConfigFromEnv({ S3_ENDPOINT: `${rgw.endpoint}/`, S3_BUCKET: 'b', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's' }), {
      endpoint: rgw.endpoint,
      bucket: 'b',
      region: 'us-east-1',
      accessKey: 'a',
      secretKey: 's',
      partSignature: 'url',
    });
    const env = { S3_ENDPOINT: rgw.endpoint, S3_BUCKET: 'b', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 's' };
    assert.equal(s3ConfigFromEnv({ ...env, S3_PART_SIGNATURE: 'header' })?.partSignature, 'header');
    assert.throws(() => s3ConfigFromEnv({ ...env, S3_PART_SIGNATURE: 'v3' }), /S3_PART_SIGNATURE must be "url" .* or "header"/);
  });
});

function start(options: Parameters<typeof apps.start>[0] = {}): ReturnType<typeof apps.start> {
  return apps.start({ s3, ...options });
}
