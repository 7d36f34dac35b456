/** Upload rate over a sliding window, so a stall shows as a falling number, not a frozen one. */
export class SpeedMeter {
  readonly #windowMs: number;
  readonly #samples: Array<{ t: number; bytes: number }> = [];

  constructor(windowMs = 3000) {
    this.#windowMs = windowMs;
  }

  reset(): void {
    this.#samples.length = 0;
  }

  /** Records `bytes` (a running total) at time `t` and returns bytes per second. */
  sample(t: number, bytes: number): number {
    this.#samples.push({ t, bytes });
    while (this.#samples.length > 2 && t - this.#samples[0]!.t > this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = t - first.t;
    return elapsed > 0 ? Math.max(0, ((bytes - first.bytes) * 1000) / elapsed) : 0;
  }
}
