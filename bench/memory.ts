/**
 * The memory part (`BENCH_ONLY=memory`): the element on content-range with MD5 uploading files of
 * BENCH_MEMORY_MIB (default 256 MiB and 2 GiB, random bytes on disk), BENCH_MEMORY_RUNS rounds
 * (default 2) with the sizes' order rotating, each upload verified. During each upload the
 * resident memory of Chromium's renderer processes (the page and its workers) is sampled from
 * /proc every SAMPLE_MS (proc-memory.ts). The issue's bar: the peak during a 2 GiB upload within
 * 10% of a 256 MiB one, memory flat whatever the file's size.
 */
import { MEMORY_RUNS, MEMORY_SIZES, MiB } from './config.js';
import type { Common } from './context.js';
import type { UploadRun } from './modes.js';
import { check, log } from './processes.js';
import { rssOf, sampleWhile, type MemoryUse } from './proc-memory.js';
import { machine } from './report.js';
import { sectionTitle } from './results.js';
import { modeRunner } from './run-mode.js';
import { f1, f2, mbps, median } from './stats.js';

const SAMPLE_MS = 100;
/** The issue's bar: the largest file's peak at most this much above the smallest's. */
const TARGET = 1.1;

interface MemoryRun extends MemoryUse {
  readonly round: number;
  /** The renderer's RSS after `gc()` in the page and its workers, once the upload is over. */
  readonly afterGc: number | undefined;
  readonly size: number;
  readonly run: UploadRun;
}

