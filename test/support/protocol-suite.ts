/**
 * One parameterised suite of what every protocol must do end to end, against the reference
 * server through the fault proxy (issue 12), in the manner of tus-node-server's
 * `shouldHaveStoreMethods`: `describeProtocol(profile)` runs the same cases for each
 * protocol, and a protocol's own test file keeps only what is particular to it.
 *
 * Every case asserts what a person sees (the row), what the server stored (SHA-256 of the
 * bytes, against the file's) and what went over the wire (parts, and parts sent again).
 * A profile says, for one protocol, how to set the element up, which requests are parts,
 * how to read what the server stored, and what the protocol supports (resume across a
 * teardown, cancel on the server). test/browser/faults.test.ts is the other, seeded side:
 * every fault against every protocol and size, with bounds only.
 */
import { expect } from '@esm-bundle/chai';
import { createStore, entries } from 'idb-keyval';
import type { UploadSuccessDetail, UploaderEventMap } from '../../src/engine/types.js';
import type { AssetUploader } from '../../src/asset-uploader.js';
import { clearLog, logOnceAnswered, requestLog, setFaults, type FaultAction, type FaultRule, type LogEntry } from './ref-server.js';
import { makeFile, sha256 } from './data.js';
import { allowConsoleNoise, clickRowAction, dropFiles, expectQuietConsole, mount, nextEvent, recordEvents, rendered, row, unmountAll } from './harness.js';

/** A fault rule without its action and count: which requests it may hit. */
export type RequestMatch = Omit<FaultRule, 'action' | 'nth' | 'times'>;

export interface Uploaded {
  readonly file: File;
  readonly detail: UploadSuccessDetail;
}

export interface ProtocolProfile {
  /** The title of the protocol's block of cases. */
  readonly name: string;
  /** The element's attributes: endpoint, protocol, part size. */
  attributes(): Promise<Record<string, string>>;
  /** A bearer token set on the element (`token` is a property, never an attribute). */
  readonly token?: string;
  /** The type of the test files (the phased API streams video only). */
  readonly type?: string;
  /** Bytes per part request; `Infinity` for one whole-file request per file. */
  readonly part: number;
  /** Parts in flight at once with `attributes` (1 for ordered protocols). */
  readonly lanes: number;
  /** Attributes that make it one part at a time, where the protocol has lanes. */
  readonly oneLane?: Record<string, string>;
  /** The part requests, for fault rules. */
  readonly partRule: RequestMatch;
  /** The part requests in the log. */
  isPart(entry: LogEntry): boolean;
  /** How many part requests a file of `size` bytes takes (default: one per part, at least one). */
  partsFor?(size: number): number;
  /** Sizes the upload case runs (default: 0, 1, a part - 1, a part, several parts and a tail). */
  readonly sizes?: readonly number[];
  /** The size of the fault cases' file (default: three parts and a tail). */
  readonly faultSize?: number;
  /** Bytes a part request carries beyond the file's own, at most (multipart framing). */
  readonly framing?: number;
  /** The server keeps what arrived of a part cut off mid-way (no checksum), so accepted parts may sum to less than the file. */
  readonly keepsCutOffParts?: boolean;
  /** The request that creates the server's upload. */
  isCreate(entry: LogEntry): boolean;
  /** The request that asks the server what it holds; absent when the protocol asks no one (a whole-file PUT). */
  isSync?(entry: LogEntry): boolean;
  /** Where refusals (4xx) are injected, when not on the parts (an API whose errors carry a message). */
  readonly refusalRule?: RequestMatch;
  /** The 5xx of the server-error case (default 503). */
  readonly serverError?: number;
  /** Whether parts carry a checksum the server checks; `checksumOf` reads it from a part request. */
  readonly checksums: boolean;
  checksumOf(entry: LogEntry): string | null;
  /** The form of a part's checksum header. */
  readonly checksumPattern?: RegExp;
  /** With checksums: the status the server answers a damaged part. */
  readonly damagedStatus?: number;
  /** What the server holds for a finished upload: size, SHA-256, and whether its record says complete. */
  stored(detail: UploadSuccessDetail): Promise<{ size: number; sha256: string; complete?: boolean }>;
  /** Whether the finished row links to the stored file (default true). */
  readonly links?: boolean;
  /** What is particular to the protocol's wire, checked after every clean upload (tokens, signatures, one commit). */
  wire?(log: LogEntry[], uploads: readonly Uploaded[]): void | Promise<void>;
  /** Resume after the element is torn down (false: the protocol keeps no resume state). */
  readonly resumes: boolean;
  /** Cancel on the server: the DELETE's status, and what shows the server forgot (absent: no cancel on the server). */
  readonly cancel?: { readonly status: number; forgotten(deleted: LogEntry, log: LogEntry[]): Promise<void> };
  /** Longest wait for one upload, in ms (default 20 s; within the runner's 30 s a case). */
  readonly timeoutMs?: number;
}

