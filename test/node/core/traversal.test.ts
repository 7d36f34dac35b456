/**
 * Path traversal on every route: whatever a request puts where an id, a token, a name or
 * a part number goes, the server never reads, writes or deletes outside DATA_DIR.
 *
 * Sentinel files sit beside DATA_DIR and at its top, named as the stores name their own
 * files (`.json`, `.bin`, no extension), so that a store that turned a decoded `../x`
 * into a path would hit one. Every route gets every payload with every method, raw on
 * the wire (fetch would resolve `..` before sending). Afterwards the sentinels are
 * byte-identical and unmodified, nothing new appeared outside DATA_DIR, no answer was a
 * 5xx, and the server still answers.
 *
 * Run: node --test --import tsx test/node/core/traversal.test.ts
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';
import { TOKEN, TOKENS } from '../support-uploads.js';

const apps = harness('asset-uploader-traversal-', { closeGraceMs: 500, apiTokens: TOKENS });
after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

/** What goes where an id goes: plain, encoded, double-encoded, backslashes, NUL, absolute. */
const PAYLOADS = [
  '..',
  '..%2f..%2fsentinel',
  '..%2F..%2Fsentinel.json',
  '%2e%2e%2f%2e%2e%2fsentinel.bin',
  '%252e%252e%252fsentinel',
  '..%5c..%5csentinel',
  '....%2f%2fsentinel',
  'sentinel%00.json',
  '%2fetc%2fpasswd',
  `..%2f${'a'.repeat(300)}`,
];

/** Every route, with `{}` where a payload goes (some routes take two). */
const ROUTES = [
  '/content-range/uploads/{}',
  '/content-range/files/{}',
  '/tus/files/{}',
  '/tus-md5/files/{}',
  '/phased/assets/{}',
  '/phased/assets/{}/multipart',
  '/phased/files/{}',
  '/session/v1/upload_sessions/{}.json',
  '/session/v1/blobs/{}/{}',
  '/session/v1/assets/{}',
  '/signed-parts/api/v1/uploads/{}',
  '/signed-parts/api/v1/uploads/{}/parts?part_number={}',
  '/signed-parts/files/{}',
  '/signed-parts/store/{}/{}',
  '/registry/v1/assets/{}',
  '/registry/v1/workspaces/{}/assets',
  '/registry/v1/workspaces/{}/productions/{}/assets/{}',
  '/{}',
];

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE'];

/** One raw request: the path goes on the wire exactly as written. */
function raw(base: string, method: string, path: string, body = ''): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          'Content-Type': method === 'PATCH' && path.startsWith('/tus') ? 'application/offset+octet-stream' : 'application/json',
          'Content-Range': 'bytes 0-3/4',
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Length': String(Buffer.byteLength(body)),
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const SENTINEL_NAMES = ['sentinel', 'sentinel.json', 'sentinel.bin', 'sentinel.txt', 'passwd'];

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path);
    out.set(name, info.isFile() ? `${info.size}:${info.mtimeMs}:${await readFile(path, 'utf8')}` : 'dir');
  }
  return out;
}

describe('path traversal on every route', () => {
  it('touches nothing outside DATA_DIR, answers no 5xx, and keeps answering', { timeout: 120_000 }, async () => {
    const parent = await apps.tempDir();
    const dataDir = join(parent, 'data');
    await mkdir(dataDir);
    for (const name of SENTINEL_NAMES) {
      await writeFile(join(parent, name), `sentinel beside DATA_DIR: ${name}`);
      await writeFile(join(dataDir, name), `sentinel at the top of DATA_DIR: ${name}`);
    }
    const { base } = await apps.start({ dataDir, publicDir: dataDir });
    const before = await snapshot(parent);
    const topBefore = new Map([...(await snapshot(dataDir))].filter(([name]) => SENTINEL_NAMES.includes(name)));

    const fiveHundreds: string[] = [];
    for (const route of ROUTES) {
      for (const payload of PAYLOADS) {
        const path = route.replaceAll('{}', payload);
        for (const method of METHODS) {
          const body =
            method === 'GET' || method === 'HEAD' || method === 'DELETE'
              ? ''
              : method === 'POST'
                ? JSON.stringify({ file_name: '../../sentinel.json', file_size: 4, files: [{ name: '../sentinel.bin' }] })
                : 'abcd';
          const status = await raw(base, method, path, body);
          if (status >= 500) fiveHundreds.push(`${method} ${path} -> ${status}`);
        }
      }
    }
    assert.deepEqual(fiveHundreds, [], 'no route answers a hostile id with a server error');
    assert.deepEqual(await snapshot(parent), before, 'nothing beside DATA_DIR changed or appeared');
    assert.deepEqual(
      new Map([...(await snapshot(dataDir))].filter(([name]) => SENTINEL_NAMES.includes(name))),
      topBefore,
      'the sentinels at the top of DATA_DIR are untouched',
    );
    assert.equal(await raw(base, 'GET', `/content-range/files/${'0'.repeat(32)}`), 404, 'the server still answers');
  });

  it('keeps hostile names as data: creations with traversal names are refused or stored under random ids', { timeout: 30_000 }, async () => {
    const parent = await apps.tempDir();
    const dataDir = join(parent, 'data');
    await mkdir(dataDir);
    for (const name of SENTINEL_NAMES) await writeFile(join(parent, name), `sentinel: ${name}`);
    const { base } = await apps.start({ dataDir });
    const before = await snapshot(parent);
    const names = ['../sentinel.json', '..\\..\\sentinel.bin', '/etc/passwd', '..', 'sentinel\u0000.json'];
    for (const name of names) {
      const statuses = [
        await raw(base, 'POST', '/content-range/videos/upload.json', JSON.stringify({ file_name: name, file_size: 4 })),
        await raw(base, 'POST', '/phased/assets', JSON.stringify({ upload_phase: 'start', file_name: name, file_size: 4 })),
        await raw(base, 'POST', '/session/v1/upload_sessions.json', JSON.stringify({ files: [{ name }] })),
        await raw(base, 'POST', '/signed-parts/api/v1/uploads', JSON.stringify({ file_name: name, file_size: 4, content_type: 'text/plain' })),
      ];
      assert.ok(
        statuses.every((status) => status < 500),
        `${JSON.stringify(name)}: ${statuses.join(', ')}`,
      );
    }
    assert.deepEqual(await snapshot(parent), before, 'nothing beside DATA_DIR changed or appeared');
  });
});
