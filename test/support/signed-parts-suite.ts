/**
 * `signed-parts` end to end, shared by the two modes of the reference server:
 * - embedded (test/browser/signed-parts.test.ts): the server plays the object store;
 * - s3 (test/browser/signed-parts.s3.test.ts): parts go to a real S3 (Ceph's RADOS
 *   Gateway) on another origin, by presigned URLs, and the store itself verifies them.
 * The shared cases (test/support/protocol-suite.ts: sizes, several files, 5xx, 4xx, reset,
 * a damaged part, pause, resume by the server's part list after a teardown, cancel) run in
 * both modes from the profile below; what is particular stays here: numbered parts in
 * parallel, each PUT with exactly the signer's headers, the store verifying signature and
 * MD5, expired signatures, and the API's bearer token never reaching the store.
 */
import { expect } from '@esm-bundle/chai';
import { clearLog, configureServer, PHASED_FULL_TOKEN, refServer, requestLog, s3Object, setFaults, signedPartsEndpoint, type LogEntry } from './ref-server.js';
import { makeFile, sha256 } from './data.js';
import { dropFiles, mount, nextEvent, recordEvents, unmountAll, allowConsoleNoise, expectQuietConsole } from './harness.js';
import { describeProtocol, type ProtocolProfile } from './protocol-suite.js';

const MiB = 1024 * 1024;
const SIZE = 3 * 5 * MiB + 1234; // four parts: 5 MiB ×3 and a tail

export type StoreMode = 'embedded' | 's3';

