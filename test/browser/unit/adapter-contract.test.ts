/**
 * One contract for every protocol adapter (issue 12). Each adapter is driven as the
 * engine drives it (test/support/drive-adapter.ts) against an in-memory fake of its API
 * (test/support/fake-servers/, answering as demo/server does): create, parts, a part
 * failing mid-way and the re-sync after it, resume from saved state, complete, abort,
 * and bad answers to every kind of request. What is particular to one adapter (its wire
 * format, its table of statuses) stays in its own `*-adapter.test.ts`.
 */
import { expect } from '@esm-bundle/chai';
import { planParts } from '../../../src/engine/part-plan.js';
import type { Asset, Protocol, ProtocolContext, ProtocolUpload, ServerProgress } from '../../../src/engine/protocol.js';
import { ScopedHttpStack } from '../../../src/engine/scoped-http.js';
import { UploadError, UploadErrorCode } from '../../../src/engine/upload-error.js';
import { contentRange } from '../../../src/protocols/content-range.js';
import { phased } from '../../../src/protocols/phased.js';
import { registry } from '../../../src/protocols/registry.js';
import { session } from '../../../src/protocols/session.js';
import { signedParts } from '../../../src/protocols/signed-parts.js';
import { tus } from '../../../src/protocols/tus.js';
import { badAnswers, type BadAnswer } from '../../support/bad-answers.js';
import { makeFile } from '../../support/data.js';
import { AdapterDriver, sameBytes, type DriveOptions, type PartInfo } from '../../support/drive-adapter.js';
import { FakeClock } from '../../support/fake-clock.js';
import { md5Base64 } from '../../support/fake-servers/core.js';
import {
  FakeContentRange,
  FakePhased,
  FakeRegistry,
  FakeSession,
  FakeSignedParts,
  FakeTus,
  type FakeServer,
  type Held,
} from '../../support/fake-servers/index.js';

const MiB = 1024 * 1024;
/** Where a cut-off part breaks. */
const CUT = 300;
/** The file of the sweeps: several ordered parts, one numbered part. */
const SMALL = 2600;

interface Subject {
  readonly protocol: Protocol;
  readonly fake: () => FakeServer;
  /** The file's media type (phased sends only video in phases). */
  readonly type: string;
  /** The page's part size, and a file size that makes `parts` parts of it. */
  readonly partSize: number;
  readonly size: number;
  readonly parts: number;
  /** The upload outlives the page (`saveState`). */
  readonly resumes: boolean;
  /** Parts append at the server's offset, so a part sent again is refused. */
  readonly appends: boolean;
}

const subjects: readonly Subject[] = [
  { protocol: contentRange, fake: () => new FakeContentRange(), type: 'video/quicktime', partSize: 1000, size: 2600, parts: 3, resumes: true, appends: true },
  { protocol: tus, fake: () => new FakeTus(), type: 'video/quicktime', partSize: 1000, size: 2600, parts: 3, resumes: true, appends: true },
  // The server names each window (1000 bytes here); the part size plays no part.
  { protocol: phased, fake: () => new FakePhased(1000), type: 'video/mp4', partSize: 400, size: 2600, parts: 3, resumes: true, appends: true },
  // One whole-file PUT to a signed URL; no resume across page loads: a session belongs to one page's batch.
  { protocol: session, fake: () => new FakeSession(), type: 'video/mp4', partSize: 1000, size: 2600, parts: 1, resumes: false, appends: false },
  // Numbered S3 parts: at least 5 MiB, but the last.
  {
    protocol: signedParts,
    fake: () => new FakeSignedParts(),
    type: 'video/mp4',
    partSize: 5 * MiB,
    size: 10 * MiB + 1000,
    parts: 3,
    resumes: true,
    appends: false,
  },
  { protocol: registry, fake: () => new FakeRegistry(), type: 'video/mp4', partSize: 5 * MiB, size: 10 * MiB + 1000, parts: 3, resumes: true, appends: false },
];

