/**
 * Part sizes the page did not set (issue 11): the rest of the file in one request where
 * the server keeps a cut-off part and no checksum goes (content-range, tus), parts sized
 * from throughput with checksums, and 413 answered with smaller parts. Checked on what
 * the proxy saw and on what the server stored.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, contentRangeEndpoint, requestLog, setFaults, stored, tusEndpoint, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { clickRowAction, dropFiles, mount, nextEvent, rendered, row, unmountAll } from '../support/harness.js';

const MiB = 1024 * 1024;

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

/** Data-carrying PUTs (content-range) or PATCHes (tus), in the order sent. */
const dataRequests = (log: LogEntry[]) =>
  log.filter((e) => (e.method === 'PUT' && e.contentRange !== null && !e.contentRange.includes('*')) || e.method === 'PATCH');
const rangeOf = (entry: LogEntry) => {
  if (entry.method === 'PATCH') return { start: Number(entry.uploadOffset), length: entry.bodyBytes };
  const [, start, end] = /bytes (\d+)-(\d+)\//.exec(entry.contentRange!)!;
  return { start: Number(start), length: Number(end) - Number(start) + 1 };
};

/** Waits (bounded, 15 s) until the proxy has forwarded a data request that `match` picks. */
async function forwarded(match: (entry: LogEntry) => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (dataRequests(await requestLog()).some(match)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the proxy did not forward the expected bytes within 15 s');
}

describe('part sizes the page did not set', () => {
  it('content-range without MD5: the whole file goes as one PUT', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-checksum': true, 'no-resume': true });
    const file = makeFile(3 * MiB + 5, 'whole.bin', 101);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    const sent = dataRequests(await requestLog());
    expect(sent.map((e) => e.contentRange)).to.deep.equal([`bytes 0-${file.size - 1}/${file.size}`]);
    expect(sent[0]!.contentMd5).to.equal(null);
  });

  it('tus without checksums: the whole file goes as one PATCH to @tus/server', async () => {
    const element = await mount({ endpoint: await tusEndpoint('tus'), protocol: 'tus', 'no-resume': true });
    const file = makeFile(3 * MiB + 7, 'whole-tus.bin', 102);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id, 'tus')).sha256).to.equal(await sha256(file));
    const sent = dataRequests(await requestLog());
    expect(sent).to.have.length(1);
    expect(sent[0]!.uploadOffset).to.equal('0');
    expect(sent[0]!.bodyBytes).to.equal(file.size);
  });

  it('content-range with MD5: parts start at 8 MiB, each checksummed, none above 32 MiB, contiguous', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-resume': true });
    const file = makeFile(20 * MiB + 3, 'parts.bin', 103);
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect(detail.upload.checksum).to.equal(true);
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    const sent = dataRequests(await requestLog());
    expect(sent.length).to.be.at.least(2);
    expect(rangeOf(sent[0]!)).to.deep.equal({ start: 0, length: 8 * MiB });
    let next = 0;
    for (const entry of sent) {
      const { start, length } = rangeOf(entry);
      expect(start, 'each part starts where the last ended').to.equal(next);
      expect(length).to.be.at.most(32 * MiB);
      expect(entry.contentMd5, 'every part carries Content-MD5').to.be.a('string');
      next = start + length;
    }
    expect(next).to.equal(file.size);
  });

  for (const protocol of ['content-range', 'tus'] as const) {
    it(`${protocol}: pausing the one long request keeps what the server received, and Resume goes on from there`, async () => {
      const endpoint = protocol === 'tus' ? await tusEndpoint('tus') : await contentRangeEndpoint();
      const element = await mount({ endpoint, protocol, 'no-checksum': true, 'no-resume': true });
      const file = makeFile(2 * MiB, `cut-${protocol}.bin`, 104);
      await setFaults([{ method: protocol === 'tus' ? 'PATCH' : 'PUT', times: 1, action: { type: 'throttle', bytesPerSecond: 256 * 1024 } }]);
      const started = nextEvent(element, 'upload-start');
      await dropFiles(element, [file]);
      const { detail } = await started;
      // The browser's progress counts bytes handed to the socket: wait for the server's side.
      await forwarded((e) => e.bodyBytes >= 512 * 1024);
      const paused = nextEvent(element, 'upload-pause');
      await clickRowAction(element, detail.id, 'pause');
      await paused;
      const success = nextEvent(element, 'upload-success');
      await clickRowAction(element, detail.id, 'resume');
      const done = await success;
      expect((await stored(done.detail.asset.id, protocol === 'tus' ? 'tus' : 'content-range')).sha256).to.equal(await sha256(file));
      const sent = dataRequests(await requestLog());
      const last = sent.at(-1)!;
      expect(last.status, 'the last request finished the upload').to.be.oneOf([200, 204]);
      const resumedAt = rangeOf(last).start;
      expect(resumedAt, 'the bytes of the cut-off request were kept').to.be.above(0);
      expect(rangeOf(last).start + rangeOf(last).length).to.equal(file.size);
      expect(sent.length, 'one request, cut off; maybe one refused as stale; then the rest').to.be.at.most(3);
      await rendered(element);
      expect(row(element, done.detail.id).textContent).to.match(/Open|Done|Uploaded/i);
    });
  }

  it('answers 413 with half-size parts, without a retry, and stores the file whole', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-checksum': true, 'no-resume': true });
    const file = makeFile(3 * MiB, 'limited.bin', 105);
    await setFaults([
      {
        method: 'PUT',
        contentRange: 'bytes 0-',
        times: 2,
        action: { type: 'status', status: 413, body: '{"error":{"code":"body_too_large","message":"too large"}}' },
      },
    ]);
    const retries: unknown[] = [];
    element.addEventListener('upload-retry', (e) => retries.push(e));
    const success = nextEvent(element, 'upload-success');
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect((await stored(detail.asset.id)).sha256).to.equal(await sha256(file));
    const sent = dataRequests(await requestLog()).map((e) => ({ ...rangeOf(e), status: e.status }));
    expect(sent.slice(0, 2), 'the whole file, then half of it, refused').to.deep.equal([
      { start: 0, length: 3 * MiB, status: 413 },
      { start: 0, length: 1.5 * MiB, status: 413 },
    ]);
    expect(sent.slice(2).every((e) => e.length <= 0.75 * MiB && e.status !== 413)).to.equal(true);
    expect(retries, 'a smaller part is not a retry').to.have.length(0);
  });

  it('says so when the server refuses even the smallest part as too large', async () => {
    const element = await mount({ endpoint: await contentRangeEndpoint(), 'no-checksum': true, 'no-resume': true });
    const file = makeFile(MiB, 'never.bin', 106);
    await setFaults([{ method: 'PUT', contentRange: 'bytes 0-', times: 100, action: { type: 'status', status: 413 } }]);
    const failed = nextEvent(element, 'upload-error');
    await dropFiles(element, [file]);
    const { detail } = await failed;
    expect(detail.error.code).to.equal('client_error');
    expect(detail.error.status).to.equal(413);
    expect(detail.error.message).to.match(/too large/);
    await rendered(element);
    expect(row(element, detail.id).textContent).to.match(/too large/);
    const sizes = dataRequests(await requestLog()).map((e) => rangeOf(e).length);
    expect(sizes, 'halved down to 256 KiB, then it stops').to.deep.equal([MiB, MiB / 2, MiB / 4]);
  });
});
