/**
 * Resume, what is content-range's own: an expired saved session, and a server killed and
 * restarted mid-upload. Pause/resume and an element torn down mid-upload and a new one
 * given the same file (the page-reload path) are the shared suite's, run from
 * content-range.test.ts.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, requestLog, restartServer, setFaults, stored, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, unmountAll } from '../support/harness.js';

const PART = 64 * 1024;
const SIZE = 6 * PART + 4321;
const SLOW = { type: 'throttle', bytesPerSecond: 96 * 1024 } as const;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

async function uploader(extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', 'retry-delays': '0 100 300 600 1000 2000', ...extra });
}

const dataPuts = (log: LogEntry[]) => log.filter((e) => e.method === 'PUT' && e.contentRange !== null && !e.contentRange.includes('*'));
const accepted = (log: LogEntry[]) => dataPuts(log).filter((e) => e.status === 200 || e.status === 204);
const sum = (list: LogEntry[]) => list.reduce((total, e) => total + e.bodyBytes, 0);

describe('content-range: resume', () => {
  it('starts afresh when the saved upload no longer exists on the server', async () => {
    const file = makeFile(SIZE, 'expired.bin', 33);
    const first = await uploader();
    await setFaults([{ method: 'PUT', times: 1000, action: SLOW }]);
    const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= PART);
    await dropFiles(first, [file]);
    await confirmed;
    first.remove();
    await setFaults([]);
    const location = dataPuts(await requestLog())[0]!.path;
    const { proxy } = await import('../support/ref-server.js').then((m) => m.refServer());
    expect((await fetch(proxy + location, { method: 'DELETE' })).status).to.equal(200);

    const second = await uploader();
    const success = nextEvent(second, 'upload-success');
    await dropFiles(second, [file]);
    const { detail } = await success;
    expect(detail.upload.resumedFrom).to.equal(0);
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
  });

  it('survives the server being killed and restarted mid-upload', async () => {
    const element = await uploader({ 'no-resume': true });
    const file = makeFile(SIZE, 'restart.bin', 34);
    // About a second per part: four or more parts are left when the server is killed.
    await setFaults([{ method: 'PUT', times: 1000, action: { type: 'throttle', bytesPerSecond: 64 * 1024 } }]);
    const confirmed = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 2 * PART);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    await confirmed;
    const beforeKill = (await requestLog()).length;
    await restartServer(); // SIGKILL, then a new process on the same port and data
    await setFaults([]);
    const { detail } = await success;
    expect((await stored(detail.asset.id)).sha256, 'acknowledged bytes survived the kill').to.equal(await sha256(file));
    const log = await requestLog();
    // Whether the kill cut a part in flight or fell between two, the rest went to the new
    // process, and nothing the old one had acknowledged was sent again.
    expect(accepted(log.slice(beforeKill)).length, 'parts stored by the restarted server').to.be.greaterThan(0);
    expect(sum(accepted(log))).to.equal(SIZE);
  });
});
