/**
 * The CORS rule (core/cors.ts) on every route family, tus included (issue 9, defects 7
 * and 8): listed origins get CORS with credentials; unlisted ones and `null` get no
 * CORS headers; without a list, any origin is echoed but never with credentials, unless
 * the server accepts a published token (`demo-token`): then only its own origin and listed
 * ones get CORS, and `*` in the list is the explicit opt-in to any origin.
 *
 * Run: node --test --import tsx test/node/core/cors.test.ts
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DEFAULT_API_TOKENS, parseApiTokens } from '../../../demo/server/core/auth.js';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';
import { TOKEN, TOKENS, tusFile } from '../support-uploads.js';

const T = { timeout: 20_000 };
const GOOD = 'http://good.test:8000';
const apps = harness('asset-uploader-cors-', { closeGraceMs: 500, apiTokens: TOKENS });

after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

function ask(url: string, method: string, origin: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method, headers: { Origin: origin, ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

const preflight = (url: string, origin: string, method = 'POST', requestHeaders = 'tus-resumable, upload-length'): Promise<Response> =>
  ask(url, 'OPTIONS', origin, { 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': requestHeaders });

function assertNoCors(response: Response, what: string): void {
  for (const [name] of response.headers) assert.ok(!name.startsWith('access-control-'), `${what}: ${name} must not be sent`);
}

/** A request of each route family: [label, url, method, extra headers]. */
function routes(base: string, tusUrl: string): [string, string, string, Record<string, string>][] {
  return [
    ['tus create', `${base}/tus/files`, 'POST', { 'Tus-Resumable': '1.0.0', 'Upload-Length': '1' }],
    ['tus-md5 create', `${base}/tus-md5/files`, 'POST', { 'Tus-Resumable': '1.0.0', 'Upload-Length': '1' }],
    ['tus options', `${base}/tus/files`, 'OPTIONS', {}],
    ['tus head', tusUrl, 'HEAD', { 'Tus-Resumable': '1.0.0' }],
    ['tus download', tusUrl, 'GET', {}],
    ['tus 412', `${base}/tus/files`, 'POST', {}],
    ['content-range', `${base}/content-range/videos/upload.json`, 'POST', { 'Content-Type': 'application/json' }],
    ['phased', `${base}/phased/assets`, 'GET', { Authorization: `Bearer ${TOKEN}` }],
    ['session', `${base}/session/v1/upload_sessions.json`, 'POST', { Authorization: `Bearer ${TOKEN}` }],
    ['signed-parts', `${base}/signed-parts/api/v1/uploads`, 'POST', { Authorization: `Bearer ${TOKEN}` }],
    ['registry', `${base}/registry/v1/workspaces/wrk_acme/assets`, 'GET', { Authorization: `Bearer ${TOKEN}` }],
  ];
}

describe('CORS with CORS_ORIGINS set', () => {
  it('gives unlisted origins and null no CORS headers on any route, tus included', T, async () => {
    const { base } = await apps.start({ corsOrigins: [GOOD] });
    const tusUrl = await tusFile(base, 'tus', 'a.bin', Buffer.from('a'));
    for (const origin of ['http://evil.example', 'null']) {
      for (const path of ['/tus/files', '/tus-md5/files', new URL(tusUrl).pathname, '/content-range/videos/upload.json', '/phased/assets']) {
        const response = await preflight(`${base}${path}`, origin);
        assertNoCors(response, `preflight ${path} from ${origin}`);
        await response.body?.cancel();
      }
      for (const [label, url, method, headers] of routes(base, tusUrl)) {
        const response = await ask(url, method, origin, headers);
        assertNoCors(response, `${label} from ${origin}`);
        await response.body?.cancel();
      }
    }
  });

  it('answers a listed origin with credentials and the tus headers it needs', T, async () => {
    const { base } = await apps.start({ corsOrigins: [GOOD] });
    const tusUrl = await tusFile(base, 'tus-md5', 'a.bin', Buffer.from('a'));
    const pre = await preflight(`${base}/tus/files`, GOOD, 'PATCH', 'tus-resumable, upload-offset, content-type, upload-checksum');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), GOOD);
    assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /HEAD/);
    for (const header of ['Tus-Resumable', 'Upload-Offset', 'Upload-Length', 'Upload-Metadata', 'Upload-Checksum', 'Content-Type']) {
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', new RegExp(header, 'i'), header);
    }
    for (const [label, url, method, headers] of routes(base, tusUrl.replace('/tus-md5/', '/tus/'))) {
      const response = await ask(url, method, GOOD, headers);
      assert.equal(response.headers.get('access-control-allow-origin'), GOOD, label);
      assert.equal(response.headers.get('access-control-allow-credentials'), 'true', label);
      if (label.startsWith('tus')) {
        const exposed = response.headers.get('access-control-expose-headers') ?? '';
        for (const header of ['Location', 'Upload-Offset', 'Upload-Length', 'Tus-Version', 'Tus-Extension', 'Tus-Resumable', 'Upload-Metadata']) {
          assert.match(exposed, new RegExp(`\\b${header}\\b`), `${label} exposes ${header}`);
        }
        if (!label.startsWith('tus-md5')) assert.doesNotMatch(exposed, /Tus-Checksum-Algorithm/, `${label}: plain tus does not send it`);
      }
      await response.body?.cancel();
    }
    const md5Options = await ask(`${base}/tus-md5/files`, 'OPTIONS', GOOD);
    assert.equal(md5Options.headers.get('tus-checksum-algorithm'), 'md5,sha1');
    assert.match(md5Options.headers.get('access-control-expose-headers') ?? '', /\bTus-Checksum-Algorithm\b/);
    const md5Head = await ask(tusUrl, 'HEAD', GOOD, { 'Tus-Resumable': '1.0.0' });
    assert.equal(md5Head.status, 200);
    assert.equal(md5Head.headers.get('upload-offset'), '1');
    assert.match(md5Head.headers.get('access-control-expose-headers') ?? '', /\bUpload-Offset\b/);
  });
});

