/**
 * The `tus` adapter end to end against `@tus/server` (a server the project did not write)
 * with its file store, plain and behind the md5 checksum layer, in a real browser. The
 * shared cases run on the plain store from the profile below (test/support/protocol-suite.ts);
 * what is particular to tus stays here: md5 checksums where the server announces them, and
 * a dropped folder's path in the metadata.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, requestLog, setFaults, stored, storedOrNull, tusEndpoint, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { Uploader } from '../../src/engine/uploader.js';
import { dropFiles, mount, nextEvent, recordEvents, rendered, unmountAll, until, expectQuietConsole } from '../support/harness.js';
import { describeProtocol } from '../support/protocol-suite.js';

const PART = 64 * 1024;
const SIZE = 5 * PART + 99;

describeProtocol({
  name: 'tus',
  attributes: async () => ({ endpoint: await tusEndpoint('tus'), protocol: 'tus', 'chunk-size': '64KiB' }),
  part: PART,
  lanes: 1,
  partRule: { method: 'PATCH' },
  isPart: (e) => e.method === 'PATCH',
  // A 0-byte upload is complete once created: no PATCH at all.
  partsFor: (size) => Math.ceil(size / PART),
  // Without checksums @tus/server keeps what arrived of a PATCH cut off mid-way.
  keepsCutOffParts: true,
  isCreate: (e) => e.method === 'POST',
  isSync: (e) => e.method === 'HEAD',
  // The plain store announces no md5: no Upload-Checksum, nothing hashed (tus-md5 below).
  checksums: false,
  checksumOf: (e) => e.uploadChecksum,
  stored: (detail) => stored(detail.asset.id, 'tus'),
  resumes: true,
  cancel: {
    status: 204,
    forgotten: async (deleted) => {
      expect(await storedOrNull(deleted.path.split('/').pop()!, 'tus'), 'the server forgot the upload').to.equal(null);
    },
  },
});

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});
// Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
before(() => expectQuietConsole());
afterEach(() => expectQuietConsole());

async function uploader(store: 'tus' | 'tus-md5' = 'tus', extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await tusEndpoint(store), protocol: 'tus', 'chunk-size': '64KiB', multiple: true, 'retry-delays': '0 100 300 600', ...extra });
}

const patches = (log: LogEntry[]) => log.filter((e) => e.method === 'PATCH');

describe('tus against @tus/server', () => {
  it('sends Upload-Checksum md5 where the server announces it, and re-sends a part the server rejects (460)', async () => {
    const element = await uploader('tus-md5', { 'no-resume': true });
    const file = makeFile(SIZE, 'tus-md5.bin', 81);
    await setFaults([{ method: 'PATCH', nth: 2, action: { type: 'corrupt' } }]);
    const retry = nextEvent(element, 'upload-retry');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    expect((await retry).detail.error.code).to.equal('checksum_mismatch');
    const { detail } = await success;
    expect(detail.upload.checksum).to.equal(true);
    expect((await stored(detail.asset.id, 'tus-md5')).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(patches(log).every((e) => /^md5 [A-Za-z0-9+/]{22}==$/.test(e.uploadChecksum ?? ''))).to.equal(true);
    expect(log.filter((e) => e.status === 460)).to.have.length(1);
  });

  it('asks OPTIONS beside the first POSTs only: 5 files, 2 at a time, 2 OPTIONS; every file stored and shown done', async () => {
    const element = await uploader('tus-md5', { 'no-resume': true, concurrency: '2' });
    const files = [0, 1, 2, 3, 4].map((i) => makeFile(PART + i * 1000, `memo-${i}.bin`, 200 + i));
    const done: Array<{ id: string; assetId: string }> = [];
    element.addEventListener('upload-success', (e) => done.push({ id: e.detail.id, assetId: e.detail.asset.id }));
    await dropFiles(element, files);
    await until(() => done.length === files.length, 'five uploads done');
    const log = await requestLog();
    const methods = (m: string) => log.filter((e) => e.method === m && !e.preflight).length;
    expect({ options: methods('OPTIONS'), posts: methods('POST') }).to.deep.equal({ options: 2, posts: 5 });
    // Every file checksummed, the later ones too (the reused answer announces md5).
    expect(patches(log)).to.have.length(files.reduce((sum, f) => sum + Math.ceil(f.size / PART), 0));
    expect(patches(log).every((e) => /^md5 /.test(e.uploadChecksum ?? ''))).to.equal(true);
    await rendered(element);
    for (const [i, { id, assetId }] of done.entries()) {
      expect((await stored(assetId, 'tus-md5')).sha256, `file ${i}`).to.equal(
        await sha256(files.find((f) => f.name === element.uploads.find((u) => u.id === id)!.name)!),
      );
      expect(element.shadowRoot!.querySelector(`[data-id="${id}"]`)?.getAttribute('part')).to.equal('file file-success');
    }

    // Another endpoint is another server: its OPTIONS is asked, and its answer (no md5) used.
    await clearLog();
    element.setAttribute('endpoint', await tusEndpoint('tus'));
    const other = makeFile(PART, 'memo-other.bin', 210);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [other]);
    expect((await stored((await success).detail.asset.id, 'tus')).sha256).to.equal(await sha256(other));
    const after = await requestLog();
    expect(after.filter((e) => e.method === 'OPTIONS' && !e.preflight)).to.have.length(1);
    expect(patches(after).map((e) => e.uploadChecksum)).to.deep.equal([null]);
  });

  it("keeps a dropped file's folder path as relativePath metadata; filename stays the name", async () => {
    const uploader = new Uploader({ endpoint: await tusEndpoint('tus'), protocol: 'tus', chunkSize: PART, resume: false });
    const inFolder = makeFile(PART + 7, 'index.md', 91, 'text/markdown');
    const alone = makeFile(9, 'alone.md', 92, 'text/markdown');
    const successes = recordEvents(uploader, ['upload-success']);
    const complete = nextEvent(uploader, 'upload-complete');
    uploader.add([{ file: inFolder, relativePath: '2024/drafts/index.md' }, alone]);
    const { detail } = await complete;
    successes.stop();
    expect(detail.failed).to.have.length(0);
    const done = new Map(successes.events.map((e) => [e.detail.upload.name as string, e.detail]));
    const folder = done.get('index.md')!;
    expect(folder.upload.relativePath).to.equal('2024/drafts/index.md');
    const kept = await stored(folder.asset.id, 'tus');
    expect(kept.sha256).to.equal(await sha256(inFolder));
    expect(kept.record['metadata']).to.include({ filename: 'index.md', relativePath: '2024/drafts/index.md' });
    const plain = await stored(done.get('alone.md')!.asset.id, 'tus');
    expect(plain.record['metadata']).to.include({ filename: 'alone.md' });
    expect(plain.record['metadata']).not.to.have.property('relativePath');
    // The server reports it back too: a tus HEAD carries the stored Upload-Metadata.
    const head = await fetch(folder.asset.url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    const reported = Object.fromEntries(
      (head.headers.get('Upload-Metadata') ?? '').split(',').map((pair) => {
        const [key, value = ''] = pair.split(' ');
        return [key, new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)))];
      }),
    );
    expect(reported).to.include({ filename: 'index.md', relativePath: '2024/drafts/index.md' });
    uploader.destroy();
  });
});
