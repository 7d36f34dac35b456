/**
 * One writer per server upload. Two elements, or two documents of one browser (a page
 * and a same-origin frame, as two tabs are), given the same file: the second waits while
 * the first uploads ("elsewhere", sending nothing), and takes the saved upload over when
 * the first lets go (its element removed, its document closed), resuming from what the
 * server holds. The stored file is identical and there was one server upload.
 */
import { expect } from '@esm-bundle/chai';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, contentRangeEndpoint, PHASED_FULL_TOKEN, requestLog, sessionEndpoint, setFaults, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, row, unmountAll, until } from '../support/harness.js';

const PART = 64 * 1024;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

/** The first uploader's first two parts crawl, so that it is mid-upload when the second one gets the file. */
async function slowFirstParts(): Promise<void> {
  await setFaults([{ method: 'PUT', path: '/uploads/', nth: 1, times: 2, action: { type: 'throttle', bytesPerSecond: 48 * 1024 } }]);
}

async function expectTakesOver(second: AssetUploader, file: File, letGo: () => void | Promise<void>): Promise<void> {
  const waiting = nextEvent(second, 'upload-wait');
  const success = nextEvent(second, 'upload-success', () => true, 30_000);
  second.addFiles([file]);
  const { detail } = await waiting;
  await rendered(second);
  expect(row(second, detail.id).getAttribute('part')).to.equal('file file-elsewhere');
  expect(row(second, detail.id).querySelector('[part=file-status]')!.textContent).to.contain('another tab');
  const before = (await requestLog()).length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(
    (await requestLog()).filter((e) => e.method === 'POST'),
    'one server upload so far',
  ).to.have.length(1);
  await letGo();
  const done = await success;
  expect(done.detail.upload.resumedFrom, 'continued from what the first one sent').to.be.greaterThan(0);
  expect((await stored(done.detail.asset.id)).sha256).to.equal(await sha256(file));
  const log = await requestLog();
  expect(
    log.filter((e) => e.method === 'POST'),
    'still one server upload',
  ).to.have.length(1);
  expect(log.length).to.be.greaterThan(before);
  await rendered(second);
  expect(row(second, done.detail.id).getAttribute('part')).to.equal('file file-success');
}

describe('one writer per upload across tabs (Web Locks)', () => {
  it('a second element waits while the first uploads the same file, and takes over when the first is removed', async () => {
    const endpoint = await contentRangeEndpoint();
    const first = await mount({ endpoint, 'chunk-size': '64KiB', 'retry-delays': '0 100' });
    const second = await mount({ endpoint, 'chunk-size': '64KiB', 'retry-delays': '0 100' });
    const file = makeFile(6 * PART + 11, 'two-elements.bin', 501, 'application/octet-stream', Date.now());
    await slowFirstParts();
    const partDone = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= PART);
    await dropFiles(first, [file]);
    await partDone;
    await expectTakesOver(second, file, () => first.remove());
  });

  it('a page waits while another document of the browser uploads the same file, and takes over when that document closes', async () => {
    const endpoint = await contentRangeEndpoint();
    const frame = document.createElement('iframe');
    frame.srcdoc = `<!doctype html><script type="module" src="${new URL('/src/index.ts', location.href).href}"></script><asset-uploader endpoint="${endpoint}" chunk-size="64KiB" retry-delays="0 100"></asset-uploader>`;
    document.body.append(frame);
    try {
      await until(
        () => (frame.contentWindow as (Window & typeof globalThis) | null)?.customElements?.get('asset-uploader') !== undefined,
        'the element in the frame',
      );
      const other = frame.contentDocument!.querySelector('asset-uploader') as AssetUploader;
      await other.updateComplete;
      const here = await mount({ endpoint, 'chunk-size': '64KiB', 'retry-delays': '0 100' });
      const file = makeFile(6 * PART + 13, 'two-documents.bin', 502, 'application/octet-stream', Date.now());
      await slowFirstParts();
      const partDone = nextEvent(other, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= PART);
      other.addFiles([file]);
      await partDone;
      // Closing the document (as a tab closes) is what lets go: the browser frees its locks.
      await expectTakesOver(here, file, () => frame.remove());
    } finally {
      frame.remove();
    }
  });

  it('session uploads keep no resume state, so two elements given the same file do not wait for each other', async () => {
    const endpoint = await sessionEndpoint();
    const [first, second] = [await mount({ endpoint, protocol: 'session' }), await mount({ endpoint, protocol: 'session' })];
    for (const element of [first, second]) element.token = PHASED_FULL_TOKEN;
    await setFaults([{ method: 'PUT', path: '/session/', nth: 1, action: { type: 'throttle', bytesPerSecond: 64 * 1024 } }]);
    const file = makeFile(3 * PART, 'same-for-both.bin', 502, 'application/octet-stream', Date.now());
    const waited: string[] = [];
    for (const element of [first, second]) element.addEventListener('upload-wait', (event) => waited.push((event as CustomEvent).detail.id));
    const done = [nextEvent(first, 'upload-success', () => true, 30_000), nextEvent(second, 'upload-success', () => true, 30_000)];
    first.addFiles([file]);
    await until(() => first.uploads[0]?.status === 'uploading', 'the first one sending');
    second.addFiles([file]);
    const [a, b] = await Promise.all(done);
    expect(waited, 'nobody waited elsewhere').to.deep.equal([]);
    expect(a.detail.upload.persistent).to.equal(false);
    for (const [element, event] of [
      [first, a],
      [second, b],
    ] as const) {
      await rendered(element);
      expect(row(element, event.detail.id).getAttribute('part')).to.equal('file file-success');
    }
    expect(
      (await requestLog()).filter((e) => e.method === 'POST' && e.path.includes('/upload_sessions')),
      'two sessions',
    ).to.have.length(2);
  });
});
