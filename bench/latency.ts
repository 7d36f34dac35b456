/**
 * The latency part (`BENCH_ONLY=latency`): the throughput modes (BENCH_MODES) once more, on a
 * network profile of BENCH_LATENCY_MS latency and BENCH_LATENCY_MBIT upload (default 40 ms,
 * 100 Mbit/s) set with Chromium's network emulation, on a smaller file (BENCH_LATENCY_MIB,
 * default 64), in an order that rotates from round to round, each upload verified before it
 * counts. Ratios are to the raw PUT under the same profile: what parts, round trips and MD5 cost
 * when the wire, not this machine, is the limit.
 */
import type { CDPSession, Page } from 'playwright';
import { LATENCY_MBIT, LATENCY_MS, LATENCY_RUNS, LATENCY_SIZE, MB, MiB, MODES, WITH_S3, type UploadMode } from './config.js';
import { breakdownLine, breakdownOf, breakdownTable, BREAKDOWN_TEXT } from './breakdown.js';
import type { Common } from './context.js';
import { MODE_LABEL, type RunHooks, type UploadRun } from './modes.js';
import { check, log, withTimeout } from './processes.js';
import { machine, table } from './report.js';
import { sectionTitle } from './results.js';
import { modeRunner } from './run-mode.js';
import { f1, f2, mbps, median } from './stats.js';

/** The element's modes: the ones the bar is for. */
const ELEMENT_MODES: ReadonlySet<UploadMode> = new Set<UploadMode>(['off', 'on', 'sp-embedded', 'sp-s3', 'tus-el']);

/** The issue's bar for every protocol on this profile, printed next to the ratios, not asserted. */
const TARGET = 0.97;

/**
 * Sets the profile on the page's target: `Network.emulateNetworkConditions` with `latency` ms
 * added to each request and `uploadThroughput` in bytes/s (download not limited). The session
 * stays open with the page: closing it would lift the emulation.
 */
async function emulate(page: Page, latencyMs: number, uploadBytesPerSecond: number): Promise<CDPSession> {
  const cdp = await withTimeout(page.context().newCDPSession(page), 30_000, 'CDP session');
  await withTimeout(cdp.send('Network.enable'), 30_000, 'Network.enable');
  await withTimeout(
    cdp.send('Network.emulateNetworkConditions', { offline: false, latency: latencyMs, downloadThroughput: -1, uploadThroughput: uploadBytesPerSecond }),
    30_000,
    'Network.emulateNetworkConditions',
  );
  return cdp;
}