const mib = (bytes: number): string => f1(bytes / MiB);
const sizeName = (bytes: number): string => (bytes >= 1024 * MiB && bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`);

export async function memoryBench(common: Common): Promise<string> {
  const began = performance.now();
  const { browser, server, source } = common;
  const sizes = [...MEMORY_SIZES].sort((a, b) => a - b);
  log(
    `bench memory: ${MEMORY_RUNS} round(s) of ${sizes.map(sizeName).join(' and ')}, element on content-range with MD5; renderer RSS sampled every ${SAMPLE_MS} ms`,
  );
  const files = new Map<number, Awaited<ReturnType<Common['file']>>>();
  for (const size of sizes) files.set(size, await common.file(size));

  const runs: MemoryRun[] = [];
  for (let round = 0; round < MEMORY_RUNS; round++) {
    const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]!);
    for (const size of order) {
      const file = files.get(size)!;
      let sampled: MemoryUse | undefined;
      let afterGc: number | undefined;
      const run = await modeRunner(
        browser,
        server,
        file,
        undefined,
      )('on', {
        start: () => {
          const sampler = sampleWhile(SAMPLE_MS);
          return () => {
            sampled = sampler.stop();
          };
        },
        // What of the peak was garbage: collect in the page and in every worker, then read the RSS again.
        after: async (page) => {
          const collect = () => (globalThis as unknown as { gc?: () => void }).gc?.();
          await Promise.all([page.evaluate(collect), ...page.workers().map((worker) => worker.evaluate(collect))]);
          await new Promise((resolve) => setTimeout(resolve, 500));
          if (sampled) afterGc = rssOf(sampled.pid);
        },
      });
      check(sampled !== undefined, 'memory: no /proc to sample (Linux only)');
      runs.push({ round: round + 1, size, run, ...sampled, afterGc });
      log(
        `  round ${round + 1} ${sizeName(size).padEnd(8)} ${f1(mbps(size, run.ms)).padStart(7)} MB/s  page's renderer RSS ${mib(sampled.before)} -> peak ${mib(sampled.peak)} MiB (VmHWM ${mib(sampled.hwm)}); all Chromium ${mib(sampled.chromiumBefore)} -> ${mib(sampled.chromiumPeak)} MiB; ${sampled.samples} samples, ${sampled.renderers} renderer(s)`,
      );
      log(
        `    renderer RSS at each tenth of the upload (MiB): ${tenths(sampled.series).map(mib).join(' ')}; after a forced GC in the page and its workers: ${afterGc === undefined ? '–' : mib(afterGc)}`,
      );
    }
  }

  const of = (size: number): MemoryRun[] => runs.filter((r) => r.size === size);
  const med = (size: number, pick: (r: MemoryRun) => number): number => median(of(size).map(pick));
  const peak = (size: number): number => med(size, (r) => r.peak);
  const growth = (size: number): number => med(size, (r) => r.peak - r.before);
  const rows = sizes.map(
    (size) =>
      `| ${sizeName(size)} | ${f1(median(of(size).map((r) => mbps(size, r.run.ms))))} | ${mib(med(size, (r) => r.before))} | ${mib(peak(size))} | ${mib(growth(size))} | ${mib(med(size, (r) => r.hwm))} | ${mib(med(size, (r) => r.afterGc ?? 0))} | ${mib(med(size, (r) => r.chromiumPeak))} |`,
  );
  const table = [
    "| file | MB/s | page's renderer RSS before (MiB) | its RSS peak (MiB) | peak − before (MiB) | its high-water mark VmHWM (MiB) | its RSS after the upload and a forced GC (MiB) | all Chromium processes, peak (MiB) |",
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  const small = sizes[0]!;
  const large = sizes.at(-1)!;
  const ratio = sizes.length > 1 ? peak(large) / peak(small) : undefined;
  const growthRatio = sizes.length > 1 && growth(small) > 0 ? growth(large) / growth(small) : undefined;
  const verdict =
    ratio === undefined
      ? 'Only one size was measured (BENCH_MEMORY_MIB), so there is no ratio.'
      : `Peak RSS of the page's renderer, ${sizeName(large)} / ${sizeName(small)}: ${f2(ratio)} (the issue's bar: ≤ ${f2(TARGET)}, within 10%; printed, not asserted)` +
        `${growthRatio === undefined ? '' : `; the growth above the page's own memory before the upload, ${sizeName(large)} / ${sizeName(small)}: ${f2(growthRatio)}`}.`;
  log('');
  log(table);
  log(verdict);
  log('');
  const perRun = runs.map(
    (r) =>
      `| ${r.round} | ${sizeName(r.size)} | ${f1(r.run.ms)} | ${mib(r.before)} | ${mib(r.peak)} | ${mib(r.hwm)} | ${r.afterGc === undefined ? '–' : mib(r.afterGc)} | ${mib(r.chromiumBefore)} | ${mib(r.chromiumPeak)} | ${r.samples} | ${tenths(r.series).map(mib).join(' ')} |`,
  );
  const m = machine();
  const elapsed = (performance.now() - began) / 1000;

  return `## ${sectionTitle('memory')}

Written by \`npm run bench\` (bench/memory.ts; \`BENCH_ONLY=memory\` runs only this section) on ${new Date().toISOString()}.

### Setup

- ${m.cpu}, ${m.cores} logical cores, ${m.ramGiB} GiB RAM; Chromium ${browser.version()} (headless); pages built from ${source}.
- The element on the demo page as in the throughput section's "MD5 on" mode (content-range, \`chunk-size\` unset,
  \`no-resume\`, a fresh browser context per upload), uploading files of ${sizes.map((s) => `${sizeName(s)} (${s} bytes)`).join(' and ')} of random
  bytes written to disk by the bench (not sparse: reading them costs what reading a real file costs). Each upload is
  verified on the server (complete record, size, the server's MD5 equal to Node's) before it counts.
- ${MEMORY_RUNS} round(s), the sizes in an order that rotates from round to round; medians.
- How memory is measured: from just before the file is given until \`upload-success\`, every ${SAMPLE_MS} ms, VmRSS of every
  Chromium process this bench started (read from /proc/<pid>/status, bench/proc-memory.ts). The page and its dedicated
  workers (the md5 workers) run in the page's renderer process, taken to be the renderer with the largest RSS (the
  others are a spare renderer, idle, and those of pages already closed; summing them would count each one's shared
  libraries again). "Before" is that process's first sample (the page loaded, nothing sent
  yet); VmHWM is the renderer process's own high-water mark, which also catches a peak between samples (and
  includes the page's load). "All Chromium processes" adds the browser, network service and GPU/utility
  processes (the network service reads the file's parts while it sends them).
- After the upload (and its checks) the bench calls \`gc()\` in the page and in each of its workers (the browser runs with
  \`--js-flags=--expose-gc\`), waits 500 ms and reads the renderer's RSS again: what is left is memory held, not garbage
  waiting for a collection. A peak well above it is garbage the collector had not yet reached.

### Results

${table}

${verdict}

#### Every run

| round | file | ms | renderer before (MiB) | renderer peak (MiB) | renderer VmHWM (MiB) | renderer after a forced GC (MiB) | all Chromium before (MiB) | all Chromium peak (MiB) | samples | renderer RSS at 0, 10 %, …, 100 % of the upload (MiB) |
| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${perRun.join('\n')}

### Caveats

- RSS counts pages shared with other processes (libraries) in each process, and a freed page returns to the system
  only when the allocator gives it back; the figures are upper bounds of what the page itself holds. The renderer's
  garbage collector runs when it likes: a peak can be garbage not yet collected.
- Total time of this section: ${f1(elapsed)} s (writing the files included).
`;
}

/** The series' values at 0, 10 %, …, 100 % of its length: whether memory levels off or keeps growing. */
export function tenths(series: readonly number[]): number[] {
  if (series.length === 0) return [];
  return Array.from({ length: 11 }, (_, i) => series[Math.min(series.length - 1, Math.round((i / 10) * (series.length - 1)))]!);
}
