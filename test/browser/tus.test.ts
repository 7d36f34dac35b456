/**
 * The `tus` adapter end to end against `@tus/server` (a server the project did not write)
 * with its file store, plain and behind the md5 checksum layer, in a real browser.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, logOnceAnswered, requestLog, setFaults, stored, storedOrNull, tusEndpoint, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { Uploader } from '../../src/engine/uploader.js';
import { clickRowAction, dropFiles, mount, nextEvent, recordEvents, rendered, row, unmountAll, expectQuietConsole } from '../support/harness.js';

const PART = 64 * 1024;
const SIZE = 5 * PART + 99;
const SLOW = { type: 'throttle', bytesPerSecond: 96 * 1024 } as const;

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
const accepted = (log: LogEntry[]) => patches(log).filter((e) => e.status === 204);
const sum = (list: LogEntry[]) => list.reduce((total, e) => total + e.bodyBytes, 0);

describe('tus against @tus/server', () => {
  for (const size of [0, 1, PART, SIZE]) {
    it(`uploads ${size} bytes identically`, async () => {
      const element = await uploader('tus', { 'no-resume': true });
      const file = makeFile(size, `tus-${size}.bin`, 70 + size);
      const success = nextEvent(element, 'upload-success');
      await dropFiles(element, [file]);
      const { detail } = await success;
      expect((await stored(detail.asset.id, 'tus')).sha256).to.equal(await sha256(file));
      const log = await requestLog();
      expect(patches(log)).to.have.length(Math.ceil(size / PART));
      expect(
        patches(log).every((e) => e.uploadChecksum === null),
        'no Upload-Checksum: the server did not announce md5',
      ).to.equal(true);
      expect(detail.upload.checksum).to.equal(false);
      await rendered(element);
      expect(row(element, detail.id).querySelector('[part=file-link]')?.getAttribute('href')).to.equal(detail.asset.url);
    });
  }

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

  it('recovers from a 503 mid-upload', async () => {
    const element = await uploader('tus', { 'no-resume': true });
    const file = makeFile(SIZE, 'tus-503.bin', 82);
    await setFaults([{ method: 'PATCH', nth: 3, action: { type: 'status', status: 503 } }]);
    const retry = nextEvent(element, 'upload-retry');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    expect((await retry).detail.error.status).to.equal(503);
    expect((await stored((await success).detail.asset.id, 'tus')).sha256).to.equal(await sha256(file));
    expect(
      (await requestLog()).some((e) => e.method === 'HEAD'),
      'asked for the offset before sending again',
    ).to.equal(true);
  });

  it('stops on a 4xx and shows it', async () => {
    const element = await uploader('tus', { 'no-resume': true });
    await setFaults([{ method: 'PATCH', nth: 2, action: { type: 'status', status: 403, body: 'Forbidden by policy' } }]);
    const retries = recordEvents(element, ['upload-retry']);
    const error = nextEvent(element, 'upload-error');
    await dropFiles(element, [makeFile(SIZE, 'tus-403.bin', 83)]);
    const { detail } = await error;
    retries.stop();
    expect(retries.events).to.have.length(0);
    expect(detail.error.code).to.equal('unauthorized');
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-error]')?.textContent).to.contain('not allowed');
  });

  it('resumes with HEAD after the element is torn down, sending at most one chunk again', async () => {
    const file = makeFile(8 * PART + 5, 'tus-resume.bin', 84);
    const first = await uploader('tus');
    await setFaults([{ method: 'PATCH', times: 1000, action: SLOW }]);
    const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 3 * PART);
    await dropFiles(first, [file]);
    await confirmed;
    first.remove();
    await setFaults([]);
    const second = await uploader('tus');
    const success = nextEvent(second, 'upload-success');
    await dropFiles(second, [new File([file], file.name, { type: file.type, lastModified: file.lastModified })]);
    const { detail } = await success;
    expect(detail.upload.resumedFrom).to.be.at.least(3 * PART);
    expect((await stored(detail.asset.id, 'tus')).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(
      log.filter((e) => e.method === 'POST'),
      'one upload, re-attached',
    ).to.have.length(1);
    expect(log.filter((e) => e.method === 'HEAD').length).to.be.at.least(1);
    expect(sum(patches(log)) - file.size, 'bytes sent again').to.be.at.most(PART);
    expect(sum(accepted(log))).to.be.at.most(file.size);
  });

  it('cancel terminates the upload with DELETE', async () => {
    const element = await uploader('tus', { 'no-resume': true });
    await setFaults([{ method: 'PATCH', times: 1000, action: { type: 'throttle', bytesPerSecond: 32 * 1024 } }]);
    const progressed = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= PART);
    const aborted = nextEvent(element, 'upload-abort');
    await dropFiles(element, [makeFile(SIZE, 'tus-cancel.bin', 85)]);
    const { detail } = await progressed;
    await clickRowAction(element, detail.id, 'cancel');
    await aborted;
    const log = await logOnceAnswered((e) => e.method === 'DELETE');
    const del = log.find((e) => e.method === 'DELETE')!;
    expect(del.status).to.equal(204);
    expect(await storedOrNull(del.path.split('/').pop()!, 'tus'), 'the server forgot the upload').to.equal(null);
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
