/**
 * The server process (demo/server/main.ts) as `npm start` and `npm run server` run
 * it (issue 9, defect 8): outside the demo it needs API_TOKENS and never takes the
 * published demo-token; the demo stays one command.
 *
 * Run: node --test --import tsx test/node/main.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { REQUEST_TIMEOUT_MS } from './support.js';

const T = { timeout: 30_000 };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_LIMIT_MS = 20_000;
const children = new Set<ChildProcess>();
const dirs: string[] = [];

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.allSettled(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Starts main.ts; resolves with its origin once it listens, or with its exit code and stderr if it stops first. */
async function run(args: string[], env: Record<string, string | undefined>): Promise<{ origin?: string; code?: number | null; stderr: string; child: ChildProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'asset-uploader-main-'));
  dirs.push(dataDir);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATA_DIR: dataDir, PUBLIC_DIR: '', API_TOKENS: undefined, CORS_ORIGINS: undefined, ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/server/main.ts', ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main.ts neither listened nor exited within ${START_LIMIT_MS} ms: ${stderr}`)), START_LIMIT_MS);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ origin: match[1]!, stderr, child });
      }
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stderr, child });
    });
  });
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
    result.child.kill('SIGTERM');
  });

  it('in the demo (--demo) takes demo-token without any setting, and still never grants credentials to an unlisted origin', T, async () => {
    const result = await run(['--demo'], {});
    assert.ok(result.origin, result.stderr);
    const response = await listAssets(result.origin, 'demo-token', { Origin: 'http://anyone.example' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    await response.body?.cancel();
    result.child.kill('SIGTERM');
  });
});
