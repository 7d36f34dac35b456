/**
 * One promise of the README, "a reload, a crash or a dropped network costs at most one
 * part", for every protocol the element speaks (its S3 mode aside: the shared suite runs
 * that one). A reload is what the
 * shared suite simulates too: the element is removed mid-upload (its uploads pause, the
 * server keeps what it has, the resume record stays in IndexedDB) and a new element on
 * the same page is given the same file again (a new `File` with the same bytes, name and
 * mtime, as a person picking it again gives).
 *
 * Each case asserts on the rendered row, on what the server received (the fault proxy's
 * request log) and on what it stored (SHA-256 against the file's).
 */
import { expect } from '@esm-bundle/chai';
import { createStore, entries } from 'idb-keyval';
import type { AssetUploader } from '../../src/asset-uploader.js';
import type { UploadSuccessDetail, UploadSnapshot } from '../../src/engine/types.js';
import {
  clearLog,
  configureServer,
  contentRangeEndpoint,
  PHASED_FULL_TOKEN,
  phasedEndpoint,
  refServer,
  registryEndpoint,
  requestLog,
  sessionEndpoint,
  setFaults,
  signedPartsEndpoint,
  stored,
  tusEndpoint,
  type FaultAction,
  type FaultRule,
  type LogEntry,
} from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { allowConsoleNoise, clickRowAction, dropFiles, expectQuietConsole, mount, nextEvent, rendered, row, unmountAll, until } from '../support/harness.js';
import { test } from '../support/protocol-suite.js';

const KiB = 1024;
const MiB = 1024 * KiB;

type Match = Omit<FaultRule, 'action' | 'nth' | 'times'>;

interface Profile {
  readonly name: string;
  attributes(): Promise<Record<string, string>>;
  readonly type?: string;
  /** Bytes per part request (the server's window for phased). */
  readonly part: number;
  /** The file size the cases use: several parts and a tail. */
  readonly size: number;
  /** Bytes a part request carries beyond the file's own (multipart framing). */
  readonly framing?: number;
  readonly partRule: Match;
  isPart(entry: LogEntry): boolean;
  isCreate(entry: LogEntry): boolean;
  /** The request that finishes the upload on the server (the last part, or the finish step). */
  lastRule(size: number): Omit<FaultRule, 'action' | 'times'>;
  stored(detail: UploadSuccessDetail): Promise<{ size: number; sha256: string }>;
  /** Makes the server forget the upload a resume record names (as the sweeper would): the DELETE's status. */
  forget(state: Record<string, unknown>): Promise<number>;
  /** Attributes for one part at a time, where parts go in parallel. */
  readonly oneLane?: Record<string, string>;
}

const proxyUrl = async (path: string) => new URL(path, (await refServer()).proxy).href;
const bearer = { Authorization: `Bearer ${PHASED_FULL_TOKEN}` };
const download = async (url: string) => {
  const blob = await (await fetch(url)).blob();
  return { size: blob.size, sha256: await sha256(blob) };
};

