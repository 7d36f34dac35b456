/**
 * Time as the engine and the adapters see it: the one seam for tests, so retry waits,
 * jitter, session polling and URL expiry never make a test wait on real time.
 */
import { sleep } from './sleep.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`, or rejects (`aborted`) as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

/** The real one. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  random: () => Math.random(),
};
