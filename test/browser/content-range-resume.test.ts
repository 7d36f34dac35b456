/**
 * Resume: pause/resume, an element torn down mid-upload and a new one given the same
 * file (the page-reload path: resume state in IndexedDB, offset from the server), an
 * expired saved session, and a server killed and restarted mid-upload.
 */
import { expect } from '@esm-bundle/chai';
import { createStore, entries } from 'idb-keyval';
import { clearLog, contentRangeEndpoint, requestLog, restartServer, setFaults, stored, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropFiles, mount, nextEvent, recordEvents, unmountAll } from '../support/harness.js';

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

async function savedRecords(name: string): Promise<number> {
  const all = await entries(createStore('asset-uploader', 'resume'));
  return all.filter(([key]) => String(key).includes(`\n${name}\n`)).length;
}

describe('content-range: resume', () => {
  it('pause and resume from the row buttons send only what is missing', async () => {
    const element = await uploader({ 'no-resume': true });
    const file = makeFile(SIZE, 'pause.bin', 31);
    await setFaults([{ method: 'PUT', times: 1000, action: SLOW }]);
    const confirmed = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 2 * PART);
    await dropFiles(element, [file]);
    const { detail } = await confirmed;
    const paused = nextEvent(element, 'upload-pause');
    await clickRowAction(element, detail.id, 'pause');
    expect((await paused).detail.upload.status).to.equal('paused');

    await setFaults([]);
    const resumed = nextEvent(element, 'upload-resume');
    const success = nextEvent(element, 'upload-success');
    await clickRowAction(element, detail.id, 'resume');
    await resumed;
    const done = await success;
    expect((await stored(done.detail.asset.id)).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(sum(accepted(log)), 'the server took every byte once').to.equal(SIZE);
    expect(sum(dataPuts(log)) - SIZE, 'bytes sent again').to.be.at.most(PART);
  });

  it('a new element given the same file after teardown continues from the server offset', async () => {
    const file = makeFile(SIZE, 'teardown.bin', 32);
    const first = await uploader();
    await setFaults([{ method: 'PUT', times: 1000, action: SLOW }]);
    const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 3 * PART);
    await dropFiles(first, [file]);
    const before = (await confirmed).detail.upload.bytesConfirmed;
    expect(await savedRecords('teardown.bin'), 'resume state saved while uploading').to.equal(1);
    first.remove(); // the page goes away mid-part
    await setFaults([]);

    const second = await uploader();
    const success = nextEvent(second, 'upload-success');
    const started = recordEvents(second, ['upload-start']);
    // A new File object with the same bytes, as a person picking the file again gives.
    await dropFiles(second, [new File([file], file.name, { type: file.type, lastModified: file.lastModified })]);
    const { detail } = await success;
    started.stop();
    expect(detail.upload.resumedFrom, 'resumed, not restarted').to.be.at.least(before);
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(
      log.filter((e) => e.method === 'POST'),
      'one session, re-attached',
    ).to.have.length(1);
    expect(sum(accepted(log))).to.equal(SIZE);
    expect(sum(dataPuts(log)) - SIZE, 'at most one part sent again').to.be.at.most(PART);
    expect(await savedRecords('teardown.bin'), 'resume state removed after success').to.equal(0);
  });

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
