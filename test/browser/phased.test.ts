/**
 * The `phased` adapter end to end: video in the server's windows (start, transfer,
 * finish), other files in one `source` POST, bearer tokens and scopes, and rename/delete
 * from the row. The shared cases (sizes, several files, 5xx, 4xx, reset, pause, resume
 * after teardown, cancel) run on video from the profile below (test/support/protocol-suite.ts).
 */
import { expect } from '@esm-bundle/chai';
import {
  clearLog,
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
import { describeProtocol } from '../support/protocol-suite.js';

const WINDOW = 64 * 1024; // the test server's PHASED_CHUNK_SIZE
const SIZE = 4 * WINDOW + 321;

const transfers = (log: LogEntry[]) =>
  log.filter((e) => e.method === 'POST' && e.path.endsWith('/multipart') && e.contentType?.startsWith('multipart/form-data'));
const finishes = (log: LogEntry[]) => log.filter((e) => e.path.endsWith('/multipart') && e.contentType?.startsWith('application/json'));

describeProtocol({
  name: 'phased',
  attributes: async () => ({ endpoint: await phasedEndpoint(), protocol: 'phased' }),
  token: PHASED_FULL_TOKEN,
  // Video takes the phased path (start, transfers, finish); anything else is one form POST.
  type: 'video/mp4',
  part: WINDOW,
  lanes: 1,
  partRule: { method: 'POST', path: '/multipart' },
  isPart: (e) => transfers([e]).length === 1,
  // Multipart framing adds a few hundred bytes per request.
  framing: 1024,
  isCreate: (e) => e.method === 'POST' && e.path.endsWith('/assets'),
  // GET <endpoint>/<id>: the window the server wants next.
  isSync: (e) => e.method === 'GET' && /\/assets\/[^/]+$/.test(e.path),
  serverError: 502,
  // The asset's url comes once it is encoded, after the upload.
  links: false,
  checksums: false,
  checksumOf: (e) => e.contentMd5,
  stored: (detail) => stored(detail.asset.id, 'phased'),
  wire: (log, uploads) => {
    expect(
      log.filter((e) => e.method !== 'OPTIONS').every((e) => e.authorization === `Bearer ${PHASED_FULL_TOKEN}`),
      'the token on every API request',
    ).to.equal(true);
    expect(
      finishes(log).map((e) => e.status),
      'one finish per video',
    ).to.deep.equal(uploads.map(() => 200));
  },
  resumes: true,
  cancel: {
    status: 204,
    forgotten: async (deleted) => {
      expect(await storedOrNull(deleted.path.split('/').pop()!, 'phased'), 'the server forgot the asset').to.equal(null);
    },
  },
});

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

const video = (size: number, name: string, seed: number) => makeFile(size, name, seed, 'video/mp4');

async function getAsset(id: string, token = PHASED_FULL_TOKEN): Promise<Response> {
  return fetch(`${await phasedEndpoint()}/${id}`, { headers: { Authorization: `Bearer ${token}` } });
}

describe('phased', () => {
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
