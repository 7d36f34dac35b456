/**
 * The `phased` adapter end to end: video in the server's windows (start, transfer,
 * finish), other files in one `source` POST, bearer tokens and scopes, resume, faults,
 * and rename/delete from the row.
 */
import { expect } from '@esm-bundle/chai';
import {
  clearLog,
  logOnceAnswered,
  PHASED_FULL_TOKEN,
  PHASED_UPLOAD_ONLY_TOKEN,
  phasedEndpoint,
  requestLog,
  setFaults,
  stored,
  storedOrNull,
  type LogEntry,
} from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropFiles, mount, nextEvent, recordEvents, rendered, row, unmountAll, expectQuietConsole } from '../support/harness.js';

const WINDOW = 64 * 1024; // the test server's PHASED_CHUNK_SIZE
const SIZE = 4 * WINDOW + 321;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});
// Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
before(() => expectQuietConsole());
afterEach(() => expectQuietConsole());

async function uploader(token = PHASED_FULL_TOKEN, extra: Record<string, string | boolean> = {}) {
  const element = await mount({ endpoint: await phasedEndpoint(), protocol: 'phased', multiple: true, 'retry-delays': '0 100 300 600', ...extra });
  element.token = token;
  return element;
}

const transfers = (log: LogEntry[]) =>
  log.filter((e) => e.method === 'POST' && e.path.endsWith('/multipart') && e.contentType?.startsWith('multipart/form-data'));
const video = (size: number, name: string, seed: number) => makeFile(size, name, seed, 'video/mp4');

async function getAsset(id: string, token = PHASED_FULL_TOKEN): Promise<Response> {
  return fetch(`${await phasedEndpoint()}/${id}`, { headers: { Authorization: `Bearer ${token}` } });
}