const sum = (list: LogEntry[]) => list.reduce((total, e) => total + e.bodyBytes, 0);
const accepted = (list: LogEntry[]) => list.filter((e) => e.status >= 200 && e.status < 300);

/**
 * A case. Its console must stay quiet (checked in the case, so that a warning fails the
 * case that caused it, and the next cases still run); when it fails, the error gets what
 * went over the wire, for whoever reads the failure.
 */
export function test(title: string, body: () => Promise<void>, timeoutMs?: number): void {
  it(title, async function () {
    if (timeoutMs !== undefined) this.timeout(timeoutMs);
    try {
      await body();
    } catch (error) {
      await expectQuietConsole().catch(() => undefined); // what this case logged is not the next one's
      const log = await requestLog().catch(() => []);
      const trace = log.map(
        (r) => `${r.target} ${r.method} ${r.path.slice(0, 90)} ${r.contentRange ?? ''} ${r.bodyBytes}B -> ${r.status}${r.fault ? ` (${r.fault})` : ''}`,
      );
      if (error instanceof Error) error.message += `\nrequests:\n${trace.join('\n')}`;
      throw error;
    }
    await expectQuietConsole();
  });
}

/**
 * Firefox reports a cross-origin request the network cut (a reset) as a CORS failure;
 * against RGW (which answers a preflight with the origin and a PUT with `*`) sometimes as
 * one with two Access-Control-Allow-Origin headers, although every answer that passed the
 * proxy had one (seen with the proxy logging raw headers), and only for the reset part.
 */
const CUT_OFF = [/CORS request did not succeed/, /Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed/];

/** Resume records the engine keeps in IndexedDB for a file name (its key holds the name between newlines). */
async function savedRecords(name: string): Promise<number> {
  const all = await entries(createStore('asset-uploader', 'resume'));
  return all.filter(([key]) => String(key).includes(`\n${name}\n`)).length;
}

