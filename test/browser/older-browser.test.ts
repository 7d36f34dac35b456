/**
 * An older browser: no Worker, no IndexedDB, no Blob.prototype.slice. The element still
 * uploads, as one multipart/form-data POST per file, tells the person that an
 * interrupted upload starts over, and the server stores identical bytes.
 */
import '../support/remove-modern-apis.js';
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, requestLog, stored } from '../support/ref-server.js';
import { makeFile } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, unmountAll } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await clearLog();
});

/** SHA-256 without Blob.prototype.slice (FileReader reads the whole Blob). */
async function sha256Whole(blob: Blob): Promise<string> {
  const buffer = await new Response(blob).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('older browser (no Worker, IndexedDB, Blob.slice)', () => {
  it('really lacks them', () => {
    expect(typeof (globalThis as { Worker?: unknown }).Worker).to.equal('undefined');
    expect(globalThis.indexedDB).to.equal(undefined);
    expect(typeof (Blob.prototype as { slice?: unknown }).slice).to.equal('undefined');
  });

  it('uploads by multipart/form-data, says resume is off, and stores identical bytes', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true });
    const files = [makeFile(3 * 64 * 1024 + 99, 'old-a.bin', 41), makeFile(0, 'old-empty.bin', 42)];
    const complete = nextEvent(element, 'upload-complete');
    await dropFiles(element, files);
    const { detail } = await complete;
    expect(detail.failed).to.have.length(0);
    expect(detail.successful).to.have.length(2);
    for (const upload of detail.successful) {
      expect(upload.transport).to.equal('form');
      const file = files.find((f) => f.name === upload.name)!;
      expect((await stored(upload.asset!.id)).sha256).to.equal(await sha256Whole(file));
    }
    const log = await requestLog();
    expect(
      log.filter((e) => e.method === 'PUT'),
      'no streaming PUT',
    ).to.have.length(0);
    expect(log.filter((e) => e.method === 'POST' && e.contentType?.startsWith('multipart/form-data'))).to.have.length(2);
    await rendered(element);
    expect(element.shadowRoot!.querySelector('[part=notice]')?.textContent).to.contain('starts over');
  });
});
