/**
 * Without IndexedDB (private modes, locked-down browsers) uploads still stream in parts;
 * the person is told that resume across reloads is off.
 */
import '../support/remove-indexeddb.js';
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, requestLog, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, unmountAll } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await clearLog();
});

describe('no IndexedDB', () => {
  it('streams parts, keeps resume in memory, and says resume across reloads is off', async () => {
    expect(globalThis.indexedDB).to.equal(undefined);
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB' });
    const file = makeFile(3 * 64 * 1024 + 5, 'no-idb.bin', 51);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect(detail.upload.transport).to.equal('put');
    expect(detail.upload.persistent).to.equal(false);
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    expect((await requestLog()).filter((e) => e.method === 'PUT')).to.have.length(4);
    await rendered(element);
    expect(element.shadowRoot!.querySelector('[part=notice]')?.textContent).to.contain('Resume after a reload is off');
  });
});