interface Setup {
  readonly fake: FakeServer;
  readonly upload: ProtocolUpload;
  readonly file: File;
  readonly bytes: Uint8Array;
}

/** The context the engine gives an adapter: credentials scoped to the endpoint's origin, the engine's clock. */
function contextFor(fake: FakeServer): ProtocolContext {
  return {
    endpoint: fake.endpoint,
    http: new ScopedHttpStack(fake, fake.endpoint, { Authorization: 'Bearer contract-token' }, false),
    allowedOrigins: [],
    ...(fake.storageEndpoint ? { storageEndpoint: fake.storageEndpoint } : {}),
    fields: { user_id: 'usr_ada' },
    clock: new FakeClock(),
  };
}

function create(s: Subject, fake: FakeServer, file: File): ProtocolUpload {
  return s.protocol.create(contextFor(fake), { name: file.name, size: file.size, type: file.type, relativePath: '' });
}

async function setup(s: Subject, size = s.size): Promise<Setup> {
  const fake = s.fake();
  const file = makeFile(size, 'clip.mp4', size + 7, s.type);
  return { fake, file, upload: create(s, fake, file), bytes: new Uint8Array(await file.arrayBuffer()) };
}

function driver(s: Subject, t: Setup, options: Partial<DriveOptions> = {}, upload = t.upload): AdapterDriver {
  return new AdapterDriver(s.protocol, upload, t.file, { partSize: s.partSize, requests: () => t.fake.log.length, ...options });
}

/** What a progress report says the server holds, in the fake's terms. */
function reported(progress: ServerProgress): Held {
  return { bytes: progress.offset, ...(progress.parts ? { parts: [...progress.parts].sort((a, b) => a - b) } : {}) };
}

function expectStored(t: Setup, asset: Asset | undefined): void {
  expect(asset, 'an asset').to.be.an('object');
  expect(sameBytes(t.fake.fileOf(asset!), t.bytes), 'the server holds the file byte for byte').to.equal(true);
  expect(
    t.fake.log.filter((entry) => entry.kind === 'unknown').map((entry) => `${entry.method} ${entry.url}`),
    'requests the API does not know',
  ).to.deep.equal([]);
}

async function failure(promise: Promise<unknown>): Promise<UploadError> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(UploadError);
    return error as UploadError;
  }
  throw new Error('expected a rejection');
}

