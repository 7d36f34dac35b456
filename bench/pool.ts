/**
 * The pool part (`BENCH_ONLY=pool`): the hash rate of the element's own md5 HashPool
 * (src/engine/hash-pool.ts, worker src/engine/md5.worker.ts) with 1..N workers, N being the
 * page's `navigator.hardwareConcurrency` (at least 2), hashing a file on disk (BENCH_POOL_MIB,
 * default BENCH_SIZE_MIB) in 8 MiB parts, N parts in flight; every part's digest compared with
 * Node's. The order of the pool sizes rotates from round to round (BENCH_POOL_RUNS, default 3).
 * When the throughput part ran too, the element's rate with MD5 is set against the bar of issue 11:
 * ≥ 0.9 × min(raw PUT, the pool's own rate).
 */
import { MiB, POOL_RUNS, POOL_SIZE, PART_SIZE } from './config.js';
import type { Common } from './context.js';
import { benchPage } from './modes.js';
import { check, log, withTimeout } from './processes.js';
import { machine } from './report.js';
import { sectionTitle } from './results.js';
import { f1, f2, mbps, median } from './stats.js';
import { poolRun, type PoolRun } from './worker-run.js';

/** The issue's bar for the element with MD5: this share of min(raw PUT, pool rate). */
const TARGET = 0.9;

export async function poolBench(common: Common): Promise<string> {
  const began = performance.now();
  const { browser, server, source } = common;
  const file = await common.file(POOL_SIZE);

  const probe = await benchPage(browser, server, file);
  const cores = await withTimeout(
    probe.page.evaluate(() => window.assetUploaderBench.cores()),
    30_000,
    'navigator.hardwareConcurrency',
  ).finally(() => probe.context.close());
  const max = Math.max(2, cores);
  const sizes = Array.from({ length: max }, (_, i) => i + 1);
  log(`bench pool: ${POOL_RUNS} rounds of ${file.size / MiB} MiB; HashPool with ${sizes.join(', ')} worker(s) (navigator.hardwareConcurrency ${cores})`);

  const runs: Array<PoolRun & { round: number }> = [];
  for (let round = 0; round < POOL_RUNS; round++) {
    const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]!);
    for (const workers of order) {
      const { context, page, problems } = await benchPage(browser, server, file);
      try {
        const run = await poolRun(page, file, workers);
        check(problems.length === 0, `md5 pool of ${workers}: the page reported ${problems.join('; ')}`);
        runs.push({ ...run, round: round + 1 });
        log(
          `  round ${round + 1} ${`HashPool, ${workers} worker(s)`.padEnd(38)} ${f1(mbps(file.size, run.ms)).padStart(7)} MB/s  (workers: read ${f1(run.readMs)} ms, hash ${f1(run.hashMs)} ms in all)`,
        );
      } finally {
        await context.close();
      }
    }
  }

  const ratesOf = (workers: number): number[] => runs.filter((r) => r.workers === workers).map((r) => mbps(file.size, r.ms));
  const rate = (workers: number): number => median(ratesOf(workers));
  for (const workers of sizes) common.rates.set(`pool:${workers}`, rate(workers));
  const cell = (workers: number, pick: (r: PoolRun) => number): string => f1(median(runs.filter((r) => r.workers === workers).map(pick)));
  const rows = sizes.map(
    (workers) =>
      `| ${workers} | ${f1(rate(workers))} | ${f1(Math.min(...ratesOf(workers)))} | ${f1(Math.max(...ratesOf(workers)))} | ${f2(rate(workers) / rate(1))} | ${cell(workers, (r) => r.readMs)} | ${cell(workers, (r) => r.hashMs)} | ${cell(workers, (r) => r.ms)} |`,
  );
  const summary = [
    '| workers | median MB/s | min MB/s | max MB/s | × 1 worker | read, all workers (ms) | hash, all workers (ms) | wall (ms) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  log('');
  log(summary);
  log('');

  const on = common.rates.get('throughput:on');
  const raw = common.rates.get('throughput:raw');
  const poolN = rate(max);
  const bar =
    on !== undefined && raw !== undefined
      ? `In this run's throughput section the element with MD5 (content-range) ran at ${f1(on)} MB/s and the raw PUT at ${f1(raw)} MB/s;
the pool with ${max} workers hashes at ${f1(poolN)} MB/s here, so min(raw PUT, pool) = ${f1(Math.min(raw, poolN))} MB/s and the element reaches
${f2(on / Math.min(raw, poolN))} of it (the issue's bar: ≥ ${f2(TARGET)}). (The throughput file is BENCH_SIZE_MIB, this one BENCH_POOL_MIB: the same size by default.)`
      : `The throughput section did not run in this run (or without the modes raw and on), so the element's rate with MD5 is
not set against min(raw PUT, pool) here; run both (\`BENCH_ONLY=throughput,pool\`) for that ratio.`;
  const m = machine();
  const perRun = runs.map((r) => `| ${r.round} | ${r.workers} | ${f1(r.ms)} | ${f1(mbps(file.size, r.ms))} |`);
  const elapsed = (performance.now() - began) / 1000;

  return `## ${sectionTitle('pool')}

Written by \`npm run bench\` (bench/pool.ts; \`BENCH_ONLY=pool\` runs only this section) on ${new Date().toISOString()}.

### Setup

- ${m.cpu}, ${m.cores} logical cores; the page's \`navigator.hardwareConcurrency\` is ${cores}, so N = ${max} (at least 2).
  Chromium ${browser.version()}, the bench page built from ${source}.
- The element's own \`HashPool\` (src/engine/hash-pool.ts) with 1..${max} md5 workers (src/engine/md5.worker.ts: each part read
  1 MiB at a time into one kept buffer by a BYOB reader of \`Blob.stream()\` and hashed with spark-md5), on the bench page, a fresh page per run.
  One file of ${file.size / MiB} MiB (${file.size} bytes) of random bytes on disk, cut into ${PART_SIZE / MiB} MiB parts; as many parts
  in flight as there are workers, the next given as one finishes. Every worker is started (a 1-byte digest) before timing.
  Each part's digest is compared with the MD5 Node computed when it wrote the file.
- ${POOL_RUNS} rounds, the pool sizes in an order that rotates from round to round; medians, with min and max. "read" and
  "hash" are the workers' own times (each digest carries them), summed over the parts and the workers, so with several
  workers they add up to more than the wall-clock time.

### Results

${summary}

${bar}

#### Every run

| round | workers | ms | MB/s |
| --- | ---: | ---: | ---: |
${perRun.join('\n')}

### What this measures, and caveats

- The file is read from the OS page cache (warm), as in the throughput section. The workers share the machine's
  ${m.cores} cores with the page, the browser and anything else running; a pool larger than the free cores cannot go faster.
- Only hashing: no upload runs at the same time. During an upload the same cores also send and store the bytes.
- Total time of this section: ${f1(elapsed)} s.
`;
}