export function describeProtocol(profile: ProtocolProfile): void {
  const part = profile.part;
  const whole = !Number.isFinite(part);
  const timeout = profile.timeoutMs ?? 20_000;
  const partsFor = profile.partsFor ?? ((size: number) => (whole ? 1 : Math.max(1, Math.ceil(size / part))));
  const sizes = profile.sizes ?? [0, 1, part - 1, part, 3 * part + 12_345];
  const faultSize = profile.faultSize ?? 3 * part + 12_345;
  /** The part a mid-upload fault hits: the second, or the only one. */
  const midPart = partsFor(faultSize) > 1 ? 2 : 1;
  const framing = profile.framing ?? 0;
  const exact = framing === 0 && !profile.keepsCutOffParts;
  let seed = 0;
  // Named after the protocol: test files running at once in one browser share IndexedDB, where resume records are found by name.
  const slug = profile.name.replace(/[^a-z0-9]+/gi, '-');
  const file = (size: number, name: string) => makeFile(size, `${slug}-${name}`, 500 + size + ++seed * 7, profile.type ?? 'application/octet-stream');
  const copy = (original: File) => new File([original], original.name, { type: original.type, lastModified: original.lastModified });
  const rule = (match: RequestMatch, nth: number, action: FaultAction, times = 1): FaultRule => ({ ...match, nth, times, action });
  const slow = (bytesPerSecond: number): FaultAction => ({ type: 'throttle', bytesPerSecond });

  async function uploader(extra: Record<string, string | boolean> = {}): Promise<AssetUploader> {
    const element = await mount({ ...(await profile.attributes()), multiple: true, 'retry-delays': '0 100 300 600', ...extra });
    if (profile.token) element.token = profile.token;
    return element;
  }

  async function expectStored(detail: UploadSuccessDetail, original: File): Promise<void> {
    const held = await profile.stored(detail);
    expect(held.size, 'stored size').to.equal(original.size);
    expect(held.sha256, 'stored bytes identical').to.equal(await sha256(original));
    if (held.complete !== undefined) expect(held.complete, "the server's record says complete").to.equal(true);
  }

  async function expectRow(element: AssetUploader, id: string, status: string): Promise<HTMLElement> {
    await rendered(element);
    const line = row(element, id);
    expect(line.getAttribute('part'), 'the row').to.equal(`file file-${status}`);
    expect(line.dataset['status']).to.equal(status);
    return line;
  }

  /** The finished row, and where it links: to the stored file itself. */
  async function expectDone(element: AssetUploader, { file: original, detail }: Uploaded): Promise<void> {
    const line = await expectRow(element, detail.id, 'success');
    if (profile.links === false) return;
    const link = line.querySelector<HTMLAnchorElement>('[part=file-link]');
    expect(link?.getAttribute('href'), 'the row links to the asset').to.equal(detail.asset.url);
    expect(await sha256(await (await fetch(link!.href)).blob()), 'the linked file is the file').to.equal(await sha256(original));
  }

  /** Bytes sent more than once, and that every byte the server took it took once. */
  function expectResent(log: LogEntry[], original: File, atMost: number): void {
    const parts = log.filter(profile.isPart);
    expect(sum(parts) - original.size, 'bytes sent again').to.be.at.most(atMost + framing * parts.length);
    const took = sum(accepted(parts));
    if (exact) expect(took, 'the server took every byte once').to.equal(original.size);
    else expect(took, 'the server took no byte twice').to.be.at.most(original.size + framing * parts.length);
  }

  /** The next `type` event (a success, a retry); an upload-error instead fails at once, with the error's words. */
  function unlessError<K extends 'upload-success' | 'upload-retry'>(element: AssetUploader, type: K): Promise<UploaderEventMap[K]> {
    const failed = nextEvent(element, 'upload-error', () => true, timeout).then((e) => {
      throw new Error(`upload-error instead of ${type} (${e.detail.error.code}): ${e.detail.error.message}`);
    });
    failed.catch(() => undefined); // settled by the race below, or after it
    const event = Promise.race([nextEvent(element, type, () => true, timeout), failed]);
    // A case that fails on an earlier wait never awaits this one: its rejection is not a stray error.
    event.catch(() => undefined);
    return event;
  }
  const succeeds = (element: AssetUploader) => unlessError(element, 'upload-success');

  /** Waits until `lead` parts are confirmed (0: until the first bytes move); the caller's fault slows the next part. */
  function midway(element: AssetUploader, lead: number) {
    return nextEvent(
      element,
      'upload-progress',
      (e) => (lead > 0 ? e.detail.upload.bytesConfirmed >= lead * part : e.detail.upload.bytesUploaded > 0),
      timeout,
    );
  }

  describe(`${profile.name}: the shared cases (test/support/protocol-suite.ts)`, () => {
    afterEach(async () => {
      unmountAll();
      await setFaults([]);
      await clearLog();
    });
    before(() => expectQuietConsole());

    for (const size of sizes) {
      test(`uploads ${size} bytes identically: the row links to the stored file`, async () => {
        const element = await uploader({ 'no-resume': true });
        const original = file(size, `identical-${size}.bin`);
        const success = succeeds(element);
        await dropFiles(element, [original]);
        const { detail } = await success;
        await expectStored(detail, original);
        expect(detail.upload.status).to.equal('success');
        expect(detail.upload.bytesUploaded).to.equal(size);
        expect(detail.upload.checksum, 'parts carried a checksum').to.equal(profile.checksums);
        const log = await requestLog();
        const parts = log.filter(profile.isPart);
        expect(parts.length, 'one request per part').to.equal(partsFor(size));
        for (const sent of parts) {
          if (!profile.checksums) expect(profile.checksumOf(sent), 'no checksum').to.equal(null);
          else if (size > 0) expect(profile.checksumOf(sent), 'a checksum on every part').to.match(profile.checksumPattern ?? /./);
        }
        await expectDone(element, { file: original, detail });
        await profile.wire?.(log, [{ file: original, detail }]);
      });
    }

    test('uploads 3 files with concurrency 2: every row done, every file stored, no part sent twice', async () => {
      const element = await uploader({ 'no-resume': true, concurrency: '2' });
      // Two parts each where parts are small; one where they are large (S3's 5 MiB), or whole.
      const small = Math.min(part, 64 * 1024) + 1;
      const files = [0, 1, 2].map((i) => file(small + i, `batch-${i}.bin`));
      const successes = recordEvents(element, ['upload-success']);
      const complete = nextEvent(element, 'upload-complete', () => true, timeout);
      await dropFiles(element, files);
      const { detail } = await complete;
      successes.stop();
      expect(detail.failed).to.have.length(0);
      expect(detail.successful).to.have.length(3);
      const uploads = files.map((original) => {
        const event = successes.events.find((e) => e.detail.upload.name === original.name);
        if (!event) throw new Error(`no upload-success for ${original.name}`);
        return { file: original, detail: event.detail as UploadSuccessDetail };
      });
      for (const uploaded of uploads) {
        await expectStored(uploaded.detail, uploaded.file);
        await expectDone(element, uploaded);
      }
      const rows = [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part~=file]')];
      expect(rows.map((r) => r.getAttribute('part'))).to.deep.equal(files.map(() => 'file file-success'));
      const log = await requestLog();
      expect(log.filter(profile.isPart).length, 'one request per part').to.equal(files.reduce((n, f) => n + partsFor(f.size), 0));
      await profile.wire?.(log, uploads);
    });

    const serverError = profile.serverError ?? 503;
    test(`recovers from a ${serverError} mid-upload, asking the server what it holds before sending again`, async () => {
      const element = await uploader({ 'no-resume': true });
      const original = file(faultSize, `server-error-${serverError}.bin`);
      await setFaults([rule(profile.partRule, midPart, { type: 'status', status: serverError })]);
      const retry = unlessError(element, 'upload-retry');
      const success = succeeds(element);
      await dropFiles(element, [original]);
      const retried = await retry;
      expect(retried.detail.error.code).to.equal('server_error');
      expect(retried.detail.error.status).to.equal(serverError);
      const { detail } = await success;
      await expectStored(detail, original);
      await expectDone(element, { file: original, detail });
      const log = await requestLog();
      const failed = log.findIndex((e) => e.fault !== null);
      expect(
        log.filter((e) => e.fault !== null),
        'the fault fired once',
      ).to.have.length(1);
      if (profile.isSync) expect(log.slice(failed + 1).some(profile.isSync), 'asked what the server holds').to.equal(true);
      expect(log.filter(profile.isPart).length, 'parts sent again').to.be.at.most(partsFor(faultSize) + profile.lanes);
    });

    test("stops on a 4xx without retrying and shows why (403: not allowed; 400: the server's message); Retry then finishes", async () => {
      const element = await uploader({ 'no-resume': true });
      const original = file(faultSize, 'refused.bin');
      const refusal = profile.refusalRule ?? profile.partRule;
      const retries = recordEvents(element, ['upload-retry']);
      await setFaults([rule(refusal, midPart, { type: 'status', status: 403, body: 'Forbidden by policy' })]);
      const forbidden = nextEvent(element, 'upload-error', () => true, timeout);
      await dropFiles(element, [original]);
      const { detail } = await forbidden;
      expect(detail.error.code).to.equal('unauthorized');
      expect(detail.error.status).to.equal(403);
      const first = await expectRow(element, detail.id, 'error');
      expect(first.querySelector('[part=file-error]')?.textContent).to.contain('not allowed');

      const message = 'This file is refused by policy';
      await setFaults([rule(refusal, 1, { type: 'status', status: 400, body: JSON.stringify({ error: { code: 'refused', message } }) })]);
      const refused = nextEvent(element, 'upload-error', () => true, timeout);
      await clickRowAction(element, detail.id, 'retry');
      const second = (await refused).detail;
      expect(second.error.code).to.equal('client_error');
      expect(second.error.status).to.equal(400);
      const again = await expectRow(element, detail.id, 'error');
      expect(again.querySelector('[part=file-error]')?.textContent, "the server's message").to.contain(message);

      await setFaults([]);
      const success = succeeds(element);
      await clickRowAction(element, detail.id, 'retry');
      const done = (await success).detail;
      retries.stop();
      expect(retries.events, 'no retry on a 4xx').to.have.length(0);
      await expectStored(done, original);
      await expectDone(element, { file: original, detail: done });
    });

    test('recovers from a connection reset mid-part, sending only what is missing', async () => {
      const element = await uploader({ 'no-resume': true });
      const original = file(faultSize, 'reset.bin');
      // Until the engine sees one: Chromium silently re-sends a request whose keep-alive
      // socket was reset, more than once, so the resets go on until the first retry.
      await setFaults([rule(profile.partRule, midPart, { type: 'reset' }, 1000)]);
      allowConsoleNoise(...CUT_OFF);
      const retry = unlessError(element, 'upload-retry');
      const success = succeeds(element);
      await dropFiles(element, [original]);
      expect((await retry).detail.error.code).to.equal('network');
      await setFaults([]);
      const { detail } = await success;
      await expectStored(detail, original);
      await expectDone(element, { file: original, detail });
      const log = await requestLog();
      const fired = log.filter((e) => e.fault !== null).length;
      expect(fired, 'resets').to.be.at.least(1);
      expect(log.filter(profile.isPart).length, 'parts sent again').to.be.at.most(partsFor(faultSize) + fired * profile.lanes);
      expectResent(log, original, fired * profile.lanes * Math.min(part, faultSize));
    });

    if (profile.checksums) {
      test('sends again a part damaged on its way, which the server refused by its checksum', async () => {
        const element = await uploader({ 'no-resume': true });
        const original = file(faultSize, 'damaged.bin');
        await setFaults([rule(profile.partRule, midPart, { type: 'corrupt' })]);
        const retries = recordEvents(element, ['upload-retry']);
        const success = succeeds(element);
        await dropFiles(element, [original]);
        const { detail } = await success;
        retries.stop();
        // Lanes that fail while a recovery runs share it.
        expect(retries.events.length).to.be.within(1, profile.lanes);
        for (const e of retries.events) expect(e.detail.error.code).to.equal('checksum_mismatch');
        await expectStored(detail, original);
        await expectDone(element, { file: original, detail });
        const refused = (await requestLog()).filter((e) => e.status >= 400);
        expect(refused.map((e) => [e.status, e.fault])).to.deep.equal([[profile.damagedStatus, 'corrupt']]);
      });
    }

    test('pause and resume from the row buttons send only what is missing', async () => {
      const element = await uploader({ 'no-resume': true, ...profile.oneLane });
      const original = file(faultSize, 'paused.bin');
      const lead = midPart - 1;
      await setFaults([rule(profile.partRule, midPart, slow(whole ? 32 * 1024 : part / 4), 1000)]);
      const moving = midway(element, lead);
      await dropFiles(element, [original]);
      const { detail } = await moving;
      const paused = nextEvent(element, 'upload-pause', () => true, timeout);
      await clickRowAction(element, detail.id, 'pause');
      expect((await paused).detail.upload.status).to.equal('paused');
      await expectRow(element, detail.id, 'paused');

      await setFaults([]);
      const resumed = nextEvent(element, 'upload-resume', () => true, timeout);
      const success = succeeds(element);
      await clickRowAction(element, detail.id, 'resume');
      await resumed;
      const done = (await success).detail;
      await expectStored(done, original);
      await expectDone(element, { file: original, detail: done });
      expectResent(await requestLog(), original, Math.min(part, faultSize));
    });

    if (profile.resumes) {
      test('resumes after the element is torn down, sending at most one part again', async () => {
        const original = file(faultSize, 'torn-down.bin');
        const first = await uploader(profile.oneLane);
        // Two parts at full speed, then a crawl: the teardown comes mid-part.
        await setFaults([rule(profile.partRule, 3, slow(part / 4), 1000)]);
        const confirmed = midway(first, 2);
        await dropFiles(first, [original]);
        const before = (await confirmed).detail.upload.bytesConfirmed;
        expect(await savedRecords(original.name), 'resume state saved while uploading').to.equal(1);
        first.remove(); // the page goes away mid-part
        await setFaults([]);

        const second = await uploader();
        const success = succeeds(second);
        // A new File with the same bytes, as a person picking the file again gives.
        await dropFiles(second, [copy(original)]);
        const { detail } = await success;
        expect(detail.upload.resumedFrom, 'resumed, not restarted').to.be.at.least(before);
        await expectStored(detail, original);
        const line = await expectRow(second, detail.id, 'success');
        expect(line.querySelector('[part=file-resumed]'), 'the row says it continued').to.not.equal(null);
        const log = await requestLog();
        expect(log.filter(profile.isCreate), 'one upload, re-attached').to.have.length(1);
        if (profile.isSync) expect(log.some(profile.isSync), 'asked what the server holds').to.equal(true);
        expectResent(log, original, part);
        expect(await savedRecords(original.name), 'resume state removed after success').to.equal(0);
      });
    }

    const cancel = profile.cancel;
    if (cancel) {
      test('cancel stops sending and deletes the upload on the server', async () => {
        const element = await uploader({ 'no-resume': true, ...profile.oneLane });
        await setFaults([rule(profile.partRule, midPart, slow(part / 2), 1000)]);
        // Part midPart's bytes on the wire, not only the part before it confirmed: cancelled at that
        // boundary, the next part's request could still reach the server after the DELETE.
        const moving = nextEvent(element, 'upload-progress', (e) => e.detail.upload.bytesUploaded > (midPart - 1) * part, timeout);
        const aborted = nextEvent(element, 'upload-abort', () => true, timeout);
        await dropFiles(element, [file(faultSize, 'cancelled.bin')]);
        const { detail } = await moving;
        await clickRowAction(element, detail.id, 'cancel');
        expect((await aborted).detail.upload.status).to.equal('aborted');
        const line = await expectRow(element, detail.id, 'aborted');
        expect(line.querySelector('[part~=cancel-button]'), 'nothing left to cancel').to.equal(null);
        // The API's DELETE (the server's own calls to an object store are in the log too).
        const cancels = (e: LogEntry) => e.target === 'api' && e.method === 'DELETE';
        const log = await logOnceAnswered(cancels);
        const deletes = log.filter(cancels);
        expect(deletes.map((e) => e.status)).to.deep.equal([cancel.status]);
        const at = log.indexOf(deletes[0]!);
        expect(log.slice(at).filter(profile.isPart), 'no part after the DELETE').to.have.length(0);
        await cancel.forgotten(deletes[0]!, log);
      });
    }
  });
}
