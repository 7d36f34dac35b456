/**
 * The server process (demo/server/main.ts) as `npm start` and `npm run server` run
 * it (issue 9, defect 8): outside the demo it needs API_TOKENS and never takes the
 * published demo-token; the demo stays one command. While the server accepts demo-token,
 * a foreign origin gets no CORS (any website could otherwise read and delete the uploads).
 *
 * Run: node --test --import tsx test/node/main.test.ts
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ServerExitedError, startReferenceServer, type ReferenceServer } from '../support/server-process.mjs';
import { REQUEST_TIMEOUT_MS } from './support.js';

const T = { timeout: 30_000 };
const servers = new Set<ReferenceServer>();
const dirs: string[] = [];

after(async () => {
  await Promise.allSettled([...servers].map((server) => server.stop({ hard: true })));
  await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * Starts main.ts (test/support/server-process.mjs, bounded); resolves with its origin once it
 * listens, or with its exit code and stderr if it stops first.
 */
async function run(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ origin?: string; code?: number | null; stderr: string; server?: ReferenceServer }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'asset-uploader-main-'));
  dirs.push(dataDir);
  try {
    const server = await startReferenceServer({ dataDir, publicDir: '', args, env: { API_TOKENS: undefined, CORS_ORIGINS: undefined, ...env } });
    servers.add(server);
    return { origin: server.origin, stderr: server.stderr(), server };
  } catch (error) {
    if (error instanceof ServerExitedError) return { code: error.code, stderr: error.stderr };
    throw error;
  }
}

function listAssets(origin: string, token: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(`${origin}/phased/assets`, { headers: { Authorization: `Bearer ${token}`, ...extra }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

describe('main.ts', () => {
  it('refuses to start outside the demo without API_TOKENS, and says which variable to set', T, async () => {
    const result = await run([], {});
    assert.equal(result.origin, undefined);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /API_TOKENS is not set/);
  });

  it('outside the demo accepts only the listed tokens, never demo-token, and grants credentials only to listed origins', T, async () => {
    const result = await run([], { API_TOKENS: 'real-token=assets' });
    assert.ok(result.origin, result.stderr);
    const refused = await listAssets(result.origin, 'demo-token', { Origin: 'http://evil.example' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-credentials'), null);
    await refused.body?.cancel();
    const accepted = await listAssets(result.origin, 'real-token');
    assert.equal(accepted.status, 200);
    await accepted.body?.cancel();
    await result.server?.stop();
  });

  it('in the demo (--demo) takes demo-token without any setting, and still never grants credentials to an unlisted origin', T, async () => {
    const result = await run(['--demo'], {});
    assert.ok(result.origin, result.stderr);
    const response = await listAssets(result.origin, 'demo-token', { Origin: 'http://anyone.example' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    await response.body?.cancel();
    await result.server?.stop();
  });
  it('in the demo, gives a foreign origin no CORS for demo-token requests, and still answers its own origin and CORS_ORIGINS', T, async () => {
    const evil = 'https://evil.example';
    const listed = 'http://good.test:8000';
    const result = await run(['--demo'], {});
    assert.ok(result.origin, result.stderr);
    let origin = result.origin;
    const deletePreflight = (from: string): Promise<Response> =>
      fetch(`${origin}/phased/assets/0123456789abcdef0123456789abcdef`, {
        method: 'OPTIONS',
        headers: { Origin: from, 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'authorization' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });

    const foreign = await listAssets(origin, 'demo-token', { Origin: evil });
    assert.equal(foreign.status, 200);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    await foreign.body?.cancel();
    const foreignPre = await deletePreflight(evil);
    assert.equal(foreignPre.headers.get('access-control-allow-origin'), null);
    assert.equal(foreignPre.headers.get('access-control-allow-methods'), null);
    assert.equal(foreignPre.headers.get('access-control-allow-headers'), null);

    const own = await listAssets(origin, 'demo-token', { Origin: origin });
    assert.equal(own.headers.get('access-control-allow-origin'), origin);
    await own.body?.cancel();
    const ownPre = await deletePreflight(origin);
    assert.equal(ownPre.headers.get('access-control-allow-origin'), origin);

    await result.server?.stop();

    const withList = await run(['--demo'], { CORS_ORIGINS: listed });
    assert.ok(withList.origin, withList.stderr);
    origin = withList.origin;
    const good = await listAssets(origin, 'demo-token', { Origin: listed });
    assert.equal(good.headers.get('access-control-allow-origin'), listed);
    assert.equal(good.headers.get('access-control-allow-credentials'), 'true');
    await good.body?.cancel();
    const goodPre = await deletePreflight(listed);
    assert.equal(goodPre.headers.get('access-control-allow-origin'), listed);
    assert.match(goodPre.headers.get('access-control-allow-methods') ?? '', /DELETE/);
    const stillForeign = await listAssets(origin, 'demo-token', { Origin: evil });
    assert.equal(stillForeign.headers.get('access-control-allow-origin'), null);
    await stillForeign.body?.cancel();
    const stillOwn = await listAssets(origin, 'demo-token', { Origin: origin });
    assert.equal(stillOwn.headers.get('access-control-allow-origin'), origin);
    await stillOwn.body?.cancel();
    await withList.server?.stop();
  });

  it('treats demo-token listed in API_TOKENS the same; with only secret tokens any origin is still echoed, and CORS_ORIGINS=* opts in', T, async () => {
    const published = await run([], { API_TOKENS: 'demo-token=assets;real-token=assets' });
    assert.ok(published.origin, published.stderr);
    const refused = await listAssets(published.origin, 'real-token', { Origin: 'http://anyone.example' });
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    await refused.body?.cancel();
    await published.server?.stop();

    const secret = await run(['--demo'], { API_TOKENS: 'real-token=assets' });
    assert.ok(secret.origin, secret.stderr);
    const echoed = await listAssets(secret.origin, 'real-token', { Origin: 'http://anyone.example' });
    assert.equal(echoed.headers.get('access-control-allow-origin'), 'http://anyone.example');
    assert.equal(echoed.headers.get('access-control-allow-credentials'), null);
    await echoed.body?.cancel();
    await secret.server?.stop();

    const optIn = await run(['--demo'], { CORS_ORIGINS: '*' });
    assert.ok(optIn.origin, optIn.stderr);
    const any = await listAssets(optIn.origin, 'demo-token', { Origin: 'http://anyone.example' });
    assert.equal(any.headers.get('access-control-allow-origin'), 'http://anyone.example');
    assert.equal(any.headers.get('access-control-allow-credentials'), null);
    await any.body?.cancel();
    await optIn.server?.stop();
  });
});
