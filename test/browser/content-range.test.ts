/**
 * End to end: <asset-uploader> in a real browser, the reference server in a real
 * process, the Panda-style content-range API between them, bytes compared on disk. The
 * shared cases (sizes, several files, 5xx, 4xx, reset, a damaged part, pause, resume
 * after teardown, cancel) run from the profile below; its faults and resume paths of its
 * own are in content-range-faults.test.ts and content-range-resume.test.ts.
 */
import { expect } from '@esm-bundle/chai';
import { contentRangeEndpoint, clearLog, setFaults, stored, storedOrNull } from '../support/ref-server.js';
import { makeFile } from '../support/data.js';
import { dropFiles, mount, nextEvent, unmountAll, expectQuietConsole } from '../support/harness.js';
import { describeProtocol, type ProtocolProfile } from '../support/protocol-suite.js';

const PART = 64 * 1024;

const contentRangeProfile: ProtocolProfile = {
  name: 'content-range',
  attributes: async () => ({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB' }),
  part: PART,
  lanes: 1,
  // A part carries a byte range (`bytes a-b/L`); a status query asks with `bytes */L`.
  partRule: { method: 'PUT', contentRange: '-' },
  isPart: (e) => e.method === 'PUT' && !(e.contentRange ?? '').includes('*'),
  isCreate: (e) => e.method === 'POST' && e.path.endsWith('/upload.json'),
  isSync: (e) => e.method === 'PUT' && (e.contentRange ?? '').includes('*'),
  checksums: true,
  checksumOf: (e) => e.contentMd5,
  checksumPattern: /^[A-Za-z0-9+/]{22}==$/,
  damagedStatus: 400,
  stored: async (detail) => {
    const held = await stored(detail.asset.id);
    return { size: held.size, sha256: held.sha256, complete: held.record.complete === true };
  },
  resumes: true,
  cancel: {
    status: 200,
    forgotten: async (deleted) => {
      expect(await storedOrNull(deleted.path.split('/').pop()!), 'the server forgot the upload').to.equal(null);
    },
  },
};

describeProtocol(contentRangeProfile);

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});
// Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
before(() => expectQuietConsole());
afterEach(() => expectQuietConsole());

async function uploader(extra: Record<string, string | boolean> = {}) {
  return mount({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB', multiple: true, 'no-resume': true, ...extra });
}

describe('content-range: the form value', () => {
  it('is the uploaded assets, and the form is invalid while uploads run', async () => {
    const form = document.createElement('form');
    document.body.append(form);
    const element = await uploader({ name: 'attachments' });
    form.append(element);
    const changes: Event[] = [];
    element.addEventListener('change', (e) => changes.push(e));
    const files = [makeFile(PART + 1, 'a.bin'), makeFile(10, 'b.bin')];
    const done = nextEvent(element, 'upload-complete');
    await setFaults([{ method: 'PUT', action: { type: 'throttle', bytesPerSecond: 256 * 1024 } }]);
    await dropFiles(element, files);
    expect(element.checkValidity(), 'invalid while uploading').to.equal(false);
    const { detail } = await done;
    expect(detail.successful).to.have.length(2);
    const values = new FormData(form).getAll('attachments');
    expect(values).to.have.members(detail.successful.map((u) => u.asset!.url!));
    expect(element.checkValidity()).to.equal(true);
    expect(changes.length).to.be.greaterThan(0);
    form.remove();
  });
});
