/**
 * Tests of the asset registry API (demo/server/registry*.ts) through HTTP,
 * in-process, with objects uploaded for real through the embedded
 * /signed-parts flow of the same app.
 *
 * Run: node --test --import tsx test/node/registry/registry.test.ts
 *
 * Every app listens on 127.0.0.1 port 0 with a temporary DATA_DIR and is
 * closed in `after`; every request has a time limit.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { errorOf, fetchWithToken, harness, json, REQUEST_TIMEOUT_MS } from '../support.js';
import type { Json } from '../support.js';

const T = { timeout: 10_000 };
const TOKEN = 'registry-token';
const DELETER = 'registry-deleter';
const DELETE_ONLY = 'registry-delete-only';

const apps = harness('asset-uploader-registry-', {
  closeGraceMs: 500,
  apiTokens: new Map([
    [TOKEN, new Set(['assets'])],
    [DELETER, new Set(['assets', 'assets_delete'])],
    [DELETE_ONLY, new Set(['assets_delete'])],
  ]),
  signedPartsKey: 'test-registry-signing-key-0123456789',
});
const { start } = apps;

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

type Init = RequestInit & { token?: string | null };

interface StoredObject {
  uploadId: string;
  bucket: string;
  object_key: string;
  size: number;
  bytes: Buffer;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A request to `/registry/v1<path>` with TOKEN unless told otherwise. */
const registry = (base: string, path: string, init: Init = {}): Promise<Response> => fetchWithToken(`${base}/registry/v1${path}`, init, TOKEN);

const send = (base: string, method: string, path: string, body: unknown, init: Init = {}): Promise<Response> =>
  registry(base, path, { method, headers: JSON_HEADERS, body: JSON.stringify(body), ...init });

