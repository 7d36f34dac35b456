/**
 * Sends numbered parts that do not depend on each other (S3-style multipart), several
 * at a time, until the server has confirmed every one.
 *
 * The job supplies the pieces (how to prepare, send and re-sync a part); this module
 * only schedules. Concurrency is a fixed number of lanes that each take the next
 * missing part, so no slot is ever counted by hand. A failure is recovered once for
 * all lanes (the retry policy waits, then the server's list of parts is the truth);
 * a failure the policy gives up on stops every lane. A part the store acknowledged is
 * never sent again by this call, even when a recovery's list was read before it landed.
 */
import type { PartPlan } from './part-plan.js';
import { isAbort, UploadError, UploadErrorCode } from './upload-error.js';

export interface IndependentPartsDeps {
  readonly plan: PartPlan;
  readonly lanes: number;
  readonly signal: AbortSignal;
  /** Part numbers the server already holds. */
  readonly confirmed: ReadonlySet<number>;
  /** Cuts (and hashes) part `number`. */
  prepare(number: number, start: number, end: number, signal: AbortSignal): Promise<{ body: Blob; md5?: string }>;
  /** Sends it; resolves once the server confirmed that part. */
  send(
    number: number,
    start: number,
    end: number,
    part: { body: Blob; md5?: string },
    signal: AbortSignal,
    onProgress: (loaded: number) => void,
  ): Promise<void>;
  /** After a failure: waits as the policy says (or throws to stop), then returns the server's confirmed parts. */
  recover(error: unknown, signal: AbortSignal): Promise<ReadonlySet<number>>;
  /** Bytes confirmed, and bytes of parts in flight. */
  progress(confirmedBytes: number, inFlightBytes: number): void;
}

export async function sendIndependentParts(deps: IndependentPartsDeps): Promise<void> {
  const { plan } = deps;
  let confirmed = new Set(deps.confirmed);
  // Parts the store acknowledged during this call. A recovery's part list may have been
  // read before one of them landed; it must not make an acknowledged part go again.
  const acknowledged = new Set<number>();
  const inFlight = new Map<number, number>(); // part -> bytes sent so far
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  deps.signal.addEventListener('abort', onAbort, { once: true });
  let recovering: Promise<void> | undefined;

  const bytesOf = (number: number) => {
    const { start, end } = plan.range(number);
    return end - start;
  };
  // Kept as a running sum: progress events come many times a second per lane, and a file
  // may have 10,000 parts. Recomputed only when the server's list replaces ours.
  let confirmedBytes = 0;
  const trust = (held: ReadonlySet<number>) => {
    confirmed = new Set([...held, ...acknowledged]);
    confirmedBytes = 0;
    for (const number of confirmed) confirmedBytes += bytesOf(number);
  };
  trust(confirmed);
  const report = () => {
    let moving = 0;
    for (const loaded of inFlight.values()) moving += loaded;
    deps.progress(confirmedBytes, moving);
  };

  const nextMissing = (): number | undefined => {
    for (let number = 1; number <= plan.count; number++) if (!confirmed.has(number) && !inFlight.has(number)) return number;
    return undefined;
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      if (stop.signal.aborted) throw new UploadError(UploadErrorCode.Aborted, 'Stopped.');
      if (recovering) await recovering;
      const number = nextMissing();
      if (number === undefined) return;
      const { start, end } = plan.range(number);
      inFlight.set(number, 0);
      try {
        const part = await deps.prepare(number, start, end, stop.signal);
        await deps.send(number, start, end, part, stop.signal, (loaded) => {
          inFlight.set(number, loaded);
          report();
        });
        acknowledged.add(number);
        if (!confirmed.has(number)) {
          confirmed.add(number);
          confirmedBytes += bytesOf(number);
        }
      } catch (error) {
        if (isAbort(error) || stop.signal.aborted) throw error;
        // One recovery for every lane that failed meanwhile; the server's list wins.
        recovering ??= deps
          .recover(error, stop.signal)
          .then(trust)
          .finally(() => {
            recovering = undefined;
          });
        await recovering;
      } finally {
        inFlight.delete(number);
        report();
      }
    }
  };

  try {
    const lanes = Array.from({ length: Math.max(1, Math.min(deps.lanes, plan.count)) }, lane);
    const results = await Promise.allSettled(
      lanes.map((run) =>
        run.catch((error: unknown) => {
          stop.abort(); // one lane gave up: the others stop too
          throw error;
        }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isAbort(r.reason));
    if (failed) throw failed.reason;
    const aborted = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (aborted) throw aborted.reason;
  } finally {
    deps.signal.removeEventListener('abort', onAbort);
  }
}
