/**
 * content-range under faults injected between the browser and the reference server:
 * what the user sees, which events fire, and that the stored file is still identical.
 * The faults every protocol meets (5xx, 4xx, a reset, a damaged part, cancel) are the
 * shared suite's, run from content-range.test.ts; these are content-range's own.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, refServer, requestLog, setFaults, stored, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, recordEvents, rendered, row, unmountAll } from '../support/harness.js';

const PART = 64 * 1024;
const SIZE = 4 * PART + 777;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

async function uploader(extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', 'no-resume': true, 'retry-delays': '0 50 100 200', ...extra });
}

async function expectStoredIdentical(id: string, file: File) {
  const onDisk = await stored(id);
  expect(onDisk.sha256, 'stored bytes identical').to.equal(await sha256(file));
}

const puts = (log: LogEntry[]) => log.filter((e) => e.method === 'PUT' && e.contentRange !== null && !e.contentRange.includes('*'));

describe('content-range: faults', () => {
  it('gives up after a bounded number of rejected checksums and says so', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, 'always-corrupt.bin', 12);
    await setFaults([{ method: 'PUT', nth: 1, times: 100, action: { type: 'corrupt' } }]);
    const error = nextEvent(element, 'upload-error');
    await dropFiles(element, [file]);
    const { detail } = await error;
    expect(detail.error.code).to.equal('checksum_mismatch');
    expect(puts(await requestLog())).to.have.length(4); // 1 + checksumRetries (3)
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-error]')?.textContent).to.contain('damaged');
  });

  // An empty file once failed for good after one hiccup on its only PUT: the failed send
  // counted as sent, and "0 of 0 bytes" then read as complete.
  for (const size of [0, 1]) {
    for (const action of [
      { type: 'status', status: 503 },
      { type: 'status', status: 429, headers: { 'Retry-After': '0' } },
      { type: 'reset' },
      { type: 'lose-answer' },
    ] as const) {
      it(`a ${size}-byte file survives ${action.type === 'status' ? action.status : action.type} on its only PUT`, async () => {
        const element = await uploader();
        const file = makeFile(size, `tiny-${size}.bin`, 40 + size);
        await setFaults([{ method: 'PUT', nth: 1, action }]);
        const success = nextEvent(element, 'upload-success');
        const failure = nextEvent(element, 'upload-error').then((e) => {
          throw new Error(`upload-error: ${e.detail.error.message}`);
        });
        await dropFiles(element, [file]);
        const { detail } = await Promise.race([success, failure]);
        await expectStoredIdentical(detail.asset.id, file);
        expect((await stored(detail.asset.id)).record.complete).to.equal(true);
        await rendered(element);
        expect(row(element, detail.id).getAttribute('part')).to.equal('file file-success');
        expect(
          (await requestLog()).filter((e) => e.fault !== null),
          'the fault fired',
        ).to.have.length(1);
      });
    }
  }

  it('drops a request that made no progress for stall-timeout ms, asks the server, and goes on', async () => {
    const element = await uploader({ 'stall-timeout': '400' });
    const file = makeFile(SIZE, 'stalled.bin', 15);
    // The proxy holds the second part for 3 s: long past the 400 ms stall timeout.
    await setFaults([{ method: 'PUT', nth: 2, action: { type: 'delay', ms: 3000 } }]);
    const retry = nextEvent(element, 'upload-retry');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    expect((await retry).detail.error.code).to.equal('stalled');
    await expectStoredIdentical((await success).detail.asset.id, file);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, '429.bin', 14);
    await setFaults([{ method: 'PUT', nth: 2, action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } } }]);
    const retry = nextEvent(element, 'upload-retry');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await retry;
    expect(detail.error.code).to.equal('rate_limited');
    expect(detail.delayMs, 'the delay honours Retry-After').to.be.at.least(1000);
    await expectStoredIdentical((await success).detail.asset.id, file);
  });

  it('follows a changed Location on the same origin', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, 'moved.bin', 18);
    await setFaults([{ method: 'PUT', nth: 1, action: { type: 'location', to: 'moved' } }]);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    await expectStoredIdentical((await success).detail.asset.id, file);
    const later = puts(await requestLog()).slice(1);
    expect(later.length).to.be.greaterThan(0);
    for (const put of later) expect(put.path.startsWith('/moved/'), put.path).to.equal(true);
  });

  it('refuses a Location on another origin', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, 'foreign.bin', 19);
    await setFaults([{ method: 'PUT', nth: 1, action: { type: 'location', to: 'foreign' } }]);
    const error = nextEvent(element, 'upload-error');
    await dropFiles(element, [file]);
    const { detail } = await error;
    expect(detail.error.code).to.equal('location_refused');
    const { direct } = await refServer();
    expect(detail.error.message).to.contain(direct);
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-error]')?.textContent).to.contain('another site');
    expect(puts(await requestLog())).to.have.length(1);
  });

  it('falls back to multipart/form-data when the server answers 405 to PUT', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, 'form.bin', 20);
    await setFaults([{ method: 'PUT', nth: 1, action: { type: 'status', status: 405 } }]);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect(detail.upload.transport).to.equal('form');
    await expectStoredIdentical(detail.asset.id, file);
    const posts = (await requestLog()).filter((e) => e.method === 'POST' && e.contentType?.startsWith('multipart/form-data'));
    expect(posts).to.have.length(1);
  });
});

describe('content-range: restrictions', () => {
  it('rejects a too-large file and a wrong type with file-reject, and shows why', async () => {
    const element = await uploader({ 'max-file-size': '1KB', accept: 'image/*,.txt', multiple: true });
    const rejects = recordEvents(element, ['file-reject']);
    const added = recordEvents(element, ['upload-add']);
    await dropFiles(element, [makeFile(2000, 'big.txt', 1, 'text/plain'), makeFile(10, 'movie.mp4', 2, 'video/mp4'), makeFile(10, 'ok.png', 3, 'image/png')]);
    rejects.stop();
    added.stop();
    expect(rejects.events.map((e) => e.detail.file.reason)).to.deep.equal(['file_too_large', 'file_type']);
    expect(added.events).to.have.length(1);
    await rendered(element);
    const shown = [...element.shadowRoot!.querySelectorAll('[part~=rejection]')].map((li) => li.textContent);
    expect(shown).to.have.length(2);
    expect(shown[0]).to.contain('big.txt').and.contain('too large');
    expect(shown[1]).to.contain('movie.mp4').and.contain('not an accepted type');
  });
});