export async function latencyBench(common: Common): Promise<string> {
  const began = performance.now();
  const { server, browser, source } = common;
  const file = await common.file(LATENCY_SIZE);
  const s3 = WITH_S3 ? await common.objectStore() : undefined;
  const uploadBps = (LATENCY_MBIT * 1_000_000) / 8;
  const hooks: RunHooks = { prepare: async (page) => void (await emulate(page, LATENCY_MS, uploadBps)) };
  const runMode = modeRunner(browser, server, file, s3);
  const modes = MODES;
  log(
    `bench latency: ${LATENCY_RUNS} rounds of ${file.size / MiB} MiB with ${LATENCY_MS} ms latency and ${LATENCY_MBIT} Mbit/s upload; modes ${modes.join(', ')}`,
  );

  const uploads: Array<UploadRun & { round: number }> = [];
  for (let round = 0; round < LATENCY_RUNS; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!);
    for (const mode of order) {
      const run = await runMode(mode, hooks);
      const rate = mbps(file.size, run.ms);
      // A profile that did not apply would measure loopback again: the raw PUT cannot beat the wire.
      if (mode === 'raw')
        check(
          rate <= (uploadBps / MB) * 1.05,
          `latency: the raw PUT ran at ${f1(rate)} MB/s, faster than the ${LATENCY_MBIT} Mbit/s profile: the network emulation did not apply`,
        );
      uploads.push({ ...run, round: round + 1 });
      log(`  round ${round + 1} ${MODE_LABEL[mode].padEnd(38)} ${f1(rate).padStart(7)} MB/s  ${f1(run.ms).padStart(8)} ms`);
      const parts = breakdownOf(run);
      if (parts) log(`${' '.repeat(12)}${breakdownLine(parts)}`);
    }
  }

  const runsOf = (mode: UploadMode): UploadRun[] => uploads.filter((u) => u.mode === mode);
  const rateOf = (mode: UploadMode): number => median(runsOf(mode).map((u) => mbps(file.size, u.ms)));
  const raw = rateOf('raw');
  for (const mode of modes) common.rates.set(`latency:${mode}`, rateOf(mode));
  const summary = table(modes.map((mode) => ({ label: MODE_LABEL[mode], rates: runsOf(mode).map((u) => mbps(file.size, u.ms)), ratio: rateOf(mode) / raw })));
  log('');
  log(summary);
  log('');
  // The bar is the element's, on every protocol; the baselines and tus-js-client are beside it.
  const below = modes.filter((mode) => ELEMENT_MODES.has(mode) && rateOf(mode) / raw < TARGET);
  const withListener = modes.includes('raw-progress') ? rateOf('raw-progress') : undefined;
  const toListener =
    withListener === undefined ? [] : modes.filter((mode) => ELEMENT_MODES.has(mode)).map((mode) => `${mode} ${f2(rateOf(mode) / withListener)}`);
  const m = machine();
  const wire = uploadBps / MB;
  const perRun = uploads.map((u) => `| ${u.round} | ${MODE_LABEL[u.mode]} | ${f1(u.ms)} | ${f1(mbps(file.size, u.ms))} |`);
  const elapsed = (performance.now() - began) / 1000;

  return `## ${sectionTitle('latency')}

Written by \`npm run bench\` (bench/latency.ts; \`BENCH_ONLY=latency\` runs only this section) on ${new Date().toISOString()}.

### Setup

- The same machine, pages, modes, checks and verification as the throughput section (${m.cpu}, ${m.cores} cores,
  Chromium ${browser.version()}, pages built from ${source}); the modes: ${modes.join(', ')}.
- Network profile: ${LATENCY_MS} ms latency and ${LATENCY_MBIT} Mbit/s (${f1(wire)} MB/s) upload, set on each page after it has
  loaded and before anything is timed, with Chromium's network emulation: a CDP session on the page and
  \`Network.emulateNetworkConditions({ offline: false, latency: ${LATENCY_MS}, downloadThroughput: -1, uploadThroughput: ${uploadBps} })\`
  (bytes/s; downloads are not limited). Every request of the page, to the reference server and to RGW, goes through it.
  Each raw PUT is checked to be no faster than the profile allows (else the emulation did not apply).
- One file of ${file.size / MiB} MiB (${file.size} bytes) of random bytes on disk; ${LATENCY_RUNS} rounds, each running every mode
  once in an order that rotates from round to round; medians, with min and max.
- BENCH_LATENCY_MS, BENCH_LATENCY_MBIT, BENCH_LATENCY_MIB and BENCH_LATENCY_RUNS change the profile, the file and the rounds.

### Results

The issue's bar on this profile: every protocol ≥ ${f2(TARGET)} × the raw PUT (not asserted here).
${below.length ? `Below it in this run: ${below.map((mode) => `${mode} (${f2(rateOf(mode) / raw)})`).join(', ')}.` : 'Every element mode ran at or above it.'}
${
  withListener === undefined
    ? ''
    : `The raw PUT with an \`upload.onprogress\` listener (what any uploader with a progress bar sends) ran at ${f2(withListener / raw)} × the
raw PUT without one; against it, the element's modes: ${toListener.join(', ')}.`
}

${summary}

#### Breakdown of the element's time (medians, ms)

${BREAKDOWN_TEXT}

${breakdownTable(modes, runsOf) ?? '(No element mode was run.)'}

#### Every run

| round | mode | ms | MB/s |
| --- | --- | ---: | ---: |
${perRun.join('\n')}

### What this measures, and caveats

- Chromium's emulation throttles the bytes its network stack hands to the socket and delays each answer by the
  latency; it is not a real link (no TCP slow start, no loss, no queueing in a router), and the reference server
  still receives at loopback speed in bursts. It shows what a client's own behaviour costs on a slower, farther
  network: the round trip each part request waits for its answer, the time between requests, and whether hashing
  keeps up once the wire is slower than MD5.
- The raw PUT at ${f1(raw)} MB/s against a wire of ${f1(wire)} MB/s is the ceiling every ratio is taken against.
- Total time of this section: ${f1(elapsed)} s.
`;
}
