/**
 * The tus routes keep a client's `relativePath` metadata (the file's path in a dropped
 * folder) as data: stored in the record, reported by HEAD, and never made into a path.
 * A hostile value (`../../sentinel.json`) lands in no file name; the upload's bytes and
 * record stay under their random id, and the download is named by `filename` alone.
 *
 * Run: node --test --import tsx test/node/tus/tus-metadata.test.ts
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { harness, REQUEST_TIMEOUT_MS } from '../support.js';

const apps = harness('asset-uploader-tus-metadata-', { closeGraceMs: 500 });
after(async () => {
  await apps.stopApps();
  await apps.removeTempDirs();
});

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const call = (url: string, init: RequestInit): Promise<Response> => fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

function parseMetadata(header: string | null): Record<string, string> {
  return Object.fromEntries(
    (header ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [key, value = ''] = pair.trim().split(' ');
        return [key, Buffer.from(value, 'base64').toString('utf8')];
      }),
  );
}

describe('tus relativePath metadata', () => {
  for (const store of ['tus', 'tus-md5'] as const) {
    it(`${store}: kept verbatim as data, reported by HEAD, never a path`, { timeout: 30_000 }, async () => {
      const parent = await apps.tempDir();
      const dataDir = join(parent, 'data');
      await mkdir(dataDir);
      await writeFile(join(parent, 'sentinel.json'), 'sentinel');
      const { base } = await apps.start({ dataDir });
      const data = Buffer.from('# hello\n');
      for (const relativePath of ['2024/index.md', '../../sentinel.json', '/etc/passwd', '..\\..\\sentinel.json']) {
        const created = await call(`${base}/${store}/files`, {
          method: 'POST',
          headers: {
            'Tus-Resumable': '1.0.0',
            'Upload-Length': String(data.length),
            'Upload-Metadata': `filename ${b64('index.md')},relativePath ${b64(relativePath)}`,
          },
        });
        assert.equal(created.status, 201, await created.text());
        const location = new URL(created.headers.get('location') ?? '', base).href;
        const id = new URL(location).pathname.split('/').pop()!;
        assert.match(id, /^[0-9a-f]{32}$/);
        const patched = await call(location, {
          method: 'PATCH',
          headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
          body: new Uint8Array(data),
        });
        assert.equal(patched.status, 204, await patched.text());

        const record = JSON.parse(await readFile(join(dataDir, store, `${id}.json`), 'utf8')) as { metadata: Record<string, string> };
        assert.equal(record.metadata['relativePath'], relativePath, 'stored as sent');
        assert.equal(record.metadata['filename'], 'index.md');
        const head = await call(location, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
        assert.equal(head.status, 200);
        assert.deepEqual(parseMetadata(head.headers.get('upload-metadata')), { filename: 'index.md', relativePath });
        const download = await call(location, { method: 'GET' });
        assert.equal(download.status, 200);
        assert.deepEqual(Buffer.from(await download.arrayBuffer()), data);
        const disposition = download.headers.get('content-disposition') ?? '';
        assert.match(disposition, /index\.md/);
        assert.doesNotMatch(disposition, /sentinel|passwd|2024/, 'the download is named by filename, not by the path');
      }
      const files = (await readdir(join(dataDir, store))).sort();
      assert.ok(
        files.every((name) => /^[0-9a-f]{32}(\.json)?$/.test(name)),
        `only random ids in the store: ${files.join(', ')}`,
      );
      assert.deepEqual((await readdir(parent)).sort(), ['data', 'sentinel.json']);
      assert.equal(await readFile(join(parent, 'sentinel.json'), 'utf8'), 'sentinel');
    });
  }
});
