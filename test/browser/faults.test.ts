/**
 * Every protocol through the fault proxy, with seeded random faults: a reset mid-body, a
 * 503, a 429 with Retry-After, an answer lost after the server acted, a half-open
 * connection (half a body, then silence), and the server SIGKILLed mid-request and
 * started again. Files of 0 B, 1 B, a part - 1, a part, a part + 1 and several parts.
 *
 * For every case: the upload completes, the row says so, the server's bytes are the
 * file's (SHA-256), and no more parts went than the file's parts plus one per fault that
 * fired (ordered protocols), or plus `parallel-parts` per fault (independent parts:
 * every lane in flight may be cut by one fault).
 *
 * The CI run covers each protocol with each fault once, and with every size (a Latin
 * square); the request hit is picked by the case's seed. Each test's title starts with its seed;
 * `FAULT_SEED=<seed> npm run test:chromium -- --files test/browser/faults.test.ts` runs
 * that case alone, and `FAULT_SOAK=<n>` runs n more random cases (a soak).
 */
import { expect } from '@esm-bundle/chai';
import { executeServerCommand } from '@web/test-runner-commands';
import type { UploadSuccessDetail } from '../../src/engine/types.js';
import {
  clearLog,
  contentRangeEndpoint,
  PHASED_FULL_TOKEN,
  phasedEndpoint,
  requestLog,
  sessionEndpoint,
  setFaults,
  signedPartsEndpoint,
  stored,
  tusEndpoint,
  type FaultAction,
  type LogEntry,
} from '../support/ref-server.js';
import { makeFile, sha256 } from '../support/data.js';
import { dropFiles, mount, nextEvent, rendered, row, unmountAll } from '../support/harness.js';

const KiB = 1024;
const MiB = 1024 * KiB;

interface Target {
  readonly name: string;
  /** Part size the case's sizes are built around (the server's window for phased). */
  readonly part: number;
  readonly ordered: boolean;
  readonly type?: string;
  attributes(): Promise<Record<string, string>>;
  /** Path of the requests a fault may hit (everything of this API, the object store included). */
  readonly path: string;
  /** Requests that carried a part's bytes (or a 0-byte file's only send). */
  isPart(entry: LogEntry): boolean;
  /** SHA-256 of what the server holds for the finished upload. */
  digest(detail: UploadSuccessDetail): Promise<string>;
}

const PART = 64 * KiB;
const LANES = 3;

const targets: Target[] = [
  {
    name: 'content-range',
    part: PART,
    ordered: true,
    attributes: async () => ({ endpoint: await contentRangeEndpoint(), 'chunk-size': '64KiB' }),
    path: '/content-range/',
    isPart: (e) => e.method === 'PUT' && !(e.contentRange ?? '').includes('*'),
    digest: async (d) => (await stored(d.asset.id)).sha256,
  },
  ...(['tus', 'tus-md5'] as const).map(
    (store): Target => ({
      name: store,
      part: PART,
      ordered: true,
      attributes: async () => ({ endpoint: await tusEndpoint(store), protocol: 'tus', 'chunk-size': '64KiB' }),
      path: `/${store}/files`,
      isPart: (e) => e.method === 'PATCH',
      digest: async (d) => (await stored(d.asset.id, store)).sha256,
    }),
  ),
  {
    name: 'phased',
    part: PART, // PHASED_CHUNK_SIZE of the test server
    ordered: true,
    type: 'video/mp4',
    attributes: async () => ({ endpoint: await phasedEndpoint(), protocol: 'phased', 'chunk-size': '64KiB' }),
    path: '/phased/',
    isPart: (e) => e.method === 'POST' && e.path.includes('/multipart') && (e.contentType ?? '').startsWith('multipart/form-data'),
    digest: async (d) => (await stored(d.asset.id, 'phased')).sha256,
  },
  {
    name: 'session',
    part: Number.MAX_SAFE_INTEGER, // one whole-file PUT
    ordered: true,
    attributes: async () => ({ endpoint: await sessionEndpoint(), protocol: 'session' }),
    path: '/session/',
    isPart: (e) => e.method === 'PUT' && e.path.includes('/blobs/'),
    digest: async (d) => (await stored(d.asset.produced![0]!.id, 'session-assets')).sha256,
  },
  {
    name: 'signed-parts',
    part: 5 * MiB,
    ordered: false,
    attributes: async () => ({ endpoint: await signedPartsEndpoint(), protocol: 'signed-parts', 'chunk-size': '5MiB', 'parallel-parts': String(LANES) }),
    path: '/signed-parts/',
    isPart: (e) => e.method === 'PUT' && e.path.startsWith('/signed-parts/store/'),
    digest: async (d) => sha256(await (await fetch(d.asset.url!)).blob()),
  },
];

const faults: Record<string, FaultAction> = {
  reset: { type: 'reset' },
  '503': { type: 'status', status: 503 },
  '429': { type: 'status', status: 429, headers: { 'Retry-After': '1' } },
  'lose-answer': { type: 'lose-answer' },
  'half-open': { type: 'hang' },
  kill: { type: 'kill' },
};

/** mulberry32: a small seeded PRNG, so that a seed names one case exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly seed: number;
  readonly target: Target;
  readonly fault: string;
  readonly size: number;
  /** Which request of the upload (1-based, among those the fault's path matches) is hit. */
  readonly nth: number;
}