describe('CORS without CORS_ORIGINS', () => {
  it('echoes any origin but never allows credentials for it, and never allows null', T, async () => {
    const { base } = await apps.start();
    const tusUrl = await tusFile(base, 'tus', 'a.bin', Buffer.from('a'));
    for (const [label, url, method, headers] of routes(base, tusUrl)) {
      const response = await ask(url, method, 'http://anyone.example', headers);
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://anyone.example', label);
      assert.equal(response.headers.get('access-control-allow-credentials'), null, label);
      await response.body?.cancel();
      const nul = await ask(url, method, 'null', headers);
      assertNoCors(nul, `${label} from null`);
      await nul.body?.cancel();
    }
    const pre = await preflight(`${base}/content-range/videos/upload.json`, 'http://anyone.example');
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://anyone.example');
    assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  });
});

describe('CORS when the server accepts the published demo-token', () => {
  const PUBLISHED = parseApiTokens(DEFAULT_API_TOKENS);
  const EVIL = 'https://evil.example';
  const demoAuth = { Authorization: 'Bearer demo-token' };

  it('gives a foreign origin no CORS headers on any route, nor on the preflight of a DELETE with authorization', T, async () => {
    const { base } = await apps.start({ apiTokens: PUBLISHED });
    const tusUrl = await tusFile(base, 'tus', 'a.bin', Buffer.from('a'));
    const list = await ask(`${base}/phased/assets`, 'GET', EVIL, demoAuth);
    assert.equal(list.status, 200, 'the token is accepted');
    assertNoCors(list, 'GET /phased/assets from a foreign origin');
    await list.body?.cancel();
    for (const path of [
      '/phased/assets',
      '/phased/assets/0123456789abcdef0123456789abcdef',
      new URL(tusUrl).pathname,
      '/registry/v1/workspaces/wrk_acme/assets',
    ]) {
      const response = await preflight(`${base}${path}`, EVIL, 'DELETE', 'authorization');
      assertNoCors(response, `preflight DELETE ${path}`);
      await response.body?.cancel();
    }
    for (const [label, url, method, headers] of routes(base, tusUrl)) {
      const response = await ask(url, method, EVIL, { ...headers, ...(headers['Authorization'] ? demoAuth : {}) });
      assertNoCors(response, `${label} from a foreign origin`);
      await response.body?.cancel();
    }
  });

  it('still answers its own origin, without credentials', T, async () => {
    const { base } = await apps.start({ apiTokens: PUBLISHED });
    const list = await ask(`${base}/phased/assets`, 'GET', base, demoAuth);
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('access-control-allow-origin'), base);
    assert.equal(list.headers.get('access-control-allow-credentials'), null);
    await list.body?.cancel();
    const pre = await preflight(`${base}/phased/assets/0123456789abcdef0123456789abcdef`, base, 'DELETE', 'authorization');
    assert.equal(pre.headers.get('access-control-allow-origin'), base);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /DELETE/);
  });

  it('answers an origin listed in CORS_ORIGINS, with credentials, and still not a foreign one', T, async () => {
    const { base } = await apps.start({ apiTokens: PUBLISHED, corsOrigins: [GOOD] });
    const list = await ask(`${base}/phased/assets`, 'GET', GOOD, demoAuth);
    assert.equal(list.headers.get('access-control-allow-origin'), GOOD);
    assert.equal(list.headers.get('access-control-allow-credentials'), 'true');
    await list.body?.cancel();
    const pre = await preflight(`${base}/phased/assets/0123456789abcdef0123456789abcdef`, GOOD, 'DELETE', 'authorization');
    assert.equal(pre.headers.get('access-control-allow-origin'), GOOD);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const evil = await ask(`${base}/phased/assets`, 'GET', EVIL, demoAuth);
    assertNoCors(evil, 'GET /phased/assets from an unlisted origin');
    await evil.body?.cancel();
  });

  it('grants any origin, never with credentials, only with the explicit "*"', T, async () => {
    const { base } = await apps.start({ apiTokens: PUBLISHED, corsOrigins: ['*', GOOD] });
    const evil = await ask(`${base}/phased/assets`, 'GET', EVIL, demoAuth);
    assert.equal(evil.headers.get('access-control-allow-origin'), EVIL);
    assert.equal(evil.headers.get('access-control-allow-credentials'), null);
    await evil.body?.cancel();
    const good = await ask(`${base}/phased/assets`, 'GET', GOOD, demoAuth);
    assert.equal(good.headers.get('access-control-allow-credentials'), 'true');
    await good.body?.cancel();
    const nul = await ask(`${base}/phased/assets`, 'GET', 'null', demoAuth);
    assertNoCors(nul, 'null with "*"');
    await nul.body?.cancel();
  });
});
