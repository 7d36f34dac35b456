/**
 * Limits of the token-protected APIs (issue 9, defect 9): open phased assets, session
 * files and signed-parts uploads counted per bearer token, on the server's one ledger
 * (total and bytes reserved shared with content-range and tus), each refusal in its
 * API's error document; and the sweeper removing their abandoned uploads (records and
 * bytes) and freeing their slots. The S3 mode's sweep is in signed-parts-s3.test.ts.
 *
 * The sweep tests make their abandoned uploads on a first app with the default TTL and
 * sweep them with a second app on the same DATA_DIR, so that no test races a 50 ms TTL
 * between two of its own requests.
 *
 * Run: node --test --import tsx test/node/core/limits-token.test.ts
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { errorOf, fetchWithToken, harness, json } from '../support.js';
import type { Json, Running } from '../support.js';
import { phasedFile, sessionFile, signedPartsFile, TOKEN } from '../support-uploads.js';

const T = { timeout: 30_000 };
const A = 'token-a';
const B = 'token-b';
const ALL = new Set(['assets', 'assets_publish', 'assets_delete']);
const apps = harness('asset-uploader-limits-token-', {
  closeGraceMs: 500,
  apiTokens: new Map([
    [A, ALL],
    [B, ALL],
    [TOKEN, ALL],
  ]),
});

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

const md5Base64 = (data: Uint8Array): string => createHash('md5').update(data).digest('base64');
const jsonBody = (body: unknown, method = 'POST'): RequestInit => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const as = (token: string, url: string, init: RequestInit = {}): Promise<Response> => fetchWithToken(url, { ...init, token }, token);

const phasedStart = (base: string, token: string, size: number): Promise<Response> =>
  as(token, `${base}/phased/assets`, jsonBody({ upload_phase: 'start', file_size: size, file_name: 'a.bin' }));
function phasedOneShot(base: string, token: string): Promise<Response> {
  const form = new FormData();
  form.append('source', new Blob(['hello']), 'one.txt');
  return as(token, `${base}/phased/assets`, { method: 'POST', body: form });
}
const sessionCreate = (base: string, token: string, files = 1): Promise<Response> =>
  as(token, `${base}/session/v1/upload_sessions.json`, jsonBody({ files: Array.from({ length: files }, (_, i) => ({ name: `f${i}.txt` })) }));
const partsCreate = (base: string, token: string, size: number): Promise<Response> =>
  as(token, `${base}/signed-parts/api/v1/uploads`, jsonBody({ content_type: 'application/octet-stream', file_name: 'a.bin', file_size: size }));

/** A refusal for too many open uploads: 429, a Retry-After in seconds, the API's JSON error document. */
async function refused(response: Response, status = 429, code = 'too_many_uploads'): Promise<Json> {
  assert.match(response.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After in seconds');
  return errorOf(response, status, code);
}

/** Waits (bounded) until `gone()` holds, then asserts it. */
async function eventually(gone: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400 && !(await gone()); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(await gone(), what);
}

const entries = (dataDir: string, dir: string): Promise<string[]> => readdir(join(dataDir, dir)).catch(() => []);

/** A second app on `first`'s DATA_DIR that sweeps with a tiny TTL, at a per-token cap of 1. */
async function sweeping(first: Running): Promise<Running> {
  await first.app.close();
  return apps.start({ dataDir: first.dataDir, uploadTtlMs: 50, sweepIntervalMs: 25, limits: { maxOpenPerToken: 1 } });
}

/** PUTs a part to the signed-parts store exactly as the seed's client does: the signer's headers and the part's MD5. */
function putSignedPart(part: { url: string; authorization: string; date: string }, data: Buffer): Promise<Response> {
  return fetch(part.url, {
    method: 'PUT',
    headers: { 'Content-Type': '', Authorization: part.authorization, 'x-amz-date': part.date, 'Content-MD5': md5Base64(data) },
    body: new Uint8Array(data),
    signal: AbortSignal.timeout(5_000),
  });
}

describe('limits per token', () => {
  it('phased: the 3rd open upload of a token gets 429 + Retry-After in the phased error shape; finishing or deleting frees a slot', T, async () => {
    const { base } = await apps.start({ limits: { maxOpenPerToken: 2 } });
    const empty = await json<{ id: string }>(await phasedStart(base, A, 0), 201);
    const one = await json<{ id: string }>(await phasedStart(base, A, 1), 201);
    await refused(await phasedStart(base, A, 1));
    await refused(await phasedOneShot(base, A));
    await json(await phasedStart(base, B, 1), 201);
    await json(await phasedOneShot(base, B), 201);

    assert.equal((await as(A, `${base}/phased/assets/${one.id}`, { method: 'DELETE' })).status, 204);
    await json(await phasedStart(base, A, 1), 201);
    await refused(await phasedStart(base, A, 1));
    await json(await as(A, `${base}/phased/assets/${empty.id}/multipart`, jsonBody({ upload_phase: 'finish' })), 200);
    await json(await phasedOneShot(base, A), 201);
    await json(await phasedStart(base, A, 1), 201);
  });

  it('session: files count one each; the 3rd gets 429 + Retry-After in the session error shape; committing frees them', T, async () => {
    const { base } = await apps.start({ limits: { maxOpenPerToken: 2 } });
    const first = await json<{ session_token: string }>(await sessionCreate(base, A), 200);
    await json(await sessionCreate(base, A), 200);
    await refused(await sessionCreate(base, A));
    await json(await sessionCreate(base, B), 200);
    const needsTwo = await refused(await sessionCreate(base, B, 2));
    assert.match((needsTwo['error'] as { message: string }).message, /needs 2/);
    // More files than the cap itself: no wait helps, so no Retry-After, and the sentence says what to change.
    const tooMany = await sessionCreate(base, B, 3);
    assert.equal(tooMany.headers.get('retry-after'), null);
    const body = await errorOf(tooMany, 413, 'too_many_files');
    assert.match((body['error'] as { message: string }).message, /opens 3 uploads .* at most 2 .* Send fewer files/);

    await json(await as(A, `${base}/session/v1/upload_sessions/${first.session_token}.json`, { method: 'PUT' }), 200);
    await json(await sessionCreate(base, A), 200);
    await refused(await sessionCreate(base, A));
  });

  it('signed-parts: the 3rd open upload of a token gets 429 + Retry-After in the signed-parts error shape; finishing or deleting frees a slot', T, async () => {
    const { base } = await apps.start({ limits: { maxOpenPerToken: 2 } });
    const data = Buffer.from('abc');
    const done = await json<{ id: string; part: { url: string; authorization: string; date: string } }>(
      await as(A, `${base}/signed-parts/api/v1/uploads`, jsonBody({ content_type: 'text/plain', file_name: 'a.txt', file_size: 3, md5sum: md5Base64(data) })),
      201,
    );
    const deleted = await json<{ id: string }>(await partsCreate(base, A, 10), 201);
    await refused(await partsCreate(base, A, 10));
    await json(await partsCreate(base, B, 10), 201);

    assert.equal((await as(A, `${base}/signed-parts/api/v1/uploads/${deleted.id}`, { method: 'DELETE' })).status, 204);
    await json(await partsCreate(base, A, 10), 201);
    await refused(await partsCreate(base, A, 10));
    const put = await putSignedPart(done.part, data);
    assert.equal(put.status, 200, await put.text());
    await json(await as(A, `${base}/signed-parts/api/v1/uploads/${done.id}`, jsonBody({ state: 'finished' }, 'PATCH')), 200);
    await json(await partsCreate(base, A, 10), 201);
  });

  it('shares one total and one byte reserve with content-range and tus (429, 507 in each shape)', T, async () => {
    const total = await apps.start({ limits: { maxOpenTotal: 2 } });
    const tus = await fetch(`${total.base}/tus/files`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '5' },
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(tus.status, 201);
    await json(await phasedStart(total.base, A, 5), 201);
    await refused(await sessionCreate(total.base, B));
    await refused(await partsCreate(total.base, B, 5));

    const bytes = await apps.start({ limits: { maxReservedBytes: 100 } });
    await json(await partsCreate(bytes.base, A, 60), 201);
    await refused(await phasedStart(bytes.base, B, 60), 507, 'insufficient_storage');
    await refused(await partsCreate(bytes.base, B, 60), 507, 'insufficient_storage');
    await json(await phasedStart(bytes.base, B, 40), 201);
  });
});

describe('the sweeper, for the token-protected APIs', () => {
  it('phased: removes an abandoned asset (record and bytes) and frees its slot; finished assets stay', T, async () => {
    const first = await apps.start({ phasedChunkSize: 4 });
    const kept = (await phasedFile(first.base, 'kept.bin', Buffer.from('kept'))).split('/').pop() ?? '';
    const abandoned = await json<{ id: string }>(await phasedStart(first.base, A, 10), 201);
    const form = new FormData();
    form.append('upload_phase', 'transfer');
    form.append('start_offset', '0');
    form.append('file_chunk', new Blob(['abcd']), 'chunk.bin');
    await json(await as(A, `${first.base}/phased/assets/${abandoned.id}/multipart`, { method: 'POST', body: form }), 200);
    assert.ok((await entries(first.dataDir, 'phased')).includes(`${abandoned.id}.bin`));

    const { base, dataDir } = await sweeping(first);
    const open = await json<{ id: string }>(await phasedStart(base, A, 10), 201);
    const left = async (): Promise<boolean> => !(await entries(dataDir, 'phased')).some((name) => name.startsWith(abandoned.id) || name.startsWith(open.id));
    await eventually(left, 'the abandoned assets left DATA_DIR');
    assert.deepEqual((await entries(dataDir, 'phased')).sort(), [`${kept}.bin`, `${kept}.json`]);
    await json(await phasedStart(base, A, 10), 201);
  });

  it('session: removes a session never committed (record and uploaded files) and frees its slots; committed ones stay', T, async () => {
    const first = await apps.start({});
    await sessionFile(first.base, 'kept.txt', Buffer.from('kept'));
    const abandoned = await json<{ session_token: string; files: { url: string }[] }>(await sessionCreate(first.base, A, 2), 200);
    assert.equal((await fetch(abandoned.files[0]!.url, { method: 'PUT', body: 'bytes', signal: AbortSignal.timeout(5_000) })).status, 200);
    assert.ok((await entries(first.dataDir, 'session')).includes(abandoned.session_token));
    const before = (await entries(first.dataDir, 'session')).filter((name) => !name.startsWith(abandoned.session_token)).sort();

    const { base, dataDir } = await sweeping(first);
    const open = await json<{ session_token: string }>(await sessionCreate(base, A), 200);
    const left = async (): Promise<boolean> =>
      !(await entries(dataDir, 'session')).some((name) => name.startsWith(abandoned.session_token) || name.startsWith(open.session_token));
    await eventually(left, 'the abandoned sessions left DATA_DIR');
    assert.deepEqual((await entries(dataDir, 'session')).sort(), before, 'the committed session and its assets stay');
    await json(await sessionCreate(base, A), 200);
  });

  it('signed-parts (embedded store): removes an abandoned upload (record and parts) and frees its slot; finished ones stay', T, async () => {
    const first = await apps.start({});
    await signedPartsFile(first.base, 'kept.bin', Buffer.from('kept'));
    const data = Buffer.from('abcd');
    const abandoned = await json<{ id: string; part: { url: string; authorization: string; date: string } }>(
      await as(
        A,
        `${first.base}/signed-parts/api/v1/uploads`,
        jsonBody({ content_type: 'text/plain', file_name: 'a.txt', file_size: 10, md5sum: md5Base64(data) }),
      ),
      201,
    );
    const put = await putSignedPart(abandoned.part, data);
    assert.equal(put.status, 200, await put.text());
    assert.deepEqual(await entries(first.dataDir, join('signed-parts', abandoned.id)), ['1.part']);
    const before = (await entries(first.dataDir, 'signed-parts')).filter((name) => !name.startsWith(abandoned.id)).sort();

    const { base, dataDir } = await sweeping(first);
    const open = await json<{ id: string }>(await partsCreate(base, A, 10), 201);
    const left = async (): Promise<boolean> =>
      !(await entries(dataDir, 'signed-parts')).some((name) => name.startsWith(abandoned.id) || name.startsWith(open.id));
    await eventually(left, 'the abandoned uploads left DATA_DIR');
    assert.deepEqual((await entries(dataDir, 'signed-parts')).sort(), before, 'the finished upload stays');
    await json(await partsCreate(base, A, 10), 201);
  });
});
