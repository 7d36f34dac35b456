/**
 * A browser without module workers: the md5 worker cannot start, so parts go without an
 * MD5 (still streamed, still resumable), and the person is told checksums are off.
 */
import '../support/remove-module-workers.js';
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, requestLog, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, unmountAll } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await clearLog();
});

describe('no module workers', () => {
  it('streams parts without MD5, stores identical bytes, and says checksums are off', async () => {
    expect(() => new Worker('/x.js', { type: 'module' })).to.throw(TypeError);
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true });
    const files = [makeFile(3 * 64 * 1024 + 9, 'classic-a.bin', 61), makeFile(100, 'classic-b.bin', 62)];
    const complete = nextEvent(element, 'upload-complete');
    await dropFiles(element, files);
    const { detail } = await complete;
    expect(detail.successful).to.have.length(2);
    for (const upload of detail.successful) {
      expect(upload.transport).to.equal('put');
      expect(upload.checksum).to.equal(false);
      expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256(files.find((f) => f.name === upload.name)!));
    }
    const puts = (await requestLog()).filter((e) => e.method === 'PUT');
    expect(puts).to.have.length(5);
    expect(puts.every((e) => e.contentMd5 === null)).to.equal(true);
    await rendered(element);
    expect(element.shadowRoot!.querySelector('[part=notice]')?.textContent?.trim()).to.equal(
      'Parts are sent without an MD5 check: The checksum worker could not start.',
    );
  });
});
