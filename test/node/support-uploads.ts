/**
 * Finished uploads on every API of an in-process reference server, for the suites
 * that treat all download routes alike (downloads.test.ts, limits.test.ts).
 *
 * Why this exists: "every download route behaves the same" is only tested if every
 * route is in the list; one helper per API that returns the download URL keeps that
 * list in one place.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { REQUEST_TIMEOUT_MS } from './support.js';

export const TOKEN = 'uploads-test-token';
export const TOKENS = new Map([[TOKEN, new Set(['assets', 'assets_publish', 'assets_delete'])]]);

const md5Base64 = (data: Uint8Array): string => createHash('md5').update(data).digest('base64');

function call(url: string, init: RequestInit & { token?: boolean } = {}): Promise<Response> {
  const { token = false, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('Authorization', `Bearer ${TOKEN}`);
  return fetch(url, { ...rest, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

async function ok<R = Record<string, unknown>>(response: Response, status: number): Promise<R> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  return (text === '' ? {} : JSON.parse(text)) as R;
}

export async function contentRangeFile(base: string, name: string, data: Buffer): Promise<string> {
  const created = await ok<{ location: string }>(
    await call(`${base}/content-range/videos/upload.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_size: data.length, file_name: name }),
    }),
    201,
  );
  const done = await ok<{ url: string }>(await call(created.location, { method: 'PUT', body: new Uint8Array(data) }), 200);
  return done.url;
}

export function tusMetadata(name: string): string {
  return `filename ${Buffer.from(name).toString('base64')}`;
}

/** Creates and finishes a tus upload under `/tus/files` or `/tus-md5/files`; the Location. */
export async function tusFile(base: string, store: 'tus' | 'tus-md5', name: string, data: Buffer): Promise<string> {
  const created = await call(`${base}/${store}/files`, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length), 'Upload-Metadata': tusMetadata(name) },
  });
  assert.equal(created.status, 201, await created.text());
  const location = new URL(created.headers.get('location') ?? '', base).href;
  const patched = await call(location, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      ...(store === 'tus-md5' ? { 'Upload-Checksum': `md5 ${md5Base64(data)}` } : {}),
    },
    body: new Uint8Array(data),
  });
  assert.equal(patched.status, 204, await patched.text());
  return location;
}

export async function phasedFile(base: string, name: string, data: Buffer): Promise<string> {
  const json = (body: unknown): RequestInit & { token: boolean } => ({
    method: 'POST',
    token: true,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  let window = await ok<Record<string, unknown>>(
    await call(`${base}/phased/assets`, json({ upload_phase: 'start', file_size: data.length, file_name: name })),
    201,
  );
  const id = window['id'] as string;
  while (window['start_offset'] !== window['end_offset']) {
    const from = window['start_offset'] as number;
    const form = new FormData();
    form.append('upload_phase', 'transfer');
    form.append('start_offset', String(from));
    form.append('file_chunk', new Blob([new Uint8Array(data.subarray(from, window['end_offset'] as number))]), 'chunk.bin');
    window = await ok(await call(`${base}/phased/assets/${id}/multipart`, { method: 'POST', token: true, body: form }), 200);
  }
  await ok(await call(`${base}/phased/assets/${id}/multipart`, json({ upload_phase: 'finish' })), 200);
  for (let i = 0; i < 250; i += 1) {
    const asset = await ok<{ status: string; url: string }>(await call(`${base}/phased/assets/${id}`, { token: true }), 200);
    if (asset.status === 'ready') return asset.url;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the phased asset did not become ready');
}

export async function sessionFile(base: string, name: string, data: Buffer): Promise<string> {
  const created = await ok<{ session_token: string; files: { url: string }[] }>(
    await call(`${base}/session/v1/upload_sessions.json`, {
      method: 'POST',
      token: true,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: [{ name }] }),
    }),
    200,
  );
  await ok(await call(created.files[0]!.url, { method: 'PUT', body: new Uint8Array(data) }), 200);
  const session = `${base}/session/v1/upload_sessions/${created.session_token}.json`;
  await ok(await call(session, { method: 'PUT', token: true }), 200);
  for (let i = 0; i < 250; i += 1) {
    const status = await ok<{ files: { status: string; assets: { url: string }[] }[] }>(await call(session, { token: true }), 200);
    const file = status.files[0]!;
    if (file.status === 'done') return file.assets[0]!.url;
    assert.notEqual(file.status, 'error');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the session file was not processed');
}

/** Signed-parts (and so the registry's `link_download`, the same route). */
export async function signedPartsFile(base: string, name: string, data: Buffer): Promise<string> {
  const api = `${base}/signed-parts/api/v1/uploads`;
  const created = await ok<{ id: string; part: { url: string; authorization: string; date: string } }>(
    await call(api, {
      method: 'POST',
      token: true,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ content_type: 'application/octet-stream', file_name: name, file_size: data.length, md5sum: md5Base64(data) }),
    }),
    201,
  );
  const part = created.part;
  await ok(
    await call(part.url, {
      method: 'PUT',
      headers: { 'Content-Type': '', Authorization: part.authorization, 'x-amz-date': part.date, 'Content-MD5': md5Base64(data) },
      body: new Uint8Array(data),
    }),
    200,
  );
  const done = await ok<{ url: string }>(
    await call(`${api}/${created.id}`, {
      method: 'PATCH',
      token: true,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'finished' }),
    }),
    200,
  );
  return done.url;
}

/** One finished upload of `data` named `name` on every API; route label -> download URL. */
export async function everyDownload(base: string, name: string, data: Buffer): Promise<Map<string, string>> {
  return new Map([
    ['content-range', await contentRangeFile(base, name, data)],
    ['tus', await tusFile(base, 'tus', name, data)],
    ['tus-md5', await tusFile(base, 'tus-md5', name, data)],
    ['phased', await phasedFile(base, name, data)],
    ['session', await sessionFile(base, name, data)],
    ['signed-parts', await signedPartsFile(base, name, data)],
  ]);
}