describe('phased', () => {
  it('uploads a video in the server-named windows, then finishes it', async () => {
    const element = await uploader();
    const file = video(SIZE, 'clip.mp4', 91);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id, 'phased')).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(transfers(log)).to.have.length(Math.ceil(SIZE / WINDOW));
    expect(
      log.filter((e) => e.method !== 'OPTIONS').every((e) => e.authorization === `Bearer ${PHASED_FULL_TOKEN}`),
      'the token on every API request',
    ).to.equal(true);
    const finish = log.filter((e) => e.path.endsWith('/multipart') && e.contentType?.startsWith('application/json'));
    expect(finish).to.have.length(1);
    expect(finish[0]!.status).to.equal(200);
  });

  it('sends an image in one multipart POST (field source)', async () => {
    const element = await uploader();
    const file = makeFile(SIZE, 'photo.png', 92, 'image/png');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect(detail.upload.transport).to.equal('form');
    expect((await stored(detail.asset.id, 'phased')).sha256).to.equal(await sha256(file));
    const posts = (await requestLog()).filter((e) => e.method === 'POST');
    expect(posts).to.have.length(1);
    expect(posts[0]!.contentType).to.match(/^multipart\/form-data/);
  });

  it('stops with the server message when the token lacks a scope (finish needs assets_publish)', async () => {
    const element = await uploader(PHASED_UPLOAD_ONLY_TOKEN);
    const retries = recordEvents(element, ['upload-retry']);
    const error = nextEvent(element, 'upload-error');
    await dropFiles(element, [video(WINDOW + 1, 'no-scope.mp4', 93)]);
    const { detail } = await error;
    retries.stop();
    expect(retries.events).to.have.length(0);
    expect(detail.error.status).to.equal(403);
    expect(detail.error.message).to.contain('assets_publish');
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-error]')?.textContent).to.contain('not allowed');
  });

  it('recovers from a 502 mid-upload by asking the server for the window', async () => {
    const element = await uploader();
    const file = video(SIZE, 'flaky.mp4', 94);
    await setFaults([{ method: 'POST', path: '/multipart', nth: 2, action: { type: 'status', status: 502 } }]);
    const retry = nextEvent(element, 'upload-retry');
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    expect((await retry).detail.error.status).to.equal(502);
    expect((await stored((await success).detail.asset.id, 'phased')).sha256).to.equal(await sha256(file));
    expect(
      (await requestLog()).some((e) => e.method === 'GET'),
      'asked for the window',
    ).to.equal(true);
  });

  it('resumes after the element is torn down, sending at most one chunk again', async () => {
    const file = video(8 * WINDOW + 9, 'resume.mp4', 95);
    const first = await uploader();
    await setFaults([{ method: 'POST', path: '/multipart', times: 1000, action: { type: 'throttle', bytesPerSecond: 96 * 1024 } }]);
    const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 3 * WINDOW);
    await dropFiles(first, [file]);
    await confirmed;
    first.remove();
    await setFaults([]);
    const second = await uploader();
    const success = nextEvent(second, 'upload-success');
    await dropFiles(second, [new File([file], file.name, { type: file.type, lastModified: file.lastModified })]);
    const { detail } = await success;
    expect(detail.upload.resumedFrom).to.be.at.least(3 * WINDOW);
    expect((await stored(detail.asset.id, 'phased')).sha256).to.equal(await sha256(file));
    const log = await requestLog();
    expect(
      log.filter((e) => e.method === 'POST' && e.path.endsWith('/assets')),
      'one start',
    ).to.have.length(1);
    const chunkBytes = transfers(log).reduce((sum, e) => sum + e.bodyBytes, 0);
    // Multipart framing adds a few hundred bytes per request; a chunk is 64 KiB.
    expect(chunkBytes - file.size, 'bytes sent again').to.be.below(WINDOW + transfers(log).length * 1024);
  });

  it('cancel deletes the asset on the server', async () => {
    const element = await uploader();
    await setFaults([{ method: 'POST', path: '/multipart', times: 1000, action: { type: 'throttle', bytesPerSecond: 32 * 1024 } }]);
    const progressed = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= WINDOW);
    const aborted = nextEvent(element, 'upload-abort');
    await dropFiles(element, [video(SIZE, 'cancel.mp4', 96)]);
    const { detail } = await progressed;
    await clickRowAction(element, detail.id, 'cancel');
    await aborted;
    const log = await logOnceAnswered((e) => e.method === 'DELETE');
    const del = log.find((e) => e.method === 'DELETE')!;
    expect(del.status).to.equal(204);
    expect(await storedOrNull(del.path.split('/').pop()!, 'phased')).to.equal(null);
  });

  it('renames and deletes an uploaded asset from its row', async () => {
    const element = await uploader();
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [makeFile(1000, 'before.png', 97, 'image/png')]);
    const { detail } = await success;
    await rendered(element);
    expect(detail.upload.assetActions).to.deep.equal(['rename', 'delete']);

    await clickRowAction(element, detail.id, 'rename');
    await rendered(element);
    const input = row(element, detail.id).querySelector<HTMLInputElement>('[part=rename-input]')!;
    expect(element.shadowRoot!.activeElement, 'focus moves into the field').to.equal(input);
    input.value = 'after.png';
    const renamed = nextEvent(element, 'asset-rename');
    row(element, detail.id).querySelector<HTMLButtonElement>('[part~=save-button]')!.click();
    expect((await renamed).detail.asset.name).to.equal('after.png');
    expect((await (await getAsset(detail.asset.id)).json()).name).to.equal('after.png');
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=file-name]')!.textContent).to.equal('after.png');

    await clickRowAction(element, detail.id, 'delete');
    await rendered(element);
    expect(row(element, detail.id).querySelector('[part=delete-confirm]')!.textContent).to.contain('Delete after.png from the server?');
    const deleted = nextEvent(element, 'asset-delete');
    row(element, detail.id).querySelector<HTMLButtonElement>('[part~=confirm-delete-button]')!.click();
    await deleted;
    expect((await getAsset(detail.asset.id)).status).to.equal(404);
    await rendered(element);
    expect(element.shadowRoot!.querySelector(`[data-id="${detail.id}"]`), 'the row is gone').to.equal(null);
  });
});