/** Uploads `size` random bytes through /signed-parts (create, sign part 1, PUT, finish) and answers where the object is. */
async function upload(base: string, size = 64, name = 'clip.mp4'): Promise<StoredObject> {
  const bytes = randomBytes(size);
  const md5sum = createHash('md5').update(bytes).digest('base64');
  const parts = (path: string, init: Init = {}): Promise<Response> => fetchWithToken(`${base}/signed-parts/api/v1${path}`, init, TOKEN);
  const created = await json(
    await parts('/uploads', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ content_type: 'video/mp4', file_name: name, file_size: size }) }),
    201,
  );
  const id = created['id'] as string;
  const part = (await json(await parts(`/uploads/${id}/parts?part_number=1&md5sum=${encodeURIComponent(md5sum)}`), 200))['part'] as Json;
  const put = await fetch(part['url'] as string, {
    method: 'PUT',
    headers: { 'Content-Type': '', Authorization: part['authorization'] as string, 'x-amz-date': part['date'] as string, 'Content-MD5': md5sum },
    body: new Uint8Array(bytes),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  assert.equal(put.status, 200, await put.text());
  const done = await json(await parts(`/uploads/${id}`, { method: 'PATCH', headers: JSON_HEADERS, body: JSON.stringify({ state: 'finished' }) }), 200);
  return { uploadId: id, bucket: done['bucket'] as string, object_key: done['object_key'] as string, size, bytes };
}

/** A complete create payload for `object` in wrk_acme by usr_ada, with `extra` on top. */
function payload(object: StoredObject, extra: Json = {}): Json {
  return {
    user_id: 'usr_ada',
    workspace_id: 'wrk_acme',
    bucket: object.bucket,
    object_key: object.object_key,
    file_name: 'clip.mp4',
    file_type: 'mp4',
    size: object.size,
    mimetype: 'video/mp4',
    ...extra,
  };
}

async function create(base: string, path: string, data: Json): Promise<Json> {
  return (await json(await send(base, 'POST', path, { data }), 201))['data'] as Json;
}

const ids = (body: Json): string[] => (body['data'] as Json[]).map((asset) => asset['id'] as string);
const messageOf = (body: Json): string => (body['error'] as { message: string }).message;

const SEED_MEMBERS = [
  'type',
  'id',
  'file_name',
  'file_type',
  'mimetype',
  'size',
  'video_duration',
  'is_stock',
  'is_transcoded',
  'is_completed_production',
  'link_download',
  'link_thumbnail',
  'link_fullsize',
  'link_preview_mp4',
  'link_preview_webm',
  'created_at',
  'updated_at',
];
const OUR_MEMBERS = ['workspace_id', 'user_id', 'production_id', 'description_id', 'bucket', 'object_key', 'asset_type'];

describe('registry: creating', () => {
  it('creates on the flat, workspace, production and public production routes', T, async () => {
    const { base } = await start();
    const a = await upload(base);
    const flat = await create(base, '/assets/', payload(a)); // the seed's own example ends with "/".
    assert.deepEqual(Object.keys(flat), [...SEED_MEMBERS, ...OUR_MEMBERS]);
    assert.match(flat['id'] as string, /^ast_[0-9a-z]{20}$/);
    assert.deepEqual(
      { ...flat, id: 'x', created_at: 'x', updated_at: 'x' },
      {
        type: 'asset',
        id: 'x',
        file_name: 'clip.mp4',
        file_type: 'mp4',
        mimetype: 'video/mp4',
        size: a.size,
        video_duration: null,
        is_stock: false,
        is_transcoded: false,
        is_completed_production: false,
        link_download: `${base}/signed-parts/files/${a.uploadId}`,
        link_thumbnail: null,
        link_fullsize: null,
        link_preview_mp4: null,
        link_preview_webm: null,
        created_at: 'x',
        updated_at: 'x',
        workspace_id: 'wrk_acme',
        user_id: 'usr_ada',
        production_id: null,
        description_id: null,
        bucket: 'embedded',
        object_key: a.object_key,
        asset_type: 'video',
      },
    );
    assert.match(flat['created_at'] as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(flat['updated_at'], flat['created_at']);
    const download = await fetch(flat['link_download'] as string, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(a.bytes));

    const inWorkspace = await create(
      base,
      '/workspaces/wrk_globex/assets',
      payload(await upload(base), { workspace_id: undefined, user_id: 'usr_grace', is_stock: true }),
    );
    assert.equal(inWorkspace['workspace_id'], 'wrk_globex');
    assert.equal(inWorkspace['is_stock'], true);
    const inProduction = await create(
      base,
      '/workspaces/wrk_acme/productions/prd_launch/assets',
      payload(await upload(base), { description_id: 'dsc_founder', is_completed_production: true }),
    );
    assert.deepEqual(
      [inProduction['production_id'], inProduction['description_id'], inProduction['is_completed_production']],
      ['prd_launch', 'dsc_founder', true],
    );
    const inPublic = await create(base, '/workspaces/wrk_acme/productions/prd_launch/assets/public', payload(await upload(base), { workspace_id: undefined }));
    assert.deepEqual([inPublic['workspace_id'], inPublic['production_id']], ['wrk_acme', 'prd_launch']);

    const other = payload(await upload(base), { workspace_id: 'wrk_globex' });
    await errorOf(await send(base, 'POST', '/workspaces/wrk_globex/productions/prd_retreat/assets/public', { data: other }), 403, 'production_not_public');
    await errorOf(await send(base, 'POST', '/workspaces/wrk_globex/productions/prd_launch/assets', { data: other }), 404, 'not_found');
    await errorOf(await send(base, 'POST', '/workspaces/wrk_nope/assets', { data: other }), 404, 'not_found');
    await errorOf(await send(base, 'POST', '/workspaces/wrk_globex/productions/prd_nope/assets', { data: other }), 404, 'not_found');
    assert.equal((await create(base, '/workspaces/wrk_globex/productions/prd_retreat/assets', other))['production_id'], 'prd_retreat');
  });

  it('validates every member of a new asset', T, async () => {
    const { base } = await start();
    const object = await upload(base);
    const post = (data: unknown, path = '/assets'): Promise<Response> => send(base, 'POST', path, { data });
    const refused = async (extra: Json, status: number, code: string, path = '/assets'): Promise<string> =>
      messageOf(await errorOf(await post(payload(object, extra), path), status, code));

    await errorOf(await registry(base, '/assets', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }), 415, 'unsupported_media_type');
    await errorOf(await registry(base, '/assets', { method: 'POST', headers: JSON_HEADERS, body: '{"data":' }), 400, 'malformed_body');
    await errorOf(await registry(base, '/assets', { method: 'POST', headers: JSON_HEADERS, body: '{"data": []}' }), 400, 'malformed_body');
    await errorOf(await send(base, 'POST', '/assets', { data: payload(object), meta: {} }), 400, 'unknown_member');
    assert.match(await refused({ colour: 'red' }, 400, 'unknown_member'), /"colour"/);
    assert.match(await refused({ is_transcoded: true }, 400, 'unknown_member'), /"is_transcoded"/);

    for (const name of ['user_id', 'workspace_id', 'bucket', 'object_key', 'file_name', 'file_type', 'size', 'mimetype']) {
      assert.match(await refused({ [name]: undefined }, 400, 'missing_member'), new RegExp(`data\\.${name} is required`));
    }
    const invalid: [string, unknown][] = [
      ['user_id', 12],
      ['workspace_id', 'WRK ACME'],
      ['production_id', 5],
      ['description_id', true],
      ['bucket', 'Embedded'],
      ['bucket', 'ab'],
      ['object_key', ''],
      ['object_key', 'a\nb'],
      ['object_key', 'k'.repeat(1025)],
      ['file_name', 'a/b'],
      ['file_name', ''],
      ['file_type', 'MP-4'],
      ['file_type', '.mp4'],
      ['file_type', 'a'.repeat(17)],
      ['mimetype', 'video'],
      ['mimetype', 'video/mp4; codecs=avc1'],
      ['mimetype', 7],
      ['size', -1],
      ['size', 1.5],
      ['size', '64'],
      ['size', 2 ** 53],
      ['is_stock', 'yes'],
      ['is_completed_production', 1],
    ];
    for (const [name, value] of invalid) {
      assert.match(await refused({ [name]: value }, 400, 'invalid_member'), new RegExp(`data\\.${name}`), `${name}: ${JSON.stringify(value)}`);
    }
    await refused({ user_id: 'usr_nobody' }, 400, 'bad_reference');
    await refused({ workspace_id: 'wrk_nobody' }, 400, 'bad_reference');
    await refused({ production_id: 'prd_retreat' }, 400, 'bad_reference');
    await refused({ description_id: 'dsc_skyline' }, 400, 'bad_reference');
    await refused({ description_id: 'dsc_nobody' }, 400, 'bad_reference');
    await refused({ workspace_id: 'wrk_globex' }, 400, 'url_mismatch', '/workspaces/wrk_acme/assets');
    await refused({ production_id: null }, 400, 'url_mismatch', '/workspaces/wrk_acme/productions/prd_launch/assets');
    await refused({}, 400, 'url_mismatch', '/assets?workspace_id=wrk_globex');

    await refused({ object_key: 'signed-parts/0123456789abcdef0123456789abcdef' }, 422, 'object_missing');
    await refused({ bucket: 'elsewhere' }, 422, 'object_missing');
    assert.match(await refused({ size: object.size + 1 }, 422, 'size_mismatch'), new RegExp(`${object.size}`));
    const first = await create(base, '/assets?workspace_id=wrk_acme', payload(object, { workspace_id: undefined }));
    assert.match(await refused({}, 409, 'already_registered'), new RegExp(first['id'] as string));

    const collection = await registry(base, '/assets', { method: 'PATCH' });
    await errorOf(collection, 405, 'method_not_allowed');
    assert.equal(collection.headers.get('allow'), 'GET, POST, OPTIONS');
    const item = await registry(base, `/assets/${first['id']}`, { method: 'POST' });
    await errorOf(item, 405, 'method_not_allowed');
    assert.equal(item.headers.get('allow'), 'GET, PUT, DELETE, OPTIONS');
    const pub = await registry(base, '/workspaces/wrk_acme/productions/prd_launch/assets/public');
    await errorOf(pub, 405, 'method_not_allowed');
    assert.equal(pub.headers.get('allow'), 'POST, OPTIONS');
  });
});

describe('registry: reading', () => {
  it('shows one asset with each include, scoped by its URL', T, async () => {
    const { base } = await start();
    const asset = await create(base, '/workspaces/wrk_acme/productions/prd_launch/assets', payload(await upload(base), { description_id: 'dsc_founder' }));
    const bare = await create(base, '/assets', payload(await upload(base), { user_id: 'usr_grace' }));
    const get = async (path: string): Promise<Json> => (await json(await registry(base, path), 200))['data'] as Json;

    assert.deepEqual(await get(`/assets/${asset['id']}`), asset);
    assert.deepEqual((await get(`/assets/${asset['id']}?include=owner`))['owner'], { data: { id: 'usr_ada', name: 'Ada Lovelace', email: 'ada@example.com' } });
    assert.deepEqual((await get(`/assets/${asset['id']}?include=workspace`))['workspace'], { data: { id: 'wrk_acme', name: 'Acme' } });
    assert.deepEqual((await get(`/assets/${asset['id']}?include=production`))['production'], {
      data: { id: 'prd_launch', workspace_id: 'wrk_acme', name: 'Product launch', is_public: true },
    });
    const description = (await get(`/assets/${asset['id']}?include=description`))['description'] as Json;
    assert.deepEqual([(description['data'] as Json)['id'], (description['data'] as Json)['type']], ['dsc_founder', 'interview']);
    const all = await get(`/assets/${bare['id']}?include=description,owner,production,workspace`);
    assert.deepEqual(Object.keys(all).slice(-4), ['owner', 'workspace', 'production', 'description']);
    assert.deepEqual([all['production'], all['description']], [{ data: null }, { data: null }]);
    assert.equal(((all['owner'] as Json)['data'] as Json)['id'], 'usr_grace');
    await errorOf(await registry(base, `/assets/${bare['id']}?include=owner,likes`), 400, 'bad_query');
    await errorOf(await registry(base, `/assets/${bare['id']}?include=owner&include=workspace`), 400, 'bad_query');

    assert.equal((await get(`/workspaces/wrk_acme/assets/${asset['id']}`))['id'], asset['id']);
    assert.equal((await get(`/workspaces/wrk_acme/productions/prd_launch/assets/${asset['id']}`))['id'], asset['id']);
    await errorOf(await registry(base, `/workspaces/wrk_globex/assets/${asset['id']}`), 404, 'not_found');
    await errorOf(await registry(base, `/workspaces/wrk_acme/productions/prd_launch/assets/${bare['id']}`), 404, 'not_found');
    await errorOf(await registry(base, `/assets/${asset['id']}?workspace_id=wrk_globex`), 404, 'not_found');
    await errorOf(await registry(base, `/workspaces/wrk_acme/assets/${asset['id']}?workspace_id=wrk_globex`), 400, 'url_mismatch');
    await errorOf(await registry(base, '/assets/ast_00000000000000000000'), 404, 'not_found');
    await errorOf(await registry(base, '/assets/not-an-id'), 404, 'not_found');
    await errorOf(await registry(base, '/elsewhere'), 404, 'not_found');
  });

  it('lists newest first, in pages with links, and by every scope', T, async () => {
    const { base } = await start();
    const a = await create(
      base,
      '/workspaces/wrk_acme/productions/prd_launch/assets',
      payload(await upload(base), { description_id: 'dsc_founder', is_completed_production: true }),
    );
    const b = await create(
      base,
      '/assets',
      payload(await upload(base), { user_id: 'usr_grace', file_type: 'mp3', mimetype: 'application/octet-stream', is_stock: true }),
    );
    const c = await create(
      base,
      '/workspaces/wrk_globex/productions/prd_retreat/assets',
      payload(await upload(base), { workspace_id: 'wrk_globex', description_id: 'dsc_skyline', file_type: 'png', mimetype: 'image/png' }),
    );
    const d = await create(
      base,
      '/workspaces/wrk_globex/assets',
      payload(await upload(base), { workspace_id: undefined, user_id: 'usr_grace', file_type: 'pdf', mimetype: 'application/pdf' }),
    );
    assert.deepEqual(
      [a, b, c, d].map((asset) => asset['asset_type']),
      ['video', 'audio', 'image', 'other'],
    );
    const [A, B, C, D] = [a, b, c, d].map((asset) => asset['id'] as string);
    const list = async (path: string): Promise<Json> => json(await registry(base, path), 200);
    const listed = async (path: string): Promise<string[]> => ids(await list(path));

    const all = await list('/assets');
    assert.deepEqual(ids(all), [D, C, B, A]);
    assert.deepEqual((all['data'] as Json[])[3], a);
    assert.deepEqual(all['meta'], { pagination: { total: 4, count: 4, per_page: 100, current_page: 1, total_pages: 1, links: [] } });

    const first = await list('/assets?limit=3&include=owner');
    assert.deepEqual(ids(first), [D, C, B]);
    const pagination = (body: Json): Json => (body['meta'] as Json)['pagination'] as Json;
    assert.deepEqual({ ...pagination(first), links: null }, { total: 4, count: 3, per_page: 3, current_page: 1, total_pages: 2, links: null });
    const next = new URL((pagination(first)['links'] as Json)['next'] as string);
    assert.equal(next.origin, base);
    assert.equal(next.pathname, '/registry/v1/assets');
    assert.deepEqual(
      [...next.searchParams],
      [
        ['limit', '3'],
        ['include', 'owner'],
        ['page', '2'],
      ],
    );
    assert.deepEqual(Object.keys(pagination(first)['links'] as Json), ['next']);
    const second = await list(`${next.pathname.slice('/registry/v1'.length)}${next.search}`);
    assert.deepEqual(ids(second), [A]);
    assert.ok('owner' in (second['data'] as Json[])[0]!);
    assert.deepEqual(Object.keys(pagination(second)['links'] as Json), ['previous']);
    const middle = pagination(await list('/assets?limit=1&page=2'))['links'] as Json;
    assert.deepEqual([new URL(middle['previous'] as string).search, new URL(middle['next'] as string).search], ['?limit=1&page=1', '?limit=1&page=3']);
    assert.deepEqual(await listed('/assets?page=9'), []);
    for (const bad of ['limit=0', 'limit=101', 'limit=ten', 'limit=1&limit=2', 'page=0', 'page=-1', 'page=1.5']) {
      await errorOf(await registry(base, `/assets?${bad}`), 400, 'bad_query');
    }

    const scopes: [string, string[]][] = [
      ['assetType=audio', [B]],
      ['assetType=image,other', [D, C]],
      ['assetType=video', [A]],
      ['completed=true', [A]],
      ['completed=0', [D, C, B]],
      ['stock=1', [B]],
      ['stock=false', [D, C, A]],
      ['hasFailedJobs=true', [D, C, B, A]],
      ['hasFailedJobs=false', []],
      ['user=usr_grace', [D, B]],
      ['workspace=wrk_globex', [D, C]],
      ['production=prd_launch', [A]],
      ['descriptionType=b-roll', [C]],
      ['descriptionType=interview', [A]],
      ['descriptionType=drone', []],
      ['user=usr_ada&workspace=wrk_acme', [A]],
      ['unknown=ignored', [D, C, B, A]],
    ];
    for (const [query, expected] of scopes) assert.deepEqual(await listed(`/assets?${query}`), expected, query);
    for (const bad of [
      'assetType=movie',
      'assetType=',
      'completed=yes',
      'stock=',
      'hasFailedJobs=2',
      'user=usr_nobody',
      'workspace=x',
      'production=prd_x',
      'descriptionType=',
    ]) {
      const body = await errorOf(await registry(base, `/assets?${bad}`), 400, 'bad_query');
      assert.match(messageOf(body), new RegExp(bad.split('=')[0]!));
    }

    assert.deepEqual(await listed('/workspaces/wrk_acme/assets'), [B, A]);
    assert.deepEqual(await listed('/workspaces/wrk_acme/productions/prd_launch/assets'), [A]);
    assert.deepEqual(await listed('/workspaces/wrk_acme/assets?workspace=wrk_globex'), []);
    assert.deepEqual(await listed('/assets?workspace_id=wrk_globex'), [D, C]);
    assert.deepEqual(await listed('/workspaces/wrk_acme/assets?workspace_id=wrk_acme'), [B, A]);
    await errorOf(await registry(base, '/workspaces/wrk_acme/assets?workspace_id=wrk_globex'), 400, 'url_mismatch');
    await errorOf(await registry(base, '/assets?workspace_id=wrk_nope'), 400, 'bad_query');
    await errorOf(await registry(base, '/workspaces/wrk_globex/productions/prd_launch/assets'), 404, 'not_found');
  });
});

describe('registry: changing', () => {
  it('updates the members PUT may change, and no others', T, async () => {
    const { base, dataDir } = await start();
    const asset = await create(base, '/workspaces/wrk_acme/productions/prd_launch/assets', payload(await upload(base)));
    const path = `/assets/${asset['id']}`;
    const put = (data: unknown, at = path): Promise<Response> => send(base, 'PUT', at, { data });

    const renamed = (await json(await put({ file_name: 'final cut.mp4', is_transcoded: true, is_stock: true, user_id: 'usr_grace' }), 200))['data'] as Json;
    assert.deepEqual(
      [renamed['file_name'], renamed['is_transcoded'], renamed['is_stock'], renamed['user_id'], renamed['created_at']],
      ['final cut.mp4', true, true, 'usr_grace', asset['created_at']],
    );
    const stored = JSON.parse(await readFile(join(dataDir, 'registry', `${asset['id']}.json`), 'utf8')) as Json;
    assert.equal(stored['file_name'], 'final cut.mp4');
    assert.ok((stored['updated_at'] as string) > (stored['created_at'] as string), 'updated_at moves');
    assert.deepEqual((await json(await registry(base, path), 200))['data'], renamed);

    for (const fixed of ['bucket', 'object_key', 'size', 'file_type', 'mimetype']) {
      const message = messageOf(await errorOf(await put({ [fixed]: 'x' }), 400, 'read_only_member'));
      assert.match(message, new RegExp(`data\\.${fixed} cannot change`), 'the refusal names the member');
    }
    await errorOf(await put({ link_download: 'https://example.test/' }), 400, 'unknown_member');
    await errorOf(await put({ file_name: 'a/b' }), 400, 'invalid_member');
    await errorOf(await put({ is_transcoded: 'yes' }), 400, 'invalid_member');
    await errorOf(await put({ user_id: 'usr_nobody' }), 400, 'bad_reference');
    await errorOf(await put({ workspace_id: 'wrk_globex' }), 400, 'bad_reference'); // its production is in wrk_acme
    await errorOf(await put({ workspace_id: 'wrk_globex' }, `/workspaces/wrk_acme/assets/${asset['id']}`), 400, 'url_mismatch');
    await errorOf(await put({ production_id: null }, `/workspaces/wrk_acme/productions/prd_launch/assets/${asset['id']}`), 400, 'url_mismatch');
    await errorOf(await registry(base, path, { method: 'PUT', body: '{"data":{}}' }), 415, 'unsupported_media_type');
    await errorOf(await put({ file_name: 'x' }, '/assets/ast_00000000000000000000'), 404, 'not_found');

    const moved = (await json(await put({ workspace_id: 'wrk_globex', production_id: null }), 200))['data'] as Json;
    assert.deepEqual([moved['workspace_id'], moved['production_id']], ['wrk_globex', null]);
    await errorOf(await registry(base, `/workspaces/wrk_acme/assets/${asset['id']}`), 404, 'not_found');
  });

  // The seed's "Update Asset" example repeats bucket, object_key, size, file_type and mimetype
  // beside the new file_name (its values name an object of theirs; these name ours).
  it("takes the seed's own PUT example: read-only members repeated unchanged are ignored", T, async () => {
    const { base } = await start();
    const object = await upload(base, 64, 'file.mp4');
    const asset = await create(base, '/assets', payload(object));
    const example = {
      workspace_id: 'wrk_acme',
      bucket: object.bucket,
      object_key: object.object_key,
      file_name: 'file.mp4',
      file_type: 'MP4',
      size: object.size,
      mimetype: 'Video/MP4',
    };
    const updated = (await json(await send(base, 'PUT', `/assets/${asset['id']}`, { data: example }), 200))['data'] as Json;
    assert.deepEqual([updated['file_name'], updated['file_type'], updated['mimetype'], updated['size']], ['file.mp4', 'mp4', 'video/mp4', object.size]);
    const changed = await errorOf(await send(base, 'PUT', `/assets/${asset['id']}`, { data: { ...example, size: object.size + 1 } }), 400, 'read_only_member');
    assert.match(messageOf(changed), /data\.size cannot change/);
  });

  it('reads file_type case-insensitively (IMG_0001.JPG with "JPG"), keeping it in lower case', T, async () => {
    const { base } = await start();
    const asset = await create(
      base,
      '/assets',
      payload(await upload(base, 64, 'IMG_0001.JPG'), { file_name: 'IMG_0001.JPG', file_type: 'JPG', mimetype: 'image/jpeg' }),
    );
    assert.deepEqual([asset['file_name'], asset['file_type'], asset['asset_type']], ['IMG_0001.JPG', 'jpg', 'image']);
    await errorOf(await send(base, 'POST', '/assets', { data: payload(await upload(base, 64, 'b.mp4'), { file_type: 'MP-4' }) }), 400, 'invalid_member');
  });

  it('deletes the asset and its object, with the assets_delete scope', T, async () => {
    const { base, dataDir } = await start();
    const object = await upload(base);
    const asset = await create(base, '/workspaces/wrk_acme/assets', payload(object, { workspace_id: undefined }));
    const path = `/assets/${asset['id']}`;
    await errorOf(await registry(base, path, { method: 'DELETE' }), 403, 'insufficient_scope');
    await errorOf(await registry(base, `/workspaces/wrk_globex/assets/${asset['id']}`, { method: 'DELETE', token: DELETER }), 404, 'not_found');

    const deleted = await registry(base, `/workspaces/wrk_acme/assets/${asset['id']}`, { method: 'DELETE', token: DELETER });
    assert.deepEqual(await json(deleted, 200), { success: { http_code: 200, message: 'Success' } });
    await errorOf(await registry(base, path), 404, 'not_found');
    await errorOf(await registry(base, path, { method: 'DELETE', token: DELETER }), 404, 'not_found');
    const file = await fetch(`${base}/signed-parts/files/${object.uploadId}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    assert.equal(file.status, 404);
    await file.body?.cancel();
    assert.deepEqual(await readdir(join(dataDir, 'registry')), []);
    await errorOf(await send(base, 'POST', '/assets', { data: payload(object) }), 422, 'object_missing');
  });

  it('needs a known bearer token with the right scope', T, async () => {
    const { base } = await start();
    await errorOf(await registry(base, '/assets', { token: null }), 401, 'unauthorized');
    await errorOf(await registry(base, '/assets', { token: 'nobody-knows-this' }), 401, 'unauthorized');
    await errorOf(await send(base, 'POST', '/assets', { data: {} }, { token: null }), 401, 'unauthorized');
    await errorOf(await registry(base, '/nowhere', { token: null }), 401, 'unauthorized');
    await errorOf(await registry(base, '/assets', { token: DELETE_ONLY }), 403, 'insufficient_scope');
    await errorOf(await send(base, 'POST', '/assets', { data: {} }, { token: DELETE_ONLY }), 403, 'insufficient_scope');
  });
});

describe("registry: the seed's own examples", () => {
  it('lists, creates, shows and deletes with the requests as the seed writes them', T, async () => {
    const { base } = await start();
    // Every example request carries Content-Type: application/json, GET and DELETE too.
    const seedHeaders = { 'Content-Type': 'application/json' };
    const object = await upload(base, 64, 'file.mp4');
    // The create example, with this server's fixture workspace: no user_id, though the table says it is required.
    const example = {
      workspace_id: 'wrk_acme',
      bucket: object.bucket,
      object_key: object.object_key,
      file_name: 'file.mp4',
      file_type: 'mp4',
      size: object.size,
      mimetype: 'image/mp4',
    };
    const refused = await errorOf(await send(base, 'POST', '/assets/', { data: example }), 400, 'missing_member');
    assert.equal((refused['error'] as Json)['http_code'], 400, "errors carry the status as http_code, like the seed's success document");
    assert.match(messageOf(refused), /data\.user_id is required/);
    const created = await create(base, '/assets/', { ...example, user_id: 'usr_ada' });
    assert.deepEqual([created['file_name'], created['file_type'], created['mimetype']], ['file.mp4', 'mp4', 'image/mp4'], 'kept as sent');

    const listed = await json(await registry(base, '/assets?limit=100', { headers: seedHeaders }), 200);
    const pagination = (listed['meta'] as Json)['pagination'] as Json;
    assert.deepEqual(Object.keys(pagination), ['total', 'count', 'per_page', 'current_page', 'total_pages', 'links']);
    assert.deepEqual(pagination, { total: 1, count: 1, per_page: 100, current_page: 1, total_pages: 1, links: [] });
    const shown = await json(await registry(base, `/assets/${created['id']}`, { headers: seedHeaders }), 200);
    assert.equal((shown['data'] as Json)['id'], created['id']);

    const deleted = await registry(base, `/assets/${created['id']}`, { method: 'DELETE', headers: seedHeaders, token: DELETER });
    assert.deepEqual(await json(deleted, 200), { success: { http_code: 200, message: 'Success' } });
    const gone = await errorOf(await registry(base, `/assets/${created['id']}`, { headers: seedHeaders }), 404, 'not_found');
    assert.equal((gone['error'] as Json)['http_code'], 404);
  });
});

describe('registry: durability', () => {
  it('keeps assets, their order and the duplicate check across a restart', T, async () => {
    const dataDir = await apps.tempDir();
    const first = await start({ dataDir });
    const one = await create(first.base, '/assets', payload(await upload(first.base)));
    const twoObject = await upload(first.base);
    const two = await create(first.base, '/assets', payload(twoObject, { file_name: 'two.mp4' }));
    await first.app.close();
    await writeFile(join(dataDir, 'registry', `${one['id']}.json.tmp`), '{"half": ');

    const second = await start({ dataDir });
    const relink = (asset: Json): Json => ({ ...asset, link_download: (asset['link_download'] as string).replace(first.base, second.base) });
    const listed = await json(await registry(second.base, '/assets'), 200);
    assert.deepEqual(listed['data'], [relink(two), relink(one)]);
    assert.ok(!(await readdir(join(dataDir, 'registry'))).some((entry) => entry.endsWith('.tmp')), 'leftovers are removed');
    await errorOf(await send(second.base, 'POST', '/assets', { data: payload(twoObject) }), 409, 'already_registered');
    const three = await create(second.base, '/assets', payload(await upload(second.base)));
    assert.deepEqual(ids(await json(await registry(second.base, '/assets'), 200)), [three['id'], two['id'], one['id']]);
  });
});
