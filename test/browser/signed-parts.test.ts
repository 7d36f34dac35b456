/**
 * `signed-parts` end to end, the reference server playing the object store (embedded
 * mode): numbered parts in parallel, each PUT with exactly the signer's headers, the
 * store verifying signature and MD5, resume by the server's part list.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, PHASED_FULL_TOKEN, requestLog, setFaults, signedPartsEndpoint, type LogEntry } from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, recordEvents, unmountAll } from '../support/harness.js';

const MiB = 1024 * 1024;
const SIZE = 3 * 5 * MiB + 1234; // four parts: 5 MiB ×3 and a tail

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

async function uploader(extra: Record<string, string | boolean> = {}) {
  const element = await mount({ endpoint: await signedPartsEndpoint(), protocol: 'signed-parts', 'chunk-size': '5MiB', 'parallel-parts': '3', 'retry-delays': '0 100 300', ...extra });
  element.token = PHASED_FULL_TOKEN;
  return element;
}

const storePuts = (log: LogEntry[]) => log.filter((e) => e.method === 'PUT' && e.path.includes('/store/'));

async function downloaded(url: string): Promise<string> {
  return sha256(await (await fetch(url)).blob());
}

describe('signed-parts (embedded store)', () => {
  it('sends numbered parts in parallel with exactly the signed headers; the object is identical', async () => {
    const element = await uploader({ 'no-resume': true });
    const file = makeFile(SIZE, 'parts.bin', 111);
    const success = nextEvent(element, 'upload-success', () => true, 60_000);
    await dropFiles(element, [file]);
    const { detail } = await success;
    expect(await downloaded(detail.asset.url!)).to.equal(await sha256(file));
    expect(detail.asset.md5).to.match(/^[0-9a-f]{32}$/);
    const log = await requestLog();
    const puts = storePuts(log);
    expect(puts).to.have.length(4);
    expect(puts.every((e) => e.authorization?.startsWith('ASU1 ') && e.contentMd5 !== null), 'signed headers, no bearer token').to.equal(true);
    expect(log.filter((e) => e.path.includes('/api/')).every((e) => e.method === 'OPTIONS' || e.authorization === `Bearer ${PHASED_FULL_TOKEN}`)).to.equal(true);
    expect(log.filter((e) => e.method === 'PATCH')).to.have.length(1);
  });

  it('re-sends a part the store refused as a bad digest, and asks again for an expired signature', async () => {
    const element = await uploader({ 'no-resume': true });
    const file = makeFile(SIZE, 'faults.bin', 112);
    const expired = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
    await setFaults([
      { method: 'PUT', path: '/store/', nth: 1, action: { type: 'corrupt' } },
      { method: 'PUT', path: '/store/', nth: 3, action: { type: 'status', status: 403, body: expired, headers: { 'Content-Type': 'application/xml' } } },
    ]);
    const retries = recordEvents(element, ['upload-retry']);
    const success = nextEvent(element, 'upload-success', () => true, 60_000);
    await dropFiles(element, [file]);
    const { detail } = await success;
    retries.stop();
    // Lanes that fail while a recovery runs share it, so one or two retry events fire.
    const codes = new Set(retries.events.map((e) => e.detail.error.code));
    expect(codes.size).to.be.greaterThan(0);
    for (const code of codes) expect(['checksum_mismatch', 'url_expired']).to.include(code);
    expect(await downloaded(detail.asset.url!)).to.equal(await sha256(file));
    const log = await requestLog();
    expect(storePuts(log).filter((e) => e.status === 400), 'the store refused the corrupted part').to.have.length(1);
    expect(storePuts(log).filter((e) => e.status === 403), 'and the expired signature').to.have.length(1);
    expect(storePuts(log).filter((e) => e.status === 200), 'every part stored once').to.have.length(4);
    const signatures = log.filter((e) => e.method === 'GET' && e.path.includes('/parts?'));
    expect(signatures.length, 'fresh signatures for the refused parts').to.equal(6);
  });

  it('resumes after teardown by the server part list, sending only missing parts', async () => {
    const file = makeFile(SIZE, 'resume-parts.bin', 113);
    const first = await uploader({ 'parallel-parts': '1' });
    await setFaults([{ method: 'PUT', path: '/store/', nth: 2, times: 100, action: { type: 'throttle', bytesPerSecond: 2 * MiB } }]);
    const confirmed = nextEvent(first, 'upload-progress', (e) => e.detail.upload.bytesConfirmed >= 5 * MiB, 60_000);
    await dropFiles(first, [file]);
    await confirmed;
    first.remove();
    await setFaults([]);
    await clearLog();
    const second = await uploader();
    const success = nextEvent(second, 'upload-success', () => true, 60_000);
    await dropFiles(second, [new File([file], file.name, { type: file.type, lastModified: file.lastModified })]);
    const { detail } = await success;
    expect(detail.upload.resumedFrom).to.be.at.least(5 * MiB);
    expect(await downloaded(detail.asset.url!)).to.equal(await sha256(file));
    const log = await requestLog();
    expect(log.filter((e) => e.method === 'POST'), 'no new upload').to.have.length(0);
    expect(storePuts(log).length, 'only the missing parts').to.be.at.most(3);
  });
});