function bounded<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms (a hang)`)), ms))]);
}

const checksumModes = (s: Subject): boolean[] => (s.protocol.capabilities.partChecksum === 'none' ? [false] : [false, true]);

for (const s of subjects) {
  const { name, capabilities } = s.protocol;
  const deletes = s.fake().deletes;
  /** The part that fails in the failure cases: the second, where there are several. */
  const failAt = s.parts > 1 ? 1 : 0;

  describe(`adapter contract: ${name}`, () => {
    for (const checksum of checksumModes(s)) {
      const mode = checksum ? 'with part MD5s' : 'without checksums';

      it(`uploads a file of ${s.parts} part(s), byte-identical (${mode})`, async () => {
        const t = await setup(s);
        const asset = await driver(s, t, { checksum }).run();
        expectStored(t, asset);
        expect(t.fake.count('data'), 'requests carrying bytes').to.equal(s.parts);
        expect(t.fake.openUploads(), 'uploads left open').to.equal(0);
      });

      it(`a part cut off mid-way rejects; sync then reports exactly what the server kept, and the upload ends byte-identical (${mode})`, async () => {
        const t = await setup(s);
        let cut: PartInfo | undefined;
        const syncs: Array<[Held, Held]> = [];
        const drive = driver(s, t, {
          checksum,
          retries: 1,
          beforePart: (part) => {
            if (part.index !== failAt) return;
            cut = part;
            t.fake.cutNext(CUT);
          },
          afterSync: (progress) => syncs.push([reported(progress), t.fake.held()]),
        });
        const asset = await drive.run();
        expect(drive.failures.map((f) => [f.call, f.error.code])).to.deep.equal([['send', UploadErrorCode.Network]]);
        expect(syncs, 'one sync after the failure').to.have.length(1);
        const [said, held] = syncs[0]!;
        expect(said, 'sync reports what the server holds').to.deep.equal(held);
        const keeps = capabilities.keepsCutOffParts === true && !checksum;
        expect(held.bytes, keeps ? 'the server keeps what arrived (keepsCutOffParts)' : 'the server keeps nothing of a cut-off part').to.equal(
          cut!.start + (keeps ? CUT : 0),
        );
        expectStored(t, asset);
      });
    }

    if (capabilities.partChecksum !== 'none') {
      it('a part the server refuses for its checksum rejects (checksum_mismatch), none of it is kept, and sent again it is taken', async () => {
        const t = await setup(s);
        let refused: PartInfo | undefined;
        const syncs: Array<[Held, Held]> = [];
        const drive = driver(s, t, {
          checksum: true,
          retries: 1,
          md5Of: (part, md5) => {
            if (part.index !== failAt) return md5;
            refused = part;
            return md5Base64(new Uint8Array([1, 2, 3]));
          },
          afterSync: (progress) => syncs.push([reported(progress), t.fake.held()]),
        });
        const asset = await drive.run();
        expect(drive.failures.map((f) => [f.call, f.error.code])).to.deep.equal([['send', UploadErrorCode.ChecksumMismatch]]);
        const [said, held] = syncs[0]!;
        expect(said).to.deep.equal(held);
        expect(held.bytes).to.equal(refused!.start);
        expectStored(t, asset);
      });
    }

    it('a 5xx or a network failure on any request of the upload rejects that call (never taken as done), and the upload goes on byte-identical', async () => {
      const fake = s.fake();
      for (const kind of fake.kinds) {
        for (const answer of [{ status: 503, body: '' }, 'network' as const]) {
          const t = await setup(s, SMALL);
          const what = `${kind} answered ${typeof answer === 'string' ? answer : answer.status}`;
          // The second part, where there are several: the server then holds something to report.
          t.fake.answerNext(kind, answer, kind === 'data' && s.protocol.capabilities.ordered && s.parts > 1 ? 1 : 0);
          const drive = driver(s, t, {
            retries: 2,
            syncAfterFirst: true,
            afterSync: (progress) => expect(reported(progress), `${what}: sync`).to.deep.equal(t.fake.held()),
          });
          const asset = await drive.run();
          if (!t.fake.optionalKinds.includes(kind)) {
            const first = drive.failures[0];
            expect(first?.error.code, what).to.equal(typeof answer === 'string' ? UploadErrorCode.Network : UploadErrorCode.ServerError);
            expect(first?.requests, `${what}: the call that got it rejects`).to.equal(t.fake.changedAt + 1);
          }
          expectStored(t, asset);
        }
      }
    });

    it('uploads a 0-byte file', async () => {
      const t = await setup(s, 0);
      expectStored(t, await driver(s, t).run());
    });

    if (s.appends) {
      it('a part sent again at an offset the server has passed is refused (offset_mismatch); sync tells the offset', async () => {
        const t = await setup(s);
        let first: PartInfo | undefined;
        await driver(s, t, {
          beforePart: (part) => {
            if (part.index !== 0) return false;
            first = part;
            return undefined;
          },
        }).run();
        const signal = new AbortController().signal;
        const again = { start: first!.start, end: first!.end, body: t.file.slice(first!.start, first!.end), signal, onProgress: () => undefined };
        expect((await failure(bounded(t.upload.send(again)))).code).to.equal(UploadErrorCode.OffsetMismatch);
        expect(reported(await bounded(t.upload.sync(signal)))).to.deep.equal(t.fake.held());
      });
    }

    if (!capabilities.ordered) {
      it('numbered parts go in any order and at the same time; complete assembles them in order', async () => {
        const t = await setup(s);
        const signal = new AbortController().signal;
        await bounded(t.upload.open(signal));
        const plan = planParts(t.file.size, s.partSize, capabilities);
        const numbers = Array.from({ length: plan.count }, (_, i) => plan.count - i);
        await bounded(
          Promise.all(
            numbers.map((number) => {
              const { start, end } = plan.range(number);
              return t.upload.send({ number, start, end, body: t.file.slice(start, end), signal, onProgress: () => undefined });
            }),
          ),
        );
        expect(reported(await bounded(t.upload.sync(signal)))).to.deep.equal({ bytes: t.file.size, parts: [1, 2, 3] });
        expectStored(t, await bounded(t.upload.complete!(signal)));
      });
    }

    if (s.resumes) {
      it('saves nothing before open; before every part, saveState() is plain JSON without tokens or signatures', async () => {
        const t = await setup(s);
        expect(t.upload.saveState()).to.equal(undefined);
        const states: unknown[] = [];
        expectStored(t, await driver(s, t, { beforePart: () => void states.push(t.upload.saveState()) }).run());
        expect(states).to.have.length(s.parts);
        for (const state of states) {
          expect(state).to.be.an('object');
          expect(JSON.parse(JSON.stringify(state)), 'plain JSON').to.deep.equal(state);
          for (const secret of t.fake.secrets) expect(JSON.stringify(state)).not.to.include(secret);
        }
      });

      it('after a part cut off mid-way and a reload, a fresh adapter re-attaches with open(signal, saved) and finishes byte-identical, with no second create', async () => {
        const t = await setup(s);
        let saved: unknown;
        const crashed = driver(s, t, {
          beforePart: (part) => {
            saved = JSON.parse(JSON.stringify(t.upload.saveState()));
            if (part.index === failAt) t.fake.cutNext(CUT);
          },
        });
        expect((await failure(crashed.run())).code).to.equal(UploadErrorCode.Network);
        const opened: Array<[Held, Held]> = [];
        const again = create(s, t.fake, t.file);
        const asset = await driver(s, t, { saved: saved as never, afterOpen: (progress) => opened.push([reported(progress), t.fake.held()]) }, again).run();
        expect(opened[0]![0], 'open reports what the server holds').to.deep.equal(opened[0]![1]);
        expect(t.fake.count('create'), 'creates').to.equal(1);
        expectStored(t, asset);
      });

      if (deletes) {
        it('a saved upload the server no longer knows: open(signal, saved) rejects with session_expired', async () => {
          const t = await setup(s);
          await driver(s, t, { beforePart: (part) => part.index === 0 }).run();
          const saved = t.upload.saveState()!;
          await bounded(t.upload.abort());
          const again = create(s, t.fake, t.file);
          expect((await failure(bounded(again.open(new AbortController().signal, saved)))).code).to.equal(UploadErrorCode.SessionExpired);
        });
      }
    } else {
      it('keeps no state across page loads: saveState() stays undefined', async () => {
        const t = await setup(s);
        const states = [t.upload.saveState()];
        expectStored(t, await driver(s, t, { beforePart: () => void states.push(t.upload.saveState()) }).run());
        states.push(t.upload.saveState());
        expect(states).to.deep.equal(states.map(() => undefined));
      });
    }

    it('abort() before anything was created sends nothing and resolves', async () => {
      const t = await setup(s);
      await bounded(t.upload.abort());
      expect(t.fake.log).to.deep.equal([]);
    });

    it(
      deletes
        ? 'dispose("cancel") and abort() after a part leave the server holding no upload'
        : 'dispose("cancel") and abort() after a part resolve without a request (the API deletes nothing)',
      async () => {
        const t = await setup(s);
        await driver(s, t, { beforePart: (part) => part.index === 0 }).run();
        const before = t.fake.log.length;
        t.upload.dispose?.('cancel');
        await bounded(t.upload.abort());
        if (deletes) {
          expect(t.fake.log.slice(before).map((entry) => entry.kind)).to.deep.equal(['abort']);
          expect(t.fake.openUploads(), 'uploads left').to.equal(0);
        } else {
          expect(t.fake.log.length).to.equal(before);
        }
      },
    );

    if (deletes) {
      it('abort() is best effort: a failing server or network does not make it reject', async () => {
        for (const answer of [{ status: 500, body: 'oops' }, 'network' as const]) {
          const t = await setup(s);
          await driver(s, t, { beforePart: (part) => part.index === 0 }).run();
          t.fake.answerNext('abort', answer);
          await bounded(t.upload.abort());
          expect(t.fake.changedAt).to.be.at.least(0);
        }
      });
    }

    describe('bad answers: an UploadError with a clear message from the call that got it, never a crash or a hang; anything accepted still ends byte-identical', () => {
      for (const kind of s.fake().kinds) {
        it(`to ${kind}`, async () => {
          const clean = await setup(s, SMALL);
          await driver(s, clean, { syncAfterFirst: true }).run();
          const answers = clean.fake.log.filter((entry) => entry.kind === kind).map((entry) => entry.answer!);
          expect(answers.length, `an upload makes ${kind} requests`).to.be.above(0);
          const problems: string[] = [];
          const unmade = new Set(clean.fake.required[kind] ?? []);
          for (const [occurrence, real] of answers.entries()) {
            const made = badAnswers(real);
            for (const bad of made) problems.push(...(await tryBadAnswer(s, kind, occurrence, bad)));
            for (const bad of made) unmade.delete(bad.label);
            for (const label of clean.fake.required[`${kind} #${occurrence + 1}`] ?? []) if (!made.some((bad) => bad.label === label)) unmade.add(label);
          }
          expect(problems, problems.join('\n')).to.deep.equal([]);
          expect([...unmade], 'required bad answers that no answer gives rise to').to.deep.equal([]);
        });
      }
    });
  });
}

