/** A clock for tests (src/engine/clock.ts): waits take no real time, only move `now` on. */
import type { Clock } from '../../src/engine/clock.js';
import { UploadError, UploadErrorCode } from '../../src/engine/upload-error.js';

export class FakeClock implements Clock {
  time: number;
  /** Every wait asked for, in ms, in order. */
  readonly waits: number[] = [];

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  random(): number {
    return 0;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new UploadError(UploadErrorCode.Aborted, 'Aborted while waiting.');
    this.waits.push(ms);
    this.time += ms;
  }
}