export function describeSignedParts(mode: StoreMode): void {
  /** Requests that reached the object store with a part. */
  const storePuts = (log: LogEntry[]) => log.filter((e) => e.target === 'store' && e.method === 'PUT');
  /** Part PUTs in fault rules. */
  const partPath = mode === 's3' ? 'partNumber=' : '/store/';

  afterEach(async () => {
    unmountAll();
    await setFaults([]);
    await clearLog();
  });
  // Every upload here must leave the console quiet (a refused header, a CSP report, a warning).
  before(() => expectQuietConsole());
  afterEach(() => expectQuietConsole());

  async function uploader(extra: Record<string, string | boolean> = {}) {
    const element = await mount({
      endpoint: await signedPartsEndpoint(),
      protocol: 'signed-parts',
      'chunk-size': '5MiB',
      'parallel-parts': '3',
      'retry-delays': '0 100 300',
      ...extra,
    });
    element.token = PHASED_FULL_TOKEN;
    return element;
  }

  /** The finished object, its size and SHA-256: read from S3 itself in the s3 mode, else downloaded from the server. */
  async function objectOf(asset: { url?: string; raw?: unknown }): Promise<{ size: number; sha256: string }> {
    if (mode === 's3') {
      const key = String((asset.raw as Record<string, unknown>)['object_key']);
      const object = await s3Object(key);
      if (object === null) throw new Error(`S3 has no object ${key}`);
      return object;
    }
    const blob = await (await fetch(asset.url!)).blob();
    return { size: blob.size, sha256: await sha256(blob) };
  }
  const objectDigest = async (asset: { url?: string; raw?: unknown }) => (await objectOf(asset)).sha256;

  const profile: ProtocolProfile = {
    name: `signed-parts (${mode === 's3' ? 'real S3' : 'embedded store'})`,
    attributes: async () => ({ endpoint: await signedPartsEndpoint(), protocol: 'signed-parts', 'chunk-size': '5MiB', 'parallel-parts': '3' }),
    token: PHASED_FULL_TOKEN,
    part: 5 * MiB,
    lanes: 3,
    oneLane: { 'parallel-parts': '1' },
    partRule: { target: 'store', method: 'PUT', path: partPath },
    isPart: (e) => storePuts([e]).length === 1,
    isCreate: (e) => e.target === 'api' && e.method === 'POST' && e.path.endsWith('/uploads'),
    // GET <endpoint>/<id>: the parts the store holds.
    isSync: (e) => e.target === 'api' && e.method === 'GET' && /\/uploads\/[^/?]+$/.test(e.path),
    // Refusals come from the API (its JSON error shape carries a message), on a part's signing.
    refusalRule: { method: 'GET', path: '/parts?' },
    checksums: true,
    checksumOf: (e) => e.contentMd5,
    checksumPattern: /^[A-Za-z0-9+/]{22}==$/,
    damagedStatus: 400,
    stored: (detail) => objectOf(detail.asset),
    // What the store and the API saw of every clean upload, every size.
    wire: (log, uploads) => {
      const puts = storePuts(log);
      expect(
        puts.every((e) => e.status === 200 && e.contentMd5 !== null),
        'every part carried its MD5 and the store took it',
      ).to.equal(true);
      const partsOf = (size: number) => Math.max(1, Math.ceil(size / (5 * MiB)));
      if (mode === 's3') {
        for (const { detail } of uploads) expect(detail.asset.raw).to.include({ bucket: 'asset-uploader', object_key: `signed-parts/${detail.asset.id}` });
        expect(
          puts.every((e) => e.authorization === null && e.path.includes('X-Amz-Signature=')),
          'presigned: the signature is in the URL',
        ).to.equal(true);
        // The server's own S3 calls pass the same proxy: they carry AWS signatures, never the API's token.
        expect(log.filter((e) => e.target === 'store').every((e) => e.authorization === null || e.authorization.startsWith('AWS4-HMAC-SHA256 '))).to.equal(
          true,
        );
        expect(
          log.filter((e) => e.target === 'store' && e.method === 'POST' && e.path.includes('uploadId=')),
          'completed by the server',
        ).to.have.length(uploads.length);
      } else {
        for (const { file, detail } of uploads) {
          const etag = new RegExp(`^[0-9a-f]{32}-${partsOf(file.size)}$`);
          expect((detail.asset.raw as Record<string, unknown>)['etag'], "S3's multipart ETag: the MD5 of the parts' MD5s").to.match(etag);
        }
        expect(
          puts.every((e) => e.authorization?.startsWith('ASU1 ')),
          "the seed's signed headers",
        ).to.equal(true);
      }
      expect(
        log.filter((e) => e.target === 'store').some((e) => e.authorization?.includes(PHASED_FULL_TOKEN)),
        'the bearer token never reaches the store',
      ).to.equal(false);
      expect(
        log
          .filter((e) => e.target === 'api' && e.method !== 'OPTIONS' && e.path.includes('/api/'))
          .every((e) => e.authorization === `Bearer ${PHASED_FULL_TOKEN}`),
        "the API's token on every API request",
      ).to.equal(true);
      expect(
        log.filter((e) => e.method === 'PATCH').map((e) => e.status),
        'one finish per upload',
      ).to.deep.equal(uploads.map(() => 200));
    },
    resumes: true,
    cancel: {
      status: 204,
      forgotten: async (deleted, log) => {
        if (mode === 's3') {
          const aborts = log.filter((e) => e.target === 'store' && e.method === 'DELETE' && e.path.includes('uploadId='));
          expect(
            aborts.map((e) => e.status),
            'the server aborted the multipart upload in S3',
          ).to.deep.equal([204]);
        }
        const answer = await fetch(`${(await refServer()).proxy}${deleted.path}`, { headers: { Authorization: `Bearer ${PHASED_FULL_TOKEN}` } });
        expect(answer.status, 'the server no longer knows the upload').to.equal(404);
      },
    },
  };
  describeProtocol(profile);

  describe(`signed-parts (${mode === 's3' ? 'real S3: Ceph RADOS Gateway' : 'embedded store'})`, () => {
    if (mode === 's3') {
      it("S3_PART_SIGNATURE=header: parts go with the seed's Authorization and x-amz-date (SigV2), and S3 takes them", async () => {
        await configureServer({ S3_PART_SIGNATURE: 'header' });
        try {
          const element = await uploader({ 'no-resume': true });
          const file = makeFile(SIZE, 'header-signed.bin', 112);
          const success = nextEvent(element, 'upload-success', () => true, 60_000);
          await dropFiles(element, [file]);
          const { detail } = await success;
          expect(await objectDigest(detail.asset)).to.equal(await sha256(file));
          const puts = storePuts(await requestLog());
          expect(puts).to.have.length(4);
          expect(
            puts.every(
              (e) =>
                e.status === 200 &&
                /^AWS [^:\s]+:[A-Za-z0-9+/]+=*$/.test(e.authorization ?? '') &&
                !e.path.includes('X-Amz-Signature=') &&
                e.contentMd5 !== null,
            ),
            'signed headers, no signature in the URL',
          ).to.equal(true);
        } finally {
          await configureServer();
        }
      });
    }

    it('re-sends a part the store refused as a bad digest, and asks again for a refused signature', async () => {
      const element = await uploader({ 'no-resume': true });
      const file = makeFile(SIZE, 'faults.bin', 112);
      const expired = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
      await setFaults([
        // Corrupted on its way: the store itself computes the MD5 and refuses it.
        { target: 'store', method: 'PUT', path: partPath, nth: 1, action: { type: 'corrupt' } },
        {
          target: 'store',
          method: 'PUT',
          path: partPath,
          nth: 3,
          action: { type: 'status', status: 403, body: expired, headers: { 'Content-Type': 'application/xml' } },
        },
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
      expect(await objectDigest(detail.asset)).to.equal(await sha256(file));
      const log = await requestLog();
      const refused = storePuts(log).filter((e) => e.status === 400);
      expect(refused, 'the store refused the corrupted part').to.have.length(1);
      expect(refused[0]!.fault).to.equal('corrupt');
      expect(
        storePuts(log).filter((e) => e.status === 403),
        'and the expired signature',
      ).to.have.length(1);
      expect(
        storePuts(log).filter((e) => e.status === 200),
        'every part stored once',
      ).to.have.length(4);
      const signatures = log.filter((e) => e.method === 'GET' && e.path.includes('/parts?'));
      expect(signatures.length, 'fresh signatures for the refused parts').to.equal(6);
    });

    if (mode === 's3') {
      it('renews a part URL that really expired before the store saw it', async () => {
        // Signatures live 2 s; the second part's PUT is held 3 s on its way, so S3 refuses it.
        await configureServer({ SIGNED_PARTS_TTL: '2' });
        // S3 (RGW as AWS) answers the expired URL's 403 without CORS headers: the browser
        // reports a CORS refusal, which the element reads as a failed part and renews.
        allowConsoleNoise(/CORS/, /Cross-Origin Request Blocked/);
        try {
          const element = await uploader({ 'no-resume': true, 'parallel-parts': '1' });
          const file = makeFile(SIZE, 'expired.bin', 114);
          await setFaults([{ target: 'store', method: 'PUT', path: partPath, nth: 2, action: { type: 'delay', ms: 3000 } }]);
          const retries = recordEvents(element, ['upload-retry']);
          const success = nextEvent(element, 'upload-success', () => true, 60_000);
          await dropFiles(element, [file]);
          const { detail } = await success;
          retries.stop();
          expect(retries.events.map((e) => e.detail.error.code)).to.include('url_expired');
          expect(await objectDigest(detail.asset)).to.equal(await sha256(file));
          const refused = storePuts(await requestLog()).filter((e) => e.status === 403);
          expect(refused.length, 'S3 itself refused the expired URL').to.be.at.least(1);
          expect(refused[0]!.fault).to.equal('delay');
        } finally {
          await configureServer();
        }
      });
    }
  });
}
