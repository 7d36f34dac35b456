/** Numbered independent parts: the plan's sizes, and the scheduler's lanes, retries and resume. */
import { expect } from '@esm-bundle/chai';
import { planParts } from '../../../src/engine/part-plan.js';
import { sendIndependentParts, type IndependentPartsDeps } from '../../../src/engine/independent-parts.js';
import { UploadError } from '../../../src/engine/upload-error.js';

const MiB = 1024 * 1024;
const S3 = { minPartSize: 5 * MiB, maxPartSize: 5 * 1024 * MiB, maxParts: 10_000 };

describe('part plan', () => {
  it('keeps S3 limits: at least 5 MiB, at most 10,000 parts, sizes past 4 GiB exact', () => {
    expect(planParts(12 * MiB, 1 * MiB, S3).partSize).to.equal(5 * MiB);
    const huge = planParts(5 * 1024 ** 4, 8 * MiB, S3); // 5 TiB
    expect(huge.count).to.be.at.most(10_000);
    expect(huge.partSize).to.equal(Math.ceil((5 * 1024 ** 4) / 10_000));
    const big = planParts(6 * 1024 ** 3 + 7, 8 * MiB, S3); // 6 GiB + 7
    expect(big.count).to.equal(769);
    expect(big.range(769)).to.deep.equal({ start: 768 * 8 * MiB, end: 6 * 1024 ** 3 + 7 });
    expect(planParts(0, 8 * MiB, S3).count).to.equal(1);
    expect(() => planParts(60 * 1024 ** 4, 8 * MiB, S3)).to.throw(/too large/);
  });
});

function deps(overrides: Partial<IndependentPartsDeps> & { sent: number[] }): IndependentPartsDeps {
  const plan = planParts(10 * 100, 100);
  return {
    plan,
    lanes: 3,
    signal: new AbortController().signal,
    confirmed: new Set(),
    prepare: async (_n, start, end) => ({ body: new Blob([new Uint8Array(end - start)]) }),
    send: async (number) => {
      overrides.sent.push(number);
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
    recover: async () => new Set(),
    progress: () => undefined,
    ...overrides,
  };
}

describe('independent parts scheduler', () => {
  it('sends every part once, at most `lanes` at a time', async () => {
    const sent: number[] = [];
    let running = 0;
    let most = 0;
    await sendIndependentParts(
      deps({
        sent,
        send: async (number) => {
          running++;
          most = Math.max(most, running);
          sent.push(number);
          await new Promise((resolve) => setTimeout(resolve, 2));
          running--;
        },
      }),
    );
    expect([...sent].sort((a, b) => a - b)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(most).to.equal(3);
  });

  it('skips the parts the server already holds (resume)', async () => {
    const sent: number[] = [];
    const seen: number[] = [];
    await sendIndependentParts(deps({ sent, confirmed: new Set([1, 2, 3, 7]), progress: (done) => seen.push(done) }));
    expect([...sent].sort((a, b) => a - b)).to.deep.equal([4, 5, 6, 8, 9, 10]);
    expect(seen.at(-1)).to.equal(1000);
  });

  it('recovers once for all lanes from a failure, then trusts the server list', async () => {
    const sent: number[] = [];
    let recoveries = 0;
    let failedOnce = false;
    await sendIndependentParts(
      deps({
        sent,
        send: async (number) => {
          sent.push(number);
          if (number === 4 && !failedOnce) {
            failedOnce = true;
            throw new UploadError('network', 'cut');
          }
        },
        recover: async () => {
          recoveries++;
          return new Set([1, 2, 3]); // the server confirms what arrived
        },
      }),
    );
    expect(recoveries).to.equal(1);
    expect(sent.filter((n) => n === 4)).to.have.length(2);
    expect(new Set(sent).size).to.equal(10);
  });

  it('never re-sends a part the store acknowledged while a recovery read an older list', async () => {
    const sent: number[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    await sendIndependentParts(
      deps({
        sent,
        lanes: 2,
        send: async (number) => {
          sent.push(number);
          if (number === 1 && sent.filter((n) => n === 1).length === 1) throw new UploadError('checksum_mismatch', 'bad digest');
          // Part 2 lands after the recovery has read the store's list, before it is trusted.
          if (number === 2) await slow;
        },
        recover: async () => {
          const stale = new Set<number>(); // read while part 2 is still on its way
          release();
          await new Promise((resolve) => setTimeout(resolve, 5));
          return stale;
        },
      }),
    );
    expect(
      sent.filter((n) => n === 2),
      'part 2 was acknowledged once, and sent once',
    ).to.have.length(1);
    expect(sent.filter((n) => n === 1)).to.have.length(2);
    expect(new Set(sent).size).to.equal(10);
  });

  it('stops every lane when the policy gives up, with that error', async () => {
    const sent: number[] = [];
    const outcome = await sendIndependentParts(
      deps({
        sent,
        send: async (number) => {
          sent.push(number);
          if (number === 2) throw new UploadError('client_error', 'refused');
        },
        recover: async (error) => {
          throw error;
        },
      }),
    ).catch((error: UploadError) => error);
    expect((outcome as UploadError).code).to.equal('client_error');
    expect(sent.length).to.be.below(10);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const sent: number[] = [];
    const running = sendIndependentParts(
      deps({
        sent,
        signal: controller.signal,
        send: async (number, _s, _e, _p, signal) => {
          sent.push(number);
          await new Promise((resolve, reject) => {
            const timer = setTimeout(resolve, 50);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(new UploadError('aborted', 'stop'));
            });
          });
        },
      }),
    );
    controller.abort();
    const outcome = await running.catch((error: UploadError) => error);
    expect((outcome as UploadError).code).to.equal('aborted');
    expect(sent.length).to.be.at.most(3);
  });
});
