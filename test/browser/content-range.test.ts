/**
 * End to end: <asset-uploader> in a real browser, the reference server in a real
 * process, the Panda-style content-range API between them, bytes compared on disk.
 */
import { expect } from '@esm-bundle/chai';
import { contentRangeEndpoint, requestLog, clearLog, setFaults, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, row, rendered, unmountAll, expectQuietConsole } from '../support/harness.js';

const PART = 64 * 1024;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});
// Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
before(() => expectQuietConsole());
afterEach(() => expectQuietConsole());

async function uploader(extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, ...extra });
}

async function expectStoredIdentical(id: string, file: File) {
  const onDisk = await stored(id);
  expect(onDisk.size, 'stored size').to.equal(file.size);
  expect(onDisk.sha256, 'stored bytes').to.equal(await sha256(file));
  expect(onDisk.record.complete).to.equal(true);
}

describe('content-range: uploads store identical bytes', () => {
  for (const size of [0, 1, PART - 1, PART, 3 * PART + 12_345]) {
    it(`${size} bytes`, async () => {
      const element = await uploader();
      const file = makeFile(size);
      const success = nextEvent(element, 'upload-success');
      await dropFiles(element, [file]);
      const { detail } = await success;
      await expectStoredIdentical(detail.asset.id, file);
      expect(detail.upload.status).to.equal('success');
      expect(detail.upload.bytesUploaded).to.equal(size);
      expect(detail.upload.checksum, 'parts carried an MD5').to.equal(true);

      const puts = (await requestLog()).filter((e) => e.method === 'PUT');
      const expectedParts = Math.max(1, Math.ceil(size / PART));
      expect(puts.length, 'one PUT per part').to.equal(expectedParts);
      for (const put of puts) if (size > 0) expect(put.contentMd5, 'Content-MD5 on every part').to.match(/^[A-Za-z0-9+/]{22}==$/);

      // What a person sees: the row says uploaded and links to the stored file.
      await rendered(element);
      const line = row(element, detail.id);
      expect(line.dataset['status']).to.equal('success');
      expect(line.querySelector('[part=file-link]')?.getAttribute('href')).to.equal(detail.asset.url);
      const download = await fetch(detail.asset.url!);
      expect(await sha256(await download.blob())).to.equal(await sha256(file));
    });
  }
});

describe('content-range: the form value', () => {
  it('is the uploaded assets, and the form is invalid while uploads run', async () => {
    const form = document.createElement('form');
    document.body.append(form);
    const element = await uploader({ name: 'attachments' });
    form.append(element);
    const changes: Event[] = [];
    element.addEventListener('change', (e) => changes.push(e));
    const files = [makeFile(PART + 1, 'a.bin'), makeFile(10, 'b.bin')];
    const done = nextEvent(element, 'upload-complete');
    await setFaults([{ method: 'PUT', action: { type: 'throttle', bytesPerSecond: 256 * 1024 } }]);
    await dropFiles(element, files);
    expect(element.checkValidity(), 'invalid while uploading').to.equal(false);
    const { detail } = await done;
    expect(detail.successful).to.have.length(2);
    const values = new FormData(form).getAll('attachments');
    expect(values).to.have.members(detail.successful.map((u) => u.asset!.url!));
    expect(element.checkValidity()).to.equal(true);
    expect(changes.length).to.be.greaterThan(0);
    form.remove();
  });
});