/** The whole case from its seed: protocol and fault from `pick` (or the seed), size and request from the seed. */
function caseOf(seed: number, pick?: { target: Target; fault: string; size: number }): Case {
  const next = random(seed);
  const target = pick?.target ?? targets[Math.floor(next() * targets.length)]!;
  const fault = pick?.fault ?? Object.keys(faults)[Math.floor(next() * Object.keys(faults).length)]!;
  const part = Math.min(target.part, 5 * MiB);
  const sizes =
    target.part === Number.MAX_SAFE_INTEGER ? [0, 1, 64 * KiB - 1, 64 * KiB, 200 * KiB] : [0, 1, part - 1, part, part + 1, (target.ordered ? 3 : 2) * part + 5];
  const drawn = Math.floor(next() * sizes.length);
  const size = sizes[(pick?.size ?? drawn) % sizes.length]!;
  const parts = Math.max(1, Math.ceil(size / part));
  // A create, the parts, a finish: hit one of them.
  const nth = 1 + Math.floor(next() * (parts + 2));
  return { seed, target, fault, size, nth };
}

/** Seeds of this run: FAULT_SEED alone, else one case per protocol and fault, plus FAULT_SOAK random ones. */
async function plannedCases(): Promise<Case[]> {
  const env = await executeServerCommand<{ FAULT_SEED: string; FAULT_SOAK: string }, undefined>('ref-env');
  if (/^\d+$/.test(env.FAULT_SEED)) {
    const seed = Number(env.FAULT_SEED);
    const [target, fault] = [Math.floor(seed / 1000) % 100, Math.floor(seed / 100_000)];
    // Seeds of the covering run carry their protocol and fault in their digits; others are random.
    if (seed >= 1_000_000_000 || !targets[target] || !Object.keys(faults)[fault]) return [caseOf(seed)];
    return [caseOf(seed, { target: targets[target]!, fault: Object.keys(faults)[fault]!, size: target + fault })];
  }
  const base = 20261201;
  // A Latin square: every protocol meets every fault once and every size at least once,
  // and every fault meets every size.
  const covering = targets.flatMap((target, t) =>
    Object.keys(faults).map((fault, f) => caseOf(f * 100_000 + t * 1000 + (base % 997), { target, fault, size: t + f })),
  );
  const soak = Number(env.FAULT_SOAK) || 0;
  const random = Array.from({ length: soak }, (_, i) => caseOf(1_000_000_000 + ((base * 7919 + i * 104_729) % 1_000_000_000)));
  return [...covering, ...random];
}

const cases = await plannedCases();

afterEach(async () => {
  unmountAll();
  await setFaults([]);
  await clearLog();
});

let firedCount = 0;

describe('fault suite: every protocol, seeded faults', () => {
  after(() => {
    // A suite whose faults never fire proves nothing.
    if (cases.length >= 10) expect(firedCount, 'faults that fired').to.be.at.least(Math.ceil(cases.length / 2));
  });

  for (const c of cases) {
    it(`seed ${c.seed}: ${c.target.name}, ${c.size} B, ${c.fault} on request ${c.nth}`, async function () {
      this.timeout(60_000);
      const element = await mount({ ...(await c.target.attributes()), 'no-resume': true, 'retry-delays': '0 100 200 400 800 1600', 'stall-timeout': '3000' });
      const retries: string[] = [];
      element.addEventListener('upload-retry', (e) => retries.push(e.detail.error.code));
      element.token = PHASED_FULL_TOKEN;
      const file = makeFile(c.size, `fault-${c.seed}.bin`, c.seed % 65_521, c.target.type ?? 'application/octet-stream');
      await setFaults([{ path: c.target.path, nth: c.nth, action: faults[c.fault]! }]);
      const success = nextEvent(element, 'upload-success', () => true, 50_000);
      const failure = nextEvent(element, 'upload-error', () => true, 50_000).then(async (e) => {
        // What went over the wire, for whoever re-runs the seed.
        const trace = (await requestLog()).map((r) => `${r.method} ${r.path.slice(0, 80)} ${r.bodyBytes}B -> ${r.status}${r.fault ? ` (${r.fault})` : ''}`);
        throw new Error(`upload-error (${e.detail.error.code}): ${e.detail.error.message}; retries: ${retries.join(', ')}\n${trace.join('\n')}`);
      });
      failure.catch(() => undefined);
      await dropFiles(element, [file]);
      const { detail } = await Promise.race([success, failure]);
      expect(await c.target.digest(detail), 'the server holds the file, byte for byte').to.equal(await sha256(file));
      await rendered(element);
      expect(row(element, detail.id).getAttribute('part')).to.equal('file file-success');
      const log = await requestLog();
      const fired = log.filter((e) => e.fault !== null).length;
      const matching = log.filter((e) => e.method !== 'OPTIONS' && e.path.includes(c.target.path)).length;
      // The upload made fewer requests than the one the seed hit: then nothing could fire.
      expect(fired, `${matching} requests, the fault aimed at number ${c.nth}`).to.equal(matching >= c.nth ? 1 : 0);
      firedCount += fired;
      const parts = Math.max(1, Math.ceil(c.size / Math.min(c.target.part, Number.MAX_SAFE_INTEGER)));
      const sent = log.filter(c.target.isPart).length;
      const bound = parts + fired * (c.target.ordered ? 1 : LANES);
      expect(sent, `${sent} part requests for ${parts} part(s) and ${fired} fault(s)`).to.be.at.most(bound);
    });
  }
});