/** One upload whose `occurrence`-th request of `kind` gets `bad`; what went wrong, if anything. */
async function tryBadAnswer(s: Subject, kind: string, occurrence: number, bad: BadAnswer): Promise<string[]> {
  const label = `${kind} #${occurrence + 1}, ${bad.label}`;
  const t = await setup(s, SMALL);
  t.fake.answerNext(kind, bad.change, occurrence);
  const drive = driver(s, t, { retries: 3, syncAfterFirst: true });
  let asset: Asset | undefined;
  try {
    asset = await drive.run();
  } catch (error) {
    if (!(error instanceof UploadError)) return [`${label}: ${String(error)} escaped`];
  }
  const problems: string[] = [];
  if (t.fake.changedAt < 0) problems.push(`${label}: never asked for`);
  for (const { error } of drive.failures) {
    if (!Object.values(UploadErrorCode).includes(error.code) || error.message.length < 12 || /\[object |undefined|NaN/.test(error.message))
      problems.push(`${label}: unclear "${error.message}"`);
  }
  if (asset !== undefined && !sameBytes(t.fake.fileOf(asset), t.bytes)) problems.push(`${label}: accepted, and the asset is not the file`);
  const needed = [...(t.fake.required[kind] ?? []), ...(t.fake.required[`${kind} #${occurrence + 1}`] ?? [])];
  const required =
    !t.fake.optionalKinds.includes(kind) &&
    (bad.group === 'status' || (bad.group === 'body' ? !t.fake.ignoredBodies.includes(kind) : needed.includes(bad.label)));
  const first = drive.failures[0];
  if (required && first?.requests !== t.fake.changedAt + 1) problems.push(`${label}: accepted; it must be refused by the call that got it`);
  return problems;
}