const contentRange: Profile = {
  name: 'content-range',
  attributes: async () => ({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB' }),
  part: 64 * KiB,
  size: 6 * 64 * KiB + 4321,
  partRule: { method: 'PUT', contentRange: 'bytes ' },
  isPart: (e) => e.method === 'PUT' && e.contentRange !== null && !e.contentRange.includes('*'),
  isCreate: (e) => e.method === 'POST' && e.path.endsWith('/upload.json'),
  lastRule: (size) => ({ method: 'PUT', contentRange: `-${size - 1}/${size}` }),
  stored: (detail) => stored(detail.asset.id, 'content-range'),
  forget: async (state) => (await fetch(String(state['location']), { method: 'DELETE' })).status,
};

function tusProfile(store: 'tus' | 'tus-md5'): Profile {
  return {
    name: store,
    attributes: async () => ({ endpoint: await tusEndpoint(store), protocol: 'tus', 'chunk-size': '64KiB' }),
    part: 64 * KiB,
    size: 6 * 64 * KiB + 4321,
    partRule: { method: 'PATCH' },
    isPart: (e) => e.method === 'PATCH',
    isCreate: (e) => e.method === 'POST',
    lastRule: (size) => ({ method: 'PATCH', nth: Math.ceil(size / (64 * KiB)) }),
    stored: (detail) => stored(detail.asset.id, store),
    forget: async (state) => (await fetch(String(state['location']), { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0' } })).status,
  };
}

const phased: Profile = {
  name: 'phased',
  attributes: async () => ({ endpoint: await phasedEndpoint(), protocol: 'phased' }),
  type: 'video/mp4',
  part: 64 * KiB, // the test server's PHASED_CHUNK_SIZE
  size: 6 * 64 * KiB + 4321,
  framing: 1024,
  partRule: { method: 'POST', path: '/multipart' },
  isPart: (e) => e.method === 'POST' && e.path.endsWith('/multipart') && !!e.contentType?.startsWith('multipart/form-data'),
  isCreate: (e) => e.method === 'POST' && e.path.endsWith('/assets'),
  // The transfers, then the finish (a JSON POST to the same URL).
  lastRule: (size) => ({ method: 'POST', path: '/multipart', nth: Math.ceil(size / (64 * KiB)) + 1 }),
  stored: (detail) => stored(detail.asset.id, 'phased'),
  forget: async (state) => (await fetch(await proxyUrl(`/phased/assets/${state['id']}`), { method: 'DELETE', headers: bearer })).status,
};

const signedParts: Profile = {
  name: 'signed-parts',
  attributes: async () => ({ endpoint: await signedPartsEndpoint(), protocol: 'signed-parts', 'chunk-size': '5MiB' }),
  part: 5 * MiB,
  size: 3 * 5 * MiB + 1234,
  partRule: { target: 'store', method: 'PUT', path: '/store/' },
  isPart: (e) => e.target === 'store' && e.method === 'PUT',
  isCreate: (e) => e.target === 'api' && e.method === 'POST' && e.path.endsWith('/uploads'),
  lastRule: () => ({ method: 'PATCH', path: '/uploads/' }),
  stored: (detail) => download(detail.asset.url!),
  forget: async (state) => (await fetch(await proxyUrl(`/signed-parts/api/v1/uploads/${state['id']}`), { method: 'DELETE', headers: bearer })).status,
  oneLane: { 'parallel-parts': '1' },
};

const registry: Profile = {
  ...signedParts,
  name: 'registry',
  attributes: async () => ({
    endpoint: await registryEndpoint(),
    protocol: 'registry',
    'storage-endpoint': await signedPartsEndpoint(),
    fields: '{"user_id":"usr_ada"}',
    'chunk-size': '5MiB',
  }),
  type: 'video/mp4',
  lastRule: () => ({ method: 'POST', path: '/registry/' }),
  stored: (detail) => download(detail.asset.url!),
};

const profiles = [contentRange, tusProfile('tus'), tusProfile('tus-md5'), phased, signedParts, registry];

const sum = (list: LogEntry[]) => list.reduce((total, e) => total + e.bodyBytes, 0);
const copy = (file: File) => new File([file], file.name, { type: file.type, lastModified: file.lastModified });
const slow = (bytesPerSecond: number): FaultAction => ({ type: 'throttle', bytesPerSecond });
let seed = 0;

/** Resume records in IndexedDB for a file name (the key holds the name between newlines). */
async function records(name: string): Promise<Array<[string, Record<string, unknown>]>> {
  const all = await entries(createStore('asset-uploader', 'resume'));
  return all.filter(([key]) => String(key).includes(`\n${name}\n`)).map(([key, value]) => [String(key), value as Record<string, unknown>]);
}

async function uploader(profile: Profile, extra: Record<string, string | boolean> = {}): Promise<AssetUploader> {
  const element = await mount({ ...(await profile.attributes()), multiple: true, 'retry-delays': '0 100 300 600', ...extra });
  element.token = PHASED_FULL_TOKEN;
  return element;
}

/** The upload's end: its success, or its failure as an Error with the row's words. */
function outcome(element: AssetUploader, timeoutMs = 25_000): Promise<UploadSuccessDetail> {
  const failed = nextEvent(element, 'upload-error', () => true, timeoutMs).then((e) => {
    throw new Error(`upload-error (${e.detail.error.code}): ${e.detail.error.message}`);
  });
  failed.catch(() => undefined);
  const result = Promise.race([nextEvent(element, 'upload-success', () => true, timeoutMs).then((e) => e.detail), failed]);
  result.catch(() => undefined);
  return result;
}

async function expectRow(element: AssetUploader, id: string, status: string): Promise<HTMLElement> {
  await rendered(element);
  const line = row(element, id);
  expect(line.getAttribute('part'), 'the row').to.equal(`file file-${status}`);
  return line;
}

async function expectStored(profile: Profile, detail: UploadSuccessDetail, file: File): Promise<void> {
  const held = await profile.stored(detail);
  expect(held.size, 'stored size').to.equal(file.size);
  expect(held.sha256, 'stored bytes identical').to.equal(await sha256(file));
}

/** A case whose console must stay quiet and whose failure shows what went over the wire (the shared suite's). */
function audit(title: string, body: () => Promise<void>, timeout = 60_000): void {
  test(title, body, timeout);
}

/**
 * Starts `file` on a first element, two parts at full speed then a crawl, and waits until
 * `lead` parts are confirmed: the moment of the "reload".
 */
async function startSlowly(profile: Profile, file: File, lead = 2, extra: Record<string, string | boolean> = {}) {
  const element = await uploader(profile, { ...profile.oneLane, ...extra });
  await setFaults([{ ...profile.partRule, nth: lead + 1, times: 1000, action: slow(Math.max(16 * KiB, profile.part / 4)) }]);
  const confirmed = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= lead * profile.part, 25_000);
  await dropFiles(element, [file]);
  const { detail } = await confirmed;
  return { element, id: detail.id, before: detail.upload.bytesConfirmed };
}

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});
before(() => expectQuietConsole());

for (const profile of profiles) {
  const name = (what: string) => `audit-${profile.name}-${what}-${++seed}.bin`;
  const file = (what: string, size = profile.size) => makeFile(size, name(what), 9000 + seed * 13 + size, profile.type ?? 'application/octet-stream');

  describe(`${profile.name}: a reload costs at most one part`, () => {
    audit('pause, reload, then the same file again: continues from the server, at most one part again', async () => {
      const original = file('paused-reload');
      const { element, id, before } = await startSlowly(profile, original);
      const paused = nextEvent(element, 'upload-pause');
      await clickRowAction(element, id, 'pause');
      await paused;
      await expectRow(element, id, 'paused');
      element.remove(); // the reload
      await setFaults([]);

      const second = await uploader(profile);
      const done = outcome(second);
      await dropFiles(second, [copy(original)]);
      const detail = await done;
      expect(detail.upload.resumedFrom, 'resumed, not restarted').to.be.at.least(before);
      await expectStored(profile, detail, original);
      const line = await expectRow(second, detail.id, 'success');
      expect(line.querySelector('[part=file-resumed]'), 'the row says it continued').to.not.equal(null);
      const log = await requestLog();
      expect(log.filter(profile.isCreate), 'one server upload').to.have.length(1);
      const parts = log.filter(profile.isPart);
      expect(sum(parts) - original.size, 'bytes sent again').to.be.at.most(profile.part + (profile.framing ?? 0) * parts.length);
      expect(await records(original.name), 'no resume record left after success').to.have.length(0);
    });

    audit('the server forgot a paused upload (swept): Resume starts it over and the file arrives whole', async () => {
      const original = file('forgot-paused');
      const { element, id } = await startSlowly(profile, original);
      const paused = nextEvent(element, 'upload-pause');
      await clickRowAction(element, id, 'pause');
      await paused;
      await setFaults([]);
      const [[, record]] = await records(original.name);
      expect(await profile.forget(record!['state'] as Record<string, unknown>), 'the server deleted it').to.be.within(200, 299);

      const done = outcome(element);
      await clickRowAction(element, id, 'resume');
      const detail = await done;
      await expectStored(profile, detail, original);
      const line = await expectRow(element, detail.id, 'success');
      expect(line.querySelector('[part=file-resumed]'), 'it did not continue an upload that is gone').to.equal(null);
      expect((await requestLog()).filter(profile.isCreate), 'a new server upload').to.have.length(2);
    });

    audit('the server forgot it before the reload: the new element starts over, identical', async () => {
      const original = file('forgot-reload');
      const { element } = await startSlowly(profile, original);
      element.remove();
      await setFaults([]);
      const [[, record]] = await records(original.name);
      expect(await profile.forget(record!['state'] as Record<string, unknown>)).to.be.within(200, 299);

      const second = await uploader(profile);
      const done = outcome(second);
      await dropFiles(second, [copy(original)]);
      const detail = await done;
      expect(detail.upload.resumedFrom).to.equal(0);
      await expectStored(profile, detail, original);
      await expectRow(second, detail.id, 'success');
      expect((await requestLog()).filter(profile.isCreate), 'a new server upload').to.have.length(2);
    });

    audit('the answer to the last request is lost and the page reloads: the finished upload is taken as it is', async () => {
      const original = file('lost-last');
      const first = await uploader(profile, { 'retry-delays': '5000 5000' });
      // Firefox reports a connection cut under a request as a CORS failure (see protocol-suite.ts).
      allowConsoleNoise(/CORS request did not succeed/, /Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed/);
      // Every answer to it is lost (the browser itself sends a request again whose connection dropped).
      await setFaults([{ ...profile.lastRule(original.size), times: 1000, action: { type: 'lose-answer' } }]);
      const retry = nextEvent(first, 'upload-retry', () => true, 25_000);
      await dropFiles(first, [original]);
      expect((await retry).detail.error.code).to.equal('network');
      first.remove(); // reloaded while waiting to try again
      expect(await records(original.name), 'the record is still there').to.have.length(1);
      await setFaults([]);
      const sentBefore = sum((await requestLog()).filter(profile.isPart));
      await clearLog();

      const second = await uploader(profile);
      const done = outcome(second);
      await dropFiles(second, [copy(original)]);
      const detail = await done;
      await expectStored(profile, detail, original);
      await expectRow(second, detail.id, 'success');
      const log = await requestLog();
      expect(sentBefore, 'the first page sent every byte').to.be.at.least(original.size);
      expect(log.filter(profile.isPart), 'no part sent again').to.have.length(0);
      expect(log.filter(profile.isCreate), 'no new server upload').to.have.length(0);
      expect(await records(original.name)).to.have.length(0);
    });

    audit('a file changed on disk between (new mtime, other bytes; then another size) is not resumed onto the old bytes', async () => {
      const original = file('changed');
      const { element } = await startSlowly(profile, original);
      element.remove();
      await setFaults([]);
      const edited = makeFile(original.size, original.name, 4242 + seed, original.type, original.lastModified + 60_000);
      const second = await uploader(profile);
      let done = outcome(second);
      await dropFiles(second, [edited]);
      let detail = await done;
      expect(detail.upload.resumedFrom, 'not resumed').to.equal(0);
      await expectStored(profile, detail, edited);
      const grown = makeFile(original.size + 1000, original.name, 4343 + seed, original.type, original.lastModified + 120_000);
      done = outcome(second);
      await dropFiles(second, [grown]);
      detail = await done;
      expect(detail.upload.resumedFrom, 'not resumed').to.equal(0);
      await expectStored(profile, detail, grown);
      expect((await requestLog()).filter(profile.isCreate), 'a new server upload each time').to.have.length(3);
    });

    audit('no token, signature or secret is ever written to IndexedDB', async () => {
      const original = file('secret');
      const element = await uploader(profile, { ...profile.oneLane });
      await setFaults([{ ...profile.partRule, nth: 2, times: 1000, action: slow(Math.max(16 * KiB, profile.part / 4)) }]);
      const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= profile.part, 25_000);
      await dropFiles(element, [original]);
      await moving;
      const all = JSON.stringify(await entries(createStore('asset-uploader', 'resume')));
      expect(await records(original.name), 'a record while uploading').to.have.length(1);
      for (const secret of [PHASED_FULL_TOKEN, 'Bearer', 'ASU1 ', 'X-Amz-Signature', 'Signature=', 'signature=', 'expires=']) {
        expect(all, `IndexedDB holds ${secret}`).to.not.include(secret);
      }
    });
  });
}

describe('signed-parts and registry: the part size changed between the two pages', () => {
  for (const profile of [signedParts, registry]) {
    audit(`${profile.name}: parts 5 MiB before the reload, the default 8 MiB after: the same ranges are cut, the file is identical`, async () => {
      const original = makeFile(profile.size, `audit-${profile.name}-part-size.bin`, 777, profile.type ?? 'application/octet-stream');
      const { element, before } = await startSlowly(profile, original);
      element.remove();
      await setFaults([]);
      // The page now sets no chunk-size (a site that changed its settings, or a new version).
      const second = await uploader(profile, { 'chunk-size': false });
      const done = outcome(second);
      await dropFiles(second, [copy(original)]);
      const detail = await done;
      expect(detail.upload.resumedFrom).to.be.at.least(before);
      await expectStored(profile, detail, original);
      await expectRow(second, detail.id, 'success');
      const parts = (await requestLog()).filter(profile.isPart);
      expect(sum(parts) - original.size, 'bytes sent again').to.be.at.most(profile.part);
    });
  }
});

describe('phased: the server chose another window after the reload', () => {
  audit('resumes in the windows the server names now', async () => {
    const original = makeFile(phased.size, 'audit-phased-window.mp4', 778, 'video/mp4');
    const { element, before } = await startSlowly(phased, original);
    element.remove();
    await setFaults([]);
    await configureServer({ PHASED_CHUNK_SIZE: String(100_000) });
    try {
      const second = await uploader(phased);
      const done = outcome(second);
      await dropFiles(second, [copy(original)]);
      const detail = await done;
      expect(detail.upload.resumedFrom).to.be.at.least(before);
      await expectStored(phased, detail, original);
      await expectRow(second, detail.id, 'success');
    } finally {
      await configureServer();
    }
  });
});

describe('many files interrupted at once, more than the concurrency slots', () => {
  for (const profile of [contentRange, tusProfile('tus')]) {
    audit(`${profile.name}: 5 files, 2 slots, reloaded with 2 mid-way: every file arrives whole, at most one part again per running file`, async () => {
      const files = [0, 1, 2, 3, 4].map((i) => makeFile(4 * profile.part + 100 * i, `audit-${profile.name}-many-${i}.bin`, 880 + i));
      const first = await uploader(profile, { concurrency: '2' });
      await setFaults([{ ...profile.partRule, times: 1000, action: slow(64 * KiB) }]);
      await dropFiles(first, files);
      await until(() => first.uploads.filter((u) => u.bytesConfirmed >= profile.part).length >= 2, 'two files a part in', 20_000);
      const started = first.uploads.filter((u) => u.bytesConfirmed > 0).map((u) => u.name);
      first.remove();
      await setFaults([]);

      const second = await uploader(profile, { concurrency: '2' });
      const complete = nextEvent(second, 'upload-complete', () => true, 40_000);
      await dropFiles(second, files.map(copy));
      const { detail } = await complete;
      expect(detail.failed, 'none failed').to.have.length(0);
      expect(detail.successful).to.have.length(5);
      await rendered(second);
      const rows = [...second.shadowRoot!.querySelectorAll<HTMLElement>('[part~=file]')];
      expect(rows.map((r) => r.getAttribute('part'))).to.deep.equal(files.map(() => 'file file-success'));
      for (const upload of detail.successful as UploadSnapshot[]) {
        const original = files.find((f) => f.name === upload.name)!;
        expect((await profile.stored({ id: upload.id, upload, asset: upload.asset! })).sha256, upload.name).to.equal(await sha256(original));
        if (started.includes(upload.name)) expect(upload.resumedFrom, `${upload.name} resumed`).to.be.greaterThan(0);
      }
      const log = await requestLog();
      const total = files.reduce((n, f) => n + f.size, 0);
      expect(sum(log.filter(profile.isPart)) - total, 'bytes sent again').to.be.at.most(2 * profile.part);
      expect(log.filter(profile.isCreate), 'one server upload per file').to.have.length(5);
    });
  }
});

describe('two elements on one page given the same interrupted file after a reload', () => {
  audit('tus: one resumes it, the other waits (elsewhere) and sends nothing meanwhile; both end identical', async () => {
    const profile = tusProfile('tus');
    const original = makeFile(profile.size, 'audit-tus-two-elements.bin', 990);
    const { element, before } = await startSlowly(profile, original);
    element.remove();
    await setFaults([]);
    await clearLog();
    const a = await uploader(profile);
    const b = await uploader(profile);
    const aDone = outcome(a);
    const bWaits = nextEvent(b, 'upload-wait');
    const bDone = outcome(b, 40_000);
    await setFaults([{ ...profile.partRule, times: 2, action: slow(64 * KiB) }]);
    a.addFiles([copy(original)]);
    await until(() => a.uploads[0]?.status === 'uploading', 'the first element sending');
    b.addFiles([copy(original)]);
    const waiting = (await bWaits).detail;
    await expectRow(b, waiting.id, 'elsewhere');
    const first = await aDone;
    expect((await requestLog()).filter(profile.isCreate), 'while A sent, B created nothing').to.have.length(0);
    expect(first.upload.resumedFrom).to.be.at.least(before);
    await expectStored(profile, first, original);
    const second = await bDone;
    await expectStored(profile, second, original);
    await expectRow(b, second.id, 'success');
  });
});

describe('session: no resume across reloads (the README says so)', () => {
  audit('a reload mid-upload starts the file over in a new session; the snapshot says it is not persistent', async () => {
    const endpoint = await sessionEndpoint();
    const original = makeFile(6 * 64 * KiB + 1, 'audit-session.bin', 991);
    const first = await mount({ endpoint, protocol: 'session', 'retry-delays': '0 100' });
    first.token = PHASED_FULL_TOKEN;
    await setFaults([{ method: 'PUT', path: '/session/', times: 1000, action: slow(64 * KiB) }]);
    const moving = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesUploaded > 64 * KiB);
    await dropFiles(first, [original]);
    expect((await moving).detail.upload.persistent).to.equal(false);
    first.remove();
    await setFaults([]);
    expect(await records(original.name)).to.have.length(0);
    const second = await mount({ endpoint, protocol: 'session' });
    second.token = PHASED_FULL_TOKEN;
    const done = outcome(second);
    await dropFiles(second, [copy(original)]);
    const detail = await done;
    expect(detail.upload.resumedFrom).to.equal(0);
    const produced = detail.asset.produced?.[0] ?? detail.asset;
    expect((await stored(produced.id, 'session-assets')).sha256).to.equal(await sha256(original));
  });
});
