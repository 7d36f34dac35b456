/**
 * The md5 workers start before the first file when a person comes to the element (a
 * pointer over it, the focus in it, a drag entering it), and only where that file will
 * need them: part checksums the server is known to want, or a resume fingerprint.
 * Counted at the `Worker` constructor, so every start is seen, the pool's and any other.
 */
import { expect } from '@esm-bundle/chai';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, contentRangeEndpoint, requestLog, stored, tusEndpoint } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropZone, mount, nextEvent, rendered, unmountAll, until } from '../support/harness.js';
import { loadProtocol } from '../../src/engine/protocol-registry.js';

const NativeWorker = window.Worker;
let md5Starts = 0;

before(() => {
  window.Worker = class extends NativeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      if (options?.name === 'asset-uploader-md5') md5Starts++;
    }
  };
});
after(() => {
  window.Worker = NativeWorker;
});
beforeEach(() => {
  md5Starts = 0;
});
afterEach(async () => {
  unmountAll();
  await clearLog();
});

function pointerComes(element: AssetUploader): void {
  element.dispatchEvent(new PointerEvent('pointerenter', { pointerType: 'mouse' }));
}

/** Uploads `count` files of two parts and a bit, all at once; resolves with each upload's detail once all succeeded. */
async function uploadAll(element: AssetUploader, count: number) {
  const files = Array.from({ length: count }, (_, i) => makeFile(2 * 64 * 1024 + 17 * (i + 1), `warm-${i}.bin`, 90 + i));
  const details: Array<{ id: string; checksum: boolean; sha256: string }> = [];
  const onSuccess = (event: Event) => {
    const { detail } = event as CustomEvent;
    details.push({ id: detail.asset.id, checksum: detail.upload.checksum, sha256: '' });
  };
  element.addEventListener('upload-success', onSuccess);
  try {
    expect(element.addFiles(files), 'every file taken').to.have.length(count);
    await until(() => details.length === count, `${count} uploads to succeed`).catch((e) => {
      throw new Error(`${e.message}: ${JSON.stringify(element.uploads.map((u) => [u.status, u.bytesConfirmed, u.error]))}`);
    });
  } finally {
    element.removeEventListener('upload-success', onSuccess);
  }
  for (const detail of details) detail.sha256 = (await stored(detail.id)).sha256;
  expect(details.map((d) => d.sha256).sort()).to.deep.equal((await Promise.all(files.map(sha256))).sort());
  await rendered(element);
  return details;
}

describe('md5 workers started ahead of the first file', () => {
  it('a pointer over the element starts them; three files on one worker slot then hash on them, no more started', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', 'no-resume': true, concurrency: '2', multiple: true });
    expect(md5Starts, 'nothing started by mounting').to.equal(0);
    // The first element of the page comes before its adapter has loaded: the workers start once it has.
    pointerComes(element);
    const workers = element.uploader!.options.hashWorkers;
    await until(() => md5Starts === workers, `${workers} md5 worker(s) to start on the pointer`);
    pointerComes(element);
    expect(md5Starts, 'a second pointer starts nothing more').to.equal(workers);
    const details = await uploadAll(element, 3);
    expect(details.every((d) => d.checksum)).to.equal(true);
    const puts = (await requestLog()).filter((e) => e.method === 'PUT');
    expect(puts).to.have.length(9);
    expect(puts.every((e) => /^[A-Za-z0-9+/]{22}==$/.test(e.contentMd5 ?? ''))).to.equal(true);
    expect(md5Starts, 'the uploads used the workers started ahead').to.equal(workers);
    const rows = element.shadowRoot!.querySelectorAll('[part~=file]');
    expect(rows).to.have.length(3);
  });

  it('the keyboard focus coming in, and a drag entering, start them too', async () => {
    await loadProtocol('content-range');
    const focused = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true });
    dropZone(focused).focus();
    expect(md5Starts, 'on focus').to.equal(focused.uploader!.options.hashWorkers);
    unmountAll();
    md5Starts = 0;
    const dragged = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true });
    const transfer = new DataTransfer();
    transfer.items.add(makeFile(10, 'x.bin', 1));
    dropZone(dragged).dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true, composed: true }));
    expect(md5Starts, 'on dragenter').to.equal(dragged.uploader!.options.hashWorkers);
  });

  it('no checksum but resume on: one worker, for the fingerprint', async () => {
    await loadProtocol('content-range');
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-checksum': true });
    pointerComes(element);
    expect(md5Starts).to.equal(1);
  });

  it('nothing to hash (no checksum, no resume), or a disabled element: nothing starts, and uploads still go', async () => {
    await loadProtocol('content-range');
    const disabled = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true, disabled: true });
    pointerComes(disabled);
    dropZone(disabled).focus();
    expect(md5Starts, 'disabled').to.equal(0);
    unmountAll();
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', 'no-resume': true, 'no-checksum': true });
    pointerComes(element);
    expect(md5Starts, 'no checksum, no resume').to.equal(0);
    const details = await uploadAll(element, 1);
    expect(details[0]!.checksum).to.equal(false);
    expect(md5Starts, 'not even for the upload').to.equal(0);
  });

  it('tus: not before the server said it takes md5; once it has, the next pointer starts them', async () => {
    await loadProtocol('tus');
    const plain = await mount({ endpoint: await tusEndpoint('tus'), protocol: 'tus', 'no-resume': true });
    pointerComes(plain);
    expect(md5Starts, 'plain tus, nothing known yet').to.equal(0);
    unmountAll();
    const element = await mount({ endpoint: await tusEndpoint('tus-md5'), protocol: 'tus', 'chunk-size': '64KiB', 'no-resume': true });
    pointerComes(element);
    expect(md5Starts, 'tus-md5, nothing known yet').to.equal(0);
    const success = nextEvent(element, 'upload-success');
    element.addFiles([makeFile(2 * 64 * 1024 + 5, 'tus-warm.bin', 77)]);
    const { detail } = await success;
    expect(detail.upload.checksum, 'its parts were hashed').to.equal(true);
    const afterFirst = md5Starts;
    expect(afterFirst).to.be.above(0);
    // Workers stopped (as when the page is hidden): the OPTIONS answer is still known.
    element.uploader!.suspend();
    pointerComes(element);
    expect(md5Starts - afterFirst, 'started ahead, the server known to want md5').to.equal(element.uploader!.options.hashWorkers);
  });
});
