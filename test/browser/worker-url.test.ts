/**
 * The md5 worker when the element's script is not on the page's origin (a CDN): browsers
 * start workers only from the page's own origin. With the worker on another origin, parts
 * go without MD5 and the notice names that cause and the attribute that fixes it; with
 * `worker-url` pointing at a same-origin copy, parts carry their MD5 again.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, refServer, requestLog, stored } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { mount, nextEvent, rendered, unmountAll } from '../support/harness.js';

afterEach(async () => {
  unmountAll();
  await clearLog();
});

async function upload(extra: Record<string, string>) {
  const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', 'no-resume': true, ...extra });
  const file = makeFile(2 * 64 * 1024 + 5, 'hashed.bin', 71);
  const success = nextEvent(element, 'upload-success');
  element.addFiles([file]);
  const { detail } = await success;
  expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
  await rendered(element);
  return { element, detail, puts: (await requestLog()).filter((e) => e.method === 'PUT') };
}

describe('worker-url', () => {
  it('a worker on another origin: the upload goes on without MD5, and the notice says why and what fixes it', async () => {
    const elsewhere = (await refServer()).direct;
    expect(new URL(elsewhere).origin).not.to.equal(location.origin);
    const { element, detail, puts } = await upload({ 'worker-url': `${elsewhere}/md5.worker.js` });
    expect(detail.upload.checksum).to.equal(false);
    expect(puts.every((e) => e.contentMd5 === null)).to.equal(true);
    const notice = element.shadowRoot!.querySelector('[part=notice]')!.textContent!;
    expect(notice).to.contain(new URL(elsewhere).origin);
    expect(notice).to.contain('worker-url');
    expect(notice).not.to.contain('This browser');
  });

  it('worker-url at a same-origin copy: parts carry their MD5', async () => {
    const copy = new URL('../../src/engine/md5.worker.ts', import.meta.url).href;
    const { element, detail, puts } = await upload({ 'worker-url': copy });
    expect(detail.upload.checksum).to.equal(true);
    expect(puts.length).to.equal(3);
    expect(puts.every((e) => /^[A-Za-z0-9+/]{22}==$/.test(e.contentMd5 ?? ''))).to.equal(true);
    expect(element.shadowRoot!.querySelector('[part=notice]')).to.equal(null);
  });

  it('a bad worker-url warns once and keeps the default worker', async () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (message: string) => warnings.push(String(message));
    try {
      const { detail } = await upload({ 'worker-url': 'http://[not a url' });
      expect(detail.upload.checksum).to.equal(true);
    } finally {
      console.warn = original;
    }
    expect(warnings.filter((w) => w.includes('workerUrl') || w.includes('worker-url'))).to.have.length(1);
  });
});
